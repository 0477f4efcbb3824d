/*
 * Self test of multiprocessor bring-up (ktest=mp_online): every CPU the
 * MADT lists is online, each with a distinct local APIC id from the
 * MADT, and each started CPU loaded its own GDT, the IDT, its GS base
 * and the boot CPU's control-register features before it parked.
 */
#include <systm.h>
#include <ktest.h>
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/mp.h>
#include <arch/pmap.h>

/* The control-register bits every CPU must have as the boot CPU has them. */
#define MP_TEST_CR0 (CR0_PG | CR0_WP | CR0_NE | CR0_MP | CR0_EM | CR0_TS)
#define MP_TEST_CR4                                                   \
	(CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | \
	    CR4_SMEP | CR4_SMAP)
#define MP_TEST_EFER (EFER_SCE | EFER_LME | EFER_NXE)

/* The online CPU with local APIC id id, or NULL. */
static struct cpu_info *
mp_test_find(uint32_t id)
{
	for (unsigned i = 0; i < mp_ncpus; i++)
		if (cpu_info_at(i)->ci_lapic_id == id)
			return cpu_info_at(i);
	return NULL;
}

KTEST(mp_online)
{
	const struct acpi_info *ai = &acpi_info;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr;
	unsigned i, j;

	__asm__ volatile("sidt %0" : "=m"(idtr));

	/* Every CPU the MADT lists is online; name those that are not. */
	KT_EQ(mp_ncpus, ai->ai_ncpus);
	for (i = 0; i < ai->ai_ncpu_apic_ids; i++)
		KT_CHECKF(mp_test_find(ai->ai_cpu_apic_id[i]) != NULL,
		    "the CPU with APIC id %u (MADT entry %u) is not online",
		    ai->ai_cpu_apic_id[i], i);

	for (i = 0; i < mp_ncpus; i++) {
		struct cpu_info *ci = cpu_info_at(i);
		bool listed = false;

		KT_CHECK(ci->ci_self == ci);
		KT_EQ(ci->ci_index, i);
		for (j = 0; j < ai->ai_ncpu_apic_ids; j++)
			listed |= ai->ai_cpu_apic_id[j] == ci->ci_lapic_id;
		KT_CHECKF(listed || !ai->ai_have_madt,
		    "CPU %u: APIC id %u is not in the MADT", i,
		    ci->ci_lapic_id);
		for (j = 0; j < i; j++)
			KT_CHECKF(cpu_info_at(j)->ci_lapic_id !=
				ci->ci_lapic_id,
			    "CPUs %u and %u share APIC id "
			    "%u",
			    j, i, ci->ci_lapic_id);
		if (i == 0)
			continue;

		/* What the started CPU recorded before it parked. */
		KT_CHECKF(__atomic_load_n(&ci->ci_online, __ATOMIC_ACQUIRE),
		    "CPU %u is not marked online", i);
		KT_EQ(ci->ci_ap_lapic_id, ci->ci_lapic_id);
		KT_EQ(ci->ci_ap_gdtr_base, (uint64_t)ci->ci_gdt);
		KT_EQ(ci->ci_ap_idtr_base, idtr.base);
		KT_EQ(ci->ci_ap_gsbase, (uint64_t)ci);
		KT_EQ(ci->ci_tss.tss_rsp0, ci->ci_rsp0);
		KT_CHECKF(ci->ci_rsp0 != 0 &&
			ci->ci_rsp0 != cpu_info_at(0)->ci_rsp0,
		    "CPU %u: stack %#lx", i, ci->ci_rsp0);
		KT_EQ(ci->ci_ap_cr0 & MP_TEST_CR0, rcr0() & MP_TEST_CR0);
		KT_EQ(ci->ci_ap_cr4 & MP_TEST_CR4, rcr4() & MP_TEST_CR4);
		KT_EQ(ci->ci_ap_efer & MP_TEST_EFER,
		    rdmsr(MSR_EFER) & MP_TEST_EFER);
	}

	/* The start-up identity map is gone again. */
	KT_EQ(pmap_kernel()->pm_pml4[0], 0);
}
