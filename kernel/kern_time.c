/*
 * The time system calls: nanosleep and clock_gettime, on the clock's
 * nanouptime (monotonic) and the real-time clock read at boot.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <proc/sched.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000L

long
sys_nanosleep(const struct timespec *ureq, struct timespec *urem)
{
	struct timespec ts;
	uint64_t deadline;
	int chan, error;

	if (copyin(ureq, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		ts.tv_sec = UINT64_MAX / NSEC_PER_SEC / 2;
	deadline = nanouptime() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec + 1;
	do {
		error = sleep(&chan, NULL, SLEEP_INTR, deadline);
	} while (error == 0);
	if (error == -EINTR) {
		uint64_t now = nanouptime(),
			 left = now < deadline ? deadline - now : 0;

		ts.tv_sec = left / NSEC_PER_SEC;
		ts.tv_nsec = left % NSEC_PER_SEC;
		if (urem != NULL)
			(void)copyout(&ts, urem, sizeof(ts));
		return -EINTR;
	}
	return 0;
}

long
sys_clock_gettime(int clock, struct timespec *utp)
{
	struct timespec ts;
	uint64_t ns;

	switch (clock) {
	case CLOCK_REALTIME:
		ns = clock_realtime_ns();
		break;
	case CLOCK_MONOTONIC:
		ns = nanouptime();
		break;
	default:
		return -EINVAL;
	}
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return copyout(&ts, utp, sizeof(ts));
}
