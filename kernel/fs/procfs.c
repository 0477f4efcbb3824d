/*
 * procfs: the process table and the system's figures as files
 * (vnode.h), in Linux's formats, mounted as "proc".
 *
 * The tree:
 *	/proc/self			symlink to the caller's pid
 *	/proc/PID/			every process, zombies included
 *		stat status cmdline comm maps mounts
 *		loginuid sessionid	audit ids; loginuid writable
 *		exe cwd root		symlinks
 *		fd/N			symlinks: a path, "pipe:[ino]", ...
 *	/proc/meminfo stat uptime loadavg mounts cpuinfo version filesystems
 *	/proc/sys/fs/nr_open
 *	/proc/sys/kernel/		ostype osrelease version pid_max
 *		dmesg_restrict, and hostname domainname printk (writable)
 *		random/boot_id uuid
 *
 * Writes: a process's own loginuid, and /proc/sys's writable files, by
 * root (their content is made at each read as any other's).
 * A node is made by each lookup and freed with its last reference; it
 * names what it shows (kind, pid, fd), not the object, so a node whose
 * process has gone reads as -ENOENT (-ESRCH for a read).  Every node but
 * the root holds a reference to its parent directory (v_parent), so
 * ".." stays valid.  Inode numbers are computed from (pid, kind, fd).
 *
 * A file's content is made whole at each read, into a kernel buffer,
 * under proc_lock (and a process's fd_lock or vm_lock, taken under it),
 * and only then copied out with no spinlock held; reads at an offset
 * take their slice of it.  Every function here runs with vfs_lock held
 * (vnode operations), so the lock order is vfs_lock, proc_lock, then
 * fd_lock or vm_lock.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <random.h>
#include <file.h>
#include <klog.h>
#include <kstat.h>
#include <stat.h>
#include <tty.h>
#include <uts.h>
#include <vnode.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <vm/addrspace.h>
#include <vm/kmem.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>
#include <vdso/vdso.h>
#include <arch/cpu.h>
#include <arch/mp.h>

#include <stdarg.h>
#include <asm/statfs.h>
#include <linux/magic.h>

/* d_type values: Linux's. */
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

#define PROCFS_BUFSIZE (64 * 1024) /* the most a file shows */
#define USER_HZ 100                /* clock ticks of stat's times */

enum procfs_kind {
	PN_ROOT,
	PN_SELF,
	PN_MEMINFO,
	PN_STAT,
	PN_UPTIME,
	PN_LOADAVG,
	PN_MOUNTS,
	PN_CPUINFO,
	PN_VERSION,
	PN_FILESYSTEMS,
	PN_PID, /* /proc/PID */
	PN_PID_STAT,
	PN_PID_STATUS,
	PN_PID_CMDLINE,
	PN_PID_COMM,
	PN_PID_LOGINUID,
	PN_PID_SESSIONID,
	PN_PID_MAPS,
	PN_PID_MOUNTS,
	PN_PID_EXE,
	PN_PID_CWD,
	PN_PID_ROOT,
	PN_PID_FD, /* /proc/PID/fd */
	PN_FD,     /* /proc/PID/fd/N */
	/* /proc/sys (procfs_sys_entries) */
	PN_SYS,
	PN_SYS_KERNEL,
	PN_SYS_FS,
	PN_SYS_RANDOM, /* /proc/sys/kernel/random */
	PN_SYS_OSTYPE,
	PN_SYS_OSRELEASE,
	PN_SYS_VERSION,
	PN_SYS_HOSTNAME,
	PN_SYS_DOMAINNAME,
	PN_SYS_PID_MAX,
	PN_SYS_PRINTK,
	PN_SYS_DMESG_RESTRICT,
	PN_SYS_NR_OPEN,
	PN_SYS_BOOT_ID,
	PN_SYS_UUID,
};

struct procfs_entry {
	const char *pe_name;
	enum procfs_kind pe_kind;
};

/* The names of /proc and of /proc/PID, in readdir's order. */
static const struct procfs_entry procfs_root_entries[] = {
	{ "self", PN_SELF },
	{ "meminfo", PN_MEMINFO },
	{ "stat", PN_STAT },
	{ "uptime", PN_UPTIME },
	{ "loadavg", PN_LOADAVG },
	{ "mounts", PN_MOUNTS },
	{ "cpuinfo", PN_CPUINFO },
	{ "version", PN_VERSION },
	{ "filesystems", PN_FILESYSTEMS },
	{ "sys", PN_SYS },
};
static const struct procfs_entry procfs_pid_entries[] = {
	{ "stat", PN_PID_STAT },
	{ "status", PN_PID_STATUS },
	{ "cmdline", PN_PID_CMDLINE },
	{ "comm", PN_PID_COMM },
	{ "loginuid", PN_PID_LOGINUID },
	{ "sessionid", PN_PID_SESSIONID },
	{ "maps", PN_PID_MAPS },
	{ "mounts", PN_PID_MOUNTS },
	{ "exe", PN_PID_EXE },
	{ "cwd", PN_PID_CWD },
	{ "root", PN_PID_ROOT },
	{ "fd", PN_PID_FD },
};
/*
 * The tree under /proc/sys: each entry with the directory it is in, in
 * readdir's order (Linux's names, a subset: those with a value here).
 */
static const struct procfs_sysent {
	const char *ps_name;
	enum procfs_kind ps_kind, ps_dir;
} procfs_sys_entries[] = {
	{ "fs", PN_SYS_FS, PN_SYS },
	{ "kernel", PN_SYS_KERNEL, PN_SYS },
	{ "nr_open", PN_SYS_NR_OPEN, PN_SYS_FS },
	{ "dmesg_restrict", PN_SYS_DMESG_RESTRICT, PN_SYS_KERNEL },
	{ "domainname", PN_SYS_DOMAINNAME, PN_SYS_KERNEL },
	{ "hostname", PN_SYS_HOSTNAME, PN_SYS_KERNEL },
	{ "osrelease", PN_SYS_OSRELEASE, PN_SYS_KERNEL },
	{ "ostype", PN_SYS_OSTYPE, PN_SYS_KERNEL },
	{ "pid_max", PN_SYS_PID_MAX, PN_SYS_KERNEL },
	{ "printk", PN_SYS_PRINTK, PN_SYS_KERNEL },
	{ "random", PN_SYS_RANDOM, PN_SYS_KERNEL },
	{ "version", PN_SYS_VERSION, PN_SYS_KERNEL },
	{ "boot_id", PN_SYS_BOOT_ID, PN_SYS_RANDOM },
	{ "uuid", PN_SYS_UUID, PN_SYS_RANDOM },
};
#define NSYS (sizeof(procfs_sys_entries) / sizeof(procfs_sys_entries[0]))

