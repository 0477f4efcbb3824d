/*
 * Included first (gcc -include) by the host test of the VFS and tmpfs
 * (test_vfs.c), so that kernel/fs/vfs.c and kernel/fs/tmpfs.c build
 * unchanged on the host:
 *
 *  - the file-type bits: Linux's <linux/stat.h> leaves them to the C
 *    library when it is glibc (the host's), so they are given here with
 *    Linux's values;
 *  - curlwp: the kernel reads it through %gs; here it is a variable
 *    that the test points at an LWP and process of its own (the
 *    current directory namei starts from).
 *
 * tests/host/vfs_host.c has the functions the two files call.
 */
#ifndef _VFS_HOST_H_
#define _VFS_HOST_H_

#define S_IFMT 00170000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_ISUID 0004000
#define S_ISGID 0002000
#define S_ISVTX 0001000
#define S_IXGRP 00010
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)

/* The kernel's curlwp (arch/cpu.h, which the VM headers include) goes. */
#include <arch/cpu.h>
#undef curlwp

struct lwp;
extern struct lwp *vfs_host_curlwp;
#define curlwp vfs_host_curlwp

#endif /* !_VFS_HOST_H_ */
