/*
 * Job control on the console: the foreground group and session ioctls,
 * the controlling terminal, SIGTTIN and SIGTTOU (see tty.h).
 */
#include "tty.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's status as seen by waitpid with WUNTRACED. */
static int
wait_stopped(pid_t pid)
{
	int status;

	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "waitpid");
	return status;
}

/* A child that sits in a group of its own until killed. */
static pid_t
spawn_group(int session)
{
	int fds[2];
	pid_t pid;

	test_pipe(fds);
	pid = test_fork();
	if (pid == 0) {
		if (session)
			setsid();
		else
			setpgid(0, 0);
		test_send(fds[1]);
		for (;;)
			pause();
	}
	test_recv(fds[0]);
	close(fds[0]);
	close(fds[1]);
	return pid;
}

/*
 * The state letter of /proc/PID/stat once pid is no longer running
 * ('Z' for a zombie), or 0 if it cannot be read or never settles.
 */
static char
proc_state(pid_t pid)
{
	char path[64], buf[256], *end;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		size_t n;

		if (f == NULL)
			return 0;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		end = strrchr(buf, ')');
		if (end == NULL || end[1] != ' ')
			return 0;
		if (end[2] != 'R' && end[2] != 'S')
			return end[2];
		sched_yield();
	}
	return 0;
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "the helper");
}

/* TIOCGPGRP, TIOCSPGRP and TIOCGSID: answers and errors as Linux's. */
static void
t_pgrp_errors(void)
{
	pid_t other, group, id;

	tty_save();
	test_expect_eq(tcgetpgrp(0), getpgrp(), "the foreground group");
	test_expect_ok(ioctl(0, TIOCGSID, &id), "TIOCGSID");
	test_expect_eq(id, getsid(0), "the terminal's session");
	test_expect_errno(tcsetpgrp(0, -1), EINVAL, "tcsetpgrp -1");
	test_expect_errno(tcsetpgrp(0, 0x7ffffff0), ESRCH,
	    "tcsetpgrp to no group");
	other = spawn_group(1);
	test_expect_errno(tcsetpgrp(0, other), EPERM,
	    "tcsetpgrp to another session's group");
	reap(other);

	group = spawn_group(0);
	test_expect_ok(tcsetpgrp(0, group), "tcsetpgrp to a group of ours");
	test_expect_eq(tcgetpgrp(0), group, "the new foreground group");
	reap(group);
	tty_restore();

	/*
	 * A group whose one member has exited but is not reaped is still a
	 * group, as on Linux (a shell sets the foreground group of a
	 * pipeline whose first command may be done); reaped, it is gone.
	 */
	group = spawn_group(0);
	kill(group, SIGKILL);
	test_expect_eq(proc_state(group), 'Z', "the helper's state");
	test_expect_ok(tcsetpgrp(0, group), "tcsetpgrp to a zombie's group");
	test_expect_signal(group, SIGKILL, "the helper");
	test_expect_errno(tcsetpgrp(0, group), ESRCH,
	    "tcsetpgrp to a reaped group");
	tty_restore();
	test_expect_eq(tcgetpgrp(0), getpgrp(), "the foreground group back");
	test_expect_errno(ioctl(0, TIOCGPGRP, (void *)8), EFAULT,
	    "TIOCGPGRP to a bad pointer");
}

/* Outside the terminal's session: ENOTTY for its group and session. */
static void
t_other_session(void)
{
	pid_t pid = test_fork(), id;

	if (pid == 0) {
		test_expect_ok(setsid(), "setsid");
		test_expect_errno(tcgetpgrp(0), ENOTTY, "tcgetpgrp");
		test_expect_errno(tcsetpgrp(0, getpid()), ENOTTY, "tcsetpgrp");
		test_expect_errno(ioctl(0, TIOCGSID, &id), ENOTTY, "TIOCGSID");
		test_expect_errno(ioctl(0, TIOCNOTTY), ENOTTY, "TIOCNOTTY");
		test_assert(isatty(0)); /* still a terminal */
		_exit(0);
	}
	test_expect_exit(pid, 0, "the other session");
}

/*
 * TIOCSCTTY: a session leader takes the console from session 0; another
 * leader cannot take it then (EPERM), nor can a process that leads no
 * session; TIOCNOTTY, or the leader's exit, gives it back to session 0.
 */
