/*
 * Memory syscalls: mmap, munmap, mprotect, madvise, brk, with Linux's
 * semantics (ABI.md section 3): anonymous memory, memfds and regular
 * files (their vnode's object: the pages read and write use), private
 * (copy-on-write) or shared; msync.
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <vnode.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <vm/vm_object.h>
#include <vm/addrspace.h>

/* Linux's PROT_*, MAP_* and MADV_* (uapi <linux/mman.h>). */
#include <linux/mman.h>

#define MAP_SUPPORTED                                                          \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE | \
	    MAP_FIXED_NOREPLACE | MAP_STACK)

/* Linux's PROT_* bits as a vm_prot_t.  No requirements. */
static vm_prot_t
prot_to_vm(int prot)
{
	vm_prot_t p = VM_PROT_NONE;

	if (prot & PROT_READ)
		p |= VM_PROT_READ;
	if (prot & PROT_WRITE)
		p |= VM_PROT_WRITE;
	if (prot & PROT_EXEC)
		p |= VM_PROT_EXECUTE;
	return p;
}

/*
 * Check an (addr, len) range for munmap/mprotect/madvise: addr page
 * aligned, len rounded up without wrapping, inside the user range.
 * Returns 0 with the end in *end, or -EINVAL.  No requirements.
 */
static int
vm_range_check(uint64_t addr, size_t len, vaddr_t *end)
{
	if ((addr & PAGE_MASK) != 0 || addr >= VM_MAX_USER_ADDRESS)
		return -EINVAL;
	if (len > VM_MAX_USER_ADDRESS ||
	    round_page(len) > VM_MAX_USER_ADDRESS - addr)
		return -EINVAL;
	*end = addr + round_page(len);
	return 0;
}

/*
 * The object an fd-backed mmap of len bytes at offset maps, in *objp
 * with a reference for the mapping (the caller's until vmspace_insert
 * takes it), checked as Linux's do_mmap does, in its order: -EBADF (no
 * such fd), -EOVERFLOW (the range passes the largest file offset),
 * -EACCES (MAP_SHARED with PROT_WRITE on a file not open for writing,
 * or any mapping of a file not open for reading), -ENODEV (a file with
 * no pages to map: a pipe, a directory, the console).  *eflags gains
 * VM_ENTRY_NOWRITE for a shared mapping of a file not open for writing,
 * which mprotect may never make writable.  No locks held.
 */
static int
mmap_fd_object(int fd, size_t len, off_t offset, int prot, int *eflags,
    struct vm_object **objp)
{
	struct file *fp = fd_getfile(fd);
	struct vm_object *obj = NULL;
	struct vnode *vp;
	int error = 0;

	if (fp == NULL)
		return -EBADF;
	if (len > INT64_MAX || (uint64_t)offset > INT64_MAX - len) {
		error = -EOVERFLOW;
		goto out;
	}
	if (*eflags & VM_ENTRY_SHARED) {
		if ((prot & PROT_WRITE) && !(fp->f_flag & FWRITE)) {
			error = -EACCES;
			goto out;
		}
		if (!(fp->f_flag & FWRITE))
			*eflags |= VM_ENTRY_NOWRITE;
	}
	if (!(fp->f_flag & FREAD)) {
		error = -EACCES;
		goto out;
	}
	obj = memfd_object(fp);
	if (obj != NULL) {
		vm_object_ref(obj);
	} else if ((vp = file_vnode(fp)) != NULL &&
	    vp->v_op->vop_getobject != NULL) {
		mutex_lock(&vfs_lock);
		error = vp->v_op->vop_getobject(vp, &obj);
		mutex_unlock(&vfs_lock);
	} else {
		error = -ENODEV;
	}
out:
	file_rele(fp);
	*objp = obj;
	return error;
}

/* mmap in the calling process's address space (kern_mmap). */
long
sys_mmap(void *uaddr, size_t len, int prot, int flags, int fd, off_t offset)
{
	int error;

	/* RLIMIT_AS (kern_resource.c), before kern_mmap's checks. */
	if (len != 0 &&
	    (error = rlimit_as_check(curproc->p_vmspace, round_page(len))) != 0)
		return error;
	return kern_mmap(curproc->p_vmspace, uaddr, len, prot, flags, fd,
	    offset);
}

