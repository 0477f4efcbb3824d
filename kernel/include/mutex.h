/*
 * Sleeping mutexes: for critical sections whose holder may block (sleep,
 * fault, copy user memory).  A waiter sleeps instead of spinning, so a
 * mutex is never taken in interrupt context or with a spinlock held, and
 * it is not recursive.  Holding one leaves interrupts as they were.
 */
#ifndef _MUTEX_H_
#define _MUTEX_H_

#include <types.h>
#include <spinlock.h>
#include <witness.h>

struct lwp;

struct mutex {
	struct spinlock mtx_interlock; /* guards mtx_waiters (mutex.c) */
	uintptr_t mtx_owner;  /* the holder's struct lwp, 0 if free; atomic */
	unsigned mtx_waiters; /* LWPs asleep in mutex_lock */
	uint16_t mtx_wclass;  /* witness class; 0: not yet taken */
	const char *mtx_name; /* also names the witness class */
};

/* The interlock is left out of the lock checker (WITNESS_SKIP). */
#define MUTEX_INITIALIZER(name)                                      \
	{                                                            \
		.mtx_interlock = { .sl_locked = 0,                   \
			.sl_wflags = WITNESS_SKIP,                   \
			.sl_owner = NULL,                            \
			.sl_name = (name) },                         \
		.mtx_owner = 0, .mtx_waiters = 0, .mtx_name = (name) \
	}

void mutex_init(struct mutex *m, const char *name);

/*
 * Take m, sleeping while another LWP holds it.  No spinlock held; not
 * from interrupt context; the caller must not hold m.
 */
void mutex_lock(struct mutex *m);

/* Take m if it is free.  Returns whether it did.  As mutex_lock. */
bool mutex_trylock(struct mutex *m);

/* Release m, which the calling LWP holds. */
void mutex_unlock(struct mutex *m);

/* mtx_owner: LWPs sleep (or are about to) in mutex_lock. */
#define MTX_WAITERS ((uintptr_t)1)

#ifdef HOST_TEST
/* tests/host/vfs_host.c */
bool mutex_held(const struct mutex *m);
#else
/* True if the calling LWP holds m.  No requirements. */
static inline bool
mutex_held(const struct mutex *m)
{
	return (__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) &
		   ~MTX_WAITERS) == (uintptr_t)curlwp;
}
#endif

#endif /* !_MUTEX_H_ */
