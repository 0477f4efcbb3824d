/*
 * The real-time interval timer of a process: alarm, setitimer and
 * getitimer for ITIMER_REAL, which send SIGALRM to the process.
 *
 * Each process has one timer: p_alarm, its next expiry (nanouptime ns,
 * 0 when off), and p_alarm_interval, its period (0: one shot).  A
 * process with its timer on is on alarm_list, and alarm_next is the
 * earliest expiry on it (0: none); all of it is guarded by proc_lock.
 * One kernel LWP, "alarm", sleeps on alarm_next until that time (a timed
 * sleep, so the clock tick's timeout scan wakes it, and nothing polls
 * the processes); it then sends SIGALRM to every process whose timer
 * has expired, re-arms the periodic ones, and finds the next expiry on
 * the list.  Arming a timer earlier than alarm_next wakes it.  Sending a
 * signal from an LWP rather than from the tick interrupt leaves
 * sig_post_proc free to do what it must (allocate a siginfo, wake LWPs).
 *
 * fork zeroes p_alarm (timers are not inherited, as Linux), exec keeps
 * it, and alarm_proc_free_locked takes a freed process off the list.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000UL
#define NSEC_PER_USEC 1000UL
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

static LIST_HEAD(, proc) alarm_list = LIST_HEAD_INITIALIZER(alarm_list);
static uint64_t alarm_next; /* (P) earliest p_alarm on alarm_list, or 0 */

/* Recompute alarm_next from the list.  The caller holds proc_lock. */
static void
alarm_recompute_locked(void)
{
	struct proc *p;
	uint64_t next = 0;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH(p, &alarm_list, p_alarmlist)
	{
		if (next == 0 || p->p_alarm < next)
			next = p->p_alarm;
	}
	alarm_next = next;
}

/*
 * Send SIGALRM to every process whose timer expired by now, re-arming
 * periodic timers.  The caller holds proc_lock.
 */
static void
alarm_fire_locked(uint64_t now)
{
	struct proc *p, *next;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH_SAFE(p, &alarm_list, p_alarmlist, next)
	{
		if (p->p_alarm > now)
			continue;
		if (p->p_stat == SACTIVE)
			sig_post_proc(p, SIGALRM, NULL);
		if (p->p_alarm_interval != 0 && p->p_stat == SACTIVE) {
			p->p_alarm += p->p_alarm_interval;
			if (p->p_alarm <= now)
				p->p_alarm = now + p->p_alarm_interval;
		} else {
			p->p_alarm = 0;
			LIST_REMOVE(p, p_alarmlist);
		}
	}
	alarm_recompute_locked();
}

/* The "alarm" kernel LWP.  Never returns. */
static void
alarm_thread(void *arg __unused_arg)
{
	uint64_t now;

	spin_lock(&proc_lock);
	for (;;) {
		now = nanouptime();
		if (alarm_next != 0 && alarm_next <= now) {
			alarm_fire_locked(now);
			continue;
		}
		(void)sleep(&alarm_next, &proc_lock, 0, alarm_next);
	}
}

/*
 * Start the alarm LWP.  Once, at boot, before init.  No locks held.
 */
void
alarm_startup(void)
{
	int error;

	if (kthread_create(alarm_thread, NULL, sched_online_cpus(), "alarm",
		&error) == NULL)
		panic("alarm: cannot start its kernel LWP: error %d", -error);
}

void
alarm_proc_free_locked(struct proc *p)
{
	KASSERT(spin_held(&proc_lock));
	if (p->p_alarm != 0) {
		p->p_alarm = 0;
		LIST_REMOVE(p, p_alarmlist);
	}
}

/*
 * Set p's timer to expire value ns from now (0: off) every interval ns,
 * and return the old setting in *oval and *oint (ns left, at least 1 if
 * on, as Linux's itimer_get_remtime; and the period).  The caller holds
 * proc_lock.
 */
static void
alarm_set_locked(struct proc *p, uint64_t value, uint64_t interval,
    uint64_t *oval, uint64_t *oint)
{
	uint64_t now = nanouptime();

	KASSERT(spin_held(&proc_lock));
	*oval = 0;
	if (p->p_alarm != 0)
		*oval = p->p_alarm > now ? p->p_alarm - now : 1;
	*oint = p->p_alarm_interval;
	if (p->p_alarm != 0)
		LIST_REMOVE(p, p_alarmlist);
	p->p_alarm = 0;
	p->p_alarm_interval = 0;
	if (value != 0) {
		p->p_alarm = now + value;
		p->p_alarm_interval = interval;
		LIST_INSERT_HEAD(&alarm_list, p, p_alarmlist);
		if (alarm_next == 0 || p->p_alarm < alarm_next) {
			alarm_next = p->p_alarm;
			wakeup(&alarm_next);
		}
	}
	/* A later or no expiry: the thread finds out when it wakes. */
}

/* A timeval as ns; false if it is not valid.  No requirements. */
static bool
timeval_to_ns(const struct timeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return false;
	if ((uint64_t)tv->tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
		*ns = UINT64_MAX / 4; /* never, in practice */
	else
		*ns = tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * NSEC_PER_USEC;
	return true;
}

/* ns as a timeval, rounded up to a microsecond.  No requirements. */
static struct timeval
ns_to_timeval(uint64_t ns)
{
	struct timeval tv;

	ns = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
	tv.tv_sec = ns / 1000000;
	tv.tv_usec = ns % 1000000;
	return tv;
}

long
sys_getitimer(int which, struct itimerval *ucurr)
{
	struct proc *p = curproc;
	struct itimerval it;
	uint64_t now, left = 0, interval;

	if (which != ITIMER_REAL)
		return -EINVAL;
	spin_lock(&proc_lock);
	now = nanouptime();
	if (p->p_alarm != 0)
		left = p->p_alarm > now ? p->p_alarm - now : 1;
	interval = p->p_alarm_interval;
	spin_unlock(&proc_lock);
	it.it_value = ns_to_timeval(left);
	it.it_interval = ns_to_timeval(interval);
	return copyout(&it, ucurr, sizeof(it));
}

long
sys_setitimer(int which, const struct itimerval *unew, struct itimerval *uold)
{
	struct proc *p = curproc;
	struct itimerval it;
	uint64_t value = 0, interval = 0, oval, oint;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (unew != NULL) { /* NULL disarms, as Linux */
		if (copyin(unew, &it, sizeof(it)) != 0)
			return -EFAULT;
		if (!timeval_to_ns(&it.it_value, &value) ||
		    !timeval_to_ns(&it.it_interval, &interval))
			return -EINVAL;
	}
	spin_lock(&proc_lock);
	alarm_set_locked(p, value, interval, &oval, &oint);
	spin_unlock(&proc_lock);
	if (uold != NULL) {
		it.it_value = ns_to_timeval(oval);
		it.it_interval = ns_to_timeval(oint);
		if (copyout(&it, uold, sizeof(it)) != 0)
			return -EFAULT;
	}
	return 0;
}

long
sys_alarm(unsigned int seconds)
{
	struct proc *p = curproc;
	uint64_t oval, oint;
	long left;

	spin_lock(&proc_lock);
	alarm_set_locked(p, seconds * NSEC_PER_SEC, 0, &oval, &oint);
	spin_unlock(&proc_lock);
	/* Linux rounds to the nearest second, and a timer still on to 1. */
	left = (oval + NSEC_PER_SEC / 2) / NSEC_PER_SEC;
	if (left == 0 && oval != 0)
		left = 1;
	return left;
}
