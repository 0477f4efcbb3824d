/*
 * Host unit test of path lookup (namei in kernel/fs/vfs.c) and tmpfs's
 * directory code (kernel/fs/tmpfs.c: the name and cookie trees, readdir,
 * rename), built unchanged for the host with tests/host/vfs_host.h and
 * vfs_host.c (mutex, copyin/copyout, clock), kmem_host.c (kmalloc over
 * malloc, with failures on demand) and vm_page_host.c (pages).
 *
 * Everything goes through the vnode operations and namei_locked, with
 * vfs_lock held as the kernel holds it.  Checked: ".", "..", trailing
 * slashes, the empty path, ENOTDIR in the middle, symbolic links
 * (relative, absolute, in the middle, dangling, 40 followed and the 41st
 * ELOOP), ENAMETOOLONG for a 256-byte component, the current directory,
 * 10,000 names made, found, listed and removed, readdir cookies across
 * removals, additions and renames, rename's cases and errors, removal
 * while referenced, and allocation failures.  Every test ends with the
 * kmalloc objects, pages and vnode references it started with.
 */
/* Not <stdlib.h>: its <sys/types.h> clashes with the kernel's headers. */
#include <stdio.h>
#include <string.h>

#include <types.h>
#include <errno.h>
#include <stat.h>
#include <vnode.h>
#include <proc/proc.h>

#include <linux/fs.h> /* RENAME_NOREPLACE */

#include "tap.h"

/* tests/host/kmem_host.c */
extern long kmem_host_fail_after, kmem_host_nalloc, kmem_host_live;

/* tests/host/vm_page_host.c */
void vm_page_host_init(uint64_t npages);
uint64_t vm_page_free_count(void);

static struct lwp test_lwp;
static struct proc test_proc;

/* ------------------------------------------------------------------
 * Helpers.  All run with vfs_lock held.
 */

/*
 * Look path up from start (NULL: the current directory); the vnode, with
 * a reference the caller drops, in *vpp.  0 or -errno.
 */
static int
look(struct vnode *start, const char *path, int flags, struct vnode **vpp)
{
	struct nameidata nd;
	int error = namei_locked(start, path, flags, &nd);

	if (error != 0)
		return error;
	*vpp = nd.nd_vp;
	nd.nd_vp = NULL;
	namei_done_locked(&nd);
	return 0;
}

/* The inode number of the vnode path names (following links), or -errno. */
static long
ino_of(const char *path)
{
	struct vnode *vp;
	struct stat st;
	int error = look(NULL, path, NAMEI_FOLLOW, &vp);

	if (error != 0)
		return error;
	memset(&st, 0, sizeof(st));
	vp->v_op->vop_getattr(vp, &st);
	vnode_rel_locked(vp);
	return (long)st.st_ino;
}

/* The stat of the vnode path names, without following a last link. */
static int
lstat_of(const char *path, struct stat *st)
{
	struct vnode *vp;
	int error = look(NULL, path, 0, &vp);

	if (error != 0)
		return error;
	memset(st, 0, sizeof(*st));
	vp->v_op->vop_getattr(vp, st);
	vnode_rel_locked(vp);
	return 0;
}

enum kind {
	REG,
	DIR,
	LNK
};

/*
 * Make path (a file, a directory, or a link to target) as the syscalls
 * do: the parent's lookup, then the operation.  0 or -errno.
 */
static int
make(const char *path, enum kind kind, const char *target)
{
	struct nameidata nd;
	struct vnode *vp = NULL;
	int error = namei_locked(NULL, path, NAMEI_PARENT, &nd);

	if (error != 0)
		return error;
	if (nd.nd_vp != NULL) {
		error = -EEXIST;
	} else if (kind == REG) {
		error = nd.nd_dvp->v_op->vop_create(nd.nd_dvp, nd.nd_name,
		    nd.nd_len, 0644, &vp);
	} else if (kind == DIR) {
		error = nd.nd_dvp->v_op->vop_mkdir(nd.nd_dvp, nd.nd_name,
		    nd.nd_len, 0755, &vp);
	} else {
		error = nd.nd_dvp->v_op->vop_symlink(nd.nd_dvp, nd.nd_name,
		    nd.nd_len, target, &vp);
	}
	if (vp != NULL)
		vnode_rel_locked(vp);
	namei_done_locked(&nd);
	return error;
}

