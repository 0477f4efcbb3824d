/*
 * proc.c: processes: fork, execve, exit statuses, wait4, kill and the
 * signals faults raise, orphans, ids, uname, clocks, nanosleep,
 * sched_yield, arch_prctl, set_tid_address and the signal calls musl
 * needs.  Also the stress test that forks until the kernel refuses.
 */

#include "ut.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ULL /* nanoseconds */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* The kernel's sigaction (struct k_sigaction). */
struct ksigaction {
	unsigned long handler, flags, restorer;
	uint64_t mask;
};

static uint64_t
sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* ---------------------------------------------------------------------
 * fork and exit.
 */

/* fork returns the child's pid to the parent and 0 to the child. */
static void
t_fork_basic(void)
{
	pid_t parent = getpid(), pid;
	int p[2];
	long child_ids[2];

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		long ids[2] = { getpid(), getppid() };
		_exit(write(p[1], ids, sizeof(ids)) == sizeof(ids) ? 0 : 1);
	}
	test_assert_msg(pid > 0 && pid != parent, "fork returned %d", (int)pid);
	test_expect_eq(test_read_full(p[0], child_ids, sizeof(child_ids)),
	    sizeof(child_ids), "read the child's ids");
	test_expect_eq(child_ids[0], pid,
	    "child's getpid against fork's result");
	test_expect_eq(child_ids[1], parent, "child's getppid");
	test_expect_exit(pid, 0, "child");
}

/* The child's descriptor table is a copy: its changes stay its own. */
static void
t_fork_fd_copy(void)
{
	int fd = (int)test_expect_ok(open(test_self, O_RDONLY), "open");
	int spare = (int)test_expect_ok(dup(fd), "dup"), newfd;
	pid_t pid;

	close(spare); /* the child's open should get this number */
	pid = test_fork();
	if (pid == 0) {
		newfd = open(test_self, O_RDONLY);
		if (newfd != spare)
			_exit(2);
		_exit(close(fd) == 0 ? 0 : 1);
	}
	test_expect_exit(pid, 0, "child closing fd and opening another");
	test_expect_ok(lseek(fd, 0, SEEK_CUR), "fd the child closed");
	test_expect_errno(lseek(spare, 0, SEEK_CUR), EBADF,
	    "the number the child opened");
	close(fd);
}

/* Every exit code 0..255 reaches wait4 as (code & 0xff) << 8. */
static void
t_exit_status(void)
{
	const int big[] = { 256, 257, 511, -1 };
	char what[48];
	int status;

	for (int code = 0; code < 256; code++) {
		pid_t pid = test_fork();
		if (pid == 0)
			_exit(code);
		status = test_wait(pid);
		snprintf(what, sizeof(what), "_exit(%d)", code);
		test_expect_eq(status, code << 8, what);
	}
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		pid_t pid = test_fork();
		if (pid == 0)
			_exit(big[i]);
		snprintf(what, sizeof(what), "_exit(%d)", big[i]);
		test_expect_eq(test_wait(pid), (big[i] & 0xff) << 8, what);
	}
}

/* exit (60) and exit_group (231) both end the process with the code. */
static void
t_exit_calls(void)
{
	pid_t pid = test_fork();

	if (pid == 0)
		test_raw1(60, 7);
	test_expect_eq(test_wait(pid), 7 << 8, "exit(7)");
	pid = test_fork();
	if (pid == 0)
		test_raw1(231, 300);
	test_expect_eq(test_wait(pid), 44 << 8, "exit_group(300)");
}

/* ---------------------------------------------------------------------
 * execve.
 */

/* Run a program and compare its output and status. */
static void
expect_output(const char *path, char *const argv[], char *const envp[],
    const char *want, const char *what)
{
	char out[512], how[80];
	int status = ut_run_program(path, argv, envp, out, sizeof(out));

	test_status_str(status, how, sizeof(how));
	test_assert_msg(status == 0, "%s: the program %s", what, how);
	test_assert_msg(strcmp(out, want) == 0,
	    "%s: output \"%s\", expected "
	    "\"%s\"",
	    what, out, want);
}

/* execve passes argv: to this program's helper and to /bin/echo. */
static void
t_exec_argv(void)
{
	char *helper[] = { "name", UT_HELPER, "echo", "hello", "",
		"world with spaces", NULL };
	char *echo[] = { "echo", "hello", "world", NULL };
	char *envp[] = { NULL };

	expect_output(test_self, helper, envp, "hello  world with spaces\n",
	    "helper echo");
	expect_output("/bin/echo", echo, envp, "hello world\n", "/bin/echo");
}

/* execve passes envp. */
static void
t_exec_envp(void)
{
	char *argv[] = { (char *)test_self, UT_HELPER, "getenv", "A", "B",
		"EMPTY", "UNSET", NULL };
	char *envp[] = { "A=1", "B=two words", "EMPTY=", NULL };

	expect_output(test_self, argv, envp, "1\ntwo words\n\n-\n",
	    "helper getenv");
}

