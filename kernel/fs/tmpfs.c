/*
 * tmpfs: the root file system, in memory (vnode.h).
 *
 * A tmpfs_node is one file, directory or symbolic link, with its vnode
 * embedded.  A regular file's data is a memory object (vm_object.h): its
 * pages are the page cache that read, write, mmap and exec share, and a
 * page it lacks is a hole, read as zeros without being made.  The file's
 * size is the object's vo_size.  A
 * directory holds its entries in two red-black trees: by name, for
 * lookups in directories of any size, and by cookie, a number given to
 * each entry when it is made and never reused in that directory, so that
 * getdents64 goes on where it stopped whatever was added or removed
 * meanwhile.  Each instance (struct tmpfs_mount) limits its data pages,
 * by default to half of RAM, counting every page its files' objects hold
 * (pages a MAP_SHARED mapping makes included, until the object goes),
 * and its nodes to one per two pages of RAM (as Linux's nr_inodes): past
 * them writes and creates fail with ENOSPC, and when memory runs out
 * with ENOSPC or ENOMEM.
 *
 * Every function here is a vnode operation or its helper and runs with
 * vfs_lock held, which guards every field of every node and dirent (a
 * file's object locks its own pages and size, and vfs_lock orders every
 * change of the size).
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <stat.h>
#include <vnode.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/addrspace.h>
#include <bsd/sys/tree.h>

#include <asm/statfs.h>
#include <linux/fs.h>    /* RENAME_NOREPLACE */
#include <linux/mount.h> /* MS_RDONLY */

#define TMPFS_PAGE 4096UL
#define TMPFS_DIRENT_SIZE 20 /* the size a directory reports per entry */

/* d_type values: Linux's, which no uapi header exports. */
#define DT_FIFO 1
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

struct tmpfs_node;

struct tmpfs_dirent {
	RB_ENTRY(tmpfs_dirent) td_name_rb;
	RB_ENTRY(tmpfs_dirent) td_cookie_rb;
	off_t td_cookie;
	struct tmpfs_node *td_node;
	size_t td_len;
	char td_name[]; /* td_len bytes, then a NUL */
};

RB_HEAD(tmpfs_names, tmpfs_dirent);
RB_HEAD(tmpfs_cookies, tmpfs_dirent);

/*
 * One tmpfs instance.
 *   (a)  atomic
 *   (c)  set when the instance is made, then constant
 *   (v)  vfs_lock
 */
struct tmpfs_mount {
	/*
	 * Its files' data pages, counted against the size limit (UINT64_MAX:
	 * none).  Its reference count keeps the instance until the last
	 * object charged to it is gone (tmpfs_mount_release).
	 */
	struct vm_object_limit tm_pages;
	bool tm_size_default; /* (v) the limit is the default, half of RAM */
	uint64_t tm_maxnodes; /* (c) 0: no limit */
	uint64_t tm_nodes;    /* (v) nodes allocated, the root included */
};

#define TMPFS_MP(mp) ((struct tmpfs_mount *)(mp)->mnt_data)

/* The root file system's instance. */
static struct tmpfs_mount tmpfs_root_mount;

struct tmpfs_node {
	struct vnode tn_vnode;
	struct tmpfs_mount *tn_mount; /* its instance */
	unsigned tn_mode;             /* S_IF* and permission bits */
	unsigned tn_nlink;
	uid_t tn_uid; /* the owner: root (0) until chown */
	gid_t tn_gid;
	uint64_t tn_ino;
	off_t tn_size; /* VLNK: the target's length (VREG: tn_obj's vo_size) */
	int64_t tn_atime, tn_mtime, tn_ctime; /* ns since the epoch */
	/* VREG: the data, one reference, set when the node is made */
	struct vm_object *tn_obj;
	/* VDIR */
	struct tmpfs_names tn_names;
	struct tmpfs_cookies tn_cookies;
	off_t tn_nextcookie;
	size_t tn_nentries;
	/*
	 * The entry readdir returned last, or NULL: a readdir that goes on
	 * from its cookie takes the next entry from it instead of searching
	 * the cookie tree.  Cleared when that entry leaves the directory.
	 */
	struct tmpfs_dirent *tn_readdir_last;
	/* VLNK */
	char *tn_target;
};

/*
 * Whether the nodes made now belong to the read-only tree (v_rdonly):
 * on while the initrd is unpacked.  vfs_lock held.
 */
static bool tmpfs_new_rdonly;

/*
 * vp may not change (EROFS): it is of the initrd's read-only tree, and
 * the initrd is not being unpacked; or its mount is read-only.  vfs_lock
 * held.
 */
