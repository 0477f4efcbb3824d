/*
 * seg.c: the FS and GS segment registers belong to the thread that set
 * them (issue 15, item 3).
 *
 * A program may load %fs or %gs with a selector (`mov %ax, %fs`).  On
 * x86_64 that sets the segment's base too, from the descriptor: 0 for
 * the flat user data selector (the one in %ss, 0x1b here and 0x2b on
 * Linux).  Linux keeps the new selector and base for that thread alone,
 * across every switch, and nothing else changes: other processes and
 * threads keep their own selectors (0) and their own FS base (musl's
 * thread pointer, behind errno), and the kernel keeps its GS (our kernel
 * reaches its per-CPU data through GS with swapgs).  Checked here, on our
 * kernel and on Linux:
 *
 *   - the loader sees base 0: ARCH_GET_FS says 0, a read through %fs of
 *     an address reads that address, and %fs:0 faults;
 *   - processes that load FS, GS or both run beside processes that use
 *     TLS, yielding, sleeping and being preempted, so that switches go
 *     both ways many times; each keeps exactly its own;
 *   - the same between two LWPs of one process (native: lwp_create);
 *   - after a user GS load, system calls, preemption, demand-zero page
 *     faults and fatal faults (a page fault, a bad selector) all still
 *     work, and fork copies the selectors;
 *   - ARCH_SET_FS puts a null selector back with the base; execve starts
 *     the new program with null selectors and its own TLS.
 *
 * Code that runs with FS loaded cannot use libc (errno and everything
 * else behind the thread pointer would read near address 0): it uses the
 * test_raw* calls and reports through its exit status (the SEG_* codes),
 * or first puts its TLS back with ARCH_SET_FS.  On the kernel before the
 * fix, a process that shared the loader's stored FS base ran with the
 * loader's base 0 and died at its first errno, and selectors leaked
 * between processes.
 */

#include "ut.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ULL

/* Exit codes of processes that run with FS or GS loaded. */
enum {
	SEG_OK = 0,
	SEG_FS_SELECTOR = 10, /* %fs no longer holds what was loaded */
	SEG_GS_SELECTOR,      /* %gs likewise */
	SEG_FS_BASE_GET,      /* ARCH_GET_FS is not 0 */
	SEG_FS_BASE_READ,     /* a read through %fs missed the marker */
	SEG_GS_BASE_READ,     /* a read through %gs missed the marker */
	SEG_SYSCALL,          /* a system call failed */
	SEG_CHILD,            /* a child did not end as expected */
	SEG_SET_FS,           /* ARCH_SET_FS did not put back a null %fs */
};

static const char *
seg_code_str(int code)
{
	switch (code) {
	case SEG_FS_SELECTOR:
		return "%fs no longer held the loaded selector";
	case SEG_GS_SELECTOR:
		return "%gs no longer held the loaded selector";
	case SEG_FS_BASE_GET:
		return "ARCH_GET_FS did not say 0";
	case SEG_FS_BASE_READ:
		return "a read through %fs missed (base not 0)";
	case SEG_GS_BASE_READ:
		return "a read through %gs missed (base not 0)";
	case SEG_SYSCALL:
		return "a system call failed";
	case SEG_CHILD:
		return "its child did not end as expected";
	case SEG_SET_FS:
		return "ARCH_SET_FS left a selector in %fs";
	default:
		return "unexpected status";
	}
}

/* What reads through a segment with base 0 must find. */
static volatile uint64_t seg_marker = 0x5e65e65e65e65e6ULL;

/* ARCH_GET_FS through the raw call: the base, or ~0 if the call fails. */
static uint64_t
raw_get_fs(void)
{
	uint64_t base = ~0ULL;

	if (test_raw3(SYS_arch_prctl, ARCH_GET_FS, (long)&base, 0) != 0)
		return ~0ULL;
	return base;
}

static void
raw_yield(void)
{
	test_raw0(SYS_sched_yield);
}

static void
raw_sleep(uint64_t ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };

	test_raw3(SYS_nanosleep, (long)&ts, 0, 0);
}

