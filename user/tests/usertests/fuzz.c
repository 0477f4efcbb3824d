/*
 * fuzz.c: random system calls.  ABI.md section 2: "No user input may
 * crash, hang or corrupt the kernel."
 *
 * The fuzzer runs FUZZ_CHILDREN child processes one after another,
 * sharing FUZZ_CALLS calls in all (-n changes the count; `make fuzz
 * SEED=N CALLS=N` runs it alone with no time limit), chosen with a
 * xorshift generator from the seed (-s), so a run repeats exactly.  Each
 * call is one of the section 3 calls or a native call, with
 * "interesting" arguments: 0, -1, small and huge numbers, INT_MIN/MAX,
 * pointers into memory the fuzzer owns (aligned or not, up to the edge of
 * an unmapped page, or into its odd pages: write-only anonymous and memfd
 * pages, private and shared, read-only and PROT_NONE ones), NULL, kernel
 * and non-canonical addresses, good and bogus descriptors; or a number
 * that names no call, which must give ENOSYS.  The vmspace calls are left
 * to their own tests.  The calls of Linux's ABI that ABI.md section 3
 * does not list (the *at file calls, locks, priorities, futexes, the
 * clock, the kernel log and more) are in fuzz_sys.c, each shaped to keep
 * to the rules below.
 *
 * Besides single calls it makes shapes that once froze or corrupted the
 * kernel (issue 15):
 *   huge         mmap of up to 2^46 bytes of PROT_NONE with MAP_POPULATE,
 *                then MADV_WILLNEED, DONTNEED, mprotect and munmap over
 *                all of it, parts, holes punched in it and a few
 *                read-write pages mapped inside it;
 *   segload      %fs and/or %gs loaded with a selector user code may
 *                load (null, user data, user code), then other calls,
 *                yields and sleeps with it (switches both ways); the
 *                selectors and the bases (0) must still be there;
 *   cow_shared   memory shared copy-on-write with a child (a whole page
 *                table of it at times) munmapped, mprotected and
 *                replaced by MAP_FIXED in pieces: each call does all it
 *                was asked or fails with ENOMEM (an mprotect or MAP_FIXED
 *                that fails may have done part, as on Linux), which the
 *                fuzzer checks page by page through write() from them,
 *                and the child's view never changes;
 *   cow_oom      the same while memory is exhausted (a populated mapping
 *                larger than memory), once every FUZZ_CALLS calls per
 *                64 MiB of memory, at a point the seed picks (our kernel
 *                only: on Linux it is cow_shared);
 *   split        mprotect of every other page of a mapping, each call
 *                making two more map entries; split_limit goes on until
 *                ENOMEM at the map-entry limit (65530, Linux's
 *                vm.max_map_count), once every FUZZ_CALLS calls; then
 *                everything must be unmappable at once.
 *
 * The fuzzer must neither kill nor block itself, so it leaves out
 * exit, exit_group and lwp_exit, never reads fd 0 (it closes it) or the
 * console, writes to a pipe it holds only as much as it then reads back,
 * reads a pipe only when the process at its other end is sure to write
 * or end (the cow shapes' child), waits only with WNOHANG (and for
 * children that exit at once), kills only itself and others with signal
 * 0 or pids that do not exist, and maps, unmaps and protects only inside
 * its scratch region and the mappings a shape makes and removes itself.
 * With memory exhausted it touches only pages it wrote after its last
 * fork (so no copy-on-write fault needs a page), and with %fs loaded it
 * makes raw calls only.  Everything the kernel interprets (iovecs,
 * timespecs, sigactions, lwp_params, argv) is built by the fuzzer; the
 * kernel writes only into the scratch region, the odd pages or to bad
 * addresses.  On Linux it also avoids flags that would change the host
 * (O_CREAT, O_TRUNC, write access), and it never exhausts memory.
 *
 * On our kernel every error must be one ABI.md lists, and an implemented
 * call must never answer ENOSYS.  A child killed by a signal, or that
 * makes no progress for FUZZ_STALL_S seconds, is reported with the seed
 * and the index of the call it was making.
 */

#include "ut.h"
#include "fuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUZZ_CHILDREN 4
#define FUZZ_CALLS 16000 /* in all, by default (-n) */
#define FUZZ_STALL_S 30  /* a child this long on one call hangs */

long ut_fuzz_calls;

/* usertests -n CALLS: the fuzzer's calls in all. */
int
ut_fuzz_option(int c, const char *arg)
{
	char *end;

	if (c != 'n')
		return -1;
	ut_fuzz_calls = strtol(arg, &end, 0);
	return ut_fuzz_calls > 0 && *end == '\0' ? 0 : -1;
}

/* Progress for the parent, in shared memory if the kernel gives it. */
static volatile long *progress;

uint64_t
rnd(struct fuzz *f)
{
	return test_rand(&f->rng);
}

/* A random number below n. */
uint64_t
below(struct fuzz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* ---------------------------------------------------------------------
 * Arguments.
 */

static const uint64_t interesting[] = {
	0,
	1,
	2,
	3,
	7,
	8,
	16,
	64,
	255,
	256,
	4095,
	4096,
	4097,
	65536,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0x100000000ULL,
	0x7fffffffffffffffULL,
	0x8000000000000000ULL,
	(uint64_t)-1,
	(uint64_t)-2,
	(uint64_t)-4096,
	(uint64_t)INT_MIN,
};

/* An interesting number, or a random one. */
uint64_t
arg_num(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0:
		return rnd(f);
	case 1:
		return below(f, 100);
	default:
		return interesting[below(f,
		    sizeof(interesting) / sizeof(interesting[0]))];
	}
}

/* A length: small, page-ish, or huge. */
uint64_t
arg_len(struct fuzz *f)
{
	switch (below(f, 5)) {
	case 0:
		return below(f, 64);
	case 1:
		return below(f, 2 * P);
	case 2:
		return below(f, SCRATCH_PAGES * P + 64);
	case 3:
		return arg_num(f);
	default:
		return 1 << below(f, 24);
	}
}

/* A bad address: NULL, kernel, non-canonical, unmapped. */
unsigned long
bad_ptr(struct fuzz *f)
{
	static const unsigned long bad[] = {
		0,
		1,
		8,
		0xfff,
		VM_MIN_USER_ADDRESS,
		TEST_KERNEL_TEXT,
		TEST_DIRECT_MAP,
		TEST_NONCANON_LO,
		TEST_NONCANON_HI,
		VM_MAX_USER_ADDRESS,
		VM_MAX_USER_ADDRESS - 1,
		(unsigned long)-1,
		(unsigned long)-4096,
	};

	return bad[below(f, sizeof(bad) / sizeof(bad[0]))];
}

/*
 * A pointer the kernel may write through: into the scratch region
 * (aligned or not, maybe right before its unmapped end), into an odd
 * page (the fuzzer never reads them itself), or bad.
 */
unsigned long
arg_ptr(struct fuzz *f)
{
	unsigned long base = (unsigned long)f->scratch;
	unsigned long end = base + SCRATCH_PAGES * P;

	switch (below(f, 7)) {
	case 0:
		return base + below(f, SCRATCH_PAGES) * P;
	case 1:
		return base + below(f, SCRATCH_PAGES * P);
	case 2:
		return end - 1 - below(f, 64);
	case 3:
		return end;
	case 4:
		return base;
	case 5:
		return (unsigned long)f->odd[below(f, NODD)] +
		    (below(f, 2) ? 0 : below(f, P));
	default:
		return bad_ptr(f);
	}
}

