/*
 * Signals: posting, delivery, default actions and job control.  The
 * state and the protocol are described in signalvar.h; the syscalls are
 * in sys_sig.c, the user frame in arch/x86_64/sig_machdep.c.
 *
 * Locking.  Every field of signal state (dispositions, masks, pending
 * sets, the stop state, LW_PENDSIG) is guarded by proc_lock.  A posted
 * signal reaches its LWP through LW_PENDSIG and sched_interrupt, under
 * proc_lock; the LWP acts on it in sig_deliver, on its way back to user
 * mode, with no lock held while it writes the user frame.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <vm/vm_vmspace.h>

/* What a signal does when its disposition is SIG_DFL (POSIX). */
enum sig_default {
	SD_TERM, /* end the process */
	SD_CORE, /* end it "with a core" (the wait status says so) */
	SD_STOP, /* stop it */
	SD_CONT, /* continue it (done when posted), else ignore */
	SD_IGN,  /* ignore */
};

static enum sig_default
sig_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SD_CORE;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SD_STOP;
	case SIGCONT:
		return SD_CONT;
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return SD_IGN;
	default:
		return SD_TERM;
	}
}

#define SIG_STOPSIGS \
	(SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
/* Delivered first, as Linux's SYNCHRONOUS_MASK: faults. */
#define SIG_SYNCHRONOUS                                                        \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
	    SIGBIT(SIGFPE) | SIGBIT(SIGSYS))

