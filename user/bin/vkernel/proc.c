/*
 * Guests as processes: creation, fork, execve, exit, wait4, kill, and
 * the process ids.
 *
 * Every guest is on the list `guests' from guest_new until it is reaped
 * (guest_free): by its parent's wait4, or by the run loop when its parent
 * is the vkernel (ppid 0: a guest of the command line, or one whose
 * parent ended first).  An ended guest that is not reaped yet is a zombie
 * (GUEST_EXITED or GUEST_KILLED): it has given back its vmspace and its
 * descriptors (guest_cleanup) and keeps only its status.
 *
 * Pids are the vkernel's own: 1, 2, ... in order of creation, never the
 * host's.  Process groups and sessions are kept (setpgid, setsid) and
 * used by kill(0) and kill(-pgid); there is no terminal job control.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vkernel.h"

static int next_pid = 1;

struct guest *
guest_new(int ppid)
{
	struct guest *g = calloc(1, sizeof(*g)), **pp;

	if (g == NULL)
		return NULL;
	g->id = next_pid++;
	g->ppid = ppid;
	g->pgid = g->id;
	g->sid = 0; /* (the vkernel's session: a guest may make its own) */
	g->cwd = -1;
	for (int i = 0; i < GUEST_NOFILE; i++)
		g->fd[i].host = -1;
	g->state = GUEST_RUNNABLE;
	for (pp = &guests; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = g;
	return g;
}

struct guest *
guest_find(int pid)
{
	for (struct guest *g = guests; g != NULL; g = g->next)
		if (g->id == pid)
			return g;
	return NULL;
}

