/* struct stat and the file-type bits, as Linux x86_64 lays them out. */
#ifndef _STAT_H_
#define _STAT_H_

#include <types.h>

struct timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t st_pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	struct timespec st_atim;
	struct timespec st_mtim;
	struct timespec st_ctim;
	int64_t st_unused[3];
};
_Static_assert(sizeof(struct stat) == 144, "struct stat is 144 bytes on Linux x86_64");
#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)

#endif /* !_STAT_H_ */
