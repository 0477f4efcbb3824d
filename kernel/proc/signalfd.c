/*
 * signalfd and signalfd4: a file through which the signals of a set are
 * read instead of delivered, with Linux's ABI (fs/signalfd.c).  A read
 * takes the signals of the set pending for the calling LWP (its own,
 * then its process's, as rt_sigtimedwait does: sig_dequeue), one struct
 * signalfd_siginfo each, waiting for the first; poll says readable while
 * one is pending for the polling LWP.  The signals are usually blocked,
 * so that they wait for the read; one that is not may be delivered
 * first.  The file is inherited and passed like any other, and reads
 * whoever reads it.
 *
 * Locking: sf_mask is written and read atomically (signalfd4 on an
 * existing file changes it); signals are taken under proc_lock.  Readers
 * wait as rt_sigtimedwait does, on l_sigwait, which posting a signal in
 * it wakes; posting also calls poll_wakeup (kern_sig.c).
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/signalfd.h>

CTASSERT(sizeof(struct signalfd_siginfo) == 128);

struct signalfd {
	uint64_t sf_mask; /* (a) the signals read here (bit sig - 1) */
};

/*
 * Linux's siginfo_layout: which union member of *info holds the
 * signal's details, from its number and code.
 */
enum sfd_layout {
	SIL_KILL,
	SIL_TIMER,
	SIL_POLL,
	SIL_FAULT,
	SIL_CHLD,
	SIL_RT,
	SIL_SYS
};

static enum sfd_layout
sfd_layout(int sig, int code)
{
	/* The kernel's codes of the signals that have their own. */
	static const struct {
		int limit;
		enum sfd_layout layout;
	} codes[] = {
		[SIGILL] = { NSIGILL, SIL_FAULT },
		[SIGFPE] = { NSIGFPE, SIL_FAULT },
		[SIGSEGV] = { NSIGSEGV, SIL_FAULT },
		[SIGBUS] = { NSIGBUS, SIL_FAULT },
		[SIGTRAP] = { NSIGTRAP, SIL_FAULT },
		[SIGCHLD] = { NSIGCHLD, SIL_CHLD },
		[SIGPOLL] = { NSIGPOLL, SIL_POLL },
		[SIGSYS] = { NSIGSYS, SIL_SYS },
	};

	if (code > SI_USER && code < SI_KERNEL) {
		if (sig < (int)(sizeof(codes) / sizeof(codes[0])) &&
		    code <= codes[sig].limit)
			return codes[sig].layout;
		return code <= NSIGPOLL ? SIL_POLL : SIL_KILL;
	}
	if (code == SI_TIMER)
		return SIL_TIMER;
	if (code == SI_SIGIO)
		return SIL_POLL;
	return code < 0 ? SIL_RT : SIL_KILL;
}

/* *info as Linux's signalfd_copyinfo writes it to *ssi. */
static void
sfd_info(const siginfo_t *info, struct signalfd_siginfo *ssi)
{
	memset(ssi, 0, sizeof(*ssi));
	ssi->ssi_signo = (uint32_t)info->si_signo;
	ssi->ssi_errno = info->si_errno;
	ssi->ssi_code = info->si_code;
	switch (sfd_layout(info->si_signo, info->si_code)) {
	case SIL_KILL:
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = (uint32_t)info->si_uid;
		break;
	case SIL_TIMER:
		ssi->ssi_tid = (uint32_t)info->si_tid;
		ssi->ssi_overrun = (uint32_t)info->si_overrun;
		ssi->ssi_ptr = (uint64_t)info->si_ptr;
		ssi->ssi_int = info->si_int;
		break;
	case SIL_POLL:
		ssi->ssi_band = (uint32_t)info->si_band;
		ssi->ssi_fd = info->si_fd;
		break;
	case SIL_FAULT:
		ssi->ssi_addr = (uint64_t)info->si_addr;
		break;
	case SIL_CHLD:
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = (uint32_t)info->si_uid;
		ssi->ssi_status = info->si_status;
		ssi->ssi_utime = (uint64_t)info->si_utime;
		ssi->ssi_stime = (uint64_t)info->si_stime;
		break;
	case SIL_RT:
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = (uint32_t)info->si_uid;
		ssi->ssi_ptr = (uint64_t)info->si_ptr;
		ssi->ssi_int = info->si_int;
		break;
	case SIL_SYS:
		ssi->ssi_call_addr = (uint64_t)info->si_call_addr;
		ssi->ssi_syscall = info->si_syscall;
		ssi->ssi_arch = info->si_arch;
		break;
	}
}

/*
 * Take one signal of mask pending for curlwp into *info, waiting
 * (interruptibly) unless nowait.  Returns the signal, -EAGAIN (nowait,
 * none) or -ERESTARTSYS (a signal outside mask came).  No locks held.
 */
static int
sfd_dequeue(uint64_t mask, siginfo_t *info, bool nowait)
{
	struct lwp *l = curlwp;
	struct ksiginfo *ksi = NULL;
	bool interrupted = false;
	int sig;

	spin_lock(&proc_lock);
	for (;;) {
		/* First: a signal of mask that interrupted the sleep is ours. */
		if ((sig = sig_dequeue(l, mask, info, &ksi)) != 0)
			break;
		if (nowait || interrupted) {
			sig = nowait ? -EAGAIN : -ERESTARTSYS;
			break;
		}
		l->l_sigwait = mask;
		interrupted =
		    sleep(&l->l_sigwait, &proc_lock, SLEEP_INTR, 0) != 0;
		l->l_sigwait = 0;
	}
	spin_unlock(&proc_lock);
	ksi_free(ksi);
	return sig;
}

/*
 * fo_read: as many signals as whole struct signalfd_siginfo fit in n,
 * waiting only for the first.  Returns the bytes, or -EINVAL (n below
 * one), -EAGAIN, -ERESTARTSYS or -EFAULT if none was read.  No locks
 * held.
 */
static ssize_t
signalfd_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct signalfd *sf = fp->f_data;
	uint64_t mask = __atomic_load_n(&sf->sf_mask, __ATOMIC_RELAXED);
	struct signalfd_siginfo ssi;
	size_t count = n / sizeof(ssi), done = 0;
	siginfo_t info;
	int sig = 0;

	if (count == 0)
		return -EINVAL;
	nowait = nowait || (file_status_flags(fp) & FNONBLOCK) != 0;
	while (done < count) {
		if ((sig = sfd_dequeue(mask, &info, nowait)) < 0)
			break;
		sfd_info(&info, &ssi);
		/* As Linux's: a signal taken but not stored is lost. */
		if (copyout(&ssi, (uint8_t *)ubuf + done * sizeof(ssi),
			sizeof(ssi)) != 0) {
			sig = -EFAULT;
			break;
		}
		done++;
		nowait = true;
	}
	return done > 0 ? (ssize_t)(done * sizeof(ssi)) : sig;
}

/* fo_write: Linux's signalfd has none. */
static ssize_t
signalfd_write(struct file *fp, const void *ubuf, size_t n)
{
	(void)fp, (void)ubuf, (void)n;
	return -EINVAL;
}

/* fo_poll: readable while a signal of the set is pending for curlwp. */
static short
signalfd_poll(struct file *fp, short events)
{
	struct signalfd *sf = fp->f_data;
	uint64_t mask = __atomic_load_n(&sf->sf_mask, __ATOMIC_RELAXED);
	struct lwp *l = curlwp;
	uint64_t pend;

	spin_lock(&proc_lock);
	pend = l->l_sigpend.sp_set | l->l_proc->p_sigpend.sp_set;
	spin_unlock(&proc_lock);
	return (pend & mask) != 0 ? events & (POLLIN | POLLRDNORM) : 0;
}

static void
signalfd_close(struct file *fp)
{
	kfree(fp->f_data);
}

static const struct fileops signalfd_ops = {
	.fo_read = signalfd_read,
	.fo_write = signalfd_write,
	.fo_stat = file_anon_stat,
	.fo_close = signalfd_close,
	.fo_poll = signalfd_poll,
};

long
sys_signalfd4(int ufd, const void *umask, size_t sizemask, int flags)
{
	struct signalfd *sf;
	struct file *fp;
	uint64_t mask;

	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copyin(umask, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_CANTMASK;
	if (ufd != -1) {
		if ((fp = fd_getfile(ufd)) == NULL)
			return -EBADF;
		if (fp->f_ops != &signalfd_ops) {
			file_rele(fp);
			return -EINVAL;
		}
		sf = fp->f_data;
		__atomic_store_n(&sf->sf_mask, mask, __ATOMIC_RELAXED);
		file_rele(fp);
		poll_wakeup(); /* pollers look at the new set */
		return ufd;
	}
	if ((sf = kmalloc(sizeof(*sf), 0)) == NULL)
		return -ENOMEM;
	sf->sf_mask = mask;
	return file_anon_open(DTYPE_SIGNALFD, &signalfd_ops, sf,
	    (flags & O_NONBLOCK) != 0, (flags & O_CLOEXEC) != 0);
}

long
sys_signalfd(int ufd, const void *umask, size_t sizemask)
{
	return sys_signalfd4(ufd, umask, sizemask, 0);
}
