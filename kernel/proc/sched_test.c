/*
 * In-kernel tests of the scheduler: kernel LWPs pinned to each CPU stay
 * there, LWPs queued on one CPU are taken by the idle others, sleep and
 * wakeup between CPUs lose no wakeup, a changed affinity moves a
 * running LWP, and a kicked CPU stops counting as idle.  With one CPU
 * they run too, on it (those that need two are skipped).
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <kstat.h>
#include <ktest.h>
#include <spinlock.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/ipi.h>
#include <proc/proc.h>
#include <proc/sched.h>

/* A worker's record: the CPUs it ran on and how often it yielded. */
struct sched_probe {
	cpuset_t sp_seen; /* atomic */
	unsigned sp_rounds;
	volatile bool *sp_stop; /* if set, stop early once it is true */
};

static void
probe_worker(void *arg)
{
	struct sched_probe *sp = arg;
	unsigned cpu;

	for (unsigned i = 0; i < sp->sp_rounds; i++) {
		if (sp->sp_stop != NULL && *sp->sp_stop)
			break;
		cpu = curcpu()->ci_index;
		__atomic_or_fetch(&sp->sp_seen, CPUSET_BIT(cpu),
		    __ATOMIC_RELAXED);
		if (sp->sp_stop != NULL && cpu != 0)
			*sp->sp_stop = true;
		sched_yield();
	}
}

KTEST(sched_pinned_stay)
{
	struct sched_probe probes[MAXCPUS] = { 0 };
	struct lwp *l[MAXCPUS];
	cpuset_t online = sched_online_cpus();
	int error;

	for (unsigned i = 0; i < MAXCPUS; i++) {
		l[i] = NULL;
		if ((online & CPUSET_BIT(i)) == 0)
			continue;
		probes[i].sp_rounds = 200;
		l[i] = kthread_create(probe_worker, &probes[i], CPUSET_BIT(i),
		    "pinned", &error);
		KT_CHECK(l[i] != NULL);
	}
	for (unsigned i = 0; i < MAXCPUS; i++) {
		if (l[i] == NULL)
			continue;
		kthread_join(l[i]);
		KT_EQ(probes[i].sp_seen, CPUSET_BIT(i));
	}
}

/*
 * An LWP queued on CPU 0 whose affinity no longer holds CPU 0 (a move's
 * try-lock failed) never runs there: CPU 0, choosing, moves it to
 * CPU 1.  Needs 2 CPUs.
 */
KTEST(sched_affinity_never_outside)
{
	struct sched_probe probe = { 0 };
	struct lwp *l;
	int error;

	if ((sched_online_cpus() & CPUSET_BIT(1)) == 0) {
		ktest_skip("one CPU");
		return;
	}
	probe.sp_rounds = 50;
	l = kthread_create(probe_worker, &probe, CPUSET_BIT(0), "stranded",
	    &error);
	if (!KT_CHECK(l != NULL))
		return;
	/* Queued on CPU 0 (this CPU: it cannot run before it yields). */
	sched_setaffinity_unmoved(l, CPUSET_BIT(1));
	kthread_join(l);
	KT_EQ(probe.sp_seen, CPUSET_BIT(1));
}

/* A kernel LWP that runs with interrupts masked until released (5 s). */
struct masked {
	volatile bool ms_masked; /* it runs masked now */
	volatile bool ms_release;
};

static void
masked_worker(void *arg)
{
	struct masked *ms = arg;
	uint64_t deadline;

	cli();
	deadline = nanouptime() + 5000000000ULL;
	ms->ms_masked = true;
	while (!ms->ms_release && nanouptime() < deadline)
		cpu_pause();
	ms->ms_masked = false;
	sti();
}

/*
 * A kick takes an idle CPU's idleness until it has looked at its queue:
 * a wakeup meanwhile neither counts it idle nor sends it a second IPI;
 * and a post while one is pending sends no second interrupt.  CPU 1
 * runs masked meanwhile, so it answers nothing while the test looks.
 */
