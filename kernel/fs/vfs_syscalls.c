/*
 * Syscalls on paths and vnode files: openat and its older forms, the
 * stat family, access, mkdir, unlink, rmdir, rename, link, symlink,
 * readlink, chdir, fchdir, getcwd, truncate, chmod, utimensat, pread64,
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
#include <proc/proc.h>
#include <vm/kmem.h>

#include <linux/fcntl.h>
#include <linux/fs.h>

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
 * Copy the user path in (*pathp, kmalloc'd) and find the start directory
 * of an *at call (*startp: a reference, or NULL for the current
 * directory).  empty_ok: "" is allowed (AT_EMPTY_PATH).  On failure
 * nothing is left to free.  No locks held.
 */
static int
vfs_begin(int dirfd, const char *upath, bool empty_ok, char **pathp,
    struct vnode **startp)
{
	char *path = kmalloc(PATH_MAX, 0);
	long n;
	int error;

	*pathp = NULL;
	*startp = NULL;
	if (path == NULL)
		return -ENOMEM;
	n = copyinstr(upath, path, PATH_MAX);
	if (n < 0) {
		kfree(path);
		return n;
	}
	if (n == 0 && !empty_ok) {
		kfree(path);
		return -ENOENT;
	}
	*startp = vfs_at_dir(dirfd, path, &error);
	if (error != 0) {
		kfree(path);
		return error;
	}
	*pathp = path;
	return 0;
}

/* Undo vfs_begin.  No locks held. */
static void
vfs_end(char *path, struct vnode *start)
{
	kfree(path);
	if (start != NULL)
		vnode_rel(start);
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
	struct vnode *start, *vp;
	struct file *fp = NULL;
	char *path;
	int error, acc = flags & O_ACCMODE, fflag;

	if (flags &
		~(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
		    O_NONBLOCK | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC | O_TMPFILE) ||
	    acc == O_ACCMODE)
		return -EINVAL;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	error = vfs_begin(dirfd, upath, false, &path, &start);
	if (error != 0)
		return error;
	fflag = (acc == O_RDONLY || acc == O_RDWR ? FREAD : 0) |
	    (acc == O_WRONLY || acc == O_RDWR ? FWRITE : 0);
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
	if (vp->v_type == VLNK) {
		error = -ELOOP; /* O_NOFOLLOW */
		goto done;
	}
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR) {
		error = -ENOTDIR;
		goto done;
	}
	if (vp->v_type == VDIR && ((fflag & FWRITE) || (flags & O_TRUNC))) {
		error = -EISDIR;
		goto done;
	}
	if (vp->v_rdonly && ((fflag & FWRITE) || (flags & O_TRUNC))) {
		error = -EROFS; /* the initrd's tree (ABI.md) */
		goto done;
	}
	/* Open, then truncate: ETXTBSY first, as Linux. */
	error = vn_open_file(vp, fflag | ((flags & O_NONBLOCK) ? FNONBLOCK : 0),
	    (flags & O_APPEND) != 0, &fp);
	if (error == 0 && (flags & O_TRUNC) && (fflag & FWRITE))
		error = vp->v_op->vop_truncate(vp, 0);
done:
	namei_done_locked(&nd);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(path, start);
	if (fp != NULL && error != 0) {
		file_rele(fp); /* the truncation failed */
		fp = NULL;
	}
	if (fp != NULL) {
		error =
		    fd_alloc(curproc->p_fd, fp, 0, (flags & O_CLOEXEC) != 0);
		if (error < 0)
			file_rele(fp);
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

/* newfstatat(dirfd, path, st, flags): stat, lstat, or fstat with "". */
long
sys_newfstatat(int dirfd, const char *upath, struct stat *ust, int flags)
{
	struct nameidata nd;
	struct vnode *start;
	struct stat st;
	char *path;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *fp;
		char c;

		if (copyin(upath, &c, 1) != 0)
			return -EFAULT;
		if (c == '\0') {
			/* Any open file, as fstat: a pipe, the console too. */
			fp = fd_getfile(dirfd);
			if (fp == NULL)
				return -EBADF;
			memset(&st, 0, sizeof(st));
			fp->f_ops->fo_stat(fp, &st);
			file_rele(fp);
			return copyout(&st, ust, sizeof(st));
		}
	}
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &path,
	    &start);
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
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(path, start);
	if (error == 0)
		error = copyout(&st, ust, sizeof(st));
	return error;
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
	char *path;
	int error;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &path,
	    &start);
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
	vfs_end(path, start);
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
	char *path;
	int error;

	error = vfs_begin(dirfd, upath, false, &path, &start);
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
	vfs_end(path, start);
	return error;
}

