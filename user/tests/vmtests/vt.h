/*
 * vt.h: what the files of vmtests share.
 *
 * vmtests is the virtual memory test suite of issue 4: copy-on-write
 * fork, memfd shared memory, the mmap family, faults, brk, many mappings
 * and running out of memory.  main.c runs the tests and prints TAP; each
 * other file holds the tests of one area and exports a table of them:
 *
 *	cow.c	copy-on-write after fork
 *	memfd.c	memfd_create, ftruncate and shared or private mappings
 *	map.c	MAP_FIXED, partial munmap and mprotect, madvise, brk, and
 *		10,000 mappings in one process
 *	fault.c	accesses to every forbidden place end with SIGSEGV
 *	oom.c	running out of memory, then getting every page back
 *	harden.c	inputs that once froze or corrupted the kernel
 *
 * Every test is a function that runs in a child process of its own
 * (main.c forks it).  It checks with the vt_expect_* and vt_assert
 * macros below; the first failed check writes one line, with the file
 * and line of the check, what was expected and what happened, and ends
 * the child with status 1.  Returning from the test function is a pass.
 * A process the test forks may use the same checks: its message is
 * printed with its pid, and the test sees it exit with status 1.
 *
 * The calls under test go through musl's syscall(), so that libc adds
 * nothing of its own (it returns -1 and sets errno).
 *
 * The suite is an ordinary Linux program, and every test whose
 * expectation is Linux's runs on Linux too (and passes there).  Tests
 * that need our kernel (kstat, or running the machine out of memory)
 * carry a reason in their table row and are skipped on Linux.
 */

#ifndef VT_H
#define VT_H

#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <native.h>

#define VT_PAGE		4096UL
#define VT_USER_MIN	0x1000UL		/* VM_MIN_USER_ADDRESS */
#define VT_USER_MAX	0x00007ffffffff000UL	/* VM_MAX_USER_ADDRESS */

/* Addresses that are never valid user memory. */
#define VT_KERNEL_TEXT	0xffffffff80000000UL	/* the kernel image */
#define VT_DIRECT_MAP	0xffff800000000000UL	/* the kernel's direct map */
#define VT_NONCANON_LO	0x0000800000000000UL	/* first non-canonical */
#define VT_NONCANON_HI	0x8000000000000000UL

/* Linux's numbers and flags, written here as ABI.md and Linux state them. */
#define VT_NR_MEMFD_CREATE	319
#define VT_MFD_CLOEXEC		1U
#define VT_MAP_FIXED_NOREPLACE	0x100000

/* ---------------------------------------------------------------------
 * The test tables.
 */

struct vt_test {
	const char *name;
	void (*fn)(void);
	/*
	 * NULL for a test that runs everywhere.  Otherwise the test runs
	 * only on our kernel, and this says why; on Linux it is reported as
	 * "# SKIP not our kernel: <why>".
	 */
	const char *native;
};

/* Each area's table, ending with an entry whose name is NULL. */
extern const struct vt_test vt_cow_tests[];
extern const struct vt_test vt_memfd_tests[];
extern const struct vt_test vt_map_tests[];
extern const struct vt_test vt_fault_tests[];
extern const struct vt_test vt_oom_tests[];
extern const struct vt_test vt_harden_tests[];

/* Running on our kernel, not on Linux (main.c decides). */
extern int vt_native;

/* ---------------------------------------------------------------------
 * Checks.  Each records the file and line of its use.  `what` is a short
 * description of the call, such as "munmap the middle page".
 */

