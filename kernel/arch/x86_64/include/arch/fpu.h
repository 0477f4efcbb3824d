/*
 * The FPU state of user contexts (fpu.c): the interface inside arch/.
 * Generic code sees only <arch/pcb.h>'s cpu_lwp_size, cpu_lwp_init and
 * cpu_fpu_* calls; fpu.c's head comment explains the design.
 */
#ifndef _ARCH_FPU_H_
#define _ARCH_FPU_H_

#include <types.h>
#include <arch/cpu.h>
#include <proc/proc.h>

struct lwp;

#define FPU_LEGACY_SIZE 512 /* the FXSAVE image, XSAVE's legacy region */
#define FPU_HEADER_SIZE 64  /* the XSAVE header that follows it */
#define FPU_XSTATE_BV 512   /* offset of XSTATE_BV in an XSAVE image */
#define FPU_SW_BYTES 464    /* bytes 464..511: never written by the CPU */
#define FPU_MXCSR 24        /* offset of MXCSR in both formats */
#define FPU_MXCSR_DEFAULT 0x1f80

/*
 * One user context's FPU state: an LWP's own (md_fpu) or a vmspace
 * guest's.  Fields belong to the LWP that runs with the context (its
 * md_fpucur, or the owner of md_fpu) and are touched by the CPU it runs
 * on; a CPU that takes the LWP over sees them through the scheduler's
 * locks (fpu.c, "SMP").
 */
struct fpu_ctx {
	/*
	 * The CPU whose registers hold this state, if that CPU's
	 * ci_fpu_owner is this context; else meaningless (-1: none yet).
	 */
	int fc_cpu;
	/*
	 * Switches away in a row at which the state was live (in use since
	 * the LWP came on the CPU); wraps to 0 after 255.  Not 0: load the
	 * state when the context comes back, without waiting for #NM.
	 */
	uint8_t fc_used;
	/* The saved image, fpu_area_size bytes (XSAVE or FXSAVE format). */
	uint8_t fc_area[] __aligned(64);
};

/* Set once by fpu_identify and fpu_startup on the boot CPU. */
extern uint64_t fpu_xcr0;       /* XCR0: components saved; 0 without XSAVE */
extern uint32_t fpu_area_size;  /* bytes of a saved image */
extern uint32_t fpu_mxcsr_mask; /* the MXCSR bits the CPU accepts */

/*
 * Boot: fpu_identify reads CPUID (boot CPU, before cpu_setregs);
 * fpu_cpu_init, run by cpu_setregs on every CPU after CR4 (with
 * CR4_OSXSAVE if fpu_xcr0 != 0) is set, loads XCR0 and sets CR0.TS;
 * fpu_startup then sizes the images (boot CPU, once).
 */
void fpu_identify(void);
void fpu_cpu_init(void);
void fpu_startup(void);

/*
 * The out-of-line halves of the switch below, on this CPU (ci):
 * fpu_save_live saves the live registers to old's md_fpucur (or, for a
 * zombie, only forgets them); fpu_save_unsaved does the same for the
 * state cpu_fpu_ctx_enter left in the registers under TS (old's own);
 * fpu_load makes fc live, loading its image unless the registers hold
 * it; fpu_ts_set sets TS.
 */
void fpu_save_live(struct cpu_info *ci, struct lwp *old);
void fpu_save_unsaved(struct cpu_info *ci, struct lwp *old);
void fpu_load(struct cpu_info *ci, struct fpu_ctx *fc);

static inline void
fpu_ts_set(struct cpu_info *ci)
{
	if (ci->ci_fpu_live) {
		lcr0(rcr0() | CR0_TS);
		ci->ci_fpu_live = false;
	}
}

/*
 * cpu_switchto's half for old, a user LWP leaving the CPU: if its state
 * is in the registers only (live, or unsaved under TS), save it (or
 * forget it, for a zombie).  Interrupts masked.
 */
static inline void
fpu_switch_out(struct cpu_info *ci, struct lwp *old)
{
	if (ci->ci_fpu_live)
		fpu_save_live(ci, old);
	else if (__predict_false(ci->ci_fpu_unsaved))
		fpu_save_unsaved(ci, old);
}

/*
 * Make fc the user context that runs next on this CPU (a user LWP
 * coming on, or a context switch inside one): a context that used the
 * FPU at its last switch-out gets its state loaded (unless the registers
 * hold it) and TS clear; any other gets TS set, so that its first FPU
 * instruction traps (fpu_trap).  The state that was live, if any, has
 * been saved.  No interrupt handler touches the FPU, so this needs no
 * masking; the caller does not switch LWPs meanwhile.
 */
