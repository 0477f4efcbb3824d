/*
 * fs.c: files and descriptors: open, read, write, close, fstat, lseek,
 * getdents64, dup, dup2, readv, writev and ioctl on initrd files,
 * directories, pipes and the console.
 *
 * The regular file every test can rely on is this program itself
 * (test_self: /tests/usertests on our kernel, wherever it was started from
 * on Linux); "/" and "/bin" are directories on both.  Files that only our
 * initrd has (/bin/init, /README, /tests) are checked only there.
 */

#include "ut.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG_FD (1 << 20) /* above any descriptor limit */

/* open(path, flags) through the raw call, so musl adds no flags. */
static long
sys_open(const char *path, int flags)
{
	return syscall(SYS_open, path, flags, 0);
}

/* Open `path` read-only or fail the test. */
static int
open_ok(const char *path, int flags)
{
	char what[128];

	snprintf(what, sizeof(what), "open %s", path);
	return (int)test_expect_ok(sys_open(path, O_RDONLY | flags), what);
}

/* fstat(fd) or fail the test. */
static void
fstat_ok(int fd, struct stat *st)
{
	test_expect_ok(syscall(SYS_fstat, fd, st), "fstat");
}

/* A descriptor number that is certainly closed. */
static int
closed_fd(void)
{
	int fd = (int)test_expect_ok(dup(1), "dup(1)");

	close(fd);
	return fd;
}

/*
 * Read a regular file to its end in small chunks and check the total
 * against fstat's st_size; then reads at the end return 0.
 */
static void
check_read_whole(const char *path)
{
	char buf[1000], what[160];
	struct stat st;
	long total = 0, r;
	int fd = open_ok(path, 0);

	fstat_ok(fd, &st);
	snprintf(what, sizeof(what), "%s is a regular file", path);
	test_assert_msg(S_ISREG(st.st_mode), "%s: st_mode 0%o", what,
	    (unsigned)st.st_mode);
	test_assert_msg(st.st_size > 0, "%s: st_size %lld", path,
	    (long long)st.st_size);
	while ((r = syscall(SYS_read, fd, buf, sizeof(buf))) > 0)
		total += r;
	test_expect_ok(r, "read to the end");
	snprintf(what, sizeof(what), "bytes read from %s against st_size",
	    path);
	test_expect_eq(total, st.st_size, what);
	test_expect_eq(syscall(SYS_read, fd, buf, sizeof(buf)), 0,
	    "read at end of file");
	test_expect_eq(syscall(SYS_read, fd, buf, 0), 0, "read of 0 bytes");
	close(fd);
}

/* Reading a whole initrd file gives exactly st_size bytes. */
static void
t_read_file(void)
{
	check_read_whole(test_self);
	if (test_native) {
		check_read_whole("/bin/init");
		check_read_whole("/README");
	}
}

/* fstat reports the kind of each file: directory, pipe, file. */
static void
t_fstat_kinds(void)
{
	const char *dirs[] = { "/", "/bin" };
	struct stat st;
	int fd, p[2];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		fd = open_ok(dirs[i], 0);
		fstat_ok(fd, &st);
		test_assert_msg(S_ISDIR(st.st_mode),
		    "fstat %s: st_mode 0%o, "
		    "expected a directory",
		    dirs[i], (unsigned)st.st_mode);
		close(fd);
	}
	test_pipe(p);
	for (int i = 0; i < 2; i++) {
		fstat_ok(p[i], &st);
		test_assert_msg(S_ISFIFO(st.st_mode),
		    "fstat pipe end %d: "
		    "st_mode 0%o, expected S_IFIFO",
		    i, (unsigned)st.st_mode);
		test_expect_eq(st.st_size, 0, "st_size of an empty pipe");
	}
	if (test_native) {
		/* syscalls.master: the console is a character device. */
		fstat_ok(1, &st);
		test_assert_msg(S_ISCHR(st.st_mode),
		    "fstat(1): st_mode 0%o, "
		    "expected S_IFCHR",
		    (unsigned)st.st_mode);
	}
}

