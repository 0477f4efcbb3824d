/*
 * The binary buddy allocator behind vm_page.c.  See vm_phys.h for the
 * block and segment rules.
 *
 * Each segment owns an array of struct vm_page, one per page frame.  A
 * free block of order k is represented by its first page only: that page
 * carries PG_FREE and pg_order = k and sits on vp_free[k].  The other
 * pages of a free block, and every page of an allocated block except the
 * head, carry no PG_FREE, so a page's flags alone say whether it heads a
 * free block.
 *
 * Nothing here reads or writes the managed memory itself, only the
 * vm_page structures, so the same file runs in the kernel and in the host
 * unit test (tests/host/test_vm_phys.c).
 */
#include <types.h>
#include <systm.h>
#include <vm/vm_phys.h>

#define VM_MAXORDER (VM_NFREEORDER - 1)

CTASSERT(VM_PHYS_MAXSEG <= 256); /* pg_segind is a uint8_t */
CTASSERT(VM_NFREEORDER <= 64);

/* The page for pfn in seg, which must hold it. */
static inline struct vm_page *
seg_page(const struct vm_phys_seg *seg, uint64_t pfn)
{
	return &seg->ps_pages[pfn - seg->ps_start_pfn];
}

/*
 * Put the block of 2^order pages headed by pg on its free list.
 * The caller owns vp and has merged the block as far as it goes.
 */
static void
vm_phys_insert_free(struct vm_phys *vp, struct vm_page *pg, unsigned order)
{
	pg->pg_flags = PG_FREE;
	pg->pg_order = (uint8_t)order;
	LIST_INSERT_HEAD(&vp->vp_free[order], pg, pg_list);
	vp->vp_nfree[order]++;
}

/*
 * Take the free block headed by pg off its free list; pg no longer
 * carries PG_FREE afterwards.  The caller owns vp.
 */
static void
vm_phys_remove_free(struct vm_phys *vp, struct vm_page *pg)
{
	KASSERT((pg->pg_flags & PG_FREE) != 0);
	KASSERT(vp->vp_nfree[pg->pg_order] > 0);
	LIST_REMOVE(pg, pg_list);
	vp->vp_nfree[pg->pg_order]--;
	pg->pg_flags &= ~PG_FREE;
}

/*
 * Rebuild the frame-to-segment index (struct vm_phys) for the segments
 * vp has now.  With no segment every chunk names index 0 = vp_nsegs, so
 * lookups find nothing.  The caller owns vp.
 */
static void
vm_phys_index(struct vm_phys *vp)
{
	uint64_t top = 0, cstart;
	unsigned shift = 0, c, i = 0;

	if (vp->vp_nsegs > 0)
		top = vp->vp_segs[vp->vp_nsegs - 1].ps_end_pfn - 1;
	while ((top >> shift) >= VM_PHYS_NCHUNK)
		shift++;
	vp->vp_chunk_shift = shift;
	for (c = 0; c < VM_PHYS_NCHUNK; c++) {
		cstart = (uint64_t)c << shift;
		while (i < vp->vp_nsegs && vp->vp_segs[i].ps_end_pfn <= cstart)
			i++;
		vp->vp_chunk_seg[c] = (uint8_t)i;
	}
}

/*
 * Make vp an allocator with no segments and no free pages.
 * No requirements.
 */
void
vm_phys_init(struct vm_phys *vp)
{
	unsigned k;

	memset(vp, 0, sizeof(*vp));
	for (k = 0; k < VM_NFREEORDER; k++)
		LIST_INIT(&vp->vp_free[k]);
	vm_phys_index(vp);
}

/*
 * The largest order of an aligned block that starts at pfn and ends at or
 * before end_pfn (pfn < end_pfn).  No requirements.
 */
static unsigned
vm_phys_fit_order(uint64_t pfn, uint64_t end_pfn)
{
	unsigned order = 0;

	while (order < VM_MAXORDER && (pfn & ((1UL << (order + 1)) - 1)) == 0 &&
	    pfn + (1UL << (order + 1)) <= end_pfn)
		order++;
	return order;
}

