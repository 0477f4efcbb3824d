/*
 * vmtests: the virtual memory test suite (issue 4).
 *
 *   vmtests [-t SECONDS] [NAME...]
 *   vmtests -l
 *
 * With no NAME it runs every test, in table order; otherwise the named
 * ones.  -t sets the time limit of one test (default 120 s; a test still
 * running then is killed and fails), -l lists the tests.  The output is
 * TAP (ABI.md section 5): one line per test, "# " lines under a failure
 * saying what was expected, what happened and where, and the command
 * that reproduces it; then a leak check line and the summary
 * "N passed, N failed, N skipped".  The exit status is the number of
 * failures, at most 126.
 *
 * Each test runs in a child process of its own.  The child reports a
 * failure through a pipe that only the runner reads, so its messages are
 * printed under its TAP line.
 *
 * On our kernel the runner also reads the kernel's counters with kstat()
 * before and after every test and the whole run: free pages, kernel heap
 * bytes, processes, LWPs and address spaces must all come back.  On
 * Linux (kstat() fails with ENOSYS and uname says "Linux") the tests
 * marked native and the leak check are skipped, and the rest must pass
 * there too.
 *
 * The runner is usertests' (user/tests/usertests/main.c) without its
 * helper program and fuzzer seed.
 */

#include "vt.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT	120		/* seconds per test */
#define REPORT_MAX	4096		/* bytes of messages kept per test */
#define LINE_MAX_VT	1024

int vt_native;

/* The write end of the current test's report pipe, in the test child. */
static int report_fd = -1;
/* The pid of the test child itself (its own children report elsewhere). */
static pid_t test_pid;

static const struct vt_test *const suites[] = {
	vt_cow_tests, vt_memfd_tests, vt_map_tests, vt_fault_tests,
	vt_oom_tests,
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

/* ---------------------------------------------------------------------
 * Output.  Every line goes out in one write() from a stack buffer, so
 * nothing sits in a stdio buffer when a process forks.
 */

static void
vwrite_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_VT];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	vt_write_all(fd, buf, n);
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
vt_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

_Noreturn void
vt_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[LINE_MAX_VT - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vt_note("%s:%d: %s", file, line, msg);
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
vt_errname(int err)
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
vt_signame(int sig)
{
	if (sig > 0 && sig < (int)(sizeof(signames) / sizeof(signames[0])) &&
	    signames[sig] != NULL)
		return signames[sig];
	return "SIG?";
}

void
vt_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(status), vt_signame(WTERMSIG(status)));
	else
		snprintf(buf, size, "has wait status 0x%x", status);
}

/* Describe a libc-style result: "3", or "-1 (ENOENT)". */
static void
result_str(long r, int err, char *buf, size_t size)
{
	if (r == -1)
		snprintf(buf, size, "-1 (%s, %d)", vt_errname(err), err);
	else
		snprintf(buf, size, "%ld (0x%lx)", r, (unsigned long)r);
}

/* ---------------------------------------------------------------------
 * Checks (see vt.h).
 */

long
vt_expect_ok_at(const char *file, int line, long r, const char *what)
{
	if (r == -1)
		vt_fail_at(file, line, "%s: expected success, got -1 (%s, %d)",
		    what, vt_errname(errno), errno);
	return r;
}

void
vt_expect_errno_at(const char *file, int line, long r, int err,
    const char *what)
{
	char got[64];

	if (r == -1 && errno == err)
		return;
	result_str(r, errno, got, sizeof(got));
	vt_fail_at(file, line, "%s: expected -1 (%s, %d), got %s", what,
	    vt_errname(err), err, got);
}

void
vt_expect_eq_at(const char *file, int line, long got, long want,
    const char *what)
{
	if (got == want)
		return;
	if (got == -1)
		vt_fail_at(file, line, "%s: expected %ld, got -1 (%s)", what,
		    want, vt_errname(errno));
	vt_fail_at(file, line, "%s: expected %ld (0x%lx), got %ld (0x%lx)",
	    what, want, (unsigned long)want, got, (unsigned long)got);
}

pid_t
vt_fork_at(const char *file, int line)
{
	pid_t pid = fork();

	if (pid < 0)
		vt_fail_at(file, line, "fork: expected success, got -1 (%s)",
		    vt_errname(errno));
	return pid;
}

int
vt_wait_at(const char *file, int line, pid_t pid)
{
	int status = 0;
	long r = wait4(pid, &status, 0, NULL);

	if (r != pid)
		vt_fail_at(file, line, "wait4(%d): expected %d, got %ld (%s)",
		    (int)pid, (int)pid, r, r < 0 ? vt_errname(errno) : "");
	return status;
}

void
vt_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what)
{
	int status = vt_wait_at(file, line, pid);
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	vt_status_str(status, how, sizeof(how));
	vt_fail_at(file, line, "%s: expected the child to exit with status "
	    "%d; it %s", what, code, how);
}

