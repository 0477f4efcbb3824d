/*
 * The time system calls: the clocks (clock_gettime, clock_getres,
 * gettimeofday, time), the sleeps (nanosleep, clock_nanosleep) and
 * restart_syscall.
 *
 * Clocks.  CLOCK_MONOTONIC is nanouptime (the TSC since boot); the
 * system never suspends, so CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW and
 * CLOCK_MONOTONIC_COARSE are the same clock.  CLOCK_REALTIME is the CMOS
 * clock read at boot plus nanouptime; CLOCK_REALTIME_COARSE and
 * CLOCK_TAI (Linux's TAI offset is 0 until ntpd sets it) are the same.
 * The CPU-time clocks are the tick-sampled times of resource.h, with
 * the tick's resolution.  The vDSO reads the others in user mode, with
 * the same arithmetic (clock_vdso_update).
 *
 * Sleeps.  A sleep is an interruptible timed sleep on a private channel
 * until an absolute nanouptime deadline.  An interrupted relative sleep
 * stores the time left in *rem and returns -ERESTART_RESTARTBLOCK with
 * the rest of the sleep in the LWP's restart block, as Linux's
 * hrtimer_nanosleep: if no handler runs, the signal code restarts the
 * call as restart_syscall, which sleeps until the same deadline; if one
 * runs, the caller gets EINTR.  An interrupted absolute sleep returns
 * -ERESTARTNOHAND, and is simply made again with the same deadline.  A
 * sleep on the process's CPU clock looks at it once a tick (only the
 * process's other LWPs can move it while the caller sleeps).
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <spinlock.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <vdso/vdso.h>
#include <vdso/vdso_data.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000UL
#define NSEC_PER_USEC 1000UL
#define TICK_NS (NSEC_PER_SEC / HZ)

/* restart block arguments (l_restart.arg[]) of a sleep */
#define RB_DEADLINE 0 /* nanouptime deadline */
#define RB_REM 1      /* the user's rem pointer, or 0 */

/* What a clock id counts (clock_descs). */
enum clock_kind {
	CK_NONE,        /* no such clock */
	CK_UPTIME,      /* nanouptime() */
	CK_REALTIME,    /* clock_realtime_ns() */
	CK_PROCESS_CPU, /* the process's CPU time */
	CK_THREAD_CPU,  /* the calling LWP's CPU time */
};

/*
 * The clocks by id: what each counts, and whether its resolution is the
 * tick (clock_getres).  The vDSO reads the uptime and real-time ones
 * itself (clock_vdso_update).  Constant.
 */
static const struct clock_desc {
	uint8_t cd_kind;   /* enum clock_kind */
	uint8_t cd_coarse; /* resolution TICK_NS, else 1 ns */
} clock_descs[] = {
	[CLOCK_REALTIME] = { CK_REALTIME, 0 },
	[CLOCK_MONOTONIC] = { CK_UPTIME, 0 },
	[CLOCK_PROCESS_CPUTIME_ID] = { CK_PROCESS_CPU, 1 },
	[CLOCK_THREAD_CPUTIME_ID] = { CK_THREAD_CPU, 1 },
	[CLOCK_MONOTONIC_RAW] = { CK_UPTIME, 0 },
	[CLOCK_REALTIME_COARSE] = { CK_REALTIME, 1 },
	[CLOCK_MONOTONIC_COARSE] = { CK_UPTIME, 1 },
	[CLOCK_BOOTTIME] = { CK_UPTIME, 0 },
	[CLOCK_TAI] = { CK_REALTIME, 0 },
};
CTASSERT(ARRAY_SIZE(clock_descs) <= VDSO_NCLOCKS);

/* Clock id clock's entry, or NULL if there is none.  No requirements. */
static const struct clock_desc *
clock_desc(int clock)
{
	if (clock < 0 || clock >= (int)ARRAY_SIZE(clock_descs) ||
	    clock_descs[clock].cd_kind == CK_NONE)
		return NULL;
	return &clock_descs[clock];
}

/*
 * Read clock into *ns.  Returns 0, or -EINVAL for a clock that does not
 * exist (negative ids, Linux's per-process and per-thread CPU clocks and
 * dynamic clocks, are not supported).  No locks held.
 */
