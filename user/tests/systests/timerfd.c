/*
 * timerfd.c: timerfd_create (283), timerfd_settime (286) and
 * timerfd_gettime (287) through musl's functions.  Times are checked
 * from below only (a timer never expires early), with generous upper
 * bounds, so that a busy host cannot fail them.
 *
 *   - timerfd_oneshot: a relative timer: gettime counts down, a read
 *     waits for the expiry and returns 1, then the timer is off;
 *   - timerfd_periodic: a period: a read after several returns them
 *     all, and gettime gives the period;
 *   - timerfd_abstime: TFD_TIMER_ABSTIME on CLOCK_MONOTONIC waits until
 *     then; a time already past expires at once (CLOCK_REALTIME);
 *   - timerfd_disarm: a zero it_value disarms, and drops the
 *     expirations not yet read; old_value gives the previous setting;
 *   - timerfd_poll: poll and epoll without a time limit wake when the
 *     timer expires (nothing else wakes them);
 *   - timerfd_errors: EINVAL (clock, flags, times, a file that is not a
 *     timerfd, a buffer under 8 bytes, write), EBADF, EFAULT, EAGAIN
 *     with TFD_NONBLOCK; lseek stays at 0, as Linux's;
 *   - timerfd_flags: TFD_CLOEXEC, F_GETFL, fstat's anonymous inode.
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LONG_NS (2000 * SYS_MS) /* far more than any test waits */

static int
tfd_new(int clock, int flags)
{
	int fd = timerfd_create(clock, flags);

	test_expect_ok(fd, "timerfd_create");
	return fd;
}

static struct timespec
ns_ts(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL),
		(long)(ns % 1000000000ULL) };

	return ts;
}

static uint64_t
ts_ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Arm fd: first expiry value ns (relative, or absolute with flags), period. */
static void
tfd_set(int fd, int flags, uint64_t value, uint64_t interval)
{
	struct itimerspec its = { ns_ts(interval), ns_ts(value) };

	test_expect_ok(timerfd_settime(fd, flags, &its, NULL), "settime");
}

static uint64_t
tfd_read(int fd)
{
	uint64_t n = 0;

	test_expect_eq(read(fd, &n, sizeof(n)), sizeof(n), "read 8 bytes");
	return n;
}

static void
t_timerfd_oneshot(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, 0);
	struct itimerspec cur;
	uint64_t t0 = test_now_ns(), waited;

	tfd_set(fd, 0, 60 * SYS_MS, 0);
	test_expect_ok(timerfd_gettime(fd, &cur), "gettime");
	test_assert(
	    ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 60 * SYS_MS);
	test_expect_eq(ts_ns(cur.it_interval), 0, "no period");
	test_expect_eq(tfd_read(fd), 1, "one expiry");
	waited = test_now_ns() - t0;
	test_assert_msg(waited >= 60 * SYS_MS && waited < LONG_NS,
	    "waited %llu ns", (unsigned long long)waited);
	test_expect_ok(timerfd_gettime(fd, &cur), "gettime");
	test_expect_eq(ts_ns(cur.it_value), 0, "off after expiring");
}

static void
t_timerfd_periodic(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, 0);
	struct itimerspec cur;
	uint64_t n;

	tfd_set(fd, 0, 20 * SYS_MS, 20 * SYS_MS);
	test_sleep_ns(110 * SYS_MS);
	n = tfd_read(fd);
	test_assert_msg(n >= 5 && n < LONG_NS / (20 * SYS_MS),
	    "%llu expirations in 110 ms", (unsigned long long)n);
	test_expect_ok(timerfd_gettime(fd, &cur), "gettime");
	test_expect_eq(ts_ns(cur.it_interval), 20 * SYS_MS, "the period");
	test_assert(
	    ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20 * SYS_MS);
	test_assert(tfd_read(fd) >= 1); /* the next expiry */
}

static void
t_timerfd_abstime(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, 0), rt;
	struct timespec now;
	uint64_t t0;

	t0 = test_now_ns(); /* CLOCK_MONOTONIC, at most now */
	test_expect_ok(clock_gettime(CLOCK_MONOTONIC, &now), "clock_gettime");
	tfd_set(fd, TFD_TIMER_ABSTIME, ts_ns(now) + 50 * SYS_MS, 0);
	test_expect_eq(tfd_read(fd), 1, "one expiry");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);

	rt = tfd_new(CLOCK_REALTIME, TFD_NONBLOCK);
	tfd_set(rt, TFD_TIMER_ABSTIME, 1000000000ULL, 0); /* 1970 */
	test_expect_eq(tfd_read(rt), 1, "an absolute time past");
	tfd_set(rt, TFD_TIMER_ABSTIME, 1000000000ULL, 1000000000ULL);
	test_assert(tfd_read(rt) > 1000000000ULL); /* every second since */
}

