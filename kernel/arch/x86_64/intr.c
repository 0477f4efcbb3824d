/*
 * Hardware interrupts: the table of handlers by vector, the dispatcher
 * the trap code calls, and the start-up of the interrupt controllers.
 *
 * The legacy 8259 pair is moved out of the exception vectors and masked
 * for good; every device interrupt goes through an I/O APIC to a local
 * APIC, which needs an end-of-interrupt after each one.
 */
#include <systm.h>
#include <spinlock.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/intr.h>

/* The two 8259s. */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_ICW1_INIT 0x11 /* edge-triggered, cascaded, ICW4 follows */
#define PIC_ICW4_8086 0x01

/*
 * The handler of each vector.  intr_lock serialises intr_establish();
 * intr_dispatch reads a slot without the lock, which is safe because a
 * slot is written once, its argument before its handler.
 *
 * intr_reported[] records the vectors without a handler already
 * reported; it is touched only with interrupts masked.
 */
struct intr_slot {
	intr_handler_t is_handler;
	void *is_arg;
};

static struct intr_slot intr_slots[IDT_NVEC];
static struct spinlock intr_lock = SPINLOCK_INITIALIZER("intr");
static bool intr_reported[IDT_NVEC];

/* The boot CPU's local APIC id, where ISA interrupts go; set at start-up. */
static uint32_t intr_boot_lapic_id;

void
intr_establish(int vector, intr_handler_t handler, void *arg)
{
	struct intr_slot *is;

	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);
	KASSERT(vector != VEC_SPURIOUS);
	KASSERT(handler != NULL);

	is = &intr_slots[vector];
	spin_lock(&intr_lock);
	if (is->is_handler != NULL)
		panic("intr_establish: vector %#x already has a handler",
		    vector);
	is->is_arg = arg;
	__atomic_store_n(&is->is_handler, handler, __ATOMIC_RELEASE);
	spin_unlock(&intr_lock);
}

void
intr_dispatch(struct trapframe *tf)
{
	struct cpu_info *ci = curcpu();
	int vector = (int)tf->tf_trapno;
	struct intr_slot *is;
	intr_handler_t handler;

	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);
	KASSERT(!intr_enabled());

	ci->ci_nintr++;
	/* A spurious interrupt is not in service: it takes no EOI. */
	if (vector == VEC_SPURIOUS)
		return;

	ci->ci_intr_depth++;
	is = &intr_slots[vector];
	handler = __atomic_load_n(&is->is_handler, __ATOMIC_ACQUIRE);
	if (handler != NULL)
		handler(tf, is->is_arg);
	else if (!intr_reported[vector]) {
		intr_reported[vector] = true;
		kprintf("intr: vector %#x has no handler; ignored (reported "
			"once)\n",
		    vector);
	}
	ci->ci_intr_depth--;
	lapic_eoi();
}

int
intr_route_isa(int irq, int vector)
{
	const struct acpi_isa_irq *air;
	uint32_t flags = 0;

	KASSERT(acpi_info.ai_initialized);
	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);

	if (irq < 0 || irq >= ACPI_NISA_IRQS)
		return -1;
	air = &acpi_info.ai_isa[irq];
	if (air->air_active_low)
		flags |= IOAPIC_ACTIVE_LOW;
	if (air->air_level)
		flags |= IOAPIC_LEVEL;
	return ioapic_route(air->air_gsi, vector, intr_boot_lapic_id, flags);
}

/*
 * Move the two 8259s to vectors IRQ_BASE and IRQ_BASE + 8, where a
 * stray interrupt cannot pose as an exception, then mask every input.
 * Boot CPU, interrupts masked.
 */
static void
intr_pic_disable(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	outb(PIC1_CMD, PIC_ICW1_INIT);
	outb(PIC2_CMD, PIC_ICW1_INIT);
	outb(PIC1_DATA, IRQ_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, IRQ_BASE + 8);
	outb(PIC1_DATA, 1 << 2); /* ICW3: slave on input 2 */
	outb(PIC2_DATA, 2);      /* ICW3: cascade identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void
intr_startup(void)
{
	const struct acpi_info *ai = &acpi_info;
	unsigned i;

	KASSERT(!intr_enabled());
	if (!ai->ai_initialized)
		panic("intr_startup: acpi_init(bi) must run first");

	if (ai->ai_pcat_compat)
		intr_pic_disable();
	lapic_startup(ai->ai_lapic_addr);
	intr_boot_lapic_id = lapic_id();
	curcpu()->ci_lapic_id = intr_boot_lapic_id;
	for (i = 0; i < ai->ai_nioapics; i++)
		ioapic_attach(ai->ai_ioapics[i].aio_id,
		    ai->ai_ioapics[i].aio_addr, ai->ai_ioapics[i].aio_gsi_base);
	kprintf("intr: local APIC id %u at %#lx, %u I/O APIC%s, 8259 %s\n",
	    curcpu()->ci_lapic_id, ai->ai_lapic_addr, ai->ai_nioapics,
	    ai->ai_nioapics == 1 ? "" : "s",
	    ai->ai_pcat_compat ? "masked" : "absent");
}