/* The new program finds AT_PHDR, AT_PAGESZ, AT_RANDOM... in its auxv. */
static void
t_exec_auxv(void)
{
	int status = ut_run_helper("auxv", NULL, NULL, NULL, 0);
	char how[80];

	test_status_str(status, how, sizeof(how));
	test_assert_msg(status == 0,
	    "helper auxv (1 pagesz, 2 phdr, 3 entry or "
	    "random, 4 random bytes, 5 open, 6 phnum or phent against the ELF "
	    "header, 7 entry against e_entry): it %s",
	    how);
}

/* The process keeps its pid and parent across execve. */
static void
t_exec_ids(void)
{
	char out[64], want[64];
	char *argv[] = { (char *)test_self, UT_HELPER, "ids", NULL };
	char *envp[] = { NULL };
	int p[2];
	pid_t pid;
	long n;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execve(test_self, argv, envp);
		_exit(127);
	}
	close(p[1]);
	n = test_read_full(p[0], out, sizeof(out) - 1);
	out[n < 0 ? 0 : n] = '\0';
	test_expect_exit(pid, 0, "helper ids");
	snprintf(want, sizeof(want), "%d %d\n", (int)pid, (int)getpid());
	test_assert_msg(strcmp(out, want) == 0,
	    "helper printed \"%s\", "
	    "expected \"%s\"",
	    out, want);
	close(p[0]);
}

/* Is `fd` open in the exec'd helper? */
static int
open_after_exec(int fd)
{
	char num[16];
	int status;

	snprintf(num, sizeof(num), "%d", fd);
	status = ut_run_helper("fdopen", num, NULL, NULL, 0);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1,
	    "helper fdopen: wait status 0x%x", status);
	return WEXITSTATUS(status) == 0;
}

/* O_CLOEXEC descriptors close at execve; others, and dups, stay. */
static void
t_exec_fds(void)
{
	int ce =
	    (int)test_expect_ok(open(test_self, O_RDONLY | O_CLOEXEC), "open");
	int plain = (int)test_expect_ok(open(test_self, O_RDONLY), "open");
	int dupd = (int)test_expect_ok(dup(ce), "dup");

	test_assert_msg(!open_after_exec(ce), "O_CLOEXEC fd open after execve");
	test_assert_msg(open_after_exec(plain), "plain fd closed by execve");
	test_assert_msg(open_after_exec(dupd),
	    "dup of an O_CLOEXEC fd closed "
	    "by execve (dup must clear close-on-exec)");
}

/* Ignored signals stay ignored and the mask is kept across execve. */
static void
t_exec_sigstate(void)
{
	uint64_t set = sigbit(SIGUSR1);
	int status;

	test_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8), 0,
	    "block SIGUSR1");
	status = ut_run_helper("sigstate", NULL, NULL, NULL, 0);
	test_assert_msg(status == 0,
	    "helper sigstate: status 0x%x (2: SIGPIPE "
	    "not ignored, 4: SIGUSR1 not blocked)",
	    status);
}

/* execve errors return to the caller, which is unchanged. */
static void
t_exec_errors(void)
{
	enum {
		ARGS = 160,
		ARGLEN = 64 * 1024
	};
	static char path[5000], arg[ARGLEN];
	static char *big[ARGS + 2];
	char *argv[] = { "x", UT_HELPER, "exit", "42", NULL };
	char *envp[] = { NULL };
	int canary = 12345;

	test_expect_errno(execve("/nonexistent", argv, envp), ENOENT,
	    "execve /nonexistent");
	snprintf(path, sizeof(path), "%s/x", test_self);
	test_expect_errno(execve(path, argv, envp), ENOTDIR,
	    "execve a path through a file");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	test_expect_errno(execve(path, argv, envp), ENAMETOOLONG,
	    "execve a 4999-character path");

	memset(arg, 'x', ARGLEN - 1);
	big[0] = (char *)test_self;
	for (int i = 1; i <= ARGS; i++)
		big[i] = arg;
	big[ARGS + 1] = NULL;
	test_expect_errno(execve(test_self, big, envp), E2BIG,
	    "execve with 10 MiB of arguments");
	test_expect_errno(execve(test_self, argv, big + 1), E2BIG,
	    "execve with 10 MiB of environment");
	test_expect_eq(canary, 12345, "memory after failed execs");
}

/*
 * As Linux: an executable file that is not ELF (nor a #! script) is
 * ENOEXEC; a file without an execute bit, or a directory, EACCES.
 */
