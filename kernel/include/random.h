/*
 * The kernel's random generator (kern_random.c): ChaCha20 with fast key
 * erasure, seeded from the CPU's generator or TSC jitter.
 */
#ifndef _RANDOM_H_
#define _RANDOM_H_

#include <types.h>

/*
 * One ChaCha20 block (RFC 8439's function, with a 64-bit counter in
 * words 12-13 and a 64-bit nonce in words 14-15, as the original ChaCha)
 * of key into out.  The generator's core, public for its self test.  No
 * requirements.
 */
void chacha20_block(const uint32_t key[8], uint64_t counter, uint64_t nonce,
    uint32_t out[16]);

/* Fill the kernel buffer buf with n random bytes.  No locks held. */
void random_bytes(void *buf, size_t n);

#endif /* !_RANDOM_H_ */
