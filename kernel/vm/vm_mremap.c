/*
 * mremap(2), with Linux's arguments, flags and errors (Linux 6.1's order
 * of checks): shrink a mapping, grow it in place when the space after it
 * is free, or move it (MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP).
 *
 * A move never copies data: each page the old range maps is entered at
 * its new address in the page tables (one more reference to the page,
 * for the new mapping), then the old range is unmapped (one fewer), so a
 * realloc of a large block costs a page-table walk per resident page.
 * A private page moves without write access: it may be shared
 * copy-on-write since fork (a page table still shared says nothing in
 * its own entry), and the first write decides as for any private page
 * (vm_fault: a page only this mapping holds is made writable in place,
 * without a copy).  Shared pages keep the entry's protection.
 *
 * The old range must lie inside one map entry (Linux's "one VMA": EFAULT
 * otherwise); the new mapping has the entry's protection, flags and
 * object, at the matching offset.  The brk area and the initial stack
 * lose their role in the moved copy (the heap keeps its own entry).
 *
 * Failure changes nothing but what Linux also leaves done (the unmapping
 * of the target of MREMAP_FIXED, the unmapped tail of a shrink): the map
 * entry of the new range is made alone (vm_map_insert_alone), so it can
 * be taken back out exactly, and the old range is clipped before any
 * page moves, so its removal cannot fail.
 *
 * Locking: the whole change of the map and the pmap is one vm_lock
 * section (addrspace.h); nothing sleeps, and no user memory is touched.
 */
#include <systm.h>
#include <errno.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <vm/addrspace.h>
#include <vm/vm_fault.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

#include <linux/mman.h> /* MREMAP_* */

/*
 * pmap_remove_pages callback: a mapping of the user page at pa goes, and
 * its reference with it.  Runs under the pmap's pm_lock, so it only
 * drops the reference.  No requirements.
 */
static void
mremap_release_pa(paddr_t pa)
{
	vm_page_unref(vm_page_from_phys(pa));
}

/*
 * Unmap [start, end) of vm as munmap does (holes are fine); a range
 * outside the user space is EINVAL, as Linux's do_munmap.  No locks
 * held.
 */
static int
mremap_unmap(struct vmspace *vm, vaddr_t start, vaddr_t len)
{
	if (len == 0)
		return 0;
	if (start >= VM_MAX_USER_ADDRESS || len > VM_MAX_USER_ADDRESS - start)
		return -EINVAL;
	return vmspace_remove(vm, start, start + len);
}

/*
 * The entry holding all of [addr, addr + old_len) (old_len may be 0):
 * 0 and *ep, or -EFAULT (unmapped, or across entries) or -EINVAL (a
 * zero old_len on a private mapping, which Linux refuses).  The caller
 * holds vm->vm_lock.
 */
static int
mremap_entry_locked(struct vmspace *vm, vaddr_t addr, vsize_t old_len,
    struct vm_map_entry **ep)
{
	struct vm_map_entry *e;

	KASSERT(spin_held(&vm->vm_lock));
	e = vm_map_lookup(&vm->vm_map, addr);
	if (e == NULL || old_len > e->e_end - addr)
		return -EFAULT;
	if (old_len == 0 && !(e->e_flags & VM_ENTRY_SHARED))
		return -EINVAL;
	*ep = e;
	return 0;
}

/*
 * Free space of len bytes for a moved mapping: at hint if that is free
 * and usable, else the highest free range below MMAP_TOP.  0 and *vap,
 * or -ENOMEM.  The caller holds vm->vm_lock.
 */
static int
mremap_findspace_locked(struct vmspace *vm, vaddr_t hint, vsize_t len,
    vaddr_t *vap)
{
	KASSERT(spin_held(&vm->vm_lock));
	if (len > MMAP_TOP - VM_MIN_USER_ADDRESS)
		return -ENOMEM;
	if (hint >= VM_MIN_USER_ADDRESS && hint <= MMAP_TOP - len &&
	    vm_map_is_free(&vm->vm_map, hint, hint + len)) {
		*vap = hint;
		return 0;
	}
	return vm_map_findspace(&vm->vm_map, len, MMAP_TOP, vap);
}