static void
t_exec_native_errors(void)
{
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	char path[64];
	int fd;

	(void)mkdir("/tmp", 01777); /* Linux's test initramfs has none */
	snprintf(path, sizeof(path), "/tmp/notelf.%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	test_assert(fd >= 0);
	test_expect_eq(write(fd, "plain text\n", 11), 11, "write");
	close(fd);
	test_expect_errno(execve(path, argv, envp), ENOEXEC,
	    "execve of an executable text file");
	test_expect_ok(unlink(path), "unlink");
	test_expect_errno(execve("/README", argv, envp), EACCES,
	    "execve /README (mode 0644)");
	test_expect_errno(execve("/bin", argv, envp), EACCES, "execve /bin");
	test_expect_errno(execve("/", argv, envp), EACCES, "execve /");
}

/* ---------------------------------------------------------------------
 * wait4.
 */

/* A child blocked reading `fd` until its write end closes. */
static pid_t
blocked_child(int p[2])
{
	pid_t pid = test_fork();
	char c;

	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	return pid;
}

/* Without children wait4 fails with ECHILD, with or without WNOHANG. */
static void
t_wait_echild(void)
{
	int status;

	test_expect_errno(wait4(-1, &status, 0, NULL), ECHILD, "wait4(-1)");
	test_expect_errno(wait4(-1, &status, WNOHANG, NULL), ECHILD,
	    "wait4(-1, WNOHANG)");
	test_expect_errno(wait4(12345, &status, 0, NULL), ECHILD,
	    "wait4(12345)");
}

/* WNOHANG returns 0 while the child runs, then the pid once it ended. */
static void
t_wait_wnohang(void)
{
	int p[2], status = -1;
	pid_t pid;
	long r;

	test_pipe(p);
	pid = blocked_child(p);
	test_expect_eq(wait4(pid, &status, WNOHANG, NULL), 0,
	    "wait4(pid, WNOHANG) while it runs");
	test_expect_eq(wait4(-1, &status, WNOHANG, NULL), 0,
	    "wait4(-1, WNOHANG) while it runs");
	close(p[1]);
	for (int i = 0; i < 2000; i++) {
		r = wait4(pid, &status, WNOHANG, NULL);
		if (r != 0)
			break;
		test_sleep_ns(MS);
	}
	test_expect_eq(r, pid, "wait4(pid, WNOHANG) after it ended");
	test_expect_eq(status, 0, "status");
}

/* wait4(pid) takes that child even when others ended first. */
static void
t_wait_specific(void)
{
	pid_t pids[3];
	int status;

	for (int i = 0; i < 3; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0)
			_exit(10 + i);
	}
	test_sleep_ns(20 * MS); /* let all three end */
	test_expect_eq(wait4(pids[1], &status, 0, NULL), pids[1], "wait4(mid)");
	test_expect_eq(status, 11 << 8, "status of the middle child");
	for (int n = 0; n < 2; n++) {
		long r = wait4(-1, &status, 0, NULL);
		test_assert_msg(r == pids[0] || r == pids[2], "wait4(-1) = %ld",
		    r);
		test_expect_eq(status, (r == pids[0] ? 10 : 12) << 8, "status");
	}
	test_expect_errno(wait4(-1, &status, 0, NULL), ECHILD, "all reaped");
}

/* Options other than WNOHANG (and Linux's own) are EINVAL. */
static void
t_wait_einval(void)
{
	const int bad[] = { 4, 0x10, 0x100, 0x1000 };
	int status, p[2];
	pid_t pid;

	test_pipe(p);
	pid = blocked_child(p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_expect_errno(wait4(pid, &status, bad[i], NULL), EINVAL,
		    "wait4 with a bad option");
	close(p[1]);
	test_expect_exit(pid, 0, "child");
}

/* Only one's own children can be waited for. */
static void
t_wait_not_child(void)
{
	int status, p[2];
	pid_t pid;

	test_expect_errno(wait4(getppid(), &status, WNOHANG, NULL), ECHILD,
	    "wait4(parent)");
	test_expect_errno(wait4(getpid(), &status, WNOHANG, NULL), ECHILD,
	    "wait4(self)");
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		/* The sibling (our grandchild's parent's child) is not ours. */
		pid_t gc = fork();
		if (gc == 0)
			_exit(0);
		_exit(write(p[1], &gc, sizeof(gc)) == sizeof(gc) &&
			    wait4(gc, &status, 0, NULL) == gc ?
			0 :
			1);
	}
	pid_t gc;
	test_expect_eq(test_read_full(p[0], &gc, sizeof(gc)), sizeof(gc),
	    "read");
	test_expect_errno(wait4(gc, &status, WNOHANG, NULL), ECHILD,
	    "wait4(grandchild)");
	test_expect_exit(pid, 0, "child");
}

/* ---------------------------------------------------------------------
 * Signals from faults and from kill.
 */

/* `a` as a pointer the compiler cannot reason about. */
static volatile long *
hide(uintptr_t a)
{
	__asm__ volatile("" : "+r"(a));
	return (volatile long *)a;
}

static void
fault_null_read(void)
{
	(void)*hide(0);
}
static void
fault_null_write(void)
{
	*hide(8) = 1;
}
static void
fault_null_call(void)
{
	__asm__ volatile("call *%0" ::"r"(0UL));
}
static void
fault_kernel_read(void)
{
	(void)*hide(TEST_KERNEL_TEXT);
}
static void
fault_dmap_write(void)
{
	*hide(TEST_DIRECT_MAP) = 1;
}
static void
fault_noncanon(void)
{
	(void)*hide(TEST_NONCANON_HI);
}
static void
fault_noncanon_lo(void)
{
	(void)*hide(TEST_NONCANON_LO);
}
static void
fault_text_write(void)
{
	*hide((uintptr_t)t_fork_basic) = 0;
}
static void
fault_hlt(void)
{
	__asm__ volatile("hlt");
}
static void
fault_cli(void)
{
	__asm__ volatile("cli");
}
static void
fault_int40(void)
{
	__asm__ volatile("int $0x40");
}
static void
fault_ud2(void)
{
	__asm__ volatile("ud2");
}
static void
fault_int3(void)
{
	__asm__ volatile("int3");
}

static void
fault_div0(void)
{
	__asm__ volatile("xor %%edx, %%edx; divl %%ecx" ::"a"(1), "c"(0)
			 : "rdx");
}

static void
fault_idiv_overflow(void)
{
	__asm__ volatile("cltd; idivl %%ecx" ::"a"(INT_MIN), "c"(-1) : "rdx");
}

/* A fault to provoke, and the signal it must end the process with. */
struct fault_case {
	void (*fn)(void);
	int sig;
	const char *what;
};

/* test_expect_child_signal's child: make the fault of *arg. */
static void
run_fault(void *arg)
{
	((const struct fault_case *)arg)->fn();
}

/* Each fault ends the process with the signal ABI.md names for it. */
static void
t_fault_signals(void)
{
	static const struct fault_case faults[] = {
		{ fault_null_read, SIGSEGV, "read NULL" },
		{ fault_null_write, SIGSEGV, "write NULL+8" },
		{ fault_null_call, SIGSEGV, "call NULL" },
		{ fault_kernel_read, SIGSEGV, "read kernel text" },
		{ fault_dmap_write, SIGSEGV, "write the direct map" },
		{ fault_noncanon, SIGSEGV, "read 0x8000000000000000" },
		{ fault_noncanon_lo, SIGSEGV, "read 0x0000800000000000" },
		{ fault_text_write, SIGSEGV, "write program text" },
		{ fault_hlt, SIGSEGV, "hlt" },
		{ fault_cli, SIGSEGV, "cli" },
		{ fault_int40, SIGSEGV, "int $0x40" },
		{ fault_ud2, SIGILL, "ud2" },
		{ fault_int3, SIGTRAP, "int3" },
		{ fault_div0, SIGFPE, "divide by zero" },
		{ fault_idiv_overflow, SIGFPE, "INT_MIN / -1" },
	};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		test_expect_child_signal(run_fault, (void *)&faults[i],
		    faults[i].sig, faults[i].what);
}

/* Ignore and block every signal a fault raises, then make fault *arg. */
static void
fault_ignored(void *arg)
{
	const int sigs[] = { SIGSEGV, SIGILL, SIGTRAP, SIGFPE };
	uint64_t all = ~0ULL;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 8);
	run_fault(arg);
}

/*
 * A fault kills even when its signal is ignored and blocked (as Linux
 * forces it): the process may not go back to the faulting instruction.
 */
static void
t_fault_ignored(void)
{
	static const struct fault_case faults[] = {
		{ fault_null_read, SIGSEGV, "read NULL, SIGSEGV ignored" },
		{ fault_noncanon, SIGSEGV, "#GP, SIGSEGV ignored" },
		{ fault_ud2, SIGILL, "ud2, SIGILL ignored" },
		{ fault_int3, SIGTRAP, "int3, SIGTRAP ignored" },
		{ fault_div0, SIGFPE, "divide by zero, SIGFPE ignored" },
	};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		test_expect_child_signal(fault_ignored, (void *)&faults[i],
		    faults[i].sig, faults[i].what);
}

/* A child that sleeps (mode 0), blocks on a pipe (1) or spins (2). */
static pid_t
waiting_child(int mode, int p[2])
{
	pid_t pid = test_fork();
	char c;

	if (pid == 0) {
		close(p[1]);
		if (mode == 0)
			test_sleep_ns(10000 * MS);
		else if (mode == 1)
			read(p[0], &c, 1);
		else
			for (volatile int spin = 0;; spin++)
				;
		_exit(0);
	}
	test_sleep_ns(20 * MS); /* let it get there */
	return pid;
}

/* SIGKILL and SIGTERM end a sleeping, blocked or running child at once. */
static void
t_kill_waiting(void)
{
	static const char *const modes[] = { "sleeping", "blocked", "running" };
	const int sigs[] = { SIGKILL, SIGTERM };
	char what[64];
	int p[2];

	for (int mode = 0; mode < 3; mode++) {
		for (int s = 0; s < 2; s++) {
			uint64_t t0;
			pid_t pid;
			test_pipe(p);
			pid = waiting_child(mode, p);
			t0 = test_now_ns();
			test_expect_eq(kill(pid, sigs[s]), 0, "kill");
			snprintf(what, sizeof(what), "%s to a %s child",
			    test_signame(sigs[s]), modes[mode]);
			test_expect_signal(pid, sigs[s], what);
			test_assert_msg(test_now_ns() - t0 < 2000 * MS,
			    "%s took %llu ms", what,
			    (unsigned long long)((test_now_ns() - t0) / MS));
			close(p[0]);
			close(p[1]);
		}
	}
}

/* Signal 0 probes: a live child and a zombie exist, a reaped one not. */
static void
t_kill_probe(void)
{
	int p[2], status;
	pid_t pid;

	test_pipe(p);
	pid = waiting_child(1, p);
	test_expect_eq(kill(pid, 0), 0, "kill(child, 0)");
	close(p[1]); /* the child reads EOF and exits */
	test_sleep_ns(30 * MS);
	test_expect_eq(kill(pid, 0), 0, "kill(zombie, 0)");
	test_expect_eq(wait4(pid, &status, 0, NULL), pid, "reap");
	test_expect_errno(kill(pid, 0), ESRCH, "kill(reaped, 0)");
	test_expect_errno(kill(pid, SIGKILL), ESRCH, "kill(reaped, SIGKILL)");
	test_expect_errno(kill(1 << 30, 0), ESRCH, "kill(1 << 30, 0)");
	test_expect_errno(kill(getpid(), 65), EINVAL, "kill(self, 65)");
	test_expect_errno(kill(getpid(), -1), EINVAL, "kill(self, -1)");
	test_expect_eq(kill(getpid(), 0), 0, "kill(self, 0)");
	test_expect_eq(kill(getppid(), 0), 0, "kill(parent, 0)");
	close(p[0]);
}

static void
kill_self(void *arg)
{
	(void)arg;
	kill(getpid(), SIGKILL);
	test_fail("kill(self, SIGKILL) returned");
}

/* A process can kill itself. */
static void
t_kill_self(void)
{
	test_expect_child_signal(kill_self, NULL, SIGKILL,
	    "kill(self, SIGKILL)");
}

/* An ignored SIGTERM does nothing; SIGKILL cannot be ignored. */
static void
t_kill_ignored(void)
{
	int p[2], status;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		char c;
		signal(SIGTERM, SIG_IGN);
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	test_sleep_ns(20 * MS);
	test_expect_eq(kill(pid, SIGTERM), 0, "kill SIGTERM");
	test_sleep_ns(20 * MS);
	test_expect_eq(wait4(pid, &status, WNOHANG, NULL), 0,
	    "child ignoring SIGTERM still runs");
	test_expect_eq(kill(pid, SIGKILL), 0, "kill SIGKILL");
	test_expect_signal(pid, SIGKILL, "SIGKILL to a child ignoring SIGTERM");
}

/* Signals whose default is to be ignored (SIGCHLD...) do nothing. */
static void
t_kill_default_ignore(void)
{
	const int sigs[] = { SIGCHLD, SIGURG, SIGWINCH };
	int p[2], status;
	pid_t pid;

	test_pipe(p);
	pid = waiting_child(1, p);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		test_expect_eq(kill(pid, sigs[i]), 0, test_signame(sigs[i]));
	test_sleep_ns(20 * MS);
	test_expect_eq(wait4(pid, &status, WNOHANG, NULL), 0,
	    "child still runs after SIGCHLD, SIGURG, SIGWINCH");
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "child");
}

/*
 * A grandchild whose parent exits is given to init: it sees getppid()
 * become 1 (on Linux: anything but the dead parent, a subreaper may take
 * it).  A zombie grandchild left behind is reaped by init.  On our kernel
 * the process count then comes back.
 */
static void
t_orphan(void)
{
	struct kstat base, now;
	int p[2], ppid = -1;
	pid_t pid;

	if (test_native)
		test_expect_eq(test_kstat(&base), 0, "kstat");
	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		pid_t me = getpid();
		if (fork() == 0)
			_exit(0); /* a zombie for init */
		if (fork() == 0) {
			uint64_t end = test_now_ns() + 5000 * MS;
			int pp = getppid();
			close(p[0]);
			while (pp == me && test_now_ns() < end) {
				test_sleep_ns(MS);
				pp = getppid();
			}
			_exit(
			    write(p[1], &pp, sizeof(pp)) == sizeof(pp) ? 0 : 1);
		}
		_exit(0);
	}
	close(p[1]);
	test_expect_exit(pid, 0, "middle child");
	test_expect_eq(test_read_full(p[0], &ppid, sizeof(ppid)), sizeof(ppid),
	    "read the orphan's parent");
	if (test_native)
		test_expect_eq(ppid, 1, "the orphan's getppid()");
	else
		test_assert_msg(ppid != pid, "the orphan's parent is still %d",
		    ppid);
	if (!test_native)
		return;
	for (int i = 0; i < 500; i++) {
		test_kstat(&now);
		if (now.ks_nprocs == base.ks_nprocs)
			return;
		test_sleep_ns(10 * MS);
	}
	test_fail("processes: %llu before, still %llu 5 s after the orphans "
		  "ended",
	    (unsigned long long)base.ks_nprocs,
	    (unsigned long long)now.ks_nprocs);
}

/* ---------------------------------------------------------------------
 * Ids, uname, time.
 */

/* getpid, getppid, gettid and set_tid_address agree. */
static void
t_ids(void)
{
	long tid = syscall(SYS_gettid);
	int dummy;

	test_assert_msg(getpid() > 0 && getppid() > 0, "getpid %d getppid %d",
	    (int)getpid(), (int)getppid());
	test_assert_msg(tid > 0, "gettid %ld", tid);
	test_expect_eq(syscall(SYS_getpid), getpid(), "getpid twice");
	test_expect_eq(syscall(SYS_set_tid_address, &dummy), tid,
	    "set_tid_address returns the tid");
	if (test_native)
		test_expect_eq(test_raw0(SYS_lwp_gettid), tid,
		    "lwp_gettid against gettid");
	else
		test_expect_eq(tid, getpid(),
		    "Linux: main thread's tid is pid");
}

