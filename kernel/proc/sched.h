/*
 * The scheduler: a run queue per CPU with work stealing, sleep and
 * wakeup on channels, timed sleeps, preemption on the clock tick, CPU
 * affinity, and one idle LWP per CPU.  See sched.c for the locks.
 */
#ifndef _PROC_SCHED_H_
#define _PROC_SCHED_H_

#include <types.h>
#include <spinlock.h>
#include <cpuset.h>

struct lwp;
struct cpu_info;
struct trapframe;

#define SCHED_QUANTUM 2 /* clock ticks a running LWP of nice 0 keeps the CPU */
#define NICE_MIN (-20)
#define NICE_MAX 19

/*
 * The clock ticks an LWP of nice value nice keeps the CPU: SCHED_QUANTUM
 * scaled by Linux's CFS weight of nice (1024 at 0, a factor of about
 * 1.25 a step), at least 1 and at most 16 * SCHED_QUANTUM.  No
 * requirements.
 */
unsigned sched_quantum(int nice);

/* sleep flags */
#define SLEEP_INTR 0x1 /* LW_WEXIT or LW_PENDSIG ends it with -EINTR */

/* Set up the sleep queues and run queues.  Once, from proc_startup. */
void sched_startup(void);

/*
 * Make ci's boot context its idle LWP idle (LW_SYSTEM, LSONPROC).  On
 * each CPU, by itself, before it schedules.  Interrupts masked.
 */
void sched_cpu_attach(struct cpu_info *ci, struct lwp *idle);

/*
 * Set up the scheduling fields of a new LWP (LSIDL): its lock, its CPU,
 * and the affinity, nice value and I/O priority of the creating LWP (all
 * CPUs and 0 if that is a kernel LWP).  From lwproc_makelwp.  No
 * requirements.
 */
void sched_lwp_init(struct lwp *l);

/* Put l (LSIDL, not queued) on a run queue.  No spinlock held. */
void sched_setrunnable(struct lwp *l);

/*
 * Sleep on chan, releasing lk (if not NULL) once the LWP is on the sleep
 * queue so no wakeup is lost, and retaking it before returning.
 * timeout_ns is an absolute nanouptime() deadline (0 for none).  Returns
 * 0 when woken, -EINTR when SLEEP_INTR is set and the LWP was told to
 * exit or has a signal to take (the caller returns EINTR or an ERESTART
 * code, errno.h), -ETIMEDOUT at the deadline.  The caller holds lk (if any) and no
 * other spinlock.
 */
int sleep(const void *chan, struct spinlock *lk, int flags,
    uint64_t timeout_ns);

/*
 * The sleep queue chan belongs to (0..63): for tests that need two
 * channels of one queue.  No requirements.
 */
unsigned sched_sleepq_index(const void *chan);

/* Make every LWP asleep on chan runnable.  No requirements. */
void wakeup(const void *chan);

/*
 * wakeup from a caller that is about to sleep itself (Linux's WF_SYNC:
 * a pipe's writer that will wait for the answer): an LWP woken goes to
 * the caller's CPU if it may run there and no other LWP waits there,
 * so a pair handing work back and forth shares one CPU instead of
 * waking a halted one each time; an idle CPU still takes it at its next
 * tick if the caller runs on.  No requirements.
 */
void wakeup_sync(const void *chan);

/*
 * Make l notice LW_WEXIT or LW_PENDSIG soon: end its interruptible sleep
 * (it returns -EINTR), or interrupt the CPU running it.  The caller holds
 * proc_lock and has set one of the flags.
 */
void sched_interrupt(struct lwp *l);

/* Give the CPU to the next runnable LWP, if any.  No spinlock held. */
void sched_yield(void);

/*
 * A preemption point for kernel loops whose length a user chooses:
 * returns -EINTR if the calling LWP was told to exit, so the loop can
 * stop; else gives up the CPU if the clock asked for a switch, and
 * returns 0.  No spinlock held.
 */
int sched_checkpoint(void);

/* The clock tick on this CPU.  Interrupt context; no locks held. */
void sched_tick(void);

/*
 * The caller, an exited LWP (LSZOMB), leaves the CPU for good; the LWP
 * that runs next frees its kernel stack.  The caller holds its CPU's
 * run-queue lock (sched_lock_self) and no other spinlock.
 */
void sched_exit_switch(void) __noreturn;

/*
 * Take the run-queue lock of the calling CPU, which covers the calling
 * LWP (lwp_exit_locked uses it to become a zombie).  Returns it.
 */
struct spinlock *sched_lock_self(void);

/* Run LWPs forever as this CPU's idle LWP.  No locks held. */
void sched_idle(void) __noreturn;

/*
 * The work of a return to user mode, with interrupts masked: takes a
 * pending preemption, ends the LWP if it was told to exit, takes its
 * signals (sig_deliver) and ends a guest's run whose time is up, until
 * none is left.  Called by the C entries (trap.c, and vmspace_ctl's in
 * vm_vmspace.c) only when there is work (trap_userret, arch/userret.h,
 * tests for it inline).  tf is the LWP's user frame (md_tf), which ending
 * a guest's run changes (to the controller's).  No locks held.
 */
void userret(struct trapframe *tf);

/*
 * A new LWP's first code (from lwp_trampoline): finish the switch from
 * prev and release the run-queue lock the switch left held.
 */
void lwp_startup(struct lwp *prev);

/*
 * Wait until l (LSZOMB, claimed by the caller) is off every CPU, so it
 * can be freed.  No spinlock held.
 */
void sched_wait_offcpu(struct lwp *l);

/*
 * CPU affinity of l: the CPUs it may run on.  sched_setaffinity moves l
 * off a CPU not in set (at its next switch if it is running).  set must
 * hold an online CPU.  No spinlock held.
 */
cpuset_t sched_getaffinity(struct lwp *l);
void sched_setaffinity(struct lwp *l, cpuset_t set);

/*
 * For the self tests: set l's affinity and leave l where it is queued,
 * as a move whose try-lock failed leaves it.  No spinlock held.
 */
void sched_setaffinity_unmoved(struct lwp *l, cpuset_t set);

/*
 * For the self tests: kick CPU t (not the caller's) as a wakeup queueing
 * there does, after marking it idle and not yet kicked (as if it had
 * found nothing to run) if idle; and whether t counts as idle for a
 * wakeup's placement.  No spinlock held.
 */
void sched_kick_test(unsigned t, bool idle);
bool sched_cpu_idle(unsigned t);

/* The set of online CPUs.  No requirements. */
cpuset_t sched_online_cpus(void);

/* Counters for tests: LWPs taken from another CPU's queue. */
uint64_t sched_steals(void);

#endif /* !_PROC_SCHED_H_ */
