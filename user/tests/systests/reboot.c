/*
 * reboot(2)'s checks; the commands that end the machine are tested by
 * booting (tests/shutdown-test.sh).
 */

#include "sys.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Linux's <linux/reboot.h>, which musl's headers leave out. */
#define LINUX_REBOOT_MAGIC1 0xfee1deadL
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_MAGIC2A 85072278
#define LINUX_REBOOT_MAGIC2B 369367448
#define LINUX_REBOOT_MAGIC2C 537993216
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_CAD_ON 0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_RESTART2 0xa1b2c3d4
#define LINUX_REBOOT_CMD_SW_SUSPEND 0xd000fce2
#define LINUX_REBOOT_CMD_KEXEC 0x45584543

static long
sys_reboot4(long m1, long m2, long cmd, void *arg)
{
	return syscall(SYS_reboot, m1, m2, cmd, arg);
}

static void
t_reboot_errors(void)
{
	test_expect_errno(sys_reboot4(0, LINUX_REBOOT_MAGIC2,
			      LINUX_REBOOT_CMD_POWER_OFF, NULL),
	    EINVAL, "wrong magic1");
	test_expect_errno(sys_reboot4(LINUX_REBOOT_MAGIC1, 12345,
			      LINUX_REBOOT_CMD_RESTART, NULL),
	    EINVAL, "wrong magic2");
	test_expect_errno(
	    sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x1234, NULL),
	    EINVAL, "unknown command");
	test_expect_errno(sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2C,
			      LINUX_REBOOT_CMD_RESTART2, (void *)8),
	    EFAULT, "RESTART2 with a bad string");
	test_expect_ok(sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2A,
			   LINUX_REBOOT_CMD_CAD_OFF, NULL),
	    "CAD_OFF");
	test_expect_ok(sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2B,
			   LINUX_REBOOT_CMD_CAD_ON, NULL),
	    "CAD_ON");
}

static void
t_reboot_unsupported(void)
{
	test_expect_errno(sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			      LINUX_REBOOT_CMD_KEXEC, NULL),
	    EINVAL, "KEXEC with no image loaded");
	test_expect_errno(sys_reboot4(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			      LINUX_REBOOT_CMD_SW_SUSPEND, NULL),
	    ENOSYS, "SW_SUSPEND: no hibernation");
}

const struct test sys_reboot_tests[] = {
	{ "reboot_errors", t_reboot_errors, NULL },
	{ "reboot_unsupported", t_reboot_unsupported,
	    "Linux's answers depend on its configuration and swap" },
	{ NULL, NULL, NULL },
};
