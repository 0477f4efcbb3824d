/*
 * uname: what this kernel says it is (Linux's struct new_utsname), and
 * sysinfo: the uptime, memory and process count.
 */
#include <systm.h>
#include <copy.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <clock.h>
#include <proc/proc.h>
#include <vm/vm_page.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>

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

long
sys_sysinfo(struct sysinfo *uinfo)
{
	struct sysinfo si;
	/* Linux's procs is its thread count, kernel threads included. */
	uint64_t procs = lwp_count();

	memset(&si, 0, sizeof(si));
	si.uptime = nanouptime() / 1000000000UL;
	/* loads[]: no load average is kept; 0. */
	si.totalram = vm_page_total_count() * PAGE_SIZE;
	si.freeram = vm_page_free_count() * PAGE_SIZE;
	si.procs = procs > 0xffff ? 0xffff : procs;
	si.mem_unit = 1;
	return copyout(&si, uinfo, sizeof(si));
}
