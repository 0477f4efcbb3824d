/*
 * The scheduler (sched.h).
 *
 * Runnable LWPs wait on one FIFO run queue; the running LWP keeps the CPU
 * until it sleeps, yields, exits, or uses up SCHED_QUANTUM clock ticks,
 * after which it is preempted at its next return to user mode (the kernel
 * itself is not preemptible).  Sleeping LWPs sit on one of SLEEPQ_HASH
 * queues picked by their channel, so wakeup looks only at its own queue.
 * Timed sleepers are also on sched_timeq, checked on every tick.
 *
 * An LWP that exits switches away one last time; the LWP that runs after
 * it frees its kernel stack (sched_switch_finish), since nobody can free
 * the stack they are running on.
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/pcb.h>
#include <arch/pmap.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>

struct spinlock sched_lock = SPINLOCK_INITIALIZER("sched");

#define SLEEPQ_HASH 64
static TAILQ_HEAD(lwpq, lwp) sched_runq = TAILQ_HEAD_INITIALIZER(sched_runq);
static struct lwpq sleepq[SLEEPQ_HASH];
static struct lwpq sched_timeq = TAILQ_HEAD_INITIALIZER(sched_timeq);

/* The sleep queue of chan.  No requirements. */
static struct lwpq *
sleepq_for(const void *chan)
{
	uint64_t h = (uint64_t)chan;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return &sleepq[h >> 58];
}

void
sched_setrunnable(struct lwp *l)
{
	spin_lock(&sched_lock);
	KASSERT(l->l_stat == LSIDL);
	l->l_stat = LSRUN;
	TAILQ_INSERT_TAIL(&sched_runq, l, l_runq);
	spin_unlock(&sched_lock);
}

/* Make the sleeping l runnable.  The caller holds sched_lock. */
static void
sched_unsleep(struct lwp *l)
{
	KASSERT(spin_held(&sched_lock));
	KASSERT(l->l_stat == LSSLEEP);
	TAILQ_REMOVE(sleepq_for(l->l_wchan), l, l_runq);
	if (l->l_timeout != 0) {
		TAILQ_REMOVE(&sched_timeq, l, l_timeq);
		l->l_timeout = 0;
	}
	l->l_wchan = NULL;
	l->l_stat = LSRUN;
	TAILQ_INSERT_TAIL(&sched_runq, l, l_runq);
}

/*
 * Finish a switch in the LWP now running: prev is off its stack, so it
 * may be freed; an exited one loses its kernel stack here.  The caller
 * holds sched_lock.
 */
static void
sched_switch_finish(struct lwp *prev)
{
	KASSERT(spin_held(&sched_lock));
	if (prev->l_stat == LSZOMB && prev->l_kstack != 0) {
		kstack_free(prev->l_kstack);
		prev->l_kstack = 0;
	}
	prev->l_pflag &= ~LP_RUNNING;
	curlwp->l_quantum = SCHED_QUANTUM;
}

/*
 * Switch to the next runnable LWP, or to the idle LWP if there is none.
 * The caller holds sched_lock (and no other spinlock) and has already set
 * its own l_stat; if it is still LSONPROC it goes to the back of the run
 * queue.  Returns when the caller is chosen again, with sched_lock held.
 */
static void
sched_switch(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l = ci->ci_curlwp, *next, *prev;
	bool intr_was;

	KASSERT(spin_held(&sched_lock));
	KASSERT(ci->ci_spin_depth == 1);
	ci->ci_want_resched = false;
	if (l->l_stat == LSONPROC && l != ci->ci_idlelwp) {
		l->l_stat = LSRUN;
		TAILQ_INSERT_TAIL(&sched_runq, l, l_runq);
	}
	next = TAILQ_FIRST(&sched_runq);
	if (next != NULL)
		TAILQ_REMOVE(&sched_runq, next, l_runq);
	else
		next = ci->ci_idlelwp;
	if (next == l) {
		l->l_stat = LSONPROC;
		l->l_quantum = SCHED_QUANTUM;
		return;
	}
	next->l_stat = LSONPROC;
	next->l_pflag |= LP_RUNNING;
	if (next->l_md.md_tf != NULL)
		vmspace_activate(vkernel_lwp_vmspace(next));
	else
		pmap_activate(pmap_kernel());

	/* The interrupt state to restore belongs to each LWP's own history. */
	intr_was = ci->ci_spin_intr_enabled;
	prev = cpu_switchto(l, next);
	ci = curcpu();
	ci->ci_spin_intr_enabled = intr_was;
	sched_switch_finish(prev);
}

void
lwp_startup(struct lwp *prev)
{
	struct cpu_info *ci = curcpu();

	KASSERT(spin_held(&sched_lock));
	/* Stay masked until trap_return's iretq. */
	ci->ci_spin_intr_enabled = false;
	sched_switch_finish(prev);
	spin_unlock(&sched_lock);
}

