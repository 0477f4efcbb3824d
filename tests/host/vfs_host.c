/*
 * What kernel/fs/vfs.c and kernel/fs/tmpfs.c need from the rest of the
 * kernel, for their host test (test_vfs.c): one thread, so the mutex
 * only records that it is held (and panics on misuse, as the kernel's
 * assertions would); "user memory" is the host's, so copyin and copyout
 * are memcpy; the clock is a counter.  The open-file half of vfs.c
 * (vn_open_file, vfs_at_dir) is not tested here: the descriptor calls it
 * uses panic if reached.  kmalloc comes from kmem_host.c and pages from
 * vm_page_host.c.
 */
#include <string.h>

#include <types.h>
#include <clock.h>
#include <copy.h>
#include <file.h>
#include <mutex.h>
#include <systm.h>
#include <vm/vm_object.h>

struct lwp *vfs_host_curlwp;

void
mutex_init(struct mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->mtx_name = name;
}

void
mutex_lock(struct mutex *m)
{
	if (m->mtx_owner != 0)
		panic("mutex_lock: %s already held", m->mtx_name);
	m->mtx_owner = 1;
}

bool
mutex_trylock(struct mutex *m)
{
	if (m->mtx_owner != 0)
		return false;
	m->mtx_owner = 1;
	return true;
}

void
mutex_unlock(struct mutex *m)
{
	if (m->mtx_owner == 0)
		panic("mutex_unlock: %s not held", m->mtx_name);
	m->mtx_owner = 0;
}

bool
mutex_held(const struct mutex *m)
{
	return m->mtx_owner != 0;
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	memcpy(kaddr, uaddr, len);
	return 0;
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	memcpy(uaddr, kaddr, len);
	return 0;
}

int
copyout_zero(void *uaddr, size_t len)
{
	memset(uaddr, 0, len);
	return 0;
}

uint64_t
clock_realtime_ns(void)
{
	static uint64_t now = 1700000000ULL * 1000000000ULL;

	return now += 1000;
}

struct file *
file_alloc(int type, int flag, const struct fileops *ops, void *data)
{
	(void)type, (void)flag, (void)ops, (void)data;
	panic("file_alloc: open files are not tested on the host");
}

struct file *
file_alloc_with(int type, int flag, const struct fileops *ops, size_t datalen)
{
	(void)type, (void)flag, (void)ops, (void)datalen;
	panic("file_alloc_with: open files are not tested on the host");
}

void
file_rele(struct file *fp)
{
	(void)fp;
	panic("file_rele: open files are not tested on the host");
}

struct file *
fd_getfile(int fd)
{
	(void)fd;
	panic("fd_getfile: descriptors are not tested on the host");
}

struct file *
fd_getfile_raw(int fd)
{
	(void)fd;
	panic("fd_getfile_raw: descriptors are not tested on the host");
}

int
file_status_flags(const struct file *fp)
{
	(void)fp;
	panic("file_status_flags: open files are not tested on the host");
}

/*
 * The kernel's also unmaps the cut pages from every address space that
 * maps the object; the host test has no address spaces.
 */
int
vmspace_truncate_object(struct vm_object *obj, uint64_t size)
{
	struct vm_object_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	int error = vm_object_truncate(obj, size, &dead);

	vm_object_dead_free(&dead);
	return error;
}
