/*
 * badptr.c: bad user pointers.  ABI.md section 2: "A bad user pointer
 * returns -EFAULT and changes nothing else."  Each test hands one call
 * every kind of bad address below, checks for EFAULT, that the process
 * is still alive (it is the one checking), and where it can be seen, that
 * nothing else changed: no descriptor left open, no data consumed from
 * or added to a pipe, no file offset moved, no child collected.
 *
 * The kinds:
 *   NULL; the kernel's text and direct map; the two edges of the
 *   non-canonical hole; a page that was mapped and unmapped; a PROT_NONE
 *   page; a read-only page (only for calls that write to user memory);
 *   and a "straddle": the last bytes of a mapping followed by an unmapped
 *   page, with the object running past the end.
 *
 * Calls go through musl's syscall(), which adds nothing.
 */

#include "ut.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define P TEST_PAGE

enum bp_kind {
	BP_NULL,
	BP_KTEXT,
	BP_DMAP,
	BP_NCLO,
	BP_NCHI,
	BP_UNMAPPED,
	BP_NONE,
	BP_RO,
	BP_STRADDLE,
	BP_NKINDS
};

static const char *const kind_names[BP_NKINDS] = {
	"NULL",
	"kernel text",
	"direct map",
	"0x0000800000000000",
	"0x8000000000000000",
	"unmapped page",
	"PROT_NONE page",
	"read-only page",
	"straddling the end of a mapping",
};

/* Which kinds a call gets. */
#define BP_INPUT (((1u << BP_NKINDS) - 1) & ~(1u << BP_RO))
#define BP_OUTPUT ((1u << BP_NKINDS) - 1)
#define BP_NO_NULL (~(1u << BP_NULL))

/* One call to test. */
struct bp_call {
	const char *name;
	/* Make the call with `addr` in the pointer under test. */
	long (*call)(unsigned long addr);
	/* Bytes the call would touch at the pointer (for the straddle). */
	size_t size;
	unsigned kinds;
	/* Linux copies what fits of a straddling buffer: ours only. */
	int straddle_native;
	/* Check that nothing else changed; NULL if there is nothing to see. */
	void (*after)(const char *what);
};

/* Memory for the kinds, made once per test process. */
static unsigned char *rw_page; /* followed by an unmapped page */
static unsigned char *ro_page, *none_page;

static void
bp_setup(void)
{
	if (rw_page != NULL)
		return;
	/*
	 * Map everything first and punch the hole last, so that no later
	 * mapping of this setup can land in it.  (The tests map nothing
	 * after this.)
	 */
	ro_page = test_map(P);
	memset(ro_page, 0, P);
	test_expect_eq(mprotect(ro_page, P, PROT_READ), 0, "mprotect");
	none_page = test_map(P);
	test_expect_eq(mprotect(none_page, P, PROT_NONE), 0, "mprotect");
	rw_page = test_map(3 * P);
	memset(rw_page, 0, P);
	test_expect_eq(munmap(rw_page + P, P), 0, "munmap");
}

/* The address of `kind` for an object of `size` bytes. */
static unsigned long
bp_addr(int kind, size_t size)
{
	size_t tail = size > 8 ? 8 : size / 2;

	switch (kind) {
	case BP_NULL:
		return 0;
	case BP_KTEXT:
		return TEST_KERNEL_TEXT;
	case BP_DMAP:
		return TEST_DIRECT_MAP;
	case BP_NCLO:
		return TEST_NONCANON_LO;
	case BP_NCHI:
		return TEST_NONCANON_HI;
	case BP_UNMAPPED:
		return (unsigned long)rw_page + P;
	case BP_NONE:
		return (unsigned long)none_page;
	case BP_RO:
		return (unsigned long)ro_page;
	default:
		return (unsigned long)rw_page + P - tail;
	}
}

/* Give `c` every kind of bad address it takes; each must be EFAULT. */
static void
bp_check(const struct bp_call *c)
{
	char what[128];

	bp_setup();
	for (int k = 0; k < BP_NKINDS; k++) {
		if (!(c->kinds & (1u << k)))
			continue;
		if (k == BP_STRADDLE && c->straddle_native && !test_native)
			continue; /* Linux returns a short count */
		memset(rw_page + P - 64, 0, 64);
		snprintf(what, sizeof(what), "%s with %s", c->name,
		    kind_names[k]);
		test_expect_errno(c->call(bp_addr(k, c->size)), EFAULT, what);
		if (c->after)
			c->after(what);
	}
}

