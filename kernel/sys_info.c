/*
 * uname: what this kernel says it is (Linux's struct new_utsname), with
 * the host and domain names sethostname and setdomainname change; and
 * sysinfo: the uptime, memory and process count.
 */
#include <systm.h>
#include <copy.h>
#include <vm/kmem.h>
#include <errno.h>
#include <spinlock.h>
#include <uts.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <clock.h>
#include <proc/proc.h>
#include <vm/vm_page.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>

/* A UTS namespace (uts.h): the names sethostname and setdomainname change. */
struct uts_ns {
	int un_refs; /* (a) processes referring to it (p_uts) */
	char un_nodename[UTS_NAME_MAX + 1];   /* (uts_lock) */
	char un_domainname[UTS_NAME_MAX + 1]; /* (uts_lock) */
};

static struct spinlock uts_lock = SPINLOCK_INITIALIZER("uts");
static struct uts_ns uts_init = { 1, "vmkern", "(none)" };

void
uts_proc0_init(struct proc *p)
{
	p->p_uts = &uts_init;
}

void
uts_fork(struct proc *parent, struct proc *p)
{
	spin_lock(&uts_lock);
	p->p_uts = parent->p_uts;
	__atomic_add_fetch(&p->p_uts->un_refs, 1, __ATOMIC_RELAXED);
	spin_unlock(&uts_lock);
}

/* Drop a reference to ns; the last frees it.  No locks held. */
static void
uts_ns_rele(struct uts_ns *ns)
{
	if (__atomic_sub_fetch(&ns->un_refs, 1, __ATOMIC_ACQ_REL) == 0) {
		KASSERT(ns != &uts_init);
		kfree(ns);
	}
}

void
uts_proc_free(struct proc *p)
{
	uts_ns_rele(p->p_uts);
	p->p_uts = NULL;
}

int
uts_unshare(void)
{
	struct uts_ns *ns, *old;
	struct proc *p = curproc;

	if (p->p_cred.cr_euid != 0)
		return -EPERM; /* CAP_SYS_ADMIN */
	if ((ns = kmalloc(sizeof(*ns), 0)) == NULL)
		return -ENOMEM;
	ns->un_refs = 1;
	spin_lock(&uts_lock);
	old = p->p_uts;
	memcpy(ns->un_nodename, old->un_nodename, sizeof(ns->un_nodename));
	memcpy(ns->un_domainname, old->un_domainname,
	    sizeof(ns->un_domainname));
	p->p_uts = ns;
	spin_unlock(&uts_lock);
	uts_ns_rele(old);
	return 0;
}

void
uts_get(struct new_utsname *u)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->sysname, "vmkern", sizeof(u->sysname));
	strlcpy(u->release, "0.3", sizeof(u->release));
	strlcpy(u->version, "processes and LWPs", sizeof(u->version));
	strlcpy(u->machine, MACHINE_NAME, sizeof(u->machine));
	spin_lock(&uts_lock);
	memcpy(u->nodename, curproc->p_uts->un_nodename, UTS_NAME_MAX + 1);
	memcpy(u->domainname, curproc->p_uts->un_domainname, UTS_NAME_MAX + 1);
	spin_unlock(&uts_lock);
}

int
uts_set(bool domain, const char *name, size_t len)
{
	char *dst;

	if (curproc->p_cred.cr_euid != 0)
		return -EPERM; /* CAP_SYS_ADMIN */
	if (len > UTS_NAME_MAX)
		return -EINVAL;
	spin_lock(&uts_lock);
	dst = domain ? curproc->p_uts->un_domainname :
		       curproc->p_uts->un_nodename;
	memcpy(dst, name, len);
	memset(dst + len, 0, UTS_NAME_MAX + 1 - len);
	spin_unlock(&uts_lock);
	return 0;
}

long
sys_uname(struct utsname *ubuf)
{
	struct new_utsname u;

	uts_get(&u);
	return copyout(&u, ubuf, sizeof(u));
}

/* sethostname and setdomainname: Linux's checks, in Linux's order. */
static long
sethostname_common(bool domain, const char *uname, int len)
{
	char name[UTS_NAME_MAX];

	if (curproc->p_cred.cr_euid != 0)
		return -EPERM;
	if (len < 0 || len > UTS_NAME_MAX)
		return -EINVAL;
	if (copyin(uname, name, (size_t)len) != 0)
		return -EFAULT;
	return uts_set(domain, name, (size_t)len);
}

long
sys_sethostname(const char *name, int len)
{
	return sethostname_common(false, name, len);
}

long
sys_setdomainname(const char *name, int len)
{
	return sethostname_common(true, name, len);
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
