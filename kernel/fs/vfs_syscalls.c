/*
 * Syscalls on paths and vnode files: openat and its older forms (O_PATH
 * and O_TMPFILE too), the stat family and statx, access, mkdir, unlink,
 * rmdir, rename, link, symlink, readlink, chdir, fchdir, getcwd,
 * truncate, chmod, the chown family, utimensat, futimesat, pread64,
 * pwrite64, and getdents64's and ftruncate's vnode halves.
 *
 * Each runs on the calling LWP with no locks held and returns what
 * Linux's does, or -errno.  The pattern: copy the path in (-EFAULT,
 * -ENAMETOOLONG) and find the *at directory (vfs_begin), then take
 * vfs_lock for the lookup and the operation, then let everything go
 * (vfs_end).  Everything runs as root: only exec checks a mode bit.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <syscall.h>
#include <vnode.h>
#include <stdarg.h>
#include <proc/proc.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

#include <asm/statfs.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mount.h>

/* umount2's flags and statfs's f_flags: Linux's (no uapi header has them). */
#define MNT_FORCE 0x1
#define MNT_DETACH 0x2
#define MNT_EXPIRE 0x4
#define UMOUNT_NOFOLLOW 0x8
#define ST_RDONLY 0x1
#define ST_NOSUID 0x2
#define ST_NODEV 0x4
#define ST_NOEXEC 0x8
#define ST_VALID 0x20
#define ST_NOATIME 0x400
#define ST_NODIRATIME 0x800

/* d_type values: Linux's. */
#define DT_DIR 4

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* Linux's struct linux_dirent64 header, before the name. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
} __packed;

/*
 * Paths up to this long (with the NUL) are copied into a buffer on the
 * caller's stack (struct vfs_pathbuf); longer ones are copied again into
 * a PATH_MAX kmalloc buffer, which takes a whole page from the page
 * allocator.
 */
#define VFS_SHORT_PATH 256

/*
 * A path copied in from user space, on the caller's stack: pb_path is
 * the string, in pb_short when it fits (with its NUL), else in a
 * kmalloc'd PATH_MAX buffer that vfs_end frees.
 */
struct vfs_pathbuf {
	char *pb_path;
	char pb_short[VFS_SHORT_PATH];
};

/* Undo vfs_begin: the path's buffer and start.  No locks held. */
static void
vfs_end(struct vfs_pathbuf *pb, struct vnode *start)
{
	if (pb->pb_path != pb->pb_short)
		kfree(pb->pb_path);
	if (start != NULL)
		vnode_rel(start);
}

/*
 * Copy the user path in (*pathp, in pb) and find the start directory of
 * an *at call (*startp: a reference, or NULL for the current
 * directory).  empty_ok: "" is allowed (AT_EMPTY_PATH).  On failure
 * nothing is left to free.  No locks held.
 */
static int
vfs_begin(int dirfd, const char *upath, bool empty_ok, struct vfs_pathbuf *pb,
    char **pathp, struct vnode **startp)
{
	char *path = pb->pb_short;
	long n;
	int error;

	*pathp = NULL;
	*startp = NULL;
	n = copyinstr(upath, path, VFS_SHORT_PATH);
	if (n == -ENAMETOOLONG) {
		if ((path = kmalloc(PATH_MAX, 0)) == NULL)
			return -ENOMEM;
		n = copyinstr(upath, path, PATH_MAX);
	}
	pb->pb_path = path;
	if (n < 0 || (n == 0 && !empty_ok)) {
		vfs_end(pb, NULL);
		return n < 0 ? (int)n : -ENOENT;
	}
	*startp = vfs_at_dir(dirfd, path, &error);
	if (error != 0) {
		vfs_end(pb, NULL);
		return error;
	}
	*pathp = path;
	return 0;
}

/* True if vp is the root of its mount.  vfs_lock held. */
static bool
vfs_is_mount_root(struct vnode *vp)
{
	return vp == vp->v_mount->mnt_root;
}

/* True if (name, len) is "." or "..". */
static bool
vfs_is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.');
}

static unsigned
vfs_umask(void)
{
	return __atomic_load_n(&curproc->p_umask, __ATOMIC_RELAXED);
}

/*
 * openat(dirfd, path, flags, mode): open, or with O_CREAT create, a file
 * or directory.
 */
long
sys_openat(int dirfd, const char *upath, int flags, int mode)
{
	struct nameidata nd;
	struct vnode *start, *vp, *tmp = NULL;
	struct file *fp = NULL;
	struct vfs_pathbuf pb;
	char *path;
	int error, acc = flags & O_ACCMODE, fflag;
	bool fifo = false;
	unsigned partner = 0;

	if (flags & O_PATH) {
		/* Linux keeps only these; the file names its object. */
		flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
		acc = O_RDONLY;
	}
	if (flags &
		~(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
		    O_NONBLOCK | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC | O_TMPFILE | O_PATH) ||
	    acc == O_ACCMODE)
		return -EINVAL;
	if ((flags & __O_TMPFILE) &&
	    ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE || acc == O_RDONLY))
		return -EINVAL;
	error = vfs_begin(dirfd, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	/*
	 * Linux takes the descriptor after copying the path and before the
	 * lookup: with none free the call is EMFILE and makes or truncates
	 * nothing, and a lookup error is EMFILE too (below).
	 */
	if ((flags & (O_CREAT | O_TRUNC)) && !fd_available(curproc->p_fd)) {
		vfs_end(&pb, start);
		return -EMFILE;
	}
	fflag = (acc == O_RDONLY || acc == O_RDWR ? FREAD : 0) |
	    (acc == O_WRONLY || acc == O_RDWR ? FWRITE : 0);
	if (flags & O_PATH)
		fflag = FPATH;
	mutex_lock(&vfs_lock);
	if (flags & O_CREAT) {
		error = namei_locked(start, path,
		    NAMEI_PARENT |
			(flags & (O_EXCL | O_NOFOLLOW) ? 0 : NAMEI_FOLLOW),
		    &nd);
		if (error != 0)
			goto unlock;
		if (nd.nd_vp == NULL) {
			if (nd.nd_trailing) {
				error = -EISDIR;
				goto done;
			}
			error = nd.nd_dvp->v_op->vop_create(nd.nd_dvp,
			    nd.nd_name, nd.nd_len, mode & ~vfs_umask() & 07777,
			    &nd.nd_vp);
			if (error != 0)
				goto done;
			flags &= ~O_TRUNC;
		} else if (flags & O_EXCL) {
			error = -EEXIST;
			goto done;
		} else if (nd.nd_vp->v_type == VDIR) {
			error = -EISDIR;
			goto done;
		}
	} else {
		error = namei_locked(start, path,
		    flags & O_NOFOLLOW ? 0 : NAMEI_FOLLOW, &nd);
		if (error != 0)
			goto unlock;
	}
	vp = nd.nd_vp;
	if (vp->v_type == VLNK && !(flags & O_PATH)) {
		error = -ELOOP; /* O_NOFOLLOW */
		goto done;
	}
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR) {
		error = -ENOTDIR;
		goto done;
	}
	if (flags & O_PATH)
		goto open;
	if (flags & __O_TMPFILE) {
		/* An unnamed file in directory vp, freed at its last close. */
		error = vp->v_op->vop_tmpfile(vp, mode & ~vfs_umask() & 07777,
		    &tmp);
		if (error != 0)
			goto done;
		vp = tmp;
		flags &= ~O_TRUNC;
	}
	if (vp->v_type == VDIR && ((fflag & FWRITE) || (flags & O_TRUNC))) {
		error = -EISDIR;
		goto done;
	}
	if (vn_rdonly_locked(vp) && vp->v_type != VCHR && vp->v_type != VFIFO &&
	    ((fflag & FWRITE) || (flags & O_TRUNC))) {
		error = -EROFS; /* the initrd's tree (ABI.md), a ro mount */
		goto done;
	}
