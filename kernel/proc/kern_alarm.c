/*
 * The interval timers of a process: alarm, setitimer and getitimer for
 * ITIMER_REAL (SIGALRM), ITIMER_VIRTUAL (SIGVTALRM) and ITIMER_PROF
 * (SIGPROF).
 *
 * ITIMER_REAL.
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
 * ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time as the
 * clock tick samples it (resource.h): p_itimer_left[i] is the time left,
 * which statclock's itimer_tick lowers by a tick for each tick charged
 * to an LWP of the process (ITIMER_VIRTUAL: in user mode only; atomic,
 * since LWPs on several CPUs charge at once).  The tick that takes it to
 * 0 or below sets bit i of p_itimer_fired and wakes the alarm LWP,
 * which sends the signal and reloads the timer with its period (or
 * turns it off).  The tick does not take proc_lock, so its wakeup can
 * come just before the LWP sleeps: while any process has a CPU-time
 * timer (itimer_list is not empty) the LWP also wakes every tick, so a
 * signal is at most one tick late.
 *
 * fork zeroes the timers (they are not inherited, as Linux), exec keeps
 * them, and alarm_proc_free_locked takes a freed process off the lists.
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
/* (P) processes with a CPU-time timer on (or expired, not yet reloaded) */
static LIST_HEAD(, proc) itimer_list = LIST_HEAD_INITIALIZER(itimer_list);
static bool itimer_pending; /* (a) a CPU-time timer expired */

#define TICK_NS (NSEC_PER_SEC / HZ)
#define NITIMER 2 /* CPU-time timers: ITIMER_VIRTUAL - 1, ITIMER_PROF - 1 */

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

void
itimer_tick(struct proc *p, bool usermode)
{
	bool fired = false;
	int64_t left;

	KASSERT(!intr_enabled());
	for (int i = 0; i < NITIMER; i++) {
		if (i == ITIMER_VIRTUAL - 1 && !usermode)
			continue;
		left = __atomic_load_n(&p->p_itimer_left[i], __ATOMIC_RELAXED);
		if (left <= 0)
			continue; /* off, or expired and not yet reloaded */
		left = __atomic_sub_fetch(&p->p_itimer_left[i],
		    (int64_t)TICK_NS, __ATOMIC_RELAXED);
		if (left <= 0 && left > -(int64_t)TICK_NS) { /* this tick */
			__atomic_or_fetch(&p->p_itimer_fired, 1 << i,
			    __ATOMIC_RELAXED);
			fired = true;
		}
	}
	if (fired) {
		__atomic_store_n(&itimer_pending, true, __ATOMIC_RELEASE);
		wakeup(&alarm_next);
	}
}

/*
 * Take p off the CPU-timer list if both its timers are off and nothing
 * is left to send.  The caller holds proc_lock.
 */
static void
itimer_unlist_locked(struct proc *p)
{
	KASSERT(spin_held(&proc_lock));
	if (p->p_itimer_onlist && p->p_itimer_left[0] == 0 &&
	    p->p_itimer_left[1] == 0 && p->p_itimer_fired == 0) {
		LIST_REMOVE(p, p_itimerlist);
		__atomic_store_n(&p->p_itimer_onlist, false, __ATOMIC_RELAXED);
	}
}

/*
 * Send SIGVTALRM or SIGPROF for each CPU-time timer that expired, and
 * reload it with its period or turn it off.  The caller holds proc_lock.
 */
