/*
 * Loading a program into a fresh vmspace: the vkernel's execve.
 *
 * The ELF file is read with open/read into the vkernel's own memory and
 * checked whole (elf_check) before anything of the guest changes.  Each
 * PT_LOAD segment becomes an anonymous mapping in the guest's vmspace
 * (vmspace_mmap) and a region of its layout, filled with the segment's
 * bytes (vmspace_pwrite, which writes even into read-only pages); the
 * rest of the segment (.bss) stays zero.  Only static ET_EXEC programs
 * are taken: they need no relocation and no interpreter.  A file that
 * starts with "#!" runs its interpreter (one level), as Linux's execve.
 *
 * The initial stack is the System V x86-64 one that musl's and glibc's
 * _start read, from the stack pointer up:
 *
 *     argc
 *     argv[0] ... argv[argc - 1]  NULL
 *     envp[0] ... envp[envc - 1]  NULL
 *     auxv: (AT_PHDR, a) (AT_PHENT, n) ... (AT_NULL, 0): what
 *           the program, glibc's startup included, asks of it
 *     (padding)
 *     the argument and environment strings
 *     16 random bytes (AT_RANDOM)          <- STACK_TOP
 *
 * with the stack pointer 16-byte aligned.  It is built in a buffer here
 * and copied with guest_write, which gives the stack pages their memory.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vkernel.h"

/* What the auxiliary vector tells the guest about its program. */
struct image {
	uint64_t entry; /* e_entry */
	uint64_t phdr;  /* guest address of the program headers */
	uint64_t phnum;
	uint64_t end; /* end of the highest segment */
};

/* Read all of the regular file path into a new buffer; its size in
 * *sizep.  Returns the buffer, or NULL with *error = -errno. */
static char *
read_file(const char *path, size_t *sizep, int *error, struct stat *stp)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	*error = -errno;
	if (fd < 0)
		return NULL;
	*error = -EACCES; /* (a directory, a device...) */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	*error = -ENOMEM;
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, st.st_size - done);

		if (r <= 0) {
			*error = -EIO; /* shorter than fstat said */
			free(buf);
			close(fd);
			return NULL;
		}
		done += r;
	}
	close(fd);
	buf[done] = '\0';
	*sizep = done;
	if (stp != NULL)
		*stp = st;
	return buf;
}

/* The programs whose text the guests share (vkernel.h, "Program text"),
 * known by their file's identity; kept for the vkernel's life. */
#define MAX_PROGRAMS 32

static struct program {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int memfd;
} programs[MAX_PROGRAMS];
static int nprograms;

/*
 * The memfd holding the program file (size bytes, read from the file st
 * describes): found in the table, or made now and filled with a copy of
 * file.  Returns -1 when there is none (the table is full, or no memory):
 * the caller then copies the segments.
 */
static int
program_memfd(const char *file, size_t size, const struct stat *st)
{
	struct program *pr;
	size_t len = page_round(size);
	void *p;
	int fd;

	for (int i = 0; i < nprograms; i++) {
		pr = &programs[i];
		if (pr->dev == st->st_dev && pr->ino == st->st_ino &&
		    pr->size == st->st_size &&
		    pr->mtime.tv_sec == st->st_mtim.tv_sec &&
		    pr->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return pr->memfd;
	}
	if (nprograms == MAX_PROGRAMS || len == 0)
		return -1;
	if ((fd = (int)syscall(SYS_memfd_create, "vkernel-text", 1)) < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) != 0 ||
	    (p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
		MAP_FAILED) {
		close(fd);
		return -1;
	}
	memcpy(p, file, size);
	munmap(p, len);
	programs[nprograms++] = (struct program) { st->st_dev, st->st_ino,
		st->st_size, st->st_mtim, fd };
	return fd;
}

/* PF_* segment flags to PROT_* bits. */
static int
segment_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) |
	    (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/*
 * Check the ELF file: a static x86-64 ET_EXEC whose PT_LOAD segments are
 * in order, inside the file and below IMAGE_END_MAX, one of them holding
 * the program headers.  Returns NULL, or a message saying what is wrong.
 */
static const char *
elf_check(const char *file, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Phdr *ph;
	uint64_t prev_end = 0, nload = 0;
	int has_phdr = 0;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		return "not an x86-64 ELF64 file";
	if (eh->e_type != ET_EXEC)
		return "not a static executable (ET_EXEC)";
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
	    eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return "bad program headers";
	ph = (const Elf64_Phdr *)(file + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_INTERP)
			return "dynamically linked (has PT_INTERP)";
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_filesz > p->p_memsz || p->p_offset > size ||
		    p->p_filesz > size - p->p_offset ||
		    p->p_vaddr < VM_MIN_USER_ADDRESS ||
		    p->p_vaddr > IMAGE_END_MAX ||
		    p->p_memsz > IMAGE_END_MAX - p->p_vaddr)
			return "bad PT_LOAD segment";
		if (prev_end != 0 &&
		    page_trunc(p->p_vaddr) < prev_end - VK_PAGE)
			return "PT_LOAD segments out of order or overlapping";
		prev_end = page_round(p->p_vaddr + p->p_memsz);
		nload++;
		/* The C library finds its TLS image through AT_PHDR: the
		 * headers must be in memory, inside a segment. */
		if (eh->e_phoff >= p->p_offset &&
		    eh->e_phoff + eh->e_phnum * sizeof(*ph) <=
			p->p_offset + p->p_filesz)
			has_phdr = 1;
	}
	if (nload == 0)
		return "no PT_LOAD segment";
	if (!has_phdr)
		return "program headers not in a loaded segment";
	return NULL;
}

