/*
 * mmap.c: mmap of files (fs.h): MAP_SHARED and MAP_PRIVATE on the pages
 * read and write use, the errnos of mmap, mprotect and msync on files,
 * SIGBUS past the end of a file and after a truncation, sparse files,
 * the size limit reached through a shared mapping, exec's copy-on-write
 * mapping of a program file, ETXTBSY.
 */

#include "fs.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG TEST_PAGE

/* Open (creating) name with n bytes of c, read-write. */
static int
fs_open_filled(const char *name, size_t n, int c)
{
	fs_make_file(name, n, c);
	return test_expect_ok(open(name, O_RDWR), name);
}

static char *
fs_map(size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		test_fail("mmap: %s", test_errname(errno));
	return p;
}

/*
 * Two processes map one file MAP_SHARED, each with its own mmap: each
 * sees the other's stores, and read() sees both; a write() shows in both
 * mappings.
 */
static void
t_mmap_shared_two(void)
{
	int fd, p2c[2], c2p[2];
	char *m, buf[8];
	pid_t pid;

	fs_enter();
	fd = fs_open_filled("shared", 2 * PG, 'a');
	test_pipe(p2c);
	test_pipe(c2p);
	m = fs_map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid = test_fork();
	if (pid == 0) {
		int cfd = test_expect_ok(open("shared", O_RDWR), "open");
		char *cm =
		    fs_map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);

		test_recv(p2c[0]);
		test_expect_eq(cm[10], 'P', "the parent's store");
		test_expect_eq(cm[PG + 5], 'W', "the parent's write()");
		cm[PG + 100] = 'C';
		test_send(c2p[1]);
		_exit(0);
	}
	m[10] = 'P';
	test_expect_eq(pwrite(fd, "W", 1, PG + 5), 1, "pwrite");
	test_expect_eq(m[PG + 5], 'W', "write() shows in the mapping");
	test_send(p2c[1]);
	test_recv(c2p[0]);
	test_expect_eq(m[PG + 100], 'C', "the child's store");
	test_expect_eq(pread(fd, buf, 1, 10), 1, "pread");
	test_expect_eq(buf[0], 'P', "read() sees the parent's store");
	test_expect_eq(pread(fd, buf, 1, PG + 100), 1, "pread");
	test_expect_eq(buf[0], 'C', "read() sees the child's store");
	test_expect_exit(pid, 0, "the child");
	test_expect_ok(munmap(m, 2 * PG), "munmap");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/*
 * MAP_PRIVATE: stores stay private (read() and a shared mapping do not
 * see them), pages not stored to show the file as it is now.
 */
