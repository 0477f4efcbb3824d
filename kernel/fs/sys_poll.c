/*
 * poll, ppoll, select and pselect6: wait until one of several files is
 * ready, with Linux's ABI.
 *
 * Readiness.  Each file kind answers fo_poll (file.h): pipes (pipe.c),
 * the console (file.c); files without it (files, memfds) are
 * always readable and writable, as Linux's DEFAULT_POLLMASK.
 *
 * Waiting.  One global poll channel, as the simplest design that is
 * correct: every change a poller could be waiting for (data or room in
 * a pipe, an end closed, console input) calls poll_wakeup, which bumps
 * poll_gen and wakes every sleeping poller; each looks at all its files
 * again.  The cost: a poller wakes for changes on files it does not
 * watch, and each wakeup costs a scan of its files.  No per-file wait
 * queues need registering or tearing down, and nothing is lost: a poller
 * reads poll_gen before it scans, and sleeps only if poll_gen is
 * unchanged, under poll_lock, which poll_wakeup takes to bump it.  When
 * no poller sleeps, poll_wakeup is one atomic load: a poller counts
 * itself in poll_nwaiters before its first scan, so a waker that misses
 * the count made its change before the scan, which then sees it (the
 * file's own lock orders the two; see poll_wakeup).
 *
 * Signals.  An interrupted wait returns -ERESTARTNOHAND (ppoll, select,
 * pselect6; select and the others first store the time left in the
 * caller's timeout, as Linux, so a restart waits only for the rest) or
 * -ERESTART_RESTARTBLOCK with the deadline in the restart block (poll).
 * ppoll and pselect6 install their signal mask with sig_set_tempmask and
 * put the old one back at once unless a signal interrupted them.
 *
 * Locking: poll_lock guards poll_gen; it is a sleep interlock (taken
 * before the sleep-queue locks) and is never held with a file's lock.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <poll.h>
#include <spinlock.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <linux/poll.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000UL
#define NSEC_PER_USEC 1000UL
#define NSEC_PER_MSEC 1000000UL

/* Linux's sets (fs/select.c). */
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

#define SELECT_STACK_WORDS (1024 / 64) /* fd_set words kept on the stack */

static struct spinlock poll_lock = SPINLOCK_INITIALIZER("poll");
static uint64_t poll_gen;      /* (poll_lock) bumped by every change */
static unsigned poll_nwaiters; /* atomic: pollers between scan and wake */

void
poll_wakeup(void)
{
	/*
	 * The change was made under the file's lock, which the poller's
	 * scan takes after counting itself; seq_cst orders the two loads.
	 */
	if (__atomic_load_n(&poll_nwaiters, __ATOMIC_SEQ_CST) == 0)
		return;
	spin_lock(&poll_lock);
	poll_gen++;
	spin_unlock(&poll_lock);
	wakeup(&poll_gen);
}

long
poll_wait_for(long (*look)(void *arg, uint64_t *wake), void *arg,
    uint64_t deadline, bool nowait)
{
	uint64_t gen, wake;
	long n;
	int error = 0;

	spin_lock(&poll_lock);
	__atomic_add_fetch(&poll_nwaiters, 1, __ATOMIC_SEQ_CST);
	gen = poll_gen;
	spin_unlock(&poll_lock);
	for (;;) {
		wake = 0;
		n = look(arg, &wake);
		if (n != 0 || nowait ||
		    (deadline != 0 && nanouptime() >= deadline))
			break;
		spin_lock(&poll_lock);
		if (poll_gen == gen)
			error = sleep(&poll_gen, &poll_lock, SLEEP_INTR,
			    poll_wake_min(deadline, wake));
		gen = poll_gen;
		spin_unlock(&poll_lock);
		if (error == -EINTR) {
			n = -EINTR;
			break;
		}
	}
	__atomic_sub_fetch(&poll_nwaiters, 1, __ATOMIC_SEQ_CST);
	return n;
}

/*
 * Look at every file of fds once and fill in revents: the bits of
 * events that hold, plus POLLERR and POLLHUP unless strict (select asks
 * for exactly its sets); POLLNVAL for an fd that is not open; nothing
 * for a negative fd.  *wake becomes the earliest fo_polltime of a file
 * not ready (poll.h).  Returns the number of entries with revents set.
 * No locks held.
 */