/* unlink (dir false) or rmdir (dir true) of path's last name. */
static int
remove_name(const char *path, bool dir)
{
	struct nameidata nd;
	int error = namei_locked(NULL, path, NAMEI_PARENT, &nd);

	if (error != 0)
		return error;
	error = dir ?
	    nd.nd_dvp->v_op->vop_rmdir(nd.nd_dvp, nd.nd_name, nd.nd_len) :
	    nd.nd_dvp->v_op->vop_unlink(nd.nd_dvp, nd.nd_name, nd.nd_len);
	namei_done_locked(&nd);
	return error;
}

/* rename(from, to) with flags, through both parents' lookups. */
static int
rename_path(const char *from, const char *to, unsigned flags)
{
	struct nameidata fnd, tnd;
	int error = namei_locked(NULL, from, NAMEI_PARENT, &fnd);

	if (error != 0)
		return error;
	error = namei_locked(NULL, to, NAMEI_PARENT, &tnd);
	if (error != 0) {
		namei_done_locked(&fnd);
		return error;
	}
	error = fnd.nd_dvp->v_op->vop_rename(fnd.nd_dvp, fnd.nd_name,
	    fnd.nd_len, tnd.nd_dvp, tnd.nd_name, tnd.nd_len, flags);
	namei_done_locked(&tnd);
	namei_done_locked(&fnd);
	return error;
}

/* Where a test started: what must come back at its end. */
struct mark {
	long live;
	uint64_t free_pages;
	int root_refs;
};

static struct mark
mark(void)
{
	return (struct mark) { kmem_host_live, vm_page_free_count(),
		rootvnode->v_usecount };
}

static void
check_mark(const struct mark *m, const char *what)
{
	TAP_OK(kmem_host_live == m->live &&
		vm_page_free_count() == m->free_pages &&
		rootvnode->v_usecount == m->root_refs,
	    "%s: kmalloc objects %ld (were %ld), free pages %lu (were %lu), "
	    "root references %d (were %d)",
	    what, kmem_host_live, m->live, (unsigned long)vm_page_free_count(),
	    (unsigned long)m->free_pages, rootvnode->v_usecount, m->root_refs);
}

/* ------------------------------------------------------------------
 * The tests.
 */

static void
test_dots(void)
{
	struct mark m = mark();
	struct vnode *a, *b, *vp;
	long root_ino = ino_of("/");

	TAP_OK(make("/d", DIR, NULL) == 0 && make("/d/e", DIR, NULL) == 0,
	    "mkdir /d and /d/e");
	look(NULL, "/d", 0, &a);
	look(NULL, "/d/e", 0, &b);
	TAP_OK(look(NULL, "/d/e/..", 0, &vp) == 0 && vp == a, "/d/e/.. is /d");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/d/./e/.", 0, &vp) == 0 && vp == b,
	    "/d/./e/. is /d/e");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/..", 0, &vp) == 0 && vp == rootvnode, "/.. is /");
	vnode_rel_locked(vp);
	TAP_OK(ino_of("/d/e/../../../..") == root_ino, "/d/e/../../../.. is /");
	TAP_OK(look(b, "..", 0, &vp) == 0 && vp == a, ".. from /d/e is /d");
	vnode_rel_locked(vp);
	TAP_OK(look(b, ".", 0, &vp) == 0 && vp == b, ". from /d/e is /d/e");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/", 0, &vp) == 0 && vp == rootvnode,
	    "/ is the root");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "///", 0, &vp) == 0 && vp == rootvnode,
	    "/// is the root");
	vnode_rel_locked(vp);
	TAP_OK(make("/d/.", DIR, NULL) == -EEXIST, "mkdir /d/. is EEXIST");
	vnode_rel_locked(a);
	vnode_rel_locked(b);
	TAP_OK(remove_name("/d/e", true) == 0 && remove_name("/d", true) == 0,
	    "rmdir /d/e and /d");
	check_mark(&m, "dots");
}

