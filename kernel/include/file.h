/*
 * Open files and fd tables.
 *
 * A struct file is one open object (the console, one end of a pipe, an
 * initrd file or directory) shared by every fd that refers to it (dup,
 * fork), with its own offset.  A struct filedesc is an fd table, shared
 * by the processes of an rfork(0)/vmspace_spawn(0) family and reference
 * counted, as lwproc's fd_share / fd_copy / fd_init policies require.
 *
 * Locking.
 *   struct file: the reference count is atomic and the type, flags,
 *   operations and object are fixed, so any LWP holding a reference
 *   (fd_getfile) may call the operations; the object behind the file
 *   locks what it shares (pi_lock for a pipe, vo_lock for a memfd's
 *   object).  The offset has a sleeping mutex, f_pos_lock, as Linux's
 *   f_pos_lock: read, write, readv, writev, lseek and getdents64 hold it
 *   from reading the offset to storing the new one, user copies included,
 *   so calls on one open file description through any fds or processes
 *   each see and move the offset whole (two writes never land at one
 *   offset).  Only files with an offset take it (file_pos_lock): a read
 *   that blocks on a pipe or the console holds no lock.
 *   struct filedesc: fd_lock, a spinlock, guards the slots; it is a leaf
 *   (nothing else is taken under it but file_hold's atomic), and no file
 *   is released under it (file_rele may sleep in fo_close): a slot is
 *   emptied under the lock and its file released after.  A table's last
 *   reference (fd_free) reads it unlocked: nobody else can reach it.
 *   (a)  atomic
 *   (c)  set by file_alloc or fd_init, then constant
 *   (o)  f_pos_lock
 *   (d)  the table's fd_lock
 */
#ifndef _FILE_H_
#define _FILE_H_

#include <types.h>
#include <spinlock.h>
#include <mutex.h>

struct file;
struct stat;
struct vnode;
struct epitem;

/*
 * fd table sizes.  A table starts with NDFILE slots of its own and
 * doubles (fd_expand) when an fd at or above its size is made, up to
 * NR_OPEN slots, Linux's default fs.nr_open: the highest RLIMIT_NOFILE
 * hard limit.  A new process gets Linux's defaults, INR_OPEN_CUR soft
 * and INR_OPEN_MAX hard (kern_resource.c).
 */
#define NDFILE 64         /* Linux's NR_OPEN_DEFAULT */
#define NR_OPEN (1 << 20) /* Linux's sysctl_nr_open */
#define INR_OPEN_CUR 1024 /* RLIMIT_NOFILE soft, as Linux's */
#define INR_OPEN_MAX 4096 /* RLIMIT_NOFILE hard, as Linux's */

/*
 * f_flag: the access mode (c), and status flags fcntl's F_SETFL changes
 * (a: read and changed with atomic operations, file_status_flags and
 * file_set_status_flags).
 */
#define FREAD 0x1
#define FWRITE 0x2
#define FNONBLOCK 0x4 /* O_NONBLOCK: reads and writes never sleep */
#define FAPPEND 0x8   /* O_APPEND: every write goes at the end */
/*
 * O_PATH (c): the file only names its object.  fd_getfile does not see
 * it (EBADF, as Linux's fdget); close, dup, fcntl's fd commands, fstat,
 * fchdir and *at directories take it (fd_getfile_raw).
 */
#define FPATH 0x10

/* f_type */
#define DTYPE_CONSOLE 1
#define DTYPE_PIPE 2
#define DTYPE_INODE 3
#define DTYPE_MEMFD 4
#define DTYPE_EVENTFD 5
#define DTYPE_EPOLL 6
#define DTYPE_SIGNALFD 7
#define DTYPE_TIMERFD 8

