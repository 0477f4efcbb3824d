/*
 * Signals in a threaded process: a process-directed signal goes to a
 * thread that does not block it, a thread-directed one to its thread; a
 * fatal signal, a fault in any thread or a stop takes the whole process;
 * sigwait in one thread takes a signal every thread blocks.
 */

#include "sig.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits;
static volatile long handler_tid; /* the thread the handler ran on */
static volatile int stop_threads;

static long
gettid_(void)
{
	return syscall(SYS_gettid);
}

static void
record_tid(int sig)
{
	(void)sig;
	handler_tid = gettid_();
	hits++;
}

/*
 * A thread that publishes its tid, unblocks sig (every other signal
 * stays as the creator's mask left it) and sleeps until stop_threads.
 */
struct sleeper {
	pthread_t thread;
	volatile long tid;
	int unblock; /* a signal to unblock, or 0 */
};

static void *
sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	if (s->unblock != 0)
		sig_unblock(s->unblock);
	s->tid = gettid_();
	while (!stop_threads)
		test_sleep_ns(SIG_MS);
	return NULL;
}

static void
sleeper_start(struct sleeper *s, int unblock)
{
	memset(s, 0, sizeof(*s));
	s->unblock = unblock;
	test_expect_eq(pthread_create(&s->thread, NULL, sleeper_main, s), 0,
	    "pthread_create");
	while (s->tid == 0)
		test_sleep_ns(SIG_MS);
}

static void
sleepers_join(struct sleeper *s, int n)
{
	stop_threads = 1;
	for (int i = 0; i < n; i++)
		test_expect_eq(pthread_join(s[i].thread, NULL), 0,
		    "pthread_join");
	stop_threads = 0;
}

/* kill(getpid()): the one thread that does not block the signal takes it. */
static void
t_threads_process_directed(void)
{
	struct sleeper s[3];

	sig_handle(SIGUSR1, record_tid, 0);
	sig_block(SIGUSR1); /* the threads inherit the block */
	sleeper_start(&s[0], 0);
	sleeper_start(&s[1], SIGUSR1);
	sleeper_start(&s[2], 0);
	test_expect_ok(kill(getpid(), SIGUSR1), "kill");
	while (hits == 0)
		test_sleep_ns(SIG_MS);
	test_expect_eq(handler_tid, s[1].tid,
	    "the handler ran on the thread not blocking the signal");
	sleepers_join(s, 3);
	test_expect_eq(hits, 1, "one delivery");
}

/* A process-directed signal every thread blocks stays pending for all. */
static void
t_threads_pending_shared(void)
{
	struct sleeper s;
	sigset_t pend;

	sig_handle(SIGUSR2, record_tid, 0);
	sig_block(SIGUSR2);
	sleeper_start(&s, 0);
	test_expect_ok(kill(getpid(), SIGUSR2), "kill");
	test_sleep_ns(10 * SIG_MS);
	test_expect_eq(hits, 0, "blocked everywhere: not delivered");
	test_expect_ok(sigpending(&pend), "sigpending");
	test_expect_eq(sigismember(&pend, SIGUSR2), 1,
	    "pending for the process");
	sig_unblock(SIGUSR2); /* the main thread takes it now */
	test_expect_eq(hits, 1, "delivered on unblocking");
	test_expect_eq(handler_tid, gettid_(), "on the main thread");
	sleepers_join(&s, 1);
}

/* tgkill and pthread_kill: only the named thread, even if others could. */
static void
t_threads_thread_directed(void)
{
	struct sleeper s[2];

	sig_handle(SIGUSR1, record_tid, 0);
	sleeper_start(&s[0], 0);
	sleeper_start(&s[1], 0);
	test_expect_ok(syscall(SYS_tgkill, getpid(), s[1].tid, SIGUSR1),
	    "tgkill");
	while (hits < 1)
		test_sleep_ns(SIG_MS);
	test_expect_eq(handler_tid, s[1].tid, "tgkill's thread");
	test_expect_eq(pthread_kill(s[0].thread, SIGUSR1), 0, "pthread_kill");
	while (hits < 2)
		test_sleep_ns(SIG_MS);
	test_expect_eq(handler_tid, s[0].tid, "pthread_kill's thread");
	sleepers_join(s, 2);
}

/* A thread blocking a signal leaves a tgkill'd one pending on itself. */
static void
t_threads_thread_pending(void)
{
	struct sleeper s;
	sigset_t pend;

	sig_handle(SIGUSR1, record_tid, 0);
	sig_block(SIGUSR1);
	sleeper_start(&s, 0);
	test_expect_ok(syscall(SYS_tgkill, getpid(), s.tid, SIGUSR1), "tgkill");
	test_sleep_ns(10 * SIG_MS);
	test_expect_eq(hits, 0, "blocked in its thread");
	test_expect_ok(sigpending(&pend), "sigpending");
	test_expect_eq(sigismember(&pend, SIGUSR1), 0,
	    "not pending for another thread");
	sig_unblock(SIGUSR1);
	test_expect_eq(hits, 0, "not taken by another thread");
	sleepers_join(&s, 1);
	test_expect_eq(hits, 0, "gone with its thread");
}

