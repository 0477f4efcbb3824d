/*
 * eventfd.c: eventfd2 (290) through musl's eventfd, eventfd_read and
 * eventfd_write, and the old eventfd (284) through the raw call.
 *
 *   - eventfd_counter: a read returns the counter and resets it, writes
 *     add to it; both calls take the initial value;
 *   - eventfd_semaphore: with EFD_SEMAPHORE a read returns 1 and
 *     takes 1 off;
 *   - eventfd_nonblock: EFD_NONBLOCK: reading 0 and writing past
 *     0xfffffffffffffffe are EAGAIN; F_SETFL O_NONBLOCK does the same;
 *   - eventfd_errors: buffers under 8 bytes, writing ~0, unknown flags
 *     (EINVAL); bad buffers (EFAULT) leave the counter alone; lseek
 *     succeeds and stays at 0, as Linux's does;
 *   - eventfd_flags: EFD_CLOEXEC is FD_CLOEXEC, F_GETFL is O_RDWR
 *     (| O_NONBLOCK); fstat gives Linux's anonymous inode (no file
 *     type, mode 0600, size 0);
 *   - eventfd_poll: POLLIN while the counter is not 0, POLLOUT while a
 *     write of 1 would not wait; poll without a time limit is woken by
 *     another process's write;
 *   - eventfd_block_read, eventfd_block_write: a read waiting for a
 *     non-zero counter, a write waiting for room, woken by the other
 *     call in another process;
 *   - eventfd_shared: fork and dup share the counter;
 *   - eventfd_pingpong: two processes pass a count back and forth 2000
 *     times through two eventfds with blocking reads: no wakeup is lost
 *     (run with 4 CPUs).
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EFD_MAX 0xfffffffffffffffeULL /* the largest counter */

static int
efd(unsigned init, int flags)
{
	int fd = eventfd(init, flags);

	test_expect_ok(fd, "eventfd");
	return fd;
}

/* Read the counter with read(2): it must succeed with 8 bytes. */
static uint64_t
efd_read(int fd)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aULL;

	test_expect_eq(read(fd, &v, sizeof(v)), sizeof(v), "read 8 bytes");
	return v;
}

static void
efd_write(int fd, uint64_t v)
{
	test_expect_eq(write(fd, &v, sizeof(v)), sizeof(v), "write 8 bytes");
}

static short
poll1(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };

	test_expect_ok(poll(&p, 1, timeout), "poll");
	return p.revents;
}

static void
t_eventfd_counter(void)
{
	eventfd_t v = 0;
	uint64_t two[2] = { 11, 12 };
	int fd = efd(5, 0), old;

	test_expect_hex(efd_read(fd), 5, "the initial value");
	efd_write(fd, 3);
	test_expect_ok(eventfd_write(fd, 4), "eventfd_write");
	test_expect_ok(eventfd_read(fd, &v), "eventfd_read");
	test_expect_hex(v, 7, "the sum of the writes");
	efd_write(fd, EFD_MAX);
	test_expect_hex(efd_read(fd), EFD_MAX, "the largest counter");
	/* Writing 0 changes nothing, and is not refused at the top. */
	efd_write(fd, EFD_MAX);
	efd_write(fd, 0);
	test_expect_hex(efd_read(fd), EFD_MAX, "after writing 0");
	close(fd);

	old = syscall(SYS_eventfd, 9);
	test_expect_ok(old, "the old eventfd (284)");
	test_expect_eq(fcntl(old, F_GETFD), 0, "not close-on-exec");
	test_expect_eq(fcntl(old, F_GETFL), O_RDWR, "F_GETFL");
	test_expect_hex(efd_read(old), 9, "its initial value");
	/* A longer buffer: 8 bytes are read or written all the same. */
	test_expect_eq(write(old, two, sizeof(two)), 8, "write 16 bytes");
	two[0] = two[1] = 0;
	test_expect_eq(read(old, two, sizeof(two)), 8, "read 16 bytes");
	test_expect_hex(two[0], 11, "the first 8 bytes were written");
	test_expect_hex(two[1], 0, "the other 8 untouched");
}

static void
t_eventfd_semaphore(void)
{
	int fd = efd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v;

	for (int i = 0; i < 3; i++)
		test_expect_hex(efd_read(fd), 1, "a semaphore read");
	test_expect_errno(read(fd, &v, sizeof(v)), EAGAIN, "the count is 0");
	efd_write(fd, 2);
	test_expect_hex(efd_read(fd), 1, "a read after a write of 2");
	test_expect_eq(poll1(fd, POLLIN, 0), POLLIN, "1 left");
	test_expect_hex(efd_read(fd), 1, "the last one");
	test_expect_eq(poll1(fd, POLLIN, 0), 0, "none left");
}