static int
poll_scan(struct pollfd *fds, unsigned nfds, bool strict, uint64_t *wake)
{
	struct file *fp;
	short mask, want;
	int n = 0;

	for (unsigned i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		fp = fd_getfile(fds[i].fd);
		if (fp == NULL) {
			fds[i].revents = POLLNVAL;
			n++;
			continue;
		}
		want = fds[i].events | (strict ? 0 : POLLERR | POLLHUP);
		if (fp->f_ops->fo_poll != NULL)
			mask = fp->f_ops->fo_poll(fp, want);
		else
			mask = DEFAULT_POLLMASK;
		if (fp->f_ops->fo_polltime != NULL && (mask & want) == 0)
			*wake =
			    poll_wake_min(*wake, fp->f_ops->fo_polltime(fp));
		file_rele(fp);
		fds[i].revents = mask & want;
		if (fds[i].revents != 0)
			n++;
	}
	return n;
}

/* poll_scan's arguments, for poll_wait_for. */
struct poll_look {
	struct pollfd *fds;
	unsigned nfds;
	bool strict;
};

/* poll_wait_for's look: poll_scan.  No locks held. */
static long
poll_look(void *arg, uint64_t *wake)
{
	struct poll_look *pl = arg;

	return poll_scan(pl->fds, pl->nfds, pl->strict, wake);
}

/*
 * Wait until an entry of fds is ready, the nanouptime deadline passes
 * (0: none; nowait: look once) or the LWP is interrupted.  Returns the
 * number of ready entries (0 at the deadline) or -EINTR.  No locks held.
 */
static int
poll_wait(struct pollfd *fds, unsigned nfds, uint64_t deadline, bool nowait,
    bool strict)
{
	struct poll_look pl = { fds, nfds, strict };

	return (int)poll_wait_for(poll_look, &pl, deadline, nowait);
}

/*
 * poll's work: copy nfds entries in from ufds, wait as poll_wait, copy
 * the results out.  Returns the count, or -EINVAL, -ENOMEM, -EFAULT,
 * -EINTR.  No locks held.
 */
static long
poll_common(struct pollfd *ufds, unsigned long nfds, uint64_t deadline,
    bool nowait)
{
	struct pollfd *fds = NULL;
	size_t size = nfds * sizeof(*fds);
	long n;

	if (nfds > rlimit_cur(curproc, RLIMIT_NOFILE))
		return -EINVAL;
	if (nfds > 0 && (fds = kmalloc(size, 0)) == NULL)
		return -ENOMEM;
	if (copyin(ufds, fds, size) != 0) {
		n = -EFAULT;
		goto out;
	}
	n = poll_wait(fds, nfds, deadline, nowait, false);
	if (n >= 0 && copyout(fds, ufds, size) != 0)
		n = -EFAULT;
out:
	kfree(fds);
	return n;
}

/* restart block arguments (l_restart.arg[]) of poll */
#define RB_UFDS 0
#define RB_NFDS 1
#define RB_DEADLINE 2 /* 0: none */

/* restart_syscall's continuation of poll.  No locks held. */
static long
poll_restart(struct restart_block *rb)
{
	struct pollfd *ufds = (struct pollfd *)rb->arg[RB_UFDS];
	unsigned long nfds = rb->arg[RB_NFDS];
	uint64_t deadline = rb->arg[RB_DEADLINE];
	long n;

	n = poll_common(ufds, nfds, deadline, false);
	if (n == -EINTR) {
		rb->fn = poll_restart; /* restart_syscall cleared it */
		return -ERESTART_RESTARTBLOCK;
	}
	return n;
}

long
sys_poll(struct pollfd *ufds, unsigned long nfds, int timeout)
{
	struct restart_block *rb = &curlwp->l_restart;
	uint64_t deadline = 0;
	long n;

	if (timeout > 0)
		deadline = nanouptime() + (uint64_t)timeout * NSEC_PER_MSEC;
	n = poll_common(ufds, nfds, deadline, timeout == 0);
	if (n == -EINTR) {
		rb->fn = poll_restart;
		rb->arg[RB_UFDS] = (uint64_t)ufds;
		rb->arg[RB_NFDS] = nfds;
		rb->arg[RB_DEADLINE] = deadline;
		return -ERESTART_RESTARTBLOCK;
	}
	return n;
}

