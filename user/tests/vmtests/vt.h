/*
 * vt.h: what the files of vmtests share.
 *
 * vmtests is the virtual memory test suite: copy-on-write fork, memfd
 * shared memory, the mmap family, faults, brk, many mappings and running
 * out of memory.  The test library (user/tests/lib/test.h) runs the
 * tests and prints TAP; suite.c lists the tables, pages.c holds the page
 * patterns below, and each other file holds the tests of one area and
 * exports a table of them:
 *
 *	cow.c	copy-on-write after fork
 *	memfd.c	memfd_create, ftruncate and shared or private mappings
 *	map.c	MAP_FIXED, partial munmap and mprotect, madvise, brk, and
 *		10,000 mappings in one process
 *	fault.c	accesses to every forbidden place end with SIGSEGV
 *	oom.c	running out of memory, then getting every page back
 *	harden.c	inputs that once froze or corrupted the kernel
 *	mremap.c	mremap: grow in place, move (contents and
 *		copy-on-write kept), shrink, MREMAP_FIXED, MREMAP_DONTUNMAP
 *
 * Every test is a function that runs in a child process of its own.  It
 * checks with test.h's test_expect_* and test_assert and the page checks
 * below; returning from the test function is a pass.
 *
 * The calls under test go through musl's syscall(), so that libc adds
 * nothing of its own (it returns -1 and sets errno).
 *
 * The suite is an ordinary Linux program, and every test whose
 * expectation is Linux's runs on Linux too (and passes there).  Tests
 * that need our kernel (kstat, or running the machine out of memory)
 * carry a reason in their table row and are skipped on Linux.
 */

#ifndef VT_H
#define VT_H

#include "test.h"

/* Each area's table, ending with an entry whose name is NULL. */
extern const struct test vt_cow_tests[];
extern const struct test vt_memfd_tests[];
extern const struct test vt_map_tests[];
extern const struct test vt_fault_tests[];
extern const struct test vt_oom_tests[];
extern const struct test vt_harden_tests[];
extern const struct test vt_mremap_tests[];

/*
 * Page patterns (pages.c).  vt_fill fills each page i of [p, p + npages
 * pages) with 64-bit words holding `tag` in the high half and i in the
 * low half, so that a page that moved, was lost or came from another
 * process shows which.
 */
void vt_fill(void *p, size_t npages, uint32_t tag);

/* Fill only page i of the region at `base`, as vt_fill would. */
void vt_fill_page(void *base, size_t i, uint32_t tag);

/* The same, for the first and last word of each page only (cheap). */
void vt_fill_edges(void *p, size_t npages, uint32_t tag);

/* Whether page i holds the edge words of vt_fill_edges (or vt_fill). */
int vt_edges_ok(const void *p, size_t i, uint32_t tag);

/*
 * Every page of [p, p + npages pages) holds the pattern of vt_fill with
 * `tag`; otherwise fail, naming the first wrong word.
 */
#define vt_expect_pages(p, npages, tag, what) \
	vt_expect_pages_at(__FILE__, __LINE__, (p), 0, (npages), (tag), (what))

/* Pages [first, first + n) of the region at `base` hold their pattern. */
#define vt_expect_page_range(base, first, n, tag, what)                     \
	vt_expect_pages_at(__FILE__, __LINE__, (base), (first), (n), (tag), \
	    (what))

/* Page i of the region at `base` holds the pattern of vt_fill_page. */
#define vt_expect_page(base, i, tag, what) \
	vt_expect_pages_at(__FILE__, __LINE__, (base), (i), 1, (tag), (what))

void vt_expect_pages_at(const char *file, int line, const void *base,
    size_t first, size_t npages, uint32_t tag, const char *what);

#endif /* VT_H */
