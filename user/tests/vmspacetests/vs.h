/*
 * vs.h: what the files of vmspacetests share.
 *
 * vmspacetests is the test suite of the vmspace service (issue 5, ABI.md
 * section 4): the native calls vmspace_create, _destroy, _ctl, _mmap,
 * _munmap, _mcontrol, _pread, _pwrite and _spawn.  main.c runs the tests
 * and prints TAP; each other file holds the tests of one area and exports
 * a table of them:
 *
 *	errors.c	every errno of ABI.md 4.1, in the documented order
 *	memory.c	munmap, mcontrol, pread and pwrite semantics, memfd
 *			memory shared with a guest, demand-zero and
 *			copy-on-write faults inside a guest
 *	traps.c		guests: every trap kind, registers, hostile frames,
 *			TLS bases, timeouts
 *	procs.c		LWPs and processes: destroy while running (EBUSY),
 *			entries kept by an LWP's cache, fork sharing the
 *			tree, kill during a guest run, vmspace_spawn
 *	guest.c		the helpers below: building and running guests,
 *			LWPs, raw system calls
 *
 * Every test is a function that runs in a child process of its own
 * (main.c forks it), so that each starts without a vkernel structure.
 * It checks with the vs_expect_* and vs_assert macros below; the first
 * failed check writes one line, with the file and line of the check,
 * what was expected and what happened, and ends the child with status 1.
 * Returning from the test function is a pass.  A process the test forks
 * may use the same checks: its message is printed with its pid, and the
 * test sees it exit with status 1.
 *
 * The checks use libc and errno, so only the test's main LWP may use
 * them.  Code that runs in an LWP made with lwp_create uses the vs_raw*
 * calls only, which return the kernel's raw result (-errno on failure).
 *
 * The suite runs only on our kernel: when kstat() fails with ENOSYS
 * every test is reported as skipped.
 */

#ifndef VS_H
#define VS_H

#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <native.h>

#define VS_PAGE		4096UL

/* Addresses that are never valid user memory. */
#define VS_KERNEL_TEXT	0xffffffff80000000UL	/* the kernel image */
#define VS_DIRECT_MAP	0xffff800000000000UL	/* the kernel's direct map */
#define VS_NONCANON_LO	0x0000800000000000UL	/* first non-canonical */

/* Linux's numbers, written here as ABI.md states them. */
#define VS_NR_MEMFD_CREATE	319
#define VS_ARCH_GET_FS		0x1003

/* The user selectors a sanitized frame carries (ABI.md 4.4). */
#define VS_UCSEL	0x23
#define VS_UDSEL	0x1b

/* rflags bits. */
#define PSL_C		0x00000001UL
#define PSL_PF		0x00000004UL
#define PSL_AF		0x00000010UL
#define PSL_Z		0x00000040UL
#define PSL_N		0x00000080UL
#define PSL_T		0x00000100UL
#define PSL_I		0x00000200UL
#define PSL_D		0x00000400UL
#define PSL_V		0x00000800UL
#define PSL_IOPL	0x00003000UL
#define PSL_NT		0x00004000UL
#define PSL_RF		0x00010000UL
#define PSL_VM		0x00020000UL
#define PSL_AC		0x00040000UL
#define PSL_VIF		0x00080000UL
#define PSL_VIP		0x00100000UL
#define PSL_ID		0x00200000UL
#define PSL_RESERVED1	0x00000002UL	/* always reads as 1 */

/* Page fault error code bits. */
#define PGEX_P		0x01	/* protection violation (page present) */
#define PGEX_W		0x02	/* write */
#define PGEX_U		0x04	/* from user mode */
#define PGEX_I		0x10	/* instruction fetch */

/* The trap numbers native.h does not name. */
#define T_DEBUG		1

/* ---------------------------------------------------------------------
 * Guests.
 *
 * guest_new() makes a vmspace with this layout (the same in every test):
 */
#define G_CODE		0x400000	/* 2 pages, PROT_READ | PROT_EXEC */
#define G_DATA		0x600000	/* 4 pages, read-write */
#define G_STACK		0x800000	/* 4 pages, read-write */
#define G_STACK_TOP	0x804000	/* rsp of guest_frame() */
#define G_TLS		0xa00000	/* 1 page, read-write, for fs/gs tests */
/* Free places, for tests that map more. */
#define G_SHM		0xc00000	/* a shared memfd page (vs_shared_page) */
#define G_EXTRA		0x1000000	/* anything else */
#define G_UNMAPPED	0x10000000	/* never mapped */

