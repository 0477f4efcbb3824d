/*
 * ut.h: what the files of usertests share.
 *
 * usertests is one program made of several files: main.c runs the tests
 * and prints TAP; fs.c, pipe.c, mem.c, proc.c, lwp.c, badptr.c and
 * fuzz.c each hold the tests of one area and export a table of them.
 *
 * Every test is a function that runs in a child process of its own
 * (main.c forks it).  It checks with the ut_expect_* and ut_assert
 * macros below; the first failed check writes one line, with the file
 * and line of the check, what was expected and what happened, and ends
 * the child with status 1.  Returning from the test function is a pass.
 *
 * Tests use musl's syscall() for the calls they examine, so that libc
 * adds nothing of its own (it returns -1 and sets errno).  Code that runs
 * in an LWP the test made with lwp_create must not touch errno or any
 * other libc state (musl does not know about such LWPs, and they share
 * the creator's thread pointer): it uses the ut_raw* calls, which return
 * -errno directly.
 */

#ifndef UT_H
#define UT_H

#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <native.h>

/*
 * The native call numbers of ABI.md section 4.2, written here on their
 * own so that the suite checks the ABI as that page states it.
 */
#define UT_NR_LWP_CREATE	495
#define UT_NR_LWP_GETTID	496
#define UT_NR_LWP_EXIT		1000
#define UT_NR_LWP_WAIT		1001
#define UT_NR_KSTAT		1003
#define UT_NR_RFORK		1004

#define UT_RFFDG	4	/* rfork: the child gets a copy of the fd table */
#define UT_RFCFDG	4096	/* rfork: the child gets an empty fd table */

#define UT_PAGE		4096UL
#define UT_USER_MIN	0x1000UL		/* VM_MIN_USER_ADDRESS */
#define UT_USER_MAX	0x00007ffffffff000UL	/* VM_MAX_USER_ADDRESS */

/* Addresses that are never valid user memory. */
#define UT_KERNEL_TEXT	0xffffffff80000000UL	/* the kernel image */
#define UT_DIRECT_MAP	0xffff800000000000UL	/* the kernel's direct map */
#define UT_NONCANON_LO	0x0000800000000000UL	/* first non-canonical */
#define UT_NONCANON_HI	0x8000000000000000UL

/* ---------------------------------------------------------------------
 * The test tables.
 */

struct ut_test {
	const char *name;
	void (*fn)(void);
	/*
	 * NULL for a test that runs everywhere.  Otherwise the test runs
	 * only on our kernel, and this says why (a native call, or a place
	 * where ABI.md deliberately differs from Linux); on Linux it is
	 * reported as "# SKIP not our kernel: <why>".
	 */
	const char *native;
};

/* Each area's table, ending with an entry whose name is NULL. */
extern const struct ut_test ut_fs_tests[];
extern const struct ut_test ut_pipe_tests[];
extern const struct ut_test ut_mem_tests[];
extern const struct ut_test ut_proc_tests[];
extern const struct ut_test ut_lwp_tests[];
extern const struct ut_test ut_elf_tests[];
extern const struct ut_test ut_badptr_tests[];
extern const struct ut_test ut_fuzz_tests[];
extern const struct ut_test ut_stress_tests[];

/* ---------------------------------------------------------------------
 * The run (main.c).
 */

extern int ut_native;		/* running on our kernel, not on Linux */
extern const char *ut_self;	/* this program's path (argv[0]) */
extern uint64_t ut_seed;	/* the fuzzer's seed (-s) */

/*
 * Tests that need a helper program run this one again: ut_self with
 * argv[1] = "--helper" (see ut_helper_main in main.c for the commands).
 */
#define UT_HELPER "--helper"

/* ---------------------------------------------------------------------
 * Checks.  Each records the file and line of its use.  `what` is a short
 * description of the call, such as "open missing file".
 */

