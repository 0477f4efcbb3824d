/*
 * Symbol lookup.  The table is sorted by address: an array of
 * (address, offset of the name in ksyms_names) pairs.
 */
#include <systm.h>
#include <ksyms.h>

struct ksym {
	uint64_t ks_addr;
	uint64_t ks_name;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern const char kernel_text_start[], kernel_text_end[];

const char *
ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)kernel_text_start ||
	    addr >= (uint64_t)kernel_text_end || ksyms_count == 0 ||
	    addr < ksyms_table[0].ks_addr)
		return NULL;
	/* The last entry whose address is <= addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].ks_addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].ks_addr;
	return &ksyms_names[ksyms_table[lo].ks_name];
}

uint64_t
ksyms_address(const char *name)
{
	for (uint64_t i = 0; i < ksyms_count; i++)
		if (strcmp(&ksyms_names[ksyms_table[i].ks_name], name) == 0)
			return ksyms_table[i].ks_addr;
	return 0;
}
