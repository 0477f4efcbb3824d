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
