/*
 * files.c: open and the calls on open files (see fs.h).
 */

#include "fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
fill(char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7 + i / 251);
}

static void
t_create_write_read(void)
{
	static char out[10000], in[10000];
	struct timespec now;
	struct stat st;
	int fd;

	fs_enter();
	umask(022);
	fd = test_expect_ok(open("f", O_CREAT | O_RDWR, 0666), "create f");
	fill(out, sizeof(out), 3);
	test_expect_eq(write(fd, out, sizeof(out)), sizeof(out), "write");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), sizeof(out), "the offset moved");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
	test_expect_eq(read(fd, in, sizeof(in)), sizeof(in), "read back");
	test_assert(memcmp(in, out, sizeof(in)) == 0);
	test_expect_eq(read(fd, in, sizeof(in)), 0, "read at the end");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_assert(S_ISREG(st.st_mode));
	test_expect_eq(st.st_mode & 07777, 0644, "mode less the umask");
	test_expect_eq(st.st_size, sizeof(out), "st_size");
	test_expect_eq(st.st_nlink, 1, "st_nlink");
	clock_gettime(CLOCK_REALTIME, &now);
	test_assert_msg(st.st_mtim.tv_sec <= now.tv_sec &&
		st.st_mtim.tv_sec + 5 >= now.tv_sec,
	    "mtime %ld, now %ld", (long)st.st_mtim.tv_sec, (long)now.tv_sec);

	/* pread and pwrite leave the offset alone; a hole reads as zeros. */
	test_expect_eq(lseek(fd, 17, SEEK_SET), 17, "lseek");
	test_expect_eq(pread(fd, in, 100, 5000), 100, "pread");
	test_assert(memcmp(in, out + 5000, 100) == 0);
	test_expect_eq(pwrite(fd, "Z", 1, 20000), 1, "pwrite past the end");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 17, "the offset stayed");
	test_expect_eq(lseek(fd, 0, SEEK_END), 20001, "SEEK_END");
	test_expect_eq(pread(fd, in, 10000, 10000), 10000, "pread the hole");
	test_expect_bytes(in, 10000, 0, "the hole");
	test_expect_eq(pread(fd, in, 10, 20000), 1, "pread the last byte");
	test_assert(in[0] == 'Z');
	test_expect_errno(pread(fd, in, 1, -1), EINVAL, "pread at -1");
	test_expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to -1");
	test_expect_ok(close(fd), "close");

	/* Flags. */
	test_expect_errno(open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
	    "O_EXCL on an existing file");
	test_expect_errno(open("g", O_RDONLY), ENOENT, "open a missing file");
	test_expect_errno(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR,
	    "O_DIRECTORY on a file");
	test_expect_errno(open(".", O_WRONLY), EISDIR,
	    "open a directory to write");
	test_expect_errno(open(".", O_RDONLY | O_CREAT, 0644), EISDIR,
	    "O_CREAT of a directory");
	test_expect_errno(open("f/", O_RDONLY), ENOTDIR, "f/");
	test_expect_errno(open("g/", O_RDWR | O_CREAT, 0644), EISDIR,
	    "O_CREAT of g/");
	test_expect_errno(open("", O_RDONLY), ENOENT, "open \"\"");
	fd = test_expect_ok(open("f", O_RDONLY), "open read-only");
	test_expect_errno(write(fd, "x", 1), EBADF, "write to a read-only fd");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open("f", O_WRONLY | O_TRUNC), "O_TRUNC");
	test_expect_errno(read(fd, in, 1), EBADF, "read a write-only fd");
	test_expect_ok(close(fd), "close");
	test_expect_eq(fs_size("f"), 0, "O_TRUNC emptied it");
	fd = test_expect_ok(creat("c", 0600), "creat");
	test_expect_eq(write(fd, "abc", 3), 3, "write");
	test_expect_ok(close(fd), "close");
	test_expect_eq(fs_size("c"), 3, "creat's file");
	fd = test_expect_ok(open("f", O_RDONLY | O_CLOEXEC), "O_CLOEXEC");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_errno(read(fd, in, 1), EISDIR, "read a directory");
	test_expect_errno(lseek(fd, 0, SEEK_END), EINVAL,
	    "SEEK_END on a directory");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/* Append 200 records of 16 bytes tagged c through a file of its own. */
static void
appender(void *arg)
{
	char rec[16];
	int c = (int)(long)arg;
	int fd = open("log", O_WRONLY | O_APPEND);

	if (fd < 0)
		_exit(2);
	memset(rec, c, sizeof(rec));
	for (int i = 0; i < 200; i++) {
		rec[0] = (char)i;
		if (write(fd, rec, sizeof(rec)) != sizeof(rec))
			_exit(3);
	}
	_exit(0);
}