/* CLOCK_MONOTONIC by the raw call. */
static uint64_t
raw_now(void)
{
	struct timespec ts = { 0, 0 };

	test_raw3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Which segments a loader loads. */
#define LOAD_FS 1
#define LOAD_GS 2

/*
 * Check the loaded state: the selectors in place, base 0 behind each.
 * Returns SEG_OK or the first problem.
 */
static int
loaded_ok(int which, uint16_t sel)
{
	if ((which & LOAD_FS) != 0) {
		if (test_fs_sel() != sel)
			return SEG_FS_SELECTOR;
		if (ut_fs_read64(&seg_marker) != seg_marker)
			return SEG_FS_BASE_READ;
	}
	if ((which & LOAD_GS) != 0) {
		if (test_gs_sel() != sel)
			return SEG_GS_SELECTOR;
		if (ut_gs_read64(&seg_marker) != seg_marker)
			return SEG_GS_BASE_READ;
	}
	return SEG_OK;
}

/* Spin about `ns`, checking all along; long enough to be preempted. */
static int
spin_checking(int which, uint16_t sel, uint64_t ns)
{
	uint64_t end = raw_now() + ns;
	int r;

	while (raw_now() < end)
		for (int i = 0; i < 1000; i++)
			if ((r = loaded_ok(which, sel)) != SEG_OK)
				return r;
	return SEG_OK;
}

/*
 * A loader process: load `which` with the user data selector, then
 * `rounds` times yield, sometimes sleep, sometimes spin past a time
 * slice, checking after each.  Never returns.
 */
static _Noreturn void
loader(int which, int rounds)
{
	uint16_t sel = test_ss_sel();
	int r;

	if ((which & LOAD_FS) != 0)
		test_load_fs(sel);
	if ((which & LOAD_GS) != 0)
		test_load_gs(sel);
	if ((which & LOAD_FS) != 0 && raw_get_fs() != 0)
		test_raw_exit(SEG_FS_BASE_GET);
	for (int i = 0; i < rounds; i++) {
		if ((r = loaded_ok(which, sel)) != SEG_OK)
			test_raw_exit(r);
		if (i % 16 == 5)
			raw_sleep(1 * MS);
		else if (i % 64 == 33)
			r = spin_checking(which, sel, 25 * MS);
		else
			raw_yield();
		if (r != SEG_OK)
			test_raw_exit(r);
		if ((which & LOAD_FS) != 0 && raw_get_fs() != 0)
			test_raw_exit(SEG_FS_BASE_GET);
	}
	test_raw_exit(SEG_OK);
}

/* Wait for a loader process and fail with what its status means. */
static void
expect_seg_exit(pid_t pid, const char *what)
{
	int status = test_wait(pid);
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == SEG_OK)
		return;
	test_status_str(status, how, sizeof(how));
	if (WIFEXITED(status))
		test_fail("%s %s: %s", what, how,
		    seg_code_str(WEXITSTATUS(status)));
	test_fail("%s %s", what, how);
}

/*
 * This process's own FS and GS are as they started: null selectors, the
 * same FS base, and errno (behind the thread pointer) working.
 */
static void
expect_own_tls(uint64_t fsbase, const char *when)
{
	uint16_t fs = test_fs_sel(), gs = test_gs_sel();
	uint64_t now = raw_get_fs();

	test_assert_msg(fs == 0 && gs == 0,
	    "%s: this process's selectors became fs 0x%x gs 0x%x; expected "
	    "0 and 0",
	    when, fs, gs);
	test_assert_msg(now == fsbase,
	    "%s: ARCH_GET_FS says 0x%llx; expected 0x%llx", when,
	    (unsigned long long)now, (unsigned long long)fsbase);
	errno = 0;
	test_expect_errno(close(-1), EBADF, "close(-1) through libc's errno");
}

/* ---------------------------------------------------------------------
 * The loader itself.
 */

/*
 * ARCH_GET_FS after a segment load gives the base the load set (0), and
 * a read through %fs reads that address; ARCH_SET_FS then restores the
 * TLS with a null selector.
 */
static void
t_seg_fs_load_own_base(void)
{
	uint64_t fsbase = raw_get_fs(), got;
	uint16_t sel = test_ss_sel(), fs;
	int code = SEG_OK;

	test_assert_msg(fsbase != 0 && fsbase != ~0ULL, "ARCH_GET_FS: 0x%llx",
	    (unsigned long long)fsbase);
	test_load_fs(sel);
	/* No libc from here until ARCH_SET_FS. */
	got = raw_get_fs();
	if (got != 0)
		code = SEG_FS_BASE_GET;
	else if (loaded_ok(LOAD_FS, sel) != SEG_OK)
		code = SEG_FS_BASE_READ;
	for (int i = 0; code == SEG_OK && i < 20; i++) {
		raw_yield();
		code = loaded_ok(LOAD_FS, sel);
	}
	if (test_raw3(SYS_arch_prctl, ARCH_SET_FS, (long)fsbase, 0) != 0)
		test_raw_exit(SEG_SYSCALL);
	fs = test_fs_sel();
	/* libc works again. */
	test_assert_msg(code == SEG_OK,
	    "after mov 0x%x to %%fs: %s (ARCH_GET_FS said 0x%llx)", sel,
	    seg_code_str(code), (unsigned long long)got);
	test_expect_eq(fs, 0, "%fs after ARCH_SET_FS");
	test_expect_eq(raw_get_fs(), fsbase, "ARCH_GET_FS after ARCH_SET_FS");
	expect_own_tls(fsbase, "after ARCH_SET_FS");
}

/* %fs:0 with base 0 is address 0: the read faults. */
static void
read_fs_zero(void *arg)
{
	(void)arg;
	test_load_fs(test_ss_sel());
	ut_fs_read64((const void *)0);
	test_raw_exit(0);
}

static void
t_seg_fs_zero_faults(void)
{
	test_expect_child_signal(read_fs_zero, NULL, SIGSEGV,
	    "a read of %fs:0 after loading %fs");
}

/* ---------------------------------------------------------------------
 * Switches between loaders and processes that use TLS.
 */

/* Loader i (of `which`) ended with wait status `status`: fail if not 0. */
static void
loader_ended(int i, int which, int status)
{
	char how[80];

	if (WIFEXITED(status) && WEXITSTATUS(status) == SEG_OK)
		return;
	test_status_str(status, how, sizeof(how));
	test_fail("loader %d (%s%s) %s: %s", i, which & LOAD_FS ? "fs" : "",
	    which & LOAD_GS ? " gs" : "", how,
	    WIFEXITED(status) ? seg_code_str(WEXITSTATUS(status)) : "killed");
}

/*
 * Loaders of FS, of GS and of both run beside this process and a plain
 * child, all of them yielding, sleeping and spinning: each keeps its
 * own.  This process and the plain child use libc's errno all along.
 */
static void
t_seg_switches(void)
{
	static const int loads[] = { LOAD_FS, LOAD_GS, LOAD_FS | LOAD_GS,
		LOAD_FS };
	enum {
		NLOADERS = sizeof(loads) / sizeof(loads[0])
	};
	uint64_t fsbase = raw_get_fs(), deadline;
	pid_t pids[NLOADERS], plain;
	int left = NLOADERS + 1, status;

	expect_own_tls(fsbase, "before");
	for (int i = 0; i < NLOADERS; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0)
			loader(loads[i], 300);
	}
	plain = test_fork();
	if (plain == 0) {
		for (int i = 0; i < 600; i++) {
			expect_own_tls(fsbase, "in a plain child");
			if (i % 50 == 7)
				test_sleep_ns(25 * MS);
			else
				sched_yield();
		}
		_exit(0);
	}
	deadline = test_now_ns() + 40000 * MS;
	for (int round = 0; left > 0; round++) {
		expect_own_tls(fsbase, "in the parent");
		for (int i = 0; i < NLOADERS; i++) {
			if (pids[i] == 0 ||
			    wait4(pids[i], &status, WNOHANG, NULL) != pids[i])
				continue;
			loader_ended(i, loads[i], status);
			pids[i] = 0;
			left--;
		}
		if (plain > 0 &&
		    wait4(plain, &status, WNOHANG, NULL) == plain) {
			left--;
			test_assert_msg(status == 0,
			    "the plain child ended with status 0x%x", status);
			plain = 0;
		}
		test_assert_msg(test_now_ns() < deadline,
		    "the children did not finish in 40 s");
		if (round % 40 == 39)
			test_sleep_ns(2 * MS);
		else
			sched_yield();
	}
	expect_own_tls(fsbase, "after");
}