static void
t_eventfd_nonblock(void)
{
	int fd = efd(0, EFD_NONBLOCK);
	uint64_t v = 1;

	test_expect_errno(read(fd, &v, sizeof(v)), EAGAIN, "read of 0");
	efd_write(fd, EFD_MAX - 1);
	efd_write(fd, 1);
	v = 1;
	test_expect_errno(write(fd, &v, sizeof(v)), EAGAIN, "write past max");
	test_expect_hex(efd_read(fd), EFD_MAX, "the counter");
	close(fd);

	/* Blocking at first, then O_NONBLOCK through fcntl. */
	fd = efd(0, 0);
	test_expect_ok(fcntl(fd, F_SETFL, O_NONBLOCK), "F_SETFL O_NONBLOCK");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "F_GETFL");
	test_expect_errno(read(fd, &v, sizeof(v)), EAGAIN, "read of 0");
	efd_write(fd, EFD_MAX);
	test_expect_errno(write(fd, &v, sizeof(v)), EAGAIN, "write past max");
}

static void
t_eventfd_errors(void)
{
	int fd = efd(4, EFD_NONBLOCK);
	uint64_t v = ~0ULL;
	char small[7] = { 0 };

	test_expect_errno(read(fd, small, sizeof(small)), EINVAL,
	    "read of 7 bytes");
	test_expect_errno(read(fd, small, 0), EINVAL, "read of 0 bytes");
	test_expect_errno(write(fd, small, sizeof(small)), EINVAL,
	    "write of 7 bytes");
	test_expect_errno(write(fd, &v, sizeof(v)), EINVAL, "write of ~0");
	test_expect_errno(eventfd_write(fd, ~0ULL), EINVAL,
	    "eventfd_write of ~0");
	test_expect_errno(read(fd, (void *)TEST_KERNEL_TEXT, 8), EFAULT,
	    "read into the kernel");
	test_expect_errno(write(fd, (void *)8, 8), EFAULT,
	    "write from an unmapped page");
	test_expect_hex(efd_read(fd), 4, "the counter after the errors");
	/* Linux's eventfd has noop_llseek: lseek succeeds, at 0, not ESPIPE. */
	test_expect_eq(lseek(fd, 100, SEEK_SET), 0, "lseek to 100");
	test_expect_eq(lseek(fd, 5, SEEK_CUR), 0, "lseek by 5");
	test_expect_errno(lseek(fd, 0, 99), EINVAL, "lseek whence 99");
	close(fd);

	test_expect_errno(eventfd(0, 2), EINVAL, "flags 2");
	test_expect_errno(eventfd(0, O_APPEND), EINVAL, "O_APPEND");
	test_expect_errno(eventfd(0, 1 << 30), EINVAL, "flags 1 << 30");
	test_expect_errno(syscall(SYS_eventfd2, 0, O_NOCTTY), EINVAL,
	    "eventfd2 with O_NOCTTY");
}

static void
t_eventfd_flags(void)
{
	int fd = efd(0, 0);
	struct stat st;

	test_expect_eq(fcntl(fd, F_GETFD), 0, "no flags: F_GETFD");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR, "no flags: F_GETFL");
	test_expect_ok(fstat(fd, &st), "fstat");
	/* Linux's anonymous inode: no file type bits, mode 0600, size 0. */
	test_expect_eq(st.st_mode & S_IFMT, 0, "fstat: no file type");
	test_expect_eq(st.st_mode & 07777, 0600, "fstat: mode 0600");
	test_expect_eq(st.st_size, 0, "fstat: size 0");
	close(fd);
	fd = efd(0, EFD_CLOEXEC);
	test_expect_eq(fcntl(fd, F_GETFD), FD_CLOEXEC, "EFD_CLOEXEC");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR, "EFD_CLOEXEC: F_GETFL");
	close(fd);
	fd = efd(0, EFD_NONBLOCK | EFD_SEMAPHORE);
	test_expect_eq(fcntl(fd, F_GETFD), 0, "EFD_NONBLOCK: F_GETFD");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK,
	    "EFD_NONBLOCK: F_GETFL");
	close(fd);
}

static void
t_eventfd_poll(void)
{
	int fd = efd(0, 0);
	pid_t pid;

	test_expect_eq(poll1(fd, POLLIN | POLLOUT, 0), POLLOUT, "a fresh one");
	test_expect_eq(poll1(fd, POLLIN, 0), 0, "not readable");
	efd_write(fd, 1);
	test_expect_eq(poll1(fd, POLLIN | POLLOUT, 0), POLLIN | POLLOUT,
	    "after a write");
	efd_write(fd, EFD_MAX - 2);
	test_expect_eq(poll1(fd, POLLIN | POLLOUT, 0), POLLOUT | POLLIN,
	    "one below the largest counter");
	efd_write(fd, 1);
	test_expect_eq(poll1(fd, POLLIN | POLLOUT, 0), POLLIN,
	    "at the largest counter: no room");
	test_expect_eq(poll1(fd, POLLOUT, 50), 0, "no room after 50 ms");
	test_expect_hex(efd_read(fd), EFD_MAX, "read");
	test_expect_eq(poll1(fd, POLLIN | POLLOUT, 0), POLLOUT, "read empty");

	/* poll without a time limit, woken by a write in a child. */
	pid = test_fork();
	if (pid == 0) {
		test_sleep_ns(50 * SYS_MS);
		efd_write(fd, 6);
		_exit(0);
	}
	test_expect_eq(poll1(fd, POLLIN, -1), POLLIN, "woken by the child");
	test_expect_hex(efd_read(fd), 6, "the child's value");
	test_expect_exit(pid, 0, "the child");
}

