/*
 * The terminal (tty.c): the console as a tty with Linux's line
 * discipline (n_tty's behaviour: canonical editing, echo, ISIG, VMIN and
 * VTIME), termios, window size and job control.
 *
 * There is one terminal, the console.  Its input comes from COM1's
 * interrupt (cons.c calls tty_cons_input); its output goes to
 * cons_write after output processing (OPOST: ONLCR, OCRNL).
 *
 * The controlling terminal.  A terminal belongs to at most one session
 * (t_sid) and has a foreground process group (t_pgrp); a process's
 * controlling terminal is the console exactly when its session is the
 * console's.  At boot the console belongs to session 0 with foreground
 * group 0, which is where init and the programs it starts run (as on
 * Linux, init starts in session 0): so Ctrl-C reaches a program run
 * under init, although on Linux a process without a controlling
 * terminal gets no job control signals.  A session leader of another
 * session takes the console with TIOCSCTTY while session 0 holds it (as
 * if it were free); when that session gives it up (TIOCNOTTY by its
 * leader, or the leader exits) it goes back to session 0, group 0.
 */
#ifndef _TTY_H_
#define _TTY_H_

#include <types.h>

struct file;

/*
 * Console input has arrived (cons.c's interrupt handler, or a reader
 * polling): run every waiting byte through the line discipline.  No
 * locks held; interrupt or process context.
 */
void tty_cons_input(void);

/*
 * The session leader p is exiting: if its session has the console, the
 * foreground group gets SIGHUP and SIGCONT and the console goes back to
 * session 0 (Linux's disassociate_ctty).  The caller holds proc_lock.
 */
void tty_session_exit_locked(pid_t sid);

/*
 * The console as a new open file with f_flag flag, fstat's st_rdev rdev
 * (the device node it was opened by), into *fpp (one reference, the
 * caller's).  ctty: /dev/tty, the caller's controlling terminal, -ENXIO
 * if the console is not.  0, -ENXIO, -ENOMEM.  No locks held but
 * vfs_lock.
 */
int tty_open_file(int flag, unsigned rdev, bool ctty, struct file **fpp);

/*
 * True if the console is the controlling terminal of session sid; its
 * foreground group into *pgrpp.  The caller holds proc_lock.
 */
bool tty_console_ctty_locked(pid_t sid, pid_t *pgrpp);

#endif /* !_TTY_H_ */
