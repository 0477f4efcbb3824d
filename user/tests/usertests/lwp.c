/*
 * lwp.c: the native calls of ABI.md section 4.2: LWPs (lwp_create,
 * lwp_gettid, lwp_exit, lwp_wait), kstat and rfork.  Only our kernel has
 * them.
 *
 * Code that runs in a new LWP uses raw system calls only (ut.h): musl
 * does not know about these LWPs, and they share the creating LWP's
 * thread pointer, errno included.
 */

#include "ut.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MS 1000000ULL
#define STACK_SIZE (16 * 1024)

_Static_assert(offsetof(struct lwp_params, lwp_func) == 0, "lwp_func");
_Static_assert(offsetof(struct lwp_params, lwp_arg) == 8, "lwp_arg");
_Static_assert(offsetof(struct lwp_params, lwp_stack) == 16, "lwp_stack");
_Static_assert(offsetof(struct lwp_params, lwp_tid1) == 24, "lwp_tid1");
_Static_assert(offsetof(struct lwp_params, lwp_tid2) == 32, "lwp_tid2");
_Static_assert(sizeof(struct kstat) == 64, "struct kstat");

/* What an LWP body gets through rdi; shared with its creator. */
struct lwp_box {
	volatile int started; /* set first thing */
	volatile int go;      /* creator's signal to proceed */
	int tid;              /* lwp_gettid() in the LWP */
	int gettid;           /* gettid() in the LWP */
	int tid_seen;         /* *tid_ptr as the LWP found it */
	int *tid_ptr;
	int fd;                 /* a descriptor to use */
	long result;            /* a raw call's result */
	volatile long *counter; /* shared counter */
};

/* A stack for an LWP: the top of `size` bytes, 16-aligned, minus 8. */
static void *
lwp_stack(size_t size)
{
	char *base = malloc(size);

	test_assert(base != NULL);
	return (void *)((((uintptr_t)base + size) & ~(uintptr_t)15) - 8);
}

/* lwp_create(fn, box) on a fresh stack; returns the raw result. */
static long
lwp_start(void (*fn)(void *), struct lwp_box *box, int *tid1, int *tid2)
{
	struct lwp_params p = {
		.lwp_func = fn,
		.lwp_arg = box,
		.lwp_stack = lwp_stack(STACK_SIZE),
		.lwp_tid1 = tid1,
		.lwp_tid2 = tid2,
	};

	return test_raw1(SYS_lwp_create, (long)&p);
}

/* Start an LWP or fail the test; returns its id. */
static int
lwp_start_ok(void (*fn)(void *), struct lwp_box *box)
{
	int tid = -1;

	test_expect_eq(lwp_start(fn, box, &tid, NULL), 0, "lwp_create");
	test_assert_msg(tid > 0, "lwp_create stored id %d", tid);
	return tid;
}

static void
lwp_wait_ok(int tid)
{
	test_expect_eq(test_raw1(SYS_lwp_wait, tid), 0, "lwp_wait");
}

/* Wait (yielding) until *flag reaches `n`, at most 5 s. */
static void
wait_for(volatile int *flag, int n, const char *what)
{
	uint64_t end = test_now_ns() + 5000 * MS;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < n) {
		if (test_now_ns() > end)
			test_fail("%s: %d of %d after 5 s", what, *flag, n);
		sched_yield();
	}
}

/* The LWP count, back to `want` within 2 s (LWPs may still be ending). */
static void
expect_nlwps(uint64_t want, const char *what)
{
	struct kstat ks;

	for (int i = 0; i < 200; i++) {
		test_kstat(&ks);
		if (ks.ks_nlwps == want)
			return;
		test_sleep_ns(10 * MS);
	}
	test_fail("%s: %llu LWPs, expected %llu", what,
	    (unsigned long long)ks.ks_nlwps, (unsigned long long)want);
}

/* ---------------------------------------------------------------------
 * LWP bodies: raw calls only; each ends with lwp_exit.
 */

/* Record ids and what *tid_ptr held when the LWP started. */
static void
body_ids(void *arg)
{
	struct lwp_box *b = arg;

	b->tid_seen = *b->tid_ptr;
	b->tid = (int)test_raw0(SYS_lwp_gettid);
	b->gettid = (int)test_raw0(SYS_gettid);
	__atomic_store_n(&b->started, 1, __ATOMIC_RELEASE);
	test_raw_lwp_exit();
}

/* Wait for go, add one to the counter. */
static void
body_count(void *arg)
{
	struct lwp_box *b = arg;

	__atomic_add_fetch(&b->started, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&b->go, __ATOMIC_ACQUIRE))
		test_raw0(SYS_sched_yield);
	__atomic_add_fetch(b->counter, 1, __ATOMIC_ACQ_REL);
	test_raw_lwp_exit();
}

/* Spin in user mode forever. */
static void
body_spin(void *arg)
{
	struct lwp_box *b = arg;

	__atomic_add_fetch(&b->started, 1, __ATOMIC_ACQ_REL);
	for (;;)
		__atomic_add_fetch(b->counter, 1, __ATOMIC_RELAXED);
}

/* Block reading b->fd forever (nobody writes). */
static void
body_block(void *arg)
{
	struct lwp_box *b = arg;
	char c;

	__atomic_add_fetch(&b->started, 1, __ATOMIC_ACQ_REL);
	test_raw3(SYS_read, b->fd, (long)&c, 1);
	test_raw_lwp_exit();
}

/* Sleep 30 ms, write one byte to b->fd, end. */
static void
body_late_write(void *arg)
{
	struct lwp_box *b = arg;
	struct timespec ts = { 0, 30 * MS };

	test_raw3(SYS_nanosleep, (long)&ts, 0, 0);
	test_raw3(SYS_write, b->fd, (long)"L", 1);
	test_raw_lwp_exit();
}

/* Write "hello" to b->fd. */
static void
body_write_hello(void *arg)
{
	struct lwp_box *b = arg;

	b->result = test_raw3(SYS_write, b->fd, (long)"hello", 5);
	test_raw_lwp_exit();
}

/* fork; the child exits with 7 at once, the LWP records its pid. */
static void
body_fork(void *arg)
{
	struct lwp_box *b = arg;
	long pid = test_raw0(SYS_fork);

	if (pid == 0)
		test_raw_exit(7);
	b->result = pid;
	test_raw_lwp_exit();
}

/* End the whole process with exit_group(5) from this LWP. */
static void
body_exit5(void *arg)
{
	(void)arg;
	test_raw1(SYS_exit_group, 5);
	test_raw_lwp_exit();
}

/* Set `started`, then end. */
static void
body_flag(void *arg)
{
	struct lwp_box *b = arg;

	__atomic_store_n(&b->started, 1, __ATOMIC_RELEASE);
	test_raw_lwp_exit();
}

/* ---------------------------------------------------------------------
 * LWP tests.
 */

/* A new LWP has its own id, stored before it runs, and is reaped. */
static void
t_lwp_basic(void)
{
	struct lwp_box box = { 0 };
	int tid1 = -1, tid2 = -1, me = (int)test_raw0(SYS_lwp_gettid);

	box.tid_ptr = &tid1;
	test_expect_eq(lwp_start(body_ids, &box, &tid1, &tid2), 0,
	    "lwp_create");
	test_assert_msg(tid1 > 0 && tid1 == tid2, "lwp_tid1 %d, lwp_tid2 %d",
	    tid1, tid2);
	test_assert_msg(tid1 != me, "the new LWP has the creator's id %d", me);
	lwp_wait_ok(tid1);
	test_expect_eq(box.started, 1, "the LWP ran before lwp_wait returned");
	test_expect_eq(box.tid, tid1, "lwp_gettid in the LWP");
	test_expect_eq(box.gettid, tid1, "gettid in the LWP");
	test_expect_eq(box.tid_seen, tid1, "lwp_tid1 as the LWP found it");
	test_expect_eq(test_raw0(SYS_lwp_gettid), me, "creator's id unchanged");
	test_expect_eq(syscall(SYS_gettid), me, "creator's gettid");
}

