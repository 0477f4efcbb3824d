/*
 * procs.c: vmspaces and other LWPs and processes (ABI.md 4.1 to 4.3).
 *
 *   - destroy (and spawn) while another LWP runs in the vmspace: EBUSY;
 *     once its run is over, the vmspace can go;
 *   - a destroyed entry lives on while an LWP caches it (it ran it
 *     last), visible in kstat's ks_nvmspace_entries, until that LWP
 *     exits, looks the id up again or runs another vmspace;
 *   - fork shares the tree of vmspaces both ways; it lives as long as a
 *     process using it;
 *   - a process killed (or exiting) while an LWP of it runs a guest;
 *   - vmspace_spawn: a vmspace becomes a process of its own;
 *   - the x87/SSE registers of a guest belong to the LWP running it in
 *     that vmspace: two LWPs in one vmspace, one LWP in two vmspaces;
 *   - execve: the new image has no vmspace tree (vs_exec_helper);
 *   - a memfd cut while a guest polls it (the guest faults).
 *
 * LWP bodies use raw system calls only (vs.h); the main LWP checks.
 */

#include "vs.h"

#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MS 1000000ULL

/* Mark G_SHM word 0, then spin until the controller sets word 1. */
GUEST(g_mark_wait,
    "movq $1, " VS_STR(G_SHM) "\n"
    "1: pause\n"
    "cmpq $0, " VS_STR(G_SHM) " + 8\n"
    "je 1b\n"
    "syscall\n"
    "g_mark_wait_exit: movl $231, %eax\n"	/* exit_group(5) */
    "movl $5, %edi\n"
    "syscall\n");
GUEST_LABEL(g_mark_wait_exit);

/* Mark G_SHM word 0, then spin forever. */
GUEST(g_mark_spin, "movq $1, " VS_STR(G_SHM) "\n g_mark_spin_jmp: jmp .\n");
GUEST_LABEL(g_mark_spin_jmp);

/* Just a syscall. */
GUEST(g_just_syscall, "syscall\n");

/* ---------------------------------------------------------------------
 * An LWP that runs a guest once, then does what the main LWP asks.
 */

enum {
	CMD_NONE,
	CMD_EXIT,
	CMD_LOOKUP,
	CMD_RUN
};

struct runner {
	void *id; /* the vmspace of the first run */
	struct trapframe tf;
	struct trapframe *tfp; /* the frame to run: &tf unless set */
	struct vextframe vx;
	volatile int ran;  /* 1: about to run, 2: run returned */
	volatile int cmd;  /* CMD_*, set by the main LWP */
	volatile int done; /* commands carried out */
	long result;       /* the last raw call's result */
	void *arg_id;      /* the id for CMD_LOOKUP and CMD_RUN */
	uint64_t word;     /* what CMD_LOOKUP read */
};

static void
runner_body(void *arg)
{
	struct runner *r = arg;

	__atomic_store_n(&r->ran, 1, __ATOMIC_RELEASE);
	r->result = vs_raw_ctl(r->id, r->tfp ? r->tfp : &r->tf, &r->vx);
	__atomic_store_n(&r->ran, 2, __ATOMIC_RELEASE);
	for (;;) {
		int cmd = __atomic_load_n(&r->cmd, __ATOMIC_ACQUIRE);

		if (cmd == CMD_NONE) {
			test_raw0(SYS_sched_yield);
			continue;
		}
		if (cmd == CMD_EXIT)
			test_raw_lwp_exit();
		if (cmd == CMD_LOOKUP) /* vmspace_pread of 8 bytes */
			r->result = test_raw5(SYS_vmspace_pread, r->arg_id,
			    &r->word, 8, 0, G_DATA);
		if (cmd == CMD_RUN)
			r->result = vs_raw_ctl(r->arg_id, &r->tf, &r->vx);
		__atomic_store_n(&r->cmd, CMD_NONE, __ATOMIC_RELEASE);
		__atomic_add_fetch(&r->done, 1, __ATOMIC_ACQ_REL);
	}
}

/* A runner for a guest in id with guest_frame()'s frame, not started. */
static struct runner *
runner_new(void *id, uint64_t timeout_ns)
{
	struct runner *r = calloc(1, sizeof(*r));

	test_assert(r != NULL);
	r->id = id;
	guest_frame(&r->tf);
	r->vx.vx_timeout_ns = timeout_ns;
	return r;
}

/* A runner for a guest in id, started; returns it, its tid in *tid. */
static struct runner *
runner_start(void *id, uint64_t timeout_ns, int *tid)
{
	struct runner *r = runner_new(id, timeout_ns);

	*tid = vs_lwp_start(runner_body, r);
	return r;
}

/* Ask the runner to do cmd; returns the count to wait for. */
static int
runner_post(struct runner *r, int cmd, void *arg_id)
{
	int done = r->done;

	r->arg_id = arg_id;
	__atomic_store_n(&r->cmd, cmd, __ATOMIC_RELEASE);
	return done + 1;
}

/* Ask the runner to do cmd and wait until it has. */
static void
runner_do(struct runner *r, int cmd, void *arg_id)
{
	vs_wait_flag(&r->done, runner_post(r, cmd, arg_id), 5000,
	    "the LWP's command");
}

/* Tell the runner to exit and collect it. */
static void
runner_exit(struct runner *r, int tid)
{
	__atomic_store_n(&r->cmd, CMD_EXIT, __ATOMIC_RELEASE);
	vs_lwp_join(tid);
}

static uint64_t
entries_now(void)
{
	struct kstat ks;

	vs_kstat(&ks);
	return ks.ks_nvmspace_entries;
}

/* ---------------------------------------------------------------------
 * EBUSY.
 */

/*
 * An LWP runs `jmp .` in the vmspace with a 500 ms limit: destroy is
 * EBUSY meanwhile (and changes nothing); after the run times out, destroy
 * succeeds.
 */
static void
destroy_busy_while_lwp_runs(void)
{
	void *id = VS_ID(1), *other = VS_ID(2);
	uint64_t base = entries_now();
	volatile uint64_t *shm;
	struct runner *r;
	int tid;

	guest_new(id);
	guest_load(id, g_mark_spin);
	shm = vs_shared_page(id, G_SHM);
	r = runner_start(id, 500 * MS, &tid);
	vs_wait_word(&shm[0], 1, 5000, "the LWP's guest started");

	test_expect_errno(vmspace_destroy(id), EBUSY,
	    "destroy while an LWP runs the guest");
	test_expect_errno(vmspace_destroy(id), EBUSY, "destroy again");
	test_expect_hex(guest_read64(id, G_SHM), 1,
	    "pread works while the guest runs");
	guest_new(other);
	test_expect_ok(vmspace_destroy(other), "another vmspace can go");
	test_assert_msg(__atomic_load_n(&r->ran, __ATOMIC_ACQUIRE) == 1,
	    "the LWP's run ended before the checks (too slow a machine?)");

	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_TIMEOUT,
	    GUEST_AT(g_mark_spin, g_mark_spin_jmp), "the LWP's guest");
	test_expect_ok(vmspace_destroy(id), "destroy after the run timed out");
	test_expect_errno(vmspace_destroy(id), ENOENT, "destroy again");
	runner_exit(r, tid);
	vs_expect_entries(base, "all gone after the LWP exits");
}

/*
 * Two LWPs run the same vmspace at once (each waits for its own stop
 * word, whose address is in rbx): destroy is EBUSY while either runs.
 */
GUEST(g_count_wait,
    "lock incq " VS_STR(G_SHM) "\n"
    "1: pause\n"
    "cmpq $0, (%rbx)\n"
    "je 1b\n"
    "syscall\n");

static void
two_lwps_run_one_vmspace(void)
{
	void *id = VS_ID(1);
	uint64_t base = entries_now();
	volatile uint64_t *shm;
	struct runner *a, *b;
	int ta, tb;

	guest_new(id);
	guest_load(id, g_count_wait);
	shm = vs_shared_page(id, G_SHM);
	a = runner_new(id, 5000 * MS);
	a->tf.tf_rbx = G_SHM + 8;
	b = runner_new(id, 5000 * MS);
	b->tf.tf_rbx = G_SHM + 16;
	ta = vs_lwp_start(runner_body, a);
	tb = vs_lwp_start(runner_body, b);
	vs_wait_word(&shm[0], 2, 5000, "both guests started");
	test_expect_errno(vmspace_destroy(id), EBUSY, "destroy while both run");
	shm[1] = 1;
	vs_wait_flag(&a->ran, 2, 5000, "the first LWP's run returned");
	vs_expect_trap(&a->tf, T_SYSCALL, GUEST_END(g_count_wait),
	    "the first LWP's guest");
	test_expect_errno(vmspace_destroy(id), EBUSY,
	    "destroy while the second still runs");
	shm[2] = 1;
	vs_wait_flag(&b->ran, 2, 5000, "the second LWP's run returned");
	vs_expect_trap(&b->tf, T_SYSCALL, GUEST_END(g_count_wait),
	    "the second LWP's guest");
	test_expect_ok(vmspace_destroy(id), "destroy after both runs");
	vs_expect_entries(base + 1, "cached by the two LWPs");
	runner_exit(a, ta);
	vs_expect_entries(base + 1, "still cached by the second");
	runner_exit(b, tb);
	vs_expect_entries(base, "all gone");
}

