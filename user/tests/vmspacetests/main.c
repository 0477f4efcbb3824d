/*
 * vmspacetests: the vmspace service's test suite (issue 5, ABI.md
 * section 4).
 *
 *   vmspacetests [-t SECONDS] [NAME...]
 *   vmspacetests -l
 *
 * With no NAME it runs every test, in table order; otherwise the named
 * ones.  -t sets the time limit of one test (default 30 s; a test still
 * running then is killed and fails), -l lists the tests.  The output is
 * TAP (ABI.md section 5): one line per test, "# " lines under a failure
 * saying what was expected, what happened and where, and the command
 * that reproduces it; then a leak check line and the summary
 * "N passed, N failed".  The exit status is the number of failures, at
 * most 126.
 *
 * Each test runs in a child process of its own, so each starts without
 * a vkernel structure (the runner never makes one: a vmspace_create here
 * would be shared by every test child through fork).  The child reports
 * a failure through a pipe that only the runner reads, so its messages
 * are printed under its TAP line.
 *
 * The runner reads the kernel's counters with kstat() before and after
 * every test and the whole run: free pages, kernel heap bytes,
 * processes, LWPs, address spaces and vmspace entries must all come
 * back.  The vmspace calls exist only on our kernel: if kstat() fails
 * with ENOSYS, every test is reported as skipped.
 *
 * The runner is vmtests' (user/tests/vmtests/main.c) with the checks
 * this suite needs.
 */

#include "vs.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT	30		/* seconds per test */
#define REPORT_MAX	4096		/* bytes of messages kept per test */
#define LINE_MAX_VS	1024

/* kstat() works: this is our kernel. */
static int vs_native;

/* The write end of the current test's report pipe, in the test child. */
static int report_fd = -1;
/* The pid of the test child itself (its own children report elsewhere). */
static pid_t test_pid;

static const struct vs_test *const suites[] = {
	vs_error_tests, vs_memory_tests, vs_trap_tests, vs_proc_tests,
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

/* ---------------------------------------------------------------------
 * Output.  Every line goes out in one write() from a stack buffer, so
 * nothing sits in a stdio buffer when a process forks.
 */

static void
vwrite_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_VS];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	vs_write_all(fd, buf, n);
}

/* Print one line on standard output. */
static void __attribute__((format(printf, 1, 2)))
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite_line(1, "", fmt, ap);
	va_end(ap);
}

/*
 * Send a message to the runner: through the report pipe from the test
 * child itself, straight to standard output (marked with the pid) from
 * any process it started.
 */
static void
vreport(const char *fmt, va_list ap)
{
	char prefix[48];

	if (report_fd >= 0 && getpid() == test_pid) {
		vwrite_line(report_fd, "#   ", fmt, ap);
	} else {
		snprintf(prefix, sizeof(prefix), "#   (pid %d) ", (int)getpid());
		vwrite_line(1, prefix, fmt, ap);
	}
}

void
vs_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

_Noreturn void
vs_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[LINE_MAX_VS - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vs_note("%s:%d: %s", file, line, msg);
	_exit(1);
}

/* ---------------------------------------------------------------------
 * Names for errno values and signals.
 */

