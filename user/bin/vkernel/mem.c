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
 * The program's segments are regions too, mapped whole when the program
 * is loaded; so are all regions of a guest made by fork (mem_copy), whose
 * untouched pages the real kernel then gives without asking.
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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vkernel.h"

void
mem_init(struct guest *g, uint64_t image_end)
{
	g->stack = (struct area) { STACK_TOP - STACK_SIZE, STACK_TOP,
		PROT_READ | PROT_WRITE, -1, 0 };
	g->brk_start = g->brk = page_round(image_end);
	g->heap = (struct area) { g->brk_start, g->brk_start,
		PROT_READ | PROT_WRITE, -1, 0 };
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
 * guest_write writes only where the areas allow the guest to write, as
 * Linux's copyout faults on a read-only page.
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

	/* Only where the guest itself may write (vmspace_pwrite would write
	 * into read-only pages, a program's shared text among them). */
	for (uint64_t p = page_trunc(addr); n > 0 && p < addr + n;
	     p += VK_PAGE) {
		const struct area *a = area_find(g, p);

		if (a == NULL || !(a->prot & PROT_WRITE))
			return -EFAULT;
	}

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
			g->maps[g->nmaps++] = (struct area) { hi, a->end,
				a->prot, a->memfd, a->off + (hi - a->start) };
			a->end = lo;
		} else if (lo == a->start) {
			a->off += hi - a->start;
			a->start = hi;
		} else {
			a->end = lo;
		}
	}
	return 0;
}

int
guest_strcpy(struct guest *g, char *buf, uint64_t addr, size_t size)
{
	size_t done = 0;

	while (done < size) {
		/* Up to the end of the page: the string may end before an
		 * address with no memory. */
		size_t n = VK_PAGE - ((addr + done) & (VK_PAGE - 1));
		char *nul;

		if (n > size - done)
			n = size - done;
		if (guest_read(g, buf + done, addr + done, n) != 0)
			return -EFAULT;
		if ((nul = memchr(buf + done, '\0', n)) != NULL)
			return 0;
		done += n;
	}
	buf[size - 1] = '\0';
	return -ENAMETOOLONG;
}

int
maps_set(struct guest *g, uint64_t start, uint64_t end, int prot, int memfd,
    uint64_t off)
{
	if (g->nmaps + 2 > MAX_MAPS)
		return -ENOMEM; /* the worst case: a split and a new region */
	(void)maps_cut(g, start, end, 0);
	for (int i = 0; i < g->nmaps && memfd < 0; i++) {
		if (g->maps[i].end == start && g->maps[i].prot == prot &&
		    g->maps[i].memfd < 0) {
			g->maps[i].end = end;
			return 0;
		}
	}
	g->maps[g->nmaps++] = (struct area) { start, end, prot, memfd, off };
	return 0;
}

/* Whether the page at p (VK_PAGE bytes) holds only zeros. */
static int
page_zero(const char *p)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < VK_PAGE / 8; i++)
		if (w[i] != 0)
			return 0;
	return 1;
}

#define COPY_PAGES 64 /* pages per vmspace_pread */

/*
 * Copy the pages of [start, end) that from has mapped and that are not
 * all zeros into the same addresses of to, where they must be mapped.
 * Returns 0 or -ENOMEM.
 */
static int
copy_pages(struct guest *to, struct guest *from, uint64_t start, uint64_t end)
{
	char *buf = malloc(COPY_PAGES * VK_PAGE);
	uint64_t addr = start;

	if (buf == NULL)
		return -ENOMEM;
	while (addr < end) {
		uint64_t len = end - addr < COPY_PAGES * VK_PAGE ?
		    end - addr :
		    COPY_PAGES * VK_PAGE;
		ssize_t r = vmspace_pread(guest_vms(from), buf, len, 0, addr);
		uint64_t npages;

		if (r < 0)
			r = 0;
		npages = (uint64_t)r / VK_PAGE;
		for (uint64_t i = 0; i < npages; i++) {
			uint64_t j = i;

			if (page_zero(buf + i * VK_PAGE))
				continue;
			/* A run of pages that are not zero: one write. */
			while (j + 1 < npages &&
			    !page_zero(buf + (j + 1) * VK_PAGE))
				j++;
			if (vmspace_pwrite(guest_vms(to), buf + i * VK_PAGE,
				(j - i + 1) * VK_PAGE, 0, addr + i * VK_PAGE) !=
			    (ssize_t)((j - i + 1) * VK_PAGE)) {
				free(buf);
				return -ENOMEM;
			}
			i = j;
		}
		/* The page after what was read is not mapped: skip it. */
		addr += (uint64_t)r == len ? len : (npages + 1) * VK_PAGE;
	}
	free(buf);
	return 0;
}

