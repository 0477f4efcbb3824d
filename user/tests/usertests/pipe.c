/*
 * pipe.c: pipes: data in order, end of file, EPIPE and SIGPIPE, pipe2
 * flags, large transfers between processes, blocking and waking, and
 * close-on-exec.
 */

#include "ut.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
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

/*
 * Read the stream from fd, from its byte start on, in reads of random
 * sizes (1 to max bytes) up to end of file, checking every byte; returns
 * where it ended (start plus the count), or -1 (a bad byte or a read
 * error, noted) or -2 (more than limit in all).  Not thread-safe.
 */
static long
read_stream(int fd, size_t max, size_t limit, uint64_t seed, size_t start)
{
	static unsigned char buf[16384];
	uint64_t rng = seed;
	size_t got = start;
	long r;

	if (max > sizeof(buf))
		max = sizeof(buf);
	for (;;) {
		r = read(fd, buf, 1 + test_rand(&rng) % max);
		if (r <= 0)
			return r == 0 ? (long)got : -1;
		if (got + (size_t)r > limit)
			return -2;
		for (long i = 0; i < r; i++)
			if (buf[i] != stream_byte(got + i)) {
				test_note("byte %zu is 0x%02x, expected 0x%02x",
				    got + i, buf[i], stream_byte(got + i));
				return -1;
			}
		got += (size_t)r;
	}
}

/*
 * One big write taken by a reader already asleep in read, in reads of
 * every size from 1 byte to more than the pipe holds: every byte comes
 * out once, in order, and the write returns its whole count.
 */
static void
t_pipe_write_to_sleeping_reader(void)
{
	enum {
		SIZE = 640 * 1024
	};
	unsigned char *buf = malloc(SIZE);
	int p[2];
	pid_t pid;

	test_assert(buf != NULL);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = stream_byte(i);
	for (int round = 0; round < 3; round++) {
		size_t max = round == 0 ? 7 : round == 1 ? 5000 : 16384;
		long size = round == 0 ? 80 * 1024 : SIZE;

		test_pipe(p);
		pid = test_fork();
		if (pid == 0) {
			long got;

			close(p[1]);
			got = read_stream(p[0], max, (size_t)size, 11, 0);
			_exit(got == size ? 0 : 1);
		}
		close(p[0]);
		test_sleep_ns(20000000); /* the reader sleeps in read */
		test_expect_eq(write(p[1], buf, (size_t)size), size,
		    "one big write");
		close(p[1]);
		test_expect_exit(pid, 0, "reader child (1: bad stream)");
	}
	free(buf);
}

/*
 * Untouched anonymous pages in a written buffer read as zeros, touched
 * ones as written, and a shared file mapping's pages as the file has
 * them.
 */
