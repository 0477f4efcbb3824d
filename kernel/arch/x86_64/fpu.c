/*
 * The FPU state of user contexts: the x87, SSE and AVX registers (and
 * AVX-512's where the CPU has them), kept per context and switched
 * lazily.
 *
 * Format.  A CPU with XSAVE (CPUID.1:ECX.XSAVE) gets CR4.OSXSAVE and XCR0
 * = fpu_xcr0: x87, SSE, AVX when present, and the three AVX-512
 * components when all three are (MPX and PKRU stay off: their state
 * would need handling of its own).  A saved image is then an XSAVE area
 * in the standard format, fpu_area_size bytes (CPUID 0xD.0:EBX with that
 * XCR0), saved with XSAVEOPT where the CPU has it (CPUID 0xD.1:EAX bit 0)
 * and XSAVE otherwise, loaded with XRSTOR; without XSAVE it is the
 * 512-byte FXSAVE image.  Signal frames carry the same image
 * (sig_machdep.c).
 *
 * Contexts.  A struct fpu_ctx holds one user context's image: each LWP
 * has its own (md_fpu, in the LWP's allocation: cpu_lwp_init), and an LWP
 * running vmspace guests one per guest (vm_vmspace.c).  md_fpucur names
 * the one the LWP's user mode runs with.
 *
 * Lazy switching.  Per CPU:
 *   - ci_fpu_owner is the context whose state the registers hold, to be
 *     trusted only if its fc_cpu names this CPU (a context loaded
 *     elsewhere since has a newer image);
 *   - ci_fpu_live is true exactly while CR0.TS is clear.  Then the
 *     registers hold ci_fpu_owner's state, and while a user LWP runs
 *     that is its md_fpucur, whose state may be newer than its image.
 *     While TS is set, every FPU instruction raises #NM, and every
 *     context's image is current, except when ci_fpu_unsaved:
 *   - ci_fpu_unsaved is true while TS is set over ci_fpu_owner's state,
 *     which its image lacks.  cpu_fpu_ctx_enter leaves a controller's
 *     live state so while its guest runs, so that a guest that never
 *     touches the FPU costs its round trip two CR0 writes and no save or
 *     load: cpu_fpu_ctx_leave takes the registers back as they are.  The
 *     owner is then the running LWP's own context (md_fpu); whatever
 *     makes the registers another context's first saves it there
 *     (fpu_load, fpu_claim), and so does a switch away (fpu_switch_out).
 * A switch away from a user context (cpu_switchto, cpu_fpu_ctx_enter and
 * _leave) saves the registers to its image if they are live, and only
 * then.  The context that comes next gets TS set, and its first FPU
 * instruction traps (fpu_trap), which loads its image unless the
 * registers still hold it.  A context that was live when last switched
 * away from (fc_used) will likely use the FPU again: it is loaded at the
 * switch and TS cleared, sparing the trap; fc_used counts such switches
 * in a row and wraps to 0 after 255, so a context that stopped using the
 * FPU goes back to trapping.  So an LWP that does not touch the FPU
 * costs a switch nothing, and one that comes back to a CPU where no one
 * else used the FPU is not loaded again.
 *
 * SMP.  An LWP's state is saved on the CPU it leaves, in cpu_switchto,
 * before the scheduler clears l_running with a release store; a CPU that
 * runs it next (a wake-up elsewhere, work stealing, affinity) has read
 * l_running (acquire) and so loads the saved image.  No state lives only
 * in the registers of a CPU its LWP is not on, no CPU touches another's
 * ci_fpu_*, and a context that ran elsewhere since has another fc_cpu,
 * so a CPU never takes stale registers for it.  An image written by
 * software (a new LWP's, a copy) belongs to a context that is in no
 * CPU's registers; a freed context may stay a CPU's ci_fpu_owner, but
 * one made at the same address starts with fc_cpu = -1.
 *
 * The kernel never uses the FPU (-mgeneral-regs-only).  Its own FPU
 * instructions, here, run with TS clear: after fpu_activate or
 * fpu_claim, or in cpu_switchto.  Those on user memory (signal frames) may fault; when
 * the fault sleeps, the LWP may come back with TS set, and the retried
 * instruction raises #NM in the kernel, which trap_kernel sends to
 * fpu_trap because the instruction is in the exception table.  No
 * interrupt handler touches the FPU or ci_fpu_*, and LWPs switch only at
 * explicit points, so none of this masks interrupts outside cpu_switchto.
 *
 * Lazy loading is the scheme that LazyFP (CVE-2018-3665) attacks: on the
 * Intel CPUs it affects, code running with TS set can read the previous
 * owner's registers speculatively.  QEMU's TCG does not speculate; a
 * port to such hardware would load (fpu_load) at every switch-in of a
 * user context, as Linux has done since.
 */