/* uname: NUL-terminated fields, machine x86_64, sysname ours. */
static void
t_uname(void)
{
	struct utsname u;
	const char *fields[] = { u.sysname, u.nodename, u.release, u.version,
		u.machine };

	memset(&u, 0xff, sizeof(u));
	test_expect_eq(syscall(SYS_uname, &u), 0, "uname");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		test_assert_msg(memchr(fields[i], '\0', 65) != NULL,
		    "uname field %zu is not NUL-terminated", i);
	test_assert_msg(u.sysname[0] != '\0', "empty sysname");
	test_assert_msg(strcmp(u.machine, "x86_64") == 0, "machine \"%s\"",
	    u.machine);
	if (test_native)
		test_assert_msg(strcmp(u.sysname, "Linux") != 0,
		    "our kernel calls itself Linux");
}

/* CLOCK_MONOTONIC never goes back; bad clock ids are EINVAL. */
static void
t_clock(void)
{
	struct timespec a, b;
	uint64_t prev = 0;

	for (int i = 0; i < 1000; i++) {
		test_expect_eq(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a),
		    0, "clock_gettime(CLOCK_MONOTONIC)");
		test_assert_msg(a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
		    "tv_nsec %ld", a.tv_nsec);
		uint64_t t = a.tv_sec * 1000000000ULL + a.tv_nsec;
		test_assert_msg(t >= prev,
		    "CLOCK_MONOTONIC went back from %llu "
		    "to %llu",
		    (unsigned long long)prev, (unsigned long long)t);
		prev = t;
	}
	test_expect_eq(syscall(SYS_clock_gettime, CLOCK_REALTIME, &b), 0,
	    "clock_gettime(CLOCK_REALTIME)");
	test_assert_msg(b.tv_sec >= 0 && b.tv_nsec >= 0 &&
		b.tv_nsec < 1000000000,
	    "CLOCK_REALTIME %lld.%09ld", (long long)b.tv_sec, b.tv_nsec);
	test_sleep_ns(10 * MS);
	test_assert_msg(test_now_ns() - prev >= 10 * MS,
	    "CLOCK_MONOTONIC moved less than a 10 ms sleep");
	test_expect_errno(syscall(SYS_clock_gettime, 100, &a), EINVAL,
	    "clock 100");
	test_expect_errno(syscall(SYS_clock_gettime, 1000000, &a), EINVAL,
	    "clock 1000000");
}

/*
 * syscalls.master: clocks 0-7 and CLOCK_TAI (11) exist; the alarm clocks
 * (8, 9), CLOCK_SGI_CYCLE (10) and the negative (per-pid) ids do not.
 */
static void
t_clock_native(void)
{
	struct timespec ts;
	char what[32];

	for (int id = -2; id < 13; id++) {
		int exists = (id >= 0 && id <= 7) || id == 11;

		snprintf(what, sizeof(what), "clock %d", id);
		if (exists)
			test_expect_ok(syscall(SYS_clock_gettime, id, &ts),
			    what);
		else
			test_expect_errno(syscall(SYS_clock_gettime, id, &ts),
			    EINVAL, what);
	}
}

/* nanosleep sleeps at least what was asked; bad times are EINVAL. */
static void
t_nanosleep(void)
{
	struct timespec req = { 0, 20 * MS }, zero = { 0, 0 };
	struct timespec bad[] = { { 0, 1000000000 }, { 0, -1 }, { -1, 0 } };
	uint64_t t0 = test_now_ns(), dt;

	test_expect_eq(syscall(SYS_nanosleep, &req, NULL), 0, "sleep 20 ms");
	dt = test_now_ns() - t0;
	test_assert_msg(dt >= 20 * MS, "slept %llu ns of 20 ms",
	    (unsigned long long)dt);
	test_assert_msg(dt < 2000 * MS, "a 20 ms sleep took %llu ms",
	    (unsigned long long)(dt / MS));
	test_expect_eq(syscall(SYS_nanosleep, &zero, NULL), 0, "sleep 0");
	req.tv_nsec = 1;
	test_expect_eq(syscall(SYS_nanosleep, &req, &zero), 0, "sleep 1 ns");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_expect_errno(syscall(SYS_nanosleep, &bad[i], NULL), EINVAL,
		    "nanosleep with a bad time");
}

/* sched_yield returns 0, alone and with another process running. */
static void
t_sched_yield(void)
{
	int p[2];
	pid_t pid;

	for (int i = 0; i < 100; i++)
		test_expect_eq(syscall(SYS_sched_yield), 0, "sched_yield");
	test_pipe(p);
	pid = waiting_child(2, p);
	for (int i = 0; i < 100; i++)
		test_expect_eq(syscall(SYS_sched_yield), 0, "sched_yield");
	kill(pid, SIGKILL);
	test_expect_signal(pid, SIGKILL, "spinning child");
}

/* ---------------------------------------------------------------------
 * arch_prctl and the signal calls.
 */

struct fs_probe {
	long set, get, restore;
	unsigned long got, seen;
};

