/*
 * A host stand-in for kernel/vm/vm_page.c, for the kmem test.  See
 * vm_page_host.h.
 *
 * Frame VM_PAGE_HOST_BUF_PFN is the first page of host_mem, which is
 * aligned to the largest block size, so an allocated block's address is
 * as aligned as its physical address would be in the kernel.  The
 * managed segment begins a few frames in, at an odd frame number.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <types.h>
#include <param.h>
#include <systm.h>
#include <vm/vm_page.h>

#include "vm_page_host.h"

#define VM_PAGE_HOST_BUF_PFN 0x100000UL /* 4 GiB */
#define VM_PAGE_HOST_ALIGN (PAGE_SIZE << (VM_NFREEORDER - 1))

static struct vm_phys host_phys;
static struct vm_page *host_pages;
static char *host_mem;       /* frame VM_PAGE_HOST_BUF_PFN */
static uint64_t host_npages; /* managed pages */

void
vm_page_host_init(uint64_t npages)
{
	uint64_t first = VM_PAGE_HOST_FIRST_PFN;
	size_t bytes;

	KASSERT(host_mem == NULL && npages > 0);
	bytes = roundup((first - VM_PAGE_HOST_BUF_PFN + npages) * PAGE_SIZE,
	    VM_PAGE_HOST_ALIGN);
	host_mem = aligned_alloc(VM_PAGE_HOST_ALIGN, bytes);
	host_pages = malloc(npages * sizeof(struct vm_page));
	KASSERT(host_mem != NULL && host_pages != NULL);
	memset(host_mem, 0xa5, bytes);
	host_npages = npages;
	vm_phys_init(&host_phys);
	if (vm_phys_add_seg(&host_phys, first, first + npages, host_pages) != 0)
		panic("vm_page_host_init: add_seg failed");
}

void
vm_page_host_fini(void)
{
	KASSERT(host_phys.vp_free_pages == host_phys.vp_total_pages);
	free(host_mem);
	free(host_pages);
	host_mem = NULL;
	host_pages = NULL;
}

int
vm_page_host_check(void)
{
	return vm_phys_check(&host_phys);
}

struct vm_page *
vm_page_alloc_contig(unsigned order, int flags)
{
	struct vm_page *pg = vm_phys_alloc(&host_phys, order);

	if (pg != NULL)
		memset(vm_page_kva(pg), (flags & VM_ALLOC_ZERO) ? 0 : 0xa5,
		    PAGE_SIZE << order);
	return pg;
}

struct vm_page *
vm_page_alloc(int flags)
{
	return vm_page_alloc_contig(0, flags);
}

void
vm_page_free(struct vm_page *pg)
{
	KASSERT(pg != NULL);
	memset(vm_page_kva(pg), 0xdd, PAGE_SIZE << pg->pg_order);
	vm_phys_free(&host_phys, pg);
}

paddr_t
vm_page_to_phys(const struct vm_page *pg)
{
	return ptoa(vm_phys_page_to_pfn(&host_phys, pg));
}

struct vm_page *
vm_page_from_phys(paddr_t pa)
{
	return vm_phys_pfn_to_page(&host_phys, atop(pa));
}

void *
vm_page_kva(const struct vm_page *pg)
{
	return host_mem +
	    (vm_phys_page_to_pfn(&host_phys, pg) - VM_PAGE_HOST_BUF_PFN) *
	    PAGE_SIZE;
}

struct vm_page *
vm_page_from_kva(const void *va)
{
	uintptr_t a = (uintptr_t)va, base = (uintptr_t)host_mem;

	if (host_mem == NULL || a < base)
		return NULL;
	return vm_page_from_phys(ptoa(VM_PAGE_HOST_BUF_PFN) + (a - base));
}

uint64_t
vm_page_total_count(void)
{
	return host_phys.vp_total_pages;
}

uint64_t
vm_page_free_count(void)
{
	return host_phys.vp_free_pages;
}
