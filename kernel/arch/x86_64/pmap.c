/*
 * x86_64 page tables behind the pmap interface (<arch/pmap.h>).
 *
 * Four levels: PML4 -> PDPT -> PD -> PT, 512 entries each.  Every
 * page-table page below a PML4 that came from the page allocator keeps
 * in its vm_page's pg_refcnt the number of valid entries it holds, so a
 * table that becomes empty is freed at once.  The tables built at boot
 * (the kernel half) are not managed pages and are never freed.
 *
 * Locking: pm_lock guards a pmap's tables.  The kernel half is shared by
 * every pmap; its PML4 entries are made at boot and never change, and its
 * lower tables are changed only under kernel_pmap's lock.  Order: the
 * owner's lock (vm_lock), pm_lock, ptshare_lock, then the page
 * allocator's; a pmap_fork holds src's pm_lock before dst's.  A
 * shootdown (below) may wait for other CPUs with any of these held.
 *
 * Fork shares page tables holding more than a few pages (pmap_fork): the
 * child's PD entries point at the parent's PTs, and both PD entries lose
 * write access, so the whole 2 MiB span is read-only for both.  (Sparse
 * PTs are copied entry by entry, the pages shared read-only.)  pg_ptshare counts the pmaps using a
 * PT.  The first write through a shared PT faults, and pmap_pt_own gives
 * the writer its own copy: every page then gains a reference (pg_refcnt
 * of a user page counts the PTs holding it) and loses write access in
 * both copies, so the page itself is copied on write (vm_fault.c).  A
 * pmap that is torn down only drops its shares (pmap_drop_shared).  So
 * fork and exit cost O(page tables), not O(pages).  ptshare_lock guards
 * the contents of shared PTs and their share counts.
 *
 * TLB.  pm_active is the set of CPUs that may hold translations of a
 * pmap: pmap_activate sets the CPU's bit (an atomic OR, a full barrier)
 * before it loads CR3, and clears its bit in the pmap it leaves (its
 * ci_pmap) after the load, which dropped that pmap's translations and
 * cached directory entries.  The kernel's pmap is active on every CPU
 * that ran pmap_cpu_init (which sets the bit, then flushes), and its
 * entries are global.
 *
 * A function that changes or clears present entries collects, under
 * pm_lock, one batch per call (struct pmap_batch): up to PMAP_INVLPG_MAX
 * addresses, or "all of pm" beyond; the frames it unmapped; the page
 * tables that emptied.  At the end (pmap_batch_flush, still under
 * pm_lock) it invalidates on this CPU if pm is loaded here, then reads
 * pm_active and sends one cross-CPU call (tlb.c) to the other CPUs in
 * it, each of which invalidates (invlpg per page, else a CR3 reload, or
 * for the kernel's pmap a CR4.PGE toggle that drops global entries too)
 * and answers; the initiator waits for every answer.  Only then are the
 * frames released and, after pm_lock is dropped, the page tables freed:
 * no CPU can still reach a page or walk a table through a stale entry.
 * A batch whose frame list fills up is flushed early if pm is loaded on
 * another CPU (a huge unmap then sends one shootdown per
 * PMAP_BATCH_PAGES released pages), else its frames are released at
 * once (pmap_batch_unmapped).
 *
 * Memory order: the entries are written, then pm_active is read; this
 * CPU's own invlpg or CR3/CR4 write is serializing and orders the two,
 * and without a local invalidation a fence does.  With pmap_activate's
 * order (bit, then CR3) a CPU that the initiator does not see in
 * pm_active walks the new entries.  A CPU that left pm after the read
 * finds its ci_pmap changed and skips the invalidation.  The fast path
 * (pm active on this CPU alone) costs the local invlpgs and one load,
 * no atomic and no IPI.
 *
 * Shared page tables: a CPU running pm may cache pm's PD entry for a PT
 * shared since fork.  Whoever gives up pm's share of such a PT
 * (pmap_pt_own, pmap_drop_shared_pt, pmap_drop_shared) makes every CPU
 * drop its translations of pm before releasing ptshare_lock, because
 * the last other sharer may free that PT as soon as it takes the lock.
 * pmap_fork makes src's CPUs drop their writable translations before it
 * returns.  pmap_destroy moves any CPU still on pm (an exited LWP not
 * yet switched away) to the kernel's tables before freeing them.
 *
 * Deadlock: an initiator waits with interrupts masked and possibly
 * pm_lock, vm_lock or ptshare_lock held, answering calls made to it
 * meanwhile (ipi_poll); a CPU spinning for one of those locks answers
 * from spin_lock.  So two initiators, or an initiator and a CPU waiting
 * for its lock, always both finish.
 */
#include <systm.h>
#include <bootinfo.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/pmap.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include "tlb.h"

#define NPTE 512
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT 21
#define PDPT_MASK ((1UL << PDPT_SHIFT) - 1) /* within a 1 GiB page */
#define PD_MASK ((1UL << PD_SHIFT) - 1)     /* within a 2 MiB page */
#define NBPDP (1UL << PDPT_SHIFT) /* bytes mapped by a PDPT entry: 1 GiB */
#define NBPD (1UL << PD_SHIFT)    /* bytes mapped by a PD entry: 2 MiB */
#define PMAP_INVLPG_MAX 32

#define pl4_index(va) (((va) >> PML4_SHIFT) & (NPTE - 1))
#define pl3_index(va) (((va) >> PDPT_SHIFT) & (NPTE - 1))
#define pl2_index(va) (((va) >> PD_SHIFT) & (NPTE - 1))
#define pl1_index(va) (((va) >> PAGE_SHIFT) & (NPTE - 1))

#define KERNEL_PL4_FIRST 256 /* PML4 slots 256..511 are the kernel half */

struct pmap kernel_pmap_store; /* pmap_kernel(); pmap.h's inline reads it */
static struct spinlock ptshare_lock = SPINLOCK_INITIALIZER("ptshare");
static pt_entry_t pg_nx; /* PG_NX when the CPU has it */
static pt_entry_t pg_g;  /* PG_G when the CPU has it */

extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_end[];

struct pmap *
pmap_kernel(void)
{
	return &kernel_pmap_store;
}

/*
 * True if the caller holds the lock of the address space that owns pm
 * (pm_owner_lock), or pm has no owner (the kernel's pmap, a test's).
 * For the assertions of the functions that change what pm maps.  No
 * requirements.
 */
static bool
pmap_owner_locked(const struct pmap *pm)
{
	return pm->pm_owner_lock == NULL || spin_held(pm->pm_owner_lock);
}

/* The direct-map address of the table a directory entry points at. */
static inline pt_entry_t *
pmap_table(pt_entry_t entry)
{
	return PHYS_TO_DMAP(entry & PG_FRAME);
}

/*
 * Boot-time page-table pages: taken in order from the first usable range
 * below 4 GiB (reachable through the boot identity map) and removed from
 * bi_usable at the end of pmap_bootstrap.
 */
static paddr_t boot_ptp_start, boot_ptp_next, boot_ptp_end;
static bool pmap_bootstrapped;

/*
 * The next boot page-table page, zeroed, at its identity-mapped address,
 * with its physical address in *pa; panics when the boot range is used
 * up.  Boot CPU only, before the switch to the kernel's page tables.
 */
