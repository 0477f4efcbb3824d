/*
 * The scheduler (sched.h).
 *
 * Run queues.  Every CPU has its own FIFO run queue under its own lock
 * (struct schedcpu).  The running LWP keeps the CPU until it sleeps,
 * yields, exits or uses up its quantum of ticks; it is then preempted at
 * its next return to user mode or preemption point (sched_checkpoint).
 * Its quantum is SCHED_QUANTUM scaled by the weight of its nice value
 * (sched_quantum), so CPU-bound LWPs share a CPU roughly by nice: a
 * coarse stand-in for Linux's CFS, at the tick's granularity.
 * A woken LWP goes to an idle CPU it may run on if there is one, else to
 * the least loaded of them, its last CPU on a tie; an idle CPU is woken
 * with an IPI, and stops counting as idle from then until it has looked
 * at its queue (sc_idle: as Linux's idle_cpu() with a wakeup pending), so
 * that wakeups meanwhile spread to other CPUs, or stay where they are,
 * instead of piling up behind a CPU that may take a while to wake.  A
 * CPU with nothing to run takes an LWP from the longest other queue
 * (work stealing), and every SCHED_BALANCE_TICKS a busy CPU
 * whose queue is two shorter than another's takes one too.  A second
 * run-queue lock is only ever try-locked, so two CPUs stealing from each
 * other cannot deadlock; an LWP whose move failed so stays queued where
 * it may not run, passed over until that CPU moves it (sched_next).
 *
 * Sleep queues.  SLEEPQ_HASH queues, each under its own lock, picked by
 * the channel's hash.  A queue holds one LWP per channel asleep there,
 * the channel's first sleeper; the others follow it on its l_sleepers,
 * in the order they came (FreeBSD's sleepqueue per channel, kept in the
 * first sleeper).  So a wakeup looks at the channels of its queue, never
 * at every sleeper: a hundred LWPs blocked on one pipe cost a wakeup on
 * another channel of the same queue nothing.  A timed sleeper stays on
 * its channel's queue with l_timeout set; sq_deadline is at most the
 * earliest deadline there (it is lowered under the lock and recomputed
 * when the tick scans), so the tick on CPU 0 locks only the queues whose
 * deadline has passed.
 *
 * The lock of an LWP (NetBSD's l_mutex).  l->l_mutex names the lock that
 * covers l's scheduling state (l_stat, l_wchan, l_cpu, l_affinity, the
 * queue links):
 *   LSIDL              sched_idl_lock
 *   LSRUN, LSONPROC    the run-queue lock of CPU l_cpu
 *   LSSLEEP            the lock of its sleep queue
 *   LSZOMB             the run-queue lock of the CPU it left
 * It changes only while the old and the new lock are both held, and
 * lwp_lock() takes it and checks that it did not change meanwhile.
 *
 * Lock order: proc_lock and sleep interlocks (pipe, console, mutex
 * interlocks), then sched_idl_lock, then a sleep-queue lock, then a
 * run-queue lock; a second run-queue lock only by try-lock.
 *
 * Switching.  sched_switch runs with the CPU's run-queue lock held, and
 * the LWP switched to releases it.  l_running is set while an LWP's stack
 * is in use on a CPU: from the moment a CPU picks it until the LWP after
 * it has finished the switch.  An LWP may be queued on another CPU
 * before it has left its own (woken right after it went to sleep, or
 * migrated), so a CPU picking LWPs skips those still running, and a
 * reaper waits for l_running to clear before freeing one.  The kernel
 * stack of an exited LWP is freed by the LWP that ran after it, once the
 * run-queue lock is dropped.
 */
#include <systm.h>
#include <witness.h>
#include <clock.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/ipi.h>
#include <arch/mp.h>
#include <arch/pcb.h>
#include <arch/pmap.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>

#define SLEEPQ_HASH 64
#define SCHED_BALANCE_TICKS 4
#define SCHED_STEAL_TRIES 64

TAILQ_HEAD(lwpq, lwp);

struct sleepq {
	struct spinlock sq_lock;
	struct lwpq sq_lwps;  /* (q) */
	uint64_t sq_deadline; /* (q) to write; atomic reads; UINT64_MAX: none */
} __aligned(64);

/*
 * A CPU's scheduling state.  (r) is sc_lock; (h) is written under
 * sc_lock but read unlocked elsewhere as a hint; (o) the owning CPU
 * only.
 */
struct schedcpu {
	struct spinlock sc_lock;
	struct lwpq sc_runq; /* (r) */
	unsigned sc_nrun;    /* (h) LWPs on sc_runq */
	/*
	 * (h) The idle LWP runs here and no kick is on its way.  sched_kick
	 * clears it without sc_lock; the IPI that follows each clear brings
	 * the CPU to sched_switch, which stores it again after the clear.
	 */
	bool sc_idle;
	unsigned sc_balance; /* (o) ticks to the next balancing */
	cpuset_t sc_self;    /* this CPU's bit; constant once attached */
} __aligned(64);