static const char *const errnames[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
	[EINTR] = "EINTR", [EIO] = "EIO", [E2BIG] = "E2BIG",
	[ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF", [ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES",
	[EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
	[ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
	[EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY",
	[EFBIG] = "EFBIG", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
	[EPIPE] = "EPIPE", [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
	[EOPNOTSUPP] = "EOPNOTSUPP",
};

const char *
vs_errname(int err)
{
	if (err > 0 && err < (int)(sizeof(errnames) / sizeof(errnames[0])) &&
	    errnames[err] != NULL)
		return errnames[err];
	return "E?";
}

static const char *const signames[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGCHLD] = "SIGCHLD", [SIGSYS] = "SIGSYS",
};

const char *
vs_signame(int sig)
{
	if (sig > 0 && sig < (int)(sizeof(signames) / sizeof(signames[0])) &&
	    signames[sig] != NULL)
		return signames[sig];
	return "SIG?";
}

void
vs_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(status), vs_signame(WTERMSIG(status)));
	else
		snprintf(buf, size, "has wait status 0x%x", status);
}

/* Describe a libc-style result: "3", or "-1 (ENOENT)". */
static void
result_str(long r, int err, char *buf, size_t size)
{
	if (r == -1)
		snprintf(buf, size, "-1 (%s, %d)", vs_errname(err), err);
	else
		snprintf(buf, size, "%ld (0x%lx)", r, (unsigned long)r);
}

/* ---------------------------------------------------------------------
 * Checks (see vs.h).
 */

long
vs_expect_ok_at(const char *file, int line, long r, const char *what)
{
	if (r == -1)
		vs_fail_at(file, line, "%s: expected success, got -1 (%s, %d)",
		    what, vs_errname(errno), errno);
	return r;
}

void
vs_expect_errno_at(const char *file, int line, long r, int err,
    const char *what)
{
	char got[64];

	if (r == -1 && errno == err)
		return;
	result_str(r, errno, got, sizeof(got));
	vs_fail_at(file, line, "%s: expected -1 (%s, %d), got %s", what,
	    vs_errname(err), err, got);
}

void
vs_expect_eq_at(const char *file, int line, long got, long want,
    const char *what)
{
	if (got == want)
		return;
	if (got == -1)
		vs_fail_at(file, line, "%s: expected %ld, got -1 (%s)", what,
		    want, vs_errname(errno));
	if (got < 0 && got >= -133)	/* a raw -errno result */
		vs_fail_at(file, line, "%s: expected %ld (0x%lx), got %ld "
		    "(-%s)", what, want, (unsigned long)want, got,
		    vs_errname((int)-got));
	vs_fail_at(file, line, "%s: expected %ld (0x%lx), got %ld (0x%lx)",
	    what, want, (unsigned long)want, got, (unsigned long)got);
}

void
vs_expect_hex_at(const char *file, int line, uint64_t got, uint64_t want,
    const char *what)
{
	if (got != want)
		vs_fail_at(file, line, "%s: expected 0x%llx, got 0x%llx", what,
		    (unsigned long long)want, (unsigned long long)got);
}

void
vs_expect_trap_at(const char *file, int line, const struct trapframe *tf,
    uint64_t trapno, uint64_t rip, const char *what)
{
	if (tf->tf_trapno == trapno && tf->tf_rip == rip)
		return;
	vs_fail_at(file, line, "%s: expected trap %llu (%s) at rip 0x%llx, "
	    "got trap %llu (%s) at rip 0x%llx (addr 0x%llx, err 0x%llx)",
	    what, (unsigned long long)trapno, vs_trapname(trapno),
	    (unsigned long long)rip, (unsigned long long)tf->tf_trapno,
	    vs_trapname(tf->tf_trapno), (unsigned long long)tf->tf_rip,
	    (unsigned long long)tf->tf_addr, (unsigned long long)tf->tf_err);
}

void
vs_kstat_at(const char *file, int line, struct kstat *ks)
{
	int r = vs_kstat_raw(ks);

	if (r != 0)
		vs_fail_at(file, line, "kstat: expected success, got %s",
		    vs_errname(-r));
}

void
vs_expect_entries_at(const char *file, int line, uint64_t want,
    const char *what)
{
	uint64_t end = vs_now_ns() + 2000000000ULL;
	struct kstat ks;

	for (int i = 0;; i++) {
		vs_kstat_at(file, line, &ks);
		if (ks.ks_nvmspace_entries == want)
			return;
		if (vs_now_ns() > end)
			break;
		if (i < 20)
			sched_yield();
		else
			vs_sleep_ns(2000000);
	}
	vs_fail_at(file, line, "%s: expected %llu vmspace entries "
	    "(ks_nvmspace_entries), got %llu", what, (unsigned long long)want,
	    (unsigned long long)ks.ks_nvmspace_entries);
}

pid_t
vs_fork_at(const char *file, int line)
{
	pid_t pid = fork();

	if (pid < 0)
		vs_fail_at(file, line, "fork: expected success, got -1 (%s)",
		    vs_errname(errno));
	return pid;
}

int
vs_wait_at(const char *file, int line, pid_t pid)
{
	int status = 0;
	long r = wait4(pid, &status, 0, NULL);

	if (r != pid)
		vs_fail_at(file, line, "wait4(%d): expected %d, got %ld (%s)",
		    (int)pid, (int)pid, r, r < 0 ? vs_errname(errno) : "");
	return status;
}

void
vs_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what)
{
	int status = vs_wait_at(file, line, pid);
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	vs_status_str(status, how, sizeof(how));
	vs_fail_at(file, line, "%s: expected the child to exit with status "
	    "%d; it %s", what, code, how);
}

void
vs_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what)
{
	int status = vs_wait_at(file, line, pid);
	char how[80];

	if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return;
	vs_status_str(status, how, sizeof(how));
	vs_fail_at(file, line, "%s: expected the child to be killed by "
	    "signal %d (%s); it %s", what, sig, vs_signame(sig), how);
}

