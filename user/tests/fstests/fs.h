/*
 * fs.h: what the files of fstests share.
 *
 * fstests checks the file system calls with Linux's ABI: the tmpfs root
 * (the unpacked initrd, writable), path lookup and the calls on names
 * and files.
 *
 *	files.c		open/openat/creat flags, read, write, lseek, pread,
 *			pwrite, O_APPEND, truncate, the stat family, chmod,
 *			utimensat, unlink of an open file, exec of a file
 *			written at run time
 *	names.c		mkdir, rmdir, rename, link, symlink, readlink,
 *			getdents64 (10,000 entries), chdir, getcwd, deep
 *			paths, "..", trailing slashes, ELOOP
 *	ns.c		/dev's devices, mount and umount2 of a tmpfs, statfs,
 *			chroot, /proc's files (self, PID/, meminfo, mounts)
 *	stress.c	every bad path pointer (EFAULT), filling tmpfs until
 *			ENOSPC, several processes creating, renaming and
 *			removing the same names (then the directory checked
 *			against the link counts), PATH_MAX, EMFILE at
 *			RLIMIT_NOFILE
 *	calls.c		preadv, pwritev, preadv2, pwritev2, sendfile,
 *			copy_file_range, fsync, flock, the chown family,
 *			futimesat, fallocate, statx, O_PATH, O_TMPFILE
 *	mmap.c		mmap of files (MAP_SHARED between processes,
 *			MAP_PRIVATE), its errnos, msync, SIGBUS past the end
 *			and after truncation, sparse files, the size limit
 *			through a mapping, exec's copy-on-write mapping,
 *			ETXTBSY for the file of a running program
 *	fifo.c		mknod and mknodat, FIFOs: fifo(7)'s open rules,
 *			their bytes dropped at the last close, poll,
 *			fstat, lseek and unlink of an open one
 *	suite.c		the list of tables, and the helper the exec test
 *			runs ("fstests --exit-with N")
 *
 * Each test works in a directory of its own, /tmp/fst.PID (fs_enter), which
 * fs_leave removes whole, so the runner's leak check sees every page and
 * vnode come back.  Everything passes on Linux 6.1 too (make
 * check-linux TEST=fstests), whose root is an initramfs (tmpfs) as well;
 * the few tests that check what only our kernel does are marked native.
 */

#ifndef FS_H
#define FS_H

#include "test.h"

#define FS_EXIT_WITH "--exit-with"
/* The ETXTBSY test's helper: writes one byte, reads stdin to its end. */
#define FS_WAIT "--wait"

extern const struct test fs_files_tests[];
extern const struct test fs_names_tests[];
extern const struct test fs_stress_tests[];
extern const struct test fs_ns_tests[];
extern const struct test fs_calls_tests[];
extern const struct test fs_mmap_tests[];
extern const struct test fs_fifo_tests[];

/* Make /tmp/fst.PID and make it the current directory; its path in *dir. */
void fs_enter(void);
/* Remove /tmp/fst.PID and everything in it, and go back to "/". */
void fs_leave(void);
/* The test directory's absolute path (after fs_enter). */
extern char fs_dir[64];

/* Remove path and, if it is a directory, everything below it. */
void fs_remove_tree(const char *path);

/* Create path with n bytes of byte c (mode 0644); fails the test if not. */
void fs_make_file(const char *path, size_t n, int c);

/* The size of path (stat), or fail. */
long fs_size(const char *path);

#endif /* FS_H */
