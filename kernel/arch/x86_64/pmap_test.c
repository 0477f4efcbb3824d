/*
 * In-kernel tests of the pmap and of kernel stacks.
 */
#include <systm.h>
#include <errno.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/pmap.h>
#include <vm/vm_page.h>

/* A kernel address in the stack area that nothing else uses. */
#define TEST_VA (KVA_STACK_BASE + KVA_STACK_SIZE - 64 * PAGE_SIZE)

/*
 * Map a page in the kernel pmap, read and write it, make it read-only
 * (a write then faults and is caught), unmap it (a read then faults), and
 * check the page-table pages the test made are freed again.
 */
KTEST(pmap_kernel)
{
	struct pmap *kpm = pmap_kernel();
	struct vm_page *pg = vm_page_alloc(VM_ALLOC_ZERO);
	uint64_t free0, v = 1;
	paddr_t pa;

	if (!KT_CHECK(pg != NULL))
		return;
	free0 = vm_page_free_count();
	KT_CHECK(!pmap_extract(kpm, TEST_VA, &pa));
	KT_EQ(probe_read64((void *)TEST_VA, &v), -EFAULT);

	KT_EQ(pmap_enter(kpm, TEST_VA, vm_page_to_phys(pg),
		  VM_PROT_READ | VM_PROT_WRITE, 0),
	    0);
	KT_CHECK(pmap_extract(kpm, TEST_VA + 0x123, &pa));
	KT_EQ(pa, vm_page_to_phys(pg) + 0x123);
	KT_EQ(probe_write8((void *)TEST_VA, 0x5a), 0);
	KT_EQ(*(uint8_t *)vm_page_kva(pg),
	    0x5a); /* same page via the direct map */
	KT_EQ(probe_read64((void *)TEST_VA, &v), 0);
	KT_EQ(v, 0x5a);

	pmap_protect(kpm, TEST_VA, TEST_VA + PAGE_SIZE, VM_PROT_READ);
	KT_EQ(probe_write8((void *)TEST_VA, 1), -EFAULT);
	KT_EQ(probe_read64((void *)TEST_VA, &v), 0);
	KT_EQ(v, 0x5a);

	pmap_remove(kpm, TEST_VA, TEST_VA + PAGE_SIZE);
	KT_CHECK(!pmap_extract(kpm, TEST_VA, &pa));
	KT_EQ(probe_read64((void *)TEST_VA, &v), -EFAULT);
	/* The PT (and PD) made for TEST_VA were freed when they emptied. */
	KT_EQ(vm_page_free_count(), free0);
	vm_page_free(pg);
}

/*
 * A user pmap: mappings land in its own tables, the kernel half is
 * shared, remove frees the tables it emptied, destroy frees the rest.
 */
KTEST(pmap_user)
{
	struct pmap pm;
	struct vm_page *pg = vm_page_alloc(VM_ALLOC_ZERO);
	uint64_t free0;
	paddr_t pa;
	const vaddr_t vas[] = { VM_MIN_USER_ADDRESS, 0x400000, 0x7fffffffe000,
		0x12345678000 };

	if (!KT_CHECK(pg != NULL))
		return;
	pmap_reclaim(); /* count with no page waiting in a cache */
	free0 = vm_page_free_count();
	if (!KT_EQ(pmap_create(&pm, NULL), 0))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++)
		KT_EQ(pmap_enter(&pm, vas[i], vm_page_to_phys(pg), VM_PROT_READ,
			  0),
		    0);
	KT_EQ(pm.pm_resident, ARRAY_SIZE(vas));
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++) {
		KT_CHECK(pmap_extract(&pm, vas[i], &pa));
		KT_EQ(pa, vm_page_to_phys(pg));
		KT_CHECK(!pmap_extract(pmap_kernel(), vas[i], &pa));
	}
	/* The kernel half is visible through the new pmap. */
	KT_CHECK(pmap_extract(&pm, (vaddr_t)vm_page_kva(pg), &pa));

	/* Remove across a huge range with holes: only the four pages go. */
	pmap_remove(&pm, VM_MIN_USER_ADDRESS, VM_MAX_USER_ADDRESS);
	KT_EQ(pm.pm_resident, 0);
	KT_EQ(pm.pm_ptpages, 0);
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++)
		KT_CHECK(!pmap_extract(&pm, vas[i], &pa));

	/* Destroy with live mappings frees every table page. */
	KT_EQ(pmap_enter(&pm, 0x400000, vm_page_to_phys(pg), VM_PROT_ALL, 0),
	    0);
	pmap_destroy(&pm);
	pmap_reclaim();
	KT_EQ(vm_page_free_count(), free0);
	vm_page_free(pg);
}

/*
 * pmap_extract_run: a run of resident pages stops at the first hole, at
 * n, and at the end of the page table (2 MiB); an address that is not
 * resident gives 0; a fresh pmap's tables are its own.
 */
