/*
 * The local APIC in xAPIC mode: memory-mapped registers, one 32-bit
 * register every 16 bytes.  The registers sit at the same physical
 * address on every CPU and each CPU reaches its own through it, so one
 * uncached mapping serves all CPUs.
 */
#include <systm.h>
#include <param.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/intr.h>
#include <arch/pmap.h>

#define APICBASE_X2APIC 0x400 /* MSR_APICBASE: x2APIC mode */
#define APICBASE_ENABLE 0x800 /* MSR_APICBASE: global enable */
#define APICBASE_ADDR 0x000ffffffffff000UL

/* The mapped registers; set once by lapic_startup(), then read-only. */
static volatile uint32_t *lapic_regs;

uint32_t
lapic_read(uint32_t reg)
{
	KASSERT(lapic_regs != NULL);
	return lapic_regs[reg / 4];
}

void
lapic_write(uint32_t reg, uint32_t val)
{
	KASSERT(lapic_regs != NULL);
	lapic_regs[reg / 4] = val;
}

void
lapic_startup(paddr_t pa)
{
	uint64_t base;
	void *va;

	KASSERT(!intr_enabled());
	KASSERT(lapic_regs == NULL);

	/*
	 * The CPU decodes the address in MSR_APICBASE, so that is the one
	 * to use if it disagrees with the MADT.
	 */
	base = rdmsr(MSR_APICBASE);
	if ((base & APICBASE_X2APIC) != 0)
		panic("lapic: the firmware left the local APIC in x2APIC "
		      "mode, which this kernel does not support");
	if ((base & APICBASE_ENABLE) == 0) {
		base = (pa & APICBASE_ADDR) | APICBASE_ENABLE;
		wrmsr(MSR_APICBASE, base);
	} else if ((base & APICBASE_ADDR) != pa) {
		kprintf("lapic: MADT says %#lx, MSR_APICBASE says %#lx; "
			"using the MSR\n",
		    pa, base & APICBASE_ADDR);
		pa = base & APICBASE_ADDR;
	}

	va = pmap_mapdev(pa, PAGE_SIZE);
	if (va == NULL)
		panic("lapic: cannot map the local APIC registers at %#lx", pa);
	lapic_regs = va;
	lapic_enable();
}

void
lapic_enable(void)
{
	unsigned maxlvt;

	KASSERT(!intr_enabled());

	maxlvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	if (maxlvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LAPIC_LVT_MASKED);
	if (maxlvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LAPIC_LVT_MASKED);
	/* The error status register latches on a write; clear it twice. */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	/* Retire anything the firmware left in service. */
	lapic_write(LAPIC_EOI, 0);
}

void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/*
 * This CPU's local APIC id.  Before lapic_startup() it comes from CPUID,
 * which reports the initial id.  No requirements.
 */
uint32_t
lapic_id(void)
{
	uint32_t r[4];

	if (lapic_regs == NULL) {
		cpuid_count(1, 0, r);
		return r[1] >> 24;
	}
	return lapic_read(LAPIC_ID) >> 24;
}

void
lapic_ipi_self(int vector)
{
	bool was;

	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);

	was = intr_disable();
	while ((lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING) != 0)
		cpu_pause();
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO,
	    (uint32_t)vector | LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT |
		LAPIC_ICR_SELF);
	intr_restore(was);
}

/*
 * Write the ICR for apic_id with the low word lo, with interrupts masked
 * so that nothing on this CPU writes the ICR between the two halves, and
 * wait until the local APIC has sent it.  No requirements.
 */
static void
lapic_ipi_send(uint32_t apic_id, uint32_t lo)
{
	bool was;

	KASSERT(apic_id <= 0xff);

	was = intr_disable();
	while ((lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING) != 0)
		cpu_pause();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	while ((lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING) != 0)
		cpu_pause();
	intr_restore(was);
}

void
lapic_ipi_fixed(uint32_t apic_id, int vector)
{
	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);
	lapic_ipi_send(apic_id,
	    (uint32_t)vector | LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT);
}

void
lapic_ipi_init(uint32_t apic_id)
{
	lapic_ipi_send(apic_id,
	    LAPIC_ICR_INIT | LAPIC_ICR_LEVEL | LAPIC_ICR_ASSERT);
	lapic_ipi_send(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_LEVEL);
}

void
lapic_ipi_startup(uint32_t apic_id, paddr_t pa)
{
	KASSERT((pa & PAGE_MASK) == 0 && pa < 0x100000);

	lapic_ipi_send(apic_id, LAPIC_ICR_STARTUP | (uint32_t)(pa >> 12));
}
