/*
 * Self tests of the random generator (kern_random.c): the ChaCha20 block
 * function against RFC 8439's test vector, and random_bytes giving
 * different bytes each time.
 */
#include <systm.h>
#include <ktest.h>
#include <random.h>

/* RFC 8439 section 2.3.2: key 00..1f, counter 1, nonce 09 00 00 00 4a. */
KTEST(random_chacha20_vector)
{
	static const uint32_t want[16] = { 0xe4e7f110, 0x15593bd1, 0x1fdd0f50,
		0xc47120a3, 0xc7f4d1c7, 0x0368c033, 0x9aaa2204, 0x4e6cd4c3,
		0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9, 0xd19c12b5,
		0xb94e16de, 0xe883d0cb, 0x4e3c50a2 };
	uint32_t key[8], out[16];

	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
		    (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	/* RFC 8439's 32-bit counter and 96-bit nonce in our 64 + 64 bits. */
	chacha20_block(key, 1 | (uint64_t)0x09000000 << 32, 0x4a000000, out);
	for (int i = 0; i < 16; i++)
		KT_CHECKF(out[i] == want[i], "word %d: %#x, want %#x", i,
		    out[i], want[i]);
}

KTEST(random_bytes_differ)
{
	uint8_t a[64], b[64];
	int ones = 0;

	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	KT_CHECK(memcmp(a, b, sizeof(a)) != 0);
	for (size_t i = 0; i < sizeof(a); i++)
		for (int bit = 0; bit < 8; bit++)
			ones += (a[i] >> bit) & 1;
	/* 512 bits: far outside 160..352 is not random. */
	KT_CHECKF(ones > 160 && ones < 352, "%d one bits of 512", ones);
}