/*
 * Load the segments of the checked ELF file into g's vmspace, as regions
 * of its layout, and fill *im.  Returns NULL, or a message saying what
 * failed (no memory).
 */
/*
 * Whether segment i can be a view of the program's memfd: read-only, all
 * of it in the file, at an offset congruent to its address, and sharing
 * no page with the segments before and after it.
 */
static int
segment_shareable(const Elf64_Phdr *ph, int phnum, int i, uint64_t prev_end)
{
	const Elf64_Phdr *p = &ph[i];
	uint64_t end = page_round(p->p_vaddr + p->p_memsz);

	if ((p->p_flags & PF_W) || p->p_filesz != p->p_memsz ||
	    ((p->p_offset - p->p_vaddr) & (VK_PAGE - 1)) != 0 ||
	    page_trunc(p->p_vaddr) < prev_end)
		return 0;
	for (int j = i + 1; j < phnum; j++)
		if (ph[j].p_type == PT_LOAD && ph[j].p_memsz != 0)
			return page_trunc(ph[j].p_vaddr) >= end;
	return 1;
}

static const char *
load_elf(struct guest *g, const char *file, int memfd, struct image *im)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(file + eh->e_phoff);
	uint64_t prev_end = 0; /* page-rounded end of the previous segment */
	uint64_t shared = 0;   /* bit i: segment i is a view of memfd */
	int prev_prot = 0;

	im->entry = eh->e_entry;
	im->phnum = eh->e_phnum;
	im->phdr = 0;
	im->end = 0;

	/* Pass 1: map every segment's pages. */
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t start, end;
		int prot;

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		start = page_trunc(p->p_vaddr);
		end = page_round(p->p_vaddr + p->p_memsz);
		prot = segment_prot(p->p_flags);
		if (memfd >= 0 && i < 64 &&
		    segment_shareable(ph, eh->e_phnum, i, prev_end)) {
			uint64_t off = page_trunc(p->p_offset);

			if (vmspace_mmap(guest_vms(g), (void *)start,
				end - start, prot, MAP_PRIVATE | MAP_FIXED,
				memfd, (off_t)off) != MAP_FAILED &&
			    maps_set(g, start, end, prot, memfd, off) == 0) {
				shared |= 1ULL << i;
				goto mapped;
			}
		}
		/* Segments are sorted; two may share a page, which then needs
		 * the access of both. */
		if (start < prev_end) {
			if (mem_map(g, start, start + VK_PAGE,
				prot | prev_prot) != 0 ||
			    maps_set(g, start, start + VK_PAGE,
				prot | prev_prot, -1, 0) != 0)
				return "cannot map a segment";
			start += VK_PAGE;
		}
		if (start < end &&
		    (mem_map(g, start, end, prot) != 0 ||
			maps_set(g, start, end, prot, -1, 0) != 0))
			return "cannot map a segment";
	mapped:
		prev_end = end;
		prev_prot = prot;
		if (p->p_vaddr + p->p_memsz > im->end)
			im->end = p->p_vaddr + p->p_memsz;
		if (eh->e_phoff >= p->p_offset &&
		    eh->e_phoff + eh->e_phnum * sizeof(*ph) <=
			p->p_offset + p->p_filesz)
			im->phdr = p->p_vaddr + (eh->e_phoff - p->p_offset);
	}

	/* Pass 2: the file's bytes (after all mapping, as segments may
	 * share a page).  The pages are mapped, so the copy is whole. */
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_LOAD && p->p_filesz > 0 &&
		    !(i < 64 && (shared & (1ULL << i))) &&
		    vmspace_pwrite(guest_vms(g), file + p->p_offset,
			p->p_filesz, 0, p->p_vaddr) != (ssize_t)p->p_filesz)
			return "cannot write a segment";
	}
	return NULL;
}

