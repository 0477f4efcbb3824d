/*
 * fuzz_epoll.c: the fuzzer's eventfd, epoll, signalfd and timerfd calls
 * (fuzz.h), under fuzz.c's rules (the child neither kills nor blocks
 * itself), so:
 *
 *   an eventfd, signalfd or timerfd that is read or written is
 *   non-blocking (EFD_NONBLOCK, SFD_NONBLOCK, TFD_NONBLOCK, or fcntl's
 *   O_NONBLOCK), so none waits for the other side, a signal or a timer;
 *   every epoll wait looks once (a zero timeout, or for epoll_pwait2's
 *   a pointer no kernel can read), and its signal mask, when it has one,
 *   is put back when it returns;
 *   the descriptors a shape makes are closed before it returns; an
 *   epoll may watch the held ones (the sink, the console, the file),
 *   which its close lets go.
 */

#include "ut.h"
#include "fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* eventfd2's flags, and bits it refuses. */
static const long efd_flags[] = { 0, O_NONBLOCK, O_CLOEXEC, 1, O_NONBLOCK | 1,
	O_NONBLOCK | O_CLOEXEC | 1, 2, O_RDWR, -1 };

/* A count: small, at the top, or anything. */
static uint64_t
efd_value(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0:
		return below(f, 4);
	case 1:
		return UINT64_MAX - below(f, 3);
	default:
		return arg_num(f);
	}
}