/* lwp_wait: unknown or reaped id ESRCH, own id EDEADLK. */
static void
t_lwp_wait_errors(void)
{
	struct lwp_box box = { 0 };
	int me = (int)test_raw0(SYS_lwp_gettid), tid;

	test_expect_raw_errno(test_raw1(SYS_lwp_wait, 0x7fffffff), ESRCH,
	    "lwp_wait(0x7fffffff)");
	test_expect_raw_errno(test_raw1(SYS_lwp_wait, -1), ESRCH,
	    "lwp_wait(-1)");
	test_expect_raw_errno(test_raw1(SYS_lwp_wait, me), EDEADLK,
	    "lwp_wait(own id)");
	tid = lwp_start_ok(body_flag, &box);
	lwp_wait_ok(tid);
	test_expect_raw_errno(test_raw1(SYS_lwp_wait, tid), ESRCH,
	    "lwp_wait of a reaped LWP");
}

/* The process ends with status 0 when its last LWP calls lwp_exit. */
static void
t_lwp_last_exit(void)
{
	struct lwp_box box = { 0 };
	int p[2];
	pid_t pid;
	char c;

	pid = test_fork();
	if (pid == 0)
		test_raw_lwp_exit(); /* the only LWP */
	test_expect_exit(pid, 0, "process whose only LWP called lwp_exit");

	/* The first LWP leaves; the process lives until the second does. */
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[0]);
		box.fd = p[1];
		if (lwp_start(body_late_write, &box, NULL, NULL) != 0)
			_exit(1);
		test_raw_lwp_exit();
	}
	close(p[1]);
	test_expect_eq(read(p[0], &c, 1), 1,
	    "the second LWP wrote after the first left");
	test_expect_exit(pid, 0, "process whose last LWP called lwp_exit");
	close(p[0]);
}

/* 64 LWPs at once each add one to a shared counter. */
static void
t_lwp_many(void)
{
	enum {
		N = 64
	};
	static volatile long counter;
	struct lwp_box box = { 0 };
	struct kstat before, during;
	int tids[N];

	box.counter = &counter;
	test_kstat(&before);
	for (int i = 0; i < N; i++) {
		tids[i] = lwp_start_ok(body_count, &box);
		for (int j = 0; j < i; j++)
			test_assert_msg(tids[j] != tids[i],
			    "LWPs %d and %d "
			    "both have id %d",
			    j, i, tids[i]);
	}
	wait_for(&box.started, N, "LWPs started");
	test_kstat(&during);
	test_expect_eq(during.ks_nlwps, before.ks_nlwps + N,
	    "kstat LWPs while 64 run");
	__atomic_store_n(&box.go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < N; i++)
		lwp_wait_ok(tids[i]);
	test_expect_eq(counter, N, "counter after 64 LWPs");
	expect_nlwps(before.ks_nlwps, "LWPs after lwp_wait");
}

/* Start `spin` spinning and `block` blocked LWPs; wait until they run. */
static void
start_busy_lwps(struct lwp_box *box, int spin, int block, int fd)
{
	static volatile long counter;

	box->counter = &counter;
	box->fd = fd;
	for (int i = 0; i < spin; i++)
		if (lwp_start(body_spin, box, NULL, NULL) != 0)
			_exit(100);
	for (int i = 0; i < block; i++)
		if (lwp_start(body_block, box, NULL, NULL) != 0)
			_exit(101);
	wait_for(&box->started, spin + block, "busy LWPs started");
	for (int i = 0; i < 10; i++)
		sched_yield();
}

/*
 * exit_group and libc's exit end every LWP of the process, those running
 * in user mode and those blocked in the kernel; Linux's exit ends only
 * the LWP that calls it, and the others go on until killed.
 */
