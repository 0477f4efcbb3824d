/*
 * wait.c: waitid (247).
 *
 *   - waitid_exited, waitid_killed: SIGCHLD's siginfo for a child that
 *     exited or was killed, and the child collected;
 *   - waitid_nowait: WNOWAIT reports and leaves the child waitable;
 *   - waitid_stop_continue: WSTOPPED and WCONTINUED, each reported once;
 *   - waitid_wnohang: nothing to report gives 0 and zeros in the six
 *     fields Linux writes, and no other byte of the siginfo changes;
 *   - waitid_pgid: P_PGID selects a process group (0: the caller's);
 *   - waitid_rusage: the fifth argument, Linux's struct rusage;
 *   - waitid_errors: every EINVAL, EBADF for P_PIDFD, ECHILD, EFAULT.
 */

#include "sys.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* waitid with its fifth argument, through the raw call. */
static long
raw_waitid(int idtype, long id, siginfo_t *info, int options, void *ru)
{
	return test_raw5(SYS_waitid, idtype, id, (long)info, options, (long)ru);
}

/* A child that exits with code at once. */
static pid_t
child_exit(int code)
{
	pid_t pid = test_fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

/* The fields waitid stores, as expected. */
static void
expect_info(const siginfo_t *si, pid_t pid, int code, int status)
{
	test_expect_eq(si->si_signo, SIGCHLD, "si_signo");
	test_expect_eq(si->si_errno, 0, "si_errno");
	test_expect_eq(si->si_code, code, "si_code");
	test_expect_eq(si->si_pid, pid, "si_pid");
	test_expect_eq(si->si_uid, getuid(), "si_uid");
	test_expect_eq(si->si_status, status, "si_status");
}

static void
t_waitid_exited(void)
{
	pid_t pid = child_exit(5);
	siginfo_t si;

	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(waitid(P_PID, pid, &si, WEXITED), "waitid");
	expect_info(&si, pid, CLD_EXITED, 5);
	test_expect_errno(waitid(P_PID, pid, &si, WEXITED), ECHILD,
	    "the child was collected");
	/* Any child. */
	pid = child_exit(6);
	test_expect_ok(waitid(P_ALL, 0, &si, WEXITED), "waitid(P_ALL)");
	expect_info(&si, pid, CLD_EXITED, 6);
}

static void
t_waitid_killed(void)
{
	pid_t pid = test_fork();
	siginfo_t si;

	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(1);
	}
	test_expect_ok(waitid(P_PID, pid, &si, WEXITED), "waitid");
	expect_info(&si, pid, CLD_KILLED, SIGTERM);
}

static void
t_waitid_nowait(void)
{
	pid_t pid = child_exit(9);
	siginfo_t si;
	int status = 0;

	test_expect_ok(waitid(P_PID, pid, &si, WEXITED | WNOWAIT),
	    "waitid(WNOWAIT)");
	expect_info(&si, pid, CLD_EXITED, 9);
	memset(&si, 0, sizeof(si));
	test_expect_ok(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT),
	    "waitid(WNOWAIT) again");
	expect_info(&si, pid, CLD_EXITED, 9);
	test_expect_eq(waitpid(pid, &status, 0), pid, "waitpid collects it");
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 9);
}

static void
t_waitid_stop_continue(void)
{
	siginfo_t si;
	pid_t pid;
	int p[2];
	char c;

	/*
	 * The child exits only once told to: a child that exited before
	 * waitid(WCONTINUED) would never be reported as continued (it is
	 * a zombie, which only WEXITED sees, on Linux too).
	 */
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[1]);
		raise(SIGSTOP);
		(void)read(p[0], &c, 1);
		_exit(3);
	}
	close(p[0]);
	/* Without WSTOPPED the stop is not reported: WNOHANG gives 0. */
	test_expect_ok(waitid(P_PID, pid, &si, WSTOPPED), "waitid(WSTOPPED)");
	expect_info(&si, pid, CLD_STOPPED, SIGSTOP);
	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG),
	    "waitid(WSTOPPED) again");
	test_expect_eq(si.si_pid, 0, "the stop is reported once");
	test_expect_ok(kill(pid, SIGCONT), "SIGCONT");
	test_expect_ok(waitid(P_PID, pid, &si, WCONTINUED),
	    "waitid(WCONTINUED)");
	expect_info(&si, pid, CLD_CONTINUED, SIGCONT);
	close(p[1]); /* the child may exit now */
	test_expect_ok(waitid(P_PID, pid, &si, WEXITED), "waitid(WEXITED)");
	expect_info(&si, pid, CLD_EXITED, 3);
}

static void
t_waitid_wnohang(void)
{
	int p[2];
	pid_t pid;
	siginfo_t si;
	char c;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(
	    waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG),
	    "waitid(WNOHANG) of a running child");
	test_expect_eq(si.si_signo, 0, "si_signo");
	test_expect_eq(si.si_errno, 0, "si_errno");
	test_expect_eq(si.si_code, 0, "si_code");
	test_expect_eq(si.si_pid, 0, "si_pid");
	test_expect_eq(si.si_uid, 0, "si_uid");
	test_expect_eq(si.si_status, 0, "si_status");
	test_expect_eq(((unsigned char *)&si)[40], 0xa5,
	    "a byte past the six fields");
	close(p[1]);
	test_expect_ok(waitid(P_PID, pid, &si, WEXITED), "waitid");
	expect_info(&si, pid, CLD_EXITED, 0);
}

