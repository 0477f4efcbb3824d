/*
 * The signal frame, as Linux x86_64 lays it out (musl and glibc depend on
 * it): sendsig builds it on the user stack, rt_sigreturn reads it back
 * and trusts nothing in it.
 *
 *   higher addresses
 *     [red zone, 128 bytes, or the top of the alternate stack]
 *     FPU state, 64-aligned (uc_mcontext.fpstate): with XSAVE, the
 *       XSAVE image with struct _fpx_sw_bytes in its bytes 464..511
 *       and FP_XSTATE_MAGIC2 after it, and UC_FP_XSTATE in uc_flags;
 *       without, the 512-byte FXSAVE image (fpu.c, "Signal frames")
 *     struct rt_sigframe: the return address (sa_restorer), the
 *       ucontext (flags, link, stack, sigcontext, mask), the siginfo
 *   rsp at the handler's entry: &frame->pretcode, rsp + 8 16-aligned
 *
 * rt_sigreturn takes either kind of FPU state back, as Linux does: an
 * XSAVE image when magic1, a plausible xstate_size and magic2 say so,
 * else a bare FXSAVE image (a program that built or copied only the 512
 * bytes); the components an image leaves out start fresh.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <arch/segments.h>
#include <proc/proc.h>
#include <proc/signalvar.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>

struct rt_sigframe {
	uint64_t pretcode; /* sa_restorer: the handler returns there */
	struct ucontext uc;
	siginfo_t info;
};

#define SIG_REDZONE 128
#define SIG_FPSTATE_ALIGN 64

/* The rflags bits a frame may change (Linux's FIX_EFLAGS). */
#define SIG_FIX_EFLAGS                                                      \
	(PSL_AC | PSL_V | PSL_D | PSL_T | PSL_N | PSL_Z | PSL_AF | PSL_PF | \
	    PSL_C | PSL_RF)

/* Whether sp is on l's alternate signal stack. */
static bool
sig_on_altstack(const struct lwp *l, uint64_t sp)
{
	return l->l_ss_size != 0 && sp > l->l_ss_sp &&
	    sp - l->l_ss_sp <= l->l_ss_size;
}

/*
 * Make a vmspace_ctl caller's frame (T_SYSCALL_VMCTL) whole, as the full
 * entry builds it: rcx and r11 as SYSCALL left them (rip and rflags),
 * the trap number, the constant slots.  Any other frame is whole already
 * (a fast call's partial one is completed by syscall.S before anything
 * can deliver a signal).  No requirements.
 */
static inline void
cpu_frame_complete(struct trapframe *tf)
{
	KASSERT(tf->tf_trapno != T_SYSCALL_PARTIAL);
	if (tf->tf_trapno != T_SYSCALL_VMCTL)
		return;
	tf->tf_rcx = tf->tf_rip;
	tf->tf_r11 = tf->tf_rflags;
	tf->tf_trapno = T_SYSCALL;
	tf->tf_addr = 0;
	tf->tf_err = 0;
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
}

/* sigaltstack's view of the stack state for sp (sas_ss_flags). */
int
sig_altstack_flags(const struct lwp *l, uint64_t sp)
{
	if (l->l_ss_size == 0)
		return SS_DISABLE;
	return sig_on_altstack(l, sp) ? SS_ONSTACK : 0;
}