#define G_CODE_PAGES	2
#define G_DATA_PAGES	4
#define G_STACK_PAGES	4

#define VS_STR_(x)	#x
#define VS_STR(x)	VS_STR_(x)

/*
 * GUEST(name, "instructions") assembles guest code into read-only data
 * of the test program and declares name[] and name_end[] for it; the
 * code is copied into a vmspace with guest_load(id, name), at G_CODE.
 * Guest code must be position independent (relative jumps, %rip-relative
 * data, or the absolute G_* addresses above, written with VS_STR).
 * Labels inside it, declared with GUEST_LABEL, give the guest addresses
 * of its instructions with GUEST_AT(name, label).
 */
#define GUEST(name, text) \
	__asm__(".pushsection .rodata.guest, \"a\"\n" \
	    ".balign 16\n" \
	    #name ":\n" \
	    text "\n" \
	    #name "_end:\n" \
	    ".popsection\n"); \
	extern const unsigned char name[], name##_end[]

#define GUEST_LABEL(label)	extern const unsigned char label[]
#define GUEST_AT(name, label)	((uint64_t)G_CODE + (uint64_t)(label - name))
/* The guest address just past the code (where a final syscall returns). */
#define GUEST_END(name) \
	((uint64_t)G_CODE + (uint64_t)(name##_end - name))
#define guest_load(id, name) \
	guest_code((id), (name), (size_t)(name##_end - name))

/* An id for a vmspace: any non-NULL pointer value is a key. */
#define VS_ID(n)	((void *)(uintptr_t)(0x7000 + (n)))

/* Create vmspace id and map code, data, stack and TLS pages; or fail. */
void guest_new(void *id);

/* Copy len bytes of guest code to G_CODE with vmspace_pwrite; or fail. */
void guest_code(void *id, const void *code, size_t len);

/*
 * A fresh guest frame: every register 0, rip = G_CODE, rsp = G_STACK_TOP,
 * rflags = IF, the user selectors.
 */
void guest_frame(struct trapframe *tf);

/*
 * vmspace_ctl(id, VMSPACE_CTL_RUN, tf, vx), failing the test if the call
 * fails; returns tf->tf_trapno.  vx NULL means no TLS and a 5 s limit, so
 * that a broken guest cannot hang the suite (the test then sees
 * T_TIMEOUT where it expected something else).
 */
uint64_t guest_run(void *id, struct trapframe *tf, struct vextframe *vx);

/* 8 bytes of the vmspace at addr, by vmspace_pread; or fail. */
uint64_t guest_read64(void *id, uint64_t addr);

/* Store 8 bytes at addr of the vmspace, by vmspace_pwrite; or fail. */
void guest_write64(void *id, uint64_t addr, uint64_t v);

/* vmspace_mmap of anonymous private memory at a fixed address; or fail. */
void guest_map(void *id, uint64_t addr, size_t len, int prot);

/*
 * A memfd page mapped MAP_SHARED both in this process (returned) and at
 * gaddr of vmspace id: the controller and the guest see the same memory.
 */
volatile uint64_t *vs_shared_page(void *id, uint64_t gaddr);

/* The name of a trap number ("T_PAGEFLT"). */
const char *vs_trapname(uint64_t trapno);

/* Whether the CPU has the NX bit (CPUID 0x80000001 EDX bit 20). */
int vs_cpu_has_nx(void);

/* Whether the CPU has SMAP (CPUID 7 EBX bit 20). */
int vs_cpu_has_smap(void);

/* ---------------------------------------------------------------------
 * Raw system calls: no libc, no errno; the result is the kernel's rax (a
 * value in [-4095, -1] is -errno).  The only calls an LWP may make.
 */
long vs_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6);
#define vs_raw0(n)		vs_raw6((n), 0, 0, 0, 0, 0, 0)
#define vs_raw1(n, a)		vs_raw6((n), (long)(a), 0, 0, 0, 0, 0)
#define vs_raw4(n, a, b, c, d)	vs_raw6((n), (long)(a), (long)(b), \
				    (long)(c), (long)(d), 0, 0)
#define vs_raw5(n, a, b, c, d, e) vs_raw6((n), (long)(a), (long)(b), \
				    (long)(c), (long)(d), (long)(e), 0)

/* vmspace_ctl(id, RUN, tf, vx) as a raw call: 0 or -errno. */
#define vs_raw_ctl(id, tf, vx) \
	vs_raw4(SYS_vmspace_ctl, (id), VMSPACE_CTL_RUN, (tf), (vx))

/* End the calling LWP. */
_Noreturn void vs_raw_lwp_exit(void);

/*
 * Every general register, for vs_regs_syscall.  The offsets are fixed:
 * guest.c's assembly uses them.
 */
struct vs_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;	/*  0 .. 48 */
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;	/* 56 .. 112 */
	uint64_t rsp;					/* 120 */
};

