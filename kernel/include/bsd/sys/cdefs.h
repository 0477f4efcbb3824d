/*
 * The few definitions that Debian's libbsd <bsd/sys/queue.h> and
 * <bsd/sys/tree.h> expect from <sys/cdefs.h>, for a freestanding build.
 * Include <bsd/sys/queue.h> and <bsd/sys/tree.h>; this file is found
 * before the C library's because kernel/include comes first on the path.
 */
#ifndef LIBBSD_CDEFS_H
#define LIBBSD_CDEFS_H

#include <stddef.h>

#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#ifndef __inline
#define __inline inline
#endif
#ifndef __offsetof
#define __offsetof(type, field) offsetof(type, field)
#endif
#ifndef __containerof
#define __containerof(x, s, m) \
	((s *)(void *)((const volatile char *)(x)-__offsetof(s, m)))
#endif

#endif /* !LIBBSD_CDEFS_H */
