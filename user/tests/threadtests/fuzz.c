#include "th.h"
const struct test th_fuzz_tests[] = {
	{ NULL, NULL, NULL },
};
