/*
 * rlimit.c: getrlimit (97), setrlimit (160), prlimit64 (302) and the
 * limits the kernel enforces; umask (95).
 *
 *   - the defaults are Linux's for init (RLIMIT_NOFILE 1024/4096);
 *   - soft above hard is EINVAL, an unknown resource EINVAL, a pid that
 *     does not exist ESRCH; raising a hard limit needs root (EPERM);
 *   - RLIMIT_NOFILE: dup, pipe and open fail with EMFILE at the limit and
 *     dup2 to an fd at or above it with EBADF; raising it helps;
 *   - the fd table grows as Linux's: every fd below the soft limit can
 *     be made, up to fs.nr_open's 1048576 (a hard limit above is EPERM);
 *     /proc/self/status's FDSize doubles from 64; fork copies a grown
 *     table, close_range and select reach the high fds; LWPs sharing a
 *     table use it while another grows it;
 *   - RLIMIT_AS: an mmap past it fails with ENOMEM, a brk past it leaves
 *     the break;
 *   - RLIMIT_STACK: the stack execve gives follows it;
 *   - RLIMIT_NPROC: fork fails with EAGAIN once the user has that many
 *     processes (not for root);
 *   - umask: round trip from 022, inherited by fork.
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

static void
expect_limit(int r, unsigned long cur, unsigned long max, const char *what)
{
	struct rlimit rl;

	test_expect_ok(getrlimit(r, &rl), what);
	test_expect_hex(rl.rlim_cur, cur, what);
	test_expect_hex(rl.rlim_max, max, what);
}

static void
t_rlimit_defaults(void)
{
	struct rlimit rl;

	expect_limit(RLIMIT_STACK, 8UL << 20, RLIM_INFINITY, "RLIMIT_STACK");
	expect_limit(RLIMIT_CORE, 0, RLIM_INFINITY, "RLIMIT_CORE");
	expect_limit(RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY, "RLIMIT_AS");
	expect_limit(RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY, "RLIMIT_CPU");
	expect_limit(RLIMIT_MSGQUEUE, 819200, 819200, "RLIMIT_MSGQUEUE");
	expect_limit(RLIMIT_NICE, 0, 0, "RLIMIT_NICE");
	expect_limit(RLIMIT_NOFILE, 1024, 4096, "RLIMIT_NOFILE");
	test_expect_ok(getrlimit(RLIMIT_NPROC, &rl), "RLIMIT_NPROC");
	test_assert(rl.rlim_cur >= 10 && rl.rlim_cur <= rl.rlim_max);
	test_expect_ok(getrlimit(RLIMIT_SIGPENDING, &rl), "RLIMIT_SIGPENDING");
	test_assert(rl.rlim_cur >= 10 && rl.rlim_cur <= rl.rlim_max);
}

static void
t_rlimit_errors(void)
{
	struct rlimit rl = { 10, 5 }, old;

	test_expect_errno(setrlimit(RLIMIT_CORE, &rl), EINVAL, "soft > hard");
	test_expect_errno(getrlimit(RLIM_NLIMITS, &old), EINVAL,
	    "getrlimit(RLIM_NLIMITS)");
	test_expect_errno(prlimit(99998, RLIMIT_CORE, NULL, &old), ESRCH,
	    "prlimit of no process");
	test_expect_ok(prlimit(getpid(), RLIMIT_CORE, NULL, &old),
	    "prlimit of itself");
	test_expect_ok(prlimit(getppid(), RLIMIT_CORE, NULL, &old),
	    "prlimit of its parent");
	test_expect_errno(syscall(SYS_getrlimit, RLIMIT_CORE, (void *)8),
	    EFAULT, "getrlimit to a bad pointer");
	/* Lower the hard limit, raise it back as root, then as someone else. */
	rl.rlim_cur = rl.rlim_max = 4096;
	test_expect_ok(setrlimit(RLIMIT_CORE, &rl), "lower RLIMIT_CORE");
	rl.rlim_max = 8192;
	test_expect_ok(setrlimit(RLIMIT_CORE, &rl), "raise it as root");
	test_expect_ok(setresuid(1000, 1000, 1000), "setresuid");
	test_expect_errno(prlimit(getppid(), RLIMIT_CORE, NULL, &old), EPERM,
	    "prlimit of a root process as uid 1000");
	rl.rlim_max = 16384;
	test_expect_errno(setrlimit(RLIMIT_CORE, &rl), EPERM,
	    "raise it as uid 1000");
	rl.rlim_max = 8192;
	rl.rlim_cur = 8192;
	test_expect_ok(setrlimit(RLIMIT_CORE, &rl), "the soft one up to hard");
	expect_limit(RLIMIT_CORE, 8192, 8192, "RLIMIT_CORE after");
}

