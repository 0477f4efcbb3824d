/*
 * The trampoline that takes another CPU from its start-up IPI to C.
 *
 * mp.c copies mptramp_start .. mptramp_end to a page below 1 MiB and
 * fills the parameter block at mptramp_args (layout in <arch/mp.h>).
 * The start-up IPI starts the CPU in real mode at CS:IP = page >> 4 : 0.
 * The code is position-independent: it finds its page from %cs and
 * keeps that address in %ebx; every absolute address it needs (the GDT
 * base, the far-jump targets) is in the parameter block, written by
 * mp.c for the page it chose.
 *
 *   real mode: load the trampoline GDT, set CR0.PE, far jump to 32-bit;
 *   32-bit:    PAE, CR3 = the kernel PML4, EFER.LME (and NXE: the kernel
 *              page tables use NX), CR0.PG|WP, far jump to 64-bit;
 *   64-bit:    still at the low page (mp.c identity-maps the first 2 MiB
 *              while CPUs start), load the stack and call the C entry at
 *              its kernel address with the CPU's struct cpu_info.
 *
 * The C entry never returns; if it did, the CPU halts here.
 */
#include <arch/mp.h>

#define CR0_PE 0x00000001
#define CR0_PG_WP_PE 0x80010001
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080

#define OFF(x) ((x) - mptramp_start)
#define ARG(x) (OFF(mptramp_args) + (x))

	/* Only copied, never run in place. */
	.section .rodata.mptramp, "a"
	.balign 16
	.globl mptramp_start, mptramp_end, mptramp_args
	.globl mptramp_gdt, mptramp_pm32, mptramp_lm64

	.code16
mptramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx			/* %ebx = the page's physical address */
	lgdtl ARG(MPT_GDTR)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *ARG(MPT_FAR32)

	.code32
mptramp_pm32:
	movl $MPT_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl ARG(MPT_CR3)(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl ARG(MPT_EFER)(%ebx), %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG_WP_PE, %eax
	movl %eax, %cr0
	ljmp *ARG(MPT_FAR64)(%ebx)

	.code64
mptramp_lm64:
	movl $MPT_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl %ebx, %ebx			/* the upper half is undefined here */
	movq ARG(MPT_STACK)(%rbx), %rsp
	movq ARG(MPT_CPU)(%rbx), %rdi
	movq ARG(MPT_ENTRY)(%rbx), %rax
	xorl %ebp, %ebp
	call *%rax
1:	cli
	hlt
	jmp 1b

	/* Flat 32-bit code and data, and 64-bit code (selectors in mp.h). */
	.balign 8
mptramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00209a0000000000
mptramp_gdt_end:

	.balign 8
mptramp_args:
	.skip MPT_ARGS_SIZE
mptramp_end:
