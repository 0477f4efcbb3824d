/*
 * Time on x86_64: the TSC is the clock, the local APIC timer the tick.
 *
 * Both run at rates nobody tells us, so clock_startup() measures them
 * together against the PIT, whose 1193182 Hz input is fixed: channel 2
 * (the speaker's, gated from port 0x61) counts down for about 1 ms
 * while the TSC and a free-running LAPIC timer count too, and all three
 * are read together at both ends.  The window is short on purpose:
 * under QEMU's "-icount shift=0" every instruction is a nanosecond and
 * the whole boot has a budget of a few milliseconds, yet 1 ms still
 * resolves the rates to 0.1%.
 *
 * nanouptime() converts TSC cycles with a fixed-point multiplier:
 * ns = ns_base + (tsc * mult) >> 32, the product taken in 128 bits
 * (vclock_ns, which the vDSO uses too, with the line clock_vclock hands
 * out: vdso_data.h).
 */
#include <systm.h>
#include <clock.h>
#include <klog.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/frame.h>
#include <arch/intr.h>
#include <vdso/vdso_data.h>

#define NS_PER_SEC 1000000000UL

/* The PIT and the port that gates and reads back its channel 2. */
#define PIT_HZ 1193182UL
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PIT_MODE_CH2_ONESHOT 0xb0 /* channel 2, low then high byte, mode 0 */
#define PIT_LATCH_CH2 0x80        /* latch channel 2's count for reading */
#define PORT_61 0x61
#define PORT_61_GATE2 0x01 /* channel 2 counts while set */
#define PORT_61_SPKR 0x02  /* channel 2 drives the speaker while set */

#define CLOCK_CAL_PIT_COUNT 1193      /* PIT periods: 0.9998 ms */
#define CLOCK_CAL_TIMEOUT (1UL << 30) /* TSC cycles before giving up */
#define CLOCK_SAMPLE_TRIES 4
#define CLOCK_CAL_TRIES 4 /* measurements before the CPUID fallback */

#define CLOCK_MULT(hz) ((NS_PER_SEC << VCLOCK_SHIFT) / (hz))
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
static struct vclock clock_line = { .vc_mult = CLOCK_MULT(CLOCK_PRECAL_HZ) };

/*
 * The calibrated rates, written once by clock_startup().  The LAPIC
 * timer's is what other CPUs will program their own ticks with.
 */
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
	return vclock_ns(rdtsc(), clock_line.vc_ns_base, clock_line.vc_mult);
}

/*
 * The line nanouptime() converts with, into *vc; true if user mode (the
 * vDSO) may read the TSC with it too, which is once clock_startup has
 * calibrated it: the line is constant from then on, and every CPU's TSC
 * is then trusted exactly as far as nanouptime() trusts it.  No
 * requirements.
 */
bool
clock_vclock(struct vclock *vc)
{
	*vc = clock_line;
	return clock_tsc_hz != 0;
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

/* Read PIT channel 2's current count.  Boot CPU, interrupts masked. */
static uint16_t
clock_pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_MODE, PIT_LATCH_CH2);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(hi << 8 | lo);
}

/* The three counters read at (nearly) one moment. */
struct clock_sample {
	uint64_t cs_tsc;
	uint32_t cs_lapic;
	uint16_t cs_pit;
};

/*
 * Read the PIT, the LAPIC timer and, around them, the TSC.  The reads
 * are tried CLOCK_SAMPLE_TRIES times and the try with the fewest TSC
 * cycles between its two TSC reads is kept, so a stall in the middle (a
 * slow port access, or the host descheduling a virtual CPU) does not
 * skew the sample; its TSC value is the middle of that try.
 * Boot CPU, interrupts masked.
 */
static void
clock_sample(struct clock_sample *cs)
{
	uint64_t t0, t1, best = UINT64_MAX;
	uint32_t lapic;
	uint16_t pit;
	int i;

	for (i = 0; i < CLOCK_SAMPLE_TRIES; i++) {
		t0 = rdtsc();
		pit = clock_pit_read();
		lapic = lapic_read(LAPIC_TIMER_CCR);
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			cs->cs_tsc = t0 + (t1 - t0) / 2;
			cs->cs_lapic = lapic;
			cs->cs_pit = pit;
		}
	}
}

/*
 * Measure the TSC and LAPIC timer rates against at least
 * CLOCK_CAL_PIT_COUNT periods of the PIT and store them in *tsc_hz and
 * *lapic_hz.  PIT channel 2 counts down from 0xffff in mode 0 with the
 * LAPIC timer (divide by 1) counting down beside it; the rates come
 * from two samples of all three counters, so only the PIT periods that
 * really passed between the samples count, whatever delays the code
 * around them.  If the PIT does not count, falls back to CPUID for the
 * TSC and measures the LAPIC timer against it; panics if even that is
 * impossible.  Boot CPU, interrupts masked, LAPIC timer unused.
 */
static bool clock_measure(uint64_t *tsc_hz, uint64_t *lapic_hz,
    uint64_t *dtsc_out, uint32_t *dlapic_out);

