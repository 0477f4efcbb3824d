/*
 * Time on x86_64: the TSC is the clock, the local APIC timer the tick.
 *
 * Both run at rates nobody tells us, so clock_startup() measures them
 * together against the PIT, whose 1193182 Hz input is fixed: channel 2
 * (the speaker's, gated from port 0x61 and with its output readable
 * there) counts down about 1 ms while the TSC and a free-running LAPIC
 * timer count up.  The window is short on purpose: under QEMU's
 * "-icount shift=0" every instruction is a nanosecond and the whole boot
 * has a budget of a few milliseconds, yet 1 ms still resolves the rates
 * to 0.1%.
 *
 * nanouptime() converts TSC cycles with a fixed-point multiplier:
 * ns = ns_base + ((tsc - tsc_base) * mult) >> 32, the product taken in
 * 128 bits so no uptime overflows it.
 */
#include <systm.h>
#include <clock.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/intr.h>

#define NS_PER_SEC 1000000000UL

/* The PIT and the port that gates and reads back its channel 2. */
#define PIT_HZ 1193182UL
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PIT_MODE_CH2_ONESHOT 0xb0 /* channel 2, low then high byte, mode 0 */
#define PORT_61 0x61
#define PORT_61_GATE2 0x01 /* channel 2 counts while set */
#define PORT_61_SPKR 0x02  /* channel 2 drives the speaker while set */
#define PORT_61_OUT2 0x20  /* channel 2 output (read only) */

#define CLOCK_CAL_PIT_COUNT 1193     /* PIT periods: 0.9998 ms */
#define CLOCK_CAL_TIMEOUT (1UL << 30) /* TSC cycles before giving up */

#define CLOCK_SHIFT 32
#define CLOCK_MULT(hz) ((NS_PER_SEC << CLOCK_SHIFT) / (hz))
/*
 * Before calibration the TSC is assumed to run at 10 GHz, faster than
 * any real one, so early delays are too long rather than too short.
 */
#define CLOCK_PRECAL_HZ 10000000000UL

volatile uint64_t ticks;

/*
 * The conversion from TSC to nanoseconds.  Written only by
 * clock_startup() on the boot CPU with interrupts masked, before any
 * other CPU runs; read-only afterwards.
 */
static uint64_t clock_tsc_base;
static uint64_t clock_ns_base;
static uint64_t clock_mult = CLOCK_MULT(CLOCK_PRECAL_HZ);

/* Calibrated rates, for the boot message and the tests. */
static uint64_t clock_tsc_hz;
static uint64_t clock_lapic_hz;

/*
 * Nanoseconds since boot.  Before clock_startup() it counts from the
 * TSC's reset at a deliberately low estimate; clock_startup() switches
 * to the measured rate without a jump, so the value never goes
 * backwards.  No requirements.
 */
uint64_t
nanouptime(void)
{
	uint64_t d = rdtsc() - clock_tsc_base;

	return clock_ns_base +
	    (uint64_t)(((unsigned __int128)d * clock_mult) >> CLOCK_SHIFT);
}

void
delay_ns(uint64_t ns)
{
	uint64_t start = nanouptime();

	while (nanouptime() - start < ns)
		cpu_pause();
}

/*
 * The TSC rate from CPUID leaf 0x15 (crystal clock times a ratio), or 0
 * when the CPU does not report it.  Only a fallback: QEMU leaves the
 * leaf empty unless told a TSC frequency.  No requirements.
 */
static uint64_t
clock_cpuid_tsc_hz(void)
{
	uint32_t r[4];

	cpuid_count(0, 0, r);
	if (r[0] < 0x15)
		return 0;
	cpuid_count(0x15, 0, r);
	if (r[0] == 0 || r[1] == 0 || r[2] == 0)
		return 0;
	return (uint64_t)r[2] * r[1] / r[0];
}

/*
 * Let PIT channel 2 count count periods in mode 0, whose output rises
 * when the count runs out, and measure how far the TSC and the LAPIC
 * timer (divide by 1) advance meanwhile, in *dtsc and *dlapic.  Returns
 * false if the PIT output never rose.  Boot CPU, interrupts masked,
 * LAPIC timer unused.
 */
