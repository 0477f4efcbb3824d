/*
 * The trap dispatcher: every exception and interrupt arrives in trap()
 * from vector.S with a complete struct trapframe.
 */
#include <systm.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/frame.h>
#include <arch/intr.h>
#include <arch/trap.h>

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

uint64_t
extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = extable_start; e < extable_end; e++)
		if (e->ex_insn == rip)
			return e->ex_fixup;
	return 0;
}

static trap_bpt_hook_t kernel_bpt_hook;

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
		    tf->tf_err & PGEX_I ? "instruction fetch from" :
		    tf->tf_err & PGEX_W ? "write to" : "read from",
		    tf->tf_err & PGEX_P ? "protected" : "unmapped",
		    tf->tf_addr,
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
 * Handle the trap described by tf; on return vector.S resumes the
 * interrupted code with the (possibly changed) frame.  Interrupts are
 * masked (all vectors are interrupt gates).
 */
void
trap(struct trapframe *tf)
{
	uint64_t fixup;

	if (tf->tf_trapno >= IRQ_BASE) {
		intr_dispatch(tf);
		return;
	}

	curcpu()->ci_ntraps++;
	if (tf->tf_trapno == T_PAGEFLT)
		tf->tf_addr = rcr2();

	if (TRAPF_USERMODE(tf)) {
		trap_user(tf);
		return;
	}

	switch (tf->tf_trapno) {
	case T_NMI:
		kprintf("trap: NMI at rip 0x%lx; ignored\n", tf->tf_rip);
		return;
	case T_BPTFLT:
		/* int3 leaves rip after itself: returning resumes. */
		if (kernel_bpt_hook != NULL) {
			kernel_bpt_hook(tf);
		} else {
			kprintf("trap: kernel breakpoint at rip 0x%lx; resuming\n",
			    tf->tf_rip - 1);
		}
		return;
	case T_PAGEFLT:
	case T_PROTFLT:
		fixup = extable_lookup(tf->tf_rip);
		if (fixup != 0) {
			tf->tf_rip = fixup;
			return;
		}
		break;
	}
	trap_fatal(tf);
}

/*
 * A trap from user mode.  Until processes exist nothing runs in user
 * mode, so one is always fatal.
 */
void
trap_user(struct trapframe *tf)
{
	trap_fatal(tf);
}
