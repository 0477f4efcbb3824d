/*
 * The kernel's random generator and getrandom.
 *
 * A ChaCha20 generator with fast key erasure (D. J. Bernstein, "Fast-key-
 * erasure random-number generators", 2017; as OpenBSD's arc4random and
 * Linux's crng): a 256-bit key; each request runs ChaCha20 with that key
 * and a counter, takes the first 32 bytes of keystream as the next key
 * at once (so the key that made earlier output is gone), and gives the
 * rest out.  The key is seeded once, at the first request, from 512 bits
 * of the CPU's generator (RDSEED or RDRAND) mixed with the TSC, or from
 * TSC jitter alone when the CPU has neither, and the CPU's generator is
 * mixed in again every RANDOM_RESEED requests.
 *
 * Locking: random_lock, a leaf spinlock, guards the key and counters.  A
 * request holds it only to draw a fresh per-request key from the global
 * one; the request's output is then made from that key with no lock
 * held, a block at a time, and copied out between blocks (no spinlock is
 * held across a user copy).
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <random.h>
#include <spinlock.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/sched.h>
#include <linux/random.h>

#define RANDOM_RESEED 4096 /* requests between mixes of new CPU entropy */

static struct spinlock random_lock = SPINLOCK_INITIALIZER("random");
static uint32_t random_key[8]; /* (r) the generator's key */
static uint64_t random_nonce;  /* (r) a new nonce for every request */
static uint64_t random_draws;  /* (r) requests since the last seeding */
static bool random_seeded;     /* (r) */

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                 \
	do {                           \
		a += b;                \
		d = ROTL32(d ^ a, 16); \
		c += d;                \
		b = ROTL32(b ^ c, 12); \
		a += b;                \
		d = ROTL32(d ^ a, 8);  \
		c += d;                \
		b = ROTL32(b ^ c, 7);  \
	} while (0)

void
chacha20_block(const uint32_t key[8], uint64_t counter, uint64_t nonce,
    uint32_t out[16])
{
	uint32_t x[16],
	    s[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

	for (int i = 0; i < 8; i++)
		s[4 + i] = key[i];
	s[12] = (uint32_t)counter;
	s[13] = (uint32_t)(counter >> 32);
	s[14] = (uint32_t)nonce;
	s[15] = (uint32_t)(nonce >> 32);
	memcpy(x, s, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + s[i];
}

/*
 * 64 bits of entropy: the CPU's generator if it has one, mixed with the
 * TSC; else the low bits of many TSC readings around short busy waits,
 * whose timing varies (interrupts, caches, the host).  No requirements.
 */
static uint64_t
random_entropy64(void)
{
	uint64_t v = 0, t;

	if (cpu_random64(&v))
		return v ^ cpu_cycles();
	for (int i = 0; i < 64; i++) {
		t = cpu_cycles();
		for (volatile int k = 0; k < (int)(t & 31); k++)
			continue;
		v = (v << 5 | v >> 59) ^ cpu_cycles();
	}
	return v;
}

/*
 * Mix fresh entropy into the key: the new key is the first half of a
 * block made from the old key xor the entropy.  The caller holds
 * random_lock.
 */
static void
random_mix_locked(void)
{
	uint32_t block[16];
	uint64_t e;

	KASSERT(spin_held(&random_lock));
	for (int i = 0; i < 4; i++) {
		e = random_entropy64();
		random_key[2 * i] ^= (uint32_t)e;
		random_key[2 * i + 1] ^= (uint32_t)(e >> 32);
	}
	chacha20_block(random_key, 0, ~random_nonce, block);
	memcpy(random_key, block, sizeof(random_key));
	memset(block, 0, sizeof(block));
	random_draws = 0;
	random_seeded = true;
}

/*
 * A fresh key for one request in key, erasing the one that made it.  No
 * locks held.
 */
static void
random_draw_key(uint32_t key[8])
{
	uint32_t block[16];

	spin_lock(&random_lock);
	if (!random_seeded || random_draws >= RANDOM_RESEED)
		random_mix_locked();
	random_draws++;
	chacha20_block(random_key, 0, random_nonce++, block);
	memcpy(random_key, block, sizeof(random_key));
	spin_unlock(&random_lock);
	memcpy(key, block + 8, 8 * sizeof(uint32_t));
	memset(block, 0, sizeof(block));
}

/*
 * Fill the kernel buffer buf with n random bytes.  No locks held.
 */
void
random_bytes(void *buf, size_t n)
{
	uint32_t key[8], block[16];
	uint8_t *p = buf;

	random_draw_key(key);
	for (uint64_t ctr = 0; n > 0; ctr++) {
		size_t k = n < sizeof(block) ? n : sizeof(block);

		chacha20_block(key, ctr, 0, block);
		memcpy(p, block, k);
		p += k;
		n -= k;
	}
	memset(key, 0, sizeof(key));
	memset(block, 0, sizeof(block));
}

long
sys_getrandom(void *ubuf, size_t count, unsigned int flags)
{
	uint32_t key[8], block[16];
	uint8_t *up = ubuf;
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_RANDOM | GRND_INSECURE)) ==
	    (GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (count > 0x7ffff000) /* Linux's MAX_RW_COUNT */
		count = 0x7ffff000;
	/* The generator is seeded at its first use: it never blocks. */
	random_draw_key(key);
	for (uint64_t ctr = 0; done < count; ctr++) {
		size_t k =
		    count - done < sizeof(block) ? count - done : sizeof(block);

		chacha20_block(key, ctr, 0, block);
		if (copyout(block, up + done, k) != 0) {
			if (done == 0)
				done = (size_t)-EFAULT;
			break;
		}
		done += k;
		/* A long request is a preemption point, as Linux's. */
		if ((ctr & 255) == 255 && sched_checkpoint() != 0)
			break;
	}
	memset(key, 0, sizeof(key));
	memset(block, 0, sizeof(block));
	return (long)done;
}