static void
test_slashes_and_errors(void)
{
	struct mark m = mark();
	struct nameidata nd;
	struct vnode *vp;
	char name[300];

	make("/s", DIR, NULL);
	make("/s/f", REG, NULL);
	TAP_OK(look(NULL, "/s/", 0, &vp) == 0 && vp->v_type == VDIR,
	    "/s/ is a directory");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/s//f", 0, &vp) == 0 && vp->v_type == VREG,
	    "/s//f is the file");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/s/f/", 0, &vp) == -ENOTDIR, "/s/f/ is ENOTDIR");
	TAP_OK(look(NULL, "/s/f/.", 0, &vp) == -ENOTDIR, "/s/f/. is ENOTDIR");
	TAP_OK(look(NULL, "/s/f/x/y", 0, &vp) == -ENOTDIR,
	    "a file in the middle is ENOTDIR");
	TAP_OK(look(NULL, "/s/none/x", 0, &vp) == -ENOENT,
	    "a missing directory in the middle is ENOENT");
	TAP_OK(look(NULL, "/s/none", 0, &vp) == -ENOENT,
	    "a missing last name is ENOENT");
	TAP_OK(look(NULL, "", 0, &vp) == -ENOENT, "the empty path is ENOENT");
	TAP_OK(look(rootvnode, "", NAMEI_EMPTY, &vp) == 0 && vp == rootvnode,
	    "the empty path with NAMEI_EMPTY is the start");
	vnode_rel_locked(vp);

	/* The parent and the last name, with and without a trailing '/'. */
	TAP_OK(namei_locked(NULL, "/s/new/", NAMEI_PARENT, &nd) == 0 &&
		nd.nd_vp == NULL && nd.nd_trailing && nd.nd_len == 3 &&
		memcmp(nd.nd_name, "new", 3) == 0,
	    "NAMEI_PARENT of /s/new/: no vnode, name \"new\", trailing");
	namei_done_locked(&nd);
	TAP_OK(namei_locked(NULL, "/s/f", NAMEI_PARENT, &nd) == 0 &&
		nd.nd_vp != NULL && !nd.nd_trailing && nd.nd_len == 1,
	    "NAMEI_PARENT of /s/f: the file, no trailing slash");
	namei_done_locked(&nd);
	TAP_OK(namei_locked(NULL, "/", NAMEI_PARENT, &nd) == 0 &&
		nd.nd_dvp == rootvnode && nd.nd_vp == rootvnode,
	    "NAMEI_PARENT of /: the root, as \".\"");
	namei_done_locked(&nd);

	/* Lengths: 255 bytes is a name, 256 is too long. */
	memset(name, 0, sizeof(name));
	name[0] = '/';
	memset(name + 1, 'n', 255);
	TAP_OK(look(NULL, name, 0, &vp) == -ENOENT,
	    "a 255-byte name is looked up (ENOENT)");
	TAP_OK(make(name, REG, NULL) == 0 && remove_name(name, false) == 0,
	    "a 255-byte name is made and removed");
	name[256] = 'n';
	TAP_OK(look(NULL, name, 0, &vp) == -ENAMETOOLONG,
	    "a 256-byte name is ENAMETOOLONG");
	TAP_OK(make(name, REG, NULL) == -ENAMETOOLONG,
	    "making a 256-byte name is ENAMETOOLONG");
	snprintf(name, sizeof(name), "/s/%0256d/f", 0);
	TAP_OK(look(NULL, name, 0, &vp) == -ENAMETOOLONG,
	    "a 256-byte name in the middle is ENAMETOOLONG");

	remove_name("/s/f", false);
	remove_name("/s", true);
	check_mark(&m, "slashes and errors");
}