static struct sleepq sleepq[SLEEPQ_HASH];
static struct schedcpu schedcpu[MAXCPUS];
static struct spinlock sched_idl_lock = SPINLOCK_INITIALIZER("sched_idl");
static cpuset_t sched_online;  /* atomic: CPUs that schedule */
static uint64_t sched_nsteals; /* atomic */

/*
 * The quantum of an LWP of CFS weight w (Linux's sched_prio_to_weight,
 * 1024 at nice 0): SCHED_QUANTUM * w / 1024 ticks, rounded, between 1
 * and 16 * SCHED_QUANTUM.
 */
#define WEIGHT_QUANTUM(w)                                                 \
	((SCHED_QUANTUM * (w) + 512) / 1024 < 1 ?                         \
		1 :                                                       \
		(SCHED_QUANTUM * (w) + 512) / 1024 > 16 * SCHED_QUANTUM ? \
		16 * SCHED_QUANTUM :                                      \
		(SCHED_QUANTUM * (w) + 512) / 1024)

/* sched_quantum of nice -20 .. 19, from Linux's weights of them. */
static const uint8_t nice_quantum[NICE_MAX - NICE_MIN + 1] = {
	WEIGHT_QUANTUM(88761),
	WEIGHT_QUANTUM(71755),
	WEIGHT_QUANTUM(56483),
	WEIGHT_QUANTUM(46273),
	WEIGHT_QUANTUM(36291),
	WEIGHT_QUANTUM(29154),
	WEIGHT_QUANTUM(23254),
	WEIGHT_QUANTUM(18705),
	WEIGHT_QUANTUM(14949),
	WEIGHT_QUANTUM(11916),
	WEIGHT_QUANTUM(9548),
	WEIGHT_QUANTUM(7620),
	WEIGHT_QUANTUM(6100),
	WEIGHT_QUANTUM(4904),
	WEIGHT_QUANTUM(3906),
	WEIGHT_QUANTUM(3121),
	WEIGHT_QUANTUM(2501),
	WEIGHT_QUANTUM(1991),
	WEIGHT_QUANTUM(1586),
	WEIGHT_QUANTUM(1277),
	WEIGHT_QUANTUM(1024),
	WEIGHT_QUANTUM(820),
	WEIGHT_QUANTUM(655),
	WEIGHT_QUANTUM(526),
	WEIGHT_QUANTUM(423),
	WEIGHT_QUANTUM(335),
	WEIGHT_QUANTUM(272),
	WEIGHT_QUANTUM(215),
	WEIGHT_QUANTUM(172),
	WEIGHT_QUANTUM(137),
	WEIGHT_QUANTUM(110),
	WEIGHT_QUANTUM(87),
	WEIGHT_QUANTUM(70),
	WEIGHT_QUANTUM(56),
	WEIGHT_QUANTUM(45),
	WEIGHT_QUANTUM(36),
	WEIGHT_QUANTUM(29),
	WEIGHT_QUANTUM(23),
	WEIGHT_QUANTUM(18),
	WEIGHT_QUANTUM(15),
};
CTASSERT(WEIGHT_QUANTUM(1024) == SCHED_QUANTUM);

unsigned
sched_quantum(int nice)
{
	KASSERT(nice >= NICE_MIN && nice <= NICE_MAX);
	return nice_quantum[nice - NICE_MIN];
}

/* A fresh quantum for l by its nice value.  No requirements. */
static inline unsigned
sched_lwp_quantum(const struct lwp *l)
{
	return nice_quantum[__atomic_load_n(&l->l_nice, __ATOMIC_RELAXED) -
	    NICE_MIN];
}

unsigned
sched_sleepq_index(const void *chan)
{
	uint64_t h = (uint64_t)chan;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return h >> 58;
}
CTASSERT(SLEEPQ_HASH == 64); /* the shift above */

/* The sleep queue of chan.  No requirements. */
static struct sleepq *
sleepq_for(const void *chan)
{
	return &sleepq[sched_sleepq_index(chan)];
}

/* The first sleeper on chan in sq, or NULL.  The caller holds sq's lock. */
static struct lwp *
sleepq_first(struct sleepq *sq, const void *chan)
{
	struct lwp *h;

	TAILQ_FOREACH(h, &sq->sq_lwps, l_runq)
	{
		if (h->l_wchan == chan)
			return h;
	}
	return NULL;
}

/*
 * Queue l, which is about to sleep on l_wchan, last on its channel.  The
 * caller holds sq's lock.
 */
