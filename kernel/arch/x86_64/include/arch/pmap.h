/*
 * The machine-dependent half of the VM: x86_64 4-level page tables.
 *
 * Virtual memory layout (upper half shared by every pmap):
 *
 *   0x0000000000001000 .. 0x00007ffffffff000  user (VM_MIN/MAX_USER_ADDRESS)
 *   0xffff800000000000 .. +DMAP_SIZE          direct map of physical memory
 *   0xffffc00000000000 .. +KVA_STACK_SIZE     kernel stacks with guard pages
 *   0xffffc08000000000 .. +KVA_DEV_SIZE       device registers (uncached)
 *   0xffffffff80000000 .. kernel image        text r-x, rodata r--, data rw-
 *
 * The kernel half is made of PML4 entries created at boot and never
 * changed, so every pmap copies them once when it is created.
 */
#ifndef _ARCH_PMAP_H_
#define _ARCH_PMAP_H_

#include <types.h>
#include <param.h>
#include <spinlock.h>
#include <cpuset.h>
#include <vm/vm.h>
#include <vm/vm_phys.h>
#include <arch/cpu.h>

struct bootinfo;

#define KERNBASE 0xffffffff80000000UL /* the image is linked here */
#define DMAP_BASE 0xffff800000000000UL
#define DMAP_SIZE (1UL << 45) /* 32 TiB of physical memory at most */
#define KVA_STACK_BASE 0xffffc00000000000UL
#define KVA_STACK_SIZE (1UL << 39)
#define KVA_DEV_BASE 0xffffc08000000000UL
#define KVA_DEV_SIZE (1UL << 30)

#define PHYS_TO_DMAP(pa) ((void *)((uint64_t)(pa) + DMAP_BASE))
#define DMAP_TO_PHYS(va) ((paddr_t)((uint64_t)(va)-DMAP_BASE))

/* Page-table entry bits. */
#define PG_V 0x001UL
#define PG_RW 0x002UL
#define PG_U 0x004UL
#define PG_PWT 0x008UL
#define PG_PCD 0x010UL
#define PG_A 0x020UL
#define PG_M 0x040UL
#define PG_PS 0x080UL
#define PG_G 0x100UL
#define PG_NX (1UL << 63)
#define PG_PROTNONE 0x200UL /* software: a PROT_NONE user page, not present */
#define PTE_INUSE(e) (((e) & (PG_V | PG_PROTNONE)) != 0) /* holds a page */
#define PG_FRAME 0x000ffffffffff000UL

typedef uint64_t pt_entry_t;

/*
 * An address space's page tables.
 *
 * Locking.  pm_lock guards the tables below the PML4's user half and the
 * counts; ptshare_lock (pmap.c) guards the contents and share counts of
 * page tables shared since fork.  Every change to what a user pmap maps
 * is also made under the lock of the address space that owns it
 * (pm_owner_lock: the vmspace's vm_lock), which the functions below
 * that say so assert; that lock comes before pm_lock.
 *   (p)  pm_lock
 *   (c)  set by pmap_create, then constant until pmap_destroy
 *   (a)  atomic: each CPU sets and clears only its own bit
 */
struct pmap {
	/* (c) */
	pt_entry_t *pm_pml4; /* direct-map address of the PML4 */
	paddr_t pm_pml4_pa;
	struct spinlock *pm_owner_lock; /* the owner's lock; NULL: no owner */

	/* (p) */
	uint64_t pm_resident; /* user pages mapped (an estimate unlocked) */
	uint64_t pm_ptpages;  /* page-table pages below the PML4 */
	uint64_t pm_nshared;  /* PD entries read-only since fork (shared PTs) */
	struct vm_pglist pm_rsv; /* pages set aside by pmap_reserve */

	/*
	 * (a) CPUs (bit ci_index) that may hold translations of pm: those
	 * with its tables loaded (pmap_activate); for the kernel's pmap,
	 * every CPU that ran pmap_cpu_init.  TLB shootdowns go to them.
	 */
	cpuset_t pm_active;

	struct spinlock pm_lock;
};

/* pmap_enter flags */
#define PMAP_NOCACHE 0x1 /* uncached: device registers */
#define PMAP_WIRED 0x2

/*
 * Build the kernel's page tables (direct map, kernel image with its
 * section permissions, the fixed upper-half PML4 entries), switch to
 * them and drop the boot identity map.  Page-table pages come from the
 * start of bi->bi_usable, which is trimmed to match.  Boot CPU only.
 */
void pmap_bootstrap(struct bootinfo *bi);

/* The kernel's pmap: its user half is empty. */
struct pmap *pmap_kernel(void);

/*
 * Initialise pm as an empty user address space sharing the kernel half,
 * owned by the address space whose lock is owner_lock (NULL: a pmap with
 * no owner, as the self tests make).  Returns 0 or -ENOMEM.  No
 * requirements.
 */
int pmap_create(struct pmap *pm, struct spinlock *owner_lock);

