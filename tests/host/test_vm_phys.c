/*
 * Host unit test of the buddy allocator (kernel/vm/vm_phys.c) and of its
 * frame-to-segment index.
 *
 * Every test builds its own struct vm_phys over segments whose vm_page
 * arrays come from malloc.  A shadow bitmap per segment records which
 * pages are handed out, so overlap between live blocks, blocks outside
 * their segment and misaligned blocks are caught on every allocation.
 * Random sequences start from a fixed seed printed in the TAP output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systm.h>
#include <vm/vm_phys.h>

#include "tap.h"

#define SEED 0x5eed1234abcdULL

/* A test allocator: the vm_phys, its arrays and a used-page bitmap. */
struct tseg {
	uint64_t start, end;
	struct vm_page *pages;
	uint8_t *used; /* one byte per page: 1 while allocated */
};

struct talloc {
	struct vm_phys vp;
	struct tseg
	    segs[VM_PHYS_MAXSEG + 1]; /* one spare for the refused add */
	unsigned nsegs;
	uint64_t nfree0[VM_NFREEORDER]; /* free lists right after setup */
	int bad;                        /* a block failed the checks */
};

struct block {
	struct vm_page *pg;
	unsigned order;
};

static void
ta_init(struct talloc *ta)
{
	memset(ta, 0, sizeof(*ta));
	vm_phys_init(&ta->vp);
}

static int
ta_add(struct talloc *ta, uint64_t start, uint64_t end)
{
	struct tseg *ts = &ta->segs[ta->nsegs];
	int error;

	ts->start = start;
	ts->end = end;
	/* Garbage on purpose: vm_phys_add_seg must initialise the array. */
	ts->pages = malloc((end - start) * sizeof(struct vm_page));
	memset(ts->pages, 0xa5, (end - start) * sizeof(struct vm_page));
	ts->used = calloc(end - start, 1);
	error = vm_phys_add_seg(&ta->vp, start, end, ts->pages);
	if (error != 0) {
		free(ts->pages);
		free(ts->used);
		return error;
	}
	ta->nsegs++;
	memcpy(ta->nfree0, ta->vp.vp_nfree, sizeof(ta->nfree0));
	return 0;
}

static void
ta_fini(struct talloc *ta)
{
	unsigned i;

	for (i = 0; i < ta->nsegs; i++) {
		free(ta->segs[i].pages);
		free(ta->segs[i].used);
	}
}

/* The shadow segment holding pg, or NULL. */
static struct tseg *
ta_seg(struct talloc *ta, const struct vm_page *pg)
{
	unsigned i;

	for (i = 0; i < ta->nsegs; i++) {
		struct tseg *ts = &ta->segs[i];
		if ((uintptr_t)pg >= (uintptr_t)ts->pages &&
		    (uintptr_t)pg <
			(uintptr_t)(ts->pages + (ts->end - ts->start)))
			return ts;
	}
	return NULL;
}

/*
 * Mark or unmark the block at pg; on marking, check that it lies in one
 * segment, is aligned, is not already in use, and that the pfn and page
 * lookups agree.  Any failure sets ta->bad.
 */
static void
ta_mark(struct talloc *ta, struct vm_page *pg, unsigned order, int set)
{
	struct tseg *ts = ta_seg(ta, pg);
	uint64_t pfn, i, n = 1ULL << order;

	if (ts == NULL) {
		ta->bad = 1;
		return;
	}
	pfn = vm_phys_page_to_pfn(&ta->vp, pg);
	if (pfn != ts->start + (uint64_t)(pg - ts->pages) ||
	    vm_phys_pfn_to_page(&ta->vp, pfn) != pg || (pfn & (n - 1)) != 0 ||
	    pfn + n > ts->end || pg->pg_order != order) {
		ta->bad = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		uint8_t *u = &ts->used[pfn - ts->start + i];
		if (set ? *u != 0 : *u != 1)
			ta->bad = 1;
		*u = set ? 1 : 0;
	}
}

static struct vm_page *
ta_alloc(struct talloc *ta, unsigned order)
{
	struct vm_page *pg = vm_phys_alloc(&ta->vp, order);

	if (pg != NULL) {
		if (pg->pg_flags != 0)
			ta->bad = 1;
		ta_mark(ta, pg, order, 1);
	}
	return pg;
}

static void
ta_free(struct talloc *ta, struct vm_page *pg)
{
	ta_mark(ta, pg, pg->pg_order, 0);
	vm_phys_free(&ta->vp, pg);
}

