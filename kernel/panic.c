/*
 * panic(): the one way the kernel stops on a broken invariant.  It prints
 * "panic: " and the message, the CPU's registers and a backtrace, then
 * leaves QEMU with exit code 255 (ABI.md section 1).
 */
#include <systm.h>
#include <cons.h>
#include <ksyms.h>
#include <arch/cpu.h>
#include <arch/db.h>
#include <arch/ipi.h>

static struct cpu_info *panic_cpu; /* atomic: the CPU that panics */

/*
 * Enter panic state: mask interrupts, stop the other CPUs, stop
 * honouring the console lock, and stop at once on a panic inside a
 * panic.  A CPU that panics while another already does halts quietly,
 * so the first report is printed whole.  Returns only for the first
 * panic.
 */
static void
panic_enter(void)
{
	struct cpu_info *none = NULL;

	cli();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, curcpu(), false,
		__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (none != curcpu())
			for (;;)
				hlt();
		kprintf("panic: nested panic; stopping\n");
		machine_exit(0x7f);
	}
	ipi_send_others(IPI_HALT);
	cons_panic_mode();
}

/* Enter panic state and print the "panic: " line. */
static void
panic_message(const char *fmt, va_list ap)
{
	panic_enter();
	kprintf("panic: ");
	kvprintf(fmt, ap);
	kprintf("\n");
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_message(fmt, ap);
	va_end(ap);
	db_print_regs(NULL);
	db_backtrace((uint64_t)__builtin_frame_address(0));
	machine_exit(0x7f);
}

void
panic_trapframe(struct trapframe *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_message(fmt, ap);
	va_end(ap);
	db_print_regs(tf);
	db_backtrace_trapframe(tf);
	machine_exit(0x7f);
}

void
db_print_symbol(uint64_t addr)
{
	uint64_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name != NULL)
		kprintf("0x%016lx <%s+0x%lx>", addr, name, off);
	else
		kprintf("0x%016lx", addr);
}
