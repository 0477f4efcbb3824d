/*
 * In-kernel tests of TLB shootdown: a mapping removed, made read-only or
 * replaced on one CPU is gone from every other CPU's TLB before the call
 * returns, and CPUs shooting down at once all finish.
 *
 * The other CPUs are driven with tlb_call, the transport of shootdowns
 * itself: each target runs a probe from its IPI handler, reading or
 * writing through the mapping with probe_read64/probe_write8 (a fault
 * is caught and counted).  A first probe loads the translation into the
 * target's TLB; the change is made on this CPU; a second probe must see
 * the new state.  Without a shootdown the target keeps the stale
 * translation and the second probe still succeeds (or reads the old
 * page), which these tests report.
 *
 * Each test needs a second CPU that takes part in shootdowns and is
 * skipped ("# SKIP") without one.
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/ipi.h>
#include <arch/mp.h>
#include <arch/pmap.h>
#include <proc/proc.h>
#include <vm/vm_page.h>
#include "tlb.h"

/* Kernel addresses in the stack area that nothing else uses. */
#define TLB_TEST_VA (KVA_STACK_BASE + KVA_STACK_SIZE - 1024 * PAGE_SIZE)
/* More pages than pmap.c invalidates one by one: the full-flush path. */
#define TLB_TEST_NPAGES 40
#define TLB_TEST_USER_VA 0x40000000UL
#define TLB_TEST_ROUNDS 40

/*
 * A probe of tp_n pages from tp_va, made by every target: reads (or
 * writes of one byte, with tp_write), counting per CPU those that
 * succeed and keeping the value of the first read.
 */
struct tlb_probe {
	vaddr_t tp_va;
	unsigned tp_n;
	bool tp_write;
	unsigned tp_ok[MAXCPUS];
	uint64_t tp_val[MAXCPUS];
};

/*
 * The other CPUs that take part in the kernel pmap's shootdowns.  No
 * requirements.
 */
static cpuset_t
tlb_test_others(void)
{
	return __atomic_load_n(&pmap_kernel()->pm_active, __ATOMIC_ACQUIRE) &
	    ~CPUSET_BIT(curcpu()->ci_index);
}

/*
 * tlb_call function: probe as arg says on this CPU.  A user address is
 * read with SMAP's window open; a CPU that runs no LWP yet borrows the
 * boot CPU's idle LWP for the fault path (its process has no vmspace, so
 * a fault goes straight to the probe's fixup).  Interrupts masked.
 */
static void
tlb_test_probe(void *arg)
{
	struct tlb_probe *tp = arg;
	struct cpu_info *ci = curcpu();
	struct lwp *lent = ci->ci_curlwp;
	unsigned me = ci->ci_index, ok = 0;
	uint64_t v, first = 0;

	if (lent == NULL)
		ci->ci_curlwp = cpu_info_at(0)->ci_idlelwp;
	if (cpu_smap_enabled && tp->tp_va < VM_MAX_USER_ADDRESS)
		stac();
	for (unsigned i = 0; i < tp->tp_n; i++) {
		void *p = (void *)(tp->tp_va + (vaddr_t)i * PAGE_SIZE);
		int error = tp->tp_write ? probe_write8(p, (uint8_t)me) :
					   probe_read64(p, &v);

		if (error == 0 && ok++ == 0 && !tp->tp_write)
			first = v;
	}
	if (cpu_smap_enabled && tp->tp_va < VM_MAX_USER_ADDRESS)
		clac();
	ci->ci_curlwp = lent;
	tp->tp_ok[me] = ok;
	tp->tp_val[me] = first;
}

/*
 * Run a probe of n pages from va (writes if write) on every CPU in
 * cpus and check that each succeeded on want pages (reading value
 * val, when it read any).  Returns whether all did.
 */