static void
test_symlinks(void)
{
	struct mark m = mark();
	struct vnode *vp, *f;
	struct nameidata nd;
	char name[16], target[16];
	int error;

	make("/y", DIR, NULL);
	make("/y/d", DIR, NULL);
	make("/y/d/f", REG, NULL);
	look(NULL, "/y/d/f", 0, &f);
	make("/y/rel", LNK, "d/f");
	make("/y/abs", LNK, "/y/d/f");
	make("/y/dl", LNK, "d");
	make("/y/d/up", LNK, "../d/f");
	make("/y/dangling", LNK, "nowhere");
	make("/y/empty", LNK, "");

	TAP_OK(look(NULL, "/y/rel", NAMEI_FOLLOW, &vp) == 0 && vp == f,
	    "a relative link, followed, is its target");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/rel", 0, &vp) == 0 && vp->v_type == VLNK,
	    "not followed, the link itself");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/abs", NAMEI_FOLLOW, &vp) == 0 && vp == f,
	    "an absolute link is its target");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/dl/f", 0, &vp) == 0 && vp == f,
	    "a link in the middle is always followed");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/dl/", 0, &vp) == 0 && vp->v_type == VDIR,
	    "a link with a trailing slash is followed");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/dl/up", NAMEI_FOLLOW, &vp) == 0 && vp == f,
	    "a relative target is taken from the link's own directory");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/dl/..", 0, &vp) == 0 && vp->v_type == VDIR &&
		ino_of("/y") > 0,
	    "\"..\" after a link to a directory is that directory's parent");
	{
		struct vnode *y;

		look(NULL, "/y", 0, &y);
		TAP_OK(vp == y, "... which is /y");
		vnode_rel_locked(y);
	}
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/dangling", NAMEI_FOLLOW, &vp) == -ENOENT,
	    "a dangling link is ENOENT");
	TAP_OK(look(NULL, "/y/empty", NAMEI_FOLLOW, &vp) == -ENOENT,
	    "an empty target is ENOENT");

	/* O_CREAT's lookup through a dangling link names its target. */
	TAP_OK(namei_locked(NULL, "/y/dangling", NAMEI_PARENT | NAMEI_FOLLOW,
		   &nd) == 0 &&
		nd.nd_vp == NULL && nd.nd_len == 7 &&
		memcmp(nd.nd_name, "nowhere", 7) == 0,
	    "NAMEI_PARENT | NAMEI_FOLLOW of a dangling link: its target");
	namei_done_locked(&nd);

	/* Loops. */
	make("/y/self", LNK, "self");
	make("/y/l1", LNK, "l2");
	make("/y/l2", LNK, "l1");
	TAP_OK(look(NULL, "/y/self", NAMEI_FOLLOW, &vp) == -ELOOP,
	    "a link to itself is ELOOP");
	TAP_OK(look(NULL, "/y/l1", NAMEI_FOLLOW, &vp) == -ELOOP,
	    "a loop of two is ELOOP");
	TAP_OK(look(NULL, "/y/self/x", 0, &vp) == -ELOOP,
	    "a loop in the middle is ELOOP");
	TAP_OK(look(NULL, "/y/self", 0, &vp) == 0 && vp->v_type == VLNK,
	    "a looping link not followed is found");
	vnode_rel_locked(vp);

	/* 40 links are followed; the 41st is ELOOP. */
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "/y/c%d", i);
		snprintf(target, sizeof(target), i == 0 ? "d/f" : "c%d", i - 1);
		make(name, LNK, target);
	}
	TAP_OK(look(NULL, "/y/c39", NAMEI_FOLLOW, &vp) == 0 && vp == f,
	    "a chain of 40 links resolves");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/c40", NAMEI_FOLLOW, &vp) == -ELOOP,
	    "a chain of 41 links is ELOOP");
	TAP_OK(look(NULL, "/y/c40", 0, &vp) == 0 && vp->v_type == VLNK,
	    "the 41st link itself is found");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/y/c39/", 0, &vp) == -ENOTDIR,
	    "a chain to a file with a trailing slash is ENOTDIR");

	/* No memory for a link's target: ENOMEM, nothing held. */
	kmem_host_fail_after = 0;
	error = look(NULL, "/y/abs", NAMEI_FOLLOW, &vp);
	kmem_host_fail_after = -1;
	TAP_OK(error == -ENOMEM, "no memory to follow a link: ENOMEM (%d)",
	    error);

	vnode_rel_locked(f);
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "/y/c%d", i);
		remove_name(name, false);
	}
	const char *links[] = { "/y/rel", "/y/abs", "/y/dl", "/y/d/up",
		"/y/dangling", "/y/empty", "/y/self", "/y/l1", "/y/l2",
		"/y/d/f" };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		remove_name(links[i], false);
	TAP_OK(remove_name("/y/d", true) == 0 && remove_name("/y", true) == 0,
	    "everything removed");
	check_mark(&m, "symlinks");
}