/*
 * Load every register but rsp from *in, execute `syscall`, store every
 * register (rsp included) to *out.  in->rsp is ignored; out->rsp is
 * compared with the rsp before the call by vs_expect_regs_kept.
 */
void vs_regs_syscall(const struct vs_regs *in, struct vs_regs *out);

/*
 * in and out of vs_regs_syscall: every register except rax, rcx and r11
 * (which the call may change) came back, rsp included; or fail.
 */
#define vs_expect_regs_kept(in, out, what) \
	vs_expect_regs_kept_at(__FILE__, __LINE__, (in), (out), (what))
void vs_expect_regs_kept_at(const char *file, int line,
    const struct vs_regs *in, const struct vs_regs *out, const char *what);

/* Distinct values in every register of *r (seeded by `seed`). */
void vs_regs_fill(struct vs_regs *r, uint64_t seed);

/*
 * vmspace_mmap (raw, 7 arguments) with rsp set to `stack` for the call,
 * so that its 7th argument is read from stack + 8.  Returns the raw
 * result.
 */
long vs_mmap7_on_stack(void *id, long addr, long len, long prot, long flags,
    long fd, uint64_t stack);

/* ---------------------------------------------------------------------
 * LWPs.
 */

/* Start fn(arg) in a new LWP of this process on a fresh stack; its id. */
int vs_lwp_start(void (*fn)(void *), void *arg);

/* lwp_wait(tid), or fail. */
void vs_lwp_join(int tid);

/* Wait (yielding) until *flag >= want, at most `ms`; or fail. */
#define vs_wait_flag(flag, want, ms, what) \
	vs_wait_flag_at(__FILE__, __LINE__, (flag), (want), (ms), (what))
void vs_wait_flag_at(const char *file, int line, volatile int *flag,
    int want, unsigned ms, const char *what);

/* The same for a word of shared memory. */
#define vs_wait_word(word, want, ms, what) \
	vs_wait_word_at(__FILE__, __LINE__, (word), (want), (ms), (what))
void vs_wait_word_at(const char *file, int line, volatile uint64_t *word,
    uint64_t want, unsigned ms, const char *what);

/* ---------------------------------------------------------------------
 * The test tables.
 */

struct vs_test {
	const char *name;
	void (*fn)(void);
};

/* Each area's table, ending with an entry whose name is NULL. */
extern const struct vs_test vs_error_tests[];
extern const struct vs_test vs_memory_tests[];
extern const struct vs_test vs_trap_tests[];
extern const struct vs_test vs_proc_tests[];

/* ---------------------------------------------------------------------
 * Checks.  Each records the file and line of its use.  `what` is a short
 * description of the call, such as "munmap the middle page".
 */

