/*
 * names.c: the calls on names and directories (see fs.h).
 */

#include "fs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* Linux's struct linux_dirent64. */
struct fs_dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long
fs_renameat2(int ofd, const char *o, int nfd, const char *n, unsigned flags)
{
	return syscall(SYS_renameat2, ofd, o, nfd, n, flags);
}

static ino_t
ino_of(const char *path)
{
	struct stat st;

	test_expect_ok(lstat(path, &st), path);
	return st.st_ino;
}

static nlink_t
nlink_of(const char *path)
{
	struct stat st;

	test_expect_ok(lstat(path, &st), path);
	return st.st_nlink;
}

static void
t_mkdir_rmdir(void)
{
	fs_enter();
	test_expect_ok(mkdir("d", 0755), "mkdir d");
	test_expect_eq(nlink_of("d"), 2, "a new directory's links");
	test_expect_eq(nlink_of("."), 3, "its parent's links");
	test_expect_errno(mkdir("d", 0755), EEXIST, "mkdir d again");
	test_expect_errno(mkdir(".", 0755), EEXIST, "mkdir .");
	test_expect_errno(mkdir("x/y", 0755), ENOENT,
	    "mkdir below a missing one");
	test_expect_ok(mkdir("e/", 0755), "mkdir with a trailing slash");
	fs_make_file("d/f", 1, 'f');
	test_expect_errno(mkdir("d/f/g", 0755), ENOTDIR, "mkdir below a file");
	test_expect_errno(rmdir("d"), ENOTEMPTY, "rmdir a non-empty directory");
	test_expect_errno(unlink("d"), EISDIR, "unlink a directory");
	test_expect_errno(rmdir("d/f"), ENOTDIR, "rmdir a file");
	test_expect_errno(rmdir("."), EINVAL, "rmdir .");
	test_expect_errno(rmdir("d/.."), ENOTEMPTY, "rmdir d/..");
	test_expect_errno(rmdir("none"), ENOENT, "rmdir a missing one");
	test_expect_errno(rmdir("/"), EBUSY, "rmdir /");
	test_expect_errno(unlinkat(AT_FDCWD, "d", 0x1), EINVAL, "a bad flag");
	test_expect_ok(unlink("d/f"), "unlink d/f");
	test_expect_ok(rmdir("d/"), "rmdir d/");
	test_expect_ok(unlinkat(AT_FDCWD, "e", AT_REMOVEDIR), "AT_REMOVEDIR");
	test_expect_eq(nlink_of("."), 2, "the parent's links again");
	fs_leave();
}

static void
t_rename(void)
{
	char buf[8];
	ino_t ia;
	int fd;

	fs_enter();
	fs_make_file("a", 3, 'a');
	fs_make_file("b", 5, 'b');
	ia = ino_of("a");
	fd = test_expect_ok(open("a", O_RDONLY), "open a");
	test_expect_ok(rename("a", "b"), "rename a over b");
	test_expect_errno(access("a", F_OK), ENOENT, "a is gone");
	test_expect_eq(ino_of("b"), ia, "b is a's file");
	test_expect_eq(fs_size("b"), 3, "with a's data");
	test_expect_eq(read(fd, buf, 8), 3, "the open file still reads");
	test_expect_ok(close(fd), "close");
	test_expect_errno(rename("a", "c"), ENOENT, "rename a missing name");

	/* Directories. */
	test_expect_ok(mkdir("d1", 0755), "mkdir d1");
	test_expect_ok(mkdir("d2", 0755), "mkdir d2");
	fs_make_file("d1/in", 1, 'i');
	test_expect_ok(rename("d1", "d2"), "rename d1 over the empty d2");
	test_expect_eq(fs_size("d2/in"), 1, "d2 is d1 now");
	test_expect_ok(mkdir("d3", 0755), "mkdir d3");
	test_expect_errno(rename("d3", "d2"), ENOTEMPTY,
	    "rename over a non-empty directory");
	test_expect_errno(rename("b", "d3"), EISDIR, "a file over a directory");
	test_expect_errno(rename("d3", "b"), ENOTDIR,
	    "a directory over a file");
	test_expect_errno(rename("d2", "d2/sub"), EINVAL, "into itself");
	test_expect_ok(mkdir("d2/sub", 0755), "mkdir d2/sub");
	test_expect_errno(rename("d2", "d2/sub/x"), EINVAL, "below itself");
	test_expect_ok(rename("d3", "d2/sub/d3"), "move a directory down");
	test_expect_eq(nlink_of("d2/sub"), 3, "the new parent's links");
	test_expect_ok(rename("d2/sub/d3", "d3"), "and back up");
	test_expect_eq(nlink_of("d2/sub"), 2, "its links again");
	test_expect_ok(chdir("d3"), "chdir d3");
	test_expect_ok(access("../b", F_OK), "its .. is right");
	test_expect_ok(chdir(fs_dir), "chdir back");

	/* RENAME_NOREPLACE, and two names of one file. */
	fs_make_file("c", 1, 'c');
	test_expect_errno(
	    fs_renameat2(AT_FDCWD, "c", AT_FDCWD, "b", RENAME_NOREPLACE),
	    EEXIST, "RENAME_NOREPLACE over b");
	test_expect_ok(
	    fs_renameat2(AT_FDCWD, "c", AT_FDCWD, "c2", RENAME_NOREPLACE),
	    "RENAME_NOREPLACE to a free name");
	test_expect_ok(link("c2", "c3"), "link");
	test_expect_ok(rename("c2", "c3"), "rename onto another name of it");
	test_expect_ok(access("c2", F_OK), "both names stay");
	test_expect_ok(access("c3", F_OK), "both names stay");
	test_expect_errno(rename(".", "x"), EBUSY, "rename .");
	test_expect_ok(renameat(AT_FDCWD, "c3", AT_FDCWD, "c4"), "renameat");
	fs_leave();
}