/*
 * What the controller does to a vmspace while an LWP runs a guest in it
 * reaches the guest: MADV_DONTNEED (it reads zeros), a pwrite (it reads
 * the new value) and a munmap (it faults).  Meanwhile the main LWP
 * yields and sleeps, so the guest LWP is switched out and in again.
 */
GUEST(g_poll_nonzero_to_zero,
    "movq $1, " VS_STR(G_SHM) "\n"
    "1: movq " VS_STR(G_EXTRA) ", %rax\n"
    "testq %rax, %rax\n"
    "jnz 1b\n"
    "g_poll_zero_to_nonzero: movq $2, " VS_STR(G_SHM) "\n"
    "g_poll_load: movq " VS_STR(G_EXTRA) ", %rax\n"
    "testq %rax, %rax\n"
    "jz g_poll_load\n"
    "syscall\n");
GUEST_LABEL(g_poll_zero_to_nonzero);
GUEST_LABEL(g_poll_load);

static void
guest_sees_changes_while_running(void)
{
	void *id = VS_ID(1);
	volatile uint64_t *shm;
	struct runner *r;
	int tid, want;

	guest_new(id);
	guest_load(id, g_poll_nonzero_to_zero);
	shm = vs_shared_page(id, G_SHM);
	guest_map(id, G_EXTRA, TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_write64(id, G_EXTRA, 0x5a5a5a5a5a5a5a5aUL);
	r = runner_start(id, 5000 * MS, &tid);
	vs_wait_word(&shm[0], 1, 5000, "the guest started");
	for (int i = 0; i < 20; i++)
		sched_yield();
	test_sleep_ns(30 * MS);
	test_assert_msg(__atomic_load_n(&r->ran, __ATOMIC_ACQUIRE) == 1,
	    "the guest stopped polling: trap %llu at 0x%llx",
	    (unsigned long long)r->tf.tf_trapno,
	    (unsigned long long)r->tf.tf_rip);

	/* DONTNEED: the guest reads zero and goes on to its second loop. */
	test_expect_ok(vmspace_mcontrol(id, (void *)G_EXTRA, TEST_PAGE,
			   VMSPACE_MADV_DONTNEED, 0),
	    "MADV_DONTNEED while it runs");
	vs_wait_word(&shm[0], 2, 5000, "the guest saw the zero page");

	/* pwrite: the guest reads the new value and makes its syscall. */
	guest_write64(id, G_EXTRA, 0x1234);
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_SYSCALL, GUEST_END(g_poll_nonzero_to_zero),
	    "the guest saw the pwrite");
	test_expect_hex(r->tf.tf_rax, 0x1234, "what the guest read");

	/* munmap: the polling guest faults on the page. */
	test_expect_ok(vmspace_mcontrol(id, (void *)G_EXTRA, TEST_PAGE,
			   VMSPACE_MADV_DONTNEED, 0),
	    "MADV_DONTNEED");
	guest_frame(&r->tf);
	r->tf.tf_rip = GUEST_AT(g_poll_nonzero_to_zero, g_poll_zero_to_nonzero);
	shm[0] = 0;
	want = runner_post(r, CMD_RUN, id);
	vs_wait_word(&shm[0], 2, 5000, "the guest polls again");
	test_sleep_ns(20 * MS);
	test_expect_ok(vmspace_munmap(id, (void *)G_EXTRA, TEST_PAGE),
	    "munmap while it runs");
	vs_wait_flag(&r->done, want, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_PAGEFLT,
	    GUEST_AT(g_poll_nonzero_to_zero, g_poll_load),
	    "the guest after the munmap");
	test_expect_hex(r->tf.tf_addr, G_EXTRA, "tf_addr");
	runner_exit(r, tid);
}

/*
 * A memfd shared with a guest is cut to one page while an LWP's guest
 * polls the cut page: the guest faults on it (it never goes on reading
 * the old page), as any mapping of the memfd would.
 */
GUEST(g_poll_page1,
    "movq $1, " VS_STR(G_SHM) "\n"
    "g_poll_page1_load: movq " VS_STR(G_EXTRA) " + 4096, %rax\n"
    "jmp g_poll_page1_load\n");
GUEST_LABEL(g_poll_page1_load);

static void
truncate_while_guest_runs(void)
{
	void *id = VS_ID(1);
	int fd = test_memfd(2 * TEST_PAGE);
	volatile uint64_t *shm;
	struct runner *r;
	void *g;
	int tid;

	guest_new(id);
	guest_load(id, g_poll_page1);
	shm = vs_shared_page(id, G_SHM);
	g = vmspace_mmap(id, (void *)G_EXTRA, 2 * TEST_PAGE, PROT_READ,
	    MAP_SHARED | MAP_FIXED, fd, 0);
	test_assert_msg(g == (void *)G_EXTRA, "vmspace_mmap the memfd: %p (%s)",
	    g, test_errname(errno));
	r = runner_start(id, 5000 * MS, &tid);
	vs_wait_word(&shm[0], 1, 5000, "the guest started");
	test_sleep_ns(20 * MS);
	test_assert_msg(__atomic_load_n(&r->ran, __ATOMIC_ACQUIRE) == 1,
	    "the guest stopped polling: trap %llu at 0x%llx",
	    (unsigned long long)r->tf.tf_trapno,
	    (unsigned long long)r->tf.tf_rip);
	test_expect_ok(ftruncate(fd, TEST_PAGE), "cut the memfd while it runs");
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_PAGEFLT,
	    GUEST_AT(g_poll_page1, g_poll_page1_load),
	    "the guest after the cut");
	test_expect_hex(r->tf.tf_addr, G_EXTRA + TEST_PAGE, "tf_addr");
	runner_exit(r, tid);
	close(fd);
}

/*
 * The controller's tframe is unmapped (by another LWP) while the guest
 * runs: the run ends with EFAULT when the guest's frame cannot be
 * written back, and nothing else breaks.
 */
static void
tframe_unmapped_during_run(void)
{
	void *id = VS_ID(1);
	volatile uint64_t *shm;
	struct runner *r;
	struct trapframe *tfp = (struct trapframe *)test_map(TEST_PAGE);
	int tid;

	guest_new(id);
	guest_load(id, g_mark_wait);
	shm = vs_shared_page(id, G_SHM);
	r = runner_new(id, 5000 * MS);
	guest_frame(tfp);
	r->tfp = tfp;
	tid = vs_lwp_start(runner_body, r);
	vs_wait_word(&shm[0], 1, 5000, "the LWP's guest started");
	test_expect_ok(munmap(tfp, TEST_PAGE), "munmap the LWP's tframe");
	shm[1] = 1;
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_raw_errno(r->result, EFAULT,
	    "the LWP's vmspace_ctl with its tframe gone");
	/* The LWP and the vmspace are fine. */
	r->tfp = NULL;
	guest_frame(&r->tf);
	runner_do(r, CMD_RUN, id);
	test_expect_eq(r->result, 0, "the LWP runs again");
	vs_expect_trap(&r->tf, T_SYSCALL,
	    GUEST_AT(g_mark_wait, g_mark_wait_exit), "the guest");
	runner_exit(r, tid);
	test_expect_ok(vmspace_destroy(id), "destroy");
}

/*
 * The tframe is a copy-on-write page (shared with the parent after
 * fork) when the guest traps: writing it back breaks the sharing, on
 * each of the three ways back (exception, syscall, timeout).
 */
GUEST(g_ud2_only, "ud2\n");
GUEST(g_spin_only, "jmp .\n");

static void
tframe_copy_on_write(void)
{
	static const struct {
		const unsigned char *code, *end;
		uint64_t trapno;
	} cases[] = {
		{ g_ud2_only, g_ud2_only_end, T_PRIVINFLT },
		{ g_just_syscall, g_just_syscall_end, T_SYSCALL },
		{ g_spin_only, g_spin_only_end, T_TIMEOUT },
	};
	void *id = VS_ID(1);
	struct trapframe *tfp = (struct trapframe *)test_map(TEST_PAGE);
	struct vextframe *vxp = (struct vextframe *)(tfp + 1);

	guest_new(id);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid;

		guest_code(id, cases[i].code, cases[i].end - cases[i].code);
		guest_frame(tfp);
		memset(vxp, 0, sizeof(*vxp));
		vxp->vx_timeout_ns = 20 * MS;
		pid = test_fork(); /* tfp's page is shared now */
		if (pid == 0) {
			guest_run(id, tfp, vxp);
			test_expect_eq(tfp->tf_trapno, cases[i].trapno,
			    "the trap written to a copy-on-write tframe");
			_exit(0);
		}
		test_expect_exit(pid, 0, "the child");
		test_expect_eq(tfp->tf_trapno, 0,
		    "the parent's copy of the tframe");
	}
}