static bool
tlb_test_expect(cpuset_t cpus, vaddr_t va, unsigned n, bool write,
    unsigned want, uint64_t val, const char *what)
{
	struct tlb_probe tp = { .tp_va = va, .tp_n = n, .tp_write = write };
	bool good = true;

	tlb_call(cpus, tlb_test_probe, &tp);
	for (cpuset_t left = cpus; left != 0; left &= left - 1) {
		unsigned i = (unsigned)__builtin_ctzll(left);

		good &= KT_CHECKF(tp.tp_ok[i] == want,
		    "%s: CPU %u %s %u of %u pages at %#lx, expected %u", what,
		    i, write ? "wrote" : "read", tp.tp_ok[i], n, va, want);
		if (want > 0 && !write)
			good &= KT_CHECKF(tp.tp_val[i] == val,
			    "%s: CPU %u read %#lx at %#lx, expected %#lx", what,
			    i, tp.tp_val[i], va, val);
	}
	return good;
}

/* Two pages with known contents; false (and nothing held) if out of memory. */
static bool
tlb_test_pages(struct vm_page **a, struct vm_page **b)
{
	*a = vm_page_alloc(VM_ALLOC_ZERO);
	*b = vm_page_alloc(VM_ALLOC_ZERO);
	if (*a == NULL || *b == NULL) {
		if (*a != NULL)
			vm_page_free(*a);
		if (*b != NULL)
			vm_page_free(*b);
		return false;
	}
	*(uint64_t *)vm_page_kva(*a) = 0xaaaa0000aaaa0000UL;
	*(uint64_t *)vm_page_kva(*b) = 0xbbbb0000bbbb0000UL;
	return true;
}

/*
 * Kernel mappings: removed (one page, and more than the invlpg limit),
 * made read-only and replaced on this CPU, as every other CPU sees it
 * when the call returns.
 */
KTEST(tlb_kernel)
{
	struct pmap *kpm = pmap_kernel();
	cpuset_t others = tlb_test_others();
	const vaddr_t va = TLB_TEST_VA;
	const uint64_t a = 0xaaaa0000aaaa0000UL, b = 0xbbbb0000bbbb0000UL;
	struct vm_page *pa, *pb;
	uint64_t free0;

	if (others == 0) {
		ktest_skip("one CPU");
		return;
	}
	if (!KT_CHECK(tlb_test_pages(&pa, &pb)))
		return;
	free0 = vm_page_free_count();

	/* One page removed. */
	KT_EQ(pmap_enter(kpm, va, vm_page_to_phys(pa), VM_PROT_READ, 0), 0);
	tlb_test_expect(others, va, 1, false, 1, a, "mapped");
	pmap_remove(kpm, va, va + PAGE_SIZE);
	tlb_test_expect(others, va, 1, false, 0, 0, "removed");

	/* More pages than invlpg covers: a full flush, global pages too. */
	for (unsigned i = 0; i < TLB_TEST_NPAGES; i++)
		KT_EQ(pmap_enter(kpm, va + i * PAGE_SIZE, vm_page_to_phys(pa),
			  VM_PROT_READ, 0),
		    0);
	tlb_test_expect(others, va, TLB_TEST_NPAGES, false, TLB_TEST_NPAGES, a,
	    "mapped");
	pmap_remove(kpm, va, va + TLB_TEST_NPAGES * PAGE_SIZE);
	tlb_test_expect(others, va, TLB_TEST_NPAGES, false, 0, 0,
	    "removed (full flush)");

	/* Made read-only. */
	KT_EQ(pmap_enter(kpm, va, vm_page_to_phys(pa),
		  VM_PROT_READ | VM_PROT_WRITE, 0),
	    0);
	tlb_test_expect(others, va, 1, true, 1, 0, "writable");
	pmap_protect(kpm, va, va + PAGE_SIZE, VM_PROT_READ);
	tlb_test_expect(others, va, 1, true, 0, 0, "read-only");

	/* Replaced by another page. */
	*(uint64_t *)vm_page_kva(pa) = a; /* the writes changed a byte */
	KT_EQ(pmap_enter(kpm, va, vm_page_to_phys(pa), VM_PROT_READ, 0), 0);
	tlb_test_expect(others, va, 1, false, 1, a, "first page");
	KT_EQ(pmap_enter(kpm, va, vm_page_to_phys(pb), VM_PROT_READ, 0), 0);
	tlb_test_expect(others, va, 1, false, 1, b, "replaced");
	pmap_remove(kpm, va, va + PAGE_SIZE);

	/* The page tables made for va went when they emptied. */
	KT_EQ(vm_page_free_count(), free0);
	vm_page_free(pa);
	vm_page_free(pb);
}

