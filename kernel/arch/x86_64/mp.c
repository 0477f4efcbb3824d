/*
 * Multiprocessor bring-up: start every CPU the MADT lists and park it.
 *
 * The boot CPU starts the others one at a time.  For each it fills the
 * CPU's struct cpu_info and the trampoline's parameter block (stack,
 * entry, cpu_info), sends INIT, waits 10 ms, sends a start-up IPI, waits
 * 200 us and, if the CPU has not yet come online, sends a second one
 * (the sequence of the Intel SDM, vol. 3, 8.4.4.1).  It then waits up to
 * MP_START_TIMEOUT_NS for ci_online; a CPU that stays silent is reported,
 * put back into the wait-for-SIPI state with another INIT (so it cannot
 * later run the trampoline with the next CPU's parameters) and skipped.
 *
 * The trampoline runs with paging on the kernel's own PML4 before it can
 * jump to the kernel's addresses, so the page it runs from must be
 * mapped at its physical address.  The kernel's page tables have no
 * identity map after boot; while CPUs start, PML4 slot 0 (user space,
 * unused: no process exists yet) points at a small static table that
 * maps the first 2 MiB, and is cleared again before mp_startup returns.
 *
 * A started CPU runs mp_ap_entry: it sets itself up as the boot CPU was
 * set up, records a few facts for the mp_online self test, becomes a
 * scheduler CPU with its own idle LWP and tick, sets ci_online, joins
 * the kernel pmap's TLB shootdowns (pmap_cpu_init) and runs the idle
 * loop (see <arch/mp.h>).
 *
 * Locking: mp_startup runs once on the boot CPU before anything else
 * could race with it.  The only fields a started CPU writes are those of
 * its own struct cpu_info marked in <arch/cpu.h>, published by the
 * release store to ci_online.
 */
#include <systm.h>
#include <bootinfo.h>
#include <clock.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/cpufunc.h>
#include <arch/intr.h>
#include <arch/mp.h>
#include <arch/pmap.h>
#include <proc/proc.h>
#include <proc/sched.h>

#define MP_TRAMP_PREFERRED 0x8000UL
#define MP_TRAMP_LOW 0x1000UL        /* real-mode IVT and BIOS data below */
#define MP_TRAMP_HIGH 0x9f000UL      /* the EBDA may start above */
#define MP_INIT_DELAY_NS 10000000ULL /* after INIT */
#define MP_SIPI_DELAY_NS 200000ULL   /* between start-up IPIs */
#define MP_START_TIMEOUT_NS 1000000000ULL

CTASSERT(offsetof(struct mp_tramp_args, mta_gdt_limit) == MPT_GDTR);
CTASSERT(offsetof(struct mp_tramp_args, mta_far32_off) == MPT_FAR32);
CTASSERT(offsetof(struct mp_tramp_args, mta_far64_off) == MPT_FAR64);
CTASSERT(offsetof(struct mp_tramp_args, mta_cr3) == MPT_CR3);
CTASSERT(offsetof(struct mp_tramp_args, mta_efer) == MPT_EFER);
CTASSERT(offsetof(struct mp_tramp_args, mta_stack) == MPT_STACK);
CTASSERT(offsetof(struct mp_tramp_args, mta_entry) == MPT_ENTRY);
CTASSERT(offsetof(struct mp_tramp_args, mta_cpu) == MPT_CPU);
CTASSERT(sizeof(struct mp_tramp_args) == MPT_ARGS_SIZE);

/* mptramp.S: the code to copy, and the places in it mp.c fills in. */
extern char mptramp_start[], mptramp_end[], mptramp_args[];
extern char mptramp_gdt[], mptramp_pm32[], mptramp_lm64[];

unsigned mp_ncpus = 1;

/* The trampoline page, or 0 if there is none; set once at boot. */
static paddr_t mp_tramp_pa;

/* The identity map of the first 2 MiB used while CPUs start. */
static pt_entry_t mp_ident_pdpt[512] __aligned(PAGE_SIZE);
static pt_entry_t mp_ident_pd[512] __aligned(PAGE_SIZE);

void mp_ap_entry(struct cpu_info *ci) __noreturn;