/*
 * Move [addr, addr + old_len), all inside entry e, to [na, na + new_len),
 * which is free: a new entry like e's there, the pages of the first
 * MIN(old_len, new_len) bytes moved, then the old range unmapped (with
 * dontunmap, only emptied of its pages: it stays mapped and faults anew;
 * with old_len 0, a shared mapping's "duplicate", left alone).  Entries
 * removed go on *dead.  0, or -ENOMEM with nothing changed.  The caller
 * holds vm->vm_lock.
 */
static int
mremap_move_locked(struct vmspace *vm, struct vm_map_entry *e, vaddr_t addr,
    vsize_t old_len, vaddr_t na, vsize_t new_len, bool dontunmap,
    struct vm_map_deadlist *dead)
{
	struct vm_map *map = &vm->vm_map;
	struct pmap *pm = &vm->vm_pmap;
	struct vm_object *obj = e->e_object;
	uint64_t off = e->e_offset + (addr - e->e_start);
	vm_prot_t prot = e->e_prot;
	int eflags = e->e_flags & ~(VM_ENTRY_HEAP | VM_ENTRY_STACK);
	vaddr_t moved = MIN(old_len, new_len), va;
	paddr_t pa;
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	/* e may be split here: its fields were read above. */
	if (old_len > 0 &&
	    (error = vm_map_clip_range(map, addr, addr + old_len)) != 0)
		return error;
	if (obj != NULL)
		vm_object_ref(obj); /* the new entry's; e holds one too */
	error =
	    vm_map_insert_alone(map, na, na + new_len, prot, eflags, obj, off);
	if (error != 0) {
		if (obj != NULL)
			vm_object_rel(obj); /* not the last: e holds one */
		return -ENOMEM;
	}
	if (!(eflags & VM_ENTRY_SHARED))
		prot = vm_prot_nowrite(prot);
	for (va = addr; pmap_next_page(pm, &va, addr + moved, &pa);
	     va += PAGE_SIZE) {
		error = pmap_enter(pm, na + (va - addr), pa, prot, 0);
		if (error != 0)
			goto undo;
		vm_page_ref(vm_page_from_phys(pa));
	}
	if (old_len == 0)
		goto done;
	error = pmap_reserve(pm, addr, addr + old_len, true);
	if (error != 0)
		goto undo;
	if (!dontunmap) {
		error =
		    vm_map_delete(map, addr, addr + old_len, NULL, NULL, dead);
		KASSERT(error == 0); /* clipped above: nothing to allocate */
	}
	pmap_remove_pages(pm, addr, addr + old_len, mremap_release_pa);
	pmap_unreserve(pm);
done:
	vm_map_join(map, na, na + new_len);
	if (dontunmap || old_len == 0)
		vm_map_join(map, addr, addr + old_len); /* undo the clip */
	return 0;

undo:
	/* The new range's page tables are pm's own now: no reserve needed. */
	pmap_remove_pages(pm, na, na + new_len, mremap_release_pa);
	error = vm_map_delete(map, na, na + new_len, NULL, NULL, dead);
	KASSERT(error == 0); /* an entry of its own: nothing to clip */
	vm_map_join(map, addr, addr + old_len); /* undo the clip */
	return -ENOMEM;
}

/*
 * Grow [addr, addr + old_len) to new_len bytes in place if it ends its
 * entry and the space after is free, else move it if maymove.  Returns
 * the address, or -EFAULT, -EINVAL, -ENOMEM.  No locks held.
 */
static long
mremap_grow(struct vmspace *vm, vaddr_t addr, vsize_t old_len, vsize_t new_len,
    bool maymove)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	struct vm_map_entry *e;
	vaddr_t end = addr + old_len, na;
	long rv;

	/* RLIMIT_AS (an unlocked estimate, as sys_mmap's). */
	if (rlimit_as_check(vm, new_len - old_len) != 0)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	rv = mremap_entry_locked(vm, addr, old_len, &e);
	if (rv != 0)
		goto out;
	if (old_len > 0 && end == e->e_end &&
	    new_len - old_len <= VM_MAX_USER_ADDRESS - end &&
	    vm_map_is_free(&vm->vm_map, end, addr + new_len)) {
		struct vm_object *obj = e->e_object;

		if (obj != NULL)
			vm_object_ref(obj);
		rv = vm_map_insert(&vm->vm_map, end, addr + new_len, e->e_prot,
		    e->e_flags & ~(VM_ENTRY_HEAP | VM_ENTRY_STACK), obj,
		    e->e_offset + (end - e->e_start));
		if (rv != 0 && obj != NULL)
			vm_object_rel(obj); /* not the last: e holds one */
		if (rv == 0)
			rv = addr;
		else
			rv = -ENOMEM;
		goto out;
	}
	rv = -ENOMEM;
	if (!maymove)
		goto out;
	rv = mremap_findspace_locked(vm, 0, new_len, &na);
	if (rv == 0)
		rv = mremap_move_locked(vm, e, addr, old_len, na, new_len,
		    false, &dead);
	if (rv == 0)
		rv = na;
