/*
 * runner.c: main() of every test suite (see test.h for the command line
 * and the output).  The suite's tests come from its `test_suite`.
 *
 * Output: every line goes out in one write() from a stack buffer, so
 * nothing sits in a stdio buffer when a process forks.  A test child
 * reports through the write end of a pipe that the runner reads after
 * the child has ended; any other process writes "#   (pid N) ..."
 * straight to standard output.
 */

#include "test.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_MAX 4096 /* bytes of messages kept per test */
#define LINE_MAX_TEST 1024
#define MAX_CHOSEN 1024 /* tests one run can name */
#define DEFAULT_SEED 0x5eed1234abcdULL
/* test_skip's exit status, with its reason first in the report. */
#define SKIP_STATUS 77
#define SKIP_PREFIX "# SKIP "

int test_native;
const char *test_self;
uint64_t test_seed = DEFAULT_SEED;

/* The write end of the current test's report pipe, in the test child. */
static int report_fd = -1;
/* The pid of the test child itself (its own children report elsewhere). */
static pid_t test_pid;

/* ---------------------------------------------------------------------
 * Output.
 */

static void
vwrite_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_TEST];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	test_write_all(fd, buf, n);
}

/* Print one line on standard output. */
static void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite_line(1, "", fmt, ap);
	va_end(ap);
}

void
test_note(const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	va_start(ap, fmt);
	if (report_fd >= 0 && getpid() == test_pid) {
		vwrite_line(report_fd, "#   ", fmt, ap);
	} else {
		snprintf(prefix, sizeof(prefix), "#   (pid %d) ",
		    (int)getpid());
		vwrite_line(1, prefix, fmt, ap);
	}
	va_end(ap);
}

_Noreturn void
test_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[LINE_MAX_TEST - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test_note("%s:%d: %s", file, line, msg);
	_exit(1);
}

_Noreturn void
test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (report_fd >= 0 && getpid() == test_pid)
		vwrite_line(report_fd, SKIP_PREFIX, fmt, ap);
	va_end(ap);
	_exit(SKIP_STATUS);
}

/* ---------------------------------------------------------------------
 * Leak accounting.
 */

int
test_kstat(struct kstat *ks)
{
	int r;

	memset(ks, 0, sizeof(*ks));
	r = kstat(ks, sizeof(*ks));
	if (r >= 0)
		return 0;
	/* The stub may return -1 with errno set, or -errno itself. */
	return r == -1 ? -errno : r;
}

/* Compare the counters that must come back; describe the differences. */
static int
kstat_differs(const struct kstat *a, const struct kstat *b, char *buf,
    size_t size)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "free pages", offsetof(struct kstat, ks_pages_free) },
		{ "kernel heap bytes", offsetof(struct kstat, ks_kheap_used) },
		{ "processes", offsetof(struct kstat, ks_nprocs) },
		{ "LWPs", offsetof(struct kstat, ks_nlwps) },
		{ "vmspaces", offsetof(struct kstat, ks_nvmspaces) },
		{ "vmspace entries",
		    offsetof(struct kstat, ks_nvmspace_entries) },
	};
	size_t n = 0;
	int differs = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t va =
		    *(const uint64_t *)((const char *)a + fields[i].off);
		uint64_t vb =
		    *(const uint64_t *)((const char *)b + fields[i].off);
		if (va == vb)
			continue;
		differs = 1;
		if (n < size)
			n += snprintf(buf + n, size - n, "%s%s %llu -> %llu",
			    n ? ", " : "", fields[i].name,
			    (unsigned long long)va, (unsigned long long)vb);
	}
	return differs;
}

/*
 * Orphans that init has not reaped yet and LWPs still being torn down
 * get up to `ms` milliseconds to go away.
 */
int
test_kstat_settle(const struct kstat *want, struct kstat *got, unsigned ms,
    char *diff, size_t size)
{
	uint64_t end = test_now_ns() + (uint64_t)ms * 1000000u;

	for (int i = 0;; i++) {
		int r = test_kstat(got);
		if (r != 0) {
			snprintf(diff, size, "kstat failed: %s",
			    test_errname(-r));
			return 0;
		}
		if (!kstat_differs(want, got, diff, size))
			return 1;
		if (test_now_ns() > end)
			return 0;
		if (i < 20)
			sched_yield();
		else
			test_sleep_ns(2000000);
	}
}

/* ---------------------------------------------------------------------
 * The runner.
 */

struct run {
	int number; /* the last TAP number used */
	int passed, failed, skipped;
	unsigned timeout_s; /* 0: no limit */
	char leaks[1024];   /* names of tests after which counters moved */
	size_t leaks_len;
};

/*
 * Wait for the test child, killing it when it runs past the time limit.
 * Returns its wait status; sets *timed_out.
 */
