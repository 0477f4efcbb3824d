/*
 * proc.c: processes and threads together.
 *
 *   - fork_from_thread: a thread forks; the child has that one thread
 *     and can make threads of its own;
 *   - exec_from_threads: exec from the main thread and from another one
 *     while threads sleep in futex waits;
 *   - vfork: the parent waits until the child exits or execs, and shares
 *     its memory meanwhile;
 *   - posix_spawn, popen, system: musl's, on clone(CLONE_VM|CLONE_VFORK);
 *   - clone_fork: clone(SIGCHLD) with CHILD_SETTID/CLEARTID, as glibc's
 *     fork; clone_vm and clone_files: a process sharing the memory or
 *     the fd table of its parent.
 * The helpers (th_helper_main) run in programs these tests exec.
 */

#include "th.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int th_helper_main_exit(int fd); /* pthread.c */

static void *
hl_worker(void *arg)
{
	return (void *)((long)arg + 1);
}

/* Helper exit N: make a thread, join it, exit with N. */
static int
helper_exit(int code)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, hl_worker, (void *)41L) != 0)
		return 90;
	if (pthread_join(t, &ret) != 0 || ret != (void *)42L)
		return 91;
	return code;
}

int
th_helper_main(int argc, char **argv)
{
	if (strcmp(argv[0], "exit") == 0 && argc >= 2)
		return helper_exit(atoi(argv[1]));
	if (strcmp(argv[0], "main_pthread_exit") == 0 && argc >= 2)
		return th_helper_main_exit(atoi(argv[1]));
	if (strcmp(argv[0], "echo") == 0 && argc >= 2) {
		printf("%s\n", argv[1]);
		return 0;
	}
	return 99;
}

void
th_exec_helper(const char *name, const char *arg)
{
	char *argv[] = { (char *)test_self, TH_HELPER, (char *)name,
		(char *)arg, NULL };

	execve(test_self, argv, environ);
	_exit(98);
}

/* ---------------------------------------------------------------------
 * fork_from_thread
 */

static void *
ff_forker(void *arg)
{
	pid_t pid;
	int st;

	(void)arg;
	pid = fork();
	if (pid < 0)
		return (void *)1L;
	if (pid == 0) {
		/* One thread here; musl's state is reset: threads work. */
		_exit(helper_exit(7));
	}
	if (waitpid(pid, &st, 0) != pid)
		return (void *)2L;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return (void *)(long)(0x1000 | st);
	return NULL;
}

static volatile int ff_stop;

static void *
ff_spinner(void *arg)
{
	(void)arg;
	while (!ff_stop)
		sched_yield();
	return NULL;
}

static void
t_fork_from_thread(void)
{
	pthread_t f[4], s;

	th_create(&s, ff_spinner, NULL);
	for (int i = 0; i < 4; i++)
		th_create(&f[i], ff_forker, NULL);
	for (int i = 0; i < 4; i++) {
		long r = (long)th_join(f[i]);

		test_assert_msg(r == 0,
		    "forker %d: %ld (1: fork failed, 2: waitpid failed, "
		    "0x1000|status: the child's status)",
		    i, r);
	}
	ff_stop = 1;
	th_join(s);
}

/* ---------------------------------------------------------------------
 * exec_from_threads
 */

static volatile uint32_t ex_word;

static void *
ex_sleeper(void *arg)
{
	(void)arg;
	for (;;)
		th_futex(&ex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void *
ex_execer(void *arg)
{
	(void)arg;
	test_sleep_ns(10 * 1000 * 1000);
	th_exec_helper("exit", "43");
}

static void
ex_child(void *arg)
{
	pthread_t t;
	int from_thread = (int)(long)arg;

	for (int i = 0; i < 6; i++)
		if (pthread_create(&t, NULL, ex_sleeper, NULL) != 0)
			_exit(90);
	if (from_thread) {
		if (pthread_create(&t, NULL, ex_execer, NULL) != 0)
			_exit(90);
		for (;;)
			th_futex(&ex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL,
			    0);
	}
	test_sleep_ns(10 * 1000 * 1000);
	th_exec_helper("exit", "42");
}

static void
t_exec_from_threads(void)
{
	int st;

	st = test_child_status(ex_child, (void *)0L);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	    "exec from the main thread: status %#x, want exit 42", st);
	st = test_child_status(ex_child, (void *)1L);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 43,
	    "exec from another thread: status %#x, want exit 43", st);
}

/* ---------------------------------------------------------------------
 * vfork
 */

static volatile int vf_shared;

static void
t_vfork(void)
{
	pid_t pid;
	int st;

	vf_shared = 0;
	pid = vfork();
	if (pid == 0) {
		/* The parent is stopped: it must see this when it resumes. */
		test_raw6(SYS_nanosleep,
		    (long)&(struct timespec) { 0, 20000000 }, 0, 0, 0, 0, 0);
		vf_shared = 1;
		_exit(6);
	}
	test_assert_msg(pid > 0, "vfork: %s", test_errname(errno));
	test_expect_eq(vf_shared, 1,
	    "the child's store, seen as soon as vfork returns");
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 6,
	    "the child's status %#x, want exit 6", st);

	/* vfork then exec: the parent resumes at the exec. */
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { (char *)test_self, TH_HELPER, "exit", "12",
			NULL };

		execve(test_self, argv, environ);
		_exit(98);
	}
	test_assert_msg(pid > 0, "vfork: %s", test_errname(errno));
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 12,
	    "the exec'd child's status %#x, want exit 12", st);
}

