/*
 * Inter-processor interrupts (see <arch/ipi.h>).
 *
 * Locking: ci_ipi_pending is changed only with atomic operations: senders
 * OR bits in, the owning CPU takes them all with an exchange.  A kind
 * posted while the target is already handling the same kind is not lost:
 * it stays pending for the next ipi_poll, which the interrupt that
 * follows the post guarantees.
 */
#include <systm.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/intr.h>
#include <arch/ipi.h>
#include <arch/mp.h>
#include <arch/pmap.h>

void
ipi_send(struct cpu_info *ci, unsigned kinds)
{
	KASSERT(kinds != 0);
	__atomic_or_fetch(&ci->ci_ipi_pending, kinds, __ATOMIC_SEQ_CST);
	if (ci == curcpu())
		lapic_ipi_self(VEC_IPI);
	else
		lapic_ipi_fixed(ci->ci_lapic_id, VEC_IPI);
}

void
ipi_send_others(unsigned kinds)
{
	struct cpu_info *self = curcpu();

	for (unsigned i = 0; i < mp_ncpus; i++) {
		struct cpu_info *ci = cpu_info_at(i);

		if (ci != self)
			ipi_send(ci, kinds);
	}
}

void
ipi_poll(void)
{
	struct cpu_info *ci = curcpu();
	unsigned kinds;

	KASSERT(!intr_enabled());
	if (__atomic_load_n(&ci->ci_ipi_pending, __ATOMIC_RELAXED) == 0)
		return;
	kinds = __atomic_exchange_n(&ci->ci_ipi_pending, 0, __ATOMIC_ACQUIRE);
	if (kinds & IPI_HALT) {
		for (;;) {
			cli();
			hlt();
		}
	}
	if (kinds & IPI_TLB)
		pmap_tlb_ipi();
	/* IPI_RESCHED: the interrupt's return path reads ci_want_resched. */
}

/* VEC_IPI.  Interrupts masked. */
static void
ipi_intr(struct trapframe *tf __unused_arg, void *arg __unused_arg)
{
	ipi_poll();
}

void
ipi_startup(void)
{
	intr_establish(VEC_IPI, ipi_intr, NULL);
}