static void
t_mmap_private(void)
{
	char *priv, *sh, buf[4];
	int fd;

	fs_enter();
	fd = fs_open_filled("priv", 2 * PG, 'a');
	priv = fs_map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	sh = fs_map(2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	test_expect_eq(priv[PG], 'a', "a private view reads the file");
	priv[0] = 'p';
	test_expect_eq(pread(fd, buf, 1, 0), 1, "pread");
	test_expect_eq(buf[0], 'a', "read() does not see a private store");
	test_expect_eq(sh[0], 'a', "a shared mapping does not either");
	test_expect_eq(pwrite(fd, "bb", 2, 0), 2, "pwrite page 0");
	test_expect_eq(priv[0], 'p', "the private copy stays");
	test_expect_eq(priv[1], 'a', "all of the copied page stays");
	test_expect_eq(pwrite(fd, "c", 1, PG + 1), 1, "pwrite page 1");
	test_expect_eq(priv[PG + 1], 'c', "an unwritten page is the file's");
	test_expect_eq(sh[PG + 1], 'c', "so is a shared one");
	/* A private view of a read-only file may still be written. */
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open("priv", O_RDONLY), "open read-only");
	test_expect_ok(munmap(priv, 2 * PG), "munmap");
	priv = fs_map(PG, PROT_READ, MAP_PRIVATE, fd, 0);
	test_expect_ok(mprotect(priv, PG, PROT_READ | PROT_WRITE),
	    "mprotect a private view writable");
	priv[0] = 'z';
	test_expect_eq(pread(fd, buf, 1, 0), 1, "pread");
	test_expect_eq(buf[0], 'b', "the file is unchanged");
	test_expect_ok(munmap(priv, PG), "munmap");
	test_expect_ok(munmap(sh, 2 * PG), "munmap");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/* Linux's errnos for mmap, mprotect and msync of files. */
static void
t_mmap_errors(void)
{
	int rd, wr, rw, dir, pfd[2];
	char *m;

	fs_enter();
	fs_make_file("f", PG, 'a');
	rd = test_expect_ok(open("f", O_RDONLY), "open O_RDONLY");
	wr = test_expect_ok(open("f", O_WRONLY), "open O_WRONLY");
	rw = test_expect_ok(open("f", O_RDWR), "open O_RDWR");
	dir = test_expect_ok(open(".", O_RDONLY | O_DIRECTORY), "open .");
	test_pipe(pfd);

	test_expect_errno(
	    test_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rd, 0), EACCES,
	    "MAP_SHARED, PROT_WRITE of an O_RDONLY file");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_PRIVATE, wr, 0),
	    EACCES, "MAP_PRIVATE of an O_WRONLY file");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_SHARED, wr, 0),
	    EACCES, "MAP_SHARED of an O_WRONLY file");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_SHARED, dir, 0),
	    ENODEV, "a directory");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0),
	    ENODEV, "a pipe");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_SHARED, rw, 100),
	    EINVAL, "an unaligned offset");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_SHARED, 999, 0),
	    EBADF, "a bad fd");
	test_expect_errno(test_mmap(0, PG, PROT_READ, MAP_SHARED, 999, 1),
	    EINVAL, "the offset is checked before the fd");
	test_expect_errno(test_mmap(0, 2 * PG, PROT_READ, MAP_SHARED, rw,
			      0x7fffffffffffe000L),
	    EOVERFLOW, "past the largest offset");

	/* A shared view of a read-only file never becomes writable. */
	m = fs_map(PG, PROT_READ, MAP_SHARED, rd, 0);
	test_expect_errno(mprotect(m, PG, PROT_READ | PROT_WRITE), EACCES,
	    "mprotect PROT_WRITE of a read-only shared file");
	test_expect_ok(mprotect(m, PG, PROT_NONE), "mprotect PROT_NONE");
	test_expect_ok(mprotect(m, PG, PROT_READ), "mprotect PROT_READ");
	test_expect_eq(m[0], 'a', "still readable");

	/* msync: only the arguments matter for a file in memory. */
	test_expect_ok(msync(m, PG, MS_SYNC), "msync MS_SYNC");
	test_expect_ok(msync(m, 1, MS_ASYNC | MS_INVALIDATE), "msync ASYNC");
	test_expect_ok(msync(m, 0, MS_SYNC), "msync of 0 bytes");
	test_expect_errno(msync(m, PG, MS_SYNC | MS_ASYNC), EINVAL,
	    "msync MS_SYNC|MS_ASYNC");
	test_expect_errno(msync(m, PG, 0x10), EINVAL, "msync unknown flag");
	test_expect_errno(msync(m + 1, PG, MS_SYNC), EINVAL, "msync unaligned");
	test_expect_ok(munmap(m, PG), "munmap");
	test_expect_errno(msync(m, PG, MS_SYNC), ENOMEM, "msync unmapped");

	test_expect_ok(close(rd), "close");
	test_expect_ok(close(wr), "close");
	test_expect_ok(close(rw), "close");
	test_expect_ok(close(dir), "close");
	test_expect_ok(close(pfd[0]), "close");
	test_expect_ok(close(pfd[1]), "close");
	fs_leave();
}

/* What a child touching an address reports (fs_touch). */
struct fs_touch {
	volatile char *addr;
	int write;
};

static void
fs_bus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit(sig == SIGBUS && si->si_code == BUS_ADRERR ? 42 : 43);
}

/* Child: touch t->addr; exits 42 on SIGBUS with BUS_ADRERR, 0 if none. */
static void
fs_touch(void *arg)
{
	struct fs_touch *t = arg;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fs_bus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	if (t->write)
		*t->addr = 1;
	else
		(void)*t->addr;
}

