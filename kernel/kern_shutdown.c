/*
 * reboot(2): power off, restart or halt the machine, with Linux's magic
 * numbers, commands and messages (<linux/reboot.h>).  Everything runs as
 * root, so there is no EPERM.  Nothing is written back first: tmpfs has
 * no disk, and a caller that wants its processes ended ends them first
 * (BusyBox's init, our init on SIGUSR2/SIGTERM/SIGUSR1).
 */
#include <systm.h>
#include <klog.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <arch/ipi.h>
#include <linux/reboot.h>

/* Ctrl-Alt-Del reboots at once (CAD_ON) or signals init (CAD_OFF). */
static bool shutdown_cad_on = true;

/* Stop the other CPUs and this one's interrupts: the machine is ours. */
static void
shutdown_enter(void)
{
	cli();
	ipi_send_others(IPI_HALT);
}

long
sys_reboot(int magic1, int magic2, unsigned int cmd, void *arg)
{
	char buf[256];
	long len;

	if ((unsigned int)magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
		magic2 != LINUX_REBOOT_MAGIC2B &&
		magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;

	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
		kprintf(KERN_EMERG "reboot: Restarting system\n");
		shutdown_enter();
		machine_reboot();
	case LINUX_REBOOT_CMD_RESTART2:
		len = copyinstr(arg, buf, sizeof(buf));
		if (len == -EFAULT)
			return -EFAULT;
		buf[sizeof(buf) - 1] = '\0';
		kprintf(KERN_EMERG
		    "reboot: Restarting system with command '%s'\n",
		    buf);
		shutdown_enter();
		machine_reboot();
	case LINUX_REBOOT_CMD_POWER_OFF:
		kprintf(KERN_EMERG "reboot: Power down\n");
		shutdown_enter();
		machine_exit(0);
	case LINUX_REBOOT_CMD_HALT:
		kprintf(KERN_EMERG "reboot: System halted\n");
		shutdown_enter();
		cpu_halt();
	case LINUX_REBOOT_CMD_CAD_ON:
		__atomic_store_n(&shutdown_cad_on, true, __ATOMIC_RELAXED);
		return 0;
	case LINUX_REBOOT_CMD_CAD_OFF:
		__atomic_store_n(&shutdown_cad_on, false, __ATOMIC_RELAXED);
		return 0;
	case LINUX_REBOOT_CMD_SW_SUSPEND:
		return -ENOSYS; /* Linux built without hibernation */
	case LINUX_REBOOT_CMD_KEXEC:
		return -EINVAL; /* no kexec image is ever loaded */
	default:
		return -EINVAL;
	}
}
