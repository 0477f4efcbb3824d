/*
 * prctl: the operations on the calling process and thread that programs
 * nobody here wrote use (glibc and BusyBox name their threads, shells and
 * supervisors ask for a parent-death signal), with Linux's numbers from
 * <linux/prctl.h> and Linux's errors.  Options outside the table get
 * EINVAL, as options unknown to Linux do there.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <signal.h>
#include <syscall.h>
#include <proc/proc.h>
#include <linux/prctl.h>

/* The name of an LWP, as PR_SET_NAME takes it and PR_GET_NAME gives it. */
#define TASK_COMM_LEN 16

/*
 * PR_SET_NAME: the calling thread's name; on the main thread (LWP 1) it
 * is also the process's p_comm, which /proc and ps show, as Linux's
 * comm of the thread-group leader.  The name is cut at 15 bytes.
 */
static long
prctl_set_name(const char *uname)
{
	struct lwp *l = curlwp;
	char name[TASK_COMM_LEN];
	long len;

	/* At most 15 bytes are read, as Linux's strncpy_from_user. */
	len = copyinstr(uname, name, sizeof(name) - 1);
	if (len == -EFAULT)
		return -EFAULT;
	name[sizeof(name) - 1] = '\0'; /* -ENAMETOOLONG: those 15 bytes */
	spin_lock(&proc_lock);
	strlcpy(l->l_name, name, sizeof(l->l_name));
	if (l->l_lid == 1)
		strlcpy(l->l_proc->p_comm, name, sizeof(l->l_proc->p_comm));
	spin_unlock(&proc_lock);
	return 0;
}

/* PR_GET_NAME: the calling thread's name, 16 bytes with the NUL. */
static long
prctl_get_name(char *uname)
{
	char name[TASK_COMM_LEN] = { 0 };

	spin_lock(&proc_lock);
	strlcpy(name, curlwp->l_name, sizeof(name));
	spin_unlock(&proc_lock);
	return copyout(name, uname, sizeof(name));
}

long
sys_prctl(int option, unsigned long arg2, unsigned long arg3,
    unsigned long arg4, unsigned long arg5)
{
	struct proc *p = curproc;
	long rv = 0;
	int val;

	switch (option) {
	case PR_SET_PDEATHSIG:
		if (arg2 >= NSIG)
			return -EINVAL;
		spin_lock(&proc_lock);
		p->p_pdeathsig = (int)arg2;
		spin_unlock(&proc_lock);
		return 0;
	case PR_GET_PDEATHSIG:
		spin_lock(&proc_lock);
		val = p->p_pdeathsig;
		spin_unlock(&proc_lock);
		return copyout(&val, (void *)arg2, sizeof(val));
	case PR_GET_DUMPABLE:
		spin_lock(&proc_lock);
		rv = p->p_nodump ? 0 : 1;
		spin_unlock(&proc_lock);
		return rv;
	case PR_SET_DUMPABLE:
		if (arg2 != 0 && arg2 != 1)
			return -EINVAL;
		spin_lock(&proc_lock);
		p->p_nodump = arg2 == 0;
		spin_unlock(&proc_lock);
		return 0;
	case PR_SET_NAME:
		return prctl_set_name((const char *)arg2);
	case PR_GET_NAME:
		return prctl_get_name((char *)arg2);
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 != 0 || arg4 != 0 || arg5 != 0)
			return -EINVAL;
		spin_lock(&proc_lock);
		p->p_nonewprivs = true;
		spin_unlock(&proc_lock);
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 != 0 || arg3 != 0 || arg4 != 0 || arg5 != 0)
			return -EINVAL;
		spin_lock(&proc_lock);
		rv = p->p_nonewprivs;
		spin_unlock(&proc_lock);
		return rv;
	default:
		return -EINVAL;
	}
}
