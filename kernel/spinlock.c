/*
 * Spinlocks that mask interrupts (see <spinlock.h>).
 */
#include <systm.h>
#include <spinlock.h>
#include <witness.h>
#include <arch/cpu.h>
#include <arch/ipi.h>

void
spinlock_init(struct spinlock *sl, const char *name)
{
	sl->sl_locked = 0;
	sl->sl_wclass = 0;
	sl->sl_wflags = 0;
	sl->sl_owner = NULL;
	sl->sl_name = name;
}

void
spin_intr_push(void)
{
	bool was = intr_disable();
	struct cpu_info *ci = curcpu();

	if (ci->ci_spin_depth++ == 0)
		ci->ci_spin_intr_enabled = was;
}

void
spin_intr_pop(void)
{
	struct cpu_info *ci = curcpu();

	KASSERT(!intr_enabled());
	KASSERT(ci->ci_spin_depth > 0);
	if (--ci->ci_spin_depth == 0 && ci->ci_spin_intr_enabled)
		sti();
}

/* Take sl as a lock of subclass subclass of its class (spin_lock_nested). */
static inline void
spin_lock_common(struct spinlock *sl, unsigned subclass)
{
	spin_intr_push();
	if (__predict_false(sl->sl_locked && sl->sl_owner == curcpu()))
		panic("spin_lock: %s already held by this CPU", sl->sl_name);
#ifdef WITNESS
	/* Before spinning, so an order that can deadlock is reported. */
	if (__predict_false(witness_on))
		witness_spin_acquire(sl, subclass);
#else
	(void)subclass;
#endif
	while (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0) {
		/*
		 * The holder may be waiting for this CPU to answer an IPI
		 * (a TLB shootdown): answer while waiting.
		 */
		while (__atomic_load_n(&sl->sl_locked, __ATOMIC_RELAXED) != 0) {
			ipi_poll();
			cpu_pause();
		}
	}
	sl->sl_owner = curcpu();
}

bool
spin_trylock(struct spinlock *sl)
{
	spin_intr_push();
	if (__atomic_load_n(&sl->sl_locked, __ATOMIC_RELAXED) == 0 &&
	    __atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) == 0) {
		sl->sl_owner = curcpu();
#ifdef WITNESS
		/* Held from here on; a try cannot deadlock: no order check. */
		if (__predict_false(witness_on))
			witness_spin_tried(sl);
#endif
		return true;
	}
	spin_intr_pop();
	return false;
}

void
spin_lock(struct spinlock *sl)
{
	spin_lock_common(sl, 0);
}

void
spin_lock_nested(struct spinlock *sl, unsigned subclass)
{
	spin_lock_common(sl, subclass);
}

/* The release itself: the end of spin_unlock. */
static inline void
spin_release(struct spinlock *sl)
{
	sl->sl_owner = NULL;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	spin_intr_pop();
}

#ifdef WITNESS
/*
 * spin_unlock with the lock checker on.  Out of line, so that without
 * the checker spin_unlock stays a leaf that needs no frame.
 */
static __attribute__((__noinline__)) void
spin_unlock_witness(struct spinlock *sl)
{
	witness_spin_release(sl);
	spin_release(sl);
}
#endif

void
spin_unlock(struct spinlock *sl)
{
	KASSERT(spin_held(sl));
#ifdef WITNESS
	if (__predict_false(witness_on)) {
		spin_unlock_witness(sl);
		return;
	}
#endif
	spin_release(sl);
}