void
guest_free(struct guest *g)
{
	struct guest **pp;

	for (pp = &guests; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	free(g);
}

void
guest_exit(struct guest *g, int status)
{
	g->state = GUEST_EXITED;
	g->status = status;
}

void
guest_kill(struct guest *g, int sig, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	g->state = GUEST_KILLED;
	g->termsig = sig;
}

void
guest_cleanup(struct guest *g)
{
	struct guest *parent = g->ppid ? guest_find(g->ppid) : NULL;

	fd_closeall(g);
	/* (A failed execve may have destroyed it already.) */
	if (vmspace_destroy(guest_vms(g)) != 0 && errno != ENOENT)
		fprintf(stderr, "vkernel: vmspace_destroy: %s\n",
		    strerror(errno));
	for (struct guest *c = guests; c != NULL; c = c->next)
		if (c->ppid == g->id)
			c->ppid = 0; /* the vkernel reaps it */
	if (parent == NULL)
		return;
	/* A parent ignoring SIGCHLD does not keep zombies (Linux's rule). */
	if (parent->act[SIGCHLD].handler == (uint64_t)SIG_IGN)
		g->ppid = 0;
	else
		sig_post(parent, SIGCHLD);
}

int
guest_child_ready(struct guest *g)
{
	int children = 0;

	for (struct guest *c = guests; c != NULL; c = c->next) {
		if (c->ppid != g->id)
			continue;
		if (!guest_alive(c))
			return 1;
		children++;
	}
	return children == 0;
}

/* ------------------------------------------------------------------ */
/* fork                                                               */

/*
 * Make a copy of g as a new guest (see "fork" in vkernel.h): memory,
 * descriptors, directory, signal state, registers with rax = 0.  When
 * stack is not 0, the child starts on that stack (clone).  Returns the
 * child's pid or -errno.
 */
static long
guest_fork(struct guest *g, uint64_t stack)
{
	struct guest *c = guest_new(g->id);
	int error;

	if (c == NULL)
		return -ENOMEM;
	c->pgid = g->pgid;
	c->sid = g->sid;
	memcpy(c->name, g->name, sizeof(c->name));
	c->tf = g->tf;
	c->tf.tf_rax = 0;
	if (stack != 0)
		c->tf.tf_rsp = stack;
	c->vx = g->vx;
	memcpy(c->act, g->act, sizeof(c->act));
	c->sigmask = g->sigmask;
	if (vmspace_create(guest_vms(c), 0, NULL) != 0) {
		error = -errno;
		guest_free(c);
		return error;
	}
	error = mem_copy(c, g);
	if (error == 0)
		error = fd_copy(c, g);
	if (error != 0) {
		fd_closeall(c);
		vmspace_destroy(guest_vms(c));
		guest_free(c);
		return error;
	}
	trace(g, "fork: child %d", c->id);
	return c->id;
}

long
sys_fork(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return guest_fork(g, 0);
}

/* Linux's clone flags the vkernel takes: those fork and vfork use. */
#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000
#define CLONE_THREAD 0x10000

/*
 * clone(flags, stack, parent_tid, child_tid, tls): a fork with options.
 * Threads (CLONE_VM without CLONE_VFORK, CLONE_THREAD) are not
 * supported: a guest has one thread.  CLONE_VM|CLONE_VFORK (posix_spawn,
 * vfork done with clone) is taken as a fork: the child gets a copy, in
 * which the parent's memory cannot be changed, which a vfork child must
 * not do anyway.
 */
long
sys_clone(struct guest *g, const uint64_t a[6])
{
	uint64_t flags = a[0];
	long pid;

	if ((flags & CLONE_THREAD) ||
	    ((flags & CLONE_VM) && !(flags & CLONE_VFORK)))
		return -EINVAL;
	pid = guest_fork(g, a[1]);
	if (pid < 0)
		return pid;
	if (flags & CLONE_SETTLS)
		guest_find((int)pid)->vx.vx_fsbase = a[4];
	if ((flags & CLONE_PARENT_SETTID) && a[2] != 0) {
		int p = (int)pid;

		(void)guest_write(g, a[2], &p, 4);
	}
	if ((flags & CLONE_CHILD_SETTID) && a[3] != 0) {
		int p = (int)pid;

		(void)guest_write(guest_find((int)pid), a[3], &p, 4);
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* execve                                                             */

/* Free a vector made by read_strings. */
static void
free_strings(char **v)
{
	if (v == NULL)
		return;
	for (int i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Copy the guest's NULL-terminated vector of strings at addr into vkernel
 * memory (a NULL addr is an empty vector).  Returns the vector, or NULL
 * with *error set.
 */
static char **
read_strings(struct guest *g, uint64_t addr, int *error)
{
	size_t n = 0, cap = 16, total = 0;
	char **v = calloc(cap, sizeof(*v));
	char *buf = malloc(65536);

	*error = -ENOMEM;
	if (v == NULL || buf == NULL)
		goto fail;
	for (;;) {
		uint64_t p = 0;
		int r;

		if (addr != 0 && guest_read(g, &p, addr + n * 8, 8) != 0) {
			*error = -EFAULT;
			goto fail;
		}
		if (p == 0)
			break;
		if (n + 2 > cap) {
			char **nv = realloc(v, 2 * cap * sizeof(*v));

			if (nv == NULL)
				goto fail;
			memset(nv + cap, 0, cap * sizeof(*v));
			v = nv;
			cap *= 2;
		}
		r = guest_strcpy(g, buf, p, 65536);
		if (r != 0) {
			*error = r == -ENAMETOOLONG ? -E2BIG : r;
			goto fail;
		}
		total += strlen(buf) + 1;
		if (total > STACK_SIZE / 4) {
			*error = -E2BIG;
			goto fail;
		}
		if ((v[n++] = strdup(buf)) == NULL)
			goto fail;
	}
	free(buf);
	return v;
fail:
	free(buf);
	free_strings(v);
	return NULL;
}

long
sys_execve(struct guest *g, const uint64_t a[6])
{
	char path[4096];
	char **argv = NULL, **envp = NULL;
	int error = guest_strcpy(g, path, a[0], sizeof(path));

	if (error != 0)
		return error;
	if ((argv = read_strings(g, a[1], &error)) == NULL)
		return error;
	if ((envp = read_strings(g, a[2], &error)) == NULL) {
		free_strings(argv);
		return error;
	}
	/* /proc/self/exe is the guest's own program. */
	if (strcmp(path, "/proc/self/exe") == 0)
		snprintf(path, sizeof(path), "%s", g->name);
	error = load_exec(g, path, argv, envp);
	free_strings(argv);
	free_strings(envp);
	if (error == 0) {
		fd_closeexec(g);
		sig_exec(g);
		return (long)g->tf.tf_rax; /* (0, as the new image starts) */
	}
	return error;
}

/* ------------------------------------------------------------------ */
/* exit, wait4                                                        */

/* exit and exit_group: a guest has a single thread, so they are one. */
long
sys_exit(struct guest *g, const uint64_t a[6])
{
	guest_exit(g, (int)(a[0] & 0xff));
	return 0;
}

/* Whether child c matches wait4's pid argument for parent g. */
static int
wait_matches(struct guest *g, struct guest *c, int pid)
{
	if (c->ppid != g->id)
		return 0;
	if (pid == -1)
		return 1;
	if (pid > 0)
		return c->id == pid;
	if (pid == 0)
		return c->pgid == g->pgid;
	return c->pgid == -pid;
}

/*
 * wait4(pid, status, options, rusage): reap an ended child of g.  With no
 * ended child and WNOHANG: 0; without WNOHANG: block until a child ends
 * (the guest makes the call again).  The rusage is zeros: the vkernel
 * does not measure its guests' time.
 */
long
sys_wait4(struct guest *g, const uint64_t a[6])
{
	int pid = (int)a[0], options = (int)a[2], children = 0;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	for (struct guest *c = guests; c != NULL; c = c->next) {
		int status, id;

		if (!wait_matches(g, c, pid))
			continue;
		children++;
		if (guest_alive(c))
			continue;
		status = c->state == GUEST_EXITED ? (c->status & 0xff) << 8 :
						    c->termsig;
		if (a[1] != 0 && guest_write(g, a[1], &status, 4) != 0)
			return -EFAULT;
		if (a[3] != 0) {
			static const char zeros[144]; /* struct rusage */

			if (guest_write(g, a[3], zeros, sizeof(zeros)) != 0)
				return -EFAULT;
		}
		id = c->id;
		trace(g, "reaps %d (%s)", id, c->name);
		guest_free(c);
		return id;
	}
	if (children == 0)
		return -ECHILD;
	if (options & WNOHANG)
		return 0;
	g->wait.child = 1;
	return VK_EBLOCK;
}

/* ------------------------------------------------------------------ */
/* kill and ids                                                       */

/* Post sig to the guests pid names, for kill's rules; -ESRCH if none. */
static long
kill_guests(struct guest *g, int pid, int sig)
{
	int found = 0;

	if (sig < 0 || sig > GUEST_NSIG)
		return -EINVAL;
	for (struct guest *t = guests; t != NULL; t = t->next) {
		int match;

		if (!guest_alive(t))
			match = pid > 0 && t->id == pid; /* a zombie: ok */
		else if (pid > 0)
			match = t->id == pid;
		else if (pid == 0)
			match = t->pgid == g->pgid;
		else if (pid == -1)
			match = t != g;
		else
			match = t->pgid == -pid;
		if (!match)
			continue;
		found = 1;
		if (sig != 0 && guest_alive(t))
			sig_post(t, sig);
	}
	return found ? 0 : -ESRCH;
}

long
sys_kill(struct guest *g, const uint64_t a[6])
{
	return kill_guests(g, (int)a[0], (int)a[1]);
}

/* tkill(tid, sig) and tgkill(tgid, tid, sig): a guest's one thread has
 * the guest's id (raise() uses them). */
long
sys_tkill(struct guest *g, const uint64_t a[6])
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return kill_guests(g, (int)a[0], (int)a[1]);
}

long
sys_tgkill(struct guest *g, const uint64_t a[6])
{
	if ((int)a[0] <= 0 || (int)a[1] <= 0)
		return -EINVAL;
	if (a[0] != a[1])
		return -ESRCH;
	return kill_guests(g, (int)a[1], (int)a[2]);
}

long
sys_getpid(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return g->id;
}

/* The parent's pid; 0 for a guest whose parent is the vkernel, as Linux
 * answers for a parent outside the caller's pid namespace. */
long
sys_getppid(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return g->ppid;
}

long
sys_getpgid(struct guest *g, const uint64_t a[6])
{
	struct guest *t = a[0] == 0 ? g : guest_find((int)a[0]);

	return t == NULL ? -ESRCH : t->pgid;
}

long
sys_getpgrp(struct guest *g, const uint64_t a[6])
{
	(void)a;
	return g->pgid;
}

/* setpgid(pid, pgid): pid is g or a child of g, in g's session. */
long
sys_setpgid(struct guest *g, const uint64_t a[6])
{
	int pid = (int)a[0], pgid = (int)a[1];
	struct guest *t = pid == 0 ? g : guest_find(pid);

	if (pgid < 0)
		return -EINVAL;
	if (t == NULL || (t != g && t->ppid != g->id))
		return -ESRCH;
	if (t->sid != g->sid || t->sid == t->id)
		return -EPERM;
	t->pgid = pgid == 0 ? t->id : pgid;
	return 0;
}

long
sys_getsid(struct guest *g, const uint64_t a[6])
{
	struct guest *t = a[0] == 0 ? g : guest_find((int)a[0]);

	return t == NULL ? -ESRCH : t->sid;
}

long
sys_setsid(struct guest *g, const uint64_t a[6])
{
	(void)a;
	for (struct guest *t = guests; t != NULL; t = t->next)
		if (t->pgid == g->id && t != g)
			return -EPERM;
	if (g->pgid == g->id)
		return -EPERM;
	g->sid = g->pgid = g->id;
	return g->id;
}