/*
 * fork while an LWP runs a guest: the child shares the tree and sees the
 * vmspace busy (EBUSY); the parent's guest goes on undisturbed.
 */
static void
fork_while_lwp_in_guest(void)
{
	void *id = VS_ID(1);
	volatile uint64_t *shm;
	struct runner *r;
	pid_t pid;
	int tid;

	guest_new(id);
	guest_load(id, g_mark_wait);
	shm = vs_shared_page(id, G_SHM);
	r = runner_start(id, 5000 * MS, &tid);
	vs_wait_word(&shm[0], 1, 5000, "the LWP's guest started");
	pid = test_fork();
	if (pid == 0) {
		test_expect_hex(guest_read64(id, G_SHM), 1,
		    "the child reads the running vmspace");
		test_expect_errno(vmspace_destroy(id), EBUSY,
		    "the child's destroy of the running vmspace");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_assert(__atomic_load_n(&r->ran, __ATOMIC_ACQUIRE) == 1);
	shm[1] = 1;
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	vs_expect_trap(&r->tf, T_SYSCALL,
	    GUEST_AT(g_mark_wait, g_mark_wait_exit), "the LWP's guest");
	test_expect_ok(vmspace_destroy(id), "destroy");
	runner_exit(r, tid);
}

/*
 * Several LWPs, in two processes sharing the tree, create, run, read and
 * destroy the same few ids as fast as they can, preempted anywhere.
 * Every answer must be one the contract allows, and at the end nothing
 * is left over (the runner's leak check) and the entry count is back.
 */
#define STRESS_IDS 4
#define STRESS_LWPS 3
#define STRESS_ROUNDS 4000

struct stress {
	unsigned seed;
	volatile int finished;
	long bad;            /* unexpected answers */
	long bad_value;      /* the last one */
	int bad_call;        /* which call gave it */
	long runs, destroys; /* successful ones */
};

/* rand_r without libc (an LWP may not use its state). */
static unsigned
stress_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static void
stress_bad(struct stress *st, int call, long v)
{
	st->bad++;
	st->bad_value = v;
	st->bad_call = call;
}

static void
stress_body(void *arg)
{
	struct stress *st = arg;
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 1000 * MS };
	uint64_t word;

	for (int i = 0; i < STRESS_ROUNDS; i++) {
		void *id = VS_ID(100 + stress_rand(&st->seed) % STRESS_IDS);
		long r;

		switch (stress_rand(&st->seed) % 5) {
		case 0:
			r = test_raw4(SYS_vmspace_create, id, 0, 0, 0);
			if (r != 0 && r != -EEXIST)
				stress_bad(st, 0, r);
			break;
		case 1:
			/* Nothing is mapped: the guest faults at once. */
			guest_frame(&tf);
			r = vs_raw_ctl(id, &tf, &vx);
			if (r == 0 &&
			    (tf.tf_trapno != T_PAGEFLT || tf.tf_addr != G_CODE))
				stress_bad(st, 1, (long)tf.tf_trapno);
			else if (r != 0 && r != -ENOENT)
				stress_bad(st, 1, r);
			else if (r == 0)
				st->runs++;
			break;
		case 2:
			r = test_raw1(SYS_vmspace_destroy, id);
			if (r != 0 && r != -ENOENT && r != -EBUSY)
				stress_bad(st, 2, r);
			else if (r == 0)
				st->destroys++;
			break;
		case 3:
			r = test_raw5(SYS_vmspace_pread, id, &word, 8, 0,
			    G_DATA);
			if (r != 0 && r != -ENOENT)
				stress_bad(st, 3, r);
			break;
		default:
			test_raw0(SYS_sched_yield);
			break;
		}
	}
	__atomic_store_n(&st->finished, 1, __ATOMIC_RELEASE);
	test_raw_lwp_exit();
}

/* STRESS_LWPS LWPs of stress_body; checks their answers. */
static void
stress_run(unsigned seed)
{
	static struct stress st[STRESS_LWPS];
	int tid[STRESS_LWPS];
	long runs = 0, destroys = 0;

	for (int i = 0; i < STRESS_LWPS; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].seed = seed + i;
		tid[i] = vs_lwp_start(stress_body, &st[i]);
	}
	for (int i = 0; i < STRESS_LWPS; i++) {
		vs_lwp_join(tid[i]);
		test_assert(st[i].finished);
		test_assert_msg(st[i].bad == 0,
		    "LWP %d: %ld unexpected answers, "
		    "the last %ld from call %d",
		    i, st[i].bad, st[i].bad_value, st[i].bad_call);
		runs += st[i].runs;
		destroys += st[i].destroys;
	}
	if (seed == 1)
		test_note("%ld guest runs and %ld destroys in this process",
		    runs, destroys);
}

static void
stress_lookup_destroy_run(void)
{
	uint64_t base = entries_now();
	pid_t pid;

	/* A vkernel first, so that the child shares the tree. */
	test_expect_ok(vmspace_create(VS_ID(100), 0, NULL), "create");
	pid = test_fork();
	if (pid == 0) {
		stress_run(1000);
		_exit(0);
	}
	stress_run(1);
	test_expect_exit(pid, 0, "the other process");
	for (int i = 0; i < STRESS_IDS; i++)
		if (vmspace_destroy(VS_ID(100 + i)) != 0 && errno != ENOENT)
			test_fail("destroy %d at the end: %s", i,
			    test_errname(errno));
	vs_expect_entries(base, "all gone after the LWPs exited");
}

/* ---------------------------------------------------------------------
 * Entries kept by an LWP's cache.
 */

/* A vmspace id that an LWP has run once (and caches): its runner. */
static struct runner *
cached_by_lwp(void *id, int *tid)
{
	struct runner *r;

	guest_new(id);
	guest_load(id, g_just_syscall);
	r = runner_start(id, 5000 * MS, tid);
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_SYSCALL, GUEST_END(g_just_syscall),
	    "the LWP's guest");
	return r;
}

/* Destroy id (cached by another LWP); the entry stays counted. */
static void
destroy_cached(void *id, uint64_t base)
{
	char buf[8];

	vs_expect_entries(base + 1, "one vmspace");
	test_expect_ok(vmspace_destroy(id), "destroy the cached vmspace");
	test_expect_errno(vmspace_pread(id, buf, 8, 0, G_DATA), ENOENT,
	    "the id is gone for us");
	test_expect_errno(vmspace_destroy(id), ENOENT, "destroy it again");
	test_sleep_ns(20 * MS);
	vs_expect_entries(base + 1,
	    "the deleted entry, still cached by the LWP, is counted");
}

/* The cached deleted entry goes when the LWP exits. */
static void
cache_kept_until_lwp_exits(void)
{
	uint64_t base = entries_now();
	struct runner *r;
	int tid;

	r = cached_by_lwp(VS_ID(1), &tid);
	destroy_cached(VS_ID(1), base);
	runner_exit(r, tid);
	vs_expect_entries(base, "after the LWP exited");
}

/* ... when the LWP looks the id up again (and gets ENOENT). */
static void
cache_dropped_by_lookup(void)
{
	uint64_t base = entries_now();
	struct runner *r;
	int tid;

	r = cached_by_lwp(VS_ID(1), &tid);
	destroy_cached(VS_ID(1), base);
	runner_do(r, CMD_LOOKUP, VS_ID(1));
	test_expect_raw_errno(r->result, ENOENT, "the LWP's pread of the id");
	vs_expect_entries(base, "after the LWP's lookup, while it lives");
	runner_exit(r, tid);
	vs_expect_entries(base, "after the LWP exited");
}

/* ... when the LWP runs another vmspace (which it then caches). */
static void
cache_dropped_by_other_run(void)
{
	uint64_t base = entries_now();
	struct runner *r;
	int tid;

	r = cached_by_lwp(VS_ID(1), &tid);
	destroy_cached(VS_ID(1), base);
	guest_new(VS_ID(2));
	guest_load(VS_ID(2), g_just_syscall);
	vs_expect_entries(base + 2, "the cached one and the new one");
	guest_frame(&r->tf);
	runner_do(r, CMD_RUN, VS_ID(2));
	test_expect_eq(r->result, 0, "the LWP runs the other vmspace");
	vs_expect_trap(&r->tf, T_SYSCALL, GUEST_END(g_just_syscall),
	    "the other guest");
	vs_expect_entries(base + 1, "only the new one");
	destroy_cached(VS_ID(2), base);
	runner_exit(r, tid);
	vs_expect_entries(base, "after the LWP exited");
}

