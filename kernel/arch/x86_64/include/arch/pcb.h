/*
 * The machine-dependent part of an LWP: where its kernel context is saved
 * across a switch, its user FS and GS (selectors and bases) and its
 * FPU state (x87, SSE, AVX: fpu.c).
 */
#ifndef _ARCH_PCB_H_
#define _ARCH_PCB_H_

#include <types.h>
#include <syscall.h>         /* nsysent */
#include <uapi/native_abi.h> /* VM_MAX_USER_ADDRESS */
#include <errno.h>
#include <arch/cpufunc.h>  /* rdmsr, wrmsr: cpu_segs_enter */
#include <arch/frame.h>    /* struct trapframe: cpu_sanitize_frame */
#include <arch/segments.h> /* UCSEL, UDSEL */

struct fpu_ctx;
struct lwp;
struct trapframe;

/* md_flags */
#define MDL_IRET 0x1  /* the frame was replaced: return to user with iretq */
#define MDL_GUEST 0x8 /* a vmspace guest runs: every syscall is a full one */

/*
 * A user context's FS and GS: the selectors in %fs and %gs and the two
 * bases.  User code may change all four (a segment load sets a selector
 * and, from the descriptor, its base); see "User FS and GS" in
 * machdep_lwp.c for who holds the truth when.
 */
struct mdsegs {
	uint64_t ms_fsbase; /* FS base (musl's thread pointer) */
	uint64_t ms_gsbase; /* GS base (a vmspace guest's) */
	uint16_t ms_fssel;  /* %fs: 0, or a user selector the program loaded */
	uint16_t ms_gssel;  /* %gs: likewise */
};

struct mdlwp {
	uint64_t md_rsp;       /* kernel stack pointer while switched out */
	struct mdsegs md_segs; /* user FS and GS, valid while switched out */
	struct trapframe
	    *md_tf; /* the user frame at the top of the kernel stack */
	int md_flags;
	struct fpu_ctx *md_fpu;    /* its own user FPU state (cpu_lwp_init) */
	struct fpu_ctx *md_fpucur; /* the one user mode runs with: md_fpu, or
				      a vmspace guest's (cpu_fpu_ctx_enter) */
};

#define MD_RSP 0 /* offset of md_rsp in struct mdlwp, for swtch.S */

/*
 * The CPU's ci_syscall_limit for an LWP whose md_flags are md_flags:
 * syscall.S takes a number at or above it to the full path, which hands
 * it to the controller if the LWP runs a vmspace guest; so a guest's
 * limit is 0, and everyone else's the number of calls.  No requirements.
 */
static inline uint64_t
cpu_syscall_limit(int md_flags)
{
	return (md_flags & MDL_GUEST) != 0 ? 0 : nsysent;
}

/*
 * An LWP's memory is one allocation of cpu_lwp_size() bytes: struct lwp,
 * then its machine-dependent part (its FPU state, 64-aligned), freed
 * whole with the LWP.  lwproc_makelwp allocates it and zeroes the struct
 * lwp; cpu_lwp_init then sets up the rest.  No requirements.
 */
size_t cpu_lwp_size(void);
void cpu_lwp_init(struct lwp *l);

/*
 * Lay out the kernel stack of a new LWP so that its first switch-in
 * enters user mode with the registers of *tf, and the FPU state and user
 * FS and GS of fpu_from (fork, lwp_create: it must be curlwp), or the
 * reset FPU state and null FS and GS if fpu_from is NULL.  No
 * requirements.
 */
void cpu_lwp_setup(struct lwp *l, const struct trapframe *tf,
    const struct lwp *fpu_from);

/*
 * Make the new LWP l (LSIDL, with its kernel stack) a kernel LWP whose
 * first switch-in calls fn(arg) with interrupts on, then kthread_exit.
 * No requirements.
 */
void cpu_kthread_setup(struct lwp *l, void (*fn)(void *), void *arg);