static int
wait_test(pid_t pid, unsigned timeout_s, int *timed_out)
{
	uint64_t deadline = test_now_ns() + (uint64_t)timeout_s * 1000000000u;
	uint64_t nap = 100000; /* 0.1 ms, growing to 10 ms */
	int status = 0;

	*timed_out = 0;
	for (;;) {
		long r = wait4(pid, &status, WNOHANG, NULL);
		if (r == pid)
			return status;
		if (r < 0) {
			out("# runner: wait4(%d) failed: %s", (int)pid,
			    test_errname(errno));
			return 0x7f00;
		}
		if (timeout_s != 0 && test_now_ns() > deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, NULL);
			return status;
		}
		test_sleep_ns(nap);
		if (nap < 10000000)
			nap *= 2;
	}
}

/*
 * Collect what the test child wrote to its report pipe.  The runner
 * still holds a write end: it writes a NUL after the child has ended and
 * reads up to it, so that processes the test left behind holding the
 * pipe cannot make this wait.
 */
static void
collect_report(int fds[2], char *buf, size_t size)
{
	size_t n = 0;
	char c = '\0', chunk[512];

	buf[0] = '\0';
	if (write(fds[1], &c, 1) != 1)
		return;
	for (;;) {
		long r = read(fds[0], chunk, sizeof(chunk));
		if (r <= 0)
			break;
		for (long i = 0; i < r; i++) {
			if (chunk[i] == '\0')
				goto done;
			if (n < size - 1)
				buf[n++] = chunk[i];
		}
	}
done:
	buf[n] = '\0';
}

/*
 * The command that runs this test again, with the seed when it is not
 * the default: `make check` boots the suite with the test's name (the
 * machine, CPU and memory of the failing boot are printed by the script
 * that booted it).
 */
static void
print_reproduce(const char *name)
{
	if (test_seed != DEFAULT_SEED || test_suite.seeded)
		out("#   reproduce: make check TEST=%s/%s SEED=%llu",
		    test_suite.name, name, (unsigned long long)test_seed);
	else
		out("#   reproduce: make check TEST=%s/%s", test_suite.name,
		    name);
}

/* Record that the kernel's counters moved during test `name`. */
static void
note_leak(struct run *run, const char *name, const char *diff)
{
	out("#   leak? after %s: %s", name, diff);
	if (run->leaks_len < sizeof(run->leaks) - 64)
		run->leaks_len += snprintf(run->leaks + run->leaks_len,
		    sizeof(run->leaks) - run->leaks_len, "%s%s",
		    run->leaks_len ? ", " : "", name);
}

/* The reason test t cannot run here, or NULL if it can. */
static const char *
skip_reason(const struct test *t)
{
	if (test_native)
		return NULL;
	if (test_suite.native_only != NULL)
		return test_suite.native_only;
	return t->native;
}

/* Run the test in a child process and print its TAP line. */
static void
run_test(struct run *run, const struct test *t)
{
	static char report[REPORT_MAX];
	struct kstat before, after;
	int fds[2], status, timed_out, ok;
	char how[96], diff[256];
	const char *skip = skip_reason(t);
	pid_t pid;

	run->number++;
	if (skip != NULL) {
		out("ok %d - %s # SKIP not our kernel: %s", run->number,
		    t->name, skip);
		run->skipped++;
		return;
	}
	if (test_native)
		test_kstat(&before);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		out("not ok %d - %s", run->number, t->name);
		out("#   runner: pipe2 failed: %s", test_errname(errno));
		run->failed++;
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		test_pid = getpid();
		t->fn();
		_exit(0);
	}
	if (pid < 0) {
		status = 0x7f00;
		timed_out = 0;
		snprintf(how, sizeof(how), "could not be started: fork: %s",
		    test_errname(errno));
	} else {
		status = wait_test(pid, run->timeout_s, &timed_out);
		test_status_str(status, how, sizeof(how));
	}
	collect_report(fds, report, sizeof(report));
	close(fds[0]);
	close(fds[1]);

	if (pid > 0 && !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == SKIP_STATUS &&
	    strncmp(report, SKIP_PREFIX, strlen(SKIP_PREFIX)) == 0) {
		/* test_skip: its reason on the TAP line, the rest below. */
		char *rest = strchr(report, '\n');

		if (rest != NULL)
			*rest++ = '\0';
		out("ok %d - %s # SKIP %s", run->number, t->name,
		    report + strlen(SKIP_PREFIX));
		if (rest != NULL && *rest != '\0')
			test_write_all(1, rest, strlen(rest));
		run->skipped++;
		goto leaks;
	}
	ok = pid > 0 && !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	out("%s %d - %s", ok ? "ok" : "not ok", run->number, t->name);
	if (report[0] != '\0')
		test_write_all(1, report, strlen(report));
	if (ok) {
		run->passed++;
	} else {
		run->failed++;
		if (timed_out)
			out("#   timed out after %u s and was killed",
			    run->timeout_s);
		else
			out("#   the test process %s", how);
		print_reproduce(t->name);
	}
