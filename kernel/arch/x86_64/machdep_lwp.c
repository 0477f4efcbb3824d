/*
 * The machine-dependent half of LWPs (<arch/pcb.h>): kernel stacks laid
 * out for a first switch-in, the context switch (with fpu.c's FPU
 * switching), user TLS and the registers of a fresh program, a forked child or a new LWP.
 */
#include <systm.h>
#include <errno.h>
#include <vm/vm.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <arch/segments.h>
#include <proc/proc.h>
#include <proc/sched.h>

CTASSERT(offsetof(struct mdlwp, md_rsp) == MD_RSP);
CTASSERT(sizeof(struct trapframe) == TF_SIZE);
CTASSERT(offsetof(struct trapframe, tf_rip) == TF_RIP);
CTASSERT(offsetof(struct trapframe, tf_rsp) == TF_RSP);
CTASSERT(offsetof(struct trapframe, tf_trapno) == TF_TRAPNO);

extern char syscall_entry[], lwp_trampoline[], kthread_trampoline[];
struct lwp *cpu_switch_stack(struct lwp *old, struct lwp *new, uint64_t *oldrsp,
    uint64_t newrsp);

void
cpu_syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSRET loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8. */
	wrmsr(MSR_STAR,
	    ((uint64_t)GSEL(GUDATA_SEL - 1, SEL_UPL) << 48) |
		((uint64_t)KCSEL << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, PSL_I | PSL_T | PSL_D | PSL_IOPL | PSL_AC | PSL_NT);
#ifdef WITNESS
	/* The boot CPU's byte again after witness_startup: syscall_startup. */
	curcpu()->ci_exit_witness = witness_on;
#endif
	curcpu()->ci_syscall_limit = nsysent;
}

void
cpu_lwp_setup(struct lwp *l, const struct trapframe *tf,
    const struct lwp *fpu_from)
{
	struct trapframe *ktf;
	uint64_t *sp;

	ktf = (struct trapframe *)(l->l_kstack - sizeof(struct trapframe));
	*ktf = *tf;
	l->l_md.md_tf = ktf;

	/* What cpu_switch_stack pops: six registers, then lwp_trampoline. */
	sp = (uint64_t *)ktf;
	*--sp = (uint64_t)lwp_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	l->l_md.md_rsp = (uint64_t)sp;

	if (fpu_from != NULL) {
		KASSERT(fpu_from == curlwp);
		fpu_lwp_setup(l, curlwp);
		cpu_segs_get(curlwp, &l->l_md.md_segs);
	} else {
		fpu_lwp_setup(l, NULL);
		memset(&l->l_md.md_segs, 0, sizeof(l->l_md.md_segs));
	}
}

void
cpu_kthread_setup(struct lwp *l, void (*fn)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)(l->l_kstack - 16);

	l->l_md.md_tf = NULL;
	/* What cpu_switch_stack pops, r15 first, then its return address. */
	*--sp = (uint64_t)kthread_trampoline;
	*--sp = 0;             /* rbp: ends the backtrace */
	*--sp = 0;             /* rbx */
	*--sp = (uint64_t)fn;  /* r12 */
	*--sp = (uint64_t)arg; /* r13 */
	*--sp = 0;             /* r14 */
	*--sp = 0;             /* r15 */
	l->l_md.md_rsp = (uint64_t)sp;
}

