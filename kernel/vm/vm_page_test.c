/*
 * In-kernel tests of the page allocator: exhaust all memory, check what
 * came back, give it all back; pages cached by one CPU are found by
 * another short of memory; CPUs allocating and freeing at once never
 * get one page twice.
 */
#include <systm.h>
#include <ktest.h>
#include <param.h>
#include <bsd/sys/queue.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <spinlock.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

/*
 * Take every free page one at a time (chaining them through pg_list, so
 * the test itself needs no memory), check that each is distinct, inside
 * managed memory and writable, then free them all and check the free
 * count is back where it started.  Counts pages above 4 GiB on the way.
 */
KTEST(vm_page_exhaust)
{
	struct vm_pglist taken = LIST_HEAD_INITIALIZER(taken);
	uint64_t free0 = vm_page_free_count(), n = 0, high = 0, bad = 0;
	struct vm_page *pg;

	while ((pg = vm_page_alloc(0)) != NULL) {
		paddr_t pa = vm_page_to_phys(pg);
		uint64_t *p = vm_page_kva(pg);

		if (vm_page_from_phys(pa) != pg || vm_page_from_kva(p) != pg)
			bad++;
		/* Stamp the page with its own address; checked before freeing. */
		p[0] = pa;
		p[511] = ~pa;
		if (pa >= (4UL << 30))
			high++;
		LIST_INSERT_HEAD(&taken, pg, pg_list);
		n++;
	}
	KT_EQ(bad, 0);
	KT_EQ(n, free0);
	KT_EQ(vm_page_free_count(), 0);
	KT_CHECK(vm_page_alloc_contig(0, 0) == NULL);
	kprintf("# took %lu pages, %lu above 4 GiB\n", n, high);
	if (vm_page_total_count() * PAGE_SIZE > (4UL << 30))
		KT_CHECKF(high > 0,
		    "memory above 4 GiB is present but no page "
		    "came from there");

	while ((pg = LIST_FIRST(&taken)) != NULL) {
		uint64_t *p = vm_page_kva(pg);
		paddr_t pa = vm_page_to_phys(pg);

		if (p[0] != pa || p[511] != ~pa)
			bad++; /* two owners wrote one page */
		LIST_REMOVE(pg, pg_list);
		vm_page_free(pg);
	}
	KT_EQ(bad, 0);
	KT_EQ(vm_page_free_count(), free0);
}

/* Contiguous blocks of every order are aligned, zeroed on request, and refill. */
KTEST(vm_page_contig)
{
	uint64_t free0 = vm_page_free_count();

	for (unsigned order = 0; order < VM_NFREEORDER; order++) {
		struct vm_page *pg = vm_page_alloc_contig(order, VM_ALLOC_ZERO);
		uint64_t *p, nonzero = 0;

		if (!KT_CHECKF(pg != NULL, "no block of order %u", order))
			continue;
		KT_EQ(vm_page_to_phys(pg) & ((PAGE_SIZE << order) - 1), 0);
		p = vm_page_kva(pg);
		for (uint64_t i = 0; i < (PAGE_SIZE << order) / 8; i++)
			nonzero |= p[i];
		KT_EQ(nonzero, 0);
		memset(p, 0xa5,
		    PAGE_SIZE << order); /* dirty it for the next test */
		vm_page_free(pg);
	}
	KT_EQ(vm_page_free_count(), free0);
}

/*
 * The heap: many sizes, each object filled with its own pattern and
 * checked before it is freed (catching overlap), alignment, reuse of freed
 * memory, and everything returned at the end.
 */
