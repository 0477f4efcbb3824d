/*
 * The VFS core (vnode.h): vnode references, path lookup, and vnodes as
 * open files.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <vnode.h>
#include <proc/proc.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>

#include <linux/fcntl.h>

struct mutex vfs_lock = MUTEX_INITIALIZER("vfs");
struct vnode *rootvnode;

void
vnode_ref(struct vnode *vp)
{
	__atomic_add_fetch(&vp->v_usecount, 1, __ATOMIC_RELAXED);
}

void
vnode_rel_locked(struct vnode *vp)
{
	KASSERT(mutex_held(&vfs_lock));
	KASSERT(vp->v_usecount > 0);
	if (__atomic_sub_fetch(&vp->v_usecount, 1, __ATOMIC_ACQ_REL) == 0)
		vp->v_op->vop_inactive(vp);
}

void
vnode_rel(struct vnode *vp)
{
	mutex_lock(&vfs_lock);
	vnode_rel_locked(vp);
	mutex_unlock(&vfs_lock);
}

void
vfs_init(void)
{
	rootvnode = tmpfs_mount_root();
}

/*
 * The calling process's current directory, with a reference.  The caller
 * must hold vfs_lock (which guards p_cwd).
 */
static struct vnode *
vfs_cwd_locked(void)
{
	struct vnode *vp = curproc->p_cwd != NULL ? curproc->p_cwd : rootvnode;

	KASSERT(mutex_held(&vfs_lock));
	vnode_ref(vp);
	return vp;
}

void
vfs_proc_exit(struct proc *p)
{
	struct vnode *vp = p->p_cwd;

	p->p_cwd = NULL;
	if (vp != NULL)
		vnode_rel(vp);
}

/*
 * The target of symbolic link vp in a new kmalloc'd string the caller
 * frees, or NULL (no memory).  The caller must hold vfs_lock.
 */
