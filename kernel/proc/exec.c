/*
 * Program loading: execve and the start of init.
 *
 * exec_load builds a complete new address space from a static ELF64 file
 * (ET_EXEC, or static-pie ET_DYN placed at ELF_ET_DYN_BASE) and the SysV
 * initial stack musl expects; only when all of it succeeded does execve
 * replace the old one, so a bad file changes nothing.  Only the headers
 * are read: the segments map the file's memory object (its page cache,
 * vop_getobject) privately, so text shares the file's pages and a
 * written data page gets a private copy (vm_fault_locked).  The part of
 * the last file page of a segment past its file data is zeroed in a
 * private copy where .bss begins, and the rest of .bss is anonymous.
 * Right above the stack go the vvar page and the vDSO (vdso_map), whose
 * ELF header the auxiliary vector names first (AT_SYSINFO_EHDR), as
 * Linux's.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <vnode.h>
#include <stat.h>
#include <syscall.h>
#include <arch/cpu.h>
#include <arch/elf.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <proc/futex.h>
#include <proc/proc.h>
#include <proc/resource.h>
#include <proc/sched.h>
#include <proc/signalvar.h>
#include <proc/thread.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/addrspace.h>
#include <vm/vm_vmspace.h>
#include <vdso/vdso.h>

#define ARG_MAX (128 * 1024) /* argument and environment bytes */
#define EXEC_MAXPHNUM 64

/* ELF64 (System V gABI): Linux's <linux/elf.h>. */
#include <linux/elf.h>
#include <linux/mount.h>

/* auxv types: Linux's <linux/auxvec.h> (AT_*). */
#include <linux/auxvec.h>

/* Arguments and environment gathered in one kernel buffer. */
struct exec_args {
	char *ea_buf; /* argv strings, then envp strings, NUL-terminated */
	size_t ea_len;
	int ea_argc;
	int ea_envc;
};

/*
 * Append a NUL-terminated kernel string; 0, or -E2BIG when ARG_MAX is
 * exceeded.  No requirements.
 */
static int
exec_args_add_kernel(struct exec_args *ea, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > ARG_MAX - ea->ea_len)
		return -E2BIG;
	memcpy(ea->ea_buf + ea->ea_len, s, n);
	ea->ea_len += n;
	return 0;
}

/*
 * Copy a user vector of strings (argv or envp; NULL is an empty one) into
 * ea.  Returns the count, -EFAULT or -E2BIG.  No locks held.
 */
static int
exec_args_copyin(struct exec_args *ea, char *const *uvec)
{
	int count = 0;

	if (uvec == NULL)
		return 0;
	for (;;) {
		uint64_t up;
		long n;

		if (copyin(&uvec[count], &up, sizeof(up)) != 0)
			return -EFAULT;
		if (up == 0)
			return count;
		if (ea->ea_len >= ARG_MAX)
			return -E2BIG;
		n = copyinstr((const char *)up, ea->ea_buf + ea->ea_len,
		    ARG_MAX - ea->ea_len);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return n;
		ea->ea_len += n + 1;
		if (++count > ARG_MAX / 2)
			return -E2BIG;
	}
}

/* The protection of a segment with ELF flags p_flags.  No requirements. */
static vm_prot_t
elf_prot(uint32_t flags)
{
	vm_prot_t prot = VM_PROT_NONE;

	if (flags & PF_R)
		prot |= VM_PROT_READ;
	if (flags & PF_W)
		prot |= VM_PROT_WRITE;
	if (flags & PF_X)
		prot |= VM_PROT_EXECUTE;
	return prot;
}

/* What exec_load learned about the image. */
struct exec_image {
	vaddr_t ei_entry;
	vaddr_t ei_phdr;
	unsigned ei_phnum;
	vaddr_t ei_brk;
	vaddr_t ei_sysinfo_ehdr; /* the vDSO's ELF header, or 0: none */
};

/*
 * Copy len bytes at off of obj into buf (a hole reads as zeros); off +
 * len lies inside the object.  No locks held.
 */
