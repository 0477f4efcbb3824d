/*
 * pthread.c: musl's threads on the kernel's clone, futex and exit.
 *
 *   - mutex_counter: 64 threads add to one counter under a mutex;
 *   - cond_pingpong: two threads take turns through a condition variable;
 *   - join_many: 2,000 short threads created and joined, 16 at a time;
 *   - detach_sem: detached threads report through a semaphore;
 *   - tls_sigmask: each thread has its own TLS, its own id (gettid) and
 *     its creator's signal mask;
 *   - exit_while_waiting: exit_group while threads sleep in futex waits;
 *   - exit_group_thread: a thread's exit() ends the process;
 *   - main_pthread_exit: the main thread leaves with pthread_exit and the
 *     process goes on until its last thread ends;
 *   - thread_exit_status: raw exit of each thread, the main one first;
 *     the process's status is the last one's, as on Linux 6.1;
 *   - timedwaits: sem_timedwait, pthread_cond_timedwait on CLOCK_MONOTONIC
 *     and pthread_mutex_timedlock time out;
 *   - kill_threaded: SIGKILL of a process of threads asleep and running.
 */

#include "th.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------------
 * mutex_counter
 */

enum {
	MC_THREADS = 64,
	MC_ROUNDS = 500
};

static pthread_mutex_t mc_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long mc_counter;

static void *
mc_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < MC_ROUNDS; i++) {
		pthread_mutex_lock(&mc_lock);
		long v = mc_counter;
		if (i % 16 == 0)
			sched_yield(); /* hold the lock across a switch */
		mc_counter = v + 1;
		pthread_mutex_unlock(&mc_lock);
	}
	return NULL;
}

static void
t_mutex_counter(void)
{
	pthread_t t[MC_THREADS];

	for (int i = 0; i < MC_THREADS; i++)
		th_create(&t[i], mc_worker, NULL);
	for (int i = 0; i < MC_THREADS; i++)
		th_join(t[i]);
	test_expect_eq(mc_counter, (long)MC_THREADS * MC_ROUNDS,
	    "the counter after every thread's increments");
}

/* ---------------------------------------------------------------------
 * cond_pingpong
 */

enum {
	CP_ROUNDS = 2000
};

static pthread_mutex_t cp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cp_cond = PTHREAD_COND_INITIALIZER;
static int cp_turn;   /* 0: ping's turn, 1: pong's */
static long cp_count; /* turns taken */
static int cp_bad;

static void *
cp_player(void *arg)
{
	int me = (int)(long)arg;

	for (int i = 0; i < CP_ROUNDS; i++) {
		pthread_mutex_lock(&cp_lock);
		while (cp_turn != me)
			pthread_cond_wait(&cp_cond, &cp_lock);
		if (cp_count % 2 != me)
			cp_bad++;
		cp_count++;
		cp_turn = !me;
		pthread_cond_signal(&cp_cond);
		pthread_mutex_unlock(&cp_lock);
	}
	return NULL;
}

static void
t_cond_pingpong(void)
{
	pthread_t a, b;

	th_create(&a, cp_player, (void *)0L);
	th_create(&b, cp_player, (void *)1L);
	th_join(a);
	th_join(b);
	test_expect_eq(cp_count, 2L * CP_ROUNDS, "turns taken");
	test_expect_eq(cp_bad, 0, "turns taken out of order");
}

/* ---------------------------------------------------------------------
 * join_many
 */

enum {
	JM_THREADS = 2000,
	JM_BATCH = 16
};

static void *
jm_worker(void *arg)
{
	return (void *)((long)arg * 3 + 1);
}

static void
t_join_many(void)
{
	pthread_t t[JM_BATCH];

	for (long i = 0; i < JM_THREADS; i += JM_BATCH) {
		for (long j = 0; j < JM_BATCH; j++)
			th_create(&t[j], jm_worker, (void *)(i + j));
		for (long j = 0; j < JM_BATCH; j++)
			test_expect_eq((long)th_join(t[j]), (i + j) * 3 + 1,
			    "the value pthread_join returns");
	}
}

/* ---------------------------------------------------------------------
 * detach_sem
 */

enum {
	DS_THREADS = 32
};

static sem_t ds_sem;
static volatile int ds_done[DS_THREADS];

static void *
ds_worker(void *arg)
{
	ds_done[(long)arg] = 1;
	sem_post(&ds_sem);
	return NULL;
}

static void
t_detach_sem(void)
{
	pthread_t t;

	test_expect_ok(sem_init(&ds_sem, 0, 0), "sem_init");
	for (long i = 0; i < DS_THREADS; i++) {
		th_create(&t, ds_worker, (void *)i);
		test_expect_eq(pthread_detach(t), 0, "pthread_detach");
	}
	for (int i = 0; i < DS_THREADS; i++)
		test_expect_ok(sem_wait(&ds_sem), "sem_wait");
	for (int i = 0; i < DS_THREADS; i++)
		test_expect_eq(ds_done[i], 1, "a detached thread ran");
	test_expect_errno(sem_trywait(&ds_sem), EAGAIN,
	    "sem_trywait with no post left");
}

