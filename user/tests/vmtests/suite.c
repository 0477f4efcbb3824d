/*
 * vmtests: the virtual memory test suite (see vt.h for its areas).
 *
 *   vmtests [-s SEED] [-t SECONDS] [NAME...]
 *   vmtests -l
 *
 * The runner is the test library's (user/tests/lib/test.h).
 */

#include "vt.h"

static const struct test *const tables[] = {
	vt_cow_tests,
	vt_memfd_tests,
	vt_map_tests,
	vt_fault_tests,
	vt_oom_tests,
	vt_harden_tests,
	vt_mremap_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "vmtests",
	.tables = tables,
	.timeout_s = 120,
};
