/*
 * The kernel counters behind kstat.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <kstat.h>
#include <syscall.h>
#include <arch/pmap.h>
#include <ktest.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>
#include <proc/proc.h>

void
kstat_fill(struct kstat *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->ks_pages_total = vm_page_total_count();
	ks->ks_pages_free = vm_page_free_count();
	ks->ks_kheap_used = kmem_used();
	ks->ks_nprocs = proc_count();
	ks->ks_nlwps = lwp_count();
	ks->ks_nvmspaces = vmspace_count();
	ks->ks_nvmspace_entries = vmspace_entry_count();
	ks->ks_uptime_ns = nanouptime();
}

long
sys_kstat(struct kstat *ubuf, size_t size)
{
	struct kstat ks;

	size = MIN(size, sizeof(ks));
	pmap_reclaim();
	kmem_reclaim();
	kstat_fill(&ks);
	if (copyout(&ks, ubuf, size) != 0)
		return -EFAULT;
	return size;
}

/* The counters follow allocations and come back when they are freed. */
KTEST(kstat)
{
	struct kstat a, b, c;
	void *p;

	kstat_fill(&a);
	KT_CHECK(a.ks_pages_total > 0);
	KT_CHECK(a.ks_pages_free <= a.ks_pages_total);
	p = kmalloc(100, 0);
	kstat_fill(&b);
	KT_EQ(b.ks_kheap_used, a.ks_kheap_used + 128);
	KT_CHECK(b.ks_uptime_ns > a.ks_uptime_ns);
	kfree(p);
	kstat_fill(&c);
	KT_EQ(c.ks_kheap_used, a.ks_kheap_used);
	KT_EQ(c.ks_pages_total, a.ks_pages_total);
}
