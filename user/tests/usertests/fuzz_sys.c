/*
 * fuzz_sys.c: the fuzzer's calls of Linux's ABI beyond ABI.md section 3
 * (fuzz.h).  The same rules as fuzz.c's (its header comment): the child
 * neither kills nor blocks itself, and changes nothing outside itself,
 * so each call here is shaped as follows.
 *
 *   Files.  A call that makes, removes, renames, links or changes a file
 *   does so in the child's own directory, /tmp/fuzz.PID (f->work_fd, the
 *   child's working directory too): its directory argument is that
 *   directory, AT_FDCWD or a bogus descriptor, and its names are fuzz_sys's
 *   own (a few short names, nested, a name too long, "" and "."), or a bad
 *   pointer; never bytes from the scratch region, which could spell an
 *   absolute path.  Symbolic links point only at such names, so no walk
 *   leaves the directory.  Calls that only look (stat, access, readlink)
 *   take any name from anywhere.  Files are opened with O_NONBLOCK, so
 *   that a FIFO made here never blocks an open.  The child removes the
 *   directory, with all it holds, when it ends (fuzz_sys_cleanup).
 *   Descriptors.  Status flags changed on a held descriptor are put back;
 *   its flock and OFD locks are taken without waiting (the sink's two
 *   ends, one pipe, would wait for each other); descriptors a call makes
 *   are closed.  Data goes into the sink pipe
 *   only as much as is then drained.
 *   Processes.  Priorities, I/O priorities and affinity are set only for
 *   the child itself or for ids that do not exist (never a process group
 *   or a user, which would reach other processes); prctl takes options
 *   from a list that leaves out those that could kill the child (seccomp,
 *   the TSC, syscall dispatch) or rewrite its memory map, and sets no
 *   timer slack above 100 us (Linux stretches every sleep by it).
 *   Waits.  Every timeout is zero or a bad pointer, never NULL: a futex
 *   wait, sigtimedwait and the kernel log's read return at once.
 *   Signals go only to the child with signal 0, or to pids that do not
 *   exist.
 *   The clock is only ever set to something refused (a time before the
 *   boot, a nanosecond count out of range, a bad pointer).
 *   The host name is set only in the child's own UTS namespace (made
 *   with unshare at the start; without one the call is uname).
 *   clone3 and vfork never share memory with the child (no CLONE_VM), and
 *   a child made exits at once.
 */

#include "ut.h"
#include "fuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/sched.h>

/* A name nothing here may take: longer than NAME_MAX. */
static char long_name[NAME_MAX + 40];

/* A path longer than PATH_MAX, of short components. */
static char long_path[PATH_MAX + 100];

/* Timeouts that end at once: relative 0, absolute 0 (long past). */
static const struct timespec zero_ts;

/*
 * Where the calls build the structures they pass (a timespec, a signal
 * stack, a robust list head, a CPU mask): memory of the child's own, as
 * the scratch region may have holes (fuzz.c's munmap and mremap).
 */
static uint64_t own[64] __attribute__((aligned(64)));

/* /tmp, where the work directory is: for fuzz_sys_cleanup. */
static long tmp_fd = -1;