static void
t_rlimit_nofile(void)
{
	struct rlimit rl = { 16, 16 };
	int fd, p[2], n = 0;

	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 16");
	while ((fd = dup(0)) >= 0) {
		test_assert(fd < 16);
		n++;
	}
	test_expect_errno(fd, EMFILE, "dup at the limit");
	test_assert(n >= 10);
	test_expect_errno(pipe(p), EMFILE, "pipe at the limit");
	test_expect_errno(open(test_self, O_RDONLY), EMFILE,
	    "open at the limit");
	test_expect_errno(dup2(0, 16), EBADF, "dup2 to fd 16");
	rl.rlim_cur = rl.rlim_max = 32;
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 32");
	fd = dup(0);
	test_expect_eq(fd, 16, "dup after raising it");
	test_expect_ok(pipe(p), "pipe after raising it");
	test_expect_eq(dup2(0, 31), 31, "dup2 to fd 31");
}

/* FDSize of /proc/self/status: the slots of the fd table. */
static long
fd_table_size(void)
{
	char buf[2048], *at;
	ssize_t n;
	int fd;

	sys_mount_proc();
	fd = open("/proc/self/status", O_RDONLY);
	test_expect_ok(fd, "open /proc/self/status");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	test_assert_msg(n > 0, "read /proc/self/status: %zd", n);
	buf[n] = 0;
	at = strstr(buf, "FDSize:\t");
	test_assert_msg(at != NULL, "no FDSize line in /proc/self/status");
	return strtol(at + 8, NULL, 10);
}

/* Every fd below the default soft limit, then the hard one, then more. */
static void
t_rlimit_nofile_table(void)
{
	struct rlimit rl;
	int fd, last = -1, n = 0, p[2];
	pid_t pid;

	/* The runner's own fds are low: fill every other one up to 1024. */
	while ((fd = dup(0)) >= 0) {
		last = fd;
		n++;
	}
	test_expect_errno(fd, EMFILE, "dup at the default soft limit");
	test_expect_eq(last, 1023, "the highest fd under the default limit");
	test_assert_msg(n > 1000, "only %d fds made", n);
	test_expect_errno(dup2(0, 1024), EBADF, "dup2 to fd 1024");
	test_expect_errno(fcntl(0, F_DUPFD, 1024), EINVAL, "F_DUPFD 1024");
	test_expect_ok(close(1023), "close fd 1023");
	test_expect_eq(fd_table_size(), 1024, "FDSize with 1023 fds");
	test_expect_eq(dup(0), 1023, "fd 1023 again");

	rl.rlim_cur = rl.rlim_max = 4096;
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "soft limit up to 4096");
	test_expect_eq(dup(0), 1024, "dup above the old limit");
	test_expect_eq(fd_table_size(), 2048, "FDSize doubled");
	test_expect_eq(dup2(0, 4095), 4095, "dup2 to fd 4095");
	test_expect_eq(fd_table_size(), 4096, "FDSize for fd 4095");
	test_expect_eq(fcntl(0, F_DUPFD_CLOEXEC, 3000), 3000,
	    "F_DUPFD_CLOEXEC 3000");
	test_expect_eq(fcntl(3000, F_GETFD), FD_CLOEXEC, "fd 3000 cloexec");
	test_expect_eq(fcntl(4095, F_GETFD), 0, "fd 4095 not cloexec");
	test_expect_errno(dup2(0, 4096), EBADF, "dup2 to fd 4096");

	/* fs.nr_open is the ceiling of the hard limit. */
	rl.rlim_cur = rl.rlim_max = (1 << 20) + 1;
	test_expect_errno(setrlimit(RLIMIT_NOFILE, &rl), EPERM,
	    "hard limit above nr_open");
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "hard limit nr_open");
	test_expect_eq(dup2(0, 100000), 100000, "dup2 to fd 100000");
	test_expect_eq(fd_table_size(), 131072, "FDSize for fd 100000");

	/* fork copies the table, high fds included. */
	test_pipe(p);
	test_expect_eq(dup2(p[1], 99999), 99999, "the pipe at fd 99999");
	close(p[1]);
	pid = test_fork();
	if (pid == 0) {
		test_expect_eq(fd_table_size(), 131072, "the child's FDSize");
		test_expect_eq(fcntl(3000, F_GETFD), FD_CLOEXEC,
		    "the child's fd 3000");
		test_expect_eq(write(99999, "x", 1), 1, "write on fd 99999");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	close(99999);

	/* close_range reaches them, and the table stays as large. */
	test_expect_ok(syscall(SYS_close_range, 2000, ~0U, 0), "close_range");
	test_expect_errno(fcntl(100000, F_GETFD), EBADF, "fd 100000 closed");
	test_expect_errno(fcntl(4095, F_GETFD), EBADF, "fd 4095 closed");
	test_expect_eq(fcntl(1024, F_GETFD), 0, "fd 1024 still open");
	test_expect_eq(fd_table_size(), 131072, "FDSize after closing");
	test_expect_eq(dup(0), p[1], "the lowest free fd again");
}

