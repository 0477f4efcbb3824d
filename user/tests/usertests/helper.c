/*
 * helper.c: running programs from the exec tests, and the helper program
 * they run: this program itself, started as "usertests --helper CMD ..."
 * (see suite.c's early hook).
 */

#include "ut.h"

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *
ut_read_file(const char *path, size_t *size)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		test_fail("open %s: %s", path, test_errname(errno));
	if (syscall(SYS_fstat, fd, &st) != 0)
		test_fail("fstat %s: %s", path, test_errname(errno));
	buf = malloc(st.st_size + 1);
	test_assert(buf != NULL);
	if (test_read_full(fd, buf, st.st_size) != st.st_size)
		test_fail("read %s: short read of %lld bytes", path,
		    (long long)st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*size = st.st_size;
	return buf;
}

int
ut_run_program(const char *path, char *const argv[], char *const envp[],
    char *out, size_t size)
{
	int p[2];
	long n = 0, r;
	pid_t pid;

	test_pipe(p);
	pid = test_fork();
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) != 1)
			_exit(126);
		close(p[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(p[1]);
	while ((r = read(p[0], out + n, size - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	return test_wait(pid);
}

int
ut_run_helper(const char *cmd, const char *a1, const char *a2, char *out,
    size_t size)
{
	char *argv[] = { (char *)test_self, UT_HELPER, (char *)cmd, (char *)a1,
		(char *)a2, NULL };
	char *envp[] = { NULL };
	char dummy[8];

	if (out == NULL) {
		out = dummy;
		size = sizeof(dummy);
	}
	return ut_run_program(test_self, argv, envp, out, size);
}

/* ---------------------------------------------------------------------
 * The helper program for the exec tests:
 *
 *   echo ARGS...      print ARGS separated by spaces, then a newline
 *   getenv NAME...    print each variable's value ("-" if unset), one a line
 *   exit N            exit with status N
 *   fdopen N          exit 0 if fd N is open, 1 if it is not
 *   ids               print "pid ppid" of this process
 *   auxv              exit 0 if the auxiliary vector has what ABI.md names
 *                     (else 1-7, see helper_auxv)
 *   sigstate          exit 0 if SIGPIPE is ignored and SIGUSR1 is blocked
 *   segs              print "fs 0x%x gs 0x%x": the %fs and %gs selectors
 *   fpu-clean         exit 0 if the FPU state is a fresh program's (fpu.c)
 */

/*
 * The auxiliary vector ABI.md names, checked against this program's own
 * ELF header where it can be: AT_ENTRY is e_entry for ET_EXEC, AT_PHENT
 * and AT_PHNUM are e_phentsize and e_phnum.
 */
static int
helper_auxv(const char *self)
{
	unsigned long phdr = getauxval(AT_PHDR);
	unsigned long rnd = getauxval(AT_RANDOM);
	unsigned long entry = getauxval(AT_ENTRY);
	const unsigned char *r = (const unsigned char *)rnd;
	Elf64_Ehdr eh;
	unsigned sum = 0;
	int fd;

	if (getauxval(AT_PAGESZ) != 4096)
		return 1;
	if (phdr == 0 || getauxval(AT_PHENT) != 56 || getauxval(AT_PHNUM) == 0)
		return 2;
	if (entry == 0 || rnd == 0)
		return 3;
	for (int i = 0; i < 16; i++)
		sum += r[i];
	/* 16 random bytes all zero is possible but not plausible. */
	if (sum == 0)
		return 4;
	fd = open(self, O_RDONLY);
	if (fd < 0 || test_read_full(fd, &eh, sizeof(eh)) != sizeof(eh))
		return 5;
	close(fd);
	if (getauxval(AT_PHNUM) != eh.e_phnum ||
	    getauxval(AT_PHENT) != eh.e_phentsize)
		return 6;
	if (eh.e_type == ET_EXEC && entry != eh.e_entry)
		return 7;
	return 0;
}

static int
helper_sigstate(void)
{
	struct {
		unsigned long handler, flags, restorer, mask;
	} old;
	uint64_t mask = 0;

	if (syscall(SYS_rt_sigaction, SIGPIPE, NULL, &old, 8) != 0)
		return 1;
	if (old.handler != (unsigned long)SIG_IGN)
		return 2;
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8) != 0)
		return 3;
	return (mask & (1ULL << (SIGUSR1 - 1))) ? 0 : 4;
}

int
ut_helper_main(int argc, char **argv)
{
	char line[1024];
	size_t n = 0;
	struct stat st;

	if (argc < 1)
		return 120;
	if (strcmp(argv[0], "echo") == 0) {
		for (int i = 1; i < argc && n < sizeof(line) - 2; i++)
			n += snprintf(line + n, sizeof(line) - n - 1, "%s%s",
			    i > 1 ? " " : "", argv[i]);
		line[n++] = '\n';
		return test_write_all(1, line, n) == (long)n ? 0 : 1;
	}
	if (strcmp(argv[0], "getenv") == 0) {
		for (int i = 1; i < argc; i++) {
			const char *v = getenv(argv[i]);
			n = snprintf(line, sizeof(line), "%s\n", v ? v : "-");
			test_write_all(1, line, n);
		}
		return 0;
	}
	if (strcmp(argv[0], "exit") == 0 && argc == 2)
		return atoi(argv[1]);
	if (strcmp(argv[0], "fdopen") == 0 && argc == 2)
		return syscall(SYS_fstat, atoi(argv[1]), &st) == 0 ? 0 : 1;
	if (strcmp(argv[0], "ids") == 0) {
		n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(),
		    (int)getppid());
		return test_write_all(1, line, n) == (long)n ? 0 : 1;
	}
	if (strcmp(argv[0], "auxv") == 0)
		return helper_auxv(test_self);
	if (strcmp(argv[0], "sigstate") == 0)
		return helper_sigstate();
	if (strcmp(argv[0], "fpu-clean") == 0)
		return ut_fpu_clean_main();
	if (strcmp(argv[0], "segs") == 0) {
		n = snprintf(line, sizeof(line), "fs 0x%x gs 0x%x\n",
		    test_fs_sel(), test_gs_sel());
		return test_write_all(1, line, n) == (long)n ? 0 : 1;
	}
	return 121;
}
