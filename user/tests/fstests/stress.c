/*
 * stress.c: bad pointers, a full file system, and several processes on
 * the same names (see fs.h).
 */

#include "fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Every path argument of every call, given each bad pointer: EFAULT,
 * and nothing made.  The last bad pointer is a string that runs into an
 * unmapped page without a NUL.
 */
static void
t_bad_paths(void)
{
	char *page, *edge;
	const char *bad[4];
	struct stat st;
	char buf[64];
	int dfd;

	fs_enter();
	fs_make_file("f", 1, 'f');
	test_expect_ok(symlink("a-target-of-some-length", "l"), "symlink");
	page = test_map(2 * TEST_PAGE);
	test_expect_ok(munmap(page + TEST_PAGE, TEST_PAGE), "munmap");
	edge = page + TEST_PAGE - 3;
	memcpy(edge, "abc", 3); /* no NUL before the hole */
	bad[0] = (const char *)8;
	bad[1] = (const char *)TEST_KERNEL_TEXT;
	bad[2] = (const char *)TEST_NONCANON_LO;
	bad[3] = edge;
	dfd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	for (int i = 0; i < 4; i++) {
		const char *b = bad[i];

#define EF(call, what) test_expect_errno(call, EFAULT, what)
		EF(syscall(SYS_open, b, O_RDONLY, 0), "open");
		EF(syscall(SYS_open, b, O_CREAT | O_RDWR, 0644),
		    "open O_CREAT");
		EF(syscall(SYS_openat, dfd, b, O_RDONLY, 0), "openat");
		EF(syscall(SYS_creat, b, 0644), "creat");
		EF(syscall(SYS_stat, b, &st), "stat");
		EF(syscall(SYS_lstat, b, &st), "lstat");
		EF(syscall(SYS_newfstatat, dfd, b, &st, 0), "newfstatat");
		EF(syscall(SYS_newfstatat, dfd, b, &st, AT_EMPTY_PATH),
		    "newfstatat AT_EMPTY_PATH");
		EF(syscall(SYS_access, b, F_OK), "access");
		EF(syscall(SYS_faccessat, dfd, b, F_OK), "faccessat");
		EF(syscall(SYS_mkdir, b, 0755), "mkdir");
		EF(syscall(SYS_mkdirat, dfd, b, 0755), "mkdirat");
		EF(syscall(SYS_rmdir, b), "rmdir");
		EF(syscall(SYS_unlink, b), "unlink");
		EF(syscall(SYS_unlinkat, dfd, b, 0), "unlinkat");
		EF(syscall(SYS_unlinkat, dfd, b, AT_REMOVEDIR),
		    "unlinkat AT_REMOVEDIR");
		EF(syscall(SYS_rename, b, "x"), "rename from");
		EF(syscall(SYS_rename, "f", b), "rename to");
		EF(syscall(SYS_renameat, dfd, b, dfd, "x"), "renameat from");
		EF(syscall(SYS_renameat, dfd, "f", dfd, b), "renameat to");
		EF(syscall(SYS_renameat2, dfd, b, dfd, "x", 0),
		    "renameat2 from");
		EF(syscall(SYS_renameat2, dfd, "f", dfd, b, 0), "renameat2 to");
		EF(syscall(SYS_link, b, "x"), "link from");
		EF(syscall(SYS_link, "f", b), "link to");
		EF(syscall(SYS_linkat, dfd, b, dfd, "x", 0), "linkat from");
		EF(syscall(SYS_linkat, dfd, "f", dfd, b, 0), "linkat to");
		EF(syscall(SYS_symlink, b, "x"), "symlink target");
		EF(syscall(SYS_symlink, "f", b), "symlink name");
		EF(syscall(SYS_symlinkat, b, dfd, "x"), "symlinkat target");
		EF(syscall(SYS_symlinkat, "f", dfd, b), "symlinkat name");
		EF(syscall(SYS_readlink, b, buf, sizeof(buf)), "readlink path");
		EF(syscall(SYS_readlink, "l", b, 8), "readlink buffer");
		EF(syscall(SYS_readlinkat, dfd, b, buf, sizeof(buf)),
		    "readlinkat");
		EF(syscall(SYS_chdir, b), "chdir");
		EF(syscall(SYS_truncate, b, 0), "truncate");
		EF(syscall(SYS_chmod, b, 0644), "chmod");
		EF(syscall(SYS_fchmodat, dfd, b, 0644), "fchmodat");
		EF(syscall(SYS_utimensat, dfd, b, NULL, 0), "utimensat path");
		EF(syscall(SYS_utimensat, dfd, "f", b, 0), "utimensat times");
		EF(syscall(SYS_execve, b, (char *[]) { NULL },
		       (char *[]) { NULL }),
		    "execve");
		EF(syscall(SYS_getcwd, b, 64), "getcwd");
		EF(syscall(SYS_stat, "f", b), "stat buffer");
		EF(syscall(SYS_getdents64, dfd, b, 4096), "getdents64 buffer");
#undef EF
	}
	test_expect_errno(access("x", F_OK), ENOENT, "nothing was made");
	test_expect_ok(close(dfd), "close");
	munmap(page, TEST_PAGE);
	fs_leave();
}

/*
 * Fill tmpfs until ENOSPC, then delete everything: the leak check sees
 * every page come back.
 */
