/*
 * Fault-tolerant memory probes (<arch/cpu.h>).  Each faulting instruction
 * has an exception-table entry whose fixup returns -EFAULT.
 */
#include <errno.h>
#include <arch/extable.h>

	.text
/* int probe_read64(const void *addr, uint64_t *val) */
	.globl probe_read64
probe_read64:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
	EXTABLE(1b, probe_fault)

/* int probe_write8(void *addr, uint8_t val) */
	.globl probe_write8
probe_write8:
2:	movb %sil, (%rdi)
	xorl %eax, %eax
	ret
	EXTABLE(2b, probe_fault)

probe_fault:
	movl $-EFAULT, %eax
	ret
