/*
 * Open files and fd tables (file.h).  The console file is tty.c's.
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <vm/kmem.h>

struct file *
file_alloc(int type, int flag, const struct fileops *ops, void *data)
{
	struct file *fp = file_alloc_with(type, flag, ops, 0);

	if (fp != NULL)
		fp->f_data = data;
	return fp;
}

struct file *
file_alloc_with(int type, int flag, const struct fileops *ops, size_t datalen)
{
	struct file *fp = kmalloc(sizeof(*fp) + datalen, KM_ZERO);

	CTASSERT(sizeof(struct file) % sizeof(uint64_t) == 0);
	if (fp == NULL)
		return NULL;
	fp->f_refcnt = 1;
	fp->f_type = type;
	fp->f_flag = flag;
	fp->f_ops = ops;
	fp->f_data = datalen != 0 ? fp + 1 : NULL;
	mutex_init(&fp->f_pos_lock, "file_pos");
	return fp;
}

/* True if fp has an offset that calls move.  No requirements. */
static bool
file_has_offset(const struct file *fp)
{
	return fp->f_type == DTYPE_INODE || fp->f_type == DTYPE_MEMFD;
}

void
file_pos_lock(struct file *fp)
{
	if (file_has_offset(fp))
		mutex_lock(&fp->f_pos_lock);
}

void
file_pos_unlock(struct file *fp)
{
	if (file_has_offset(fp))
		mutex_unlock(&fp->f_pos_lock);
}

void
file_hold(struct file *fp)
{
	__atomic_add_fetch(&fp->f_refcnt, 1, __ATOMIC_RELAXED);
}

