/*
 * Per-CPU data and the machine-dependent CPU interface.
 *
 * Every CPU has one struct cpu_info, reached through the GS base while in
 * the kernel: %gs:0 holds its own address, so curcpu() is one load and no
 * global names "the current CPU" or "the current LWP".
 */
#ifndef _ARCH_CPU_H_
#define _ARCH_CPU_H_

/* The machine's name, as uname reports it. */
#define MACHINE_NAME "x86_64"

/* Offsets in struct cpu_info read by assembly (%gs:offset). */
#define CI_SELF 0
#define CI_CURLWP 8
#define CI_RSP0 16
#define CI_USCRATCH 24

#ifndef __ASSEMBLY__
#include <types.h>
#include <param.h>
#include <arch/cpufunc.h>
#include <arch/frame.h> /* TF_SIZE */
#include <arch/segments.h>

struct fpu_ctx;
struct lwp;
struct pmap;
struct trapframe;

/* The 64-bit task-state segment (Intel SDM vol. 3, 8.7). */
struct tss {
	uint32_t tss_rsvd0;
	uint64_t tss_rsp0;
	uint64_t tss_rsp1;
	uint64_t tss_rsp2;
	uint64_t tss_rsvd1;
	uint64_t tss_ist[7];
	uint64_t tss_rsvd2;
	uint16_t tss_rsvd3;
	uint16_t tss_iobase;
} __packed;

/*
 * Fields are owned by their CPU: only it reads or writes them, with
 * interrupts masked where an interrupt handler also uses the field.
 * The first four are read by assembly at fixed offsets.
 */
struct cpu_info {
	struct cpu_info *ci_self; /* %gs:0 */
	struct lwp *ci_curlwp;    /* %gs:8, the LWP running here */
	uint64_t ci_rsp0;         /* %gs:16, kernel stack top for entry */
	uint64_t ci_uscratch;     /* %gs:24, user rsp during syscall entry */
	struct lwp *ci_idlelwp;   /* runs when nothing else can */
	/*
	 * The exit word of a fast system call (syscall.S), compared with 0
	 * as one 16-bit value: a switch is due at the next return to user
	 * mode, and the lock checker checks that return (witness_on).
	 */
	volatile bool ci_want_resched;
	bool ci_exit_witness;
	unsigned ci_index; /* 0 for the boot CPU */
	uint32_t ci_lapic_id;
	int ci_spin_depth;         /* spinlocks held (interrupts masked) */
	bool ci_spin_intr_enabled; /* interrupts were on at depth 0 */
	int ci_intr_depth;         /* nested hardware interrupts */
	uint64_t ci_nintr;         /* interrupts taken */
	uint64_t ci_ntraps;        /* exceptions taken */
	unsigned ci_ipi_pending;   /* IPI_* kinds posted; atomic (ipi.c) */
	uint64_t ci_nipi_sent;     /* IPIs this CPU sent (ipi_send) */
	struct pmap *ci_pmap;      /* page tables loaded here (pmap.c) */
	uint64_t ci_cpubit;        /* CPUSET_BIT(ci_index), for pm_active */
	/*
	 * The FPU (fpu.c): the user context whose state the registers hold
	 * (NULL: none), whether CR0.TS is clear, and whether TS is set over
	 * the owner's state that its image lacks (a controller's while its
	 * guest runs).  Thread context only: no interrupt handler touches
	 * them.
	 */
	struct fpu_ctx *ci_fpu_owner;
	bool ci_fpu_live;
	bool ci_fpu_unsaved;
	uint64_t ci_gdt[NGDT];
	struct tss ci_tss;

	/*
	 * Start-up of another CPU (mp.c): the boot CPU fills ci_self,
	 * ci_index, ci_rsp0 and ci_lapic_id before the start-up IPI; the
	 * started CPU writes the facts below about itself and then sets
	 * ci_online (release); the boot CPU reads them after seeing
	 * ci_online (acquire).  Nothing changes afterwards.
	 */
	uint64_t ci_ap_gdtr_base; /* as loaded (sgdt) */
	uint64_t ci_ap_idtr_base; /* as loaded (sidt) */
	uint64_t ci_ap_gsbase;    /* MSR_GSBASE */
	uint64_t ci_ap_cr0;
	uint64_t ci_ap_cr4;
	uint64_t ci_ap_efer;
	uint32_t ci_ap_lapic_id; /* read from its own local APIC */
	bool ci_online;          /* started and parked; atomic access */

	/*
	 * The system call entry's: the frame's address less 8 on the
	 * kernel stack ci_rsp0 names (cpu_set_kstack), and the numbers
	 * below which the LWP running here may take the fast path
	 * (cpu_syscall_limit).
	 */
	uint64_t ci_syscall_frame;
	uint64_t ci_syscall_limit;
} __aligned(64);

static inline struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(ci));
	return ci;
}

#define curlwp (curcpu()->ci_curlwp)

/*
 * True if ci's exit word is not 0 (a switch is due, or the lock checker
 * checks returns to user mode): one 16-bit load, as syscall.S makes.
 * Interrupts masked, so that ci stays this CPU.
 */