/* 16 bytes for AT_RANDOM.  musl seeds its stack protector and its
 * malloc's secrets with them.  There is no entropy source here: mix the
 * clock (splitmix64), good enough for a teaching example. */
static void
random_bytes(uint64_t out[2], int id)
{
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec + (uint64_t)id;
	for (int i = 0; i < 2; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = z ^ (z >> 31);
	}
}

static int
count(char **v)
{
	int n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/*
 * Build the initial stack (see the top of this file) and return the
 * guest's stack pointer, or 0 if the arguments do not fit.
 */
static uint64_t
build_stack(struct guest *g, char **argv, char **envp, const struct image *im)
{
	int argc = count(argv), envc = count(envp);
	uint64_t random_at = STACK_TOP - 16, strings, sp, str;
	size_t strsize = 0, nwords, size;
	uint64_t rnd[2], *w;
	char *img;

	for (int i = 0; i < argc; i++)
		strsize += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		strsize += strlen(envp[i]) + 1;
	if (strsize > STACK_SIZE / 4)
		return 0; /* Linux's limit too: a quarter of the stack */
	strings = random_at - strsize;
	nwords =
	    1 + (argc + 1) + (envc + 1) + 2 * 14; /* argc, argv, envp, auxv */
	sp = (strings - nwords * 8) & ~15UL;
	size = STACK_TOP - sp;

	/* img mirrors guest addresses [sp, STACK_TOP): guest address a is
	 * img[a - sp]. */
	if ((img = calloc(1, size)) == NULL)
		return 0;
	w = (uint64_t *)img;
	str = strings;
	*w++ = argc;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(img + (str - sp), argv[i], n);
		*w++ = str;
		str += n;
	}
	*w++ = 0;
	for (int i = 0; i < envc; i++) {
		size_t n = strlen(envp[i]) + 1;

		memcpy(img + (str - sp), envp[i], n);
		*w++ = str;
		str += n;
	}
	*w++ = 0;
	random_bytes(rnd, g->id);
	memcpy(img + (random_at - sp), rnd, 16);
	*w++ = AT_PHDR;
	*w++ = im->phdr;
	*w++ = AT_PHENT;
	*w++ = sizeof(Elf64_Phdr);
	*w++ = AT_PHNUM;
	*w++ = im->phnum;
	*w++ = AT_PAGESZ;
	*w++ = VK_PAGE;
	*w++ = AT_ENTRY;
	*w++ = im->entry;
	*w++ = AT_RANDOM;
	*w++ = random_at;
	*w++ = AT_EXECFN;
	*w++ = strings; /* argv[0]'s string, as the file name */
	*w++ = AT_CLKTCK;
	*w++ = 100;
	*w++ = AT_HWCAP;
	*w++ = 0;
	*w++ = AT_UID;
	*w++ = getuid();
	*w++ = AT_EUID;
	*w++ = geteuid();
	*w++ = AT_GID;
	*w++ = getgid();
	*w++ = AT_EGID;
	*w++ = getegid();
	*w++ = AT_NULL;
	*w++ = 0;

	if (guest_write(g, sp, img, size) != 0)
		sp = 0;
	free(img);
	return sp;
}

/*
 * Give g (with no vmspace) a new vmspace holding the checked ELF file
 * (whose copy is memfd, or -1 for none), its layout, initial stack and
 * registers.  Returns NULL, or a message
 * saying what failed (the vmspace is destroyed again then).
 */
static const char *
image_start(struct guest *g, const char *file, int memfd, char **argv,
    char **envp)
{
	const char *why;
	struct image im;

	if (vmspace_create(guest_vms(g), 0, NULL) != 0)
		return "vmspace_create failed";
	g->nmaps = 0;
	why = load_elf(g, file, memfd, &im);
	if (why == NULL) {
		mem_init(g, im.end);
		memset(&g->tf, 0, sizeof(g->tf));
		memset(&g->vx, 0, sizeof(g->vx));
		g->tf.tf_rsp = build_stack(g, argv, envp, &im);
		if (g->tf.tf_rsp == 0)
			why = "arguments too long, or no memory for the stack";
	}
	if (why != NULL) {
		vmspace_destroy(guest_vms(g));
		return why;
	}
	/* Every other register starts at 0, as Linux leaves them. */
	g->tf.tf_rip = im.entry;
	g->tf.tf_rflags = 0x202; /* IF, and the always-one bit 1 */
	return NULL;
}

