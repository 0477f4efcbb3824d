/*
 * proc.c: processes made, ended and reaped by many LWPs at once.
 *
 *   - fork_exit_wait: every worker forks, its child checks the memory it
 *     inherited and exits with a code of its own, the worker reaps that
 *     child by pid;
 *   - wait_race: children all exit at once while several LWPs of their
 *     parent reap with wait4(-1): each child is reaped exactly once and
 *     every reaper ends with ECHILD (issue 10, item 1);
 *   - kill_multi: processes of LWPs spinning in user mode, faulting,
 *     blocked in read, yielding and running a guest, killed by two LWPs
 *     at once with SIGKILL and SIGTERM.
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

/* ---------------------------------------------------------------------
 * fork_exit_wait
 */

enum {
	FEW_WORKERS = 8,
	FEW_FORKS = 64 /* per worker */
};

struct few_state {
	volatile uint64_t *words; /* one page per worker */
};

/* The child: its copy of the worker's word, then exit with `code`. */
static _Noreturn void
few_child(volatile uint64_t *word, uint64_t want, int code)
{
	if (*word != want)
		test_raw_exit(200);
	*word = ~want; /* copy-on-write: the parent must not see it */
	if (*word != ~want)
		test_raw_exit(201);
	test_raw_exit(code);
}

static void
few_worker(struct smp_group *g, int w)
{
	struct few_state *st = g->arg;
	volatile uint64_t *word = st->words + w * (TEST_PAGE / 8);
	uint64_t rs = smp_rand_state(g, w);

	for (long i = 0; i < FEW_FORKS && !smp_failed(g); i++) {
		uint64_t v = test_rand(&rs);
		int code = (int)((w * 31 + i) & 0x7f);
		long pid, status;

		if (i % 8 == 0 && smp_barrier(g, w) != 0)
			return;
		*word = v;
		smp_doing(g, w, "fork", i);
		pid = test_raw0(SYS_fork);
		if (pid == 0)
			few_child(word, v, code);
		if (pid < 0) {
			smp_fail(g, w, i, "fork", pid, 0, 0);
			return;
		}
		smp_doing(g, w, "wait4 of its child", i);
		status = smp_wait(pid);
		if (status != SMP_EXITED(code)) {
			smp_fail(g, w, i,
			    "the child's wait status (200: it saw another "
			    "value, 201: its write did not stick)",
			    status, SMP_EXITED(code), 0);
			return;
		}
		if (*word != v) {
			smp_fail(g, w, i,
			    "the parent's word after the child "
			    "wrote its copy",
			    (long)*word, (long)v, (uint64_t)word);
			return;
		}
	}
}

/* Every worker forks, and reaps its own children by pid. */
static void
t_fork_exit_wait(void)
{
	struct smp_group g;
	struct smp_counts base;
	struct few_state st;

	smp_counts(&base);
	st.words = smp_map(FEW_WORKERS * TEST_PAGE);
	smp_run(&g, FEW_WORKERS, few_worker, &st, 1);
	smp_expect_counts(&base, "after every child was reaped");
}

/* ---------------------------------------------------------------------
 * wait_race
 */

enum {
	WR_CHILDREN = 24,
	WR_REAPERS = 4,
	WR_ROUNDS = 12
};

struct wr_state {
	long pids[WR_CHILDREN];
	int reaped[WR_CHILDREN];
	int go_write; /* closing it releases the children */
	int total;
};

static void
wr_worker(struct smp_group *g, int w)
{
	struct wr_state *st = g->arg;
	long n = 0;

	if (smp_barrier(g, w) != 0)
		return;
	if (w == 0)
		test_raw1(SYS_close, st->go_write);
	for (;; n++) {
		int status = 0, i;
		long pid;

		smp_doing(g, w, "wait4(-1)", n);
		pid = test_raw6(SYS_wait4, -1, (long)&status, 0, 0, 0, 0);

		if (pid == -ECHILD)
			return;
		if (pid == -EINTR)
			continue;
		if (pid <= 0) {
			smp_fail(g, w, n, "wait4(-1)", pid, 1, 0);
			return;
		}
		for (i = 0; i < WR_CHILDREN && st->pids[i] != pid; i++)
			;
		if (i == WR_CHILDREN) {
			smp_fail(g, w, n, "wait4(-1) returned a pid not forked",
			    pid, 0, 0);
			return;
		}
		if (__atomic_add_fetch(&st->reaped[i], 1, __ATOMIC_ACQ_REL) !=
		    1) {
			smp_fail(g, w, n, "a child reaped twice (its pid)", pid,
			    0, 0);
			return;
		}
		if (status != SMP_EXITED(i + 1)) {
			smp_fail(g, w, n, "a reaped child's status", status,
			    SMP_EXITED(i + 1), 0);
			return;
		}
		__atomic_add_fetch(&st->total, 1, __ATOMIC_ACQ_REL);
	}
}

