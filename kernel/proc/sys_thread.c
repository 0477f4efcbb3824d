/*
 * Threads with Linux's x86_64 ABI: clone, clone3, vfork, set_tid_address
 * and the robust-list calls, on lwproc's processes and LWPs.
 *
 * clone with CLONE_THREAD adds an LWP to the calling process (one
 * process, many LWPs); without it, clone makes a process, as fork does,
 * whose address space is a copy-on-write copy or, with CLONE_VM, the
 * caller's own (vmspace_ref), and whose fd table is a copy or, with
 * CLONE_FILES, shared (fd_share).  Dispositions belong to a process
 * here, so CLONE_SIGHAND is accepted only with CLONE_THREAD.  Thread
 * ids: a thread's id is its LWP id (gettid), unique in its process; a
 * new process's is its pid.  CLONE_PARENT_SETTID and CLONE_CHILD_SETTID
 * store the value clone returns.
 *
 * Clone threads are detached LWPs (LW_DETACHED): nobody lwp_waits for
 * them, so each clone frees the zombies of earlier ones
 * (thread_reap_detached), and proc_reap frees the rest.
 *
 * vfork: the parent waits on a struct vfork_wait (thread.h) that the
 * child's p_vfork points to, until the child execs or exits
 * (vfork_done_locked, called by exec and proc_exit).
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <signal.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <proc/futex.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <proc/thread.h>
#include <uts.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>
#include <linux/futex.h>
#include <linux/sched.h>

/*
 * What clone accepts besides the exit signal (CSIGNAL).  Linux ignores
 * CLONE_DETACHED; CLONE_SYSVSEM and CLONE_IO change nothing here.
 */
#define CLONE_SUPPORTED                                                    \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK | \
	    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |                  \
	    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |  \
	    CLONE_CHILD_SETTID | CLONE_IO | CLONE_CLEAR_SIGHAND)

/*
 * Check a clone flag word: Linux's own rejections (copy_process), then
 * the sets we do not support.  Returns 0 or -EINVAL.  No requirements.
 */
static int
clone_check_flags(uint64_t flags)
{
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	/* Ours: namespaces, pidfds, CLONE_PARENT, tracing ... */
	if ((flags & ~(uint64_t)CSIGNAL) & ~(uint64_t)CLONE_SUPPORTED)
		return -EINVAL;
	/* ... per-process dispositions and fd tables ... */
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_THREAD))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_FILES))
		return -EINVAL;
	/* ... and a thread that would stop its own process. */
	if ((flags & CLONE_THREAD) && (flags & CLONE_VFORK))
		return -EINVAL;
	return 0;
}

/*
 * Free the zombie clone threads of p that nobody holds.  No locks held.
 */
static void
thread_reap_detached(struct proc *p)
{
	struct lwp *l;

	spin_lock(&proc_lock);
again:
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if ((l->l_flag & (LW_DETACHED | LW_REAPING)) != LW_DETACHED ||
		    l->l_stat != LSZOMB || l->l_refcnt != 0)
			continue;
		l->l_flag |= LW_REAPING;
		spin_unlock(&proc_lock);
		lwproc_freelwp(l);
		spin_lock(&proc_lock);
		goto again;
	}
	spin_unlock(&proc_lock);
}

/*
 * The new LWP l2 (clone_thread, clone_process): a copy of the caller's
 * returning 0, on stack newsp if not 0, its FS base tls with
 * CLONE_SETTLS (checked); the alternate stack only for a child with
 * memory of its own (or a vfork child), as Linux.  No requirements.
 */
