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

/*
 * Wait for sl, which another CPU holds, and take it.  The holder may be
 * waiting for this CPU to answer an IPI (a TLB shootdown): answer while
 * waiting.  Interrupts masked, spin depth already counted.
 */
void
spin_wait(struct spinlock *sl)
{
	if (__predict_false(sl->sl_owner == curcpu()))
		panic("spin_lock: %s already held by this CPU", sl->sl_name);
	do {
		while (__atomic_load_n(&sl->sl_locked, __ATOMIC_RELAXED) != 0) {
			ipi_poll();
			cpu_pause();
		}
	} while (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0);
}

/*
 * Take sl as a lock of subclass subclass of its class: the whole path,
 * with the lock checker's hook (spin_lock's when the checker is on, and
 * spin_lock_nested's).
 */
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
	if (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0)
		spin_wait(sl);
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

/*
 * spin_unlock's whole path: with the lock checker on, or for a lock this
 * CPU does not hold (which panics).
 */
void
spin_unlock_checked(struct spinlock *sl)
{
	KASSERT(spin_held(sl));
#ifdef WITNESS
	if (witness_on)
		witness_spin_release(sl);
#endif
	spin_release(sl);
}
