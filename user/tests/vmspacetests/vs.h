/*
 * vs.h: what the files of vmspacetests share.
 *
 * vmspacetests is the test suite of the vmspace service (ABI.md section
 * 4): the native calls vmspace_create, _destroy, _ctl, _mmap, _munmap,
 * _mcontrol, _pread, _pwrite and _spawn.  Each file holds the tests of
 * one area and exports a table of them:
 *
 *	errors.c	every errno of ABI.md 4.1, in the documented order
 *	memory.c	munmap, mcontrol, pread and pwrite semantics, memfd
 *			memory shared with a guest, demand-zero and
 *			copy-on-write faults inside a guest
 *	traps.c		guests: every trap kind, registers, hostile frames,
 *			TLS bases, timeouts
 *	procs.c		LWPs and processes: destroy while running (EBUSY),
 *			entries kept by an LWP's cache, fork sharing the
 *			tree, kill during a guest run, vmspace_spawn, a
 *			guest's FPU registers per LWP and vmspace, execve
 *			dropping the tree, a memfd cut under a running guest
 *	guest.c		the helpers below: building and running guests,
 *			LWPs
 *	checks.c	the checks below (guest traps, kernel counters)
 *	suite.c		the list of tables
 *
 * The test library (user/tests/lib/test.h) runs the tests and prints TAP.
 * Every test is a function that runs in a child process of its own, so
 * that each starts without a vkernel structure, and checks with test.h's
 * test_expect_* and the checks below.  Code that runs in an LWP made with
 * lwp_create uses test.h's raw calls (test_raw*) only.
 *
 * The suite runs only on our kernel: elsewhere every test is reported as
 * skipped.
 */

#ifndef VS_H
#define VS_H

#include "test.h"

/* The user selectors a sanitized frame carries: USER_CS_SEL, USER_DS_SEL. */

/* rflags bits. */
#define PSL_C 0x00000001UL
#define PSL_PF 0x00000004UL
#define PSL_AF 0x00000010UL
#define PSL_Z 0x00000040UL
#define PSL_N 0x00000080UL
#define PSL_T 0x00000100UL
#define PSL_I 0x00000200UL
#define PSL_D 0x00000400UL
#define PSL_V 0x00000800UL
#define PSL_IOPL 0x00003000UL
#define PSL_NT 0x00004000UL
#define PSL_RF 0x00010000UL
#define PSL_VM 0x00020000UL
#define PSL_AC 0x00040000UL
#define PSL_VIF 0x00080000UL
#define PSL_VIP 0x00100000UL
#define PSL_ID 0x00200000UL
#define PSL_RESERVED1 0x00000002UL /* always reads as 1 */

/* ---------------------------------------------------------------------
 * Guests.
 *
 * guest_new() makes a vmspace with this layout (the same in every test):
 */
#define G_CODE 0x400000      /* 2 pages, PROT_READ | PROT_EXEC */
#define G_DATA 0x600000      /* 4 pages, read-write */
#define G_STACK 0x800000     /* 4 pages, read-write */
#define G_STACK_TOP 0x804000 /* rsp of guest_frame() */
#define G_TLS 0xa00000       /* 1 page, read-write, for fs/gs tests */
/* Free places, for tests that map more. */
#define G_SHM 0xc00000        /* a shared memfd page (vs_shared_page) */
#define G_EXTRA 0x1000000     /* anything else */
#define G_UNMAPPED 0x10000000 /* never mapped */

#define G_CODE_PAGES 2
#define G_DATA_PAGES 4
#define G_STACK_PAGES 4

#define VS_STR_(x) #x
#define VS_STR(x) VS_STR_(x)

/*
 * GUEST(name, "instructions") assembles guest code into read-only data
 * of the test program and declares name[] and name_end[] for it; the
 * code is copied into a vmspace with guest_load(id, name), at G_CODE.
 * Guest code must be position independent (relative jumps, %rip-relative
 * data, or the absolute G_* addresses above, written with VS_STR).
 * Labels inside it, declared with GUEST_LABEL, give the guest addresses
 * of its instructions with GUEST_AT(name, label).
 */
