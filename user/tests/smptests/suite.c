/*
 * smptests: the SMP stress suite (see smp.h for its areas).
 *
 *   smptests [-s SEED] [-t SECONDS] [NAME...]
 *   smptests -l
 *
 * The runner is the test library's (user/tests/lib/test.h); -s seeds
 * every test, and every failure names its seed.  make test runs it with
 * CPUS=2 and CPUS=4; `make check TEST=smptests/NAME CPUS=4 SEED=N` runs
 * one test again.  Tests that need LWPs or the vmspace service are
 * skipped on Linux; the affinity tests run there too.
 */

#include "smp.h"

static const struct test *const tables[] = {
	smp_proc_tests,
	smp_mem_tests,
	smp_vmspace_tests,
	smp_affinity_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "smptests",
	.tables = tables,
	.timeout_s = 120,
	.seeded = 1,
};
