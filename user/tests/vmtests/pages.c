/*
 * pages.c: the page patterns of vt.h, which tell one page's contents
 * from another's.
 */

#include "vt.h"

static uint64_t
pattern(uint32_t tag, size_t page)
{
	return (uint64_t)tag << 32 | (uint32_t)page;
}

void
vt_fill_page(void *base, size_t i, uint32_t tag)
{
	uint64_t *w = (uint64_t *)base + i * (TEST_PAGE / 8);

	for (size_t j = 0; j < TEST_PAGE / 8; j++)
		w[j] = pattern(tag, i);
}

void
vt_fill(void *p, size_t npages, uint32_t tag)
{
	for (size_t i = 0; i < npages; i++)
		vt_fill_page(p, i, tag);
}

void
vt_fill_edges(void *p, size_t npages, uint32_t tag)
{
	uint64_t *w = p;

	for (size_t i = 0; i < npages; i++) {
		w[i * (TEST_PAGE / 8)] = pattern(tag, i);
		w[i * (TEST_PAGE / 8) + TEST_PAGE / 8 - 1] = pattern(tag, i);
	}
}

int
vt_edges_ok(const void *p, size_t i, uint32_t tag)
{
	const uint64_t *w = p;

	return w[i * (TEST_PAGE / 8)] == pattern(tag, i) &&
	    w[i * (TEST_PAGE / 8) + TEST_PAGE / 8 - 1] == pattern(tag, i);
}

void
vt_expect_pages_at(const char *file, int line, const void *base, size_t first,
    size_t npages, uint32_t tag, const char *what)
{
	const uint64_t *w = base;

	for (size_t i = first; i < first + npages; i++)
		for (size_t j = 0; j < TEST_PAGE / 8; j++) {
			uint64_t got = w[i * (TEST_PAGE / 8) + j];
			if (got != pattern(tag, i))
				test_fail_at(file, line,
				    "%s: page %zu word %zu "
				    "is 0x%016llx, expected 0x%016llx (tag "
				    "0x%x)",
				    what, i, j, (unsigned long long)got,
				    (unsigned long long)pattern(tag, i),
				    (unsigned)tag);
		}
}