/* select and poll on fds above FD_SETSIZE. */
static void
t_rlimit_nofile_select(void)
{
	struct rlimit rl = { 4096, 4096 };
	uint64_t in[4096 / 64];
	struct timeval tv = { 0, 0 };
	struct pollfd pfd[3000];
	int p[2];

	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 4096");
	test_pipe(p);
	test_expect_eq(dup2(p[0], 2500), 2500, "the read end at fd 2500");
	test_expect_eq(write(p[1], "x", 1), 1, "a byte in the pipe");
	memset(in, 0, sizeof(in));
	in[2500 / 64] = 1UL << (2500 % 64);
	test_expect_eq(select(2501, (fd_set *)in, NULL, NULL, &tv), 1,
	    "select on fd 2500");
	test_expect_hex(in[2500 / 64], 1UL << (2500 % 64), "fd 2500 ready");
	/* nfds beyond the table: only the table's fds are looked at. */
	memset(in, 0, sizeof(in));
	in[2500 / 64] = 1UL << (2500 % 64);
	test_expect_eq(select(4096, (fd_set *)in, NULL, NULL, &tv), 1,
	    "select with nfds 4096");
	for (int i = 0; i < 3000; i++) {
		pfd[i].fd = -1;
		pfd[i].events = POLLIN;
	}
	pfd[2999].fd = 2500;
	test_expect_eq(poll(pfd, 3000, 0), 1, "poll of 3000 entries");
	test_expect_eq(pfd[2999].revents, POLLIN, "fd 2500's revents");
}

/* An LWP growing the table another LWP uses meanwhile. */
static volatile int grow_done;

static void *
grow_thread(void *arg)
{
	(void)arg;
	for (int fd = 64; fd < 65536; fd *= 2)
		for (int i = 0; i < 8; i++)
			if (dup2(0, fd + i) != fd + i)
				return (void *)1;
	grow_done = 1;
	return NULL;
}

