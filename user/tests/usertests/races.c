/*
 * races.c: LWPs of one process racing on what they share (issue 10):
 * two waiters for one child, writes and reads through one file
 * description, mmap and munmap in one address space, and pipe writers
 * and readers.  Each test does a fixed number of operations and then
 * checks an invariant that any lost update breaks.  With one CPU the
 * kernel runs each call whole, so they pass for that reason alone; with
 * several CPUs running the LWPs at once they are the races themselves.
 * races_mmap also sees a stale translation left on another CPU (a
 * missing TLB shootdown) as a wrong word.
 *
 * Code that runs in an LWP uses raw system calls only (ut.h).
 */

#include "ut.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (16 * 1024)
#define NLWP_MAX 8
#define PIPE_CHUNK 4096 /* PIPE_BUF */

/* What every LWP of a test gets through rdi. */
struct racer {
	int id;              /* 0, 1, ... */
	volatile int *ready; /* LWPs that have started */
	volatile int *go;    /* the creator's signal to begin */
	int cpu;             /* the CPU to run on, or -1: any */
	int fd;              /* a descriptor to use */
	pid_t pid;           /* a child to wait for, or -1 */
	long results[64];    /* what the LWP's calls returned */
	int statuses[64];    /* wait statuses, by result */
	int nresults;
	const char *failure; /* set when the LWP saw something wrong */
	long fail_value;     /* ... with the value it saw */
};

/* A stack for an LWP: the top of `size` bytes, 16-aligned, minus 8. */
static void *
racer_stack(void)
{
	char *base = malloc(STACK_SIZE);

	test_assert(base != NULL);
	return (void *)((((uintptr_t)base + STACK_SIZE) & ~(uintptr_t)15) - 8);
}

/* Start fn(r) in a new LWP or fail the test; returns its id. */
static int
racer_start(void (*fn)(void *), struct racer *r)
{
	int tid = -1;
	struct lwp_params p = {
		.lwp_func = fn,
		.lwp_arg = r,
		.lwp_stack = racer_stack(),
		.lwp_tid1 = &tid,
	};

	test_expect_eq(test_raw1(SYS_lwp_create, (long)&p), 0, "lwp_create");
	test_assert_msg(tid > 0, "lwp_create stored id %d", tid);
	return tid;
}

/*
 * In an LWP: move to its own CPU if it has one (so that the racers run
 * at once rather than in turns), count itself ready, then wait (yielding)
 * for go.
 */
static void
racer_sync(struct racer *r)
{
	unsigned long mask = 1UL << (r->cpu & 63);

	if (r->cpu >= 0)
		(void)test_raw3(SYS_sched_setaffinity, 0, sizeof(mask),
		    (long)&mask);
	__atomic_add_fetch(r->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(r->go, __ATOMIC_ACQUIRE))
		test_raw0(SYS_sched_yield);
}

/* In an LWP: note the first thing that went wrong. */
static void
racer_fail(struct racer *r, const char *what, long value)
{
	if (r->failure == NULL) {
		r->failure = what;
		r->fail_value = value;
	}
}

/*
 * The CPUs this LWP may run on (sched_getaffinity), in cpus[]; returns
 * how many (0 if the call is missing).
 */
static int
online_cpus(int cpus[64])
{
	unsigned long mask = 0;
	int n = 0;

	if (test_raw3(SYS_sched_getaffinity, 0, sizeof(mask), (long)&mask) < 0)
		return 0;
	for (int i = 0; i < 64; i++)
		if (mask & (1UL << i))
			cpus[n++] = i;
	return n;
}

/*
 * Start n LWPs running fn on rs[0..n-1] (ids 0..n-1, the given fd and
 * pid), LWP i on the i-th CPU, round robin, when there are several; wait
 * until all are ready, and let them go.  Their ids go in tids.
 */
