/*
 * Syscalls that move data between files or ask the file system about its
 * storage: sendfile, copy_file_range, fallocate, fsync, fdatasync.
 *
 * Each runs on the calling LWP with no locks held and returns what
 * Linux's does, or -errno, with Linux 6.1's order of checks.  Data moves
 * in chunks through a kernel buffer, one hold of vfs_lock per chunk, so
 * a long copy never keeps the file system from others for long.
 *
 * Offsets.  As Linux's sendfile and copy_file_range (which use fdget,
 * not fdget_pos), a call that works at a file's offset reads it when it
 * starts and stores the new one when it ends, each under the file's
 * f_pos_lock (file_pos_get, file_pos_set), and holds no f_pos_lock while
 * it copies: two files' locks are never held at once, and a read or
 * write through the same open file meanwhile may be overtaken, as on
 * Linux.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <syscall.h>
#include <vnode.h>
#include <proc/proc.h>
#include <vm/addrspace.h>
#include <vm/kmem.h>

#include <linux/falloc.h>
#include <linux/fcntl.h>

#define XFER_CHUNK (64 * 1024)
#define MAX_RW_COUNT (0x7fffffffL & ~4095L) /* Linux's cap per call */

/* fp's offset, read under its f_pos_lock.  No locks held. */
static off_t
file_pos_get(struct file *fp)
{
	off_t pos;

	file_pos_lock(fp);
	pos = fp->f_offset;
	file_pos_unlock(fp);
	return pos;
}

/* Set fp's offset under its f_pos_lock.  No locks held. */
static void
file_pos_set(struct file *fp, off_t pos)
{
	file_pos_lock(fp);
	fp->f_offset = pos;
	file_pos_unlock(fp);
}

/* The size of vnode vp.  vfs_lock held. */
static off_t
vn_size_locked(struct vnode *vp)
{
	struct stat st;

	KASSERT(mutex_held(&vfs_lock));
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	return st.st_size;
}

/*
 * Copy up to count bytes of regular file ivp from *ipos to the file out:
 * at *opos if ovp is its vnode, through fo_write otherwise; *ipos and
 * *opos advance by what was written.  Writes to a vnode go
 * from a kernel buffer; any other file (a pipe, the console, a memfd)
 * takes only user memory, so the bytes pass through a scratch anonymous
 * mapping in the caller's address space, removed before the return.
 * Returns the bytes moved, or the first error if none were.  No locks
 * held.
 */
static long
xfer(struct vnode *ivp, off_t *ipos, struct file *out, struct vnode *ovp,
    off_t *opos, size_t count)
{
	struct vmspace *vm = curproc->p_vmspace;
	vaddr_t scratch = 0;
	uint8_t *buf = NULL;
	long done = 0, rv = 0;

	if (count == 0)
		return 0;
	if (ovp != NULL) {
		buf = kmalloc(XFER_CHUNK, 0);
		if (buf == NULL)
			return -ENOMEM;
	} else {
		rv = vmspace_map(vm, 0, XFER_CHUNK, VMSPACE_MAP_HINT,
		    VM_PROT_READ | VM_PROT_WRITE, 0, NULL, 0, &scratch);
		if (rv != 0)
			return rv;
	}
	while ((size_t)done < count) {
		size_t n = MIN(count - done, XFER_CHUNK);
		long got, put = 0;

		mutex_lock(&vfs_lock);
		got = ivp->v_op->vop_read(ivp,
		    buf != NULL ? buf : (void *)scratch, n, *ipos, buf == NULL);
		if (got > 0 && ovp != NULL) {
			put = ovp->v_op->vop_write(ovp, buf, got, *opos, false);
			if (put > 0)
				*opos += put;
		}
		mutex_unlock(&vfs_lock);
		if (got <= 0) {
			rv = got;
			break;
		}
		if (ovp == NULL)
			put = out->f_ops->fo_write(out, (void *)scratch, got);
		if (put <= 0) {
			rv = put;
			break;
		}
		done += put;
		*ipos += put;
		if (put < got)
			break;
	}
	if (buf != NULL)
		kfree(buf);
	else
		(void)vmspace_remove(vm, scratch, scratch + XFER_CHUNK);
	return done > 0 ? done : rv;
}

/*
 * sendfile(out_fd, in_fd, offset, count): up to count bytes of the
 * regular file in_fd, from *offset (which is updated) or from its offset
 * (which moves), to out_fd: any file open for writing.
 */
