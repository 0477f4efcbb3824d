/*
 * Syscalls about processes and LWPs: fork, rfork, exit_group, wait4,
 * kill, the ids, lwp_create / lwp_exit / lwp_wait, and the small calls
 * musl makes at start-up (arch_prctl, signal dispositions).  clone,
 * vfork, exit and set_tid_address are in sys_thread.c.
 *
 * Each call first checks and copies in its arguments (decode) and only
 * then changes state (perform), so an error leaves nothing half done.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <proc/thread.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>
#include <asm/prctl.h>
#include <linux/wait.h>

struct proc *
fork_proc(struct vmspace *vm, int fdflags, struct lwp **l2p, int *errp)
{
	struct proc *p = curproc, *p2;

	p2 = lwproc_newproc(p, vm, fdflags, errp);
	if (p2 == NULL) {
		vmspace_rel(vm);
		return NULL;
	}
	*l2p = lwproc_makelwp(p2, errp);
	if (*l2p == NULL) {
		lwproc_abandon(p2); /* drops vm with it */
		return NULL;
	}
	vkernel_inherit(p, p2);
	return p2;
}

void
fork_lwp_setup(struct lwp *l2, uint64_t newsp, bool altstack)
{
	struct lwp *l = curlwp;
	struct trapframe tf;

	strlcpy(l2->l_name, l->l_name, sizeof(l2->l_name));
	cpu_fork_frame(&tf, l->l_md.md_tf);
	if (newsp != 0)
		cpu_frame_set_sp(&tf, newsp);
	cpu_lwp_setup(l2, &tf, l);
	/* The creator's mask; an empty pending set (makelwp). */
	spin_lock(&proc_lock);
	l2->l_sigmask = l->l_sigmask;
	if (altstack) {
		l2->l_ss_sp = l->l_ss_sp;
		l2->l_ss_size = l->l_ss_size;
		l2->l_ss_flags = l->l_ss_flags;
	}
	spin_unlock(&proc_lock);
}

/*
 * fork with an fd table policy (rfork, ABI.md 4.2): RFFDG copies the
 * table, RFCFDG gives a clean one, neither shares it; both, or any other
 * bit, is EINVAL, as lwproc's rump_lwproc_rfork checks.
 */
static long
fork1(int flags)
{
	struct proc *p2;
	struct lwp *l2;
	struct vmspace *vm;
	int error;
	pid_t pid;

	if ((flags & ~(RFFDG | RFCFDG)) != 0 ||
	    (~flags & (RFFDG | RFCFDG)) == 0)
		return -EINVAL;
	vm = vmspace_fork(curproc->p_vmspace);
	if (vm == NULL)
		return -ENOMEM;
	p2 = fork_proc(vm, flags, &l2, &error);
	if (p2 == NULL)
		return error;
	fork_lwp_setup(l2, 0, true);
	pid = p2->p_pid;
	sched_setrunnable(l2);
	return pid; /* p2 may be gone already on another CPU: use the copy */
}

long
sys_fork(void)
{
	return fork1(RFFDG);
}

long
sys_rfork(int flags)
{
	return fork1(flags);
}

long
sys_exit_group(int status)
{
	proc_exit(W_EXITCODE(status));
}

#define RUSAGE_SIZE 144
#define WAIT4_OPTIONS \
	(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)
#define WAITID_OPTIONS                                                       \
	(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | \
	    __WALL | __WCLONE)

/*
 * Which children a wait selects, and what it reports: wait4's pid and
 * options, or waitid's idtype, id and options (with WEXITED; wait4's
 * own options imply it).
 */
struct wait_sel {
	enum {
		WS_ANY,
		WS_PID,
		WS_PGID
	} ws_kind;
	pid_t ws_id; /* WS_PID: the process; WS_PGID: the group (may be 0) */
	int ws_options;
};