int
sleep(const void *chan, struct spinlock *lk, int flags, uint64_t timeout_ns)
{
	struct lwp *l = curlwp;
	int error = 0;

	KASSERT(spin_held(lk));
	KASSERT(l != curcpu()->ci_idlelwp);
	if (lk != &sched_lock) {
		spin_lock(&sched_lock);
		spin_unlock(lk);
	}
	if ((flags & SLEEP_INTR) && (l->l_flag & LW_WEXIT)) {
		error = -EINTR;
		goto out;
	}
	if (timeout_ns != 0 && nanouptime() >= timeout_ns) {
		error = -ETIMEDOUT;
		goto out;
	}
	l->l_wchan = chan;
	l->l_stat = LSSLEEP;
	l->l_slptimedout = 0;
	if (flags & SLEEP_INTR)
		l->l_pflag |= LP_SINTR;
	TAILQ_INSERT_TAIL(sleepq_for(chan), l, l_runq);
	if (timeout_ns != 0) {
		l->l_timeout = timeout_ns;
		TAILQ_INSERT_TAIL(&sched_timeq, l, l_timeq);
	}
	sched_switch();
	l->l_pflag &= ~LP_SINTR;
	if (l->l_slptimedout)
		error = -ETIMEDOUT;
	else if ((flags & SLEEP_INTR) && (l->l_flag & LW_WEXIT))
		error = -EINTR;
out:
	if (lk != &sched_lock) {
		spin_unlock(&sched_lock);
		spin_lock(lk);
	}
	return error;
}

void
wakeup(const void *chan)
{
	struct lwpq *q = sleepq_for(chan);
	struct lwp *l, *next;

	spin_lock(&sched_lock);
	TAILQ_FOREACH_SAFE(l, q, l_runq, next)
	{
		if (l->l_wchan == chan)
			sched_unsleep(l);
	}
	spin_unlock(&sched_lock);
}

void
sched_interrupt(struct lwp *l)
{
	KASSERT(spin_held(&proc_lock));
	spin_lock(&sched_lock);
	if (l->l_stat == LSSLEEP && (l->l_pflag & LP_SINTR))
		sched_unsleep(l);
	else if (l->l_stat == LSONPROC && l != curlwp)
		curcpu()->ci_want_resched =
		    true; /* one CPU: cannot happen yet */
	spin_unlock(&sched_lock);
}

void
sched_yield(void)
{
	spin_lock(&sched_lock);
	sched_switch();
	spin_unlock(&sched_lock);
}

int
sched_checkpoint(void)
{
	struct lwp *l = curlwp;

	KASSERT(curcpu()->ci_spin_depth == 0);
	if (__atomic_load_n(&l->l_flag, __ATOMIC_RELAXED) & LW_WEXIT)
		return -EINTR;
	if (__atomic_load_n(&curcpu()->ci_want_resched, __ATOMIC_RELAXED))
		sched_yield();
	return 0;
}

void
sched_tick(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l = ci->ci_curlwp, *t, *next;
	uint64_t now;

	spin_lock(&sched_lock);
	if (!TAILQ_EMPTY(&sched_timeq)) {
		now = nanouptime();
		TAILQ_FOREACH_SAFE(t, &sched_timeq, l_timeq, next)
		{
			if (t->l_timeout <= now) {
				t->l_slptimedout = 1;
				sched_unsleep(t);
			}
		}
	}
	if (l != ci->ci_idlelwp && l->l_quantum > 0 && --l->l_quantum == 0)
		ci->ci_want_resched = true;
	if (l == ci->ci_idlelwp && !TAILQ_EMPTY(&sched_runq))
		ci->ci_want_resched = true;
	spin_unlock(&sched_lock);
}

void
sched_exit_switch(void)
{
	KASSERT(spin_held(&sched_lock));
	KASSERT(curlwp->l_stat == LSZOMB);
	sched_switch();
	panic("sched: exited LWP %d.%d was switched back in",
	    curlwp->l_proc->p_pid, curlwp->l_lid);
}

void
sched_idle(void)
{
	struct cpu_info *ci = curcpu();

	for (;;) {
		cli();
		if (!TAILQ_EMPTY(&sched_runq) || ci->ci_want_resched) {
			spin_lock(&sched_lock);
			sched_switch();
			spin_unlock(&sched_lock);
			continue;
		}
		cpu_idle(); /* sti; hlt: an interrupt brings us back */
	}
}

void
userret(struct trapframe *tf)
{
	struct lwp *l = curlwp;

	for (;;) {
		if (__predict_false(l->l_flag & LW_WEXIT)) {
			sti();
			proc_exit(-1);
		}
		if (__predict_false(curcpu()->ci_want_resched)) {
			spin_lock(&sched_lock);
			sched_switch();
			spin_unlock(&sched_lock);
			continue;
		}
		if (__predict_false(l->l_vkernel != NULL) &&
		    vkernel_check_timeout(l, tf))
			continue; /* it enabled interrupts: check again */
		break;
	}
}

void
sched_startup(void)
{
	for (int i = 0; i < SLEEPQ_HASH; i++)
		TAILQ_INIT(&sleepq[i]);
}
