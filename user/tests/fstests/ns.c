/*
 * ns.c: the name space beyond the root - the devices of /dev, mount and
 * umount2 of a tmpfs, statfs, chroot, and /proc's files.
 *
 * Linux's test initramfs has no /dev or /proc: ns_prepare mounts them
 * there (devtmpfs and proc, as our kernel does at boot).
 */

#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

/* /dev and /proc mounted, on Linux's bare initramfs too. */
static void
ns_prepare(void)
{
	struct stat st;

	if (stat("/dev/null", &st) != 0) {
		(void)mkdir("/dev", 0755);
		test_expect_ok(mount("devtmpfs", "/dev", "devtmpfs", 0, NULL),
		    "mount devtmpfs on /dev");
	}
	if (stat("/proc/self", &st) != 0) {
		(void)mkdir("/proc", 0555);
		test_expect_ok(mount("proc", "/proc", "proc", 0, NULL),
		    "mount proc on /proc");
	}
}

/* The whole of a (small) file into buf, NUL-terminated: its length. */
static size_t
ns_read_file(const char *path, char *buf, size_t size)
{
	int fd = test_expect_ok(open(path, O_RDONLY), path);
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	test_expect_ok(close(fd), "close");
	buf[len] = '\0';
	return len;
}

static void
t_dev_null(void)
{
	char buf[64];
	int fd;

	ns_prepare();
	fd = test_expect_ok(open("/dev/null", O_RDWR), "open /dev/null");
	test_expect_eq(read(fd, buf, sizeof(buf)), 0, "read: end of file");
	test_expect_eq(write(fd, buf, sizeof(buf)), sizeof(buf),
	    "write: all of it swallowed");
	test_expect_eq(pwrite(fd, buf, 10, 1000), 10, "pwrite");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(
	    open("/dev/null", O_WRONLY | O_TRUNC | O_CREAT, 0644),
	    "open /dev/null O_CREAT|O_TRUNC (as a shell's > /dev/null)");
	test_expect_eq(write(fd, "x", 1), 1, "write");
	test_expect_errno(read(fd, buf, 1), EBADF, "read of a write-only fd");
	test_expect_ok(close(fd), "close");
}

static void
t_dev_zero_full(void)
{
	static char buf[8192];
	int fd;

	ns_prepare();
	fd = test_expect_ok(open("/dev/zero", O_RDWR), "open /dev/zero");
	memset(buf, 'x', sizeof(buf));
	test_expect_eq(read(fd, buf, sizeof(buf)), sizeof(buf), "read 8 KiB");
	test_expect_bytes(buf, sizeof(buf), 0, "zeros");
	test_expect_eq(write(fd, buf, 100), 100, "write swallowed");
	test_expect_ok(close(fd), "close");

	fd = test_expect_ok(open("/dev/full", O_RDWR), "open /dev/full");
	test_expect_errno(write(fd, buf, 1), ENOSPC, "write: ENOSPC");
	memset(buf, 'x', 16);
	test_expect_eq(read(fd, buf, 16), 16, "read");
	test_expect_bytes(buf, 16, 0, "zeros");
	test_expect_ok(close(fd), "close");
}

static void
t_dev_random(void)
{
	unsigned char a[64], b[64];
	int fd, zero = 1;

	ns_prepare();
	fd =
	    test_expect_ok(open("/dev/urandom", O_RDONLY), "open /dev/urandom");
	test_expect_eq(read(fd, a, sizeof(a)), sizeof(a), "read 64 bytes");
	test_expect_eq(read(fd, b, sizeof(b)), sizeof(b), "read 64 more");
	test_assert_msg(memcmp(a, b, sizeof(a)) != 0, "two reads differ");
	for (size_t i = 0; i < sizeof(a); i++)
		zero &= a[i] == 0;
	test_assert_msg(!zero, "not all zeros");
	test_expect_errno(read(fd, (void *)8, 16), EFAULT, "a bad buffer");
	test_expect_ok(close(fd), "close");
	fd = test_expect_ok(open("/dev/random", O_RDONLY), "open /dev/random");
	test_expect_eq(read(fd, a, 16), 16, "read /dev/random");
	test_expect_ok(close(fd), "close");
}

