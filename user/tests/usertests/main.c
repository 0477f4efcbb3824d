/*
 * usertests: the user-level test suite, in the spirit of xv6's usertests.
 *
 *   usertests [-s SEED] [-t SECONDS] [NAME...]
 *   usertests -l
 *
 * With no NAME it runs every test, in table order; otherwise the named
 * ones.  -s sets the fuzzer's seed, -t the time limit of one test
 * (default 60 s; a test still running then is killed and fails), -l lists
 * the tests.  The output is TAP (ABI.md section 5): one line per test,
 * "# " lines under a failure saying what was expected, what happened and
 * where, and the command that reproduces it; then a leak check line and
 * the summary "N passed, N failed, N skipped".  The exit status is the
 * number of failures, at most 126.
 *
 * Each test runs in a child process of its own.  The child reports a
 * failure through a pipe that only the runner reads, so its messages are
 * printed under its TAP line.
 *
 * On our kernel the runner also counts free pages, kernel heap bytes,
 * processes, LWPs and address spaces with kstat() before and after every
 * test and the whole run: everything must come back.  On Linux (kstat()
 * fails with ENOSYS and uname says "Linux") the tests marked native and
 * the leak check are skipped, and the rest must pass there too.
 *
 * Started as "usertests --helper ..." it is instead a small helper
 * program that the exec tests run (see helper_main).  With argc == 0 (or
 * argv[0] empty) it exits at once with status 125: an execve test whose call wrongly
 * succeeded with an empty argv shows up as that status.
 */

#include "ut.h"

#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SEED	0x5eed1234abcdULL
#define DEFAULT_TIMEOUT	60		/* seconds per test */
#define REPORT_MAX	4096		/* bytes of messages kept per test */
#define LINE_MAX_UT	1024

int ut_native;
const char *ut_self;
uint64_t ut_seed = DEFAULT_SEED;

/* The write end of the current test's report pipe, in the test child. */
static int report_fd = -1;
/* The pid of the test child itself (its own children report elsewhere). */
static pid_t test_pid;

static const struct ut_test *const suites[] = {
	ut_fs_tests, ut_pipe_tests, ut_mem_tests, ut_proc_tests,
	ut_lwp_tests, ut_elf_tests, ut_badptr_tests, ut_fuzz_tests,
	ut_stress_tests,
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

/* ---------------------------------------------------------------------
 * Output.  Every line goes out in one write() from a stack buffer, so
 * nothing sits in a stdio buffer when the runner forks.
 */

static void
vwrite_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_UT];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	ut_write_all(fd, buf, n);
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

void
ut_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite_line(1, "#   ", fmt, ap);
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
ut_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

_Noreturn void
ut_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[LINE_MAX_UT - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ut_note("%s:%d: %s", file, line, msg);
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
	[ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EPIPE] = "EPIPE",
	[ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
	[EOPNOTSUPP] = "EOPNOTSUPP",
};

const char *
ut_errname(int err)
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
ut_signame(int sig)
{
	if (sig > 0 && sig < (int)(sizeof(signames) / sizeof(signames[0])) &&
	    signames[sig] != NULL)
		return signames[sig];
	return "SIG?";
}

void
ut_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(status), ut_signame(WTERMSIG(status)));
	else
		snprintf(buf, size, "has wait status 0x%x", status);
}

/* Describe a libc-style result: "3", or "-1 (ENOENT)". */
static void
result_str(long r, int err, char *buf, size_t size)
{
	if (r == -1)
		snprintf(buf, size, "-1 (%s, %d)", ut_errname(err), err);
	else
		snprintf(buf, size, "%ld (0x%lx)", r, (unsigned long)r);
}

/* ---------------------------------------------------------------------
 * Checks (see ut.h).
 */

long
ut_expect_ok_at(const char *file, int line, long r, const char *what)
{
	if (r == -1)
		ut_fail_at(file, line, "%s: expected success, got -1 (%s, %d)",
		    what, ut_errname(errno), errno);
	return r;
}