void
file_rele(struct file *fp)
{
	KASSERT(fp->f_refcnt > 0);
	if (__atomic_sub_fetch(&fp->f_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* No lock: nobody else can reach fp, so f_flock cannot change. */
	if (fp->f_flock != 0)
		flock_release(fp);
	if (fp->f_ops->fo_close != NULL)
		fp->f_ops->fo_close(fp);
	kfree(fp);
}

/*
 * Slots at or above fd_lastfile are unused whatever they hold, so a new
 * table is not cleared: fd_grow_locked clears slots as they come into use.
 */
struct filedesc *
fd_init(void)
{
	struct filedesc *fdp = kmalloc(sizeof(*fdp), 0);

	if (fdp == NULL)
		return NULL;
	fdp->fd_refcnt = 1;
	fdp->fd_lastfile = 0;
	memset(fdp->fd_cloexec, 0, sizeof(fdp->fd_cloexec));
	spinlock_init(&fdp->fd_lock, "filedesc");
	return fdp;
}

/*
 * Bring the slots up to fd into use (empty, not close-on-exec).  The
 * caller must hold fdp->fd_lock.
 */
static void
fd_grow_locked(struct filedesc *fdp, int fd)
{
	KASSERT(spin_held(&fdp->fd_lock));
	while (fdp->fd_lastfile <= fd) {
		fdp->fd_ofiles[fdp->fd_lastfile] = NULL;
		fdp->fd_cloexec[fdp->fd_lastfile / 64] &=
		    ~(1UL << (fdp->fd_lastfile % 64));
		fdp->fd_lastfile++;
	}
}

struct filedesc *
fd_copy(struct filedesc *fdp)
{
	struct filedesc *n = fd_init();

	if (n == NULL)
		return NULL;
	spin_lock(&fdp->fd_lock);
	for (int fd = 0; fd < fdp->fd_lastfile; fd++) {
		if ((n->fd_ofiles[fd] = fdp->fd_ofiles[fd]) != NULL)
			file_hold(n->fd_ofiles[fd]);
	}
	n->fd_lastfile = fdp->fd_lastfile;
	memcpy(n->fd_cloexec, fdp->fd_cloexec, sizeof(n->fd_cloexec));
	spin_unlock(&fdp->fd_lock);
	return n;
}

void
fd_share(struct filedesc *fdp)
{
	__atomic_add_fetch(&fdp->fd_refcnt, 1, __ATOMIC_RELAXED);
}

void
fd_free(struct filedesc *fdp)
{
	KASSERT(fdp->fd_refcnt > 0);
	if (__atomic_sub_fetch(&fdp->fd_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int fd = 0; fd < fdp->fd_lastfile; fd++)
		if (fdp->fd_ofiles[fd] != NULL)
			file_rele(fdp->fd_ofiles[fd]);
	kfree(fdp);
}

struct file *
fd_getfile(int fd)
{
	struct file *fp = fd_getfile_raw(fd);

	if (fp != NULL && (fp->f_flag & FPATH)) {
		file_rele(fp);
		return NULL;
	}
	return fp;
}

struct file *
fd_getfile_raw(int fd)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *fp;

	if (fd < 0 || fd >= NOFILE)
		return NULL;
	spin_lock(&fdp->fd_lock);
	fp = fd < fdp->fd_lastfile ? fdp->fd_ofiles[fd] : NULL;
	if (fp != NULL)
		file_hold(fp);
	spin_unlock(&fdp->fd_lock);
	return fp;
}

/*
 * Set or clear fd's close-on-exec flag; fd is a slot in use.  The caller
 * must hold fdp->fd_lock.
 */
static inline void
fd_set_cloexec_locked(struct filedesc *fdp, int fd, bool on)
{
	KASSERT(spin_held(&fdp->fd_lock));
	if (on)
		fdp->fd_cloexec[fd / 64] |= 1UL << (fd % 64);
	else
		fdp->fd_cloexec[fd / 64] &= ~(1UL << (fd % 64));
}

/*
 * The calling process's RLIMIT_NOFILE, at most NOFILE: fds from here on
 * cannot be allocated.  No requirements.
 */
static int
fd_limit(void)
{
	uint64_t lim = rlimit_cur(curproc, RLIMIT_NOFILE);

	return lim < NOFILE ? (int)lim : NOFILE;
}

int
fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec)
{
	int lim = fd_limit();

	spin_lock(&fdp->fd_lock);
	for (int fd = minfd; fd < lim; fd++) {
		if (fd >= fdp->fd_lastfile || fdp->fd_ofiles[fd] == NULL) {
			fd_grow_locked(fdp, fd);
			fdp->fd_ofiles[fd] = fp;
			fd_set_cloexec_locked(fdp, fd, cloexec);
			spin_unlock(&fdp->fd_lock);
			return fd;
		}
	}
	spin_unlock(&fdp->fd_lock);
	return -EMFILE;
}

bool
fd_available(struct filedesc *fdp)
{
	int lim = fd_limit();
	bool found = false;

	spin_lock(&fdp->fd_lock);
	for (int fd = 0; fd < lim && !found; fd++)
		found = fd >= fdp->fd_lastfile || fdp->fd_ofiles[fd] == NULL;
	spin_unlock(&fdp->fd_lock);
	return found;
}

int
fd_close(struct filedesc *fdp, int fd)
{
	struct file *fp;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&fdp->fd_lock);
	if (fd >= fdp->fd_lastfile) {
		spin_unlock(&fdp->fd_lock);
		return -EBADF;
	}
	fp = fdp->fd_ofiles[fd];
	fdp->fd_ofiles[fd] = NULL;
	fd_set_cloexec_locked(fdp, fd, false);
	spin_unlock(&fdp->fd_lock);
	if (fp == NULL)
		return -EBADF;
	file_rele(fp);
	return 0;
}

/* What fd_sweep does to each open fd of its range. */
enum fd_sweep_how {
	FD_SWEEP_CLOSE,   /* close it */
	FD_SWEEP_CLOEXEC, /* close it if marked close-on-exec */
	FD_SWEEP_MARK,    /* mark it close-on-exec */
};

/*
 * Apply how to the open fds from first to last.  Each slot is tested
 * and emptied in one fd_lock section, so a file another process sharing
 * the table puts in a slot meanwhile is never closed by mistake; the
 * files are released with the lock dropped.  No locks held.
 */
static void
fd_sweep(struct filedesc *fdp, unsigned first, unsigned last,
    enum fd_sweep_how how)
{
	struct file *fp;
	bool take;