/*
 * Point FS at `tcb`, read %fs:0 and ARCH_GET_FS, and put the old base
 * back, with raw calls only: nothing may use musl's thread pointer
 * (errno, the stack protector) while FS is not musl's.
 */
static void __attribute__((noinline))
fs_round_trip(unsigned long old, unsigned long *tcb, struct fs_probe *pr)
{
	pr->set = test_raw3(158, ARCH_SET_FS, (long)tcb, 0);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(pr->seen));
	pr->get = test_raw3(158, ARCH_GET_FS, (long)&pr->got, 0);
	pr->restore = test_raw3(158, ARCH_SET_FS, (long)old, 0);
}

/* ARCH_SET_FS and ARCH_GET_FS round trip; bad codes and bases fail. */
static void
t_arch_prctl(void)
{
	static unsigned long tcb[8] = { 0x1234abcd5678ef00UL };
	const unsigned long bad[] = { VM_MAX_USER_ADDRESS, TEST_NONCANON_LO,
		TEST_DIRECT_MAP, TEST_KERNEL_TEXT };
	struct fs_probe pr;
	unsigned long old = 0;
	long r;

	test_expect_eq(syscall(SYS_arch_prctl, ARCH_GET_FS, &old), 0,
	    "ARCH_GET_FS");
	test_assert_msg(old != 0, "musl's FS base is 0");
	fs_round_trip(old, tcb, &pr);
	test_expect_eq(pr.set, 0, "ARCH_SET_FS");
	test_expect_eq(pr.seen, tcb[0], "%fs:0 after ARCH_SET_FS");
	test_expect_eq(pr.get, 0, "ARCH_GET_FS");
	test_expect_eq(pr.got, (long)tcb, "ARCH_GET_FS result");
	test_expect_eq(pr.restore, 0, "ARCH_SET_FS back");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = test_raw3(158, ARCH_SET_FS, (long)bad[i], 0);
		if (r == 0)
			test_raw3(158, ARCH_SET_FS, (long)old, 0);
		test_expect_raw_errno(r, EPERM,
		    "ARCH_SET_FS outside user memory");
	}
	test_expect_errno(syscall(SYS_arch_prctl, 0x1234, &old), EINVAL,
	    "arch_prctl code 0x1234");
	test_expect_errno(syscall(SYS_arch_prctl, 0, &old), EINVAL,
	    "arch_prctl code 0");
}

/* syscalls.master: the GS calls are EINVAL. */
static void
t_arch_prctl_native(void)
{
	unsigned long v;

	test_expect_errno(syscall(SYS_arch_prctl, ARCH_GET_GS, &v), EINVAL,
	    "ARCH_GET_GS");
	test_expect_errno(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x10000), EINVAL,
	    "ARCH_SET_GS");
}

/* rt_sigprocmask keeps the mask and reports it back. */
static void
t_sigprocmask(void)
{
	uint64_t u1 = sigbit(SIGUSR1), u2 = sigbit(SIGUSR2), old, cur;

	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &u1, &old, 8),
	    0, "SIG_SETMASK");
	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8), 0,
	    "read the mask");
	test_expect_eq(cur, u1, "mask after SIG_SETMASK");
	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &u2, NULL, 8), 0,
	    "SIG_BLOCK");
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
	test_expect_eq(cur, u1 | u2, "mask after SIG_BLOCK");
	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &u1, NULL, 8),
	    0, "SIG_UNBLOCK");
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
	test_expect_eq(cur, u2, "mask after SIG_UNBLOCK");
	test_expect_errno(syscall(SYS_rt_sigprocmask, 5, &u1, NULL, 8), EINVAL,
	    "how 5");
	test_expect_errno(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &u1, NULL, 4),
	    EINVAL, "sigsetsize 4");
	test_expect_eq(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8),
	    0, "restore the mask");
}

/* rt_sigaction sets and reports SIG_IGN/SIG_DFL; fork inherits them. */
static void
t_sigaction(void)
{
	struct ksigaction ign = { (unsigned long)SIG_IGN, 0, 0, 0 };
	struct ksigaction dfl = { (unsigned long)SIG_DFL, 0, 0, 0 }, old;
	pid_t pid;

	test_expect_eq(syscall(SYS_rt_sigaction, SIGUSR1, &ign, &old, 8), 0,
	    "SIGUSR1 to SIG_IGN");
	test_expect_eq(old.handler, (long)SIG_DFL, "old action of SIGUSR1");
	test_expect_eq(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8), 0,
	    "read SIGUSR1's action");
	test_expect_eq(old.handler, (long)SIG_IGN, "SIGUSR1's action");

	pid = test_fork();
	if (pid == 0) {
		syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
		_exit(old.handler == (unsigned long)SIG_IGN ? 0 : 1);
	}
	test_expect_exit(pid, 0, "fork keeps SIG_IGN");
	test_expect_eq(syscall(SYS_rt_sigaction, SIGUSR1, &dfl, NULL, 8), 0,
	    "SIGUSR1 back to SIG_DFL");

	test_expect_errno(syscall(SYS_rt_sigaction, 0, &ign, NULL, 8), EINVAL,
	    "signal 0");
	test_expect_errno(syscall(SYS_rt_sigaction, 65, &ign, NULL, 8), EINVAL,
	    "signal 65");
	test_expect_errno(syscall(SYS_rt_sigaction, SIGKILL, &ign, NULL, 8),
	    EINVAL, "ignore SIGKILL");
	test_expect_errno(syscall(SYS_rt_sigaction, SIGSTOP, &ign, NULL, 8),
	    EINVAL, "ignore SIGSTOP");
	test_expect_eq(syscall(SYS_rt_sigaction, SIGKILL, NULL, &old, 8), 0,
	    "read SIGKILL's action");
	test_expect_errno(syscall(SYS_rt_sigaction, SIGUSR1, &ign, NULL, 4),
	    EINVAL, "sigsetsize 4");
}

