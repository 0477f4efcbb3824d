/*
 * Address spaces (vmspace.h): a sorted list of entries over a pmap, with
 * anonymous demand-zero memory.  Resident pages are found through the
 * pmap, which is the only record of them in this version.
 */
#include <systm.h>
#include <errno.h>
#include <vm/kmem.h>
#include <vm/vmspace.h>
#include <vm/vm_page.h>

static volatile uint64_t nvmspaces;

static int vm_fault_page_locked(struct vmspace *vm, struct vm_map_entry *e,
    vaddr_t va, paddr_t *pa);

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
	TAILQ_INIT(&vm->vm_entries);
	__atomic_add_fetch(&nvmspaces, 1, __ATOMIC_RELAXED);
	return vm;
}

void
vmspace_ref(struct vmspace *vm)
{
	KASSERT(vm->vm_refcnt > 0);
	__atomic_add_fetch(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
}

/*
 * Drop one mapping's reference to the user page at pa.  A page of a
 * MAP_SHARED entry is mapped by every process that inherited the entry;
 * the last reference frees it.
 */
static void
vm_release_page(paddr_t pa)
{
	struct vm_page *pg = vm_page_from_phys(pa);

	if (__atomic_sub_fetch(&pg->pg_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		vm_page_free(pg);
}

void
vmspace_rel(struct vmspace *vm)
{
	struct vm_map_entry *e;

	KASSERT(vm->vm_refcnt > 0);
	if (__atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Pages exist only inside entries: walk those ranges alone. */
	while ((e = TAILQ_FIRST(&vm->vm_entries)) != NULL) {
		pmap_remove_pages(&vm->vm_pmap, e->e_start, e->e_end,
		    vm_release_page);
		TAILQ_REMOVE(&vm->vm_entries, e, e_link);
		kfree(e);
	}
	pmap_destroy(&vm->vm_pmap);
	kfree(vm);
	__atomic_sub_fetch(&nvmspaces, 1, __ATOMIC_RELAXED);
}

void
vmspace_activate(struct vmspace *vm)
{
	pmap_activate(&vm->vm_pmap);
}

/* The first entry ending above va, or NULL.  The caller holds vm_lock. */
static struct vm_map_entry *
vm_map_first_after(struct vmspace *vm, vaddr_t va)
{
	struct vm_map_entry *e;

	TAILQ_FOREACH(e, &vm->vm_entries, e_link)
		if (e->e_end > va)
			return e;
	return NULL;
}

/* The entry containing va, or NULL.  The caller holds vm_lock. */
static struct vm_map_entry *
vm_map_lookup(struct vmspace *vm, vaddr_t va)
{
	struct vm_map_entry *e = vm_map_first_after(vm, va);

	return e != NULL && e->e_start <= va ? e : NULL;
}

bool
vm_map_is_free(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = vm_map_first_after(vm, start);

	return e == NULL || e->e_start >= end;
}

/*
 * Split e at addr (strictly inside it) using the spare entry *spare,
 * which is consumed.  Returns the upper half.  The caller holds vm_lock.
 */
static struct vm_map_entry *
vm_map_clip(struct vmspace *vm, struct vm_map_entry *e, vaddr_t addr,
    struct vm_map_entry **spare)
{
	struct vm_map_entry *n = *spare;

	KASSERT(n != NULL && e->e_start < addr && addr < e->e_end);
	*spare = NULL;
	*n = *e;
	n->e_start = addr;
	e->e_end = addr;
	TAILQ_INSERT_AFTER(&vm->vm_entries, e, n, e_link);
	vm->vm_nentries++;
	return n;
}

/* Two spare entries for an operation that may clip twice, or -ENOMEM. */
static int
vm_spares_get(struct vm_map_entry *spare[2])
{
	spare[0] = kmalloc(sizeof(struct vm_map_entry), 0);
	spare[1] = kmalloc(sizeof(struct vm_map_entry), 0);
	if (spare[0] == NULL || spare[1] == NULL) {
		kfree(spare[0]);
		kfree(spare[1]);
		return -ENOMEM;
	}
	return 0;
}

static void
vm_spares_put(struct vm_map_entry *spare[2])
{
	kfree(spare[0]);
	kfree(spare[1]);
}

/*
 * Clip the entries around [start, end) so that entries overlapping the
 * range lie inside it.  Returns the first entry inside, or NULL.  The
 * caller holds vm_lock.
 */
static struct vm_map_entry *
vm_map_clip_range(struct vmspace *vm, vaddr_t start, vaddr_t end,
    struct vm_map_entry *spare[2])
{
	struct vm_map_entry *e = vm_map_first_after(vm, start), *last;

	if (e == NULL || e->e_start >= end)
		return NULL;
	if (e->e_start < start)
		e = vm_map_clip(vm, e, start, &spare[0]);
	last = e;
	while (TAILQ_NEXT(last, e_link) != NULL &&
	    TAILQ_NEXT(last, e_link)->e_start < end)
		last = TAILQ_NEXT(last, e_link);
	if (last->e_end > end)
		vm_map_clip(vm, last, end, &spare[1]);
	return e;
}

/* True if entries cover [start, end) without a gap.  vm_lock held. */
static bool
vm_map_covers(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = vm_map_lookup(vm, start);
	vaddr_t at = start;

	while (e != NULL && e->e_start <= at) {
		at = e->e_end;
		if (at >= end)
			return true;
		e = TAILQ_NEXT(e, e_link);
	}
	return false;
}

int
vm_map_insert(struct vmspace *vm, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags)
{
	struct vm_map_entry *n, *next, *prev;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	KASSERT(VM_MIN_USER_ADDRESS <= start && start < end &&
	    end <= VM_MAX_USER_ADDRESS);
	n = kmalloc(sizeof(*n), 0);
	if (n == NULL)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	if (!vm_map_is_free(vm, start, end)) {
		spin_unlock(&vm->vm_lock);
		kfree(n);
		return -EEXIST;
	}
	next = vm_map_first_after(vm, start);
	prev = next != NULL ? TAILQ_PREV(next, vm_entry_list, e_link) :
	    TAILQ_LAST(&vm->vm_entries, vm_entry_list);
	if (prev != NULL && prev->e_end == start && prev->e_prot == prot &&
	    prev->e_flags == flags) {
		prev->e_end = end; /* grow the neighbour instead */
		spin_unlock(&vm->vm_lock);
		kfree(n);
		return 0;
	}
	if (vm->vm_nentries >= VM_MAX_ENTRIES) {
		spin_unlock(&vm->vm_lock);
		kfree(n);
		return -ENOMEM;
	}
	n->e_start = start;
	n->e_end = end;
	n->e_prot = prot;
	n->e_flags = flags;
	if (next != NULL)
		TAILQ_INSERT_BEFORE(next, n, e_link);
	else
		TAILQ_INSERT_TAIL(&vm->vm_entries, n, e_link);
	vm->vm_nentries++;
	spin_unlock(&vm->vm_lock);
	return 0;
}

int
vm_map_remove(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *spare[2], *e, *next;

	if (vm_spares_get(spare) != 0)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	e = vm_map_clip_range(vm, start, end, spare);
	for (; e != NULL && e->e_start < end; e = next) {
		next = TAILQ_NEXT(e, e_link);
		pmap_remove_pages(&vm->vm_pmap, e->e_start, e->e_end,
		    vm_release_page);
		TAILQ_REMOVE(&vm->vm_entries, e, e_link);
		vm->vm_nentries--;
		kfree(e);
	}
	spin_unlock(&vm->vm_lock);
	vm_spares_put(spare);
	return 0;
}

int
vm_map_protect(struct vmspace *vm, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct vm_map_entry *spare[2], *e;

	if (vm_spares_get(spare) != 0)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	if (!vm_map_covers(vm, start, end)) {
		spin_unlock(&vm->vm_lock);
		vm_spares_put(spare);
		return -ENOMEM;
	}
	for (e = vm_map_clip_range(vm, start, end, spare);
	    e != NULL && e->e_start < end; e = TAILQ_NEXT(e, e_link))
		e->e_prot = prot;
	pmap_protect(&vm->vm_pmap, start, end, prot);
	spin_unlock(&vm->vm_lock);
	vm_spares_put(spare);
	return 0;
}

int
vm_map_dontneed(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	spin_lock(&vm->vm_lock);
	if (!vm_map_covers(vm, start, end)) {
		spin_unlock(&vm->vm_lock);
		return -ENOMEM;
	}
	/* Private pages go (they read back as zeros); shared ones stay. */
	for (e = vm_map_lookup(vm, start); e != NULL && e->e_start < end;
	    e = TAILQ_NEXT(e, e_link)) {
		if (e->e_flags & VM_ENTRY_SHARED)
			continue;
		pmap_remove_pages(&vm->vm_pmap, MAX(start, e->e_start),
		    MIN(end, e->e_end), vm_release_page);
	}
	spin_unlock(&vm->vm_lock);
	return 0;
}

/* Can an entry with prot satisfy access?  x86 pages are always readable. */
static bool vm_prot_allows(vm_prot_t prot, vm_prot_t access);

bool
vm_map_check_prot(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t access)
{
	struct vm_map_entry *e;
	vaddr_t at = start;
	bool ok = false;

	if (start >= end)
		return true;
	spin_lock(&vm->vm_lock);
	for (e = vm_map_lookup(vm, start); e != NULL && e->e_start <= at;
	    e = TAILQ_NEXT(e, e_link)) {
		if (!vm_prot_allows(e->e_prot, access))
			break;
		at = e->e_end;
		if (at >= end) {
			ok = true;
			break;
		}
	}
	spin_unlock(&vm->vm_lock);
	return ok;
}

bool
vm_map_check_range(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	bool covered;

	spin_lock(&vm->vm_lock);
	covered = vm_map_covers(vm, start, end);
	spin_unlock(&vm->vm_lock);
	return covered;
}

int
vm_map_findspace(struct vmspace *vm, vaddr_t hint, vsize_t len, vaddr_t *addr)
{
	struct vm_map_entry *e;
	vaddr_t top = MMAP_TOP;

	if (len == 0 || len > MMAP_TOP - VM_MIN_USER_ADDRESS)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	if (hint >= VM_MIN_USER_ADDRESS && hint <= VM_MAX_USER_ADDRESS - len &&
	    vm_map_is_free(vm, hint, hint + len)) {
		*addr = hint;
		spin_unlock(&vm->vm_lock);
		return 0;
	}
	/* Walk down from the highest entry, looking at the gap above each. */
	TAILQ_FOREACH_REVERSE(e, &vm->vm_entries, vm_entry_list, e_link) {
		if (e->e_start >= top)
			continue;
		if (e->e_end <= top && top - e->e_end >= len) {
			*addr = top - len;
			spin_unlock(&vm->vm_lock);
			return 0;
		}
		top = e->e_start;
	}
	spin_unlock(&vm->vm_lock);
	if (top - VM_MIN_USER_ADDRESS >= len) {
		*addr = top - len;
		return 0;
	}
	return -ENOMEM;
}

static bool
vm_prot_allows(vm_prot_t prot, vm_prot_t access)
{
	if (prot != VM_PROT_NONE)
		prot |= VM_PROT_READ;
	return (access & ~prot) == 0;
}

/*
 * Make the page at va resident, zero-filled, with the entry's protection.
 * Sets *pa.  The caller holds vm_lock; e contains va.
 */
static int
vm_fault_page_locked(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va,
    paddr_t *pa)
{
	struct vm_page *pg;

	va = rounddown2(va, PAGE_SIZE);
	if (pmap_extract(&vm->vm_pmap, va, pa))
		return 0;
	pg = vm_page_alloc(VM_ALLOC_ZERO);
	if (pg == NULL)
		return -ENOMEM;
	pg->pg_refcnt = 1;
	*pa = vm_page_to_phys(pg);
	if (pmap_enter(&vm->vm_pmap, va, *pa, e->e_prot, 0) != 0) {
		vm_page_free(pg);
		return -ENOMEM;
	}
	return 0;
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
	e = vm_map_lookup(vm, va);
	if (e == NULL || !vm_prot_allows(e->e_prot, access)) {
		spin_unlock(&vm->vm_lock);
		return -EFAULT;
	}
	error = vm_fault_page_locked(vm, e, va, &pa);
	spin_unlock(&vm->vm_lock);
	return error;
}

/*
 * Share the pages of MAP_SHARED entry e of vm with nvm: every page is
 * made resident in vm first (so both see the same memory from now on),
 * then mapped in nvm with one more reference.  vm->vm_lock is held.
 */
static int
vm_fork_shared(struct vmspace *vm, struct vmspace *nvm, struct vm_map_entry *e)
{
	for (vaddr_t va = e->e_start; va < e->e_end; va += PAGE_SIZE) {
		paddr_t pa;
		struct vm_page *pg;
		int error = vm_fault_page_locked(vm, e, va, &pa);

		if (error != 0)
			return error;
		pg = vm_page_from_phys(pa);
		__atomic_add_fetch(&pg->pg_refcnt, 1, __ATOMIC_RELAXED);
		if (pmap_enter(&nvm->vm_pmap, va, pa, e->e_prot, 0) != 0) {
			__atomic_sub_fetch(&pg->pg_refcnt, 1, __ATOMIC_RELAXED);
			return -ENOMEM;
		}
	}
	return 0;
}

struct vmspace *
vmspace_fork(struct vmspace *vm)
{
	struct vmspace *nvm = vmspace_alloc();
	struct vm_map_entry *e;

	if (nvm == NULL)
		return NULL;
	spin_lock(&vm->vm_lock);
	nvm->vm_brk_start = vm->vm_brk_start;
	nvm->vm_brk = vm->vm_brk;
	TAILQ_FOREACH(e, &vm->vm_entries, e_link) {
		struct vm_map_entry *n = kmalloc(sizeof(*n), 0);
		vaddr_t va = e->e_start;
		paddr_t pa;

		if (n == NULL)
			goto fail;
		*n = *e;
		TAILQ_INSERT_TAIL(&nvm->vm_entries, n, e_link);
		nvm->vm_nentries++;
		if (e->e_flags & VM_ENTRY_SHARED) {
			if (vm_fork_shared(vm, nvm, e) != 0)
				goto fail;
			continue;
		}
		while (pmap_next_page(&vm->vm_pmap, &va, e->e_end, &pa)) {
			struct vm_page *pg = vm_page_alloc(0);

			if (pg == NULL)
				goto fail;
			pg->pg_refcnt = 1;
			memcpy(vm_page_kva(pg), PHYS_TO_DMAP(pa), PAGE_SIZE);
			if (pmap_enter(&nvm->vm_pmap, va, vm_page_to_phys(pg),
				e->e_prot, 0) != 0) {
				vm_page_free(pg);
				goto fail;
			}
			va += PAGE_SIZE;
		}
	}
	spin_unlock(&vm->vm_lock);
	return nvm;
fail:
	spin_unlock(&vm->vm_lock);
	vmspace_rel(nvm);
	return NULL;
}

int
vm_write(struct vmspace *vm, vaddr_t va, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	int error = 0;

	spin_lock(&vm->vm_lock);
	while (len > 0) {
		struct vm_map_entry *e = vm_map_lookup(vm, va);
		size_t off = va & PAGE_MASK, n = MIN(len, PAGE_SIZE - off);
		paddr_t pa;

		if (e == NULL) {
			error = -EFAULT;
			break;
		}
		error = vm_fault_page_locked(vm, e, va, &pa);
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
