/*
 * Syscalls on files and fds: read, write, readv, writev, preadv,
 * pwritev, preadv2, pwritev2, close, fstat, lseek, getdents64, ioctl,
 * dup, dup2, pipe, pipe2.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <vnode.h>
#include <stat.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <vm/kmem.h>

/* Linux's open flags, lseek whences and terminal ioctls (uapi). */
#include <asm/ioctls.h>
#include <linux/fcntl.h>
#include <linux/fs.h>

#define IOV_MAX 1024
#define SSIZE_MAX INT64_MAX

struct iovec_k {
	uint64_t iov_base;
	uint64_t iov_len;
};

/*
 * The system calls below run on the calling LWP with no locks held; each
 * returns what Linux's does, or -errno.  Those that read and move a
 * file's offset hold its f_pos_lock throughout (file_pos_lock), so that
 * concurrent calls on one open file each move it whole.
 *
 * read(fd, buf, n): fo_read of the file, after checking it was opened
 * for reading and that buf is user memory.
 */
long
sys_read(int fd, void *buf, size_t n)
{
	struct file *fp = fd_getfile(fd);
	long rv;

	if (fp == NULL || !(fp->f_flag & FREAD)) {
		rv = -EBADF;
	} else if (!user_access_ok(buf, n, true)) {
		rv = -EFAULT;
	} else {
		file_pos_lock(fp);
		rv = fp->f_ops->fo_read(fp, buf, MIN(n, SSIZE_MAX), false);
		file_pos_unlock(fp);
	}
	if (fp != NULL)
		file_rele(fp);
	return rv;
}

/* write(fd, buf, n): as read, with fo_write. */
long
sys_write(int fd, const void *buf, size_t n)
{
	struct file *fp = fd_getfile(fd);
	long rv;

	if (fp == NULL || !(fp->f_flag & FWRITE)) {
		rv = -EBADF;
	} else if (!user_access_ok(buf, n, false)) {
		rv = -EFAULT;
	} else {
		file_pos_lock(fp);
		rv = fp->f_ops->fo_write(fp, buf, MIN(n, SSIZE_MAX));
		file_pos_unlock(fp);
	}
	if (fp != NULL)
		file_rele(fp);
	return rv;
}

/*
 * Copy in and check an iovec array into *iovp (kmalloc'd; the caller
 * frees it with kfree, on failure too): 0, -EINVAL for a bad count or a
 * total above SSIZE_MAX, -EFAULT for a bad array or buffer, -ENOMEM.
 * No locks held.
 */
static int
iov_copyin(const void *uiov, int iovcnt, struct iovec_k **iovp, bool write)
{
	struct iovec_k *iov;
	uint64_t total = 0;

	*iovp = NULL;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	iov = kmalloc(MAX(iovcnt, 1) * sizeof(*iov), 0);
	if (iov == NULL)
		return -ENOMEM;
	*iovp = iov;
	if (copyin(uiov, iov, iovcnt * sizeof(*iov)) != 0)
		return -EFAULT;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
		if (!user_access_ok((void *)iov[i].iov_base, iov[i].iov_len,
			write))
			return -EFAULT;
	}
	return 0;
}

/*
 * One transfer of the vector at pos of vnode vp (positional: the file's
 * offset is the caller's business), stopping at a short piece.  append:
 * at the end of the file instead (found under the same hold of vfs_lock
 * as the write); *posp then says where it went.  Returns the total, or
 * the first error if nothing was transferred.  No locks held.
 */
static long
rw_vector_vnode(struct vnode *vp, struct iovec_k *iov, int iovcnt, off_t *posp,
    bool write, bool append)
{
	off_t pos = *posp;
	long total = 0, rv = 0;

	if (vp->v_type == VDIR)
		return -EISDIR;
	mutex_lock(&vfs_lock);
	if (write && append) {
		struct stat st;

		memset(&st, 0, sizeof(st));
		vp->v_op->vop_getattr(vp, &st);
		pos = st.st_size;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		if (write)
			rv = vp->v_op->vop_write(vp, (void *)iov[i].iov_base,
			    iov[i].iov_len, pos + total, true);
		else
			rv = vp->v_op->vop_read(vp, (void *)iov[i].iov_base,
			    iov[i].iov_len, pos + total, true);
		if (rv < 0)
			break;
		total += rv;
		if ((uint64_t)rv < iov[i].iov_len)
			break;
	}
	mutex_unlock(&vfs_lock);
	*posp = pos + total;
	return rv >= 0 || total > 0 ? total : rv;
}

/*
 * The readv/writev family: the vector at pos (pos -1: at the file's
 * offset, which moves, under f_pos_lock, so that the vector lands at
 * consecutive offsets), with preadv2's flags (RWF_*: RWF_APPEND writes
 * at the end; RWF_NOWAIT is EOPNOTSUPP, as Linux 6.1's for files
 * without FMODE_NOWAIT, which tmpfs and pipes are; the others ask
 * nothing of tmpfs).  One transfer per
 * iovec, stopping at a short one.  Returns the total, or the first
 * error if nothing was transferred.  No locks held.
 */