/* A descriptor number that is open (held) or bogus; never 0, 1, 2. */
long
arg_fd(struct fuzz *f)
{
	const long bogus[] = { -1, -100, 100, 1000, 1 << 20, INT_MAX, INT_MIN,
		0, 63, 64 };

	switch (below(f, 6)) {
	case 0:
		return f->file_fd;
	case 1:
		return f->dir_fd;
	case 2:
		return f->sink[0];
	case 3:
		return f->sink[1];
	default:
		return bogus[below(f, sizeof(bogus) / sizeof(bogus[0]))];
	}
}

int
held_fd(struct fuzz *f, long fd)
{
	return fd <= 2 || fd == f->file_fd || fd == f->dir_fd ||
	    fd == f->sink[0] || fd == f->sink[1];
}

/* Read back what a write put into the sink pipe. */
void
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
		if (*addr <
		    VM_MAX_USER_ADDRESS) { /* NULL, page 0, 0x1000: small */
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

static long
f_read(struct fuzz *f)
{
	long fd = arg_fd(f);

	if (fd == f->sink[0])
		fd = f->sink[1]; /* reading the empty sink would block */
	if (below(f, 16) == 0)
		test_raw3(SYS_lseek, f->file_fd, 0, SEEK_SET);
	return test_raw3(SYS_read, fd, arg_ptr(f), arg_len(f));
}

static long
f_write(struct fuzz *f)
{
	long fd = arg_fd(f), r;
	unsigned long len =
	    fd == f->sink[1] ? below(f, SINK_MAX + 1) : arg_len(f);

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
		"/",
		"/bin",
		"/bin/",
		"/bin/sh",
		"/bin/init",
		"/README",
		"/nonexistent",
		"",
		"//bin//sh",
		"/./bin/../bin/sh",
		"bin",
		"/tests",
		"/tests/usertests/x",
		"/README/x",
	};
	static const int flagbits[] = {
		O_WRONLY,
		O_RDWR,
		O_CREAT,
		O_EXCL,
		O_TRUNC,
		O_APPEND,
		O_NONBLOCK,
		O_DIRECTORY,
		O_CLOEXEC,
		O_LARGEFILE,
		O_NOCTTY,
		O_NOFOLLOW,
		O_PATH,
		0x10000000,
	};
	unsigned long path;
	int flags = 0;
	long r;

	if (longpath[0] == '\0') {
		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[0] = '/';
	}
	switch (below(f, 5)) {
	case 0:
		path = (unsigned long)test_self;
		break;
	case 1:
		path = (unsigned long)longpath + below(f, 1000);
		break;
	case 2:
		path = arg_ptr(f);
		break;
	default:
		path = (unsigned long)
		    paths[below(f, sizeof(paths) / sizeof(paths[0]))];
	}
	for (int i = below(f, 4); i > 0; i--)
		flags |=
		    flagbits[below(f, sizeof(flagbits) / sizeof(flagbits[0]))];
	/* Nothing that could change a file: the root is writable. */
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
		fd = 200 + below(f, 100); /* closed numbers only */
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
		MAP_SHARED,
		MAP_PRIVATE,
		MAP_ANONYMOUS,
		MAP_ANONYMOUS,
		MAP_PRIVATE,
		MAP_NORESERVE,
		MAP_POPULATE,
		0x40000000,
	};
	unsigned long addr, len;
	int flags = 0, fixed = below(f, 3) == 0;
	long fd = below(f, 2) ? -1 : arg_fd(f), r;

	for (int i = 1 + below(f, 4); i > 0; i--)
		flags |=
		    flagbits[below(f, sizeof(flagbits) / sizeof(flagbits[0]))];
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
		flags &= ~MAP_POPULATE; /* Linux would fill it all */
	r = test_raw6(SYS_mmap, addr, len,
	    below(f, 8) ? (long)below(f, 8) : (long)arg_num(f), flags, fd,
	    below(f, 4) ? 0 : (long)arg_num(f));
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
	case 0:
		v = 0;
		break;
	case 1:
		v = bad_ptr(f);
		break;
	default:
		v = f->brk_base + below(f, 1 << 20);
		break;
	}
	if (v >= VM_MIN_USER_ADDRESS && v < f->brk_base)
		v = 0; /* never below the fuzzer's own heap */
	return test_raw1(SYS_brk, v);
}

