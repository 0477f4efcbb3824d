/*
 * timerfd_create, timerfd_settime and timerfd_gettime: a timer read as
 * a file, with Linux's ABI (fs/timerfd.c).  A read of 8 bytes returns
 * how many times the timer expired since it was set or last read (and
 * zeroes the count), waiting for the first; poll says readable while
 * the count is not 0.
 *
 * Expirations are counted lazily: nothing runs when the timer expires.
 * Whoever looks (read, poll, settime, gettime) first brings the count
 * up to date with the timer's clock (timerfd_update); a read waits with
 * the expiry as its deadline, and a poll or epoll wait learns it from
 * fo_polltime, so it wakes then to look again.  A real-time timer's
 * expiry moves with settings of the clock, as Linux's: each look reads
 * the clock anew (a sleeper computed its deadline from the clock before
 * the setting, and looks again then; settime's poll_wakeup wakes
 * pollers at once).
 *
 * Locking: tf_lock guards the timer; readers sleep on &tf->tf_ticks.
 *   (t)  tf_lock
 *   (c)  set by timerfd_create, then constant
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/kmem.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000ULL

/* Linux's include/uapi/linux/timerfd.h, which Debian 12's headers lack. */
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK
#define TFD_TIMER_ABSTIME (1 << 0)
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)

struct timerfd {
	struct spinlock tf_lock;
	bool tf_realtime;     /* (c) the real-time clock, else the uptime */
	uint64_t tf_expiry;   /* (t) the next expiry on the clock; 0: off */
	uint64_t tf_interval; /* (t) the period; 0: one shot */
	uint64_t tf_ticks;    /* (t) expirations not yet read */
};

/* The timer's clock now.  No requirements. */
static uint64_t
timerfd_now(const struct timerfd *tf)
{
	return tf->tf_realtime ? clock_realtime_ns() : nanouptime();
}

/*
 * Count the expirations up to now (the clock's reading) and move a
 * periodic timer's expiry past now.  The caller holds tf_lock.
 */
static void
timerfd_update(struct timerfd *tf, uint64_t now)
{
	uint64_t n;

	KASSERT(spin_held(&tf->tf_lock));
	if (tf->tf_expiry == 0 || now < tf->tf_expiry)
		return;
	if (tf->tf_interval == 0) {
		tf->tf_ticks++;
		tf->tf_expiry = 0;
		return;
	}
	n = (now - tf->tf_expiry) / tf->tf_interval + 1;
	tf->tf_ticks += n;
	tf->tf_expiry += n * tf->tf_interval;
}

/*
 * The nanouptime at which the armed timer tf expires next, by its
 * clock's reading now.  The caller holds tf_lock; the timer is on.
 */
static uint64_t
timerfd_deadline(const struct timerfd *tf, uint64_t now)
{
	KASSERT(tf->tf_expiry > now);
	return nanouptime() + (tf->tf_expiry - now);
}

/*
 * fo_read: the 8-byte count of expirations, waiting (interruptibly) for
 * the first.  Returns 8, or -EINVAL (n < 8), -EAGAIN (O_NONBLOCK),
 * -ERESTARTSYS or -EFAULT.  No locks held.
 */
static ssize_t
timerfd_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct timerfd *tf = fp->f_data;
	uint64_t ticks, now, deadline;
	int error;

	if (n < sizeof(ticks))
		return -EINVAL;
	nowait = nowait || (file_status_flags(fp) & FNONBLOCK) != 0;
	spin_lock(&tf->tf_lock);
	for (;;) {
		now = timerfd_now(tf);
		timerfd_update(tf, now);
		if (tf->tf_ticks != 0)
			break;
		if (nowait) {
			spin_unlock(&tf->tf_lock);
			return -EAGAIN;
		}
		deadline = tf->tf_expiry != 0 ? timerfd_deadline(tf, now) : 0;
		error =
		    sleep(&tf->tf_ticks, &tf->tf_lock, SLEEP_INTR, deadline);
		if (error == -EINTR) {
			spin_unlock(&tf->tf_lock);
			return -ERESTARTSYS;
		}
	}
	ticks = tf->tf_ticks;
	tf->tf_ticks = 0;
	spin_unlock(&tf->tf_lock);
	/* As Linux's: the count is gone even if it cannot be stored. */
	if (copyout(&ticks, ubuf, sizeof(ticks)) != 0)
		return -EFAULT;
	return sizeof(ticks);
}

/* fo_write: Linux's timerfd has none. */
static ssize_t
timerfd_write(struct file *fp, const void *ubuf, size_t n)
{
	(void)fp, (void)ubuf, (void)n;
	return -EINVAL;
}

/* fo_poll: readable while expirations wait to be read.  No locks held. */
static short
timerfd_poll(struct file *fp, short events)
{
	struct timerfd *tf = fp->f_data;
	bool ready;

	spin_lock(&tf->tf_lock);
	timerfd_update(tf, timerfd_now(tf));
	ready = tf->tf_ticks != 0;
	spin_unlock(&tf->tf_lock);
	return ready ? events & (POLLIN | POLLRDNORM) : 0;
}

