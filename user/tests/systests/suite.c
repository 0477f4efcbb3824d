/*
 * systests: credentials, limits, CPU time, clocks, timers, sysinfo,
 * getrandom, init's environment, poll/select, descriptors, prctl, waitid,
 * eventfd, epoll, signalfd, timerfd and reboot
 * (see sys.h).
 *
 *   systests [-t SECONDS] [NAME...]
 *   systests -l
 *   systests --recurse KIB	the helper of the RLIMIT_STACK test
 *   systests --vdso-exec	the helper of the vdso_exec test
 *
 * make test runs it with 1 and 4 CPUs; `make check TEST=systests/NAME`
 * runs one test, `make check-linux TEST=systests` all of them on Linux.
 */

#include "sys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int sys_started_by_init;

static const struct test *const tables[] = {
	sys_ids_tests,
	sys_rlimit_tests,
	sys_cputime_tests,
	sys_time_tests,
	sys_vdso_tests,
	sys_alarm_tests,
	sys_misc_tests,
	sys_poll_tests,
	sys_fds_tests,
	sys_prctl_tests,
	sys_prio_tests,
	sys_wait_tests,
	sys_eventfd_tests,
	sys_epoll_tests,
	sys_signalfd_tests,
	sys_timerfd_tests,
	sys_reboot_tests,
	NULL,
};

/*
 * Use about one KiB of stack per level, writing all of it, so the stack
 * really grows; the result keeps the compiler from making it a loop.
 */
static __attribute__((noinline)) long
recurse(long kib)
{
	volatile char frame[1000];

	memset((char *)frame, (int)kib, sizeof(frame));
	if (kib <= 0)
		return frame[10];
	return recurse(kib - 1) + frame[kib % sizeof(frame)];
}

int
sys_recurse_main(long kib)
{
	return recurse(kib) == -1 ? 1 : 0;
}

/* Before the runner: the helper, and whether init started us. */
static int
early(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], SYS_RECURSE) == 0)
		return sys_recurse_main(atol(argv[2]));
	if (argc >= 2 && strcmp(argv[1], SYS_VDSO_EXEC) == 0)
		return sys_vdso_exec_main();
	sys_started_by_init = getpid() == 1 || getppid() == 1;
	return -1;
}

const struct test_suite test_suite = {
	.name = "systests",
	.tables = tables,
	.timeout_s = 60,
	.early = early,
};

void
sys_mount_proc(void)
{
	struct stat st;

	if (stat("/proc/self", &st) != 0) {
		(void)mkdir("/proc", 0555);
		test_expect_ok(mount("proc", "/proc", "proc", 0, NULL),
		    "mount proc on /proc");
	}
}
