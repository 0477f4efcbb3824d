/*
 * prio.c: getpriority (140) and setpriority (141), the nice values of
 * threads, and ioprio_get (252) and ioprio_set (251), as Linux's:
 *
 *   - a new process has nice 0; the raw call returns 20 - nice;
 *     /proc/PID/stat's fields 18 and 19 are 20 + nice and nice;
 *   - values are clamped to -20 .. 19; the errors are EINVAL (which),
 *     ESRCH (nobody), EPERM (another user's process), EACCES (lowering
 *     the value past RLIMIT_NICE without root);
 *   - nice values belong to threads: fork and clone copy the creator's,
 *     a thread's own change leaves the others alone;
 *   - PRIO_PGRP and PRIO_USER reach every process of the group or user,
 *     and getpriority reports the highest priority among them;
 *   - I/O priorities: the same targets, Linux's classes and checks, the
 *     default class none, inherited by fork.
 */

#include "sys.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Linux's ioprio encoding (linux/ioprio.h). */
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_VALUE(class, data) (((class) << IOPRIO_CLASS_SHIFT) | (data))
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

/* The raw call: 20 - nice, or -errno. */
static long
raw_getpriority(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

/* Fields 18 and 19 (priority and nice) of /proc/PID/stat. */
static void
stat_prio(pid_t pid, long *prio, long *nicev)
{
	char path[64], buf[1024], *p;
	int fd, field = 3;
	ssize_t n;

	sys_mount_proc();
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	test_expect_ok(fd, path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	test_assert_msg(n > 0, "read %s: %zd", path, n);
	buf[n] = 0;
	p = strrchr(buf, ')'); /* after the name, which may hold spaces */
	test_assert_msg(p != NULL && p[1] == ' ', "%s: %s", path, buf);
	p += 2;
	while (field < 18 && (p = strchr(p, ' ')) != NULL) {
		p++;
		field++;
	}
	test_assert_msg(p != NULL, "%s has fewer than 19 fields", path);
	*prio = strtol(p, &p, 10);
	*nicev = strtol(p, NULL, 10);
}

static void
expect_nice(int which, int who, int nice, const char *what)
{
	test_expect_eq(raw_getpriority(which, who), 20 - nice, what);
}

static void
t_prio_defaults(void)
{
	long prio, nicev;

	expect_nice(PRIO_PROCESS, 0, 0, "the caller's nice value");
	errno = 0;
	test_expect_eq(getpriority(PRIO_PROCESS, getpid()), 0,
	    "getpriority of its pid");
	test_expect_eq(errno, 0, "errno untouched");
	stat_prio(getpid(), &prio, &nicev);
	test_expect_eq(prio, 20, "stat's priority");
	test_expect_eq(nicev, 0, "stat's nice");
}

static void
t_prio_set_self(void)
{
	long prio, nicev;

	test_expect_ok(setpriority(PRIO_PROCESS, 0, 5), "nice 5");
	expect_nice(PRIO_PROCESS, 0, 5, "after setting 5");
	stat_prio(getpid(), &prio, &nicev);
	test_expect_eq(prio, 25, "stat's priority at nice 5");
	test_expect_eq(nicev, 5, "stat's nice at 5");
	test_expect_eq(nice(2), 7, "nice(2) adds");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, 100), "nice 100");
	expect_nice(PRIO_PROCESS, 0, 19, "clamped to 19");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, -100), "nice -100 (root)");
	expect_nice(PRIO_PROCESS, getpid(), -20, "clamped to -20");
	stat_prio(getpid(), &prio, &nicev);
	test_expect_eq(prio, 0, "stat's priority at -20");
	test_expect_eq(nicev, -20, "stat's nice at -20");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, 0), "back to 0");
}

static void
t_prio_errors(void)
{
	test_expect_errno(getpriority(3, 0), EINVAL, "getpriority which 3");
	test_expect_errno(setpriority(-1, 0, 0), EINVAL,
	    "setpriority which -1");
	test_expect_errno(getpriority(PRIO_PROCESS, 99998), ESRCH,
	    "getpriority of no process");
	test_expect_errno(setpriority(PRIO_PROCESS, 99998, 1), ESRCH,
	    "setpriority of no process");
	test_expect_errno(getpriority(PRIO_PGRP, 99998), ESRCH,
	    "getpriority of no group");
	test_expect_errno(getpriority(PRIO_USER, 77777), ESRCH,
	    "getpriority of no user's processes");
	test_expect_errno(setpriority(PRIO_USER, 77777, 3), ESRCH,
	    "setpriority of no user's processes");
}

