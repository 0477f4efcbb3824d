/*
 * Basic types shared by all kernel code.  Only the compiler's freestanding
 * headers are used; nothing here depends on a C library.
 */
#ifndef _TYPES_H_
#define _TYPES_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* virtual address */
typedef uint64_t vsize_t;
typedef int pid_t;
typedef int lwpid_t;
typedef long off_t;
typedef unsigned int uid_t; /* Linux's 32-bit user and group ids */
typedef unsigned int gid_t;

#define __packed __attribute__((__packed__))
#define __aligned(n) __attribute__((__aligned__(n)))
#define __noreturn __attribute__((__noreturn__))
#define __noinline __attribute__((__noinline__))
#define __printflike(f, a) __attribute__((__format__(__printf__, f, a)))
#define __section(s) __attribute__((__section__(s)))
#define __used __attribute__((__used__))
#define __unused_arg __attribute__((__unused__))

#define __predict_true(e) __builtin_expect(!!(e), 1)
#define __predict_false(e) __builtin_expect(!!(e), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define howmany(x, y) (((x) + ((y)-1)) / (y))
#define roundup(x, y) (howmany(x, y) * (y))
#define rounddown(x, y) (((x) / (y)) * (y))
#define roundup2(x, y) (((x) + ((y)-1)) & ~((uint64_t)(y)-1))
#define rounddown2(x, y) ((x) & ~((uint64_t)(y)-1))
#define powerof2(x) ((((x)-1) & (x)) == 0)

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif /* !_TYPES_H_ */
