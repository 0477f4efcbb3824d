/*
 * The trap dispatcher: every exception and interrupt arrives in trap()
 * from vector.S with a complete struct trapframe.
 */
#include <systm.h>
#include <bootinfo.h>
#include <witness.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/fpu.h>
#include <arch/frame.h>
#include <arch/intr.h>
#include <arch/trap.h>
#include <arch/pcb.h>
#include <arch/userret.h>
#include <copy.h>
#include <syscall.h>
#include <sysproto.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/addrspace.h>
#include <vm/vm_fault.h>
#include <vm/vm_vmspace.h>

static const char *const trap_names[32] = {
	[T_DIVIDE] = "divide error",
	[T_DEBUG] = "debug exception",
	[T_NMI] = "non-maskable interrupt",
	[T_BPTFLT] = "breakpoint",
	[T_OFLOW] = "overflow",
	[T_BOUND] = "bound range exceeded",
	[T_PRIVINFLT] = "invalid opcode",
	[T_DNA] = "device not available",
	[T_DOUBLEFLT] = "double fault",
	[9] = "coprocessor segment overrun",
	[T_TSSFLT] = "invalid TSS",
	[T_SEGNPFLT] = "segment not present",
	[T_STKFLT] = "stack fault",
	[T_PROTFLT] = "general protection fault",
	[T_PAGEFLT] = "page fault",
	[T_FPOPFLT] = "x87 floating-point error",
	[T_ALIGNFLT] = "alignment check",
	[T_MCHK] = "machine check",
	[T_XMMFLT] = "SIMD floating-point exception",
	[T_VIRTFLT] = "virtualization exception",
	[T_CPFLT] = "control protection exception",
};

const char *
trap_name(uint64_t trapno)
{
	if (trapno < ARRAY_SIZE(trap_names) && trap_names[trapno] != NULL)
		return trap_names[trapno];
	if (trapno < IRQ_BASE)
		return "reserved exception";
	return "interrupt";
}

extern const struct extable_entry extable_start[], extable_end[];
extern const char copy_nofault_start[], copy_nofault_end[];

uint64_t
extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = extable_start; e < extable_end;
	     e++)
		if (e->ex_insn == rip)
			return e->ex_fixup;
	return 0;
}

static trap_bpt_hook_t kernel_bpt_hook;
static void trap_kernel(struct trapframe *tf);
static vm_prot_t trap_pf_access(uint64_t err);
static bool trap_copy_may_retry(struct lwp *l, const struct trapframe *tf);

trap_bpt_hook_t
trap_set_kernel_bpt_hook(trap_bpt_hook_t hook)
{
	trap_bpt_hook_t old = kernel_bpt_hook;

	kernel_bpt_hook = hook;
	return old;
}

/*
 * Describe a fatal kernel trap in one line ("kernel page fault: write to
 * unmapped address ...") and panic with the trap frame's registers and
 * backtrace.
 */
static void __noreturn
trap_fatal(struct trapframe *tf)
{
	char what[160];

	if (tf->tf_trapno == T_PAGEFLT) {
		ksnprintf(what, sizeof(what),
		    "%s %s address 0x%lx (%s, error 0x%lx)",
		    tf->tf_err & PGEX_I     ? "instruction fetch from" :
			tf->tf_err & PGEX_W ? "write to" :
					      "read from",
		    tf->tf_err & PGEX_P ? "protected" : "unmapped", tf->tf_addr,
		    tf->tf_err & PGEX_U ? "user mode" : "kernel mode",
		    tf->tf_err);
	} else {
		ksnprintf(what, sizeof(what), "error code 0x%lx", tf->tf_err);
	}
	panic_trapframe(tf, "%s %s (vector %lu): %s",
	    TRAPF_USERMODE(tf) ? "user" : "kernel", trap_name(tf->tf_trapno),
	    tf->tf_trapno, what);
}

/*
 * Handle the trap described by tf and return the frame vector.S resumes
 * with: tf, possibly changed, or, when a trap from user mode ended a
 * vmspace guest's run, the LWP's user frame now (md_tf: the
 * controller's, frame.h).  Entered with interrupts masked (all vectors
 * are interrupt gates); an exception turns them back on if the
 * interrupted code had them on (always, from user mode), once CR2 is
 * read, so a fault may sleep and the CPU still answers IPIs while the VM
 * works.  Returns with them masked.  An NMI comes on its own stack
 * (IST), in either mode, and is only reported.
 */
