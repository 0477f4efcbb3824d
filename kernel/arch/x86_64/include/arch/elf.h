/*
 * What the ELF loader (proc/exec.c) needs to know about this machine:
 * the e_machine of its programs and where a static PIE is placed.
 */
#ifndef _ARCH_ELF_H_
#define _ARCH_ELF_H_

#include <linux/elf-em.h>

#define ELF_MACHINE EM_X86_64 /* e_machine of programs for this CPU */
#define ELF_ET_DYN_BASE \
	0x0000555555554000UL /* a static PIE's base, as Linux's */

#endif /* !_ARCH_ELF_H_ */
