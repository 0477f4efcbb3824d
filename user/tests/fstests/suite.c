/*
 * fstests: the file system calls (see fs.h).
 *
 *   fstests [-t SECONDS] [NAME...]
 *   fstests -l
 *   fstests --exit-with N	the helper of the exec test: exits with N
 *   fstests --wait		the helper of the ETXTBSY test: writes a byte,
 *				reads stdin to its end, exits 0
 *
 * make test runs it with 1 and 4 CPUs; `make check TEST=fstests/NAME`
 * runs one test, `make check-linux TEST=fstests` all of them on Linux.
 */

#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char fs_dir[64];

static const struct test *const tables[] = {
	fs_files_tests,
	fs_names_tests,
	fs_stress_tests,
	fs_ns_tests,
	fs_calls_tests,
	fs_mmap_tests,
	fs_fifo_tests,
	NULL,
};

void
fs_enter(void)
{
	/* Linux's initramfs for make check-linux has no /tmp: make it. */
	(void)mkdir("/tmp", 01777);
	snprintf(fs_dir, sizeof(fs_dir), "/tmp/fst.%d", (int)getpid());
	fs_remove_tree(fs_dir); /* left by an earlier failed run */
	test_expect_ok(mkdir(fs_dir, 0755), "mkdir the test directory");
	test_expect_ok(chdir(fs_dir), "chdir to the test directory");
}

void
fs_leave(void)
{
	test_expect_ok(chdir("/"), "chdir /");
	fs_remove_tree(fs_dir);
	test_expect_errno(access(fs_dir, F_OK), ENOENT,
	    "the test directory is gone");
}

void
fs_remove_tree(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char sub[4096];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		test_expect_ok(unlink(path), path);
		return;
	}
	for (;;) {
		int found = 0;

		d = opendir(path);
		if (d == NULL)
			test_fail("opendir %s: %s", path, test_errname(errno));
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			fs_remove_tree(sub);
			found = 1;
		}
		closedir(d);
		if (!found)
			break;
	}
	test_expect_ok(rmdir(path), path);
}

void
fs_make_file(const char *path, size_t n, int c)
{
	static char buf[4096];
	int fd = test_expect_ok(open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644),
	    path);

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		test_expect_eq(write(fd, buf, k), k, "write");
		n -= k;
	}
	test_expect_ok(close(fd), "close");
}

long
fs_size(const char *path)
{
	struct stat st;

	test_expect_ok(stat(path, &st), path);
	return st.st_size;
}

/* Before the runner: the exec test's helper. */
static int
early(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], FS_EXIT_WITH) == 0)
		return atoi(argv[2]);
	if (argc >= 2 && strcmp(argv[1], FS_WAIT) == 0) {
		char c;

		if (write(1, "r", 1) != 1)
			return 1;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	return -1;
}

const struct test_suite test_suite = {
	.name = "fstests",
	.tables = tables,
	.timeout_s = 120,
	.early = early,
};
