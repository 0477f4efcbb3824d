/*
 * ttytests: the console as a terminal (see tty.h).
 *
 *   ttytests [-s SEED] [-t SECONDS] [NAME...]
 *   ttytests -l
 *
 * The runner is the test library's (user/tests/lib/test.h).  make test
 * runs it with 1 and 4 CPUs.
 */

#include "tty.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct termios saved_termios;
static pid_t saved_pgrp;

void
tty_handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	test_expect_ok(sigaction(sig, &sa, NULL), "sigaction");
}

void
tty_save(void)
{
	struct termios t;

	tty_handle(SIGTTOU, SIG_IGN);
	test_expect_ok(tcgetattr(0, &saved_termios), "tcgetattr");
	saved_pgrp = getpgrp(); /* the runner's group, the foreground */
	t = saved_termios;
	t.c_lflag &= ~(ECHO | ECHONL);
	test_expect_ok(tcsetattr(0, TCSAFLUSH, &t), "tcsetattr no echo");
}

void
tty_restore(void)
{
	test_expect_ok(tcsetattr(0, TCSAFLUSH, &saved_termios),
	    "tcsetattr back");
	test_expect_ok(tcsetpgrp(0, saved_pgrp), "tcsetpgrp back");
}

void
tty_type(const char *s)
{
	for (; *s != '\0'; s++)
		test_expect_ok(ioctl(0, TIOCSTI, s), "TIOCSTI");
}

void
tty_foreground_self(void)
{
	tty_handle(SIGTTOU, SIG_IGN);
	test_expect_ok(setpgid(0, 0), "setpgid(0, 0)");
	test_expect_ok(tcsetpgrp(0, getpid()), "tcsetpgrp to our own group");
}

static const struct test *const tables[] = {
	tty_termios_tests,
	tty_jobctl_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "ttytests",
	.tables = tables,
	.timeout_s = 30,
};