/* An eventfd of the child's own, non-blocking, or -1. */
static long
efd_make(struct fuzz *f)
{
	long flags =
	    efd_flags[below(f, sizeof(efd_flags) / sizeof(*efd_flags))];
	long fd = test_raw3(SYS_eventfd2, (unsigned)efd_value(f), flags, 0);

	if (fd >= 0 && !(flags & O_NONBLOCK))
		test_raw3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/*
 * eventfd and eventfd2: make one (any count and flags), then read and
 * write it with any lengths, values and buffers, and poll it.
 */
long
f_eventfd(struct fuzz *f)
{
	static uint64_t value;
	long fd, r = 0;

	if (below(f, 8) == 0) {
		/* Any flags: one made is closed at once, as it may block. */
		r = test_raw3(SYS_eventfd2, arg_num(f), arg_num(f), 0);
		if (r >= 0)
			test_raw1(SYS_close, r);
		return r;
	}
	if ((fd = efd_make(f)) < 0)
		return fd;
	for (int i = below(f, 4); i >= 0; i--) {
		long len = below(f, 2) ? 8 : (long)below(f, 20);

		switch (below(f, 3)) {
		case 0:
			r = test_raw3(SYS_read, fd,
			    below(f, 2) ? (long)&value : (long)arg_ptr(f), len);
			break;
		case 1:
			value = efd_value(f);
			r = test_raw3(SYS_write, fd,
			    below(f, 2) ? (long)&value : (long)arg_ptr(f), len);
			break;
		default: {
			struct pollfd p = { (int)fd, POLLIN | POLLOUT, 0 };

			r = test_raw3(SYS_poll, (long)&p, 1, 0);
			break;
		}
		}
	}
	test_raw1(SYS_close, fd);
	return r;
}

/* epoll_ctl's events: the poll bits, the flags, and anything. */
static uint32_t
ep_events(struct fuzz *f)
{
	static const uint32_t bits[] = { EPOLLIN, EPOLLOUT, EPOLLRDNORM,
		EPOLLWRNORM, EPOLLPRI, EPOLLRDHUP, EPOLLET, EPOLLONESHOT,
		EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLERR | EPOLLHUP };
	uint32_t ev = 0;

	if (below(f, 8) == 0)
		return (uint32_t)arg_num(f);
	for (int i = below(f, 4); i >= 0; i--)
		ev |= bits[below(f, sizeof(bits) / sizeof(*bits))];
	return ev;
}

/*
 * epoll: an epoll of the child's own (epoll_create or epoll_create1 with
 * any argument), some epoll_ctl calls on it with any operation, any
 * descriptor (held ones, an eventfd, another epoll, itself, bogus ones)
 * and any event, some waits that look once, then everything made is
 * closed.
 */
long
f_epoll(struct fuzz *f)
{
	struct epoll_event ev, *evp, out[4];
	long ep, inner = -1, efd = -1, r = 0;
	uint64_t mask;

	if (below(f, 2))
		ep = test_raw1(SYS_epoll_create1,
		    below(f, 3) ? (long)(below(f, 2) ? O_CLOEXEC : 0) :
				  (long)arg_num(f));
	else
		ep = test_raw1(SYS_epoll_create,
		    below(f, 3) ? (long)below(f, 3) : (long)arg_num(f));
	if (ep < 0)
		return ep;
	if (below(f, 2))
		efd = efd_make(f);
	if (below(f, 3) == 0)
		inner = test_raw1(SYS_epoll_create1, 0);
	for (int i = below(f, 6); i >= 0; i--) {
		long op =
		    below(f, 8) ? (long)(1 + below(f, 3)) : (long)arg_num(f);
		long fd;

		switch (below(f, 5)) {
		case 0:
			fd = efd;
			break;
		case 1:
			fd = below(f, 2) ? inner : ep;
			break;
		default:
			fd = arg_fd(f);
			break;
		}
		ev.events = ep_events(f);
		ev.data.u64 = arg_num(f);
		evp = below(f, 6) ? &ev : (struct epoll_event *)arg_ptr(f);
		/* Sometimes the inner epoll watches the outer: ELOOP next. */
		r = below(f, 4) || inner < 0 ?
		    test_raw4(SYS_epoll_ctl, ep, op, fd, (long)evp) :
		    test_raw4(SYS_epoll_ctl, inner, op, ep, (long)evp);
	}
	if (efd >= 0 && below(f, 2)) {
		mask = 1 + below(f, 3);
		test_raw3(SYS_write, efd, (long)&mask, 8);
	}
	for (int i = below(f, 3); i >= 0; i--) {
		long max =
		    below(f, 4) ? (long)(1 + below(f, 4)) : (long)arg_num(f);
		long events = below(f, 4) ? (long)out : (long)arg_ptr(f);
		long epfd = below(f, 6) ? ep : arg_fd(f);

		/* out holds 4: a larger count goes to scratch memory. */
		if (max > 4 && events == (long)out)
			events = (long)arg_ptr(f);
		mask = below(f, 2) ? 0 : arg_num(f); /* any signals blocked */
		switch (below(f, 3)) {
		case 0:
			r = test_raw4(SYS_epoll_wait, epfd, events, max, 0);
			break;
		case 1:
			r = test_raw6(SYS_epoll_pwait, epfd, events, max, 0,
			    below(f, 2) ? (long)&mask : 0,
			    below(f, 4) ? 8 : (long)arg_num(f));
			break;
		default: {
			static const struct timespec zero;

			/*
			 * Not bad_ptr: with 5-level paging Linux may have
			 * mapped some of its addresses, and a timeout read
			 * from there would wait.
			 */
			r = test_raw6(SYS_epoll_pwait2, epfd, events, max,
			    below(f, 4) ?
				(long)&zero :
				(long)(below(f, 2) ? 1 : TEST_KERNEL_TEXT),
			    below(f, 2) ? (long)&mask : 0, 8);
			break;
		}
		}
	}
	if (inner >= 0)
		test_raw1(SYS_close, inner);
	if (efd >= 0)
		test_raw1(SYS_close, efd);
	test_raw1(SYS_close, ep);
	return r;
}

/*
 * signalfd and signalfd4: make one for any set (any size, flags, ufd),
 * or give a made one a new set, then read it (never waiting) with any
 * length and buffer, and poll it.  A signal it takes was pending and
 * blocked: the child loses nothing it waits for (its waits are WNOHANG).
 */
long
f_signalfd(struct fuzz *f)
{
	static uint64_t set;
	uint64_t *mask = &set;
	long fd, r = 0, size = below(f, 4) ? 8 : (long)arg_num(f);

	*mask = below(f, 2) ? arg_num(f) : 1UL << below(f, 64);
	if (below(f, 8) == 0) {
		/* A new one (ufd -1) is closed at once: it may block. */
		fd = arg_fd(f);
		r = test_raw4(SYS_signalfd4, fd,
		    below(f, 2) ? (long)mask : (long)arg_ptr(f), size,
		    arg_num(f));
		if (r >= 0 && r != fd)
			test_raw1(SYS_close, r);
		return r;
	}
	fd = below(f, 2) ? test_raw4(SYS_signalfd4, -1, (long)mask, 8,
			       O_NONBLOCK | (below(f, 2) ? O_CLOEXEC : 0)) :
			   test_raw3(SYS_signalfd, -1, (long)mask, 8);
	if (fd < 0)
		return fd;
	test_raw3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK);
	for (int i = below(f, 3); i >= 0; i--) {
		struct pollfd p = { (int)fd, POLLIN, 0 };

		*mask = arg_num(f);
		switch (below(f, 3)) {
		case 0:
			r = test_raw4(SYS_signalfd4, fd, (long)mask, size, 0);
			break;
		case 1:
			r = test_raw3(SYS_read, fd, arg_ptr(f),
			    below(f, 2) ? (long)(128 * (1 + below(f, 3))) :
					  (long)arg_len(f));
			break;
		default:
			r = test_raw3(SYS_poll, (long)&p, 1, 0);
			break;
		}
	}
	test_raw1(SYS_close, fd);
	return r;
}