static bool
tmpfs_readonly(const struct vnode *vp)
{
	KASSERT(mutex_held(&vfs_lock));
	return (vp->v_rdonly && !tmpfs_new_rdonly) ||
	    (vp->v_mount->mnt_flag & MS_RDONLY);
}

/*
 * The order of the name tree: (name, len) against entry de's name, as
 * memcmp then the length.  The loop is written out: names are short and
 * most comparisons end at the first byte, cheaper than a call.
 */
static int
tmpfs_name_order(const char *name, size_t len, const struct tmpfs_dirent *de)
{
	size_t n = MIN(len, de->td_len);

	for (size_t i = 0; i < n; i++)
		if (name[i] != de->td_name[i])
			return (unsigned char)name[i] -
			    (unsigned char)de->td_name[i];
	return len < de->td_len ? -1 : len > de->td_len;
}

static int
tmpfs_name_cmp(struct tmpfs_dirent *a, struct tmpfs_dirent *b)
{
	return tmpfs_name_order(a->td_name, a->td_len, b);
}

static int
tmpfs_cookie_cmp(struct tmpfs_dirent *a, struct tmpfs_dirent *b)
{
	return a->td_cookie < b->td_cookie ? -1 : a->td_cookie > b->td_cookie;
}

RB_GENERATE_STATIC(tmpfs_names, tmpfs_dirent, td_name_rb, tmpfs_name_cmp)
RB_GENERATE_STATIC(tmpfs_cookies, tmpfs_dirent, td_cookie_rb, tmpfs_cookie_cmp)

static const struct vnodeops tmpfs_vnodeops;
static uint64_t tmpfs_next_ino = 1;

#define VTON(vp) ((struct tmpfs_node *)(vp)->v_data)
#define NTOV(np) (&(np)->tn_vnode)

static int64_t
tmpfs_now(void)
{
	return (int64_t)clock_realtime_ns();
}

/*
 * A new node of tm with this mode, no name, one reference (the caller's)
 * and link count 0; its parent (directories) is set by the caller.  NULL
 * when out of memory or past tm's node limit.
 */
static struct tmpfs_node *
tmpfs_node_alloc(struct tmpfs_mount *tm, unsigned mode)
{
	struct tmpfs_node *np;

	if (tm->tm_maxnodes != 0 && tm->tm_nodes >= tm->tm_maxnodes)
		return NULL;
	np = kmalloc(sizeof(*np), KM_ZERO);
	if (np == NULL)
		return NULL;
	if (S_ISREG(mode)) {
		np->tn_obj = vm_object_alloc_limited(0, &tm->tm_pages);
		if (np->tn_obj == NULL) {
			kfree(np);
			return NULL;
		}
	}
	tm->tm_nodes++;
	np->tn_mount = tm;
	np->tn_mode = mode;
	np->tn_ino = tmpfs_next_ino++;
	np->tn_atime = np->tn_mtime = np->tn_ctime = tmpfs_now();
	np->tn_nextcookie = 2;
	RB_INIT(&np->tn_names);
	RB_INIT(&np->tn_cookies);
	np->tn_vnode.v_usecount = 1;
	np->tn_vnode.v_type = S_ISDIR(mode) ? VDIR :
	    S_ISLNK(mode)                   ? VLNK :
	    S_ISFIFO(mode)                  ? VFIFO :
					      VREG;
	np->tn_vnode.v_op = &tmpfs_vnodeops;
	np->tn_vnode.v_data = np;
	np->tn_vnode.v_rdonly = tmpfs_new_rdonly;
	return np;
}

/*
 * Free a node with no name and no reference left, and all it holds (the
 * data goes with the object's last reference: mappings may hold more).
 */
static void
tmpfs_node_free(struct tmpfs_node *np)
{
	KASSERT(np->tn_nlink == 0 && np->tn_vnode.v_usecount == 0);
	KASSERT(RB_EMPTY(&np->tn_names));
	if (np->tn_obj != NULL)
		vm_object_rel(np->tn_obj);
	kfree(np->tn_target);
	np->tn_mount->tm_nodes--;
	kfree(np);
}

/* The size of np in bytes.  vfs_lock held. */
static off_t
tmpfs_size(const struct tmpfs_node *np)
{
	KASSERT(mutex_held(&vfs_lock));
	if (np->tn_obj != NULL)
		return (off_t)__atomic_load_n(&np->tn_obj->vo_size,
		    __ATOMIC_RELAXED);
	return np->tn_size;
}

