/* poll.c: poll, ppoll, select and pselect (filled in below). */

#include "sys.h"

const struct test sys_poll_tests[] = {
	{ NULL, NULL, NULL },
};