struct trapframe *
trap(struct trapframe *tf)
{
	struct lwp *l;

	if (tf->tf_trapno >= IRQ_BASE) {
		intr_dispatch(tf);
		if (!TRAPF_USERMODE(tf))
			return tf;
		l = curlwp;
		trap_userret(l, tf);
		return l->l_md.md_tf;
	}
	if (__predict_false(tf->tf_trapno == T_NMI)) {
		kprintf("trap: NMI at rip 0x%lx; ignored\n", tf->tf_rip);
		return tf;
	}

	curcpu()->ci_ntraps++;
	if (tf->tf_trapno == T_PAGEFLT)
		tf->tf_addr = rcr2();

	if (TRAPF_USERMODE(tf)) {
		l = curlwp;
		sti();
		trap_user(tf);
		return l->l_md.md_tf;
	}
	if (tf->tf_trapno == T_PAGEFLT && (tf->tf_rflags & PSL_I) != 0)
		sti();
	trap_kernel(tf);
	cli();
	return tf;
}

/*
 * An exception in kernel mode: a user copy's fault goes to the VM or to
 * its fixup; a breakpoint to the debugger hook; anything else panics.
 * Interrupts as the interrupted code had them, for a page fault.
 */
static void
trap_kernel(struct trapframe *tf)
{
	uint64_t fixup;

	switch (tf->tf_trapno) {
	case T_BPTFLT:
		/* int3 leaves rip after itself: returning resumes. */
		if (kernel_bpt_hook != NULL) {
			kernel_bpt_hook(tf);
		} else {
			kprintf(
			    "trap: kernel breakpoint at rip 0x%lx; resuming\n",
			    tf->tf_rip - 1);
		}
		return;
	case T_DNA:
		/* fpu.c's signal-frame access, retried after a fault slept. */
		if (extable_lookup(tf->tf_rip) != 0 && fpu_trap(curlwp))
			return;
		break;
	case T_PAGEFLT:
	case T_PROTFLT:
		fixup = extable_lookup(tf->tf_rip);
		/* The non-faulting accesses (copy.S) fail without the VM. */
		if (fixup != 0 && tf->tf_rip >= (uint64_t)copy_nofault_start &&
		    tf->tf_rip < (uint64_t)copy_nofault_end) {
			tf->tf_rip = fixup;
			return;
		}
		if (fixup != 0 && tf->tf_trapno == T_PAGEFLT &&
		    tf->tf_addr < VM_MAX_USER_ADDRESS)
			witness_user_fault(tf);
		/*
		 * A user copy touching a page not yet made: the VM decides,
		 * and the copy is retried a bounded number of times.
		 */
		if (fixup != 0 && tf->tf_trapno == T_PAGEFLT &&
		    tf->tf_addr < VM_MAX_USER_ADDRESS &&
		    curlwp->l_proc->p_vmspace != NULL &&
		    trap_copy_may_retry(curlwp, tf) &&
		    vm_fault(curlwp->l_proc->p_vmspace, tf->tf_addr,
			trap_pf_access(tf->tf_err)) == 0)
			return;
		if (fixup != 0) {
			tf->tf_rip = fixup;
			return;
		}
		break;
	}
	trap_fatal(tf);
}

/*
 * A user copy (copyin, copyout) faulting at tf_addr may be retried after
 * the VM resolves the fault, but not for ever: the same address faulting
 * TRAP_COPY_RETRY_MAX times in a row means the resolution does not take
 * (a VM bug: vm_fault asserts that it cannot happen), and the copy then
 * fails with EFAULT instead of hanging the CPU.  A read fault then a
 * write fault on one page is the most a correct VM needs.  Returns true
 * while the copy may be retried.  Interrupts are masked.
 */
#define TRAP_COPY_RETRY_MAX 8

