/*
 * The process and LWP lifecycle (proc.h), after NetBSD's rump lwproc.c:
 * lwproc_newproc, lwproc_makelwp, lwproc_freelwp and lwproc_proc_free,
 * plus what a real kernel adds to them: exit of a process with several
 * LWPs, zombies collected by wait4, and init inheriting orphans.
 */
#include <systm.h>
#include <uts.h>
#include <klog.h>
#include <clock.h>
#include <cons.h>
#include <errno.h>
#include <file.h>
#include <tty.h>
#include <arch/cpu.h>
#include <arch/pcb.h>
#include <arch/pmap.h>
#include <proc/futex.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <proc/thread.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>
#include <vnode.h>

struct spinlock proc_lock = SPINLOCK_INITIALIZER("proc");
struct proc proc0;
struct proc *initproc;
static struct lwp lwp0;

struct proclist allproc = LIST_HEAD_INITIALIZER(allproc);
#define PIDHASH_SIZE 256
static LIST_HEAD(pidhead, proc) pidhash[PIDHASH_SIZE];
static pid_t pid_next = 1;
static uint64_t nprocs; /* (P) processes other than proc0 */
static uint64_t nlwps;  /* (P) LWPs other than the idle ones */
/* (P) Exited processes nobody waits for (PS_NOZOMBIE), on p_sibling. */
static LIST_HEAD(, proc) proc_autoreap = LIST_HEAD_INITIALIZER(proc_autoreap);

uint64_t
proc_count(void)
{
	return __atomic_load_n(&nprocs, __ATOMIC_RELAXED);
}

uint64_t
lwp_count(void)
{
	return __atomic_load_n(&nlwps, __ATOMIC_RELAXED);
}

void
proc_startup(void)
{
	struct cpu_info *ci = curcpu();

	sched_startup();
	for (int i = 0; i < PIDHASH_SIZE; i++)
		LIST_INIT(&pidhash[i]);
	LIST_INIT(&proc0.p_children);
	LIST_INIT(&proc0.p_lwps);
	proc0.p_stat = SACTIVE;
	strlcpy(proc0.p_comm, "kernel", sizeof(proc0.p_comm));
	resource_proc0_init(&proc0); /* what init inherits */
	uts_proc0_init(&proc0);

	/* The boot context becomes lwp0, the boot CPU's idle LWP. */
	lwp0.l_proc = &proc0;
	lwp0.l_kstack = (vaddr_t)bootstack_top;
	strlcpy(lwp0.l_name, "idle0", sizeof(lwp0.l_name));
	LIST_INSERT_HEAD(&proc0.p_lwps, &lwp0, l_sibling);
	sched_cpu_attach(ci, &lwp0);
}

void
proc_idle_attach(struct cpu_info *ci)
{
	static struct lwp idle_lwps[MAXCPUS];
	struct lwp *l = &idle_lwps[ci->ci_index];

	KASSERT(ci == curcpu() && ci->ci_index != 0);
	l->l_proc = &proc0;
	l->l_lid = ci->ci_index;
	l->l_kstack = ci->ci_rsp0;
	ksnprintf(l->l_name, sizeof(l->l_name), "idle%u", ci->ci_index);
	spin_lock(&proc_lock);
	LIST_INSERT_HEAD(&proc0.p_lwps, l, l_sibling);
	spin_unlock(&proc_lock);
	sched_cpu_attach(ci, l);
}

/* The pid hash chain for pid.  No requirements. */
static struct pidhead *
pidhash_head(pid_t pid)
{
	return &pidhash[(unsigned)pid % PIDHASH_SIZE];
}

struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH(p, pidhash_head(pid), p_hash)
	{
		if (p->p_pid == pid && !(p->p_sflag & PS_NOZOMBIE))
			return p;
	}
	return NULL;
}

struct lwp *
tid_find(struct proc *p, pid_t tid)
{
	struct lwp *l;

	KASSERT(spin_held(&proc_lock));
	if (p != NULL) {
		LIST_FOREACH(l, &p->p_lwps, l_sibling)
		{
			if (l->l_lid == tid && l->l_stat != LSZOMB &&
			    l->l_stat != LSIDL)
				return l;
		}
	}
	return NULL;
}

