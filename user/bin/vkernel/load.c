/*
 * Loading a program into a fresh vmspace: the vkernel's execve.
 *
 * The ELF file is read with open/read into the vkernel's own memory.  Each
 * PT_LOAD segment becomes an anonymous mapping in the guest's vmspace
 * (vmspace_mmap) filled with the segment's bytes (vmspace_pwrite, which
 * writes even into read-only pages); the rest of the segment (.bss) stays
 * zero.  Only static ET_EXEC programs are taken: they need no relocation
 * and no interpreter.
 *
 * The initial stack is the System V x86-64 one that musl's _start reads,
 * from the stack pointer up:
 *
 *     argc
 *     argv[0] ... argv[argc - 1]  NULL
 *     envp[0] ... envp[envc - 1]  NULL
 *     auxv: (AT_PHDR, a) (AT_PHENT, n) ... (AT_NULL, 0)
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* Read all of the file path into a new buffer; its size in *sizep.
 * Returns NULL with errno set on failure. */
static char *
read_file(const char *path, size_t *sizep)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (buf = malloc(st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, st.st_size - done);

		if (r <= 0) {
			if (r == 0)
				errno = EIO; /* shorter than fstat said */
			free(buf);
			close(fd);
			return NULL;
		}
		done += r;
	}
	close(fd);
	*sizep = done;
	return buf;
}

/* PF_* segment flags to PROT_* bits. */
static int
segment_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) |
	    (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/*
 * Check the ELF file and load its segments into g's vmspace.  Returns
 * NULL and fills *im, or a message saying what is wrong with the file.
 */
static const char *
load_elf(struct guest *g, const char *file, size_t size, struct image *im)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Phdr *ph;
	uint64_t prev_end = 0; /* page-rounded end of the previous segment */
	int prev_prot = 0;

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
	im->entry = eh->e_entry;
	im->phnum = eh->e_phnum;
	im->phdr = 0;
	im->end = 0;

	/* Pass 1: check every segment and map its pages. */
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t start, end;
		int prot;

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
		start = page_trunc(p->p_vaddr);
		end = page_round(p->p_vaddr + p->p_memsz);
		prot = segment_prot(p->p_flags);
		/* Segments are sorted; two may share a page, which then needs
		 * the access of both. */
		if (start < prev_end) {
			if (mem_map(g, start, start + VK_PAGE,
				prot | prev_prot) != 0)
				return "cannot map a segment";
			start += VK_PAGE;
		}
		if (start < end && mem_map(g, start, end, prot) != 0)
			return "cannot map a segment";
		prev_end = end;
		prev_prot = prot;
		if (p->p_vaddr + p->p_memsz > im->end)
			im->end = p->p_vaddr + p->p_memsz;
		/* musl finds its TLS image through AT_PHDR: the headers must
		 * be in memory, inside a segment that holds them. */
		if (eh->e_phoff >= p->p_offset &&
		    eh->e_phoff + eh->e_phnum * sizeof(*ph) <=
			p->p_offset + p->p_filesz)
			im->phdr = p->p_vaddr + (eh->e_phoff - p->p_offset);
	}
	if (im->end == 0)
		return "no PT_LOAD segment";
	if (im->phdr == 0)
		return "program headers not in a loaded segment";

	/* Pass 2: the file's bytes (after all mapping, as segments may
	 * share a page).  The pages are mapped, so the copy is whole. */
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_LOAD && p->p_filesz > 0 &&
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
	    1 + (argc + 1) + (envc + 1) + 2 * 7; /* argc, argv, envp, auxv */
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
	*w++ = AT_NULL;
	*w++ = 0;

	if (guest_write(g, sp, img, size) != 0)
		sp = 0;
	free(img);
	return sp;
}

int
load_guest(struct guest *g, int id, char **argv, char **envp)
{
	const char *path = argv[0], *why;
	struct image im;
	size_t size;
	char *file;

	memset(g, 0, sizeof(*g));
	g->id = id;
	g->argv = argv;
	g->state = GUEST_RUNNABLE;
	if ((file = read_file(path, &size)) == NULL) {
		fprintf(stderr, "vkernel: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (vmspace_create(guest_vms(g), 0, NULL) != 0) {
		fprintf(stderr, "vkernel: vmspace_create: %s\n",
		    strerror(errno));
		free(file);
		return -1;
	}
	why = load_elf(g, file, size, &im);
	free(file);
	if (why == NULL) {
		mem_init(g, im.end);
		g->tf.tf_rsp = build_stack(g, argv, envp, &im);
		if (g->tf.tf_rsp == 0)
			why = "arguments too long, or no memory for the stack";
	}
	if (why != NULL) {
		fprintf(stderr, "vkernel: %s: %s\n", path, why);
		vmspace_destroy(guest_vms(g));
		return -1;
	}
	/* Every other register starts at 0, as Linux leaves them. */
	g->tf.tf_rip = im.entry;
	g->tf.tf_rflags = 0x202; /* IF, and the always-one bit 1 */
	return 0;
}
