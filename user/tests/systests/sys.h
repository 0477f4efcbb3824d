/*
 * sys.h: what the files of systests share.
 *
 * systests checks the calls that answer questions about the process and
 * the system, and the time calls, with Linux's ABI, through musl's own
 * functions where it has them:
 *
 *	ids.c		getuid and friends, the set*id calls, getgroups
 *	rlimit.c	getrlimit, setrlimit, prlimit64 and the limits the
 *			kernel enforces (NOFILE, AS, STACK, NPROC); umask
 *	cputime.c	getrusage, times, wait4's rusage and the CPU clocks
 *	time.c		clock_gettime, clock_getres, gettimeofday, time,
 *			nanosleep, clock_nanosleep, restart_syscall
 *	vdso.c		the vDSO (AT_SYSINFO_EHDR): its symbols, its clocks
 *			against the system calls, the vvar page, fork, exec
 *	alarm.c		alarm, setitimer, getitimer (ITIMER_REAL)
 *	misc.c		sysinfo, getrandom, init's environment
 *	poll.c		poll, ppoll, select, pselect on pipes
 *	fds.c		fcntl, dup3, close_range, pipe2's O_NONBLOCK,
 *			FIONREAD, the 64 KiB pipe
 *	prio.c		getpriority, setpriority (nice values),
 *			ioprio_get, ioprio_set
 *	eventfd.c	eventfd, eventfd2: the counter, EFD_SEMAPHORE,
 *			EFD_NONBLOCK, blocking, poll
 *	epoll.c		epoll_create, epoll_create1, epoll_ctl,
 *			epoll_wait, epoll_pwait, epoll_pwait2 on pipes,
 *			eventfds and epoll fds
 *	signalfd.c	signalfd, signalfd4: reading blocked signals,
 *			their details, poll and epoll, SIGCHLD
 *	timerfd.c	timerfd_create, timerfd_settime, timerfd_gettime:
 *			one-shot, periodic and absolute timers, poll, epoll
 *	prctl.c		prctl's options
 *	wait.c		waitid
 *	reboot.c	reboot's checks
 *	suite.c		the list of tables, and the helper programs the
 *			RLIMIT_STACK test runs ("systests --recurse KIB")
 *			and the vDSO's exec test ("systests --vdso-exec")
 *
 * Every test passes on Linux 6.1 too (make check-linux TEST=systests),
 * where the suite is init itself; the few that check what only our
 * kernel does are marked native.
 */

#ifndef SYS_H
#define SYS_H

#include "test.h"

#define SYS_MS 1000000ULL
#define SYS_RECURSE "--recurse"
#define SYS_VDSO_EXEC "--vdso-exec"

extern const struct test sys_ids_tests[];
extern const struct test sys_rlimit_tests[];
extern const struct test sys_cputime_tests[];
extern const struct test sys_time_tests[];
extern const struct test sys_vdso_tests[];
extern const struct test sys_alarm_tests[];
extern const struct test sys_misc_tests[];
extern const struct test sys_poll_tests[];
extern const struct test sys_fds_tests[];
extern const struct test sys_prctl_tests[];
extern const struct test sys_prio_tests[];
extern const struct test sys_reboot_tests[];
extern const struct test sys_wait_tests[];
extern const struct test sys_eventfd_tests[];
extern const struct test sys_epoll_tests[];
extern const struct test sys_signalfd_tests[];
extern const struct test sys_timerfd_tests[];

/* The suite was started by init (or is init, on Linux).  suite.c. */
extern int sys_started_by_init;

/* The helper: recurse through kib KiB of stack, then exit 0.  suite.c. */
int sys_recurse_main(long kib);

/*
 * The helper vdso_exec runs: 0 if this new image has a fresh, working
 * vDSO, else a status saying what is wrong.  vdso.c.
 */
int sys_vdso_exec_main(void);

/*
 * Mount proc on /proc unless something is there already (Linux's bare
 * initramfs has nothing).  suite.c.
 */
void sys_mount_proc(void);

#endif /* SYS_H */
