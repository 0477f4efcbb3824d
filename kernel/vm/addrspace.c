/*
 * Address spaces (addrspace.h): struct vmspace, the map module's entries
 * over a pmap; mapping, unmapping, protection, populating, fork, copies
 * to and from another address space, and object truncation.  Faults are
 * vm_fault.c's.
 */
#include <systm.h>
#include <errno.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_fault.h>
#include <vm/addrspace.h>
#include <copy.h>
#include <proc/proc.h>
#include <proc/sched.h>

static volatile uint64_t nvmspaces;

/*
 * Every live vmspace, processes' and the vmspace service's alike, for
 * changes that must reach each mapping of an object (truncation).
 * vmspace_list_lock guards the list; it comes before any vm_lock.
 */
static struct spinlock vmspace_list_lock = SPINLOCK_INITIALIZER("vmspaces");
static LIST_HEAD(, vmspace) vmspace_list = LIST_HEAD_INITIALIZER(vmspace_list);

/* Pages made or visited between two preemption points of a long loop. */
#define VM_BATCH_PAGES 64

static int vmspace_remove_locked(struct vmspace *vm, vaddr_t start, vaddr_t end,
    struct vm_map_deadlist *dead);
static int vmspace_drop_locked(struct vmspace *vm, vaddr_t start, vaddr_t end);

uint64_t
vmspace_count(void)
{
	return nvmspaces;
}

/*
 * A new empty vmspace with one reference, not yet on vmspace_list; the
 * caller lists it (vmspace_list_lock held).  NULL when out of memory.
 * No requirements.
 */
static struct vmspace *
vmspace_new(void)
{
	struct vmspace *vm = kmalloc(sizeof(*vm), KM_ZERO);

	if (vm == NULL)
		return NULL;
	if (pmap_create(&vm->vm_pmap, &vm->vm_lock) != 0) {
		kfree(vm);
		return NULL;
	}
	spinlock_init(&vm->vm_lock, "vmspace");
	vm->vm_refcnt = 1;
	vm_map_init(&vm->vm_map, VM_MIN_USER_ADDRESS, VM_MAX_USER_ADDRESS,
	    &vm->vm_lock);
	__atomic_add_fetch(&nvmspaces, 1, __ATOMIC_RELAXED);
	return vm;
}

struct vmspace *
vmspace_alloc(void)
{
	struct vmspace *vm = vmspace_new();

	if (vm != NULL) {
		spin_lock(&vmspace_list_lock);
		LIST_INSERT_HEAD(&vmspace_list, vm, vm_list);
		spin_unlock(&vmspace_list_lock);
	}
	return vm;
}

int
vmspace_set_exe(struct vmspace *vm, struct vm_object *obj)
{
	int error;

	KASSERT(vm->vm_exe == NULL);
	error = vm_object_deny_write(obj);
	if (error != 0)
		return error;
	vm_object_ref(obj);
	vm->vm_exe = obj;
	return 0;
}