static void
t_rlimit_nofile_grow_shared(void)
{
	struct rlimit rl = { 1 << 16, 1 << 16 };
	pthread_t t;
	void *rv;
	long rounds = 0;
	int fd;

	test_expect_ok(setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE 65536");
	grow_done = 0;
	test_expect_ok(-pthread_create(&t, NULL, grow_thread, NULL),
	    "pthread_create");
	while (!grow_done || rounds < 1000) {
		fd = dup(1);
		test_assert_msg(fd >= 0, "dup: %s", test_errname(errno));
		test_expect_eq(fcntl(fd, F_GETFD), 0, "F_GETFD of the new fd");
		test_expect_ok(close(fd), "close");
		rounds++;
	}
	test_expect_ok(-pthread_join(t, &rv), "pthread_join");
	test_assert_msg(rv == NULL, "a dup2 of the growing thread failed");
	test_expect_eq(fd_table_size(), 65536, "FDSize");
	for (int fd2 = 64; fd2 < 65536; fd2 *= 2)
		test_expect_eq(fcntl(fd2 + 7, F_GETFD), 0, "a grown fd");
}

static void
t_rlimit_as(void)
{
	struct rlimit rl = { 64UL << 20, 64UL << 20 };
	void *p;

	test_expect_ok(setrlimit(RLIMIT_AS, &rl), "RLIMIT_AS 64 MiB");
	p = mmap(NULL, 128UL << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert_msg(p == MAP_FAILED, "a 128 MiB mmap succeeded");
	test_expect_errno(-1, ENOMEM, "the 128 MiB mmap");
	p = mmap(NULL, 1UL << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert_msg(p != MAP_FAILED, "a 1 MiB mmap failed: %s",
	    test_errname(errno));
	/* brk past the limit leaves the break where it is (raw: musl's sbrk
	 * refuses by itself). */
	long cur = syscall(SYS_brk, 0);
	test_expect_eq(syscall(SYS_brk, cur + (128L << 20)), cur,
	    "brk 128 MiB up");
	test_expect_eq(syscall(SYS_brk, cur + (1L << 20)), cur + (1L << 20),
	    "brk 1 MiB up");
	/* Three 30 MiB mappings cannot all fit under 64 MiB. */
	int ok = 0;
	for (int i = 0; i < 3; i++)
		ok += mmap(NULL, 30UL << 20, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED;
	test_assert_msg(ok < 3, "three 30 MiB mappings fit under 64 MiB");
}

/*
 * Run this program as the recursion helper with RLIMIT_STACK set to
 * stack bytes, recursing through kib KiB; returns its wait status.
 */
static int
run_recurse(unsigned long stack, long kib)
{
	struct rlimit rl = { stack, RLIM_INFINITY };
	char arg[32];
	pid_t pid;
	int st;

	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		snprintf(arg, sizeof(arg), "%ld", kib);
		if (setrlimit(RLIMIT_STACK, &rl) != 0)
			_exit(3);
		execl(test_self, test_self, SYS_RECURSE, arg, (char *)NULL);
		_exit(4);
	}
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	return st;
}

static void
t_rlimit_stack(void)
{
	int st;

	st = run_recurse(8UL << 20, 2048);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "2 MiB of recursion with an 8 MiB stack: status %#x", st);
	st = run_recurse(256UL << 10, 2048);
	test_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	    "2 MiB of recursion with a 256 KiB stack: status %#x", st);
	st = run_recurse(32UL << 20, 16384);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "16 MiB of recursion with a 32 MiB stack: status %#x", st);
}

static void
t_rlimit_nproc(void)
{
	struct rlimit rl = { 3, 3 };
	pid_t kids[8];
	int p[2], n = 0, err = 0;
	char c;

	test_expect_ok(pipe(p), "pipe");
	test_expect_ok(setrlimit(RLIMIT_NPROC, &rl), "RLIMIT_NPROC 3");
	test_expect_ok(setresuid(4321, 4321, 4321), "setresuid");
	while (n < 8) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			close(p[1]);
			(void)read(p[0], &c, 1);
			_exit(0);
		}
		kids[n++] = pid;
	}
	close(p[1]);
	for (int i = 0; i < n; i++)
		test_expect_exit(kids[i], 0, "a child");
	test_expect_eq(n, 2, "children forked under RLIMIT_NPROC 3");
	test_expect_eq(err, EAGAIN, "the fork past it");
}

static void
t_rlimit_nproc_root(void)
{
	struct rlimit rl = { 1, 1 };
	pid_t pid;

	test_expect_ok(setrlimit(RLIMIT_NPROC, &rl), "RLIMIT_NPROC 1");
	pid = fork();
	test_expect_ok(pid, "fork as root past RLIMIT_NPROC");
	if (pid == 0)
		_exit(0);
	test_expect_exit(pid, 0, "the child");
}

static void
t_umask(void)
{
	pid_t pid;

	test_expect_eq(umask(027), 022, "the first umask");
	test_expect_eq(umask(01777), 027, "umask back");
	test_expect_eq(umask(077), 0777, "bits above 0777 dropped");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		test_expect_eq(umask(0), 077, "the child's umask");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_eq(umask(022), 077, "the parent's umask");
}

const struct test sys_rlimit_tests[] = {
	{ "rlimit_defaults", t_rlimit_defaults, NULL },
	{ "rlimit_errors", t_rlimit_errors, NULL },
	{ "rlimit_nofile", t_rlimit_nofile, NULL },
	{ "rlimit_nofile_table", t_rlimit_nofile_table, NULL },
	{ "rlimit_nofile_select", t_rlimit_nofile_select, NULL },
	{ "rlimit_nofile_grow_shared", t_rlimit_nofile_grow_shared, NULL },
	{ "rlimit_as", t_rlimit_as, NULL },
	{ "rlimit_stack", t_rlimit_stack, NULL },
	{ "rlimit_nproc", t_rlimit_nproc, NULL },
	{ "rlimit_nproc_root", t_rlimit_nproc_root, NULL },
	{ "umask", t_umask, NULL },
	{ NULL, NULL, NULL },
};
