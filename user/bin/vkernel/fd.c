/*
 * Guest descriptors: each guest fd stands for a host fd of the vkernel
 * (vkernel.h, "Descriptors"), and the calls that make, copy, close and
 * use them, without ever blocking the vkernel ("Blocking" there).
 *
 * Each entry owns its host fd: dup, dup2, fcntl(F_DUPFD) and fork make a
 * new host fd (a dup), so that closing one guest fd closes one host fd.
 * O_NONBLOCK and FD_CLOEXEC are the guest's own, kept in the entry: the
 * host fds of the pipes guests make are always O_NONBLOCK on the host
 * (a write to a full pipe then returns what fit instead of blocking the
 * vkernel), and the vkernel never executes a program itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vkernel.h"

int
fd_host(struct guest *g, long fd)
{
	if (fd < 0 || fd >= GUEST_NOFILE)
		return -1;
	return g->fd[fd].host;
}

int
fd_install(struct guest *g, int h, int min, int cloexec)
{
	for (int fd = min < 0 ? 0 : min; fd < GUEST_NOFILE; fd++) {
		if (g->fd[fd].host >= 0)
			continue;
		g->fd[fd] = (struct gfd) { h, cloexec != 0, 0 };
		return fd;
	}
	close(h);
	return -EMFILE;
}

/* Close guest fd fd (open). */
static void
fd_release(struct guest *g, int fd)
{
	close(g->fd[fd].host);
	g->fd[fd].host = -1;
}

int
fd_copy(struct guest *child, struct guest *parent)
{
	if ((child->cwd = dup(parent->cwd)) < 0)
		return -ENOMEM;
	child->cmask = parent->cmask;
	for (int fd = 0; fd < GUEST_NOFILE; fd++) {
		if (parent->fd[fd].host < 0)
			continue;
		child->fd[fd] = parent->fd[fd];
		if ((child->fd[fd].host = dup(parent->fd[fd].host)) < 0)
			return -ENOMEM; /* (the caller closes what was made) */
	}
	return 0;
}

void
fd_closeall(struct guest *g)
{
	for (int fd = 0; fd < GUEST_NOFILE; fd++)
		if (g->fd[fd].host >= 0)
			fd_release(g, fd);
	if (g->cwd >= 0)
		close(g->cwd);
	g->cwd = -1;
}

void
fd_closeexec(struct guest *g)
{
	for (int fd = 0; fd < GUEST_NOFILE; fd++)
		if (g->fd[fd].host >= 0 && g->fd[fd].cloexec)
			fd_release(g, fd);
}

/* Whether host fd h has one of events (or an error or hangup) now. */
static int
fd_ready(int h, short events)
{
	struct pollfd p = { h, events, 0 };

	return poll(&p, 1, 0) > 0;
}

long
fd_block(struct guest *g, int gfd, int h, short events)
{
	if (g->fd[gfd].nonblock)
		return -EAGAIN;
	g->wait.fds[0] = (struct pollfd) { h, events, 0 };
	g->wait.nfds = 1;
	return VK_EBLOCK;
}

/* Block g for FD_RETRY_NS, to make its call again then: for the waits
 * poll cannot tell the end of (locks). */
#define FD_RETRY_NS 10000000UL

static long
fd_retry(struct guest *g)
{
	g->wait.wake_at = now_ns() + FD_RETRY_NS;
	return VK_EBLOCK;
}

/* flock(fd, op): LOCK_NB on the host always; a lock the guest waits
 * for is tried again every FD_RETRY_NS. */