KTEST(kmem)
{
	enum {
		N = 512
	};
	static void *obj[N];
	static size_t size[N];
	uint64_t used0 = kmem_used(), free0;
	int bad = 0;

	kmem_reclaim();
	free0 = vm_page_free_count();
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++) {
			size[i] =
			    1 + ktest_random() % (i % 8 == 0 ? 20000 : 600);
			obj[i] = kmalloc(size[i], i % 2 ? KM_ZERO : 0);
			if (!KT_CHECKF(obj[i] != NULL, "kmalloc(%lu) failed",
				size[i]))
				return;
			if (i % 2) {
				for (size_t j = 0; j < size[i]; j++)
					bad += ((uint8_t *)obj[i])[j] != 0;
			}
			/* Alignment: at least 16 and the size rounded to a power of two, up to a page. */
			size_t align = 16;
			while (align < size[i] && align < PAGE_SIZE)
				align *= 2;
			KT_EQ((uint64_t)obj[i] & (align - 1), 0);
			memset(obj[i], i & 0xff, size[i]);
		}
		/* Free every other object, then check and free the rest. */
		for (int i = 0; i < N; i += 2) {
			for (size_t j = 0; j < size[i]; j++)
				bad += ((uint8_t *)obj[i])[j] != (i & 0xff);
			kfree(obj[i]);
		}
		for (int i = 1; i < N; i += 2) {
			for (size_t j = 0; j < size[i]; j++)
				bad += ((uint8_t *)obj[i])[j] != (i & 0xff);
			kfree(obj[i]);
		}
	}
	KT_EQ(bad, 0);
	KT_EQ(kmem_used(), used0);
	KT_CHECK(kmalloc(0, 0) == NULL);

	/* A freed small object is handed out again. */
	void *a = kmalloc(48, 0);
	kfree(a);
	void *b = kmalloc(48, 0);
	KT_CHECK(a == b);
	kfree(b);

	kmem_reclaim();
	KT_EQ(vm_page_free_count(), free0);
}

/* The highest CPU that schedules (0 with one CPU). */
static unsigned
test_last_cpu(void)
{
	cpuset_t online = sched_online_cpus();

	return 63 - (unsigned)__builtin_clzll(online);
}

/* Allocate and free *arg pages, leaving them in this CPU's cache. */
static void
cache_filler(void *arg)
{
	struct vm_pglist list = LIST_HEAD_INITIALIZER(list);
	unsigned n = *(unsigned *)arg;

	if (vm_page_alloc_list(&list, n) == 0)
		vm_page_free_list(&list);
}

/*
 * Pages another CPU freed into its own cache still count as free, and
 * taking every free page from this CPU takes those too; a page freed
 * as all zeros comes back to a VM_ALLOC_ZERO request without a trace.
 */
KTEST(vm_page_cpu_caches)
{
	struct vm_pglist taken = LIST_HEAD_INITIALIZER(taken);
	unsigned n = 48, last = test_last_cpu();
	uint64_t free0, got = 0, nonzero = 0;
	struct vm_page *pg;
	struct lwp *l;
	int error;

	l = kthread_create(cache_filler, &n, CPUSET_BIT(last), "filler",
	    &error);
	if (!KT_CHECK(l != NULL))
		return;
	kthread_join(l);
	free0 = vm_page_free_count();
	while ((pg = vm_page_alloc(0)) != NULL) {
		LIST_INSERT_HEAD(&taken, pg, pg_list);
		got++;
	}
	KT_EQ(got, free0);
	KT_EQ(vm_page_free_count(), 0);
	vm_page_free_list(&taken);
	KT_EQ(vm_page_free_count(), free0);

	pg = vm_page_alloc(0);
	if (!KT_CHECK(pg != NULL))
		return;
	memset(vm_page_kva(pg), 0, PAGE_SIZE);
	vm_page_free_zeroed(pg);
	pg = vm_page_alloc(VM_ALLOC_ZERO);
	if (!KT_CHECK(pg != NULL))
		return;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		nonzero |= ((uint64_t *)vm_page_kva(pg))[i];
	KT_EQ(nonzero, 0);
	memset(vm_page_kva(pg), 0xa5, PAGE_SIZE);
	vm_page_free(pg);
	KT_EQ(vm_page_free_count(), free0);
}

/* A churner's work: rounds of taking, stamping, checking and freeing. */
struct churn {
	unsigned ch_id;
	unsigned ch_bad;    /* pages found stamped by someone else */
	unsigned ch_failed; /* allocations that failed */
	volatile bool ch_ready, ch_done;
	volatile bool *ch_start, *ch_release;
};