static const char *const sig_names[NSIG] = {
	[SIGHUP] = "SIGHUP",
	[SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",
	[SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",
	[SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

const char *
sig_name(int sig)
{
	static char buf[16];

	if (sig > 0 && sig < NSIG && sig_names[sig] != NULL)
		return sig_names[sig];
	ksnprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

/* ---------------------------------------------------------------------
 * Pending sets.
 */

/* The most siginfo entries a process may have queued (RLIMIT_SIGPENDING). */
static uint64_t
sig_queue_limit(struct proc *p)
{
	return p->p_rlimit[RLIMIT_SIGPENDING].rlim_cur;
}

/* Entries queued on p and its LWPs.  The caller holds proc_lock. */
static uint64_t
sig_queued(struct proc *p)
{
	struct ksiginfo *ksi;
	struct lwp *l;
	uint64_t n = 0;

	TAILQ_FOREACH(ksi, &p->p_sigpend.sp_queue, ksi_list)
	n++;
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		TAILQ_FOREACH(ksi, &l->l_sigpend.sp_queue, ksi_list)
		n++;
	}
	return n;
}

/*
 * Queued siginfo entries come from a fixed pool first (taken and given
 * back under proc_lock), so posting a signal usually allocates nothing,
 * and from kmalloc when it is empty.  The pool is static: the kernel
 * heap's use does not change with it.
 */
#define KSI_POOL_SIZE 64
static struct ksiginfo ksi_pool[KSI_POOL_SIZE];
static struct ksiginfo_queue ksi_pool_free =
    TAILQ_HEAD_INITIALIZER(ksi_pool_free);
static bool ksi_pool_filled; /* (P) */

static bool
ksi_from_pool(const struct ksiginfo *ksi)
{
	return ksi >= ksi_pool && ksi < ksi_pool + KSI_POOL_SIZE;
}

/* A free entry, or NULL.  proc_lock held. */
static struct ksiginfo *
ksi_alloc_locked(void)
{
	struct ksiginfo *ksi;

	KASSERT(spin_held(&proc_lock));
	if (__predict_false(!ksi_pool_filled)) {
		for (int i = 0; i < KSI_POOL_SIZE; i++)
			TAILQ_INSERT_TAIL(&ksi_pool_free, &ksi_pool[i],
			    ksi_list);
		ksi_pool_filled = true;
	}
	ksi = TAILQ_FIRST(&ksi_pool_free);
	if (ksi != NULL) {
		TAILQ_REMOVE(&ksi_pool_free, ksi, ksi_list);
		return ksi;
	}
	return kmalloc(sizeof(*ksi), 0);
}

void
ksi_free_locked(struct ksiginfo *ksi)
{
	KASSERT(spin_held(&proc_lock));
	if (ksi == NULL)
		return;
	if (ksi_from_pool(ksi))
		TAILQ_INSERT_HEAD(&ksi_pool_free, ksi, ksi_list);
	else
		kfree(ksi);
}

void
ksi_free(struct ksiginfo *ksi)
{
	if (ksi == NULL)
		return;
	if (!ksi_from_pool(ksi)) {
		kfree(ksi);
		return;
	}
	spin_lock(&proc_lock);
	TAILQ_INSERT_HEAD(&ksi_pool_free, ksi, ksi_list);
	spin_unlock(&proc_lock);
}

/*
 * Add sig with info to sp.  A standard signal already pending is not
 * queued again; a real-time one is, as long as the limit allows.  With
 * no memory (or over the limit, for a standard signal) the signal is
 * still pending, with a siginfo made from its number alone.  Returns
 * -EAGAIN only for a real-time signal over the limit (sigqueue's
 * EAGAIN).  The caller holds proc_lock.
 */
static int
sigpending_add(struct proc *p, struct sigpending *sp, int sig,
    const siginfo_t *info)
{
	struct ksiginfo *ksi;

	KASSERT(spin_held(&proc_lock));
	if (sig < SIGRTMIN && (sp->sp_set & SIGBIT(sig)))
		return 0;
	if (sig >= SIGRTMIN && info != NULL && info->si_code != SI_KERNEL &&
	    sig_queued(p) >= sig_queue_limit(p))
		return -EAGAIN;
	sp->sp_set |= SIGBIT(sig);
	if (info == NULL)
		return 0;
	ksi = ksi_alloc_locked();
	if (ksi == NULL)
		return 0;
	ksi->ksi_info = *info;
	TAILQ_INSERT_TAIL(&sp->sp_queue, ksi, ksi_list);
	return 0;
}

/*
 * Take sig off sp, filling *info: from its first queued entry, or made
 * up (SI_KERNEL) if it has none.  The bit stays while more entries of a
 * real-time signal are queued.  The caller holds proc_lock.  Returns
 * the entry to free (after unlocking), or NULL.
 */
static struct ksiginfo *
sigpending_take(struct sigpending *sp, int sig, siginfo_t *info)
{
	struct ksiginfo *ksi, *found = NULL;
	bool more = false;

	TAILQ_FOREACH(ksi, &sp->sp_queue, ksi_list)
	{
		if (ksi->ksi_info.si_signo != sig)
			continue;
		if (found == NULL) {
			found = ksi;
		} else {
			more = true;
			break;
		}
	}
	if (found != NULL) {
		TAILQ_REMOVE(&sp->sp_queue, found, ksi_list);
		*info = found->ksi_info;
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
	}
	if (!more)
		sp->sp_set &= ~SIGBIT(sig);
	return found;
}

/*
 * Drop the signals in set from sp; the dropped entries go on *dead, to
 * be freed after unlocking.  The caller holds proc_lock.
 */
static void
sigpending_drop(struct sigpending *sp, uint64_t set,
    struct ksiginfo_queue *dead)
{
	struct ksiginfo *ksi, *next;

	if ((sp->sp_set & set) == 0)
		return;
	sp->sp_set &= ~set;
	TAILQ_FOREACH_SAFE(ksi, &sp->sp_queue, ksi_list, next)
	{
		if (SIGBIT(ksi->ksi_info.si_signo) & set) {
			TAILQ_REMOVE(&sp->sp_queue, ksi, ksi_list);
			TAILQ_INSERT_TAIL(dead, ksi, ksi_list);
		}
	}
}

void
sigqueue_free_locked(struct ksiginfo_queue *q)
{
	struct ksiginfo *ksi;

	while ((ksi = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, ksi, ksi_list);
		ksi_free_locked(ksi);
	}
}

void
sigqueue_free(struct ksiginfo_queue *q)
{
	struct ksiginfo *ksi;

	while ((ksi = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, ksi, ksi_list);
		ksi_free(ksi);
	}
}

void
sigpending_free(struct sigpending *sp)
{
	sigqueue_free(&sp->sp_queue);
	sp->sp_set = 0;
}

/* Drop set from every pending set of p.  The caller holds proc_lock. */
static void
sig_drop_all(struct proc *p, uint64_t set, struct ksiginfo_queue *dead)
{
	struct lwp *l;

	sigpending_drop(&p->p_sigpend, set, dead);
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	sigpending_drop(&l->l_sigpend, set, dead);
}

void
sig_discard_locked(struct proc *p, int sig, struct ksiginfo_queue *dead)
{
	KASSERT(spin_held(&proc_lock));
	sig_drop_all(p, SIGBIT(sig), dead);
}

/* ---------------------------------------------------------------------
 * Posting.
 */

/* True if sig would be thrown away on arrival.  proc_lock held. */
static bool
sig_ignored(struct proc *p, int sig)
{
	uint64_t h = p->p_sigacts[sig].ka_handler;

	return h == (uint64_t)SIG_IGN ||
	    (h == (uint64_t)SIG_DFL &&
		(sig_default_action(sig) == SD_IGN ||
		    sig_default_action(sig) == SD_CONT));
}

/* An LWP that can be told about a signal: alive and not leaving. */
static bool
lwp_can_signal(const struct lwp *l)
{
	return l->l_stat != LSZOMB && l->l_stat != LSIDL &&
	    !(l->l_flag & (LW_WEXIT | LW_SYSTEM));
}

/*
 * Recompute LW_PENDSIG of l: set while l has a signal it does not block,
 * or its process is stopping.  Returns true if set.  proc_lock held.
 */
static bool
sig_recalc(struct lwp *l)
{
	struct proc *p = l->l_proc;
	uint64_t pend =
	    (l->l_sigpend.sp_set | p->p_sigpend.sp_set) & ~l->l_sigmask;

	KASSERT(spin_held(&proc_lock));
	if (pend != 0 || (p->p_sflag & PS_STOPPING)) {
		l->l_flag |= LW_PENDSIG;
		return true;
	}
	l->l_flag &= ~LW_PENDSIG;
	return false;
}

/*
 * Make l act on its signals soon (curlwp does on its way out to user
 * mode, nothing to interrupt).  proc_lock held.
 */
static void
sig_notify(struct lwp *l)
{
	if (sig_recalc(l) && l != curlwp)
		sched_interrupt(l);
}

/*
 * A process-wide signal in p_sigpend: tell one LWP that does not block
 * it, preferring the caller (a signal to self is taken at once).  LWPs
 * waiting for it in rt_sigtimedwait are woken too.  proc_lock held.
 */
static void
sig_wake_for(struct proc *p, int sig)
{
	struct lwp *l, *target = NULL;

	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (!lwp_can_signal(l))
			continue;
		if (l->l_sigwait & SIGBIT(sig))
			wakeup(&l->l_sigwait);
		if (l->l_sigmask & SIGBIT(sig))
			continue;
		if (target == NULL || l == curlwp)
			target = l;
	}
	if (target != NULL)
		sig_notify(target);
	poll_wakeup(); /* a signalfd may be readable now */
}

/* Tell the parent of p that p stopped or continued.  proc_lock held. */
static void
sig_notify_parent_stop(struct proc *p, int code)
{
	struct proc *pp = p->p_pptr;
	siginfo_t info;

	wakeup(&pp->p_waitcv);
	if (pp->p_sigacts[SIGCHLD].ka_flags & SA_NOCLDSTOP)
		return;
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = code;
	info.si_pid = p->p_pid;
	info.si_status = code == CLD_STOPPED ? p->p_xsig : SIGCONT;
	sig_post_proc(pp, SIGCHLD, &info);
}

/*
 * What posting sig does before it is queued, whoever the target: stop
 * signals cancel a pending SIGCONT and SIGCONT cancels pending stops and
 * continues a stopped process.  Returns false if the signal is then
 * dropped.  proc_lock held.
 */
static bool
sig_prepare(struct proc *p, int sig, struct ksiginfo_queue *dead)
{
	struct lwp *l;
	bool was_stopped;

	if (p->p_stat != SACTIVE || (p->p_sflag & PS_LWPEXIT))
		return false;
	if (sig == SIGKILL) {
		proc_kill_locked(p, W_SIGNALED(SIGKILL));
		return false;
	}
	if (SIGBIT(sig) & SIG_STOPSIGS) {
		sig_drop_all(p, SIGBIT(SIGCONT), dead);
	} else if (sig == SIGCONT) {
		sig_drop_all(p, SIG_STOPSIGS, dead);
		if (p->p_sflag & (PS_STOPPED | PS_STOPPING)) {
			was_stopped = (p->p_sflag & PS_STOPPED) != 0;
			p->p_sflag &= ~(PS_STOPPED | PS_STOPPING | PS_WAITSTOP);
			LIST_FOREACH(l, &p->p_lwps, l_sibling)
			sig_recalc(l);
			wakeup(&p->p_stopcv);
			if (was_stopped) {
				p->p_sflag |= PS_WAITCONT;
				sig_notify_parent_stop(p, CLD_CONTINUED);
			}
		}
	}
	return true;
}

/* A siginfo for a signal sent by the kernel with no more to say. */
static const siginfo_t *
sig_default_info(int sig, siginfo_t *buf, const siginfo_t *info)
{
	if (info != NULL)
		return info;
	memset(buf, 0, sizeof(*buf));
	buf->si_signo = sig;
	buf->si_code = SI_KERNEL;
	return buf;
}

/* Every LWP of p blocks sig.  proc_lock held. */
static bool
sig_blocked_by_all(struct proc *p, int sig)
{
	struct lwp *l;

	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (lwp_can_signal(l) && !(l->l_sigmask & SIGBIT(sig)))
			return false;
	}
	return true;
}

void
sig_post_proc(struct proc *p, int sig, const siginfo_t *info)
{
	struct ksiginfo_queue dead = TAILQ_HEAD_INITIALIZER(dead);
	siginfo_t buf;

	KASSERT(spin_held(&proc_lock));
	KASSERT(sig > 0 && sig < NSIG);
	if (!sig_prepare(p, sig, &dead))
		goto out;
	if (sig_ignored(p, sig) && !sig_blocked_by_all(p, sig))
		goto out;
	if (sigpending_add(p, &p->p_sigpend, sig,
		sig_default_info(sig, &buf, info)) != 0)
		goto out;
	sig_wake_for(p, sig);
out:
	sigqueue_free_locked(&dead);
}

/* sig_post_lwp, returning sigpending_add's -EAGAIN (rt_tgsigqueueinfo). */
static int
sig_post_lwp1(struct lwp *l, int sig, const siginfo_t *info)
{
	struct ksiginfo_queue dead = TAILQ_HEAD_INITIALIZER(dead);
	struct proc *p = l->l_proc;
	siginfo_t buf;
	int error = 0;

	KASSERT(spin_held(&proc_lock));
	if (!sig_prepare(p, sig, &dead) || !lwp_can_signal(l))
		goto out;
	if (sig_ignored(p, sig) && !(l->l_sigmask & SIGBIT(sig)))
		goto out;
	error = sigpending_add(p, &l->l_sigpend, sig,
	    sig_default_info(sig, &buf, info));
	if (error != 0)
		goto out;
	if (l->l_sigwait & SIGBIT(sig))
		wakeup(&l->l_sigwait);
	sig_notify(l);
	poll_wakeup(); /* a signalfd may be readable now */
out:
	sigqueue_free_locked(&dead);
	return error;
}

void
sig_post_lwp(struct lwp *l, int sig, const siginfo_t *info)
{
	(void)sig_post_lwp1(l, sig, info);
}

int
sig_post_lwp_queue(struct lwp *l, int sig, const siginfo_t *info)
{
	return sig_post_lwp1(l, sig, info);
}

int
sig_post_proc_queue(struct proc *p, int sig, const siginfo_t *info)
{
	struct ksiginfo_queue dead = TAILQ_HEAD_INITIALIZER(dead);
	int error = 0;

	KASSERT(spin_held(&proc_lock));
	if (!sig_prepare(p, sig, &dead))
		goto out;
	if (sig_ignored(p, sig) && !sig_blocked_by_all(p, sig))
		goto out;
	error = sigpending_add(p, &p->p_sigpend, sig, info);
	if (error == 0)
		sig_wake_for(p, sig);
out:
	sigqueue_free_locked(&dead);
	return error;
}

bool
sig_trap(int sig, int code, uint64_t addr)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	struct ksigaction *ka = &p->p_sigacts[sig];
	siginfo_t info;
	bool fatal;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void *)addr;
	spin_lock(&proc_lock);
	/* Blocked or ignored: the default action, as force_sig_fault. */
	if ((l->l_sigmask & SIGBIT(sig)) ||
	    ka->ka_handler == (uint64_t)SIG_IGN) {
		ka->ka_handler = (uint64_t)SIG_DFL;
		l->l_sigmask &= ~SIGBIT(sig);
	}
	fatal = ka->ka_handler == (uint64_t)SIG_DFL;
	(void)sigpending_add(p, &l->l_sigpend, sig, &info);
	sig_notify(l);
	spin_unlock(&proc_lock);
	return fatal;
}