long
sys_flock(struct guest *g, const uint64_t a[6])
{
	int h = fd_host(g, (long)a[0]);

	if (h < 0)
		return -EBADF;
	if (flock(h, (int)a[1] | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK && !(a[1] & LOCK_NB))
		return fd_retry(g);
	return -errno;
}

/*
 * Read from or write to guest fd fd, len bytes of buf (vkernel memory):
 * at once if the host fd is ready, else block the guest.  A write to a
 * pipe without readers also posts SIGPIPE, as Linux does.
 */
static long
host_io(struct guest *g, long fd, int writing, void *buf, size_t len)
{
	int h = fd_host(g, fd);
	short ev = writing ? POLLOUT : POLLIN;
	ssize_t r;

	if (h < 0)
		return -EBADF;
	if (len > 0 && !fd_ready(h, ev))
		return fd_block(g, (int)fd, h, ev);
	r = writing ? write(h, buf, len) : read(h, buf, len);
	if (r >= 0)
		return r;
	if (errno == EAGAIN)
		return fd_block(g, (int)fd, h, ev);
	if (errno == EPIPE)
		sig_post(g, SIGPIPE);
	return -errno;
}

long
sys_read(struct guest *g, const uint64_t a[6])
{
	size_t len = a[2] < VK_BUFMAX ? a[2] : VK_BUFMAX;
	char *buf = malloc(len + 1);
	long r;

	if (buf == NULL)
		return -ENOMEM;
	r = host_io(g, (long)a[0], 0, buf, len);
	if (r > 0 && r != VK_EBLOCK &&
	    guest_write(g, a[1], buf, (size_t)r) != 0) {
		trace(g, "read: cannot copy %ld bytes to 0x%lx", r,
		    (unsigned long)a[1]);
		r = -EFAULT; /* (the bytes are lost, as on Linux) */
	}
	free(buf);
	return r;
}

long
sys_write(struct guest *g, const uint64_t a[6])
{
	size_t len = a[2] < VK_BUFMAX ? a[2] : VK_BUFMAX;
	char *buf = malloc(len + 1);
	long r = -EFAULT;

	if (buf == NULL)
		return -ENOMEM;
	if (guest_read(g, buf, a[1], len) == 0)
		r = host_io(g, (long)a[0], 1, buf, len);
	free(buf);
	return r;
}

/* Linux's struct iovec. */
struct giovec {
	uint64_t base, len;
};

/* Read the guest's iovec array (cnt entries at addr); the total length,
 * cut at VK_BUFMAX, in *total.  Returns the array (free it) or NULL with
 * *error. */
static struct giovec *
read_iov(struct guest *g, uint64_t addr, long cnt, size_t *total, long *error)
{
	struct giovec *iov;

	*error = -EINVAL;
	if (cnt < 0 || cnt > 1024)
		return NULL;
	*error = -ENOMEM;
	if ((iov = malloc((cnt + 1) * sizeof(*iov))) == NULL)
		return NULL;
	*error = -EFAULT;
	if (guest_read(g, iov, addr, cnt * sizeof(*iov)) != 0) {
		free(iov);
		return NULL;
	}
	*total = 0;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].len > VK_BUFMAX - *total)
			iov[i].len = VK_BUFMAX - *total;
		*total += iov[i].len;
	}
	return iov;
}

/* readv(fd, iov, cnt): one host read, spread over the buffers. */
long
sys_readv(struct guest *g, const uint64_t a[6])
{
	size_t total, done = 0;
	long r;
	struct giovec *iov = read_iov(g, a[1], (long)a[2], &total, &r);
	char *buf;

	if (iov == NULL)
		return r;
	if ((buf = malloc(total + 1)) == NULL) {
		free(iov);
		return -ENOMEM;
	}
	r = host_io(g, (long)a[0], 0, buf, total);
	for (long i = 0; r > 0 && r != VK_EBLOCK && done < (size_t)r; i++) {
		size_t n = iov[i].len < r - done ? iov[i].len : r - done;

		if (guest_write(g, iov[i].base, buf + done, n) != 0) {
			r = -EFAULT;
			break;
		}
		done += n;
	}
	free(buf);
	free(iov);
	return r;
}

/* writev(fd, iov, cnt): the buffers gathered, then one host write. */
long
sys_writev(struct guest *g, const uint64_t a[6])
{
	size_t total, done = 0;
	long r;
	struct giovec *iov = read_iov(g, a[1], (long)a[2], &total, &r);
	char *buf;

	if (iov == NULL)
		return r;
	if ((buf = malloc(total + 1)) == NULL) {
		free(iov);
		return -ENOMEM;
	}
	r = 0;
	for (long i = 0; i < (long)a[2] && done < total; i++) {
		if (guest_read(g, buf + done, iov[i].base, iov[i].len) != 0) {
			r = -EFAULT;
			break;
		}
		done += iov[i].len;
	}
	if (r == 0)
		r = host_io(g, (long)a[0], 1, buf, total);
	free(buf);
	free(iov);
	return r;
}

/* The flags open passes to the host: the guest's own O_CLOEXEC is kept
 * in the entry instead.  A FIFO is opened O_NONBLOCK on the host, as the
 * guests' pipes are: a writer that must wait for a reader (ENXIO) tries
 * again every FD_RETRY_NS, but a reader does not wait for a writer (the
 * host does not say when one comes), so it may read end of file first. */
