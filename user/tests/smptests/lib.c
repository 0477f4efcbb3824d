/*
 * lib.c: worker groups, spin barriers and failure records for smptests
 * (see smp.h).
 */

#include "smp.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE (64 * 1024)
#define SPINS_BEFORE_YIELD 256

uint64_t
smp_now_ns(void)
{
	struct timespec ts = { 0, 0 };

	test_raw3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
smp_relax(unsigned *spins)
{
	if (++*spins < SPINS_BEFORE_YIELD) {
		__asm__ volatile("pause");
		return;
	}
	*spins = 0;
	smp_yield();
}

int
smp_fail(struct smp_group *g, int w, long iter, const char *what, long got,
    long want, uint64_t addr)
{
	int zero = 0;

	/* Claim the record with 2, fill it, then publish it as 1. */
	if (__atomic_compare_exchange_n(&g->fail.set, &zero, 2, 0,
		__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		g->fail.what = what;
		g->fail.worker = w;
		g->fail.iter = iter;
		g->fail.got = got;
		g->fail.want = want;
		g->fail.addr = addr;
		__atomic_store_n(&g->fail.set, 1, __ATOMIC_RELEASE);
	}
	return -1;
}

int
smp_barrier(struct smp_group *g, int w)
{
	int gen = __atomic_load_n(&g->generation, __ATOMIC_ACQUIRE);
	uint64_t deadline = 0;
	unsigned spins = 0;

	if (smp_failed(g))
		return -1;
	smp_doing(g, w, "a barrier", -1);
	if (__atomic_add_fetch(&g->arrived, 1, __ATOMIC_ACQ_REL) == g->n) {
		__atomic_store_n(&g->arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&g->generation, gen + 1, __ATOMIC_RELEASE);
		return 0;
	}
	while (__atomic_load_n(&g->generation, __ATOMIC_ACQUIRE) == gen) {
		if (smp_failed(g))
			return -1;
		smp_relax(&spins);
		if (spins != 0)
			continue;
		/* Read the clock only when yielding: it is a system call. */
		if (deadline == 0)
			deadline = smp_now_ns() + SMP_DEADLINE_NS;
		else if (smp_now_ns() > deadline)
			return smp_fail(g, w, -1,
			    "workers at a barrier after 30 s",
			    __atomic_load_n(&g->arrived, __ATOMIC_RELAXED),
			    g->n, 0);
	}
	return 0;
}

uint64_t
smp_rand_state(const struct smp_group *g, int w)
{
	/* splitmix64 of the seed and the worker: never 0 for xorshift. */
	uint64_t z = g->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(w + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z != 0 ? z : 1;
}

long
smp_wait(long pid)
{
	int status = 0;
	long r;

	do
		r = test_raw6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
	while (r == -EINTR);
	if (r < 0)
		return r - 0x10000; /* below every status */
	return status;
}

/*
 * The 7th argument of vmspace_mmap (the offset, 0 here) is read from the
 * user stack at 8(%rsp) when the syscall instruction runs, as after a
 * call.  The stack pointer first moves past the red zone, where the
 * compiler may keep data.
 */
long
smp_vmspace_map(void *id, uint64_t addr, size_t len, int prot)
{
	register long r10 __asm__("r10") = prot;
	register long r8 __asm__("r8") =
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	register long r9 __asm__("r9") = -1;
	long ret;

	__asm__ volatile("subq $136, %%rsp\n\t"
			 "movq $0, 8(%%rsp)\n\t"
			 "syscall\n\t"
			 "addq $136, %%rsp"
			 : "=a"(ret)
			 : "a"((long)SYS_vmspace_mmap), "D"(id), "S"(addr),
			 "d"(len), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

void *
smp_map(size_t len)
{
	long p = test_raw6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p < 0 && p > -4096)
		test_fail("mmap of %zu bytes: %s", len, test_errname((int)-p));
	return (void *)p;
}

void
smp_counts(struct smp_counts *c)
{
	struct kstat ks;

	test_kstat(&ks);
	c->procs = ks.ks_nprocs;
	c->lwps = ks.ks_nlwps;
	c->vmspaces = ks.ks_nvmspaces;
	c->entries = ks.ks_nvmspace_entries;
}

void
smp_expect_counts(const struct smp_counts *base, const char *what)
{
	uint64_t end = test_now_ns() + 2000 * SMP_MS;
	struct smp_counts now;

	if (!test_native)
		return;
	for (;;) {
		smp_counts(&now);
		if (memcmp(&now, base, sizeof(now)) == 0)
			return;
		if (test_now_ns() > end)
			break;
		test_sleep_ns(2 * SMP_MS);
	}
	test_fail("%s: processes %llu -> %llu, LWPs %llu -> %llu, vmspaces "
		  "%llu -> %llu, vmspace entries %llu -> %llu after 2 s",
	    what, (unsigned long long)base->procs,
	    (unsigned long long)now.procs, (unsigned long long)base->lwps,
	    (unsigned long long)now.lwps, (unsigned long long)base->vmspaces,
	    (unsigned long long)now.vmspaces, (unsigned long long)base->entries,
	    (unsigned long long)now.entries);
}

/* Every worker's LWP starts here, with its slot. */
static void
worker_main(void *arg)
{
	struct smp_slot *s = arg;

	s->g->fn(s->g, s->w);
	smp_doing(s->g, s->w, NULL, 0);
	__atomic_add_fetch(&s->g->finished, 1, __ATOMIC_ACQ_REL);
	test_raw_lwp_exit();
}

void
smp_check(struct smp_group *g)
{
	const struct smp_fail *f = &g->fail;
	char where[40] = "";

	if (!smp_failed(g))
		return;
	if (f->addr != 0)
		snprintf(where, sizeof(where), ", at 0x%llx",
		    (unsigned long long)f->addr);
	if (f->iter < 0)
		test_fail("seed %llu, worker %d of %d: %s: got %ld, expected "
			  "%ld",
		    (unsigned long long)test_seed, f->worker, g->n, f->what,
		    f->got, f->want);
	test_fail("seed %llu, worker %d of %d, operation %ld: %s: got %ld "
		  "(0x%lx), expected %ld (0x%lx)%s",
	    (unsigned long long)test_seed, f->worker, g->n, f->iter, f->what,
	    f->got, (unsigned long)f->got, f->want, (unsigned long)f->want,
	    where);
}

void
smp_start(struct smp_group *g, int n, smp_worker_fn *fn, void *arg,
    uint64_t salt)
{
	test_assert(n > 0 && n <= SMP_MAX_WORKERS);
	memset(g, 0, sizeof(*g));
	g->n = n;
	g->fn = fn;
	g->arg = arg;
	g->seed = test_seed ^ (salt * 0x2545f4914f6cdd1dULL);
	g->stacks = smp_map((size_t)n * STACK_SIZE);
	for (int w = 0; w < n; w++) {
		struct lwp_params p = {
			.lwp_func = worker_main,
			.lwp_arg = &g->slots[w],
			.lwp_stack =
			    g->stacks + (size_t)(w + 1) * STACK_SIZE - 8,
			.lwp_tid1 = &g->tids[w],
			.lwp_tid2 = NULL,
		};
		long r;

		g->slots[w].g = g;
		g->slots[w].w = w;
		r = test_raw1(SYS_lwp_create, (long)&p);
		if (r != 0)
			test_fail("lwp_create of worker %d: %s", w,
			    test_errname((int)-r));
	}
}

/* Fail the test naming the workers of g that have not finished. */
static _Noreturn void
report_stuck(struct smp_group *g)
{
	char buf[700];
	size_t n = 0;

	for (int w = 0; w < g->n && n < sizeof(buf) - 80; w++) {
		const char *what =
		    __atomic_load_n(&g->doing[w], __ATOMIC_ACQUIRE);

		if (what == NULL)
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "%sworker %d in %s at operation %ld", n ? "; " : "", w,
		    what, g->doing_iter[w]);
	}
	test_fail("seed %llu: %d of %d workers still running after %llu s%s: "
		  "%s",
	    (unsigned long long)test_seed, g->n - g->finished, g->n,
	    (unsigned long long)(SMP_JOIN_NS / 1000000000u),
	    smp_failed(g) ? " (and one recorded a failure)" : "",
	    n ? buf : "(none said what it was doing)");
}

void
smp_join(struct smp_group *g)
{
	uint64_t deadline = test_now_ns() + SMP_JOIN_NS;

	while (__atomic_load_n(&g->finished, __ATOMIC_ACQUIRE) < g->n) {
		if (test_now_ns() > deadline) {
			if (smp_failed(g))
				smp_check(g);
			report_stuck(g);
		}
		test_sleep_ns(SMP_MS);
	}
	for (int w = 0; w < g->n; w++) {
		long r = test_raw1(SYS_lwp_wait, g->tids[w]);

		if (r != 0)
			test_fail("lwp_wait of worker %d (lid %d): %s", w,
			    g->tids[w], test_errname((int)-r));
	}
	test_raw3(SYS_munmap, (long)g->stacks, (long)g->n * STACK_SIZE, 0);
	g->stacks = NULL;
}

void
smp_expect_ready(int fd, pid_t pid, const char *what)
{
	char c, how[96];
	long r;

	do
		r = read(fd, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r == 1)
		return;
	test_status_str(smp_wait_child(pid, 5000, what), how, sizeof(how));
	test_fail("seed %llu: %s: pid %d ended before it was ready: it %s",
	    (unsigned long long)test_seed, what, (int)pid, how);
}

int
smp_wait_child(pid_t pid, unsigned ms, const char *what)
{
	uint64_t deadline = test_now_ns() + ms * SMP_MS;
	int status = 0;

	for (;;) {
		long r = wait4(pid, &status, WNOHANG, NULL);

		if (r == pid)
			return status;
		if (r < 0)
			test_fail("%s: wait4(%d): %s", what, (int)pid,
			    test_errname(errno));
		if (test_now_ns() > deadline)
			test_fail(
			    "seed %llu: %s: pid %d has not ended after %u "
			    "ms",
			    (unsigned long long)test_seed, what, (int)pid, ms);
		test_sleep_ns(SMP_MS);
	}
}

void
smp_run(struct smp_group *g, int n, smp_worker_fn *fn, void *arg, uint64_t salt)
{
	smp_start(g, n, fn, arg, salt);
	smp_join(g);
	smp_check(g);
}
