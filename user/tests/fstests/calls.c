/*
 * calls.c: the remaining file calls (see fs.h): preadv, pwritev, preadv2,
 * pwritev2, sendfile, copy_file_range, fsync, fdatasync, flock, the
 * chown family, futimesat, fallocate, statx, O_PATH and O_TMPFILE.
 */

#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux's numbers and flags, for the calls musl has no wrapper for. */
#define NR_PREADV2 327
#define NR_PWRITEV2 328
#define NR_STATX 332
#define NR_FUTIMESAT 261
#define XRWF_NOWAIT 0x8
#define XRWF_APPEND 0x10
#define XFALLOC_FL_KEEP_SIZE 0x01
#define XFALLOC_FL_PUNCH_HOLE 0x02
#define XFALLOC_FL_COLLAPSE_RANGE 0x08
#define XSTATX_BASIC_STATS 0x7ffU
#define XSTATX__RESERVED 0x80000000U
#define XAT_STATX_FORCE_SYNC 0x2000
#define XAT_STATX_DONT_SYNC 0x4000

/* Linux's struct statx (uapi <linux/stat.h>). */
struct xstatx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct xstatx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct xstatx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};

_Static_assert(sizeof(struct xstatx) == 256, "struct statx is 256 bytes");

static long
preadv2_(int fd, const struct iovec *iov, int n, long off, int flags)
{
	return syscall(NR_PREADV2, fd, iov, n, off, 0L, flags);
}

static long
pwritev2_(int fd, const struct iovec *iov, int n, long off, int flags)
{
	return syscall(NR_PWRITEV2, fd, iov, n, off, 0L, flags);
}

static long
statx_(int dirfd, const char *path, int flags, unsigned mask, struct xstatx *sx)
{
	return syscall(NR_STATX, dirfd, path, flags, mask, sx);
}

static void
t_preadv(void)
{
	char a[6], b[10];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec wv[2] = { { "hello ", 6 }, { "vectored", 8 } };
	int fd, wo, p[2];

	fs_enter();
	fd = test_expect_ok(open("f", O_CREAT | O_RDWR, 0644), "create f");
	test_expect_eq(pwritev(fd, wv, 2, 100), 14, "pwritev at 100");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 0, "pwritev left the offset");
	test_expect_eq(fs_size("f"), 114, "the size");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	test_expect_eq(preadv(fd, iov, 2, 100), 14, "preadv at 100");
	test_assert(memcmp(a, "hello ", 6) == 0);
	test_assert(memcmp(b, "vectored", 8) == 0);
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 0, "preadv left the offset");
	test_expect_eq(preadv(fd, iov, 2, 110), 4, "preadv near the end");
	test_expect_eq(preadv(fd, iov, 2, 1000), 0, "preadv past the end");

	/* preadv2/pwritev2: -1 is the file offset, which moves. */
	test_expect_eq(lseek(fd, 100, SEEK_SET), 100, "lseek");
	test_expect_eq(preadv2_(fd, iov, 1, -1, 0), 6, "preadv2 at -1");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 106, "the offset moved");
	test_expect_eq(preadv2_(fd, iov, 1, 0, 0), 6, "preadv2 at 0");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 106, "the offset stayed");
	test_expect_eq(pwritev2_(fd, wv, 1, -1, 0), 6, "pwritev2 at -1");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 112, "the offset moved");
	test_expect_eq(pwritev2_(fd, wv, 1, 0, XRWF_APPEND), 6,
	    "pwritev2 RWF_APPEND");
	test_expect_eq(fs_size("f"), 120, "RWF_APPEND wrote at the end");
	test_expect_eq(pread(fd, a, 6, 114), 6, "pread");
	test_assert(memcmp(a, "hello ", 6) == 0);
	test_expect_errno(preadv2_(fd, iov, 1, 0, 0x100), EOPNOTSUPP,
	    "an unknown RWF flag");
	test_expect_errno(preadv2_(fd, iov, 1, 0, XRWF_NOWAIT), EOPNOTSUPP,
	    "RWF_NOWAIT on a tmpfs file");
	test_expect_errno(pwritev2_(fd, wv, 1, 0, 0x100), EOPNOTSUPP,
	    "an unknown RWF flag (write)");
	test_expect_errno(preadv2_(fd, iov, 1, -2, 0), EINVAL, "preadv2 at -2");
	test_expect_errno(preadv(fd, iov, 1, -1), EINVAL, "preadv at -1");
	test_expect_errno(pwritev(fd, wv, 1, -1), EINVAL, "pwritev at -1");
	test_expect_errno(preadv(fd, iov, -1, 0), EINVAL, "iovcnt -1");
	test_expect_errno(preadv(fd, iov, 1025, 0), EINVAL, "iovcnt 1025");
	test_expect_errno(preadv(fd, (void *)16, 1, 0), EFAULT, "a bad iov");
	test_expect_errno(preadv(99, iov, 1, 0), EBADF, "a bad fd");
	wo = test_expect_ok(open("f", O_WRONLY), "open write-only");
	test_expect_errno(preadv(wo, iov, 1, 0), EBADF, "preadv write-only");
	close(wo);
	close(fd);
	fd = test_expect_ok(open("f", O_RDONLY), "open read-only");
	test_expect_errno(pwritev(fd, wv, 1, 0), EBADF, "pwritev read-only");
	close(fd);

	/* A pipe: no offsets, but -1 reads and writes it. */
	test_pipe(p);
	test_expect_errno(preadv(p[0], iov, 1, 0), ESPIPE, "preadv a pipe");
	test_expect_errno(pwritev(p[1], wv, 1, 0), ESPIPE, "pwritev a pipe");
	/* Linux 6.1's pipes and tmpfs files are not FMODE_NOWAIT. */
	test_expect_errno(preadv2_(p[0], iov, 1, -1, XRWF_NOWAIT), EOPNOTSUPP,
	    "RWF_NOWAIT on a pipe");
	test_expect_eq(pwritev2_(p[1], wv, 2, -1, 0), 14, "pwritev2 a pipe");
	test_expect_eq(preadv2_(p[0], iov, 2, -1, 0), 14, "preadv2 a pipe");
	test_assert(memcmp(b, "vectored", 8) == 0);
	close(p[0]);
	close(p[1]);

	fd = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_errno(preadv(fd, iov, 1, 0), EISDIR, "preadv a directory");
	close(fd);
	fs_leave();
}

