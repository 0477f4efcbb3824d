/*
 * pipe.c: pipes: data in order, end of file, EPIPE and SIGPIPE, pipe2
 * flags, large transfers between processes, blocking and waking, and
 * close-on-exec.
 */

#include "ut.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)

/* Bytes written to the pipe come out in order; reads return what is there. */
static void
t_pipe_basic(void)
{
	char buf[64];
	int p[2];

	test_expect_eq(syscall(SYS_pipe, p), 0, "pipe");
	test_assert_msg(p[0] >= 0 && p[1] >= 0 && p[0] != p[1],
	    "pipe gave fds %d and %d", p[0], p[1]);
	test_expect_eq(write(p[1], "hello, ", 7), 7, "write 7");
	test_expect_eq(write(p[1], "world", 5), 5, "write 5");
	test_expect_eq(read(p[0], buf, 3), 3, "read 3 of 12");
	test_expect_eq(read(p[0], buf + 3, sizeof(buf)), 9,
	    "read returns the 9 bytes there, without waiting for more");
	buf[12] = '\0';
	test_assert_msg(strcmp(buf, "hello, world") == 0, "read \"%s\"", buf);
	test_expect_eq(write(p[1], buf, 0), 0, "write 0 bytes");
	test_expect_eq(read(p[0], buf, 0), 0, "read 0 bytes");
	close(p[0]);
	close(p[1]);
}

/* With every write end closed, data still comes out, then 0 (EOF). */
static void
t_pipe_eof(void)
{
	char buf[8];
	int p[2];

	test_pipe(p);
	test_expect_eq(write(p[1], "abc", 3), 3, "write");
	close(p[1]);
	test_expect_eq(read(p[0], buf, sizeof(buf)), 3, "read after close");
	test_expect_eq(read(p[0], buf, sizeof(buf)), 0, "EOF");
	test_expect_eq(read(p[0], buf, sizeof(buf)), 0, "EOF again");
	close(p[0]);
}

/* EOF comes only when the last write end, in any process, is closed. */
static void
t_pipe_eof_all_writers(void)
{
	char buf[8];
	int p[2];
	uint64_t t0;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[0]);
		test_sleep_ns(50000000);
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	close(p[1]);
	t0 = test_now_ns();
	test_expect_eq(test_read_full(p[0], buf, sizeof(buf)), 4,
	    "read until EOF: the child's 4 bytes");
	test_assert_msg(test_now_ns() - t0 >= 40000000,
	    "EOF came %llu ns after "
	    "the parent closed its write end, while the child still held one",
	    (unsigned long long)(test_now_ns() - t0));
	test_expect_exit(pid, 0, "writer child");
	close(p[0]);
}

/* Writing with no reader left fails with EPIPE when SIGPIPE is ignored. */
static void
t_pipe_epipe_ignored(void)
{
	int p[2];

	test_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	test_pipe(p);
	close(p[0]);
	test_expect_errno(write(p[1], "x", 1), EPIPE, "write with no reader");
	test_expect_errno(write(p[1], "x", 1), EPIPE, "write again");
	close(p[1]);
}

/* ... and with SIGPIPE at its default action the writer is killed by it. */
static void
write_no_reader(void *arg)
{
	int p[2];

	(void)arg;
	signal(SIGPIPE, SIG_DFL);
	test_pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
	test_fail("write to a pipe without readers returned; expected SIGPIPE");
}

static void
t_pipe_sigpipe_kills(void)
{
	test_expect_child_signal(write_no_reader, NULL, SIGPIPE,
	    "writer to a pipe without readers");
}

/* pipe2 takes 0 and O_CLOEXEC; bits Linux does not know are EINVAL. */
static void
t_pipe2_flags(void)
{
	int p[2];

	test_expect_eq(syscall(SYS_pipe2, p, 0), 0, "pipe2(0)");
	close(p[0]);
	close(p[1]);
	test_expect_eq(syscall(SYS_pipe2, p, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)");
	close(p[0]);
	close(p[1]);
	test_expect_errno(syscall(SYS_pipe2, p, 1), EINVAL, "pipe2(1)");
	test_expect_errno(syscall(SYS_pipe2, p, 0x10000000), EINVAL,
	    "pipe2(0x10000000)");
}

/*
 * ABI.md requires pipe2 flags 0 and O_CLOEXEC; O_NONBLOCK works too
 * (systests fds_pipe_nonblock), and Linux's packet mode (O_DIRECT) is
 * not implemented: EINVAL.
 */
static void
t_pipe2_native_flags(void)
{
	const int flags[] = { O_DIRECT, O_CLOEXEC | O_DIRECT };
	char what[48];
	int p[2];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(what, sizeof(what), "pipe2(0%o)", (unsigned)flags[i]);
		test_expect_errno(syscall(SYS_pipe2, p, flags[i]), EINVAL,
		    what);
	}
}

/* The byte at position i of the test stream. */
static inline unsigned char
stream_byte(uint64_t i)
{
	return (unsigned char)((i * 2654435761u) >> 11 ^ i);
}

/* Write `total` bytes of the stream in chunks of random sizes. */
static int
write_stream(int fd, size_t total, uint64_t seed)
{
	static unsigned char buf[8192];
	uint64_t rng = seed;
	size_t done = 0;

	while (done < total) {
		size_t n = 1 + test_rand(&rng) % sizeof(buf);
		if (n > total - done)
			n = total - done;
		for (size_t i = 0; i < n; i++)
			buf[i] = stream_byte(done + i);
		if (test_write_all(fd, buf, n) != (long)n)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * 1 MiB through a pipe from a child, written and read in chunks of
 * random sizes; every byte is checked, and the sums must agree.
 */
static void
t_pipe_big_transfer(void)
{
	static unsigned char buf[8192];
	uint64_t rng = 42, sum = 0, want = 0;
	size_t got = 0;
	int p[2];
	long r;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[0]);
		_exit(write_stream(p[1], MIB, 7) == 0 ? 0 : 1);
	}
	close(p[1]);
	for (;;) {
		size_t n = 1 + test_rand(&rng) % sizeof(buf);
		r = read(p[0], buf, n);
		if (r <= 0)
			break;
		for (long i = 0; i < r; i++) {
			if (buf[i] != stream_byte(got + i))
				test_fail("byte %zu is 0x%02x, expected 0x%02x",
				    got + i, buf[i], stream_byte(got + i));
			sum += buf[i] * (got + i + 1);
		}
		got += r;
	}
	test_expect_ok(r, "read");
	test_expect_eq(got, MIB, "bytes received");
	for (size_t i = 0; i < MIB; i++)
		want += stream_byte(i) * (i + 1);
	test_assert_msg(sum == want, "checksum %llx, expected %llx",
	    (unsigned long long)sum, (unsigned long long)want);
	test_expect_exit(pid, 0, "writer child");
	close(p[0]);
}

/* One write much larger than the pipe completes in full while read. */
static void
t_pipe_big_write(void)
{
	enum {
		SIZE = 256 * 1024
	};
	unsigned char *buf = malloc(SIZE);
	int p[2];
	pid_t pid;

	test_assert(buf != NULL);
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[1]);
		if (test_read_full(p[0], buf, SIZE) != SIZE)
			_exit(1);
		for (size_t i = 0; i < SIZE; i++)
			if (buf[i] != stream_byte(i))
				_exit(2);
		_exit(0);
	}
	close(p[0]);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = stream_byte(i);
	test_expect_eq(write(p[1], buf, SIZE), SIZE, "one 256 KiB write");
	close(p[1]);
	test_expect_exit(pid, 0, "reader child");
	free(buf);
}

/*
 * Writes of at most PIPE_BUF (4096) bytes are atomic: four children write
 * 100-byte records at once, and every record comes out whole, each
 * child's in order.
 */
