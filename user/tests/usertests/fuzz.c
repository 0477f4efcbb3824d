/*
 * fuzz.c: random system calls.  ABI.md section 2: "No user input may
 * crash, hang or corrupt the kernel."
 *
 * The fuzzer runs FUZZ_CHILDREN child processes, each making FUZZ_CALLS
 * calls chosen with a xorshift generator from the seed (-s), so a run
 * repeats exactly.  Each call is one of the section 3 calls or a native
 * call, with "interesting" arguments: 0, -1, small and huge numbers,
 * INT_MIN/MAX, pointers into memory the fuzzer owns (aligned or not, up
 * to the edge of an unmapped page), NULL, kernel and non-canonical
 * addresses, good and bogus descriptors; or a number that names no call,
 * which must give ENOSYS.  The vmspace calls are left to their own tests.
 *
 * The fuzzer must neither kill nor block itself, so it leaves out
 * exit, exit_group and lwp_exit, never reads fd 0 (it closes it) or the
 * console, writes to a pipe it holds only as much as it then reads back,
 * waits only with WNOHANG (and for children that exit at once), kills
 * only itself and others with signal 0 or pids that do not exist, and
 * maps, unmaps and protects only inside its scratch region.  Everything
 * the kernel interprets (iovecs, timespecs, sigactions, lwp_params, argv)
 * is built by the fuzzer; the kernel writes only into the scratch region
 * or to bad addresses.  On Linux it also avoids flags that would change
 * the host (O_CREAT, O_TRUNC, write access).
 *
 * On our kernel every error must be one ABI.md lists, and an implemented
 * call must never answer ENOSYS.  A child killed by a signal is reported
 * with the seed and the index of the call it was making.
 */

#include "ut.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUZZ_CHILDREN	4
#define FUZZ_CALLS	6000		/* per child */
#define SCRATCH_PAGES	32
#define P		TEST_PAGE
#define SINK_MAX	512		/* most bytes written to the sink */

struct fuzz {
	uint64_t rng;
	unsigned char *scratch;		/* SCRATCH_PAGES pages, then a hole */
	unsigned long brk_base;		/* brk never goes below this */
	int file_fd, dir_fd;		/* held open */
	int sink[2];			/* a pipe: written, then drained */
	pid_t pid;
	long index;			/* the call being made */
	const char *name;		/* its name */
};

/* Progress for the parent, in shared memory if the kernel gives it. */
static volatile long *progress;

static uint64_t
rnd(struct fuzz *f)
{
	return test_rand(&f->rng);
}

/* A random number below n. */
static uint64_t
below(struct fuzz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* ---------------------------------------------------------------------
 * Arguments.
 */

static const uint64_t interesting[] = {
	0, 1, 2, 3, 7, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65536,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, (uint64_t)-1,
	(uint64_t)-2, (uint64_t)-4096, (uint64_t)INT_MIN,
};

/* An interesting number, or a random one. */
static uint64_t
arg_num(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0: return rnd(f);
	case 1: return below(f, 100);
	default:
		return interesting[below(f, sizeof(interesting) /
		    sizeof(interesting[0]))];
	}
}

/* A length: small, page-ish, or huge. */
static uint64_t
arg_len(struct fuzz *f)
{
	switch (below(f, 5)) {
	case 0: return below(f, 64);
	case 1: return below(f, 2 * P);
	case 2: return below(f, SCRATCH_PAGES * P + 64);
	case 3: return arg_num(f);
	default: return 1 << below(f, 24);
	}
}

/* A bad address: NULL, kernel, non-canonical, unmapped. */
static unsigned long
bad_ptr(struct fuzz *f)
{
	static const unsigned long bad[] = {
		0, 1, 8, 0xfff, VM_MIN_USER_ADDRESS, TEST_KERNEL_TEXT, TEST_DIRECT_MAP,
		TEST_NONCANON_LO, TEST_NONCANON_HI, VM_MAX_USER_ADDRESS, VM_MAX_USER_ADDRESS - 1,
		(unsigned long)-1, (unsigned long)-4096,
	};

	return bad[below(f, sizeof(bad) / sizeof(bad[0]))];
}

/*
 * A pointer the kernel may write through: into the scratch region
 * (aligned or not, maybe right before its unmapped end) or bad.
 */
