/*
 * Host tests of kernel/bootinfo.c: turning a raw memory map into usable
 * ranges (checked case by case and against a brute-force model on random
 * maps), reserving ranges, and reading the command line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bootinfo.h>

#include "tap.h"

#define PG 0x1000ULL

#include "testlog.h"

/* Print bi_usable as "# [s, e)" lines. */
static void
usable_dump(const struct bootinfo *bi)
{
	size_t i;

	for (i = 0; i < bi->bi_nusable; i++)
		printf("# usable[%zu] = [%#lx, %#lx)\n", i,
		    (unsigned long)bi->bi_usable[i].start,
		    (unsigned long)bi->bi_usable[i].end);
}

/* TAP_OK, and on failure the log and the usable table. */
#define CHECK(cond, ...)                          \
	do {                                      \
		if (!TAP_OK(cond, __VA_ARGS__)) { \
			log_dump();               \
			usable_dump(&BI);         \
		}                                 \
	} while (0)

static struct bootinfo BI;

static void
map_clear(void)
{
	memset(&BI, 0, sizeof(BI));
	log_clear();
}

static void
map_add(uint64_t start, uint64_t end, uint32_t type)
{
	struct bi_range *r = &BI.bi_memmap[BI.bi_nmemmap++];

	r->start = start;
	r->end = end;
	r->type = type;
}

/*
 * True if bi_usable is exactly the n ranges given as start, end pairs in
 * the variable arguments (uint64_t).
 */
static bool
usable_is(size_t n, ...)
{
	va_list ap;
	size_t i;
	bool ok = BI.bi_nusable == n;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		uint64_t s = va_arg(ap, uint64_t);
		uint64_t e = va_arg(ap, uint64_t);
		if (ok &&
		    (BI.bi_usable[i].start != s || BI.bi_usable[i].end != e ||
			BI.bi_usable[i].type != BI_MEM_USABLE))
			ok = false;
	}
	va_end(ap);
	return ok;
}

/* Sorted, non-empty, page-aligned, not touching, no page 0. */
static bool
usable_wellformed(const struct bootinfo *bi)
{
	size_t i;

	for (i = 0; i < bi->bi_nusable; i++) {
		const struct bi_range *r = &bi->bi_usable[i];
		if (r->start >= r->end || r->start % PG != 0 ||
		    r->end % PG != 0 || r->start < PG)
			return false;
		if (i > 0 && bi->bi_usable[i - 1].end > r->start)
			return false;
	}
	return true;
}

#define U64(x) ((uint64_t)(x))

static void
test_sanitize_basic(void)
{
	uint64_t n;

	map_clear();
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(n == 0 && BI.bi_nusable == 0 && nlog == 0, "empty map: nothing");

	map_clear();
	map_add(0, 0xa0000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x1000), U64(0xa0000)) && n == 0x9f000,
	    "page 0 is never usable");
	CHECK(nlog == 0, "a clean map logs nothing");

	map_clear();
	map_add(0x1234, 0x5678, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x2000), U64(0x5000)) && n == 0x3000,
	    "unaligned range trimmed inward");

	map_clear();
	map_add(0x1001, 0x1fff, BI_MEM_USABLE);
	map_add(0x2100, 0x3000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(n == 0 && BI.bi_nusable == 0,
	    "ranges smaller than a page vanish");

	map_clear();
	map_add(0x100000, 0x180800, BI_MEM_USABLE);
	map_add(0x180800, 0x200000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x100000), U64(0x200000)) && n == 0x100000,
	    "adjacent entries merge before trimming (no page lost)");

	map_clear();
	map_add(0x300000, 0x400000, BI_MEM_USABLE);
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	map_add(0x200000, 0x300000, BI_MEM_RESERVED);
	map_add(0x1000, 0x9f000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(3, U64(0x1000), U64(0x9f000), U64(0x100000),
		  U64(0x200000), U64(0x300000), U64(0x400000)),
	    "unsorted input gives sorted output");
	CHECK(n == 0x9e000 + 0x200000, "usable byte count");
	CHECK(nlog == 0, "touching reserved entry is not an overlap");

	/* Running it again gives the same answer. */
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(BI.bi_nusable == 3 && n == 0x9e000 + 0x200000,
	    "sanitize is repeatable");

	map_clear();
	map_add(0xfffffffffff00000ULL, UINT64_MAX, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0xfffffffffff00000), U64(0xfffffffffffff000)),
	    "a range at the top of memory is trimmed without overflow");
}