void
fuzz_sys_setup(struct fuzz *f)
{
	char dir[32];
	long fd;

	memset(long_name, 'n', sizeof(long_name) - 1);
	for (size_t i = 0; i + 2 < sizeof(long_path); i += 2)
		memcpy(long_path + i, "a/", 2);
	f->work_fd = -1;
	snprintf(dir, sizeof(dir), "fuzz.%d", (int)f->pid);
	tmp_fd = test_raw3(SYS_open, (long)"/tmp",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (tmp_fd >= 0 &&
	    test_raw3(SYS_mkdirat, tmp_fd, (long)dir, 0755) == 0 &&
	    (fd = test_raw4(SYS_openat, tmp_fd, (long)dir,
		 O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) >= 0) {
		if (test_raw1(SYS_fchdir, fd) == 0)
			f->work_fd = (int)fd;
		else
			test_raw1(SYS_close, fd);
	}
	f->own_uts = test_raw1(SYS_unshare, CLONE_NEWUTS) == 0;
}

/*
 * Remove everything in directory dirfd, whatever the calls made of it:
 * passes over its entries until one removes nothing more.
 */
static void
remove_tree(long dirfd, int depth)
{
	static char buf[8][2048];
	int removed;

	if (depth >= 8)
		return;
	do {
		long n;

		removed = 0;
		test_raw3(SYS_lseek, dirfd, 0, SEEK_SET);
		while ((n = test_raw3(SYS_getdents64, dirfd, (long)buf[depth],
			    sizeof(buf[depth]))) > 0) {
			for (long off = 0; off < n;) {
				struct {
					uint64_t ino;
					int64_t off;
					unsigned short reclen;
					unsigned char type;
					char name[];
				} *d = (void *)(buf[depth] + off);
				long sub;

				off += d->reclen;
				if (strcmp(d->name, ".") == 0 ||
				    strcmp(d->name, "..") == 0)
					continue;
				if (test_raw3(SYS_unlinkat, dirfd,
					(long)d->name, 0) == 0) {
					removed = 1;
					continue;
				}
				sub =
				    test_raw4(SYS_openat, dirfd, (long)d->name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
				if (sub >= 0) {
					remove_tree(sub, depth + 1);
					test_raw1(SYS_close, sub);
				}
				if (test_raw3(SYS_unlinkat, dirfd,
					(long)d->name, AT_REMOVEDIR) == 0)
					removed = 1;
			}
		}
	} while (removed);
}

void
fuzz_sys_cleanup(struct fuzz *f)
{
	char dir[32];

	if (f->work_fd < 0)
		return;
	remove_tree(f->work_fd, 0);
	snprintf(dir, sizeof(dir), "fuzz.%d", (int)f->pid);
	test_raw3(SYS_unlinkat, tmp_fd, (long)dir, AT_REMOVEDIR);
}

/* A name the calls that change files may take (see the header). */
static unsigned long
name_rw(struct fuzz *f)
{
	static const char *const names[] = { "a", "b", "c", "a/b", "a/b/c",
		"b/a", "c/a", "a/", "a//b", "", ".", "/nonexistent/x" };

	switch (below(f, 10)) {
	case 0:
		return (unsigned long)long_name;
	case 1:
		return below(f, 2) ? bad_ptr(f) :
				     (unsigned long)long_path + below(f, 8);
	default:
		return (unsigned long)
		    names[below(f, sizeof(names) / sizeof(names[0]))];
	}
}

/* A name for a call that only looks: also absolute ones and garbage. */
static unsigned long
name_ro(struct fuzz *f)
{
	static const char *const names[] = { "/", "/bin/sh", "/proc/self/exe",
		"/proc/self/fd/0", "/dev/null", "/tmp", "..", "../..",
		"/proc/1/root" };

	switch (below(f, 4)) {
	case 0:
		return arg_ptr(f);
	case 1:
		return (unsigned long)
		    names[below(f, sizeof(names) / sizeof(names[0]))];
	default:
		return name_rw(f);
	}
}

/* The directory of a call that changes files: ours, the cwd, or bogus. */
static long
dir_rw(struct fuzz *f)
{
	switch (below(f, 6)) {
	case 0:
		return AT_FDCWD;
	case 1:
		return below(f, 2) ? -1 : 1000;
	case 2:
		return f->file_fd; /* not a directory: ENOTDIR */
	default:
		return f->work_fd;
	}
}

/* The directory of a call that only looks: any descriptor. */
static long
dir_ro(struct fuzz *f)
{
	return below(f, 2) ? dir_rw(f) : arg_fd(f);
}

/* A mode: a few usual ones, or anything. */
static long
arg_mode(struct fuzz *f)
{
	static const long modes[] = { 0, 0644, 0755, 04755, 07777, 0170777,
		S_IFIFO | 0644, S_IFREG | 0600, S_IFCHR | 0600, S_IFSOCK | 0600,
		S_IFDIR | 0755, S_IFBLK | 0600 };

	return below(f, 4) ? modes[below(f, sizeof(modes) / sizeof(modes[0]))] :
			     (long)arg_num(f);
}

/* An open file of the work directory, for the calls that write: or -1. */
static long
work_file(struct fuzz *f)
{
	static const char *const names[] = { "a", "b", "c", "a/b" };

	return test_raw4(SYS_openat, f->work_fd,
	    (long)names[below(f, sizeof(names) / sizeof(names[0]))],
	    O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
}

static void
close_made(long fd)
{
	if (fd >= 0)
		test_raw1(SYS_close, fd);
}

long
f_mkdirat(struct fuzz *f)
{
	return test_raw3(SYS_mkdirat, dir_rw(f), name_rw(f), arg_mode(f));
}

long
f_unlinkat(struct fuzz *f)
{
	static const long flags[] = { 0, AT_REMOVEDIR, AT_REMOVEDIR, 1, -1,
		0x100 };

	return test_raw3(SYS_unlinkat, dir_rw(f), name_rw(f),
	    flags[below(f, sizeof(flags) / sizeof(flags[0]))]);
}

long
f_renameat2(struct fuzz *f)
{
	static const long flags[] = { 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE,
		RENAME_WHITEOUT, RENAME_NOREPLACE | RENAME_EXCHANGE, 8, -1 };

	if (below(f, 3) == 0)
		return test_raw4(SYS_renameat, dir_rw(f), name_rw(f), dir_rw(f),
		    name_rw(f));
	return test_raw5(SYS_renameat2, dir_rw(f), name_rw(f), dir_rw(f),
	    name_rw(f), flags[below(f, sizeof(flags) / sizeof(flags[0]))]);
}

long
f_linkat(struct fuzz *f)
{
	static const long flags[] = { 0, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH,
		AT_SYMLINK_FOLLOW | AT_EMPTY_PATH, 0x1, -1 };
	long flag = flags[below(f, sizeof(flags) / sizeof(flags[0]))];
	/*
	 * AT_EMPTY_PATH with "" links what the descriptor names: never the
	 * program's own file (a link in the work directory would let the
	 * other calls change it), only the root directory or the pipe.
	 */
	long from = dir_rw(f);

	if (from == f->file_fd)
		from = below(f, 2) ? f->dir_fd : f->sink[0];

	return test_raw5(SYS_linkat, from, name_rw(f), dir_rw(f), name_rw(f),
	    flag);
}

long
f_symlinkat(struct fuzz *f)
{
	static const char *const targets[] = { "a", "b", "c", "a/b", "b/c", "x",
		"", "a/./b", "c/a/b" };
	unsigned long target;

	switch (below(f, 6)) {
	case 0:
		target = (unsigned long)long_path;
		break;
	case 1:
		target = bad_ptr(f);
		break;
	default:
		target = (unsigned long)
		    targets[below(f, sizeof(targets) / sizeof(targets[0]))];
	}
	if (below(f, 4) == 0)
		return test_raw3(SYS_symlink, target, name_rw(f), 0);
	return test_raw3(SYS_symlinkat, target, dir_rw(f), name_rw(f));
}

long
f_readlinkat(struct fuzz *f)
{
	return test_raw4(SYS_readlinkat, dir_ro(f), name_ro(f), arg_ptr(f),
	    arg_len(f));
}

long
f_statat(struct fuzz *f)
{
	static const long flags[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
		AT_NO_AUTOMOUNT, AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC,
		AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, 1, -1 };
	long flag = flags[below(f, sizeof(flags) / sizeof(flags[0]))];

	if (below(f, 2))
		return test_raw4(SYS_newfstatat, dir_ro(f), name_ro(f),
		    arg_ptr(f), flag);
	return test_raw5(SYS_statx, dir_ro(f), name_ro(f), flag,
	    below(f, 2) ? 0x7ff : (long)arg_num(f), arg_ptr(f));
}

long
f_accessat(struct fuzz *f)
{
	static const long flags[] = { 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW,
		AT_EMPTY_PATH, 1, -1 };
	long mode = below(f, 2) ? (long)below(f, 8) : (long)arg_num(f);

	switch (below(f, 3)) {
	case 0:
		return test_raw3(SYS_access, name_ro(f), mode, 0);
	case 1:
		return test_raw3(SYS_faccessat, dir_ro(f), name_ro(f), mode);
	default:
		return test_raw4(SYS_faccessat2, dir_ro(f), name_ro(f), mode,
		    flags[below(f, sizeof(flags) / sizeof(flags[0]))]);
	}
}

long
f_chmodat(struct fuzz *f)
{
	long fd, r;

	switch (below(f, 4)) {
	case 0:
		return test_raw3(SYS_fchmodat, dir_rw(f), name_rw(f),
		    arg_mode(f));
	case 1:
		/* Not AT_EMPTY_PATH: the descriptor may be the program's. */
		return test_raw5(SYS_fchownat, dir_rw(f), name_rw(f),
		    below(f, 2) ? 0 : (long)arg_num(f),
		    below(f, 2) ? -1 : (long)arg_num(f),
		    below(f, 2) ? 0 : (long)arg_num(f) & ~(long)AT_EMPTY_PATH);
	default:
		/* fchmod and fchown of a file of ours */
		fd = work_file(f);
		r = below(f, 2) ? test_raw3(SYS_fchmod, fd, arg_mode(f), 0) :
				  test_raw3(SYS_fchown, fd, (long)arg_num(f),
				      (long)arg_num(f));
		close_made(fd);
		return r;
	}
}

long
f_utimensat(struct fuzz *f)
{
	static const long flags[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
		-1 };
	/* times: NULL (now), ours in the scratch region, or bad */
	long times = below(f, 3) == 0 ? 0 : (long)arg_ptr(f), r, fd;

	if (below(f, 4) == 0) {
		fd = work_file(f);
		r = test_raw4(SYS_utimensat, fd, 0, times, 0);
		close_made(fd);
		return r;
	}
	if (below(f, 5) == 0)
		return test_raw3(SYS_futimesat, dir_rw(f), name_rw(f), times);
	return test_raw4(SYS_utimensat, dir_rw(f), name_rw(f), times,
	    flags[below(f, sizeof(flags) / sizeof(flags[0]))]);
}

long
f_openat(struct fuzz *f)
{
	static const int flagbits[] = { O_WRONLY, O_RDWR, O_CREAT, O_EXCL,
		O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE,
		O_CLOEXEC, O_NOATIME, O_DSYNC, O_SYNC, O_ACCMODE, 0x10000000 };
	long flags = O_NONBLOCK, r;
	unsigned long buf;

	for (int i = below(f, 5); i > 0; i--)
		flags |=
		    flagbits[below(f, sizeof(flagbits) / sizeof(flagbits[0]))];
	r = test_raw4(SYS_openat, dir_rw(f), name_rw(f), flags, arg_mode(f));
	if (r < 0)
		return r;
	/* A little data, and maybe a read or a seek of it. */
	buf = arg_ptr(f);
	switch (below(f, 4)) {
	case 0:
		test_raw3(SYS_write, r, buf, below(f, 2 * P));
		break;
	case 1:
		test_raw3(SYS_read, r, buf, below(f, 2 * P));
		break;
	case 2:
		test_raw3(SYS_lseek, r, arg_num(f), below(f, 6));
		break;
	}
	test_raw1(SYS_close, r);
	return 0;
}

long
f_mknodat(struct fuzz *f)
{
	long dev = below(f, 2) ? 0 : (long)arg_num(f);

	if (below(f, 4) == 0)
		return test_raw3(SYS_mknod, name_rw(f), arg_mode(f), dev);
	return test_raw4(SYS_mknodat, dir_rw(f), name_rw(f), arg_mode(f), dev);
}

long
f_truncate(struct fuzz *f)
{
	/* Up to a few pages, or any length (a file of tmpfs is sparse). */
	long len = below(f, 2) ? (long)below(f, 4 * P) : (long)arg_num(f), fd,
	     r;

	if (below(f, 2))
		return test_raw3(SYS_truncate, name_rw(f), len, 0);
	fd = below(f, 4) ? work_file(f) : arg_fd(f);
	r = test_raw3(SYS_ftruncate, fd, len, 0);
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

/* getcwd, and chdir or fchdir somewhere and back to the work directory. */
long
f_cwd(struct fuzz *f)
{
	long r;

	switch (below(f, 3)) {
	case 0:
		return test_raw3(SYS_getcwd, arg_ptr(f),
		    below(f, 2) ? (long)below(f, 64) : (long)arg_len(f), 0);
	case 1:
		r = test_raw1(SYS_chdir, name_rw(f));
		break;
	default:
		r = test_raw1(SYS_fchdir, arg_fd(f));
		break;
	}
	if (f->work_fd >= 0)
		test_raw1(SYS_fchdir, f->work_fd);
	return r;
}

long
f_fcntl(struct fuzz *f)
{
	static const long cmds[] = { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
		F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW, F_SETOWN,
		F_GETOWN, F_SETSIG, F_GETSIG, F_SETLEASE, F_GETLEASE, F_NOTIFY,
		F_SETPIPE_SZ, F_GETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS,
		F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_GETOWN_EX,
		F_SETOWN_EX, 1234, -1 };
	long cmd = cmds[below(f, sizeof(cmds) / sizeof(cmds[0]))];
	long fd = below(f, 3) ? arg_fd(f) : work_file(f);
	long arg, r, old = -1;

	/* A pointer for the lock commands, a number for the others. */
	if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW ||
	    cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW ||
	    cmd == F_GETOWN_EX || cmd == F_SETOWN_EX)
		arg = (long)arg_ptr(f);
	else
		arg = below(f, 2) ? (long)below(f, 2048) : (long)arg_num(f);
	/* As f_flock: an OFD lock on a held descriptor never waits. */
	if (cmd == F_OFD_SETLKW && held_fd(f, fd))
		cmd = F_OFD_SETLK;
	/*
	 * Flags and a pipe's size are put back after: a sink of one page
	 * would make Linux's sendfile wait (a span of two file pages needs
	 * two of the pipe's buffers).
	 */
	if (cmd == F_SETFL || cmd == F_SETFD || cmd == F_SETPIPE_SZ)
		old = test_raw3(SYS_fcntl, fd,
		    cmd == F_SETFL     ? F_GETFL :
			cmd == F_SETFD ? F_GETFD :
					 F_GETPIPE_SZ,
		    0);
	/*
	 * No signal may reach the child: no owner (SIGIO), lease or
	 * directory notification; O_ASYNC is never set.
	 */
	if (cmd == F_SETOWN)
		arg = below(f, 2) ? 0 : 1000000000;
	else if (cmd == F_SETSIG)
		arg = below(f, 2) ? 0 : 65;
	else if (cmd == F_SETLEASE)
		arg = below(f, 2) ? F_UNLCK : 99;
	else if (cmd == F_NOTIFY)
		arg = 0;
	else if (cmd == F_SETFL)
		arg &= ~(long)O_ASYNC;
	else if (cmd == F_SETOWN_EX)
		arg = (long)bad_ptr(f);
	r = test_raw3(SYS_fcntl, fd, cmd, arg);
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0)
		close_made(r);
	if (old >= 0)
		test_raw3(SYS_fcntl, fd, cmd, old);
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

long
f_flock(struct fuzz *f)
{
	static const long ops[] = { LOCK_SH, LOCK_EX, LOCK_UN,
		LOCK_SH | LOCK_NB, LOCK_EX | LOCK_NB, LOCK_UN | LOCK_NB, 0,
		LOCK_SH | LOCK_EX, 32, -1 };
	long fd = below(f, 3) ? arg_fd(f) : work_file(f), r;
	long op = ops[below(f, sizeof(ops) / sizeof(ops[0]))];

	/*
	 * A held descriptor's lock may meet another held one's (the sink's
	 * two ends are one pipe, and each its own owner): never wait there.
	 */
	if (held_fd(f, fd) && (op == LOCK_SH || op == LOCK_EX))
		op |= LOCK_NB;
	r = test_raw3(SYS_flock, fd, op, 0);
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

/*
 * Drain whatever the sink holds: a call may move bytes into it and still
 * fail (sendfile, when it cannot store the new offset), and the sink
 * must be empty for the cow shapes' probes (fuzz.c's cow_probe).
 */
static void
drain_all(struct fuzz *f)
{
	int n = 0;

	if (test_raw3(SYS_ioctl, f->sink[0], FIONREAD, (long)&n) == 0 && n > 0)
		drain(f, n);
}

/*
 * sendfile and copy_file_range: into the sink (no more than is drained
 * after), a file of ours, or a descriptor that cannot take it.
 */
static long
copy_target(struct fuzz *f, int *sink)
{
	*sink = 0;
	switch (below(f, 4)) {
	case 0:
		*sink = 1;
		return f->sink[1];
	case 1: {
		long fd = arg_fd(f);

		return fd == f->sink[1] ? f->file_fd : fd;
	}
	default:
		return work_file(f);
	}
}

/* sendfile, or copy_file_range if range, from a file into copy_target. */
static long
copy_call(struct fuzz *f, int range)
{
	int sink;
	long out = copy_target(f, &sink),
	     in = below(f, 3) ? f->file_fd : arg_fd(f);
	long len = sink || below(f, 2) ? (long)below(f, SINK_MAX + 1) :
					 (long)arg_len(f),
	     r;

	if (in == f->sink[0])
		in = f->file_fd; /* reading the empty sink would block */
	if (range)
		r = test_raw6(SYS_copy_file_range, in,
		    below(f, 2) ? 0 : (long)arg_ptr(f), out,
		    below(f, 2) ? 0 : (long)arg_ptr(f), len,
		    below(f, 4) ? 0 : (long)arg_num(f));
	else
		r = test_raw4(SYS_sendfile, out, in,
		    below(f, 3) ? 0 : (long)arg_ptr(f), len);
	if (sink)
		drain_all(f);
	if (!held_fd(f, out))
		close_made(out);
	return r;
}

long
f_sendfile(struct fuzz *f)
{
	return copy_call(f, 0);
}

long
f_copy_file_range(struct fuzz *f)
{
	return copy_call(f, 1);
}

/* iovecs for preadv/pwritev: a few, into the scratch region or bad. */
static struct iovec prw_iov[4];

/* pread64, pwrite64 and the vector forms, at any offset. */
long
f_prw(struct fuzz *f)
{
	static const long rwf[] = { 0, 0, RWF_HIPRI, RWF_DSYNC, RWF_SYNC,
		RWF_NOWAIT, RWF_APPEND, 0x100, -1 };
	int write = (int)below(f, 2);
	long fd = below(f, 2) ? work_file(f) : arg_fd(f), r, off = arg_num(f);
	long n = (long)below(f, 5);
	unsigned long iov = below(f, 6) ? (unsigned long)prw_iov : bad_ptr(f);

	if (fd == f->sink[0] || (write && fd == f->sink[1]))
		fd = f->file_fd; /* the sink would block, or fill up */
	for (int i = 0; i < 4; i++) {
		prw_iov[i].iov_base = (void *)arg_ptr(f);
		prw_iov[i].iov_len = below(f, 2 * P);
	}
	switch (below(f, 3)) {
	case 0:
		r = test_raw4(write ? SYS_pwrite64 : SYS_pread64, fd,
		    arg_ptr(f),
		    below(f, 2) ? (long)below(f, 2 * P) : (long)arg_len(f),
		    off);
		break;
	case 1:
		r = test_raw5(write ? SYS_pwritev : SYS_preadv, fd, iov, n, off,
		    off >> 32);
		break;
	default:
		r = test_raw6(write ? SYS_pwritev2 : SYS_preadv2, fd, iov, n,
		    off, off >> 32,
		    rwf[below(f, sizeof(rwf) / sizeof(rwf[0]))]);
	}
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

long
f_sync(struct fuzz *f)
{
	long fd = below(f, 2) ? arg_fd(f) : work_file(f), r;

	switch (below(f, 4)) {
	case 0:
		r = test_raw1(SYS_fsync, fd);
		break;
	case 1:
		r = test_raw1(SYS_fdatasync, fd);
		break;
	case 2:
		r = test_raw1(SYS_syncfs, fd);
		break;
	default:
		r = test_raw0(SYS_sync);
	}
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

long
f_statfs(struct fuzz *f)
{
	if (below(f, 2))
		return test_raw3(SYS_statfs, name_ro(f), arg_ptr(f), 0);
	return test_raw3(SYS_fstatfs, arg_fd(f), arg_ptr(f), 0);
}

long
f_fallocate(struct fuzz *f)
{
	static const long modes[] = { 0, FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE, 0x100, -1 };
	long fd = below(f, 3) ? work_file(f) : arg_fd(f), r;
	/* Mostly a few pages; at times any length (ENOSPC, EFBIG) */
	long off = below(f, 2) ? (long)below(f, 8 * P) : (long)arg_num(f);
	long len = below(f, 4) ? (long)below(f, 8 * P) : (long)arg_num(f);

	r = test_raw4(SYS_fallocate, fd,
	    modes[below(f, sizeof(modes) / sizeof(modes[0]))], off, len);
	if (!held_fd(f, fd))
		close_made(fd);
	return r;
}

/* A process id: the child's own (0 or its pid), or one that is not. */
static long
self_or_none(struct fuzz *f)
{
	static const long none[] = { 1000000000, 999999, -1, INT_MAX, INT_MIN };

	switch (below(f, 4)) {
	case 0:
		return 0;
	case 1:
		return f->pid;
	default:
		return none[below(f, sizeof(none) / sizeof(none[0]))];
	}
}

long
f_priority(struct fuzz *f)
{
	long which = below(f, 4) ? PRIO_PROCESS : (long)arg_num(f);
	long prio = below(f, 2) ? (long)below(f, 40) - 20 : (long)arg_num(f);

	if (below(f, 2))
		return test_raw3(SYS_getpriority,
		    below(f, 2) ? (long)below(f, 4) : which,
		    below(f, 2) ? 0 : (long)arg_num(f), 0);
	/* A group or a user of another id reaches nobody: not the others. */
	if (which == PRIO_PGRP || which == PRIO_USER)
		return test_raw3(SYS_setpriority, which, 1000000000, prio);
	return test_raw3(SYS_setpriority, which, self_or_none(f), prio);
}

long
f_ioprio(struct fuzz *f)
{
	/* IOPRIO_WHO_PROCESS, _PGRP, _USER; class << 13 | level */
	long which = below(f, 4) ? 1 : (long)arg_num(f);
	long prio = below(f, 2) ? (long)(below(f, 5) << 13 | below(f, 9)) :
				  (long)arg_num(f);

	if (below(f, 2))
		return test_raw3(SYS_ioprio_get,
		    below(f, 2) ? 1 + (long)below(f, 3) : which,
		    below(f, 2) ? 0 : (long)arg_num(f), 0);
	if (which == 2 || which == 3)
		return test_raw3(SYS_ioprio_set, which, 1000000000, prio);
	return test_raw3(SYS_ioprio_set, which, self_or_none(f), prio);
}

long
f_affinity(struct fuzz *f)
{
	static const long sizes[] = { 8, 16, 128, 1024, 0, 1, 7, 4096, -1 };
	long size = sizes[below(f, sizeof(sizes) / sizeof(sizes[0]))];
	unsigned long mask = arg_ptr(f);

	switch (below(f, 3)) {
	case 0:
		return test_raw3(SYS_sched_getaffinity, self_or_none(f), size,
		    mask);
	case 1:
		if (below(f, 2)) {
			memset(own, 0, sizeof(own));
			own[0] = below(f, 4) ? 1 + below(f, 3) : rnd(f);
			mask = (unsigned long)own;
		}
		return test_raw3(SYS_sched_setaffinity, self_or_none(f), size,
		    mask);
	default:
		return test_raw3(SYS_getcpu, arg_ptr(f), arg_ptr(f),
		    arg_ptr(f));
	}
}

long
f_prctl(struct fuzz *f)
{
	/*
	 * Not PR_SET_SECCOMP, PR_SET_TSC, PR_SET_SYSCALL_USER_DISPATCH
	 * (each can kill the child at its next call or clock read) or
	 * PR_SET_MM (which rewrites its memory map).
	 */
	static const long opts[] = { PR_SET_PDEATHSIG, PR_GET_PDEATHSIG,
		PR_GET_DUMPABLE, PR_SET_DUMPABLE, PR_SET_NAME, PR_GET_NAME,
		PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS,
		PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER,
		PR_GET_TIMERSLACK, PR_SET_TIMERSLACK, PR_GET_KEEPCAPS,
		PR_SET_KEEPCAPS, PR_GET_SECCOMP, PR_GET_TSC, PR_CAPBSET_READ,
		PR_GET_THP_DISABLE, PR_SET_THP_DISABLE, 0, 1000, -1 };
	long opt = opts[below(f, sizeof(opts) / sizeof(opts[0]))];
	long a2 = below(f, 2) ? (long)below(f, 4) : (long)arg_ptr(f);

	if (opt == PR_SET_PDEATHSIG && below(f, 2))
		a2 = below(f, 2) ? 0 : 65; /* none, or not a signal */
	/* A slack of a pointer's worth of nanoseconds would stretch sleeps. */
	if (opt == PR_SET_TIMERSLACK)
		a2 = (long)below(f, 100000);
	return test_raw5(SYS_prctl, opt, a2, below(f, 2) ? 0 : (long)arg_num(f),
	    below(f, 2) ? 0 : (long)arg_num(f),
	    below(f, 2) ? 0 : (long)arg_num(f));
}

long
f_rusage(struct fuzz *f)
{
	static const long who[] = { RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD,
		2, -3, 100 };

	return test_raw3(SYS_getrusage,
	    who[below(f, sizeof(who) / sizeof(who[0]))], arg_ptr(f), 0);
}

/* waitid, never waiting (WNOHANG): the child's children end at once. */
long
f_waitid(struct fuzz *f)
{
	static const long opts[] = { WEXITED, WSTOPPED, WCONTINUED, WNOWAIT,
		__WALL, __WCLONE, __WNOTHREAD, 0x100 };
	long options = WNOHANG;

	for (int i = below(f, 4); i > 0; i--)
		options |= opts[below(f, sizeof(opts) / sizeof(opts[0]))];
	if (below(f, 8) == 0)
		options = (long)arg_num(f) | WNOHANG;
	return test_raw5(SYS_waitid,
	    below(f, 4) ? (long)below(f, 4) : (long)arg_num(f),
	    below(f, 2) ? (long)below(f, 4) : self_or_none(f), arg_ptr(f),
	    options, below(f, 2) ? 0 : (long)arg_ptr(f));
}

/* Sessions and process groups: of the child, or of nobody. */
long
f_session(struct fuzz *f)
{
	switch (below(f, 6)) {
	case 0:
		return test_raw1(SYS_getsid, self_or_none(f));
	case 1:
		return test_raw1(SYS_getpgid,
		    below(f, 2) ? 1 : self_or_none(f));
	case 2:
		return test_raw0(SYS_getpgrp);
	case 3:
		return test_raw3(SYS_setpgid, self_or_none(f),
		    below(f, 2) ? 0 : self_or_none(f), 0);
	case 4:
		return test_raw0(SYS_setsid);
	default:
		return test_raw1(SYS_umask, arg_num(f));
	}
}

/* chroot moves only the child's own root, for the rest of its life. */
long
f_chroot(struct fuzz *f)
{
	return test_raw1(SYS_chroot, below(f, 2) ? name_rw(f) : name_ro(f));
}

/* A timespec (or timeval) of ours, or a bad pointer. */
static unsigned long
refused_time(struct fuzz *f, long sec, long frac)
{
	if (below(f, 4) == 0)
		return bad_ptr(f);
	own[0] = (uint64_t)sec;
	own[1] = (uint64_t)frac;
	return (unsigned long)own;
}

long
f_clock_set(struct fuzz *f)
{
	/*
	 * Each refused: before the boot (Linux refuses a time below the
	 * uptime, which is above 0), negative, a fraction out of range, or
	 * unreadable.
	 */
	static const long secs[] = { 0, 0, -1, LONG_MIN };
	long sec = secs[below(f, sizeof(secs) / sizeof(secs[0]))];

	if (below(f, 2)) {
		long clk = below(f, 2) ? (long)below(f, 16) : (long)arg_num(f);

		return test_raw3(SYS_clock_settime, clk,
		    refused_time(f, sec, below(f, 2) ? 0 : 1000000000), 0);
	}
	/*
	 * settimeofday: a timeval as refused, or none; a timezone (kept) or
	 * none.  Both NULL succeeds and changes nothing.
	 */
	return test_raw3(SYS_settimeofday,
	    below(f, 3) ?
		(long)refused_time(f, sec, below(f, 2) ? 0 : 1000000) :
		0,
	    below(f, 3) ? 0 : (long)arg_ptr(f), 0);
}

long
f_sigaltstack(struct fuzz *f)
{
	unsigned long ss = below(f, 3) ? arg_ptr(f) : 0;

	if (below(f, 2)) {
		/* ss_sp, ss_flags, ss_size: plausible, or disabled */
		stack_t *st = (stack_t *)own;

		st->ss_sp = f->scratch;
		st->ss_flags = below(f, 3) ? 0 :
		    below(f, 2)            ? SS_DISABLE :
					     (int)arg_num(f);
		st->ss_size = below(f, 2) ? MINSIGSTKSZ : arg_len(f);
		ss = (unsigned long)own;
	}
	return test_raw3(SYS_sigaltstack, ss, arg_ptr(f), 0);
}

/* rt_sigpending, and rt_sigtimedwait that never waits. */
long
f_sigwait(struct fuzz *f)
{
	long size = below(f, 3) ? 8 : (long)arg_num(f);

	if (below(f, 2))
		return test_raw3(SYS_rt_sigpending, arg_ptr(f), size, 0);
	return test_raw4(SYS_rt_sigtimedwait, arg_ptr(f),
	    below(f, 2) ? 0 : (long)arg_ptr(f),
	    below(f, 4) ? (long)&zero_ts : (long)bad_ptr(f) | 1, size);
}

/* Signal 0 to the child itself, anything to pids that do not exist. */
long
f_sigqueue(struct fuzz *f)
{
	long none = 1000000000 + (long)below(f, 1000);
	long sig = below(f, 2) ? (long)below(f, 70) : (long)arg_num(f);

	switch (below(f, 3)) {
	case 0:
		return below(f, 2) ?
		    test_raw3(SYS_rt_sigqueueinfo, f->pid, 0, arg_ptr(f)) :
		    test_raw3(SYS_rt_sigqueueinfo, none, sig, arg_ptr(f));
	case 1:
		return below(f, 2) ? test_raw3(SYS_tgkill, f->pid, f->pid, 0) :
				     test_raw3(SYS_tgkill, none, none, sig);
	default:
		return below(f, 2) ? test_raw3(SYS_tkill, f->pid, 0, 0) :
				     test_raw3(SYS_tkill, none, sig, 0);
	}
}

long
f_futex(struct fuzz *f)
{
	static const long ops[] = { FUTEX_WAIT, FUTEX_WAKE, FUTEX_FD,
		FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP, FUTEX_LOCK_PI,
		FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET,
		FUTEX_WAKE_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI,
		13, 14, 99 };
	long op = ops[below(f, sizeof(ops) / sizeof(ops[0]))], cmd;
	unsigned long uaddr = arg_ptr(f);
	long val = below(f, 2) ? (long)below(f, 4) : (long)arg_num(f);
	long timeout;

	if (below(f, 2))
		op |= FUTEX_PRIVATE_FLAG;
	if (below(f, 4) == 0)
		op |= FUTEX_CLOCK_REALTIME;
	if (below(f, 16) == 0)
		op = (long)arg_num(f); /* any op at all */
	/*
	 * The requeues and WAKE_OP read the timeout's place as a number
	 * (val2); every other op gets a timeout that ends at once, or a
	 * bad one, so that no wait lasts.
	 */
	cmd = op & ~(long)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE ||
	    cmd == FUTEX_WAKE_OP || cmd == FUTEX_CMP_REQUEUE_PI)
		timeout = below(f, 2) ? (long)below(f, 4) : (long)arg_num(f);
	else
		timeout = below(f, 4) ? (long)&zero_ts : (long)bad_ptr(f) | 1;
	return test_raw6(SYS_futex, uaddr, op, val, timeout, arg_ptr(f),
	    below(f, 2) ? (long)below(f, 4) : (long)arg_num(f));
}

/*
 * set_robust_list with a head anywhere (the list is walked when the
 * child exits, garbage and cycles included), and get_robust_list.
 */
long
f_robust_list(struct fuzz *f)
{
	if (below(f, 2)) {
		unsigned long head = arg_ptr(f);

		if (below(f, 2)) {
			/* list.next, futex_offset, list_op_pending */
			head = (unsigned long)own;
			own[0] = below(f, 2) ? head : /* a cycle of one */
					       arg_ptr(f);
			own[1] = below(f, 2) ? 0 : arg_num(f);
			own[2] = below(f, 2) ? 0 : arg_ptr(f);
		}
		return test_raw3(SYS_set_robust_list, head,
		    below(f, 3) ? 24 : (long)arg_num(f), 0);
	}
	return test_raw3(SYS_get_robust_list, below(f, 2) ? self_or_none(f) : 1,
	    arg_ptr(f), arg_ptr(f));
}

/* A clone3 argument block, never with CLONE_VM: see the header. */
static struct {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls, set_tid, set_tid_size, cgroup;
	uint64_t extra[8]; /* past the largest size: must be zero */
} c3;

long
f_clone3(struct fuzz *f)
{
	static const uint64_t flagbits[] = { CLONE_FILES, CLONE_FS,
		CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_PARENT_SETTID,
		CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID, CLONE_PIDFD,
		CLONE_SETTLS, CLONE_NEWUTS, CLONE_SYSVSEM, CLONE_DETACHED,
		CLONE_UNTRACED, CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP,
		CLONE_NEWNS, 1ULL << 40 };
	static const long sizes[] = { 64, 64, 80, 88, 0, 8, 63, 65, 96, 4096,
		4097 };
	long size = sizes[below(f, sizeof(sizes) / sizeof(sizes[0]))], r;
	int pidfd = -1;

	memset(&c3, 0, sizeof(c3));
	for (int i = below(f, 4); i > 0; i--)
		c3.flags |=
		    flagbits[below(f, sizeof(flagbits) / sizeof(flagbits[0]))];
	/* No signal but SIGCHLD from the child (or none): 65 and up refused. */
	c3.exit_signal = below(f, 3) ? SIGCHLD :
	    below(f, 2)              ? 0 :
				       65 + below(f, 1 << 20);
	c3.pidfd = below(f, 8) ? (uint64_t)&pidfd : bad_ptr(f);
	c3.child_tid = arg_ptr(f);
	c3.parent_tid = arg_ptr(f);
	c3.tls = below(f, 2) ? 0 : arg_ptr(f); /* the child makes no TLS use */
	if (below(f, 8) == 0)
		c3.stack = bad_ptr(f), c3.stack_size = arg_num(f);
	if (below(f, 8) == 0)
		c3.set_tid = arg_ptr(f), c3.set_tid_size = below(f, 40);
	if (below(f, 8) == 0)
		c3.extra[below(f, 8)] = 1; /* E2BIG past the known fields */
	r = test_raw3(SYS_clone3, below(f, 8) ? (long)&c3 : (long)bad_ptr(f),
	    size, 0);
	if (r == 0)
		test_raw_exit(0);
	if (r > 0)
		test_raw6(SYS_wait4, r, 0, __WALL, 0, 0, 0);
	if (r > 0 && (c3.flags & CLONE_PIDFD) && pidfd >= 0 &&
	    !held_fd(f, pidfd))
		close_made(pidfd);
	return r > 0 ? 0 : r;
}

/* vfork: the child shares the stack until it exits, which it does first. */
long
f_vfork(struct fuzz *f)
{
	long r;

	(void)f;
	/* Inline: the child must not return through a frame the parent uses. */
	__asm__ volatile("syscall\n\t"
			 "testq %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "movl %[exit], %%eax\n\t"
			 "xorl %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(r)
			 : "a"((long)SYS_vfork), [exit] "i"(SYS_exit_group)
			 : "rcx", "r11", "rdi", "memory");
	if (r > 0)
		test_raw6(SYS_wait4, r, 0, 0, 0, 0, 0);
	return r > 0 ? 0 : r;
}

/*
 * mremap inside the scratch region: a new place is in the region too, or
 * refused; a mapping that moved out of it is unmapped.
 */
long
f_mremap(struct fuzz *f)
{
	static const long flags[] = { 0, MREMAP_MAYMOVE, MREMAP_MAYMOVE,
		MREMAP_MAYMOVE | MREMAP_FIXED, MREMAP_FIXED,
		MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 8, -1 };
	unsigned long base = (unsigned long)f->scratch,
		      end = base + SCRATCH_PAGES * P;
	unsigned long old = base + below(f, SCRATCH_PAGES) * P;
	unsigned long old_len = below(f, 4) * P, new_len;
	/*
	 * A new place in the region, or one mremap must refuse: never a
	 * low address, where MREMAP_FIXED would map over the program.
	 */
	static const unsigned long refused[] = { TEST_KERNEL_TEXT,
		TEST_NONCANON_LO, TEST_NONCANON_HI, (unsigned long)-4096, 1 };
	unsigned long to = below(f, 2) ?
	    base + below(f, SCRATCH_PAGES) * P :
	    refused[below(f, sizeof(refused) / sizeof(refused[0]))];
	long flag = flags[below(f, sizeof(flags) / sizeof(flags[0]))], r;

	if (below(f, 8) == 0)
		old += below(f, P); /* unaligned */
	new_len = below(f, 4) ? below(f, 8) * P : arg_len(f);
	if ((flag & MREMAP_FIXED) && to >= base && to < end &&
	    to + new_len > end)
		new_len = end - to;
	if (old + old_len > end)
		old_len = end - old;
	r = test_raw5(SYS_mremap, old, old_len, new_len, flag, to);
	if (r > 0 && ((unsigned long)r < base || (unsigned long)r >= end))
		test_raw3(SYS_munmap, r, new_len, 0);
	if (r > 0 && (flag & MREMAP_DONTUNMAP))
		test_raw3(SYS_munmap, r, new_len, 0);
	return r > 0 ? 0 : r;
}

/*
 * The kernel log: everything but turning the console off or down (which
 * would hide a panic), and READ only where it returns at once.
 */
long
f_syslog(struct fuzz *f)
{
	static const long types[] = { 0, 1, 2, 3, 3, 4, 5, 7, 9, 10, 11, -1 };
	long type = types[below(f, sizeof(types) / sizeof(types[0]))];
	long len = below(f, 2) ? (long)below(f, 4096) : (long)arg_num(f);

	/* READ with 0 or less (as the int the kernel takes) returns at once. */
	if (type == 2)
		len = below(f, 2) ? 0 : -1 - (long)below(f, 4096);
	return test_raw3(SYS_syslog, type, arg_ptr(f), len);
}

long
f_hostname(struct fuzz *f)
{
	long len = below(f, 2) ? (long)below(f, 80) : (long)arg_num(f);

	if (!f->own_uts)
		return test_raw1(SYS_uname, arg_ptr(f));
	return test_raw3(below(f, 2) ? SYS_sethostname : SYS_setdomainname,
	    name_ro(f), len, 0);
}

long
f_unshare(struct fuzz *f)
{
	static const long flagbits[] = { CLONE_NEWUTS, CLONE_FILES, CLONE_FS,
		CLONE_SYSVSEM, CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET,
		CLONE_NEWPID, CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_THREAD,
		CLONE_VM, CLONE_SIGHAND, CLONE_NEWUSER, CLONE_PARENT, 1 };
	long flags = 0;

	for (int i = below(f, 3); i > 0; i--)
		flags |=
		    flagbits[below(f, sizeof(flagbits) / sizeof(flagbits[0]))];
	if (below(f, 16) == 0)
		flags = (long)arg_num(f);
	/* A user namespace would drop root on Linux: the fuzzer keeps it. */
	flags &= ~(long)CLONE_NEWUSER;
	return test_raw1(SYS_unshare, flags);
}