out:
	spin_unlock(&vm->vm_lock);
	vm_map_dead_free(&dead);
	return rv;
}

/*
 * MREMAP_FIXED and MREMAP_DONTUNMAP: move to na (fixed: the range there
 * is unmapped first; else a hint), as Linux's mremap_to.  Returns the
 * new address or -errno.  No locks held.
 */
static long
mremap_to(struct vmspace *vm, vaddr_t addr, vsize_t old_len, vaddr_t na,
    vsize_t new_len, int flags)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	struct vm_map_entry *e;
	bool fixed = (flags & MREMAP_FIXED) != 0;
	long rv;

	if ((na & PAGE_MASK) != 0)
		return -EINVAL;
	if (new_len > VM_MAX_USER_ADDRESS || na > VM_MAX_USER_ADDRESS - new_len)
		return -EINVAL;
	if (addr + old_len > na && na + new_len > addr)
		return -EINVAL; /* the ranges overlap */
	if (fixed && na < VM_MIN_USER_ADDRESS)
		return -EINVAL; /* page 0 is never mappable (ABI.md 3) */
	if (fixed && (rv = mremap_unmap(vm, na, new_len)) != 0)
		return rv;
	if (old_len > new_len) {
		if ((rv = mremap_unmap(vm, addr + new_len,
			 old_len - new_len)) != 0)
			return rv;
		old_len = new_len;
	}
	if (rlimit_as_check(vm,
		(flags & MREMAP_DONTUNMAP) ? old_len : new_len - old_len) != 0)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	rv = mremap_entry_locked(vm, addr, old_len, &e);
	if (rv != 0)
		goto out;
	if (!fixed)
		rv = mremap_findspace_locked(vm, na, new_len, &na);
	else if (!vm_map_is_free(&vm->vm_map, na, na + new_len))
		rv = -ENOMEM; /* another LWP mapped there meanwhile */
	if (rv == 0)
		rv = mremap_move_locked(vm, e, addr, old_len, na, new_len,
		    (flags & MREMAP_DONTUNMAP) != 0, &dead);
	if (rv == 0)
		rv = na;
out:
	spin_unlock(&vm->vm_lock);
	vm_map_dead_free(&dead);
	return rv;
}

/*
 * mremap(old_address, old_size, new_size, flags, new_address): see the
 * top of this file.  Runs with no locks held.
 */
long
sys_mremap(void *uold, size_t old_size, size_t new_size, int flags, void *unew)
{
	struct vmspace *vm = curproc->p_vmspace;
	vaddr_t addr = (vaddr_t)uold;
	vsize_t old_len, new_len;
	int error;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_size != new_size))
		return -EINVAL;
	if ((addr & PAGE_MASK) != 0)
		return -EINVAL;
	old_len = round_page(old_size); /* wraps to 0 as Linux's PAGE_ALIGN */
	new_len = round_page(new_size);
	if (new_len == 0)
		return -EINVAL;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(vm, addr, old_len, (vaddr_t)unew, new_len,
		    flags);
	/* Shrinking (or keeping the size) only unmaps the tail. */
	if (old_len >= new_len) {
		error = mremap_unmap(vm, addr + new_len, old_len - new_len);
		return error != 0 ? error : (long)addr;
	}
	if (addr >= VM_MAX_USER_ADDRESS)
		return -EFAULT;
	return mremap_grow(vm, addr, old_len, new_len,
	    (flags & MREMAP_MAYMOVE) != 0);
}
