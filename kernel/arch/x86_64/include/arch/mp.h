/*
 * Starting the other CPUs (multiprocessor bring-up).
 *
 * The boot CPU starts every CPU the MADT lists with INIT, start-up,
 * start-up IPIs through a trampoline page below 1 MiB (mptramp.S), which
 * takes the CPU from real mode to long mode on the kernel's page tables
 * and into mp.c with its own stack and struct cpu_info.  Each started
 * CPU sets itself up like the boot CPU (control registers, GDT, TSS,
 * IDT, GS base, syscall MSRs, local APIC), gets its own idle LWP and
 * periodic tick, says it is online, joins the kernel pmap's TLB
 * shootdowns (pmap_cpu_init) and enters the scheduler.
 */
#ifndef _ARCH_MP_H_
#define _ARCH_MP_H_

/*
 * The trampoline's parameter block, at offset MPT_ARGS in the trampoline
 * page; mptramp.S reads it at these offsets.
 */
#define MPT_GDTR 0   /* 16-bit limit, 32-bit base of the trampoline GDT */
#define MPT_FAR32 8  /* far pointer to the 32-bit code: offset, selector */
#define MPT_FAR64 16 /* far pointer to the 64-bit code: offset, selector */
#define MPT_CR3 24   /* the kernel PML4, below 4 GiB */
#define MPT_EFER 28  /* bits to set in EFER (LME, NXE) */
#define MPT_STACK 32 /* initial %rsp, 16-byte aligned */
#define MPT_ENTRY 40 /* the 64-bit C entry, called with MPT_CPU */
#define MPT_CPU 48   /* the struct cpu_info of the starting CPU */
#define MPT_ARGS_SIZE 56

/* Selectors of the trampoline GDT. */
#define MPT_SEL_CODE32 0x08
#define MPT_SEL_DATA 0x10
#define MPT_SEL_CODE64 0x18

#ifndef __ASSEMBLY__
#include <types.h>

struct bootinfo;

/* The trampoline parameter block, as mptramp.S reads it. */
struct mp_tramp_args {
	uint16_t mta_gdt_limit;
	uint32_t mta_gdt_base;
	uint16_t mta_pad0;
	uint32_t mta_far32_off;
	uint16_t mta_far32_sel;
	uint16_t mta_pad1;
	uint32_t mta_far64_off;
	uint16_t mta_far64_sel;
	uint16_t mta_pad2;
	uint32_t mta_cr3;
	uint32_t mta_efer;
	uint64_t mta_stack;
	uint64_t mta_entry;
	uint64_t mta_cpu;
} __packed;

/* CPUs online: the boot CPU and every CPU mp_startup() started. */
extern unsigned mp_ncpus;

/*
 * Take a page below 1 MiB out of bi's usable memory for the trampoline
 * (0x8000 if it is usable, else the lowest usable page below 0x9f000);
 * if there is none, mp_startup() will start no CPU and say why.  Boot
 * CPU, before pmap_bootstrap() and vm_page_startup() hand memory out.
 */
void mp_reserve_trampoline(struct bootinfo *bi);

/*
 * Start every other CPU the MADT lists, one at a time; a CPU
 * that does not come online within a second is reported and skipped.
 * Prints "mp: N CPUs online (M started)".  Boot CPU, once, after
 * acpi_init(), intr_startup() and clock_startup(), before any process
 * exists (the kernel PML4's user slot 0 briefly holds an identity map of
 * the first 2 MiB).
 */
void mp_startup(void);

#endif /* !__ASSEMBLY__ */
#endif /* !_ARCH_MP_H_ */