/* Set the size of np's object, without dropping pages (growth). */
static void
tmpfs_set_size(struct tmpfs_node *np, uint64_t size)
{
	struct vm_object *obj = np->tn_obj;

	KASSERT(mutex_held(&vfs_lock));
	spin_lock(&obj->vo_lock);
	obj->vo_size = size;
	spin_unlock(&obj->vo_lock);
}

/*
 * The entry of dnp named (name, len), or NULL: RB_FIND's walk, comparing
 * the name in place rather than copying it into a key entry first.
 */
static struct tmpfs_dirent *
tmpfs_dir_find(struct tmpfs_node *dnp, const char *name, size_t len)
{
	struct tmpfs_dirent *de = RB_ROOT(&dnp->tn_names);

	while (de != NULL) {
		int c = tmpfs_name_order(name, len, de);

		if (c == 0)
			return de;
		de = c < 0 ? RB_LEFT(de, td_name_rb) : RB_RIGHT(de, td_name_rb);
	}
	return NULL;
}

/*
 * Enter np in dnp as (name, len), counting the link (and the ".." of a
 * directory in dnp's count).  -ENOMEM, or 0.
 */
static int
tmpfs_dir_add(struct tmpfs_node *dnp, const char *name, size_t len,
    struct tmpfs_node *np)
{
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1, 0);

	if (de == NULL)
		return -ENOMEM;
	de->td_len = len;
	memcpy(de->td_name, name, len);
	de->td_name[len] = '\0';
	de->td_node = np;
	de->td_cookie = dnp->tn_nextcookie++;
	RB_INSERT(tmpfs_names, &dnp->tn_names, de);
	RB_INSERT(tmpfs_cookies, &dnp->tn_cookies, de);
	dnp->tn_nentries++;
	np->tn_nlink++;
	if (S_ISDIR(np->tn_mode)) {
		np->tn_nlink++;  /* its "." */
		dnp->tn_nlink++; /* its ".." */
		np->tn_vnode.v_parent = NTOV(dnp);
	}
	dnp->tn_mtime = dnp->tn_ctime = np->tn_ctime = tmpfs_now();
	return 0;
}

/* Take de out of dnp's trees; the caller frees it. */
static void
tmpfs_dir_unhook(struct tmpfs_node *dnp, struct tmpfs_dirent *de)
{
	RB_REMOVE(tmpfs_names, &dnp->tn_names, de);
	RB_REMOVE(tmpfs_cookies, &dnp->tn_cookies, de);
	dnp->tn_nentries--;
	if (dnp->tn_readdir_last == de)
		dnp->tn_readdir_last = NULL;
}

/*
 * Take de out of dnp and free it, dropping the link it held; the node is
 * freed if that was its last name and nobody holds a reference.
 */
static void
tmpfs_dir_remove(struct tmpfs_node *dnp, struct tmpfs_dirent *de)
{
	struct tmpfs_node *np = de->td_node;

	tmpfs_dir_unhook(dnp, de);
	kfree(de);
	np->tn_nlink--;
	if (S_ISDIR(np->tn_mode)) {
		np->tn_nlink = 0; /* an empty directory: its "." goes too */
		dnp->tn_nlink--;
		/*
		 * Its ".." now leads to itself: the parent may go before the
		 * last reference to this directory (a current directory).
		 */
		np->tn_vnode.v_parent = NTOV(np);
	}
	dnp->tn_mtime = dnp->tn_ctime = np->tn_ctime = tmpfs_now();
	if (np->tn_nlink == 0 && np->tn_vnode.v_usecount == 0)
		tmpfs_node_free(np);
}

static int
tmpfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(VTON(dvp), name, len);

	if (de == NULL)
		return -ENOENT;
	*vpp = NTOV(de->td_node);
	vnode_ref(*vpp);
	return 0;
}

/* Make a node of mode named (name, len) in dvp, which has no such name. */
static int
tmpfs_make(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct tmpfs_node **npp)
{
	struct tmpfs_node *dnp = VTON(dvp), *np;
	int error;

	if (dnp->tn_nlink == 0)
		return -ENOENT; /* a removed directory */
	if (tmpfs_readonly(dvp))
		return -EROFS;
	np = tmpfs_node_alloc(dnp->tn_mount, mode);
	if (np == NULL)
		return -ENOSPC;
	error = tmpfs_dir_add(dnp, name, len, np);
	if (error != 0) {
		np->tn_vnode.v_usecount = 0;
		tmpfs_node_free(np);
		return -ENOSPC;
	}
	vnode_set_mount(NTOV(np), dvp->v_mount);
	*npp = np;
	return 0;
}