static void
t_ctty(void)
{
	int up[2], down[2];
	pid_t pid, other, id;

	tty_save();
	test_expect_errno(ioctl(0, TIOCSCTTY, 0), EPERM,
	    "TIOCSCTTY from no session leader");
	test_pipe(up);
	test_pipe(down);
	pid = test_fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		test_expect_ok(setsid(), "setsid");
		/* TIOCNOTTY hangs up the foreground group: ours. */
		tty_handle(SIGHUP, SIG_IGN);
		test_expect_ok(ioctl(0, TIOCSCTTY, 0), "TIOCSCTTY");
		test_expect_eq(tcgetpgrp(0), getpid(), "our foreground group");
		test_expect_ok(ioctl(0, TIOCGSID, &id), "TIOCGSID");
		test_expect_eq(id, getpid(), "our session");
		test_expect_ok(ioctl(0, TIOCSCTTY, 0), "TIOCSCTTY again");
		test_send(up[1]);
		test_recv(down[0]); /* the parent has looked */
		test_expect_ok(ioctl(0, TIOCNOTTY), "TIOCNOTTY");
		test_expect_errno(tcgetpgrp(0), ENOTTY, "after TIOCNOTTY");
		/* Take it again, and leave with it: exit gives it back. */
		test_expect_ok(ioctl(0, TIOCSCTTY, 0), "TIOCSCTTY after");
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	test_recv(up[0]);
	test_expect_errno(tcgetpgrp(0), ENOTTY, "tcgetpgrp, taken away");
	other = test_fork();
	if (other == 0) {
		test_expect_ok(setsid(), "setsid");
		test_expect_errno(ioctl(0, TIOCSCTTY, 0), EPERM,
		    "TIOCSCTTY of a taken terminal");
		_exit(0);
	}
	test_expect_exit(other, 0, "the second session leader");
	test_send(down[1]);
	test_expect_exit(pid, 0, "the session leader");
	test_expect_eq(tcgetpgrp(0), 0, "session 0's again, group 0");
	close(up[0]);
	close(down[1]);
	tty_restore();
}

/* A background group reading the terminal stops with SIGTTIN. */
static void
t_sigttin(void)
{
	pid_t pid;
	int status;
	char c;

	pid = test_fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (read(0, &c, 1) < 0)
			_exit(2);
		_exit(3);
	}
	status = wait_stopped(pid);
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTIN,
	    "the background reader: status 0x%x", status);
	reap(pid);
}

/* SIGTTIN ignored or blocked: the read fails with EIO. */
static void
t_sigttin_ignored(void)
{
	for (int blocked = 0; blocked < 2; blocked++) {
		pid_t pid = test_fork();
		char c;

		if (pid == 0) {
			setpgid(0, 0);
			if (blocked) {
				sigset_t set;

				sigemptyset(&set);
				sigaddset(&set, SIGTTIN);
				sigprocmask(SIG_BLOCK, &set, NULL);
			} else {
				tty_handle(SIGTTIN, SIG_IGN);
			}
			test_expect_errno(read(0, &c, 1), EIO,
			    "a background read");
			_exit(0);
		}
		test_expect_exit(pid, 0, blocked ? "blocked" : "ignored");
	}
}

/* An orphaned background group's read fails with EIO. */
static void
t_sigttin_orphaned(void)
{
	int fds[2];
	pid_t pid;
	char r = 0;

	test_pipe(fds);
	pid = test_fork();
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			char c;

			setpgid(0, 0);
			/* Until our parent has gone: the group is orphaned. */
			while (getppid() == pid || getppid() != 1)
				usleep(1000);
			r = read(0, &c, 1) < 0 && errno == EIO ? 'y' : 'n';
			write(fds[1], &r, 1);
			_exit(0);
		}
		_exit(0);
	}
	test_expect_exit(pid, 0, "the orphaned group's parent");
	close(fds[1]);
	test_expect_eq(read(fds[0], &r, 1), 1, "the grandchild's answer");
	test_expect_eq(r, 'y', "read from an orphaned group failed with EIO");
	close(fds[0]);
}

/* With TOSTOP a background writer stops with SIGTTOU; without, it writes. */
static void
t_sigttou_tostop(void)
{
	struct termios t;
	pid_t pid;
	int status;

	tty_save();
	test_expect_ok(tcgetattr(0, &t), "tcgetattr");
	t.c_lflag |= TOSTOP;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "TOSTOP");
	pid = test_fork();
	if (pid == 0) {
		setpgid(0, 0);
		tty_handle(SIGTTOU, SIG_DFL); /* tty_save ignored it */
		write(0, "\n", 1);
		_exit(3);
	}
	status = wait_stopped(pid);
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTOU,
	    "the background writer: status 0x%x", status);
	reap(pid);

	/* tcsetattr from the background stops it too. */
	pid = test_fork();
	if (pid == 0) {
		setpgid(0, 0);
		tty_handle(SIGTTOU, SIG_DFL);
		tcsetattr(0, TCSANOW, &t);
		_exit(3);
	}
	status = wait_stopped(pid);
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTOU,
	    "the background tcsetattr: status 0x%x", status);
	reap(pid);

	t.c_lflag &= ~TOSTOP;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "no TOSTOP");
	pid = test_fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(write(0, "\n", 1) == 1 ? 0 : 1);
	}
	test_expect_exit(pid, 0, "the background writer without TOSTOP");
	tty_restore();
}

const struct test tty_jobctl_tests[] = {
	{ "pgrp_errors", t_pgrp_errors, TTY_NATIVE },
	{ "other_session_enotty", t_other_session, TTY_NATIVE },
	{ "ctty_setsid_sctty_notty", t_ctty, TTY_NATIVE },
	{ "sigttin_background", t_sigttin, TTY_NATIVE },
	{ "sigttin_ignored_eio", t_sigttin_ignored, TTY_NATIVE },
	{ "sigttin_orphaned_eio", t_sigttin_orphaned, TTY_NATIVE },
	{ "sigttou_tostop", t_sigttou_tostop, TTY_NATIVE },
	{ NULL, NULL, NULL },
};
