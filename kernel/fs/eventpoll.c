/*
 * epoll: epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait
 * and epoll_pwait2, with Linux's ABI (fs/eventpoll.c).
 *
 * An epoll is a file (DTYPE_EPOLL) whose object, struct eventpoll,
 * keeps an interest list of items, one per (file, fd) pair added, as
 * Linux keys them: the fd only tells two items of one file apart (dup),
 * and closing it does not remove the item; the file's last reference
 * does (eventpoll_release), as Linux's.  An item holds no reference.
 *
 * Readiness.  There is no ready list: epoll_wait looks at its items'
 * files (fo_poll) as poll does, and waits on poll's one channel
 * (poll.h) for any file to change, so that every file with fo_poll
 * works with epoll unchanged.  What Linux's ready list gives is kept:
 *   - level-triggered items are reported while ready, and each item
 *     reported goes to the end of the list, so that a caller taking
 *     fewer events than are ready gets the others next time;
 *   - an edge-triggered item (EPOLLET) is reported once per wakeup of
 *     its file for its events, as Linux queues it from its wait-queue
 *     callback: the file's count of those wakeups (fo_pollev) is
 *     remembered at each report, and the item is reported again only
 *     once the count moved and the file is ready (a file without
 *     fo_pollev: once an event bit that was not ready becomes ready);
 *     a new item, or one modified, is reported if ready;
 *   - an EPOLLONESHOT item is disabled once reported, until
 *     EPOLL_CTL_MOD.
 * A wait also wakes when the earliest timer among the items expires
 * (fo_polltime: a timerfd), which no event announces.  An epoll is
 * itself pollable (readable while an item would be reported), so epolls
 * nest, at most EP_MAX_NESTS deep, and never in a cycle (ELOOP).
 *
 * Locking: one mutex, epoll_mtx, guards every epoll's list and items and
 * every file's list of items (f_epitems), as the simplest correct
 * design: a file's items are removed by its last reference under it, so
 * while it is held an item's file is valid (not yet closed), and a
 * nested epoll's items are looked at under the one lock.  File locks
 * (fo_poll) are taken under it; nothing takes it under a spinlock.
 * epoll_wait copies events out under it, as Linux copies under its
 * ep->mtx, so that an item whose event cannot be copied is not
 * consumed.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <mutex.h>
#include <poll.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <linux/eventpoll.h>
#include <linux/poll.h>

#define NSEC_PER_MSEC 1000000UL

/* Linux's limits: nesting depth, and events per call (INT_MAX / 12). */
#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

/* The bits of an item that are not events: kept when ONESHOT disables. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

/* What EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EP_EXCLUSIVE_OK                                                 \
	(EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | \
	    EPOLLWRBAND | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
	    EPOLLEXCLUSIVE)

/* The poll bits fo_poll knows (the low 16). */
#define EP_POLL_BITS 0xffffU

struct eventpoll;

/* One (file, fd) an epoll watches.  (m): epoll_mtx. */
struct epitem {
	TAILQ_ENTRY(epitem) ei_link; /* (m) on ei_ep's ep_items */
	LIST_ENTRY(epitem) ei_flink; /* (m) on ei_fp's f_epitems */
	struct eventpoll *ei_ep;     /* (m) the epoll */
	struct file *ei_fp;          /* (m) the file (no reference) */
	int ei_fd;                   /* (m) its fd when added */
	uint32_t ei_events;          /* (m) events, EPOLLERR, EPOLLHUP, flags */
	uint64_t ei_data;            /* (m) the caller's data */
	/* (m) Edge-triggered: what was reported, as described above. */
	uint64_t ei_wakes; /* the file's fo_pollev count at the last report */
	short ei_ready;    /* without fo_pollev: the bits epoll_wait last saw */
	bool ei_fresh;     /* not reported since added or modified */
};

/* (m) epoll_mtx */
struct eventpoll {
	TAILQ_HEAD(, epitem) ep_items; /* the interest list, in report order */
	uint64_t ep_visited;           /* ep_loop_check's mark */
};

static struct mutex epoll_mtx = MUTEX_INITIALIZER("epoll");
static uint64_t ep_loop_gen; /* (m) the mark of the current loop check */

static inline struct eventpoll *
file_eventpoll(struct file *fp)
{
	return fp->f_type == DTYPE_EPOLL ? fp->f_data : NULL;
}

