/*
 * init: the first process (pid 1).
 *
 * The kernel starts it with fds 0, 1 and 2 open on the console, argv[0]
 * its own path and argv[1..] the words after a lone "--" on the kernel
 * command line.  init opens nothing.
 *
 * With arguments, init runs the program argv[1] (an absolute path; no
 * search) with argv[1..] as its arguments; without, it runs /bin/sh (BusyBox
 * ash) as a login shell, argv[0] "-sh", which reads /etc/profile.  That
 * program is init's one child.  init then waits for processes to end:
 * orphans, which the kernel gives to init, are reaped as they come.  When
 * its child ends, init reaps whatever else has already ended, without
 * blocking, and exits with the child's exit code, or with 128 + n if
 * signal n killed it.  The kernel reports init's exit status and powers
 * the machine off.
 *
 * If the child cannot be started (fork or execve fails), init prints why
 * and the status is 127.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Start the program at path in a child process with argv and return its
 * pid; exit 127 if fork fails.
 */
static pid_t
start_child(const char *path, char **argv)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		_exit(127);
	}
	if (pid == 0) {
		execve(path, argv, environ);
		fprintf(stderr, "init: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

int
main(int argc, char **argv)
{
	char *login_shell[] = { "-sh", NULL };
	char **child_argv = argc > 1 ? argv + 1 : login_shell;
	const char *path = argc > 1 ? argv[1] : "/bin/sh";
	pid_t child = start_child(path, child_argv);
	int status;

	/* Reap everything that ends until the child itself ends. */
	for (;;) {
		int st;
		pid_t pid = wait4(-1, &st, 0, NULL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "init: wait4: %s\n", strerror(errno));
			return 127;
		}
		if (pid == child) {
			status = st;
			break;
		}
	}

	/* Reap the orphans that have already ended; do not wait for others. */
	while (wait4(-1, NULL, WNOHANG, NULL) > 0)
		;

	if (WIFSIGNALED(status)) {
		fprintf(stderr, "init: %s killed by signal %d\n", path,
		    WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
