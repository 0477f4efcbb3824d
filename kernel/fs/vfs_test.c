/*
 * In-kernel tests of the VFS and tmpfs below the syscalls: "/.." is the
 * root, a symbolic link to itself is ELOOP, and a file unlinked while a
 * reference is held keeps its data until the last vnode_rel, which
 * frees it with every page and byte it took.
 */
#include <systm.h>
#include <errno.h>
#include <ktest.h>
#include <stat.h>
#include <vnode.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

#define KT_DIR "ktest.vfs"
#define KT_PATH "/tmp/" KT_DIR

KTEST(vfs_lookup_and_lifetime)
{
	static char out[5000], in[5000];
	uint64_t heap0, free0;
	struct vnode *tvp, *dvp, *vp, *lp;
	struct nameidata nd;
	struct stat st;

	(void)kmem_reclaim(); /* empty slabs would hide in the page count */
	heap0 = kmem_used();
	free0 = vm_page_free_count();

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13);
	mutex_lock(&vfs_lock);
	KT_EQ(namei_locked(rootvnode, "/../..", NAMEI_FOLLOW, &nd), 0);
	KT_CHECK(nd.nd_vp == rootvnode);
	namei_done_locked(&nd);

	/* The initrd's tree is read-only (EROFS); /tmp is writable. */
	KT_EQ(rootvnode->v_op->vop_mkdir(rootvnode, KT_DIR, strlen(KT_DIR),
		  0755, &dvp),
	    -EROFS);
	KT_EQ(rootvnode->v_op->vop_lookup(rootvnode, "tmp", 3, &tvp), 0);
	KT_EQ(tvp->v_op->vop_mkdir(tvp, KT_DIR, strlen(KT_DIR), 0755, &dvp), 0);
	KT_EQ(dvp->v_op->vop_create(dvp, "f", 1, 0644, &vp), 0);
	KT_EQ(vp->v_op->vop_write(vp, out, sizeof(out), 0, false), sizeof(out));

	/* Unlinked with a reference held: the data stays. */
	KT_EQ(dvp->v_op->vop_unlink(dvp, "f", 1), 0);
	KT_EQ(namei_locked(rootvnode, KT_PATH "/f", 0, &nd), -ENOENT);
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	KT_EQ(st.st_nlink, 0);
	KT_EQ(vp->v_op->vop_read(vp, in, sizeof(in), 0, false), sizeof(in));
	KT_CHECK(memcmp(in, out, sizeof(in)) == 0);
	vnode_rel_locked(vp); /* frees it */

	/* A link to itself, and a directory that is not empty. */
	KT_EQ(dvp->v_op->vop_symlink(dvp, "a", 1, "a", &lp), 0);
	vnode_rel_locked(lp);
	KT_EQ(namei_locked(rootvnode, KT_PATH "/a", NAMEI_FOLLOW, &nd), -ELOOP);
	KT_EQ(namei_locked(rootvnode, KT_PATH "/a/", 0, &nd), -ELOOP);
	KT_EQ(tvp->v_op->vop_rmdir(tvp, KT_DIR, strlen(KT_DIR)), -ENOTEMPTY);
	KT_EQ(dvp->v_op->vop_unlink(dvp, "a", 1), 0);
	KT_EQ(tvp->v_op->vop_rmdir(tvp, KT_DIR, strlen(KT_DIR)), 0);
	vnode_rel_locked(dvp);
	vnode_rel_locked(tvp);
	mutex_unlock(&vfs_lock);

	KT_EQ(kmem_used(), heap0);
	(void)kmem_reclaim();
	KT_EQ(vm_page_free_count(), free0);
}
