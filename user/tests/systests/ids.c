/*
 * ids.c: user and group ids (Linux's numbers 102-123).
 *
 *   - every process starts as root: real, effective and saved ids 0;
 *   - setresuid/setresgid from root set any ids, and getuid & co. then
 *     answer them; without root an id may only become one of the
 *     process's real, effective or saved ids (EPERM otherwise);
 *   - seteuid away from 0 and back works while the saved id is 0;
 *   - setgroups needs root; getgroups reports what it set;
 *   - fork inherits the ids.
 */

#include "sys.h"

#include <grp.h>
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

const struct test sys_ids_tests[] = {
	{ "ids_root", t_ids_root, NULL },
	{ "ids_setresuid", t_ids_setresuid, NULL },
	{ "ids_seteuid", t_ids_seteuid, NULL },
	{ "ids_setreuid", t_ids_setreuid, NULL },
	{ "ids_inherit", t_ids_inherit, NULL },
	{ NULL, NULL, NULL },
};