/* tlb_call function: load the pmap arg on this CPU.  Interrupts masked. */
static void
tlb_test_activate(void *arg)
{
	pmap_activate(arg);
}

/*
 * A user pmap loaded on the other CPUs only: removal, read-only and
 * replacement reach exactly those CPUs; pmap_destroy moves CPUs still
 * on it to the kernel's tables.
 */
KTEST(tlb_user)
{
	cpuset_t others = tlb_test_others();
	const vaddr_t va = TLB_TEST_USER_VA;
	const uint64_t a = 0xaaaa0000aaaa0000UL, b = 0xbbbb0000bbbb0000UL;
	struct vm_page *pa, *pb;
	struct pmap pm;
	uint64_t free0;

	if (others == 0) {
		ktest_skip("one CPU");
		return;
	}
	if (!KT_CHECK(tlb_test_pages(&pa, &pb)))
		return;
	pmap_reclaim(); /* count with no page waiting in a cache */
	free0 = vm_page_free_count();
	if (!KT_EQ(pmap_create(&pm, NULL), 0))
		goto out;
	KT_EQ(pmap_enter(&pm, va, vm_page_to_phys(pa),
		  VM_PROT_READ | VM_PROT_WRITE, 0),
	    0);
	tlb_call(others, tlb_test_activate, &pm);
	KT_EQ(pm.pm_active, others);

	tlb_test_expect(others, va, 1, false, 1, a, "mapped");
	pmap_remove(&pm, va, va + PAGE_SIZE);
	tlb_test_expect(others, va, 1, false, 0, 0, "removed");

	KT_EQ(pmap_enter(&pm, va, vm_page_to_phys(pa),
		  VM_PROT_READ | VM_PROT_WRITE, 0),
	    0);
	tlb_test_expect(others, va, 1, true, 1, 0, "writable");
	pmap_protect(&pm, va, va + PAGE_SIZE, VM_PROT_READ);
	tlb_test_expect(others, va, 1, true, 0, 0, "read-only");

	KT_EQ(pmap_enter(&pm, va, vm_page_to_phys(pb), VM_PROT_READ, 0), 0);
	tlb_test_expect(others, va, 1, false, 1, b, "replaced");

	/* Destroyed while the others still have it loaded. */
	pmap_remove(&pm, va, va + PAGE_SIZE);
	pmap_destroy(&pm);
	KT_EQ(pm.pm_active, 0);
	for (cpuset_t left = others; left != 0; left &= left - 1)
		KT_CHECK(
		    cpu_info_at((unsigned)__builtin_ctzll(left))->ci_pmap ==
		    pmap_kernel());
	pmap_reclaim();
	KT_EQ(vm_page_free_count(), free0);
out:
	vm_page_free(pa);
	vm_page_free(pb);
}

/*
 * What each CPU of tlb_concurrent does, TLB_TEST_ROUNDS times, in step
 * with the others (a barrier after each step): map its own page; read
 * every other CPU's page, which must succeed (and loads the TLB); remove
 * its own page, a shootdown to every CPU while the others do the same;
 * read every other CPU's page again, which must now fault.
 */
struct tlb_round {
	struct vm_page *tr_page;
	cpuset_t tr_cpus;             /* the CPUs taking part */
	unsigned tr_n;                /* how many */
	unsigned tr_arrived;          /* barrier arrivals; atomic */
	bool tr_busy[MAXCPUS];        /* in a call of its own: only waits */
	unsigned tr_done[MAXCPUS];    /* rounds completed */
	unsigned tr_stale[MAXCPUS];   /* removed pages still readable */
	unsigned tr_missing[MAXCPUS]; /* mapped pages that faulted */
};

