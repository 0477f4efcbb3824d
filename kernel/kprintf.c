/*
 * kprintf and ksnprintf on top of the kformat formatter.  kprintf
 * formats into a line buffer and hands whole pieces to the kernel log
 * (klog.h) and, if its level shows there, to cons_write, so one call's
 * output is not interleaved with another CPU's.
 */
#include <systm.h>
#include <cons.h>
#include <klog.h>
#include <lib/kformat.h>

struct kprintf_buf {
	char kb_buf[128];
	size_t kb_len;
	int kb_level; /* its KERN_* level */
};

/* Hand kb's bytes on.  No requirements. */
static void
kprintf_flush(struct kprintf_buf *kb)
{
	klog_write(kb->kb_level, kb->kb_buf, kb->kb_len);
	if (klog_console(kb->kb_level))
		cons_write(kb->kb_buf, kb->kb_len);
	kb->kb_len = 0;
}

static void
kprintf_putc(int c, void *arg)
{
	struct kprintf_buf *kb = arg;

	kb->kb_buf[kb->kb_len++] = (char)c;
	if (kb->kb_len == sizeof(kb->kb_buf))
		kprintf_flush(kb);
}

int
kvprintf(const char *fmt, va_list ap)
{
	struct kprintf_buf kb;
	int n;

	kb.kb_len = 0;
	kb.kb_level = KLOG_DEFAULT_LEVEL;
	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		kb.kb_level = fmt[1] - '0';
		fmt += 2;
	}
	n = kformat(kprintf_putc, &kb, fmt, ap);
	if (kb.kb_len > 0)
		kprintf_flush(&kb);
	return n;
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

struct ksnprintf_buf {
	char *ks_buf;
	size_t ks_size;
	size_t ks_len;
};

static void
ksnprintf_putc(int c, void *arg)
{
	struct ksnprintf_buf *ks = arg;

	if (ks->ks_len + 1 < ks->ks_size)
		ks->ks_buf[ks->ks_len] = (char)c;
	ks->ks_len++;
}

/*
 * Format into buf, writing at most size bytes including the NUL.
 * Returns the length the whole output would have had.
 */
int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct ksnprintf_buf ks = { buf, size, 0 };
	int n;

	n = kformat(ksnprintf_putc, &ks, fmt, ap);
	if (size > 0)
		buf[MIN(ks.ks_len, size - 1)] = '\0';
	return n;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
