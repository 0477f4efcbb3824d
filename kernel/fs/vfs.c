/*
 * The VFS core (vnode.h): vnode references, the mount table, path
 * lookup across mounts, vnode paths, and vnodes as open files.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <vnode.h>
#include <proc/proc.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include <vm/vm_object.h>

#include <linux/fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>

/* d_type values: Linux's. */
#define DT_DIR 4

struct mutex vfs_lock = MUTEX_INITIALIZER("vfs");
struct vnode *rootvnode;
struct mount *mountlist;

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_magic = TMPFS_MAGIC,
	.vfs_statfs = tmpfs_statfs,
	.vfs_unmount = tmpfs_unmount,
};

static struct mount rootmount;

void
vnode_ref(struct vnode *vp)
{
	__atomic_add_fetch(&vp->v_usecount, 1, __ATOMIC_RELAXED);
	if (vp->v_mount != NULL)
		__atomic_add_fetch(&vp->v_mount->mnt_refs, 1, __ATOMIC_RELAXED);
}

/*
 * Free mount mp, taken off the name space: its file system's vnodes,
 * then the reference to the directory it covered.  Nothing holds a
 * reference into it but its root's own.  vfs_lock held.
 */
static void
vfs_mount_free_locked(struct mount *mp)
{
	struct vnode *covered = mp->mnt_vnodecovered;

	KASSERT(mutex_held(&vfs_lock));
	KASSERT(mp->mnt_refs == 1);
	mp->mnt_op->vfs_unmount(mp);
	kfree(mp);
	if (covered != NULL)
		vnode_rel_locked(covered);
}

void
vnode_rel_locked(struct vnode *vp)
{
	struct mount *mp = vp->v_mount;

	KASSERT(mutex_held(&vfs_lock));
	KASSERT(vp->v_usecount > 0);
	if (__atomic_sub_fetch(&vp->v_usecount, 1, __ATOMIC_ACQ_REL) == 0)
		vp->v_op->vop_inactive(vp);
	if (mp != NULL &&
	    __atomic_sub_fetch(&mp->mnt_refs, 1, __ATOMIC_ACQ_REL) == 1 &&
	    mp->mnt_detached)
		vfs_mount_free_locked(mp); /* a lazy umount's last user */
}

void
vnode_rel(struct vnode *vp)
{
	mutex_lock(&vfs_lock);
	vnode_rel_locked(vp);
	mutex_unlock(&vfs_lock);
}

void
vnode_set_mount(struct vnode *vp, struct mount *mp)
{
	KASSERT(mutex_held(&vfs_lock));
	KASSERT(vp->v_mount == NULL && vp->v_usecount == 1);
	vp->v_mount = mp;
	__atomic_add_fetch(&mp->mnt_refs, 1, __ATOMIC_RELAXED);
}

void
vn_getattr_locked(struct vnode *vp, struct stat *st)
{
	KASSERT(mutex_held(&vfs_lock));
	vp->v_op->vop_getattr(vp, st);
	st->st_dev = vp->v_mount->mnt_dev;
}

bool
vn_rdonly_locked(struct vnode *vp)
{
	KASSERT(mutex_held(&vfs_lock));
	return vp->v_rdonly || (vp->v_mount->mnt_flag & MS_RDONLY);
}

void
vfs_init(void)
{
	struct mount *mp = &rootmount;

	rootvnode = tmpfs_mount_root(mp);
	mutex_lock(&vfs_lock);
	mp->mnt_op = &tmpfs_vfsops;
	mp->mnt_root = rootvnode;
	mp->mnt_dev = 1;
	mp->mnt_rootmode = 0755;
	strlcpy(mp->mnt_source, "rootfs", sizeof(mp->mnt_source));
	vnode_set_mount(rootvnode, mp);
	mountlist = mp;
	mutex_unlock(&vfs_lock);
}

struct vnode *
vfs_root_locked(void)
{
	struct vnode *vp =
	    curproc->p_root != NULL ? curproc->p_root : rootvnode;

	KASSERT(mutex_held(&vfs_lock));
	vnode_ref(vp);
	return vp;
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
	struct vnode *vps[3];

	mutex_lock(&vfs_lock);
	vps[0] = p->p_cwd;
	vps[1] = p->p_root;
	vps[2] = p->p_textvp;
	p->p_cwd = p->p_root = p->p_textvp = NULL;
	for (int i = 0; i < 3; i++)
		if (vps[i] != NULL)
			vnode_rel_locked(vps[i]);
	mutex_unlock(&vfs_lock);
}