/*
 * vop_create, vop_mkdir and vop_mkfifo: a node of type type with mode's
 * permission bits, its vnode (with the caller's reference) in *vpp.
 */
static int
tmpfs_make_vnode(struct vnode *dvp, const char *name, size_t len, unsigned type,
    unsigned mode, struct vnode **vpp)
{
	struct tmpfs_node *np;
	int error = tmpfs_make(dvp, name, len, type | (mode & 07777), &np);

	if (error == 0)
		*vpp = NTOV(np);
	return error;
}

static int
tmpfs_create(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct vnode **vpp)
{
	return tmpfs_make_vnode(dvp, name, len, S_IFREG, mode, vpp);
}

static int
tmpfs_mkdir(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct vnode **vpp)
{
	return tmpfs_make_vnode(dvp, name, len, S_IFDIR, mode, vpp);
}

static int
tmpfs_mkfifo(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct vnode **vpp)
{
	return tmpfs_make_vnode(dvp, name, len, S_IFIFO, mode, vpp);
}

static int
tmpfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	size_t tlen = strlen(target);
	char *copy = kmalloc(tlen + 1, 0);
	struct tmpfs_node *np;
	int error;

	if (copy == NULL)
		return -ENOSPC;
	memcpy(copy, target, tlen + 1);
	error = tmpfs_make(dvp, name, len, S_IFLNK | 0777, &np);
	if (error != 0) {
		kfree(copy);
		return error;
	}
	np->tn_target = copy;
	np->tn_size = tlen;
	*vpp = NTOV(np);
	return 0;
}

