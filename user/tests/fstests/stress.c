/*
 * stress.c: bad pointers, a full file system, and several processes on
 * the same names (see fs.h).
 */

#include "fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Every path argument of every call, given each bad pointer: EFAULT,
 * and nothing made.  The bad pointers: a low unmapped address, the
 * kernel's text, the first non-canonical address, a string that runs
 * into an unmapped page without a NUL, NULL, and the start of the
 * kernel's direct map.
 */
static void
t_bad_paths(void)
{
	char *page, *edge;
	const char *bad[6];
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
	bad[4] = NULL;
	bad[5] = (const char *)TEST_DIRECT_MAP;
	dfd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	for (int i = 0; i < 6; i++) {
		const char *b = bad[i];

#define EF(call, what)                                                         \
	do {                                                                   \
		char what_[64];                                                \
                                                                               \
		snprintf(what_, sizeof(what_), "%s, bad pointer %d", what, i); \
		test_expect_errno(call, EFAULT, what_);                        \
	} while (0)
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
		EF(syscall(SYS_faccessat2, dfd, b, F_OK, 0), "faccessat2");
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
		/*
		 * utimensat's NULL path names dirfd itself (futimens), and
		 * NULL times mean now.
		 */
		if (b != NULL) {
			EF(syscall(SYS_utimensat, dfd, b, NULL, 0),
			    "utimensat path");
			EF(syscall(SYS_utimensat, dfd, "f", b, 0),
			    "utimensat times");
		}
		EF(syscall(SYS_execve, b, (char *[]) { NULL },
		       (char *[]) { NULL }),
		    "execve");
		/* The buffers last: a call may write the bytes before the hole. */
		EF(syscall(SYS_getcwd, b, 64), "getcwd");
		EF(syscall(SYS_stat, "f", b), "stat buffer");
		EF(syscall(SYS_getdents64, dfd, b, 4096), "getdents64 buffer");
		EF(syscall(SYS_readlinkat, dfd, "l", b, 8),
		    "readlinkat buffer");
		EF(syscall(SYS_newfstatat, dfd, "f", b, 0),
		    "newfstatat buffer");
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

/*
 * After the churn: the names n0..n5 that exist, listed by getdents64
 * exactly once each and nothing else; a file's link count is the
 * number of those names that are it (every link was made here), a
 * directory is empty with 2 links.
 */
static void
check_names_consistent(void)
{
	static char buf[4096];
	struct stat st[6];
	int exists[6], listed[6] = { 0 }, fd;
	char name[16];
	long n;

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		exists[i] = lstat(name, &st[i]) == 0;
		if (!exists[i])
			test_assert_msg(errno == ENOENT, "lstat %s: %s", name,
			    test_errname(errno));
	}
	fd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: the name at 19. */
			const char *d_name = buf + off + 19;
			int i;

			off += *(unsigned short *)(buf + off + 16);
			if (strcmp(d_name, ".") == 0 ||
			    strcmp(d_name, "..") == 0)
				continue;
			test_assert_msg(d_name[0] == 'n' && d_name[1] >= '0' &&
				d_name[1] <= '5' && d_name[2] == '\0',
			    "a stray name %s", d_name);
			i = d_name[1] - '0';
			test_assert_msg(!listed[i], "%s listed twice", d_name);
			listed[i] = 1;
		}
	}
	test_expect_ok(n, "getdents64");
	test_expect_ok(close(fd), "close");
	for (int i = 0; i < 6; i++) {
		int names = 0;

		test_assert_msg(listed[i] == exists[i],
		    "n%d: listed %d, lstat %d", i, listed[i], exists[i]);
		if (!exists[i])
			continue;
		if (S_ISDIR(st[i].st_mode)) {
			test_assert_msg(st[i].st_nlink == 2,
			    "directory n%d has %ld links", i,
			    (long)st[i].st_nlink);
			snprintf(name, sizeof(name), "n%d", i);
			test_expect_ok(rmdir(name), "it is empty");
			continue;
		}
		for (int j = 0; j < 6; j++)
			names += exists[j] && st[j].st_ino == st[i].st_ino;
		test_assert_msg(st[i].st_nlink == (nlink_t)names,
		    "n%d has %ld links and %d names", i, (long)st[i].st_nlink,
		    names);
	}
}

static void
t_concurrent_names(void)
{
	pid_t pids[4];

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
	check_names_consistent();
	fs_leave();
}

/*
 * Two names only, a few processes, many operations each: create (and
 * append), unlink, rename both ways and link, as fast as they go, so
 * that on several CPUs the calls on one name meet in the kernel.
 */
