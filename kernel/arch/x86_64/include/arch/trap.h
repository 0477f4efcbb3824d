/*
 * The trap dispatcher's interface to the rest of the kernel.
 */
#ifndef _ARCH_TRAP_H_
#define _ARCH_TRAP_H_

#include <types.h>

struct trapframe;

/* Entered from vector.S for every vector; see trap.c. */
struct trapframe *trap(struct trapframe *tf);

/* Handles an exception taken in user mode. */
void trap_user(struct trapframe *tf);

/* The C half of the SYSCALL entry (syscall.S). */
int syscall(struct trapframe *tf);

/* "page fault", "general protection fault", ... */
const char *trap_name(uint64_t trapno);

/*
 * Read systrace= (trap.c) from the command line and fill the fast
 * system call table (syscall.S).  Called once by kmain, before the first
 * user program.
 */
struct bootinfo;
void syscall_startup(const struct bootinfo *bi);

/* syscall.S's fast path returning with work left (trap.c). */
int syscall_return(struct trapframe *tf, long rv);

/*
 * syscall.S: a syscall made by a vmspace guest (MDL_GUEST), with the
 * whole frame and interrupts enabled: the guest's run ends and the
 * controller's vmspace_ctl returns, through the controller's frame
 * (vkernel_trap makes it the LWP's user frame again), by SYSRET unless
 * a signal replaced it (then iretq).  vm_vmspace.c.
 */
void syscall_guest_trap(struct trapframe *tf) __noreturn;

/*
 * syscall.S: vmspace_ctl, with the caller's whole frame ctf and
 * interrupts enabled, on the stack below the guest's frame (frame.h).
 * When the guest is entered, its frame is the LWP's user frame and the
 * return is through it, by iretq: every register is the guest's.
 * Otherwise the call ends as any other (syscall_finish).  vm_vmspace.c.
 */
void syscall_vmspace_ctl(struct trapframe *ctf) __noreturn;

/*
 * syscall.S: how the two above end, with interrupts masked: to user
 * mode through the LWP's user frame (ci_syscall_frame's), by iretq or by
 * SYSRET.  Their callers' stack frames are dropped: the two keep
 * nothing there.
 */
void syscall_exit_iret(void) __noreturn;
void syscall_exit_sysret(void) __noreturn;

/*
 * A kernel-mode int3 calls the hook if one is set (a debugger or a test),
 * otherwise it prints a line and resumes.  Returns the previous hook.
 */
typedef void (*trap_bpt_hook_t)(struct trapframe *tf);
trap_bpt_hook_t trap_set_kernel_bpt_hook(trap_bpt_hook_t hook);

/*
 * Panic with the registers of tf and a backtrace from the interrupted
 * code (kernel/panic.c).
 */
void panic_trapframe(struct trapframe *tf, const char *fmt, ...)
    __printflike(2, 3) __noreturn;

#endif /* !_ARCH_TRAP_H_ */
