/*
 * epoll.c: epoll_create (213), epoll_create1 (291), epoll_ctl (233),
 * epoll_wait (232), epoll_pwait (281) and epoll_pwait2 (441), through
 * musl's functions (its epoll_wait is epoll_pwait) and the raw calls.
 *
 *   - epoll_create: size <= 0 and unknown flags are EINVAL,
 *     EPOLL_CLOEXEC is FD_CLOEXEC; fstat gives Linux's anonymous inode
 *     (no file type, mode 0600, size 0); lseek succeeds at 0, read and
 *     write are EINVAL;
 *   - epoll_ctl_errors, epoll_wait_errors: every error, in Linux's
 *     order (EFAULT for the event first, then EBADF, EPERM, EINVAL,
 *     EEXIST, ENOENT); a bad events array is EFAULT only when there is
 *     an event to store;
 *   - epoll_level: a pipe with data is reported (with its data) at every
 *     wait until drained; the write end is writable;
 *   - epoll_hup_err: EPOLLHUP on the read end once the write end is
 *     closed, EPOLLERR on the write end once the read end is; both even
 *     when not asked for;
 *   - epoll_timeout: 0 looks once, 50 ms waits that long, -1 waits until
 *     another process writes;
 *   - epoll_maxevents: more ready than maxevents: the others come at the
 *     next wait;
 *   - epoll_edge: EPOLLET reports a change once;
 *   - epoll_oneshot: EPOLLONESHOT reports once until EPOLL_CTL_MOD;
 *   - epoll_mod_del: EPOLL_CTL_MOD changes events and data,
 *     EPOLL_CTL_DEL ends the reports;
 *   - epoll_close: an item goes with the last descriptor of its open
 *     file; a dup keeps it (with its data), and the dup is an item of
 *     its own;
 *   - epoll_eventfd: an eventfd is readable after a write;
 *   - epoll_poll_epfd: an epoll fd is readable for poll while one of its
 *     items is ready;
 *   - epoll_nested: an epoll fd in another one, and a wait on the outer
 *     one woken by a write for the inner one;
 *   - epoll_pwait_mask: epoll_pwait's mask holds a signal back during
 *     the wait, and lets a blocked one in (EINTR), then the caller's
 *     mask is back;
 *   - epoll_eintr: a caught signal ends a wait with EINTR, even with
 *     SA_RESTART;
 *   - epoll_pwait2: a timespec timeout, NULL for none, EINVAL for a bad
 *     one;
 *   - epoll_fork: the child's epoll fd is the parent's instance;
 *   - epoll_pingpong: two processes pass a byte back and forth 2000
 *     times, each waiting in epoll_wait without a time limit: no wakeup
 *     is lost (run with 4 CPUs).
 */

#include "sys.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SYS_epoll_pwait2_nr 441 /* older musl headers lack it */

static int
ep_new(void)
{
	int ep = epoll_create1(0);

	test_expect_ok(ep, "epoll_create1");
	return ep;
}

static void
ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "EPOLL_CTL_ADD");
}

static void
ep_mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), "EPOLL_CTL_MOD");
}

/* epoll_wait for at most one event: 0, or 1 with *ev filled in. */
static int
ep_wait1(int ep, struct epoll_event *ev, int timeout)
{
	int n;

	memset(ev, 0xa5, sizeof(*ev));
	n = epoll_wait(ep, ev, 1, timeout);
	test_expect_ok(n, "epoll_wait");
	test_assert_msg(n == 0 || n == 1, "epoll_wait returned %d", n);
	return n;
}

/* One event must be ready, with these events and data. */
static void
expect_event(int ep, uint32_t events, uint64_t data, const char *what)
{
	struct epoll_event ev;

	test_assert_msg(ep_wait1(ep, &ev, 0) == 1, "%s: nothing ready", what);
	test_assert_msg(ev.events == events && ev.data.u64 == data,
	    "%s: events %#x data %#llx, expected %#x data %#llx", what,
	    ev.events, (unsigned long long)ev.data.u64, events,
	    (unsigned long long)data);
}

static void
expect_none(int ep, const char *what)
{
	struct epoll_event ev;

	test_assert_msg(ep_wait1(ep, &ev, 0) == 0,
	    "%s: events %#x data %#llx reported", what, ev.events,
	    (unsigned long long)ev.data.u64);
}

