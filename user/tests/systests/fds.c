/*
 * Descriptors: fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
 * F_GETFL, F_SETFL), dup3, close_range, pipe2's O_NONBLOCK, FIONREAD,
 * and the 64 KiB pipe: a writer fills 65,536 bytes without a reader.
 */

#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4
#endif

static void
t_fds_fcntl_dupfd(void)
{
	int p[2], fd;
	char c = 0;

	test_pipe(p);
	fd = fcntl(p[0], F_DUPFD, 100);
	test_expect_eq(fd, 100, "F_DUPFD: the lowest at or above 100");
	test_expect_eq(fcntl(fd, F_GETFD), 0, "F_DUPFD: not close-on-exec");
	test_expect_eq(fcntl(p[0], F_DUPFD, 100), 101, "next one up");
	fd = fcntl(p[1], F_DUPFD_CLOEXEC, 50);
	test_expect_eq(fd, 50, "F_DUPFD_CLOEXEC");
	test_expect_eq(fcntl(fd, F_GETFD), FD_CLOEXEC,
	    "F_DUPFD_CLOEXEC: close-on-exec");
	test_expect_errno(fcntl(p[0], F_DUPFD, 1 << 20), EINVAL,
	    "above RLIMIT_NOFILE");
	test_expect_errno(fcntl(-1, F_DUPFD, 0), EBADF, "bad fd");
	test_expect_errno(fcntl(1000, F_GETFD), EBADF, "fd 1000");
	/* The duplicate shares the pipe: a write on 50 reads on 100. */
	test_expect_eq(write(50, "x", 1), 1, "write through the duplicate");
	test_expect_eq(read(100, &c, 1), 1, "read through the duplicate");
	test_expect_eq(c, 'x', "the byte");
}

static void
t_fds_fcntl_flags(void)
{
	int p[2];
	char c;

	test_pipe(p);
	test_expect_eq(fcntl(p[0], F_GETFD), 0, "F_GETFD");
	test_expect_ok(fcntl(p[0], F_SETFD, FD_CLOEXEC), "F_SETFD");
	test_expect_eq(fcntl(p[0], F_GETFD), FD_CLOEXEC, "set");
	test_expect_ok(fcntl(p[0], F_SETFD, 0), "F_SETFD 0");
	test_expect_eq(fcntl(p[0], F_GETFD), 0, "cleared");
	test_expect_eq(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY,
	    "read end O_RDONLY");
	test_expect_eq(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY,
	    "write end O_WRONLY");
	test_expect_ok(fcntl(p[0], F_SETFL, O_NONBLOCK), "F_SETFL O_NONBLOCK");
	test_expect_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK,
	    "O_NONBLOCK reported");
	test_expect_errno(read(p[0], &c, 1), EAGAIN, "empty: EAGAIN");
	test_expect_ok(fcntl(p[0], F_SETFL, 0), "F_SETFL 0");
	test_expect_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0, "cleared");
	test_expect_errno(fcntl(p[0], 9999, 0), EINVAL, "unknown command");
}

static void
t_fds_dup3(void)
{
	int p[2];

	test_pipe(p);
	test_expect_eq(dup3(p[0], 60, O_CLOEXEC), 60, "dup3 O_CLOEXEC");
	test_expect_eq(fcntl(60, F_GETFD), FD_CLOEXEC, "close-on-exec");
	test_expect_eq(dup3(p[1], 60, 0), 60, "dup3 over an open fd");
	test_expect_eq(fcntl(60, F_GETFD), 0, "not close-on-exec");
	test_expect_eq(fcntl(60, F_GETFL) & O_ACCMODE, O_WRONLY,
	    "now the write end");
	test_expect_errno(dup3(p[0], p[0], 0), EINVAL, "same fd");
	/* The call itself: musl's dup3 ignores flags without O_CLOEXEC. */
	test_expect_errno(syscall(SYS_dup3, p[0], 61, O_NONBLOCK), EINVAL,
	    "bad flag");
	test_expect_errno(dup3(p[0], -1, 0), EBADF, "negative newfd");
	test_expect_errno(dup3(999, 62, 0), EBADF, "bad oldfd");
	test_expect_eq(dup2(p[0], p[0]), p[0], "dup2 to itself");
	test_expect_errno(dup2(999, 999), EBADF, "dup2 of a bad fd to itself");
}

