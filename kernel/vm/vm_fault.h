/*
 * The page fault handler (vm_fault.c): what a fault at a user address
 * of an address space resolves to, for the trap handler, the user-copy
 * retry and the rest of the VM.
 */
#ifndef _VM_VM_FAULT_H_
#define _VM_VM_FAULT_H_

#include <types.h>
#include <vm/vm.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>

struct vmspace;
struct vm_map_entry;

/*
 * Resolve a fault at va needing access (VM_PROT_READ/WRITE/EXECUTE):
 * demand-zero, copy-on-write, or a memfd's page.  Returns 0 only when
 * the access will now succeed (asserted); -EFAULT when va is outside
 * every entry, -EACCES when its entry forbids the access (SEGV_MAPERR
 * and SEGV_ACCERR); -EIO when va lies past
 * the end of the memfd behind it (SIGBUS); -ENOMEM when no page is free.
 * No locks held.
 */
int vm_fault(struct vmspace *vm, vaddr_t va, vm_prot_t access);

/*
 * vm_fault for the page at va inside entry e, setting *pap to the page.
 * force (vm_write, vmspace_pwrite) ignores the entry's protection and
 * only guarantees a private page that is writable through the direct
 * map; the mapping keeps the entry's protection.  Returns 0, -EIO or
 * -ENOMEM.  The caller holds vm->vm_lock.
 */
int vm_fault_locked(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    vm_prot_t access, bool force, paddr_t *pap);

/*
 * True if pg, resident at a page of entry e in a page table its space
 * owns (not one shared copy-on-write since fork), may be written in
 * place: it is the object's page of a shared entry, or a private page no
 * other space maps.  Otherwise a write copies it first.  The test
 * vm_fault_locked makes, and vmspace_xfer's batches with it.  The caller
 * holds the space's vm_lock.
 */
static inline bool
vm_page_writable_in_place(const struct vm_map_entry *e, struct vm_page *pg)
{
	return (e->e_flags & VM_ENTRY_SHARED) != 0 ||
	    __atomic_load_n(&pg->pg_refcnt, __ATOMIC_ACQUIRE) == 1;
}

/*
 * Whether an entry with protection prot allows access (on x86 any
 * access implies read).  No requirements.
 */
bool vm_prot_allows(vm_prot_t prot, vm_prot_t access);

/*
 * prot less write access, for a page that must fault on its first
 * write; a write-only prot maps readable (x86 has no unreadable present
 * page).  No requirements.
 */
vm_prot_t vm_prot_nowrite(vm_prot_t prot);

#endif /* !_VM_VM_FAULT_H_ */