long
sys_sendfile(int out_fd, int in_fd, off_t *uoff, size_t count)
{
	struct file *in = fd_getfile(in_fd), *out = NULL;
	struct vnode *ivp, *ovp;
	off_t pos, opos;
	long rv;

	if (in == NULL)
		return -EBADF;
	ivp = file_vnode(in);
	if (!(in->f_flag & FREAD)) {
		rv = -EBADF;
		goto out;
	}
	if (uoff != NULL) {
		if (copyin(uoff, &pos, sizeof(pos)) != 0) {
			rv = -EFAULT;
			goto out;
		}
		if (ivp == NULL) {
			rv = -ESPIPE;
			goto out;
		}
	}
	if (uoff != NULL && pos < 0) {
		rv = -EINVAL;
		goto out;
	}
	count = MIN(count, (size_t)MAX_RW_COUNT);
	out = fd_getfile(out_fd);
	if (out == NULL || !(out->f_flag & FWRITE)) {
		rv = -EBADF;
		goto out;
	}
	ovp = file_vnode(out);
	if (ivp == NULL || ivp->v_type != VREG ||
	    (ovp != NULL && (file_status_flags(out) & FAPPEND))) {
		rv = -EINVAL; /* not a regular file to read; O_APPEND output */
		goto out;
	}
	if (uoff == NULL)
		pos = file_pos_get(in);
	opos = ovp != NULL ? file_pos_get(out) : 0;
	rv = xfer(ivp, &pos, out, ovp, &opos, count);
	if (rv > 0 && ovp != NULL)
		file_pos_set(out, opos);
	if (uoff == NULL) {
		if (rv > 0)
			file_pos_set(in, pos);
	} else if (copyout(&pos, uoff, sizeof(pos)) != 0) {
		rv = -EFAULT;
	}
out:
	if (out != NULL)
		file_rele(out);
	file_rele(in);
	return rv;
}

/*
 * copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): up to len
 * bytes between regular files, each at *off (updated) or at its offset
 * (which moves); flags must be 0.  Ranges of one file may not overlap.
 */
long
sys_copy_file_range(int fd_in, off_t *uoff_in, int fd_out, off_t *uoff_out,
    size_t len, unsigned flags)
{
	struct file *in, *out = NULL;
	struct vnode *ivp, *ovp;
	off_t pos_in, pos_out, size;
	long rv;

	if (flags != 0)
		return -EINVAL;
	in = fd_getfile(fd_in);
	if (in == NULL)
		return -EBADF;
	out = fd_getfile(fd_out);
	if (out == NULL) {
		rv = -EBADF;
		goto out;
	}
	if ((uoff_in != NULL &&
		copyin(uoff_in, &pos_in, sizeof(pos_in)) != 0) ||
	    (uoff_out != NULL &&
		copyin(uoff_out, &pos_out, sizeof(pos_out)) != 0)) {
		rv = -EFAULT;
		goto out;
	}
	ivp = file_vnode(in);
	ovp = file_vnode(out);
	if ((ivp != NULL && ivp->v_type == VDIR) ||
	    (ovp != NULL && ovp->v_type == VDIR)) {
		rv = -EISDIR;
		goto out;
	}
	if (ivp == NULL || ovp == NULL || ivp->v_type != VREG ||
	    ovp->v_type != VREG) {
		rv = -EINVAL;
		goto out;
	}
	if (!(in->f_flag & FREAD) || !(out->f_flag & FWRITE) ||
	    (file_status_flags(out) & FAPPEND)) {
		rv = -EBADF;
		goto out;
	}
	if (uoff_in == NULL)
		pos_in = file_pos_get(in);
	if (uoff_out == NULL)
		pos_out = file_pos_get(out);
	/* Linux's order and arithmetic: unsigned sums, then the sign. */
	if ((uint64_t)pos_in + len < (uint64_t)pos_in ||
	    (uint64_t)pos_out + len < (uint64_t)pos_out) {
		rv = -EOVERFLOW;
		goto out;
	}
	if (pos_in < 0 || pos_out < 0) {
		rv = -EINVAL;
		goto out;
	}
	mutex_lock(&vfs_lock);
	size = vn_size_locked(ivp);
	mutex_unlock(&vfs_lock);
	len = pos_in >= size ? 0 : MIN(len, (size_t)(size - pos_in));
	len = MIN(len, (size_t)MAX_RW_COUNT);
	if (ivp == ovp && pos_out + (off_t)len > pos_in &&
	    pos_out < pos_in + (off_t)len) {
		rv = -EINVAL;
		goto out;
	}
	rv = xfer(ivp, &pos_in, out, ovp, &pos_out, len);
	if (rv > 0) {
		if (uoff_in == NULL)
			file_pos_set(in, pos_in);
		if (uoff_out == NULL)
			file_pos_set(out, pos_out);
		if ((uoff_in != NULL &&
			copyout(&pos_in, uoff_in, sizeof(pos_in)) != 0) ||
		    (uoff_out != NULL &&
			copyout(&pos_out, uoff_out, sizeof(pos_out)) != 0))
			rv = -EFAULT;
	}
out:
	if (out != NULL)
		file_rele(out);
	file_rele(in);
	return rv;
}

