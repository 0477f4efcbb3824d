/*
 * The virtual file system: vnodes, their operations and path lookup.
 *
 * A vnode is one file, directory or symbolic link of a file system (only
 * tmpfs, the root, exists for now).  It is reference counted: every open
 * file, every process's current directory and every caller between a
 * lookup and its vnode_rel holds one (v_usecount).  The file system keeps
 * the names (directory entries) and the link count; a vnode is freed when
 * both its last name and its last reference are gone, so a file unlinked
 * while open keeps its data until its last close.
 *
 * Locking.  This first increment has one sleeping mutex, vfs_lock, for
 * the whole name space and every vnode's contents: every vnode operation
 * is called with it held, and may sleep and copy user memory under it
 * (it is a mutex, never a spinlock).  Nothing else is taken under it but
 * the page allocator and kmem; nothing that holds it waits for a pipe,
 * the console or a child.
 *   (a)  atomic; a decrement only under vfs_lock
 *   (c)  set when the vnode is made, then constant
 *   (v)  vfs_lock
 */
#ifndef _VNODE_H_
#define _VNODE_H_

#include <types.h>
#include <mutex.h>

#define PATH_MAX 4096
#define NAME_MAX 255
#define MAXSYMLINKS 40

struct vnode;
struct stat;
struct file;
struct vm_object;

/* vnode types (v_type) */
enum vtype {
	VNON,
	VREG,
	VDIR,
	VLNK
};

/*
 * The vnode operations.  Each is called with vfs_lock held and returns 0
 * (or a count) or -errno.  Names are not NUL-terminated: (name, len),
 * len <= NAME_MAX, never "." or "..".  A vnode handed back (lookup,
 * create, mkdir, symlink) carries a new reference, the caller's, dropped
 * with vnode_rel.
 */
struct vnodeops {
	int (*vop_lookup)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode **vpp);
	/* A new regular file (mode: permission bits). */
	int (*vop_create)(struct vnode *dvp, const char *name, size_t len,
	    unsigned mode, struct vnode **vpp);
	int (*vop_mkdir)(struct vnode *dvp, const char *name, size_t len,
	    unsigned mode, struct vnode **vpp);
	int (*vop_symlink)(struct vnode *dvp, const char *name, size_t len,
	    const char *target, struct vnode **vpp);
	/* n bytes at off, to or from buf (user memory if user). */
	ssize_t (*vop_read)(struct vnode *vp, void *buf, size_t n, off_t off,
	    bool user);
	ssize_t (*vop_write)(struct vnode *vp, const void *buf, size_t n,
	    off_t off, bool user);
	/* Fill *st (zeroed by the caller). */
	void (*vop_getattr)(struct vnode *vp, struct stat *st);
	/*
	 * Set the size (regular files); pages past the end leave every
	 * mapping.
	 */
	int (*vop_truncate)(struct vnode *vp, off_t size);
	/*
	 * Optional (mmap and exec): the memory object that holds a regular
	 * file's pages, the ones read and write use, in *objp with a new
	 * reference for the caller (vm_object_rel drops it); its vo_size is
	 * the file's size.  -ENODEV, or no operation: not mappable.
	 */
	int (*vop_getobject)(struct vnode *vp, struct vm_object **objp);
	/* Set the permission bits. */
	int (*vop_chmod)(struct vnode *vp, unsigned mode);
	/* Set access and modification times (ns since the epoch). */
	int (*vop_utimes)(struct vnode *vp, const int64_t *atime,
	    const int64_t *mtime);
	/*
	 * One entry at or after cookie *cookiep (0 ".", 1 "..", then the
	 * file system's own): its name (NUL-terminated, into name), inode
	 * number and d_type, and in *cookiep the cookie of the next one.
	 * Returns 1, or 0 at the end.
	 */
	int (*vop_readdir)(struct vnode *dvp, off_t *cookiep, char *name,
	    uint64_t *ino, uint8_t *dtype);
	int (*vop_link)(struct vnode *dvp, const char *name, size_t len,
	    struct vnode *vp);
	int (*vop_unlink)(struct vnode *dvp, const char *name, size_t len);
	int (*vop_rmdir)(struct vnode *dvp, const char *name, size_t len);
	/* Rename; flags: RENAME_NOREPLACE. */
	int (*vop_rename)(struct vnode *fdvp, const char *fname, size_t flen,
	    struct vnode *tdvp, const char *tname, size_t tlen, unsigned flags);
	/* Copy the target into buf (n bytes at most); the length copied. */
	ssize_t (*vop_readlink)(struct vnode *vp, char *buf, size_t n);
	/* The last reference is gone: free the vnode if it has no name. */
	void (*vop_inactive)(struct vnode *vp);
};

struct vnode {
	int v_usecount; /* (a) */
	/* (c) */
	enum vtype v_type;
	const struct vnodeops *v_op;
	void *v_data; /* the file system's node */
	/*
	 * The initrd's tree, read-only (ABI.md): every operation that would
	 * change it returns -EROFS (tmpfs checks; open for writing and
	 * unlink check first, in Linux's order).  Set at boot.
	 */
	bool v_rdonly;
	struct vnode *v_parent; /* (v) directories: "..", no reference */
};