/*
 * The id is created again while the LWP still caches the deleted entry:
 * the LWP's next lookup lets the stale entry go and finds the new one.
 */
static void
cache_stale_then_recreated(void)
{
	uint64_t base = entries_now();
	struct runner *r;
	int tid;

	r = cached_by_lwp(VS_ID(1), &tid);
	destroy_cached(VS_ID(1), base);
	guest_new(VS_ID(1));
	guest_write64(VS_ID(1), G_DATA, 0x2e2e2e2e2e2e2e2eUL);
	vs_expect_entries(base + 2, "the stale entry and the new one");
	runner_do(r, CMD_LOOKUP, VS_ID(1));
	test_expect_eq(r->result, 8, "the LWP's pread of the recreated id");
	test_expect_hex(r->word, 0x2e2e2e2e2e2e2e2eUL,
	    "the LWP reads the new vmspace");
	vs_expect_entries(base + 1, "the stale entry is gone");
	/* It runs the new one too. */
	guest_load(VS_ID(1), g_just_syscall);
	guest_frame(&r->tf);
	runner_do(r, CMD_RUN, VS_ID(1));
	test_expect_eq(r->result, 0, "the LWP runs the recreated vmspace");
	vs_expect_trap(&r->tf, T_SYSCALL, GUEST_END(g_just_syscall),
	    "the new guest");
	runner_exit(r, tid);
	test_expect_ok(vmspace_destroy(VS_ID(1)), "destroy");
	vs_expect_entries(base, "all gone");
}

/* The calling LWP's own cache: the same, in one LWP. */
static void
cache_own_lwp(void)
{
	uint64_t base = entries_now();
	struct trapframe tf;
	char buf[8];

	guest_new(VS_ID(1));
	guest_load(VS_ID(1), g_just_syscall);
	guest_frame(&tf);
	guest_run(VS_ID(1), &tf, NULL);
	test_expect_ok(vmspace_destroy(VS_ID(1)), "destroy what we ran");
	vs_expect_entries(base + 1, "our cache keeps the deleted entry");
	test_expect_errno(vmspace_pread(VS_ID(1), buf, 8, 0, G_DATA), ENOENT,
	    "our lookup finds it deleted");
	vs_expect_entries(base, "our lookup let it go");

	/* Running another vmspace lets the cached one go as well. */
	guest_new(VS_ID(2));
	guest_load(VS_ID(2), g_just_syscall);
	guest_new(VS_ID(3));
	guest_load(VS_ID(3), g_just_syscall);
	guest_frame(&tf);
	guest_run(VS_ID(2), &tf, NULL);
	test_expect_ok(vmspace_destroy(VS_ID(2)), "destroy 2");
	vs_expect_entries(base + 2, "2 (cached) and 3");
	guest_frame(&tf);
	guest_run(VS_ID(3), &tf, NULL);
	vs_expect_entries(base + 1, "3 only");
	test_expect_ok(vmspace_destroy(VS_ID(3)), "destroy 3");
	/* The process's exit drops the last one (the runner checks). */
}

/* ---------------------------------------------------------------------
 * fork.
 */

/*
 * The child sees the parent's vmspaces (and their contents); what the
 * child creates or writes, the parent sees.  The parent leaves one
 * vmspace for the teardown at its exit (the runner's leak check).
 */
static void
fork_shares_tree(void)
{
	void *a = VS_ID(1), *b = VS_ID(2), *c = VS_ID(3);
	uint64_t base = entries_now();
	struct trapframe tf;
	pid_t pid;

	guest_new(a);
	guest_new(c);
	guest_write64(a, G_DATA, 0xaaaa0000aaaa0000UL);
	pid = test_fork();
	if (pid == 0) {
		test_expect_hex(guest_read64(a, G_DATA), 0xaaaa0000aaaa0000UL,
		    "the child reads the parent's vmspace");
		guest_write64(a, G_DATA + 8, 0xcccc0000cccc0000UL);
		guest_new(b);
		guest_load(b, g_just_syscall);
		guest_write64(b, G_DATA, 0xbbbb0000bbbb0000UL);
		test_expect_errno(vmspace_create(a, 0, NULL), EEXIST,
		    "the child creates the parent's id");
		test_expect_ok(vmspace_destroy(c), "the child destroys c");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_hex(guest_read64(a, G_DATA + 8), 0xcccc0000cccc0000UL,
	    "the parent reads the child's write");
	test_expect_hex(guest_read64(b, G_DATA), 0xbbbb0000bbbb0000UL,
	    "the parent reads the child's vmspace");
	test_expect_errno(vmspace_destroy(c), ENOENT,
	    "c, destroyed by the child");
	guest_frame(&tf);
	guest_run(b, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_just_syscall),
	    "the parent runs the child's vmspace");
	test_expect_ok(vmspace_destroy(b), "the parent destroys b");
	vs_expect_entries(base + 2, "a and our cached b");
}

/*
 * A process forked before the parent's first vmspace_create shares
 * nothing: each gets a tree of its own.
 */
static void
fork_before_vkernel_not_shared(void)
{
	uint64_t base = entries_now();
	pid_t pid;
	int fds[2];
	char c;

	test_pipe(fds);
	pid = test_fork();
	if (pid == 0) {
		guest_new(VS_ID(1));
		test_expect_eq(read(fds[0], &c, 1), 1, "wait for the parent");
		test_expect_errno(vmspace_destroy(VS_ID(2)), ENOENT,
		    "the parent's vmspace, in the child");
		_exit(0);
	}
	vs_expect_entries(base + 1, "the child's vmspace exists");
	test_expect_errno(vmspace_destroy(VS_ID(1)), EINVAL,
	    "the parent has no vkernel");
	guest_new(VS_ID(2));
	test_expect_errno(vmspace_destroy(VS_ID(1)), ENOENT,
	    "the child's vmspace, in the parent");
	test_expect_eq(write(fds[1], "x", 1), 1, "wake the child");
	test_expect_exit(pid, 0, "the child");
	vs_expect_entries(base + 1, "the child's tree went with it");
}

/*
 * The tree lives while any process uses it: a grandchild keeps using the
 * vmspaces after the process that created them exited.
 */
static void
fork_tree_outlives_creator(void)
{
	uint64_t base = entries_now();
	int go[2], res[2];
	pid_t pid;
	char c = 0;

	test_pipe(go);
	test_pipe(res);
	pid = test_fork();
	if (pid == 0) {
		guest_new(VS_ID(1));
		guest_write64(VS_ID(1), G_DATA, 0x0d0d0d0d0d0d0d0dUL);
		if (test_fork() == 0) {
			/* The grandchild: wait until its parent is gone. */
			char ok = 'n';
			uint64_t w = 0;

			if (read(go[0], &c, 1) == 1 &&
			    vmspace_pread(VS_ID(1), &w, 8, 0, G_DATA) == 8 &&
			    w == 0x0d0d0d0d0d0d0d0dUL &&
			    vmspace_destroy(VS_ID(1)) == 0)
				ok = 'y';
			if (write(res[1], &ok, 1) != 1)
				_exit(1);
			_exit(0);
		}
		_exit(0);
	}
	test_expect_exit(pid, 0, "the creator");
	vs_expect_entries(base + 1, "the vmspace outlives its creator");
	test_expect_eq(write(go[1], "x", 1), 1, "wake the grandchild");
	test_expect_eq(read(res[0], &c, 1), 1, "the grandchild's answer");
	test_assert_msg(c == 'y',
	    "the grandchild could not read and destroy "
	    "the vmspace after its creator exited");
	vs_expect_entries(base, "all gone");
}

/* ---------------------------------------------------------------------
 * Killed during a guest run.
 */

