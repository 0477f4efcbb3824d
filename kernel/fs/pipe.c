/*
 * Pipes: a 64 KiB ring buffer (Linux's default pipe size) between a read
 * end and a write end.  The ring is PIPE_PAGES pages: the first made
 * with the pipe, the others by the first write that reaches them.  A
 * read that empties the pipe (with no write under way) moves the ring
 * back to its start and frees the other pages, so a pipe that carries
 * little, or is drained, holds one page.
 *
 * Readers sleep on &pi->pi_rwait until data arrives or the last writer
 * closes (then read returns 0); writers sleep on &pi->pi_wwait for space.
 * Writes of at most PIPE_BUF bytes are atomic.  Writing with no reader
 * left is EPIPE, and SIGPIPE ends the writer unless it ignores SIGPIPE.
 * With O_NONBLOCK (pipe2, fcntl) a read of an empty pipe and a write
 * that finds no room are EAGAIN instead of sleeping.
 *
 * Copies.  User memory is never touched under pi_lock (a spinlock): a
 * copy may fault, and a fault may sleep.  Instead one reader and one
 * writer at a time own their side of the ring (pi_rbusy, pi_wbusy): under
 * the lock an owner takes a span (a reader the bytes buffered, a writer
 * the free space after them), copies between it and user memory with
 * the lock dropped, then takes the lock again to commit what it copied
 * (pi_head and pi_count move) and give up its side.  The two spans never
 * overlap, since only the reader shrinks the data and only the writer
 * shrinks the free space, and the lock orders each copy before the other
 * side reuses its bytes.  An LWP that finds a side owned sleeps as it
 * would for data or space, interruptibly; an owner never waits for the
 * pipe, so it gives its side up as soon as its copy is done.
 *
 * POSIX's rules follow: a write of at most PIPE_BUF bytes takes the
 * writer's side only once there is room for all of it, so it lands
 * whole; a longer one goes in as room appears, giving up the side
 * between pieces, so other writers' pieces may come between.  A read
 * takes what is buffered, up to its size; a fault during a copy
 * consumes or adds nothing of the piece that faulted.
 *
 * Direct writes.  A blocking write of more than PIPE_BUF bytes that finds
 * the ring empty while a reader sleeps in pipe_read does not copy into
 * the ring: owning the write side, it lends the readers its buffer (its
 * address space, with a reference, and the span not yet read: pi_dvm,
 * pi_dva, pi_dleft), wakes them and waits.  A reader owning the read
 * side copies straight from the writer's pages to its own buffer
 * (vmspace_read_user), so the bytes are copied once instead of twice.
 * The writer waits only while readers take from it: until the span is
 * read, no reader sleeps in pipe_read or copies any more, the read end
 * is closed, a reader found the span unmapped (pi_dfault), or a signal
 * comes; then, once no reader copies from the span, it takes the loan
 * back and the rest of its write goes through the ring as any other.  So
 * a write never waits for a reader that is not reading, and the pipe
 * still holds 64 KiB for a writer alone, as Linux's does.  While the
 * span is lent the ring is empty and stays so (the writer owns the
 * write side), and the span counts as buffered bytes for poll, FIONREAD
 * and fstat.
 *
 * FIFOs (named pipes, fifo(7)).  A FIFO's vnode (VFIFO) keeps the pipe
 * of its open ends in v_fifo, made by the first open and freed, with the
 * bytes it holds, by the last close, as Linux's.  Each open counts
 * itself a reader, a writer or both (O_RDWR) and gets a file like
 * pipe(2)'s ends, whose pipe names the vnode (pi_vp).  An open for
 * reading only waits for a writer, one for writing only waits for a
 * reader, unless O_NONBLOCK (then a writer with no reader is ENXIO);
 * a partner that opened and closed meanwhile counts too (pi_ropens,
 * pi_wopens: Linux's r_counter and w_counter).
 *
 * Locking.  Both ends' files point at one struct pipe; the last close
 * frees it (a FIFO's detaches it from the vnode first, under vfs_lock,
 * which fifo_open holds to find it).  The span an owner copies is its own while it owns the side;
 * a lent span's address space lives until its writer takes it back,
 * which waits for the read side to be free.
 *   (i)  pi_lock
 *   (c)  set by pipe_create, then constant
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <proc/proc.h>
#include <proc/signalvar.h>
#include <proc/sched.h>
#include <vm/addrspace.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include <vnode.h>
#include <arch/cpu.h>
#include <asm/ioctls.h>
#include <linux/poll.h>

#define PIPE_PAGES 16
#define PIPE_SIZE (PIPE_PAGES * PAGE_SIZE)
#define PIPE_BUF 4096

struct pipe {
	struct spinlock pi_lock;

	/*
	 * The ring's pages (direct-map addresses), NULL until written:
	 * set by the writer owning the span that reaches them (pi_wbusy);
	 * pages past the first are cleared and freed by the reader that
	 * empties the pipe, under pi_lock with no writer busy.
	 */
	uint8_t *pi_page[PIPE_PAGES];

	/* (c) */
	int pi_rwait; /* channel: data, EOF, the read side free, a writer */
	int pi_wwait; /* channel: space, no readers, the write side free */
	struct vnode *pi_vp; /* a FIFO's vnode (a reference), or NULL */

	/* (i) */
	size_t pi_head;     /* next byte to read */
	size_t pi_count;    /* bytes buffered */
	int pi_readers;     /* open read ends */
	int pi_writers;     /* open write ends */
	bool pi_rbusy;      /* a reader is copying out of the ring */
	bool pi_wbusy;      /* a writer is copying into the ring */
	int pi_nrwait;      /* LWPs asleep on pi_rwait in read */
	int pi_nwwait;      /* LWPs asleep on pi_wwait in write */
	unsigned pi_ropens; /* a FIFO's opens for reading, ever */
	unsigned pi_wopens; /* and for writing */
	/*
	 * Counts that move with every wakeup (Linux's wakeups with the keys
	 * EPOLLIN, EPOLLOUT and all bits), for pipe_pollev: of readers for
	 * data (by the bytes written), of writers for room (by the bytes
	 * read), and of both for an end that came or went (by one).  Bytes
	 * rather than wakeups: an add, with no test on the hot path.
	 */
	uint64_t pi_rwakes, pi_wwakes, pi_ewakes;

	/*
	 * (i) A direct write's span, lent by the writer owning the write
	 * side: the pi_dleft bytes at pi_dva in pi_dvm (a reference the
	 * writer drops) are what it has left to be read; pi_dvm is NULL
	 * when no span is lent.
	 */
	struct vmspace *pi_dvm;
	vaddr_t pi_dva;
	size_t pi_dleft;
	bool pi_dfault; /* a reader found the span unmapped at pi_dva */
};

