/*
 * signalfd.c: signalfd4 (289) through musl's signalfd, and the old
 * signalfd (282) through the raw call.  Each test runs in a process of
 * its own, so the signals it blocks are its own.
 *
 *   - signalfd_read: a blocked SIGUSR1 sent with kill is read as a
 *     struct signalfd_siginfo (number, SI_USER, the sender's pid and
 *     uid) and is no longer pending; SIGUSR2, outside the set, stays;
 *   - signalfd_queue: sigqueue's SI_QUEUE and value; one read takes as
 *     many signals as whole entries fit, lowest number first;
 *   - signalfd_errors: EINVAL (the set's size first, flags, a file that
 *     is not a signalfd, a buffer under 128 bytes, write), EFAULT, EBADF,
 *     EAGAIN with SFD_NONBLOCK; lseek stays at 0, as Linux's;
 *   - signalfd_flags: SFD_CLOEXEC, F_GETFL, fstat's anonymous inode;
 *   - signalfd_setmask: signalfd on a signalfd gives it a new set;
 *   - signalfd_poll: poll and epoll see it readable while a signal of
 *     its set is pending, and not after the read;
 *   - signalfd_block: a read waits until another process sends one;
 *   - signalfd_sigchld: a child's exit as SIGCHLD's details (CLD_EXITED,
 *     its pid and status).
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIG_RT 40 /* a real-time signal musl leaves to programs */

/* Block sig1 and sig2 (unless 0); returns the set of the two. */
static sigset_t
block(int sig1, int sig2)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig1);
	if (sig2 != 0)
		sigaddset(&set, sig2);
	test_expect_ok(sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	return set;
}

static int
sfd_new(const sigset_t *set, int flags)
{
	int fd = signalfd(-1, set, flags);

	test_expect_ok(fd, "signalfd");
	return fd;
}

/* Read one entry, which must be there. */
static struct signalfd_siginfo
sfd_read1(int fd)
{
	struct signalfd_siginfo si;

	memset(&si, 0x5a, sizeof(si));
	test_expect_eq(read(fd, &si, sizeof(si)), sizeof(si), "read 128");
	return si;
}

static int
sig_pending(int sig)
{
	sigset_t set;

	test_expect_ok(sigpending(&set), "sigpending");
	return sigismember(&set, sig);
}

static void
t_signalfd_read(void)
{
	struct signalfd_siginfo si;
	sigset_t only;
	int fd;

	block(SIGUSR1, SIGUSR2);
	sigemptyset(&only);
	sigaddset(&only, SIGUSR1);
	fd = sfd_new(&only, 0);
	test_expect_ok(kill(getpid(), SIGUSR1), "kill SIGUSR1");
	test_expect_ok(kill(getpid(), SIGUSR2), "kill SIGUSR2");
	test_assert(sig_pending(SIGUSR1));
	si = sfd_read1(fd);
	test_expect_eq(si.ssi_signo, SIGUSR1, "ssi_signo");
	test_expect_eq(si.ssi_code, SI_USER, "ssi_code");
	test_expect_eq(si.ssi_pid, getpid(), "ssi_pid");
	test_expect_eq(si.ssi_uid, getuid(), "ssi_uid");
	test_expect_eq(si.ssi_errno, 0, "ssi_errno");
	test_expect_eq(si.ssi_status, 0, "ssi_status");
	test_assert(!sig_pending(SIGUSR1));
	test_assert(sig_pending(SIGUSR2)); /* not in the signalfd's set */
}

static void
t_signalfd_queue(void)
{
	sigset_t set = block(SIGUSR2, SIG_RT);
	struct signalfd_siginfo si[4];
	union sigval v = { .sival_ptr = (void *)1234 };
	int fd = sfd_new(&set, SFD_NONBLOCK);

	test_expect_ok(sigqueue(getpid(), SIG_RT, v), "sigqueue");
	v.sival_ptr = (void *)5678;
	test_expect_ok(sigqueue(getpid(), SIG_RT, v), "sigqueue again");
	test_expect_ok(kill(getpid(), SIGUSR2), "kill SIGUSR2");
	/* Three fit in 3.5 entries; the lowest number comes first. */
	test_expect_eq(read(fd, si, sizeof(si) - 64), 3 * sizeof(si[0]),
	    "three entries");
	test_expect_eq(si[0].ssi_signo, SIGUSR2, "SIGUSR2 first");
	test_expect_eq(si[1].ssi_signo, SIG_RT, "then the queued one");
	test_expect_eq(si[1].ssi_code, SI_QUEUE, "SI_QUEUE");
	test_expect_eq(si[1].ssi_int, 1234, "its value");
	test_expect_eq(si[1].ssi_ptr, 1234, "as ssi_ptr too");
	test_expect_eq(si[1].ssi_pid, getpid(), "its sender");
	test_expect_eq(si[2].ssi_int, 5678, "the second, in order");
	test_expect_errno(read(fd, si, sizeof(si)), EAGAIN, "none left");
}

