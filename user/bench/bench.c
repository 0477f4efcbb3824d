/*
 * bench: micro-benchmarks of the system calls that matter to the kernel's
 * design, counted in guest instructions.
 *
 * Under QEMU with `-icount shift=0` the TSC advances by one per guest
 * instruction, so `lfence; rdtsc` around a loop gives a repeatable
 * instruction count that includes everything the kernel did on the
 * program's behalf (system calls, page faults, context switches).  The
 * same static binary runs on this project's kernel and on Linux in the
 * same QEMU, and tests/bench.sh compares the two.  On real hardware the
 * numbers are cycles instead, which is fine for a sanity check.
 *
 * Output, one line per benchmark, then a final line:
 *
 *	bench NAME INSTRUCTIONS_PER_OP
 *	bench done
 *
 * INSTRUCTIONS_PER_OP has one decimal.  A benchmark that cannot run prints
 * `bench NAME error: REASON` instead and the program goes on.  On Linux
 * the vmspace rows measure Linux's nearest tools under the same names
 * (linux_tools, below); vmspace_lifecycle has none and gives an error.
 *
 * Usage: bench [NAME...]   (no arguments: every benchmark in the table)
 *        bench --scale [NAME...]   (the scaling workloads, below)
 *
 * With --scale it measures how the kernel scales with CPUs instead: each
 * workload of `scales` (a benchmark of the table, run as a whole by one
 * process, a few times over) is run by 1 and by 2 processes at once,
 * started together, in turns; the throughput is the operations of all of them divided by
 * the wall time from the first start to the last end (CLOCK_MONOTONIC:
 * this mode is meant for a QEMU without -icount, with several CPUs under
 * multi-threaded TCG, where instruction counts say nothing about time).
 * The best of SCALE_RUNS runs is printed, as operations per second:
 *
 *	bench scale_NAME_P OPS_PER_SECOND
 *
 * When the program is pid 1 on Linux (booted with rdinit=/init) it powers
 * the machine off at the end, so QEMU exits.  Anywhere else, including as
 * pid 1 on this project's kernel (whose QEMU exits when init exits), it
 * simply exits with status 0 (1 if an argument named no benchmark).
 *
 * To add a benchmark: write a function that performs N operations and
 * returns the instructions they took (measure only the operations, not
 * the setup), and add a row to the table `benches` below.  The row's
 * `arg` is passed to the function (the number of existing mappings for
 * the *_with_N rows); the function may ignore it.  A benchmark leaves
 * the process as it found it: it unmaps what it mapped (no static
 * buffers it writes: fork copies the mappings of every page this process
 * has touched, so they would make every later fork cost more), reaps its
 * children and restores what it changed.  New rows go at the end of the
 * table, or where they leave no trace, so that the rows before them
 * measure what they measured before.
 */
#define _GNU_SOURCE /* cpu_set_t, process_vm_readv and process_vm_writev */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <native.h>

/*
 * Read the time stamp counter.  The lfence keeps rdtsc from being executed
 * before the instructions that precede it (it matters on hardware; under
 * QEMU's TCG instructions retire in order anyway).
 */
static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

#define PAGE 4096L

/* Set by a benchmark that fails; main prints it instead of a number. */
static const char *bench_error;

/*
 * Set by main when the program runs on Linux outside --scale: the
 * vmspace rows then measure Linux's nearest tools (ptrace's
 * PTRACE_SYSEMU for a guest round trip, process_vm_readv and
 * process_vm_writev for vmspace_pread and vmspace_pwrite), so that the
 * same binary gives both figures.  Under --scale the vmspace workload
 * stays ours alone (Linux answers ENOSYS), as bench-scale.sh's goals
 * were set.
 */
static int linux_tools;

/* ------------------------------------------------------------------ */
/* The benchmarks.  Each performs n operations and returns their cost. */

/*
 * getppid: the cheapest system call that cannot be answered from a cache
 * in user space; measures syscall entry and exit.
 */
static uint64_t
bench_getppid(long n, long arg)
{
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		getppid();
	t1 = rdtsc();
	return t1 - t0;
}

