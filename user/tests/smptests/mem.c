/*
 * mem.c: memory faulted, mapped and unmapped by many LWPs at once.
 *
 *   - cow_fork: workers rewrite their own pages of one private region
 *     while others fork: the parent keeps its values, each child sees
 *     its forking worker's values, and nothing a parent LWP writes after
 *     the fork ever shows in a child (a stale writable translation on
 *     another CPU would write into a page the child shares);
 *   - shared_memfd: workers write their slices of a memfd through one
 *     MAP_SHARED view and read them through another, through fresh
 *     views mapped and unmapped as they go, and from forked children;
 *   - mmap_churn: workers mmap, mprotect, MAP_FIXED and munmap regions
 *     of one address space: no region ever shows another's data, a fresh
 *     one reads zeros;
 *   - exit_while_fault: processes whose LWPs fault, map and unmap while
 *     some of them lwp_exit, ended by exit_group or SIGKILL.
 *
 * Workers use raw calls only (smp.h).
 */

#include "smp.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS_PER_PAGE (TEST_PAGE / 8)

/* The value worker w keeps at page `page` in its round `it`. */
static inline uint64_t
pattern(int w, long it, long page)
{
	return ((uint64_t)(w + 1) << 48) ^ ((uint64_t)it << 16) ^
	    (uint64_t)page ^ 0x5a5a000000000000ULL;
}

/* Set the first and the last word of a page. */
static inline void
page_set(volatile uint64_t *p, uint64_t v)
{
	p[0] = v;
	p[WORDS_PER_PAGE - 1] = ~v;
}

/* Whether a page holds v (as page_set left it). */
static inline int
page_is(const volatile uint64_t *p, uint64_t v)
{
	return p[0] == v && p[WORDS_PER_PAGE - 1] == ~v;
}

/* ---------------------------------------------------------------------
 * cow_fork
 */

enum {
	CF_WORKERS = 8,
	CF_PAGES = 8, /* per worker */
	CF_ROUNDS = 96,
	CF_FORK_EVERY = 4
};

struct cf_state {
	volatile uint64_t *region; /* CF_WORKERS * CF_PAGES pages */
};

/*
 * The child of worker w at round it: its copy of w's pages holds round
 * it, and no page of the region changes under it while it looks twice.
 */
static _Noreturn void
cf_child(struct cf_state *st, int w, long it)
{
	uint64_t first[CF_WORKERS * CF_PAGES];

	for (long pg = 0; pg < CF_PAGES; pg++)
		if (!page_is(st->region + (w * CF_PAGES + pg) * WORDS_PER_PAGE,
			pattern(w, it, pg)))
			test_raw_exit(10);
	for (long pg = 0; pg < CF_WORKERS * CF_PAGES; pg++)
		first[pg] = st->region[pg * WORDS_PER_PAGE];
	for (int i = 0; i < 20; i++)
		smp_yield();
	for (long pg = 0; pg < CF_WORKERS * CF_PAGES; pg++)
		if (st->region[pg * WORDS_PER_PAGE] != first[pg])
			test_raw_exit(11);
	/* Its own writes stay its own. */
	for (long pg = 0; pg < CF_PAGES; pg++)
		page_set(st->region + (w * CF_PAGES + pg) * WORDS_PER_PAGE, 0);
	test_raw_exit(0);
}

