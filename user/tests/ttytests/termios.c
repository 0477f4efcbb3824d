/*
 * termios, window size, isatty, FIONREAD, FIONBIO, and the line
 * discipline fed through TIOCSTI (see tty.h).
 */
#include "tty.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* isatty: the console is a terminal; a pipe is not (ENOTTY). */
static void
t_isatty(void)
{
	int fds[2];

	test_assert(isatty(0));
	test_assert(isatty(1));
	test_pipe(fds);
	errno = 0;
	test_assert(!isatty(fds[0]));
	test_expect_eq(errno, ENOTTY, "isatty of a pipe sets errno");
	close(fds[0]);
	close(fds[1]);
}

/* Linux's defaults, a change seen by the next TCGETS, and back. */
static void
t_termios_roundtrip(void)
{
	struct termios t, u;

	tty_save();
	test_expect_ok(tcgetattr(0, &t), "tcgetattr");
	test_assert(t.c_lflag & ICANON);
	test_assert(t.c_lflag & ISIG);
	test_assert(t.c_iflag & ICRNL);
	/* Linux's defaults but ONLCR: ABI.md's bytes reach COM1 unchanged. */
	test_expect_hex(t.c_oflag & (OPOST | ONLCR), OPOST, "c_oflag");
	test_expect_eq(t.c_cc[VINTR], 3, "VINTR is ^C");
	test_expect_eq(t.c_cc[VERASE], 0177, "VERASE is DEL");
	test_expect_eq(t.c_cc[VEOF], 4, "VEOF is ^D");
	test_expect_eq(t.c_cc[VMIN], 1, "VMIN");

	t.c_lflag &= ~(ICANON | ISIG);
	t.c_cc[VMIN] = 5;
	t.c_cc[VTIME] = 7;
	t.c_cc[VINTR] = 0x18;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "tcsetattr TCSANOW");
	test_expect_ok(tcgetattr(0, &u), "tcgetattr again");
	test_assert(!(u.c_lflag & (ICANON | ISIG)));
	test_expect_eq(u.c_cc[VMIN], 5, "VMIN kept");
	test_expect_eq(u.c_cc[VTIME], 7, "VTIME kept");
	test_expect_eq(u.c_cc[VINTR], 0x18, "VINTR kept");
	test_expect_ok(tcsetattr(0, TCSADRAIN, &t), "tcsetattr TCSADRAIN");
	test_expect_ok(tcsetattr(0, TCSAFLUSH, &t), "tcsetattr TCSAFLUSH");
	test_expect_ok(tcdrain(0), "tcdrain");
	test_expect_ok(tcflush(0, TCIOFLUSH), "tcflush");
	tty_restore();
	test_expect_ok(tcgetattr(0, &u), "tcgetattr restored");
	test_assert(u.c_lflag & ICANON);
	test_expect_errno(ioctl(0, TCGETS, (void *)8), EFAULT,
	    "TCGETS to a bad pointer");
	test_expect_errno(ioctl(0, TCSETS, (void *)8), EFAULT,
	    "TCSETS from a bad pointer");
}

static volatile sig_atomic_t winch;

static void
on_winch(int sig)
{
	(void)sig;
	winch++;
}

/* TIOCSWINSZ changes the size and sends SIGWINCH to the foreground. */
static void
t_winsize(void)
{
	struct winsize ws0, ws = { 50, 132, 0, 0 }, got;

	tty_save();
	tty_foreground_self();
	tty_handle(SIGWINCH, on_winch);
	test_expect_ok(ioctl(0, TIOCGWINSZ, &ws0), "TIOCGWINSZ");
	test_assert(ws0.ws_row > 0 && ws0.ws_col > 0);
	winch = 0;
	test_expect_ok(ioctl(0, TIOCSWINSZ, &ws), "TIOCSWINSZ");
	test_expect_eq(winch, 1, "SIGWINCH after a change");
	test_expect_ok(ioctl(0, TIOCGWINSZ, &got), "TIOCGWINSZ again");
	test_expect_eq(got.ws_row, 50, "rows");
	test_expect_eq(got.ws_col, 132, "columns");
	test_expect_ok(ioctl(0, TIOCSWINSZ, &ws), "TIOCSWINSZ the same");
	test_expect_eq(winch, 1, "no SIGWINCH without a change");
	test_expect_ok(ioctl(0, TIOCSWINSZ, &ws0), "TIOCSWINSZ back");
	test_expect_eq(winch, 2, "SIGWINCH after changing back");
	test_expect_errno(ioctl(0, TIOCSWINSZ, (void *)8), EFAULT,
	    "TIOCSWINSZ from a bad pointer");
	tty_restore();
}