static void
t_pipe_atomic_writers(void)
{
	enum {
		WRITERS = 4,
		RECORDS = 400,
		RECSZ = 100
	};
	unsigned char rec[RECSZ];
	int next[WRITERS] = { 0 }, p[2];
	pid_t pids[WRITERS];
	long r;

	test_pipe(p);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = test_fork();
		if (pids[w] != 0)
			continue;
		close(p[0]);
		for (int i = 0; i < RECORDS; i++) {
			memset(rec, 'a' + w, sizeof(rec));
			rec[0] = (unsigned char)w;
			rec[1] = (unsigned char)(i & 0xff);
			rec[2] = (unsigned char)(i >> 8);
			if (write(p[1], rec, sizeof(rec)) != sizeof(rec))
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	while ((r = test_read_full(p[0], rec, sizeof(rec))) == sizeof(rec)) {
		int w = rec[0], i = rec[1] | rec[2] << 8;
		test_assert_msg(w < WRITERS, "record from writer %d", w);
		test_assert_msg(i == next[w],
		    "writer %d: record %d, expected %d", w, i, next[w]);
		for (int k = 3; k < RECSZ; k++)
			test_assert_msg(rec[k] == 'a' + w,
			    "writer %d record %d "
			    "byte %d is mixed with another writer's",
			    w, i, k);
		next[w]++;
	}
	test_expect_eq(r, 0, "the stream ends on a record boundary");
	for (int w = 0; w < WRITERS; w++) {
		test_expect_eq(next[w], RECORDS, "records from one writer");
		test_expect_exit(pids[w], 0, "writer child");
	}
	close(p[0]);
}

/* A reader blocked on an empty pipe wakes for data, then for EOF. */
static void
t_pipe_blocked_reader(void)
{
	int p[2];
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		char buf[8];
		close(p[1]);
		if (read(p[0], buf, sizeof(buf)) != 2 || memcmp(buf, "hi", 2))
			_exit(1);
		_exit(read(p[0], buf, sizeof(buf)) == 0 ? 0 : 2);
	}
	close(p[0]);
	test_sleep_ns(20000000);
	test_expect_eq(write(p[1], "hi", 2), 2, "write to the waiting reader");
	test_sleep_ns(20000000);
	close(p[1]);
	test_expect_exit(pid, 0, "blocked reader");
}

/*
 * A writer blocked on a full pipe wakes when the last reader closes: its
 * write returns the part already taken, or EPIPE; the next write EPIPE.
 */
static void
t_pipe_blocked_writer(void)
{
	int p[2];
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		char *buf = malloc(MIB);
		long r;
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		if (buf == NULL)
			_exit(3);
		memset(buf, 'w', MIB);
		r = write(p[1], buf, MIB);
		if (!(r > 0 && r < MIB) && !(r == -1 && errno == EPIPE))
			_exit(1);
		_exit(write(p[1], buf, 1) == -1 && errno == EPIPE ? 0 : 2);
	}
	close(p[1]);
	test_sleep_ns(50000000);
	close(p[0]);
	test_expect_exit(pid, 0, "blocked writer (1: first write, 2: second)");
}

/* Is `fd` open in a freshly exec'd program? */
static int
fd_open_after_exec(int fd)
{
	char num[16];
	int status;

	snprintf(num, sizeof(num), "%d", fd);
	status = ut_run_helper("fdopen", num, NULL, NULL, 0);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1,
	    "helper fdopen: wait status 0x%x", status);
	return WEXITSTATUS(status) == 0;
}

/* pipe2(O_CLOEXEC) ends are closed by execve; plain pipe ends are not. */
static void
t_pipe_cloexec(void)
{
	int a[2], b[2];

	test_expect_eq(syscall(SYS_pipe2, a, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)");
	test_pipe(b);
	test_assert_msg(!fd_open_after_exec(a[0]) && !fd_open_after_exec(a[1]),
	    "O_CLOEXEC pipe end still open after execve");
	test_assert_msg(fd_open_after_exec(b[0]) && fd_open_after_exec(b[1]),
	    "plain pipe end closed by execve");
}

const struct test ut_pipe_tests[] = {
	{ "pipe_basic", t_pipe_basic, NULL },
	{ "pipe_eof", t_pipe_eof, NULL },
	{ "pipe_eof_all_writers", t_pipe_eof_all_writers, NULL },
	{ "pipe_epipe_ignored", t_pipe_epipe_ignored, NULL },
	{ "pipe_sigpipe_kills", t_pipe_sigpipe_kills, NULL },
	{ "pipe2_flags", t_pipe2_flags, NULL },
	{ "pipe2_native_flags", t_pipe2_native_flags,
	    "Linux accepts O_DIRECT (packet mode)" },
	{ "pipe_big_transfer", t_pipe_big_transfer, NULL },
	{ "pipe_big_write", t_pipe_big_write, NULL },
	{ "pipe_atomic_writers", t_pipe_atomic_writers, NULL },
	{ "pipe_blocked_reader", t_pipe_blocked_reader, NULL },
	{ "pipe_blocked_writer", t_pipe_blocked_writer, NULL },
	{ "pipe_cloexec", t_pipe_cloexec, NULL },
	{ NULL, NULL, NULL },
};