static void
t_sendfile(void)
{
	static char buf[100000], in[100000];
	off_t off;
	int src, dst, p[2], d;

	fs_enter();
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 13 + i / 7);
	src = test_expect_ok(open("src", O_CREAT | O_RDWR, 0644), "create src");
	test_expect_eq(write(src, buf, sizeof(buf)), sizeof(buf), "write");
	dst = test_expect_ok(open("dst", O_CREAT | O_RDWR, 0644), "create dst");

	/* From the file offset, which moves; into dst's, which moves. */
	test_expect_eq(lseek(src, 1000, SEEK_SET), 1000, "lseek src");
	test_expect_eq(sendfile(dst, src, NULL, 70000), 70000,
	    "sendfile 70000");
	test_expect_eq(lseek(src, 0, SEEK_CUR), 71000, "src offset moved");
	test_expect_eq(lseek(dst, 0, SEEK_CUR), 70000, "dst offset moved");
	test_expect_eq(pread(dst, in, 70000, 0), 70000, "read dst");
	test_assert(memcmp(in, buf + 1000, 70000) == 0);

	/* From *offset: the file offset stays. */
	off = 99990;
	test_expect_eq(sendfile(dst, src, &off, 100), 10, "up to the end");
	test_expect_eq(off, 100000, "*offset moved");
	test_expect_eq(lseek(src, 0, SEEK_CUR), 71000, "src offset stayed");
	test_expect_eq(sendfile(dst, src, &off, 100), 0, "at the end");
	off = -1;
	test_expect_errno(sendfile(dst, src, &off, 10), EINVAL,
	    "a negative offset");
	test_expect_errno(sendfile(dst, src, (off_t *)16, 10), EFAULT,
	    "a bad offset pointer");

	/* Into a pipe. */
	test_pipe(p);
	off = 5;
	test_expect_eq(sendfile(p[1], src, &off, 3000), 3000,
	    "sendfile to a pipe");
	test_expect_eq(read(p[0], in, sizeof(in)), 3000, "read the pipe");
	test_assert(memcmp(in, buf + 5, 3000) == 0);
	test_expect_errno(sendfile(dst, p[0], NULL, 10), EINVAL, "from a pipe");
	test_expect_errno(sendfile(dst, p[0], &off, 10), ESPIPE,
	    "from a pipe at an offset");

	/* Errors. */
	test_expect_errno(sendfile(dst, 99, NULL, 10), EBADF, "a bad in_fd");
	test_expect_errno(sendfile(99, src, NULL, 10), EBADF, "a bad out_fd");
	test_expect_errno(sendfile(dst, p[1], NULL, 10), EBADF,
	    "in_fd not readable");
	test_expect_errno(sendfile(p[0], src, NULL, 10), EBADF,
	    "out_fd not writable");
	d = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_errno(sendfile(dst, d, NULL, 10), EINVAL,
	    "from a directory");
	close(d);
	d = test_expect_ok(open("dst", O_WRONLY | O_APPEND), "O_APPEND");
	test_expect_errno(sendfile(d, src, NULL, 10), EINVAL,
	    "to an O_APPEND file");
	close(d);
	close(p[0]);
	close(p[1]);
	close(src);
	close(dst);
	fs_leave();
}