static void
cf_worker(struct smp_group *g, int w)
{
	struct cf_state *st = g->arg;
	volatile uint64_t *mine = st->region + w * CF_PAGES * WORDS_PER_PAGE;
	uint64_t rs = smp_rand_state(g, w);

	for (long it = 0; it < CF_ROUNDS && !smp_failed(g); it++) {
		long pid = 0;

		for (long pg = 0; pg < CF_PAGES; pg++)
			page_set(mine + pg * WORDS_PER_PAGE,
			    pattern(w, it, pg));
		if (it % CF_FORK_EVERY == 0 && smp_barrier(g, w) != 0)
			return;
		/* About half the workers fork in a forking round. */
		if (it % CF_FORK_EVERY == 0 && smp_rand_below(&rs, 2) == 0) {
			smp_doing(g, w, "fork", it);
			pid = test_raw0(SYS_fork);
			if (pid == 0)
				cf_child(st, w, it);
			if (pid < 0) {
				smp_fail(g, w, it, "fork", pid, 0, 0);
				return;
			}
		}
		/* Write the next values at once: copy-on-write in the parent. */
		for (long pg = 0; pg < CF_PAGES; pg++) {
			volatile uint64_t *p = mine + pg * WORDS_PER_PAGE;

			if (!page_is(p, pattern(w, it, pg)))
				return (void)smp_fail(g, w, it,
				    "the worker's page (first word)",
				    (long)p[0], (long)pattern(w, it, pg),
				    (uint64_t)p);
			page_set(p, pattern(w, it, pg) ^ 1);
			if (!page_is(p, pattern(w, it, pg) ^ 1))
				return (void)smp_fail(g, w, it,
				    "the worker's page just written",
				    (long)p[0], (long)(pattern(w, it, pg) ^ 1),
				    (uint64_t)p);
		}
		if (pid > 0) {
			long status;

			smp_doing(g, w, "wait4 of its child", it);
			status = smp_wait(pid);

			if (status != SMP_EXITED(0))
				return (void)smp_fail(g, w, it,
				    "the child's status (10: its copy of the "
				    "worker's pages was wrong, 11: a page "
				    "changed under it)",
				    status, 0, 0);
		}
	}
}

/* Copy-on-write under writers on every CPU and forks from several. */
static void
t_cow_fork(void)
{
	struct smp_counts base;
	struct cf_state st;
	struct smp_group g;

	smp_counts(&base);
	st.region = smp_map(CF_WORKERS * CF_PAGES * TEST_PAGE);
	smp_run(&g, CF_WORKERS, cf_worker, &st, 11);
	smp_expect_counts(&base, "after every child was reaped");
}

/* ---------------------------------------------------------------------
 * shared_memfd
 */

enum {
	SM_WORKERS = 8,
	SM_PAGES = 4, /* per worker */
	SM_ROUNDS = 200
};

struct sm_state {
	int fd;
	volatile uint64_t *a, *b; /* two views of the whole memfd */
};

static void
sm_worker(struct smp_group *g, int w)
{
	struct sm_state *st = g->arg;
	const long off = (long)w * SM_PAGES * WORDS_PER_PAGE;
	uint64_t rs = smp_rand_state(g, w);

	if (smp_barrier(g, w) != 0)
		return;
	for (long it = 0; it < SM_ROUNDS && !smp_failed(g); it++) {
		long pg = (long)smp_rand_below(&rs, SM_PAGES);
		long word = off + pg * WORDS_PER_PAGE;
		uint64_t v = pattern(w, it, pg);

		page_set(st->a + word, v);
		if (!page_is(st->b + word, v))
			return (void)smp_fail(g, w, it,
			    "the other view of a shared page",
			    (long)st->b[word], (long)v,
			    (uint64_t)(st->b + word));
		switch (smp_rand_below(&rs, 4)) {
		case 0: { /* a view of its own slice, mapped and unmapped */
			long len = SM_PAGES * TEST_PAGE;
			long c = test_raw6(SYS_mmap, 0, len,
			    PROT_READ | PROT_WRITE, MAP_SHARED, st->fd,
			    (long)w * SM_PAGES * TEST_PAGE);
			volatile uint64_t *cv = (volatile uint64_t *)c;

			if (c < 0 && c > -4096)
				return (void)smp_fail(g, w, it,
				    "mmap of the worker's slice", c, 0, 0);
			if (!page_is(cv + pg * WORDS_PER_PAGE, v))
				return (void)smp_fail(g, w, it,
				    "a fresh view of the slice",
				    (long)cv[pg * WORDS_PER_PAGE], (long)v, c);
			page_set(cv + pg * WORDS_PER_PAGE, v ^ 2);
			if (test_raw3(SYS_munmap, c, len, 0) != 0)
				return (void)smp_fail(g, w, it,
				    "munmap of the view", -1, 0, c);
			if (!page_is(st->a + word, v ^ 2))
				return (void)smp_fail(g, w, it,
				    "what a gone view wrote", (long)st->a[word],
				    (long)(v ^ 2), 0);
			break;
		}
		case 1: { /* a child writes it; the parent sees it */
			long pid, status;

			smp_doing(g, w, "fork", it);
			pid = test_raw0(SYS_fork);
			if (pid == 0) {
				if (!page_is(st->b + word, v))
					test_raw_exit(20);
				page_set(st->b + word, v ^ 4);
				test_raw_exit(0);
			}
			if (pid < 0) {
				smp_fail(g, w, it, "fork", pid, 0, 0);
				return;
			}
			smp_doing(g, w, "wait4 of its child", it);
			status = smp_wait(pid);
			if (status != SMP_EXITED(0))
				return (void)smp_fail(g, w, it,
				    "the child's status (20: it did not see "
				    "the page)",
				    status, 0, 0);
			if (!page_is(st->a + word, v ^ 4))
				return (void)smp_fail(g, w, it,
				    "what the child wrote to shared memory",
				    (long)st->a[word], (long)(v ^ 4), 0);
			break;
		}
		default:
			smp_yield();
			break;
		}
	}
}