/* fo_polltime: when an armed timer with nothing to read expires. */
static uint64_t
timerfd_polltime(struct file *fp)
{
	struct timerfd *tf = fp->f_data;
	uint64_t now, t = 0;

	spin_lock(&tf->tf_lock);
	now = timerfd_now(tf);
	timerfd_update(tf, now);
	if (tf->tf_ticks == 0 && tf->tf_expiry != 0)
		t = timerfd_deadline(tf, now);
	spin_unlock(&tf->tf_lock);
	return t;
}

static void
timerfd_close(struct file *fp)
{
	kfree(fp->f_data);
}

static const struct fileops timerfd_ops = {
	.fo_read = timerfd_read,
	.fo_write = timerfd_write,
	.fo_stat = file_anon_stat,
	.fo_close = timerfd_close,
	.fo_poll = timerfd_poll,
	.fo_polltime = timerfd_polltime,
};

long
sys_timerfd_create(int clockid, int flags)
{
	struct timerfd *tf;

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME &&
	    clockid != CLOCK_REALTIME_ALARM && clockid != CLOCK_BOOTTIME &&
	    clockid != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((tf = kmalloc(sizeof(*tf), KM_ZERO)) == NULL)
		return -ENOMEM;
	spinlock_init(&tf->tf_lock, "timerfd");
	tf->tf_realtime =
	    clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
	return file_anon_open(DTYPE_TIMERFD, &timerfd_ops, tf,
	    (flags & TFD_NONBLOCK) != 0, (flags & TFD_CLOEXEC) != 0);
}

/*
 * The timerfd at ufd, with a reference the caller drops: 0, -EBADF or
 * -EINVAL (not a timerfd).  No locks held.
 */
static int
timerfd_get(int ufd, struct file **fpp)
{
	struct file *fp = fd_getfile(ufd);

	if (fp == NULL)
		return -EBADF;
	if (fp->f_ops != &timerfd_ops) {
		file_rele(fp);
		return -EINVAL;
	}
	*fpp = fp;
	return 0;
}

/* A valid timespec as nanoseconds into *ns; false if not valid. */
static bool
timespec_ns(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= (long)NSEC_PER_SEC)
		return false;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
		*ns = UINT64_MAX / 4;
	else
		*ns =
		    (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return true;
}

static struct timespec
ns_timespec(uint64_t ns)
{
	struct timespec ts = { (long)(ns / NSEC_PER_SEC),
		(long)(ns % NSEC_PER_SEC) };

	return ts;
}

/*
 * Bring tf's count up to date and put the time left and the period in
 * *its, as gettime gives them; returns the clock's reading.  The caller
 * holds tf_lock.
 */
static uint64_t
timerfd_look(struct timerfd *tf, struct itimerspec *its)
{
	uint64_t now = timerfd_now(tf);

	timerfd_update(tf, now);
	its->it_value =
	    ns_timespec(tf->tf_expiry != 0 ? tf->tf_expiry - now : 0);
	its->it_interval = ns_timespec(tf->tf_interval);
	return now;
}

long
sys_timerfd_settime(int ufd, int flags, const struct itimerspec *unew,
    struct itimerspec *uold)
{
	struct itimerspec new, old;
	uint64_t value, interval, now;
	struct timerfd *tf;
	struct file *fp;
	int error;

	if (copyin(unew, &new, sizeof(new)) != 0)
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !timespec_ns(&new.it_value, &value) ||
	    !timespec_ns(&new.it_interval, &interval))
		return -EINVAL;
	if ((error = timerfd_get(ufd, &fp)) != 0)
		return error;
	tf = fp->f_data;
	spin_lock(&tf->tf_lock);
	now = timerfd_look(tf, &old);
	tf->tf_ticks = 0;
	tf->tf_interval = interval;
	if (value == 0)
		tf->tf_expiry = 0;
	else if (flags & TFD_TIMER_ABSTIME)
		tf->tf_expiry = value;
	else
		tf->tf_expiry = now + value;
	/* An absolute time already past expires at once, as on Linux. */
	timerfd_update(tf, now);
	spin_unlock(&tf->tf_lock);
	wakeup(&tf->tf_ticks); /* readers look again */
	poll_wakeup();
	file_rele(fp);
	if (uold != NULL && copyout(&old, uold, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_timerfd_gettime(int ufd, struct itimerspec *ucurr)
{
	struct itimerspec cur;
	struct timerfd *tf;
	struct file *fp;
	int error;

	if ((error = timerfd_get(ufd, &fp)) != 0)
		return error;
	tf = fp->f_data;
	spin_lock(&tf->tf_lock);
	(void)timerfd_look(tf, &cur);
	spin_unlock(&tf->tf_lock);
	file_rele(fp);
	return copyout(&cur, ucurr, sizeof(cur)) != 0 ? -EFAULT : 0;
}