/* A memfd page mapped shared here (returned); its fd in *fd. */
static volatile uint64_t *
shared_memfd(int *fd)
{
	long p;

	*fd = test_memfd(TEST_PAGE);
	p = test_mmap(0, TEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	test_assert_msg(p != -1, "mmap memfd: %s", test_errname(errno));
	return (volatile uint64_t *)p;
}

/* In a child: a guest spinning at G_SHM's memfd, ready in frame *tf. */
static void
child_guest_spinning(void *id, int fd, struct trapframe *tf)
{
	guest_new(id);
	guest_load(id, g_mark_spin);
	test_assert(
	    vmspace_mmap(id, (void *)G_SHM, TEST_PAGE, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_FIXED, fd, 0) == (void *)G_SHM);
	guest_frame(tf);
}

/*
 * SIGKILL (and SIGTERM) while the only LWP runs `jmp .` with no limit:
 * wait4 reports the signal, and the child's vmspace is gone.
 */
static void
kill_during_guest_run(void)
{
	static const int sigs[] = { SIGKILL, SIGTERM };
	struct kstat before;
	int fd;
	volatile uint64_t *shm = shared_memfd(&fd);
	pid_t pid;

	vs_kstat(&before);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		shm[0] = 0;
		pid = test_fork();
		if (pid == 0) {
			struct trapframe tf;
			struct vextframe vx = { 0 };

			child_guest_spinning(VS_ID(1), fd, &tf);
			vmspace_ctl(VS_ID(1), VMSPACE_CTL_RUN, &tf, &vx);
			test_fail("vmspace_ctl returned: trap %llu",
			    (unsigned long long)tf.tf_trapno);
		}
		vs_wait_word(&shm[0], 1, 5000, "the child's guest started");
		test_expect_ok(kill(pid, sigs[i]), "kill");
		test_expect_signal(pid, sigs[i], "the child");
		vs_expect_entries(before.ks_nvmspace_entries,
		    "the child's vmspace");
	}
}

/*
 * A signal for an LWP in a guest first ends the run with T_SIGNAL (ABI.md
 * 4.3; DragonFly's vkernel_trap), then the handler runs in the
 * controller; running again resumes the guest where it was.
 */
static volatile sig_atomic_t guest_sig_hits;

static void
guest_sig_handler(int sig)
{
	(void)sig;
	guest_sig_hits++;
}

static void
signal_leaves_guest(void)
{
	int fd;
	volatile uint64_t *shm = shared_memfd(&fd);
	pid_t pid;

	shm[0] = 0;
	pid = test_fork();
	if (pid == 0) {
		struct trapframe tf;
		struct vextframe vx = { 0 };
		uint64_t rip;

		signal(SIGUSR1, guest_sig_handler);
		child_guest_spinning(VS_ID(1), fd, &tf);
		test_expect_ok(vmspace_ctl(VS_ID(1), VMSPACE_CTL_RUN, &tf, &vx),
		    "run");
		test_expect_eq(tf.tf_trapno, T_SIGNAL,
		    "the run ends with T_SIGNAL");
		test_expect_eq(guest_sig_hits, 1, "then the handler ran");
		rip = tf.tf_rip;
		vx.vx_timeout_ns = 20 * MS;
		test_expect_ok(vmspace_ctl(VS_ID(1), VMSPACE_CTL_RUN, &tf, &vx),
		    "run again");
		test_expect_eq(tf.tf_trapno, T_TIMEOUT,
		    "the guest went on spinning");
		test_expect_hex(tf.tf_rip, rip, "at the same instruction");
		_exit(0);
	}
	vs_wait_word(&shm[0], 1, 5000, "the child's guest started");
	test_expect_ok(kill(pid, SIGUSR1), "kill");
	test_expect_exit(pid, 0, "the child");
}

/* What the handler of signal_keeps_caller_registers found. */
static volatile uint64_t regs_sig_rcx, regs_sig_rip, regs_sig_r11,
    regs_sig_flags;

static void
regs_sig_handler(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	regs_sig_rcx = (uint64_t)uc->uc_mcontext.gregs[REG_RCX];
	regs_sig_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	regs_sig_r11 = (uint64_t)uc->uc_mcontext.gregs[REG_R11];
	regs_sig_flags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
}

/*
 * A signal ends a guest's run and its handler runs in the controller:
 * the context it sees has rcx and r11 as the controller's SYSCALL left
 * them (the return rip and rflags: the kernel keeps the vmspace_ctl
 * caller's frame partial and completes it for the signal), and after
 * the handler vmspace_ctl returns with every callee-saved register the
 * caller had, rcx and r11 again as SYSCALL leaves them.
 */
static void
signal_keeps_caller_registers(void)
{
	int fd;
	volatile uint64_t *shm = shared_memfd(&fd);
	pid_t pid;

	shm[0] = 0;
	pid = test_fork();
	if (pid == 0) {
		static const uint64_t want[6] = { 0x1111111111111111,
			0x2222222222222222, 0x3333333333333333,
			0x4444444444444444, 0x5555555555555555,
			0x6666666666666666 };
		struct sigaction sa = { .sa_sigaction = regs_sig_handler,
			.sa_flags = SA_SIGINFO };
		struct trapframe tf;
		struct vextframe vx = { 0 };
		uint64_t out[10]; /* rbx rbp r12-r15, rcx r11, the label, rbp */
		long ret;

		test_assert(sigaction(SIGUSR1, &sa, NULL) == 0);
		child_guest_spinning(VS_ID(1), fd, &tf);
		/* Fixed registers the call keeps: rbp is one the asm changes. */
		register uint64_t *outp __asm__("r8") = out;
		register const uint64_t *wantp __asm__("r9") = want;
		register struct vextframe *vxp __asm__("r10") = &vx;

		__asm__ volatile("movq %%rbp, 72(%%r8)\n\t"
				 "movq 0(%%r9), %%rbx\n\t"
				 "movq 8(%%r9), %%rbp\n\t"
				 "movq 16(%%r9), %%r12\n\t"
				 "movq 24(%%r9), %%r13\n\t"
				 "movq 32(%%r9), %%r14\n\t"
				 "movq 40(%%r9), %%r15\n\t"
				 "syscall\n"
				 "1:\n\t"
				 "movq %%rbx, 0(%%r8)\n\t"
				 "movq %%rbp, 8(%%r8)\n\t"
				 "movq %%r12, 16(%%r8)\n\t"
				 "movq %%r13, 24(%%r8)\n\t"
				 "movq %%r14, 32(%%r8)\n\t"
				 "movq %%r15, 40(%%r8)\n\t"
				 "movq %%rcx, 48(%%r8)\n\t"
				 "movq %%r11, 56(%%r8)\n\t"
				 "leaq 1b(%%rip), %%rcx\n\t"
				 "movq %%rcx, 64(%%r8)\n\t"
				 "movq 72(%%r8), %%rbp"
				 : "=a"(ret)
				 : "a"((long)SYS_vmspace_ctl), "D"(VS_ID(1)),
				 "S"((long)VMSPACE_CTL_RUN), "d"(&tf),
				 "r"(outp), "r"(wantp), "r"(vxp)
				 : "rbx", "rcx", "r11", "r12", "r13", "r14",
				 "r15", "memory");
		test_expect_eq(ret, 0, "vmspace_ctl's result");
		test_expect_eq(tf.tf_trapno, T_SIGNAL,
		    "the run ends with T_SIGNAL");
		test_expect_hex(regs_sig_rip, out[8],
		    "the handler's context: rip after the syscall");
		test_expect_hex(regs_sig_rcx, out[8],
		    "the handler's context: rcx the return rip");
		test_expect_hex(regs_sig_r11, regs_sig_flags,
		    "the handler's context: r11 the rflags");
		for (int i = 0; i < 6; i++)
			test_expect_hex(out[i], want[i],
			    "a callee-saved register after the call");
		test_expect_hex(out[6], out[8], "rcx after the call");
		test_expect_hex(out[7] & 0x202, 0x202,
		    "r11 after the call: rflags, IF set");
		_exit(0);
	}
	vs_wait_word(&shm[0], 1, 5000, "the child's guest started");
	test_expect_ok(kill(pid, SIGUSR1), "kill");
	test_expect_exit(pid, 0, "the child");
}

/* The LWP in the guest is not the main one; the main one blocks. */
struct child_lwp {
	struct trapframe tf;
	struct vextframe vx;
};

static void
child_lwp_body(void *arg)
{
	struct child_lwp *c = arg;

	vs_raw_ctl(VS_ID(1), &c->tf, &c->vx);
	test_raw6(SYS_exit_group, 1, 0, 0, 0, 0, 0);
}

static void
kill_lwp_in_guest(void)
{
	struct kstat before;
	int fd, fds[2];
	volatile uint64_t *shm = shared_memfd(&fd);
	pid_t pid;

	vs_kstat(&before);
	test_pipe(fds);
	pid = test_fork();
	if (pid == 0) {
		static struct child_lwp c;
		char ch;

		child_guest_spinning(VS_ID(1), fd, &c.tf);
		vs_lwp_start(child_lwp_body, &c);
		(void)read(fds[0], &ch, 1); /* blocks: nobody writes */
		_exit(1);
	}
	vs_wait_word(&shm[0], 1, 5000, "the child's guest started");
	test_expect_ok(kill(pid, SIGKILL), "kill");
	test_expect_signal(pid, SIGKILL, "the child");
	vs_expect_entries(before.ks_nvmspace_entries, "the child's vmspace");
}

