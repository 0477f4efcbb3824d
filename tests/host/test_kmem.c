/*
 * Host unit test of the kernel heap (kernel/vm/kmem.c) over the real
 * buddy allocator (tests/host/vm_page_host.c).
 *
 * Every allocation is filled with a pattern derived from its id and
 * checked just before it is freed, so two live objects that overlap are
 * caught.  Random sequences start from a fixed seed printed in the TAP
 * output.  Misuse (double free, bad pointers, writes after free) is
 * tried in forked children, which must die in a panic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
/*
 * <sys/wait.h> includes <signal.h>, which -Ikernel/include resolves to
 * the kernel's (Linux uapi) header, whose types clash with the C
 * library's; waitpid and the W* macros need neither, and SIGABRT is
 * the same number in both.
 */
#define _SIGNAL_H_
#include <sys/wait.h>
#undef _SIGNAL_H_
#define SIGABRT 6

#include <types.h>
#include <param.h>
#include <vm/vm_page.h>
#include <vm/kmem.h>

#include "tap.h"
#include "vm_page_host.h"

#define SEED 0x6b6d656d5eedULL
#define HOST_PAGES 4096 /* 16 MiB of "physical" memory */

/* A live allocation and what the test expects of it. */
struct obj {
	unsigned char *p;
	size_t size;
	uint32_t id;
};

static uint64_t free_at_start;
static uint64_t expect_used; /* what kmem_used should say */
static int pattern_bad, align_bad;

/* What kmem_used counts for a request of size bytes. */
static size_t
charged(size_t size)
{
	size_t c = KMEM_MIN_SMALL;

	if (size > KMEM_MAX_SMALL) {
		c = PAGE_SIZE;
		while (c < size)
			c <<= 1;
		return c;
	}
	while (c < size)
		c <<= 1;
	return c;
}

static unsigned char
pat(uint32_t id, size_t i)
{
	return (unsigned char)(id * 131 + i * 7 + (i >> 8));
}

/* Allocate, check alignment, fill with the object's pattern. */
static int
obj_alloc(struct obj *o, size_t size, uint32_t id, int flags)
{
	size_t i, align;

	o->p = kmalloc(size, flags);
	if (o->p == NULL)
		return 0;
	o->size = size;
	o->id = id;
	align = charged(size) < PAGE_SIZE ? charged(size) : PAGE_SIZE;
	if ((uintptr_t)o->p % align != 0)
		align_bad++;
	for (i = 0; i < size; i++)
		o->p[i] = pat(id, i);
	expect_used += charged(size);
	return 1;
}

/* Check the pattern, then free. */
static void
obj_free(struct obj *o)
{
	size_t i;

	for (i = 0; i < o->size; i++)
		if (o->p[i] != pat(o->id, i)) {
			pattern_bad++;
			break;
		}
	kfree(o->p);
	expect_used -= charged(o->size);
	o->p = NULL;
}

/* After everything is freed: nothing used, all pages back, valid lists. */
static void
check_clean(const char *name)
{
	uint64_t cached, freed;

	TAP_OK(kmem_used() == 0 && expect_used == 0,
	    "%s: kmem_used back to 0 (is %lu)", name,
	    (unsigned long)kmem_used());
	(void)kmem_flush_caches(); /* the CPU's cached objects, as freed */
	cached = free_at_start - vm_page_free_count();
	TAP_OK(cached <= 8, "%s: at most one cached slab per class (%lu)", name,
	    (unsigned long)cached);
	freed = kmem_reclaim();
	TAP_OK(freed == cached && vm_page_free_count() == free_at_start,
	    "%s: kmem_reclaim returns the %lu cached pages", name,
	    (unsigned long)freed);
	TAP_OK(vm_page_host_check() == 0, "%s: page allocator checks", name);
}

static void
test_simple(void)
{
	void *p, *q;
	unsigned char *z;
	size_t i;
	int ok;

	TAP_OK(kmalloc(0, 0) == NULL && kmalloc(0, KM_ZERO) == NULL,
	    "kmalloc(0) is NULL");
	kfree(NULL);
	TAP_OK(1, "kfree(NULL) is harmless");
	TAP_OK(kmem_used() == 0 && vm_page_free_count() == free_at_start,
	    "nothing used at start");

	p = kmalloc(100, 0);
	TAP_OK(p != NULL && kmem_used() == 128 &&
		vm_page_free_count() == free_at_start - 1,
	    "kmalloc(100): one 128-byte object from one new slab");
	kfree(p);
	TAP_OK(kmem_used() == 0 && vm_page_free_count() == free_at_start - 1,
	    "freeing it keeps the class's only slab cached");
	q = kmalloc(120, 0);
	TAP_OK(q == p, "the freed object is reused first");
	kfree(q);
	TAP_OK(kmem_reclaim() == 1 && vm_page_free_count() == free_at_start,
	    "kmem_reclaim frees the cached slab");

	/* KM_ZERO after the same memory held ones, small and large. */
	ok = 1;
	p = kmalloc(2048, 0);
	memset(p, 0xff, 2048);
	kfree(p);
	z = kmalloc(2000, KM_ZERO);
	for (i = 0; i < 2048; i++)
		ok &= z[i] == 0;
	kfree(z);
	z = kmalloc(3 * PAGE_SIZE, KM_ZERO); /* fresh pages hold 0xa5 */
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		ok &= z[i] == 0;
	kfree(z);
	TAP_OK(ok, "KM_ZERO zeroes small objects and large blocks");

	TAP_OK(kmalloc((size_t)-1, 0) == NULL &&
		kmalloc((PAGE_SIZE << (VM_NFREEORDER - 1)) + 1, 0) == NULL,
	    "requests beyond the largest block give NULL");
	p = kmalloc(PAGE_SIZE << (VM_NFREEORDER - 1), 0);
	TAP_OK(p != NULL && (uintptr_t)p % PAGE_SIZE == 0 &&
		kmem_used() == (PAGE_SIZE << (VM_NFREEORDER - 1)),
	    "the largest block (4 MiB) is served");
	kfree(p);
	check_clean("simple");
}