static void
t_append_two_procs(void)
{
	static char buf[2 * 200 * 16];
	pid_t a, b;
	int fd, na = 0, nb = 0;

	fs_enter();
	fs_make_file("log", 0, 0);
	a = test_fork();
	if (a == 0)
		appender((void *)'A');
	b = test_fork();
	if (b == 0)
		appender((void *)'B');
	test_expect_exit(a, 0, "appender A");
	test_expect_exit(b, 0, "appender B");
	test_expect_eq(fs_size("log"), sizeof(buf), "every record is there");
	fd = test_expect_ok(open("log", O_RDONLY), "open");
	test_expect_eq(test_read_full(fd, buf, sizeof(buf)), sizeof(buf),
	    "read");
	test_expect_ok(close(fd), "close");
	for (size_t r = 0; r < sizeof(buf) / 16; r++) {
		char *p = buf + r * 16;

		for (int i = 1; i < 16; i++)
			if (p[i] != p[1])
				test_fail("record %zu is torn", r);
		na += p[1] == 'A';
		nb += p[1] == 'B';
	}
	test_expect_eq(na, 200, "A's records");
	test_expect_eq(nb, 200, "B's records");

	/* O_APPEND writes at the end whatever the offset. */
	fd = test_expect_ok(open("log", O_RDWR | O_APPEND), "open");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek");
	test_expect_eq(write(fd, "end", 3), 3, "write");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), sizeof(buf) + 3,
	    "the offset is at the end");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

static void
t_truncate(void)
{
	static char buf[3 * 4096];
	struct stat st;
	int fd, mfd;

	fs_enter();
	fs_make_file("t", sizeof(buf), 'x');
	fd = test_expect_ok(open("t", O_RDWR), "open");
	test_expect_ok(ftruncate(fd, 100), "ftruncate down to 100");
	test_expect_eq(fs_size("t"), 100, "size");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_assert_msg(st.st_blocks == 8, "st_blocks %ld", (long)st.st_blocks);
	test_expect_ok(ftruncate(fd, 8192), "ftruncate up to 8192");
	test_expect_eq(pread(fd, buf, sizeof(buf), 0), 8192, "read");
	test_expect_bytes(buf, 100, 'x', "the first 100 bytes stay");
	test_expect_bytes(buf + 100, 8192 - 100, 0, "the rest reads as zeros");
	test_expect_ok(truncate("t", 0), "truncate to 0");
	test_expect_eq(fs_size("t"), 0, "size");
	test_expect_eq(read(fd, buf, 10), 0, "nothing left to read");
	test_expect_errno(truncate("t", -1), EINVAL, "truncate to -1");
	test_expect_errno(ftruncate(fd, -1), EINVAL, "ftruncate to -1");
	test_expect_errno(truncate(".", 0), EISDIR, "truncate a directory");
	test_expect_errno(truncate("missing", 0), ENOENT,
	    "truncate a missing file");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open("t", O_RDONLY), "open read-only");
	test_expect_errno(ftruncate(fd, 10), EINVAL,
	    "ftruncate a read-only fd");
	test_expect_ok(close(fd), "close");

	/* memfd's ftruncate goes on working. */
	mfd = test_expect_ok(test_memfd_create("m", 0), "memfd_create");
	test_expect_ok(ftruncate(mfd, 3 * 4096), "ftruncate a memfd");
	test_expect_ok(fstat(mfd, &st), "fstat");
	test_expect_eq(st.st_size, 3 * 4096, "memfd size");
	test_expect_ok(close(mfd), "close");
	fs_leave();
}

static void
t_unlink_open(void)
{
	char buf[8];
	struct stat st;
	int fd, fd2;
	pid_t pid;

	fs_enter();
	fs_make_file("u", 5000, 'u');
	fd = test_expect_ok(open("u", O_RDWR), "open");
	fd2 = test_expect_ok(open("u", O_RDONLY), "open again");
	test_expect_ok(unlink("u"), "unlink the open file");
	test_expect_errno(stat("u", &st), ENOENT, "its name is gone");
	test_expect_errno(unlink("u"), ENOENT, "unlink again");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_nlink, 0, "st_nlink");
	test_expect_eq(st.st_size, 5000, "the data stays");
	test_expect_eq(pwrite(fd, "new", 3, 5000), 3, "write to it");
	test_expect_ok(close(fd), "close one");
	pid = test_fork();
	if (pid == 0) {
		/* The child's copy of the fd keeps it too. */
		if (pread(fd2, buf, 3, 5000) != 3 || memcmp(buf, "new", 3) != 0)
			_exit(1);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child read it");
	test_expect_eq(pread(fd2, buf, 4, 4998), 4, "pread");
	test_assert(memcmp(buf, "uune", 4) == 0);
	test_expect_ok(close(fd2), "the last close frees it");
	fs_make_file("u", 1, 'v'); /* the name is free again */
	fs_leave();
}