/* Read what is there with a 1 s limit on waiting (alarm). */
static long
read_now(char *buf, size_t n)
{
	long r;

	alarm(2);
	r = read(0, buf, n);
	alarm(0);
	return r;
}

/* Canonical editing, as typed through TIOCSTI; FIONREAD counts lines. */
static void
t_canonical(void)
{
	char buf[64];
	int n;

	tty_save();
	tty_type("helo\177lo\n");
	test_expect_ok(ioctl(0, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 6, "FIONREAD after a line");
	test_expect_eq(read_now(buf, sizeof(buf)), 6, "read a line");
	test_assert(memcmp(buf, "hello\n", 6) == 0);

	tty_type("ab\bc\n");
	test_expect_eq(read_now(buf, sizeof(buf)), 3, "read after ^H");
	test_assert(memcmp(buf, "ac\n", 3) == 0);

	tty_type("abc\025xyz\n");
	test_expect_eq(read_now(buf, sizeof(buf)), 4, "read after ^U");
	test_assert(memcmp(buf, "xyz\n", 4) == 0);

	tty_type("foo bar  \027baz\n");
	test_expect_eq(read_now(buf, sizeof(buf)), 8, "read after ^W");
	test_assert(memcmp(buf, "foo baz\n", 8) == 0);

	tty_type("one\ntwo\n");
	test_expect_eq(read_now(buf, sizeof(buf)), 4, "one line a read");
	test_assert(memcmp(buf, "one\n", 4) == 0);
	test_expect_eq(read_now(buf, 2), 2, "part of a line");
	test_assert(memcmp(buf, "tw", 2) == 0);
	test_expect_eq(read_now(buf, sizeof(buf)), 2, "its rest");

	tty_type("abc\004");
	test_expect_eq(read_now(buf, sizeof(buf)), 3, "^D after text");
	tty_type("\004");
	test_expect_eq(read_now(buf, sizeof(buf)), 0, "^D at a line's start");

	/* A line not ended yet is not readable. */
	tty_type("partial");
	test_expect_ok(ioctl(0, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 0, "FIONREAD of an unfinished line");
	tty_restore();
}

/* poll: readable once a whole line is there (canonical), a byte (raw). */
static void
t_poll(void)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN | POLLOUT };
	struct termios t;
	char buf[16];

	tty_save();
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll with nothing typed");
	test_expect_eq(pfd.revents, POLLOUT, "only writable");
	tty_type("abc");
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll with half a line");
	test_expect_eq(pfd.revents, POLLOUT, "a half line is not readable");
	tty_type("\n");
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll with a line");
	test_expect_eq(pfd.revents, POLLIN | POLLOUT, "a line is readable");
	test_expect_eq(read(0, buf, sizeof(buf)), 4, "read the line");

	test_expect_ok(tcgetattr(0, &t), "tcgetattr");
	t.c_lflag &= ~ICANON;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "non-canonical");
	pfd.events = POLLIN;
	test_expect_eq(poll(&pfd, 1, 0), 0, "poll raw with nothing typed");
	tty_type("x");
	test_expect_eq(poll(&pfd, 1, 0), 1, "poll raw with a byte");
	test_expect_eq(pfd.revents, POLLIN, "a byte is readable");
	tty_restore();
}

/* FIONBIO: a read with nothing there fails with EAGAIN. */
static void
t_fionbio(void)
{
	char buf[8];
	int on = 1, off = 0;

	tty_save();
	test_expect_ok(ioctl(0, FIONBIO, &on), "FIONBIO on");
	test_expect_errno(read(0, buf, sizeof(buf)), EAGAIN,
	    "read with nothing typed");
	tty_type("x\n");
	test_expect_eq(read(0, buf, sizeof(buf)), 2, "read a typed line");
	test_expect_ok(ioctl(0, FIONBIO, &off), "FIONBIO off");
	tty_restore();
}