/* ---------------------------------------------------------------------
 * tls_sigmask
 */

enum {
	TS_THREADS = 8
};

static __thread long ts_tls = 5;
static volatile long ts_tids[TS_THREADS + 1];
static volatile uint64_t ts_masks[TS_THREADS];

static void *
ts_worker(void *arg)
{
	long i = (long)arg;
	uint64_t mask = 0;

	if (ts_tls != 5)
		return (void *)1L;
	ts_tls = 100 + i;
	ts_tids[i] = test_raw0(SYS_gettid);
	test_raw4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
	ts_masks[i] = mask;
	sched_yield();
	return (void *)(ts_tls == 100 + i ? 0L : 2L);
}

static void
t_tls_sigmask(void)
{
	pthread_t t[TS_THREADS];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	test_expect_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0,
	    "pthread_sigmask");
	ts_tls = 7;
	ts_tids[TS_THREADS] = test_raw0(SYS_gettid);
	for (long i = 0; i < TS_THREADS; i++)
		th_create(&t[i], ts_worker, (void *)i);
	for (int i = 0; i < TS_THREADS; i++)
		test_expect_eq((long)th_join(t[i]), 0,
		    "the thread's TLS (1: not the initial value, 2: changed "
		    "by another thread)");
	test_expect_eq(ts_tls, 7, "the main thread's TLS");
	for (int i = 0; i < TS_THREADS; i++) {
		test_assert_msg(ts_masks[i] & (1UL << (SIGUSR1 - 1)),
		    "thread %d's mask %#lx lacks SIGUSR1", i,
		    (unsigned long)ts_masks[i]);
		for (int j = i + 1; j <= TS_THREADS; j++)
			test_assert_msg(ts_tids[i] != ts_tids[j],
			    "threads %d and %d have the same id %ld", i, j,
			    ts_tids[i]);
		test_assert_msg(ts_tids[i] > 0, "thread %d's id %ld", i,
		    ts_tids[i]);
	}
}

/* ---------------------------------------------------------------------
 * exit_while_waiting, exit_group_thread
 */

static pthread_mutex_t ew_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ew_cond = PTHREAD_COND_INITIALIZER;
static volatile uint32_t ew_word;
static sem_t ew_ready;

static void *
ew_cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ew_lock);
	sem_post(&ew_ready);
	for (;;)
		pthread_cond_wait(&ew_cond, &ew_lock);
	return NULL;
}

static void *
ew_futex_waiter(void *arg)
{
	(void)arg;
	sem_post(&ew_ready);
	for (;;)
		th_futex(&ew_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void
ew_child(void *arg)
{
	pthread_t t;
	int how = (int)(long)arg;

	sem_init(&ew_ready, 0, 0);
	for (int i = 0; i < 8; i++) {
		if (pthread_create(&t, NULL,
			i % 2 ? ew_cond_waiter : ew_futex_waiter, NULL) != 0)
			_exit(90);
	}
	for (int i = 0; i < 8; i++)
		sem_wait(&ew_ready);
	test_sleep_ns(20 * 1000 * 1000); /* let them sleep */
	if (how == 0)
		exit(3); /* exit_group with every other thread asleep */
	_exit(4);
}

static void
t_exit_while_waiting(void)
{
	int st;

	st = test_child_status(ew_child, (void *)0L);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	    "the child's status %#x, want exit 3", st);
	st = test_child_status(ew_child, (void *)1L);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 4,
	    "the child's status %#x, want exit 4", st);
}

static void *
eg_exiter(void *arg)
{
	(void)arg;
	test_sleep_ns(10 * 1000 * 1000);
	exit(5);
}

static void
eg_child(void *arg)
{
	pthread_t t, w;

	(void)arg;
	sem_init(&ew_ready, 0, 0);
	if (pthread_create(&w, NULL, ew_futex_waiter, NULL) != 0 ||
	    pthread_create(&t, NULL, eg_exiter, NULL) != 0)
		_exit(90);
	pthread_join(w, NULL); /* never returns: w waits for ever */
	_exit(91);
}

static void
t_exit_group_thread(void)
{
	int st = test_child_status(eg_child, NULL);

	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5,
	    "the child's status %#x, want exit 5 from its thread", st);
}

/* ---------------------------------------------------------------------
 * main_pthread_exit, thread_exit_status
 */

static void *
mp_worker(void *arg)
{
	int fd = (int)(long)arg;

	test_sleep_ns(20 * 1000 * 1000); /* the main thread is gone by now */
	if (write(fd, "x", 1) != 1)
		_exit(92);
	return NULL; /* the last thread: the process exits with 0 */
}

/* Helper main_pthread_exit FD: the main thread leaves first. */
int
th_helper_main_exit(int fd)
{
	pthread_t t;

	if (pthread_create(&t, NULL, mp_worker, (void *)(long)fd) != 0)
		return 90;
	pthread_exit(NULL);
}

static void
mp_child(void *arg)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", (int)(long)arg);
	th_exec_helper("main_pthread_exit", buf);
}