/* ---------------------------------------------------------------------
 * State the calls use and the checks that nothing changed.
 */

static int file_fd = -1, dir_fd = -1, pfd[2] = { -1, -1 }, lowest_free;
static pid_t wait_pid;

/* The lowest free descriptor now. */
static int
lowest_fd(void)
{
	int fd = (int)test_expect_ok(dup(1), "dup");

	close(fd);
	return fd;
}

static void
open_state(void)
{
	if (file_fd < 0) {
		file_fd =
		    (int)test_expect_ok(open(test_self, O_RDONLY), "open");
		dir_fd = (int)test_expect_ok(open("/", O_RDONLY | O_DIRECTORY),
		    "open /");
		test_pipe(pfd);
		signal(SIGPIPE, SIG_IGN);
	}
	lowest_free = lowest_fd();
}

static void
after_offset(const char *what)
{
	test_assert_msg(lseek(file_fd, 0, SEEK_CUR) == 0,
	    "%s: the file offset moved", what);
}

/* Entries getdents64 lists from the directory's current offset on. */
static int
count_entries(void)
{
	static char buf[8192];
	int n = 0;
	long r;

	while ((r = syscall(SYS_getdents64, dir_fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < r; n++)
			off += *(unsigned short *)(buf + off + 16);
	test_expect_ok(r, "getdents64");
	return n;
}

static int dir_entries;

/*
 * The listing did not move: from where it stands it still gives every
 * entry.  (Linux may change the offset itself, a hash cookie, without
 * losing entries, so the offset is not compared.)
 */
static void
after_dir_listing(const char *what)
{
	test_assert_msg(count_entries() == dir_entries,
	    "%s: entries were lost from the listing", what);
	test_expect_eq(lseek(dir_fd, 0, SEEK_SET), 0, "rewind");
}

static void
after_no_fd(const char *what)
{
	test_assert_msg(lowest_fd() == lowest_free,
	    "%s: a descriptor was left open", what);
}

/* The pipe holds nothing: a marker written now is the first byte read. */
static void
after_pipe_empty(const char *what)
{
	char c = 0;

	test_expect_eq(write(pfd[1], "M", 1), 1, "write marker");
	test_expect_eq(read(pfd[0], &c, 1), 1, "read marker");
	test_assert_msg(c == 'M', "%s: bytes went into the pipe", what);
}

/* The child the failed wait4 was asked for is still there to collect. */
static void
after_not_collected(const char *what)
{
	int status = 0;
	long r = wait4(wait_pid, &status, 0, NULL);

	if (!test_native && r == -1 && errno == ECHILD)
		return; /* Linux collects first, then fails */
	test_assert_msg(r == wait_pid && status == 42 << 8,
	    "%s: the child "
	    "was collected by the failed call (wait4 gave %ld, status 0x%x)",
	    what, r, status);
}

/* ---------------------------------------------------------------------
 * The calls.
 */

static long
call_read(unsigned long a)
{
	return syscall(SYS_read, file_fd, a, 64);
}

static long
call_write(unsigned long a)
{
	return syscall(SYS_write, pfd[1], a, 64);
}

static long
call_fstat(unsigned long a)
{
	return syscall(SYS_fstat, file_fd, a);
}

static long
call_pipe(unsigned long a)
{
	return syscall(SYS_pipe, a);
}

static long
call_pipe2(unsigned long a)
{
	return syscall(SYS_pipe2, a, O_CLOEXEC);
}

static long
call_wait4(unsigned long a)
{
	wait_pid = test_fork();
	if (wait_pid == 0)
		_exit(42);
	test_sleep_ns(5000000); /* let it end */
	return syscall(SYS_wait4, wait_pid, a, 0, NULL);
}

static long
call_clock_gettime(unsigned long a)
{
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, a);
}

static long
call_uname(unsigned long a)
{
	return syscall(SYS_uname, a);
}

static long
call_getdents64(unsigned long a)
{
	return syscall(SYS_getdents64, dir_fd, a, 4096);
}

static long
call_readv_iov(unsigned long a)
{
	return syscall(SYS_readv, file_fd, a, 1);
}

static long
call_readv_base(unsigned long a)
{
	struct iovec iov = { (void *)a, 64 };

	return syscall(SYS_readv, file_fd, &iov, 1);
}

static long
call_writev_iov(unsigned long a)
{
	return syscall(SYS_writev, pfd[1], a, 1);
}

static long
call_writev_base(unsigned long a)
{
	struct iovec iov[2] = { { (void *)a, 64 }, { "x", 1 } };

	return syscall(SYS_writev, pfd[1], iov, 2);
}

static long
call_open(unsigned long a)
{
	/* A straddling path is "aaaa" running into the unmapped page. */
	memset(rw_page + P - 8, 'a', 8);
	return syscall(SYS_open, a, O_RDONLY, 0);
}

static char *exec_argv[] = { NULL, UT_HELPER, "exit", "42", NULL };
static char *exec_envp[] = { "A=1", NULL };

static long
call_execve_path(unsigned long a)
{
	memset(rw_page + P - 8, 'a', 8);
	exec_argv[0] = (char *)test_self;
	return syscall(SYS_execve, a, exec_argv, exec_envp);
}

static long
call_execve_argv(unsigned long a)
{
	/* Straddling: a good first pointer, the NULL after it unmapped. */
	*(const char **)(rw_page + P - 8) = test_self;
	return syscall(SYS_execve, test_self, a, exec_envp);
}

static long
call_execve_argv0(unsigned long a)
{
	char *argv[] = { (char *)a, NULL };

	memset(rw_page + P - 8, 'a', 8);
	return syscall(SYS_execve, test_self, argv, exec_envp);
}

static long
call_execve_envp(unsigned long a)
{
	*(const char **)(rw_page + P - 8) = "A=1";
	exec_argv[0] = (char *)test_self;
	return syscall(SYS_execve, test_self, exec_argv, a);
}

static long
call_execve_envp0(unsigned long a)
{
	char *envp[] = { "A=1", (char *)a, NULL };

	memset(rw_page + P - 8, 'a', 8);
	exec_argv[0] = (char *)test_self;
	return syscall(SYS_execve, test_self, exec_argv, envp);
}

static long
call_nanosleep(unsigned long a)
{
	return syscall(SYS_nanosleep, a, NULL);
}

static long
call_arch_get_fs(unsigned long a)
{
	return syscall(SYS_arch_prctl, 0x1003, a);
}

static long
call_sigprocmask_set(unsigned long a)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, a, NULL, 8);
}

