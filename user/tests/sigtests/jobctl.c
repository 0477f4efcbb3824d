/*
 * Default actions, SIGCHLD, job control as wait4 sees it, SIGPIPE, and
 * process groups and sessions with kill's and wait4's group targets.
 */

#include "sig.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits;
static siginfo_t seen;
static int hup_fd; /* the grandchild's end of the pipe (orphaned_stopped_hup) */

/* A child that waits for the parent to close the pipe, then exits 0. */
static pid_t
waiting_child(int p[2])
{
	pid_t pid = test_fork();

	if (pid == 0) {
		char c;

		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	return pid;
}

/* A child that loops until killed. */
static pid_t
spinning_child(void)
{
	pid_t pid = test_fork();

	if (pid == 0)
		for (;;)
			test_sleep_ns(SIG_MS);
	return pid;
}

/*
 * A spinning child in a process group of its own, which we (in another
 * group of the same session) keep from being orphaned: SIGTSTP, SIGTTIN
 * and SIGTTOU stop it.
 */
static pid_t
spinning_child_own_group(void)
{
	pid_t pid = test_fork();

	if (pid == 0) {
		setpgid(0, 0);
		for (;;)
			test_sleep_ns(SIG_MS);
	}
	setpgid(pid, pid); /* either order: the group exists before a kill */
	return pid;
}

/* Terminating signals kill; "core" signals too; ignored ones do not. */
static void
t_jobctl_default_actions(void)
{
	const int term[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
		SIGTERM, SIGRTMIN, SIGRTMAX, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS,
		SIGFPE, SIGILL, SIGSYS };
	static const int ign[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
	int p[2], status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(term) / sizeof(term[0]); i++) {
		pid = spinning_child();
		test_expect_ok(kill(pid, term[i]), test_signame(term[i]));
		test_expect_signal(pid, term[i], test_signame(term[i]));
	}
	test_pipe(p);
	pid = waiting_child(p);
	for (size_t i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		test_expect_ok(kill(pid, ign[i]), test_signame(ign[i]));
	test_sleep_ns(20 * SIG_MS);
	test_expect_eq(waitpid(pid, &status, WNOHANG), 0,
	    "alive after CHLD, URG, WINCH, CONT");
	close(p[1]);
	test_expect_exit(pid, 0, "child");
}

/* raise(SIGTERM) ends the caller (the bug the issue names). */
static void
raise_term(void *arg)
{
	(void)arg;
	raise(SIGTERM);
	_exit(0);
}

static void
t_jobctl_raise_term(void)
{
	test_expect_child_signal(raise_term, NULL, SIGTERM, "raise(SIGTERM)");
}

/* SIGSTOP and SIGCONT as wait4 reports them; SIGKILL ends a stopped child. */
static void
t_jobctl_stop_cont(void)
{
	int status;
	pid_t pid = spinning_child_own_group();

	test_expect_ok(kill(pid, SIGSTOP), "SIGSTOP");
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
	    "status 0x%x: not stopped by SIGSTOP", status);
	test_expect_eq(waitpid(pid, &status, WUNTRACED | WNOHANG), 0,
	    "a stop is reported once");
	test_expect_ok(kill(pid, SIGCONT), "SIGCONT");
	test_expect_eq(waitpid(pid, &status, WCONTINUED), pid, "wait cont");
	test_assert_msg(WIFCONTINUED(status), "status 0x%x: not continued",
	    status);
	test_expect_ok(kill(pid, SIGTSTP), "SIGTSTP");
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait tstp");
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP,
	    "status 0x%x: not stopped by SIGTSTP", status);
	test_expect_ok(kill(pid, SIGKILL), "SIGKILL a stopped child");
	test_expect_signal(pid, SIGKILL, "stopped child");
}

/* A stopped child does not run: its counter stays put. */
static void
t_jobctl_stopped_does_not_run(void)
{
	volatile long *shared = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long a, b;
	int status;
	pid_t pid;

	test_assert(shared != MAP_FAILED);
	pid = test_fork();
	if (pid == 0)
		for (;;)
			(*shared)++;
	while (*shared == 0)
		test_sleep_ns(SIG_MS);
	kill(pid, SIGSTOP);
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	a = *shared;
	test_sleep_ns(50 * SIG_MS);
	b = *shared;
	test_expect_eq(b, a, "counter while stopped");
	kill(pid, SIGCONT);
	while (*shared == b)
		test_sleep_ns(SIG_MS);
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "child");
	munmap((void *)shared, TEST_PAGE);
}