static void
sleepq_insert(struct sleepq *sq, struct lwp *l)
{
	struct lwp *h = sleepq_first(sq, l->l_wchan);

	if (h != NULL) {
		TAILQ_INSERT_TAIL(&h->l_sleepers, l, l_chanq);
	} else {
		TAILQ_INIT(&l->l_sleepers);
		TAILQ_INSERT_TAIL(&sq->sq_lwps, l, l_runq);
	}
}

/*
 * Take the sleeping l off sq; if it was its channel's first sleeper, the
 * next one takes its place.  The caller holds sq's lock.
 */
static void
sleepq_remove(struct sleepq *sq, struct lwp *l)
{
	struct lwp *h = sleepq_first(sq, l->l_wchan), *next;

	KASSERT(h != NULL);
	if (h != l) {
		TAILQ_REMOVE(&h->l_sleepers, l, l_chanq);
		return;
	}
	if ((next = TAILQ_FIRST(&l->l_sleepers)) != NULL) {
		TAILQ_REMOVE(&l->l_sleepers, next, l_chanq);
		TAILQ_INIT(&next->l_sleepers);
		TAILQ_CONCAT(&next->l_sleepers, &l->l_sleepers, l_chanq);
		TAILQ_INSERT_AFTER(&sq->sq_lwps, l, next, l_runq);
	}
	TAILQ_REMOVE(&sq->sq_lwps, l, l_runq);
}

static inline struct schedcpu *
sched_cpu(const struct cpu_info *ci)
{
	return &schedcpu[ci->ci_index];
}

static inline unsigned
sched_nrun(unsigned i)
{
	return __atomic_load_n(&schedcpu[i].sc_nrun, __ATOMIC_RELAXED);
}

cpuset_t
sched_online_cpus(void)
{
	return __atomic_load_n(&sched_online, __ATOMIC_ACQUIRE);
}

uint64_t
sched_steals(void)
{
	return __atomic_load_n(&sched_nsteals, __ATOMIC_RELAXED);
}

/* Take the lock that covers l (see above) and return it. */
static struct spinlock *
lwp_lock(struct lwp *l)
{
	struct spinlock *m;

	for (;;) {
		m = __atomic_load_n(&l->l_mutex, __ATOMIC_ACQUIRE);
		spin_lock(m);
		if (m == __atomic_load_n(&l->l_mutex, __ATOMIC_RELAXED))
			return m;
		spin_unlock(m);
	}
}

/* Make m the lock of l.  The caller holds l's lock and m. */
static void
lwp_setlock(struct lwp *l, struct spinlock *m)
{
	KASSERT(spin_held(m));
	__atomic_store_n(&l->l_mutex, m, __ATOMIC_RELEASE);
}

/*
 * Put l (LSRUN) at the tail of sc's queue and make sc_lock its lock.
 * The caller holds sc_lock and l's lock.
 */
static void
runq_insert(struct schedcpu *sc, struct lwp *l)
{
	KASSERT(l->l_stat == LSRUN);
	l->l_cpu = sc - schedcpu;
	TAILQ_INSERT_TAIL(&sc->sc_runq, l, l_runq);
	__atomic_store_n(&sc->sc_nrun, sc->sc_nrun + 1, __ATOMIC_RELAXED);
	if (l->l_mutex != &sc->sc_lock)
		lwp_setlock(l, &sc->sc_lock);
}

/* Take l off sc's queue.  The caller holds sc_lock. */
static void
runq_remove(struct schedcpu *sc, struct lwp *l)
{
	KASSERT(l->l_stat == LSRUN && l->l_cpu == (unsigned)(sc - schedcpu));
	TAILQ_REMOVE(&sc->sc_runq, l, l_runq);
	__atomic_store_n(&sc->sc_nrun, sc->sc_nrun - 1, __ATOMIC_RELAXED);
}

/*
 * The CPU to queue l on: an idle one it may run on (its last CPU
 * first), else the least loaded, its last CPU on a tie.  Reads hints
 * only.  No requirements.
 */
static unsigned
sched_pick_cpu(const struct lwp *l)
{
	cpuset_t online = sched_online_cpus();
	cpuset_t allowed = l->l_affinity & online, others;
	unsigned last = l->l_cpu, best = last, least = UINT32_MAX, i;

	if (__predict_true(online == CPUSET_BIT(last)))
		return last; /* one CPU */
	if (allowed == 0)
		allowed = online;
	if ((allowed & CPUSET_BIT(last)) != 0) {
		if (__atomic_load_n(&schedcpu[last].sc_idle, __ATOMIC_RELAXED))
			return last;
		least = sched_nrun(last);
	}
	for (others = allowed & ~CPUSET_BIT(last); others != 0;
	     others &= others - 1) {
		i = __builtin_ctzll(others);
		if (__atomic_load_n(&schedcpu[i].sc_idle, __ATOMIC_RELAXED))
			return i;
		if (sched_nrun(i) < least) {
			least = sched_nrun(i);
			best = i;
		}
	}
	return best;
}