struct lwp *
proc_main_lwp(struct proc *p)
{
	struct lwp *l, *best = NULL;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (l->l_stat == LSZOMB || l->l_stat == LSIDL)
			continue;
		if (best == NULL || l->l_lid < best->l_lid)
			best = l;
	}
	return best;
}

/* Some process has pid, one only the reaper knows of included.  (P) */
static bool
pid_in_use(pid_t pid)
{
	struct proc *p;

	LIST_FOREACH(p, pidhash_head(pid), p_hash)
	{
		if (p->p_pid == pid)
			return true;
	}
	return false;
}

/*
 * The next free pid.  pids count up to PID_MAX and then start again at
 * 2, skipping those in use, so an id is not handed out again soon.  The
 * caller holds proc_lock and has checked nprocs < MAXPROC.
 */
static pid_t
proc_alloc_pid(void)
{
	KASSERT(spin_held(&proc_lock));
	for (;;) {
		pid_t pid = pid_next;

		pid_next = pid_next >= PID_MAX ? 2 : pid_next + 1;
		if (!pid_in_use(pid))
			return pid;
	}
}

/*
 * RLIMIT_NPROC (kern_resource.c): whether parent's real user has as many
 * processes (zombies included) as parent's soft limit allows.  Root is
 * never limited, as Linux's INIT_USER and CAP_SYS_RESOURCE.  The caller
 * holds proc_lock.
 */
static bool
proc_nproc_exceeded_locked(struct proc *parent)
{
	uid_t uid = parent->p_cred.cr_ruid;
	uint64_t lim = parent->p_rlimit[RLIMIT_NPROC].rlim_cur, n = 0;
	struct proc *q;

	KASSERT(spin_held(&proc_lock));
	if (uid == 0 || parent->p_cred.cr_euid == 0 || lim == RLIM_INFINITY)
		return false;
	LIST_FOREACH(q, &allproc, p_list)
	{
		if (q->p_cred.cr_ruid == uid && ++n >= lim)
			return true;
	}
	return false;
}

struct proc *
lwproc_newproc(struct proc *parent, struct vmspace *vm, int flags, int *errp)
{
	struct proc *p;

	p = kmalloc(sizeof(*p), 0);
	if (p == NULL) {
		*errp = -ENOMEM;
		return NULL;
	}
	memset(&p->p_startzero, 0,
	    offsetof(struct proc, p_endzero) -
		offsetof(struct proc, p_startzero));
	memcpy(&p->p_startcopy, &parent->p_startcopy,
	    offsetof(struct proc, p_endcopy) -
		offsetof(struct proc, p_startcopy));
	p->p_cred = parent->p_cred;
	uts_fork(parent, p);

	if (flags & RFFDG)
		p->p_fd = fd_copy(parent->p_fd);
	else if (flags & RFCFDG)
		p->p_fd = fd_init();
	else {
		fd_share(parent->p_fd);
		p->p_fd = parent->p_fd;
	}
	if (p->p_fd == NULL) {
		uts_proc_free(p);
		kfree(p);
		*errp = -ENOMEM;
		return NULL;
	}
	p->p_vmspace = vm;
	p->p_start = nanouptime();
	vfs_proc_fork(parent, p);
	/* Only the parent's own exec changes its p_args: it is forking. */
	if (parent->p_args != NULL &&
	    (p->p_args = kmalloc(parent->p_argslen, 0)) != NULL) {
		memcpy(p->p_args, parent->p_args, parent->p_argslen);
		p->p_argslen = parent->p_argslen;
	}
	sig_proc_init(p);
	LIST_INIT(&p->p_lwps);
	LIST_INIT(&p->p_children);
	p->p_sflag = 0;
	p->p_nlwps = p->p_nlive = 0;
	p->p_nextlid = 1;
	p->p_exiter = NULL;
	p->p_xstat = 0;
	p->p_xstat_set = false;
	p->p_stat = SACTIVE;

	spin_lock(&proc_lock);
	if (nprocs >= MAXPROC || proc_nproc_exceeded_locked(parent)) {
		spin_unlock(&proc_lock);
		fd_free(p->p_fd);
		vfs_proc_exit(p);
		uts_proc_free(p);
		kfree(p->p_args);
		kfree(p);
		*errp = -EAGAIN;
		return NULL;
	}
	p->p_pid = proc_alloc_pid();
	p->p_pptr = parent;
	p->p_ppid = parent->p_pid;
	LIST_INSERT_HEAD(&allproc, p, p_list);
	LIST_INSERT_HEAD(pidhash_head(p->p_pid), p, p_hash);
	LIST_INSERT_HEAD(&parent->p_children, p, p_sibling);
	nprocs++;
	spin_unlock(&proc_lock);
	return p;
}

void
proc_set_args(struct proc *p, const char *args, int argc)
{
	size_t len = 0;
	char *copy, *old;

	for (int i = 0; i < argc && len < PROC_ARGS_MAX; i++)
		len += strlen(args + len) + 1;
	len = MIN(len, PROC_ARGS_MAX);
	copy = len > 0 ? kmalloc(len, 0) : NULL;
	if (copy != NULL)
		memcpy(copy, args, len);
	spin_lock(&proc_lock);
	old = p->p_args;
	p->p_args = copy;
	p->p_argslen = copy != NULL ? len : 0;
	spin_unlock(&proc_lock);
	kfree(old);
}

/*
 * Take p out of every list and free it with what it still holds.  p has
 * no LWP left.  No locks held.
 */
static void
lwproc_proc_free(struct proc *p)
{
	KASSERT(LIST_EMPTY(&p->p_lwps) && p->p_nlwps == 0);
	spin_lock(&proc_lock);
	KASSERT(LIST_EMPTY(&p->p_children));
	LIST_REMOVE(p, p_list);
	LIST_REMOVE(p, p_hash);
	LIST_REMOVE(p, p_sibling);
	alarm_proc_free_locked(p);
	nprocs--;
	spin_unlock(&proc_lock);
	if (p->p_fd != NULL)
		fd_free(p->p_fd);
	vfs_proc_exit(p);
	if (p->p_vmspace != NULL)
		vmspace_rel(p->p_vmspace);
	sigpending_free(&p->p_sigpend);
	uts_proc_free(p);
	kfree(p->p_args);
	kfree(p);
}

void
lwproc_abandon(struct proc *p)
{
	lwproc_proc_free(p);
}

