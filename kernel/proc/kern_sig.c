/*
 * Signals: see signalvar.h.  (Being built: posting ends the process for
 * a default-terminate signal; handlers come with the delivery code.)
 */
#include <systm.h>
#include <errno.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>

void
sig_post_proc(struct proc *p, int sig, const siginfo_t *info)
{
	(void)info;
	KASSERT(spin_held(&proc_lock));
	if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
	    (sig >= SIGCONT && sig <= SIGTTOU) ||
	    p->p_sigacts[sig].ka_handler != (uint64_t)SIG_DFL)
		return;
	proc_kill_locked(p, W_SIGNALED(sig));
}

void
sig_post_lwp(struct lwp *l, int sig, const siginfo_t *info)
{
	sig_post_proc(l->l_proc, sig, info);
}

void
sig_set_tempmask(uint64_t mask)
{
	struct lwp *l = curlwp;

	spin_lock(&proc_lock);
	l->l_sigsaved = l->l_sigmask;
	l->l_sigstate |= LWS_RESTOREMASK;
	l->l_sigmask = mask & ~SIG_CANTMASK;
	spin_unlock(&proc_lock);
}

void
sig_restore_tempmask(void)
{
	struct lwp *l = curlwp;

	if (!(l->l_sigstate & LWS_RESTOREMASK))
		return;
	spin_lock(&proc_lock);
	l->l_sigmask = l->l_sigsaved;
	l->l_sigstate &= ~LWS_RESTOREMASK;
	spin_unlock(&proc_lock);
}

void
sig_proc_init(struct proc *p)
{
	p->p_sigpend.sp_set = 0;
	TAILQ_INIT(&p->p_sigpend.sp_queue);
	p->p_exitsig = SIGCHLD;
}
