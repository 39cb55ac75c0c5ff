// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of numactl_placement: map and touch NPAGES anonymous pages, print
 * their address on stdout, then wait for stdin to close, so that the test
 * can read this process's /proc/PID/numa_maps while it runs under numactl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "numa_util.h"

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 0, psize = sysconf(_SC_PAGESIZE);
	char c, *buf;

	if (pages <= 0) {
		fprintf(stderr, "usage: %s NPAGES\n", argv[0]);
		return 2;
	}
	buf = mmap(NULL, pages * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || madvise(buf, pages * psize, MADV_NOHUGEPAGE)) {
		perror("mmap");
		return 1;
	}
	memset(buf, HELPER_FILL, pages * psize);
	printf("%lx\n", (unsigned long)buf);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
