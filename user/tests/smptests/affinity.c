/*
 * affinity.c: sched_setaffinity (203), sched_getaffinity (204) and
 * getcpu (309) with Linux's ABI:
 *
 *   - sched_getaffinity(pid, len, mask) returns the bytes it stored (a
 *     multiple of 8, at most len); len too small for the CPU ids or not
 *     a multiple of 8: EINVAL; a bad mask pointer: EFAULT; no such pid:
 *     ESRCH; pid 0 is the caller;
 *   - sched_setaffinity(pid, len, mask) returns 0; bits past len are
 *     taken as 0 and bits past the CPU ids are ignored; a mask with no
 *     CPU online (empty, or only absent CPUs): EINVAL; EFAULT, ESRCH as
 *     above; the mask read back is the online part of the one set;
 *   - getcpu(cpu, node, cache) stores the CPU the caller runs on, which
 *     after pinning is the one pinned to; NULL pointers are allowed;
 *   - and with them, spread: busy LWPs left free end up on every CPU.
 *
 * Until the kernel has these calls they return ENOSYS: each test is
 * then skipped ("# SKIP"), and only then.
 */

#include "smp.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MASK_BYTES 128 /* 1024 CPUs, as glibc's cpu_set_t */
#define BAD_PID 0x3fffffff
#define ABSENT_CPU 63 /* no test machine has 64 CPUs */

struct mask {
	uint64_t w[MASK_BYTES / 8];
};

static long
getaffinity(long pid, long len, void *mask)
{
	return test_raw3(SYS_sched_getaffinity, pid, len, (long)mask);
}

static long
setaffinity(long pid, long len, const void *mask)
{
	return test_raw3(SYS_sched_setaffinity, pid, len, (long)mask);
}

static long
getcpu(unsigned *cpu, unsigned *node)
{
	return test_raw3(SYS_getcpu, (long)cpu, (long)node, 0);
}

static int
mask_has(const struct mask *m, unsigned cpu)
{
	return (m->w[cpu / 64] >> (cpu % 64)) & 1;
}

static void
mask_set(struct mask *m, unsigned cpu)
{
	m->w[cpu / 64] |= 1ULL << (cpu % 64);
}

static int
mask_count(const struct mask *m)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(m->w) / 8; i++)
		n += __builtin_popcountll(m->w[i]);
	return n;
}

/* "0,1,3": the CPUs of m, for messages. */
static const char *
mask_str(const struct mask *m)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < MASK_BYTES * 8 && n < sizeof(buf) - 8; c++)
		if (mask_has(m, c))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u",
			    n ? "," : "", c);
	return n ? buf : "(none)";
}

/*
 * The caller's mask, read with the largest size; skips the test if
 * sched_getaffinity is ENOSYS.  Returns the size the kernel stored.
 */
static long
own_mask_or_skip(struct mask *m)
{
	long r;

	memset(m, 0, sizeof(*m));
	r = getaffinity(0, sizeof(*m), m);
	if (r == -ENOSYS)
		test_skip(
		    "sched_getaffinity is ENOSYS (not in the kernel yet)");
	test_assert_msg(r > 0 && r % 8 == 0 && r <= MASK_BYTES,
	    "sched_getaffinity(0, %d): %ld, expected a multiple of 8 up to %d",
	    MASK_BYTES, r, MASK_BYTES);
	test_assert_msg(mask_count(m) >= 1, "the caller's mask is empty");
	return r;
}

/* Skip the test if getcpu is ENOSYS. */
static void
getcpu_or_skip(void)
{
	unsigned cpu;

	if (getcpu(&cpu, NULL) == -ENOSYS)
		test_skip("getcpu is ENOSYS (not in the kernel yet)");
}

/* The caller's mask is exactly *want. */
static void
expect_mask(long pid, const struct mask *want, const char *what)
{
	struct mask got;
	long r;

	memset(&got, 0, sizeof(got));
	r = getaffinity(pid, sizeof(got), &got);
	test_assert_msg(r > 0, "%s: sched_getaffinity: %ld", what, r);
	if (memcmp(&got, want, sizeof(got)) != 0) {
		char g[256];

		snprintf(g, sizeof(g), "%s", mask_str(&got));
		test_fail("%s: mask %s, expected %s", what, g, mask_str(want));
	}
}