static void
t_fds_close_range(void)
{
	int p[2];

	test_pipe(p);
	for (int fd = 70; fd < 80; fd++)
		test_expect_eq(dup2(p[0], fd), fd, "dup2");
	test_expect_ok(syscall(SYS_close_range, 70, 74, CLOSE_RANGE_CLOEXEC),
	    "CLOSE_RANGE_CLOEXEC");
	test_expect_eq(fcntl(72, F_GETFD), FD_CLOEXEC, "marked");
	test_expect_eq(fcntl(75, F_GETFD), 0, "outside the range");
	test_expect_ok(syscall(SYS_close_range, 72, ~0U, 0), "close 72 up");
	test_expect_errno(fcntl(72, F_GETFD), EBADF, "72 closed");
	test_expect_errno(fcntl(79, F_GETFD), EBADF, "79 closed");
	test_expect_eq(fcntl(71, F_GETFD), FD_CLOEXEC, "71 still open");
	test_expect_errno(syscall(SYS_close_range, 5, 4, 0), EINVAL,
	    "first above last");
	test_expect_errno(syscall(SYS_close_range, 0, 1, 0x80), EINVAL,
	    "bad flag");
	test_expect_ok(syscall(SYS_close_range, 70, 71, CLOSE_RANGE_UNSHARE),
	    "UNSHARE of an unshared table");
	test_expect_errno(fcntl(70, F_GETFD), EBADF, "70 closed");
}

/* pipe2(O_NONBLOCK): EAGAIN both ways; a big write goes in partly. */
static void
t_fds_pipe_nonblock(void)
{
	static char buf[100000];
	int p[2], n = -1;
	char c;

	test_expect_ok(pipe2(p, O_NONBLOCK | O_CLOEXEC), "pipe2");
	test_expect_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK,
	    "read end non-blocking");
	test_expect_eq(fcntl(p[1], F_GETFD), FD_CLOEXEC, "O_CLOEXEC");
	test_expect_errno(read(p[0], &c, 1), EAGAIN, "empty");
	test_expect_eq(write(p[1], buf, sizeof(buf)), 65536L,
	    "a big write fills the 64 KiB pipe and returns");
	test_expect_ok(ioctl(p[0], FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 65536, "FIONREAD: the bytes buffered");
	test_expect_errno(write(p[1], "x", 1), EAGAIN, "full");
	test_expect_eq(read(p[0], buf, 100), 100L, "read some");
	test_expect_errno(write(p[1], buf, 4096), EAGAIN,
	    "PIPE_BUF bytes without room for all: EAGAIN, not a part");
	test_expect_errno(ioctl(p[0], TCGETS, buf), ENOTTY, "not a terminal");
	test_expect_errno(pipe2(p, 0x40), EINVAL, "bad flag");
}

/* A blocking writer of 64 KiB finishes with nobody reading. */
static void
t_fds_pipe_64k(void)
{
	static char buf[65536];
	int p[2], status;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0)
		_exit(write(p[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : 1);
	test_expect_eq(waitpid(pid, &status, 0), pid, "the writer finished");
	test_expect_eq(status, 0, "it wrote everything");
	test_expect_eq(read(p[0], buf, sizeof(buf)), 65536L, "read it all");
}

/* O_APPEND through open and F_SETFL on a file in /tmp. */
static void
t_fds_append(void)
{
	char path[64], buf[16] = { 0 };
	int fd;

	(void)mkdir("/tmp", 01777); /* Linux's test initramfs has none */
	snprintf(path, sizeof(path), "/tmp/fds.%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
	test_assert(fd >= 0);
	test_expect_eq(fcntl(fd, F_GETFL) & (O_APPEND | O_ACCMODE),
	    O_APPEND | O_RDWR, "F_GETFL after open O_APPEND");
	test_expect_eq(write(fd, "ab", 2), 2, "write");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek 0");
	test_expect_eq(write(fd, "cd", 2), 2, "append despite the offset");
	test_expect_ok(fcntl(fd, F_SETFL, 0), "F_SETFL 0: O_APPEND off");
	test_expect_eq(lseek(fd, 0, SEEK_SET), 0, "lseek 0");
	test_expect_eq(write(fd, "X", 1), 1, "write at 0");
	test_expect_eq(pread(fd, buf, sizeof(buf), 0), 4, "pread");
	test_assert_msg(memcmp(buf, "Xbcd", 4) == 0, "contents %.4s", buf);
	close(fd);
	test_expect_ok(unlink(path), "unlink");
}

const struct test sys_fds_tests[] = {
	{ "fds_fcntl_dupfd", t_fds_fcntl_dupfd, NULL },
	{ "fds_fcntl_flags", t_fds_fcntl_flags, NULL },
	{ "fds_dup3", t_fds_dup3, NULL },
	{ "fds_close_range", t_fds_close_range, NULL },
	{ "fds_pipe_nonblock", t_fds_pipe_nonblock, NULL },
	{ "fds_pipe_64k", t_fds_pipe_64k, NULL },
	{ "fds_append", t_fds_append, NULL },
	{ NULL, NULL, NULL },
};
