/*
 * ACPI static tables: RSDP, RSDT/XSDT, MADT, FADT and the \_S5 object of
 * the DSDT.  Table layouts are those of the ACPI specification (6.x,
 * chapter 5.2); only the fields used here are declared.
 *
 * Every table is read through the direct map, which covers all physical
 * memory including the ACPI regions.  A table is used only if its
 * signature, length and checksum are right; anything else is reported
 * and replaced by the defaults below.
 */
#include <systm.h>
#include <bootinfo.h>
#include <arch/acpi.h>
#include <arch/cpufunc.h>
#include <arch/pmap.h>

/* What a PC without usable ACPI tables is assumed to have. */
#define ACPI_DEFAULT_LAPIC 0xfee00000UL
#define ACPI_DEFAULT_IOAPIC 0xfec00000UL

#define ACPI_TABLE_MAX (16UL << 20) /* larger "tables" are garbage */

struct acpi_rsdp {
	char rsdp_sig[8];      /* "RSD PTR " */
	uint8_t rsdp_checksum; /* over the first 20 bytes */
	char rsdp_oem[6];
	uint8_t rsdp_revision; /* 0: ACPI 1.0; 2: ACPI 2.0 and later */
	uint32_t rsdp_rsdt;
	/* ACPI 2.0 and later */
	uint32_t rsdp_length;
	uint64_t rsdp_xsdt;
	uint8_t rsdp_xchecksum; /* over rsdp_length bytes */
	uint8_t rsdp_rsvd[3];
} __packed;
CTASSERT(sizeof(struct acpi_rsdp) == 36);

struct acpi_header {
	char h_sig[4];
	uint32_t h_length; /* of the whole table, header included */
	uint8_t h_revision;
	uint8_t h_checksum; /* the bytes of the table sum to 0 */
	char h_oem[6];
	char h_oemtable[8];
	uint32_t h_oemrev;
	uint32_t h_creator;
	uint32_t h_creatorrev;
} __packed;
CTASSERT(sizeof(struct acpi_header) == 36);

struct acpi_madt {
	struct acpi_header m_hdr;
	uint32_t m_lapic; /* 32-bit local APIC address */
	uint32_t m_flags;
	/* followed by entries: type, length, body */
} __packed;
CTASSERT(sizeof(struct acpi_madt) == 44);

#define MADT_PCAT_COMPAT 0x1

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2 /* interrupt source override */
#define MADT_LAPIC_ADDR 5
#define MADT_X2APIC 9

struct madt_lapic {
	uint8_t ml_type, ml_len;
	uint8_t ml_uid;
	uint8_t ml_apic_id;
	uint32_t ml_flags;
} __packed;

#define MADT_LAPIC_ENABLED 0x1

struct madt_ioapic {
	uint8_t mi_type, mi_len;
	uint8_t mi_id;
	uint8_t mi_rsvd;
	uint32_t mi_addr;
	uint32_t mi_gsi_base;
} __packed;

struct madt_iso {
	uint8_t mo_type, mo_len;
	uint8_t mo_bus; /* 0: ISA */
	uint8_t mo_source;
	uint32_t mo_gsi;
	uint16_t mo_flags;
} __packed;

/* MPS INTI flags of an override. */
#define MPS_POL_MASK 0x3
#define MPS_POL_HIGH 0x1
#define MPS_POL_LOW 0x3
#define MPS_TRIG_MASK 0xc
#define MPS_TRIG_EDGE 0x4
#define MPS_TRIG_LEVEL 0xc

struct madt_lapic_addr {
	uint8_t ma_type, ma_len;
	uint16_t ma_rsvd;
	uint64_t ma_addr;
} __packed;

struct madt_x2apic {
	uint8_t mx_type, mx_len;
	uint16_t mx_rsvd;
	uint32_t mx_x2apic_id;
	uint32_t mx_flags;
	uint32_t mx_uid;
} __packed;