static void
t_eventfd_block_read(void)
{
	int fd = efd(0, 0), sem = efd(0, EFD_SEMAPHORE);
	pid_t pid = test_fork();

	if (pid == 0) {
		/* The parent writes only after 50 ms: this read waits. */
		test_expect_hex(efd_read(fd), 42, "the blocked read");
		test_expect_hex(efd_read(sem), 1, "the blocked semaphore read");
		test_expect_hex(efd_read(sem), 1, "the second one");
		_exit(0);
	}
	test_sleep_ns(50 * SYS_MS);
	efd_write(fd, 42); /* one write: the reader may run between two */
	test_sleep_ns(50 * SYS_MS);
	efd_write(sem, 2);
	test_expect_exit(pid, 0, "the reader");
	test_expect_eq(poll1(fd, POLLIN, 0), 0, "the child read it all");
	test_expect_eq(poll1(sem, POLLIN, 0), 0, "and the semaphore");
}

static void
t_eventfd_block_write(void)
{
	int fd = efd(0, 0);
	pid_t pid;
	uint64_t t0;

	efd_write(fd, EFD_MAX - 1);
	pid = test_fork();
	if (pid == 0) {
		/* Room for 1 but not for 5: this write waits for a read. */
		efd_write(fd, 5);
		_exit(0);
	}
	test_sleep_ns(50 * SYS_MS);
	test_expect_eq(waitpid(pid, NULL, WNOHANG), 0, "the writer waits");
	test_expect_hex(efd_read(fd), EFD_MAX - 1, "the first value");
	/* This read waits for the child's write, which the read woke. */
	t0 = test_now_ns();
	test_expect_hex(efd_read(fd), 5, "the blocked write's value");
	test_assert(test_now_ns() - t0 < 2000 * SYS_MS);
	test_expect_exit(pid, 0, "the writer");
}

static void
t_eventfd_shared(void)
{
	int fd = efd(0, EFD_NONBLOCK), d;
	pid_t pid;

	d = dup(fd);
	test_expect_ok(d, "dup");
	efd_write(d, 3);
	test_expect_hex(efd_read(fd), 3, "written through the dup");
	pid = test_fork();
	if (pid == 0) {
		efd_write(fd, 10);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_hex(efd_read(d), 10, "written by the child");
	/* The status flags are the open file's too. */
	test_expect_ok(fcntl(d, F_SETFL, 0), "F_SETFL 0 on the dup");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR, "F_GETFL of the first");
	close(fd);
	efd_write(d, 1);
	test_expect_hex(efd_read(d), 1, "the dup alone");
}

static void
t_eventfd_pingpong(void)
{
	int a = efd(0, 0), b = efd(0, 0), rounds = 2000;
	pid_t pid = test_fork();

	if (pid == 0) {
		for (int i = 0; i < rounds; i++) {
			uint64_t v = efd_read(a);

			if (v != (uint64_t)i + 1)
				test_fail("round %d: got %llu", i,
				    (unsigned long long)v);
			efd_write(b, v + 1);
		}
		_exit(0);
	}
	for (int i = 0; i < rounds; i++) {
		uint64_t v;

		efd_write(a, i + 1);
		v = efd_read(b);
		if (v != (uint64_t)i + 2)
			test_fail("round %d: got %llu", i,
			    (unsigned long long)v);
	}
	test_expect_exit(pid, 0, "the child");
}

const struct test sys_eventfd_tests[] = {
	{ "eventfd_counter", t_eventfd_counter, NULL },
	{ "eventfd_semaphore", t_eventfd_semaphore, NULL },
	{ "eventfd_nonblock", t_eventfd_nonblock, NULL },
	{ "eventfd_errors", t_eventfd_errors, NULL },
	{ "eventfd_flags", t_eventfd_flags, NULL },
	{ "eventfd_poll", t_eventfd_poll, NULL },
	{ "eventfd_block_read", t_eventfd_block_read, NULL },
	{ "eventfd_block_write", t_eventfd_block_write, NULL },
	{ "eventfd_shared", t_eventfd_shared, NULL },
	{ "eventfd_pingpong", t_eventfd_pingpong, NULL },
	{ NULL, NULL, NULL },
};