void
vmspace_ref(struct vmspace *vm)
{
	KASSERT(vm->vm_refcnt > 0);
	__atomic_add_fetch(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
}

/*
 * pmap_remove_pages callback: a mapping of the user page at pa goes
 * away, and with it the mapping's reference.  Runs with the pmap's
 * pm_lock held, so it only drops the reference (which may free the
 * page).  No requirements.
 */
static void
vm_release_pa(paddr_t pa)
{
	vm_page_unref(vm_page_from_phys(pa));
}

void
vmspace_rel(struct vmspace *vm)
{
	KASSERT(vm->vm_refcnt > 0);
	if (__atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	spin_lock(&vmspace_list_lock);
	LIST_REMOVE(vm, vm_list);
	spin_unlock(&vmspace_list_lock);
	/*
	 * Nobody else can reach vm now, but the map and the pmap are torn
	 * down under vm_lock all the same, as every change to them is (their
	 * functions assert it).
	 */
	spin_lock(&vm->vm_lock);
	pmap_drop_shared(
	    &vm->vm_pmap); /* what others still use: not ours to free */
	/* Every page at once: one walk of the tables, not one per entry. */
	pmap_remove_pages(&vm->vm_pmap, VM_MIN_USER_ADDRESS,
	    VM_MAX_USER_ADDRESS, vm_release_pa);
	vm_map_destroy(&vm->vm_map, NULL, NULL);
	spin_unlock(&vm->vm_lock);
	pmap_destroy(&vm->vm_pmap);
	if (vm->vm_exe != NULL) {
		vm_object_allow_write(vm->vm_exe);
		vm_object_rel(vm->vm_exe);
	}
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
	error = vm_map_insert(&vm->vm_map, start, end, prot, flags, obj, off);
	spin_unlock(&vm->vm_lock);
	return error;
}

int
vmspace_remove(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	int error;

	/* Nothing can be mapped below the map's start: skip that part. */
	start = MAX(start, vm->vm_map.m_min);
	if (start >= end)
		return 0;
	spin_lock(&vm->vm_lock);
	error = vmspace_remove_locked(vm, start, end, &dead);
	spin_unlock(&vm->vm_lock);
	vm_map_dead_free(&dead);
	return error;
}

/*
 * Where vmspace_map puts len bytes for a hint: at hint if that is free
 * and usable, else the highest free range below MMAP_TOP.  0 and *addr,
 * or -ENOMEM.  The caller holds vm->vm_lock.
 */
static int
vmspace_findspace_locked(struct vmspace *vm, vaddr_t hint, vsize_t len,
    vaddr_t *addr)
{
	KASSERT(spin_held(&vm->vm_lock));
	if (len == 0 || len > MMAP_TOP - VM_MIN_USER_ADDRESS)
		return -ENOMEM;
	if (hint >= VM_MIN_USER_ADDRESS && hint <= MMAP_TOP - len &&
	    vm_map_is_free(&vm->vm_map, hint, hint + len)) {
		*addr = hint;
		return 0;
	}
	return vm_map_findspace(&vm->vm_map, len, MMAP_TOP, addr);
}

int
vmspace_map(struct vmspace *vm, vaddr_t addr, vsize_t len, int how,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t off,
    vaddr_t *vap)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	vaddr_t va = addr;
	int error;

	KASSERT((addr & PAGE_MASK) == 0 && (len & PAGE_MASK) == 0);
	KASSERT(how == VMSPACE_MAP_HINT ||
	    (VM_MIN_USER_ADDRESS <= addr && addr < addr + len &&
		addr + len <= VM_MAX_USER_ADDRESS));
	spin_lock(&vm->vm_lock);
	switch (how) {
	case VMSPACE_MAP_FIXED:
		/* As vmspace_remove_locked, with the insertion made sure of. */
		error = pmap_reserve(&vm->vm_pmap, va, va + len, true);
		if (error != 0)
			break;
		error = vm_map_replace(&vm->vm_map, va, va + len, prot, flags,
		    obj, off, NULL, NULL, &dead);
		if (error == 0)
			pmap_remove_pages(&vm->vm_pmap, va, va + len,
			    vm_release_pa);
		pmap_unreserve(&vm->vm_pmap);
		break;
	case VMSPACE_MAP_NOREPLACE:
		error = vm_map_insert(&vm->vm_map, va, va + len, prot, flags,
		    obj, off);
		break;
	default:
		error = vmspace_findspace_locked(vm, addr, len, &va);
		if (error == 0)
			error = vm_map_insert(&vm->vm_map, va, va + len, prot,
			    flags, obj, off);
		break;
	}
	spin_unlock(&vm->vm_lock);
	vm_map_dead_free(&dead);
	if (error == 0)
		*vap = va;
	return error;
}

/*
 * Drop the pages vm maps in [start, end), as an unmap of the range
 * would, without changing the map; holes are fine.  Page tables shared
 * since fork are reserved for first (pmap_reserve), so this either does
 * all of it or returns -ENOMEM having done nothing.  The caller holds
 * vm->vm_lock.
 */
static int
vmspace_drop_locked(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	if ((error = pmap_reserve(&vm->vm_pmap, start, end, true)) != 0)
		return error;
	pmap_remove_pages(&vm->vm_pmap, start, end, vm_release_pa);
	pmap_unreserve(&vm->vm_pmap);
	return 0;
}

/*
 * Remove the entries of [start, end) and their pages: all of it, or
 * -ENOMEM with nothing changed.  The removed entries go on *dead, for the
 * caller to free once it has dropped the lock (vm_map_dead_free).  The
 * caller holds vm->vm_lock.
 */
static int
vmspace_remove_locked(struct vmspace *vm, vaddr_t start, vaddr_t end,
    struct vm_map_deadlist *dead)
{
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	if ((error = pmap_reserve(&vm->vm_pmap, start, end, true)) != 0)
		return error;
	error = vm_map_delete(&vm->vm_map, start, end, NULL, NULL, dead);
	if (error == 0)
		pmap_remove_pages(&vm->vm_pmap, start, end, vm_release_pa);
	pmap_unreserve(&vm->vm_pmap);
	return error;
}

/*
 * vm_map_protect callback: bring the pmap of the vmspace arg in line
 * with e's new protection.  Private pages never gain write access here:
 * one may still be shared copy-on-write, and the first write faults and
 * decides.  The caller (the map) holds vm_lock, and the range is
 * reserved (pmap_reserve).
 */
static void
vm_protect_entry(void *arg, struct vm_map_entry *e)
{
	struct vmspace *vm = arg;
	vm_prot_t prot = e->e_prot;

	KASSERT(spin_held(&vm->vm_lock));
	if (!(e->e_flags & VM_ENTRY_SHARED))
		prot = vm_prot_nowrite(prot);
	pmap_protect(&vm->vm_pmap, e->e_start, e->e_end, prot);
}

int
vmspace_protect(struct vmspace *vm, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	int error;

	if (start < vm->vm_map.m_min)
		return -ENOMEM; /* page 0 is never mapped */
	spin_lock(&vm->vm_lock);
	error = pmap_reserve(&vm->vm_pmap, start, end, false);
	if (error == 0) {
		error = vm_map_protect(&vm->vm_map, start, end, prot,
		    vm_protect_entry, vm);
		pmap_unreserve(&vm->vm_pmap);
	}
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
		error = vmspace_drop_locked(vm, start, end);
	spin_unlock(&vm->vm_lock);
	return error;
}

int
vmspace_drop_pages(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error;

	start = MAX(start, vm->vm_map.m_min);
	if (start >= end)
		return 0;
	spin_lock(&vm->vm_lock);
	error = vmspace_drop_locked(vm, start, end);
	spin_unlock(&vm->vm_lock);
	return error;
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
	nvm = vmspace_new();
	if (nvm == NULL)
		return NULL;
	/*
	 * Under vmspace_list_lock, so that a truncation sees the sharing
	 * either before it starts or with the child listed.  nvm is not
	 * reachable yet, but its lock is taken too: the map and the pmap
	 * assert that whoever changes them holds it.
	 */
	spin_lock(&vmspace_list_lock);
	spin_lock(&vm->vm_lock);
	spin_lock_nested(&nvm->vm_lock, 1); /* unreachable: no other order */
	nvm->vm_brk_start = vm->vm_brk_start;
	nvm->vm_brk = vm->vm_brk;
	if (vm->vm_exe != NULL) {
		/* vm's own denial is held: this one cannot fail. */
		vm_object_ref(vm->vm_exe);
		if (vm_object_deny_write(vm->vm_exe) != 0)
			panic("vmspace_fork: the program file is writable");
		nvm->vm_exe = vm->vm_exe;
	}
	/* The entries, then every page table shared copy-on-write. */
	error = vm_map_copy(&nvm->vm_map, &vm->vm_map, NULL, NULL);
	if (error == 0)
		error = pmap_fork(&nvm->vm_pmap, &vm->vm_pmap);
	spin_unlock(&nvm->vm_lock);
	spin_unlock(&vm->vm_lock);
	LIST_INSERT_HEAD(&vmspace_list, nvm, vm_list);
	spin_unlock(&vmspace_list_lock);
	if (error != 0) {
		vmspace_rel(nvm);
		return NULL;
	}
	return nvm;
}

vaddr_t
vmspace_brk(struct vmspace *vm, vaddr_t brk)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	vaddr_t old_top, new_top, start;
	int error = 0;

	spin_lock(&vm->vm_lock);
	if (brk < vm->vm_brk_start || brk > MMAP_TOP)
		goto out;
	old_top = round_page(vm->vm_brk);
	new_top = round_page(brk);
	/* Nothing can be mapped below the map's start (vmspace_remove). */
	start = MAX(new_top, vm->vm_map.m_min);
	if (new_top > old_top) {
		error = vm_map_is_free(&vm->vm_map, old_top, new_top) ?
		    vm_map_insert(&vm->vm_map, old_top, new_top,
			VM_PROT_READ | VM_PROT_WRITE, VM_ENTRY_HEAP, NULL, 0) :
		    -ENOMEM;
	} else if (start < old_top) {
		error = vmspace_remove_locked(vm, start, old_top, &dead);
	}
	if (error == 0)
		vm->vm_brk = brk;
out:
	brk = vm->vm_brk;
	spin_unlock(&vm->vm_lock);
	vm_map_dead_free(&dead);
	return brk;
}

