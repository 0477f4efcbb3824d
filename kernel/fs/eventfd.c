/*
 * eventfd and eventfd2: a file holding a 64-bit counter, with Linux's
 * ABI (fs/eventfd.c).  A write of 8 bytes adds its value; a read of 8
 * bytes returns the counter and sets it to 0, or, with EFD_SEMAPHORE,
 * returns 1 and takes 1 off.  A read of 0 waits until the counter is
 * not 0, a write that would take it past EFD_MAX waits until a read
 * makes room (both EAGAIN with O_NONBLOCK).  poll says readable while
 * the counter is not 0, writable while a write of 1 would not wait.
 *
 * Locking: ef_lock guards the counter and the event counts; readers
 * sleep on &ef->ef_rwait, writers on &ef->ef_wwait.  The file's last
 * reference frees it.
 *   (e)  ef_lock
 *   (c)  set by sys_eventfd2, then constant
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/kmem.h>
#include <linux/fcntl.h>
#include <linux/poll.h>

/* Linux's include/uapi/linux/eventfd.h, which Debian 12's headers lack. */
#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

#define EFD_MAX (UINT64_MAX - 1) /* the highest count a write makes */

struct eventfd {
	struct spinlock ef_lock;
	uint64_t ef_count; /* (e) */
	/*
	 * (e) The wakeups so far of readers (writes) and of writers
	 * (reads), for epoll's edge-triggered items (fo_pollev).
	 */
	uint64_t ef_rwakes, ef_wwakes;
	bool ef_semaphore; /* (c) EFD_SEMAPHORE */
	int ef_rwait;      /* channel: the count became non-zero */
	int ef_wwait;      /* channel: the count went down */
};

/*
 * fo_read: 8 bytes, the count (or 1 with EFD_SEMAPHORE), waiting
 * (interruptibly) while it is 0.  Returns 8, or -EINVAL (n < 8),
 * -EAGAIN (O_NONBLOCK), -ERESTARTSYS or -EFAULT.  No locks held.
 */
static ssize_t
eventfd_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct eventfd *ef = fp->f_data;
	uint64_t value;

	if (n < sizeof(value))
		return -EINVAL;
	nowait = nowait || (file_status_flags(fp) & FNONBLOCK) != 0;
	spin_lock(&ef->ef_lock);
	while (ef->ef_count == 0) {
		if (nowait) {
			spin_unlock(&ef->ef_lock);
			return -EAGAIN;
		}
		if (sleep(&ef->ef_rwait, &ef->ef_lock, SLEEP_INTR, 0) != 0) {
			spin_unlock(&ef->ef_lock);
			return -ERESTARTSYS;
		}
	}
	value = ef->ef_semaphore ? 1 : ef->ef_count;
	ef->ef_count -= value;
	ef->ef_wwakes++;
	spin_unlock(&ef->ef_lock);
	wakeup(&ef->ef_wwait);
	poll_wakeup();
	/* A fault loses the value, as on Linux, which copies after taking. */
	if (copyout(&value, ubuf, sizeof(value)) != 0)
		return -EFAULT;
	return sizeof(value);
}

/*
 * fo_write: add the 8-byte value at ubuf, waiting (interruptibly) while
 * that would take the count past EFD_MAX.  Returns 8, or -EINVAL (n <
 * 8, or the value is UINT64_MAX), -EFAULT, -EAGAIN (O_NONBLOCK) or
 * -ERESTARTSYS.  No locks held.
 */
static ssize_t
eventfd_write(struct file *fp, const void *ubuf, size_t n)
{
	struct eventfd *ef = fp->f_data;
	uint64_t value;

	if (n < sizeof(value))
		return -EINVAL;
	if (copyin(ubuf, &value, sizeof(value)) != 0)
		return -EFAULT;
	if (value == UINT64_MAX)
		return -EINVAL;
	spin_lock(&ef->ef_lock);
	while (EFD_MAX - ef->ef_count < value) {
		if (file_status_flags(fp) & FNONBLOCK) {
			spin_unlock(&ef->ef_lock);
			return -EAGAIN;
		}
		if (sleep(&ef->ef_wwait, &ef->ef_lock, SLEEP_INTR, 0) != 0) {
			spin_unlock(&ef->ef_lock);
			return -ERESTARTSYS;
		}
	}
	ef->ef_count += value;
	ef->ef_rwakes++; /* even for 0, as Linux wakes its readers then */
	spin_unlock(&ef->ef_lock);
	wakeup(&ef->ef_rwait);
	poll_wakeup();
	return sizeof(value);
}

/* fo_close: the last reference; nobody sleeps on ef.  No locks held. */
static void
eventfd_close(struct file *fp)
{
	kfree(fp->f_data);
}

/*
 * fo_poll, as Linux's eventfd_poll.  The count is read under ef_lock, as
 * poll_wakeup's ordering needs.  No locks held.
 */
static short
eventfd_poll(struct file *fp, short events)
{
	struct eventfd *ef = fp->f_data;
	short revents = 0;
	uint64_t count;

	spin_lock(&ef->ef_lock);
	count = ef->ef_count;
	spin_unlock(&ef->ef_lock);

	if (count > 0)
		revents |= events & (POLLIN | POLLRDNORM);
	if (count < EFD_MAX)
		revents |= events & (POLLOUT | POLLWRNORM);
	return revents;
}

/* fo_pollev: writes wake readers (POLLIN), reads wake writers.  No locks. */
static uint64_t
eventfd_pollev(struct file *fp, short events)
{
	struct eventfd *ef = fp->f_data;
	uint64_t n = 0;

	spin_lock(&ef->ef_lock);
	if (events & (POLLIN | POLLRDNORM))
		n += ef->ef_rwakes;
	if (events & (POLLOUT | POLLWRNORM))
		n += ef->ef_wwakes;
	spin_unlock(&ef->ef_lock);
	return n;
}

static const struct fileops eventfd_ops = {
	.fo_read = eventfd_read,
	.fo_write = eventfd_write,
	.fo_stat = file_anon_stat,
	.fo_close = eventfd_close,
	.fo_poll = eventfd_poll,
	.fo_pollev = eventfd_pollev,
};

long
sys_eventfd2(unsigned int count, int flags)
{
	struct eventfd *ef;

	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	if ((ef = kmalloc(sizeof(*ef), KM_ZERO)) == NULL)
		return -ENOMEM;
	spinlock_init(&ef->ef_lock, "eventfd");
	ef->ef_count = count;
	ef->ef_semaphore = (flags & EFD_SEMAPHORE) != 0;
	return file_anon_open(DTYPE_EVENTFD, &eventfd_ops, ef,
	    (flags & EFD_NONBLOCK) != 0, (flags & EFD_CLOEXEC) != 0);
}

long
sys_eventfd(unsigned int count)
{
	return sys_eventfd2(count, 0);
}