void
sig_set_tempmask(uint64_t mask)
{
	struct lwp *l = curlwp;

	spin_lock(&proc_lock);
	l->l_sigsaved = l->l_sigmask;
	l->l_sigstate |= LWS_RESTOREMASK;
	l->l_sigmask = mask & ~SIG_CANTMASK;
	sig_recalc(l);
	spin_unlock(&proc_lock);
}

void
sig_restore_tempmask(void)
{
	struct lwp *l = curlwp;

	if (!(l->l_sigstate & LWS_RESTOREMASK))
		return;
	spin_lock(&proc_lock);
	sig_setmask_locked(l, l->l_sigsaved);
	l->l_sigstate &= ~LWS_RESTOREMASK;
	spin_unlock(&proc_lock);
}

void
sig_setmask_locked(struct lwp *l, uint64_t mask)
{
	struct proc *p = l->l_proc;
	uint64_t newly;

	KASSERT(spin_held(&proc_lock));
	mask &= ~SIG_CANTMASK;
	newly = mask & ~l->l_sigmask & p->p_sigpend.sp_set;
	l->l_sigmask = mask;
	sig_recalc(l);
	/* Process-wide signals l now blocks go to another LWP. */
	for (int sig = 1; newly != 0; sig++) {
		if (newly & SIGBIT(sig)) {
			newly &= ~SIGBIT(sig);
			sig_wake_for(p, sig);
		}
	}
}