static long
call_sigprocmask_oset(unsigned long a)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, a, 8);
}

static long
call_sigaction_act(unsigned long a)
{
	return syscall(SYS_rt_sigaction, SIGUSR1, a, NULL, 8);
}

static long
call_sigaction_oact(unsigned long a)
{
	return syscall(SYS_rt_sigaction, SIGUSR1, NULL, a, 8);
}

static long
call_kstat(unsigned long a)
{
	return syscall(SYS_kstat, a, 64);
}

static long
call_console_ioctl(unsigned long a)
{
	return syscall(SYS_ioctl, 1, 0x5413, a); /* TIOCGWINSZ */
}

static long
call_lwp_create(unsigned long a)
{
	return syscall(SYS_lwp_create, a);
}

/* ---------------------------------------------------------------------
 * The tests: one per call.
 */

/* read into a bad buffer: EFAULT, file offset unchanged. */
static void
t_read(void)
{
	static const struct bp_call c = { "read", call_read, 64, BP_OUTPUT, 1,
		after_offset };

	open_state();
	bp_check(&c);
}

/* write from a bad buffer: EFAULT, nothing enters the pipe. */
static void
t_write(void)
{
	static const struct bp_call c = { "write", call_write, 64, BP_INPUT, 0,
		after_pipe_empty };
	char buf[64];

	open_state();
	bp_check(&c);
	/* A read-only buffer is fine to write from. */
	test_expect_eq(syscall(SYS_write, pfd[1], ro_page, 64), 64,
	    "write from a read-only page");
	test_expect_eq(test_read_full(pfd[0], buf, 64), 64, "drain");
}