/* Bytes a reader can take: the ring's, or a lent span's.  pi_lock held. */
static inline size_t
pipe_readable(const struct pipe *pi)
{
	if (pi->pi_count > 0 || pi->pi_dfault)
		return pi->pi_count;
	return pi->pi_dleft;
}

/*
 * Sleep on chan (&pi->pi_rwait or &pi->pi_wwait), counted in *nwait so
 * that a waker with nobody to wake can skip wakeup; interruptibly with
 * SLEEP_INTR in flags.  Returns 0, or -ERESTARTSYS when a signal (or
 * exit) interrupts it.  The caller holds pi->pi_lock and no other
 * spinlock.
 */
static int
pipe_sleep(struct pipe *pi, int *chan, int *nwait, int flags)
{
	int error;

	KASSERT(spin_held(&pi->pi_lock));
	(*nwait)++;
	error = sleep(chan, &pi->pi_lock, flags, 0);
	(*nwait)--;
	return error != 0 ? -ERESTARTSYS : 0;
}

/*
 * Copy n bytes between the ring at offset off (wrapping at its end) and
 * user memory at ubuf: out of the ring when out, else into it.  Returns
 * the bytes copied before a fault, in whole pieces of the ring (at most
 * two).  The caller owns the span (pi_rbusy or pi_wbusy) and holds no
 * spinlock.
 */
static size_t
pipe_copy(struct pipe *pi, size_t off, uint8_t *ubuf, size_t n, bool out)
{
	size_t done = 0;

	while (done < n) {
		size_t at = (off + done) % PIPE_SIZE;
		size_t piece = MIN(n - done, PAGE_SIZE - at % PAGE_SIZE);
		uint8_t *page = pi->pi_page[at / PAGE_SIZE];
		int error;

		KASSERT(page != NULL);
		error = out ?
		    copyout(page + at % PAGE_SIZE, ubuf + done, piece) :
		    copyin(ubuf + done, page + at % PAGE_SIZE, piece);
		if (error != 0)
			break;
		done += piece;
	}
	return done;
}