/* ---------------------------------------------------------------------
 * posix_spawn, popen, system
 */

static void
t_posix_spawn(void)
{
	char *argv[] = { (char *)test_self, TH_HELPER, "exit", "17", NULL };
	char *bad[] = { "/no/such/program", NULL };
	pid_t pid;
	int e, st;

	e = posix_spawn(&pid, test_self, NULL, NULL, argv, environ);
	test_assert_msg(e == 0, "posix_spawn: %s", test_errname(e));
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 17,
	    "the spawned child's status %#x, want exit 17", st);

	/* The exec's failure comes back through posix_spawn. */
	e = posix_spawn(&pid, bad[0], NULL, NULL, bad, environ);
	test_assert_msg(e == ENOENT, "posix_spawn of a missing program: %s",
	    test_errname(e));
}

/* Whether /bin/sh exists, which popen and system run. */
static int
have_sh(void)
{
	int fd = open("/bin/sh", O_RDONLY);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void
t_popen(void)
{
	char cmd[256], buf[64] = { 0 };
	FILE *f;
	int st;

	if (!have_sh())
		test_skip("no /bin/sh here (Linux's initramfs)");
	snprintf(cmd, sizeof(cmd), "%s %s echo popen-works", test_self,
	    TH_HELPER);
	f = popen(cmd, "r");
	test_assert_msg(f != NULL, "popen: %s", test_errname(errno));
	test_assert_msg(fgets(buf, sizeof(buf), f) != NULL,
	    "nothing read from the command");
	st = pclose(f);
	test_assert_msg(strcmp(buf, "popen-works\n") == 0, "read \"%s\"", buf);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "pclose's status %#x", st);
}

static void
t_system(void)
{
	char cmd[256];
	int st;

	if (!have_sh())
		test_skip("no /bin/sh here (Linux's initramfs)");
	snprintf(cmd, sizeof(cmd), "%s %s exit 21", test_self, TH_HELPER);
	st = system(cmd);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 21,
	    "system's status %#x, want exit 21", st);
}

/* ---------------------------------------------------------------------
 * clone_fork, clone_vm, clone_files
 */

static void
t_clone_fork(void)
{
	volatile int ctid = -1;
	long pid;
	int st;

	pid = test_raw5(SYS_clone,
	    0x01000000 /* CHILD_SETTID */ | 0x00200000 /* CHILD_CLEARTID */ |
		SIGCHLD,
	    0, 0, &ctid, 0);
	if (pid == 0) {
		/* Our copy of ctid holds our pid (the same value as clone's). */
		test_raw_exit(ctid == getpid() ? 8 : 9);
	}
	test_assert_msg(pid > 0, "clone(SIGCHLD): %s", test_errname(-pid));
	test_expect_eq(ctid, -1, "the parent's ctid (the child's is a copy)");
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 8,
	    "the child's status %#x (exit 9: ctid was not its pid)", st);
}

static volatile int cv_word;

static int
cv_fn(void *arg)
{
	cv_word = (int)(long)arg;
	return 5;
}

static void
t_clone_vm(void)
{
	char *stack = test_map(64 * 1024);
	int st;
	pid_t pid;

	cv_word = 0;
	pid = clone(cv_fn, stack + 64 * 1024, CLONE_VM | SIGCHLD, (void *)77L);
	test_assert_msg(pid > 0, "clone(CLONE_VM|SIGCHLD): %s",
	    test_errname(errno));
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5,
	    "the child's status %#x, want exit 5", st);
	test_expect_eq(cv_word, 77, "the child's store in the shared memory");
}

static int cf_fd;

static int
cf_fn(void *arg)
{
	(void)arg;
	return close(cf_fd) == 0 ? 4 : 3;
}

static void
t_clone_files(void)
{
	char *stack = test_map(64 * 1024);
	int st, fds[2];
	pid_t pid;

	test_pipe(fds);
	cf_fd = fds[0];
	pid = clone(cf_fn, stack + 64 * 1024, CLONE_FILES | SIGCHLD, NULL);
	test_assert_msg(pid > 0, "clone(CLONE_FILES|SIGCHLD): %s",
	    test_errname(errno));
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 4,
	    "the child's status %#x, want exit 4", st);
	test_expect_errno(dup(fds[0]), EBADF,
	    "dup of the fd the child closed in the shared table");
	/* Without CLONE_FILES the table is a copy. */
	cf_fd = fds[1];
	pid = clone(cf_fn, stack + 64 * 1024, SIGCHLD, NULL);
	test_assert_msg(pid > 0, "clone(SIGCHLD): %s", test_errname(errno));
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	st = dup(fds[1]);
	test_expect_ok(st, "dup of the fd the child closed in its copy");
	close(st);
}

const struct test th_proc_tests[] = {
	{ "fork_from_thread", t_fork_from_thread, NULL },
	{ "exec_from_threads", t_exec_from_threads, NULL },
	{ "vfork", t_vfork, NULL },
	{ "posix_spawn", t_posix_spawn, NULL },
	{ "popen", t_popen, NULL },
	{ "system", t_system, NULL },
	{ "clone_fork", t_clone_fork, NULL },
	{ "clone_vm", t_clone_vm, NULL },
	{ "clone_files", t_clone_files, NULL },
	{ NULL, NULL, NULL },
};