/* Copy an area of from to to: mapped whole in to, then the pages. */
static int
copy_area(struct guest *to, struct guest *from, const struct area *a)
{
	int error;

	if (a->start >= a->end)
		return 0;
	if (a->memfd >= 0) {
		/* A program's text: the same view, nothing to copy. */
		void *p = vmspace_mmap(guest_vms(to), (void *)a->start,
		    a->end - a->start, a->prot, MAP_PRIVATE | MAP_FIXED,
		    a->memfd, (off_t)a->off);

		return p == MAP_FAILED ? -ENOMEM : 0;
	}
	if ((error = mem_map(to, a->start, a->end, a->prot)) != 0)
		return error;
	return copy_pages(to, from, a->start, a->end);
}

int
mem_copy(struct guest *child, struct guest *parent)
{
	int error;

	child->stack = parent->stack;
	child->heap = parent->heap;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	memcpy(child->maps, parent->maps, sizeof(child->maps));
	child->nmaps = parent->nmaps;
	child->mmap_next = parent->mmap_next;
	for (int i = 0; i < parent->nmaps; i++)
		if ((error = copy_area(child, parent, &parent->maps[i])) != 0)
			return error;
	if ((error = copy_area(child, parent, &parent->heap)) != 0)
		return error;
	return copy_area(child, parent, &parent->stack);
}

/*
 * Give [start, end) (page-aligned) protection prot in the vmspace,
 * keeping the contents: the mapped pages are read, the range is mapped
 * afresh with prot, and the pages that were not zeros are written back.
 * Returns 0 or -ENOMEM.
 */
static int
mem_reprotect(struct guest *g, uint64_t start, uint64_t end, int prot)
{
	char *buf = malloc(COPY_PAGES * VK_PAGE);
	char mapped[COPY_PAGES];
	int error = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (uint64_t addr = start; addr < end && error == 0;
	     addr += COPY_PAGES * VK_PAGE) {
		uint64_t len = end - addr < COPY_PAGES * VK_PAGE ?
		    end - addr :
		    COPY_PAGES * VK_PAGE;
		uint64_t npages = len / VK_PAGE;

		for (uint64_t i = 0; i < npages; i++)
			mapped[i] =
			    vmspace_pread(guest_vms(g), buf + i * VK_PAGE,
				VK_PAGE, 0,
				addr + i * VK_PAGE) == (ssize_t)VK_PAGE &&
			    !page_zero(buf + i * VK_PAGE);
		if ((error = mem_map(g, addr, addr + len, prot)) != 0)
			break;
		for (uint64_t i = 0; i < npages; i++)
			if (mapped[i] &&
			    vmspace_pwrite(guest_vms(g), buf + i * VK_PAGE,
				VK_PAGE, 0,
				addr + i * VK_PAGE) != (ssize_t)VK_PAGE)
				error = -ENOMEM;
	}
	free(buf);
	return error;
}

/*
 * Fill the region [start, start + len) (mapped) with the bytes of host fd
 * h from offset off (a private file mapping is a copy).  Bytes past the
 * end of the file stay zero.  Returns 0 or -errno.
 */
static int
mem_fill_file(struct guest *g, uint64_t start, uint64_t len, int h,
    uint64_t off)
{
	char *buf = malloc(COPY_PAGES * VK_PAGE);
	uint64_t done = 0;

	if (buf == NULL)
		return -ENOMEM;
	while (done < len) {
		uint64_t n = len - done < COPY_PAGES * VK_PAGE ?
		    len - done :
		    COPY_PAGES * VK_PAGE;
		ssize_t r = pread(h, buf, n, (off_t)(off + done));

		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		if (vmspace_pwrite(guest_vms(g), buf, (size_t)r, 0,
			start + done) != r) {
			free(buf);
			return -ENOMEM;
		}
		done += (uint64_t)r;
	}
	free(buf);
	return 0;
}

