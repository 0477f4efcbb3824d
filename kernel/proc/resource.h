/*
 * Credentials, resource limits and CPU-time accounting (kern_resource.c).
 *
 * CPU time is sampled on the clock tick, as BSD's statclock: each tick
 * charges one tick's nanoseconds to the LWP it interrupted, as user time
 * if it interrupted user mode, else as system time; the idle LWPs are
 * charged nothing.  The syscall path does no accounting at all.  An
 * exiting LWP adds its times to its process (p_utime, p_stime) and
 * wait4's reap adds a child's own and children's times to its parent's
 * (p_cutime, p_cstime), as Linux's RUSAGE_BOTH.
 */
#ifndef _PROC_RESOURCE_H_
#define _PROC_RESOURCE_H_

#include <types.h>
#include <linux/resource.h>

struct proc;
struct lwp;
struct vmspace;

/*
 * Charge the tick that interrupted the calling CPU to its LWP: as user
 * time if usermode.  Interrupt context, interrupts masked.
 */
void statclock(bool usermode);

/*
 * proc0's limits and ids, which init and so every process inherit: root,
 * and the limits Linux gives init.  Boot CPU, from proc_startup.
 */
void resource_proc0_init(struct proc *p);

/*
 * The exiting LWP l adds its CPU times to its process.  The caller holds
 * proc_lock (and interrupts are masked, so no tick charges l after).
 */
void resource_lwp_exit_locked(struct lwp *l);

/*
 * wait4 reaps child, a zombie of parent: the child's own and children's
 * CPU times go to parent's children's times and into *ru (wait4's
 * rusage).  The caller holds proc_lock.
 */
void resource_reap_locked(struct proc *parent, struct proc *child,
    struct rusage *ru);

/*
 * child's own and its children's CPU times into *ru, nothing charged to
 * its parent: waitid of a child it does not reap (WNOWAIT, a stop or a
 * continue), as Linux's getrusage(child, RUSAGE_BOTH).  The caller holds
 * proc_lock.
 */
void resource_child_usage_locked(struct proc *child, struct rusage *ru);

/*
 * The CPU time of the calling process (thread false) or LWP (thread
 * true) in ns, user plus system.  No locks held.
 */
uint64_t resource_cputime(bool thread);

/* p's soft limit of resource r.  No requirements (a racy read is fine). */
uint64_t rlimit_cur(struct proc *p, int r);

/*
 * RLIMIT_AS: 0 if the calling process's address space vm may grow by len
 * bytes, else -ENOMEM.  Free when the limit is RLIM_INFINITY; else walks
 * the map under vm_lock.  No locks held.
 */
int rlimit_as_check(struct vmspace *vm, uint64_t len);

#endif /* !_PROC_RESOURCE_H_ */