static void
t_waitid_pgid(void)
{
	int p[2];
	pid_t pid, other;
	siginfo_t si;
	char c;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		setpgid(0, 0);
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(4);
	}
	close(p[0]);
	test_expect_ok(setpgid(pid, pid), "setpgid");
	other = child_exit(2); /* in our group */
	test_expect_ok(waitid(P_PGID, 0, &si, WEXITED),
	    "waitid(P_PGID, 0): our group");
	expect_info(&si, other, CLD_EXITED, 2);
	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(waitid(P_PGID, pid, &si, WEXITED | WNOHANG),
	    "waitid(P_PGID) of a running group");
	test_expect_eq(si.si_pid, 0, "nothing to report");
	close(p[1]);
	test_expect_ok(waitid(P_PGID, pid, &si, WEXITED), "waitid(P_PGID)");
	expect_info(&si, pid, CLD_EXITED, 4);
}

static void
t_waitid_rusage(void)
{
	pid_t pid = test_fork();
	struct rusage ru;
	siginfo_t si;

	if (pid == 0) {
		uint64_t t0 = test_now_ns();

		while (test_now_ns() - t0 < 30000000ULL) /* 30 ms of CPU */
			;
		_exit(0);
	}
	memset(&ru, 0xa5, sizeof(ru));
	test_expect_eq(raw_waitid(P_PID, pid, &si, WEXITED, &ru), 0,
	    "waitid with a rusage");
	expect_info(&si, pid, CLD_EXITED, 0);
	test_assert_msg(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
		    ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec >=
		10000,
	    "the child's CPU time: %ld.%06ld + %ld.%06ld s",
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
}

static void
t_waitid_errors(void)
{
	siginfo_t si;
	pid_t pid;

	test_expect_raw_errno(raw_waitid(P_ALL, 0, &si, 0, NULL), EINVAL,
	    "no WEXITED, WSTOPPED or WCONTINUED");
	test_expect_raw_errno(raw_waitid(P_ALL, 0, &si, WNOHANG, NULL), EINVAL,
	    "WNOHANG alone");
	test_expect_raw_errno(raw_waitid(P_ALL, 0, &si, WEXITED | 0x100, NULL),
	    EINVAL, "an unknown option");
	test_expect_raw_errno(raw_waitid(7, 0, &si, WEXITED, NULL), EINVAL,
	    "an unknown idtype");
	test_expect_raw_errno(raw_waitid(P_PID, 0, &si, WEXITED, NULL), EINVAL,
	    "P_PID 0");
	test_expect_raw_errno(raw_waitid(P_PID, -1, &si, WEXITED, NULL), EINVAL,
	    "P_PID -1");
	test_expect_raw_errno(raw_waitid(P_PGID, -1, &si, WEXITED, NULL),
	    EINVAL, "P_PGID -1");
	test_expect_raw_errno(raw_waitid(P_PIDFD, -1, &si, WEXITED, NULL),
	    EINVAL, "P_PIDFD -1");
	test_expect_raw_errno(raw_waitid(P_PIDFD, 999, &si, WEXITED, NULL),
	    EBADF, "P_PIDFD of no descriptor");
	test_expect_raw_errno(raw_waitid(P_PIDFD, 1, &si, WEXITED, NULL), EBADF,
	    "P_PIDFD of a descriptor that is no pidfd");
	test_expect_raw_errno(raw_waitid(P_ALL, 0, &si, WEXITED, NULL), ECHILD,
	    "no child");
	test_expect_raw_errno(raw_waitid(P_PID, getpid(), &si, WEXITED, NULL),
	    ECHILD, "not a child");
	pid = child_exit(8);
	test_expect_raw_errno(
	    raw_waitid(P_PID, pid, (siginfo_t *)8, WEXITED, NULL), EFAULT,
	    "infop not writable");
	if (test_native) {
		/* Ours looks at infop first: the child is still there. */
		test_expect_ok(waitid(P_PID, pid, &si, WEXITED),
		    "the child after EFAULT");
		expect_info(&si, pid, CLD_EXITED, 8);
	}
}

const struct test sys_wait_tests[] = {
	{ "waitid_exited", t_waitid_exited, NULL },
	{ "waitid_killed", t_waitid_killed, NULL },
	{ "waitid_nowait", t_waitid_nowait, NULL },
	{ "waitid_stop_continue", t_waitid_stop_continue, NULL },
	{ "waitid_wnohang", t_waitid_wnohang, NULL },
	{ "waitid_pgid", t_waitid_pgid, NULL },
	{ "waitid_rusage", t_waitid_rusage, NULL },
	{ "waitid_errors", t_waitid_errors, NULL },
	{ NULL, NULL, NULL },
};