static long
f_rt_sigaction(struct fuzz *f)
{
	static struct {
		unsigned long h, fl, re, mask;
	} acts[2] = {
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
	return test_raw6(SYS_rt_sigprocmask,
	    below(f, 4) ? (long)below(f, 3) : (long)arg_num(f),
	    below(f, 3) ? (long)&set : (long)arg_ptr(f),
	    below(f, 2) ? 0 : arg_ptr(f), below(f, 4) ? 8 : arg_num(f), 0, 0);
}

static long
f_ioctl(struct fuzz *f)
{
	static const unsigned long reqs[] = {
		0x5413,
		0x5401,
		0x541b,
		0,
		1,
		0x1234,
		0xdeadbeef,
		0xffffffffffffffffUL,
	};
	long fd = arg_fd(f);

	/* On Linux, random requests only on the pipe and bogus fds. */
	if (!test_native && (fd == f->file_fd || fd == f->dir_fd))
		fd = f->sink[0];
	if (test_native && below(f, 8) == 0)
		fd = 1 + below(f, 2); /* the console */
	return test_raw3(SYS_ioctl, fd,
	    reqs[below(f, sizeof(reqs) / sizeof(reqs[0]))], arg_ptr(f));
}

/* iovecs the kernel reads; only the first few carry data. */
static struct iovec iovs[1100];

static long
f_readv_writev(struct fuzz *f, int write)
{
	static const long counts[] = { 0, 1, 2, 3, 8, -1, 1024, 1025, INT_MAX };
	long fd = arg_fd(f),
	     n = counts[below(f, sizeof(counts) / sizeof(counts[0]))], r;
	int sink = write && fd == f->sink[1];
	unsigned long iov = below(f, 5) ? (unsigned long)iovs : bad_ptr(f);

	if (!write && fd == f->sink[0])
		fd = f->sink[1];
	for (int i = 0; i < 8; i++) {
		iovs[i].iov_base = (void *)arg_ptr(f);
		iovs[i].iov_len =
		    sink ? below(f, SINK_MAX / 8 + 1) : arg_len(f);
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
	long r = test_raw3(SYS_pipe2, p,
	    below(f, 2) ? (long)(below(f, 2) * O_CLOEXEC) : (long)arg_num(f),
	    0);

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
	long r =
	    test_raw1(SYS_dup, below(f, 4) ? arg_fd(f) : (long)below(f, 3));

	if (r >= 0)
		test_raw1(SYS_close, r);
	return r;
}

static long
f_dup2(struct fuzz *f)
{
	const long targets[] = { -1, INT_MAX, 1 << 20, 100, 200, 1000 };
	long old = arg_fd(f), new, r;

	new = below(f, 2) ?
	    10 + (long)below(f, 50) :
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
	return test_raw3(SYS_nanosleep,
	    below(f, 4) ? (long)&ts : (long)bad_ptr(f),
	    below(f, 2) ? 0 : arg_ptr(f), 0);
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
	static const long flags[] = { 0, RFFDG, RFCFDG, RFFDG | RFCFDG, 1, 16,
		0x10000 };
	long r;

	if (below(f, 2))
		r = test_raw0(SYS_fork);
	else
		r = test_raw1(SYS_rfork,
		    flags[below(f, sizeof(flags) / sizeof(flags[0]))]);
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
	unsigned long path = below(f, 4) ?
	    (unsigned long)paths[below(f, sizeof(paths) / sizeof(paths[0]))] :
	    bad_ptr(f);

	return test_raw3(SYS_execve, path,
	    below(f, 3) ? (long)argv : (long)bad_ptr(f),
	    below(f, 3) ? (long)(argv + 1) : (long)bad_ptr(f));
}

static long
f_wait4(struct fuzz *f)
{
	const long pids[] = { -1, 0, 1, -2, 1 << 30, INT_MAX, INT_MIN };

	return test_raw6(SYS_wait4,
	    pids[below(f, sizeof(pids) / sizeof(pids[0]))],
	    below(f, 2) ? 0 : arg_ptr(f),
	    WNOHANG | (below(f, 2) ? 0 : (long)arg_num(f)),
	    below(f, 2) ? 0 : arg_ptr(f), 0, 0);
}

static long
f_kill(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0:
		return test_raw3(SYS_kill, f->pid, 0, 0);
	case 1:
		return test_raw3(SYS_kill, below(f, 2) ? 1 : -1, 0, 0);
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
		return test_raw3(SYS_arch_prctl,
		    codes[below(f, sizeof(codes) / sizeof(codes[0]))],
		    arg_ptr(f), 0);
	/* ARCH_SET_FS: to a bad base, or to the current one. */
	if (test_raw3(SYS_arch_prctl, 0x1003, (long)&old, 0) != 0)
		return -EINVAL;
	r = test_raw3(SYS_arch_prctl, 0x1002,
	    below(f, 2) ? (long)old : (long)bad_ptr(f) | 0x800000000000L, 0);
	test_raw3(SYS_arch_prctl, 0x1002, (long)old, 0);
	return r;
}

static long
f_gettid(struct fuzz *f)
{
	return test_raw0(below(f, 2) ? SYS_gettid : SYS_lwp_gettid) > 0 ?
	    0 :
	    -EINVAL;
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
	return test_raw3(SYS_clock_gettime,
	    below(f, 2) ? (long)below(f, 3) : (long)arg_num(f), arg_ptr(f), 0);
}

static long
f_memfd_create(struct fuzz *f)
{
	long r = test_raw3(SYS_memfd_create,
	    below(f, 2) ? (long)"fuzz" : (long)arg_ptr(f),
	    below(f, 2) ? 0 : (long)arg_num(f), 0);

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
	p.lwp_tid1 =
	    below(f, 2) ? &tid1 : (below(f, 2) ? NULL : (int *)bad_ptr(f));
	p.lwp_tid2 = &tid2;
	tid2 = -1;
	r = test_raw1(SYS_lwp_create,
	    below(f, 6) ? (long)&p : (long)bad_ptr(f));
	if (r == 0)
		test_raw1(SYS_lwp_wait, tid2);
	return r;
}

static long
f_lwp_wait(struct fuzz *f)
{
	const long lids[] = { 0, -1, 1 << 20, INT_MAX, INT_MIN };
	long me = test_raw0(SYS_lwp_gettid);

	return test_raw1(SYS_lwp_wait,
	    below(f, 3) ? lids[below(f, sizeof(lids) / sizeof(lids[0]))] : me);
}

static long
f_kstat(struct fuzz *f)
{
	long r = test_raw3(SYS_kstat, arg_ptr(f), arg_len(f), 0);

	return r > 0 ? 0 : r;
}

/*
 * The calls of systests (ids, limits, times, clocks, timers, poll and
 * select), with arguments that cannot hang or kill the fuzzing child:
 * no limit is changed (a new limit is bad, invalid or the same), no
 * timer armed, and every wait has a zero or a bad timeout.
 */
static long
f_ids(struct fuzz *f)
{
	static const long nrs[] = { SYS_getuid, SYS_geteuid, SYS_getgid,
		SYS_getegid, SYS_getresuid, SYS_getresgid, SYS_getgroups,
		SYS_setfsuid, SYS_setfsgid, SYS_setresuid, SYS_setresgid,
		SYS_setgroups };
	long nr = nrs[below(f, sizeof(nrs) / sizeof(nrs[0]))];

	if (nr == SYS_setresuid || nr == SYS_setresgid) /* keep root */
		return test_raw3(nr, below(f, 2) ? -1 : 0, -1,
		    below(f, 2) ? -1 : 0);
	if (nr == SYS_getgroups || nr == SYS_setgroups)
		return test_raw3(nr,
		    below(f, 2) ? (long)below(f, 40) : (long)arg_num(f),
		    arg_ptr(f), 0);
	return test_raw3(nr, arg_ptr(f), arg_ptr(f), arg_ptr(f));
}

static long
f_rlimit(struct fuzz *f)
{
	static struct rlimit same, bad = { 5, 3 };
	long r = below(f, 2) ? (long)below(f, 18) : (long)arg_num(f);
	long nl;

	switch (below(f, 4)) {
	case 0:
		nl = 0;
		break;
	case 1:
		nl = (long)bad_ptr(f);
		break;
	case 2:
		nl = (long)&bad;
		break;
	default:
		if (test_raw3(SYS_getrlimit, r, &same, 0) != 0)
			return test_raw3(SYS_getrlimit, r, arg_ptr(f), 0);
		nl = (long)&same;
		break;
	}
	if (below(f, 2))
		return test_raw3(SYS_getrlimit, r, arg_ptr(f), 0);
	return test_raw4(SYS_prlimit64, below(f, 2) ? 0 : (long)arg_num(f), r,
	    nl, below(f, 2) ? 0 : arg_ptr(f));
}

static long
f_times(struct fuzz *f)
{
	switch (below(f, 6)) {
	case 0:
		return test_raw3(SYS_getrusage,
		    below(f, 2) ? (long)below(f, 4) - 2 : (long)arg_num(f),
		    arg_ptr(f), 0);
	case 1:
		return test_raw3(SYS_times, below(f, 4) ? arg_ptr(f) : 0, 0, 0);
	case 2:
		return test_raw3(SYS_sysinfo, arg_ptr(f), 0, 0);
	case 3:
		return test_raw3(SYS_umask, arg_num(f), 0, 0);
	case 4:
		return test_raw3(SYS_clock_getres,
		    below(f, 2) ? (long)below(f, 14) : (long)arg_num(f),
		    below(f, 4) ? arg_ptr(f) : 0, 0);
	default:
		if (below(f, 2))
			return test_raw3(SYS_time, arg_ptr(f), 0, 0);
		return test_raw3(SYS_gettimeofday, below(f, 4) ? arg_ptr(f) : 0,
		    below(f, 4) ? arg_ptr(f) : 0, 0);
	}
}

static long
f_getrandom(struct fuzz *f)
{
	return test_raw3(SYS_getrandom, arg_ptr(f), arg_len(f),
	    below(f, 2) ? (long)below(f, 8) : (long)arg_num(f));
}

static long
f_clock_nanosleep(struct fuzz *f)
{
	static struct timespec ts;

	long clock = below(f, 2) ? (long)below(f, 14) : (long)arg_num(f);
	long flags = below(f, 2) ? (long)below(f, 2) : (long)arg_num(f);

	ts.tv_sec = below(f, 8) ? 0 : -1;
	ts.tv_nsec = below(f, 4) ? (long)below(f, 100000) : (long)arg_num(f);
	/*
	 * A single LWP sleeping on its own CPU clock waits for ever unless
	 * the time has come: only CPU time 0, absolute.
	 */
	if (clock == CLOCK_PROCESS_CPUTIME_ID) {
		flags = TIMER_ABSTIME;
		ts.tv_sec = ts.tv_nsec = 0;
	}
	return test_raw4(SYS_clock_nanosleep, clock, flags,
	    below(f, 4) ? (long)&ts : (long)bad_ptr(f),
	    below(f, 2) ? 0 : arg_ptr(f));
}

static long
f_itimer(struct fuzz *f)
{
	long which = below(f, 2) ? (long)below(f, 4) : (long)arg_num(f);

	switch (below(f, 4)) {
	case 0:
		return test_raw3(SYS_getitimer, which, arg_ptr(f), 0);
	case 1: /* only turns a timer off, or fails */
		return test_raw3(SYS_setitimer, which,
		    below(f, 2) ? 0 : (long)bad_ptr(f), arg_ptr(f));
	case 2:
		return test_raw3(SYS_alarm, 0, 0, 0) == 0 ? 0 : -1000;
	default:
		return test_raw0(SYS_restart_syscall);
	}
}

static long
f_poll(struct fuzz *f)
{
	static const struct timespec zts;
	static const struct timeval ztv;
	long nfds = below(f, 2) ? (long)below(f, 300) : (long)arg_num(f);
	long bad = bad_ptr(f) ?: 8; /* NULL would wait for ever */
	long ts = below(f, 4) ? (long)&zts : bad;

	switch (below(f, 4)) {
	case 0:
		return test_raw3(SYS_poll, arg_ptr(f), nfds, 0);
	case 1:
		return test_raw5(SYS_ppoll, arg_ptr(f), nfds, ts,
		    below(f, 2) ? 0 : arg_ptr(f),
		    below(f, 2) ? 8 : (long)arg_num(f));
	case 2:
		return test_raw5(SYS_select, nfds, below(f, 2) ? 0 : arg_ptr(f),
		    below(f, 2) ? 0 : arg_ptr(f), below(f, 2) ? 0 : arg_ptr(f),
		    below(f, 4) ? (long)&ztv : bad);
	default:
		return test_raw6(SYS_pselect6, nfds,
		    below(f, 2) ? 0 : arg_ptr(f), below(f, 2) ? 0 : arg_ptr(f),
		    below(f, 2) ? 0 : arg_ptr(f), ts,
		    below(f, 2) ? 0 : arg_ptr(f));
	}
}

/* A number that names no call: ENOSYS whatever the arguments. */
static long
f_unknown(struct fuzz *f)
{
	static const long nrs[] = { 380, 423, 600, 999, 4095, 65536, 0x7fffffff,
		-1, -1000 };
	long nr = below(f, 2) ? nrs[below(f, sizeof(nrs) / sizeof(nrs[0]))] :
				100000 + (long)below(f, 900000);
	long r = test_raw6(nr, arg_num(f), arg_num(f), arg_num(f), arg_num(f),
	    arg_num(f), arg_num(f));

	return r == -ENOSYS ? 0 : (r == 0 ? -1000 : r);
}

/* ---------------------------------------------------------------------
 * Shapes: several calls that once froze or corrupted the kernel.
 */

static const struct fuzz_call *pick(struct fuzz *f);

/* Say what went wrong and end this fuzzing child with status 1. */
static _Noreturn void __attribute__((format(printf, 2, 3)))
shape_fail(struct fuzz *f, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test_note("fuzz: call %ld (%s): %s", f->index, f->name, msg);
	test_raw_exit(1);
}

/* A raw result that is an error (-errno). */
static int
is_err(long r)
{
	return r < 0 && r >= -4095;
}

/*
 * Huge ranges: up to 2^46 bytes of PROT_NONE mapped with MAP_POPULATE
 * (nothing can be made: at once), then MADV_WILLNEED (populate),
 * MADV_DONTNEED, mprotect PROT_NONE and munmap over all of it or parts,
 * holes punched in it, a few read-write pages mapped inside it (which
 * WILLNEED makes), and then all of it unmapped.  Read-write memory is
 * never more than a few pages: a populate of it is real work.
 */
static long
f_huge(struct fuzz *f)
{
	unsigned long len = 1UL << (30 + below(f, 17)), pages = len / P;
	long a, r = 0, rr;

	a = test_raw6(SYS_mmap, 0, len, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
		(below(f, 2) ? MAP_NORESERVE : 0),
	    -1, 0);
	if (is_err(a))
		return a;
	for (int i = 1 + below(f, 4); i > 0; i--) {
		unsigned long first = below(f, 4) ? 0 : below(f, pages);
		unsigned long n =
		    below(f, 3) ? pages - first : 1 + below(f, pages - first);
		unsigned long at = a + first * P;

		switch (below(f, 6)) {
		case 0:
		case 1:
			rr = test_raw3(SYS_madvise, at, n * P, MADV_WILLNEED);
			break;
		case 2:
			rr = test_raw3(SYS_madvise, at, n * P,
			    below(f, 2) ? MADV_DONTNEED : MADV_FREE);
			break;
		case 3:
			rr = test_raw3(SYS_mprotect, at, n * P, PROT_NONE);
			break;
		case 4: /* a hole: WILLNEED over it is ENOMEM */
			n = MIN(1 + below(f, 16), pages - first);
			rr = test_raw3(SYS_munmap, at, n * P, 0);
			break;
		default: /* a few read-write pages inside */
			n = 1 + below(f, 8);
			at = a + below(f, pages - n + 1) * P;
			rr = test_raw6(SYS_mmap, at, n * P,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				(below(f, 2) ? MAP_POPULATE : 0),
			    -1, 0);
			if (rr == (long)at)
				rr = 0;
			break;
		}
		if (rr != 0)
			r = rr;
	}
	rr = test_raw3(SYS_munmap, a, len, 0);
	if (rr != 0)
		shape_fail(f, "munmap of the whole huge mapping: %ld", rr);
	return r;
}

/* What a read through a loaded segment must find. */
static volatile uint64_t seg_probe = 0x5e6f5e6f5e6f5e6fULL;

/*
 * A selector user code may load into %fs or %gs: a null one (0-3), the
 * user data selector (%ss) or the user code selector (%cs), with RPL 3
 * or 0.  The descriptor's base is 0; a null selector leaves the base 0
 * or as it was, depending on the CPU.
 */
static uint16_t
arg_sel(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0:
		return (uint16_t)below(f, 4);
	case 1:
		return test_cs_sel() & (below(f, 2) ? 0xffff : ~3);
	default:
		return test_ss_sel() & (below(f, 2) ? 0xffff : ~3);
	}
}

/*
 * The selector loaded is still there.  A null one may come back with
 * RPL 0: Intel CPUs null a segment register on an iret to user mode
 * when its hidden descriptor has DPL 0, which a null selector's may have.
 */
static int
same_sel(uint16_t got, uint16_t loaded)
{
	return loaded <= 3 ? got <= 3 : got == loaded;
}

/*
 * Segment-register loads: %fs, %gs or both, then 1 to 4 other calls
 * (never arch_prctl or another shape) with a yield before each, or at
 * times a sleep, so the process is switched out and in with the
 * selectors loaded.  The selectors must then still be there, and with a
 * non-null selector the base 0 (ARCH_GET_FS, and a read through the
 * segment).  Then ARCH_SET_FS gives musl its thread pointer back and %gs
 * a null selector.
 */
static long
f_segload(struct fuzz *f)
{
	struct timespec ts = { 0, 1 + (long)below(f, 1000000) };
	uint64_t tls = 0, base = 0;
	int which = 1 + below(f, 3), sleep_at = below(f, 32);
	uint16_t fs = arg_sel(f), gs = arg_sel(f), got_fs, got_gs;
	const struct fuzz_call *c;
	long r = 0, rr;
	const char *bad = NULL;

	if (f->nested ||
	    test_raw3(SYS_arch_prctl, ARCH_GET_FS, (long)&tls, 0) != 0)
		return 0;
	if (which & 1)
		test_load_fs(fs);
	if (which & 2)
		test_load_gs(gs);
	f->nested = 1;
	for (int i = below(f, 4); i >= 0; i--) {
		if (i == sleep_at) /* out and back in, surely */
			test_raw3(SYS_nanosleep, (long)&ts, 0, 0);
		else
			test_raw0(SYS_sched_yield);
		c = pick(f);
		if (c->fn == f_segload || c->fn == f_huge ||
		    strcmp(c->name, "arch_prctl") == 0 ||
		    strncmp(c->name, "cow", 3) == 0 ||
		    strncmp(c->name, "split", 5) == 0)
			continue;
		rr = c->fn(f);
		if (is_err(rr) && !(c->unimpl && rr == -ENOSYS))
			r = rr;
	}
	f->nested = 0;
	got_fs = test_fs_sel();
	got_gs = test_gs_sel();
	if ((which & 1) && !same_sel(got_fs, fs))
		bad = "%fs changed";
	else if ((which & 2) && !same_sel(got_gs, gs))
		bad = "%gs changed";
	else if ((which & 1) && fs > 3 &&
	    (test_raw3(SYS_arch_prctl, ARCH_GET_FS, (long)&base, 0) != 0 ||
		base != 0))
		bad = "ARCH_GET_FS is not 0";
	else if ((which & 1) && fs > 3 && ut_fs_read64(&seg_probe) != seg_probe)
		bad = "a read through %fs missed";
	else if ((which & 2) && gs > 3 && ut_gs_read64(&seg_probe) != seg_probe)
		bad = "a read through %gs missed";
	/* musl's TLS back. */
	rr = test_raw3(SYS_arch_prctl, ARCH_SET_FS, (long)tls, 0);
	test_load_gs(0);
	if (rr != 0)
		test_raw_exit(3);
	if (bad != NULL)
		shape_fail(f,
		    "after loading %s%s (fs 0x%x gs 0x%x) and other "
		    "calls: %s (now fs 0x%x gs 0x%x, fs base 0x%llx)",
		    which & 1 ? "%fs" : "", which & 2 ? " %gs" : "", fs, gs,
		    bad, got_fs, got_gs, (unsigned long long)base);
	if (test_fs_sel() != 0)
		shape_fail(f, "ARCH_SET_FS left %%fs 0x%x", test_fs_sel());
	return r;
}

/*
 * Memory shared copy-on-write with a child.  R is n pages, each starting
 * with its tag; with COW_SPAN_PAGES pages it is one whole page table,
 * which fork shares.  state[] says what each page may be now in the
 * fuzzer's view, as a mask of the PG_* bits (several after a call that
 * may have done part of its work).
 */
#define COW_SPAN_PAGES 512 /* one page table: 2 MiB */
#define COW_SPAN (COW_SPAN_PAGES * P)
#define HOG_LEN (1UL << 40) /* more memory than there is */

#define PG_TAG 0x01       /* readable, the tag */
#define PG_ZERO 0x02      /* readable, zeros (MAP_FIXED) */
#define PG_TAG_NONE 0x04  /* PROT_NONE over the tag */
#define PG_ZERO_NONE 0x08 /* PROT_NONE over zeros */
#define PG_GONE 0x10      /* unmapped */

#define PG_READABLE (PG_TAG | PG_ZERO)

static uint64_t
cow_tag(uint64_t salt, size_t i)
{
	return (salt ^ (i * 0x9e3779b97f4a7c15ULL)) | 1;
}

/* Write to 64 KiB of stack below the caller: those pages are ours now. */
static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[64 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

/*
 * The child sharing R: says it is ready ('r' on `ready`), waits for a
 * byte on `cmd`, then checks that every page of its R still has its tag
 * and answers on `ready`: 'y', or the index of the first page that
 * changed after an 'n'.  (The answer goes through the pipe, not the exit
 * status: the fuzzer may have set SIGCHLD to SIG_IGN, and then Linux
 * reaps its children itself.)
 */
static _Noreturn void
cow_holder(const unsigned char *r, size_t n, uint64_t salt, int ready, int cmd)
{
	char c = 'r';
	struct {
		char c;
		uint32_t page;
	} __attribute__((packed)) answer = { 'y', 0 };

	touch_stack();
	if (test_raw3(SYS_write, ready, (long)&c, 1) != 1 ||
	    test_raw3(SYS_read, cmd, (long)&c, 1) != 1)
		test_raw_exit(3);
	for (size_t i = 0; i < n; i++)
		if (*(const volatile uint64_t *)(r + i * P) !=
		    cow_tag(salt, i)) {
			answer.c = 'n';
			answer.page = (uint32_t)i;
			break;
		}
	test_raw3(SYS_write, ready, (long)&answer, sizeof(answer));
	test_raw_exit(0);
}

/* What a call does to a page in each state (one bit in, a mask out). */
static int
pg_apply(int kind, int prot, int st)
{
	switch (kind) {
	case 0: /* munmap */
		return PG_GONE;
	case 1: /* mprotect */
		if (st == PG_GONE)
			return PG_GONE;
		if (prot == PROT_NONE)
			return st & (PG_TAG | PG_TAG_NONE) ? PG_TAG_NONE :
							     PG_ZERO_NONE;
		return st & (PG_TAG | PG_TAG_NONE) ? PG_TAG : PG_ZERO;
	default: /* MAP_FIXED read-write */
		return PG_ZERO;
	}
}

static int
pg_apply_mask(int kind, int prot, int mask)
{
	int out = 0;

	for (int b = 1; b <= PG_GONE; b <<= 1)
		if (mask & b)
			out |= pg_apply(kind, prot, b);
	return out;
}

/*
 * Check page i of R against state[i] through write(): readable pages
 * give their first 8 bytes, the rest EFAULT.  Narrows state[i] to what
 * was seen.
 */
static void
cow_probe(struct fuzz *f, const unsigned char *r, unsigned char *state,
    size_t i, uint64_t salt)
{
	uint64_t got = 0;
	long w = test_raw3(SYS_write, f->sink[1], (long)(r + i * P), 8);
	int seen;

	if (w == 8) {
		if (test_raw3(SYS_read, f->sink[0], (long)&got, 8) != 8)
			shape_fail(f, "the sink gave back no 8 bytes");
		seen = got == cow_tag(salt, i) ? PG_TAG :
		    got == 0                   ? PG_ZERO :
						 0;
	} else if (w == -EFAULT) {
		seen = state[i] & ~PG_READABLE;
	} else {
		shape_fail(f, "write() from page %zu of the shared memory: %ld",
		    i, w);
	}
	if ((state[i] & seen) == 0)
		shape_fail(f,
		    "page %zu of the memory shared since fork: "
		    "expected state 0x%x, the kernel read %s 0x%llx",
		    i, state[i], w == 8 ? "the value" : "nothing (EFAULT), not",
		    (unsigned long long)got);
	state[i] &= seen;
}

/*
 * Map R: n pages; COW_SPAN_PAGES of them aligned to a page table.
 * Returns its address or an error.
 */
static long
cow_map(size_t n)
{
	long m, a;

	if (n != COW_SPAN_PAGES)
		return test_raw6(SYS_mmap, 0, n * P, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = test_raw6(SYS_mmap, 0, 2 * COW_SPAN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(m))
		return m;
	a = (m + COW_SPAN - 1) & ~(long)(COW_SPAN - 1);
	if (a != m)
		test_raw3(SYS_munmap, m, a - m, 0);
	test_raw3(SYS_munmap, a + COW_SPAN, m + COW_SPAN - a, 0);
	return a;
}

/*
 * The cow shapes: R shared with a holder child since fork; with
 * `exhaust` (our kernel only) every free page is taken first; then 1 to
 * 6 calls (munmap, mprotect, MAP_FIXED) over random pieces of R, each
 * followed by a check of the pages around it; memory back, all of R
 * checked, R unmapped; the holder's view must be as it was.
 */
static long
cow_shape(struct fuzz *f, int exhaust)
{
	unsigned char state[COW_SPAN_PAGES];
	struct {
		char c;
		uint32_t page;
	} __attribute__((packed)) answer;
	size_t n =
	    exhaust || below(f, 16) == 0 ? COW_SPAN_PAGES : 1 + below(f, 48);
	uint64_t salt = rnd(f);
	int ready[2], cmd[2], status = 0;
	long a, pid, hog = 0, r = 0, rr;
	char c = 0;

	if (f->nested)
		return 0;
	a = cow_map(n);
	if (is_err(a))
		return a;
	for (size_t i = 0; i < n; i++)
		*(volatile uint64_t *)(a + i * P) = cow_tag(salt, i);
	if ((rr = test_raw1(SYS_pipe, (long)ready)) != 0) {
		test_raw3(SYS_munmap, a, n * P, 0);
		return rr;
	}
	if ((rr = test_raw1(SYS_pipe, (long)cmd)) != 0) {
		test_raw1(SYS_close, ready[0]);
		test_raw1(SYS_close, ready[1]);
		test_raw3(SYS_munmap, a, n * P, 0);
		return rr;
	}
	pid = test_raw0(SYS_fork);
	if (pid == 0) {
		test_raw1(SYS_close, ready[0]);
		test_raw1(SYS_close, cmd[1]);
		cow_holder((const unsigned char *)a, n, salt, ready[1], cmd[0]);
	}
	test_raw1(SYS_close, ready[1]);
	test_raw1(SYS_close, cmd[0]);
	if (is_err(pid)) {
		r = pid;
		goto out;
	}
	/*
	 * Our own copies of every page written from here on: the stack
	 * below, this frame and *f (the generator's state).
	 */
	touch_stack();
	memset(state, PG_TAG, sizeof(state));
	(void)rnd(f);
	if (test_raw3(SYS_read, ready[0], (long)&c, 1) != 1)
		shape_fail(f, "the child sharing the memory did not start");
	if (exhaust && test_native) {
		hog = test_raw6(SYS_mmap, 0, HOG_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE,
		    -1, 0);
		if (is_err(hog))
			hog = 0;
	}
	for (int k = 1 + below(f, 6); k > 0; k--) {
		size_t first = below(f, n), len = 1 + below(f, n - first);
		int kind = below(f, 3), prot = 0;
		unsigned long at = a + first * P;

		if (below(f, 4) == 0) /* one page */
			len = 1;
		if (kind == 0) {
			rr = test_raw3(SYS_munmap, at, len * P, 0);
		} else if (kind == 1) {
			static const int prots[] = { PROT_NONE, PROT_READ,
				PROT_READ | PROT_WRITE };

			prot = prots[below(f, 3)];
			rr = test_raw3(SYS_mprotect, at, len * P, prot);
		} else {
			rr = test_raw6(SYS_mmap, at, len * P,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (rr == (long)at)
				rr = 0;
		}
		if (rr != 0 && rr != -ENOMEM)
			shape_fail(f,
			    "%s of pages %zu..%zu of memory shared "
			    "since fork%s: %ld",
			    kind == 0     ? "munmap" :
				kind == 1 ? "mprotect" :
					    "MAP_FIXED",
			    first, first + len - 1,
			    hog ? " (memory exhausted)" : "", rr);
		for (size_t i = first; i < first + len; i++) {
			int done = pg_apply_mask(kind, prot, state[i]);

			if (rr == 0)
				state[i] = done;
			else if (kind == 1) /* may have done part */
				state[i] |= done;
			else if (kind == 2) /* old pages, or a hole */
				state[i] |= PG_GONE;
		}
		if (rr != 0)
			r = rr;
		for (size_t i = first ? first - 1 : 0;
		     i < first + len + 1 && i < n; i++)
			cow_probe(f, (const unsigned char *)a, state, i, salt);
	}
	if (hog != 0 && (rr = test_raw3(SYS_munmap, hog, HOG_LEN, 0)) != 0)
		shape_fail(f, "munmap of the memory hog: %ld", rr);
	for (size_t i = 0; i < n; i++)
		cow_probe(f, (const unsigned char *)a, state, i, salt);
	c = 'v';
	if ((rr = test_raw3(SYS_write, cmd[1], (long)&c, 1)) != 1)
		shape_fail(f,
		    "the child sharing the memory could not be told: "
		    "%ld",
		    rr);
	answer.c = 0;
	rr = test_raw3(SYS_read, ready[0], (long)&answer, sizeof(answer));
	if (rr != (long)sizeof(answer) || answer.c != 'y')
		shape_fail(f,
		    "the child sharing the memory since fork %s "
		    "(page %u)",
		    rr != (long)sizeof(answer) ? "did not answer" :
						 "saw its copy change",
		    answer.page);
	/* It ends at once (ECHILD if SIGCHLD is ignored: reaped already). */
	rr = test_raw6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
	if (rr != pid && rr != -ECHILD)
		shape_fail(f, "wait4 for the child sharing the memory: %ld",
		    rr);
out:
	test_raw1(SYS_close, ready[0]);
	test_raw1(SYS_close, cmd[1]);
	if ((rr = test_raw3(SYS_munmap, a, n * P, 0)) != 0)
		shape_fail(f, "munmap of the memory shared since fork: %ld",
		    rr);
	return r;
}

static long
f_cow_shared(struct fuzz *f)
{
	return cow_shape(f, 0);
}

static long
f_cow_oom(struct fuzz *f)
{
	return cow_shape(f, 1);
}

/*
 * Map splitting: mprotect of every other page of a read-only mapping,
 * each call adding two map entries, for `pages` pages or until ENOMEM;
 * then all of it must unmap at once (no entry need be split).
 */
#define SPLIT_LIMIT_PAGES (2 * 65536 + 16) /* past the limit */

static long
split_shape(struct fuzz *f, size_t pages, int to_limit)
{
	long a, r = 0, rr;
	size_t i, done = 0;

	if (f->nested)
		return 0;
	a = test_raw6(SYS_mmap, 0, pages * P, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (is_err(a))
		return a;
	for (i = 1; i + 1 < pages; i += 2) {
		r = test_raw3(SYS_mprotect, a + i * P, P,
		    PROT_READ | PROT_WRITE);
		if (r != 0)
			break;
		done++;
	}
	if (r != 0 && r != -ENOMEM)
		shape_fail(f, "mprotect of page %zu to split a mapping: %ld", i,
		    r);
	if (to_limit && test_native && r == 0)
		shape_fail(f,
		    "%zu splits and no ENOMEM: the map-entry limit "
		    "is not enforced",
		    done);
	if (r == -ENOMEM) {
		/* At the limit: a new mapping may fail too, nothing worse. */
		rr = test_raw6(SYS_mmap, 0, P, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!is_err(rr))
			test_raw3(SYS_munmap, rr, P, 0);
		else if (rr != -ENOMEM)
			shape_fail(f, "mmap at the map-entry limit: %ld", rr);
	}
	if ((rr = test_raw3(SYS_munmap, a, pages * P, 0)) != 0)
		shape_fail(f, "munmap of a mapping split %zu times: %ld", done,
		    rr);
	return r;
}

static long
f_split(struct fuzz *f)
{
	return split_shape(f, 4 + below(f, below(f, 8) ? 64 : 1024), 0);
}

static long
f_split_limit(struct fuzz *f)
{
	return split_shape(f, SPLIT_LIMIT_PAGES, 1);
}

/* The calls, with how often each is picked. */
static const struct fuzz_call calls[] = {
	{ "read", f_read, 8, 0 },
	{ "write", f_write, 8, 0 },
	{ "open", f_open, 8, 0 },
	{ "close", f_close, 4, 0 },
	{ "fstat", f_fstat, 6, 0 },
	{ "lseek", f_lseek, 6, 0 },
	{ "mmap", f_mmap, 8, 0 },
	{ "mprotect", f_mprotect, 6, 0 },
	{ "munmap", f_munmap, 6, 0 },
	{ "brk", f_brk, 4, 0 },
	{ "rt_sigaction", f_rt_sigaction, 4, 0 },
	{ "rt_sigprocmask", f_rt_sigprocmask, 4, 0 },
	{ "ioctl", f_ioctl, 4, 0 },
	{ "readv", f_readv, 6, 0 },
	{ "writev", f_writev, 6, 0 },
	{ "pipe", f_pipe, 4, 0 },
	{ "sched_yield", f_sched_yield, 2, 0 },
	{ "madvise", f_madvise, 4, 0 },
	{ "dup", f_dup, 4, 0 },
	{ "dup2", f_dup2, 4, 0 },
	{ "nanosleep", f_nanosleep, 2, 0 },
	{ "getpid", f_getpid, 2, 0 },
	{ "fork", f_fork, 2, 0 },
	{ "execve", f_execve, 4, 0 },
	{ "wait4", f_wait4, 4, 0 },
	{ "kill", f_kill, 4, 0 },
	{ "uname", f_uname, 2, 0 },
	{ "ftruncate", f_ftruncate, 2, 1 },
	{ "arch_prctl", f_arch_prctl, 4, 0 },
	{ "gettid", f_gettid, 2, 0 },
	{ "getdents64", f_getdents64, 6, 0 },
	{ "set_tid_address", f_set_tid_address, 2, 0 },
	{ "clock_gettime", f_clock_gettime, 4, 0 },
	{ "pipe2", f_pipe2, 4, 0 },
	{ "memfd_create", f_memfd_create, 2, 1 },
	{ "lwp_create", f_lwp_create, 2, 0 },
	{ "lwp_wait", f_lwp_wait, 2, 0 },
	{ "kstat", f_kstat, 2, 0 },
	{ "ids", f_ids, 2, 0 },
	{ "rlimit", f_rlimit, 2, 0 },
	{ "times", f_times, 3, 0 },
	{ "getrandom", f_getrandom, 2, 0 },
	{ "clock_nanosleep", f_clock_nanosleep, 2, 0 },
	{ "itimer", f_itimer, 2, 0 },
	{ "poll", f_poll, 4, 0 },
	{ "unknown", f_unknown, 6, 0 },
	{ "huge", f_huge, 1, 0 },
	{ "segload", f_segload, 2, 0 },
	{ "cow_shared", f_cow_shared, 1, 0 },
	{ "split", f_split, 1, 0 },
	/* fuzz_sys.c */
	{ "mkdirat", f_mkdirat, 2, 0 },
	{ "unlinkat", f_unlinkat, 2, 0 },
	{ "renameat2", f_renameat2, 2, 0 },
	{ "linkat", f_linkat, 1, 0 },
	{ "symlinkat", f_symlinkat, 2, 0 },
	{ "readlinkat", f_readlinkat, 1, 0 },
	{ "statat", f_statat, 2, 0 },
	{ "accessat", f_accessat, 1, 0 },
	{ "chmodat", f_chmodat, 1, 0 },
	{ "utimensat", f_utimensat, 1, 0 },
	{ "openat", f_openat, 3, 0 },
	{ "mknodat", f_mknodat, 1, 0 },
	{ "truncate", f_truncate, 1, 0 },
	{ "cwd", f_cwd, 1, 0 },
	{ "fcntl", f_fcntl, 2, 0 },
	{ "flock", f_flock, 1, 0 },
	{ "sendfile", f_sendfile, 1, 0 },
	{ "copy_file_range", f_copy_file_range, 1, 0 },
	{ "prw", f_prw, 2, 0 },
	{ "sync", f_sync, 1, 0 },
	{ "statfs", f_statfs, 1, 0 },
	{ "fallocate", f_fallocate, 1, 0 },
	{ "priority", f_priority, 1, 0 },
	{ "ioprio", f_ioprio, 1, 0 },
	{ "affinity", f_affinity, 1, 0 },
	{ "prctl", f_prctl, 1, 0 },
	{ "rusage", f_rusage, 1, 0 },
	{ "session", f_session, 1, 0 },
	{ "waitid", f_waitid, 1, 0 },
	{ "chroot", f_chroot, 1, 0 },
	{ "clock_set", f_clock_set, 1, 0 },
	{ "sigaltstack", f_sigaltstack, 1, 0 },
	{ "sigwait", f_sigwait, 1, 0 },
	{ "sigqueue", f_sigqueue, 1, 0 },
	{ "eventfd", f_eventfd, 1, 0 },
	{ "epoll", f_epoll, 1, 0 },
	{ "signalfd", f_signalfd, 1, 0 },
	{ "timerfd", f_timerfd, 1, 0 },
	{ "futex", f_futex, 2, 1 }, /* no PI operations (ENOSYS) */
	{ "robust_list", f_robust_list, 1, 0 },
	{ "clone3", f_clone3, 1, 0 },
	{ "vfork", f_vfork, 1, 0 },
	{ "mremap", f_mremap, 1, 0 },
	{ "syslog", f_syslog, 1, 0 },
	{ "hostname", f_hostname, 1, 0 },
	{ "unshare", f_unshare, 1, 0 },
	/* The full shapes, index FULL_* + NCALLS - NFULL. */
	{ "cow_oom", f_cow_oom, 0, 0 },
	{ "split_limit", f_split_limit, 0, 0 },
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/*
 * The errno values ABI.md names (and EROFS, from the open row), and
 * ELOOP: open with O_NOFOLLOW of a symbolic link (/bin/sh is BusyBox's
 * link), as Linux; and for fuzz_sys.c's calls, the other errno values
 * their Linux manual pages list.
 */
static int
abi_errno(long e)
{
	static const int ok[] = { EPERM, ENOENT, ESRCH, EINTR, E2BIG, ENOEXEC,
		EBADF, ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST,
		ENODEV, ENOTDIR, EISDIR, EINVAL, EMFILE, ENOTTY, ESPIPE, EROFS,
		EPIPE, EDEADLK, ENAMETOOLONG, ENOSYS, ETXTBSY, EOVERFLOW,
		EOPNOTSUPP, ELOOP,
		/* the calls of fuzz_sys.c, as Linux's manual pages give them */
		ENOTEMPTY, EXDEV, EMLINK, ENOSPC, EFBIG, ENOLCK, ETIMEDOUT,
		ERANGE, ENXIO };

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
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	    0);

	if (r != (long)f->scratch) {
		test_note("fuzz: cannot map the scratch region again: %ld", r);
		test_raw_exit(3);
	}
}

/*
 * Map the odd pages, each between PROT_NONE guard pages, so that a
 * buffer running off one reaches no other memory of the fuzzer:
 * write-only anonymous memory, write-only private and shared views of a
 * memfd holding 'm's, read-only memory and PROT_NONE (anonymous and
 * memfd).  Without memfds, anonymous memory stands in.
 */
static void
map_odd_pages(struct fuzz *f)
{
	long base = test_raw6(SYS_mmap, 0, (2 * NODD + 1) * P, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	     fd, m;
	static const struct {
		int prot, flags, memfd;
	} how[NODD] = {
		[ODD_WO_ANON] = { PROT_WRITE, MAP_PRIVATE, 0 },
		[ODD_WO_MEMFD] = { PROT_WRITE, MAP_PRIVATE, 1 },
		[ODD_WO_SHARED] = { PROT_WRITE, MAP_SHARED, 1 },
		[ODD_RO] = { PROT_READ, MAP_PRIVATE, 0 },
		[ODD_NONE] = { PROT_NONE, MAP_PRIVATE, 0 },
		[ODD_NONE_MEMFD] = { PROT_NONE, MAP_SHARED, 1 },
	};

	test_assert(!is_err(base));
	fd = test_raw3(SYS_memfd_create, (long)"fuzz-odd", 0, 0);
	if (!is_err(fd) && test_raw3(SYS_ftruncate, fd, P, 0) == 0 &&
	    !is_err(m = test_raw6(SYS_mmap, 0, P, PROT_READ | PROT_WRITE,
			MAP_SHARED, fd, 0))) {
		memset((void *)m, 'm', P);
		test_raw3(SYS_munmap, m, P, 0);
	} else if (!is_err(fd)) {
		test_raw1(SYS_close, fd);
		fd = -1;
	}
	for (int i = 0; i < NODD; i++) {
		long at = base + (2 * i + 1) * P;
		int memfd = how[i].memfd && !is_err(fd);

		m = test_raw6(SYS_mmap, at, P, how[i].prot,
		    how[i].flags | MAP_FIXED | (memfd ? 0 : MAP_ANONYMOUS),
		    memfd ? fd : -1, 0);
		test_assert_msg(m == at, "map odd page %d: %ld", i, m);
		f->odd[i] = (unsigned char *)at;
	}
	if (!is_err(fd))
		test_raw1(SYS_close, fd);
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
 * A full shape due at this call, or NULL.  Each runs once in every
 * full_every[] calls of the run, at a place the seed picks: split_limit
 * once in FUZZ_CALLS, cow_oom once in FUZZ_CALLS per 64 MiB of memory
 * (exhausting memory takes time in proportion), so that `make test`
 * meets cow_oom in its 64 MiB run.
 */
static const struct fuzz_call *
full_due(struct fuzz *f)
{
	for (int s = 0; s < NFULL; s++)
		if ((f->first + f->index) % f->full_every[s] == f->full_at[s])
			return &calls[NCALLS - NFULL + s];
	return NULL;
}

static void
full_schedule(struct fuzz *f)
{
	struct kstat ks;

	for (int s = 0; s < NFULL; s++)
		f->full_every[s] = FUZZ_CALLS;
	if (test_native && test_kstat(&ks) == 0 && ks.ks_pages_total > 16384)
		f->full_every[FULL_COW_OOM] *= ks.ks_pages_total / 16384;
	for (int s = 0; s < NFULL; s++)
		f->full_at[s] =
		    (long)(child_seed(1000 + s) % (uint64_t)f->full_every[s]);
}

/*
 * One fuzzing child: `ncalls` calls from `seed`, the run's calls `first`
 * onwards; exits 0, or 1 on error.
 */
static _Noreturn void
fuzz_child(int child, uint64_t seed, long first, long ncalls)
{
	struct fuzz f = { .rng = seed ? seed : 1, .first = first };
	const struct fuzz_call *c;
	long r, every = ncalls <= 10000 ? 1000 : ncalls / 10000 * 1000;

	f.pid = getpid();
	f.scratch = test_map((SCRATCH_PAGES + 1) * P);
	munmap(f.scratch + SCRATCH_PAGES * P, P);
	map_odd_pages(&f);
	f.file_fd = open(test_self, O_RDONLY);
	f.dir_fd = open("/", O_RDONLY | O_DIRECTORY);
	test_pipe(f.sink);
	test_assert(f.file_fd > 2 && f.dir_fd > 2);
	close(0); /* nothing may read the console */
	for (size_t i = 0; i < sizeof(iovs) / sizeof(iovs[0]); i++) {
		iovs[i].iov_base = f.scratch;
		iovs[i].iov_len = 0;
	}
	f.brk_base = test_raw1(SYS_brk, 0);
	full_schedule(&f);
	fuzz_sys_setup(&f);

	for (f.index = 0; f.index < ncalls; f.index++) {
		if ((c = full_due(&f)) == NULL)
			c = pick(&f);
		if (progress) {
			progress[2 * child] = f.index;
			progress[2 * child + 1] = c - calls;
		}
		if (f.index % every == 0)
			test_note("fuzz child %d (seed %llu): call %ld", child,
			    (unsigned long long)seed, f.index);
		if (f.index % 500 == 0)
			reset_scratch(&f);
		f.name = c->name;
		r = c->fn(&f);
		if (test_raw0(SYS_getpid) != f.pid) {
			test_note(
			    "fuzz child %d: getpid changed after call %ld "
			    "(%s)",
			    child, f.index, c->name);
			test_raw_exit(1);
		}
		if (c->fn == f_unknown && r != 0) {
			test_note(
			    "fuzz child %d: call %ld: an unknown system call "
			    "returned %ld, expected -ENOSYS",
			    child, f.index, r);
			test_raw_exit(1);
		}
		if (!test_native || r >= 0 || r < -4095)
			continue;
		if (!abi_errno(-r) || (r == -ENOSYS && !c->unimpl)) {
			test_note(
			    "fuzz child %d: call %ld (%s) returned %ld (%s), "
			    "not an answer ABI.md allows",
			    child, f.index, c->name, r, test_errname((int)-r));
			test_raw_exit(1);
		}
	}
	fuzz_sys_cleanup(&f);
	test_raw_exit(0);
}

/*
 * Wait for fuzzing child `pid`.  One that stays on one call for
 * FUZZ_STALL_S seconds (without the shared progress words: that runs
 * longer than FUZZ_STALL_S seconds plus 5 ms a call) is killed.
 * Returns its wait status; sets *hung.
 */
static int
wait_fuzz_child(pid_t pid, int child, long ncalls, int *hung)
{
	uint64_t limit = FUZZ_STALL_S * 1000000000ULL, last = test_now_ns();
	long seen = -1;
	int status = 0;

	if (!progress)
		limit += ncalls * 5000000ULL;
	*hung = 0;
	while (wait4(pid, &status, WNOHANG, NULL) == 0) {
		uint64_t now = test_now_ns();

		if (progress && progress[2 * child] != seen) {
			seen = progress[2 * child];
			last = now;
		}
		if (now - last > limit) {
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
 * Run the fuzzing children one after another, FUZZ_CALLS calls (or -n)
 * in all; each must exit 0 and never stall.  Then the kernel must still
 * answer.
 */
static void
t_fuzz(void)
{
	long *shared = mmap(NULL, P, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long total = ut_fuzz_calls > 0 ? ut_fuzz_calls : FUZZ_CALLS, first = 0;
	char how[80];
	int hung;

	if (shared != MAP_FAILED)
		progress = shared;
	for (int child = 0; child < FUZZ_CHILDREN; child++) {
		uint64_t seed = child_seed(child);
		long n = total / FUZZ_CHILDREN +
		    (child == FUZZ_CHILDREN - 1 ? total % FUZZ_CHILDREN : 0);
		pid_t pid;
		int status;

		if (n == 0)
			continue;
		pid = test_fork();
		if (pid == 0)
			fuzz_child(child, seed, first, n);
		first += n;
		status = wait_fuzz_child(pid, child, n, &hung);
		if (status == 0 && !hung)
			continue;
		if (hung)
			snprintf(how, sizeof(how), "made no progress for %d s",
			    FUZZ_STALL_S);
		else
			test_status_str(status, how, sizeof(how));
		test_note("reproduce this run alone: make fuzz SEED=%llu "
			  "CALLS=%ld",
		    (unsigned long long)test_seed, total);
		if (progress)
			test_fail(
			    "fuzz child %d (seed %llu) %s during call %ld "
			    "(%s)",
			    child, (unsigned long long)seed, how,
			    progress[2 * child],
			    calls[progress[2 * child + 1] % NCALLS].name);
		test_fail("fuzz child %d (seed %llu) %s", child,
		    (unsigned long long)seed, how);
	}
	test_expect_eq(syscall(SYS_getpid), getpid(), "getpid after fuzzing");
	test_note("%ld calls in %d children, seed %llu", total, FUZZ_CHILDREN,
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
		test_expect_raw_errno(test_raw6(nrs[i], 1, 2, 3, 4, 5, 6),
		    ENOSYS, what);
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