static void
t_main_pthread_exit(void)
{
	int fds[2], st;
	char c;

	test_pipe(fds);
	st = test_child_status(mp_child, (void *)(long)fds[1]);
	close(fds[1]);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child's status %#x, want exit 0", st);
	test_expect_eq(read(fds[0], &c, 1), 1,
	    "read what the thread left behind wrote");
	close(fds[0]);
}

static void *
xs_worker(void *arg)
{
	(void)arg;
	test_sleep_ns(20 * 1000 * 1000);
	for (;;)
		test_raw1(SYS_exit, 9); /* the last thread */
	return NULL;
}

static void
xs_child(void *arg)
{
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, NULL, xs_worker, NULL) != 0)
		_exit(90);
	for (;;)
		test_raw1(SYS_exit, 3); /* this thread only */
}

static void
t_thread_exit_status(void)
{
	int st = test_child_status(xs_child, NULL);

	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 9,
	    "the child's status %#x, want exit 9 (the last thread's)", st);
}

/* ---------------------------------------------------------------------
 * timedwaits, kill_threaded
 */

static pthread_mutex_t tw_lock = PTHREAD_MUTEX_INITIALIZER;

static struct timespec
tw_deadline(clockid_t c, long ms)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static void *
tw_locker(void *arg)
{
	struct timespec ts = tw_deadline(CLOCK_REALTIME, 50);

	(void)arg;
	return (void *)(long)pthread_mutex_timedlock(&tw_lock, &ts);
}

/* musl's timed waits time out through futex timeouts. */
static void
t_timedwaits(void)
{
	pthread_condattr_t ca;
	pthread_cond_t cond;
	pthread_t t;
	sem_t sem;
	struct timespec ts;
	uint64_t t0;

	test_expect_ok(sem_init(&sem, 0, 0), "sem_init");
	ts = tw_deadline(CLOCK_REALTIME, 50);
	t0 = test_now_ns();
	test_expect_errno(sem_timedwait(&sem, &ts), ETIMEDOUT,
	    "sem_timedwait with nothing posted");
	test_assert_msg(test_now_ns() - t0 >= 40000000ULL,
	    "sem_timedwait returned after %llu ns",
	    (unsigned long long)(test_now_ns() - t0));

	pthread_condattr_init(&ca);
	test_expect_eq(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0,
	    "pthread_condattr_setclock");
	test_expect_eq(pthread_cond_init(&cond, &ca), 0, "pthread_cond_init");
	pthread_mutex_lock(&tw_lock);
	ts = tw_deadline(CLOCK_MONOTONIC, 50);
	t0 = test_now_ns();
	test_expect_eq(pthread_cond_timedwait(&cond, &tw_lock, &ts), ETIMEDOUT,
	    "pthread_cond_timedwait on CLOCK_MONOTONIC, never signalled");
	test_assert_msg(test_now_ns() - t0 >= 40000000ULL,
	    "pthread_cond_timedwait returned after %llu ns",
	    (unsigned long long)(test_now_ns() - t0));

	/* The mutex is ours: another thread's timedlock times out. */
	th_create(&t, tw_locker, NULL);
	test_expect_eq((long)th_join(t), ETIMEDOUT,
	    "pthread_mutex_timedlock of a held mutex");
	pthread_mutex_unlock(&tw_lock);
	pthread_cond_destroy(&cond);
	sem_destroy(&sem);
}

static void
kt_child(void *arg)
{
	pthread_t t;

	(void)arg;
	sem_init(&ew_ready, 0, 0);
	for (int i = 0; i < 12; i++)
		if (pthread_create(&t, NULL,
			i % 3 == 0     ? ew_cond_waiter :
			    i % 3 == 1 ? ew_futex_waiter :
					 mc_worker,
			NULL) != 0)
			_exit(90);
	for (int i = 0; i < 8; i++)
		sem_wait(&ew_ready);
	for (;;)
		sched_yield();
}

/* SIGKILL ends a process whose threads sleep in futexes and run. */
static void
t_kill_threaded(void)
{
	pid_t pid = test_fork();

	if (pid == 0)
		kt_child(NULL);
	test_sleep_ns(100 * 1000 * 1000);
	test_expect_ok(kill(pid, SIGKILL), "kill");
	test_expect_signal(pid, SIGKILL, "the process of 13 threads");
}

const struct test th_pthread_tests[] = {
	{ "mutex_counter", t_mutex_counter, NULL },
	{ "cond_pingpong", t_cond_pingpong, NULL },
	{ "join_many", t_join_many, NULL },
	{ "detach_sem", t_detach_sem, NULL },
	{ "tls_sigmask", t_tls_sigmask, NULL },
	{ "exit_while_waiting", t_exit_while_waiting, NULL },
	{ "exit_group_thread", t_exit_group_thread, NULL },
	{ "main_pthread_exit", t_main_pthread_exit, NULL },
	{ "thread_exit_status", t_thread_exit_status, NULL },
	{ "timedwaits", t_timedwaits, NULL },
	{ "kill_threaded", t_kill_threaded, NULL },
	{ NULL, NULL, NULL },
};