#define GUEST(name, text)                                            \
	__asm__(".pushsection .rodata.guest, \"a\"\n"                \
		".balign 16\n" #name ":\n" text "\n" #name "_end:\n" \
		".popsection\n");                                    \
	extern const unsigned char name[], name##_end[]

#define GUEST_LABEL(label) extern const unsigned char label[]
#define GUEST_AT(name, label) ((uint64_t)G_CODE + (uint64_t)(label - name))
/* The guest address just past the code (where a final syscall returns). */
#define GUEST_END(name) ((uint64_t)G_CODE + (uint64_t)(name##_end - name))
#define guest_load(id, name) \
	guest_code((id), (name), (size_t)(name##_end - name))

/* An id for a vmspace: any non-NULL pointer value is a key. */
#define VS_ID(n) ((void *)(uintptr_t)(0x7000 + (n)))

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

/* vmspace_ctl(id, RUN, tf, vx) as a raw call (test.h): 0 or -errno. */
#define vs_raw_ctl(id, tf, vx) \
	test_raw4(SYS_vmspace_ctl, (id), VMSPACE_CTL_RUN, (tf), (vx))

/*
 * Every general register, for vs_regs_syscall.  The offsets are fixed:
 * guest.c's assembly uses them.
 */
struct vs_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;    /*  0 .. 48 */
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15; /* 56 .. 112 */
	uint64_t rsp;                                  /* 120 */
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
void vs_wait_flag_at(const char *file, int line, volatile int *flag, int want,
    unsigned ms, const char *what);

/* The same for a word of shared memory. */
#define vs_wait_word(word, want, ms, what) \
	vs_wait_word_at(__FILE__, __LINE__, (word), (want), (ms), (what))
void vs_wait_word_at(const char *file, int line, volatile uint64_t *word,
    uint64_t want, unsigned ms, const char *what);

/* ---------------------------------------------------------------------
 * The exec helper: "vmspacetests VS_EXEC_HELPER BASE" is the image the
 * execve tests (procs.c) start; vs_exec_helper gets the arguments after
 * VS_EXEC_HELPER and returns the exit status (suite.c).
 */
#define VS_EXEC_HELPER "--exec-helper"
int vs_exec_helper(int argc, char **argv);

/* ---------------------------------------------------------------------
 * The test tables, each ending with an entry whose name is NULL.
 */

extern const struct test vs_error_tests[];
extern const struct test vs_memory_tests[];
extern const struct test vs_trap_tests[];
extern const struct test vs_proc_tests[];

/* ---------------------------------------------------------------------
 * Checks (checks.c), besides test.h's.
 */

/*
 * The guest frame *tf came back with trap `trapno` at rip `rip`; or fail,
 * printing the trap, rip, addr and err it did come back with.
 */
#define vs_expect_trap(tf, trapno, rip, what) \
	vs_expect_trap_at(__FILE__, __LINE__, (tf), (trapno), (rip), (what))

/* kstat() into *ks, or fail. */
#define vs_kstat(ks) vs_kstat_at(__FILE__, __LINE__, (ks))

/*
 * The vmspace entry count (ks_nvmspace_entries) is `want`, allowing LWPs
 * and processes that are ending up to 2 s to let go; or fail.
 */
#define vs_expect_entries(want, what) \
	vs_expect_entries_at(__FILE__, __LINE__, (want), (what))

void vs_expect_trap_at(const char *file, int line, const struct trapframe *tf,
    uint64_t trapno, uint64_t rip, const char *what);
void vs_kstat_at(const char *file, int line, struct kstat *ks);
void vs_expect_entries_at(const char *file, int line, uint64_t want,
    const char *what);

#endif /* VS_H */