static int
clock_read(int clock, uint64_t *ns)
{
	const struct clock_desc *cd = clock_desc(clock);

	if (cd == NULL)
		return -EINVAL;
	switch (cd->cd_kind) {
	case CK_REALTIME:
		*ns = clock_realtime_ns();
		break;
	case CK_UPTIME:
		*ns = nanouptime();
		break;
	case CK_PROCESS_CPU:
		*ns = resource_cputime(false);
		break;
	default:
		KASSERT(cd->cd_kind == CK_THREAD_CPU);
		*ns = resource_cputime(true);
		break;
	}
	return 0;
}

/*
 * The second clock c of vd has reached at TSC value tsc, or UINT64_MAX
 * for a clock the vDSO does not read.  Relaxed loads: clock_vdso_tick
 * reads without vdso_lock (a write racing it makes a new split anyway).
 * No requirements.
 */
static uint64_t
clock_vdso_second(const struct vdso_data *vd, int c, uint64_t tsc)
{
	uint64_t ns =
	    vclock_ns(tsc, __atomic_load_n(&vd->vd_base[c], __ATOMIC_RELAXED),
		__atomic_load_n(&vd->vd_mult, __ATOMIC_RELAXED));

	if (ns & VDSO_CLOCK_SYSCALL)
		return UINT64_MAX;
	return ns / NSEC_PER_SEC;
}

/*
 * Split every clock vd reads at the second it had reached at TSC value
 * tsc: vd_sec, and the rest into sec_base, which vdso_write_end
 * publishes as vd_sec_base; a clock the vDSO does not read gets
 * VDSO_CLOCK_SYSCALL.  Between vdso_write_begin and vdso_write_end.
 */
static void
clock_vdso_split(struct vdso_data *vd, uint64_t tsc,
    uint64_t sec_base[VDSO_NCLOCKS])
{
	for (int c = 0; c < VDSO_NCLOCKS; c++) {
		uint64_t sec = clock_vdso_second(vd, c, tsc);

		if (sec == UINT64_MAX) {
			vd->vd_sec[c] = 0;
			sec_base[c] = VDSO_CLOCK_SYSCALL;
			continue;
		}
		vd->vd_sec[c] = sec;
		sec_base[c] = vd->vd_base[c] - sec * NSEC_PER_SEC;
	}
}

/*
 * Publish clock_descs in the vvar page: for each uptime and real-time
 * clock, nanouptime()'s line with the base moved by what clock_read adds
 * to it, so the vDSO's sum is clock_read's, to the nanosecond; every
 * other id (and every id, if the TSC cannot be used from user mode)
 * sends the vDSO to the system call.  No locks held.
 */
void
clock_vdso_update(void)
{
	struct vdso_data *vd;
	struct vclock vc;
	bool usable = clock_vclock(&vc);
	uint64_t realtime = clock_realtime_offset();
	uint64_t sec_base[VDSO_NCLOCKS];

	if ((vd = vdso_write_begin()) == NULL)
		return;
	vd->vd_mult = vc.vc_mult;
	vd->vd_tick_ns = TICK_NS;
	vd->vd_coarse = 0;
	vd->vd_read = 0;
	for (int c = 0; c < VDSO_NCLOCKS; c++) {
		const struct clock_desc *cd = clock_desc(c);

		vd->vd_base[c] = VDSO_CLOCK_SYSCALL;
		if (cd == NULL)
			continue;
		if (cd->cd_coarse)
			vd->vd_coarse |= 1U << c;
		if (!usable)
			continue;
		if (cd->cd_kind == CK_UPTIME)
			vd->vd_base[c] = vc.vc_ns_base;
		else if (cd->cd_kind == CK_REALTIME)
			vd->vd_base[c] = vc.vc_ns_base + realtime;
		else
			continue;
		vd->vd_read |= 1U << c;
	}
	clock_vdso_split(vd, rdtsc(), sec_base);
	vdso_write_end(vd, sec_base);
}

/*
 * The tick's part (clock_vdso_update splits the seconds): if the second
 * of any clock the vDSO reads moved on, split them again, so that the
 * vDSO divides only in the tick after each second.  Interrupts masked.
 */
