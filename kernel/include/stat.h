/*
 * struct stat and the file-type bits: Linux x86_64's own, from its uapi
 * headers <asm/stat.h> and <linux/stat.h> (linux-libc-dev); struct
 * timespec comes with them from <linux/time.h>.
 */
#ifndef _STAT_H_
#define _STAT_H_

#include <types.h>
#include <asm/stat.h>
#include <linux/stat.h>
#include <linux/time.h>

_Static_assert(sizeof(struct stat) == 144,
    "struct stat is 144 bytes on Linux x86_64");

#endif /* !_STAT_H_ */
