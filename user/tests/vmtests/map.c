/*
 * map.c: the map of one address space.  MAP_FIXED replaces what was
 * there; MAP_FIXED_NOREPLACE refuses to; munmap and mprotect in the
 * middle of an entry split it and leave both sides as they were;
 * MADV_DONTNEED zeroes private anonymous memory; brk grows and shrinks
 * the heap; and a process holds 10,000 separate mappings with mmap
 * still quick.
 */

#include "vt.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P TEST_PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

#define TAG_A 0xa1a1
#define TAG_B 0xb2b2
#define TAG_C 0xc3c3

static long
sys_mprotect(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

/* ---------------------------------------------------------------------
 * MAP_FIXED.
 */

/*
 * MAP_FIXED over one mapping, over the end of one and the start of the
 * next, and over a hole: the range gets fresh zero pages with the new
 * protection; everything outside it is untouched.
 */
static void
t_fixed_replace(void)
{
	unsigned char *a = test_map(8 * P);

	vt_fill(a, 8, TAG_A);
	/* Split into two entries with a hole between: 0-2, [3], 4-7. */
	test_expect_eq(munmap(a + 3 * P, P), 0, "punch a hole at page 3");
	test_expect_eq(sys_mprotect(a + 4 * P, 4 * P, PROT_READ), 0,
	    "pages 4-7 read-only");

	test_expect_eq(
	    test_mmap((unsigned long)a + P, P, RW, ANON | MAP_FIXED, -1, 0),
	    (long)a + P, "MAP_FIXED over page 1");
	test_expect_bytes(a + P, P, 0, "page 1 replaced");
	vt_expect_page(a, 0, TAG_A, "page 0 kept");
	vt_expect_page(a, 2, TAG_A, "page 2 kept");

	test_expect_eq(test_mmap((unsigned long)a + 2 * P, 4 * P, RW,
			   ANON | MAP_FIXED, -1, 0),
	    (long)a + 2 * P,
	    "MAP_FIXED over pages 2-5: an entry's end, the hole, the next's start");
	test_expect_bytes(a + 2 * P, 4 * P, 0, "pages 2-5 replaced");
	vt_fill_page(a, 3, TAG_B);
	vt_fill_page(a, 5, TAG_B);
	vt_expect_page_range(a, 6, 2, TAG_A, "pages 6-7 kept");
	test_expect_fault(a + 6 * P, 1, "pages 6-7 are still read-only");

	/* A read-only replacement over writable memory. */
	test_expect_eq(
	    test_mmap((unsigned long)a, P, PROT_READ, ANON | MAP_FIXED, -1, 0),
	    (long)a, "MAP_FIXED read-only over page 0");
	test_expect_bytes(a, P, 0, "page 0 replaced");
	test_expect_fault(a, 1, "write the read-only replacement");

	/* All of it at once. */
	test_expect_eq(
	    test_mmap((unsigned long)a, 8 * P, RW, ANON | MAP_FIXED, -1, 0),
	    (long)a, "MAP_FIXED over all eight pages");
	test_expect_bytes(a, 8 * P, 0, "all eight pages replaced");
	vt_fill(a, 8, TAG_C);
	vt_expect_pages(a, 8, TAG_C, "all eight pages written");
	test_expect_eq(munmap(a, 8 * P), 0, "munmap");
}

/*
 * MAP_FIXED_NOREPLACE (0x100000): EEXIST over any mapped page, and the
 * mapping there is left alone; a free range is mapped exactly there.
 */
static void
t_fixed_noreplace(void)
{
	unsigned char *a = test_map(8 * P);
	const struct {
		size_t first, n;
		const char *what;
	} over[] = {
		{ 2, 1, "one mapped page" },
		{ 0, 8, "the whole mapping" },
		{ 1, 6, "the middle" },
	};

	vt_fill(a, 8, TAG_A);
	test_expect_eq(munmap(a + 7 * P, P), 0, "free page 7");
	test_expect_eq(munmap(a, P), 0, "free page 0");
	test_expect_errno(test_mmap((unsigned long)a + 6 * P, 2 * P, RW,
			      ANON | MAP_FIXED_NOREPLACE, -1, 0),
	    EEXIST, "over the last mapped page and a free one");
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++)
		test_expect_errno(
		    test_mmap((unsigned long)a + over[i].first * P,
			over[i].n * P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
		    EEXIST, over[i].what);
	vt_expect_page_range(a, 1, 6, TAG_A, "pages 1-6 kept");
	test_expect_eq(test_mmap((unsigned long)a + 7 * P, P, RW,
			   ANON | MAP_FIXED_NOREPLACE, -1, 0),
	    (long)a + 7 * P, "MAP_FIXED_NOREPLACE on the free page 7");
	test_expect_bytes(a + 7 * P, P, 0, "the new page 7");
	test_expect_eq(test_mmap((unsigned long)a, P, RW,
			   ANON | MAP_FIXED_NOREPLACE, -1, 0),
	    (long)a, "MAP_FIXED_NOREPLACE on the free page 0");
	test_expect_eq(munmap(a, 8 * P), 0, "munmap");
}

/* ---------------------------------------------------------------------
 * Splitting entries.
 */

/*
 * munmap of a page in the middle of an entry: both sides keep their
 * contents and protection, the middle faults; then MAP_FIXED fills the
 * hole again and unmapping across the pieces removes them all.
 */
static void
t_munmap_middle(void)
{
	unsigned char *a = test_map(9 * P);

	vt_fill(a, 9, TAG_A);
	test_expect_eq(munmap(a + 4 * P, P), 0, "munmap page 4 of 9");
	vt_expect_page_range(a, 0, 4, TAG_A, "pages 0-3");
	vt_expect_page_range(a, 5, 4, TAG_A, "pages 5-8");
	test_expect_fault(a + 4 * P, 0, "read the unmapped middle");
	test_expect_fault(a + 5 * P - 1, 1, "write the unmapped middle's end");
	vt_fill_page(a, 3, TAG_B);
	vt_fill_page(a, 5, TAG_B);

	test_expect_eq(munmap(a + 6 * P, 2 * P), 0, "munmap pages 6-7");
	vt_expect_page(a, 5, TAG_B, "page 5 between two holes");
	vt_expect_page(a, 8, TAG_A, "page 8 after two holes");
	test_expect_fault(a + 7 * P, 0, "read the second hole");

	test_expect_eq(
	    test_mmap((unsigned long)a + 4 * P, P, RW, ANON | MAP_FIXED, -1, 0),
	    (long)a + 4 * P, "map the hole again");
	test_expect_bytes(a + 4 * P, P, 0, "the page mapped into the hole");
	vt_expect_page(a, 3, TAG_B, "page 3");
	vt_expect_page(a, 5, TAG_B, "page 5");

	test_expect_eq(munmap(a + 2 * P, 5 * P), 0,
	    "munmap pages 2-6 across pieces and a hole");
	vt_expect_page_range(a, 0, 2, TAG_A, "pages 0-1");
	vt_expect_page(a, 8, TAG_A, "page 8");
	for (size_t i = 2; i < 8; i++)
		test_expect_fault(a + i * P, 0, "read an unmapped page");
	test_expect_eq(munmap(a, 9 * P), 0, "munmap everything left");
	test_expect_fault(a, 0, "read page 0 after munmap");
	test_expect_fault(a + 8 * P, 0, "read page 8 after munmap");
}

/*
 * mprotect of the middle of an entry: writing the middle faults,
 * reading it gives its contents, both sides stay writable; then the
 * protection goes back and everything is writable again.
 */
static void
t_mprotect_middle(void)
{
	unsigned char *a = test_map(9 * P);

	vt_fill(a, 9, TAG_A);
	test_expect_eq(sys_mprotect(a + 3 * P, 3 * P, PROT_READ), 0,
	    "pages 3-5 read-only");
	test_expect_fault(a + 3 * P, 1, "write page 3");
	test_expect_fault(a + 5 * P + P - 1, 1,
	    "write the last byte of page 5");
	vt_expect_page_range(a, 3, 3, TAG_A, "read pages 3-5");
	vt_fill_page(a, 2, TAG_B);
	vt_fill_page(a, 6, TAG_B);
	vt_expect_page(a, 2, TAG_B, "write page 2 below");
	vt_expect_page(a, 6, TAG_B, "write page 6 above");

	test_expect_eq(sys_mprotect(a + 4 * P, P, PROT_NONE), 0,
	    "page 4 PROT_NONE inside the read-only part");
	test_expect_fault(a + 4 * P, 0, "read page 4");
	vt_expect_page(a, 3, TAG_A, "read page 3 next to it");
	vt_expect_page(a, 5, TAG_A, "read page 5 next to it");

	test_expect_eq(sys_mprotect(a + 2 * P, 5 * P, RW), 0,
	    "pages 2-6 read-write across three pieces");
	vt_fill(a, 9, TAG_C);
	vt_expect_pages(a, 9, TAG_C, "all pages written");
	test_expect_eq(sys_mprotect(a, 9 * P, PROT_READ), 0, "all read-only");
	test_expect_fault(a + 8 * P, 1, "write page 8");
	test_expect_eq(munmap(a, 9 * P), 0, "munmap");
}

/* ---------------------------------------------------------------------
 * madvise.
 */

/*
 * MADV_DONTNEED on private anonymous memory: the pages in the range
 * read back as zeros (the ones around it keep their contents) and can be
 * written again.  With MAP_SHARED memfds see memfd.c.
 */
static void
t_dontneed(void)
{
	unsigned char *a = test_map(8 * P);

	vt_fill(a, 8, TAG_A);
	test_expect_eq(madvise(a + 2 * P, 3 * P, MADV_DONTNEED), 0,
	    "MADV_DONTNEED pages 2-4");
	vt_expect_page_range(a, 0, 2, TAG_A, "pages 0-1");
	test_expect_bytes(a + 2 * P, 3 * P, 0, "pages 2-4");
	vt_expect_page_range(a, 5, 3, TAG_A, "pages 5-7");
	vt_fill(a, 8, TAG_B);
	vt_expect_pages(a, 8, TAG_B, "written again");

	/* Across a split and on pages never touched. */
	test_expect_eq(sys_mprotect(a + 4 * P, P, PROT_READ), 0,
	    "page 4 read-only");
	test_expect_eq(madvise(a, 8 * P, MADV_DONTNEED), 0,
	    "MADV_DONTNEED across three entries");
	test_expect_bytes(a, 8 * P, 0, "all pages");
	test_expect_fault(a + 4 * P, 1, "page 4 is still read-only");
	munmap(a, 8 * P);
}

/* ---------------------------------------------------------------------
 * brk.
 */

/*
 * The break goes up (zero pages) and down (the pages above it go away
 * and fault; the ones below keep their contents), up again (zero pages,
 * not the old ones), and refuses to move into another mapping.
 */
static void
t_brk(void)
{
	unsigned long cur = syscall(SYS_brk, 0);
	unsigned long base = (cur + P - 1) & ~(P - 1);
	unsigned char *h = (unsigned char *)base;
	long guard;

	test_expect_eq(syscall(SYS_brk, base + 16 * P), base + 16 * P,
	    "grow by 16 pages");
	test_expect_bytes(h, 16 * P, 0, "grown heap");
	vt_fill(h, 16, TAG_A);

	test_expect_eq(syscall(SYS_brk, base + 6 * P), base + 6 * P,
	    "shrink to 6 pages");
	vt_expect_pages(h, 6, TAG_A, "pages below the break");
	test_expect_fault(h + 6 * P, 0, "read the first page above the break");
	test_expect_fault(h + 15 * P, 1, "write the last page of the old heap");

	test_expect_eq(syscall(SYS_brk, base + 12 * P), base + 12 * P,
	    "grow to 12 pages");
	vt_expect_pages(h, 6, TAG_A, "pages kept below the old break");
	test_expect_bytes(h + 6 * P, 6 * P, 0, "pages regrown");
	vt_fill_page(h, 11, TAG_B);

	test_expect_eq(syscall(SYS_brk, base + 1000 * P), base + 1000 * P,
	    "grow by 4 MB");
	h[999 * P] = 1;
	vt_expect_page(h, 11, TAG_B, "page 11 after growing");
	test_expect_eq(syscall(SYS_brk, base), base, "shrink to the start");
	test_expect_fault(h, 0, "read the first heap page after shrinking");

	/* A mapping above the heap stops the break. */
	guard = test_mmap(base + 32 * P, P, RW, ANON, -1, 0);
	if (guard == (long)(base + 32 * P)) {
		*(volatile unsigned char *)guard = 0x5a;
		test_expect_eq(syscall(SYS_brk, base + 40 * P), base,
		    "brk across a mapping");
		test_expect_eq(*(volatile unsigned char *)guard, 0x5a,
		    "the mapping the break would have covered");
		munmap((void *)guard, P);
	} else {
		test_note(
		    "the kernel did not place a mapping at the hint above "
		    "the break; not checking brk into a mapping");
		if (guard != -1)
			munmap((void *)guard, P);
	}
	test_expect_eq(syscall(SYS_brk, cur), cur, "back to the start");
}

/* ---------------------------------------------------------------------
 * 10,000 mappings.
 */

#define MANY 10000
#define MANY_TIMED 500 /* hintless mmap+munmap pairs timed */

/*
 * The time of MANY_TIMED hintless one-page mmap+munmap pairs, the best
 * of three tries, in nanoseconds.
 */
static uint64_t
time_hintless(void)
{
	uint64_t best = UINT64_MAX;

	for (int t = 0; t < 3; t++) {
		uint64_t t0 = test_now_ns();
		for (int i = 0; i < MANY_TIMED; i++) {
			long r = test_mmap(0, P, RW, ANON, -1, 0);
			if (r == -1)
				test_fail("hintless mmap %d: %s", i,
				    test_errname(errno));
			*(volatile unsigned char *)r = 1;
			munmap((void *)r, P);
		}
		uint64_t dt = test_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

/*
 * 10,000 one-page mappings separated by one-page holes (so none can
 * merge), each touched with its own pattern and checked, then unmapped
 * one by one.  With all of them in place, a hintless mmap must find
 * room and take no more than ten times as long as with none.
 */
static void
t_many(void)
{
	size_t span = 2 * MANY * P;
	unsigned char *a =
	    (unsigned char *)test_mmap(0, span, PROT_NONE, ANON, -1, 0);
	uint64_t before, after;
	size_t touched = MANY;
	struct kstat ks;

	test_assert_msg(a != MAP_FAILED, "reserve %zu bytes: %s", span,
	    test_errname(errno));
	before = time_hintless();

	/*
	 * Each page needs one free page; with less memory than twice that
	 * (our kernel under -m 64M) touch only as many as fit in half of it.
	 */
	if (test_native && test_kstat(&ks) == 0 &&
	    ks.ks_pages_free < 2 * MANY) {
		touched = ks.ks_pages_free / 2;
		test_note("%llu free pages: touching %zu of the %d mappings",
		    (unsigned long long)ks.ks_pages_free, touched, MANY);
	}

	for (size_t i = 0; i < MANY; i++)
		if (test_mmap((unsigned long)a + 2 * i * P, P, RW,
			ANON | MAP_FIXED, -1, 0) != (long)a + (long)(2 * i * P))
			test_fail("mapping %zu: %s", i, test_errname(errno));
	test_expect_eq(munmap(a + P, P), 0, "munmap the first hole");
	for (size_t i = 1; i < MANY; i++)
		if (munmap(a + (2 * i + 1) * P, P) != 0)
			test_fail("hole %zu: %s", i, test_errname(errno));

	test_expect_fault(a + 2 * (MANY / 2) * P + P, 0, "read a hole");
	for (size_t i = 0; i < touched; i++)
		vt_fill_edges(a + 2 * i * P, 1, (uint32_t)i);
	for (size_t i = 0; i < touched; i++)
		test_assert_msg(vt_edges_ok(a + 2 * i * P, 0, (uint32_t)i),
		    "mapping %zu lost its contents", i);

	after = time_hintless();
	test_note("%d hintless mmap+munmap pairs: %llu us with no mappings, "
		  "%llu us with %d",
	    MANY_TIMED, (unsigned long long)before / 1000,
	    (unsigned long long)after / 1000, MANY);
	test_assert_msg(after <= 10 * before + 5000000,
	    "hintless mmap took "
	    "%llu us with %d mappings, %llu us without: a linear search?",
	    (unsigned long long)after / 1000, MANY,
	    (unsigned long long)before / 1000);
	for (size_t i = 0; i < touched; i++)
		test_assert_msg(vt_edges_ok(a + 2 * i * P, 0, (uint32_t)i),
		    "mapping %zu lost its contents to a hintless mmap", i);

	/* Unmap from both ends towards the middle. */
	for (size_t i = 0; i < MANY / 2; i++) {
		if (munmap(a + 2 * i * P, P) != 0 ||
		    munmap(a + 2 * (MANY - 1 - i) * P, P) != 0)
			test_fail("munmap of mapping %zu or %zu: %s", i,
			    MANY - 1 - i, test_errname(errno));
	}
	test_expect_fault(a + 2 * (MANY / 2) * P, 0, "read an unmapped one");
	test_expect_eq(munmap(a, span), 0, "munmap the now empty range");
}

const struct test vt_map_tests[] = {
	{ "map_fixed_replace", t_fixed_replace, NULL },
	{ "map_fixed_noreplace", t_fixed_noreplace, NULL },
	{ "map_munmap_middle", t_munmap_middle, NULL },
	{ "map_mprotect_middle", t_mprotect_middle, NULL },
	{ "map_dontneed", t_dontneed, NULL },
	{ "map_brk", t_brk, NULL },
	{ "map_many", t_many, NULL },
	{ NULL, NULL, NULL },
};
