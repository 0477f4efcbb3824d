/*
 * Sleeping mutexes (see <mutex.h>).
 *
 * The owner word (mtx_owner) is the holding LWP's address, or 0 when the
 * mutex is free, with MTX_WAITERS set while an LWP sleeps (or is about
 * to) in mutex_lock.  Uncontended, taking and releasing are one
 * compare-and-swap each and touch nothing else.  A contender takes the
 * interlock, sets MTX_WAITERS in the word (so that the holder's release
 * fails its compare-and-swap and takes the slow path) and sleeps under
 * the interlock; a release that finds MTX_WAITERS clears the word and
 * wakes the sleepers under the interlock, so no wakeup is lost.  Every
 * waiter is woken and they race again (a new locker may win): simple,
 * and fair enough for the short sections mutexes guard here.
 *
 * Locking: mtx_waiters is guarded by the interlock; MTX_WAITERS is set
 * only under it, and cleared only by a release under it.
 */
#include <systm.h>
#include <mutex.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/sched.h>

void
mutex_init(struct mutex *m, const char *name)
{
	spinlock_init(&m->mtx_interlock, name);
	m->mtx_interlock.sl_wflags = WITNESS_SKIP;
	m->mtx_owner = 0;
	m->mtx_waiters = 0;
	m->mtx_wclass = 0;
	m->mtx_name = name;
}

/*
 * Take m for self, which found it held (or lost a race for it): sleep
 * until it is free and this LWP wins it.  No locks held.
 */
static __noinline void
mutex_lock_slow(struct mutex *m, uintptr_t self)
{
	uintptr_t v;

	spin_lock(&m->mtx_interlock);
	for (;;) {
		v = __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED);
		if (__predict_false((v & ~MTX_WAITERS) == self))
			panic("mutex_lock: %s already held by this LWP",
			    m->mtx_name);
		if (v == 0) {
			/* Others still to run after a wakeup keep the mark. */
			uintptr_t mine =
			    self | (m->mtx_waiters != 0 ? MTX_WAITERS : 0);

			if (__atomic_compare_exchange_n(&m->mtx_owner, &v, mine,
				false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				break;
			continue; /* a fast locker won it */
		}
		if ((v & MTX_WAITERS) == 0 &&
		    !__atomic_compare_exchange_n(&m->mtx_owner, &v,
			v | MTX_WAITERS, false, __ATOMIC_RELAXED,
			__ATOMIC_RELAXED))
			continue; /* released or taken meanwhile */
		m->mtx_waiters++;
		sleep(m, &m->mtx_interlock, 0, 0);
		m->mtx_waiters--;
	}
	spin_unlock(&m->mtx_interlock);
}

void
mutex_lock(struct mutex *m)
{
	uintptr_t self = (uintptr_t)curlwp, free = 0;

#ifdef WITNESS
	if (witness_on)
		witness_mutex_lock(m, __builtin_return_address(0));
#endif
	KASSERT(curcpu()->ci_spin_depth == 0);
	KASSERT(curcpu()->ci_intr_depth == 0);
	if (!__atomic_compare_exchange_n(&m->mtx_owner, &free, self, false,
		__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		mutex_lock_slow(m, self);
#ifdef WITNESS
	if (witness_on)
		witness_mutex_locked(m, __builtin_return_address(0));
#endif
}

bool
mutex_trylock(struct mutex *m)
{
	uintptr_t free = 0;
	bool taken;

	KASSERT(curcpu()->ci_intr_depth == 0);
	/* A free word has no sleepers: a release wakes them all. */
	taken = __atomic_compare_exchange_n(&m->mtx_owner, &free,
	    (uintptr_t)curlwp, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
#ifdef WITNESS
	/* A trylock cannot deadlock: recorded as held, no order checked. */
	if (taken && witness_on)
		witness_mutex_locked(m, __builtin_return_address(0));
#endif
	return taken;
}

void
mutex_unlock(struct mutex *m)
{
	uintptr_t self = (uintptr_t)curlwp;

#ifdef WITNESS
	if (witness_on)
		witness_mutex_unlock(m);
#endif
	KASSERT(mutex_held(m));
	if (__atomic_compare_exchange_n(&m->mtx_owner, &self, 0, false,
		__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	/* MTX_WAITERS: wake the sleepers, under the interlock. */
	spin_lock(&m->mtx_interlock);
	__atomic_store_n(&m->mtx_owner, 0, __ATOMIC_RELEASE);
	if (m->mtx_waiters != 0)
		wakeup(m);
	spin_unlock(&m->mtx_interlock);
}
