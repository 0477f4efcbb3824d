/*
 * prctl: thread names, the parent-death signal, the dumpable and
 * no-new-privileges flags, and the errors of each.
 */

#include "sys.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void
t_prctl_name(void)
{
	char name[16], buf[64];

	test_expect_ok(prctl(PR_SET_NAME, "worker"), "PR_SET_NAME");
	memset(name, 'x', sizeof(name));
	test_expect_ok(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	test_assert_msg(strcmp(name, "worker") == 0, "name %.16s", name);
	/* Longer names are cut to 15 bytes. */
	test_expect_ok(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"),
	    "PR_SET_NAME 26 bytes");
	test_expect_ok(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	test_assert_msg(strcmp(name, "abcdefghijklmno") == 0, "cut name %.16s",
	    name);
	/* Exactly 15 bytes at the end of the buffer: no 16th byte read. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "0123456789abcde", 15);
	test_expect_ok(prctl(PR_SET_NAME, buf), "PR_SET_NAME 15 bytes");
	test_expect_ok(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	test_assert_msg(strcmp(name, "0123456789abcde") == 0, "name %.16s",
	    name);
	test_expect_errno(prctl(PR_SET_NAME, (char *)8), EFAULT,
	    "PR_SET_NAME bad pointer");
	test_expect_errno(prctl(PR_GET_NAME, (char *)8), EFAULT,
	    "PR_GET_NAME bad pointer");
}

static volatile sig_atomic_t sys_pdeath_got;

static void
sys_pdeath_handler(int sig)
{
	sys_pdeath_got = sig;
}

static void
t_prctl_pdeathsig(void)
{
	int p[2], sig = -1, status;
	pid_t mid;
	char c;

	test_expect_ok(prctl(PR_GET_PDEATHSIG, &sig), "PR_GET_PDEATHSIG");
	test_expect_eq(sig, 0, "none at first");
	test_expect_errno(prctl(PR_SET_PDEATHSIG, 65), EINVAL, "signal 65");
	test_expect_errno(prctl(PR_GET_PDEATHSIG, (int *)8), EFAULT,
	    "PR_GET_PDEATHSIG bad pointer");
	test_expect_ok(prctl(PR_SET_PDEATHSIG, SIGUSR1), "PR_SET_PDEATHSIG");
	test_expect_ok(prctl(PR_GET_PDEATHSIG, &sig), "PR_GET_PDEATHSIG");
	test_expect_eq(sig, SIGUSR1, "set");

	/*
	 * A middle process forks a grandchild that asks for SIGUSR1 when
	 * its parent dies, then exits; the grandchild reports through the
	 * pipe whether the signal came.
	 */
	test_pipe(p);
	mid = test_fork();
	if (mid == 0) {
		pid_t gc = fork();

		if (gc < 0)
			_exit(2);
		if (gc == 0) {
			sigset_t block, old;

			sig = -1;
			if (prctl(PR_GET_PDEATHSIG, &sig) != 0 || sig != 0)
				_exit(3); /* a fork child has none */
			/* Blocked until sigsuspend: no wakeup is lost. */
			sigemptyset(&block);
			sigaddset(&block, SIGUSR1);
			sigprocmask(SIG_BLOCK, &block, &old);
			signal(SIGUSR1, sys_pdeath_handler);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			if (write(p[1], "r", 1) != 1)
				_exit(4);
			while (sys_pdeath_got == 0)
				sigsuspend(&old);
			c = sys_pdeath_got == SIGUSR1 ? 'y' : 'n';
			_exit(write(p[1], &c, 1) == 1 ? 0 : 5);
		}
		if (read(p[0], &c, 1) != 1)
			_exit(6);
		_exit(0); /* the grandchild's parent dies */
	}
	test_expect_exit(mid, 0, "the middle process");
	close(p[1]);
	test_expect_eq(read(p[0], &c, 1), 1, "the grandchild's answer");
	test_expect_eq(c, 'y', "SIGUSR1 on the parent's death");
	(void)waitpid(-1, &status, WNOHANG);
}

static void
t_prctl_flags(void)
{
	pid_t pid;

	test_expect_eq(prctl(PR_GET_DUMPABLE), 1, "dumpable at first");
	test_expect_ok(prctl(PR_SET_DUMPABLE, 0), "PR_SET_DUMPABLE 0");
	test_expect_eq(prctl(PR_GET_DUMPABLE), 0, "not dumpable");
	test_expect_errno(prctl(PR_SET_DUMPABLE, 2), EINVAL, "dumpable 2");
	test_expect_ok(prctl(PR_SET_DUMPABLE, 1), "PR_SET_DUMPABLE 1");
	test_expect_eq(prctl(PR_GET_DUMPABLE), 1, "dumpable again");

	test_expect_errno(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL,
	    "PR_SET_NO_NEW_PRIVS 0");
	test_expect_errno(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL,
	    "PR_SET_NO_NEW_PRIVS arg3");
	test_expect_errno(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL,
	    "PR_GET_NO_NEW_PRIVS arg2");
	pid = test_fork();
	if (pid == 0) {
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
			_exit(1);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(2);
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 3);
	}
	test_expect_exit(pid, 0, "no_new_privs set in a child");
	test_expect_errno(prctl(-5, 0, 0, 0, 0), EINVAL, "unknown option");
}

const struct test sys_prctl_tests[] = {
	{ "prctl_name", t_prctl_name, NULL },
	{ "prctl_pdeathsig", t_prctl_pdeathsig, NULL },
	{ "prctl_flags", t_prctl_flags, NULL },
	{ NULL, NULL, NULL },
};