static void
racers_run(void (*fn)(void *), struct racer *rs, int n, int fd, pid_t pid,
    int *tids)
{
	static volatile int ready, go;
	uint64_t end = test_now_ns() + 5000000000ULL;
	int cpus[64], ncpus = online_cpus(cpus);

	ready = 0;
	go = 0;
	for (int i = 0; i < n; i++) {
		memset(&rs[i], 0, sizeof(rs[i]));
		rs[i].id = i;
		rs[i].ready = &ready;
		rs[i].go = &go;
		rs[i].fd = fd;
		rs[i].pid = pid;
		rs[i].cpu = ncpus > 1 ? cpus[i % ncpus] : -1;
		tids[i] = racer_start(fn, &rs[i]);
	}
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n) {
		if (test_now_ns() > end)
			test_fail("%d of %d LWPs ready after 5 s", ready, n);
		test_raw0(SYS_sched_yield);
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
}

/* lwp_wait for each of the n LWPs, then fail on any LWP's failure. */
static void
racers_join(struct racer *rs, int n, const int *tids)
{
	for (int i = 0; i < n; i++)
		test_expect_eq(test_raw1(SYS_lwp_wait, tids[i]), 0, "lwp_wait");
	for (int i = 0; i < n; i++)
		test_assert_msg(rs[i].failure == NULL, "LWP %d: %s (%ld)", i,
		    rs[i].failure, rs[i].fail_value);
}

/* ---------------------------------------------------------------------
 * wait4 from two LWPs.
 */

/* wait4(r->pid) until ECHILD, recording each result and status. */
static void
body_wait(void *arg)
{
	struct racer *r = arg;

	racer_sync(r);
	for (;;) {
		int status = -1;
		long rv = test_raw4(SYS_wait4, r->pid, (long)&status, 0, 0);

		if (r->nresults == 64) {
			racer_fail(r, "more than 64 results", rv);
			break;
		}
		r->statuses[r->nresults] = status;
		r->results[r->nresults++] = rv;
		if (rv <= 0)
			break;
	}
	test_raw_lwp_exit();
}

/*
 * Fork n children that exit with codes 1..n once a byte per child comes
 * down the pipe whose read end is rfd; their pids go in pids.
 */
static void
fork_waiting_children(int n, int rfd, int wfd, pid_t *pids)
{
	for (int i = 0; i < n; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0) {
			char c;

			close(wfd);
			_exit(read(rfd, &c, 1) == 1 ? i + 1 : 100);
		}
	}
}

/*
 * Two LWPs wait4 for the same child (by pid, or any child), 100 times:
 * exactly one collects it, with its status, and the other gets ECHILD,
 * as on Linux, where a child being reaped is no longer waited for.
 */
static void
t_races_wait4_one_child(void)
{
	struct racer rs[2];
	int tids[2], p[2];
	pid_t pid;

	for (int iter = 0; iter < 100; iter++) {
		int got = -1;

		test_pipe(p);
		fork_waiting_children(1, p[0], p[1], &pid);
		close(p[0]);
		racers_run(body_wait, rs, 2, -1, iter % 2 ? pid : -1, tids);
		/* Let the waiters sleep first in some rounds, not in others. */
		for (int i = 0; i < iter % 4; i++)
			test_raw0(SYS_sched_yield);
		test_expect_eq(write(p[1], "x", 1), 1, "release the child");
		close(p[1]);
		racers_join(rs, 2, tids);
		for (int i = 0; i < 2; i++) {
			test_assert_msg(rs[i].nresults ==
				(rs[i].results[0] > 0 ? 2 : 1),
			    "round %d, LWP %d: %d results, the first %ld", iter,
			    i, rs[i].nresults, rs[i].results[0]);
			if (rs[i].results[0] == pid) {
				test_assert_msg(got < 0,
				    "round %d: both LWPs reaped pid %d", iter,
				    pid);
				got = i;
				test_assert_msg(WIFEXITED(rs[i].statuses[0]) &&
					WEXITSTATUS(rs[i].statuses[0]) == 1,
				    "round %d: status 0x%x", iter,
				    rs[i].statuses[0]);
			} else {
				test_expect_raw_errno(rs[i].results[0], ECHILD,
				    "the other waiter");
			}
			test_expect_raw_errno(rs[i].results[rs[i].nresults - 1],
			    ECHILD, "wait4 once no child is left");
		}
		test_assert_msg(got >= 0, "round %d: nobody reaped pid %d",
		    iter, pid);
	}
}

