/*
 * The kernel's random generator (kern_random.c): ChaCha20 with fast key
 * erasure, seeded from the CPU's generator or TSC jitter.
 */
#ifndef _RANDOM_H_
#define _RANDOM_H_

#include <types.h>

/* Fill the kernel buffer buf with n random bytes.  No locks held. */
void random_bytes(void *buf, size_t n);

#endif /* !_RANDOM_H_ */
