/*
 * Spinlocks.  Holding one masks interrupts on the holding CPU, so state
 * shared with interrupt handlers is safe under it; nesting is counted per
 * CPU, and interrupts come back on only when the outermost lock is
 * released (xv6's push_off/pop_off).  A spinlock is never held across a
 * sleep.
 */
#ifndef _SPINLOCK_H_
#define _SPINLOCK_H_

#include <types.h>

struct cpu_info;

struct spinlock {
	volatile uint32_t sl_locked;
	uint16_t sl_wclass;        /* witness class; 0: not yet taken */
	uint16_t sl_wflags;        /* WITNESS_SKIP or 0 */
	struct cpu_info *sl_owner; /* valid while locked */
	const char *sl_name;       /* also names the witness class */
};

#define SPINLOCK_INITIALIZER(name)                                  \
	{                                                           \
		.sl_locked = 0, .sl_owner = NULL, .sl_name = (name) \
	}

void spinlock_init(struct spinlock *sl, const char *name);

/*
 * Take sl while this CPU holds another lock of its class (the same
 * name), which the lock checker otherwise reports: each lock of the
 * class taken together gets a subclass, higher than those already held
 * (fork takes the parent's pmap, subclass 0, then the child's, 1).
 * Nesting is then safe only if every path takes the locks in an order
 * that all CPUs agree on, which the caller must ensure.
 */
void spin_lock_nested(struct spinlock *sl, unsigned subclass);

/* Take sl if it is free, without spinning.  Returns whether it did. */
bool spin_trylock(struct spinlock *sl);

#ifdef HOST_TEST
/* tests/host/hostcompat.c */
void spin_lock(struct spinlock *sl);
void spin_unlock(struct spinlock *sl);
bool spin_held(const struct spinlock *sl);
#else
#include <arch/cpu.h>

#ifdef WITNESS
extern bool witness_on;
#define SPIN_CHECKED() __predict_false(witness_on)
#else
#define SPIN_CHECKED() false
#endif

/* The out-of-line parts of spin_lock and spin_unlock (spinlock.c). */
void spin_wait(struct spinlock *sl);
void spin_unlock_checked(struct spinlock *sl);

/*
 * Take sl, spinning; panics on a second acquisition by the same CPU.
 * Inline: an uncontended lock without the lock checker is a few
 * instructions; the checker's path and the wait are out of line.
 */
static inline void
spin_lock(struct spinlock *sl)
{
	struct cpu_info *ci;
	bool was;

	if (SPIN_CHECKED()) {
		spin_lock_nested(sl, 0);
		return;
	}
	was = intr_disable();
	ci = curcpu();
	if (ci->ci_spin_depth++ == 0)
		ci->ci_spin_intr_enabled = was;
	if (__predict_false(
		__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0))
		spin_wait(sl);
	sl->sl_owner = ci;
}

/* True if this CPU holds sl.  Inline: every lock assertion calls it. */
static inline bool
spin_held(const struct spinlock *sl)
{
	return sl->sl_locked && sl->sl_owner == curcpu();
}

/* Release sl, which this CPU holds (checked: it panics otherwise). */
static inline void
spin_unlock(struct spinlock *sl)
{
	struct cpu_info *ci = curcpu();

	if (SPIN_CHECKED() || __predict_false(sl->sl_owner != ci)) {
		spin_unlock_checked(sl);
		return;
	}
	sl->sl_owner = NULL;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	if (--ci->ci_spin_depth == 0 && ci->ci_spin_intr_enabled)
		sti();
}
#endif

/* Mask interrupts, counting nesting on this CPU (push_off in xv6). */
void spin_intr_push(void);
/* Undo one spin_intr_push; interrupts return at depth zero. */
void spin_intr_pop(void);

#endif /* !_SPINLOCK_H_ */