/*
 * Switch this CPU from old (the caller) to new.  Returns in new's
 * context, handing back the LWP that ran before it.  The caller holds
 * its CPU's run-queue lock and no other spinlock.
 */
struct lwp *cpu_switchto(struct lwp *old, struct lwp *new);

/*
 * The running LWP l's FPU registers back to a fresh program's state
 * (FCW 0x37f, MXCSR 0x1f80, all else clear).  l is curlwp.
 */
void cpu_fpu_reset(struct lwp *l);

/*
 * FPU contexts besides an LWP's own, for vmspace guests: each guest an
 * LWP runs has its own registers (vm_vmspace.c).  cpu_fpu_ctx_alloc
 * makes one in a fresh program's state (NULL when out of memory);
 * cpu_fpu_ctx_free frees one that no LWP runs with.  No locks held, or
 * only spinlocks (the free is a kfree).
 */
struct fpu_ctx *cpu_fpu_ctx_alloc(void);
void cpu_fpu_ctx_free(struct fpu_ctx *fc);

/*
 * cpu_fpu_ctx_enter and cpu_fpu_ctx_leave, a guest's FPU context switch,
 * are inline in <arch/fpu.h>.
 */

/*
 * Give the new LWP l (not yet run) a copy of fc's FPU state (a vmspace
 * whose guest becomes a process).  fc is no running LWP's md_fpucur.
 */
void cpu_fpu_ctx_copy(struct lwp *l, const struct fpu_ctx *fc);

/*
 * Set the user registers of l for a fresh program image: rip = entry,
 * rsp = sp, everything else zero, FPU reset, FS and GS selectors and
 * bases 0.  l is curlwp.
 */
void cpu_exec_setregs(struct lwp *l, vaddr_t entry, vaddr_t sp);

/*
 * Make *child (a new LWP's frame) return from the fork syscall: the
 * parent's registers with rax = 0.
 */
void cpu_fork_frame(struct trapframe *child, const struct trapframe *parent);

/* Make a new LWP's frame (cpu_fork_frame's) run on the user stack sp. */
void cpu_frame_set_sp(struct trapframe *tf, vaddr_t sp);

/* Frame of a new LWP entering func(arg) on stack sp (lwp_create). */
void cpu_lwp_entry_frame(struct trapframe *tf, vaddr_t func, vaddr_t arg,
    vaddr_t sp);

/*
 * Give l the user FS base `base` with a null %fs selector, as Linux's
 * ARCH_SET_FS does: in the hardware if l is the running LWP, else in its
 * md_segs (l is then not running anywhere).  base must be a canonical
 * user address (cpu_tls_base_ok).
 */
void cpu_set_fsbase(struct lwp *l, uint64_t base);

/* The same for the user GS base and %gs. */
void cpu_set_gsbase(struct lwp *l, uint64_t base);

/*
 * l's user FS base as l itself would see it now: read from the hardware
 * if l is the running LWP (a segment load may have changed it), else from
 * md_segs.  No requirements.
 */
uint64_t cpu_get_fsbase(struct lwp *l);

/*
 * Copy l's whole user FS and GS (selectors and bases) out to *s, with the
 * same rule: the hardware for the running LWP, md_segs otherwise.
 */
void cpu_segs_get(struct lwp *l, struct mdsegs *s);

/*
 * The slow half of cpu_segs_enter and cpu_segs_leave, for a change of
 * selector: load *in, the hardware holding *out (machdep_lwp.c).
 */
void cpu_segs_load_slow(const struct mdsegs *in, const struct mdsegs *out);

