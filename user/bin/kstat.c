/*
 * kstat: print the kernel's counters, which the private call kstat()
 * (native.h) copies out: physical pages, kernel heap, processes, LWPs,
 * address spaces and uptime.
 */

#include <errno.h>
#include <inttypes.h>
#include <native.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
	struct kstat ks;
	int n;

	memset(&ks, 0, sizeof(ks));
	if ((n = kstat(&ks, sizeof(ks))) < 0) {
		/* Either -1 with errno set or -errno, as a raw stub returns. */
		fprintf(stderr, "kstat: %s\n", strerror(n == -1 ? errno : -n));
		return 1;
	}
	if ((size_t)n < sizeof(ks))
		printf("(the kernel returned %d of %zu bytes)\n", n,
		    sizeof(ks));

	printf("pages total        %" PRIu64 " (%" PRIu64 " KiB)\n",
	    ks.ks_pages_total, ks.ks_pages_total * 4);
	printf("pages free         %" PRIu64 " (%" PRIu64 " KiB)\n",
	    ks.ks_pages_free, ks.ks_pages_free * 4);
	printf("kernel heap used   %" PRIu64 " bytes\n", ks.ks_kheap_used);
	printf("processes          %" PRIu64 "\n", ks.ks_nprocs);
	printf("lwps               %" PRIu64 "\n", ks.ks_nlwps);
	printf("vmspaces           %" PRIu64 "\n", ks.ks_nvmspaces);
	printf("vmspace entries    %" PRIu64 "\n", ks.ks_nvmspace_entries);
	printf("uptime             %" PRIu64 ".%06" PRIu64 " s\n",
	    ks.ks_uptime_ns / 1000000000, ks.ks_uptime_ns % 1000000000 / 1000);
	return 0;
}
