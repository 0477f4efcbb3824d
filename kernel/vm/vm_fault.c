/*
 * The page fault handler (vm_fault.h): demand-zero pages, copy-on-write,
 * and the pages of memory objects, for user faults, user copies and the
 * vmspace service.  It reports a fault resolved only when the access that
 * faulted will now succeed (vm_fault asserts it), so a retried access
 * never faults again for the same reason.
 */
#include <systm.h>
#include <errno.h>
#include <vm/vm_fault.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/addrspace.h>

/*
 * The protection to map a page of an entry with prot while it must not
 * be writable yet (a private page that may be shared copy-on-write, or
 * an object's page read through a private mapping): prot less write
 * access.  x86 has no writable-but-unreadable page, so a write-only
 * entry's page is mapped readable, as on Linux, never PROT_NONE (which
 * would fault for ever).  No requirements.
 */
vm_prot_t
vm_prot_nowrite(vm_prot_t prot)
{
	if (prot == VM_PROT_NONE)
		return VM_PROT_NONE;
	return (prot & ~VM_PROT_WRITE) | VM_PROT_READ;
}

/*
 * Can an entry with prot satisfy access?  x86 pages are always readable.
 * No requirements.
 */
bool
vm_prot_allows(vm_prot_t prot, vm_prot_t access)
{
	if (prot != VM_PROT_NONE)
		prot |= VM_PROT_READ;
	return (access & ~prot) == 0;
}

/*
 * The page of e's object that va falls in, in *pgp with a reference for
 * the caller (see vm_object_getpage); past the object's end, or past
 * the object's page limit (a full tmpfs), is -EIO: SIGBUS, as Linux.  e
 * is an entry of vm.  The caller must hold vm->vm_lock, which keeps e.
 */
static int
vm_entry_objpage(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    struct vm_page **pgp)
{
	uint64_t idx;
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	idx = (e->e_offset + (va - e->e_start)) / PAGE_SIZE;
	error = vm_object_getpage(e->e_object, idx, pgp);
	return error == -EFAULT || error == -ENOSPC ? -EIO : error;
}

/*
 * A private copy of the page at pa, with one reference (the caller's,
 * which it hands to a mapping), or NULL.  No requirements.
 */
static struct vm_page *
vm_page_copy(paddr_t pa)
{
	struct vm_page *pg = vm_page_alloc(0);

	if (pg == NULL)
		return NULL;
	memcpy(vm_page_kva(pg), PHYS_TO_DMAP(pa), PAGE_SIZE);
	pg->pg_refcnt = 1;
	return pg;
}

/*
 * Whether a page mapped with prot lets access through (x86: a present
 * page is readable).  What a resolved fault must leave behind.  No
 * requirements.
 */
static bool
vm_prot_grants(vm_prot_t prot, vm_prot_t access)
{
	return prot != VM_PROT_NONE && (access & ~(prot | VM_PROT_READ)) == 0;
}

/*
 * (Re)map the page at pa at va with prot, for a fault needing access
 * (0 for vm_write's forced access, which needs only the page): the
 * protection must grant the access, so a retried access cannot fault
 * again for the same reason.  0 or -ENOMEM.  The caller must hold
 * vm->vm_lock.
 */
static int
vm_map_pa(struct vmspace *vm, vaddr_t va, paddr_t pa, vm_prot_t prot,
    vm_prot_t access)
{
	KASSERT(spin_held(&vm->vm_lock));
	KASSERT(access == 0 || vm_prot_grants(prot, access));
	return pmap_enter(&vm->vm_pmap, va, pa, prot, 0);
}

/*
 * Map pg (whose reference passes to the mapping) at va with prot, as
 * vm_map_pa, and set *pap to its address.  Returns 0, or -ENOMEM with
 * the reference dropped.  The caller must hold vm->vm_lock.
 */