/*
 * Wait until every CPU taking part has arrived at this CPU's next
 * barrier (*stage counts them), answering shootdowns meanwhile.
 * Interrupts masked.
 */
static void
tlb_test_barrier(struct tlb_round *tr, unsigned *stage)
{
	unsigned want = ++*stage * tr->tr_n;

	__atomic_add_fetch(&tr->tr_arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&tr->tr_arrived, __ATOMIC_ACQUIRE) < want) {
		ipi_poll();
		cpu_pause();
	}
}

/*
 * Read the page of every other CPU taking part; count those that read
 * (mapped true) or faulted (mapped false) against the expectation.
 */
static void
tlb_test_read_others(struct tlb_round *tr, bool mapped)
{
	unsigned me = curcpu()->ci_index;
	uint64_t v;

	for (cpuset_t left = tr->tr_cpus & ~CPUSET_BIT(me); left != 0;
	     left &= left - 1) {
		unsigned j = (unsigned)__builtin_ctzll(left);
		bool read;

		if (tr->tr_busy[j])
			continue;
		read = probe_read64((void *)(TLB_TEST_VA + j * PAGE_SIZE),
			   &v) == 0;
		if (read && !mapped)
			tr->tr_stale[me]++;
		if (!read && mapped)
			tr->tr_missing[me]++;
	}
}

/* tlb_call function: one CPU's rounds.  Interrupts masked. */
static void
tlb_test_rounds(void *arg)
{
	struct tlb_round *tr = arg;
	unsigned me = curcpu()->ci_index, stage = 0;
	vaddr_t va = TLB_TEST_VA + (vaddr_t)me * PAGE_SIZE;
	bool busy = tlb_call_busy();
	uint64_t v;

	tr->tr_busy[me] = busy;
	tlb_test_barrier(tr, &stage);
	for (unsigned r = 0; r < TLB_TEST_ROUNDS; r++) {
		if (!busy &&
		    pmap_enter(pmap_kernel(), va, vm_page_to_phys(tr->tr_page),
			VM_PROT_READ, 0) != 0)
			tr->tr_missing[me]++;
		tlb_test_barrier(tr, &stage);
		if (!busy)
			tlb_test_read_others(tr, true);
		tlb_test_barrier(tr, &stage);
		if (!busy) {
			pmap_remove(pmap_kernel(), va, va + PAGE_SIZE);
			if (probe_read64((void *)va, &v) == 0)
				tr->tr_stale[me]++;
		}
		tlb_test_barrier(tr, &stage);
		if (!busy) {
			tlb_test_read_others(tr, false);
			tr->tr_done[me]++;
		}
		tlb_test_barrier(tr, &stage);
	}
}

/*
 * Every other CPU maps, reads and removes kernel pages at once, each
 * removal a shootdown waiting for all CPUs (this one among them,
 * answering from its own wait): all finish, and no CPU reads a page
 * another has removed.
 */
KTEST(tlb_concurrent)
{
	struct tlb_round tr = { .tr_cpus = tlb_test_others() };
	uint64_t free0;

	if (tr.tr_cpus == 0) {
		ktest_skip("one CPU");
		return;
	}
	for (cpuset_t left = tr.tr_cpus; left != 0; left &= left - 1)
		tr.tr_n++;
	tr.tr_page = vm_page_alloc(VM_ALLOC_ZERO);
	if (!KT_CHECK(tr.tr_page != NULL))
		return;
	free0 = vm_page_free_count();
	tlb_call(tr.tr_cpus, tlb_test_rounds, &tr);
	for (cpuset_t left = tr.tr_cpus; left != 0; left &= left - 1) {
		unsigned i = (unsigned)__builtin_ctzll(left);

		if (tr.tr_busy[i])
			continue;
		KT_CHECKF(tr.tr_done[i] == TLB_TEST_ROUNDS,
		    "CPU %u did %u rounds of %u", i, tr.tr_done[i],
		    TLB_TEST_ROUNDS);
		KT_CHECKF(tr.tr_stale[i] == 0, "CPU %u read %u removed pages",
		    i, tr.tr_stale[i]);
		KT_CHECKF(tr.tr_missing[i] == 0,
		    "CPU %u faulted on %u mapped pages", i, tr.tr_missing[i]);
	}
	KT_EQ(vm_page_free_count(), free0);
	vm_page_free(tr.tr_page);
}

