/*
 * clone3.c: clone3 as glibc's pthread_create and posix_spawn use it, and
 * every argument it refuses.
 *
 *   - clone3_fork: a process with SIGCHLD, as fork; its exit status;
 *   - clone3_exit_signal: no signal at all (reaped with __WALL), or
 *     SIGUSR1 (pending at the child's end);
 *   - clone3_stack: a process on a stack of its own, whose pointer is
 *     stack + stack_size;
 *   - clone3_vfork: CLONE_VM | CLONE_VFORK on a stack of its own: the
 *     caller waits until the child is gone, and sees what it wrote;
 *   - clone3_thread: glibc's flags for a thread (CLONE_THREAD,
 *     CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID), its id
 *     where parent_tid says, child_tid cleared and woken at its end;
 *   - clone3_clear_sighand: the child's handlers back to SIG_DFL, ignored
 *     signals still ignored;
 *   - clone3_sizes: shorter and longer structures, zeros past the known
 *     fields;
 *   - clone3_einval: every refusal, in Linux's order.
 * Children run raw calls only: they may share the caller's memory.
 */

#include "th.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h> /* struct clone_args, CLONE_* */

#define C3_STACK (64 * 1024)

/*
 * clone3(a, size); in the new LWP, fn(arg) on whatever stack it has, and
 * fn must end the LWP itself (raw calls only).  The caller gets the
 * kernel's result.
 */
static long
c3(struct clone_args *a, size_t size, void (*fn)(long), long arg)
{
	register long r12 __asm__("r12") = (long)fn;
	register long r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "and $-16, %%rsp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone3), "D"(a), "S"(size), "r"(r12),
			 "r"(r13)
			 : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory");
	return ret;
}

/* The process ends with status code. */
static _Noreturn void
c3_exit_group(long code)
{
	test_raw_exit((int)code);
}

/* Reap child pid, which must have exited with code. */
static void
c3_reap(long pid, int code)
{
	int status = test_wait((pid_t)pid);

	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == code,
	    "child %ld: status %#x, expected exit %d", pid, status, code);
}

/* Shared with the children: what they saw. */
static volatile long *c3_shared;

static void
c3_map_shared(void)
{
	c3_shared = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	test_assert(c3_shared != MAP_FAILED);
}

static void
t_clone3_fork(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	long pid = c3(&a, sizeof(a), c3_exit_group, 7);
	int status = 0;

	test_assert_msg(pid > 0, "clone3 as fork: %ld (%s)", pid,
	    test_errname((int)-pid));
	test_expect_eq(waitpid((pid_t)pid, &status, 0), pid, "waitpid");
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

static void
t_clone3_exit_signal(void)
{
	struct clone_args a = { .exit_signal = 0 };
	sigset_t set, pending;
	long pid;
	int status = 0;

	/* No signal: waitpid needs __WALL for such a child, as on Linux. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	test_assert(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	pid = c3(&a, sizeof(a), c3_exit_group, 3);
	test_assert(pid > 0);
	test_expect_eq(waitpid((pid_t)pid, &status, __WALL), pid,
	    "waitpid(__WALL)");
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	test_assert(sigpending(&pending) == 0);
	test_assert_msg(!sigismember(&pending, SIGCHLD),
	    "SIGCHLD from a child whose exit_signal is 0");

	/* SIGUSR1 as the exit signal. */
	a.exit_signal = SIGUSR1;
	pid = c3(&a, sizeof(a), c3_exit_group, 4);
	test_assert(pid > 0);
	test_expect_eq(waitpid((pid_t)pid, &status, __WALL), pid,
	    "waitpid(__WALL)");
	test_assert(sigpending(&pending) == 0);
	test_assert_msg(sigismember(&pending, SIGUSR1),
	    "no SIGUSR1 from a child whose exit_signal it is");
	test_assert(!sigismember(&pending, SIGCHLD));
}

/* Store the stack pointer at c3_shared[0], then exit 0. */
static void
c3_report_sp(long arg)
{
	long sp;

	(void)arg;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	c3_shared[0] = sp;
	c3_shared[1] = 1;
	test_raw_exit(0);
}

static void
t_clone3_stack(void)
{
	char *stack = test_map(C3_STACK);
	struct clone_args a = {
		.exit_signal = SIGCHLD,
		.stack = (uint64_t)stack,
		.stack_size = C3_STACK,
	};
	long pid;

	c3_map_shared();
	pid = c3(&a, sizeof(a), c3_report_sp, 0);
	test_assert(pid > 0);
	c3_reap(pid, 0);
	test_expect_eq(c3_shared[1], 1, "the child ran");
	test_assert_msg((char *)c3_shared[0] > stack &&
		(char *)c3_shared[0] <= stack + C3_STACK,
	    "the child's stack pointer %#lx, outside [%p, %p]",
	    (unsigned long)c3_shared[0], (void *)stack,
	    (void *)(stack + C3_STACK));
}

static void
t_clone3_vfork(void)
{
	char *stack = test_map(C3_STACK);
	struct clone_args a = {
		.flags = CLONE_VM | CLONE_VFORK,
		.exit_signal = SIGCHLD,
		.stack = (uint64_t)stack,
		.stack_size = C3_STACK,
	};
	long pid;

	c3_map_shared();
	c3_shared[1] = 0;
	pid = c3(&a, sizeof(a), c3_report_sp, 0);
	test_assert(pid > 0);
	/* The caller resumes only once the child is gone. */
	test_expect_eq(c3_shared[1], 1, "the child ran before the caller");
	c3_reap(pid, 0);
}

static volatile int c3_thread_ran;

/* A thread: mark, then exit the thread alone. */
static void
c3_thread_body(long arg)
{
	c3_thread_ran = (int)arg;
	for (;;)
		test_raw1(SYS_exit, 0);
}

static void
t_clone3_thread(void)
{
	static char tls[256] __attribute__((aligned(64)));
	char *stack = test_map(C3_STACK);
	volatile int ptid = 0, ctid = -1;
	struct clone_args a = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
		.exit_signal = 0,
		.stack = (uint64_t)stack,
		.stack_size = C3_STACK,
		.tls = (uint64_t)tls,
		.parent_tid = (uint64_t)&ptid,
		.child_tid = (uint64_t)&ctid,
	};
	long tid = c3(&a, sizeof(a), c3_thread_body, 42);
	int v;

	test_assert_msg(tid > 0, "clone3 of a thread: %ld (%s)", tid,
	    test_errname((int)-tid));
	test_expect_eq(ptid, tid, "parent_tid");
	/* Its end clears child_tid and wakes it (CLONE_CHILD_CLEARTID). */
	while ((v = ctid) != 0)
		th_futex((volatile uint32_t *)&ctid, FUTEX_WAIT, (uint32_t)v,
		    NULL, NULL, 0);
	test_expect_eq(c3_thread_ran, 42, "the thread ran");
	test_expect_eq(getpid(), test_raw0(SYS_getpid), "still one process");
}