/* True if the free lists are back to their state right after setup. */
static int
ta_all_merged(const struct talloc *ta)
{
	return memcmp(ta->nfree0, ta->vp.vp_nfree, sizeof(ta->nfree0)) == 0 &&
	    ta->vp.vp_free_pages == ta->vp.vp_total_pages;
}

static void
shuffle(struct block *b, size_t n)
{
	size_t i, j;
	struct block t;

	for (i = n; i > 1; i--) {
		j = rng() % i;
		t = b[i - 1];
		b[i - 1] = b[j];
		b[j] = t;
	}
}

/* One aligned segment: initial state, lookups, bad orders. */
static void
test_basic(void)
{
	struct talloc ta;
	struct vm_page *pg;
	unsigned k;
	int ok;

	ta_init(&ta);
	TAP_OK(vm_phys_check(&ta.vp) == 0, "empty allocator checks");
	TAP_OK(vm_phys_alloc(&ta.vp, 0) == NULL, "empty allocator has no page");
	TAP_OK(ta_add(&ta, 0x1000, 0x2000) == 0, "add [0x1000, 0x2000)");
	TAP_OK(vm_phys_check(&ta.vp) == 0, "check after add");
	TAP_OK(ta.vp.vp_total_pages == 0x1000 && ta.vp.vp_free_pages == 0x1000,
	    "total and free are 4096 pages");
	ok = ta.vp.vp_nfree[VM_NFREEORDER - 1] == 4;
	for (k = 0; k < VM_NFREEORDER - 1; k++)
		ok &= ta.vp.vp_nfree[k] == 0;
	TAP_OK(ok, "an aligned segment is four max-order blocks");

	TAP_OK(vm_phys_pfn_to_page(&ta.vp, 0xfff) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0x2000) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0x1000) == &ta.segs[0].pages[0] &&
		vm_phys_pfn_to_page(&ta.vp, 0x1fff) == &ta.segs[0].pages[0xfff],
	    "pfn_to_page at and around the bounds");
	TAP_OK(vm_phys_alloc(&ta.vp, VM_NFREEORDER) == NULL &&
		vm_phys_alloc(&ta.vp, 200) == NULL,
	    "orders beyond the largest give NULL");

	pg = ta_alloc(&ta, 0);
	TAP_OK(pg != NULL && ta.vp.vp_free_pages == 0x0fff &&
		vm_phys_check(&ta.vp) == 0,
	    "one page: counts and check");
	TAP_OK(ta.vp.vp_nfree[0] == 1 && ta.vp.vp_nfree[9] == 1 &&
		ta.vp.vp_nfree[10] == 3,
	    "splitting leaves one block per order");
	ta_free(&ta, pg);
	TAP_OK(ta_all_merged(&ta) && vm_phys_check(&ta.vp) == 0,
	    "freeing it merges everything back");
	TAP_OK(!ta.bad, "basic blocks aligned and disjoint");
	ta_fini(&ta);
}

/* Take single pages until none is left, then free them in random order. */
static void
exhaust(struct talloc *ta, const char *name)
{
	struct block *b;
	struct vm_page *pg;
	uint64_t n = 0, total = ta->vp.vp_total_pages;

	b = calloc(total + 1, sizeof(*b));
	while ((pg = ta_alloc(ta, 0)) != NULL && n <= total)
		b[n++].pg = pg;
	TAP_OK(n == total && ta->vp.vp_free_pages == 0,
	    "%s: %lu single pages allocated of %lu", name, (unsigned long)n,
	    (unsigned long)total);
	TAP_OK(vm_phys_check(&ta->vp) == 0, "%s: check when exhausted", name);
	TAP_OK(vm_phys_alloc(&ta->vp, 0) == NULL &&
		vm_phys_alloc(&ta->vp, 3) == NULL,
	    "%s: nothing left", name);
	shuffle(b, n);
	while (n > 0)
		ta_free(ta, b[--n].pg);
	TAP_OK(vm_phys_check(&ta->vp) == 0 && ta_all_merged(ta),
	    "%s: all freed in random order and merged back", name);
	TAP_OK(!ta->bad, "%s: every block aligned, in its segment, disjoint",
	    name);
	free(b);
}

static void
test_exhaust(void)
{
	struct talloc ta;
	unsigned k;
	int ok = 1;

	ta_init(&ta);
	ta_add(&ta, 0x400, 0x400 + 8 * 1024);
	exhaust(&ta, "aligned segment");
	for (k = 0; k < VM_NFREEORDER - 1; k++)
		ok &= ta.vp.vp_nfree[k] == 0;
	TAP_OK(ok && ta.vp.vp_nfree[VM_NFREEORDER - 1] == 8,
	    "aligned segment: back to eight max-order blocks");
	ta_fini(&ta);
}

