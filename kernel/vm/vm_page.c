/*
 * The kernel's physical page allocator: one struct vm_phys for all of
 * memory, under vm_page_lock, with zeroing done through the direct map.
 *
 * Locking: vm_page_lock guards vm_phys (its free lists and counters) and
 * every struct vm_page while it heads a free block.  Single pages come
 * and go through a cache per CPU (struct vm_page_cpu), under a lock of
 * its own that only that CPU takes, save a CPU short of memory taking
 * every cache's back: a page fault on one CPU and one on another take
 * no common lock but once every VM_PAGE_CPU_BATCH pages.  The cache lock
 * comes before vm_page_lock; both are leaves otherwise.  The segment table is
 * written only by vm_page_startup, before any other CPU or thread runs,
 * and never changes afterwards, so the address translations
 * (vm_page_to_phys, vm_page_from_phys, vm_page_kva, vm_page_from_kva)
 * take no lock.  vm_page_lock is a leaf: nothing else is taken while it
 * is held, and callers (kmem.c among them) may hold their own spinlocks
 * when they call in.  Pages are zeroed after the lock is dropped.
 */
#include <types.h>
#include <param.h>
#include <systm.h>
#include <errno.h>
#include <spinlock.h>
#include <bootinfo.h>
#include <arch/cpu.h>
#include <arch/mp.h>
#include <arch/pmap.h>
#include <vm/vm_page.h>

static struct spinlock vm_page_lock = SPINLOCK_INITIALIZER("vm_page");
static struct vm_phys vm_phys; /* guarded by vm_page_lock */

/*
 * A CPU's own free single pages: it allocates from them and frees into
 * them, and moves VM_PAGE_CPU_BATCH at a time from and to the shared
 * pools (vm_page_lock) when they run out or over.  Pages known to be all
 * zeros (emptied page tables, vm_page_free_zeroed) are kept apart, for
 * VM_ALLOC_ZERO requests to take without clearing them.  They all count
 * as free.  (c) is vpc_lock; the counts are also read without it, as
 * hints.
 */
#define VM_PAGE_CPU_MAX 64
#define VM_PAGE_CPU_BATCH 32
#define VM_PAGE_CPU_ZERO 64
struct vm_page_cpu {
	struct spinlock vpc_lock;
	unsigned vpc_n;                             /* (c) */
	unsigned vpc_nzero;                         /* (c) */
	struct vm_page *vpc_pages[VM_PAGE_CPU_MAX]; /* (c) */
	struct vm_page *vpc_zero[VM_PAGE_CPU_ZERO]; /* (c) all zeros */
} __aligned(64);

static struct vm_page_cpu vm_page_cpu[MAXCPUS];

/*
 * The number of pages to take from the front of a range of npages pages
 * for the vm_page array describing the rest: the least a with
 * a * PAGE_SIZE >= (npages - a) * sizeof(struct vm_page).
 * No requirements.
 */
static uint64_t
vm_page_array_pages(uint64_t npages)
{
	return howmany(npages * sizeof(struct vm_page),
	    PAGE_SIZE + sizeof(struct vm_page));
}

/*
 * Build the allocator from bi->bi_usable.  Each range pays for its own
 * vm_page array from its first pages (reached through the direct map,
 * which vm_phys_add_seg initialises); the rest becomes one segment.  A
 * range too small to describe even one page besides its array is left
 * out, as are ranges beyond VM_PHYS_MAXSEG segments (with a warning).
 * Prints one summary line.  Boot CPU only, once, after pmap_bootstrap.
 */
void
vm_page_startup(const struct bootinfo *bi)
{
	uint64_t start, end, npages, apages, skipped = 0, total;
	size_t i;

	vm_phys_init(&vm_phys);
	for (i = 0; i < MAXCPUS; i++)
		spinlock_init(&vm_page_cpu[i].vpc_lock, "vm_page_cpu");
	for (i = 0; i < bi->bi_nusable; i++) {
		start = bi->bi_usable[i].start;
		end = bi->bi_usable[i].end;
		KASSERT(start % PAGE_SIZE == 0 && end % PAGE_SIZE == 0);
		KASSERT(start < end);
		npages = atop(end - start);
		apages = vm_page_array_pages(npages);
		if (apages >= npages) {
			skipped += npages;
			continue;
		}
		if (vm_phys.vp_nsegs == VM_PHYS_MAXSEG) {
			for (; i < bi->bi_nusable; i++)
				skipped += atop(bi->bi_usable[i].end -
				    bi->bi_usable[i].start);
			kprintf("vm: more than %d usable ranges; ignoring "
				"those from 0x%lx on\n",
			    VM_PHYS_MAXSEG, start);
			break;
		}
		if (vm_phys_add_seg(&vm_phys, atop(start) + apages, atop(end),
			PHYS_TO_DMAP(start)) != 0)
			panic("vm: segment table full at 0x%lx", start);
	}

	total = vm_phys.vp_total_pages;
	kprintf("vm: %lu pages (%lu MiB) usable in %u segments", total,
	    total >> (20 - PAGE_SHIFT), vm_phys.vp_nsegs);
	if (skipped > 0)
		kprintf(", %lu pages in ranges left out", skipped);
	kprintf("\n");
}

