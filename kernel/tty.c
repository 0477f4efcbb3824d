/*
 * The console as a terminal (tty.h): Linux's line discipline, termios,
 * window size and job control, behind the console file's operations.
 *
 * Input.  COM1's interrupt puts bytes in cons.c's ring and calls
 * tty_cons_input, which runs each through tty_input_locked: input
 * processing (ISTRIP, IGNCR, ICRNL, INLCR), the signal characters
 * (ISIG), then either canonical editing of the current line or, in
 * non-canonical mode, straight into the queue; echo as it goes.  A
 * reader also calls tty_cons_input, for a machine whose COM1 interrupt
 * could not be routed (cons_getc polls then).
 *
 * The queue.  t_q is a ring of entries: a byte, plus TQ_DELIM on the
 * byte that ends a line (newline, VEOL, VEOL2) and TQ_EOF for the mark
 * VEOF leaves (no byte: a read stops there, returning 0 at the start of
 * a line).  From t_qhead come first t_nread entries that readers may
 * take (whole lines in canonical mode, everything otherwise), then the
 * t_nline entries of the line being edited (canonical mode only).
 *
 * Divergences from Linux's n_tty, on purpose: Backspace (^H) erases as
 * VERASE does, since many terminals send it; IXON swallows VSTART and
 * VSTOP but output is never stopped; there is no output queue (writes
 * go out at once, under t_lock so that echo and writes keep t_col
 * right), so TCSETSW and tcdrain have nothing to wait for.
 *
 * Locking.
 *   t_lock, a spinlock, guards the queue, termios, window size and
 *   output column; it
 *   is taken in interrupt context and nests outside cons.c's locks
 *   (cons_in_lock, cons_lock: echo is written under it).
 *   t_sid and t_pgrp are guarded by proc_lock, as the process groups
 *   they name; t_lock and proc_lock are never held together.
 *   (t)  t_lock
 *   (P)  proc_lock
 *   (a)  atomic
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <cons.h>
#include <errno.h>
#include <file.h>
#include <stat.h>
#include <tty.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <vm/kmem.h>
#include <linux/poll.h>

/* Linux's termios, winsize and terminal ioctls (uapi). */
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>

#define TTY_QSIZE 4096
#define TQ_DELIM 0x100 /* this byte ends a line */
#define TQ_EOF 0x200   /* VEOF's mark: no byte */

#define TTY_MS 1000000ULL

struct tty {
	struct spinlock t_lock;

	/* (t) */
	struct termios t_termios;
	struct winsize t_winsize;
	uint16_t t_q[TTY_QSIZE];
	unsigned t_qhead;
	unsigned t_nread;   /* entries readers may take */
	unsigned t_nline;   /* entries of the line being edited */
	bool t_lnext;       /* the next byte is literal (VLNEXT) */
	unsigned t_col;     /* the output column, for erasing a tab */
	unsigned t_linecol; /* the column where the edited line began */
	uint64_t t_rwakes; /* input wakeups of readers, ever (console_pollev) */

	/* (P) */
	pid_t t_sid;  /* the session whose controlling terminal it is */
	pid_t t_pgrp; /* its foreground process group */
};

/* An open console file's own state (f_data). */
struct tty_file {
	struct tty *tf_tty;
	unsigned tf_rdev; /* the device it was opened as (st_rdev) */
};

/*
 * Linux's defaults (tty_std_termios), at 115200 baud, but for ONLCR:
 * ABI.md has the bytes a program writes reach COM1 unchanged, so output
 * is translated only once a program asks for it (an interactive shell
 * sets ONLCR, as a getty would).
 */