int
poll_timeout_copyin(const struct timespec *uts, uint64_t *deadline,
    bool *nowait)
{
	struct timespec ts;

	*deadline = 0;
	*nowait = false;
	if (uts == NULL)
		return 0;
	if (copyin(uts, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	if (ts.tv_sec == 0 && ts.tv_nsec == 0) {
		*nowait = true;
		return 0;
	}
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
		ts.tv_sec = UINT64_MAX / NSEC_PER_SEC / 4;
	*deadline = nanouptime() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

/* The time left before deadline, in ns (0 if passed).  No requirements. */
static uint64_t
time_left(uint64_t deadline)
{
	uint64_t now = nanouptime();

	return deadline > now ? deadline - now : 0;
}

/*
 * Store the time left in the caller's timespec (ppoll, pselect6), as
 * Linux's poll_select_finish; a fault there is ignored, as on Linux.
 * No locks held.
 */
static void
timeout_copyout(struct timespec *uts, uint64_t deadline, bool nowait)
{
	struct timespec ts = { 0, 0 };
	uint64_t left;

	if (uts == NULL || nowait)
		return;
	left = time_left(deadline);
	ts.tv_sec = left / NSEC_PER_SEC;
	ts.tv_nsec = left % NSEC_PER_SEC;
	(void)copyout(&ts, uts, sizeof(ts));
}

int
poll_tempmask_copyin(const void *umask, size_t sigsetsize, bool *set)
{
	uint64_t mask;

	*set = false;
	if (umask == NULL)
		return 0;
	if (sigsetsize != sizeof(mask))
		return -EINVAL;
	if (copyin(umask, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	sig_set_tempmask(mask);
	*set = true;
	return 0;
}

/*
 * The end of ppoll and pselect6: -EINTR becomes -ERESTARTNOHAND and
 * leaves the temporary mask for the signal code; any other result puts
 * the old mask back.  No locks held.
 */
static long
tempmask_finish(long n, bool set)
{
	if (n == -EINTR)
		return -ERESTARTNOHAND;
	if (set)
		sig_restore_tempmask();
	return n;
}

long
sys_ppoll(struct pollfd *ufds, unsigned long nfds, struct timespec *tsp,
    const void *sigmask, size_t sigsetsize)
{
	uint64_t deadline;
	bool nowait, set;
	long n;

	if ((n = poll_timeout_copyin(tsp, &deadline, &nowait)) != 0)
		return n;
	if ((n = poll_tempmask_copyin(sigmask, sigsetsize, &set)) != 0)
		return n;
	n = poll_common(ufds, nfds, deadline, nowait);
	timeout_copyout(tsp, deadline, nowait);
	return tempmask_finish(n, set);
}

/*
 * select's work on fd_sets uin, uout, uex (each may be NULL) for fds
 * below nfds (only as far as the table's slots go, as Linux's: no fd
 * can be higher).  Returns the number of bits set in the results, or
 * -EINVAL, -EBADF, -EFAULT, -ENOMEM, -EINTR.  No locks held.
 */
static long
select_common(int nfds, uint64_t *uin, uint64_t *uout, uint64_t *uex,
    uint64_t deadline, bool nowait)
{
	uint64_t stack_sets[3 * SELECT_STACK_WORDS], *sets = stack_sets;
	uint64_t *in, *out, *ex;
	struct pollfd *fds = NULL;
	struct file *fp;
	unsigned n = 0, words;
	size_t bytes;
	long count;

	if (nfds < 0)
		return -EINVAL;
	if (nfds > fd_nfiles(curproc->p_fd))
		nfds = fd_nfiles(curproc->p_fd);
	words = (nfds + 63) / 64;
	bytes = words * sizeof(uint64_t);
	if (words > SELECT_STACK_WORDS &&
	    (sets = kmalloc(3 * bytes, 0)) == NULL)
		return -ENOMEM;
	in = sets;
	out = in + words;
	ex = out + words;
	memset(sets, 0, 3 * bytes);
	if ((uin != NULL && copyin(uin, in, bytes) != 0) ||
	    (uout != NULL && copyin(uout, out, bytes) != 0) ||
	    (uex != NULL && copyin(uex, ex, bytes) != 0)) {
		count = -EFAULT;
		goto out;
	}
	if (nfds % 64 != 0) { /* bits at and above nfds do not count */
		in[words - 1] &= (1UL << (nfds % 64)) - 1;
		out[words - 1] &= (1UL << (nfds % 64)) - 1;
		ex[words - 1] &= (1UL << (nfds % 64)) - 1;
	}
	for (int fd = 0; fd < nfds; fd++)
		n += ((in[fd / 64] | out[fd / 64] | ex[fd / 64]) >> (fd % 64)) &
		    1;
	if (n > 0 && (fds = kmalloc(n * sizeof(*fds), 0)) == NULL) {
		count = -ENOMEM;
		goto out;
	}
	n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1UL << (fd % 64);
		short events = 0;

		if (in[fd / 64] & bit)
			events |= POLLIN_SET;
		if (out[fd / 64] & bit)
			events |= POLLOUT_SET;
		if (ex[fd / 64] & bit)
			events |= POLLEX_SET;
		if (events == 0)
			continue;
		if ((fp = fd_getfile(fd)) == NULL) {
			count = -EBADF;
			goto out;
		}
		file_rele(fp);
		fds[n].fd = fd;
		fds[n].events = events;
		n++;
	}
	count = poll_wait(fds, n, deadline, nowait, true);
	if (count < 0)
		goto out;
	memset(sets, 0, 3 * bytes);
	count = 0;
	for (unsigned i = 0; i < n; i++) {
		int fd = fds[i].fd;
		uint64_t bit = 1UL << (fd % 64);
		short r = fds[i].revents;

		if ((fds[i].events & POLLIN) && (r & POLLIN_SET)) {
			in[fd / 64] |= bit;
			count++;
		}
		if ((fds[i].events & POLLOUT) && (r & POLLOUT_SET)) {
			out[fd / 64] |= bit;
			count++;
		}
		if ((fds[i].events & POLLPRI) && (r & POLLEX_SET)) {
			ex[fd / 64] |= bit;
			count++;
		}
	}
	if ((uin != NULL && copyout(in, uin, bytes) != 0) ||
	    (uout != NULL && copyout(out, uout, bytes) != 0) ||
	    (uex != NULL && copyout(ex, uex, bytes) != 0))
		count = -EFAULT;
out:
	kfree(fds);
	if (sets != stack_sets)
		kfree(sets);
	return count;
}

long
sys_select(int nfds, void *uin, void *uout, void *uex, struct timeval *utv)
{
	struct timeval tv;
	uint64_t deadline = 0, left;
	bool nowait = false;
	long n;

	if (utv != NULL) {
		if (copyin(utv, &tv, sizeof(tv)) != 0)
			return -EFAULT;
		/* Whole seconds in tv_usec carry over, as Linux's. */
		tv.tv_sec += tv.tv_usec / 1000000;
		tv.tv_usec %= 1000000;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			nowait = true;
		else {
			if ((uint64_t)tv.tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
				tv.tv_sec = UINT64_MAX / NSEC_PER_SEC / 4;
			deadline = nanouptime() + tv.tv_sec * NSEC_PER_SEC +
			    tv.tv_usec * NSEC_PER_USEC;
		}
	}
	n = select_common(nfds, uin, uout, uex, deadline, nowait);
	if (utv != NULL && !nowait) {
		/* The time left, as Linux (a fault there is ignored). */
		left = time_left(deadline);
		tv.tv_sec = left / NSEC_PER_SEC;
		tv.tv_usec = left % NSEC_PER_SEC / NSEC_PER_USEC;
		(void)copyout(&tv, utv, sizeof(tv));
	}
	return n == -EINTR ? -ERESTARTNOHAND : n;
}

long
sys_pselect6(int nfds, void *uin, void *uout, void *uex, struct timespec *uts,
    void *usig)
{
	struct {
		const void *ss;
		size_t ss_len;
	} sig = { NULL, 0 };
	uint64_t deadline;
	bool nowait, set;
	long n;

	if ((n = poll_timeout_copyin(uts, &deadline, &nowait)) != 0)
		return n;
	if (usig != NULL && copyin(usig, &sig, sizeof(sig)) != 0)
		return -EFAULT;
	if ((n = poll_tempmask_copyin(sig.ss, sig.ss_len, &set)) != 0)
		return n;
	n = select_common(nfds, uin, uout, uex, deadline, nowait);
	timeout_copyout(uts, deadline, nowait);
	return tempmask_finish(n, set);
}
