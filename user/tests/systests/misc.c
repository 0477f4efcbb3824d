/*
 * misc.c: sysinfo (99), getrandom (318) and the environment init gets.
 *
 *   - sysinfo: uptime, memory totals and the process count are sane;
 *   - getrandom fills buffers of any size with bytes that differ from
 *     call to call and look uniform; bad flags are EINVAL, a bad buffer
 *     EFAULT;
 *   - init's environment holds HOME=/ and TERM=linux, as Linux gives it.
 */

#include "sys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static void
t_sysinfo(void)
{
	struct sysinfo si;
	uint64_t t0;

	t0 = test_now_ns();
	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(sysinfo(&si), "sysinfo");
	test_assert(si.mem_unit >= 1);
	test_assert((uint64_t)si.uptime <= t0 / 1000000000ULL + 2);
	test_assert((uint64_t)si.uptime + 2 >= t0 / 1000000000ULL);
	test_assert(si.totalram > 0 && si.freeram > 0);
	test_assert(si.freeram < si.totalram);
	test_assert((uint64_t)si.totalram * si.mem_unit >= (16ULL << 20));
	test_assert(si.procs >= 2);
	test_expect_errno(syscall(SYS_sysinfo, (void *)8), EFAULT,
	    "sysinfo to a bad pointer");
}

static int
popcount_buf(const unsigned char *b, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += __builtin_popcount(b[i]);
	return c;
}

static void
t_getrandom(void)
{
	static unsigned char a[4096], b[4096], big[1 << 20];
	long r;
	int ones;

	test_expect_eq(getrandom(a, sizeof(a), 0), sizeof(a), "getrandom");
	test_expect_eq(getrandom(b, sizeof(b), 0), sizeof(b), "getrandom");
	test_assert_msg(memcmp(a, b, sizeof(a)) != 0,
	    "two calls gave the same");
	ones = popcount_buf(a, sizeof(a));
	test_assert_msg(ones > 4096 * 8 * 45 / 100 &&
		ones < 4096 * 8 * 55 / 100,
	    "%d one bits of %d", ones, 4096 * 8);
	test_expect_eq(getrandom(big, sizeof(big), 0), sizeof(big),
	    "getrandom of 1 MiB");
	test_assert(memcmp(big, big + 4096, 4096) != 0);
	test_assert(memcmp(big, a, 4096) != 0);
	test_expect_eq(getrandom(a, 0, 0), 0, "getrandom of 0 bytes");
	r = getrandom(a, 7, GRND_NONBLOCK);
	test_assert_msg(r == 7 || (r == -1 && errno == EAGAIN),
	    "GRND_NONBLOCK: %ld", r);
	test_expect_eq(getrandom(a, 16, GRND_RANDOM), 16, "GRND_RANDOM");
	test_expect_eq(getrandom(a, 16, GRND_INSECURE), 16, "GRND_INSECURE");
	test_expect_errno(getrandom(a, 16, GRND_RANDOM | GRND_INSECURE), EINVAL,
	    "GRND_RANDOM | GRND_INSECURE");
	test_expect_errno(getrandom(a, 16, 0x100), EINVAL, "flag 0x100");
	test_expect_errno(getrandom((void *)8, 16, 0), EFAULT, "a bad buffer");
}

static void
t_getrandom_children(void)
{
	unsigned char a[32], b[32];
	int p[2];
	pid_t pid;

	/* A child's bytes differ from its parent's (no shared state). */
	test_expect_ok(pipe(p), "pipe");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		if (getrandom(b, sizeof(b), 0) != sizeof(b))
			_exit(2);
		test_write_all(p[1], b, sizeof(b));
		_exit(0);
	}
	test_expect_eq(getrandom(a, sizeof(a), 0), sizeof(a), "getrandom");
	test_expect_eq(test_read_full(p[0], b, sizeof(b)), sizeof(b), "read");
	test_expect_exit(pid, 0, "the child");
	test_assert(memcmp(a, b, sizeof(a)) != 0);
}

static void
t_init_env(void)
{
	const char *home = getenv("HOME"), *term = getenv("TERM");

	if (!sys_started_by_init)
		test_skip("not started by init");
	test_assert_msg(home != NULL && strcmp(home, "/") == 0, "HOME=%s",
	    home != NULL ? home : "(unset)");
	test_assert_msg(term != NULL && strcmp(term, "linux") == 0, "TERM=%s",
	    term != NULL ? term : "(unset)");
}

const struct test sys_misc_tests[] = {
	{ "sysinfo", t_sysinfo, NULL },
	{ "getrandom", t_getrandom, NULL },
	{ "getrandom_children", t_getrandom_children, NULL },
	{ "init_env", t_init_env, NULL },
	{ NULL, NULL, NULL },
};