/* Two LWPs of one process: one loads FS and GS, the other uses TLS. */
struct lwp_seg {
	volatile int done; /* 0 running, else SEG_OK + 1 or code + 1 */
};

static void
lwp_loader(void *arg)
{
	struct lwp_seg *ls = arg;
	uint16_t sel = test_ss_sel();
	int r = SEG_OK;

	test_load_fs(sel);
	test_load_gs(sel);
	for (int i = 0; i < 300 && r == SEG_OK; i++) {
		r = loaded_ok(LOAD_FS | LOAD_GS, sel);
		if (r == SEG_OK && raw_get_fs() != 0)
			r = SEG_FS_BASE_GET;
		if (r != SEG_OK)
			break;
		if (i % 64 == 33)
			r = spin_checking(LOAD_FS | LOAD_GS, sel, 25 * MS);
		else
			raw_yield();
	}
	ls->done = r + 1;
	test_raw_lwp_exit();
}

static void
t_seg_lwp_own(void)
{
	static struct lwp_seg ls;
	uint64_t fsbase = raw_get_fs(), deadline = test_now_ns() + 40000 * MS;
	char *stack = malloc(64 * 1024);
	struct lwp_params p = { 0 };
	int tid = -1;

	test_assert(stack != NULL);
	p.lwp_func = lwp_loader;
	p.lwp_arg = &ls;
	/* The top, 16-aligned, minus 8: as after a call. */
	p.lwp_stack = (void *)((((uintptr_t)stack + 64 * 1024) & ~15UL) - 8);
	p.lwp_tid1 = &tid;
	test_expect_eq(test_raw1(SYS_lwp_create, (long)&p), 0, "lwp_create");
	while (ls.done == 0) {
		expect_own_tls(fsbase, "in the LWP that did not load");
		test_assert_msg(test_now_ns() < deadline,
		    "the loading LWP did not finish in 40 s");
		sched_yield();
	}
	test_expect_eq(test_raw1(SYS_lwp_wait, tid), 0, "lwp_wait");
	test_assert_msg(ls.done == SEG_OK + 1, "the loading LWP: %s",
	    seg_code_str(ls.done - 1));
	expect_own_tls(fsbase, "after");
}

/* ---------------------------------------------------------------------
 * The kernel's own GS.
 */

/* A child of the GS loader: fork copied the selector; then a fault. */
static _Noreturn void
gs_child_faults(uint16_t sel, int how)
{
	volatile char *volatile unmapped = (volatile char *)16;

	if (test_gs_sel() != sel)
		test_raw_exit(SEG_GS_SELECTOR);
	if (ut_gs_read64(&seg_marker) != seg_marker)
		test_raw_exit(SEG_GS_BASE_READ);
	if (how == 0)
		*unmapped = 1; /* page fault */
	else
		test_load_fs(0x13); /* a ring-0 selector: #GP */
	test_raw_exit(0);
}

/*
 * Load the user data selector into %gs, then make system calls, sleep,
 * be preempted, take demand-zero page faults, copy through a pipe, and
 * have children that inherit the selector die of a page fault and a
 * general protection fault: the kernel (which reaches its per-CPU data
 * through GS) goes on, and %gs is still ours.
 */
