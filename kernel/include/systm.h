/*
 * The kernel's everyday interface: console output, panics, assertions and
 * the string functions.  Included by nearly every file.
 */
#ifndef _SYSTM_H_
#define _SYSTM_H_

#include <types.h>

/* Console output (kernel/kprintf.c).  Safe from any context. */
int kprintf(const char *fmt, ...) __printflike(1, 2);
int kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/*
 * Stop the machine: print "panic: " and the message, the registers and a
 * backtrace, then exit QEMU with code 255 (ABI.md section 1).
 */
void panic(const char *fmt, ...) __printflike(1, 2) __noreturn;

/* Assertions are always compiled in: they state what cannot happen. */
#define KASSERT(e)                                                    \
	do {                                                          \
		if (__predict_false(!(e)))                            \
			panic("assertion \"%s\" failed at %s:%d", #e, \
			    __FILE__, __LINE__);                      \
	} while (0)
#define CTASSERT(e) _Static_assert(e, #e)

/* String and memory functions (kernel/lib/string.c). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);
#define bzero(p, n) memset((p), 0, (n))

#endif /* !_SYSTM_H_ */
