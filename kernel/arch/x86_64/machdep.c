/*
 * Leaving the machine (ABI.md section 1).
 */
#include <systm.h>
#include <arch/acpi.h>
#include <arch/cpu.h>

#define DEBUG_EXIT_PORT 0xf4

/*
 * Write code & 0x7f to QEMU's isa-debug-exit device, which ends QEMU
 * with status 2 * (code & 0x7f) + 1.  Without the device the write does
 * nothing and we try ACPI power-off, then halt.
 */
void
machine_exit(int code)
{
	cli();
	outl(DEBUG_EXIT_PORT, (uint32_t)code & 0x7f);
	acpi_poweroff();
	kprintf("machine: power-off failed; halting\n");
	cpu_halt();
}

/* The 8042 keyboard controller: status port and "pulse reset" command. */
#define KBC_STATUS 0x64
#define KBC_STATUS_IBF 0x02 /* input buffer full: not ready for a command */
#define KBC_RESET 0xfe
/* The PCI reset control register of the PIIX and ICH chipsets. */
#define RST_CNT 0xcf9
#define RST_CNT_FULL_RESET 0x06 /* hard reset, CPU reset */

void
machine_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed null_idt = { 0, 0 };

	cli();
	acpi_reset();
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_STATUS_IBF); i++)
		cpu_pause();
	outb(KBC_STATUS, KBC_RESET);
	for (int i = 0; i < 1000000; i++)
		cpu_pause();
	outb(RST_CNT, RST_CNT_FULL_RESET);
	for (int i = 0; i < 1000000; i++)
		cpu_pause();
	/* Last: a triple fault, through an empty IDT. */
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	cpu_halt();
}