/* See addrspace.h.  No locks held. */
long
kern_mmap(struct vmspace *vm, void *uaddr, size_t len, int prot, int flags,
    int fd, off_t offset)
{
	uint64_t addr = (uint64_t)uaddr;
	struct vm_object *obj = NULL;
	vaddr_t va;
	int error, how, eflags = 0;

	/* Decode: every check before anything is made. */
	if (len == 0 || (flags & ~MAP_SUPPORTED) != 0 ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
		return -EINVAL;
	switch (flags & MAP_TYPE) {
	case MAP_PRIVATE:
		break;
	case MAP_SHARED:
		eflags = VM_ENTRY_SHARED;
		break;
	default:
		return -EINVAL;
	}
	if (offset < 0 || (offset & PAGE_MASK) != 0)
		return -EINVAL;
	if (len > VM_MAX_USER_ADDRESS)
		return -ENOMEM;
	len = round_page(len);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((addr & PAGE_MASK) != 0)
			return -EINVAL;
		/* Page 0 and the top page are never mappable (ABI.md 3). */
		if (addr < VM_MIN_USER_ADDRESS || addr >= VM_MAX_USER_ADDRESS ||
		    len > VM_MAX_USER_ADDRESS - addr)
			return -EINVAL;
	}
	if (!(flags & MAP_ANONYMOUS)) {
		error = mmap_fd_object(fd, len, offset, prot, &eflags, &obj);
		if (error != 0)
			return error;
	} else if (eflags & VM_ENTRY_SHARED) {
		/* Shared anonymous memory is an object of its own. */
		obj = vm_object_alloc(len);
		if (obj == NULL)
			return -ENOMEM;
		offset = 0;
	} else {
		offset = 0;
	}

	/* Perform: placing and mapping are one step (vmspace_map). */
	if (flags & MAP_FIXED_NOREPLACE)
		how = VMSPACE_MAP_NOREPLACE;
	else if (flags & MAP_FIXED)
		how = VMSPACE_MAP_FIXED;
	else
		how = VMSPACE_MAP_HINT;
	error =
	    vmspace_map(vm, how == VMSPACE_MAP_HINT ? trunc_page(addr) : addr,
		len, how, prot_to_vm(prot), eflags, obj, offset, &va);
	if (error != 0) {
		if (obj != NULL)
			vm_object_rel(obj);
		return error;
	}
	if (flags & MAP_POPULATE)
		(void)vmspace_populate(vm, va, va + len);
	return va;
}

/* munmap(addr, len): 0, -EINVAL (len 0 or a bad range) or -ENOMEM. */
long
sys_munmap(void *uaddr, size_t len)
{
	vaddr_t end;
	int error;

	if (len == 0)
		return -EINVAL;
	error = vm_range_check((uint64_t)uaddr, len, &end);
	if (error != 0)
		return error;
	return vmspace_remove(curproc->p_vmspace, (vaddr_t)uaddr, end);
}

/*
 * mprotect(addr, len, prot): 0, -EINVAL (bad prot or range) or -ENOMEM
 * (part unmapped, or no memory), with Linux's order of checks.
 */
long
sys_mprotect(void *uaddr, size_t len, int prot)
{
	vaddr_t end;
	int error;

	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) ||
	    ((uint64_t)uaddr & PAGE_MASK) != 0)
		return -EINVAL;
	if ((uint64_t)uaddr >= VM_MAX_USER_ADDRESS)
		return -ENOMEM; /* nothing of ours is mapped there (Linux) */
	error = vm_range_check((uint64_t)uaddr, len, &end);
	if (error != 0)
		return error;
	if (end == (vaddr_t)uaddr)
		return 0;
	return vmspace_protect(curproc->p_vmspace, (vaddr_t)uaddr, end,
	    prot_to_vm(prot));
}

/*
 * msync(addr, len, flags): file pages live in memory only (tmpfs,
 * memfds), so there is nothing to write back; the arguments are checked
 * as Linux's: -EINVAL (an unknown flag, MS_ASYNC with MS_SYNC, addr not
 * page aligned, the range wraps), -ENOMEM (part of the range unmapped).
 */
long
sys_msync(void *uaddr, size_t len, int flags)
{
	uint64_t addr = (uint64_t)uaddr, end;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 ||
	    (addr & PAGE_MASK) != 0 ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	end = addr + round_page(len); /* as Linux: a wrapped len is 0 */
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	if (end > VM_MAX_USER_ADDRESS || addr < VM_MIN_USER_ADDRESS)
		return -ENOMEM;
	return vmspace_check_range(curproc->p_vmspace, addr, end) ? 0 : -ENOMEM;
}

/*
 * madvise(addr, len, advice): DONTNEED and FREE drop the pages, WILLNEED
 * makes them, the rest are hints; like Linux, -ENOMEM when part of the
 * range is unmapped, -EINVAL for an unknown advice or a bad range.
 */
long
sys_madvise(void *uaddr, size_t len, int advice)
{
	vaddr_t end;
	int error;

	error = vm_range_check((uint64_t)uaddr, len, &end);
	if (error != 0)
		return error;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
		break;
	default:
		return -EINVAL;
	}
	if (end == (vaddr_t)uaddr)
		return 0;
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		return vmspace_dontneed(curproc->p_vmspace, (vaddr_t)uaddr,
		    end);
	if (advice == MADV_WILLNEED)
		return vmspace_populate(curproc->p_vmspace, (vaddr_t)uaddr,
		    end);
	/* Hints only, but like Linux: ENOMEM if part is unmapped. */
	return vmspace_check_range(curproc->p_vmspace, (vaddr_t)uaddr, end) ?
	    0 :
	    -ENOMEM;
}

/*
 * brk(addr): move the end of the heap to addr, returning the new end, or
 * the old one when addr is below the start, overlaps another mapping or
 * memory runs out (Linux returns the current break on failure).  The
 * whole change is made under vm_lock (vmspace_brk).
 */
long
sys_brk(void *uaddr)
{
	struct vmspace *vm = curproc->p_vmspace;
	/* An unlocked read: with LWPs racing in brk the check is approximate. */
	vaddr_t old = __atomic_load_n(&vm->vm_brk, __ATOMIC_RELAXED);

	/* RLIMIT_AS: growing past it leaves the break where it is. */
	if ((vaddr_t)uaddr > old &&
	    rlimit_as_check(vm, round_page((vaddr_t)uaddr - old)) != 0)
		return old;
	return vmspace_brk(vm, (vaddr_t)uaddr);
}