/*
 * Children blocked on a pipe are released at once while WR_REAPERS LWPs
 * of the parent wait4(-1): each is reaped once, by one of them, with its
 * own status, and all reapers then get ECHILD.
 */
static void
t_wait_race(void)
{
	struct smp_counts base;
	struct smp_group g;

	smp_counts(&base);
	for (int round = 0; round < WR_ROUNDS; round++) {
		static struct wr_state st;
		int go[2];

		memset(&st, 0, sizeof(st));
		test_pipe(go);
		st.go_write = go[1];
		for (int i = 0; i < WR_CHILDREN; i++) {
			pid_t pid = test_fork();
			char c;

			if (pid == 0) {
				close(go[1]);
				/* End of file when the parent closes it. */
				test_raw3(SYS_read, go[0], (long)&c, 1);
				test_raw_exit(i + 1);
			}
			st.pids[i] = pid;
		}
		close(go[0]);
		smp_run(&g, WR_REAPERS, wr_worker, &st, 2 + round);
		test_expect_eq(st.total, WR_CHILDREN,
		    "children reaped by the reapers together");
	}
	smp_expect_counts(&base, "after every child was reaped");
}

/* ---------------------------------------------------------------------
 * kill_multi
 */

enum {
	KM_ROUNDS = 12,
	KM_LWPS = 6, /* busy LWPs in each victim */
	KM_REGION_PAGES = 16
};

/* A guest that spins: jmp . */
static const unsigned char km_guest[] = { 0xeb, 0xfe };
#define KM_GUEST_CODE 0x400000UL

struct km_victim {
	char *region;    /* pages the faulting LWPs map and touch */
	int block_fd;    /* a pipe nobody writes */
	void *guest_id;  /* a vmspace with a spinning guest, or NULL */
	int started;     /* busy LWPs running */
	volatile long n; /* work done, for the spinners */
};

/* The busy LWPs of a victim, by worker number. */
static void
km_busy(struct smp_group *g, int w)
{
	struct km_victim *v = g->arg;
	uint64_t rs = smp_rand_state(g, w);
	char c;

	__atomic_add_fetch(&v->started, 1, __ATOMIC_ACQ_REL);
	switch (w % KM_LWPS) {
	case 0: /* spin in user mode */
		for (;;)
			__atomic_add_fetch(&v->n, 1, __ATOMIC_RELAXED);
	case 1: /* fault: drop a page, touch it again */
		for (;;) {
			char *p = v->region +
			    smp_rand_below(&rs, KM_REGION_PAGES) * TEST_PAGE;

			test_raw6(SYS_madvise, (long)p, TEST_PAGE,
			    MADV_DONTNEED, 0, 0, 0);
			*(volatile char *)p = 1;
		}
	case 2: /* fork and reap */
		for (;;) {
			long pid = test_raw0(SYS_fork);

			if (pid == 0)
				test_raw_exit(0);
			if (pid > 0)
				smp_wait(pid);
		}
	case 3: /* blocked in the kernel */
		test_raw3(SYS_read, v->block_fd, (long)&c, 1);
		break;
	case 4: /* in and out of the kernel */
		for (;;)
			smp_yield();
	case 5: /* running a guest that never traps */
		if (v->guest_id != NULL) {
			struct trapframe tf;
			struct vextframe vx = { 0, 0, 0 };

			memset(&tf, 0, sizeof(tf));
			tf.tf_rip = KM_GUEST_CODE;
			tf.tf_rsp = KM_GUEST_CODE;
			tf.tf_rflags = 0x202;
			tf.tf_cs = USER_CS_SEL;
			tf.tf_ss = USER_DS_SEL;
			test_raw4(SYS_vmspace_ctl, v->guest_id, VMSPACE_CTL_RUN,
			    &tf, &vx);
		}
		break;
	}
	for (;;)
		smp_yield();
}