static unsigned long
arg_ptr(struct fuzz *f)
{
	unsigned long base = (unsigned long)f->scratch;
	unsigned long end = base + SCRATCH_PAGES * P;

	switch (below(f, 6)) {
	case 0: return base + below(f, SCRATCH_PAGES) * P;
	case 1: return base + below(f, SCRATCH_PAGES * P);
	case 2: return end - 1 - below(f, 64);
	case 3: return end;
	case 4: return base;
	default: return bad_ptr(f);
	}
}

/* A descriptor number that is open (held) or bogus; never 0, 1, 2. */
static long
arg_fd(struct fuzz *f)
{
	const long bogus[] = { -1, -100, 100, 1000, 1 << 20, INT_MAX, INT_MIN,
	    0, 63, 64 };

	switch (below(f, 6)) {
	case 0: return f->file_fd;
	case 1: return f->dir_fd;
	case 2: return f->sink[0];
	case 3: return f->sink[1];
	default: return bogus[below(f, sizeof(bogus) / sizeof(bogus[0]))];
	}
}

static int
held_fd(struct fuzz *f, long fd)
{
	return fd <= 2 || fd == f->file_fd || fd == f->dir_fd ||
	    fd == f->sink[0] || fd == f->sink[1];
}

/* Read back what a write put into the sink pipe. */
static void
drain(struct fuzz *f, long n)
{
	static char buf[SINK_MAX * 4];

	while (n > 0) {
		long r = test_raw3(SYS_read, f->sink[0], (long)buf,
		    n < (long)sizeof(buf) ? n : (long)sizeof(buf));
		if (r <= 0)
			break;
		n -= r;
	}
}

/* A (start, length) range inside the scratch region, or a bad start. */
static void
scratch_range(struct fuzz *f, unsigned long *addr, unsigned long *len)
{
	unsigned long first = below(f, SCRATCH_PAGES);

	if (below(f, 8) == 0) {
		*addr = bad_ptr(f);
		if (*addr < VM_MAX_USER_ADDRESS) {	/* NULL, page 0, 0x1000: small */
			*addr = below(f, 2) ? 0 : 1;
			*len = below(f, P);
			return;
		}
		*len = arg_len(f);
		return;
	}
	*addr = (unsigned long)f->scratch + first * P +
	    (below(f, 8) == 0 ? below(f, P) : 0);
	*len = below(f, (SCRATCH_PAGES - first) * P + 1);
	if (*addr + *len > (unsigned long)f->scratch + SCRATCH_PAGES * P)
		*len = (unsigned long)f->scratch + SCRATCH_PAGES * P - *addr;
}

/* ---------------------------------------------------------------------
 * The calls.  Each makes one call and returns its raw result.
 */

typedef long (*fuzz_fn)(struct fuzz *f);

static long
f_read(struct fuzz *f)
{
	long fd = arg_fd(f);

	if (fd == f->sink[0])
		fd = f->sink[1];	/* reading the empty sink would block */
	if (below(f, 16) == 0)
		test_raw3(SYS_lseek, f->file_fd, 0, SEEK_SET);
	return test_raw3(SYS_read, fd, arg_ptr(f), arg_len(f));
}

static long
f_write(struct fuzz *f)
{
	long fd = arg_fd(f), r;
	unsigned long len = fd == f->sink[1] ? below(f, SINK_MAX + 1) :
	    arg_len(f);

	r = test_raw3(SYS_write, fd, arg_ptr(f), len);
	if (fd == f->sink[1] && r > 0)
		drain(f, r);
	return r;
}

static long
f_open(struct fuzz *f)
{
	static char longpath[5000];
	static const char *const paths[] = {
		"/", "/bin", "/bin/", "/bin/sh", "/bin/init", "/README",
		"/nonexistent", "", "//bin//sh", "/./bin/../bin/sh", "bin",
		"/tests", "/tests/usertests/x", "/README/x",
	};
	static const int flagbits[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
		O_NONBLOCK, O_DIRECTORY, O_CLOEXEC, O_LARGEFILE, O_NOCTTY,
		O_NOFOLLOW, O_PATH, 0x10000000,
	};
	unsigned long path;
	int flags = 0;
	long r;

	if (longpath[0] == '\0') {
		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[0] = '/';
	}
	switch (below(f, 5)) {
	case 0: path = (unsigned long)test_self; break;
	case 1: path = (unsigned long)longpath + below(f, 1000); break;
	case 2: path = arg_ptr(f); break;
	default:
		path = (unsigned long)paths[below(f, sizeof(paths) /
		    sizeof(paths[0]))];
	}
	for (int i = below(f, 4); i > 0; i--)
		flags |= flagbits[below(f, sizeof(flagbits) /
		    sizeof(flagbits[0]))];
	if (!test_native)		/* nothing that could change the host */
		flags &= ~(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE);
	r = test_raw3(SYS_open, (long)path, flags, 0644);
	if (r >= 0)
		test_raw1(SYS_close, r);
	return r;
}