static long
rw_vector(int fd, const void *uiov, int iovcnt, bool write, off_t pos,
    int rwflags)
{
	struct file *fp = fd_getfile(fd);
	struct iovec_k *iov = NULL;
	struct vnode *vp;
	long total = 0, rv;

	if (fp == NULL) {
		rv = -EBADF;
		goto out;
	}
	vp = file_vnode(fp);
	if (pos != -1 && vp == NULL) {
		rv =
		    -ESPIPE; /* positional: vnode files only (pread64's rule) */
		goto out;
	}
	rv = iov_copyin(uiov, iovcnt, &iov, !write);
	if (rv != 0)
		goto out;
	if (!(fp->f_flag & (write ? FWRITE : FREAD))) {
		rv = -EBADF;
		goto out;
	}
	if ((rwflags & ~RWF_SUPPORTED) || (rwflags & RWF_NOWAIT)) {
		/* RWF_NOWAIT: no file is FMODE_NOWAIT (tmpfs, pipes in 6.1) */
		rv = -EOPNOTSUPP;
		goto out;
	}
	if (pos != -1) {
		rv = rw_vector_vnode(vp, iov, iovcnt, &pos, write,
		    write && (rwflags & RWF_APPEND));
		goto out;
	}
	file_pos_lock(fp);
	if (vp != NULL) {
		pos = fp->f_offset;
		rv = rw_vector_vnode(vp, iov, iovcnt, &pos, write,
		    write &&
			((rwflags & RWF_APPEND) ||
			    (file_status_flags(fp) & FAPPEND)));
		if (rv > 0 || (rv == 0 && write))
			fp->f_offset = pos;
		file_pos_unlock(fp);
		goto out;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		if (write)
			rv = fp->f_ops->fo_write(fp, (void *)iov[i].iov_base,
			    iov[i].iov_len);
		else
			rv = fp->f_ops->fo_read(fp, (void *)iov[i].iov_base,
			    iov[i].iov_len, total > 0);
		if (rv < 0)
			break;
		total += rv;
		if ((uint64_t)rv < iov[i].iov_len)
			break;
	}
	file_pos_unlock(fp);
	if (rv >= 0 || total > 0)
		rv =
		    total; /* an error after a transfer reports what was done */
out:
	kfree(iov);
	if (fp != NULL)
		file_rele(fp);
	return rv;
}

long
sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return rw_vector(fd, iov, iovcnt, false, -1, 0);
}

long
sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return rw_vector(fd, iov, iovcnt, true, -1, 0);
}

/*
 * preadv and pwritev: at pos_l (x86_64 passes the whole offset there;
 * pos_h is for 32-bit callers and ignored, as Linux's pos_from_hilo),
 * which may not be negative.
 */
long
sys_preadv(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l,
    unsigned long pos_h)
{
	(void)pos_h;
	if ((off_t)pos_l < 0)
		return -EINVAL;
	return rw_vector(fd, iov, iovcnt, false, (off_t)pos_l, 0);
}

long
sys_pwritev(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l,
    unsigned long pos_h)
{
	(void)pos_h;
	if ((off_t)pos_l < 0)
		return -EINVAL;
	return rw_vector(fd, iov, iovcnt, true, (off_t)pos_l, 0);
}

/* preadv2 and pwritev2: as preadv, pos -1 meaning the file's offset. */
long
sys_preadv2(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l,
    unsigned long pos_h, int flags)
{
	(void)pos_h;
	if ((off_t)pos_l < -1)
		return -EINVAL;
	return rw_vector(fd, iov, iovcnt, false, (off_t)pos_l, flags);
}

long
sys_pwritev2(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l,
    unsigned long pos_h, int flags)
{
	(void)pos_h;
	if ((off_t)pos_l < -1)
		return -EINVAL;
	return rw_vector(fd, iov, iovcnt, true, (off_t)pos_l, flags);
}

long
sys_close(int fd)
{
	return fd_close(curproc->p_fd, fd);
}

/* fstat(fd, st): fo_stat of the file, copied out. */
long
sys_fstat(int fd, struct stat *ust)
{
	struct file *fp = fd_getfile_raw(fd);
	struct stat st;
	long rv;

	if (fp == NULL)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	fp->f_ops->fo_stat(fp, &st);
	rv = copyout(&st, ust, sizeof(st));
	file_rele(fp);
	return rv;
}

/*
 * lseek(fd, offset, whence): files, directories and memfds; an eventfd,
 * epoll, signalfd or timerfd stays at 0, as Linux's; -ESPIPE for the
 * others.
 * An unknown whence is -EINVAL first; the new offset may not be
 * negative or overflow.
 */
