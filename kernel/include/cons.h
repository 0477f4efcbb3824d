/*
 * The console: COM1 always, mirrored to the VGA text screen when the
 * machine has one; input from COM1.
 */
#ifndef _CONS_H_
#define _CONS_H_

#include <types.h>

struct bootinfo;

/* Serial output, usable before anything else is set up. */
void cons_init_early(void);

/* Mirror output to the VGA text screen if the loader reports one. */
void cons_init_vga(const struct bootinfo *bi);

/* Take COM1 input by interrupt (after intr_startup). */
void cons_init_input(void);

/*
 * Write n bytes in order and unchanged, as one unit that no other
 * console write interleaves with.  No requirements.
 */
void cons_write(const char *buf, size_t n);

/* The next input byte, or -1 if none has arrived.  No requirements. */
int cons_getc(void);

/* After a panic: write without the lock, which a dead CPU may hold. */
void cons_panic_mode(void);

/* Whether cons_panic_mode was called.  No requirements. */
bool cons_panicking(void);

#endif /* !_CONS_H_ */
