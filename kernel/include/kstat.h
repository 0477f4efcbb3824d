/*
 * Kernel counters for the kstat call (ABI.md 4.2 and 4.3): the layout is
 * part of the ABI.
 */
#ifndef _KSTAT_H_
#define _KSTAT_H_

#include <systm.h>

struct kstat {
	uint64_t ks_pages_total;      /* usable physical pages */
	uint64_t ks_pages_free;
	uint64_t ks_kheap_used;       /* bytes allocated in the kernel heap */
	uint64_t ks_nprocs;           /* live processes, zombies included */
	uint64_t ks_nlwps;
	uint64_t ks_nvmspaces;        /* live address spaces of every kind */
	uint64_t ks_nvmspace_entries; /* live vmspace entries, cached deleted ones included */
	uint64_t ks_uptime_ns;
};
CTASSERT(sizeof(struct kstat) == 64);

/* Fill *ks with the current counters.  No requirements. */
void kstat_fill(struct kstat *ks);

#endif /* !_KSTAT_H_ */