static long
f_close(struct fuzz *f)
{
	long fd = arg_fd(f);

	if (held_fd(f, fd))
		fd = 200 + below(f, 100);	/* closed numbers only */
	return test_raw1(SYS_close, fd);
}

static long
f_fstat(struct fuzz *f)
{
	long fd = below(f, 4) == 0 ? (long)below(f, 3) : arg_fd(f);

	return test_raw3(SYS_fstat, fd, arg_ptr(f), 0);
}

static long
f_lseek(struct fuzz *f)
{
	return test_raw3(SYS_lseek, arg_fd(f), arg_num(f),
	    below(f, 2) ? (long)below(f, 6) : (long)arg_num(f));
}

static long
f_mmap(struct fuzz *f)
{
	static const int flagbits[] = {
		MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS, MAP_ANONYMOUS,
		MAP_PRIVATE, MAP_NORESERVE, MAP_POPULATE, 0x40000000,
	};
	unsigned long addr, len;
	int flags = 0, fixed = below(f, 3) == 0;
	long fd = below(f, 2) ? -1 : arg_fd(f), r;

	for (int i = 1 + below(f, 4); i > 0; i--)
		flags |= flagbits[below(f, sizeof(flagbits) /
		    sizeof(flagbits[0]))];
	if (fixed) {
		scratch_range(f, &addr, &len);
		flags |= MAP_FIXED;
		/* Linux lets root map page 0: then NULL would not be bad. */
		if (!test_native && addr < VM_MIN_USER_ADDRESS)
			addr = TEST_DIRECT_MAP;
	} else {
		addr = below(f, 2) ? 0 : arg_num(f);
		len = below(f, 4) ? below(f, 1 << 20) : arg_num(f);
	}
	if (len > (1 << 20))
		flags &= ~MAP_POPULATE;	/* Linux would fill it all */
	r = test_raw6(SYS_mmap, addr, len, below(f, 8) ? (long)below(f, 8) :
	    (long)arg_num(f), flags, fd, below(f, 4) ? 0 : (long)arg_num(f));
	if (!fixed && (r < -4095 || r >= 0))
		test_raw3(SYS_munmap, r, len, 0);
	return r;
}

static long
f_mprotect(struct fuzz *f)
{
	unsigned long addr, len;

	scratch_range(f, &addr, &len);
	return test_raw3(SYS_mprotect, addr, len,
	    below(f, 4) ? (long)below(f, 8) : (long)arg_num(f));
}

static long
f_munmap(struct fuzz *f)
{
	unsigned long addr, len;

	scratch_range(f, &addr, &len);
	return test_raw3(SYS_munmap, addr, len, 0);
}

static long
f_madvise(struct fuzz *f)
{
	static const long advice[] = { 0, 1, 2, 3, 4, 8, 5, 6, 7, -1, 1000 };
	unsigned long addr, len;

	scratch_range(f, &addr, &len);
	return test_raw3(SYS_madvise, addr, len,
	    advice[below(f, sizeof(advice) / sizeof(advice[0]))]);
}

static long
f_brk(struct fuzz *f)
{
	unsigned long v;

	switch (below(f, 4)) {
	case 0: v = 0; break;
	case 1: v = bad_ptr(f); break;
	default: v = f->brk_base + below(f, 1 << 20); break;
	}
	if (v >= VM_MIN_USER_ADDRESS && v < f->brk_base)
		v = 0;			/* never below the fuzzer's own heap */
	return test_raw1(SYS_brk, v);
}

static long
f_rt_sigaction(struct fuzz *f)
{
	static struct { unsigned long h, fl, re, mask; } acts[2] = {
		{ (unsigned long)SIG_DFL, 0, 0, 0 },
		{ (unsigned long)SIG_IGN, 0, 0, 0 },
	};
	unsigned long act = below(f, 3) ? (unsigned long)&acts[below(f, 2)] :
	    (below(f, 2) ? 0 : bad_ptr(f));
	long sig = below(f, 4) ? (long)below(f, 70) : (long)arg_num(f);

	return test_raw6(SYS_rt_sigaction, sig, act,
	    below(f, 2) ? 0 : arg_ptr(f), below(f, 4) ? 8 : arg_num(f), 0, 0);
}

