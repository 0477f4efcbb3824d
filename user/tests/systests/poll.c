/*
 * poll.c: poll (7), ppoll (271), select (23) and pselect6 (270), through
 * musl's poll, ppoll, select and pselect.
 *
 *   - a pipe's read end is readable once written to, and hung up
 *     (POLLHUP) once the write end is closed; the write end is in error
 *     (POLLERR) once the read end is closed; a full pipe is not
 *     writable, and is again after a read;
 *   - timeouts: 0 looks once, a positive one waits that long, -1 waits
 *     until another process writes;
 *   - an fd that is not open is POLLNVAL for poll and EBADF for select;
 *     nfds above RLIMIT_NOFILE is EINVAL;
 *   - regular files are always ready;
 *   - ppoll and pselect put the caller's signal mask back;
 *   - two processes passing a byte back and forth 2000 times, each
 *     waiting in poll or select without a time limit: no wakeup is lost
 *     (run with 4 CPUs).
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

static short
poll1(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0x7777 };
	int n = poll(&p, 1, timeout);

	test_expect_ok(n, "poll");
	test_assert_msg((n == 0) == (p.revents == 0),
	    "poll returned %d with "
	    "revents %#x",
	    n, p.revents);
	return p.revents;
}

static void
t_poll_pipe(void)
{
	int p[2];
	char c = 'x';

	test_expect_ok(pipe(p), "pipe");
	test_expect_eq(poll1(p[0], POLLIN, 0), 0, "an empty pipe");
	test_expect_eq(poll1(p[1], POLLOUT, 0), POLLOUT, "its write end");
	test_expect_eq(write(p[1], &c, 1), 1, "write");
	test_expect_eq(poll1(p[0], POLLIN | POLLRDNORM, 0), POLLIN | POLLRDNORM,
	    "readable after a write");
	test_expect_eq(poll1(p[0], POLLOUT, 0), 0, "the read end for writing");
	test_expect_eq(read(p[0], &c, 1), 1, "read");
	test_expect_eq(poll1(p[0], POLLIN, 0), 0, "empty again");
	close(p[1]);
	test_expect_eq(poll1(p[0], POLLIN, 0), POLLHUP, "POLLHUP after close");
	test_expect_eq(poll1(p[0], 0, 0), POLLHUP,
	    "POLLHUP is always reported");
	close(p[0]);

	test_expect_ok(pipe(p), "pipe");
	close(p[0]);
	test_assert((poll1(p[1], POLLOUT, 0) & POLLERR) != 0);
	close(p[1]);
}

static void
t_poll_full(void)
{
	static char buf[4096];
	int p[2], chunks = 0;

	test_expect_ok(pipe(p), "pipe");
	while (chunks < 64 && poll1(p[1], POLLOUT, 0) == POLLOUT) {
		test_expect_eq(write(p[1], buf, sizeof(buf)), sizeof(buf),
		    "a write poll said would not wait");
		chunks++;
	}
	test_assert_msg(chunks >= 1 && chunks < 64, "%d chunks", chunks);
	test_expect_eq(poll1(p[1], POLLOUT, 50), 0, "a full pipe");
	test_expect_eq(read(p[0], buf, sizeof(buf)), sizeof(buf), "read");
	test_expect_eq(poll1(p[1], POLLOUT, 0), POLLOUT, "room again");
}

static void
t_poll_timeout(void)
{
	int p[2];
	uint64_t t0;
	struct pollfd none;

	test_expect_ok(pipe(p), "pipe");
	t0 = test_now_ns();
	test_expect_eq(poll1(p[0], POLLIN, 100), 0, "a timeout");
	test_assert(test_now_ns() - t0 >= 100 * SYS_MS);
	t0 = test_now_ns();
	test_expect_eq(poll(&none, 0, 50), 0, "poll of nothing sleeps");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);
}

static void
t_poll_wait(void)
{
	struct pollfd fds[3];
	int a[2], b[2];
	pid_t pid;
	char c = 'y';

	test_expect_ok(pipe(a), "pipe");
	test_expect_ok(pipe(b), "pipe");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		test_sleep_ns(100 * SYS_MS);
		test_expect_eq(write(b[1], &c, 1), 1, "the child's write");
		_exit(0);
	}
	fds[0] = (struct pollfd) { a[0], POLLIN, 0 };
	fds[1] = (struct pollfd) { -1, POLLIN, 0x55 };
	fds[2] = (struct pollfd) { b[0], POLLIN, 0 };
	test_expect_eq(poll(fds, 3, -1), 1, "poll until the child writes");
	test_expect_eq(fds[0].revents, 0, "the other pipe");
	test_expect_eq(fds[1].revents, 0, "a negative fd");
	test_expect_eq(fds[2].revents, POLLIN, "the pipe written to");
	test_expect_exit(pid, 0, "the child");
}

static void
t_poll_errors(void)
{
	struct pollfd fds[17];
	struct rlimit rl = { 16, 16 };
	int fd;

	test_expect_eq(poll1(99, POLLIN, 0), POLLNVAL, "an fd not open");
	fd = open(test_self, O_RDONLY);
	test_expect_ok(fd, "open");
	test_expect_eq(poll1(fd, POLLIN | POLLOUT, -1), POLLIN | POLLOUT,
	    "a regular file");
	test_expect_errno(poll((void *)8, 1, 0), EFAULT, "a bad pointer");
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 16");
	for (int i = 0; i < 17; i++)
		fds[i] = (struct pollfd) { -1, 0, 0 };
	test_expect_errno(poll(fds, 17, 0), EINVAL, "nfds above RLIMIT_NOFILE");
	test_expect_eq(poll(fds, 16, 0), 0, "nfds at RLIMIT_NOFILE");
}

static void
t_ppoll(void)
{
	struct timespec ts = { 0, 50 * SYS_MS };
	sigset_t mask, old, now;
	struct pollfd fd;
	int p[2];
	uint64_t t0;

	test_expect_ok(pipe(p), "pipe");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	/* The kernel writes 8 bytes of musl's 128-byte sigset_t. */
	memset(&old, 0, sizeof(old));
	memset(&now, 0, sizeof(now));
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &old), "sigprocmask");
	fd = (struct pollfd) { p[0], POLLIN, 0 };
	t0 = test_now_ns();
	test_expect_eq(ppoll(&fd, 1, &ts, &mask), 0, "ppoll times out");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &now), "sigprocmask");
	test_assert_msg(memcmp(&old, &now, sizeof(old)) == 0,
	    "the mask did not come back");
	test_expect_eq(write(p[1], "z", 1), 1, "write");
	test_expect_eq(ppoll(&fd, 1, NULL, NULL), 1, "ppoll readable");
	test_expect_eq(fd.revents, POLLIN, "revents");
	ts.tv_nsec = 1000000000;
	test_expect_errno(ppoll(&fd, 1, &ts, NULL), EINVAL, "tv_nsec 1e9");
}