static void
t_signalfd_errors(void)
{
	sigset_t set = block(SIGUSR1, 0);
	struct signalfd_siginfo si;
	int fd = sfd_new(&set, SFD_NONBLOCK), p[2];
	char buf[200];

	test_pipe(p);
	test_expect_errno(syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL,
	    "a set of 4 bytes");
	test_expect_errno(syscall(SYS_signalfd4, -1, (void *)8, 4, 0), EINVAL,
	    "the size before the set's pointer");
	test_expect_errno(syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT,
	    "an unreadable set");
	test_expect_errno(syscall(SYS_signalfd4, -1, &set, 8, 1), EINVAL,
	    "an unknown flag");
	test_expect_errno(syscall(SYS_signalfd4, 99, &set, 8, 0), EBADF,
	    "ufd not open");
	test_expect_errno(syscall(SYS_signalfd4, p[0], &set, 8, 0), EINVAL,
	    "ufd a pipe");
	test_expect_errno(syscall(SYS_signalfd, -1, &set, 16), EINVAL,
	    "the raw signalfd, a set of 16 bytes");
	test_expect_errno(read(fd, buf, 127), EINVAL, "a buffer of 127 bytes");
	test_expect_errno(read(fd, &si, sizeof(si)), EAGAIN, "nothing pending");
	test_expect_errno(write(fd, buf, 128), EINVAL, "write");
	test_expect_eq(lseek(fd, 0, SEEK_END), 0, "lseek: 0, as Linux's");
	test_expect_ok(kill(getpid(), SIGUSR1), "kill");
	test_expect_errno(read(fd, (void *)TEST_KERNEL_TEXT, 128), EFAULT,
	    "a buffer in the kernel");
}

static void
t_signalfd_flags(void)
{
	sigset_t set = block(SIGUSR1, 0);
	int fd = sfd_new(&set, SFD_CLOEXEC | SFD_NONBLOCK), fd2;
	struct stat st;

	test_expect_eq(fcntl(fd, F_GETFD), FD_CLOEXEC, "SFD_CLOEXEC");
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "F_GETFL");
	fd2 = syscall(SYS_signalfd, -1, &set, 8);
	test_expect_ok(fd2, "the raw signalfd");
	test_expect_eq(fcntl(fd2, F_GETFD), 0, "no FD_CLOEXEC");
	test_expect_eq(fcntl(fd2, F_GETFL), O_RDWR, "F_GETFL, blocking");
	test_expect_ok(fstat(fd, &st), "fstat");
	test_expect_eq(st.st_mode & S_IFMT, 0, "no file type");
	test_expect_eq(st.st_mode & 07777, 0600, "mode 0600");
	test_expect_eq(st.st_size, 0, "size 0");
}

static void
t_signalfd_setmask(void)
{
	struct signalfd_siginfo si;
	sigset_t one;
	int fd;

	block(SIGUSR1, SIGUSR2);
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	fd = sfd_new(&one, SFD_NONBLOCK);
	test_expect_ok(kill(getpid(), SIGUSR2), "kill SIGUSR2");
	test_expect_errno(read(fd, &si, sizeof(si)), EAGAIN, "not in its set");
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	test_expect_eq(signalfd(fd, &one, 0), fd, "a new set, same fd");
	si = sfd_read1(fd);
	test_expect_eq(si.ssi_signo, SIGUSR2, "now SIGUSR2");
	/* The flags of the second call are not applied to the file. */
	test_expect_eq(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "F_GETFL");
}

static void
t_signalfd_poll(void)
{
	sigset_t set = block(SIGUSR1, 0);
	int fd = sfd_new(&set, SFD_NONBLOCK), ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 }, out;
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };

	test_expect_ok(ep, "epoll_create1");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "EPOLL_CTL_ADD");
	test_expect_eq(poll(&pfd, 1, 0), 0, "nothing pending");
	test_expect_eq(epoll_wait(ep, &out, 1, 0), 0, "epoll: nothing");
	test_expect_ok(kill(getpid(), SIGUSR1), "kill");
	test_expect_eq(poll(&pfd, 1, 0), 1, "pending");
	test_expect_eq(pfd.revents, POLLIN, "POLLIN only");
	test_expect_eq(epoll_wait(ep, &out, 1, 0), 1, "epoll: pending");
	test_expect_eq(out.events, EPOLLIN, "EPOLLIN");
	test_expect_eq(out.data.u64, 9, "its data");
	sfd_read1(fd);
	test_expect_eq(poll(&pfd, 1, 0), 0, "read");
	test_expect_eq(epoll_wait(ep, &out, 1, 0), 0, "epoll: read");
}

static void
t_signalfd_block(void)
{
	sigset_t set = block(SIGUSR1, 0);
	int fd = sfd_new(&set, 0);
	pid_t parent = getpid(), pid = test_fork();
	struct signalfd_siginfo si;

	if (pid == 0) {
		test_sleep_ns(50 * SYS_MS);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	si = sfd_read1(fd);
	test_expect_eq(si.ssi_signo, SIGUSR1, "the child's signal");
	test_expect_eq(si.ssi_pid, pid, "from the child");
	test_expect_exit(pid, 0, "the child");
}

static void
t_signalfd_sigchld(void)
{
	sigset_t set = block(SIGCHLD, 0);
	int fd = sfd_new(&set, 0);
	struct signalfd_siginfo si;
	pid_t pid = test_fork();

	if (pid == 0)
		_exit(7);
	si = sfd_read1(fd);
	test_expect_eq(si.ssi_signo, SIGCHLD, "SIGCHLD");
	test_expect_eq(si.ssi_code, CLD_EXITED, "CLD_EXITED");
	test_expect_eq(si.ssi_pid, pid, "the child");
	test_expect_eq(si.ssi_status, 7, "its status");
	test_expect_exit(pid, 7, "the child");
}

const struct test sys_signalfd_tests[] = {
	{ "signalfd_read", t_signalfd_read, NULL },
	{ "signalfd_queue", t_signalfd_queue, NULL },
	{ "signalfd_errors", t_signalfd_errors, NULL },
	{ "signalfd_flags", t_signalfd_flags, NULL },
	{ "signalfd_setmask", t_signalfd_setmask, NULL },
	{ "signalfd_poll", t_signalfd_poll, NULL },
	{ "signalfd_block", t_signalfd_block, NULL },
	{ "signalfd_sigchld", t_signalfd_sigchld, NULL },
	{ NULL, NULL, NULL },
};
