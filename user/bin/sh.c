/*
 * sh: a small shell for the serial console.
 *
 *   sh                 interactive: a banner, then the prompt "$ " and one
 *                      command line at a time from fd 0
 *   sh -c 'COMMANDS'   runs COMMANDS and exits with the last status
 *   sh FILE            runs the lines of FILE and exits with the last status
 *
 * Syntax: words are separated by spaces or tabs; '...' quotes literally;
 * "..." quotes too, with \" and \\ inside; outside quotes \c stands for c.
 * "a | b | c" is a pipeline of any length; "a ; b" (or a newline inside
 * -c) runs a then b; "#" at the start of a word begins a comment.  A
 * command name with a '/' in it is a path; any other name is looked up in
 * each directory of $PATH, which is /bin when PATH is not set.  Builtins:
 * "exit [N]" and "help".
 *
 * The console is a terminal with a line discipline (kernel/tty.c): it
 * echoes and edits what is typed (Backspace, Ctrl-U, Ctrl-W), ends lines
 * on Enter and ends input on Ctrl-D at the start of a line.  The shell
 * still edits what it reads itself (erases on 0x7f or 0x08, empties the
 * line on Ctrl-U, drops it on Ctrl-C, takes Ctrl-D on an empty line as
 * end of input, ends a line on '\r' or '\n'), for a terminal that does
 * not, and echoes only when fd 0 is not a terminal that echoes by itself
 * (TCGETS shows no ECHO).  Commands run in the shell's process group,
 * which is the console's foreground group, so Ctrl-C reaches them; the
 * interactive shell itself ignores SIGINT and SIGQUIT.
 *
 * Status: a command's status is its exit code, or 128 + n if signal n
 * killed it (the shell then prints "[killed by signal n]"); a pipeline's
 * status is its last command's.  At the end of input the shell exits with
 * the last status.  The shell runs as init's child, so leaving it powers
 * the machine off.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAXLINE 1024 /* longest command line, in bytes */
#define MAXNAMES 256 /* most commands the banner lists per directory */

extern char **environ;

/*
 * A command line split into tokens.  Each token is a word or an operator;
 * an operator's word is NULL, so the words of each command, starting at
 * its first word, form a NULL-terminated argv.  There are at most as many
 * tokens as bytes in the line, and the words' text (each byte at most once,
 * plus a NUL per word) fits in twice that.
 */
enum token_kind {
	T_WORD,
	T_PIPE,
	T_SEMI
};

struct cmdline {
	int ntok;
	enum token_kind kind[MAXLINE + 1];
	char *word[MAXLINE + 1]; /* word[ntok] is NULL */
	char text[2 * MAXLINE + 2];
};

/* Where command lines come from. */
struct input {
	int fd;
	bool interactive; /* prompt, line editing, Ctrl keys */
	bool echo;        /* echo what is typed (the console does not) */
	bool last_cr;     /* the last byte read was '\r' */
};

static int last_status;