static void
t_epoll_create(void)
{
	struct stat st;
	char buf[16] = { 0 };
	int ep;

	ep = epoll_create(1);
	test_expect_ok(ep, "epoll_create(1)");
	test_expect_eq(fcntl(ep, F_GETFD), 0, "not close-on-exec");
	test_expect_eq(fcntl(ep, F_GETFL), O_RDWR, "F_GETFL");
	test_expect_ok(fstat(ep, &st), "fstat");
	/* Linux's anonymous inode: no file type bits, mode 0600, size 0. */
	test_expect_eq(st.st_mode & S_IFMT, 0, "fstat: no file type");
	test_expect_eq(st.st_mode & 07777, 0600, "fstat: mode 0600");
	test_expect_eq(st.st_size, 0, "fstat: size 0");
	/* Linux's epoll fd has noop_llseek: lseek succeeds, at 0. */
	test_expect_eq(lseek(ep, 100, SEEK_SET), 0, "lseek");
	test_expect_errno(read(ep, buf, sizeof(buf)), EINVAL, "read");
	test_expect_errno(write(ep, buf, sizeof(buf)), EINVAL, "write");
	close(ep);
	/* musl's epoll_create is epoll_create1(0): the size through 213. */
	ep = syscall(SYS_epoll_create, 1000);
	test_expect_ok(ep, "the raw epoll_create(1000)");
	close(ep);
	test_expect_errno(syscall(SYS_epoll_create, 0), EINVAL,
	    "epoll_create(0)");
	test_expect_errno(syscall(SYS_epoll_create, -1), EINVAL,
	    "epoll_create(-1)");

	ep = epoll_create1(EPOLL_CLOEXEC);
	test_expect_ok(ep, "epoll_create1(EPOLL_CLOEXEC)");
	test_expect_eq(fcntl(ep, F_GETFD), FD_CLOEXEC, "close-on-exec");
	close(ep);
	test_expect_errno(epoll_create1(1), EINVAL, "epoll_create1(1)");
	test_expect_errno(epoll_create1(O_NONBLOCK), EINVAL,
	    "epoll_create1(O_NONBLOCK)");
	test_expect_errno(epoll_create1(EPOLL_CLOEXEC | O_RDWR), EINVAL,
	    "epoll_create1(EPOLL_CLOEXEC | O_RDWR)");
}

static void
t_epoll_ctl_errors(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
	int ep = ep_new(), p[2], file, ev_fd;

	test_pipe(p);
	file = open(test_self, O_RDONLY);
	test_expect_ok(file, "open");
	ev_fd = eventfd(0, 0);
	test_expect_ok(ev_fd, "eventfd");

	/* The event is copied in first, for every op but EPOLL_CTL_DEL. */
	test_expect_errno(epoll_ctl(-1, EPOLL_CTL_ADD, -1, NULL), EFAULT,
	    "ADD with no event, bad fds");
	test_expect_errno(epoll_ctl(-1, EPOLL_CTL_MOD, -1, (void *)8), EFAULT,
	    "MOD with an unmapped event");
	test_expect_errno(epoll_ctl(ep, 99, p[0], NULL), EFAULT,
	    "an unknown op with no event");
	test_expect_errno(epoll_ctl(-1, EPOLL_CTL_DEL, -1, NULL), EBADF,
	    "DEL needs no event");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT,
	    "DEL of no item, with no event");

	/* Then the descriptors: epfd, fd, whether fd can be polled. */
	test_expect_errno(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF,
	    "epfd -1");
	test_expect_errno(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &ev), EBADF,
	    "epfd not open");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev), EBADF,
	    "fd not open");
	test_expect_errno(epoll_ctl(p[0], EPOLL_CTL_ADD, 99, &ev), EBADF,
	    "fd not open, epfd a pipe");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM,
	    "a regular file");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, file, NULL), EPERM,
	    "DEL of a regular file");
	test_expect_errno(epoll_ctl(p[0], EPOLL_CTL_ADD, file, &ev), EPERM,
	    "a regular file, epfd a pipe");
	test_expect_errno(epoll_ctl(ep, 99, file, &ev), EPERM,
	    "a regular file, an unknown op");

	/* Then EINVAL: epfd no epoll fd, fd the epoll fd itself. */
	test_expect_errno(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL,
	    "epfd a pipe");
	test_expect_errno(epoll_ctl(ev_fd, EPOLL_CTL_ADD, p[1], &ev), EINVAL,
	    "epfd an eventfd");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL,
	    "fd == epfd");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, ep, NULL), EINVAL,
	    "DEL of epfd itself");
	/* EPOLLEXCLUSIVE: never with MOD, only some events with ADD. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
	    "MOD with EPOLLEXCLUSIVE, before ENOENT");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EINVAL,
	    "EPOLLEXCLUSIVE with EPOLLONESHOT");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev),
	    "ADD with EPOLLEXCLUSIVE");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
	    "MOD of it with EPOLLEXCLUSIVE");
	ev.events = EPOLLIN;
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
	    "MOD of an EPOLLEXCLUSIVE item");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), "DEL of it");

	/* The unknown op after the checks of the descriptors. */
	test_expect_errno(epoll_ctl(ep, 0, p[0], &ev), EINVAL, "op 0");
	test_expect_errno(epoll_ctl(ep, 4, p[0], &ev), EINVAL, "op 4");
	test_expect_errno(epoll_ctl(ep, -1, p[0], &ev), EINVAL, "op -1");

	/* Last, the item: there already, or not there. */
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT,
	    "MOD of no item");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT,
	    "DEL of no item");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), "ADD");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST,
	    "ADD again");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, ev_fd, &ev),
	    "ADD of an eventfd");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "MOD");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], (void *)8),
	    "DEL ignores the event");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT,
	    "DEL again");
}