static pt_entry_t *
boot_ptp_alloc(paddr_t *pa)
{
	pt_entry_t *p;

	if (boot_ptp_next + PAGE_SIZE > boot_ptp_end)
		panic("pmap: no memory for the kernel's page tables");
	*pa = boot_ptp_next;
	boot_ptp_next += PAGE_SIZE;
	p = (pt_entry_t *)*pa; /* identity-mapped until the switch */
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* The bits for a leaf mapping with prot in pm.  No requirements. */
static pt_entry_t
pmap_prot_bits(struct pmap *pm, vm_prot_t prot, int flags)
{
	pt_entry_t bits = PG_V;

	/*
	 * A user page with no access keeps its frame in a non-present entry
	 * marked PG_PROTNONE, so every access faults, the kernel's too.
	 */
	if (pm != pmap_kernel() && (prot & VM_PROT_ALL) == 0)
		return PG_PROTNONE;
	if (prot & VM_PROT_WRITE)
		bits |= PG_RW;
	if ((prot & VM_PROT_EXECUTE) == 0)
		bits |= pg_nx;
	if (pm == pmap_kernel())
		bits |= pg_g;
	else
		bits |= PG_U;
	if (flags & PMAP_NOCACHE)
		bits |= PG_PCD | PG_PWT;
	return bits;
}

/*
 * Build the direct map of [0, top) with the largest pages the CPU has,
 * using boot page-table pages.  The identity map is still in force.
 * Boot CPU only.
 */
static void
pmap_bootstrap_dmap(pt_entry_t *pml4, paddr_t top)
{
	pt_entry_t leaf = PG_V | PG_RW | PG_A | PG_M | pg_g | pg_nx;

	for (paddr_t pa = 0; pa < top;) {
		vaddr_t va = (vaddr_t)PHYS_TO_DMAP(pa);
		pt_entry_t *pdpt, *pd;
		paddr_t tpa;

		if ((pml4[pl4_index(va)] & PG_V) == 0) {
			pdpt = boot_ptp_alloc(&tpa);
			pml4[pl4_index(va)] = tpa | PG_V | PG_RW;
		}
		pdpt = (pt_entry_t *)(pml4[pl4_index(va)] & PG_FRAME);
		if (cpu_features.cf_pdpe1gb) {
			pdpt[pl3_index(va)] = pa | leaf | PG_PS;
			pa += NBPDP;
			continue;
		}
		pd = boot_ptp_alloc(&tpa);
		pdpt[pl3_index(va)] = tpa | PG_V | PG_RW;
		for (int i = 0; i < NPTE; i++, pa += NBPD)
			pd[i] = pa | leaf | PG_PS;
	}
}

/*
 * Map the kernel image from .text on with 4 KiB pages and section
 * permissions, using boot page-table pages.  Boot CPU only.
 */
static void
pmap_bootstrap_kernel(pt_entry_t *pml4)
{
	vaddr_t va;

	for (va = (vaddr_t)kernel_text_start; va < (vaddr_t)kernel_end;
	     va += PAGE_SIZE) {
		pt_entry_t *pdpt, *pd, *pt, bits;
		paddr_t tpa;

		if ((pml4[pl4_index(va)] & PG_V) == 0) {
			boot_ptp_alloc(&tpa);
			pml4[pl4_index(va)] = tpa | PG_V | PG_RW;
		}
		pdpt = (pt_entry_t *)(pml4[pl4_index(va)] & PG_FRAME);
		if ((pdpt[pl3_index(va)] & PG_V) == 0) {
			boot_ptp_alloc(&tpa);
			pdpt[pl3_index(va)] = tpa | PG_V | PG_RW;
		}
		pd = (pt_entry_t *)(pdpt[pl3_index(va)] & PG_FRAME);
		if ((pd[pl2_index(va)] & PG_V) == 0) {
			boot_ptp_alloc(&tpa);
			pd[pl2_index(va)] = tpa | PG_V | PG_RW;
		}
		pt = (pt_entry_t *)(pd[pl2_index(va)] & PG_FRAME);

		bits = PG_V | PG_A | pg_g;
		if (va < (vaddr_t)kernel_text_end)
			; /* text: read and execute */
		else if (va >= (vaddr_t)kernel_rodata_start &&
		    va < (vaddr_t)kernel_data_start)
			bits |= pg_nx; /* rodata: read only */
		else
			bits |= PG_RW | PG_M | pg_nx; /* data, bss, symbols */
		pt[pl1_index(va)] = (va - KERNBASE) | bits;
	}
}

void
pmap_bootstrap(struct bootinfo *bi)
{
	struct pmap *kpm = &kernel_pmap_store;
	pt_entry_t *pml4;
	paddr_t top = 4UL << 30, pml4_pa;
	static const vaddr_t fixed_slots[] = { KVA_STACK_BASE, KVA_DEV_BASE };

	pg_nx = cpu_features.cf_nx ? PG_NX : 0;
	pg_g = cpu_features.cf_pge ? PG_G : 0;

	/* Memory that may hold RAM or firmware tables; at least 4 GiB. */
	for (size_t i = 0; i < bi->bi_nmemmap; i++) {
		const struct bi_range *r = &bi->bi_memmap[i];
		if (r->type == BI_MEM_USABLE ||
		    r->type == BI_MEM_ACPI_RECLAIMABLE ||
		    r->type == BI_MEM_ACPI_NVS)
			top = MAX(top, r->end);
	}
	top = roundup2(top, NBPDP);
	if (top > DMAP_SIZE) {
		kprintf("pmap: physical memory above %lu GiB is not used\n",
		    DMAP_SIZE >> 30);
		top = DMAP_SIZE;
	}

	/* Page-table pages come from the first usable range below 4 GiB with 1 MiB free. */
	for (size_t i = 0; i < bi->bi_nusable; i++) {
		const struct bi_range *r = &bi->bi_usable[i];
		if (r->end <= (4UL << 30) && r->end - r->start >= (1UL << 20)) {
			boot_ptp_start = boot_ptp_next = r->start;
			boot_ptp_end = r->start + (1UL << 20);
			break;
		}
	}
	if (boot_ptp_end == 0)
		panic(
		    "pmap: no usable 1 MiB below 4 GiB for the kernel's page tables");

	pml4 = boot_ptp_alloc(&pml4_pa);
	pmap_bootstrap_dmap(pml4, top);
	pmap_bootstrap_kernel(pml4);
	for (size_t i = 0; i < ARRAY_SIZE(fixed_slots); i++) {
		paddr_t tpa;
		boot_ptp_alloc(&tpa);
		pml4[pl4_index(fixed_slots[i])] = tpa | PG_V | PG_RW;
	}

	lcr3(pml4_pa); /* the identity map is gone from here on */

	kpm->pm_pml4 = PHYS_TO_DMAP(pml4_pa);
	kpm->pm_pml4_pa = pml4_pa;
	spinlock_init(&kpm->pm_lock, "kernel_pmap");
	pmap_bootstrapped = true;
	pmap_cpu_init();
	bootinfo_reserve(bi, boot_ptp_start, boot_ptp_next);
	kprintf(
	    "pmap: direct map of %lu MiB with %s pages, %lu page-table pages\n",
	    top >> 20, cpu_features.cf_pdpe1gb ? "1 GiB" : "2 MiB",
	    (boot_ptp_next - boot_ptp_start) / PAGE_SIZE);
}

/*
 * Flush this CPU's TLB of pm's mappings: every non-global entry, and the
 * global ones too for the kernel's pmap.  No requirements.
 */
static void
pmap_flush_all(struct pmap *pm)
{
	if (pm == pmap_kernel() && pg_g != 0) {
		uint64_t cr4 = rcr4();
		lcr4(cr4 & ~(uint64_t)CR4_PGE); /* drops global entries too */
		lcr4(cr4);
	} else {
		lcr3(rcr3());
	}
}

/*
 * TLB shootdown (see the head comment).  A function that changes or
 * clears entries of pm collects in a batch the addresses to invalidate
 * and what may be freed only once no CPU can still translate through
 * the old entries: the frames of unmapped pages (handed to a release
 * function) and emptied page-table pages.  pmap_batch_flush makes every
 * CPU in pm_active invalidate, waits for them, then releases the
 * frames; pmap_batch_free frees the page tables after pm_lock is
 * dropped.  A batch lives on the stack of one call, under pm_lock.
 */
#define PMAP_BATCH_PAGES 64

/* What each CPU invalidates: up to PMAP_INVLPG_MAX pages, or all of pm. */
struct pmap_inval {
	struct pmap *pi_pmap;
	unsigned pi_nva; /* > PMAP_INVLPG_MAX: everything of pi_pmap */
	vaddr_t pi_va[PMAP_INVLPG_MAX];
};

struct pmap_batch {
	struct pmap_inval pb_inval;
	void (*pb_release)(paddr_t pa); /* for pb_pa; NULL: keep frames */
	unsigned pb_npa;
	paddr_t pb_pa[PMAP_BATCH_PAGES]; /* unmapped, not yet released */
	struct vm_pglist pb_ptp;         /* emptied tables, not yet freed */
};

/* An empty batch for pm.  No requirements. */
static void
pmap_batch_init(struct pmap_batch *pb, struct pmap *pm,
    void (*release)(paddr_t pa))
{
	pb->pb_inval.pi_pmap = pm;
	pb->pb_inval.pi_nva = 0;
	pb->pb_release = release;
	pb->pb_npa = 0;
	LIST_INIT(&pb->pb_ptp);
}

/* Invalidate the page at va too.  No requirements. */
static void
pmap_batch_va(struct pmap_batch *pb, vaddr_t va)
{
	struct pmap_inval *pi = &pb->pb_inval;

	if (pi->pi_nva < PMAP_INVLPG_MAX)
		pi->pi_va[pi->pi_nva] = va;
	if (pi->pi_nva <= PMAP_INVLPG_MAX)
		pi->pi_nva++;
}

/* Invalidate all of the batch's pmap.  No requirements. */
static void
pmap_batch_all(struct pmap_batch *pb)
{
	pb->pb_inval.pi_nva = PMAP_INVLPG_MAX + 1;
}

/*
 * Invalidate on this CPU what pi names, if pi's pmap is loaded here (the
 * kernel's always is).  A CPU that has loaded other tables since the
 * initiator read pm_active has nothing left to drop: the CR3 load
 * flushed pm's entries and cached directory entries.  Runs on the
 * initiator and, through tlb_call, on every other CPU in pm_active, with
 * interrupts masked.
 */
static void
pmap_inval_run(void *arg)
{
	const struct pmap_inval *pi = arg;

	if (pi->pi_pmap != pmap_kernel() && curcpu()->ci_pmap != pi->pi_pmap)
		return;
	if (pi->pi_nva > PMAP_INVLPG_MAX) {
		pmap_flush_all(pi->pi_pmap);
		return;
	}
	/* invlpg also drops cached directory entries (and global entries). */
	for (unsigned i = 0; i < pi->pi_nva; i++)
		invlpg(pi->pi_va[i]);
}

/*
 * Make every CPU drop what pi names, and return when all have.  The
 * entries were changed before the call; this CPU's own invalidation
 * (invlpg and CR3/CR4 writes are serializing), or else a fence, orders
 * those stores before the read of pm_active, as pmap_activate orders
 * setting its bit before loading CR3: a CPU that pm_active does not yet
 * show will walk the new entries.  The caller holds pi's pmap's
 * pm_lock (or, for pmap_destroy's callers, owns it alone).
 */
static void
pmap_inval_everywhere(struct pmap_inval *pi)
{
	struct pmap *pm = pi->pi_pmap;
	cpuset_t others;

	if (pi->pi_nva == 0)
		return;
	if (pm == pmap_kernel() || curcpu()->ci_pmap == pm)
		pmap_inval_run(pi);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	others = __atomic_load_n(&pm->pm_active, __ATOMIC_RELAXED) &
	    ~CPUSET_BIT(curcpu()->ci_index);
	if (__predict_false(others != 0))
		tlb_call(others, pmap_inval_run, pi);
	pi->pi_nva = 0;
}

/*
 * Invalidate what pb holds on every CPU, then release its frames.  Its
 * page tables wait for pmap_batch_free.  The caller holds the pmap's
 * pm_lock.
 */
static void
pmap_batch_flush(struct pmap_batch *pb)
{
	KASSERT(spin_held(&pb->pb_inval.pi_pmap->pm_lock));
	pmap_inval_everywhere(&pb->pb_inval);
	for (unsigned i = 0; i < pb->pb_npa; i++)
		pb->pb_release(pb->pb_pa[i]);
	pb->pb_npa = 0;
}

/*
 * The page at va, which mapped frame pa (through a present entry if
 * present), is unmapped: invalidate it, and release pa after that.
 * When the batch's frames fill it and no other CPU has the pmap loaded
 * (read after a fence, so a CPU loading it later walks the cleared
 * entries), they are released at once: this CPU does not touch user
 * pages before the batch's final flush.  Otherwise the batch is
 * flushed.  The caller holds the pmap's pm_lock.
 */
static void
pmap_batch_unmapped(struct pmap_batch *pb, vaddr_t va, paddr_t pa, bool present)
{
	struct pmap *pm = pb->pb_inval.pi_pmap;

	if (present)
		pmap_batch_va(pb, va);
	if (pb->pb_release == NULL)
		return;
	pb->pb_pa[pb->pb_npa++] = pa;
	if (pb->pb_npa < PMAP_BATCH_PAGES)
		return;
	KASSERT(pm != pmap_kernel()); /* frames are released for user pmaps */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((__atomic_load_n(&pm->pm_active, __ATOMIC_RELAXED) &
		~CPUSET_BIT(curcpu()->ci_index)) != 0) {
		pmap_batch_flush(pb);
		return;
	}
	for (unsigned i = 0; i < pb->pb_npa; i++)
		pb->pb_release(pb->pb_pa[i]);
	pb->pb_npa = 0;
}

/*
 * Free the page tables of a flushed batch.  The caller holds no pmap
 * lock.
 */
static void
pmap_batch_free(struct pmap_batch *pb)
{
	struct vm_page *pg;

	KASSERT(pb->pb_inval.pi_nva == 0 && pb->pb_npa == 0);
	while ((pg = LIST_FIRST(&pb->pb_ptp)) != NULL) {
		LIST_REMOVE(pg, pg_list);
		vm_page_free_zeroed(pg);
	}
}

/*
 * Make every CPU drop all its translations of pm, and return when they
 * have.  The caller holds pm->pm_lock.
 */
static void
pmap_inval_all(struct pmap *pm)
{
	struct pmap_inval pi = { .pi_pmap = pm, .pi_nva = PMAP_INVLPG_MAX + 1 };

	KASSERT(spin_held(&pm->pm_lock));
	pmap_inval_everywhere(&pi);
}

void
pmap_cpu_init(void)
{
	struct pmap *kpm = pmap_kernel();
	struct cpu_info *ci = curcpu();

	KASSERT(!intr_enabled());
	KASSERT(ci->ci_pmap == NULL && rcr3() == kpm->pm_pml4_pa);
	KASSERT(ci->ci_cpubit == CPUSET_BIT(ci->ci_index));
	ci->ci_pmap = kpm;
	/* The bit before the flush: a change made later is shot down here. */
	__atomic_or_fetch(&kpm->pm_active, CPUSET_BIT(ci->ci_index),
	    __ATOMIC_SEQ_CST);
	pmap_flush_all(kpm);
}

void
pmap_kernel_flush(void)
{
	struct pmap *kpm = pmap_kernel();

	spin_lock(&kpm->pm_lock);
	pmap_inval_all(kpm);
	spin_unlock(&kpm->pm_lock);
}

/*
 * Note one more valid entry in pm's table page at pa, if it is managed.
 * The caller must hold pm->pm_lock.
 */
static void
ptp_hold(struct pmap *pm, paddr_t pa)
{
	struct vm_page *pg;

	KASSERT(spin_held(&pm->pm_lock));
	pg = vm_page_from_phys(pa);
	if (pg != NULL)
		pg->pg_refcnt++;
}

/*
 * Note n fewer valid entries in the managed table page at pa, one of
 * pm's, which maps va.  Returns true if it is now empty: it then goes
 * to pb, to be freed after pb's flush, and va joins pb so that the
 * flush drops the CPUs' cached directory entries pointing at it.  Boot
 * tables are never freed.  The caller must hold pm->pm_lock.
 */
static bool
ptp_rele_n(struct pmap *pm, paddr_t pa, unsigned n, vaddr_t va,
    struct pmap_batch *pb)
{
	struct vm_page *pg;

	KASSERT(spin_held(&pm->pm_lock));
	pg = vm_page_from_phys(pa);
	if (pg == NULL)
		return false;
	KASSERT(pg->pg_refcnt >= (int32_t)n);
	pg->pg_refcnt -= n;
	if (pg->pg_refcnt > 0)
		return false;
	LIST_INSERT_HEAD(&pb->pb_ptp, pg, pg_list); /* every entry is 0 */
	pmap_batch_va(pb, va);
	pm->pm_ptpages--;
	return true;
}

/*
 * The entry for va in the table `depth` levels below the PML4 (3: the
 * PTE, 2: the PD entry), allocating missing tables when alloc is set.
 * Returns NULL when a table is missing (and alloc is false) or cannot be
 * allocated.  The caller must hold pm->pm_lock.
 */
static pt_entry_t *
pmap_walk(struct pmap *pm, vaddr_t va, bool alloc, int depth)
{
	pt_entry_t *table = pm->pm_pml4;
	pt_entry_t dirbits = PG_V | PG_RW | (pm == pmap_kernel() ? 0 : PG_U);
	paddr_t table_pa = pm->pm_pml4_pa;
	static const int shifts[4] = { PML4_SHIFT, PDPT_SHIFT, PD_SHIFT,
		PAGE_SHIFT };

	KASSERT(spin_held(&pm->pm_lock));
	for (int level = 0; level < depth; level++) {
		pt_entry_t *e = &table[(va >> shifts[level]) & (NPTE - 1)];

		if ((*e & PG_V) == 0) {
			struct vm_page *pg;

			if (!alloc)
				return NULL;
			pg = vm_page_alloc(VM_ALLOC_ZERO);
			if (pg == NULL)
				return NULL;
			pg->pg_flags |= PG_PTP;
			pg->pg_refcnt = 0;
			pg->pg_ptshare = 1;
			pg->pg_ptlo = NPTE;
			pg->pg_pthi = 0;
			pm->pm_ptpages++;
			*e = vm_page_to_phys(pg) | dirbits;
			if (level > 0)
				ptp_hold(pm, table_pa);
		}
		KASSERT(
		    (*e & PG_PS) == 0); /* large pages only in the direct map */
		table_pa = *e & PG_FRAME;
		table = pmap_table(*e);
	}
	return &table[(va >> shifts[depth]) & (NPTE - 1)];
}

/* The PTE for va; see pmap_walk.  The caller must hold pm->pm_lock. */
static pt_entry_t *
pmap_pte(struct pmap *pm, vaddr_t va, bool alloc)
{
	KASSERT(spin_held(&pm->pm_lock));
	return pmap_walk(pm, va, alloc, 3);
}

/*
 * The range [*lo, *hi) of entries of page table t, one of pm's, that may
 * be in use (all of it for a boot table).  The caller must hold
 * pm->pm_lock.
 */
static void
pt_hint_get(struct pmap *pm, const pt_entry_t *t, unsigned *lo, unsigned *hi)
{
	struct vm_page *pg;

	KASSERT(spin_held(&pm->pm_lock));
	pg = vm_page_from_phys(DMAP_TO_PHYS(t));
	*lo = pg != NULL ? pg->pg_ptlo : 0;
	*hi = pg != NULL ? pg->pg_pthi : NPTE;
}

/*
 * The entry pte of one of pm's page tables, which pm alone uses, is now
 * in use: widen the table's hint to cover it.  The caller must hold
 * pm->pm_lock.
 */
static void
pt_hint_add(struct pmap *pm, pt_entry_t *pte)
{
	paddr_t pa = DMAP_TO_PHYS(pte);
	struct vm_page *pg;
	unsigned i = (pa & PAGE_MASK) / sizeof(pt_entry_t);

	KASSERT(spin_held(&pm->pm_lock));
	pg = vm_page_from_phys(pa & ~PAGE_MASK);
	if (pg == NULL)
		return;
	if (i < pg->pg_ptlo)
		pg->pg_ptlo = i;
	if (i >= pg->pg_pthi)
		pg->pg_pthi = i + 1;
}

/* One more PT referencing the user page at pa.  No requirements. */
static void
user_page_hold(paddr_t pa)
{
	__atomic_add_fetch(&vm_page_from_phys(pa)->pg_refcnt, 1,
	    __ATOMIC_RELAXED);
}

static unsigned pte_find_used(const pt_entry_t *t, unsigned from, unsigned to);
static void pmap_pde_cleared(struct pmap *pm, vaddr_t va,
    struct pmap_batch *pb);

/*
 * Make the PT that the PD entry pde points at (if any) pm's own and
 * writable again: a PT still shared after fork is copied (its pages gain
 * a reference and lose write access in both copies); one that pm alone
 * uses just gets its PD entry's write access back.  Either way every CPU
 * drops its translations of pm before this returns; for a copy, before
 * pm's share of the old PT is given up (under ptshare_lock), since the
 * last other sharer may free that PT as soon as it is.  Returns 0 or
 * -ENOMEM (nothing changed).  The caller holds pm->pm_lock.
 */
static int
pmap_pt_own(struct pmap *pm, pt_entry_t *pde)
{
	struct vm_page *pg, *npg;
	pt_entry_t *src, *dst;

	KASSERT(spin_held(&pm->pm_lock));
	if ((*pde & PG_V) == 0 || (*pde & PG_RW) != 0)
		return 0;
	pg = vm_page_from_phys(*pde & PG_FRAME);
	spin_lock(&ptshare_lock);
	if (pg->pg_ptshare > 1) {
		if ((npg = LIST_FIRST(&pm->pm_rsv)) != NULL)
			LIST_REMOVE(npg, pg_list);
		else
			npg = vm_page_alloc(0);
		if (npg == NULL) {
			spin_unlock(&ptshare_lock);
			return -ENOMEM;
		}
		src = vm_page_kva(pg);
		dst = vm_page_kva(npg);
		for (unsigned i = pte_find_used(src, pg->pg_ptlo, pg->pg_pthi);
		     i < pg->pg_pthi;
		     i = pte_find_used(src, i + 1, pg->pg_pthi)) {
			src[i] &= ~PG_RW;
			user_page_hold(src[i] & PG_FRAME);
		}
		memcpy(dst, src, PAGE_SIZE);
		npg->pg_flags |= PG_PTP;
		npg->pg_refcnt = pg->pg_refcnt;
		npg->pg_ptshare = 1;
		npg->pg_ptlo = pg->pg_ptlo;
		npg->pg_pthi = pg->pg_pthi;
		pm->pm_ptpages++;
		*pde = vm_page_to_phys(npg) | (*pde & ~PG_FRAME) | PG_RW;
		/* A PD entry changed: its whole span goes, everywhere. */
		pmap_inval_all(pm);
		pg->pg_ptshare--;
		spin_unlock(&ptshare_lock);
	} else {
		spin_unlock(&ptshare_lock);
		*pde |= PG_RW;
		pmap_inval_all(pm);
	}
	KASSERT(pm->pm_nshared > 0);
	pm->pm_nshared--;
	return 0;
}

/* pmap_pt_own for the PT covering va.  The caller holds pm->pm_lock. */
static int
pmap_pt_own_va(struct pmap *pm, vaddr_t va)
{
	pt_entry_t *pde;

	KASSERT(spin_held(&pm->pm_lock));
	if (pm == pmap_kernel())
		return 0;
	pde = pmap_walk(pm, va, false, 2);
	return pde != NULL ? pmap_pt_own(pm, pde) : 0;
}

int
pmap_unshare(struct pmap *pm, vaddr_t va)
{
	int error;

	KASSERT(pmap_owner_locked(pm));
	spin_lock(&pm->pm_lock);
	error = pmap_pt_own_va(pm, va);
	spin_unlock(&pm->pm_lock);
	return error;
}

int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int flags)
{
	pt_entry_t *pte, old, new;
	struct pmap_inval pi = { .pi_pmap = pm, .pi_nva = 0 };

	KASSERT(pmap_owner_locked(pm));
	KASSERT((va & PAGE_MASK) == 0 && (pa & PAGE_MASK) == 0);
	KASSERT(
	    pm == pmap_kernel() ? va >= DMAP_BASE : va < VM_MAX_USER_ADDRESS);

	spin_lock(&pm->pm_lock);
	pte = pmap_pt_own_va(pm, va) == 0 ? pmap_pte(pm, va, true) : NULL;
	if (pte == NULL) {
		spin_unlock(&pm->pm_lock);
		return -ENOMEM;
	}
	old = *pte;
	new = pa | pmap_prot_bits(pm, prot, flags);
	*pte = new;
	if (!PTE_INUSE(old)) {
		pt_hint_add(pm, pte);
		ptp_hold(pm, DMAP_TO_PHYS(pte) & ~PAGE_MASK);
		if (pm != pmap_kernel())
			pm->pm_resident++;
	} else if ((old & PG_V) != 0 && (old & ~(PG_A | PG_M)) != new) {
		/* The old frame may be freed once this returns. */
		pi.pi_va[pi.pi_nva++] = va;
		pmap_inval_everywhere(&pi);
	}
	spin_unlock(&pm->pm_lock);
	return 0;
}