/*
 * Every size from 1 to 16384: each allocation stays live while the next
 * 63 are made, so neighbours' patterns would show an overlap.
 */
static void
test_every_size(void)
{
	enum {
		WINDOW = 64
	};
	struct obj w[WINDOW];
	size_t size, nfail = 0;
	unsigned i;

	memset(w, 0, sizeof(w));
	pattern_bad = align_bad = 0;
	for (size = 1; size <= 16384; size++) {
		i = size % WINDOW;
		if (w[i].p != NULL)
			obj_free(&w[i]);
		if (!obj_alloc(&w[i], size, (uint32_t)size, 0))
			nfail++;
	}
	TAP_OK(nfail == 0, "sizes 1..16384: every allocation succeeded");
	TAP_OK(kmem_used() == expect_used,
	    "sizes 1..16384: kmem_used agrees while live");
	for (i = 0; i < WINDOW; i++)
		if (w[i].p != NULL)
			obj_free(&w[i]);
	TAP_OK(pattern_bad == 0, "sizes 1..16384: no object overwritten");
	TAP_OK(align_bad == 0, "sizes 1..16384: every object aligned");
	check_clean("sizes 1..16384");
}

/* A random size, mostly small, sometimes up to 16 KiB. */
static size_t
random_size(void)
{
	unsigned bits = (unsigned)(rng() % 15); /* 2^0 .. 2^14 */

	return 1 + (size_t)(rng() % (1UL << bits));
}

static void
test_random(void)
{
	enum {
		NLIVE = 3000
	};
	static struct obj live[NLIVE];
	size_t n = 0, i, step, nfail = 0, used_bad = 0;
	uint32_t id = 1;

	pattern_bad = align_bad = 0;
	for (step = 0; step < 200000; step++) {
		if (n > 0 && (n == NLIVE || rng() % 100 < 48)) {
			i = rng() % n;
			obj_free(&live[i]);
			live[i] = live[--n];
		} else if (obj_alloc(&live[n], random_size(), id++,
			       rng() % 4 == 0 ? KM_ZERO : 0))
			n++;
		else
			nfail++;
		if (step % 10000 == 0) {
			if (kmem_used() != expect_used)
				used_bad++;
			if (vm_page_host_check() != 0)
				used_bad++;
		}
	}
	printf("# random: %zu live at the end, %zu failed allocations\n", n,
	    nfail);
	TAP_OK(used_bad == 0, "random: kmem_used and the page lists agree");
	while (n > 0)
		obj_free(&live[--n]);
	TAP_OK(pattern_bad == 0, "random: no object overwritten");
	TAP_OK(align_bad == 0, "random: every object aligned");
	check_clean("random");
}

/* Fill exactly one slab of 16-byte objects, then spill into a second. */
static void
test_slab_edges(void)
{
	enum {
		PER = PAGE_SIZE / 16
	};
	static struct obj o[2 * PER];
	size_t i;
	int ok = 1;

	pattern_bad = 0;
	for (i = 0; i < PER; i++)
		ok &= obj_alloc(&o[i], 16, (uint32_t)i, 0);
	TAP_OK(ok && vm_page_free_count() == free_at_start - 1,
	    "%d 16-byte objects fill one slab", PER);
	ok &= obj_alloc(&o[PER], 9, PER, 0);
	TAP_OK(ok && vm_page_free_count() == free_at_start - 2,
	    "the next one takes a second slab");
	/*
	 * Free the full slab's objects: it empties (once the CPU's cache
	 * gives them back) while another is listed.
	 */
	for (i = 0; i < PER; i++)
		obj_free(&o[i]);
	TAP_OK(vm_page_free_count() == free_at_start - 2,
	    "the CPU's cache keeps objects of the full slab");
	(void)kmem_flush_caches();
	TAP_OK(vm_page_free_count() == free_at_start - 1,
	    "an emptied slab is freed while another slab has room");
	obj_free(&o[PER]);
	(void)kmem_flush_caches();
	TAP_OK(vm_page_free_count() == free_at_start - 1,
	    "the last slab of the class stays cached");
	TAP_OK(pattern_bad == 0, "slab edges: no object overwritten");
	check_clean("slab edges");
}

