/*
 * User copies (copy.h): range checks here, the faulting copies in
 * arch/x86_64/copy.S.
 */
#include <systm.h>
#include <copy.h>
#include <witness.h>
#include <errno.h>
#include <vm/addrspace.h>
#include <arch/cpu.h>
#include <proc/proc.h>

int copy_user_bytes(void *dst, const void *src, size_t len);
long copy_user_str(char *dst, const char *usrc, size_t max);
int copy_user_zero(void *udst, size_t len);

bool
user_access_ok(const void *uaddr, size_t len, bool write)
{
	uint64_t u = (uint64_t)uaddr;

	return user_range_ok(u, len) &&
	    vmspace_check_prot(curproc->p_vmspace, trunc_page(u),
		round_page(u + len), write ? VM_PROT_WRITE : VM_PROT_READ);
}

bool
user_range_ok(uint64_t uaddr, size_t len)
{
	return uaddr < VM_MAX_USER_ADDRESS &&
	    len <= VM_MAX_USER_ADDRESS - uaddr;
}

/*
 * Every copy first tells the lock checker that user memory is about to
 * be touched, even if the range turns out bad: a spinlock held here is a
 * bug whatever the caller passed.
 */
#ifdef WITNESS
#define COPY_CHECK(what)                                  \
	do {                                              \
		if (witness_mode != WITNESS_OFF)          \
			witness_user_access((what),       \
			    __builtin_return_address(0)); \
	} while (0)
#else
#define COPY_CHECK(what) ((void)0)
#endif

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	COPY_CHECK("copyin");
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	return copy_user_bytes(kaddr, uaddr, len);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	COPY_CHECK("copyout");
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	return copy_user_bytes(uaddr, kaddr, len);
}

int
copyout_zero(void *uaddr, size_t len)
{
	COPY_CHECK("copyout_zero");
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	return copy_user_zero(uaddr, len);
}

long
copyinstr(const char *uaddr, char *kaddr, size_t max)
{
	uint64_t u = (uint64_t)uaddr;
	long n;

	COPY_CHECK("copyinstr");
	if (u >= VM_MAX_USER_ADDRESS)
		return -EFAULT;
	/* Stop at the end of the user range: beyond it is a fault. */
	max = MIN(max, VM_MAX_USER_ADDRESS - u);
	n = copy_user_str(kaddr, uaddr, max);
	if (n < 0)
		return n;
	if ((size_t)n == max)
		return u + max == VM_MAX_USER_ADDRESS ? -EFAULT : -ENAMETOOLONG;
	return n;
}