/* ---------------------------------------------------------------------
 * Delivery.
 */

/* The number of the next signal l should take, or 0.  proc_lock held. */
static int
sig_next(struct lwp *l)
{
	struct proc *p = l->l_proc;
	uint64_t pend =
	    (l->l_sigpend.sp_set | p->p_sigpend.sp_set) & ~l->l_sigmask;

	if (pend == 0)
		return 0;
	if (pend & SIG_SYNCHRONOUS)
		pend &= SIG_SYNCHRONOUS;
	return __builtin_ctzl(pend) + 1;
}

/*
 * Take sig, pending for l, filling *info: from l's own set first, as
 * Linux's dequeue_signal.  Returns an entry for ksi_free after unlocking.
 * proc_lock held.
 */
static struct ksiginfo *
sig_take(struct lwp *l, int sig, siginfo_t *info)
{
	if (l->l_sigpend.sp_set & SIGBIT(sig))
		return sigpending_take(&l->l_sigpend, sig, info);
	return sigpending_take(&l->l_proc->p_sigpend, sig, info);
}

int
sig_dequeue(struct lwp *l, uint64_t set, siginfo_t *info,
    struct ksiginfo **freep)
{
	struct proc *p = l->l_proc;
	uint64_t pend = (l->l_sigpend.sp_set | p->p_sigpend.sp_set) & set;
	int sig;