static bool
clock_measure(uint16_t count, uint64_t *dtsc, uint32_t *dlapic)
{
	uint64_t t0, t1;
	uint32_t l0, l1;
	uint8_t port61;
	bool done;

	/* A masked one-shot timer that will not run out during the window. */
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);

	/* Gate channel 2 on, keep the speaker off, load the count. */
	port61 = inb(PORT_61);
	outb(PORT_61, (port61 & ~PORT_61_SPKR) | PORT_61_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8); /* counting starts */
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CCR);
	do {
		done = (inb(PORT_61) & PORT_61_OUT2) != 0;
		t1 = rdtsc();
	} while (!done && t1 - t0 < CLOCK_CAL_TIMEOUT);
	l1 = lapic_read(LAPIC_TIMER_CCR);

	lapic_write(LAPIC_TIMER_ICR, 0);
	outb(PORT_61, port61 & ~PORT_61_SPKR);
	*dtsc = t1 - t0;
	*dlapic = l0 - l1;
	return done;
}

/*
 * Measure the TSC and LAPIC timer rates against about 1 ms of the PIT
 * and store them in *tsc_hz and *lapic_hz.  A first tiny measurement
 * runs the same code once so that a binary translator (QEMU without
 * KVM) has translated it before the real window, where translating
 * would add its host time to one side only.  If the PIT never finishes,
 * falls back to CPUID for the TSC and measures the LAPIC timer against
 * it; panics if even that is impossible.  Boot CPU, interrupts masked,
 * LAPIC timer unused.
 */
static void
clock_calibrate(uint64_t *tsc_hz, uint64_t *lapic_hz)
{
	uint64_t dtsc;
	uint32_t dlapic;

	KASSERT(!intr_enabled());

	(void)clock_measure(2, &dtsc, &dlapic);
	if (clock_measure(CLOCK_CAL_PIT_COUNT, &dtsc, &dlapic)) {
		*tsc_hz = dtsc * PIT_HZ / CLOCK_CAL_PIT_COUNT;
		*lapic_hz = (uint64_t)dlapic * PIT_HZ / CLOCK_CAL_PIT_COUNT;
		return;
	}

	*tsc_hz = clock_cpuid_tsc_hz();
	if (*tsc_hz == 0 || dlapic == 0 || dlapic == 0xffffffff)
		panic("clock: PIT channel 2 never ran out and CPUID does not "
		    "give the TSC rate; cannot calibrate the clock");
	kprintf("clock: PIT channel 2 never ran out; using CPUID's TSC "
	    "rate\n");
	/* In kHz so the product fits in 64 bits: 2^32 * 2^24. */
	*lapic_hz = (uint64_t)dlapic * (*tsc_hz / 1000) / dtsc * 1000;
}

/*
 * The LAPIC timer interrupt: one tick.  Interrupts masked.
 */
static void
clock_intr(struct trapframe *tf __unused_arg, void *arg __unused_arg)
{
	hardclock();
}

/*
 * Print hz as MHz with one decimal, rounded.  No requirements.
 */
static void
clock_print_mhz(const char *what, uint64_t hz, const char *sep)
{
	uint64_t tenths = (hz + 50000) / 100000;

	kprintf("%s %lu.%lu MHz%s", what, tenths / 10, tenths % 10, sep);
}

void
clock_startup(void)
{
	uint64_t tsc_hz, lapic_hz, now;

	KASSERT(!intr_enabled());
	KASSERT(clock_tsc_hz == 0);

	clock_calibrate(&tsc_hz, &lapic_hz);
	if (tsc_hz < 1000000 || lapic_hz < HZ * 1000 ||
	    lapic_hz / HZ > 0xffffffff)
		panic("clock: implausible rates: TSC %lu Hz, LAPIC timer "
		    "%lu Hz", tsc_hz, lapic_hz);
	clock_tsc_hz = tsc_hz;
	clock_lapic_hz = lapic_hz;

	/* Switch rates without a jump: the new line starts where we are. */
	now = rdtsc();
	clock_ns_base = clock_ns_base + (uint64_t)(((unsigned __int128)(now -
	    clock_tsc_base) * clock_mult) >> CLOCK_SHIFT);
	clock_tsc_base = now;
	clock_mult = CLOCK_MULT(tsc_hz);

	kprintf("clock: ");
	clock_print_mhz("TSC", tsc_hz, ", ");
	clock_print_mhz("LAPIC timer", lapic_hz, "\n");

	/* The periodic tick: the LVT entry first, then the count starts it. */
	intr_establish(VEC_LAPIC_TIMER, clock_intr, NULL);
	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)(lapic_hz / HZ));
}

/*
 * One timer tick on this CPU.  For now it only counts; the scheduler
 * will hook in here.  Interrupts masked.
 */
void
hardclock(void)
{
	KASSERT(!intr_enabled());
	ticks++;
}