/* A victim: KM_LWPS busy LWPs, then one byte on `ready`, then wait. */
static _Noreturn void
km_victim_main(int ready, int round)
{
	static struct km_victim v;
	static char id;
	struct smp_group g;
	int p[2];

	memset(&v, 0, sizeof(v));
	v.region = smp_map(KM_REGION_PAGES * TEST_PAGE);
	test_pipe(p);
	v.block_fd = p[0];
	if (test_native) {
		if (vmspace_create(&id, 0, NULL) != 0 ||
		    vmspace_mmap(&id, (void *)KM_GUEST_CODE, TEST_PAGE,
			PROT_READ | PROT_EXEC,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			0) == MAP_FAILED ||
		    vmspace_pwrite(&id, km_guest, sizeof(km_guest), 0,
			KM_GUEST_CODE) != (ssize_t)sizeof(km_guest))
			test_fail("the victim's guest: %s",
			    test_errname(errno));
		v.guest_id = &id;
	}
	smp_start(&g, KM_LWPS, km_busy, &v, 100 + round);
	while (__atomic_load_n(&v.started, __ATOMIC_ACQUIRE) < KM_LWPS)
		sched_yield();
	test_send(ready);
	for (;;)
		sched_yield();
}

struct km_state {
	pid_t victims[2];
};

/* Two killers, each killing both victims: one SIGKILL, one SIGTERM. */
static void
km_killer(struct smp_group *g, int w)
{
	struct km_state *st = g->arg;
	uint64_t rs = smp_rand_state(g, w);
	long spin = (long)smp_rand_below(&rs, 20000);

	if (smp_barrier(g, w) != 0)
		return;
	for (volatile long i = 0; i < spin; i++)
		;
	for (int k = 0; k < 2; k++) {
		long r;

		smp_doing(g, w, "kill", k);
		r = test_raw3(SYS_kill, st->victims[(w + k) % 2],
		    w == 0 ? SIGKILL : SIGTERM, 0);

		if (r != 0)
			smp_fail(g, w, k, "kill of a live or zombie victim", r,
			    0, 0);
	}
}

/*
 * Processes of many LWPs, busy in every way, killed by two LWPs at once:
 * each dies by one of the two signals, and everything is reclaimed.
 */
static void
t_kill_multi(void)
{
	struct smp_counts base;

	smp_counts(&base);
	for (int round = 0; round < KM_ROUNDS; round++) {
		struct km_state st;
		struct smp_group g;
		int ready[2][2];

		for (int k = 0; k < 2; k++) {
			test_pipe(ready[k]);
			st.victims[k] = test_fork();
			if (st.victims[k] == 0) {
				close(ready[k][0]);
				km_victim_main(ready[k][1], round * 2 + k);
			}
			close(ready[k][1]);
		}
		for (int k = 0; k < 2; k++) {
			smp_expect_ready(ready[k][0], st.victims[k],
			    "a victim starting its busy LWPs");
			close(ready[k][0]);
		}
		smp_run(&g, 2, km_killer, &st, 50 + round);
		for (int k = 0; k < 2; k++) {
			int status = smp_wait_child(st.victims[k], 30000,
			    "a killed victim (LWPs spinning, faulting, forking, "
			    "in read, yielding, in a guest)");

			test_assert_msg(WIFSIGNALED(status) &&
				(WTERMSIG(status) == SIGKILL ||
				    WTERMSIG(status) == SIGTERM),
			    "seed %llu, round %d: victim %d has wait status "
			    "0x%x, expected SIGKILL or SIGTERM",
			    (unsigned long long)test_seed, round, k, status);
		}
	}
	smp_expect_counts(&base, "after every victim was reaped");
}

const struct test smp_proc_tests[] = {
	{ "fork_exit_wait", t_fork_exit_wait, "native LWPs" },
	{ "wait_race", t_wait_race, "native LWPs" },
	{ "kill_multi", t_kill_multi, "native LWPs" },
	{ NULL, NULL, NULL },
};