static void
exec_obj_read(struct vm_object *obj, uint64_t off, void *buf, size_t len)
{
	uint8_t *dst = buf;

	while (len > 0) {
		size_t in = off & PAGE_MASK, n = MIN(len, PAGE_SIZE - in);
		struct vm_page *pg = vm_object_lookup(obj, off / PAGE_SIZE);

		if (pg != NULL) {
			memcpy(dst, (uint8_t *)vm_page_kva(pg) + in, n);
			vm_page_unref(pg);
		} else {
			memset(dst, 0, n);
		}
		dst += n;
		off += n;
		len -= n;
	}
}

/* Zeros for the tail of a segment's last file page (exec_map_elf). */
static const uint8_t exec_zeros[PAGE_SIZE];

/*
 * Map one PT_LOAD segment ph at va (its address plus the bias) from obj:
 * its file pages copy-on-write from the object, the rest of its last
 * file page zeroed in a private copy when .bss follows, and the pages
 * past that anonymous.  0, -EEXIST (it overlaps another), -EFAULT or
 * -ENOMEM.  No locks held.
 */
static int
exec_map_segment(struct vmspace *vm, struct vm_object *obj,
    const Elf64_Phdr *ph, vaddr_t va)
{
	vaddr_t fend = va + ph->p_filesz, mend = round_page(va + ph->p_memsz);
	vaddr_t anon = trunc_page(va);
	vm_prot_t prot = elf_prot(ph->p_flags);
	int error;

	if (ph->p_filesz > 0) {
		anon = round_page(fend);
		vm_object_ref(obj); /* the mapping's */
		error = vmspace_insert(vm, trunc_page(va), anon, prot, 0, obj,
		    trunc_page(ph->p_offset));
		if (error != 0) {
			vm_object_rel(obj);
			return error;
		}
		if (ph->p_memsz > ph->p_filesz && (fend & PAGE_MASK) != 0) {
			error = vm_write(vm, fend, exec_zeros, anon - fend);
			if (error != 0)
				return error;
		}
	}
	if (anon < mend)
		return vmspace_insert(vm, anon, mend, prot, 0, NULL, 0);
	return 0;
}

/*
 * Check the ELF headers of the file whose object is obj, of size bytes,
 * and map its PT_LOAD segments into vm.  Returns 0, -ENOEXEC for
 * anything malformed or unsupported, or -ENOMEM.  No locks held.
 */
static int
exec_map_elf(struct vmspace *vm, struct vm_object *obj, uint64_t size,
    struct exec_image *img)
{
	Elf64_Ehdr ehdr, *eh = &ehdr;
	Elf64_Phdr *ph = NULL;
	uint64_t bias = 0, lo = UINT64_MAX, hi = 0, phdr = 0;
	int error = -ENOEXEC;

	if (size < sizeof(*eh))
		return -ENOEXEC;
	exec_obj_read(obj, 0, eh, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_machine != ELF_MACHINE || eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phnum == 0 || eh->e_phnum > EXEC_MAXPHNUM ||
	    eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(*ph) < eh->e_phnum ||
	    (eh->e_phoff % 8) != 0)
		return -ENOEXEC;
	ph = kmalloc(eh->e_phnum * sizeof(*ph), 0);
	if (ph == NULL)
		return -ENOMEM;
	exec_obj_read(obj, eh->e_phoff, ph, eh->e_phnum * sizeof(*ph));

	/* Validate every segment before mapping anything. */
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			goto out; /* dynamic linking: unsupported */
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
		    ph[i].p_filesz > size - ph[i].p_offset ||
		    ph[i].p_memsz > VM_MAX_USER_ADDRESS ||
		    ph[i].p_vaddr > VM_MAX_USER_ADDRESS - ph[i].p_memsz ||
		    (ph[i].p_vaddr & PAGE_MASK) != (ph[i].p_offset & PAGE_MASK))
			goto out;
		lo = MIN(lo, trunc_page(ph[i].p_vaddr));
		hi = MAX(hi, round_page(ph[i].p_vaddr + ph[i].p_memsz));
	}
	if (hi == 0)
		goto out;
	if (eh->e_type == ET_DYN)
		bias = ELF_ET_DYN_BASE - lo;
	if (lo + bias < VM_MIN_USER_ADDRESS || hi + bias > MMAP_TOP)
		goto out;
	if (eh->e_entry + bias < lo + bias || eh->e_entry + bias >= hi + bias)
		goto out;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		vaddr_t va = ph[i].p_vaddr + bias;

		if (ph[i].p_type == PT_PHDR)
			phdr = va;
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (phdr == 0 && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			phdr = va + (eh->e_phoff - ph[i].p_offset);
		error = exec_map_segment(vm, obj, &ph[i], va);
		if (error == -EEXIST || error == -EFAULT || error == -EIO)
			error = -ENOEXEC; /* segments overlap, or a cut file */
		if (error != 0)
			goto out;
	}
	img->ei_entry = eh->e_entry + bias;
	img->ei_phdr = phdr;
	img->ei_phnum = eh->e_phnum;
	img->ei_brk = hi + bias;
	error = 0;