/*
 * The two exchanges of the running LWP's user FS and GS on a guest round
 * trip, each in one step, writing only the selectors and bases that
 * differ.  cpu_segs_enter (vmspace_ctl entering a guest): what the
 * hardware holds goes to *out, then the guest's bases fsbase and gsbase
 * are loaded with null selectors.  cpu_segs_leave (the guest trapping
 * back): the guest's bases as the hardware holds them go to *fsbase
 * and *gsbase, then *in is loaded; it returns whether they
 * differ from entry[0] and entry[1], the bases the guest entered with.
 * The bases loaded must pass cpu_tls_base_ok, and *in's selectors be
 * ones user code could load (or null).  l must be curlwp.  Inline: on
 * every round trip.
 *
 * They read the hardware without segs_save's check: what it holds got
 * there through checked paths (see user_segs_ok in machdep_lwp.c).  With
 * null selectors on both sides (the usual case) only bases are written,
 * with interrupts enabled: a switch meanwhile saves and restores what
 * the hardware holds, so what was read stays true.  Loading a %gs
 * selector needs swapgs, and so interrupts masked: any selector that is
 * not null takes cpu_segs_load_slow, where the structures are built.
 *
 * A guest base that entered as 0 is still 0, and is not read: user code
 * changes a base only by loading a selector, whose descriptor's base is
 * 0 (machdep_lwp.c, user_segs_ok), or a null selector, which clears the
 * base or keeps it; CR4.FSGSBASE is off, and nothing but the guest
 * itself changes the FS and GS of an LWP that runs one.
 */
static inline void
cpu_segs_enter(struct lwp *l, struct mdsegs *out, uint64_t fsbase,
    uint64_t gsbase)
{
	uint64_t cur_fs, cur_gs;

	(void)l;
	out->ms_fssel = rfs();
	out->ms_gssel = rgs();
	out->ms_fsbase = cur_fs = rdmsr(MSR_FSBASE);
	out->ms_gsbase = cur_gs = rdmsr(MSR_KERNELGSBASE);
	if (__predict_false((out->ms_fssel | out->ms_gssel) != 0)) {
		cpu_segs_load_slow(&(struct mdsegs) { .ms_fsbase = fsbase,
				       .ms_gsbase = gsbase },
		    out);
		return;
	}
	if (fsbase != cur_fs)
		wrmsr(MSR_FSBASE, fsbase);
	if (gsbase != cur_gs)
		wrmsr(MSR_KERNELGSBASE, gsbase);
}

static inline bool
cpu_segs_leave(struct lwp *l, const struct mdsegs *in, const uint64_t entry[2],
    uint64_t *fsbase, uint64_t *gsbase)
{
	uint16_t fssel = rfs(), gssel = rgs();
	uint64_t bases[2] = { 0, 0 };
	bool moved = false;

	(void)l;
	if (entry[0] != 0) {
		bases[0] = rdmsr(MSR_FSBASE);
		moved = bases[0] != entry[0];
	}
	if (entry[1] != 0) {
		bases[1] = rdmsr(MSR_KERNELGSBASE);
		moved |= bases[1] != entry[1];
	}
	*fsbase = bases[0];
	*gsbase = bases[1];
	if (__predict_false(
		(fssel | gssel | in->ms_fssel | in->ms_gssel) != 0)) {
		cpu_segs_load_slow(in,
		    &(struct mdsegs) { .ms_fsbase = bases[0],
			.ms_gsbase = bases[1],
			.ms_fssel = fssel,
			.ms_gssel = gssel });
		return moved;
	}
	if (in->ms_fsbase != bases[0])
		wrmsr(MSR_FSBASE, in->ms_fsbase);
	if (in->ms_gsbase != bases[1])
		wrmsr(MSR_KERNELGSBASE, in->ms_gsbase);
	return moved;
}

/*
 * The next three are macros, as they are on the vmspace round trip and
 * struct lwp is not complete here.  l is curlwp in each.
 */

/*
 * Assert that l's user frame is whole (what reads or replaces all of it
 * may not run in a fast syscall, whose frame is partial: syscall.S).
 */
#define CPU_FRAME_WHOLE(l)                                         \
	KASSERT((l)->l_md.md_tf->tf_trapno != T_SYSCALL_PARTIAL && \
	    (l)->l_md.md_tf->tf_trapno != T_SYSCALL_VMCTL)

/*
 * l's own user frame, at the top of its kernel stack, and the frame of a
 * vmspace guest it runs, right below that one and its pad (frame.h,
 * TF_GUEST_OFFSET).
 */