static void
test_sanitize_overlaps(void)
{
	uint64_t n;

	map_clear();
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	map_add(0x150000, 0x151000, BI_MEM_RESERVED);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(2, U64(0x100000), U64(0x150000), U64(0x151000),
		  U64(0x200000)) &&
		n == 0xff000,
	    "reserved inside usable splits it");
	CHECK(log_has("entries 0 and 1 overlap", "the overlap is not usable",
		  NULL),
	    "the overlap is logged");

	map_clear();
	map_add(0x150800, 0x150900, BI_MEM_RESERVED);
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(2, U64(0x100000), U64(0x150000), U64(0x151000),
		  U64(0x200000)),
	    "a small unaligned hole costs its whole page");
	CHECK(
	    log_has("entries 0 and 1 overlap [0x150800, 0x150900)", NULL, NULL),
	    "overlap logged with its range");

	map_clear();
	map_add(0x100000, 0x300000, BI_MEM_USABLE);
	map_add(0x2ff800, 0x400000, BI_MEM_ACPI_RECLAIMABLE);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x100000), U64(0x2ff000)),
	    "ACPI reclaimable overlapping the tail trims it");

	map_clear();
	map_add(0x100000, 0x300000, BI_MEM_USABLE);
	map_add(0x0, 0x100800, BI_MEM_ACPI_NVS);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x101000), U64(0x300000)),
	    "ACPI NVS overlapping the head trims it");

	map_clear();
	map_add(0x100000, 0x300000, BI_MEM_USABLE);
	map_add(0x200000, 0x201000, BI_MEM_BAD);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(2, U64(0x100000), U64(0x200000), U64(0x201000),
		  U64(0x300000)),
	    "bad memory inside usable is removed");

	map_clear();
	map_add(0x100000, 0x300000, BI_MEM_USABLE);
	map_add(0x80000, 0x400000, BI_MEM_RESERVED);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(n == 0 && BI.bi_nusable == 0,
	    "usable entirely inside reserved: nothing");

	map_clear();
	map_add(0x100000, 0x300000, BI_MEM_USABLE);
	map_add(0x200000, 0x400000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x100000), U64(0x400000)) && n == 0x300000,
	    "two overlapping usable entries: the union is usable");
	CHECK(log_has("entries 0 and 1 overlap", "both are usable", NULL),
	    "and the overlap is logged");

	map_clear();
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x100000), U64(0x200000)),
	    "a duplicated usable entry is not lost");

	map_clear();
	map_add(0x100000, 0x200000, BI_MEM_RESERVED);
	map_add(0x180000, 0x280000, BI_MEM_RESERVED);
	map_add(0x300000, 0x400000, BI_MEM_USABLE);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x300000), U64(0x400000)) && nlog == 0,
	    "overlapping reserved entries are harmless and not logged");

	/* Three-way: reserved overlapping two usable entries. */
	map_clear();
	map_add(0x100000, 0x200000, BI_MEM_USABLE);
	map_add(0x200000, 0x300000, BI_MEM_USABLE);
	map_add(0x1ff000, 0x201000, BI_MEM_RESERVED);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(2, U64(0x100000), U64(0x1ff000), U64(0x201000),
		  U64(0x300000)),
	    "a reservation across the seam of two entries");
	CHECK(log_has("entries 0 and 2 overlap", NULL, NULL) &&
		log_has("entries 1 and 2 overlap", NULL, NULL),
	    "both overlaps logged");
}