/*
 * Whether ws selects child: by pid and group, then a child whose exit
 * signal is not SIGCHLD only with __WCLONE or __WALL (and only those
 * with __WCLONE).  proc_lock held.
 */
static bool
wait_selects(struct proc *child, const struct wait_sel *ws)
{
	bool clone = child->p_exitsig != SIGCHLD;

	if (ws->ws_kind == WS_PID && child->p_pid != ws->ws_id)
		return false;
	if (ws->ws_kind == WS_PGID && child->p_pgid != ws->ws_id)
		return false;
	return (ws->ws_options & __WALL) ||
	    clone == ((ws->ws_options & __WCLONE) != 0);
}

/* What a wait can do with one child. */
enum wait_what {
	WAIT_SKIP,   /* not selected, or another LWP of the parent reaps it */
	WAIT_WAIT,   /* selected, nothing to report yet */
	WAIT_REAP,   /* dead: reap it (or, with WNOWAIT, report it) */
	WAIT_REPORT, /* stopped or continued: report *st */
};

/*
 * Look at child for ws; a stop or continue to report is taken (its
 * PS_WAIT* flag cleared, unless WNOWAIT) and its status put in *st, as
 * wait4 gives it.  A dead child is WAIT_WAIT without WEXITED: selected,
 * never reported.  proc_lock held.
 */
static enum wait_what
wait_examine(struct proc *child, const struct wait_sel *ws, int *st)
{
	int options = ws->ws_options;

	if (!wait_selects(child, ws))
		return WAIT_SKIP;
	if (child->p_sflag & PS_REAPING)
		return WAIT_SKIP; /* another LWP of p reaps it */
	if (child->p_stat == SDEAD)
		return (options & WEXITED) ? WAIT_REAP : WAIT_WAIT;
	if ((options & WSTOPPED) && (child->p_sflag & PS_WAITSTOP)) {
		if (!(options & WNOWAIT))
			child->p_sflag &= ~PS_WAITSTOP;
		*st = W_STOPCODE(child->p_xsig);
		return WAIT_REPORT;
	}
	if ((options & WCONTINUED) && (child->p_sflag & PS_WAITCONT)) {
		if (!(options & WNOWAIT))
			child->p_sflag &= ~PS_WAITCONT;
		*st = W_CONTINUED;
		return WAIT_REPORT;
	}
	return WAIT_WAIT;
}

/*
 * The children of p that ws selects, most urgent first: a child to reap
 * or report (in *childp), else WAIT_WAIT if some child is selected, else
 * WAIT_SKIP.  A pid names its child through the pid hash, so waiting
 * for one child costs the same however many the parent has.  proc_lock
 * held.
 */
static enum wait_what
wait_scan(struct proc *p, const struct wait_sel *ws, int *st,
    struct proc **childp)
{
	enum wait_what what, any = WAIT_SKIP;
	struct proc *child;

	if (ws->ws_kind == WS_PID) {
		child = proc_find(ws->ws_id);
		if (child == NULL || child->p_pptr != p)
			return WAIT_SKIP;
		*childp = child;
		return wait_examine(child, ws, st);
	}
	LIST_FOREACH(child, &p->p_children, p_sibling)
	{
		what = wait_examine(child, ws, st);
		if (what == WAIT_REAP || what == WAIT_REPORT) {
			*childp = child;
			return what;
		}
		if (what == WAIT_WAIT)
			any = WAIT_WAIT;
	}
	return any;
}

/*
 * Wait as ws says (the caller checked its options) until a child of the
 * caller can be reaped or reported: 0 with *childp and *whatp (its
 * status in *st for WAIT_REPORT), with proc_lock held; 1 with WNOHANG
 * and nothing yet, -ECHILD or -ERESTARTSYS, with it not held.  A child
 * to reap without WNOWAIT is claimed (PS_REAPING): the caller alone
 * reaps it.  No locks held on entry.
 */
static int
wait_for_child(const struct wait_sel *ws, struct proc **childp,
    enum wait_what *whatp, int *st)
{
	struct proc *p = curproc;
	enum wait_what what;