struct lwp *
lwproc_makelwp(struct proc *p, int *errp)
{
	/* struct lwp, then its machine-dependent part (the FPU state). */
	struct lwp *l = kmalloc(cpu_lwp_size(), 0);

	if (l == NULL) {
		*errp = -ENOMEM;
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	cpu_lwp_init(l);
	l->l_kstack = kstack_alloc();
	if (l->l_kstack == 0) {
		kfree(l);
		*errp = -ENOMEM;
		return NULL;
	}
	l->l_proc = p;
	l->l_stat = LSIDL;
	TAILQ_INIT(&l->l_sigpend.sp_queue);
	sched_lwp_init(l);

	spin_lock(&proc_lock);
	if (p->p_sflag & PS_LWPEXIT) {
		spin_unlock(&proc_lock);
		kstack_free(l->l_kstack);
		kfree(l);
		*errp = -EBUSY;
		return NULL;
	}
	/* lids count up from 1 and skip ids still in use after a wrap. */
	for (;;) {
		struct lwp *o;

		l->l_lid = p->p_nextlid;
		p->p_nextlid = p->p_nextlid == INT32_MAX ? 1 : p->p_nextlid + 1;
		LIST_FOREACH(o, &p->p_lwps, l_sibling)
		if (o->l_lid == l->l_lid)
			break;
		if (o == NULL)
			break;
	}
	LIST_INSERT_HEAD(&p->p_lwps, l, l_sibling);
	p->p_nlwps++;
	p->p_nlive++;
	nlwps++;
	/* A stop under way counts it: it parks before reaching user mode. */
	if (p->p_sflag & (PS_STOPPING | PS_STOPPED))
		l->l_flag |= LW_PENDSIG;
	spin_unlock(&proc_lock);
	return l;
}

void
lwp_hold(struct lwp *l)
{
	KASSERT(spin_held(&proc_lock));
	l->l_refcnt++;
}

void
lwp_rele(struct lwp *l)
{
	KASSERT(spin_held(&proc_lock));
	KASSERT(l->l_refcnt > 0);
	if (--l->l_refcnt == 0)
		wakeup(&l->l_refcnt);
}

/*
 * lwproc_freelwp: free an exited LWP.  It must be a zombie (LW_WEXIT,
 * LSZOMB) that nobody holds, claimed by the caller (lwp_wait or
 * proc_free).  No locks held.
 */
void
lwproc_freelwp(struct lwp *l)
{
	struct proc *p = l->l_proc;

	spin_lock(&proc_lock);
	KASSERT(l->l_flag & LW_WEXIT);
	KASSERT(l->l_refcnt == 0);
	KASSERT(l->l_stat == LSZOMB);
	LIST_REMOVE(l, l_sibling);
	KASSERT(p->p_nlwps >= 1);
	p->p_nlwps--;
	nlwps--;
	spin_unlock(&proc_lock);

	/* Another CPU may still be switching away from it. */
	sched_wait_offcpu(l);
	KASSERT(l->l_kstack == 0);
	sigpending_free(&l->l_sigpend);
	kfree(l);
}

void
lwproc_abandon_lwp(struct lwp *l)
{
	struct proc *p = l->l_proc;

	KASSERT(l->l_stat == LSIDL);
	spin_lock(&proc_lock);
	LIST_REMOVE(l, l_sibling);
	p->p_nlwps--;
	p->p_nlive--;
	nlwps--;
	sig_stop_check(p); /* a stop may have waited for it */
	spin_unlock(&proc_lock);
	kstack_free(l->l_kstack);
	sigpending_free(&l->l_sigpend);
	kfree(l);
}

void
proc_reap(struct proc *p)
{
	struct lwp *l;

	KASSERT(p->p_stat == SDEAD);
	while ((l = LIST_FIRST(&p->p_lwps)) != NULL)
		lwproc_freelwp(l);
	lwproc_proc_free(p);
}

/*
 * The calling LWP exits: it becomes a zombie and leaves the CPU for good.
 * The caller holds proc_lock (and no other lock).  LSZOMB is set with
 * proc_lock still held, since lwp_wait and proc_single_lwp read l_stat
 * under proc_lock after the wakeups below.
 */
static void __noreturn
lwp_exit_locked(struct lwp *l)
{
	struct proc *p = l->l_proc;

	KASSERT(spin_held(&proc_lock));
	l->l_flag |= LW_WEXIT;
	p->p_nlive--;
	sig_stop_check(p);
	resource_lwp_exit_locked(l);
	wakeup(&p->p_nlive);
	wakeup(&p->p_lwpcv);
	sched_lock_self();
	l->l_stat = LSZOMB;
	spin_unlock(&proc_lock);
	sched_exit_switch();
}

/*
 * The "reaper" kernel LWP: frees the processes on proc_autoreap, which
 * exited with PS_NOZOMBIE (no parent waits for them).  They keep their
 * pid, unseen by proc_find, until freed.  Never returns.
 */
static void
reaper_thread(void *arg __unused_arg)
{
	struct proc *p;

	spin_lock(&proc_lock);
	for (;;) {
		while ((p = LIST_FIRST(&proc_autoreap)) != NULL) {
			p->p_sflag |= PS_REAPING;
			spin_unlock(&proc_lock);
			proc_reap(p); /* takes p off proc_autoreap */
			spin_lock(&proc_lock);
		}
		(void)sleep(&proc_autoreap, &proc_lock, 0, 0);
	}
}

void
reaper_startup(void)
{
	int error;

	if (kthread_create(reaper_thread, NULL, sched_online_cpus(), "reaper",
		&error) == NULL)
		panic("reaper: cannot start its kernel LWP: error %d", -error);
}

struct lwp *
kthread_create(void (*fn)(void *), void *arg, cpuset_t affinity,
    const char *name, int *errp)
{
	struct lwp *l = lwproc_makelwp(&proc0, errp);

	if (l == NULL)
		return NULL;
	l->l_flag |= LW_SYSTEM;
	l->l_affinity = affinity;
	strlcpy(l->l_name, name, sizeof(l->l_name));
	cpu_kthread_setup(l, fn, arg);
	sched_setrunnable(l);
	return l;
}

void
kthread_exit(void)
{
	KASSERT(curlwp->l_proc == &proc0);
	spin_lock(&proc_lock);
	lwp_exit_locked(curlwp);
}

void
kthread_join(struct lwp *l)
{
	KASSERT(l->l_proc == &proc0 && (l->l_flag & LW_SYSTEM));
	spin_lock(&proc_lock);
	while (l->l_stat != LSZOMB) {
		if (curlwp == curcpu()->ci_idlelwp) {
			/* An idle LWP cannot sleep: it runs when nothing else does. */
			spin_unlock(&proc_lock);
			sched_yield();
			spin_lock(&proc_lock);
		} else {
			sleep(&proc0.p_lwpcv, &proc_lock, 0, 0);
		}
	}
	KASSERT(!(l->l_flag & LW_REAPING));
	l->l_flag |= LW_REAPING;
	spin_unlock(&proc_lock);
	lwproc_freelwp(l);
}

void
lwp_exit(void)
{
	lwp_exit_status(W_EXITCODE(0));
}

void
lwp_exit_status(int wstatus)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;

	if (l->l_vkernel != NULL)
		vkernel_lwp_exit(l);
	futex_lwp_exit();
	spin_lock(&proc_lock);
	if (p->p_nlive == 1 && p->p_exiter == NULL) {
		spin_unlock(&proc_lock);
		proc_exit(wstatus); /* the last thread's status, as Linux */
	}
	lwp_exit_locked(l);
}