static void
test_sanitize_odd(void)
{
	uint64_t n;

	map_clear();
	map_add(0x100000, 0x100000, BI_MEM_USABLE);
	map_add(0x200000, 0x300000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x200000), U64(0x300000)) && n == 0x100000,
	    "zero-length entry ignored");
	CHECK(log_has("entry 0", "zero length", NULL), "zero length logged");

	map_clear();
	map_add(0xfffffffffff00000ULL, 0x100000, BI_MEM_USABLE); /* wrapped */
	map_add(0x200000, 0x300000, BI_MEM_USABLE);
	n = bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x200000), U64(0x300000)),
	    "wrapping usable entry ignored");
	CHECK(log_has("entry 0", "wraps", NULL), "wrapping logged");

	map_clear();
	map_add(0x100000, 0x400000, BI_MEM_USABLE);
	map_add(0x200000, 0x1000, BI_MEM_RESERVED); /* wraps */
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(1, U64(0x100000), U64(0x200000)),
	    "wrapping reserved entry removes everything above its base");
	CHECK(log_has("entry 1", "wraps", NULL), "and is logged");

	map_clear();
	map_add(0x100000, 0x400000, BI_MEM_USABLE);
	map_add(0x200000, 0x201000, 9);
	map_add(0x300000, 0x301000, 0);
	bootinfo_sanitize(&BI, tlog);
	CHECK(usable_is(3, U64(0x100000), U64(0x200000), U64(0x201000),
		  U64(0x300000), U64(0x301000), U64(0x400000)),
	    "unknown types are treated as reserved");
	CHECK(log_has("entry 1", "unknown type 9", NULL) &&
		log_has("entry 2", "unknown type 0", NULL),
	    "unknown types logged");

	/* A full table of alternating entries. */
	{
		size_t i;

		map_clear();
		for (i = 0; i < BI_MEMMAP_MAX; i++)
			map_add(0x100000 + i * 0x10000,
			    0x100000 + (i + 1) * 0x10000,
			    i % 2 == 0 ? BI_MEM_USABLE : BI_MEM_RESERVED);
		n = bootinfo_sanitize(&BI, tlog);
		CHECK(BI.bi_nusable == BI_MEMMAP_MAX / 2 &&
			n == (uint64_t)BI_MEMMAP_MAX / 2 * 0x10000 &&
			usable_wellformed(&BI) && nlog == 0,
		    "a full table of %d alternating entries", BI_MEMMAP_MAX);

		/* 128 usable entries with gaps: 128 usable ranges fit. */
		map_clear();
		for (i = 0; i < BI_MEMMAP_MAX; i++)
			map_add(0x100000 + i * 0x10000,
			    0x100000 + i * 0x10000 + 0x8000, BI_MEM_USABLE);
		bootinfo_sanitize(&BI, tlog);
		CHECK(BI.bi_nusable == BI_MEMMAP_MAX && nlog == 0,
		    "%d separate usable ranges all kept", BI_MEMMAP_MAX);
	}
}

/*
 * The model: the address space [0, NPG pages) in granules of 256 bytes.
 * A page is usable iff page > 0 and each granule in it is covered by a
 * usable entry and by no non-usable one.
 */
#define NPG 64
#define GR 0x100
#define NGR (NPG * PG / GR)

static bool model_page[NPG];

static void
model_build(void)
{
	static bool gu[NGR], gr[NGR];
	size_t i, g, p;

	memset(gu, 0, sizeof(gu));
	memset(gr, 0, sizeof(gr));
	for (i = 0; i < BI.bi_nmemmap; i++) {
		const struct bi_range *r = &BI.bi_memmap[i];
		uint64_t e = r->end < r->start ? NGR * GR : r->end;
		if (r->end < r->start && r->type == BI_MEM_USABLE)
			continue;
		for (g = r->start / GR; g < e / GR && g < NGR; g++) {
			if (r->type == BI_MEM_USABLE)
				gu[g] = true;
			else
				gr[g] = true;
		}
	}
	for (p = 0; p < NPG; p++) {
		model_page[p] = p > 0;
		for (g = p * PG / GR; g < (p + 1) * PG / GR; g++)
			if (!gu[g] || gr[g])
				model_page[p] = false;
	}
}