/* A generic address structure: where a register block lives. */
struct acpi_gas {
	uint8_t g_space; /* 0 memory, 1 I/O port */
	uint8_t g_bit_width;
	uint8_t g_bit_offset;
	uint8_t g_access_size;
	uint64_t g_addr;
} __packed;
CTASSERT(sizeof(struct acpi_gas) == 12);

#define GAS_SPACE_IO 1

/* f_flags: the reset register is supported */
#define FADT_RESET_REG_SUP (1u << 10)

struct acpi_fadt {
	struct acpi_header f_hdr;
	uint32_t f_facs;
	uint32_t f_dsdt;
	uint8_t f_rsvd0;
	uint8_t f_pm_profile;
	uint16_t f_sci_int;
	uint32_t f_smi_cmd;
	uint8_t f_acpi_enable;
	uint8_t f_acpi_disable;
	uint8_t f_s4bios_req;
	uint8_t f_pstate_cnt;
	uint32_t f_pm1a_evt_blk;
	uint32_t f_pm1b_evt_blk;
	uint32_t f_pm1a_cnt_blk;
	uint32_t f_pm1b_cnt_blk;
	uint8_t f_mid[40]; /* PM2_CNT_BLK .. IAPC_BOOT_ARCH, unused here */
	uint32_t f_flags;
	struct acpi_gas f_reset_reg;
	uint8_t f_reset_value;
	uint16_t f_arm_boot_arch;
	uint8_t f_minor;
	/* ACPI 2.0 and later: the FADT may end before these */
	uint64_t f_x_facs;
	uint64_t f_x_dsdt;
	struct acpi_gas f_x_pm1a_evt_blk;
	struct acpi_gas f_x_pm1b_evt_blk;
	struct acpi_gas f_x_pm1a_cnt_blk;
	struct acpi_gas f_x_pm1b_cnt_blk;
} __packed;
CTASSERT(offsetof(struct acpi_fadt, f_smi_cmd) == 48);
CTASSERT(offsetof(struct acpi_fadt, f_pm1a_cnt_blk) == 64);
CTASSERT(offsetof(struct acpi_fadt, f_flags) == 112);
CTASSERT(offsetof(struct acpi_fadt, f_x_dsdt) == 140);
CTASSERT(offsetof(struct acpi_fadt, f_x_pm1a_cnt_blk) == 172);
CTASSERT(sizeof(struct acpi_fadt) == 196);

/* PM1 control register bits. */
#define PM1_SCI_EN 0x0001
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (0x7 << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN 0x2000

/* AML opcodes met while reading the \_S5 package. */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_PACKAGE 0x12

struct acpi_info acpi_info;

/*
 * Sum of len bytes at p; a valid ACPI structure sums to 0.
 * No requirements.
 */
static uint8_t
acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len-- > 0)
		sum += *b++;
	return sum;
}

/*
 * Map the table at physical address pa and check it: inside the direct
 * map, a plausible length, signature sig (NULL: any) and a zero checksum.
 * Returns the table, or NULL after printing why it is unusable.
 * No requirements.
 */
static const struct acpi_header *
acpi_map_table(paddr_t pa, const char *sig)
{
	const struct acpi_header *h;
	char name[5];

	if (pa == 0 || pa >= DMAP_SIZE - ACPI_TABLE_MAX) {
		kprintf("acpi: table %s at bad address %#lx ignored\n",
		    sig != NULL ? sig : "?", pa);
		return NULL;
	}
	h = PHYS_TO_DMAP(pa);
	memcpy(name, h->h_sig, 4);
	name[4] = '\0';
	if (sig != NULL && memcmp(h->h_sig, sig, 4) != 0) {
		kprintf("acpi: expected table %s at %#lx, found \"%s\"; "
			"ignored\n",
		    sig, pa, name);
		return NULL;
	}
	if (h->h_length < sizeof(*h) || h->h_length > ACPI_TABLE_MAX) {
		kprintf("acpi: table %s at %#lx has bad length %u; ignored\n",
		    name, pa, h->h_length);
		return NULL;
	}
	if (acpi_sum(h, h->h_length) != 0) {
		kprintf("acpi: table %s at %#lx has a bad checksum; ignored\n",
		    name, pa);
		return NULL;
	}
	return h;
}