/* Whether touching addr raises SIGBUS (BUS_ADRERR); fails otherwise. */
static void
fs_expect_bus(volatile char *addr, int write, int bus, const char *what)
{
	struct fs_touch t = { addr, write };
	int st = test_child_status(fs_touch, &t);

	if (!WIFEXITED(st) || WEXITSTATUS(st) != (bus ? 42 : 0)) {
		char s[64];

		test_status_str(st, s, sizeof(s));
		test_fail("%s: want %s, the child %s", what,
		    bus ? "SIGBUS (BUS_ADRERR)" : "no signal", s);
	}
}

/*
 * Pages of a mapping past the file's last page raise SIGBUS; the rest
 * of the last page reads as zeros.
 */
static void
t_mmap_sigbus(void)
{
	char *m;
	int fd;

	fs_enter();
	fd = fs_open_filled("short", 100, 'x');
	m = fs_map(3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	test_expect_eq(m[99], 'x', "the last byte");
	test_expect_eq(m[100], 0, "past the end in the last page: zero");
	m[200] = 'y'; /* allowed, and never part of the file */
	test_expect_eq(fs_size("short"), 100, "the size is unchanged");
	fs_expect_bus(m + PG, 0, 1, "a read past the last page");
	fs_expect_bus(m + 2 * PG + 7, 1, 1, "a write past the last page");
	/* Growing the file makes the page valid. */
	test_expect_ok(ftruncate(fd, PG + 1), "ftruncate up");
	fs_expect_bus(m + PG, 1, 0, "the page after growing");
	test_expect_ok(munmap(m, 3 * PG), "munmap");
	/* MAP_PRIVATE has the same rule. */
	m = fs_map(3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	fs_expect_bus(m + 2 * PG, 0, 1, "a private read past the end");
	fs_expect_bus(m + 2 * PG, 1, 1, "a private write past the end");
	test_expect_ok(munmap(m, 3 * PG), "munmap");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/*
 * Truncating a mapped file removes the cut pages from every mapping,
 * shared ones in another process and private copies included.
 */
static void
t_mmap_truncate(void)
{
	int fd, p2c[2], c2p[2];
	char *sh, *priv;
	pid_t pid;

	fs_enter();
	fd = fs_open_filled("cut", 3 * PG, 'a');
	test_pipe(p2c);
	test_pipe(c2p);
	sh = fs_map(3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = fs_map(3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	sh[2 * PG] = 's';
	priv[2 * PG] = 'p'; /* a private copy */
	test_expect_eq(priv[PG], 'a', "a private page read");
	pid = test_fork();
	if (pid == 0) {
		int cfd = test_expect_ok(open("cut", O_RDWR), "open");
		char *cm = fs_map(3 * PG, PROT_READ, MAP_SHARED, cfd, 0);

		test_expect_eq(cm[2 * PG], 's', "the shared page");
		test_send(c2p[1]);
		test_recv(p2c[0]);
		test_expect_eq(cm[PG / 2 - 1], 'a', "the kept page");
		test_expect_eq(cm[PG / 2], 0, "zeros past the new end");
		fs_expect_bus(cm + 2 * PG, 0, 1, "the cut page (child)");
		fs_expect_bus(cm + PG, 0, 1, "the cut page (child)");
		_exit(0);
	}
	test_recv(c2p[0]);
	test_expect_ok(ftruncate(fd, PG / 2), "ftruncate to half a page");
	test_send(p2c[1]);
	test_expect_exit(pid, 0, "the child");
	fs_expect_bus(sh + 2 * PG, 0, 1, "the cut page, shared");
	fs_expect_bus(priv + 2 * PG, 0, 1, "the cut private copy");
	fs_expect_bus(priv + PG, 1, 1, "a cut page, private");
	test_expect_eq(sh[PG / 2 - 1], 'a', "the kept part");
	test_expect_eq(sh[PG / 2], 0, "zeros past the new end");
	test_expect_ok(munmap(sh, 3 * PG), "munmap");
	test_expect_ok(munmap(priv, 3 * PG), "munmap");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/*
 * A write at 1 GiB makes a sparse file: the size says 1 GiB + 1, the
 * hole reads as zeros, and hardly any block is used.
 */
static void
t_sparse_1g(void)
{
	static char buf[8192];
	struct stat st;
	int fd;

	fs_enter();
	fd = test_expect_ok(open("sparse", O_CREAT | O_RDWR, 0644), "create");
	test_expect_eq(pwrite(fd, "z", 1, 1L << 30), 1, "pwrite at 1 GiB");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_size, (1L << 30) + 1, "st_size");
	test_assert_msg(st.st_blocks <= 16, "%ld blocks", (long)st.st_blocks);
	memset(buf, 0xff, sizeof(buf));
	test_expect_eq(pread(fd, buf, sizeof(buf), (1L << 29) - 100),
	    sizeof(buf), "pread in the hole");
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0)
			test_fail("byte %zu of the hole is %d", i, buf[i]);
	test_expect_eq(pread(fd, buf, 10, (1L << 30) - 4), 5, "pread the end");
	test_assert(memcmp(buf, "\0\0\0\0z", 5) == 0);
	test_expect_ok(fstat(fd, &st), "fstat");
	test_assert_msg(st.st_blocks <= 16, "reading made %ld blocks",
	    (long)st.st_blocks);
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/*
 * Fill tmpfs until ENOSPC: then a page a MAP_SHARED mapping of a sparse
 * file would add is refused with SIGBUS (Linux's shmem), while one the
 * file has is fine.  Removing everything gives every page back (the
 * runner's leak check compares the free pages with those before).
 */
static void
t_mmap_full(void)
{
	static char buf[1 << 20];
	char name[32], *m;
	int files = 0, fd, sfd;
	long n = 0;

	fs_enter();
	sfd = test_expect_ok(open("sparse", O_CREAT | O_RDWR, 0644), "create");
	test_expect_ok(ftruncate(sfd, 4 * PG), "ftruncate");
	test_expect_eq(pwrite(sfd, "a", 1, 0), 1, "pwrite page 0");
	memset(buf, 0x5a, sizeof(buf));
	for (;;) {
		snprintf(name, sizeof(name), "fill%d", files++);
		fd = test_expect_ok(open(name, O_CREAT | O_WRONLY, 0644), name);
		for (int i = 0; i < 16; i++) {
			n = write(fd, buf, sizeof(buf));
			if (n < (long)sizeof(buf))
				break;
		}
		test_expect_ok(close(fd), "close");
		if (n != sizeof(buf))
			break;
		test_assert_msg(files < 1000, "no ENOSPC");
	}
	/* Whatever the last short write left: fill the last pages. */
	while ((n = write(fd = open(name, O_WRONLY | O_APPEND), buf, PG)) > 0)
		close(fd);
	test_expect_eq(errno, ENOSPC, "the file system is full");
	close(fd);
	m = fs_map(4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	test_expect_eq(m[0], 'a', "a page the file has");
	m[1] = 'b';
	fs_expect_bus(m + 2 * PG, 1, 1, "a new page past the limit");
	fs_expect_bus(m + 3 * PG, 0, 1, "a read of a hole past the limit");
	test_expect_ok(munmap(m, 4 * PG), "munmap");
	test_expect_ok(close(sfd), "close");
	fs_leave();
}

/*
 * exec maps a program file copy-on-write: the program writes its data
 * and stack as it runs, and the file stays byte for byte what was
 * written; a file changed after one exec runs changed the next time.
 */
/* Copy this program to name (mode 0755); returns it open for reading. */
static int
fs_copy_self(const char *name)
{
	static char buf[65536];
	int in, out;
	long n;

	in = test_expect_ok(open(test_self, O_RDONLY), "open this program");
	out = test_expect_ok(open(name, O_CREAT | O_WRONLY, 0755), "create");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		test_expect_eq(write(out, buf, n), n, "copy");
	test_expect_ok(n, "read");
	test_expect_ok(close(out), "close");
	return in;
}

static void
t_exec_cow(void)
{
	static char a[65536], b[65536];
	int in, fd;
	long n, m;
	pid_t pid;

	fs_enter();
	in = fs_copy_self("prog");
	for (int i = 0; i < 3; i++) {
		pid = test_fork();
		if (pid == 0) {
			char *argv[] = { "prog", FS_EXIT_WITH, "5", NULL };

			execv("prog", argv);
			_exit(99);
		}
		test_expect_exit(pid, 5, "the program");
	}
	test_expect_ok(lseek(in, 0, SEEK_SET), "lseek");
	fd = test_expect_ok(open("prog", O_RDONLY), "open the copy");
	for (;;) {
		n = test_read_full(in, a, sizeof(a));
		m = test_read_full(fd, b, sizeof(b));
		test_expect_eq(m, n, "the same size");
		if (n <= 0)
			break;
		test_assert_msg(memcmp(a, b, n) == 0,
		    "the program file changed as it ran");
	}
	test_expect_ok(close(fd), "close");
	test_expect_ok(close(in), "close");
	/* Cut to nothing: not an executable any more. */
	test_expect_ok(truncate("prog", 0), "truncate");
	test_expect_errno(execv("prog", (char *[]) { "prog", NULL }), ENOEXEC,
	    "exec of an empty file");
	fs_leave();
}

/*
 * The file of a running program cannot be opened for writing or
 * truncated (ETXTBSY), and a file open for writing cannot be run; all
 * works again once the program ends.
 */
static void
t_exec_txtbsy(void)
{
	int in[2], out[2], fd;
	pid_t pid;
	char c;

	fs_enter();
	test_expect_ok(close(fs_copy_self("prog")), "close");
	fd = test_expect_ok(open("prog", O_WRONLY), "open for writing");
	pid = test_fork();
	if (pid == 0) {
		execv("prog", (char *[]) { "prog", FS_EXIT_WITH, "5", NULL });
		_exit(errno == ETXTBSY ? 3 : 4);
	}
	test_expect_exit(pid, 3, "exec of a file open for writing: ETXTBSY");
	test_expect_ok(close(fd), "close");

	test_pipe(in);
	test_pipe(out);
	pid = test_fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv("prog", (char *[]) { "prog", FS_WAIT, NULL });
		_exit(99);
	}
	test_expect_ok(close(in[0]), "close");
	test_expect_ok(close(out[1]), "close");
	test_expect_eq(read(out[0], &c, 1), 1, "the program runs");
	test_expect_errno(open("prog", O_WRONLY), ETXTBSY, "open O_WRONLY");
	test_expect_errno(open("prog", O_RDWR | O_TRUNC), ETXTBSY,
	    "open O_RDWR|O_TRUNC");
	test_assert_msg(fs_size("prog") > 0, "O_TRUNC cut a running program");
	test_expect_errno(truncate("prog", 0), ETXTBSY, "truncate");
	fd = test_expect_ok(open("prog", O_RDONLY), "open O_RDONLY");
	test_expect_ok(close(fd), "close");
	test_expect_ok(close(in[1]), "end the program's input");
	test_expect_exit(pid, 0, "the program");
	test_expect_ok(close(out[0]), "close");
	fd = test_expect_ok(open("prog", O_WRONLY | O_TRUNC), "open after");
	test_expect_ok(close(fd), "close");
	test_expect_eq(fs_size("prog"), 0, "truncated");
	fs_leave();
}

const struct test fs_mmap_tests[] = {
	{ "mmap_shared_two", t_mmap_shared_two, NULL },
	{ "mmap_private", t_mmap_private, NULL },
	{ "mmap_errors", t_mmap_errors, NULL },
	{ "mmap_sigbus", t_mmap_sigbus, NULL },
	{ "mmap_truncate", t_mmap_truncate, NULL },
	{ "sparse_1g", t_sparse_1g, NULL },
	{ "mmap_full", t_mmap_full,
	    "tmpfs's size limit (Linux's initramfs root may have none)" },
	{ "exec_cow", t_exec_cow, NULL },
	{ "exec_txtbsy", t_exec_txtbsy, NULL },
	{ NULL, NULL, NULL },
};