/*
 * Single pages freed recently, kept out of the buddy lists (vm_page_lock):
 * a page that is freed and soon wanted again skips splitting and
 * coalescing a whole chain of blocks.  They count as free, and a larger
 * request that fails gives them back to the buddy lists first.
 */
#define PAGE_CACHE_MAX 64
static struct vm_page *page_cache[PAGE_CACHE_MAX];
static unsigned page_cache_n;

/*
 * Return every cached page to the buddy lists.  The caller must hold
 * vm_page_lock.
 */
static void
page_cache_drain(void)
{
	KASSERT(spin_held(&vm_page_lock));
	while (page_cache_n > 0)
		vm_phys_free(&vm_phys, page_cache[--page_cache_n]);
}

/*
 * One single page from the shared pools, or NULL.  The caller must hold
 * vm_page_lock.
 */
static struct vm_page *
page_take(void)
{
	KASSERT(spin_held(&vm_page_lock));
	if (page_cache_n > 0)
		return page_cache[--page_cache_n];
	return vm_phys_alloc(&vm_phys, 0);
}

/*
 * Give the single page pg back to the shared pools.  The caller must
 * hold vm_page_lock.
 */
static void
page_give(struct vm_page *pg)
{
	KASSERT(spin_held(&vm_page_lock));
	if (page_cache_n < PAGE_CACHE_MAX)
		page_cache[page_cache_n++] = pg;
	else
		vm_phys_free(&vm_phys, pg);
}

/* The cache of the CPU the caller runs on (a hint: it may move). */
static inline struct vm_page_cpu *
page_cpu_cache(void)
{
	struct vm_page_cpu *c = &vm_page_cpu[curcpu()->ci_index];

	/* Opaque to the compiler: kept in a register, not recomputed. */
	__asm__("" : "+r"(c));
	return c;
}

/*
 * Give every CPU's cached pages back to the shared pools, for a request
 * that found them empty.  Returns whether it moved any.  No page
 * allocator lock held (the caller may hold its own).
 */
static bool
page_cpu_reclaim(void)
{
	bool moved = false;

	for (unsigned i = 0; i < MAXCPUS; i++) {
		struct vm_page_cpu *c = &vm_page_cpu[i];

		if (__atomic_load_n(&c->vpc_n, __ATOMIC_RELAXED) == 0 &&
		    __atomic_load_n(&c->vpc_nzero, __ATOMIC_RELAXED) == 0)
			continue;
		spin_lock(&c->vpc_lock);
		spin_lock(&vm_page_lock);
		moved |= c->vpc_n + c->vpc_nzero > 0;
		while (c->vpc_n > 0)
			page_give(c->vpc_pages[--c->vpc_n]);
		while (c->vpc_nzero > 0)
			page_give(c->vpc_zero[--c->vpc_nzero]);
		spin_unlock(&vm_page_lock);
		spin_unlock(&c->vpc_lock);
	}
	return moved;
}

/*
 * Fill c, which is empty, with up to VM_PAGE_CPU_BATCH pages from the
 * shared pools, or else with its own zeroed pages.  The caller holds
 * c->vpc_lock.
 */
static __noinline void
page_cpu_refill(struct vm_page_cpu *c)
{
	struct vm_page *pg;

	KASSERT(spin_held(&c->vpc_lock) && c->vpc_n == 0);
	spin_lock(&vm_page_lock);
	while (c->vpc_n < VM_PAGE_CPU_BATCH && (pg = page_take()) != NULL)
		c->vpc_pages[c->vpc_n++] = pg;
	spin_unlock(&vm_page_lock);
	while (c->vpc_n < VM_PAGE_CPU_BATCH && c->vpc_nzero > 0)
		c->vpc_pages[c->vpc_n++] = c->vpc_zero[--c->vpc_nzero];
}

/*
 * Give VM_PAGE_CPU_BATCH of c's pages, which fill it, back to the shared
 * pools.  The caller holds c->vpc_lock.
 */
static __noinline void
page_cpu_drain(struct vm_page_cpu *c)
{
	KASSERT(spin_held(&c->vpc_lock) && c->vpc_n == VM_PAGE_CPU_MAX);
	spin_lock(&vm_page_lock);
	while (c->vpc_n > VM_PAGE_CPU_MAX - VM_PAGE_CPU_BATCH)
		page_give(c->vpc_pages[--c->vpc_n]);
	spin_unlock(&vm_page_lock);
}

