/*
 * vkguest: a guest for the vkernel (user/bin/vkernel).  It computes for
 * a while, so that the vkernel must preempt it, over a buffer from
 * malloc, so that the vkernel must give it memory, and then prints a
 * checksum with printf:
 *
 *     vkguest: sum 2550000000
 *
 * It is an ordinary static musl program: it runs the same natively and
 * under the vkernel, and prints the same sum both ways.
 *
 * "vkguest segv" then writes to an address where it has no memory
 * (0x1000, below the program), to show the vkernel's fault path killing
 * a guest; natively the real kernel kills it with SIGSEGV.
 *
 * Exit status 0 (1 if malloc fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITERATIONS 20000000UL
#define BUFSIZE (64 * 1024) /* 16 pages */

int
main(int argc, char **argv)
{
	unsigned char *buf = malloc(BUFSIZE);
	volatile unsigned long sum = 0; /* volatile: every step is done */

	if (buf == NULL) {
		printf("vkguest: out of memory\n");
		return 1;
	}
	for (unsigned long i = 0; i < BUFSIZE; i++)
		buf[i] = (unsigned char)(i * 7);
	for (unsigned long i = 0; i < ITERATIONS; i++)
		sum += buf[i % BUFSIZE];
	printf("vkguest: sum %lu\n", sum);
	fflush(stdout);
	if (argc > 1 && strcmp(argv[1], "segv") == 0)
		*(volatile int *)0x1000 = 1;
	free(buf);
	return 0;
}
