/*
 * The scheduling system calls with Linux's ABI: CPU affinity, getcpu,
 * the nice values of getpriority and setpriority, and the I/O
 * priorities of ioprio_get and ioprio_set (kept and inherited; nothing
 * here queues I/O, as tmpfs's I/O on Linux does not either).
 *
 * A CPU mask in user memory is an array of unsigned longs, bit i of the
 * array standing for CPU i.  The kernel's mask (cpuset_t) is one 64-bit
 * word, so Linux's cpumask_size() is 8 here.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <linux/ioprio.h>
#include <linux/resource.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>

#define CPUMASK_SIZE sizeof(cpuset_t)

/*
 * The LWP a pid names for the affinity calls: the caller for 0, else
 * the main LWP of that process (Linux's tid of a thread group leader is
 * its pid).  NULL if there is none.  The caller holds proc_lock.
 */
static struct lwp *
sched_target(pid_t pid)
{
	struct proc *p;

	KASSERT(spin_held(&proc_lock));
	if (pid == 0)
		return curlwp;
	if (pid < 0 || (p = proc_find(pid)) == NULL || p->p_stat != SACTIVE)
		return NULL;
	return proc_main_lwp(p);
}

long
sys_sched_setaffinity(pid_t pid, size_t len, const unsigned long *umask)
{
	cpuset_t set = 0;
	struct lwp *l;

	if (copyin(umask, &set, MIN(len, CPUMASK_SIZE)) != 0)
		return -EFAULT;
	spin_lock(&proc_lock);
	if ((l = sched_target(pid)) == NULL) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	if ((set & sched_online_cpus()) == 0) {
		spin_unlock(&proc_lock);
		return -EINVAL;
	}
	sched_setaffinity(l, set);
	spin_unlock(&proc_lock);
	/*
	 * As on Linux, the caller runs on a CPU of its new set when the call
	 * returns: it leaves this one at a switch (sched_requeue), which a
	 * busy target CPU may put off, so switch until it has moved.
	 */
	while (l == curlwp && (set & CPUSET_BIT(curcpu()->ci_index)) == 0 &&
	    !(__atomic_load_n(&l->l_flag, __ATOMIC_RELAXED) & LW_WEXIT))
		sched_yield();
	return 0;
}