static void
t_dev_stat(void)
{
	static const struct {
		const char *path;
		unsigned major, minor;
	} devs[] = {
		{ "/dev/null", 1, 3 },
		{ "/dev/zero", 1, 5 },
		{ "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 },
		{ "/dev/urandom", 1, 9 },
		{ "/dev/tty", 5, 0 },
		{ "/dev/console", 5, 1 },
		{ "/dev/ttyS0", 4, 64 },
	};
	int seen_null = 0, seen_zero = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	ns_prepare();
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		test_expect_ok(stat(devs[i].path, &st), devs[i].path);
		test_assert_msg(S_ISCHR(st.st_mode), "%s is a character device",
		    devs[i].path);
		test_expect_eq(major(st.st_rdev), devs[i].major, devs[i].path);
		test_expect_eq(minor(st.st_rdev), devs[i].minor, devs[i].path);
	}
	d = opendir("/dev");
	test_assert_msg(d != NULL, "opendir /dev");
	while ((de = readdir(d)) != NULL) {
		seen_null |= strcmp(de->d_name, "null") == 0;
		seen_zero |=
		    strcmp(de->d_name, "zero") == 0 && de->d_type == DT_CHR;
	}
	closedir(d);
	test_assert_msg(seen_null && seen_zero, "/dev lists null and zero");
}

static void
t_mount_tmpfs(void)
{
	struct stat st, top, root;
	struct statfs sf;
	char buf[8192];
	int fd;

	fs_enter();
	test_expect_ok(mkdir("m", 0755), "mkdir m");
	test_expect_ok(stat(".", &top), "stat .");
	test_expect_ok(mount("none", "m", "tmpfs", 0, "size=1m,mode=700"),
	    "mount tmpfs size=1m,mode=700");
	test_expect_ok(stat("m", &root), "stat m");
	test_expect_eq(root.st_mode, S_IFDIR | 0700, "the root's mode");
	test_assert_msg(root.st_dev != top.st_dev, "its own st_dev");
	fd = test_expect_ok(open("m/f", O_CREAT | O_RDWR, 0644), "create m/f");
	memset(buf, 'a', sizeof(buf));
	test_expect_eq(write(fd, buf, sizeof(buf)), sizeof(buf), "write 8 KiB");
	test_expect_ok(statfs("m", &sf), "statfs m");
	test_expect_hex(sf.f_type, TMPFS_MAGIC, "f_type");
	test_expect_eq(sf.f_bsize, 4096, "f_bsize");
	test_expect_eq(sf.f_blocks, 256, "f_blocks: 1 MiB");
	test_expect_eq(sf.f_bfree, 254, "f_bfree: two pages used");
	test_expect_ok(fstatfs(fd, &sf), "fstatfs");
	test_expect_eq(sf.f_blocks, 256, "fstatfs f_blocks");
	test_expect_errno(umount("m"), EBUSY, "umount with a file open");
	test_expect_errno(rename("m/f", "g"), EXDEV, "rename out of it");
	test_expect_errno(link("m/f", "g"), EXDEV, "link out of it");
	test_expect_errno(rmdir("m"), EBUSY, "rmdir of the mount point");
	test_expect_ok(close(fd), "close");

	/* ".." at its root is the covered directory's parent. */
	test_expect_ok(chdir("m"), "chdir m");
	test_expect_ok(stat("..", &st), "stat ..");
	test_expect_eq(st.st_ino, top.st_ino, "\"..\" leaves the mount");
	test_expect_errno(umount2(".", 0), EBUSY, "umount of the cwd's mount");
	test_expect_ok(chdir(".."), "chdir ..");

	test_expect_ok(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL),
	    "remount read-only");
	test_expect_errno(open("m/g", O_CREAT | O_WRONLY, 0644), EROFS,
	    "create on a read-only mount");
	test_expect_errno(open("m/f", O_WRONLY), EROFS, "open for writing");
	test_expect_ok(statfs("m", &sf), "statfs");
	test_assert_msg(sf.f_flags & 1, "ST_RDONLY");
	test_expect_ok(mount(NULL, "m", NULL, MS_REMOUNT, NULL), "remount rw");
	test_expect_ok(mkdir("m/d", 0755), "mkdir in it");
	test_expect_ok(mount("none", "m/d", "tmpfs", 0, NULL), "a mount in it");
	test_expect_errno(umount("m"), EBUSY, "umount with a mount below");
	test_expect_ok(umount("m/d"), "umount the lower one");
	test_expect_ok(umount("m"), "umount");
	test_expect_errno(stat("m/f", &st), ENOENT, "its files are gone");
	test_expect_ok(stat("m", &st), "stat m");
	test_expect_eq(st.st_dev, top.st_dev, "back on the parent's device");
	fs_leave();
}

