/*
 * The vDSO's file (the Makefile builds it from arch/x86_64/vdso/ as
 * VDSO_IMAGE), read-only in the kernel image; vdso_init copies it into
 * the pages every program maps.
 */
	.section .rodata
	.balign 4096
	.globl vdso_image_start
vdso_image_start:
	.incbin VDSO_IMAGE
	.globl vdso_image_end
vdso_image_end:
