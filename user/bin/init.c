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
 *
 * As BusyBox's init, it takes SIGUSR2 as "power off", SIGTERM as
 * "reboot" and SIGUSR1 as "halt" (what BusyBox's poweroff, reboot and
 * halt send without -f): it ends every other process (SIGTERM, a second
 * for them to go, then SIGKILL) and calls reboot(2).
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/reboot.h>
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

/*
 * End every other process, reaping them, and call reboot(cmd): SIGTERM
 * to all, a second for them to exit, then SIGKILL.  Does not return.
 * Only async-signal-safe calls: it runs in the signal handler.
 */
static void
shut_down(int cmd)
{
	static const char msg[] = "init: the system is going down\n";
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	(void)!write(2, msg, sizeof(msg) - 1);
	kill(-1, SIGTERM);
	for (int i = 0; i < 20; i++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (kill(-1, 0) < 0 && errno == ESRCH)
			break;
		nanosleep(&tick, NULL);
	}
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	sync();
	reboot(cmd);
	_exit(127);
}

/*
 * The shutdown signals, handled at once: the other signals are blocked
 * meanwhile (sa_mask), so a second request waits for good.
 */
static void
on_shutdown_signal(int sig)
{
	shut_down(sig == SIGUSR2 ? RB_POWER_OFF :
		sig == SIGTERM   ? RB_AUTOBOOT :
				   RB_HALT_SYSTEM);
}

static void
catch_shutdown_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_shutdown_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
main(int argc, char **argv)
{
	char *login_shell[] = { "-sh", NULL };
	char **child_argv = argc > 1 ? argv + 1 : login_shell;
	const char *path = argc > 1 ? argv[1] : "/bin/sh";
	pid_t child;
	int status;

	catch_shutdown_signals();
	child = start_child(path, child_argv);

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