/* sched_getaffinity's sizes, pointers and pids. */
static void
t_affinity_get(void)
{
	unsigned char buf[MASK_BYTES + 16];
	struct mask m, again;
	long size = own_mask_or_skip(&m);
	void *ro = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);

	test_assert(ro != MAP_FAILED);
	memset(buf, 0xa5, sizeof(buf));
	test_expect_eq(getaffinity(0, size, buf), size,
	    "sched_getaffinity with exactly the size it stores");
	test_assert_msg(memcmp(buf, &m, size) == 0,
	    "the mask differs with a smaller buffer");
	test_expect_eq(getaffinity(0, sizeof(buf), buf), size,
	    "sched_getaffinity with a larger buffer");
	for (size_t i = size; i < sizeof(buf); i++)
		test_assert_msg(buf[i] == 0xa5,
		    "sched_getaffinity wrote byte %zu of a %zu-byte buffer "
		    "after returning %ld",
		    i, sizeof(buf), size);

	test_expect_raw_errno(getaffinity(0, 0, buf), EINVAL, "size 0");
	test_expect_raw_errno(getaffinity(0, 4, buf), EINVAL,
	    "size 4 (not a multiple of 8)");
	test_expect_raw_errno(getaffinity(0, 7, buf), EINVAL, "size 7");
	if (size > 8)
		test_expect_raw_errno(getaffinity(0, size - 8, buf), EINVAL,
		    "a size too small for the CPU ids");

	test_expect_raw_errno(getaffinity(0, MASK_BYTES, NULL), EFAULT,
	    "a NULL mask");
	test_expect_raw_errno(
	    getaffinity(0, MASK_BYTES, (void *)TEST_KERNEL_TEXT), EFAULT,
	    "a mask in the kernel");
	test_expect_raw_errno(getaffinity(0, MASK_BYTES, ro), EFAULT,
	    "a read-only mask");
	test_expect_raw_errno(getaffinity(BAD_PID, MASK_BYTES, buf), ESRCH,
	    "a pid that does not exist");

	memset(&again, 0, sizeof(again));
	test_expect_eq(getaffinity(getpid(), sizeof(again), &again), size,
	    "sched_getaffinity(getpid())");
	test_assert_msg(memcmp(&again, &m, sizeof(m)) == 0,
	    "the mask by pid differs from the mask by 0");
}

/* sched_setaffinity's errors leave the mask as it was. */
static void
t_affinity_set_errors(void)
{
	static unsigned char big[1024];
	struct mask m, empty, absent, with_absent;

	own_mask_or_skip(&m);
	test_assert_msg(!mask_has(&m, ABSENT_CPU),
	    "CPU %d is in the mask: this test needs fewer CPUs", ABSENT_CPU);
	memset(&empty, 0, sizeof(empty));
	test_expect_raw_errno(setaffinity(0, sizeof(empty), &empty), EINVAL,
	    "an empty mask");
	memset(&absent, 0, sizeof(absent));
	mask_set(&absent, ABSENT_CPU);
	test_expect_raw_errno(setaffinity(0, sizeof(absent), &absent), EINVAL,
	    "a mask of an absent CPU only");
	test_expect_raw_errno(setaffinity(0, 0, &m), EINVAL,
	    "size 0 (an empty mask)");
	test_expect_raw_errno(setaffinity(0, sizeof(m), NULL), EFAULT,
	    "a NULL mask");
	test_expect_raw_errno(
	    setaffinity(0, sizeof(m), (void *)TEST_KERNEL_TEXT), EFAULT,
	    "a mask in the kernel");
	test_expect_raw_errno(setaffinity(BAD_PID, sizeof(m), &m), ESRCH,
	    "a pid that does not exist");
	expect_mask(0, &m, "after the failed calls");

	/* Absent CPUs beside present ones are ignored; so are long masks. */
	with_absent = m;
	mask_set(&with_absent, ABSENT_CPU);
	test_expect_eq(setaffinity(0, sizeof(with_absent), &with_absent), 0,
	    "the mask with an absent CPU added");
	expect_mask(0, &m, "after setting it with an absent CPU");
	memcpy(big, &m, sizeof(m));
	test_expect_eq(setaffinity(0, sizeof(big), big), 0, "a 1024-byte mask");
	expect_mask(0, &m, "after setting it with a 1024-byte mask");
}