/* The children below: threads sleeping, then something ends them all. */
static void
threads_then(void *arg)
{
	struct sleeper s[3];
	int how = (int)(uintptr_t)arg;

	for (int i = 0; i < 3; i++)
		sleeper_start(&s[i], 0);
	switch (how) {
	case 0: /* a fatal signal, to the process */
		kill(getpid(), SIGTERM);
		break;
	case 1: /* a fatal signal, to one thread */
		syscall(SYS_tgkill, getpid(), s[2].tid, SIGTERM);
		break;
	}
	for (;;)
		test_sleep_ns(SIG_MS);
}

/* An unmapped address, out of the compiler's sight. */
static volatile uintptr_t addr8 = 8;

static void *
fault_main(void *arg)
{
	(void)arg;
	*(volatile int *)addr8 = 1;
	return NULL;
}

static void
fault_in_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, NULL, fault_main, NULL) != 0)
		_exit(2);
	for (;;)
		test_sleep_ns(SIG_MS);
}

static void
t_threads_fatal(void)
{
	test_expect_child_signal(threads_then, (void *)0, SIGTERM,
	    "SIGTERM to the process");
	test_expect_child_signal(threads_then, (void *)1, SIGTERM,
	    "SIGTERM to one thread");
	test_expect_child_signal(fault_in_thread, NULL, SIGSEGV,
	    "a fault in a thread");
}

/* SIGSTOP stops every thread: a counter the threads bump stands still. */
static void *
bump_main(void *arg)
{
	volatile long *count = arg;

	for (;;)
		__atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void
t_threads_stop(void)
{
	volatile long *count = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long a, b;
	int status;
	pid_t pid;

	test_assert(count != MAP_FAILED);
	pid = test_fork();
	if (pid == 0) {
		pthread_t t;

		for (int i = 0; i < 3; i++)
			if (pthread_create(&t, NULL, bump_main,
				(void *)count) != 0)
				_exit(2);
		bump_main((void *)count);
	}
	while (*count == 0)
		test_sleep_ns(SIG_MS);
	test_expect_ok(kill(pid, SIGSTOP), "SIGSTOP");
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	test_assert_msg(WIFSTOPPED(status), "status 0x%x", status);
	a = *count;
	test_sleep_ns(30 * SIG_MS);
	b = *count;
	test_expect_eq(b, a, "no thread runs while stopped");
	test_expect_ok(kill(pid, SIGCONT), "SIGCONT");
	while (*count == b)
		test_sleep_ns(SIG_MS);
	test_expect_ok(kill(pid, SIGKILL), "SIGKILL");
	test_expect_signal(pid, SIGKILL, "child");
	munmap((void *)count, TEST_PAGE);
}

/*
 * Threads that make threads, each bumping a shared counter for a while:
 * a stop must catch every one, the newest included, so the counter
 * stands still while the process is stopped.
 */
static volatile long *spawn_count;

static void *
noop_main(void *arg)
{
	for (int i = 0; i < 20000; i++)
		__atomic_add_fetch(spawn_count, 1, __ATOMIC_RELAXED);
	return arg;
}

static void *
spawner_main(void *arg)
{
	pthread_t t;

	(void)arg;
	for (;;)
		if (pthread_create(&t, NULL, noop_main, NULL) == 0)
			pthread_join(t, NULL);
	return NULL;
}

static void
t_threads_stop_while_creating(void)
{
	long a;
	int status;
	pid_t pid;

	spawn_count = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	test_assert(spawn_count != MAP_FAILED);
	pid = test_fork();
	if (pid == 0) {
		pthread_t t;

		for (int i = 0; i < 2; i++)
			if (pthread_create(&t, NULL, spawner_main, NULL) != 0)
				_exit(2);
		spawner_main(NULL);
	}
	for (int round = 0; round < 20; round++) {
		test_sleep_ns(2 * SIG_MS);
		test_expect_ok(kill(pid, SIGSTOP), "SIGSTOP");
		test_expect_eq(waitpid(pid, &status, WUNTRACED), pid,
		    "wait stop");
		test_assert_msg(WIFSTOPPED(status), "status 0x%x", status);
		a = *spawn_count;
		test_sleep_ns(5 * SIG_MS);
		test_expect_eq(*spawn_count, a, "no thread runs while stopped");
		test_expect_ok(kill(pid, SIGCONT), "SIGCONT");
	}
	test_expect_ok(kill(pid, SIGKILL), "SIGKILL");
	test_expect_signal(pid, SIGKILL, "child");
	munmap((void *)spawn_count, TEST_PAGE);
}

/* sigwait in one thread takes a process-directed signal all block. */
static void *
waiter_main(void *arg)
{
	sigset_t set;
	int sig = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (sigwait(&set, &sig) != 0)
		return (void *)-1L;
	return (void *)(long)sig;
}

static void
t_threads_sigwait(void)
{
	pthread_t t;
	void *rv;

	sig_handle(SIGUSR2, record_tid, 0);
	sig_block(SIGUSR2);
	test_expect_eq(pthread_create(&t, NULL, waiter_main, NULL), 0,
	    "pthread_create");
	test_sleep_ns(10 * SIG_MS);
	test_expect_ok(kill(getpid(), SIGUSR2), "kill");
	test_expect_eq(pthread_join(t, &rv), 0, "pthread_join");
	test_expect_eq((long)rv, SIGUSR2, "sigwait's signal");
	test_expect_eq(hits, 0, "no handler ran");
}

/*
 * The alternate stack: a fork child (fork, or clone with SIGCHLD only,
 * glibc's fork) keeps it; a new thread starts without one (Linux).
 */
static void *
altstack_main(void *arg)
{
	stack_t ss;

	(void)arg;
	if (sigaltstack(NULL, &ss) != 0)
		return (void *)1L;
	return (void *)(long)(ss.ss_flags == SS_DISABLE ? 0 : 2);
}

static void
t_threads_altstack_inherit(void)
{
	static char stack[64 * 1024];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) }, old;
	pthread_t t;
	void *rv;
	int status;
	long pid;

	test_expect_ok(sigaltstack(&ss, NULL), "sigaltstack");
	pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(sigaltstack(NULL, &old) == 0 && old.ss_sp == stack &&
			    old.ss_size == sizeof(stack) ?
			0 :
			1);
	test_assert(pid > 0);
	test_expect_eq(waitpid(pid, &status, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "clone(SIGCHLD) child: status 0x%x (1: no alternate stack)",
	    status);
	test_expect_eq(pthread_create(&t, NULL, altstack_main, NULL), 0,
	    "pthread_create");
	test_expect_eq(pthread_join(t, &rv), 0, "pthread_join");
	test_expect_eq((long)rv, 0, "a new thread has no alternate stack");
}

