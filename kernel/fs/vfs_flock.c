/*
 * flock(2): BSD-style whole-file locks, as Linux's.
 *
 * A lock belongs to an open file description (struct file): every fd
 * that shares it (dup, fork) shares the lock, another open of the same
 * file is another owner, and the lock goes when LOCK_UN asks or the
 * description's last reference does (file_rele calls flock_release).
 * Locks are kept per object: the vnode of a vnode file, else the
 * object behind the file (a pipe's two ends share theirs), in a
 * struct flock_obj made at the first lock or wait on it and freed when
 * no lock holds it and nobody waits.
 *
 * Conversion (LOCK_SH to LOCK_EX and back) is not atomic, as in Linux:
 * the old lock is dropped first (waking the waiters), then the new one
 * is taken, so a LOCK_NB conversion that fails has lost the old lock.
 * A waiter sleeps interruptibly: a signal ends the call with
 * -ERESTARTSYS (restarted, or EINTR after a handler without
 * SA_RESTART, as Linux's flock).
 *
 * Locking.  flock_lock, a spinlock, guards every flock_obj, the hash
 * chains and every file's f_flock; nothing is taken under it, and no
 * user memory is touched with it held.
 *   (f)  flock_lock
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <spinlock.h>
#include <syscall.h>
#include <vnode.h>
#include <bsd/sys/queue.h>
#include <proc/sched.h>
#include <vm/kmem.h>

#include <linux/fcntl.h> /* LOCK_* */

#define FLOCK_HASH 64

/* The locks on one object. */
struct flock_obj {
	/* (f) */
	LIST_ENTRY(flock_obj) fo_link; /* in its hash chain */
	const void *fo_key;            /* the vnode, pipe, ... */
	struct file *fo_excl;          /* the LOCK_EX holder, or NULL */
	unsigned fo_nshared;           /* LOCK_SH holders */
	unsigned fo_nwait;             /* LWPs asleep on this object */
};

static struct spinlock flock_lock = SPINLOCK_INITIALIZER("flock");
static LIST_HEAD(, flock_obj) flock_hash[FLOCK_HASH];

/* The object whose locks fp's lock is among.  No requirements. */
static const void *
flock_key(struct file *fp)
{
	struct vnode *vp = file_vnode(fp);

	if (vp != NULL)
		return vp;
	return fp->f_data != NULL ? fp->f_data : (const void *)fp;
}

static unsigned
flock_bucket(const void *key)
{
	return ((uintptr_t)key >> 6) % FLOCK_HASH;
}

/* The flock_obj of key, or NULL.  flock_lock held. */
static struct flock_obj *
flock_find_locked(const void *key)
{
	struct flock_obj *fo;

	KASSERT(spin_held(&flock_lock));
	LIST_FOREACH(fo, &flock_hash[flock_bucket(key)], fo_link)
	if (fo->fo_key == key)
		return fo;
	return NULL;
}

/*
 * Drop fp's lock on fo (it holds one) and wake the waiters.  flock_lock
 * held.
 */
static void
flock_drop_locked(struct flock_obj *fo, struct file *fp)
{
	KASSERT(spin_held(&flock_lock));
	if (fp->f_flock == LOCK_EX) {
		KASSERT(fo->fo_excl == fp);
		fo->fo_excl = NULL;
	} else {
		KASSERT(fo->fo_nshared > 0);
		fo->fo_nshared--;
	}
	fp->f_flock = 0;
	if (fo->fo_nwait > 0)
		wakeup(fo);
}

/*
 * Unlink fo if nothing holds or waits on it; the caller frees what this
 * returns (non-NULL) after dropping flock_lock.  flock_lock held.
 */
static struct flock_obj *
flock_unused_locked(struct flock_obj *fo)
{
	KASSERT(spin_held(&flock_lock));
	if (fo->fo_excl != NULL || fo->fo_nshared > 0 || fo->fo_nwait > 0)
		return NULL;
	LIST_REMOVE(fo, fo_link);
	return fo;
}

void
flock_release(struct file *fp)
{
	struct flock_obj *fo, *dead = NULL;

	spin_lock(&flock_lock);
	if (fp->f_flock != 0) {
		fo = flock_find_locked(flock_key(fp));
		KASSERT(fo != NULL);
		flock_drop_locked(fo, fp);
		dead = flock_unused_locked(fo);
	}
	spin_unlock(&flock_lock);
	kfree(dead);
}

/* True if fp may take a lock of type how (LOCK_SH or LOCK_EX) on fo. */
static bool
flock_can_take_locked(struct flock_obj *fo, int how)
{
	KASSERT(spin_held(&flock_lock));
	if (fo->fo_excl != NULL)
		return false;
	return how == LOCK_SH || fo->fo_nshared == 0;
}

/*
 * Take a lock of type how on fp's object, waiting unless nowait.
 * Returns 0, -EWOULDBLOCK, -ERESTARTSYS or -ENOMEM.  No locks held.
 */
static int
flock_take(struct file *fp, int how, bool nowait)
{
	const void *key = flock_key(fp);
	struct flock_obj *fo, *spare, *dead = NULL;
	int error = 0;

	spare = kmalloc(sizeof(*spare), KM_ZERO);
	spin_lock(&flock_lock);
	if (fp->f_flock == how) {
		spin_unlock(&flock_lock);
		kfree(spare);
		return 0;
	}
	fo = flock_find_locked(key);
	if (fo != NULL && fp->f_flock != 0)
		flock_drop_locked(fo,
		    fp); /* a conversion: the old goes first */
	if (fo == NULL) {
		if (spare == NULL) {
			spin_unlock(&flock_lock);
			return -ENOMEM;
		}
		fo = spare;
		spare = NULL;
		fo->fo_key = key;
		LIST_INSERT_HEAD(&flock_hash[flock_bucket(key)], fo, fo_link);
	}
	while (!flock_can_take_locked(fo, how)) {
		if (nowait) {
			error = -EWOULDBLOCK;
			break;
		}
		fo->fo_nwait++;
		error = sleep(fo, &flock_lock, SLEEP_INTR, 0);
		fo->fo_nwait--;
		if (error != 0) {
			error = -ERESTARTSYS;
			break;
		}
	}
	if (error == 0) {
		if (how == LOCK_EX)
			fo->fo_excl = fp;
		else
			fo->fo_nshared++;
		fp->f_flock = how;
	} else {
		dead = flock_unused_locked(fo);
	}
	spin_unlock(&flock_lock);
	kfree(spare);
	kfree(dead);
	return error;
}

/*
 * flock(fd, operation): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not
 * to wait; LOCK_MAND is ignored (0), as Linux 6.1 does.  Runs with no
 * locks held.
 */
long
sys_flock(int fd, int op)
{
	struct file *fp = fd_getfile(fd);
	int how = op & ~LOCK_NB;
	long rv;

	if (fp == NULL)
		return -EBADF;
	if (op & LOCK_MAND) {
		rv = 0;
	} else if (how == LOCK_UN) {
		flock_release(fp);
		rv = 0;
	} else if (how == LOCK_SH || how == LOCK_EX) {
		rv = flock_take(fp, how, (op & LOCK_NB) != 0);
	} else {
		rv = -EINVAL;
	}
	file_rele(fp);
	return rv;
}
