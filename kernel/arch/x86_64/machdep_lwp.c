/*
 * The machine-dependent half of LWPs (<arch/pcb.h>): kernel stacks laid
 * out for a first switch-in, the context switch, FPU/SSE state, user TLS
 * and the registers of a fresh program, a forked child or a new LWP.
 */
#include <systm.h>
#include <errno.h>
#include <vm/vm.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <arch/segments.h>
#include <proc/proc.h>

CTASSERT(offsetof(struct mdlwp, md_rsp) == MD_RSP);
CTASSERT(sizeof(struct trapframe) == TF_SIZE);
CTASSERT(offsetof(struct trapframe, tf_rip) == TF_RIP);
CTASSERT(offsetof(struct trapframe, tf_rsp) == TF_RSP);
CTASSERT(offsetof(struct trapframe, tf_trapno) == TF_TRAPNO);

#define PSL_USER_DEFAULT (PSL_I | 0x2) /* bit 1 always reads as one */

extern char syscall_entry[], lwp_trampoline[];
struct lwp *cpu_switch_stack(struct lwp *old, struct lwp *new,
    uint64_t *oldrsp, uint64_t newrsp);

/* The FPU state of a new program: FCW 0x37f, MXCSR 0x1f80, all clear. */
static void
fpu_reset_area(uint8_t *area)
{
	memset(area, 0, 512);
	*(uint16_t *)(area + 0) = 0x037f;
	*(uint32_t *)(area + 24) = 0x1f80;
}

static inline void
fxsave(uint8_t *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void
fxrstor(const uint8_t *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void
cpu_syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSRET loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8. */
	wrmsr(MSR_STAR, ((uint64_t)GSEL(GUDATA_SEL - 1, SEL_UPL) << 48) |
	    ((uint64_t)KCSEL << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, PSL_I | PSL_T | PSL_D | PSL_IOPL | PSL_AC |
	    PSL_NT);
}

void
cpu_fpu_save(struct lwp *l)
{
	fxsave(l->l_md.md_fpu);
}

void
cpu_fpu_swap(void *save, const void *load)
{
	KASSERT(((uintptr_t)save & 15) == 0 && ((uintptr_t)load & 15) == 0);
	fxsave(save);
	fxrstor(load);
}

void
cpu_fpu_init_area(void *area)
{
	fpu_reset_area(area);
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
		if (fpu_from == curlwp)
			fxsave(((struct lwp *)fpu_from)->l_md.md_fpu);
		memcpy(l->l_md.md_fpu, fpu_from->l_md.md_fpu, 512);
		l->l_md.md_fsbase = fpu_from->l_md.md_fsbase;
	} else {
		fpu_reset_area(l->l_md.md_fpu);
		l->l_md.md_fsbase = 0;
	}
}

struct lwp *
cpu_switchto(struct lwp *old, struct lwp *new)
{
	struct cpu_info *ci = curcpu();

	if (old->l_md.md_tf != NULL && old->l_stat != LSZOMB)
		fxsave(old->l_md.md_fpu);
	if (new->l_md.md_tf != NULL) {
		fxrstor(new->l_md.md_fpu);
		if (new->l_md.md_fsbase != old->l_md.md_fsbase ||
		    old->l_md.md_tf == NULL)
			wrmsr(MSR_FSBASE, new->l_md.md_fsbase);
		if (new->l_md.md_gsbase != old->l_md.md_gsbase)
			wrmsr(MSR_KERNELGSBASE, new->l_md.md_gsbase);
		ci->ci_rsp0 = new->l_kstack;
		ci->ci_tss.tss_rsp0 = new->l_kstack;
	}
	ci->ci_curlwp = new;
	return cpu_switch_stack(old, new, &old->l_md.md_rsp, new->l_md.md_rsp);
}

void
cpu_exec_setregs(struct lwp *l, vaddr_t entry, vaddr_t sp)
{
	struct trapframe *tf = l->l_md.md_tf;

	KASSERT(l == curlwp);
	cpu_lwp_entry_frame(tf, entry, 0, sp);
	fpu_reset_area(l->l_md.md_fpu);
	fxrstor(l->l_md.md_fpu);
	cpu_set_fsbase(l, 0);
	/* Every register must start at zero, rcx and r11 included. */
	l->l_md.md_flags |= MDL_IRET;
}

void
cpu_fork_frame(struct trapframe *child, const struct trapframe *parent)
{
	*child = *parent;
	child->tf_rax = 0;
}

void
cpu_lwp_entry_frame(struct trapframe *tf, vaddr_t func, vaddr_t arg,
    vaddr_t sp)
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

void
cpu_set_fsbase(struct lwp *l, uint64_t base)
{
	l->l_md.md_fsbase = base;
	if (l == curlwp)
		wrmsr(MSR_FSBASE, base);
}

void
cpu_set_gsbase(struct lwp *l, uint64_t base)
{
	l->l_md.md_gsbase = base;
	if (l == curlwp)
		wrmsr(MSR_KERNELGSBASE, base); /* swapgs makes it GS on return */
}

/* Flags a user frame may set (DragonFly's PSL_USERCHANGE). */
#define PSL_USERCHANGE (PSL_C | PSL_PF | PSL_AF | PSL_Z | PSL_N | PSL_T | \
	PSL_D | PSL_V | PSL_RF | PSL_AC)

int
cpu_sanitize_frame(struct trapframe *tf)
{
	tf->tf_cs = UCSEL;
	tf->tf_ss = UDSEL;
	tf->tf_rflags = (tf->tf_rflags & PSL_USERCHANGE) | PSL_USER_DEFAULT;
	if (tf->tf_rip >= VM_MAX_USER_ADDRESS || tf->tf_rsp >= VM_MAX_USER_ADDRESS)
		return -EINVAL;
	return 0;
}

bool
cpu_tls_base_ok(uint64_t base)
{
	return base < VM_MAX_USER_ADDRESS;
}

void
cpu_frame_replaced(struct lwp *l)
{
	l->l_md.md_flags |= MDL_IRET;
}
