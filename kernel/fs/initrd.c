/*
 * The initrd file system (initrd.h).
 */
#include <systm.h>
#include <copy.h>
#include <cpio.h>
#include <errno.h>
#include <file.h>
#include <initrd.h>
#include <stat.h>
#include <vm/kmem.h>

static struct inode initrd_root = {
	.i_name = "",
	.i_mode = S_IFDIR | 0755,
	.i_ino = 1,
	.i_parent = &initrd_root,
};
static uint64_t initrd_next_ino = 2;

/* The entry of dir named name[0..len), or NULL. */
static struct inode *
initrd_dir_find(struct inode *dir, const char *name, size_t len)
{
	for (struct inode *ip = dir->i_child; ip != NULL; ip = ip->i_sibling)
		if (ip->i_namelen == len && memcmp(ip->i_name, name, len) == 0)
			return ip;
	return NULL;
}

/* Append a new entry to dir; NULL when out of memory. */
static struct inode *
initrd_dir_add(struct inode *dir, const char *name, size_t len, uint32_t mode)
{
	struct inode *ip = kmalloc(sizeof(*ip), KM_ZERO), **tail;

	if (ip == NULL)
		return NULL;
	ip->i_name = name;
	ip->i_namelen = len;
	ip->i_mode = mode;
	ip->i_ino = initrd_next_ino++;
	ip->i_parent = dir;
	for (tail = &dir->i_child; *tail != NULL; tail = &(*tail)->i_sibling)
		;
	*tail = ip;
	return ip;
}

/* Add one archive entry, making the directories its path implies. */
static void
initrd_add_entry(const struct cpio_entry *e)
{
	struct inode *dir = &initrd_root, *ip;
	const char *p = e->name, *end = e->name + e->namelen;

	while (p < end) {
		const char *slash = p;
		size_t len;
		bool last;

		while (slash < end && *slash != '/')
			slash++;
		len = slash - p;
		last = slash == end;
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = slash + 1;
			continue;
		}
		ip = initrd_dir_find(dir, p, len);
		if (ip == NULL) {
			ip = initrd_dir_add(dir, p, len,
			    last ? e->mode : (S_IFDIR | 0755));
			if (ip == NULL) {
				kprintf("initrd: out of memory indexing %s\n",
				    e->name);
				return;
			}
		}
		if (last) {
			ip->i_mode = e->mode;
			ip->i_data = e->data;
			ip->i_size = S_ISDIR(e->mode) ? 0 : e->size;
			return;
		}
		if (!S_ISDIR(ip->i_mode))
			return; /* a path through a file: ignore the entry */
		dir = ip;
		p = slash + 1;
	}
}

void
initrd_init(const void *archive, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;

	if (archive == NULL || cpio_validate(archive, len) < 0)
		return;
	cpio_iter_init(&it, archive, len);
	while (cpio_next(&it, &e) == CPIO_OK)
		initrd_add_entry(&e);
}

int
initrd_lookup(const char *path, struct inode **ipp)
{
	struct inode *ip = &initrd_root;
	const char *p = path;

	for (;;) {
		const char *start;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = p - start;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(ip->i_mode))
			return -ENOTDIR;
		if (len == 1 && start[0] == '.')
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			ip = ip->i_parent;
			continue;
		}
		ip = initrd_dir_find(ip, start, len);
		if (ip == NULL)
			return -ENOENT;
	}
	/* "file/" names a directory that is not one. */
	if (p > path && p[-1] == '/' && !S_ISDIR(ip->i_mode))
		return -ENOTDIR;
	*ipp = ip;
	return 0;
}

/*
 * fo_read: up to n bytes of the file from its offset (never waits).
 * Returns the count, 0 at the end, -EISDIR or -EFAULT.  No locks held.
 */
static ssize_t
initrd_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct inode *ip = fp->f_data;
	size_t avail;

	(void)nowait;
	if (S_ISDIR(ip->i_mode))
		return -EISDIR;
	if (fp->f_offset < 0 || (uint64_t)fp->f_offset >= ip->i_size)
		return 0;
	avail = ip->i_size - fp->f_offset;
	n = MIN(n, avail);
	if (copyout(ip->i_data + fp->f_offset, ubuf, n) != 0)
		return -EFAULT;
	fp->f_offset += n;
	return n;
}

/* fo_stat: the inode's mode, size and number.  No requirements. */
static void
initrd_stat(struct file *fp, struct stat *st)
{
	struct inode *ip = fp->f_data;

	st->st_dev = 1;
	st->st_ino = ip->i_ino;
	st->st_nlink = S_ISDIR(ip->i_mode) ? 2 : 1;
	st->st_mode = ip->i_mode;
	st->st_size = ip->i_size;
	st->st_blksize = 4096;
	st->st_blocks = howmany(ip->i_size, 512);
}

static const struct fileops initrd_ops = {
	.fo_read = initrd_read,
	.fo_stat = initrd_stat,
};

struct file *
initrd_open(struct inode *ip)
{
	return file_alloc(DTYPE_INODE, FREAD, &initrd_ops, ip);
}

/* Linux's struct linux_dirent64 header, before the name. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
} __packed;

/* d_type values: Linux's, which no uapi header exports. */
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* The d_type of an inode of this mode.  No requirements. */
static uint8_t
initrd_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	default:
		return DT_REG;
	}
}

ssize_t
initrd_getdents(struct file *fp, void *ubuf, size_t n)
{
	struct inode *dir = fp->f_data, *ip;
	uint8_t rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	size_t done = 0;
	off_t index = 0;

	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	/* Offsets: 0 is ".", 1 is "..", 2 + i is the i-th entry. */
	ip = dir->i_child;
	for (index = 2; index < fp->f_offset && ip != NULL; index++)
		ip = ip->i_sibling;
	for (;;) {
		struct dirent64_hdr h;
		const char *name;
		size_t namelen, reclen;
		struct inode *target;

		if (fp->f_offset == 0) {
			name = ".", namelen = 1, target = dir;
		} else if (fp->f_offset == 1) {
			name = "..", namelen = 2, target = dir->i_parent;
		} else if (ip != NULL) {
			name = ip->i_name, namelen = ip->i_namelen, target = ip;
		} else {
			break;
		}
		reclen = roundup(sizeof(h) + namelen + 1, 8);
		if (done + reclen > n) {
			if (done == 0)
				return -EINVAL;
			break;
		}
		memset(rec, 0, reclen);
		h.d_ino = target->i_ino;
		h.d_off = fp->f_offset + 1;
		h.d_reclen = reclen;
		h.d_type = initrd_dtype(target->i_mode);
		memcpy(rec, &h, sizeof(h));
		memcpy(rec + sizeof(h), name, namelen);
		if (copyout(rec, (uint8_t *)ubuf + done, reclen) != 0)
			return -EFAULT;
		done += reclen;
		if (fp->f_offset >= 2)
			ip = ip->i_sibling;
		fp->f_offset++;
	}
	return done;
}
