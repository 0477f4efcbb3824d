/*
 * FIFOs: mknod and mknodat, and fifo(7)'s open rules (a reader waits for a
 * writer and a writer for a reader, unless O_RDWR or O_NONBLOCK), the
 * bytes going with the last close, poll, fstat and lseek on an open FIFO.
 */

#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* mknod's calls and what they make; the type checks and their errnos. */
static void
t_mknod_types(void)
{
	struct stat st;
	mode_t old = umask(022);

	fs_enter();
	test_expect_ok(mknod("f", S_IFIFO | 0666, 0), "mknod a FIFO");
	test_expect_ok(lstat("f", &st), "lstat the FIFO");
	test_assert(S_ISFIFO(st.st_mode));
	test_expect_eq(st.st_mode & 07777, 0644, "its mode, less the umask");
	test_expect_eq(st.st_size, 0, "its size");
	test_expect_eq(st.st_nlink, 1, "its links");
	test_expect_ok(mkfifo("g", 0600), "mkfifo");
	test_expect_ok(syscall(SYS_mknodat, AT_FDCWD, "h", S_IFIFO | 0640, 0),
	    "mknodat a FIFO");
	test_expect_ok(stat("h", &st), "stat it");
	test_assert(S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0640);
	test_expect_ok(mknod("r", S_IFREG | 0600, 0), "mknod S_IFREG");
	test_expect_ok(stat("r", &st), "stat the regular file");
	test_assert(S_ISREG(st.st_mode) && st.st_size == 0);
	test_expect_ok(mknod("r0", 0600, 0), "mknod with no type");
	test_expect_ok(stat("r0", &st), "stat it");
	test_assert(S_ISREG(st.st_mode));
	test_expect_errno(mknod("f", S_IFIFO | 0600, 0), EEXIST,
	    "mknod over a FIFO");
	test_expect_errno(mknod("r", S_IFIFO | 0600, 0), EEXIST,
	    "mknod over a file");
	test_expect_errno(mknod("d", S_IFDIR | 0700, 0), EPERM,
	    "mknod S_IFDIR");
	test_expect_errno(mknod("x", 0170000 | 0600, 0), EINVAL,
	    "mknod of no known type");
	test_expect_errno(mknod("nodir/f", S_IFDIR | 0700, 0), EPERM,
	    "S_IFDIR before a missing parent");
	test_expect_errno(mknod("nodir/f", S_IFIFO | 0600, 0), ENOENT,
	    "a missing parent");
	test_expect_errno(mknod("t/", S_IFIFO | 0600, 0), ENOENT,
	    "a name ending in /");
	test_expect_errno(mknod("f/x", S_IFIFO | 0600, 0), ENOTDIR,
	    "a FIFO as a directory");
	test_expect_errno(mknod(NULL, S_IFIFO | 0600, 0), EFAULT,
	    "a NULL path");
	test_expect_ok(unlink("f"), "unlink the FIFO");
	test_expect_errno(lstat("f", &st), ENOENT, "it is gone");
	umask(old);
	fs_leave();
}

/* What only our kernel does: no device or socket files (ABI.md). */
static void
t_mknod_devices(void)
{
	fs_enter();
	test_expect_errno(mknod("c", S_IFCHR | 0600, 0x0103), EPERM,
	    "mknod S_IFCHR");
	test_expect_errno(mknod("b", S_IFBLK | 0600, 0x0800), EPERM,
	    "mknod S_IFBLK");
	test_expect_errno(mknod("s", S_IFSOCK | 0600, 0), EPERM,
	    "mknod S_IFSOCK");
	test_expect_errno(mknod("/proc/f", S_IFIFO | 0600, 0), EPERM,
	    "a FIFO in procfs");
	fs_leave();
}

