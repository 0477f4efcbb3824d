/*
 * The kernel's physical page allocator: one struct vm_phys for all of
 * memory, under vm_page_lock, with zeroing done through the direct map.
 *
 * Locking: vm_page_lock guards vm_phys (its free lists and counters) and
 * every struct vm_page while it heads a free block.  The segment table is
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
#include <arch/pmap.h>
#include <vm/vm_page.h>

static struct spinlock vm_page_lock = SPINLOCK_INITIALIZER("vm_page");
static struct vm_phys vm_phys; /* guarded by vm_page_lock */

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
 * Pages known to be all zeros (emptied page tables), which a VM_ALLOC_ZERO
 * request takes without clearing them again (vm_page_lock).
 */
static struct vm_page *zero_cache[PAGE_CACHE_MAX];
static unsigned zero_cache_n;

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
	while (zero_cache_n > 0)
		vm_phys_free(&vm_phys, zero_cache[--zero_cache_n]);
}

/*
 * Allocate 2^order physically contiguous pages, aligned to their size,
 * zeroed if flags has VM_ALLOC_ZERO.  Returns the first page, with
 * pg_order = order and no flags, or NULL when no such block is free (or
 * order is beyond the largest block); vm_page_free gives it back.  No
 * requirements; must not be called with vm_page_lock held.
 */
struct vm_page *
vm_page_alloc_contig(unsigned order, int flags)
{
	struct vm_page *pg;

	spin_lock(&vm_page_lock);
	if (order == 0 && (flags & VM_ALLOC_ZERO) && zero_cache_n > 0) {
		pg = zero_cache[--zero_cache_n];
		spin_unlock(&vm_page_lock);
		return pg;
	}
	if (order == 0 && page_cache_n > 0) {
		pg = page_cache[--page_cache_n];
	} else if (order == 0 && zero_cache_n > 0) {
		pg = zero_cache[--zero_cache_n];
	} else {
		pg = vm_phys_alloc(&vm_phys, order);
		if (pg == NULL && page_cache_n > 0) {
			page_cache_drain();
			pg = vm_phys_alloc(&vm_phys, order);
		}
	}
	spin_unlock(&vm_page_lock);
	if (pg != NULL && (flags & VM_ALLOC_ZERO) != 0)
		memset(vm_page_kva(pg), 0, PAGE_SIZE << order);
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
 * it was allocated with; its flags are dropped.  No requirements; must
 * not be called with vm_page_lock held.
 */
void
vm_page_free(struct vm_page *pg)
{
	KASSERT(pg != NULL);
	spin_lock(&vm_page_lock);
	if (pg->pg_order == 0 && page_cache_n < PAGE_CACHE_MAX) {
		pg->pg_flags = 0;
		pg->pg_refcnt = 0;
		page_cache[page_cache_n++] = pg;
	} else {
		vm_phys_free(&vm_phys, pg);
	}
	spin_unlock(&vm_page_lock);
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
	KASSERT(pg != NULL && pg->pg_order == 0);
	spin_lock(&vm_page_lock);
	if (zero_cache_n < PAGE_CACHE_MAX) {
		pg->pg_flags = 0;
		pg->pg_refcnt = 0;
		zero_cache[zero_cache_n++] = pg;
	} else {
		vm_phys_free(&vm_phys, pg);
	}
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

/* Pages free right now, for kstat.  No requirements. */
uint64_t
vm_page_free_count(void)
{
	uint64_t n;

	spin_lock(&vm_page_lock);
	n = vm_phys.vp_free_pages + page_cache_n + zero_cache_n;
	spin_unlock(&vm_page_lock);
	return n;
}
