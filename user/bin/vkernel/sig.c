/*
 * Signals of guests: handlers, mask, pending set, and delivery on the
 * guest's stack in Linux's x86-64 rt_sigframe layout.
 *
 * A signal is made pending by sig_post (kill, a child's end, a write to
 * a pipe without readers) and delivered by sig_deliver, which the run
 * loop calls each time before it runs the guest: the point where a
 * kernel returns to user mode.  Delivery of a caught signal builds, below
 * the guest's stack pointer and its 128-byte red zone,
 *
 *     frame + 0    return address: the handler's sa_restorer
 *     frame + 8    struct ucontext: flags, link, stack, sigcontext (the
 *                  integer registers, 256 bytes), the mask to restore
 *     frame + 312  struct siginfo (128 bytes)
 *
 * and enters the handler with rdi = sig, rsi = &siginfo, rdx = &ucontext
 * and rsp = frame (16-byte aligned + 8, as after a call).  The handler
 * returns to sa_restorer, which calls rt_sigreturn: the registers and the
 * mask come back from the ucontext, and the guest goes on where it was.
 * There is no x87/SSE state in the frame (vkernel.h says why).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "vkernel.h"

#define SIGBIT(sig) (1ULL << ((sig)-1))
/* The signals that cannot be caught, blocked or ignored. */
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* sa_flags bits (Linux's). */
#define VK_SA_SIGINFO 0x4UL
#define VK_SA_RESTORER 0x04000000UL
#define VK_SA_RESTART 0x10000000UL
#define VK_SA_NODEFER 0x40000000UL
#define VK_SA_RESETHAND 0x80000000UL

#define VK_SIG_DFL 0UL
#define VK_SIG_IGN 1UL

/* Offsets in the frame (see the top of this file). */
#define UC_OFF 8
#define UC_MCONTEXT 40
#define UC_SIGMASK 296
#define UC_SIZE 304
#define INFO_OFF (UC_OFF + UC_SIZE)
#define FRAME_SIZE (INFO_OFF + 128)

/*
 * Whether the default action of sig is to do nothing.  The stop signals
 * are in the list: there is no job control here (vkernel.h).
 */
static int
default_ignored(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return 1;
	default:
		return 0;
	}
}

/* Whether a signal sig posted to g now would be thrown away. */
static int
sig_ignored(struct guest *g, int sig)
{
	uint64_t h = g->act[sig].handler;

	if (sig == SIGKILL)
		return 0;
	if (g->sigmask & SIGBIT(sig))
		return 0; /* the handler may change before it is unblocked */
	return h == VK_SIG_IGN || (h == VK_SIG_DFL && default_ignored(sig));
}

void
sig_post(struct guest *g, int sig)
{
	if (sig <= 0 || sig > GUEST_NSIG || !guest_alive(g))
		return;
	trace(g, "signal %d posted", sig);
	if (!sig_ignored(g, sig))
		g->sigpending |= SIGBIT(sig);
}

int
sig_deliverable(struct guest *g)
{
	return (g->sigpending & ~g->sigmask) != 0;
}

/* Whether call nr, interrupted by a handler with SA_RESTART, is made
 * again (Linux's ERESTARTSYS) or returns EINTR. */
static int
restartable(uint64_t nr)
{
	switch (nr) {
	case SYS_rt_sigsuspend:
	case SYS_pause:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
		return 0;
	default:
		return 1;
	}
}

/*
 * The blocked call of g (g->restart) is interrupted by a signal: leave it
 * to be made again (restart), or make it return EINTR.  nanosleep then
 * tells how much time was left, as Linux does.
 */
static void
interrupt_call(struct guest *g, int restart)
{
	uint64_t nr = g->restart;

	if (nr == 0)
		return;
	if (!restart || !restartable(nr)) {
		if (nr == SYS_nanosleep && g->tf.tf_rsi != 0) {
			uint64_t now = now_ns(), left = 0, ts[2];

			if (g->wait.wake_at > now)
				left = g->wait.wake_at - now;
			ts[0] = left / 1000000000u;
			ts[1] = left % 1000000000u;
			(void)guest_write(g, g->tf.tf_rsi, ts, sizeof(ts));
		}
		g->tf.tf_rax = (uint64_t)-EINTR;
		g->tf.tf_rip += 2;
	}
	g->restart = 0;
	memset(&g->wait, 0, sizeof(g->wait));
}