	spin_lock(&proc_lock);
	for (;;) {
		what = wait_scan(p, ws, st, childp);
		if (what == WAIT_REAP || what == WAIT_REPORT)
			break;
		if (what == WAIT_SKIP) {
			spin_unlock(&proc_lock);
			return -ECHILD;
		}
		if (ws->ws_options & WNOHANG) {
			spin_unlock(&proc_lock);
			return 1;
		}
		if (sleep(&p->p_waitcv, &proc_lock, SLEEP_INTR, 0) != 0) {
			spin_unlock(&proc_lock);
			return -ERESTARTSYS;
		}
	}
	if (what == WAIT_REAP && !(ws->ws_options & WNOWAIT))
		(*childp)->p_sflag |= PS_REAPING; /* stays listed till reaped */
	*whatp = what;
	return 0;
}

/*
 * wait4(pid, status, options, rusage): collect a dead child, or report
 * one that stopped (WUNTRACED) or continued (WCONTINUED).  Several LWPs
 * of the parent may wait at once: the first to find a dead child claims
 * it under proc_lock (PS_REAPING) and is the only one to reap it; to
 * every other waiter a claimed child is already gone, as an EXIT_DEAD
 * task is to Linux's wait, so a waiter left with no other child to wait
 * for gets ECHILD.  A stop or continue is reported once (PS_WAITSTOP,
 * PS_WAITCONT are cleared by the report).  Returns the child's pid, 0
 * (WNOHANG, nothing to report yet), or -EINVAL, -EFAULT, -ECHILD,
 * -ERESTARTSYS.  No locks held.
 */
long
sys_wait4(pid_t pid, int *status, int options, void *rusage)
{
	struct proc *p = curproc, *child;
	struct wait_sel ws = { WS_ANY, 0, options | WEXITED };
	enum wait_what what;
	struct rusage ru;
	int error, st = 0;
	pid_t cpid;

	if (options & ~WAIT4_OPTIONS)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	/* Probe the output pointers first, so EFAULT loses no child. */
	if (status != NULL && copyout_zero(status, sizeof(int)) != 0)
		return -EFAULT;
	if (rusage != NULL && copyout_zero(rusage, RUSAGE_SIZE) != 0)
		return -EFAULT;
	if (pid > 0) {
		ws.ws_kind = WS_PID;
		ws.ws_id = pid;
	} else if (pid < -1) {
		ws.ws_kind = WS_PGID;
		ws.ws_id = -pid;
	} else if (pid == 0) {
		ws.ws_kind = WS_PGID;
		ws.ws_id = __atomic_load_n(&p->p_pgid, __ATOMIC_RELAXED);
	}

	error = wait_for_child(&ws, &child, &what, &st);
	if (error != 0)
		return error < 0 ? error : 0;
	cpid = child->p_pid;
	if (what == WAIT_REPORT) {
		spin_unlock(&proc_lock);
		if (status != NULL && copyout(&st, status, sizeof(st)) != 0)
			return -EFAULT;
		return cpid;
	}
	/* Ours alone from here: it stays on p_children until reaped. */
	st = child->p_xstat;
	resource_reap_locked(p, child, &ru);
	spin_unlock(&proc_lock);
	proc_reap(child);
	if (status != NULL && copyout(&st, status, sizeof(st)) != 0)
		return -EFAULT;
	if (rusage != NULL && copyout(&ru, rusage, sizeof(ru)) != 0)
		return -EFAULT;
	return cpid;
}

/*
 * The fields of a siginfo_t waitid stores (Linux's kernel_waitid writes
 * these six and no other): si_signo, si_errno, si_code, the pad, si_pid,
 * si_uid, si_status.
 */
#define WAITID_INFO_SIZE 28
CTASSERT(offsetof(siginfo_t, si_status) + sizeof(int) == WAITID_INFO_SIZE);