static void
itimer_fire_locked(void)
{
	static const int sigs[NITIMER] = { SIGVTALRM, SIGPROF };
	struct proc *p, *next;
	int fired;

	KASSERT(spin_held(&proc_lock));
	LIST_FOREACH_SAFE(p, &itimer_list, p_itimerlist, next)
	{
		fired = __atomic_exchange_n(&p->p_itimer_fired, 0,
		    __ATOMIC_RELAXED);
		for (int i = 0; i < NITIMER; i++) {
			if (!(fired & (1 << i)))
				continue;
			if (p->p_stat == SACTIVE)
				sig_post_proc(p, sigs[i], NULL);
			/* Unless setitimer set it again meanwhile. */
			if (__atomic_load_n(&p->p_itimer_left[i],
				__ATOMIC_RELAXED) <= 0)
				__atomic_store_n(&p->p_itimer_left[i],
				    (int64_t)p->p_itimer_interval[i],
				    __ATOMIC_RELAXED);
		}
		itimer_unlist_locked(p);
	}
}

/* The "alarm" kernel LWP.  Never returns. */
static void
alarm_thread(void *arg __unused_arg)
{
	uint64_t now, wake;

	spin_lock(&proc_lock);
	for (;;) {
		now = nanouptime();
		if (__atomic_exchange_n(&itimer_pending, false,
			__ATOMIC_ACQUIRE))
			itimer_fire_locked();
		if (alarm_next != 0 && alarm_next <= now) {
			alarm_fire_locked(now);
			continue;
		}
		wake = alarm_next;
		if (!LIST_EMPTY(&itimer_list) &&
		    (wake == 0 || wake > now + TICK_NS))
			wake = now + TICK_NS; /* see the head comment */
		(void)sleep(&alarm_next, &proc_lock, 0, wake);
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
	if (p->p_itimer_onlist) {
		LIST_REMOVE(p, p_itimerlist);
		p->p_itimer_onlist = false;
	}
}

/*
 * Set p's CPU-time timer i (ITIMER_VIRTUAL - 1 or ITIMER_PROF - 1) as
 * alarm_set_locked does the real one.  The caller holds proc_lock.
 */
static void
itimer_set_locked(struct proc *p, int i, uint64_t value, uint64_t interval,
    uint64_t *oval, uint64_t *oint)
{
	int64_t left = __atomic_load_n(&p->p_itimer_left[i], __ATOMIC_RELAXED);

	KASSERT(spin_held(&proc_lock));
	*oval = left > 0 ? (uint64_t)left : left < 0 ? 1 : 0;
	*oint = p->p_itimer_interval[i];
	__atomic_and_fetch(&p->p_itimer_fired, ~(1 << i), __ATOMIC_RELAXED);
	p->p_itimer_interval[i] = interval;
	__atomic_store_n(&p->p_itimer_left[i], (int64_t)value,
	    __ATOMIC_RELAXED);
	if (value != 0 && !p->p_itimer_onlist) {
		LIST_INSERT_HEAD(&itimer_list, p, p_itimerlist);
		__atomic_store_n(&p->p_itimer_onlist, true, __ATOMIC_RELAXED);
		wakeup(&alarm_next); /* to sleep a tick at a time */
	}
	itimer_unlist_locked(p);
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

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	spin_lock(&proc_lock);
	if (which == ITIMER_REAL) {
		now = nanouptime();
		if (p->p_alarm != 0)
			left = p->p_alarm > now ? p->p_alarm - now : 1;
		interval = p->p_alarm_interval;
	} else {
		int64_t l = __atomic_load_n(&p->p_itimer_left[which - 1],
		    __ATOMIC_RELAXED);

		left = l > 0 ? (uint64_t)l : l < 0 ? 1 : 0;
		interval = p->p_itimer_interval[which - 1];
	}
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

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (unew != NULL) { /* NULL disarms, as Linux */
		if (copyin(unew, &it, sizeof(it)) != 0)
			return -EFAULT;
		if (!timeval_to_ns(&it.it_value, &value) ||
		    !timeval_to_ns(&it.it_interval, &interval))
			return -EINVAL;
	}
	spin_lock(&proc_lock);
	if (which == ITIMER_REAL)
		alarm_set_locked(p, value, interval, &oval, &oint);
	else
		itimer_set_locked(p, which - 1, value, interval, &oval, &oint);
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