/* ------------------------------------------------------------------ */
/* Help. */

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print the sorted names of the entries of directory dir, wrapped. */
static void
list_commands(const char *dir)
{
	char *names[MAXNAMES];
	int n = 0, col;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL) {
		printf("  (cannot read %s: %s)\n", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL && n < MAXNAMES) {
		if (de->d_name[0] == '.')
			continue;
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);

	printf("Commands in %s:\n ", dir);
	col = 1;
	for (int i = 0; i < n; i++) {
		if (col + 1 + (int)strlen(names[i]) > 72) {
			printf("\n ");
			col = 1;
		}
		col += printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

/* Print what the shell is and how to use it. */
static void
print_help(void)
{
	const char *path = getenv("PATH");
	char dirs[MAXLINE];

	/* The commands: every directory of PATH (just /bin by default). */
	snprintf(dirs, sizeof(dirs), "%s", path != NULL ? path : "/bin");
	for (char *p = dirs, *dir; (dir = strsep(&p, ":")) != NULL;)
		if (*dir != '\0')
			list_commands(dir);

	printf(
	    "Builtins: help, exit [N].\n"
	    "Syntax:   cmd arg 'single quoted' \"double \\\"quoted\\\"\"\n"
	    "          cmd | cmd | cmd      (pipeline)\n"
	    "          cmd ; cmd            (one after the other)\n"
	    "          # comment\n"
	    "Keys:     Backspace erases, Ctrl-U empties the line, Ctrl-W a word;\n"
	    "          Ctrl-C stops the program running, Ctrl-D ends its input.\n"
	    "Leaving:  exit, exit N or Ctrl-D on an empty line.  The shell is\n"
	    "          init's child: leaving it powers the machine off.\n");
}

static void
print_banner(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		printf("\nsh: a small shell on %s %s (%s).\n", u.sysname,
		    u.release, u.machine);
	else
		printf("\nsh: a small shell.\n");
	print_help();
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* Reading and splitting command lines. */

static void
put(const char *s)
{
	(void)!write(1, s, strlen(s));
}

/* Skip the rest of an escape sequence (arrow keys and the like). */
static void
skip_escape(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1 || (c != '[' && c != 'O'))
		return;
	/* A CSI sequence ends with a byte in 0x40..0x7e. */
	while (read(fd, &c, 1) == 1 && !(c >= 0x40 && c <= 0x7e))
		;
}

/*
 * Read one line into buf (NUL-terminated, without its end of line).
 * Returns its length, or -1 at the end of input.  A line too long for buf
 * is read to its end, reported and returned empty.  Reads one byte at a
 * time, so that the programs the shell runs get the input after the line.
 */
static int
read_line(struct input *in, char *buf, size_t size)
{
	size_t len = 0;
	bool too_long = false;
	char c;

	for (;;) {
		ssize_t n = read(in->fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (len == 0 && !too_long)
				return -1;
			break; /* a last line without an end of line */
		}
		if (c == '\n' && in->last_cr) {
			in->last_cr = false;
			continue;
		}
		in->last_cr = (c == '\r');
		if (c == '\r' || c == '\n') {
			if (in->echo)
				put("\n");
			break;
		}
		if (in->interactive) {
			if (c == 0x7f || c == 0x08) { /* backspace */
				if (len > 0) {
					len--;
					if (in->echo)
						put("\b \b");
				}
				continue;
			}
			if (c == 0x15) { /* Ctrl-U */
				for (; len > 0; len--)
					if (in->echo)
						put("\b \b");
				continue;
			}
			if (c == 0x03) { /* Ctrl-C */
				if (in->echo)
					put("^C\n");
				len = 0;
				too_long = false;
				break;
			}
			if (c == 0x04) { /* Ctrl-D */
				if (len == 0)
					return -1;
				continue;
			}
			if (c == 0x1b) { /* Escape */
				skip_escape(in->fd);
				continue;
			}
			if (c == '\t')
				c = ' ';
			if ((unsigned char)c < 0x20)
				continue;
		}
		if (len + 1 >= size) {
			too_long = true;
			continue;
		}
		buf[len++] = c;
		if (in->echo)
			(void)!write(1, &c, 1);
	}
	if (too_long) {
		fprintf(stderr, "sh: line too long (at most %zu bytes)\n",
		    size - 1);
		len = 0;
	}
	buf[len] = '\0';
	return (int)len;
}

/*
 * Split the string s (at most MAXLINE bytes) into the tokens of cl.
 * Returns 0, or -1 after printing a message if the syntax is wrong.
 */
static int
split_line(const char *s, struct cmdline *cl)
{
	char *out = cl->text;
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (*s == '|' || *s == ';' || *s == '\n' || *s == '\r') {
			cl->kind[n] = *s == '|' ? T_PIPE : T_SEMI;
			cl->word[n++] = NULL;
			s++;
			continue;
		}
		cl->kind[n] = T_WORD;
		cl->word[n++] = out;
		while (*s != '\0' && strchr(" \t|;\n\r", *s) == NULL) {
			if (*s == '\'') {
				for (s++; *s != '\'' && *s != '\0';)
					*out++ = *s++;
				if (*s++ == '\0')
					goto unterminated;
			} else if (*s == '"') {
				for (s++; *s != '"' && *s != '\0';) {
					if (*s == '\\' &&
					    (s[1] == '"' || s[1] == '\\'))
						s++;
					*out++ = *s++;
				}
				if (*s++ == '\0')
					goto unterminated;
			} else if (*s == '\\' && s[1] != '\0') {
				s++;
				*out++ = *s++;
			} else {
				*out++ = *s++;
			}
		}
		*out++ = '\0';
	}
	cl->ntok = n;
	cl->word[n] = NULL;

	/* Each '|' needs a command on both sides. */
	for (int i = 0; i < n; i++) {
		if (cl->kind[i] != T_PIPE)
			continue;
		if (i == 0 || cl->kind[i - 1] != T_WORD || i + 1 == n ||
		    cl->kind[i + 1] != T_WORD) {
			fprintf(stderr, "sh: syntax error near '|'\n");
			return -1;
		}
	}
	return 0;

unterminated:
	fprintf(stderr, "sh: unterminated quote\n");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Running commands. */

/* The status of "exit [N]": N, or the last status; -1 if N is not a number. */
static int
exit_status_arg(char **argv)
{
	char *end;
	long n;

	if (argv[1] == NULL)
		return last_status;
	n = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || argv[2] != NULL) {
		fprintf(stderr, "sh: usage: exit [N]\n");
		return -1;
	}
	return (int)(n & 0xff);
}

/* Run argv if it is a builtin and return its status; -1 if it is not one. */
static int
run_builtin(char **argv)
{
	if (strcmp(argv[0], "help") == 0) {
		print_help();
		return 0;
	}
	if (strcmp(argv[0], "exit") == 0) {
		int st = exit_status_arg(argv);

		if (st < 0)
			return 2;
		exit(st);
	}
	return -1;
}

/*
 * In a child: run argv, a builtin or a program found as described at the
 * top.  Does not return; the status is 127 if the program is not found
 * and 126 if it cannot be run.
 */
static void
exec_command(char **argv)
{
	const char *path = getenv("PATH");
	char file[MAXLINE];
	int st, err = ENOENT;

	if ((st = run_builtin(argv)) >= 0)
		_exit(st);

	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, environ);
		err = errno;
	} else {
		/* Try each directory of PATH; report the first error that is not ENOENT. */
		const char *dir = path != NULL ? path : "/bin";

		for (;;) {
			size_t dlen = strcspn(dir, ":");
			int n = snprintf(file, sizeof(file), "%.*s/%s",
			    (int)dlen, dir, argv[0]);

			if (dlen > 0 && n > 0 && (size_t)n < sizeof(file)) {
				execve(file, argv, environ);
				if (err == ENOENT)
					err = errno;
			}
			if (dir[dlen] == '\0')
				break;
			dir += dlen + 1;
		}
	}
	if (err == ENOENT) {
		fprintf(stderr, "sh: %s: not found\n", argv[0]);
		_exit(127);
	}
	fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(err));
	_exit(126);
}