/*
 * mmap: anonymous memory, or a private copy of a file (MAP_PRIVATE, or
 * MAP_SHARED without PROT_WRITE, which cannot be told apart from it; a
 * writable shared file mapping is ENODEV: the vkernel cannot write it
 * back).  Without MAP_FIXED a region is placed at mmap_next, which only
 * grows (addresses are never reused: the zone is a terabyte).  With
 * MAP_FIXED it goes exactly at addr, replacing whatever was there (pages
 * of other regions, of the heap or the stack, or of the program itself)
 * with fresh memory.  Anonymous memory is given page by page as it is
 * touched; a file's is mapped and filled at once.
 */
long
mem_mmap(struct guest *g, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, uint64_t off)
{
	uint64_t start;
	int h = -1, error, type = flags & (MAP_SHARED | MAP_PRIVATE);

	if (len == 0 || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((h = fd_host(g, fd)) < 0)
			return -EBADF;
		if ((off & (VK_PAGE - 1)) != 0)
			return -EINVAL;
		if (type == MAP_SHARED && (prot & PROT_WRITE))
			return -ENODEV;
	}
	if (len > MMAP_END - MMAP_BASE)
		return -ENOMEM;
	len = page_round(len);
	if (g->nmaps + 2 > MAX_MAPS)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
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
	if ((error = maps_set(g, start, start + len, prot, -1, 0)) != 0)
		return error;
	if (h >= 0) {
		if ((error = mem_map(g, start, start + len, prot)) != 0 ||
		    (error = mem_fill_file(g, start, len, h, off)) != 0) {
			(void)mem_munmap(g, start, len);
			return error;
		}
	}
	return (long)start;
}

/*
 * munmap: remove a range from the mmap regions.  Parts of the range that
 * are not regions (the heap, the stack) are left alone.
 */
long
mem_munmap(struct guest *g, uint64_t addr, uint64_t len)
{
	uint64_t end = page_round(addr + len);

	if ((addr & (VK_PAGE - 1)) != 0 || len == 0 || end <= addr)
		return -EINVAL;
	return maps_cut(g, addr, end, 1);
}

/*
 * mprotect: the range must be covered by regions, the heap and the stack
 * (else ENOMEM, as Linux).  The regions' parts in it get prot: in the
 * layout, and in the vmspace for the pages already there (mem_reprotect).
 * The heap and the stack keep read and write: another protection there
 * is EINVAL (not supported).
 */
long
mem_mprotect(struct guest *g, uint64_t addr, uint64_t len, int prot)
{
	uint64_t end = page_round(addr + len), cur;
	int error;

	if ((addr & (VK_PAGE - 1)) != 0 || end < addr ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
		return -EINVAL;
	for (cur = addr; cur < end;) {
		const struct area *a = area_find(g, cur);

		if (a == NULL)
			return -ENOMEM;
		if ((a == &g->heap || a == &g->stack) && prot != a->prot)
			return -EINVAL;
		cur = a->end;
	}
	for (cur = addr; cur < end;) {
		const struct area *a = area_find(g, cur);
		uint64_t hi = a->end < end ? a->end : end;

		if (a != &g->heap && a != &g->stack && a->prot != prot) {
			if ((error = maps_set(g, cur, hi, prot, -1, 0)) != 0 ||
			    (error = mem_reprotect(g, cur, hi, prot)) != 0)
				return error;
		}
		cur = hi;
	}
	return 0;
}

/*
 * madvise: MADV_DONTNEED and MADV_FREE discard the pages (they read back
 * as zeros), with the vmspace's own advice; the others are hints and
 * change nothing.
 */
long
mem_madvise(struct guest *g, uint64_t addr, uint64_t len, int advice)
{
	if ((addr & (VK_PAGE - 1)) != 0 || addr + len < addr)
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		/* (A range with holes discards what is there.) */
		if (len > 0)
			(void)vmspace_mcontrol(guest_vms(g), (void *)addr, len,
			    MADV_DONTNEED, 0);
		return 0;
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		return 0;
	default:
		return -EINVAL;
	}
}
