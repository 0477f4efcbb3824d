/*
 * The virtual file system: vnodes, their operations and path lookup.
 *
 * A vnode is one file, directory, symbolic link or device of a file
 * system (tmpfs, devfs, procfs).  It is reference counted: every open
 * file, every process's current directory and every caller between a
 * lookup and its vnode_rel holds one (v_usecount).  The file system keeps
 * the names (directory entries) and the link count; a vnode is freed when
 * both its last name and its last reference are gone, so a file unlinked
 * while open keeps its data until its last close.
 *
 * Mounts.  Every vnode belongs to one mount (v_mount), a file system
 * instance on the mount list.  A mount other than the root covers a
 * directory (mnt_vnodecovered, whose v_mountedhere names the mount);
 * path lookup goes from the covered directory to the mount's root, and
 * ".." at a mount's root goes to the covered directory's parent.  Every
 * vnode reference is also counted in its mount (mnt_refs): the root's
 * own (the mount's), open files, current and root directories, lookups
 * in progress, and the covered directories of the mounts below, so a
 * mount with mnt_refs above one is busy (umount's EBUSY).
 *
 * Locking.  This first increment has one sleeping mutex, vfs_lock, for
 * the whole name space and every vnode's contents: every vnode operation
 * is called with it held, and may sleep and copy user memory under it
 * (it is a mutex, never a spinlock).  Nothing else is taken under it but
 * the page allocator and kmem; nothing that holds it waits for a pipe,
 * the console or a child.
 *   (a)  atomic; a decrement only under vfs_lock
 *   (c)  set when the vnode (or mount) is made, then constant
 *   (v)  vfs_lock
 * Lock order: vfs_lock, then proc_lock (procfs reads the process table
 * under it), then a process's fd_lock or vm_lock.  No vnode operation
 * copies to or from user memory with a spinlock held.
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
struct statfs;
struct file;
struct mount;
struct pipe;
struct vm_object;

/* vnode types (v_type) */
enum vtype {
	VNON,
	VREG,
	VDIR,
	VLNK,
	VCHR, /* a character device (devfs) */
	VFIFO /* a named pipe: opened through fifo_open (pipe.c) */
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
	/*
	 * Optional: a new FIFO (mode: permission bits).  NULL: the file
	 * system makes none (EPERM).
	 */
	int (*vop_mkfifo)(struct vnode *dvp, const char *name, size_t len,
	    unsigned mode, struct vnode **vpp);
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
	/*
	 * Set the owner and group ((uid_t)-1 and (gid_t)-1 leave them);
	 * clears S_ISUID and S_ISGID of files as Linux's chown.
	 */
	int (*vop_chown)(struct vnode *vp, uid_t uid, gid_t gid);
	/*
	 * A new regular file (mode: permission bits) with no name, as
	 * O_TMPFILE opens in directory dvp: its last reference frees it.
	 */
	int (
	    *vop_tmpfile)(struct vnode *dvp, unsigned mode, struct vnode **vpp);
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
	/*
	 * Optional: open vp as a file of its own kind (a terminal device),
	 * with f_flag flag, into *fpp (one reference, the caller's).  NULL:
	 * the usual vnode file (vn_open_file).  0, -ENXIO, -ENOMEM.
	 */
	int (*vop_open)(struct vnode *vp, int flag, struct file **fpp);
	/*
	 * Optional: the whole content of a generated file (procfs) in a new
	 * kmalloc buffer the caller frees, its length in *lenp.  A file open
	 * on vp reads such a snapshot, made again when it reads from offset
	 * 0 (as Linux's seq_file), so one read(2) after another never mixes
	 * two versions.  0 or -errno.
	 */
	int (*vop_generate)(struct vnode *vp, char **bufp, size_t *lenp);
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
	struct vnode *v_parent;      /* (v) directories: "..", no reference */
	struct mount *v_mount;       /* (c) set by vnode_set_mount */
	struct mount *v_mountedhere; /* (v) the mount covering it, or NULL */
	struct pipe *v_fifo; /* (v) VFIFO: its open ends' pipe, or NULL */
};

/*
 * A file system type: Linux's name and statfs magic, the root of a new
 * instance, its figures, and the freeing of a whole instance.
 */
struct vfsops {
	const char *vfs_name;
	long vfs_magic;
	/* Fill sf's sizes (f_blocks ... f_ffree); vfs_lock held. */
	void (*vfs_statfs)(struct mount *mp, struct statfs *sf);
	/*
	 * Free every vnode of mp: nothing holds a reference but the
	 * mount's own to its root, which goes too.  vfs_lock held.
	 */
	void (*vfs_unmount)(struct mount *mp);
};

/* mnt_flag: Linux's MS_* per-mount bits (<linux/mount.h>). */
struct mount {
	struct mount *mnt_next;         /* (v) mountlist, in mount order */
	const struct vfsops *mnt_op;    /* (c) */
	struct vnode *mnt_vnodecovered; /* (c) a reference; NULL: the root */
	struct vnode *mnt_root;         /* (c) a reference */
	int mnt_refs;                   /* (a) see "Mounts" above */
	unsigned mnt_flag;              /* (v) MS_RDONLY, MS_NOEXEC, ... */
	bool mnt_detached;   /* (v) off the name space: freed at the last ref */
	bool mnt_expire;     /* (v) marked by umount2's MNT_EXPIRE */
	uint64_t mnt_dev;    /* (c) st_dev of its vnodes */
	char mnt_source[64]; /* (c) mount(2)'s source, for mounts */
	void *mnt_data;      /* (c) the file system's own (tmpfs_mount) */
	unsigned mnt_rootmode; /* (c) mode= of the root, for /proc/mounts */
};

