/*
 * Inter-processor interrupts: one vector, VEC_IPI, and a per-CPU word
 * of pending kinds.  A sender ORs its kinds into the target's
 * ci_ipi_pending and interrupts it; the target handles every pending
 * kind in ipi_poll(), from the interrupt or earlier, from any loop
 * that spins with interrupts masked (spin_lock), so a CPU waiting for
 * a lock never holds up a CPU waiting for it to answer an IPI.
 */
#ifndef _ARCH_IPI_H_
#define _ARCH_IPI_H_

#include <types.h>

struct cpu_info;

/* Kinds of IPI work (bits of ci_ipi_pending). */
#define IPI_RESCHED 0x1 /* look at ci_want_resched on the way out */
#define IPI_TLB 0x2     /* answer the cross-CPU calls (TLB shootdowns, tlb.c) */
#define IPI_HALT 0x4    /* stop for good (panic) */

/* Set up the IPI vector.  Boot CPU, once, after intr_startup. */
void ipi_startup(void);

/*
 * Post kinds to ci and interrupt it.  ci must be online; it may be the
 * caller's own CPU.  No requirements: callable with spinlocks held.
 */
void ipi_send(struct cpu_info *ci, unsigned kinds);

/*
 * Interrupts sent so far by every CPU's ipi_send (posts that found
 * others pending send none).  For tests.  No requirements.
 */
uint64_t ipi_sent_count(void);

/* ipi_send to every online CPU but the caller's.  No requirements. */
void ipi_send_others(unsigned kinds);

/*
 * Handle every kind posted to this CPU.  Interrupts masked; callable
 * with spinlocks held.
 */
void ipi_poll(void);

#endif /* !_ARCH_IPI_H_ */
