/*
 * kmain: from the first C instruction to "ready for init".
 *
 * boot.S enters here on the boot stack with interrupts off, the early
 * page tables (identity map of the first 4 GiB plus the kernel at
 * KERNBASE) and no per-CPU data.  The order below is the order of
 * dependencies: per-CPU data before any lock, the console before any
 * message, the boot information before memory, the direct map before
 * the page allocator, the page allocator before the heap and devices.
 */
#include <systm.h>
#include <klog.h>
#include <arch/trap.h>
#include <bootinfo.h>
#include <clock.h>
#include <cons.h>
#include <cpio.h>
#include <initrd.h>
#include <vnode.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <ktest.h>
#include <witness.h>
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/ipi.h>
#include <arch/intr.h>
#include <arch/mp.h>
#include <arch/pmap.h>
#include <vm/vm_page.h>
#include <vdso/vdso.h>

#define MB2_BOOT_MAGIC 0x36d76289

struct bootinfo bootinfo;

extern char kernel_phys_start[], kernel_phys_end[];

/* Boot-time messages about the loader's data; bi_log_t. */
static void
boot_log(const char *fmt, ...)
{
	va_list ap;

	kprintf("boot: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

/*
 * Read the loader's information (still identity-mapped) into bootinfo
 * and take the kernel image, the modules and the information structure
 * itself out of usable memory.
 */
static void
boot_read_info(uint32_t mbi_phys, uint32_t magic)
{
	struct bootinfo *bi = &bootinfo;
	uint64_t usable;

	if (magic != MB2_BOOT_MAGIC)
		panic("boot: bad multiboot2 magic 0x%x", magic);
	if (multiboot2_parse((const void *)(uint64_t)mbi_phys, mbi_phys, bi,
		boot_log) != 0)
		panic("boot: the multiboot2 information at 0x%x is unusable",
		    mbi_phys);
	usable = bootinfo_sanitize(bi, boot_log);
	if (usable == 0)
		panic("boot: the memory map has no usable memory");

	bootinfo_reserve(bi, (uint64_t)kernel_phys_start,
	    (uint64_t)kernel_phys_end);
	bootinfo_reserve(bi, bi->bi_mbi_start, bi->bi_mbi_end);
	for (size_t i = 0; i < bi->bi_nmodules; i++)
		bootinfo_reserve(bi, bi->bi_modules[i].start,
		    bi->bi_modules[i].end);
}

/* Check the initrd and say what it holds. */
static void
boot_check_initrd(const struct bootinfo *bi)
{
	const struct bi_module *m;
	long n;

	if (bi->bi_nmodules == 0) {
		kprintf("initrd: no module from the boot loader; the root file "
			"system is empty\n");
		return;
	}
	m = &bi->bi_modules[0];
	n = cpio_validate(PHYS_TO_DMAP(m->start), m->end - m->start);
	if (n < 0) {
		kprintf(
		    "initrd: module at 0x%lx (%lu bytes) is not a valid cpio "
		    "newc archive; the root file system is empty\n",
		    m->start, m->end - m->start);
		return;
	}
	kprintf("initrd: %ld entries, %lu bytes\n", n, m->end - m->start);
	initrd_init(PHYS_TO_DMAP(m->start), m->end - m->start);
}

/* The kernel's own command-line parameters: not for init's environment. */
static const char *const kernel_params[] = { "init", "witness", "ktest", "seed",
	"systrace", NULL };

/*
 * Split s at spaces into words, appended to vec (which holds *countp
 * words and has room for max).  No requirements.
 */
static void
split_words(char *s, char **vec, int *countp, int max)
{
	while (*s != '\0' && *countp < max) {
		while (*s == ' ')
			*s++ = '\0';
		if (*s == '\0')
			break;
		vec[(*countp)++] = s;
		while (*s != '\0' && *s != ' ')
			s++;
	}
}

/*
 * Start pid 1: argv[0] is its path, argv[1..] the words after " -- " on
 * the command line (ABI.md section 1).  Its environment is Linux's for
 * init: HOME=/ and TERM=linux, then the KEY=VALUE words before "--" that
 * are not kernel parameters, each replacing an earlier one with its KEY
 * (Linux's unknown_bootoption).  If it cannot start, say why and leave
 * the machine with status 127.
 */
static void
start_init(const char *path)
{
	static char args[BI_CMDLINE_MAX], env[BI_CMDLINE_MAX];
	char *argv[64];
	char *envp[32] = { "HOME=/", "TERM=linux" }, *words[32];
	int argc = 0, envc = 2, nwords = 0, error, i;
	size_t klen;

	argv[argc++] = (char *)path;
	strlcpy(args, bootinfo_initargs(&bootinfo), sizeof(args));
	split_words(args, argv, &argc, (int)ARRAY_SIZE(argv));
	bootinfo_initenv(&bootinfo, kernel_params, env, sizeof(env));
	split_words(env, words, &nwords, (int)ARRAY_SIZE(words));
	for (int w = 0; w < nwords; w++) {
		klen = strchr(words[w], '=') - words[w] + 1;
		for (i = 0; i < envc; i++)
			if (strncmp(envp[i], words[w], klen) == 0)
				break;
		if (i < (int)ARRAY_SIZE(envp)) {
			envp[i] = words[w];
			if (i == envc)
				envc++;
		}
	}
	error = proc_create_init(path, argc, argv, envc, envp);
	if (error != 0) {
		kprintf(KERN_EMERG "init: cannot start %s: error %d\n", path,
		    -error);
		kprintf(KERN_EMERG "init: exit status 127\n");
		machine_exit(127);
	}
}

void kmain(uint32_t mbi_phys, uint32_t magic, uint64_t tsc_entry);

void
kmain(uint32_t mbi_phys, uint32_t magic, uint64_t tsc_entry)
{
	char init[128];
	uint64_t boot_insns;

	cpu_startup_boot();
	cons_init_early();
	kprintf("\nkernel: x86_64, %s%s%s\n", cpu_features.cf_vendor,
	    cpu_features.cf_brand[0] != '\0' ? ", " : "",
	    cpu_features.cf_brand);

	boot_read_info(mbi_phys, magic);
	mp_reserve_trampoline(&bootinfo);
	pmap_bootstrap(&bootinfo);
	cons_init_vga(&bootinfo);
	kprintf("kernel: command line \"%s\"\n", bootinfo.bi_cmdline);
	witness_startup(&bootinfo);
	syscall_startup(&bootinfo);
	vm_page_startup(&bootinfo);

	proc_startup();
	acpi_init(&bootinfo);
	intr_startup();
	ipi_startup();
	clock_startup();
	rtc_startup();
	vdso_init();
	cons_init_input();
	sti();
	mp_startup();

	vfs_init();
	boot_check_initrd(&bootinfo);
	vfs_mount_boot();
	if (!bootinfo_getarg(&bootinfo, "init", init, sizeof(init)))
		strlcpy(init, "/bin/init", sizeof(init));

	boot_insns = rdtsc() - tsc_entry;
	kprintf("kernel: ready for init after %lu instructions (TSC ticks "
		"from entry)\n",
	    boot_insns);

	ktest_main();
	alarm_startup();
	reaper_startup();
	start_init(init);
	sched_idle();
}