/*
 * CPU t has new work on its queue: if it idles, make it look, and count
 * it busy until it has (its sched_switch sets sc_idle again if it finds
 * nothing to run): a CPU already kicked gets no second IPI.  No
 * requirements.
 */
static void
sched_kick(unsigned t)
{
	struct cpu_info *ci = curcpu();

	if (t == ci->ci_index) {
		if (ci->ci_curlwp == ci->ci_idlelwp)
			ci->ci_want_resched = true;
		return;
	}
	if (__atomic_load_n(&schedcpu[t].sc_idle, __ATOMIC_RELAXED)) {
		__atomic_store_n(&schedcpu[t].sc_idle, false, __ATOMIC_RELAXED);
		ci = cpu_info_at(t);
		ci->ci_want_resched = true;
		ipi_send(ci, IPI_RESCHED);
	}
}

/*
 * Queue the runnable l (LSRUN, on no queue) on the CPU sched_pick_cpu
 * chooses, and wake that CPU.  sync (wakeup_sync): the caller is about
 * to sleep, so l goes to the caller's CPU instead if it may run there
 * and no other LWP waits there.  The caller holds l's lock (a
 * sleep-queue lock or sched_idl_lock), which stays held.
 */
static void
sched_enqueue(struct lwp *l, bool sync)
{
	unsigned self = curcpu()->ci_index, t;
	struct schedcpu *sc;

	if (sync && (l->l_affinity & CPUSET_BIT(self)) != 0 &&
	    sched_nrun(self) == 0)
		t = self;
	else
		t = sched_pick_cpu(l);
	sc = &schedcpu[t];

	spin_lock(&sc->sc_lock);
	runq_insert(sc, l);
	spin_unlock(&sc->sc_lock);
	sched_kick(t);
}

/*
 * Take one LWP that may run on sc's CPU from the longest other queue,
 * with a try-lock.  Returns it (LSRUN, on no queue, covered by sc_lock)
 * or NULL.  The caller holds sc_lock.
 */
