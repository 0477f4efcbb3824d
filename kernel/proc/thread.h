/*
 * Threads (sys_thread.c): clone, vfork and the hooks the process
 * lifecycle calls for them.
 */
#ifndef _PROC_THREAD_H_
#define _PROC_THREAD_H_

struct lwp;
struct proc;
struct vmspace;

/*
 * The parts fork (sys_proc.c) and clone (sys_thread.c) share.
 *
 * fork_proc: the caller's child process on vm (the reference passes to
 * it, and is dropped on failure) with fd table policy fdflags (RFFDG,
 * RFCFDG or 0: shared), with one LWP in *l2p, not yet set up nor
 * runnable.  Returns NULL with an errno in *errp.
 *
 * fork_lwp_setup: l2 as a copy of the calling LWP returning 0 from the
 * call: its frame (on stack newsp if not 0), name and signal mask, and
 * its alternate stack when altstack (a fork, not a thread or a CLONE_VM
 * child, as Linux).  No locks held.
 */
struct proc *fork_proc(struct vmspace *vm, int fdflags, struct lwp **l2p,
    int *errp);
void fork_lwp_setup(struct lwp *l2, uint64_t newsp, bool altstack);

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
