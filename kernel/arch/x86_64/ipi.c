/*
 * Inter-processor interrupts (see <arch/ipi.h>).
 *
 * Locking: ci_ipi_pending is changed only with atomic operations: senders
 * OR bits in, the owning CPU takes them all with an exchange.  A kind
 * posted while the target is already handling the same kind is not lost:
 * ipi_poll takes the word again until it reads 0, and a post into an
 * empty word sends the interrupt that brings the next ipi_poll
 * (ipi_send).  So the word is never left non-zero without an interrupt
 * on its way.
 */
#include <systm.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/intr.h>
#include <arch/ipi.h>
#include <arch/mp.h>
#include <arch/pmap.h>

/*
 * The interrupt is sent only by the post that finds nothing pending:
 * while ci_ipi_pending is not zero, an interrupt sent by an earlier post
 * is on its way, and the ipi_poll it brings takes every kind posted
 * until then (as the local APIC keeps one request per vector).  The
 * post and the send are one step with interrupts masked, so no post can
 * wait on an interrupt that the poster, interrupted in between, has yet
 * to send.
 */
void
ipi_send(struct cpu_info *ci, unsigned kinds)
{
	bool was;

	KASSERT(kinds != 0);
	was = intr_disable();
	if (__atomic_fetch_or(&ci->ci_ipi_pending, kinds, __ATOMIC_SEQ_CST) ==
	    0) {
		if (ci == curcpu())
			lapic_ipi_self(VEC_IPI);
		else
			lapic_ipi_fixed(ci->ci_lapic_id, VEC_IPI);
		curcpu()->ci_nipi_sent++;
	}
	intr_restore(was);
}

uint64_t
ipi_sent_count(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < mp_ncpus; i++)
		n += __atomic_load_n(&cpu_info_at(i)->ci_nipi_sent,
		    __ATOMIC_RELAXED);
	return n;
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
	/*
	 * Until the word reads 0: a kind posted meanwhile found it not 0
	 * and sent no interrupt (ipi_send), and pmap_tlb_ipi posts IPI_TLB
	 * here itself, without one, while callers wait.  Left posted, either
	 * would go unanswered until something polls: a CPU that only takes
	 * interrupts (user mode) would never answer a shootdown again.
	 */
	while (__atomic_load_n(&ci->ci_ipi_pending, __ATOMIC_RELAXED) != 0) {
		kinds = __atomic_exchange_n(&ci->ci_ipi_pending, 0,
		    __ATOMIC_ACQUIRE);
		if (kinds & IPI_HALT) {
			for (;;) {
				cli();
				hlt();
			}
		}
		if (kinds & IPI_TLB)
			pmap_tlb_ipi();
		/* IPI_RESCHED: the interrupt's return reads ci_want_resched. */
	}
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