/* True if bi_usable holds exactly the pages in model_page. */
static bool
model_matches(void)
{
	bool got[NPG] = { false };
	size_t i;
	uint64_t a;

	for (i = 0; i < BI.bi_nusable; i++)
		for (a = BI.bi_usable[i].start; a < BI.bi_usable[i].end;
		     a += PG)
			if (a / PG < NPG)
				got[a / PG] = true;
	return memcmp(got, model_page, sizeof(got)) == 0;
}

static void
test_sanitize_random(void)
{
	int iter, bad = 0, badwf = 0;
	size_t i, n;

	srand(4242);
	for (iter = 0; iter < 3000; iter++) {
		map_clear();
		n = 1 + (size_t)rand() % 12;
		for (i = 0; i < n; i++) {
			uint64_t s = (uint64_t)(rand() % NGR) * GR;
			uint64_t len = (uint64_t)(rand() % (NGR / 4)) * GR;
			static const uint32_t types[] = { 1, 1, 1, 2, 3, 4, 5 };
			if (rand() % 50 == 0)
				len = 0;
			map_add(s, s + len, types[rand() % 7]);
		}
		bootinfo_sanitize(&BI, NULL);
		model_build();
		if (!model_matches()) {
			if (bad++ < 3) {
				printf("# random map %d differs:\n", iter);
				for (i = 0; i < BI.bi_nmemmap; i++)
					printf("#   [%#lx, %#lx) type %u\n",
					    (unsigned long)BI.bi_memmap[i]
						.start,
					    (unsigned long)BI.bi_memmap[i].end,
					    BI.bi_memmap[i].type);
				usable_dump(&BI);
			}
		}
		if (!usable_wellformed(&BI))
			badwf++;
	}
	TAP_OK(bad == 0,
	    "3000 random maps agree with a brute-force model "
	    "(%d differ)",
	    bad);
	TAP_OK(badwf == 0,
	    "and every result is sorted, aligned, disjoint, "
	    "without page 0");
}

static void
set_usable(size_t n, const uint64_t *pairs)
{
	size_t i;

	memset(&BI, 0, sizeof(BI));
	for (i = 0; i < n; i++) {
		BI.bi_usable[i].start = pairs[2 * i];
		BI.bi_usable[i].end = pairs[2 * i + 1];
		BI.bi_usable[i].type = BI_MEM_USABLE;
	}
	BI.bi_nusable = n;
}

