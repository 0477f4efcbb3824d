/*
 * ttytests: the console as a terminal, as far as a program can test it
 * without anyone typing (tests/tty-test.sh types at it).  Typed input
 * is simulated with TIOCSTI, which puts a byte through the line
 * discipline as if it came from the keyboard.
 *
 *   termios.c   termios round trips, window size and SIGWINCH, isatty, poll,
 *               FIONREAD, FIONBIO, canonical editing and VMIN/VTIME
 *               through TIOCSTI, ISIG to the foreground group
 *   jobctl.c    TIOCGPGRP/TIOCSPGRP/TIOCGSID errors, TIOCSCTTY and
 *               TIOCNOTTY, SIGTTIN to a background reader, SIGTTOU with
 *               TOSTOP
 *
 * Every test that uses the console needs our kernel (the console there is
 * the controlling terminal of session 0, tty.h); on Linux they are
 * skipped.  A test that changes the terminal puts it back (tty_save /
 * tty_restore) so that the runner's output stays as it was.
 */
#ifndef TTY_TESTS_H
#define TTY_TESTS_H

#include "test.h"

#include <signal.h>
#include <termios.h>

#define TTY_MS 1000000ULL
#define TTY_NATIVE "the console is session 0's controlling terminal"

extern const struct test tty_termios_tests[];
extern const struct test tty_jobctl_tests[];

/* sigaction(sig) with handler fn (SIG_IGN, SIG_DFL too); fails on error. */
void tty_handle(int sig, void (*fn)(int));

/*
 * Save the console's settings and foreground group, and turn echo off
 * (input pushed with TIOCSTI would be echoed into the test output).
 * tty_restore puts them back and flushes what input is left.
 */
void tty_save(void);
void tty_restore(void);

/* Push the bytes of s as typed input (TIOCSTI), or fail. */
void tty_type(const char *s);

/*
 * Make the calling process a group of its own and the foreground group
 * (SIGTTOU is ignored, as a shell does).
 */
void tty_foreground_self(void);

#endif /* TTY_TESTS_H */