/*
 * Two LWPs wait4(-1) while 8 children exit, 20 times: between them they
 * collect every child exactly once, and each stops at ECHILD only when
 * none is left.
 */
static void
t_races_wait4_many_children(void)
{
	enum {
		N = 8
	};
	struct racer rs[2];
	int tids[2], p[2];
	pid_t pids[N];

	for (int iter = 0; iter < 20; iter++) {
		int seen[N] = { 0 };

		test_pipe(p);
		fork_waiting_children(N, p[0], p[1], pids);
		close(p[0]);
		racers_run(body_wait, rs, 2, -1, -1, tids);
		for (int i = 0; i < N; i++)
			test_expect_eq(write(p[1], "x", 1), 1,
			    "release a child");
		close(p[1]);
		racers_join(rs, 2, tids);
		for (int i = 0; i < 2; i++) {
			for (int k = 0; k < rs[i].nresults - 1; k++) {
				int j;

				for (j = 0;
				     j < N && pids[j] != rs[i].results[k]; j++)
					continue;
				test_assert_msg(j < N,
				    "round %d: wait4 returned %ld", iter,
				    rs[i].results[k]);
				test_assert_msg(WIFEXITED(rs[i].statuses[k]) &&
					WEXITSTATUS(rs[i].statuses[k]) >= 1 &&
					WEXITSTATUS(rs[i].statuses[k]) <= N,
				    "round %d: status 0x%x", iter,
				    rs[i].statuses[k]);
				seen[j]++;
			}
			test_expect_raw_errno(rs[i].results[rs[i].nresults - 1],
			    ECHILD, "wait4 once no child is left");
		}
		for (int j = 0; j < N; j++)
			test_assert_msg(seen[j] == 1,
			    "round %d: child %d reaped %d times", iter, pids[j],
			    seen[j]);
	}
}

/* ---------------------------------------------------------------------
 * lwp_wait for an LWP that lwp_create is still making.
 */

static volatile int unborn_target, unborn_stop, unborn_ran;

/* The body of an LWP whose lwp_create fails: it must never run. */
static void
body_unborn(void *arg)
{
	(void)arg;
	__atomic_store_n(&unborn_ran, 1, __ATOMIC_RELEASE);
	test_raw_lwp_exit();
}

/* lwp_wait for unborn_target until unborn_stop: always ESRCH. */
static void
body_wait_unborn(void *arg)
{
	struct racer *r = arg;

	racer_sync(r);
	while (!__atomic_load_n(&unborn_stop, __ATOMIC_ACQUIRE)) {
		long rv = test_raw1(SYS_lwp_wait,
		    __atomic_load_n(&unborn_target, __ATOMIC_ACQUIRE));

		if (rv != -ESRCH) {
			racer_fail(r, "lwp_wait of an LWP that was never made",
			    rv);
			break;
		}
	}
	test_raw_lwp_exit();
}

/*
 * 200 times, lwp_create fails with EFAULT storing the new id (lwp_tid2
 * read-only) while two LWPs lwp_wait for exactly that id: the id names
 * no LWP to them (ESRCH), since the LWP is undone before it ever runs,
 * and nothing of it runs or stays.
 */
