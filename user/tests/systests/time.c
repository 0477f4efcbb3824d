/*
 * time.c: the clocks and the sleeps: clock_gettime (228) on every clock
 * Linux has for a process, clock_getres (229), gettimeofday (96), time
 * (201), nanosleep (35), clock_nanosleep (230) relative and absolute,
 * restart_syscall (219) with nothing to restart.
 */

#include "sys.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static uint64_t
ts_ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	test_expect_ok(clock_gettime(c, &ts), "clock_gettime");
	test_assert(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	return ts_ns(ts);
}

static void
t_clock_getres(void)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
		CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
		CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME };
	struct timespec ts;

	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		test_expect_ok(clock_getres(clocks[i], &ts), "clock_getres");
		test_assert_msg(ts.tv_sec == 0 && ts.tv_nsec > 0 &&
			ts.tv_nsec <= 10000000,
		    "clock %d: resolution %ld.%09ld", clocks[i],
		    (long)ts.tv_sec, ts.tv_nsec);
		clock_ns(clocks[i]);
	}
	test_expect_ok(clock_getres(CLOCK_MONOTONIC, &ts), "clock_getres");
	test_expect_eq(ts.tv_nsec, 1, "CLOCK_MONOTONIC's resolution");
	test_expect_ok(clock_getres(CLOCK_REALTIME, NULL), "a NULL res");
	test_expect_errno(clock_getres(100, &ts), EINVAL, "clock 100");
	test_expect_errno(clock_gettime(100, &ts), EINVAL, "clock 100");
}

static void
t_clock_agree(void)
{
	struct timeval tv;
	uint64_t m0, raw, boot, m1, rt;
	time_t t;

	m0 = clock_ns(CLOCK_MONOTONIC);
	raw = clock_ns(CLOCK_MONOTONIC_RAW);
	boot = clock_ns(CLOCK_BOOTTIME);
	m1 = clock_ns(CLOCK_MONOTONIC);
	test_assert(m1 >= m0);
	test_assert(boot + 1000 >= m0);
	test_assert(raw + 1000000000ULL >= m0 && raw <= m1 + 1000000000ULL);
	raw = clock_ns(CLOCK_MONOTONIC_COARSE);
	test_assert(raw + 20 * SYS_MS >= m1);
	test_assert(raw <= clock_ns(CLOCK_MONOTONIC));
	rt = clock_ns(CLOCK_REALTIME);
	t = time(NULL);
	test_expect_ok(gettimeofday(&tv, NULL), "gettimeofday");
	test_assert(rt / 1000000000ULL >= 1577836800); /* after 2020 */
	test_assert((uint64_t)t + 1 >= rt / 1000000000ULL);
	test_assert((uint64_t)t <= rt / 1000000000ULL + 2);
	test_assert(tv.tv_sec >= t && tv.tv_sec <= t + 2);
	test_assert(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	test_assert(
	    clock_ns(CLOCK_REALTIME_COARSE) / 1000000000ULL + 1 >= (uint64_t)t);
	test_expect_eq(syscall(SYS_time, (void *)8), -1,
	    "time to a bad pointer");
	test_expect_eq(errno, EFAULT, "time to a bad pointer");
}

static void
t_nanosleep(void)
{
	struct timespec req = { 0, 30 * SYS_MS }, rem = { 7, 7 };
	uint64_t t0 = test_now_ns();

	test_expect_ok(nanosleep(&req, &rem), "nanosleep");
	test_assert(test_now_ns() - t0 >= 30 * SYS_MS);
	test_expect_eq(rem.tv_sec, 7, "rem untouched");
	req.tv_nsec = 1000000000;
	test_expect_errno(nanosleep(&req, NULL), EINVAL, "tv_nsec 1e9");
	req.tv_sec = -1;
	req.tv_nsec = 0;
	test_expect_errno(nanosleep(&req, NULL), EINVAL, "tv_sec -1");
}

static void
t_clock_nanosleep(void)
{
	struct timespec ts;
	uint64_t t0, d;

	/* Relative, on CLOCK_MONOTONIC. */
	ts.tv_sec = 0;
	ts.tv_nsec = 30 * SYS_MS;
	t0 = clock_ns(CLOCK_MONOTONIC);
	test_expect_eq(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), 0,
	    "relative clock_nanosleep");
	test_assert(clock_ns(CLOCK_MONOTONIC) - t0 >= 30 * SYS_MS);

	/* Absolute, on CLOCK_MONOTONIC and CLOCK_REALTIME. */
	d = clock_ns(CLOCK_MONOTONIC) + 50 * SYS_MS;
	ts.tv_sec = d / 1000000000ULL;
	ts.tv_nsec = d % 1000000000ULL;
	test_expect_eq(
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL), 0,
	    "absolute clock_nanosleep");
	test_assert(clock_ns(CLOCK_MONOTONIC) >= d);
	d = clock_ns(CLOCK_REALTIME) + 50 * SYS_MS;
	ts.tv_sec = d / 1000000000ULL;
	ts.tv_nsec = d % 1000000000ULL;
	test_expect_eq(
	    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL), 0,
	    "absolute clock_nanosleep on CLOCK_REALTIME");
	test_assert(clock_ns(CLOCK_REALTIME) >= d);
	d = clock_ns(CLOCK_BOOTTIME) + 20 * SYS_MS;
	ts.tv_sec = d / 1000000000ULL;
	ts.tv_nsec = d % 1000000000ULL;
	test_expect_eq(
	    clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &ts, NULL), 0,
	    "absolute clock_nanosleep on CLOCK_BOOTTIME");

	/* A time already past returns at once. */
	ts.tv_sec = 1;
	ts.tv_nsec = 0;
	t0 = test_now_ns();
	test_expect_eq(
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL), 0,
	    "a past deadline");
	test_assert(test_now_ns() - t0 < 1000 * SYS_MS);

	/* The process's CPU clock: a time already reached returns at once. */
	d = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	ts.tv_sec = d / 1000000000ULL;
	ts.tv_nsec = d % 1000000000ULL;
	test_expect_eq(
	    clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &ts, NULL),
	    0, "a CPU time already reached");
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	test_expect_eq(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts, NULL),
	    0, "no CPU time to wait for");
	test_expect_eq(clock_nanosleep(CLOCK_MONOTONIC_COARSE, 0, &ts, NULL),
	    EOPNOTSUPP, "CLOCK_MONOTONIC_COARSE");
	ts.tv_sec = 1;

	/* Errors come back as the result (musl), not in errno. */
	test_expect_eq(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL),
	    EINVAL, "sleeping on the thread's CPU clock");
	test_expect_eq(clock_nanosleep(100, 0, &ts, NULL), EINVAL, "clock 100");
	ts.tv_nsec = -1;
	test_expect_eq(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), EINVAL,
	    "tv_nsec -1");
}