/*
 * The page table holding va's entry had n entries cleared: drop them
 * from its count and hand the tables that become empty to pb, from the
 * PT up to (not including) the PML4.  The caller must hold pm->pm_lock.
 */
static void
pmap_ptp_cleared(struct pmap *pm, vaddr_t va, unsigned n, struct pmap_batch *pb)
{
	pt_entry_t *tables[4];
	static const int shifts[4] = { PML4_SHIFT, PDPT_SHIFT, PD_SHIFT,
		PAGE_SHIFT };

	KASSERT(spin_held(&pm->pm_lock));
	tables[0] = pm->pm_pml4;
	for (int level = 1; level < 4; level++)
		tables[level] = pmap_table(
		    tables[level - 1][(va >> shifts[level - 1]) & (NPTE - 1)]);
	/*
	 * Walk up while the table just emptied was freed, clearing the
	 * entry that pointed to it.  The kernel half's PDPTs are boot
	 * tables, never freed, so its PML4 entries never change.
	 */
	for (int level = 3; level > 0; level--) {
		if (!ptp_rele_n(pm, DMAP_TO_PHYS(tables[level]), n, va, pb))
			break;
		tables[level - 1][(va >> shifts[level - 1]) & (NPTE - 1)] = 0;
		n = 1;
	}
}