static void
test_cwd(void)
{
	struct mark m = mark();
	struct vnode *d, *vp;

	make("/w", DIR, NULL);
	make("/w/x", DIR, NULL);
	make("/w/x/f", REG, NULL);
	look(NULL, "/w/x", 0, &d);
	test_proc.p_cwd = d; /* the reference passes to the process */
	TAP_OK(look(NULL, "f", 0, &vp) == 0 && vp->v_type == VREG,
	    "a relative path starts at the current directory");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "../x/./f", 0, &vp) == 0 && vp->v_type == VREG,
	    "../x/./f from it");
	vnode_rel_locked(vp);
	TAP_OK(look(NULL, "/w", 0, &vp) == 0 && d->v_parent == vp,
	    "an absolute path ignores it");
	vnode_rel_locked(vp);
	TAP_OK(make("g", REG, NULL) == 0 && look(NULL, "/w/x/g", 0, &vp) == 0,
	    "a relative make lands there");
	vnode_rel_locked(vp);

	/* The current directory removed: ".." is itself, nothing can be made. */
	remove_name("/w/x/f", false);
	remove_name("/w/x/g", false);
	TAP_OK(remove_name("/w/x", true) == 0, "rmdir the current directory");
	TAP_OK(look(NULL, "..", 0, &vp) == 0 && vp == d,
	    "\"..\" of a removed directory is itself");
	vnode_rel_locked(vp);
	TAP_OK(make("new", REG, NULL) == -ENOENT,
	    "making a name in a removed directory is ENOENT");
	TAP_OK(make("newdir", DIR, NULL) == -ENOENT, "mkdir there is ENOENT");
	test_proc.p_cwd = NULL;
	vnode_rel_locked(d); /* the last reference frees it */
	remove_name("/w", true);
	check_mark(&m, "current directory");
}

/* Read dvp from *cookie on: up to max names into seen[] (by number). */
static int
list_some(struct vnode *dvp, off_t *cookie, int max, unsigned char *seen,
    int nseen, int *dups, int *dots)
{
	char name[NAME_MAX + 1];
	uint64_t ino;
	uint8_t dtype;
	int n = 0;

	while (n < max &&
	    dvp->v_op->vop_readdir(dvp, cookie, name, &ino, &dtype) == 1) {
		n++;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			(*dots)++;
			continue;
		}
		int i = 0;

		for (const char *p = name + 1; *p >= '0' && *p <= '9'; p++)
			i = i * 10 + (*p - '0');

		if (i < 0 || i >= nseen || seen[i])
			(*dups)++;
		else
			seen[i] = 1;
	}
	return n;
}

static void
test_many_names(void)
{
	enum {
		N = 10000
	};
	static unsigned char seen[N];
	struct mark m = mark();
	struct vnode *dvp, *vp;
	struct stat st;
	char path[64];
	int bad = 0, dups = 0, dots = 0, n;
	off_t cookie = 0;

	make("/big", DIR, NULL);
	look(NULL, "/big", 0, &dvp);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/f%d", i);
		bad += make(path, REG, NULL) != 0;
	}
	TAP_OK(bad == 0, "10,000 names made (%d failed)", bad);
	memset(&st, 0, sizeof(st));
	dvp->v_op->vop_getattr(dvp, &st);
	TAP_OK(st.st_nlink == 2 && st.st_size == (N + 2) * 20,
	    "the directory: 2 links, size %ld", (long)st.st_size);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/f%d", i);
		if (look(NULL, path, 0, &vp) != 0) {
			bad++;
			continue;
		}
		vnode_rel_locked(vp);
	}
	TAP_OK(bad == 0, "each is found (%d not)", bad);
	TAP_OK(make("/big/f1234", REG, NULL) == -EEXIST,
	    "a name made twice is EEXIST");
	memset(seen, 0, sizeof(seen));
	n = list_some(dvp, &cookie, N + 10, seen, N, &dups, &dots);
	for (int i = 0; i < N; i++)
		bad += !seen[i];
	TAP_OK(n == N + 2 && dups == 0 && dots == 2 && bad == 0,
	    "readdir lists . and .. and every name once (%d entries, %d "
	    "twice, %d missing)",
	    n, dups, bad);
	for (int i = 0; i < N; i += 2) {
		snprintf(path, sizeof(path), "/big/f%d", i);
		bad += remove_name(path, false) != 0;
	}
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/f%d", i);
		if (look(NULL, path, 0, &vp) == 0) {
			bad += i % 2 == 0;
			vnode_rel_locked(vp);
		} else {
			bad += i % 2 == 1;
		}
	}
	TAP_OK(bad == 0, "the even half removed, the odd half found (%d wrong)",
	    bad);
	TAP_OK(remove_name("/big", true) == -ENOTEMPTY,
	    "rmdir of a non-empty directory is ENOTEMPTY");
	for (int i = 1; i < N; i += 2) {
		snprintf(path, sizeof(path), "/big/f%d", i);
		bad += remove_name(path, false) != 0;
	}
	TAP_OK(bad == 0 && remove_name("/big/f1", false) == -ENOENT,
	    "all removed; a second unlink is ENOENT");
	cookie = 0;
	dups = dots = 0;
	n = list_some(dvp, &cookie, 10, seen, N, &dups, &dots);
	TAP_OK(n == 2 && dots == 2, "an emptied directory lists . and ..");
	vnode_rel_locked(dvp);
	TAP_OK(remove_name("/big", true) == 0, "rmdir");
	check_mark(&m, "10,000 names");
}