static void
t_fill_enospc(void)
{
	static char buf[1 << 20];
	char name[32];
	long total = 0, n = 0;
	int files = 0, fd;

	fs_enter();
	memset(buf, 0x5a, sizeof(buf));
	for (;;) {
		snprintf(name, sizeof(name), "fill%d", files++);
		fd = test_expect_ok(open(name, O_CREAT | O_WRONLY, 0644), name);
		for (int i = 0; i < 16; i++) {
			n = write(fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			total += n;
			if (n < (long)sizeof(buf))
				break;
		}
		test_expect_ok(close(fd), "close");
		if (n != sizeof(buf))
			break;
		test_assert_msg(files < 1000, "%ld bytes and no ENOSPC", total);
	}
	if (n < 0)
		test_assert_msg(errno == ENOSPC, "the write failed with %s",
		    test_errname(errno));
	else if (n > 0) {
		/* A short write; the next one fails. */
		fd = test_expect_ok(open(name, O_WRONLY | O_APPEND), name);
		test_expect_errno(write(fd, buf, sizeof(buf)), ENOSPC,
		    "a write to a full file system");
		test_expect_ok(close(fd), "close");
	}
	test_note("%ld MiB written before ENOSPC", total >> 20);
	test_assert(total >= (16L << 20));
	/* Creating a file still works; writing to it does not. */
	fd = test_expect_ok(open("empty", O_CREAT | O_WRONLY, 0644), "create");
	test_expect_errno(write(fd, buf, 4096), ENOSPC, "write a page");
	test_expect_ok(close(fd), "close");
	fs_leave();
	/* And writing works again. */
	fs_enter();
	fs_make_file("after", 1 << 20, 'a');
	fs_leave();
}

/*
 * Create empty files until ENOSPC (the node limit), then remove them:
 * nothing is left behind, and creating works again.
 */
static void
t_fill_nodes(void)
{
	char name[32];
	int n, fd;

	fs_enter();
	for (n = 0;; n++) {
		snprintf(name, sizeof(name), "n%d", n);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			break;
		close(fd);
		test_assert_msg(n < 1000000, "a million files and no ENOSPC");
	}
	test_assert_msg(errno == ENOSPC, "create %d failed with %s", n,
	    test_errname(errno));
	test_note("%d files before ENOSPC", n);
	test_expect_errno(mkdir("d", 0755), ENOSPC, "mkdir when full");
	test_expect_errno(symlink("x", "s"), ENOSPC, "symlink when full");
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		test_expect_ok(unlink(name), "unlink");
	}
	fs_make_file("after", 10, 'a');
	fs_leave();
}

/*
 * Several processes create, write, rename, link and remove the same few
 * names at once: every call succeeds or fails with the errno its race
 * explains, and what is left is consistent.
 */
static void
churn(int who)
{
	uint64_t r = test_seed * 31 + who + 1;
	char a[16], b[16];

	for (int i = 0; i < 400; i++) {
		int op = test_rand(&r) % 7, fd;
		long rv = 0;

		snprintf(a, sizeof(a), "n%d", (int)(test_rand(&r) % 6));
		snprintf(b, sizeof(b), "n%d", (int)(test_rand(&r) % 6));
		switch (op) {
		case 0:
			fd = open(a, O_CREAT | O_WRONLY | O_APPEND, 0644);
			if (fd >= 0) {
				rv = write(fd, "x", 1);
				close(fd);
				if (rv != 1)
					test_fail("write %ld (%s)", rv,
					    test_errname(errno));
				continue;
			}
			rv = fd;
			break;
		case 1:
			rv = unlink(a);
			break;
		case 2:
			rv = rename(a, b);
			break;
		case 3:
			rv = mkdir(a, 0755);
			break;
		case 4:
			rv = rmdir(a);
			break;
		case 5:
			rv = link(a, b);
			break;
		default:
			rv = syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b,
			    1 /* RENAME_NOREPLACE */);
			break;
		}
		if (rv < 0 && errno != ENOENT && errno != EEXIST &&
		    errno != EISDIR && errno != ENOTDIR && errno != ENOTEMPTY &&
		    errno != EPERM && errno != EINVAL)
			test_fail("op %d on %s %s: %s", op, a, b,
			    test_errname(errno));
	}
}

static void
t_concurrent_names(void)
{
	pid_t pids[4];
	struct stat st;
	char name[16];

	fs_enter();
	for (int i = 0; i < 4; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0) {
			churn(i);
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++)
		test_expect_exit(pids[i], 0, "a churning process");
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		if (lstat(name, &st) == 0)
			test_assert(S_ISDIR(st.st_mode) ? st.st_nlink >= 2 :
							  st.st_nlink >= 1);
		else
			test_assert(errno == ENOENT);
	}
	fs_leave();
}

const struct test fs_stress_tests[] = {
	{ "bad_paths", t_bad_paths, NULL },
	{ "fill_enospc", t_fill_enospc,
	    "tmpfs's size limit (Linux's initramfs root may have none)" },
	{ "fill_nodes", t_fill_nodes,
	    "tmpfs's node limit (Linux's initramfs root may have none)" },
	{ "concurrent_names", t_concurrent_names, NULL },
	{ NULL, NULL, NULL },
};