static void
test_reserve(void)
{
	static const uint64_t one[] = { 0x100000, 0x200000 };
	static const uint64_t three[] = { 0x1000, 0x9f000, 0x100000, 0x200000,
		0x300000, 0x400000 };
	uint64_t full[2 * BI_MEMMAP_MAX];
	size_t i;
	int r;

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x150000, 0x160000);
	CHECK(r == 0 &&
		usable_is(2, U64(0x100000), U64(0x150000), U64(0x160000),
		    U64(0x200000)),
	    "reserve in the middle splits");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x150001, 0x15ffff);
	CHECK(r == 0 &&
		usable_is(2, U64(0x100000), U64(0x150000), U64(0x160000),
		    U64(0x200000)),
	    "reserve is rounded out to pages");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x100000, 0x100001);
	CHECK(r == 0 && usable_is(1, U64(0x101000), U64(0x200000)),
	    "one byte at the head costs a page");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x1fffff, 0x300000);
	CHECK(r == 0 && usable_is(1, U64(0x100000), U64(0x1ff000)),
	    "reserve over the tail");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x0, 0x100800);
	CHECK(r == 0 && usable_is(1, U64(0x101000), U64(0x200000)),
	    "reserve over the head");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x100000, 0x200000);
	CHECK(r == 0 && BI.bi_nusable == 0, "reserve the whole range");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x150000, 0x150000);
	CHECK(r == 0 && usable_is(1, U64(0x100000), U64(0x200000)),
	    "empty reservation changes nothing");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x160000, 0x150000);
	CHECK(r == 0 && usable_is(1, U64(0x100000), U64(0x200000)),
	    "backwards reservation changes nothing");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x300000, 0x400000);
	CHECK(r == 0 && usable_is(1, U64(0x100000), U64(0x200000)),
	    "reservation elsewhere changes nothing");

	set_usable(3, three);
	r = bootinfo_reserve(&BI, 0x50000, 0x380000);
	CHECK(r == 0 &&
		usable_is(2, U64(0x1000), U64(0x50000), U64(0x380000),
		    U64(0x400000)),
	    "reservation spanning three ranges");

	set_usable(3, three);
	r = bootinfo_reserve(&BI, 0x120000, 0x130000);
	CHECK(r == 0 &&
		usable_is(4, U64(0x1000), U64(0x9f000), U64(0x100000),
		    U64(0x120000), U64(0x130000), U64(0x200000), U64(0x300000),
		    U64(0x400000)),
	    "split keeps the table sorted");

	set_usable(1, one);
	r = bootinfo_reserve(&BI, 0x1ff000, UINT64_MAX);
	CHECK(r == 0 && usable_is(1, U64(0x100000), U64(0x1ff000)),
	    "reservation up to UINT64_MAX does not wrap");

	/* A full table: a split must drop the smaller piece. */
	for (i = 0; i < BI_MEMMAP_MAX; i++) {
		full[2 * i] = 0x100000 + i * 0x100000;
		full[2 * i + 1] = 0x100000 + i * 0x100000 + 0x80000;
	}
	set_usable(BI_MEMMAP_MAX, full);
	r = bootinfo_reserve(&BI, 0x110000, 0x120000); /* in range 0 */
	CHECK(r == -1 && BI.bi_nusable == BI_MEMMAP_MAX &&
		BI.bi_usable[0].start == 0x120000 &&
		BI.bi_usable[0].end == 0x180000,
	    "full table: split fails, smaller head piece dropped");
	set_usable(BI_MEMMAP_MAX, full);
	r = bootinfo_reserve(&BI, 0x160000, 0x170000);
	CHECK(r == -1 && BI.bi_usable[0].start == 0x100000 &&
		BI.bi_usable[0].end == 0x160000,
	    "full table: smaller tail piece dropped");
	set_usable(BI_MEMMAP_MAX, full);
	r = bootinfo_reserve(&BI, 0x100000, 0x180000);
	CHECK(r == 0 && BI.bi_nusable == BI_MEMMAP_MAX - 1 &&
		BI.bi_usable[0].start == 0x200000 && usable_wellformed(&BI),
	    "full table: removing a whole range works");
	r = bootinfo_reserve(&BI, 0x210000, 0x220000);
	CHECK(r == 0 && BI.bi_nusable == BI_MEMMAP_MAX &&
		usable_wellformed(&BI),
	    "and frees a slot for a split");
}

