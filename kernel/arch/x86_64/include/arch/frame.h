/*
 * The trap frame.  Its layout is the one ABI.md section 4.3 gives for
 * struct trapframe (DragonFly's and FreeBSD's amd64 layout): the CPU pushes
 * ss..rip and, for some exceptions, the error code; the entry stubs in
 * vector.S push the rest.  vmspace_ctl copies it to and from user space
 * unchanged, so its offsets are part of the ABI and checked below.
 */
#ifndef _ARCH_FRAME_H_
#define _ARCH_FRAME_H_

#ifndef __ASSEMBLY__
#include <types.h>
#endif
/* struct trapframe, and the T_* numbers vmspace_ctl reports. */
#include <uapi/native_abi.h>

#define TF_RDI 0
#define TF_RSI 8
#define TF_RDX 16
#define TF_RCX 24
#define TF_R8 32
#define TF_R9 40
#define TF_RAX 48
#define TF_RBX 56
#define TF_RBP 64
#define TF_R10 72
#define TF_R11 80
#define TF_R12 88
#define TF_R13 96
#define TF_R14 104
#define TF_R15 112
#define TF_TRAPNO 120
#define TF_ADDR 128
#define TF_ERR 136
#define TF_RIP 144
#define TF_CS 152
#define TF_RFLAGS 160
#define TF_RSP 168
#define TF_SS 176
#define TF_SIZE 184

/*
 * While an LWP runs a vmspace guest, the guest's frame is its user frame
 * (md_tf): it sits right below the LWP's own frame and that frame's
 * 8-byte pad, TF_GUEST_OFFSET bytes lower (cpu_guest_frame), so that
 * both stay in place for a whole round trip.  vmspace_ctl's C code runs
 * below the guest's frame (syscall.S).
 */
#define TF_GUEST_OFFSET (TF_SIZE + 8)

/* Assembler macros, kept as they are written. */
/* clang-format off */
#ifdef __ASSEMBLY__
/*
 * Store the general registers into the struct trapframe at %rsp (used by
 * vector.S for traps and syscall.S for SYSCALL, so both build the same
 * frame).
 */
	.macro TF_SAVE_GPRS
	movq %rdi, 0(%rsp)
	movq %rsi, 8(%rsp)
	movq %rdx, 16(%rsp)
	movq %rcx, 24(%rsp)
	movq %r8, 32(%rsp)
	movq %r9, 40(%rsp)
	movq %rax, 48(%rsp)
	movq %rbx, 56(%rsp)
	movq %rbp, 64(%rsp)
	movq %r10, 72(%rsp)
	movq %r11, 80(%rsp)
	movq %r12, 88(%rsp)
	movq %r13, 96(%rsp)
	movq %r14, 104(%rsp)
	movq %r15, 112(%rsp)
	.endm
/* clang-format on */
#endif

/* The other x86 vectors (the ones guests report are in native_abi.h). */
#define T_NMI 2
#define T_OFLOW 4
#define T_BOUND 5
#define T_DNA 7
#define T_DOUBLEFLT 8
#define T_TSSFLT 10
#define T_SEGNPFLT 11
#define T_STKFLT 12
#define T_FPOPFLT 16
#define T_MCHK 18
#define T_XMMFLT 19
#define T_VIRTFLT 20
#define T_CPFLT 21

/*
 * Kernel-internal tf_trapno of a user frame rt_sigreturn rebuilt: not a
 * syscall's, so no ERESTART code in its rax is acted on.
 */
#define T_SIGRETURN 0x200

/*
 * Kernel-internal tf_trapno of a fast system call's partial frame
 * (syscall.S): only the argument registers, rax, rip, rflags and rsp are
 * in it.  Every full entry writes its own trap number over it.
 */
#define T_SYSCALL_PARTIAL 0x201

/*
 * Kernel-internal tf_trapno of a vmspace_ctl caller's frame (syscall.S):
 * a fast call's part and the callee-saved registers, all a return by
 * SYSRET needs; rcx, r11 and the constant slots are filled in only by
 * what reads the whole frame (sendsig, cpu_frame_complete).
 */
#define T_SYSCALL_VMCTL 0x202

/* The page-fault error code bits (PGEX_*) are in native_abi.h. */

/* True if the frame was taken from user mode. */
#define TRAPF_USERMODE(tf) (((tf)->tf_cs & 3) == 3)

#endif /* !_ARCH_FRAME_H_ */
