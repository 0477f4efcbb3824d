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
#define PIT_MODE_CH2_ONESHOT 0xb0 /* channel 2, low then high byte, mode 0 */
#define PIT_LATCH_CH2 0x80        /* latch channel 2 for reading */
#define PORT_61 0x61
#define PORT_61_GATE2 0x01
#define PORT_61_SPKR 0x02

/* Read PIT channel 2's current count.  Interrupts masked. */
static uint16_t
clock_test_pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_MODE, PIT_LATCH_CH2);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(hi << 8 | lo);
}

/*
 * Read nanouptime() and the PIT together: of a few tries keep the one
 * with the least time between its clock reads, so a stall of the
 * (virtual) CPU does not separate the two.  Interrupts masked.
 */
static void
clock_test_sample(uint64_t *ns, uint16_t *pit)
{
	uint64_t t0, t1, best = UINT64_MAX;
	uint16_t p;
	int i;

	for (i = 0; i < 4; i++) {
		t0 = nanouptime();
		p = clock_test_pit_read();
		t1 = nanouptime();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*ns = t0 + (t1 - t0) / 2;
			*pit = p;
		}
	}
}

KTEST(clock)
{
	uint64_t start, prev, now, t0, t1, expect, periods;
	uint16_t pit0, pit1;
	uint8_t port61;
	bool monotonic = true, was;
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
	KT_CHECKF(prev > start,
	    "nanouptime did not advance over 10000 reads "
	    "(%lu)",
	    start);

	/*
	 * delay_ns waits at least as asked, and not absurdly longer (the
	 * bounds are loose: under TCG the host may stall the guest).
	 */
	t0 = nanouptime();
	delay_ns(1 * MS);
	t1 = nanouptime();
	KT_CHECKF(t1 - t0 >= 1 * MS && t1 - t0 < 100 * MS,
	    "delay_ns(1 ms) took %lu ns", t1 - t0);
	t0 = nanouptime();
	delay_ns(0);
	t1 = nanouptime();
	/* Only absurd waits fail: the host may deschedule QEMU for a while. */
	KT_CHECKF(t1 - t0 < 100 * MS, "delay_ns(0) took %lu ns", t1 - t0);

	/*
	 * Against the independent reference: over a 10 ms delay, PIT
	 * channel 2 (counting down from 0xffff, 55 ms) and nanouptime()
	 * agree to 2%.
	 */
	was = intr_disable();
	port61 = inb(PORT_61);
	outb(PORT_61, (port61 & ~PORT_61_SPKR) | PORT_61_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	delay_ns(10000);
	clock_test_sample(&t0, &pit0);
	delay_ns(10 * MS);
	clock_test_sample(&t1, &pit1);
	outb(PORT_61, port61 & ~PORT_61_SPKR);
	intr_restore(was);
	periods = (uint16_t)(pit0 - pit1);
	expect = (t1 - t0) * PIT_HZ / 1000000000UL;
	KT_CHECKF(t1 - t0 >= 10 * MS, "delay_ns(10 ms) took %lu ns", t1 - t0);
	KT_CHECKF(periods * 50 >= expect * 49 && periods * 50 <= expect * 51,
	    "%lu PIT periods passed in %lu ns of nanouptime, expected %lu",
	    periods, t1 - t0, expect);
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