void
vfs_proc_fork(struct proc *parent, struct proc *p)
{
	mutex_lock(&vfs_lock);
	p->p_cwd = parent->p_cwd;
	p->p_root = parent->p_root;
	p->p_textvp = parent->p_textvp;
	if (p->p_cwd != NULL)
		vnode_ref(p->p_cwd);
	if (p->p_root != NULL)
		vnode_ref(p->p_root);
	if (p->p_textvp != NULL)
		vnode_ref(p->p_textvp);
	mutex_unlock(&vfs_lock);
}

void
vfs_proc_exec(struct proc *p, const char *path)
{
	struct nameidata nd;
	struct vnode *old = NULL;

	mutex_lock(&vfs_lock);
	if (namei_locked(NULL, path, NAMEI_FOLLOW, &nd) == 0) {
		old = p->p_textvp;
		p->p_textvp = nd.nd_vp; /* namei's reference */
	}
	if (old != NULL)
		vnode_rel_locked(old);
	mutex_unlock(&vfs_lock);
}

/*
 * vp, or the root of the mount stacked on it, and on that, ...: where a
 * lookup that reached vp goes on.  vp's reference passes to the result.
 * vfs_lock held.
 */
static struct vnode *
vfs_cross_locked(struct vnode *vp)
{
	while (vp->v_type == VDIR && vp->v_mountedhere != NULL) {
		struct vnode *root = vp->v_mountedhere->mnt_root;

		vnode_ref(root);
		vnode_rel_locked(vp);
		vp = root;
	}
	return vp;
}

/*
 * ".." of directory dvp, without a reference: dvp itself at the
 * process's root (and at the root of a detached mount), the covered
 * directory's parent at a mount's root.  vfs_lock held.
 */