static ssize_t
tmpfs_read(struct vnode *vp, void *buf, size_t n, off_t off, bool user)
{
	struct tmpfs_node *np = VTON(vp);
	struct vm_object *obj = np->tn_obj;
	off_t size = tmpfs_size(np);
	size_t done = 0;

	if (obj == NULL || off < 0)
		return -EINVAL; /* not a regular file */
	if (off >= size)
		return 0;
	n = MIN(n, (uint64_t)(size - off));
	while (done < n) {
		uint64_t pos = off + done;
		size_t po = pos % TMPFS_PAGE;
		size_t chunk = MIN(n - done, TMPFS_PAGE - po);
		/* A hole reads as zeros, and stays one. */
		struct vm_page *pg = vm_object_lookup(obj, pos / TMPFS_PAGE);
		char *src = pg != NULL ? (char *)vm_page_kva(pg) + po : NULL;
		char *dst = (char *)buf + done;
		int error = 0;

		if (user)
			error = src != NULL ? copyout(src, dst, chunk) :
					      copyout_zero(dst, chunk);
		else if (src != NULL)
			memcpy(dst, src, chunk);
		else
			memset(dst, 0, chunk);
		if (pg != NULL)
			vm_page_unref(pg);
		if (error != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		done += chunk;
	}
	np->tn_atime = tmpfs_now();
	return done;
}

/*
 * Write through the object's pages, growing the file first (so that the
 * pages are inside it) and back to what was written if not all was: a
 * short count when the limit or memory ran out part way, as Linux.
 */
static ssize_t
tmpfs_write(struct vnode *vp, const void *buf, size_t n, off_t off, bool user)
{
	struct tmpfs_node *np = VTON(vp);
	struct vm_object *obj = np->tn_obj;
	uint64_t old = tmpfs_size(np);
	size_t done = 0;
	int error = 0;

	if (obj == NULL)
		return -EINVAL; /* not a regular file */
	if (off < 0 || (uint64_t)off > INT64_MAX - n)
		return -EFBIG;
	if (n == 0)
		return 0;
	if ((uint64_t)off + n > old)
		tmpfs_set_size(np, off + n);
	while (done < n) {
		uint64_t pos = off + done;
		size_t po = pos % TMPFS_PAGE;
		size_t chunk = MIN(n - done, TMPFS_PAGE - po);
		const char *src = (const char *)buf + done;
		struct vm_page *pg;
		char *dst;

		error = vm_object_getpage(obj, pos / TMPFS_PAGE, &pg);
		if (error != 0) {
			if (error == -EFAULT) /* cut meanwhile: cannot be */
				error = -EIO;
			break;
		}
		dst = (char *)vm_page_kva(pg) + po;
		if (user)
			error = copyin(src, dst, chunk) != 0 ? -EFAULT : 0;
		else
			memcpy(dst, src, chunk);
		vm_page_unref(pg);
		if (error != 0)
			break;
		done += chunk;
	}
	if (done < n && (uint64_t)off + n > old)
		(void)vmspace_truncate_object(obj, MAX(old, off + done));
	if (done > 0) {
		np->tn_mtime = np->tn_ctime = tmpfs_now();
		return done;
	}
	return error;
}

static void
tmpfs_getattr(struct vnode *vp, struct stat *st)
{
	struct tmpfs_node *np = VTON(vp);
	uint64_t pages = 0;

	if (np->tn_obj != NULL)
		pages =
		    __atomic_load_n(&np->tn_obj->vo_npages, __ATOMIC_RELAXED);
	st->st_dev = 1;
	st->st_ino = np->tn_ino;
	st->st_nlink = np->tn_nlink;
	st->st_mode = np->tn_mode;
	st->st_uid = np->tn_uid;
	st->st_gid = np->tn_gid;
	st->st_size = vp->v_type == VDIR ?
	    (off_t)(np->tn_nentries + 2) * TMPFS_DIRENT_SIZE :
	    tmpfs_size(np);
	st->st_blksize = TMPFS_PAGE;
	st->st_blocks = pages * (TMPFS_PAGE / 512);
	st->st_atime = np->tn_atime / 1000000000;
	st->st_atime_nsec = np->tn_atime % 1000000000;
	st->st_mtime = np->tn_mtime / 1000000000;
	st->st_mtime_nsec = np->tn_mtime % 1000000000;
	st->st_ctime = np->tn_ctime / 1000000000;
	st->st_ctime_nsec = np->tn_ctime % 1000000000;
}

static int
tmpfs_truncate(struct vnode *vp, off_t size)
{
	struct tmpfs_node *np = VTON(vp);
	int error;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (vp->v_type != VREG)
		return -EINVAL;
	if (tmpfs_readonly(vp))
		return -EROFS;
	/*
	 * The pages past the end leave the object and every mapping (a
	 * later access there is SIGBUS); the kept part of the last page
	 * reads as zeros past the end if the file grows again.
	 */
	error = vmspace_truncate_object(np->tn_obj, size);
	if (error != 0)
		return error;
	np->tn_mtime = np->tn_ctime = tmpfs_now();
	return 0;
}

/* vop_getobject: a regular file's object, with a reference. */
static int
tmpfs_getobject(struct vnode *vp, struct vm_object **objp)
{
	struct tmpfs_node *np = VTON(vp);

	if (np->tn_obj == NULL)
		return -ENODEV;
	vm_object_ref(np->tn_obj);
	*objp = np->tn_obj;
	return 0;
}

static int
tmpfs_chmod(struct vnode *vp, unsigned mode)
{
	struct tmpfs_node *np = VTON(vp);

	if (tmpfs_readonly(vp))
		return -EROFS;
	np->tn_mode = (np->tn_mode & S_IFMT) | (mode & 07777);
	np->tn_ctime = tmpfs_now();
	return 0;
}

/*
 * Set the owner and group ((uid_t)-1, (gid_t)-1: unchanged).  A file
 * that is not a directory loses S_ISUID, and S_ISGID with S_IXGRP, as
 * Linux's chown does for every caller (root too).
 */
static int
tmpfs_chown(struct vnode *vp, uid_t uid, gid_t gid)
{
	struct tmpfs_node *np = VTON(vp);

	if (tmpfs_readonly(vp))
		return -EROFS;
	if (uid != (uid_t)-1)
		np->tn_uid = uid;
	if (gid != (gid_t)-1)
		np->tn_gid = gid;
	if (vp->v_type != VDIR) {
		np->tn_mode &= ~S_ISUID;
		if ((np->tn_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			np->tn_mode &= ~S_ISGID;
	}
	np->tn_ctime = tmpfs_now();
	return 0;
}

/*
 * A regular file with no name in directory dvp (O_TMPFILE): link count
 * 0, so that its last close frees it.
 */
static int
tmpfs_tmpfile(struct vnode *dvp, unsigned mode, struct vnode **vpp)
{
	struct tmpfs_node *np;

	if (VTON(dvp)->tn_nlink == 0)
		return -ENOENT;
	if (tmpfs_readonly(dvp))
		return -EROFS;
	np = tmpfs_node_alloc(VTON(dvp)->tn_mount, S_IFREG | (mode & 07777));
	if (np == NULL)
		return -ENOSPC;
	vnode_set_mount(NTOV(np), dvp->v_mount);
	*vpp = NTOV(np);
	return 0;
}

static int
tmpfs_utimes(struct vnode *vp, const int64_t *atime, const int64_t *mtime)
{
	struct tmpfs_node *np = VTON(vp);

	if (tmpfs_readonly(vp))
		return -EROFS;
	if (atime != NULL)
		np->tn_atime = *atime;
	if (mtime != NULL)
		np->tn_mtime = *mtime;
	np->tn_ctime = tmpfs_now();
	return 0;
}

static uint8_t
tmpfs_dtype(const struct tmpfs_node *np)
{
	return S_ISDIR(np->tn_mode) ? DT_DIR :
	    S_ISLNK(np->tn_mode)    ? DT_LNK :
	    S_ISFIFO(np->tn_mode)   ? DT_FIFO :
				      DT_REG;
}

static int
tmpfs_readdir(struct vnode *dvp, off_t *cookiep, char *name, uint64_t *ino,
    uint8_t *dtype)
{
	struct tmpfs_node *dnp = VTON(dvp);
	struct tmpfs_dirent key, *de;

	if (*cookiep == 0 || *cookiep == 1) {
		struct vnode *vp = *cookiep == 0 ? dvp : dvp->v_parent;

		strlcpy(name, *cookiep == 0 ? "." : "..", 3);
		*ino = VTON(vp)->tn_ino;
		*dtype = DT_DIR;
		(*cookiep)++;
		return 1;
	}
	if (dnp->tn_readdir_last != NULL &&
	    dnp->tn_readdir_last->td_cookie + 1 == *cookiep) {
		de = RB_NEXT(tmpfs_cookies, &dnp->tn_cookies,
		    dnp->tn_readdir_last);
	} else {
		key.td_cookie = *cookiep;
		de = RB_NFIND(tmpfs_cookies, &dnp->tn_cookies, &key);
	}
	if (de == NULL)
		return 0;
	dnp->tn_readdir_last = de;
	memcpy(name, de->td_name, de->td_len + 1);
	*ino = de->td_node->tn_ino;
	*dtype = tmpfs_dtype(de->td_node);
	*cookiep = de->td_cookie + 1;
	return 1;
}

static int
tmpfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct tmpfs_node *dnp = VTON(dvp);

	if (dnp->tn_nlink == 0 || VTON(vp)->tn_nlink == 0)
		return -ENOENT;
	if (tmpfs_readonly(dvp))
		return -EROFS;
	return tmpfs_dir_add(dnp, name, len, VTON(vp)) != 0 ? -ENOSPC : 0;
}

static int
tmpfs_unlink(struct vnode *dvp, const char *name, size_t len)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(VTON(dvp), name, len);

	if (de == NULL)
		return -ENOENT;
	if (S_ISDIR(de->td_node->tn_mode))
		return -EISDIR;
	tmpfs_dir_remove(VTON(dvp), de);
	return 0;
}

static int
tmpfs_rmdir(struct vnode *dvp, const char *name, size_t len)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(VTON(dvp), name, len);

	if (de == NULL)
		return -ENOENT;
	if (!S_ISDIR(de->td_node->tn_mode))
		return -ENOTDIR;
	if (de->td_node->tn_nentries != 0)
		return -ENOTEMPTY;
	tmpfs_dir_remove(VTON(dvp), de);
	return 0;
}

