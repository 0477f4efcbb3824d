/*
 * Kernel context switch and the first entry of a new LWP.
 */
#include <arch/frame.h>

	.text
/*
 * struct lwp *cpu_switch_stack(struct lwp *old, struct lwp *new, uint64_t *oldrsp, uint64_t newrsp)
 *
 * Saves the callee-saved registers on old's stack and its stack pointer
 * in *oldrsp, loads newrsp and pops new's.  Returns old in new's context
 * (rdi is not restored, so it still holds old).
 */
	.globl cpu_switch_stack
cpu_switch_stack:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdx)
	movq %rcx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movq %rdi, %rax
	ret

/*
 * A new LWP's first switch-in returns here with rax = the previous LWP
 * and rsp at the user trap frame laid out by cpu_lwp_setup.
 */
	.globl kthread_trampoline
/*
 * A new kernel LWP's first switch-in returns here with rax = the
 * previous LWP, r12 = its function and r13 = its argument, and rsp
 * 16-byte aligned (cpu_kthread_setup).  The function runs with
 * interrupts on; kthread_exit ends the LWP when it returns.
 */
kthread_trampoline:
	movq %rax, %rdi
	call lwp_startup
	sti
	movq %r13, %rdi
	call *%r12
	call kthread_exit
	ud2

	.globl lwp_trampoline
lwp_trampoline:
	movq %rax, %rdi
	subq $8, %rsp
	call lwp_startup
	addq $8, %rsp
	movq %rsp, %rdi
	subq $8, %rsp
	call userret
	addq $8, %rsp
	jmp trap_return