/*
 * The index of the first non-zero entry of t in [from, to), or to.  An
 * entry is zero exactly when it holds nothing (leaves are cleared to 0,
 * and directory entries are 0 or valid).  One "repe scasq" does the scan.
 */
static unsigned
pte_find_used(const pt_entry_t *t, unsigned from, unsigned to)
{
	const pt_entry_t *p = t + from;
	uint64_t n = to - from;
	bool found;

	if (n == 0)
		return to;
	__asm__ volatile("repe scasq"
			 : "+D"(p), "+c"(n), "=@ccnz"(found)
			 : "a"(0UL), "m"(*(const pt_entry_t(*)[NPTE])t));
	return found ? (unsigned)(p - 1 - t) : to;
}

/*
 * The next address at or after va, below eva, that has a leaf entry in
 * use (valid or PG_PROTNONE).  Each level's table is scanned for its next
 * present entry, so unmapped spans cost one scan, not one walk per page.
 * Sets *pte to the entry for the returned address (NULL, and returns eva,
 * if there is none).  The caller holds pm->pm_lock.
 */
static vaddr_t
pmap_next_mapped(struct pmap *pm, vaddr_t va, vaddr_t eva, pt_entry_t **pte)
{
	static const int shifts[4] = { PML4_SHIFT, PDPT_SHIFT, PD_SHIFT,
		PAGE_SHIFT };

	KASSERT(spin_held(&pm->pm_lock));
	*pte = NULL;
restart:
	while (va < eva) {
		pt_entry_t *t = pm->pm_pml4;

		for (int level = 0; level < 4; level++) {
			int shift = shifts[level];
			uint64_t span =
			    (1UL << (shift + 9)) - 1; /* this table's */
			unsigned idx = (va >> shift) & (NPTE - 1);
			unsigned j, lo = 0, hi = NPTE;

			if (level == 3)
				pt_hint_get(pm, t, &lo, &hi);
			j = pte_find_used(t, MAX(idx, lo),
			    MAX(hi, MAX(idx, lo)));
			if (j == MAX(hi, MAX(idx, lo)))
				j = NPTE;

			if (j == NPTE) {
				vaddr_t next = (va | span) + 1;

				if (next <= va)
					return eva; /* wrapped past the top */
				va = next;
				goto restart;
			}
			if (j != idx)
				va = (va & ~span) | ((vaddr_t)j << shift);
			if (va >= eva)
				return eva;
			if (level == 3) {
				*pte = &t[j];
				return va;
			}
			KASSERT((t[j] & PG_PS) == 0);
			t = pmap_table(t[j]);
		}
	}
	return eva;
}