/* A time for timerfd_settime: zero, short, huge, or out of range. */
static void
tfd_time(struct fuzz *f, struct timespec *ts)
{
	switch (below(f, 4)) {
	case 0:
		ts->tv_sec = 0;
		ts->tv_nsec = (long)below(f, 2000000);
		break;
	case 1:
		ts->tv_sec = (long)arg_num(f);
		ts->tv_nsec = (long)arg_num(f);
		break;
	default:
		ts->tv_sec = (long)below(f, 3);
		ts->tv_nsec = (long)below(f, 1000000000);
		break;
	}
}

/*
 * timerfd_create, timerfd_settime and timerfd_gettime: a timer of the
 * child's own on any clock, set (relative, absolute, any period, bad
 * pointers) and read without waiting, then closed.
 */
long
f_timerfd(struct fuzz *f)
{
	static const long clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
		CLOCK_BOOTTIME, 8, 9, CLOCK_PROCESS_CPUTIME_ID, -1, 100 };
	static struct itimerspec its, old;
	long clock = clocks[below(f, sizeof(clocks) / sizeof(*clocks))];
	long fd, r = 0;
	uint64_t n;

	if (below(f, 8) == 0) {
		/* Any flags: one made is closed at once, as it may block. */
		r = test_raw3(SYS_timerfd_create, clock, arg_num(f), 0);
		if (r >= 0)
			test_raw1(SYS_close, r);
		return r;
	}
	fd = test_raw3(SYS_timerfd_create, clock,
	    O_NONBLOCK | (below(f, 2) ? O_CLOEXEC : 0), 0);
	if (fd < 0)
		return fd;
	for (int i = below(f, 4); i >= 0; i--) {
		long tfd = below(f, 8) ? fd : arg_fd(f);

		switch (below(f, 4)) {
		case 0:
			tfd_time(f, &its.it_value);
			tfd_time(f, &its.it_interval);
			r = test_raw4(SYS_timerfd_settime, tfd,
			    below(f, 4) ? (long)below(f, 2) : (long)arg_num(f),
			    below(f, 8) ? (long)&its : (long)arg_ptr(f),
			    below(f, 2) ? (long)&old : (long)arg_ptr(f));
			break;
		case 1:
			r = test_raw3(SYS_timerfd_gettime, tfd,
			    below(f, 4) ? (long)&old : (long)arg_ptr(f), 0);
			break;
		case 2:
			r = test_raw3(SYS_read, fd,
			    below(f, 2) ? (long)&n : (long)arg_ptr(f),
			    below(f, 2) ? 8 : (long)below(f, 20));
			break;
		default: {
			struct pollfd p = { (int)fd, POLLIN, 0 };

			r = test_raw3(SYS_poll, (long)&p, 1, 0);
			break;
		}
		}
	}
	test_raw1(SYS_close, fd);
	return r;
}