static void
t_races_lwp_wait_unborn(void)
{
	struct racer rs[2];
	int tids[2], tid1;
	int *ro =
	    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct lwp_params p = {
		.lwp_func = body_unborn,
		.lwp_stack = racer_stack(),
		.lwp_tid1 = &tid1,
		.lwp_tid2 = ro,
	};

	test_assert(ro != MAP_FAILED);
	unborn_target = 0;
	unborn_stop = 0;
	racers_run(body_wait_unborn, rs, 2, -1, -1, tids);
	/* lids count up: each failed lwp_create takes the next one. */
	for (int i = 1; i <= 200; i++) {
		__atomic_store_n(&unborn_target, tids[1] + i, __ATOMIC_RELEASE);
		test_expect_raw_errno(test_raw1(SYS_lwp_create, (long)&p),
		    EFAULT, "lwp_create with lwp_tid2 read-only");
		test_expect_eq(tid1, tids[1] + i, "the id lwp_create chose");
	}
	__atomic_store_n(&unborn_stop, 1, __ATOMIC_RELEASE);
	racers_join(rs, 2, tids);
	test_expect_eq(unborn_ran, 0, "an LWP of a failed lwp_create ran");
}

/* ---------------------------------------------------------------------
 * One file description, several LWPs.
 */

#define REC_SIZE 64
#define REC_PER_LWP 400
#define FILE_LWPS 4

/* Record seq of LWP id: its id, its number, then bytes made of both. */
static void
rec_fill(uint8_t *rec, int id, int seq)
{
	memcpy(rec, &id, 4);
	memcpy(rec + 4, &seq, 4);
	for (int i = 8; i < REC_SIZE; i++)
		rec[i] = (uint8_t)(id * 31 + seq + i);
}

/* True if rec is a whole record; its LWP and number in *id and *seq. */
static int
rec_check(const uint8_t *rec, int *id, int *seq)
{
	memcpy(id, rec, 4);
	memcpy(seq, rec + 4, 4);
	if (*id < 0 || *id >= FILE_LWPS || *seq < 0 || *seq >= REC_PER_LWP)
		return 0;
	for (int i = 8; i < REC_SIZE; i++)
		if (rec[i] != (uint8_t)(*id * 31 + *seq + i))
			return 0;
	return 1;
}

/* Write REC_PER_LWP records through r->fd, one write each. */
static void
body_write_records(void *arg)
{
	struct racer *r = arg;
	uint8_t rec[REC_SIZE];

	racer_sync(r);
	for (int seq = 0; seq < REC_PER_LWP; seq++) {
		long rv;

		rec_fill(rec, r->id, seq);
		rv = test_raw3(SYS_write, r->fd, (long)rec, REC_SIZE);
		if (rv != REC_SIZE) {
			racer_fail(r, "write", rv);
			break;
		}
	}
	test_raw_lwp_exit();
}

/* How often each record was seen: the readers' shared tally. */
static uint8_t seen_recs[FILE_LWPS][REC_PER_LWP];

/*
 * Read records through r->fd, one read each, until end of file, counting
 * each in seen_recs.
 */
static void
body_read_records(void *arg)
{
	struct racer *r = arg;
	uint8_t rec[REC_SIZE];
	int id, seq;

	racer_sync(r);
	for (;;) {
		long rv = test_raw3(SYS_read, r->fd, (long)rec, REC_SIZE);

		if (rv == 0)
			break;
		if (rv != REC_SIZE) {
			racer_fail(r, "read", rv);
			break;
		}
		if (!rec_check(rec, &id, &seq)) {
			racer_fail(r, "read a torn record", rec[0]);
			break;
		}
		__atomic_add_fetch(&seen_recs[id][seq], 1, __ATOMIC_RELAXED);
	}
	test_raw_lwp_exit();
}

/*
 * Four LWPs write 400 64-byte records each through one memfd
 * descriptor, then four read them back through it: the file is exactly
 * the sum of the writes, every record whole and present once (no two
 * writes at one offset, none lost), and the readers together read each
 * record exactly once.
 */