static long
do_open(struct guest *g, long dirfd, uint64_t upath, long flags, long mode)
{
	char path[4096];
	int h, error = guest_strcpy(g, path, upath, sizeof(path));
	struct stat st;
	int fifo;
	long fd;

	if (error != 0)
		return error;
	if (dirfd != AT_FDCWD && (dirfd = fd_host(g, dirfd)) < 0)
		return -EBADF;
	if (strcmp(path, "/proc/self/exe") == 0)
		snprintf(path, sizeof(path), "%s", g->name);
	fifo = !(flags & O_PATH) && fstatat((int)dirfd, path, &st, 0) == 0 &&
	    S_ISFIFO(st.st_mode);
	h = openat((int)dirfd, path,
	    (int)(flags & ~O_CLOEXEC) | (fifo ? O_NONBLOCK : 0), (int)mode);
	if (h < 0 && fifo && errno == ENXIO && !(flags & O_NONBLOCK))
		return fd_retry(g);
	if (h < 0)
		return -errno;
	fd = fd_install(g, h, 0, (flags & O_CLOEXEC) != 0);
	if (fd >= 0)
		g->fd[fd].nonblock = (flags & O_NONBLOCK) != 0;
	return fd;
}

long
sys_open(struct guest *g, const uint64_t a[6])
{
	return do_open(g, AT_FDCWD, a[0], (long)a[1], (long)a[2]);
}

long
sys_openat(struct guest *g, const uint64_t a[6])
{
	return do_open(g, (int)a[0], a[1], (long)a[2], (long)a[3]);
}

long
sys_creat(struct guest *g, const uint64_t a[6])
{
	return do_open(g, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC,
	    (long)a[1]);
}

long
sys_close(struct guest *g, const uint64_t a[6])
{
	if (fd_host(g, (long)a[0]) < 0)
		return -EBADF;
	fd_release(g, (int)a[0]);
	return 0;
}

/* A new host fd for guest fd fd, or -errno. */
static int
dup_host(struct guest *g, long fd)
{
	int h = fd_host(g, fd), h2;

	if (h < 0)
		return -EBADF;
	if ((h2 = dup(h)) < 0)
		return -errno;
	return h2;
}

long
sys_dup(struct guest *g, const uint64_t a[6])
{
	int h = dup_host(g, (long)a[0]);

	return h < 0 ? h : fd_install(g, h, 0, 0);
}

/* dup2 and dup3: newfd becomes a copy of oldfd (closed first if open). */
static long
do_dup3(struct guest *g, long oldfd, long newfd, int cloexec)
{
	int h;

	if (newfd < 0 || newfd >= GUEST_NOFILE)
		return -EBADF;
	if ((h = dup_host(g, oldfd)) < 0)
		return h;
	if (g->fd[newfd].host >= 0)
		fd_release(g, (int)newfd);
	g->fd[newfd] = g->fd[oldfd];
	g->fd[newfd].host = h;
	g->fd[newfd].cloexec = cloexec != 0;
	return newfd;
}

long
sys_dup2(struct guest *g, const uint64_t a[6])
{
	if ((long)a[0] == (long)a[1])
		return fd_host(g, (long)a[0]) < 0 ? -EBADF : (long)a[1];
	return do_dup3(g, (long)a[0], (long)a[1], 0);
}

long
sys_dup3(struct guest *g, const uint64_t a[6])
{
	if ((a[2] & ~(uint64_t)O_CLOEXEC) != 0 || a[0] == a[1])
		return -EINVAL;
	return do_dup3(g, (long)a[0], (long)a[1], (a[2] & O_CLOEXEC) != 0);
}

