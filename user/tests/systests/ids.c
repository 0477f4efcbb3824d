/*
 * ids.c: user and group ids (Linux's numbers 102-123).
 *
 *   - every process starts as root: real, effective and saved ids 0;
 *   - setresuid/setresgid from root set any ids, and getuid & co. then
 *     answer them; without root an id may only become one of the
 *     process's real, effective or saved ids (EPERM otherwise);
 *   - seteuid away from 0 and back works while the saved id is 0;
 *   - setgroups needs root; getgroups reports what it set;
 *   - fork inherits the ids;
 *   - /proc/PID/loginuid and sessionid, Linux's audit login ids.
 */

#include "sys.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

static void
t_ids_root(void)
{
	uid_t r = 1, e = 1, s = 1;
	gid_t gr = 1, ge = 1, gs = 1;

	test_expect_eq(getuid(), 0, "getuid");
	test_expect_eq(geteuid(), 0, "geteuid");
	test_expect_eq(getgid(), 0, "getgid");
	test_expect_eq(getegid(), 0, "getegid");
	test_expect_ok(getresuid(&r, &e, &s), "getresuid");
	test_expect_eq(r + e + s, 0, "getresuid's ids");
	test_expect_ok(getresgid(&gr, &ge, &gs), "getresgid");
	test_expect_eq(gr + ge + gs, 0, "getresgid's ids");
	test_assert(getgroups(0, NULL) >= 0);
}

static void
t_ids_setresuid(void)
{
	uid_t r, e, s;
	gid_t list[4];

	test_expect_ok(setgroups(0, NULL), "setgroups(0, NULL) as root");
	test_expect_eq(getgroups(0, NULL), 0, "no groups");
	test_expect_ok(setgroups(2, (gid_t[]) { 5, 6 }), "setgroups as root");
	test_expect_eq(getgroups(0, NULL), 2, "getgroups count");
	test_expect_errno(getgroups(1, list), EINVAL, "getgroups too small");
	test_expect_eq(getgroups(4, list), 2, "getgroups");
	test_expect_eq(list[0] * 10 + list[1], 56, "the groups set");
	test_expect_ok(setresgid(100, 101, 102), "setresgid");
	test_expect_eq(getgid(), 100, "getgid after setresgid");
	test_expect_eq(getegid(), 101, "getegid after setresgid");
	test_expect_ok(setresuid(1000, 1001, 1002), "setresuid");
	test_expect_ok(getresuid(&r, &e, &s), "getresuid");
	test_expect_eq(r, 1000, "ruid");
	test_expect_eq(e, 1001, "euid");
	test_expect_eq(s, 1002, "suid");
	/* No longer root: only the three ids are allowed. */
	test_expect_errno(setuid(0), EPERM, "setuid(0) without root");
	test_expect_errno(setresuid(-1, 0, -1), EPERM, "setresuid euid 0");
	test_expect_errno(setgroups(0, NULL), EPERM, "setgroups without root");
	test_expect_errno(setresgid(7, -1, -1), EPERM, "setresgid 7");
	test_expect_ok(setresuid(1002, 1000, 1001), "permuting the ids");
	test_expect_eq(getuid(), 1002, "getuid after permuting");
	test_expect_ok(setuid(1001), "setuid to the saved id");
	test_expect_eq(geteuid(), 1001, "geteuid after setuid");
	test_expect_eq(getuid(), 1002, "setuid without root keeps ruid");
}

static void
t_ids_seteuid(void)
{
	test_expect_ok(seteuid(1000), "seteuid(1000)");
	test_expect_eq(geteuid(), 1000, "geteuid");
	test_expect_eq(getuid(), 0, "getuid");
	test_expect_eq(setfsuid(-1), 1000, "the fs uid follows the euid");
	test_expect_ok(seteuid(0), "seteuid(0): the saved id is 0");
	test_expect_eq(geteuid(), 0, "geteuid back");
	test_expect_ok(setuid(1000), "setuid(1000) as root");
	test_expect_eq(getuid(), 1000, "getuid after setuid");
	test_expect_eq(geteuid(), 1000, "geteuid after setuid");
	test_expect_errno(seteuid(0), EPERM, "seteuid(0) after setuid");
}

static void
t_ids_setreuid(void)
{
	uid_t r, e, s;

	test_expect_ok(setreuid(1000, 2000), "setreuid as root");
	test_expect_ok(getresuid(&r, &e, &s), "getresuid");
	test_expect_eq(r, 1000, "ruid");
	test_expect_eq(e, 2000, "euid");
	test_expect_eq(s, 2000, "suid follows the new euid");
	test_expect_ok(setreuid(2000, 1000), "swapping them");
	test_expect_errno(setreuid(-1, 3000), EPERM, "euid 3000");
}