/* Store the registers of g in a sigcontext (256 bytes). */
static void
save_regs(const struct trapframe *tf, uint64_t sc[32])
{
	memset(sc, 0, 32 * 8);
	sc[0] = tf->tf_r8;
	sc[1] = tf->tf_r9;
	sc[2] = tf->tf_r10;
	sc[3] = tf->tf_r11;
	sc[4] = tf->tf_r12;
	sc[5] = tf->tf_r13;
	sc[6] = tf->tf_r14;
	sc[7] = tf->tf_r15;
	sc[8] = tf->tf_rdi;
	sc[9] = tf->tf_rsi;
	sc[10] = tf->tf_rbp;
	sc[11] = tf->tf_rbx;
	sc[12] = tf->tf_rdx;
	sc[13] = tf->tf_rax;
	sc[14] = tf->tf_rcx;
	sc[15] = tf->tf_rsp;
	sc[16] = tf->tf_rip;
	sc[17] = tf->tf_rflags;
	sc[18] = 0x33 | (0x2bULL << 48); /* cs, gs, fs, ss */
	sc[19] = tf->tf_err;
	sc[20] = tf->tf_trapno;
	sc[22] = tf->tf_addr; /* cr2 */
}

static void
load_regs(struct trapframe *tf, const uint64_t sc[32])
{
	tf->tf_r8 = sc[0];
	tf->tf_r9 = sc[1];
	tf->tf_r10 = sc[2];
	tf->tf_r11 = sc[3];
	tf->tf_r12 = sc[4];
	tf->tf_r13 = sc[5];
	tf->tf_r14 = sc[6];
	tf->tf_r15 = sc[7];
	tf->tf_rdi = sc[8];
	tf->tf_rsi = sc[9];
	tf->tf_rbp = sc[10];
	tf->tf_rbx = sc[11];
	tf->tf_rdx = sc[12];
	tf->tf_rax = sc[13];
	tf->tf_rcx = sc[14];
	tf->tf_rsp = sc[15];
	tf->tf_rip = sc[16];
	tf->tf_rflags = sc[17]; /* (vmspace_ctl sanitizes it) */
}

/* Run the handler of sig in g: push the frame, enter the handler.
 * Returns 0, or -EFAULT when the frame cannot be written. */
static int
run_handler(struct guest *g, int sig)
{
	struct gsigaction *act = &g->act[sig];
	unsigned char frame[FRAME_SIZE];
	uint64_t sc[32], sp, mask, info_sig;

	if (!(act->flags & VK_SA_RESTORER))
		return -EFAULT; /* x86-64 Linux needs one to return */
	interrupt_call(g, (act->flags & VK_SA_RESTART) != 0);
	mask = g->has_saved_mask ? g->saved_mask : g->sigmask;
	g->has_saved_mask = 0;

	memset(frame, 0, sizeof(frame));
	memcpy(frame, &act->restorer, 8);
	memcpy(frame + UC_OFF + 16, &(uint64_t) { 0 }, 8); /* ss_sp */
	memcpy(frame + UC_OFF + 24, &(uint32_t) { SS_DISABLE }, 4);
	save_regs(&g->tf, sc);
	sc[21] = mask; /* oldmask */
	memcpy(frame + UC_OFF + UC_MCONTEXT, sc, sizeof(sc));
	memcpy(frame + UC_OFF + UC_SIGMASK, &mask, 8);
	info_sig = (uint64_t)sig; /* si_signo; si_errno, si_code 0 (SI_USER) */
	memcpy(frame + INFO_OFF, &info_sig, 8);

	sp = ((g->tf.tf_rsp - 128 - FRAME_SIZE) & ~15UL) - 8;
	if (guest_write(g, sp, frame, sizeof(frame)) != 0)
		return -EFAULT;
	g->sigmask |= act->mask;
	if (!(act->flags & VK_SA_NODEFER))
		g->sigmask |= SIGBIT(sig);
	g->sigmask &= ~SIG_UNBLOCKABLE;
	trace(g, "signal %d: handler 0x%lx", sig, (unsigned long)act->handler);
	g->tf.tf_rip = act->handler;
	g->tf.tf_rsp = sp;
	g->tf.tf_rdi = (uint64_t)sig;
	g->tf.tf_rsi = sp + INFO_OFF;
	g->tf.tf_rdx = sp + UC_OFF;
	g->tf.tf_rax = 0;
	if (act->flags & VK_SA_RESETHAND) {
		act->handler = VK_SIG_DFL;
		act->flags &= ~VK_SA_SIGINFO;
	}
	return 0;
}