static _Noreturn void
gs_loader(void)
{
	uint16_t sel = test_ss_sel();
	int fds[2], r, status;
	long pid, page = 4096;
	char *mem, buf[64];

	if (test_raw1(SYS_pipe, (long)fds) != 0)
		test_raw_exit(SEG_SYSCALL);
	mem = (char *)test_raw6(SYS_mmap, 0, 64 * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((long)mem < 0 && (long)mem > -4096)
		test_raw_exit(SEG_SYSCALL);
	memset(buf, 'g', sizeof(buf));
	test_load_gs(sel);
	for (int i = 0; i < 200; i++) {
		if (test_raw0(SYS_getpid) <= 0)
			test_raw_exit(SEG_SYSCALL);
		if ((r = loaded_ok(LOAD_GS, sel)) != SEG_OK)
			test_raw_exit(r);
		if (i < 64)
			mem[i * page] = (char)i; /* demand-zero fault */
		if (test_raw3(SYS_write, fds[1], (long)buf, sizeof(buf)) !=
			sizeof(buf) ||
		    test_raw3(SYS_read, fds[0], (long)buf, sizeof(buf)) !=
			sizeof(buf) ||
		    buf[10] != 'g')
			test_raw_exit(SEG_SYSCALL);
		if (i % 20 == 3)
			raw_sleep(1 * MS);
		else if (i % 50 == 17)
			r = spin_checking(LOAD_GS, sel, 25 * MS);
		else
			raw_yield();
		if (r != SEG_OK)
			test_raw_exit(r);
	}
	for (int i = 0; i < 64; i++)
		if (mem[i * page] != (char)i)
			test_raw_exit(SEG_SYSCALL);
	for (int how = 0; how < 2; how++) {
		pid = test_raw0(SYS_fork);
		if (pid == 0)
			gs_child_faults(sel, how);
		status = 0;
		if (pid < 0 ||
		    test_raw6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) !=
			pid ||
		    !WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
			test_raw_exit(SEG_CHILD);
	}
	test_raw_exit(loaded_ok(LOAD_GS, sel));
}

static void
t_seg_gs_kernel_survives(void)
{
	uint64_t fsbase = raw_get_fs();
	pid_t pid = test_fork();

	if (pid == 0)
		gs_loader();
	for (int i = 0; i < 200; i++) {
		expect_own_tls(fsbase, "beside the GS loader");
		sched_yield();
	}
	expect_seg_exit(pid, "the GS loader");
	expect_own_tls(fsbase, "after");
	test_expect_eq(syscall(SYS_getpid), getpid(), "getpid");
}

/* ---------------------------------------------------------------------
 * execve.
 */

/*
 * A process with FS and GS loaded runs this program's "segs" helper: it
 * starts with null selectors (and so, with musl's TLS working, prints).
 */
static void
t_seg_exec_resets(void)
{
	char *argv[] = { (char *)test_self, UT_HELPER, "segs", NULL };
	char *envp[] = { NULL };
	char out[64];
	long n = 0, r;
	int p[2], status;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		uint16_t sel = test_ss_sel();

		close(p[0]);
		if (dup2(p[1], 1) != 1)
			_exit(126);
		test_load_fs(sel);
		test_load_gs(sel);
		test_raw3(SYS_execve, (long)test_self, (long)argv, (long)envp);
		test_raw_exit(127);
	}
	close(p[1]);
	while (n < (long)sizeof(out) - 1 &&
	    (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	status = test_wait(pid);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the helper ended with status 0x%x", status);
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
	test_assert_msg(strcmp(out, "fs 0x0 gs 0x0") == 0,
	    "the new program reported \"%s\"; expected \"fs 0x0 gs 0x0\"", out);
}

const struct test ut_seg_tests[] = {
	{ "seg_fs_load_own_base", t_seg_fs_load_own_base, NULL },
	{ "seg_fs_zero_faults", t_seg_fs_zero_faults, NULL },
	{ "seg_switches", t_seg_switches, NULL },
	{ "seg_lwp_own", t_seg_lwp_own, "native call (lwp_create)" },
	{ "seg_gs_kernel_survives", t_seg_gs_kernel_survives, NULL },
	{ "seg_exec_resets", t_seg_exec_resets, NULL },
	{ NULL, NULL, NULL },
};
