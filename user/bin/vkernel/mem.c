/*
 * Guest memory: lazy allocation from page faults, and the brk, mmap and
 * munmap system calls.
 *
 * A guest's memory is described by areas (vkernel.h): the stack, the
 * heap and the mmap regions.  An area is a promise, not memory: its pages
 * are mapped in the guest's vmspace one at a time, when the guest first
 * touches them (mem_fault) or when the vkernel copies to or from them on
 * the guest's behalf (guest_read, guest_write).  An address outside every
 * area and outside the program's segments has no memory: touching it is
 * a segmentation fault.  The mmap regions are searched first: a region
 * placed with MAP_FIXED over the heap or the stack wins there (musl's
 * malloc lays a PROT_NONE guard page at the start of the heap).
 *
 * Two facts of the vmspace calls shape this file:
 *   - vmspace_pread of one byte tells whether a page is mapped (it
 *     returns 0 at an unmapped byte, and does not allocate the page);
 *   - vmspace_munmap refuses a range with a hole in it, and the pages of
 *     an area are mapped only here and there.  To free a range we first
 *     map all of it afresh with MAP_FIXED (which replaces what was there,
 *     contents included), and then unmap the now hole-free range.
 */
#include <errno.h>
#include <sys/mman.h>

#include "vkernel.h"

/* x86 page fault error code bits (tf_err on T_PAGEFLT). */

void
mem_init(struct guest *g, uint64_t image_end)
{
	g->stack = (struct area) { STACK_TOP - STACK_SIZE, STACK_TOP,
		PROT_READ | PROT_WRITE };
	g->brk_start = g->brk = page_round(image_end);
	g->heap = (struct area) { g->brk_start, g->brk_start,
		PROT_READ | PROT_WRITE };
	g->nmaps = 0;
	g->mmap_next = MMAP_BASE;
}

/* The area holding addr, or NULL. */
static const struct area *
area_find(const struct guest *g, uint64_t addr)
{
	for (int i = 0; i < g->nmaps; i++)
		if (addr >= g->maps[i].start && addr < g->maps[i].end)
			return &g->maps[i];
	if (addr >= g->stack.start && addr < g->stack.end)
		return &g->stack;
	if (addr >= g->heap.start && addr < g->heap.end)
		return &g->heap;
	return NULL;
}

/* Whether the page holding addr is mapped in the guest's vmspace. */
static int
page_mapped(struct guest *g, uint64_t addr)
{
	char c;

	return vmspace_pread(guest_vms(g), &c, 1, 0, page_trunc(addr)) == 1;
}

int
mem_map(struct guest *g, uint64_t start, uint64_t end, int prot)
{
	void *p = vmspace_mmap(guest_vms(g), (void *)start, end - start, prot,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* Free every page of [start, end) (page-aligned), mapped or not.
 * Returns 0 or -errno. */
static int
mem_release(struct guest *g, uint64_t start, uint64_t end)
{
	int error;

	if (start >= end)
		return 0;
	/* Fill the holes, so that vmspace_munmap accepts the range. */
	error = mem_map(g, start, end, PROT_NONE);
	if (error == 0 &&
	    vmspace_munmap(guest_vms(g), (void *)start, end - start) != 0)
		error = -errno;
	return error;
}

/*
 * Give the page holding addr its memory, for an access of kind want
 * (PROT_READ, PROT_WRITE or PROT_EXEC).  Returns 0 when the page is now
 * mapped; -EFAULT when addr is in no area or the area's protection
 * forbids the access; -ENOMEM when the page was mapped already (the real
 * kernel found no free page for it) or cannot be mapped.
 */
static int
page_in(struct guest *g, uint64_t addr, int want)
{
	const struct area *a = area_find(g, addr);
	uint64_t page = page_trunc(addr);

	if (a == NULL || (a->prot & want) != want || a->prot == PROT_NONE)
		return -EFAULT;
	if (page_mapped(g, page))
		return -ENOMEM;
	return mem_map(g, page, page + VK_PAGE, a->prot);
}

int
mem_fault(struct guest *g, uint64_t addr, uint64_t err)
{
	int want = err & PGEX_I ? PROT_EXEC :
	    err & PGEX_W        ? PROT_WRITE :
				  PROT_READ;

	/* A present page that forbids the access: only the guest is wrong. */
	if (err & PGEX_P)
		return -EFAULT;
	/* Not present: either nothing is mapped there (ours to decide), or
	 * the mapping forbids the access, or the real kernel had no page. */
	return page_in(g, addr, want);
}

/*
 * The vkernel's copyin and copyout.  vmspace_pread/pwrite stop at the
 * first unmapped byte; if it lies in an area, map its page and go on.
 * Like vmspace_pwrite, guest_write ignores the protection of pages that
 * are mapped already (the program's read-only segments): a guest can only
 * hurt itself that way.
 */
int
guest_read(struct guest *g, void *buf, uint64_t addr, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = vmspace_pread(guest_vms(g), (char *)buf + done,
		    n - done, 0, addr + done);

		if (r < 0)
			return -EFAULT; /* addr + n wraps */
		done += (size_t)r;
		if (done < n && page_in(g, addr + done, PROT_READ) != 0)
			return -EFAULT;
	}
	return 0;
}

int
guest_write(struct guest *g, uint64_t addr, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = vmspace_pwrite(guest_vms(g),
		    (const char *)buf + done, n - done, 0, addr + done);

		if (r < 0)
			return -EFAULT;
		done += (size_t)r;
		if (done < n && page_in(g, addr + done, PROT_WRITE) != 0)
			return -EFAULT;
	}
	return 0;
}