/* Whether the page at pa is in one of bi's usable ranges.  No requirements. */
static bool
mp_page_usable(const struct bootinfo *bi, paddr_t pa)
{
	for (size_t i = 0; i < bi->bi_nusable; i++)
		if (bi->bi_usable[i].start <= pa &&
		    pa + PAGE_SIZE <= bi->bi_usable[i].end)
			return true;
	return false;
}

void
mp_reserve_trampoline(struct bootinfo *bi)
{
	paddr_t pa;

	KASSERT(mptramp_end - mptramp_start <= (long)PAGE_SIZE);

	if (mp_page_usable(bi, MP_TRAMP_PREFERRED))
		pa = MP_TRAMP_PREFERRED;
	else {
		for (pa = MP_TRAMP_LOW; pa < MP_TRAMP_HIGH; pa += PAGE_SIZE)
			if (mp_page_usable(bi, pa))
				break;
		if (pa == MP_TRAMP_HIGH)
			return;
	}
	if (bootinfo_reserve(bi, pa, pa + PAGE_SIZE) != 0)
		return;
	mp_tramp_pa = pa;
}

/*
 * Record what this CPU loaded, for the mp_online test.  Runs on the
 * started CPU, before it sets ci_online; writes only ci's start-up fields.
 */
static void
mp_ap_record(struct cpu_info *ci)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr, idtr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	ci->ci_ap_gdtr_base = gdtr.base;
	ci->ci_ap_idtr_base = idtr.base;
	ci->ci_ap_gsbase = rdmsr(MSR_GSBASE);
	ci->ci_ap_cr0 = rcr0();
	ci->ci_ap_cr4 = rcr4();
	ci->ci_ap_efer = rdmsr(MSR_EFER);
	ci->ci_ap_lapic_id = lapic_id();
}

/*
 * The C entry of a started CPU, called by the trampoline on the stack
 * ci->ci_rsp0 with interrupts off.  Sets the CPU up, makes its start-up
 * context its idle LWP, starts its tick, says it is online, joins the
 * kernel pmap's shootdowns (before it can run an LWP or touch a kernel
 * stack) and runs the scheduler's idle loop.
 */
void
mp_ap_entry(struct cpu_info *ci)
{
	cpu_startup_ap(ci);
	lapic_enable();
	mp_ap_record(ci);
	proc_idle_attach(ci);
	clock_start_tick();
	__atomic_store_n(&ci->ci_online, true, __ATOMIC_RELEASE);
	pmap_cpu_init();
	sched_idle();
}

/*
 * Copy the trampoline to its page and fill in the parts that do not
 * change from CPU to CPU.  Returns its parameter block (direct-map
 * address).  Boot CPU, from mp_startup, with a trampoline page.
 */
static struct mp_tramp_args *
mp_tramp_install(void)
{
	paddr_t pa = mp_tramp_pa;
	char *page = PHYS_TO_DMAP(pa);
	struct mp_tramp_args *mta;

	memcpy(page, mptramp_start, mptramp_end - mptramp_start);
	mta = (struct mp_tramp_args *)(page + (mptramp_args - mptramp_start));
	mta->mta_gdt_limit = 4 * 8 - 1;
	mta->mta_gdt_base = pa + (mptramp_gdt - mptramp_start);
	mta->mta_far32_off = pa + (mptramp_pm32 - mptramp_start);
	mta->mta_far32_sel = MPT_SEL_CODE32;
	mta->mta_far64_off = pa + (mptramp_lm64 - mptramp_start);
	mta->mta_far64_sel = MPT_SEL_CODE64;
	mta->mta_cr3 = (uint32_t)pmap_kernel()->pm_pml4_pa;
	mta->mta_efer = EFER_LME | (cpu_features.cf_nx ? EFER_NXE : 0);
	mta->mta_entry = (uint64_t)mp_ap_entry;
	return mta;
}

/*
 * Map the first 2 MiB at their physical addresses through the kernel
 * PML4's slot 0, which must be empty.  Boot CPU, from mp_startup, before
 * any process exists.
 */
static void
mp_ident_map(void)
{
	pt_entry_t *pml4 = pmap_kernel()->pm_pml4;

	KASSERT(pml4[0] == 0);
	mp_ident_pd[0] = 0 | PG_V | PG_RW | PG_PS;
	mp_ident_pdpt[0] = ((uint64_t)mp_ident_pd - KERNBASE) | PG_V | PG_RW;
	pml4[0] = ((uint64_t)mp_ident_pdpt - KERNBASE) | PG_V | PG_RW;
}