void
proc_kill_locked(struct proc *p, int wstatus)
{
	struct lwp *l;

	KASSERT(spin_held(&proc_lock));
	if (p->p_stat != SACTIVE)
		return;
	if (!p->p_xstat_set) {
		p->p_xstat = wstatus;
		p->p_xstat_set = true;
	}
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (l->l_stat == LSZOMB)
			continue;
		l->l_flag |= LW_WEXIT;
		sched_interrupt(l);
	}
	wakeup(&p->p_stopcv); /* LWPs parked by a stop */
}

int
proc_single_lwp(void)
{
	struct lwp *l = curlwp, *o, *next;
	struct proc *p = l->l_proc;

	spin_lock(&proc_lock);
	if (p->p_nlive == 1 && p->p_nlwps == 1) {
		spin_unlock(&proc_lock);
		return 0;
	}
	/* Another LWP is exiting p or taking it over: it has told us to go. */
	if (p->p_exiter != NULL || (l->l_flag & LW_WEXIT)) {
		spin_unlock(&proc_lock);
		return -EINTR;
	}
	/* As p's exiter, l makes the others only exit, not end p. */
	p->p_exiter = l;
	p->p_sflag |= PS_LWPEXIT;
	LIST_FOREACH(o, &p->p_lwps, l_sibling)
	{
		if (o == l || o->l_stat == LSZOMB)
			continue;
		o->l_flag |= LW_WEXIT;
		sched_interrupt(o);
	}
	while (p->p_nlive > 1)
		sleep(&p->p_nlive, &proc_lock, 0, 0);
	p->p_exiter = NULL;
	p->p_sflag &= ~PS_LWPEXIT;
	/* Every other LWP is a zombie now and nobody can wait for it. */
	LIST_FOREACH_SAFE(o, &p->p_lwps, l_sibling, next)
	{
		if (o == l)
			continue;
		KASSERT(o->l_stat == LSZOMB && o->l_refcnt == 0);
		o->l_flag |= LW_REAPING;
		spin_unlock(&proc_lock);
		lwproc_freelwp(o);
		spin_lock(&proc_lock);
		next = LIST_FIRST(&p->p_lwps);
	}
	spin_unlock(&proc_lock);
	return 0;
}