static void
t_epoll_wait_errors(void)
{
	struct epoll_event evs[2];
	int ep = ep_new(), p[2];

	test_pipe(p);
	/* maxevents first, then the array's range, then epfd. */
	test_expect_errno(epoll_wait(-1, NULL, 0, 0), EINVAL, "maxevents 0");
	test_expect_errno(epoll_wait(ep, evs, -1, 0), EINVAL, "maxevents -1");
	test_expect_errno(epoll_wait(ep, evs, 0x7fffffff, 0), EINVAL,
	    "maxevents INT_MAX");
	test_expect_errno(epoll_wait(-1, (void *)TEST_KERNEL_TEXT, 1, 0),
	    EFAULT, "events in the kernel, before EBADF");
	test_expect_errno(epoll_wait(ep, (void *)(TEST_NONCANON_HI - 12), 2, 0),
	    EFAULT, "events across the non-canonical hole's top");
	test_expect_errno(epoll_wait(-1, evs, 2, 0), EBADF, "epfd -1");
	test_expect_errno(epoll_wait(99, evs, 2, 0), EBADF, "epfd not open");
	test_expect_errno(epoll_wait(p[0], evs, 2, 0), EINVAL, "epfd a pipe");
	test_expect_errno(syscall(SYS_epoll_wait, p[0], evs, 2, 0), EINVAL,
	    "the raw epoll_wait, epfd a pipe");
	test_expect_errno(syscall(SYS_epoll_wait, ep, evs, 0, 0), EINVAL,
	    "the raw epoll_wait, maxevents 0");

	/* An unmapped array is EFAULT only once there is an event for it. */
	test_expect_eq(epoll_wait(ep, (void *)8, 2, 0), 0,
	    "unmapped events, nothing ready");
	ep_add(ep, p[0], EPOLLIN, 3);
	test_expect_eq(write(p[1], "x", 1), 1, "write");
	test_expect_errno(epoll_wait(ep, (void *)8, 2, 0), EFAULT,
	    "unmapped events, one ready");
	expect_event(ep, EPOLLIN, 3, "still ready after EFAULT");
}