KTEST(sched_kick_once)
{
	struct masked ms = { false, false };
	struct cpu_info *ci;
	uint64_t sent, deadline;
	unsigned pending;
	struct lwp *l;
	int error;

	if ((sched_online_cpus() & CPUSET_BIT(1)) == 0) {
		ktest_skip("one CPU");
		return;
	}
	ci = cpu_info_at(1);
	l = kthread_create(masked_worker, &ms, CPUSET_BIT(1), "masked", &error);
	if (!KT_CHECK(l != NULL))
		return;
	deadline = nanouptime() + 5000000000ULL;
	while (!ms.ms_masked && nanouptime() < deadline)
		cpu_pause();
	if (KT_CHECKF(ms.ms_masked, "CPU 1 never ran the masked LWP")) {
		pending =
		    __atomic_load_n(&ci->ci_ipi_pending, __ATOMIC_RELAXED);
		sent = ipi_sent_count();
		sched_kick_test(1, true);
		KT_CHECKF(!sched_cpu_idle(1), "a kicked CPU still counts idle");
		KT_CHECK(ci->ci_want_resched);
		KT_EQ(__atomic_load_n(&ci->ci_ipi_pending, __ATOMIC_RELAXED) &
			IPI_RESCHED,
		    IPI_RESCHED);
		sched_kick_test(1, false); /* kicked already: nothing */
		sched_kick_test(1, true);  /* a post, and no second interrupt */
		KT_EQ(ipi_sent_count() - sent, pending == 0 ? 1 : 0);
	}
	ms.ms_release = true;
	kthread_join(l);
}

/*
 * An idle CPU kicked with nothing queued (the work it was kicked for was
 * taken elsewhere meanwhile) counts as idle again once it has looked.
 */
KTEST(sched_kicked_idle_again)
{
	uint64_t deadline;

	if ((sched_online_cpus() & CPUSET_BIT(1)) == 0) {
		ktest_skip("one CPU");
		return;
	}
	deadline = nanouptime() + 5000000000ULL;
	while (!sched_cpu_idle(1) && nanouptime() < deadline)
		cpu_pause();
	if (!KT_CHECKF(sched_cpu_idle(1), "CPU 1 does not count idle"))
		return;
	sched_kick_test(1, false);
	deadline = nanouptime() + 5000000000ULL;
	while (!sched_cpu_idle(1) && nanouptime() < deadline)
		cpu_pause();
	KT_CHECKF(sched_cpu_idle(1),
	    "CPU 1 never counted idle again after a kick that found nothing");
}

/*
 * Workers start on CPU 0 only, then may run anywhere: the idle CPUs take
 * them (at their next tick).  They yield until one finds itself on
 * another CPU, at most 20,000 times each.
 */
KTEST(sched_idle_cpus_steal)
{
	enum {
		NWORKERS = 12
	};
	struct sched_probe probes[NWORKERS] = { 0 };
	struct lwp *l[NWORKERS];
	cpuset_t seen = 0;
	uint64_t steals0 = sched_steals();
	bool smp = cpuset_count(sched_online_cpus()) > 1;
	volatile bool stop = false;
	int error;

	for (unsigned i = 0; i < NWORKERS; i++) {
		probes[i].sp_rounds = smp ? 20000 : 400;
		probes[i].sp_stop = smp ? &stop : NULL;
		l[i] = kthread_create(probe_worker, &probes[i], CPUSET_BIT(0),
		    "stealme", &error);
		KT_CHECK(l[i] != NULL);
	}
	/* Queued on CPU 0 (this CPU: they cannot run before it yields). */
	for (unsigned i = 0; i < NWORKERS; i++)
		if (l[i] != NULL)
			sched_setaffinity(l[i], ~(cpuset_t)0);
	for (unsigned i = 0; i < NWORKERS; i++) {
		if (l[i] == NULL)
			continue;
		kthread_join(l[i]);
		seen |= probes[i].sp_seen;
	}
	if (smp) {
		KT_CHECKF(sched_steals() > steals0, "no LWP was stolen");
		/* The first to run elsewhere stops them all: CPU 0 may see none. */
		KT_CHECKF((seen & ~CPUSET_BIT(0)) != 0,
		    "the workers ran on CPU 0 only");
	} else {
		KT_EQ(seen, CPUSET_BIT(0));
	}
}

/* Two LWPs pass a token back and forth with sleep and wakeup. */
struct pingpong {
	struct spinlock pp_lock;
	unsigned pp_turn;  /* (pp_lock) whose turn: 0 or 1 */
	unsigned pp_count; /* (pp_lock) passes made */
	unsigned pp_rounds;
};

