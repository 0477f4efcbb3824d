/*
 * The vvar page: what the kernel publishes for the vDSO to read the
 * clocks without a system call, and the TSC-to-nanoseconds conversion
 * both use.
 *
 * This header is shared by the kernel (kernel/vdso/vdso.c writes the
 * page, kernel/kern_time.c fills it, arch/x86_64/clock.c converts the
 * TSC with vclock_ns) and by the vDSO itself (arch/x86_64/vdso/), which
 * is user code; so it uses only the compiler's freestanding headers.
 *
 * The page sits one page below the vDSO's ELF header in every address
 * space (the vDSO's linker script names it vdso_vvar), read-only there;
 * the kernel writes it through the direct map.
 *
 * Sequence count.  vd_seq is odd while the kernel writes the page
 * (vdso_write_begin to vdso_write_end, serialized by vdso_lock).  A
 * reader reads vd_seq, then the fields and the TSC, then vd_seq again,
 * and starts over unless both reads gave the same even value: so it
 * never uses fields from two different writes, or from the middle of
 * one.
 *
 * The split seconds (vd_sec_base) are read without the odd test.  A
 * write sets every vd_sec_base to VDSO_CLOCK_SYSCALL (the mark) before
 * its odd count and stores the new ones only after its even count; x86
 * makes one CPU's stores visible in order and performs one CPU's loads
 * in order.  So a reader that reads vd_seq, the other fields,
 * vd_sec_base[c], then vd_seq again, and sees one count both times,
 * either read everything before the write began (consistent), or met
 * the mark (it takes the slow path, which tests oddness), or read a new
 * vd_sec_base[c], which came after the even count: then, as the count
 * did not move, its first read was already that count, and every field
 * it read was the write's.  tests/model/vvar_seq.pml checks this with
 * spin.
 */
#ifndef _VDSO_VDSO_DATA_H_
#define _VDSO_VDSO_DATA_H_

#include <stdint.h>

/* Clock ids the page describes: Linux's 0 (REALTIME) to 11 (TAI), and room. */
#define VDSO_NCLOCKS 16

/* The fixed-point shift of vc_mult: ns = (cycles * vc_mult) >> 32. */
#define VCLOCK_SHIFT 32

/*
 * The line from TSC cycles to nanoseconds since boot:
 * ns = vc_ns_base + (tsc * vc_mult) >> VCLOCK_SHIFT, modulo 2^64.
 * vc_ns_base is the line's value at TSC 0, which it need not have
 * reached (a line that starts later has a "negative" one): so a reader
 * adds it and subtracts no TSC base.
 */
struct vclock {
	uint64_t vc_ns_base;
	uint64_t vc_mult;
};

/*
 * Nanoseconds since boot at TSC value tsc on the line (ns_base, mult).
 * The product is taken in 128 bits; shifted, it is the nanoseconds
 * since the TSC's 0, which fit 64 bits for 584 years.  The one
 * conversion both nanouptime() and the vDSO use, so a clock read
 * through either path is the same function of the TSC.  No
 * requirements.
 */
static inline uint64_t
vclock_ns(uint64_t tsc, uint64_t ns_base, uint64_t mult)
{
	return ns_base +
	    (uint64_t)(((unsigned __int128)tsc * mult) >> VCLOCK_SHIFT);
}

/*
 * The vd_base of a clock the vDSO does not read itself (the caller makes
 * the system call).  As a base, it sets the top bit of the result (for
 * 292 years of the TSC), and no clock that is read has it set in its
 * result (the epoch's reaches it in 2262), though its base may have
 * (the value at TSC 0 of a line that starts later): so one sign test of
 * the result tells the two apart, and vd_read says which clocks are
 * read without a TSC.
 */
#define VDSO_CLOCK_SYSCALL (1ULL << 63)

struct vdso_data {
	/*
	 * Clock id c in nanoseconds is vclock_ns(tsc, vd_base[c],
	 * vd_mult): vd_base[c] is nanouptime()'s vc_ns_base
	 * plus what the clock adds to the uptime (the epoch, or 0), so the
	 * sum is the kernel's own; or it is VDSO_CLOCK_SYSCALL (every clock
	 * is, when the TSC cannot be used).  First, so that a clock id is
	 * its index from the page's start.
	 */
	uint64_t vd_base[VDSO_NCLOCKS];
	/*
	 * The same sum split at a second: vd_sec[c] is a second clock c has
	 * reached (the kernel moves it on every tick, clock_vdso_tick), and
	 * vd_sec_base[c] is vd_base[c] - vd_sec[c] * 10^9, modulo 2^64; so
	 * vclock_ns(tsc, vd_sec_base[c], vd_mult) is the nanoseconds of
	 * clock c past second vd_sec[c].  A sum of 10^9 or more (the second
	 * moved on since the tick, or the TSC read below the tick's) sends
	 * the vDSO to the full division from vd_base[c];
	 * VDSO_CLOCK_SYSCALL here, for a clock the vDSO does not read or
	 * while a write is in progress (the sequence count above), makes
	 * every sum that large.
	 */
	uint64_t vd_sec_base[VDSO_NCLOCKS];
	uint64_t vd_sec[VDSO_NCLOCKS];
	/* nanouptime()'s line's multiplier (its vc_ns_base is in vd_base) */
	uint64_t vd_mult;
	uint64_t vd_tick_ns; /* the resolution of the coarse clocks */
	uint32_t vd_seq;     /* odd while a write is in progress */
	/* Bit c set: clock c's resolution is vd_tick_ns, else 1 ns. */
	uint32_t vd_coarse;
	/* Bit c set: the vDSO reads clock c (its vd_base is a line's). */
	uint32_t vd_read;
};

_Static_assert(sizeof(struct vdso_data) <= 4096, "the vvar page is one page");

#endif /* !_VDSO_VDSO_DATA_H_ */