/*
 * Give the ring the pages the span of n bytes at off needs.  Returns the
 * bytes of it that have pages (all of them, or less when memory ran
 * out).  The caller owns the write side and holds no spinlock.
 */
static size_t
pipe_fill_pages(struct pipe *pi, size_t off, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t at = (off + done) % PIPE_SIZE;
		struct vm_page *pg;

		if (pi->pi_page[at / PAGE_SIZE] == NULL) {
			pg = vm_page_alloc(0);
			if (pg == NULL)
				break;
			pi->pi_page[at / PAGE_SIZE] = vm_page_kva(pg);
		}
		done += MIN(n - done, PAGE_SIZE - at % PAGE_SIZE);
	}
	return done;
}

/*
 * Take up to n bytes of the lent span into ubuf, copying them from the
 * writer's address space.  The caller holds pi->pi_lock and owns the
 * read side, with the ring empty and a span lent (pipe_readable);
 * returns with the lock dropped and the read side given up.  Returns
 * the count, -EFAULT (ubuf faulted first), or 0 when the span is
 * unmapped where it starts (marked for its writer, which fails).
 */
static ssize_t
pipe_read_direct(struct pipe *pi, void *ubuf, size_t n)
{
	struct vmspace *vm = pi->pi_dvm;
	vaddr_t va = pi->pi_dva;
	size_t want = MIN(n, pi->pi_dleft);
	bool unmapped = false, wake_readers, wake_writers;
	ssize_t got;

	KASSERT(spin_held(&pi->pi_lock) && pi->pi_rbusy);
	KASSERT(vm != NULL && want > 0 && pi->pi_count == 0);
	spin_unlock(&pi->pi_lock);
	/*
	 * A short copy stopped at the end of the span's mappings, or at a
	 * fault in ubuf: only the first is the writer's.
	 */
	got = vmspace_read_user(vm, va, ubuf, want);
	if (got >= 0 && (size_t)got < want) {
		vaddr_t at = trunc_page(va + (size_t)got);

		unmapped =
		    !vmspace_check_prot(vm, at, at + PAGE_SIZE, VM_PROT_READ);
	}
	spin_lock(&pi->pi_lock);
	if (got > 0) {
		pi->pi_dva += (size_t)got;
		pi->pi_dleft -= (size_t)got;
	}
	if (unmapped)
		pi->pi_dfault = true;
	pi->pi_rbusy = false;
	wake_readers = pi->pi_nrwait > 0;
	wake_writers = pi->pi_nwwait > 0;
	spin_unlock(&pi->pi_lock);
	/* The lender waits for what its readers take. */
	if (wake_writers)
		wakeup_sync(&pi->pi_wwait);
	if (wake_readers)
		wakeup(&pi->pi_rwait);
	if (got == 0 && !unmapped)
		return -EFAULT; /* the copy of no byte met ubuf's fault */
	return got;
}

/*
 * fo_read: up to n bytes into ubuf, sleeping (interruptibly) while the
 * pipe is empty and a writer is left.  Returns the count, 0 at end of
 * file, -EAGAIN (nowait, nothing there), -ERESTARTSYS or -EFAULT.  No locks
 * held.
 */
static ssize_t
pipe_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct pipe *pi = fp->f_data;
	uint8_t *freed[PIPE_PAGES];
	size_t head, want, done;
	bool wake_readers, wake_writers;
	int error, nfree;

	if (n == 0)
		return 0;
	nowait = nowait || (file_status_flags(fp) & FNONBLOCK);
	spin_lock(&pi->pi_lock);