static struct pingpong pp;

static void
pingpong_side(unsigned me)
{
	spin_lock(&pp.pp_lock);
	while (pp.pp_count < pp.pp_rounds) {
		while (pp.pp_turn != me && pp.pp_count < pp.pp_rounds)
			sleep(&pp.pp_turn, &pp.pp_lock, 0, 0);
		if (pp.pp_count >= pp.pp_rounds)
			break;
		pp.pp_count++;
		pp.pp_turn = !me;
		wakeup(&pp.pp_turn);
	}
	spin_unlock(&pp.pp_lock);
}

static void
pingpong_0(void *arg __unused_arg)
{
	pingpong_side(0);
}

static void
pingpong_1(void *arg __unused_arg)
{
	pingpong_side(1);
}

KTEST(sched_sleep_wakeup_across_cpus)
{
	cpuset_t online = sched_online_cpus();
	cpuset_t other = online & ~CPUSET_BIT(0) ?
	    online & -(online & ~CPUSET_BIT(0)) :
	    CPUSET_BIT(0);
	struct lwp *a, *b;
	int error;

	spinlock_init(&pp.pp_lock, "pingpong");
	pp.pp_turn = 0;
	pp.pp_count = 0;
	pp.pp_rounds = 2000;
	a = kthread_create(pingpong_0, NULL, CPUSET_BIT(0), "ping", &error);
	b = kthread_create(pingpong_1, NULL, other & -other, "pong", &error);
	if (!KT_CHECK(a != NULL && b != NULL))
		return;
	kthread_join(a);
	kthread_join(b);
	KT_EQ(pp.pp_count, pp.pp_rounds);
}

/* A running LWP whose affinity changes moves at its next switch. */
struct mover {
	volatile unsigned mv_cpu; /* where it ran last */
	volatile bool mv_moved;   /* the test changed its affinity */
	volatile bool mv_stop;
};

static void
mover_worker(void *arg)
{
	struct mover *mv = arg;

	/* Sleeps between rounds, so an idle LWP running the test gets a turn. */
	while (!mv->mv_stop) {
		mv->mv_cpu = curcpu()->ci_index;
		sleep(mv, NULL, 0, nanouptime() + 100000);
	}
}

KTEST(sched_affinity_moves)
{
	cpuset_t online = sched_online_cpus();
	struct mover mv = { 0 };
	unsigned last = 63 - __builtin_clzll(online);
	struct lwp *l;
	int error, spins;

	l = kthread_create(mover_worker, &mv, CPUSET_BIT(0), "mover", &error);
	if (!KT_CHECK(l != NULL))
		return;
	mv.mv_cpu = MAXCPUS;
	for (spins = 0; mv.mv_cpu != 0 && spins < 100000; spins++)
		sched_yield();
	KT_EQ(mv.mv_cpu, 0);
	sched_setaffinity(l, CPUSET_BIT(last));
	KT_EQ(sched_getaffinity(l), CPUSET_BIT(last));
	mv.mv_cpu = MAXCPUS;
	for (spins = 0; mv.mv_cpu != last && spins < 100000; spins++)
		sched_yield();
	KT_EQ(mv.mv_cpu, last);
	mv.mv_stop = true;
	kthread_join(l);
}

/*
 * Sleepers on two channels of one sleep queue (sched.c keeps one entry
 * per channel there, the others behind it).  A wakeup wakes every sleeper
 * of its own channel and none of the other's; a channel's first sleeper
 * that times out leaves the later ones asleep in their order, and so
 * does a later one.
 */
struct sq_sleeper {
	const void *ss_chan;
	uint64_t ss_timeout_ns; /* from the start of the sleep; 0: none */
	int ss_state; /* atomic: 0 not yet, 1 asleep (sq_test_lock), 2 woke */
	int ss_error; /* sleep's result, once ss_state is 2 */
};

static struct spinlock sq_test_lock = SPINLOCK_INITIALIZER("sq_test");
static char sq_test_chans[4096];

