/*
 * Kernel counters for the kstat call (ABI.md 4.2 and 4.3): the layout is
 * part of the ABI.
 */
#ifndef _KSTAT_H_
#define _KSTAT_H_

#include <systm.h>

#include <uapi/native_abi.h> /* struct kstat */

/* Fill *ks with the current counters.  No requirements. */
void kstat_fill(struct kstat *ks);

#endif /* !_KSTAT_H_ */