static void
t_lwp_exit_while_running(void)
{
	struct kstat base;
	int p[2];

	test_kstat(&base);
	for (int how = 0; how < 4; how++) {
		struct lwp_box box = { 0 };
		pid_t pid;

		test_pipe(p);
		pid = test_fork();
		if (pid == 0) {
			start_busy_lwps(&box, 8, 8, p[0]);
			if (how == 0)
				test_raw1(SYS_exit, 3);
			else if (how == 1)
				test_raw1(SYS_exit_group, 3);
			else if (how == 2)
				exit(3);
			/* how 3: another LWP calls exit(5) */
			if (lwp_start(body_exit5, &box, NULL, NULL) != 0)
				_exit(102);
			for (;;)
				sched_yield();
		}
		if (how == 0) {
			/* Linux's exit ends the main LWP only: the rest go on. */
			test_sleep_ns(50 * 1000 * 1000);
			test_expect_eq(waitpid(pid, NULL, WNOHANG), 0,
			    "waitpid(WNOHANG) after the main LWP's exit");
			test_expect_ok(kill(pid, SIGKILL), "kill");
			test_expect_signal(pid, SIGKILL,
			    "process of 16 busy LWPs whose main LWP exited");
		} else {
			test_expect_exit(pid, how == 3 ? 5 : 3,
			    "process exiting with 16 busy LWPs (1: exit_group, "
			    "2: libc exit, 3: exit_group from another LWP)");
		}
		close(p[0]);
		close(p[1]);
		expect_nlwps(base.ks_nlwps, "LWPs after the process exited");
	}
}

/* SIGKILL and SIGTERM end a process with many LWPs. */
static void
t_lwp_kill_many(void)
{
	const int sigs[] = { SIGKILL, SIGTERM };
	struct kstat base;
	int p[2], ready[2];

	test_kstat(&base);
	for (int s = 0; s < 2; s++) {
		struct lwp_box box = { 0 };
		pid_t pid;
		char c;

		test_pipe(p);
		test_pipe(ready);
		pid = test_fork();
		if (pid == 0) {
			start_busy_lwps(&box, 8, 8, p[0]);
			write(ready[1], "r", 1);
			read(p[0], &c, 1);
			_exit(0);
		}
		test_expect_eq(read(ready[0], &c, 1), 1, "child ready");
		test_expect_eq(kill(pid, sigs[s]), 0, "kill");
		test_expect_signal(pid, sigs[s], "process with 17 LWPs");
		close(p[0]);
		close(p[1]);
		close(ready[0]);
		close(ready[1]);
		expect_nlwps(base.ks_nlwps, "LWPs after the kill");
	}
}

/* Bad params, or ids that cannot be stored: EFAULT and no LWP made. */
static void
t_lwp_create_efault(void)
{
	struct lwp_box box = { 0 };
	struct kstat before;
	int *ro = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	int ok = 0;

	test_assert(ro != MAP_FAILED);
	test_kstat(&before);
	test_expect_raw_errno(test_raw1(SYS_lwp_create, 0), EFAULT,
	    "lwp_create(NULL)");
	test_expect_raw_errno(test_raw1(SYS_lwp_create, (long)TEST_KERNEL_TEXT),
	    EFAULT, "lwp_create(kernel address)");
	test_expect_raw_errno(
	    lwp_start(body_flag, &box, (int *)TEST_DIRECT_MAP, NULL), EFAULT,
	    "lwp_tid1 in the kernel");
	test_expect_raw_errno(lwp_start(body_flag, &box, &ok, ro), EFAULT,
	    "lwp_tid2 read-only");
	test_expect_raw_errno(
	    lwp_start(body_flag, &box, NULL, (int *)TEST_NONCANON_LO), EFAULT,
	    "lwp_tid2 non-canonical");
	test_sleep_ns(30 * MS);
	test_expect_eq(box.started, 0, "an LWP of a failed lwp_create ran");
	expect_nlwps(before.ks_nlwps, "LWPs after failed lwp_creates");
}

/* fork from a second LWP: the child is a copy of that LWP. */
static void
t_lwp_fork(void)
{
	struct lwp_box box = { 0 };
	int tid = lwp_start_ok(body_fork, &box);

	lwp_wait_ok(tid);
	test_assert_msg(box.result > 0, "fork in an LWP returned %ld",
	    box.result);
	test_expect_exit((pid_t)box.result, 7, "child forked by an LWP");
}

/* execve ends the other LWPs first. */
static void
t_lwp_exec(void)
{
	struct kstat base;
	int p[2];
	pid_t pid;

	test_kstat(&base);
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		struct lwp_box box = { 0 };
		char *argv[] = { (char *)test_self, UT_HELPER, "exit", "5",
			NULL };
		char *envp[] = { NULL };
		start_busy_lwps(&box, 4, 4, p[0]);
		execve(test_self, argv, envp);
		_exit(99);
	}
	test_expect_exit(pid, 5, "execve from a process with 8 busy LWPs");
	close(p[0]);
	close(p[1]);
	expect_nlwps(base.ks_nlwps, "LWPs after the exec'd process exited");
}

