/*
 * Copies between the kernel and user space (<copy.h>).
 *
 * The caller (kernel/copy.c) has checked that the user range lies below
 * VM_MAX_USER_ADDRESS.  A fault on a user address is first offered to the
 * VM (demand paging); if the VM cannot resolve it, the exception table
 * sends the faulting instruction to copy_fault, which returns -EFAULT.
 * With SMAP, user access is opened (stac) only inside these routines.
 */
#include <errno.h>
#include <arch/extable.h>

/*
 * stac and clac, each listed in .smap_sites: on a CPU without SMAP,
 * where they would fault, cpu_startup_boot makes them 3-byte NOPs
 * (cpu_smap_patch), so no copy tests cpu_smap_enabled.
 */
	.macro SMAP_SITE insn
661:	\insn
	.pushsection .smap_sites, "a"
	.quad 661b
	.popsection
	.endm

	.macro USER_ACCESS_BEGIN
	SMAP_SITE stac
	.endm

	.macro USER_ACCESS_END
	SMAP_SITE clac
	.endm

	.text
/* int copy_user_bytes(void *dst, const void *src, size_t len) */
	.globl copy_user_bytes
copy_user_bytes:
	USER_ACCESS_BEGIN
	movq %rdx, %rcx
	shrq $3, %rcx
1:	rep movsq
	movq %rdx, %rcx
	andq $7, %rcx
6:	rep movsb
	USER_ACCESS_END
	xorl %eax, %eax
	ret
	EXTABLE(1b, copy_fault)
	EXTABLE(6b, copy_fault)

/*
 * int copy_user_quads(void *dst, const void *src, size_t nquads)
 * int copy_user_quads2(void *dst1, const void *src1, size_t nquads1,
 *     void *dst2, const void *src2, size_t nquads2)
 * Copies of whole quadwords, the second two at once with user access
 * opened once: the fixed-size structures of the vmspace round trip
 * (copyin2, copyout_quads), without the byte tail.
 */
	.globl copy_user_quads
copy_user_quads:
	USER_ACCESS_BEGIN
	movq %rdx, %rcx
18:	rep movsq
	USER_ACCESS_END
	xorl %eax, %eax
	ret
	EXTABLE(18b, copy_fault)

	.globl copy_user_quads2
copy_user_quads2:
	USER_ACCESS_BEGIN
	xchgq %rcx, %rdx		/* rcx = nquads1, rdx = dst2 */
14:	rep movsq
	movq %rdx, %rdi
	movq %r8, %rsi
	movq %r9, %rcx
16:	rep movsq
	USER_ACCESS_END
	xorl %eax, %eax
	ret
	EXTABLE(14b, copy_fault)
	EXTABLE(16b, copy_fault)

/*
 * long copy_user_str(char *dst, const char *usrc, size_t max)
 * Copies bytes up to and including the NUL; returns the length without
 * the NUL, or max if no NUL was found in max bytes, or -EFAULT.
 */
	.globl copy_user_str
copy_user_str:
	USER_ACCESS_BEGIN
	xorl %eax, %eax
2:	cmpq %rdx, %rax
	je 3f
4:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 3f
	incq %rax
	jmp 2b
3:	USER_ACCESS_END
	ret
	EXTABLE(4b, copy_fault)

/* int copy_user_zero(void *udst, size_t len) */
	.globl copy_user_zero
copy_user_zero:
	USER_ACCESS_BEGIN
	movq %rsi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
5:	rep stosq
	movq %rsi, %rcx
	andq $7, %rcx
7:	rep stosb
	USER_ACCESS_END
	ret
	EXTABLE(5b, copy_fault)
	EXTABLE(7b, copy_fault)

copy_fault:
	USER_ACCESS_END
	movq $-EFAULT, %rax
	ret

/*
 * The non-faulting user accesses (futex_load_nofault and friends in
 * <copy.h>): every instruction between copy_nofault_start and
 * copy_nofault_end that faults goes straight to its fixup, without the VM
 * (trap.c), so they may run with a spinlock held.  The caller has checked
 * the address range and alignment.
 */
	.globl copy_nofault_start, copy_nofault_end
copy_nofault_start:

/* int copyin32_nofault(const uint32_t *uaddr, uint32_t *val) */
	.globl copyin32_nofault
copyin32_nofault:
	USER_ACCESS_BEGIN
10:	movl (%rdi), %eax
	USER_ACCESS_END
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
	EXTABLE(10b, copy_fault)

/*
 * int cas32_nofault(uint32_t *uaddr, uint32_t old, uint32_t new,
 *     uint32_t *cur)
 * Atomically: *cur = *uaddr; if it was old, *uaddr = new.  0 or -EFAULT.
 */
	.globl cas32_nofault
cas32_nofault:
	movq %rdx, %r8
	movl %esi, %eax
	USER_ACCESS_BEGIN
11:	lock cmpxchgl %r8d, (%rdi)
	USER_ACCESS_END
	movl %eax, (%rcx)
	xorl %eax, %eax
	ret
	EXTABLE(11b, copy_fault)

copy_nofault_end:
