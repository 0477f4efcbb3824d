/*
 * Self tests of the clock (ktest=clock) and the periodic tick
 * (ktest=timer).
 */
#include <systm.h>
#include <clock.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>

#define MS 1000000UL /* nanoseconds */

/* PIT channel 2, as clock.c uses it, to check the clock against. */
#define PIT_HZ 1193182UL
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PIT_MODE_CH2_ONESHOT 0xb0
#define PIT_LATCH_CH2 0x80
#define PORT_61 0x61
#define PORT_61_GATE2 0x01
#define PORT_61_SPKR 0x02

/*
 * Count how many PIT periods a delay_ns(ns) lasts, using channel 2 as a
 * free-running one-shot from 0xffff (so ns must stay below 50 ms).
 * Interrupts masked, so the count covers the delay alone.
 */
static uint32_t
clock_test_pit_periods(uint64_t ns)
{
	uint8_t port61, lo, hi;
	bool was;

	was = intr_disable();
	port61 = inb(PORT_61);
	outb(PORT_61, (port61 & ~PORT_61_SPKR) | PORT_61_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	delay_ns(ns);
	outb(PIT_MODE, PIT_LATCH_CH2);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	outb(PORT_61, port61 & ~PORT_61_SPKR);
	intr_restore(was);
	return 0xffff - ((uint32_t)hi << 8 | lo);
}

KTEST(clock)
{
	uint64_t start, prev, now, t0, t1, expect;
	uint32_t periods;
	bool monotonic = true;
	int i;

	/* It advances and never goes backwards. */
	start = prev = nanouptime();
	for (i = 0; i < 10000; i++) {
		now = nanouptime();
		if (now < prev)
			monotonic = false;
		prev = now;
	}
	KT_CHECK(monotonic);
	KT_CHECKF(prev > start, "nanouptime did not advance over 10000 reads "
	    "(%lu)", start);

	/* delay_ns waits at least as asked, and not absurdly longer. */
	t0 = nanouptime();
	delay_ns(1 * MS);
	t1 = nanouptime();
	KT_CHECKF(t1 - t0 >= 1 * MS && t1 - t0 < 100 * MS,
	    "delay_ns(1 ms) took %lu ns", t1 - t0);
	t0 = nanouptime();
	delay_ns(0);
	t1 = nanouptime();
	KT_CHECKF(t1 - t0 < 1 * MS, "delay_ns(0) took %lu ns", t1 - t0);

	/*
	 * Against the independent reference: 10 ms of delay_ns is 11932
	 * PIT periods.  Never fewer (the calibration would be too fast);
	 * more only if the host stalls us, so the upper bound is loose.
	 */
	periods = clock_test_pit_periods(10 * MS);
	expect = 10 * MS * PIT_HZ / 1000000000UL;
	KT_CHECKF(periods >= expect * 97 / 100 && periods <= expect * 3 / 2,
	    "delay_ns(10 ms) lasted %u PIT periods, expected about %lu",
	    periods, expect);
}

KTEST(timer)
{
	uint64_t t0, n;
	bool was;

	was = intr_enabled();
	sti();
	t0 = ticks;
	delay_ns(50 * MS);
	n = ticks - t0;
	if (!was)
		cli();
	/* 50 ms at HZ is 5 ticks. */
	KT_CHECKF(n >= 2 && n <= 20, "%lu ticks in 50 ms at HZ=%d", n, HZ);
}