void
clock_vdso_tick(void)
{
	const struct vdso_data *rd = vdso_data_page();
	struct vdso_data *vd;
	uint64_t tsc = rdtsc(), sec_base[VDSO_NCLOCKS];
	bool moved = false;

	if (rd == NULL)
		return;
	/* A first look without the lock; the split reads under it. */
	for (int c = 0; c < VDSO_NCLOCKS && !moved; c++) {
		uint64_t sec = clock_vdso_second(rd, c, tsc);

		moved = sec != UINT64_MAX &&
		    sec != __atomic_load_n(&rd->vd_sec[c], __ATOMIC_RELAXED);
	}
	if (!moved || (vd = vdso_write_begin()) == NULL)
		return;
	clock_vdso_split(vd, tsc, sec_base);
	vdso_write_end(vd, sec_base);
}

/* ns as a timespec.  No requirements. */
static struct timespec
ns_to_timespec(uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return ts;
}

long
sys_clock_gettime(int clock, struct timespec *utp)
{
	struct timespec ts;
	uint64_t ns;
	int error;

	if ((error = clock_read(clock, &ns)) != 0)
		return error;
	ts = ns_to_timespec(ns);
	return copyout(&ts, utp, sizeof(ts));
}

long
sys_clock_getres(int clock, struct timespec *ures)
{
	const struct clock_desc *cd = clock_desc(clock);
	struct timespec ts;

	if (cd == NULL)
		return -EINVAL;
	ts = ns_to_timespec(cd->cd_coarse ? TICK_NS : 1);
	if (ures == NULL)
		return 0;
	return copyout(&ts, ures, sizeof(ts));
}

/*
 * The timezone settimeofday set (Linux's sys_tz): only reported back by
 * gettimeofday, as Linux's kernel uses it for nothing a program sees.
 * Both fields under tz_lock, a leaf.
 */
static struct spinlock tz_lock = SPINLOCK_INITIALIZER("tz");
static struct timezone sys_tz; /* (tz_lock) UTC, no DST at boot */

long
sys_gettimeofday(struct timeval *utv, struct timezone *utz)
{
	uint64_t ns = clock_realtime_ns();
	struct timeval tv;
	struct timezone tz;

	spin_lock(&tz_lock);
	tz = sys_tz;
	spin_unlock(&tz_lock);

	tv.tv_sec = ns / NSEC_PER_SEC;
	tv.tv_usec = ns % NSEC_PER_SEC / NSEC_PER_USEC;
	if (utv != NULL && copyout(&tv, utv, sizeof(tv)) != 0)
		return -EFAULT;
	if (utz != NULL && copyout(&tz, utz, sizeof(tz)) != 0)
		return -EFAULT;
	return 0;
}

/* Linux's TIME_SETTOD_SEC_MAX: KTIME_SEC_MAX less 30 years of uptime. */
#define TIME_SETTOD_SEC_MAX (9223372036LL - 30LL * 365 * 86400)

/*
 * Linux's do_sys_settimeofday64: the time (tv, may be NULL) must be
 * valid (EINVAL), the caller root (EPERM: CAP_SYS_TIME), a timezone
 * (tz, may be NULL) within 15 hours (EINVAL); then the timezone, then
 * the time.  No locks held.
 */
/*
 * Sleeps until an absolute real time (sleep_until_realtime) sleep on
 * realtime_chan with realtime_lock, a sleep interlock, as their
 * interlock; setting the clock stores the new time under it and then
 * wakes them all, so each computes its wait again from the new time.
 */
static struct spinlock realtime_lock = SPINLOCK_INITIALIZER("realtime");
static int realtime_chan;

/*
 * Sleep until the real-time clock reads rt_deadline or later, following
 * every setting of the clock meanwhile.  0 then, or -EINTR if the sleep
 * was interrupted.  No locks held.
 */
static int
sleep_until_realtime(uint64_t rt_deadline)
{
	uint64_t rt;
	int error;

	spin_lock(&realtime_lock);
	while ((rt = clock_realtime_ns()) < rt_deadline) {
		error = sleep(&realtime_chan, &realtime_lock, SLEEP_INTR,
		    nanouptime() + (rt_deadline - rt) + 1);
		if (error == -EINTR) {
			spin_unlock(&realtime_lock);
			return -EINTR;
		}
	}
	spin_unlock(&realtime_lock);
	return 0;
}