static void
t_prio_permissions(void)
{
	struct rlimit rl = { 30, 30 };
	pid_t parent = getpid();

	test_expect_ok(setpriority(PRIO_PROCESS, 0, 5), "nice 5");
	test_expect_ok(setrlimit(RLIMIT_NICE, &rl), "RLIMIT_NICE 30");
	test_expect_ok(setresuid(1000, 1000, 1000), "setresuid 1000");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, 10), "up to 10");
	/* 20 - nice within RLIMIT_NICE: down to -10 is allowed. */
	test_expect_ok(setpriority(PRIO_PROCESS, 0, -5), "down to -5");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, -10), "down to -10");
	test_expect_errno(setpriority(PRIO_PROCESS, 0, -11), EACCES,
	    "down past RLIMIT_NICE");
	expect_nice(PRIO_PROCESS, 0, -10, "unchanged by the failure");
	rl.rlim_cur = 0;
	test_expect_ok(setrlimit(RLIMIT_NICE, &rl), "RLIMIT_NICE 0");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, -10), "the same value");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, 3), "up to 3");
	test_expect_errno(setpriority(PRIO_PROCESS, 0, 2), EACCES,
	    "down without RLIMIT_NICE");
	/* The runner's process is root's: another user's. */
	test_expect_errno(setpriority(PRIO_PROCESS, getppid(), 19), EPERM,
	    "root's process as uid 1000");
	(void)parent;
}

/* A thread sets its own nice value: the main thread's stays. */
static void *
nice_thread(void *arg)
{
	long tid = syscall(SYS_gettid);

	(void)arg;
	if (raw_getpriority(PRIO_PROCESS, 0) != 20 - 4)
		return (void *)1; /* not the creator's */
	if (setpriority(PRIO_PROCESS, (int)tid, 12) != 0)
		return (void *)2;
	if (raw_getpriority(PRIO_PROCESS, 0) != 20 - 12)
		return (void *)3;
	return NULL;
}