/* Non-blocking opens: a reader alone is fine, a writer alone ENXIO. */
static void
t_fifo_nonblock_open(void)
{
	char buf[8];
	int r, w;

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	test_expect_errno(open("f", O_WRONLY | O_NONBLOCK), ENXIO,
	    "a writer with no reader");
	r = test_expect_ok(open("f", O_RDONLY | O_NONBLOCK), "a reader alone");
	test_expect_eq(read(r, buf, sizeof(buf)), 0,
	    "no writer ever: end of file");
	w = test_expect_ok(open("f", O_WRONLY | O_NONBLOCK),
	    "a writer, with the reader open");
	test_expect_errno(read(r, buf, sizeof(buf)), EAGAIN,
	    "a writer, nothing written");
	test_expect_eq(write(w, "abc", 3), 3, "write");
	test_expect_eq(read(r, buf, sizeof(buf)), 3, "read");
	test_assert(memcmp(buf, "abc", 3) == 0);
	test_expect_ok(close(w), "close the writer");
	test_expect_eq(read(r, buf, sizeof(buf)), 0, "end of file again");
	test_expect_ok(close(r), "close the reader");
	test_expect_errno(open("f", O_WRONLY | O_NONBLOCK), ENXIO,
	    "the reader gone: ENXIO again");
	fs_leave();
}

/*
 * Blocking opens meet: a child opens for writing and waits until the
 * parent opens for reading, some time later (twice: the second time
 * with a new pipe, the first one gone with its last close).
 */
static void
t_fifo_blocking_open(void)
{
	char buf[16];
	pid_t pid;
	int r, i;

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	for (i = 0; i < 2; i++) {
		pid = test_fork();
		if (pid == 0) {
			int w = open("f", O_WRONLY);

			_exit(w >= 0 && write(w, "hello", 5) == 5 ? 0 : 1);
		}
		test_sleep_ns(50000000);
		r = test_expect_ok(open("f", O_RDONLY), "the reader's open");
		test_expect_eq(read(r, buf, sizeof(buf)), 5, "read");
		test_assert(memcmp(buf, "hello", 5) == 0);
		test_expect_exit(pid, 0, "the writer");
		test_expect_eq(read(r, buf, sizeof(buf)), 0,
		    "the writer closed: end of file");
		test_expect_ok(close(r), "close");
	}
	/* The other way round: the reader waits for the writer. */
	pid = test_fork();
	if (pid == 0) {
		int fd = open("f", O_RDONLY);

		_exit(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 &&
			    memcmp(buf, "hi", 2) == 0 ?
			0 :
			1);
	}
	test_sleep_ns(50000000);
	r = test_expect_ok(open("f", O_WRONLY), "the writer's open");
	test_expect_eq(write(r, "hi", 2), 2, "write");
	test_expect_exit(pid, 0, "the reader");
	test_expect_ok(close(r), "close");
	fs_leave();
}

/*
 * A reader waiting in open is let go by a writer that opens and closes
 * at once; it then reads end of file.
 */
static void
t_fifo_partner_came_and_went(void)
{
	pid_t pid;
	int w;

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	pid = test_fork();
	if (pid == 0) {
		char c;
		int fd = open("f", O_RDONLY);

		_exit(fd >= 0 && read(fd, &c, 1) == 0 ? 0 : 1);
	}
	/* Until the child waits in open: then a reader is counted. */
	while ((w = open("f", O_WRONLY | O_NONBLOCK)) < 0) {
		test_assert(errno == ENXIO);
		test_sleep_ns(1000000);
	}
	test_expect_ok(close(w), "close the writer at once");
	test_expect_exit(pid, 0, "the reader: open returned, then EOF");
	fs_leave();
}

/*
 * poll on a reader opened before any writer: nothing, not POLLHUP, until
 * a writer has come and gone (Linux's f_version rule).
 */
static void
t_fifo_poll_hup(void)
{
	struct pollfd pfd;
	int r, w;

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	r = test_expect_ok(open("f", O_RDONLY | O_NONBLOCK), "a reader");
	pfd.fd = r;
	pfd.events = POLLIN;
	test_expect_eq(poll(&pfd, 1, 0), 0, "no writer yet: no event");
	w = test_expect_ok(open("f", O_WRONLY), "a writer");
	test_expect_eq(poll(&pfd, 1, 0), 0, "a writer, no data: no event");
	test_expect_eq(write(w, "a", 1), 1, "write");
	test_expect_eq(poll(&pfd, 1, 0), 1, "data");
	test_expect_eq(pfd.revents, POLLIN, "POLLIN");
	test_expect_ok(close(w), "the writer goes");
	test_expect_eq(poll(&pfd, 1, 0), 1, "data and the hangup");
	test_expect_eq(pfd.revents, POLLIN | POLLHUP, "POLLIN and POLLHUP");
	test_expect_ok(close(r), "close");
	fs_leave();
}

