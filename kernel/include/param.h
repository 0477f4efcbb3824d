/*
 * Machine-independent sizes.  The page size is fixed at 4 KiB on every
 * architecture this kernel targets.
 */
#ifndef _PARAM_H_
#define _PARAM_H_

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1)

#define trunc_page(x) ((x) & ~(uint64_t)PAGE_MASK)
#define round_page(x) (((x) + PAGE_MASK) & ~(uint64_t)PAGE_MASK)
#define atop(x) ((uint64_t)(x) >> PAGE_SHIFT)
#define ptoa(x) ((uint64_t)(x) << PAGE_SHIFT)

#define KSTACK_PAGES 4  /* kernel stack of every LWP, plus one guard page */
#define KSTACK_MAX 8192 /* kernel stacks at once: bounds the LWPs */
#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_BOOT_SIZE 16384 /* the boot CPU's first stack, in .bss */

#define MAXCPUS 16

#endif /* !_PARAM_H_ */