static void
clone_setup_lwp(struct lwp *l2, uint64_t flags, uint64_t newsp, uint64_t tls)
{
	fork_lwp_setup(l2, newsp,
	    (flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM);
	if (flags & CLONE_SETTLS)
		cpu_set_fsbase(l2, tls);
}

/* clone with CLONE_THREAD: a new LWP in the caller's process. */
static long
clone_thread(uint64_t flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls)
{
	struct proc *p = curproc;
	struct lwp *l2;
	int error, tid;

	thread_reap_detached(p);
	l2 = lwproc_makelwp(p, &error);
	if (l2 == NULL)
		return error == -EBUSY ? -EAGAIN : error;
	spin_lock(&proc_lock);
	l2->l_flag |= LW_DETACHED;
	spin_unlock(&proc_lock);
	clone_setup_lwp(l2, flags, newsp, tls);
	tid = l2->l_lid;
	if (flags & CLONE_CHILD_CLEARTID)
		l2->l_clear_child_tid = (uint64_t)ctid;
	/* As Linux: the stores' faults are not the caller's errors. */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&tid, ptid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		(void)copyout(&tid, ctid, sizeof(tid));
	sched_setrunnable(l2);
	return tid;
}

/*
 * clone without CLONE_THREAD: a new process.  With CLONE_VFORK the
 * caller waits until the child execs or exits.
 */
static long
clone_process(uint64_t flags, uint64_t newsp, int *ptid, int *ctid,
    uint64_t tls)
{
	struct proc *p = curproc, *p2;
	struct lwp *l2;
	struct vmspace *vm;
	struct vfork_wait vw = { .vw_done = false };
	int error, exitsig = flags & CSIGNAL;
	pid_t pid;

	if (flags & CLONE_VM) {
		vm = p->p_vmspace;
		vmspace_ref(vm);
	} else {
		vm = vmspace_fork(p->p_vmspace);
		if (vm == NULL)
			return -ENOMEM;
	}
	p2 = fork_proc(vm, (flags & CLONE_FILES) ? 0 : RFFDG, &l2, &error);
	if (p2 == NULL)
		return error;
	clone_setup_lwp(l2, flags, newsp, tls);
	pid = p2->p_pid;
	if (flags & CLONE_CHILD_CLEARTID)
		l2->l_clear_child_tid = (uint64_t)ctid;
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&pid, ptid, sizeof(pid));
	if (flags & CLONE_CHILD_SETTID) {
		if (flags & CLONE_VM)
			(void)copyout(&pid, ctid, sizeof(pid));
		else if (user_range_ok((uint64_t)ctid, sizeof(pid)))
			(void)vm_write(vm, (vaddr_t)ctid, &pid, sizeof(pid));
	}
	spin_lock(&proc_lock);
	if (flags & CLONE_CLEAR_SIGHAND)
		sig_flush_handlers_locked(p2);
	p2->p_exitsig = exitsig < NSIG ? exitsig : 0;
	if (flags & CLONE_VFORK)
		p2->p_vfork = &vw;
	spin_unlock(&proc_lock);
	sched_setrunnable(l2);
	if (!(flags & CLONE_VFORK))
		return pid; /* p2 may be gone already: use the copy */

	/* Wait until the child lets go of our memory; a kill ends the wait. */
	spin_lock(&proc_lock);
	while (!vw.vw_done) {
		if (sleep(&vw, &proc_lock, SLEEP_INTR, 0) != 0)
			break;
	}
	if (!vw.vw_done) {
		p2 = proc_find(pid);
		if (p2 != NULL && p2->p_vfork == &vw)
			p2->p_vfork = NULL;
	}
	spin_unlock(&proc_lock);
	return pid;
}

void
vfork_done_locked(struct proc *p)
{
	struct vfork_wait *vw = p->p_vfork;

	KASSERT(spin_held(&proc_lock));
	if (vw == NULL)
		return;
	p->p_vfork = NULL;
	vw->vw_done = true;
	wakeup(vw);
}

/*
 * The clone of clone and clone3: flags (with the exit signal in CSIGNAL,
 * and CLONE_CLEAR_SIGHAND from clone3) checked, then a thread or a
 * process.  No locks held.
 */
static long
kern_clone(uint64_t flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls)
{
	int error;

	error = clone_check_flags(flags);
	if (error != 0)
		return error;
	if ((flags & CLONE_SETTLS) && !cpu_tls_base_ok(tls))
		return -EPERM;
	if (newsp >= VM_MAX_USER_ADDRESS)
		return -EINVAL;
	if (flags & CLONE_THREAD)
		return clone_thread(flags, newsp, ptid, ctid, tls);
	return clone_process(flags, newsp, ptid, ctid, tls);
}

/*
 * clone(flags, newsp, parent_tid, child_tid, tls): Linux x86_64's
 * argument order.  Only the low 32 bits of flags count, as on Linux.
 */
long
sys_clone(uint64_t flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls)
{
	return kern_clone(flags & 0xffffffffUL, newsp, ptid, ctid, tls);
}

/* What clone3 lets through to clone's checks (Linux's clone3_args_valid). */
#define CLONE3_FLAGS (0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)
#define CLONE3_MAX_SET_TID 32 /* Linux's MAX_PID_NS_LEVEL */

/*
 * Read clone3's struct clone_args of usize bytes at uargs into *a, as
 * Linux's copy_struct_from_user: a shorter one is zero-filled, a longer
 * one must hold only zeros past what this kernel knows (E2BIG).  0 or
 * -errno.  No locks held.
 */
static int
clone3_copyin(const void *uargs, size_t usize, struct clone_args *a)
{
	uint8_t tail[64];

	memset(a, 0, sizeof(*a));
	if (copyin(uargs, a, MIN(usize, sizeof(*a))) != 0)
		return -EFAULT;
	for (size_t at = sizeof(*a); at < usize; at += sizeof(tail)) {
		size_t n = MIN(usize - at, sizeof(tail));

		if (copyin((const uint8_t *)uargs + at, tail, n) != 0)
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (tail[i] != 0)
				return -E2BIG;
	}
	return 0;
}

/*
 * clone3(args, size): clone with its arguments in a struct clone_args,
 * checked in Linux 6.1's order (copy_clone_args_from_user, then
 * clone3_args_valid, then clone's own); the new LWP's stack pointer is
 * stack + stack_size.  set_tid and CLONE_INTO_CGROUP (no pid namespaces
 * or cgroups here) and CLONE_PIDFD (as clone) are EINVAL.
 */
long
sys_clone3(void *uargs, size_t usize)
{
	struct clone_args a;
	uint64_t sp = 0;
	int error;

	if (usize < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if ((error = clone3_copyin(uargs, usize, &a)) != 0)
		return error;
	if (a.set_tid_size > CLONE3_MAX_SET_TID ||
	    (a.set_tid == 0) != (a.set_tid_size == 0))
		return -EINVAL;
	if ((a.exit_signal & ~(uint64_t)CSIGNAL) || a.exit_signal >= NSIG)
		return -EINVAL;
	if ((a.flags & CLONE_INTO_CGROUP) &&
	    (a.cgroup > INT32_MAX || usize < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	if ((a.flags & ~CLONE3_FLAGS) ||
	    (a.flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME))))
		return -EINVAL;
	if ((a.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) ==
	    (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal != 0)
		return -EINVAL;
	if (a.stack == 0 ?
		a.stack_size != 0 :
		a.stack_size == 0 || !user_range_ok(a.stack, a.stack_size))
		return -EINVAL;
	if (a.stack != 0)
		sp = a.stack + a.stack_size;
	/* Ours: no pid namespaces to choose an id in, no cgroups. */
	if (a.set_tid_size != 0 || (a.flags & CLONE_INTO_CGROUP))
		return -EINVAL;
	return kern_clone(a.flags | a.exit_signal, sp,
	    (int *)(uintptr_t)a.parent_tid, (int *)(uintptr_t)a.child_tid,
	    a.tls);
}

long
sys_vfork(void)
{
	return clone_process(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL,
	    0);
}

long
sys_set_tid_address(int *tidptr)
{
	curlwp->l_clear_child_tid = (uint64_t)tidptr;
	return curlwp->l_lid;
}

long
sys_set_robust_list(void *head, size_t len)
{
	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	curlwp->l_robust_list = (uint64_t)head;
	curlwp->l_robust_len = len;
	return 0;
}

/*
 * get_robust_list(tid, head_ptr, len_ptr): tid 0 is the caller, else an
 * LWP of the calling process (thread ids are per process here).
 */
long
sys_get_robust_list(int tid, void **head_ptr, size_t *len_ptr)
{
	struct lwp *l = curlwp, *t;
	uint64_t head;
	size_t len = sizeof(struct robust_list_head);

	if (tid == 0) {
		head = l->l_robust_list;
	} else {
		spin_lock(&proc_lock);
		LIST_FOREACH(t, &l->l_proc->p_lwps, l_sibling)
		{
			if (t->l_lid == tid && t->l_stat != LSZOMB &&
			    t->l_stat != LSIDL)
				break;
		}
		if (t == NULL) {
			spin_unlock(&proc_lock);
			return -ESRCH;
		}
		head = __atomic_load_n(&t->l_robust_list, __ATOMIC_RELAXED);
		spin_unlock(&proc_lock);
	}
	if (copyout(&len, len_ptr, sizeof(len)) != 0)
		return -EFAULT;
	if (copyout(&head, head_ptr, sizeof(head)) != 0)
		return -EFAULT;
	return 0;
}

/*
 * exit(status): Linux's, which ends the calling thread only; the last
 * thread's exit ends the process with its status.
 */
long
sys_exit(int status)
{
	lwp_exit_status(W_EXITCODE(status));
}

/* The namespaces Linux's unshare knows; only CLONE_NEWUTS exists here. */
#define CLONE_NAMESPACES                                            \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
	    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

/*
 * unshare(flags), as Linux's ksys_unshare: the implied flags first, then
 * check_unshare_flags (EINVAL for an unknown flag, and for CLONE_THREAD,
 * CLONE_SIGHAND or CLONE_VM unless nothing shares them), then the
 * namespaces (root only, EPERM; a namespace this kernel has not is
 * EINVAL, as on a Linux built without it), then the fd table, copied if
 * another process shares it (EINVAL if the caller has other LWPs: the
 * table is the process's, so Linux's per-thread copy cannot be made
 * here; with one LWP nothing else can be using the old table).  CLONE_FS and CLONE_SYSVSEM have nothing
 * to unshare: a process's directories are its own, and there are no
 * System V semaphores.  No locks held.
 */
long
sys_unshare(uint64_t flags)
{
	struct proc *p = curproc;
	struct filedesc *fdp, *nfdp;
	bool alone;
	int error;

	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	if (flags &
	    ~(uint64_t)(CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM |
		CLONE_FILES | CLONE_SYSVSEM | CLONE_NAMESPACES))
		return -EINVAL;
	if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
		spin_lock(&proc_lock);
		alone = p->p_nlive == 1;
		spin_unlock(&proc_lock);
		if (!alone)
			return -EINVAL;
	}
	if ((flags & CLONE_VM) &&
	    __atomic_load_n(&p->p_vmspace->vm_refcnt, __ATOMIC_RELAXED) > 1)
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		return -EINVAL; /* before the capability check, as Linux's */
	if (flags & CLONE_NAMESPACES) {
		if (p->p_cred.cr_euid != 0)
			return -EPERM; /* CAP_SYS_ADMIN */
		if (flags & (CLONE_NAMESPACES & ~(uint64_t)CLONE_NEWUTS))
			return -EINVAL;
	}
	nfdp = NULL;
	if (flags & CLONE_FILES) {
		/*
		 * The table is the process's, not an LWP's: with other LWPs,
		 * which share it as Linux's threads do, Linux's per-thread
		 * copy cannot be made.
		 */
		spin_lock(&proc_lock);
		alone = p->p_nlive == 1;
		spin_unlock(&proc_lock);
		if (!alone)
			return -EINVAL;
		if (__atomic_load_n(&p->p_fd->fd_refcnt, __ATOMIC_ACQUIRE) >
			1 &&
		    (nfdp = fd_copy(p->p_fd)) == NULL)
			return -ENOMEM;
	}
	if ((flags & CLONE_NEWUTS) && (error = uts_unshare()) != 0) {
		if (nfdp != NULL)
			fd_free(nfdp);
		return error;
	}
	if (nfdp != NULL) {
		spin_lock(&proc_lock);
		fdp = p->p_fd;
		p->p_fd = nfdp;
		spin_unlock(&proc_lock);
		fd_free(fdp);
	}
	return 0;
}