/* The main LWP calls exit_group(3) while another LWP runs the guest. */
static void
exit_while_lwp_in_guest(void)
{
	struct kstat before;
	int fd;
	volatile uint64_t *shm = shared_memfd(&fd);
	pid_t pid;

	vs_kstat(&before);
	pid = test_fork();
	if (pid == 0) {
		static struct child_lwp c;

		child_guest_spinning(VS_ID(1), fd, &c.tf);
		vs_lwp_start(child_lwp_body, &c);
		vs_wait_word(shm, 1, 5000, "the LWP's guest started");
		_exit(3);
	}
	test_expect_exit(pid, 3, "the child");
	vs_expect_entries(before.ks_nvmspace_entries, "the child's vmspace");
}

/*
 * The killed process shares its tree with us: its guest's vmspace is
 * EBUSY for us while it runs, and ours to destroy once it is dead.
 */
static void
kill_shared_tree_guest(void)
{
	void *id = VS_ID(1);
	uint64_t base = entries_now();
	volatile uint64_t *shm;
	pid_t pid;

	guest_new(id);
	guest_load(id, g_mark_spin);
	shm = vs_shared_page(id, G_SHM);
	pid = test_fork();
	if (pid == 0) {
		struct trapframe tf;
		struct vextframe vx = { 0 };

		guest_frame(&tf);
		vmspace_ctl(id, VMSPACE_CTL_RUN, &tf, &vx);
		test_fail("vmspace_ctl returned: trap %llu",
		    (unsigned long long)tf.tf_trapno);
	}
	vs_wait_word(&shm[0], 1, 5000, "the child's guest started");
	test_expect_errno(vmspace_destroy(id), EBUSY,
	    "destroy while the child runs it");
	test_expect_ok(kill(pid, SIGKILL), "kill");
	test_expect_signal(pid, SIGKILL, "the child");
	test_expect_ok(vmspace_destroy(id), "destroy after the child died");
	vs_expect_entries(base, "all gone");
}

/* ---------------------------------------------------------------------
 * vmspace_spawn.
 */

/*
 * The spawned guest: write(r13, "hello", 5); close(r12);
 * exit_group(*(fs:0) + write's result).
 */
GUEST(g_spawned,
    "movq %r13, %rdi\n"
    "leaq g_spawned_msg(%rip), %rsi\n"
    "movl $5, %edx\n"
    "movl $1, %eax\n"
    "syscall\n"
    "movq %rax, %rbx\n"
    "movq %r12, %rdi\n"
    "movl $3, %eax\n"
    "syscall\n"
    "movq %fs:0, %rdi\n"
    "addq %rbx, %rdi\n"
    "movl $231, %eax\n"
    "syscall\n"
    "ud2\n"
    "g_spawned_msg: .ascii \"hello\"\n");

/*
 * Spawn g_spawned with flags; check its exit status, what it wrote and
 * whether its close reached our descriptor table.
 */
static void
spawn_with_flags(int flags, int status, const char *msg, int closed_here)
{
	void *id = VS_ID(1);
	uint64_t base = entries_now();
	struct trapframe tf;
	struct vextframe vx = { .vx_fsbase = G_TLS };
	int fds[2], extra;
	char buf[8] = "";
	char dummy[8];
	pid_t pid;

	guest_new(id);
	guest_load(id, g_spawned);
	guest_write64(id, G_TLS, 2);
	test_pipe(fds);
	extra = dup(fds[0]);
	test_expect_ok(extra, "dup");
	guest_frame(&tf);
	tf.tf_r13 = fds[1];
	tf.tf_r12 = extra;
	pid = vmspace_spawn(id, &tf, &vx, flags);
	test_expect_ok(pid, "vmspace_spawn");
	test_assert_msg(pid > 0, "vmspace_spawn returned %d", (int)pid);
	test_expect_exit(pid, status, "the spawned guest");
	close(fds[1]);
	test_expect_eq(read(fds[0], buf, sizeof(buf)), (long)strlen(msg),
	    "read what the spawned guest wrote");
	test_assert_msg(memcmp(buf, msg, strlen(msg)) == 0, "it wrote \"%.5s\"",
	    buf);
	/* dup tells whether our descriptor `extra` is still open. */
	if (closed_here) {
		test_expect_errno(dup(extra), EBADF,
		    "its close closed our descriptor (shared table)");
	} else {
		int d = dup(extra);

		test_expect_ok(d, "its close did not close ours");
		close(d);
	}
	/* The vmspace left our tree. */
	test_expect_errno(vmspace_pread(id, dummy, 8, 0, G_DATA), ENOENT,
	    "the spawned vmspace's id");
	vs_expect_entries(base, "the entry went with the spawn");
	test_expect_ok(vmspace_create(id, 0, NULL), "the id can be used again");
	test_expect_ok(vmspace_destroy(id), "destroy it");
}

/* RFFDG: a copy of our descriptors; exit status 2 + 5. */
static void
spawn_copied_fds(void)
{
	spawn_with_flags(RFFDG, 7, "hello", 0);
}

/* 0: our descriptor table, shared. */
static void
spawn_shared_fds(void)
{
	spawn_with_flags(0, 7, "hello", 1);
}

/* RFCFDG: a clean table; the write fails with EBADF: (2 - 9) & 0xff. */
static void
spawn_clean_fds(void)
{
	spawn_with_flags(RFCFDG, (2 - EBADF) & 0xff, "", 0);
}

/*
 * The spawned process's frame is sanitized as vmspace_ctl's: given cs
 * 0x08 and IOPL 3 it runs at CPL 3 with IOPL 0 and IF on.  Exit status:
 * CPL | IOPL << 2 | IF << 4.
 */
GUEST(g_spawn_privs,
    "movl %cs, %edi\n"
    "andl $3, %edi\n"
    "pushfq\n"
    "popq %rax\n"
    "movq %rax, %rbx\n"
    "shrq $10, %rax\n"
    "andl $0xc, %eax\n"		/* IOPL << 2 */
    "orl %eax, %edi\n"
    "shrq $5, %rbx\n"
    "andl $0x10, %ebx\n"	/* IF << 4 */
    "orl %ebx, %edi\n"
    "movl $231, %eax\n"
    "syscall\n");

static void
spawn_sanitizes_frame(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	pid_t pid;

	guest_new(id);
	guest_load(id, g_spawn_privs);
	guest_frame(&tf);
	tf.tf_cs = 0x08;
	tf.tf_ss = 0x10;
	tf.tf_rflags = PSL_IOPL | PSL_NT;
	pid = vmspace_spawn(id, &tf, &vx, RFFDG);
	test_expect_ok(pid, "vmspace_spawn");
	test_expect_exit(pid, 3 | 0 << 2 | 1 << 4,
	    "the spawned guest (status CPL | IOPL << 2 | IF << 4)");
}

/* A spawned guest that faults is killed as any process (ABI.md 3). */
GUEST(g_spawn_ud2, "ud2\n");

static void
spawn_fault_kills(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	pid_t pid;

	guest_new(id);
	guest_load(id, g_spawn_ud2);
	guest_frame(&tf);
	pid = vmspace_spawn(id, &tf, &vx, RFFDG);
	test_expect_ok(pid, "vmspace_spawn");
	test_expect_signal(pid, SIGILL, "the spawned ud2");
}

/*
 * EBUSY while another LWP runs in it; once the run is over, the spawn
 * works (it starts at exit_group(5) in the same code).
 */
static void
spawn_busy_while_lwp_runs(void)
{
	void *id = VS_ID(1);
	uint64_t base = entries_now();
	volatile uint64_t *shm;
	struct trapframe tf;
	struct vextframe vx = { 0 };
	struct runner *r;
	int tid;
	pid_t pid;

	guest_new(id);
	guest_load(id, g_mark_wait);
	shm = vs_shared_page(id, G_SHM);
	r = runner_start(id, 5000 * MS, &tid);
	vs_wait_word(&shm[0], 1, 5000, "the LWP's guest started");
	guest_frame(&tf);
	tf.tf_rip = GUEST_AT(g_mark_wait, g_mark_wait_exit);
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), EBUSY,
	    "spawn while an LWP runs the guest");
	test_expect_hex(guest_read64(id, G_SHM), 1,
	    "the vmspace is still ours");
	shm[1] = 1;
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's run returned");
	test_expect_eq(r->result, 0, "the LWP's vmspace_ctl");
	vs_expect_trap(&r->tf, T_SYSCALL,
	    GUEST_AT(g_mark_wait, g_mark_wait_exit), "the LWP's guest");
	pid = vmspace_spawn(id, &tf, &vx, RFFDG);
	test_expect_ok(pid, "spawn after the run");
	test_expect_exit(pid, 5, "the spawned guest");
	runner_exit(r, tid);
	vs_expect_entries(base, "all gone");
}

/*
 * Spawning what we ran ourselves: our cache keeps the entry (not the
 * vmspace, which went to the child) until our next lookup.
 */
