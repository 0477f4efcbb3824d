/*
 * Cross-CPU calls over IPI_TLB, the transport of TLB shootdown (see
 * tlb.h; what a shootdown invalidates and when is pmap.c's business).
 *
 * Every CPU has one outgoing call slot, tlb_cpus[i], and one word of
 * incoming callers.  A call from CPU c to the set T:
 *
 *   1. c writes tc_func, tc_arg and tc_wait = T in its own slot (nobody
 *      reads the slot while tc_wait is 0);
 *   2. for each t in T, c ORs its bit into tlb_cpus[t].tc_callers
 *      (release: publishes step 1) and posts IPI_TLB to t;
 *   3. each t, in pmap_tlb_ipi (from ipi_poll: its IPI handler, or a
 *      loop spinning with interrupts masked), takes one caller's bit at
 *      a time out of its tc_callers (after an acquire load), runs that
 *      caller's function, and clears its own bit in the caller's tc_wait
 *      (release); while other callers wait it keeps IPI_TLB posted to
 *      itself, so that a function that spins answers them (ipi_poll
 *      takes that post again before it returns: nothing else would);
 *   4. c spins until tc_wait is 0 (acquire), calling ipi_poll, so a
 *      call made to c meanwhile is answered: two CPUs calling each other
 *      at once both finish, and so does a CPU holding a spinlock another
 *      target is spinning for (spin_lock polls too).
 *
 * A caller does not reuse its slot before every target has cleared its
 * bit, and a target reads the slot only between taking the caller's bit
 * and clearing it, so a slot is never read while it is rewritten.  An
 * IPI_TLB that finds no caller (its call was answered earlier, from a
 * poll) does nothing.  The shootdown functions only invalidate; a
 * function that spins (the self tests') still cannot hold up another
 * caller, by step 3.
 *
 * Locking: tc_callers and tc_wait are changed only atomically; tc_func
 * and tc_arg are written by the slot's CPU while tc_wait is 0 and read
 * by targets as above.  Interrupts are masked throughout a call, so an
 * interrupt handler cannot start a second call on the same CPU.
 */
#include <systm.h>
#include <arch/cpu.h>
#include <arch/ipi.h>
#include <arch/mp.h>
#include <arch/pmap.h>
#include "tlb.h"

struct tlb_cpu {
	tlb_func_t tc_func; /* the outgoing call */
	void *tc_arg;
	cpuset_t tc_wait;    /* targets that have not yet run it; atomic */
	cpuset_t tc_callers; /* CPUs with a call for this one; atomic */
} __aligned(64);

static struct tlb_cpu tlb_cpus[MAXCPUS];

bool
tlb_call_busy(void)
{
	return __atomic_load_n(&tlb_cpus[curcpu()->ci_index].tc_wait,
		   __ATOMIC_RELAXED) != 0;
}

void
tlb_call(cpuset_t cpus, tlb_func_t fn, void *arg)
{
	bool was = intr_disable();
	unsigned self = curcpu()->ci_index;
	struct tlb_cpu *tc = &tlb_cpus[self];

	cpus &= ~CPUSET_BIT(self);
	if (cpus == 0) {
		intr_restore(was);
		return;
	}
	KASSERT(tc->tc_wait == 0); /* one call at a time on a CPU */
	tc->tc_func = fn;
	tc->tc_arg = arg;
	__atomic_store_n(&tc->tc_wait, cpus, __ATOMIC_RELAXED);
	for (cpuset_t left = cpus; left != 0; left &= left - 1) {
		unsigned i = (unsigned)__builtin_ctzll(left);

		__atomic_or_fetch(&tlb_cpus[i].tc_callers, CPUSET_BIT(self),
		    __ATOMIC_RELEASE);
		ipi_send(cpu_info_at(i), IPI_TLB);
	}
	while (__atomic_load_n(&tc->tc_wait, __ATOMIC_ACQUIRE) != 0) {
		ipi_poll();
		cpu_pause();
	}
	intr_restore(was);
}

/*
 * Answer every call made to this CPU (IPI_TLB), one caller at a time.
 * While it runs one caller's function, the others stay in tc_callers
 * and IPI_TLB stays posted, so a function that spins (for a lock, or in
 * a call of its own) answers them from its poll: a caller is never
 * held up behind another caller's function.  From ipi_poll, with
 * interrupts masked.
 */
void
pmap_tlb_ipi(void)
{
	struct cpu_info *ci = curcpu();
	struct tlb_cpu *me = &tlb_cpus[ci->ci_index];
	cpuset_t callers;

	KASSERT(!intr_enabled());
	while ((callers = __atomic_load_n(&me->tc_callers, __ATOMIC_ACQUIRE)) !=
	    0) {
		unsigned i = (unsigned)__builtin_ctzll(callers);
		struct tlb_cpu *tc = &tlb_cpus[i];

		__atomic_and_fetch(&me->tc_callers, ~CPUSET_BIT(i),
		    __ATOMIC_RELAXED);
		if ((callers & ~CPUSET_BIT(i)) != 0)
			__atomic_or_fetch(&ci->ci_ipi_pending, IPI_TLB,
			    __ATOMIC_RELAXED);
		tc->tc_func(tc->tc_arg);
		__atomic_and_fetch(&tc->tc_wait, ~CPUSET_BIT(ci->ci_index),
		    __ATOMIC_RELEASE);
	}
}