/* Paths that name nothing: ENOENT. */
static void
t_open_enoent(void)
{
	test_expect_errno(sys_open("/nonexistent", O_RDONLY), ENOENT,
	    "open /nonexistent");
	test_expect_errno(sys_open("/bin/nonexistent", O_RDONLY), ENOENT,
	    "open /bin/nonexistent");
	test_expect_errno(sys_open("/nonexistent/x", O_RDONLY), ENOENT,
	    "open /nonexistent/x");
	test_expect_errno(sys_open("", O_RDONLY), ENOENT, "open \"\"");
}

/* A path through a file, and O_DIRECTORY on a file: ENOTDIR. */
static void
t_open_enotdir(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/x", test_self);
	test_expect_errno(sys_open(path, O_RDONLY), ENOTDIR,
	    "open a path through a file");
	test_expect_errno(sys_open(test_self, O_RDONLY | O_DIRECTORY), ENOTDIR,
	    "open a file with O_DIRECTORY");
	fd = open_ok("/bin", O_DIRECTORY);
	close(fd);
}

/* O_RDONLY with the flags musl and programs add is accepted. */
static void
t_open_flags_ok(void)
{
	const int flags[] = { O_CLOEXEC, O_LARGEFILE, O_NOCTTY, O_NONBLOCK,
		O_CLOEXEC | O_LARGEFILE | O_NOCTTY | O_NONBLOCK };
	char what[64];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(what, sizeof(what), "open file with flags 0%o",
		    (unsigned)flags[i]);
		close((int)test_expect_ok(sys_open(test_self, flags[i]), what));
	}
}

/*
 * ABI.md: the initrd's tree is read-only, and anything that needs write
 * access there fails with EROFS (an existing file opened O_RDONLY with
 * O_CREAT needs none, as on Linux); /tmp is a writable tmpfs.
 */
static void
t_open_erofs(void)
{
	const struct {
		const char *path;
		int flags;
	} cases[] = {
		{ "/bin/init", O_WRONLY },
		{ "/bin/init", O_RDWR },
		{ "/bin/init", O_RDONLY | O_TRUNC },
		{ "/bin/init", O_WRONLY | O_APPEND },
		{ "/bin/init", O_WRONLY | O_CREAT | O_TRUNC },
		{ "/newfile", O_RDONLY | O_CREAT },
		{ "/newfile", O_WRONLY | O_CREAT | O_EXCL },
		{ "/bin/newfile", O_WRONLY | O_CREAT },
	};
	char what[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "open %s with flags 0%o",
		    cases[i].path, (unsigned)cases[i].flags);
		test_expect_errno(
		    syscall(SYS_open, cases[i].path, cases[i].flags, 0644),
		    EROFS, what);
	}
	test_expect_errno(sys_open("/newfile", O_RDONLY), ENOENT,
	    "nothing was created");
	close((int)test_expect_ok(sys_open("/README", O_RDONLY | O_CREAT),
	    "O_CREAT of an existing file, read-only"));
	test_expect_errno(sys_open("/README", O_RDONLY | O_CREAT | O_EXCL),
	    EEXIST, "O_EXCL on an existing file");
	test_expect_errno(syscall(SYS_unlink, "/README"), EROFS, "unlink");
	test_expect_errno(syscall(SYS_unlink, "/nosuchfile"), EROFS,
	    "unlink of no file: EROFS first, as Linux");
	test_expect_errno(syscall(SYS_mkdir, "/newdir", 0755), EROFS, "mkdir");
	test_expect_errno(syscall(SYS_mkdir, "/bin", 0755), EEXIST,
	    "mkdir of an existing name: EEXIST first, as Linux");
	test_expect_errno(syscall(SYS_rename, "/README", "/README2"), EROFS,
	    "rename");
	test_expect_errno(syscall(SYS_chmod, "/README", 0600), EROFS, "chmod");
	test_expect_errno(syscall(SYS_truncate, "/README", 0), EROFS,
	    "truncate");
}

/* /tmp takes new files: create, write, read back, unlink. */
static void
t_open_tmp_writable(void)
{
	char buf[8] = { 0 };
	int fd;

	fd = (int)test_expect_ok(
	    sys_open("/tmp/usertests.newfile", O_RDWR | O_CREAT | O_EXCL),
	    "create in /tmp");
	test_expect_eq(write(fd, "hello", 5), 5, "write");
	test_expect_eq(pread(fd, buf, 5, 0), 5, "read back");
	test_assert(memcmp(buf, "hello", 5) == 0);
	close(fd);
	test_expect_ok(syscall(SYS_unlink, "/tmp/usertests.newfile"),
	    "unlink the new file");
	test_expect_errno(sys_open("/tmp/usertests.newfile", O_RDONLY), ENOENT,
	    "open it after the unlink");
}

/* syscalls.master: an open flag bit it does not name is EINVAL. */
static void
t_open_bad_flags(void)
{
	test_expect_errno(sys_open("/bin/init", O_RDONLY | 0x10000000), EINVAL,
	    "open with flag 0x10000000");
}

/* Fill `buf` with a path of `len` characters made of `comp`-long names. */
static void
make_path(char *buf, size_t len, size_t comp)
{
	size_t i = 0, k = 0;

	while (i < len) {
		if (k == 0 || k > comp) {
			buf[i++] = '/';
			k = 1;
		} else {
			buf[i++] = 'a';
			k++;
		}
	}
	buf[len] = '\0';
}

/*
 * PATH_MAX is 4096 with the NUL: 4095 characters is a long name that does
 * not exist, 4096 is too long.  A component of more than 255 characters
 * (NAME_MAX) is too long, as on Linux.
 */
static void
t_open_nametoolong(void)
{
	static char path[6000];

	make_path(path, 4095, 200);
	test_expect_errno(sys_open(path, O_RDONLY), ENOENT,
	    "open a 4095-character path");
	make_path(path, 4096, 200);
	test_expect_errno(sys_open(path, O_RDONLY), ENAMETOOLONG,
	    "open a 4096-character path");
	make_path(path, 5000, 200);
	test_expect_errno(sys_open(path, O_RDONLY), ENAMETOOLONG,
	    "open a 5000-character path");
	make_path(path, 256, 255);
	test_expect_errno(sys_open(path, O_RDONLY), ENOENT,
	    "open a 255-character name");
	make_path(path, 257, 256);
	test_expect_errno(sys_open(path, O_RDONLY), ENAMETOOLONG,
	    "open a 256-character name");
}

/* read() and readv() on a directory: EISDIR. */
static void
t_read_dir_eisdir(void)
{
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	int fd = open_ok("/", 0);

	test_expect_errno(syscall(SYS_read, fd, buf, sizeof(buf)), EISDIR,
	    "read a directory");
	test_expect_errno(syscall(SYS_readv, fd, &iov, 1), EISDIR,
	    "readv a directory");
	close(fd);
}

/*
 * Open until EMFILE; then a pipe needs two free descriptors and fails
 * with one, dup fails with none; after closing everything, open works.
 */