void
vs_pipe_at(const char *file, int line, int fds[2])
{
	if (pipe(fds) != 0)
		vs_fail_at(file, line, "pipe: expected success, got -1 (%s)",
		    vs_errname(errno));
}

void *
vs_map_at(const char *file, int line, size_t len)
{
	long p = vs_mmap(0, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == -1)
		vs_fail_at(file, line, "mmap(%zu): expected success, got -1 "
		    "(%s)", len, vs_errname(errno));
	return (void *)p;
}

int
vs_memfd_at(const char *file, int line, size_t size)
{
	long fd = syscall(VS_NR_MEMFD_CREATE, "vmspacetests", 0);

	if (fd < 0)
		vs_fail_at(file, line, "memfd_create: expected success, got "
		    "-1 (%s)", vs_errname(errno));
	if (syscall(SYS_ftruncate, fd, size) != 0)
		vs_fail_at(file, line, "ftruncate(memfd, %zu): expected "
		    "success, got -1 (%s)", size, vs_errname(errno));
	return (int)fd;
}

/* ---------------------------------------------------------------------
 * Small tools (see vs.h).
 */

long
vs_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
    long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

long
vs_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		long r = write(fd, p + done, n - done);
		if (r <= 0)
			return r;
		done += r;
	}
	return (long)done;
}

uint64_t
vs_now_ns(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void
vs_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u
	};

	syscall(SYS_nanosleep, &ts, NULL);
}

int
vs_kstat_raw(struct kstat *ks)
{
	int r;

	memset(ks, 0, sizeof(*ks));
	r = kstat(ks, sizeof(*ks));
	if (r >= 0)
		return 0;
	/* The stub may return -1 with errno set, or -errno itself. */
	return r == -1 ? -errno : r;
}

/* ---------------------------------------------------------------------
 * Leak accounting.
 */

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
		uint64_t va = *(const uint64_t *)((const char *)a +
		    fields[i].off);
		uint64_t vb = *(const uint64_t *)((const char *)b +
		    fields[i].off);
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
vs_kstat_settle(const struct kstat *want, struct kstat *got, unsigned ms,
    char *diff, size_t size)
{
	uint64_t end = vs_now_ns() + (uint64_t)ms * 1000000u;

	for (int i = 0;; i++) {
		int r = vs_kstat_raw(got);
		if (r != 0) {
			snprintf(diff, size, "kstat failed: %s",
			    vs_errname(-r));
			return 0;
		}
		if (!kstat_differs(want, got, diff, size))
			return 1;
		if (vs_now_ns() > end)
			return 0;
		if (i < 20)
			sched_yield();
		else
			vs_sleep_ns(2000000);
	}
}

/* ---------------------------------------------------------------------
 * The runner.
 */

struct run {
	int number;		/* the last TAP number used */
	int passed, failed, skipped;
	unsigned timeout_s;
	char leaks[1024];	/* names of tests after which counters moved */
	size_t leaks_len;
};

/*
 * Wait for the test child, killing it when it runs past the time limit.
 * Returns its wait status; sets *timed_out.
 */