static void
t_mount_errors(void)
{
	struct statfs sf;

	fs_enter();
	test_expect_ok(mkdir("m", 0755), "mkdir m");
	test_expect_errno(umount("m"), EINVAL, "umount of a plain directory");
	test_expect_errno(umount("nosuch"), ENOENT, "umount of nothing");
	test_expect_errno(umount2("m", 0x100), EINVAL, "umount2 unknown flag");
	test_expect_errno(mount("none", "m", "nosuchfs", 0, NULL), ENODEV,
	    "an unknown type");
	test_expect_errno(mount("none", "nosuch", "tmpfs", 0, NULL), ENOENT,
	    "no target");
	test_expect_ok(close(open("f", O_CREAT | O_WRONLY, 0644)), "create f");
	test_expect_errno(mount("none", "f", "tmpfs", 0, NULL), ENOTDIR,
	    "a file as the target");
	test_expect_errno(mount("none", "m", "tmpfs", 0, "nosuchopt=1"), EINVAL,
	    "an unknown option");
	test_expect_errno(mount("none", "m", (const char *)8, 0, NULL), EFAULT,
	    "a bad type pointer");
	test_expect_errno(mount(NULL, "m", NULL, MS_REMOUNT, NULL), EINVAL,
	    "remount of a plain directory");
	test_expect_errno(statfs((const char *)8, &sf), EFAULT,
	    "statfs of a bad path");
	test_expect_errno(fstatfs(-1, &sf), EBADF, "fstatfs bad fd");
	test_expect_ok(mount("none", "m", "tmpfs", 0, NULL), "mount");
	test_expect_ok(umount2("m", MNT_DETACH), "umount2 MNT_DETACH");
	test_expect_errno(umount("m"), EINVAL, "no longer a mount point");
	test_expect_ok(syncfs(0), "syncfs");
	sync();
	fs_leave();
}

static void
t_umount_detach(void)
{
	struct stat st, top;
	char buf[4];
	int fd;

	fs_enter();
	test_expect_ok(mkdir("m", 0755), "mkdir m");
	test_expect_ok(stat("m", &top), "stat m");
	test_expect_ok(mount("none", "m", "tmpfs", 0, NULL), "mount");
	fd = test_expect_ok(open("m/f", O_CREAT | O_RDWR, 0644), "create m/f");
	test_expect_eq(write(fd, "abc", 3), 3, "write");
	test_expect_errno(umount2("m", MNT_EXPIRE), EBUSY, "MNT_EXPIRE in use");
	test_expect_ok(umount2("m", MNT_DETACH), "MNT_DETACH while in use");
	test_expect_ok(stat("m", &st), "stat m");
	test_expect_eq(st.st_ino, top.st_ino, "the covered directory again");
	test_expect_eq(pread(fd, buf, 3, 0), 3, "the open file still reads");
	test_assert(memcmp(buf, "abc", 3) == 0);
	test_expect_ok(close(fd), "the last user frees the mount");

	test_expect_ok(mount("none", "m", "tmpfs", 0, NULL), "mount again");
	test_expect_errno(umount2("m", MNT_EXPIRE), EAGAIN, "MNT_EXPIRE marks");
	test_expect_ok(umount2("m", MNT_EXPIRE), "a second MNT_EXPIRE");
	test_expect_errno(umount("m"), EINVAL, "gone");
	fs_leave();
}