void
vt_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what)
{
	int status = vt_wait_at(file, line, pid);
	char how[80];

	if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return;
	vt_status_str(status, how, sizeof(how));
	vt_fail_at(file, line, "%s: expected the child to be killed by "
	    "signal %d (%s); it %s", what, sig, vt_signame(sig), how);
}

int
vt_child_status(void (*fn)(void *), void *arg)
{
	pid_t pid = vt_fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return vt_wait(pid);
}

void
vt_expect_child_signal(void (*fn)(void *), void *arg, int sig,
    const char *what)
{
	pid_t pid = vt_fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	vt_expect_signal(pid, sig, what);
}

/* The access of vt_expect_fault, in the child. */
struct access {
	volatile unsigned char *addr;
	int write;
};

static void
do_access(void *arg)
{
	struct access *a = arg;

	if (a->write)
		*a->addr = 1;
	else
		(void)*a->addr;
}

void
vt_expect_fault(const void *addr, int write, const char *what)
{
	struct access a = { (volatile unsigned char *)addr, write };

	vt_expect_child_signal(do_access, &a, SIGSEGV, what);
}

void
vt_pipe_at(const char *file, int line, int fds[2])
{
	if (pipe(fds) != 0)
		vt_fail_at(file, line, "pipe: expected success, got -1 (%s)",
		    vt_errname(errno));
}

void *
vt_map_at(const char *file, int line, size_t len)
{
	long p = vt_mmap(0, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == -1)
		vt_fail_at(file, line, "mmap(%zu): expected success, got -1 "
		    "(%s)", len, vt_errname(errno));
	return (void *)p;
}

int
vt_memfd_at(const char *file, int line, size_t size)
{
	long fd = vt_memfd_create("vmtests", 0);

	if (fd < 0)
		vt_fail_at(file, line, "memfd_create: expected success, got "
		    "-1 (%s)", vt_errname(errno));
	if (syscall(SYS_ftruncate, fd, size) != 0)
		vt_fail_at(file, line, "ftruncate(memfd, %zu): expected "
		    "success, got -1 (%s)", size, vt_errname(errno));
	return (int)fd;
}

static uint64_t
pattern(uint32_t tag, size_t page)
{
	return (uint64_t)tag << 32 | (uint32_t)page;
}

void
vt_fill_page(void *base, size_t i, uint32_t tag)
{
	uint64_t *w = (uint64_t *)base + i * (VT_PAGE / 8);

	for (size_t j = 0; j < VT_PAGE / 8; j++)
		w[j] = pattern(tag, i);
}

void
vt_fill(void *p, size_t npages, uint32_t tag)
{
	for (size_t i = 0; i < npages; i++)
		vt_fill_page(p, i, tag);
}

void
vt_fill_edges(void *p, size_t npages, uint32_t tag)
{
	uint64_t *w = p;

	for (size_t i = 0; i < npages; i++) {
		w[i * (VT_PAGE / 8)] = pattern(tag, i);
		w[i * (VT_PAGE / 8) + VT_PAGE / 8 - 1] = pattern(tag, i);
	}
}

int
vt_edges_ok(const void *p, size_t i, uint32_t tag)
{
	const uint64_t *w = p;

	return w[i * (VT_PAGE / 8)] == pattern(tag, i) &&
	    w[i * (VT_PAGE / 8) + VT_PAGE / 8 - 1] == pattern(tag, i);
}

void
vt_expect_pages_at(const char *file, int line, const void *base,
    size_t first, size_t npages, uint32_t tag, const char *what)
{
	const uint64_t *w = base;

	for (size_t i = first; i < first + npages; i++)
		for (size_t j = 0; j < VT_PAGE / 8; j++) {
			uint64_t got = w[i * (VT_PAGE / 8) + j];
			if (got != pattern(tag, i))
				vt_fail_at(file, line, "%s: page %zu word %zu "
				    "is 0x%016llx, expected 0x%016llx (tag "
				    "0x%x)", what, i, j,
				    (unsigned long long)got,
				    (unsigned long long)pattern(tag, i),
				    (unsigned)tag);
		}
}

void
vt_expect_bytes_at(const char *file, int line, const void *p, size_t n,
    unsigned char v, const char *what)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != v)
			vt_fail_at(file, line, "%s: byte %zu is 0x%02x, "
			    "expected 0x%02x", what, i, c[i], v);
}

/* ---------------------------------------------------------------------
 * Small tools (see vt.h).
 */

long
vt_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
    long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

long
vt_memfd_create(const char *name, unsigned flags)
{
	return syscall(VT_NR_MEMFD_CREATE, name, flags);
}

void
vt_send(int fd)
{
	if (write(fd, "t", 1) != 1)
		vt_fail("send a token: write failed (%s)", vt_errname(errno));
}

void
vt_recv(int fd)
{
	char c;
	long r = read(fd, &c, 1);

	if (r != 1)
		vt_fail("wait for a token: read gave %ld (%s): a peer died", r,
		    r < 0 ? vt_errname(errno) : "end of file");
}

long
vt_write_all(int fd, const void *buf, size_t n)
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
vt_now_ns(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void
vt_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u
	};

	syscall(SYS_nanosleep, &ts, NULL);
}