/*
 * Check the loader's RSDP copy and return the physical address of the
 * root table in *root, with *xsdt telling whether it is an XSDT (8-byte
 * entries) or an RSDT (4-byte entries).  Returns false after printing
 * why there is none.  No requirements.
 */
static bool
acpi_find_root(const struct bootinfo *bi, paddr_t *root, bool *xsdt)
{
	const struct acpi_rsdp *rsdp;

	if (bi == NULL || bi->bi_rsdp_len == 0) {
		kprintf("acpi: no RSDP from the boot loader; assuming a PC "
			"with one I/O APIC\n");
		return false;
	}
	rsdp = (const struct acpi_rsdp *)bi->bi_rsdp;
	if (bi->bi_rsdp_len < 20 ||
	    memcmp(rsdp->rsdp_sig, "RSD PTR ", 8) != 0 ||
	    acpi_sum(rsdp, 20) != 0) {
		kprintf("acpi: the RSDP from the boot loader is invalid "
			"(bad signature or checksum); assuming a PC with one "
			"I/O APIC\n");
		return false;
	}
	if (rsdp->rsdp_revision >= 2 && bi->bi_rsdp_len >= sizeof(*rsdp) &&
	    rsdp->rsdp_length >= sizeof(*rsdp) &&
	    acpi_sum(rsdp, sizeof(*rsdp)) == 0 && rsdp->rsdp_xsdt != 0) {
		*root = rsdp->rsdp_xsdt;
		*xsdt = true;
		return true;
	}
	if (rsdp->rsdp_revision >= 2)
		kprintf("acpi: RSDP revision %u without a usable XSDT; "
			"using the RSDT\n",
		    rsdp->rsdp_revision);
	*root = rsdp->rsdp_rsdt;
	*xsdt = false;
	return true;
}

/*
 * Find the table with signature sig through the root table at root.
 * Returns it (checked by acpi_map_table) or NULL.  No requirements.
 */
static const struct acpi_header *
acpi_find_table(const struct acpi_header *root, bool xsdt, const char *sig)
{
	const uint8_t *ent = (const uint8_t *)(root + 1);
	size_t esize = xsdt ? 8 : 4;
	size_t i, n = (root->h_length - sizeof(*root)) / esize;
	const struct acpi_header *h;
	paddr_t pa;

	for (i = 0; i < n; i++) {
		if (xsdt)
			memcpy(&pa, ent + i * esize, 8);
		else {
			uint32_t pa32;

			memcpy(&pa32, ent + i * esize, 4);
			pa = pa32;
		}
		if (pa == 0 || pa >= DMAP_SIZE - ACPI_TABLE_MAX)
			continue;
		h = PHYS_TO_DMAP(pa);
		if (memcmp(h->h_sig, sig, 4) == 0)
			return acpi_map_table(pa, sig);
	}
	return NULL;
}

/*
 * Map every ISA interrupt to the GSI of the same number, edge-triggered
 * and active high: the state before any override.  No requirements.
 */
static void
acpi_set_isa_identity(struct acpi_info *ai)
{
	int irq;

	for (irq = 0; irq < ACPI_NISA_IRQS; irq++) {
		ai->ai_isa[irq].air_gsi = irq;
		ai->ai_isa[irq].air_active_low = false;
		ai->ai_isa[irq].air_level = false;
	}
}

/*
 * The interrupt defaults: the LAPIC at its reset address, one I/O APIC
 * at 0xfec00000 handling GSIs from 0, ISA interrupts identity-mapped
 * except the timer's IRQ 0, which both QEMU machines (and most PCs) wire
 * to GSI 2.  No requirements.
 */
static void
acpi_set_intr_defaults(struct acpi_info *ai)
{
	ai->ai_lapic_addr = ACPI_DEFAULT_LAPIC;
	ai->ai_pcat_compat = true;
	ai->ai_ncpus = 1;
	ai->ai_ncpu_apic_ids = 0;
	ai->ai_nioapics = 1;
	ai->ai_ioapics[0].aio_id = 0;
	ai->ai_ioapics[0].aio_addr = ACPI_DEFAULT_IOAPIC;
	ai->ai_ioapics[0].aio_gsi_base = 0;
	acpi_set_isa_identity(ai);
	ai->ai_isa[0].air_gsi = 2;
}