static int
vm_enter(struct vmspace *vm, vaddr_t va, struct vm_page *pg, vm_prot_t prot,
    vm_prot_t access, paddr_t *pap)
{
	KASSERT(spin_held(&vm->vm_lock));
	*pap = vm_page_to_phys(pg);
	if (vm_map_pa(vm, va, *pap, prot, access) != 0) {
		vm_page_unref(pg);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Make the page at va (inside e) resident with what access needs, and
 * set *pap to it.  force (vm_write) ignores the entry's protection and
 * only guarantees a private, writable-through-the-direct-map page: the
 * mapping's protection is left as the entry has it.  Returns 0, -EIO
 * (past the end of a file or memfd), -EACCES (force on a shared mapping
 * that may never be written, VM_ENTRY_NOWRITE) or -ENOMEM.  The caller
 * must hold vm->vm_lock.
 */
int
vm_fault_locked(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    vm_prot_t access, bool force, paddr_t *pap)
{
	struct pmap *pm = &vm->vm_pmap;
	bool write = (access & VM_PROT_WRITE) != 0;
	vm_prot_t need = force ? 0 : access, mapprot;
	struct vm_page *pg, *opg;
	paddr_t pa;
	bool pt_own;
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	if (write && (e->e_flags & VM_ENTRY_NOWRITE))
		return -EACCES;
	va = rounddown2(va, PAGE_SIZE);
	if (pmap_extract_own(pm, va, &pa, &pt_own)) {
		*pap = pa;
		if (!write) {
			/*
			 * A read or fetch of a resident page: spurious, or the
			 * entry grants more than the page was mapped with.
			 */
			if (pmap_allows(pm, va, access))
				return 0;
			mapprot = e->e_flags & VM_ENTRY_SHARED ?
			    e->e_prot :
			    vm_prot_nowrite(e->e_prot);
			return vm_map_pa(vm, va, pa, mapprot, need);
		}
		/* Decide on copy-on-write in a page table of our own. */
		if (!pt_own && (error = pmap_unshare(pm, va)) != 0)
			return error;
		/*
		 * The object's page of a shared entry, or a private page that
		 * is ours alone: writable in place where the entry allows.
		 */
		pg = vm_page_from_phys(pa);
		if (vm_page_writable_in_place(e, pg))
			return force ? 0 :
				       vm_map_pa(vm, va, pa, e->e_prot, need);
		/* A private page still shared: copy it. */
		opg = pg;
		pg = vm_page_copy(pa);
		if (pg == NULL)
			return -ENOMEM;
		error = vm_enter(vm, va, pg, e->e_prot, need, pap);
		if (error == 0)
			vm_page_unref(opg); /* the old mapping's reference */
		return error;
	}

	if (e->e_object == NULL) {
		/* Anonymous private memory: a zero page of our own. */
		pg = vm_page_alloc(VM_ALLOC_ZERO);
		if (pg == NULL)
			return -ENOMEM;
		pg->pg_refcnt = 1;
		return vm_enter(vm, va, pg, e->e_prot, need, pap);
	}
	error = vm_entry_objpage(vm, e, va, &opg);
	if (error != 0)
		return error;
	if (e->e_flags & VM_ENTRY_SHARED)
		return vm_enter(vm, va, opg, e->e_prot, need, pap);
	/* A private view of a file or memfd: read its page, write a copy. */
	if (!write)
		return vm_enter(vm, va, opg, vm_prot_nowrite(e->e_prot), need,
		    pap);
	pg = vm_page_copy(vm_page_to_phys(opg));
	vm_page_unref(opg);
	if (pg == NULL)
		return -ENOMEM;
	return vm_enter(vm, va, pg, e->e_prot, need, pap);
}

int
vm_fault(struct vmspace *vm, vaddr_t va, vm_prot_t access)
{
	struct vm_map_entry *e;
	paddr_t pa;
	int error;

	if (va >= VM_MAX_USER_ADDRESS)
		return -EFAULT;
	spin_lock(&vm->vm_lock);
	e = vm_map_lookup(&vm->vm_map, va);
	if (e == NULL)
		error = -EFAULT;
	else if (!vm_prot_allows(e->e_prot, access))
		error = -EACCES;
	else
		error = vm_fault_locked(vm, e, va, access, false, &pa);
	spin_unlock(&vm->vm_lock);
	return error;
}