#include <systm.h>
#include <errno.h>
#include <witness.h>
#include <vm/kmem.h>
#include <vm/vm.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/fpu.h>
#include <arch/pcb.h>
#include <proc/proc.h>
#include <asm/sigcontext.h>

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID_D1_EAX_XSAVEOPT (1u << 0)

uint64_t fpu_xcr0;
uint32_t fpu_area_size = FPU_LEGACY_SIZE;
uint32_t fpu_mxcsr_mask;

/* The instruction that saves an image at a switch. */
static enum {
	FPU_FXSAVE,
	FPU_XSAVE,
	FPU_XSAVEOPT,
} fpu_save_insn;

/*
 * A fresh program's image: FCW 0x37f, MXCSR 0x1f80, the rest 0.  As an
 * XSAVE image its header (XSTATE_BV 0) puts every component in its
 * initial state, so XRSTOR reads nothing past it.
 */
static const uint8_t
    fpu_init_image[FPU_LEGACY_SIZE + FPU_HEADER_SIZE] __aligned(64) = {
	    [0] = 0x7f,
	    [1] = 0x03,
	    [FPU_MXCSR] = FPU_MXCSR_DEFAULT & 0xff,
	    [FPU_MXCSR + 1] = FPU_MXCSR_DEFAULT >> 8,
    };

CTASSERT(offsetof(struct fpu_ctx, fc_area) == 64);

static void fpu_sigframe_init(void);

void
fpu_identify(void)
{
	uint32_t r[4];
	uint64_t supported;

	cpuid_count(0, 0, r);
	if (r[0] < 0xd)
		return;
	cpuid_count(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE))
		return;
	cpuid_count(0xd, 0, r);
	supported = ((uint64_t)r[3] << 32) | r[0];
	if ((supported & (XFEATURE_X87 | XFEATURE_SSE)) !=
	    (XFEATURE_X87 | XFEATURE_SSE))
		return;
	fpu_xcr0 = supported & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM);
	if ((fpu_xcr0 & XFEATURE_YMM) &&
	    (supported & XFEATURE_AVX512) == XFEATURE_AVX512)
		fpu_xcr0 |= XFEATURE_AVX512;
	cpuid_count(0xd, 1, r);
	fpu_save_insn =
	    (r[0] & CPUID_D1_EAX_XSAVEOPT) ? FPU_XSAVEOPT : FPU_XSAVE;
}

void
fpu_cpu_init(void)
{
	if (fpu_xcr0 != 0) {
		KASSERT(rcr4() & CR4_OSXSAVE);
		xsetbv(0, fpu_xcr0);
	}
	/* No context is live yet: the first FPU instruction traps. */
	lcr0(rcr0() | CR0_TS);
}

void
fpu_startup(void)
{
	uint8_t area[FPU_LEGACY_SIZE] __aligned(16);
	uint32_t r[4], mask;

	if (fpu_xcr0 != 0) {
		/* EBX: the size for the components XCR0 now enables. */
		cpuid_count(0xd, 0, r);
		fpu_area_size = r[1];
		KASSERT(fpu_area_size >= FPU_LEGACY_SIZE + FPU_HEADER_SIZE);
	}
	memset(area, 0, sizeof(area));
	clts();
	__asm__ volatile("fxsave64 %0" : "=m"(area));
	lcr0(rcr0() | CR0_TS);
	mask = *(uint32_t *)(area + FPU_MXCSR + 4); /* MXCSR_MASK */
	fpu_mxcsr_mask = mask != 0 ? mask : 0xffbf;
	fpu_sigframe_init();
}

/* Fill area with a fresh program's image. */
static void
fpu_init_area(void *area)
{
	memcpy(area, fpu_init_image,
	    fpu_xcr0 != 0 ? sizeof(fpu_init_image) : FPU_LEGACY_SIZE);
}

/*
 * The register-level operations.  XSAVE's requested-feature bitmap is
 * edx:eax ANDed with XCR0; all ones asks for every enabled component.
 */