/* LWPs share the descriptor table and the memory. */
static void
t_lwp_shared_fds(void)
{
	struct lwp_box box = { 0 };
	char buf[8];
	int p[2], tid;

	test_pipe(p); /* opened after nothing: shared at once */
	box.fd = p[1];
	tid = lwp_start_ok(body_write_hello, &box);
	test_expect_eq(test_read_full(p[0], buf, 5), 5,
	    "read what the LWP wrote");
	test_assert(memcmp(buf, "hello", 5) == 0);
	lwp_wait_ok(tid);
	test_expect_eq(box.result, 5, "the LWP's write");
}

/* ---------------------------------------------------------------------
 * kstat.
 */

/* kstat copies min(size, 64) bytes and returns the count; sane values. */
static void
t_kstat(void)
{
	unsigned char buf[128];
	struct kstat a, b;
	pid_t pid;

	memset(buf, 0xee, sizeof(buf));
	test_expect_eq(test_raw3(SYS_kstat, (long)buf, 8, 0), 8,
	    "kstat size 8");
	for (size_t i = 8; i < sizeof(buf); i++)
		test_assert_msg(buf[i] == 0xee, "kstat size 8 wrote byte %zu",
		    i);
	test_expect_eq(test_raw3(SYS_kstat, (long)buf, 1000, 0), 64,
	    "kstat size 1000");
	for (size_t i = 64; i < sizeof(buf); i++)
		test_assert_msg(buf[i] == 0xee, "kstat wrote byte %zu", i);
	test_expect_eq(test_raw3(SYS_kstat, (long)buf, 0, 0), 0,
	    "kstat size 0");

	test_expect_eq(test_raw3(SYS_kstat, (long)&a, sizeof(a), 0), 64,
	    "kstat size 64");
	test_assert_msg(a.ks_pages_total > 1000 &&
		a.ks_pages_free <= a.ks_pages_total,
	    "pages: %llu free of %llu", (unsigned long long)a.ks_pages_free,
	    (unsigned long long)a.ks_pages_total);
	test_assert_msg(a.ks_nprocs >= 3 && a.ks_nlwps >= a.ks_nprocs &&
		a.ks_nvmspaces >= 1 && a.ks_kheap_used > 0,
	    "processes %llu, "
	    "LWPs %llu, vmspaces %llu, heap %llu",
	    (unsigned long long)a.ks_nprocs, (unsigned long long)a.ks_nlwps,
	    (unsigned long long)a.ks_nvmspaces,
	    (unsigned long long)a.ks_kheap_used);

	pid = test_fork();
	if (pid == 0) {
		test_sleep_ns(50 * MS);
		_exit(0);
	}
	test_kstat(&b);
	test_expect_eq(b.ks_nprocs, a.ks_nprocs + 1, "processes with a child");
	test_sleep_ns(100 * MS);
	test_kstat(&b);
	test_expect_eq(b.ks_nprocs, a.ks_nprocs + 1, "processes with a zombie");
	test_assert_msg(b.ks_uptime_ns >= a.ks_uptime_ns + 100 * MS,
	    "uptime moved %llu ns over a 100 ms sleep",
	    (unsigned long long)(b.ks_uptime_ns - a.ks_uptime_ns));
	test_expect_exit(pid, 0, "child");
	test_kstat(&b);
	test_expect_eq(b.ks_nprocs, a.ks_nprocs, "processes after reaping");
}

/* ---------------------------------------------------------------------
 * rfork.
 */

/* rfork(RFFDG): the child's table is a copy; its close stays its own. */
static void
t_rfork_fdg(void)
{
	struct stat st;
	int p[2];
	long pid;

	test_pipe(p);
	pid = test_raw1(SYS_rfork, RFFDG);
	if (pid == 0) {
		if (close(p[0]) != 0)
			_exit(1);
		_exit(getppid() > 1 ? 0 : 2);
	}
	test_assert_msg(pid > 0, "rfork(RFFDG) returned %ld", pid);
	test_expect_exit((pid_t)pid, 0, "rfork(RFFDG) child");
	test_expect_ok(syscall(SYS_fstat, p[0], &st),
	    "the parent's fd after the child closed its copy");
	test_expect_eq(write(p[1], "x", 1), 1, "the parent's pipe still works");
}