static void
t_pipe_write_untouched_pages(void)
{
	enum {
		SIZE = 32 * 4096
	};
	unsigned char *anon = test_map(SIZE), *got = malloc(SIZE);
	unsigned char *file;
	int p[2], fd;
	pid_t pid;

	test_assert(got != NULL);
	fd = test_memfd(SIZE);
	file = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	test_assert(file != MAP_FAILED);
	for (size_t i = 0; i < SIZE; i += 3 * 4096)
		anon[i + 100] = (unsigned char)(i >> 12 | 1);
	for (size_t i = 0; i < SIZE; i++)
		file[i] = stream_byte(i);
	for (int round = 0; round < 2; round++) {
		const unsigned char *src = round == 0 ? anon : file;

		test_pipe(p);
		pid = test_fork();
		if (pid == 0) {
			close(p[0]);
			test_sleep_ns(20000000); /* the parent sleeps in read */
			_exit(write(p[1], src, SIZE) == SIZE ? 0 : 1);
		}
		close(p[1]);
		test_expect_eq(test_read_full(p[0], got, SIZE), SIZE,
		    "bytes read");
		test_expect_exit(pid, 0, "writer child");
		close(p[0]);
		for (size_t i = 0; i < SIZE; i++) {
			unsigned char want = src[i];

			if (round == 0)
				want = i % (3 * 4096) == 100 ?
				    (unsigned char)((i - 100) >> 12 | 1) :
				    0;
			test_assert_msg(got[i] == want,
			    "round %d: byte %zu is 0x%02x, expected 0x%02x",
			    round, i, got[i], want);
		}
	}
	munmap(file, SIZE);
	close(fd);
	munmap(anon, SIZE);
	free(got);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * A big write whose reader takes a little and then stops reading is cut
 * short by a signal (no SA_RESTART): it returns the bytes that went in,
 * and exactly those come out, followed by the next write's.
 */
static void
t_pipe_write_interrupted(void)
{
	enum {
		SIZE = 1024 * 1024,
		FIRST = 5000
	};
	unsigned char *buf = malloc(SIZE);
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	int p[2], go[2];
	long r;
	pid_t pid;

	test_assert(buf != NULL);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = stream_byte(i);
	test_pipe(p);
	test_pipe(go);
	pid = test_fork();
	if (pid == 0) {
		static unsigned char in[FIRST];

		close(p[1]);
		close(go[1]);
		/* Asleep in read when the write comes; then reading no more. */
		if (test_read_full(p[0], in, FIRST) != FIRST)
			_exit(1);
		for (size_t i = 0; i < FIRST; i++)
			if (in[i] != stream_byte(i))
				_exit(2);
		test_recv(go[0]);
		_exit(read_stream(p[0], 16384, SIZE, 5, FIRST) == SIZE ? 0 : 3);
	}
	close(p[0]);
	close(go[0]);
	test_expect_ok(sigaction(SIGALRM, &sa, &old), "sigaction");
	test_sleep_ns(20000000);
	test_expect_ok(setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	r = write(p[1], buf, SIZE);
	test_assert_msg(r >= FIRST && r < SIZE,
	    "the interrupted write returned %ld (errno %d)", r, errno);
	test_send(go[1]);
	test_expect_eq(write(p[1], buf + r, SIZE - (size_t)r), SIZE - r,
	    "the rest of the stream");
	close(p[1]);
	test_expect_exit(pid, 0,
	    "reader child (1, 2: first read; 3: the stream after it)");
	test_expect_ok(sigaction(SIGALRM, &old, NULL), "sigaction");
	close(go[1]);
	free(buf);
}

/*
 * A big write whose reader takes a little and closes the read end
 * returns what went in (SIGPIPE ignored); the next write is EPIPE.
 */
static void
t_pipe_write_reader_leaves(void)
{
	enum {
		SIZE = 1024 * 1024,
		FIRST = 5000
	};
	unsigned char *buf = malloc(SIZE);
	int p[2];
	long r;
	pid_t pid;

	test_assert(buf != NULL);
	memset(buf, 'x', SIZE);
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		static unsigned char in[FIRST];

		close(p[1]);
		if (test_read_full(p[0], in, FIRST) != FIRST)
			_exit(1);
		test_sleep_ns(50000000);
		_exit(0);
	}
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	test_sleep_ns(20000000); /* the reader sleeps in read */
	r = write(p[1], buf, SIZE);
	test_assert_msg(r >= FIRST && r < SIZE,
	    "the write cut short returned %ld (errno %d)", r, errno);
	test_expect_errno(write(p[1], buf, SIZE), EPIPE, "the next write");
	signal(SIGPIPE, SIG_DFL);
	test_expect_exit(pid, 0, "reader child");
	close(p[1]);
	free(buf);
}

struct unmapper {
	int fd;
	unsigned char *buf; /* the writer's buffer */
	size_t size, keep;
	long got; /* the bytes read, or read_stream's error */
};

/* Read a page, unmap the writer's buffer past keep, read to the end. */
static void *
unmapper_main(void *arg)
{
	struct unmapper *u = arg;
	unsigned char page[4096];

	if (test_read_full(u->fd, page, sizeof(page)) != sizeof(page) ||
	    memcmp(page, u->buf, sizeof(page)) != 0) {
		u->got = -3;
		return NULL;
	}
	if (munmap(u->buf + u->keep, u->size - u->keep) != 0) {
		u->got = -4;
		return NULL;
	}
	u->got = read_stream(u->fd, 4096, u->size, 0, sizeof(page));
	return NULL;
}

/*
 * A thread unmaps the end of a buffer its process is writing to a pipe
 * it reads: the write stops where the mapping ends, returning what went
 * in, and exactly those bytes come out.
 */
static void
t_pipe_write_buffer_unmapped(void)
{
	enum {
		SIZE = 64 * 4096,
		KEEP = 32 * 4096
	};
	struct unmapper u = { .size = SIZE, .keep = KEEP };
	pthread_t t;
	int p[2];
	long r;

	u.buf = test_map(SIZE);
	for (size_t i = 0; i < SIZE; i++)
		u.buf[i] = stream_byte(i);
	test_pipe(p);
	u.fd = p[0];
	test_assert(pthread_create(&t, NULL, unmapper_main, &u) == 0);
	test_sleep_ns(20000000); /* the thread sleeps in read */
	r = write(p[1], u.buf, SIZE);
	close(p[1]);
	test_assert(pthread_join(t, NULL) == 0);
	test_assert_msg(r >= 4096 && r <= KEEP,
	    "the write returned %ld (errno %d): the buffer ends at %d", r,
	    errno, KEEP);
	test_expect_eq(u.got, r, "bytes read (-1: a bad byte)");
	munmap(u.buf, KEEP);
	close(p[0]);
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
	{ "pipe_write_to_sleeping_reader", t_pipe_write_to_sleeping_reader,
	    NULL },
	{ "pipe_write_untouched_pages", t_pipe_write_untouched_pages, NULL },
	{ "pipe_write_interrupted", t_pipe_write_interrupted, NULL },
	{ "pipe_write_reader_leaves", t_pipe_write_reader_leaves, NULL },
	{ "pipe_write_buffer_unmapped", t_pipe_write_buffer_unmapped, NULL },
	{ NULL, NULL, NULL },
};