static void
t_hard_links(void)
{
	char buf[4];
	int fd;

	fs_enter();
	fs_make_file("a", 0, 0);
	test_expect_ok(link("a", "b"), "link a b");
	test_expect_eq(nlink_of("a"), 2, "a's links");
	test_expect_eq(ino_of("a"), ino_of("b"), "one inode");
	fd = test_expect_ok(open("a", O_WRONLY), "open a");
	test_expect_eq(write(fd, "xyz", 3), 3, "write through a");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open("b", O_RDONLY), "open b");
	test_expect_eq(read(fd, buf, 4), 3, "read through b");
	test_assert(memcmp(buf, "xyz", 3) == 0);
	test_expect_ok(close(fd), "close");
	test_expect_ok(unlink("a"), "unlink a");
	test_expect_eq(nlink_of("b"), 1, "b's links");
	test_expect_errno(link("b", "b"), EEXIST, "link onto itself");
	test_expect_errno(link("none", "c"), ENOENT, "link a missing file");
	test_expect_ok(mkdir("d", 0755), "mkdir");
	test_expect_errno(link("d", "e"), EPERM, "link a directory");
	test_expect_errno(link("b", "c/"), ENOENT, "link to c/");
	test_expect_ok(linkat(AT_FDCWD, "b", AT_FDCWD, "d/b", 0), "linkat");
	test_expect_eq(nlink_of("b"), 2, "links");
	fs_leave();
}