static long
f_rt_sigprocmask(struct fuzz *f)
{
	static uint64_t set;

	set = rnd(f);
	return test_raw6(SYS_rt_sigprocmask, below(f, 4) ? (long)below(f, 3) :
	    (long)arg_num(f), below(f, 3) ? (long)&set : (long)arg_ptr(f),
	    below(f, 2) ? 0 : arg_ptr(f), below(f, 4) ? 8 : arg_num(f), 0, 0);
}

static long
f_ioctl(struct fuzz *f)
{
	static const unsigned long reqs[] = {
		0x5413, 0x5401, 0x541b, 0, 1, 0x1234, 0xdeadbeef,
		0xffffffffffffffffUL,
	};
	long fd = arg_fd(f);

	/* On Linux, random requests only on the pipe and bogus fds. */
	if (!test_native && (fd == f->file_fd || fd == f->dir_fd))
		fd = f->sink[0];
	if (test_native && below(f, 8) == 0)
		fd = 1 + below(f, 2);	/* the console */
	return test_raw3(SYS_ioctl, fd,
	    reqs[below(f, sizeof(reqs) / sizeof(reqs[0]))], arg_ptr(f));
}

/* iovecs the kernel reads; only the first few carry data. */
static struct iovec iovs[1100];

static long
f_readv_writev(struct fuzz *f, int write)
{
	static const long counts[] = { 0, 1, 2, 3, 8, -1, 1024, 1025, INT_MAX };
	long fd = arg_fd(f), n = counts[below(f, sizeof(counts) /
	    sizeof(counts[0]))], r;
	int sink = write && fd == f->sink[1];
	unsigned long iov = below(f, 5) ? (unsigned long)iovs : bad_ptr(f);

	if (!write && fd == f->sink[0])
		fd = f->sink[1];
	for (int i = 0; i < 8; i++) {
		iovs[i].iov_base = (void *)arg_ptr(f);
		iovs[i].iov_len = sink ? below(f, SINK_MAX / 8 + 1) :
		    arg_len(f);
	}
	r = test_raw3(write ? SYS_writev : SYS_readv, fd, iov, n);
	if (sink && r > 0)
		drain(f, r);
	return r;
}

static long
f_readv(struct fuzz *f)
{
	return f_readv_writev(f, 0);
}

static long
f_writev(struct fuzz *f)
{
	return f_readv_writev(f, 1);
}

/* Close the two descriptors a successful pipe stored at `p`. */
static void
close_pair(unsigned long p)
{
	int fds[2];

	memcpy(fds, (void *)p, sizeof(fds));
	test_raw1(SYS_close, fds[0]);
	test_raw1(SYS_close, fds[1]);
}

static long
f_pipe(struct fuzz *f)
{
	unsigned long p = arg_ptr(f);
	long r = test_raw1(SYS_pipe, p);

	if (r == 0)
		close_pair(p);
	return r;
}

static long
f_pipe2(struct fuzz *f)
{
	unsigned long p = arg_ptr(f);
	long r = test_raw3(SYS_pipe2, p, below(f, 2) ? (long)(below(f, 2) *
	    O_CLOEXEC) : (long)arg_num(f), 0);

	if (r == 0)
		close_pair(p);
	return r;
}

static long
f_sched_yield(struct fuzz *f)
{
	(void)f;
	return test_raw0(SYS_sched_yield);
}

static long
f_dup(struct fuzz *f)
{
	long r = test_raw1(SYS_dup, below(f, 4) ? arg_fd(f) : (long)below(f, 3));

	if (r >= 0)
		test_raw1(SYS_close, r);
	return r;
}

static long
f_dup2(struct fuzz *f)
{
	const long targets[] = { -1, INT_MAX, 1 << 20, 100, 200, 1000 };
	long old = arg_fd(f), new, r;

	new = below(f, 2) ? 10 + (long)below(f, 50) :
	    targets[below(f, sizeof(targets) / sizeof(targets[0]))];
	if (held_fd(f, new))
		new = 150;
	r = test_raw3(SYS_dup2, old, new, 0);
	if (r >= 0 && r != old)
		test_raw1(SYS_close, r);
	return r;
}

