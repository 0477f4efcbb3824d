/*
 * test.h: the user test library, shared by every suite under user/tests/
 * (usertests, vmtests, vmspacetests, ...).
 *
 * A suite is an ordinary program made of test files and one suite.c.
 * Each test file exports a table of tests; suite.c defines `test_suite`,
 * naming the suite and listing its tables.  The library's runner
 * (runner.c) is the program's main():
 *
 *   SUITE [-s SEED] [-t SECONDS] [SUITE OPTIONS] [NAME...]
 *   SUITE -l
 *
 * With no NAME it runs every test, in table order; otherwise the named
 * ones.  -s sets the seed of randomized tests (test_seed), -t the time
 * limit of one test (0: none; a test still running then is killed and
 * fails), -l lists the tests.  The output is TAP: one line per test, "# "
 * lines under a failure saying what was expected, what happened and
 * where, and the command that reproduces it; then a leak check line and
 * the summary "N passed, N failed" (", N skipped" when some were).  The
 * exit status is the number of failures, at most 126.
 *
 * Each test runs in a child process of its own, and reports a failure
 * through a pipe that only the runner reads, so its messages are printed
 * under its TAP line.  On our kernel the runner also reads the kernel's
 * counters with kstat() before and after every test and the whole run:
 * free pages, kernel heap bytes, processes, LWPs, address spaces and
 * vmspace entries must all come back.  On Linux (kstat() fails with
 * ENOSYS and uname says "Linux") the tests marked native and the leak
 * check are skipped, and the rest must pass there too.
 *
 * The checks below record the file and line of their use; the first one
 * that fails writes one line (what was expected, what happened) and ends
 * the process with status 1.  A process the test forks may use them too:
 * its message is printed with its pid, and the test sees it exit with
 * status 1.  The checks use libc and errno: code running in an LWP of
 * its own must not call them.
 */

#ifndef TEST_H
#define TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sys/syscall.h>

#include <asm/prctl.h> /* Linux's ARCH_* (uapi) */
#include <native.h>

#define TEST_PAGE 4096UL

/* Addresses that are never valid user memory. */
#define TEST_KERNEL_TEXT 0xffffffff80000000UL /* the kernel image */
#define TEST_DIRECT_MAP 0xffff800000000000UL  /* the direct map */
#define TEST_NONCANON_LO 0x0000800000000000UL /* first non-canonical */
#define TEST_NONCANON_HI 0x8000000000000000UL

/* ---------------------------------------------------------------------
 * Suites and tests.
 */

struct test {
	const char *name;
	void (*fn)(void);
	/*
	 * NULL for a test that runs everywhere.  Otherwise the test runs
	 * only on our kernel, and this says why; on Linux it is reported as
	 * "# SKIP not our kernel: <why>".
	 */
	const char *native;
};

struct test_suite {
	const char *name; /* the program's name, as in /tests/NAME */
	/* Its tables, each ending with a test whose name is NULL; then NULL. */
	const struct test *const *tables;
	unsigned timeout_s; /* default time limit of one test */
	/* Not NULL: every test needs our kernel, and this says why. */
	const char *native_only;
	/*
	 * Optional.  Called first with the whole command line: returns -1
	 * to go on with the run, or the exit status of a program that was
	 * something else (usertests' exec helper).
	 */
	int (*early)(int argc, char **argv);
	/*
	 * Optional: a suite option "-c ARG" for a letter c not used above.
	 * Returns 0 if it took it, -1 if c is not its option.  usage names
	 * it for the usage line (" [-n CALLS]").
	 */
	int (*option)(int c, const char *arg);
	const char *usage;
	/*
	 * Not 0: reproduce lines name the seed even when it is the default
	 * (a suite whose tests are all randomized, such as smptests).
	 */
	int seeded;
};

/* Defined by each suite's suite.c. */
extern const struct test_suite test_suite;

extern int test_native;       /* running on our kernel, not on Linux */
extern const char *test_self; /* this program's path (argv[0]) */
extern uint64_t test_seed;    /* -s, for randomized tests */

/* ---------------------------------------------------------------------
 * Checks.  `what` is a short description of the call, such as "munmap
 * the middle page".
 */