#define cpu_own_frame(l) ((struct trapframe *)((l)->l_kstack - TF_SIZE))
#define cpu_guest_frame(l) \
	((struct trapframe *)((l)->l_kstack - TF_SIZE - TF_GUEST_OFFSET))

/*
 * l enters a vmspace guest (in_guest true) or goes back to its own code.
 * The system call entry learns it (MDL_GUEST, and this CPU's limit,
 * cpu_syscall_limit: a guest's syscall must not be executed but handed
 * to the controller with the whole frame), and the guest's frame, or
 * l's own, becomes l's user frame (md_tf): the frame the next entry from
 * user mode builds (this CPU's kernel stack top follows, cpu_set_kstack)
 * and the return to user mode goes through.  l is curlwp (its callers
 * take it from curlwp, or assert it), interrupts masked: a thread is
 * switched only at its own scheduling points (sched.c), and cpu_switchto
 * sets both again from l.
 */
#define cpu_guest_switch(l, in_guest)                              \
	do {                                                       \
		struct cpu_info *ci_ = curcpu();                   \
		struct trapframe *tf_;                             \
                                                                   \
		if (in_guest) {                                    \
			(l)->l_md.md_flags |= MDL_GUEST;           \
			tf_ = cpu_guest_frame(l);                  \
		} else {                                           \
			(l)->l_md.md_flags &= ~MDL_GUEST;          \
			tf_ = cpu_own_frame(l);                    \
		}                                                  \
		ci_->ci_syscall_limit =                            \
		    cpu_syscall_limit((in_guest) ? MDL_GUEST : 0); \
		(l)->l_md.md_tf = tf_;                             \
		cpu_set_kstack(ci_, (uint64_t)(tf_ + 1));          \
	} while (0)

/* Mark l's frame as replaced: the return to user mode uses iretq. */
#define cpu_frame_replaced(l)                   \
	do {                                    \
		CPU_FRAME_WHOLE(l);             \
		(l)->l_md.md_flags |= MDL_IRET; \
	} while (0)

/* The flags of a fresh user context: IF, and bit 1, which always reads 1. */
#define PSL_USER_DEFAULT (PSL_I | 0x2)

/* Flags a user frame may set (DragonFly's PSL_USERCHANGE). */
#define PSL_USERCHANGE                                                     \
	(PSL_C | PSL_PF | PSL_AF | PSL_Z | PSL_N | PSL_T | PSL_D | PSL_V | \
	    PSL_RF | PSL_AC)

/*
 * Make a user-supplied frame safe to return to (ABI.md 4.4, DragonFly's
 * cpu_sanitize_frame): user selectors, only the user-changeable flags
 * plus IF, and rip and rsp inside [0, VM_MAX_USER_ADDRESS); tf_trapno
 * becomes 0 (what the caller left there must not pass for the kernel's
 * own marks).  Returns 0 or -EINVAL (rip or rsp out of range).  Inline:
 * on every guest round trip.
 */
static inline int
cpu_sanitize_frame(struct trapframe *tf)
{
	/*
	 * The kernel's, never the caller's: neither a partial frame
	 * (syscall.S) nor a system call's, whose rax a signal could take
	 * for a restart code (kern_sig.c).
	 */
	tf->tf_trapno = 0;
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
	tf->tf_rflags = (tf->tf_rflags & PSL_USERCHANGE) | PSL_USER_DEFAULT;
	if (tf->tf_rip >= VM_MAX_USER_ADDRESS ||
	    tf->tf_rsp >= VM_MAX_USER_ADDRESS)
		return -EINVAL;
	return 0;
}

/* True if base is a canonical user address usable as an FS or GS base. */
static inline bool
cpu_tls_base_ok(uint64_t base)
{
	return base < VM_MAX_USER_ADDRESS;
}

/* One-time set-up of SYSCALL/SYSRET on this CPU. */
void cpu_syscall_init(void);

#endif /* !_ARCH_PCB_H_ */