static void
clock_calibrate(uint64_t *tsc_hz, uint64_t *lapic_hz)
{
	uint64_t dtsc = 0;
	uint32_t dlapic = 0;

	KASSERT(!intr_enabled());
	for (int i = 0; i < CLOCK_CAL_TRIES; i++)
		if (clock_measure(tsc_hz, lapic_hz, &dtsc, &dlapic))
			return;

	*tsc_hz = clock_cpuid_tsc_hz();
	if (*tsc_hz == 0 || dtsc == 0 || dlapic == 0)
		panic("clock: PIT channel 2 does not count and CPUID does not "
		      "give the TSC rate; cannot calibrate the clock");
	kprintf("clock: PIT channel 2 does not count; using CPUID's TSC "
		"rate\n");
	/* In kHz so the product fits in 64 bits: 2^32 * 2^24. */
	*lapic_hz = (uint64_t)dlapic * (*tsc_hz / 1000) / dtsc * 1000;
}

/*
 * One measurement for clock_calibrate: returns true with the rates in
 * *tsc_hz and *lapic_hz, or false (the PIT did not count through the
 * window, or the host stalled us past its timeout) with the raw TSC and
 * LAPIC counts in *dtsc and *dlapic.  Boot CPU, interrupts masked.
 */
static bool
clock_measure(uint64_t *tsc_hz, uint64_t *lapic_hz, uint64_t *dtsc_out,
    uint32_t *dlapic_out)
{
	struct clock_sample a, b;
	uint64_t start, dtsc;
	uint32_t dlapic;
	uint16_t periods = 0;
	uint8_t port61;

	/* A masked one-shot timer that will not run out during the window. */
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);

	/* Gate channel 2 on, keep the speaker off, load the count. */
	port61 = inb(PORT_61);
	outb(PORT_61, (port61 & ~PORT_61_SPKR) | PORT_61_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);

	/* The count is loaded on the next PIT clock; wait until it moves. */
	start = rdtsc();
	while (
	    clock_pit_read() >= 0xfffe && rdtsc() - start < CLOCK_CAL_TIMEOUT)
		continue;
	clock_sample(&a);
	while ((uint16_t)(a.cs_pit - clock_pit_read()) < CLOCK_CAL_PIT_COUNT &&
	    rdtsc() - start < CLOCK_CAL_TIMEOUT)
		continue;
	clock_sample(&b);
	lapic_write(LAPIC_TIMER_ICR, 0);
	outb(PORT_61, port61 & ~PORT_61_SPKR);

	periods = a.cs_pit - b.cs_pit;
	dtsc = b.cs_tsc - a.cs_tsc;
	dlapic = a.cs_lapic - b.cs_lapic;
	*dtsc_out = dtsc;
	*dlapic_out = dlapic;
	if (periods >= CLOCK_CAL_PIT_COUNT && periods < 0x8000) {
		*tsc_hz = dtsc * PIT_HZ / periods;
		*lapic_hz = (uint64_t)dlapic * PIT_HZ / periods;
		return true;
	}
	return false;
}

/*
 * The LAPIC timer interrupt: one tick.  Interrupts masked.
 */
static void
clock_intr(struct trapframe *tf, void *arg __unused_arg)
{
	hardclock(TRAPF_USERMODE(tf));
}

/* hz in tenths of a MHz, rounded, for printing.  No requirements. */
static uint64_t
clock_mhz_tenths(uint64_t hz)
{
	return (hz + 50000) / 100000;
}

void
clock_startup(void)
{
	uint64_t tsc_hz, lapic_hz, tsc10, lapic10, tsc, now;

	KASSERT(!intr_enabled());
	KASSERT(clock_tsc_hz == 0);

	clock_calibrate(&tsc_hz, &lapic_hz);
	if (tsc_hz < 1000000 || lapic_hz < HZ * 1000 ||
	    lapic_hz / HZ > 0xffffffff)
		panic("clock: implausible rates: TSC %lu Hz, LAPIC timer "
		      "%lu Hz",
		    tsc_hz, lapic_hz);
	clock_tsc_hz = tsc_hz;
	clock_lapic_hz = lapic_hz;

	/* Switch rates without a jump: the new line starts where we are. */
	tsc = rdtsc();
	now = vclock_ns(tsc, clock_line.vc_ns_base, clock_line.vc_mult);
	clock_line.vc_mult = CLOCK_MULT(tsc_hz);
	clock_line.vc_ns_base = now - vclock_ns(tsc, 0, clock_line.vc_mult);

	tsc10 = clock_mhz_tenths(tsc_hz);
	lapic10 = clock_mhz_tenths(lapic_hz);
	kprintf("clock: TSC %lu.%lu MHz, LAPIC timer %lu.%lu MHz\n", tsc10 / 10,
	    tsc10 % 10, lapic10 / 10, lapic10 % 10);

	intr_establish(VEC_LAPIC_TIMER, clock_intr, NULL);
	clock_start_tick();
}

void
clock_start_tick(void)
{
	KASSERT(!intr_enabled());
	KASSERT(clock_lapic_hz != 0);

	/* The periodic tick: the LVT entry first, then the count starts it. */
	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)(clock_lapic_hz / HZ));
}

/*
 * One timer tick on this CPU: the boot CPU counts ticks, moves the vvar
 * page's seconds (clock_vdso_tick) and wakes the kernel log's readers
 * (klog_tick), and every CPU
 * charges the tick to the LWP it interrupted (statclock) and runs the
 * scheduler's tick.  Interrupts masked.
 */
void
hardclock(bool usermode)
{
	KASSERT(!intr_enabled());
	if (curcpu()->ci_index == 0) {
		ticks++;
		clock_vdso_tick();
		klog_tick();
	}
	statclock(usermode);
	sched_tick();
}
