/*
 * The multiboot2 header and the 32-bit entry point.
 *
 * GRUB enters _start in 32-bit protected mode with paging off, %eax =
 * the multiboot2 magic and %ebx = the physical address of the boot
 * information.  We check for long mode, build early page tables that map
 * the first 4 GiB twice (at 0 for this code and the boot information, and
 * the first 1 GiB at KERNBASE for the kernel), enable long mode and
 * paging, and jump to the higher half, which calls
 * kmain(mbi_phys, magic, tsc_at_entry).  pmap_bootstrap later replaces
 * these tables and the identity map with them.
 *
 * Everything in the .boot sections runs at its physical address.
 */
#include <param.h>
#include <arch/segments.h>

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_BOOT_MAGIC 0x36d76289

#define KERNBASE 0xffffffff80000000
#define V2P(x) ((x) - KERNBASE)

#define COM1 0x3f8

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Information request: command line, modules, memory map, ACPI. */
	.balign 8
mb2_info_req:
	.short 1, 0
	.long mb2_info_req_end - mb2_info_req
	.long 1, 3, 6, 14, 15
mb2_info_req_end:
	/* Modules page-aligned. */
	.balign 8
	.short 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* Instruction count at entry, for the boot-time measurement. */
	movl %eax, %esi
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl %esi, %eax

	movl $boot_stack32_top, %esp
	cmpl $MB2_BOOT_MAGIC, %eax
	jne no_multiboot
	movl %eax, boot_magic
	movl %ebx, boot_mbi

	/* Long mode needs CPUID leaf 0x80000001 with EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode

	/*
	 * Page tables: PML4[0] -> pdpt_low (identity, 4 x 1 GiB through
	 * pd0..pd3 with 2 MiB pages); PML4[511] -> pdpt_high, whose entry
	 * 510 maps KERNBASE to physical 0 through pd0.  The tables are in
	 * .boot.bss, which GRUB zero-fills.
	 */
	movl $pd0, %edi
	movl $0x83, %eax		/* present, writable, 2 MiB page */
	xorl %edx, %edx
	movl $2048, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 1b

	movl $pd0 + 3, pdpt_low
	movl $pd1 + 3, pdpt_low + 8
	movl $pd2 + 3, pdpt_low + 16
	movl $pd3 + 3, pdpt_low + 24
	movl $pd0 + 3, pdpt_high + 510 * 8
	movl $pdpt_low + 3, pml4
	movl $pdpt_high + 3, pml4 + 511 * 8

	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $0x100, %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $KCSEL, $long_entry

no_multiboot:
	movl $msg_no_multiboot, %esi
	jmp early_fail
no_long_mode:
	movl $msg_no_long_mode, %esi
	/* FALLTHROUGH */

/* Print the string at %esi on COM1 and halt; the console is not set up. */
early_fail:
	movw $COM1 + 5, %dx
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	movb (%esi), %al
	testb %al, %al
	jz 3f
	movw $COM1, %dx
	outb %al, %dx
	incl %esi
	jmp early_fail
3:	cli
	hlt
	jmp 3b

	.code64
long_entry:
	movl $KDSEL, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $high_entry, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 64-bit kernel code */
	.quad 0x0000920000000000	/* kernel data */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
boot_tsc:
	.quad 0
boot_magic:
	.long 0
boot_mbi:
	.long 0
msg_no_multiboot:
	.asciz "boot: not started by a multiboot2 loader; halting\r\n"
msg_no_long_mode:
	.asciz "boot: this CPU has no 64-bit long mode; halting\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
pml4:	.skip 4096
pdpt_low: .skip 4096
pdpt_high: .skip 4096
pd0:	.skip 4096
pd1:	.skip 4096
pd2:	.skip 4096
pd3:	.skip 4096
	.skip 1024
boot_stack32_top:

/*
 * The higher half.  Clear .bss, switch to the boot stack and call kmain.
 * The boot variables are still reachable through the identity map.
 */
	.text
high_entry:
	movabsq $kernel_bss_start, %rdi
	movabsq $kernel_bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq

	movabsq $bootstack_top, %rsp
	xorl %ebp, %ebp
	movl boot_mbi, %edi
	movl boot_magic, %esi
	movq boot_tsc, %rdx
	call kmain
4:	cli
	hlt
	jmp 4b

	.bss
	.balign 4096
	.globl bootstack
bootstack:
	.skip KSTACK_BOOT_SIZE
	.globl bootstack_top
bootstack_top:
