/*
 * The machine-dependent part of an LWP: where its kernel context is saved
 * across a switch, its user FS and GS (selectors and bases) and its
 * FPU/SSE state.
 */
#ifndef _ARCH_PCB_H_
#define _ARCH_PCB_H_

#include <types.h>

struct lwp;
struct trapframe;

/* md_flags */
#define MDL_IRET 0x1 /* the frame was replaced: return to user with iretq */
#define MDL_FPU 0x2  /* md_fpu holds user state to restore */
/*
 * In a fast system call (syscall.S): the frame holds only the argument
 * registers, rax, rip, rflags and rsp, not yet the rest; what reads or
 * replaces the whole frame asserts it is clear.
 */
#define MDL_PARTIAL 0x4
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
	uint8_t md_fpu[512] __aligned(16); /* fxsave area */
};

#define MD_RSP 0 /* offset of md_rsp in struct mdlwp, for swtch.S */

/*
 * Lay out the kernel stack of a new LWP so that its first switch-in
 * enters user mode with the registers of *tf, and the FPU state and user
 * FS and GS of fpu_from (fork, lwp_create), or the reset FPU state and
 * null FS and GS if fpu_from is NULL.  No requirements.
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

#define CPU_FPU_AREA 512 /* bytes, 16-aligned: an fxsave image */

/*
 * Swap the FPU registers of the running LWP: store them in save, then
 * load them from load (both CPU_FPU_AREA bytes, 16-aligned).  vmspace_ctl
 * uses it to give each vmspace its own x87/SSE context.
 */
void cpu_fpu_swap(void *save, const void *load);

/*
 * The running LWP l's FPU registers: back to a fresh program's state
 * (a signal handler's start), or loaded from area (CPU_FPU_AREA bytes,
 * 16-aligned, no MXCSR bit outside cpu_mxcsr_mask).  cpu_fpu_store
 * copies the running LWP's registers to area (the same size and
 * alignment).  No requirements.
 */
void cpu_fpu_reset(struct lwp *l);
void cpu_fpu_load(struct lwp *l, const void *area);
void cpu_fpu_store(void *area);

/* The MXCSR bits this CPU accepts (fxrstor faults on the others). */
uint32_t cpu_mxcsr_mask(void);

/* Fill area with the FPU state of a fresh program. */
void cpu_fpu_init_area(void *area);

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
 * Exchange the running LWP's user FS and GS for *in in one step: what the
 * hardware holds goes to *out, then *in is loaded, writing only the
 * selectors and bases that differ (vmspace_ctl entering a guest and a
 * guest trapping back).  *in must be user segments: selectors
 * user code could load (or null), bases that pass cpu_tls_base_ok.
 * l must be curlwp.
 */
void cpu_segs_exchange(struct lwp *l, struct mdsegs *out,
    const struct mdsegs *in);

/*
 * The next three are macros, as they are on the vmspace round trip and
 * struct lwp is not complete here.  l is curlwp in each.
 */

/* Assert that l's user frame is whole (not a fast syscall's). */
#define CPU_FRAME_WHOLE(l) KASSERT(((l)->l_md.md_flags & MDL_PARTIAL) == 0)

/*
 * Tell the system call entry that l runs a vmspace guest (in_guest true)
 * or its own code again: a guest's syscall must not be executed but
 * handed to the controller with the whole frame.
 */
#define cpu_syscall_guest(l, in_guest)                    \
	do {                                              \
		if (in_guest)                             \
			(l)->l_md.md_flags |= MDL_GUEST;  \
		else                                      \
			(l)->l_md.md_flags &= ~MDL_GUEST; \
	} while (0)

/* Mark l's frame as replaced: the return to user mode uses iretq. */
#define cpu_frame_replaced(l)                   \
	do {                                    \
		CPU_FRAME_WHOLE(l);             \
		(l)->l_md.md_flags |= MDL_IRET; \
	} while (0)

/*
 * Make a user-supplied frame safe to return to (ABI.md 4.4, DragonFly's
 * cpu_sanitize_frame): user selectors, only the user-changeable flags
 * plus IF, and rip and rsp inside [0, VM_MAX_USER_ADDRESS).  Returns 0 or
 * -EINVAL (rip or rsp out of range).
 */
int cpu_sanitize_frame(struct trapframe *tf);

/* True if base is a canonical user address usable as an FS or GS base. */
bool cpu_tls_base_ok(uint64_t base);

/* One-time set-up of SYSCALL/SYSRET on this CPU. */
void cpu_syscall_init(void);

#endif /* !_ARCH_PCB_H_ */