out:
	kfree(ph);
	return error;
}

/*
 * Lay out the initial stack at the top of vm: argc, argv pointers, NULL,
 * envp pointers, NULL, auxv pairs, AT_NULL, then the strings and 16
 * random bytes.  Returns 0 and the stack pointer (16-byte aligned, at
 * argc) in *spp, or -ENOMEM.  No locks held.
 */
static int
exec_build_stack(struct vmspace *vm, const struct exec_args *ea,
    const struct exec_image *img, vaddr_t *spp)
{
	size_t nvec = 1 + ea->ea_argc + 1 + ea->ea_envc + 1 + 2 * 10 +
	    (img->ei_sysinfo_ehdr != 0 ? 2 : 0);
	uint64_t *vec, *v, rnd[2];
	vaddr_t random_va = USTACK_TOP - 16;
	vaddr_t str_va = rounddown2(random_va - ea->ea_len, 8);
	vaddr_t sp = rounddown2(str_va - nvec * 8, 16);
	vaddr_t s = str_va;
	int error;

	vec = kmalloc(nvec * 8, 0);
	if (vec == NULL)
		return -ENOMEM;
	v = vec;
	*v++ = ea->ea_argc;
	for (int i = 0; i < ea->ea_argc + ea->ea_envc; i++) {
		if (i == ea->ea_argc)
			*v++ = 0;
		*v++ = s;
		s += strlen(ea->ea_buf + (s - str_va)) + 1;
	}
	if (ea->ea_argc == ea->ea_argc + ea->ea_envc)
		*v++ = 0;
	*v++ = 0;
#define AUX(t, val)           \
	do {                  \
		*v++ = (t);   \
		*v++ = (val); \
	} while (0)
	if (img->ei_sysinfo_ehdr != 0)
		AUX(AT_SYSINFO_EHDR,
		    img->ei_sysinfo_ehdr); /* first, as Linux */
	AUX(AT_PHDR, img->ei_phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, img->ei_phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_ENTRY, img->ei_entry);
	AUX(AT_UID, 0);
	AUX(AT_GID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_va);
	AUX(AT_NULL, 0);
#undef AUX
	KASSERT((size_t)(v - vec) == nvec);

	rnd[0] = rdtsc() * 0x9e3779b97f4a7c15UL;
	rnd[1] = (rnd[0] ^ (uint64_t)vm) * 0xbf58476d1ce4e5b9UL;
	error = vm_write(vm, random_va, rnd, sizeof(rnd));
	if (error == 0)
		error = vm_write(vm, str_va, ea->ea_buf, ea->ea_len);
	if (error == 0)
		error = vm_write(vm, sp, vec, nvec * 8);
	kfree(vec);
	*spp = sp;
	return error;
}

/*
 * The size of a new program's stack: the caller's RLIMIT_STACK, page
 * aligned, at least USTACK_MIN (room for the arguments) and at most the
 * room above MMAP_TOP (an unlimited stack gets all of it).  No
 * requirements.
 */
#define USTACK_MIN (128UL << 10)
static vsize_t
exec_stack_size(void)
{
	uint64_t lim = rlimit_cur(curproc, RLIMIT_STACK);

	if (lim > USTACK_TOP - MMAP_TOP)
		lim = USTACK_TOP - MMAP_TOP;
	if (lim < USTACK_MIN)
		lim = USTACK_MIN;
	return trunc_page(lim);
}

