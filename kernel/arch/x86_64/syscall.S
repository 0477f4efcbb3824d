/*
 * The SYSCALL entry point (MSR_LSTAR).
 *
 * The CPU arrives with user rip in rcx, user rflags in r11, interrupts
 * masked (MSR_SFMASK) and the user's stack and GS.  We switch to the
 * LWP's kernel stack, where the struct trapframe sits at the top with an
 * 8-byte pad below it (so that C is called with the stack 16-aligned):
 * ci_syscall_frame is that pad's address, kept with ci_rsp0.
 *
 * One compare with the CPU's ci_syscall_limit sends a number past the
 * table, and every call of an LWP that runs a vmspace guest (MDL_GUEST:
 * the limit is 0), to the full path.  A LIGHT call (syscalls.master:
 * getpid, getuid and the like; syscall_light[], trap.c) is then called
 * at once, with interrupts still masked and nothing stored: its handler
 * keeps every register but rax (SYSCALL_LIGHT), and SYSRET returns with
 * no exit checks, since such a call leaves no work (what another CPU
 * leaves comes with an IPI, taken as SYSRET unmasks interrupts).  The
 * pad below the frame keeps rcx while rcx serves to count the call.
 *
 * The fast path stores only what a call can read or must give back: the
 * six argument registers, rax (the number), rip, rflags and rsp, and
 * marks the frame partial (tf_trapno T_SYSCALL_PARTIAL, which every full
 * entry overwrites).  The callee-saved registers stay in the CPU, which
 * C preserves (%rbp too: a user value ends a backtrace, db_frame_ok), and
 * the other slots stay stale.  It counts the call in l_nsyscalls (a
 * system call is progress for the fault-loop checks, trap.c; the light
 * path counts too).  The handler comes from syscall_fast[] (trap.c),
 * which leaves out the calls that read or replace the whole frame (fork,
 * execve, rt_sigreturn, ...): those go to the full path too.  The
 * branches there are direct: under TCG an indirect jump right after a
 * CR3 load, as a guest's round trip makes, costs a lookup.  On the way
 * out, with interrupts masked, one test each of the result (a
 * kernel-internal code such as ERESTARTSYS), the LWP's work flags (exit,
 * signal) and the CPU's exit word (the reschedule flag and the lock
 * checker's byte, ci_want_resched and ci_exit_witness) sends it to the
 * full return; otherwise the argument registers come back from the frame
 * and SYSRET returns.
 *
 * The full path completes the frame (the callee-saved registers are
 * still the user's), exactly as an interrupt from user mode builds it
 * (tf_trapno = T_SYSCALL, tf_rcx = rip, tf_r11 = rflags).  It is taken
 * on entry by a call not in syscall_fast[] (syscall()), by an LWP that
 * runs a vmspace guest (syscall_guest_trap(); the whole frame is stored
 * at once), and on the way out of a fast call that left work
 * (syscall_return()).  vmspace_ctl (syscall_vmspace_ctl()) adds only the
 * callee-saved registers to the fast part (T_SYSCALL_VMCTL, frame.h).
 * syscall() and syscall_return() (trap.c) return nonzero when the frame
 * must go back with iretq (a replaced frame, or a rip where SYSRET is
 * unsafe: the CVE-2012-0217 non-canonical case); otherwise we return
 * with SYSRET, which clobbers rcx and r11 as ABI.md section 2 allows.
 * The two vmspace calls (vm_vmspace.c) switch the LWP's user frame
 * between the controller's and the guest's (frame.h) and do not return:
 * they leave by syscall_exit_iret or syscall_exit_sysret, through the
 * frame ci_syscall_frame names then.  A fast call's rip is the one the
 * SYSCALL instruction left, below VM_MAX_USER_ADDRESS, so SYSRET is safe
 * for it.
 */
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/segments.h>
#include <assym.h>

/* Frame offsets from %rsp: the frame starts above the 8-byte pad. */
#define F(off) (8 + (off))(%rsp)

