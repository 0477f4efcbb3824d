/*
 * Entry stubs for all 256 IDT vectors and the common trap path.
 *
 * Stub n is at trap_stubs + 16 * n.  It pushes a zero error code when the
 * CPU pushes none, a zero tf_addr and the vector number as tf_trapno,
 * then jumps to alltraps, which saves the general registers to complete a
 * struct trapframe (<arch/frame.h>), switches GS to the kernel's when the
 * trap came from user mode, and calls trap(tf), which returns the frame
 * to return through: tf, unless a vmspace guest's trap went back to its
 * controller, whose frame lies elsewhere on the stack (frame.h).
 */
#include <arch/frame.h>
#include <arch/segments.h>

/*
 * Load the general registers from the trap frame at %rsp and leave %rsp
 * at its tf_rip, the frame iretq takes.
 */
	.macro TRAP_FRAME_RESTORE
	movq 0(%rsp), %rdi
	movq 8(%rsp), %rsi
	movq 16(%rsp), %rdx
	movq 24(%rsp), %rcx
	movq 32(%rsp), %r8
	movq 40(%rsp), %r9
	movq 48(%rsp), %rax
	movq 56(%rsp), %rbx
	movq 64(%rsp), %rbp
	movq 72(%rsp), %r10
	movq 80(%rsp), %r11
	movq 88(%rsp), %r12
	movq 96(%rsp), %r13
	movq 104(%rsp), %r14
	movq 112(%rsp), %r15
	addq $TF_RIP, %rsp
	.endm

	.text
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors for which the CPU pushes an error code. */
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	pushq $0
	.endif
	pushq $0
	pushq $vec
	jmp alltraps
	.set vec, vec + 1
	.endr
	.globl trap_stubs_end
trap_stubs_end:

/* On entry %rsp points at tf_trapno. */
alltraps:
	testb $3, TF_CS - TF_TRAPNO(%rsp)
	jz 1f
	swapgs
1:	subq $TF_TRAPNO, %rsp
	TF_SAVE_GPRS
	cld
	/*
	 * The CPU aligned the stack to 16 bytes before pushing the 184-byte
	 * frame.  Push a pad and a fake call frame (interrupted rip and rbp)
	 * so that the call is aligned and backtraces walk from trap() into
	 * the interrupted code.
	 */
	movq %rsp, %rdi
	movq TF_RIP(%rsp), %rax
	subq $8, %rsp
	pushq %rax
	pushq %rbp
	movq %rsp, %rbp
	call trap
	/* The frame to return through: tf, or the LWP's new user frame. */
	movq %rax, %rsp
	.globl trap_return
trap_return:
	TRAP_FRAME_RESTORE
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

	/*
	 * trap_return for a frame from user mode (syscall.S's way into a
	 * vmspace guest, or a replaced frame): no test of the mode.
	 */
	.globl trap_return_user
trap_return_user:
	TRAP_FRAME_RESTORE
	swapgs
	iretq