long
sys_mkdir(const char *upath, int mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
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
	char *path;
	int error;
	bool rmdir = (flags & AT_REMOVEDIR) != 0;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	error = vfs_begin(dirfd, upath, false, &path, &start);
	if (error != 0)
		return error;
	error = vfs_parent_lookup(start, path, &nd);
	if (error != 0)
		goto out;
	if (rmdir && nd.nd_vp == rootvnode)
		error = -EBUSY;
	else if (rmdir && nd.nd_len == 1 && nd.nd_name[0] == '.')
		error = -EINVAL;
	else if (rmdir && vfs_is_dot(nd.nd_name, nd.nd_len))
		error = -ENOTEMPTY;
	else if (vfs_is_dot(nd.nd_name, nd.nd_len))
		error = -EISDIR;
	else if (nd.nd_dvp->v_rdonly)
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
	vfs_end(path, start);
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
	char *opath, *npath;
	int error;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	error = vfs_begin(olddirfd, uold, false, &opath, &ostart);
	if (error != 0)
		return error;
	error = vfs_begin(newdirfd, unew, false, &npath, &nstart);
	if (error != 0) {
		vfs_end(opath, ostart);
		return error;
	}
	error = vfs_parent_lookup(ostart, opath, &ond);
	if (error != 0)
		goto out;
	error = namei_locked(nstart, npath, NAMEI_PARENT, &nnd);
	if (error != 0)
		goto done_old;
	if (vfs_is_dot(ond.nd_name, ond.nd_len) || ond.nd_vp == rootvnode)
		error = -EBUSY;
	else if (ond.nd_vp == NULL)
		error = -ENOENT;
	else if (vfs_is_dot(nnd.nd_name, nnd.nd_len) || nnd.nd_vp == rootvnode)
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
	vfs_end(npath, nstart);
	vfs_end(opath, ostart);
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
	char *opath, *npath;
	int error;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	error = vfs_begin(olddirfd, uold, (flags & AT_EMPTY_PATH) != 0, &opath,
	    &ostart);
	if (error != 0)
		return error;
	error = vfs_begin(newdirfd, unew, false, &npath, &nstart);
	if (error != 0) {
		vfs_end(opath, ostart);
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
	else
		error = nnd.nd_dvp->v_op->vop_link(nnd.nd_dvp, nnd.nd_name,
		    nnd.nd_len, ond.nd_vp);
	namei_done_locked(&nnd);
done_old:
	namei_done_locked(&ond);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_end(npath, nstart);
	vfs_end(opath, ostart);
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
	error = vfs_begin(newdirfd, ulink, false, &path, &start);
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
	vfs_end(path, start);
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
	char *path, *buf = NULL;
	long error;

	if (bufsiz <= 0)
		return -EINVAL;
	error = vfs_begin(dirfd, upath, true, &path, &start);
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
	vfs_end(path, start);
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
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0 && nd.nd_vp->v_type != VDIR) {
		namei_done_locked(&nd);
		error = -ENOTDIR;
	}
	mutex_unlock(&vfs_lock);
	vfs_end(path, start);
	if (error == 0)
		vfs_set_cwd(nd.nd_vp); /* namei's reference */
	return error;
}