/*
 * User FS and GS.
 *
 * What an LWP owns is what it left in the hardware.  User code changes
 * its FS and GS without asking: `mov %ax, %fs` loads a selector and,
 * from its descriptor, a base (0 for our flat user selectors), and a
 * null selector clears the base on Intel and QEMU but keeps it on AMD.
 * So the kernel never trusts a copy of a running context:
 *
 *   - While an LWP runs (it is curlwp: in user mode, or in the kernel on
 *     its behalf), the hardware holds its user FS and GS: the selectors
 *     in %fs and %gs, the FS base in MSR_FSBASE and the GS base in
 *     MSR_KERNELGSBASE (swapgs moved it there on entry; the active GS
 *     base is the kernel's struct cpu_info).  md_segs is stale.
 *   - While it is switched out, md_segs holds them.  cpu_switchto saves
 *     old's from the hardware and loads new's.
 *
 * The save reads both selectors and both bases.  The two rdmsr are the
 * price of being exact: a null selector load leaves the selector 0 and
 * may or may not have cleared the base, so the selectors alone cannot
 * tell whether a base changed (Linux without FSGSBASE skips the read and
 * lets such a base revert; with FSGSBASE it reads both every time, as
 * here).  The load is cheap in the common case: a selector is loaded
 * only when it differs from the one in %fs or %gs (almost every program
 * keeps 0 in both), and a base is written only when it differs from what
 * the previous LWP left, or after a selector load.
 *
 * Selectors are restored, not reset to 0.  Linux keeps each thread's
 * fs/gs selector, and the kernel does not touch them on entry or exit,
 * so resetting them only at a switch would make a program see its
 * selector change at random.  The selectors a user can load are the null
 * ones (0-3) and the GDT's user data and code selectors, with any RPL;
 * each loads at CPL 0 as well, so restoring one cannot fault.  A fresh
 * program (execve) starts with 0 in both and both bases 0;
 * arch_prctl(ARCH_SET_FS) and vmspace_ctl's guest bases come with a null
 * selector; fork and lwp_create copy the creator's four values.
 *
 * vmspace_ctl keeps the controller's FS and GS while a guest runs in the
 * same LWP, and a guest's own segment loads reach the controller when it
 * traps: the exchanges are cpu_segs_enter and cpu_segs_leave.
 */

/*
 * The selectors user code could have loaded into %fs or %gs, one bit per
 * selector value: the null ones and the GDT's user data and code
 * selectors, each with any RPL (the LDT bit clear).
 */
#define USER_SEL_RPLS(idx) (0xfUL << ((idx) << 3))
#define USER_SEL_MASK                                           \
	(USER_SEL_RPLS(GNULL_SEL) | USER_SEL_RPLS(GUDATA_SEL) | \
	    USER_SEL_RPLS(GUCODE_SEL))
CTASSERT(GUDATA_SEL < 8 && GUCODE_SEL < 8);

static inline bool
user_sel_ok(uint16_t sel)
{
	return sel < 64 && ((USER_SEL_MASK >> sel) & 1) != 0;
}

/*
 * A user FS and GS the kernel can have saved.  User code sets a base only
 * through a descriptor (base 0) or the kernel's checked calls: CR4.FSGSBASE
 * stays off, so wrfsbase/wrgsbase are not available to it (turning it on
 * would let user code write any canonical base, and this check would have
 * to go).  A kernel GS base here would mean a missing swapgs.
 */
static inline bool
user_segs_ok(const struct mdsegs *s)
{
	return user_sel_ok(s->ms_fssel) && user_sel_ok(s->ms_gssel) &&
	    s->ms_fsbase < VM_MAX_USER_ADDRESS &&
	    s->ms_gsbase < VM_MAX_USER_ADDRESS;
}

/*
 * Load the user %gs selector: the user's GS is the inactive one in the
 * kernel, so swap it in, load, and swap back.  Interrupts must be masked
 * (an interrupt in between would run with the user's GS base).
 */
static void
load_user_gs(uint16_t sel)
{
	KASSERT(!intr_enabled());
	__asm__ volatile("swapgs\n\t"
			 "movw %0, %%gs\n\t"
			 "swapgs"
			 :
			 : "r"(sel)
			 : "memory");
}

/* Read the running LWP's user FS and GS from the hardware. */
static inline __attribute__((always_inline)) void
segs_save(struct mdsegs *s)
{
	s->ms_fssel = rfs();
	s->ms_gssel = rgs();
	s->ms_fsbase = rdmsr(MSR_FSBASE);
	s->ms_gsbase = rdmsr(MSR_KERNELGSBASE);
	KASSERT(user_segs_ok(s));
}

/*
 * Make *s the user FS and GS in the hardware.  cur is what the hardware
 * holds now if the caller knows it (it just saved it), else NULL.  *s
 * must pass user_segs_ok: it was saved by segs_save, which asserts it, or
 * its bases were checked with cpu_tls_base_ok.  Interrupts masked.
 */