/* pipe2(fds, flags): a host pipe, O_NONBLOCK on the host side always. */
long
sys_pipe2(struct guest *g, const uint64_t a[6])
{
	int p[2], fds[2];

	if ((a[1] & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) != 0)
		return -EINVAL;
	if (pipe2(p, O_NONBLOCK) != 0)
		return -errno;
	fds[0] = fd_install(g, p[0], 0, (a[1] & O_CLOEXEC) != 0);
	if (fds[0] < 0) {
		close(p[1]);
		return fds[0];
	}
	fds[1] = fd_install(g, p[1], 0, (a[1] & O_CLOEXEC) != 0);
	if (fds[1] < 0) {
		fd_release(g, fds[0]);
		return fds[1];
	}
	g->fd[fds[0]].nonblock = g->fd[fds[1]].nonblock =
	    (a[1] & O_NONBLOCK) != 0;
	if (guest_write(g, a[0], fds, sizeof(fds)) != 0) {
		fd_release(g, fds[0]);
		fd_release(g, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long
sys_pipe(struct guest *g, const uint64_t a[6])
{
	const uint64_t b[6] = { a[0], 0 };

	return sys_pipe2(g, b);
}

/*
 * fcntl: the descriptor's own flags here, the file's on the host (with
 * O_NONBLOCK as the guest set it), record locks forwarded with their
 * struct flock (32 bytes).
 */
long
sys_fcntl(struct guest *g, const uint64_t a[6])
{
	long fd = (long)a[0];
	int h = fd_host(g, fd), fl;
	unsigned char lk[32];

	if (h < 0)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((long)a[2] < 0 || (long)a[2] >= GUEST_NOFILE)
			return -EINVAL;
		if ((h = dup_host(g, fd)) < 0)
			return h;
		fl = fd_install(g, h, (int)a[2], a[1] == F_DUPFD_CLOEXEC);
		if (fl >= 0)
			g->fd[fl].nonblock = g->fd[fd].nonblock;
		return fl;
	case F_GETFD:
		return g->fd[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		g->fd[fd].cloexec = (a[2] & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		if ((fl = fcntl(h, F_GETFL)) < 0)
			return -errno;
		fl &= ~O_NONBLOCK;
		return fl | (g->fd[fd].nonblock ? O_NONBLOCK : 0);
	case F_SETFL:
		if ((fl = fcntl(h, F_GETFL)) < 0)
			return -errno;
		if (fcntl(h, F_SETFL,
			((int)a[2] & ~O_NONBLOCK) | (fl & O_NONBLOCK)) != 0)
			return -errno;
		g->fd[fd].nonblock = (a[2] & O_NONBLOCK) != 0;
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		if (guest_read(g, lk, a[2], sizeof(lk)) != 0)
			return -EFAULT;
		/* F_SETLKW would block the vkernel: F_SETLK, tried again. */
		if (fcntl(h, a[1] == F_SETLKW ? F_SETLK : (int)a[1], lk) != 0) {
			if (a[1] == F_SETLKW &&
			    (errno == EAGAIN || errno == EACCES))
				return fd_retry(g);
			return -errno;
		}
		if (a[1] == F_GETLK && guest_write(g, a[2], lk, sizeof(lk)))
			return -EFAULT;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * ioctl: the terminal requests whose argument the vkernel knows are
 * forwarded to the host fd (TCGETS, TIOCGWINSZ...); FIONBIO, FIOCLEX and
 * FIONCLEX change the guest's entry.  Every other request is ENOTTY, as
 * Linux answers for a request the device does not know; TIOCGPGRP and
 * TIOCSPGRP are among them (no job control: vkernel.h).
 */
long
sys_ioctl(struct guest *g, const uint64_t a[6])
{
	static const struct {
		unsigned long req;
		int size; /* > 0: copied out; < 0: copied in; 0: int arg */
	} reqs[] = {
		/* (the kernel's struct termios: 36 bytes, not libc's) */
		{ TCGETS, 36 },
		{ TCSETS, -36 },
		{ TCSETSW, -36 },
		{ TCSETSF, -36 },
		{ TIOCGWINSZ, 8 },
		{ TIOCSWINSZ, -8 },
		{ FIONREAD, 4 },
		{ TCFLSH, 0 },
		{ TCXONC, 0 },
		{ TCSBRK, 0 },
	};
	long fd = (long)a[0];
	int h = fd_host(g, fd), on;
	unsigned char buf[64];

	if (h < 0)
		return -EBADF;
	switch (a[1]) {
	case FIONBIO:
		if (guest_read(g, &on, a[2], 4) != 0)
			return -EFAULT;
		g->fd[fd].nonblock = on != 0;
		return 0;
	case FIOCLEX:
	case FIONCLEX:
		g->fd[fd].cloexec = a[1] == FIOCLEX;
		return 0;
	}
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int n = reqs[i].size < 0 ? -reqs[i].size : reqs[i].size;

		if (reqs[i].req != a[1])
			continue;
		if (n == 0)
			return ioctl(h, a[1], a[2]) < 0 ? -errno : 0;
		if (reqs[i].size < 0 && guest_read(g, buf, a[2], n) != 0)
			return -EFAULT;
		if (ioctl(h, a[1], buf) < 0)
			return -errno;
		if (reqs[i].size > 0 && guest_write(g, a[2], buf, n) != 0)
			return -EFAULT;
		return 0;
	}
	return -ENOTTY;
}

/*
 * poll and ppoll: a host poll with timeout 0 on the translated fds; if
 * nothing is ready and the timeout has not passed, block the guest on
 * them (with the timeout as its deadline) and ask again when it wakes.
 * ppoll's signal mask is not applied.
 */
static long
do_poll(struct guest *g, uint64_t ufds, uint64_t nfds, long timeout_ms)
{
	struct pollfd *p;
	long n;

	if (nfds > 256)
		return -EINVAL;
	if ((p = calloc(nfds + 1, sizeof(*p))) == NULL)
		return -ENOMEM;
	if (guest_read(g, p, ufds, nfds * sizeof(*p)) != 0) {
		free(p);
		return -EFAULT;
	}
	/* Guest fds to host fds, and back in the result. */
	int *gfds = malloc((nfds + 1) * sizeof(int));

	if (gfds == NULL) {
		free(p);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < nfds; i++) {
		gfds[i] = p[i].fd;
		if (p[i].fd >= 0) {
			int h = fd_host(g, p[i].fd);

			/* A closed fd: POLLNVAL, as poll on a host fd -1
			 * would not say. */
			p[i].fd = h >= 0 ? h : 1 << 30;
		}
	}
	n = poll(p, nfds, 0);
	if (n < 0)
		n = -errno;
	if (n == 0 && timeout_ms != 0) {
		if (timeout_ms > 0 && g->wait.wake_at == 0)
			g->wait.wake_at =
			    now_ns() + (uint64_t)timeout_ms * 1000000u;
		if (timeout_ms < 0 || now_ns() < g->wait.wake_at) {
			for (uint64_t i = 0; i < nfds && i < GWAIT_NFDS; i++)
				g->wait.fds[i] = p[i];
			g->wait.nfds = nfds < GWAIT_NFDS ? nfds : GWAIT_NFDS;
			free(p);
			free(gfds);
			return VK_EBLOCK;
		}
	}
	for (uint64_t i = 0; i < nfds; i++)
		p[i].fd = gfds[i];
	if (n >= 0 && guest_write(g, ufds, p, nfds * sizeof(*p)) != 0)
		n = -EFAULT;
	free(p);
	free(gfds);
	return n;
}

long
sys_poll(struct guest *g, const uint64_t a[6])
{
	return do_poll(g, a[0], a[1], (int)a[2]);
}

long
sys_ppoll(struct guest *g, const uint64_t a[6])
{
	int64_t ts[2];
	long ms = -1;

	if (a[2] != 0) {
		if (guest_read(g, ts, a[2], sizeof(ts)) != 0)
			return -EFAULT;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
		ms = ts[0] * 1000 + (ts[1] + 999999) / 1000000;
	}
	return do_poll(g, a[0], a[1], ms);
}

/* chdir: the guest's directory is a host fd; the vkernel's own current
 * directory is the running guest's (main.c). */
long
sys_chdir(struct guest *g, const uint64_t a[6])
{
	char path[4096];
	int h, error = guest_strcpy(g, path, a[0], sizeof(path));

	if (error != 0)
		return error;
	if ((h = open(path, O_RDONLY | O_DIRECTORY)) < 0)
		return -errno;
	if (fchdir(h) != 0) {
		error = -errno;
		close(h);
		return error;
	}
	close(g->cwd);
	g->cwd = h;
	return 0;
}

/* umask: the guest's mask, made the vkernel's own with its directory
 * (main.c), so that the host applies it to what the guest creates. */
long
sys_umask(struct guest *g, const uint64_t a[6])
{
	unsigned old = g->cmask;

	g->cmask = a[0] & 0777;
	umask(g->cmask);
	return old;
}

long
sys_fchdir(struct guest *g, const uint64_t a[6])
{
	int h = dup_host(g, (long)a[0]);

	if (h < 0)
		return h;
	if (fchdir(h) != 0) {
		int error = -errno;

		close(h);
		return error;
	}
	close(g->cwd);
	g->cwd = h;
	return 0;
}
