/*
 * The local APIC and the I/O APICs: the arch-internal interface below
 * <arch/intr.h>, used by intr.c, clock.c and (later) SMP start-up.
 * Register offsets and bits are those of the Intel SDM vol. 3, chapter
 * 11 (xAPIC, memory-mapped) and of the 82093AA I/O APIC datasheet.
 */
#ifndef _ARCH_APIC_H_
#define _ARCH_APIC_H_

#include <types.h>

/* Local APIC registers (byte offsets from its base). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380 /* initial count */
#define LAPIC_TIMER_CCR 0x390 /* current count */
#define LAPIC_TIMER_DCR 0x3e0 /* divide configuration */

#define LAPIC_SVR_ENABLE 0x100

#define LAPIC_LVT_MASKED 0x00010000
#define LAPIC_LVT_PERIODIC 0x00020000 /* timer mode */
#define LAPIC_LVT_NMI 0x00000400      /* delivery mode */

#define LAPIC_DCR_DIV1 0xb

#define LAPIC_ICR_FIXED 0x00000000
#define LAPIC_ICR_INIT 0x00000500    /* delivery mode: INIT */
#define LAPIC_ICR_STARTUP 0x00000600 /* delivery mode: start-up (SIPI) */
#define LAPIC_ICR_PENDING 0x00001000 /* delivery status: send pending */
#define LAPIC_ICR_ASSERT 0x00004000
#define LAPIC_ICR_LEVEL 0x00008000 /* trigger mode */
#define LAPIC_ICR_SELF 0x00040000  /* destination shorthand */

/* Read and write a local APIC register of this CPU.  lapic_startup() first. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t val);

/*
 * Map the local APIC registers at physical pa (the same on every CPU)
 * and enable this CPU's APIC.  Boot CPU, interrupts masked.
 */
void lapic_startup(paddr_t pa);

/*
 * Enable this CPU's local APIC: spurious vector VEC_SPURIOUS, every local
 * source masked except LINT1 (NMI), task priority 0.  lapic_startup()
 * must have mapped the registers; interrupts masked.
 */
void lapic_enable(void);

/* Send vector to this CPU as a fixed interrupt.  No requirements. */
void lapic_ipi_self(int vector);

/*
 * Send a fixed interrupt on vector to the local APIC apic_id and wait
 * until it has left.  No requirements.
 */
void lapic_ipi_fixed(uint32_t apic_id, int vector);

/*
 * Send an INIT IPI to the CPU with local APIC id apic_id (assert, then
 * the level de-assert older CPUs need), waiting until the local APIC has
 * sent each.  The target CPU resets and waits for a start-up IPI.
 * lapic_startup() first; no other requirements.
 */
void lapic_ipi_init(uint32_t apic_id);

/*
 * Send a start-up IPI to the CPU with local APIC id apic_id: a CPU
 * waiting after INIT starts in real mode at physical address pa (page
 * aligned, below 1 MiB).  Waits until the local APIC has sent it.
 * lapic_startup() first; no other requirements.
 */
void lapic_ipi_startup(uint32_t apic_id, paddr_t pa);

/* I/O APIC redirection entry flags for ioapic_route(). */
#define IOAPIC_ACTIVE_LOW 0x00002000
#define IOAPIC_LEVEL 0x00008000
#define IOAPIC_MASKED 0x00010000

/*
 * Map the I/O APIC with registers at physical pa handling GSIs from
 * gsi_base, and mask all its inputs.  Boot CPU, interrupts masked.
 */
void ioapic_attach(uint8_t id, paddr_t pa, uint32_t gsi_base);

/*
 * Deliver global system interrupt gsi as vector to the CPU with local
 * APIC id dest, with flags IOAPIC_ACTIVE_LOW / IOAPIC_LEVEL, unmasked
 * unless flags has IOAPIC_MASKED.  Returns 0, or -1 if no attached I/O
 * APIC handles gsi.  No requirements.
 */
int ioapic_route(uint32_t gsi, int vector, uint32_t dest, uint32_t flags);

/* Mask gsi.  Returns 0, or -1 if no I/O APIC handles it.  No requirements. */
int ioapic_mask(uint32_t gsi);

#endif /* !_ARCH_APIC_H_ */