static inline void
fpu_switch_in(struct cpu_info *ci, struct fpu_ctx *fc)
{
	if (fc->fc_used != 0)
		fpu_load(ci, fc);
	else if (ci->ci_fpu_live)
		fpu_ts_set(ci);
}

/* Clear TS.  The caller makes the registers some context's at once. */
static inline void
fpu_ts_clear(struct cpu_info *ci)
{
	if (!ci->ci_fpu_live) {
		clts();
		ci->ci_fpu_live = true;
	}
}

/*
 * The running LWP l switches its user mode to context fc: the slow path
 * of cpu_fpu_ctx_enter and _leave, when the registers are live or fc is
 * to be loaded at once (fpu.c).
 */
void fpu_ctx_switch_slow(struct cpu_info *ci, struct lwp *l,
    struct fpu_ctx *fc);

/*
 * The running LWP l's user mode runs with fc's FPU registers from now on
 * (vmspace_ctl entering a guest), or with its own again
 * (cpu_fpu_ctx_leave, when the guest traps back or l exits inside it).
 * The registers of the context left are kept in it.  l is curlwp; enter
 * requires l to be on its own context, leave accepts either.  Inline: on
 * every guest round trip.
 *
 * A guest context that was not in use at its last switch-out (fc_used
 * 0) runs with TS set, and the controller's state, if live, stays in the
 * registers unsaved (ci_fpu_unsaved): its first FPU instruction saves
 * and loads (fpu_trap), and a guest that never makes one costs a CR0
 * write here and one in cpu_fpu_ctx_leave.  A guest context in use is
 * loaded at once, the controller's state saved first.
 */
static inline void
cpu_fpu_ctx_enter(struct lwp *l, struct fpu_ctx *fc)
{
	struct cpu_info *ci = curcpu();

	KASSERT(l->l_md.md_fpucur == l->l_md.md_fpu && !ci->ci_fpu_unsaved);
	if (__predict_false(fc->fc_used != 0)) {
		fpu_ctx_switch_slow(ci, l, fc);
		return;
	}
	if (ci->ci_fpu_live) {
		fpu_ts_set(ci);
		ci->ci_fpu_unsaved = true;
	}
	l->l_md.md_fpucur = fc;
}

static inline void
cpu_fpu_ctx_leave(struct lwp *l)
{
	struct cpu_info *ci = curcpu();
	struct fpu_ctx *fc = l->l_md.md_fpu;

	if (ci->ci_fpu_unsaved) {
		/* The guest never touched the FPU: the registers are l's. */
		KASSERT(!ci->ci_fpu_live && ci->ci_fpu_owner == fc);
		ci->ci_fpu_unsaved = false;
		fpu_ts_clear(ci);
		l->l_md.md_fpucur = fc;
		return;
	}
	if (__predict_false(ci->ci_fpu_live || fc->fc_used != 0)) {
		if (l->l_md.md_fpucur != fc)
			fpu_ctx_switch_slow(ci, l, fc);
		return;
	}
	l->l_md.md_fpucur = fc;
}

/*
 * #NM: the running LWP l touched the FPU with TS set (from user mode, or
 * in the kernel at one of fpu.c's accesses to a user signal frame,
 * retried after a fault that slept).  Loads its state and clears TS.
 * Returns false if the trap is not the FPU's (l has no user context,
 * or TS was already clear).  No requirements.
 */
bool fpu_trap(struct lwp *l);

/*
 * The FPU state in a signal frame, in Linux's layout (fpu.c, "Signal
 * frames").  fpu_sigframe_size is its size; sig_machdep.c places it
 * 64-aligned.  fpu_sigframe_save writes l's registers there at fp and
 * gives l a fresh program's registers for the handler;
 * fpu_sigframe_restore loads them back from the area at ufp (the
 * frame's fpstate: an XSAVE area or a bare FXSAVE image, as Linux
 * tells them apart; 0: the fresh state).  l is curlwp.  Both return 0
 * or -EFAULT: a range outside user space, a fault the VM cannot
 * resolve, an area misaligned for its format or one the CPU refuses (a
 * bad XSAVE header, reserved MXCSR bits); after a failed restore the
 * registers hold a fresh program's state.  No locks held.
 */
size_t fpu_sigframe_size(void);
int fpu_sigframe_save(struct lwp *l, uint64_t fp);
int fpu_sigframe_restore(struct lwp *l, uint64_t ufp);

/*
 * The FPU half of cpu_lwp_setup: the new LWP l's own image becomes a
 * fresh program's (from NULL) or a copy of the running LWP from's state.
 */
void fpu_lwp_setup(struct lwp *l, struct lwp *from);

#endif /* !_ARCH_FPU_H_ */