void
ut_expect_errno_at(const char *file, int line, long r, int err,
    const char *what)
{
	char got[64];

	if (r == -1 && errno == err)
		return;
	result_str(r, errno, got, sizeof(got));
	ut_fail_at(file, line, "%s: expected -1 (%s, %d), got %s", what,
	    ut_errname(err), err, got);
}

void
ut_expect_eq_at(const char *file, int line, long got, long want,
    const char *what)
{
	if (got == want)
		return;
	if (got < 0 && got >= -4095)
		ut_fail_at(file, line, "%s: expected %ld, got %ld (-%s)", what,
		    want, got, ut_errname((int)-got));
	ut_fail_at(file, line, "%s: expected %ld (0x%lx), got %ld (0x%lx)",
	    what, want, (unsigned long)want, got, (unsigned long)got);
}

pid_t
ut_fork_at(const char *file, int line)
{
	pid_t pid = fork();

	if (pid < 0)
		ut_fail_at(file, line, "fork: expected success, got -1 (%s)",
		    ut_errname(errno));
	return pid;
}

int
ut_wait_at(const char *file, int line, pid_t pid)
{
	int status = 0;
	long r = wait4(pid, &status, 0, NULL);

	if (r != pid)
		ut_fail_at(file, line, "wait4(%d): expected %d, got %ld (%s)",
		    (int)pid, (int)pid, r, r < 0 ? ut_errname(errno) : "");
	return status;
}

void
ut_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what)
{
	int status = ut_wait_at(file, line, pid);
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	ut_status_str(status, how, sizeof(how));
	ut_fail_at(file, line, "%s: expected the child to exit with status "
	    "%d; it %s", what, code, how);
}

void
ut_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what)
{
	int status = ut_wait_at(file, line, pid);
	char how[80];

	if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return;
	ut_status_str(status, how, sizeof(how));
	ut_fail_at(file, line, "%s: expected the child to be killed by "
	    "signal %d (%s); it %s", what, sig, ut_signame(sig), how);
}

void
ut_expect_child_signal(void (*fn)(void), int sig, const char *what)
{
	pid_t pid = ut_fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	ut_expect_signal(pid, sig, what);
}

void
ut_pipe_at(const char *file, int line, int fds[2])
{
	if (pipe(fds) != 0)
		ut_fail_at(file, line, "pipe: expected success, got -1 (%s)",
		    ut_errname(errno));
}

void *
ut_map_at(const char *file, int line, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ut_fail_at(file, line, "mmap(%zu): expected success, got %s",
		    len, ut_errname(errno));
	return p;
}

/* ---------------------------------------------------------------------
 * Small tools (see ut.h).
 */

long
ut_write_all(int fd, const void *buf, size_t n)
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

long
ut_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t done = 0;

	while (done < n) {
		long r = read(fd, p + done, n - done);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += r;
	}
	return (long)done;
}

uint64_t
ut_now_ns(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void
ut_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u
	};

	syscall(SYS_nanosleep, &ts, NULL);
}

int
ut_kstat(struct kstat *ks)
{
	int r;

	memset(ks, 0, sizeof(*ks));
	r = kstat(ks, sizeof(*ks));
	if (r >= 0)
		return 0;
	/* The stub may return -1 with errno set, or -errno itself. */
	return r == -1 ? -errno : r;
}

char *
ut_read_file(const char *path, size_t *size)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		ut_fail("open %s: %s", path, ut_errname(errno));
	if (syscall(SYS_fstat, fd, &st) != 0)
		ut_fail("fstat %s: %s", path, ut_errname(errno));
	buf = malloc(st.st_size + 1);
	ut_assert(buf != NULL);
	if (ut_read_full(fd, buf, st.st_size) != st.st_size)
		ut_fail("read %s: short read of %lld bytes", path,
		    (long long)st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*size = st.st_size;
	return buf;
}