/* O_RDWR opens at once, and reads what it wrote. */
static void
t_fifo_rdwr(void)
{
	struct pollfd pfd;
	char buf[8];
	int fd, n;

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	fd = test_expect_ok(open("f", O_RDWR), "O_RDWR alone");
	pfd.fd = fd;
	pfd.events = POLLIN | POLLOUT;
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll");
	test_expect_eq(pfd.revents, POLLOUT, "writable, nothing to read");
	test_expect_eq(write(fd, "xyz", 3), 3, "write");
	test_expect_ok(ioctl(fd, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 3, "3 bytes buffered");
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll again");
	test_expect_eq(pfd.revents, POLLIN | POLLOUT, "readable and writable");
	test_expect_eq(read(fd, buf, sizeof(buf)), 3, "read them back");
	test_expect_eq(write(fd, "left", 4), 4, "write what nobody reads");
	test_expect_ok(close(fd), "close the only end");
	/* The last close dropped the bytes. */
	fd = test_expect_ok(open("f", O_RDONLY | O_NONBLOCK), "reopen");
	test_expect_eq(read(fd, buf, sizeof(buf)), 0, "nothing kept");
	test_expect_ok(close(fd), "close");
	fs_leave();
}

/* An open FIFO: fstat names the file, lseek is ESPIPE, unlink is fine. */
static void
t_fifo_open_file(void)
{
	struct stat st, fst;
	char buf[8];
	int r, w;

	fs_enter();
	test_expect_ok(mkfifo("f", 0640), "mkfifo");
	test_expect_ok(stat("f", &st), "stat");
	r = test_expect_ok(open("f", O_RDONLY | O_NONBLOCK), "reader");
	w = test_expect_ok(open("f", O_WRONLY), "writer: a reader is there");
	test_expect_ok(fstat(w, &fst), "fstat the writer");
	test_assert(S_ISFIFO(fst.st_mode));
	test_expect_eq(fst.st_ino, st.st_ino, "the FIFO's inode");
	test_expect_eq(fst.st_mode & 07777, st.st_mode & 07777, "its mode");
	test_expect_errno(lseek(r, 0, SEEK_SET), ESPIPE, "lseek");
	test_expect_ok(unlink("f"), "unlink while open");
	test_expect_eq(write(w, "ok", 2), 2, "write after the unlink");
	test_expect_eq(read(r, buf, sizeof(buf)), 2, "read after it");
	test_expect_ok(close(r), "close the reader");
	signal(SIGPIPE, SIG_IGN);
	test_expect_errno(write(w, "x", 1), EPIPE, "no reader left");
	signal(SIGPIPE, SIG_DFL);
	test_expect_ok(close(w), "close the writer");
	fs_leave();
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A signal ends an open that waits: EINTR without SA_RESTART. */
static void
t_fifo_open_interrupted(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };

	fs_enter();
	test_expect_ok(mkfifo("f", 0600), "mkfifo");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	test_expect_ok(sigaction(SIGALRM, &sa, NULL), "sigaction");
	test_expect_ok(setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	test_expect_errno(open("f", O_RDONLY), EINTR,
	    "a reader's open waits until the signal");
	test_expect_ok(setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	test_expect_errno(open("f", O_WRONLY), EINTR, "and a writer's open");
	signal(SIGALRM, SIG_DFL);
	/* The interrupted opens left nothing counted. */
	test_expect_errno(open("f", O_WRONLY | O_NONBLOCK), ENXIO,
	    "no reader counted");
	fs_leave();
}

const struct test fs_fifo_tests[] = {
	{ "mknod_types", t_mknod_types, NULL },
	{ "mknod_devices", t_mknod_devices,
	    "no device or socket files: they are EPERM (ABI.md)" },
	{ "fifo_nonblock_open", t_fifo_nonblock_open, NULL },
	{ "fifo_blocking_open", t_fifo_blocking_open, NULL },
	{ "fifo_partner_came_and_went", t_fifo_partner_came_and_went, NULL },
	{ "fifo_poll_hup", t_fifo_poll_hup, NULL },
	{ "fifo_rdwr", t_fifo_rdwr, NULL },
	{ "fifo_open_file", t_fifo_open_file, NULL },
	{ "fifo_open_interrupted", t_fifo_open_interrupted, NULL },
	{ NULL, NULL, NULL },
};
