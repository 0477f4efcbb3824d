/*
 * oom.c: running out of memory (our kernel only: on Linux these would
 * push the host into its OOM killer).  A process touches anonymous
 * memory until the kernel has none left, and a process forks children
 * that each touch a share of memory until something gives.  Either
 * outcome is fine (a clean ENOMEM from mmap or fork, or SIGKILL for the
 * process whose page fault found no memory), as long as the kernel goes
 * on and afterwards every page is free again: the free page count must
 * come back to its value before the test.
 *
 * Meant for -m 64M; on a machine with more than 512 MiB the tests only
 * say so and pass, since filling it under TCG takes minutes.
 *
 * Processes that are not part of the hog may be killed too if they
 * need a page while memory is gone (a copy-on-write fault of the
 * runner, say).  So each test first makes the processes above the hog
 * write every page they will write while it runs, then lets it start.
 */

#include "vt.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P TEST_PAGE
#define CHUNK (1024 * 1024)      /* the hog's mmap size */
#define MAX_MEMORY (512UL << 20) /* larger machines: skip */
#define SETTLE_MS 5000

/*
 * Write this process's stack below the caller, so that later calls at
 * the same depth copy no page (fork left the stack shared).
 */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile unsigned char pad[32 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += 256)
		pad[i] = 0;
}

/*
 * The kernel's counters now, after the caller's own memory is settled;
 * or 0 if the machine is too large for this test (a note says so).
 */
static int
baseline(struct kstat *ks)
{
	test_expect_eq(test_kstat(ks), 0, "kstat");
	if (ks->ks_pages_total * P > MAX_MEMORY) {
		test_note(
		    "%llu MiB of memory: not filling it under TCG (run with "
		    "-m 64M)",
		    (unsigned long long)(ks->ks_pages_total * P >> 20));
		return 0;
	}
	return 1;
}

/* Every counter back to *before, and a fresh child can use memory. */
static void
expect_recovered(const struct kstat *before)
{
	struct kstat after;
	char diff[256];
	pid_t pid;

	if (!test_kstat_settle(before, &after, SETTLE_MS, diff, sizeof(diff)))
		test_fail("after running out of memory: %s", diff);
	pid = test_fork();
	if (pid == 0) {
		unsigned char *a = test_map(CHUNK);
		vt_fill(a, CHUNK / P, 0x600d);
		vt_expect_pages(a, CHUNK / P, 0x600d, "memory after the storm");
		_exit(0);
	}
	test_expect_exit(pid, 0, "a child using 1 MiB afterwards");
	if (!test_kstat_settle(before, &after, SETTLE_MS, diff, sizeof(diff)))
		test_fail("after the last child: %s", diff);
}

/* ---------------------------------------------------------------------
 * One process.
 */

/*
 * The hog: map and touch 1 MiB at a time until mmap fails (exit 0 with
 * ENOMEM, exit 2 with another errno) or a fault kills it.  Exit 3 if
 * it touched twice the machine's memory without either: pages are not
 * being counted.  *progress counts the chunks, in shared memory.
 */
static _Noreturn void
hog(volatile uint64_t *progress, uint64_t limit_chunks)
{
	for (;;) {
		long r = test_mmap(0, CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == -1)
			_exit(errno == ENOMEM ? 0 : 2);
		for (size_t i = 0; i < CHUNK; i += P)
			((volatile unsigned char *)r)[i] = 1;
		if (++*progress > limit_chunks)
			_exit(3);
	}
}