extern struct mutex vfs_lock;
extern struct vnode *rootvnode; /* lives for ever */

/*
 * One more reference to vp.  The caller holds vfs_lock or a reference to
 * vp already.  No other requirements.
 */
void vnode_ref(struct vnode *vp);

/*
 * Drop a reference; the last one of a vnode without a name frees it.
 * vnode_rel takes vfs_lock; vnode_rel_locked needs it held.
 */
void vnode_rel(struct vnode *vp);
void vnode_rel_locked(struct vnode *vp);

/* namei flags */
#define NAMEI_FOLLOW 0x1 /* follow a symbolic link in the last component */
#define NAMEI_PARENT 0x2 /* stop at the parent: *dvpp and the last name */
#define NAMEI_EMPTY 0x4  /* "" names the start directory (AT_EMPTY_PATH) */

/*
 * The result of a lookup.  With NAMEI_PARENT: nd_dvp is the parent (a
 * reference), nd_name/nd_len the last component (pointing into the
 * path, which must outlive nd), nd_vp the vnode the last name already
 * names (a reference) or NULL, nd_trailing whether the path ended in
 * '/'.  With NAMEI_PARENT | NAMEI_FOLLOW a symbolic link in the last
 * place is followed to its target's parent and name (so that O_CREAT
 * through a dangling link makes the target, as Linux does).  Otherwise
 * nd_vp is the vnode (a reference) and nd_dvp NULL.
 * namei_done drops the references.
 */
struct nameidata {
	struct vnode *nd_dvp;
	struct vnode *nd_vp;
	const char *nd_name;
	size_t nd_len;
	bool nd_trailing;
	char *nd_buf; /* a link target nd_name points into, or NULL */
};

/*
 * Look path (kernel memory) up from start (a directory; NULL: the
 * calling process's current directory).  Returns 0 with *nd filled, or
 * -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -ENOMEM.  With
 * NAMEI_PARENT the last component may be missing (nd_vp NULL); it is
 * -EEXIST... never: the caller decides.  The caller must hold vfs_lock.
 */
int namei_locked(struct vnode *start, const char *path, int flags,
    struct nameidata *nd);
void namei_done_locked(struct nameidata *nd);

/*
 * The directory dirfd names for an *at call (AT_FDCWD: the current
 * directory), with a reference, or NULL for the current directory with
 * *errp 0; -EBADF or -ENOTDIR in *errp (path relative) otherwise.  An
 * absolute path needs no directory: NULL, 0.  No locks held.
 */
struct vnode *vfs_at_dir(int dirfd, const char *path, int *errp);

/*
 * Open vp as a file with f_flag flag (FREAD/FWRITE) and append mode, in
 * *fpp with one reference (the caller's); the file takes a new reference
 * to vp and, opened for writing, write access to vp's object (released
 * at its last close).  0, -ENOMEM, or -ETXTBSY (for writing, and a
 * program runs from vp: Linux's i_writecount).  vfs_lock held.
 */
int vn_open_file(struct vnode *vp, int flag, bool append, struct file **fpp);

/*
 * Write access to vp for a change of its data outside an open file
 * (truncate): 0 with *wobjp, for vn_write_end (NULL when vp has no
 * object), or -ETXTBSY if a program runs from vp.  vn_write_begin needs
 * vfs_lock held; vn_write_end has no requirements.
 */
int vn_write_begin(struct vnode *vp, struct vm_object **wobjp);
void vn_write_end(struct vm_object *wobj);

/* The vnode of fp, or NULL if fp is no vnode file.  No requirements. */
struct vnode *file_vnode(struct file *fp);

/*
 * The whole content of the regular file at path (from the current
 * directory if relative) in a kmalloc
 * buffer the caller frees, its size in *sizep.  -EISDIR (not a regular
 * file), -ENOMEM and namei's errors.  The mode bits are not checked
 * (exec's contract, ABI.md, has no EACCES).  No locks held.
 */
int vfs_read_whole(const char *path, uint8_t **bufp, size_t *sizep);

/*
 * getdents64 on fp (linux_dirent64 records from its offset on): the
 * bytes written, 0 at the end, -ENOTDIR, -EINVAL (no record fits),
 * -EFAULT.  The caller holds fp's f_pos_lock and no other lock.
 */
long vn_getdents(struct file *fp, void *ubuf, size_t n);

/* ftruncate of a vnode file: 0, -EINVAL (not open for writing), ...  */
long vn_ftruncate(struct file *fp, off_t length);

/* Make the root (tmpfs).  Boot only, before vfs_unpack_cpio. */
void vfs_init(void);

/* The tmpfs root vnode, with a reference.  Boot only. */
struct vnode *tmpfs_mount_root(void);

/*
 * While on, new tmpfs nodes are read-only (v_rdonly) and may still be
 * made in read-only directories: the unpacking of the initrd, whose
 * tree ABI.md has read-only.  vfs_lock held.
 */
void tmpfs_set_new_rdonly(bool on);

/* The process's current directory reference: drop it (exit).  No locks. */
struct proc;
void vfs_proc_exit(struct proc *p);

#endif /* !_VNODE_H_ */
