/*
 * The kernel's own symbol table, linked into the image by the second link
 * pass (kernel/genksyms.sh), for backtraces.
 */
#ifndef _KSYMS_H_
#define _KSYMS_H_

#include <types.h>

/*
 * The name of the function containing addr and addr's offset in it, or
 * NULL if addr is outside the kernel's text.
 */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

/* The address of the function called name, or 0. */
uint64_t ksyms_address(const char *name);

#endif /* !_KSYMS_H_ */
