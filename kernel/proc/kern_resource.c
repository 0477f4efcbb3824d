/*
 * Credentials, resource limits, umask and CPU times (resource.h).
 *
 * Credentials.  Every process starts as root (uid and gid 0, no
 * supplementary groups) and keeps Linux's real, effective, saved and
 * filesystem ids, changed by the set*id calls with Linux's rules: euid 0
 * may set any id (CAP_SETUID/CAP_SETGID), others only to one of their
 * real, effective or saved ids.  Nothing else checks permissions yet;
 * the ids are reported, inherited by fork, and RLIMIT_NPROC counts
 * processes by real uid.
 *
 * Limits.  p_rlimit, inherited by fork and kept by exec.  Raising a hard
 * limit needs euid 0, as CAP_SYS_RESOURCE.  Enforced: RLIMIT_NOFILE (the
 * fd table, which grows up to NR_OPEN slots, the most a hard limit may
 * be: EPERM above, as Linux's nr_open), RLIMIT_STACK (exec's stack size),
 * RLIMIT_AS (mmap and brk), RLIMIT_NPROC (fork, by real uid; root is not
 * limited).  The others are kept and reported only.
 *
 * All of it is guarded by proc_lock; each call copies in before taking
 * it and copies out after dropping it.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <vm/addrspace.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>
#include <linux/times.h>

#define NSEC_PER_SEC 1000000000UL
#define NSEC_PER_USEC 1000UL
#define TICK_NS (NSEC_PER_SEC / HZ)
#define USER_HZ 100 /* clock_t units of times(2), as Linux's */
#define ID_KEEP ((uint32_t)-1)

/* CPU time by CPU and kind (cpu_time), ns; atomic. */
static uint64_t cpu_times[MAXCPUS][3];

uint64_t
cpu_time(int cpu, int kind)
{
	uint64_t sum = 0;

	for (int i = 0; i < MAXCPUS; i++)
		if (cpu < 0 || cpu == i)
			sum += __atomic_load_n(&cpu_times[i][kind],
			    __ATOMIC_RELAXED);
	return sum;
}

void
statclock(bool usermode)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l = ci->ci_curlwp;

	KASSERT(!intr_enabled());
	__atomic_add_fetch(
	    &cpu_times[ci->ci_index][l == ci->ci_idlelwp ? CPUTIME_IDLE :
		    usermode                             ? CPUTIME_USER :
							   CPUTIME_SYS],
	    TICK_NS, __ATOMIC_RELAXED);
	if (l == ci->ci_idlelwp)
		return;
	if (__predict_false(
		__atomic_load_n(&l->l_proc->p_itimer_onlist, __ATOMIC_RELAXED)))
		itimer_tick(l->l_proc, usermode);
	if (usermode)
		__atomic_store_n(&l->l_utime, l->l_utime + TICK_NS,
		    __ATOMIC_RELAXED);
	else
		__atomic_store_n(&l->l_stime, l->l_stime + TICK_NS,
		    __ATOMIC_RELAXED);
}

void
resource_proc0_init(struct proc *p)
{
	/* Linux's max_threads / 2 for a kernel with 16 KiB stacks. */
	uint64_t nproc = vm_page_total_count() / 64;

	if (nproc < 10)
		nproc = 10;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		p->p_rlimit[r].rlim_cur = p->p_rlimit[r].rlim_max =
		    RLIM_INFINITY;
	p->p_loginuid = p->p_sessionid = AUDIT_UNSET;
	p->p_rlimit[RLIMIT_STACK].rlim_cur = USTACK_SIZE;
	p->p_rlimit[RLIMIT_CORE].rlim_cur = 0;
	p->p_rlimit[RLIMIT_NPROC].rlim_cur = nproc;
	p->p_rlimit[RLIMIT_NPROC].rlim_max = nproc;
	p->p_rlimit[RLIMIT_SIGPENDING].rlim_cur = nproc;
	p->p_rlimit[RLIMIT_SIGPENDING].rlim_max = nproc;
	p->p_rlimit[RLIMIT_NOFILE].rlim_cur = INR_OPEN_CUR;
	p->p_rlimit[RLIMIT_NOFILE].rlim_max = INR_OPEN_MAX;
	p->p_rlimit[RLIMIT_MEMLOCK].rlim_cur = 8UL << 20;
	p->p_rlimit[RLIMIT_MEMLOCK].rlim_max = 8UL << 20;
	p->p_rlimit[RLIMIT_MSGQUEUE].rlim_cur = 819200;
	p->p_rlimit[RLIMIT_MSGQUEUE].rlim_max = 819200;
	p->p_rlimit[RLIMIT_NICE].rlim_cur = p->p_rlimit[RLIMIT_NICE].rlim_max =
	    0;
	p->p_rlimit[RLIMIT_RTPRIO].rlim_cur =
	    p->p_rlimit[RLIMIT_RTPRIO].rlim_max = 0;
	p->p_umask = 022;
	memset(&p->p_cred, 0, sizeof(p->p_cred));
}