/*
 * Several segments with odd bounds, two of them touching (their blocks
 * must never merge across the boundary), one above 4 GiB.
 */
static void
setup_odd(struct talloc *ta)
{
	ta_init(ta);
	ta_add(ta, 0x13, 0x5a7);
	ta_add(ta, 0x7ff, 0xc01); /* touches the next one */
	ta_add(ta, 0xc01, 0x1403);
	ta_add(ta, 0x2000, 0x2001);     /* a single page */
	ta_add(ta, 0x100001, 0x101777); /* above 4 GiB */
	ta_add(ta, 0x7fffff00, 0x80000123);
}

static void
test_odd_segments(void)
{
	struct talloc ta;
	struct vm_page *pg;
	uint64_t total = (0x5a7 - 0x13) + (0xc01 - 0x7ff) + (0x1403 - 0xc01) +
	    1 + (0x101777 - 0x100001) + (0x80000123 - 0x7fffff00);

	setup_odd(&ta);
	TAP_OK(ta.nsegs == 6 && vm_phys_check(&ta.vp) == 0 &&
		ta.vp.vp_total_pages == total && ta.vp.vp_free_pages == total,
	    "odd segments: added, %lu pages", (unsigned long)total);
	TAP_OK(vm_phys_pfn_to_page(&ta.vp, 0x12) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0x5a7) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0xc00) ==
		    &ta.segs[1].pages[0x401] &&
		vm_phys_pfn_to_page(&ta.vp, 0xc01) == &ta.segs[2].pages[0] &&
		vm_phys_pfn_to_page(&ta.vp, 0x2000) == &ta.segs[3].pages[0] &&
		vm_phys_pfn_to_page(&ta.vp, 0x2001) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0x100000) == NULL &&
		vm_phys_pfn_to_page(&ta.vp, 0x100001) == &ta.segs[4].pages[0] &&
		vm_phys_pfn_to_page(&ta.vp, 0x80000122) ==
		    &ta.segs[5].pages[0x222] &&
		vm_phys_pfn_to_page(&ta.vp, ~0ULL) == NULL,
	    "odd segments: pfn_to_page in, between and after segments");
	pg = vm_phys_pfn_to_page(&ta.vp, 0x100400);
	TAP_OK(pg != NULL && (pg->pg_flags & PG_FREE) && pg->pg_order == 10,
	    "above 4 GiB: pfn 0x100400 heads a max-order block");
	exhaust(&ta, "odd segments");
	ta_fini(&ta);
}

/*
 * Random allocations and frees of every order, checked on each step, in
 * the odd-segment layout; ends by freeing the rest.
 */
static void
test_random_mixed(void)
{
	struct talloc ta;
	struct block *b;
	struct vm_page *pg;
	size_t n = 0, cap = 100000, i, fails = 0, checks_bad = 0;
	unsigned order;
	int step;

	setup_odd(&ta);
	b = calloc(cap, sizeof(*b));
	for (step = 0; step < 60000; step++) {
		if (n > 0 && (rng() % 100 < 45 || n == cap)) {
			i = rng() % n;
			ta_free(&ta, b[i].pg);
			b[i] = b[--n];
		} else {
			/* Small orders more often than large ones. */
			order = (unsigned)(rng() % (VM_NFREEORDER + 1));
			order = order > VM_NFREEORDER - 1 ? 0 : order;
			order = (unsigned)(rng() % (order + 1));
			pg = ta_alloc(&ta, order);
			if (pg == NULL) {
				fails++;
				continue;
			}
			b[n].pg = pg;
			b[n++].order = order;
		}
		if (step % 5000 == 0 && vm_phys_check(&ta.vp) != 0)
			checks_bad++;
	}
	TAP_OK(checks_bad == 0, "mixed orders: check holds throughout");
	TAP_OK(!ta.bad, "mixed orders: every block aligned and disjoint");
	for (i = 0; i < n; i++)
		if (b[i].pg->pg_order != b[i].order)
			ta.bad = 1;
	TAP_OK(!ta.bad, "mixed orders: live blocks keep their order");
	printf("# mixed orders: %zu live blocks at the end, %zu failed "
	       "allocations\n",
	    n, fails);
	shuffle(b, n);
	while (n > 0)
		ta_free(&ta, b[--n].pg);
	TAP_OK(vm_phys_check(&ta.vp) == 0 && ta_all_merged(&ta),
	    "mixed orders: everything merged back");
	free(b);
	ta_fini(&ta);
}

/*
 * For each order: take blocks of it until none is left, check the count
 * against what the free lists held, free them in random order.
 */
