/*
 * devfs: the device nodes of /dev (vnode.h), mounted as Linux's
 * "devtmpfs".
 *
 * An instance is one directory holding a fixed set of character
 * devices, with Linux's names, numbers and modes: null, zero, full,
 * random, urandom, tty, console and ttyS0.  The memory devices are read
 * and written through the vnode operations (a vnode file, as any other);
 * the terminals open as the console's own file (tty_open_file), /dev/tty
 * only for a process whose controlling terminal the console is.
 *
 * The nodes of an instance are made with it and freed with it
 * (devfs_unmount): they are never freed on their last reference, and
 * names cannot be added or removed (EPERM: there is no mknod).  Every
 * function here runs with vfs_lock held, which guards the nodes' modes
 * and times.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <random.h>
#include <stat.h>
#include <tty.h>
#include <vnode.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

#include <asm/statfs.h>
#include <linux/magic.h>
#include <linux/mount.h>

/* d_type values: Linux's. */
#define DT_CHR 2
#define DT_DIR 4

enum devfs_kind {
	DEV_NULL,
	DEV_ZERO,
	DEV_FULL,
	DEV_RANDOM,
	DEV_TTY
};

struct devfs_dev {
	const char *dd_name;
	unsigned dd_major, dd_minor;
	unsigned dd_mode; /* permission bits */
	enum devfs_kind dd_kind;
	bool dd_ctty; /* /dev/tty: the caller's controlling terminal */
};

/* In readdir's order. */
static const struct devfs_dev devfs_devs[] = {
	{ "console", 5, 1, 0600, DEV_TTY, false },
	{ "full", 1, 7, 0666, DEV_FULL, false },
	{ "null", 1, 3, 0666, DEV_NULL, false },
	{ "random", 1, 8, 0666, DEV_RANDOM, false },
	{ "tty", 5, 0, 0666, DEV_TTY, true },
	{ "ttyS0", 4, 64, 0660, DEV_TTY, false },
	{ "urandom", 1, 9, 0666, DEV_RANDOM, false },
	{ "zero", 1, 5, 0666, DEV_ZERO, false },
};
#define DEVFS_NDEVS (sizeof(devfs_devs) / sizeof(devfs_devs[0]))

struct devfs_node {
	struct vnode dn_vnode;
	const struct devfs_dev *dn_dev; /* (c) NULL: the directory */
	uint64_t dn_ino;                /* (c) */
	unsigned dn_mode;               /* (v) S_IF* and permission bits */
	int64_t dn_atime, dn_mtime, dn_ctime; /* (v) ns since the epoch */
};

/* An instance: its directory and its devices, in one allocation. */
struct devfs_mount {
	struct devfs_node dm_root;
	struct devfs_node dm_devs[DEVFS_NDEVS];
};

#define VTODN(vp) ((struct devfs_node *)(vp)->v_data)

static int
devfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct devfs_mount *dm = (struct devfs_mount *)VTODN(dvp);

	for (size_t i = 0; i < DEVFS_NDEVS; i++) {
		if (strlen(devfs_devs[i].dd_name) == len &&
		    memcmp(devfs_devs[i].dd_name, name, len) == 0) {
			*vpp = &dm->dm_devs[i].dn_vnode;
			vnode_ref(*vpp);
			return 0;
		}
	}
	return -ENOENT;
}

/* Names cannot be made or removed: there is no mknod. */
static int
devfs_create(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct vnode **vpp)
{
	(void)dvp, (void)name, (void)len, (void)mode, (void)vpp;
	return -EPERM;
}

static int
devfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	(void)dvp, (void)name, (void)len, (void)target, (void)vpp;
	return -EPERM;
}

static int
devfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	(void)dvp, (void)name, (void)len, (void)vp;
	return -EPERM;
}

static int
devfs_remove(struct vnode *dvp, const char *name, size_t len)
{
	(void)dvp, (void)name, (void)len;
	return -EPERM;
}

static int
devfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *tdvp, const char *tname, size_t tlen, unsigned flags)
{
	(void)fdvp, (void)fname, (void)flen, (void)tdvp, (void)tname,
	    (void)tlen, (void)flags;
	return -EPERM;
}

/*
 * n zero bytes, or random bytes, into buf (user memory if user): n, or
 * what was copied before a fault, or -EFAULT.
 */