static long
f_nanosleep(struct fuzz *f)
{
	static const long nsecs[] = { 0, 1, 1000, 100000, -1, 1000000000,
	    LONG_MAX, LONG_MIN };
	static struct timespec ts;

	ts.tv_sec = below(f, 8) ? 0 : -1 - (long)below(f, 3);
	ts.tv_nsec = nsecs[below(f, sizeof(nsecs) / sizeof(nsecs[0]))];
	return test_raw3(SYS_nanosleep, below(f, 4) ? (long)&ts :
	    (long)bad_ptr(f), below(f, 2) ? 0 : arg_ptr(f), 0);
}

static long
f_getpid(struct fuzz *f)
{
	long r = test_raw0(below(f, 2) ? SYS_getpid : SYS_getppid);

	if (r == f->pid)
		return 0;
	return r > 0 ? 0 : r;
}

/* fork or rfork; the child ends at once, the parent collects it. */
static long
f_fork(struct fuzz *f)
{
	static const long flags[] = { 0, RFFDG, RFCFDG,
	    RFFDG | RFCFDG, 1, 16, 0x10000 };
	long r;

	if (below(f, 2))
		r = test_raw0(SYS_fork);
	else
		r = test_raw1(SYS_rfork, flags[below(f, sizeof(flags) /
		    sizeof(flags[0]))]);
	if (r == 0)
		test_raw_exit(0);
	if (r > 0)
		test_raw6(SYS_wait4, r, 0, 0, 0, 0, 0);
	return r > 0 ? 0 : r;
}

static long
f_execve(struct fuzz *f)
{
	static const char *const paths[] = { "/nonexistent", "/", "/bin",
	    "/README", "/README/x", "" };
	static char *argv[] = { "x", NULL };
	unsigned long path = below(f, 4) ? (unsigned long)paths[below(f,
	    sizeof(paths) / sizeof(paths[0]))] : bad_ptr(f);

	return test_raw3(SYS_execve, path, below(f, 3) ? (long)argv :
	    (long)bad_ptr(f), below(f, 3) ? (long)(argv + 1) :
	    (long)bad_ptr(f));
}

static long
f_wait4(struct fuzz *f)
{
	const long pids[] = { -1, 0, 1, -2, 1 << 30, INT_MAX, INT_MIN };

	return test_raw6(SYS_wait4, pids[below(f, sizeof(pids) /
	    sizeof(pids[0]))], below(f, 2) ? 0 : arg_ptr(f),
	    WNOHANG | (below(f, 2) ? 0 : (long)arg_num(f)),
	    below(f, 2) ? 0 : arg_ptr(f), 0, 0);
}

static long
f_kill(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0: return test_raw3(SYS_kill, f->pid, 0, 0);
	case 1: return test_raw3(SYS_kill, below(f, 2) ? 1 : -1, 0, 0);
	default:
		return test_raw3(SYS_kill, 1000000000 + (long)below(f, 1000000),
		    below(f, 2) ? (long)below(f, 70) : (long)arg_num(f), 0);
	}
}

static long
f_uname(struct fuzz *f)
{
	return test_raw1(SYS_uname, arg_ptr(f));
}

static long
f_ftruncate(struct fuzz *f)
{
	return test_raw3(SYS_ftruncate, arg_fd(f), arg_num(f), 0);
}

static long
f_arch_prctl(struct fuzz *f)
{
	static const long codes[] = { 0x1003, 0x1003, 0x1004, 0, -1, 0x1234,
	    0x3001 };
	unsigned long old = 0;
	long r;

	if (below(f, 3) != 0)
		return test_raw3(SYS_arch_prctl, codes[below(f, sizeof(codes) /
		    sizeof(codes[0]))], arg_ptr(f), 0);
	/* ARCH_SET_FS: to a bad base, or to the current one. */
	if (test_raw3(SYS_arch_prctl, 0x1003, (long)&old, 0) != 0)
		return -EINVAL;
	r = test_raw3(SYS_arch_prctl, 0x1002, below(f, 2) ? (long)old :
	    (long)bad_ptr(f) | 0x800000000000L, 0);
	test_raw3(SYS_arch_prctl, 0x1002, (long)old, 0);
	return r;
}