static void
t_touch(void)
{
	volatile uint64_t *progress;
	struct kstat before;
	int go[2], status;
	char how[80];
	pid_t pid;

	progress = (volatile uint64_t *)test_mmap(0, P, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	test_assert(progress != MAP_FAILED);
	*progress = 0;
	test_pipe(go);
	warm_stack();
	if (!baseline(&before))
		goto out;

	pid = test_fork();
	if (pid == 0) {
		close(go[1]);
		test_recv(go[0]);
		hog(progress, 2 * before.ks_pages_total * P / CHUNK);
	}
	warm_stack();
	/* Give the runner time to write its own pages first. */
	test_sleep_ns(50 * 1000000);
	test_send(go[1]);
	status = test_wait(pid);
	test_status_str(status, how, sizeof(how));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		test_note("mmap failed with ENOMEM after %llu MiB",
		    (unsigned long long)*progress);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		test_note("the hog was killed by SIGKILL after %llu MiB",
		    (unsigned long long)*progress);
	else
		test_fail(
		    "the hog %s after %llu MiB (want SIGKILL, or exit 0 "
		    "on ENOMEM; 2 is another errno, 3 no failure in twice "
		    "the memory)",
		    how, (unsigned long long)*progress);
	expect_recovered(&before);
out:
	close(go[0]);
	close(go[1]);
	munmap((void *)progress, P);
}

/* ---------------------------------------------------------------------
 * Fork and touch.
 */

#define SHARES 32 /* each child touches 1/32 of the memory */
#define MAX_CHILDREN 1024

/* What the manager and its children share. */
struct storm {
	uint64_t ready;    /* children that touched their share */
	uint64_t children; /* children forked */
	int fork_errno;    /* why fork failed, or 0 */
	int killed;        /* children found killed by SIGKILL */
};

/*
 * A child: touch `pages` pages of fresh memory, say so, and wait for the
 * pipe to close.
 */
static _Noreturn void
storm_child(volatile struct storm *s, int release, size_t pages)
{
	long r = test_mmap(0, pages * P, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	if (r == -1)
		_exit(errno == ENOMEM ? 0 : 2);
	for (size_t i = 0; i < pages; i++)
		((volatile unsigned char *)r)[i * P] = 1;
	__atomic_add_fetch(&s->ready, 1, __ATOMIC_SEQ_CST);
	_exit(read(release, &c, 1) == 0 ? 0 : 4);
}

/*
 * The manager: fork children one at a time, each touching its share,
 * until fork fails, a child dies (killed for want of a page, or ENOMEM
 * from its mmap), or MAX_CHILDREN.  Then close the pipe the children
 * wait on and reap them all.  It may be killed itself if it needs a page
 * when there is none; its children then see the pipe close and exit.
 */
static _Noreturn void
storm_manager(volatile struct storm *s, size_t pages)
{
	static pid_t pids[MAX_CHILDREN];
	int release[2], status;
	int n = 0, stopped = 0;

	test_pipe(release);
	warm_stack();
	while (!stopped && n < MAX_CHILDREN) {
		pid_t pid = fork();
		if (pid < 0) {
			s->fork_errno = errno;
			break;
		}
		if (pid == 0) {
			close(release[1]);
			storm_child(s, release[0], pages);
		}
		pids[n++] = pid;
		s->children = n;
		/* Wait until it is ready or gone. */
		while (s->ready < (uint64_t)n) {
			if (wait4(pid, &status, WNOHANG, NULL) == pid) {
				if (WIFSIGNALED(status) &&
				    WTERMSIG(status) == SIGKILL)
					s->killed++;
				pids[--n] = 0;
				stopped = 1;
				break;
			}
			test_sleep_ns(1000000);
		}
	}
	close(release[1]);
	close(release[0]);
	for (int i = 0; i < n; i++) {
		wait4(pids[i], &status, 0, NULL);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			s->killed++;
	}
	_exit(0);
}

static void
t_fork_touch(void)
{
	volatile struct storm *s;
	struct kstat before;
	int status;
	char how[80];
	pid_t pid;

	s = (volatile struct storm *)test_mmap(0, P, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	test_assert(s != MAP_FAILED);
	memset((void *)s, 0, sizeof(*s));
	warm_stack();
	if (!baseline(&before))
		goto out;

	pid = test_fork();
	if (pid == 0) {
		/* Give the runner and the test time to write their pages. */
		test_sleep_ns(50 * 1000000);
		storm_manager(s, before.ks_pages_total / SHARES);
	}
	warm_stack();
	status = test_wait(pid);
	test_status_str(status, how, sizeof(how));
	test_note("%llu children forked, %llu touched their %llu KiB, fork "
		  "errno %s, %d killed; the manager %s",
	    (unsigned long long)s->children, (unsigned long long)s->ready,
	    (unsigned long long)(before.ks_pages_total / SHARES * P / 1024),
	    s->fork_errno ? test_errname(s->fork_errno) : "-", s->killed, how);
	test_assert_msg((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
	    "the manager %s (want exit 0 or SIGKILL)", how);
	test_assert_msg(s->fork_errno == 0 || s->fork_errno == ENOMEM ||
		s->fork_errno == EAGAIN,
	    "fork failed with %s (want ENOMEM or "
	    "EAGAIN)",
	    test_errname(s->fork_errno));
	test_assert_msg(s->children < MAX_CHILDREN,
	    "%d children each holding "
	    "1/%d of the memory and no failure: pages are not being counted",
	    MAX_CHILDREN, SHARES);
	expect_recovered(&before);
out:
	munmap((void *)s, P);
}

const struct test vt_oom_tests[] = {
	{ "oom_touch", t_touch, "would run the host out of memory" },
	{ "oom_fork_touch", t_fork_touch, "would run the host out of memory" },
	{ NULL, NULL, NULL },
};