static long
settime(const struct timespec *ts, const struct timezone *tz)
{
	int error;

	if (ts != NULL &&
	    (ts->tv_sec < 0 || ts->tv_sec >= TIME_SETTOD_SEC_MAX ||
		ts->tv_nsec < 0 || ts->tv_nsec >= (long)NSEC_PER_SEC))
		return -EINVAL;
	if (curproc->p_cred.cr_euid != 0)
		return -EPERM;
	if (tz != NULL) {
		if (tz->tz_minuteswest > 15 * 60 ||
		    tz->tz_minuteswest < -15 * 60)
			return -EINVAL;
		spin_lock(&tz_lock);
		sys_tz = *tz;
		spin_unlock(&tz_lock);
	}
	if (ts == NULL)
		return 0;
	spin_lock(&realtime_lock);
	error = clock_set_realtime(
	    (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec);
	spin_unlock(&realtime_lock);
	if (error == 0) {
		wakeup(&realtime_chan);
		poll_wakeup(); /* real-time timerfds look at the new time */
	}
	return error;
}

long
sys_settimeofday(const struct timeval *utv, const struct timezone *utz)
{
	struct timeval tv;
	struct timespec ts;
	struct timezone tz;

	if (utv != NULL) {
		if (copyin(utv, &tv, sizeof(tv)) != 0)
			return -EFAULT;
		if (tv.tv_usec > 1000000 || tv.tv_usec < 0)
			return -EINVAL;
		ts.tv_sec = tv.tv_sec;
		ts.tv_nsec = tv.tv_usec * (long)NSEC_PER_USEC;
	}
	if (utz != NULL && copyin(utz, &tz, sizeof(tz)) != 0)
		return -EFAULT;
	return settime(utv != NULL ? &ts : NULL, utz != NULL ? &tz : NULL);
}

long
sys_clock_settime(int clock, const struct timespec *uts)
{
	struct timespec ts;

	if (clock != CLOCK_REALTIME)
		return -EINVAL; /* the only clock that can be set */
	if (copyin(uts, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	return settime(&ts, NULL);
}

long
sys_time(long *ut)
{
	long t = clock_realtime_ns() / NSEC_PER_SEC;

	if (ut != NULL && copyout(&t, ut, sizeof(t)) != 0)
		return -EFAULT;
	return t;
}

/*
 * Sleep until the nanouptime deadline.  Returns 0 at the deadline, or
 * -EINTR if the sleep was interrupted.  No locks held.
 */
static int
sleep_until(uint64_t deadline)
{
	int chan, error;

	do {
		error = sleep(&chan, NULL, SLEEP_INTR, deadline);
	} while (error == 0);
	return error == -ETIMEDOUT ? 0 : -EINTR;
}

/*
 * An interrupted relative sleep: store the time left before deadline in
 * *urem (if not NULL), and leave the rest of the sleep to restart_syscall.
 * Returns -ERESTART_RESTARTBLOCK, or -EFAULT if urem is not writable.
 * No locks held.
 */
static long nanosleep_restart(struct restart_block *rb);

static long
nanosleep_interrupted(uint64_t deadline, struct timespec *urem)
{
	struct restart_block *rb = &curlwp->l_restart;
	uint64_t now = nanouptime();
	struct timespec ts =
	    ns_to_timespec(now < deadline ? deadline - now : 0);

	if (urem != NULL && copyout(&ts, urem, sizeof(ts)) != 0)
		return -EFAULT;
	rb->fn = nanosleep_restart;
	rb->arg[RB_DEADLINE] = deadline;
	rb->arg[RB_REM] = (uint64_t)urem;
	return -ERESTART_RESTARTBLOCK;
}

/* restart_syscall's continuation of a relative sleep.  No locks held. */
static long
nanosleep_restart(struct restart_block *rb)
{
	uint64_t deadline = rb->arg[RB_DEADLINE];
	struct timespec *urem = (struct timespec *)rb->arg[RB_REM];

	if (sleep_until(deadline) == 0)
		return 0;
	return nanosleep_interrupted(deadline, urem);
}

/*
 * Copy in and check a sleep's time.  Returns 0 with the time in *ns, or
 * -EFAULT / -EINVAL.  No locks held.
 */
static int
sleep_copyin(const struct timespec *ureq, uint64_t *ns)
{
	struct timespec ts;

	if (copyin(ureq, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	/* Far enough in the future to be never (about 292 years). */
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		ts.tv_sec = UINT64_MAX / NSEC_PER_SEC / 2;
	*ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

long
sys_nanosleep(const struct timespec *ureq, struct timespec *urem)
{
	uint64_t ns, deadline;
	int error;

	if ((error = sleep_copyin(ureq, &ns)) != 0)
		return error;
	deadline = nanouptime() + ns + 1;
	if (sleep_until(deadline) == 0)
		return 0;
	return nanosleep_interrupted(deadline, urem);
}

/*
 * Sleep until the calling process's CPU time reaches target (ns), looking
 * once a tick: only its other LWPs can move it.  Returns 0, or -EINTR if
 * the sleep was interrupted.  No locks held.
 */
static int
cpu_sleep_until(uint64_t target)
{
	while (resource_cputime(false) < target) {
		if (sleep_until(nanouptime() + TICK_NS) != 0)
			return -EINTR;
	}
	return 0;
}

/*
 * An interrupted relative sleep on the process's CPU clock: store what
 * is left in *urem and leave the rest to restart_syscall.  Returns
 * -ERESTART_RESTARTBLOCK or -EFAULT.  No locks held.
 */
static long cpu_nanosleep_restart(struct restart_block *rb);

static long
cpu_nanosleep_interrupted(uint64_t target, struct timespec *urem)
{
	struct restart_block *rb = &curlwp->l_restart;
	uint64_t now = resource_cputime(false);
	struct timespec ts = ns_to_timespec(now < target ? target - now : 0);

	if (urem != NULL && copyout(&ts, urem, sizeof(ts)) != 0)
		return -EFAULT;
	rb->fn = cpu_nanosleep_restart;
	rb->arg[RB_DEADLINE] = target;
	rb->arg[RB_REM] = (uint64_t)urem;
	return -ERESTART_RESTARTBLOCK;
}

/* restart_syscall's continuation of a CPU-clock sleep.  No locks held. */
static long
cpu_nanosleep_restart(struct restart_block *rb)
{
	uint64_t target = rb->arg[RB_DEADLINE];
	struct timespec *urem = (struct timespec *)rb->arg[RB_REM];

	if (cpu_sleep_until(target) == 0)
		return 0;
	return cpu_nanosleep_interrupted(target, urem);
}

long
sys_clock_nanosleep(int clock, int flags, const struct timespec *ureq,
    struct timespec *urem)
{
	uint64_t ns, now, deadline;
	bool realtime;
	int error;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		realtime = true;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		realtime = false;
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	case CLOCK_PROCESS_CPUTIME_ID:
		if ((error = sleep_copyin(ureq, &ns)) != 0)
			return error;
		if (!(flags & TIMER_ABSTIME)) {
			ns += resource_cputime(false);
			if (cpu_sleep_until(ns) == 0)
				return 0;
			return cpu_nanosleep_interrupted(ns, urem);
		}
		return cpu_sleep_until(ns) == 0 ? 0 : -ERESTARTNOHAND;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	if ((error = sleep_copyin(ureq, &ns)) != 0)
		return error;
	now = nanouptime();
	if (!(flags & TIMER_ABSTIME)) {
		deadline = now + ns + 1;
		if (sleep_until(deadline) == 0)
			return 0;
		return nanosleep_interrupted(deadline, urem);
	}
	/* An absolute time, which a setting of the real-time clock moves. */
	if (realtime)
		return sleep_until_realtime(ns) == 0 ? 0 : -ERESTARTNOHAND;
	deadline = ns + 1;
	if (sleep_until(deadline) == 0)
		return 0;
	return -ERESTARTNOHAND;
}

long
sys_restart_syscall(void)
{
	struct restart_block *rb = &curlwp->l_restart;
	long (*fn)(struct restart_block *) = rb->fn;

	/* Used once, as Linux's do_no_restart_syscall after it. */
	rb->fn = NULL;
	if (fn == NULL)
		return -EINTR;
	return fn(rb);
}