again:
	while (pipe_readable(pi) == 0 || pi->pi_rbusy) {
		if (pipe_readable(pi) == 0 && pi->pi_writers == 0) {
			spin_unlock(&pi->pi_lock);
			return 0;
		}
		if (nowait) {
			spin_unlock(&pi->pi_lock);
			return -EAGAIN;
		}
		error =
		    pipe_sleep(pi, &pi->pi_rwait, &pi->pi_nrwait, SLEEP_INTR);
		if (error != 0) {
			/* A lender waits only while readers sleep here. */
			wake_writers = pi->pi_dvm != NULL && pi->pi_nwwait > 0;
			spin_unlock(&pi->pi_lock);
			if (wake_writers)
				wakeup(&pi->pi_wwait);
			return error;
		}
	}
	pi->pi_rbusy = true;
	if (pi->pi_count == 0) {
		ssize_t got = pipe_read_direct(pi, ubuf, n);

		if (got != 0)
			return got;
		/* The span was unmapped: its writer fails; wait for more. */
		spin_lock(&pi->pi_lock);
		goto again;
	}
	head = pi->pi_head;
	want = MIN(n, pi->pi_count);
	spin_unlock(&pi->pi_lock);

	done = pipe_copy(pi, head, ubuf, want, true);

	spin_lock(&pi->pi_lock);
	pi->pi_head = (pi->pi_head + done) % PIPE_SIZE;
	pi->pi_count -= done;
	pi->pi_rbusy = false;
	pi->pi_wwakes += done;
	nfree = 0;
	if (pi->pi_count == 0 && !pi->pi_wbusy) {
		/* Empty: back to the start, keeping only the first page. */
		pi->pi_head = 0;
		for (int i = 1; i < PIPE_PAGES; i++) {
			if (pi->pi_page[i] != NULL) {
				freed[nfree++] = pi->pi_page[i];
				pi->pi_page[i] = NULL;
			}
		}
	}
	/* Readers may wait for the read side, writers for the space. */
	wake_readers = pi->pi_nrwait > 0;
	wake_writers = pi->pi_nwwait > 0 && done > 0;
	spin_unlock(&pi->pi_lock);
	/* The reader usually waits next (for more data, or an answer). */
	if (wake_readers)
		wakeup_sync(&pi->pi_rwait);
	if (wake_writers)
		wakeup_sync(&pi->pi_wwait);
	if (done > 0)
		poll_wakeup();
	for (int i = 0; i < nfree; i++)
		vm_page_free(vm_page_from_kva(freed[i]));
	return done > 0 ? (ssize_t)done : -EFAULT;
}

/*
 * No reader: EPIPE, and SIGPIPE's default action ends the process.  No
 * locks held.
 */
static int
pipe_broken(void)
{
	struct proc *p = curproc;

	spin_lock(&proc_lock);
	sig_post_proc(p, SIGPIPE, NULL);
	spin_unlock(&proc_lock);
	return -EPIPE;
}

/*
 * Lend the readers the n bytes at ubuf, a direct write (above), and wait
 * while they take them.  The caller holds pi->pi_lock and owns the write
 * side, with the ring empty and a reader asleep in pipe_read; returns
 * with the lock dropped, the span taken back (no reader copies from it
 * any more) and the write side given up.  Returns the bytes the readers
 * took, and in *error -EFAULT if a reader found the span unmapped,
 * -ERESTARTSYS if a signal ended the wait, else 0.
 */
static size_t
pipe_write_direct(struct pipe *pi, const void *ubuf, size_t n, int *error)
{
	struct vmspace *vm = curproc->p_vmspace;
	bool fault, wake_writers;
	size_t left;

	KASSERT(spin_held(&pi->pi_lock) && pi->pi_wbusy && !pi->pi_rbusy);
	KASSERT(pi->pi_count == 0 && pi->pi_dvm == NULL);
	vmspace_ref(vm);
	pi->pi_dvm = vm;
	pi->pi_dva = (vaddr_t)ubuf;
	pi->pi_dleft = n;
	pi->pi_dfault = false;
	pi->pi_rwakes += n;
	spin_unlock(&pi->pi_lock);
	wakeup_sync(&pi->pi_rwait); /* the lender waits next */
	poll_wakeup();
	spin_lock(&pi->pi_lock);
	*error = 0;
	/*
	 * While readers sleep for data they will take from the span; after
	 * a signal, only a copy under way is waited for.
	 */
	while (pi->pi_rbusy ||
	    (*error == 0 && pi->pi_dleft > 0 && !pi->pi_dfault &&
		pi->pi_readers > 0 && pi->pi_nrwait > 0)) {
		if (*error == 0)
			*error = pipe_sleep(pi, &pi->pi_wwait, &pi->pi_nwwait,
			    SLEEP_INTR);
		else
			(void)pipe_sleep(pi, &pi->pi_wwait, &pi->pi_nwwait, 0);
	}
	left = pi->pi_dleft;
	fault = pi->pi_dfault;
	pi->pi_dvm = NULL;
	pi->pi_dleft = 0;
	pi->pi_dfault = false;
	pi->pi_wbusy = false;
	wake_writers = pi->pi_nwwait > 0;
	spin_unlock(&pi->pi_lock);
	vmspace_rel(vm);
	if (wake_writers)
		wakeup(&pi->pi_wwait);
	if (fault && *error == 0)
		*error = -EFAULT;
	return n - left;
}