void
sig_deliver(struct guest *g)
{
	uint64_t set = g->sigpending & ~g->sigmask;
	int sig;
	uint64_t h;

	if (set == 0)
		return;
	sig = __builtin_ctzll(set) + 1;
	g->sigpending &= ~SIGBIT(sig);
	h = g->act[sig].handler;
	if (sig == SIGKILL || (h == VK_SIG_DFL && !default_ignored(sig))) {
		guest_kill(g, sig, "signal %d (%s)", sig, strsignal(sig));
		return;
	}
	if (h == VK_SIG_DFL || h == VK_SIG_IGN)
		return; /* thrown away; a blocked call goes on waiting */
	if (run_handler(g, sig) != 0)
		guest_kill(g, SIGSEGV, "cannot deliver signal %d", sig);
}

void
sig_exec(struct guest *g)
{
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		if (g->act[sig].handler != VK_SIG_IGN)
			g->act[sig].handler = VK_SIG_DFL;
		g->act[sig].flags = 0;
		g->act[sig].restorer = 0;
		g->act[sig].mask = 0;
	}
	g->has_saved_mask = 0;
}

/* rt_sigaction(sig, act, oldact, sigsetsize). */
long
sys_rt_sigaction(struct guest *g, const uint64_t a[6])
{
	int sig = (int)a[0];
	struct gsigaction act;

	if (a[3] != 8 || sig < 1 || sig > GUEST_NSIG)
		return -EINVAL;
	if (a[1] != 0 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1] != 0 && guest_read(g, &act, a[1], sizeof(act)) != 0)
		return -EFAULT;
	if (a[2] != 0 &&
	    guest_write(g, a[2], &g->act[sig], sizeof(g->act[sig])) != 0)
		return -EFAULT;
	if (a[1] != 0) {
		act.mask &= ~SIG_UNBLOCKABLE;
		g->act[sig] = act;
		if (act.handler == VK_SIG_IGN ||
		    (act.handler == VK_SIG_DFL && default_ignored(sig)))
			g->sigpending &= ~SIGBIT(sig);
	}
	return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize). */
long
sys_rt_sigprocmask(struct guest *g, const uint64_t a[6])
{
	uint64_t set, old = g->sigmask;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1] != 0) {
		if (guest_read(g, &set, a[1], 8) != 0)
			return -EFAULT;
		switch (a[0]) {
		case SIG_BLOCK:
			g->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			g->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			g->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		g->sigmask &= ~SIG_UNBLOCKABLE;
	}
	if (a[2] != 0 && guest_write(g, a[2], &old, 8) != 0)
		return -EFAULT;
	return 0;
}

/* rt_sigreturn: the frame's ucontext is at rsp (the handler's return
 * popped the return address).  Returns the restored rax. */
long
sys_rt_sigreturn(struct guest *g, const uint64_t a[6])
{
	uint64_t sc[32], mask;
	uint64_t uc = g->tf.tf_rsp;

	(void)a;
	if (guest_read(g, sc, uc + UC_MCONTEXT, sizeof(sc)) != 0 ||
	    guest_read(g, &mask, uc + UC_SIGMASK, 8) != 0) {
		guest_kill(g, SIGSEGV, "bad signal frame at 0x%lx",
		    (unsigned long)uc);
		return -EFAULT;
	}
	load_regs(&g->tf, sc);
	g->sigmask = mask & ~SIG_UNBLOCKABLE;
	return (long)g->tf.tf_rax;
}

/* rt_sigsuspend(mask, sigsetsize): wait for a signal with mask; always
 * EINTR (after the handler, the old mask is back). */
long
sys_rt_sigsuspend(struct guest *g, const uint64_t a[6])
{
	uint64_t mask;

	if (g->restart != SYS_rt_sigsuspend) {
		if (a[1] != 8)
			return -EINVAL;
		if (guest_read(g, &mask, a[0], 8) != 0)
			return -EFAULT;
		g->saved_mask = g->sigmask;
		g->has_saved_mask = 1;
		g->sigmask = mask & ~SIG_UNBLOCKABLE;
	}
	g->wait.sigwait = 1;
	return VK_EBLOCK;
}

long
sys_pause(struct guest *g, const uint64_t a[6])
{
	(void)a;
	g->wait.sigwait = 1;
	return VK_EBLOCK;
}

long
sys_rt_sigpending(struct guest *g, const uint64_t a[6])
{
	uint64_t set = g->sigpending & g->sigmask;

	if (a[1] != 8)
		return -EINVAL;
	return guest_write(g, a[0], &set, 8);
}