static void
t_symlinks(void)
{
	char buf[128], name[16], next[16];
	struct stat st;
	int fd;

	fs_enter();
	fs_make_file("target", 4, 't');
	test_expect_ok(symlink("target", "l"), "symlink");
	test_expect_eq(readlink("l", buf, sizeof(buf)), 6, "readlink");
	test_assert(memcmp(buf, "target", 6) == 0);
	test_expect_eq(readlink("l", buf, 3), 3, "readlink cut short");
	test_expect_ok(lstat("l", &st), "lstat");
	test_assert(S_ISLNK(st.st_mode));
	test_expect_eq(st.st_size, 6, "a link's size");
	test_expect_eq(fs_size("l"), 4, "stat follows it");
	test_expect_errno(open("l", O_RDONLY | O_NOFOLLOW), ELOOP,
	    "O_NOFOLLOW");
	test_expect_errno(readlink("target", buf, sizeof(buf)), EINVAL,
	    "readlink a file");
	test_expect_errno(syscall(SYS_readlink, "l", buf, 0), EINVAL,
	    "readlink into 0 bytes");
	test_expect_errno(symlink("x", "l"), EEXIST, "symlink over a name");
	test_expect_errno(symlink("", "e"), ENOENT, "an empty target");

	/* Loops. */
	test_expect_ok(symlink("loop2", "loop1"), "symlink");
	test_expect_ok(symlink("loop1", "loop2"), "symlink");
	test_expect_errno(open("loop1", O_RDONLY), ELOOP, "a loop of two");
	test_expect_ok(symlink("self", "self"), "symlink");
	test_expect_errno(stat("self", &st), ELOOP, "a link to itself");
	test_expect_errno(open("self/x", O_RDONLY | O_CREAT, 0644), ELOOP,
	    "through a loop");
	/* A chain of 40 links resolves; 41 is too many. */
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(next, sizeof(next), i == 0 ? "target" : "c%d", i - 1);
		test_expect_ok(symlink(next, name), "symlink");
	}
	test_expect_eq(fs_size("c39"), 4, "40 links");
	test_expect_errno(stat("c40", &st), ELOOP, "41 links");

	/* Dangling links, links to directories, relative targets. */
	test_expect_ok(symlink("nowhere", "dangling"), "symlink");
	test_expect_errno(stat("dangling", &st), ENOENT, "a dangling link");
	test_expect_ok(lstat("dangling", &st), "lstat it");
	fd = test_expect_ok(open("dangling", O_CREAT | O_WRONLY, 0644),
	    "O_CREAT through a dangling link");
	test_expect_ok(close(fd), "close");
	test_expect_ok(access("nowhere", F_OK), "it made the target");
	test_expect_errno(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644),
	    EEXIST, "O_EXCL on a link");
	test_expect_ok(mkdir("dir", 0755), "mkdir");
	test_expect_ok(symlink("dir/made", "l3"), "a link into a directory");
	test_expect_ok(symlink("l3", "l4"), "a link to it");
	fd = test_expect_ok(open("l4", O_CREAT | O_WRONLY, 0644),
	    "O_CREAT through two links");
	test_expect_ok(close(fd), "close");
	test_expect_ok(access("dir/made", F_OK), "it made dir/made");
	test_expect_ok(symlink("../target", "dir/up"), "symlink");
	test_expect_eq(fs_size("dir/up"), 4, "a relative target");
	test_expect_ok(symlink("dir", "dl"), "symlink to a directory");
	test_expect_eq(fs_size("dl/up"), 4, "through it");
	fd = test_expect_ok(open("dl", O_RDONLY | O_DIRECTORY), "open it");
	test_expect_eq(readlinkat(fd, "up", buf, sizeof(buf)), 9, "readlinkat");
	test_expect_ok(close(fd), "close");
	test_expect_ok(symlink("/", "root"), "symlink /");
	snprintf(buf, sizeof(buf), "root%s/target", fs_dir);
	test_expect_eq(fs_size(buf), 4, "an absolute target");
	test_expect_ok(unlink("dl"), "unlink removes the link only");
	test_expect_ok(access("dir", F_OK), "the directory stays");
	fs_leave();
}

