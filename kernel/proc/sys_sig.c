/*
 * The signal syscalls (Linux x86_64): dispositions, masks, waiting for
 * signals, sending them, the alternate stack; and process groups and
 * sessions, which kill and wait4 address.  Each call checks and copies
 * in its arguments before it changes anything.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <clock.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000UL

/* The struct sigaction of rt_sigaction (Linux's kernel_sigaction). */
struct k_sigaction_user {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* The SA_* flags Linux keeps (SA_UNSUPPORTED and unknown bits are dropped). */
#define SA_KNOWN                                                               \
	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_RESTORER | SA_ONSTACK | \
	    SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS)

long
sys_rt_sigaction(int sig, const void *act, void *oact, size_t sigsetsize)
{
	struct proc *p = curproc;
	struct k_sigaction_user ka, old;
	struct ksigaction *cur;
	struct ksiginfo_queue dead = TAILQ_HEAD_INITIALIZER(dead);

	if (sigsetsize != sizeof(uint64_t) || sig < 1 || sig >= NSIG)
		return -EINVAL;
	if (act != NULL) {
		if (copyin(act, &ka, sizeof(ka)) != 0)
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	/* Probe oact first, so that EFAULT changes nothing. */
	if (oact != NULL && copyout_zero(oact, sizeof(old)) != 0)
		return -EFAULT;
	spin_lock(&proc_lock);
	cur = &p->p_sigacts[sig];
	old.handler = cur->ka_handler;
	old.flags = cur->ka_flags;
	old.restorer = cur->ka_restorer;
	old.mask = cur->ka_mask;
	if (act != NULL) {
		cur->ka_handler = ka.handler;
		cur->ka_flags = ka.flags & SA_KNOWN;
		cur->ka_restorer = ka.restorer;
		cur->ka_mask = ka.mask & ~SIG_CANTMASK;
		/* POSIX: a signal set to be ignored is discarded if pending. */
		if (ka.handler == (uint64_t)SIG_IGN ||
		    (ka.handler == (uint64_t)SIG_DFL &&
			(sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH)))
			sig_discard_locked(p, sig, &dead);
	}
	spin_unlock(&proc_lock);
	sigqueue_free(&dead);
	if (oact != NULL && copyout(&old, oact, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_rt_sigprocmask(int how, const void *set, void *oset, size_t sigsetsize)
{
	struct lwp *l = curlwp;
	uint64_t mask = 0, old;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (set != NULL) {
		if (how != SIG_BLOCK && how != SIG_UNBLOCK &&
		    how != SIG_SETMASK)
			return -EINVAL;
		if (copyin(set, &mask, sizeof(mask)) != 0)
			return -EFAULT;
	}
	old = l->l_sigmask; /* only l changes it */
	if (oset != NULL && copyout(&old, oset, sizeof(old)) != 0)
		return -EFAULT;
	if (set != NULL) {
		spin_lock(&proc_lock);
		if (how == SIG_BLOCK)
			mask |= l->l_sigmask;
		else if (how == SIG_UNBLOCK)
			mask = l->l_sigmask & ~mask;
		sig_setmask_locked(l, mask);
		spin_unlock(&proc_lock);
	}
	return 0;
}

long
sys_rt_sigpending(void *uset, size_t sigsetsize)
{
	struct lwp *l = curlwp;
	uint64_t set;

	if (sigsetsize > sizeof(uint64_t))
		return -EINVAL;
	spin_lock(&proc_lock);
	set =
	    (l->l_sigpend.sp_set | l->l_proc->p_sigpend.sp_set) & l->l_sigmask;
	spin_unlock(&proc_lock);
	return copyout(&set, uset, sigsetsize);
}

/*
 * Sleep until a signal is to be delivered.  Returns -ERESTARTNOHAND
 * (EINTR once the handler runs).  No locks held.
 */
static long
sig_wait_any(void)
{
	int chan; /* nobody wakes it: only a signal ends the sleep */

	while (sleep(&chan, NULL, SLEEP_INTR, 0) == 0)
		;
	return -ERESTARTNOHAND;
}

long
sys_pause(void)
{
	return sig_wait_any();
}

long
sys_rt_sigsuspend(const void *umask, size_t sigsetsize)
{
	uint64_t mask;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copyin(umask, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	sig_set_tempmask(mask);
	return sig_wait_any();
}

long
sys_rt_sigtimedwait(const void *uset, void *uinfo, const struct timespec *uts,
    size_t sigsetsize)
{
	struct lwp *l = curlwp;
	struct ksiginfo *ksi = NULL;
	struct timespec ts;
	uint64_t set, deadline = 0;
	siginfo_t info;
	int sig, error = 0;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copyin(uset, &set, sizeof(set)) != 0)
		return -EFAULT;
	set &= ~SIG_CANTMASK;
	if (uts != NULL) {
		if (copyin(uts, &ts, sizeof(ts)) != 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (long)NSEC_PER_SEC)
			return -EINVAL;
		if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
			ts.tv_sec = UINT64_MAX / NSEC_PER_SEC / 4;
		deadline = nanouptime() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	}
	spin_lock(&proc_lock);
	for (;;) {
		sig = sig_dequeue(l, set, &info, &ksi);
		if (sig != 0)
			break;
		if (uts != NULL && deadline <= nanouptime()) {
			error = -EAGAIN;
			break;
		}
		l->l_sigwait = set;
		error = sleep(&l->l_sigwait, &proc_lock, SLEEP_INTR, deadline);
		l->l_sigwait = 0;
		if (error == -ETIMEDOUT) {
			error = 0; /* the loop looks once more, then EAGAIN */
			continue;
		}
		if (error != 0) {
			/* A signal outside set: its handler runs first. */
			sig = sig_dequeue(l, set, &info, &ksi);
			if (sig == 0)
				error = -EINTR;
			else
				error = 0;
			break;
		}
	}
	spin_unlock(&proc_lock);
	ksi_free(ksi);
	if (error != 0)
		return error;
	if (uinfo != NULL && copyout(&info, uinfo, sizeof(info)) != 0)
		return -EFAULT;
	return sig;
}

/* A siginfo for a signal curproc sends with kill or tkill. */
static void
sig_user_info(siginfo_t *info, int sig, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->si_pid = curproc->p_pid;
	info->si_uid = 0;
}

/*
 * Whether curproc may send sig to p: every process runs as root, but as
 * on Linux init only gets signals it has a handler for, and kernel
 * processes none.  proc_lock held.
 */
static bool
sig_may_send(struct proc *p, int sig)
{
	uint64_t h;

	if (p == &proc0 || p->p_stat != SACTIVE)
		return false;
	if (p != initproc || sig == 0)
		return true;
	h = p->p_sigacts[sig].ka_handler;
	return h != (uint64_t)SIG_DFL && h != (uint64_t)SIG_IGN;
}

/*
 * Post sig (0: only probe) with info to every process the kill pid
 * argument names: one process, a process group, or every process but
 * init and the caller.  Returns 0 or -ESRCH.  proc_lock held.
 */
static int
kill_locked(pid_t pid, int sig, const siginfo_t *info)
{
	struct proc *self = curproc, *p;
	pid_t pgid;
	bool found = false;

	if (pid > 0) {
		p = proc_find(pid);
		if (p == NULL)
			return -ESRCH; /* a zombie is there, and takes nothing */
		if (sig != 0 && sig_may_send(p, sig))
			sig_post_proc(p, sig, info);
		return 0;
	}
	pgid = pid == 0 ? self->p_pgid : -pid;
	PROC_FOREACH(p)
	{
		if (p == &proc0 || (p->p_sflag & PS_NOZOMBIE))
			continue;
		if (pid == -1 ? (p == initproc || p == self) :
				p->p_pgid != pgid)
			continue;
		found = true;
		if (sig != 0 && sig_may_send(p, sig))
			sig_post_proc(p, sig, info);
	}
	return found ? 0 : -ESRCH;
}

long
sys_kill(pid_t pid, int sig)
{
	siginfo_t info;
	int error;

	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH; /* -pid overflows, as Linux */
	sig_user_info(&info, sig, SI_USER);
	spin_lock(&proc_lock);
	error = kill_locked(pid, sig, &info);
	spin_unlock(&proc_lock);
	return error;
}

/* tgkill and tkill: tgid < 0 means any process (tkill).  */
static long
do_tkill(pid_t tgid, pid_t tid, int sig)
{
	struct proc *p = curproc, *tp;
	struct lwp *l = NULL;
	siginfo_t info;

	if (sig < 0 || sig >= NSIG || tid <= 0 || tgid == 0 || tgid < -1)
		return -EINVAL;
	sig_user_info(&info, sig, SI_TKILL);
	spin_lock(&proc_lock);
	if (tgid == -1 || tgid == p->p_pid)
		l = tid_find(p, tid);
	if (l == NULL && tgid == -1 && (tp = proc_find(tid)) != NULL &&
	    tp->p_stat == SACTIVE)
		l = proc_main_lwp(tp);
	if (l == NULL && tgid > 0 && tgid != p->p_pid &&
	    (tp = proc_find(tgid)) != NULL && tp->p_stat == SACTIVE)
		l = tid_find(tp, tid);
	if (l == NULL) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	if (sig != 0 && sig_may_send(l->l_proc, sig))
		sig_post_lwp(l, sig, &info);
	spin_unlock(&proc_lock);
	return 0;
}

long
sys_tkill(pid_t tid, int sig)
{
	return do_tkill(-1, tid, sig);
}

long
sys_tgkill(pid_t tgid, pid_t tid, int sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

/*
 * rt_sigqueueinfo: the user's siginfo goes with the signal.  Linux lets a
 * process forge only si_code < 0 (SI_QUEUE and the like) for others.
 */
long
sys_rt_sigqueueinfo(pid_t pid, int sig, const void *uinfo)
{
	struct proc *p;
	siginfo_t info;
	int error = 0;

	if (copyin(uinfo, &info, sizeof(info)) != 0)
		return -EFAULT;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	info.si_signo = sig;
	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (pid <= 0 || p == NULL || p->p_stat != SACTIVE) {
		error = -ESRCH;
	} else if ((info.si_code >= 0 || info.si_code == SI_TKILL) &&
	    p != curproc) {
		error = -EPERM;
	} else if (sig != 0 && sig_may_send(p, sig)) {
		error = sig_post_proc_queue(p, sig, &info);
	}
	spin_unlock(&proc_lock);
	return error;
}

/* ---------------------------------------------------------------------
 * The alternate signal stack.
 */

long
sys_sigaltstack(const void *uss, void *uoss)
{
	struct lwp *l = curlwp;
	stack_t ss, old;
	uint64_t sp = l->l_md.md_tf->tf_rsp;
	int mode;

	memset(&old, 0, sizeof(old));
	old.ss_sp = (void *)l->l_ss_sp;
	old.ss_size = l->l_ss_size;
	old.ss_flags =
	    sig_altstack_flags(l, sp) | (l->l_ss_flags & SS_AUTODISARM);
	if (uss != NULL) {
		if (copyin(uss, &ss, sizeof(ss)) != 0)
			return -EFAULT;
		if (sig_altstack_flags(l, sp) == SS_ONSTACK)
			return -EPERM;
		mode = ss.ss_flags & ~SS_AUTODISARM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
	}
	if (uoss != NULL && copyout(&old, uoss, sizeof(old)) != 0)
		return -EFAULT;
	if (uss != NULL) {
		if (mode == SS_DISABLE) {
			l->l_ss_sp = 0;
			l->l_ss_size = 0;
			l->l_ss_flags = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			l->l_ss_sp = (uint64_t)ss.ss_sp;
			l->l_ss_size = ss.ss_size;
			l->l_ss_flags = ss.ss_flags & SS_AUTODISARM;
		}
	}
	return 0;
}

void
sig_restore_altstack(struct lwp *l, const stack_t *ss, uint64_t sp)
{
	int mode = ss->ss_flags & ~(SS_AUTODISARM | SS_ONSTACK);

	/* As Linux's restore_altstack: what sigaltstack would accept. */
	if (sig_altstack_flags(l, sp) == SS_ONSTACK)
		return;
	if (mode == SS_DISABLE) {
		l->l_ss_sp = 0;
		l->l_ss_size = 0;
		l->l_ss_flags = 0;
	} else if (mode == 0 && ss->ss_size >= MINSIGSTKSZ) {
		l->l_ss_sp = (uint64_t)ss->ss_sp;
		l->l_ss_size = ss->ss_size;
		l->l_ss_flags = ss->ss_flags & SS_AUTODISARM;
	}
}

/* ---------------------------------------------------------------------
 * Process groups and sessions.  p_pgid and p_sid are (P); a process
 * group exists while some process has its id as p_pgid.
 */

/*
 * Some process other than skip is in process group pgid of session sid;
 * as on Linux, a zombie not yet reaped still is.
 */
static bool
pgrp_exists(pid_t pgid, pid_t sid, struct proc *skip)
{
	struct proc *p;

	PROC_FOREACH(p)
	{
		if (p != skip && p != &proc0 && p->p_pgid == pgid &&
		    (sid < 0 || p->p_sid == sid))
			return true;
	}
	return false;
}

long
sys_setpgid(pid_t pid, pid_t pgid)
{
	struct proc *self = curproc, *p;
	long error = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	p = pid == 0 ? self : proc_find(pid);
	if (p == NULL || p->p_stat == SDEAD ||
	    (p != self && p->p_pptr != self)) {
		error = -ESRCH;
		goto out;
	}
	if (pgid == 0)
		pgid = p->p_pid;
	if (p != self && (p->p_sflag & PS_EXECED)) {
		error = -EACCES;
		goto out;
	}
	if (p->p_sid == p->p_pid || p->p_sid != self->p_sid) {
		error = -EPERM; /* a session leader, or another session */
		goto out;
	}
	if (pgid != p->p_pid && !pgrp_exists(pgid, self->p_sid, NULL)) {
		error = -EPERM;
		goto out;
	}
	p->p_pgid = pgid;
out:
	spin_unlock(&proc_lock);
	return error;
}

/* p's process group (or session with sid): what getpgid/getsid answer. */
static long
proc_group_id(pid_t pid, bool sid)
{
	struct proc *p;
	long rv;

	if (pid < 0)
		return -ESRCH;
	spin_lock(&proc_lock);
	p = pid == 0 ? curproc : proc_find(pid);
	/* A zombie still answers, as on Linux. */
	if (p == NULL)
		rv = -ESRCH;
	else
		rv = sid ? p->p_sid : p->p_pgid;
	spin_unlock(&proc_lock);
	return rv;
}

long
sys_getpgid(pid_t pid)
{
	return proc_group_id(pid, false);
}

long
sys_getpgrp(void)
{
	return proc_group_id(0, false);
}

long
sys_getsid(pid_t pid)
{
	return proc_group_id(pid, true);
}

long
sys_setsid(void)
{
	struct proc *p = curproc;
	long rv;

	spin_lock(&proc_lock);
	/* A process group leader, or anyone's group has our id: EPERM. */
	if (p->p_pgid == p->p_pid || pgrp_exists(p->p_pid, -1, p)) {
		rv = -EPERM;
	} else {
		p->p_sid = p->p_pgid = p->p_pid;
		rv = p->p_sid;
	}
	spin_unlock(&proc_lock);
	return rv;
}