/*
 * A listing goes on from its cookie whatever happens between its calls:
 * entries removed (among them the one returned last, and ones not yet
 * listed), added and renamed.  No entry is listed twice; every entry
 * present from start to end is listed; removed ones not yet reached are
 * not.
 */
static void
test_cookies(void)
{
	enum {
		N = 300
	};
	static unsigned char seen[N + 100];
	struct mark m = mark();
	struct vnode *dvp;
	char path[NAME_MAX + 8], name[NAME_MAX + 1];
	int dups = 0, dots = 0, missing = 0, extra = 0;
	off_t cookie = 0, last_cookie;
	uint64_t ino;
	uint8_t dtype;

	make("/ck", DIR, NULL);
	look(NULL, "/ck", 0, &dvp);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/ck/f%d", i);
		make(path, REG, NULL);
	}
	memset(seen, 0, sizeof(seen));
	list_some(dvp, &cookie, 102, seen, N + 100, &dups, &dots);
	/* f0..f99 listed.  Remove the last one listed and some others. */
	remove_name("/ck/f99", false);
	for (int i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/ck/f%d", i);
		remove_name(path, false);
	}
	for (int i = 200; i < 250; i++) {
		snprintf(path, sizeof(path), "/ck/f%d", i);
		remove_name(path, false);
	}
	/* Rename one not yet listed to a new name; add new ones. */
	rename_path("/ck/f250", "/ck/f350", 0);
	for (int i = 300; i < 310; i++) {
		snprintf(path, sizeof(path), "/ck/f%d", i);
		make(path, REG, NULL);
	}
	list_some(dvp, &cookie, 60, seen, N + 100, &dups, &dots);
	/* Remove the one listed last again, then go on to the end. */
	last_cookie = cookie - 1;
	{
		off_t c = last_cookie;

		if (dvp->v_op->vop_readdir(dvp, &c, name, &ino, &dtype) == 1) {
			snprintf(path, sizeof(path), "/ck/%s", name);
			TAP_OK(remove_name(path, false) == 0,
			    "remove the entry listed last (%s)", name);
		}
	}
	list_some(dvp, &cookie, 1000, seen, N + 100, &dups, &dots);
	for (int i = 0; i < N + 100; i++) {
		bool kept = (i >= 50 && i < 99) || (i >= 100 && i < 200) ||
		    (i >= 251 && i < 300);
		bool gone = (i >= 200 && i < 250) || i == 250;

		if (kept && !seen[i])
			missing++;
		if (gone && seen[i])
			extra++;
	}
	TAP_OK(dups == 0 && dots == 2 && missing == 0 && extra == 0,
	    "across removals, renames and additions: %d twice, %d missing, "
	    "%d removed ones listed",
	    dups, missing, extra);
	TAP_OK(seen[350] && seen[300] && seen[309],
	    "names added or renamed meanwhile come at the end");

	/* A rewound listing and a cookie of a removed entry. */
	cookie = last_cookie;
	memset(seen, 0, sizeof(seen));
	dups = dots = 0;
	list_some(dvp, &cookie, 1000, seen, N + 100, &dups, &dots);
	TAP_OK(dups == 0 && seen[350],
	    "a listing from a removed entry's cookie goes on after it");
	cookie = 0;
	while (dvp->v_op->vop_readdir(dvp, &cookie, name, &ino, &dtype) == 1) {
		if (name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/ck/%s", name);
		remove_name(path, false);
	}
	vnode_rel_locked(dvp);
	TAP_OK(remove_name("/ck", true) == 0,
	    "removing each name as it is listed empties the directory");
	check_mark(&m, "readdir cookies");
}