static void
t_epoll_level(void)
{
	struct epoll_event evs[4];
	int ep = ep_new(), p[2];
	char c;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 0x1122334455667788ULL);
	ep_add(ep, p[1], EPOLLOUT, 0x99);
	expect_event(ep, EPOLLOUT, 0x99, "the write end");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), "DEL");
	expect_none(ep, "an empty pipe");
	test_expect_eq(write(p[1], "ab", 2), 2, "write");
	for (int i = 0; i < 3; i++)
		expect_event(ep, EPOLLIN, 0x1122334455667788ULL,
		    "readable, at every wait");
	test_expect_eq(syscall(SYS_epoll_wait, ep, evs, 4, 0), 1,
	    "the raw epoll_wait");
	test_expect_eq(evs[0].events, EPOLLIN, "its events");
	test_expect_hex(evs[0].data.u64, 0x1122334455667788ULL, "its data");
	test_expect_eq(read(p[0], &c, 1), 1, "read 1 of 2");
	expect_event(ep, EPOLLIN, 0x1122334455667788ULL, "1 byte left");
	test_expect_eq(read(p[0], &c, 1), 1, "read 2 of 2");
	expect_none(ep, "drained");

	/* Both ends of the pipe ready: two events in one call. */
	ep_add(ep, p[1], EPOLLOUT | EPOLLIN, 2);
	test_expect_eq(write(p[1], "c", 1), 1, "write");
	memset(evs, 0, sizeof(evs));
	test_expect_eq(epoll_wait(ep, evs, 4, 0), 2, "two ready");
	test_assert(evs[0].data.u64 != evs[1].data.u64);
	for (int i = 0; i < 2; i++)
		test_expect_eq(evs[i].events,
		    evs[i].data.u64 == 2 ? EPOLLOUT : EPOLLIN,
		    "the events of each");
}

static void
t_epoll_hup_err(void)
{
	int ep = ep_new(), p[2];

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	test_expect_eq(write(p[1], "x", 1), 1, "write");
	close(p[1]);
	expect_event(ep, EPOLLIN | EPOLLHUP, 1, "data, and no writer");
	test_expect_eq(read(p[0], (char[1]) { 0 }, 1), 1, "read");
	expect_event(ep, EPOLLHUP, 1, "no data, and no writer");
	ep_mod(ep, p[0], 0, 2);
	expect_event(ep, EPOLLHUP, 2, "EPOLLHUP without asking");
	close(p[0]);
	expect_none(ep, "closed");

	test_pipe(p);
	ep_add(ep, p[1], EPOLLOUT, 3);
	expect_event(ep, EPOLLOUT, 3, "the write end");
	close(p[0]);
	/* Linux's pipe: still EPOLLOUT (room), with EPOLLERR (no reader). */
	expect_event(ep, EPOLLOUT | EPOLLERR, 3, "no reader");
	ep_mod(ep, p[1], EPOLLIN, 4);
	expect_event(ep, EPOLLERR, 4, "EPOLLERR without asking");
}

static void
t_epoll_timeout(void)
{
	struct epoll_event ev;
	int ep = ep_new(), p[2];
	uint64_t t0;
	pid_t pid;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 5);
	t0 = test_now_ns();
	test_expect_eq(ep_wait1(ep, &ev, 0), 0, "timeout 0");
	test_expect_eq(ep_wait1(ep, &ev, 50), 0, "timeout 50 ms");
	test_assert(test_now_ns() - t0 >= 40 * SYS_MS);
	t0 = test_now_ns();
	test_expect_eq(syscall(SYS_epoll_wait, ep, &ev, 1, 50), 0,
	    "the raw epoll_wait, 50 ms");
	test_assert(test_now_ns() - t0 >= 40 * SYS_MS);
	pid = test_fork();
	if (pid == 0) {
		test_sleep_ns(100 * SYS_MS);
		test_expect_eq(write(p[1], "w", 1), 1, "the child's write");
		_exit(0);
	}
	t0 = test_now_ns();
	test_expect_eq(ep_wait1(ep, &ev, -1), 1, "wait for the child");
	test_expect_eq(ev.events, EPOLLIN, "events");
	test_expect_hex(ev.data.u64, 5, "data");
	test_assert(test_now_ns() - t0 >= 50 * SYS_MS);
	test_expect_exit(pid, 0, "the child");
}

static void
t_epoll_maxevents(void)
{
	struct epoll_event ev[3];
	int ep = ep_new(), a[2], b[2], seen = 0;

	test_pipe(a);
	test_pipe(b);
	ep_add(ep, a[0], EPOLLIN, 1);
	ep_add(ep, b[0], EPOLLIN, 2);
	test_expect_eq(write(a[1], "a", 1), 1, "write a");
	test_expect_eq(write(b[1], "b", 1), 1, "write b");
	/* Level-triggered items go back to the end: the other comes next. */
	for (int i = 0; i < 2; i++) {
		test_expect_eq(ep_wait1(ep, &ev[0], 0), 1, "maxevents 1");
		test_expect_eq(ev[0].events, EPOLLIN, "events");
		test_assert(ev[0].data.u64 == 1 || ev[0].data.u64 == 2);
		seen |= 1 << ev[0].data.u64;
	}
	test_expect_eq(seen, 6, "both reported in two waits");
	test_expect_eq(epoll_wait(ep, ev, 3, 0), 2, "maxevents 3");
	test_expect_eq(ev[0].data.u64 + ev[1].data.u64, 3, "both");
}