/*
 * waitid(idtype, id, infop, options, rusage): as wait4, with the child
 * chosen by P_ALL, P_PID or P_PGID (id 0: the caller's group), what to
 * report in options (WEXITED, WSTOPPED, WCONTINUED; WNOWAIT leaves the
 * child waitable), and the answer as SIGCHLD's siginfo at infop (all 0
 * under WNOHANG with nothing to report).  Linux's checks in Linux's
 * order; P_PIDFD is EBADF, as for a descriptor that is no pidfd (there
 * are none).  Returns 0, or -EINVAL, -EBADF, -EFAULT, -ECHILD,
 * -ERESTARTSYS.  No locks held.
 */
long
sys_waitid(int idtype, int id, siginfo_t *infop, int options, void *rusage)
{
	struct proc *p = curproc, *child;
	struct wait_sel ws = { WS_ANY, 0, options };
	enum wait_what what;
	struct rusage ru;
	siginfo_t info;
	int error, st = 0;

	if (options & ~WAITID_OPTIONS)
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		ws.ws_kind = WS_PID;
		ws.ws_id = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		ws.ws_kind = WS_PGID;
		ws.ws_id = id != 0 ?
		    id :
		    __atomic_load_n(&p->p_pgid, __ATOMIC_RELAXED);
		break;
	case P_PIDFD:
		return id < 0 ? -EINVAL : -EBADF;
	default:
		return -EINVAL;
	}
	/* Probe the output pointers first, so EFAULT loses no child. */
	if (infop != NULL && copyout_zero(infop, WAITID_INFO_SIZE) != 0)
		return -EFAULT;
	if (rusage != NULL && copyout_zero(rusage, RUSAGE_SIZE) != 0)
		return -EFAULT;

	error = wait_for_child(&ws, &child, &what, &st);
	if (error < 0)
		return error;
	memset(&info, 0, sizeof(info));
	memset(&ru, 0, sizeof(ru));
	if (error == 0) {
		info.si_signo = SIGCHLD;
		info.si_pid = child->p_pid;
		info.si_uid = child->p_cred.cr_ruid;
		if (what == WAIT_REAP)
			st = child->p_xstat;
		sig_child_status(st, &info);
		if (what == WAIT_REAP && !(options & WNOWAIT)) {
			resource_reap_locked(p, child, &ru);
			spin_unlock(&proc_lock);
			proc_reap(child);
		} else {
			resource_child_usage_locked(child, &ru);
			spin_unlock(&proc_lock);
		}
	}
	if (infop != NULL && copyout(&info, infop, WAITID_INFO_SIZE) != 0)
		return -EFAULT;
	if (rusage != NULL && copyout(&ru, rusage, sizeof(ru)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_LIGHT long
sys_getpid(void)
{
	return curproc->p_pid;
}

SYSCALL_LIGHT long
sys_getppid(void)
{
	/* One aligned load: reparenting under proc_lock cannot tear it. */
	return __atomic_load_n(&curproc->p_ppid, __ATOMIC_RELAXED);
}

SYSCALL_LIGHT long
sys_gettid(void)
{
	return curlwp->l_lid;
}

SYSCALL_LIGHT long
sys_lwp_gettid(void)
{
	return curlwp->l_lid;
}

long
sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

long
sys_lwp_create(struct lwp_params *uparams)
{
	struct lwp *l = curlwp, *l2;
	struct lwp_params lp;
	struct trapframe tf;
	int error, lid;

	if (copyin(uparams, &lp, sizeof(lp)) != 0)
		return -EFAULT;
	if ((vaddr_t)lp.lwp_func >= VM_MAX_USER_ADDRESS ||
	    (vaddr_t)lp.lwp_stack >= VM_MAX_USER_ADDRESS)
		return -EINVAL;
	l2 = lwproc_makelwp(l->l_proc, &error);
	if (l2 == NULL)
		return error;
	lid = l2->l_lid;
	if ((lp.lwp_tid1 != NULL &&
		copyout(&lid, lp.lwp_tid1, sizeof(lid)) != 0) ||
	    (lp.lwp_tid2 != NULL &&
		copyout(&lid, lp.lwp_tid2, sizeof(lid)) != 0)) {
		lwproc_abandon_lwp(l2);
		return -EFAULT;
	}
	l2->l_sigmask = l->l_sigmask;
	cpu_lwp_entry_frame(&tf, (vaddr_t)lp.lwp_func, (vaddr_t)lp.lwp_arg,
	    (vaddr_t)lp.lwp_stack);
	cpu_lwp_setup(l2, &tf, l);
	sched_setrunnable(l2);
	return 0;
}

long
sys_lwp_exit(void)
{
	lwp_exit();
}

/*
 * The LWP of p with id lid that has started and that nobody has reaped,
 * or NULL.  An LWP still being made (LSIDL) is not there yet: lwp_create
 * may still undo it (lwproc_abandon_lwp), so nobody may hold it.  The
 * caller must hold proc_lock.
 */
static struct lwp *
lwp_find(struct proc *p, lwpid_t lid)
{
	struct lwp *l;
	bool made;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (l->l_lid != lid || (l->l_flag & LW_REAPING))
			continue;
		/*
		 * Read without l's own lock (l_mutex): LSIDL ends once, when
		 * lwp_create makes l runnable, and from then on nothing
		 * undoes l but its exit.
		 */
		made = __atomic_load_n(&l->l_stat, __ATOMIC_ACQUIRE) != LSIDL;
		return made ? l : NULL;
	}
	return NULL;
}

/*
 * lwp_wait(lid): wait for LWP lid of the calling process to exit, and
 * free it.  Each waiter holds the target (lwp_hold) while it sleeps; the
 * first to find it a zombie claims it under proc_lock (LW_REAPING) and
 * frees it once the other holds are gone, and every other waiter, then
 * or later, gets ESRCH as for an LWP already reaped.  Returns 0, or
 * -ESRCH, -EDEADLK (own id), -EINTR.  The exiting LWP must be LSZOMB
 * under proc_lock by the time its wakeup of p_lwpcv can be seen
 * (lwp_exit_locked).  No locks held.
 */
long
sys_lwp_wait(int lid)
{
	struct lwp *l = curlwp, *t;
	struct proc *p = l->l_proc;
	int error;

	spin_lock(&proc_lock);
	t = lwp_find(p, lid);
	if (t == NULL) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	if (t == l) {
		spin_unlock(&proc_lock);
		return -EDEADLK;
	}
	/* Hold t while asleep; another waiter may claim it first. */
	lwp_hold(t);
	while (t->l_stat != LSZOMB && !(t->l_flag & LW_REAPING)) {
		error = sleep(&p->p_lwpcv, &proc_lock, SLEEP_INTR, 0);
		if (error != 0) {
			lwp_rele(t);
			spin_unlock(&proc_lock);
			return -EINTR;
		}
	}
	if (t->l_flag & LW_REAPING) {
		lwp_rele(t);
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	t->l_flag |= LW_REAPING;
	lwp_rele(t);
	while (t->l_refcnt > 0)
		sleep(&t->l_refcnt, &proc_lock, 0, 0);
	spin_unlock(&proc_lock);
	wakeup(&p->p_lwpcv); /* other waiters for t: it is gone */
	lwproc_freelwp(t);
	return 0;
}

long
sys_arch_prctl(int code, uint64_t addr)
{
	struct lwp *l = curlwp;
	uint64_t base;

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= VM_MAX_USER_ADDRESS)
			return -EPERM;
		cpu_set_fsbase(l, addr);
		return 0;
	case ARCH_GET_FS:
		/* The base in use now, which a segment load may have changed. */
		base = cpu_get_fsbase(l);
		return copyout(&base, (void *)addr, sizeof(base));
	default:
		return -EINVAL;
	}
}