static void
t_deep_paths(void)
{
	static char path[8192];
	char cwd[4096], name[300];
	struct stat a, b;
	int fd;

	fs_enter();
	/* 100 levels, made and reached relative and absolute. */
	path[0] = '\0';
	for (int i = 0; i < 100; i++) {
		strcat(path, i == 0 ? "d" : "/d");
		test_expect_ok(mkdir(path, 0755), "mkdir");
	}
	strcat(path, "/f");
	fs_make_file(path, 7, 'f');
	snprintf(cwd, sizeof(cwd), "%s/%s", fs_dir, path);
	test_expect_eq(fs_size(cwd), 7, "the absolute path");
	test_expect_ok(chdir("d/d/d/d/d"), "chdir down");
	test_expect_ok(chdir("../../d/./d/"), "chdir .. and .");
	test_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(name, sizeof(name), "%s/d/d/d/d/d", fs_dir);
	test_assert_msg(strcmp(cwd, name) == 0, "getcwd %s", cwd);
	test_expect_ok(chdir(fs_dir), "chdir back");

	/* ".." at the root stays at the root. */
	test_expect_ok(stat("/", &a), "stat /");
	test_expect_ok(stat("/..", &b), "stat /..");
	test_expect_eq(a.st_ino, b.st_ino, "/.. is /");
	test_expect_ok(stat("/../../..", &b), "stat /../../..");
	test_expect_eq(a.st_ino, b.st_ino, "/../../.. is /");
	test_expect_ok(chdir("/"), "chdir /");
	test_expect_ok(chdir("../.."), "chdir ../..");
	test_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	test_assert_msg(strcmp(cwd, "/") == 0, "getcwd %s", cwd);
	test_expect_ok(chdir(fs_dir), "chdir back");

	/* Slashes. */
	fs_make_file("file", 1, 'x');
	test_expect_errno(stat("file/", &a), ENOTDIR, "file/");
	test_expect_errno(stat("file/.", &a), ENOTDIR, "file/.");
	test_expect_ok(stat("d//d///d/", &a), "d//d///d/");
	test_assert(S_ISDIR(a.st_mode));
	test_expect_ok(stat(".//file", &a), ".//file");

	/* Lengths. */
	memset(name, 'n', 255);
	name[255] = '\0';
	fd = test_expect_ok(open(name, O_CREAT | O_WRONLY, 0644),
	    "a 255-byte name");
	test_expect_ok(close(fd), "close");
	test_expect_ok(unlink(name), "unlink it");
	name[255] = 'n';
	name[256] = '\0';
	test_expect_errno(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG,
	    "a 256-byte name");
	test_expect_errno(mkdir(name, 0755), ENAMETOOLONG, "mkdir it");
	memset(path, 'a', 5000);
	path[5000] = '\0';
	for (int i = 100; i < 5000; i += 100)
		path[i] = '/';
	test_expect_errno(stat(path, &a), ENAMETOOLONG, "a 5000-byte path");
	fs_leave();
}

static void
t_cwd(void)
{
	char cwd[4096], want[128];
	pid_t pid;
	int fd;

	fs_enter();
	test_expect_ok(mkdir("a", 0755), "mkdir a");
	test_expect_ok(mkdir("a/b", 0755), "mkdir a/b");
	fd = test_expect_ok(open("a", O_RDONLY | O_DIRECTORY), "open a");
	test_expect_ok(chdir("a/b"), "chdir a/b");
	snprintf(want, sizeof(want), "%s/a/b", fs_dir);
	test_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	test_assert_msg(strcmp(cwd, want) == 0, "getcwd %s", cwd);
	test_expect_errno(syscall(SYS_getcwd, cwd, 3), ERANGE,
	    "getcwd into 3 bytes");
	test_expect_eq(syscall(SYS_getcwd, cwd, sizeof(cwd)), strlen(want) + 1,
	    "getcwd's result");
	pid = test_fork();
	if (pid == 0) {
		/* A child starts where its parent is. */
		if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, want) != 0)
			_exit(1);
		if (chdir("/") != 0)
			_exit(2);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	test_assert_msg(strcmp(cwd, want) == 0, "getcwd %s after the child",
	    cwd);
	fs_make_file("here", 1, 'h');
	test_expect_ok(fchdir(fd), "fchdir a");
	test_expect_ok(access("b/here", F_OK), "relative to a");
	test_expect_ok(close(fd), "close");
	test_expect_errno(chdir("b/here"), ENOTDIR, "chdir to a file");
	test_expect_errno(chdir("none"), ENOENT, "chdir to nothing");
	test_expect_errno(fchdir(-1), EBADF, "fchdir -1");

	/* A removed current directory. */
	test_expect_ok(mkdir("gone", 0755), "mkdir");
	test_expect_ok(chdir("gone"), "chdir");
	test_expect_ok(rmdir("../gone"), "rmdir it");
	test_expect_errno(syscall(SYS_getcwd, cwd, sizeof(cwd)), ENOENT,
	    "getcwd in a removed directory");
	test_expect_errno(open("new", O_CREAT | O_WRONLY, 0644), ENOENT,
	    "create in a removed directory");
	test_expect_ok(chdir(fs_dir), "chdir back");
	fs_leave();
}

