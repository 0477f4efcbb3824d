/*
 * The initrd as the read-only root file system.
 *
 * At boot the cpio archive is indexed once into a tree of inodes (the
 * file data stays in the archive, which is never freed).  Directories
 * missing from the archive but implied by a path are made up.  After
 * initrd_init nothing changes, so lookups need no lock.
 */
#ifndef _INITRD_H_
#define _INITRD_H_

#include <types.h>

#define PATH_MAX 4096
#define NAME_MAX 255

/* Every field is set by initrd_init, then constant. */
struct inode {
	const char *i_name; /* last component, not NUL-terminated */
	size_t i_namelen;
	uint32_t i_mode; /* S_IF* and permission bits */
	uint64_t i_ino;
	const uint8_t *i_data; /* file contents */
	size_t i_size;
	struct inode *i_parent;
	struct inode *i_child;   /* first entry of a directory */
	struct inode *i_sibling; /* next entry in the same directory */
};

struct file;

/* Index the archive; a bad archive leaves an empty root.  Boot only. */
void initrd_init(const void *archive, size_t len);

/*
 * The inode at path (absolute; relative paths start at the root too).
 * Returns 0 and *ip (inodes live for ever: no reference), or -ENOENT,
 * -ENOTDIR (a component is a file), -ENAMETOOLONG (a component longer
 * than NAME_MAX).  No requirements.
 */
int initrd_lookup(const char *path, struct inode **ip);

/*
 * An open file for ip (read-only), with one reference, the caller's
 * (file_rele drops it); NULL when out of memory.  No requirements.
 */
struct file *initrd_open(struct inode *ip);

/*
 * Fill user buffer ubuf (n bytes) with linux_dirent64 records of the
 * directory open as fp, from its offset on.  Returns the bytes written,
 * 0 at the end, -EINVAL if not even one record fits, -EFAULT.  No locks
 * held (the user buffer may fault).
 */
ssize_t initrd_getdents(struct file *fp, void *ubuf, size_t n);

#endif /* !_INITRD_H_ */