static char *
vfs_link_target_locked(struct vnode *vp)
{
	char *buf = kmalloc(PATH_MAX, 0);
	ssize_t n;

	if (buf == NULL)
		return NULL;
	n = vp->v_op->vop_readlink(vp, buf, PATH_MAX - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/*
 * The walk behind namei_locked; *links counts the symbolic links
 * followed so far in the whole lookup.  dvp is the start directory, with
 * a reference that passes to the walk (dropped or handed back in nd).
 */
static int
namei_walk(struct vnode *dvp, const char *path, int flags, struct nameidata *nd,
    int *links)
{
	const char *p = path;
	int error;

	memset(nd, 0, sizeof(*nd));
	if (*p == '/') {
		vnode_rel_locked(dvp);
		dvp = rootvnode;
		vnode_ref(dvp);
	}
	for (;;) {
		const char *name;
		struct vnode *vp;
		size_t len;
		bool last, trailing = false;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/" alone, or the start directory itself. */
			if (flags & NAMEI_PARENT) {
				nd->nd_dvp = dvp;
				nd->nd_name = ".";
				nd->nd_len = 1;
				nd->nd_trailing = true;
				vnode_ref(dvp);
				nd->nd_vp = dvp;
			} else {
				nd->nd_vp = dvp;
			}
			return 0;
		}
		name = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = p - name;
		while (*p == '/')
			p++, trailing = true;
		last = *p == '\0';
		if (len > NAME_MAX) {
			error = -ENAMETOOLONG;
			goto fail;
		}
		if (dvp->v_type != VDIR) {
			error = -ENOTDIR;
			goto fail;
		}
		if (len == 1 && name[0] == '.') {
			vp = dvp;
			vnode_ref(vp);
		} else if (len == 2 && name[0] == '.' && name[1] == '.') {
			vp = dvp->v_parent;
			vnode_ref(vp);
		} else {
			error = dvp->v_op->vop_lookup(dvp, name, len, &vp);
			if (error != 0) {
				if (error == -ENOENT && last &&
				    (flags & NAMEI_PARENT)) {
					nd->nd_dvp = dvp;
					nd->nd_name = name;
					nd->nd_len = len;
					nd->nd_trailing = trailing;
					return 0;
				}
				goto fail;
			}
		}
		if (vp->v_type == VLNK &&
		    (!last || trailing || (flags & NAMEI_FOLLOW))) {
			struct nameidata sub;
			char *target;

			if (++*links > MAXSYMLINKS) {
				vnode_rel_locked(vp);
				error = -ELOOP;
				goto fail;
			}
			target = vfs_link_target_locked(vp);
			vnode_rel_locked(vp);
			if (target == NULL) {
				error = -ENOMEM;
				goto fail;
			}
			if (target[0] == '\0') {
				kfree(target);
				error = -ENOENT;
				goto fail;
			}
			vnode_ref(dvp);
			if (last && (flags & NAMEI_PARENT) &&
			    (flags & NAMEI_FOLLOW)) {
				/* The target's parent and name stand for it. */
				error =
				    namei_walk(dvp, target, flags, &sub, links);
				if (error != 0) {
					kfree(target);
					goto fail;
				}
				vnode_rel_locked(dvp);
				if (sub.nd_buf != NULL)
					kfree(target); /* a link of its own */
				else
					sub.nd_buf = target; /* nd_name's */
				sub.nd_trailing |= trailing;
				*nd = sub;
				return 0;
			}
			error =
			    namei_walk(dvp, target, NAMEI_FOLLOW, &sub, links);
			kfree(target);
			if (error != 0)
				goto fail;
			vp = sub.nd_vp;
		}
		if (last) {
			if (trailing && vp->v_type != VDIR) {
				vnode_rel_locked(vp);
				error = -ENOTDIR;
				goto fail;
			}
			if (flags & NAMEI_PARENT) {
				nd->nd_dvp = dvp;
				nd->nd_name = name;
				nd->nd_len = len;
				nd->nd_trailing = trailing;
			} else {
				vnode_rel_locked(dvp);
			}
			nd->nd_vp = vp;
			return 0;
		}
		vnode_rel_locked(dvp);
		dvp = vp;
	}
fail:
	vnode_rel_locked(dvp);
	return error;
}

int
namei_locked(struct vnode *start, const char *path, int flags,
    struct nameidata *nd)
{
	int links = 0;

	KASSERT(mutex_held(&vfs_lock));
	if (start == NULL)
		start = vfs_cwd_locked();
	else
		vnode_ref(start);
	if (path[0] == '\0') {
		memset(nd, 0, sizeof(*nd));
		if (!(flags & NAMEI_EMPTY)) {
			vnode_rel_locked(start);
			return -ENOENT;
		}
		nd->nd_vp = start;
		return 0;
	}
	return namei_walk(start, path, flags, nd, &links);
}

void
namei_done_locked(struct nameidata *nd)
{
	if (nd->nd_dvp != NULL)
		vnode_rel_locked(nd->nd_dvp);
	if (nd->nd_vp != NULL)
		vnode_rel_locked(nd->nd_vp);
	kfree(nd->nd_buf);
	nd->nd_dvp = nd->nd_vp = NULL;
	nd->nd_buf = NULL;
}

/* ------------------------------------------------------------------
 * Vnodes as open files.
 */

/* f_data of a vnode file. */
struct vn_file {
	struct vnode *vf_vp; /* a reference, dropped at the last close */
	/*
	 * Opened for writing a file with an object: the object, with a
	 * reference and write access (vm_object_get_write), both dropped at
	 * the last close; else NULL.
	 */
	struct vm_object *vf_wobj;
};

/*
 * fo_read: from the offset, which moves (f_pos_lock held by the caller).
 * No locks held.
 */
static ssize_t
vn_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct vn_file *vf = fp->f_data;
	struct vnode *vp = vf->vf_vp;
	ssize_t rv;

	(void)nowait;
	if (vp->v_type == VDIR)
		return -EISDIR;
	mutex_lock(&vfs_lock);
	rv = vp->v_op->vop_read(vp, ubuf, n, fp->f_offset, true);
	mutex_unlock(&vfs_lock);
	if (rv > 0)
		fp->f_offset += rv;
	return rv;
}

/*
 * fo_write: at the offset, or at the end for O_APPEND (found under the
 * same hold of vfs_lock as the write, so appends from several files
 * never overlap).  f_pos_lock held by the caller; no other lock held.
 */
static ssize_t
vn_write(struct file *fp, const void *ubuf, size_t n)
{
	struct vn_file *vf = fp->f_data;
	struct vnode *vp = vf->vf_vp;
	ssize_t rv;

	mutex_lock(&vfs_lock);
	if (file_status_flags(fp) & FAPPEND) {
		struct stat st;

		memset(&st, 0, sizeof(st));
		vp->v_op->vop_getattr(vp, &st);
		fp->f_offset = st.st_size;
	}
	rv = vp->v_op->vop_write(vp, ubuf, n, fp->f_offset, true);
	mutex_unlock(&vfs_lock);
	if (rv > 0)
		fp->f_offset += rv;
	return rv;
}