/* Fail the test with a formatted message. */
#define ut_fail(...) ut_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fail unless `cond` holds. */
#define ut_assert(cond) \
	do { \
		if (!(cond)) \
			ut_fail("expected %s", #cond); \
	} while (0)

/* Fail with a formatted message unless `cond` holds. */
#define ut_assert_msg(cond, ...) \
	do { \
		if (!(cond)) \
			ut_fail(__VA_ARGS__); \
	} while (0)

/* `r` is a libc-style result: it must not be -1.  Returns `r`. */
#define ut_expect_ok(r, what) \
	ut_expect_ok_at(__FILE__, __LINE__, (long)(r), (what))

/* `r` is a libc-style result: it must be -1 with errno `err`. */
#define ut_expect_errno(r, err, what) \
	ut_expect_errno_at(__FILE__, __LINE__, (long)(r), (err), (what))

/* `r` is a raw result (ut_raw*): it must be -`err`. */
#define ut_expect_raw_errno(r, err, what) \
	ut_expect_eq_at(__FILE__, __LINE__, (long)(r), -(long)(err), (what))

/* `got` must equal `want` (compared as long). */
#define ut_expect_eq(got, want, what) \
	ut_expect_eq_at(__FILE__, __LINE__, (long)(got), (long)(want), (what))

/* Wait for child `pid`; it must have exited with `code`. */
#define ut_expect_exit(pid, code, what) \
	ut_expect_exit_at(__FILE__, __LINE__, (pid), (code), (what))

/* Wait for child `pid`; it must have been killed by signal `sig`. */
#define ut_expect_signal(pid, sig, what) \
	ut_expect_signal_at(__FILE__, __LINE__, (pid), (sig), (what))

/* fork(), failing the test if it fails. */
#define ut_fork() ut_fork_at(__FILE__, __LINE__)

/* wait4(pid, &status, 0, NULL) for a child; returns the status. */
#define ut_wait(pid) ut_wait_at(__FILE__, __LINE__, (pid))

/* pipe(fds), failing the test if it fails. */
#define ut_pipe(fds) ut_pipe_at(__FILE__, __LINE__, (fds))

/* An anonymous private read-write mapping of `len` bytes, or fail. */
#define ut_map(len) ut_map_at(__FILE__, __LINE__, (len))

_Noreturn void ut_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long ut_expect_ok_at(const char *file, int line, long r, const char *what);
void ut_expect_errno_at(const char *file, int line, long r, int err,
    const char *what);
void ut_expect_eq_at(const char *file, int line, long got, long want,
    const char *what);
void ut_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what);
void ut_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what);
pid_t ut_fork_at(const char *file, int line);
int ut_wait_at(const char *file, int line, pid_t pid);
void ut_pipe_at(const char *file, int line, int fds[2]);
void *ut_map_at(const char *file, int line, size_t len);

/*
 * Run `fn` in a child process (it ends the child with _exit(0) if it
 * returns) and check that the child was killed by signal `sig`.
 */
void ut_expect_child_signal(void (*fn)(void), int sig, const char *what);

/* Print "# ..." after the test's TAP line (a note, not a failure). */
void ut_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "# ..." on standard output at once (progress of long tests). */
void ut_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The symbolic name of an errno value ("ENOENT") or signal ("SIGSEGV"). */
const char *ut_errname(int err);
const char *ut_signame(int sig);

/* Describe a wait status in words ("exited with status 3"). */
void ut_status_str(int status, char *buf, size_t size);

/* ---------------------------------------------------------------------
 * Small tools.
 */

/* write() all of buf; returns what write() finally returned or `n`. */
long ut_write_all(int fd, const void *buf, size_t n);

/* read() until `n` bytes or end of file; returns the count, or -1. */
long ut_read_full(int fd, void *buf, size_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t ut_now_ns(void);

/* Sleep at least `ns` nanoseconds. */
void ut_sleep_ns(uint64_t ns);

/* kstat() into *ks; 0 on success or -errno. */
int ut_kstat(struct kstat *ks);

/*
 * Run `path` with argv and envp in a child process whose standard output
 * goes into `out` (at most size - 1 bytes, NUL-terminated); returns the
 * child's wait status.  If execve fails the child exits with 127.
 */
int ut_run_program(const char *path, char *const argv[], char *const envp[],
    char *out, size_t size);

/* Run this program's helper (see main.c) with up to 3 arguments. */
int ut_run_helper(const char *cmd, const char *a1, const char *a2,
    char *out, size_t size);

/* Read a whole file into a malloc'ed buffer; fails the test if it can't. */
char *ut_read_file(const char *path, size_t *size);

/* A xorshift64 generator: deterministic for a given seed. */
static inline uint64_t
ut_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* ---------------------------------------------------------------------
 * Raw system calls: no libc, no errno; the result is the kernel's rax
 * (a value in [-4095, -1] is -errno).  Safe in an LWP that libc does not
 * know about.
 */

static inline long
ut_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

static inline long
ut_raw0(long n)
{
	return ut_raw6(n, 0, 0, 0, 0, 0, 0);
}

static inline long
ut_raw1(long n, long a1)
{
	return ut_raw6(n, a1, 0, 0, 0, 0, 0);
}

static inline long
ut_raw3(long n, long a1, long a2, long a3)
{
	return ut_raw6(n, a1, a2, a3, 0, 0, 0);
}

/* End the calling LWP (lwp_exit); the last one ends the process. */
static inline _Noreturn void
ut_raw_lwp_exit(void)
{
	for (;;)
		ut_raw0(UT_NR_LWP_EXIT);
}

/* End the process at once with `code` (exit_group). */
static inline _Noreturn void
ut_raw_exit(int code)
{
	for (;;)
		ut_raw1(231, code);
}

#endif /* UT_H */