static void
test_rename(void)
{
	struct mark m = mark();
	struct vnode *a, *b, *vp;
	struct stat st;
	int error;
	long ia;

	make("/r", DIR, NULL);
	make("/r/a", REG, NULL);
	make("/r/b", REG, NULL);
	make("/r/d1", DIR, NULL);
	make("/r/d2", DIR, NULL);
	make("/r/d1/in", REG, NULL);
	make("/r/full", DIR, NULL);
	make("/r/full/x", REG, NULL);
	ia = ino_of("/r/a");
	look(NULL, "/r/a", 0, &a);
	look(NULL, "/r/b", 0, &b);

	TAP_OK(rename_path("/r/a", "/r/b", 0) == 0, "rename a file over one");
	TAP_OK(ino_of("/r/b") == ia && ino_of("/r/a") == -ENOENT,
	    "b is a's file, a is gone");
	memset(&st, 0, sizeof(st));
	b->v_op->vop_getattr(b, &st);
	TAP_OK(st.st_nlink == 0, "the replaced file has no name but lives on");
	vnode_rel_locked(b); /* and now goes */
	TAP_OK(rename_path("/r/b", "/r/b", 0) == 0 && ino_of("/r/b") == ia,
	    "rename onto itself changes nothing");
	TAP_OK(rename_path("/r/b", "/r/b2", RENAME_NOREPLACE) == 0,
	    "RENAME_NOREPLACE to a free name");
	make("/r/c", REG, NULL);
	TAP_OK(rename_path("/r/b2", "/r/c", RENAME_NOREPLACE) == -EEXIST,
	    "RENAME_NOREPLACE over a name is EEXIST");
	TAP_OK(rename_path("/r/none", "/r/c", 0) == -ENOENT,
	    "rename of a missing name is ENOENT");

	/* Directories. */
	TAP_OK(rename_path("/r/d1", "/r/d2", 0) == 0,
	    "rename a directory over an empty one");
	TAP_OK(ino_of("/r/d2/in") > 0, "its contents came along");
	make("/r/d3", DIR, NULL);
	TAP_OK(rename_path("/r/d3", "/r/full", 0) == -ENOTEMPTY,
	    "over a non-empty directory: ENOTEMPTY");
	TAP_OK(rename_path("/r/c", "/r/d3", 0) == -EISDIR,
	    "a file over a directory: EISDIR");
	TAP_OK(rename_path("/r/d3", "/r/c", 0) == -ENOTDIR,
	    "a directory over a file: ENOTDIR");
	TAP_OK(rename_path("/r/d2", "/r/d2/sub", 0) == -EINVAL,
	    "a directory into itself: EINVAL");
	make("/r/d2/sub", DIR, NULL);
	TAP_OK(rename_path("/r/d2", "/r/d2/sub/deeper", 0) == -EINVAL,
	    "below itself: EINVAL");
	TAP_OK(rename_path("/r/d3", "/r/d2/sub/d3", 0) == 0,
	    "move a directory down");
	memset(&st, 0, sizeof(st));
	error = lstat_of("/r/d2/sub", &st);
	TAP_OK(error == 0 && st.st_nlink == 3,
	    "the new parent has a link more (%lu)", (unsigned long)st.st_nlink);
	TAP_OK(look(NULL, "/r/d2/sub/d3/..", 0, &vp) == 0 &&
		ino_of("/r/d2/sub") > 0,
	    "its \"..\" is the new parent");
	{
		struct vnode *sub;

		look(NULL, "/r/d2/sub", 0, &sub);
		TAP_OK(vp == sub, "... the same vnode");
		vnode_rel_locked(sub);
	}
	vnode_rel_locked(vp);
	TAP_OK(rename_path("/r/d2/sub/d3", "/r/d3", 0) == 0 &&
		lstat_of("/r/d2/sub", &st) == 0 && st.st_nlink == 2,
	    "and back up: the link count again");

	/* No memory for the new entry: nothing changes. */
	kmem_host_fail_after = 0;
	TAP_OK(rename_path("/r/c", "/r/c-renamed", 0) == -ENOSPC,
	    "no memory for the entry: ENOSPC");
	kmem_host_fail_after = -1;
	TAP_OK(ino_of("/r/c") > 0 && ino_of("/r/c-renamed") == -ENOENT,
	    "and the name stays");

	vnode_rel_locked(a);
	remove_name("/r/b2", false);
	remove_name("/r/c", false);
	remove_name("/r/d2/in", false);
	remove_name("/r/d2/sub", true);
	remove_name("/r/d2", true);
	remove_name("/r/d3", true);
	remove_name("/r/full/x", false);
	remove_name("/r/full", true);
	TAP_OK(remove_name("/r", true) == 0, "everything removed");
	check_mark(&m, "rename");
}

