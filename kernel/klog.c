/*
 * The kernel log (klog.h) and syslog(2), Linux's klogctl.
 *
 * Locking: klog_lock, a leaf spinlock (kprintf runs under any lock and
 * in interrupts), guards the ring and the positions (k below); nothing
 * is taken under it.  Nothing is woken by klog_write: a reader of READ
 * sleeps on klog_buf with klog_wait_lock as the interlock, after seeing
 * klog_head unchanged under it, and the boot CPU's clock tick, where no
 * spinlock can be held, takes and drops klog_wait_lock (so a reader that
 * saw the old head is on the sleep queue) and wakes it once the log has
 * grown (klog_tick).  User memory is copied with no lock held, from a
 * kmalloc'ed copy.  After a panic the log is left alone: the console
 * alone says what happened.
 */
#include <systm.h>
#include <clock.h>
#include <cons.h>
#include <copy.h>
#include <errno.h>
#include <klog.h>
#include <spinlock.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/kmem.h>

/* syslog's actions (Linux's SYSLOG_ACTION_*). */
#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

#define LOGLEVEL_DEFAULT (-1)   /* no level saved by CONSOLE_OFF */
#define CONSOLE_LOGLEVEL_MIN 1  /* CONSOLE_OFF's and the lowest level */
#define CONSOLE_LOGLEVEL_BOOT 7 /* Linux's CONSOLE_LOGLEVEL_DEFAULT */

static struct spinlock klog_lock = SPINLOCK_INITIALIZER("klog");
static struct spinlock klog_wait_lock = SPINLOCK_INITIALIZER("klog_wait");
static char klog_buf[KLOG_SIZE]; /* (k) byte i of the log at i % KLOG_SIZE */
static uint64_t klog_head;       /* (k) bytes ever logged; written atomically */
static uint64_t klog_read_pos;   /* (k) READ's position */
static uint64_t klog_clear_pos;  /* (k) READ_ALL starts here at the earliest */
static bool klog_midline;        /* (k) the last byte logged was not '\n' */
static int console_loglevel = CONSOLE_LOGLEVEL_BOOT;  /* (k), atomic reads */
static int saved_console_loglevel = LOGLEVEL_DEFAULT; /* (k) */
static uint64_t klog_woken; /* klog_tick's: klog_head at its last wakeup */

/* Append one byte.  klog_lock held. */
static inline void
klog_putc_locked(char c)
{
	klog_buf[klog_head % KLOG_SIZE] = c;
	__atomic_store_n(&klog_head, klog_head + 1, __ATOMIC_RELAXED);
}

void
klog_write(int level, const char *buf, size_t n)
{
	char prefix[32];
	uint64_t now;
	int len;

	if (n == 0 || cons_panicking())
		return;
	spin_lock(&klog_lock);
	for (size_t i = 0; i < n; i++) {
		if (!klog_midline) {
			now = nanouptime() / 1000;
			len = ksnprintf(prefix, sizeof(prefix),
			    "<%d>[%5lu.%06lu] ", level, now / 1000000,
			    now % 1000000);
			for (int k = 0; k < len; k++)
				klog_putc_locked(prefix[k]);
			klog_midline = true;
		}
		klog_putc_locked(buf[i]);
		if (buf[i] == '\n')
			klog_midline = false;
	}
	spin_unlock(&klog_lock);
}

bool
klog_console(int level)
{
	return level < __atomic_load_n(&console_loglevel, __ATOMIC_RELAXED) ||
	    cons_panicking();
}

void
klog_levels(int levels[4])
{
	levels[0] = __atomic_load_n(&console_loglevel, __ATOMIC_RELAXED);
	levels[1] = KLOG_DEFAULT_LEVEL;
	levels[2] = CONSOLE_LOGLEVEL_MIN;
	levels[3] = CONSOLE_LOGLEVEL_BOOT;
}

void
klog_set_console_level(int level)
{
	spin_lock(&klog_lock);
	__atomic_store_n(&console_loglevel, MAX(level, CONSOLE_LOGLEVEL_MIN),
	    __ATOMIC_RELAXED);
	saved_console_loglevel = LOGLEVEL_DEFAULT;
	spin_unlock(&klog_lock);
}

void
klog_tick(void)
{
	uint64_t head = __atomic_load_n(&klog_head, __ATOMIC_RELAXED);

	if (head != klog_woken) {
		klog_woken = head;
		spin_lock(&klog_wait_lock);
		spin_unlock(&klog_wait_lock);
		wakeup(klog_buf);
	}
}

/*
 * The first byte at or after from that the ring still holds, at the
 * start of a record if the ring has overwritten from.  klog_lock held.
 */
static uint64_t
klog_start_locked(uint64_t from)
{
	uint64_t oldest = klog_head > KLOG_SIZE ? klog_head - KLOG_SIZE : 0;

	KASSERT(spin_held(&klog_lock));
	if (from >= oldest)
		return from;
	while (oldest < klog_head && klog_buf[oldest % KLOG_SIZE] != '\n')
		oldest++;
	return oldest < klog_head ? oldest + 1 : klog_head;
}

