/*
 * System call emulation: the T_SYSCALL path.
 *
 * When a guest executes `syscall', vmspace_ctl returns to the vkernel
 * with the guest's registers as the instruction left them: the number in
 * rax, the arguments in rdi, rsi, rdx, r10, r8, r9, and (untouched here)
 * the return address in rcx and the flags in r11.  The vkernel does what
 * Linux would do for that guest, puts the result in rax (a value in
 * [-4095, -1] is -errno), and the next vmspace_ctl resumes the guest after
 * the instruction.  Nothing the guest asks is executed by the real kernel
 * on its behalf except through the vkernel's own calls.
 *
 * Three kinds of calls:
 *   - emulated: memory (mem.c), processes (proc.c), signals (sig.c), the
 *     descriptors and what may block (fd.c), and a few here;
 *   - forwarded: file calls, ids, clocks, uname... are made by the
 *     vkernel itself on the host kernel with the arguments translated,
 *     as the `forwards' table below says, letter by letter;
 *   - unknown: -ENOSYS, counted (with -v, traced and shown in the
 *     guest's line), which glibc, musl and BusyBox cope with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vkernel.h"

#include <asm/prctl.h> /* arch_prctl codes, Linux's own */

/* A handler gets the six argument registers and returns rax. */
typedef long syscall_fn(struct guest *g, const uint64_t a[6]);

/* A raw host system call: -errno on failure, as the guest expects. */
static long
host_syscall(long nr, const long a[6])
{
	long rv;
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];

	__asm__ volatile("syscall"
			 : "=a"(rv)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10),
			 "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return rv;
}

/*
 * Forwarded calls.  Each letter of sig says what the argument in that
 * position is, and how it becomes the host's:
 *   i   an integer, as it is
 *   f   a guest fd: its host fd (EBADF if not open)
 *   d   a directory fd: AT_FDCWD as it is, else as f
 *   p   a path (copied in; "/proc/self/exe" is the guest's program)
 *   P   as p, or NULL
 *   z   a pid: 0 or the guest's own id become 0 (the vkernel); another
 *       is ESRCH
 *   r   an output buffer whose length is the next argument (cut at
 *       VK_BUFMAX): the result's count of bytes is copied out
 *   w   an input buffer whose length is the next argument
 *   oN  an output struct of N bytes, or NULL: copied out on success
 *   nN  an input struct of N bytes, or NULL
 */
struct forward {
	int nr;
	const char *sig;
};

static const struct forward forwards[] = {
	{ SYS_stat, "po144" },
	{ SYS_fstat, "fo144" },
	{ SYS_lstat, "po144" },
	{ SYS_newfstatat, "dpo144i" },
	{ SYS_statx, "dpiio256" },
	{ SYS_lseek, "fii" },
	{ SYS_pread64, "frii" },
	{ SYS_pwrite64, "fwii" },
	{ SYS_access, "pi" },
	{ SYS_faccessat, "dpi" },
	{ SYS_faccessat2, "dpii" },
	{ SYS_readlink, "pri" },
	{ SYS_readlinkat, "dpri" },
	{ SYS_getcwd, "ri" },
	{ SYS_getdents64, "fri" },
	{ SYS_uname, "o390" },
	{ SYS_mkdir, "pi" },
	{ SYS_mkdirat, "dpi" },
	{ SYS_rmdir, "p" },
	{ SYS_unlink, "p" },
	{ SYS_unlinkat, "dpi" },
	{ SYS_rename, "pp" },
	{ SYS_renameat, "dpdp" },
	{ SYS_renameat2, "dpdpi" },
	{ SYS_symlink, "pp" },
	{ SYS_symlinkat, "pdp" },
	{ SYS_link, "pp" },
	{ SYS_linkat, "dpdpi" },
	{ SYS_mknod, "pii" },
	{ SYS_mknodat, "dpii" },
	{ SYS_chmod, "pi" },
	{ SYS_fchmod, "fi" },
	{ SYS_fchmodat, "dpi" },
	{ SYS_chown, "pii" },
	{ SYS_fchown, "fii" },
	{ SYS_lchown, "pii" },
	{ SYS_fchownat, "dpiii" },
	{ SYS_truncate, "pi" },
	{ SYS_ftruncate, "fi" },
	{ SYS_utimensat, "dPn32i" },
	{ SYS_statfs, "po120" },
	{ SYS_fstatfs, "fo120" },
	{ SYS_fsync, "f" },
	{ SYS_fdatasync, "f" },
	{ SYS_sync, "" },
	{ SYS_fadvise64, "fiii" },
	{ SYS_getuid, "" },
	{ SYS_getgid, "" },
	{ SYS_geteuid, "" },
	{ SYS_getegid, "" },
	{ SYS_getresuid, "o4o4o4" },
	{ SYS_getresgid, "o4o4o4" },
	{ SYS_getrandom, "rii" },
	{ SYS_clock_gettime, "io16" },
	{ SYS_clock_getres, "io16" },
	{ SYS_gettimeofday, "o16o8" },
	{ SYS_time, "o8" },
	{ SYS_times, "o32" },
	{ SYS_sysinfo, "o112" },
	{ SYS_getrusage, "io144" },
	{ SYS_getrlimit, "io16" },
	{ SYS_setrlimit, "in16" },
	{ SYS_prlimit64, "zin16o16" },
	{ SYS_sched_getaffinity, "zri" },
};