/*
 * Free every page-table page of pm (mapped pages are not the pmap's and
 * must have been removed or be freed by the caller).  Nobody may use pm
 * any more and it must not be the caller's CPU's pmap; another CPU
 * still on it (an LWP that exited and has not yet switched away) is
 * moved to the kernel's page tables first.
 */
void pmap_destroy(struct pmap *pm);

/*
 * Map the page at va to physical page pa with prot, replacing any old
 * mapping.  In pmap_kernel() the mapping is kernel-only; in any other
 * pmap it is a user mapping.  Returns 0 or -ENOMEM (nothing changed).
 * The caller holds the lock of pm's owner, if it has one.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot,
    int flags);

/*
 * Unmap [sva, eva); holes are fine.  Empty page-table pages are freed.
 * The caller holds the lock of pm's owner, if it has one.
 */
void pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva);

/*
 * Set aside the pages that a change of user pmap pm over [sva, eva) will
 * need, so that the change cannot fail half-way: one for each page table
 * in the range still shared copy-on-write since fork (the change must
 * copy it first).  For a removal (remove true), a shared table that the
 * range covers whole is dropped instead and needs nothing, so at most two
 * pages are set aside.  Costs O(page tables in use in the range).
 * Returns 0, or -ENOMEM with nothing set aside.  The caller holds the
 * lock of pm's address space, so no fork adds sharing until it calls
 * pmap_unreserve.
 */
int pmap_reserve(struct pmap *pm, vaddr_t sva, vaddr_t eva, bool remove);

/*
 * Free what pmap_reserve set aside and the change did not use.  The
 * caller holds the lock of pm's address space.
 */
void pmap_unreserve(struct pmap *pm);

/*
 * The parts of pmap_reserve, for a caller that reserves for several
 * pmaps at once: how many pages the change needs (same rules); move n
 * pages from pool to pm's reserve; move what pm has left back to pool.
 * The caller holds the lock of pm's address space throughout.
 */
unsigned pmap_reserve_need(struct pmap *pm, vaddr_t sva, vaddr_t eva,
    bool remove);
void pmap_reserve_give(struct pmap *pm, struct vm_pglist *pool, unsigned n);
void pmap_reserve_take(struct pmap *pm, struct vm_pglist *pool);

/*
 * Change [sva, eva) to prot.  VM_PROT_NONE removes kernel mappings; a
 * user page with VM_PROT_NONE keeps its frame in a non-present entry
 * (PG_PROTNONE): every access faults and the contents are kept.  On a
 * user pmap the caller must have reserved the range (pmap_reserve).  The
 * caller holds the lock of pm's owner, if it has one.
 */
void pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot);

/*
 * Unmap every page of user pmap pm in [sva, eva) and hand each physical
 * page to release (called with pm->pm_lock held: it may only free).  A
 * page table shared since fork that the range covers whole is dropped
 * (its pages stay with the other sharers); one covered in part is copied
 * first, with a page the caller reserved (pmap_reserve) unless pm has no
 * shared tables there.  The caller holds the lock of pm's address space.
 */
void pmap_remove_pages(struct pmap *pm, vaddr_t sva, vaddr_t eva,
    void (*release)(paddr_t pa));

/*
 * True if the entry for user address va grants access (VM_PROT_READ,
 * WRITE or EXECUTE) now: present, writable for a write, executable for
 * an instruction fetch.  What a resolved fault must leave behind.  No
 * requirements.
 */
bool pmap_allows(struct pmap *pm, vaddr_t va, vm_prot_t access);

/*
 * Give dst (new and empty) the user mappings of src for fork by sharing
 * src's page tables: both lose write access to everything until a write
 * fault makes the PT private (pmap_unshare).  Returns 0 or -ENOMEM (dst
 * keeps what it got; the caller tears it down).  The caller holds the
 * locks of both pmaps' address spaces.
 */
int pmap_fork(struct pmap *dst, struct pmap *src);

/*
 * Make the page table covering va pm's own before a change the other
 * sharers must not see (a write fault's copy-on-write decision): a
 * shared PT is copied, its pages gaining a reference each and losing
 * write access.  0 or -ENOMEM.  The caller holds the lock of pm's owner,
 * if it has one (vm_fault_locked holds vm_lock), and no pmap lock.
 */
int pmap_unshare(struct pmap *pm, vaddr_t va);

/*
 * Drop pm's shares of page tables other pmaps still use, without
 * touching their pages: the cheap first step of tearing pm down.  The
 * caller holds the lock of pm's address space.
 */
void pmap_drop_shared(struct pmap *pm);

/*
 * The first mapped page at or after *va and below eva: sets *va and *pa
 * and returns true, or returns false.  Skips unmapped spans quickly.  No
 * requirements (pm_lock is taken; what it sees may change unless the
 * caller holds the lock of pm's owner).
 */
bool pmap_next_page(struct pmap *pm, vaddr_t *va, vaddr_t eva, paddr_t *pa);

/*
 * The physical address va maps to, in *pa; false if it is unmapped.  No
 * requirements (as for pmap_next_page).
 */
bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa);