static void
spawn_after_own_run(void)
{
	void *id = VS_ID(1);
	uint64_t base = entries_now();
	struct trapframe tf;
	struct vextframe vx = { 0 };
	char buf[8];
	pid_t pid;

	guest_new(id);
	guest_load(id, g_mark_wait);
	guest_map(id, G_SHM, TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_write64(id, G_SHM + 8, 1); /* no waiting */
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_AT(g_mark_wait, g_mark_wait_exit),
	    "our run");
	pid = vmspace_spawn(id, &tf, &vx, RFFDG);
	test_expect_ok(pid, "spawn what we ran");
	test_expect_exit(pid, 5, "the spawned guest");
	vs_expect_entries(base + 1, "our cache keeps the entry");
	test_expect_errno(vmspace_pread(id, buf, 8, 0, G_DATA), ENOENT,
	    "our next lookup");
	vs_expect_entries(base, "and lets it go");
}

/* ---------------------------------------------------------------------
 * x87/SSE registers per guest CPU.
 */

/*
 * Set %xmm3 from rbx and MXCSR from ecx, syscall; then (g_fpu_get) return
 * %xmm3 in rax and MXCSR in rdx, syscall.
 */
GUEST(g_fpu_set_get,
    "movq %rbx, %xmm3\n"
    "subq $8, %rsp\n"
    "movl %ecx, (%rsp)\n"
    "ldmxcsr (%rsp)\n"
    "addq $8, %rsp\n"
    "syscall\n"
    "g_fpu_get: movq %xmm3, %rax\n"
    "subq $8, %rsp\n"
    "stmxcsr (%rsp)\n"
    "movl (%rsp), %edx\n"
    "addq $8, %rsp\n"
    "syscall\n");
GUEST_LABEL(g_fpu_get);

#define FPU_XMM_A 0x1111222233334444UL
#define FPU_XMM_B 0x5555666677778888UL
#define FPU_MXCSR_A 0x7f80 /* round toward zero, exceptions masked */
#define FPU_MXCSR_B 0x3f80 /* round down */

/* A frame for g_fpu_set_get's first half: %xmm3 = xmm, MXCSR = mxcsr. */
static void
fpu_frame(struct trapframe *tf, uint64_t xmm, uint64_t mxcsr)
{
	guest_frame(tf);
	tf->tf_rbx = xmm;
	tf->tf_rcx = mxcsr;
}

/* The second half came back with %xmm3 = xmm and MXCSR = mxcsr. */
static void
fpu_expect(const struct trapframe *tf, uint64_t xmm, uint64_t mxcsr,
    const char *who)
{
	char what[96];

	snprintf(what, sizeof(what), "%s: the second run", who);
	vs_expect_trap(tf, T_SYSCALL, GUEST_END(g_fpu_set_get), what);
	snprintf(what, sizeof(what), "%s: its own %%xmm3", who);
	test_expect_hex(tf->tf_rax, xmm, what);
	snprintf(what, sizeof(what), "%s: its own MXCSR", who);
	test_expect_hex(tf->tf_rdx, mxcsr, what);
}

/*
 * Two LWPs run guests in one vmspace, each with its own %xmm3 and MXCSR,
 * turn about: each guest finds its own registers when it runs again.
 * Two LWPs in one vmspace are two guest CPUs (ABI.md 4.3: running again
 * resumes exactly).
 */
static void
fpu_two_lwps_one_vmspace(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct runner *r;
	int tid;

	guest_new(id);
	guest_load(id, g_fpu_set_get);
	fpu_frame(&tf, FPU_XMM_A, FPU_MXCSR_A);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_AT(g_fpu_set_get, g_fpu_get),
	    "our first run");

	r = runner_new(id, 5000 * MS);
	fpu_frame(&r->tf, FPU_XMM_B, FPU_MXCSR_B);
	tid = vs_lwp_start(runner_body, r);
	vs_wait_flag(&r->ran, 2, 5000, "the LWP's first run returned");
	test_expect_eq(r->result, 0, "the LWP's first vmspace_ctl");
	vs_expect_trap(&r->tf, T_SYSCALL, GUEST_AT(g_fpu_set_get, g_fpu_get),
	    "the LWP's first run");

	guest_run(id, &tf, NULL);
	fpu_expect(&tf, FPU_XMM_A, FPU_MXCSR_A, "our guest");
	runner_do(r, CMD_RUN, id);
	test_expect_eq(r->result, 0, "the LWP's second vmspace_ctl");
	fpu_expect(&r->tf, FPU_XMM_B, FPU_MXCSR_B, "the LWP's guest");
	runner_exit(r, tid);
}

/*
 * One LWP runs two vmspaces in turn (as a virtual kernel runs its
 * guests): each guest keeps its own registers across the other's run.
 */
static void
fpu_one_lwp_two_vmspaces(void)
{
	void *a = VS_ID(1), *b = VS_ID(2);
	struct trapframe ta, tb;

	guest_new(a);
	guest_load(a, g_fpu_set_get);
	guest_new(b);
	guest_load(b, g_fpu_set_get);
	fpu_frame(&ta, FPU_XMM_A, FPU_MXCSR_A);
	guest_run(a, &ta, NULL);
	fpu_frame(&tb, FPU_XMM_B, FPU_MXCSR_B);
	guest_run(b, &tb, NULL);
	guest_run(a, &ta, NULL);
	fpu_expect(&ta, FPU_XMM_A, FPU_MXCSR_A, "guest a");
	guest_run(b, &tb, NULL);
	fpu_expect(&tb, FPU_XMM_B, FPU_MXCSR_B, "guest b");
}

/*
 * Set the upper half of %ymm3 to (rbx, 0), syscall; then (g_ymm_get)
 * return the low 8 bytes of that upper half in rax, syscall.
 */
GUEST(g_ymm_set_get,
    "vmovq %rbx, %xmm0\n"
    "vinsertf128 $1, %xmm0, %ymm3, %ymm3\n"
    "syscall\n"
    "g_ymm_get: vextractf128 $1, %ymm3, %xmm0\n"
    "vmovq %xmm0, %rax\n"
    "syscall\n");
GUEST_LABEL(g_ymm_get);

/* The low 8 bytes of the upper half of this program's own %ymm3. */
static uint64_t
ymm3_high(void)
{
	uint64_t v[2];

	__asm__ volatile("vextractf128 $1, %%ymm3, %0" : "=m"(v));
	return v[0];
}

static void
ymm3_set_high(uint64_t x)
{
	uint64_t v[2] = { x, 0 };

	__asm__ volatile("vinsertf128 $1, %0, %%ymm3, %%ymm3"
			 :
			 : "m"(v)
			 : "xmm3");
}

/*
 * The AVX state is per guest as well: one LWP runs two vmspaces whose
 * guests each put their own value in the upper half of %ymm3 (their
 * first AVX instruction traps to the kernel, which loads the guest's
 * state), and the controller's own upper half survives both.
 */
static void
fpu_ymm_guests(void)
{
	void *a = VS_ID(1), *b = VS_ID(2);
	const uint64_t mine = 0xc0c0c0c0a1a1a1a1UL;
	uint32_t ax = 1, bx, cx = 0, dx, lo = 0, hi;
	struct trapframe ta, tb;

	__asm__ volatile("cpuid" : "+a"(ax), "=b"(bx), "+c"(cx), "=d"(dx));
	if (cx & (1u << 27))
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if (!(cx & (1u << 27)) || !(cx & (1u << 28)) || (lo & 6) != 6)
		test_skip("no AVX");
	guest_new(a);
	guest_load(a, g_ymm_set_get);
	guest_new(b);
	guest_load(b, g_ymm_set_get);
	ymm3_set_high(mine);
	guest_frame(&ta);
	ta.tf_rbx = FPU_XMM_A;
	guest_run(a, &ta, NULL);
	vs_expect_trap(&ta, T_SYSCALL, GUEST_AT(g_ymm_set_get, g_ymm_get),
	    "guest a sets its ymm3");
	guest_frame(&tb);
	tb.tf_rbx = FPU_XMM_B;
	guest_run(b, &tb, NULL);
	test_expect_hex(ymm3_high(), mine, "the controller's ymm3, between");
	guest_run(a, &ta, NULL);
	vs_expect_trap(&ta, T_SYSCALL, GUEST_END(g_ymm_set_get), "guest a");
	test_expect_hex(ta.tf_rax, FPU_XMM_A, "guest a's own ymm3");
	guest_run(b, &tb, NULL);
	vs_expect_trap(&tb, T_SYSCALL, GUEST_END(g_ymm_set_get), "guest b");
	test_expect_hex(tb.tf_rax, FPU_XMM_B, "guest b's own ymm3");
	test_expect_hex(ymm3_high(), mine, "the controller's ymm3, after");
}

/* ---------------------------------------------------------------------
 * execve: "virtual kernels cannot be inherited by an exec" (DragonFly).
 */