static void
test_each_order(void)
{
	struct talloc ta;
	struct block *b;
	struct vm_page *pg;
	uint64_t expect, n;
	unsigned k, j;
	int ok = 1, merged = 1;

	setup_odd(&ta);
	b = calloc(ta.vp.vp_total_pages + 1, sizeof(*b));
	for (k = 0; k < VM_NFREEORDER; k++) {
		expect = 0;
		for (j = k; j < VM_NFREEORDER; j++)
			expect += ta.vp.vp_nfree[j] << (j - k);
		n = 0;
		while ((pg = ta_alloc(&ta, k)) != NULL)
			b[n++].pg = pg;
		if (n != expect || vm_phys_check(&ta.vp) != 0) {
			ok = 0;
			printf("# order %u: %lu blocks, expected %lu\n", k,
			    (unsigned long)n, (unsigned long)expect);
		}
		shuffle(b, n);
		while (n > 0)
			ta_free(&ta, b[--n].pg);
		if (vm_phys_check(&ta.vp) != 0 || !ta_all_merged(&ta))
			merged = 0;
	}
	TAP_OK(ok, "each order: exhausting yields every block that fits");
	TAP_OK(merged, "each order: frees merge back completely");
	TAP_OK(!ta.bad, "each order: blocks aligned and disjoint");
	free(b);
	ta_fini(&ta);
}

/* Segments that touch must not merge blocks across their boundary. */
static void
test_no_cross_merge(void)
{
	struct talloc ta;
	unsigned k;
	int ok = 1;

	ta_init(&ta);
	/* [0x200, 0x400) and [0x400, 0x600): buddies of order 9 at 0x400. */
	ta_add(&ta, 0x200, 0x400);
	ta_add(&ta, 0x400, 0x600);
	for (k = 0; k < VM_NFREEORDER; k++)
		ok &= ta.vp.vp_nfree[k] == (k == 9 ? 2 : 0);
	TAP_OK(ok, "touching segments: two order-9 blocks, not one order-10");
	TAP_OK(vm_phys_alloc(&ta.vp, 10) == NULL,
	    "touching segments: no order-10 block across them");
	exhaust(&ta, "touching segments");
	ok = 1;
	for (k = 0; k < VM_NFREEORDER; k++)
		ok &= ta.vp.vp_nfree[k] == (k == 9 ? 2 : 0);
	TAP_OK(ok, "touching segments: still two order-9 blocks after frees");
	ta_fini(&ta);
}

static void
test_seg_table_full(void)
{
	struct talloc ta;
	unsigned i;
	int ok = 1;

	ta_init(&ta);
	for (i = 0; i < VM_PHYS_MAXSEG; i++)
		ok &= ta_add(&ta, 10 * i + 1, 10 * i + 4 + i % 5) == 0;
	TAP_OK(ok, "%d segments accepted", VM_PHYS_MAXSEG);
	TAP_OK(ta_add(&ta, 10000, 10010) == -1, "one more is refused");
	TAP_OK(vm_phys_check(&ta.vp) == 0, "full table checks");
	exhaust(&ta, "full table");
	ta_fini(&ta);
}

/* vm_phys_check must notice broken invariants. */
static void
test_check_catches(void)
{
	struct talloc ta;
	struct vm_page *pg, *pg2;

	ta_init(&ta);
	ta_add(&ta, 0x1000, 0x1800);
	pg = vm_phys_alloc(&ta.vp, 0);

	ta.vp.vp_free_pages++;
	TAP_OK(vm_phys_check(&ta.vp) == VM_PHYS_CHK_COUNTS,
	    "check: a wrong free count is caught");
	ta.vp.vp_free_pages--;

	pg2 = LIST_FIRST(&ta.vp.vp_free[5]);
	pg2->pg_order = 4;
	TAP_OK(vm_phys_check(&ta.vp) == VM_PHYS_CHK_BLOCK,
	    "check: a block with the wrong order is caught");
	pg2->pg_order = 5;

	/* pfn 0x1003 lies inside the free order-1 block at 0x1002. */
	pg[3].pg_flags |= PG_FREE;
	TAP_OK(vm_phys_check(&ta.vp) == VM_PHYS_CHK_OVERLAP,
	    "check: a PG_FREE page inside a free block is caught");
	pg[3].pg_flags &= ~PG_FREE;

	pg[3].pg_segind = 7;
	TAP_OK(vm_phys_check(&ta.vp) == VM_PHYS_CHK_SEGIND,
	    "check: a wrong pg_segind is caught");
	pg[3].pg_segind = 0;

	/* Put the allocated page on the order-0 list without merging. */
	pg->pg_flags = PG_FREE;
	LIST_INSERT_HEAD(&ta.vp.vp_free[0], pg, pg_list);
	ta.vp.vp_nfree[0]++;
	ta.vp.vp_free_pages++;
	TAP_OK(vm_phys_check(&ta.vp) == VM_PHYS_CHK_UNMERGED,
	    "check: free buddies left unmerged are caught");
	LIST_REMOVE(pg, pg_list);
	ta.vp.vp_nfree[0]--;
	ta.vp.vp_free_pages--;
	pg->pg_flags = 0;

	vm_phys_free(&ta.vp, pg);
	TAP_OK(vm_phys_check(&ta.vp) == 0 && ta_all_merged(&ta),
	    "check: clean again after undoing the damage");
	ta_fini(&ta);
}

