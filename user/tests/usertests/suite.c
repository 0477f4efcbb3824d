/*
 * usertests: the user-level test suite, in the spirit of xv6's usertests
 * (see ut.h for its areas).
 *
 *   usertests [-s SEED] [-t SECONDS] [-n CALLS] [NAME...]
 *   usertests -l
 *
 * The runner is the test library's (user/tests/lib/test.h); -s seeds the
 * fuzzer and -n sets its number of calls in all (fuzz.c; `make fuzz
 * SEED=N CALLS=N` runs it alone, with -t 0: no time limit).  Started as
 * "usertests --helper ..." the program is instead a small helper that
 * the exec tests run (ut_helper_main).  With argc == 0
 * (or argv[0] empty) it exits at once with status 125: an execve test
 * whose call wrongly succeeded with an empty argv shows up as that
 * status.
 */

#include "ut.h"

#include <string.h>

static const struct test *const tables[] = {
	ut_fs_tests,
	ut_pipe_tests,
	ut_mem_tests,
	ut_proc_tests,
	ut_lwp_tests,
	ut_races_tests,
	ut_seg_tests,
	ut_elf_tests,
	ut_fpu_tests,
	ut_badptr_tests,
	ut_fuzz_tests,
	ut_stress_tests,
	NULL,
};

/* Before the runner: the empty-argv check and the helper program. */
static int
early(int argc, char **argv)
{
	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
		return 125; /* an empty argv (Linux makes it {""}) */
	if (argc >= 2 && strcmp(argv[1], UT_HELPER) == 0)
		return ut_helper_main(argc - 2, argv + 2);
	return -1;
}

const struct test_suite test_suite = {
	.name = "usertests",
	.tables = tables,
	.timeout_s = 60,
	.early = early,
	.option = ut_fuzz_option,
	.usage = " [-n CALLS]",
};
