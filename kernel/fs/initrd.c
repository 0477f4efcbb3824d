/*
 * Unpacking the initrd into the root file system (initrd.h).
 */
#include <systm.h>
#include <cpio.h>
#include <errno.h>
#include <initrd.h>
#include <stat.h>
#include <vnode.h>
#include <vm/kmem.h>

/*
 * The directory at path[0..len) below the root, made (mode 0755) where
 * missing, with a reference, or NULL (a file is in the way, or no
 * memory).  The caller must hold vfs_lock.
 */
static struct vnode *
initrd_mkpath_locked(const char *path, size_t len)
{
	struct vnode *dvp = rootvnode, *vp;
	const char *p = path, *end = path + len;

	vnode_ref(dvp);
	while (p < end) {
		const char *name = p;
		size_t n;

		while (p < end && *p != '/')
			p++;
		n = p - name;
		if (p < end)
			p++;
		if (n == 0 || (n == 1 && name[0] == '.'))
			continue;
		if (n > NAME_MAX)
			goto fail;
		if (dvp->v_op->vop_lookup(dvp, name, n, &vp) != 0 &&
		    dvp->v_op->vop_mkdir(dvp, name, n, 0755, &vp) != 0)
			goto fail;
		vnode_rel_locked(dvp);
		dvp = vp;
		if (dvp->v_type != VDIR)
			goto fail;
	}
	return dvp;
fail:
	vnode_rel_locked(dvp);
	return NULL;
}

/*
 * Make one archive entry: its directory, then the file, directory or
 * link itself (an existing entry of the same name is replaced, as cpio
 * does; an existing directory only gets the entry's mode).  The caller
 * must hold vfs_lock.  Returns 0 or -errno.
 */
static int
initrd_add_entry_locked(const struct cpio_entry *e)
{
	const char *base = e->name, *s;
	struct vnode *dvp, *vp = NULL;
	size_t blen;
	int error;

	for (s = e->name; *s != '\0'; s++)
		if (s[0] == '/' && s[1] != '\0')
			base = s + 1;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (blen == 0 || (blen == 1 && base[0] == '.'))
		return 0; /* the root itself */
	if (blen > NAME_MAX)
		return -ENAMETOOLONG;
	dvp = initrd_mkpath_locked(e->name, base - e->name);
	if (dvp == NULL)
		return -ENOTDIR;
	if (dvp->v_op->vop_lookup(dvp, base, blen, &vp) == 0) {
		if (vp->v_type == VDIR && S_ISDIR(e->mode)) {
			error = vp->v_op->vop_chmod(vp, e->mode);
			goto out;
		}
		vnode_rel_locked(vp);
		vp = NULL;
		(void)(dvp->v_op->vop_unlink(dvp, base, blen) == 0 ||
		    dvp->v_op->vop_rmdir(dvp, base, blen));
	}
	if (S_ISDIR(e->mode)) {
		error = dvp->v_op->vop_mkdir(dvp, base, blen, e->mode, &vp);
	} else if (S_ISLNK(e->mode)) {
		char *target = kmalloc(e->size + 1, 0);

		if (target == NULL) {
			error = -ENOMEM;
			goto out;
		}
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		error = dvp->v_op->vop_symlink(dvp, base, blen, target, &vp);
		kfree(target);
	} else if (S_ISREG(e->mode)) {
		error = dvp->v_op->vop_create(dvp, base, blen, e->mode, &vp);
		if (error == 0 && e->size > 0) {
			ssize_t n =
			    vp->v_op->vop_write(vp, e->data, e->size, 0, false);
			error = n < 0 ? (int)n : 0;
		}
	} else {
		error = 0; /* devices, fifos: not in this file system */
	}
out:
	if (vp != NULL)
		vnode_rel_locked(vp);
	vnode_rel_locked(dvp);
	return error;
}

void
initrd_init(const void *archive, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	struct vnode *dvp;

	if (archive == NULL || cpio_validate(archive, len) < 0)
		return;
	cpio_iter_init(&it, archive, len);
	mutex_lock(&vfs_lock);
	/* /tmp first, writable; then the root and all below it read-only. */
	dvp = initrd_mkpath_locked("tmp", 3);
	if (dvp != NULL) {
		dvp->v_op->vop_chmod(dvp, 01777);
		vnode_rel_locked(dvp);
	}
	rootvnode->v_rdonly = true;
	tmpfs_set_new_rdonly(true);
	while (cpio_next(&it, &e) == CPIO_OK) {
		int error = initrd_add_entry_locked(&e);

		if (error != 0)
			kprintf("initrd: %s not unpacked: error %d\n", e.name,
			    -error);
	}
	tmpfs_set_new_rdonly(false);
	mutex_unlock(&vfs_lock);
}