/* Whether kind is a directory of /proc/sys.  No requirements. */
static bool
procfs_sys_dir(enum procfs_kind kind)
{
	return kind == PN_SYS || kind == PN_SYS_KERNEL || kind == PN_SYS_FS ||
	    kind == PN_SYS_RANDOM;
}

/* The files of /proc/sys a write changes (mode 0644).  No requirements. */
static bool
procfs_sys_writable(enum procfs_kind kind)
{
	return kind == PN_SYS_HOSTNAME || kind == PN_SYS_DOMAINNAME ||
	    kind == PN_SYS_PRINTK;
}

/*
 * The i-th entry of /proc/sys directory dir (from 0), or NULL past the
 * last.  No requirements.
 */
static const struct procfs_sysent *
procfs_sys_nth(enum procfs_kind dir, size_t i)
{
	for (size_t k = 0; k < NSYS; k++)
		if (procfs_sys_entries[k].ps_dir == dir && i-- == 0)
			return &procfs_sys_entries[k];
	return NULL;
}

#define NROOT (sizeof(procfs_root_entries) / sizeof(procfs_root_entries[0]))
#define NPID (sizeof(procfs_pid_entries) / sizeof(procfs_pid_entries[0]))
#define PROCFS_PID_COOKIE (2 + NROOT) /* the root's cookie of pid 0 */

struct procfs_node {
	struct vnode pn_vnode;
	/* (c) */
	enum procfs_kind pn_kind;
	pid_t pn_pid; /* PN_PID and below */
	int pn_fd;    /* PN_FD */
};

#define VTOPN(vp) ((struct procfs_node *)(vp)->v_data)

static const struct vnodeops procfs_vnodeops;

static enum vtype
procfs_vtype(enum procfs_kind kind)
{
	if (procfs_sys_dir(kind))
		return VDIR;
	switch (kind) {
	case PN_ROOT:
	case PN_PID:
	case PN_PID_FD:
		return VDIR;
	case PN_SELF:
	case PN_PID_EXE:
	case PN_PID_CWD:
	case PN_PID_ROOT:
	case PN_FD:
		return VLNK;
	default:
		return VREG;
	}
}

static uint8_t
procfs_dtype(enum procfs_kind kind)
{
	enum vtype t = procfs_vtype(kind);

	return t == VDIR ? DT_DIR : t == VLNK ? DT_LNK : DT_REG;
}

static uint64_t
procfs_ino(enum procfs_kind kind, pid_t pid, int fd)
{
	return ((((uint64_t)pid + 1) << 16) | ((uint64_t)kind << 9) |
		   (uint64_t)fd) +
	    1;
}

/*
 * A new node of kind under directory dvp (which it holds a reference
 * to), with one reference, in dvp's mount; NULL when out of memory.
 */
static struct vnode *
procfs_node_new(struct vnode *dvp, enum procfs_kind kind, pid_t pid, int fd)
{
	struct procfs_node *pn = kmalloc(sizeof(*pn), KM_ZERO);
	struct vnode *vp;

	if (pn == NULL)
		return NULL;
	pn->pn_kind = kind;
	pn->pn_pid = pid;
	pn->pn_fd = fd;
	vp = &pn->pn_vnode;
	vp->v_usecount = 1;
	vp->v_type = procfs_vtype(kind);
	vp->v_op = &procfs_vnodeops;
	vp->v_data = pn;
	vp->v_parent = dvp;
	if (dvp != NULL) {
		vnode_ref(dvp);
		vnode_set_mount(vp, dvp->v_mount);
	}
	return vp;
}

/* Parse a decimal number of (name, len) into *np: true if it is one. */
static bool
procfs_number(const char *name, size_t len, int *np)
{
	int n = 0;

	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		n = n * 10 + (name[i] - '0');
	}
	*np = n;
	return true;
}

/* True if process pid has fd open.  No spinlock held. */
static bool
procfs_fd_exists(pid_t pid, int fd)
{
	struct filedesc *fdp;
	struct proc *p;
	bool found = false;

	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (p != NULL && (fdp = p->p_fd) != NULL && fd >= 0) {
		spin_lock(&fdp->fd_lock);
		found = fd < fdp->fd_lastfile && fdp->fd_ofiles[fd] != NULL;
		spin_unlock(&fdp->fd_lock);
	}
	spin_unlock(&proc_lock);
	return found;
}

/* True if process pid exists (a zombie too).  No spinlock held. */
static bool
procfs_pid_exists(pid_t pid)
{
	bool found;

	spin_lock(&proc_lock);
	found = proc_find(pid) != NULL;
	spin_unlock(&proc_lock);
	return found;
}

static int
procfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct procfs_node *dpn = VTOPN(dvp);
	const struct procfs_entry *tab = NULL;
	size_t n = 0;
	int num;

	if (dpn->pn_kind == PN_ROOT) {
		tab = procfs_root_entries;
		n = NROOT;
	} else if (dpn->pn_kind == PN_PID) {
		tab = procfs_pid_entries;
		n = NPID;
	}
	if (procfs_sys_dir(dpn->pn_kind)) {
		const struct procfs_sysent *ps;

		for (size_t i = 0; (ps = procfs_sys_nth(dpn->pn_kind, i));
		     i++) {
			if (strlen(ps->ps_name) == len &&
			    memcmp(ps->ps_name, name, len) == 0) {
				*vpp = procfs_node_new(dvp, ps->ps_kind, 0, 0);
				return *vpp != NULL ? 0 : -ENOMEM;
			}
		}
		return -ENOENT;
	}
	if (!procfs_pid_exists(dpn->pn_pid) && dpn->pn_kind != PN_ROOT)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (strlen(tab[i].pe_name) == len &&
		    memcmp(tab[i].pe_name, name, len) == 0) {
			*vpp = procfs_node_new(dvp, tab[i].pe_kind, dpn->pn_pid,
			    0);
			return *vpp != NULL ? 0 : -ENOMEM;
		}
	}
	if (!procfs_number(name, len, &num))
		return -ENOENT;
	if (dpn->pn_kind == PN_ROOT && num > 0 && procfs_pid_exists(num))
		*vpp = procfs_node_new(dvp, PN_PID, num, 0);
	else if (dpn->pn_kind == PN_PID_FD &&
	    procfs_fd_exists(dpn->pn_pid, num))
		*vpp = procfs_node_new(dvp, PN_FD, dpn->pn_pid, num);
	else
		return -ENOENT;
	return *vpp != NULL ? 0 : -ENOMEM;
}