static void
t_restart_syscall(void)
{
	test_expect_raw_errno(test_raw0(SYS_restart_syscall), EINTR,
	    "restart_syscall with nothing to restart");
}

/*
 * clock_settime (227) and settimeofday (164): CLOCK_REALTIME moves, for
 * the system calls and the vDSO alike, and CLOCK_MONOTONIC does not; the
 * timezone comes back from gettimeofday; Linux's errors.  The clock is
 * put back as it was, plus the time the test took.  settimeofday is the
 * system call itself: musl's calls clock_settime, and drops the zone.
 */
static void
t_clock_settime(void)
{
	struct timespec rt0, mono0, rt, mono, ts;
	struct timezone tz = { 60, 0 }, got;
	struct timeval tv;
	int64_t off = 1000LL * 1000000000; /* 1000 s ahead */
	pid_t pid;

	test_expect_ok(clock_gettime(CLOCK_REALTIME, &rt0), "realtime");
	test_expect_ok(clock_gettime(CLOCK_MONOTONIC, &mono0), "monotonic");
	ts.tv_sec = rt0.tv_sec + 1000;
	ts.tv_nsec = rt0.tv_nsec;
	test_expect_ok(clock_settime(CLOCK_REALTIME, &ts), "1000 s ahead");
	test_expect_ok(clock_gettime(CLOCK_REALTIME, &rt), "realtime");
	test_expect_ok(clock_gettime(CLOCK_MONOTONIC, &mono), "monotonic");
	test_assert_msg((int64_t)(ts_ns(rt) - ts_ns(rt0)) >= off &&
		(int64_t)(ts_ns(rt) - ts_ns(rt0)) < off + 5000000000LL,
	    "realtime moved %lld ns",
	    (long long)((int64_t)(ts_ns(rt) - ts_ns(rt0))));
	test_assert_msg((int64_t)(ts_ns(mono) - ts_ns(mono0)) < 5000000000LL,
	    "monotonic moved %lld ns",
	    (long long)((int64_t)(ts_ns(mono) - ts_ns(mono0))));
	test_expect_ok(gettimeofday(&tv, NULL), "gettimeofday");
	test_assert_msg(tv.tv_sec >= ts.tv_sec, "gettimeofday's %ld < %ld",
	    (long)tv.tv_sec, (long)ts.tv_sec);
	test_assert_msg(time(NULL) >= ts.tv_sec, "time() behind");
	/* Back, with the time since: realtime - 1000 s. */
	test_expect_ok(clock_gettime(CLOCK_REALTIME, &rt), "realtime");
	rt.tv_sec -= 1000;
	test_expect_ok(clock_settime(CLOCK_REALTIME, &rt), "back");

	test_expect_ok(syscall(SYS_settimeofday, NULL, &tz),
	    "settimeofday's timezone");
	test_expect_ok(syscall(SYS_gettimeofday, &tv, &got), "gettimeofday");
	test_expect_eq(got.tz_minuteswest, 60, "the timezone");
	tz.tz_minuteswest = 0;
	test_expect_ok(syscall(SYS_settimeofday, NULL, &tz),
	    "the timezone back");
	test_expect_ok(gettimeofday(&tv, NULL), "gettimeofday");
	test_expect_ok(syscall(SYS_settimeofday, &tv, NULL),
	    "settimeofday to now");

	test_expect_errno(clock_settime(CLOCK_MONOTONIC, &rt), EINVAL,
	    "CLOCK_MONOTONIC");
	ts = rt;
	ts.tv_nsec = 1000000000;
	test_expect_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
	    "tv_nsec 10^9");
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	test_expect_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
	    "a negative time");
	ts.tv_sec = 0;
	test_expect_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
	    "1970, before the boot");
	test_expect_errno(clock_settime(CLOCK_REALTIME, (void *)8), EFAULT,
	    "a bad pointer");
	tv.tv_usec = 1000000;
	test_expect_errno(syscall(SYS_settimeofday, &tv, NULL), EINVAL,
	    "tv_usec 10^6");
	tz.tz_minuteswest = 15 * 60 + 1;
	test_expect_errno(syscall(SYS_settimeofday, NULL, &tz), EINVAL,
	    "15 hours 1 minute");
	pid = test_fork();
	if (pid == 0) {
		test_expect_ok(setresuid(9, 9, 9), "setresuid");
		test_expect_ok(clock_gettime(CLOCK_REALTIME, &ts), "realtime");
		test_expect_errno(clock_settime(CLOCK_REALTIME, &ts), EPERM,
		    "clock_settime as uid 9");
		test_expect_errno(syscall(SYS_settimeofday, NULL, &tz), EPERM,
		    "a timezone as uid 9, before its range is checked");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
}