/*
 * Add the segment [start_pfn, end_pfn) described by pages[] and free all
 * of it.  The array is initialised with one pass over it; the free
 * blocks are then laid down greedily from the left, each the largest
 * aligned block that fits, which is O(npages / 2^VM_MAXORDER +
 * VM_MAXORDER) list insertions.  Greedy blocks need no merging: two equal
 * neighbours that were buddies would have been taken as one larger block.
 * Returns 0, or -1 when the segment table is full.
 * The caller owns vp.
 */
int
vm_phys_add_seg(struct vm_phys *vp, uint64_t start_pfn, uint64_t end_pfn,
    struct vm_page *pages)
{
	struct vm_phys_seg *seg;
	uint64_t npages, i, pfn;
	unsigned segind, order;

	KASSERT(start_pfn < end_pfn);
	KASSERT(pages != NULL);
	if (vp->vp_nsegs > 0)
		KASSERT(vp->vp_segs[vp->vp_nsegs - 1].ps_end_pfn <= start_pfn);
	if (vp->vp_nsegs == VM_PHYS_MAXSEG)
		return -1;

	segind = vp->vp_nsegs++;
	seg = &vp->vp_segs[segind];
	seg->ps_start_pfn = start_pfn;
	seg->ps_end_pfn = end_pfn;
	seg->ps_pages = pages;

	npages = end_pfn - start_pfn;
	memset(pages, 0, npages * sizeof(*pages));
	for (i = 0; i < npages; i++)
		pages[i].pg_segind = (uint8_t)segind;

	for (pfn = start_pfn; pfn < end_pfn; pfn += 1UL << order) {
		order = vm_phys_fit_order(pfn, end_pfn);
		vm_phys_insert_free(vp, seg_page(seg, pfn), order);
	}
	vp->vp_total_pages += npages;
	vp->vp_free_pages += npages;
	vm_phys_index(vp);
	return 0;
}

/*
 * Take the first block from the smallest non-empty free list of order at
 * least order, and split it down, putting the upper halves back on the
 * lists.  Returns the head of a block of exactly 2^order pages, or NULL.
 * The caller owns vp.
 */
struct vm_page *
vm_phys_alloc(struct vm_phys *vp, unsigned order)
{
	struct vm_page *pg;
	unsigned k;

	if (order >= VM_NFREEORDER)
		return NULL;
	for (k = order; k < VM_NFREEORDER; k++)
		if (!LIST_EMPTY(&vp->vp_free[k]))
			break;
	if (k == VM_NFREEORDER)
		return NULL;

	pg = LIST_FIRST(&vp->vp_free[k]);
	KASSERT(pg->pg_order == k);
	vm_phys_remove_free(vp, pg);
	while (k > order) {
		k--;
		/* The upper half of the block is its own free block. */
		vm_phys_insert_free(vp, pg + (1UL << k), k);
	}

	pg->pg_flags = 0;
	pg->pg_order = (uint8_t)order;
	pg->pg_refcnt = 0;
	pg->pg_kmem_class = 0;
	pg->pg_kmem_inuse = 0;
	pg->pg_kmem_free = NULL;
	KASSERT(vp->vp_free_pages >= (1UL << order));
	vp->vp_free_pages -= 1UL << order;
	return pg;
}

/*
 * Free the block headed by pg, merging it with its buddy while the buddy
 * lies in the same segment and heads a free block of the same order.
 * The caller owns vp, and pg heads a block vm_phys_alloc handed out.
 */