static inline __attribute__((always_inline)) void
segs_load(const struct mdsegs *s, const struct mdsegs *cur)
{
	bool fs = cur == NULL, gs = cur == NULL;

	if ((cur != NULL ? cur->ms_fssel : rfs()) != s->ms_fssel) {
		load_fs(s->ms_fssel);
		fs = true;
	}
	if ((cur != NULL ? cur->ms_gssel : rgs()) != s->ms_gssel) {
		load_user_gs(s->ms_gssel);
		gs = true;
	}
	if (fs || s->ms_fsbase != cur->ms_fsbase)
		wrmsr(MSR_FSBASE, s->ms_fsbase);
	if (gs || s->ms_gsbase != cur->ms_gsbase)
		wrmsr(MSR_KERNELGSBASE, s->ms_gsbase);
}

void
cpu_segs_get(struct lwp *l, struct mdsegs *s)
{
	if (l == curlwp)
		segs_save(s);
	else
		*s = l->l_md.md_segs;
}

void
cpu_segs_load_slow(const struct mdsegs *in, const struct mdsegs *out)
{
	bool was = intr_disable();

	segs_load(in, out);
	intr_restore(was);
}

uint64_t
cpu_get_fsbase(struct lwp *l)
{
	return l == curlwp ? rdmsr(MSR_FSBASE) : l->l_md.md_segs.ms_fsbase;
}

void
cpu_set_fsbase(struct lwp *l, uint64_t base)
{
	KASSERT(cpu_tls_base_ok(base));
	if (l != curlwp) {
		l->l_md.md_segs.ms_fssel = 0;
		l->l_md.md_segs.ms_fsbase = base;
		return;
	}
	load_fs(0);
	wrmsr(MSR_FSBASE, base);
}

void
cpu_set_gsbase(struct lwp *l, uint64_t base)
{
	bool was;

	KASSERT(cpu_tls_base_ok(base));
	if (l != curlwp) {
		l->l_md.md_segs.ms_gssel = 0;
		l->l_md.md_segs.ms_gsbase = base;
		return;
	}
	was = intr_disable();
	load_user_gs(0);
	wrmsr(MSR_KERNELGSBASE, base); /* swapgs makes it GS on return */
	intr_restore(was);
}

struct lwp *
cpu_switchto(struct lwp *old, struct lwp *new)
{
	struct cpu_info *ci = curcpu();
	const struct mdsegs *hw = NULL; /* what the hardware holds, if known */

	if (old->l_md.md_tf != NULL) {
		fpu_switch_out(ci, old);
		if (old->l_stat != LSZOMB) {
			segs_save(&old->l_md.md_segs);
			hw = &old->l_md.md_segs;
		}
	}
	if (new->l_md.md_tf != NULL) {
		fpu_switch_in(ci, new->l_md.md_fpucur);
		segs_load(&new->l_md.md_segs, hw);
		/* The stack above its user frame: a guest's is lower. */
		cpu_set_kstack(ci, (uint64_t)(new->l_md.md_tf + 1));
		ci->ci_syscall_limit = cpu_syscall_limit(new->l_md.md_flags);
	}
	ci->ci_curlwp = new;
	return cpu_switch_stack(old, new, &old->l_md.md_rsp, new->l_md.md_rsp);
}

void
cpu_exec_setregs(struct lwp *l, vaddr_t entry, vaddr_t sp)
{
	struct trapframe *tf = l->l_md.md_tf;

	KASSERT(l == curlwp);
	CPU_FRAME_WHOLE(l);
	cpu_lwp_entry_frame(tf, entry, 0, sp);
	cpu_fpu_reset(l);
	cpu_set_fsbase(l, 0);
	cpu_set_gsbase(l, 0);
	/* Every register must start at zero, rcx and r11 included. */
	l->l_md.md_flags |= MDL_IRET;
}

void
cpu_fork_frame(struct trapframe *child, const struct trapframe *parent)
{
	CPU_FRAME_WHOLE(curlwp);
	*child = *parent;
	child->tf_rax = 0;
}

void
cpu_frame_set_sp(struct trapframe *tf, vaddr_t sp)
{
	tf->tf_rsp = sp;
}

void
cpu_lwp_entry_frame(struct trapframe *tf, vaddr_t func, vaddr_t arg, vaddr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = func;
	tf->tf_rdi = arg;
	tf->tf_rsp = sp;
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
	tf->tf_rflags = PSL_USER_DEFAULT;
	tf->tf_trapno = T_SYSCALL;
}