static short ep_poll_locked(struct eventpoll *ep, short events, int depth);

/*
 * The bits of epi's events its file has now, looking depth epolls deep
 * (a nested epoll is looked at without taking the lock again).  The
 * caller holds epoll_mtx.
 */
static short
ep_item_poll(struct epitem *epi, int depth)
{
	short want = (short)(epi->ei_events & EP_POLL_BITS);
	struct eventpoll *inner = file_eventpoll(epi->ei_fp);
	short mask;

	KASSERT(mutex_held(&epoll_mtx));
	if (inner != NULL)
		mask = ep_poll_locked(inner, want, depth + 1);
	else /* epoll_ctl takes only files with fo_poll (EPERM) */
		mask = epi->ei_fp->f_ops->fo_poll(epi->ei_fp, want);
	return mask & want;
}

/*
 * Whether epi is to be reported now, with the bits in *mask and, for an
 * edge-triggered item, its file's wakeup count to remember at the
 * report in *wakes.  Changes nothing.  The caller holds epoll_mtx.
 */
static bool
ep_item_due(struct epitem *epi, int depth, short *mask, uint64_t *wakes)
{
	const struct fileops *ops = epi->ei_fp->f_ops;
	short want = (short)(epi->ei_events & EP_POLL_BITS);

	*wakes = 0;
	if (!(epi->ei_events & EPOLLET)) {
		*mask = ep_item_poll(epi, depth);
		return *mask != 0;
	}
	/* The count first: a wakeup after it moves it past what we keep. */
	if (ops->fo_pollev != NULL)
		*wakes = ops->fo_pollev(epi->ei_fp, want);
	*mask = ep_item_poll(epi, depth);
	if (*mask == 0)
		return false;
	if (epi->ei_fresh)
		return true;
	if (ops->fo_pollev != NULL)
		return *wakes != epi->ei_wakes;
	return (*mask & ~epi->ei_ready) != 0;
}

/*
 * An epoll's fo_poll, depth epolls deep: readable when an item would be
 * reported; never deeper than EP_MAX_NESTS.  The caller holds
 * epoll_mtx.
 */
static short
ep_poll_locked(struct eventpoll *ep, short events, int depth)
{
	struct epitem *epi;
	uint64_t wakes;
	short mask;

	KASSERT(mutex_held(&epoll_mtx));
	if (depth > EP_MAX_NESTS)
		return 0;
	TAILQ_FOREACH(epi, &ep->ep_items, ei_link)
	{
		if (ep_item_due(epi, depth, &mask, &wakes))
			return events & (POLLIN | POLLRDNORM);
	}
	return 0;
}

/*
 * When, at the earliest, an item of ep (depth epolls deep) that is not
 * ready now becomes ready with no event (fo_polltime), or 0.  The
 * caller holds epoll_mtx.
 */
static uint64_t
ep_polltime_locked(struct eventpoll *ep, int depth)
{
	struct eventpoll *inner;
	struct epitem *epi;
	uint64_t wake = 0, t;

	KASSERT(mutex_held(&epoll_mtx));
	if (depth > EP_MAX_NESTS)
		return 0;
	TAILQ_FOREACH(epi, &ep->ep_items, ei_link)
	{
		if ((epi->ei_events & EP_POLL_BITS) == 0)
			continue; /* disabled (EPOLLONESHOT) */
		if ((inner = file_eventpoll(epi->ei_fp)) != NULL)
			t = ep_polltime_locked(inner, depth + 1);
		else if (epi->ei_fp->f_ops->fo_polltime != NULL)
			t = epi->ei_fp->f_ops->fo_polltime(epi->ei_fp);
		else
			continue;
		wake = poll_wake_min(wake, t);
	}
	return wake;
}

/* fo_polltime of an epoll: its items'.  No locks held. */
static uint64_t
eventpoll_polltime(struct file *fp)
{
	uint64_t t;

	mutex_lock(&epoll_mtx);
	t = ep_polltime_locked(fp->f_data, 0);
	mutex_unlock(&epoll_mtx);
	return t;
}

/* fo_poll of an epoll.  No locks held. */
static short
eventpoll_poll(struct file *fp, short events)
{
	short mask;

	mutex_lock(&epoll_mtx);
	mask = ep_poll_locked(fp->f_data, events, 0);
	mutex_unlock(&epoll_mtx);
	return mask;
}