static struct lwp *
sched_steal(struct schedcpu *sc)
{
	unsigned self = sc - schedcpu, victim = self, most = 0, i;
	cpuset_t others = sched_online_cpus() & ~CPUSET_BIT(self);
	struct schedcpu *vc;
	struct lwp *l;

	KASSERT(spin_held(&sc->sc_lock));
	for (; others != 0; others &= others - 1) {
		i = __builtin_ctzll(others);
		if (sched_nrun(i) > most) {
			most = sched_nrun(i);
			victim = i;
		}
	}
	if (victim == self)
		return NULL;
	/*
	 * A busy CPU holds its lock often; a few tries find it free
	 * without ever waiting on it (see the lock order above).
	 */
	vc = &schedcpu[victim];
	for (int tries = 0; !spin_trylock(&vc->sc_lock); tries++) {
		if (tries == SCHED_STEAL_TRIES)
			return NULL;
		cpu_pause();
	}
	TAILQ_FOREACH(l, &vc->sc_runq, l_runq)
	{
		if ((l->l_affinity & CPUSET_BIT(self)) != 0 &&
		    !__atomic_load_n(&l->l_running, __ATOMIC_ACQUIRE))
			break;
	}
	if (l != NULL) {
		runq_remove(vc, l);
		l->l_cpu = self;
		lwp_setlock(l, &sc->sc_lock);
		__atomic_add_fetch(&sched_nsteals, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&vc->sc_lock);
	return l;
}

/*
 * Move l, queued on sc but not allowed on sc's CPU, to a CPU it may run
 * on, if that queue's lock is free at once: true if moved.  The caller
 * holds sc_lock, l's lock.
 */
static bool
sched_migrate(struct schedcpu *sc, struct lwp *l)
{
	unsigned t = sched_pick_cpu(l);

	KASSERT(spin_held(&sc->sc_lock) && l->l_mutex == &sc->sc_lock);
	KASSERT(l->l_stat == LSRUN && (l->l_affinity & sc->sc_self) == 0);
	if (t == (unsigned)(sc - schedcpu) ||
	    !spin_trylock(&schedcpu[t].sc_lock))
		return false;
	runq_remove(sc, l);
	runq_insert(&schedcpu[t], l);
	spin_unlock(&schedcpu[t].sc_lock);
	sched_kick(t);
	return true;
}

/*
 * Queue the calling CPU's LWP l, which gives up the CPU but stays
 * runnable: here, then, if it may not run here, on a CPU it may run on
 * if that queue's lock is free at once (else it stays, and sched_next
 * tries again whenever this CPU chooses).  The caller holds sc_lock,
 * l's lock.
 */
static void
sched_requeue(struct schedcpu *sc, struct lwp *l)
{
	l->l_stat = LSRUN;
	runq_insert(sc, l);
	if ((l->l_affinity & sc->sc_self) == 0)
		sched_migrate(sc, l);
}

/*
 * The LWP to run next on sc's CPU: the first on its queue that may run
 * here and is not still running elsewhere (self, the caller, may be
 * picked), else one stolen from another CPU, else the idle LWP.  One
 * that may not run here (its affinity changed while it was queued, and
 * moving it failed) is moved now if it can be, else passed over: it
 * never runs outside its affinity.  The caller holds sc_lock.
 */
static struct lwp *
sched_next(struct schedcpu *sc, struct lwp *self)
{
	cpuset_t here = sc->sc_self;
	struct lwp *l;

again:
	TAILQ_FOREACH(l, &sc->sc_runq, l_runq)
	{
		if (__predict_false((l->l_affinity & here) == 0)) {
			if (sched_migrate(sc, l))
				goto again;
			continue;
		}
		if (l == self ||
		    !__atomic_load_n(&l->l_running, __ATOMIC_ACQUIRE)) {
			runq_remove(sc, l);
			return l;
		}
	}
	if ((l = sched_steal(sc)) != NULL)
		return l;
	return curcpu()->ci_idlelwp;
}

/*
 * Finish a switch in the LWP now running: the one before it, prev, is
 * off its stack.  sc_lock is released; an exited prev's stack is freed
 * then, and only after that is prev marked off the CPU, so a reaper
 * (sched_wait_offcpu) finds everything of it given back.
 */
static void
sched_switch_done(struct lwp *prev)
{
	struct cpu_info *ci = curcpu();
	vaddr_t dead = 0;

	if (prev->l_stat == LSZOMB) {
		dead = prev->l_kstack;
		prev->l_kstack = 0;
	}
	ci->ci_curlwp->l_quantum = sched_lwp_quantum(ci->ci_curlwp);
	spin_unlock(&sched_cpu(ci)->sc_lock);
	if (dead != 0)
		kstack_free(dead);
	__atomic_store_n(&prev->l_running, false, __ATOMIC_RELEASE);
}

/*
 * Switch to the next LWP.  The caller holds sc_lock, the lock of its
 * CPU's run queue (and no other spinlock), and has set its own l_stat;
 * if it is still LSONPROC it stays runnable.  Returns when the caller is
 * chosen again (perhaps on another CPU), with no spinlock held.
 */
static void
sched_switch(struct schedcpu *sc)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l = ci->ci_curlwp, *next, *prev;
	bool intr_was;

	KASSERT(sc == sched_cpu(ci) && ci->ci_spin_depth == 1);
	ci->ci_want_resched = false;
	if (l->l_stat == LSONPROC && l != ci->ci_idlelwp)
		sched_requeue(sc, l);
	next = sched_next(sc, l);
	/* Also when the idle LWP stays: a kick that found nothing ends here. */
	__atomic_store_n(&sc->sc_idle, next == ci->ci_idlelwp,
	    __ATOMIC_RELAXED);
	if (next == l) {
		l->l_stat = LSONPROC;
		l->l_quantum = sched_lwp_quantum(l);
		spin_unlock(&sc->sc_lock);
		return;
	}
	KASSERT(next->l_mutex == &sc->sc_lock);
	next->l_stat = LSONPROC;
	__atomic_store_n(&next->l_running, true, __ATOMIC_RELAXED);
	if (next->l_md.md_tf != NULL)
		vmspace_activate(vkernel_lwp_vmspace(next));
	else
		pmap_activate(pmap_kernel());

	/* The interrupt state to restore belongs to each LWP's own history. */
	intr_was = ci->ci_spin_intr_enabled;
	prev = cpu_switchto(l, next);
	ci = curcpu();
	ci->ci_spin_intr_enabled = intr_was;
	sched_switch_done(prev);
}

void
lwp_startup(struct lwp *prev)
{
	/* Stay masked until trap_return's iretq. */
	curcpu()->ci_spin_intr_enabled = false;
	sched_switch_done(prev);
}

struct spinlock *
sched_lock_self(void)
{
	struct spinlock *m = &sched_cpu(curcpu())->sc_lock;

	spin_lock(m);
	KASSERT(curlwp->l_mutex == m);
	return m;
}

void
sched_lwp_init(struct lwp *l)
{
	struct lwp *parent = curlwp;

	l->l_mutex = &sched_idl_lock;
	l->l_cpu = curcpu()->ci_index;
	l->l_affinity =
	    parent->l_flag & LW_SYSTEM ? ~(cpuset_t)0 : parent->l_affinity;
	if (parent->l_flag & LW_SYSTEM) {
		l->l_nice = l->l_ioprio = 0;
	} else {
		l->l_nice = __atomic_load_n(&parent->l_nice, __ATOMIC_RELAXED);
		l->l_ioprio =
		    __atomic_load_n(&parent->l_ioprio, __ATOMIC_RELAXED);
	}
	l->l_quantum = sched_lwp_quantum(l);
}

