/*
 * ACPI: the few static tables the kernel reads at boot.
 *
 * acpi_init() walks RSDP -> XSDT (or RSDT) -> MADT and FADT once, on the
 * boot CPU, and leaves what it found in acpi_info.  Nothing here runs the
 * AML interpreter: the only thing taken from the DSDT is the \_S5 sleep
 * type, found by a byte scan.  When a table is missing or broken the
 * fields hold the defaults of a PC with one I/O APIC (see acpi.c), so
 * the interrupt code never has to ask whether ACPI worked.
 *
 * acpi_info is written only by acpi_init() and read-only afterwards, so
 * it needs no lock.
 */
#ifndef _ARCH_ACPI_H_
#define _ARCH_ACPI_H_

#include <types.h>
#include <param.h>

struct bootinfo;

#define ACPI_MAX_IOAPICS 8
#define ACPI_NISA_IRQS 16

/* One I/O APIC from the MADT. */
struct acpi_ioapic {
	uint8_t aio_id;
	paddr_t aio_addr;      /* physical address of its registers */
	uint32_t aio_gsi_base; /* first global system interrupt it handles */
};

/*
 * Where ISA interrupt n arrives: its global system interrupt and its
 * electrical mode, with the MADT's "conforms to the bus" values already
 * resolved to ISA's (edge-triggered, active high).
 */
struct acpi_isa_irq {
	uint32_t air_gsi;
	bool air_active_low;
	bool air_level;
};

struct acpi_info {
	bool ai_initialized; /* acpi_init() has run */
	bool ai_have_madt;   /* the values below came from a valid MADT */
	bool ai_have_fadt;

	/* From the MADT (or the defaults). */
	paddr_t ai_lapic_addr;
	bool ai_pcat_compat; /* a legacy 8259 pair is present */
	unsigned ai_ncpus;   /* enabled processors */
	/*
	 * The local APIC ids of the enabled processors, in MADT order,
	 * without duplicates: at most MAXCPUS, and only ids below 256
	 * (xAPIC mode).  Empty when the MADT is missing or unusable.
	 */
	uint8_t ai_cpu_apic_id[MAXCPUS];
	unsigned ai_ncpu_apic_ids;
	struct acpi_ioapic ai_ioapics[ACPI_MAX_IOAPICS];
	unsigned ai_nioapics;
	struct acpi_isa_irq ai_isa[ACPI_NISA_IRQS];

	/* From the FADT and the DSDT; 0 ports mean "absent". */
	uint16_t ai_pm1a_cnt;
	uint16_t ai_pm1b_cnt;
	uint16_t ai_smi_cmd;
	uint8_t ai_acpi_enable; /* written to ai_smi_cmd to enter ACPI mode */
	bool ai_have_s5;
	uint8_t ai_s5_typa; /* SLP_TYP for PM1a_CNT in the S5 state */
	uint8_t ai_s5_typb;
	/* The FADT's reset register, when it is an I/O port (0: none). */
	uint16_t ai_reset_port;
	uint8_t ai_reset_value;
};

extern struct acpi_info acpi_info;

/*
 * Fill acpi_info from the RSDP copy in bi (NULL or an empty copy means
 * the loader gave none).  Prints one line per table it uses and a clear
 * line for every fallback to a default.  Boot CPU, once, after
 * pmap_bootstrap() (tables are read through the direct map) and before
 * intr_startup().
 */
void acpi_init(const struct bootinfo *bi);

/*
 * Enter the S5 (soft-off) sleep state.  Returns only if that is
 * impossible (no FADT, no \_S5 object, or the machine ignored the
 * request).  No requirements.
 */
void acpi_poweroff(void);

/*
 * Reset the machine through the FADT's reset register.  Returns only if
 * there is none or the machine ignored it.  No requirements.
 */
void acpi_reset(void);

#endif /* !_ARCH_ACPI_H_ */