/*
 * The page-table index range [*first, *limit) of the PT holding va that
 * lies below eva, and the address where the next PT begins (0 at the
 * top of the address space).  No requirements.
 */
static vaddr_t
pt_span(vaddr_t va, vaddr_t eva, unsigned *first, unsigned *limit)
{
	vaddr_t ptend = rounddown2(va, NBPD) + NBPD;

	*first = pl1_index(va);
	*limit = (ptend == 0 || ptend > eva) ?
	    (unsigned)((eva - rounddown2(va, NBPD)) >> PAGE_SHIFT) :
	    NPTE;
	return ptend;
}

/*
 * If the PT covering va is shared with other pmaps since fork, drop pm's
 * share of it (its pages stay mapped for the others and keep their
 * references) and return true; else return false.  Every CPU drops its
 * translations of pm before ptshare_lock is released, since the last
 * other sharer may free the PT from then on; the directories that
 * emptied go to pb.  The caller holds pm->pm_lock.
 */
static bool
pmap_drop_shared_pt(struct pmap *pm, vaddr_t va, struct pmap_batch *pb)
{
	pt_entry_t *pde = pmap_walk(pm, va, false, 2);
	struct vm_page *pt;
	bool dropped = false;

	KASSERT(spin_held(&pm->pm_lock));
	if (pde == NULL || (*pde & PG_V) == 0 || (*pde & PG_RW) != 0)
		return false;
	pt = vm_page_from_phys(*pde & PG_FRAME);
	spin_lock(&ptshare_lock);
	if (pt->pg_ptshare > 1) {
		pt->pg_ptshare--;
		pm->pm_resident -= pt->pg_refcnt;
		pm->pm_ptpages--;
		pmap_pde_cleared(pm, va, pb);
		pmap_inval_all(pm);
		dropped = true;
	}
	spin_unlock(&ptshare_lock);
	return dropped;
}

/*
 * The number of PTs in [sva, eva) holding mappings that are shared with
 * other pmaps since fork, leaving out (when remove is set) those the
 * range covers whole.  The caller holds pm->pm_lock.
 */
static unsigned
pmap_count_shared(struct pmap *pm, vaddr_t sva, vaddr_t eva, bool remove)
{
	unsigned count = 0;
	vaddr_t va = sva;

	KASSERT(spin_held(&pm->pm_lock));
	while (va < eva) {
		pt_entry_t *pte, *pde;
		vaddr_t base;

		va = pmap_next_mapped(pm, va, eva, &pte);
		if (pte == NULL)
			break;
		base = rounddown2(va, NBPD);
		pde = pmap_walk(pm, va, false, 2);
		if ((*pde & PG_RW) == 0 &&
		    !(remove && base >= sva && base + NBPD <= eva)) {
			spin_lock(&ptshare_lock);
			count +=
			    vm_page_from_phys(*pde & PG_FRAME)->pg_ptshare > 1;
			spin_unlock(&ptshare_lock);
		}
		va = base + NBPD;
	}
	return count;
}

unsigned
pmap_reserve_need(struct pmap *pm, vaddr_t sva, vaddr_t eva, bool remove)
{
	unsigned need;

	KASSERT(pmap_owner_locked(pm));
	KASSERT(pm != pmap_kernel());
	spin_lock(&pm->pm_lock);
	need =
	    pm->pm_nshared == 0 ? 0 : pmap_count_shared(pm, sva, eva, remove);
	spin_unlock(&pm->pm_lock);
	return need;
}