	KASSERT(spin_held(&proc_lock));
	if (pend == 0)
		return 0;
	if (pend & SIG_SYNCHRONOUS)
		pend &= SIG_SYNCHRONOUS;
	sig = __builtin_ctzl(pend) + 1;
	*freep = sig_take(l, sig, info);
	sig_recalc(l);
	return sig;
}

/* An ERESTART* code in a syscall frame's rax. */
static bool
sig_restart_code(const struct trapframe *tf)
{
	long rv = (long)tf->tf_rax;

	return tf->tf_trapno == T_SYSCALL && rv <= -ERESTARTSYS &&
	    rv >= -ERESTART_RESTARTBLOCK;
}

/*
 * The interrupted call in tf goes on as if no handler ran: run it again
 * (rewinding rip over the 2-byte syscall instruction), or go on with
 * restart_syscall for ERESTART_RESTARTBLOCK.
 */
static void
sig_restart_syscall(struct lwp *l, struct trapframe *tf)
{
	if ((long)tf->tf_rax == -ERESTART_RESTARTBLOCK)
		tf->tf_rax = SYS_restart_syscall;
	else
		tf->tf_rax = l->l_syscall;
	tf->tf_rip -= 2;
}

/* The call in tf was interrupted by a handler with flags ka_flags. */
static void
sig_handler_restart(struct lwp *l, struct trapframe *tf, uint64_t ka_flags)
{
	long rv = (long)tf->tf_rax;

	if (rv == -ERESTARTNOINTR ||
	    (rv == -ERESTARTSYS && (ka_flags & SA_RESTART)))
		sig_restart_syscall(l, tf);
	else
		tf->tf_rax = (uint64_t)-EINTR;
}