/*
 * Build a new address space for the program whose file's object is obj,
 * of size bytes, with ea; the file cannot be opened for writing while
 * the address space lives (vmspace_set_exe).  Returns 0 with the vmspace
 * (one reference, the caller's), entry and stack pointer, or -errno
 * (-ETXTBSY: the file is open for writing) with nothing left allocated.
 * No locks held.
 */
static int
exec_load(struct vm_object *obj, uint64_t size, const struct exec_args *ea,
    struct vmspace **vmp, vaddr_t *entry, vaddr_t *sp)
{
	struct exec_image img = { 0 };
	struct vmspace *vm;
	vsize_t stack = exec_stack_size();
	int error;

	vm = vmspace_alloc();
	if (vm == NULL)
		return -ENOMEM;
	/* First, as Linux's deny_write_access: ETXTBSY before ENOEXEC. */
	error = vmspace_set_exe(vm, obj);
	if (error == 0)
		error = exec_map_elf(vm, obj, size, &img);
	if (error == 0)
		error = vmspace_insert(vm, USTACK_TOP - stack, USTACK_TOP,
		    VM_PROT_READ | VM_PROT_WRITE, VM_ENTRY_STACK, NULL, 0);
	if (error == 0)
		error = vdso_map(vm, &img.ei_sysinfo_ehdr);
	if (error == 0)
		error = exec_build_stack(vm, ea, &img, sp);
	if (error != 0) {
		vmspace_rel(vm);
		return error;
	}
	vmspace_brk_init(vm, img.ei_brk);
	*entry = img.ei_entry;
	*vmp = vm;
	return 0;
}

/*
 * The memory object of the regular file at path (from the current
 * directory if relative), in *objp with a reference the caller drops
 * (vm_object_rel), and its size now in *sizep.  -EACCES, as Linux's
 * do_open_execat: not a regular file that can be mapped, no execute bit
 * (root needs one too), or on a noexec mount; and namei's errors.  No
 * locks held.
 */
static int
exec_open(const char *path, struct vm_object **objp, uint64_t *sizep)
{
	struct nameidata nd;
	struct vnode *vp;
	struct stat st;
	int error;

	mutex_lock(&vfs_lock);
	error = namei_locked(NULL, path, NAMEI_FOLLOW, &nd);
	if (error != 0)
		goto out;
	vp = nd.nd_vp;
	memset(&st, 0, sizeof(st));
	vn_getattr_locked(vp, &st);
	if (vp->v_type != VREG || !(st.st_mode & 0111) ||
	    (vp->v_mount->mnt_flag & MS_NOEXEC) ||
	    vp->v_op->vop_getobject == NULL ||
	    vp->v_op->vop_getobject(vp, objp) != 0)
		error = -EACCES;
	else
		*sizep = __atomic_load_n(&(*objp)->vo_size, __ATOMIC_RELAXED);
	namei_done_locked(&nd);
out:
	mutex_unlock(&vfs_lock);
	return error;
}

/*
 * Set p's p_comm, and the name of curlwp if it is p's, to the last
 * component of path; the new image is dumpable again (Linux's
 * begin_new_exec).  No locks held.
 */
static void
exec_set_comm(struct proc *p, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s != '\0'; s++)
		if (s[0] == '/' && s[1] != '\0')
			base = s + 1;
	spin_lock(&proc_lock);
	strlcpy(p->p_comm, base, sizeof(p->p_comm));
	if (curlwp->l_proc == p)
		strlcpy(curlwp->l_name, base, sizeof(curlwp->l_name));
	p->p_nodump = false;
	spin_unlock(&proc_lock);
}

/*
 * execve(path, argv, envp): replace the calling process's image with the
 * program at path.  The new address space is built whole first,
 * then the other LWPs end (proc_single_lwp); only then is the old image
 * dropped, so a failure leaves the caller as it was.  Returns
 * -EJUSTRETURN (the frame is the new program's) or -errno.  No locks
 * held.
 */