KTEST(pmap_extract_run)
{
	struct pmap pm;
	struct vm_page *pg[4];
	const vaddr_t pt_end = 0x600000; /* a 2 MiB boundary */
	paddr_t pa[8];
	bool own = false;

	for (unsigned i = 0; i < ARRAY_SIZE(pg); i++)
		if (!KT_CHECK((pg[i] = vm_page_alloc(VM_ALLOC_ZERO)) != NULL))
			return;
	if (!KT_EQ(pmap_create(&pm, NULL), 0))
		return;
	/* pt_end - 3 pages .. pt_end + 1 page, with a hole at pt_end - 2. */
	KT_EQ(pmap_enter(&pm, pt_end - 3 * PAGE_SIZE, vm_page_to_phys(pg[0]),
		  VM_PROT_READ, 0),
	    0);
	KT_EQ(pmap_enter(&pm, pt_end - PAGE_SIZE, vm_page_to_phys(pg[1]),
		  VM_PROT_READ, 0),
	    0);
	KT_EQ(pmap_enter(&pm, pt_end, vm_page_to_phys(pg[2]), VM_PROT_READ, 0),
	    0);
	KT_EQ(pmap_enter(&pm, pt_end + PAGE_SIZE, vm_page_to_phys(pg[3]),
		  VM_PROT_NONE, 0),
	    0);

	KT_EQ(pmap_extract_run(&pm, pt_end - 3 * PAGE_SIZE, 8, pa, &own), 1);
	KT_EQ(pa[0], vm_page_to_phys(pg[0]));
	KT_CHECK(own);
	KT_EQ(pmap_extract_run(&pm, pt_end - 2 * PAGE_SIZE, 8, pa, &own), 0);
	/* The run ends with the page table, though the next page is mapped. */
	KT_EQ(pmap_extract_run(&pm, pt_end - PAGE_SIZE, 8, pa, &own), 1);
	KT_EQ(pa[0], vm_page_to_phys(pg[1]));
	/* A PROT_NONE page holds its frame: it is in the run. */
	KT_EQ(pmap_extract_run(&pm, pt_end, 8, pa, &own), 2);
	KT_EQ(pa[0], vm_page_to_phys(pg[2]));
	KT_EQ(pa[1], vm_page_to_phys(pg[3]));
	KT_EQ(pmap_extract_run(&pm, pt_end, 1, pa, &own), 1);
	KT_EQ(pmap_extract_run(&pm, pt_end + 2 * PAGE_SIZE, 8, pa, &own), 0);
	KT_EQ(pmap_extract_run(&pm, 0x40000000, 8, pa, &own), 0);

	pmap_remove(&pm, VM_MIN_USER_ADDRESS, VM_MAX_USER_ADDRESS);
	pmap_destroy(&pm);
	for (unsigned i = 0; i < ARRAY_SIZE(pg); i++)
		vm_page_free(pg[i]);
}

/* Kernel stacks: usable, with a guard page below that faults. */
KTEST(kstack)
{
	uint64_t free0, v;
	vaddr_t top, top2;

	/* Freed stacks wait in a cache; pmap_reclaim gives their pages back. */
	top = kstack_alloc();
	if (top != 0)
		kstack_free(top);
	pmap_reclaim();
	free0 = vm_page_free_count();
	top = kstack_alloc();

	if (!KT_CHECK(top != 0))
		return;
	KT_EQ(top & PAGE_MASK, 0);
	KT_EQ(probe_write8((void *)(top - 1), 1), 0);
	KT_EQ(probe_write8((void *)(top - KSTACK_SIZE), 1), 0);
	KT_EQ(probe_read64((void *)(top - KSTACK_SIZE - 8), &v), -EFAULT);
	top2 = kstack_alloc();
	KT_CHECK(top2 != 0 && top2 != top);
	kstack_free(top);
	pmap_reclaim();
	KT_EQ(probe_read64((void *)(top - 8), &v), -EFAULT);
	kstack_free(top2);
	pmap_reclaim();
	KT_EQ(vm_page_free_count(), free0);
}

/* The kernel image's permissions: text not writable, rodata not writable, data not executable. */
KTEST(pmap_image)
{
	extern char kernel_text_start[], kernel_rodata_start[];
	static uint64_t data_word = 42;
	uint64_t v;

	KT_EQ(probe_write8(kernel_text_start, 0x90), -EFAULT);
	KT_EQ(probe_write8(kernel_rodata_start, 0), -EFAULT);
	KT_EQ(probe_read64(&data_word, &v), 0);
	KT_EQ(v, 42);
	/* The boot identity map is gone: low addresses fault. */
	KT_EQ(probe_read64((void *)0, &v), -EFAULT);
	KT_EQ(probe_read64((void *)0x100000, &v), -EFAULT);
	/* A non-canonical address raises #GP, also caught. */
	KT_EQ(probe_read64((void *)0x8000000000000000UL, &v), -EFAULT);
	KT_CHECK(rcr0() & CR0_WP);
	if (cpu_features.cf_nx)
		KT_CHECK(rdmsr(MSR_EFER) & EFER_NXE);
	if (cpu_features.cf_smep)
		KT_CHECK(rcr4() & CR4_SMEP);
	if (cpu_features.cf_smap)
		KT_CHECK(rcr4() & CR4_SMAP);
}