/* Constant: each kind of file has one static table. */
struct fileops {
	/*
	 * Read up to n bytes into user buffer ubuf.  nowait: return -EAGAIN
	 * instead of sleeping when nothing is available.  Returns the count,
	 * 0 at end of file, or -errno.
	 */
	ssize_t (*fo_read)(struct file *fp, void *ubuf, size_t n, bool nowait);
	/* Write n bytes from user buffer ubuf; the count or -errno. */
	ssize_t (*fo_write)(struct file *fp, const void *ubuf, size_t n);
	/* Fill *st (already zeroed). */
	void (*fo_stat)(struct file *fp, struct stat *st);
	/* The last reference is gone: release the object.  No locks held. */
	void (*fo_close)(struct file *fp);
	/*
	 * Optional: the POLL* bits (<linux/poll.h>) that hold now, of those
	 * in events and always POLLERR and POLLHUP.  NULL: always readable
	 * and writable (Linux's DEFAULT_POLLMASK).  A file with fo_poll calls
	 * poll_wakeup after every change of what it returns.  No locks held.
	 */
	short (*fo_poll)(struct file *fp, short events);
	/*
	 * Optional, with fo_poll: how many times so far the file woke those
	 * waiting for events (POLLIN | POLLRDNORM: data or an end came;
	 * POLLOUT | POLLWRNORM: room was made), as Linux's wakeups with a
	 * poll key; epoll's edge-triggered items report a file again only
	 * once the count moved (eventpoll.c).  NULL: report only when a bit
	 * becomes ready.  No locks held.
	 */
	uint64_t (*fo_pollev)(struct file *fp, short events);
	/*
	 * Optional, with fo_poll: the nanouptime at which fo_poll's answer
	 * may change with no event to wake pollers (a timer expiring), or
	 * 0; a wait then looks again at that time.  No locks held.
	 */
	uint64_t (*fo_polltime)(struct file *fp);
	/*
	 * Optional: ioctl request with user argument uarg, for the requests
	 * sys_ioctl does not answer itself.  Returns the call's result or
	 * -errno; NULL: every request is -ENOTTY.  No locks held.
	 */
	long (*fo_ioctl)(struct file *fp, unsigned long request, void *uarg);
};

struct file {
	/* (a) */
	int f_refcnt;

	/* (c) */
	int f_type;
	int f_flag; /* the status bits: (a) */
	const struct fileops *f_ops;
	void *f_data;

	struct mutex f_pos_lock;

	/* (o) */
	off_t f_offset;

	/* flock_lock (vfs_flock.c) */
	int f_flock; /* the flock this open file holds: 0, LOCK_SH, LOCK_EX */

	/*
	 * (c) A FIFO's read end: the writers' opens when it opened (Linux's
	 * f_version), so that poll says POLLHUP only once a writer came and
	 * went since then (pipe.c).
	 */
	unsigned f_version;

	/*
	 * (epoll_mtx) The epoll items watching this file (eventpoll.c),
	 * which hold no reference to it: its last reference removes them.
	 * A <sys/queue.h> LIST_HEAD, spelled out: that header's cdefs
	 * would clash with the uapi headers that include this one.
	 */
	struct {
		struct epitem *lh_first;
	} f_epitems;
};

struct filedesc {
	/* (a) */
	int fd_refcnt; /* processes sharing the table */

	/* (c) */
	struct spinlock fd_lock;

	/*
	 * (d) The slots: fd_nfiles of them (NDFILE, doubled as needed; a
	 * table never shrinks), a file pointer each (NULL: closed) and a
	 * close-on-exec bit each.  The arrays are fd_dfiles and
	 * fd_dcloexec until the table first grows, then one kmalloc'ed
	 * block (the pointers, then the bits) that the growth after frees.
	 */
	int fd_nfiles;
	int fd_lastfile; /* slots from here on are unused (not cleared) */
	int fd_freefile; /* no slot below this is free */
	struct file **fd_ofiles;
	uint64_t *fd_cloexec;

	struct file *fd_dfiles[NDFILE];
	uint64_t fd_dcloexec[NDFILE / 64];
};