/*
 * A process group with no parent in another group of its session is
 * orphaned: the terminal's stop signals (SIGTSTP, SIGTTIN, SIGTTOU) are
 * discarded there, SIGSTOP still stops.  A session leader's group is.
 */
static void
t_jobctl_orphaned_no_tstp(void)
{
	int status;
	pid_t pid = test_fork();

	if (pid == 0) {
		setsid();
		for (;;)
			test_sleep_ns(SIG_MS);
	}
	while (getsid(pid) != pid)
		test_sleep_ns(SIG_MS);
	test_expect_ok(kill(pid, SIGTSTP), "SIGTSTP");
	test_expect_ok(kill(pid, SIGTTIN), "SIGTTIN");
	test_expect_ok(kill(pid, SIGTTOU), "SIGTTOU");
	test_sleep_ns(20 * SIG_MS);
	test_expect_eq(waitpid(pid, &status, WUNTRACED | WNOHANG), 0,
	    "not stopped by the terminal's stop signals");
	test_expect_ok(kill(pid, SIGSTOP), "SIGSTOP");
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	test_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
	    "status 0x%x: not stopped by SIGSTOP", status);
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "child");
}

static void
hup_report(int sig)
{
	(void)sig;
	_exit(write(hup_fd, "h", 1) == 1 ? 0 : 1);
}

/*
 * The middle child forks a grandchild into a group of its own, waits
 * until it has stopped itself, and exits: the grandchild's group is
 * orphaned with a stopped member, so it gets SIGHUP then SIGCONT, and its
 * SIGHUP handler writes "h" to the pipe.
 */
static void
orphaning_parent(void *arg)
{
	int *p = arg, status;
	pid_t g = fork();

	if (g == 0) {
		hup_fd = p[1];
		signal(SIGHUP, hup_report);
		setpgid(0, 0);
		raise(SIGSTOP);
		_exit(2); /* continued without SIGHUP */
	}
	if (g < 0 || write(p[1], &g, sizeof(g)) != sizeof(g) ||
	    waitpid(g, &status, WUNTRACED) != g || !WIFSTOPPED(status))
		_exit(1);
	_exit(0);
}

static void
t_jobctl_orphaned_stopped_hup(void)
{
	struct pollfd pfd;
	int p[2];
	pid_t g = 0;
	char c = 0;

	test_pipe(p);
	test_expect_eq(test_child_status(orphaning_parent, p), 0,
	    "the middle child");
	close(p[1]);
	test_expect_eq(read(p[0], &g, sizeof(g)), (long)sizeof(g),
	    "the grandchild's pid");
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		kill(g, SIGKILL);
		test_fail("no SIGHUP reached the orphaned, stopped group");
	}
	test_expect_eq(read(p[0], &c, 1), 1L, "read");
	test_expect_eq(c, 'h', "SIGHUP's handler ran");
	close(p[0]);
}

static void
on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	seen = *si;
}

/* SIGCHLD with CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_CONTINUED. */
static void
t_jobctl_sigchld(void)
{
	int status;
	pid_t pid;

	sig_handle_info(SIGCHLD, on_chld, SA_RESTART);
	pid = test_fork();
	if (pid == 0)
		_exit(7);
	test_expect_exit(pid, 7, "child");
	test_expect_eq(hits, 1, "SIGCHLD on exit");
	test_expect_eq(seen.si_code, CLD_EXITED, "si_code");
	test_expect_eq(seen.si_pid, pid, "si_pid");
	test_expect_eq(seen.si_status, 7, "si_status");

	pid = spinning_child();
	kill(pid, SIGSTOP);
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	while (hits < 2)
		test_sleep_ns(SIG_MS);
	test_expect_eq(seen.si_code, CLD_STOPPED, "si_code on stop");
	test_expect_eq(seen.si_status, SIGSTOP, "si_status on stop");
	kill(pid, SIGCONT);
	while (hits < 3)
		test_sleep_ns(SIG_MS);
	test_expect_eq(seen.si_code, CLD_CONTINUED, "si_code on continue");
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "child");
	while (hits < 4)
		test_sleep_ns(SIG_MS);
	test_expect_eq(seen.si_code, CLD_KILLED, "si_code on kill");
	test_expect_eq(seen.si_status, SIGKILL, "si_status on kill");

	/* SA_NOCLDSTOP: no SIGCHLD for the stop. */
	sig_handle_info(SIGCHLD, on_chld, SA_RESTART | SA_NOCLDSTOP);
	hits = 0;
	pid = spinning_child();
	kill(pid, SIGSTOP);
	test_expect_eq(waitpid(pid, &status, WUNTRACED), pid, "wait stop");
	test_sleep_ns(20 * SIG_MS);
	test_expect_eq(hits, 0, "SA_NOCLDSTOP");
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "child");
}