static ssize_t
devfs_fill(void *buf, size_t n, bool user, bool random)
{
	uint8_t chunk[256];
	size_t done = 0;

	if (!random) {
		if (!user) {
			memset(buf, 0, n);
			return n;
		}
		return copyout_zero(buf, n) == 0 ? (ssize_t)n : -EFAULT;
	}
	while (done < n) {
		size_t len = MIN(n - done, sizeof(chunk));

		random_bytes(chunk, len);
		if (!user)
			memcpy((uint8_t *)buf + done, chunk, len);
		else if (copyout(chunk, (uint8_t *)buf + done, len) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		done += len;
	}
	return done;
}

static ssize_t
devfs_read(struct vnode *vp, void *buf, size_t n, off_t off, bool user)
{
	struct devfs_node *dn = VTODN(vp);

	(void)off;
	if (dn->dn_dev == NULL)
		return -EISDIR;
	switch (dn->dn_dev->dd_kind) {
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
	case DEV_FULL:
		return devfs_fill(buf, n, user, false);
	case DEV_RANDOM:
		return devfs_fill(buf, n, user, true);
	default:
		return -EINVAL; /* terminals open as their own files */
	}
}

static ssize_t
devfs_write(struct vnode *vp, const void *buf, size_t n, off_t off, bool user)
{
	struct devfs_node *dn = VTODN(vp);

	(void)buf, (void)off, (void)user;
	if (dn->dn_dev == NULL)
		return -EISDIR;
	switch (dn->dn_dev->dd_kind) {
	case DEV_NULL:
	case DEV_ZERO:
	case DEV_RANDOM: /* Linux mixes it in; it credits no entropy */
		return n;
	case DEV_FULL:
		return -ENOSPC;
	default:
		return -EINVAL;
	}
}

static void
devfs_getattr(struct vnode *vp, struct stat *st)
{
	struct devfs_node *dn = VTODN(vp);

	st->st_ino = dn->dn_ino;
	st->st_mode = dn->dn_mode;
	st->st_nlink = dn->dn_dev == NULL ? 2 : 1;
	if (dn->dn_dev != NULL)
		st->st_rdev =
		    (dn->dn_dev->dd_major << 8) | dn->dn_dev->dd_minor;
	else
		st->st_size = (DEVFS_NDEVS + 2) * 20;
	st->st_blksize = PAGE_SIZE;
	st->st_atime = dn->dn_atime / 1000000000;
	st->st_atime_nsec = dn->dn_atime % 1000000000;
	st->st_mtime = dn->dn_mtime / 1000000000;
	st->st_mtime_nsec = dn->dn_mtime % 1000000000;
	st->st_ctime = dn->dn_ctime / 1000000000;
	st->st_ctime_nsec = dn->dn_ctime % 1000000000;
}

static int
devfs_truncate(struct vnode *vp, off_t size)
{
	(void)size;
	return vp->v_type == VDIR ? -EISDIR : -EINVAL;
}

static int
devfs_chmod(struct vnode *vp, unsigned mode)
{
	struct devfs_node *dn = VTODN(vp);

	if (vp->v_mount->mnt_flag & MS_RDONLY)
		return -EROFS;
	dn->dn_mode = (dn->dn_mode & S_IFMT) | (mode & 07777);
	dn->dn_ctime = (int64_t)clock_realtime_ns();
	return 0;
}

static int
devfs_utimes(struct vnode *vp, const int64_t *atime, const int64_t *mtime)
{
	struct devfs_node *dn = VTODN(vp);

	if (vp->v_mount->mnt_flag & MS_RDONLY)
		return -EROFS;
	if (atime != NULL)
		dn->dn_atime = *atime;
	if (mtime != NULL)
		dn->dn_mtime = *mtime;
	dn->dn_ctime = (int64_t)clock_realtime_ns();
	return 0;
}

static int
devfs_readdir(struct vnode *dvp, off_t *cookiep, char *name, uint64_t *ino,
    uint8_t *dtype)
{
	struct devfs_mount *dm = (struct devfs_mount *)VTODN(dvp);
	off_t c = *cookiep;

	if (c < 2) {
		strlcpy(name, c == 0 ? "." : "..", 3);
		*ino = dm->dm_root.dn_ino;
		*dtype = DT_DIR;
	} else if ((size_t)c - 2 < DEVFS_NDEVS) {
		strlcpy(name, devfs_devs[c - 2].dd_name, NAME_MAX + 1);
		*ino = dm->dm_devs[c - 2].dn_ino;
		*dtype = DT_CHR;
	} else {
		return 0;
	}
	*cookiep = c + 1;
	return 1;
}

static ssize_t
devfs_readlink(struct vnode *vp, char *buf, size_t n)
{
	(void)vp, (void)buf, (void)n;
	return -EINVAL;
}

/* The nodes live as long as their instance. */
static void
devfs_inactive(struct vnode *vp)
{
	(void)vp;
}

/* vop_open of the terminals: the console's file.  vfs_lock held. */
static int
devfs_open(struct vnode *vp, int flag, struct file **fpp)
{
	const struct devfs_dev *dd = VTODN(vp)->dn_dev;

	return tty_open_file(flag, (dd->dd_major << 8) | dd->dd_minor,
	    dd->dd_ctty, fpp);
}

/* The operations of every devfs node. */
#define DEVFS_VNODEOPS                                                \
	.vop_lookup = devfs_lookup, .vop_create = devfs_create,       \
	.vop_mkdir = devfs_create, .vop_symlink = devfs_symlink,      \
	.vop_read = devfs_read, .vop_write = devfs_write,             \
	.vop_getattr = devfs_getattr, .vop_truncate = devfs_truncate, \
	.vop_chmod = devfs_chmod, .vop_utimes = devfs_utimes,         \
	.vop_readdir = devfs_readdir, .vop_link = devfs_link,         \
	.vop_unlink = devfs_remove, .vop_rmdir = devfs_remove,        \
	.vop_rename = devfs_rename, .vop_readlink = devfs_readlink,   \
	.vop_inactive = devfs_inactive

static const struct vnodeops devfs_vnodeops = { DEVFS_VNODEOPS };

/* The terminals: the same, but opened as the console's file. */
static const struct vnodeops devfs_tty_vnodeops = {
	DEVFS_VNODEOPS,
	.vop_open = devfs_open,
};

/* Inode numbers, unique among devfs instances.  (v) */
static uint64_t devfs_next_ino = 1;

struct vnode *
devfs_mount_new(struct mount *mp)
{
	struct devfs_mount *dm = kmalloc(sizeof(*dm), KM_ZERO);
	int64_t now = (int64_t)clock_realtime_ns();

	KASSERT(mutex_held(&vfs_lock));
	if (dm == NULL)
		return NULL;
	for (size_t i = 0; i <= DEVFS_NDEVS; i++) {
		struct devfs_node *dn =
		    i == 0 ? &dm->dm_root : &dm->dm_devs[i - 1];
		struct vnode *vp = &dn->dn_vnode;

		dn->dn_dev = i == 0 ? NULL : &devfs_devs[i - 1];
		dn->dn_ino = devfs_next_ino++;
		dn->dn_mode =
		    i == 0 ? S_IFDIR | 0755 : S_IFCHR | dn->dn_dev->dd_mode;
		dn->dn_atime = dn->dn_mtime = dn->dn_ctime = now;
		vp->v_type = i == 0 ? VDIR : VCHR;
		vp->v_op = i > 0 && dn->dn_dev->dd_kind == DEV_TTY ?
		    &devfs_tty_vnodeops :
		    &devfs_vnodeops;
		vp->v_data = dn; /* the root's is the instance's too */
		vp->v_parent = &dm->dm_root.dn_vnode;
		/* Nobody holds a device node yet: no reference to count. */
		if (i > 0)
			vp->v_mount = mp;
	}
	dm->dm_root.dn_vnode.v_usecount = 1;
	vnode_set_mount(&dm->dm_root.dn_vnode, mp);
	return &dm->dm_root.dn_vnode;
}

/* statfs: Linux's devtmpfs is a tmpfs of half of RAM; no page is used. */
static void
devfs_statfs(struct mount *mp, struct statfs *sf)
{
	(void)mp;
	sf->f_blocks = sf->f_bfree = sf->f_bavail = vm_page_total_count() / 2;
	sf->f_files = vm_page_total_count() / 2;
	sf->f_ffree = sf->f_files - DEVFS_NDEVS - 1;
}

static void
devfs_unmount(struct mount *mp)
{
	KASSERT(mutex_held(&vfs_lock));
	kfree(VTODN(mp->mnt_root));
}

const struct vfsops devfs_vfsops = {
	.vfs_name = "devtmpfs",
	.vfs_magic = TMPFS_MAGIC,
	.vfs_statfs = devfs_statfs,
	.vfs_unmount = devfs_unmount,
};