/*
 * sendfile into a pipe passes the bytes through a scratch mapping of
 * the caller's (vfs_rdwr.c): once it returns, memory mapped where the
 * scratch was must be fresh zeros, whatever sendfile read there.
 */
static void
t_sendfile_scratch_gone(void)
{
	static char buf[8192], in[8192];
	int src, p[2];

	fs_enter();
	memset(buf, 0x5a, sizeof(buf));
	src = test_expect_ok(open("src", O_CREAT | O_RDWR, 0644), "create src");
	test_expect_eq(write(src, buf, sizeof(buf)), sizeof(buf), "write");
	test_pipe(p);
	for (int round = 0; round < 8; round++) {
		off_t off = 0;
		unsigned char *m;

		test_expect_eq(sendfile(p[1], src, &off, 4096 + round * 100),
		    4096 + round * 100, "sendfile to a pipe");
		test_expect_eq(read(p[0], in, sizeof(in)), 4096 + round * 100,
		    "read the pipe");
		m = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		test_assert(m != MAP_FAILED);
		for (size_t i = 0; i < 65536; i += 8)
			test_assert_msg(*(uint64_t *)(m + i) == 0,
			    "round %d: byte %zu of a fresh mapping is 0x%llx",
			    round, i, (unsigned long long)*(uint64_t *)(m + i));
		munmap(m, 65536);
	}
	close(p[0]);
	close(p[1]);
	close(src);
	fs_leave();
}

static void
t_copy_file_range(void)
{
	static char buf[20000], in[20000];
	off_t oi, oo;
	int a, b, d, p[2], ro;

	fs_enter();
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 31 + 1);
	a = test_expect_ok(open("a", O_CREAT | O_RDWR, 0644), "create a");
	test_expect_eq(write(a, buf, sizeof(buf)), sizeof(buf), "write a");
	b = test_expect_ok(open("b", O_CREAT | O_RDWR, 0644), "create b");

	test_expect_eq(lseek(a, 0, SEEK_SET), 0, "rewind a");
	test_expect_eq(copy_file_range(a, NULL, b, NULL, 15000, 0), 15000,
	    "copy at the offsets");
	test_expect_eq(lseek(a, 0, SEEK_CUR), 15000, "a's offset moved");
	test_expect_eq(lseek(b, 0, SEEK_CUR), 15000, "b's offset moved");
	oi = 19000;
	oo = 30000;
	test_expect_eq(copy_file_range(a, &oi, b, &oo, 5000, 0), 1000,
	    "copy to the end of a");
	test_expect_eq(oi, 20000, "*off_in moved");
	test_expect_eq(oo, 31000, "*off_out moved");
	test_expect_eq(lseek(a, 0, SEEK_CUR), 15000, "a's offset stayed");
	test_expect_eq(lseek(b, 0, SEEK_CUR), 15000, "b's offset stayed");
	test_expect_eq(fs_size("b"), 31000, "b's size");
	test_expect_eq(pread(b, in, 15000, 0), 15000, "read b");
	test_assert(memcmp(in, buf, 15000) == 0);
	test_expect_eq(pread(b, in, 1000, 30000), 1000, "read b's tail");
	test_assert(memcmp(in, buf + 19000, 1000) == 0);
	test_expect_eq(pread(b, in, 1000, 20000), 1000, "read b's hole");
	test_expect_bytes(in, 1000, 0, "the hole");
	test_expect_eq(copy_file_range(a, &oi, b, &oo, 10, 0), 0,
	    "at the end of a");

	/* One file: non-overlapping ranges only. */
	oi = 0;
	oo = 100;
	test_expect_errno(copy_file_range(a, &oi, a, &oo, 200, 0), EINVAL,
	    "overlapping ranges");
	oo = 100;
	test_expect_eq(copy_file_range(a, &oi, a, &oo, 100, 0), 100,
	    "adjacent ranges of one file");
	test_expect_eq(pread(a, in, 100, 100), 100, "read");
	test_assert(memcmp(in, buf, 100) == 0);

	/* Errors. */
	oi = 0;
	test_expect_errno(copy_file_range(a, &oi, b, NULL, 10, 1), EINVAL,
	    "flags 1");
	test_expect_errno(copy_file_range(99, NULL, b, NULL, 10, 0), EBADF,
	    "a bad fd_in");
	test_expect_errno(copy_file_range(a, NULL, 99, NULL, 10, 0), EBADF,
	    "a bad fd_out");
	oi = -5;
	test_expect_errno(copy_file_range(a, &oi, b, NULL, 3, 0), EINVAL,
	    "a negative offset");
	test_expect_errno(copy_file_range(a, &oi, b, NULL, 10, 0), EOVERFLOW,
	    "a negative offset that the length wraps");
	test_expect_errno(copy_file_range(a, (off_t *)16, b, NULL, 10, 0),
	    EFAULT, "a bad off_in");
	d = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_errno(copy_file_range(d, NULL, b, NULL, 10, 0), EISDIR,
	    "from a directory");
	close(d);
	test_pipe(p);
	test_expect_errno(copy_file_range(a, NULL, p[1], NULL, 10, 0), EINVAL,
	    "to a pipe");
	close(p[0]);
	close(p[1]);
	ro = test_expect_ok(open("b", O_RDONLY), "open b read-only");
	test_expect_errno(copy_file_range(a, NULL, ro, NULL, 10, 0), EBADF,
	    "to a read-only fd");
	close(ro);
	ro = test_expect_ok(open("b", O_WRONLY | O_APPEND), "O_APPEND");
	test_expect_errno(copy_file_range(a, NULL, ro, NULL, 10, 0), EBADF,
	    "to an O_APPEND fd");
	close(ro);
	close(a);
	close(b);
	fs_leave();
}