/* ------------------------------------------------------------------ */
/* CPU times. */

void
resource_lwp_exit_locked(struct lwp *l)
{
	struct proc *p = l->l_proc;

	KASSERT(spin_held(&proc_lock));
	p->p_utime += __atomic_load_n(&l->l_utime, __ATOMIC_RELAXED);
	p->p_stime += __atomic_load_n(&l->l_stime, __ATOMIC_RELAXED);
}

void
proc_times_locked(struct proc *p, uint64_t *ut, uint64_t *st)
{
	struct lwp *l;

	KASSERT(spin_held(&proc_lock));
	*ut = p->p_utime;
	*st = p->p_stime;
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (l->l_stat == LSZOMB)
			continue; /* already added by resource_lwp_exit_locked */
		*ut += __atomic_load_n(&l->l_utime, __ATOMIC_RELAXED);
		*st += __atomic_load_n(&l->l_stime, __ATOMIC_RELAXED);
	}
}

/* Fill ru with CPU times ut and st (ns); the rest is 0.  No requirements. */
static void
rusage_fill(struct rusage *ru, uint64_t ut, uint64_t st)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime.tv_sec = ut / NSEC_PER_SEC;
	ru->ru_utime.tv_usec = ut % NSEC_PER_SEC / NSEC_PER_USEC;
	ru->ru_stime.tv_sec = st / NSEC_PER_SEC;
	ru->ru_stime.tv_usec = st % NSEC_PER_SEC / NSEC_PER_USEC;
}

void
resource_reap_locked(struct proc *parent, struct proc *child, struct rusage *ru)
{
	uint64_t ut, st;

	KASSERT(spin_held(&proc_lock));
	KASSERT(child->p_stat == SDEAD);
	proc_times_locked(child, &ut, &st);
	ut += child->p_cutime;
	st += child->p_cstime;
	parent->p_cutime += ut;
	parent->p_cstime += st;
	rusage_fill(ru, ut, st);
}

void
resource_child_usage_locked(struct proc *child, struct rusage *ru)
{
	uint64_t ut, st;

	KASSERT(spin_held(&proc_lock));
	proc_times_locked(child, &ut, &st);
	rusage_fill(ru, ut + child->p_cutime, st + child->p_cstime);
}

/*
 * The CPU time of the calling process (thread false) or LWP (thread
 * true) in ns, user plus system.  No locks held.
 */
uint64_t
resource_cputime(bool thread)
{
	struct lwp *l = curlwp;
	uint64_t ut, st;

	if (thread)
		return __atomic_load_n(&l->l_utime, __ATOMIC_RELAXED) +
		    __atomic_load_n(&l->l_stime, __ATOMIC_RELAXED);
	spin_lock(&proc_lock);
	proc_times_locked(l->l_proc, &ut, &st);
	spin_unlock(&proc_lock);
	return ut + st;
}

long
sys_getrusage(int who, struct rusage *uru)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	struct rusage ru;
	uint64_t ut, st;

	switch (who) {
	case RUSAGE_SELF:
		spin_lock(&proc_lock);
		proc_times_locked(p, &ut, &st);
		spin_unlock(&proc_lock);
		break;
	case RUSAGE_CHILDREN:
		spin_lock(&proc_lock);
		ut = p->p_cutime;
		st = p->p_cstime;
		spin_unlock(&proc_lock);
		break;
	case RUSAGE_THREAD:
		ut = __atomic_load_n(&l->l_utime, __ATOMIC_RELAXED);
		st = __atomic_load_n(&l->l_stime, __ATOMIC_RELAXED);
		break;
	default:
		return -EINVAL;
	}
	rusage_fill(&ru, ut, st);
	return copyout(&ru, uru, sizeof(ru));
}

