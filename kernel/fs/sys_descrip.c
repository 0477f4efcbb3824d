/*
 * Syscalls on fds themselves rather than on what they refer to: fcntl,
 * dup3 and close_range.  They run on the calling LWP with no locks held
 * and return what Linux's do, or -errno; the fd table's and the file's
 * own locking is file.h's.
 */
#include <systm.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <proc/proc.h>
#include <proc/resource.h>

/* Linux's fcntl commands and flags, and close_range's flags (uapi). */
#include <linux/close_range.h>
#include <linux/fcntl.h>

/* The status flags F_SETFL may change; Linux ignores the others. */
#define SETFL_CHANGEABLE (O_APPEND | O_NONBLOCK)

/* F_GETFL: the access mode and the status flags, as open's flags. */
static long
fcntl_getfl(struct file *fp)
{
	int st = file_status_flags(fp);
	long fl;

	if (fp->f_flag & FPATH)
		return O_PATH;
	if ((fp->f_flag & (FREAD | FWRITE)) == (FREAD | FWRITE))
		fl = O_RDWR;
	else if (fp->f_flag & FWRITE)
		fl = O_WRONLY;
	else
		fl = O_RDONLY;
	if (st & FNONBLOCK)
		fl |= O_NONBLOCK;
	if (st & FAPPEND)
		fl |= O_APPEND;
	return fl;
}

/* F_SETFL: O_APPEND and O_NONBLOCK from arg; the rest is ignored. */
static long
fcntl_setfl(struct file *fp, unsigned long arg)
{
	int st = 0;

	if (arg & O_NONBLOCK)
		st |= FNONBLOCK;
	if (arg & O_APPEND)
		st |= FAPPEND;
	file_set_status_flags(fp, st);
	return 0;
}

/*
 * fcntl(fd, cmd, arg): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
 * F_GETFL, F_SETFL.  Record locks (F_GETLK, F_SETLK, F_SETLKW and the
 * OFD forms) are ENOLCK: no lock can be had.  Any other command is
 * EINVAL, as Linux's unknown ones.  An O_PATH file takes only the fd
 * commands and F_GETFL (EBADF otherwise, as Linux's check_fcntl_cmd).
 */
long
sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *fp = fd_getfile_raw(fd);
	long rv;

	if (fp == NULL)
		return -EBADF;
	if ((fp->f_flag & FPATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
	    cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) {
		file_rele(fp);
		return -EBADF;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (unsigned long)fd_limit()) {
			rv = -EINVAL;
			break;
		}
		file_hold(fp); /* the new fd's reference */
		rv = fd_alloc(fdp, fp, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (rv < 0)
			file_rele(fp);
		break;
	case F_GETFD:
		rv = fd_get_cloexec(fdp, fd);
		if (rv > 0)
			rv = FD_CLOEXEC;
		break;
	case F_SETFD:
		rv = fd_set_cloexec(fdp, fd, (arg & FD_CLOEXEC) != 0);
		break;
	case F_GETFL:
		rv = fcntl_getfl(fp);
		break;
	case F_SETFL:
		rv = fcntl_setfl(fp, arg);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		rv = -ENOLCK;
		break;
	default:
		rv = -EINVAL;
		break;
	}
	file_rele(fp);
	return rv;
}

/* dup3(oldfd, newfd, flags): dup2 with O_CLOEXEC, and no oldfd == newfd. */
long
sys_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd < 0 || (unsigned long)newfd >= (unsigned long)fd_limit())
		return -EBADF;
	return fd_dup3(curproc->p_fd, oldfd, newfd, (flags & O_CLOEXEC) != 0);
}

/*
 * close_range(first, last, flags): close the fds from first to last, or
 * mark them close-on-exec with CLOSE_RANGE_CLOEXEC.  CLOSE_RANGE_UNSHARE
 * is done when the table is the caller's alone (nothing to unshare) and
 * is EINVAL when it is shared.
 */
long
sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	struct filedesc *fdp = curproc->p_fd;

	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0 ||
	    first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) &&
	    __atomic_load_n(&fdp->fd_refcnt, __ATOMIC_RELAXED) > 1)
		return -EINVAL;
	fd_close_range(fdp, first, last, (flags & CLOSE_RANGE_CLOEXEC) != 0);
	return 0;
}