static void
t_fsync(void)
{
	int fd, d, p[2];

	fs_enter();
	fd = test_expect_ok(open("f", O_CREAT | O_RDWR, 0644), "create f");
	test_expect_ok(fsync(fd), "fsync a file");
	test_expect_ok(fdatasync(fd), "fdatasync a file");
	d = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_ok(fsync(d), "fsync a directory");
	test_pipe(p);
	test_expect_errno(fsync(p[0]), EINVAL, "fsync a pipe");
	test_expect_errno(fdatasync(p[1]), EINVAL, "fdatasync a pipe");
	test_expect_errno(fsync(99), EBADF, "fsync a bad fd");
	test_expect_errno(fdatasync(-1), EBADF, "fdatasync -1");
	close(p[0]);
	close(p[1]);
	close(d);
	close(fd);
	fs_leave();
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
t_flock(void)
{
	int a, b, c, st;
	pid_t pid;
	struct sigaction sa;
	struct itimerval it;

	fs_enter();
	fs_make_file("f", 10, 'x');
	a = test_expect_ok(open("f", O_RDWR), "open a");
	b = test_expect_ok(open("f", O_RDONLY), "open b");

	/* Shared locks share; an exclusive one waits for them. */
	test_expect_ok(flock(a, LOCK_SH), "a LOCK_SH");
	test_expect_ok(flock(b, LOCK_SH | LOCK_NB), "b LOCK_SH");
	test_expect_errno(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK,
	    "b LOCK_EX while a shares (b's lock is lost)");
	test_expect_ok(flock(a, LOCK_EX | LOCK_NB),
	    "a converts to LOCK_EX: b holds none now");
	test_expect_errno(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK,
	    "b LOCK_SH against a's LOCK_EX");
	test_expect_ok(flock(a, LOCK_EX), "a LOCK_EX again");
	test_expect_ok(flock(a, LOCK_UN), "a LOCK_UN");
	test_expect_ok(flock(b, LOCK_EX | LOCK_NB), "b LOCK_EX");
	test_expect_ok(flock(b, LOCK_UN), "b LOCK_UN");
	test_expect_ok(flock(b, LOCK_UN), "LOCK_UN with no lock");

	/* A dup shares the lock; it goes with the last close. */
	test_expect_ok(flock(a, LOCK_EX), "a LOCK_EX");
	c = test_expect_ok(dup(a), "dup a");
	test_expect_ok(flock(c, LOCK_EX | LOCK_NB), "the dup holds it too");
	test_expect_ok(close(a), "close a");
	test_expect_errno(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK,
	    "the dup keeps the lock");
	test_expect_ok(close(c), "close the dup");
	test_expect_ok(flock(b, LOCK_EX | LOCK_NB), "the last close let go");
	test_expect_ok(flock(b, LOCK_UN), "unlock");

	/* Errors. */
	test_expect_errno(flock(99, LOCK_SH), EBADF, "a bad fd");
	test_expect_errno(flock(b, 0), EINVAL, "operation 0");
	test_expect_errno(flock(b, LOCK_SH | LOCK_EX), EINVAL,
	    "LOCK_SH | LOCK_EX");
	test_expect_errno(flock(b, LOCK_NB), EINVAL, "LOCK_NB alone");

	/* A blocked LOCK_EX gets the lock when its holder lets go. */
	a = test_expect_ok(open("f", O_RDWR), "open a");
	test_expect_ok(flock(a, LOCK_EX), "a LOCK_EX");
	pid = test_fork();
	if (pid == 0) {
		int fd = open("f", O_RDWR);

		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		_exit(
		    flock(a, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK ?
			0 :
			2);
	}
	test_sleep_ns(100000000);
	test_assert(waitpid(pid, &st, WNOHANG) == 0); /* still waiting */
	test_expect_ok(flock(a, LOCK_UN), "let the child have it");
	test_expect_exit(pid, 0, "the waiter got the lock");

	/* A signal with a handler (no SA_RESTART) ends the wait: EINTR. */
	test_expect_ok(flock(a, LOCK_EX), "a LOCK_EX");
	pid = test_fork();
	if (pid == 0) {
		int fd = open("f", O_RDWR);

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		memset(&it, 0, sizeof(it));
		it.it_value.tv_usec = 50000;
		setitimer(ITIMER_REAL, &it, NULL);
		_exit(flock(fd, LOCK_EX) == -1 && errno == EINTR ? 0 : 1);
	}
	test_expect_exit(pid, 0, "the wait ended with EINTR");
	close(a);
	close(b);
	fs_leave();
}

static void
t_chown(void)
{
	struct stat st;
	int fd, p;

	fs_enter();
	fs_make_file("f", 10, 'x');
	test_expect_ok(symlink("f", "l"), "symlink");
	test_expect_ok(chown("f", 1000, 2000), "chown");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_uid, 1000, "uid");
	test_expect_eq(st.st_gid, 2000, "gid");
	test_expect_ok(chown("f", -1, 3000), "chown -1");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_uid, 1000, "uid kept");
	test_expect_eq(st.st_gid, 3000, "gid changed");
	test_expect_ok(chown("l", 5, -1), "chown through the link");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_uid, 5, "the target changed");
	test_expect_ok(lchown("l", 7, 8), "lchown");
	test_expect_ok(lstat("l", &st), "lstat");
	test_expect_eq(st.st_uid, 7, "the link's uid");
	test_expect_eq(st.st_gid, 8, "the link's gid");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_uid, 5, "the target kept its uid");
	test_expect_ok(fchownat(AT_FDCWD, "l", 9, 9, AT_SYMLINK_NOFOLLOW),
	    "fchownat AT_SYMLINK_NOFOLLOW");
	test_expect_ok(lstat("l", &st), "lstat");
	test_expect_eq(st.st_uid, 9, "the link changed");

	fd = test_expect_ok(open("f", O_RDONLY), "open f");
	test_expect_ok(fchown(fd, 11, 12), "fchown");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_uid, 11, "fchown's uid");
	test_expect_eq(st.st_gid, 12, "fchown's gid");
	test_expect_ok(fchownat(fd, "", 13, -1, AT_EMPTY_PATH),
	    "fchownat AT_EMPTY_PATH");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_uid, 13, "AT_EMPTY_PATH's uid");
	close(fd);
	p = test_expect_ok(open("f", O_PATH), "open O_PATH");
	/* Raw: musl's fchown retries EBADF through /proc/self/fd. */
	test_expect_errno(syscall(SYS_fchown, p, 1, 1), EBADF,
	    "fchown an O_PATH fd");
	close(p);

	/* The set-id bits go, as Linux's chown does, even for root. */
	test_expect_ok(chmod("f", 06755), "chmod 06755");
	test_expect_ok(chown("f", 0, 0), "chown");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_mode & 07777, 0755, "S_ISUID and S_ISGID cleared");
	test_expect_ok(mkdir("d", 0755), "mkdir");
	test_expect_ok(chmod("d", 02755), "chmod a directory 02755");
	test_expect_ok(chown("d", 1, 1), "chown the directory");
	test_expect_ok(stat("d", &st), "stat");
	test_expect_eq(st.st_mode & 07777, 02755, "a directory keeps S_ISGID");

	/* Errors. */
	test_expect_errno(chown("none", 1, 1), ENOENT, "chown a missing file");
	test_expect_errno(chown("", 1, 1), ENOENT, "chown \"\"");
	test_expect_errno(fchownat(AT_FDCWD, "f", 1, 1, 0x1), EINVAL,
	    "fchownat with a bad flag");
	test_expect_errno(fchown(99, 1, 1), EBADF, "fchown a bad fd");
	test_expect_errno(chown("f/x", 1, 1), ENOTDIR, "chown f/x");
	test_expect_errno(chown((char *)16, 1, 1), EFAULT, "a bad path");
	fs_leave();
}