static bool
trap_copy_may_retry(struct lwp *l, const struct trapframe *tf)
{
	if (tf->tf_addr != l->l_copy_fault_addr ||
	    l->l_nsyscalls != l->l_copy_fault_nsyscalls) {
		l->l_copy_fault_addr = tf->tf_addr;
		l->l_copy_fault_nsyscalls = l->l_nsyscalls;
		l->l_copy_fault_repeats = 0;
		return true;
	}
	if (++l->l_copy_fault_repeats < TRAP_COPY_RETRY_MAX)
		return true;
	kprintf("trap: pid %d: a user copy at 0x%lx faulted %d times; EFAULT\n",
	    l->l_proc->p_pid, tf->tf_addr, TRAP_COPY_RETRY_MAX);
	l->l_copy_fault_addr = 0;
	return false;
}

/* The access a page fault's error code describes. */
static vm_prot_t
trap_pf_access(uint64_t err)
{
	if (err & PGEX_W)
		return VM_PROT_WRITE;
	if (err & PGEX_I)
		return VM_PROT_EXECUTE;
	return VM_PROT_READ;
}

/*
 * The signal for an exception from user mode, with the si_code and
 * si_addr Linux gives it.  error is vm_fault's result for a page fault.
 */
static int
trap_signal(const struct trapframe *tf, int error, int *code, uint64_t *addr)
{
	*addr = tf->tf_rip;
	switch (tf->tf_trapno) {
	case T_DIVIDE:
		*code = FPE_INTDIV;
		return SIGFPE;
	case T_FPOPFLT:
	case T_XMMFLT:
		*code = FPE_FLTINV;
		return SIGFPE;
	case T_DEBUG:
		*code = TRAP_TRACE;
		return SIGTRAP;
	case T_BPTFLT:
		*code = SI_KERNEL;
		*addr = 0;
		return SIGTRAP;
	case T_PRIVINFLT:
	case T_DNA:
		*code = ILL_ILLOPN;
		return SIGILL;
	case T_ALIGNFLT:
		*code = BUS_ADRALN;
		*addr = tf->tf_addr;
		return SIGBUS;
	case T_PAGEFLT:
		*addr = tf->tf_addr;
		if (error == -EIO) {
			*code = BUS_ADRERR;
			return SIGBUS;
		}
		/* Linux's rule: an address inside a mapping is ACCERR. */
		*code = error == -EACCES || (tf->tf_err & PGEX_P) ?
		    SEGV_ACCERR :
		    SEGV_MAPERR;
		return SIGSEGV;
	default:
		*code = SI_KERNEL;
		*addr = 0;
		return SIGSEGV;
	}
}

/*
 * A page fault the VM resolved is retried.  The same fault at the same
 * rip coming back TRAP_FAULT_REPEAT_MAX times with no syscall between
 * means retrying gets nowhere (QEMU's TCG, for one, faults forever on a
 * user iretq when SMAP is on): false ends the loop, and the process gets
 * the fault's signal instead of spinning.
 */
#define TRAP_FAULT_REPEAT_MAX 1000

static bool
trap_fault_progress(struct lwp *l, const struct trapframe *tf)
{
	if (tf->tf_rip == l->l_fault_rip && tf->tf_addr == l->l_fault_addr &&
	    l->l_nsyscalls == l->l_fault_nsyscalls)
		return ++l->l_fault_repeats < TRAP_FAULT_REPEAT_MAX;
	l->l_fault_rip = tf->tf_rip;
	l->l_fault_addr = tf->tf_addr;
	l->l_fault_nsyscalls = l->l_nsyscalls;
	l->l_fault_repeats = 0;
	return true;
}

/*
 * A trap from user mode.  Page faults the VM resolves are retried;
 * anything else raises the matching signal (ABI.md section 3), which a
 * handler may catch; when it ends the process, one console line first
 * names the process, the fault, the address and rip.  Interrupts are
 * enabled; userret runs masked.
 */
