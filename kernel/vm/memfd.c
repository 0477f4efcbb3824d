/*
 * memfd_create and ftruncate: a memfd is an open file whose object is a
 * struct vm_object.  read and write go through the object's pages at the
 * file offset (write grows the object, as on Linux); mmap with MAP_SHARED
 * maps the same pages (addrspace.c).
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <vnode.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <arch/pmap.h>
#include <proc/proc.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/addrspace.h>

#include <linux/memfd.h> /* MFD_* */

#define MFD_NAME_MAX 249 /* Linux's: NAME_MAX less "memfd:" */

/*
 * Copy between the object and a user buffer, page by page, from the
 * file offset: at most n bytes, stopping at the object's end when
 * reading.  Returns the count, or -errno if nothing was copied.  No
 * locks held (the user buffer may fault).
 */
static ssize_t
memfd_rw(struct file *fp, void *ubuf, size_t n, bool write)
{
	struct vm_object *obj = fp->f_data;
	size_t done = 0;
	int error = 0;

	if (fp->f_offset < 0)
		return -EINVAL;
	if (write) {
		uint64_t end = (uint64_t)fp->f_offset + n;

		spin_lock(&obj->vo_lock);
		if (end > obj->vo_size)
			obj->vo_size = end;
		spin_unlock(&obj->vo_lock);
	} else {
		uint64_t size =
		    __atomic_load_n(&obj->vo_size, __ATOMIC_RELAXED);

		if ((uint64_t)fp->f_offset >= size)
			return 0;
		n = MIN(n, size - fp->f_offset);
	}
	while (done < n) {
		uint64_t off = fp->f_offset;
		size_t in = off & PAGE_MASK,
		       chunk = MIN(n - done, PAGE_SIZE - in);
		struct vm_page *pg;
		uint8_t *kva;

		error = vm_object_getpage(obj, off / PAGE_SIZE, &pg);
		if (error != 0)
			break;
		kva = (uint8_t *)vm_page_kva(pg) + in;
		error = write ? copyin((uint8_t *)ubuf + done, kva, chunk) :
				copyout(kva, (uint8_t *)ubuf + done, chunk);
		vm_page_unref(pg);
		if (error != 0)
			break;
		done += chunk;
		fp->f_offset += chunk;
	}
	return done > 0 ? (ssize_t)done : error;
}

/* fo_read: memfd_rw from the file offset; never waits.  No locks held. */
static ssize_t
memfd_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	(void)nowait;
	return memfd_rw(fp, ubuf, n, false);
}

/* fo_write: memfd_rw at the file offset, growing the object.  No locks held. */
static ssize_t
memfd_write(struct file *fp, const void *ubuf, size_t n)
{
	return memfd_rw(fp, (void *)ubuf, n, true);
}

/* fo_stat: a regular file of the object's size.  No locks held. */
static void
memfd_stat(struct file *fp, struct stat *st)
{
	struct vm_object *obj = fp->f_data;

	st->st_mode = S_IFREG | 0777;
	st->st_nlink = 1;
	spin_lock(&obj->vo_lock);
	st->st_size = obj->vo_size;
	st->st_blocks = obj->vo_npages * (PAGE_SIZE / 512);
	spin_unlock(&obj->vo_lock);
	st->st_blksize = PAGE_SIZE;
	st->st_ino = (uint64_t)obj >> 4;
}

/* fo_close: drop the file's reference to the object.  No locks held. */
static void
memfd_close(struct file *fp)
{
	vm_object_rel(fp->f_data);
}

static const struct fileops memfd_ops = {
	.fo_read = memfd_read,
	.fo_write = memfd_write,
	.fo_stat = memfd_stat,
	.fo_close = memfd_close,
};

/*
 * memfd_create(name, flags): a new empty memory object behind a new fd
 * (close-on-exec with MFD_CLOEXEC; the name is checked, not kept).
 * Returns the fd, -EINVAL, -EFAULT, -ENOMEM or -EMFILE.
 */
long
sys_memfd_create(const char *uname, unsigned int flags)
{
	char name[MFD_NAME_MAX + 1];
	struct vm_object *obj;
	struct file *fp;
	long n;
	int fd;

	n = copyinstr(uname, name, sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	obj = vm_object_alloc(0);
	if (obj == NULL)
		return -ENOMEM;
	fp = file_alloc(DTYPE_MEMFD, FREAD | FWRITE, &memfd_ops, obj);
	if (fp == NULL) {
		vm_object_rel(obj);
		return -ENOMEM;
	}
	fd = fd_alloc(curproc->p_fd, fp, 0, (flags & MFD_CLOEXEC) != 0);
	if (fd < 0)
		file_rele(fp);
	return fd;
}

/*
 * ftruncate(fd, length): set a memfd's size (vmspace_truncate_object),
 * or a file's (vn_ftruncate).  Returns 0, -EBADF, -EINVAL (neither, or
 * length < 0), -ENOMEM.
 */
long
sys_ftruncate(int fd, off_t length)
{
	struct file *fp = fd_getfile(fd);
	long error;

	if (fp == NULL)
		return -EBADF;
	if (fp->f_type == DTYPE_INODE) {
		error = vn_ftruncate(fp, length);
	} else if (fp->f_type != DTYPE_MEMFD || length < 0) {
		error = -EINVAL;
	} else {
		error = vmspace_truncate_object(fp->f_data, length);
	}
	file_rele(fp);
	return error;
}

/* See file.h.  No requirements. */
struct vm_object *
memfd_object(struct file *fp)
{
	return fp->f_type == DTYPE_MEMFD ? fp->f_data : NULL;
}