/*
 * Apply one interrupt source override to ai.  Only ISA (bus 0) sources
 * exist on a PC; anything else is reported and ignored.
 * No requirements.
 */
static void
acpi_madt_override(struct acpi_info *ai, const struct madt_iso *o)
{
	struct acpi_isa_irq *air;
	uint16_t pol = o->mo_flags & MPS_POL_MASK;
	uint16_t trig = o->mo_flags & MPS_TRIG_MASK;

	if (o->mo_bus != 0 || o->mo_source >= ACPI_NISA_IRQS) {
		kprintf("acpi: MADT override of bus %u source %u ignored\n",
		    o->mo_bus, o->mo_source);
		return;
	}
	air = &ai->ai_isa[o->mo_source];
	air->air_gsi = o->mo_gsi;
	/* "Conforms to the bus specification" means ISA's: high, edge. */
	air->air_active_low = (pol == MPS_POL_LOW);
	air->air_level = (trig == MPS_TRIG_LEVEL);
}

/*
 * Count one enabled processor with local APIC id apic_id and record its
 * id in ai, unless it is already recorded (then it is not counted
 * again), the table is full, or the id
 * needs x2APIC mode; the last two are reported.  No requirements.
 */
static void
acpi_madt_cpu(struct acpi_info *ai, uint32_t apic_id)
{
	unsigned i;

	for (i = 0; i < ai->ai_ncpu_apic_ids; i++)
		if (ai->ai_cpu_apic_id[i] == apic_id)
			return;
	ai->ai_ncpus++;
	if (apic_id > 0xff) {
		kprintf("acpi: CPU with x2APIC id %u needs x2APIC mode; "
			"it will not be started\n",
		    apic_id);
		return;
	}
	if (ai->ai_ncpu_apic_ids == MAXCPUS) {
		kprintf("acpi: more than %d CPUs; CPU with APIC id %u will "
			"not be started\n",
		    MAXCPUS, apic_id);
		return;
	}
	ai->ai_cpu_apic_id[ai->ai_ncpu_apic_ids++] = (uint8_t)apic_id;
}

/*
 * Read the MADT into ai: the LAPIC address, the CPUs, the I/O APICs and
 * the ISA overrides.  Returns false, leaving ai's interrupt fields
 * partly written, if the table describes no I/O APIC; the caller then
 * falls back to the defaults.  No requirements.
 */