/*
 * brk(want): move the program break within [brk_start, brk_start +
 * HEAP_MAX] and return the new break; any other request (brk(0) asks)
 * returns the break unchanged, as Linux does.  Growing costs nothing now;
 * shrinking frees the pages given up, so that growing again finds zeros.
 */
uint64_t
mem_brk(struct guest *g, uint64_t want)
{
	uint64_t end = page_round(want);

	if (want < g->brk_start || want > g->brk_start + HEAP_MAX)
		return g->brk;
	if (end < g->heap.end && mem_release(g, end, g->heap.end) != 0)
		return g->brk;
	g->heap.end = end;
	g->brk = want;
	return want;
}

/*
 * Remove [start, end) from the mmap regions, freeing the pages of the
 * parts removed if release is set.  Returns 0, or -ENOMEM (nothing
 * changed) when a region would be split in two and there is no room for
 * the second half.
 */
static int
maps_cut(struct guest *g, uint64_t start, uint64_t end, int release)
{
	for (int i = 0; i < g->nmaps; i++) {
		struct area *a = &g->maps[i];
		uint64_t lo = start > a->start ? start : a->start;
		uint64_t hi = end < a->end ? end : a->end;

		if (lo >= hi)
			continue; /* no overlap */
		if (lo > a->start && hi < a->end && g->nmaps == MAX_MAPS)
			return -ENOMEM; /* (a split overlaps nothing else) */
		if (release)
			(void)mem_release(g, lo, hi);
		if (lo == a->start && hi == a->end) {
			*a = g->maps[--g->nmaps]; /* all of it: remove */
			i--;
		} else if (lo > a->start && hi < a->end) {
			/* The middle: keep the head here, the tail at the end. */
			g->maps[g->nmaps++] =
			    (struct area) { hi, a->end, a->prot };
			a->end = lo;
		} else if (lo == a->start) {
			a->start = hi;
		} else {
			a->end = lo;
		}
	}
	return 0;
}

/*
 * mmap: anonymous memory only.  Without MAP_FIXED a region is placed at
 * mmap_next, which only grows (addresses are never reused: the zone is a
 * terabyte).  With MAP_FIXED it goes exactly at addr, replacing whatever
 * was there (pages of other regions, of the heap or the stack, or of the
 * program itself) with fresh memory.  The region gets memory page by page
 * as it is touched.  Regions placed end to end with the same protection
 * merge, to save slots.
 */
long
mem_mmap(struct guest *g, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, uint64_t off)
{
	uint64_t start;

	(void)fd;
	(void)off;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* no file of a guest can be mapped */
	if (len == 0 || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
		return -EINVAL;
	if (len > MMAP_END - MMAP_BASE)
		return -ENOMEM;
	len = page_round(len);
	if (g->nmaps + 2 > MAX_MAPS)
		return -ENOMEM; /* the worst case: a split and a new region */
	if (flags & MAP_FIXED) {
		if ((addr & (VK_PAGE - 1)) != 0 || addr < VM_MIN_USER_ADDRESS ||
		    addr > VM_MAX_USER_ADDRESS - len)
			return -EINVAL;
		(void)maps_cut(g, addr, addr + len, 0); /* room checked above */
		if (mem_release(g, addr, addr + len) != 0)
			return -ENOMEM;
		start = addr;
		if (start >= MMAP_BASE && start + len <= MMAP_END &&
		    start + len > g->mmap_next)
			g->mmap_next = start + len;
	} else {
		if (len > MMAP_END - g->mmap_next)
			return -ENOMEM;
		start = g->mmap_next;
		g->mmap_next += len;
	}
	for (int i = 0; i < g->nmaps; i++) {
		if (g->maps[i].end == start && g->maps[i].prot == prot) {
			g->maps[i].end = start + len;
			return (long)start;
		}
	}
	g->maps[g->nmaps++] = (struct area) { start, start + len, prot };
	return (long)start;
}

/*
 * munmap: remove a range from the mmap regions.  Parts of the range that
 * are not mmap regions (the program, the heap, the stack) are left alone.
 */
long
mem_munmap(struct guest *g, uint64_t addr, uint64_t len)
{
	uint64_t end = page_round(addr + len);

	if ((addr & (VK_PAGE - 1)) != 0 || len == 0 || end <= addr)
		return -EINVAL;
	return maps_cut(g, addr, end, 1);
}