/*
 * 2^order pages, order > 0, from the buddy lists (the single pages
 * cached there given back to them first if that helps), zeroed if
 * flags has VM_ALLOC_ZERO, or NULL.  No locks held but the caller's own.
 */
static __noinline struct vm_page *
page_alloc_block(unsigned order, int flags)
{
	struct vm_page *pg;

	do {
		spin_lock(&vm_page_lock);
		pg = vm_phys_alloc(&vm_phys, order);
		if (pg == NULL && page_cache_n > 0) {
			page_cache_drain();
			pg = vm_phys_alloc(&vm_phys, order);
		}
		spin_unlock(&vm_page_lock);
	} while (pg == NULL && page_cpu_reclaim());
	if (pg != NULL && (flags & VM_ALLOC_ZERO) != 0)
		memset(vm_page_kva(pg), 0, PAGE_SIZE << order);
	return pg;
}

/*
 * One page, zeroed if flags has VM_ALLOC_ZERO, for a request that found
 * this CPU's cache empty: refill it, and when the shared pools are empty
 * too, take every CPU's cached pages back and try again.  NULL when
 * there is no free page.  No locks held but the caller's own.
 */
static __noinline struct vm_page *
page_alloc_slow(int flags)
{
	struct vm_page_cpu *c;
	struct vm_page *pg;

	do {
		c = page_cpu_cache();
		spin_lock(&c->vpc_lock);
		if (c->vpc_n == 0)
			page_cpu_refill(c);
		pg = c->vpc_n > 0 ? c->vpc_pages[--c->vpc_n] : NULL;
		spin_unlock(&c->vpc_lock);
	} while (pg == NULL && page_cpu_reclaim());
	if (pg != NULL && (flags & VM_ALLOC_ZERO) != 0)
		memset(vm_page_kva(pg), 0, PAGE_SIZE);
	return pg;
}

/*
 * Allocate 2^order physically contiguous pages, aligned to their size,
 * zeroed if flags has VM_ALLOC_ZERO.  Returns the first page, with
 * pg_order = order and no flags, or NULL when no such block is free (or
 * order is beyond the largest block); vm_page_free gives it back.  A
 * single page comes from this CPU's cache.  No requirements; must not
 * be called with vm_page_lock or a CPU's page cache lock held.
 */
struct vm_page *
vm_page_alloc_contig(unsigned order, int flags)
{
	struct vm_page_cpu *c;
	struct vm_page *pg;

	if (__predict_false(order != 0))
		return page_alloc_block(order, flags);
	c = page_cpu_cache();
	spin_lock(&c->vpc_lock);
	if ((flags & VM_ALLOC_ZERO) && c->vpc_nzero > 0) {
		pg = c->vpc_zero[--c->vpc_nzero];
		spin_unlock(&c->vpc_lock);
		return pg;
	}
	pg = c->vpc_n > 0 ? c->vpc_pages[--c->vpc_n] : NULL;
	spin_unlock(&c->vpc_lock);
	if (__predict_false(pg == NULL))
		return page_alloc_slow(flags);
	if (flags & VM_ALLOC_ZERO)
		memset(vm_page_kva(pg), 0, PAGE_SIZE);
	return pg;
}

/*
 * Allocate one page; see vm_page_alloc_contig.  No requirements.
 */
struct vm_page *
vm_page_alloc(int flags)
{
	return vm_page_alloc_contig(0, flags);
}

/*
 * Free the block headed by pg, of 2^pg->pg_order pages.  pg must come
 * from vm_page_alloc or vm_page_alloc_contig and still carry the order
 * it was allocated with; its flags are dropped.  A single page goes to
 * this CPU's cache.  No requirements; must not be called with
 * vm_page_lock or a CPU's page cache lock held.
 */
void
vm_page_free(struct vm_page *pg)
{
	struct vm_page_cpu *c;

	KASSERT(pg != NULL);
	if (pg->pg_order != 0) {
		spin_lock(&vm_page_lock);
		vm_phys_free(&vm_phys, pg);
		spin_unlock(&vm_page_lock);
		return;
	}
	pg->pg_flags = 0;
	pg->pg_refcnt = 0;
	c = page_cpu_cache();
	spin_lock(&c->vpc_lock);
	if (__predict_false(c->vpc_n == VM_PAGE_CPU_MAX))
		page_cpu_drain(c);
	c->vpc_pages[c->vpc_n++] = pg;
	spin_unlock(&c->vpc_lock);
}

/*
 * Put n pages on list (vm_page.h): all of them, or none and -ENOMEM.
 * The pages are the caller's, freed with vm_page_free_list.  No
 * requirements.
 */