static void
t_exec_written(void)
{
	static char buf[65536];
	int in, out;
	long n;
	pid_t pid;

	fs_enter();
	in = test_expect_ok(open(test_self, O_RDONLY), "open this program");
	out = test_expect_ok(open("prog", O_CREAT | O_WRONLY, 0755), "create");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		test_expect_eq(write(out, buf, n), n, "copy");
	test_expect_ok(n, "read");
	test_expect_ok(close(in), "close");
	test_expect_ok(close(out), "close");
	pid = test_fork();
	if (pid == 0) {
		char *argv[] = { "prog", FS_EXIT_WITH, "7", NULL };

		execv("prog", argv);
		_exit(99);
	}
	test_expect_exit(pid, 7, "the program written at run time");
	pid = test_fork();
	if (pid == 0) {
		char *argv[] = { "prog", FS_EXIT_WITH, "9", NULL };

		execv("./prog", argv);
		_exit(99);
	}
	test_expect_exit(pid, 9, "through ./prog");
	test_expect_errno(execv("nothing", (char *[]) { "nothing", NULL }),
	    ENOENT, "exec a missing file");
	fs_leave();
}

static void
t_stat_chmod_times(void)
{
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	struct stat st, st2;
	int fd, p[2];

	fs_enter();
	fs_make_file("s", 10, 's');
	test_expect_ok(chmod("s", 0600), "chmod");
	test_expect_ok(stat("s", &st), "stat");
	test_expect_eq(st.st_mode, S_IFREG | 0600, "st_mode");
	fd = test_expect_ok(open("s", O_RDONLY), "open");
	test_expect_ok(fchmod(fd, 0751), "fchmod");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_mode, S_IFREG | 0751, "st_mode");
	test_expect_ok(fstatat(AT_FDCWD, "s", &st2, 0), "fstatat");
	test_expect_eq(st2.st_ino, st.st_ino, "one inode");
	test_expect_ok(fstatat(fd, "", &st2, AT_EMPTY_PATH), "AT_EMPTY_PATH");
	test_expect_eq(st2.st_ino, st.st_ino, "AT_EMPTY_PATH's inode");
	test_expect_errno(fstatat(fd, "", &st2, 0), ENOENT,
	    "\"\" without AT_EMPTY_PATH");
	test_expect_errno(fstatat(AT_FDCWD, "s", &st2, 0x8000000), EINVAL,
	    "a bad flag");
	test_expect_ok(utimensat(AT_FDCWD, "s", ts, 0), "utimensat");
	test_expect_ok(stat("s", &st), "stat");
	test_expect_eq(st.st_atim.tv_sec, 1000, "atime");
	test_expect_eq(st.st_atim.tv_nsec, 5, "atime ns");
	test_expect_eq(st.st_mtim.tv_sec, 2000, "mtime");
	test_expect_eq(st.st_mtim.tv_nsec, 7, "mtime ns");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	test_expect_ok(futimens(fd, ts), "futimens");
	test_expect_ok(stat("s", &st), "stat");
	test_expect_eq(st.st_atim.tv_sec, 1000, "atime omitted");
	test_assert(st.st_mtim.tv_sec > 2000);
	ts[0].tv_nsec = 1000000000;
	test_expect_errno(utimensat(AT_FDCWD, "s", ts, 0), EINVAL,
	    "tv_nsec out of range");
	test_expect_ok(close(fd), "close");

	test_expect_ok(access("s", R_OK | W_OK | X_OK), "access");
	test_expect_errno(access("none", F_OK), ENOENT,
	    "access a missing file");
	test_expect_errno(access("s", 8), EINVAL, "access with a bad mode");

	/* fstatat with AT_EMPTY_PATH describes any open file. */
	test_pipe(p);
	test_expect_ok(fstatat(p[0], "", &st, AT_EMPTY_PATH), "a pipe");
	test_assert(S_ISFIFO(st.st_mode));
	close(p[0]);
	close(p[1]);

	test_expect_ok(stat("/", &st), "stat /");
	test_assert(S_ISDIR(st.st_mode));
	test_assert(st.st_nlink >= 3);
	test_expect_ok(stat(fs_dir, &st), "stat the test directory");
	test_assert(S_ISDIR(st.st_mode));
	fs_leave();
}

const struct test fs_files_tests[] = {
	{ "create_write_read", t_create_write_read, NULL },
	{ "append_two_procs", t_append_two_procs, NULL },
	{ "truncate", t_truncate, NULL },
	{ "unlink_open", t_unlink_open, NULL },
	{ "exec_written", t_exec_written, NULL },
	{ "stat_chmod_times", t_stat_chmod_times, NULL },
	{ NULL, NULL, NULL },
};