static void
t_openat_dirfd(void)
{
	struct stat st;
	int dfd, fd;

	fs_enter();
	test_expect_ok(mkdir("d", 0755), "mkdir");
	dfd = test_expect_ok(open("d", O_RDONLY | O_DIRECTORY), "open d");
	fd = test_expect_ok(openat(dfd, "f", O_CREAT | O_WRONLY, 0644),
	    "openat");
	test_expect_ok(close(fd), "close");
	test_expect_ok(access("d/f", F_OK), "made in d");
	test_expect_errno(openat(fd, "f", O_RDONLY), EBADF, "a closed dirfd");
	fd = test_expect_ok(open("d/f", O_RDONLY), "open d/f");
	test_expect_errno(openat(fd, "x", O_RDONLY), ENOTDIR,
	    "a file as dirfd");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(openat(dfd, fs_dir, O_RDONLY), "an absolute path");
	test_expect_ok(close(fd), "close");
	test_expect_ok(mkdirat(dfd, "sub", 0700), "mkdirat");
	test_expect_ok(fstatat(dfd, "sub", &st, 0), "fstatat");
	test_expect_eq(st.st_mode, S_IFDIR | 0700, "its mode");
	test_expect_ok(symlinkat("f", dfd, "l"), "symlinkat");
	test_expect_ok(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW), "lstat it");
	test_assert(S_ISLNK(st.st_mode));
	test_expect_ok(linkat(dfd, "l", dfd, "l2", 0), "linkat of a link");
	test_expect_ok(fstatat(dfd, "l2", &st, AT_SYMLINK_NOFOLLOW),
	    "lstat it");
	test_assert(S_ISLNK(st.st_mode));
	test_expect_ok(linkat(dfd, "l", dfd, "f2", AT_SYMLINK_FOLLOW),
	    "AT_SYMLINK_FOLLOW");
	test_expect_ok(fstatat(dfd, "f2", &st, AT_SYMLINK_NOFOLLOW),
	    "lstat it");
	test_assert(S_ISREG(st.st_mode));
	test_expect_ok(fchmodat(dfd, "f", 0600, 0), "fchmodat");
	test_expect_ok(faccessat(dfd, "f", R_OK, 0), "faccessat");
	test_expect_ok(unlinkat(dfd, "sub", AT_REMOVEDIR), "unlinkat a dir");
	test_expect_ok(renameat(dfd, "f", AT_FDCWD, "moved"), "renameat");
	test_expect_ok(access("moved", F_OK), "moved");
	test_expect_ok(close(dfd), "close");
	fs_leave();
}

/* Count the entries of dir with getdents64 in buffers of size bytes. */
static long
count_entries(const char *dir, size_t size, unsigned char *seen, int nseen)
{
	static char buf[65536];
	long n, count = 0;
	int fd = test_expect_ok(open(dir, O_RDONLY | O_DIRECTORY), "open");

	while ((n = syscall(SYS_getdents64, fd, buf, size)) > 0) {
		for (long off = 0; off < n;) {
			struct fs_dirent *d = (void *)(buf + off);
			int i;

			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0) {
				test_assert(d->d_type == 4);
			} else {
				test_assert(d->d_type == 8);
				i = atoi(d->d_name + 1);
				test_assert(i >= 0 && i < nseen);
				test_assert_msg(!seen[i], "%s twice",
				    d->d_name);
				seen[i] = 1;
			}
			count++;
			off += d->d_reclen;
		}
	}
	test_expect_ok(n, "getdents64");
	test_expect_ok(close(fd), "close");
	return count;
}

/*
 * 10,000 files in one directory: made, listed once each (in one big
 * buffer, then a few at a time), found, stat'ed and removed, the whole
 * well within the test's time limit (the time is noted).
 */
