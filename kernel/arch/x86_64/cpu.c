/*
 * CPU set-up: feature identification, control registers, the GDT and TSS,
 * the IDT, and the per-CPU data reached through GS.
 */
#include <systm.h>
#include <cpuset.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/pcb.h>
#include <arch/frame.h>
#include <arch/segments.h>

struct cpu_features cpu_features;

static struct cpu_info cpu_info_store[MAXCPUS];

/* IDT gate descriptor (Intel SDM vol. 3, 6.14.1). */
struct gate {
	uint16_t g_off_lo;
	uint16_t g_sel;
	uint8_t g_ist;
	uint8_t g_type; /* P | DPL | type */
	uint16_t g_off_mid;
	uint32_t g_off_hi;
	uint32_t g_rsvd;
} __packed;
CTASSERT(sizeof(struct gate) == 16);
/* The user selectors are ABI (ABI.md 4.4): the GDT layout must give them. */
CTASSERT(UCSEL == USER_CS_SEL);
CTASSERT(UDSEL == USER_DS_SEL);

struct region_desc {
	uint16_t rd_limit;
	uint64_t rd_base;
} __packed;

static struct gate idt[IDT_NVEC] __aligned(16);

/* Stacks for the double-fault and NMI handlers (IST), per CPU. */
#define IST_STACK_SIZE 8192
static char ist_stacks[MAXCPUS][2][IST_STACK_SIZE] __aligned(16);

extern char trap_stubs[];
CTASSERT(offsetof(struct cpu_info, ci_self) == CI_SELF);
CTASSERT(offsetof(struct cpu_info, ci_curlwp) == CI_CURLWP);
/* syscall.S compares the two bytes of the exit word at once. */
CTASSERT(offsetof(struct cpu_info, ci_exit_witness) ==
    offsetof(struct cpu_info, ci_want_resched) + 1);
CTASSERT(offsetof(struct cpu_info, ci_rsp0) == CI_RSP0);
CTASSERT(offsetof(struct cpu_info, ci_uscratch) == CI_USCRATCH);
CTASSERT(sizeof(struct tss) == 104);

CTASSERT(offsetof(struct trapframe, tf_rax) == TF_RAX);
CTASSERT(offsetof(struct trapframe, tf_r15) == TF_R15);
CTASSERT(offsetof(struct trapframe, tf_trapno) == TF_TRAPNO);
CTASSERT(offsetof(struct trapframe, tf_addr) == TF_ADDR);
CTASSERT(offsetof(struct trapframe, tf_err) == TF_ERR);
CTASSERT(offsetof(struct trapframe, tf_rip) == TF_RIP);
CTASSERT(offsetof(struct trapframe, tf_cs) == TF_CS);
CTASSERT(offsetof(struct trapframe, tf_rflags) == TF_RFLAGS);
CTASSERT(offsetof(struct trapframe, tf_rsp) == TF_RSP);
CTASSERT(offsetof(struct trapframe, tf_ss) == TF_SS);
CTASSERT(sizeof(struct trapframe) == TF_SIZE);

/* Fill cpu_features from CPUID. */
static void
cpu_identify(void)
{
	struct cpu_features *cf = &cpu_features;
	uint32_t r[4], maxleaf, maxext;

	cpuid_count(0, 0, r);
	maxleaf = r[0];
	memcpy(cf->cf_vendor + 0, &r[1], 4);
	memcpy(cf->cf_vendor + 4, &r[3], 4);
	memcpy(cf->cf_vendor + 8, &r[2], 4);
	cf->cf_vendor[12] = '\0';

	cpuid_count(1, 0, r);
	cf->cf_pge = (r[3] & (1u << 13)) != 0;
	cf->cf_stepping = r[0] & 0xf;
	cf->cf_model = (r[0] >> 4) & 0xf;
	cf->cf_family = (r[0] >> 8) & 0xf;
	if (cf->cf_family == 0xf)
		cf->cf_family += (r[0] >> 20) & 0xff;
	if (cf->cf_family >= 0x6)
		cf->cf_model += ((r[0] >> 16) & 0xf) << 4;

	if (maxleaf >= 7) {
		cpuid_count(7, 0, r);
		cf->cf_fsgsbase = (r[1] & (1u << 0)) != 0;
		cf->cf_smep = (r[1] & (1u << 7)) != 0;
		cf->cf_smap = (r[1] & (1u << 20)) != 0;
		cf->cf_umip = (r[2] & (1u << 2)) != 0;
	}

	cpuid_count(0x80000000, 0, r);
	maxext = r[0];
	if (maxext >= 0x80000001) {
		cpuid_count(0x80000001, 0, r);
		cf->cf_nx = (r[3] & (1u << 20)) != 0;
		cf->cf_pdpe1gb = (r[3] & (1u << 26)) != 0;
	}
	if (maxext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid_count(0x80000002 + i, 0, r);
			memcpy(cf->cf_brand + 16 * i, r, 16);
		}
		cf->cf_brand[48] = '\0';
	}
	if (maxext >= 0x80000007) {
		cpuid_count(0x80000007, 0, r);
		cf->cf_invariant_tsc = (r[3] & (1u << 8)) != 0;
	}
	fpu_identify();
}