/*
 * Park the calling LWP while its process is stopped; the last LWP to
 * park completes the stop and tells the parent.  Returns with proc_lock
 * held again, once continued or told to exit.  proc_lock held.
 */
static void
sig_stop_park(struct lwp *l)
{
	struct proc *p = l->l_proc;

	p->p_nstopped++;
	sig_stop_check(p);
	l->l_flag &= ~LW_PENDSIG;
	while ((p->p_sflag & (PS_STOPPED | PS_STOPPING)) &&
	    !(l->l_flag & LW_WEXIT))
		sleep(&p->p_stopcv, &proc_lock, 0, 0);
	p->p_nstopped--;
	sig_recalc(l);
}

void
sig_stop_check(struct proc *p)
{
	KASSERT(spin_held(&proc_lock));
	if ((p->p_sflag & PS_STOPPING) && p->p_nstopped >= p->p_nlive &&
	    p->p_nlive > 0) {
		p->p_sflag &= ~(PS_STOPPING | PS_WAITCONT);
		p->p_sflag |= PS_STOPPED | PS_WAITSTOP;
		sig_notify_parent_stop(p, CLD_STOPPED);
	}
}

/* Start stopping p for sig: every LWP parks.  proc_lock held. */
static void
sig_stop_start(struct proc *p, int sig)
{
	struct lwp *o;

	if (p->p_sflag & (PS_STOPPED | PS_STOPPING))
		return;
	p->p_xsig = sig;
	p->p_sflag |= PS_STOPPING;
	LIST_FOREACH(o, &p->p_lwps, l_sibling)
	{
		if (lwp_can_signal(o) && o != curlwp)
			sig_notify(o);
	}
}

/*
 * Process group pgid of session sid is orphaned, or will be once ignore
 * is gone: no other member has a parent in another group of the same
 * session (POSIX; Linux's will_become_orphaned_pgrp).  Zombies and the
 * children of init do not count.  proc_lock held.
 */
static bool
pgrp_orphaned(pid_t pgid, pid_t sid, const struct proc *ignore)
{
	struct proc *p, *pp;

	KASSERT(spin_held(&proc_lock));
	PROC_FOREACH(p)
	{
		if (p == ignore || p == &proc0 || p->p_stat == SDEAD ||
		    p->p_pgid != pgid || p->p_sid != sid)
			continue;
		pp = p->p_pptr;
		if (pp != NULL && pp != initproc && pp->p_pgid != pgid &&
		    pp->p_sid == sid)
			return false;
	}
	return true;
}

/* Some member of group pgid of session sid is stopped.  proc_lock held. */
static bool
pgrp_has_stopped(pid_t pgid, pid_t sid)
{
	struct proc *p;

	PROC_FOREACH(p)
	{
		if (p != &proc0 && p->p_stat != SDEAD && p->p_pgid == pgid &&
		    p->p_sid == sid && (p->p_sflag & PS_STOPPED))
			return true;
	}
	return false;
}

bool
sig_pgrp_orphaned(pid_t pgid, pid_t sid)
{
	KASSERT(spin_held(&proc_lock));
	return pgrp_orphaned(pgid, sid, NULL);
}

