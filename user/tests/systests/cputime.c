/*
 * cputime.c: CPU time, sampled by the kernel on the clock tick:
 * getrusage (98) for RUSAGE_SELF, RUSAGE_THREAD and RUSAGE_CHILDREN,
 * times (100), wait4's rusage (61) and the CPU-time clocks of
 * clock_gettime (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID).
 *
 *   - a busy loop in user mode makes user time grow;
 *   - system calls that work in the kernel make system time grow;
 *   - a child's times reach its parent through wait4 and
 *     RUSAGE_CHILDREN / tms_cutime once it is collected, not before;
 *   - with two LWPs, RUSAGE_THREAD is the caller's alone and
 *     RUSAGE_SELF keeps an exited LWP's time; clock_nanosleep on the
 *     process's CPU clock wakes as the other LWP spins (native LWPs).
 */

#include "sys.h"

#include <stdlib.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUSY_NS (400 * SYS_MS)

static uint64_t
tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000ULL + tv.tv_usec * 1000ULL;
}

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	test_expect_ok(clock_gettime(c, &ts), "clock_gettime");
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Spin in user mode for ns of wall time. */
static void
busy_user(uint64_t ns)
{
	uint64_t end = test_now_ns() + ns;
	volatile uint64_t x = 0;

	while (test_now_ns() < end)
		for (int i = 0; i < 100000; i++)
			x += i;
}

static void
t_cpu_user(void)
{
	struct rusage r0, r1, t1;
	struct tms tm0, tm1;
	uint64_t p0, th0, u;

	test_expect_ok(getrusage(RUSAGE_SELF, &r0), "getrusage");
	test_assert(times(&tm0) != (clock_t)-1);
	p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	th0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	busy_user(BUSY_NS);
	test_expect_ok(getrusage(RUSAGE_SELF, &r1), "getrusage");
	test_expect_ok(getrusage(RUSAGE_THREAD, &t1), "getrusage thread");
	test_assert(times(&tm1) != (clock_t)-1);
	u = tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime);
	test_assert_msg(u >= 40 * SYS_MS, "user time grew by %llu ns only",
	    (unsigned long long)u);
	test_assert(tv_ns(t1.ru_utime) >= u);
	test_assert_msg(tm1.tms_utime - tm0.tms_utime >= 4,
	    "tms_utime grew by %ld ticks",
	    (long)(tm1.tms_utime - tm0.tms_utime));
	test_assert(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 40 * SYS_MS);
	test_assert(clock_ns(CLOCK_THREAD_CPUTIME_ID) - th0 >= 40 * SYS_MS);
	test_assert(r1.ru_utime.tv_usec < 1000000);
}

static void
t_cpu_system(void)
{
	static char buf[65536];
	struct rusage r0, r1;
	uint64_t end, s;

	test_expect_ok(getrusage(RUSAGE_SELF, &r0), "getrusage");
	end = test_now_ns() + BUSY_NS;
	while (test_now_ns() < end)
		test_expect_eq(getrandom(buf, sizeof(buf), 0), sizeof(buf),
		    "getrandom");
	test_expect_ok(getrusage(RUSAGE_SELF, &r1), "getrusage");
	s = tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime);
	test_assert_msg(s >= 30 * SYS_MS, "system time grew by %llu ns only",
	    (unsigned long long)s);
}

static void
t_cpu_children(void)
{
	struct rusage c0, c1, w;
	struct tms tm;
	pid_t pid;
	int st;

	test_expect_ok(getrusage(RUSAGE_CHILDREN, &c0), "getrusage children");
	test_expect_eq(tv_ns(c0.ru_utime), 0, "no children yet");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		busy_user(BUSY_NS);
		_exit(0);
	}
	test_expect_eq(wait4(pid, &st, 0, &w), pid, "wait4");
	test_expect_eq(st, 0, "the child's status");
	test_assert_msg(tv_ns(w.ru_utime) >= 40 * SYS_MS,
	    "wait4's rusage: %llu ns of user time",
	    (unsigned long long)tv_ns(w.ru_utime));
	test_expect_ok(getrusage(RUSAGE_CHILDREN, &c1), "getrusage children");
	/* Linux scales wait4's times a little (cputime_adjust). */
	test_assert_msg(tv_ns(c1.ru_utime) + 20 * SYS_MS >= tv_ns(w.ru_utime) &&
		tv_ns(w.ru_utime) + 20 * SYS_MS >= tv_ns(c1.ru_utime),
	    "RUSAGE_CHILDREN %llu ns against wait4's %llu ns",
	    (unsigned long long)tv_ns(c1.ru_utime),
	    (unsigned long long)tv_ns(w.ru_utime));
	test_assert(times(&tm) != (clock_t)-1);
	test_assert(tm.tms_cutime >= 4);
	test_expect_errno(getrusage(5, &c1), EINVAL, "getrusage(5)");
}

/* A native LWP that spins in user mode until told to stop. */
struct spinner {
	volatile int stop;
	volatile long count;
};

static void
spinner_main(void *arg)
{
	struct spinner *sp = arg;

	while (!sp->stop)
		sp->count++;
	test_raw_lwp_exit();
}

static void
t_cpu_lwps(void)
{
	static struct spinner sp;
	struct lwp_params lp = { 0 };
	struct rusage self, thread, after;
	struct timespec ts = { 0, 50 * SYS_MS };
	char *stack = malloc(64 * 1024);
	uint64_t p0;
	int tid = -1;

	test_assert(stack != NULL);
	lp.lwp_func = spinner_main;
	lp.lwp_arg = &sp;
	lp.lwp_stack = (void *)((((uintptr_t)stack + 64 * 1024) & ~15UL) - 8);
	lp.lwp_tid1 = &tid;
	test_expect_eq(test_raw1(SYS_lwp_create, &lp), 0, "lwp_create");

	/* The process's CPU clock moves while this LWP sleeps on it. */
	p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	test_expect_eq(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts, NULL),
	    0, "sleeping for 50 ms of the process's CPU time");
	test_assert(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 50 * SYS_MS);
	test_sleep_ns(BUSY_NS / 2);

	test_expect_ok(getrusage(RUSAGE_SELF, &self), "getrusage self");
	test_expect_ok(getrusage(RUSAGE_THREAD, &thread), "getrusage thread");
	test_assert_msg(tv_ns(self.ru_utime) >=
		tv_ns(thread.ru_utime) + 40 * SYS_MS,
	    "process %llu ns, this LWP %llu ns of user time",
	    (unsigned long long)tv_ns(self.ru_utime),
	    (unsigned long long)tv_ns(thread.ru_utime));
	sp.stop = 1;
	test_expect_eq(test_raw1(SYS_lwp_wait, tid), 0, "lwp_wait");
	/* The exited LWP's time stays in the process's. */
	test_expect_ok(getrusage(RUSAGE_SELF, &after), "getrusage self");
	test_assert(tv_ns(after.ru_utime) >= tv_ns(self.ru_utime));
	test_assert(sp.count > 0);
	free(stack);
}

const struct test sys_cputime_tests[] = {
	{ "cpu_user", t_cpu_user, NULL },
	{ "cpu_system", t_cpu_system, NULL },
	{ "cpu_children", t_cpu_children, NULL },
	{ "cpu_lwps", t_cpu_lwps, "native LWPs" },
	{ NULL, NULL, NULL },
};