static void
t_races_shared_fd(void)
{
	struct racer rs[FILE_LWPS];
	int tids[FILE_LWPS], fd, id, seq;
	size_t size = (size_t)FILE_LWPS * REC_PER_LWP * REC_SIZE;
	uint8_t *data;
	struct stat st;

	fd = test_memfd(0);
	racers_run(body_write_records, rs, FILE_LWPS, fd, -1, tids);
	racers_join(rs, FILE_LWPS, tids);
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_size, (long)size,
	    "file size after 4 x 400 concurrent 64-byte writes");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), (long)size, "offset");

	data = malloc(size);
	test_assert(data != NULL);
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
	test_expect_eq(test_read_full(fd, data, size), (long)size,
	    "read it all");
	memset(seen_recs, 0, sizeof(seen_recs));
	for (size_t off = 0; off < size; off += REC_SIZE) {
		test_assert_msg(rec_check(data + off, &id, &seq),
		    "torn record at offset %zu", off);
		test_assert_msg(seen_recs[id][seq]++ == 0,
		    "record %d of LWP %d written twice", seq, id);
	}
	free(data);

	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
	memset(seen_recs, 0, sizeof(seen_recs));
	racers_run(body_read_records, rs, FILE_LWPS, fd, -1, tids);
	racers_join(rs, FILE_LWPS, tids);
	for (id = 0; id < FILE_LWPS; id++)
		for (seq = 0; seq < REC_PER_LWP; seq++)
			test_assert_msg(seen_recs[id][seq] == 1,
			    "record %d of LWP %d read %d times", seq, id,
			    seen_recs[id][seq]);
	close(fd);
}

/* ---------------------------------------------------------------------
 * mmap and munmap from several LWPs.
 */

#define MAP_LWPS 4
#define MAP_ROUNDS 150

/* Fill n words at p with the pattern of (id, round). */
static void
pattern_fill(volatile uint64_t *p, size_t n, int id, int round)
{
	for (size_t i = 0; i < n; i++)
		p[i] = ((uint64_t)id << 48) | ((uint64_t)round << 24) | i;
}

/* True if the n words at p hold the pattern of (id, round). */
static int
pattern_check(volatile uint64_t *p, size_t n, int id, int round)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] !=
		    (((uint64_t)id << 48) | ((uint64_t)round << 24) | i))
			return 0;
	return 1;
}

/*
 * Each round: mmap 1 to 4 pages anywhere, fill them with this LWP's
 * pattern, map them again in place with MAP_FIXED (which must give the
 * same address and zeros), fill and check again after yielding, and
 * unmap.  Another LWP's mapping landing on ours, or ours lost to its
 * unmapping, shows up as a wrong word or a fault.
 */