static void
t_epoll_edge(void)
{
	int ep = ep_new(), p[2], e;
	char c;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN | EPOLLET, 7);
	expect_none(ep, "an empty pipe");
	test_expect_eq(write(p[1], "ab", 2), 2, "write");
	expect_event(ep, EPOLLIN, 7, "the write");
	expect_none(ep, "reported once");
	test_expect_eq(read(p[0], &c, 1), 1, "read 1 of 2");
	expect_none(ep, "a read is no new event");
	test_expect_eq(write(p[1], "c", 1), 1, "write");
	expect_event(ep, EPOLLIN, 7, "a new write");
	expect_none(ep, "once");
	/* EPOLL_CTL_MOD looks again: the data is there. */
	ep_mod(ep, p[0], EPOLLIN | EPOLLET, 8);
	expect_event(ep, EPOLLIN, 8, "after MOD");
	expect_none(ep, "once after MOD");
	close(p[1]);
	expect_event(ep, EPOLLIN | EPOLLHUP, 8, "the writer closed");
	expect_none(ep, "once");

	e = eventfd(0, 0);
	test_expect_ok(e, "eventfd");
	ep_add(ep, e, EPOLLIN | EPOLLOUT | EPOLLET, 9);
	expect_event(ep, EPOLLOUT, 9, "an eventfd: writable at once");
	expect_none(ep, "once");
	test_expect_ok(eventfd_write(e, 1), "eventfd_write");
	expect_event(ep, EPOLLIN | EPOLLOUT, 9, "the eventfd written");
	expect_none(ep, "once");
}

static void
t_epoll_oneshot(void)
{
	int ep = ep_new(), p[2];

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 1);
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	expect_event(ep, EPOLLIN, 1, "the first wait");
	expect_none(ep, "disarmed");
	test_expect_eq(write(p[1], "b", 1), 1, "write");
	expect_none(ep, "disarmed, after a new write");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, p[0],
			      &(struct epoll_event) { .events = EPOLLIN }),
	    EEXIST, "a disarmed item is still there");
	ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 2);
	expect_event(ep, EPOLLIN, 2, "re-armed by MOD");
	expect_none(ep, "disarmed again");
	close(p[1]);
	expect_none(ep, "disarmed: not even EPOLLHUP");
	ep_mod(ep, p[0], EPOLLIN, 3);
	expect_event(ep, EPOLLIN | EPOLLHUP, 3, "MOD without EPOLLONESHOT");
	expect_event(ep, EPOLLIN | EPOLLHUP, 3, "level-triggered again");
}

static void
t_epoll_mod_del(void)
{
	int ep = ep_new(), p[2];

	test_pipe(p);
	ep_add(ep, p[1], EPOLLIN, 1);
	expect_none(ep, "the write end, for EPOLLIN");
	ep_mod(ep, p[1], EPOLLOUT, 2);
	expect_event(ep, EPOLLOUT, 2, "MOD to EPOLLOUT");
	ep_mod(ep, p[1], EPOLLOUT | EPOLLIN, 0xfeedface12345678ULL);
	expect_event(ep, EPOLLOUT, 0xfeedface12345678ULL, "MOD of the data");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), "DEL");
	expect_none(ep, "after DEL");
	ep_add(ep, p[1], EPOLLOUT, 3);
	expect_event(ep, EPOLLOUT, 3, "ADD after DEL");
}

static void
t_epoll_close(void)
{
	struct epoll_event evs[4];
	int ep = ep_new(), p[2], d, n, seen = 0;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	expect_event(ep, EPOLLIN, 1, "ready");
	close(p[0]);
	expect_none(ep, "the read end closed");
	close(p[1]);

	/* A dup holds the open file: the item stays, with its data. */
	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 2);
	d = dup(p[0]);
	test_expect_ok(d, "dup");
	/* The item is (open file, fd): the dup is one of its own. */
	ep_add(ep, d, EPOLLIN, 3);
	test_expect_eq(write(p[1], "b", 1), 1, "write");
	n = epoll_wait(ep, evs, 4, 0);
	test_expect_eq(n, 2, "the fd and its dup");
	for (int i = 0; i < n; i++)
		seen |= 1 << evs[i].data.u64;
	test_expect_eq(seen, 12, "data 2 and 3");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), "DEL of the dup");
	close(p[0]);
	expect_event(ep, EPOLLIN, 2, "the first fd closed, its dup open");
	test_expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF,
	    "DEL through the closed fd");
	close(d);
	expect_none(ep, "the last fd closed");
	close(p[1]);
}