static struct tty tty_console = {
	.t_lock = SPINLOCK_INITIALIZER("tty"),
	.t_termios = {
		.c_iflag = ICRNL | IXON,
		.c_oflag = OPOST,
		.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
		    ECHOKE | IEXTEN,
		.c_cc = {
			[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177,
			[VKILL] = 025, [VEOF] = 004, [VTIME] = 0, [VMIN] = 1,
			[VSTART] = 021, [VSTOP] = 023, [VSUSP] = 032,
			[VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
			[VLNEXT] = 026,
		},
	},
	.t_winsize = { .ws_row = 24, .ws_col = 80 },
	.t_sid = 0,
	.t_pgrp = 0,
};

/* ---------------------------------------------------------------------
 * Output.
 */

/* The column after writing c at column col. */
static unsigned
tty_advance(unsigned col, char c)
{
	if (c == '\r')
		return 0;
	if (c == '\b')
		return col > 0 ? col - 1 : 0;
	if (c == '\t')
		return (col | 7) + 1;
	if ((unsigned char)c >= 0x20 && c != 0x7f)
		return col + 1;
	return col; /* '\n' alone moves down only */
}

/*
 * Write n bytes to the console with output processing by tp's oflag
 * (OPOST: ONLCR, OCRNL; raw: bypass it), keeping t_col.  t_lock held.
 */
static void
tty_output_locked(struct tty *tp, const char *buf, size_t n, bool raw)
{
	tcflag_t oflag = raw ? 0 : tp->t_termios.c_oflag;
	char out[128];
	size_t o = 0;

	KASSERT(spin_held(&tp->t_lock));
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (o + 2 > sizeof(out)) {
			cons_write(out, o);
			o = 0;
		}
		if ((oflag & OPOST) && c == '\n' && (oflag & ONLCR)) {
			out[o++] = '\r';
			tp->t_col = 0;
		} else if ((oflag & OPOST) && c == '\r' && (oflag & OCRNL)) {
			c = '\n';
		}
		out[o++] = c;
		tp->t_col = tty_advance(tp->t_col, c);
	}
	if (o > 0)
		cons_write(out, o);
}

/* True if c echoes as ^X under ECHOCTL. */
static bool
tty_ctl_echo(const struct tty *tp, int c)
{
	return (tp->t_termios.c_lflag & ECHOCTL) && (c < 0x20 || c == 0x7f) &&
	    c != '\t' && c != '\n';
}

/* Echo c (as ^X for a control character under ECHOCTL).  t_lock held. */
static void
tty_echo_locked(struct tty *tp, int c)
{
	char buf[2];

	KASSERT(spin_held(&tp->t_lock));
	if (tty_ctl_echo(tp, c)) {
		buf[0] = '^';
		buf[1] = (char)(c ^ 0x40);
		tty_output_locked(tp, buf, 2, false);
	} else {
		buf[0] = (char)c;
		tty_output_locked(tp, buf, 1, false);
	}
}

/* ---------------------------------------------------------------------
 * Input: the line discipline.
 */

/* The queue entry i places after the first readable one.  t_lock held. */
static uint16_t *
tty_qat(struct tty *tp, unsigned i)
{
	return &tp->t_q[(tp->t_qhead + i) % TTY_QSIZE];
}

/* True if c is the enabled control character cc[idx]. */
static bool
tty_is_cc(const struct tty *tp, int idx, int c)
{
	cc_t v = tp->t_termios.c_cc[idx];

	return v != 0 && c == v; /* 0 is _POSIX_VDISABLE */
}

/* Drop everything queued, readable or not.  t_lock held. */
static void
tty_flush_input_locked(struct tty *tp)
{
	KASSERT(spin_held(&tp->t_lock));
	tp->t_qhead = 0;
	tp->t_nread = tp->t_nline = 0;
	tp->t_lnext = false;
}

/*
 * Erase the last byte of the line being edited, echoing the erasure
 * (ECHOE: back over it) or, without ECHOE, the erase character ec.
 * Returns false if the line was empty.  t_lock held.
 */
static bool
tty_erase_locked(struct tty *tp, int ec, bool visual)
{
	int c, width;

	KASSERT(spin_held(&tp->t_lock));
	if (tp->t_nline == 0)
		return false;
	c = *tty_qat(tp, tp->t_nread + tp->t_nline - 1) & 0xff;
	tp->t_nline--;
	if (!(tp->t_termios.c_lflag & ECHO))
		return true;
	if (!visual) {
		tty_echo_locked(tp, ec);
		return true;
	}
	if (c == '\t') {
		/* Back to where the line's echo puts the column now. */
		unsigned col = tp->t_linecol;

		for (unsigned i = 0; i < tp->t_nline; i++) {
			int d = *tty_qat(tp, tp->t_nread + i) & 0xff;

			col = tty_ctl_echo(tp, d) ? col + 2 :
						    tty_advance(col, (char)d);
		}
		while (tp->t_col > col)
			tty_output_locked(tp, "\b", 1, true);
		return true;
	}
	width = tty_ctl_echo(tp, c) ? 2 : 1;
	for (int i = 0; i < width; i++)
		tty_output_locked(tp, "\b \b", 3, true);
	return true;
}

/* The last byte of the line being edited is a blank.  t_lock held. */
static bool
tty_line_ends_blank(struct tty *tp)
{
	int c = *tty_qat(tp, tp->t_nread + tp->t_nline - 1) & 0xff;

	return c == ' ' || c == '\t';
}

/*
 * Add entry e to the queue: to the line being edited (canonical mode,
 * unless it ends the line) or as readable.  A line that ends takes the
 * edited bytes with it.  Returns false (and drops e) when the queue is
 * full; in canonical mode the last place is kept for a line's end.
 * t_lock held.
 */
static bool
tty_put_locked(struct tty *tp, uint16_t e, bool canon)
{
	unsigned used = tp->t_nread + tp->t_nline;

	KASSERT(spin_held(&tp->t_lock));
	if (used >= TTY_QSIZE ||
	    (canon && !(e & (TQ_DELIM | TQ_EOF)) && used >= TTY_QSIZE - 1))
		return false;
	if (tp->t_nline == 0)
		tp->t_linecol = tp->t_col; /* a line begins (its echo next) */
	*tty_qat(tp, used) = e;
	if (!canon || (e & (TQ_DELIM | TQ_EOF))) {
		tp->t_nread += tp->t_nline + 1;
		tp->t_nline = 0;
	} else {
		tp->t_nline++;
	}
	return true;
}

/*
 * One byte of input through the line discipline.  A signal character
 * adds its signal to *sigs (sent by the caller once t_lock is dropped).
 * t_lock held.
 */
static void
tty_input_locked(struct tty *tp, int c, uint64_t *sigs)
{
	const struct termios *t = &tp->t_termios;
	bool canon = t->c_lflag & ICANON;
	bool echo = t->c_lflag & ECHO;
	int sig = 0;

	KASSERT(spin_held(&tp->t_lock));
	if (t->c_iflag & ISTRIP)
		c &= 0x7f;
	if (tp->t_lnext) {
		/* After VLNEXT: the byte as it is, whatever it is. */
		tp->t_lnext = false;
		if (echo)
			tty_output_locked(tp, "\b", 1, true);
		if (tty_put_locked(tp, (uint16_t)c, canon) && echo)
			tty_echo_locked(tp, c);
		return;
	}
	if (c == '\r') {
		if (t->c_iflag & IGNCR)
			return;
		if (t->c_iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (t->c_iflag & INLCR)) {
		c = '\r';
	}

	if (t->c_lflag & ISIG) {
		if (tty_is_cc(tp, VINTR, c))
			sig = SIGINT;
		else if (tty_is_cc(tp, VQUIT, c))
			sig = SIGQUIT;
		else if (tty_is_cc(tp, VSUSP, c))
			sig = SIGTSTP;
	}
	if (sig != 0) {
		if (!(t->c_lflag & NOFLSH))
			tty_flush_input_locked(tp);
		if (echo)
			tty_echo_locked(tp, c);
		*sigs |= SIGBIT(sig);
		return;
	}
	if ((t->c_iflag & IXON) &&
	    (tty_is_cc(tp, VSTART, c) || tty_is_cc(tp, VSTOP, c)))
		return; /* flow control: output is never stopped */

	if (canon) {
		bool iexten = t->c_lflag & IEXTEN;

		if (tty_is_cc(tp, VERASE, c) || c == '\b') {
			tty_erase_locked(tp, c, t->c_lflag & ECHOE);
			return;
		}
		if (tty_is_cc(tp, VKILL, c)) {
			bool visual =
			    (t->c_lflag & (ECHOKE | ECHOE)) == (ECHOKE | ECHOE);

			if (!visual) {
				tp->t_nline = 0;
				if (echo) {
					tty_echo_locked(tp, c);
					if (t->c_lflag & ECHOK)
						tty_echo_locked(tp, '\n');
				}
				return;
			}
			while (tty_erase_locked(tp, c, true))
				;
			return;
		}
		if (iexten && tty_is_cc(tp, VWERASE, c)) {
			while (tp->t_nline > 0 && tty_line_ends_blank(tp))
				tty_erase_locked(tp, c, true);
			while (tp->t_nline > 0 && !tty_line_ends_blank(tp))
				tty_erase_locked(tp, c, true);
			return;
		}
		if (iexten && tty_is_cc(tp, VLNEXT, c)) {
			tp->t_lnext = true;
			if (echo)
				tty_output_locked(tp, "^", 1, true);
			return;
		}
		if (iexten && tty_is_cc(tp, VREPRINT, c)) {
			if (echo) {
				tty_echo_locked(tp, c);
				tty_echo_locked(tp, '\n');
				tp->t_linecol = tp->t_col;
				for (unsigned i = 0; i < tp->t_nline; i++)
					tty_echo_locked(tp,
					    *tty_qat(tp, tp->t_nread + i) &
						0xff);
			}
			return;
		}
		if (tty_is_cc(tp, VEOF, c)) {
			tty_put_locked(tp, TQ_EOF, true);
			return;
		}
		if (c == '\n' || tty_is_cc(tp, VEOL, c) ||
		    tty_is_cc(tp, VEOL2, c)) {
			if (!tty_put_locked(tp, (uint16_t)(c | TQ_DELIM), true))
				return;
			if (echo || (c == '\n' && (t->c_lflag & ECHONL)))
				tty_echo_locked(tp, c);
			return;
		}
	}
	if (tty_put_locked(tp, (uint16_t)c, canon) && echo)
		tty_echo_locked(tp, c);
}

/* Send each signal of sigs to tp's foreground group.  No locks held. */
static void
tty_signal_fg(struct tty *tp, uint64_t sigs)
{
	spin_lock(&proc_lock);
	for (int sig = 1; sig < NSIG && sigs != 0; sig++) {
		if (sigs & SIGBIT(sig)) {
			sigs &= ~SIGBIT(sig);
			sig_post_pgrp(tp->t_pgrp, sig, NULL);
		}
	}
	spin_unlock(&proc_lock);
}

/*
 * Input to tp: the n bytes of buf, then whatever the console has.
 * Signals go to the foreground group and readers are woken after.  No
 * locks held.
 */
static void
tty_input(struct tty *tp, const char *buf, size_t n)
{
	uint64_t sigs = 0;
	bool any = n > 0;
	int c;

	/* Drained under t_lock, so that bytes are taken in order. */
	spin_lock(&tp->t_lock);
	for (size_t i = 0; i < n; i++)
		tty_input_locked(tp, (unsigned char)buf[i], &sigs);
	while ((c = cons_getc()) >= 0) {
		tty_input_locked(tp, c, &sigs);
		any = true;
	}
	if (any)
		tp->t_rwakes++;
	spin_unlock(&tp->t_lock);
	if (!any)
		return;
	if (sigs != 0)
		tty_signal_fg(tp, sigs);
	wakeup(&tp->t_q);
	poll_wakeup();
}

void
tty_cons_input(void)
{
	tty_input(&tty_console, NULL, 0);
}

/* ---------------------------------------------------------------------
 * Job control.
 */

/*
 * May the calling process use the terminal in a way that sig (SIGTTIN
 * for reads, SIGTTOU for writes and settings) guards?  A process of the
 * terminal's session outside its foreground group may not: its group
 * gets sig and the call restarts after the stop (-ERESTARTSYS), or,
 * when the group is orphaned or (for SIGTTIN) the signal is ignored or
 * blocked, the call fails with -EIO; an ignored or blocked SIGTTOU lets
 * the call go ahead (Linux's __tty_check_change).  Returns 0 if it may.
 * No locks held.
 */
static int
tty_check_job(struct tty *tp, int sig)
{
	struct proc *p = curproc;
	bool ignored;
	int error = 0;

	spin_lock(&proc_lock);
	if (p->p_sid != tp->t_sid || p->p_pgid == tp->t_pgrp)
		goto out;
	ignored = p->p_sigacts[sig].ka_handler == (uint64_t)SIG_IGN ||
	    (curlwp->l_sigmask & SIGBIT(sig));
	if (ignored) {
		if (sig == SIGTTIN)
			error = -EIO;
		goto out;
	}
	if (sig_pgrp_orphaned(p->p_pgid, p->p_sid)) {
		error = -EIO;
		goto out;
	}
	sig_post_pgrp(p->p_pgid, sig, NULL);
	error = -ERESTARTSYS;
out:
	spin_unlock(&proc_lock);
	return error;
}

void
tty_session_exit_locked(pid_t sid)
{
	struct tty *tp = &tty_console;

	KASSERT(spin_held(&proc_lock));
	if (sid == 0 || tp->t_sid != sid)
		return;
	sig_post_pgrp(tp->t_pgrp, SIGHUP, NULL);
	sig_post_pgrp(tp->t_pgrp, SIGCONT, NULL);
	tp->t_sid = 0;
	tp->t_pgrp = 0;
}

/* ---------------------------------------------------------------------
 * The console file's operations.
 */

/*
 * Take up to max readable bytes into buf.  Canonical mode stops after a
 * line's end or at an end-of-file mark (both set *done; the mark is
 * consumed, not copied).  Returns the count.  t_lock held.
 */
static size_t
tty_take_locked(struct tty *tp, char *buf, size_t max, bool canon, bool *done)
{
	size_t got = 0;

	KASSERT(spin_held(&tp->t_lock));
	*done = false;
	while (tp->t_nread > 0 && got < max) {
		uint16_t e = *tty_qat(tp, 0);

		tp->t_qhead = (tp->t_qhead + 1) % TTY_QSIZE;
		tp->t_nread--;
		if (e & TQ_EOF) {
			if (canon) {
				*done = true;
				break;
			}
			continue; /* left from canonical mode */
		}
		buf[got++] = (char)(e & 0xff);
		if (canon && (e & TQ_DELIM)) {
			*done = true;
			break;
		}
	}
	return got;
}

/*
 * fo_read: canonical mode returns one line (or what fits of it), 0 for
 * VEOF at the start of a line; otherwise VMIN and VTIME decide as
 * POSIX says.  A background process gets SIGTTIN (tty_check_job).
 * Returns the count, -EAGAIN (nowait or FIONBIO with nothing there),
 * -EIO, -ERESTARTSYS or -EFAULT.  No locks held.
 */
static ssize_t
console_read(struct file *fp, void *ubuf, size_t n, bool nowait)
{
	struct tty_file *tf = fp->f_data;
	struct tty *tp = tf->tf_tty;
	char buf[256];
	size_t total = 0, got;
	uint64_t deadline = 0, wake, now;
	bool canon, done;
	unsigned vmin, vtime;
	int error;

	if (n == 0)
		return 0;
	error = tty_check_job(tp, SIGTTIN);
	if (error != 0)
		return error;
	nowait = nowait || (file_status_flags(fp) & FNONBLOCK);
	for (;;) {
		tty_cons_input(); /* polled input, if any */
		spin_lock(&tp->t_lock);
		canon = tp->t_termios.c_lflag & ICANON;
		vmin = tp->t_termios.c_cc[VMIN];
		vtime = tp->t_termios.c_cc[VTIME];
		got = tty_take_locked(tp, buf, MIN(n - total, sizeof(buf)),
		    canon, &done);
		if (got > 0 || done) {
			spin_unlock(&tp->t_lock);
			if (got > 0 &&
			    copyout(buf, (char *)ubuf + total, got) != 0)
				return total > 0 ? (ssize_t)total : -EFAULT;
			total += got;
			if (total == n || (canon && done) ||
			    (!canon && total >= vmin))
				return total;
			if (!canon && vtime > 0) /* the interbyte timer */
				deadline = nanouptime() + vtime * 100 * TTY_MS;
			continue;
		}
		/* Nothing readable. */
		now = nanouptime();
		if (!canon && vmin == 0 && vtime == 0)
			goto out;
		if (nowait) {
			spin_unlock(&tp->t_lock);
			return total > 0 ? (ssize_t)total : -EAGAIN;
		}
		if (!canon && vmin == 0 && deadline == 0)
			deadline = now + vtime * 100 * TTY_MS;
		if (!canon && deadline != 0 && now >= deadline)
			goto out;
		/* The 10 ms bound covers polled input (no interrupt). */
		wake = now + 10 * TTY_MS;
		if (!canon && deadline != 0 && deadline < wake)
			wake = deadline;
		error = sleep(&tp->t_q, &tp->t_lock, SLEEP_INTR, wake);
		spin_unlock(&tp->t_lock);
		if (error == -EINTR)
			return total > 0 ? (ssize_t)total : -ERESTARTSYS;
	}
out:
	spin_unlock(&tp->t_lock);
	return total;
}

/*
 * fo_write: n bytes from ubuf to the console through output processing,
 * a chunk at a time with a preemption point between chunks.  With
 * TOSTOP a background process gets SIGTTOU (tty_check_job).  Returns
 * the count (of what was written before a fault or an exit request),
 * -EIO, -ERESTARTSYS or -EFAULT.  No locks held.
 */
static ssize_t
console_write(struct file *fp, const void *ubuf, size_t n)
{
	struct tty *tp = ((struct tty_file *)fp->f_data)->tf_tty;
	char buf[256];
	size_t done = 0;
	tcflag_t lflag;
	int error;

	spin_lock(&tp->t_lock);
	lflag = tp->t_termios.c_lflag;
	spin_unlock(&tp->t_lock);
	if ((lflag & TOSTOP) && (error = tty_check_job(tp, SIGTTOU)) != 0)
		return error;
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(buf));

		if (copyin((const char *)ubuf + done, buf, chunk) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		spin_lock(&tp->t_lock);
		tty_output_locked(tp, buf, chunk, false);
		spin_unlock(&tp->t_lock);
		done += chunk;
		if (done < n && sched_checkpoint() != 0)
			break; /* told to exit: what was written counts */
	}
	return done;
}

/* fo_stat for the console: Linux's /dev/console.  No requirements. */
static void
console_stat(struct file *fp, struct stat *st)
{
	struct tty_file *tf = fp->f_data;

	st->st_mode = S_IFCHR | 0620;
	st->st_rdev = tf->tf_rdev; /* Linux's /dev/console by default */
	st->st_blksize = 1024;
}

/*
 * fo_poll: readable when a read would not wait for input (a whole line
 * in canonical mode), always writable.  No locks held.
 */
static short
console_poll(struct file *fp, short events)
{
	struct tty *tp = ((struct tty_file *)fp->f_data)->tf_tty;
	short revents = events & (POLLOUT | POLLWRNORM);

	tty_cons_input();
	spin_lock(&tp->t_lock);
	if (tp->t_nread > 0)
		revents |= events & (POLLIN | POLLRDNORM);
	spin_unlock(&tp->t_lock);
	return revents;
}

/*
 * fo_pollev: input wakes those waiting for POLLIN.  Output never waits,
 * so nothing wakes those waiting for POLLOUT.  No locks held.
 */
static uint64_t
console_pollev(struct file *fp, short events)
{
	struct tty *tp = ((struct tty_file *)fp->f_data)->tf_tty;
	uint64_t n = 0;

	if (events & (POLLIN | POLLRDNORM)) {
		spin_lock(&tp->t_lock);
		n = tp->t_rwakes;
		spin_unlock(&tp->t_lock);
	}
	return n;
}

/* fo_close: the open file's state goes.  No locks held. */
static void
console_close(struct file *fp)
{
	kfree(fp->f_data);
}

/*
 * Install new termios settings t (TCSETS*; flush: TCSETSF's input
 * flush).  Leaving canonical mode makes the line being edited readable.
 * No locks held.
 */
static void
tty_set_termios(struct tty *tp, const struct termios *t, bool flush)
{
	spin_lock(&tp->t_lock);
	if (flush)
		tty_flush_input_locked(tp);
	if (!(t->c_lflag & ICANON)) {
		tp->t_nread += tp->t_nline;
		tp->t_nline = 0;
		tp->t_lnext = false;
	}
	tp->t_termios = *t;
	spin_unlock(&tp->t_lock);
	wakeup(&tp->t_q);
	poll_wakeup();
}

/*
 * TIOCSPGRP: make pgrp the foreground group.  The caller's session must
 * own the terminal (-ENOTTY); pgrp must be a group (-EINVAL if negative,
 * -ESRCH if empty) of that session (-EPERM).  As on Linux, a member that
 * has exited but is not yet reaped still counts: a shell sets the
 * foreground group of a pipeline whose first command may be done.  No
 * locks held.
 */
static long
tty_set_pgrp(struct tty *tp, pid_t pgrp)
{
	struct proc *p = curproc, *q;
	long error = -ESRCH;

	spin_lock(&proc_lock);
	if (p->p_sid != tp->t_sid) {
		error = -ENOTTY;
		goto out;
	}
	if (pgrp < 0) {
		error = -EINVAL;
		goto out;
	}
	PROC_FOREACH(q)
	{
		if (q == &proc0 || q->p_pgid != pgrp)
			continue;
		if (q->p_sid != tp->t_sid) {
			error = -EPERM;
			goto out;
		}
		error = 0;
	}
	if (error == 0)
		tp->t_pgrp = pgrp;
out:
	spin_unlock(&proc_lock);
	return error;
}

/*
 * TIOCSCTTY: the calling session leader's session takes the terminal.
 * It may while session 0 holds it (the default, tty.h) or, with arg 1
 * (everyone is root), from another session, as Linux lets
 * CAP_SYS_ADMIN.  No locks held.
 */
static long
tty_set_ctty(struct tty *tp, unsigned long arg)
{
	struct proc *p = curproc;
	long error = 0;

	spin_lock(&proc_lock);
	if (p->p_sid != p->p_pid) {
		error = -EPERM; /* not a session leader */
		goto out;
	}
	if (p->p_sid == tp->t_sid)
		goto out; /* already ours */
	if (tp->t_sid != 0 && arg != 1) {
		error = -EPERM;
		goto out;
	}
	tp->t_sid = p->p_sid;
	tp->t_pgrp = p->p_pgid;
out:
	spin_unlock(&proc_lock);
	return error;
}

/*
 * TIOCNOTTY: give up the controlling terminal.  -ENOTTY if it is not
 * the caller's; from the session leader of a session other than 0, as
 * if it exited (tty_session_exit_locked); otherwise nothing changes
 * (the console stays session 0's, and the terminal is the session's,
 * not one process's).  No locks held.
 */
static long
tty_give_up_ctty(struct tty *tp)
{
	struct proc *p = curproc;
	long error = 0;

	spin_lock(&proc_lock);
	if (p->p_sid != tp->t_sid)
		error = -ENOTTY;
	else if (p->p_sid == p->p_pid)
		tty_session_exit_locked(p->p_sid);
	spin_unlock(&proc_lock);
	return error;
}

/*
 * The foreground group (pgrp false) or session (true) for TIOCGPGRP and
 * TIOCGSID into *idp; -ENOTTY if the terminal is not the caller's.  No
 * locks held.
 */
static long
tty_get_id(struct tty *tp, bool sid, pid_t *idp)
{
	long error = 0;

	spin_lock(&proc_lock);
	if (curproc->p_sid != tp->t_sid)
		error = -ENOTTY;
	else
		*idp = sid ? tp->t_sid : tp->t_pgrp;
	spin_unlock(&proc_lock);
	return error;
}

/*
 * fo_ioctl: the terminal's requests, with Linux's numbers, arguments
 * and errors.  Every argument is copied before the terminal changes.
 * No locks held.
 */
static long
console_ioctl(struct file *fp, unsigned long request, void *uarg)
{
	struct tty_file *tf = fp->f_data;
	struct tty *tp = tf->tf_tty;
	struct termios t;
	struct winsize ws;
	pid_t id;
	int v;
	long error;
	bool changed;
	char c;

	switch (request) {
	case TCGETS:
		spin_lock(&tp->t_lock);
		t = tp->t_termios;
		spin_unlock(&tp->t_lock);
		return copyout(&t, uarg, sizeof(t)) != 0 ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (copyin(uarg, &t, sizeof(t)) != 0)
			return -EFAULT;
		if ((error = tty_check_job(tp, SIGTTOU)) != 0)
			return error;
		tty_set_termios(tp, &t, request == TCSETSF);
		return 0;
	case TIOCGWINSZ:
		spin_lock(&tp->t_lock);
		ws = tp->t_winsize;
		spin_unlock(&tp->t_lock);
		return copyout(&ws, uarg, sizeof(ws)) != 0 ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copyin(uarg, &ws, sizeof(ws)) != 0)
			return -EFAULT;
		spin_lock(&tp->t_lock);
		changed = memcmp(&ws, &tp->t_winsize, sizeof(ws)) != 0;
		tp->t_winsize = ws;
		spin_unlock(&tp->t_lock);
		if (changed)
			tty_signal_fg(tp, SIGBIT(SIGWINCH));
		return 0;
	case TIOCGPGRP:
	case TIOCGSID:
		if ((error = tty_get_id(tp, request == TIOCGSID, &id)) != 0)
			return error;
		return copyout(&id, uarg, sizeof(id)) != 0 ? -EFAULT : 0;
	case TIOCSPGRP:
		if ((error = tty_check_job(tp, SIGTTOU)) != 0)
			return error;
		if (copyin(uarg, &id, sizeof(id)) != 0)
			return -EFAULT;
		return tty_set_pgrp(tp, id);
	case TIOCSCTTY:
		return tty_set_ctty(tp, (unsigned long)uarg);
	case TIOCNOTTY:
		return tty_give_up_ctty(tp);
	case TIOCSTI:
		/* As if typed; everyone is root (CAP_SYS_ADMIN). */
		if (copyin(uarg, &c, 1) != 0)
			return -EFAULT;
		tty_input(tp, &c, 1);
		return 0;
	case FIONREAD:
		v = 0;
		spin_lock(&tp->t_lock);
		for (unsigned i = 0; i < tp->t_nread; i++)
			if (!(*tty_qat(tp, i) & TQ_EOF))
				v++;
		spin_unlock(&tp->t_lock);
		return copyout(&v, uarg, sizeof(v)) != 0 ? -EFAULT : 0;
	case TCFLSH:
		switch ((unsigned long)uarg) {
		case TCIFLUSH:
		case TCIOFLUSH:
			spin_lock(&tp->t_lock);
			tty_flush_input_locked(tp);
			spin_unlock(&tp->t_lock);
			poll_wakeup();
			return 0;
		case TCOFLUSH:
			return 0; /* no output queue */
		}
		return -EINVAL;
	case TCSBRK:
	case TCSBRKP:
	case TCXONC:
		return 0; /* output is never queued nor stopped */
	}
	return -ENOTTY;
}