open:
	fflag |= (flags & O_NONBLOCK) ? FNONBLOCK : 0;
	if (vp->v_type == VFIFO && !(flags & O_PATH)) {
		/* Its pipe's end; the wait for the other end comes below. */
		error = fifo_open(vp, fflag, &fp, &partner);
		fifo = error == 0;
		goto done;
	}
	if (vp->v_op->vop_open != NULL && !(flags & O_PATH)) {
		/* A device: its own file (devfs); O_PATH opens the node. */
		error = vp->v_op->vop_open(vp, fflag, &fp);
		goto done;
	}
	/* Open, then truncate: ETXTBSY first, as Linux. */
	error = vn_open_file(vp, fflag, (flags & O_APPEND) != 0, &fp);
	if (error == 0 && (flags & O_TRUNC) && (fflag & FWRITE) &&
	    vp->v_type == VREG)
		error = vp->v_op->vop_truncate(vp, 0);
	if (tmp != NULL)
		vnode_rel_locked(tmp); /* the file holds it now, if made */
done:
	namei_done_locked(&nd);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	if (fifo)
		error = fifo_open_wait(fp, partner);
	if (fp != NULL && error != 0) {
		file_rele(fp); /* the truncation or a FIFO's wait failed */
		fp = NULL;
	}
	if (fp != NULL) {
		error =
		    fd_alloc(curproc->p_fd, fp, 0, (flags & O_CLOEXEC) != 0);
		if (error < 0)
			file_rele(fp);
	} else if (!fd_available(curproc->p_fd)) {
		error = -EMFILE;
	}
	return error;
}

long
sys_open(const char *upath, int flags, int mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

long
sys_creat(const char *upath, int mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/*
 * The attributes of path (relative to dirfd) into *st: newfstatat's and
 * statx's work, flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH) checked by
 * the caller.  With AT_EMPTY_PATH and "" any open file, O_PATH ones too,
 * as fstat.  No locks held.
 */
static int
vfs_stat_at(int dirfd, const char *upath, int flags, struct stat *st)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	memset(st, 0, sizeof(*st));
	if ((flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *fp;
		char c;

		if (copyin(upath, &c, 1) != 0)
			return -EFAULT;
		if (c == '\0') {
			/* Any open file, as fstat: a pipe, the console too. */
			fp = fd_getfile_raw(dirfd);
			if (fp == NULL)
				return -EBADF;
			fp->f_ops->fo_stat(fp, st);
			file_rele(fp);
			return 0;
		}
	}
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &pb,
	    &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path,
	    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
		(flags & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
	    &nd);
	if (error == 0) {
		vn_getattr_locked(nd.nd_vp, st);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

/* newfstatat(dirfd, path, st, flags): stat, lstat, or fstat with "". */
long
sys_newfstatat(int dirfd, const char *upath, struct stat *ust, int flags)
{
	struct stat st;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	error = vfs_stat_at(dirfd, upath, flags, &st);
	if (error == 0)
		error = copyout(&st, ust, sizeof(st));
	return error;
}

/* A device number's major and minor, as Linux's new_encode_dev splits. */
static uint32_t
dev_major(uint64_t dev)
{
	return ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffU);
}

static uint32_t
dev_minor(uint64_t dev)
{
	return (dev & 0xff) | ((dev >> 12) & ~0xffU);
}

/*
 * statx(dirfd, path, flags, mask, buf): the basic attributes
 * (STATX_BASIC_STATS, whatever mask asks: Linux may return more) in a
 * struct statx.  AT_STATX_FORCE_SYNC and AT_STATX_DONT_SYNC ask nothing
 * of tmpfs; both at once, or STATX__RESERVED in mask, are EINVAL.
 */
long
sys_statx(int dirfd, const char *upath, int flags, unsigned mask,
    struct statx *ubuf)
{
	struct statx sx;
	struct stat st;
	int error;

	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if (flags &
	    ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		AT_STATX_SYNC_TYPE))
		return -EINVAL;
	error = vfs_stat_at(dirfd, upath, flags, &st);
	if (error != 0)
		return error;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = st.st_blksize;
	sx.stx_nlink = st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = st.st_size;
	sx.stx_blocks = st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atime;
	sx.stx_atime.tv_nsec = st.st_atime_nsec;
	sx.stx_mtime.tv_sec = st.st_mtime;
	sx.stx_mtime.tv_nsec = st.st_mtime_nsec;
	sx.stx_ctime.tv_sec = st.st_ctime;
	sx.stx_ctime.tv_nsec = st.st_ctime_nsec;
	sx.stx_rdev_major = dev_major(st.st_rdev);
	sx.stx_rdev_minor = dev_minor(st.st_rdev);
	sx.stx_dev_major = dev_major(st.st_dev);
	sx.stx_dev_minor = dev_minor(st.st_dev);
	return copyout(&sx, ubuf, sizeof(sx));
}

long
sys_stat(const char *upath, struct stat *ust)
{
	return sys_newfstatat(AT_FDCWD, upath, ust, 0);
}

long
sys_lstat(const char *upath, struct stat *ust)
{
	return sys_newfstatat(AT_FDCWD, upath, ust, AT_SYMLINK_NOFOLLOW);
}

/* faccessat2(dirfd, path, mode, flags): as root, only X_OK can fail. */
long
sys_faccessat2(int dirfd, const char *upath, int mode, int flags)
{
	struct nameidata nd;
	struct vnode *start;
	struct stat st;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &pb,
	    &path, &start);
	if (error != 0)
		return error;
	memset(&st, 0, sizeof(st));
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path,
	    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
		(flags & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
	    &nd);
	if (error == 0) {
		nd.nd_vp->v_op->vop_getattr(nd.nd_vp, &st);
		if ((mode & 1) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
			error = -EACCES;
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

long
sys_faccessat(int dirfd, const char *upath, int mode)
{
	return sys_faccessat2(dirfd, upath, mode, 0);
}

long
sys_access(const char *upath, int mode)
{
	return sys_faccessat2(AT_FDCWD, upath, mode, 0);
}

/*
 * Look up the parent of path for a call that makes a name: the caller
 * gets nd (namei_done_locked drops it) with vfs_lock held, or an error
 * and nothing held.
 */
static int
vfs_parent_lookup(struct vnode *start, const char *path, struct nameidata *nd)
{
	int error;

	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_PARENT, nd);
	if (error != 0)
		mutex_unlock(&vfs_lock);
	return error;
}

long
sys_mkdirat(int dirfd, const char *upath, int mode)
{
	struct nameidata nd;
	struct vnode *start, *vp;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(dirfd, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	error = vfs_parent_lookup(start, path, &nd);
	if (error == 0) {
		if (nd.nd_vp != NULL) {
			error = -EEXIST;
		} else {
			error =
			    nd.nd_dvp->v_op->vop_mkdir(nd.nd_dvp, nd.nd_name,
				nd.nd_len, mode & ~vfs_umask() & 07777, &vp);
			if (error == 0)
				vnode_rel_locked(vp);
		}
		namei_done_locked(&nd);
		mutex_unlock(&vfs_lock);
	}
	vfs_end(&pb, start);
	return error;
}

long
sys_mkdir(const char *upath, int mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
}

/*
 * mknodat(dirfd, path, mode, dev): a FIFO, or an empty regular file.  The
 * type checks come in Linux's order: a directory or an unknown type
 * before the lookup (may_mknod), a device after it (here: no device or
 * socket files can be made, as without CAP_MKNOD).
 */
long
sys_mknodat(int dirfd, const char *upath, int mode, unsigned dev)
{
	struct nameidata nd;
	struct vnode *start, *vp, *dvp;
	struct vfs_pathbuf pb;
	unsigned type = (unsigned)mode & S_IFMT, perm;
	char *path;
	int error;

	(void)dev;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != 0 && type != S_IFREG && type != S_IFIFO &&
	    type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK)
		return -EINVAL;
	perm = (unsigned)mode & ~vfs_umask() & 07777;
	error = vfs_begin(dirfd, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	error = vfs_parent_lookup(start, path, &nd);
	if (error == 0) {
		dvp = nd.nd_dvp;
		if (nd.nd_vp != NULL)
			error = -EEXIST;
		else if (nd.nd_trailing)
			error = -ENOENT; /* "name/" names a directory */
		else if (vn_rdonly_locked(dvp))
			error = -EROFS;
		else if (type == S_IFIFO && dvp->v_op->vop_mkfifo != NULL)
			error = dvp->v_op->vop_mkfifo(dvp, nd.nd_name,
			    nd.nd_len, perm, &vp);
		else if (type == 0 || type == S_IFREG)
			error = dvp->v_op->vop_create(dvp, nd.nd_name,
			    nd.nd_len, perm, &vp);
		else
			error = -EPERM;
		if (error == 0)
			vnode_rel_locked(vp);
		namei_done_locked(&nd);
		mutex_unlock(&vfs_lock);
	}
	vfs_end(&pb, start);
	return error;
}

long
sys_mknod(const char *upath, int mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, upath, mode, dev);
}

/*
 * unlinkat(dirfd, path, flags): remove a name (AT_REMOVEDIR: an empty
 * directory).
 */
long
sys_unlinkat(int dirfd, const char *upath, int flags)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;
	bool rmdir = (flags & AT_REMOVEDIR) != 0;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	error = vfs_begin(dirfd, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	error = vfs_parent_lookup(start, path, &nd);
	if (error != 0)
		goto out;
	if (rmdir && nd.nd_vp != NULL && vfs_is_mount_root(nd.nd_vp))
		error = -EBUSY;
	else if (rmdir && nd.nd_len == 1 && nd.nd_name[0] == '.')
		error = -EINVAL;
	else if (rmdir && vfs_is_dot(nd.nd_name, nd.nd_len))
		error = -ENOTEMPTY;
	else if (vfs_is_dot(nd.nd_name, nd.nd_len))
		error = -EISDIR;
	else if (vn_rdonly_locked(nd.nd_dvp))
		error = -EROFS; /* before the name's lookup, as Linux */
	else if (nd.nd_vp == NULL)
		error = -ENOENT;
	else if (rmdir && nd.nd_vp->v_type != VDIR)
		error = -ENOTDIR;
	else if (!rmdir && nd.nd_vp->v_type == VDIR)
		error = -EISDIR;
	else if (rmdir)
		error = nd.nd_dvp->v_op->vop_rmdir(nd.nd_dvp, nd.nd_name,
		    nd.nd_len);
	else
		error = nd.nd_dvp->v_op->vop_unlink(nd.nd_dvp, nd.nd_name,
		    nd.nd_len);
	namei_done_locked(&nd);
	mutex_unlock(&vfs_lock);
out:
	vfs_end(&pb, start);
	return error;
}

long
sys_unlink(const char *upath)
{
	return sys_unlinkat(AT_FDCWD, upath, 0);
}

long
sys_rmdir(const char *upath)
{
	return sys_unlinkat(AT_FDCWD, upath, AT_REMOVEDIR);
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags). */
long
sys_renameat2(int olddirfd, const char *uold, int newdirfd, const char *unew,
    unsigned flags)
{
	struct nameidata ond, nnd;
	struct vnode *ostart, *nstart;
	struct vfs_pathbuf opb, npb;
	char *opath, *npath;
	int error;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	error = vfs_begin(olddirfd, uold, false, &opb, &opath, &ostart);
	if (error != 0)
		return error;
	error = vfs_begin(newdirfd, unew, false, &npb, &npath, &nstart);
	if (error != 0) {
		vfs_end(&opb, ostart);
		return error;
	}
	error = vfs_parent_lookup(ostart, opath, &ond);
	if (error != 0)
		goto out;
	error = namei_locked(nstart, npath, NAMEI_PARENT, &nnd);
	if (error != 0)
		goto done_old;
	if (vfs_is_dot(ond.nd_name, ond.nd_len) ||
	    (ond.nd_vp != NULL && vfs_is_mount_root(ond.nd_vp)))
		error = -EBUSY;
	else if (ond.nd_vp == NULL)
		error = -ENOENT;
	else if (ond.nd_dvp->v_mount != nnd.nd_dvp->v_mount)
		error = -EXDEV;
	else if (vfs_is_dot(nnd.nd_name, nnd.nd_len) ||
	    (nnd.nd_vp != NULL && vfs_is_mount_root(nnd.nd_vp)))
		error = flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
	else if (nnd.nd_trailing && nnd.nd_vp == NULL &&
	    ond.nd_vp->v_type != VDIR)
		error = -ENOTDIR;
	else
		error = ond.nd_dvp->v_op->vop_rename(ond.nd_dvp, ond.nd_name,
		    ond.nd_len, nnd.nd_dvp, nnd.nd_name, nnd.nd_len, flags);
	namei_done_locked(&nnd);
done_old:
	namei_done_locked(&ond);
	mutex_unlock(&vfs_lock);
out:
	vfs_end(&npb, nstart);
	vfs_end(&opb, ostart);
	return error;
}

long
sys_renameat(int olddirfd, const char *uold, int newdirfd, const char *unew)
{
	return sys_renameat2(olddirfd, uold, newdirfd, unew, 0);
}

long
sys_rename(const char *uold, const char *unew)
{
	return sys_renameat2(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, flags): a hard link. */
long
sys_linkat(int olddirfd, const char *uold, int newdirfd, const char *unew,
    int flags)
{
	struct nameidata ond, nnd;
	struct vnode *ostart, *nstart;
	struct vfs_pathbuf opb, npb;
	char *opath, *npath;
	int error;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	error = vfs_begin(olddirfd, uold, (flags & AT_EMPTY_PATH) != 0, &opb,
	    &opath, &ostart);
	if (error != 0)
		return error;
	error = vfs_begin(newdirfd, unew, false, &npb, &npath, &nstart);
	if (error != 0) {
		vfs_end(&opb, ostart);
		return error;
	}
	mutex_lock(&vfs_lock);
	error = namei_locked(ostart, opath,
	    (flags & AT_SYMLINK_FOLLOW ? NAMEI_FOLLOW : 0) |
		(flags & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
	    &ond);
	if (error != 0)
		goto unlock;
	error = namei_locked(nstart, npath, NAMEI_PARENT, &nnd);
	if (error != 0)
		goto done_old;
	if (ond.nd_vp->v_type == VDIR)
		error = -EPERM;
	else if (nnd.nd_vp != NULL || vfs_is_dot(nnd.nd_name, nnd.nd_len))
		error = -EEXIST;
	else if (nnd.nd_trailing)
		error = -ENOENT;
	else if (ond.nd_vp->v_mount != nnd.nd_dvp->v_mount)
		error = -EXDEV;
	else
		error = nnd.nd_dvp->v_op->vop_link(nnd.nd_dvp, nnd.nd_name,
		    nnd.nd_len, ond.nd_vp);
	namei_done_locked(&nnd);
done_old:
	namei_done_locked(&ond);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(&npb, nstart);
	vfs_end(&opb, ostart);
	return error;
}

long
sys_link(const char *uold, const char *unew)
{
	return sys_linkat(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

/* symlinkat(target, newdirfd, linkpath). */
long
sys_symlinkat(const char *utarget, int newdirfd, const char *ulink)
{
	struct nameidata nd;
	struct vnode *start, *vp;
	struct vfs_pathbuf pb;
	char *target, *path;
	long error;

	target = kmalloc(PATH_MAX, 0);
	if (target == NULL)
		return -ENOMEM;
	error = copyinstr(utarget, target, PATH_MAX);
	if (error == 0)
		error = -ENOENT;
	if (error < 0) {
		kfree(target);
		return error;
	}
	error = vfs_begin(newdirfd, ulink, false, &pb, &path, &start);
	if (error != 0) {
		kfree(target);
		return error;
	}
	error = vfs_parent_lookup(start, path, &nd);
	if (error == 0) {
		if (nd.nd_vp != NULL || vfs_is_dot(nd.nd_name, nd.nd_len))
			error = -EEXIST;
		else if (nd.nd_trailing)
			error = -ENOENT;
		else
			error = nd.nd_dvp->v_op->vop_symlink(nd.nd_dvp,
			    nd.nd_name, nd.nd_len, target, &vp);
		if (error == 0)
			vnode_rel_locked(vp);
		namei_done_locked(&nd);
		mutex_unlock(&vfs_lock);
	}
	vfs_end(&pb, start);
	kfree(target);
	return error;
}

long
sys_symlink(const char *utarget, const char *ulink)
{
	return sys_symlinkat(utarget, AT_FDCWD, ulink);
}

/* readlinkat(dirfd, path, buf, bufsiz): a link's target, no NUL added. */
long
sys_readlinkat(int dirfd, const char *upath, char *ubuf, int bufsiz)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path, *buf = NULL;
	long error;

	if (bufsiz <= 0)
		return -EINVAL;
	error = vfs_begin(dirfd, upath, true, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_EMPTY, &nd);
	if (error == 0) {
		if (nd.nd_vp->v_type != VLNK) {
			error = -EINVAL;
		} else if ((buf = kmalloc(PATH_MAX, 0)) == NULL) {
			error = -ENOMEM;
		} else {
			error = nd.nd_vp->v_op->vop_readlink(nd.nd_vp, buf,
			    MIN((size_t)bufsiz, PATH_MAX));
		}
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	if (error > 0 && copyout(buf, ubuf, error) != 0)
		error = -EFAULT;
	kfree(buf);
	return error;
}

long
sys_readlink(const char *upath, char *ubuf, int bufsiz)
{
	return sys_readlinkat(AT_FDCWD, upath, ubuf, bufsiz);
}

/* Make vp (a reference that passes to the process) the current directory. */
static void
vfs_set_cwd(struct vnode *vp)
{
	struct vnode *old;

	mutex_lock(&vfs_lock);
	old = curproc->p_cwd;
	curproc->p_cwd = vp;
	if (old != NULL)
		vnode_rel_locked(old);
	mutex_unlock(&vfs_lock);
}

long
sys_chdir(const char *upath)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0 && nd.nd_vp->v_type != VDIR) {
		namei_done_locked(&nd);
		error = -ENOTDIR;
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	if (error == 0)
		vfs_set_cwd(nd.nd_vp); /* namei's reference */
	return error;
}

long
sys_fchdir(int fd)
{
	struct file *fp = fd_getfile_raw(fd);
	struct vnode *vp;
	int error = 0;

	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (vp == NULL || vp->v_type != VDIR)
		error = -ENOTDIR;
	else
		vnode_ref(vp);
	file_rele(fp);
	if (error == 0)
		vfs_set_cwd(vp);
	return error;
}

/* getcwd(buf, size): the current directory's absolute path. */
long
sys_getcwd(char *ubuf, size_t size)
{
	char *buf = kmalloc(PATH_MAX, 0);
	long error;

	if (buf == NULL)
		return -ENOMEM;
	mutex_lock(&vfs_lock);
	error = vfs_vnode_path_locked(
	    curproc->p_cwd != NULL ? curproc->p_cwd : rootvnode, buf, PATH_MAX);
	mutex_unlock(&vfs_lock);
	if (error >= 0) {
		error++; /* the NUL too */
		if (size < (size_t)error)
			error = -ERANGE;
		else if (copyout(buf, ubuf, error) != 0)
			error = -EFAULT;
	}
	kfree(buf);
	return error;
}

/* Set the size of regular file vp.  No locks held. */
static int
vfs_truncate_vnode(struct vnode *vp, off_t length)
{
	struct vm_object *wobj;
	int error;

	if (length < 0)
		return -EINVAL;
	if (vp->v_type == VDIR)
		return -EISDIR;
	mutex_lock(&vfs_lock);
	error = vn_write_begin(vp, &wobj); /* ETXTBSY: a program runs */
	if (error == 0) {
		error = vp->v_op->vop_truncate(vp, length);
		vn_write_end(wobj);
	}
	mutex_unlock(&vfs_lock);
	return error;
}

long
sys_truncate(const char *upath, off_t length)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	if (error != 0)
		return error;
	error = vfs_truncate_vnode(nd.nd_vp, length);
	vnode_rel(nd.nd_vp);
	return error;
}

long
vn_ftruncate(struct file *fp, off_t length)
{
	struct vnode *vp = file_vnode(fp);

	if (vp == NULL || !(fp->f_flag & FWRITE) || length < 0)
		return -EINVAL;
	return vfs_truncate_vnode(vp, length);
}

/* fchmodat(dirfd, path, mode); chmod; fchmod. */
long
sys_fchmodat(int dirfd, const char *upath, int mode)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(dirfd, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0) {
		error = nd.nd_vp->v_op->vop_chmod(nd.nd_vp, mode);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

long
sys_chmod(const char *upath, int mode)
{
	return sys_fchmodat(AT_FDCWD, upath, mode);
}

/* What fchmod and fchown set: the mode, or the owner and group. */
struct vfs_attr_change {
	bool ac_chown;
	unsigned ac_mode;
	uid_t ac_uid;
	gid_t ac_gid;
};

/*
 * fchmod and fchown: change the vnode of open file fd.  -EBADF, -EINVAL
 * for a file that is not of the file system (a pipe, the console), or
 * the vnode operation's answer.  No locks held.
 */
static long
vfs_fd_change(int fd, const struct vfs_attr_change *ac)
{
	struct file *fp = fd_getfile(fd);
	struct vnode *vp;
	long error;

	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (vp == NULL) {
		error = -EINVAL;
	} else {
		mutex_lock(&vfs_lock);
		error = ac->ac_chown ?
		    vp->v_op->vop_chown(vp, ac->ac_uid, ac->ac_gid) :
		    vp->v_op->vop_chmod(vp, ac->ac_mode);
		mutex_unlock(&vfs_lock);
	}
	file_rele(fp);
	return error;
}

long
sys_fchmod(int fd, int mode)
{
	struct vfs_attr_change ac = { .ac_mode = (unsigned)mode };

	return vfs_fd_change(fd, &ac);
}

static long vfs_utimens(int dirfd, const char *upath, const struct timespec *ts,
    int flags);

/*
 * fchownat(dirfd, path, owner, group, flags): set the owner and group
 * ((uid_t)-1, (gid_t)-1: unchanged) of path, following a symbolic link
 * unless AT_SYMLINK_NOFOLLOW; "" with AT_EMPTY_PATH names dirfd.  As
 * root any ids are allowed.  chown, lchown and fchown are its forms.
 */
long
sys_fchownat(int dirfd, const char *upath, uid_t uid, gid_t gid, int flags)
{
	struct nameidata nd;
	struct vnode *start;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &pb,
	    &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path,
	    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
		(flags & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
	    &nd);
	if (error == 0) {
		error = nd.nd_vp->v_op->vop_chown(nd.nd_vp, uid, gid);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

long
sys_chown(const char *upath, uid_t uid, gid_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, 0);
}

long
sys_lchown(const char *upath, uid_t uid, gid_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW);
}

/* fchown(fd, owner, group): files of the file system only (as fchmod). */
long
sys_fchown(int fd, uid_t uid, gid_t gid)
{
	struct vfs_attr_change ac = { .ac_chown = true,
		.ac_uid = uid,
		.ac_gid = gid };

	return vfs_fd_change(fd, &ac);
}

/*
 * utimensat(dirfd, path, times, flags): set the access and modification
 * times (NULL times: now; UTIME_NOW, UTIME_OMIT); a NULL path names
 * dirfd itself.
 */
long
sys_utimensat(int dirfd, const char *upath, const struct timespec *utimes,
    int flags)
{
	struct timespec ts[2];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes != NULL && copyin(utimes, ts, sizeof(ts)) != 0)
		return -EFAULT;
	return vfs_utimens(dirfd, upath, utimes != NULL ? ts : NULL, flags);
}

/*
 * futimesat(dirfd, path, times): utimensat with microseconds (struct
 * timeval) and no flags; NULL times: now.
 */
long
sys_futimesat(int dirfd, const char *upath, const struct timeval *utimes)
{
	struct timespec ts[2];
	struct {
		int64_t tv_sec;
		int64_t tv_usec;
	} tv[2];

	if (utimes != NULL) {
		if (copyin(utimes, tv, sizeof(tv)) != 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return vfs_utimens(dirfd, upath, utimes != NULL ? ts : NULL, 0);
}

/*
 * utimensat's work, with the times (or NULL: now) in kernel memory and
 * flags checked.  No locks held.
 */
static long
vfs_utimens(int dirfd, const char *upath, const struct timespec *ts, int flags)
{
	int64_t t[2], now = (int64_t)clock_realtime_ns();
	bool set[2] = { true, true };
	struct nameidata nd;
	struct vnode *start = NULL, *vp;
	struct vfs_pathbuf pb;
	char *path = NULL;
	int error;

	t[0] = t[1] = now;
	if (ts != NULL) {
		for (int i = 0; i < 2; i++) {
			if (ts[i].tv_nsec == UTIME_OMIT)
				set[i] = false;
			else if (ts[i].tv_nsec == UTIME_NOW)
				t[i] = now;
			else if (ts[i].tv_nsec < 0 ||
			    ts[i].tv_nsec >= 1000000000)
				return -EINVAL;
			else
				t[i] =
				    ts[i].tv_sec * 1000000000 + ts[i].tv_nsec;
		}
	}
	if (upath == NULL) {
		struct file *fp;

		if (dirfd == AT_FDCWD)
			return -EFAULT;
		fp = fd_getfile(dirfd);
		if (fp == NULL)
			return -EBADF;
		vp = file_vnode(fp);
		error = vp == NULL ? -EINVAL : 0;
		if (vp != NULL) {
			mutex_lock(&vfs_lock);
			error = vp->v_op->vop_utimes(vp, set[0] ? &t[0] : NULL,
			    set[1] ? &t[1] : NULL);
			mutex_unlock(&vfs_lock);
		}
		file_rele(fp);
		return error;
	}
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &pb,
	    &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path,
	    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
		(flags & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
	    &nd);
	if (error == 0) {
		error = nd.nd_vp->v_op->vop_utimes(nd.nd_vp,
		    set[0] ? &t[0] : NULL, set[1] ? &t[1] : NULL);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

/*
 * pread64 and pwrite64: at offset, leaving the file offset alone.  Only
 * vnode files (-ESPIPE otherwise).
 */
static long
vfs_prw(int fd, void *ubuf, size_t n, off_t off, bool write)
{
	struct file *fp = fd_getfile(fd);
	struct vnode *vp;
	long rv;

	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (!(fp->f_flag & (write ? FWRITE : FREAD)))
		rv = -EBADF;
	else if (vp == NULL)
		rv = -ESPIPE;
	else if (off < 0)
		rv = -EINVAL;
	else if (vp->v_type == VDIR)
		rv = -EISDIR;
	else if (!user_access_ok(ubuf, n, !write))
		rv = -EFAULT;
	else {
		n = MIN(n, (size_t)INT64_MAX);
		mutex_lock(&vfs_lock);
		rv = write ? vp->v_op->vop_write(vp, ubuf, n, off, true) :
			     vp->v_op->vop_read(vp, ubuf, n, off, true);
		mutex_unlock(&vfs_lock);
	}
	file_rele(fp);
	return rv;
}

long
sys_pread64(int fd, void *ubuf, size_t n, off_t off)
{
	return vfs_prw(fd, ubuf, n, off, false);
}

long
sys_pwrite64(int fd, const void *ubuf, size_t n, off_t off)
{
	return vfs_prw(fd, (void *)ubuf, n, off, true);
}

/*
 * vn_getdents gathers records in a kernel buffer of this size and copies
 * them out a bufferful at a time.  Each entry's name is read straight
 * into its place in the buffer, so the buffer is flushed before a read
 * once less than the largest record (19 + 256 bytes rounded up) is left.
 */
#define VN_DIRBUF 2048
#define VN_DIRENT_MAX roundup(sizeof(struct dirent64_hdr) + NAME_MAX + 1, 8)

long
vn_getdents(struct file *fp, void *ubuf, size_t n)
{
	struct vnode *vp = file_vnode(fp);
	size_t done = 0, used = 0; /* copied out; gathered in buf */
	off_t cookie;              /* of the entry after the gathered ones */
	uint8_t *buf;
	long rv = 0;

	if (vp == NULL || vp->v_type != VDIR)
		return -ENOTDIR;
	if ((buf = kmalloc(VN_DIRBUF, 0)) == NULL)
		return -ENOMEM;
	mutex_lock(&vfs_lock);
	cookie = fp->f_offset;
	for (;;) {
		struct dirent64_hdr *h;
		off_t next = cookie;
		size_t namelen, reclen, keep;
		uint64_t ino;
		uint8_t dtype;
		char *name;

		if (used + VN_DIRENT_MAX > VN_DIRBUF) {
			if (copyout(buf, (uint8_t *)ubuf + done, used) != 0) {
				rv = -EFAULT;
				goto out;
			}
			done += used;
			used = 0;
			fp->f_offset = cookie;
		}
		h = (struct dirent64_hdr *)(buf + used);
		name = (char *)(h + 1);
		if (vp->v_op->vop_readdir(vp, &next, name, &ino, &dtype) != 1)
			break;
		namelen = strlen(name);
		reclen = roundup(sizeof(*h) + namelen + 1, 8);
		if (done + used + reclen > n) {
			if (done + used == 0)
				rv = -EINVAL;
			break;
		}
		/*
		 * Zero the padding after the name's NUL: it lies in the
		 * record's last 8 bytes (an aligned word), whose first
		 * `keep` bytes, the low ones (x86 is little-endian), are
		 * the name's.
		 */
		keep = sizeof(*h) + namelen + 1 - (reclen - 8);
		if (keep < 8)
			*(uint64_t *)(buf + used + reclen - 8) &=
			    (1ULL << (8 * keep)) - 1;
		h->d_ino = ino;
		h->d_off = next;
		h->d_reclen = reclen;
		h->d_type = dtype;
		used += reclen;
		cookie = next;
	}
	if (used > 0) {
		if (copyout(buf, (uint8_t *)ubuf + done, used) != 0) {
			rv = -EFAULT;
			goto out;
		}
		done += used;
		fp->f_offset = cookie;
	}
out:
	mutex_unlock(&vfs_lock);
	kfree(buf);
	return done > 0 ? (long)done : rv;
}

/* ------------------------------------------------------------------
 * chroot, the mount table, statfs and sync.
 */

/* chroot(path): make a directory the calling process's root. */
long
sys_chroot(const char *upath)
{
	struct nameidata nd;
	struct vnode *start, *old = NULL;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0 && nd.nd_vp->v_type != VDIR) {
		namei_done_locked(&nd);
		error = -ENOTDIR;
	}
	if (error == 0) {
		old = curproc->p_root;
		curproc->p_root = nd.nd_vp; /* namei's reference */
		if (old != NULL)
			vnode_rel_locked(old);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

/* The file system types mount knows, by Linux's names. */
static const struct vfsops *const vfs_types[] = {
	&tmpfs_vfsops,
	&devfs_vfsops,
	&procfs_vfsops,
};

/* st_dev of the next mount (the root's is 1).  (v) */
static uint64_t vfs_next_dev = 2;

/* The mount flags a mount keeps (mnt_flag), and those remount changes. */
#define VFS_MNT_FLAGS                                                \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
	    MS_RELATIME | MS_NODIRATIME)

/* What mount's options (data) set. */
struct vfs_mount_args {
	uint64_t ma_maxpages; /* tmpfs: size=, in pages (0: no limit) */
	unsigned ma_mode;     /* tmpfs: mode= of the root */
	bool ma_size_set;
};

/*
 * Parse mount's options string opts (comma-separated) for a file system
 * of type ops into *ma: tmpfs takes size=N[k|m|g|t|%] and mode=OCTAL;
 * the others none.  0 or -EINVAL.  No requirements.
 */
static int
vfs_parse_options(const struct vfsops *ops, char *opts,
    struct vfs_mount_args *ma)
{
	char *s = opts;

	while (*s != '\0') {
		char *opt = s, *end = s, *val;
		uint64_t n = 0;

		while (*end != '\0' && *end != ',')
			end++;
		s = *end == ',' ? end + 1 : end;
		*end = '\0';
		if (*opt == '\0')
			continue;
		if (ops != &tmpfs_vfsops)
			return -EINVAL;
		val = strchr(opt, '=');
		if (val == NULL)
			return -EINVAL;
		*val++ = '\0';
		if (strcmp(opt, "mode") == 0) {
			if (*val == '\0')
				return -EINVAL;
			for (; *val >= '0' && *val <= '7'; val++)
				n = n * 8 + (*val - '0');
			if (*val != '\0' || n > 07777)
				return -EINVAL;
			ma->ma_mode = n;
		} else if (strcmp(opt, "size") == 0) {
			uint64_t unit = 1;

			if (*val < '0' || *val > '9')
				return -EINVAL;
			for (; *val >= '0' && *val <= '9'; val++) {
				if (n > (UINT64_MAX - 9) / 10)
					return -EINVAL;
				n = n * 10 + (*val - '0');
			}
			switch (*val) {
			case '\0':
				break;
			case 'k':
			case 'K':
				unit = 1UL << 10;
				break;
			case 'm':
			case 'M':
				unit = 1UL << 20;
				break;
			case 'g':
			case 'G':
				unit = 1UL << 30;
				break;
			case 't':
			case 'T':
				unit = 1UL << 40;
				break;
			case '%':
				unit = 0;
				break;
			default:
				return -EINVAL;
			}
			if (*val != '\0' && val[1] != '\0')
				return -EINVAL;
			if (unit == 0) {
				if (n > 100)
					return -EINVAL;
				ma->ma_maxpages =
				    vm_page_total_count() * n / 100;
			} else {
				if (n > UINT64_MAX / unit)
					return -EINVAL;
				ma->ma_maxpages = howmany(n * unit, PAGE_SIZE);
			}
			ma->ma_size_set = true;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Mount a new instance of file system ops on directory covered (with
 * MS_* flags and the options in ma, source for /proc/mounts).  The
 * mount takes its own reference to covered.  0, -ENOMEM.  vfs_lock
 * held.
 */
static int
vfs_mount_locked(struct vnode *covered, const struct vfsops *ops,
    const char *source, unsigned flags, const struct vfs_mount_args *ma)
{
	struct mount *mp = kmalloc(sizeof(*mp), KM_ZERO), **mpp;
	struct vnode *root;

	KASSERT(mutex_held(&vfs_lock));
	KASSERT(covered->v_mountedhere == NULL);
	if (mp == NULL)
		return -ENOMEM;
	mp->mnt_op = ops;
	mp->mnt_flag = flags & VFS_MNT_FLAGS;
	mp->mnt_rootmode = ma->ma_mode;
	strlcpy(mp->mnt_source, source, sizeof(mp->mnt_source));
	if (ops == &tmpfs_vfsops)
		root = tmpfs_mount_new(mp, ma->ma_mode,
		    ma->ma_size_set ? ma->ma_maxpages : TMPFS_SIZE_DEFAULT);
	else if (ops == &devfs_vfsops)
		root = devfs_mount_new(mp);
	else
		root = procfs_mount_new(mp);
	if (root == NULL) {
		kfree(mp);
		return -ENOMEM;
	}
	KASSERT(root->v_mount == mp);
	mp->mnt_root = root;
	mp->mnt_dev = vfs_next_dev++;
	vnode_ref(covered);
	mp->mnt_vnodecovered = covered;
	covered->v_mountedhere = mp;
	for (mpp = &mountlist; *mpp != NULL; mpp = &(*mpp)->mnt_next)
		continue;
	*mpp = mp;
	return 0;
}

/*
 * mount(source, target, type, flags, data): a new tmpfs, devtmpfs or
 * proc instance on target, or with MS_REMOUNT new flags (and tmpfs size)
 * for the mount at target.
 */
long
sys_mount(const char *usource, const char *utarget, const char *utype,
    unsigned long flags, const void *udata)
{
	struct vfs_mount_args ma = { .ma_mode = 01777 };
	const struct vfsops *ops = NULL;
	char *source = NULL, *opts = NULL, type[32], *path = NULL;
	struct vfs_pathbuf pb;
	struct nameidata nd;
	struct vnode *start = NULL;
	long error;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	/* Linux's default is relatime unless noatime or strictatime. */
	if (!(flags & (MS_NOATIME | MS_STRICTATIME)))
		flags |= MS_RELATIME;
	flags &= ~(MS_SILENT | MS_LAZYTIME);
	if (flags & (MS_BIND | MS_MOVE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE))
		return -EINVAL; /* not supported: see syscalls.master */
	if (!(flags & (MS_REMOUNT | MS_PRIVATE))) {
		if (utype == NULL)
			return -EFAULT;
		error = copyinstr(utype, type, sizeof(type));
		if (error == -ENAMETOOLONG)
			return -ENODEV;
		if (error < 0)
			return error;
		for (size_t i = 0; i < sizeof(vfs_types) / sizeof(vfs_types[0]);
		     i++)
			if (strcmp(type, vfs_types[i]->vfs_name) == 0)
				ops = vfs_types[i];
		if (ops == NULL)
			return -ENODEV;
	}
	source = kmalloc(PATH_MAX, 0);
	opts = kmalloc(PAGE_SIZE, KM_ZERO);
	if (source == NULL || opts == NULL) {
		error = -ENOMEM;
		goto out;
	}
	source[0] = '\0';
	if (usource != NULL && !(flags & (MS_REMOUNT | MS_PRIVATE))) {
		error = copyinstr(usource, source, PATH_MAX);
		if (error < 0)
			goto out;
	}
	if (udata != NULL && !(flags & MS_PRIVATE)) {
		error = copyinstr(udata, opts, PAGE_SIZE);
		if (error == -ENAMETOOLONG)
			error = -EINVAL;
		if (error < 0)
			goto out;
	}
	error = vfs_begin(AT_FDCWD, utarget, false, &pb, &path, &start);
	if (error != 0) {
		path = NULL;
		goto out;
	}
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error != 0)
		goto unlock;
	if (flags & (MS_REMOUNT | MS_PRIVATE)) {
		struct mount *mp = nd.nd_vp->v_mount;

		if (!vfs_is_mount_root(nd.nd_vp)) {
			error = -EINVAL;
		} else if (flags & MS_PRIVATE) {
			error = 0; /* every mount is private already */
		} else {
			error = vfs_parse_options(mp->mnt_op, opts, &ma);
			if (error == 0 && ma.ma_size_set &&
			    mp->mnt_op == &tmpfs_vfsops)
				error = tmpfs_mount_resize(mp, ma.ma_maxpages);
			if (error == 0)
				mp->mnt_flag = flags & VFS_MNT_FLAGS;
		}
	} else if (nd.nd_vp->v_type != VDIR) {
		error = -ENOTDIR;
	} else if (nd.nd_vp->v_mount->mnt_op == &procfs_vfsops &&
	    !vfs_is_mount_root(nd.nd_vp)) {
		error = -EINVAL; /* made at each lookup: nothing to cover */
	} else {
		if (ops == &tmpfs_vfsops)
			ma.ma_maxpages = vm_page_total_count() / 2;
		error = vfs_parse_options(ops, opts, &ma);
		if (error == 0)
			error = vfs_mount_locked(nd.nd_vp, ops,
			    source[0] != '\0' ? source : "none", flags, &ma);
	}
	namei_done_locked(&nd);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
out:
	kfree(opts);
	kfree(source);
	return error;
}

/*
 * umount2(target, flags): take the mount at target off the name space;
 * MNT_DETACH even while in use (it is freed with its last reference),
 * MNT_EXPIRE only if marked by an earlier MNT_EXPIRE and unused since.
 */
long
sys_umount2(const char *utarget, int flags)
{
	struct nameidata nd;
	struct vnode *start;
	struct mount *mp, **mpp;
	struct vfs_pathbuf pb;
	char *path;
	bool busy;
	int error;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	error = vfs_begin(AT_FDCWD, utarget, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path,
	    flags & UMOUNT_NOFOLLOW ? 0 : NAMEI_FOLLOW, &nd);
	if (error != 0)
		goto unlock;
	mp = nd.nd_vp->v_mount;
	if (!vfs_is_mount_root(nd.nd_vp) || mp->mnt_vnodecovered == NULL) {
		namei_done_locked(&nd);
		error = -EINVAL;
		goto unlock;
	}
	/* The mount's own reference to its root, and namei's. */
	busy = __atomic_load_n(&mp->mnt_refs, __ATOMIC_ACQUIRE) > 2;
	if (flags & MNT_EXPIRE) {
		if (busy || !mp->mnt_expire) {
			mp->mnt_expire = !busy;
			namei_done_locked(&nd);
			error = busy ? -EBUSY : -EAGAIN;
			goto unlock;
		}
	} else if (busy && !(flags & MNT_DETACH)) {
		namei_done_locked(&nd);
		error = -EBUSY;
		goto unlock;
	}
	for (mpp = &mountlist; *mpp != mp; mpp = &(*mpp)->mnt_next)
		continue;
	*mpp = mp->mnt_next;
	mp->mnt_vnodecovered->v_mountedhere = NULL;
	mp->mnt_detached = true;
	/* The last reference frees it: namei's, or a user's later. */
	namei_done_locked(&nd);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	return error;
}

/* Fill *sf for mount mp.  vfs_lock held. */
static void
vfs_statfs_locked(struct mount *mp, struct statfs *sf)
{
	KASSERT(mutex_held(&vfs_lock));
	memset(sf, 0, sizeof(*sf));
	sf->f_type = mp->mnt_op->vfs_magic;
	sf->f_bsize = PAGE_SIZE;
	sf->f_frsize = PAGE_SIZE;
	sf->f_namelen = NAME_MAX;
	sf->f_fsid.val[0] = (int)mp->mnt_dev;
	sf->f_flags = ST_VALID | (mp->mnt_flag & MS_RDONLY ? ST_RDONLY : 0) |
	    (mp->mnt_flag & MS_NOSUID ? ST_NOSUID : 0) |
	    (mp->mnt_flag & MS_NODEV ? ST_NODEV : 0) |
	    (mp->mnt_flag & MS_NOEXEC ? ST_NOEXEC : 0) |
	    (mp->mnt_flag & MS_NOATIME ? ST_NOATIME : 0) |
	    (mp->mnt_flag & MS_NODIRATIME ? ST_NODIRATIME : 0);
	mp->mnt_op->vfs_statfs(mp, sf);
}

/* statfs(path, buf): the figures of the file system path is on. */
long
sys_statfs(const char *upath, struct statfs *ubuf)
{
	struct nameidata nd;
	struct vnode *start;
	struct statfs sf;
	struct vfs_pathbuf pb;
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &pb, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0) {
		vfs_statfs_locked(nd.nd_vp->v_mount, &sf);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(&pb, start);
	if (error == 0 && copyout(&sf, ubuf, sizeof(sf)) != 0)
		error = -EFAULT;
	return error;
}

/*
 * fstatfs(fd, buf): as statfs for a vnode file; a pipe is on Linux's
 * pipefs, the console and memfds on a tmpfs (devtmpfs, shmem), other
 * files on the anonymous-inode file system.
 */
long
sys_fstatfs(int fd, struct statfs *ubuf)
{
	struct file *fp = fd_getfile(fd);
	struct statfs sf;
	struct vnode *vp;

	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (vp != NULL) {
		mutex_lock(&vfs_lock);
		vfs_statfs_locked(vp->v_mount, &sf);
		mutex_unlock(&vfs_lock);
	} else {
		memset(&sf, 0, sizeof(sf));
		sf.f_type = fp->f_type == DTYPE_PIPE ? PIPEFS_MAGIC :
		    fp->f_type == DTYPE_CONSOLE || fp->f_type == DTYPE_MEMFD ?
						       TMPFS_MAGIC :
						       ANON_INODE_FS_MAGIC;
		sf.f_bsize = sf.f_frsize = PAGE_SIZE;
		sf.f_namelen = NAME_MAX;
		sf.f_flags = ST_VALID;
	}
	file_rele(fp);
	return copyout(&sf, ubuf, sizeof(sf)) != 0 ? -EFAULT : 0;
}

/*
 * sync(): every file system here keeps its data in memory (tmpfs) or
 * makes it up when read (devfs, procfs): there is nothing to write
 * back, as for Linux's tmpfs.
 */
long
sys_sync(void)
{
	return 0;
}

/* syncfs(fd): as sync, for fd's file system. */
long
sys_syncfs(int fd)
{
	struct file *fp = fd_getfile(fd);

	if (fp == NULL)
		return -EBADF;
	file_rele(fp);
	return 0;
}

/*
 * Append to buf at *posp (size bytes in all) as snprintf; the output is
 * cut at the end of buf.
 */
static void
vfs_printf(char *buf, size_t size, size_t *posp, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*posp >= size)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(buf + *posp, size - *posp, fmt, ap);
	va_end(ap);
	*posp = MIN(size, *posp + (size_t)MAX(n, 0));
}

int
vfs_mounts_text_locked(char *buf, size_t size)
{
	char *path = kmalloc(PATH_MAX, 0);
	struct mount *mp;
	size_t pos = 0;

	KASSERT(mutex_held(&vfs_lock));
	if (path == NULL)
		return -ENOMEM;
	for (mp = mountlist; mp != NULL; mp = mp->mnt_next) {
		const char *type = mp->mnt_vnodecovered == NULL ? "rootfs" :
		    mp->mnt_op == &devfs_vfsops                 ? "devtmpfs" :
						  mp->mnt_op->vfs_name;

		if (vfs_vnode_path_locked(mp->mnt_root, path, PATH_MAX) < 0)
			continue; /* outside the caller's root */
		/* Linux's show_vfsmnt: the mount's options, then the file
		 * system's (shmem_show_options for tmpfs). */
		vfs_printf(buf, size, &pos, "%s %s %s %s%s%s%s%s%s%s",
		    mp->mnt_source, path, type,
		    mp->mnt_flag & MS_RDONLY ? "ro" : "rw",
		    mp->mnt_flag & MS_NOSUID ? ",nosuid" : "",
		    mp->mnt_flag & MS_NODEV ? ",nodev" : "",
		    mp->mnt_flag & MS_NOEXEC ? ",noexec" : "",
		    mp->mnt_flag & MS_NOATIME ? ",noatime" : "",
		    mp->mnt_flag & MS_NODIRATIME ? ",nodiratime" : "",
		    mp->mnt_flag & MS_RELATIME ? ",relatime" : "");
		if (mp->mnt_op == &tmpfs_vfsops &&
		    mp->mnt_vnodecovered != NULL) {
			uint64_t max;
			bool dfl;

			(void)tmpfs_pages(mp, &max, &dfl);
			if (!dfl)
				vfs_printf(buf, size, &pos, ",size=%luk",
				    max == UINT64_MAX ?
					0 :
					max * (PAGE_SIZE / 1024));
			if (mp->mnt_rootmode != 01777)
				vfs_printf(buf, size, &pos, ",mode=%03o",
				    mp->mnt_rootmode);
			/* Inode numbers are 64-bit, as Linux's default. */
			vfs_printf(buf, size, &pos, ",inode64");
		}
		vfs_printf(buf, size, &pos, " 0 0\n");
	}
	kfree(path);
	return pos;
}

void
vfs_mount_boot(void)
{
	static const struct {
		const char *name;
		const struct vfsops *ops;
		const char *source;
		unsigned mode;
	} boot[] = {
		{ "dev", &devfs_vfsops, "devtmpfs", 0755 },
		{ "proc", &procfs_vfsops, "proc", 0555 },
	};
	struct vfs_mount_args ma = { 0 };

	mutex_lock(&vfs_lock);
	for (size_t i = 0; i < sizeof(boot) / sizeof(boot[0]); i++) {
		const char *name = boot[i].name;
		struct vnode *vp;
		int error;

		error = rootvnode->v_op->vop_lookup(rootvnode, name,
		    strlen(name), &vp);
		if (error == -ENOENT) {
			/* A mount point of the read-only tree. */
			tmpfs_set_new_rdonly(true);
			error = rootvnode->v_op->vop_mkdir(rootvnode, name,
			    strlen(name), boot[i].mode, &vp);
			tmpfs_set_new_rdonly(false);
		}
		if (error == 0) {
			error = vp->v_type == VDIR ?
			    vfs_mount_locked(vp, boot[i].ops, boot[i].source,
				MS_RELATIME, &ma) :
			    -ENOTDIR;
			vnode_rel_locked(vp);
		}
		if (error != 0)
			kprintf("vfs: /%s not mounted: error %d\n", name,
			    -error);
	}
	mutex_unlock(&vfs_lock);
}