/* clang-format off */
/* The parts of a syscall's frame, for the macros below. */
	.macro SYSCALL_SAVE_ARGS	/* the arguments and rax */
	movq %rdi, F(TF_RDI)
	movq %rsi, F(TF_RSI)
	movq %rdx, F(TF_RDX)
	movq %r10, F(TF_R10)
	movq %r8, F(TF_R8)
	movq %r9, F(TF_R9)
	movq %rax, F(TF_RAX)
	.endm

	.macro SYSCALL_SAVE_CALLEE	/* the callee-saved registers */
	movq %rbx, F(TF_RBX)
	movq %rbp, F(TF_RBP)
	movq %r12, F(TF_R12)
	movq %r13, F(TF_R13)
	movq %r14, F(TF_R14)
	movq %r15, F(TF_R15)
	.endm

	.macro SYSCALL_SAVE_CONSTANT	/* what every syscall's frame holds */
	movq $T_SYSCALL, F(TF_TRAPNO)
	movq $0, F(TF_ADDR)
	movq $0, F(TF_ERR)
	movq $UCSEL, F(TF_CS)
	movq $UDSEL, F(TF_SS)
	.endm

	.macro SYSCALL_COUNT		/* leaves curlwp in %rcx */
	movq %gs:CI_CURLWP, %rcx
	incl L_NSYSCALLS(%rcx)
	.endm

/*
 * The fast entry's part of the frame: the arguments, rax, rip, rflags
 * and rsp, the partial frame's marker; and the call counted, which
 * leaves curlwp in %rcx.
 */
	.macro SYSCALL_FRAME_FAST
	SYSCALL_SAVE_ARGS
	movq %rcx, F(TF_RIP)
	movq %r11, F(TF_RFLAGS)
	movq %gs:CI_USCRATCH, %rcx
	movq %rcx, F(TF_RSP)
	movq $T_SYSCALL_PARTIAL, F(TF_TRAPNO)
	SYSCALL_COUNT
	.endm

/*
 * Complete a fast entry's frame into a full one and end backtraces here
 * (%rbp 0); %rcx and %r11 are free.  The callee-saved registers must
 * still hold the user's values.
 */
	.macro SYSCALL_FRAME_REST
	SYSCALL_SAVE_CALLEE
	movq F(TF_RIP), %rcx
	movq %rcx, F(TF_RCX)
	movq F(TF_RFLAGS), %r11
	movq %r11, F(TF_R11)
	SYSCALL_SAVE_CONSTANT
	xorl %ebp, %ebp
	.endm

/*
 * The whole frame at once, as SYSCALL_FRAME_FAST then SYSCALL_FRAME_REST
 * build it, straight from the registers (a guest's call, which goes to
 * its controller with every register): the call counted, curlwp left in
 * %rcx, %rbp 0.
 */
	.macro SYSCALL_FRAME_FULL
	SYSCALL_SAVE_ARGS
	SYSCALL_SAVE_CALLEE
	movq %rcx, F(TF_RIP)
	movq %rcx, F(TF_RCX)
	movq %r11, F(TF_RFLAGS)
	movq %r11, F(TF_R11)
	movq %gs:CI_USCRATCH, %rcx
	movq %rcx, F(TF_RSP)
	SYSCALL_SAVE_CONSTANT
	xorl %ebp, %ebp
	SYSCALL_COUNT
	.endm
/* clang-format on */

	.text
	.balign 16
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CI_USCRATCH
	movq %gs:CI_SYSCALL_FRAME, %rsp
	cmpq %gs:CI_SYSCALL_LIMIT, %rax
	jae syscall_full_guest
	cmpq $0, syscall_light(, %rax, 8)
	jne syscall_light_call
	SYSCALL_FRAME_FAST
	movq syscall_fast(, %rax, 8), %rax
	testq %rax, %rax
	jz syscall_full
	leaq F(0), %rdi
	sti
	call *%rax
	cli
	/* -EJUSTRETURN .. -ERESTARTSYS: for syscall_return to act on. */
	leaq EJUSTRETURN(%rax), %rdx
	cmpq $(EJUSTRETURN - ERESTARTSYS), %rdx
	jbe syscall_fast_work
	movq %gs:CI_CURLWP, %rcx
	testl $LW_SYSCALL_WORK, L_FLAG(%rcx)
	jnz syscall_fast_work
	cmpw $0, %gs:CI_WANT_RESCHED	/* and ci_exit_witness */
	jnz syscall_fast_exit_word
