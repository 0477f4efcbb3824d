/*
 * In-kernel tests of the FPU set-up (fpu.c): XCR0, the size of a saved
 * image against CPUID's layout of each component, the contexts' memory.
 */
#include <systm.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/pcb.h>

/*
 * XCR0 holds x87, SSE, AVX when the CPU has it and AVX-512 only whole,
 * never MPX or PKRU; the image size is CPUID 0xD.0:EBX, which must be the
 * end of the last enabled component by CPUID 0xD.i (offset + size), and
 * every CPU has the same XCR0 and CR4.OSXSAVE as this one.  Without
 * XSAVE the image is FXSAVE's 512 bytes.
 */
KTEST(fpu_area_size)
{
	uint32_t r[4], end = FPU_LEGACY_SIZE + FPU_HEADER_SIZE;
	bool xsave, avx;

	cpuid_count(1, 0, r);
	xsave = (r[2] & (1u << 26)) != 0;
	avx = (r[2] & (1u << 28)) != 0;
	if (xsave)
		cpuid_count(0xd, 1, r);
	kprintf("# fpu: XCR0 0x%lx, %u-byte images, saved with %s\n", fpu_xcr0,
	    fpu_area_size,
	    !xsave         ? "FXSAVE" :
		(r[0] & 1) ? "XSAVEOPT" :
			     "XSAVE");
	if (!xsave) {
		KT_EQ(fpu_xcr0, 0);
		KT_EQ(fpu_area_size, FPU_LEGACY_SIZE);
		KT_CHECK(!(rcr4() & CR4_OSXSAVE));
		return;
	}
	KT_CHECK(rcr4() & CR4_OSXSAVE);
	KT_EQ(xgetbv(0), fpu_xcr0);
	KT_EQ(fpu_xcr0 & (XFEATURE_X87 | XFEATURE_SSE),
	    XFEATURE_X87 | XFEATURE_SSE);
	KT_EQ((fpu_xcr0 & XFEATURE_YMM) != 0, avx);
	KT_CHECK((fpu_xcr0 & XFEATURE_AVX512) == 0 ||
	    (fpu_xcr0 & XFEATURE_AVX512) == XFEATURE_AVX512);
	KT_EQ(fpu_xcr0 &
		~(uint64_t)(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM |
		    XFEATURE_AVX512),
	    0);
	for (unsigned i = 2; i < 64; i++) {
		if (!(fpu_xcr0 & (1ULL << i)))
			continue;
		cpuid_count(0xd, i, r); /* eax: size, ebx: offset */
		KT_CHECKF(r[0] != 0 && r[1] >= end - FPU_HEADER_SIZE,
		    "component %u: %u bytes at %u", i, r[0], r[1]);
		end = MAX(end, r[1] + r[0]);
	}
	cpuid_count(0xd, 0, r);
	KT_EQ(fpu_area_size, r[1]);
	KT_EQ(fpu_area_size, end);
	if (fpu_xcr0 & XFEATURE_YMM)
		KT_CHECK(fpu_area_size >= 832);  /* 576 + 16 x 16 bytes */
	for (unsigned i = 1; i < MAXCPUS; i++) { /* the others */
		struct cpu_info *ci = cpu_info_at(i);

		if (!__atomic_load_n(&ci->ci_online, __ATOMIC_ACQUIRE))
			continue;
		KT_CHECKF(ci->ci_ap_cr4 & CR4_OSXSAVE, "CPU %u: no OSXSAVE", i);
	}
}

/*
 * A context: 64-aligned, a fresh program's image (FCW 0x37f, MXCSR
 * 0x1f80, with XSAVE a header of zeros), in no CPU's registers.  The
 * boot CPU runs no user context yet, so TS is set and its mirror says
 * so.
 */
KTEST(fpu_ctx)
{
	struct fpu_ctx *fc = cpu_fpu_ctx_alloc();
	const uint8_t *a;

	if (!KT_CHECK(fc != NULL))
		return;
	a = fc->fc_area;
	KT_EQ((uintptr_t)a & 63, 0);
	KT_EQ(fc->fc_cpu, -1);
	KT_EQ(fc->fc_used, 0);
	KT_EQ(*(const uint16_t *)a, 0x37f);
	KT_EQ(*(const uint32_t *)(a + FPU_MXCSR), FPU_MXCSR_DEFAULT);
	if (fpu_xcr0 != 0)
		for (unsigned i = 0; i < FPU_HEADER_SIZE; i++)
			KT_EQ(a[FPU_LEGACY_SIZE + i], 0);
	cpu_fpu_ctx_free(fc);
	KT_EQ(curcpu()->ci_fpu_live, false);
	KT_CHECK(rcr0() & CR0_TS);
}
