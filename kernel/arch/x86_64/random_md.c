/*
 * The CPU's random number generators for kern_random.c: RDSEED (CPUID
 * leaf 7, EBX bit 18) or RDRAND (leaf 1, ECX bit 30), and the TSC.
 */
#include <systm.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>

#define RNG_TRIES 10 /* Intel's advice for RDRAND; RDSEED may fail more */

static int rng_kind = -1; /* -1 unknown, 0 none, 1 RDRAND, 2 RDSEED */

/* Which instruction the CPU has.  No requirements. */
static int
rng_probe(void)
{
	uint32_t r[4];
	int kind = 0;

	cpuid_count(0, 0, r);
	if (r[0] >= 7) {
		cpuid_count(7, 0, r);
		if (r[1] & (1u << 18))
			kind = 2;
	}
	if (kind == 0) {
		cpuid_count(1, 0, r);
		if (r[2] & (1u << 30))
			kind = 1;
	}
	return kind;
}

bool
cpu_random64(uint64_t *v)
{
	int kind = __atomic_load_n(&rng_kind, __ATOMIC_RELAXED);
	uint8_t ok;

	if (kind < 0) {
		kind = rng_probe();
		__atomic_store_n(&rng_kind, kind, __ATOMIC_RELAXED);
	}
	for (int i = 0; kind == 2 && i < RNG_TRIES; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	for (int i = 0; kind != 0 && i < RNG_TRIES; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

uint64_t
cpu_cycles(void)
{
	return rdtsc();
}
