/*
 * The physical page allocator: a binary buddy allocator over segments of
 * physical memory, each described by an array of struct vm_page.
 *
 * Pure bookkeeping: it never touches the memory it manages, only the
 * vm_page structures, so it is unit-tested on the host.  The kernel wraps
 * one instance of it in vm_page.c, which adds the lock, zeroing and the
 * counters for kstat.
 *
 * A block of order k is 2^k pages whose first page frame number is a
 * multiple of 2^k; only the first page of a free block is on a free
 * list, with pg_order = k and PG_FREE set.  No other page carries
 * PG_FREE.  Two buddies (pfn and pfn ^ 2^k) merge only when both lie in
 * the same segment, so a block never spans segments.
 *
 * There is no locking here: the owner of a struct vm_phys must serialise
 * every call on it (vm_page.c holds vm_page_lock).
 *
 * Locking of a struct vm_page.  Who guards its fields depends on what
 * the page is at the moment, which its flags say:
 *   (f)  the allocator's lock (vm_page_lock, vm_page.c) while the page is
 *        free: PG_FREE, or waiting in one of vm_page.c's caches
 *   (c)  set by vm_phys_add_seg, then constant
 *   (o)  the page's owner, who allocated it and has not freed it yet;
 *        it sets these before anyone else can see the page
 *   (k)  kmem_lock (kmem.c), for a kmalloc slab page (PG_KMEM_SLAB)
 *   (p)  for a page-table page (PG_PTP), the pm_lock of the pmap using
 *        it; a table that pmaps share since fork does not change until
 *        one of them takes its own copy (pmap_pt_own, under ptshare_lock)
 *   (s)  ptshare_lock (pmap.c)
 *   (a)  atomic, for a user page (mapped, or held by a memory object)
 */
#ifndef _VM_PHYS_H_
#define _VM_PHYS_H_

#include <types.h>
#include <systm.h>
#include <bsd/sys/queue.h>

#define VM_NFREEORDER 11 /* blocks of 2^0 .. 2^10 pages (4 KiB .. 4 MiB) */
#define VM_PHYS_MAXSEG 64
#define VM_PHYS_NCHUNK 4096 /* entries of the frame-to-segment index */

/* Page flags (pg_flags). */
#define PG_FREE 0x0001       /* heads a free block on a free list */
#define PG_KMEM_SLAB 0x0002  /* a kmalloc slab page */
#define PG_KMEM_LARGE 0x0004 /* heads a kmalloc allocation of whole pages */
#define PG_PTP 0x0008        /* a page-table page */

struct vm_page {
	/*
	 * (f) a free list; (k) a slab list; (p) a pmap's reserve (pm_rsv);
	 * (o) a list of the owner's (vm_page_alloc_list).
	 */
	LIST_ENTRY(vm_page) pg_list;
	uint32_t pg_flags;      /* (f) PG_FREE; (o) the others */
	uint8_t pg_order;       /* (f), then (o): order of the block it heads */
	uint8_t pg_segind;      /* (c) index of its segment */
	uint16_t pg_kmem_class; /* (o) PG_KMEM_SLAB: size class */
	/* (a) a user page: its references; (p) PG_PTP: entries in use */
	int32_t pg_refcnt;
	union {
		uint32_t pg_kmem_inuse; /* (k) SLAB: objects handed out */
		uint32_t pg_ptshare;    /* (s) PTP: pmaps using the table */
	};
	union {
		void *pg_kmem_free; /* (k) SLAB: first free object */
		struct {            /* (p) PG_PTP: entries in use lie in */
			uint16_t
			    pg_ptlo; /* [pg_ptlo, pg_pthi) (never narrowed) */
			uint16_t pg_pthi;
		};
	};
};

LIST_HEAD(vm_pglist, vm_page);

/* Set by vm_phys_add_seg, then constant. */
struct vm_phys_seg {
	uint64_t ps_start_pfn;
	uint64_t ps_end_pfn; /* exclusive */
	struct vm_page *ps_pages;
};

/*
 * Every field is guarded by the owner's lock (vm_page_lock), except that
 * vp_segs, vp_nsegs, the index and vp_total_pages do not change after the
 * last vm_phys_add_seg, so the translations read them without it.
 *
 * The index makes a frame's segment an O(1) lookup: frames are cut into
 * VM_PHYS_NCHUNK chunks of 2^vp_chunk_shift frames (the smallest shift
 * that covers the highest frame), and vp_chunk_seg[c] is the first
 * segment that ends after chunk c begins.  A chunk overlaps that segment
 * and rarely the next few (segments smaller than a chunk), which the
 * lookup steps over.
 */