/* True if np is anc or below it. */
static bool
tmpfs_is_below(struct tmpfs_node *np, struct tmpfs_node *anc)
{
	for (;;) {
		if (np == anc)
			return true;
		if (NTOV(np) == rootvnode || np->tn_vnode.v_parent == NTOV(np))
			return false; /* a mount's root */
		np = VTON(np->tn_vnode.v_parent);
	}
}

static int
tmpfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *tdvp, const char *tname, size_t tlen, unsigned flags)
{
	struct tmpfs_node *fdnp = VTON(fdvp), *tdnp = VTON(tdvp), *np;
	struct tmpfs_dirent *fde, *tde, *nde;

	if (tmpfs_readonly(fdvp) || tmpfs_readonly(tdvp))
		return -EROFS; /* before the names, as Linux */
	fde = tmpfs_dir_find(fdnp, fname, flen);
	if (fde == NULL)
		return -ENOENT;
	np = fde->td_node;
	if (tdnp->tn_nlink == 0)
		return -ENOENT;
	tde = tmpfs_dir_find(tdnp, tname, tlen);
	if (tde != NULL && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (tde != NULL && tde->td_node == np)
		return 0; /* two names of one file: nothing to do */
	if (S_ISDIR(np->tn_mode) && tmpfs_is_below(tdnp, np))
		return -EINVAL;
	if (tde != NULL) {
		struct tmpfs_node *old = tde->td_node;

		if (S_ISDIR(np->tn_mode) && !S_ISDIR(old->tn_mode))
			return -ENOTDIR;
		if (!S_ISDIR(np->tn_mode) && S_ISDIR(old->tn_mode))
			return -EISDIR;
		if (S_ISDIR(old->tn_mode) && old->tn_nentries != 0)
			return -ENOTEMPTY;
	}
	/* Allocate the new entry first: nothing can fail after it. */
	nde = kmalloc(sizeof(*nde) + tlen + 1, 0);
	if (nde == NULL)
		return -ENOSPC;
	if (tde != NULL)
		tmpfs_dir_remove(tdnp, tde);
	tmpfs_dir_unhook(fdnp, fde);
	kfree(fde);
	nde->td_len = tlen;
	memcpy(nde->td_name, tname, tlen);
	nde->td_name[tlen] = '\0';
	nde->td_node = np;
	nde->td_cookie = tdnp->tn_nextcookie++;
	RB_INSERT(tmpfs_names, &tdnp->tn_names, nde);
	RB_INSERT(tmpfs_cookies, &tdnp->tn_cookies, nde);
	tdnp->tn_nentries++;
	if (S_ISDIR(np->tn_mode) && fdnp != tdnp) {
		fdnp->tn_nlink--;
		tdnp->tn_nlink++;
		np->tn_vnode.v_parent = tdvp;
	}
	fdnp->tn_mtime = fdnp->tn_ctime = tmpfs_now();
	tdnp->tn_mtime = tdnp->tn_ctime = np->tn_ctime = fdnp->tn_mtime;
	return 0;
}

static ssize_t
tmpfs_readlink(struct vnode *vp, char *buf, size_t n)
{
	struct tmpfs_node *np = VTON(vp);
	size_t len = MIN(n, (size_t)np->tn_size);

	memcpy(buf, np->tn_target, len);
	return len;
}

static void
tmpfs_inactive(struct vnode *vp)
{
	struct tmpfs_node *np = VTON(vp);

	if (np->tn_nlink == 0)
		tmpfs_node_free(np);
}

static const struct vnodeops tmpfs_vnodeops = {
	.vop_lookup = tmpfs_lookup,
	.vop_create = tmpfs_create,
	.vop_mkdir = tmpfs_mkdir,
	.vop_symlink = tmpfs_symlink,
	.vop_mkfifo = tmpfs_mkfifo,
	.vop_read = tmpfs_read,
	.vop_write = tmpfs_write,
	.vop_getattr = tmpfs_getattr,
	.vop_truncate = tmpfs_truncate,
	.vop_getobject = tmpfs_getobject,
	.vop_chmod = tmpfs_chmod,
	.vop_chown = tmpfs_chown,
	.vop_tmpfile = tmpfs_tmpfile,
	.vop_utimes = tmpfs_utimes,
	.vop_readdir = tmpfs_readdir,
	.vop_link = tmpfs_link,
	.vop_unlink = tmpfs_unlink,
	.vop_rmdir = tmpfs_rmdir,
	.vop_rename = tmpfs_rename,
	.vop_readlink = tmpfs_readlink,
	.vop_inactive = tmpfs_inactive,
};

/*
 * Set up instance tm with a limit of maxpages of data (see
 * tmpfs_mount_new) and Linux's default node limit, with the owner's
 * reference.  Before any node of tm is made.
 */
static void
tmpfs_mount_init(struct tmpfs_mount *tm, uint64_t maxpages)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_size_default = maxpages == TMPFS_SIZE_DEFAULT;
	tm->tm_pages.ol_maxpages = maxpages == TMPFS_SIZE_DEFAULT ?
	    vm_page_total_count() / 2 :
	    maxpages == 0 ? UINT64_MAX :
			    maxpages;
	tm->tm_pages.ol_refs = 1;
	tm->tm_maxnodes = vm_page_total_count() / 2; /* Linux's nr_inodes */
}