/*
 * Adding 4 GiB of memory (1M pages) at boot must be cheap: the array is
 * initialised once and about a thousand max-order blocks are inserted.
 */
static void
test_big_segment(void)
{
	struct talloc ta;
	struct timespec t0, t1;
	double ms;

	ta_init(&ta);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ta_add(&ta, 0x100, 0x100 + (1UL << 20));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("# adding 1M pages took %.1f ms (with ASan, page array "
	       "malloc included)\n",
	    ms);
	TAP_OK(ta.vp.vp_nfree[VM_NFREEORDER - 1] == 1023 &&
		ta.vp.vp_free_pages == (1UL << 20),
	    "4 GiB segment: 1023 max-order blocks plus the ragged ends");
	TAP_OK(vm_phys_check(&ta.vp) == 0, "4 GiB segment checks");
	ta_fini(&ta);
}

/* The page for pfn by a linear search of ta's own segment records. */
static struct vm_page *
ta_lookup(const struct talloc *ta, uint64_t pfn)
{
	unsigned i;

	for (i = 0; i < ta->nsegs; i++)
		if (pfn >= ta->segs[i].start && pfn < ta->segs[i].end)
			return &ta->segs[i].pages[pfn - ta->segs[i].start];
	return NULL;
}

/*
 * The index against a linear search: many segments smaller than a chunk
 * (so chunks overlap several), gaps of one frame, and one segment far
 * away that makes the chunks large; every frame around each boundary and
 * random frames must agree.
 */
static void
test_index_lookup(void)
{
	struct talloc ta;
	uint64_t pfn, start = 0x10, len, bad = 0, checked = 0;
	unsigned i;
	int d;

	ta_init(&ta);
	for (i = 0; i < VM_PHYS_MAXSEG - 1; i++) {
		len = 1 + (rng() % 700);
		ta_add(&ta, start, start + len);
		start += len + (i % 3); /* gaps of 0, 1 and 2 frames */
	}
	ta_add(&ta, 0x3000000, 0x3000200); /* 192 GiB: chunks of 2^14 frames */
	TAP_OK(ta.nsegs == VM_PHYS_MAXSEG && ta.vp.vp_chunk_shift == 14,
	    "index: %u segments, chunk shift %u", ta.nsegs,
	    ta.vp.vp_chunk_shift);
	for (i = 0; i < ta.nsegs; i++) {
		for (d = -2; d <= 2; d++) {
			pfn = ta.segs[i].start + (uint64_t)(int64_t)d;
			bad += vm_phys_pfn_to_page(&ta.vp, pfn) !=
			    ta_lookup(&ta, pfn);
			pfn = ta.segs[i].end + (uint64_t)(int64_t)d;
			bad += vm_phys_pfn_to_page(&ta.vp, pfn) !=
			    ta_lookup(&ta, pfn);
			checked += 2;
		}
	}
	for (i = 0; i < 100000; i++) {
		pfn = i % 2 ? rng() % (start + 16) : rng() % 0x4000000;
		bad += vm_phys_pfn_to_page(&ta.vp, pfn) != ta_lookup(&ta, pfn);
		checked++;
	}
	bad += vm_phys_pfn_to_page(&ta.vp, ~0ULL) != NULL;
	TAP_OK(bad == 0, "index: %lu lookups agree with a linear search",
	    (unsigned long)checked);
	ta_fini(&ta);
}

int
main(void)
{
	rng_state = SEED;
	printf("# seed 0x%llx\n", (unsigned long long)SEED);
	test_basic();
	test_exhaust();
	test_odd_segments();
	test_random_mixed();
	test_each_order();
	test_no_cross_merge();
	test_seg_table_full();
	test_check_catches();
	test_big_segment();
	test_index_lookup();
	return tap_done();
}