	for (unsigned fd = first; fd <= last && fd < NOFILE; fd++) {
		spin_lock(&fdp->fd_lock);
		if (fd >= (unsigned)fdp->fd_lastfile) {
			spin_unlock(&fdp->fd_lock);
			return;
		}
		fp = fdp->fd_ofiles[fd];
		take = fp != NULL &&
		    (how == FD_SWEEP_CLOSE ||
			(how == FD_SWEEP_CLOEXEC &&
			    (fdp->fd_cloexec[fd / 64] & (1UL << (fd % 64)))));
		if (take) {
			fdp->fd_ofiles[fd] = NULL;
			fd_set_cloexec_locked(fdp, fd, false);
		} else if (fp != NULL && how == FD_SWEEP_MARK) {
			fd_set_cloexec_locked(fdp, fd, true);
		}
		spin_unlock(&fdp->fd_lock);
		if (take)
			file_rele(fp);
	}
}

void
fd_closeexec(struct filedesc *fdp)
{
	fd_sweep(fdp, 0, NOFILE - 1, FD_SWEEP_CLOEXEC);
}

void
fd_unalloc(struct filedesc *fdp, int fd, struct file *fp)
{
	bool ours;

	KASSERT(fd >= 0 && fd < NOFILE);
	spin_lock(&fdp->fd_lock);
	ours = fd < fdp->fd_lastfile && fdp->fd_ofiles[fd] == fp;
	if (ours) {
		fdp->fd_ofiles[fd] = NULL;
		fd_set_cloexec_locked(fdp, fd, false);
	}
	spin_unlock(&fdp->fd_lock);
	if (ours)
		file_rele(fp);
}

int
fd_dup2(struct filedesc *fdp, int oldfd, int newfd)
{
	if (oldfd == newfd) {
		struct file *fp = fd_getfile_raw(oldfd);

		if (fp == NULL)
			return -EBADF;
		file_rele(fp);
		return newfd;
	}
	return fd_dup3(fdp, oldfd, newfd, false);
}

int
fd_get_cloexec(struct filedesc *fdp, int fd)
{
	int rv;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&fdp->fd_lock);
	if (fd >= fdp->fd_lastfile || fdp->fd_ofiles[fd] == NULL)
		rv = -EBADF;
	else
		rv = (fdp->fd_cloexec[fd / 64] >> (fd % 64)) & 1;
	spin_unlock(&fdp->fd_lock);
	return rv;
}

int
fd_set_cloexec(struct filedesc *fdp, int fd, bool on)
{
	int rv = 0;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&fdp->fd_lock);
	if (fd >= fdp->fd_lastfile || fdp->fd_ofiles[fd] == NULL)
		rv = -EBADF;
	else
		fd_set_cloexec_locked(fdp, fd, on);
	spin_unlock(&fdp->fd_lock);
	return rv;
}

void
fd_close_range(struct filedesc *fdp, unsigned first, unsigned last,
    bool cloexec)
{
	fd_sweep(fdp, first, last, cloexec ? FD_SWEEP_MARK : FD_SWEEP_CLOSE);
}

int
file_status_flags(const struct file *fp)
{
	return __atomic_load_n(&fp->f_flag, __ATOMIC_RELAXED) &
	    (FNONBLOCK | FAPPEND);
}

void
file_set_status_flags(struct file *fp, int flags)
{
	int old = __atomic_load_n(&fp->f_flag, __ATOMIC_RELAXED), new;

	do {
		new = (old & ~(FNONBLOCK | FAPPEND)) |
		    (flags & (FNONBLOCK | FAPPEND));
	} while (!__atomic_compare_exchange_n(&fp->f_flag, &old, new, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

int
fd_dup3(struct filedesc *fdp, int oldfd, int newfd, bool cloexec)
{
	struct file *fp, *old;

	if (oldfd < 0 || oldfd >= NOFILE || newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	spin_lock(&fdp->fd_lock);
	fp = oldfd < fdp->fd_lastfile ? fdp->fd_ofiles[oldfd] : NULL;
	if (fp == NULL) {
		spin_unlock(&fdp->fd_lock);
		return -EBADF;
	}
	file_hold(fp);
	fd_grow_locked(fdp, newfd);
	old = fdp->fd_ofiles[newfd];
	fdp->fd_ofiles[newfd] = fp;
	fd_set_cloexec_locked(fdp, newfd, cloexec);
	spin_unlock(&fdp->fd_lock);
	if (old != NULL)
		file_rele(old);
	return newfd;
}