/*
 * A process with two vmspaces, one of them run (so its LWP caches an
 * entry), execs this program as vs_exec_helper, which checks that the
 * new image has no vmspace tree.  The tree was the process's alone, so
 * its entries are gone too.
 */
static void
exec_drops_vmspaces(void)
{
	uint64_t base = entries_now();
	struct trapframe tf;
	char basestr[24];
	pid_t pid;

	pid = test_fork();
	if (pid == 0) {
		char *argv[] = { (char *)test_self, VS_EXEC_HELPER, basestr,
			NULL };

		guest_new(VS_ID(1));
		guest_load(VS_ID(1), g_just_syscall);
		guest_new(VS_ID(2));
		guest_frame(&tf);
		guest_run(VS_ID(1), &tf, NULL);
		snprintf(basestr, sizeof(basestr), "%llu",
		    (unsigned long long)base);
		execve(test_self, argv, environ);
		_exit(100);
	}
	test_expect_exit(pid, 0, "the new image finds no vmspace");
	vs_expect_entries(base, "all gone");
}

/*
 * A child shares the tree; the parent execs: the child still has every
 * vmspace, the new image none.
 */
static void
exec_leaves_shared_tree(void)
{
	uint64_t base = entries_now();
	char basestr[24];
	int ready[2];
	pid_t pid, child;
	char c = 0;

	guest_new(VS_ID(1));
	guest_write64(VS_ID(1), G_DATA, 0x5eed5eed5eed5eedUL);
	guest_new(VS_ID(2));
	test_assert(pipe(ready) == 0);
	child = test_fork();
	if (child == 0) {
		/* Wait until the parent's new image has run its checks. */
		close(ready[1]);
		(void)read(ready[0], &c, 1);
		test_expect_hex(guest_read64(VS_ID(1), G_DATA),
		    0x5eed5eed5eed5eedUL, "the child still reads vmspace 1");
		test_expect_ok(vmspace_destroy(VS_ID(2)),
		    "the child destroys vmspace 2");
		_exit(0);
	}
	close(ready[0]);
	/* The new image: no vmspace, and one entry count for the child's. */
	snprintf(basestr, sizeof(basestr), "%llu",
	    (unsigned long long)(base + 2));
	pid = test_fork();
	if (pid == 0) {
		char *argv[] = { (char *)test_self, VS_EXEC_HELPER, basestr,
			NULL };

		/* The fork shared our tree with pid, which now execs. */
		execve(test_self, argv, environ);
		_exit(100);
	}
	test_expect_exit(pid, 0, "the new image finds no vmspace");
	close(ready[1]);
	test_expect_exit(child, 0, "the child sharing the tree");
	test_expect_ok(vmspace_destroy(VS_ID(1)), "destroy vmspace 1");
	vs_expect_entries(base, "all gone");
}

/*
 * The image exec_drops_vmspaces starts: "vmspacetests VS_EXEC_HELPER
 * BASE".  Every vmspace call on the old ids fails with EINVAL (ABI.md
 * 4.1: the process has no vkernel structure), the entry count is BASE,
 * and a new vmspace_create starts an empty tree.  Prints one line per
 * failed check; the exit status is their number.
 */
int
vs_exec_helper(int argc, char **argv)
{
	uint64_t base = argc > 0 ? strtoull(argv[0], NULL, 0) : 0;
	struct vextframe vx = { .vx_timeout_ns = 5000 * MS };
	struct trapframe tf;
	struct kstat ks;
	char buf[8];
	int bad = 0;
	void *m;
	long r;

#define HELPER_CHECK(cond, ...)                                \
	do {                                                   \
		if (!(cond)) {                                 \
			printf("# exec helper: " __VA_ARGS__); \
			printf("\n");                          \
			bad++;                                 \
		}                                              \
	} while (0)

	for (int i = 1; i <= 2; i++) {
		void *id = VS_ID(i);

		guest_frame(&tf);
		r = vmspace_ctl(id, VMSPACE_CTL_RUN, &tf, &vx);
		HELPER_CHECK(r == -1 && errno == EINVAL,
		    "vmspace_ctl(%d): %ld (%s), not EINVAL", i, r,
		    test_errname(errno));
		m = vmspace_mmap(id, (void *)G_EXTRA, 4096, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		HELPER_CHECK(m == MAP_FAILED && errno == EINVAL,
		    "vmspace_mmap(%d): %p (%s), not EINVAL", i, m,
		    test_errname(errno));
		r = vmspace_pread(id, buf, 8, 0, G_DATA);
		HELPER_CHECK(r == -1 && errno == EINVAL,
		    "vmspace_pread(%d): %ld (%s), not EINVAL", i, r,
		    test_errname(errno));
		r = vmspace_destroy(id);
		HELPER_CHECK(r == -1 && errno == EINVAL,
		    "vmspace_destroy(%d): %ld (%s), not EINVAL", i, r,
		    test_errname(errno));
	}
	r = test_kstat(&ks);
	HELPER_CHECK(r == 0, "kstat: %ld", r);
	HELPER_CHECK(ks.ks_nvmspace_entries == base,
	    "%llu vmspace entries, not %llu",
	    (unsigned long long)ks.ks_nvmspace_entries,
	    (unsigned long long)base);
	r = vmspace_create(VS_ID(1), 0, NULL);
	HELPER_CHECK(r == 0, "vmspace_create(1) in the new image: %ld (%s)", r,
	    test_errname(errno));
	r = vmspace_pread(VS_ID(1), buf, 8, 0, G_DATA);
	HELPER_CHECK(r == 0, "the new vmspace 1 has memory: pread gave %ld", r);
	r = vmspace_destroy(VS_ID(1));
	HELPER_CHECK(r == 0, "vmspace_destroy(1) in the new image: %ld (%s)", r,
	    test_errname(errno));
#undef HELPER_CHECK
	fflush(stdout);
	return bad;
}

const struct test vs_proc_tests[] = {
	{ "destroy_busy_while_lwp_runs", destroy_busy_while_lwp_runs, NULL },
	{ "two_lwps_run_one_vmspace", two_lwps_run_one_vmspace, NULL },
	{ "guest_sees_changes_while_running", guest_sees_changes_while_running,
	    NULL },
	{ "truncate_while_guest_runs", truncate_while_guest_runs, NULL },
	{ "fork_while_lwp_in_guest", fork_while_lwp_in_guest, NULL },
	{ "tframe_unmapped_during_run", tframe_unmapped_during_run, NULL },
	{ "tframe_copy_on_write", tframe_copy_on_write, NULL },
	{ "stress_lookup_destroy_run", stress_lookup_destroy_run, NULL },
	{ "cache_kept_until_lwp_exits", cache_kept_until_lwp_exits, NULL },
	{ "cache_dropped_by_lookup", cache_dropped_by_lookup, NULL },
	{ "cache_dropped_by_other_run", cache_dropped_by_other_run, NULL },
	{ "cache_stale_then_recreated", cache_stale_then_recreated, NULL },
	{ "cache_own_lwp", cache_own_lwp, NULL },
	{ "fork_shares_tree", fork_shares_tree, NULL },
	{ "fork_before_vkernel_not_shared", fork_before_vkernel_not_shared,
	    NULL },
	{ "fork_tree_outlives_creator", fork_tree_outlives_creator, NULL },
	{ "kill_during_guest_run", kill_during_guest_run, NULL },
	{ "kill_lwp_in_guest", kill_lwp_in_guest, NULL },
	{ "signal_leaves_guest", signal_leaves_guest, NULL },
	{ "signal_keeps_caller_registers", signal_keeps_caller_registers,
	    NULL },
	{ "exit_while_lwp_in_guest", exit_while_lwp_in_guest, NULL },
	{ "kill_shared_tree_guest", kill_shared_tree_guest, NULL },
	{ "spawn_copied_fds", spawn_copied_fds, NULL },
	{ "spawn_shared_fds", spawn_shared_fds, NULL },
	{ "spawn_clean_fds", spawn_clean_fds, NULL },
	{ "spawn_sanitizes_frame", spawn_sanitizes_frame, NULL },
	{ "spawn_fault_kills", spawn_fault_kills, NULL },
	{ "spawn_busy_while_lwp_runs", spawn_busy_while_lwp_runs, NULL },
	{ "spawn_after_own_run", spawn_after_own_run, NULL },
	{ "fpu_two_lwps_one_vmspace", fpu_two_lwps_one_vmspace, NULL },
	{ "fpu_one_lwp_two_vmspaces", fpu_one_lwp_two_vmspaces, NULL },
	{ "fpu_ymm_guests", fpu_ymm_guests, NULL },
	{ "exec_drops_vmspaces", exec_drops_vmspaces, NULL },
	{ "exec_leaves_shared_tree", exec_leaves_shared_tree, NULL },
	{ NULL, NULL, NULL },
};