static void
t_epoll_eventfd(void)
{
	int ep = ep_new(), e = eventfd(0, EFD_NONBLOCK);
	eventfd_t v;

	test_expect_ok(e, "eventfd");
	ep_add(ep, e, EPOLLIN, 1);
	expect_none(ep, "counter 0");
	test_expect_ok(eventfd_write(e, 5), "eventfd_write");
	expect_event(ep, EPOLLIN, 1, "counter 5");
	expect_event(ep, EPOLLIN, 1, "still 5");
	test_expect_ok(eventfd_read(e, &v), "eventfd_read");
	expect_none(ep, "counter 0 again");
	ep_mod(ep, e, EPOLLIN | EPOLLOUT, 2);
	expect_event(ep, EPOLLOUT, 2, "room to write");
	test_expect_ok(eventfd_write(e, 0xfffffffffffffffeULL),
	    "eventfd_write of the largest counter");
	expect_event(ep, EPOLLIN, 2, "full");
}

static void
t_epoll_poll_epfd(void)
{
	struct pollfd pfd;
	int ep = ep_new(), p[2];
	char c;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	pfd = (struct pollfd) { ep, POLLIN | POLLOUT, 0 };
	test_expect_eq(poll(&pfd, 1, 0), 0, "nothing ready");
	test_expect_eq(pfd.revents, 0, "revents");
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	test_expect_eq(poll(&pfd, 1, 0), 1, "an item ready");
	test_expect_eq(pfd.revents, POLLIN, "POLLIN only");
	/* poll of the epoll fd consumes nothing. */
	expect_event(ep, EPOLLIN, 1, "the item");
	test_expect_eq(read(p[0], &c, 1), 1, "read");
	test_expect_eq(poll(&pfd, 1, 0), 0, "drained");
}

static void
t_epoll_nested(void)
{
	struct epoll_event ev;
	int outer = ep_new(), inner = ep_new(), p[2];
	pid_t pid;

	test_pipe(p);
	test_expect_errno(epoll_ctl(inner, EPOLL_CTL_ADD, inner,
			      &(struct epoll_event) { .events = EPOLLIN }),
	    EINVAL, "an epoll fd in itself");
	ep_add(inner, p[0], EPOLLIN, 1);
	ep_add(outer, inner, EPOLLIN, 2);
	expect_none(outer, "nothing ready inside");
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	expect_event(outer, EPOLLIN, 2, "the inner epoll fd");
	expect_event(inner, EPOLLIN, 1, "the pipe, in the inner one");
	test_expect_eq(read(p[0], (char[1]) { 0 }, 1), 1, "read");
	expect_none(outer, "drained");

	/* A wait on the outer one, woken by a write in a child. */
	pid = test_fork();
	if (pid == 0) {
		test_sleep_ns(50 * SYS_MS);
		test_expect_eq(write(p[1], "b", 1), 1, "the child's write");
		_exit(0);
	}
	test_expect_eq(ep_wait1(outer, &ev, 2000), 1, "wait for the child");
	test_expect_hex(ev.data.u64, 2, "the inner epoll fd");
	test_expect_exit(pid, 0, "the child");
}

static volatile sig_atomic_t usr1_count;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void
catch_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	test_expect_ok(sigaction(SIGUSR1, &sa, NULL), "sigaction");
	usr1_count = 0;
}

/* A child that sends SIGUSR1 to the parent after `ms`, then exits. */
static pid_t
usr1_later(unsigned ms, int pipe_fd)
{
	pid_t parent = getpid(), pid = test_fork();

	if (pid == 0) {
		test_sleep_ns(ms * SYS_MS);
		test_expect_ok(kill(parent, SIGUSR1), "kill");
		if (pipe_fd >= 0) {
			test_sleep_ns(50 * SYS_MS);
			test_expect_eq(write(pipe_fd, "x", 1), 1, "write");
		}
		_exit(0);
	}
	return pid;
}

