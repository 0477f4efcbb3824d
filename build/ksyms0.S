	.section .ksyms, "a"
	.globl ksyms_count
ksyms_count: .quad 0
	.globl ksyms_table
ksyms_table:
	.globl ksyms_names
ksyms_names: .byte 0