long
sys_fchdir(int fd)
{
	struct file *fp = fd_getfile(fd);
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

/*
 * The name of directory vp in its parent, into name (NAME_MAX + 1
 * bytes): 0, or -ENOENT.  The caller must hold vfs_lock.
 */
static int
vfs_dir_name_locked(struct vnode *vp, char *name)
{
	struct vnode *dvp = vp->v_parent;
	struct stat st;
	uint64_t ino;
	off_t cookie = 2;
	uint8_t dtype;

	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	while (dvp->v_op->vop_readdir(dvp, &cookie, name, &ino, &dtype) == 1)
		if (ino == st.st_ino && dtype == DT_DIR)
			return 0;
	return -ENOENT;
}

/* getcwd(buf, size): the current directory's absolute path. */
long
sys_getcwd(char *ubuf, size_t size)
{
	char *buf = kmalloc(PATH_MAX, 0), *name = kmalloc(NAME_MAX + 1, 0);
	struct vnode *vp;
	struct stat st;
	size_t pos = PATH_MAX - 1;
	long error = 0;

	if (buf == NULL || name == NULL) {
		error = -ENOMEM;
		goto out;
	}
	buf[pos] = '\0';
	mutex_lock(&vfs_lock);
	vp = curproc->p_cwd != NULL ? curproc->p_cwd : rootvnode;
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	if (st.st_nlink == 0)
		error = -ENOENT; /* removed */
	while (error == 0 && vp != rootvnode) {
		size_t len;

		error = vfs_dir_name_locked(vp, name);
		if (error != 0)
			break;
		len = strlen(name);
		if (len + 1 > pos) {
			error = -ENAMETOOLONG;
			break;
		}
		pos -= len;
		memcpy(buf + pos, name, len);
		buf[--pos] = '/';
		vp = vp->v_parent;
	}
	mutex_unlock(&vfs_lock);
	if (error != 0)
		goto out;
	if (pos == PATH_MAX - 1)
		buf[--pos] = '/';
	if (size < PATH_MAX - pos) {
		error = -ERANGE;
		goto out;
	}
	error = PATH_MAX - pos;
	if (copyout(buf + pos, ubuf, error) != 0)
		error = -EFAULT;
out:
	kfree(name);
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
	char *path;
	int error;

	error = vfs_begin(AT_FDCWD, upath, false, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	mutex_unlock(&vfs_lock);
	vfs_end(path, start);
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
	char *path;
	int error;

	error = vfs_begin(dirfd, upath, false, &path, &start);
	if (error != 0)
		return error;
	mutex_lock(&vfs_lock);
	error = namei_locked(start, path, NAMEI_FOLLOW, &nd);
	if (error == 0) {
		error = nd.nd_vp->v_op->vop_chmod(nd.nd_vp, mode);
		namei_done_locked(&nd);
	}
	mutex_unlock(&vfs_lock);
	vfs_end(path, start);
	return error;
}

long
sys_chmod(const char *upath, int mode)
{
	return sys_fchmodat(AT_FDCWD, upath, mode);
}

long
sys_fchmod(int fd, int mode)
{
	struct file *fp = fd_getfile(fd);
	struct vnode *vp;
	int error;

	if (fp == NULL)
		return -EBADF;
	vp = file_vnode(fp);
	if (vp == NULL) {
		error = -EINVAL;
	} else {
		mutex_lock(&vfs_lock);
		error = vp->v_op->vop_chmod(vp, mode);
		mutex_unlock(&vfs_lock);
	}
	file_rele(fp);
	return error;
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
	int64_t t[2], now = (int64_t)clock_realtime_ns();
	bool set[2] = { true, true };
	struct nameidata nd;
	struct vnode *start = NULL, *vp;
	char *path = NULL;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	t[0] = t[1] = now;
	if (utimes != NULL) {
		if (copyin(utimes, ts, sizeof(ts)) != 0)
			return -EFAULT;
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
	error = vfs_begin(dirfd, upath, (flags & AT_EMPTY_PATH) != 0, &path,
	    &start);
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
	vfs_end(path, start);
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

long
vn_getdents(struct file *fp, void *ubuf, size_t n)
{
	struct vnode *vp = file_vnode(fp);
	uint8_t rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	char name[NAME_MAX + 1];
	size_t done = 0;
	long rv = 0;

	if (vp == NULL || vp->v_type != VDIR)
		return -ENOTDIR;
	mutex_lock(&vfs_lock);
	for (;;) {
		struct dirent64_hdr h;
		off_t next = fp->f_offset;
		size_t namelen, reclen;
		uint64_t ino;
		uint8_t dtype;

		if (vp->v_op->vop_readdir(vp, &next, name, &ino, &dtype) != 1)
			break;
		namelen = strlen(name);
		reclen = roundup(sizeof(h) + namelen + 1, 8);
		if (done + reclen > n) {
			if (done == 0)
				rv = -EINVAL;
			break;
		}
		memset(rec, 0, reclen);
		h.d_ino = ino;
		h.d_off = next;
		h.d_reclen = reclen;
		h.d_type = dtype;
		memcpy(rec, &h, sizeof(h));
		memcpy(rec + sizeof(h), name, namelen);
		if (copyout(rec, (uint8_t *)ubuf + done, reclen) != 0) {
			rv = -EFAULT;
			break;
		}
		done += reclen;
		fp->f_offset = next;
	}
	mutex_unlock(&vfs_lock);
	return done > 0 ? (long)done : rv;
}