static void
t_chroot(void)
{
	struct stat st, d;
	pid_t pid;

	fs_enter();
	test_expect_ok(mkdir("r", 0755), "mkdir r");
	test_expect_ok(mkdir("r/sub", 0755), "mkdir r/sub");
	test_expect_ok(stat("r", &d), "stat r");
	pid = test_fork();
	if (pid == 0) {
		char buf[256];

		test_expect_ok(chroot("r"), "chroot r");
		test_expect_ok(chdir("/"), "chdir /");
		test_assert(getcwd(buf, sizeof(buf)) != NULL);
		test_assert_msg(strcmp(buf, "/") == 0, "getcwd %s", buf);
		test_expect_ok(stat("/", &st), "stat /");
		test_expect_eq(st.st_ino, d.st_ino, "/ is r");
		test_expect_ok(chdir("/sub/../.."), "chdir /sub/../..");
		test_expect_ok(stat(".", &st), "stat .");
		test_expect_eq(st.st_ino, d.st_ino, "\"..\" stops at the root");
		test_expect_ok(chdir("sub"), "chdir sub");
		test_assert(getcwd(buf, sizeof(buf)) != NULL);
		test_assert_msg(strcmp(buf, "/sub") == 0, "getcwd %s", buf);
		pid = test_fork();
		if (pid == 0) {
			test_expect_ok(stat("/sub", &st), "the child's root");
			_exit(0);
		}
		test_expect_exit(pid, 0, "a fork child inherits the root");
		test_expect_errno(chroot("nosuch"), ENOENT, "chroot nosuch");
		_exit(0);
	}
	test_expect_exit(pid, 0, "the chrooted child");
	fs_leave();
}

static void
t_proc_self_stat(void)
{
	char buf[1024], comm[64], state;
	int pid, ppid, n = 0;
	char *p;

	ns_prepare();
	ns_read_file("/proc/self/stat", buf, sizeof(buf));
	test_assert_msg(
	    sscanf(buf, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid) == 4,
	    "parse %s", buf);
	test_expect_eq(pid, getpid(), "pid");
	test_expect_eq(ppid, getppid(), "ppid");
	test_assert_msg(state == 'R', "state %c", state);
	for (p = strrchr(buf, ')'); p != NULL && *p != '\0'; p++)
		n += *p == ' ';
	test_assert_msg(n >= 50, "%d fields after the name", n);
	snprintf(comm, sizeof(comm), "/proc/%d/stat", getppid());
	ns_read_file(comm, buf, sizeof(buf));
	test_assert_msg(sscanf(buf, "%d (%63[^)]) %c", &pid, comm, &state) == 3,
	    "parse %s", buf);
	test_expect_eq(pid, getppid(), "the parent's pid");
	test_assert_msg(state == 'S' || state == 'R',
	    "the parent is on its way to wait4, or in it: %c", state);
}