/* Random reservations against a page model. */
static void
test_reserve_random(void)
{
	bool model[NPG];
	bool got[NPG];
	int iter, k, bad = 0;
	size_t i;
	uint64_t a;

	srand(99);
	for (iter = 0; iter < 2000; iter++) {
		memset(&BI, 0, sizeof(BI));
		memset(model, 0, sizeof(model));
		/* A few usable ranges. */
		for (a = PG; a < NPG * PG;) {
			uint64_t len = (1 + rand() % 6) * PG;
			uint64_t gap = (uint64_t)(rand() % 3) * PG;
			if (a + len > NPG * PG)
				break;
			if (gap == 0 && BI.bi_nusable > 0)
				gap = PG;
			a += gap;
			if (a + len > NPG * PG)
				break;
			BI.bi_usable[BI.bi_nusable].start = a;
			BI.bi_usable[BI.bi_nusable].end = a + len;
			BI.bi_usable[BI.bi_nusable].type = BI_MEM_USABLE;
			BI.bi_nusable++;
			for (i = a / PG; i < (a + len) / PG; i++)
				model[i] = true;
			a += len;
		}
		for (k = 0; k < 5; k++) {
			uint64_t s = (uint64_t)(rand() % (NPG * 16)) * 0x100;
			uint64_t e = s + (uint64_t)(rand() % 64) * 0x100;
			bootinfo_reserve(&BI, s, e);
			if (e > s)
				for (i = s / PG;
				     i < (e + PG - 1) / PG && i < NPG; i++)
					model[i] = false;
		}
		memset(got, 0, sizeof(got));
		for (i = 0; i < BI.bi_nusable; i++)
			for (a = BI.bi_usable[i].start; a < BI.bi_usable[i].end;
			     a += PG)
				got[a / PG] = true;
		if (memcmp(got, model, sizeof(got)) != 0 ||
		    !usable_wellformed(&BI))
			bad++;
	}
	TAP_OK(bad == 0,
	    "2000 random reservation runs agree with a page "
	    "model (%d differ)",
	    bad);
}

static void
set_cmdline(const char *s)
{
	memset(&BI, 0, sizeof(BI));
	snprintf(BI.bi_cmdline, sizeof(BI.bi_cmdline), "%s", s);
}

/* Init's environment: KEY=VALUE words before -- that are not the kernel's. */
static void
test_initenv(void)
{
	static const char *const known[] = { "init", "ktest", NULL };
	char buf[64];

	set_cmdline("init=/bin/sh TERM=vt100 quiet a.b=1 =x LANG=C ktest=all "
		    "-- HOME=/root");
	bootinfo_initenv(&BI, known, buf, sizeof(buf));
	CHECK(strcmp(buf, "TERM=vt100 LANG=C") == 0, "initenv: \"%s\"", buf);

	set_cmdline("A=1 BB=22 CCC=333");
	bootinfo_initenv(&BI, known, buf, 10);
	CHECK(strcmp(buf, "A=1 BB=22") == 0, "words that do not fit: \"%s\"",
	    buf);
	set_cmdline("init=/x");
	bootinfo_initenv(&BI, known, buf, sizeof(buf));
	CHECK(buf[0] == '\0', "no environment words");
	set_cmdline("EMPTY= K==v");
	bootinfo_initenv(&BI, known, buf, sizeof(buf));
	CHECK(strcmp(buf, "EMPTY= K==v") == 0, "empty and odd values: \"%s\"",
	    buf);
}

