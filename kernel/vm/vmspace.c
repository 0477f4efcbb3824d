/*
 * Address spaces (vmspace.h): the map module's entries over a pmap, the
 * page fault handler with copy-on-write, and fork.
 */
#include <systm.h>
#include <errno.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vmspace.h>
#include <copy.h>
#include <proc/proc.h>

static volatile uint64_t nvmspaces;

uint64_t
vmspace_count(void)
{
	return nvmspaces;
}

struct vmspace *
vmspace_alloc(void)
{
	struct vmspace *vm = kmalloc(sizeof(*vm), KM_ZERO);

	if (vm == NULL)
		return NULL;
	if (pmap_create(&vm->vm_pmap) != 0) {
		kfree(vm);
		return NULL;
	}
	spinlock_init(&vm->vm_lock, "vmspace");
	vm->vm_refcnt = 1;
	vm_map_init(&vm->vm_map, VM_MIN_USER_ADDRESS, VM_MAX_USER_ADDRESS);
	__atomic_add_fetch(&nvmspaces, 1, __ATOMIC_RELAXED);
	return vm;
}

void
vmspace_ref(struct vmspace *vm)
{
	KASSERT(vm->vm_refcnt > 0);
	__atomic_add_fetch(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
}

/* A mapping of the user page at pa goes away. */
static void
vm_release_pa(paddr_t pa)
{
	vm_page_unref(vm_page_from_phys(pa));
}

/* vm_map callback: an entry leaves the map; drop its pages' mappings. */
static void
vm_unmap_entry(void *arg, struct vm_map_entry *e)
{
	struct vmspace *vm = arg;

	pmap_remove_pages(&vm->vm_pmap, e->e_start, e->e_end, vm_release_pa);
}

void
vmspace_rel(struct vmspace *vm)
{
	KASSERT(vm->vm_refcnt > 0);
	if (__atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pmap_drop_shared(&vm->vm_pmap); /* what others still use: not ours to free */
	vm_map_destroy(&vm->vm_map, vm_unmap_entry, vm);
	pmap_destroy(&vm->vm_pmap);
	kfree(vm);
	__atomic_sub_fetch(&nvmspaces, 1, __ATOMIC_RELAXED);
}

void
vmspace_activate(struct vmspace *vm)
{
	pmap_activate(&vm->vm_pmap);
}

int
vmspace_insert(struct vmspace *vm, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t off)
{
	int error;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	KASSERT(VM_MIN_USER_ADDRESS <= start && start < end &&
	    end <= VM_MAX_USER_ADDRESS);
	spin_lock(&vm->vm_lock);
	if (vm->vm_map.m_nentries >= VM_MAX_ENTRIES)
		error = -ENOMEM;
	else
		error = vm_map_insert(&vm->vm_map, start, end, prot, flags, obj,
		    off);
	spin_unlock(&vm->vm_lock);
	return error;
}

int
vmspace_remove(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error;

	/* Nothing can be mapped below the map's start: skip that part. */
	start = MAX(start, vm->vm_map.m_min);
	if (start >= end)
		return 0;
	spin_lock(&vm->vm_lock);
	error = vm_map_delete(&vm->vm_map, start, end, vm_unmap_entry, vm);
	spin_unlock(&vm->vm_lock);
	return error;
}

/*
 * vm_map_protect callback: bring the pmap in line with e's new
 * protection.  Private pages never gain write access here: one may
 * still be shared copy-on-write, and the first write faults and decides.
 */
static void
vm_protect_entry(void *arg, struct vm_map_entry *e)
{
	struct vmspace *vm = arg;
	vm_prot_t prot = e->e_prot;

	if (!(e->e_flags & VM_ENTRY_SHARED))
		prot &= ~VM_PROT_WRITE;
	if (prot == VM_PROT_NONE && e->e_prot != VM_PROT_NONE)
		prot = VM_PROT_READ; /* write-only: readable on x86 anyway */
	pmap_protect(&vm->vm_pmap, e->e_start, e->e_end, prot);
}

int
vmspace_protect(struct vmspace *vm, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	int error;

	if (start < vm->vm_map.m_min)
		return -ENOMEM; /* page 0 is never mapped */
	spin_lock(&vm->vm_lock);
	error = vm_map_protect(&vm->vm_map, start, end, prot, vm_protect_entry,
	    vm);
	spin_unlock(&vm->vm_lock);
	return error;
}

int
vmspace_dontneed(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error = 0;

	if (start < vm->vm_map.m_min)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	if (!vm_map_covers(&vm->vm_map, start, end))
		error = -ENOMEM;
	else
		pmap_remove_pages(&vm->vm_pmap, start, end, vm_release_pa);
	spin_unlock(&vm->vm_lock);
	return error;
}

int
vmspace_findspace(struct vmspace *vm, vaddr_t hint, vsize_t len, vaddr_t *addr)
{
	int error = 0;

	if (len == 0 || len > MMAP_TOP - VM_MIN_USER_ADDRESS)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	if (hint >= VM_MIN_USER_ADDRESS && hint <= MMAP_TOP - len &&
	    vm_map_is_free(&vm->vm_map, hint, hint + len))
		*addr = hint;
	else
		error = vm_map_findspace(&vm->vm_map, len, MMAP_TOP, addr);
	spin_unlock(&vm->vm_lock);
	return error;
}

void
vmspace_drop_pages(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	start = MAX(start, vm->vm_map.m_min);
	if (start >= end)
		return;
	spin_lock(&vm->vm_lock);
	pmap_remove_pages(&vm->vm_pmap, start, end, vm_release_pa);
	spin_unlock(&vm->vm_lock);
}

bool
vmspace_is_free(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	bool free;

	spin_lock(&vm->vm_lock);
	free = vm_map_is_free(&vm->vm_map, start, end);
	spin_unlock(&vm->vm_lock);
	return free;
}

bool
vmspace_check_range(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	bool covered;

	if (start < vm->vm_map.m_min)
		return false;
	spin_lock(&vm->vm_lock);
	covered = vm_map_covers(&vm->vm_map, start, end);
	spin_unlock(&vm->vm_lock);
	return covered;
}

/* Can an entry with prot satisfy access?  x86 pages are always readable. */
static bool
vm_prot_allows(vm_prot_t prot, vm_prot_t access)
{
	if (prot != VM_PROT_NONE)
		prot |= VM_PROT_READ;
	return (access & ~prot) == 0;
}

bool
vmspace_check_prot(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t access)
{
	struct vm_map_entry *e;
	vaddr_t at = start;
	bool ok = start >= end;

	spin_lock(&vm->vm_lock);
	for (e = vm_map_lookup(&vm->vm_map, start); !ok && e != NULL &&
	    e->e_start <= at && vm_prot_allows(e->e_prot, access);
	    e = vm_map_next(&vm->vm_map, e)) {
		at = e->e_end;
		ok = at >= end;
	}
	spin_unlock(&vm->vm_lock);
	return ok;
}

/* The page of e's object that va falls in.  See vm_object_getpage. */
static int
vm_entry_objpage(struct vm_map_entry *e, vaddr_t va, struct vm_page **pgp)
{
	uint64_t idx = (e->e_offset + (va - e->e_start)) / PAGE_SIZE;
	int error = vm_object_getpage(e->e_object, idx, pgp);

	return error == -EFAULT ? -EIO : error; /* past the end: SIGBUS */
}

/* A private copy of the page at pa, with one reference, or NULL. */
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
 * Map pg (whose reference passes to the mapping) at va with prot.
 * On failure the reference is dropped.  vm_lock is held.
 */
static int
vm_enter(struct vmspace *vm, vaddr_t va, struct vm_page *pg, vm_prot_t prot,
    paddr_t *pap)
{
	*pap = vm_page_to_phys(pg);
	if (pmap_enter(&vm->vm_pmap, va, *pap, prot, 0) != 0) {
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
 * (past a memfd's end) or -ENOMEM.  vm_lock is held.
 */
static int
vm_fault_locked(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    vm_prot_t access, bool force, paddr_t *pap)
{
	struct pmap *pm = &vm->vm_pmap;
	bool write = (access & VM_PROT_WRITE) != 0;
	vm_prot_t mapprot;
	struct vm_page *pg, *opg;
	paddr_t pa;
	int error;

	va = rounddown2(va, PAGE_SIZE);
	if (pmap_extract(pm, va, &pa)) {
		if (!write) {
			*pap = pa; /* spurious, or a read of a resident page */
			return 0;
		}
		/* Decide on copy-on-write in a page table of our own. */
		if ((error = pmap_unshare(pm, va)) != 0)
			return error;
		if (e->e_flags & VM_ENTRY_SHARED) {
			/* The object's page: writable wherever the entry allows. */
			*pap = pa;
			if (!force)
				pmap_enter(pm, va, pa, e->e_prot, 0);
			return 0;
		}
		/* A write to a private page: reuse it if ours alone, else copy. */
		pg = vm_page_from_phys(pa);
		if (__atomic_load_n(&pg->pg_refcnt, __ATOMIC_ACQUIRE) == 1) {
			*pap = pa;
			if (!force)
				pmap_enter(pm, va, pa, e->e_prot, 0);
			return 0;
		}
		opg = pg;
		pg = vm_page_copy(pa);
		if (pg == NULL)
			return -ENOMEM;
		error = vm_enter(vm, va, pg, e->e_prot, pap);
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
		return vm_enter(vm, va, pg, e->e_prot, pap);
	}
	error = vm_entry_objpage(e, va, &opg);
	if (error != 0)
		return error;
	if (e->e_flags & VM_ENTRY_SHARED)
		return vm_enter(vm, va, opg, e->e_prot, pap);
	/* A private view of a memfd: read its page, write a copy. */
	if (!write) {
		mapprot = e->e_prot & ~VM_PROT_WRITE;
		return vm_enter(vm, va, opg, mapprot, pap);
	}
	pg = vm_page_copy(vm_page_to_phys(opg));
	vm_page_unref(opg);
	if (pg == NULL)
		return -ENOMEM;
	return vm_enter(vm, va, pg, e->e_prot, pap);
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
	if (e == NULL || !vm_prot_allows(e->e_prot, access))
		error = -EFAULT;
	else
		error = vm_fault_locked(vm, e, va, access, false, &pa);
	spin_unlock(&vm->vm_lock);
	return error;
}

/*
 * Pages fork leaves free beyond the parent's resident ones: after fork
 * every private page is shared copy-on-write, and the parent (or child)
 * must still find pages for the copies its next writes make.  Failing
 * fork with ENOMEM here is kinder than a SIGKILL at the next write.
 */
#define FORK_RESERVE_PAGES 64

struct vmspace *
vmspace_fork(struct vmspace *vm)
{
	struct vmspace *nvm;
	int error;

	if (vm_page_free_count() < vm->vm_pmap.pm_resident + FORK_RESERVE_PAGES)
		return NULL;
	nvm = vmspace_alloc();
	if (nvm == NULL)
		return NULL;
	spin_lock(&vm->vm_lock);
	nvm->vm_brk_start = vm->vm_brk_start;
	nvm->vm_brk = vm->vm_brk;
	/* The entries, then every page table shared copy-on-write. */
	error = vm_map_copy(&nvm->vm_map, &vm->vm_map, NULL, NULL);
	if (error == 0)
		error = pmap_fork(&nvm->vm_pmap, &vm->vm_pmap);
	spin_unlock(&vm->vm_lock);
	if (error != 0) {
		vmspace_rel(nvm);
		return NULL;
	}
	return nvm;
}

int
vm_write(struct vmspace *vm, vaddr_t va, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	int error = 0;

	spin_lock(&vm->vm_lock);
	while (len > 0) {
		struct vm_map_entry *e = vm_map_lookup(&vm->vm_map, va);
		size_t off = va & PAGE_MASK, n = MIN(len, PAGE_SIZE - off);
		paddr_t pa;

		if (e == NULL) {
			error = -EFAULT;
			break;
		}
		error = vm_fault_locked(vm, e, va, VM_PROT_WRITE, true, &pa);
		if (error != 0)
			break;
		memcpy((uint8_t *)PHYS_TO_DMAP(pa) + off, src, n);
		src += n;
		va += n;
		len -= n;
	}
	spin_unlock(&vm->vm_lock);
	return error;
}

/*
 * Copy between vm and the calling process's user buffer ubuf, page by
 * page from va, stopping at the first address no entry maps.  Reading
 * leaves untouched pages unmade (they read as zeros); writing makes them
 * and breaks copy-on-write sharing, whatever the protection.  Returns the
 * bytes copied, or -EFAULT if ubuf faulted before any byte was copied.
 * No locks held; vm is not the caller's own space.
 */
static ssize_t
vmspace_xfer(struct vmspace *vm, vaddr_t va, void *ubuf, size_t n, bool write)
{
	size_t done = 0;
	int error = 0;

	spin_lock(&vm->vm_lock);
	while (done < n && va < VM_MAX_USER_ADDRESS) {
		struct vm_map_entry *e = vm_map_lookup(&vm->vm_map, va);
		size_t off = va & PAGE_MASK, chunk = MIN(n - done, PAGE_SIZE - off);
		uint8_t *ub = (uint8_t *)ubuf + done;
		struct vm_page *opg = NULL;
		paddr_t pa;

		if (e == NULL)
			break;
		if (write) {
			error = vm_fault_locked(vm, e, va, VM_PROT_WRITE, true, &pa);
			if (error == 0)
				error = copyin(ub, (uint8_t *)PHYS_TO_DMAP(pa) + off,
				    chunk);
		} else if (pmap_extract(&vm->vm_pmap, rounddown2(va, PAGE_SIZE),
		    &pa)) {
			error = copyout((uint8_t *)PHYS_TO_DMAP(pa) + off, ub, chunk);
		} else if (e->e_object != NULL &&
		    (opg = vm_object_lookup(e->e_object, (e->e_offset +
		    (rounddown2(va, PAGE_SIZE) - e->e_start)) / PAGE_SIZE)) != NULL) {
			error = copyout((uint8_t *)vm_page_kva(opg) + off, ub, chunk);
			vm_page_unref(opg);
		} else {
			error = copyout_zero(ub, chunk);
		}
		if (error != 0)
			break;
		done += chunk;
		va += chunk;
	}
	spin_unlock(&vm->vm_lock);
	if (done == 0 && error == -EFAULT)
		return -EFAULT;
	return done;
}

ssize_t
vmspace_read_user(struct vmspace *vm, vaddr_t va, void *ubuf, size_t n)
{
	return vmspace_xfer(vm, va, ubuf, n, false);
}

ssize_t
vmspace_write_user(struct vmspace *vm, vaddr_t va, const void *ubuf, size_t n)
{
	return vmspace_xfer(vm, va, (void *)ubuf, n, true);
}

struct truncate_arg {
	struct vm_object *obj;
	uint64_t size; /* bytes: pages from here on are gone */
};

/* proc_foreach_vmspace callback: unmap obj's pages past its new end. */
static void
vm_truncate_mappings(struct vmspace *vm, void *arg)
{
	struct truncate_arg *ta = arg;
	struct vm_map_entry *e;

	spin_lock(&vm->vm_lock);
	for (e = vm_map_min_entry(&vm->vm_map); e != NULL;
	    e = vm_map_next(&vm->vm_map, e)) {
		uint64_t first, len = e->e_end - e->e_start;

		if (e->e_object != ta->obj || e->e_offset + len <= ta->size)
			continue;
		first = ta->size > e->e_offset ?
		    roundup(ta->size - e->e_offset, PAGE_SIZE) : 0;
		if (first < len)
			pmap_remove_pages(&vm->vm_pmap, e->e_start + first,
			    e->e_end, vm_release_pa);
	}
	spin_unlock(&vm->vm_lock);
}

void
vmspace_object_truncated(struct vm_object *obj, uint64_t size)
{
	struct truncate_arg ta = { obj, size };

	proc_foreach_vmspace(vm_truncate_mappings, &ta);
}

int
vmspace_populate(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error = 0;

	spin_lock(&vm->vm_lock);
	for (vaddr_t va = start; va < end && error == 0; va += PAGE_SIZE) {
		struct vm_map_entry *e = vm_map_lookup(&vm->vm_map, va);
		paddr_t pa;

		if (e == NULL)
			error = -ENOMEM;
		else if (e->e_prot != VM_PROT_NONE)
			error = vm_fault_locked(vm, e, va, VM_PROT_READ, false,
			    &pa);
	}
	spin_unlock(&vm->vm_lock);
	return error == -EIO ? 0 : error;
}
