/*
 * Address spaces: a reference-counted vmspace holding a sorted list of
 * map entries over a pmap.
 *
 * This is the first version: anonymous memory only, pages allocated on
 * first touch (demand-zero) and tracked by the pmap itself, and fork
 * copying every resident private page at once and sharing the pages of
 * MAP_SHARED entries (pg_refcnt counts the mappings of a user page).  The VM issue replaces the list
 * with a balanced tree, adds backing objects with copy-on-write, and
 * memfd.  The interface below is what the rest of the kernel uses.
 *
 * Locking: vm_lock guards the entry list, the break and the pmap's
 * contents as the map sees them.  It is a spinlock: nothing here sleeps.
 */
#ifndef _VM_VMSPACE_H_
#define _VM_VMSPACE_H_

#include <types.h>
#include <spinlock.h>
#include <bsd/sys/queue.h>
#include <arch/pmap.h>
#include <vm/vm.h>

/* e_flags */
#define VM_ENTRY_HEAP 0x1  /* the brk area */
#define VM_ENTRY_STACK 0x2 /* the initial stack */
#define VM_ENTRY_SHARED 0x4 /* MAP_SHARED: fork shares the pages */

struct vm_map_entry {
	TAILQ_ENTRY(vm_map_entry) e_link;
	vaddr_t e_start;
	vaddr_t e_end;   /* exclusive */
	vm_prot_t e_prot;
	int e_flags;
};

struct vmspace {
	struct spinlock vm_lock;
	int vm_refcnt;                 /* atomic */
	TAILQ_HEAD(vm_entry_list, vm_map_entry) vm_entries; /* sorted, disjoint */
	unsigned vm_nentries;
	vaddr_t vm_brk_start;          /* the heap starts here ... */
	vaddr_t vm_brk;                /* ... and ends here */
	struct pmap vm_pmap;
};

#define USTACK_TOP VM_MAX_USER_ADDRESS
#define USTACK_SIZE (8UL << 20)
#define MMAP_TOP (USTACK_TOP - USTACK_SIZE - (1UL << 30))
#define VM_MAX_ENTRIES 65536

/* A new empty address space with one reference, or NULL. */
struct vmspace *vmspace_alloc(void);
void vmspace_ref(struct vmspace *vm);
/* Drop a reference; the last one frees every page and page table. */
void vmspace_rel(struct vmspace *vm);
/* Load vm's page tables on this CPU. */
void vmspace_activate(struct vmspace *vm);
/* Live vmspaces, for kstat. */
uint64_t vmspace_count(void);

/*
 * Map [start, end) (page-aligned, inside the user range) with prot.
 * Returns 0, -EEXIST if anything is mapped there, or -ENOMEM.
 */
int vm_map_insert(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t prot, int flags);

/* Unmap [start, end) and free its pages; holes are fine.  0 or -ENOMEM. */
int vm_map_remove(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Set the protection of [start, end).  -ENOMEM if part of the range is
 * unmapped (Linux), and nothing is changed then.
 */
int vm_map_protect(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t prot);

/*
 * True if entries allowing access cover all of [start, end) (an empty
 * range is fine).
 */
bool vm_map_check_prot(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t access);

/* True if entries cover all of [start, end). */
bool vm_map_check_range(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Free the private pages of [start, end) so they read back as zeros
 * (shared pages are kept).  0, or -ENOMEM if part is unmapped.
 */
int vm_map_dontneed(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Find len bytes of unmapped space, preferring hint if it is free, else
 * the highest free range below MMAP_TOP.  Returns 0 and *addr, or -ENOMEM.
 */
int vm_map_findspace(struct vmspace *vm, vaddr_t hint, vsize_t len,
    vaddr_t *addr);

/* True if [start, end) overlaps no entry. */
bool vm_map_is_free(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Resolve a fault at va needing access (VM_PROT_READ/WRITE/EXECUTE).
 * Returns 0 when the access can be retried, -EFAULT when va is outside
 * every entry or the entry forbids the access, -ENOMEM when no page is
 * free.  No locks held.
 */
int vm_fault(struct vmspace *vm, vaddr_t va, vm_prot_t access);

/* A copy of every entry and resident page of vm, or NULL (no memory). */
struct vmspace *vmspace_fork(struct vmspace *vm);

/*
 * Write len bytes of buf into vm at va whatever the protection, making
 * pages as needed (the ELF loader and exec's stack).  0, -EFAULT when
 * part of the range is unmapped, -ENOMEM.
 */
int vm_write(struct vmspace *vm, vaddr_t va, const void *buf, size_t len);

#endif /* !_VM_VMSPACE_H_ */