static long
f_gettid(struct fuzz *f)
{
	return test_raw0(below(f, 2) ? SYS_gettid : SYS_lwp_gettid) > 0 ?
	    0 : -EINVAL;
}

static long
f_getdents64(struct fuzz *f)
{
	long fd = below(f, 2) ? f->dir_fd : arg_fd(f);

	if (below(f, 8) == 0)
		test_raw3(SYS_lseek, f->dir_fd, 0, SEEK_SET);
	return test_raw3(SYS_getdents64, fd, arg_ptr(f), arg_len(f));
}

static long
f_set_tid_address(struct fuzz *f)
{
	long r = test_raw1(SYS_set_tid_address, arg_ptr(f));

	return r > 0 ? 0 : r;
}

static long
f_clock_gettime(struct fuzz *f)
{
	return test_raw3(SYS_clock_gettime, below(f, 2) ? (long)below(f, 3) :
	    (long)arg_num(f), arg_ptr(f), 0);
}

static long
f_memfd_create(struct fuzz *f)
{
	long r = test_raw3(SYS_memfd_create, below(f, 2) ? (long)"fuzz" :
	    (long)arg_ptr(f), below(f, 2) ? 0 : (long)arg_num(f), 0);

	if (r >= 0)
		test_raw1(SYS_close, r);
	return r;
}

/* An LWP that only ends itself. */
static void
fuzz_lwp_body(void *arg)
{
	(void)arg;
	test_raw_lwp_exit();
}

static long
f_lwp_create(struct fuzz *f)
{
	static char stack[8192] __attribute__((aligned(16)));
	static int tid1, tid2;
	static struct lwp_params p;
	long r;

	p.lwp_func = fuzz_lwp_body;
	p.lwp_arg = (void *)arg_num(f);
	p.lwp_stack = stack + sizeof(stack) - 8;
	p.lwp_tid1 = below(f, 2) ? &tid1 : (below(f, 2) ? NULL :
	    (int *)bad_ptr(f));
	p.lwp_tid2 = &tid2;
	tid2 = -1;
	r = test_raw1(SYS_lwp_create, below(f, 6) ? (long)&p : (long)bad_ptr(f));
	if (r == 0)
		test_raw1(SYS_lwp_wait, tid2);
	return r;
}

static long
f_lwp_wait(struct fuzz *f)
{
	const long lids[] = { 0, -1, 1 << 20, INT_MAX, INT_MIN };
	long me = test_raw0(SYS_lwp_gettid);

	return test_raw1(SYS_lwp_wait, below(f, 3) ? lids[below(f,
	    sizeof(lids) / sizeof(lids[0]))] : me);
}

static long
f_kstat(struct fuzz *f)
{
	long r = test_raw3(SYS_kstat, arg_ptr(f), arg_len(f), 0);

	return r > 0 ? 0 : r;
}

/* A number that names no call: ENOSYS whatever the arguments. */
static long
f_unknown(struct fuzz *f)
{
	static const long nrs[] = { 380, 423, 600, 999, 4095, 65536,
	    0x7fffffff, -1, -1000 };
	long nr = below(f, 2) ? nrs[below(f, sizeof(nrs) / sizeof(nrs[0]))] :
	    100000 + (long)below(f, 900000);
	long r = test_raw6(nr, arg_num(f), arg_num(f), arg_num(f), arg_num(f),
	    arg_num(f), arg_num(f));

	return r == -ENOSYS ? 0 : (r == 0 ? -1000 : r);
}

