/*
 * Threads (sys_thread.c): clone, vfork and the hooks the process
 * lifecycle calls for them.
 */
#ifndef _PROC_THREAD_H_
#define _PROC_THREAD_H_

struct proc;

/*
 * A vfork parent waits on one of these, on its own stack, until its
 * child (p_vfork points to it) execs or exits.
 */
struct vfork_wait {
	bool vw_done; /* (P) */
};

/*
 * p, a vfork child, no longer uses its parent's memory (exec at the
 * point it cannot fail, or exit): wake the parent.  Nothing if p is not
 * a vfork child.  The caller holds proc_lock.
 */
void vfork_done_locked(struct proc *p);

#endif /* !_PROC_THREAD_H_ */
