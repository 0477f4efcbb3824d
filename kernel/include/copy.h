/*
 * Moving data between the kernel and user space.
 *
 * Every routine checks that the user range lies inside
 * [0, VM_MAX_USER_ADDRESS) and returns -EFAULT if it does not, or if a
 * page in it is unmapped or lacks the access (a fault the VM cannot
 * resolve).  Untouched demand-zero pages are faulted in.  On -EFAULT part
 * of the data may have been copied.  The caller must be a process's LWP
 * running on its own address space.
 */
#ifndef _COPY_H_
#define _COPY_H_

#include <types.h>

int copyin(const void *uaddr, void *kaddr, size_t len);
int copyout(const void *kaddr, void *uaddr, size_t len);

/* Zero len bytes of user memory at uaddr.  0 or -EFAULT. */
int copyout_zero(void *uaddr, size_t len);

/*
 * Copy a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without the NUL), -EFAULT, or -ENAMETOOLONG if no
 * NUL is found within max bytes.
 */
long copyinstr(const char *uaddr, char *kaddr, size_t max);

/* True if [uaddr, uaddr + len) lies inside the user range. */
bool user_range_ok(uint64_t uaddr, size_t len);

/*
 * True if all of [uaddr, uaddr + len) is mapped in the current process
 * with the access (the kernel writing to it if write, else reading it).
 * Calls that must fail whole with EFAULT, changing nothing, check a
 * buffer with this before they start (read, write, readv, writev).
 */
bool user_access_ok(const void *uaddr, size_t len, bool write);

#endif /* !_COPY_H_ */