/*
 * fo_write: n bytes from ubuf, sleeping (interruptibly) for space; a
 * write of at most PIPE_BUF bytes goes in whole.  Returns the count (of
 * what went in before an error, if any did), or -EPIPE, -EAGAIN
 * (O_NONBLOCK and no room), -ERESTARTSYS, -ENOMEM or -EFAULT.  No locks
 * held.
 */
static ssize_t
pipe_write(struct file *fp, const void *ubuf, size_t n)
{
	struct pipe *pi = fp->f_data;
	bool nowait = (file_status_flags(fp) & FNONBLOCK) != 0;
	size_t done = 0;
	int error = 0;

	while (done < n) {
		size_t space, tail, want, paged, got;
		bool wake_readers, wake_writers;

		spin_lock(&pi->pi_lock);
		for (;;) {
			if (pi->pi_readers == 0) {
				spin_unlock(&pi->pi_lock);
				error = pipe_broken();
				return done > 0 ? (ssize_t)done : error;
			}
			space = PIPE_SIZE - pi->pi_count;
			/* A write of at most PIPE_BUF bytes goes in whole. */
			if (!pi->pi_wbusy && space > 0 &&
			    (n > PIPE_BUF || space >= n - done))
				break;
			if (nowait) {
				spin_unlock(&pi->pi_lock);
				return done > 0 ? (ssize_t)done : -EAGAIN;
			}
			error = pipe_sleep(pi, &pi->pi_wwait, &pi->pi_nwwait,
			    SLEEP_INTR);
			if (error != 0) {
				spin_unlock(&pi->pi_lock);
				return done > 0 ? (ssize_t)done : error;
			}
		}
		pi->pi_wbusy = true;
		if (!nowait && n - done > PIPE_BUF && pi->pi_count == 0 &&
		    !pi->pi_rbusy && pi->pi_nrwait > 0) {
			done += pipe_write_direct(pi,
			    (const uint8_t *)ubuf + done, n - done, &error);
			if (error != 0)
				return done > 0 ? (ssize_t)done : error;
			continue; /* the rest, if any, through the ring */
		}
		tail = (pi->pi_head + pi->pi_count) % PIPE_SIZE;
		want = MIN(n - done, space);
		spin_unlock(&pi->pi_lock);

		paged = pipe_fill_pages(pi, tail, want);
		got = pipe_copy(pi, tail, (uint8_t *)ubuf + done, paged, false);

		spin_lock(&pi->pi_lock);
		pi->pi_count += got;
		pi->pi_wbusy = false;
		pi->pi_rwakes += got;
		/* Writers may wait for the write side, readers for data. */
		wake_writers = pi->pi_nwwait > 0;
		wake_readers = pi->pi_nrwait > 0 && got > 0;
		spin_unlock(&pi->pi_lock);
		/* The writer usually waits next (for room, or an answer). */
		if (wake_writers)
			wakeup_sync(&pi->pi_wwait);
		if (wake_readers)
			wakeup_sync(&pi->pi_rwait);
		if (got > 0)
			poll_wakeup();
		done += got;
		if (paged < want && got == paged)
			return done > 0 ? (ssize_t)done : -ENOMEM;
		if (got < want)
			return done > 0 ? (ssize_t)done : -EFAULT;
	}
	return done;
}

/*
 * fo_stat: a pipe, its size the bytes buffered; a FIFO's file, its
 * vnode's attributes.  No locks held.
 */
static void
pipe_stat(struct file *fp, struct stat *st)
{
	struct pipe *pi = fp->f_data;

	if (pi->pi_vp != NULL) {
		mutex_lock(&vfs_lock);
		pi->pi_vp->v_op->vop_getattr(pi->pi_vp, st);
		mutex_unlock(&vfs_lock);
		return;
	}
	st->st_mode = S_IFIFO | 0600;
	spin_lock(&pi->pi_lock);
	st->st_size = (off_t)pipe_readable(pi);
	spin_unlock(&pi->pi_lock);
	st->st_blksize = PAGE_SIZE;
	st->st_ino = (uint64_t)pi >> 4;
}