long
sys_execve(const char *upath, char *const *uargv, char *const *uenvp)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	struct exec_args ea = { 0 };
	struct vmspace *vm, *old;
	struct vm_object *obj = NULL;
	uint64_t size;
	char *path;
	vaddr_t entry, sp;
	long error;

	path = kmalloc(PATH_MAX, 0);
	ea.ea_buf = kmalloc(ARG_MAX, 0);
	if (path == NULL || ea.ea_buf == NULL) {
		error = -ENOMEM;
		goto out;
	}
	error = copyinstr(upath, path, PATH_MAX);
	if (error < 0)
		goto out;
	error = exec_args_copyin(&ea, uargv);
	if (error < 0)
		goto out;
	ea.ea_argc = error;
	error = exec_args_copyin(&ea, uenvp);
	if (error < 0)
		goto out;
	ea.ea_envc = error;
	if (path[0] == '\0') {
		error = -ENOENT;
		goto out;
	}
	error = exec_open(path, &obj, &size);
	if (error != 0)
		goto out;
	error = exec_load(obj, size, &ea, &vm, &entry, &sp);
	if (error != 0)
		goto out;
	/* The new image runs alone, as on Linux: end the other LWPs. */
	error = proc_single_lwp();
	if (error != 0) {
		vmspace_rel(vm);
		goto out;
	}

	/* Nothing can fail from here on: replace the image. */
	futex_lwp_exit(); /* as Linux's exec_mm_release: robust list, tid */
	spin_lock(&proc_lock);
	vfork_done_locked(p); /* a vfork parent gets its memory back */
	/* The one LWP left is the main thread, LWP 1, as Linux's de_thread. */
	l->l_lid = 1;
	p->p_nextlid = 2;
	spin_unlock(&proc_lock);
	old = p->p_vmspace;
	p->p_vmspace = vm;
	vmspace_activate(vm);
	vmspace_rel(old);
	vkernel_exit(p); /* virtual kernels cannot be inherited by an exec */
	sig_exec(p);
	fd_closeexec(p->p_fd);
	exec_set_comm(p, path);
	proc_set_args(p, ea.ea_buf, ea.ea_argc);
	vfs_proc_exec(p, path);
	cpu_exec_setregs(l, entry, sp);
	error = -EJUSTRETURN;
out:
	if (obj != NULL)
		vm_object_rel(obj);
	kfree(path);
	kfree(ea.ea_buf);
	return error;
}

int
proc_create_init(const char *path, int argc, char *const argv[], int envc,
    char *const envp[])
{
	struct exec_args ea = { 0 };
	struct trapframe tf;
	struct vm_object *obj = NULL;
	uint64_t size;
	struct proc *p;
	struct lwp *l;
	struct file *cons;
	vaddr_t entry, sp;
	int error;

	ea.ea_buf = kmalloc(ARG_MAX, 0);
	if (ea.ea_buf == NULL)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		error = exec_args_add_kernel(&ea, argv[i]);
		if (error != 0)
			goto out;
	}
	ea.ea_argc = argc;
	for (int i = 0; i < envc; i++) {
		error = exec_args_add_kernel(&ea, envp[i]);
		if (error != 0)
			goto out;
	}
	ea.ea_envc = envc;
	error = exec_open(path, &obj, &size);
	if (error != 0)
		goto out;
	p = lwproc_newproc(&proc0, NULL, RFCFDG, &error);
	if (p == NULL)
		goto out;
	initproc = p;
	/* As on Linux, init starts in session 0, group 0 (proc0's). */
	p->p_pgid = p->p_sid = 0;
	error = exec_load(obj, size, &ea, &p->p_vmspace, &entry, &sp);
	if (error != 0)
		goto fail;
	cons = console_file_open();
	if (cons == NULL) {
		error = -ENOMEM;
		goto fail;
	}
	for (int fd = 0; fd < 3; fd++) {
		if (fd > 0)
			file_hold(cons);
		(void)fd_alloc(p->p_fd, cons, fd, false);
	}
	l = lwproc_makelwp(p, &error);
	if (l == NULL)
		goto fail;
	exec_set_comm(p, path);
	proc_set_args(p, ea.ea_buf, ea.ea_argc);
	vfs_proc_exec(p, path);
	strlcpy(l->l_name, p->p_comm, sizeof(l->l_name));
	cpu_lwp_entry_frame(&tf, entry, 0, sp);
	cpu_lwp_setup(l, &tf, NULL);
	sched_setrunnable(l);
	error = 0;
	goto out;
fail:
	initproc = NULL;
	lwproc_abandon(p);
out:
	if (obj != NULL)
		vm_object_rel(obj);
	kfree(ea.ea_buf);
	return error;
}