/*
 * The readiness of some file may have changed (sys_poll.c): wake every
 * poll and select asleep, which look again.  Cheap when none sleeps (an
 * atomic load); call it after dropping the lock under which the change
 * was made.  No requirements (interrupt handlers too).
 */
void poll_wakeup(void);

/*
 * fp's last reference is going: take it out of every epoll that
 * watches it (eventpoll.c).  fp has items (f_epitems).  No locks held.
 */
void eventpoll_release(struct file *fp);

/*
 * A new file with one reference, the caller's (file_rele drops it), or
 * NULL.  No requirements.
 */
struct file *file_alloc(int type, int flag, const struct fileops *ops,
    void *data);

/*
 * As file_alloc, with f_data pointing at datalen zeroed bytes allocated
 * with the file and freed with it (one allocation, not two: vnode files).
 */
struct file *file_alloc_with(int type, int flag, const struct fileops *ops,
    size_t datalen);
/*
 * fo_stat of the files Linux makes on its anonymous inode (eventfd,
 * epoll): mode 0600 with no type, one link.  No locks held.
 */
void file_anon_stat(struct file *fp, struct stat *st);

/*
 * Open a new file on Linux's anonymous inode (eventfd, epoll, signalfd,
 * timerfd): of type and ops, for data, open for reading and writing
 * (FNONBLOCK if nonblock), at the calling process's lowest free fd.
 * Returns the fd, or -ENOMEM or -EMFILE; then data is freed (kfree, or
 * the file's fo_close).  No locks held.
 */
int file_anon_open(int type, const struct fileops *ops, void *data,
    bool nonblock, bool cloexec);

/* One more reference to fp, which the caller holds one to.  No requirements. */
void file_hold(struct file *fp);
/* Drop a reference; the last calls fo_close and frees fp.  No locks held. */
void file_rele(struct file *fp);

/*
 * Take fp's f_pos_lock if fp has an offset (initrd files and
 * directories, memfds), for a call that reads and moves it; on other
 * files (pipes, the console) do nothing.  The caller holds a reference
 * to fp and no spinlock.  file_pos_unlock undoes it.
 */
void file_pos_lock(struct file *fp);
void file_pos_unlock(struct file *fp);

/*
 * lwproc's policies: an empty table or a copy of fdp, with one reference
 * (the caller's; fd_free drops it), or NULL; or one more reference to
 * fdp, shared.  No locks held.
 */
struct filedesc *fd_init(void);
struct filedesc *fd_copy(struct filedesc *fdp);
void fd_share(struct filedesc *fdp);
/* Drop a reference to the table; the last closes every fd.  No locks held. */
void fd_free(struct filedesc *fdp);

/*
 * The file at fd in the current process's table, with a reference the
 * caller drops with file_rele, or NULL (bad fd).  No locks held.
 */
struct file *fd_getfile(int fd);

/*
 * As fd_getfile, O_PATH files included (Linux's fdget_raw): for the
 * calls that only need the name (fstat, fchdir, fcntl, dup, *at
 * directories).  No locks held.
 */
struct file *fd_getfile_raw(int fd);

/*
 * Release the flock fp holds (its last reference is going, or LOCK_UN)
 * and wake the waiters.  No locks held.
 */
void flock_release(struct file *fp);

/*
 * Put fp (whose reference passes to the table) at the lowest free fd at
 * or above minfd, growing the table if need be.  Returns the fd, or
 * -EMFILE (none below fd_limit) or -ENOMEM (the table could not grow);
 * fp's reference is then still the caller's.  No locks held.
 */
int fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec);

/*
 * Whether fd_alloc would find a free fd (from 0) now: for open, which
 * must fail with EMFILE before it makes or truncates a file, as Linux's
 * does.  Another LWP sharing the table may take the last one meanwhile;
 * fd_alloc then fails after all.  No locks held.
 */
bool fd_available(struct filedesc *fdp);