/* Fail the test with a formatted message. */
#define test_fail(...) test_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fail unless `cond` holds. */
#define test_assert(cond)                                \
	do {                                             \
		if (!(cond))                             \
			test_fail("expected %s", #cond); \
	} while (0)

/* Fail with a formatted message unless `cond` holds. */
#define test_assert_msg(cond, ...)              \
	do {                                    \
		if (!(cond))                    \
			test_fail(__VA_ARGS__); \
	} while (0)

/* `r` is a libc-style result: it must not be -1.  Returns `r`. */
#define test_expect_ok(r, what) \
	test_expect_ok_at(__FILE__, __LINE__, (long)(r), (what))

/* `r` is a libc-style result: it must be -1 with errno `err`. */
#define test_expect_errno(r, err, what) \
	test_expect_errno_at(__FILE__, __LINE__, (long)(r), (err), (what))

/* `r` is a raw result (the kernel's rax): it must be -`err`. */
#define test_expect_raw_errno(r, err, what) \
	test_expect_eq((r), -(long)(err), (what))

/* `got` must equal `want` (compared as long, printed in decimal). */
#define test_expect_eq(got, want, what) \
	test_expect_eq_at(__FILE__, __LINE__, (long)(got), (long)(want), (what))

/* `got` must equal `want` (compared as uint64_t, printed in hex). */
#define test_expect_hex(got, want, what)                        \
	test_expect_hex_at(__FILE__, __LINE__, (uint64_t)(got), \
	    (uint64_t)(want), (what))

/* Every byte of [p, p + n) is `v`. */
#define test_expect_bytes(p, n, v, what) \
	test_expect_bytes_at(__FILE__, __LINE__, (p), (n), (v), (what))

/* Wait for child `pid`; it must have exited with `code`. */
#define test_expect_exit(pid, code, what) \
	test_expect_exit_at(__FILE__, __LINE__, (pid), (code), (what))

/* Wait for child `pid`; it must have been killed by signal `sig`. */
#define test_expect_signal(pid, sig, what) \
	test_expect_signal_at(__FILE__, __LINE__, (pid), (sig), (what))

/* fork(), failing the test if it fails. */
#define test_fork() test_fork_at(__FILE__, __LINE__)

/* wait4(pid, &status, 0, NULL) for a child; returns the status. */
#define test_wait(pid) test_wait_at(__FILE__, __LINE__, (pid))

/* pipe(fds), failing the test if it fails. */
#define test_pipe(fds) test_pipe_at(__FILE__, __LINE__, (fds))

/* An anonymous private read-write mapping of `len` bytes, or fail. */
#define test_map(len) test_map_at(__FILE__, __LINE__, (len))

/* A memfd of `size` bytes (memfd_create, then ftruncate), or fail. */
#define test_memfd(size) test_memfd_at(__FILE__, __LINE__, (size))

_Noreturn void test_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long test_expect_ok_at(const char *file, int line, long r, const char *what);
void test_expect_errno_at(const char *file, int line, long r, int err,
    const char *what);
void test_expect_eq_at(const char *file, int line, long got, long want,
    const char *what);
void test_expect_hex_at(const char *file, int line, uint64_t got, uint64_t want,
    const char *what);
void test_expect_bytes_at(const char *file, int line, const void *p, size_t n,
    unsigned char v, const char *what);
void test_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what);
void test_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what);
pid_t test_fork_at(const char *file, int line);
int test_wait_at(const char *file, int line, pid_t pid);
void test_pipe_at(const char *file, int line, int fds[2]);
void *test_map_at(const char *file, int line, size_t len);
int test_memfd_at(const char *file, int line, size_t size);

/*
 * Run fn(arg) in a child process (which ends with _exit(0) if fn
 * returns): test_child_status returns its wait status without judging
 * it; test_expect_child_signal checks that `sig` killed it.
 */
int test_child_status(void (*fn)(void *), void *arg);
void test_expect_child_signal(void (*fn)(void *), void *arg, int sig,
    const char *what);

/* A child that reads (write == 0) or writes one byte at `addr` dies by
 * SIGSEGV. */
void test_expect_fault(const void *addr, int write, const char *what);

/*
 * End the test as skipped ("ok N - name # SKIP <why>"): for a test that
 * finds out only as it runs that it cannot run here, such as a call the
 * kernel does not have yet (ENOSYS).  Only from the test's own process.
 */
