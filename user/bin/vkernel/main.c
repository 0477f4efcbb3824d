/*
 * vkernel: the command line and the round-robin run loop.
 * (vkernel.h explains the design.)
 *
 *     vkernel [-v] PROG [ARGS...] [-- PROG2 [ARGS...] ...]
 *
 * Every PROG is loaded as a guest, and all of them run at once, taking
 * turns of at most SLICE_NS of real time each, with the guests they fork,
 * until every one has ended.  When a guest of the command line ends, one
 * line gives its fate and its counts:
 *
 *     vkernel: guest 1 (/bin/echo) exited 0: 12 syscalls, 7 faults, 3 timeouts
 *
 * "syscalls" counts the system calls it made, "faults" the page faults
 * the vkernel handled for it (those the real kernel resolved alone are not
 * seen), "timeouts" the times its slice ran out while it ran (T_TIMEOUT).
 * The guests it forked are counted in their own lines only with -v.
 * -v traces every syscall and fault on stderr, and how many calls of
 * each guest were answered ENOSYS (unknown to the vkernel).
 *
 * Exit status: 0 if every guest of the command line exited with status
 * 0; 1 if one did not, or was killed; 2 on a usage error or if a program
 * could not be loaded.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vkernel.h"

extern char **environ;

int verbose;
struct guest *guests;

/* The guest whose directory and umask are the vkernel's (run_turn). */
static struct guest *cwd_owner;