/*
 * The calling process's RLIMIT_NOFILE soft limit, at most NR_OPEN: no fd
 * at or above it can be made.  No requirements.
 */
int fd_limit(void);

/* The slots fdp's table has now (Linux's max_fds).  No locks held. */
int fd_nfiles(struct filedesc *fdp);

/* Close fd; 0 or -EBADF.  No locks held. */
int fd_close(struct filedesc *fdp, int fd);

/*
 * Undo fd_alloc of fp at fd: empty the slot if it still holds fp (another
 * LWP sharing the table may have closed or replaced it meanwhile), and
 * release the table's reference then.  No locks held.
 */
void fd_unalloc(struct filedesc *fdp, int fd, struct file *fp);

/* Close every fd marked close-on-exec.  No locks held. */
void fd_closeexec(struct filedesc *fdp);

/*
 * Make newfd refer to oldfd's file (dup2), growing the table if need
 * be.  newfd, -EBADF (oldfd not open, or newfd negative or not below
 * fd_limit) or -ENOMEM.  No locks held.
 */
int fd_dup2(struct filedesc *fdp, int oldfd, int newfd);

/*
 * dup3: as fd_dup2, newfd close-on-exec if cloexec, and oldfd == newfd
 * is not special (the caller rejects it).  Returns as fd_dup2.  No
 * locks held.
 */
int fd_dup3(struct filedesc *fdp, int oldfd, int newfd, bool cloexec);

/*
 * fd's close-on-exec flag (F_GETFD), or -EBADF; fd_set_cloexec sets it
 * (F_SETFD): 0 or -EBADF.  No locks held.
 */
int fd_get_cloexec(struct filedesc *fdp, int fd);
int fd_set_cloexec(struct filedesc *fdp, int fd, bool on);

/*
 * close_range: close the fds from first to last (inclusive), or only
 * mark them close-on-exec with cloexec.  No locks held.
 */
void fd_close_range(struct filedesc *fdp, unsigned first, unsigned last,
    bool cloexec);

/*
 * fp's status flags (FNONBLOCK, FAPPEND), read at once; set them to
 * flags (of those two).  No requirements.
 */
int file_status_flags(const struct file *fp);
void file_set_status_flags(struct file *fp, int flags);

/*
 * The console as an open file (fds 0-2 of init), with one reference, the
 * caller's, or NULL.  No requirements.
 */
struct file *console_file_open(void);

/*
 * The memory object behind a memfd, or NULL if fp is not one.  The
 * object lives as long as fp; the caller takes its own reference
 * (vm_object_ref) to keep it longer.  No requirements.
 */
struct vm_object *memfd_object(struct file *fp);

/*
 * A new pipe: *rfp reads, *wfp writes, each with one reference, the
 * caller's, both O_NONBLOCK if nonblock.  0 or -ENOMEM.  No
 * requirements.
 */
int pipe_create(struct file **rfp, struct file **wfp, bool nonblock);

/*
 * Open FIFO vp (fifo(7), pipe.c): its pipe's end as a new file with
 * f_flag flag (FREAD, FWRITE or both, and FNONBLOCK), into *fpp with one
 * reference, the caller's.  The opens so far of the kind this one waits
 * for go to *partnerp, for fifo_open_wait.  0, -ENXIO (a writer with
 * O_NONBLOCK and no reader) or -ENOMEM.  vfs_lock held.
 */
int fifo_open(struct vnode *vp, int flag, struct file **fpp,
    unsigned *partnerp);

/*
 * The rest of fifo_open, with vfs_lock dropped: wait, unless O_RDWR or
 * O_NONBLOCK, for a writer (a reader's open) or a reader (a writer's),
 * one that came after fifo_open counted partner.  0, or -ERESTARTSYS if
 * a signal came first (the caller releases fp).  No locks held.
 */
int fifo_open_wait(struct file *fp, unsigned partner);

#endif /* !_FILE_H_ */