struct vm_phys {
	struct vm_phys_seg vp_segs[VM_PHYS_MAXSEG];
	unsigned vp_nsegs;
	unsigned vp_chunk_shift;
	uint8_t vp_chunk_seg[VM_PHYS_NCHUNK];
	struct vm_pglist vp_free[VM_NFREEORDER];
	uint64_t vp_nfree[VM_NFREEORDER]; /* blocks on each list */
	uint64_t vp_free_pages;
	uint64_t vp_total_pages;
};

/* Empty allocator with no segments. */
void vm_phys_init(struct vm_phys *vp);

/*
 * Add the page frames [start_pfn, end_pfn), described by pages[0 ..
 * end_pfn - start_pfn), and free them all into the buddy lists as the
 * largest aligned blocks that fit.  Every struct vm_page of the array is
 * initialised here (zeroed, pg_segind set); its previous contents do not
 * matter.  Segments must not overlap and must be added in increasing
 * address order.  Returns 0, or -1 when the segment table is full.
 */
int vm_phys_add_seg(struct vm_phys *vp, uint64_t start_pfn, uint64_t end_pfn,
    struct vm_page *pages);

/*
 * Take a block of 2^order pages.  Returns its first page (flags, kmem
 * fields and pg_refcnt cleared, pg_order = order), or NULL when no block
 * that large is free or order >= VM_NFREEORDER.
 */
struct vm_page *vm_phys_alloc(struct vm_phys *vp, unsigned order);

/*
 * Return the block headed by pg, which vm_phys_alloc(vp, pg->pg_order)
 * handed out, merging it with free buddies.  Whatever flags pg carries
 * are dropped.  Freeing a block that is already free is caught by a
 * KASSERT.
 */
void vm_phys_free(struct vm_phys *vp, struct vm_page *pg);

/*
 * The page for frame pfn, or NULL if no segment holds it.  The caller
 * owns vp, or the segment table no longer changes.
 */
static inline struct vm_page *
vm_phys_pfn_to_page(const struct vm_phys *vp, uint64_t pfn)
{
	const struct vm_phys_seg *seg;
	uint64_t chunk = pfn >> vp->vp_chunk_shift;
	unsigned i;

	if (chunk >= VM_PHYS_NCHUNK)
		return NULL;
	for (i = vp->vp_chunk_seg[chunk]; i < vp->vp_nsegs; i++) {
		seg = &vp->vp_segs[i];
		if (pfn < seg->ps_end_pfn) {
			if (pfn < seg->ps_start_pfn)
				return NULL;
			return seg->ps_pages + (pfn - seg->ps_start_pfn);
		}
	}
	return NULL;
}

/*
 * The frame number of pg, found from its segment index.  pg must belong
 * to vp.  The caller owns vp, or the segment table no longer changes.
 */
static inline uint64_t
vm_phys_page_to_pfn(const struct vm_phys *vp, const struct vm_page *pg)
{
	const struct vm_phys_seg *seg;

	KASSERT(pg->pg_segind < vp->vp_nsegs);
	seg = &vp->vp_segs[pg->pg_segind];
	KASSERT(pg >= seg->ps_pages &&
	    pg < seg->ps_pages + (seg->ps_end_pfn - seg->ps_start_pfn));
	return seg->ps_start_pfn + (uint64_t)(pg - seg->ps_pages);
}

/* What vm_phys_check found broken first (0: nothing). */
enum vm_phys_check_err {
	VM_PHYS_CHK_OK = 0,
	VM_PHYS_CHK_SEGS = -1,    /* segment table: count, order, bounds */
	VM_PHYS_CHK_SEGIND = -2,  /* a page's pg_segind is not its segment */
	VM_PHYS_CHK_LIST = -3,    /* a free list is corrupt or too long */
	VM_PHYS_CHK_BLOCK = -4,   /* a listed block: flag, order, alignment */
	VM_PHYS_CHK_OVERLAP = -5, /* free blocks overlap, or PG_FREE off-list */
	VM_PHYS_CHK_UNMERGED = -6, /* two free buddies were left unmerged */
	VM_PHYS_CHK_COUNTS = -7, /* vp_nfree, vp_free_pages or vp_total_pages */
};

/*
 * Check every invariant (free lists hold aligned, free, non-overlapping,
 * fully merged blocks; counts agree).  Takes time linear in the number
 * of pages.  Returns 0 or the negative enum vm_phys_check_err naming the
 * first broken one; used by tests.
 */
int vm_phys_check(const struct vm_phys *vp);

#endif /* !_VM_PHYS_H_ */