static void
t_futimesat(void)
{
	struct timeval tv[2];
	struct stat st;
	int d;

	fs_enter();
	fs_make_file("f", 1, 'x');
	d = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	tv[0].tv_sec = 1000;
	tv[0].tv_usec = 5;
	tv[1].tv_sec = 2000;
	tv[1].tv_usec = 999999;
	test_expect_ok(syscall(NR_FUTIMESAT, d, "f", tv), "futimesat");
	test_expect_ok(stat("f", &st), "stat");
	test_expect_eq(st.st_atim.tv_sec, 1000, "atime");
	test_expect_eq(st.st_atim.tv_nsec, 5000, "atime ns");
	test_expect_eq(st.st_mtim.tv_sec, 2000, "mtime");
	test_expect_eq(st.st_mtim.tv_nsec, 999999000, "mtime ns");
	test_expect_ok(syscall(NR_FUTIMESAT, AT_FDCWD, "f", NULL),
	    "futimesat NULL: now");
	test_expect_ok(stat("f", &st), "stat");
	test_assert(st.st_mtim.tv_sec > 2000);
	tv[1].tv_usec = 1000000;
	test_expect_errno(syscall(NR_FUTIMESAT, d, "f", tv), EINVAL,
	    "tv_usec 1000000");
	tv[1].tv_usec = -1;
	test_expect_errno(syscall(NR_FUTIMESAT, d, "f", tv), EINVAL,
	    "tv_usec -1");
	test_expect_errno(syscall(NR_FUTIMESAT, d, "none", NULL), ENOENT,
	    "a missing file");
	test_expect_errno(syscall(NR_FUTIMESAT, 99, "f", NULL), EBADF,
	    "a bad dirfd");
	test_expect_errno(syscall(NR_FUTIMESAT, d, "f", (void *)16), EFAULT,
	    "bad times");
	close(d);
	fs_leave();
}