static struct vnode *
vfs_dotdot_locked(struct vnode *dvp)
{
	struct vnode *root =
	    curproc->p_root != NULL ? curproc->p_root : rootvnode;

	KASSERT(mutex_held(&vfs_lock));
	while (dvp != root && dvp->v_mount->mnt_root == dvp &&
	    dvp->v_mount->mnt_vnodecovered != NULL &&
	    !dvp->v_mount->mnt_detached)
		dvp = dvp->v_mount->mnt_vnodecovered;
	return dvp == root ? dvp : dvp->v_parent;
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
	if (*p == '/' && dvp != rootvnode) {
		vnode_rel_locked(dvp);
		dvp = vfs_cross_locked(vfs_root_locked());
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
			vp = vfs_dotdot_locked(dvp);
			vnode_ref(vp);
			vp = vfs_cross_locked(vp);
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
			vp = vfs_cross_locked(vp);
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
	if (path[0] == '/') /* the current directory is not needed */
		start = curproc->p_root != NULL ? curproc->p_root : rootvnode;
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
 * The path of a vnode.
 */

#define VFS_SEARCH_DEPTH 32 /* directories deep a name search goes */

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

/*
 * A directory of vp's mount with an entry for vp, a file that is no
 * directory, into *dvpp (no reference: it lives while it has a name and
 * vfs_lock is held) and the entry's name into name (NAME_MAX + 1
 * bytes).  A search of the mount's tree, VFS_SEARCH_DEPTH directories
 * deep at most.  0 or -ENOENT (also when out of memory).  vfs_lock held.
 */
static int
vfs_file_name_locked(struct vnode *vp, struct vnode **dvpp, char *name)
{
	struct {
		struct vnode *dvp; /* a reference */
		off_t cookie;
	} *stack = kmalloc(VFS_SEARCH_DEPTH * sizeof(*stack), 0);
	struct stat st;
	int depth = 0, error = -ENOENT;

	if (stack == NULL)
		return -ENOENT;
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	stack[0].dvp = vp->v_mount->mnt_root;
	stack[0].cookie = 2;
	vnode_ref(stack[0].dvp);
	while (depth >= 0) {
		struct vnode *dvp = stack[depth].dvp, *cvp;
		uint64_t ino;
		uint8_t dtype;

		if (dvp->v_op->vop_readdir(dvp, &stack[depth].cookie, name,
			&ino, &dtype) != 1) {
			vnode_rel_locked(dvp);
			depth--;
			continue;
		}
		if (dtype != DT_DIR) {
			if (ino == st.st_ino) {
				*dvpp = dvp;
				error = 0;
				break;
			}
			continue;
		}
		if (depth + 1 == VFS_SEARCH_DEPTH ||
		    dvp->v_op->vop_lookup(dvp, name, strlen(name), &cvp) != 0)
			continue;
		depth++;
		stack[depth].dvp = cvp;
		stack[depth].cookie = 2;
	}
	for (; depth >= 0; depth--)
		vnode_rel_locked(stack[depth].dvp);
	kfree(stack);
	return error;
}

/*
 * Put "/" and (name, len) before buf[*posp], moving *posp back.  0 or
 * -ENAMETOOLONG.
 */
static int
vfs_path_prepend(char *buf, size_t *posp, const char *name, size_t len)
{
	if (len + 1 > *posp)
		return -ENAMETOOLONG;
	*posp -= len;
	memcpy(buf + *posp, name, len);
	buf[--*posp] = '/';
	return 0;
}

int
vfs_vnode_path_locked(struct vnode *vp, char *buf, size_t size)
{
	struct vnode *root =
	    curproc->p_root != NULL ? curproc->p_root : rootvnode;
	char *name = kmalloc(NAME_MAX + 1, 0);
	size_t pos = size - 1;
	struct stat st;
	int error = 0;

	KASSERT(mutex_held(&vfs_lock));
	if (name == NULL)
		return -ENOMEM;
	buf[pos] = '\0';
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	if (vp->v_type != VDIR) {
		struct vnode *dvp = NULL;

		error = st.st_nlink == 0 ? -ENOENT :
					   vfs_file_name_locked(vp, &dvp, name);
		if (error == 0)
			error = vfs_path_prepend(buf, &pos, name, strlen(name));
		vp = dvp;
	} else if (st.st_nlink == 0) {
		error = -ENOENT; /* a removed directory */
	}
	while (error == 0 && vp != root) {
		if (vp == rootvnode) {
			error = -ENOENT; /* outside the caller's root */
			break;
		}
		if (vp == vp->v_mount->mnt_root) {
			if (vp->v_mount->mnt_vnodecovered == NULL ||
			    vp->v_mount->mnt_detached) {
				error = -ENOENT; /* a lazily unmounted tree */
				break;
			}
			vp = vp->v_mount->mnt_vnodecovered;
			continue;
		}
		if (vp->v_parent == vp) {
			error = -ENOENT;
			break;
		}
		error = vfs_dir_name_locked(vp, name);
		if (error == 0)
			error = vfs_path_prepend(buf, &pos, name, strlen(name));
		vp = vp->v_parent;
	}
	kfree(name);
	if (error != 0)
		return error;
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return size - 1 - pos;
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
	/* vop_generate's snapshot, or NULL (f_pos_lock). */
	char *vf_snap;
	size_t vf_snaplen;
};

/*
 * vn_read of a generated file: from the snapshot, made again at offset
 * 0.  f_pos_lock held by the caller; no other lock held.
 */
static ssize_t
vn_read_generated(struct file *fp, struct vn_file *vf, void *ubuf, size_t n)
{
	struct vnode *vp = vf->vf_vp;
	size_t len;
	char *buf;
	int error;

	if (vf->vf_snap == NULL || fp->f_offset == 0) {
		mutex_lock(&vfs_lock);
		error = vp->v_op->vop_generate(vp, &buf, &len);
		mutex_unlock(&vfs_lock);
		if (error != 0)
			return error;
		kfree(vf->vf_snap);
		vf->vf_snap = buf;
		vf->vf_snaplen = len;
	}
	if (fp->f_offset < 0 || (uint64_t)fp->f_offset >= vf->vf_snaplen)
		return 0;
	n = MIN(n, vf->vf_snaplen - fp->f_offset);
	if (copyout(vf->vf_snap + fp->f_offset, ubuf, n) != 0)
		return -EFAULT;
	fp->f_offset += n;
	return n;
}

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
	if (vp->v_op->vop_generate != NULL)
		return vn_read_generated(fp, vf, ubuf, n);
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
	vn_getattr_locked(vf->vf_vp, st);
	mutex_unlock(&vfs_lock);
}

/* fo_close: drop the file's vnode reference.  No locks held. */
static void
vn_close(struct file *fp)
{
	struct vn_file *vf = fp->f_data;

	vn_write_end(vf->vf_wobj);
	vnode_rel(vf->vf_vp);
	kfree(vf->vf_snap); /* vf itself goes with the file */
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
	struct vm_object *wobj = NULL;
	struct vn_file *vf;
	int error;

	KASSERT(mutex_held(&vfs_lock));
	if ((flag & FWRITE) && (error = vn_write_begin(vp, &wobj)) != 0)
		return error;
	/* The vn_file lives in the file's own allocation. */
	*fpp = file_alloc_with(DTYPE_INODE, flag | (append ? FAPPEND : 0),
	    &vn_fileops, sizeof(*vf));
	if (*fpp == NULL) {
		vn_write_end(wobj);
		return -ENOMEM;
	}
	vf = (*fpp)->f_data;
	vf->vf_vp = vp;
	vf->vf_wobj = wobj;
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
	fp = fd_getfile_raw(dirfd); /* O_PATH directories too */
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