static void
t_select(void)
{
	struct timeval tv = { 0, 100000 };
	fd_set r, w;
	int p[2];
	uint64_t t0;

	test_expect_ok(pipe(p), "pipe");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	t0 = test_now_ns();
	test_expect_eq(select(p[0] + 1, &r, NULL, NULL, &tv), 0,
	    "select times out");
	test_assert(test_now_ns() - t0 >= 100 * SYS_MS);
	test_assert(!FD_ISSET(p[0], &r));
	/* The kernel stores the time left (musl's select passes a copy). */
	tv = (struct timeval) { 0, 30000 };
	FD_SET(p[0], &r);
	test_expect_eq(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0,
	    "the raw select");
	test_expect_eq(tv.tv_sec + tv.tv_usec, 0, "no time left");

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	test_expect_eq(select(p[1] + 1, &r, &w, NULL, NULL), 1,
	    "the write end is writable");
	test_assert(FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &r));
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval) { 5, 0 };
	test_expect_eq(select(p[0] + 1, &r, NULL, NULL, &tv), 1,
	    "readable after a write");
	test_assert(FD_ISSET(p[0], &r));

	/* The write end closed: readable (end of file). */
	close(p[1]);
	test_expect_eq(read(p[0], (char[1]) { 0 }, 1), 1, "read");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	test_expect_eq(select(p[0] + 1, &r, NULL, NULL, NULL), 1,
	    "readable at end of file");

	FD_ZERO(&r);
	FD_SET(p[1], &r);
	tv = (struct timeval) { 0, 0 };
	test_expect_errno(select(p[1] + 1, &r, NULL, NULL, &tv), EBADF,
	    "a closed fd");
	test_expect_errno(select(-1, NULL, NULL, NULL, &tv), EINVAL, "nfds -1");
	/* The raw call: whole seconds in tv_usec carry, a negative one fails. */
	tv.tv_usec = -1;
	test_expect_errno(syscall(SYS_select, 0, NULL, NULL, NULL, &tv), EINVAL,
	    "tv_usec -1");
	tv.tv_usec = 1000000 + 20000;
	t0 = test_now_ns();
	test_expect_eq(syscall(SYS_select, 0, NULL, NULL, NULL, &tv), 0,
	    "tv_usec 1020000");
	test_assert(test_now_ns() - t0 >= 1000 * SYS_MS);
}

