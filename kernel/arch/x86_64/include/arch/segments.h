/*
 * GDT layout.  The user selectors are fixed by ABI.md 4.4 (user CS 0x23,
 * user SS 0x1b); the order user-data-then-user-code is what SYSRET needs.
 */
#ifndef _ARCH_SEGMENTS_H_
#define _ARCH_SEGMENTS_H_

#define GNULL_SEL 0
#define GCODE_SEL 1  /* kernel code, 0x08 */
#define GDATA_SEL 2  /* kernel data, 0x10 */
#define GUDATA_SEL 3 /* user data, 0x1b with RPL 3 */
#define GUCODE_SEL 4 /* user 64-bit code, 0x23 with RPL 3 */
#define GPROC0_SEL 5 /* TSS, two slots */
#define NGDT 7

#define SEL_KPL 0
#define SEL_UPL 3
#define GSEL(s, r) (((s) << 3) | (r))

#define KCSEL GSEL(GCODE_SEL, SEL_KPL)  /* 0x08 */
#define KDSEL GSEL(GDATA_SEL, SEL_KPL)  /* 0x10 */
#define UDSEL GSEL(GUDATA_SEL, SEL_UPL) /* 0x1b */
#define UCSEL GSEL(GUCODE_SEL, SEL_UPL) /* 0x23 */
#define TSSSEL GSEL(GPROC0_SEL, SEL_KPL)

/* Interrupt vectors. */
#define IDT_NVEC 256
#define IRQ_BASE 32 /* ISA IRQ n arrives at IRQ_BASE + n */
#define VEC_LAPIC_TIMER 0x40
#define VEC_IPI_BASE 0xf0
#define VEC_IPI VEC_IPI_BASE /* every IPI (<arch/ipi.h>) */
#define VEC_SPURIOUS 0xff

/* IST slots (1-based in the IDT gate). */
#define IST_DOUBLEFAULT 1
#define IST_NMI 2

#endif /* !_ARCH_SEGMENTS_H_ */
