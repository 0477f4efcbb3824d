/*
 * The exception table: pairs of (instruction that may fault, where to
 * continue instead).  A kernel-mode page fault or general-protection
 * fault at a listed instruction resumes at its fixup, so probing and user
 * copies need no per-CPU recovery state.
 */
#ifndef _ARCH_EXTABLE_H_
#define _ARCH_EXTABLE_H_

/* Assembler macros, kept as they are written. */
/* clang-format off */
#ifdef __ASSEMBLY__
/* Emit an entry: a fault at label `insn` continues at label `fixup`. */
#define EXTABLE(insn, fixup)            \
	.pushsection .extable, "a";     \
	.balign 8;                      \
	.quad insn, fixup;              \
	.popsection
/* clang-format on */
#else
#include <types.h>

struct extable_entry {
	uint64_t ex_insn;
	uint64_t ex_fixup;
};

/* The fixup for a fault at rip, or 0 if rip is not in the table. */
uint64_t extable_lookup(uint64_t rip);
#endif

#endif /* !_ARCH_EXTABLE_H_ */