static void
churn_hot(int who)
{
	uint64_t r = test_seed * 77 + who + 1;

	for (int i = 0; i < 1500; i++) {
		const char *a = test_rand(&r) % 2 ? "n0" : "n1";
		const char *b = a[1] == '0' ? "n1" : "n0";
		long rv = 0;
		int fd;

		switch (test_rand(&r) % 4) {
		case 0:
			fd = open(a, O_CREAT | O_WRONLY | O_APPEND, 0644);
			if (fd >= 0) {
				rv = write(fd, "y", 1);
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
		default:
			rv = link(a, b);
			break;
		}
		if (rv < 0 && errno != ENOENT && errno != EEXIST)
			test_fail("%s: %s", a, test_errname(errno));
	}
}

static void
t_concurrent_hot(void)
{
	pid_t pids[4];

	fs_enter();
	for (int i = 0; i < 4; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0) {
			churn_hot(i);
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++)
		test_expect_exit(pids[i], 0, "a churning process");
	check_names_consistent();
	fs_leave();
}

/*
 * PATH_MAX counts the NUL: a path of 4,095 bytes is looked up, one of
 * 4,096 is ENAMETOOLONG for every call, and nothing is made.
 */
static void
t_path_max(void)
{
	static char path[PATH_MAX + 16];
	struct stat st;
	size_t n = 0;

	fs_enter();
	fs_make_file("f", 3, 'f');
	while (n < PATH_MAX - 3) {
		path[n++] = '.';
		path[n++] = '/';
	}
	path[n++] = 'f'; /* "./././.../f" */
	path[n] = '\0';
	test_expect_eq(strlen(path), PATH_MAX - 1, "the path's length");
	test_expect_ok(stat(path, &st), "stat a 4,095-byte path");
	test_expect_eq(st.st_size, 3, "it is f");
	path[n - 1] = 'g';
	test_expect_errno(stat(path, &st), ENOENT, "a missing one is ENOENT");
	path[n - 1] = '/';
	path[n++] = 'g'; /* "./././...//g": 4,096 bytes */
	path[n] = '\0';
	test_expect_errno(stat(path, &st), ENAMETOOLONG, "stat 4,096 bytes");
	test_expect_errno(open(path, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG,
	    "create 4,096 bytes");
	test_expect_errno(mkdir(path, 0755), ENAMETOOLONG, "mkdir");
	test_expect_errno(symlink("f", path), ENAMETOOLONG, "symlink");
	test_expect_errno(rename("f", path), ENAMETOOLONG, "rename to it");
	test_expect_errno(symlink(path, "l"), ENAMETOOLONG,
	    "a 4,096-byte link target");
	test_expect_errno(access("g", F_OK), ENOENT, "nothing was made");
	test_expect_errno(access("l", F_OK), ENOENT, "nothing was made");
	fs_leave();
}

/*
 * RLIMIT_NOFILE: opens fail with EMFILE at the limit, whatever the call;
 * an O_CREAT open that fails so makes no file; closing one descriptor
 * lets one more open; a limit lowered below the open descriptors leaves
 * them working.
 */
static void
t_emfile(void)
{
	struct rlimit rl = { 16, 16 };
	int fd, last = -1, fds[64], nfds = 0;
	char c;

	fs_enter();
	fs_make_file("f", 1, 'f');
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 16");
	for (int n = 0;; n++) {
		test_assert_msg(n < 64, "no EMFILE after 64 opens");
		fd = open("f", O_RDONLY);
		if (fd < 0)
			break;
		fds[nfds++] = last = fd;
	}
	test_expect_errno(fd, EMFILE, "open at the limit");
	test_expect_eq(last, 15, "the last descriptor given");
	test_expect_errno(open("new", O_CREAT | O_WRONLY, 0644), EMFILE,
	    "O_CREAT at the limit");
	test_expect_errno(access("new", F_OK), ENOENT,
	    "the failed O_CREAT made nothing");
	test_expect_errno(creat("new", 0644), EMFILE, "creat");
	test_expect_errno(open("f", O_WRONLY | O_TRUNC), EMFILE,
	    "O_TRUNC at the limit");
	test_expect_eq(fs_size("f"), 1, "the failed O_TRUNC truncated nothing");
	test_expect_errno(open("missing", O_RDONLY), EMFILE,
	    "a missing file at the limit is EMFILE, not ENOENT");
	test_expect_errno(openat(AT_FDCWD, "f", O_RDONLY), EMFILE, "openat");
	test_expect_errno(open(".", O_RDONLY | O_DIRECTORY), EMFILE,
	    "open a directory");
	test_expect_ok(close(last), "close one");
	fd = test_expect_ok(open("f", O_RDONLY), "one more open");
	test_expect_eq(fd, last, "in the freed slot");
	rl.rlim_cur = 4;
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 4");
	test_expect_eq(read(last, &c, 1), 1, "a descriptor above it reads");
	test_expect_errno(open("f", O_RDONLY), EMFILE, "no open below 4");
	/* Only ours: the runner's report pipe is open too. */
	for (int i = 0; i < nfds; i++)
		test_expect_ok(close(fds[i]), "close");
	rl.rlim_cur = 16;
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 16");
	fs_leave();
}

const struct test fs_stress_tests[] = {
	{ "bad_paths", t_bad_paths, NULL },
	{ "fill_enospc", t_fill_enospc,
	    "tmpfs's size limit (Linux's initramfs root may have none)" },
	{ "fill_nodes", t_fill_nodes,
	    "tmpfs's node limit (Linux's initramfs root may have none)" },
	{ "concurrent_names", t_concurrent_names, NULL },
	{ "concurrent_hot", t_concurrent_hot, NULL },
	{ "path_max", t_path_max, NULL },
	{ "emfile", t_emfile, NULL },
	{ NULL, NULL, NULL },
};