/* One memfd, many views, many writers, forked children. */
static void
t_shared_memfd(void)
{
	const size_t len = SM_WORKERS * SM_PAGES * TEST_PAGE;
	struct sm_state st;
	struct smp_group g;
	long a, b;

	st.fd = test_memfd(len);
	a = test_mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, st.fd, 0);
	b = test_mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, st.fd, 0);
	test_assert(a != -1 && b != -1);
	st.a = (volatile uint64_t *)a;
	st.b = (volatile uint64_t *)b;
	smp_run(&g, SM_WORKERS, sm_worker, &st, 12);
}

/* ---------------------------------------------------------------------
 * mmap_churn
 */

enum {
	MC_WORKERS = 8,
	MC_SLOTS = 4, /* regions a worker holds at once */
	MC_MAX_PAGES = 6,
	MC_OPS = 400
};

struct mc_region {
	volatile uint64_t *p;
	long pages;
	long it; /* the round its pattern is from */
};

/* Check every page of r; -1 (recorded) if one differs. */
static int
mc_check(struct smp_group *g, int w, long it, const struct mc_region *r)
{
	for (long pg = 0; pg < r->pages; pg++) {
		volatile uint64_t *p = r->p + pg * WORDS_PER_PAGE;

		if (!page_is(p, pattern(w, r->it, pg)))
			return smp_fail(g, w, it,
			    "a page of the worker's region", (long)p[0],
			    (long)pattern(w, r->it, pg), (uint64_t)p);
	}
	return 0;
}