static void
t_emfile(void)
{
	enum {
		CAP = 100000
	};
	int *fds = malloc(CAP * sizeof(int));
	int n = 0, p[2], fd;
	long r = 0;

	test_assert(fds != NULL);
	if (!test_native) {
		/* Linux only: a small limit keeps the host's work small. */
		struct rlimit rl = { 256, 256 };
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (n < CAP && (r = sys_open(test_self, O_RDONLY)) >= 0)
		fds[n++] = (int)r;
	test_assert_msg(n < CAP, "no EMFILE after %d opens", n);
	test_expect_errno(r, EMFILE, "open with no free descriptor");
	test_expect_errno(dup(fds[0]), EMFILE, "dup with no free descriptor");
	test_expect_errno(syscall(SYS_pipe, p), EMFILE,
	    "pipe with no free descriptor");

	close(fds[--n]);
	test_expect_errno(syscall(SYS_pipe, p), EMFILE,
	    "pipe with one free descriptor");
	fd = (int)test_expect_ok(sys_open(test_self, O_RDONLY),
	    "open with one free descriptor");
	test_expect_errno(sys_open(test_self, O_RDONLY), EMFILE,
	    "open after using the last descriptor");
	close(fd);

	while (n > 0)
		test_expect_ok(close(fds[--n]), "close");
	close(open_ok(test_self, 0));
	test_pipe(p);
	free(fds);
}

/* lseek with SEEK_SET, SEEK_CUR and SEEK_END, past the end, and errors. */
static void
t_lseek(void)
{
	size_t size;
	char *data = ut_read_file(test_self, &size);
	char buf[16];
	long s = (long)size;
	int fd = open_ok(test_self, 0), p[2];

	test_assert(size > 64);
	test_expect_eq(lseek(fd, 10, SEEK_SET), 10, "SEEK_SET 10");
	test_expect_eq(test_read_full(fd, buf, 16), 16, "read 16 at 10");
	test_assert_msg(memcmp(buf, data + 10, 16) == 0,
	    "bytes at offset 10 differ from the file's");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 26, "SEEK_CUR 0 after read");
	test_expect_eq(lseek(fd, -6, SEEK_CUR), 20, "SEEK_CUR -6");
	test_expect_eq(lseek(fd, 0, SEEK_END), s, "SEEK_END 0");
	test_expect_eq(lseek(fd, -16, SEEK_END), s - 16, "SEEK_END -16");
	test_expect_eq(test_read_full(fd, buf, 16), 16, "read the last 16");
	test_assert_msg(memcmp(buf, data + size - 16, 16) == 0,
	    "the last 16 bytes differ from the file's");
	test_expect_eq(syscall(SYS_read, fd, buf, 16), 0, "read at the end");

	test_expect_eq(lseek(fd, s + 100, SEEK_SET), s + 100, "seek past end");
	test_expect_eq(syscall(SYS_read, fd, buf, 16), 0, "read past the end");

	test_expect_eq(lseek(fd, 5, SEEK_SET), 5, "SEEK_SET 5");
	test_expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "SEEK_SET -1");
	test_expect_errno(lseek(fd, -6, SEEK_CUR), EINVAL, "SEEK_CUR to -1");
	test_expect_errno(lseek(fd, -s - 1, SEEK_END), EINVAL,
	    "SEEK_END to -1");
	test_expect_errno(lseek(fd, 0, 100), EINVAL, "whence 100");
	test_expect_errno(lseek(fd, 0, -1), EINVAL, "whence -1");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 5, "offset after failed seeks");

	test_pipe(p);
	test_expect_errno(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek a pipe");
	test_expect_errno(lseek(p[1], 0, SEEK_CUR), ESPIPE, "lseek a pipe");
	test_expect_errno(lseek(closed_fd(), 0, SEEK_SET), EBADF,
	    "lseek a closed fd");
	close(fd);
	free(data);
}

/* syscalls.master: SEEK_DATA is not a whence; the console cannot seek. */
static void
t_lseek_native(void)
{
	int fd = open_ok("/bin/init", 0);

	test_expect_errno(lseek(fd, 0, 3), EINVAL, "whence 3 (SEEK_DATA)");
	test_expect_errno(lseek(fd, 0, 4), EINVAL, "whence 4 (SEEK_HOLE)");
	test_expect_errno(lseek(1, 0, SEEK_CUR), ESPIPE, "lseek the console");
	close(fd);
}

/* ---------------------------------------------------------------------
 * Directories.
 */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* What scan_dir found. */
struct dirscan {
	int count;      /* entries */
	uint64_t hash;  /* order-independent hash of the names */
	int found;      /* entries named `want` */
	int found_type; /* d_type of that entry */
};

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/*
 * List the directory `fd` from its current offset to the end with
 * getdents64 into a buffer of `bufsize` bytes, checking the records' form.
 */
