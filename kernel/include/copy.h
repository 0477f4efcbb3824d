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
#include <errno.h>
#include <witness.h>
#include <uapi/native_abi.h> /* VM_MAX_USER_ADDRESS */

int copyin(const void *uaddr, void *kaddr, size_t len);
int copyout(const void *kaddr, void *uaddr, size_t len);

/*
 * True if [uaddr, uaddr + len) lies inside the user range.  With a
 * constant len the two tests fold into one compare.
 */
static inline bool
user_range_ok(uint64_t uaddr, size_t len)
{
	if (__builtin_constant_p(len) && len > 0 && len <= VM_MAX_USER_ADDRESS)
		return uaddr <= VM_MAX_USER_ADDRESS - len;
	return uaddr < VM_MAX_USER_ADDRESS &&
	    len <= VM_MAX_USER_ADDRESS - uaddr;
}

/* copy.S: copies of whole quadwords with user access opened once. */
int copy_user_quads(void *dst, const void *src, size_t nquads);
int copy_user_quads2(void *dst1, const void *src1, size_t nquads1, void *dst2,
    const void *src2, size_t nquads2);

/*
 * The lengths copyin2 and copyout_quads take: constant, whole quadwords.
 * A call with another length does not build (the call to the undefined
 * copy_quads_bad_len stays only then, and its error attribute names it).
 */
void copy_quads_bad_len(void) __attribute__((
    error("copyin2 and copyout_quads copy constant whole quadwords")));
#define COPY_QUADS_CHECK(len)                                              \
	do {                                                               \
		if (!__builtin_constant_p(len) || (len) == 0 || (len) % 8) \
			copy_quads_bad_len();                              \
	} while (0)

/*
 * Two copyins in one: len1 bytes at uaddr1 to kaddr1, then len2 at
 * uaddr2 to kaddr2 (a call that takes two structures, at half the
 * fixed cost).  0 or -EFAULT, as copyin.  The lengths are constant
 * multiples of 8 (sizeof of structures of quadwords), so each range
 * check is one compare and the copy has no byte tail.
 */
static inline __attribute__((always_inline)) int
copyin2(const void *uaddr1, void *kaddr1, size_t len1, const void *uaddr2,
    void *kaddr2, size_t len2)
{
	COPY_QUADS_CHECK(len1);
	COPY_QUADS_CHECK(len2);
	witness_user_access("copyin2", __builtin_return_address(0));
	if (!user_range_ok((uint64_t)uaddr1, len1) ||
	    !user_range_ok((uint64_t)uaddr2, len2))
		return -EFAULT;
	return copy_user_quads2(kaddr1, uaddr1, len1 / 8, kaddr2, uaddr2,
	    len2 / 8);
}

/*
 * copyout of a constant length of whole quadwords, inline: one compare
 * and the copy.  0 or -EFAULT, as copyout.
 */
static inline __attribute__((always_inline)) int
copyout_quads(const void *kaddr, void *uaddr, size_t len)
{
	COPY_QUADS_CHECK(len);
	witness_user_access("copyout_quads", __builtin_return_address(0));
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	return copy_user_quads(uaddr, kaddr, len / 8);
}

/* Zero len bytes of user memory at uaddr.  0 or -EFAULT. */
int copyout_zero(void *uaddr, size_t len);

/*
 * Copy a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without the NUL), -EFAULT, or -ENAMETOOLONG if no
 * NUL is found within max bytes.
 */
long copyinstr(const char *uaddr, char *kaddr, size_t max);

/*
 * Non-faulting accesses to one aligned 32-bit user word (futexes): a
 * page that is not mapped with the access fails with -EFAULT at once,
 * without asking the VM, so these may be called with spinlocks held.
 * The caller then drops its locks, faults the page in (copyin, or
 * vm_fault for a write) and tries again.
 *   copyin32_nofault: *val = *uaddr.
 *   cas32_nofault: atomically *cur = *uaddr and, if that was old,
 *   *uaddr = new.
 * Both return 0 or -EFAULT (also for a misaligned or non-user address).
 */
int copyin32_nofault_user(const uint32_t *uaddr, uint32_t *val);
int cas32_nofault_user(uint32_t *uaddr, uint32_t old, uint32_t new,
    uint32_t *cur);

/*
 * True if all of [uaddr, uaddr + len) is mapped in the current process
 * with the access (the kernel writing to it if write, else reading it).
 * Calls that must fail whole with EFAULT, changing nothing, check a
 * buffer with this before they start (read, write, readv, writev).
 */
bool user_access_ok(const void *uaddr, size_t len, bool write);

#endif /* !_COPY_H_ */
