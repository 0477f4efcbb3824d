/*
 * Register dumps and frame-pointer backtraces, for panics.
 */
#ifndef _ARCH_DB_H_
#define _ARCH_DB_H_

#include <types.h>

struct trapframe;

/* Print the registers of tf, or the current ones when tf is NULL. */
void db_print_regs(const struct trapframe *tf);

/*
 * Print the call chain starting at frame pointer rbp, reading each frame
 * with probe_read64 so that a corrupt chain ends the walk instead of
 * faulting.
 */
void db_backtrace(uint64_t rbp);

/* The call chain of the code tf interrupted, starting at its rip. */
void db_backtrace_trapframe(const struct trapframe *tf);

/* Print addr as "0x... <function+0xoff>" (kernel/panic.c). */
void db_print_symbol(uint64_t addr);

#endif /* !_ARCH_DB_H_ */
