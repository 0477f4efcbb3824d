/*
 * smp.h: what the files of smptests share.
 *
 * smptests is the stress suite of a kernel running on several CPUs: each
 * test starts many LWPs (workers) in one process, which do a fixed
 * number of operations each (never "for a time") on shared state, meet
 * at spin barriers so that they really start at once, and check their
 * invariants as they go.  On one CPU the same tests run interleaved by
 * the scheduler and must pass too; with CPUS=2 or 4 under multi-threaded
 * TCG they become real races.  Each file holds the tests of one area:
 *
 *	proc.c		fork, exit and wait from many LWPs; two LWPs
 *			reaping the same children; kill of processes made
 *			of many busy LWPs
 *	mem.c		copy-on-write and shared (memfd) memory faulted by
 *			many LWPs while others fork; mmap, mprotect and
 *			munmap in one address space from many LWPs; LWPs
 *			and processes exiting while their siblings fault
 *	vmspace.c	the vmspace service (ABI.md 4.1) driven on the same
 *			ids by several LWPs and a forked process at once
 *	affinity.c	sched_setaffinity, sched_getaffinity and getcpu
 *			with Linux's ABI, and busy LWPs spread over every
 *			CPU (skipped while the calls are ENOSYS)
 *	lib.c		the worker groups, barriers and failure records
 *			below
 *	suite.c		the list of tables
 *
 * Randomness comes from the run's seed (-s, test_seed): a failure names
 * the seed, the worker and the operation, and the runner prints the
 * command that reruns it with that seed (make check
 * TEST=smptests/NAME SEED=N, to which tests/run-qemu.sh adds CPUS=...).
 * With the same seed the operations are the same; on several CPUs their
 * interleaving is not, so a race may need a few runs.
 *
 * Workers run in LWPs made with lwp_create, which musl does not know:
 * they use test.h's raw calls only, and report a failure by recording it
 * in their group (smp_fail); the main LWP turns it into the test's
 * failure when they have all ended.  Processes forked by a worker report
 * through their exit status.
 */

#ifndef SMP_H
#define SMP_H

#include "test.h"

#define SMP_MS 1000000ULL
#define SMP_MAX_WORKERS 32
/* How long a barrier may take before the test gives up. */
#define SMP_DEADLINE_NS (30000 * SMP_MS)
/* How long smp_join waits for the workers before it names the stuck ones. */
#define SMP_JOIN_NS (60000 * SMP_MS)

/* The first failure of a group, recorded by the worker that saw it. */
struct smp_fail {
	int set;          /* 0 until a failure is recorded */
	const char *what; /* the check, a string constant */
	int worker;
	long iter; /* the worker's operation number */
	long got, want;
	uint64_t addr; /* an address, or 0 */
};

struct smp_group;
typedef void smp_worker_fn(struct smp_group *g, int w);

/* A group of workers: LWPs of this process running the same function. */
struct smp_group {
	int n; /* workers */
	smp_worker_fn *fn;
	void *arg;     /* the test's shared state */
	uint64_t seed; /* the test's seed, from test_seed */

	/* The spin barrier (smp_barrier). */
	int arrived;
	int generation;

	struct smp_fail fail;
	int finished; /* workers whose function has returned */
	/* What each worker is doing (smp_doing), for a report of a hang. */
	const char *doing[SMP_MAX_WORKERS];
	long doing_iter[SMP_MAX_WORKERS];
	struct smp_slot {
		struct smp_group *g;
		int w;
	} slots[SMP_MAX_WORKERS];
	int tids[SMP_MAX_WORKERS];
	char *stacks;
};

/*
 * Start n workers running fn(g, w) for w = 0 .. n-1 in LWPs of their own,
 * wait for all of them, and fail the test (naming the seed) if one
 * recorded a failure.  `salt` tells the tests apart: a test's seed is
 * test_seed mixed with it.
 */
void smp_run(struct smp_group *g, int n, smp_worker_fn *fn, void *arg,
    uint64_t salt);

/*
 * smp_run in two halves, for a test that does something else while its
 * workers run: smp_start starts them, smp_join waits for them all (it
 * does not judge them: smp_check does).  If they have not all finished
 * after SMP_JOIN_NS, smp_join fails the test naming each worker still
 * running and what it last said it was doing (smp_doing).
 */