static void
t_proc_self_status(void)
{
	char buf[4096], want[64], *s;
	const char *base = strrchr(test_self, '/');

	ns_prepare();
	base = base != NULL ? base + 1 : test_self;
	ns_read_file("/proc/self/status", buf, sizeof(buf));
	snprintf(want, sizeof(want), "Name:\t%.15s\n", base);
	test_assert_msg(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	test_assert_msg(strstr(buf, want) != NULL, "%s", want);
	snprintf(want, sizeof(want), "\nPPid:\t%d\n", getppid());
	test_assert_msg(strstr(buf, want) != NULL, "%s", want);
	s = strstr(buf, "\nState:\t");
	test_assert_msg(s != NULL && strncmp(s + 8, "R (running)", 11) == 0,
	    "State");
	ns_read_file("/proc/self/comm", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%.15s\n", base);
	test_assert_msg(strcmp(buf, want) == 0, "comm %s", buf);
}

static void
t_proc_self_cmdline(void)
{
	char buf[4096];
	size_t len;

	ns_prepare();
	len = ns_read_file("/proc/self/cmdline", buf, sizeof(buf));
	test_assert_msg(len > strlen(test_self), "length %zu", len);
	test_assert_msg(strcmp(buf, test_self) == 0, "argv[0] %s", buf);
	test_assert_msg(buf[len - 1] == '\0', "ends with a NUL");
}

static void
t_proc_self_maps(void)
{
	static char buf[65536];
	unsigned long start, end, off, ino, here = (unsigned long)&buf;
	unsigned maj, min;
	char perms[5], *line;
	int lines = 0, stack = 0, found = 0;

	ns_prepare();
	ns_read_file("/proc/self/maps", buf, sizeof(buf));
	for (line = strtok(buf, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		test_assert_msg(sscanf(line, "%lx-%lx %4s %lx %x:%x %lu",
				    &start, &end, perms, &off, &maj, &min,
				    &ino) == 7,
		    "parse %s", line);
		test_assert_msg(start < end && strlen(perms) == 4, "%s", line);
		stack |= strstr(line, "[stack]") != NULL &&
		    strstr(line, "[stack]") - line == 73;
		found |= start <= here && here < end && perms[0] == 'r' &&
		    perms[1] == 'w';
		lines++;
	}
	test_assert_msg(lines >= 3, "%d lines", lines);
	test_assert_msg(stack, "a [stack] line, its name at column 74");
	test_assert_msg(found, "a writable mapping holds a static buffer");
}

static void
t_proc_self_fd(void)
{
	char link[PATH_MAX], want[PATH_MAX], path[64];
	int fd, p[2], seen = 0;
	struct dirent *de;
	ssize_t n;
	DIR *d;

	ns_prepare();
	fs_enter();
	fd = test_expect_ok(open("/dev/null", O_RDONLY), "open /dev/null");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = test_expect_ok(readlink(path, link, sizeof(link) - 1), path);
	link[n] = '\0';
	test_assert_msg(strcmp(link, "/dev/null") == 0, "%s", link);
	test_expect_ok(close(fd), "close");

	fd = test_expect_ok(open("file", O_CREAT | O_RDWR, 0644), "create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = test_expect_ok(readlink(path, link, sizeof(link) - 1), path);
	link[n] = '\0';
	snprintf(want, sizeof(want), "%s/file", fs_dir);
	test_assert_msg(strcmp(link, want) == 0, "%s", link);

	test_pipe(p);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = test_expect_ok(readlink(path, link, sizeof(link) - 1), path);
	link[n] = '\0';
	test_assert_msg(strncmp(link, "pipe:[", 6) == 0, "%s", link);

	d = opendir("/proc/self/fd");
	test_assert_msg(d != NULL, "opendir /proc/self/fd");
	while ((de = readdir(d)) != NULL)
		seen |= atoi(de->d_name) == fd && de->d_type == DT_LNK;
	closedir(d);
	test_assert_msg(seen, "fd %d listed", fd);
	test_expect_ok(close(fd), "close");
	test_expect_ok(close(p[0]), "close");
	test_expect_ok(close(p[1]), "close");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	test_expect_errno(readlink(path, link, sizeof(link)), ENOENT,
	    "a closed fd");

	n = test_expect_ok(readlink("/proc/self/cwd", link, sizeof(link) - 1),
	    "readlink cwd");
	link[n] = '\0';
	test_assert_msg(strcmp(link, fs_dir) == 0, "cwd %s", link);
	n = test_expect_ok(readlink("/proc/self", link, sizeof(link) - 1),
	    "readlink /proc/self");
	link[n] = '\0';
	test_expect_eq(atoi(link), getpid(), "/proc/self");
	n = test_expect_ok(readlink("/proc/self/exe", link, sizeof(link) - 1),
	    "readlink exe");
	link[n] = '\0';
	test_assert_msg(link[0] == '/', "exe %s", link);
	fs_leave();
}

static void
t_proc_files(void)
{
	char buf[8192], pid[16], *line;
	unsigned long total = 0, freemem = 0;
	int root = 0, dev = 0, proc = 0, seen = 0, self = 0;
	double up, idle;
	struct dirent *de;
	struct statfs sf;
	DIR *d;

	ns_prepare();
	ns_read_file("/proc/meminfo", buf, sizeof(buf));
	test_assert_msg(sscanf(buf, "MemTotal: %lu kB\nMemFree: %lu kB", &total,
			    &freemem) == 2,
	    "%s", buf);
	test_assert_msg(freemem > 0 && freemem <= total, "%s", buf);

	ns_read_file("/proc/mounts", buf, sizeof(buf));
	for (line = strtok(buf, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		char src[256], dir[256], type[64], opts[256];
		int a, b;

		test_assert_msg(sscanf(line, "%255s %255s %63s %255s %d %d",
				    src, dir, type, opts, &a, &b) == 6,
		    "parse %s", line);
		root |= strcmp(dir, "/") == 0;
		dev |=
		    strcmp(dir, "/dev") == 0 && strcmp(type, "devtmpfs") == 0;
		proc |= strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0;
	}
	test_assert_msg(root && dev && proc, "/, /dev and /proc listed");

	ns_read_file("/proc/uptime", buf, sizeof(buf));
	test_assert_msg(sscanf(buf, "%lf %lf", &up, &idle) == 2, "%s", buf);
	test_assert_msg(up > 0 && idle >= 0, "%s", buf);

	ns_read_file("/proc/stat", buf, sizeof(buf));
	test_assert_msg(strncmp(buf, "cpu  ", 5) == 0, "%s", buf);
	ns_read_file("/proc/cpuinfo", buf, sizeof(buf));
	test_assert_msg(strncmp(buf, "processor\t: 0\nvendor_id\t: ", 25) == 0,
	    "%s", buf);
	ns_read_file("/proc/loadavg", buf, sizeof(buf));
	test_assert_msg(sscanf(buf, "%lf %lf", &up, &idle) == 2, "%s", buf);

	test_expect_ok(statfs("/proc", &sf), "statfs /proc");
	test_expect_hex(sf.f_type, PROC_SUPER_MAGIC, "proc's f_type");
	test_expect_ok(statfs("/dev", &sf), "statfs /dev");
	test_expect_hex(sf.f_type, TMPFS_MAGIC, "devtmpfs's f_type");

	snprintf(pid, sizeof(pid), "%d", getpid());
	d = opendir("/proc");
	test_assert_msg(d != NULL, "opendir /proc");
	while ((de = readdir(d)) != NULL) {
		seen |= strcmp(de->d_name, pid) == 0 && de->d_type == DT_DIR;
		self |= strcmp(de->d_name, "self") == 0;
	}
	closedir(d);
	test_assert_msg(seen && self, "/proc lists self and our pid");
	test_expect_errno(open("/proc/999999/stat", O_RDONLY), ENOENT,
	    "no such process");
}

const struct test fs_ns_tests[] = {
	{ "dev_null", t_dev_null, NULL },
	{ "dev_zero_full", t_dev_zero_full, NULL },
	{ "dev_random", t_dev_random, NULL },
	{ "dev_stat", t_dev_stat, NULL },
	{ "mount_tmpfs", t_mount_tmpfs, NULL },
	{ "mount_errors", t_mount_errors, NULL },
	{ "umount_detach", t_umount_detach, NULL },
	{ "chroot", t_chroot, NULL },
	{ "proc_self_stat", t_proc_self_stat, NULL },
	{ "proc_self_status", t_proc_self_status, NULL },
	{ "proc_self_cmdline", t_proc_self_cmdline, NULL },
	{ "proc_self_maps", t_proc_self_maps, NULL },
	{ "proc_self_fd", t_proc_self_fd, NULL },
	{ "proc_files", t_proc_files, NULL },
	{ NULL, NULL, NULL },
};