static int
procfs_eperm(void)
{
	return -EPERM;
}

static int
procfs_create(struct vnode *dvp, const char *name, size_t len, unsigned mode,
    struct vnode **vpp)
{
	(void)dvp, (void)name, (void)len, (void)mode, (void)vpp;
	return procfs_eperm();
}

static int
procfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	(void)dvp, (void)name, (void)len, (void)target, (void)vpp;
	return procfs_eperm();
}

static int
procfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	(void)dvp, (void)name, (void)len, (void)vp;
	return procfs_eperm();
}

static int
procfs_remove(struct vnode *dvp, const char *name, size_t len)
{
	(void)dvp, (void)name, (void)len;
	return procfs_eperm();
}

static int
procfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *tdvp, const char *tname, size_t tlen, unsigned flags)
{
	(void)fdvp, (void)fname, (void)flen, (void)tdvp, (void)tname,
	    (void)tlen, (void)flags;
	return procfs_eperm();
}

/* Append to the buffer as snprintf; cut at its end. */
struct procfs_buf {
	char *pb_buf;
	size_t pb_len, pb_size;
};

static void
pb_printf(struct procfs_buf *pb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pb->pb_len >= pb->pb_size)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(pb->pb_buf + pb->pb_len, pb->pb_size - pb->pb_len, fmt,
	    ap);
	va_end(ap);
	pb->pb_len = MIN(pb->pb_size, pb->pb_len + (size_t)MAX(n, 0));
}

/* A process's state letter and word, as Linux's. */
static char
procfs_state_locked(struct proc *p)
{
	struct lwp *l;
	bool run = false;

	KASSERT(spin_held(&proc_lock));
	if (p->p_stat == SDEAD)
		return 'Z';
	if (p->p_sflag & PS_STOPPED)
		return 'T';
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
	{
		int st = __atomic_load_n(&l->l_stat, __ATOMIC_RELAXED);

		if (st == LSRUN || st == LSONPROC)
			run = true;
	}
	return run ? 'R' : 'S';
}

static const char *
procfs_state_name(char s)
{
	switch (s) {
	case 'R':
		return "R (running)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "S (sleeping)";
	}
}

/* The signals pending, ignored and caught.  proc_lock held. */
static void
procfs_sigs_locked(struct proc *p, uint64_t *pnd, uint64_t *shd, uint64_t *blk,
    uint64_t *ign, uint64_t *cgt)
{
	struct lwp *l = LIST_FIRST(&p->p_lwps);

	*pnd = l != NULL ? l->l_sigpend.sp_set : 0;
	*blk = l != NULL ? l->l_sigmask : 0;
	*shd = p->p_sigpend.sp_set;
	*ign = *cgt = 0;
	for (int sig = 1; sig < NSIG; sig++) {
		uint64_t h = p->p_sigacts[sig - 1].ka_handler;

		if (h == 1)
			*ign |= 1UL << (sig - 1);
		else if (h > 1)
			*cgt |= 1UL << (sig - 1);
	}
}

/* The bytes mapped in vm (VmSize).  proc_lock held. */
static uint64_t
procfs_vsize_locked(struct vmspace *vm)
{
	struct vm_map_entry *e;
	uint64_t size = 0;

	if (vm == NULL)
		return 0;
	spin_lock(&vm->vm_lock);
	for (e = vm_map_min_entry(&vm->vm_map); e != NULL;
	     e = vm_map_next(&vm->vm_map, e))
		size += e->e_end - e->e_start;
	spin_unlock(&vm->vm_lock);
	return size;
}

/* /proc/PID/stat: Linux's 52 fields.  proc_lock held. */
static void
procfs_pid_stat_locked(struct procfs_buf *pb, struct proc *p)
{
	uint64_t ut, st, pnd, shd, blk, ign, cgt;
	struct lwp *l = LIST_FIRST(&p->p_lwps), *main = proc_main_lwp(p);
	long nice = main != NULL ? main->l_nice : 0;
	pid_t fg;
	bool ctty = tty_console_ctty_locked(p->p_sid, &fg);

	proc_times_locked(p, &ut, &st);
	procfs_sigs_locked(p, &pnd, &shd, &blk, &ign, &cgt);
	pb_printf(pb,
	    "%d (%s) %c %d %d %d %d %d %u %lu %lu %lu %lu %lu %lu %lu %lu "
	    "%ld %ld %d %d %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu "
	    "%lu %lu %lu %lu %lu %d %u %u %u %lu %lu %ld %lu %lu %lu %lu %lu "
	    "%lu %lu %d\n",
	    p->p_pid, p->p_comm, procfs_state_locked(p), p->p_ppid, p->p_pgid,
	    p->p_sid, ctty ? (5 << 8) | 1 : 0, ctty ? fg : -1, 0U, 0UL, 0UL,
	    0UL, 0UL, ut / (1000000000 / USER_HZ), st / (1000000000 / USER_HZ),
	    p->p_cutime / (1000000000 / USER_HZ),
	    p->p_cstime / (1000000000 / USER_HZ), 20 + nice, nice, p->p_nlive,
	    0, p->p_start / (1000000000 / USER_HZ),
	    procfs_vsize_locked(p->p_vmspace), 0UL,
	    p->p_rlimit[RLIMIT_RSS].rlim_cur, 0UL, 0UL, 0UL, 0UL, 0UL,
	    pnd | shd, blk, ign, cgt, 0UL, 0UL, 0UL, p->p_exitsig,
	    l != NULL ? l->l_cpu : 0, 0U, 0U, 0UL, 0UL, 0L, 0UL, 0UL,
	    p->p_vmspace != NULL ? p->p_vmspace->vm_brk_start : 0, 0UL, 0UL,
	    0UL, 0UL, p->p_stat == SDEAD ? p->p_xstat : 0);
}

/*
 * /proc/PID/status's Cpus_allowed and Cpus_allowed_list lines for the
 * affinity of l (none if NULL), as Linux prints them: a hexadecimal
 * mask as wide as the CPUs, then a list of ranges.  proc_lock held.
 */
static void
procfs_cpus_allowed_locked(struct procfs_buf *pb, struct lwp *l)
{
	cpuset_t online = sched_online_cpus(), set;
	int ncpus = 64 - __builtin_clzll(online), first;
	const char *sep = "";

	CTASSERT(MAXCPUS <= 32); /* one group of Linux's %*pb */
	if (l == NULL)
		return;
	set = sched_getaffinity(l);
	pb_printf(pb, "Cpus_allowed:\t%0*lx\nCpus_allowed_list:\t",
	    (ncpus + 3) / 4, set);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		if (!(set & CPUSET_BIT(cpu)))
			continue;
		for (first = cpu;
		     cpu + 1 < ncpus && (set & CPUSET_BIT(cpu + 1));)
			cpu++;
		if (first == cpu)
			pb_printf(pb, "%s%d", sep, cpu);
		else
			pb_printf(pb, "%s%d-%d", sep, first, cpu);
		sep = ",";
	}
	pb_printf(pb, "\n");
}

/* /proc/PID/status, Linux's lines that have a value here. */
static void
procfs_pid_status_locked(struct procfs_buf *pb, struct proc *p)
{
	uint64_t pnd, shd, blk, ign, cgt;
	const struct ucred *cr = &p->p_cred;

	procfs_sigs_locked(p, &pnd, &shd, &blk, &ign, &cgt);
	pb_printf(pb,
	    "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
	    "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
	    "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n"
	    "Groups:\t",
	    p->p_comm, p->p_umask, procfs_state_name(procfs_state_locked(p)),
	    p->p_pid, p->p_pid, p->p_ppid, cr->cr_ruid, cr->cr_euid,
	    cr->cr_suid, cr->cr_fsuid, cr->cr_rgid, cr->cr_egid, cr->cr_sgid,
	    cr->cr_fsgid, p->p_fd != NULL ? fd_nfiles(p->p_fd) : 0);
	for (int i = 0; i < cr->cr_ngroups; i++)
		pb_printf(pb, "%u ", cr->cr_groups[i]);
	pb_printf(pb, "\n");
	if (p->p_vmspace != NULL)
		pb_printf(pb, "VmSize:\t%8lu kB\n",
		    procfs_vsize_locked(p->p_vmspace) / 1024);
	pb_printf(pb,
	    "Threads:\t%d\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
	    "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
	    p->p_nlive, pnd, shd, blk, ign, cgt);
	procfs_cpus_allowed_locked(pb, proc_main_lwp(p));
}

/* /proc/PID/maps: one line per mapping.  proc_lock held. */
static void
procfs_pid_maps_locked(struct procfs_buf *pb, struct vmspace *vm)
{
	struct vm_map_entry *e;

	if (vm == NULL)
		return;
	spin_lock(&vm->vm_lock);
	for (e = vm_map_min_entry(&vm->vm_map); e != NULL;
	     e = vm_map_next(&vm->vm_map, e)) {
		const char *name = vdso_object_name(e->e_object);
		size_t start = pb->pb_len;

		if (e->e_flags & VM_ENTRY_HEAP)
			name = "[heap]";
		else if (e->e_flags & VM_ENTRY_STACK)
			name = "[stack]";

		pb_printf(pb, "%08lx-%08lx %c%c%c%c %08lx 00:00 0 ", e->e_start,
		    e->e_end, e->e_prot & VM_PROT_READ ? 'r' : '-',
		    e->e_prot & VM_PROT_WRITE ? 'w' : '-',
		    e->e_prot & VM_PROT_EXECUTE ? 'x' : '-',
		    e->e_flags & VM_ENTRY_SHARED ? 's' : 'p',
		    e->e_object != NULL ? e->e_offset : 0);
		if (name != NULL) {
			/* Linux pads to column 73, then a space: seq_pad. */
			while (
			    pb->pb_len - start < 72 && pb->pb_len < pb->pb_size)
				pb_printf(pb, " ");
			pb_printf(pb, " %s", name);
		}
		pb_printf(pb, "\n");
	}
	spin_unlock(&vm->vm_lock);
}

/* /proc/meminfo.  vfs_lock held (the tmpfs mounts' pages). */
static void
procfs_meminfo(struct procfs_buf *pb)
{
	uint64_t total = vm_page_total_count(), free = vm_page_free_count();
	uint64_t shmem = 0;
	struct kstat ks;
	struct mount *mp;

	for (mp = mountlist; mp != NULL; mp = mp->mnt_next)
		if (mp->mnt_op == &tmpfs_vfsops)
			shmem += tmpfs_pages(mp, NULL, NULL);
	kstat_fill(&ks);
#define KB(pages) ((pages) * (PAGE_SIZE / 1024))
	pb_printf(pb,
	    "MemTotal:       %8lu kB\n"
	    "MemFree:        %8lu kB\n"
	    "MemAvailable:   %8lu kB\n"
	    "Buffers:        %8lu kB\n"
	    "Cached:         %8lu kB\n"
	    "SwapCached:     %8lu kB\n"
	    "SwapTotal:      %8lu kB\n"
	    "SwapFree:       %8lu kB\n"
	    "Shmem:          %8lu kB\n"
	    "KReclaimable:   %8lu kB\n"
	    "Slab:           %8lu kB\n"
	    "SReclaimable:   %8lu kB\n"
	    "SUnreclaim:     %8lu kB\n",
	    KB(total), KB(free), KB(free), 0UL, KB(shmem), 0UL, 0UL, 0UL,
	    KB(shmem), 0UL, ks.ks_kheap_used / 1024, 0UL,
	    ks.ks_kheap_used / 1024);
#undef KB
}

/* LWPs running or runnable.  proc_lock held. */
static uint64_t
procfs_running_locked(void)
{
	uint64_t running = 0;
	struct proc *p;
	struct lwp *l;

	KASSERT(spin_held(&proc_lock));
	PROC_FOREACH(p)
	{
		LIST_FOREACH(l, &p->p_lwps, l_sibling)
		{
			int st = __atomic_load_n(&l->l_stat, __ATOMIC_RELAXED);

			running += st == LSRUN || st == LSONPROC;
		}
	}
	return running;
}

