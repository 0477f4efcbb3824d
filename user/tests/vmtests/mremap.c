/*
 * mremap.c: mremap grows a mapping in place when the space after it is
 * free, moves it (keeping every page's contents, and the copy-on-write
 * sharing with a forked child) when it may not grow, shrinks it, moves it
 * to a fixed place, leaves the old range empty with MREMAP_DONTUNMAP,
 * and fails as Linux does.
 */

#include "vt.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define P TEST_PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

#define TAG_A 0xa1a1
#define TAG_B 0xb2b2
#define TAG_C 0xc3c3

static long
sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new)
{
	return syscall(SYS_mremap, old, old_len, new_len, flags, new);
}

/*
 * n pages of private anonymous memory with the next `gap` pages free (a
 * larger mapping whose tail is unmapped), filled with tag.
 */
static char *
map_with_gap(size_t n, size_t gap, uint32_t tag)
{
	char *p = test_map((n + gap) * P);

	if (gap > 0)
		test_expect_ok(munmap(p + n * P, gap * P), "munmap the gap");
	vt_fill(p, n, tag);
	return p;
}

/* Grow in place into free space: the same address, contents kept. */
static void
t_grow_in_place(void)
{
	char *p = map_with_gap(4, 12, TAG_A);
	long r;

	r = sys_mremap(p, 4 * P, 16 * P, 0, NULL);
	test_expect_hex(r, (uintptr_t)p, "grown in place");
	vt_expect_pages(p, 4, TAG_A, "the old pages");
	test_expect_bytes(p + 4 * P, 12 * P, 0, "the new pages are zero");
	vt_fill_page(p, 15, TAG_B);
	vt_expect_page(p, 15, TAG_B, "the last new page is writable");
	/* Growing a part that does not end the mapping cannot be in place. */
	test_expect_errno(sys_mremap(p, 2 * P, 3 * P, 0, NULL), ENOMEM,
	    "grow the first pages without MREMAP_MAYMOVE");
	test_expect_ok(munmap(p, 16 * P), "munmap");
}

/*
 * Grow where the next page is taken: ENOMEM without MREMAP_MAYMOVE;
 * with it the mapping moves, every page with it, and the old range is
 * unmapped.
 */
