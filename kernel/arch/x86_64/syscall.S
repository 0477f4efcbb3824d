/*
 * The SYSCALL entry point (MSR_LSTAR).
 *
 * The CPU arrives with user rip in rcx, user rflags in r11, interrupts
 * masked (MSR_SFMASK) and the user's stack and GS.  We switch to the
 * LWP's kernel stack (ci_rsp0), build a complete struct trapframe there
 * (tf_trapno = T_SYSCALL) exactly as an interrupt from user mode would,
 * and call syscall(tf).  It returns nonzero when the frame must go back
 * with iretq (a replaced frame, or a rip where SYSRET is unsafe: the
 * CVE-2012-0217 non-canonical case); otherwise we return with SYSRET,
 * which clobbers rcx and r11 as ABI.md section 2 allows.
 */
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/segments.h>

	.text
	.balign 16
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CI_USCRATCH
	movq %gs:CI_RSP0, %rsp
	pushq $UDSEL			/* tf_ss */
	pushq %gs:CI_USCRATCH		/* tf_rsp */
	pushq %r11			/* tf_rflags */
	pushq $UCSEL			/* tf_cs */
	pushq %rcx			/* tf_rip */
	pushq $0			/* tf_err */
	pushq $0			/* tf_addr */
	pushq $T_SYSCALL		/* tf_trapno */
	subq $TF_TRAPNO, %rsp
	TF_SAVE_GPRS
	movq %rsp, %rdi
	xorl %ebp, %ebp			/* backtraces stop here */
	subq $8, %rsp
	sti
	call syscall
	cli
	addq $8, %rsp
	testl %eax, %eax
	jnz trap_return
	movq 0(%rsp), %rdi
	movq 8(%rsp), %rsi
	movq 16(%rsp), %rdx
	movq 32(%rsp), %r8
	movq 40(%rsp), %r9
	movq 48(%rsp), %rax
	movq 56(%rsp), %rbx
	movq 64(%rsp), %rbp
	movq 72(%rsp), %r10
	movq 88(%rsp), %r12
	movq 96(%rsp), %r13
	movq 104(%rsp), %r14
	movq 112(%rsp), %r15
	movq TF_RIP(%rsp), %rcx
	movq TF_RFLAGS(%rsp), %r11
	movq TF_RSP(%rsp), %rsp
	swapgs
	sysretq
