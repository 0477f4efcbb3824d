/*
 * Single x86 instructions as inline functions.  Only code under arch/
 * and the small generic wrappers in <arch/cpu.h> use these.
 */
#ifndef _ARCH_CPUFUNC_H_
#define _ARCH_CPUFUNC_H_

#include <types.h>

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/*
 * RDMSR and RDTSC clear the upper halves of rax and rdx (64-bit mode),
 * so the halves are taken as 64-bit values: no zero-extension.
 */
static inline uint64_t
rdmsr(uint32_t msr)
{
	uint64_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return hi << 32 | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static inline uint64_t
rdtsc(void)
{
	uint64_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return hi << 32 | lo;
}

static inline void
cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t
read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void
write_rflags(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc");
}

static inline void
cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void
sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void
hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void
cpu_pause(void)
{
	__asm__ volatile("pause");
}

#define DEFINE_CR(n)                                                       \
	static inline uint64_t rcr##n(void)                                \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void lcr##n(uint64_t v)                              \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void
invlpg(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/*
 * The %fs and %gs selectors.  Reading one is cheap (no descriptor
 * access).  Loading %fs also loads its base from the descriptor (or, for
 * a null selector, clears it on Intel and QEMU and keeps it on AMD).
 * %gs is loaded only through machdep_lwp.c, inside swapgs, so that the
 * kernel's own GS base is never touched.
 */
static inline uint16_t
rfs(void)
{
	uint16_t sel;
	__asm__ volatile("movw %%fs, %0" : "=r"(sel));
	return sel;
}

static inline uint16_t
rgs(void)
{
	uint16_t sel;
	__asm__ volatile("movw %%gs, %0" : "=r"(sel));
	return sel;
}

static inline void
load_fs(uint16_t sel)
{
	__asm__ volatile("movw %0, %%fs" : : "r"(sel) : "memory");
}

/* Clear CR0.TS: FPU instructions stop raising #NM. */
static inline void
clts(void)
{
	__asm__ volatile("clts" : : : "memory");
}

/* Extended control register xcr (XCR0: the components XSAVE manages). */
static inline uint64_t
xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void
xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* SMAP: open and close the window in which the kernel may touch user pages. */
static inline void
stac(void)
{
	__asm__ volatile(".byte 0x0f,0x01,0xcb" : : : "memory");
}

static inline void
clac(void)
{
	__asm__ volatile(".byte 0x0f,0x01,0xca" : : : "memory");
}

/* MSRs */
#define MSR_APICBASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FSBASE 0xc0000100
#define MSR_GSBASE 0xc0000101
#define MSR_KERNELGSBASE 0xc0000102

#define EFER_SCE 0x001
#define EFER_LME 0x100
#define EFER_NXE 0x800

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_EM 0x00000004
#define CR0_TS 0x00000008
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000

/* XCR0 bits: the state components XSAVE saves (Intel SDM vol. 1, 13.1). */
#define XFEATURE_X87 0x001
#define XFEATURE_SSE 0x002
#define XFEATURE_YMM 0x004     /* AVX: the upper halves of ymm0-15 */
#define XFEATURE_OPMASK 0x020  /* AVX-512: k0-k7 */
#define XFEATURE_ZMM_HI 0x040  /* AVX-512: the upper halves of zmm0-15 */
#define XFEATURE_HI16ZMM 0x080 /* AVX-512: zmm16-31 */
#define XFEATURE_AVX512 (XFEATURE_OPMASK | XFEATURE_ZMM_HI | XFEATURE_HI16ZMM)

#define CR4_PAE 0x00000020
#define CR4_PGE 0x00000080
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define CR4_UMIP 0x00000800
#define CR4_FSGSBASE 0x00010000
#define CR4_OSXSAVE 0x00040000
#define CR4_SMEP 0x00100000
#define CR4_SMAP 0x00200000

#define PSL_C 0x00000001
#define PSL_PF 0x00000004
#define PSL_AF 0x00000010
#define PSL_Z 0x00000040
#define PSL_N 0x00000080
#define PSL_T 0x00000100
#define PSL_I 0x00000200
#define PSL_D 0x00000400
#define PSL_V 0x00000800
#define PSL_IOPL 0x00003000
#define PSL_NT 0x00004000
#define PSL_RF 0x00010000
#define PSL_VM 0x00020000
#define PSL_AC 0x00040000
#define PSL_VIF 0x00080000
#define PSL_VIP 0x00100000

#endif /* !_ARCH_CPUFUNC_H_ */