long
sys_sched_getaffinity(pid_t pid, size_t len, unsigned long *umask)
{
	cpuset_t set;
	struct lwp *l;

	if (len * 8 < MAXCPUS || (len & (sizeof(unsigned long) - 1)) != 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	if ((l = sched_target(pid)) == NULL) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	set = sched_getaffinity(l);
	spin_unlock(&proc_lock);
	if (copyout(&set, umask, CPUMASK_SIZE) != 0)
		return -EFAULT;
	return CPUMASK_SIZE;
}

long
sys_getcpu(unsigned *ucpu, unsigned *unode, void *cache __unused_arg)
{
	unsigned cpu = curcpu()->ci_index, node = 0;

	if (ucpu != NULL && copyout(&cpu, ucpu, sizeof(cpu)) != 0)
		return -EFAULT;
	if (unode != NULL && copyout(&node, unode, sizeof(node)) != 0)
		return -EFAULT;
	return 0;
}

/*
 * Call fn(l, acc, arg) on every live LWP that getpriority's and
 * setpriority's (which, who) names, as Linux's: PRIO_PROCESS one LWP
 * (who a thread id of the caller's process or a pid, whose main LWP it
 * is; 0 the caller), PRIO_PGRP every LWP of the process group who (0:
 * the caller's), PRIO_USER every LWP of the processes whose real user
 * id is who (0: the caller's).  acc starts at -ESRCH and becomes what
 * each call returns.  proc_lock held.
 */
static long
prio_each_locked(int which, int who, long (*fn)(struct lwp *, long, void *),
    void *arg)
{
	struct proc *p, *me = curproc;
	struct lwp *l;
	long acc = -ESRCH;
	uid_t uid;

	KASSERT(spin_held(&proc_lock));
	if (which == PRIO_PROCESS) {
		if (who == 0)
			l = curlwp;
		else if ((l = tid_find(me, who)) == NULL &&
		    (p = proc_find(who)) != NULL && p->p_stat == SACTIVE)
			l = proc_main_lwp(p);
		return l != NULL ? fn(l, acc, arg) : acc;
	}
	uid = who != 0 ? (uid_t)who : me->p_cred.cr_ruid;
	PROC_FOREACH(p)
	{
		if (p->p_stat != SACTIVE ||
		    (which == PRIO_PGRP &&
			p->p_pgid != (who != 0 ? who : me->p_pgid)) ||
		    (which == PRIO_USER && p->p_cred.cr_ruid != uid))
			continue;
		LIST_FOREACH(l, &p->p_lwps, l_sibling)
		{
			if (l->l_stat != LSZOMB && l->l_stat != LSIDL)
				acc = fn(l, acc, arg);
		}
	}
	return acc;
}

/* getpriority's fn: the highest of 20 - nice.  proc_lock held. */
static long
prio_get_one(struct lwp *l, long acc, void *arg __unused_arg)
{
	long v = 20 - l->l_nice;

	return v > acc ? v : acc;
}

/*
 * setpriority's fn, Linux's set_one_prio: the caller must be root or
 * have the euid of l's process as its real or effective user id
 * (EPERM), and root or within l's RLIMIT_NICE to lower the nice value
 * (EACCES); the first success turns -ESRCH into 0, and a failure stays.
 * proc_lock held.
 */
static long
prio_set_one(struct lwp *l, long acc, void *arg)
{
	const struct ucred *me = &curproc->p_cred, *cr = &l->l_proc->p_cred;
	int nice = *(int *)arg;

	if (me->cr_euid != 0 && cr->cr_ruid != me->cr_euid &&
	    cr->cr_euid != me->cr_euid)
		return -EPERM;
	if (nice < l->l_nice && me->cr_euid != 0 &&
	    (uint64_t)(20 - nice) > rlimit_cur(l->l_proc, RLIMIT_NICE))
		return -EACCES;
	__atomic_store_n(&l->l_nice, nice, __ATOMIC_RELAXED);
	return acc == -ESRCH ? 0 : acc;
}

long
sys_getpriority(int which, int who)
{
	long rv;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	spin_lock(&proc_lock);
	rv = prio_each_locked(which, who, prio_get_one, NULL);
	spin_unlock(&proc_lock);
	return rv;
}

long
sys_setpriority(int which, int who, int nice)
{
	long rv;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	spin_lock(&proc_lock);
	rv = prio_each_locked(which, who, prio_set_one, &nice);
	spin_unlock(&proc_lock);
	return rv;
}

/*
 * Linux's ioprio_best: the higher of two priorities (the lower value),
 * one of class none counting as best effort's normal level.
 */
static int
ioprio_best(int a, int b)
{
	if (IOPRIO_PRIO_CLASS(a) == IOPRIO_CLASS_NONE)
		a = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, IOPRIO_NORM);
	if (IOPRIO_PRIO_CLASS(b) == IOPRIO_CLASS_NONE)
		b = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, IOPRIO_NORM);
	return (uint16_t)a < (uint16_t)b ? a : b;
}

/* ioprio_get's fn: the best of the LWPs' priorities.  proc_lock held. */
static long
ioprio_get_one(struct lwp *l, long acc, void *arg __unused_arg)
{
	int v = __atomic_load_n(&l->l_ioprio, __ATOMIC_RELAXED);

	return acc == -ESRCH ? v : ioprio_best((int)acc, v);
}

/*
 * ioprio_set's fn, Linux's set_task_ioprio: the caller must be root or
 * have the real user id of l's process as its real or effective one
 * (EPERM); the first failure ends the walk.  proc_lock held.
 */
static long
ioprio_set_one(struct lwp *l, long acc, void *arg)
{
	const struct ucred *me = &curproc->p_cred, *cr = &l->l_proc->p_cred;

	if (acc != -ESRCH && acc != 0)
		return acc;
	if (me->cr_euid != 0 && cr->cr_ruid != me->cr_euid &&
	    cr->cr_ruid != me->cr_ruid)
		return -EPERM;
	__atomic_store_n(&l->l_ioprio, *(int *)arg, __ATOMIC_RELAXED);
	return 0;
}

long
sys_ioprio_get(int which, int who)
{
	long rv;

	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	spin_lock(&proc_lock);
	rv = prio_each_locked(which - IOPRIO_WHO_PROCESS + PRIO_PROCESS, who,
	    ioprio_get_one, NULL);
	spin_unlock(&proc_lock);
	return rv;
}

long
sys_ioprio_set(int which, int who, int ioprio)
{
	long rv;

	/* Linux's ioprio_check_cap, before which is looked at. */
	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (curproc->p_cred.cr_euid != 0)
			return -EPERM; /* CAP_SYS_NICE or CAP_SYS_ADMIN */
		break;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		break;
	case IOPRIO_CLASS_NONE:
		if (IOPRIO_PRIO_LEVEL(ioprio) != 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	spin_lock(&proc_lock);
	rv = prio_each_locked(which - IOPRIO_WHO_PROCESS + PRIO_PROCESS, who,
	    ioprio_set_one, &ioprio);
	spin_unlock(&proc_lock);
	return rv;
}