void
sched_setrunnable(struct lwp *l)
{
	struct spinlock *m = lwp_lock(l);

	KASSERT(m == &sched_idl_lock && l->l_stat == LSIDL);
	l->l_stat = LSRUN;
	sched_enqueue(l, false);
	spin_unlock(m);
}

/*
 * Make l, asleep on sq but taken off it already, runnable and queue it
 * (sync: sched_enqueue).  The caller holds sq's lock, l's lock.
 */
static void
sched_setrun_slept(struct sleepq *sq, struct lwp *l, bool sync)
{
	KASSERT(l->l_mutex == &sq->sq_lock && l->l_stat == LSSLEEP);
	l->l_timeout = 0;
	l->l_wchan = NULL;
	l->l_stat = LSRUN;
	sched_enqueue(l, sync);
}

/*
 * Take the sleeping l off sq and make it runnable, as above.  The caller
 * holds sq's lock, l's lock.
 */
static void
sched_unsleep(struct sleepq *sq, struct lwp *l, bool sync)
{
	sleepq_remove(sq, l);
	sched_setrun_slept(sq, l, sync);
}

int
sleep(const void *chan, struct spinlock *lk, int flags, uint64_t timeout_ns)
{
	struct lwp *l = curlwp;
	struct sleepq *sq = sleepq_for(chan);
	struct schedcpu *sc;
	int error = 0;

	witness_sleep_check(lk);
	KASSERT(lk == NULL || spin_held(lk));
	KASSERT(curcpu()->ci_spin_depth == (lk != NULL ? 1 : 0));
	KASSERT(l != curcpu()->ci_idlelwp);
	spin_lock(&sq->sq_lock);
	if (lk != NULL)
		spin_unlock(lk);
	/*
	 * With both locks held: sched_interrupt's callers set LW_WEXIT or
	 * LW_PENDSIG before it takes l's lock, so either it is seen here
	 * or the interrupter finds l asleep.
	 */
	sc = sched_cpu(curcpu());
	spin_lock(&sc->sc_lock);
	KASSERT(l->l_mutex == &sc->sc_lock);
	if ((flags & SLEEP_INTR) &&
	    (__atomic_load_n(&l->l_flag, __ATOMIC_RELAXED) &
		(LW_WEXIT | LW_PENDSIG)))
		error = -EINTR;
	else if (timeout_ns != 0 && nanouptime() >= timeout_ns)
		error = -ETIMEDOUT;
	if (error != 0) {
		spin_unlock(&sc->sc_lock);
		spin_unlock(&sq->sq_lock);
		goto out;
	}
	l->l_wchan = chan;
	l->l_stat = LSSLEEP;
	l->l_slptimedout = 0;
	l->l_sintr = (flags & SLEEP_INTR) != 0;
	sleepq_insert(sq, l);
	if (timeout_ns != 0) {
		l->l_timeout = timeout_ns;
		if (timeout_ns < sq->sq_deadline)
			__atomic_store_n(&sq->sq_deadline, timeout_ns,
			    __ATOMIC_RELAXED);
	}
	lwp_setlock(l, &sq->sq_lock);
	spin_unlock(&sq->sq_lock);
	sched_switch(sc);
	l->l_sintr = false;
	if (l->l_slptimedout)
		error = -ETIMEDOUT;
	else if ((flags & SLEEP_INTR) &&
	    (__atomic_load_n(&l->l_flag, __ATOMIC_RELAXED) &
		(LW_WEXIT | LW_PENDSIG)))
		error = -EINTR;
out:
	if (lk != NULL)
		spin_lock(lk);
	return error;
}

/* wakeup and wakeup_sync.  No requirements. */
static void
sched_wakeup(const void *chan, bool sync)
{
	struct sleepq *sq = sleepq_for(chan);
	struct lwp *first, *l;
	struct lwpq rest;

	spin_lock(&sq->sq_lock);
	if ((first = sleepq_first(sq, chan)) != NULL) {
		/*
		 * The others off first before first can run: its l_sleepers
		 * is its own again once it sleeps elsewhere.
		 */
		TAILQ_REMOVE(&sq->sq_lwps, first, l_runq);
		TAILQ_INIT(&rest);
		TAILQ_CONCAT(&rest, &first->l_sleepers, l_chanq);
		sched_setrun_slept(sq, first, sync);
		while ((l = TAILQ_FIRST(&rest)) != NULL) {
			TAILQ_REMOVE(&rest, l, l_chanq);
			sched_setrun_slept(sq, l, sync);
		}
	}
	spin_unlock(&sq->sq_lock);
}

void
wakeup(const void *chan)
{
	sched_wakeup(chan, false);
}

void
wakeup_sync(const void *chan)
{
	sched_wakeup(chan, true);
}