/*
 * A sleep until an absolute CLOCK_REALTIME time follows the clock: set
 * past its deadline, the sleeper wakes at once (an alarm ends it after
 * 20 seconds if not).  The clock goes back after.
 */
static void
t_clock_settime_wakes(void)
{
	struct timespec now, at;
	pid_t pid;

	test_expect_ok(clock_gettime(CLOCK_REALTIME, &now), "realtime");
	at = now;
	at.tv_sec += 100;
	pid = test_fork();
	if (pid == 0) {
		alarm(20);
		test_expect_eq(
		    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL),
		    0, "the sleep until 100 s ahead");
		_exit(0);
	}
	test_sleep_ns(200 * SYS_MS); /* let it sleep first */
	test_expect_ok(clock_gettime(CLOCK_REALTIME, &now), "realtime");
	now.tv_sec += 200;
	test_expect_ok(clock_settime(CLOCK_REALTIME, &now), "200 s ahead");
	test_expect_exit(pid, 0, "the sleeper");
	test_expect_ok(clock_gettime(CLOCK_REALTIME, &now), "realtime");
	now.tv_sec -= 200;
	test_expect_ok(clock_settime(CLOCK_REALTIME, &now), "back");
}

const struct test sys_time_tests[] = {
	{ "clock_getres", t_clock_getres, NULL },
	{ "clock_agree", t_clock_agree, NULL },
	{ "nanosleep", t_nanosleep, NULL },
	{ "clock_nanosleep", t_clock_nanosleep, NULL },
	{ "restart_syscall", t_restart_syscall, NULL },
	{ "clock_settime", t_clock_settime, NULL },
	{ "clock_settime_wakes", t_clock_settime_wakes, NULL },
	{ NULL, NULL, NULL },
};