int
vm_page_alloc_list(struct vm_pglist *list, unsigned n)
{
	struct vm_pglist got = LIST_HEAD_INITIALIZER(got);
	struct vm_page *pg;

	for (unsigned i = 0; i < n; i++) {
		if ((pg = vm_page_alloc(0)) == NULL) {
			vm_page_free_list(&got);
			return -ENOMEM;
		}
		LIST_INSERT_HEAD(&got, pg, pg_list);
	}
	while ((pg = LIST_FIRST(&got)) != NULL) {
		LIST_REMOVE(pg, pg_list);
		LIST_INSERT_HEAD(list, pg, pg_list);
	}
	return 0;
}

/* Free every page on list, which is then empty.  No requirements. */
void
vm_page_free_list(struct vm_pglist *list)
{
	struct vm_page *pg;

	while ((pg = LIST_FIRST(list)) != NULL) {
		LIST_REMOVE(pg, pg_list);
		vm_page_free(pg);
	}
}

/*
 * Free the single page pg, whose contents are all zeros, so that a later
 * VM_ALLOC_ZERO request can skip clearing it.  No requirements.
 */
void
vm_page_free_zeroed(struct vm_page *pg)
{
	struct vm_page_cpu *c;

	KASSERT(pg != NULL && pg->pg_order == 0);
	pg->pg_flags = 0;
	pg->pg_refcnt = 0;
	c = page_cpu_cache();
	spin_lock(&c->vpc_lock);
	if (c->vpc_nzero < VM_PAGE_CPU_ZERO) {
		c->vpc_zero[c->vpc_nzero++] = pg;
		pg = NULL;
	}
	spin_unlock(&c->vpc_lock);
	if (pg == NULL)
		return;
	spin_lock(&vm_page_lock);
	page_give(pg);
	spin_unlock(&vm_page_lock);
}

/*
 * The physical address of pg, which must be a managed page.
 * No requirements.
 */
paddr_t
vm_page_to_phys(const struct vm_page *pg)
{
	return ptoa(vm_phys_page_to_pfn(&vm_phys, pg));
}

/*
 * The page holding physical address pa, or NULL if the allocator does not
 * manage it.  No requirements.
 */
struct vm_page *
vm_page_from_phys(paddr_t pa)
{
	return vm_phys_pfn_to_page(&vm_phys, atop(pa));
}

void
vm_page_from_phys_run(const paddr_t *pa, unsigned n, struct vm_page **pgs)
{
	/* The last segment found, copied: no store to pgs[] reloads it. */
	uint64_t start = 0, npages = 0;
	struct vm_page *pages = NULL;

	for (unsigned i = 0; i < n; i++) {
		uint64_t pfn = atop(pa[i]);
		const struct vm_phys_seg *seg;

		if (pfn - start < npages) {
			pgs[i] = pages + (pfn - start);
			continue;
		}
		pgs[i] = vm_phys_pfn_to_page(&vm_phys, pfn);
		if (pgs[i] == NULL)
			continue;
		seg = &vm_phys.vp_segs[pgs[i]->pg_segind];
		start = seg->ps_start_pfn;
		npages = seg->ps_end_pfn - seg->ps_start_pfn;
		pages = seg->ps_pages;
	}
}

/*
 * The direct-map address of pg's first byte.  No requirements.
 */
void *
vm_page_kva(const struct vm_page *pg)
{
	return PHYS_TO_DMAP(vm_page_to_phys(pg));
}

/*
 * The page holding the direct-map address va, or NULL if va is not in
 * the direct map or its page is not managed.  No requirements.
 */
struct vm_page *
vm_page_from_kva(const void *va)
{
	uint64_t a = (uint64_t)va;

	if (a < DMAP_BASE || a - DMAP_BASE >= DMAP_SIZE)
		return NULL;
	return vm_page_from_phys(DMAP_TO_PHYS(va));
}

/* Pages the allocator manages, for kstat.  No requirements. */
uint64_t
vm_page_total_count(void)
{
	return vm_phys.vp_total_pages; /* fixed after vm_page_startup */
}

/*
 * Pages free right now, the CPUs' caches included, for kstat and fork's
 * reserve: exact when no page comes or goes meanwhile, else a recent
 * count.  No requirements.
 */
uint64_t
vm_page_free_count(void)
{
	unsigned ncpus = __atomic_load_n(&mp_ncpus, __ATOMIC_RELAXED);
	uint64_t n;

	n = __atomic_load_n(&vm_phys.vp_free_pages, __ATOMIC_RELAXED) +
	    __atomic_load_n(&page_cache_n, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < ncpus; i++)
		n += __atomic_load_n(&vm_page_cpu[i].vpc_n, __ATOMIC_RELAXED) +
		    __atomic_load_n(&vm_page_cpu[i].vpc_nzero,
			__ATOMIC_RELAXED);
	return n;
}