static void
t_prio_inherit(void)
{
	pthread_t t;
	void *rv;
	pid_t pid;

	test_expect_ok(setpriority(PRIO_PROCESS, 0, 4), "nice 4");
	pid = test_fork();
	if (pid == 0) {
		expect_nice(PRIO_PROCESS, 0, 4, "the child's nice value");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_ok(-pthread_create(&t, NULL, nice_thread, NULL),
	    "pthread_create");
	test_expect_ok(-pthread_join(t, &rv), "pthread_join");
	test_expect_eq((long)rv, 0, "the thread's checks");
	expect_nice(PRIO_PROCESS, 0, 4, "the main thread's, after");
}

/*
 * A child in process group pgid (0: its own) and, unless uid is 0, of
 * user uid, that waits until the pipe p is closed.
 */
static pid_t
waiting_child(int p[2], pid_t pgid, uid_t uid)
{
	pid_t pid = test_fork();
	char c;

	if (pid == 0) {
		close(p[1]);
		if (setpgid(0, pgid) != 0 ||
		    (uid != 0 && setresuid(uid, uid, uid) != 0))
			_exit(2);
		(void)read(p[0], &c, 1);
		_exit(0);
	}
	/* Both sides set the group, so it is there when this returns. */
	(void)setpgid(pid, pgid);
	return pid;
}

static void
t_prio_groups(void)
{
	int p[2];
	pid_t a, b, c, d;

	test_pipe(p);
	a = waiting_child(p, 0, 0);
	b = waiting_child(p, a, 0);
	test_expect_ok(setpriority(PRIO_PGRP, a, 6), "PRIO_PGRP 6");
	expect_nice(PRIO_PROCESS, a, 6, "the leader's");
	expect_nice(PRIO_PROCESS, b, 6, "the member's");
	expect_nice(PRIO_PROCESS, 0, 0, "the caller's, outside the group");
	test_expect_ok(setpriority(PRIO_PROCESS, b, 2), "one member to 2");
	expect_nice(PRIO_PGRP, a, 2, "the group's highest priority");

	c = waiting_child(p, 0, 4242);
	d = waiting_child(p, 0, 4242);
	/* The children switch users on their own: wait until they have. */
	for (int i = 0; i < 1000; i++) {
		if (raw_getpriority(PRIO_USER, 4242) == 20 &&
		    setpriority(PRIO_USER, 4242, 9) == 0 &&
		    raw_getpriority(PRIO_PROCESS, c) == 20 - 9 &&
		    raw_getpriority(PRIO_PROCESS, d) == 20 - 9)
			break;
		setpriority(PRIO_USER, 4242, 0);
		test_sleep_ns(1000000);
	}
	expect_nice(PRIO_PROCESS, c, 9, "the user's first process");
	expect_nice(PRIO_PROCESS, d, 9, "the user's second process");
	expect_nice(PRIO_USER, 4242, 9, "the user's highest priority");
	expect_nice(PRIO_PROCESS, a, 6, "another user's, untouched");

	close(p[1]); /* release them all */
	test_expect_exit(a, 0, "a");
	test_expect_exit(b, 0, "b");
	test_expect_exit(c, 0, "c");
	test_expect_exit(d, 0, "d");
}

static long
ioprio_get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

static long
ioprio_set(int which, int who, int ioprio)
{
	return syscall(SYS_ioprio_set, which, who, ioprio);
}

static void
t_ioprio(void)
{
	pid_t pid;

	/* Unset: class none, whatever the nice value. */
	test_expect_eq(ioprio_get(IOPRIO_WHO_PROCESS, 0),
	    IOPRIO_VALUE(IOPRIO_CLASS_NONE, 0), "the default");
	test_expect_ok(setpriority(PRIO_PROCESS, 0, 10), "nice 10");
	test_expect_eq(ioprio_get(IOPRIO_WHO_PROCESS, 0),
	    IOPRIO_VALUE(IOPRIO_CLASS_NONE, 0), "the default at nice 10");
	test_expect_ok(ioprio_set(IOPRIO_WHO_PROCESS, 0,
			   IOPRIO_VALUE(IOPRIO_CLASS_IDLE, 0)),
	    "idle");
	test_expect_eq(ioprio_get(IOPRIO_WHO_PROCESS, getpid()),
	    IOPRIO_VALUE(IOPRIO_CLASS_IDLE, 0), "idle reported");
	test_expect_ok(
	    ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_BE, 3)),
	    "best effort 3");
	test_expect_eq(ioprio_get(IOPRIO_WHO_PROCESS, 0),
	    IOPRIO_VALUE(IOPRIO_CLASS_BE, 3), "best effort 3 reported");
	test_expect_ok(
	    ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_RT, 1)),
	    "real time as root");
	test_expect_errno(ioprio_set(IOPRIO_WHO_PROCESS, 0,
			      IOPRIO_VALUE(IOPRIO_CLASS_NONE, 1)),
	    EINVAL, "class none, level 1");
	test_expect_errno(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(5, 0)),
	    EINVAL, "class 5");
	test_expect_errno(ioprio_set(4, 0, IOPRIO_VALUE(IOPRIO_CLASS_BE, 0)),
	    EINVAL, "which 4");
	test_expect_errno(ioprio_get(0, 0), EINVAL, "which 0");
	test_expect_errno(ioprio_get(IOPRIO_WHO_PROCESS, 99998), ESRCH,
	    "no process");
	test_expect_errno(ioprio_set(IOPRIO_WHO_PGRP, 99998,
			      IOPRIO_VALUE(IOPRIO_CLASS_BE, 0)),
	    ESRCH, "no group");
	/* fork copies it; a user may not take the real-time class. */
	pid = test_fork();
	if (pid == 0) {
		test_expect_eq(ioprio_get(IOPRIO_WHO_PROCESS, 0),
		    IOPRIO_VALUE(IOPRIO_CLASS_RT, 1), "the child's");
		test_expect_ok(setresuid(1000, 1000, 1000), "setresuid");
		test_expect_errno(ioprio_set(IOPRIO_WHO_PROCESS, 0,
				      IOPRIO_VALUE(IOPRIO_CLASS_RT, 0)),
		    EPERM, "real time as uid 1000");
		test_expect_ok(ioprio_set(IOPRIO_WHO_PROCESS, 0,
				   IOPRIO_VALUE(IOPRIO_CLASS_BE, 7)),
		    "best effort 7 as uid 1000");
		test_expect_errno(ioprio_set(IOPRIO_WHO_PROCESS, getppid(),
				      IOPRIO_VALUE(IOPRIO_CLASS_BE, 7)),
		    EPERM, "root's process as uid 1000");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_eq(ioprio_get(IOPRIO_WHO_USER, 0),
	    IOPRIO_VALUE(IOPRIO_CLASS_RT, 1), "root's processes' highest");
}

const struct test sys_prio_tests[] = {
	{ "prio_defaults", t_prio_defaults, NULL },
	{ "prio_set_self", t_prio_set_self, NULL },
	{ "prio_errors", t_prio_errors, NULL },
	{ "prio_permissions", t_prio_permissions, NULL },
	{ "prio_inherit", t_prio_inherit, NULL },
	{ "prio_groups", t_prio_groups, NULL },
	{ "ioprio", t_ioprio, NULL },
	{ NULL, NULL, NULL },
};
