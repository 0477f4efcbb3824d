/*
 * harden.c: shapes of input that once froze, corrupted or leaked the
 * kernel (issue 15), each kept as a regression test.
 *
 *   - a write-only private mapping read by the kernel (a write() from
 *     it) and by the program: x86 has no unreadable present page, so the
 *     mapping reads as it would with PROT_READ | PROT_WRITE (Linux);
 *   - MAP_POPULATE and MADV_WILLNEED over 2^46 bytes of PROT_NONE: done
 *     at once, and a populate of more memory than there is stops when
 *     the process is killed;
 *   - munmap, MAP_FIXED and mprotect on memory whose page tables are
 *     shared with a child since fork, while memory is exhausted: each
 *     either does all it was asked or fails with ENOMEM having changed
 *     nothing, and the child's view never changes;
 *   - splitting mappings until the map-entry limit (Linux's
 *     vm.max_map_count, 65530): ENOMEM, and the process and the rest of
 *     the machine go on.
 *
 * A hang shows up as the runner's time limit for the test (or QEMU's
 * for the whole run when the machine itself froze).  The tests that
 * exhaust memory run only on our kernel.
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
#define PT_SPAN (2UL << 20) /* what one page table maps */
#define PT_PAGES (PT_SPAN / P)

#define TAG_A 0xa7a7
#define HUGE_NONE (1UL << 46)   /* PROT_NONE address space */
#define HUGE_MEMORY (1UL << 40) /* more than any test machine has */

