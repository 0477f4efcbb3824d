/*
 * Interrupts: handlers for IDT vectors, the interrupt controllers, and
 * the routing of ISA interrupts to vectors.
 */
#ifndef _ARCH_INTR_H_
#define _ARCH_INTR_H_

#include <types.h>

struct trapframe;

typedef void (*intr_handler_t)(struct trapframe *tf, void *arg);

/*
 * Call handler(tf, arg) for every interrupt on vector (IRQ_BASE .. 0xff).
 * The LAPIC gets its end-of-interrupt after the handler returns.  A
 * vector has at most one handler.  No requirements.
 */
void intr_establish(int vector, intr_handler_t handler, void *arg);

/*
 * Send ISA interrupt irq (0..15) to vector on the boot CPU through the
 * I/O APIC, honouring the MADT's source overrides.  Returns 0 or -1 if
 * no I/O APIC handles that interrupt.
 */
int intr_route_isa(int irq, int vector);

/*
 * Called by the trap dispatcher for every vector >= IRQ_BASE: runs the
 * vector's handler (a vector with none is counted and reported once) and
 * signals end-of-interrupt.  Interrupts are masked.
 */
void intr_dispatch(struct trapframe *tf);

/* Find and set up the LAPIC and I/O APICs (from the MADT); mask the PIC. */
void intr_startup(void);

/* Local APIC. */
void lapic_eoi(void);
uint32_t lapic_id(void);

#endif /* !_ARCH_INTR_H_ */
