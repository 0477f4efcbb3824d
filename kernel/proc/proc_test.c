/*
 * In-kernel tests of the process lifecycle that user programs cannot
 * reach directly: lwproc_newproc's three fd-table policies, EBUSY for an
 * LWP in an exiting process, pid allocation, and that abandoning a new
 * process gives back everything it took.
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <kstat.h>
#include <ktest.h>
#include <proc/proc.h>
#include <vm/kmem.h>
#include <vm/addrspace.h>
#include <vm/vm_page.h>
#include <arch/pmap.h>

/* proc0 stands in as the parent; give it a table with one open file. */
static struct filedesc *
test_parent_fd(struct file **fpp)
{
	struct filedesc *fdp = fd_init();

	KASSERT(fdp != NULL);
	*fpp = console_file_open();
	KASSERT(*fpp != NULL);
	KASSERT(fd_alloc(fdp, *fpp, 0, false) == 0);
	proc0.p_fd = fdp;
	return fdp;
}

KTEST(proc_fd_policies)
{
	uint64_t heap0 = kmem_used();
	struct file *fp;
	struct filedesc *fdp = test_parent_fd(&fp);
	struct proc *p;
	int error;

	/* RFFDG: a copy holding its own reference to the same file. */
	p = lwproc_newproc(&proc0, vmspace_alloc(), RFFDG, &error);
	if (KT_CHECK(p != NULL)) {
		KT_CHECK(p->p_fd != fdp);
		KT_CHECK(p->p_fd->fd_ofiles[0] == fp);
		KT_EQ(fp->f_refcnt, 2);
		lwproc_abandon(p);
		KT_EQ(fp->f_refcnt, 1);
	}
	/* RFCFDG: an empty table. */
	p = lwproc_newproc(&proc0, vmspace_alloc(), RFCFDG, &error);
	if (KT_CHECK(p != NULL)) {
		KT_CHECK(p->p_fd != fdp && p->p_fd->fd_lastfile == 0);
		lwproc_abandon(p);
	}
	/* Neither: the same table, one more reference to it. */
	p = lwproc_newproc(&proc0, vmspace_alloc(), 0, &error);
	if (KT_CHECK(p != NULL)) {
		KT_CHECK(p->p_fd == fdp);
		KT_EQ(fdp->fd_refcnt, 2);
		lwproc_abandon(p);
		KT_EQ(fdp->fd_refcnt, 1);
	}
	proc0.p_fd = NULL;
	fd_free(fdp);
	KT_EQ(kmem_used(), heap0);
}

KTEST(proc_lwp_exiting_ebusy)
{
	struct file *fp;
	struct filedesc *fdp = test_parent_fd(&fp);
	struct proc *p;
	struct lwp *l;
	int error = 0;

	p = lwproc_newproc(&proc0, vmspace_alloc(), RFCFDG, &error);
	if (!KT_CHECK(p != NULL))
		return;
	l = lwproc_makelwp(p, &error);
	KT_CHECK(l != NULL);
	if (l != NULL)
		lwproc_abandon_lwp(l);
	/* What proc_exit sets first: no LWP may join an exiting process. */
	p->p_sflag |= PS_LWPEXIT;
	l = lwproc_makelwp(p, &error);
	KT_CHECK(l == NULL);
	KT_EQ(error, -EBUSY);
	KT_EQ(p->p_nlwps, 0);
	lwproc_abandon(p);
	proc0.p_fd = NULL;
	fd_free(fdp);
}

KTEST(proc_pids_not_reused)
{
	struct kstat before, after;
	struct filedesc *fdp;
	struct file *fp;
	pid_t last = 0;
	int error;

	pmap_reclaim();
	kmem_reclaim();
	kstat_fill(&before);
	fdp = test_parent_fd(&fp);
	for (int i = 0; i < 50; i++) {
		struct proc *p =
		    lwproc_newproc(&proc0, vmspace_alloc(), 0, &error);

		if (!KT_CHECK(p != NULL))
			break;
		/* A freed pid is not handed out again at once. */
		KT_CHECKF(p->p_pid > last, "pid %d after %d", p->p_pid, last);
		last = p->p_pid;
		lwproc_abandon(p);
	}
	proc0.p_fd = NULL;
	fd_free(fdp);
	pmap_reclaim();
	kmem_reclaim();
	kstat_fill(&after);
	KT_EQ(after.ks_nprocs, before.ks_nprocs);
	KT_EQ(after.ks_nvmspaces, before.ks_nvmspaces);
	KT_EQ(after.ks_pages_free, before.ks_pages_free);
	KT_EQ(after.ks_kheap_used, before.ks_kheap_used);
}
