/*
 * The scheduling system calls with Linux's ABI: CPU affinity and getcpu.
 *
 * A CPU mask in user memory is an array of unsigned longs, bit i of the
 * array standing for CPU i.  The kernel's mask (cpuset_t) is one 64-bit
 * word, so Linux's cpumask_size() is 8 here.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/sched.h>

#define CPUMASK_SIZE sizeof(cpuset_t)

/*
 * The LWP a pid names for the affinity calls: the caller for 0, else
 * the first live LWP of that process (its main thread: with one LWP per
 * process, Linux's tid is the pid).  NULL if there is none.  The caller
 * holds proc_lock.
 */
static struct lwp *
sched_target(pid_t pid)
{
	struct proc *p;
	struct lwp *l, *best = NULL;

	KASSERT(spin_held(&proc_lock));
	if (pid == 0)
		return curlwp;
	if (pid < 0 || (p = proc_find(pid)) == NULL || p->p_stat != SACTIVE)
		return NULL;
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		if (l->l_stat != LSZOMB &&
		    (best == NULL || l->l_lid < best->l_lid))
			best = l;
	}
	return best;
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
