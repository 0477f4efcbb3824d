/*
 * The scheduler: one round-robin run queue, sleep and wakeup on
 * channels, timed sleeps, preemption on the clock tick, and the idle
 * loop.  See proc.h for the lock order (proc_lock before sched_lock).
 */
#ifndef _PROC_SCHED_H_
#define _PROC_SCHED_H_

#include <types.h>
#include <spinlock.h>

struct lwp;
struct trapframe;

extern struct spinlock sched_lock;

#define SCHED_QUANTUM 2 /* clock ticks a running LWP keeps the CPU */

/* sleep flags */
#define SLEEP_INTR 0x1 /* LW_WEXIT ends the sleep with -EINTR */

/* Set up the sleep queues.  Once, from proc_startup.  No requirements. */
void sched_startup(void);

/* Put l (LSIDL, not queued) on the run queue.  No requirements. */
void sched_setrunnable(struct lwp *l);

/*
 * Sleep on chan, releasing lk once sched_lock is taken so no wakeup is
 * lost, and retaking it before returning.  lk may be &sched_lock itself.
 * timeout_ns is an absolute nanouptime() deadline (0 for none).  Returns
 * 0 when woken, -EINTR when SLEEP_INTR is set and the LWP was told to
 * exit, -ETIMEDOUT at the deadline.  The caller must hold lk and no
 * other spinlock (sched_switch checks).
 */
int sleep(const void *chan, struct spinlock *lk, int flags,
    uint64_t timeout_ns);

/* Make every LWP asleep on chan runnable.  No requirements. */
void wakeup(const void *chan);

/*
 * End an interruptible sleep of l early (it returns -EINTR).  The caller
 * holds proc_lock; l has LW_WEXIT set.
 */
void sched_interrupt(struct lwp *l);

/* Give the CPU to the next runnable LWP, if any.  No locks held. */
void sched_yield(void);

/*
 * A preemption point for kernel loops whose length a user chooses (the
 * kernel is otherwise not preemptible): returns -EINTR if the calling
 * LWP was told to exit, so the loop can stop; else gives up the CPU if
 * the clock asked for a switch, and returns 0.  No locks held.
 */
int sched_checkpoint(void);

/*
 * The clock tick: preemption and timed sleeps.  Interrupt context; no
 * locks held.
 */
void sched_tick(void);

/*
 * The caller, an exited LWP (LSZOMB), leaves the CPU for good; the LWP
 * that runs next frees its kernel stack.  The caller must hold
 * sched_lock and no other spinlock (lwp_exit_locked takes sched_lock,
 * then drops proc_lock).
 */
void sched_exit_switch(void) __noreturn;

/*
 * Run LWPs forever as this CPU's idle LWP (the boot context, set up by
 * proc_startup).  No locks held.
 */
void sched_idle(void) __noreturn;

/*
 * Called before every return to user mode with interrupts masked: takes
 * a pending preemption and ends the LWP if it was told to exit.  No
 * locks held.
 */
void userret(struct trapframe *tf);

/*
 * A new LWP's first code (from lwp_trampoline): finish the switch from
 * prev and release sched_lock, which the switch left held.
 */
void lwp_startup(struct lwp *prev);

#endif /* !_PROC_SCHED_H_ */
