/*
 * Self tests of the ACPI tables (ktest=acpi) and of interrupt delivery
 * through the local APIC and the I/O APIC (ktest=intr).
 */
#include <systm.h>
#include <clock.h>
#include <ktest.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/frame.h>
#include <arch/intr.h>

/* Vectors nobody else uses; each keeps its test handler once set. */
#define KTEST_VEC_IPI 0xe0
#define KTEST_VEC_ISA 0xe1

/* PIT channel 0 (ISA IRQ 0) as a one-shot interrupt source. */
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_MODE_CH0_ONESHOT 0x30 /* channel 0, low then high byte, mode 0 */

KTEST(acpi)
{
	const struct acpi_info *ai = &acpi_info;
	unsigned i;

	KT_CHECK(ai->ai_initialized);
	KT_CHECK(ai->ai_have_madt);
	KT_CHECKF(ai->ai_ncpus >= 1, "%u CPUs", ai->ai_ncpus);
	KT_CHECKF(ai->ai_nioapics >= 1, "%u I/O APICs", ai->ai_nioapics);
	KT_CHECKF(ai->ai_lapic_addr != 0 && (ai->ai_lapic_addr & 0xfff) == 0,
	    "LAPIC at %#lx", ai->ai_lapic_addr);
	for (i = 0; i < ai->ai_nioapics; i++)
		KT_CHECKF(ai->ai_ioapics[i].aio_addr != 0, "I/O APIC %u at 0",
		    i);
	/* ISA IRQs land on distinct GSIs (IRQ 2, the cascade, aside). */
	for (i = 1; i < ACPI_NISA_IRQS; i++)
		if (i != 2)
			KT_CHECKF(ai->ai_isa[i].air_gsi !=
				ai->ai_isa[0].air_gsi,
			    "IRQ %u and IRQ 0 share "
			    "GSI %u",
			    i, ai->ai_isa[0].air_gsi);
	KT_EQ(lapic_id(), curcpu()->ci_lapic_id);

	/* Power-off needs the FADT's PM1a port and the \_S5 object. */
	KT_CHECK(ai->ai_have_fadt);
	KT_CHECK(ai->ai_pm1a_cnt != 0);
	KT_CHECK(ai->ai_have_s5);
}

/* What the test handlers saw. */
struct intr_test_seen {
	volatile int its_calls;
	volatile uint64_t its_vector;
	volatile int its_depth;
	void *volatile its_arg;
};

static struct intr_test_seen intr_test_ipi, intr_test_isa;

/* A test handler: records its call in the intr_test_seen it is given. */
static void
intr_test_handler(struct trapframe *tf, void *arg)
{
	struct intr_test_seen *its = arg;

	its->its_calls++;
	its->its_vector = tf->tf_trapno;
	its->its_depth = curcpu()->ci_intr_depth;
	its->its_arg = arg;
}

/* Wait up to ns, interrupts enabled, for its to see a call. */
static void
intr_test_wait(struct intr_test_seen *its, uint64_t ns)
{
	uint64_t start = nanouptime();

	while (its->its_calls == 0 && nanouptime() - start < ns)
		cpu_pause();
}

KTEST(intr)
{
	static bool established;
	struct intr_test_seen *its;
	uint64_t nintr;
	bool was;

	was = intr_disable();
	if (!established) {
		intr_establish(KTEST_VEC_IPI, intr_test_handler,
		    &intr_test_ipi);
		intr_establish(KTEST_VEC_ISA, intr_test_handler,
		    &intr_test_isa);
		established = true;
	}

	/* A self-IPI waits while interrupts are masked, then arrives once. */
	its = &intr_test_ipi;
	memset(its, 0, sizeof(*its));
	nintr = curcpu()->ci_nintr;
	lapic_ipi_self(KTEST_VEC_IPI);
	delay_ns(100000);
	KT_EQ(its->its_calls, 0);
	sti();
	intr_test_wait(its, 10000000);
	cli();
	KT_EQ(its->its_calls, 1);
	KT_EQ(its->its_vector, KTEST_VEC_IPI);
	KT_EQ(its->its_depth, 1);
	KT_CHECK(its->its_arg == its);
	KT_CHECK(curcpu()->ci_nintr > nintr);
	KT_EQ(curcpu()->ci_intr_depth, 0);

	/*
	 * ISA IRQ 0 through the I/O APIC (and the MADT's override, GSI 2
	 * on a PC): PIT channel 0 in mode 0 raises its output once when
	 * 1193 periods (1 ms) have run out.  The mode is set before the
	 * route so a periodic firmware setting cannot fire in between.
	 */
	its = &intr_test_isa;
	memset(its, 0, sizeof(*its));
	outb(PIT_MODE, PIT_MODE_CH0_ONESHOT);
	KT_EQ(intr_route_isa(0, KTEST_VEC_ISA), 0);
	outb(PIT_CH0, 1193 & 0xff);
	outb(PIT_CH0, 1193 >> 8);
	sti();
	intr_test_wait(its, 50000000);
	delay_ns(2000000); /* a second, wrong, interrupt would come by now */
	cli();
	ioapic_mask(acpi_info.ai_isa[0].air_gsi);
	KT_EQ(its->its_calls, 1);
	KT_EQ(its->its_vector, KTEST_VEC_ISA);
	KT_EQ(intr_route_isa(16, KTEST_VEC_ISA), -1);

	intr_restore(was);
}