/* Copy the log's bytes [from, from + n) to dst.  klog_lock held. */
static void
klog_copy_locked(char *dst, uint64_t from, size_t n)
{
	size_t at = from % KLOG_SIZE, first = MIN(n, KLOG_SIZE - at);

	KASSERT(spin_held(&klog_lock));
	memcpy(dst, klog_buf + at, first);
	memcpy(dst + first, klog_buf, n - first);
}

/*
 * READ_ALL and READ_CLEAR: the newest whole records since the last
 * CLEAR that fit in len bytes, copied out to ubuf; the count, -ENOMEM
 * or -EFAULT.  No locks held.
 */
static long
syslog_read_all(char *ubuf, size_t len, bool clear)
{
	char *copy = kmalloc(MIN(len, (size_t)KLOG_SIZE), 0);
	uint64_t start;
	size_t n;

	if (copy == NULL)
		return -ENOMEM;
	spin_lock(&klog_lock);
	start = klog_start_locked(klog_clear_pos);
	if (klog_head - start > len) {
		/* Drop the oldest records until the rest fits. */
		start = klog_head - len;
		while (start < klog_head &&
		    klog_buf[(start - 1) % KLOG_SIZE] != '\n')
			start++;
	}
	n = klog_head - start;
	klog_copy_locked(copy, start, n);
	if (clear)
		klog_clear_pos = klog_head;
	spin_unlock(&klog_lock);
	if (n > 0 && copyout(copy, ubuf, n) != 0)
		n = (size_t)-EFAULT;
	kfree(copy);
	return (long)n;
}

/*
 * READ: wait until the log holds bytes READ has not returned, then
 * return up to len of them from ubuf; the count, -ENOMEM, -EFAULT, or
 * -ERESTARTSYS when a signal comes first.  No locks held.
 */
static long
syslog_read(char *ubuf, size_t len)
{
	char *copy = kmalloc(MIN(len, (size_t)KLOG_SIZE), 0);
	uint64_t start, seen;
	size_t n;
	int error;

	if (copy == NULL)
		return -ENOMEM;
	for (;;) {
		spin_lock(&klog_lock);
		if ((start = klog_start_locked(klog_read_pos)) < klog_head)
			break; /* holding klog_lock */
		seen = klog_head;
		spin_unlock(&klog_lock);
		spin_lock(&klog_wait_lock);
		error = 0;
		if (__atomic_load_n(&klog_head, __ATOMIC_RELAXED) == seen)
			error = sleep(klog_buf, &klog_wait_lock, SLEEP_INTR, 0);
		spin_unlock(&klog_wait_lock);
		if (error != 0) {
			kfree(copy);
			return -ERESTARTSYS;
		}
	}
	n = MIN(klog_head - start, MIN(len, (size_t)KLOG_SIZE));
	klog_copy_locked(copy, start, n);
	klog_read_pos = start + n;
	spin_unlock(&klog_lock);
	if (copyout(copy, ubuf, n) != 0)
		n = (size_t)-EFAULT;
	kfree(copy);
	return (long)n;
}

long
sys_syslog(int type, char *ubuf, int len)
{
	long rv = 0;

	/* dmesg_restrict, as Debian's kernels set it: root only. */
	if (curproc->p_cred.cr_euid != 0)
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (ubuf == NULL || len < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
		if (!user_range_ok((uint64_t)ubuf, (size_t)len))
			return -EFAULT;
		if (type == SYSLOG_ACTION_READ)
			return syslog_read(ubuf, (size_t)len);
		return syslog_read_all(ubuf, (size_t)len,
		    type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		klog_set_console_level(len);
		return 0;
	case SYSLOG_ACTION_CLEAR:
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
	case SYSLOG_ACTION_SIZE_UNREAD:
		break;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return KLOG_SIZE;
	default:
		return -EINVAL;
	}
	spin_lock(&klog_lock);
	switch (type) {
	case SYSLOG_ACTION_CLEAR:
		klog_clear_pos = klog_head;
		break;
	case SYSLOG_ACTION_CONSOLE_OFF:
		if (saved_console_loglevel == LOGLEVEL_DEFAULT)
			saved_console_loglevel = console_loglevel;
		__atomic_store_n(&console_loglevel, CONSOLE_LOGLEVEL_MIN,
		    __ATOMIC_RELAXED);
		break;
	case SYSLOG_ACTION_CONSOLE_ON:
		if (saved_console_loglevel != LOGLEVEL_DEFAULT) {
			__atomic_store_n(&console_loglevel,
			    saved_console_loglevel, __ATOMIC_RELAXED);
			saved_console_loglevel = LOGLEVEL_DEFAULT;
		}
		break;
	case SYSLOG_ACTION_SIZE_UNREAD:
		rv = (long)(klog_head - klog_start_locked(klog_read_pos));
		break;
	}
	spin_unlock(&klog_lock);
	return rv;
}