static void
test_cmdline(void)
{
	char buf[64];
	bool r;

	set_cmdline("console=serial ktest=all quiet -- -v init");
	r = bootinfo_getarg(&BI, "console", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "serial") == 0, "getarg console=serial");
	r = bootinfo_getarg(&BI, "ktest", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "all") == 0, "getarg ktest=all");
	CHECK(bootinfo_hasflag(&BI, "quiet"), "hasflag quiet");
	CHECK(!bootinfo_hasflag(&BI, "console"),
	    "hasflag does not match name=value");
	CHECK(!bootinfo_getarg(&BI, "quiet", buf, sizeof(buf)),
	    "getarg does not match a bare flag");
	CHECK(!bootinfo_hasflag(&BI, "-v") && !bootinfo_hasflag(&BI, "init"),
	    "words after -- are not the kernel's");
	CHECK(!bootinfo_hasflag(&BI, "--"), "-- itself is not a flag");
	CHECK(strcmp(bootinfo_initargs(&BI), "-v init") == 0,
	    "initargs after --: \"%s\"", bootinfo_initargs(&BI));
	CHECK(!bootinfo_getarg(&BI, "missing", buf, sizeof(buf)),
	    "absent argument");
	CHECK(!bootinfo_getarg(&BI, "", buf, sizeof(buf)),
	    "empty name never matches");

	set_cmdline("a -- b=1 flag");
	CHECK(!bootinfo_getarg(&BI, "b", buf, sizeof(buf)) &&
		!bootinfo_hasflag(&BI, "flag"),
	    "name=value after -- is hidden");
	CHECK(strcmp(bootinfo_initargs(&BI), "b=1 flag") == 0, "initargs");

	set_cmdline("--x b=2 --");
	r = bootinfo_getarg(&BI, "b", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "2") == 0 && bootinfo_hasflag(&BI, "--x"),
	    "--x is a word, not the separator");
	CHECK(strcmp(bootinfo_initargs(&BI), "") == 0,
	    "-- at the end: empty initargs");

	set_cmdline("\t  root=/dev/x\tro  \t seed=42   ");
	r = bootinfo_getarg(&BI, "root", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "/dev/x") == 0, "tabs separate words");
	r = bootinfo_getarg(&BI, "seed", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "42") == 0, "trailing spaces ignored");
	CHECK(bootinfo_hasflag(&BI, "ro"), "flag between tabs");
	CHECK(strcmp(bootinfo_initargs(&BI), "") == 0, "no --: empty initargs");

	set_cmdline("ktest=vm ktest=sched");
	r = bootinfo_getarg(&BI, "ktest", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "sched") == 0, "the last occurrence wins");

	set_cmdline("ktestx=1 xktest=2 ktest");
	CHECK(!bootinfo_getarg(&BI, "ktest", buf, sizeof(buf)),
	    "prefix and suffix matches are not matches");
	CHECK(bootinfo_hasflag(&BI, "ktest") && !bootinfo_hasflag(&BI, "ktes"),
	    "hasflag matches whole words only");

	set_cmdline("root= x=a=b");
	r = bootinfo_getarg(&BI, "root", buf, sizeof(buf));
	CHECK(r && buf[0] == '\0', "empty value");
	r = bootinfo_getarg(&BI, "x", buf, sizeof(buf));
	CHECK(r && strcmp(buf, "a=b") == 0, "value may contain =");

	set_cmdline("console=serial");
	memset(buf, 'Z', sizeof(buf));
	r = bootinfo_getarg(&BI, "console", buf, 4);
	CHECK(r && strcmp(buf, "ser") == 0 && buf[4] == 'Z',
	    "value truncated to the buffer");
	memset(buf, 'Z', sizeof(buf));
	r = bootinfo_getarg(&BI, "console", buf, 0);
	CHECK(r && buf[0] == 'Z', "size 0: found, buffer untouched");
	r = bootinfo_getarg(&BI, "console", buf, 1);
	CHECK(r && buf[0] == '\0', "size 1: empty string");

	set_cmdline("");
	CHECK(!bootinfo_hasflag(&BI, "x") &&
		!bootinfo_getarg(&BI, "x", buf, sizeof(buf)) &&
		strcmp(bootinfo_initargs(&BI), "") == 0,
	    "empty command line");

	set_cmdline("--    sh -c 'echo hi'");
	CHECK(strcmp(bootinfo_initargs(&BI), "sh -c 'echo hi'") == 0,
	    "leading spaces after -- skipped, inner ones kept");
	CHECK(!bootinfo_hasflag(&BI, "sh"), "-- first: no kernel words");

	set_cmdline("a --\t -- b");
	CHECK(strcmp(bootinfo_initargs(&BI), "-- b") == 0,
	    "only the first -- separates");

	set_cmdline("a -- ");
	CHECK(strcmp(bootinfo_initargs(&BI), "") == 0,
	    "-- followed by spaces: empty initargs");
}

int
main(void)
{
	test_sanitize_basic();
	test_sanitize_overlaps();
	test_sanitize_odd();
	test_sanitize_random();
	test_reserve();
	test_reserve_random();
	test_cmdline();
	test_initenv();
	return tap_done();
}