static void
t_epoll_pwait_mask(void)
{
	struct epoll_event ev;
	sigset_t usr1, old, now;
	int ep = ep_new(), p[2];
	pid_t pid;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	catch_usr1(0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	memset(&old, 0, sizeof(old));
	memset(&now, 0, sizeof(now));
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &old), "sigprocmask");

	/* The signal comes during the wait, held back by the mask. */
	pid = usr1_later(50, p[1]);
	test_expect_eq(epoll_pwait(ep, &ev, 1, 2000, &usr1), 1,
	    "epoll_pwait returns for the data, not EINTR");
	test_expect_hex(ev.data.u64, 1, "data");
	test_expect_exit(pid, 0, "the child");
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &now), "sigprocmask");
	test_assert_msg(memcmp(&old, &now, sizeof(old)) == 0,
	    "the mask did not come back");
	/* The caller's mask back, the pending signal was delivered. */
	test_expect_eq(usr1_count, 1, "the handler ran after the wait");

	/* Blocked by the caller, let in by the wait's mask: EINTR. */
	test_expect_eq(read(p[0], (char[1]) { 0 }, 1), 1, "read");
	test_expect_ok(sigprocmask(SIG_BLOCK, &usr1, &old), "block SIGUSR1");
	test_expect_ok(raise(SIGUSR1), "raise");
	test_expect_eq(usr1_count, 1, "held back");
	sigemptyset(&now);
	test_expect_errno(epoll_pwait(ep, &ev, 1, 2000, &now), EINTR,
	    "epoll_pwait with an empty mask");
	test_expect_eq(usr1_count, 2, "the handler ran in the wait");
	test_expect_ok(sigprocmask(SIG_SETMASK, NULL, &now), "sigprocmask");
	test_assert_msg(sigismember(&now, SIGUSR1), "SIGUSR1 not blocked");
	/* With timeout 0 the pending signal does not stop the look. */
	test_expect_ok(raise(SIGUSR1), "raise");
	test_expect_eq(epoll_pwait(ep, &ev, 1, 0, &old), 0,
	    "epoll_pwait, timeout 0");
	test_expect_ok(sigprocmask(SIG_SETMASK, &old, NULL), "unblock");
	test_expect_eq(usr1_count, 3, "the third signal");
}

static void
t_epoll_eintr(void)
{
	struct epoll_event ev;
	int ep = ep_new(), p[2];
	uint64_t t0;
	pid_t pid;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	/* Never restarted, even with SA_RESTART (as Linux). */
	catch_usr1(SA_RESTART);
	pid = usr1_later(100, -1);
	t0 = test_now_ns();
	test_expect_errno(epoll_wait(ep, &ev, 1, 5000), EINTR,
	    "epoll_pwait, SA_RESTART");
	test_assert(test_now_ns() - t0 < 4000 * SYS_MS);
	test_expect_eq(usr1_count, 1, "the handler ran");
	test_expect_exit(pid, 0, "the child");
	pid = usr1_later(100, -1);
	test_expect_errno(syscall(SYS_epoll_wait, ep, &ev, 1, -1), EINTR,
	    "the raw epoll_wait, no time limit, SA_RESTART");
	test_expect_eq(usr1_count, 2, "the handler ran");
	test_expect_exit(pid, 0, "the child");
	catch_usr1(0);
	pid = usr1_later(100, -1);
	test_expect_errno(syscall(SYS_epoll_wait, ep, &ev, 1, 5000), EINTR,
	    "the raw epoll_wait, no SA_RESTART");
	test_expect_eq(usr1_count, 1, "the handler ran");
	test_expect_exit(pid, 0, "the child");
}