/* getpid: the same, through musl's getpid (a system call every time). */
static uint64_t
bench_getpid(long n, long arg)
{
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		getpid();
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * The clocks through libc, as a program reads them: musl's
 * clock_gettime(CLOCK_MONOTONIC), gettimeofday and time.  musl answers
 * all three from the vDSO's __vdso_clock_gettime when the kernel passes
 * one (AT_SYSINFO_EHDR), else with the clock_gettime system call
 * (gettimeofday and time read CLOCK_REALTIME through it).
 */
static uint64_t
bench_clock_gettime(long n, long arg)
{
	struct timespec ts;
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
			bench_error = "clock_gettime failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

static uint64_t
bench_gettimeofday(long n, long arg)
{
	struct timeval tv;
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (gettimeofday(&tv, NULL) != 0) {
			bench_error = "gettimeofday failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

static uint64_t
bench_time(long n, long arg)
{
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (time(NULL) == (time_t)-1) {
			bench_error = "time failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * fork+exit+wait: fork a copy of this (small) process, the child exits at
 * once, the parent reaps it.  Measures process creation, copy-on-write
 * address space setup and teardown, and two context switches.
 */
static uint64_t
bench_fork_exit_wait(long n, long arg)
{
	uint64_t t0, t1;
	int status;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			bench_error = "fork failed";
			return 0;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			bench_error = "waitpid failed or child did not exit 0";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * pipe round trip: the parent writes one byte into pipe A, the child reads
 * it and writes one byte into pipe B, the parent reads that.  Measures
 * pipe read/write, sleeping and waking up, and two context switches per
 * round trip.  The child is started (and waited for) outside the timed
 * part; it echoes bytes until pipe A reaches end of file.
 */
static uint64_t
bench_pipe_roundtrip(long n, long arg)
{
	int a[2], b[2], status;
	uint64_t t0, t1 = 0;
	char c = 'x';
	pid_t pid;

	(void)arg;
	if (pipe(a) < 0 || pipe(b) < 0) {
		bench_error = "pipe failed";
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		bench_error = "fork failed";
		return 0;
	}
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);

	/* One untimed round trip, so the child is known to be running. */
	if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
		goto fail;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			goto fail;
	}
	t1 = rdtsc();
	close(a[1]); /* the child sees end of file and exits */
	close(b[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		bench_error = "echo child failed";
	return t1 - t0;

fail:
	bench_error = "pipe read or write failed";
	close(a[1]);
	close(b[0]);
	waitpid(pid, &status, 0);
	return 0;
}

/*
 * Let the children just made run until they block: a sleep of 10 ms,
 * during which this process is not runnable.  Each of them has already
 * said it runs (so it has taken its copy-on-write faults); this lets it
 * reach the call it blocks in, so that none of it falls in the timed
 * part that follows.
 */
static void
settle(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * fork_exit_wait_N: fork_exit_wait in a process that has `arg` other
 * children, each blocked reading a pipe the whole time; shows whether
 * fork, exit and wait cost more with the number of children (the goal:
 * flat).  The children are made before and reaped after the timed part:
 * each writes a byte to `ready` and then reads `p`; when the parent has
 * all the bytes it lets them settle.  At the end the parent closes `p`,
 * and they read end of file and exit; it reaps them with waitpid(-1), so
 * it keeps no list of them: a page of its own for one would be one more
 * mapping for every fork to copy, a cost that is not the children's.
 */
#define FEW_MAX_CHILDREN 1000

static uint64_t
bench_fork_exit_wait_with(long n, long arg)
{
	int p[2], ready[2], status;
	uint64_t insns = 0;
	long made;
	pid_t pid;
	char c;

	if (arg > FEW_MAX_CHILDREN) {
		bench_error = "too many children asked for";
		return 0;
	}
	if (pipe(p) < 0 || pipe(ready) < 0) {
		bench_error = "pipe failed";
		return 0;
	}
	for (made = 0; made < arg; made++) {
		pid = fork();
		if (pid < 0) {
			bench_error = "fork of a waiting child failed";
			break;
		}
		if (pid == 0) {
			close(p[1]);
			close(ready[0]);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			close(ready[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	close(p[0]);
	close(ready[1]);
	for (long i = 0; i < made; i++) {
		if (read(ready[0], &c, 1) != 1) {
			bench_error = "a waiting child did not start";
			break;
		}
	}
	close(ready[0]);
	if (bench_error == NULL) {
		settle();
		insns = bench_fork_exit_wait(n, 0);
	}
	close(p[1]); /* the waiting children read end of file and exit */
	for (long i = 0; i < made; i++) {
		pid = waitpid(-1, &status, 0);
		if ((pid < 0 || !WIFEXITED(status) ||
			WEXITSTATUS(status) != 0) &&
		    bench_error == NULL)
			bench_error = "a waiting child did not exit 0";
	}
	return insns;
}

/*
 * sched_yield ping-pong: two processes, this one and a child, each
 * calling sched_yield in a loop on one CPU, so that every yield switches
 * to the other.  With several CPUs both are pinned to the first CPU this
 * process may run on (and the affinity is restored afterwards).  The
 * child counts its yields in a shared page; the figure is the time of
 * the parent's n yields divided by the yields both made meanwhile, that
 * is per yield (each one a system call and a switch).  It is an error if
 * the child made fewer than half as many yields as the parent: then the
 * yields did not switch.
 */
struct yield_shared {
	volatile long ys_child_yields;
	volatile int ys_stop;
};

static uint64_t
bench_sched_yield_pingpong(long n, long arg)
{
	struct yield_shared *sh;
	cpu_set_t old, one;
	uint64_t t0 = 0, t1 = 0;
	long c0 = 0, c1 = 0;
	int pinned = 0, status;
	pid_t pid;

	(void)arg;
	sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		bench_error = "mmap of the shared page failed";
		return 0;
	}
	if (sched_getaffinity(0, sizeof(old), &old) == 0 &&
	    CPU_COUNT(&old) > 1) {
		CPU_ZERO(&one);
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &old)) {
				CPU_SET(cpu, &one);
				break;
			}
		}
		if (sched_setaffinity(0, sizeof(one), &one) != 0) {
			bench_error = "sched_setaffinity failed";
			munmap(sh, PAGE);
			return 0;
		}
		pinned = 1;
	}
	pid = fork();
	if (pid < 0) {
		bench_error = "fork failed";
		goto out;
	}
	if (pid == 0) {
		while (!sh->ys_stop) {
			sched_yield();
			sh->ys_child_yields++;
		}
		_exit(0);
	}
	while (sh->ys_child_yields == 0) /* until the child runs */
		sched_yield();
	c0 = sh->ys_child_yields;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		sched_yield();
	t1 = rdtsc();
	c1 = sh->ys_child_yields;
	sh->ys_stop = 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		bench_error = "the yielding child did not exit 0";
	else if (c1 - c0 < n / 2)
		bench_error = "the yields did not switch between the processes";
out:
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	munmap(sh, PAGE);
	if (bench_error != NULL)
		return 0;
	/* n parent yields' worth of the time per yield of either process */
	return (t1 - t0) * (uint64_t)n / (uint64_t)(n + c1 - c0);
}

/* ------------------------------------------------------------------ */
/* Memory.                                                              */

/*
 * A fresh private anonymous read-write region of `pages` pages, or NULL
 * (bench_error set).  Linux is asked not to back it with huge pages, so
 * that its first touches take one 4 KiB fault each, as ours do (our
 * kernel may refuse the advice; that is fine).
 */
static char *
map_region(long pages)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		bench_error = "mmap failed";
		return NULL;
	}
	madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
	return p;
}

/*
 * anon_fault: the first touch of a fresh anonymous page (a demand-zero
 * fault: allocate and clear a page, map it).  One mmap of n pages
 * outside the timed part, then n touches, one per page.
 */
static uint64_t
bench_anon_fault(long n, long arg)
{
	uint64_t t0, t1;
	char *p = map_region(n);

	(void)arg;
	if (p == NULL)
		return 0;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		((volatile char *)p)[i * PAGE] = 1;
	t1 = rdtsc();
	munmap(p, n * PAGE);
	return t1 - t0;
}

/* mmap_touch_munmap: map one page, write it, unmap it. */
static uint64_t
bench_mmap_touch_munmap(long n, long arg)
{
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			bench_error = "mmap failed";
			return 0;
		}
		*(volatile char *)p = 1;
		if (munmap(p, PAGE) != 0) {
			bench_error = "munmap failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * fork_1m: fork+exit+wait, as fork_exit_wait, of a process that has
 * written 1 MiB of anonymous memory: copy-on-write setup of 256 more
 * pages at fork and their release when the child exits (it touches
 * none).
 */
static uint64_t
bench_fork_1m(long n, long arg)
{
	const long pages = (1024 * 1024) / PAGE;
	char *p = map_region(pages);
	uint64_t insns;

	if (p == NULL)
		return 0;
	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	insns = bench_fork_exit_wait(n, arg);
	munmap(p, pages * PAGE);
	return insns;
}

/*
 * fork_exec_1m: fork, execve of /bench/big1m (a static program of 1 MiB,
 * nearly all initialized .data it never touches) in the child, which
 * exits 0 at once, and wait: what exec costs for the size of the file.
 */
static uint64_t
bench_fork_exec_1m(long n, long arg)
{
	static char *const argv[] = { "big1m", NULL }, *const envp[] = { NULL };
	uint64_t t0, t1;
	int status;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execve("/bench/big1m", argv, envp);
			_exit(127);
		}
		if (pid < 0) {
			bench_error = "fork failed";
			return 0;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			bench_error = "exec of /bench/big1m failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * Make `count` separate one-page mappings, each touched: a region of
 * 2 * count pages with every second page unmapped again, so that no two
 * can merge.  (No madvise here: on Linux it would set a flag that keeps
 * the hintless mmap of mmap_with_N from merging with a neighbour.)
 * Returns the region (for unmap_many), or NULL.
 */
static char *
map_many(long count)
{
	char *p = mmap(NULL, 2 * count * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		bench_error = "mmap failed";
		return NULL;
	}
	for (long i = 0; i < count; i++) {
		if (munmap(p + (2 * i + 1) * PAGE, PAGE) != 0) {
			bench_error = "munmap of a hole failed";
			munmap(p, 2 * count * PAGE);
			return NULL;
		}
		p[2 * i * PAGE] = 1;
	}
	return p;
}

static void
unmap_many(char *p, long count)
{
	munmap(p, 2 * count * PAGE);
}

/*
 * fault_with_N: anon_fault in a process that already has `arg` separate
 * mappings; measures how the fault's lookup scales with the map.
 */
static uint64_t
bench_fault_with(long n, long arg)
{
	char *many = map_many(arg);
	uint64_t insns;

	if (many == NULL)
		return 0;
	insns = bench_anon_fault(n, 0);
	unmap_many(many, arg);
	return insns;
}

/*
 * mmap_with_N: mmap (without a hint) and munmap of one page, untouched,
 * in a process that already has `arg` separate mappings; measures how
 * finding room and inserting scale with the map.
 */
static uint64_t
bench_mmap_with(long n, long arg)
{
	char *many = map_many(arg);
	uint64_t t0, t1;

	if (many == NULL)
		return 0;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || munmap(p, PAGE) != 0) {
			bench_error = "mmap or munmap failed";
			break;
		}
	}
	t1 = rdtsc();
	unmap_many(many, arg);
	return t1 - t0;
}

/* ------------------------------------------------------------------ */
/* The vmspace service, and Linux's nearest tools (linux_tools).       */

#define VMS_CODE 0x400000UL
#define VMS_STACK 0x800000UL

/*
 * The vmspace ids of this process's benchmarks: each benchmark names
 * its own from the pid, as processes forked from one that has made a
 * vmspace share its tree (bench --scale runs two at once).
 * vmspace_switch_N's guests are VMS_ID_SWITCH + 0, 1, ... N - 1.
 */
#define VMS_ID_ROUNDTRIP(pid) ((void *)(uintptr_t)(0x10000 + (pid)))
#define VMS_ID_RW(pid) ((void *)(uintptr_t)(0x20000000 + (pid)))
#define VMS_ID_SWITCH(i) ((void *)(uintptr_t)(0x40000000 + (i)))

/* The guest: 0: syscall ; 2: jmp 0 */
static const unsigned char vms_guest_code[] = { 0x0f, 0x05, 0xeb, 0xfc };

/*
 * Make the vmspace id with the guest's code at VMS_CODE; 0, or -1 with
 * bench_error set and nothing left behind.
 */
static int
vms_guest_create(void *id)
{
	if (vmspace_create(id, 0, NULL) != 0) {
		bench_error = "vmspace_create failed";
		return -1;
	}
	if (vmspace_mmap(id, (void *)VMS_CODE, PAGE, PROT_READ | PROT_EXEC,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    vmspace_pwrite(id, vms_guest_code, sizeof(vms_guest_code), 0,
		VMS_CODE) != (ssize_t)sizeof(vms_guest_code)) {
		bench_error = "vmspace set-up failed";
		vmspace_destroy(id);
		return -1;
	}
	return 0;
}

/*
 * One round trip into the guest of id: vmspace_ctl RUN enters it at its
 * `syscall`, and the call returns in the controller with T_SYSCALL.  0,
 * or -1 with bench_error set.
 */
static inline int
vms_guest_roundtrip(void *id, struct trapframe *tf, struct vextframe *vx)
{
	tf->tf_rip = VMS_CODE; /* run the syscall again */
	tf->tf_rsp = VMS_STACK;
	if (vmspace_ctl(id, VMSPACE_CTL_RUN, tf, vx) != 0 ||
	    tf->tf_trapno != T_SYSCALL) {
		bench_error = "the guest did not come back with T_SYSCALL";
		return -1;
	}
	return 0;
}

/*
 * Linux's counterpart of a guest: a child that stops itself under ptrace,
 * then loops on the `syscall` instruction (with getpid's number, which
 * PTRACE_SYSEMU never lets the kernel run).  A round trip is
 * ptrace(PTRACE_SYSEMU) and the waitpid that sees the child stopped at its
 * next system call: what a user-mode kernel such as UML does per guest
 * system call, less reading and writing the registers (which the
 * vmspace_ctl round trip includes), so it is Linux's cheapest figure.
 */
static int
sysemu_roundtrip(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_SYSEMU, pid, NULL, NULL) != 0 ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGTRAP) {
		bench_error = "a PTRACE_SYSEMU round trip failed";
		return -1;
	}
	return 0;
}

/* End a child of sysemu_child or rw_child and reap it. */
static void
child_end(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/*
 * Start a traced child for sysemu_roundtrip and make one round trip to
 * it, so that it is stopped in its loop.  Returns its pid, or -1 with
 * bench_error set and no child left.
 */
static pid_t
sysemu_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		bench_error = "fork failed";
		return -1;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(1);
		kill(getpid(), SIGSTOP);
		for (;;) {
			long rax = SYS_getpid;

			__asm__ volatile("syscall"
					 : "+a"(rax)
					 :
					 : "rcx", "r11", "memory");
		}
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP) {
		bench_error = "the traced child did not stop";
		child_end(pid);
		return -1;
	}
	if (sysemu_roundtrip(pid) != 0) {
		child_end(pid);
		return -1;
	}
	return pid;
}

/*
 * vmspace_roundtrip: one guest system call round trip (vms_guest_roundtrip),
 * in one vmspace, n times; on Linux, sysemu_roundtrip to one child.
 */
static uint64_t
bench_vmspace_roundtrip(long n, long arg)
{
	void *id = VMS_ID_ROUNDTRIP(getpid());
	struct vextframe vx = { 0, 0, 0 };
	struct trapframe tf;
	uint64_t t0, t1;
	pid_t pid;

	(void)arg;
	if (linux_tools) {
		if ((pid = sysemu_child()) < 0)
			return 0;
		t0 = rdtsc();
		for (long i = 0; i < n; i++)
			if (sysemu_roundtrip(pid) != 0)
				break;
		t1 = rdtsc();
		child_end(pid);
		return t1 - t0;
	}
	if (vms_guest_create(id) != 0)
		return 0;
	memset(&tf, 0, sizeof(tf));
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		if (vms_guest_roundtrip(id, &tf, &vx) != 0)
			break;
	t1 = rdtsc();
	vmspace_destroy(id);
	return t1 - t0;
}

/*
 * vmspace_switch_N: the round trip of vmspace_roundtrip, but to `arg`
 * guests in turn, each in its own vmspace (made, and run once, before
 * the timed part): each round trip switches to another address space,
 * and finds its id among `arg`.  On Linux: sysemu_roundtrip to `arg`
 * traced children in turn, each its own process and address space.
 */
#define VMS_SWITCH_MAX 1000

static uint64_t
bench_vmspace_switch(long n, long arg)
{
	size_t kids_bytes = VMS_SWITCH_MAX * sizeof(pid_t);
	struct vextframe vx = { 0, 0, 0 };
	struct trapframe tf;
	uint64_t t0 = 0, t1 = 0;
	pid_t *kids;
	long made;

	if (arg < 1 || arg > VMS_SWITCH_MAX) {
		bench_error = "guest count out of range";
		return 0;
	}
	kids = mmap(NULL, kids_bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (kids == MAP_FAILED) {
		bench_error = "mmap failed";
		return 0;
	}
	memset(&tf, 0, sizeof(tf));
	for (made = 0; made < arg; made++) {
		if (linux_tools) {
			if ((kids[made] = sysemu_child()) < 0)
				break;
		} else {
			if (vms_guest_create(VMS_ID_SWITCH(made)) != 0)
				break;
			if (vms_guest_roundtrip(VMS_ID_SWITCH(made), &tf,
				&vx) != 0) {
				vmspace_destroy(VMS_ID_SWITCH(made));
				break;
			}
		}
	}
	if (made == arg) {
		t0 = rdtsc();
		for (long i = 0; i < n; i++) {
			if (linux_tools ?
				sysemu_roundtrip(kids[i % arg]) != 0 :
				vms_guest_roundtrip(VMS_ID_SWITCH(i % arg), &tf,
				    &vx) != 0)
				break;
		}
		t1 = rdtsc();
	}
	for (long i = 0; i < made; i++) {
		if (linux_tools)
			child_end(kids[i]);
		else
			vmspace_destroy(VMS_ID_SWITCH(i));
	}
	munmap(kids, kids_bytes);
	return t1 - t0;
}

/*
 * vmspace_pread_64k and vmspace_pwrite_64k: copy 64 KiB out of and into
 * a vmspace whose 16 pages are mapped and already written once (so the
 * timed copies allocate nothing).  On Linux: process_vm_readv and
 * process_vm_writev of 64 KiB from and to a child that sleeps in pause(),
 * into a buffer of its own written once the same way.  The data is
 * checked after the timed part.
 */
#define VMS_RW_BYTES (64 * 1024)

/*
 * The caller's side of the copies and, on Linux, the child's (at the
 * same address in the child, which inherits the mapping; the parent
 * never touches it).  Mapped for the benchmark and unmapped after it.
 */
static char *vms_rw_local, *vms_rw_remote;

/* One copy of VMS_RW_BYTES; 0, or -1 with bench_error set. */
static int
vms_rw_once(void *id, pid_t pid, int write)
{
	struct iovec local = { vms_rw_local, VMS_RW_BYTES };
	struct iovec remote = { vms_rw_remote, VMS_RW_BYTES };
	ssize_t got;

	if (linux_tools)
		got = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0) :
			      process_vm_readv(pid, &local, 1, &remote, 1, 0);
	else
		got = write ?
		    vmspace_pwrite(id, vms_rw_local, VMS_RW_BYTES, 0,
			VMS_CODE) :
		    vmspace_pread(id, vms_rw_local, VMS_RW_BYTES, 0, VMS_CODE);
	if (got != VMS_RW_BYTES) {
		bench_error = write ? "a 64 KiB write into the guest failed" :
				      "a 64 KiB read from the guest failed";
		return -1;
	}
	return 0;
}

static uint64_t
bench_vmspace_rw(long n, int write)
{
	void *id = VMS_ID_RW(getpid());
	uint64_t t0 = 0, t1 = 0;
	pid_t pid = -1;
	char *both;

	both = mmap(NULL, 2 * VMS_RW_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (both == MAP_FAILED) {
		bench_error = "mmap failed";
		return 0;
	}
	vms_rw_local = both;
	vms_rw_remote = both + VMS_RW_BYTES;
	if (linux_tools) {
		pid = fork();
		if (pid < 0) {
			bench_error = "fork failed";
			goto unmap;
		}
		if (pid == 0) {
			for (;;)
				pause();
		}
		settle(); /* until the child sleeps in pause() */
	} else if (vmspace_create(id, 0, NULL) != 0 ||
	    vmspace_mmap(id, (void *)VMS_CODE, VMS_RW_BYTES,
		PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		-1, 0) == MAP_FAILED) {
		bench_error = "vmspace set-up failed";
		vmspace_destroy(id);
		goto unmap;
	}
	memset(vms_rw_local, 'v', VMS_RW_BYTES);
	if (vms_rw_once(id, pid, 1) != 0) /* the pages exist from here on */
		goto out;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		if (vms_rw_once(id, pid, write) != 0)
			goto out;
	t1 = rdtsc();
	/* What the guest holds is what was written. */
	memset(vms_rw_local, 0, VMS_RW_BYTES);
	if (vms_rw_once(id, pid, 0) != 0)
		goto out;
	for (long i = 0; i < VMS_RW_BYTES; i++) {
		if (vms_rw_local[i] != 'v') {
			bench_error =
			    "the guest's bytes differ from those written";
			break;
		}
	}
out:
	if (linux_tools)
		child_end(pid);
	else
		vmspace_destroy(id);
unmap:
	munmap(both, 2 * VMS_RW_BYTES);
	return t1 - t0;
}

static uint64_t
bench_vmspace_pread(long n, long arg)
{
	(void)arg;
	return bench_vmspace_rw(n, 0);
}

static uint64_t
bench_vmspace_pwrite(long n, long arg)
{
	(void)arg;
	return bench_vmspace_rw(n, 1);
}

/* create, map 16 pages, populate them (MADV_WILLNEED), destroy. */
static uint64_t
bench_vmspace_lifecycle(long n, long arg)
{
	static char id;
	uint64_t t0, t1;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (vmspace_create(&id, 0, NULL) != 0 ||
		    vmspace_mmap(&id, (void *)VMS_CODE, 16 * PAGE,
			PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			0) == MAP_FAILED ||
		    vmspace_mcontrol(&id, (void *)VMS_CODE, 16 * PAGE,
			3 /* MADV_WILLNEED */, 0) != 0 ||
		    vmspace_destroy(&id) != 0) {
			bench_error =
			    "vmspace create/map/populate/destroy failed";
			break;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * futex ping-pong: two threads of one process take turns through one
 * futex word, each waking the other (FUTEX_WAKE) and sleeping until its
 * turn (FUTEX_WAIT).  Measures a futex round trip: two wakes, two waits
 * and, on one CPU, two context switches between threads.  The partner
 * thread is made and joined outside the timed part.
 */
static volatile uint32_t pp_word;
static long pp_rounds;

static void
pp_futex(int op, uint32_t val)
{
	syscall(SYS_futex, &pp_word, op | 128 /* FUTEX_PRIVATE_FLAG */, val,
	    NULL, NULL, 0);
}

static void *
pp_partner(void *arg)
{
	(void)arg;
	for (long i = 0; i < pp_rounds; i++) {
		while (__atomic_load_n(&pp_word, __ATOMIC_ACQUIRE) == 0)
			pp_futex(0 /* FUTEX_WAIT */, 0);
		__atomic_store_n(&pp_word, 0, __ATOMIC_RELEASE);
		pp_futex(1 /* FUTEX_WAKE */, 1);
	}
	return NULL;
}

static uint64_t
bench_futex_pingpong(long n, long arg)
{
	pthread_t t;
	uint64_t t0, t1;

	(void)arg;
	pp_word = 0;
	pp_rounds = n;
	if (pthread_create(&t, NULL, pp_partner, NULL) != 0) {
		bench_error = "pthread_create failed";
		return 0;
	}
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		__atomic_store_n(&pp_word, 1, __ATOMIC_RELEASE);
		pp_futex(1 /* FUTEX_WAKE */, 1);
		while (__atomic_load_n(&pp_word, __ATOMIC_ACQUIRE) == 1)
			pp_futex(0 /* FUTEX_WAIT */, 1);
	}
	t1 = rdtsc();
	pthread_join(t, NULL);
	return t1 - t0;
}

/*
 * pthread_create + pthread_join of a thread that returns at once:
 * measures clone(CLONE_THREAD ...), the thread's stack mapping and
 * unmapping by musl, its exit with the clear-child-tid wake, and the
 * joiner's futex wait.
 */
static void *
tcj_thread(void *arg)
{
	return arg;
}

static uint64_t
bench_thread_create_join(long n, long arg)
{
	uint64_t t0, t1;
	pthread_t t;
	void *ret;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, tcj_thread, (void *)i) != 0 ||
		    pthread_join(t, &ret) != 0 || ret != (void *)i) {
			bench_error = "pthread_create or pthread_join failed";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * fork through clone(SIGCHLD), as glibc's fork() calls it, then exit and
 * wait: the same work as fork_exit_wait through the clone path.
 */
static uint64_t
bench_clone_fork(long n, long arg)
{
	uint64_t t0, t1;
	int status;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		long pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			bench_error = "clone(SIGCHLD) failed";
			return 0;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			bench_error = "waitpid failed or child did not exit 0";
			return 0;
		}
	}
	t1 = rdtsc();
	return t1 - t0;
}

/*
 * A signal to self with a handler that returns: kill(getpid(), SIGUSR1)
 * (one call), the frame built on the way out, the handler, and
 * rt_sigreturn through musl's restorer.
 */
static volatile long sig_self_hits;

static void
sig_self_handler(int sig)
{
	(void)sig;
	sig_self_hits++;
}

static uint64_t
bench_signal_self(long n, long arg)
{
	struct sigaction sa;
	pid_t self = getpid();
	uint64_t t0, t1;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_self_handler;
	if (sigaction(SIGUSR1, &sa, NULL) != 0) {
		bench_error = "sigaction failed";
		return 0;
	}
	sig_self_hits = 0;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		kill(self, SIGUSR1);
	t1 = rdtsc();
	if (sig_self_hits != n) {
		bench_error = "the handler did not run once per signal";
		return 0;
	}
	return t1 - t0;
}

/*
 * 64 KiB through a pipe: the parent writes 65,536 bytes in one call; a
 * child reads them all (in as many reads as it takes) and answers with
 * one byte on a second pipe.  One operation is one 64 KiB transfer and
 * its acknowledgement.
 */
#define PIPE64K (64 * 1024)

static uint64_t
bench_pipe_64k(long n, long arg)
{
	/* Mapped here and unmapped at the end: no page stays behind. */
	char *buf = map_region(PIPE64K / PAGE);
	int a[2], b[2], status;
	uint64_t t0, t1;
	char c = 'x';
	pid_t pid;

	(void)arg;
	if (buf == NULL)
		return 0;
	if (pipe(a) < 0 || pipe(b) < 0) {
		bench_error = "pipe failed";
		munmap(buf, PIPE64K);
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		bench_error = "fork failed";
		munmap(buf, PIPE64K);
		return 0;
	}
	if (pid == 0) {
		static char in[PIPE64K];
		long got = 0, r;

		close(a[1]);
		close(b[0]);
		while ((r = read(a[0], in, sizeof(in))) > 0) {
			got += r;
			if (got % PIPE64K == 0 && write(b[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(r == 0 ? 0 : 1);
	}
	close(a[0]);
	close(b[1]);
	memset(buf, 'p', PIPE64K);
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (write(a[1], buf, PIPE64K) != PIPE64K ||
		    read(b[0], &c, 1) != 1) {
			bench_error = "pipe read or write failed";
			break;
		}
	}
	t1 = rdtsc();
	munmap(buf, PIPE64K);
	close(a[1]);
	close(b[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		bench_error = "reading child failed";
	return t1 - t0;
}

/* ------------------------------------------------------------------ */
/* Files (tmpfs).                                                       */

/*
 * The directory the file benchmarks work in: /tmp/bench, on tmpfs on
 * both kernels (ours: the root's writable /tmp; Linux: a tmpfs that
 * main mounts on /tmp when it is init).  Paths are absolute, three
 * components, as a program opening its files would give them.
 */
#define FS_DIR "/tmp/bench"
#define FS_FILE FS_DIR "/file"
#define FS_BIG FS_DIR "/big" /* getdents_1000's directory */
#define FS_BIG_ENTRIES 1000

/*
 * Make FS_DIR, empty, and in it FS_FILE (4 KiB) if `file`.  0, or -1
 * with bench_error set.
 */
static int
fs_setup(int file)
{
	static char data[4096];
	int fd;

	(void)mkdir("/tmp", 01777);
	if (mkdir(FS_DIR, 0755) != 0 && errno != EEXIST) {
		bench_error = "mkdir " FS_DIR " failed";
		return -1;
	}
	if (!file)
		return 0;
	fd = open(FS_FILE, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0) {
		bench_error = "create " FS_FILE " failed";
		return -1;
	}
	if (write(fd, data, sizeof(data)) != sizeof(data)) {
		bench_error = "write " FS_FILE " failed";
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Remove what fs_setup made. */
static void
fs_teardown(void)
{
	unlink(FS_FILE);
	rmdir(FS_DIR);
}

/* open_close: open (O_RDONLY) and close an existing file by path. */
static uint64_t
bench_open_close(long n, long arg)
{
	uint64_t t0, t1;

	(void)arg;
	if (fs_setup(1) != 0)
		return 0;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		int fd = open(FS_FILE, O_RDONLY);

		if (fd < 0) {
			bench_error = "open failed";
			break;
		}
		close(fd);
	}
	t1 = rdtsc();
	fs_teardown();
	return t1 - t0;
}

/* stat: stat an existing file by path. */
static uint64_t
bench_stat(long n, long arg)
{
	struct stat st;
	uint64_t t0, t1;

	(void)arg;
	if (fs_setup(1) != 0)
		return 0;
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		if (stat(FS_FILE, &st) != 0 || st.st_size != 4096) {
			bench_error = "stat failed";
			break;
		}
	}
	t1 = rdtsc();
	fs_teardown();
	return t1 - t0;
}

/*
 * create_write_unlink: open with O_CREAT a file that does not exist,
 * write 4 KiB into it, close it, unlink it.
 */
static uint64_t
bench_create_write_unlink(long n, long arg)
{
	static char data[4096];
	uint64_t t0, t1;

	(void)arg;
	if (fs_setup(0) != 0)
		return 0;
	memset(data, 'w', sizeof(data));
	t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		int fd = open(FS_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0644);

		if (fd < 0) {
			bench_error = "create failed";
			break;
		}
		if (write(fd, data, sizeof(data)) != sizeof(data)) {
			bench_error = "write failed";
			close(fd);
			break;
		}
		close(fd);
		if (unlink(FS_FILE) != 0) {
			bench_error = "unlink failed";
			break;
		}
	}
	t1 = rdtsc();
	fs_teardown();
	return t1 - t0;
}

/*
 * getdents_1000: open a directory of 1,000 files (names f0000..f0999),
 * read it whole with getdents64 into a 64 KiB buffer (the entries and
 * "." and ".." fit in one call; the second returns 0), close it.  The
 * directory is made and removed outside the timed part.
 */
static uint64_t
bench_getdents_1000(long n, long arg)
{
	static char buf[65536];
	char name[64];
	uint64_t t0, insns = 0;
	long entries = 0;
	int i, fd;

	(void)arg;
	if (fs_setup(0) != 0)
		return 0;
	if (mkdir(FS_BIG, 0755) != 0 && errno != EEXIST) {
		bench_error = "mkdir " FS_BIG " failed";
		goto out;
	}
	for (i = 0; i < FS_BIG_ENTRIES; i++) {
		snprintf(name, sizeof(name), FS_BIG "/f%04d", i);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			bench_error = "create in " FS_BIG " failed";
			goto out;
		}
		close(fd);
	}
	t0 = rdtsc();
	for (long k = 0; k < n; k++) {
		long got;

		fd = open(FS_BIG, O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			bench_error = "open " FS_BIG " failed";
			goto out;
		}
		while (
		    (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			/* Count the records (. and .. too) of the first pass. */
			if (k == 0)
				for (long off = 0; off < got;
				     off += *(unsigned short *)(buf + off + 16))
					entries++;
		}
		close(fd);
		if (got < 0) {
			bench_error = "getdents64 failed";
			goto out;
		}
	}
	insns = rdtsc() - t0;
	if (n > 0 && entries != FS_BIG_ENTRIES + 2)
		bench_error = "getdents64 did not list 1,002 entries";
out:
	for (i = 0; i < FS_BIG_ENTRIES; i++) {
		snprintf(name, sizeof(name), FS_BIG "/f%04d", i);
		unlink(name);
	}
	rmdir(FS_BIG);
	fs_teardown();
	return insns;
}

/* ------------------------------------------------------------------ */
/* The table.                                                           */

struct bench {
	const char *name; /* as printed and as selected on argv */
	uint64_t (*run)(long n, long arg); /* n operations; instructions */
	long iterations;                   /* timed operations */
	long arg;                          /* passed to run */
};

static const struct bench benches[] = {
	{ "getppid", bench_getppid, 20000, 0 },
	{ "getpid", bench_getpid, 20000, 0 },
	{ "clock_gettime", bench_clock_gettime, 20000, 0 },
	{ "gettimeofday", bench_gettimeofday, 20000, 0 },
	{ "time", bench_time, 20000, 0 },
	{ "fork_exit_wait", bench_fork_exit_wait, 200, 0 },
	{ "fork_exit_wait_100", bench_fork_exit_wait_with, 200, 100 },
	{ "pipe_roundtrip", bench_pipe_roundtrip, 2000, 0 },
	{ "sched_yield_pingpong", bench_sched_yield_pingpong, 2000, 0 },
	{ "anon_fault", bench_anon_fault, 2000, 0 },
	{ "mmap_touch_munmap", bench_mmap_touch_munmap, 2000, 0 },
	{ "fork_1m", bench_fork_1m, 200, 0 },
	{ "fault_with_10", bench_fault_with, 1000, 10 },
	{ "fault_with_1000", bench_fault_with, 1000, 1000 },
	{ "fault_with_10000", bench_fault_with, 1000, 10000 },
	{ "vmspace_roundtrip", bench_vmspace_roundtrip, 2000, 0 },
	{ "vmspace_lifecycle", bench_vmspace_lifecycle, 200, 0 },
	{ "mmap_with_10", bench_mmap_with, 1000, 10 },
	{ "mmap_with_1000", bench_mmap_with, 1000, 1000 },
	{ "mmap_with_10000", bench_mmap_with, 1000, 10000 },
	{ "futex_pingpong", bench_futex_pingpong, 2000, 0 },
	{ "thread_create_join", bench_thread_create_join, 500, 0 },
	{ "clone_fork", bench_clone_fork, 200, 0 },
	{ "signal_self", bench_signal_self, 2000, 0 },
	{ "pipe_64k", bench_pipe_64k, 200, 0 },
	{ "open_close", bench_open_close, 2000, 0 },
	{ "stat", bench_stat, 2000, 0 },
	{ "create_write_unlink", bench_create_write_unlink, 1000, 0 },
	{ "getdents_1000", bench_getdents_1000, 50, 0 },
	{ "fork_exec_1m", bench_fork_exec_1m, 100, 0 },
	{ "vmspace_switch_1000", bench_vmspace_switch, 3000, VMS_SWITCH_MAX },
	{ "vmspace_pread_64k", bench_vmspace_pread, 200, 0 },
	{ "vmspace_pwrite_64k", bench_vmspace_pwrite, 200, 0 },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/*
 * Run one benchmark: a warm-up pass of a tenth of the iterations (so page
 * faults on first use, cold caches and lazily built kernel structures are
 * not counted), then the timed pass; print its line.
 */
static void
run_bench(const struct bench *b)
{
	long warm = b->iterations / 10 > 0 ? b->iterations / 10 : 1;
	uint64_t insns;

	bench_error = NULL;
	b->run(warm, b->arg);
	if (bench_error == NULL)
		insns = b->run(b->iterations, b->arg);
	if (bench_error != NULL) {
		printf("bench %s error: %s (errno %d)\n", b->name, bench_error,
		    errno);
		return;
	}
	printf("bench %s %.1f\n", b->name, (double)insns / b->iterations);
}

static const struct bench *
find_bench(const char *name)
{
	for (size_t i = 0; i < NBENCH; i++)
		if (strcmp(benches[i].name, name) == 0)
			return &benches[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Scaling: 1 and 2 processes at once (bench --scale).                  */

/*
 * The best of these is printed.  The host's noise (other threads on its
 * cores) strikes runs at random; a run of 2 processes needs both of its
 * CPUs spared at once, so it takes more runs than 1 process to find a
 * clean one.
 */
#define SCALE_RUNS 9
#define SCALE_MAX_PROCS 2

/*
 * user_loop: n rounds of arithmetic in user mode, no system call: how a
 * workload that shares nothing scales on this host, the ceiling for the
 * others (--scale only).
 */
static volatile uint64_t bench_sink;

static uint64_t
bench_user_loop(long n, long arg)
{
	uint64_t t0, t1, x = 0x9e3779b97f4a7c15ULL;

	(void)arg;
	t0 = rdtsc();
	for (long i = 0; i < n; i++)
		for (int j = 0; j < 1000; j++)
			x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL +
			    (uint64_t)j;
	t1 = rdtsc();
	bench_sink = x;
	return t1 - t0;
}

static const struct bench user_loop_bench = { "user_loop", bench_user_loop, 0,
	0 };

/*
 * The workloads: a benchmark of the table, its operations per call, and
 * the calls each process makes in one run (so that a run lasts a few
 * hundred milliseconds on either kernel, long enough for the host's
 * scheduling to even out).
 */
static const struct scale {
	const char *name; /* a name in benches[], or user_loop */
	long ops;
	int reps;
} scales[] = {
	{ "user_loop", 20000, 8 },
	{ "anon_fault", 12000, 8 },
	{ "fork_exit_wait", 400, 2 },
	{ "pipe_roundtrip", 6000, 1 },
	{ "vmspace_roundtrip", 12000, 3 },
};

#define NSCALE (sizeof(scales) / sizeof(scales[0]))

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What a scaling process sends back. */
struct scale_result {
	uint64_t start, end; /* CLOCK_MONOTONIC around its operations */
	int failed;
};

/*
 * Run b with `ops` operations, `reps` times over, in `procs` processes
 * started together; returns the throughput in operations per second, or -1 (bench_error
 * set).  Each process waits for a byte on `start` before it begins, and
 * writes its scale_result to `done`.
 */
static double
scale_once(const struct bench *b, long ops, int reps, int procs)
{
	struct scale_result r[SCALE_MAX_PROCS];
	int start[2], done[2], status, n = 0;
	uint64_t first = UINT64_MAX, last = 0;
	pid_t pids[SCALE_MAX_PROCS];

	if (pipe(start) < 0 || pipe(done) < 0) {
		bench_error = "pipe failed";
		return -1;
	}
	for (n = 0; n < procs; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			bench_error = "fork failed";
			break;
		}
		if (pids[n] == 0) {
			struct scale_result me = { 0, 0, 0 };
			char c;

			close(start[1]);
			close(done[0]);
			if (read(start[0], &c, 1) != 1)
				_exit(1);
			me.start = now_ns();
			for (int k = 0; k < reps && bench_error == NULL; k++)
				b->run(ops, b->arg);
			me.end = now_ns();
			me.failed = bench_error != NULL;
			_exit(write(done[1], &me, sizeof(me)) == sizeof(me) ?
				0 :
				1);
		}
	}
	close(start[0]);
	close(done[1]);
	/* Release them all at once. */
	for (int i = 0; i < n; i++)
		if (write(start[1], "g", 1) != 1)
			bench_error = "write to the start pipe failed";
	close(start[1]);
	for (int i = 0; i < n; i++) {
		if (read(done[0], &r[i], sizeof(r[i])) != sizeof(r[i]) ||
		    r[i].failed) {
			bench_error = "a process failed its workload";
			continue;
		}
		if (r[i].start < first)
			first = r[i].start;
		if (r[i].end > last)
			last = r[i].end;
	}
	close(done[0]);
	for (int i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bench_error = "a scaling process did not exit 0";
	if (bench_error != NULL || last <= first)
		return -1;
	return (double)ops * reps * procs * 1e9 / (double)(last - first);
}

/* One workload with 1 and 2 processes: a warm-up, then the best runs. */
static void
run_scale(const struct scale *s)
{
	double best[SCALE_MAX_PROCS] = { -1, -1 };
	const struct bench *b = strcmp(s->name, "user_loop") == 0 ?
	    &user_loop_bench :
	    find_bench(s->name);

	bench_error = NULL;
	if (b == NULL) {
		printf("bench scale_%s error: no such benchmark\n", s->name);
		return;
	}
	b->run(s->ops / 10, b->arg);
	if (bench_error != NULL) {
		printf("bench scale_%s error: %s (errno %d)\n", s->name,
		    bench_error, errno);
		return;
	}
	/*
	 * 1 process, then 2, then 1 again...: a stretch of host noise then
	 * costs both counts a run, not one count all of its runs.
	 */
	for (int run = 0; run < SCALE_RUNS; run++)
		for (int procs = 1; procs <= SCALE_MAX_PROCS; procs++) {
			double t = scale_once(b, s->ops, s->reps, procs);

			if (t > best[procs - 1])
				best[procs - 1] = t;
		}
	for (int procs = 1; procs <= SCALE_MAX_PROCS; procs++) {
		if (best[procs - 1] < 0)
			printf("bench scale_%s_%d error: %s\n", s->name, procs,
			    bench_error ? bench_error : "no time measured");
		else
			printf("bench scale_%s_%d %.1f\n", s->name, procs,
			    best[procs - 1]);
	}
}

/* ------------------------------------------------------------------ */
/* Running as init.                                                     */

/* Whether argv[2..] names `name`. */
static int
find_arg(int argc, char **argv, const char *name)
{
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static int
running_on_linux(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;
}

/*
 * As Linux's pid 1 from an initramfs, fds 0-2 are /dev/console when the
 * archive (or the kernel's built-in one) has that node.  If fd 1 is not
 * open, mount devtmpfs and open the console ourselves so the results
 * reach the serial port.
 */
static void
linux_init_console(void)
{
	int fd;

	if (fcntl(1, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR);
	if (fd < 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		fd = open("/dev/console", O_RDWR);
	}
	if (fd < 0)
		fd = open("/dev/ttyS0", O_RDWR);
	if (fd < 0)
		return; /* nowhere to print; run anyway */
	for (int i = 0; i <= 2; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/*
 * As Linux's pid 1, give the file benchmarks a tmpfs at /tmp: the
 * initramfs root is tmpfs too when the kernel has it (ramfs otherwise),
 * and a mount of its own makes the comparison tmpfs against tmpfs
 * either way.  On our kernel /tmp is the tmpfs root's own.
 */
static void
linux_init_tmp(void)
{
	(void)mkdir("/tmp", 01777);
	if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) != 0)
		printf("bench: mount tmpfs on /tmp failed (errno %d); the "
		       "file benchmarks run on the root\n",
		    errno);
}

int
main(int argc, char **argv)
{
	int linux_init = getpid() == 1 && running_on_linux();
	int status = 0;

	if (linux_init)
		linux_init_console();
	/* One line at a time, whether stdout is a terminal, pipe or file. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (linux_init)
		linux_init_tmp();

	if (argc >= 2 && strcmp(argv[1], "--scale") == 0) {
		for (size_t i = 0; i < NSCALE; i++)
			if (argc == 2 || find_arg(argc, argv, scales[i].name))
				run_scale(&scales[i]);
	} else if (argc <= 1) {
		linux_tools = running_on_linux();
		for (size_t i = 0; i < NBENCH; i++)
			run_bench(&benches[i]);
	} else {
		linux_tools = running_on_linux();
		for (int i = 1; i < argc; i++) {
			const struct bench *b = find_bench(argv[i]);

			if (b != NULL) {
				run_bench(b);
			} else {
				printf("bench %s error: no such benchmark\n",
				    argv[i]);
				status = 1;
			}
		}
	}
	printf("bench done\n");
	fflush(stdout);

	if (linux_init) {
		/* Let the serial port drain, then power off: QEMU exits. */
		tcdrain(1);
		sync();
		reboot(RB_POWER_OFF);
	}
	return status;
}
