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

/* Take sl, spinning; panics on a second acquisition by the same CPU. */
void spin_lock(struct spinlock *sl);

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

/* Release sl, which this CPU holds. */
void spin_unlock(struct spinlock *sl);

/* True if this CPU holds sl.  Inline: every lock assertion calls it. */
#ifdef HOST_TEST
bool spin_held(const struct spinlock *sl); /* tests/host/hostcompat.c */
#else
#include <arch/cpu.h>

static inline bool
spin_held(const struct spinlock *sl)
{
	return sl->sl_locked && sl->sl_owner == curcpu();
}
#endif

/* Mask interrupts, counting nesting on this CPU (push_off in xv6). */
void spin_intr_push(void);
/* Undo one spin_intr_push; interrupts return at depth zero. */
void spin_intr_pop(void);

#endif /* !_SPINLOCK_H_ */