/* ---------------------------------------------------------------------
 * Stress.
 */

/*
 * Fork children that each wait on a pipe until fork fails; the failure
 * must be EAGAIN or ENOMEM.  Then all children are released and reaped
 * (the runner's leak check then wants every page back).
 */
static void
t_fork_until_failure(void)
{
	/* On Linux a few hundred make the point without loading the host. */
	int cap = test_native ? 10000 : 300, n = 0, err = 0, p[2], status;
	pid_t pid = 0;

	test_pipe(p);
	while (n < cap) {
		pid = fork();
		if (pid == 0) {
			char c;
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		n++;
	}
	close(p[1]);
	close(p[0]);
	/*
	 * With copy-on-write, fork succeeds while memory is short and a
	 * child's first write may then find no page: the kernel ends that
	 * child with SIGKILL (the "clean ENOMEM or SIGKILL").
	 */
	int killed = 0;
	for (int i = 0; i < n; i++) {
		long r = wait4(-1, &status, 0, NULL);
		if (r < 0)
			test_fail("wait4 failed with %s after reaping %d of %d",
			    test_errname(errno), i, n);
		if (test_native && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL) {
			killed++;
			continue;
		}
		test_assert_msg(status == 0, "child %ld: wait status 0x%x", r,
		    status);
	}
	if (killed > 0)
		test_note("%d children ended by SIGKILL (no page for a write)",
		    killed);
	test_expect_errno(wait4(-1, &status, WNOHANG, NULL), ECHILD,
	    "no children left");
	if (pid < 0) {
		test_assert_msg(err == EAGAIN || err == ENOMEM,
		    "fork number %d "
		    "failed with %s, expected EAGAIN or ENOMEM",
		    n + 1, test_errname(err));
		test_note("%d children, then fork failed with %s", n,
		    test_errname(err));
	} else {
		test_note("%d children without a failure", n);
	}
}

const struct test ut_proc_tests[] = {
	{ "proc_fork_basic", t_fork_basic, NULL },
	{ "proc_fork_fd_copy", t_fork_fd_copy, NULL },
	{ "proc_exit_status", t_exit_status, NULL },
	{ "proc_exit_calls", t_exit_calls, NULL },
	{ "proc_exec_argv", t_exec_argv, NULL },
	{ "proc_exec_envp", t_exec_envp, NULL },
	{ "proc_exec_auxv", t_exec_auxv, NULL },
	{ "proc_exec_ids", t_exec_ids, NULL },
	{ "proc_exec_fds", t_exec_fds, NULL },
	{ "proc_exec_sigstate", t_exec_sigstate, NULL },
	{ "proc_exec_errors", t_exec_errors, NULL },
	{ "proc_exec_native_errors", t_exec_native_errors,
	    "no non-ELF executable on the host; Linux says EACCES for dirs" },
	{ "proc_wait_echild", t_wait_echild, NULL },
	{ "proc_wait_wnohang", t_wait_wnohang, NULL },
	{ "proc_wait_specific", t_wait_specific, NULL },
	{ "proc_wait_einval", t_wait_einval, NULL },
	{ "proc_wait_not_child", t_wait_not_child, NULL },
	{ "proc_fault_signals", t_fault_signals, NULL },
	{ "proc_fault_ignored", t_fault_ignored, NULL },
	{ "proc_kill_waiting", t_kill_waiting, NULL },
	{ "proc_kill_probe", t_kill_probe, NULL },
	{ "proc_kill_self", t_kill_self, NULL },
	{ "proc_kill_ignored", t_kill_ignored, NULL },
	{ "proc_kill_default_ignore", t_kill_default_ignore, NULL },
	{ "proc_orphan", t_orphan, NULL },
	{ "proc_ids", t_ids, NULL },
	{ "proc_uname", t_uname, NULL },
	{ "proc_clock", t_clock, NULL },
	{ "proc_clock_native", t_clock_native, "Linux has more clocks" },
	{ "proc_nanosleep", t_nanosleep, NULL },
	{ "proc_sched_yield", t_sched_yield, NULL },
	{ "proc_arch_prctl", t_arch_prctl, NULL },
	{ "proc_arch_prctl_native", t_arch_prctl_native,
	    "Linux has the GS calls" },
	{ "proc_sigprocmask", t_sigprocmask, NULL },
	{ "proc_sigaction", t_sigaction, NULL },
	{ NULL, NULL, NULL },
};

const struct test ut_stress_tests[] = {
	{ "fork_until_failure", t_fork_until_failure, NULL },
	{ NULL, NULL, NULL },
};
