/*
 * ls: list each directory named as an argument (default "/"), one entry
 * a line, sorted by name: its type ('d' directory, '-' regular file, 'c'
 * character device, 'p' pipe, '?' other), its size in bytes and its name.
 * A file that is not a directory is listed as itself.  Exits 1 if some
 * name could not be listed.
 *
 * The kernel has no stat(): each entry is opened and fstat()ed instead.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Get the status of the file at path with open and fstat; 0 or -1. */
static int
stat_path(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	int r;

	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}

static char
type_char(mode_t mode)
{
	if (S_ISDIR(mode))
		return 'd';
	if (S_ISREG(mode))
		return '-';
	if (S_ISCHR(mode))
		return 'c';
	if (S_ISFIFO(mode))
		return 'p';
	return '?';
}

/* Print the line for the file at path, shown as name. */
static void
print_entry(const char *path, const char *name)
{
	struct stat st;

	if (stat_path(path, &st) < 0)
		printf("? %10s %s (%s)\n", "", name, strerror(errno));
	else
		printf("%c %10lld %s%s\n", type_char(st.st_mode),
		    (long long)st.st_size, name,
		    S_ISDIR(st.st_mode) ? "/" : "");
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List directory dir; return 0, or -1 with errno set. */
static int
list_dir(const char *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **more = realloc(names,
			    (cap = cap ? 2 * cap : 32) * sizeof(*names));

			if (more == NULL)
				break;
			names = more;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);

		if (path != NULL) {
			snprintf(path, len, "%s%s%s", dir,
			    dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
			print_entry(path, names[i]);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int
main(int argc, char **argv)
{
	char *root[] = { "/", NULL };
	char **names = argc > 1 ? argv + 1 : root;
	int status = 0;

	for (int i = 0; names[i] != NULL; i++) {
		struct stat st;

		if (stat_path(names[i], &st) < 0) {
			fprintf(stderr, "ls: %s: %s\n", names[i],
			    strerror(errno));
			status = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			print_entry(names[i], names[i]);
			continue;
		}
		if (names[1] != NULL)
			printf("%s%s:\n", i > 0 ? "\n" : "", names[i]);
		if (list_dir(names[i]) < 0) {
			fprintf(stderr, "ls: %s: %s\n", names[i],
			    strerror(errno));
			status = 1;
		}
	}
	return status;
}