static long
forward(struct guest *g, const struct forward *f, const uint64_t a[6])
{
	long h[6];
	void *bufs[6] = { 0 };
	size_t sizes[6] = { 0 };
	char kinds[6] = { 0 };
	const char *s = f->sig;
	long rv = 0;
	int selfexe = 0;

	for (int i = 0; i < 6; i++)
		h[i] = (long)a[i];
	for (int i = 0; *s != '\0' && i < 6; i++) {
		char c = *s++;
		size_t n = 0;

		while (*s >= '0' && *s <= '9')
			n = n * 10 + (size_t)(*s++ - '0');
		kinds[i] = c;
		switch (c) {
		case 'i':
			break;
		case 'd':
			if ((int)a[i] == AT_FDCWD) {
				h[i] = AT_FDCWD;
				break;
			}
			/* FALLTHROUGH */
		case 'f':
			if ((h[i] = fd_host(g, (long)a[i])) < 0) {
				rv = -EBADF;
				goto out;
			}
			break;
		case 'z':
			if (a[i] != 0 && (long)a[i] != g->id) {
				rv = -ESRCH;
				goto out;
			}
			h[i] = 0;
			break;
		case 'p':
		case 'P':
			if (c == 'P' && a[i] == 0)
				break;
			if ((bufs[i] = malloc(4096)) == NULL) {
				rv = -ENOMEM;
				goto out;
			}
			if ((rv = guest_strcpy(g, bufs[i], a[i], 4096)) != 0)
				goto out;
			if (strcmp(bufs[i], "/proc/self/exe") == 0) {
				snprintf(bufs[i], 4096, "%s", g->name);
				selfexe = 1;
			}
			h[i] = (long)bufs[i];
			break;
		case 'r':
		case 'w':
			n = i < 5 && a[i + 1] < VK_BUFMAX ? a[i + 1] :
							    VK_BUFMAX;
			/* FALLTHROUGH */
		case 'o':
		case 'n':
			sizes[i] = n;
			if (a[i] == 0 && (c == 'o' || c == 'n'))
				break;
			if ((bufs[i] = calloc(1, n + 1)) == NULL) {
				rv = -ENOMEM;
				goto out;
			}
			if ((c == 'w' || c == 'n') &&
			    guest_read(g, bufs[i], a[i], n) != 0) {
				rv = -EFAULT;
				goto out;
			}
			h[i] = (long)bufs[i];
			if (c == 'r' || c == 'w')
				h[i + 1] = (long)n;
			break;
		}
	}
	/* readlink("/proc/self/exe"): the guest's program. */
	if ((f->nr == SYS_readlink || f->nr == SYS_readlinkat) && selfexe) {
		int i = f->nr == SYS_readlink ? 1 : 2;
		size_t len = strlen(g->name);

		rv = (long)(len < sizes[i] ? len : sizes[i]);
		memcpy(bufs[i], g->name, (size_t)rv);
		goto copyout;
	}
	rv = host_syscall(f->nr, h);
copyout:
	for (int i = 0; rv >= 0 && i < 6; i++) {
		size_t n = sizes[i];

		if (bufs[i] == NULL)
			continue;
		if (kinds[i] == 'r')
			n = (size_t)rv < n ? (size_t)rv : n;
		else if (kinds[i] != 'o')
			continue;
		if (guest_write(g, a[i], bufs[i], n) != 0)
			rv = -EFAULT;
	}
out:
	for (int i = 0; i < 6; i++)
		free(bufs[i]);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Emulated here.                                                     */

static long
sys_brk(struct guest *g, const uint64_t a[6])
{
	return (long)mem_brk(g, a[0]);
}

static long
sys_mmap(struct guest *g, const uint64_t a[6])
{
	return mem_mmap(g, a[0], a[1], (int)a[2], (int)a[3], (int)a[4], a[5]);
}

static long
sys_munmap(struct guest *g, const uint64_t a[6])
{
	return mem_munmap(g, a[0], a[1]);
}

static long
sys_mprotect(struct guest *g, const uint64_t a[6])
{
	return mem_mprotect(g, a[0], a[1], (int)a[2]);
}

static long
sys_madvise(struct guest *g, const uint64_t a[6])
{
	return mem_madvise(g, a[0], a[1], (int)a[2]);
}

/*
 * arch_prctl(ARCH_SET_FS, addr): the C library points FS at its thread
 * block.  The FS base is not a register the guest can set itself: it
 * lives in vx_fsbase, which every later vmspace_ctl loads.
 */
static long
sys_arch_prctl(struct guest *g, const uint64_t a[6])
{
	switch (a[0]) {
	case ARCH_SET_FS:
		if (a[1] >= VM_MAX_USER_ADDRESS)
			return -EPERM; /* vmspace_ctl would refuse it */
		g->vx.vx_fsbase = a[1];
		return 0;
	case ARCH_GET_FS:
		return guest_write(g, a[1], &g->vx.vx_fsbase, 8);
	default:
		return -EINVAL;
	}
}

/* set_tid_address: the guest's only thread has the guest's id. */
static long
sys_set_tid_address(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return g->id;
}

/* set_robust_list(head, len): one thread, which never dies before its
 * process: nothing to remember.  Linux's check on len is kept. */
static long
sys_set_robust_list(struct guest *g, const uint64_t a[6])
{
	(void)g;
	return a[1] == 24 ? 0 : -EINVAL;
}

static long
sys_sched_yield(struct guest *g, const uint64_t a[6])
{
	(void)g;
	(void)a;
	return 0;
}

/*
 * Sleep until deadline wake (CLOCK_MONOTONIC ns): the guest blocks, and
 * makes the call again when it wakes; the deadline is kept in g->wait
 * across the calls (sys_dispatch).
 */
static long
sleep_until(struct guest *g, uint64_t wake)
{
	if (g->wait.wake_at == 0)
		g->wait.wake_at = wake;
	if (now_ns() >= g->wait.wake_at)
		return 0;
	return VK_EBLOCK;
}

/* A struct timespec from the guest, in ns, or -errno. */
static int64_t
read_timespec(struct guest *g, uint64_t addr)
{
	int64_t ts[2];

	if (guest_read(g, ts, addr, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	if (ts[0] > INT64_MAX / 1000000000 - 1)
		return INT64_MAX / 2;
	return ts[0] * 1000000000 + ts[1];
}

/* nanosleep(req, rem); rem is written if a signal cuts it (sig.c). */
static long
sys_nanosleep(struct guest *g, const uint64_t a[6])
{
	int64_t ns = 0;

	if (g->wait.wake_at == 0 && (ns = read_timespec(g, a[0])) < 0)
		return ns;
	return sleep_until(g, now_ns() + (uint64_t)ns);
}

/* clock_nanosleep(clock, flags, req, rem): relative, or TIMER_ABSTIME on
 * CLOCK_MONOTONIC or CLOCK_REALTIME. */
static long
sys_clock_nanosleep(struct guest *g, const uint64_t a[6])
{
	int64_t ns = 0;
	struct timespec now;

	if (a[0] != CLOCK_MONOTONIC && a[0] != CLOCK_REALTIME)
		return -EINVAL;
	if (g->wait.wake_at != 0)
		return sleep_until(g, 0);
	if ((ns = read_timespec(g, a[2])) < 0)
		return ns;
	if (a[1] & TIMER_ABSTIME) {
		clock_gettime((clockid_t)a[0], &now);
		ns -= (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		if (ns < 0)
			ns = 0;
	}
	return sleep_until(g, now_ns() + (uint64_t)ns);
}

/* getgroups(size, list): forwarded with the list's size in bytes. */
static long
sys_getgroups(struct guest *g, const uint64_t a[6])
{
	uint32_t list[64];
	long n = getgroups(64, (gid_t *)list);

	if (n < 0)
		return -errno;
	if (a[0] == 0)
		return n;
	if ((long)a[0] < n)
		return -EINVAL;
	return guest_write(g, a[1], list, n * 4) != 0 ? -EFAULT : n;
}

/* The system call table, indexed by Linux's x86-64 numbers. */
static syscall_fn *const syscalls[] = {
	[SYS_read] = sys_read,
	[SYS_write] = sys_write,
	[SYS_readv] = sys_readv,
	[SYS_writev] = sys_writev,
	[SYS_open] = sys_open,
	[SYS_openat] = sys_openat,
	[SYS_creat] = sys_creat,
	[SYS_close] = sys_close,
	[SYS_dup] = sys_dup,
	[SYS_dup2] = sys_dup2,
	[SYS_dup3] = sys_dup3,
	[SYS_pipe] = sys_pipe,
	[SYS_pipe2] = sys_pipe2,
	[SYS_fcntl] = sys_fcntl,
	[SYS_flock] = sys_flock,
	[SYS_ioctl] = sys_ioctl,
	[SYS_poll] = sys_poll,
	[SYS_ppoll] = sys_ppoll,
	[SYS_chdir] = sys_chdir,
	[SYS_fchdir] = sys_fchdir,
	[SYS_umask] = sys_umask,
	[SYS_exit] = sys_exit,
	[SYS_exit_group] = sys_exit,
	[SYS_fork] = sys_fork,
	[SYS_vfork] = sys_fork,
	[SYS_clone] = sys_clone,
	[SYS_execve] = sys_execve,
	[SYS_wait4] = sys_wait4,
	[SYS_kill] = sys_kill,
	[SYS_tkill] = sys_tkill,
	[SYS_tgkill] = sys_tgkill,
	[SYS_getpid] = sys_getpid,
	[SYS_gettid] = sys_getpid,
	[SYS_getppid] = sys_getppid,
	[SYS_getpgid] = sys_getpgid,
	[SYS_getpgrp] = sys_getpgrp,
	[SYS_setpgid] = sys_setpgid,
	[SYS_getsid] = sys_getsid,
	[SYS_setsid] = sys_setsid,
	[SYS_rt_sigaction] = sys_rt_sigaction,
	[SYS_rt_sigprocmask] = sys_rt_sigprocmask,
	[SYS_rt_sigreturn] = sys_rt_sigreturn,
	[SYS_rt_sigsuspend] = sys_rt_sigsuspend,
	[SYS_rt_sigpending] = sys_rt_sigpending,
	[SYS_pause] = sys_pause,
	[SYS_brk] = sys_brk,
	[SYS_mmap] = sys_mmap,
	[SYS_munmap] = sys_munmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_madvise] = sys_madvise,
	[SYS_arch_prctl] = sys_arch_prctl,
	[SYS_set_tid_address] = sys_set_tid_address,
	[SYS_set_robust_list] = sys_set_robust_list,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_clock_nanosleep] = sys_clock_nanosleep,
	[SYS_getgroups] = sys_getgroups,
};

#define NSYSCALLS (sizeof(syscalls) / sizeof(syscalls[0]))

/*
 * Block the guest on its call (see "Blocking" in vkernel.h): it goes
 * back onto its `syscall' instruction with the number in rax, to make
 * the call again when what it waits for (g->wait) is there.
 */
static void
block(struct guest *g, uint64_t nr)
{
	g->tf.tf_rip -= 2; /* `syscall' is 0f 05 */
	g->tf.tf_rax = nr;
	g->restart = nr;
	g->state = GUEST_BLOCKED;
}

void
sys_dispatch(struct guest *g)
{
	struct trapframe *tf = &g->tf;
	uint64_t nr = tf->tf_rax;
	const uint64_t args[6] = { tf->tf_rdi, tf->tf_rsi, tf->tf_rdx,
		tf->tf_r10, tf->tf_r8, tf->tf_r9 };
	uint64_t wake = g->restart == nr ? g->wait.wake_at : 0;
	long rv = -ENOSYS;

	g->nsyscalls++;
	/* A deadline survives the call's being made again; the rest of
	 * what it waits for is set afresh by the handler. */
	memset(&g->wait, 0, sizeof(g->wait));
	g->wait.wake_at = wake;
	if (nr < NSYSCALLS && syscalls[nr] != NULL) {
		rv = syscalls[nr](g, args);
	} else {
		for (size_t i = 0; i < sizeof(forwards) / sizeof(forwards[0]);
		     i++) {
			if ((uint64_t)forwards[i].nr == nr) {
				rv = forward(g, &forwards[i], args);
				break;
			}
		}
	}
	if (!guest_alive(g)) {
		trace(g, "syscall %lu(0x%lx, 0x%lx, 0x%lx): ends the guest",
		    (unsigned long)nr, (unsigned long)args[0],
		    (unsigned long)args[1], (unsigned long)args[2]);
		return;
	}
	if (rv == VK_EBLOCK) {
		if (g->restart != nr)
			trace(g, "syscall %lu(0x%lx, 0x%lx, 0x%lx) blocks",
			    (unsigned long)nr, (unsigned long)args[0],
			    (unsigned long)args[1], (unsigned long)args[2]);
		block(g, nr);
		return;
	}
	if (rv == -ENOSYS)
		g->nenosys++;
	trace(g, "syscall %lu(0x%lx, 0x%lx, 0x%lx) = %ld%s", (unsigned long)nr,
	    (unsigned long)args[0], (unsigned long)args[1],
	    (unsigned long)args[2], rv, rv == -ENOSYS ? " (ENOSYS)" : "");
	g->restart = 0;
	g->wait.wake_at = 0;
	if (nr == SYS_execve && rv == 0)
		return; /* the new image's registers are set */
	tf->tf_rax = (uint64_t)rv;
}