static void
scan_dir(int fd, size_t bufsize, const char *want, struct dirscan *ds)
{
	char *buf = malloc(bufsize);
	long n;

	test_assert(buf != NULL);
	memset(ds, 0, sizeof(*ds));
	while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		test_assert_msg((size_t)n <= bufsize,
		    "getdents64 returned %ld "
		    "for a %zu-byte buffer",
		    n, bufsize);
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d =
			    (struct linux_dirent64 *)(buf + off);
			size_t namemax = d->d_reclen -
			    offsetof(struct linux_dirent64, d_name);
			test_assert_msg(d->d_reclen >= 20 &&
				d->d_reclen % 8 == 0 && off + d->d_reclen <= n,
			    "bad d_reclen %u at offset %ld of %ld", d->d_reclen,
			    off, n);
			test_assert_msg(memchr(d->d_name, '\0', namemax) !=
				NULL,
			    "d_name not NUL-terminated in its record");
			ds->count++;
			ds->hash += name_hash(d->d_name);
			if (want && strcmp(d->d_name, want) == 0) {
				ds->found++;
				ds->found_type = d->d_type;
			}
			off += d->d_reclen;
		}
	}
	test_expect_ok(n, "getdents64");
	free(buf);
}

/* Look `name` up in directory `path`; returns its d_type, fails if absent. */
static int
dir_lookup(const char *path, const char *name)
{
	struct dirscan ds;
	int fd = open_ok(path, O_DIRECTORY);

	scan_dir(fd, 4096, name, &ds);
	close(fd);
	test_assert_msg(ds.found == 1,
	    "%s lists \"%s\" %d times, expected once", path, name, ds.found);
	return ds.found_type;
}

/* "/" lists bin (and tests on our initrd), as directories. */
static void
t_getdents_root(void)
{
	int type = dir_lookup("/", "bin");

	if (test_native) {
		/* On Linux /bin is often a symbolic link. */
		test_expect_eq(type, DT_DIR, "d_type of /bin");
		test_expect_eq(dir_lookup("/", "tests"), DT_DIR,
		    "d_type of /tests");
		test_expect_eq(dir_lookup("/", "README"), DT_REG,
		    "d_type of /README");
		test_expect_eq(dir_lookup("/tests", "usertests"), DT_REG,
		    "d_type of /tests/usertests");
	}
}

/* /bin lists sh (and init on our initrd). */
static void
t_getdents_bin(void)
{
	dir_lookup("/bin", "sh");
	if (test_native)
		test_expect_eq(dir_lookup("/bin", "init"), DT_REG,
		    "d_type of /bin/init");
}

/*
 * A buffer too small for one entry is EINVAL; small buffers list the same
 * entries as a big one; lseek to 0 restarts; a file is ENOTDIR.
 */
static void
t_getdents_buffers(void)
{
	struct dirscan big, small, again;
	char tiny[8];
	int fd = open_ok("/bin", O_DIRECTORY), file;

	test_expect_errno(syscall(SYS_getdents64, fd, tiny, sizeof(tiny)),
	    EINVAL, "getdents64 with an 8-byte buffer");
	scan_dir(fd, 32768, NULL, &big);
	test_assert_msg(big.count >= 2, "/bin has %d entries", big.count);
	test_expect_eq(syscall(SYS_getdents64, fd, tiny, sizeof(tiny)), 0,
	    "getdents64 at the end of the directory");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek a directory to 0");
	scan_dir(fd, 300, NULL, &small);
	test_expect_eq(small.count, big.count,
	    "entries with a 300-byte buffer");
	test_assert_msg(small.hash == big.hash,
	    "300-byte buffer listed "
	    "other names than a 32 KiB one");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek a directory to 0");
	scan_dir(fd, 4096, NULL, &again);
	test_expect_eq(again.count, big.count, "entries after rewinding");
	close(fd);

	file = open_ok(test_self, 0);
	test_expect_errno(syscall(SYS_getdents64, file, tiny, sizeof(tiny)),
	    ENOTDIR, "getdents64 on a file");
	close(file);
	test_expect_errno(
	    syscall(SYS_getdents64, closed_fd(), tiny, sizeof(tiny)), EBADF,
	    "getdents64 on a closed fd");
}