/* Free pi and its pages.  Nobody else refers to it.  No locks held. */
static void
pipe_free(struct pipe *pi)
{
	for (int i = 0; i < PIPE_PAGES; i++)
		if (pi->pi_page[i] != NULL)
			vm_page_free(vm_page_from_kva(pi->pi_page[i]));
	kfree(pi);
}

/*
 * fo_close: one end is gone; wake the other end's sleepers, and free the
 * pipe when both ends are.  No locks held.
 */
static void
pipe_close(struct file *fp)
{
	struct pipe *pi = fp->f_data;
	struct vnode *vp = pi->pi_vp;
	bool last;

	if (vp != NULL)
		mutex_lock(&vfs_lock); /* fifo_open finds the pipe under it */
	spin_lock(&pi->pi_lock);
	if (fp->f_flag & FREAD)
		pi->pi_readers--;
	if (fp->f_flag & FWRITE)
		pi->pi_writers--;
	pi->pi_ewakes++;
	last = pi->pi_readers == 0 && pi->pi_writers == 0;
	spin_unlock(&pi->pi_lock);
	if (vp != NULL) {
		if (last)
			vp->v_fifo = NULL;
		mutex_unlock(&vfs_lock);
	}
	wakeup(&pi->pi_rwait);
	wakeup(&pi->pi_wwait);
	poll_wakeup();
	if (last) {
		pipe_free(pi);
		if (vp != NULL)
			vnode_rel(vp);
	}
}

/*
 * fo_poll, as Linux's pipe_poll: the read end is readable with data
 * buffered and hung up (POLLHUP) with no writer left (a FIFO's: and a
 * writer opened since it did, f_version); the write end is
 * writable when a write of PIPE_BUF bytes would not wait (here, with the
 * ring empty, as FreeBSD's rule), and in error (POLLERR) with no reader
 * left.  No locks held.
 */
static short
pipe_poll(struct file *fp, short events)
{
	struct pipe *pi = fp->f_data;
	short revents = 0;

	spin_lock(&pi->pi_lock);
	if (fp->f_flag & FREAD) {
		if (pipe_readable(pi) > 0)
			revents |= events & (POLLIN | POLLRDNORM);
		if (pi->pi_writers == 0 &&
		    (pi->pi_vp == NULL || fp->f_version != pi->pi_wopens))
			revents |= POLLHUP;
	}
	if (fp->f_flag & FWRITE) { /* both, for a FIFO opened O_RDWR */
		if (PIPE_SIZE - pi->pi_count >= PIPE_BUF)
			revents |= events & (POLLOUT | POLLWRNORM);
		if (pi->pi_readers == 0)
			revents |= POLLERR;
	}
	spin_unlock(&pi->pi_lock);
	return revents;
}

/*
 * fo_pollev: data written wakes those waiting for POLLIN, room made
 * those waiting for POLLOUT, an end that came or went everybody.  No
 * locks held.
 */
static uint64_t
pipe_pollev(struct file *fp, short events)
{
	struct pipe *pi = fp->f_data;
	uint64_t n;

	spin_lock(&pi->pi_lock);
	n = pi->pi_ewakes;
	if (events & (POLLIN | POLLRDNORM))
		n += pi->pi_rwakes;
	if (events & (POLLOUT | POLLWRNORM))
		n += pi->pi_wwakes;
	spin_unlock(&pi->pi_lock);
	return n;
}

/* fo_ioctl: FIONREAD, the bytes buffered or lent.  No locks held. */
static long
pipe_ioctl(struct file *fp, unsigned long request, void *uarg)
{
	struct pipe *pi = fp->f_data;
	int n;

	if (request != FIONREAD)
		return -ENOTTY;
	spin_lock(&pi->pi_lock);
	n = (int)pipe_readable(pi);
	spin_unlock(&pi->pi_lock);
	return copyout(&n, uarg, sizeof(n));
}

