/*
 * What the kernel's pure code needs from the rest of the kernel on the
 * host: panic (for KASSERT), spinlocks (for the code that takes or
 * asserts one), and the kernel/lib/string.c functions that the host's C
 * library (glibc 2.36) lacks.  Every host test links this.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <types.h>
#include <spinlock.h>

/*
 * The kernel's panic: report on stderr and abort, so a test (or a forked
 * test child that expects to die) stops visibly.
 */
void
panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}

/*
 * Spinlocks without other CPUs: they only check that a lock is not taken
 * twice or released while free, and spin_held answers for the one thread.
 */
void
spinlock_init(struct spinlock *sl, const char *name)
{
	sl->sl_locked = 0;
	sl->sl_owner = NULL;
	sl->sl_name = name;
}

void
spin_lock(struct spinlock *sl)
{
	if (sl->sl_locked)
		panic("spin_lock: %s already held", sl->sl_name);
	sl->sl_locked = 1;
}

void
spin_unlock(struct spinlock *sl)
{
	if (!sl->sl_locked)
		panic("spin_unlock: %s not held", sl->sl_name);
	sl->sl_locked = 0;
}

bool
spin_held(const struct spinlock *sl)
{
	return sl->sl_locked != 0;
}

void
spin_intr_push(void)
{
}

void
spin_intr_pop(void)
{
}