/* fstat into bad memory: EFAULT. */
static void
t_fstat(void)
{
	static const struct bp_call c = { "fstat", call_fstat, 144, BP_OUTPUT,
		0, NULL };

	open_state();
	bp_check(&c);
}

/* pipe and pipe2 into bad memory: EFAULT and no descriptor left open. */
static void
t_pipe(void)
{
	static const struct bp_call c = { "pipe", call_pipe, 8, BP_OUTPUT, 0,
		after_no_fd };
	static const struct bp_call c2 = { "pipe2", call_pipe2, 8, BP_OUTPUT, 0,
		after_no_fd };

	open_state();
	bp_check(&c);
	bp_check(&c2);
}

/* wait4 with a bad status pointer: EFAULT, the child is not collected. */
static void
t_wait4(void)
{
	static const struct bp_call c = { "wait4 status", call_wait4, 4,
		BP_OUTPUT & BP_NO_NULL, 0, after_not_collected };

	open_state();
	bp_check(&c);
}

/* clock_gettime into bad memory: EFAULT. */
static void
t_clock_gettime(void)
{
	static const struct bp_call c = { "clock_gettime", call_clock_gettime,
		16, BP_OUTPUT, 0, NULL };

	bp_check(&c);
}

/* uname into bad memory: EFAULT. */
static void
t_uname(void)
{
	static const struct bp_call c = { "uname", call_uname, 390, BP_OUTPUT,
		0, NULL };

	bp_check(&c);
}

/* getdents64 into a bad buffer: EFAULT, the listing does not move. */
static void
t_getdents64(void)
{
	static const struct bp_call c = { "getdents64", call_getdents64, 4096,
		BP_OUTPUT, 0, after_dir_listing };

	open_state();
	dir_entries = count_entries();
	test_expect_eq(lseek(dir_fd, 0, SEEK_SET), 0, "rewind");
	test_assert(dir_entries >= 2);
	bp_check(&c);
}

/* readv and writev: a bad iovec array, and a bad buffer in a good one. */
static void
t_readv_writev(void)
{
	static const struct bp_call calls[] = {
		{ "readv iov", call_readv_iov, 16, BP_INPUT, 0, after_offset },
		{ "readv iov_base", call_readv_base, 64, BP_OUTPUT, 1,
		    after_offset },
		{ "writev iov", call_writev_iov, 16, BP_INPUT, 0,
		    after_pipe_empty },
		{ "writev iov_base", call_writev_base, 64, BP_INPUT, 0,
		    after_pipe_empty },
	};

	open_state();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		bp_check(&calls[i]);
}

/* open with a bad path: EFAULT and no descriptor. */
static void
t_open(void)
{
	static const struct bp_call c = { "open", call_open, 8, BP_INPUT, 0,
		after_no_fd };

	open_state();
	bp_check(&c);
}

/*
 * execve with a bad path, argv, argv string, envp or envp string: EFAULT
 * and the caller goes on (had the exec happened, this process would be
 * the helper and exit with 42, or 125 with an empty argv).  NULL is no
 * bad pointer inside argv or envp: it ends the array.
 */
