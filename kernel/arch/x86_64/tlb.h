/*
 * Cross-CPU calls for TLB shootdown (tlb.c), private to arch/x86_64.
 *
 * tlb_call runs a function on a set of other CPUs, through IPI_TLB, and
 * returns when every one of them has run it.  pmap.c uses it to make
 * CPUs drop translations; the self tests use it to look at memory from
 * another CPU.
 */
#ifndef _ARCH_X86_64_TLB_H_
#define _ARCH_X86_64_TLB_H_

#include <types.h>
#include <cpuset.h>

typedef void (*tlb_func_t)(void *arg);

/*
 * Run fn(arg) on every online CPU in cpus other than the caller's, and
 * return when each has returned from it.  fn runs on each target with
 * interrupts masked, from its IPI handler or from a loop that spins
 * with interrupts masked (spin_lock, tlb_call's own wait); it must not
 * sleep or take a lock the caller may hold, and it may call tlb_call
 * only when tlb_call_busy() is false there (the functions of a
 * shootdown only invalidate; the self tests' do more).  While it waits,
 * the caller answers the calls other CPUs make to it, so two CPUs
 * calling each other at once both finish.  arg stays the caller's: it
 * may live on the caller's stack.  Callable with spinlocks held and
 * with interrupts masked, but not while this CPU has a call of its own
 * in progress (one call at a time per CPU).
 */
void tlb_call(cpuset_t cpus, tlb_func_t fn, void *arg);

/* True if this CPU has a tlb_call of its own in progress.  No requirements. */
bool tlb_call_busy(void);

#endif /* !_ARCH_X86_64_TLB_H_ */
