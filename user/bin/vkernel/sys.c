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
 * The calls are those a static musl program makes to start, print and
 * exit; every other number gets -ENOSYS, which musl copes with.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vkernel.h"

#include <asm/prctl.h> /* arch_prctl codes, Linux's own */

/* A handler gets the six argument registers and returns rax. */
typedef long syscall_fn(struct guest *g, const uint64_t a[6]);

/*
 * write(fd, buf, count): the guest's fds 1 and 2 are the vkernel's.  The
 * bytes are copied out of the guest in chunks and written with the
 * vkernel's own write.  Returns the count written, or -errno if nothing
 * was.
 */
static long
do_write(struct guest *g, int fd, uint64_t buf, uint64_t count)
{
	char chunk[4096];
	uint64_t done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	while (done < count) {
		size_t n =
		    count - done < sizeof(chunk) ? count - done : sizeof(chunk);
		ssize_t w;

		if (guest_read(g, chunk, buf + done, n) != 0)
			return done > 0 ? (long)done : -EFAULT;
		for (size_t off = 0; off < n; off += (size_t)w) {
			w = write(fd, chunk + off, n - off);
			if (w < 0)
				return done + off > 0 ? (long)(done + off) :
							-errno;
		}
		done += n;
	}
	return (long)done;
}

static long
sys_write(struct guest *g, const uint64_t a[6])
{
	return do_write(g, (int)a[0], a[1], a[2]);
}

/* writev(fd, iov, iovcnt): write each buffer in turn. */
static long
sys_writev(struct guest *g, const uint64_t a[6])
{
	struct {
		uint64_t base, len;
	} iov[64]; /* Linux's struct iovec */
	int cnt = (int)a[2];
	long total = 0;

	if (cnt < 0 || cnt > 64)
		return -EINVAL; /* (Linux allows 1024; musl's stdio uses 2) */
	if (guest_read(g, iov, a[1], cnt * sizeof(iov[0])) != 0)
		return -EFAULT;
	for (int i = 0; i < cnt; i++) {
		long r = do_write(g, (int)a[0], iov[i].base, iov[i].len);

		if (r < 0)
			return total > 0 ? total : r;
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return total;
}

/* exit and exit_group: a guest has a single thread, so they are one. */
static long
sys_exit(struct guest *g, const uint64_t a[6])
{
	guest_exit(g, (int)(a[0] & 0xff));
	return 0;
}

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

/*
 * arch_prctl(ARCH_SET_FS, addr): musl points FS at its thread block.  The
 * FS base is not a register the guest can set itself: it lives in
 * vx_fsbase, which every later vmspace_ctl loads.
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

static long
sys_getpid(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return g->id;
}

/* ioctl: the guest's fds 0-2 are not terminals (musl's stdout asks with
 * TIOCGWINSZ, and then buffers fully instead of by line). */
static long
sys_ioctl(struct guest *g, const uint64_t a[6])
{
	(void)g;
	return a[0] <= 2 ? -ENOTTY : -EBADF;
}

/*
 * There are no signals: masks and handlers are accepted and forgotten,
 * and the old ones read as empty.  The last argument is the size of a
 * signal set, 8 on x86-64 (Linux refuses any other).
 */
static long
sys_rt_sigprocmask(struct guest *g, const uint64_t a[6])
{
	static const uint64_t empty;

	if (a[3] != 8)
		return -EINVAL;
	return a[2] != 0 ? guest_write(g, a[2], &empty, 8) : 0;
}

static long
sys_rt_sigaction(struct guest *g, const uint64_t a[6])
{
	static const uint64_t empty[4]; /* handler, flags, restorer, mask */

	if (a[3] != 8)
		return -EINVAL;
	return a[2] != 0 ? guest_write(g, a[2], empty, sizeof(empty)) : 0;
}

/* The system call table, indexed by Linux's x86-64 numbers. */
static syscall_fn *const syscalls[] = {
	[SYS_write] = sys_write,
	[SYS_writev] = sys_writev,
	[SYS_exit] = sys_exit,
	[SYS_exit_group] = sys_exit,
	[SYS_brk] = sys_brk,
	[SYS_mmap] = sys_mmap,
	[SYS_munmap] = sys_munmap,
	[SYS_arch_prctl] = sys_arch_prctl,
	[SYS_set_tid_address] = sys_set_tid_address,
	[SYS_ioctl] = sys_ioctl,
	[SYS_getpid] = sys_getpid,
	[SYS_rt_sigprocmask] = sys_rt_sigprocmask,
	[SYS_rt_sigaction] = sys_rt_sigaction,
};

void
sys_dispatch(struct guest *g)
{
	struct trapframe *tf = &g->tf;
	uint64_t nr = tf->tf_rax;
	const uint64_t args[6] = { tf->tf_rdi, tf->tf_rsi, tf->tf_rdx,
		tf->tf_r10, tf->tf_r8, tf->tf_r9 };
	long rv = -ENOSYS;

	g->nsyscalls++;
	if (nr < sizeof(syscalls) / sizeof(syscalls[0]) && syscalls[nr] != NULL)
		rv = syscalls[nr](g, args);
	if (g->state != GUEST_RUNNABLE) {
		trace(g, "syscall %lu(0x%lx, 0x%lx, 0x%lx): ends the guest",
		    (unsigned long)nr, (unsigned long)args[0],
		    (unsigned long)args[1], (unsigned long)args[2]);
		return;
	}
	trace(g, "syscall %lu(0x%lx, 0x%lx, 0x%lx) = %ld%s", (unsigned long)nr,
	    (unsigned long)args[0], (unsigned long)args[1],
	    (unsigned long)args[2], rv, rv == -ENOSYS ? " (ENOSYS)" : "");
	tf->tf_rax = (uint64_t)rv;
}