static void
sq_sleeper_main(void *arg)
{
	struct sq_sleeper *ss = arg;
	int error;

	spin_lock(&sq_test_lock);
	__atomic_store_n(&ss->ss_state, 1, __ATOMIC_RELAXED);
	error = sleep(ss->ss_chan, &sq_test_lock, 0,
	    ss->ss_timeout_ns != 0 ? nanouptime() + ss->ss_timeout_ns : 0);
	spin_unlock(&sq_test_lock);
	ss->ss_error = error;
	__atomic_store_n(&ss->ss_state, 2, __ATOMIC_RELEASE);
}

/*
 * Wait (up to a second) for ss to have woken.  The tests run in the boot
 * CPU's idle LWP, which may yield but not sleep.
 */
static bool
sq_test_woke(struct sq_sleeper *ss)
{
	uint64_t end = nanouptime() + 1000000000;

	while (__atomic_load_n(&ss->ss_state, __ATOMIC_ACQUIRE) != 2) {
		if (nanouptime() > end)
			return false;
		sched_yield();
	}
	return true;
}

KTEST(sched_sleepq_channels)
{
	const void *a = &sq_test_chans[0], *b = NULL;
	struct sq_sleeper ss[5] = {
		{ a, 20000000, 0, 0 }, /* the first on a, times out */
		{ a, 0, 0, 0 },
		{ a, 30000000, 0, 0 },             /* a later one, times out */
		{ a, 0, 0, 0 }, { NULL, 0, 0, 0 }, /* on b */
	};
	struct lwp *l[5];
	int error;

	for (unsigned i = 1; i < sizeof(sq_test_chans) && b == NULL; i++)
		if (sched_sleepq_index(&sq_test_chans[i]) ==
		    sched_sleepq_index(a))
			b = &sq_test_chans[i];
	if (!KT_CHECK(b != NULL))
		return;
	ss[4].ss_chan = b;
	for (unsigned i = 0; i < 5; i++) {
		l[i] = kthread_create(sq_sleeper_main, &ss[i],
		    sched_online_cpus(), "sq_sleeper", &error);
		if (!KT_CHECK(l[i] != NULL))
			return; /* leaks the others: the test already failed */
		/* Asleep, in this order, once its lock can be taken. */
		while (__atomic_load_n(&ss[i].ss_state, __ATOMIC_RELAXED) == 0)
			sched_yield();
		spin_lock(&sq_test_lock);
		spin_unlock(&sq_test_lock);
	}
	KT_CHECK(sq_test_woke(&ss[0]) && sq_test_woke(&ss[2]));
	KT_EQ(ss[0].ss_error, -ETIMEDOUT);
	KT_EQ(ss[2].ss_error, -ETIMEDOUT);
	wakeup(b);
	KT_CHECK(sq_test_woke(&ss[4]));
	KT_EQ(ss[4].ss_error, 0);
	for (uint64_t end = nanouptime() + 10000000; nanouptime() < end;)
		sched_yield();
	KT_EQ(__atomic_load_n(&ss[1].ss_state, __ATOMIC_ACQUIRE), 1);
	KT_EQ(__atomic_load_n(&ss[3].ss_state, __ATOMIC_ACQUIRE), 1);
	wakeup(a);
	KT_CHECK(sq_test_woke(&ss[1]) && sq_test_woke(&ss[3]));
	KT_EQ(ss[1].ss_error, 0);
	KT_EQ(ss[3].ss_error, 0);
	/* One that never woke is lost (the test failed): it stays. */
	for (unsigned i = 0; i < 5; i++)
		if (__atomic_load_n(&ss[i].ss_state, __ATOMIC_ACQUIRE) == 2)
			kthread_join(l[i]);
}

/*
 * The time slice by nice value: Linux's weights scaled so that nice 0
 * gets SCHED_QUANTUM, never longer for a higher nice value, within 1 and
 * 16 * SCHED_QUANTUM.
 */
KTEST(sched_quantum_by_nice)
{
	KT_CHECK(sched_quantum(0) == SCHED_QUANTUM);
	KT_CHECK(sched_quantum(NICE_MIN) == 16 * SCHED_QUANTUM);
	KT_CHECK(sched_quantum(NICE_MAX) == 1);
	for (int nice = NICE_MIN; nice < NICE_MAX; nice++)
		KT_CHECKF(sched_quantum(nice) >= sched_quantum(nice + 1),
		    "nice %d: %u ticks, nice %d: %u", nice, sched_quantum(nice),
		    nice + 1, sched_quantum(nice + 1));
}