/* Fail the test with a formatted message. */
#define vs_fail(...) vs_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fail unless `cond` holds. */
#define vs_assert(cond) \
	do { \
		if (!(cond)) \
			vs_fail("expected %s", #cond); \
	} while (0)

/* Fail with a formatted message unless `cond` holds. */
#define vs_assert_msg(cond, ...) \
	do { \
		if (!(cond)) \
			vs_fail(__VA_ARGS__); \
	} while (0)

/* `r` is a libc-style result: it must not be -1.  Returns `r`. */
#define vs_expect_ok(r, what) \
	vs_expect_ok_at(__FILE__, __LINE__, (long)(r), (what))

/* `r` is a libc-style result: it must be -1 with errno `err`. */
#define vs_expect_errno(r, err, what) \
	vs_expect_errno_at(__FILE__, __LINE__, (long)(r), (err), (what))

/* `r` is a raw result (vs_raw*): it must be -`err`. */
#define vs_expect_raw_errno(r, err, what) \
	vs_expect_eq((r), -(long)(err), (what))

/* `got` must equal `want` (compared as long, printed in decimal). */
#define vs_expect_eq(got, want, what) \
	vs_expect_eq_at(__FILE__, __LINE__, (long)(got), (long)(want), (what))

/* `got` must equal `want` (compared as uint64_t, printed in hex). */
#define vs_expect_hex(got, want, what) \
	vs_expect_hex_at(__FILE__, __LINE__, (uint64_t)(got), \
	    (uint64_t)(want), (what))

/*
 * The guest frame *tf came back with trap `trapno` at rip `rip`; or fail,
 * printing the trap, rip, addr and err it did come back with.
 */
#define vs_expect_trap(tf, trapno, rip, what) \
	vs_expect_trap_at(__FILE__, __LINE__, (tf), (trapno), (rip), (what))

/* Wait for child `pid`; it must have exited with `code`. */
#define vs_expect_exit(pid, code, what) \
	vs_expect_exit_at(__FILE__, __LINE__, (pid), (code), (what))

/* Wait for child `pid`; it must have been killed by signal `sig`. */
#define vs_expect_signal(pid, sig, what) \
	vs_expect_signal_at(__FILE__, __LINE__, (pid), (sig), (what))

/* fork(), failing the test if it fails. */
#define vs_fork() vs_fork_at(__FILE__, __LINE__)

/* wait4(pid, &status, 0, NULL) for a child; returns the status. */
#define vs_wait(pid) vs_wait_at(__FILE__, __LINE__, (pid))

/* pipe(fds), failing the test if it fails. */
#define vs_pipe(fds) vs_pipe_at(__FILE__, __LINE__, (fds))

/* An anonymous private read-write mapping of `len` bytes, or fail. */
#define vs_map(len) vs_map_at(__FILE__, __LINE__, (len))

/* A memfd of `size` bytes (memfd_create, then ftruncate), or fail. */
#define vs_memfd(size) vs_memfd_at(__FILE__, __LINE__, (size))

/* kstat() into *ks, or fail. */
#define vs_kstat(ks) vs_kstat_at(__FILE__, __LINE__, (ks))

/*
 * The vmspace entry count (ks_nvmspace_entries) is `want`, allowing LWPs
 * and processes that are ending up to 2 s to let go; or fail.
 */
#define vs_expect_entries(want, what) \
	vs_expect_entries_at(__FILE__, __LINE__, (want), (what))

_Noreturn void vs_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long vs_expect_ok_at(const char *file, int line, long r, const char *what);
void vs_expect_errno_at(const char *file, int line, long r, int err,
    const char *what);
void vs_expect_eq_at(const char *file, int line, long got, long want,
    const char *what);
void vs_expect_hex_at(const char *file, int line, uint64_t got,
    uint64_t want, const char *what);
void vs_expect_trap_at(const char *file, int line,
    const struct trapframe *tf, uint64_t trapno, uint64_t rip,
    const char *what);
void vs_expect_exit_at(const char *file, int line, pid_t pid, int code,
    const char *what);
void vs_expect_signal_at(const char *file, int line, pid_t pid, int sig,
    const char *what);
pid_t vs_fork_at(const char *file, int line);
int vs_wait_at(const char *file, int line, pid_t pid);
void vs_pipe_at(const char *file, int line, int fds[2]);
void *vs_map_at(const char *file, int line, size_t len);
int vs_memfd_at(const char *file, int line, size_t size);
void vs_kstat_at(const char *file, int line, struct kstat *ks);
void vs_expect_entries_at(const char *file, int line, uint64_t want,
    const char *what);

/* Print "# ..." after the test's TAP line (a note, not a failure). */
void vs_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The symbolic name of an errno value ("ENOENT") or signal ("SIGSEGV"). */
const char *vs_errname(int err);
const char *vs_signame(int sig);

/* Describe a wait status in words ("exited with status 3"). */
void vs_status_str(int status, char *buf, size_t size);

/* ---------------------------------------------------------------------
 * Small tools.
 */

/* mmap through the raw call: the address, or -1 with errno. */
long vs_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
    long off);

/* write() all of buf; returns what write() finally returned or `n`. */
long vs_write_all(int fd, const void *buf, size_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vs_now_ns(void);

/* Sleep at least `ns` nanoseconds. */
void vs_sleep_ns(uint64_t ns);

/* kstat() into *ks; 0 on success or -errno. */
int vs_kstat_raw(struct kstat *ks);

/*
 * Read the kernel's counters until the ones that must come back (free
 * pages, heap bytes, processes, LWPs, vmspaces, vmspace entries) equal
 * *want, for up to `ms` milliseconds.  Returns 1 if they do; *got holds
 * the last reading and, when they differ, `diff` (of `size` bytes)
 * describes how.
 */
int vs_kstat_settle(const struct kstat *want, struct kstat *got,
    unsigned ms, char *diff, size_t size);

#endif /* VS_H */