void
vm_phys_free(struct vm_phys *vp, struct vm_page *pg)
{
	const struct vm_phys_seg *seg;
	struct vm_page *buddy;
	uint64_t pfn, bpfn;
	unsigned order;

	KASSERT(pg != NULL);
	KASSERT((pg->pg_flags & PG_FREE) == 0);
	KASSERT(pg->pg_segind < vp->vp_nsegs);
	order = pg->pg_order;
	KASSERT(order < VM_NFREEORDER);
	seg = &vp->vp_segs[pg->pg_segind];
	pfn = vm_phys_page_to_pfn(vp, pg);
	KASSERT((pfn & ((1UL << order) - 1)) == 0);
	KASSERT(pfn + (1UL << order) <= seg->ps_end_pfn);

	vp->vp_free_pages += 1UL << order;
	KASSERT(vp->vp_free_pages <= vp->vp_total_pages);

	pg->pg_flags = 0;
	while (order < VM_MAXORDER) {
		bpfn = pfn ^ (1UL << order);
		if (bpfn < seg->ps_start_pfn ||
		    bpfn + (1UL << order) > seg->ps_end_pfn)
			break;
		buddy = seg_page(seg, bpfn);
		if ((buddy->pg_flags & PG_FREE) == 0 ||
		    buddy->pg_order != order)
			break;
		vm_phys_remove_free(vp, buddy);
		pfn &= ~(1UL << order);
		order++;
	}
	vm_phys_insert_free(vp, seg_page(seg, pfn), order);
}

/*
 * The index of the segment whose array holds pg, or -1.  Compares
 * addresses as integers, since the arrays are separate objects.
 * No requirements.
 */
