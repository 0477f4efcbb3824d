/*
 * cat: copy each file named as an argument, or standard input when there
 * is none ("-" names it too), to standard output.  Exits 1 if some file
 * could not be read, after going on with the others.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Copy fd to standard output; return 0, or -1 with errno set. */
static int
copy(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(1, buf + done, n - done);

			if (w < 0 && errno != EINTR)
				return -1;
			if (w > 0)
				done += w;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		if (copy(0) < 0) {
			fprintf(stderr, "cat: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int stdin_arg = strcmp(argv[i], "-") == 0;
		int fd = stdin_arg ? 0 : open(argv[i], O_RDONLY);

		if (fd < 0 || copy(fd) < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i],
			    strerror(errno));
			status = 1;
		}
		if (fd > 0)
			close(fd);
	}
	return status;
}