static void
body_map(void *arg)
{
	struct racer *r = arg;

	racer_sync(r);
	for (int round = 0; round < MAP_ROUNDS; round++) {
		size_t len = (size_t)(1 + (round + r->id) % 4) * 4096,
		       n = len / 8;
		long va = test_raw6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long again;

		if (va < 0 && va > -4096) {
			racer_fail(r, "mmap", va);
			break;
		}
		pattern_fill((uint64_t *)va, n, r->id, round);
		test_raw0(SYS_sched_yield);
		if (!pattern_check((uint64_t *)va, n, r->id, round)) {
			racer_fail(r, "mapping changed under us", va);
			break;
		}
		again = test_raw6(SYS_mmap, va, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (again != va) {
			racer_fail(r, "mmap MAP_FIXED over our own mapping",
			    again);
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (((volatile uint64_t *)va)[i] != 0) {
				racer_fail(r, "MAP_FIXED mapping not zero", va);
				goto out;
			}
		pattern_fill((uint64_t *)va, n, r->id, round + 1);
		test_raw0(SYS_sched_yield);
		if (!pattern_check((uint64_t *)va, n, r->id, round + 1)) {
			racer_fail(r, "MAP_FIXED mapping changed under us", va);
			break;
		}
		if (test_raw3(SYS_munmap, va, len, 0) != 0) {
			racer_fail(r, "munmap", va);
			break;
		}
	}
out:
	test_raw_lwp_exit();
}

/*
 * Four LWPs map, remap in place and unmap 150 times each: no mapping
 * overlaps another LWP's, and none is lost.
 */
static void
t_races_mmap(void)
{
	struct racer rs[MAP_LWPS];
	int tids[MAP_LWPS];

	racers_run(body_map, rs, MAP_LWPS, -1, -1, tids);
	racers_join(rs, MAP_LWPS, tids);
}

/* ---------------------------------------------------------------------
 * brk against mmap.
 */

#define BRK_STEP (16 * 4096)
#define BRK_ROUNDS 200

static volatile unsigned long brk_base; /* the break when the LWPs began */
static volatile int brk_go;             /* brk_base is set */

/*
 * LWP 0 moves the break up by BRK_STEP and back, filling what it got;
 * the others map BRK_STEP bytes with the break's old top as the hint,
 * and fill theirs.  Whoever gets the range first keeps it: the other's
 * call fails (brk returns the old break) or goes elsewhere (mmap).
 */
static void
body_brk(void *arg)
{
	struct racer *r = arg;
	size_t n = BRK_STEP / 8;

	racer_sync(r);
	while (!__atomic_load_n(&brk_go, __ATOMIC_ACQUIRE))
		test_raw0(SYS_sched_yield);
	for (int round = 0; round < BRK_ROUNDS; round++) {
		long va;

		if (r->id == 0) {
			va = (long)brk_base;
			if (test_raw1(SYS_brk, va + BRK_STEP) != va + BRK_STEP)
				continue; /* a mapping is there: brk failed */
		} else {
			va = test_raw6(SYS_mmap, brk_base, BRK_STEP,
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
			if (va < 0 && va > -4096) {
				racer_fail(r, "mmap", va);
				break;
			}
		}
		pattern_fill((uint64_t *)va, n, r->id, round);
		test_raw0(SYS_sched_yield);
		if (!pattern_check((uint64_t *)va, n, r->id, round)) {
			racer_fail(r, "memory changed under us", va);
			break;
		}
		if (r->id == 0 &&
		    test_raw1(SYS_brk, brk_base) != (long)brk_base) {
			racer_fail(r, "brk back down", va);
			break;
		}
		if (r->id != 0 && test_raw3(SYS_munmap, va, BRK_STEP, 0) != 0) {
			racer_fail(r, "munmap", va);
			break;
		}
	}
	test_raw_lwp_exit();
}

/*
 * One LWP grows and shrinks the heap with brk while three map memory
 * where the heap would grow, 200 rounds each: the heap and the mappings
 * never overlap, and the break comes back to where it was.
 */
static void
t_races_brk_mmap(void)
{
	struct racer rs[MAP_LWPS];
	int tids[MAP_LWPS];

	/* The break once racers_run has allocated the LWPs' stacks. */
	brk_go = 0;
	racers_run(body_brk, rs, MAP_LWPS, -1, -1, tids);
	brk_base = (unsigned long)test_raw1(SYS_brk, 0);
	__atomic_store_n(&brk_go, 1, __ATOMIC_RELEASE);
	racers_join(rs, MAP_LWPS, tids);
	test_expect_hex(test_raw1(SYS_brk, 0), brk_base, "the break after");
}

/* ---------------------------------------------------------------------
 * Pipes: atomic PIPE_BUF writes from several writers.
 */

#define PIPE_WRITERS 4
#define PIPE_ROUNDS 48
#define CHUNK_MAGIC 0x43484e4bU /* "CHNK" */

struct chunk_head {
	uint32_t magic;
	uint32_t id;
	uint32_t seq;
	uint32_t len; /* the whole chunk, header included */
};

/* The length of chunk seq of writer id: 16 to PIPE_BUF bytes. */
static size_t
chunk_len(int id, int seq)
{
	if (seq % 4 == 0)
		return PIPE_CHUNK;
	return sizeof(struct chunk_head) +
	    ((unsigned)(seq * 997 + id * 131) %
		(PIPE_CHUNK - sizeof(struct chunk_head) + 1));
}

static uint8_t
chunk_byte(int id, int seq, size_t i)
{
	return (uint8_t)(id * 7 + seq * 3 + i);
}

/* Write PIPE_ROUNDS chunks of chunk_len bytes to r->fd, one write each. */
static void
body_pipe_writer(void *arg)
{
	static uint8_t bufs[PIPE_WRITERS][PIPE_CHUNK];
	struct racer *r = arg;
	uint8_t *buf = bufs[r->id];

	racer_sync(r);
	for (int seq = 0; seq < PIPE_ROUNDS; seq++) {
		struct chunk_head h = { CHUNK_MAGIC, (uint32_t)r->id,
			(uint32_t)seq, (uint32_t)chunk_len(r->id, seq) };
		long rv;

		memcpy(buf, &h, sizeof(h));
		for (size_t i = sizeof(h); i < h.len; i++)
			buf[i] = chunk_byte(r->id, seq, i);
		rv = test_raw3(SYS_write, r->fd, (long)buf, h.len);
		if (rv != (long)h.len) {
			racer_fail(r, "write", rv);
			break;
		}
	}
	test_raw_lwp_exit();
}

/*
 * Four LWPs write 48 chunks each, of 16 to PIPE_BUF bytes, into one pipe
 * while this LWP reads the stream in odd-sized pieces: every chunk comes
 * out whole (a write of at most PIPE_BUF bytes is atomic), each writer's
 * in order, none missing.
 */
static void
t_races_pipe_writers(void)
{
	struct racer rs[PIPE_WRITERS];
	int tids[PIPE_WRITERS], p[2], next[PIPE_WRITERS] = { 0 };
	size_t total = 0, have = 0, off = 0;
	uint8_t *stream;

	for (int id = 0; id < PIPE_WRITERS; id++)
		for (int seq = 0; seq < PIPE_ROUNDS; seq++)
			total += chunk_len(id, seq);
	stream = malloc(total);
	test_assert(stream != NULL);
	test_pipe(p);
	racers_run(body_pipe_writer, rs, PIPE_WRITERS, p[1], -1, tids);
	while (have < total) {
		size_t want = total - have < 1000 ? total - have : 1000;
		long rv = read(p[0], stream + have, want);

		test_assert_msg(rv > 0, "read returned %ld after %zu of %zu",
		    rv, have, total);
		have += rv;
	}
	racers_join(rs, PIPE_WRITERS, tids);
	close(p[1]);
	test_expect_eq(read(p[0], stream, 1), 0, "end of file after it all");
	close(p[0]);

	while (off < total) {
		struct chunk_head h;

		test_assert_msg(total - off >= sizeof(h),
		    "a piece of a header at %zu", off);
		memcpy(&h, stream + off, sizeof(h));
		test_assert_msg(h.magic == CHUNK_MAGIC && h.id < PIPE_WRITERS,
		    "no chunk starts at %zu: writes were interleaved", off);
		test_assert_msg((int)h.seq == next[h.id],
		    "writer %u: chunk %u where %d was due", h.id, h.seq,
		    next[h.id]);
		test_assert_msg(h.len == chunk_len(h.id, h.seq) &&
			h.len <= total - off,
		    "chunk %u of writer %u: length %u", h.seq, h.id, h.len);
		for (size_t i = sizeof(h); i < h.len; i++)
			test_assert_msg(stream[off + i] ==
				chunk_byte(h.id, h.seq, i),
			    "chunk %u of writer %u: byte %zu is wrong (a write "
			    "interleaved)",
			    h.seq, h.id, i);
		next[h.id]++;
		off += h.len;
	}
	for (int id = 0; id < PIPE_WRITERS; id++)
		test_expect_eq(next[id], PIPE_ROUNDS, "chunks of one writer");
	free(stream);
}

/* How often each chunk was read: the readers' shared tally. */
static uint8_t seen_chunks[PIPE_WRITERS][PIPE_ROUNDS];

/*
 * Read PIPE_CHUNK-byte chunks from r->fd until end of file, counting
 * each in seen_chunks.
 */
static void
body_pipe_reader(void *arg)
{
	static uint8_t bufs[PIPE_WRITERS][PIPE_CHUNK];
	struct racer *r = arg;
	uint8_t *buf = bufs[r->id];
	struct chunk_head h;

	racer_sync(r);
	for (;;) {
		long rv = test_raw3(SYS_read, r->fd, (long)buf, PIPE_CHUNK);

		if (rv == 0)
			break;
		memcpy(&h, buf, sizeof(h));
		if (rv != PIPE_CHUNK || h.magic != CHUNK_MAGIC ||
		    h.id >= PIPE_WRITERS || h.seq >= PIPE_ROUNDS) {
			racer_fail(r, "read a piece of a chunk", rv);
			break;
		}
		for (size_t i = sizeof(h); i < PIPE_CHUNK; i++)
			if (buf[i] != chunk_byte(h.id, h.seq, i)) {
				racer_fail(r, "read a torn chunk", h.seq);
				goto out;
			}
		__atomic_add_fetch(&seen_chunks[h.id][h.seq], 1,
		    __ATOMIC_RELAXED);
	}
out:
	test_raw_lwp_exit();
}

/*
 * Four LWPs read PIPE_BUF-byte chunks from one pipe while this LWP and
 * a child process write them, PIPE_BUF bytes at a time: every read gets
 * one whole chunk, and every chunk is read exactly once.
 */
static void
t_races_pipe_readers(void)
{
	struct racer rs[PIPE_WRITERS];
	int tids[PIPE_WRITERS], p[2];
	static uint8_t buf[PIPE_CHUNK];
	pid_t pid;

	memset(seen_chunks, 0, sizeof(seen_chunks));
	test_pipe(p);
	racers_run(body_pipe_reader, rs, PIPE_WRITERS, p[0], -1, tids);
	pid = test_fork();
	if (pid == 0)
		close(p[0]);
	for (int id = pid == 0 ? 1 : 0; id < PIPE_WRITERS; id += 2) {
		for (int seq = 0; seq < PIPE_ROUNDS; seq++) {
			struct chunk_head h = { CHUNK_MAGIC, (uint32_t)id,
				(uint32_t)seq, PIPE_CHUNK };

			memcpy(buf, &h, sizeof(h));
			for (size_t i = sizeof(h); i < PIPE_CHUNK; i++)
				buf[i] = chunk_byte(id, seq, i);
			if (write(p[1], buf, PIPE_CHUNK) != PIPE_CHUNK) {
				if (pid == 0)
					_exit(1);
				test_fail("write of chunk %d", seq);
			}
		}
	}
	if (pid == 0)
		_exit(0);
	close(p[1]);
	test_expect_exit(pid, 0, "the writing child");
	racers_join(rs, PIPE_WRITERS, tids);
	for (int id = 0; id < PIPE_WRITERS; id++)
		for (int seq = 0; seq < PIPE_ROUNDS; seq++)
			test_assert_msg(seen_chunks[id][seq] == 1,
			    "chunk %d of writer %d read %d times", seq, id,
			    seen_chunks[id][seq]);
	close(p[0]);
}

const struct test ut_races_tests[] = {
	{ "races_wait4_one_child", t_races_wait4_one_child, "native call" },
	{ "races_wait4_many_children", t_races_wait4_many_children,
	    "native call" },
	{ "races_lwp_wait_unborn", t_races_lwp_wait_unborn, "native call" },
	{ "races_shared_fd", t_races_shared_fd, "native call" },
	{ "races_mmap", t_races_mmap, "native call" },
	{ "races_brk_mmap", t_races_brk_mmap, "native call" },
	{ "races_pipe_writers", t_races_pipe_writers, "native call" },
	{ "races_pipe_readers", t_races_pipe_readers, "native call" },
	{ NULL, NULL, NULL },
};
