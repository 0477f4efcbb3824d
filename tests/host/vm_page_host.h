/*
 * The host stand-in for kernel/vm/vm_page.c (tests/host/vm_page_host.c):
 * "physical memory" is one aligned buffer, managed by a real vm_phys, so
 * kernel code above the page allocator (kmem.c) runs unchanged under
 * ASan.  panic() and the spinlock stand-ins come from hostcompat.c.
 */
#ifndef _VM_PAGE_HOST_H_
#define _VM_PAGE_HOST_H_

#include <types.h>

/*
 * Create npages of managed memory starting at an odd frame above 4 GiB
 * (VM_PAGE_HOST_FIRST_PFN).  Fresh pages hold junk (0xa5) unless zeroing
 * is asked for; freed pages are filled with 0xdd.  Call once before any
 * allocation.
 */
#define VM_PAGE_HOST_FIRST_PFN 0x100003UL
void vm_page_host_init(uint64_t npages);

/* Release the buffer.  Every page must be free. */
void vm_page_host_fini(void);

/* vm_phys_check on the allocator: 0 if every invariant holds. */
int vm_page_host_check(void);

#endif /* !_VM_PAGE_HOST_H_ */
