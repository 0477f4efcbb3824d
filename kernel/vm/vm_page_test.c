/*
 * In-kernel tests of the page allocator: exhaust all memory, check what
 * came back, give it all back.
 */
#include <systm.h>
#include <ktest.h>
#include <param.h>
#include <bsd/sys/queue.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

/*
 * Take every free page one at a time (chaining them through pg_list, so
 * the test itself needs no memory), check that each is distinct, inside
 * managed memory and writable, then free them all and check the free
 * count is back where it started.  Counts pages above 4 GiB on the way.
 */
KTEST(vm_page_exhaust)
{
	struct vm_pglist taken = LIST_HEAD_INITIALIZER(taken);
	uint64_t free0 = vm_page_free_count(), n = 0, high = 0, bad = 0;
	struct vm_page *pg;

	while ((pg = vm_page_alloc(0)) != NULL) {
		paddr_t pa = vm_page_to_phys(pg);
		uint64_t *p = vm_page_kva(pg);

		if (vm_page_from_phys(pa) != pg || vm_page_from_kva(p) != pg)
			bad++;
		/* Stamp the page with its own address; checked before freeing. */
		p[0] = pa;
		p[511] = ~pa;
		if (pa >= (4UL << 30))
			high++;
		LIST_INSERT_HEAD(&taken, pg, pg_list);
		n++;
	}
	KT_EQ(bad, 0);
	KT_EQ(n, free0);
	KT_EQ(vm_page_free_count(), 0);
	KT_CHECK(vm_page_alloc_contig(0, 0) == NULL);
	kprintf("# took %lu pages, %lu above 4 GiB\n", n, high);
	if (vm_page_total_count() * PAGE_SIZE > (4UL << 30))
		KT_CHECKF(high > 0,
		    "memory above 4 GiB is present but no page "
		    "came from there");

	while ((pg = LIST_FIRST(&taken)) != NULL) {
		uint64_t *p = vm_page_kva(pg);
		paddr_t pa = vm_page_to_phys(pg);

		if (p[0] != pa || p[511] != ~pa)
			bad++; /* two owners wrote one page */
		LIST_REMOVE(pg, pg_list);
		vm_page_free(pg);
	}
	KT_EQ(bad, 0);
	KT_EQ(vm_page_free_count(), free0);
}

/* Contiguous blocks of every order are aligned, zeroed on request, and refill. */
KTEST(vm_page_contig)
{
	uint64_t free0 = vm_page_free_count();

	for (unsigned order = 0; order < VM_NFREEORDER; order++) {
		struct vm_page *pg = vm_page_alloc_contig(order, VM_ALLOC_ZERO);
		uint64_t *p, nonzero = 0;

		if (!KT_CHECKF(pg != NULL, "no block of order %u", order))
			continue;
		KT_EQ(vm_page_to_phys(pg) & ((PAGE_SIZE << order) - 1), 0);
		p = vm_page_kva(pg);
		for (uint64_t i = 0; i < (PAGE_SIZE << order) / 8; i++)
			nonzero |= p[i];
		KT_EQ(nonzero, 0);
		memset(p, 0xa5,
		    PAGE_SIZE << order); /* dirty it for the next test */
		vm_page_free(pg);
	}
	KT_EQ(vm_page_free_count(), free0);
}

/*
 * The heap: many sizes, each object filled with its own pattern and
 * checked before it is freed (catching overlap), alignment, reuse of freed
 * memory, and everything returned at the end.
 */
KTEST(kmem)
{
	enum {
		N = 512
	};
	static void *obj[N];
	static size_t size[N];
	uint64_t used0 = kmem_used(), free0;
	int bad = 0;

	kmem_reclaim();
	free0 = vm_page_free_count();
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++) {
			size[i] =
			    1 + ktest_random() % (i % 8 == 0 ? 20000 : 600);
			obj[i] = kmalloc(size[i], i % 2 ? KM_ZERO : 0);
			if (!KT_CHECKF(obj[i] != NULL, "kmalloc(%lu) failed",
				size[i]))
				return;
			if (i % 2) {
				for (size_t j = 0; j < size[i]; j++)
					bad += ((uint8_t *)obj[i])[j] != 0;
			}
			/* Alignment: at least 16 and the size rounded to a power of two, up to a page. */
			size_t align = 16;
			while (align < size[i] && align < PAGE_SIZE)
				align *= 2;
			KT_EQ((uint64_t)obj[i] & (align - 1), 0);
			memset(obj[i], i & 0xff, size[i]);
		}
		/* Free every other object, then check and free the rest. */
		for (int i = 0; i < N; i += 2) {
			for (size_t j = 0; j < size[i]; j++)
				bad += ((uint8_t *)obj[i])[j] != (i & 0xff);
			kfree(obj[i]);
		}
		for (int i = 1; i < N; i += 2) {
			for (size_t j = 0; j < size[i]; j++)
				bad += ((uint8_t *)obj[i])[j] != (i & 0xff);
			kfree(obj[i]);
		}
	}
	KT_EQ(bad, 0);
	KT_EQ(kmem_used(), used0);
	KT_CHECK(kmalloc(0, 0) == NULL);

	/* A freed small object is handed out again. */
	void *a = kmalloc(48, 0);
	kfree(a);
	void *b = kmalloc(48, 0);
	KT_CHECK(a == b);
	kfree(b);

	kmem_reclaim();
	KT_EQ(vm_page_free_count(), free0);
}