/* Wait for pid; return its status as described at the top. */
static int
wait_for(pid_t pid, bool report_sigpipe)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "sh: waitpid: %s\n", strerror(errno));
			return 1;
		}
	}
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) != SIGPIPE || report_sigpipe)
			fprintf(stderr, "[killed by signal %d]\n",
			    WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/*
 * Run the pipeline cmds[0] | ... | cmds[n-1]: one child per command, each
 * reading the previous one's output; then wait for all of them.  Returns
 * the status of the last command, or 1 if a pipe or a child could not be
 * made (the commands already started still run to their end).
 */
static int
run_pipeline(char ***cmds, int n)
{
	pid_t pids[MAXLINE];
	int started = 0, status = 0, in = -1;

	/* A lone builtin runs in the shell itself, so "exit" can leave it. */
	if (n == 1 && (status = run_builtin(cmds[0])) >= 0)
		return status;

	for (int i = 0; i < n; i++) {
		int p[2] = { -1, -1 };
		pid_t pid;

		if (i + 1 < n && pipe(p) < 0) {
			fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
			break;
		}
		if ((pid = fork()) < 0) {
			fprintf(stderr, "sh: fork: %s\n", strerror(errno));
			if (p[0] >= 0) {
				close(p[0]);
				close(p[1]);
			}
			break;
		}
		if (pid == 0) {
			/* The interactive shell ignores these; its commands
			 * take them. */
			signal(SIGINT, SIG_DFL);
			signal(SIGQUIT, SIG_DFL);
			if (in >= 0) {
				dup2(in, 0);
				close(in);
			}
			if (p[1] >= 0) {
				dup2(p[1], 1);
				close(p[1]);
				close(p[0]);
			}
			exec_command(cmds[i]);
		}
		pids[started++] = pid;
		if (in >= 0)
			close(in);
		if (p[1] >= 0)
			close(p[1]);
		in = p[0];
	}
	if (in >= 0)
		close(in);

	for (int i = 0; i < started; i++)
		status = wait_for(pids[i], i == n - 1);
	return started == n ? status : 1;
}

/* Run every pipeline of cl in turn; return the last one's status. */
static int
run_cmdline(struct cmdline *cl)
{
	static char **cmds[MAXLINE];
	int ncmds = 0;

	for (int i = 0; i <= cl->ntok; i++) {
		if (i < cl->ntok && cl->kind[i] == T_WORD) {
			if (i == 0 || cl->kind[i - 1] != T_WORD)
				cmds[ncmds++] = &cl->word[i];
			continue;
		}
		if (i < cl->ntok && cl->kind[i] == T_PIPE)
			continue;
		/* ';' or the end: run the pipeline collected so far. */
		if (ncmds > 0)
			last_status = run_pipeline(cmds, ncmds);
		ncmds = 0;
	}
	return last_status;
}

/* Split and run one line of commands; a syntax error has status 2. */
static void
run_string(const char *s)
{
	static struct cmdline cl;

	if (strlen(s) > MAXLINE) {
		fprintf(stderr, "sh: command too long (at most %d bytes)\n",
		    MAXLINE);
		last_status = 2;
		return;
	}
	if (split_line(s, &cl) < 0) {
		last_status = 2;
		return;
	}
	run_cmdline(&cl);
}

/* Read and run lines from in until its end; return the last status. */
static int
run_input(struct input *in)
{
	char line[MAXLINE + 1];

	for (;;) {
		if (in->interactive)
			put("$ ");
		if (read_line(in, line, sizeof(line)) < 0)
			break;
		run_string(line);
	}
	if (in->interactive && in->echo)
		put("\n");
	return last_status;
}

int
main(int argc, char **argv)
{
	struct input in = { .fd = 0 };
	struct termios t;

	/* Unbuffered: nothing is left in a buffer when the shell forks. */
	setvbuf(stdout, NULL, _IONBF, 0);

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		run_string(argv[2]);
		return last_status;
	}
	if (argc > 1) {
		if (argv[1][0] == '-') {
			fprintf(stderr, "usage: sh [-c COMMANDS | FILE]\n");
			return 2;
		}
		if ((in.fd = open(argv[1], O_RDONLY)) < 0) {
			fprintf(stderr, "sh: %s: %s\n", argv[1],
			    strerror(errno));
			return 127;
		}
		return run_input(&in);
	}

	in.interactive = true;
	in.echo = !(tcgetattr(0, &t) == 0 && (t.c_lflag & ECHO));
	/* A person reads this terminal: "\n" starts a new line (ONLCR). */
	if (tcgetattr(0, &t) == 0) {
		t.c_oflag |= OPOST | ONLCR;
		tcsetattr(0, TCSANOW, &t);
	}
	/* Ctrl-C and Ctrl-\ end the command running, not the shell. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	print_banner();
	return run_input(&in);
}