int
vt_kstat(struct kstat *ks)
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
vt_kstat_settle(const struct kstat *want, struct kstat *got, unsigned ms,
    char *diff, size_t size)
{
	uint64_t end = vt_now_ns() + (uint64_t)ms * 1000000u;

	for (int i = 0;; i++) {
		int r = vt_kstat(got);
		if (r != 0) {
			snprintf(diff, size, "kstat failed: %s",
			    vt_errname(-r));
			return 0;
		}
		if (!kstat_differs(want, got, diff, size))
			return 1;
		if (vt_now_ns() > end)
			return 0;
		if (i < 20)
			sched_yield();
		else
			vt_sleep_ns(2000000);
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
	uint64_t deadline = vt_now_ns() + (uint64_t)timeout_s * 1000000000u;
	uint64_t nap = 100000;		/* 0.1 ms, growing to 10 ms */
	int status = 0;

	*timed_out = 0;
	for (;;) {
		long r = wait4(pid, &status, WNOHANG, NULL);
		if (r == pid)
			return status;
		if (r < 0) {
			out("# runner: wait4(%d) failed: %s", (int)pid,
			    vt_errname(errno));
			return 0x7f00;
		}
		if (vt_now_ns() > deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, NULL);
			return status;
		}
		vt_sleep_ns(nap);
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
	    "TEST=vmtests/%s", name);
}

/* Run the test in a child process and print its TAP line. */
static void
run_test(struct run *run, const struct vt_test *t)
{
	static char report[REPORT_MAX];
	struct kstat before, after;
	int fds[2], status, timed_out, ok;
	char how[96], diff[256];
	pid_t pid;

	run->number++;
	if (t->native != NULL && !vt_native) {
		out("ok %d - %s # SKIP not our kernel: %s", run->number,
		    t->name, t->native);
		run->skipped++;
		return;
	}
	if (vt_native)
		vt_kstat(&before);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		out("not ok %d - %s", run->number, t->name);
		out("#   runner: pipe2 failed: %s", vt_errname(errno));
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
		    vt_errname(errno));
	} else {
		status = wait_test(pid, run->timeout_s, &timed_out);
		vt_status_str(status, how, sizeof(how));
	}
	collect_report(fds, report, sizeof(report));
	close(fds[0]);
	close(fds[1]);

	ok = pid > 0 && !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	out("%s %d - %s", ok ? "ok" : "not ok", run->number, t->name);
	if (report[0] != '\0')
		vt_write_all(1, report, strlen(report));
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

	if (vt_native &&
	    !vt_kstat_settle(&before, &after, 1000, diff, sizeof(diff))) {
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
	if (!vt_native) {
		out("ok %d - leak_check # SKIP not our kernel: no kstat()",
		    run->number);
		run->skipped++;
		return;
	}
	if (vt_kstat_settle(base, &now, 5000, diff, sizeof(diff))) {
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
	    "TEST=vmtests");
	run->failed++;
}

static const struct vt_test *
find_test(const char *name)
{
	for (size_t s = 0; s < NSUITES; s++)
		for (const struct vt_test *t = suites[s]; t->name; t++)
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
	int kr = vt_kstat(&ks);
	int linux_name = uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;

	vt_native = !(kr == -ENOSYS && linux_name);
	if (vt_native && kr != 0)
		out("# kstat() fails (%s) but this is not Linux: running the "
		    "native tests anyway", vt_errname(-kr));
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
	vt_sleep_ns(1000);
}

static int
usage(void)
{
	out("usage: vmtests [-t SECONDS] [NAME...] | -l");
	return 2;
}

int
main(int argc, char **argv)
{
	struct run run = { .timeout_s = DEFAULT_TIMEOUT };
	const struct vt_test *chosen[256];
	const int max = (int)(sizeof(chosen) / sizeof(chosen[0]));
	struct kstat base;
	int nchosen = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			run.timeout_s = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-l") == 0) {
			for (size_t s = 0; s < NSUITES; s++)
				for (const struct vt_test *t = suites[s];
				    t->name; t++)
					out("%s%s%s%s", t->name,
					    t->native ? "  (native: " : "",
					    t->native ? t->native : "",
					    t->native ? ")" : "");
			return 0;
		} else if (argv[i][0] == '-') {
			return usage();
		} else if (find_test(argv[i]) == NULL) {
			out("vmtests: no test named %s", argv[i]);
			return usage();
		} else if (nchosen < max) {
			chosen[nchosen++] = find_test(argv[i]);
		}
	}
	if (nchosen == 0)
		for (size_t s = 0; s < NSUITES; s++)
			for (const struct vt_test *t = suites[s]; t->name; t++)
				if (nchosen < max)
					chosen[nchosen++] = t;

	detect_kernel();
	out("# vmtests: %d tests on %s", nchosen,
	    vt_native ? "our kernel" : "Linux (native tests skipped)");
	out("1..%d", nchosen + 1);
	warm_up();
	if (vt_native)
		vt_kstat(&base);

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