static inline bool
cpu_exit_word(const struct cpu_info *ci)
{
	uint16_t w;

	__builtin_memcpy(&w, (const void *)&ci->ci_want_resched, sizeof(w));
	return w != 0;
}

/*
 * Make the stack whose top is top the one entries from user mode use on
 * ci: the TSS's rsp0 (interrupts, exceptions) and ci_rsp0, and the
 * syscall entry's frame below it (ci_syscall_frame: the frame, then an
 * 8-byte pad, syscall.S).  The caller owns ci (ci is curcpu() with
 * interrupts masked, or a CPU not started yet).
 */
static inline void
cpu_set_kstack(struct cpu_info *ci, uint64_t top)
{
	ci->ci_rsp0 = top;
	ci->ci_tss.tss_rsp0 = top;
	ci->ci_syscall_frame = top - TF_SIZE - 8;
}

/* CPU features found by cpu_identify() and turned on where present. */
struct cpu_features {
	bool cf_nx;
	bool cf_pdpe1gb; /* 1 GiB pages */
	bool cf_smep;
	bool cf_smap;
	bool cf_umip;
	bool cf_pge;
	bool cf_fsgsbase;
	bool cf_invariant_tsc;
	char cf_vendor[13];
	char cf_brand[49];
	unsigned cf_family, cf_model, cf_stepping; /* CPUID 1, as Linux's */
};
extern struct cpu_features cpu_features;

/* Early CPU set-up on the boot CPU: features, control registers, GDT, TSS, IDT, GS. */
void cpu_startup_boot(void);

/*
 * The struct cpu_info of CPU index (0 is the boot CPU).  The caller
 * fills a new CPU's before starting it.  index < MAXCPUS.
 */
struct cpu_info *cpu_info_at(unsigned index);

/*
 * Set up another CPU the way cpu_startup_boot set up the boot CPU: the
 * same control-register features, its own GDT and TSS from ci, the IDT,
 * GS base = ci, and the syscall MSRs.  Runs on that CPU, with interrupts
 * off, on the stack ci->ci_rsp0 names; ci's ci_self, ci_index and
 * ci_rsp0 must be set.
 */
void cpu_startup_ap(struct cpu_info *ci);

/* Interrupt masking.  intr_disable returns the previous state for intr_restore. */
static inline bool
intr_disable(void)
{
	bool was = (read_rflags() & PSL_I) != 0;
	cli();
	return was;
}

static inline void
intr_restore(bool was_enabled)
{
	if (was_enabled)
		sti();
}

static inline bool
intr_enabled(void)
{
	return (read_rflags() & PSL_I) != 0;
}

/* Wait for the next interrupt with interrupts enabled. */
static inline void
cpu_idle(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

/* Stop this CPU for good. */
void cpu_halt(void) __noreturn;

/*
 * Leave QEMU through isa-debug-exit with (code & 0x7f), as ABI.md section 1
 * describes; on a machine without the device, try ACPI power-off, then halt.
 */
void machine_exit(int code) __noreturn;

/*
 * Reset the machine: the FADT's reset register, the keyboard controller,
 * the chipset's reset control, then a triple fault.  QEMU run with
 * -no-reboot exits (status 0).  Interrupts are masked; the caller has
 * stopped the other CPUs.
 */
void machine_reboot(void) __noreturn;

/* The kernel stack of the boot CPU, from boot.S. */
extern char bootstack_top[];

/* SMAP is on: user memory is reachable only between stac and clac. */
extern bool cpu_smap_enabled;

/*
 * The stac and clac instructions of copy.S, whose addresses the linker
 * gathers between smap_sites_start and smap_sites_end: each is stac or
 * clac with SMAP, a 3-byte NOP without (cpu_smap_patch).
 */
extern const uint64_t smap_sites_start[], smap_sites_end[];
#define SMAP_SITE_LEN 3
#define SMAP_STAC "\x0f\x01\xcb"
#define SMAP_CLAC "\x0f\x01\xca"
#define SMAP_NOP3 "\x0f\x1f\x00"

/* True if the instruction at insn is the SMAP_SITE_LEN bytes of what. */
static inline bool
cpu_smap_site_is(const uint8_t *insn, const char *what)
{
	for (unsigned i = 0; i < SMAP_SITE_LEN; i++)
		if (insn[i] != (uint8_t)what[i])
			return false;
	return true;
}

/*
 * Read or write kernel memory that may be unmapped, without faulting:
 * a page fault or general-protection fault on the access is caught
 * through the exception table and turned into -EFAULT.  Return 0 or
 * -EFAULT.  Used by the backtracer and by tests.  No requirements.
 */
int probe_read64(const void *addr, uint64_t *val);
int probe_write8(void *addr, uint8_t val);

/*
 * Entropy for the random generator (kern_random.c, random_md.c): 64 bits
 * from the CPU's random number generator (RDSEED, else RDRAND, when CPUID
 * says the CPU has them) into *v and true; false if it has neither or it
 * keeps failing.  cpu_cycles is a cycle counter (the TSC) for jitter.  No
 * requirements.
 */
bool cpu_random64(uint64_t *v);
uint64_t cpu_cycles(void);

#endif /* !__ASSEMBLY__ */
#endif /* !_ARCH_CPU_H_ */