/* A parent that ignores SIGCHLD leaves no zombies: wait4 gets ECHILD. */
static void
t_jobctl_sigchld_ignored(void)
{
	pid_t pid[4];
	int status;

	sig_handle(SIGCHLD, SIG_IGN, 0);
	for (int i = 0; i < 4; i++) {
		pid[i] = test_fork();
		if (pid[i] == 0) {
			test_sleep_ns((unsigned)i * 10 * SIG_MS);
			_exit(i);
		}
	}
	test_expect_errno(waitpid(-1, &status, 0), ECHILD,
	    "no zombie to collect");
	for (int i = 0; i < 4; i++)
		test_expect_errno(kill(pid[i], 0), ESRCH, "child is gone");
}

/* SIGPIPE: kills the writer by default; ignored or handled, EPIPE. */
static void
pipe_writer(void *arg)
{
	int p[2];

	if (arg == (void *)1)
		sig_handle(SIGPIPE, SIG_IGN, 0);
	if (pipe(p) != 0)
		_exit(2);
	close(p[0]);
	if (write(p[1], "x", 1) == -1 && errno == EPIPE)
		_exit(9);
	_exit(1);
}

static void
t_jobctl_sigpipe(void)
{
	int status;

	test_expect_child_signal(pipe_writer, NULL, SIGPIPE, "broken pipe");
	status = test_child_status(pipe_writer, (void *)1);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 9,
	    "ignored SIGPIPE: expected EPIPE, status 0x%x", status);
}

/* Process groups: setpgid, getpgid, getpgrp, and kill(-pgid). */
static void
t_jobctl_pgrp(void)
{
	int p[2], status;
	pid_t a, b, outside;

	test_expect_eq(getpgrp(), getpgid(0), "getpgrp");
	test_expect_eq(getpgid(getpid()), getpgrp(), "getpgid(self)");
	test_pipe(p);
	a = waiting_child(p);
	test_expect_ok(setpgid(a, a), "setpgid(a, a)");
	b = waiting_child(p);
	test_expect_ok(setpgid(b, a), "setpgid(b, a)");
	outside = waiting_child(p);
	test_expect_eq(getpgid(a), a, "a leads its group");
	test_expect_eq(getpgid(b), a, "b in a's group");
	test_expect_eq(getpgid(outside), getpgrp(), "outside in ours");
	test_expect_eq(waitpid(-a, &status, WNOHANG), 0, "wait4(-pgid)");
	test_expect_ok(kill(-a, SIGTERM), "kill(-pgid)");
	test_expect_signal(a, SIGTERM, "a");
	test_expect_signal(b, SIGTERM, "b");
	test_expect_errno(waitpid(-a, &status, WNOHANG), ECHILD, "group empty");
	test_expect_eq(waitpid(outside, &status, WNOHANG), 0,
	    "the child outside the group lives");
	test_expect_errno(kill(-a, 0), ESRCH, "no such group any more");
	close(p[1]);
	test_expect_exit(outside, 0, "outside");
}

/* setpgid's and kill's errors. */
static void
t_jobctl_errors(void)
{
	int p[2];
	pid_t a;

	test_expect_errno(setpgid(-1, 0), EINVAL, "negative pid");
	test_expect_errno(setpgid(0, -1), EINVAL, "negative pgid");
	test_expect_errno(setpgid(1, 1), ESRCH, "not a child");
	test_expect_errno(getpgid(0x3fffffff), ESRCH, "getpgid of nobody");
	test_expect_errno(getsid(0x3fffffff), ESRCH, "getsid of nobody");
	test_expect_errno(kill(getpid(), 65), EINVAL, "signal 65");
	test_expect_errno(kill(getpid(), -1), EINVAL, "signal -1");
	test_expect_errno(kill(0x3fffffff, 0), ESRCH, "no such process");
	test_expect_errno(kill(-0x3fffffff, 0), ESRCH, "no such group");
	test_expect_ok(kill(-1, 0), "kill(-1, 0) probes every process");
	test_expect_ok(kill(0, 0), "kill(0, 0) probes our group");
	test_pipe(p);
	a = waiting_child(p);
	/* A group that does not exist in our session. */
	test_expect_errno(setpgid(a, 0x3ffffff0), EPERM, "no such group");
	close(p[1]);
	test_expect_exit(a, 0, "child");
}