/* ---------------------------------------------------------------------
 * Descriptors.
 */

/* dup returns the lowest free descriptor, sharing the file offset. */
static void
t_dup(void)
{
	int a = open_ok(test_self, 0), b = open_ok(test_self, 0), d;

	close(a);
	d = (int)test_expect_ok(dup(b), "dup");
	test_expect_eq(d, a, "dup returns the lowest free descriptor");
	test_expect_eq(lseek(b, 100, SEEK_SET), 100, "lseek original");
	test_expect_eq(lseek(d, 0, SEEK_CUR), 100, "offset seen through dup");
	close(b);
	test_expect_eq(lseek(d, 0, SEEK_CUR), 100, "dup survives close of b");
	close(d);

	test_expect_errno(dup(-1), EBADF, "dup(-1)");
	test_expect_errno(dup(closed_fd()), EBADF, "dup(closed)");
	test_expect_errno(dup(BIG_FD), EBADF, "dup(1 << 20)");
	test_expect_errno(dup(INT_MAX), EBADF, "dup(INT_MAX)");
}

/* dup2: same fd, errors, a chosen number, and replacing an open fd. */
static void
t_dup2(void)
{
	int fd = open_ok(test_self, 0), c = closed_fd(), p[2];
	struct stat st;

	signal(SIGPIPE, SIG_IGN);
	test_expect_eq(dup2(fd, fd), fd, "dup2(fd, fd)");
	test_expect_errno(dup2(c, c), EBADF, "dup2(closed, closed)");
	test_expect_errno(dup2(c, fd), EBADF, "dup2(closed, fd)");
	test_expect_ok(lseek(fd, 0, SEEK_CUR),
	    "fd open after dup2(closed, fd)");
	test_expect_errno(dup2(fd, -1), EBADF, "dup2(fd, -1)");
	test_expect_errno(dup2(fd, INT_MAX), EBADF, "dup2(fd, INT_MAX)");
	test_expect_errno(dup2(-1, 50), EBADF, "dup2(-1, 50)");

	test_expect_eq(dup2(fd, 50), 50, "dup2(fd, 50)");
	test_expect_eq(lseek(fd, 77, SEEK_SET), 77, "lseek fd");
	test_expect_eq(lseek(50, 0, SEEK_CUR), 77, "offset seen through 50");
	close(50);

	/* Replacing the only read end of a pipe closes it. */
	test_pipe(p);
	test_expect_eq(dup2(fd, p[0]), p[0], "dup2 over a pipe's read end");
	fstat_ok(p[0], &st);
	test_assert_msg(S_ISREG(st.st_mode),
	    "after dup2 the fd is not the file");
	test_expect_errno(write(p[1], "x", 1), EPIPE,
	    "write after dup2 closed the only read end");
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* close: bad descriptors and closing twice are EBADF. */
static void
t_close_ebadf(void)
{
	int fd = open_ok(test_self, 0);

	test_expect_ok(close(fd), "close");
	test_expect_errno(close(fd), EBADF, "close twice");
	test_expect_errno(close(-1), EBADF, "close(-1)");
	test_expect_errno(close(BIG_FD), EBADF, "close(1 << 20)");
	test_expect_errno(close(INT_MAX), EBADF, "close(INT_MAX)");
}

/* read/write on bad descriptors, or in the wrong direction: EBADF. */
static void
t_rw_ebadf(void)
{
	char buf[8] = "abcdefg";
	int fd = open_ok(test_self, 0), c = closed_fd(), p[2];
	const int bad[] = { -1, c, BIG_FD, INT_MAX };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_expect_errno(syscall(SYS_read, bad[i], buf, 4), EBADF,
		    "read a bad fd");
		test_expect_errno(syscall(SYS_write, bad[i], buf, 4), EBADF,
		    "write a bad fd");
	}
	test_expect_errno(syscall(SYS_write, fd, buf, 4), EBADF,
	    "write a read-only file");
	test_pipe(p);
	test_expect_errno(syscall(SYS_read, p[1], buf, 4), EBADF,
	    "read a pipe's write end");
	test_expect_errno(syscall(SYS_write, p[0], buf, 4), EBADF,
	    "write a pipe's read end");
	close(fd);
}