/*
 * Take epi off its epoll and its file, and free it.  The caller holds
 * epoll_mtx.
 */
static void
ep_remove(struct epitem *epi)
{
	KASSERT(mutex_held(&epoll_mtx));
	TAILQ_REMOVE(&epi->ei_ep->ep_items, epi, ei_link);
	LIST_REMOVE(epi, ei_flink);
	kfree(epi);
}

void
eventpoll_release(struct file *fp)
{
	struct epitem *epi;

	mutex_lock(&epoll_mtx);
	while ((epi = LIST_FIRST(&fp->f_epitems)) != NULL)
		ep_remove(epi);
	mutex_unlock(&epoll_mtx);
}

/* fo_close of an epoll: its items go.  No locks held. */
static void
eventpoll_close(struct file *fp)
{
	struct eventpoll *ep = fp->f_data;
	struct epitem *epi;

	mutex_lock(&epoll_mtx);
	while ((epi = TAILQ_FIRST(&ep->ep_items)) != NULL)
		ep_remove(epi);
	mutex_unlock(&epoll_mtx);
	kfree(ep);
}

/* fo_read and fo_write of an epoll: Linux's file has neither. */
static ssize_t
eventpoll_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	(void)fp, (void)ubuf, (void)n, (void)nowait;
	return -EINVAL;
}

static ssize_t
eventpoll_write(struct file *fp, const void *ubuf, size_t n)
{
	(void)fp, (void)ubuf, (void)n;
	return -EINVAL;
}

static const struct fileops eventpoll_ops = {
	.fo_read = eventpoll_read,
	.fo_write = eventpoll_write,
	.fo_stat = file_anon_stat,
	.fo_close = eventpoll_close,
	.fo_poll = eventpoll_poll,
	.fo_polltime = eventpoll_polltime,
};

long
sys_epoll_create1(int flags)
{
	struct eventpoll *ep;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	if ((ep = kmalloc(sizeof(*ep), KM_ZERO)) == NULL)
		return -ENOMEM;
	TAILQ_INIT(&ep->ep_items);
	return file_anon_open(DTYPE_EPOLL, &eventpoll_ops, ep, false,
	    (flags & EPOLL_CLOEXEC) != 0);
}

long
sys_epoll_create(int size)
{
	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0);
}

/*
 * Whether adding the epoll inner to ep would close a cycle or nest
 * epolls more than EP_MAX_NESTS deep below ep (Linux's ep_loop_check):
 * a walk of the epolls inner watches, depth deep, each once per check.
 * The caller holds epoll_mtx.
 */
static bool
ep_loop(struct eventpoll *ep, struct eventpoll *inner, int depth)
{
	struct eventpoll *next;
	struct epitem *epi;

	inner->ep_visited = ep_loop_gen;
	TAILQ_FOREACH(epi, &inner->ep_items, ei_link)
	{
		if ((next = file_eventpoll(epi->ei_fp)) == NULL ||
		    next->ep_visited == ep_loop_gen)
			continue;
		if (next == ep || depth > EP_MAX_NESTS ||
		    ep_loop(ep, next, depth + 1))
			return true;
	}
	return false;
}

/* The item of ep for (fp, fd), or NULL.  The caller holds epoll_mtx. */
static struct epitem *
ep_find(struct eventpoll *ep, struct file *fp, int fd)
{
	struct epitem *epi;

	LIST_FOREACH(epi, &fp->f_epitems, ei_flink)
	{
		if (epi->ei_ep == ep && epi->ei_fd == fd)
			return epi;
	}
	return NULL;
}

/*
 * EPOLL_CTL_ADD, _MOD and _DEL of (tfp, fd) on ep with *ev (NULL for
 * DEL), after the checks of the files.  Returns 0, -EEXIST, -ENOENT,
 * -EINVAL, -ELOOP or -ENOMEM.  No locks held.
 */