int
sig_post_pgrp(pid_t pgid, int sig, const siginfo_t *info)
{
	struct proc *p;
	bool found = false;

	KASSERT(spin_held(&proc_lock));
	PROC_FOREACH(p)
	{
		if (p == &proc0 || p->p_stat != SACTIVE || p->p_pgid != pgid)
			continue;
		found = true;
		if (sig != 0)
			sig_post_proc(p, sig, info);
	}
	return found ? 0 : -ESRCH;
}

void
sig_orphan_check(struct proc *p, struct proc *parent)
{
	const struct proc *ignore = NULL;
	struct proc *q;

	KASSERT(spin_held(&proc_lock));
	if (parent == NULL) {
		parent = p->p_pptr; /* p exits: was it the group's link? */
		ignore = p;
	}
	if (parent == NULL || parent->p_pgid == p->p_pgid ||
	    parent->p_sid != p->p_sid ||
	    !pgrp_orphaned(p->p_pgid, p->p_sid, ignore) ||
	    !pgrp_has_stopped(p->p_pgid, p->p_sid))
		return;
	PROC_FOREACH(q)
	{
		if (q != &proc0 && q->p_stat != SDEAD &&
		    q->p_pgid == p->p_pgid && q->p_sid == p->p_sid) {
			sig_post_proc(q, SIGHUP, NULL);
			sig_post_proc(q, SIGCONT, NULL);
		}
	}
}

void
sig_deliver(struct trapframe *tf)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	struct ksigaction ka;
	struct ksiginfo *ksi;
	siginfo_t info;
	uint64_t oldmask;
	int sig, wstatus;

	KASSERT(intr_enabled());
	if ((l->l_flag & LW_PENDSIG) && vkernel_in_guest(l)) {
		/*
		 * First out of the guest, as DragonFly's vkernel_trap; then
		 * the controller's frame is the LWP's user frame.
		 */
		tf->tf_trapno = T_SIGNAL;
		tf->tf_err = 0;
		tf->tf_addr = 0;
		vkernel_trap(l, tf);
		tf = l->l_md.md_tf;
	}
	spin_lock(&proc_lock);
	for (;;) {
		if (l->l_flag & LW_WEXIT)
			break; /* userret ends the LWP */
		if (p->p_sflag & (PS_STOPPING | PS_STOPPED)) {
			sig_stop_park(l);
			continue;
		}
		sig = sig_next(l);
		if (sig == 0)
			break;
		ksi = sig_take(l, sig, &info);
		ka = p->p_sigacts[sig];
		if (ka.ka_handler == (uint64_t)SIG_IGN)
			goto next;
		if (ka.ka_handler == (uint64_t)SIG_DFL) {
			switch (sig_default_action(sig)) {
			case SD_IGN:
			case SD_CONT:
				goto next;
			case SD_STOP:
				/* init never stops; nor does an orphaned
				 * group for the terminal's stop signals. */
				if (p == initproc ||
				    (sig != SIGSTOP &&
					pgrp_orphaned(p->p_pgid, p->p_sid,
					    NULL)))
					goto next;
				sig_stop_start(p, sig);
				goto next;
			case SD_TERM:
			case SD_CORE:
				break;
			}
			if (p == initproc)
				goto next; /* init only gets what it handles */
			wstatus = W_SIGNALED(sig);
			if (sig_default_action(sig) == SD_CORE &&
			    p->p_rlimit[RLIMIT_CORE].rlim_cur != 0)
				wstatus |= WCOREFLAG;
			/*
			 * A fault's console line was printed by trap_user; a
			 * signal sent with kill prints none, as on Linux.
			 */
			proc_kill_locked(p, wstatus);
			ksi_free_locked(ksi);
			continue; /* LW_WEXIT is set */
		}

		/* A handler: it runs with its mask, sigreturn restores ours. */
		oldmask = (l->l_sigstate & LWS_RESTOREMASK) ? l->l_sigsaved :
							      l->l_sigmask;
		l->l_sigstate &= ~LWS_RESTOREMASK;
		l->l_sigmask |= ka.ka_mask;
		if (!(ka.ka_flags & SA_NODEFER))
			l->l_sigmask |= SIGBIT(sig);
		l->l_sigmask &= ~SIG_CANTMASK;
		if (ka.ka_flags & SA_RESETHAND)
			p->p_sigacts[sig].ka_handler = (uint64_t)SIG_DFL;
		sig_recalc(l);
		ksi_free_locked(ksi);
		spin_unlock(&proc_lock);
		if (sig_restart_code(tf))
			sig_handler_restart(l, tf, ka.ka_flags);
		if (sendsig(l, tf, &ka, &info, oldmask) != 0) {
			/* The frame cannot be written: as Linux's force_sigsegv. */
			kprintf("pid %d (%s): cannot deliver %s (bad stack "
				"0x%lx): killed by SIGSEGV\n",
			    p->p_pid, p->p_comm, sig_name(sig), tf->tf_rsp);
			spin_lock(&proc_lock);
			proc_kill_locked(p, W_SIGNALED(SIGSEGV));
			continue;
		}
		spin_lock(&proc_lock);
		continue;
	next:
		ksi_free_locked(ksi);
	}
	/* No handler ran for a temporary mask's call: the old mask is back. */
	if (l->l_sigstate & LWS_RESTOREMASK) {
		l->l_sigstate &= ~LWS_RESTOREMASK;
		sig_setmask_locked(l, l->l_sigsaved);
	}
	sig_recalc(l);
	spin_unlock(&proc_lock);
	if (sig_restart_code(tf) && !(l->l_flag & LW_WEXIT))
		sig_restart_syscall(l, tf);
}

