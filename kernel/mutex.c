/*
 * Sleeping mutexes (see <mutex.h>).
 *
 * The interlock orders a release against a waiter going to sleep: a
 * waiter checks the owner and goes to sleep under it (sleep drops it
 * only once the LWP is on the sleep queue), and mutex_unlock clears the
 * owner and wakes waiters under it, so no wakeup is lost.  Every waiter
 * is woken and they race again: simple, and fair enough for the short
 * sections mutexes guard here.
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
	m->mtx_owner = NULL;
	m->mtx_waiters = 0;
	m->mtx_wclass = 0;
	m->mtx_name = name;
}

void
mutex_lock(struct mutex *m)
{
	struct lwp *l = curlwp;

#ifdef WITNESS
	if (witness_on)
		witness_mutex_lock(m, __builtin_return_address(0));
#endif
	KASSERT(curcpu()->ci_spin_depth == 0);
	KASSERT(curcpu()->ci_intr_depth == 0);
	spin_lock(&m->mtx_interlock);
	if (__predict_false(m->mtx_owner == l))
		panic("mutex_lock: %s already held by this LWP", m->mtx_name);
	while (m->mtx_owner != NULL) {
		m->mtx_waiters++;
		sleep(m, &m->mtx_interlock, 0, 0);
		m->mtx_waiters--;
	}
	m->mtx_owner = l;
	spin_unlock(&m->mtx_interlock);
#ifdef WITNESS
	if (witness_on)
		witness_mutex_locked(m, __builtin_return_address(0));
#endif
}

bool
mutex_trylock(struct mutex *m)
{
	bool taken = false;

	KASSERT(curcpu()->ci_intr_depth == 0);
	spin_lock(&m->mtx_interlock);
	if (m->mtx_owner == NULL) {
		m->mtx_owner = curlwp;
		taken = true;
	}
	spin_unlock(&m->mtx_interlock);
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
#ifdef WITNESS
	if (witness_on)
		witness_mutex_unlock(m);
#endif
	spin_lock(&m->mtx_interlock);
	KASSERT(m->mtx_owner == curlwp);
	m->mtx_owner = NULL;
	if (m->mtx_waiters != 0)
		wakeup(m);
	spin_unlock(&m->mtx_interlock);
}

bool
mutex_held(const struct mutex *m)
{
	return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) == curlwp;
}