static void
t_fallocate(void)
{
	char buf[8192];
	struct stat st;
	int fd, ro, d, p[2];

	fs_enter();
	fd = test_expect_ok(open("f", O_CREAT | O_RDWR, 0644), "create f");
	test_expect_eq(write(fd, "abc", 3), 3, "write");
	test_expect_ok(fallocate(fd, 0, 0, 8192), "fallocate 0..8192");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_size, 8192, "the size grew");
	test_assert_msg(st.st_blocks >= 16, "st_blocks %ld",
	    (long)st.st_blocks);
	test_expect_eq(pread(fd, buf, sizeof(buf), 0), 8192, "read");
	test_assert(memcmp(buf, "abc", 3) == 0);
	test_expect_bytes(buf + 3, sizeof(buf) - 3, 0, "the rest");
	test_expect_ok(fallocate(fd, 0, 100, 100), "inside the file");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_size, 8192, "the size stayed");
	test_expect_ok(fallocate(fd, XFALLOC_FL_KEEP_SIZE, 4096, 65536),
	    "FALLOC_FL_KEEP_SIZE");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_size, 8192, "KEEP_SIZE kept it");
	test_expect_ok(fallocate(fd, 0, 20000, 1), "past the end");
	test_expect_eq(fs_size("f"), 20001, "the size");

	/* Errors, in Linux's order. */
	test_expect_errno(fallocate(fd, 0, -1, 10), EINVAL, "offset -1");
	test_expect_errno(fallocate(fd, 0, 0, 0), EINVAL, "len 0");
	test_expect_errno(fallocate(fd, 0x100, 0, 10), EOPNOTSUPP,
	    "an unknown mode");
	test_expect_errno(fallocate(fd, XFALLOC_FL_PUNCH_HOLE, 0, 10),
	    EOPNOTSUPP, "PUNCH_HOLE without KEEP_SIZE");
	test_expect_errno(fallocate(fd,
			      XFALLOC_FL_COLLAPSE_RANGE | XFALLOC_FL_KEEP_SIZE,
			      0, 4096),
	    EINVAL, "COLLAPSE_RANGE with another flag");
	test_expect_errno(fallocate(fd, 0, INT64_MAX - 10, 100), EFBIG,
	    "offset + len overflows");
	test_expect_errno(fallocate(99, 0, 0, 10), EBADF, "a bad fd");
	ro = test_expect_ok(open("f", O_RDONLY), "open read-only");
	test_expect_errno(fallocate(ro, 0, 0, 10), EBADF, "a read-only fd");
	close(ro);
	test_pipe(p);
	test_expect_errno(fallocate(p[1], 0, 0, 10), ESPIPE, "a pipe");
	close(p[0]);
	close(p[1]);
	d = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_expect_errno(fallocate(d, 0, 0, 10), EBADF,
	    "a directory (not writable)");
	close(d);
	close(fd);
	fs_leave();
}