static void
mc_worker(struct smp_group *g, int w)
{
	struct mc_region slots[MC_SLOTS];
	uint64_t rs = smp_rand_state(g, w);

	memset(slots, 0, sizeof(slots));
	if (smp_barrier(g, w) != 0)
		return;
	for (long it = 0; it < MC_OPS && !smp_failed(g); it++) {
		struct mc_region *r = &slots[smp_rand_below(&rs, MC_SLOTS)];
		long len, pg, hole;

		smp_doing(g, w, "mmap, mprotect or munmap", it);
		if (r->p == NULL) {
			long pages =
			    1 + (long)smp_rand_below(&rs, MC_MAX_PAGES);
			long p = test_raw6(SYS_mmap, 0, pages * TEST_PAGE,
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);

			if (p < 0 && p > -4096) {
				smp_fail(g, w, it, "mmap", p, 0, 0);
				return;
			}
			r->p = (volatile uint64_t *)p;
			r->pages = pages;
			r->it = it;
			for (pg = 0; pg < pages; pg++) {
				volatile uint64_t *q =
				    r->p + pg * WORDS_PER_PAGE;

				if (q[0] != 0 || q[WORDS_PER_PAGE - 1] != 0)
					return (void)smp_fail(g, w, it,
					    "a fresh page is not zero",
					    (long)q[0], 0, (uint64_t)q);
				page_set(q, pattern(w, it, pg));
			}
			continue;
		}
		if (mc_check(g, w, it, r) != 0)
			return;
		len = r->pages * TEST_PAGE;
		switch (smp_rand_below(&rs, 4)) {
		case 0: /* read-only for a while, then writable again */
			if (test_raw3(SYS_mprotect, (long)r->p, len,
				PROT_READ) != 0)
				return (void)smp_fail(g, w, it,
				    "mprotect PROT_READ", -1, 0,
				    (uint64_t)r->p);
			smp_yield();
			if (mc_check(g, w, it, r) != 0)
				return;
			if (test_raw3(SYS_mprotect, (long)r->p, len,
				PROT_READ | PROT_WRITE) != 0)
				return (void)smp_fail(g, w, it, "mprotect back",
				    -1, 0, (uint64_t)r->p);
			for (pg = 0; pg < r->pages; pg++)
				page_set(r->p + pg * WORDS_PER_PAGE,
				    pattern(w, it, pg));
			r->it = it;
			break;
		case 1: /* a page replaced by a fresh one (MAP_FIXED) */
			hole = (long)smp_rand_below(&rs, r->pages);
			if (test_raw6(SYS_mmap,
				(long)(r->p + hole * WORDS_PER_PAGE), TEST_PAGE,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				0) != (long)(r->p + hole * WORDS_PER_PAGE))
				return (void)smp_fail(g, w, it,
				    "mmap MAP_FIXED over the worker's page", -1,
				    0, (uint64_t)r->p);
			if (r->p[hole * WORDS_PER_PAGE] != 0)
				return (void)smp_fail(g, w, it,
				    "a page replaced by MAP_FIXED is not zero",
				    (long)r->p[hole * WORDS_PER_PAGE], 0,
				    (uint64_t)r->p);
			page_set(r->p + hole * WORDS_PER_PAGE,
			    pattern(w, r->it, hole));
			break;
		case 2: /* the middle unmapped, then the rest */
			if (r->pages >= 3) {
				hole =
				    1 + (long)smp_rand_below(&rs, r->pages - 2);
				if (test_raw3(SYS_munmap,
					(long)(r->p + hole * WORDS_PER_PAGE),
					TEST_PAGE, 0) != 0)
					return (void)smp_fail(g, w, it,
					    "munmap of a middle page", -1, 0,
					    (uint64_t)r->p);
				for (pg = 0; pg < r->pages; pg++)
					if (pg != hole &&
					    !page_is(r->p + pg * WORDS_PER_PAGE,
						pattern(w, r->it, pg)))
						return (void)smp_fail(g, w, it,
						    "a page beside a hole",
						    (long)r->p[pg *
							WORDS_PER_PAGE],
						    (long)pattern(w, r->it, pg),
						    (uint64_t)r->p);
				/*
				 * The hole is free for any worker to map now:
				 * unmap the two sides only, never the hole.
				 */
				if (test_raw3(SYS_munmap, (long)r->p,
					hole * TEST_PAGE, 0) != 0 ||
				    test_raw3(SYS_munmap,
					(long)(r->p +
					    (hole + 1) * WORDS_PER_PAGE),
					(r->pages - hole - 1) * TEST_PAGE,
					0) != 0)
					return (void)smp_fail(g, w, it,
					    "munmap beside a hole", -1, 0,
					    (uint64_t)r->p);
				r->p = NULL;
				break;
			}
			/* FALLTHROUGH */
		default:
			if (test_raw3(SYS_munmap, (long)r->p, len, 0) != 0)
				return (void)smp_fail(g, w, it,
				    "munmap of the region", -1, 0,
				    (uint64_t)r->p);
			r->p = NULL;
			break;
		}
	}
	for (int s = 0; s < MC_SLOTS; s++)
		if (slots[s].p != NULL)
			test_raw3(SYS_munmap, (long)slots[s].p,
			    slots[s].pages * TEST_PAGE, 0);
}

/* One address space changed by every worker at once. */
static void
t_mmap_churn(void)
{
	struct smp_group g;

	smp_run(&g, MC_WORKERS, mc_worker, NULL, 13);
}

/* ---------------------------------------------------------------------
 * exit_while_fault
 */