#define CHURN_PAGES 100
#define CHURN_ROUNDS 60

static struct spinlock churn_lock = SPINLOCK_INITIALIZER("churn");

/*
 * Set *flag, then sleep until *wait is set (churn_lock covers both): the
 * test polls flag, from an LWP that may be an idle one, which runs only
 * while the churners sleep.
 */
static void
churn_meet(volatile bool *flag, volatile bool *wait)
{
	spin_lock(&churn_lock);
	*flag = true;
	while (!*wait)
		sleep((const void *)wait, &churn_lock, 0, 0);
	spin_unlock(&churn_lock);
}

/* Set *flag under churn_lock and wake its sleepers. */
static void
churn_go(volatile bool *flag)
{
	spin_lock(&churn_lock);
	*flag = true;
	spin_unlock(&churn_lock);
	wakeup((const void *)flag);
}

/*
 * Say it is ready, wait for the start, churn, say it is done, and wait
 * to be released: so the test counts free pages with every churner
 * alive, before and after.
 */
static void
churner(void *arg)
{
	struct churn *ch = arg;
	struct vm_page *pages[CHURN_PAGES];

	churn_meet(&ch->ch_ready, ch->ch_start);
	for (unsigned r = 0; r < CHURN_ROUNDS; r++) {
		unsigned n = 0;

		for (; n < CHURN_PAGES; n++) {
			uint64_t *p;

			pages[n] =
			    vm_page_alloc(n % 3 == 0 ? VM_ALLOC_ZERO : 0);
			if (pages[n] == NULL) {
				ch->ch_failed++;
				break;
			}
			p = vm_page_kva(pages[n]);
			p[0] = ch->ch_id;
			p[1] = n;
		}
		if (r % 8 == 0)
			sched_yield();
		while (n-- > 0) {
			uint64_t *p = vm_page_kva(pages[n]);

			if (p[0] != ch->ch_id || p[1] != n)
				ch->ch_bad++;
			if (n % 5 == 0) {
				memset(p, 0, PAGE_SIZE);
				vm_page_free_zeroed(pages[n]);
			} else {
				vm_page_free(pages[n]);
			}
		}
	}
	churn_meet(&ch->ch_done, ch->ch_release);
}

/*
 * Every CPU allocates and frees at once, through its own cache and the
 * shared pools: no page is handed to two of them, and every page comes
 * back.
 */
KTEST(vm_page_cpus_churn)
{
	static struct churn ch[MAXCPUS];
	struct lwp *l[MAXCPUS] = { 0 };
	cpuset_t online = sched_online_cpus();
	volatile bool start = false, release = false;
	uint64_t free0;
	int error;

	for (unsigned i = 0; i < MAXCPUS; i++) {
		memset(&ch[i], 0, sizeof(ch[i]));
		if ((online & CPUSET_BIT(i)) == 0)
			continue;
		ch[i].ch_id = 0xc0de0000 + i;
		ch[i].ch_start = &start;
		ch[i].ch_release = &release;
		l[i] = kthread_create(churner, &ch[i], CPUSET_BIT(i), "churn",
		    &error);
		KT_CHECK(l[i] != NULL);
	}
	for (unsigned i = 0; i < MAXCPUS; i++)
		while (l[i] != NULL && !ch[i].ch_ready)
			sched_yield();
	free0 = vm_page_free_count();
	churn_go(&start);
	for (unsigned i = 0; i < MAXCPUS; i++)
		while (l[i] != NULL && !ch[i].ch_done)
			sched_yield();
	KT_EQ(vm_page_free_count(), free0);
	churn_go(&release);
	for (unsigned i = 0; i < MAXCPUS; i++) {
		if (l[i] == NULL)
			continue;
		kthread_join(l[i]);
		KT_EQ(ch[i].ch_bad, 0);
		KT_EQ(ch[i].ch_failed, 0);
	}
}