void
pmap_reserve_give(struct pmap *pm, struct vm_pglist *pool, unsigned n)
{
	struct vm_page *pg;

	KASSERT(pmap_owner_locked(pm));
	spin_lock(&pm->pm_lock);
	for (; n > 0; n--) {
		pg = LIST_FIRST(pool);
		KASSERT(pg != NULL);
		LIST_REMOVE(pg, pg_list);
		LIST_INSERT_HEAD(&pm->pm_rsv, pg, pg_list);
	}
	spin_unlock(&pm->pm_lock);
}

void
pmap_reserve_take(struct pmap *pm, struct vm_pglist *pool)
{
	struct vm_page *pg;

	KASSERT(pmap_owner_locked(pm));
	spin_lock(&pm->pm_lock);
	while ((pg = LIST_FIRST(&pm->pm_rsv)) != NULL) {
		LIST_REMOVE(pg, pg_list);
		LIST_INSERT_HEAD(pool, pg, pg_list);
	}
	spin_unlock(&pm->pm_lock);
}

int
pmap_reserve(struct pmap *pm, vaddr_t sva, vaddr_t eva, bool remove)
{
	struct vm_pglist got = LIST_HEAD_INITIALIZER(got);
	unsigned need;

	KASSERT(pmap_owner_locked(pm));
	need = pmap_reserve_need(pm, sva, eva, remove);
	if (need == 0)
		return 0;
	if (vm_page_alloc_list(&got, need) != 0)
		return -ENOMEM;
	pmap_reserve_give(pm, &got, need);
	return 0;
}

void
pmap_unreserve(struct pmap *pm)
{
	struct vm_pglist left = LIST_HEAD_INITIALIZER(left);

	KASSERT(pmap_owner_locked(pm));
	/* Only the holder of the address space's lock changes pm_rsv. */
	if (LIST_EMPTY(&pm->pm_rsv))
		return;
	pmap_reserve_take(pm, &left);
	vm_page_free_list(&left);
}

bool
pmap_allows(struct pmap *pm, vaddr_t va, vm_prot_t access)
{
	pt_entry_t *pte, e = 0;

	KASSERT(pm != pmap_kernel() && va < VM_MAX_USER_ADDRESS);
	spin_lock(&pm->pm_lock);
	pte = pmap_pte(pm, va, false);
	if (pte != NULL)
		e = *pte;
	spin_unlock(&pm->pm_lock);
	if ((e & (PG_V | PG_U)) != (PG_V | PG_U))
		return false;
	if ((access & VM_PROT_WRITE) && (e & PG_RW) == 0)
		return false;
	return !(access & VM_PROT_EXECUTE) || (e & pg_nx) == 0;
}

/*
 * Remove every mapping of pm in [sva, eva), handing each page's frame to
 * release if it is not NULL, once no CPU can reach it any more.  Shared
 * by pmap_remove and pmap_remove_pages.  The caller holds the lock of
 * pm's owner, if it has one, and not pm_lock.
 */
static void
pmap_remove_range(struct pmap *pm, vaddr_t sva, vaddr_t eva,
    void (*release)(paddr_t pa))
{
	struct pmap_batch pb;
	vaddr_t va = sva;
	int error __unused_arg;

	KASSERT(pmap_owner_locked(pm));
	pmap_batch_init(&pb, pm, release);
	spin_lock(&pm->pm_lock);
	while (va < eva) {
		pt_entry_t *pte, *pt;
		vaddr_t base, ptend;
		unsigned i, limit, lo, hi, cleared = 0;

		va = pmap_next_mapped(pm, va, eva, &pte);
		if (pte == NULL)
			break;
		base = rounddown2(va, NBPD);
		ptend = pt_span(va, eva, &i, &limit);
		/*
		 * A PT shared since fork that the range covers whole is
		 * dropped: its pages stay with the other sharers.  One covered
		 * in part becomes ours first, with a page the caller reserved.
		 */
		if (pm != pmap_kernel()) {
			if (base >= sva && base + NBPD <= eva &&
			    pmap_drop_shared_pt(pm, va, &pb)) {
				if (ptend == 0)
					break;
				va = ptend;
				continue;
			}
			error = pmap_pt_own_va(pm, va);
			KASSERT(error ==
			    0); /* the caller reserved (pmap_reserve) */
			pte = pmap_pte(pm, va, false);
		}
		/* Clear what the range holds of this page table in one pass. */
		pt = pte - pl1_index(va);
		pt_hint_get(pm, pt, &lo, &hi);
		limit = MIN(limit, hi);
		for (i = pte_find_used(pt, i, MAX(i, limit)); i < limit;
		     i = pte_find_used(pt, i + 1, limit)) {
			pt_entry_t e = pt[i];

			pt[i] = 0;
			cleared++;
			pmap_batch_unmapped(&pb,
			    base + ((vaddr_t)i << PAGE_SHIFT), e & PG_FRAME,
			    (e & PG_V) != 0);
		}
		if (pm != pmap_kernel())
			pm->pm_resident -= cleared;
		pmap_ptp_cleared(pm, va, cleared, &pb);
		if (ptend == 0)
			break; /* the top of the address space */
		va = ptend;
	}
	pmap_batch_flush(&pb);
	spin_unlock(&pm->pm_lock);
	pmap_batch_free(&pb);
}

/*
 * Clear the PD entry for va, which points at a table pm no longer uses,
 * and hand the directories that become empty to pb.  The caller holds
 * pm->pm_lock and makes the CPUs drop the PD entry.
 */
static void
pmap_pde_cleared(struct pmap *pm, vaddr_t va, struct pmap_batch *pb)
{
	pt_entry_t *pdpt, *pd;

	KASSERT(spin_held(&pm->pm_lock));
	pdpt = pmap_table(pm->pm_pml4[pl4_index(va)]);
	pd = pmap_table(pdpt[pl3_index(va)]);
	if ((pd[pl2_index(va)] & PG_RW) == 0) {
		KASSERT(pm->pm_nshared > 0);
		pm->pm_nshared--;
	}
	pd[pl2_index(va)] = 0;
	if (ptp_rele_n(pm, DMAP_TO_PHYS(pd), 1, va, pb)) {
		pdpt[pl3_index(va)] = 0;
		if (ptp_rele_n(pm, DMAP_TO_PHYS(pdpt), 1, va, pb))
			pm->pm_pml4[pl4_index(va)] = 0;
	}
}

/*
 * A page table with at most this many pages is copied at fork rather
 * than shared: the child (or parent) would otherwise copy it at its first
 * write anyway, page references and all.
 */
#define PMAP_FORK_COPY_MAX 64

/*
 * Copy the entries of src's page table pt (covering the 2 MiB at va)
 * into dst for fork, each page gaining a reference and losing write
 * access in both.  0 or -ENOMEM.  The caller holds both pmaps' locks and
 * ptshare_lock.
 */
static int
pmap_fork_copy_pt(struct pmap *dst, struct pmap *src, vaddr_t va,
    pt_entry_t *pt)
{
	pt_entry_t *dpt;
	struct vm_page *dpg;
	unsigned copied = 0, lo, hi;

	KASSERT(spin_held(&dst->pm_lock) && spin_held(&src->pm_lock) &&
	    spin_held(&ptshare_lock));
	dpt = pmap_walk(dst, va, true, 3);
	if (dpt == NULL)
		return -ENOMEM;
	dpt -= pl1_index(va);
	pt_hint_get(src, pt, &lo, &hi);
	for (unsigned i = pte_find_used(pt, lo, MAX(lo, hi)); i < hi;
	     i = pte_find_used(pt, i + 1, hi)) {
		pt[i] &= ~PG_RW;
		dpt[i] = pt[i] & ~(PG_A | PG_M);
		user_page_hold(pt[i] & PG_FRAME);
		copied++;
	}
	dpg = vm_page_from_phys(DMAP_TO_PHYS(dpt));
	dpg->pg_refcnt += copied;
	dpg->pg_ptlo = lo;
	dpg->pg_pthi = hi;
	dst->pm_resident += copied;
	return 0;
}

