/*
 * Signals: Linux's numbers, struct sigaction and its constants (SIG_DFL,
 * SIG_BLOCK, SA_*), from its uapi headers <asm/signal.h> and
 * <asm-generic/signal-defs.h> (linux-libc-dev).
 */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_

#include <asm/signal.h>
#include <linux/signal.h> /* SS_* */

/*
 * Linux has 64 signals; the uapi's NSIG (32) is kept there for old
 * libcs.  Here NSIG bounds arrays indexed by signal number, 1 to 64.
 */
#undef NSIG
#define NSIG 65

#endif /* !_SIGNAL_H_ */