syscall_fast_exit:
	movq F(TF_RDI), %rdi
	movq F(TF_RSI), %rsi
	movq F(TF_RDX), %rdx
	movq F(TF_R10), %r10
	movq F(TF_R8), %r8
	movq F(TF_R9), %r9
	movq F(TF_RIP), %rcx
	movq F(TF_RFLAGS), %r11
	movq F(TF_RSP), %rsp
	swapgs
	sysretq

	/*
	 * The exit word is not zero: a reschedule is due (the full
	 * return), or the lock checker is on (userret's last check,
	 * witness_userret_check, then out as above).
	 */
syscall_fast_exit_word:
	cmpb $0, %gs:CI_WANT_RESCHED
	jnz syscall_fast_work
#ifdef WITNESS
	pushq %rax
	subq $8, %rsp
	call witness_userret_check_slow
	addq $8, %rsp
	popq %rax
#endif
	jmp syscall_fast_exit

	/*
	 * A LIGHT call: its handler keeps every register but rax and runs
	 * with interrupts masked; the pad below the frame keeps rcx (the
	 * user's rip) while rcx serves the count.
	 */
syscall_light_call:
	movq %rcx, (%rsp)
	SYSCALL_COUNT
	call *syscall_light(, %rax, 8)
	movq (%rsp), %rcx
	movq %gs:CI_USCRATCH, %rsp
	swapgs
	sysretq

	/*
	 * At or past the limit: a guest's call, or ENOSYS from syscall()
	 * (which cannot be vmspace_ctl's number, below the limit).
	 */
syscall_full_guest:
	SYSCALL_FRAME_FULL
	leaq F(0), %rdi
	testl $MDL_GUEST, L_MD_FLAGS(%rcx)
	jz syscall_full_call

	/*
	 * A guest's syscall (falling through): to its controller, with the
	 * whole frame; the return is through the controller's frame
	 * (ci_syscall_frame's).
	 */
syscall_guest:
	sti
	call syscall_guest_trap		/* returns by syscall_exit_* */
	ud2

	/* A fast call left work: rax = its result, interrupts masked. */
syscall_fast_work:
	SYSCALL_FRAME_REST
	leaq F(0), %rdi
	movq %rax, %rsi
	call syscall_return
	jmp syscall_full_exit

	/*
	 * vmspace_ctl: its frame gets only the callee-saved registers
	 * beyond the fast part (T_SYSCALL_VMCTL: a return by SYSRET reads
	 * no more; sendsig completes it, cpu_frame_complete), and its C
	 * code runs below the guest's frame, which it fills; the return is
	 * through the guest's frame if it entered the guest
	 * (ci_syscall_frame's again).
	 */
syscall_vmspace_ctl_entry:
	SYSCALL_SAVE_CALLEE
	movq $T_SYSCALL_VMCTL, F(TF_TRAPNO)
	xorl %ebp, %ebp
	leaq F(0), %rdi
	subq $TF_GUEST_OFFSET, %rsp
	sti
	call syscall_vmspace_ctl	/* returns by syscall_exit_* */
	ud2

	/*
	 * void syscall_exit_iret(void), void syscall_exit_sysret(void): the
	 * end of the two vmspace calls' C halves, which do not return (they
	 * switch the LWP's user frame, and their callers' frames are
	 * dropped here): back to user mode through the frame
	 * ci_syscall_frame names, by iretq or by SYSRET.  Interrupts
	 * masked.
	 */
	.globl syscall_exit_iret, syscall_exit_sysret
syscall_exit_iret:
	movq %gs:CI_SYSCALL_FRAME, %rsp
	addq $8, %rsp			/* the pad */
	jmp trap_return_user
syscall_exit_sysret:
	movq %gs:CI_SYSCALL_FRAME, %rsp
	addq $8, %rsp
	jmp syscall_full_sysret

	/* Everything else, with the whole frame. */
syscall_full:
	cmpq $SYS_VMSPACE_CTL, F(TF_RAX)
	je syscall_vmspace_ctl_entry
	SYSCALL_FRAME_REST
	leaq F(0), %rdi
syscall_full_call:
	sti
	call syscall
	cli
syscall_full_exit:
	addq $8, %rsp			/* the pad: %rsp is the frame now */
	testl %eax, %eax
	jnz trap_return
syscall_full_sysret:
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
