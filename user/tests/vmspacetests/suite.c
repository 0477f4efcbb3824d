/*
 * vmspacetests: the test suite of the vmspace service (see vs.h for its
 * areas).
 *
 *   vmspacetests [-s SEED] [-t SECONDS] [NAME...]
 *   vmspacetests -l
 *
 * The runner is the test library's (user/tests/lib/test.h).  Every test
 * needs our kernel: on another one each is reported as skipped.
 */

#include "vs.h"

static const struct test *const tables[] = {
	vs_error_tests,
	vs_memory_tests,
	vs_trap_tests,
	vs_proc_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "vmspacetests",
	.tables = tables,
	.timeout_s = 30,
	.native_only = "the vmspace service is native",
};