static int
wait_test(pid_t pid, unsigned timeout_s, int *timed_out)
{
	uint64_t deadline = vs_now_ns() + (uint64_t)timeout_s * 1000000000u;
	uint64_t nap = 100000;		/* 0.1 ms, growing to 10 ms */
	int status = 0;

	*timed_out = 0;
	for (;;) {
		long r = wait4(pid, &status, WNOHANG, NULL);
		if (r == pid)
			return status;
		if (r < 0) {
			out("# runner: wait4(%d) failed: %s", (int)pid,
			    vs_errname(errno));
			return 0x7f00;
		}
		if (vs_now_ns() > deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, NULL);
			return status;
		}
		vs_sleep_ns(nap);
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

static void
print_reproduce(const char *name)
{
	out("#   reproduce: make check "
	    "TEST=vmspacetests/%s", name);
}

/* Run the test in a child process and print its TAP line. */
static void
run_test(struct run *run, const struct vs_test *t)
{
	static char report[REPORT_MAX];
	struct kstat before, after;
	int fds[2], status, timed_out, ok;
	char how[96], diff[256];
	pid_t pid;

	run->number++;
	if (!vs_native) {
		out("ok %d - %s # SKIP not our kernel: kstat() fails with "
		    "ENOSYS", run->number, t->name);
		run->skipped++;
		return;
	}
	vs_kstat_raw(&before);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		out("not ok %d - %s", run->number, t->name);
		out("#   runner: pipe2 failed: %s", vs_errname(errno));
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
		    vs_errname(errno));
	} else {
		status = wait_test(pid, run->timeout_s, &timed_out);
		vs_status_str(status, how, sizeof(how));
	}
	collect_report(fds, report, sizeof(report));
	close(fds[0]);
	close(fds[1]);

	ok = pid > 0 && !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	out("%s %d - %s", ok ? "ok" : "not ok", run->number, t->name);
	if (report[0] != '\0')
		vs_write_all(1, report, strlen(report));
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

	if (!vs_kstat_settle(&before, &after, 1000, diff, sizeof(diff))) {
		out("#   leak? after %s: %s", t->name, diff);
		if (run->leaks_len < sizeof(run->leaks) - 64)
			run->leaks_len += snprintf(run->leaks + run->leaks_len,
			    sizeof(run->leaks) - run->leaks_len, "%s%s",
			    run->leaks_len ? ", " : "", t->name);
	}
}

/* The final TAP line: everything the run used must have come back. */
static void
leak_check(struct run *run, const struct kstat *base)
{
	struct kstat now;
	char diff[256];

	run->number++;
	if (!vs_native) {
		out("ok %d - leak_check # SKIP not our kernel: no kstat()",
		    run->number);
		run->skipped++;
		return;
	}
	if (vs_kstat_settle(base, &now, 5000, diff, sizeof(diff))) {
		out("ok %d - leak_check", run->number);
		run->passed++;
		return;
	}
	out("not ok %d - leak_check", run->number);
	out("#   expected the kernel's counters back at their values before "
	    "the run: %s", diff);
	if (run->leaks_len)
		out("#   counters moved after: %s", run->leaks);
	out("#   reproduce: make check "
	    "TEST=vmspacetests");
	run->failed++;
}

static const struct vs_test *
find_test(const char *name)
{
	for (size_t s = 0; s < NSUITES; s++)
		for (const struct vs_test *t = suites[s]; t->name; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return NULL;
}

/*
 * Decide whether this is our kernel: kstat() does not fail with ENOSYS.
 * (Another failure is reported, and the tests run: their leak checks
 * will say what is wrong.)
 */
static void
detect_kernel(void)
{
	struct kstat ks;
	int kr = vs_kstat_raw(&ks);

	vs_native = kr != -ENOSYS;
	if (vs_native && kr != 0)
		out("# kstat() fails (%s): running the tests anyway",
		    vs_errname(-kr));
}

/*
 * Bring the runner to a steady state before the baseline: touch the
 * stack it will use and exercise fork, pipes and the clock once, so that
 * nothing it does later allocates memory for the first time.
 */
static void __attribute__((noinline))
warm_up(void)
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
	vs_sleep_ns(1000);
}

static int
usage(void)
{
	out("usage: vmspacetests [-t SECONDS] [NAME...] | -l");
	return 2;
}

int
main(int argc, char **argv)
{
	struct run run = { .timeout_s = DEFAULT_TIMEOUT };
	const struct vs_test *chosen[256];
	const int max = (int)(sizeof(chosen) / sizeof(chosen[0]));
	struct kstat base;
	int nchosen = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			run.timeout_s = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-l") == 0) {
			for (size_t s = 0; s < NSUITES; s++)
				for (const struct vs_test *t = suites[s];
				    t->name; t++)
					out("%s", t->name);
			return 0;
		} else if (argv[i][0] == '-') {
			return usage();
		} else if (find_test(argv[i]) == NULL) {
			out("vmspacetests: no test named %s", argv[i]);
			return usage();
		} else if (nchosen < max) {
			chosen[nchosen++] = find_test(argv[i]);
		}
	}
	if (nchosen == 0)
		for (size_t s = 0; s < NSUITES; s++)
			for (const struct vs_test *t = suites[s]; t->name; t++)
				if (nchosen < max)
					chosen[nchosen++] = t;

	detect_kernel();
	out("# vmspacetests: %d tests on %s", nchosen,
	    vs_native ? "our kernel" : "another kernel (all skipped)");
	out("1..%d", nchosen + 1);
	warm_up();
	if (vs_native)
		vs_kstat_raw(&base);

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