/*
 * Run out of memory with small and large requests: kmalloc returns NULL
 * and everything works again after frees.
 */
static void
test_exhaustion(void)
{
	static struct obj o[HOST_PAGES * 2 + 64];
	size_t n = 0, nsmall, i;
	struct obj extra;
	int ok;

	pattern_bad = 0;
	while (n < ARRAY_SIZE(o) && obj_alloc(&o[n], 2048, (uint32_t)n, 0))
		n++;
	nsmall = n;
	TAP_OK(n == 2 * HOST_PAGES && vm_page_free_count() == 0,
	    "2048-byte objects until NULL: %zu, all of memory", n);
	TAP_OK(kmalloc(16, 0) == NULL && kmalloc(5000, 0) == NULL &&
		kmalloc(1, KM_ZERO) == NULL,
	    "every size fails when memory is out");
	TAP_OK(kmem_used() == expect_used, "exhausted: kmem_used agrees");

	/* Free every other object: pages stay in use (half-full slabs). */
	for (i = 0; i < nsmall; i += 2)
		obj_free(&o[i]);
	TAP_OK(vm_page_free_count() == 0, "half-full slabs keep their pages");
	ok = obj_alloc(&extra, 1000, 7777, 0) == 0;
	TAP_OK(ok, "a different class still fails");
	ok = obj_alloc(&o[0], 2048, 0, 0);
	TAP_OK(ok, "the freed 2048-byte objects are reused");
	obj_free(&o[0]);
	for (i = 1; i < nsmall; i += 2)
		obj_free(&o[i]);
	(void)kmem_flush_caches();
	TAP_OK(vm_page_free_count() >= HOST_PAGES - 1,
	    "all pages come back once the slabs empty");

	/* Large blocks until NULL, then free and retry. */
	n = 0;
	while (n < ARRAY_SIZE(o) &&
	    obj_alloc(&o[n], 3 * PAGE_SIZE, (uint32_t)n, 0))
		n++;
	TAP_OK(n >= HOST_PAGES / 4 - 2 && n <= HOST_PAGES / 4,
	    "four-page blocks until NULL: %zu", n);
	TAP_OK(kmalloc(3 * PAGE_SIZE, 0) == NULL, "then NULL again");
	obj_free(&o[n - 1]);
	ok = obj_alloc(&o[n - 1], 3 * PAGE_SIZE, 1234, KM_ZERO);
	TAP_OK(ok, "a freed block serves the next request");
	while (n > 0)
		obj_free(&o[--n]);
	TAP_OK(pattern_bad == 0, "exhaustion: no object overwritten");
	check_clean("exhaustion");
}

/*
 * Run fn in a child with stderr silenced; true if the child died of
 * SIGABRT (a panic), not by returning.
 */
static int
dies(void (*fn)(void))
{
	pid_t pid;
	int status, fd;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void
double_free_small(void)
{
	void *p = kmalloc(40, 0), *q = kmalloc(40, 0);

	kfree(p);
	kfree(q);
	kfree(p);
}

static void
double_free_large(void)
{
	void *p = kmalloc(10000, 0);

	kfree(p);
	kfree(p);
}

static void
free_interior(void)
{
	char *p = kmalloc(64, 0);

	kfree(p + 16);
}

static void
free_interior_large(void)
{
	char *p = kmalloc(3 * PAGE_SIZE, 0);

	kfree(p + PAGE_SIZE);
}

static void
free_foreign(void)
{
	static char not_heap[64];

	kfree(not_heap);
}

static void
write_after_free(void)
{
	uint64_t *p = kmalloc(32, 0);

	kfree(p);
	p[1] = 0; /* the free-object mark */
	p = kmalloc(32, 0);
}

/* Harmless: user data that looks like a free object is not a double free. */
static void
fake_magic(void)
{
	uint64_t *p = kmalloc(32, 0), *q = kmalloc(32, 0);

	p[0] = 0;
	p[1] = 0x6b6d656d66726565ULL;
	kfree(p);
	kfree(q);
}

static void
test_misuse(void)
{
	TAP_OK(dies(double_free_small), "double free of a small object panics");
	TAP_OK(dies(double_free_large), "double free of a large block panics");
	TAP_OK(dies(free_interior), "kfree inside a small object panics");
	TAP_OK(dies(free_interior_large), "kfree inside a large block panics");
	TAP_OK(dies(free_foreign), "kfree of a non-heap pointer panics");
	TAP_OK(dies(write_after_free),
	    "a write to a free object is caught on reuse");
	TAP_OK(!dies(fake_magic), "an object holding the free mark is freed");
}

int
main(void)
{
	rng_state = SEED;
	printf("# seed 0x%llx\n", (unsigned long long)SEED);
	vm_page_host_init(HOST_PAGES);
	free_at_start = vm_page_free_count();

	test_simple();
	test_every_size();
	test_random();
	test_slab_edges();
	test_exhaustion();
	test_misuse();

	vm_page_host_fini();
	return tap_done();
}