/* Non-canonical reads: VMIN and VTIME as POSIX says. */
static void
t_noncanonical(void)
{
	struct termios t;
	char buf[16];
	uint64_t t0, dt;

	tty_save();
	test_expect_ok(tcgetattr(0, &t), "tcgetattr");
	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "VMIN 0 VTIME 0");
	test_expect_eq(read(0, buf, sizeof(buf)), 0, "a poll with nothing");
	tty_type("ab");
	test_expect_eq(read(0, buf, sizeof(buf)), 2, "a poll with 2 bytes");

	t.c_cc[VTIME] = 2;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "VMIN 0 VTIME 2");
	t0 = test_now_ns();
	test_expect_eq(read_now(buf, sizeof(buf)), 0, "a timed out read");
	dt = test_now_ns() - t0;
	test_assert_msg(dt >= 150 * TTY_MS, "VTIME 2 waited only %lu ms",
	    (unsigned long)(dt / TTY_MS));

	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "VMIN 3");
	tty_type("xyz\n");
	test_expect_eq(read_now(buf, 3), 3, "VMIN 3 read");
	test_assert(memcmp(buf, "xyz", 3) == 0);
	t.c_cc[VMIN] = 1;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "VMIN 1");
	test_expect_eq(read_now(buf, 3), 1, "the newline, raw");

	/* Leaving canonical mode makes a half-typed line readable. */
	t.c_lflag |= ICANON;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "canonical");
	tty_type("half");
	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 1;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "non-canonical");
	test_expect_eq(read_now(buf, sizeof(buf)), 4, "the half line");
	tty_restore();
}

static volatile sig_atomic_t sigs_seen;

static void
on_sig(int sig)
{
	sigs_seen |= 1 << sig;
}

/* ^C, ^\ and ^Z signal the foreground group, flushing input but with NOFLSH. */
static void
t_isig(void)
{
	struct termios t;
	int n;

	tty_save();
	tty_foreground_self();
	tty_handle(SIGINT, on_sig);
	tty_handle(SIGQUIT, on_sig);
	tty_handle(SIGTSTP, on_sig);
	sigs_seen = 0;
	tty_type("abc\n");
	tty_type("\003");
	test_expect_eq(sigs_seen, 1 << SIGINT, "signals after ^C");
	test_expect_ok(ioctl(0, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 0, "input after ^C (flushed)");
	tty_type("\034\032");
	test_expect_eq(sigs_seen,
	    (1 << SIGINT) | (1 << SIGQUIT) | (1 << SIGTSTP),
	    "signals after ^\\ and ^Z");

	test_expect_ok(tcgetattr(0, &t), "tcgetattr");
	t.c_lflag |= NOFLSH;
	test_expect_ok(tcsetattr(0, TCSANOW, &t), "NOFLSH");
	tty_type("abc\n\003");
	test_expect_ok(ioctl(0, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 4, "input after ^C with NOFLSH");

	t.c_lflag &= ~ISIG;
	test_expect_ok(tcsetattr(0, TCSAFLUSH, &t), "no ISIG");
	sigs_seen = 0;
	tty_type("\003\n");
	test_expect_eq(sigs_seen, 0, "signals without ISIG");
	test_expect_ok(ioctl(0, FIONREAD, &n), "FIONREAD");
	test_expect_eq(n, 2, "^C is input without ISIG");
	tty_restore();
}

const struct test tty_termios_tests[] = {
	{ "isatty", t_isatty, TTY_NATIVE },
	{ "termios_roundtrip", t_termios_roundtrip, TTY_NATIVE },
	{ "winsize_sigwinch", t_winsize, TTY_NATIVE },
	{ "canonical_tiocsti", t_canonical, TTY_NATIVE },
	{ "poll_readable", t_poll, TTY_NATIVE },
	{ "fionbio", t_fionbio, TTY_NATIVE },
	{ "noncanonical_vmin_vtime", t_noncanonical, TTY_NATIVE },
	{ "isig_foreground", t_isig, TTY_NATIVE },
	{ NULL, NULL, NULL },
};