/*
 * System calls that leave no work of their own (getpid, getuid: the
 * light path of syscall.S, which returns without the exit checks) do not
 * hide a signal: a thread that makes nothing else takes one sent to it
 * from another thread, and a process that makes nothing else dies of
 * SIGKILL, on one CPU (the sender runs when a tick preempts the spinner)
 * as on several (an IPI).  The spinners give up after LIGHT_ROUNDS.
 */
#define LIGHT_ROUNDS 20000000L

struct light_spinner {
	pthread_t thread;
	volatile long tid;
	volatile long rounds;
};

static void *
light_spinner_main(void *arg)
{
	struct light_spinner *ls = arg;

	sig_unblock(SIGUSR1);
	ls->tid = gettid_();
	while (hits == 0 && ls->rounds < LIGHT_ROUNDS) {
		syscall(SYS_getpid);
		syscall(SYS_getuid);
		ls->rounds++;
	}
	return NULL;
}

static void
t_threads_light_calls_signalled(void)
{
	struct light_spinner ls = { 0 };
	int status;
	pid_t pid;

	sig_handle(SIGUSR1, record_tid, 0);
	sig_block(SIGUSR1);
	test_expect_eq(
	    pthread_create(&ls.thread, NULL, light_spinner_main, &ls), 0,
	    "pthread_create");
	while (ls.rounds < 1000)
		test_sleep_ns(SIG_MS);
	test_expect_eq(pthread_kill(ls.thread, SIGUSR1), 0, "pthread_kill");
	test_expect_eq(pthread_join(ls.thread, NULL), 0, "pthread_join");
	test_expect_eq(hits, 1, "the signal taken");
	test_expect_eq(handler_tid, ls.tid, "by the spinning thread");
	test_assert_msg(ls.rounds < LIGHT_ROUNDS,
	    "the spinner gave up: the signal never reached it");

	pid = test_fork();
	if (pid == 0) {
		for (long i = 0; i < LIGHT_ROUNDS; i++)
			syscall(SYS_getppid);
		_exit(3);
	}
	test_sleep_ns(20 * SIG_MS);
	test_expect_ok(kill(pid, SIGKILL), "kill");
	test_expect_eq(waitpid(pid, &status, 0), pid, "waitpid");
	test_expect_eq(WIFSIGNALED(status) ? WTERMSIG(status) : -1, SIGKILL,
	    "the spinning process killed (exit 3: it gave up)");
}

const struct test sig_thread_tests[] = {
	{ "threads_process_directed", t_threads_process_directed, NULL },
	{ "threads_pending_shared", t_threads_pending_shared, NULL },
	{ "threads_thread_directed", t_threads_thread_directed, NULL },
	{ "threads_thread_pending", t_threads_thread_pending, NULL },
	{ "threads_fatal", t_threads_fatal, NULL },
	{ "threads_stop", t_threads_stop, NULL },
	{ "threads_stop_while_creating", t_threads_stop_while_creating, NULL },
	{ "threads_sigwait", t_threads_sigwait, NULL },
	{ "threads_altstack_inherit", t_threads_altstack_inherit, NULL },
	{ "threads_light_calls_signalled", t_threads_light_calls_signalled,
	    NULL },
	{ NULL, NULL, NULL },
};