/*
 * Read by copy.S: user access must be opened with stac.  Set once by
 * cpu_startup_boot.
 */
bool cpu_smap_enabled;

/*
 * Control registers: write protection in the kernel, SSE and XSAVE state
 * for user programs (XCR0 and CR0.TS: fpu_cpu_init), no-execute pages,
 * and the protections the CPU offers (SMEP, SMAP, UMIP, global pages).
 * Runs on every CPU (cpu_startup_boot, cpu_startup_ap) and writes
 * nothing but this CPU's registers.
 */
static void
cpu_setregs(void)
{
	const struct cpu_features *cf = &cpu_features;
	uint64_t cr0, cr4;

	cr0 = rcr0();
	cr0 |= CR0_WP | CR0_NE | CR0_MP;
	cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
	lcr0(cr0);

	cr4 = rcr4() | CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (fpu_xcr0 != 0)
		cr4 |= CR4_OSXSAVE;
	if (cf->cf_pge)
		cr4 |= CR4_PGE;
	if (cf->cf_smep)
		cr4 |= CR4_SMEP;
	if (cf->cf_smap)
		cr4 |= CR4_SMAP;
	if (cf->cf_umip)
		cr4 |= CR4_UMIP;
	lcr4(cr4);
	fpu_cpu_init();

	if (cf->cf_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

static uint64_t
segment_desc(uint32_t access_flags)
{
	return (uint64_t)access_flags << 32;
}

/* Load this CPU's GDT, TSS and segment registers. */
static void
cpu_load_gdt(struct cpu_info *ci)
{
	struct region_desc rd;
	uint64_t base = (uint64_t)&ci->ci_tss;
	uint64_t limit = sizeof(ci->ci_tss) - 1;

	ci->ci_gdt[GNULL_SEL] = 0;
	/* P, DPL, S, type; L for 64-bit code. */
	ci->ci_gdt[GCODE_SEL] = segment_desc(0x00209a00);
	ci->ci_gdt[GDATA_SEL] = segment_desc(0x00009200);
	ci->ci_gdt[GUDATA_SEL] = segment_desc(0x0000f200);
	ci->ci_gdt[GUCODE_SEL] = segment_desc(0x0020fa00);
	/* 64-bit available TSS: a 16-byte descriptor in two slots. */
	ci->ci_gdt[GPROC0_SEL] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((base >> 24) & 0xff) << 56);
	ci->ci_gdt[GPROC0_SEL + 1] = base >> 32;

	ci->ci_tss.tss_iobase = sizeof(ci->ci_tss); /* no I/O bitmap */
	ci->ci_tss.tss_ist[IST_DOUBLEFAULT - 1] =
	    (uint64_t)&ist_stacks[ci->ci_index][0][IST_STACK_SIZE];
	ci->ci_tss.tss_ist[IST_NMI - 1] =
	    (uint64_t)&ist_stacks[ci->ci_index][1][IST_STACK_SIZE];
	cpu_set_kstack(ci, ci->ci_rsp0);

	rd.rd_limit = sizeof(ci->ci_gdt) - 1;
	rd.rd_base = (uint64_t)ci->ci_gdt;
	__asm__ volatile("lgdt %0" : : "m"(rd));
	/* Reload CS with a far return, then the data segments and TR. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w2"
			 :
			 : "i"(KCSEL), "i"(KDSEL), "r"((uint16_t)TSSSEL)
			 : "rax", "memory");
}

static void
idt_set_gate(int vec, void *handler, int ist, int dpl)
{
	uint64_t off = (uint64_t)handler;
	struct gate *g = &idt[vec];

	g->g_off_lo = off & 0xffff;
	g->g_sel = KCSEL;
	g->g_ist = ist;
	g->g_type =
	    0x80 | (dpl << 5) | 0xe; /* present, 64-bit interrupt gate */
	g->g_off_mid = (off >> 16) & 0xffff;
	g->g_off_hi = off >> 32;
	g->g_rsvd = 0;
}

/* Fill the IDT (once) and load it on this CPU. */
static void
cpu_load_idt(void)
{
	struct region_desc rd;

	if (idt[0].g_type == 0) {
		for (int vec = 0; vec < IDT_NVEC; vec++) {
			int ist = 0;

			if (vec == T_DOUBLEFLT)
				ist = IST_DOUBLEFAULT;
			else if (vec == T_NMI)
				ist = IST_NMI;
			/* int3 may be used from user mode; everything else only by hardware. */
			idt_set_gate(vec, trap_stubs + 16 * vec, ist,
			    vec == T_BPTFLT ? SEL_UPL : SEL_KPL);
		}
	}
	rd.rd_limit = sizeof(idt) - 1;
	rd.rd_base = (uint64_t)idt;
	__asm__ volatile("lidt %0" : : "m"(rd));
}

/*
 * On a CPU without SMAP, make every stac and clac of copy.S (listed in
 * .smap_sites) a 3-byte NOP, as Linux's alternatives do, instead of a
 * test of cpu_smap_enabled at each.  The boot CPU, before pmap_bootstrap
 * maps text read-only (the boot page tables map it writable) and before
 * another CPU runs.
 */
static void
cpu_smap_patch(void)
{
	for (const uint64_t *p = smap_sites_start; p < smap_sites_end; p++) {
		uint8_t *insn = (uint8_t *)*p;

		KASSERT(cpu_smap_site_is(insn, SMAP_STAC) ||
		    cpu_smap_site_is(insn, SMAP_CLAC));
		memcpy(insn, SMAP_NOP3, SMAP_SITE_LEN);
	}
}

/*
 * Set up the boot CPU: identify it, set its control registers, and load
 * its GDT, TSS, IDT and GS base.  Called first thing from kmain with
 * interrupts off.
 */
void
cpu_startup_boot(void)
{
	struct cpu_info *ci = &cpu_info_store[0];

	cpu_identify();
	cpu_setregs();
	fpu_startup();
	cpu_smap_enabled = cpu_features.cf_smap;
	if (!cpu_smap_enabled)
		cpu_smap_patch();

	ci->ci_self = ci;
	ci->ci_index = 0;
	ci->ci_cpubit = CPUSET_BIT(0);
	ci->ci_rsp0 = (uint64_t)bootstack_top;
	cpu_load_gdt(ci);
	cpu_load_idt();
	wrmsr(MSR_GSBASE, (uint64_t)ci);
	wrmsr(MSR_KERNELGSBASE, 0);
	cpu_syscall_init();
}

struct cpu_info *
cpu_info_at(unsigned index)
{
	KASSERT(index < MAXCPUS);
	return &cpu_info_store[index];
}

void
cpu_startup_ap(struct cpu_info *ci)
{
	KASSERT(
	    ci->ci_self == ci && ci->ci_index != 0 && ci->ci_index < MAXCPUS);

	cpu_setregs();
	cpu_load_gdt(ci);
	cpu_load_idt();
	wrmsr(MSR_GSBASE, (uint64_t)ci);
	wrmsr(MSR_KERNELGSBASE, 0);
	cpu_syscall_init();
}

void
cpu_halt(void)
{
	for (;;) {
		cli();
		hlt();
	}
}
