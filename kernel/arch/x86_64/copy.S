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
 *
 * Bytes one at a time until the source is 8-aligned, then whole
 * quadwords while 8 or more of max are left: an aligned quadword lies in
 * one page, so no page past the NUL's is read.  A quadword holding a
 * zero byte, v, has (v - 0x01..01) & ~v & 0x80..80 nonzero, its lowest
 * set bit in the first zero byte; it is stored whole (the bytes after
 * the NUL are within max), and the NUL's place ends the copy.  The rest,
 * under 8 bytes, goes one at a time.
 */
	.globl copy_user_str
copy_user_str:
	USER_ACCESS_BEGIN
	xorl %eax, %eax
1:	cmpq %rdx, %rax			/* bytes until aligned */
	je 9f
	leal (%rsi,%rax), %ecx
	testb $7, %cl
	jz 5f
4:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 9f
	incq %rax
	jmp 1b
5:	movabsq $0x0101010101010101, %r8	/* aligned: quadwords */
	movabsq $0x8080808080808080, %r9
6:	leaq 8(%rax), %rcx
	cmpq %rdx, %rcx
	ja 8f
7:	movq (%rsi,%rax), %rcx
	movq %rcx, (%rdi,%rax)
	movq %rcx, %r10
	subq %r8, %r10
	notq %rcx
	andq %rcx, %r10
	andq %r9, %r10
	jnz 10f
	addq $8, %rax
	jmp 6b
10:	bsfq %r10, %r10			/* 8 * (the NUL's byte) + 7 */
	shrq $3, %r10
	addq %r10, %rax
	jmp 9f
8:	cmpq %rdx, %rax			/* the last bytes of max */
	je 9f
11:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 9f
	incq %rax
	jmp 8b
9:	USER_ACCESS_END
	ret
	EXTABLE(4b, copy_fault)
	EXTABLE(7b, copy_fault)
	EXTABLE(11b, copy_fault)

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
