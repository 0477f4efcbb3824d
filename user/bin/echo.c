/*
 * echo: write the arguments, separated by single spaces, and a newline to
 * standard output.  "-n" as the first argument leaves the newline out.
 */

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	int i = 1, newline = 1;

	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc; i++)
		printf("%s%s", i > first ? " " : "", argv[i]);
	if (newline)
		printf("\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
