/*
 * I/O APICs: each turns its input pins (global system interrupts
 * gsi_base .. gsi_base + npins - 1) into interrupt messages for a local
 * APIC, as its redirection table says.  Registers are reached indirectly:
 * write the register number to IOREGSEL, then access IOWIN.
 */
#include <systm.h>
#include <param.h>
#include <spinlock.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/pmap.h>

#define IOAPIC_REGSEL 0x00 /* byte offsets of the two windows */
#define IOAPIC_WIN 0x10

#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_REDIR 0x10 /* two registers per pin: low, high */

/*
 * The attached I/O APICs.  ioapics[] and nioapics are written only by
 * ioapic_attach() at boot; ioapic_lock serialises the select-then-access
 * register pairs of every I/O APIC.
 */
struct ioapic {
	volatile uint32_t *io_regs;
	uint32_t io_gsi_base;
	uint32_t io_npins;
	uint8_t io_id;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static struct spinlock ioapic_lock = SPINLOCK_INITIALIZER("ioapic");

/* Read register reg of io.  The caller must hold ioapic_lock. */
static uint32_t
ioapic_read_locked(struct ioapic *io, uint32_t reg)
{
	KASSERT(spin_held(&ioapic_lock));
	io->io_regs[IOAPIC_REGSEL / 4] = reg;
	return io->io_regs[IOAPIC_WIN / 4];
}

/* Write register reg of io.  The caller must hold ioapic_lock. */
static void
ioapic_write_locked(struct ioapic *io, uint32_t reg, uint32_t val)
{
	KASSERT(spin_held(&ioapic_lock));
	io->io_regs[IOAPIC_REGSEL / 4] = reg;
	io->io_regs[IOAPIC_WIN / 4] = val;
}

void
ioapic_attach(uint8_t id, paddr_t pa, uint32_t gsi_base)
{
	struct ioapic *io;
	paddr_t page = trunc_page(pa);
	size_t len = round_page(pa + IOAPIC_WIN + 4) - page;
	char *va;
	uint32_t pin;

	KASSERT(nioapics < ACPI_MAX_IOAPICS);

	va = pmap_mapdev(page, len);
	if (va == NULL)
		panic("ioapic: cannot map I/O APIC %u registers at %#lx", id,
		    pa);
	io = &ioapics[nioapics];
	io->io_regs = (volatile uint32_t *)(va + (pa - page));
	io->io_gsi_base = gsi_base;
	io->io_id = id;

	spin_lock(&ioapic_lock);
	io->io_npins =
	    ((ioapic_read_locked(io, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
	for (pin = 0; pin < io->io_npins; pin++) {
		ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin,
		    IOAPIC_MASKED);
		ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin + 1, 0);
	}
	spin_unlock(&ioapic_lock);
	nioapics++;

	kprintf("ioapic: id %u at %#lx, GSI %u-%u\n", id, pa, gsi_base,
	    gsi_base + io->io_npins - 1);
}

/*
 * The I/O APIC that handles gsi, with its pin in *pin, or NULL.
 * No requirements.
 */
static struct ioapic *
ioapic_find(uint32_t gsi, uint32_t *pin)
{
	unsigned i;

	for (i = 0; i < nioapics; i++) {
		if (gsi >= ioapics[i].io_gsi_base &&
		    gsi - ioapics[i].io_gsi_base < ioapics[i].io_npins) {
			*pin = gsi - ioapics[i].io_gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

int
ioapic_route(uint32_t gsi, int vector, uint32_t dest, uint32_t flags)
{
	struct ioapic *io;
	uint32_t pin;

	KASSERT(vector >= IRQ_BASE && vector < IDT_NVEC);
	KASSERT(
	    (flags & ~(IOAPIC_ACTIVE_LOW | IOAPIC_LEVEL | IOAPIC_MASKED)) == 0);

	io = ioapic_find(gsi, &pin);
	if (io == NULL)
		return -1;
	spin_lock(&ioapic_lock);
	/* Mask while the two halves disagree; the destination goes first. */
	ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin, IOAPIC_MASKED);
	ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin + 1, dest << 24);
	/* Fixed delivery, physical destination mode. */
	ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin,
	    (uint32_t)vector | flags);
	spin_unlock(&ioapic_lock);
	return 0;
}

int
ioapic_mask(uint32_t gsi)
{
	struct ioapic *io;
	uint32_t pin, lo;

	io = ioapic_find(gsi, &pin);
	if (io == NULL)
		return -1;
	spin_lock(&ioapic_lock);
	lo = ioapic_read_locked(io, IOAPIC_REG_REDIR + 2 * pin);
	ioapic_write_locked(io, IOAPIC_REG_REDIR + 2 * pin, lo | IOAPIC_MASKED);
	spin_unlock(&ioapic_lock);
	return 0;
}
