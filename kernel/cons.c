/*
 * The console.  Output goes to COM1 and, when present, the VGA screen,
 * under cons_lock so that each cons_write is one unit.  Input arrives by
 * interrupt into a ring buffer that cons_getc drains, for the terminal
 * (tty.c), which the interrupt handler calls.
 */
#include <systm.h>
#include <bootinfo.h>
#include <cons.h>
#include <errno.h>
#include <tty.h>
#include <spinlock.h>
#include <arch/cons_md.h>
#include <arch/intr.h>
#include <arch/segments.h>

static struct spinlock cons_lock = SPINLOCK_INITIALIZER("cons");
static bool cons_has_vga;
static bool cons_nolock; /* after a panic */

/*
 * Input ring, guarded by cons_in_lock.  A byte that arrives when the
 * ring is full is dropped.
 */
#define CONS_INBUF 256
static struct spinlock cons_in_lock = SPINLOCK_INITIALIZER("cons_in");
static uint8_t cons_inbuf[CONS_INBUF];
static unsigned cons_in_head, cons_in_tail;

void
cons_init_early(void)
{
	uart_init();
}

void
cons_init_vga(const struct bootinfo *bi)
{
	const struct bi_framebuffer *fb = &bi->bi_fb;

	/* Only the EGA text mode: a graphics framebuffer would need a font. */
	if (!bi->bi_has_fb || fb->type != 2 || fb->width == 0 ||
	    fb->height == 0)
		return;
	vga_init(fb->addr, fb->width, fb->height);
	cons_has_vga = true;
}

/*
 * Put c on every console device.  The caller must hold cons_lock, unless
 * a panic has put the console in its lockless mode (cons_nolock).
 */
static void
cons_putc_locked(char c)
{
	KASSERT(cons_nolock || spin_held(&cons_lock));
	uart_putc(c);
	if (cons_has_vga)
		vga_putc(c);
}

void
cons_write(const char *buf, size_t n)
{
	if (cons_nolock) {
		for (size_t i = 0; i < n; i++)
			cons_putc_locked(buf[i]);
		return;
	}
	spin_lock(&cons_lock);
	for (size_t i = 0; i < n; i++)
		cons_putc_locked(buf[i]);
	spin_unlock(&cons_lock);
}

void
cons_panic_mode(void)
{
	cons_nolock = true;
}

bool
cons_panicking(void)
{
	return __atomic_load_n(&cons_nolock, __ATOMIC_RELAXED);
}

/* COM1 received data: move every waiting byte into the ring. */
static void
cons_intr(struct trapframe *tf, void *arg)
{
	int c;

	(void)tf;
	(void)arg;
	spin_lock(&cons_in_lock);
	while ((c = uart_getc()) >= 0) {
		unsigned next = (cons_in_head + 1) % CONS_INBUF;
		if (next != cons_in_tail) {
			cons_inbuf[cons_in_head] = (uint8_t)c;
			cons_in_head = next;
		}
	}
	spin_unlock(&cons_in_lock);
	tty_cons_input(); /* the line discipline takes them */
}

void
cons_init_input(void)
{
	intr_establish(IRQ_BASE + COM1_IRQ, cons_intr, NULL);
	if (intr_route_isa(COM1_IRQ, IRQ_BASE + COM1_IRQ) != 0) {
		kprintf(
		    "cons: COM1 interrupt cannot be routed; input is polled\n");
		return;
	}
	uart_enable_rx_intr();
}

int
cons_getc(void)
{
	int c = -1;

	spin_lock(&cons_in_lock);
	if (cons_in_tail != cons_in_head) {
		c = cons_inbuf[cons_in_tail];
		cons_in_tail = (cons_in_tail + 1) % CONS_INBUF;
	}
	spin_unlock(&cons_in_lock);
	if (c < 0)
		c = uart_getc(); /* polled, when the interrupt is not routed */
	return c;
}