static const struct fileops console_ops = {
	.fo_read = console_read,
	.fo_write = console_write,
	.fo_stat = console_stat,
	.fo_poll = console_poll,
	.fo_pollev = console_pollev,
	.fo_close = console_close,
	.fo_ioctl = console_ioctl,
};

bool
tty_console_ctty_locked(pid_t sid, pid_t *pgrpp)
{
	KASSERT(spin_held(&proc_lock));
	*pgrpp = tty_console.t_pgrp;
	return tty_console.t_sid == sid;
}

int
tty_open_file(int flag, unsigned rdev, bool ctty, struct file **fpp)
{
	struct tty_file *tf;
	bool mine;

	if (ctty) {
		spin_lock(&proc_lock);
		mine = curproc->p_sid == tty_console.t_sid;
		spin_unlock(&proc_lock);
		if (!mine)
			return -ENXIO;
	}
	tf = kmalloc(sizeof(*tf), KM_ZERO);
	if (tf == NULL)
		return -ENOMEM;
	tf->tf_tty = &tty_console;
	tf->tf_rdev = rdev;
	*fpp = file_alloc(DTYPE_CONSOLE, flag, &console_ops, tf);
	if (*fpp == NULL) {
		kfree(tf);
		return -ENOMEM;
	}
	return 0;
}

struct file *
console_file_open(void)
{
	struct file *fp;

	if (tty_open_file(FREAD | FWRITE, (5 << 8) | 1, false, &fp) != 0)
		return NULL;
	return fp;
}