/* The calls, with how often each is picked. */
static const struct fuzz_call {
	const char *name;
	fuzz_fn fn;
	int weight;
	int unimpl;		/* allowed to be ENOSYS (not implemented yet) */
} calls[] = {
	{ "read", f_read, 4, 0 }, { "write", f_write, 4, 0 },
	{ "open", f_open, 4, 0 }, { "close", f_close, 2, 0 },
	{ "fstat", f_fstat, 3, 0 }, { "lseek", f_lseek, 3, 0 },
	{ "mmap", f_mmap, 4, 0 }, { "mprotect", f_mprotect, 3, 0 },
	{ "munmap", f_munmap, 3, 0 }, { "brk", f_brk, 2, 0 },
	{ "rt_sigaction", f_rt_sigaction, 2, 0 },
	{ "rt_sigprocmask", f_rt_sigprocmask, 2, 0 },
	{ "ioctl", f_ioctl, 2, 0 }, { "readv", f_readv, 3, 0 },
	{ "writev", f_writev, 3, 0 }, { "pipe", f_pipe, 2, 0 },
	{ "sched_yield", f_sched_yield, 1, 0 }, { "madvise", f_madvise, 2, 0 },
	{ "dup", f_dup, 2, 0 }, { "dup2", f_dup2, 2, 0 },
	{ "nanosleep", f_nanosleep, 1, 0 }, { "getpid", f_getpid, 1, 0 },
	{ "fork", f_fork, 1, 0 }, { "execve", f_execve, 2, 0 },
	{ "wait4", f_wait4, 2, 0 }, { "kill", f_kill, 2, 0 },
	{ "uname", f_uname, 1, 0 }, { "ftruncate", f_ftruncate, 1, 1 },
	{ "arch_prctl", f_arch_prctl, 2, 0 }, { "gettid", f_gettid, 1, 0 },
	{ "getdents64", f_getdents64, 3, 0 },
	{ "set_tid_address", f_set_tid_address, 1, 0 },
	{ "clock_gettime", f_clock_gettime, 2, 0 },
	{ "pipe2", f_pipe2, 2, 0 }, { "memfd_create", f_memfd_create, 1, 1 },
	{ "lwp_create", f_lwp_create, 1, 0 }, { "lwp_wait", f_lwp_wait, 1, 0 },
	{ "kstat", f_kstat, 1, 0 }, { "unknown", f_unknown, 3, 0 },
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* The errno values ABI.md names (and EROFS, from the open row). */
static int
abi_errno(long e)
{
	static const int ok[] = { EPERM, ENOENT, ESRCH, EINTR, E2BIG, ENOEXEC,
	    EBADF, ECHILD, EAGAIN, ENOMEM, EFAULT, EBUSY, EEXIST, ENOTDIR,
	    EISDIR, EINVAL, EMFILE, ENOTTY, ESPIPE, EROFS, EPIPE, EDEADLK,
	    ENAMETOOLONG, ENOSYS, EOPNOTSUPP };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (e == ok[i])
			return 1;
	return 0;
}

static const struct fuzz_call *
pick(struct fuzz *f)
{
	static int total;
	int w;

	if (total == 0)
		for (size_t i = 0; i < NCALLS; i++)
			total += calls[i].weight;
	w = (int)below(f, total);
	for (size_t i = 0; i < NCALLS; i++) {
		if (w < calls[i].weight)
			return &calls[i];
		w -= calls[i].weight;
	}
	return &calls[0];
}

/* Map the scratch region afresh: read-write, zeroed, unmapped end. */
static void
reset_scratch(struct fuzz *f)
{
	long r = test_raw6(SYS_mmap, (long)f->scratch, SCRATCH_PAGES * P,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	    -1, 0);

	if (r != (long)f->scratch) {
		test_note("fuzz: cannot map the scratch region again: %ld", r);
		test_raw_exit(3);
	}
}

/* One fuzzing child: `calls` calls from `seed`; exits 0, or 1 on error. */
static _Noreturn void
fuzz_child(int child, uint64_t seed, long ncalls)
{
	struct fuzz f = { .rng = seed ? seed : 1 };
	const struct fuzz_call *c;
	long r;

	f.pid = getpid();
	f.scratch = test_map((SCRATCH_PAGES + 1) * P);
	munmap(f.scratch + SCRATCH_PAGES * P, P);
	f.file_fd = open(test_self, O_RDONLY);
	f.dir_fd = open("/", O_RDONLY | O_DIRECTORY);
	test_pipe(f.sink);
	test_assert(f.file_fd > 2 && f.dir_fd > 2);
	close(0);			/* nothing may read the console */
	for (size_t i = 0; i < sizeof(iovs) / sizeof(iovs[0]); i++) {
		iovs[i].iov_base = f.scratch;
		iovs[i].iov_len = 0;
	}
	f.brk_base = test_raw1(SYS_brk, 0);

	for (f.index = 0; f.index < ncalls; f.index++) {
		c = pick(&f);
		if (progress) {
			progress[2 * child] = f.index;
			progress[2 * child + 1] = c - calls;
		}
		if (f.index % 1000 == 0)
			test_note("fuzz child %d (seed %llu): call %ld", child,
			    (unsigned long long)seed, f.index);
		if (f.index % 500 == 0)
			reset_scratch(&f);
		f.name = c->name;
		r = c->fn(&f);
		if (test_raw0(SYS_getpid) != f.pid) {
			test_note("fuzz child %d: getpid changed after call %ld "
			    "(%s)", child, f.index, c->name);
			test_raw_exit(1);
		}
		if (c->fn == f_unknown && r != 0) {
			test_note("fuzz child %d: call %ld: an unknown system call "
			    "returned %ld, expected -ENOSYS", child, f.index, r);
			test_raw_exit(1);
		}
		if (!test_native || r >= 0 || r < -4095)
			continue;
		if (!abi_errno(-r) || (r == -ENOSYS && !c->unimpl)) {
			test_note("fuzz child %d: call %ld (%s) returned %ld (%s), "
			    "not an answer ABI.md allows", child, f.index,
			    c->name, r, test_errname((int)-r));
			test_raw_exit(1);
		}
	}
	test_raw_exit(0);
}

/* The seed of fuzzing child `child`: test_seed and the child mixed. */
static uint64_t
child_seed(int child)
{
	uint64_t z = test_seed + (child + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Wait for fuzzing child `pid`, at most `secs` seconds; a child still
 * running then is killed.  Returns its wait status; sets *hung.
 */
static int
wait_fuzz_child(pid_t pid, unsigned secs, int *hung)
{
	uint64_t end = test_now_ns() + secs * 1000000000ULL;
	int status = 0;

	*hung = 0;
	while (wait4(pid, &status, WNOHANG, NULL) == 0) {
		if (test_now_ns() > end) {
			*hung = 1;
			kill(pid, SIGKILL);
			test_wait(pid);
			return 0;
		}
		test_sleep_ns(5000000);
	}
	return status;
}

/*
 * Run the fuzzing children one after another; each must exit 0 within
 * 30 s.  Then the kernel must still answer.
 */
static void
t_fuzz(void)
{
	long *shared = mmap(NULL, P, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char how[80];
	int hung;

	if (shared != MAP_FAILED)
		progress = shared;
	for (int child = 0; child < FUZZ_CHILDREN; child++) {
		uint64_t seed = child_seed(child);
		pid_t pid = test_fork();
		int status;

		if (pid == 0)
			fuzz_child(child, seed, FUZZ_CALLS);
		status = wait_fuzz_child(pid, 30, &hung);
		if (status == 0 && !hung)
			continue;
		if (hung)
			snprintf(how, sizeof(how), "hung for 30 s");
		else
			test_status_str(status, how, sizeof(how));
		if (progress)
			test_fail("fuzz child %d (seed %llu) %s during call %ld "
			    "(%s)", child, (unsigned long long)seed, how,
			    progress[2 * child],
			    calls[progress[2 * child + 1] % NCALLS].name);
		test_fail("fuzz child %d (seed %llu) %s", child,
		    (unsigned long long)seed, how);
	}
	test_expect_eq(syscall(SYS_getpid), getpid(), "getpid after fuzzing");
	test_note("%d calls in %d children, seed %llu",
	    FUZZ_CHILDREN * FUZZ_CALLS, FUZZ_CHILDREN,
	    (unsigned long long)test_seed);
}

/* Numbers that name no call give ENOSYS, whatever the arguments. */
static void
t_syscall_unknown(void)
{
	static const long nrs[] = { 380, 423, 600, 999, 4095, 65536, 100000,
	    0x7fffffff, -1, -1000 };
	char what[48];

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		snprintf(what, sizeof(what), "system call %ld", nrs[i]);
		test_expect_raw_errno(test_raw6(nrs[i], 1, 2, 3, 4, 5, 6), ENOSYS,
		    what);
	}
}

/* rax is a 64-bit number: 2^32 + 39 is not getpid. */
static void
t_syscall_nr_64bit(void)
{
	test_expect_raw_errno(test_raw0((1L << 32) + SYS_getpid), ENOSYS,
	    "system call 2^32 + 39");
	test_expect_raw_errno(test_raw0(TEST_NONCANON_HI + SYS_getpid), ENOSYS,
	    "system call 2^63 + 39");
}

const struct test ut_fuzz_tests[] = {
	{ "syscall_unknown", t_syscall_unknown, NULL },
	{ "syscall_nr_64bit", t_syscall_nr_64bit,
	    "Linux uses only the low 32 bits of the number" },
	{ "fuzz", t_fuzz, NULL },
	{ NULL, NULL, NULL },
};