int
load_guest(struct guest *g, char **argv, char **envp)
{
	const char *path = argv[0], *why;
	struct stat st;
	int error;
	size_t size;
	char *file;

	snprintf(g->name, sizeof(g->name), "%s", path);
	if ((file = read_file(path, &size, &error, &st)) == NULL) {
		fprintf(stderr, "vkernel: %s: %s\n", path, strerror(-error));
		return -1;
	}
	why = elf_check(file, size);
	if (why == NULL)
		why = image_start(g, file, program_memfd(file, size, &st), argv,
		    envp);
	free(file);
	if (why != NULL) {
		fprintf(stderr, "vkernel: %s: %s\n", path, why);
		return -1;
	}
	/* Its descriptors 0-2, directory and umask are copies of the
	 * vkernel's. */
	for (int fd = 0; fd < 3; fd++) {
		int h = fcntl(fd, F_DUPFD, 3);

		if (h >= 0)
			g->fd[fd].host = h;
	}
	g->cwd = open(".", O_RDONLY | O_DIRECTORY);
	g->cmask = umask(022);
	umask(g->cmask);
	return 0;
}

/*
 * The interpreter line of a "#!" script in file (size bytes): the new
 * argv (interpreter, its one optional argument, the script's path, then
 * argv[1...]) in *nargv, and the interpreter's path as (*nargv)[0].
 * Returns 0 or -ENOEXEC / -ENOMEM.  Free *nargv (not its strings, which
 * point into file or argv) with free.
 */
static int
script_argv(char *file, size_t size, const char *path, char **argv,
    char ***nargv)
{
	char *line = file + 2, *end = memchr(line, '\n', size - 2), *arg;
	int argc = 0, n = 0;

	if (end == NULL)
		return -ENOEXEC;
	*end = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0')
		return -ENOEXEC;
	arg = line + strcspn(line, " \t");
	if (*arg != '\0') {
		*arg++ = '\0';
		while (*arg == ' ' || *arg == '\t')
			arg++;
		arg[strcspn(arg, "\r")] = '\0';
		/* (Linux takes the rest of the line, blanks included.) */
		for (char *e = arg + strlen(arg);
		     e > arg && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
	}
	while (argv[argc] != NULL)
		argc++;
	if ((*nargv = calloc(argc + 4, sizeof(char *))) == NULL)
		return -ENOMEM;
	(*nargv)[n++] = line;
	if (*arg != '\0')
		(*nargv)[n++] = arg;
	(*nargv)[n++] = (char *)path;
	for (int i = 1; i < argc; i++)
		(*nargv)[n++] = argv[i];
	return 0;
}

int
load_exec(struct guest *g, const char *path, char **argv, char **envp)
{
	char *file, *script = NULL, **nargv = NULL;
	const char *why;
	struct stat st;
	int error;
	size_t size;

	if ((file = read_file(path, &size, &error, &st)) == NULL)
		return error;
	if (access(path, X_OK) != 0) {
		free(file);
		return -EACCES;
	}
	if (size >= 2 && file[0] == '#' && file[1] == '!') {
		script = file;
		if ((error = script_argv(script, size, path, argv, &nargv)) !=
		    0) {
			free(script);
			return error;
		}
		argv = nargv;
		path = nargv[0];
		if ((file = read_file(path, &size, &error, &st)) == NULL) {
			free(nargv);
			free(script);
			return error;
		}
	}
	if (elf_check(file, size) != NULL) {
		error = -ENOEXEC;
		goto out;
	}
	/* The point of no return: the old image goes. */
	if (vmspace_destroy(guest_vms(g)) != 0) {
		error = -errno;
		goto out;
	}
	snprintf(g->name, sizeof(g->name), "%s", path);
	why = image_start(g, file, program_memfd(file, size, &st), argv, envp);
	if (why != NULL) {
		/* No vmspace: the guest cannot go on. */
		guest_kill(g, SIGKILL, "execve %s: %s", path, why);
		error = -ENOMEM;
		goto out;
	}
	error = 0;
out:
	free(file);
	free(nargv);
	free(script);
	return error;
}