static void
test_links_and_failures(void)
{
	struct mark m = mark();
	struct nameidata nd;
	struct vnode *f, *vp;
	struct stat st;
	int error;

	make("/k", DIR, NULL);
	make("/k/f", REG, NULL);
	look(NULL, "/k/f", 0, &f);
	namei_locked(NULL, "/k/g", NAMEI_PARENT, &nd);
	TAP_OK(nd.nd_dvp->v_op->vop_link(nd.nd_dvp, nd.nd_name, nd.nd_len, f) ==
		0,
	    "link /k/g to /k/f");
	namei_done_locked(&nd);
	memset(&st, 0, sizeof(st));
	f->v_op->vop_getattr(f, &st);
	TAP_OK(st.st_nlink == 2 && ino_of("/k/g") == (long)st.st_ino,
	    "two links, one inode");
	remove_name("/k/f", false);
	remove_name("/k/g", false);
	memset(&st, 0, sizeof(st));
	f->v_op->vop_getattr(f, &st);
	TAP_OK(st.st_nlink == 0, "both names removed, the vnode is still held");
	namei_locked(NULL, "/k/h", NAMEI_PARENT, &nd);
	TAP_OK(nd.nd_dvp->v_op->vop_link(nd.nd_dvp, nd.nd_name, nd.nd_len, f) ==
		-ENOENT,
	    "linking a file without a name is ENOENT");
	namei_done_locked(&nd);
	vnode_rel_locked(f);
	TAP_OK(remove_name("/k/f", false) == -ENOENT, "the name is gone");
	make("/k/dd", DIR, NULL);
	TAP_OK(remove_name("/k/dd", false) == -EISDIR,
	    "unlink of a directory is EISDIR");
	make("/k/ff", REG, NULL);
	TAP_OK(remove_name("/k/ff", true) == -ENOTDIR,
	    "rmdir of a file is ENOTDIR");

	/* Allocation failures: the node, then the entry. */
	kmem_host_fail_after = 0;
	error = make("/k/nomem", REG, NULL);
	kmem_host_fail_after = 1;
	TAP_OK(error == -ENOSPC && make("/k/nomem2", DIR, NULL) == -ENOSPC,
	    "no memory for the node or the entry: ENOSPC");
	kmem_host_fail_after = -1;
	TAP_OK(look(NULL, "/k/nomem", 0, &vp) == -ENOENT &&
		look(NULL, "/k/nomem2", 0, &vp) == -ENOENT,
	    "and nothing was made");
	kmem_host_fail_after = 0;
	error = make("/k/lnk", LNK, "target");
	kmem_host_fail_after = -1;
	TAP_OK(error == -ENOSPC && look(NULL, "/k/lnk", 0, &vp) == -ENOENT,
	    "no memory for a link's target: ENOSPC, nothing made");

	remove_name("/k/dd", true);
	remove_name("/k/ff", false);
	TAP_OK(remove_name("/k", true) == 0, "everything removed");
	check_mark(&m, "links and failures");
}

int
main(void)
{
	printf("# test_vfs: namei and tmpfs's directories\n");
	/* tmpfs allows a node per two pages: room for the 10,000 names. */
	vm_page_host_init(24000);
	test_lwp.l_proc = &test_proc;
	vfs_host_curlwp = &test_lwp;
	vfs_init();
	mutex_lock(&vfs_lock);
	test_dots();
	test_slashes_and_errors();
	test_symlinks();
	test_cwd();
	test_many_names();
	test_cookies();
	test_rename();
	test_links_and_failures();
	mutex_unlock(&vfs_lock);
	return tap_done();
}
