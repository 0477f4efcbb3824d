/*
 * Open files and fd tables (file.h).  The console file is tty.c's.
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
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
file_anon_stat(struct file *fp, struct stat *st)
{
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_blksize = PAGE_SIZE;
	st->st_ino = (uint64_t)fp->f_data >> 4;
}

int
file_anon_open(int type, const struct fileops *ops, void *data, bool nonblock,
    bool cloexec)
{
	struct file *fp;
	int fd;

	fp = file_alloc(type, FREAD | FWRITE | (nonblock ? FNONBLOCK : 0), ops,
	    data);
	if (fp == NULL) {
		kfree(data);
		return -ENOMEM;
	}
	fd = fd_alloc(curproc->p_fd, fp, 0, cloexec);
	if (fd < 0)
		file_rele(fp); /* fo_close frees data */
	return fd;
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
	/*
	 * Nor can an epoll item be added (epoll_ctl holds a reference
	 * meanwhile); one may be removed (its epoll closing) under
	 * epoll_mtx, which eventpoll_release takes.
	 */
	if (__atomic_load_n(&fp->f_epitems.lh_first, __ATOMIC_RELAXED) != NULL)
		eventpoll_release(fp);
	if (fp->f_ops->fo_close != NULL)
		fp->f_ops->fo_close(fp);
	kfree(fp);
}

/*
 * The table's slot arrays: a block of n slots (n a multiple of 64), the
 * n file pointers followed by the n close-on-exec bits.
 */
static inline size_t
fd_block_size(int n)
{
	return (size_t)n * sizeof(struct file *) + (size_t)n / 8;
}

/*
 * Slots at or above fd_lastfile are unused whatever they hold, so a new
 * table is not cleared: fd_use_locked clears slots as they come into use.
 */
struct filedesc *
fd_init(void)
{
	struct filedesc *fdp = kmalloc(sizeof(*fdp), 0);

	if (fdp == NULL)
		return NULL;
	fdp->fd_refcnt = 1;
	fdp->fd_nfiles = NDFILE;
	fdp->fd_lastfile = 0;
	fdp->fd_freefile = 0;
	fdp->fd_ofiles = fdp->fd_dfiles;
	fdp->fd_cloexec = fdp->fd_dcloexec;
	spinlock_init(&fdp->fd_lock, "filedesc");
	return fdp;
}

/*
 * Install the slot arrays blk (of fd_block_size(n)) in fdp, with the
 * slots in use copied; returns the arrays they replace if they must be
 * freed (kmalloc'ed), else NULL.  n is above fdp->fd_nfiles.  The caller
 * must hold fdp->fd_lock, and frees what it gets after dropping it.
 */
static void *
fd_install_locked(struct filedesc *fdp, void *blk, int n)
{
	struct file **files = blk;
	uint64_t *cloexec = (uint64_t *)(files + n);
	void *old = fdp->fd_ofiles != fdp->fd_dfiles ? fdp->fd_ofiles : NULL;

	KASSERT(spin_held(&fdp->fd_lock));
	KASSERT(n > fdp->fd_nfiles && n % 64 == 0);
	memcpy(files, fdp->fd_ofiles,
	    (size_t)fdp->fd_lastfile * sizeof(*files));
	memcpy(cloexec, fdp->fd_cloexec,
	    (size_t)(fdp->fd_lastfile + 63) / 64 * sizeof(*cloexec));
	fdp->fd_ofiles = files;
	fdp->fd_cloexec = cloexec;
	fdp->fd_nfiles = n;
	return old;
}

/*
 * Grow fdp's table until it has a slot fd (below NR_OPEN), doubling it
 * (Linux's expand_files).  0 or -ENOMEM.  The table may change in
 * every other way meanwhile: the caller looks at it again.  No locks
 * held.
 */