/*
 * pmap_extract, and in *pt_own whether the page table holding va's entry
 * is pm's own, so that pmap_unshare(pm, va) has nothing to do (it stays
 * so while the caller holds the lock of pm's owner, which pmap_fork
 * needs).  No requirements.
 */
bool pmap_extract_own(struct pmap *pm, vaddr_t va, paddr_t *pa, bool *pt_own);

/*
 * pmap_extract_own for a run of pages: the pages from va (page aligned)
 * that are resident one after another, at most n and all in the page
 * table holding va's entry.  Sets pa[0..count) to their physical
 * addresses and *pt_own as pmap_extract_own, and returns the count: 0
 * when va itself is not resident, or is in a large page (pmap_extract
 * finds those).  Takes pm_lock once.  No requirements (what it sees
 * stays so while the caller holds the lock of pm's owner).
 */
unsigned pmap_extract_run(struct pmap *pm, vaddr_t va, unsigned n, paddr_t *pa,
    bool *pt_own);

/*
 * Load pm's page tables on this CPU, which leaves the pmap it had (the
 * CPU's ci_pmap) and joins pm's pm_active.  No requirements.
 */
void pmap_activate(struct pmap *pm);

extern struct pmap kernel_pmap_store; /* pmap_kernel() (pmap.c) */

/*
 * pmap_activate with interrupts already masked: inline, as in a guest's
 * round trip.
 */
static inline __attribute__((always_inline)) void
pmap_activate_masked(struct pmap *pm)
{
	struct cpu_info *ci = curcpu();
	struct pmap *old = ci->ci_pmap;
	cpuset_t self = ci->ci_cpubit;

	KASSERT(old != NULL); /* pmap_cpu_init has run here */
	if (old != pm) {
		/*
		 * Join pm_active before loading CR3 (the atomic is a full
		 * barrier): an initiator either sees the bit or changed its
		 * entries before this CPU walks them.  Leave the old pmap's
		 * set only after the load, which dropped its translations.
		 */
		if (pm != &kernel_pmap_store)
			__atomic_or_fetch(&pm->pm_active, self,
			    __ATOMIC_SEQ_CST);
		lcr3(pm->pm_pml4_pa);
		ci->ci_pmap = pm;
		if (old != &kernel_pmap_store)
			__atomic_and_fetch(&old->pm_active, ~self,
			    __ATOMIC_RELEASE);
	}
}

/*
 * pmap_activate_masked for a guest's round trip, where the caller knows
 * both sides: from, loaded here, and to, both user pmaps and not the
 * same (a process's and one of its vmspaces').  Interrupts masked.
 */
static inline __attribute__((always_inline)) void
pmap_switch_user(struct pmap *from, struct pmap *to)
{
	struct cpu_info *ci = curcpu();
	cpuset_t self = ci->ci_cpubit;

	KASSERT(ci->ci_pmap == from);
	/* As pmap_activate_masked: join to, load, then leave from. */
	__atomic_or_fetch(&to->pm_active, self, __ATOMIC_SEQ_CST);
	lcr3(to->pm_pml4_pa);
	ci->ci_pmap = to;
	__atomic_and_fetch(&from->pm_active, ~self, __ATOMIC_RELEASE);
}

/*
 * Make this CPU a target of the kernel pmap's TLB shootdowns and flush
 * its TLB: from here on it must answer IPI_TLB (take interrupts, or poll
 * while it spins with them masked), and it may use the kernel pmap and
 * pmap_activate.  Every CPU once, with interrupts masked, on the
 * kernel's page tables, before it touches memory that kernel mappings
 * come and go in (kernel stacks); pmap_bootstrap does it for the boot
 * CPU.
 */
void pmap_cpu_init(void);

/*
 * Make every CPU drop all its translations of the kernel's pmap, global
 * ones too, for a change made to its tables outside these functions
 * (mp.c's start-up identity map).  No requirements.
 */
void pmap_kernel_flush(void);

/*
 * Answer the cross-CPU calls (TLB shootdowns) made to this CPU: IPI_TLB,
 * from ipi_poll (tlb.c).  Interrupts masked.
 */
void pmap_tlb_ipi(void);

/*
 * Map len bytes of device registers at physical pa, uncached, in the
 * device area.  Returns the virtual address, or NULL when out of space
 * or memory.  Boot-time and driver use; never unmapped.
 */
void *pmap_mapdev(paddr_t pa, size_t len);

/*
 * Allocate a kernel stack of KSTACK_SIZE bytes below an unmapped guard
 * page.  Returns its top (the initial stack pointer), or 0 when out of
 * memory.  kstack_free takes that same top.  No requirements.
 */
vaddr_t kstack_alloc(void);
void kstack_free(vaddr_t top);

/* Free the kernel stacks kept for reuse after kstack_free. */
void kstack_reclaim(void);

/*
 * Give back the pages kept for reuse (freed kernel stacks, PML4 pages of
 * destroyed pmaps), so that kstat's free-page count sees them.
 */
void pmap_reclaim(void);

#endif /* !_ARCH_PMAP_H_ */