static void
t_pselect(void)
{
	struct timespec ts = { 0, 50 * SYS_MS };
	sigset_t mask, old, now;
	fd_set r;
	int p[2];

	test_expect_ok(pipe(p), "pipe");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	memset(&old, 0, sizeof(old));
	memset(&now, 0, sizeof(now));
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &old), "sigprocmask");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	test_expect_eq(pselect(p[0] + 1, &r, NULL, NULL, &ts, &mask), 0,
	    "pselect times out");
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &now), "sigprocmask");
	test_assert(memcmp(&old, &now, sizeof(old)) == 0);
	test_expect_eq(write(p[1], "b", 1), 1, "write");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	test_expect_eq(pselect(p[0] + 1, &r, NULL, NULL, NULL, &mask), 1,
	    "pselect readable");
	test_assert(FD_ISSET(p[0], &r));
}

/*
 * Wait with poll (or select) until fd is readable, then read a byte.
 * The waits are without a time limit: a lost wakeup hangs the test.
 */
static void
pong_recv(int fd, int use_select)
{
	char c;

	if (use_select) {
		fd_set r;

		FD_ZERO(&r);
		FD_SET(fd, &r);
		test_expect_eq(select(fd + 1, &r, NULL, NULL, NULL), 1,
		    "select");
	} else {
		struct pollfd p = { fd, POLLIN, 0 };

		test_expect_eq(poll(&p, 1, -1), 1, "poll");
	}
	test_expect_eq(read(fd, &c, 1), 1, "read");
}

static void
pingpong(int use_select)
{
	int a[2], b[2], rounds = 2000;
	pid_t pid;

	test_expect_ok(pipe(a), "pipe");
	test_expect_ok(pipe(b), "pipe");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		for (int i = 0; i < rounds; i++) {
			pong_recv(a[0], use_select);
			test_expect_eq(write(b[1], "p", 1), 1, "write");
		}
		_exit(0);
	}
	for (int i = 0; i < rounds; i++) {
		test_expect_eq(write(a[1], "p", 1), 1, "write");
		pong_recv(b[0], !use_select);
	}
	test_expect_exit(pid, 0, "the child");
}

/* Two processes pass a byte back and forth, each waiting in poll. */
static void
t_poll_pingpong(void)
{
	pingpong(0);
}

/* The same with select in the child and poll in the parent. */
static void
t_select_pingpong(void)
{
	pingpong(1);
}

const struct test sys_poll_tests[] = {
	{ "poll_pipe", t_poll_pipe, NULL },
	{ "poll_full", t_poll_full, NULL },
	{ "poll_timeout", t_poll_timeout, NULL },
	{ "poll_wait", t_poll_wait, NULL },
	{ "poll_errors", t_poll_errors, NULL },
	{ "ppoll", t_ppoll, NULL },
	{ "select", t_select, NULL },
	{ "pselect", t_pselect, NULL },
	{ "poll_pingpong", t_poll_pingpong, NULL },
	{ "select_pingpong", t_select_pingpong, NULL },
	{ NULL, NULL, NULL },
};