static void
t_ids_inherit(void)
{
	pid_t pid;

	test_expect_ok(setresuid(1234, 1234, 1234), "setresuid");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		test_expect_eq(getuid(), 1234, "the child's uid");
		test_expect_eq(geteuid(), 1234, "the child's euid");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
}

/* The text of /proc/self/NAME, which must be short. */
static void
read_self(const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	sys_mount_proc();
	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY);
	test_expect_ok(fd, path);
	n = read(fd, buf, size - 1);
	close(fd);
	test_assert_msg(n >= 0, "read %s: %s", path, test_errname(errno));
	buf[n] = 0;
}

/* write(2) of text to /proc/PID/loginuid (0: self), at offset off. */
static long
write_loginuid(pid_t pid, const char *text, off_t off)
{
	char path[64];
	long rv;
	int fd;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/loginuid");
	else
		snprintf(path, sizeof(path), "/proc/%d/loginuid", (int)pid);
	fd = open(path, O_WRONLY);
	test_expect_ok(fd, path);
	rv = pwrite(fd, text, strlen(text), off);
	close(fd);
	return rv;
}

/*
 * /proc/PID/loginuid and sessionid (Linux's audit): unset at first;
 * the process itself sets its login uid once, root again; a session id
 * comes with it; fork inherits both.
 */
static void
t_ids_loginuid(void)
{
	char buf[32], first[32];
	pid_t pid;

	read_self("loginuid", buf, sizeof(buf));
	test_assert_msg(strcmp(buf, "4294967295") == 0, "loginuid %s", buf);
	read_self("sessionid", buf, sizeof(buf));
	test_assert_msg(strcmp(buf, "4294967295") == 0, "sessionid %s", buf);
	pid = test_fork();
	if (pid == 0) {
		test_expect_errno(write_loginuid(getppid(), "1000", 0), EPERM,
		    "another process's loginuid");
		test_expect_errno(write_loginuid(0, "10x", 0), EINVAL,
		    "not a number");
		test_expect_errno(write_loginuid(0, "99999999999", 0), ERANGE,
		    "above 32 bits");
		test_expect_errno(write_loginuid(0, "1000", 1), EINVAL,
		    "at offset 1");
		test_expect_eq(write_loginuid(0, "1000\n", 0), 5, "set 1000");
		read_self("loginuid", buf, sizeof(buf));
		test_assert_msg(strcmp(buf, "1000") == 0, "loginuid %s", buf);
		read_self("sessionid", first, sizeof(first));
		test_assert_msg(strcmp(first, "4294967295") != 0,
		    "no session id with the login uid");
		test_expect_eq(write_loginuid(0, "2000", 0), 4,
		    "set again as root");
		read_self("sessionid", buf, sizeof(buf));
		test_assert_msg(strcmp(buf, first) != 0, "the same session %s",
		    buf);
		if ((pid = test_fork()) == 0) {
			int fd = open("/proc/self/loginuid", O_WRONLY);

			read_self("loginuid", buf, sizeof(buf));
			test_assert_msg(strcmp(buf, "2000") == 0,
			    "the child's loginuid %s", buf);
			/* Opened as root: the file is root's once not. */
			test_expect_ok(fd, "open loginuid");
			test_expect_ok(setresuid(5, 5, 5), "setresuid 5");
			test_expect_errno(write(fd, "3000", 4), EPERM,
			    "set again without root");
			_exit(0);
		}
		test_expect_exit(pid, 0, "the grandchild");
		test_expect_eq(write_loginuid(0, "4294967295", 0), 10, "unset");
		read_self("sessionid", buf, sizeof(buf));
		test_assert_msg(strcmp(buf, "4294967295") == 0,
		    "sessionid after unsetting: %s", buf);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
}

const struct test sys_ids_tests[] = {
	{ "ids_root", t_ids_root, NULL },
	{ "ids_setresuid", t_ids_setresuid, NULL },
	{ "ids_seteuid", t_ids_seteuid, NULL },
	{ "ids_setreuid", t_ids_setreuid, NULL },
	{ "ids_inherit", t_ids_inherit, NULL },
	{ "ids_loginuid", t_ids_loginuid, NULL },
	{ NULL, NULL, NULL },
};
