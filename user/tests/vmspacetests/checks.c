/*
 * checks.c: the checks of vs.h that only this suite needs (guest traps,
 * the kernel's counters); the rest are the test library's.
 */

#include "vs.h"

#include <sched.h>

void
vs_expect_trap_at(const char *file, int line, const struct trapframe *tf,
    uint64_t trapno, uint64_t rip, const char *what)
{
	if (tf->tf_trapno == trapno && tf->tf_rip == rip)
		return;
	test_fail_at(file, line,
	    "%s: expected trap %llu (%s) at rip 0x%llx, "
	    "got trap %llu (%s) at rip 0x%llx (addr 0x%llx, err 0x%llx)",
	    what, (unsigned long long)trapno, vs_trapname(trapno),
	    (unsigned long long)rip, (unsigned long long)tf->tf_trapno,
	    vs_trapname(tf->tf_trapno), (unsigned long long)tf->tf_rip,
	    (unsigned long long)tf->tf_addr, (unsigned long long)tf->tf_err);
}

void
vs_kstat_at(const char *file, int line, struct kstat *ks)
{
	int r = test_kstat(ks);

	if (r != 0)
		test_fail_at(file, line, "kstat: expected success, got %s",
		    test_errname(-r));
}

void
vs_expect_entries_at(const char *file, int line, uint64_t want,
    const char *what)
{
	uint64_t end = test_now_ns() + 2000000000ULL;
	struct kstat ks;

	for (int i = 0;; i++) {
		vs_kstat_at(file, line, &ks);
		if (ks.ks_nvmspace_entries == want)
			return;
		if (test_now_ns() > end)
			break;
		if (i < 20)
			sched_yield();
		else
			test_sleep_ns(2000000);
	}
	test_fail_at(file, line,
	    "%s: expected %llu vmspace entries "
	    "(ks_nvmspace_entries), got %llu",
	    what, (unsigned long long)want,
	    (unsigned long long)ks.ks_nvmspace_entries);
}