void
trap_user(struct trapframe *tf)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	int sig, code, error = -EFAULT;
	uint64_t addr;
	char what[96];

	if (tf->tf_trapno == T_DNA && fpu_trap(l)) {
		/* The first FPU instruction since the switch (fpu.c). */
		cli();
		trap_userret(l, tf);
		return;
	}
	if (tf->tf_trapno == T_PAGEFLT) {
		error = vm_fault(vkernel_lwp_vmspace(l), tf->tf_addr,
		    trap_pf_access(tf->tf_err));
		if (error == 0 && trap_fault_progress(l, tf)) {
			cli();
			trap_userret(l, tf);
			return;
		}
		if (error == 0)
			error = -EFAULT; /* the same fault again and again */
	}
	if (vkernel_in_guest(l)) {
		/* A guest's trap goes to its controller (ABI.md 4.3). */
		vkernel_trap(l, tf);
		cli();
		trap_userret(l, l->l_md.md_tf);
		return;
	}
	if (error == -ENOMEM) {
		sig = SIGKILL;
	} else {
		/* A handler may take it (a user-level pager), else it kills. */
		sig = trap_signal(tf, error, &code, &addr);
		if (!sig_trap(sig, code, addr)) {
			cli();
			trap_userret(l, tf);
			return;
		}
	}
	if (tf->tf_trapno == T_PAGEFLT)
		ksnprintf(what, sizeof(what), "%s %s address 0x%lx%s",
		    tf->tf_err & PGEX_I     ? "instruction fetch from" :
			tf->tf_err & PGEX_W ? "write to" :
					      "read from",
		    tf->tf_err & PGEX_P ? "protected" : "unmapped", tf->tf_addr,
		    error == -ENOMEM  ? " (out of memory)" :
			error == -EIO ? " (past the end of its memfd)" :
					"");
	else
		ksnprintf(what, sizeof(what), "error code 0x%lx", tf->tf_err);
	kprintf(
	    "pid %d (%s): %s (vector %lu), %s, at rip 0x%lx: killed by %s\n",
	    p->p_pid, p->p_comm, trap_name(tf->tf_trapno), tf->tf_trapno, what,
	    tf->tf_rip, sig_name(sig));
	if (sig == SIGKILL) {
		spin_lock(&proc_lock);
		proc_kill_locked(p, W_SIGNALED(sig));
		spin_unlock(&proc_lock);
	}
	cli();
	trap_userret(l, tf); /* sig_deliver takes the default action */
}

/*
 * systrace= on the command line (ABI.md section 1 leaves unknown
 * parameters to init's environment; this one is the kernel's): "all"
 * prints every system call's number, first three arguments and result on
 * the console, "enosys" only the calls that returned ENOSYS, "errors" the
 * calls that failed.  For finding out what a program nobody here wrote
 * needs.  Set at boot, then constant.
 */
enum {
	SYSTRACE_OFF,
	SYSTRACE_ENOSYS,
	SYSTRACE_ERRORS,
	SYSTRACE_ALL
};
int systrace_mode;

static void
systrace_startup(const struct bootinfo *bi)
{
	char mode[16];

	if (!bootinfo_getarg(bi, "systrace", mode, sizeof(mode)))
		return;
	if (strcmp(mode, "all") == 0)
		systrace_mode = SYSTRACE_ALL;
	else if (strcmp(mode, "errors") == 0)
		systrace_mode = SYSTRACE_ERRORS;
	else
		systrace_mode = SYSTRACE_ENOSYS;
}

void
systrace(const struct lwp *l, uint64_t nr, const struct trapframe *tf, long rv)
{
	if (systrace_mode == SYSTRACE_ENOSYS && rv != -ENOSYS)
		return;
	if (systrace_mode == SYSTRACE_ERRORS &&
	    (rv >= 0 || rv < -4095 || rv == -EJUSTRETURN ||
		(rv <= -ERESTARTSYS && rv >= -ERESTART_RESTARTBLOCK)))
		return; /* success, or the kernel's own codes */
	kprintf("systrace: %d/%d %s: %lu(%#lx, %#lx, %#lx) = %ld\n",
	    l->l_proc->p_pid, l->l_lid, l->l_proc->p_comm, nr, tf->tf_rdi,
	    tf->tf_rsi, tf->tf_rdx, rv);
}

/*
 * The end of every system call, with interrupts enabled: store the
 * result, act on a restart code, run userret.  Returns nonzero when the
 * frame must go back with iretq instead of SYSRET: after a handler
 * replaced the whole frame, or when rip is not a user address, where
 * SYSRET could fault in kernel mode (CVE-2012-0217).
 */
