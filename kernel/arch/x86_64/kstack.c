/*
 * Kernel stacks (<arch/pmap.h>): KSTACK_SIZE bytes below an unmapped
 * guard page, in the KVA_STACK_BASE area, mapped through the kernel pmap.
 */
#include <systm.h>
#include <arch/pmap.h>
#include <vm/vm_page.h>

static struct spinlock kstack_lock = SPINLOCK_INITIALIZER("kstack");

/*
 * Kernel stacks.  The stack area is cut into KSTACK_MAX slots of a guard
 * page plus KSTACK_SIZE; a slot's guard page (its lowest) is never
 * mapped.  Freed slots wait for reuse in a fixed array, so the
 * bookkeeping never takes heap memory (kstat's heap count sees only what
 * is live).  kstack_lock guards the slot bookkeeping.
 */
#define KSTACK_SLOT (KSTACK_SIZE + PAGE_SIZE)
CTASSERT((uint64_t)KSTACK_MAX *KSTACK_SLOT <= KVA_STACK_SIZE);
static uint32_t kstack_next_slot;
static uint32_t kstack_free_slots[KSTACK_MAX];
static uint32_t kstack_nfree;

static vaddr_t
kstack_slot_top(uint64_t slot)
{
	return KVA_STACK_BASE + (slot + 1) * KSTACK_SLOT;
}

/*
 * Unmap and free the stack pages mapped in [sva, eva), at most one
 * stack.  The pages are freed only after pmap_remove returns, when no
 * CPU can reach them through a stale translation any more.  No
 * requirements.
 */
static void
kstack_free_pages(vaddr_t sva, vaddr_t eva)
{
	paddr_t pas[KSTACK_SIZE / PAGE_SIZE];
	unsigned n = 0;

	KASSERT(eva - sva <= KSTACK_SIZE);
	for (vaddr_t va = sva; va < eva; va += PAGE_SIZE)
		if (pmap_extract(pmap_kernel(), va, &pas[n]))
			n++;
	pmap_remove(pmap_kernel(), sva, eva);
	for (unsigned i = 0; i < n; i++)
		vm_page_free(vm_page_from_phys(pas[i]));
}

/* Put slot on the free list.  No requirements. */
static void
kstack_release_slot(uint64_t slot)
{
	spin_lock(&kstack_lock);
	KASSERT(kstack_nfree < KSTACK_MAX);
	kstack_free_slots[kstack_nfree++] = slot;
	spin_unlock(&kstack_lock);
}

/*
 * Stacks freed recently, still mapped, for the next kstack_alloc (an LWP
 * that exits is soon followed by one that starts).  kstack_lock guards them;
 * kstack_reclaim gives them back.
 */
#define KSTACK_CACHE_MAX 8
static vaddr_t kstack_cache[KSTACK_CACHE_MAX];
static unsigned kstack_cache_n;

vaddr_t
kstack_alloc(void)
{
	uint64_t slot;
	vaddr_t top, va;

	spin_lock(&kstack_lock);
	if (kstack_cache_n > 0) {
		top = kstack_cache[--kstack_cache_n];
		spin_unlock(&kstack_lock);
		return top;
	}
	if (kstack_nfree > 0) {
		slot = kstack_free_slots[--kstack_nfree];
	} else if (kstack_next_slot < KSTACK_MAX) {
		slot = kstack_next_slot++;
	} else {
		spin_unlock(&kstack_lock);
		return 0;
	}
	spin_unlock(&kstack_lock);

	top = kstack_slot_top(slot);
	for (va = top - KSTACK_SIZE; va < top; va += PAGE_SIZE) {
		struct vm_page *pg = vm_page_alloc(0);

		if (pg == NULL ||
		    pmap_enter(pmap_kernel(), va, vm_page_to_phys(pg),
			VM_PROT_READ | VM_PROT_WRITE, 0) != 0) {
			if (pg != NULL)
				vm_page_free(pg);
			kstack_free_pages(top - KSTACK_SIZE, va);
			kstack_release_slot(slot);
			return 0;
		}
	}
	return top;
}

void
kstack_free(vaddr_t top)
{
	KASSERT(top > KVA_STACK_BASE && top <= KVA_STACK_BASE + KVA_STACK_SIZE);
	KASSERT((top - KVA_STACK_BASE) % KSTACK_SLOT == 0);
	spin_lock(&kstack_lock);
	if (kstack_cache_n < KSTACK_CACHE_MAX) {
		kstack_cache[kstack_cache_n++] = top;
		spin_unlock(&kstack_lock);
		return;
	}
	spin_unlock(&kstack_lock);
	kstack_free_pages(top - KSTACK_SIZE, top);
	kstack_release_slot((top - KVA_STACK_BASE) / KSTACK_SLOT - 1);
}

void
kstack_reclaim(void)
{
	vaddr_t top;

	for (;;) {
		spin_lock(&kstack_lock);
		top = kstack_cache_n > 0 ? kstack_cache[--kstack_cache_n] : 0;
		spin_unlock(&kstack_lock);
		if (top == 0)
			break;
		kstack_free_pages(top - KSTACK_SIZE, top);
		kstack_release_slot((top - KVA_STACK_BASE) / KSTACK_SLOT - 1);
	}
}