int
pmap_fork(struct pmap *dst, struct pmap *src)
{
	int error = 0;

	KASSERT(pmap_owner_locked(dst) && pmap_owner_locked(src));
	KASSERT(dst != pmap_kernel() && src != pmap_kernel() && dst != src);
	spin_lock(&src->pm_lock);
	spin_lock_nested(&dst->pm_lock, 1); /* the new child's: unreachable */
	spin_lock(&ptshare_lock);
	for (unsigned i4 = pte_find_used(src->pm_pml4, 0, KERNEL_PL4_FIRST);
	     i4 < KERNEL_PL4_FIRST && error == 0;
	     i4 = pte_find_used(src->pm_pml4, i4 + 1, KERNEL_PL4_FIRST)) {
		pt_entry_t *pdpt = pmap_table(src->pm_pml4[i4]);

		for (unsigned i3 = pte_find_used(pdpt, 0, NPTE);
		     i3 < NPTE && error == 0;
		     i3 = pte_find_used(pdpt, i3 + 1, NPTE)) {
			pt_entry_t *pd = pmap_table(pdpt[i3]);

			for (unsigned i2 = pte_find_used(pd, 0, NPTE);
			     i2 < NPTE; i2 = pte_find_used(pd, i2 + 1, NPTE)) {
				vaddr_t va = ((vaddr_t)i4 << PML4_SHIFT) |
				    ((vaddr_t)i3 << PDPT_SHIFT) |
				    ((vaddr_t)i2 << PD_SHIFT);
				pt_entry_t *dpde;
				struct vm_page *pt;

				pt = vm_page_from_phys(pd[i2] & PG_FRAME);
				if (pt->pg_ptshare == 1 &&
				    pt->pg_refcnt <= PMAP_FORK_COPY_MAX) {
					/* Few pages: cheaper to copy the entries. */
					error = pmap_fork_copy_pt(dst, src, va,
					    pmap_table(pd[i2]));
					if (error != 0)
						break;
					continue;
				}
				dpde = pmap_walk(dst, va, true, 2);
				if (dpde == NULL) {
					error = -ENOMEM;
					break;
				}
				/* Both lose write access over the PT's span. */
				if (pd[i2] & PG_RW)
					src->pm_nshared++;
				pd[i2] &= ~PG_RW;
				*dpde = pd[i2];
				dst->pm_nshared++;
				ptp_hold(dst, DMAP_TO_PHYS(dpde) & ~PAGE_MASK);
				pt->pg_ptshare++;
				dst->pm_resident += pt->pg_refcnt;
				dst->pm_ptpages++;
			}
		}
	}
	spin_unlock(&ptshare_lock);
	/* src lost write access: no CPU may write through it after fork. */
	pmap_inval_all(src);
	spin_unlock(&dst->pm_lock);
	spin_unlock(&src->pm_lock);
	return error;
}

void
pmap_drop_shared(struct pmap *pm)
{
	struct pmap_batch pb;

	KASSERT(pmap_owner_locked(pm));
	KASSERT(pm != pmap_kernel());
	pmap_batch_init(&pb, pm, NULL);
	spin_lock(&pm->pm_lock);
	spin_lock(&ptshare_lock);
	for (unsigned i4 = pte_find_used(pm->pm_pml4, 0, KERNEL_PL4_FIRST);
	     i4 < KERNEL_PL4_FIRST;
	     i4 = pte_find_used(pm->pm_pml4, i4 + 1, KERNEL_PL4_FIRST)) {
		pt_entry_t *pdpt = pmap_table(pm->pm_pml4[i4]);

		for (unsigned i3 = pte_find_used(pdpt, 0, NPTE); i3 < NPTE;
		     i3 = pte_find_used(pdpt, i3 + 1, NPTE)) {
			pt_entry_t *pd = pmap_table(pdpt[i3]);

			for (unsigned i2 = pte_find_used(pd, 0, NPTE);
			     i2 < NPTE; i2 = pte_find_used(pd, i2 + 1, NPTE)) {
				struct vm_page *pt =
				    vm_page_from_phys(pd[i2] & PG_FRAME);
				vaddr_t va = ((vaddr_t)i4 << PML4_SHIFT) |
				    ((vaddr_t)i3 << PDPT_SHIFT) |
				    ((vaddr_t)i2 << PD_SHIFT);

				if (pt->pg_ptshare <= 1)
					continue;
				pt->pg_ptshare--;
				pm->pm_resident -= pt->pg_refcnt;
				pm->pm_ptpages--;
				pmap_pde_cleared(pm, va, &pb);
				pmap_batch_all(&pb);
				/* The PD (or the PDPT too) may be gone now. */
				if ((pm->pm_pml4[i4] & PG_V) == 0 ||
				    (pdpt[i3] & PG_V) == 0)
					break;
			}
			if ((pm->pm_pml4[i4] & PG_V) == 0)
				break;
		}
	}
	/* Before the other sharers may free the PTs (pmap_drop_shared_pt). */
	pmap_batch_flush(&pb);
	spin_unlock(&ptshare_lock);
	spin_unlock(&pm->pm_lock);
	pmap_batch_free(&pb);
}

void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	KASSERT(pmap_owner_locked(pm));
	pmap_remove_range(pm, sva, eva, NULL);
}

void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	struct pmap_batch pb;
	pt_entry_t keep = PG_FRAME | PG_A | PG_M | PG_PCD | PG_PWT;
	int error __unused_arg;

	KASSERT(pmap_owner_locked(pm));
	if (pm == pmap_kernel() && (prot & VM_PROT_ALL) == 0) {
		pmap_remove(pm, sva, eva);
		return;
	}
	pmap_batch_init(&pb, pm, NULL);
	spin_lock(&pm->pm_lock);
	for (vaddr_t va = sva, owned = 1; va < eva; va += PAGE_SIZE) {
		pt_entry_t *pte, e;

		va = pmap_next_mapped(pm, va, eva, &pte);
		if (pte == NULL)
			break;
		/* A PT shared since fork becomes ours before we change it. */
		if (rounddown2(va, NBPD) != owned) {
			error = pmap_pt_own_va(pm, va);
			KASSERT(error ==
			    0); /* the caller reserved (pmap_reserve) */
			owned = rounddown2(va, NBPD);
			pte = pmap_pte(pm, va, false);
		}
		e = *pte;
		*pte = (e & keep) | pmap_prot_bits(pm, prot, 0);
		if ((e & PG_V) != 0 && *pte != e)
			pmap_batch_va(&pb, va);
	}
	pmap_batch_flush(&pb);
	spin_unlock(&pm->pm_lock);
	pmap_batch_free(&pb);
}

void
pmap_remove_pages(struct pmap *pm, vaddr_t sva, vaddr_t eva,
    void (*release)(paddr_t pa))
{
	KASSERT(pmap_owner_locked(pm));
	KASSERT(pm != pmap_kernel());
	pmap_remove_range(pm, sva, eva, release);
}

bool
pmap_next_page(struct pmap *pm, vaddr_t *vap, vaddr_t eva, paddr_t *pa)
{
	bool found = false;

	spin_lock(&pm->pm_lock);
	for (vaddr_t va = *vap; va < eva; va += PAGE_SIZE) {
		pt_entry_t *pte;

		va = pmap_next_mapped(pm, va, eva, &pte);
		if (pte == NULL)
			break;
		*vap = va;
		*pa = *pte & PG_FRAME;
		found = true;
		break;
	}
	spin_unlock(&pm->pm_lock);
	return found;
}

/*
 * pmap_extract's walk, written out level by level; with pt_own, whether
 * the PT holding va's entry is pm's own (pmap_pt_own's test: a PT pm
 * shares has a read-only PD entry).  Inlined into both callers.  Large
 * pages are the direct map's (1 GiB or 2 MiB).
 */
