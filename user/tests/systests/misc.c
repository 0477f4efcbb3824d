/*
 * misc.c: sysinfo (99), getrandom (318), the environment init gets, and
 * syslog (103), the kernel log; sethostname (170) and setdomainname
 * (171); unshare (272).
 *
 *   - sysinfo: uptime, memory totals and the process count are sane;
 *   - getrandom fills buffers of any size with bytes that differ from
 *     call to call and look uniform; bad flags are EINVAL, a bad buffer
 *     EFAULT;
 *   - init's environment holds HOME=/ and TERM=linux, as Linux gives it;
 *   - syslog: root only; whole records; clear; a read that waits.
 */

#include "sys.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void
t_sysinfo(void)
{
	struct sysinfo si;
	uint64_t t0;

	t0 = test_now_ns();
	memset(&si, 0xa5, sizeof(si));
	test_expect_ok(sysinfo(&si), "sysinfo");
	test_assert(si.mem_unit >= 1);
	test_assert((uint64_t)si.uptime <= t0 / 1000000000ULL + 2);
	test_assert((uint64_t)si.uptime + 2 >= t0 / 1000000000ULL);
	test_assert(si.totalram > 0 && si.freeram > 0);
	test_assert(si.freeram < si.totalram);
	test_assert((uint64_t)si.totalram * si.mem_unit >= (16ULL << 20));
	test_assert(si.procs >= 2);
	test_expect_errno(syscall(SYS_sysinfo, (void *)8), EFAULT,
	    "sysinfo to a bad pointer");
}

static int
popcount_buf(const unsigned char *b, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += __builtin_popcount(b[i]);
	return c;
}

static void
t_getrandom(void)
{
	static unsigned char a[4096], b[4096], big[1 << 20];
	long r;
	int ones;

	test_expect_eq(getrandom(a, sizeof(a), 0), sizeof(a), "getrandom");
	test_expect_eq(getrandom(b, sizeof(b), 0), sizeof(b), "getrandom");
	test_assert_msg(memcmp(a, b, sizeof(a)) != 0,
	    "two calls gave the same");
	ones = popcount_buf(a, sizeof(a));
	test_assert_msg(ones > 4096 * 8 * 45 / 100 &&
		ones < 4096 * 8 * 55 / 100,
	    "%d one bits of %d", ones, 4096 * 8);
	test_expect_eq(getrandom(big, sizeof(big), 0), sizeof(big),
	    "getrandom of 1 MiB");
	test_assert(memcmp(big, big + 4096, 4096) != 0);
	test_assert(memcmp(big, a, 4096) != 0);
	test_expect_eq(getrandom(a, 0, 0), 0, "getrandom of 0 bytes");
	r = getrandom(a, 7, GRND_NONBLOCK);
	test_assert_msg(r == 7 || (r == -1 && errno == EAGAIN),
	    "GRND_NONBLOCK: %ld", r);
	test_expect_eq(getrandom(a, 16, GRND_RANDOM), 16, "GRND_RANDOM");
	test_expect_eq(getrandom(a, 16, GRND_INSECURE), 16, "GRND_INSECURE");
	test_expect_errno(getrandom(a, 16, GRND_RANDOM | GRND_INSECURE), EINVAL,
	    "GRND_RANDOM | GRND_INSECURE");
	test_expect_errno(getrandom(a, 16, 0x100), EINVAL, "flag 0x100");
	test_expect_errno(getrandom((void *)8, 16, 0), EFAULT, "a bad buffer");
}

static void
t_getrandom_children(void)
{
	unsigned char a[32], b[32];
	int p[2];
	pid_t pid;

	/* A child's bytes differ from its parent's (no shared state). */
	test_expect_ok(pipe(p), "pipe");
	pid = fork();
	test_expect_ok(pid, "fork");
	if (pid == 0) {
		if (getrandom(b, sizeof(b), 0) != sizeof(b))
			_exit(2);
		test_write_all(p[1], b, sizeof(b));
		_exit(0);
	}
	test_expect_eq(getrandom(a, sizeof(a), 0), sizeof(a), "getrandom");
	test_expect_eq(test_read_full(p[0], b, sizeof(b)), sizeof(b), "read");
	test_expect_exit(pid, 0, "the child");
	test_assert(memcmp(a, b, sizeof(a)) != 0);
}

static void
t_init_env(void)
{
	const char *home = getenv("HOME"), *term = getenv("TERM");

	if (!sys_started_by_init)
		test_skip("not started by init");
	test_assert_msg(home != NULL && strcmp(home, "/") == 0, "HOME=%s",
	    home != NULL ? home : "(unset)");
	test_assert_msg(term != NULL && strcmp(term, "linux") == 0, "TERM=%s",
	    term != NULL ? term : "(unset)");
}