/* /proc/stat: CPU times in USER_HZ ticks, and the process counts. */
static void
procfs_stat(struct procfs_buf *pb)
{
	const uint64_t tick = 1000000000 / USER_HZ;
	uint64_t running, uptime = nanouptime();

	for (int cpu = -1; cpu < MAXCPUS; cpu++) {
		uint64_t u = cpu_time(cpu, CPUTIME_USER) / tick;
		uint64_t s = cpu_time(cpu, CPUTIME_SYS) / tick;
		uint64_t i = cpu_time(cpu, CPUTIME_IDLE) / tick;

		if (cpu >= 0 && u + s + i == 0)
			continue; /* not running */
		if (cpu < 0)
			pb_printf(pb, "cpu  ");
		else
			pb_printf(pb, "cpu%d ", cpu);
		pb_printf(pb, "%lu 0 %lu %lu 0 0 0 0 0 0\n", u, s, i);
	}
	spin_lock(&proc_lock);
	running = procfs_running_locked();
	spin_unlock(&proc_lock);
	pb_printf(pb, "btime %lu\nprocs_running %lu\nprocs_blocked 0\n",
	    (clock_realtime_ns() - uptime) / 1000000000, running);
}

/*
 * /proc/cpuinfo: Linux's first lines for each CPU online (what CPUID
 * tells the boot CPU; they are alike under QEMU).
 */
static void
procfs_cpuinfo(struct procfs_buf *pb)
{
	const struct cpu_features *cf = &cpu_features;
	unsigned n = __atomic_load_n(&mp_ncpus, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		pb_printf(pb,
		    "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
		    "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		    "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
		    "cpu cores\t: %u\napicid\t\t: %u\nfpu\t\t: yes\n"
		    "flags\t\t: fpu%s%s%s%s%s%s%s%s\n\n",
		    i, cf->cf_vendor, cf->cf_family, cf->cf_model, cf->cf_brand,
		    cf->cf_stepping, n, i, n, cpu_info_at(i)->ci_lapic_id,
		    cf->cf_pge ? " pge" : "", cf->cf_nx ? " nx" : "",
		    cf->cf_pdpe1gb ? " pdpe1gb" : "",
		    cf->cf_invariant_tsc ? " constant_tsc nonstop_tsc" : "",
		    cf->cf_fsgsbase ? " fsgsbase" : "",
		    cf->cf_smep ? " smep" : "", cf->cf_smap ? " smap" : "",
		    cf->cf_umip ? " umip" : "");
	}
}

/* A random (version 4) UUID, as Linux's, into pb.  No requirements. */
static void
procfs_uuid(struct procfs_buf *pb, const uint8_t u[16])
{
	pb_printf(pb, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-", u[0],
	    u[1], u[2], u[3], u[4], u[5], (u[6] & 0x0f) | 0x40, u[7],
	    (u[8] & 0x3f) | 0x80, u[9]);
	pb_printf(pb, "%02x%02x%02x%02x%02x%02x\n", u[10], u[11], u[12], u[13],
	    u[14], u[15]);
}

/* This boot's boot_id, made at its first read.  (boot_id_lock) */
static struct spinlock boot_id_lock = SPINLOCK_INITIALIZER("boot_id");
static uint8_t boot_id[16];
static bool boot_id_made;

/* The content of a file of /proc/sys into pb.  0.  No spinlock held. */
static int
procfs_sys_generate(enum procfs_kind kind, struct procfs_buf *pb)
{
	struct new_utsname u;
	uint8_t id[16];
	int levels[4];

	switch (kind) {
	case PN_SYS_OSTYPE:
	case PN_SYS_OSRELEASE:
	case PN_SYS_VERSION:
	case PN_SYS_HOSTNAME:
	case PN_SYS_DOMAINNAME:
		uts_get(&u);
		pb_printf(pb, "%s\n",
		    kind == PN_SYS_OSTYPE        ? u.sysname :
			kind == PN_SYS_OSRELEASE ? u.release :
			kind == PN_SYS_VERSION   ? u.version :
			kind == PN_SYS_HOSTNAME  ? u.nodename :
						   u.domainname);
		break;
	case PN_SYS_PID_MAX:
		pb_printf(pb, "%d\n", PID_MAX + 1); /* pids stay below it */
		break;
	case PN_SYS_PRINTK:
		klog_levels(levels);
		pb_printf(pb, "%d\t%d\t%d\t%d\n", levels[0], levels[1],
		    levels[2], levels[3]);
		break;
	case PN_SYS_DMESG_RESTRICT:
		pb_printf(pb, "1\n"); /* syslog(2) is root's only */
		break;
	case PN_SYS_NR_OPEN:
		pb_printf(pb, "%d\n", NR_OPEN);
		break;
	case PN_SYS_BOOT_ID:
		random_bytes(id, sizeof(id)); /* used if none is made yet */
		spin_lock(&boot_id_lock);
		if (!boot_id_made) {
			memcpy(boot_id, id, sizeof(id));
			boot_id_made = true;
		}
		memcpy(id, boot_id, sizeof(id));
		spin_unlock(&boot_id_lock);
		procfs_uuid(pb, id);
		break;
	case PN_SYS_UUID:
		random_bytes(id, sizeof(id));
		procfs_uuid(pb, id);
		break;
	default:
		break;
	}
	return 0;
}

