/*
 * alarm.c: the interval timers: alarm (37), setitimer (38) and
 * getitimer (36) for ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF.
 *
 *   - an unhandled SIGALRM ends the process (alarm and setitimer);
 *   - alarm returns the seconds left of the old timer, alarm(0) cancels;
 *   - setitimer and getitimer round trip, and a cancelled timer reads 0;
 *   - fork does not inherit the timer;
 *   - bad timevals are EINVAL;
 *   - ITIMER_VIRTUAL counts user time (SIGVTALRM), ITIMER_PROF all CPU
 *     time (SIGPROF); neither counts sleeping.
 */

#include "sys.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
sleep_forever(void)
{
	for (;;) {
		struct timespec ts = { 10, 0 };

		nanosleep(&ts, NULL);
	}
}

static void
alarm_child(void *arg)
{
	(void)arg;
	alarm(1);
	sleep_forever();
}

static void
t_alarm_kills(void)
{
	uint64_t t0 = test_now_ns(), dt;

	test_expect_child_signal(alarm_child, NULL, SIGALRM, "alarm(1)");
	dt = test_now_ns() - t0;
	test_assert_msg(dt >= 900 * SYS_MS && dt < 10000 * SYS_MS,
	    "SIGALRM came after %llu ms", (unsigned long long)(dt / SYS_MS));
}

static void
itimer_child(void *arg)
{
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };

	(void)arg;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0)
		_exit(3);
	sleep_forever();
}

static void
t_setitimer_kills(void)
{
	uint64_t t0 = test_now_ns(), dt;

	test_expect_child_signal(itimer_child, NULL, SIGALRM,
	    "setitimer 100 ms");
	dt = test_now_ns() - t0;
	test_assert_msg(dt >= 90 * SYS_MS && dt < 5000 * SYS_MS,
	    "SIGALRM came after %llu ms", (unsigned long long)(dt / SYS_MS));
}

static void
t_alarm_cancel(void)
{
	unsigned left;
	pid_t pid;

	test_expect_eq(alarm(10), 0, "the first alarm");
	test_expect_eq(alarm(20), 10, "alarm returns the seconds left");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		test_expect_eq(alarm(0), 0, "the child has no alarm");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	left = alarm(0);
	test_assert_msg(left == 20 || left == 19,
	    "alarm(0) returned %u, not the 20 s (rounded) left", left);
	test_expect_eq(alarm(0), 0, "nothing left");
	/* Sleeping past where it would have fired: still alive. */
	test_sleep_ns(50 * SYS_MS);
}

static void
t_itimer_roundtrip(void)
{
	struct itimerval it = { { 1, 500000 }, { 5, 0 } }, old, cur;

	test_expect_ok(setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	test_expect_ok(getitimer(ITIMER_REAL, &cur), "getitimer");
	test_expect_eq(cur.it_interval.tv_sec, 1, "interval seconds");
	test_expect_eq(cur.it_interval.tv_usec, 500000, "interval usec");
	test_assert_msg(cur.it_value.tv_sec == 4 ||
		(cur.it_value.tv_sec == 5 && cur.it_value.tv_usec == 0),
	    "value %ld.%06ld", (long)cur.it_value.tv_sec,
	    (long)cur.it_value.tv_usec);
	memset(&it, 0, sizeof(it));
	test_expect_ok(setitimer(ITIMER_REAL, &it, &old), "cancel");
	test_expect_eq(old.it_interval.tv_sec, 1, "the old interval");
	test_assert(old.it_value.tv_sec <= 5 && old.it_value.tv_sec >= 4);
	test_expect_ok(getitimer(ITIMER_REAL, &cur), "getitimer");
	test_expect_eq(cur.it_value.tv_sec + cur.it_value.tv_usec, 0, "off");
	test_expect_eq(alarm(0), 0, "alarm sees it off");

	it.it_value.tv_usec = 1000000;
	test_expect_errno(setitimer(ITIMER_REAL, &it, NULL), EINVAL,
	    "tv_usec 1000000");
	it.it_value.tv_usec = -1;
	test_expect_errno(setitimer(ITIMER_REAL, &it, NULL), EINVAL,
	    "tv_usec -1");
	test_expect_errno(getitimer(7, &cur), EINVAL, "getitimer(7)");
	test_expect_errno(syscall(SYS_getitimer, ITIMER_REAL, (void *)8),
	    EFAULT, "getitimer to a bad pointer");
}

/* Spin in user mode for ever. */
static void
spin_user(void)
{
	volatile uint64_t x = 0;

	for (;;)
		x++;
}

static void
virtual_child(void *arg)
{
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };

	(void)arg;
	if (setitimer(ITIMER_VIRTUAL, &it, NULL) != 0)
		_exit(3);
	spin_user();
}

static void
prof_child(void *arg)
{
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };

	(void)arg;
	if (setitimer(ITIMER_PROF, &it, NULL) != 0)
		_exit(3);
	for (;;)
		(void)getppid();
}

static void
sleepy_child(void *arg)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	struct timespec ts = { 0, 300 * SYS_MS };

	(void)arg;
	if (setitimer(ITIMER_VIRTUAL, &it, NULL) != 0 ||
	    setitimer(ITIMER_PROF, &it, NULL) != 0)
		_exit(3);
	nanosleep(&ts, NULL); /* no CPU time: neither fires */
	_exit(0);
}

static void
t_itimer_cpu(void)
{
	struct itimerval it = { { 0, 300000 }, { 2, 0 } }, cur;
	uint64_t t0;

	test_expect_ok(setitimer(ITIMER_VIRTUAL, &it, NULL), "ITIMER_VIRTUAL");
	test_expect_ok(getitimer(ITIMER_VIRTUAL, &cur), "getitimer");
	test_expect_eq(cur.it_interval.tv_usec, 300000, "its interval");
	test_assert(cur.it_value.tv_sec <= 2 &&
	    cur.it_value.tv_sec * 1000000 + cur.it_value.tv_usec > 1000000);
	memset(&it, 0, sizeof(it));
	test_expect_ok(setitimer(ITIMER_VIRTUAL, &it, &cur), "off");
	test_expect_eq(cur.it_interval.tv_usec, 300000, "the old interval");
	test_expect_ok(getitimer(ITIMER_PROF, &cur), "getitimer ITIMER_PROF");
	test_expect_eq(cur.it_value.tv_sec + cur.it_value.tv_usec, 0, "off");

	t0 = test_now_ns();
	test_expect_child_signal(virtual_child, NULL, SIGVTALRM,
	    "200 ms of user time");
	test_assert(test_now_ns() - t0 >= 150 * SYS_MS);
	test_expect_child_signal(prof_child, NULL, SIGPROF,
	    "200 ms of CPU time");
	test_expect_eq(test_child_status(sleepy_child, NULL), 0,
	    "a sleeper's CPU timers do not fire");
}

const struct test sys_alarm_tests[] = {
	{ "alarm_kills", t_alarm_kills, NULL },
	{ "setitimer_kills", t_setitimer_kills, NULL },
	{ "alarm_cancel", t_alarm_cancel, NULL },
	{ "itimer_roundtrip", t_itimer_roundtrip, NULL },
	{ "itimer_cpu", t_itimer_cpu, NULL },
	{ NULL, NULL, NULL },
};