/* rfork(RFCFDG): the child starts with no descriptors at all. */
static void
t_rfork_cfdg(void)
{
	long pid = test_raw1(SYS_rfork, RFCFDG);

	if (pid == 0) {
		/* No stdout here: report through the exit status only. */
		if (test_raw3(SYS_write, 1, (long)"x", 1) != -EBADF)
			_exit(1);
		if (test_raw3(SYS_write, 2, (long)"x", 1) != -EBADF)
			_exit(2);
		if (test_raw1(SYS_close, 0) != -EBADF)
			_exit(3);
		/* The first descriptor opened is 0. */
		_exit(test_raw3(SYS_open, (long)test_self, 0, 0) == 0 ? 0 : 4);
	}
	test_assert_msg(pid > 0, "rfork(RFCFDG) returned %ld", pid);
	test_expect_exit((pid_t)pid, 0,
	    "rfork(RFCFDG) child (1, 2: write to "
	    "1 or 2 was not EBADF; 3: fd 0 open; 4: first open not 0)");
	test_expect_eq(write(1, "", 0), 0, "the parent's fd 1");
}

/* rfork(0): the table is shared; the child's close and open are ours. */
static void
t_rfork_shared(void)
{
	struct stat st;
	int p[2], status;
	long pid;

	test_pipe(p);
	pid = test_raw1(SYS_rfork, 0);
	if (pid == 0) {
		/* Open first, so the new fd cannot reuse p[0]'s slot. */
		int fd = open(test_self, O_RDONLY);

		close(p[0]);
		_exit(fd);
	}
	test_assert_msg(pid > 0, "rfork(0) returned %ld", pid);
	status = test_wait((pid_t)pid);
	test_assert_msg(WIFEXITED(status), "rfork(0) child: status 0x%x",
	    status);
	test_expect_errno(syscall(SYS_fstat, p[0], &st), EBADF,
	    "the read end the child closed in the shared table");
	test_expect_ok(lseek(WEXITSTATUS(status), 0, SEEK_CUR),
	    "the file the child opened in the shared table");
}

/* rfork with both table flags, or any other bit, is EINVAL. */
static void
t_rfork_einval(void)
{
	const long bad[] = { RFFDG | RFCFDG, 1, 2, 8, 16, 32, 0x100, 1 << 20,
		1L << 31, -1 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r = test_raw1(SYS_rfork, bad[i]);
		if (r == 0)
			test_raw_exit(99);
		if (r > 0) {
			test_wait((pid_t)r);
			test_fail("rfork(0x%lx) made process %ld", bad[i], r);
		}
		test_expect_raw_errno(r, EINVAL, "rfork with a bad flag");
	}
}

const struct test ut_lwp_tests[] = {
	{ "lwp_basic", t_lwp_basic, "native call" },
	{ "lwp_wait_errors", t_lwp_wait_errors, "native call" },
	{ "lwp_last_exit", t_lwp_last_exit, "native call" },
	{ "lwp_many", t_lwp_many, "native call" },
	{ "lwp_exit_while_running", t_lwp_exit_while_running, "native call" },
	{ "lwp_kill_many", t_lwp_kill_many, "native call" },
	{ "lwp_create_efault", t_lwp_create_efault, "native call" },
	{ "lwp_fork", t_lwp_fork, "native call" },
	{ "lwp_exec", t_lwp_exec, "native call" },
	{ "lwp_shared_fds", t_lwp_shared_fds, "native call" },
	{ "kstat", t_kstat, "native call" },
	{ "rfork_fdg", t_rfork_fdg, "native call" },
	{ "rfork_cfdg", t_rfork_cfdg, "native call" },
	{ "rfork_shared", t_rfork_shared, "native call" },
	{ "rfork_einval", t_rfork_einval, "native call" },
	{ NULL, NULL, NULL },
};