_Noreturn void test_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Print "#   ..." under the test's TAP line (a note, not a failure). */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The symbolic name of an errno value ("ENOENT") or signal ("SIGSEGV"). */
const char *test_errname(int err);
const char *test_signame(int sig);

/* Describe a wait status in words ("exited with status 3"). */
void test_status_str(int status, char *buf, size_t size);

/* ---------------------------------------------------------------------
 * Small tools.
 */

/* mmap and memfd_create through the raw calls: -1 with errno on error. */
long test_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
    long off);
long test_memfd_create(const char *name, unsigned flags);

/* Send one byte on `fd`, or fail. */
void test_send(int fd);

/* Receive one byte from `fd`, or fail (end of file means a peer died). */
void test_recv(int fd);

/* write() all of buf; returns what write() finally returned, or `n`. */
long test_write_all(int fd, const void *buf, size_t n);

/* read() until `n` bytes or end of file; the count, or -1. */
long test_read_full(int fd, void *buf, size_t n);

/* CLOCK_MONOTONIC in nanoseconds; sleep at least `ns` nanoseconds. */
uint64_t test_now_ns(void);
void test_sleep_ns(uint64_t ns);

/* kstat() into *ks; 0 on success or -errno. */
int test_kstat(struct kstat *ks);

/*
 * Read the kernel's counters until the ones that must come back (free
 * pages, heap bytes, processes, LWPs, vmspaces, vmspace entries) equal
 * *want, for up to `ms` milliseconds.  Returns 1 if they do; *got holds
 * the last reading and, when they differ, `diff` (of `size` bytes)
 * describes how.
 */
int test_kstat_settle(const struct kstat *want, struct kstat *got, unsigned ms,
    char *diff, size_t size);

/* A xorshift64 generator: the next number of the sequence in *state. */
static inline uint64_t
test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* ---------------------------------------------------------------------
 * Raw system calls: no libc, no errno; the result is the kernel's rax (a
 * value in [-4095, -1] is -errno).  The only calls safe in an LWP that
 * libc does not know about.
 */

static inline long
test_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			 "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define test_raw0(n) test_raw6((n), 0, 0, 0, 0, 0, 0)
#define test_raw1(n, a) test_raw6((n), (long)(a), 0, 0, 0, 0, 0)
#define test_raw3(n, a, b, c) \
	test_raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define test_raw4(n, a, b, c, d) \
	test_raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define test_raw5(n, a, b, c, d, e) \
	test_raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* End the calling LWP (lwp_exit); the last one ends the process. */
static inline _Noreturn void
test_raw_lwp_exit(void)
{
	for (;;)
		test_raw0(SYS_lwp_exit);
}

/* End the process at once with `code` (exit_group). */
static inline _Noreturn void
test_raw_exit(int code)
{
	for (;;)
		test_raw1(SYS_exit_group, code);
}

/* ---------------------------------------------------------------------
 * Segment registers.  After loading %fs a program has no TLS (errno
 * included) until ARCH_SET_FS puts its thread pointer back: only
 * test_raw* calls in between.
 */

/* The selector in %fs, %gs, %ss (the flat user data selector) or %cs. */
static inline uint16_t
test_fs_sel(void)
{
	uint16_t s;

	__asm__ volatile("movw %%fs, %0" : "=r"(s));
	return s;
}

static inline uint16_t
test_gs_sel(void)
{
	uint16_t s;

	__asm__ volatile("movw %%gs, %0" : "=r"(s));
	return s;
}

static inline uint16_t
test_ss_sel(void)
{
	uint16_t s;

	__asm__ volatile("movw %%ss, %0" : "=r"(s));
	return s;
}

static inline uint16_t
test_cs_sel(void)
{
	uint16_t s;

	__asm__ volatile("movw %%cs, %0" : "=r"(s));
	return s;
}

/* Load a selector into %fs or %gs (its base comes from the descriptor). */
static inline void
test_load_fs(uint16_t s)
{
	__asm__ volatile("movw %0, %%fs" : : "r"(s) : "memory");
}

static inline void
test_load_gs(uint16_t s)
{
	__asm__ volatile("movw %0, %%gs" : : "r"(s) : "memory");
}

#endif /* TEST_H */