static bool
acpi_parse_madt(struct acpi_info *ai, const struct acpi_madt *madt)
{
	const uint8_t *p = (const uint8_t *)(madt + 1);
	const uint8_t *end = (const uint8_t *)madt + madt->m_hdr.h_length;
	const struct madt_lapic *ml;
	const struct madt_ioapic *mi;
	const struct madt_x2apic *mx;
	const struct madt_lapic_addr *ma;
	struct acpi_ioapic *aio;
	uint8_t type, len;

	if (madt->m_hdr.h_length < sizeof(*madt)) {
		kprintf("acpi: MADT too short (%u bytes)\n",
		    madt->m_hdr.h_length);
		return false;
	}
	ai->ai_lapic_addr = madt->m_lapic;
	ai->ai_pcat_compat = (madt->m_flags & MADT_PCAT_COMPAT) != 0;
	ai->ai_ncpus = 0;
	ai->ai_ncpu_apic_ids = 0;
	ai->ai_nioapics = 0;
	acpi_set_isa_identity(ai);

	for (; p + 2 <= end; p += len) {
		type = p[0];
		len = p[1];
		if (len < 2 || p + len > end) {
			kprintf("acpi: MADT entry at offset %zu is malformed; "
				"the rest of the table is ignored\n",
			    (size_t)(p - (const uint8_t *)madt));
			break;
		}
		switch (type) {
		case MADT_LAPIC:
			ml = (const struct madt_lapic *)p;
			if (len >= sizeof(*ml) &&
			    (ml->ml_flags & MADT_LAPIC_ENABLED) != 0)
				acpi_madt_cpu(ai, ml->ml_apic_id);
			break;
		case MADT_X2APIC:
			mx = (const struct madt_x2apic *)p;
			if (len >= sizeof(*mx) &&
			    (mx->mx_flags & MADT_LAPIC_ENABLED) != 0)
				acpi_madt_cpu(ai, mx->mx_x2apic_id);
			break;
		case MADT_IOAPIC:
			mi = (const struct madt_ioapic *)p;
			if (len < sizeof(*mi))
				break;
			if (ai->ai_nioapics == ACPI_MAX_IOAPICS) {
				kprintf("acpi: more than %d I/O APICs; "
					"I/O APIC %u ignored\n",
				    ACPI_MAX_IOAPICS, mi->mi_id);
				break;
			}
			aio = &ai->ai_ioapics[ai->ai_nioapics++];
			aio->aio_id = mi->mi_id;
			aio->aio_addr = mi->mi_addr;
			aio->aio_gsi_base = mi->mi_gsi_base;
			break;
		case MADT_ISO:
			if (len >= sizeof(struct madt_iso))
				acpi_madt_override(ai,
				    (const struct madt_iso *)p);
			break;
		case MADT_LAPIC_ADDR:
			ma = (const struct madt_lapic_addr *)p;
			if (len >= sizeof(*ma))
				ai->ai_lapic_addr = ma->ma_addr;
			break;
		default:
			break;
		}
	}

	if (ai->ai_ncpus == 0) {
		kprintf("acpi: MADT lists no enabled CPU; assuming one\n");
		ai->ai_ncpus = 1;
	}
	if (ai->ai_nioapics == 0) {
		kprintf("acpi: MADT lists no I/O APIC\n");
		return false;
	}
	return true;
}

/*
 * Read one small integer element of an AML package at *pos (bounded by
 * len) and advance *pos past it.  Zero, One and the Byte/Word/DWord
 * constant prefixes are understood; anything else fails.
 * No requirements.
 */
static bool
aml_small_int(const uint8_t *aml, size_t len, size_t *pos, uint32_t *val)
{
	size_t i = *pos, n;

	if (i >= len)
		return false;
	switch (aml[i]) {
	case AML_ZERO:
		*val = 0;
		*pos = i + 1;
		return true;
	case AML_ONE:
		*val = 1;
		*pos = i + 1;
		return true;
	case AML_BYTE:
		n = 1;
		break;
	case AML_WORD:
		n = 2;
		break;
	case AML_DWORD:
		n = 4;
		break;
	default:
		return false;
	}
	if (i + 1 + n > len)
		return false;
	*val = 0;
	memcpy(val, &aml[i + 1], n); /* little-endian, as x86 */
	*pos = i + 1 + n;
	return true;
}

/*
 * Find Name(_S5, Package() { typa, typb, ... }) in the DSDT by scanning
 * its bytes, and store the two sleep type values in ai.  This is the
 * usual shortcut that avoids an AML interpreter; it handles the plain
 * form every firmware (SeaBIOS's included) emits.  No requirements.
 */
static bool
acpi_find_s5(struct acpi_info *ai, const struct acpi_header *dsdt)
{
	const uint8_t *aml = (const uint8_t *)dsdt;
	size_t len = dsdt->h_length;
	size_t i, pos;
	uint32_t typa, typb;
	bool named;

	for (i = sizeof(*dsdt); i + 5 < len; i++) {
		if (aml[i] != '_' || memcmp(&aml[i], "_S5_", 4) != 0)
			continue;
		/* NameOp, possibly with a root prefix, then PackageOp. */
		named = aml[i - 1] == AML_NAME ||
		    (aml[i - 1] == '\\' && aml[i - 2] == AML_NAME);
		if (!named || aml[i + 4] != AML_PACKAGE)
			continue;
		/* PkgLength: bits 7-6 of its first byte count the rest. */
		pos = i + 5;
		pos += 1 + (aml[pos] >> 6);
		pos++; /* NumElements */
		if (!aml_small_int(aml, len, &pos, &typa) ||
		    !aml_small_int(aml, len, &pos, &typb))
			break;
		ai->ai_s5_typa = typa & 7;
		ai->ai_s5_typb = typb & 7;
		ai->ai_have_s5 = true;
		return true;
	}
	return false;
}