enum {
	EF_ROUNDS = 18,
	EF_WORKERS = 6,
	EF_PAGES = 32,
	EF_MAX_OPS = 1 << 30, /* a worker that does not leave runs "forever" */
	EF_EXIT_CODE = 0x33
};

struct ef_state {
	volatile uint64_t *region;
	long ops; /* operations done by every worker together */
};

/* Fault, drop and remap pages; odd workers leave early with lwp_exit. */
static void
ef_worker(struct smp_group *g, int w)
{
	struct ef_state *st = g->arg;
	uint64_t rs = smp_rand_state(g, w);
	long leave = (w & 1) ? (long)smp_rand_below(&rs, 200) : EF_MAX_OPS;

	for (long it = 0; it < leave; it++) {
		long pg = (long)smp_rand_below(&rs, EF_PAGES);
		volatile uint64_t *p = st->region + pg * WORDS_PER_PAGE;

		switch (smp_rand_below(&rs, 8)) {
		case 0:
			test_raw6(SYS_madvise, (long)p, TEST_PAGE,
			    MADV_DONTNEED, 0, 0, 0);
			break;
		case 1:
			test_raw6(SYS_mmap, (long)p, TEST_PAGE,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		default:
			__atomic_add_fetch(&p[w], 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&st->ops, 1, __ATOMIC_RELAXED);
	}
}

/*
 * The victim process: workers faulting; after a random number of their
 * operations it ends with exit_group, or tells the parent to kill it.
 */
static _Noreturn void
ef_victim(int round, int ready)
{
	static struct ef_state st;
	struct smp_group g;
	uint64_t rs;
	long target;

	st.region = smp_map(EF_PAGES * TEST_PAGE);
	smp_start(&g, EF_WORKERS, ef_worker, &st, 200 + round);
	rs = smp_rand_state(&g, EF_WORKERS);
	target = 50 + (long)smp_rand_below(&rs, 2000);
	while (__atomic_load_n(&st.ops, __ATOMIC_RELAXED) < target)
		sched_yield();
	if (round % 3 == 2) {
		test_send(ready); /* the parent kills us */
		for (;;)
			sched_yield();
	}
	test_raw_exit(EF_EXIT_CODE);
}

/*
 * Processes end, by exit_group or SIGKILL, while their LWPs fault and
 * some of them lwp_exit; everything is reclaimed.
 */
static void
t_exit_while_fault(void)
{
	struct smp_counts base;

	smp_counts(&base);
	for (int round = 0; round < EF_ROUNDS; round++) {
		int ready[2], status;
		pid_t pid;

		test_pipe(ready);
		pid = test_fork();
		if (pid == 0) {
			close(ready[0]);
			ef_victim(round, ready[1]);
		}
		close(ready[1]);
		if (round % 3 == 2) {
			smp_expect_ready(ready[0], pid,
			    "a process whose LWPs fault");
			test_expect_eq(kill(pid, SIGKILL), 0, "kill");
		}
		status = smp_wait_child(pid, 30000,
		    "a process ending while its LWPs fault");
		close(ready[0]);
		if (round % 3 == 2)
			test_assert_msg(WIFSIGNALED(status) &&
				WTERMSIG(status) == SIGKILL,
			    "seed %llu, round %d: status 0x%x, expected "
			    "SIGKILL",
			    (unsigned long long)test_seed, round, status);
		else
			test_assert_msg(WIFEXITED(status) &&
				WEXITSTATUS(status) == EF_EXIT_CODE,
			    "seed %llu, round %d: status 0x%x, expected exit "
			    "%d",
			    (unsigned long long)test_seed, round, status,
			    EF_EXIT_CODE);
	}
	smp_expect_counts(&base, "after every victim was reaped");
}

const struct test smp_mem_tests[] = {
	{ "cow_fork", t_cow_fork, "native LWPs" },
	{ "shared_memfd", t_shared_memfd, "native LWPs" },
	{ "mmap_churn", t_mmap_churn, "native LWPs" },
	{ "exit_while_fault", t_exit_while_fault, "native LWPs" },
	{ NULL, NULL, NULL },
};