/* setsid: a new session and group; a group leader cannot. */
static void
setsid_child(void *arg)
{
	pid_t me = getpid();

	(void)arg;
	if (getpgrp() == me)
		_exit(10); /* already a leader: the test cannot tell */
	if (setsid() != me)
		_exit(1);
	if (getsid(0) != me || getpgrp() != me)
		_exit(2);
	if (setsid() != -1 || errno != EPERM)
		_exit(3);
	if (setpgid(0, 0) != -1 || errno != EPERM)
		_exit(4); /* a session leader cannot move */
	_exit(0);
}

static void
t_jobctl_setsid(void)
{
	int status = test_child_status(setsid_child, NULL);

	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "setsid child: status 0x%x", status);
	test_assert(getsid(0) >= 0); /* 0: init's session on Linux */
	test_expect_eq(getsid(getpid()), getsid(0), "getsid(self)");
}

/* kill(0, sig) reaches the caller's group, itself included. */
static void
group_killer(void *arg)
{
	int p[2];
	pid_t grandchild;

	(void)arg;
	setpgid(0, 0);
	if (pipe(p) != 0)
		_exit(1);
	grandchild = fork();
	if (grandchild == 0) {
		char c;

		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	kill(0, SIGUSR1);
	_exit(2);
}

static void
t_jobctl_kill_group_zero(void)
{
	test_expect_child_signal(group_killer, NULL, SIGUSR1, "kill(0)");
}

/* wait4(0): only children in the caller's process group. */
static void
t_jobctl_wait_group(void)
{
	int p[2], status;
	pid_t in, out;

	test_pipe(p);
	out = waiting_child(p);
	test_expect_ok(setpgid(out, out), "move out");
	in = test_fork();
	if (in == 0)
		_exit(4);
	test_expect_eq(waitpid(0, &status, 0), in, "wait4(0) takes ours");
	test_expect_eq(waitpid(0, &status, WNOHANG), -1,
	    "wait4(0): none left in the group");
	test_expect_eq(errno, ECHILD, "ECHILD");
	close(p[1]);
	test_expect_exit(out, 0, "the other group's child");
}

/* tgkill and tkill reach the calling thread's handler. */
static void
count(int sig)
{
	(void)sig;
	hits++;
}

static void
t_jobctl_tgkill(void)
{
	long tid = syscall(SYS_gettid);

	sig_handle(SIGUSR1, count, 0);
	test_expect_ok(syscall(SYS_tgkill, getpid(), tid, SIGUSR1), "tgkill");
	test_expect_ok(syscall(SYS_tkill, tid, SIGUSR1), "tkill");
	test_expect_eq(hits, 2, "two deliveries");
	test_expect_errno(syscall(SYS_tgkill, getpid(), 0x3fffffff, SIGUSR1),
	    ESRCH, "tgkill of no thread");
	test_expect_errno(syscall(SYS_tgkill, 0, tid, SIGUSR1), EINVAL,
	    "tgkill tgid 0");
	test_expect_errno(syscall(SYS_tkill, tid, 99), EINVAL, "signal 99");
}

const struct test sig_jobctl_tests[] = {
	{ "jobctl_default_actions", t_jobctl_default_actions, NULL },
	{ "jobctl_raise_term", t_jobctl_raise_term, NULL },
	{ "jobctl_stop_cont", t_jobctl_stop_cont, NULL },
	{ "jobctl_stopped_does_not_run", t_jobctl_stopped_does_not_run, NULL },
	{ "jobctl_orphaned_no_tstp", t_jobctl_orphaned_no_tstp, NULL },
	{ "jobctl_orphaned_stopped_hup", t_jobctl_orphaned_stopped_hup, NULL },
	{ "jobctl_sigchld", t_jobctl_sigchld, NULL },
	{ "jobctl_sigchld_ignored", t_jobctl_sigchld_ignored, NULL },
	{ "jobctl_sigpipe", t_jobctl_sigpipe, NULL },
	{ "jobctl_pgrp", t_jobctl_pgrp, NULL },
	{ "jobctl_errors", t_jobctl_errors, NULL },
	{ "jobctl_setsid", t_jobctl_setsid, NULL },
	{ "jobctl_kill_group_zero", t_jobctl_kill_group_zero, NULL },
	{ "jobctl_wait_group", t_jobctl_wait_group, NULL },
	{ "jobctl_tgkill", t_jobctl_tgkill, NULL },
	{ NULL, NULL, NULL },
};