int
sendsig(struct lwp *l, struct trapframe *tf, const struct ksigaction *ka,
    const siginfo_t *info, uint64_t oldmask)
{
	struct rt_sigframe frame;
	struct sigcontext *sc = &frame.uc.uc_mcontext;
	uint64_t sp = tf->tf_rsp, fp, fsp;

	if (!(ka->ka_flags & SA_RESTORER))
		return -EFAULT; /* as Linux x86_64: no way back */
	if ((ka->ka_flags & SA_ONSTACK) && l->l_ss_size != 0 &&
	    !sig_on_altstack(l, sp))
		sp = l->l_ss_sp + l->l_ss_size;
	else
		sp -= SIG_REDZONE;
	fp = (sp - fpu_sigframe_size()) & ~(uint64_t)(SIG_FPSTATE_ALIGN - 1);
	fsp = ((fp - sizeof(frame)) & ~(uint64_t)15) - 8;
	if (fsp >= VM_MAX_USER_ADDRESS || fp >= VM_MAX_USER_ADDRESS)
		return -EFAULT;

	cpu_frame_complete(tf);
	memset(&frame, 0, sizeof(frame));
	frame.pretcode = ka->ka_restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS |
	    (fpu_xcr0 != 0 ? UC_FP_XSTATE : 0);
	frame.uc.uc_stack.ss_sp = (void *)l->l_ss_sp;
	frame.uc.uc_stack.ss_size = l->l_ss_size;
	frame.uc.uc_stack.ss_flags =
	    sig_altstack_flags(l, tf->tf_rsp) | (l->l_ss_flags & SS_AUTODISARM);
	sc->r8 = tf->tf_r8;
	sc->r9 = tf->tf_r9;
	sc->r10 = tf->tf_r10;
	sc->r11 = tf->tf_r11;
	sc->r12 = tf->tf_r12;
	sc->r13 = tf->tf_r13;
	sc->r14 = tf->tf_r14;
	sc->r15 = tf->tf_r15;
	sc->rdi = tf->tf_rdi;
	sc->rsi = tf->tf_rsi;
	sc->rbp = tf->tf_rbp;
	sc->rbx = tf->tf_rbx;
	sc->rdx = tf->tf_rdx;
	sc->rax = tf->tf_rax;
	sc->rcx = tf->tf_rcx;
	sc->rsp = tf->tf_rsp;
	sc->rip = tf->tf_rip;
	sc->eflags = tf->tf_rflags;
	sc->cs = tf->tf_cs;
	sc->ss = tf->tf_ss;
	if (tf->tf_trapno < 32) {
		sc->trapno = tf->tf_trapno;
		sc->err = tf->tf_err;
		if (tf->tf_trapno == T_PAGEFLT)
			sc->cr2 = tf->tf_addr;
	}
	sc->oldmask = oldmask;
	sc->fpstate = (struct _fpstate *)fp;
	frame.uc.uc_sigmask = oldmask;
	if (ka->ka_flags & SA_SIGINFO)
		frame.info = *info;

	/* The registers the interrupted code had; the handler gets fresh ones. */
	if (fpu_sigframe_save(l, fp) != 0 ||
	    copyout(&frame, (void *)fsp, sizeof(frame)) != 0)
		return -EFAULT;

	if ((ka->ka_flags & SA_ONSTACK) && (l->l_ss_flags & SS_AUTODISARM)) {
		l->l_ss_sp = 0;
		l->l_ss_size = 0;
	}
	tf->tf_rdi = info->si_signo;
	tf->tf_rsi = fsp + offsetof(struct rt_sigframe, info);
	tf->tf_rdx = fsp + offsetof(struct rt_sigframe, uc);
	tf->tf_rax = 0;
	tf->tf_rip = ka->ka_handler;
	tf->tf_rsp = fsp;
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
	tf->tf_rflags &= ~(uint64_t)(PSL_D | PSL_RF | PSL_T | PSL_AC);
	cpu_frame_replaced(l);
	return 0;
}

/*
 * rt_sigreturn: back to the context the frame at rsp - 8 holds.  The
 * frame is the user's to change, so every field is checked: a code or
 * stack selector other than the user's, a rip outside user space or an
 * unreadable frame or FPU state end in SIGSEGV (rt_sigreturn's own
 * context stays as it was); rflags keeps only what user code may set.
 */
long
sys_rt_sigreturn(void)
{
	struct lwp *l = curlwp;
	struct trapframe *tf = l->l_md.md_tf;
	struct rt_sigframe frame;
	struct sigcontext *sc = &frame.uc.uc_mcontext;
	uint64_t ufp = tf->tf_rsp - 8;
	uint16_t ss;

	if (copyin((void *)ufp, &frame, sizeof(frame)) != 0)
		goto bad;
	ss = sc->ss | 3;
	if (!(frame.uc.uc_flags & UC_STRICT_RESTORE_SS))
		ss = UDSEL;
	if ((sc->cs | 3) != UCSEL || ss != UDSEL ||
	    sc->rip >= VM_MAX_USER_ADDRESS)
		goto bad;
	if (fpu_sigframe_restore(l, (uint64_t)sc->fpstate) != 0)
		goto bad;

	tf->tf_r8 = sc->r8;
	tf->tf_r9 = sc->r9;
	tf->tf_r10 = sc->r10;
	tf->tf_r11 = sc->r11;
	tf->tf_r12 = sc->r12;
	tf->tf_r13 = sc->r13;
	tf->tf_r14 = sc->r14;
	tf->tf_r15 = sc->r15;
	tf->tf_rdi = sc->rdi;
	tf->tf_rsi = sc->rsi;
	tf->tf_rbp = sc->rbp;
	tf->tf_rbx = sc->rbx;
	tf->tf_rdx = sc->rdx;
	tf->tf_rax = sc->rax;
	tf->tf_rcx = sc->rcx;
	tf->tf_rsp = sc->rsp;
	tf->tf_rip = sc->rip;
	tf->tf_rflags = (tf->tf_rflags & ~(uint64_t)SIG_FIX_EFLAGS) |
	    (sc->eflags & SIG_FIX_EFLAGS);
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
	tf->tf_trapno = T_SIGRETURN; /* no restart of what it holds */
	cpu_frame_replaced(l);

	spin_lock(&proc_lock);
	sig_setmask_locked(l, frame.uc.uc_sigmask);
	spin_unlock(&proc_lock);
	sig_restore_altstack(l, &frame.uc.uc_stack, sc->rsp);
	return -EJUSTRETURN;
bad:
	kprintf("pid %d (%s): rt_sigreturn with a bad frame at 0x%lx\n",
	    l->l_proc->p_pid, l->l_proc->p_comm, ufp);
	(void)sig_trap(SIGSEGV, SI_KERNEL, 0);
	return -EJUSTRETURN;
}