void
vmspace_brk_init(struct vmspace *vm, vaddr_t brk)
{
	spin_lock(&vm->vm_lock);
	vm->vm_brk_start = vm->vm_brk = brk;
	spin_unlock(&vm->vm_lock);
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

/* Pages vmspace_xfer holds at once, between two preemption points. */
#define VMSPACE_XFER_PAGES 16

/*
 * A page of vm held for vmspace_xfer: xp_pg with a reference the holder
 * drops (vm_page_unref), and its direct-map address; or, for an
 * untouched page being read, NULL for both (it reads as zeros).
 */
struct xfer_page {
	struct vm_page *xp_pg;
	uint8_t *xp_kva;
};

/*
 * The page of vm at va (page aligned, inside e) for vmspace_xfer, into
 * *xp: for write, a private page made present whatever the protection
 * (vm_fault_locked's force); for read, the resident page, the object's
 * page, or none for an untouched page that reads as zeros.  Returns 0 or
 * vm_fault_locked's error.  The caller must hold vm->vm_lock.
 */
static int
vmspace_hold_page(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    bool write, struct xfer_page *xp)
{
	struct vm_page *pg = NULL;
	paddr_t pa;
	int error;

	KASSERT(spin_held(&vm->vm_lock));
	if (write) {
		error = vm_fault_locked(vm, e, va, VM_PROT_WRITE, true, &pa);
		if (error != 0)
			return error;
		pg = vm_page_from_phys(pa);
	} else if (pmap_extract(&vm->vm_pmap, va, &pa)) {
		pg = vm_page_from_phys(pa);
	}
	if (pg != NULL)
		vm_page_ref(pg);
	else if (e->e_object != NULL)
		pg = vm_object_lookup(e->e_object, /* with its own reference */
		    (e->e_offset + (va - e->e_start)) / PAGE_SIZE);
	xp->xp_pg = pg;
	xp->xp_kva = pg != NULL ? vm_page_kva(pg) : NULL;
	return 0;
}

/*
 * The pages of vm from va (page aligned) for vmspace_xfer, at most n
 * (VMSPACE_XFER_PAGES), into xp[] as vmspace_hold_page would hold them,
 * under one vm_lock section.  Resident pages come from one page-table
 * walk per run: for read as they are, for write when vm_fault_locked
 * would hand them back unchanged (the page table is vm's own and the
 * page is the object's of a writable shared entry or private to vm
 * alone); any other page goes through vmspace_hold_page.  Returns the
 * count held, stopping early with *errorp set: -ENOENT at the first page
 * no entry maps, or vmspace_hold_page's error.  No locks held.
 */
static inline __attribute__((always_inline)) unsigned
vmspace_hold_run(struct vmspace *vm, vaddr_t va, unsigned n, bool write,
    struct xfer_page *xp, int *errorp)
{
	struct vm_map_entry *e = NULL;
	paddr_t pa[VMSPACE_XFER_PAGES];
	struct vm_page *pgs[VMSPACE_XFER_PAGES];
	unsigned held = 0;
	int error = 0;

	KASSERT(n <= VMSPACE_XFER_PAGES);
	spin_lock(&vm->vm_lock);
	while (held < n) {
		vaddr_t pva = va + (vaddr_t)held * PAGE_SIZE;
		unsigned run, i;
		bool pt_own;

		if (e == NULL || pva >= e->e_end) {
			e = e == NULL ? vm_map_lookup(&vm->vm_map, pva) :
					vm_map_next(&vm->vm_map, e);
			if (e == NULL || e->e_start > pva) {
				error = -ENOENT;
				break;
			}
		}
		run = MIN(n - held, (e->e_end - pva) / PAGE_SIZE);
		run = pmap_extract_run(&vm->vm_pmap, pva, run, pa, &pt_own);
		if (write && (!pt_own || (e->e_flags & VM_ENTRY_NOWRITE)))
			run = 0;
		vm_page_from_phys_run(pa, run, pgs);
		for (i = 0; i < run; i++) {
			struct vm_page *pg = pgs[i];

			if (pg == NULL)
				break;
			if (write && !vm_page_writable_in_place(e, pg))
				break; /* shared copy-on-write: copy it */
			vm_page_ref(pg);
			xp[held].xp_pg = pg;
			xp[held].xp_kva = PHYS_TO_DMAP(pa[i]);
			held++;
		}
		if (i < run || run == 0) {
			/* The page that stopped the run, the slow way. */
			error = vmspace_hold_page(vm, e,
			    va + (vaddr_t)held * PAGE_SIZE, write, &xp[held]);
			if (error != 0)
				break;
			held++;
		}
	}
	spin_unlock(&vm->vm_lock);
	*errorp = error;
	return held;
}

/*
 * Copy between vm and the calling process's user buffer ubuf from va,
 * stopping at the first address no entry maps.  Reading leaves untouched
 * pages unmade (they read as zeros); writing makes them and breaks
 * copy-on-write sharing, whatever the protection.  Pages are held
 * (vmspace_hold_run) up to VMSPACE_XFER_PAGES at a time and copied with
 * no lock held, since the user buffer may fault (a page reference keeps
 * vm's page alive); between batches the loop stops if the caller is told
 * to exit.  Returns the bytes copied, or -EFAULT if ubuf faulted before
 * any byte was copied.  Inlined into its two callers, so that each
 * direction's loops test nothing about the other.  No locks held; for
 * write, vm is not the caller's own space (a read may be: a pipe's
 * reader copying a span its own process lent, pipe_read_direct).
 */
static inline __attribute__((always_inline)) ssize_t
vmspace_xfer(struct vmspace *vm, vaddr_t va, void *ubuf, size_t n, bool write)
{
	struct xfer_page xp[VMSPACE_XFER_PAGES];
	size_t done = 0;
	int error = 0;

	while (done < n && va < VM_MAX_USER_ADDRESS) {
		size_t len = MIN(n - done, VM_MAX_USER_ADDRESS - va);
		vaddr_t first = trunc_page(va);
		size_t off = va - first;
		unsigned held, i, npages;

		npages = MIN(VMSPACE_XFER_PAGES,
		    (off + len + PAGE_MASK) / PAGE_SIZE);
		held = vmspace_hold_run(vm, first, npages, write, xp, &error);
		for (i = 0; i < held; i++, off = 0) {
			size_t chunk = MIN(n - done, PAGE_SIZE - off);
			uint8_t *ub = (uint8_t *)ubuf + done;
			int cerror;

			if (write)
				cerror = copyin(ub, xp[i].xp_kva + off, chunk);
			else if (xp[i].xp_pg != NULL)
				cerror = copyout(xp[i].xp_kva + off, ub, chunk);
			else
				cerror = copyout_zero(ub, chunk);
			if (cerror != 0) {
				error = cerror;
				break;
			}
			done += chunk;
			va += chunk;
		}
		for (i = 0; i < held; i++)
			if (xp[i].xp_pg != NULL)
				vm_page_unref(xp[i].xp_pg);
		if (error != 0)
			break;
		if (done < n && (error = sched_checkpoint()) != 0)
			break;
	}
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

/*
 * For each entry of vm mapping obj past size bytes, the pages of it
 * there: with pool NULL, count the pages their removal needs reserved
 * (pmap_reserve_need) and return the count; else remove them, taking the
 * reserve from pool (what is left goes back), and return 0.  The caller
 * holds vmspace_list_lock.
 */
static unsigned
vm_truncate_mappings(struct vmspace *vm, struct vm_object *obj, uint64_t size,
    struct vm_pglist *pool)
{
	struct pmap *pm = &vm->vm_pmap;
	struct vm_map_entry *e;
	unsigned need = 0;

	KASSERT(spin_held(&vmspace_list_lock));
	spin_lock(&vm->vm_lock);
	for (e = vm_map_min_entry(&vm->vm_map); e != NULL;
	     e = vm_map_next(&vm->vm_map, e)) {
		uint64_t first, len = e->e_end - e->e_start;
		vaddr_t start;

		if (e->e_object != obj || e->e_offset + len <= size)
			continue;
		first = size > e->e_offset ?
		    roundup(size - e->e_offset, PAGE_SIZE) :
		    0;
		if (first >= len)
			continue;
		start = e->e_start + first;
		if (pool == NULL) {
			need += pmap_reserve_need(pm, start, e->e_end, true);
			continue;
		}
		pmap_reserve_give(pm, pool,
		    pmap_reserve_need(pm, start, e->e_end, true));
		pmap_remove_pages(pm, start, e->e_end, vm_release_pa);
		pmap_reserve_take(pm, pool);
	}
	spin_unlock(&vm->vm_lock);
	return need;
}

int
vmspace_truncate_object(struct vm_object *obj, uint64_t size)
{
	struct vm_pglist pool = LIST_HEAD_INITIALIZER(pool);
	struct vm_object_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	struct vmspace *vm;
	unsigned need = 0;
	int error;

	/*
	 * The list lock keeps forks out (vmspace_fork), so page tables only
	 * stop being shared between the count and the removal, and the
	 * pages counted are enough.
	 */
	spin_lock(&vmspace_list_lock);
	LIST_FOREACH(vm, &vmspace_list, vm_list)
	need += vm_truncate_mappings(vm, obj, size, NULL);
	error = vm_page_alloc_list(&pool, need);
	if (error == 0)
		error = vm_object_truncate(obj, size, &dead);
	if (error == 0) {
		LIST_FOREACH(vm, &vmspace_list, vm_list)
		vm_truncate_mappings(vm, obj, size, &pool);
	}
	spin_unlock(&vmspace_list_lock);
	vm_page_free_list(&pool);
	vm_object_dead_free(&dead);
	return error;
}

int
vmspace_populate(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	vaddr_t va = start;
	int error = 0;

	while (va < end && error == 0) {
		unsigned visited = 0;

		spin_lock(&vm->vm_lock);
		while (va < end && visited < VM_BATCH_PAGES && error == 0) {
			struct vm_map_entry *e = vm_map_lookup(&vm->vm_map, va);
			vaddr_t stop;
			paddr_t pa;

			if (e == NULL) {
				error = -ENOMEM;
				break;
			}
			stop = MIN(e->e_end, end);
			if (e->e_prot == VM_PROT_NONE) {
				va = stop; /* nothing to make: skip it whole */
				continue;
			}
			/* vm_fault_locked costs a lookup for a resident page. */
			for (; va < stop && visited < VM_BATCH_PAGES &&
			     error == 0;
			     va += PAGE_SIZE, visited++)
				error = vm_fault_locked(vm, e, va, VM_PROT_READ,
				    false, &pa);
		}
		spin_unlock(&vm->vm_lock);
		if (error == 0 && va < end)
			error = sched_checkpoint();
	}
	return error == -EIO ? 0 : error;
}
