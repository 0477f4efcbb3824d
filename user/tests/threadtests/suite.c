/*
 * threadtests: threads, futexes, clone and vfork (see th.h).
 *
 *   threadtests [-s SEED] [-t SECONDS] [NAME...]
 *   threadtests -l
 *
 * make test runs it with 1 and 4 CPUs; `make check TEST=threadtests/NAME
 * CPUS=4` runs one test again, and `make check-linux TEST=threadtests`
 * runs the suite on Linux 6.1.
 */

#include "th.h"

#include <string.h>

void
th_create_at(const char *file, int line, pthread_t *t, void *(*fn)(void *),
    void *arg)
{
	int e = pthread_create(t, NULL, fn, arg);

	if (e != 0)
		test_fail_at(file, line, "pthread_create: %s (%d)",
		    test_errname(e), e);
}

void *
th_join_at(const char *file, int line, pthread_t t)
{
	void *ret = NULL;
	int e = pthread_join(t, &ret);

	if (e != 0)
		test_fail_at(file, line, "pthread_join: %s (%d)",
		    test_errname(e), e);
	return ret;
}

/* Before the runner: `threadtests --helper NAME ...` runs a helper. */
static int
early(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], TH_HELPER) == 0)
		return th_helper_main(argc - 2, argv + 2);
	return -1;
}

static const struct test *const tables[] = {
	th_pthread_tests,
	th_futex_tests,
	th_proc_tests,
	th_fuzz_tests,
	th_clone3_tests,
	NULL,
};

const struct test_suite test_suite = {
	.name = "threadtests",
	.tables = tables,
	.timeout_s = 120,
	.early = early,
};