/*
 * Remove the identity map again and flush it from every CPU's TLB.
 * Boot CPU, from mp_startup.
 */
static void
mp_ident_unmap(void)
{
	pmap_kernel()->pm_pml4[0] = 0;
	pmap_kernel_flush();
}

/* Wait up to ns for ci to come online.  Returns whether it did.  No requirements. */
static bool
mp_wait_online(struct cpu_info *ci, uint64_t ns)
{
	uint64_t start = nanouptime();

	while (!__atomic_load_n(&ci->ci_online, __ATOMIC_ACQUIRE)) {
		if (nanouptime() - start >= ns)
			return false;
		cpu_pause();
	}
	return true;
}

/*
 * Start the CPU with local APIC id apic_id as CPU ci (filled by the
 * caller) through the trampoline with parameter block mta.  Returns
 * whether it came online; if not, it has been sent INIT again.  Boot
 * CPU, from mp_startup, with the identity map in place.
 */
static bool
mp_start_cpu(struct mp_tramp_args *mta, struct cpu_info *ci, uint32_t apic_id)
{
	mta->mta_stack = ci->ci_rsp0;
	mta->mta_cpu = (uint64_t)ci;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_ipi_init(apic_id);
	delay_ns(MP_INIT_DELAY_NS);
	lapic_ipi_startup(apic_id, mp_tramp_pa);
	if (mp_wait_online(ci, MP_SIPI_DELAY_NS))
		return true;
	lapic_ipi_startup(apic_id, mp_tramp_pa);
	if (mp_wait_online(ci, MP_START_TIMEOUT_NS))
		return true;
	lapic_ipi_init(apic_id);
	return false;
}

void
mp_startup(void)
{
	const struct acpi_info *ai = &acpi_info;
	uint32_t self = curcpu()->ci_lapic_id;
	struct mp_tramp_args *mta = NULL;
	struct cpu_info *ci;
	unsigned i, started = 0, failed = 0;
	vaddr_t stack = 0;

	KASSERT(curcpu()->ci_index == 0 && mp_ncpus == 1);

	for (i = 0; i < ai->ai_ncpu_apic_ids; i++) {
		uint32_t id = ai->ai_cpu_apic_id[i];

		if (id == self)
			continue;
		if (mp_tramp_pa == 0 ||
		    pmap_kernel()->pm_pml4_pa >= (1UL << 32)) {
			kprintf("mp: no trampoline page below 1 MiB (or the "
				"kernel PML4 is above 4 GiB); other CPUs not "
				"started\n");
			break;
		}
		if (mp_ncpus == MAXCPUS) {
			kprintf("mp: %d CPUs online; CPU with APIC id %u not "
				"started\n",
			    MAXCPUS, id);
			failed++;
			continue;
		}
		if (mta == NULL) {
			mta = mp_tramp_install();
			mp_ident_map();
		}
		if (stack == 0 && (stack = kstack_alloc()) == 0) {
			kprintf("mp: no memory for a kernel stack; CPU with "
				"APIC id %u not started\n",
			    id);
			failed++;
			continue;
		}
		ci = cpu_info_at(mp_ncpus);
		memset(ci, 0, sizeof(*ci));
		ci->ci_self = ci;
		ci->ci_index = mp_ncpus;
		ci->ci_cpubit = CPUSET_BIT(mp_ncpus);
		ci->ci_lapic_id = id;
		ci->ci_rsp0 = stack;
		if (!mp_start_cpu(mta, ci, id)) {
			kprintf("mp: CPU with APIC id %u did not start within "
				"%lu ms; skipped\n",
			    id, (unsigned long)(MP_START_TIMEOUT_NS / 1000000));
			failed++;
			continue; /* its stack and slot go to the next CPU */
		}
		stack = 0;
		mp_ncpus++;
		started++;
	}
	if (stack != 0)
		kstack_free(stack);
	if (mta != NULL)
		mp_ident_unmap();

	kprintf("mp: %u CPU%s online (%u started", mp_ncpus,
	    mp_ncpus == 1 ? "" : "s", started);
	if (failed != 0)
		kprintf(", %u failed", failed);
	kprintf(")\n");
}