/* writev gathers, readv scatters, zero-length entries are skipped. */
static void
t_readv_writev(void)
{
	char a[3], b[10], out[8], x[100], y[100];
	size_t size;
	char *data = ut_read_file(test_self, &size);
	struct iovec wv[] = { { "ab", 2 }, { NULL, 0 }, { "cdef", 4 },
		{ "g", 1 } };
	struct iovec rv[] = { { a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) } };
	struct iovec fv[] = { { x, 37 }, { y, 63 } };
	int p[2], fd;

	test_pipe(p);
	test_expect_eq(syscall(SYS_writev, p[1], wv, 4), 7, "writev 4 buffers");
	test_expect_eq(syscall(SYS_readv, p[0], rv, 3), 7, "readv 3 buffers");
	memcpy(out, a, 3);
	memcpy(out + 3, b, 4);
	out[7] = '\0';
	test_assert_msg(strcmp(out, "abcdefg") == 0, "readv gave \"%s\"", out);

	fd = open_ok(test_self, 0);
	test_expect_eq(syscall(SYS_readv, fd, fv, 2), 100, "readv a file");
	test_assert_msg(memcmp(x, data, 37) == 0 &&
		memcmp(y, data + 37, 63) == 0,
	    "readv of a file gave other bytes than read");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 100, "offset after readv");
	test_expect_eq(syscall(SYS_readv, fd, fv, 0), 0, "readv 0 buffers");
	test_expect_eq(syscall(SYS_writev, p[1], wv, 0), 0, "writev 0 buffers");
	test_expect_errno(syscall(SYS_writev, fd, wv, 1), EBADF,
	    "writev a read-only file");
	test_expect_errno(syscall(SYS_readv, p[1], rv, 1), EBADF,
	    "readv a pipe's write end");
	test_expect_errno(syscall(SYS_readv, -1, rv, 1), EBADF, "readv fd -1");
	close(fd);
	free(data);
}

/* iovcnt: 1024 (IOV_MAX) is fine; negative or 1025 is EINVAL. */
static void
t_iov_limits(void)
{
	static struct iovec iov[1025];
	static char bytes[1025];
	size_t size;
	char *data = ut_read_file(test_self, &size);
	int fd = open_ok(test_self, 0);

	test_assert(size >= 1025);
	for (int i = 0; i < 1025; i++) {
		iov[i].iov_base = &bytes[i];
		iov[i].iov_len = 1;
	}
	test_expect_eq(syscall(SYS_readv, fd, iov, 1024), 1024,
	    "readv 1024 one-byte buffers");
	test_assert_msg(memcmp(bytes, data, 1024) == 0,
	    "readv of 1024 buffers gave other bytes");
	test_expect_errno(syscall(SYS_readv, fd, iov, 1025), EINVAL,
	    "readv 1025 buffers");
	test_expect_errno(syscall(SYS_readv, fd, iov, -1), EINVAL,
	    "readv -1 buffers");
	test_expect_errno(syscall(SYS_writev, 1, iov, 1025), EINVAL,
	    "writev 1025 buffers");
	test_expect_errno(syscall(SYS_writev, 1, iov, -1), EINVAL,
	    "writev -1 buffers");
	close(fd);
	free(data);
}

/* ioctl on anything but a terminal: ENOTTY; on a bad fd: EBADF. */
static void
t_ioctl(void)
{
	struct winsize ws;
	int p[2], fd = open_ok(test_self, 0), dir = open_ok("/", 0);

	test_pipe(p);
	const int targets[] = { p[0], p[1], fd, dir };
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		test_expect_errno(
		    syscall(SYS_ioctl, targets[i], TIOCGWINSZ, &ws), ENOTTY,
		    "ioctl TIOCGWINSZ on a non-terminal");
		test_expect_errno(syscall(SYS_ioctl, targets[i], TCGETS, &ws),
		    ENOTTY, "ioctl TCGETS on a non-terminal");
	}
	test_expect_errno(syscall(SYS_ioctl, -1, TIOCGWINSZ, &ws), EBADF,
	    "ioctl fd -1");
	test_expect_errno(syscall(SYS_ioctl, closed_fd(), TIOCGWINSZ, &ws),
	    EBADF, "ioctl a closed fd");
	close(fd);
	close(dir);
}

/* The console answers TIOCGWINSZ with a size, or ENOTTY (ABI.md). */
static void
t_console_ioctl(void)
{
	struct winsize ws = { 0, 0, 0, 0 };
	long r = syscall(SYS_ioctl, 1, TIOCGWINSZ, &ws);

	if (r == 0)
		test_assert_msg(ws.ws_row > 0 && ws.ws_col > 0,
		    "TIOCGWINSZ "
		    "on the console gave %u rows, %u columns",
		    ws.ws_row, ws.ws_col);
	else
		test_expect_errno(r, ENOTTY, "TIOCGWINSZ on the console");
	test_expect_errno(syscall(SYS_ioctl, 1, 0x1234, &ws), ENOTTY,
	    "ioctl 0x1234 on the console");
}

/* A child's descriptors share the open file (and offset) with the parent. */
static void
t_fork_shares_offset(void)
{
	char buf[10];
	int fd = open_ok(test_self, 0);
	pid_t pid = test_fork();

	if (pid == 0) {
		_exit(test_read_full(fd, buf, 10) == 10 ? 0 : 1);
	}
	test_expect_exit(pid, 0, "child reading 10 bytes");
	test_expect_eq(lseek(fd, 0, SEEK_CUR), 10,
	    "parent's offset after the child read 10 bytes");
	close(fd);
}

const struct test ut_fs_tests[] = {
	{ "fs_read_file", t_read_file, NULL },
	{ "fs_fstat_kinds", t_fstat_kinds, NULL },
	{ "fs_open_enoent", t_open_enoent, NULL },
	{ "fs_open_enotdir", t_open_enotdir, NULL },
	{ "fs_open_flags_ok", t_open_flags_ok, NULL },
	{ "fs_open_erofs", t_open_erofs, "the host's files are writable" },
	{ "fs_open_tmp_writable", t_open_tmp_writable, NULL },
	{ "fs_open_bad_flags", t_open_bad_flags,
	    "Linux ignores unknown open flags" },
	{ "fs_open_nametoolong", t_open_nametoolong, NULL },
	{ "fs_read_dir_eisdir", t_read_dir_eisdir, NULL },
	{ "fs_emfile", t_emfile, NULL },
	{ "fs_lseek", t_lseek, NULL },
	{ "fs_lseek_native", t_lseek_native,
	    "Linux has SEEK_DATA and may seek on its stdout" },
	{ "fs_getdents_root", t_getdents_root, NULL },
	{ "fs_getdents_bin", t_getdents_bin, NULL },
	{ "fs_getdents_buffers", t_getdents_buffers, NULL },
	{ "fs_dup", t_dup, NULL },
	{ "fs_dup2", t_dup2, NULL },
	{ "fs_close_ebadf", t_close_ebadf, NULL },
	{ "fs_rw_ebadf", t_rw_ebadf, NULL },
	{ "fs_readv_writev", t_readv_writev, NULL },
	{ "fs_iov_limits", t_iov_limits, NULL },
	{ "fs_ioctl", t_ioctl, NULL },
	{ "fs_console_ioctl", t_console_ioctl,
	    "the host's stdout need not be a terminal" },
	{ "fs_fork_shares_offset", t_fork_shares_offset, NULL },
	{ NULL, NULL, NULL },
};