static void
t_statx(void)
{
	struct xstatx sx;
	struct stat st;
	int fd, p[2];

	fs_enter();
	fs_make_file("f", 1234, 'x');
	test_expect_ok(chown("f", 42, 43), "chown");
	test_expect_ok(symlink("f", "l"), "symlink");
	test_expect_ok(stat("f", &st), "stat");
	memset(&sx, 0xa5, sizeof(sx));
	test_expect_ok(statx_(AT_FDCWD, "l", 0, XSTATX_BASIC_STATS, &sx),
	    "statx");
	test_expect_hex(sx.stx_mask & XSTATX_BASIC_STATS, XSTATX_BASIC_STATS,
	    "stx_mask");
	test_assert(S_ISREG(sx.stx_mode));
	test_expect_eq(sx.stx_mode, st.st_mode, "stx_mode");
	test_expect_eq(sx.stx_size, 1234, "stx_size");
	test_expect_eq(sx.stx_ino, st.st_ino, "stx_ino");
	test_expect_eq(sx.stx_nlink, 1, "stx_nlink");
	test_expect_eq(sx.stx_uid, 42, "stx_uid");
	test_expect_eq(sx.stx_gid, 43, "stx_gid");
	test_expect_eq(sx.stx_blocks, st.st_blocks, "stx_blocks");
	test_expect_eq(sx.stx_blksize, st.st_blksize, "stx_blksize");
	test_expect_eq(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec, "stx_mtime");
	test_expect_eq(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec,
	    "stx_mtime ns");
	test_expect_eq(sx.stx_ctime.tv_sec, st.st_ctim.tv_sec, "stx_ctime");
	test_expect_eq(sx.stx_atime.tv_sec, st.st_atim.tv_sec, "stx_atime");
	test_expect_eq(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev,
	    "stx_dev");

	test_expect_ok(statx_(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, 0, &sx),
	    "statx AT_SYMLINK_NOFOLLOW");
	test_assert(S_ISLNK(sx.stx_mode));
	test_expect_eq(sx.stx_size, 1, "the link's size");
	test_expect_ok(
	    statx_(AT_FDCWD, ".", XAT_STATX_DONT_SYNC, XSTATX_BASIC_STATS, &sx),
	    "statx a directory");
	test_assert(S_ISDIR(sx.stx_mode));
	test_pipe(p);
	test_expect_ok(statx_(p[0], "", AT_EMPTY_PATH, XSTATX_BASIC_STATS, &sx),
	    "statx AT_EMPTY_PATH on a pipe");
	test_assert(S_ISFIFO(sx.stx_mode));
	close(p[0]);
	close(p[1]);
	fd = test_expect_ok(open("f", O_PATH), "O_PATH");
	test_expect_ok(statx_(fd, "", AT_EMPTY_PATH, XSTATX_BASIC_STATS, &sx),
	    "statx an O_PATH fd");
	test_expect_eq(sx.stx_size, 1234, "its size");
	close(fd);

	/* Errors. */
	test_expect_errno(statx_(AT_FDCWD, "f", 0, XSTATX__RESERVED, &sx),
	    EINVAL, "STATX__RESERVED");
	test_expect_errno(statx_(AT_FDCWD, "f",
			      XAT_STATX_FORCE_SYNC | XAT_STATX_DONT_SYNC,
			      XSTATX_BASIC_STATS, &sx),
	    EINVAL, "both sync flags");
	test_expect_errno(statx_(AT_FDCWD, "f", 0x1, XSTATX_BASIC_STATS, &sx),
	    EINVAL, "a bad flag");
	test_expect_errno(statx_(AT_FDCWD, "none", 0, XSTATX_BASIC_STATS, &sx),
	    ENOENT, "a missing file");
	test_expect_errno(statx_(AT_FDCWD, "", 0, XSTATX_BASIC_STATS, &sx),
	    ENOENT, "\"\" without AT_EMPTY_PATH");
	test_expect_errno(statx_(99, "f", 0, XSTATX_BASIC_STATS, &sx), EBADF,
	    "a bad dirfd");
	test_expect_errno(
	    statx_(AT_FDCWD, "f", 0, XSTATX_BASIC_STATS, (void *)16), EFAULT,
	    "a bad buffer");
	test_expect_errno(statx_(AT_FDCWD, "f/x", 0, XSTATX_BASIC_STATS, &sx),
	    ENOTDIR, "f/x");
	fs_leave();
}

static void
t_opath(void)
{
	char buf[64];
	struct stat st;
	int fd, d, l, n;

	fs_enter();
	fs_make_file("f", 100, 'x');
	test_expect_ok(mkdir("sub", 0755), "mkdir sub");
	fs_make_file("sub/g", 7, 'y');
	test_expect_ok(symlink("f", "l"), "symlink");

	fd = test_expect_ok(open("f", O_PATH | O_RDWR | O_CREAT | O_TRUNC),
	    "open O_PATH (other flags ignored)");
	test_expect_eq(fs_size("f"), 100, "O_TRUNC was ignored");
	test_expect_errno(read(fd, buf, 1), EBADF, "read");
	test_expect_errno(write(fd, "x", 1), EBADF, "write");
	test_expect_errno(pread(fd, buf, 1, 0), EBADF, "pread");
	test_expect_errno(lseek(fd, 0, SEEK_SET), EBADF, "lseek");
	/* Raw: musl's fchmod retries EBADF through /proc/self/fd. */
	test_expect_errno(syscall(SYS_fchmod, fd, 0600), EBADF, "fchmod");
	test_expect_errno(ftruncate(fd, 0), EBADF, "ftruncate");
	test_expect_errno(fsync(fd), EBADF, "fsync");
	test_expect_errno(flock(fd, LOCK_SH), EBADF, "flock");
	test_expect_errno(ioctl(fd, FIOCLEX), EBADF, "ioctl");
	test_assert(
	    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED);
	test_expect_eq(errno, EBADF, "mmap");
	test_expect_ok(fstat(fd, &st), "fstat works");
	test_expect_eq(st.st_size, 100, "its size");
	test_assert(fcntl(fd, F_GETFL) & O_PATH);
	test_expect_errno(fcntl(fd, F_SETFL, O_NONBLOCK), EBADF, "F_SETFL");
	test_expect_ok(fcntl(fd, F_SETFD, FD_CLOEXEC), "F_SETFD works");
	n = test_expect_ok(dup(fd), "dup works");
	test_expect_ok(fstat(n, &st), "fstat the dup");
	test_expect_ok(close(n), "close the dup");
	test_expect_ok(close(fd), "close");

	/* A directory: fchdir and *at calls take it; getdents does not. */
	d = test_expect_ok(open("sub", O_PATH | O_DIRECTORY), "O_PATH dir");
	test_expect_errno(syscall(SYS_getdents64, d, buf, sizeof(buf)), EBADF,
	    "getdents64");
	fd = test_expect_ok(openat(d, "g", O_RDONLY), "openat from it");
	test_expect_eq(read(fd, buf, sizeof(buf)), 7, "read g");
	close(fd);
	test_expect_ok(fstatat(d, "g", &st, 0), "fstatat from it");
	test_expect_ok(fstatat(d, "", &st, AT_EMPTY_PATH),
	    "fstatat AT_EMPTY_PATH");
	test_assert(S_ISDIR(st.st_mode));
	test_expect_ok(fchdir(d), "fchdir");
	test_expect_ok(access("g", F_OK), "in sub");
	test_expect_ok(chdir(".."), "back");
	close(d);

	/* O_PATH | O_NOFOLLOW opens a symbolic link itself. */
	l = test_expect_ok(open("l", O_PATH | O_NOFOLLOW), "the link");
	test_expect_ok(fstat(l, &st), "fstat the link");
	test_assert(S_ISLNK(st.st_mode));
	close(l);
	test_expect_errno(open("l", O_RDONLY | O_NOFOLLOW), ELOOP,
	    "without O_PATH: ELOOP");
	test_expect_errno(open("f", O_PATH | O_DIRECTORY), ENOTDIR,
	    "O_PATH | O_DIRECTORY on a file");
	test_expect_errno(open("none", O_PATH), ENOENT, "a missing file");
	fs_leave();
}

static void
t_tmpfile(void)
{
	struct dirent *de;
	struct stat st;
	char buf[16];
	DIR *dir;
	int fd, n = 0;

	fs_enter();
	umask(022);
	fd = test_expect_ok(open(".", O_TMPFILE | O_RDWR, 0666), "O_TMPFILE");
	test_expect_eq(write(fd, "unnamed", 7), 7, "write");
	test_expect_eq(pread(fd, buf, sizeof(buf), 0), 7, "read back");
	test_assert(memcmp(buf, "unnamed", 7) == 0);
	test_expect_ok(fstat(fd, &st), "fstat");
	test_assert(S_ISREG(st.st_mode));
	test_expect_eq(st.st_mode & 0777, 0644, "mode less the umask");
	test_expect_eq(st.st_nlink, 0, "no name");
	dir = opendir(".");
	test_assert(dir != NULL);
	while ((de = readdir(dir)) != NULL)
		n++;
	closedir(dir);
	test_expect_eq(n, 2, "the directory holds only . and ..");
	test_expect_ok(close(fd), "close frees it");

	fs_make_file("f", 1, 'x');
	test_expect_errno(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL,
	    "O_TMPFILE read-only");
	test_expect_errno(open(".", O_TMPFILE | O_CREAT | O_RDWR, 0600), EINVAL,
	    "O_TMPFILE | O_CREAT");
	test_expect_errno(open("f", O_TMPFILE | O_RDWR, 0600), ENOTDIR,
	    "O_TMPFILE in a file");
	test_expect_errno(open("none", O_TMPFILE | O_RDWR, 0600), ENOENT,
	    "O_TMPFILE in a missing directory");
	fs_leave();
}

const struct test fs_calls_tests[] = {
	{ "preadv", t_preadv, NULL },
	{ "sendfile", t_sendfile, NULL },
	{ "sendfile_scratch_gone", t_sendfile_scratch_gone, NULL },
	{ "copy_file_range", t_copy_file_range, NULL },
	{ "fsync", t_fsync, NULL },
	{ "flock", t_flock, NULL },
	{ "chown", t_chown, NULL },
	{ "futimesat", t_futimesat, NULL },
	{ "fallocate", t_fallocate, NULL },
	{ "statx", t_statx, NULL },
	{ "opath", t_opath, NULL },
	{ "tmpfile", t_tmpfile, NULL },
	{ NULL, NULL, NULL },
};