long
sys_times(struct tms *ubuf)
{
	struct proc *p = curproc;
	struct tms t;
	uint64_t ut, st;

	if (ubuf != NULL) {
		spin_lock(&proc_lock);
		proc_times_locked(p, &ut, &st);
		t.tms_utime = ut / (NSEC_PER_SEC / USER_HZ);
		t.tms_stime = st / (NSEC_PER_SEC / USER_HZ);
		t.tms_cutime = p->p_cutime / (NSEC_PER_SEC / USER_HZ);
		t.tms_cstime = p->p_cstime / (NSEC_PER_SEC / USER_HZ);
		spin_unlock(&proc_lock);
		if (copyout(&t, ubuf, sizeof(t)) != 0)
			return -EFAULT;
	}
	return nanouptime() / (NSEC_PER_SEC / USER_HZ);
}

/* ------------------------------------------------------------------ */
/* Limits. */

uint64_t
rlimit_cur(struct proc *p, int r)
{
	KASSERT(r >= 0 && r < RLIM_NLIMITS);
	return __atomic_load_n(&p->p_rlimit[r].rlim_cur, __ATOMIC_RELAXED);
}

int
rlimit_as_check(struct vmspace *vm, uint64_t len)
{
	uint64_t lim = rlimit_cur(curproc, RLIMIT_AS), size = 0;
	struct vm_map_entry *e;

	if (lim == RLIM_INFINITY)
		return 0;
	if (len > lim)
		return -ENOMEM;
	spin_lock(&vm->vm_lock);
	for (e = vm_map_min_entry(&vm->vm_map); e != NULL;
	     e = vm_map_next(&vm->vm_map, e))
		size += e->e_end - e->e_start;
	spin_unlock(&vm->vm_lock);
	return size + len > lim ? -ENOMEM : 0;
}

/*
 * Whether cur may get and set p's limits, as Linux's
 * check_prlimit_permission: itself, root, or a caller whose real uid and
 * gid are all of p's real, effective and saved ones.  The caller holds
 * proc_lock.
 */
static bool
prlimit_allowed_locked(struct proc *cur, struct proc *p)
{
	const struct ucred *c = &cur->p_cred, *t = &p->p_cred;

	KASSERT(spin_held(&proc_lock));
	if (cur == p || c->cr_euid == 0)
		return true;
	return c->cr_ruid == t->cr_ruid && c->cr_ruid == t->cr_euid &&
	    c->cr_ruid == t->cr_suid && c->cr_rgid == t->cr_rgid &&
	    c->cr_rgid == t->cr_egid && c->cr_rgid == t->cr_sgid;
}

/*
 * Get and set the limit r of the process pid (0: the caller): copy *nl
 * in (if nl is not NULL) and the old limit to *ol (if not NULL).  Returns
 * 0 or -errno.  No locks held.
 */