void
sched_interrupt(struct lwp *l)
{
	struct spinlock *m;
	struct cpu_info *ci;

	KASSERT(spin_held(&proc_lock));
	m = lwp_lock(l);
	if (l->l_stat == LSSLEEP && l->l_sintr) {
		sched_unsleep(sleepq_for(l->l_wchan), l, false);
	} else if (l->l_stat == LSONPROC && l != curlwp) {
		/* Out to userret, which sees LW_WEXIT and LW_PENDSIG. */
		ci = cpu_info_at(l->l_cpu);
		ci->ci_want_resched = true;
		ipi_send(ci, IPI_RESCHED);
	}
	spin_unlock(m);
}

void
sched_yield(void)
{
	struct schedcpu *sc = sched_cpu(curcpu());

	spin_lock(&sc->sc_lock);
	sched_switch(sc);
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

/*
 * Wake l, asleep on sq, if its deadline has passed by now, else lower
 * *next to it.  The caller holds sq's lock.
 */
static void
sleepq_expire(struct sleepq *sq, struct lwp *l, uint64_t now, uint64_t *next)
{
	if (l->l_timeout == 0)
		return;
	if (l->l_timeout <= now) {
		l->l_slptimedout = 1;
		sched_unsleep(sq, l, false);
	} else if (l->l_timeout < *next) {
		*next = l->l_timeout;
	}
}

/* Wake the timed sleepers whose deadline has passed.  Interrupts masked. */
static void
sched_timeouts(void)
{
	uint64_t now = nanouptime(), next;
	struct sleepq *sq;
	struct lwp *first, *l, *t, *u;

	for (sq = sleepq; sq < sleepq + SLEEPQ_HASH; sq++) {
		if (__atomic_load_n(&sq->sq_deadline, __ATOMIC_RELAXED) > now)
			continue;
		spin_lock(&sq->sq_lock);
		next = UINT64_MAX;
		/*
		 * A channel's later sleepers before its first: a first one
		 * that leaves puts the next in its place, after it, where this
		 * walk would not look again.
		 */
		TAILQ_FOREACH_SAFE(first, &sq->sq_lwps, l_runq, t)
		{
			TAILQ_FOREACH_SAFE(l, &first->l_sleepers, l_chanq, u)
			sleepq_expire(sq, l, now, &next);
			sleepq_expire(sq, first, now, &next);
		}
		__atomic_store_n(&sq->sq_deadline, next, __ATOMIC_RELAXED);
		spin_unlock(&sq->sq_lock);
	}
}

/*
 * If another CPU's queue is two longer than this one's, take an LWP
 * from it.  Interrupts masked; no spinlock held.
 */
static void
sched_balance(struct schedcpu *sc)
{
	unsigned self = sc - schedcpu, mine = sched_nrun(self);
	cpuset_t others = sched_online_cpus() & ~CPUSET_BIT(self);
	struct lwp *l;
	bool behind = false;

	for (; others != 0 && !behind; others &= others - 1)
		behind = sched_nrun(__builtin_ctzll(others)) >= mine + 2;
	if (!behind)
		return;
	spin_lock(&sc->sc_lock);
	if ((l = sched_steal(sc)) != NULL)
		runq_insert(sc, l);
	spin_unlock(&sc->sc_lock);
}

void
sched_tick(void)
{
	struct cpu_info *ci = curcpu();
	struct schedcpu *sc = sched_cpu(ci);
	struct lwp *l = ci->ci_curlwp;
	cpuset_t online;

	KASSERT(!intr_enabled());
	if (ci->ci_index == 0)
		sched_timeouts();
	if (l == ci->ci_idlelwp) {
		/* Work queued anywhere: the idle loop looks (and steals). */
		for (online = sched_online_cpus(); online != 0;
		     online &= online - 1)
			if (sched_nrun(__builtin_ctzll(online)) != 0)
				ci->ci_want_resched = true;
		return;
	}
	if (l->l_quantum > 0 && --l->l_quantum == 0)
		ci->ci_want_resched = true;
	if ((l->l_affinity & CPUSET_BIT(ci->ci_index)) == 0)
		ci->ci_want_resched = true;
	if (++sc->sc_balance >= SCHED_BALANCE_TICKS) {
		sc->sc_balance = 0;
		sched_balance(sc);
	}
}

void
sched_exit_switch(void)
{
	struct schedcpu *sc = sched_cpu(curcpu());

	KASSERT(spin_held(&sc->sc_lock));
	KASSERT(curlwp->l_stat == LSZOMB);
	sched_switch(sc);
	panic("sched: exited LWP %d.%d was switched back in",
	    curlwp->l_proc->p_pid, curlwp->l_lid);
}

void
sched_wait_offcpu(struct lwp *l)
{
	KASSERT(l->l_stat == LSZOMB);
	while (__atomic_load_n(&l->l_running, __ATOMIC_ACQUIRE))
		cpu_pause();
}

void
sched_idle(void)
{
	struct cpu_info *ci = curcpu();
	struct schedcpu *sc = sched_cpu(ci);

	for (;;) {
		cli();
		if (sched_nrun(ci->ci_index) != 0 || ci->ci_want_resched) {
			spin_lock(&sc->sc_lock);
			sched_switch(sc);
			/*
			 * Back with interrupts masked, perhaps without having
			 * left: what is queued here may still be switching out
			 * on another CPU (sched_next passes it over).  Wait for
			 * that with interrupts enabled and a pause, which
			 * under QEMU's round-robin TCG lets the other CPU
			 * run; spinning here masked would take this CPU's
			 * whole turn.
			 */
			sti();
			cpu_pause();
			continue;
		}
		cpu_idle(); /* sti; hlt: an interrupt or IPI brings us back */
	}
}

void
userret(struct trapframe *tf)
{
	struct lwp *l = curlwp;
	struct schedcpu *sc;

	KASSERT(tf == l->l_md.md_tf);
	for (;;) {
		/* A guest's run may end meanwhile, and md_tf change with it. */
		tf = l->l_md.md_tf;
		if (__predict_false(l->l_flag & (LW_WEXIT | LW_PENDSIG))) {
			sti();
			if (l->l_flag & LW_WEXIT)
				proc_exit(-1);
			sig_deliver(tf);
			cli();
			continue;
		}
		if (__predict_false(curcpu()->ci_want_resched)) {
			sc = sched_cpu(curcpu());
			spin_lock(&sc->sc_lock);
			sched_switch(sc);
			continue;
		}
		if (vkernel_check_timeout(l, tf))
			continue; /* it enabled interrupts: check again */
		break;
	}
	witness_userret_check();
}

cpuset_t
sched_getaffinity(struct lwp *l)
{
	struct spinlock *m = lwp_lock(l);
	cpuset_t set = l->l_affinity & sched_online_cpus();

	spin_unlock(m);
	return set;
}

void
sched_setaffinity(struct lwp *l, cpuset_t set)
{
	struct spinlock *m;
	struct cpu_info *ci;

	KASSERT((set & sched_online_cpus()) != 0);
	for (;;) {
		m = lwp_lock(l);
		l->l_affinity = set;
		if ((set & CPUSET_BIT(l->l_cpu)) != 0)
			break;
		if (l->l_stat == LSONPROC) {
			/* It moves itself at its next switch (sched_requeue). */
			ci = cpu_info_at(l->l_cpu);
			ci->ci_want_resched = true;
			if (ci != curcpu())
				ipi_send(ci, IPI_RESCHED);
			break;
		}
		if (l->l_stat != LSRUN)
			break; /* a wakeup queues it where it may run */
		if (sched_migrate(&schedcpu[l->l_cpu], l))
			break;
		spin_unlock(m);
		cpu_pause();
	}
	spin_unlock(m);
}

void
sched_kick_test(unsigned t, bool idle)
{
	KASSERT(t != curcpu()->ci_index);
	if (idle)
		__atomic_store_n(&schedcpu[t].sc_idle, true, __ATOMIC_RELAXED);
	sched_kick(t);
}

bool
sched_cpu_idle(unsigned t)
{
	return __atomic_load_n(&schedcpu[t].sc_idle, __ATOMIC_RELAXED);
}

void
sched_setaffinity_unmoved(struct lwp *l, cpuset_t set)
{
	struct spinlock *m = lwp_lock(l);

	l->l_affinity = set;
	spin_unlock(m);
}

void
sched_cpu_attach(struct cpu_info *ci, struct lwp *idle)
{
	struct schedcpu *sc = sched_cpu(ci);

	KASSERT(!intr_enabled());
	idle->l_stat = LSONPROC;
	idle->l_running = true;
	idle->l_flag = LW_SYSTEM;
	idle->l_cpu = ci->ci_index;
	idle->l_affinity = CPUSET_BIT(ci->ci_index);
	idle->l_mutex = &sc->sc_lock;
	sc->sc_idle = true;
	sc->sc_self = CPUSET_BIT(ci->ci_index);
	ci->ci_curlwp = idle;
	ci->ci_idlelwp = idle;
	__atomic_or_fetch(&sched_online, CPUSET_BIT(ci->ci_index),
	    __ATOMIC_RELEASE);
}

void
sched_startup(void)
{
	for (int i = 0; i < SLEEPQ_HASH; i++) {
		spinlock_init(&sleepq[i].sq_lock, "sleepq");
		TAILQ_INIT(&sleepq[i].sq_lwps);
		sleepq[i].sq_deadline = UINT64_MAX;
	}
	for (int i = 0; i < MAXCPUS; i++) {
		spinlock_init(&schedcpu[i].sc_lock, "runq");
		TAILQ_INIT(&schedcpu[i].sc_runq);
	}
}