/*
 * syslog(2) (klogctl), the kernel log: root only; the newest whole
 * records, each "<level>[seconds.micros] text"; clear; the read that
 * waits, until a signal.
 */
static void
alarm_noop(int sig)
{
	(void)sig;
}

static void
t_misc_syslog(void)
{
	static char buf[256 * 1024];
	struct sigaction sa;
	int size, n;
	pid_t pid;

	size = klogctl(10, NULL, 0);
	test_assert_msg(size >= 16384, "the log's size: %d", size);
	n = klogctl(3, buf, sizeof(buf));
	test_assert_msg(n > 0 && n <= size, "READ_ALL gave %d", n);
	buf[n] = 0;
	test_assert_msg(buf[0] == '<' && buf[2] == '>' && buf[3] == '[' &&
		buf[n - 1] == '\n',
	    "not whole records: %.40s", buf);
	/* A small buffer gets the newest whole records only. */
	n = klogctl(3, buf, 200);
	test_assert_msg(n >= 0 && n <= 200, "READ_ALL of 200 gave %d", n);
	test_assert_msg(n == 0 || (buf[0] == '<' && buf[n - 1] == '\n'),
	    "not whole records in 200 bytes");
	test_expect_errno(klogctl(11, buf, 10), EINVAL, "action 11");
	test_expect_errno(klogctl(3, NULL, 10), EINVAL, "no buffer");
	test_expect_errno(klogctl(3, buf, -1), EINVAL, "negative length");
	test_expect_eq(klogctl(3, buf, 0), 0, "length 0");
	test_expect_errno(klogctl(3, (char *)8, size), EFAULT, "bad buffer");
	test_expect_errno(klogctl(8, NULL, 0), EINVAL, "console level 0");
	test_expect_errno(klogctl(8, NULL, 9), EINVAL, "console level 9");
	test_expect_ok(klogctl(0, NULL, 0), "close");
	test_expect_ok(klogctl(1, NULL, 0), "open");
	/* READ takes what no READ took; then it waits, until a signal. */
	while ((n = klogctl(9, NULL, 0)) > 0)
		test_assert_msg(klogctl(2, buf, sizeof(buf)) > 0,
		    "READ with %d bytes unread", n);
	test_expect_eq(n, 0, "SIZE_UNREAD after reading them");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_noop;
	test_expect_ok(sigaction(SIGALRM, &sa, NULL), "sigaction");
	alarm(1);
	test_expect_errno(klogctl(2, buf, sizeof(buf)), EINTR,
	    "READ of nothing, until SIGALRM");
	/* Clear: READ_ALL starts after it. */
	test_expect_ok(klogctl(5, NULL, 0), "CLEAR");
	n = klogctl(3, buf, sizeof(buf));
	test_assert_msg(n >= 0 && n < 200, "READ_ALL after CLEAR gave %d", n);
	pid = test_fork();
	if (pid == 0) {
		test_expect_ok(setresuid(1000, 1000, 1000), "setresuid");
		test_expect_errno(klogctl(3, buf, sizeof(buf)), EPERM,
		    "READ_ALL as uid 1000");
		test_expect_errno(klogctl(10, NULL, 0), EPERM,
		    "SIZE_BUFFER as uid 1000");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
}

/*
 * A READ that waits returns when the kernel logs: here the line it
 * prints when a signal frame cannot be written (the handler's stack is
 * not mapped).
 */
static void
t_misc_syslog_wakes(void)
{
	static char buf[64 * 1024];
	char got[4096];
	int p[2], n;
	pid_t reader, victim;

	while (klogctl(9, NULL, 0) > 0)
		(void)klogctl(2, buf, sizeof(buf));
	test_pipe(p);
	reader = test_fork();
	if (reader == 0) {
		close(p[0]);
		alarm(30);
		n = klogctl(2, buf, sizeof(buf));
		test_assert_msg(n > 0, "READ: %d (%s)", n, test_errname(errno));
		(void)write(p[1], buf, (size_t)n);
		_exit(0);
	}
	close(p[1]);
	test_sleep_ns(100 * SYS_MS); /* let it wait first */
	victim = test_fork();
	if (victim == 0) {
		stack_t ss = { .ss_sp = (void *)0x10000, .ss_size = 65536 };
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = alarm_noop;
		sa.sa_flags = SA_ONSTACK;
		if (sigaltstack(&ss, NULL) != 0 ||
		    sigaction(SIGUSR1, &sa, NULL) != 0)
			_exit(2);
		raise(SIGUSR1);
		_exit(3);
	}
	test_expect_signal(victim, SIGSEGV, "the process with no stack");
	n = (int)test_read_full(p[0], got, sizeof(got) - 1);
	test_assert_msg(n > 0, "nothing from the reader");
	got[n] = 0;
	test_assert_msg(strstr(got, "cannot deliver SIGUSR1") != NULL,
	    "the reader got: %s", got);
	test_expect_exit(reader, 0, "the reader");
}

/* The host name, as /proc/sys/kernel/hostname says it. */
static void
proc_hostname(char *buf, size_t size)
{
	int fd, n;

	sys_mount_proc();
	fd = open("/proc/sys/kernel/hostname", O_RDONLY);
	test_expect_ok(fd, "open /proc/sys/kernel/hostname");
	n = (int)read(fd, buf, size - 1);
	close(fd);
	test_assert_msg(n > 0, "read /proc/sys/kernel/hostname: %d", n);
	buf[n] = 0;
}

/*
 * sethostname (170) and setdomainname (171): Linux's checks; uname and
 * /proc/sys/kernel/hostname and domainname see the names, and a write
 * to the file sets one.
 */
static void
t_misc_hostname(void)
{
	struct utsname old, u;
	char buf[128], big[100];
	pid_t pid;
	int fd;

	test_expect_ok(uname(&old), "uname");
	test_expect_ok(sethostname("box-1", 5), "sethostname");
	test_expect_ok(uname(&u), "uname");
	test_assert_msg(strcmp(u.nodename, "box-1") == 0, "nodename %s",
	    u.nodename);
	proc_hostname(buf, sizeof(buf));
	test_assert_msg(strcmp(buf, "box-1\n") == 0, "the file: %s", buf);
	memset(big, 'x', sizeof(big));
	test_expect_ok(sethostname(big, 64), "64 bytes");
	test_expect_ok(uname(&u), "uname");
	test_expect_eq(strlen(u.nodename), 64, "a 64-byte name");
	test_expect_errno(sethostname(big, 65), EINVAL, "65 bytes");
	test_expect_errno(sethostname(big, -1), EINVAL, "length -1");
	test_expect_errno(sethostname((char *)8, 4), EFAULT, "bad pointer");
	test_expect_ok(setdomainname("example.org", 11), "setdomainname");
	test_expect_ok(uname(&u), "uname");
	test_assert_msg(strcmp(u.domainname, "example.org") == 0,
	    "domainname %s", u.domainname);
	fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_TRUNC);
	test_expect_ok(fd, "open the file to write");
	test_expect_eq(write(fd, "box-2\nrest", 10), 10, "write the file");
	close(fd);
	test_expect_ok(uname(&u), "uname");
	test_assert_msg(strcmp(u.nodename, "box-2") == 0,
	    "nodename after the write: %s", u.nodename);
	pid = test_fork();
	if (pid == 0) {
		test_expect_ok(setresuid(1000, 1000, 1000), "setresuid");
		test_expect_errno(sethostname("no", 2), EPERM,
		    "sethostname as uid 1000");
		test_expect_errno(setdomainname("no", 2), EPERM,
		    "setdomainname as uid 1000");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_ok(sethostname(old.nodename, strlen(old.nodename)),
	    "put the host name back");
	test_expect_ok(setdomainname(old.domainname, strlen(old.domainname)),
	    "put the domain name back");
}

/*
 * unshare(CLONE_NEWUTS): the process's host name changes alone; its
 * children share its namespace; root only.
 */
static void
t_misc_unshare_uts(void)
{
	struct utsname outer, u;
	pid_t pid;

	test_expect_ok(uname(&outer), "uname");
	pid = test_fork();
	if (pid == 0) {
		test_expect_ok(unshare(CLONE_NEWUTS), "unshare(CLONE_NEWUTS)");
		test_expect_ok(uname(&u), "uname");
		test_assert_msg(strcmp(u.nodename, outer.nodename) == 0,
		    "a copy: %s", u.nodename);
		test_expect_ok(sethostname("inner", 5), "sethostname");
		if (test_fork() == 0) {
			test_expect_ok(uname(&u), "uname");
			test_assert_msg(strcmp(u.nodename, "inner") == 0,
			    "the child's: %s", u.nodename);
			_exit(0);
		}
		test_expect_ok(wait(NULL) > 0 ? 0 : -1, "wait");
		test_expect_ok(setresuid(7, 7, 7), "setresuid");
		test_expect_errno(unshare(CLONE_NEWUTS), EPERM,
		    "unshare(CLONE_NEWUTS) as uid 7");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_expect_ok(uname(&u), "uname");
	test_assert_msg(strcmp(u.nodename, outer.nodename) == 0,
	    "the parent's name changed: %s", u.nodename);
}

/* unshare(CLONE_FILES): a table shared by clone stops being shared. */
static void
t_misc_unshare_files(void)
{
	int st, p[2];
	pid_t pid;

	test_pipe(p);
	pid =
	    (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0);
	test_expect_ok(pid, "clone(CLONE_FILES)");
	if (pid == 0) {
		if (dup2(p[0], 40) != 40 || unshare(CLONE_FILES) != 0 ||
		    dup2(p[0], 41) != 41)
			_exit(2);
		_exit(0);
	}
	test_expect_eq(waitpid(pid, &st, 0), pid, "waitpid");
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child: status %#x", st);
	test_expect_ok(fcntl(40, F_GETFD), "fd 40, made while shared");
	test_expect_errno(fcntl(41, F_GETFD), EBADF,
	    "fd 41, made after unshare");
}

/* A thread for t_misc_unshare_flags: waits until told. */
static void *
waiting_thread(void *arg)
{
	int *fd = arg;
	char c;

	(void)read(*fd, &c, 1);
	return NULL;
}

/* unshare's flag checks, as Linux's. */
static void
t_misc_unshare_flags(void)
{
	pthread_t t;
	int p[2];

	test_expect_ok(unshare(0), "nothing");
	test_expect_ok(unshare(CLONE_FS | CLONE_SYSVSEM | CLONE_FILES),
	    "nothing shared");
	test_expect_ok(unshare(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM),
	    "one thread, its own memory");
	test_expect_errno(unshare(CLONE_IO), EINVAL, "CLONE_IO");
	test_expect_errno(unshare(CSIGNAL), EINVAL, "a signal number");
	test_pipe(p);
	test_expect_ok(-pthread_create(&t, NULL, waiting_thread, &p[0]),
	    "pthread_create");
	test_expect_errno(unshare(CLONE_THREAD), EINVAL,
	    "CLONE_THREAD with two threads");
	test_expect_errno(unshare(CLONE_VM), EINVAL,
	    "CLONE_VM with two threads");
	close(p[1]);
	test_expect_ok(-pthread_join(t, NULL), "pthread_join");
}

/*
 * What this kernel cannot do: the namespaces it has not (as a Linux
 * built without them), and a table of its own for one of several LWPs
 * (the table is the process's; Linux's is per thread).
 */
static void
t_misc_unshare_missing(void)
{
	pthread_t t;
	int p[2];

	test_pipe(p);
	test_expect_ok(-pthread_create(&t, NULL, waiting_thread, &p[0]),
	    "pthread_create");
	test_expect_errno(unshare(CLONE_FILES), EINVAL,
	    "CLONE_FILES with two threads");
	close(p[1]);
	test_expect_ok(-pthread_join(t, NULL), "pthread_join");
	test_expect_errno(unshare(CLONE_NEWNS), EINVAL, "CLONE_NEWNS");
	test_expect_errno(unshare(CLONE_NEWNET), EINVAL, "CLONE_NEWNET");
	test_expect_errno(unshare(CLONE_NEWPID), EINVAL, "CLONE_NEWPID");
	test_expect_errno(unshare(CLONE_NEWUSER), EINVAL, "CLONE_NEWUSER");
	test_expect_errno(unshare(CLONE_NEWIPC | CLONE_NEWUTS), EINVAL,
	    "CLONE_NEWIPC with CLONE_NEWUTS");
}

const struct test sys_misc_tests[] = {
	{ "sysinfo", t_sysinfo, NULL },
	{ "getrandom", t_getrandom, NULL },
	{ "getrandom_children", t_getrandom_children, NULL },
	{ "init_env", t_init_env, NULL },
	{ "syslog", t_misc_syslog, NULL },
	{ "hostname", t_misc_hostname, NULL },
	{ "unshare_uts", t_misc_unshare_uts, NULL },
	{ "unshare_files", t_misc_unshare_files, NULL },
	{ "unshare_flags", t_misc_unshare_flags, NULL },
	{ "unshare_missing", t_misc_unshare_missing,
	    "Linux has these namespaces and per-thread fd tables" },
	{ "syslog_wakes", t_misc_syslog_wakes,
	    "the line logged for a signal that cannot be delivered is ours" },
	{ NULL, NULL, NULL },
};