/* The last object charged to an unmounted instance is gone: free it. */
static void
tmpfs_mount_release(struct vm_object_limit *ol)
{
	kfree((struct tmpfs_mount *)((char *)ol -
	    offsetof(struct tmpfs_mount, tm_pages)));
}

void
tmpfs_set_new_rdonly(bool on)
{
	KASSERT(mutex_held(&vfs_lock));
	tmpfs_new_rdonly = on;
}

struct vnode *
tmpfs_mount_root(struct mount *mp)
{
	struct tmpfs_mount *tm = &tmpfs_root_mount;
	struct tmpfs_node *np;

	tmpfs_mount_init(tm, TMPFS_SIZE_DEFAULT);
	mp->mnt_data = tm;
	np = tmpfs_node_alloc(tm, S_IFDIR | 0755);
	if (np == NULL)
		panic("tmpfs: no memory for the root");
	np->tn_nlink = 2;
	np->tn_vnode.v_parent = NTOV(np);
	return NTOV(np);
}

struct vnode *
tmpfs_mount_new(struct mount *mp, unsigned mode, uint64_t maxpages)
{
	struct tmpfs_mount *tm = kmalloc(sizeof(*tm), 0);
	struct tmpfs_node *np;

	KASSERT(mutex_held(&vfs_lock));
	if (tm == NULL)
		return NULL;
	tmpfs_mount_init(tm, maxpages);
	tm->tm_pages.ol_release = tmpfs_mount_release;
	np = tmpfs_node_alloc(tm, S_IFDIR | (mode & 07777));
	if (np == NULL) {
		kfree(tm);
		return NULL;
	}
	mp->mnt_data = tm;
	np->tn_vnode.v_rdonly = false;
	np->tn_nlink = 2;
	np->tn_vnode.v_parent = NTOV(np);
	vnode_set_mount(NTOV(np), mp);
	return NTOV(np);
}