int
syscall_finish(struct lwp *l, struct trapframe *tf, uint64_t nr, long rv)
{
	if (__predict_false(systrace_mode != SYSTRACE_OFF))
		systrace(l, nr, tf, rv);
	if (rv != -EJUSTRETURN)
		tf->tf_rax = rv;
	if (__predict_false(
		rv <= -ERESTARTSYS && rv >= -ERESTART_RESTARTBLOCK)) {
		/* Interrupted: EINTR, or run again (kern_sig.c). */
		l->l_syscall = (long)nr;
		sig_deliver(tf);
	}
	cli();
	trap_userret(l, tf);
	if (__predict_false(l->l_md.md_flags & MDL_IRET)) {
		l->l_md.md_flags &= ~MDL_IRET;
		return 1;
	}
	return l->l_md.md_tf->tf_rip >= VM_MAX_USER_ADDRESS;
}

/*
 * The C half of syscall.S's full path, with interrupts enabled and the
 * whole frame: dispatch on tf_rax, then syscall_finish.
 */
int
syscall(struct trapframe *tf)
{
	struct lwp *l = curlwp;
	uint64_t nr = tf->tf_rax;
	long rv = -ENOSYS;

	/* A guest's call took syscall_guest_trap (MDL_GUEST). */
	KASSERT(!vkernel_in_guest(l));
	if (nr < nsysent && sysent[nr].sy_call != NULL)
		rv = sysent[nr].sy_call(tf);
	return syscall_finish(l, tf, nr, rv);
}

/*
 * A fast call (syscall.S) returned rv and left work for the way out:
 * tf is whole again, tf_rax still the call's number; interrupts masked.
 */
int
syscall_return(struct trapframe *tf, long rv)
{
	sti();
	return syscall_finish(curlwp, tf, tf->tf_rax, rv);
}

/*
 * syscall.S's fast path: the handler of each call that neither reads nor
 * replaces the caller's whole frame (only its arguments, rax, rip,
 * rflags and rsp are stored), NULL for the others, which take the full
 * path.  Filled once at boot (syscall_startup), then constant.
 */
long (*syscall_fast[SYS_MAXSYSCALL])(struct trapframe *tf);

/*
 * syscall.S's light path: the handler of each LIGHT call (syscalls.master),
 * NULL for the others.  It is called straight from the entry, with
 * interrupts masked, on the kernel stack but with no frame stored, and
 * returns by SYSRET with no exit checks: it reads, and cannot leave work.
 * Work that another CPU leaves meanwhile comes with an interrupt (a
 * signal's or a wake-up's IPI), taken the moment SYSRET unmasks
 * interrupts, whose return to user mode runs userret.  Filled once at
 * boot (syscall_startup), then constant; empty while systrace traces.
 */
long (*syscall_light[SYS_MAXSYSCALL])(void);

/*
 * The calls that need the whole frame: they copy it (fork, vfork,
 * clone, clone3, rfork), replace it (execve, rt_sigreturn) or save it and enter
 * a guest (vmspace_ctl).  cpu_fork_frame, cpu_exec_setregs and
 * cpu_frame_replaced assert that nothing else does.
 */
static const uint16_t syscall_whole_frame[] = {
	SYS_rt_sigreturn,
	SYS_clone,
	SYS_clone3,
	SYS_fork,
	SYS_vfork,
	SYS_execve,
	SYS_vmspace_ctl,
	SYS_rfork,
};

void
syscall_startup(const struct bootinfo *bi)
{
	unsigned i;

	systrace_startup(bi);
	KASSERT(nsysent == SYS_MAXSYSCALL);
	/* Tracing: every call takes the full path, which traces. */
	for (i = 0; i < nsysent && systrace_mode == SYSTRACE_OFF; i++) {
		syscall_fast[i] = sysent[i].sy_call;
		syscall_light[i] = sysent[i].sy_light;
	}
	for (i = 0;
	     i < sizeof(syscall_whole_frame) / sizeof(syscall_whole_frame[0]);
	     i++)
		syscall_fast[syscall_whole_frame[i]] = NULL;
#ifdef WITNESS
	curcpu()->ci_exit_witness = witness_on; /* witness_startup ran */
#endif
}

int
syscall_arg7(const struct trapframe *tf, uint64_t *arg)
{
	return copyin((const void *)(tf->tf_rsp + 8), arg, sizeof(*arg));
}
