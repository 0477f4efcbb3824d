#include "th.h"
const struct test th_futex_tests[] = {
	{ NULL, NULL, NULL },
};