/*
 * statfs's figures: blocks from the mount's size limit (none without
 * one, as Linux's size=0), files from the node limit.  vfs_lock held.
 */
void
tmpfs_statfs(struct mount *mp, struct statfs *sf)
{
	struct tmpfs_mount *tm = TMPFS_MP(mp);
	uint64_t max, used = tmpfs_pages(mp, &max, NULL);

	KASSERT(mutex_held(&vfs_lock));
	if (max != UINT64_MAX) {
		sf->f_blocks = max;
		sf->f_bfree = sf->f_bavail = max > used ? max - used : 0;
	}
	sf->f_files = tm->tm_maxnodes;
	sf->f_ffree =
	    tm->tm_maxnodes > tm->tm_nodes ? tm->tm_maxnodes - tm->tm_nodes : 0;
}

/*
 * Free the whole tree of mount mp, from the leaves up; nothing holds a
 * reference into it but the mount's own to its root.  vfs_lock held.
 */
void
tmpfs_unmount(struct mount *mp)
{
	struct tmpfs_node *root = VTON(mp->mnt_root), *dnp = root;
	struct tmpfs_mount *tm = TMPFS_MP(mp);

	KASSERT(mutex_held(&vfs_lock));
	KASSERT(root->tn_vnode.v_usecount == 1);
	for (;;) {
		struct tmpfs_dirent *de = RB_MIN(tmpfs_names, &dnp->tn_names);

		if (de == NULL) {
			if (dnp == root)
				break;
			dnp = VTON(dnp->tn_vnode.v_parent);
			continue;
		}
		if (S_ISDIR(de->td_node->tn_mode) &&
		    de->td_node->tn_nentries != 0) {
			dnp = de->td_node;
			continue;
		}
		tmpfs_dir_remove(dnp, de);
	}
	root->tn_nlink = 0;
	root->tn_vnode.v_usecount = 0;
	tmpfs_node_free(root);
	KASSERT(tm->tm_nodes == 0);
	mp->mnt_data = NULL;
	vm_object_limit_rel(&tm->tm_pages); /* the owner's: mappings may stay */
}

int
tmpfs_mount_resize(struct mount *mp, uint64_t maxpages)
{
	struct tmpfs_mount *tm = TMPFS_MP(mp);
	uint64_t max = maxpages == TMPFS_SIZE_DEFAULT ?
	    vm_page_total_count() / 2 :
	    maxpages == 0 ? UINT64_MAX :
			    maxpages;

	KASSERT(mutex_held(&vfs_lock));
	if (max < __atomic_load_n(&tm->tm_pages.ol_pages, __ATOMIC_RELAXED))
		return -EINVAL;
	__atomic_store_n(&tm->tm_pages.ol_maxpages, max, __ATOMIC_RELAXED);
	tm->tm_size_default = maxpages == TMPFS_SIZE_DEFAULT;
	return 0;
}

uint64_t
tmpfs_pages(const struct mount *mp, uint64_t *maxp, bool *dflp)
{
	const struct tmpfs_mount *tm = mp->mnt_data;

	if (maxp != NULL)
		*maxp = __atomic_load_n(&tm->tm_pages.ol_maxpages,
		    __ATOMIC_RELAXED);
	if (dflp != NULL)
		*dflp = tm->tm_size_default;
	return __atomic_load_n(&tm->tm_pages.ol_pages, __ATOMIC_RELAXED);
}
