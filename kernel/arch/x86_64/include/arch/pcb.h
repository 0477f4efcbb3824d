/*
 * The machine-dependent part of an LWP: where its kernel context is saved
 * across a switch, its user TLS base and its FPU/SSE state.
 */
#ifndef _ARCH_PCB_H_
#define _ARCH_PCB_H_

#include <types.h>

struct lwp;
struct trapframe;

/* md_flags */
#define MDL_IRET 0x1 /* the frame was replaced: return to user with iretq */
#define MDL_FPU 0x2  /* md_fpu holds user state to restore */

struct mdlwp {
	uint64_t md_rsp;          /* kernel stack pointer while switched out */
	uint64_t md_fsbase;       /* user FS base (TLS), loaded on switch-in */
	uint64_t md_gsbase;       /* user GS base (a vmspace guest's) */
	struct trapframe *md_tf;  /* the user frame at the top of the kernel stack */
	int md_flags;
	uint8_t md_fpu[512] __aligned(16); /* fxsave area */
};

#define MD_RSP 0 /* offset of md_rsp in struct mdlwp, for swtch.S */

/*
 * Lay out the kernel stack of a new LWP so that its first switch-in
 * enters user mode with the registers of *tf and an initial FPU state
 * copied from fpu (or the reset state if fpu is NULL).  No requirements.
 */
void cpu_lwp_setup(struct lwp *l, const struct trapframe *tf,
    const struct lwp *fpu_from);

/*
 * Switch this CPU from old (the caller) to new.  Returns in new's
 * context, handing back the LWP that ran before it.  The caller holds
 * sched_lock.
 */
struct lwp *cpu_switchto(struct lwp *old, struct lwp *new);

/* Save the running LWP's FPU state into its md_fpu.  No requirements. */
void cpu_fpu_save(struct lwp *l);

#define CPU_FPU_AREA 512 /* bytes, 16-aligned: an fxsave image */

/*
 * Swap the FPU registers of the running LWP: store them in save, then
 * load them from load (both CPU_FPU_AREA bytes, 16-aligned).  vmspace_ctl
 * uses it to give each vmspace its own x87/SSE context.
 */
void cpu_fpu_swap(void *save, const void *load);

/* Fill area with the FPU state of a fresh program. */
void cpu_fpu_init_area(void *area);

/*
 * Set the user registers of l for a fresh program image: rip = entry,
 * rsp = sp, everything else zero, FPU reset, TLS base 0.  l is curlwp.
 */
void cpu_exec_setregs(struct lwp *l, vaddr_t entry, vaddr_t sp);

/*
 * Make *child (a new LWP's frame) return from the fork syscall: the
 * parent's registers with rax = 0.
 */
void cpu_fork_frame(struct trapframe *child, const struct trapframe *parent);

/* Frame of a new LWP entering func(arg) on stack sp (lwp_create). */
void cpu_lwp_entry_frame(struct trapframe *tf, vaddr_t func, vaddr_t arg,
    vaddr_t sp);

/* Set the running LWP's user FS base.  base must be canonical user. */
void cpu_set_fsbase(struct lwp *l, uint64_t base);

/* Set the running LWP's user GS base (MSR_KERNELGSBASE while in the kernel). */
void cpu_set_gsbase(struct lwp *l, uint64_t base);

/*
 * Make a user-supplied frame safe to return to (ABI.md 4.4, DragonFly's
 * cpu_sanitize_frame): user selectors, only the user-changeable flags
 * plus IF, and rip and rsp inside [0, VM_MAX_USER_ADDRESS).  Returns 0 or
 * -EINVAL (rip or rsp out of range).
 */
int cpu_sanitize_frame(struct trapframe *tf);

/* True if base is a canonical user address usable as an FS or GS base. */
bool cpu_tls_base_ok(uint64_t base);

/* Mark l's frame as replaced: the return to user mode uses iretq. */
void cpu_frame_replaced(struct lwp *l);

/* One-time set-up of SYSCALL/SYSRET on this CPU. */
void cpu_syscall_init(void);

#endif /* !_ARCH_PCB_H_ */