extern struct mount *mountlist; /* (v) the root's first */

extern struct mutex vfs_lock;
extern struct vnode *rootvnode; /* lives for ever */

/*
 * vp, just made by its file system with one reference (its creator's),
 * joins mount mp: sets v_mount and counts that reference in mp.  vfs_lock
 * held.
 */
void vnode_set_mount(struct vnode *vp, struct mount *mp);

/*
 * Fill *st (zeroed by the caller) for vp: its file system's attributes
 * and its mount's st_dev.  vfs_lock held.
 */
void vn_getattr_locked(struct vnode *vp, struct stat *st);

/*
 * vp may not change: the initrd's read-only tree (v_rdonly) or a
 * read-only mount.  vfs_lock held.
 */
bool vn_rdonly_locked(struct vnode *vp);

/*
 * The absolute path of vp as the calling process sees it (from its root
 * directory) into buf (size bytes, NUL-terminated): its length, or
 * -ENOENT (no name found: removed, or outside the caller's root),
 * -ENAMETOOLONG.  A regular file's name is searched for in its mount.
 * vfs_lock held.
 */
int vfs_vnode_path_locked(struct vnode *vp, char *buf, size_t size);

/*
 * The calling process's root directory, with a reference.  vfs_lock held.
 */
struct vnode *vfs_root_locked(void);

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
 * getdents64 on fp (linux_dirent64 records from its offset on): the
 * bytes written, 0 at the end, -ENOTDIR, -EINVAL (no record fits),
 * -EFAULT, -ENOMEM.  The caller holds fp's f_pos_lock and no other lock.
 */
long vn_getdents(struct file *fp, void *ubuf, size_t n);

/* ftruncate of a vnode file: 0, -EINVAL (not open for writing), ...  */
long vn_ftruncate(struct file *fp, off_t length);

/* Make the root (tmpfs).  Boot only, before vfs_unpack_cpio. */
void vfs_init(void);

/*
 * Mount devfs on /dev and procfs on /proc, making the directories (read
 * -only, as the initrd's tree) if the initrd has none.  Boot only,
 * after the initrd is unpacked.
 */
void vfs_mount_boot(void);

/*
 * The tmpfs root vnode, with a reference, its instance in mp->mnt_data.
 * Boot only.
 */
struct vnode *tmpfs_mount_root(struct mount *mp);

/* A tmpfs size limit in pages meaning "the default": half of RAM. */
#define TMPFS_SIZE_DEFAULT UINT64_MAX

/*
 * The root of a new, empty tmpfs instance for mount mp (a directory of
 * mode mode, one reference, the mount's), holding at most maxpages of
 * data (0: no limit, as Linux's size=0; TMPFS_SIZE_DEFAULT), or NULL
 * when out of memory.  vfs_lock held.  tmpfs_statfs fills a statfs's
 * figures (vfs_statfs); tmpfs_unmount frees an instance (vfs_unmount),
 * once the files mapped from it are gone too.
 */
struct vnode *tmpfs_mount_new(struct mount *mp, unsigned mode,
    uint64_t maxpages);
void tmpfs_statfs(struct mount *mp, struct statfs *sf);
void tmpfs_unmount(struct mount *mp);

/*
 * Remount: a new size limit (as tmpfs_mount_new's maxpages): 0, or
 * -EINVAL below the pages in use, as Linux.  vfs_lock held.
 */
int tmpfs_mount_resize(struct mount *mp, uint64_t maxpages);

/*
 * The data pages of mp's instance, and in *maxp its limit (UINT64_MAX:
 * none) and in *dflp whether that is the default.  No requirements.
 */
uint64_t tmpfs_pages(const struct mount *mp, uint64_t *maxp, bool *dflp);

extern const struct vfsops tmpfs_vfsops;

/*
 * /proc/mounts: a line per mount the caller's root reaches, in Linux's
 * format, into buf (size bytes; cut there).  The length, or -ENOMEM.
 * vfs_lock held.
 */
int vfs_mounts_text_locked(char *buf, size_t size);

/* devfs (devfs.c) and procfs (procfs.c): as tmpfs_mount_new. */
struct vnode *devfs_mount_new(struct mount *mp);
extern const struct vfsops devfs_vfsops;
struct vnode *procfs_mount_new(struct mount *mp);
extern const struct vfsops procfs_vfsops;

/*
 * While on, new tmpfs nodes are read-only (v_rdonly) and may still be
 * made in read-only directories: the unpacking of the initrd, whose
 * tree ABI.md has read-only.  vfs_lock held.
 */
void tmpfs_set_new_rdonly(bool on);

/*
 * The process's current and root directory and executable references:
 * drop them (exit).  No locks held.
 */
struct proc;
void vfs_proc_exit(struct proc *p);

/*
 * A fork child p takes its own references to parent's current and root
 * directories and executable.  No locks held.
 */
void vfs_proc_fork(struct proc *parent, struct proc *p);

/*
 * Process p (the caller's, or init being made) now runs the file at path
 * (looked up from the caller's current directory, after execve
 * succeeded): p_textvp names it, for /proc/PID/exe.  No locks held.
 */
void vfs_proc_exec(struct proc *p, const char *path);

#endif /* !_VNODE_H_ */