static int
vm_phys_find_seg(const struct vm_phys *vp, const struct vm_page *pg)
{
	const struct vm_phys_seg *seg;
	uintptr_t p = (uintptr_t)pg, base;
	unsigned i;

	for (i = 0; i < vp->vp_nsegs; i++) {
		seg = &vp->vp_segs[i];
		base = (uintptr_t)seg->ps_pages;
		if (p >= base &&
		    p < base +
			    (seg->ps_end_pfn - seg->ps_start_pfn) *
				sizeof(struct vm_page) &&
		    (p - base) % sizeof(struct vm_page) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * Check the segment table: a sane count, non-empty segments in strictly
 * increasing, disjoint order, every page tagged with its segment.
 * Returns 0 or the first error.  The caller owns vp.
 */
static int
vm_phys_check_segs(const struct vm_phys *vp, uint64_t *total)
{
	const struct vm_phys_seg *seg;
	uint64_t i, n;
	unsigned s;

	*total = 0;
	if (vp->vp_nsegs > VM_PHYS_MAXSEG)
		return VM_PHYS_CHK_SEGS;
	for (s = 0; s < vp->vp_nsegs; s++) {
		seg = &vp->vp_segs[s];
		if (seg->ps_pages == NULL ||
		    seg->ps_start_pfn >= seg->ps_end_pfn)
			return VM_PHYS_CHK_SEGS;
		if (s > 0 && vp->vp_segs[s - 1].ps_end_pfn > seg->ps_start_pfn)
			return VM_PHYS_CHK_SEGS;
		n = seg->ps_end_pfn - seg->ps_start_pfn;
		for (i = 0; i < n; i++)
			if (seg->ps_pages[i].pg_segind != s)
				return VM_PHYS_CHK_SEGIND;
		*total += n;
	}
	return 0;
}

/*
 * Check every block on every free list: it belongs to a segment, carries
 * PG_FREE and its list's order, is aligned, fits its segment, and is
 * linked consistently; the lists are no longer than their counts.  Adds
 * the blocks and their pages to *nblocks and *npages.  Returns 0 or the
 * first error.  The caller owns vp.
 */
static int
vm_phys_check_lists(const struct vm_phys *vp, uint64_t total, uint64_t *nblocks,
    uint64_t *npages)
{
	const struct vm_phys_seg *seg;
	const struct vm_page *pg;
	uint64_t pfn, n;
	unsigned k;
	int s;

	*nblocks = 0;
	*npages = 0;
	for (k = 0; k < VM_NFREEORDER; k++) {
		n = 0;
		if (vp->vp_free[k].lh_first != NULL &&
		    vp->vp_free[k].lh_first->pg_list.le_prev !=
			&vp->vp_free[k].lh_first)
			return VM_PHYS_CHK_LIST;
		LIST_FOREACH(pg, &vp->vp_free[k], pg_list)
		{
			if (++n > total)
				return VM_PHYS_CHK_LIST; /* a cycle */
			s = vm_phys_find_seg(vp, pg);
			if (s < 0)
				return VM_PHYS_CHK_LIST;
			if (LIST_NEXT(pg, pg_list) != NULL &&
			    LIST_NEXT(pg, pg_list)->pg_list.le_prev !=
				&pg->pg_list.le_next)
				return VM_PHYS_CHK_LIST;
			seg = &vp->vp_segs[s];
			pfn =
			    seg->ps_start_pfn + (uint64_t)(pg - seg->ps_pages);
			if ((pg->pg_flags & PG_FREE) == 0 ||
			    pg->pg_order != k ||
			    (pfn & ((1UL << k) - 1)) != 0 ||
			    pfn + (1UL << k) > seg->ps_end_pfn)
				return VM_PHYS_CHK_BLOCK;
		}
		if (n != vp->vp_nfree[k])
			return VM_PHYS_CHK_COUNTS;
		*nblocks += n;
		*npages += n << k;
	}
	return 0;
}

/*
 * Walk every page of every segment: no PG_FREE page may sit inside
 * another free block, the number of PG_FREE pages must equal the number
 * of listed blocks (so every one is listed, exactly once), and no free
 * block below the largest order may have a free buddy of its own order.
 * Returns 0 or the first error.  The caller owns vp.
 */
static int
vm_phys_check_pages(const struct vm_phys *vp, uint64_t nblocks)
{
	const struct vm_phys_seg *seg;
	const struct vm_page *pg, *buddy;
	uint64_t i, n, covered, heads = 0, pfn, bpfn;
	unsigned s, k;

	for (s = 0; s < vp->vp_nsegs; s++) {
		seg = &vp->vp_segs[s];
		n = seg->ps_end_pfn - seg->ps_start_pfn;
		covered = 0;
		for (i = 0; i < n; i++) {
			pg = &seg->ps_pages[i];
			if ((pg->pg_flags & PG_FREE) == 0)
				continue;
			if (i < covered || pg->pg_order >= VM_NFREEORDER)
				return VM_PHYS_CHK_OVERLAP;
			k = pg->pg_order;
			covered = i + (1UL << k);
			heads++;
			if (k == VM_MAXORDER)
				continue;
			pfn = seg->ps_start_pfn + i;
			bpfn = pfn ^ (1UL << k);
			if (bpfn < seg->ps_start_pfn ||
			    bpfn + (1UL << k) > seg->ps_end_pfn)
				continue;
			buddy = seg_page(seg, bpfn);
			if ((buddy->pg_flags & PG_FREE) != 0 &&
			    buddy->pg_order == k)
				return VM_PHYS_CHK_UNMERGED;
		}
	}
	if (heads != nblocks)
		return VM_PHYS_CHK_OVERLAP;
	return 0;
}

/*
 * Check every invariant of vp; see enum vm_phys_check_err.  Returns 0 or
 * the first error found.  The caller owns vp.
 */
int
vm_phys_check(const struct vm_phys *vp)
{
	uint64_t total, nblocks, npages;
	int error;

	if ((error = vm_phys_check_segs(vp, &total)) != 0)
		return error;
	if (total != vp->vp_total_pages)
		return VM_PHYS_CHK_COUNTS;
	if ((error = vm_phys_check_lists(vp, total, &nblocks, &npages)) != 0)
		return error;
	if ((error = vm_phys_check_pages(vp, nblocks)) != 0)
		return error;
	if (npages != vp->vp_free_pages || npages > total)
		return VM_PHYS_CHK_COUNTS;
	return 0;
}