static int
ep_ctl(struct eventpoll *ep, int op, struct file *tfp, int fd,
    const struct epoll_event *ev)
{
	struct eventpoll *inner = file_eventpoll(tfp);
	struct epitem *epi, *new = NULL;
	int error = 0;

	if (op == EPOLL_CTL_ADD && (new = kmalloc(sizeof(*new), 0)) == NULL)
		return -ENOMEM;
	mutex_lock(&epoll_mtx);
	if (op == EPOLL_CTL_ADD && inner != NULL) {
		ep_loop_gen++;
		if (ep_loop(ep, inner, 0)) {
			error = -ELOOP;
			goto out;
		}
	}
	epi = ep_find(ep, tfp, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi != NULL) {
			error = -EEXIST;
			break;
		}
		epi = new;
		new = NULL;
		epi->ei_ep = ep;
		epi->ei_fp = tfp;
		epi->ei_fd = fd;
		TAILQ_INSERT_TAIL(&ep->ep_items, epi, ei_link);
		LIST_INSERT_HEAD(&tfp->f_epitems, epi, ei_flink);
		/* FALLTHROUGH */
	case EPOLL_CTL_MOD:
		if (epi == NULL) {
			error = -ENOENT;
			break;
		}
		/* An exclusive item cannot be modified (Linux's EINVAL). */
		if (op == EPOLL_CTL_MOD && (epi->ei_events & EPOLLEXCLUSIVE)) {
			error = -EINVAL;
			break;
		}
		epi->ei_events = ev->events | EPOLLERR | EPOLLHUP;
		epi->ei_data = ev->data;
		epi->ei_wakes = 0;
		epi->ei_ready = 0;
		epi->ei_fresh = true;
		break;
	case EPOLL_CTL_DEL:
		if (epi == NULL)
			error = -ENOENT;
		else
			ep_remove(epi);
		break;
	default:
		error = -EINVAL;
		break;
	}
out:
	mutex_unlock(&epoll_mtx);
	kfree(new);
	/* An item that is ready now wakes those waiting on ep. */
	if (error == 0 && op != EPOLL_CTL_DEL)
		poll_wakeup();
	return error;
}

/*
 * Linux's do_epoll_ctl, in its order: the files (EBADF), the target's
 * poll (EPERM: a file without fo_poll, such as a regular file, cannot
 * be watched), then EINVAL for an epfd that is not an epoll, a target
 * that is the epoll itself, or EPOLLEXCLUSIVE where it cannot be.
 */
long
sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *uev)
{
	struct file *fp, *tfp = NULL;
	struct epoll_event ev = { 0, 0 };
	bool has_event = op != EPOLL_CTL_DEL;
	long error;

	if (has_event && copyin(uev, &ev, sizeof(ev)) != 0)
		return -EFAULT;
	if ((fp = fd_getfile(epfd)) == NULL)
		return -EBADF;
	error = -EBADF;
	if ((tfp = fd_getfile(fd)) == NULL)
		goto out;
	error = -EPERM;
	if (tfp->f_ops->fo_poll == NULL)
		goto out;
	ev.events &= ~EPOLLWAKEUP; /* without CAP_BLOCK_SUSPEND, as Linux */
	error = -EINVAL;
	if (fp == tfp || file_eventpoll(fp) == NULL)
		goto out;
	if (has_event && (ev.events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD ||
		(op == EPOLL_CTL_ADD &&
		    (file_eventpoll(tfp) != NULL ||
			(ev.events & ~EP_EXCLUSIVE_OK) != 0))))
		goto out;
	error = ep_ctl(fp->f_data, op, tfp, fd, has_event ? &ev : NULL);
out:
	if (tfp != NULL)
		file_rele(tfp);
	file_rele(fp);
	return error;
}

/*
 * Report up to maxevents of ep's due items to uevents, copying each out
 * as it goes; reported level-triggered items go to the end of the list.
 * Returns the count, or -EFAULT if the first could not be copied (that
 * item and those after it are not consumed).  The caller holds
 * epoll_mtx.
 */
static int
ep_send_events(struct eventpoll *ep, struct epoll_event *uevents, int maxevents)
{
	TAILQ_HEAD(, epitem) sent = TAILQ_HEAD_INITIALIZER(sent);
	struct epitem *epi, *next;
	struct epoll_event ev;
	uint64_t wakes;
	short mask;
	int n = 0;

	KASSERT(mutex_held(&epoll_mtx));
	TAILQ_FOREACH_SAFE(epi, &ep->ep_items, ei_link, next)
	{
		if (n == maxevents)
			break;
		if (!ep_item_due(epi, 0, &mask, &wakes)) {
			epi->ei_ready = mask; /* the last look, for EPOLLET */
			continue;
		}
		ev.events = (uint16_t)mask;
		ev.data = epi->ei_data;
		if (copyout(&ev, &uevents[n], sizeof(ev)) != 0) {
			if (n == 0)
				n = -EFAULT;
			break;
		}
		n++;
		epi->ei_fresh = false;
		epi->ei_wakes = wakes;
		epi->ei_ready = mask;
		if (epi->ei_events & EPOLLONESHOT)
			epi->ei_events &= EP_PRIVATE_BITS;
		else if (!(epi->ei_events & EPOLLET)) {
			TAILQ_REMOVE(&ep->ep_items, epi, ei_link);
			TAILQ_INSERT_TAIL(&sent, epi, ei_link);
		}
	}
	TAILQ_CONCAT(&ep->ep_items, &sent, ei_link);
	return n;
}