/* The content of regular file node pn into pb.  0 or -ESRCH. */
static int
procfs_generate(struct procfs_node *pn, struct procfs_buf *pb)
{
	uint64_t up, idle;
	struct proc *p;
	int error = 0;

	switch (pn->pn_kind) {
	case PN_MEMINFO:
		procfs_meminfo(pb);
		return 0;
	case PN_STAT:
		procfs_stat(pb);
		return 0;
	case PN_UPTIME:
		up = nanouptime() / 10000000;
		idle = cpu_time(-1, CPUTIME_IDLE) / 10000000;
		pb_printf(pb, "%lu.%02lu %lu.%02lu\n", up / 100, up % 100,
		    idle / 100, idle % 100);
		return 0;
	case PN_LOADAVG:
		/* No load average is kept (as sysinfo's loads). */
		spin_lock(&proc_lock);
		pb_printf(pb, "0.00 0.00 0.00 %lu/%lu %d\n",
		    procfs_running_locked(), lwp_count(),
		    LIST_FIRST(&allproc) != NULL ? LIST_FIRST(&allproc)->p_pid :
						   0);
		spin_unlock(&proc_lock);
		return 0;
	case PN_MOUNTS:
	case PN_PID_MOUNTS:
		error = vfs_mounts_text_locked(pb->pb_buf, pb->pb_size);
		if (error >= 0)
			pb->pb_len = error;
		return error < 0 ? error : 0;
	case PN_CPUINFO:
		procfs_cpuinfo(pb);
		return 0;
	case PN_VERSION:
		pb_printf(pb, "vmkern version 0.3 (processes and LWPs)\n");
		return 0;
	case PN_FILESYSTEMS:
		pb_printf(pb, "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
		return 0;
	default:
		if (pn->pn_kind >= PN_SYS)
			return procfs_sys_generate(pn->pn_kind, pb);
		break;
	}
	spin_lock(&proc_lock);
	p = proc_find(pn->pn_pid);
	if (p == NULL) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	switch (pn->pn_kind) {
	case PN_PID_STAT:
		procfs_pid_stat_locked(pb, p);
		break;
	case PN_PID_STATUS:
		procfs_pid_status_locked(pb, p);
		break;
	case PN_PID_CMDLINE:
		if (p->p_args != NULL) {
			size_t n = MIN(p->p_argslen, pb->pb_size);

			memcpy(pb->pb_buf, p->p_args, n);
			pb->pb_len = n;
		}
		break;
	case PN_PID_COMM:
		pb_printf(pb, "%s\n", p->p_comm);
		break;
	case PN_PID_LOGINUID:
		pb_printf(pb, "%u", p->p_loginuid);
		break;
	case PN_PID_SESSIONID:
		pb_printf(pb, "%u", p->p_sessionid);
		break;
	case PN_PID_MAPS:
		procfs_pid_maps_locked(pb, p->p_vmspace);
		break;
	default:
		error = -EINVAL;
		break;
	}
	spin_unlock(&proc_lock);
	return error;
}

static ssize_t
procfs_read(struct vnode *vp, void *buf, size_t n, off_t off, bool user)
{
	struct procfs_buf pb = { NULL, 0, PROCFS_BUFSIZE };
	ssize_t rv;

	if (vp->v_type != VREG)
		return -EISDIR;
	if (off < 0)
		return -EINVAL;
	pb.pb_buf = kmalloc(PROCFS_BUFSIZE, 0);
	if (pb.pb_buf == NULL)
		return -ENOMEM;
	rv = procfs_generate(VTOPN(vp), &pb);
	if (rv == 0) {
		rv = off >= (off_t)pb.pb_len ? 0 :
					       (ssize_t)MIN(n, pb.pb_len - off);
		if (rv > 0 && user && copyout(pb.pb_buf + off, buf, rv) != 0)
			rv = -EFAULT;
		else if (rv > 0 && !user)
			memcpy(buf, pb.pb_buf + off, rv);
	}
	kfree(pb.pb_buf);
	return rv;
}

/* vop_generate: the file's content now.  vfs_lock held. */
static int
procfs_generate_vn(struct vnode *vp, char **bufp, size_t *lenp)
{
	struct procfs_buf pb = { NULL, 0, PROCFS_BUFSIZE };
	int error;

	if (vp->v_type != VREG)
		return -EISDIR;
	pb.pb_buf = kmalloc(PROCFS_BUFSIZE, 0);
	if (pb.pb_buf == NULL)
		return -ENOMEM;
	error = procfs_generate(VTOPN(vp), &pb);
	/* Kept while the file is open: only what it holds. */
	*bufp = error == 0 ? kmalloc(MAX(pb.pb_len, 1), 0) : NULL;
	if (error == 0 && *bufp == NULL)
		error = -ENOMEM;
	if (error == 0) {
		memcpy(*bufp, pb.pb_buf, pb.pb_len);
		*lenp = pb.pb_len;
	}
	kfree(pb.pb_buf);
	return error;
}

/* The last session id given out (/proc/PID/sessionid).  (P) */
static unsigned procfs_sessions;

/*
 * A write to /proc/PID/loginuid, as Linux's with audit: by the process
 * itself only (EPERM), whole from offset 0 (EINVAL), a decimal uid
 * (EINVAL; ERANGE above 32 bits), which needs root once one is set
 * (EPERM: CAP_AUDIT_CONTROL).
 * A set uid starts a new session; AUDIT_UNSET clears both.  No locks
 * held.
 */
static ssize_t
procfs_write_loginuid(struct procfs_node *pn, const void *buf, size_t n,
    off_t off, bool user)
{
	char text[16];
	size_t len = MIN(n, sizeof(text) - 1);
	struct proc *p = curproc;
	uint64_t uid = 0;
	size_t i;

	if (pn->pn_pid != p->p_pid)
		return -EPERM;
	if (off != 0)
		return -EINVAL;
	if (user ? copyin(buf, text, len) != 0 : (memcpy(text, buf, len), 0))
		return -EFAULT;
	for (i = 0; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		uid = uid * 10 + (uint64_t)(text[i] - '0');
		if (uid > AUDIT_UNSET)
			return -ERANGE;
	}
	/* kstrtouint: digits, then at most a newline. */
	if (i == 0 || n > len || (i < len && (text[i] != '\n' || i + 1 < len)))
		return -EINVAL;
	spin_lock(&proc_lock);
	if (p->p_loginuid != AUDIT_UNSET && p->p_cred.cr_euid != 0) {
		spin_unlock(&proc_lock);
		return -EPERM;
	}
	p->p_loginuid = (uid_t)uid;
	if (uid == AUDIT_UNSET)
		p->p_sessionid = AUDIT_UNSET;
	else if ((p->p_sessionid = ++procfs_sessions) == AUDIT_UNSET)
		p->p_sessionid = procfs_sessions = 1;
	spin_unlock(&proc_lock);
	return (ssize_t)n;
}

/*
 * A write to a writable file of /proc/sys, as Linux's: the host or
 * domain name up to the first newline (the rest of the 64 bytes
 * dropped), or printk's first number (the console log level).  Root
 * only (EPERM).  No locks held.
 */
static ssize_t
procfs_write_sys(enum procfs_kind kind, const void *buf, size_t n, bool user)
{
	char text[UTS_NAME_MAX + 1];
	size_t len = MIN(n, sizeof(text) - 1), end;
	int level = 0, error;

	if (curproc->p_cred.cr_euid != 0)
		return -EPERM;
	if (user ? copyin(buf, text, len) != 0 : (memcpy(text, buf, len), 0))
		return -EFAULT;
	for (end = 0; end < len && text[end] != '\n' && text[end] != 0; end++)
		;
	if (kind == PN_SYS_PRINTK) {
		size_t i = 0;

		while (i < end && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i == end || text[i] < '0' || text[i] > '9')
			return -EINVAL;
		for (; i < end && text[i] >= '0' && text[i] <= '9'; i++)
			level = MIN(level * 10 + (text[i] - '0'), 1000);
		klog_set_console_level(level);
		return (ssize_t)n;
	}
	error =
	    uts_set(kind == PN_SYS_DOMAINNAME, text, MIN(end, UTS_NAME_MAX));
	return error != 0 ? error : (ssize_t)n;
}

static ssize_t
procfs_write(struct vnode *vp, const void *buf, size_t n, off_t off, bool user)
{
	enum procfs_kind kind = VTOPN(vp)->pn_kind;

	if (kind == PN_PID_LOGINUID)
		return procfs_write_loginuid(VTOPN(vp), buf, n, off, user);
	if (procfs_sys_writable(kind))
		return off == 0 ? procfs_write_sys(kind, buf, n, user) :
				  (ssize_t)n;
	return -EINVAL;
}

static void
procfs_getattr(struct vnode *vp, struct stat *st)
{
	struct procfs_node *pn = VTOPN(vp);
	int64_t now = (int64_t)clock_realtime_ns();

	st->st_ino = procfs_ino(pn->pn_kind, pn->pn_pid, pn->pn_fd);
	switch (vp->v_type) {
	case VDIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case VLNK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		break;
	default:
		st->st_mode = S_IFREG |
		    (pn->pn_kind == PN_PID_LOGINUID ||
				procfs_sys_writable(pn->pn_kind) ?
			    0644 :
			    0444);
		st->st_nlink = 1;
		break;
	}
	st->st_blksize = PAGE_SIZE;
	st->st_atime = st->st_mtime = st->st_ctime = now / 1000000000;
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec =
	    now % 1000000000;
}

/* Only a writable file may be truncated, which changes nothing. */
static int
procfs_truncate(struct vnode *vp, off_t size)
{
	(void)size;
	if (vp->v_type == VDIR)
		return -EISDIR;
	return VTOPN(vp)->pn_kind == PN_PID_LOGINUID ||
		procfs_sys_writable(VTOPN(vp)->pn_kind) ?
	    0 :
	    -EACCES;
}

static int
procfs_chmod(struct vnode *vp, unsigned mode)
{
	(void)vp, (void)mode;
	return -EPERM;
}

static int
procfs_utimes(struct vnode *vp, const int64_t *atime, const int64_t *mtime)
{
	(void)vp, (void)atime, (void)mtime;
	return -EPERM;
}

/*
 * The pid of the first process at or after pid, or -1.  No spinlock
 * held.
 */
static pid_t
procfs_next_pid(pid_t pid)
{
	struct proc *p;
	pid_t best = -1;

	spin_lock(&proc_lock);
	PROC_FOREACH(p)
	if (p->p_pid >= pid && (best < 0 || p->p_pid < best))
		best = p->p_pid;
	spin_unlock(&proc_lock);
	return best;
}

/* The first open fd at or after fd in process pid's table, or -1. */
static int
procfs_next_fd(pid_t pid, int fd)
{
	struct filedesc *fdp;
	struct proc *p;
	int found = -1;

	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (p != NULL && (fdp = p->p_fd) != NULL) {
		spin_lock(&fdp->fd_lock);
		for (; fd < fdp->fd_lastfile; fd++) {
			if (fdp->fd_ofiles[fd] != NULL) {
				found = fd;
				break;
			}
		}
		spin_unlock(&fdp->fd_lock);
	}
	spin_unlock(&proc_lock);
	return found;
}

static int
procfs_readdir(struct vnode *dvp, off_t *cookiep, char *name, uint64_t *ino,
    uint8_t *dtype)
{
	struct procfs_node *pn = VTOPN(dvp);
	off_t c = *cookiep;

	if (c < 2) {
		struct procfs_node *dpn = VTOPN(c == 0 ? dvp : dvp->v_parent);

		strlcpy(name, c == 0 ? "." : "..", 3);
		*ino = procfs_ino(dpn->pn_kind, dpn->pn_pid, dpn->pn_fd);
		*dtype = DT_DIR;
		*cookiep = c + 1;
		return 1;
	}
	if (pn->pn_kind == PN_ROOT && (size_t)c < PROCFS_PID_COOKIE) {
		const struct procfs_entry *pe = &procfs_root_entries[c - 2];

		strlcpy(name, pe->pe_name, NAME_MAX + 1);
		*ino = procfs_ino(pe->pe_kind, 0, 0);
		*dtype = procfs_dtype(pe->pe_kind);
		*cookiep = c + 1;
		return 1;
	}
	if (pn->pn_kind == PN_ROOT) {
		pid_t pid = procfs_next_pid(c - PROCFS_PID_COOKIE);

		if (pid < 0)
			return 0;
		ksnprintf(name, NAME_MAX + 1, "%d", pid);
		*ino = procfs_ino(PN_PID, pid, 0);
		*dtype = DT_DIR;
		*cookiep = PROCFS_PID_COOKIE + pid + 1;
		return 1;
	}
	if (pn->pn_kind == PN_PID) {
		const struct procfs_entry *pe;

		if ((size_t)c - 2 >= NPID)
			return 0;
		pe = &procfs_pid_entries[c - 2];
		strlcpy(name, pe->pe_name, NAME_MAX + 1);
		*ino = procfs_ino(pe->pe_kind, pn->pn_pid, 0);
		*dtype = procfs_dtype(pe->pe_kind);
		*cookiep = c + 1;
		return 1;
	}
	if (procfs_sys_dir(pn->pn_kind)) {
		const struct procfs_sysent *ps =
		    procfs_sys_nth(pn->pn_kind, (size_t)c - 2);

		if (ps == NULL)
			return 0;
		strlcpy(name, ps->ps_name, NAME_MAX + 1);
		*ino = procfs_ino(ps->ps_kind, 0, 0);
		*dtype = procfs_dtype(ps->ps_kind);
		*cookiep = c + 1;
		return 1;
	}
	if (pn->pn_kind == PN_PID_FD) {
		int fd = procfs_next_fd(pn->pn_pid, c - 2);

		if (fd < 0)
			return 0;
		ksnprintf(name, NAME_MAX + 1, "%d", fd);
		*ino = procfs_ino(PN_FD, pn->pn_pid, fd);
		*dtype = DT_LNK;
		*cookiep = fd + 3;
		return 1;
	}
	return 0;
}

/*
 * The target of /proc/PID/fd/N into buf (PATH_MAX bytes): its length or
 * -ENOENT.  vfs_lock held, no spinlock.
 */
static int
procfs_fd_target(struct procfs_node *pn, char *buf)
{
	struct filedesc *fdp;
	struct file *fp = NULL;
	struct vnode *vp = NULL;
	struct proc *p;
	struct stat st;
	int n;

	spin_lock(&proc_lock);
	p = proc_find(pn->pn_pid);
	if (p != NULL && (fdp = p->p_fd) != NULL) {
		spin_lock(&fdp->fd_lock);
		if (pn->pn_fd < fdp->fd_lastfile)
			fp = fdp->fd_ofiles[pn->pn_fd];
		if (fp != NULL && (vp = file_vnode(fp)) != NULL)
			vnode_ref(vp); /* vfs_lock held */
		else if (fp != NULL && fp->f_type == DTYPE_PIPE)
			file_hold(fp); /* its last close takes no vfs_lock */
		spin_unlock(&fdp->fd_lock);
	}
	spin_unlock(&proc_lock);
	if (fp == NULL)
		return -ENOENT;
	if (vp != NULL) {
		n = vfs_vnode_path_locked(vp, buf, PATH_MAX);
		vnode_rel_locked(vp);
		return n;
	}
	switch (fp->f_type) {
	case DTYPE_PIPE:
		memset(&st, 0, sizeof(st));
		fp->f_ops->fo_stat(fp, &st);
		file_rele(fp);
		return ksnprintf(buf, PATH_MAX, "pipe:[%lu]", st.st_ino);
	case DTYPE_CONSOLE:
		return ksnprintf(buf, PATH_MAX, "/dev/console");
	case DTYPE_MEMFD:
		return ksnprintf(buf, PATH_MAX, "/memfd: (deleted)");
	case DTYPE_EVENTFD:
		return ksnprintf(buf, PATH_MAX, "anon_inode:[eventfd]");
	case DTYPE_EPOLL:
		return ksnprintf(buf, PATH_MAX, "anon_inode:[eventpoll]");
	case DTYPE_SIGNALFD:
		return ksnprintf(buf, PATH_MAX, "anon_inode:[signalfd]");
	case DTYPE_TIMERFD:
		return ksnprintf(buf, PATH_MAX, "anon_inode:[timerfd]");
	default:
		return ksnprintf(buf, PATH_MAX, "anon_inode:[%d]", fp->f_type);
	}
}

static ssize_t
procfs_readlink(struct vnode *vp, char *out, size_t n)
{
	struct procfs_node *pn = VTOPN(vp);
	char *buf = kmalloc(PATH_MAX, 0);
	struct vnode *target = NULL;
	struct proc *p;
	int len;

	if (buf == NULL)
		return -ENOMEM;
	switch (pn->pn_kind) {
	case PN_SELF:
		len = ksnprintf(buf, PATH_MAX, "%d", curproc->p_pid);
		break;
	case PN_FD:
		len = procfs_fd_target(pn, buf);
		break;
	default:
		/* exe, cwd, root: vfs_lock held keeps the vnode. */
		spin_lock(&proc_lock);
		p = proc_find(pn->pn_pid);
		if (p != NULL && p->p_stat != SDEAD) {
			target = pn->pn_kind == PN_PID_EXE ? p->p_textvp :
			    pn->pn_kind == PN_PID_CWD      ? p->p_cwd :
							     p->p_root;
			if (target == NULL && pn->pn_kind != PN_PID_EXE)
				target = rootvnode;
			if (target != NULL)
				vnode_ref(target);
		}
		spin_unlock(&proc_lock);
		if (target == NULL) {
			len = -ENOENT;
			break;
		}
		len = vfs_vnode_path_locked(target, buf, PATH_MAX);
		vnode_rel_locked(target);
		break;
	}
	if (len >= 0) {
		len = MIN((size_t)len, n);
		memcpy(out, buf, len);
	}
	kfree(buf);
	return len;
}

static void
procfs_inactive(struct vnode *vp)
{
	struct procfs_node *pn = VTOPN(vp);

	if (pn->pn_kind == PN_ROOT)
		return; /* the mount's, freed by procfs_unmount */
	vnode_rel_locked(vp->v_parent);
	kfree(pn);
}

static const struct vnodeops procfs_vnodeops = {
	.vop_lookup = procfs_lookup,
	.vop_create = procfs_create,
	.vop_mkdir = procfs_create,
	.vop_symlink = procfs_symlink,
	.vop_read = procfs_read,
	.vop_generate = procfs_generate_vn,
	.vop_write = procfs_write,
	.vop_getattr = procfs_getattr,
	.vop_truncate = procfs_truncate,
	.vop_chmod = procfs_chmod,
	.vop_utimes = procfs_utimes,
	.vop_readdir = procfs_readdir,
	.vop_link = procfs_link,
	.vop_unlink = procfs_remove,
	.vop_rmdir = procfs_remove,
	.vop_rename = procfs_rename,
	.vop_readlink = procfs_readlink,
	.vop_inactive = procfs_inactive,
};

struct vnode *
procfs_mount_new(struct mount *mp)
{
	struct vnode *vp = procfs_node_new(NULL, PN_ROOT, 0, 0);

	KASSERT(mutex_held(&vfs_lock));
	if (vp == NULL)
		return NULL;
	vp->v_parent = vp;
	vnode_set_mount(vp, mp);
	return vp;
}

static void
procfs_statfs(struct mount *mp, struct statfs *sf)
{
	(void)mp, (void)sf; /* no blocks, no file counts, as Linux's */
}

static void
procfs_unmount(struct mount *mp)
{
	KASSERT(mutex_held(&vfs_lock));
	KASSERT(mp->mnt_root->v_usecount == 1);
	kfree(VTOPN(mp->mnt_root));
}

const struct vfsops procfs_vfsops = {
	.vfs_name = "proc",
	.vfs_magic = PROC_SUPER_MAGIC,
	.vfs_statfs = procfs_statfs,
	.vfs_unmount = procfs_unmount,
};
