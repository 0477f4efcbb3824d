/*
 * uname: print the system's name, as uname(2) reports it.  Options pick
 * the fields, in this order: -s system name (the default), -n node name,
 * -r release, -v version, -m machine; -a all of them.
 */

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int
main(int argc, char **argv)
{
	struct utsname u;
	const char *fields[5];
	int want[5] = { 0 }, any = 0, n = 0;
	const char *letters = "snrvm";

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			goto usage;
		for (const char *c = argv[i] + 1; *c != '\0'; c++) {
			const char *pos =
			    *c == 'a' ? NULL : strchr(letters, *c);

			if (*c == 'a')
				for (int f = 0; f < 5; f++)
					want[f] = 1;
			else if (pos != NULL)
				want[pos - letters] = 1;
			else
				goto usage;
			any = 1;
		}
	}
	if (!any)
		want[0] = 1;

	if (uname(&u) < 0) {
		perror("uname");
		return 1;
	}
	fields[0] = u.sysname;
	fields[1] = u.nodename;
	fields[2] = u.release;
	fields[3] = u.version;
	fields[4] = u.machine;
	for (int f = 0; f < 5; f++)
		if (want[f])
			printf("%s%s", n++ > 0 ? " " : "", fields[f]);
	printf("\n");
	return 0;

usage:
	fprintf(stderr, "usage: uname [-asnrvm]\n");
	return 2;
}