/* Fail the test with a formatted message. */
#define vt_fail(...) vt_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fail unless `cond` holds. */
#define vt_assert(cond) \
	do { \
		if (!(cond)) \
			vt_fail("expected %s", #cond); \
	} while (0)

/* Fail with a formatted message unless `cond` holds. */
#define vt_assert_msg(cond, ...) \
	do { \
		if (!(cond)) \
			vt_fail(__VA_ARGS__); \
	} while (0)

/* `r` is a libc-style result: it must not be -1.  Returns `r`. */
#define vt_expect_ok(r, what) \
	vt_expect_ok_at(__FILE__, __LINE__, (long)(r), (what))

/* `r` is a libc-style result: it must be -1 with errno `err`. */
#define vt_expect_errno(r, err, what) \
	vt_expect_errno_at(__FILE__, __LINE__, (long)(r), (err), (what))

/* `got` must equal `want` (compared as long). */
#define vt_expect_eq(got, want, what) \
	vt_expect_eq_at(__FILE__, __LINE__, (long)(got), (long)(want), (what))

/* Wait for child `pid`; it must have exited with `code`. */
#define vt_expect_exit(pid, code, what) \
	vt_expect_exit_at(__FILE__, __LINE__, (pid), (code), (what))

/* Wait for child `pid`; it must have been killed by signal `sig`. */
#define vt_expect_signal(pid, sig, what) \
	vt_expect_signal_at(__FILE__, __LINE__, (pid), (sig), (what))

/* fork(), failing the test if it fails. */
#define vt_fork() vt_fork_at(__FILE__, __LINE__)

/* wait4(pid, &status, 0, NULL) for a child; returns the status. */
#define vt_wait(pid) vt_wait_at(__FILE__, __LINE__, (pid))

/* pipe(fds), failing the test if it fails. */
#define vt_pipe(fds) vt_pipe_at(__FILE__, __LINE__, (fds))

/* An anonymous private read-write mapping of `len` bytes, or fail. */
#define vt_map(len) vt_map_at(__FILE__, __LINE__, (len))

/* A memfd of `size` bytes (memfd_create, then ftruncate), or fail. */
#define vt_memfd(size) vt_memfd_at(__FILE__, __LINE__, (size))

/*
 * Every page of [p, p + npages pages) holds the pattern of vt_fill with
 * `tag`; otherwise fail, naming the first wrong word.
 */
#define vt_expect_pages(p, npages, tag, what) \
	vt_expect_pages_at(__FILE__, __LINE__, (p), 0, (npages), (tag), (what))

/* Pages [first, first + n) of the region at `base` hold their pattern. */
#define vt_expect_page_range(base, first, n, tag, what) \
	vt_expect_pages_at(__FILE__, __LINE__, (base), (first), (n), (tag), \
	    (what))

/* Page i of the region at `base` holds the pattern of vt_fill_page. */
#define vt_expect_page(base, i, tag, what) \
	vt_expect_pages_at(__FILE__, __LINE__, (base), (i), 1, (tag), (what))

/* Every byte of [p, p + n) is `v`; otherwise fail. */
#define vt_expect_bytes(p, n, v, what) \
	vt_expect_bytes_at(__FILE__, __LINE__, (p), (n), (v), (what))

_Noreturn void vt_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long vt_expect_ok_at(const char *file, int line, long r, const char *what);
void vt_expect_errno_at(const char *file, int line, long r, int err,
    const char *what);
void vt_expect_eq_at(const char *file, int line, long got, long want,
    const char *what);
void vt_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what);
void vt_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what);
pid_t vt_fork_at(const char *file, int line);
int vt_wait_at(const char *file, int line, pid_t pid);
void vt_pipe_at(const char *file, int line, int fds[2]);
void *vt_map_at(const char *file, int line, size_t len);
int vt_memfd_at(const char *file, int line, size_t size);
void vt_expect_pages_at(const char *file, int line, const void *base,
    size_t first, size_t npages, uint32_t tag, const char *what);
void vt_expect_bytes_at(const char *file, int line, const void *p,
    size_t n, unsigned char v, const char *what);

/*
 * Run fn(arg) in a child process (it ends the child with _exit(0) if it
 * returns) and check that the child was killed by signal `sig`.
 */
void vt_expect_child_signal(void (*fn)(void *), void *arg, int sig,
    const char *what);

/*
 * A child that reads (write == 0) or writes one byte at `addr` must be
 * killed by SIGSEGV.
 */
void vt_expect_fault(const void *addr, int write, const char *what);

/*
 * Run fn(arg) in a child process and return its wait status, without
 * judging it (for the places where our kernel may differ from Linux).
 */
int vt_child_status(void (*fn)(void *), void *arg);

/* Print "# ..." after the test's TAP line (a note, not a failure). */
void vt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The symbolic name of an errno value ("ENOENT") or signal ("SIGSEGV"). */
const char *vt_errname(int err);
const char *vt_signame(int sig);

/* Describe a wait status in words ("exited with status 3"). */
void vt_status_str(int status, char *buf, size_t size);

/* ---------------------------------------------------------------------
 * Small tools.
 */

/*
 * Fill each page i of [p, p + npages pages) with 64-bit words holding
 * `tag` in the high half and i in the low half, so that a page that
 * moved, was lost or came from another process shows which.
 */
void vt_fill(void *p, size_t npages, uint32_t tag);

/* Fill only page i of the region at `base`, as vt_fill would. */
void vt_fill_page(void *base, size_t i, uint32_t tag);

/* The same, for the first and last word of each page only (cheap). */
void vt_fill_edges(void *p, size_t npages, uint32_t tag);

/* Whether page i holds the edge words of vt_fill_edges (or vt_fill). */
int vt_edges_ok(const void *p, size_t i, uint32_t tag);

/* mmap through the raw call: the address, or -1 with errno. */
long vt_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
    long off);

/* memfd_create through the raw call (musl may lack the wrapper). */
long vt_memfd_create(const char *name, unsigned flags);

/* Send one byte on `fd`, or fail. */
void vt_send(int fd);

/* Receive one byte from `fd`, or fail (end of file means a peer died). */
void vt_recv(int fd);

/* write() all of buf; returns what write() finally returned or `n`. */
long vt_write_all(int fd, const void *buf, size_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vt_now_ns(void);

/* Sleep at least `ns` nanoseconds. */
void vt_sleep_ns(uint64_t ns);

/* kstat() into *ks; 0 on success or -errno. */
int vt_kstat(struct kstat *ks);

/*
 * Read the kernel's counters until the ones that must come back (free
 * pages, heap bytes, processes, LWPs, vmspaces, vmspace entries) equal
 * *want, for up to `ms` milliseconds.  Returns 1 if they do; *got holds
 * the last reading and, when they differ, `diff` (of `size` bytes)
 * describes how.
 */
int vt_kstat_settle(const struct kstat *want, struct kstat *got,
    unsigned ms, char *diff, size_t size);

#endif /* VT_H */
