/*
 * uname: what this kernel says it is (Linux's struct new_utsname).
 */
#include <systm.h>
#include <copy.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <linux/utsname.h>

long
sys_uname(struct utsname *ubuf)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "vmkern", sizeof(u.sysname));
	strlcpy(u.nodename, "vmkern", sizeof(u.nodename));
	strlcpy(u.release, "0.3", sizeof(u.release));
	strlcpy(u.version, "processes and LWPs", sizeof(u.version));
	strlcpy(u.machine, MACHINE_NAME, sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copyout(&u, ubuf, sizeof(u));
}