static void
t_epoll_pwait2(void)
{
	struct timespec ts = { 0, 50 * SYS_MS };
	struct epoll_event ev;
	int ep = ep_new(), p[2];
	uint64_t t0;

	test_pipe(p);
	ep_add(ep, p[0], EPOLLIN, 1);
	t0 = test_now_ns();
	test_expect_eq(syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, &ts, NULL, 8),
	    0, "epoll_pwait2, 50 ms");
	test_assert(test_now_ns() - t0 >= 40 * SYS_MS);
	test_expect_eq(ts.tv_nsec, 50 * SYS_MS, "the timespec is unchanged");
	test_expect_eq(write(p[1], "a", 1), 1, "write");
	test_expect_eq(syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, NULL, NULL, 8),
	    1, "epoll_pwait2, no time limit");
	test_expect_hex(ev.data.u64, 1, "data");
	ts = (struct timespec) { 0, 0 };
	test_expect_eq(syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, &ts, NULL, 8),
	    1, "epoll_pwait2, 0");
	ts.tv_nsec = 1000000000;
	test_expect_errno(
	    syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, &ts, NULL, 8), EINVAL,
	    "tv_nsec 1e9");
	ts = (struct timespec) { -1, 0 };
	test_expect_errno(
	    syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, &ts, NULL, 8), EINVAL,
	    "tv_sec -1");
	test_expect_errno(
	    syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, (void *)8, NULL, 8),
	    EFAULT, "an unmapped timespec");
	ts = (struct timespec) { 0, 0 };
	test_expect_errno(
	    syscall(SYS_epoll_pwait2_nr, ep, &ev, 1, &ts, &(sigset_t) { 0 }, 4),
	    EINVAL, "sigsetsize 4");
}

static void
t_epoll_fork(void)
{
	int ep = ep_new(), p[2];
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		ep_add(ep, p[0], EPOLLIN, 0x77);
		test_expect_eq(write(p[1], "c", 1), 1, "the child's write");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	expect_event(ep, EPOLLIN, 0x77, "the item the child added");
	test_expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL),
	    "DEL in the parent");
	pid = test_fork();
	if (pid == 0) {
		expect_none(ep, "the child sees the DEL");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
}

/* Wait in epoll_wait until ep reports fd (data), then read a byte. */
static void
pong_recv(int ep, int fd)
{
	struct epoll_event ev;
	char c;

	test_expect_eq(epoll_wait(ep, &ev, 1, -1), 1, "epoll_wait");
	test_expect_hex(ev.data.u64, fd, "the fd");
	test_expect_eq(read(fd, &c, 1), 1, "read");
}

static void
t_epoll_pingpong(void)
{
	int a[2], b[2], ep, rounds = 2000;
	pid_t pid;

	test_pipe(a);
	test_pipe(b);
	pid = test_fork();
	if (pid == 0) {
		/* An epoll fd of the child's own, level-triggered. */
		ep = ep_new();
		ep_add(ep, a[0], EPOLLIN, a[0]);
		for (int i = 0; i < rounds; i++) {
			pong_recv(ep, a[0]);
			test_expect_eq(write(b[1], "p", 1), 1, "write");
		}
		_exit(0);
	}
	/* The parent's, edge-triggered. */
	ep = ep_new();
	ep_add(ep, b[0], EPOLLIN | EPOLLET, b[0]);
	for (int i = 0; i < rounds; i++) {
		test_expect_eq(write(a[1], "p", 1), 1, "write");
		pong_recv(ep, b[0]);
	}
	test_expect_exit(pid, 0, "the child");
}

const struct test sys_epoll_tests[] = {
	{ "epoll_create", t_epoll_create, NULL },
	{ "epoll_ctl_errors", t_epoll_ctl_errors, NULL },
	{ "epoll_wait_errors", t_epoll_wait_errors, NULL },
	{ "epoll_level", t_epoll_level, NULL },
	{ "epoll_hup_err", t_epoll_hup_err, NULL },
	{ "epoll_timeout", t_epoll_timeout, NULL },
	{ "epoll_maxevents", t_epoll_maxevents, NULL },
	{ "epoll_edge", t_epoll_edge, NULL },
	{ "epoll_oneshot", t_epoll_oneshot, NULL },
	{ "epoll_mod_del", t_epoll_mod_del, NULL },
	{ "epoll_close", t_epoll_close, NULL },
	{ "epoll_eventfd", t_epoll_eventfd, NULL },
	{ "epoll_poll_epfd", t_epoll_poll_epfd, NULL },
	{ "epoll_nested", t_epoll_nested, NULL },
	{ "epoll_pwait_mask", t_epoll_pwait_mask, NULL },
	{ "epoll_eintr", t_epoll_eintr, NULL },
	{ "epoll_pwait2", t_epoll_pwait2, NULL },
	{ "epoll_fork", t_epoll_fork, NULL },
	{ "epoll_pingpong", t_epoll_pingpong, NULL },
	{ NULL, NULL, NULL },
};