static inline __attribute__((always_inline)) bool
pmap_lookup(struct pmap *pm, vaddr_t va, paddr_t *pa, bool *pt_own)
{
	uint64_t mask = PDPT_MASK; /* the offset bits of the level reached */
	pt_entry_t e;
	bool found = false;

	if (pt_own != NULL)
		*pt_own = true;
	spin_lock(&pm->pm_lock);
	e = pm->pm_pml4[pl4_index(va)];
	if ((e & PG_V) == 0)
		goto out;
	e = pmap_table(e)[pl3_index(va)];
	if ((e & PG_V) == 0)
		goto out;
	if (e & PG_PS)
		goto leaf;
	mask = PD_MASK;
	e = pmap_table(e)[pl2_index(va)];
	if ((e & PG_V) == 0)
		goto out;
	if (e & PG_PS)
		goto leaf;
	if (pt_own != NULL && pm != pmap_kernel())
		*pt_own = (e & PG_RW) != 0;
	mask = PAGE_MASK;
	e = pmap_table(e)[pl1_index(va)];
	if (!PTE_INUSE(e))
		goto out;
leaf:
	*pa = (e & PG_FRAME & ~mask) | (va & mask);
	found = true;
out:
	spin_unlock(&pm->pm_lock);
	return found;
}

bool
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa)
{
	return pmap_lookup(pm, va, pa, NULL);
}

bool
pmap_extract_own(struct pmap *pm, vaddr_t va, paddr_t *pa, bool *pt_own)
{
	return pmap_lookup(pm, va, pa, pt_own);
}

unsigned
pmap_extract_run(struct pmap *pm, vaddr_t va, unsigned n, paddr_t *pa,
    bool *pt_own)
{
	const pt_entry_t *pt;
	pt_entry_t e;
	unsigned first, i = 0;

	KASSERT((va & PAGE_MASK) == 0);
	*pt_own = true;
	spin_lock(&pm->pm_lock);
	e = pm->pm_pml4[pl4_index(va)];
	if ((e & PG_V) == 0)
		goto out;
	e = pmap_table(e)[pl3_index(va)];
	if ((e & PG_V) == 0 || (e & PG_PS) != 0)
		goto out; /* a large page: pmap_extract's to find */
	e = pmap_table(e)[pl2_index(va)];
	if ((e & PG_V) == 0 || (e & PG_PS) != 0)
		goto out;
	if (pm != pmap_kernel())
		*pt_own = (e & PG_RW) != 0;
	pt = pmap_table(e);
	first = pl1_index(va);
	n = MIN(n, NPTE - first);
	for (; i < n && PTE_INUSE(pt[first + i]); i++)
		pa[i] = pt[first + i] & PG_FRAME;
out:
	spin_unlock(&pm->pm_lock);
	return i;
}

/*
 * PML4 pages of destroyed pmaps, ready for reuse: their user half is
 * empty and their kernel half (which never changes) is already filled
 * in.  pml4_cache_lock guards them.
 */
#define PML4_CACHE_MAX 16
static struct vm_page *pml4_cache[PML4_CACHE_MAX];
static unsigned pml4_cache_n;
static struct spinlock pml4_cache_lock = SPINLOCK_INITIALIZER("pml4cache");

int
pmap_create(struct pmap *pm, struct spinlock *owner_lock)
{
	struct vm_page *pg = NULL;

	spin_lock(&pml4_cache_lock);
	if (pml4_cache_n > 0)
		pg = pml4_cache[--pml4_cache_n];
	spin_unlock(&pml4_cache_lock);
	if (pg == NULL) {
		pg = vm_page_alloc(VM_ALLOC_ZERO);
		if (pg == NULL)
			return -ENOMEM;
		pg->pg_flags |= PG_PTP;
		memcpy((pt_entry_t *)vm_page_kva(pg) + KERNEL_PL4_FIRST,
		    &pmap_kernel()->pm_pml4[KERNEL_PL4_FIRST],
		    (NPTE - KERNEL_PL4_FIRST) * sizeof(pt_entry_t));
	}
	pm->pm_pml4_pa = vm_page_to_phys(pg);
	pm->pm_pml4 = vm_page_kva(pg);
	pm->pm_owner_lock = owner_lock;
	pm->pm_resident = 0;
	pm->pm_ptpages = 0;
	pm->pm_nshared = 0;
	pm->pm_active = 0;
	LIST_INIT(&pm->pm_rsv);
	spinlock_init(&pm->pm_lock, "pmap");
	return 0;
}

/*
 * Free the table at pa and, below level 3, every table it points to.
 * For pmap_destroy: no CPU has the tables loaded or cached any more.
 */
static void
pmap_free_tables(paddr_t pa, int level)
{
	pt_entry_t *t = PHYS_TO_DMAP(pa);

	if (level < 3) {
		for (int i = 0; i < NPTE; i++)
			if (t[i] & PG_V)
				pmap_free_tables(t[i] & PG_FRAME, level + 1);
	}
	vm_page_free(vm_page_from_phys(pa));
}

/*
 * pmap_destroy's call to each CPU still showing pm in pm_active: one
 * whose LWP has exited but not yet switched away for the last time
 * still has pm's tables loaded, and leaves them for the kernel's.
 * Interrupts masked.
 */
static void
pmap_leave(void *arg)
{
	if (curcpu()->ci_pmap == arg)
		pmap_activate(pmap_kernel());
}

void
pmap_destroy(struct pmap *pm)
{
	struct vm_page *pg = vm_page_from_phys(pm->pm_pml4_pa);

	KASSERT(pm != pmap_kernel());
	KASSERT(curcpu()->ci_pmap != pm);
	KASSERT(LIST_EMPTY(&pm->pm_rsv));
	/*
	 * A CPU that left pm cached none of it (the CR3 load flushed it);
	 * make those still on it leave before the tables go.
	 */
	tlb_call(__atomic_load_n(&pm->pm_active, __ATOMIC_ACQUIRE), pmap_leave,
	    pm);
	KASSERT(__atomic_load_n(&pm->pm_active, __ATOMIC_RELAXED) == 0);
	for (unsigned i = pte_find_used(pm->pm_pml4, 0, KERNEL_PL4_FIRST);
	     i < KERNEL_PL4_FIRST;
	     i = pte_find_used(pm->pm_pml4, i + 1, KERNEL_PL4_FIRST)) {
		pmap_free_tables(pm->pm_pml4[i] & PG_FRAME, 1);
		pm->pm_pml4[i] = 0;
	}
	spin_lock(&pml4_cache_lock);
	if (pml4_cache_n < PML4_CACHE_MAX) {
		pml4_cache[pml4_cache_n++] = pg;
		pg = NULL;
	}
	spin_unlock(&pml4_cache_lock);
	if (pg != NULL)
		vm_page_free(pg);
	pm->pm_pml4 = NULL;
	pm->pm_pml4_pa = 0;
}

void
pmap_activate(struct pmap *pm)
{
	bool was = intr_disable();

	pmap_activate_masked(pm);
	intr_restore(was);
}

static struct spinlock kva_lock = SPINLOCK_INITIALIZER("kva");
static vaddr_t kva_dev_next = KVA_DEV_BASE;

void *
pmap_mapdev(paddr_t pa, size_t len)
{
	paddr_t start = trunc_page(pa), end = round_page(pa + len);
	vaddr_t va;

	spin_lock(&kva_lock);
	va = kva_dev_next;
	if (end - start > KVA_DEV_BASE + KVA_DEV_SIZE - va) {
		spin_unlock(&kva_lock);
		return NULL;
	}
	kva_dev_next += end - start;
	spin_unlock(&kva_lock);

	for (paddr_t p = start; p < end; p += PAGE_SIZE)
		if (pmap_enter(pmap_kernel(), va + (p - start), p,
			VM_PROT_READ | VM_PROT_WRITE, PMAP_NOCACHE) != 0)
			return NULL;
	return (void *)(va + (pa - start));
}

void
pmap_reclaim(void)
{
	struct vm_page *pg;

	kstack_reclaim();
	for (;;) {
		spin_lock(&pml4_cache_lock);
		pg = pml4_cache_n > 0 ? pml4_cache[--pml4_cache_n] : NULL;
		spin_unlock(&pml4_cache_lock);
		if (pg == NULL)
			break;
		vm_page_free(pg);
	}
}
