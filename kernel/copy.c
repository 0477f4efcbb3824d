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
int copyin32_nofault(const uint32_t *uaddr, uint32_t *val);
int cas32_nofault(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *cur);

bool
user_access_ok(const void *uaddr, size_t len, bool write)
{
	uint64_t u = (uint64_t)uaddr;

	return user_range_ok(u, len) &&
	    vmspace_check_prot(curproc->p_vmspace, trunc_page(u),
		round_page(u + len), write ? VM_PROT_WRITE : VM_PROT_READ);
}

/*
 * Copy len bytes from src to dst, one of which is the user address uaddr
 * (checked here).  0 or -EFAULT.
 */
static inline int
copy_bytes(void *dst, const void *src, size_t len, const void *uaddr)
{
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	return copy_user_bytes(dst, src, len);
}

static inline int
copy_zero(void *uaddr, size_t len)
{
	if (!user_range_ok((uint64_t)uaddr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	return copy_user_zero(uaddr, len);
}

#ifdef WITNESS
/*
 * The copies with the lock checker on: it is told first (what: the
 * routine, site: its caller), even if the range is bad, since a spinlock
 * held here is a bug whatever the caller passed.  Out of line, so that
 * without the checker copyin, copyout and copyout_zero stay leaves.
 */
static __attribute__((__noinline__)) int
copy_bytes_witness(void *dst, const void *src, size_t len, const void *uaddr,
    const char *what, void *site)
{
	witness_user_access_slow(what, site);
	return copy_bytes(dst, src, len, uaddr);
}

static __attribute__((__noinline__)) int
copy_zero_witness(void *uaddr, size_t len, void *site)
{
	witness_user_access_slow("copyout_zero", site);
	return copy_zero(uaddr, len);
}
#endif

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
#ifdef WITNESS
	if (__predict_false(witness_on))
		return copy_bytes_witness(kaddr, uaddr, len, uaddr, "copyin",
		    __builtin_return_address(0));
#endif
	return copy_bytes(kaddr, uaddr, len, uaddr);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
#ifdef WITNESS
	if (__predict_false(witness_on))
		return copy_bytes_witness(uaddr, kaddr, len, uaddr, "copyout",
		    __builtin_return_address(0));
#endif
	return copy_bytes(uaddr, kaddr, len, uaddr);
}

int
copyout_zero(void *uaddr, size_t len)
{
#ifdef WITNESS
	if (__predict_false(witness_on))
		return copy_zero_witness(uaddr, len,
		    __builtin_return_address(0));
#endif
	return copy_zero(uaddr, len);
}

long
copyinstr(const char *uaddr, char *kaddr, size_t max)
{
	uint64_t u = (uint64_t)uaddr;
	long n;

	witness_user_access("copyinstr", __builtin_return_address(0));
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

int
copyin32_nofault_user(const uint32_t *uaddr, uint32_t *val)
{
	uint64_t u = (uint64_t)uaddr;

	if ((u & 3) != 0 || !user_range_ok(u, sizeof(*uaddr)))
		return -EFAULT;
	return copyin32_nofault(uaddr, val);
}

int
cas32_nofault_user(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *cur)
{
	uint64_t u = (uint64_t)uaddr;

	if ((u & 3) != 0 || !user_range_ok(u, sizeof(*uaddr)))
		return -EFAULT;
	return cas32_nofault(uaddr, old, new, cur);
}