void
trace(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "vkernel: guest %d: ", g->id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The names of the traps a guest can die of, and the signal Linux sends
 * for them. */
static const char *
trap_name(uint64_t trapno, int *sig)
{
	switch (trapno) {
	case T_DIVIDE:
		*sig = SIGFPE;
		return "divide error";
	case T_BPTFLT:
		*sig = SIGTRAP;
		return "breakpoint";
	case T_PRIVINFLT:
		*sig = SIGILL;
		return "invalid opcode";
	case T_PROTFLT:
		*sig = SIGSEGV;
		return "general protection fault";
	case T_ALIGNFLT:
		*sig = SIGBUS;
		return "alignment check";
	default:
		*sig = SIGSEGV;
		return "trap";
	}
}

/* The T_PAGEFLT path: give the page, or kill the guest. */
static void
page_fault(struct guest *g)
{
	uint64_t addr = g->tf.tf_addr;
	int error;

	g->nfaults++;
	error = mem_fault(g, addr, g->tf.tf_err);
	trace(g, "page fault at 0x%lx (error 0x%lx, rip 0x%lx): %s",
	    (unsigned long)addr, (unsigned long)g->tf.tf_err,
	    (unsigned long)g->tf.tf_rip,
	    error == 0 ? "page given" : strerror(-error));
	if (error == -ENOMEM)
		guest_kill(g, SIGKILL, "out of memory at 0x%lx",
		    (unsigned long)addr);
	else if (error != 0)
		guest_kill(g, SIGSEGV, "segmentation fault at 0x%lx, rip 0x%lx",
		    (unsigned long)addr, (unsigned long)g->tf.tf_rip);
}

/*
 * Run g until it traps.  The integer registers travel in g->tf; the
 * x87/SSE registers need no care here, since the kernel keeps each
 * vmspace's own between runs and gives the vkernel its own back.
 * Returns vmspace_ctl's result.
 */
static int
guest_run(struct guest *g)
{
	return vmspace_ctl(guest_vms(g), VMSPACE_CTL_RUN, &g->tf, &g->vx);
}

/*
 * One turn of guest g: run it until its slice is used up, it blocks or
 * it ends.  The slice is SLICE_NS from the start of the turn, time spent
 * in the vkernel on its behalf included; each vmspace_ctl gets what is
 * left of it as its time limit.  The vkernel's current directory and
 * umask become g's first.
 */
static void
run_turn(struct guest *g)
{
	uint64_t start = now_ns();

	if (cwd_owner != g) {
		if (fchdir(g->cwd) != 0)
			trace(g, "fchdir: %s", strerror(errno));
		umask(g->cmask);
		cwd_owner = g;
	}
	while (g->state == GUEST_RUNNABLE) {
		uint64_t used = now_ns() - start;
		int sig;

		sig_deliver(g);
		if (g->state != GUEST_RUNNABLE)
			return;
		if (used >= SLICE_NS)
			return;
		g->vx.vx_timeout_ns = SLICE_NS - used;
		if (guest_run(g) != 0) {
			guest_kill(g, SIGKILL, "vmspace_ctl: %s",
			    strerror(errno));
			return;
		}
		switch (g->tf.tf_trapno) {
		case T_SYSCALL:
			sys_dispatch(g);
			break;
		case T_PAGEFLT:
			page_fault(g);
			break;
		case T_TIMEOUT:
			g->ntimeouts++;
			trace(g, "timeout at rip 0x%lx",
			    (unsigned long)g->tf.tf_rip);
			return;
		default: {
			const char *name = trap_name(g->tf.tf_trapno, &sig);

			guest_kill(g, sig, "%s (vector %lu) at rip 0x%lx", name,
			    (unsigned long)g->tf.tf_trapno,
			    (unsigned long)g->tf.tf_rip);
			break;
		}
		}
	}
}

/* Whether blocked guest g may run again: what it waits for is there. */
static int
guest_ready(struct guest *g)
{
	struct gwait *w = &g->wait;

	if (sig_deliverable(g))
		return 1;
	if (w->child && guest_child_ready(g))
		return 1;
	if (w->wake_at != 0 && now_ns() >= w->wake_at)
		return 1;
	if (w->nfds > 0 && poll(w->fds, w->nfds, 0) > 0)
		return 1;
	return 0;
}

/*
 * Every live guest is blocked: sleep in one host poll on all the
 * descriptors they wait for, until one is ready or the nearest deadline
 * (at most a second: a guest waiting only for a child or a signal is
 * woken by another guest, which cannot run now, so this only bounds a
 * mistake).
 */
static void
wait_for_events(void)
{
	struct pollfd fds[256];
	int nfds = 0;
	uint64_t now = now_ns(), wake = now + 1000000000u;

	for (struct guest *g = guests; g != NULL; g = g->next) {
		if (g->state != GUEST_BLOCKED)
			continue;
		for (int i = 0; i < g->wait.nfds && nfds < 256; i++)
			fds[nfds++] = g->wait.fds[i];
		if (g->wait.wake_at != 0 && g->wait.wake_at < wake)
			wake = g->wait.wake_at;
	}
	if (wake > now)
		(void)poll(fds, nfds, (int)((wake - now + 999999) / 1000000));
}

/* Print the line for a guest of the command line that has ended. */
static void
report(struct guest *g)
{
	char fate[128];

	if (g->state == GUEST_EXITED)
		snprintf(fate, sizeof(fate), "exited %d", g->status);
	else
		snprintf(fate, sizeof(fate), "killed (%s)", g->why);
	trace(g, "%lu calls answered ENOSYS", g->nenosys);
	printf("vkernel: guest %d (%s) %s: %lu syscalls, %lu faults, "
	       "%lu timeouts\n",
	    g->id, g->name, fate, g->nsyscalls, g->nfaults, g->ntimeouts);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: vkernel [-v] PROG [ARGS...] [-- PROG2 [ARGS...] ...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int failed = 0;

	/* Guest output is written straight to fd 1; keep ours in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A guest writing to a pipe with no reader gets EPIPE and SIGPIPE
	 * from the vkernel; the vkernel itself must not die of it. */
	signal(SIGPIPE, SIG_IGN);
	argv++;
	argc--;
	if (argc > 0 && strcmp(argv[0], "-v") == 0) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc == 0)
		usage();

	/* Cut the arguments at each "--": each piece is a guest's argv. */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		if (i + 1 == argc || strcmp(argv[i + 1], "--") == 0 || i == 0)
			usage(); /* an empty piece */
		argv[i] = NULL;
	}
	while (argc > 0) {
		struct guest *g = guest_new(0);
		int n = 0;

		if (g == NULL) {
			fprintf(stderr, "vkernel: out of memory\n");
			return 2;
		}
		g->top = 1;
		if (load_guest(g, argv, environ) != 0)
			return 2; /* (exiting frees every vmspace) */
		while (n < argc && argv[n] != NULL)
			n++;
		argv += n + 1;
		argc -= n + 1;
	}

	/* Round robin: each runnable guest in turn, until none is left. */
	while (guests != NULL) {
		int ran = 0;
		struct guest *next;

		for (struct guest *g = guests; g != NULL; g = g->next) {
			if (g->state == GUEST_BLOCKED && guest_ready(g))
				g->state = GUEST_RUNNABLE;
			if (g->state != GUEST_RUNNABLE)
				continue;
			ran = 1;
			run_turn(g);
			if (guest_alive(g))
				continue;
			if (cwd_owner == g)
				cwd_owner = NULL;
			guest_cleanup(g);
			if (g->top || verbose)
				report(g);
			if (g->top &&
			    (g->state != GUEST_EXITED || g->status != 0))
				failed = 1;
		}
		/* The vkernel reaps the guests whose parent it is. */
		for (struct guest *g = guests; g != NULL; g = next) {
			next = g->next;
			if (!guest_alive(g) && g->ppid == 0)
				guest_free(g);
		}
		if (!ran && guests != NULL)
			wait_for_events();
	}
	return failed;
}