/* Pinned to each CPU in turn, getcpu says that CPU. */
static void
t_affinity_pin(void)
{
	struct mask m;
	unsigned cpu = ~0u, node = ~0u;

	own_mask_or_skip(&m);
	getcpu_or_skip();
	test_expect_eq(getcpu(NULL, NULL), 0, "getcpu(NULL, NULL)");
	test_expect_eq(getcpu(&cpu, &node), 0, "getcpu");
	test_assert_msg(mask_has(&m, cpu), "getcpu says CPU %u, not in %s", cpu,
	    mask_str(&m));
	test_expect_raw_errno(getcpu((unsigned *)TEST_KERNEL_TEXT, NULL),
	    EFAULT, "getcpu into the kernel");
	for (unsigned c = 0; c < MASK_BYTES * 8; c++) {
		struct mask one;

		if (!mask_has(&m, c))
			continue;
		memset(&one, 0, sizeof(one));
		mask_set(&one, c);
		test_expect_eq(setaffinity(0, sizeof(one), &one), 0,
		    "pin to one CPU");
		expect_mask(0, &one, "pinned");
		for (int i = 0; i < 10; i++) {
			test_expect_eq(getcpu(&cpu, NULL), 0, "getcpu");
			test_assert_msg(cpu == c,
			    "pinned to CPU %u, getcpu says %u (try %d)", c, cpu,
			    i);
			sched_yield();
		}
	}
	test_expect_eq(setaffinity(0, sizeof(m), &m), 0, "the mask back");
	expect_mask(0, &m, "restored");
}

/* A child inherits the mask; another process's mask can be set. */
static void
t_affinity_child(void)
{
	struct mask m, one;
	unsigned last = 0;
	int go[2], status;
	pid_t pid;

	own_mask_or_skip(&m);
	getcpu_or_skip();
	for (unsigned c = 0; c < MASK_BYTES * 8; c++)
		if (mask_has(&m, c))
			last = c;
	memset(&one, 0, sizeof(one));
	mask_set(&one, last);
	test_expect_eq(setaffinity(0, sizeof(one), &one), 0, "pin");
	pid = test_fork();
	if (pid == 0) {
		unsigned cpu = ~0u;
		struct mask got;

		memset(&got, 0, sizeof(got));
		if (getaffinity(0, sizeof(got), &got) <= 0 ||
		    memcmp(&got, &one, sizeof(one)) != 0)
			_exit(1);
		if (getcpu(&cpu, NULL) != 0 || cpu != last)
			_exit(2);
		_exit(0);
	}
	test_expect_exit(pid, 0,
	    "a child of a pinned process (1: its mask differs, 2: it runs "
	    "elsewhere)");
	test_expect_eq(setaffinity(0, sizeof(m), &m), 0, "the mask back");

	/* Another process pinned from here. */
	test_pipe(go);
	pid = test_fork();
	if (pid == 0) {
		unsigned cpu = ~0u;
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(100);
		if (getcpu(&cpu, NULL) != 0)
			_exit(101);
		_exit((int)cpu);
	}
	close(go[0]);
	test_expect_eq(setaffinity(pid, sizeof(one), &one), 0,
	    "sched_setaffinity of a child");
	expect_mask(pid, &one, "the child's mask");
	test_send(go[1]);
	close(go[1]);
	status = test_wait(pid);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == (int)last,
	    "the child pinned to CPU %u: wait status 0x%x (exit status: its "
	    "CPU; 100, 101: read or getcpu failed)",
	    last, status);
	test_expect_raw_errno(getaffinity(pid, sizeof(m), &m), ESRCH,
	    "the mask of a reaped child");
}

/* ---------------------------------------------------------------------
 * affinity_lwps: every LWP pinned to a CPU of its own stays there.
 */

enum {
	AL_CHECKS = 20
};

struct al_state {
	struct mask all;
	unsigned cpus[MASK_BYTES * 8];
	int ncpus;
};

