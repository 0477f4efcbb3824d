/*
 * Sets of CPUs: bit i stands for the CPU whose ci_index is i.  Shared
 * sets are read and changed with atomic operations by their users.
 */
#ifndef _CPUSET_H_
#define _CPUSET_H_

#include <types.h>
#include <param.h>

typedef uint64_t cpuset_t;
_Static_assert(MAXCPUS <= 64, "a cpuset_t holds MAXCPUS bits");

#define CPUSET_BIT(index) ((cpuset_t)1 << (index))

/* The number of CPUs in set (no popcnt: the kernel runs on any x86_64). */
static inline unsigned
cpuset_count(cpuset_t set)
{
	unsigned n = 0;

	for (; set != 0; set &= set - 1)
		n++;
	return n;
}

#endif /* !_CPUSET_H_ */