static void
t_getdents_10000(void)
{
	static unsigned char seen[10000];
	char name[32], buf[16];
	struct timespec t0, t1;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fs_enter();
	test_expect_ok(mkdir("big", 0755), "mkdir");
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "big/f%05d", i);
		fd = test_expect_ok(
		    open(name, O_CREAT | O_EXCL | O_WRONLY, 0644), "create");
		close(fd);
	}
	memset(seen, 0, sizeof(seen));
	test_expect_eq(count_entries("big", 65536, seen, 10000), 10002,
	    "entries with . and ..");
	for (int i = 0; i < 10000; i++)
		if (!seen[i])
			test_fail("f%05d missing", i);
	memset(seen, 0, sizeof(seen));
	test_expect_eq(count_entries("big", 100, seen, 10000), 10002,
	    "entries, read a few at a time");
	test_expect_ok(access("big/f09999", F_OK), "a lookup");
	for (int i = 0; i < 10000; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "big/f%05d", i);
		test_expect_ok(stat(name, &st), name);
		test_assert_msg(S_ISREG(st.st_mode) && st.st_size == 0 &&
			st.st_nlink == 1,
		    "%s: mode %o, size %ld, links %ld", name, st.st_mode,
		    (long)st.st_size, (long)st.st_nlink);
	}
	fd = test_expect_ok(open("big", O_RDONLY | O_DIRECTORY), "open");
	test_expect_errno(syscall(SYS_getdents64, fd, buf, sizeof(buf)), EINVAL,
	    "a buffer too small");
	test_expect_ok(close(fd), "close");
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "big/f%05d", i);
		test_expect_ok(unlink(name), "unlink");
	}
	memset(seen, 0, sizeof(seen));
	test_expect_eq(count_entries("big", 4096, seen, 10000), 2,
	    "entries after removing them");
	test_expect_ok(rmdir("big"), "rmdir");
	fs_leave();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	test_note("%ld ms",
	    (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		(t1.tv_nsec - t0.tv_nsec) / 1000000));
}

static void
t_getdents_changing(void)
{
	static char buf[4096];
	static unsigned char seen[64];
	char name[16];
	long n;
	int fd;

	fs_enter();
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fs_make_file(name, 0, 0);
	}
	/* Removing entries while listing never shows one twice. */
	fd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open");
	while ((n = syscall(SYS_getdents64, fd, buf, 200)) > 0) {
		for (long off = 0; off < n;) {
			struct fs_dirent *d = (void *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] != 'f')
				continue;
			test_assert(!seen[atoi(d->d_name + 1)]);
			seen[atoi(d->d_name + 1)] = 1;
			test_expect_ok(unlink(d->d_name), "unlink");
		}
	}
	test_expect_ok(n, "getdents64");
	for (int i = 0; i < 40; i++)
		test_assert_msg(seen[i], "f%d not listed", i);
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "rewind");
	test_expect_eq(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 2 * 24,
	    "only . and .. left");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/*
 * A current directory whose directory and parent are both removed: ".."
 * and lookups in it answer (our kernel: ".." of a removed directory is
 * itself) and nothing is left behind when it is let go.
 */
static void
t_removed_cwd(void)
{
	char path[128];
	struct stat st;
	int fd;

	fs_enter();
	test_expect_ok(mkdir("p", 0755), "mkdir p");
	test_expect_ok(mkdir("p/c", 0755), "mkdir p/c");
	test_expect_ok(chdir("p/c"), "chdir p/c");
	test_expect_ok(rmdir("../c"), "rmdir the current directory");
	snprintf(path, sizeof(path), "%s/p", fs_dir);
	test_expect_ok(rmdir(path), "rmdir its parent");
	test_expect_ok(stat(".", &st), "stat .");
	test_expect_eq(st.st_nlink, 0, "a removed directory's links");
	test_expect_ok(stat("..", &st), "stat ..");
	test_expect_eq(st.st_nlink, 0, "\"..\" is the removed directory");
	test_expect_errno(stat("x", &st), ENOENT, "a name in it");
	test_expect_errno(mkdir("x", 0755), ENOENT, "mkdir in it");
	test_expect_errno(symlink("t", "x"), ENOENT, "symlink in it");
	fd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_ok(chdir(fs_dir), "chdir back");
	test_expect_errno(openat(fd, "y", O_CREAT | O_WRONLY, 0644), ENOENT,
	    "openat O_CREAT in it");
	test_expect_ok(close(fd), "the last reference goes");
	fs_leave();
}

const struct test fs_names_tests[] = {
	{ "mkdir_rmdir", t_mkdir_rmdir, NULL },
	{ "rename", t_rename, NULL },
	{ "hard_links", t_hard_links, NULL },
	{ "symlinks", t_symlinks, NULL },
	{ "deep_paths", t_deep_paths, NULL },
	{ "cwd", t_cwd, NULL },
	{ "removed_cwd", t_removed_cwd,
	    "\"..\" of a removed directory is that directory" },
	{ "openat_dirfd", t_openat_dirfd, NULL },
	{ "getdents_10000", t_getdents_10000, NULL },
	{ "getdents_changing", t_getdents_changing, NULL },
	{ NULL, NULL, NULL },
};