/* ---------------------------------------------------------------------
 * Process life.
 */

void
sig_proc_init(struct proc *p)
{
	p->p_sigpend.sp_set = 0;
	TAILQ_INIT(&p->p_sigpend.sp_queue);
	p->p_exitsig = SIGCHLD;
}

void
sig_flush_handlers_locked(struct proc *p)
{
	KASSERT(spin_held(&proc_lock));
	for (int sig = 1; sig < NSIG; sig++) {
		struct ksigaction *ka = &p->p_sigacts[sig];

		if (ka->ka_handler != (uint64_t)SIG_IGN)
			ka->ka_handler = (uint64_t)SIG_DFL;
		ka->ka_flags = 0;
		ka->ka_restorer = 0;
		ka->ka_mask = 0;
	}
}

void
sig_exec(struct proc *p)
{
	struct lwp *l = curlwp;

	spin_lock(&proc_lock);
	p->p_sflag |= PS_EXECED;
	sig_flush_handlers_locked(p);
	spin_unlock(&proc_lock);
	l->l_ss_sp = 0;
	l->l_ss_size = 0;
	l->l_ss_flags = 0;
}

void
sig_child_status(int st, siginfo_t *info)
{
	if (st == W_CONTINUED) {
		info->si_code = CLD_CONTINUED;
		info->si_status = SIGCONT;
	} else if ((st & 0xff) == 0x7f) {
		info->si_code = CLD_STOPPED;
		info->si_status = (st >> 8) & 0xff;
	} else if ((st & 0x7f) == 0) {
		info->si_code = CLD_EXITED;
		info->si_status = (st >> 8) & 0xff;
	} else {
		info->si_code = (st & WCOREFLAG) ? CLD_DUMPED : CLD_KILLED;
		info->si_status = st & 0x7f;
	}
}

void
sig_child_exited(struct proc *p)
{
	struct proc *pp = p->p_pptr;
	struct ksigaction *ka = &pp->p_sigacts[SIGCHLD];
	int st = p->p_xstat;
	siginfo_t info;

	KASSERT(spin_held(&proc_lock));
	if (p->p_exitsig != 0) {
		memset(&info, 0, sizeof(info));
		info.si_signo = p->p_exitsig;
		info.si_pid = p->p_pid;
		sig_child_status(st, &info);
		info.si_utime = p->p_utime / 10000000;
		info.si_stime = p->p_stime / 10000000;
		sig_post_proc(pp, p->p_exitsig, &info);
	}
	/* A parent that ignores SIGCHLD leaves no zombie. */
	if (p->p_exitsig == SIGCHLD &&
	    (ka->ka_handler == (uint64_t)SIG_IGN ||
		(ka->ka_flags & SA_NOCLDWAIT)))
		p->p_sflag |= PS_NOZOMBIE;
}
