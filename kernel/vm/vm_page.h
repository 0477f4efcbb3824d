/*
 * Physical pages for the rest of the kernel: the one vm_phys allocator,
 * under a spinlock, with every page reachable through the direct map.
 */
#ifndef _VM_PAGE_H_
#define _VM_PAGE_H_

#include <types.h>
#include <vm/vm_phys.h>

struct bootinfo;

#define VM_ALLOC_ZERO 0x1 /* fill the pages with zeros */

/*
 * Hand every usable page in bi->bi_usable to the allocator, after
 * taking the vm_page arrays themselves out of that memory.  Called once
 * on the boot CPU, after the direct map exists.
 */
void vm_page_startup(const struct bootinfo *bi);

/*
 * One page, or NULL when memory is exhausted.  The page comes back with
 * no flags, pg_refcnt 0 and pg_order 0.  Never called with vm_page_lock
 * held (it is a leaf lock).  No requirements.
 */
struct vm_page *vm_page_alloc(int flags);

/* 2^order physically contiguous pages, or NULL.  No requirements. */
struct vm_page *vm_page_alloc_contig(unsigned order, int flags);

/*
 * Free what vm_page_alloc or vm_page_alloc_contig returned: 2^pg->pg_order
 * pages, so pg_order must still be the allocated order.  The page's flags
 * are dropped.  No requirements.
 */
void vm_page_free(struct vm_page *pg);

/*
 * Translations.  The segment table is fixed after vm_page_startup, so
 * these take no lock.  No requirements.
 */
/* Free a page whose contents are all zeros (an emptied page table). */
void vm_page_free_zeroed(struct vm_page *pg);

paddr_t vm_page_to_phys(const struct vm_page *pg);
struct vm_page *vm_page_from_phys(paddr_t pa);    /* NULL if not managed */
void *vm_page_kva(const struct vm_page *pg);      /* its direct-map address */
struct vm_page *vm_page_from_kva(const void *va); /* NULL if not managed */

/*
 * vm_page_from_phys for each of pa[0..n), into pgs[0..n): the segment of
 * the previous address is tried first, so a run of pages from one
 * segment costs no segment lookups after the first.  No requirements.
 */
void vm_page_from_phys_run(const paddr_t *pa, unsigned n, struct vm_page **pgs);

/*
 * Put n pages on list (linked through pg_list): all of them, or none
 * and -ENOMEM.  vm_page_free_list frees every page on a list.  No
 * requirements.
 */
int vm_page_alloc_list(struct vm_pglist *list, unsigned n);
void vm_page_free_list(struct vm_pglist *list);

/* Managed and currently free pages, for kstat.  No requirements. */
uint64_t vm_page_total_count(void);
uint64_t vm_page_free_count(void);

#endif /* !_VM_PAGE_H_ */
