/*
 * The printf formatter behind kprintf and ksnprintf.  Pure code: it has no
 * kernel dependencies and is unit-tested on the host (tests/host/).
 */
#ifndef _KFORMAT_H_
#define _KFORMAT_H_

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character in order. */
typedef void (*kformat_putc_t)(int c, void *arg);

/*
 * Format fmt with the arguments in ap, handing each character to putc.
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with the length modifiers
 * hh h l ll z j t, the flags '-' '0' '+' ' ' '#', a field width and a
 * precision (either may be '*').  %p prints 0x followed by 16 hex digits.
 * A NULL %s prints "(null)".  An unknown conversion is printed as written.
 * Returns the number of characters produced.
 */
int kformat(kformat_putc_t putc, void *arg, const char *fmt, va_list ap);

#endif /* !_KFORMAT_H_ */
