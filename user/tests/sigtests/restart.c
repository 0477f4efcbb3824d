/*
 * Interrupted calls: a handler without SA_RESTART makes a blocking call
 * fail with EINTR, one with SA_RESTART restarts it, and a stop and
 * continue (no handler) restarts it unseen; sigsuspend, pause and
 * sigtimedwait wait for signals.
 */

#include "sig.h"

#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits;

static void
count(int sig)
{
	(void)sig;
	hits++;
}

/* A child that sleeps ms, writes one byte into fd and exits. */
static pid_t
write_later(int fd, unsigned ms)
{
	pid_t pid = test_fork();

	if (pid == 0) {
		test_sleep_ns(ms * SIG_MS);
		if (write(fd, "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

/* read from an empty pipe, a handler without SA_RESTART: EINTR. */
static void
t_restart_read_eintr(void)
{
	int p[2];
	char c;
	pid_t k;

	test_pipe(p);
	sig_handle(SIGUSR1, count, 0);
	k = sig_send_later(SIGUSR1, 50);
	test_expect_errno(read(p[0], &c, 1), EINTR, "read interrupted");
	test_expect_eq(hits, 1, "handler ran");
	test_expect_exit(k, 0, "sender");
}

/* The same with SA_RESTART: the read goes on and gets the byte. */
static void
t_restart_read_restarts(void)
{
	int p[2];
	char c = 0;
	pid_t k, w;

	test_pipe(p);
	sig_handle(SIGUSR1, count, SA_RESTART);
	k = sig_send_later(SIGUSR1, 30);
	w = write_later(p[1], 200);
	test_expect_eq(read(p[0], &c, 1), 1, "read restarted");
	test_expect_eq(c, 'x', "the byte");
	test_expect_eq(hits, 1, "handler ran");
	test_expect_exit(k, 0, "sender");
	test_expect_exit(w, 0, "writer");
}

/* wait4 with and without SA_RESTART. */
static void
t_restart_wait(void)
{
	int p[2], status;
	pid_t k, child, holder;

	test_pipe(p);
	child = test_fork();
	if (child == 0) {
		char c;

		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 7 : 1);
	}
	close(p[0]);
	sig_handle(SIGUSR1, count, 0);
	k = sig_send_later(SIGUSR1, 30);
	test_expect_errno(waitpid(child, &status, 0), EINTR,
	    "wait interrupted");
	test_expect_exit(k, 0, "sender");
	sig_handle(SIGUSR1, count, SA_RESTART);
	holder = test_fork();
	if (holder == 0) {
		/* The last write end: the child sees EOF when this exits. */
		test_sleep_ns(200 * SIG_MS);
		_exit(0);
	}
	close(p[1]);
	k = sig_send_later(SIGUSR1, 30);
	test_expect_eq(waitpid(child, &status, 0), child, "wait restarted");
	test_expect_exit(holder, 0, "holder");
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	test_expect_exit(k, 0, "sender");
	test_expect_eq(hits, 2, "both handlers ran");
}

/*
 * A child blocked in read is stopped and continued (no handler): its
 * read goes on and returns the byte written after.
 */
static void
t_restart_after_stop(void)
{
	int p[2], status;
	pid_t child;

	test_pipe(p);
	child = test_fork();
	if (child == 0) {
		char c = 0;
		ssize_t r = read(p[0], &c, 1);

		_exit(r == 1 && c == 'y' ? 0 : 10 + (int)r);
	}
	test_sleep_ns(30 * SIG_MS);
	test_expect_ok(kill(child, SIGSTOP), "stop");
	test_expect_eq(waitpid(child, &status, WUNTRACED), child, "wait stop");
	test_assert_msg(WIFSTOPPED(status), "status 0x%x: not stopped", status);
	test_expect_ok(kill(child, SIGCONT), "continue");
	test_sleep_ns(20 * SIG_MS);
	test_expect_eq(write(p[1], "y", 1), 1, "write");
	test_expect_exit(child, 0, "reader");
}

/* nanosleep interrupted: EINTR and the time left. */
static void
t_restart_nanosleep(void)
{
	struct timespec req = { 2, 0 }, rem = { 0, 0 };
	pid_t k;

	sig_handle(SIGUSR1, count, SA_RESTART); /* nanosleep never restarts */
	k = sig_send_later(SIGUSR1, 50);
	test_expect_errno(nanosleep(&req, &rem), EINTR, "nanosleep");
	test_assert_msg(rem.tv_sec == 1 && rem.tv_nsec > 0,
	    "time left %ld.%09ld, expected between 1 and 2 s", (long)rem.tv_sec,
	    rem.tv_nsec);
	test_expect_exit(k, 0, "sender");
}

/* sigsuspend: waits with a temporary mask; the old one is back after. */
static void
t_restart_sigsuspend(void)
{
	sigset_t none, cur;
	pid_t k;

	sig_handle(SIGUSR1, count, 0);
	sig_block(SIGUSR1);
	k = sig_send_later(SIGUSR1, 30);
	sigemptyset(&none);
	test_expect_errno(sigsuspend(&none), EINTR, "sigsuspend");
	test_expect_eq(hits, 1, "handler ran");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	test_expect_eq(sigismember(&cur, SIGUSR1), 1, "mask restored");
	test_expect_exit(k, 0, "sender");
}

/* pause returns after a handler runs. */
static void
t_restart_pause(void)
{
	pid_t k;

	sig_handle(SIGUSR2, count, SA_RESTART); /* pause never restarts */
	k = sig_send_later(SIGUSR2, 30);
	test_expect_errno(pause(), EINTR, "pause");
	test_expect_eq(hits, 1, "handler ran");
	test_expect_exit(k, 0, "sender");
}

/* sigtimedwait and sigwait take a blocked signal without its handler. */
static void
t_restart_sigtimedwait(void)
{
	struct timespec ts = { 0, 50 * SIG_MS };
	siginfo_t si;
	sigset_t set;
	int sig = 0;
	pid_t k;

	sig_handle(SIGUSR2, count, 0);
	sig_block(SIGUSR2);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	test_expect_errno(sigtimedwait(&set, &si, &ts), EAGAIN, "timeout");
	k = sig_send_later(SIGUSR2, 30);
	test_expect_eq(sigwaitinfo(&set, &si), SIGUSR2, "sigwaitinfo");
	test_expect_eq(si.si_pid, k, "si_pid is the sender");
	test_expect_eq(si.si_code, SI_USER, "si_code");
	test_expect_exit(k, 0, "sender");
	raise(SIGUSR2);
	test_expect_eq(sigwait(&set, &sig), 0, "sigwait");
	test_expect_eq(sig, SIGUSR2, "sigwait's signal");
	test_expect_eq(hits, 0, "the handler never ran");
	ts.tv_nsec = -1;
	test_expect_errno(sigtimedwait(&set, &si, &ts), EINVAL, "bad timeout");
}

/* A signal outside the waited set with a handler ends sigtimedwait. */
static void
t_restart_sigtimedwait_eintr(void)
{
	struct timespec ts = { 5, 0 };
	siginfo_t si;
	sigset_t set;
	pid_t k;

	sig_handle(SIGUSR1, count, SA_RESTART);
	sig_block(SIGUSR2);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	k = sig_send_later(SIGUSR1, 30);
	/* The call itself: musl's sigtimedwait retries on EINTR. */
	test_expect_errno(syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 8),
	    EINTR, "interrupted");
	test_expect_eq(hits, 1, "handler ran");
	test_expect_exit(k, 0, "sender");
}

/* A write into a full pipe interrupted: the bytes that went in. */
static void
t_restart_write_partial(void)
{
	static char buf[256 * 1024];
	int p[2];
	ssize_t r;
	pid_t k;

	test_pipe(p);
	sig_handle(SIGUSR1, count, 0);
	k = sig_send_later(SIGUSR1, 50);
	r = write(p[1], buf, sizeof(buf));
	test_assert_msg(r > 0 && r < (ssize_t)sizeof(buf),
	    "write returned %ld, expected a partial count", (long)r);
	test_expect_eq(hits, 1, "handler ran");
	test_expect_exit(k, 0, "sender");
}

const struct test sig_restart_tests[] = {
	{ "restart_read_eintr", t_restart_read_eintr, NULL },
	{ "restart_read_restarts", t_restart_read_restarts, NULL },
	{ "restart_wait", t_restart_wait, NULL },
	{ "restart_after_stop", t_restart_after_stop, NULL },
	{ "restart_nanosleep", t_restart_nanosleep, NULL },
	{ "restart_sigsuspend", t_restart_sigsuspend, NULL },
	{ "restart_pause", t_restart_pause, NULL },
	{ "restart_sigtimedwait", t_restart_sigtimedwait, NULL },
	{ "restart_sigtimedwait_eintr", t_restart_sigtimedwait_eintr, NULL },
	{ "restart_write_partial", t_restart_write_partial, NULL },
	{ NULL, NULL, NULL },
};