static const struct fileops pipe_ops = {
	.fo_read = pipe_read,
	.fo_write = pipe_write,
	.fo_stat = pipe_stat,
	.fo_close = pipe_close,
	.fo_poll = pipe_poll,
	.fo_pollev = pipe_pollev,
	.fo_ioctl = pipe_ioctl,
};

/* A new pipe with its first page and no ends, or NULL.  No requirements. */
static struct pipe *
pipe_alloc(void)
{
	struct pipe *pi = kmalloc(sizeof(*pi), KM_ZERO);
	struct vm_page *pg;

	if (pi == NULL)
		return NULL;
	if ((pg = vm_page_alloc(0)) == NULL) {
		kfree(pi);
		return NULL;
	}
	spinlock_init(&pi->pi_lock, "pipe");
	pi->pi_page[0] = vm_page_kva(pg);
	return pi;
}

int
pipe_create(struct file **rfp, struct file **wfp, bool nonblock)
{
	struct pipe *pi = pipe_alloc();
	int st = nonblock ? FNONBLOCK : 0;

	*rfp = *wfp = NULL;
	if (pi == NULL)
		return -ENOMEM;
	*rfp = file_alloc(DTYPE_PIPE, FREAD | st, &pipe_ops, pi);
	*wfp = file_alloc(DTYPE_PIPE, FWRITE | st, &pipe_ops, pi);
	if (*rfp == NULL || *wfp == NULL) {
		kfree(*rfp);
		kfree(*wfp);
		pipe_free(pi);
		return -ENOMEM;
	}
	pi->pi_readers = pi->pi_writers = 1;
	return 0;
}

int
fifo_open(struct vnode *vp, int flag, struct file **fpp, unsigned *partnerp)
{
	struct pipe *pi = vp->v_fifo;
	bool fresh = pi == NULL;
	struct file *fp;

	KASSERT(mutex_held(&vfs_lock) && vp->v_type == VFIFO);
	KASSERT((flag & (FREAD | FWRITE)) != 0);
	if (fresh && (pi = pipe_alloc()) == NULL)
		return -ENOMEM;
	fp = file_alloc(DTYPE_PIPE, flag, &pipe_ops, pi);
	if (fp == NULL) {
		if (fresh)
			pipe_free(pi);
		return -ENOMEM;
	}
	if (fresh) {
		vnode_ref(vp);
		pi->pi_vp = vp;
		vp->v_fifo = pi;
	}
	spin_lock(&pi->pi_lock);
	if ((flag & (FREAD | FWRITE | FNONBLOCK)) == (FWRITE | FNONBLOCK) &&
	    pi->pi_readers == 0) {
		spin_unlock(&pi->pi_lock);
		kfree(fp);
		if (fresh) {
			vp->v_fifo = NULL;
			pipe_free(pi);
			vnode_rel_locked(vp);
		}
		return -ENXIO;
	}
	if (flag & FREAD) {
		pi->pi_readers++;
		pi->pi_ropens++;
		fp->f_version = pi->pi_wopens;
	}
	if (flag & FWRITE) {
		pi->pi_writers++;
		pi->pi_wopens++;
	}
	*partnerp = (flag & FREAD) ? pi->pi_wopens : pi->pi_ropens;
	pi->pi_ewakes++;
	spin_unlock(&pi->pi_lock);
	/* A partner may wait in fifo_open_wait. */
	wakeup(&pi->pi_rwait);
	wakeup(&pi->pi_wwait);
	poll_wakeup();
	*fpp = fp;
	return 0;
}

int
fifo_open_wait(struct file *fp, unsigned partner)
{
	struct pipe *pi = fp->f_data;
	int flag = fp->f_flag, error = 0;
	bool reader = (flag & FREAD) != 0;

	KASSERT(pi->pi_vp != NULL);
	if ((flag & (FREAD | FWRITE)) == (FREAD | FWRITE) ||
	    (reader && (flag & FNONBLOCK)))
		return 0;
	spin_lock(&pi->pi_lock);
	while (error == 0 &&
	    (reader ? pi->pi_writers == 0 && pi->pi_wopens == partner :
		      pi->pi_readers == 0 && pi->pi_ropens == partner)) {
		if (sleep(reader ? &pi->pi_rwait : &pi->pi_wwait, &pi->pi_lock,
			SLEEP_INTR, 0) != 0)
			error = -ERESTARTSYS;
	}
	spin_unlock(&pi->pi_lock);
	return error;
}