/* fo_stat.  No locks held. */
static void
vn_stat(struct file *fp, struct stat *st)
{
	struct vn_file *vf = fp->f_data;

	mutex_lock(&vfs_lock);
	vf->vf_vp->v_op->vop_getattr(vf->vf_vp, st);
	mutex_unlock(&vfs_lock);
}

/* fo_close: drop the file's vnode reference.  No locks held. */
static void
vn_close(struct file *fp)
{
	struct vn_file *vf = fp->f_data;

	vn_write_end(vf->vf_wobj);
	vnode_rel(vf->vf_vp);
	kfree(vf);
}

static const struct fileops vn_fileops = {
	.fo_read = vn_read,
	.fo_write = vn_write,
	.fo_stat = vn_stat,
	.fo_close = vn_close,
};

int
vn_open_file(struct vnode *vp, int flag, bool append, struct file **fpp)
{
	struct vn_file *vf = kmalloc(sizeof(*vf), 0);
	struct vm_object *wobj = NULL;
	int error;

	KASSERT(mutex_held(&vfs_lock));
	if (vf == NULL)
		return -ENOMEM;
	if ((flag & FWRITE) && (error = vn_write_begin(vp, &wobj)) != 0) {
		kfree(vf);
		return error;
	}
	vf->vf_vp = vp;
	vf->vf_wobj = wobj;
	*fpp = file_alloc(DTYPE_INODE, flag | (append ? FAPPEND : 0),
	    &vn_fileops, vf);
	if (*fpp == NULL) {
		vn_write_end(wobj);
		kfree(vf);
		return -ENOMEM;
	}
	vnode_ref(vp);
	return 0;
}

int
vn_write_begin(struct vnode *vp, struct vm_object **wobjp)
{
	struct vm_object *obj;
	int error;

	KASSERT(mutex_held(&vfs_lock));
	*wobjp = NULL;
	if (vp->v_op->vop_getobject == NULL ||
	    vp->v_op->vop_getobject(vp, &obj) != 0)
		return 0;
	error = vm_object_get_write(obj);
	if (error != 0) {
		vm_object_rel(obj);
		return error;
	}
	*wobjp = obj;
	return 0;
}

void
vn_write_end(struct vm_object *wobj)
{
	if (wobj != NULL) {
		vm_object_put_write(wobj);
		vm_object_rel(wobj);
	}
}

struct vnode *
file_vnode(struct file *fp)
{
	if (fp->f_type != DTYPE_INODE || fp->f_ops != &vn_fileops)
		return NULL;
	return ((struct vn_file *)fp->f_data)->vf_vp;
}

struct vnode *
vfs_at_dir(int dirfd, const char *path, int *errp)
{
	struct file *fp;
	struct vnode *vp;

	*errp = 0;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return NULL;
	fp = fd_getfile(dirfd);
	if (fp == NULL) {
		*errp = -EBADF;
		return NULL;
	}
	vp = file_vnode(fp);
	if (vp == NULL) {
		*errp = path[0] == '\0' ? -EBADF : -ENOTDIR;
	} else if (vp->v_type != VDIR && path[0] != '\0') {
		*errp = -ENOTDIR;
		vp = NULL;
	} else {
		vnode_ref(vp);
	}
	file_rele(fp);
	return vp;
}

int
vfs_read_whole(const char *path, uint8_t **bufp, size_t *sizep)
{
	struct nameidata nd;
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int error;

	mutex_lock(&vfs_lock);
	error = namei_locked(NULL, path, NAMEI_FOLLOW, &nd);
	if (error != 0)
		goto out;
	if (nd.nd_vp->v_type != VREG) {
		error = -EISDIR;
		goto done;
	}
	memset(&st, 0, sizeof(st));
	nd.nd_vp->v_op->vop_getattr(nd.nd_vp, &st);
	buf = kmalloc(MAX(st.st_size, 1), 0);
	if (buf == NULL) {
		error = -ENOMEM;
		goto done;
	}
	n = nd.nd_vp->v_op->vop_read(nd.nd_vp, buf, st.st_size, 0, false);
	if (n < 0) {
		kfree(buf);
		error = n;
		goto done;
	}
	*bufp = buf;
	*sizep = n;
done:
	namei_done_locked(&nd);
out:
	mutex_unlock(&vfs_lock);
	return error;
}
