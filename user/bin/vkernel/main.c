/*
 * vkernel: the command line and the round-robin run loop.
 * (vkernel.h explains the design.)
 *
 *     vkernel [-v] PROG [ARGS...] [-- PROG2 [ARGS...] ...]
 *
 * Every PROG is loaded as a guest, and all of them run at once, taking
 * turns of at most SLICE_NS of real time each, until every one has ended.
 * When a guest ends, one line gives its fate and its counts:
 *
 *     vkernel: guest 1 (/bin/echo) exited 0: 12 syscalls, 7 faults, 3 timeouts
 *
 * "syscalls" counts the system calls it made, "faults" the page faults
 * the vkernel handled for it (those the real kernel resolved alone are not
 * seen), "timeouts" the times its slice ran out while it ran (T_TIMEOUT).
 * -v traces every syscall and fault on stderr.
 *
 * Exit status: 0 if every guest exited with status 0; 1 if one did not,
 * or was killed; 2 on a usage error or if a program could not be loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vkernel.h"

extern char **environ;

int verbose;

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

void
guest_exit(struct guest *g, int status)
{
	g->state = GUEST_EXITED;
	g->status = status;
}

void
guest_kill(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	g->state = GUEST_KILLED;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The names of the traps a guest can die of. */
static const char *
trap_name(uint64_t trapno)
{
	switch (trapno) {
	case T_DIVIDE:
		return "divide error";
	case T_BPTFLT:
		return "breakpoint";
	case T_PRIVINFLT:
		return "invalid opcode";
	case T_PROTFLT:
		return "general protection fault";
	case T_ALIGNFLT:
		return "alignment check";
	default:
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
		guest_kill(g, "out of memory at 0x%lx", (unsigned long)addr);
	else if (error != 0)
		guest_kill(g, "segmentation fault at 0x%lx, rip 0x%lx",
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
 * One turn of guest g: run it until its slice is used up or it ends.
 * The slice is SLICE_NS from the start of the turn, time spent in the
 * vkernel on its behalf included; each vmspace_ctl gets what is left of
 * it as its time limit.
 */
static void
run_turn(struct guest *g)
{
	uint64_t start = now_ns();

	while (g->state == GUEST_RUNNABLE) {
		uint64_t used = now_ns() - start;

		if (used >= SLICE_NS)
			return;
		g->vx.vx_timeout_ns = SLICE_NS - used;
		if (guest_run(g) != 0) {
			guest_kill(g, "vmspace_ctl: %s", strerror(errno));
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
		default:
			guest_kill(g, "%s (vector %lu) at rip 0x%lx",
			    trap_name(g->tf.tf_trapno),
			    (unsigned long)g->tf.tf_trapno,
			    (unsigned long)g->tf.tf_rip);
			break;
		}
	}
}

/* Print the line for a guest that has ended, and free its vmspace. */
static void
report(struct guest *g)
{
	char fate[128];

	if (g->state == GUEST_EXITED)
		snprintf(fate, sizeof(fate), "exited %d", g->status);
	else
		snprintf(fate, sizeof(fate), "killed (%s)", g->why);
	printf("vkernel: guest %d (%s) %s: %lu syscalls, %lu faults, "
	       "%lu timeouts\n",
	    g->id, g->argv[0], fate, g->nsyscalls, g->nfaults, g->ntimeouts);
	if (vmspace_destroy(guest_vms(g)) != 0)
		fprintf(stderr, "vkernel: vmspace_destroy: %s\n",
		    strerror(errno));
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
	struct guest *guests;
	int nguests = 1, live, failed = 0;

	/* Guest output is written straight to fd 1; keep ours in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
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
		nguests++;
	}
	/* The array never moves: each guest's address is its vmspace id. */
	guests = calloc(nguests, sizeof(*guests));
	if (guests == NULL) {
		fprintf(stderr, "vkernel: out of memory\n");
		return 2;
	}
	for (int i = 0; i < nguests; i++) {
		if (load_guest(&guests[i], i + 1, argv, environ) != 0)
			return 2; /* (exiting frees every vmspace) */
		while (*argv++ != NULL)
			; /* to the next piece */
	}

	/* Round robin: each live guest in turn, until none is left. */
	live = nguests;
	for (int i = 0; live > 0; i = (i + 1) % nguests) {
		struct guest *g = &guests[i];

		if (g->state != GUEST_RUNNABLE)
			continue;
		run_turn(g);
		if (g->state != GUEST_RUNNABLE) {
			report(g);
			if (g->state != GUEST_EXITED || g->status != 0)
				failed = 1;
			live--;
		}
	}
	free(guests);
	return failed;
}
