/*
 * hello: a first program that exercises the basics together.  The parent
 * builds a message in malloc'ed memory and writes it into a pipe; a forked
 * child reads it, prints it with printf, checks it against its own
 * copy-on-write copy of the message and exits with CHILD_OK if they match.
 * The parent waits for the child, checks that status and reports.  Exits 0
 * when everything worked, 1 otherwise.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_OK \
	42 /* the child's exit status when the message arrived intact */

/* Read up to size - 1 bytes from fd until its end into buf; NUL-terminate. */
static size_t
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (
	    len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* The child: print what comes through the pipe and compare it with msg. */
static int
child(int fd, const char *msg)
{
	char buf[256];

	read_all(fd, buf, sizeof(buf));
	printf("hello: child %d read \"%s\"\n", getpid(), buf);
	return strcmp(buf, msg) == 0 ? CHILD_OK : 1;
}

static int
fail(const char *what)
{
	fprintf(stderr, "hello: %s: %s\n", what, strerror(errno));
	return 1;
}

int
main(void)
{
	size_t size = 128;
	char *msg = malloc(size);
	int fds[2], st;
	size_t len;
	pid_t pid;

	if (msg == NULL)
		return fail("malloc");
	len = snprintf(msg, size, "hello, world, from parent %d through a pipe",
	    getpid());

	if (pipe(fds) < 0)
		return fail("pipe");
	fflush(stdout); /* nothing buffered is copied into the child */
	if ((pid = fork()) < 0)
		return fail("fork");
	if (pid == 0) {
		close(fds[1]);
		exit(child(fds[0], msg)); /* exit() flushes the printf */
	}

	close(fds[0]);
	if (write(fds[1], msg, len) != (ssize_t)len)
		return fail("write");
	close(fds[1]);
	free(msg);

	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != CHILD_OK) {
		printf(
		    "hello: child %d failed (wait status 0x%x, expected exit %d)\n",
		    pid, st, CHILD_OK);
		return 1;
	}
	printf("hello: child %d exited with %d as expected: fork, pipe, malloc "
	       "and printf work\n",
	    pid, CHILD_OK);
	return 0;
}
