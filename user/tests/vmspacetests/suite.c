/*
 * vmspacetests: the test suite of the vmspace service (see vs.h for its
 * areas).
 *
 *   vmspacetests [-s SEED] [-t SECONDS] [NAME...]
 *   vmspacetests -l
 *   vmspacetests --exec-helper BASE   (the execve tests' new image)
 *
 * The runner is the test library's (user/tests/lib/test.h).  Every test
 * needs our kernel: on another one each is reported as skipped.
 */

#include "vs.h"

#include <string.h>

static const struct test *const tables[] = {
	vs_error_tests,
	vs_memory_tests,
	vs_trap_tests,
	vs_proc_tests,
	NULL,
};

/* Before the runner: the image the execve tests start (procs.c). */
static int
early(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], VS_EXEC_HELPER) == 0)
		return vs_exec_helper(argc - 2, argv + 2);
	return -1;
}

const struct test_suite test_suite = {
	.name = "vmspacetests",
	.tables = tables,
	.timeout_s = 30,
	.native_only = "the vmspace service is native",
	.early = early,
};