static int
fd_expand(struct filedesc *fdp, int fd)
{
	void *blk, *old;
	int n;

	KASSERT(fd >= 0 && fd < NR_OPEN);
	spin_lock(&fdp->fd_lock);
	while ((n = fdp->fd_nfiles) <= fd) {
		spin_unlock(&fdp->fd_lock);
		while (n <= fd)
			n *= 2;
		if ((blk = kmalloc(fd_block_size(n), 0)) == NULL)
			return -ENOMEM;
		spin_lock(&fdp->fd_lock);
		old = NULL;
		if (fdp->fd_nfiles < n) {
			old = fd_install_locked(fdp, blk, n);
			blk = NULL;
		}
		spin_unlock(&fdp->fd_lock);
		kfree(blk); /* another LWP grew it at least as far */
		kfree(old);
		spin_lock(&fdp->fd_lock);
	}
	spin_unlock(&fdp->fd_lock);
	return 0;
}

/*
 * Bring the slots up to fd (below fd_nfiles) into use: empty, not
 * close-on-exec.  The caller must hold fdp->fd_lock.
 */
static void
fd_use_locked(struct filedesc *fdp, int fd)
{
	KASSERT(spin_held(&fdp->fd_lock));
	KASSERT(fd < fdp->fd_nfiles);
	while (fdp->fd_lastfile <= fd) {
		fdp->fd_ofiles[fdp->fd_lastfile] = NULL;
		fdp->fd_cloexec[fdp->fd_lastfile / 64] &=
		    ~(1UL << (fdp->fd_lastfile % 64));
		fdp->fd_lastfile++;
	}
}

/*
 * The file in slot fd of fdp, or NULL (closed, or not a slot).  The
 * caller must hold fdp->fd_lock.
 */
static inline struct file *
fd_file_locked(struct filedesc *fdp, int fd)
{
	KASSERT(spin_held(&fdp->fd_lock));
	return fd >= 0 && fd < fdp->fd_lastfile ? fdp->fd_ofiles[fd] : NULL;
}

/* Slot fd of fdp is free again.  The caller must hold fdp->fd_lock. */
static inline void
fd_freed_locked(struct filedesc *fdp, int fd)
{
	KASSERT(spin_held(&fdp->fd_lock));
	if (fd < fdp->fd_freefile)
		fdp->fd_freefile = fd;
}

struct filedesc *
fd_copy(struct filedesc *fdp)
{
	struct filedesc *n = fd_init();
	void *blk = NULL;
	int size = NDFILE;

	if (n == NULL)
		return NULL;
	/* Arrays as large as fdp's slots in use: allocated unlocked. */
	spin_lock(&fdp->fd_lock);
	while (fdp->fd_lastfile > size) {
		while (fdp->fd_lastfile > size)
			size *= 2;
		spin_unlock(&fdp->fd_lock);
		kfree(blk);
		if ((blk = kmalloc(fd_block_size(size), 0)) == NULL) {
			kfree(n);
			return NULL;
		}
		spin_lock(&fdp->fd_lock);
	}
	if (blk != NULL) {
		n->fd_ofiles = blk;
		n->fd_cloexec = (uint64_t *)(n->fd_ofiles + size);
		n->fd_nfiles = size;
	}
	for (int fd = 0; fd < fdp->fd_lastfile; fd++) {
		if ((n->fd_ofiles[fd] = fdp->fd_ofiles[fd]) != NULL)
			file_hold(n->fd_ofiles[fd]);
	}
	n->fd_lastfile = fdp->fd_lastfile;
	n->fd_freefile = fdp->fd_freefile;
	memcpy(n->fd_cloexec, fdp->fd_cloexec,
	    (size_t)(fdp->fd_lastfile + 63) / 64 * sizeof(uint64_t));
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
	if (fdp->fd_ofiles != fdp->fd_dfiles)
		kfree(fdp->fd_ofiles);
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

	spin_lock(&fdp->fd_lock);
	if ((fp = fd_file_locked(fdp, fd)) != NULL)
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
 * The calling process's RLIMIT_NOFILE, at most NR_OPEN: fds from here on
 * cannot be made.  No requirements.
 */
int
fd_limit(void)
{
	uint64_t lim = rlimit_cur(curproc, RLIMIT_NOFILE);

	return lim < NR_OPEN ? (int)lim : NR_OPEN;
}

/*
 * The lowest free fd of fdp at or above minfd, which may be fd_nfiles
 * or above (the table must grow first).  The caller must hold
 * fdp->fd_lock.
 */
static int
fd_find_free_locked(struct filedesc *fdp, int minfd)
{
	int fd = minfd > fdp->fd_freefile ? minfd : fdp->fd_freefile;

	KASSERT(spin_held(&fdp->fd_lock));
	while (fd < fdp->fd_lastfile && fdp->fd_ofiles[fd] != NULL)
		fd++;
	return fd;
}

int
fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec)
{
	int lim = fd_limit(), fd, error;

	spin_lock(&fdp->fd_lock);
	while ((fd = fd_find_free_locked(fdp, minfd)) < lim &&
	    fd >= fdp->fd_nfiles) {
		spin_unlock(&fdp->fd_lock);
		if ((error = fd_expand(fdp, fd)) != 0)
			return error;
		spin_lock(&fdp->fd_lock);
	}
	if (fd >= lim) {
		spin_unlock(&fdp->fd_lock);
		return -EMFILE;
	}
	if (minfd <= fdp->fd_freefile)
		fdp->fd_freefile = fd + 1; /* none free below fd either */
	fd_use_locked(fdp, fd);
	fdp->fd_ofiles[fd] = fp;
	fd_set_cloexec_locked(fdp, fd, cloexec);
	spin_unlock(&fdp->fd_lock);
	return fd;
}

