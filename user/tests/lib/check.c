/*
 * check.c: the checks and small tools of test.h, for every suite.
 */

#include "test.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------
 * Names for errno values and signals.
 */

static const char *const errnames[] = {
	[EPERM] = "EPERM",
	[ENOENT] = "ENOENT",
	[ESRCH] = "ESRCH",
	[EINTR] = "EINTR",
	[EIO] = "EIO",
	[E2BIG] = "E2BIG",
	[ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF",
	[ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST",
	[EXDEV] = "EXDEV",
	[ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL",
	[EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY",
	[ETXTBSY] = "ETXTBSY",
	[EFBIG] = "EFBIG",
	[ENOSPC] = "ENOSPC",
	[ESPIPE] = "ESPIPE",
	[EROFS] = "EROFS",
	[EPIPE] = "EPIPE",
	[ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY",
	[ELOOP] = "ELOOP",
	[ETIMEDOUT] = "ETIMEDOUT",
	[EOPNOTSUPP] = "EOPNOTSUPP",
};

const char *
test_errname(int err)
{
	if (err > 0 && err < (int)(sizeof(errnames) / sizeof(errnames[0])) &&
	    errnames[err] != NULL)
		return errnames[err];
	return "E?";
}

static const char *const signames[] = {
	[SIGHUP] = "SIGHUP",
	[SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",
	[SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM",
	[SIGCHLD] = "SIGCHLD",
	[SIGSYS] = "SIGSYS",
};

const char *
test_signame(int sig)
{
	if (sig > 0 && sig < (int)(sizeof(signames) / sizeof(signames[0])) &&
	    signames[sig] != NULL)
		return signames[sig];
	return "SIG?";
}

void
test_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(status), test_signame(WTERMSIG(status)));
	else
		snprintf(buf, size, "has wait status 0x%x", status);
}

/* Describe a libc-style result: "3 (0x3)", or "-1 (ENOENT, 2)". */
static void
result_str(long r, int err, char *buf, size_t size)
{
	if (r == -1)
		snprintf(buf, size, "-1 (%s, %d)", test_errname(err), err);
	else
		snprintf(buf, size, "%ld (0x%lx)", r, (unsigned long)r);
}

/* ---------------------------------------------------------------------
 * Checks.
 */

long
test_expect_ok_at(const char *file, int line, long r, const char *what)
{
	if (r == -1)
		test_fail_at(file, line,
		    "%s: expected success, got -1 (%s, %d)", what,
		    test_errname(errno), errno);
	return r;
}

void
test_expect_errno_at(const char *file, int line, long r, int err,
    const char *what)
{
	char got[64];

	if (r == -1 && errno == err)
		return;
	result_str(r, errno, got, sizeof(got));
	test_fail_at(file, line, "%s: expected -1 (%s, %d), got %s", what,
	    test_errname(err), err, got);
}

/*
 * Equality of two numbers.  A wrong -1 is shown with errno's name, and a
 * wrong value in [-4095, -2] (a raw call's -errno) with the errno it
 * stands for.
 */
void
test_expect_eq_at(const char *file, int line, long got, long want,
    const char *what)
{
	if (got == want)
		return;
	if (got == -1)
		test_fail_at(file, line, "%s: expected %ld, got -1 (%s)", what,
		    want, test_errname(errno));
	if (got < 0 && got >= -4095)
		test_fail_at(file, line, "%s: expected %ld, got %ld (-%s)",
		    what, want, got, test_errname((int)-got));
	test_fail_at(file, line, "%s: expected %ld (0x%lx), got %ld (0x%lx)",
	    what, want, (unsigned long)want, got, (unsigned long)got);
}

void
test_expect_hex_at(const char *file, int line, uint64_t got, uint64_t want,
    const char *what)
{
	if (got != want)
		test_fail_at(file, line, "%s: expected 0x%llx, got 0x%llx",
		    what, (unsigned long long)want, (unsigned long long)got);
}

void
test_expect_bytes_at(const char *file, int line, const void *p, size_t n,
    unsigned char v, const char *what)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != v)
			test_fail_at(file, line,
			    "%s: byte %zu is 0x%02x, "
			    "expected 0x%02x",
			    what, i, c[i], v);
}

pid_t
test_fork_at(const char *file, int line)
{
	pid_t pid = fork();

	if (pid < 0)
		test_fail_at(file, line, "fork: expected success, got -1 (%s)",
		    test_errname(errno));
	return pid;
}

int
test_wait_at(const char *file, int line, pid_t pid)
{
	int status = 0;
	long r = wait4(pid, &status, 0, NULL);

	if (r != pid)
		test_fail_at(file, line, "wait4(%d): expected %d, got %ld (%s)",
		    (int)pid, (int)pid, r, r < 0 ? test_errname(errno) : "");
	return status;
}

void
test_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what)
{
	int status = test_wait_at(file, line, pid);
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	test_status_str(status, how, sizeof(how));
	test_fail_at(file, line,
	    "%s: expected the child to exit with status "
	    "%d; it %s",
	    what, code, how);
}

void
test_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what)
{
	int status = test_wait_at(file, line, pid);
	char how[80];

	if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return;
	test_status_str(status, how, sizeof(how));
	test_fail_at(file, line,
	    "%s: expected the child to be killed by "
	    "signal %d (%s); it %s",
	    what, sig, test_signame(sig), how);
}

int
test_child_status(void (*fn)(void *), void *arg)
{
	pid_t pid = test_fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return test_wait(pid);
}

void
test_expect_child_signal(void (*fn)(void *), void *arg, int sig,
    const char *what)
{
	pid_t pid = test_fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	test_expect_signal(pid, sig, what);
}

/* The access of test_expect_fault, in the child. */
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
test_expect_fault(const void *addr, int write, const char *what)
{
	struct access a = { (volatile unsigned char *)addr, write };

	test_expect_child_signal(do_access, &a, SIGSEGV, what);
}

void
test_pipe_at(const char *file, int line, int fds[2])
{
	if (pipe(fds) != 0)
		test_fail_at(file, line, "pipe: expected success, got -1 (%s)",
		    test_errname(errno));
}

void *
test_map_at(const char *file, int line, size_t len)
{
	long p = test_mmap(0, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == -1)
		test_fail_at(file, line,
		    "mmap(%zu): expected success, got -1 "
		    "(%s)",
		    len, test_errname(errno));
	return (void *)p;
}

int
test_memfd_at(const char *file, int line, size_t size)
{
	long fd = test_memfd_create(test_suite.name, 0);

	if (fd < 0)
		test_fail_at(file, line,
		    "memfd_create: expected success, got "
		    "-1 (%s)",
		    test_errname(errno));
	if (syscall(SYS_ftruncate, fd, size) != 0)
		test_fail_at(file, line,
		    "ftruncate(memfd, %zu): expected "
		    "success, got -1 (%s)",
		    size, test_errname(errno));
	return (int)fd;
}

/* ---------------------------------------------------------------------
 * Small tools.
 */

long
test_mmap(unsigned long addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

long
test_memfd_create(const char *name, unsigned flags)
{
	return syscall(SYS_memfd_create, name, flags);
}

void
test_send(int fd)
{
	if (write(fd, "t", 1) != 1)
		test_fail("send a token: write failed (%s)",
		    test_errname(errno));
}

void
test_recv(int fd)
{
	char c;
	long r = read(fd, &c, 1);

	if (r != 1)
		test_fail("wait for a token: read gave %ld (%s): a peer died",
		    r, r < 0 ? test_errname(errno) : "end of file");
}

long
test_write_all(int fd, const void *buf, size_t n)
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
test_read_full(int fd, void *buf, size_t n)
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
test_now_ns(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void
test_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u,
		.tv_nsec = ns % 1000000000u };

	syscall(SYS_nanosleep, &ts, NULL);
}