/* The status line ABI.md section 1 asks for, then leave the machine. */
static void __noreturn
init_exited(int wstatus)
{
	int s = (wstatus & 0x7f) != 0 ? 128 + (wstatus & 0x7f) :
					(wstatus >> 8) & 0xff;

	kprintf(KERN_EMERG "init: exit status %d\n", s);
	machine_exit(s & 0x7f);
}

void
proc_exit(int wstatus)
{
	struct lwp *l = curlwp, *o;
	struct proc *p = l->l_proc, *child;
	struct vmspace *vm;
	struct filedesc *fdp;

	if (l->l_vkernel != NULL)
		vkernel_lwp_exit(
		    l);   /* out of a guest first, if killed in one */
	futex_lwp_exit(); /* robust futexes, clear_child_tid */
	spin_lock(&proc_lock);
	vfork_done_locked(p); /* a vfork parent goes on */
	if (p->p_exiter != NULL && p->p_exiter != l)
		lwp_exit_locked(l); /* another LWP is tearing p down */
	if (!p->p_xstat_set) {
		p->p_xstat = wstatus;
		p->p_xstat_set = true;
	}
	p->p_exiter = l;
	p->p_sflag |= PS_LWPEXIT;
	p->p_stat = SDYING;

	/* Stop the other LWPs wherever they are, and wait for them. */
	LIST_FOREACH(o, &p->p_lwps, l_sibling)
	{
		if (o == l || o->l_stat == LSZOMB)
			continue;
		o->l_flag |= LW_WEXIT;
		sched_interrupt(o);
	}
	while (p->p_nlive > 1)
		sleep(&p->p_nlive, &proc_lock, 0, 0);
	fdp = p->p_fd;
	p->p_fd = NULL;
	spin_unlock(&proc_lock);
	if (p->p_vkernel != NULL)
		vkernel_exit(p);

	/*
	 * Files and the current directory first: their release may sleep
	 * (vfs_lock), and a sleeping LWP needs its address space to be
	 * switched back in.
	 */
	fd_free(fdp);
	vfs_proc_exit(p);

	/* Then the address space, off its page tables. */
	spin_lock(&proc_lock);
	vm = p->p_vmspace;
	p->p_vmspace = NULL;
	spin_unlock(&proc_lock);
	pmap_activate(pmap_kernel());
	vmspace_rel(vm);

	/*
	 * The orphans go to init.  Init's own children stay where they are:
	 * the machine stops after it (init_exited).
	 */
	spin_lock(&proc_lock);
	while (p != initproc && (child = LIST_FIRST(&p->p_children)) != NULL) {
		LIST_REMOVE(child, p_sibling);
		child->p_pptr = initproc;
		child->p_ppid = 1;
		LIST_INSERT_HEAD(&initproc->p_children, child, p_sibling);
		if (child->p_stat == SDEAD) {
			wakeup(&initproc->p_waitcv);
		} else {
			if (child->p_pdeathsig != 0)
				sig_post_proc(child, child->p_pdeathsig, NULL);
			sig_orphan_check(child, p);
		}
	}
	if (p != initproc)
		sig_orphan_check(p, NULL);
	if (p->p_sid == p->p_pid)
		tty_session_exit_locked(p->p_sid);
	p->p_stat = SDEAD;
	p->p_sflag &= ~(PS_STOPPED | PS_STOPPING | PS_WAITSTOP | PS_WAITCONT);
	wakeup(&p->p_pptr->p_waitcv);
	if (p != initproc) {
		sig_child_exited(p);
		if (p->p_sflag & PS_NOZOMBIE) {
			/* Nobody waits for it: gone now, the reaper frees it. */
			LIST_REMOVE(p, p_sibling);
			p->p_pptr = initproc;
			p->p_ppid = 1;
			LIST_INSERT_HEAD(&proc_autoreap, p, p_sibling);
			wakeup(&proc_autoreap);
		}
	}
	if (p == initproc) {
		spin_unlock(&proc_lock);
		init_exited(p->p_xstat);
	}
	lwp_exit_locked(l);
}