/*
 * Read the FADT into ai: the PM1 control ports, the SMI command that
 * switches the machine to ACPI mode, and through the DSDT the \_S5
 * sleep types.  No requirements.
 */
static void
acpi_parse_fadt(struct acpi_info *ai, const struct acpi_fadt *fadt)
{
	size_t len = fadt->f_hdr.h_length;
	const struct acpi_header *dsdt;
	paddr_t dsdt_pa = 0;

#define FADT_HAS(f) (len >= offsetof(struct acpi_fadt, f) + sizeof(fadt->f))
	if (!FADT_HAS(f_pm1b_cnt_blk)) {
		kprintf("acpi: FADT too short (%zu bytes); no power-off\n",
		    len);
		return;
	}
	ai->ai_have_fadt = true;
	ai->ai_smi_cmd = fadt->f_smi_cmd <= 0xffff ? fadt->f_smi_cmd : 0;
	ai->ai_acpi_enable = fadt->f_acpi_enable;
	ai->ai_pm1a_cnt =
	    fadt->f_pm1a_cnt_blk <= 0xffff ? fadt->f_pm1a_cnt_blk : 0;
	ai->ai_pm1b_cnt =
	    fadt->f_pm1b_cnt_blk <= 0xffff ? fadt->f_pm1b_cnt_blk : 0;
	if (ai->ai_pm1a_cnt == 0 && FADT_HAS(f_x_pm1a_cnt_blk) &&
	    fadt->f_x_pm1a_cnt_blk.g_space == GAS_SPACE_IO &&
	    fadt->f_x_pm1a_cnt_blk.g_addr <= 0xffff)
		ai->ai_pm1a_cnt = fadt->f_x_pm1a_cnt_blk.g_addr;
	if (ai->ai_pm1b_cnt == 0 && FADT_HAS(f_x_pm1b_cnt_blk) &&
	    fadt->f_x_pm1b_cnt_blk.g_space == GAS_SPACE_IO &&
	    fadt->f_x_pm1b_cnt_blk.g_addr <= 0xffff)
		ai->ai_pm1b_cnt = fadt->f_x_pm1b_cnt_blk.g_addr;

	/* ACPI 2.0's reset register, if the FADT says it is there. */
	if (FADT_HAS(f_reset_value) && (fadt->f_flags & FADT_RESET_REG_SUP) &&
	    fadt->f_reset_reg.g_space == GAS_SPACE_IO &&
	    fadt->f_reset_reg.g_addr != 0 &&
	    fadt->f_reset_reg.g_addr <= 0xffff) {
		ai->ai_reset_port = fadt->f_reset_reg.g_addr;
		ai->ai_reset_value = fadt->f_reset_value;
	}

	if (FADT_HAS(f_x_dsdt))
		dsdt_pa = fadt->f_x_dsdt;
	if (dsdt_pa == 0)
		dsdt_pa = fadt->f_dsdt;
#undef FADT_HAS

	dsdt = acpi_map_table(dsdt_pa, "DSDT");
	if (dsdt == NULL || !acpi_find_s5(ai, dsdt))
		kprintf("acpi: no \\_S5 object in the DSDT; no power-off\n");
}

