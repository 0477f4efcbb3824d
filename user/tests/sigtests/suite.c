/*
 * sigtests: signals and process groups (see sig.h).
 *
 *   sigtests [-s SEED] [-t SECONDS] [NAME...]
 *   sigtests -l
 *
 * The runner is the test library's (user/tests/lib/test.h).  make test
 * runs it with 1 and 4 CPUs; `make check-linux TEST=sigtests` runs it on
 * Linux 6.1, where every test must pass too.
 */

#include "sig.h"

#include <string.h>
#include <unistd.h>

void
sig_handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	test_expect_ok(sigaction(sig, &sa, NULL), "sigaction");
}

void
sig_handle_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	test_expect_ok(sigaction(sig, &sa, NULL), "sigaction SA_SIGINFO");
}

static void
sig_mask1(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	test_expect_ok(sigprocmask(how, &set, NULL), "sigprocmask");
}

void
sig_block(int sig)
{
	sig_mask1(SIG_BLOCK, sig);
}

void
sig_unblock(int sig)
{
	sig_mask1(SIG_UNBLOCK, sig);
}

pid_t
sig_send_later(int sig, unsigned ms)
{
	pid_t parent = getpid(), pid = test_fork();

	if (pid == 0) {
		test_sleep_ns(ms * SIG_MS);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static const struct test *const tables[] = {
	sig_handler_tests,
	sig_restart_tests,
	sig_fault_tests,
	sig_sigreturn_tests,
	sig_jobctl_tests,
	sig_thread_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "sigtests",
	.tables = tables,
	.timeout_s = 60,
};