long
sys_lseek(int fd, off_t offset, int whence)
{
	struct file *fp = fd_getfile(fd);
	struct vnode *vp;
	off_t base;
	long rv;

	if (fp == NULL)
		return -EBADF;
	if ((unsigned)whence > SEEK_MAX) {
		rv = -EINVAL;
		goto out;
	}
	if (fp->f_type == DTYPE_EVENTFD || fp->f_type == DTYPE_EPOLL ||
	    fp->f_type == DTYPE_SIGNALFD || fp->f_type == DTYPE_TIMERFD) {
		rv = 0;
		goto out;
	}
	if (fp->f_type != DTYPE_INODE && fp->f_type != DTYPE_MEMFD) {
		rv = -ESPIPE;
		goto out;
	}
	vp = file_vnode(fp);
	file_pos_lock(fp);
	if (vp != NULL && vp->v_type == VDIR && whence != SEEK_SET &&
	    whence != SEEK_CUR) {
		rv = -EINVAL; /* as Linux's directories: no end to seek to */
		goto unlock;
	}
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = fp->f_offset;
		break;
	case SEEK_END: {
		struct stat st;

		memset(&st, 0, sizeof(st));
		fp->f_ops->fo_stat(fp, &st);
		base = st.st_size;
		break;
	}
	default:
		rv = -EINVAL;
		goto unlock;
	}
	if ((offset < 0 && base + offset < 0) ||
	    (offset > 0 && base > INT64_MAX - offset)) {
		rv = -EINVAL;
		goto unlock;
	}
	fp->f_offset = base + offset;
	rv = fp->f_offset;
unlock:
	file_pos_unlock(fp);
out:
	file_rele(fp);
	return rv;
}

/* getdents64(fd, dirp, count): directories (vn_getdents). */
long
sys_getdents64(int fd, void *dirp, size_t count)
{
	struct file *fp = fd_getfile(fd);
	long rv;

	if (fp == NULL)
		return -EBADF;
	if (fp->f_type != DTYPE_INODE)
		rv = -ENOTDIR;
	else if (!user_access_ok(dirp, count, true))
		rv = -EFAULT;
	else {
		file_pos_lock(fp);
		rv = vn_getdents(fp, dirp, count);
		file_pos_unlock(fp);
	}
	file_rele(fp);
	return rv;
}

/*
 * ioctl(fd, request, arg): what every file takes, as Linux's
 * do_vfs_ioctl (FIOCLEX and FIONCLEX set and clear close-on-exec,
 * FIONBIO sets O_NONBLOCK from the int at arg), then the file's own
 * requests (fo_ioctl).
 */
long
sys_ioctl(int fd, unsigned long request, void *arg)
{
	struct file *fp = fd_getfile(fd);
	int on;
	long rv;

	if (fp == NULL)
		return -EBADF;
	switch (request) {
	case FIOCLEX:
	case FIONCLEX:
		rv = fd_set_cloexec(curproc->p_fd, fd, request == FIOCLEX);
		break;
	case FIONBIO:
		rv = copyin(arg, &on, sizeof(on)) != 0 ? -EFAULT : 0;
		if (rv == 0)
			file_set_status_flags(fp,
			    on ? file_status_flags(fp) | FNONBLOCK :
				 file_status_flags(fp) & ~FNONBLOCK);
		break;
	default:
		rv = fp->f_ops->fo_ioctl != NULL ?
		    fp->f_ops->fo_ioctl(fp, request, arg) :
		    -ENOTTY;
		break;
	}
	file_rele(fp);
	return rv;
}

/* dup(oldfd): the lowest free fd, sharing oldfd's file. */
long
sys_dup(int oldfd)
{
	struct file *fp = fd_getfile_raw(oldfd);
	int fd;

	if (fp == NULL)
		return -EBADF;
	fd = fd_alloc(curproc->p_fd, fp, 0, false);
	if (fd < 0)
		file_rele(fp);
	return fd;
}

long
sys_dup2(int oldfd, int newfd)
{
	return fd_dup2(curproc->p_fd, oldfd, newfd);
}

/*
 * pipe2(fds, flags): a new pipe, its read end in fds[0] and write end in
 * fds[1]; flags may only be O_CLOEXEC.  Nothing is left open on failure
 * (fd_unalloc: another LWP sharing the table may have reused a slot
 * meanwhile, and its file stays).
 */
long
sys_pipe2(int *ufds, int flags)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *rfp, *wfp;
	int fds[2], error;
	bool cloexec = (flags & O_CLOEXEC) != 0;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!user_range_ok((uint64_t)ufds, sizeof(fds)))
		return -EFAULT;
	error = pipe_create(&rfp, &wfp, (flags & O_NONBLOCK) != 0);
	if (error != 0)
		return error;
	fds[0] = fd_alloc(fdp, rfp, 0, cloexec);
	if (fds[0] < 0) {
		file_rele(rfp);
		file_rele(wfp);
		return fds[0];
	}
	fds[1] = fd_alloc(fdp, wfp, 0, cloexec);
	if (fds[1] < 0) {
		fd_unalloc(fdp, fds[0], rfp);
		file_rele(wfp);
		return fds[1];
	}
	if (copyout(fds, ufds, sizeof(fds)) != 0) {
		fd_unalloc(fdp, fds[0], rfp);
		fd_unalloc(fdp, fds[1], wfp);
		return -EFAULT;
	}
	return 0;
}

long
sys_pipe(int *ufds)
{
	return sys_pipe2(ufds, 0);
}