bool
fd_available(struct filedesc *fdp)
{
	int lim = fd_limit();
	bool found;

	spin_lock(&fdp->fd_lock);
	found = fd_find_free_locked(fdp, 0) < lim;
	spin_unlock(&fdp->fd_lock);
	return found;
}

int
fd_close(struct filedesc *fdp, int fd)
{
	struct file *fp;

	spin_lock(&fdp->fd_lock);
	if ((fp = fd_file_locked(fdp, fd)) != NULL) {
		fdp->fd_ofiles[fd] = NULL;
		fd_set_cloexec_locked(fdp, fd, false);
		fd_freed_locked(fdp, fd);
	}
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

	for (unsigned fd = first; fd <= last; fd++) {
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
			fd_freed_locked(fdp, fd);
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
	fd_sweep(fdp, 0, ~0U, FD_SWEEP_CLOEXEC);
}

void
fd_unalloc(struct filedesc *fdp, int fd, struct file *fp)
{
	bool ours;

	KASSERT(fd >= 0 && fd < NR_OPEN);
	spin_lock(&fdp->fd_lock);
	ours = fd_file_locked(fdp, fd) == fp;
	if (ours) {
		fdp->fd_ofiles[fd] = NULL;
		fd_set_cloexec_locked(fdp, fd, false);
		fd_freed_locked(fdp, fd);
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

	spin_lock(&fdp->fd_lock);
	if (fd_file_locked(fdp, fd) == NULL)
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

	spin_lock(&fdp->fd_lock);
	if (fd_file_locked(fdp, fd) == NULL)
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
fd_nfiles(struct filedesc *fdp)
{
	int n;

	spin_lock(&fdp->fd_lock);
	n = fdp->fd_nfiles;
	spin_unlock(&fdp->fd_lock);
	return n;
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
	int error;

	if (oldfd < 0 || newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	spin_lock(&fdp->fd_lock);
	while ((fp = fd_file_locked(fdp, oldfd)) != NULL &&
	    newfd >= fdp->fd_nfiles) {
		spin_unlock(&fdp->fd_lock);
		if ((error = fd_expand(fdp, newfd)) != 0)
			return error;
		spin_lock(&fdp->fd_lock);
	}
	if (fp == NULL) {
		spin_unlock(&fdp->fd_lock);
		return -EBADF;
	}
	file_hold(fp);
	fd_use_locked(fdp, newfd);
	old = fdp->fd_ofiles[newfd];
	fdp->fd_ofiles[newfd] = fp;
	fd_set_cloexec_locked(fdp, newfd, cloexec);
	spin_unlock(&fdp->fd_lock);
	if (old != NULL)
		file_rele(old);
	return newfd;
}