static long
sys_mprotect(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

/* ---------------------------------------------------------------------
 * Write-only memory.
 */

/*
 * A memfd page mapped PROT_WRITE, MAP_PRIVATE: a write() from it gives
 * the memfd's byte (the kernel reads a write-only page), and so does a
 * read by the program.  The same for anonymous write-only memory (a
 * zero), and for a MAP_SHARED write-only view.  PROT_NONE memory, in
 * contrast, is EFAULT for the kernel.
 */
static void
t_writeonly_read(void)
{
	int fd = test_memfd(P), fds[2];
	unsigned char c = 'm', got = 0;
	volatile unsigned char *p, *q, *a, *none;

	test_pipe(fds);
	q = (unsigned char *)test_mmap(0, P, RW, MAP_SHARED, fd, 0);
	test_assert(q != (unsigned char *)-1);
	q[0] = c;
	test_expect_eq(munmap((void *)q, P), 0, "munmap the memfd");
	p = (unsigned char *)test_mmap(0, P, PROT_WRITE, MAP_PRIVATE, fd, 0);
	test_assert(p != (unsigned char *)-1);
	test_expect_eq(write(fds[1], (const void *)p, 1), 1,
	    "write() from a write-only private memfd page");
	test_expect_eq(read(fds[0], &got, 1), 1, "read the byte back");
	test_expect_eq(got, 'm', "the byte the kernel read");
	test_expect_eq(p[0], 'm', "the program reads its write-only page");
	p[1] = 'x'; /* a private copy now; reads still work */
	test_expect_eq(write(fds[1], (const void *)p, 2), 2,
	    "write() from the private copy");
	test_expect_eq(read(fds[0], &got, 1), 1, "read");
	test_expect_eq(read(fds[0], &got, 1), 1, "read");
	test_expect_eq(got, 'x', "the copy's second byte");

	q = (unsigned char *)test_mmap(0, P, PROT_WRITE, MAP_SHARED, fd, 0);
	test_assert(q != (unsigned char *)-1);
	test_expect_eq(write(fds[1], (const void *)q, 1), 1,
	    "write() from a write-only shared memfd page");
	test_expect_eq(read(fds[0], &got, 1), 1, "read");
	test_expect_eq(got, 'm', "the shared page's byte");

	a = (unsigned char *)test_mmap(0, P, PROT_WRITE, ANON, -1, 0);
	test_assert(a != (unsigned char *)-1);
	test_expect_eq(write(fds[1], (const void *)a, 1), 1,
	    "write() from untouched write-only anonymous memory");
	test_expect_eq(read(fds[0], &got, 1), 1, "read");
	test_expect_eq(got, 0, "a zero");

	none = (unsigned char *)test_mmap(0, P, PROT_NONE, ANON, -1, 0);
	test_assert(none != (unsigned char *)-1);
	test_expect_errno(write(fds[1], (const void *)none, 1), EFAULT,
	    "write() from PROT_NONE memory");
	test_expect_errno(read(fds[0], (void *)none, 1), EFAULT,
	    "read() into PROT_NONE memory");
	close(fd);
}

/* ---------------------------------------------------------------------
 * Populating huge ranges.
 */

/*
 * MAP_POPULATE of 2^46 bytes of PROT_NONE, then MADV_WILLNEED over it:
 * nothing can be made, so both return at once (this once walked 2^34
 * pages with interrupts masked).  The mapping then still faults.
 */
static void
t_populate_huge_none(void)
{
	long r = test_mmap(0, HUGE_NONE, PROT_NONE,
	    ANON | MAP_NORESERVE | MAP_POPULATE, -1, 0);
	unsigned char *a = (unsigned char *)r;

	test_expect_ok(r, "mmap 2^46 bytes PROT_NONE with MAP_POPULATE");
	test_expect_eq(madvise(a, HUGE_NONE, MADV_WILLNEED), 0,
	    "MADV_WILLNEED over all of it");
	test_expect_fault(a + HUGE_NONE / 2, 0, "a read in the middle");
	test_expect_eq(munmap(a, HUGE_NONE), 0, "munmap it");
}

/*
 * A child populates more memory than the machine has, again and again.
 * The populate stays preemptible: the parent runs and kills it, the kill
 * ends it, and every page comes back (the runner's leak check).
 */
static void
t_populate_killed(void)
{
	int go[2];
	pid_t pid;

	test_pipe(go);
	pid = test_fork();
	if (pid == 0) {
		test_send(go[1]);
		for (;;) {
			long r = test_mmap(0, HUGE_MEMORY, RW,
			    ANON | MAP_NORESERVE | MAP_POPULATE, -1, 0);
			if (r != -1)
				munmap((void *)r, HUGE_MEMORY);
		}
	}
	test_recv(go[0]);
	test_sleep_ns(20 * 1000 * 1000);
	test_expect_eq(kill(pid, SIGKILL), 0, "kill the populating child");
	test_expect_signal(pid, SIGKILL, "the child, killed while populating");
}

/* ---------------------------------------------------------------------
 * Memory shared with a child since fork, under memory exhaustion.
 */

/*
 * A PT_SPAN-aligned mapping of PT_SPAN bytes, every page filled with
 * TAG_A: its page table is dense, so fork shares it whole.
 */
static unsigned char *
map_aligned_span(void)
{
	unsigned char *m = test_map(2 * PT_SPAN), *a;
	size_t head;

	a = (unsigned char *)(((unsigned long)m + PT_SPAN - 1) &
	    ~(PT_SPAN - 1));
	head = a - m;
	if (head != 0)
		test_expect_eq(munmap(m, head), 0, "trim the head");
	test_expect_eq(munmap(a + PT_SPAN, PT_SPAN - head), 0, "trim the tail");
	vt_fill(a, PT_PAGES, TAG_A);
	return a;
}

/*
 * A child sharing the caller's memory since fork: it waits for a byte
 * on *cmd, then checks that its view of a is exactly as it was and
 * exits (status 1 with a message otherwise).
 */
static pid_t
start_witness(unsigned char *a, int cmd[2])
{
	pid_t pid;

	test_pipe(cmd);
	pid = test_fork();
	if (pid == 0) {
		close(cmd[1]);
		test_recv(cmd[0]);
		test_expect_eq(sys_mprotect(a, PT_SPAN, PROT_READ), 0,
		    "the child makes its view readable");
		vt_expect_pages(a, PT_PAGES, TAG_A, "the child's view");
		_exit(0);
	}
	close(cmd[0]);
	return pid;
}

static void
finish_witness(pid_t pid, int cmd[2])
{
	test_send(cmd[1]);
	test_expect_exit(pid, 0, "the child sharing the memory since fork");
	close(cmd[1]);
}

/*
 * Take every free page: a populated mapping larger than memory (the
 * populate stops when memory runs out).  Returns it, for release().
 */
static void *
exhaust(void)
{
	long r = test_mmap(0, HUGE_MEMORY, RW,
	    ANON | MAP_NORESERVE | MAP_POPULATE, -1, 0);
	struct kstat ks;

	test_expect_ok(r, "mmap and populate more than all memory");
	test_expect_eq(test_kstat(&ks), 0, "kstat");
	if (ks.ks_pages_free > 64)
		test_note("%llu pages still free after exhausting memory",
		    (unsigned long long)ks.ks_pages_free);
	return (void *)r;
}

static void
release(void *hog)
{
	test_expect_eq(munmap(hog, HUGE_MEMORY), 0, "give the memory back");
}

/*
 * The page at arg, inside a span from map_aligned_span, holds what
 * vt_fill wrote there (run in a child, so a fault is a failure).
 */
static void
check_page_child(void *arg)
{
	unsigned long p = (unsigned long)arg;

	vt_expect_page((void *)(p & ~(PT_SPAN - 1)), (p & (PT_SPAN - 1)) / P,
	    TAG_A, "the page kept");
}

/*
 * munmap of one page in the middle of a page table shared since fork,
 * with no page free for the copy the unmap needs: ENOMEM with the page
 * still there, or success with it gone; never success with the old
 * page still mapped.  With memory back it succeeds.  Then an unmap of
 * a whole shared page table, which needs no memory, succeeds even with
 * memory exhausted.  The child's view never changes.
 */
static void
t_munmap_shared_oom(void)
{
	unsigned char *a = map_aligned_span(), *hole = a + 5 * P;
	int cmd[2];
	pid_t pid = start_witness(a, cmd);
	void *hog = exhaust();
	long r = munmap(hole, P);
	int err = errno;

	release(hog);
	test_note("munmap with memory exhausted: %s",
	    r == 0 ? "done" : test_errname(err));
	if (r == 0) {
		test_expect_fault(hole, 0, "a read of the unmapped page");
	} else {
		test_expect_eq(err, ENOMEM, "munmap with no memory: errno");
		test_expect_eq(test_child_status(check_page_child, hole), 0,
		    "the page munmap refused to unmap");
		test_expect_eq(munmap(hole, P), 0, "munmap with memory back");
		test_expect_fault(hole, 0, "a read of the unmapped page");
	}
	vt_expect_page(a, 4, TAG_A, "page 4 kept");
	vt_expect_page(a, 6, TAG_A, "page 6 kept");
	test_expect_eq(
	    test_mmap((unsigned long)hole, P, RW, ANON | MAP_FIXED, -1, 0),
	    (long)hole, "map the hole again");
	test_expect_bytes(hole, P, 0, "fresh memory in the hole");
	finish_witness(pid, cmd);

	/* A whole shared page table: dropped, no memory needed. */
	a = map_aligned_span();
	pid = start_witness(a, cmd);
	hog = exhaust();
	r = munmap(a, PT_SPAN);
	err = errno;
	release(hog);
	test_assert_msg(r == 0,
	    "munmap of a whole shared page table with "
	    "memory exhausted: %s",
	    test_errname(err));
	test_expect_fault(a, 0, "a read of the first unmapped page");
	test_expect_fault(a + PT_SPAN - P, 0, "a read of the last one");
	finish_witness(pid, cmd);
}

/*
 * mmap(MAP_FIXED) over one page of memory shared since fork, with
 * memory exhausted: fresh zeros, or ENOMEM (the old contents kept, or a
 * hole); never the old contents under a successful MAP_FIXED.
 */
static void
t_fixed_shared_oom(void)
{
	unsigned char *a = map_aligned_span(), *at = a + 7 * P;
	int cmd[2];
	pid_t pid = start_witness(a, cmd);
	void *hog = exhaust();
	long r = test_mmap((unsigned long)at, P, RW, ANON | MAP_FIXED, -1, 0);
	int err = errno;

	release(hog);
	test_note("MAP_FIXED with memory exhausted: %s",
	    r == (long)at ? "done" : test_errname(err));
	if (r == (long)at) {
		test_expect_bytes(at, P, 0, "MAP_FIXED memory");
	} else {
		test_expect_eq(r, -1, "MAP_FIXED result");
		test_expect_eq(err, ENOMEM, "MAP_FIXED with no memory: errno");
	}
	vt_expect_page(a, 6, TAG_A, "page 6 kept");
	vt_expect_page(a, 8, TAG_A, "page 8 kept");
	finish_witness(pid, cmd);
}

/*
 * mprotect(PROT_READ) of a PROT_NONE page whose page table is shared
 * since fork, with memory exhausted: success with the page readable by
 * the program and by the kernel, or ENOMEM with it still PROT_NONE.
 * (A half-done change once left it unreadable, and a kernel copy from
 * it then hung the machine.)
 */
static void
t_mprotect_shared_oom(void)
{
	unsigned char *a = map_aligned_span(), *pg = a + 9 * P;
	int cmd[2], fds[2];
	pid_t pid;
	void *hog;
	long r;
	int err;

	test_expect_eq(sys_mprotect(a, PT_SPAN, PROT_NONE), 0, "all PROT_NONE");
	pid = start_witness(a, cmd);
	hog = exhaust();
	r = sys_mprotect(pg, P, PROT_READ);
	err = errno;
	release(hog);
	test_note("mprotect with memory exhausted: %s",
	    r == 0 ? "done" : test_errname(err));
	test_pipe(fds);
	if (r != 0) {
		test_expect_eq(err, ENOMEM, "mprotect with no memory: errno");
		test_expect_fault(pg, 0, "the page mprotect refused to change");
		test_expect_errno(write(fds[1], pg, 1), EFAULT,
		    "write() from the PROT_NONE page");
		test_expect_eq(sys_mprotect(pg, P, PROT_READ), 0,
		    "mprotect with memory back");
	}
	test_expect_eq(test_child_status(check_page_child, pg), 0,
	    "a read of the PROT_READ page");
	test_expect_eq(write(fds[1], pg, P), (long)P,
	    "write() from the PROT_READ page");
	test_expect_fault(pg - P, 0, "the page below is still PROT_NONE");
	test_expect_fault(pg + P, 0, "the page above is still PROT_NONE");
	finish_witness(pid, cmd);
}

/* ---------------------------------------------------------------------
 * The map-entry limit.
 */

#define SPLIT_PAGES (2 * 65536 + 16) /* more than the limit allows */

/*
 * mprotect every other page of a large mapping, so no two neighbours
 * join: each call adds two entries, until ENOMEM at the limit (Linux's
 * vm.max_map_count, 65530), then one more split fills it.  At the limit a new mapping is ENOMEM too;
 * a fork still works (it makes no new entries in the parent), and
 * everything works again after the unmap.
 */
static void
t_split_limit(void)
{
	long r = test_mmap(0, SPLIT_PAGES * P, PROT_READ, ANON | MAP_NORESERVE,
	    -1, 0);
	unsigned char *a = (unsigned char *)r;
	size_t i, done = 0;
	pid_t pid;

	test_expect_ok(r, "map the pages to split");
	for (i = 1; i < SPLIT_PAGES - 1; i += 2) {
		if (sys_mprotect(a + i * P, P, RW) != 0)
			break;
		done++;
	}
	test_assert_msg(i < SPLIT_PAGES - 1,
	    "%zu splits and no ENOMEM: the "
	    "map-entry limit is not enforced",
	    done);
	test_expect_eq(errno, ENOMEM, "mprotect past the limit: errno");
	test_assert_msg(done > 30000, "only %zu splits before ENOMEM", done);
	/*
	 * Two entries a call: one may be left below the limit (how many
	 * entries the program had before is odd or even).  Splitting the
	 * last page off takes it, if so.
	 */
	(void)sys_mprotect(a + (SPLIT_PAGES - 1) * P, P, RW);
	test_expect_errno(test_mmap(0, P, RW, ANON, -1, 0), ENOMEM,
	    "a new mapping at the limit");
	pid = test_fork();
	if (pid == 0)
		_exit(a[(i + 1) * P] == 0 ? 0 : 1);
	test_expect_exit(pid, 0, "a child forked at the limit");
	test_expect_eq(munmap(a, SPLIT_PAGES * P), 0, "unmap it all");
	test_expect_ok(test_mmap(0, P, RW, ANON, -1, 0), "a new mapping after");
}

const struct test vt_harden_tests[] = {
	{ "harden_writeonly_read", t_writeonly_read, NULL },
	{ "harden_populate_huge_none", t_populate_huge_none, NULL },
	{ "harden_populate_killed", t_populate_killed,
	    "populates more memory than the machine has" },
	{ "harden_munmap_shared_oom", t_munmap_shared_oom, "exhausts memory" },
	{ "harden_fixed_shared_oom", t_fixed_shared_oom, "exhausts memory" },
	{ "harden_mprotect_shared_oom", t_mprotect_shared_oom,
	    "exhausts memory" },
	{ "harden_split_limit", t_split_limit, NULL },
	{ NULL, NULL, NULL },
};