static void
t_grow_move(void)
{
	char *p = map_with_gap(64, 1, TAG_A), *q, *block;
	long r;

	block = mmap(p + 64 * P, P, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	test_assert(block == p + 64 * P);
	test_expect_errno(sys_mremap(p, 64 * P, 128 * P, 0, NULL), ENOMEM,
	    "no room, and MREMAP_MAYMOVE not given");
	vt_expect_pages(p, 64, TAG_A, "still there");
	r = sys_mremap(p, 64 * P, 128 * P, MREMAP_MAYMOVE, NULL);
	test_assert_msg(r != -1, "mremap MREMAP_MAYMOVE: %s",
	    test_errname(errno));
	q = (char *)r;
	test_assert(q != p);
	vt_expect_pages(q, 64, TAG_A, "the pages moved with their contents");
	test_expect_bytes(q + 64 * P, 64 * P, 0, "the new part is zero");
	vt_fill(q, 128, TAG_B);
	vt_expect_pages(q, 128, TAG_B, "the moved pages are writable");
	test_expect_fault(p, 0, "the old range is unmapped");
	test_expect_fault(p + 63 * P, 0, "its last page too");
	test_expect_ok(munmap(q, 128 * P), "munmap");
	test_expect_ok(munmap(block, P), "munmap the block");
}

/*
 * A realloc of a large block, again and again, each time with something
 * in the way: the contents follow.
 */
static void
t_realloc_pattern(void)
{
	size_t n = 16;
	char *p = map_with_gap(n, 0, TAG_C);

	for (int round = 0; round < 6; round++) {
		char *block = mmap(p + n * P, P, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		long r;

		r = sys_mremap(p, n * P, 2 * n * P, MREMAP_MAYMOVE, NULL);
		test_assert_msg(r != -1, "round %d: %s", round,
		    test_errname(errno));
		if (block != MAP_FAILED)
			munmap(block, P);
		p = (char *)r;
		vt_expect_pages(p, n, TAG_C, "the block's contents");
		vt_fill_page(p, 2 * n - 1, TAG_C);
		for (size_t i = n; i < 2 * n; i++)
			vt_fill_page(p, i, TAG_C);
		n *= 2;
	}
	vt_expect_pages(p, n, TAG_C, "the final block");
	test_expect_ok(munmap(p, n * P), "munmap");
}

/*
 * A moved private mapping keeps copy-on-write with a forked child: the
 * parent's writes after the move are its own, and the child still sees
 * what was there at fork.
 */
static void
t_move_after_fork(void)
{
	char *p = map_with_gap(32, 0, TAG_A), *t = test_map(32 * P), *q;
	int fds[2];
	pid_t pid;
	long r;

	test_pipe(fds);
	pid = test_fork();
	if (pid == 0) {
		char c;

		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		vt_expect_pages(p, 32, TAG_A, "the child's pages");
		vt_fill(p, 32, TAG_C);
		vt_expect_pages(p, 32, TAG_C, "the child's own writes");
		_exit(0);
	}
	r = sys_mremap(p, 32 * P, 32 * P, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	test_expect_hex(r, (uintptr_t)t, "moved to a fixed place");
	q = (char *)r;
	vt_expect_pages(q, 32, TAG_A, "moved");
	vt_fill(q, 32, TAG_B);
	test_expect_eq(write(fds[1], "g", 1), 1, "let the child look");
	test_expect_exit(pid, 0, "the child saw its own pages");
	vt_expect_pages(q, 32, TAG_B, "the parent's writes");
	close(fds[0]);
	close(fds[1]);
	test_expect_ok(munmap(q, 32 * P), "munmap");
}

/* Shrinking unmaps the tail; an equal size changes nothing. */
static void
t_shrink(void)
{
	char *p = map_with_gap(8, 0, TAG_A);

	test_expect_hex(sys_mremap(p, 8 * P, 3 * P, 0, NULL), (uintptr_t)p,
	    "shrink to 3 pages");
	vt_expect_pages(p, 3, TAG_A, "the pages kept");
	test_expect_fault(p + 3 * P, 0, "the tail is unmapped");
	test_expect_fault(p + 7 * P, 0, "its last page too");
	test_expect_hex(sys_mremap(p, 3 * P, 3 * P, 0, NULL), (uintptr_t)p,
	    "the same size");
	test_expect_hex(sys_mremap(p, 3 * P - 100, 2 * P + 1, 0, NULL),
	    (uintptr_t)p, "sizes round up to pages");
	vt_expect_pages(p, 3, TAG_A, "nothing changed");
	test_expect_ok(munmap(p, 3 * P), "munmap");
}

/* MREMAP_FIXED replaces what is at the target. */
static void
t_fixed(void)
{
	char *p = map_with_gap(4, 0, TAG_A), *t = map_with_gap(8, 0, TAG_B);
	long r;

	r = sys_mremap(p, 4 * P, 6 * P, MREMAP_MAYMOVE | MREMAP_FIXED, t + P);
	test_expect_hex(r, (uintptr_t)(t + P), "moved onto the other mapping");
	vt_expect_page(t, 0, TAG_B, "the page before is untouched");
	vt_expect_pages(t + P, 4, TAG_A, "the moved pages");
	test_expect_bytes(t + 5 * P, 2 * P, 0, "the grown part is zero");
	vt_expect_page(t, 7, TAG_B, "the page after is untouched");
	test_expect_fault(p, 0, "the old range is unmapped");
	/* Shrinking while moving. */
	r = sys_mremap(t + P, 6 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, p);
	test_expect_hex(r, (uintptr_t)p, "moved back, smaller");
	vt_expect_pages(p, 2, TAG_A, "the first two pages");
	test_expect_fault(t + P, 0, "the old range is gone");
	test_expect_fault(t + 5 * P, 0, "its tail too");
	test_expect_ok(munmap(p, 2 * P), "munmap");
	test_expect_ok(munmap(t, 8 * P), "munmap");
}

/* MREMAP_DONTUNMAP: the old range stays mapped, and reads as zeros. */
static void
t_dontunmap(void)
{
	char *p = map_with_gap(4, 0, TAG_A), *q;
	long r;

	r = sys_mremap(p, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
	    NULL);
	test_assert_msg(r != -1, "MREMAP_DONTUNMAP: %s", test_errname(errno));
	q = (char *)r;
	test_assert(q != p);
	vt_expect_pages(q, 4, TAG_A, "the pages moved");
	test_expect_bytes(p, 4 * P, 0, "the old range reads as zeros");
	vt_fill(p, 4, TAG_B);
	vt_expect_pages(q, 4, TAG_A, "the old range is separate now");
	test_expect_ok(munmap(p, 4 * P), "munmap");
	test_expect_ok(munmap(q, 4 * P), "munmap");
}

/* Shared memory moves too; old size 0 makes a second mapping of it. */
static void
t_shared(void)
{
	char *s = mmap(NULL, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), *d;
	char *t = test_map(2 * P);
	long r;

	test_assert(s != MAP_FAILED);
	vt_fill(s, 2, TAG_A);
	r = sys_mremap(s, 0, 2 * P, MREMAP_MAYMOVE, NULL);
	test_assert_msg(r != -1, "old size 0: %s", test_errname(errno));
	d = (char *)r;
	test_assert(d != s);
	vt_expect_pages(d, 2, TAG_A, "the second mapping sees the pages");
	vt_fill(d, 2, TAG_B);
	vt_expect_pages(s, 2, TAG_B, "and shares them");
	test_expect_ok(munmap(d, 2 * P), "munmap the second");
	r = sys_mremap(s, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	test_expect_hex(r, (uintptr_t)t, "move shared memory");
	vt_expect_pages(t, 2, TAG_B, "its pages");
	test_expect_fault(s, 0, "the old range is unmapped");
	test_expect_ok(munmap(t, 2 * P), "munmap");
}

static void
t_errors(void)
{
	char *p = map_with_gap(4, 4, TAG_A), *q;

	test_expect_errno(sys_mremap(p, P, P, 8, NULL), EINVAL,
	    "an unknown flag");
	test_expect_errno(sys_mremap(p, P, 2 * P, MREMAP_FIXED, p + 8 * P),
	    EINVAL, "MREMAP_FIXED without MREMAP_MAYMOVE");
	test_expect_errno(sys_mremap(p, P, P, MREMAP_DONTUNMAP, p + 8 * P),
	    EINVAL, "MREMAP_DONTUNMAP without MREMAP_MAYMOVE");
	test_expect_errno(
	    sys_mremap(p, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL),
	    EINVAL, "MREMAP_DONTUNMAP with another size");
	test_expect_errno(sys_mremap(p + 1, P, 2 * P, 0, NULL), EINVAL,
	    "an unaligned address");
	test_expect_errno(sys_mremap(p, P, 0, MREMAP_MAYMOVE, NULL), EINVAL,
	    "new size 0");
	test_expect_errno(
	    sys_mremap(p, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, p + 1), EINVAL,
	    "an unaligned new address");
	test_expect_errno(
	    sys_mremap(p, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, p + P),
	    EINVAL, "overlapping ranges");
	test_expect_errno(sys_mremap(p, 0, P, MREMAP_MAYMOVE, NULL), EINVAL,
	    "old size 0 of private memory");
	test_expect_errno(sys_mremap(p + 4 * P, P, 2 * P, MREMAP_MAYMOVE, NULL),
	    EFAULT, "grow an unmapped range");
	test_expect_errno(sys_mremap(p, 6 * P, 8 * P, MREMAP_MAYMOVE, NULL),
	    EFAULT, "grow a range past its mapping");
	q = mmap(p + 4 * P, P, PROT_READ, ANON | MAP_FIXED, -1, 0);
	test_assert(q == p + 4 * P);
	test_expect_errno(sys_mremap(p, 5 * P, 6 * P, MREMAP_MAYMOVE, NULL),
	    EFAULT, "grow a range across two mappings");
	vt_expect_pages(p, 4, TAG_A, "nothing changed");
	test_expect_ok(munmap(p, 5 * P), "munmap");
}

const struct test vt_mremap_tests[] = {
	{ "mremap_grow_in_place", t_grow_in_place, NULL },
	{ "mremap_grow_move", t_grow_move, NULL },
	{ "mremap_realloc", t_realloc_pattern, NULL },
	{ "mremap_move_after_fork", t_move_after_fork, NULL },
	{ "mremap_shrink", t_shrink, NULL },
	{ "mremap_fixed", t_fixed, NULL },
	{ "mremap_dontunmap", t_dontunmap, NULL },
	{ "mremap_shared", t_shared, NULL },
	{ "mremap_errors", t_errors, NULL },
	{ NULL, NULL, NULL },
};