/*
 * Two CPUs call a third at once, round after round, while the third
 * spins with interrupts enabled and never polls: it answers from its
 * IPI handler alone, as a CPU in user mode does.  Every call must be
 * answered within a second.  When both calls land in one handler,
 * pmap_tlb_ipi posts IPI_TLB to its own CPU without an interrupt; an
 * ipi_poll that left that post behind made every later post find the
 * word not 0 and send no interrupt, so the third CPU never answered
 * again (a hang seen in smptests' kill_multi).
 */
#define TLB_PAIR_ROUNDS 300

struct tlb_pair {
	unsigned tp_target; /* the CPU called */
	unsigned tp_round;  /* the round the callers may start; atomic */
	unsigned tp_done;   /* calls answered this round; atomic */
	unsigned tp_late;   /* rounds not answered within a second */
	bool tp_abort;      /* a thread could not be made; atomic */
};

static void
tlb_pair_noop(void *arg)
{
	(void)arg;
}

/* A caller: one call to the target per round. */
static void
tlb_pair_caller(void *arg)
{
	struct tlb_pair *tp = arg;

	for (unsigned r = 1; r <= TLB_PAIR_ROUNDS; r++) {
		while (__atomic_load_n(&tp->tp_round, __ATOMIC_ACQUIRE) != r) {
			if (__atomic_load_n(&tp->tp_abort, __ATOMIC_ACQUIRE))
				return;
			cpu_pause();
		}
		tlb_call(CPUSET_BIT(tp->tp_target), tlb_pair_noop, NULL);
		__atomic_add_fetch(&tp->tp_done, 1, __ATOMIC_ACQ_REL);
	}
}

/*
 * The target: starts each round and waits for both answers with
 * interrupts enabled, polling only once a round is late (so that the
 * callers finish and the test reports instead of hanging).
 */
static void
tlb_pair_target(void *arg)
{
	struct tlb_pair *tp = arg;

	for (unsigned r = 1; r <= TLB_PAIR_ROUNDS; r++) {
		uint64_t deadline = nanouptime() + 1000000000;

		__atomic_store_n(&tp->tp_done, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&tp->tp_round, r, __ATOMIC_RELEASE);
		while (__atomic_load_n(&tp->tp_done, __ATOMIC_ACQUIRE) < 2) {
			if (nanouptime() > deadline) {
				bool was = intr_disable();

				tp->tp_late++;
				ipi_poll();
				intr_restore(was);
				deadline = UINT64_MAX;
			}
			cpu_pause();
		}
	}
}

KTEST(tlb_two_callers_answered)
{
	struct tlb_pair tp = { .tp_target = 0 };
	struct lwp *l[3];
	int error;

	if (mp_ncpus < 3) {
		ktest_skip("fewer than 3 CPUs");
		return;
	}
	l[1] = kthread_create(tlb_pair_caller, &tp, CPUSET_BIT(1), "caller1",
	    &error);
	l[2] = kthread_create(tlb_pair_caller, &tp, CPUSET_BIT(2), "caller2",
	    &error);
	l[0] = NULL;
	if (l[1] != NULL && l[2] != NULL)
		l[0] = kthread_create(tlb_pair_target, &tp, CPUSET_BIT(0),
		    "target", &error);
	if (!KT_CHECK(l[0] != NULL))
		__atomic_store_n(&tp.tp_abort, true, __ATOMIC_RELEASE);
	for (int i = 0; i < 3; i++) {
		if (l[i] != NULL)
			kthread_join(l[i]);
	}
	KT_CHECKF(tp.tp_late == 0,
	    "%u of %u rounds: a call to a CPU taking interrupts was not "
	    "answered within a second",
	    tp.tp_late, TLB_PAIR_ROUNDS);
}