long
sys_prlimit64(pid_t pid, int r, const struct rlimit *unew, struct rlimit *uold)
{
	struct rlimit nl, ol;
	struct proc *p;

	if (r < 0 || r >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew != NULL) {
		if (copyin(unew, &nl, sizeof(nl)) != 0)
			return -EFAULT;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (r == RLIMIT_NOFILE && nl.rlim_max > NR_OPEN)
			return -EPERM; /* Linux: above fs.nr_open */
	}
	spin_lock(&proc_lock);
	p = pid == 0 ? curproc : proc_find(pid);
	if (p == NULL || p->p_stat != SACTIVE) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	if (!prlimit_allowed_locked(curproc, p)) {
		spin_unlock(&proc_lock);
		return -EPERM;
	}
	ol = p->p_rlimit[r];
	if (unew != NULL) {
		if (nl.rlim_max > ol.rlim_max && curproc->p_cred.cr_euid != 0) {
			spin_unlock(&proc_lock);
			return -EPERM;
		}
		__atomic_store_n(&p->p_rlimit[r].rlim_cur, nl.rlim_cur,
		    __ATOMIC_RELAXED);
		p->p_rlimit[r].rlim_max = nl.rlim_max;
	}
	spin_unlock(&proc_lock);
	if (uold != NULL && copyout(&ol, uold, sizeof(ol)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_getrlimit(int r, struct rlimit *urlim)
{
	return sys_prlimit64(0, r, NULL, urlim);
}

long
sys_setrlimit(int r, const struct rlimit *urlim)
{
	return sys_prlimit64(0, r, urlim, NULL);
}

long
sys_umask(int mask)
{
	struct proc *p = curproc;

	/* Only this process's LWPs change it: an atomic swap suffices. */
	return __atomic_exchange_n(&p->p_umask, (unsigned)mask & 0777,
	    __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Credentials. */

SYSCALL_LIGHT long
sys_getuid(void)
{
	return __atomic_load_n(&curproc->p_cred.cr_ruid, __ATOMIC_RELAXED);
}

SYSCALL_LIGHT long
sys_geteuid(void)
{
	return __atomic_load_n(&curproc->p_cred.cr_euid, __ATOMIC_RELAXED);
}

SYSCALL_LIGHT long
sys_getgid(void)
{
	return __atomic_load_n(&curproc->p_cred.cr_rgid, __ATOMIC_RELAXED);
}

SYSCALL_LIGHT long
sys_getegid(void)
{
	return __atomic_load_n(&curproc->p_cred.cr_egid, __ATOMIC_RELAXED);
}

/*
 * Copy three ids out (getresuid, getresgid).  Returns 0 or -EFAULT.  No
 * locks held.
 */
static long
getres_copyout(uint32_t a, uint32_t b, uint32_t c, uint32_t *ua, uint32_t *ub,
    uint32_t *uc)
{
	if (copyout(&a, ua, sizeof(a)) != 0 ||
	    copyout(&b, ub, sizeof(b)) != 0 || copyout(&c, uc, sizeof(c)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_getresuid(uid_t *ur, uid_t *ue, uid_t *us)
{
	struct ucred cr;

	spin_lock(&proc_lock);
	cr = curproc->p_cred;
	spin_unlock(&proc_lock);
	return getres_copyout(cr.cr_ruid, cr.cr_euid, cr.cr_suid, ur, ue, us);
}

long
sys_getresgid(gid_t *ur, gid_t *ue, gid_t *us)
{
	struct ucred cr;

	spin_lock(&proc_lock);
	cr = curproc->p_cred;
	spin_unlock(&proc_lock);
	return getres_copyout(cr.cr_rgid, cr.cr_egid, cr.cr_sgid, ur, ue, us);
}

/*
 * The set*id calls on one triple (real, effective, saved) and its
 * filesystem id, uids or gids alike: id points at the process's four.
 * ID_KEEP leaves one unchanged.  An unprivileged caller (euid not 0)
 * may only set each to one of the old real, effective or saved ids (the
 * real one only to the real or effective one with setreuid).  As
 * Linux: the filesystem id follows the effective one, and setreuid sets
 * the saved id to the new effective one when the real one is set or the
 * effective one is set to other than the old real one.  Returns 0 or
 * -EPERM.  The caller holds proc_lock.
 */
static int
setids_locked(uint32_t *id, bool priv, uint32_t r, uint32_t e, uint32_t s,
    bool reid)
{
	uint32_t want[3] = { r, e, s }, n[3];

	KASSERT(spin_held(&proc_lock));
	for (int i = 0; i < 3; i++) {
		if (want[i] == ID_KEEP) {
			n[i] = id[i];
			continue;
		}
		/* setreuid's real id may not become the saved one. */
		if (!priv && want[i] != id[0] && want[i] != id[1] &&
		    (want[i] != id[2] || (reid && i == 0)))
			return -EPERM;
		n[i] = want[i];
	}
	if (reid && (r != ID_KEEP || (e != ID_KEEP && e != id[0])))
		n[2] = n[1];
	id[0] = n[0];
	id[1] = n[1];
	id[2] = n[2];
	id[3] = n[1];
	return 0;
}

/*
 * Apply setids_locked to the calling process's uids (gid false) or gids.
 * Privilege is euid 0.  No locks held.
 */
static long
setids(bool gid, uint32_t r, uint32_t e, uint32_t s, bool reid)
{
	struct ucred *cr = &curproc->p_cred;
	long error;

	spin_lock(&proc_lock);
	error = setids_locked(gid ? &cr->cr_rgid : &cr->cr_ruid,
	    cr->cr_euid == 0, r, e, s, reid);
	spin_unlock(&proc_lock);
	return error;
}

CTASSERT(offsetof(struct ucred, cr_fsuid) ==
    offsetof(struct ucred, cr_ruid) + 3 * sizeof(uid_t));
CTASSERT(offsetof(struct ucred, cr_fsgid) ==
    offsetof(struct ucred, cr_rgid) + 3 * sizeof(gid_t));

long
sys_setuid(uid_t uid)
{
	struct ucred *cr = &curproc->p_cred;
	long error = 0;

	if (uid == ID_KEEP)
		return -EINVAL;
	spin_lock(&proc_lock);
	if (cr->cr_euid == 0)
		cr->cr_ruid = cr->cr_euid = cr->cr_suid = cr->cr_fsuid = uid;
	else if (uid == cr->cr_ruid || uid == cr->cr_suid)
		cr->cr_euid = cr->cr_fsuid = uid;
	else
		error = -EPERM;
	spin_unlock(&proc_lock);
	return error;
}

long
sys_setgid(gid_t gid)
{
	struct ucred *cr = &curproc->p_cred;
	long error = 0;

	if (gid == ID_KEEP)
		return -EINVAL;
	spin_lock(&proc_lock);
	if (cr->cr_euid == 0)
		cr->cr_rgid = cr->cr_egid = cr->cr_sgid = cr->cr_fsgid = gid;
	else if (gid == cr->cr_rgid || gid == cr->cr_sgid)
		cr->cr_egid = cr->cr_fsgid = gid;
	else
		error = -EPERM;
	spin_unlock(&proc_lock);
	return error;
}

long
sys_setreuid(uid_t ruid, uid_t euid)
{
	return setids(false, ruid, euid, ID_KEEP, true);
}

long
sys_setregid(gid_t rgid, gid_t egid)
{
	return setids(true, rgid, egid, ID_KEEP, true);
}

long
sys_setresuid(uid_t ruid, uid_t euid, uid_t suid)
{
	return setids(false, ruid, euid, suid, false);
}

long
sys_setresgid(gid_t rgid, gid_t egid, gid_t sgid)
{
	return setids(true, rgid, egid, sgid, false);
}

/*
 * setfsuid and setfsgid: set the filesystem id if the caller is
 * privileged or it is one of the real, effective, saved or filesystem
 * ids; return the old one either way (Linux reports no error).  No locks
 * held.
 */
static long
setfsid(bool gid, uint32_t v)
{
	struct ucred *cr = &curproc->p_cred;
	uint32_t *id, old;

	spin_lock(&proc_lock);
	id = gid ? &cr->cr_rgid : &cr->cr_ruid;
	old = id[3];
	if (v != ID_KEEP &&
	    (cr->cr_euid == 0 || v == id[0] || v == id[1] || v == id[2] ||
		v == id[3]))
		id[3] = v;
	spin_unlock(&proc_lock);
	return old;
}

long
sys_setfsuid(uid_t uid)
{
	return setfsid(false, uid);
}

long
sys_setfsgid(gid_t gid)
{
	return setfsid(true, gid);
}

long
sys_getgroups(int size, gid_t *ulist)
{
	gid_t groups[NGROUPS];
	int n;

	if (size < 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	n = curproc->p_cred.cr_ngroups;
	memcpy(groups, curproc->p_cred.cr_groups, sizeof(groups));
	spin_unlock(&proc_lock);
	if (size == 0)
		return n;
	if (size < n)
		return -EINVAL;
	if (copyout(groups, ulist, n * sizeof(gid_t)) != 0)
		return -EFAULT;
	return n;
}

long
sys_setgroups(int size, const gid_t *ulist)
{
	gid_t groups[NGROUPS];

	if (size < 0 || size > 65536) /* Linux's NGROUPS_MAX */
		return -EINVAL;
	if (size > NGROUPS)
		return -ENOMEM; /* more than we keep */
	if (copyin(ulist, groups, size * sizeof(gid_t)) != 0)
		return -EFAULT;
	spin_lock(&proc_lock);
	if (curproc->p_cred.cr_euid != 0) {
		spin_unlock(&proc_lock);
		return -EPERM;
	}
	curproc->p_cred.cr_ngroups = size;
	memcpy(curproc->p_cred.cr_groups, groups, size * sizeof(gid_t));
	spin_unlock(&proc_lock);
	return 0;
}