leaks:
	if (test_native &&
	    !test_kstat_settle(&before, &after, 1000, diff, sizeof(diff)))
		note_leak(run, t->name, diff);
}

/* The final TAP line: everything the run used must have come back. */
static void
leak_check(struct run *run, const struct kstat *base)
{
	struct kstat now;
	char diff[256];

	run->number++;
	if (!test_native) {
		out("ok %d - leak_check # SKIP not our kernel: no kstat()",
		    run->number);
		run->skipped++;
		return;
	}
	if (test_kstat_settle(base, &now, 5000, diff, sizeof(diff))) {
		out("ok %d - leak_check", run->number);
		run->passed++;
		return;
	}
	out("not ok %d - leak_check", run->number);
	out("#   expected the kernel's counters back at their values before "
	    "the run: %s",
	    diff);
	if (run->leaks_len)
		out("#   counters moved after: %s", run->leaks);
	out("#   reproduce: make check TEST=%s", test_suite.name);
	run->failed++;
}

static const struct test *
find_test(const char *name)
{
	for (const struct test *const *tab = test_suite.tables; *tab; tab++)
		for (const struct test *t = *tab; t->name; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return NULL;
}

/* Decide whether this is our kernel: kstat() works or uname says so. */
static void
detect_kernel(void)
{
	struct kstat ks;
	struct utsname u;
	int kr = test_kstat(&ks);
	int linux_name = uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;

	test_native = !(kr == -ENOSYS && linux_name);
	if (test_native && kr != 0)
		out("# kstat() fails (%s) but this is not Linux: running the "
		    "native tests anyway",
		    test_errname(-kr));
}

/*
 * Bring the runner to a steady state before the baseline: touch the
 * stack it will use and exercise fork, pipes and the clock once, so that
 * nothing it does later allocates memory for the first time.
 */
static void __attribute__((noinline)) warm_up(void)
{
	volatile char stack[64 * 1024];
	int fds[2], status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(stack); i += 512)
		stack[i] = 0;
	if (pipe2(fds, O_CLOEXEC) == 0) {
		close(fds[0]);
		close(fds[1]);
	}
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		wait4(pid, &status, 0, NULL);
	test_sleep_ns(1000);
}

static int
usage(void)
{
	out("usage: %s [-s SEED] [-t SECONDS]%s [NAME...] | -l",
	    test_suite.name, test_suite.usage ? test_suite.usage : "");
	return 2;
}

static void
list_tests(void)
{
	for (const struct test *const *tab = test_suite.tables; *tab; tab++)
		for (const struct test *t = *tab; t->name; t++)
			out("%s%s%s%s", t->name, t->native ? "  (native: " : "",
			    t->native ? t->native : "", t->native ? ")" : "");
}

int
main(int argc, char **argv)
{
	struct run run = { .timeout_s = test_suite.timeout_s };
	static const struct test *chosen[MAX_CHOSEN];
	struct kstat base;
	int nchosen = 0, i, r;

	test_self = argc > 0 ? argv[0] : NULL;
	if (test_suite.early != NULL && (r = test_suite.early(argc, argv)) >= 0)
		return r;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-l") == 0) {
			list_tests();
			return 0;
		} else if (a[0] == '-' && a[1] != '\0' && a[2] == '\0' &&
		    i + 1 < argc) {
			if (a[1] == 's')
				test_seed = strtoull(argv[++i], NULL, 0);
			else if (a[1] == 't')
				run.timeout_s = atoi(argv[++i]);
			else if (test_suite.option == NULL ||
			    test_suite.option(a[1], argv[++i]) != 0)
				return usage();
		} else if (a[0] == '-') {
			return usage();
		} else if (find_test(a) == NULL) {
			out("%s: no test named %s", test_suite.name, a);
			return usage();
		} else if (nchosen < MAX_CHOSEN) {
			chosen[nchosen++] = find_test(a);
		}
	}
	if (nchosen == 0)
		for (const struct test *const *tab = test_suite.tables; *tab;
		     tab++)
			for (const struct test *t = *tab; t->name; t++)
				if (nchosen < MAX_CHOSEN)
					chosen[nchosen++] = t;

	detect_kernel();
	out("# %s: %d tests on %s, seed %llu", test_suite.name, nchosen,
	    test_native ? "our kernel" : "Linux (native tests skipped)",
	    (unsigned long long)test_seed);
	out("1..%d", nchosen + 1);
	warm_up();
	if (test_native)
		test_kstat(&base);

	for (i = 0; i < nchosen; i++)
		run_test(&run, chosen[i]);
	leak_check(&run, &base);

	if (run.skipped)
		out("%d passed, %d failed, %d skipped", run.passed, run.failed,
		    run.skipped);
	else
		out("%d passed, %d failed", run.passed, run.failed);
	return run.failed > 126 ? 126 : run.failed;
}