static void
al_worker(struct smp_group *g, int w)
{
	struct al_state *st = g->arg;
	unsigned want = st->cpus[w % st->ncpus], cpu;
	struct mask one;
	long r;

	memset(&one, 0, sizeof(one));
	mask_set(&one, want);
	r = setaffinity(0, sizeof(one), &one);
	if (r != 0)
		return (void)smp_fail(g, w, 0, "sched_setaffinity of an LWP", r,
		    0, 0);
	if (smp_barrier(g, w) != 0)
		return;
	for (long i = 0; i < AL_CHECKS; i++) {
		r = getcpu(&cpu, NULL);
		if (r != 0 || cpu != want)
			return (void)smp_fail(g, w, i,
			    "getcpu of a pinned LWP (got: its CPU, or "
			    "-errno)",
			    r != 0 ? r : (long)cpu, want, 0);
		smp_yield();
	}
}

/* Two LWPs per CPU, each pinned to its CPU, stay on it. */
static void
t_affinity_lwps(void)
{
	static struct al_state st;
	struct smp_group g;
	int n;

	own_mask_or_skip(&st.all);
	getcpu_or_skip();
	for (unsigned c = 0; c < MASK_BYTES * 8; c++)
		if (mask_has(&st.all, c))
			st.cpus[st.ncpus++] = c;
	n = 2 * st.ncpus;
	if (n > SMP_MAX_WORKERS)
		n = SMP_MAX_WORKERS;
	smp_run(&g, n, al_worker, &st, 60);
	expect_mask(0, &st.all,
	    "the main LWP's mask (the LWPs pinned only "
	    "themselves)");
}

/* ---------------------------------------------------------------------
 * spread: busy LWPs end up on every CPU.
 */

enum {
	SP_ROUNDS = 4000, /* at most, per worker */
	SP_SPINS = 20000  /* busy loop between two getcpu calls */
};

struct sp_state {
	struct mask all;
	uint64_t seen; /* CPUs (below 64) any worker ran on */
	uint64_t want;
};

static void
sp_worker(struct smp_group *g, int w)
{
	struct sp_state *st = g->arg;
	unsigned cpu;

	if (smp_barrier(g, w) != 0)
		return;
	for (long i = 0; i < SP_ROUNDS; i++) {
		long r = getcpu(&cpu, NULL);

		if (r != 0 || cpu >= 64)
			return (void)smp_fail(g, w, i,
			    "getcpu (got: -errno or "
			    "a CPU above 63)",
			    r != 0 ? r : (long)cpu, 0, 0);
		if ((__atomic_or_fetch(&st->seen, 1ULL << cpu,
			 __ATOMIC_ACQ_REL) &
			st->want) == st->want)
			return;
		for (volatile long k = 0; k < SP_SPINS; k++)
			;
	}
}

/*
 * Two busy LWPs per CPU, free to run anywhere, are spread over every CPU
 * of the mask before they have done SP_ROUNDS rounds of work each: the
 * scheduler balances its run queues.
 */
static void
t_spread(void)
{
	static struct sp_state st;
	struct smp_group g;
	int n;

	own_mask_or_skip(&st.all);
	getcpu_or_skip();
	st.want = st.all.w[0];
	n = 2 * mask_count(&st.all);
	if (n > SMP_MAX_WORKERS)
		n = SMP_MAX_WORKERS;
	smp_run(&g, n, sp_worker, &st, 61);
	if ((st.seen & st.want) != st.want) {
		struct mask seen;

		memset(&seen, 0, sizeof(seen));
		seen.w[0] = st.seen;
		test_fail("seed %llu: %d busy LWPs ran only on CPUs %s of %s",
		    (unsigned long long)test_seed, n, mask_str(&seen),
		    mask_str(&st.all));
	}
}

const struct test smp_affinity_tests[] = {
	{ "affinity_get", t_affinity_get, NULL },
	{ "affinity_set_errors", t_affinity_set_errors, NULL },
	{ "affinity_pin", t_affinity_pin, NULL },
	{ "affinity_child", t_affinity_child, NULL },
	{ "affinity_lwps", t_affinity_lwps, "native LWPs" },
	{ "spread", t_spread, "native LWPs" },
	{ NULL, NULL, NULL },
};