void
acpi_init(const struct bootinfo *bi)
{
	struct acpi_info *ai = &acpi_info;
	const struct acpi_header *root, *madt, *fadt;
	paddr_t root_pa;
	bool xsdt;

	KASSERT(!ai->ai_initialized);
	memset(ai, 0, sizeof(*ai));
	acpi_set_intr_defaults(ai);
	ai->ai_initialized = true;

	if (!acpi_find_root(bi, &root_pa, &xsdt))
		return;
	root = acpi_map_table(root_pa, xsdt ? "XSDT" : "RSDT");
	if (root == NULL) {
		kprintf("acpi: no usable root table; assuming a PC with one "
			"I/O APIC\n");
		return;
	}

	madt = acpi_find_table(root, xsdt, "APIC");
	if (madt == NULL)
		kprintf("acpi: no MADT; assuming a PC with one I/O APIC\n");
	else if (!acpi_parse_madt(ai, (const struct acpi_madt *)madt)) {
		kprintf("acpi: unusable MADT; assuming a PC with one "
			"I/O APIC\n");
		acpi_set_intr_defaults(ai);
	} else
		ai->ai_have_madt = true;

	fadt = acpi_find_table(root, xsdt, "FACP");
	if (fadt == NULL)
		kprintf("acpi: no FADT; no ACPI power-off\n");
	else
		acpi_parse_fadt(ai, (const struct acpi_fadt *)fadt);

	kprintf("acpi: %s, %u CPU%s, %u I/O APIC%s, LAPIC at %#lx, "
		"ISA IRQ 0 -> GSI %u\n",
	    xsdt ? "XSDT" : "RSDT", ai->ai_ncpus, ai->ai_ncpus == 1 ? "" : "s",
	    ai->ai_nioapics, ai->ai_nioapics == 1 ? "" : "s", ai->ai_lapic_addr,
	    ai->ai_isa[0].air_gsi);
	if (ai->ai_have_s5)
		kprintf("acpi: PM1a_CNT %#x, PM1b_CNT %#x, S5 sleep type "
			"%u/%u\n",
		    ai->ai_pm1a_cnt, ai->ai_pm1b_cnt, ai->ai_s5_typa,
		    ai->ai_s5_typb);
}

/*
 * Write the S5 sleep type and SLP_EN to the PM1 control register at
 * port, keeping its other bits.  No requirements.
 */
static void
acpi_pm1_sleep(uint16_t port, uint8_t typ)
{
	uint16_t v;

	v = inw(port);
	v &= ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	v |= (uint16_t)typ << PM1_SLP_TYP_SHIFT;
	outw(port, v);
	outw(port, v | PM1_SLP_EN);
}

void
acpi_poweroff(void)
{
	struct acpi_info *ai = &acpi_info;
	int i;

	if (!ai->ai_initialized || !ai->ai_have_s5 || ai->ai_pm1a_cnt == 0)
		return;

	/*
	 * Firmware that boots in legacy mode wants the OS to ask for ACPI
	 * mode before it honours the PM1 registers: write ACPI_ENABLE to
	 * the SMI command port and wait (boundedly) for SCI_EN.
	 */
	if ((inw(ai->ai_pm1a_cnt) & PM1_SCI_EN) == 0 && ai->ai_smi_cmd != 0 &&
	    ai->ai_acpi_enable != 0) {
		outb(ai->ai_smi_cmd, ai->ai_acpi_enable);
		for (i = 0; i < 1000000; i++) {
			if ((inw(ai->ai_pm1a_cnt) & PM1_SCI_EN) != 0)
				break;
			cpu_pause();
		}
	}

	cli();
	acpi_pm1_sleep(ai->ai_pm1a_cnt, ai->ai_s5_typa);
	if (ai->ai_pm1b_cnt != 0)
		acpi_pm1_sleep(ai->ai_pm1b_cnt, ai->ai_s5_typb);
	/* The machine should be off by now; give it a moment. */
	for (i = 0; i < 1000000; i++)
		cpu_pause();
	kprintf("acpi: power-off through PM1_CNT %#x did not happen\n",
	    ai->ai_pm1a_cnt);
}

void
acpi_reset(void)
{
	struct acpi_info *ai = &acpi_info;

	if (!ai->ai_initialized || ai->ai_reset_port == 0)
		return;
	outb(ai->ai_reset_port, ai->ai_reset_value);
	for (int i = 0; i < 1000000; i++)
		cpu_pause();
}