int
ut_run_program(const char *path, char *const argv[], char *const envp[],
    char *out, size_t size)
{
	int p[2];
	long n = 0, r;
	pid_t pid;

	ut_pipe(p);
	pid = ut_fork();
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) != 1)
			_exit(126);
		close(p[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(p[1]);
	while ((r = read(p[0], out + n, size - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	return ut_wait(pid);
}

int
ut_run_helper(const char *cmd, const char *a1, const char *a2, char *out,
    size_t size)
{
	char *argv[] = { (char *)ut_self, UT_HELPER, (char *)cmd, (char *)a1,
	    (char *)a2, NULL };
	char *envp[] = { NULL };
	char dummy[8];

	if (out == NULL) {
		out = dummy;
		size = sizeof(dummy);
	}
	return ut_run_program(ut_self, argv, envp, out, size);
}

/* ---------------------------------------------------------------------
 * The helper program for the exec tests:
 *
 *   echo ARGS...      print ARGS separated by spaces, then a newline
 *   getenv NAME...    print each variable's value ("-" if unset), one a line
 *   exit N            exit with status N
 *   fdopen N          exit 0 if fd N is open, 1 if it is not
 *   ids               print "pid ppid" of this process
 *   auxv              exit 0 if the auxiliary vector has what ABI.md names
 *                     (else 1-7, see helper_auxv)
 *   sigstate          exit 0 if SIGPIPE is ignored and SIGUSR1 is blocked
 */

/*
 * The auxiliary vector ABI.md names, checked against this program's own
 * ELF header where it can be: AT_ENTRY is e_entry for ET_EXEC, AT_PHENT
 * and AT_PHNUM are e_phentsize and e_phnum.
 */
static int
helper_auxv(const char *self)
{
	unsigned long phdr = getauxval(AT_PHDR);
	unsigned long rnd = getauxval(AT_RANDOM);
	unsigned long entry = getauxval(AT_ENTRY);
	const unsigned char *r = (const unsigned char *)rnd;
	Elf64_Ehdr eh;
	unsigned sum = 0;
	int fd;

	if (getauxval(AT_PAGESZ) != 4096)
		return 1;
	if (phdr == 0 || getauxval(AT_PHENT) != 56 || getauxval(AT_PHNUM) == 0)
		return 2;
	if (entry == 0 || rnd == 0)
		return 3;
	for (int i = 0; i < 16; i++)
		sum += r[i];
	/* 16 random bytes all zero is possible but not plausible. */
	if (sum == 0)
		return 4;
	fd = open(self, O_RDONLY);
	if (fd < 0 || ut_read_full(fd, &eh, sizeof(eh)) != sizeof(eh))
		return 5;
	close(fd);
	if (getauxval(AT_PHNUM) != eh.e_phnum ||
	    getauxval(AT_PHENT) != eh.e_phentsize)
		return 6;
	if (eh.e_type == ET_EXEC && entry != eh.e_entry)
		return 7;
	return 0;
}

static int
helper_sigstate(void)
{
	struct { unsigned long handler, flags, restorer, mask; } old;
	uint64_t mask = 0;

	if (syscall(SYS_rt_sigaction, SIGPIPE, NULL, &old, 8) != 0)
		return 1;
	if (old.handler != (unsigned long)SIG_IGN)
		return 2;
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8) != 0)
		return 3;
	return (mask & (1ULL << (SIGUSR1 - 1))) ? 0 : 4;
}

static int
helper_main(int argc, char **argv)
{
	char line[LINE_MAX_UT];
	size_t n = 0;
	struct stat st;

	if (argc < 1)
		return 120;
	if (strcmp(argv[0], "echo") == 0) {
		for (int i = 1; i < argc && n < sizeof(line) - 2; i++)
			n += snprintf(line + n, sizeof(line) - n - 1, "%s%s",
			    i > 1 ? " " : "", argv[i]);
		line[n++] = '\n';
		return ut_write_all(1, line, n) == (long)n ? 0 : 1;
	}
	if (strcmp(argv[0], "getenv") == 0) {
		for (int i = 1; i < argc; i++) {
			const char *v = getenv(argv[i]);
			n = snprintf(line, sizeof(line), "%s\n", v ? v : "-");
			ut_write_all(1, line, n);
		}
		return 0;
	}
	if (strcmp(argv[0], "exit") == 0 && argc == 2)
		return atoi(argv[1]);
	if (strcmp(argv[0], "fdopen") == 0 && argc == 2)
		return syscall(SYS_fstat, atoi(argv[1]), &st) == 0 ? 0 : 1;
	if (strcmp(argv[0], "ids") == 0) {
		n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(),
		    (int)getppid());
		return ut_write_all(1, line, n) == (long)n ? 0 : 1;
	}
	if (strcmp(argv[0], "auxv") == 0)
		return helper_auxv(ut_self);
	if (strcmp(argv[0], "sigstate") == 0)
		return helper_sigstate();
	return 121;
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
 * Read the counters until they match *want, giving orphans that init has
 * not reaped yet (and LWPs still being torn down) up to `ms`
 * milliseconds.  Returns 1 if they match; *got holds the last reading.
 */
static int
kstat_settle(const struct kstat *want, struct kstat *got, unsigned ms)
{
	char diff[256];
	uint64_t end = ut_now_ns() + (uint64_t)ms * 1000000u;

	for (int i = 0;; i++) {
		if (ut_kstat(got) != 0)
			return 0;
		if (!kstat_differs(want, got, diff, sizeof(diff)))
			return 1;
		if (ut_now_ns() > end)
			return 0;
		if (i < 20)
			sched_yield();
		else
			ut_sleep_ns(2000000);
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
	uint64_t deadline = ut_now_ns() + (uint64_t)timeout_s * 1000000000u;
	uint64_t nap = 100000;		/* 0.1 ms, growing to 10 ms */
	int status = 0;

	*timed_out = 0;
	for (;;) {
		long r = wait4(pid, &status, WNOHANG, NULL);
		if (r == pid)
			return status;
		if (r < 0) {
			out("# runner: wait4(%d) failed: %s", (int)pid,
			    ut_errname(errno));
			return 0x7f00;
		}
		if (ut_now_ns() > deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, NULL);
			return status;
		}
		ut_sleep_ns(nap);
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
static size_t
collect_report(int fds[2], char *buf, size_t size)
{
	size_t n = 0;
	char c = '\0', chunk[512];

	if (write(fds[1], &c, 1) != 1)
		return 0;
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
	return n;
}

/* Print the collected report lines (each already starts with "#"). */
static void
print_report(const char *report)
{
	if (report[0] != '\0')
		ut_write_all(1, report, strlen(report));
}

static void
print_reproduce(const struct ut_test *t)
{
	if (ut_seed != DEFAULT_SEED || strncmp(t->name, "fuzz", 4) == 0)
		out("#   reproduce: make check SEED=%llu "
		    "TEST=usertests/%s",
		    (unsigned long long)ut_seed, t->name);
	else
		out("#   reproduce: make check "
		    "TEST=usertests/%s", t->name);
}

/* Run the test in a child process and print its TAP line. */
static void
run_test(struct run *run, const struct ut_test *t)
{
	static char report[REPORT_MAX];
	struct kstat before, after;
	int fds[2], status, timed_out, ok;
	char how[96], diff[256];
	pid_t pid;

	run->number++;
	if (t->native != NULL && !ut_native) {
		out("ok %d - %s # SKIP not our kernel: %s", run->number,
		    t->name, t->native);
		run->skipped++;
		return;
	}
	if (ut_native)
		ut_kstat(&before);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		out("not ok %d - %s", run->number, t->name);
		out("#   runner: pipe2 failed: %s", ut_errname(errno));
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
		    ut_errname(errno));
	} else {
		status = wait_test(pid, run->timeout_s, &timed_out);
		ut_status_str(status, how, sizeof(how));
	}
	collect_report(fds, report, sizeof(report));
	close(fds[0]);
	close(fds[1]);

	ok = pid > 0 && !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	out("%s %d - %s", ok ? "ok" : "not ok", run->number, t->name);
	print_report(report);
	if (ok) {
		run->passed++;
	} else {
		run->failed++;
		if (timed_out)
			out("#   timed out after %u s and was killed",
			    run->timeout_s);
		else
			out("#   the test process %s", how);
		print_reproduce(t);
	}

	if (ut_native && !kstat_settle(&before, &after, 1000) &&
	    kstat_differs(&before, &after, diff, sizeof(diff))) {
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
	if (!ut_native) {
		out("ok %d - leak_check # SKIP not our kernel: no kstat()",
		    run->number);
		run->skipped++;
		return;
	}
	if (kstat_settle(base, &now, 5000)) {
		out("ok %d - leak_check", run->number);
		run->passed++;
		return;
	}
	kstat_differs(base, &now, diff, sizeof(diff));
	out("not ok %d - leak_check", run->number);
	out("#   expected the kernel's counters back at their values before "
	    "the run: %s", diff);
	if (run->leaks_len)
		out("#   counters moved after: %s", run->leaks);
	out("#   reproduce: make check "
	    "TEST=usertests");
	run->failed++;
}

static const struct ut_test *
find_test(const char *name)
{
	for (size_t s = 0; s < NSUITES; s++)
		for (const struct ut_test *t = suites[s]; t->name; t++)
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
	int kr = ut_kstat(&ks);
	int linux_name = uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;

	ut_native = !(kr == -ENOSYS && linux_name);
	if (ut_native && kr != 0)
		out("# kstat() fails (%s) but this is not Linux: running the "
		    "native tests anyway", ut_errname(-kr));
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
	ut_sleep_ns(1000);
}

static int
usage(void)
{
	out("usage: usertests [-s SEED] [-t SECONDS] [NAME...] | -l");
	return 2;
}

int
main(int argc, char **argv)
{
	struct run run = { .timeout_s = DEFAULT_TIMEOUT };
	const struct ut_test *chosen[512];
	struct kstat base;
	int nchosen = 0, i;

	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
		return 125;	/* an empty argv (Linux makes it {""}) */
	ut_self = argv[0];
	if (argc >= 2 && strcmp(argv[1], UT_HELPER) == 0)
		return helper_main(argc - 2, argv + 2);

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			ut_seed = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			run.timeout_s = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-l") == 0) {
			for (size_t s = 0; s < NSUITES; s++)
				for (const struct ut_test *t = suites[s];
				    t->name; t++)
					out("%s%s%s", t->name,
					    t->native ? "  (native: " : "",
					    t->native ? t->native : "");
			return 0;
		} else if (argv[i][0] == '-') {
			return usage();
		} else if (find_test(argv[i]) == NULL) {
			out("usertests: no test named %s", argv[i]);
			return usage();
		} else if (nchosen < (int)(sizeof(chosen) / sizeof(chosen[0]))) {
			chosen[nchosen++] = find_test(argv[i]);
		}
	}
	if (nchosen == 0)
		for (size_t s = 0; s < NSUITES; s++)
			for (const struct ut_test *t = suites[s]; t->name; t++)
				if (nchosen < (int)(sizeof(chosen) /
				    sizeof(chosen[0])))
					chosen[nchosen++] = t;

	detect_kernel();
	out("# usertests: %d tests on %s, seed %llu", nchosen,
	    ut_native ? "our kernel" : "Linux (native tests skipped)",
	    (unsigned long long)ut_seed);
	out("1..%d", nchosen + 1);
	warm_up();
	if (ut_native)
		ut_kstat(&base);

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