static void
c3_report_sigaction(long arg)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} sa;

	(void)arg;
	test_raw4(SYS_rt_sigaction, SIGUSR1, 0, (long)&sa, 8);
	c3_shared[0] = (long)sa.handler;
	test_raw4(SYS_rt_sigaction, SIGUSR2, 0, (long)&sa, 8);
	c3_shared[1] = (long)sa.handler;
	c3_shared[2] = 1;
	test_raw_exit(0);
}

static void
c3_handler(int sig)
{
	(void)sig;
}

static void
t_clone3_clear_sighand(void)
{
	struct clone_args a = {
		.flags = CLONE_CLEAR_SIGHAND,
		.exit_signal = SIGCHLD,
	};
	long pid;

	c3_map_shared();
	test_assert(signal(SIGUSR1, c3_handler) != SIG_ERR);
	test_assert(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	pid = c3(&a, sizeof(a), c3_report_sigaction, 0);
	test_assert_msg(pid > 0, "clone3(CLONE_CLEAR_SIGHAND): %ld (%s)", pid,
	    test_errname((int)-pid));
	c3_reap(pid, 0);
	test_expect_eq(c3_shared[2], 1, "the child ran");
	test_expect_eq(c3_shared[0], (long)SIG_DFL,
	    "a caught signal's handler in the child");
	test_expect_eq(c3_shared[1], (long)SIG_IGN,
	    "an ignored signal in the child");
	/* The caller's own handlers stay. */
	test_expect_eq((long)signal(SIGUSR1, SIG_DFL), (long)c3_handler,
	    "the caller's handler");
}

static void
t_clone3_sizes(void)
{
	static uint8_t big[TEST_PAGE + 8];
	struct clone_args *a = (struct clone_args *)big;
	long pid;

	/* The first version's 64 bytes; then a page, zeros past 88. */
	memset(big, 0, sizeof(big));
	a->exit_signal = SIGCHLD;
	pid = c3(a, CLONE_ARGS_SIZE_VER0, c3_exit_group, 5);
	test_assert_msg(pid > 0, "size 64: %ld", pid);
	c3_reap(pid, 5);
	pid = c3(a, TEST_PAGE, c3_exit_group, 6);
	test_assert_msg(pid > 0, "size 4096 of zeros past the fields: %ld",
	    pid);
	c3_reap(pid, 6);
	big[CLONE_ARGS_SIZE_VER2] = 1;
	test_expect_raw_errno(c3(a, CLONE_ARGS_SIZE_VER2 + 8, c3_exit_group, 0),
	    E2BIG, "a byte past the fields not 0");
	test_expect_raw_errno(c3(a, TEST_PAGE + 1, c3_exit_group, 0), E2BIG,
	    "more than a page");
	/* Just past 88, but the last byte not 0. */
	big[CLONE_ARGS_SIZE_VER2] = 0;
	big[TEST_PAGE - 1] = 1;
	test_expect_raw_errno(c3(a, TEST_PAGE, c3_exit_group, 0), E2BIG,
	    "the page's last byte not 0");
	test_expect_raw_errno(c3((struct clone_args *)TEST_KERNEL_TEXT,
				  CLONE_ARGS_SIZE_VER0, c3_exit_group, 0),
	    EFAULT, "args in the kernel");
	test_expect_raw_errno(c3(NULL, CLONE_ARGS_SIZE_VER0, c3_exit_group, 0),
	    EFAULT, "args NULL");
}

static void
t_clone3_einval(void)
{
	static int tids[2];
	char *stack = test_map(TEST_PAGE);
	const struct {
		const char *what;
		struct clone_args a;
		size_t size;
	} cases[] = {
		{ "size 63", { .exit_signal = SIGCHLD }, 63 },
		{ "size 0", { .exit_signal = SIGCHLD }, 0 },
		{ "set_tid_size 33",
		    { .exit_signal = SIGCHLD,
			.set_tid = (uint64_t)tids,
			.set_tid_size = 33 },
		    sizeof(struct clone_args) },
		{ "set_tid_size without set_tid",
		    { .exit_signal = SIGCHLD, .set_tid_size = 1 },
		    sizeof(struct clone_args) },
		{ "set_tid without set_tid_size",
		    { .exit_signal = SIGCHLD, .set_tid = (uint64_t)tids },
		    sizeof(struct clone_args) },
		{ "exit_signal 65", { .exit_signal = 65 }, 64 },
		{ "exit_signal with bits past CSIGNAL",
		    { .exit_signal = 0x100 | SIGCHLD }, 64 },
		{ "CLONE_INTO_CGROUP with a cgroup above INT_MAX",
		    { .flags = CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = 1ULL << 31 },
		    sizeof(struct clone_args) },
		{ "CLONE_INTO_CGROUP with a size below 88",
		    { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD },
		    CLONE_ARGS_SIZE_VER1 },
		{ "an unknown flag", { .flags = 1ULL << 40 }, 64 },
		{ "CLONE_DETACHED", { .flags = CLONE_DETACHED }, 64 },
		{ "a CSIGNAL bit in flags", { .flags = SIGCHLD }, 64 },
		{ "CLONE_SIGHAND with CLONE_CLEAR_SIGHAND",
		    { .flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND },
		    64 },
		{ "CLONE_THREAD with an exit_signal",
		    { .flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD,
			.exit_signal = SIGCHLD },
		    64 },
		{ "CLONE_PARENT with an exit_signal",
		    { .flags = CLONE_PARENT, .exit_signal = SIGCHLD }, 64 },
		{ "a stack without a size",
		    { .exit_signal = SIGCHLD, .stack = (uint64_t)stack }, 64 },
		{ "a stack size without a stack",
		    { .exit_signal = SIGCHLD, .stack_size = TEST_PAGE }, 64 },
		{ "a stack outside user space",
		    { .exit_signal = SIGCHLD,
			.stack = TEST_NONCANON_HI,
			.stack_size = TEST_PAGE },
		    64 },
		{ "CLONE_THREAD without CLONE_SIGHAND",
		    { .flags = CLONE_VM | CLONE_THREAD }, 64 },
		{ "CLONE_SIGHAND without CLONE_VM", { .flags = CLONE_SIGHAND },
		    64 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct clone_args a = cases[i].a;
		long r = c3(&a, cases[i].size, c3_exit_group, 0);

		if (r > 0)
			test_wait(r);
		test_assert_msg(r == -EINVAL, "clone3 with %s: %ld (%s)",
		    cases[i].what, r,
		    r < 0 ? test_errname((int)-r) : "a child");
	}
}

const struct test th_clone3_tests[] = {
	{ "clone3_fork", t_clone3_fork, NULL },
	{ "clone3_exit_signal", t_clone3_exit_signal, NULL },
	{ "clone3_stack", t_clone3_stack, NULL },
	{ "clone3_vfork", t_clone3_vfork, NULL },
	{ "clone3_thread", t_clone3_thread, NULL },
	{ "clone3_clear_sighand", t_clone3_clear_sighand, NULL },
	{ "clone3_sizes", t_clone3_sizes, NULL },
	{ "clone3_einval", t_clone3_einval, NULL },
	{ NULL, NULL, NULL },
};
