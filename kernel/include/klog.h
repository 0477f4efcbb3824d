/*
 * The kernel log: what kprintf prints, kept in a ring as Linux's printk
 * buffer is, one record a line ("<level>[seconds.micros] text"), for
 * syslog(2) (dmesg).  kprintf's level comes from a KERN_* prefix of its
 * format, KERN_WARNING without one (as Linux's printk); the console shows a message only below
 * the console log level (syslog's CONSOLE_LEVEL, 7 at boot), as Linux's.
 */
#ifndef _KLOG_H_
#define _KLOG_H_

#include <types.h>

/* Linux's printk levels, a format's first two bytes. */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
/* kprintf without a KERN_* prefix: Linux's MESSAGE_LOGLEVEL_DEFAULT. */
#define KLOG_DEFAULT_LEVEL 4

/*
 * The size of the ring (syslog's SIZE_BUFFER): Linux's log_buf_len for
 * CONFIG_LOG_BUF_SHIFT 17, Debian's.
 */
#define KLOG_SIZE (128 * 1024)

/*
 * Append n bytes of a message of level to the log: a record starts at
 * each line.  No requirements (any context; nothing is woken here:
 * klog_tick does it).
 */
void klog_write(int level, const char *buf, size_t n);

/*
 * /proc/sys/kernel/printk's four numbers: the console log level, the
 * level of a message without one, the lowest console level, the console
 * level at boot.  No spinlock held.
 */
void klog_levels(int levels[4]);

/*
 * Set the console log level to level (at least the lowest one), as a
 * write to /proc/sys/kernel/printk.  No spinlock held.
 */
void klog_set_console_level(int level);

/* Whether a message of level goes to the console now.  No requirements. */
bool klog_console(int level);

/*
 * Wake readers of syslog's READ if the log grew since the last call:
 * from the boot CPU's clock tick, where no spinlock is held.  Interrupts
 * masked.
 */
void klog_tick(void);

#endif /* _KLOG_H_ */