void smp_start(struct smp_group *g, int n, smp_worker_fn *fn, void *arg,
    uint64_t salt);
void smp_join(struct smp_group *g);

/*
 * Fail the test with g's recorded failure, if there is one (smp_run
 * calls it; a test that runs workers in a child process calls it there).
 */
void smp_check(struct smp_group *g);

/*
 * Wait until every worker of g has arrived: spin, then yield, so that on
 * several CPUs the workers leave together and on one they take turns.
 * Returns 0, or -1 if the group has failed (or waited past the deadline,
 * which is recorded as a failure): the worker should then return.
 */
int smp_barrier(struct smp_group *g, int w);

/*
 * Record a failure of worker w at its operation iter (the first one
 * recorded wins).  Returns -1, for `return smp_fail(...)`.
 */
int smp_fail(struct smp_group *g, int w, long iter, const char *what, long got,
    long want, uint64_t addr);

/*
 * Say that worker w is about to do `what` (a string constant) in its
 * operation iter: a hang is then reported as "worker 3 in wait4 at
 * operation 17".  Two plain stores; call it before anything that may
 * block.
 */
static inline void
smp_doing(struct smp_group *g, int w, const char *what, long iter)
{
	__atomic_store_n(&g->doing_iter[w], iter, __ATOMIC_RELAXED);
	__atomic_store_n(&g->doing[w], what, __ATOMIC_RELEASE);
}

/* Whether the group has failed: workers stop early when it has. */
static inline int
smp_failed(const struct smp_group *g)
{
	return __atomic_load_n(&g->fail.set, __ATOMIC_ACQUIRE);
}

/* A generator state for worker w, from the group's seed. */
uint64_t smp_rand_state(const struct smp_group *g, int w);

/* A random number below n (n > 0). */
static inline uint64_t
smp_rand_below(uint64_t *state, uint64_t n)
{
	return test_rand(state) % n;
}

/* CLOCK_MONOTONIC in nanoseconds, by a raw call (safe in a worker). */
uint64_t smp_now_ns(void);

/* sched_yield by a raw call. */
static inline void
smp_yield(void)
{
	test_raw0(SYS_sched_yield);
}

/* A few hundred pause instructions, or a yield: a back-off in a spin. */
void smp_relax(unsigned *spins);

/*
 * Wait (raw wait4) for child pid; returns its wait status, or -1 - errno
 * shifted so it cannot be a status (a negative value) on error.
 */
long smp_wait(long pid);

/*
 * vmspace_mmap of anonymous private memory at a fixed address, by a raw
 * call (safe in a worker): the address, or -errno.
 */
long smp_vmspace_map(void *id, uint64_t addr, size_t len, int prot);

/*
 * Wait for child pid from the main LWP, polling, for at most `ms`;
 * returns its wait status, or fails naming `what` if it has not ended.
 */
int smp_wait_child(pid_t pid, unsigned ms, const char *what);

/*
 * Read the byte child pid sends on fd (the read end of a pipe whose
 * write end only that child holds) when it is ready; if it ends first,
 * fail saying how it ended.
 */
void smp_expect_ready(int fd, pid_t pid, const char *what);

/* The expected exit status of an exited child, as a wait status. */
#define SMP_EXITED(code) (((code)&0xff) << 8)

/* An anonymous private read-write mapping, raw; or fail (main LWP only). */
void *smp_map(size_t len);

/*
 * The kernel's counts of processes, LWPs, vmspaces and vmspace entries
 * (a test's own memory use moves the page and heap counters, which the
 * runner checks around the whole test instead).
 */
struct smp_counts {
	uint64_t procs, lwps, vmspaces, entries;
};
void smp_counts(struct smp_counts *c);

/*
 * The counts are back at *base within 2 s (processes and LWPs that are
 * ending get that long); or fail.  Main LWP only; nothing on Linux.
 */
void smp_expect_counts(const struct smp_counts *base, const char *what);

/* The tables, each ending with an entry whose name is NULL. */
extern const struct test smp_proc_tests[];
extern const struct test smp_mem_tests[];
extern const struct test smp_vmspace_tests[];
extern const struct test smp_affinity_tests[];

#endif /* SMP_H */