/* ep_send_events's arguments, for poll_wait_for. */
struct ep_look {
	struct eventpoll *ep;
	struct epoll_event *uevents;
	int maxevents;
};

/*
 * poll_wait_for's look: ep_send_events under epoll_mtx, and, with
 * nothing to report, when a timer among the items expires.  No locks
 * held.
 */
static long
ep_look(void *arg, uint64_t *wake)
{
	struct ep_look *el = arg;
	int n;

	mutex_lock(&epoll_mtx);
	n = ep_send_events(el->ep, el->uevents, el->maxevents);
	if (n == 0)
		*wake = ep_polltime_locked(el->ep, 0);
	mutex_unlock(&epoll_mtx);
	return n;
}

/*
 * Linux's do_epoll_wait: maxevents and the events array (EINVAL,
 * EFAULT), the epoll (EBADF, EINVAL), then wait for events until the
 * nanouptime deadline (0: none; nowait: look once).  Returns the count,
 * 0 at the deadline, -EINTR (a signal: never restarted, as Linux's)
 * or -EFAULT.  No locks held.
 */
static long
ep_wait(int epfd, struct epoll_event *uevents, int maxevents, uint64_t deadline,
    bool nowait)
{
	struct ep_look el = { NULL, uevents, maxevents };
	struct file *fp;
	long n;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	/* The range only, as Linux's access_ok: mapped or not. */
	if (!user_range_ok((uint64_t)uevents,
		(size_t)maxevents * sizeof(*uevents)))
		return -EFAULT;
	if ((fp = fd_getfile(epfd)) == NULL)
		return -EBADF;
	if ((el.ep = file_eventpoll(fp)) == NULL) {
		file_rele(fp);
		return -EINVAL;
	}
	n = poll_wait_for(ep_look, &el, deadline, nowait);
	file_rele(fp);
	return n;
}

long
sys_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	uint64_t deadline = 0;

	if (timeout > 0)
		deadline = nanouptime() + (uint64_t)timeout * NSEC_PER_MSEC;
	return ep_wait(epfd, events, maxevents, deadline, timeout == 0);
}

/*
 * epoll_pwait and epoll_pwait2: ep_wait under the signal mask sigmask
 * (if not NULL), which stays for the handler of a signal that ended
 * the wait (-EINTR) and is put back otherwise.  No locks held.
 */
static long
ep_pwait(int epfd, struct epoll_event *events, int maxevents, uint64_t deadline,
    bool nowait, const void *sigmask, size_t sigsetsize)
{
	bool set;
	long n;

	if ((n = poll_tempmask_copyin(sigmask, sigsetsize, &set)) != 0)
		return n;
	n = ep_wait(epfd, events, maxevents, deadline, nowait);
	if (set && n != -EINTR)
		sig_restore_tempmask();
	return n;
}

long
sys_epoll_pwait(int epfd, struct epoll_event *events, int maxevents,
    int timeout, const void *sigmask, size_t sigsetsize)
{
	uint64_t deadline = 0;

	if (timeout > 0)
		deadline = nanouptime() + (uint64_t)timeout * NSEC_PER_MSEC;
	return ep_pwait(epfd, events, maxevents, deadline, timeout == 0,
	    sigmask, sigsetsize);
}

long
sys_epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
    const struct timespec *timeout, const void *sigmask, size_t sigsetsize)
{
	uint64_t deadline;
	bool nowait;
	long n;

	if ((n = poll_timeout_copyin(timeout, &deadline, &nowait)) != 0)
		return n;
	return ep_pwait(epfd, events, maxevents, deadline, nowait, sigmask,
	    sigsetsize);
}
