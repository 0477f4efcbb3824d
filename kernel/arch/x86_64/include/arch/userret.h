/*
 * The way back to user mode, shared by the C halves of the kernel's
 * entries (trap.c) and by vmspace_ctl's own two (vm_vmspace.c), which
 * return straight to a guest or to its controller.
 */
#ifndef _ARCH_USERRET_H_
#define _ARCH_USERRET_H_

#include <types.h>
#include <arch/cpu.h>
#include <arch/pcb.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/vm_vmspace.h>

/*
 * True if userret has work before l returns to user mode, the timeout
 * of a guest aside: the test syscall.S's fast exit makes (the LWP's exit
 * and signal flags, and the CPU's exit word: a reschedule due, or the
 * lock checker on).  l is curlwp.  Interrupts masked.
 */
static inline bool
trap_userret_due(const struct lwp *l)
{
	return __predict_false((l->l_flag & (LW_WEXIT | LW_PENDSIG)) != 0 ||
	    cpu_exit_word(curcpu()));
}

/*
 * Every return to user mode from the C entries: userret, called only
 * when it has something to do (trap_userret_due, or a guest's timeout
 * to check); userret itself loops until nothing is left.  tf is l's
 * user frame.  l is curlwp.  Interrupts masked.
 */
static inline void
trap_userret(struct lwp *l, struct trapframe *tf)
{
	if (trap_userret_due(l) || vkernel_timeout_armed(l))
		userret(tf);
}

/*
 * True, once, if l's user frame must go back by iretq (a signal replaced
 * it, MDL_IRET).  l is curlwp.  Interrupts masked.
 */
static inline bool
trap_take_iret(struct lwp *l)
{
	if (__predict_false(l->l_md.md_flags & MDL_IRET)) {
		l->l_md.md_flags &= ~MDL_IRET;
		return true;
	}
	return false;
}

/* The system call tracer's mode (systrace=, trap.c): 0 when off. */
extern int systrace_mode;

/* Print one call as systrace_mode says (trap.c).  No locks held. */
void systrace(const struct lwp *l, uint64_t nr, const struct trapframe *tf,
    long rv);

/*
 * The end of a system call from the full path, with interrupts enabled:
 * store rv in tf (l's user frame), act on a restart code, run userret.
 * Returns nonzero when the frame must go back with iretq instead of
 * SYSRET (trap.c).
 */
int syscall_finish(struct lwp *l, struct trapframe *tf, uint64_t nr, long rv);

#endif /* !_ARCH_USERRET_H_ */
