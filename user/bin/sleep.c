/*
 * sleep: wait for the number of seconds given as the argument, which may
 * have a fraction ("sleep 0.25"), with nanosleep.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct timespec ts;
	char *end;
	double secs;

	if (argc != 2 || (secs = strtod(argv[1], &end), *end != '\0') ||
	    end == argv[1] || !(secs >= 0 && secs < 1e9)) {
		fprintf(stderr, "usage: sleep SECONDS\n");
		return 2;
	}
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);

	/* On EINTR, ts holds the time still to wait. */
	while (nanosleep(&ts, &ts) < 0) {
		if (errno != EINTR) {
			perror("sleep: nanosleep");
			return 1;
		}
	}
	return 0;
}