static void
t_execve(void)
{
	static const struct bp_call calls[] = {
		{ "execve path", call_execve_path, 8, BP_INPUT, 0, NULL },
		{ "execve argv", call_execve_argv, 16, BP_INPUT & BP_NO_NULL, 0,
		    NULL },
		{ "execve argv[0]", call_execve_argv0, 8, BP_INPUT & BP_NO_NULL,
		    0, NULL },
		{ "execve envp", call_execve_envp, 16, BP_INPUT & BP_NO_NULL, 0,
		    NULL },
		{ "execve envp[1]", call_execve_envp0, 8, BP_INPUT & BP_NO_NULL,
		    0, NULL },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		bp_check(&calls[i]);
}

/* nanosleep with a bad time: EFAULT (and no sleep on garbage). */
static void
t_nanosleep(void)
{
	static const struct bp_call c = { "nanosleep", call_nanosleep, 16,
		BP_INPUT, 0, NULL };

	bp_check(&c);
}

/* ARCH_GET_FS into bad memory: EFAULT. */
static void
t_arch_prctl(void)
{
	static const struct bp_call c = { "arch_prctl ARCH_GET_FS",
		call_arch_get_fs, 8, BP_OUTPUT, 0, NULL };

	bp_check(&c);
}

/*
 * The signal calls' set, old set, action and old action pointers (NULL
 * is valid for each: nothing to change or to report).
 */
static void
t_signals(void)
{
	static const struct bp_call calls[] = {
		{ "rt_sigprocmask set", call_sigprocmask_set, 8,
		    BP_INPUT & BP_NO_NULL, 0, NULL },
		{ "rt_sigprocmask oset", call_sigprocmask_oset, 8,
		    BP_OUTPUT & BP_NO_NULL, 0, NULL },
		{ "rt_sigaction act", call_sigaction_act, 32,
		    BP_INPUT & BP_NO_NULL, 0, NULL },
		{ "rt_sigaction oact", call_sigaction_oact, 32,
		    BP_OUTPUT & BP_NO_NULL, 0, NULL },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		bp_check(&calls[i]);
}

/* kstat, lwp_create and TIOCGWINSZ on the console (our kernel only). */
static void
t_native(void)
{
	static const struct bp_call calls[] = {
		{ "kstat", call_kstat, 64, BP_OUTPUT, 0, NULL },
		{ "lwp_create", call_lwp_create, 40, BP_INPUT, 0, NULL },
		{ "ioctl TIOCGWINSZ", call_console_ioctl, 8, BP_OUTPUT, 0,
		    NULL },
	};
	struct winsize {
		unsigned short r, c, x, y;
	} ws;

	/* The console may answer ENOTTY before looking at the pointer. */
	if (syscall(SYS_ioctl, 1, 0x5413, &ws) != 0) {
		bp_check(&calls[0]);
		bp_check(&calls[1]);
		return;
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		bp_check(&calls[i]);
}

/*
 * ABI.md's EFAULT where Linux copies the part that fits and returns a
 * short count: a read from a pipe into a straddling buffer, and readv
 * with a good first and a bad second buffer.  Nothing may be consumed.
 */
static void
t_partial(void)
{
	char buf[8] = { 0 }, x[16];
	struct iovec iov[2] = { { x, sizeof(x) }, { NULL, 8 } };

	open_state();
	bp_setup();
	iov[1].iov_base = rw_page + P; /* unmapped */
	test_expect_eq(write(pfd[1], "abcd", 4), 4, "write 4");
	test_expect_errno(syscall(SYS_read, pfd[0], rw_page + P - 8, 64),
	    EFAULT,
	    "read 4 bytes from a pipe into 8 good and 56 unmapped bytes");
	test_expect_eq(read(pfd[0], buf, sizeof(buf)), 4,
	    "the 4 bytes are still in the pipe");
	test_assert(memcmp(buf, "abcd", 4) == 0);
	test_expect_errno(syscall(SYS_readv, file_fd, iov, 2), EFAULT,
	    "readv with a bad second buffer");
	after_offset("readv with a bad second buffer");
	test_expect_errno(syscall(SYS_read, file_fd, rw_page + P - 8, 64),
	    EFAULT, "read a file into a straddling buffer");
	after_offset("read a file into a straddling buffer");
}

const struct test ut_badptr_tests[] = {
	{ "badptr_read", t_read, NULL },
	{ "badptr_write", t_write, NULL },
	{ "badptr_fstat", t_fstat, NULL },
	{ "badptr_pipe", t_pipe, NULL },
	{ "badptr_wait4", t_wait4, NULL },
	{ "badptr_clock_gettime", t_clock_gettime, NULL },
	{ "badptr_uname", t_uname, NULL },
	{ "badptr_getdents64", t_getdents64, NULL },
	{ "badptr_readv_writev", t_readv_writev, NULL },
	{ "badptr_open", t_open, NULL },
	{ "badptr_execve", t_execve, NULL },
	{ "badptr_nanosleep", t_nanosleep, NULL },
	{ "badptr_arch_prctl", t_arch_prctl, NULL },
	{ "badptr_signals", t_signals, NULL },
	{ "badptr_native", t_native, "native calls and console" },
	{ "badptr_partial", t_partial,
	    "Linux copies what fits and returns a short count" },
	{ NULL, NULL, NULL },
};