static inline void
fpu_save_image(void *area)
{
	switch (fpu_save_insn) {
	case FPU_XSAVEOPT:
		__asm__ volatile("xsaveopt64 (%0)"
				 :
				 : "r"(area), "a"(-1), "d"(-1)
				 : "memory");
		break;
	case FPU_XSAVE:
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"(-1), "d"(-1)
				 : "memory");
		break;
	case FPU_FXSAVE:
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
		break;
	}
}

/*
 * Save with XSAVE (never XSAVEOPT: its optimizations may leave parts of
 * an image it did not load unwritten), for copies of the state.
 */
static inline void
fpu_save_full(void *area)
{
	if (fpu_xcr0 != 0)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"(-1), "d"(-1)
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void
fpu_load_image(const void *area)
{
	if (fpu_xcr0 != 0)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"(-1), "d"(-1)
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

/*
 * The registers hold ci_fpu_owner's unsaved state (ci_fpu_unsaved) and
 * are about to become another context's: save it to its image.  TS is
 * clear.
 */
static void
fpu_unsaved_flush(struct cpu_info *ci)
{
	struct fpu_ctx *owner = ci->ci_fpu_owner;

	KASSERT(ci->ci_fpu_unsaved && ci->ci_fpu_live && owner != NULL &&
	    owner->fc_cpu == (int)ci->ci_index);
	fpu_save_image(owner->fc_area);
	owner->fc_used++; /* it was live when its LWP entered the guest */
	ci->ci_fpu_unsaved = false;
}

/*
 * Make fc's state live in this CPU's registers: load its image unless
 * they still hold it, and clear TS.  Whatever was live before has been
 * saved (a switch-in), was fc itself, or is unsaved and saved here.
 */
void
fpu_load(struct cpu_info *ci, struct fpu_ctx *fc)
{
	fpu_ts_clear(ci);
	if (ci->ci_fpu_owner != fc || fc->fc_cpu != (int)ci->ci_index) {
		if (__predict_false(ci->ci_fpu_unsaved))
			fpu_unsaved_flush(ci);
		fpu_load_image(fc->fc_area);
		ci->ci_fpu_owner = fc;
		fc->fc_cpu = (int)ci->ci_index;
	}
	ci->ci_fpu_unsaved = false;
}

/*
 * The running user LWP l's state is needed in the registers (a save, a
 * copy): load it unless it is live.  While it is live, ci_fpu_owner is
 * l's md_fpucur (the invariant above).
 */
static inline void
fpu_activate(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	if (__predict_false(!ci->ci_fpu_live))
		fpu_load(ci, l->l_md.md_fpucur);
}

/* fpu_claim's work when the registers are not live. */
static void
fpu_claim_slow(struct cpu_info *ci, struct fpu_ctx *fc)
{
	KASSERT(fc != NULL);
	fpu_ts_clear(ci);
	if (__predict_false(ci->ci_fpu_unsaved) && ci->ci_fpu_owner != fc)
		fpu_unsaved_flush(ci);
	ci->ci_fpu_unsaved = false;
	ci->ci_fpu_owner = fc;
	fc->fc_cpu = (int)ci->ci_index;
}

/*
 * The running user LWP l's registers are about to be replaced whole (a
 * reset, a signal frame's image): make its context their owner, live,
 * without loading its image.
 */
static inline void
fpu_claim(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	if (__predict_false(!ci->ci_fpu_live))
		fpu_claim_slow(ci, l->l_md.md_fpucur);
}

/* The running user LWP l gets a fresh program's registers. */
static inline void
fpu_reset(struct lwp *l)
{
	fpu_claim(l);
	fpu_load_image(fpu_init_image);
}

void
fpu_save_live(struct cpu_info *ci, struct lwp *old)
{
	struct fpu_ctx *fc = old->l_md.md_fpucur;

	KASSERT(ci->ci_fpu_live && ci->ci_fpu_owner == fc);
	if (old->l_stat == LSZOMB) {
		/* Its state dies with it: the registers are no one's. */
		ci->ci_fpu_owner = NULL;
		return;
	}
	fpu_save_image(fc->fc_area);
	fc->fc_used++;
}

void
fpu_save_unsaved(struct cpu_info *ci, struct lwp *old)
{
	KASSERT(!ci->ci_fpu_live && ci->ci_fpu_unsaved &&
	    ci->ci_fpu_owner == old->l_md.md_fpu);
	if (old->l_stat == LSZOMB) {
		ci->ci_fpu_unsaved = false;
		ci->ci_fpu_owner = NULL;
		return;
	}
	fpu_ts_clear(ci);
	fpu_unsaved_flush(ci);
	fpu_ts_set(ci);
}

bool
fpu_trap(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	if (l->l_md.md_tf == NULL || l->l_md.md_fpucur == NULL ||
	    ci->ci_fpu_live)
		return false;
	fpu_load(ci, l->l_md.md_fpucur);
	return true;
}

struct fpu_ctx *
cpu_fpu_ctx_alloc(void)
{
	struct fpu_ctx *fc;

	fc = kmalloc(offsetof(struct fpu_ctx, fc_area) + fpu_area_size, 0);
	if (fc == NULL)
		return NULL;
	/* kmalloc aligns an object to its power-of-two size class. */
	KASSERT(((uintptr_t)fc->fc_area & 63) == 0);
	fc->fc_cpu = -1;
	fc->fc_used = 0;
	fpu_init_area(fc->fc_area);
	return fc;
}

void
cpu_fpu_ctx_free(struct fpu_ctx *fc)
{
	if (fc != NULL)
		kfree(fc);
}

/* Where an LWP's own context lies: after struct lwp, 64-aligned. */
#define FPU_LWP_CTX_OFFSET roundup(sizeof(struct lwp), 64)

size_t
cpu_lwp_size(void)
{
	return FPU_LWP_CTX_OFFSET + offsetof(struct fpu_ctx, fc_area) +
	    fpu_area_size;
}

void
cpu_lwp_init(struct lwp *l)
{
	struct fpu_ctx *fc = (struct fpu_ctx *)((char *)l + FPU_LWP_CTX_OFFSET);

	/* kmalloc aligns an object to its power-of-two size class. */
	KASSERT(((uintptr_t)fc->fc_area & 63) == 0);
	fc->fc_cpu = -1;
	fc->fc_used = 0;
	l->l_md.md_fpu = fc;
	l->l_md.md_fpucur = fc;
}

/*
 * The FPU half of cpu_lwp_setup: l's own image becomes a fresh program's
 * (from NULL) or a copy of the running LWP from's state.
 */
void
fpu_lwp_setup(struct lwp *l, struct lwp *from)
{
	struct fpu_ctx *fc = l->l_md.md_fpu;

	KASSERT(l->l_md.md_fpucur == fc);
	if (from == NULL) {
		fpu_init_area(fc->fc_area);
		return;
	}
	/* XSAVE writes only XSTATE_BV of the header; XRSTOR checks the rest. */
	if (fpu_xcr0 != 0)
		memset(fc->fc_area + FPU_LEGACY_SIZE, 0, FPU_HEADER_SIZE);
	KASSERT(from == curlwp);
	fpu_activate(from);
	fpu_save_full(fc->fc_area);
}

void
cpu_fpu_ctx_copy(struct lwp *l, const struct fpu_ctx *from)
{
	struct fpu_ctx *fc = l->l_md.md_fpu;

	KASSERT(l->l_stat == LSIDL && from != curlwp->l_md.md_fpucur);
	memcpy(fc->fc_area, from->fc_area, fpu_area_size);
	fc->fc_cpu = -1;
}

void
fpu_ctx_switch_slow(struct cpu_info *ci, struct lwp *l, struct fpu_ctx *fc)
{
	KASSERT(l == ci->ci_curlwp && fc != NULL);
	if (ci->ci_fpu_live)
		fpu_save_live(ci, l);
	l->l_md.md_fpucur = fc;
	fpu_switch_in(ci, fc);
}

void
cpu_fpu_reset(struct lwp *l)
{
	KASSERT(l == curlwp);
	fpu_reset(l);
}

/*
 * Signal frames (Linux's layout; sig_machdep.c places the area).  The
 * image goes straight between the registers and user memory, as Linux
 * does, and so do the few words around it: the frame costs no copy
 * through the kernel.  Every access to user memory is an instruction in
 * the exception table: a page fault the VM resolves is retried
 * (trap_kernel), and one it cannot, or XRSTOR's and FXRSTOR's #GP on an
 * image they refuse, resumes at the fixup with -EFAULT.
 *
 * With XSAVE the area is the image (fpu_area_size bytes), with struct
 * _fpx_sw_bytes in its bytes 464..511, which the CPU never writes
 * (magic1 FP_XSTATE_MAGIC1, the sizes, the components), a header whose
 * XSTATE_BV marks every component present (XSAVE, unlike XSAVEOPT,
 * writes each whole) and FP_XSTATE_MAGIC2 right after it.  Without
 * XSAVE it is the 512-byte FXSAVE image, its bytes 464..511 zero.
 */

/* The area's size, and bytes 464..575 of its XSAVE image (fpu_startup). */
static uint32_t fpu_sigframe_bytes = FPU_LEGACY_SIZE;
static struct {
	struct _fpx_sw_bytes sw;
	uint64_t hdr[FPU_HEADER_SIZE / 8];
} fpu_sigframe_tail;
CTASSERT(sizeof(fpu_sigframe_tail) ==
    FPU_LEGACY_SIZE + FPU_HEADER_SIZE - FPU_SW_BYTES);

static void
fpu_sigframe_init(void)
{
	fpu_sigframe_bytes = fpu_xcr0 != 0 ?
	    fpu_area_size + FP_XSTATE_MAGIC2_SIZE :
	    FPU_LEGACY_SIZE;
	fpu_sigframe_tail.sw.magic1 = FP_XSTATE_MAGIC1;
	fpu_sigframe_tail.sw.extended_size =
	    fpu_area_size + FP_XSTATE_MAGIC2_SIZE;
	fpu_sigframe_tail.sw.xfeatures = fpu_xcr0;
	fpu_sigframe_tail.sw.xstate_size = fpu_area_size;
	fpu_sigframe_tail.hdr[0] = fpu_xcr0; /* XSTATE_BV */
}

size_t
fpu_sigframe_size(void)
{
	return fpu_sigframe_bytes;
}

/* Whether [u, u + fpu_sigframe_bytes) is user memory (user_range_ok). */
static inline bool
fpu_sigframe_range_ok(uint64_t u)
{
	return u < VM_MAX_USER_ADDRESS &&
	    fpu_sigframe_bytes <= VM_MAX_USER_ADDRESS - u;
}

/* Fixup and exception-table entry for the user access at label 1. */
#define FPU_USER_FIXUP                       \
	"2:\n"                               \
	".pushsection .text.fixup, \"ax\"\n" \
	"3:	movl %[efault], %[err]\n"        \
	"	jmp 2b\n"                          \
	".popsection\n"                      \
	".pushsection .extable, \"a\"\n"     \
	".balign 8\n"                        \
	".quad 1b, 3b\n"                     \
	".popsection"

/*
 * *v = the 8 (fpu_user_read64) or 4 (fpu_user_read32) bytes at the user
 * address u.  User access is open; err becomes -EFAULT on a fault.
 */
static inline uint64_t
fpu_user_read64(uint64_t u, int *err)
{
	uint64_t v = 0;

	__asm__ volatile("1:	movq (%[p]), %[v]\n" FPU_USER_FIXUP
			 : [v] "+r"(v), [err] "+r"(*err)
			 : [p] "r"(u), [efault] "i"(-EFAULT)
			 : "memory");
	return v;
}

static inline uint32_t
fpu_user_read32(uint64_t u, int *err)
{
	uint32_t v = 0;

	__asm__ volatile("1:	movl (%[p]), %[v]\n" FPU_USER_FIXUP
			 : [v] "+r"(v), [err] "+r"(*err)
			 : [p] "r"(u), [efault] "i"(-EFAULT)
			 : "memory");
	return v;
}

int
fpu_sigframe_save(struct lwp *l, uint64_t fp)
{
	uint64_t dst = fp + FPU_SW_BYTES, src, n;
	int err = 0;

	KASSERT((fp & 63) == 0);
	witness_user_access("fpu_sigframe_save", __builtin_return_address(0));
	if (!fpu_sigframe_range_ok(fp))
		return -EFAULT;
	fpu_activate(l);
	if (cpu_smap_enabled)
		stac();
	if (fpu_xcr0 != 0) {
		src = (uint64_t)&fpu_sigframe_tail;
		n = sizeof(fpu_sigframe_tail) / 8;
		__asm__ volatile("1:	xsave64 (%[p])\n" FPU_USER_FIXUP
				 : [err] "+r"(err)
				 : [p] "r"(fp), "a"(-1),
				 "d"(-1), [efault] "i"(-EFAULT)
				 : "memory");
		if (err == 0)
			__asm__ volatile("1:	rep movsq\n" FPU_USER_FIXUP
					 : [err] "+r"(err), "+D"(dst),
					 "+S"(src), "+c"(n)
					 : [efault] "i"(-EFAULT)
					 : "memory");
		if (err == 0)
			__asm__ volatile(
			    "1:	movl %[m], (%[p])\n" FPU_USER_FIXUP
			    : [err] "+r"(err)
			    : [p] "r"(fp + fpu_area_size),
			    [m] "i"(FP_XSTATE_MAGIC2), [efault] "i"(-EFAULT)
			    : "memory");
	} else {
		n = sizeof(fpu_sigframe_tail.sw) / 8;
		__asm__ volatile("1:	fxsave64 (%[p])\n" FPU_USER_FIXUP
				 : [err] "+r"(err)
				 : [p] "r"(fp), [efault] "i"(-EFAULT)
				 : "memory");
		if (err == 0)
			__asm__ volatile("1:	rep stosq\n" FPU_USER_FIXUP
					 : [err] "+r"(err), "+D"(dst), "+c"(n)
					 : "a"(0), [efault] "i"(-EFAULT)
					 : "memory");
	}
	if (cpu_smap_enabled)
		clac();
	/* The handler starts with a fresh program's registers. */
	if (err == 0)
		fpu_reset(l);
	return err;
}

int
fpu_sigframe_restore(struct lwp *l, uint64_t ufp)
{
	uint64_t w, xfeatures = 0, init;
	uint32_t xsize, mxcsr;
	bool xstate = false;
	int err = 0;

	witness_user_access("fpu_sigframe_restore",
	    __builtin_return_address(0));
	if (ufp == 0) {
		fpu_reset(l);
		return 0;
	}
	if (!fpu_sigframe_range_ok(ufp) || (ufp & 15) != 0)
		return -EFAULT;
	if (cpu_smap_enabled)
		stac();
	if (fpu_xcr0 != 0) {
		/* Linux's check_xstate_in_sigframe. */
		w = fpu_user_read64(ufp + FPU_SW_BYTES, &err);
		xfeatures = fpu_user_read64(ufp + FPU_SW_BYTES + 8, &err);
		xsize =
		    (uint32_t)fpu_user_read64(ufp + FPU_SW_BYTES + 16, &err);
		if (err == 0 && (uint32_t)w == FP_XSTATE_MAGIC1 &&
		    xsize >= FPU_LEGACY_SIZE + FPU_HEADER_SIZE &&
		    xsize <= fpu_area_size && xsize <= (w >> 32))
			xstate = fpu_user_read32(ufp + xsize, &err) ==
			    FP_XSTATE_MAGIC2;
		if (xstate && (ufp & 63) != 0)
			err = -EFAULT; /* XRSTOR's alignment */
		xfeatures &= fpu_xcr0;
	}
	if (err == 0) {
		fpu_claim(l);
		/* clang-format formats these two ways, so it is kept out. */
		/* clang-format off */
		if (xstate)
			__asm__ volatile(
			    "1:	xrstor64 (%[p])\n" FPU_USER_FIXUP
			    : [err] "+r"(err)
			    : [p] "r"(ufp), "a"((uint32_t)xfeatures),
			    "d"((uint32_t)(xfeatures >> 32)),
			    [efault] "i"(-EFAULT)
			    : "memory");
		else
			__asm__ volatile(
			    "1:	fxrstor64 (%[p])\n" FPU_USER_FIXUP
			    : [err] "+r"(err)
			    : [p] "r"(ufp), [efault] "i"(-EFAULT)
			    : "memory");
		/* clang-format on */
	}
	if (cpu_smap_enabled)
		clac();
	if (err == 0) {
		/* What the image leaves out starts fresh. */
		init = fpu_xcr0 &
		    ~(xstate ? xfeatures : XFEATURE_X87 | XFEATURE_SSE);
		if (init != 0)
			__asm__ volatile("xrstor64 (%0)"
					 :
					 : "r"(fpu_init_image),
					 "a"((uint32_t)init),
					 "d"((uint32_t)(init >> 32))
					 : "memory");
		/*
		 * Reserved MXCSR bits fault in XRSTOR and FXRSTOR on
		 * hardware, but QEMU's TCG loads them: refuse them here too.
		 */
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		if ((mxcsr & ~fpu_mxcsr_mask) != 0)
			err = -EFAULT;
	}
	if (err != 0)
		fpu_reset(l); /* a fault that slept may have set TS */
	return err;
}