static void
t_timerfd_disarm(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec old, off = { { 0, 0 }, { 0, 0 } }, cur;
	struct pollfd p = { fd, POLLIN, 0 };
	uint64_t n;

	tfd_set(fd, 0, 1, 0); /* 1 ns: expired by the next look */
	test_sleep_ns(5 * SYS_MS);
	test_expect_eq(poll(&p, 1, 0), 1, "expired");
	tfd_set(fd, 0, 300 * SYS_MS, 10 * SYS_MS);
	test_expect_errno(read(fd, &n, sizeof(n)), EAGAIN,
	    "the expiry before the new setting is dropped");
	test_expect_ok(timerfd_settime(fd, 0, &off, &old), "disarm");
	test_expect_eq(ts_ns(old.it_interval), 10 * SYS_MS, "old period");
	test_assert(
	    ts_ns(old.it_value) > 0 && ts_ns(old.it_value) <= 300 * SYS_MS);
	test_expect_ok(timerfd_gettime(fd, &cur), "gettime");
	test_expect_eq(ts_ns(cur.it_value), 0, "off");
	test_expect_eq(ts_ns(cur.it_interval), 0, "no period");
	test_expect_eq(poll(&p, 1, 60), 0, "never expires");
}

static void
t_timerfd_poll(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, 0), ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 }, out;
	struct pollfd p = { fd, POLLIN, 0 };
	uint64_t t0 = test_now_ns();

	test_expect_ok(ep, "epoll_create1");
	tfd_set(fd, 0, 50 * SYS_MS, 0);
	test_expect_eq(poll(&p, 1, -1), 1, "poll wakes at the expiry");
	test_expect_eq(p.revents, POLLIN, "POLLIN");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);
	test_expect_eq(tfd_read(fd), 1, "read");
	test_expect_eq(poll(&p, 1, 0), 0, "read: not ready");

	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "EPOLL_CTL_ADD");
	t0 = test_now_ns();
	tfd_set(fd, 0, 50 * SYS_MS, 0);
	test_expect_eq(epoll_wait(ep, &out, 1, -1), 1,
	    "epoll_wait wakes at the expiry");
	test_expect_eq(out.data.u64, 5, "its data");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);
}

static void
t_timerfd_errors(void)
{
	int fd = tfd_new(CLOCK_MONOTONIC, TFD_NONBLOCK), p[2];
	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;
	char buf[16];

	test_pipe(p);
	test_expect_errno(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL,
	    "a CPU-time clock");
	test_expect_errno(timerfd_create(-1, 0), EINVAL, "clock -1");
	test_expect_errno(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL,
	    "an unknown flag");
	test_expect_errno(timerfd_settime(fd, 4, &its, NULL), EINVAL,
	    "an unknown settime flag");
	its.it_value.tv_nsec = 1000000000;
	test_expect_errno(timerfd_settime(fd, 0, &its, NULL), EINVAL,
	    "tv_nsec of 10^9");
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = -1;
	test_expect_errno(timerfd_settime(fd, 0, &its, NULL), EINVAL,
	    "a negative period");
	its.it_interval.tv_sec = 0;
	test_expect_errno(timerfd_settime(fd, 0, (void *)8, NULL), EFAULT,
	    "an unreadable setting");
	test_expect_errno(timerfd_settime(-1, 4, (void *)8, NULL), EFAULT,
	    "the setting read first");
	test_expect_errno(timerfd_settime(-1, 0, &its, NULL), EBADF, "fd -1");
	test_expect_errno(timerfd_settime(p[0], 0, &its, NULL), EINVAL,
	    "a pipe");
	test_expect_errno(timerfd_gettime(p[0], &cur), EINVAL,
	    "gettime, a pipe");
	test_expect_errno(timerfd_gettime(99, &cur), EBADF, "gettime, fd 99");
	test_expect_errno(timerfd_gettime(fd, (void *)8), EFAULT,
	    "gettime, an unwritable result");
	test_expect_errno(read(fd, buf, 7), EINVAL, "a buffer of 7 bytes");
	test_expect_errno(read(fd, buf, 8), EAGAIN, "disarmed");
	test_expect_errno(write(fd, buf, 8), EINVAL, "write");
	test_expect_eq(lseek(fd, 0, SEEK_END), 0, "lseek: 0, as Linux's");
}

static void
t_timerfd_flags(void)
{
	int fd = tfd_new(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	int fd2 = tfd_new(CLOCK_BOOTTIME, 0);
	struct stat st;

	test_expect_eq(fcntl(fd, F_GETFD), FD_CLOEXEC, "TFD_CLOEXEC");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "F_GETFL");
	test_expect_eq(fcntl(fd2, F_GETFD), 0, "no FD_CLOEXEC");
	test_expect_eq(fcntl(fd2, F_GETFL), O_RDWR, "F_GETFL, blocking");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_mode & S_IFMT, 0, "no file type");
	test_expect_eq(st.st_mode & 07777, 0600, "mode 0600");
}

const struct test sys_timerfd_tests[] = {
	{ "timerfd_oneshot", t_timerfd_oneshot, NULL },
	{ "timerfd_periodic", t_timerfd_periodic, NULL },
	{ "timerfd_abstime", t_timerfd_abstime, NULL },
	{ "timerfd_disarm", t_timerfd_disarm, NULL },
	{ "timerfd_poll", t_timerfd_poll, NULL },
	{ "timerfd_errors", t_timerfd_errors, NULL },
	{ "timerfd_flags", t_timerfd_flags, NULL },
	{ NULL, NULL, NULL },
};