/*
 * fsync(fd) and fdatasync(fd): tmpfs keeps everything in memory, so
 * there is nothing to write back; files of the file system and memfds
 * succeed, other kinds (pipes, the console) are EINVAL as Linux's,
 * which have no fsync.
 */
long
sys_fsync(int fd)
{
	struct file *fp = fd_getfile(fd);
	long rv;

	if (fp == NULL)
		return -EBADF;
	rv = fp->f_type == DTYPE_INODE || fp->f_type == DTYPE_MEMFD ? 0 :
								      -EINVAL;
	file_rele(fp);
	return rv;
}

long
sys_fdatasync(int fd)
{
	return sys_fsync(fd);
}

/*
 * Make the pages of [off, end) of vp real, where end <= its size: read
 * each chunk and write it back, which fills holes with zero pages and
 * leaves data as it was.  0 or -ENOSPC/-ENOMEM.  vfs_lock held.
 */
static int
falloc_fill_locked(struct vnode *vp, off_t off, off_t end, uint8_t *buf)
{
	KASSERT(mutex_held(&vfs_lock));
	while (off < end) {
		size_t n = MIN((off_t)XFER_CHUNK, end - off);
		ssize_t r = vp->v_op->vop_read(vp, buf, n, off, false);

		if (r < 0)
			return r;
		if ((size_t)r < n)
			memset(buf + r, 0, n - r);
		r = vp->v_op->vop_write(vp, buf, n, off, false);
		if (r < 0)
			return r;
		off += n;
	}
	return 0;
}

/*
 * fallocate(fd, mode, offset, len): mode 0 makes the pages of [offset,
 * offset + len) and extends the file to its end if it is shorter;
 * FALLOC_FL_KEEP_SIZE makes only the pages inside the file.  Failing
 * with ENOSPC leaves the size as it was.  Other modes are EOPNOTSUPP
 * (as a file system without them).
 */
long
sys_fallocate(int fd, int mode, off_t offset, off_t len)
{
	struct file *fp;
	struct vnode *vp;
	uint8_t *buf = NULL;
	off_t size, end;
	long rv;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode &
	    ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
		FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_COLLAPSE_RANGE |
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
		FALLOC_FL_UNSHARE_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (mode & FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (((mode & FALLOC_FL_COLLAPSE_RANGE) &&
		(mode & ~FALLOC_FL_COLLAPSE_RANGE)) ||
	    ((mode & FALLOC_FL_INSERT_RANGE) &&
		(mode & ~FALLOC_FL_INSERT_RANGE)) ||
	    ((mode & FALLOC_FL_UNSHARE_RANGE) &&
		(mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE))))
		return -EINVAL;
	fp = fd_getfile(fd);
	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (!(fp->f_flag & FWRITE))
		rv = -EBADF;
	else if (fp->f_type == DTYPE_PIPE)
		rv = -ESPIPE;
	else if (vp != NULL && vp->v_type == VDIR)
		rv = -EISDIR;
	else if (vp == NULL || vp->v_type != VREG)
		rv = -ENODEV;
	else if (offset > INT64_MAX - len)
		rv = -EFBIG;
	else if (mode & ~FALLOC_FL_KEEP_SIZE)
		rv = -EOPNOTSUPP;
	else if ((buf = kmalloc(XFER_CHUNK, 0)) == NULL)
		rv = -ENOMEM;
	else
		rv = 0;
	if (rv != 0)
		goto out;
	end = offset + len;
	mutex_lock(&vfs_lock);
	size = vn_size_locked(vp);
	rv = falloc_fill_locked(vp, offset, MIN(end, size), buf);
	if (rv == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && end > size) {
		memset(buf, 0, XFER_CHUNK);
		rv = falloc_fill_locked(vp, MAX(offset, size), end, buf);
		if (rv != 0)
			(void)vp->v_op->vop_truncate(vp, size);
	}
	mutex_unlock(&vfs_lock);
out:
	kfree(buf);
	file_rele(fp);
	return rv;
}
