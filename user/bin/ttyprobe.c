/*
 * ttyprobe: a tiny job-control shell for testing the terminal by typing
 * (tests/tty-test.sh drives it over the serial console).
 *
 *   ttyprobe
 *
 * Prints the prompt "ttyprobe> " and reads one command a line from fd 0
 * (the terminal, in canonical mode).  Each command runs in a child put
 * in a process group of its own and made the terminal's foreground group
 * (tcsetpgrp), as a shell runs a job; when it ends the prompt comes back
 * with "[exit N]" or "[signal N]".  When the job stops (Ctrl-Z) ttyprobe
 * takes the terminal back, prints "[stopped by signal N]" and the prompt
 * "job> ": "fg" gives the terminal back to the job and continues it
 * (SIGCONT), anything else kills it.  "quit" or end of input (Ctrl-D)
 * ends ttyprobe.
 *
 * The commands:
 *   lines         read(0) until it returns 0, printing what each read
 *                 returned: read N "TEXT" (\n, \t, \xNN escaped)
 *   line          "reading", then one read(0), printed so
 *   sleep         nanosleep 20 s with a SIGINT handler: prints
 *                 "interrupted by SIGINT" when ^C ends the sleep
 *   sleepdefault  nanosleep 20 s with SIGINT's default action
 *   raw           raw mode (no ICANON, ECHO, ISIG, IEXTEN, ICRNL; VMIN 1):
 *                 four reads of one byte, each printed as "key 0xNN"
 *   vtime         raw mode with VMIN 0, VTIME 3: one read with no input
 *                 waiting, printed as "vtime read N"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_sigint;

/* Write s to fd 1, all of it. */
static void
say(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(1, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Print what a read returned: read N "TEXT", escaped. */
static void
print_read(const char *buf, ssize_t n)
{
	char out[1200];
	size_t o;

	o = (size_t)snprintf(out, sizeof(out), "read %zd \"", n);
	for (ssize_t i = 0; i < n && o + 8 < sizeof(out); i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\t");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	snprintf(out + o, sizeof(out) - o, "\"\n");
	say(out);
}

static int
cmd_lines(int once)
{
	char buf[1024];
	ssize_t n;

	if (once)
		say("reading\n");
	do {
		n = read(0, buf, sizeof(buf));
		if (n < 0) {
			printf("read failed: %s\n", strerror(errno));
			return 1;
		}
		print_read(buf, n);
	} while (!once && n > 0);
	return 0;
}

static void
on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

static int
cmd_sleep(int handler)
{
	struct timespec ts = { 20, 0 };

	if (handler) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, NULL);
	}
	say("sleeping\n");
	if (nanosleep(&ts, NULL) != 0 && errno == EINTR && got_sigint) {
		say("interrupted by SIGINT\n");
		return 0;
	}
	say("not interrupted\n");
	return 1;
}

/* Raw mode with vmin and vtime; *saved gets the settings before. */
static int
make_raw(struct termios *saved, int vmin, int vtime)
{
	struct termios t;

	if (tcgetattr(0, saved) != 0)
		return -1;
	t = *saved;
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = (cc_t)vmin;
	t.c_cc[VTIME] = (cc_t)vtime;
	return tcsetattr(0, TCSAFLUSH, &t);
}

static int
cmd_raw(void)
{
	struct termios saved;
	char c, line[32];

	if (make_raw(&saved, 1, 0) != 0) {
		printf("raw mode failed: %s\n", strerror(errno));
		return 1;
	}
	say("raw\n");
	for (int i = 0; i < 4; i++) {
		if (read(0, &c, 1) != 1)
			break;
		snprintf(line, sizeof(line), "key 0x%02x\n", (unsigned char)c);
		say(line);
	}
	tcsetattr(0, TCSAFLUSH, &saved);
	return 0;
}

static int
cmd_vtime(void)
{
	struct termios saved;
	char buf[8], line[32];
	ssize_t n;

	if (make_raw(&saved, 0, 3) != 0) {
		printf("raw mode failed: %s\n", strerror(errno));
		return 1;
	}
	n = read(0, buf, sizeof(buf));
	tcsetattr(0, TCSAFLUSH, &saved);
	snprintf(line, sizeof(line), "vtime read %zd\n", n);
	say(line);
	return 0;
}

static int
run_command(const char *cmd)
{
	if (strcmp(cmd, "lines") == 0)
		return cmd_lines(0);
	if (strcmp(cmd, "line") == 0)
		return cmd_lines(1);
	if (strcmp(cmd, "sleep") == 0)
		return cmd_sleep(1);
	if (strcmp(cmd, "sleepdefault") == 0)
		return cmd_sleep(0);
	if (strcmp(cmd, "raw") == 0)
		return cmd_raw();
	if (strcmp(cmd, "vtime") == 0)
		return cmd_vtime();
	printf("ttyprobe: no command '%s'\n", cmd);
	return 127;
}

/* Read one line from fd 0 without its newline; -1 at end of input. */
static int
read_line(const char *prompt, char *buf, size_t size)
{
	ssize_t n;

	say(prompt);
	n = read(0, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Run cmd as a foreground job, as a shell would. */
static void
job(const char *cmd)
{
	char line[64], msg[64];
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("fork failed: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGTTOU, SIG_DFL);
		/* Until the parent has made our group the foreground. */
		while (tcgetpgrp(0) != getpid())
			usleep(1000);
		status = run_command(cmd);
		fflush(stdout);
		_exit(status);
	}
	setpgid(pid, pid);
	tcsetpgrp(0, pid);
	for (;;) {
		if (waitpid(pid, &status, WUNTRACED) < 0) {
			printf("waitpid failed: %s\n", strerror(errno));
			return;
		}
		tcsetpgrp(0, getpgrp());
		if (!WIFSTOPPED(status))
			break;
		snprintf(msg, sizeof(msg), "[stopped by signal %d]\n",
		    WSTOPSIG(status));
		say(msg);
		if (read_line("job> ", line, sizeof(line)) == 0 &&
		    strcmp(line, "fg") == 0) {
			tcsetpgrp(0, pid);
			kill(-pid, SIGCONT);
			continue;
		}
		kill(-pid, SIGKILL);
		kill(-pid, SIGCONT);
	}
	if (WIFEXITED(status))
		snprintf(msg, sizeof(msg), "[exit %d]\n", WEXITSTATUS(status));
	else
		snprintf(msg, sizeof(msg), "[signal %d]\n", WTERMSIG(status));
	say(msg);
}

int
main(void)
{
	struct termios t;
	char line[128];

	/* The shell's own signals: the jobs get the terminal's. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	setvbuf(stdout, NULL, _IONBF, 0);
	/* As a shell for a person: ONLCR on (the console starts without). */
	if (tcgetattr(0, &t) == 0 && !(t.c_oflag & ONLCR)) {
		t.c_oflag |= OPOST | ONLCR;
		tcsetattr(0, TCSANOW, &t);
	}
	say(isatty(0) ? "ttyprobe: fd 0 is a terminal\n" :
			"ttyprobe: fd 0 is not a terminal\n");
	while (read_line("ttyprobe> ", line, sizeof(line)) == 0) {
		if (strcmp(line, "quit") == 0)
			return 0;
		if (line[0] != '\0')
			job(line);
	}
	say("ttyprobe: end of input\n");
	return 0;
}
