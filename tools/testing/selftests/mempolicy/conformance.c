// SPDX-License-Identifier: GPL-2.0
/*
 * conformance SEED CALLS
 *
 * Issue a seeded random sequence of NUMA system calls -- set_mempolicy,
 * get_mempolicy, mbind, set_mempolicy_home_node, migrate_pages and
 * move_pages -- with random modes, flags, node masks, maxnode values and
 * ranges, valid and invalid, between page writes, and print a transcript
 * of every call's arguments, return value, errno and output.  Two kernels
 * that implement the same ABI print the same transcript for the same seed
 * on the same topology; the harness compares the patched kernel's with the
 * stock kernel's.
 *
 * The transcript holds nothing that differs between two runs on one
 * kernel: ranges are offsets into an arena at a fixed address, address
 * space randomisation is off, the program is linked statically, and it
 * runs on CPU 0 only, so that local allocation always means CPU 0's node.
 * It turns automatic NUMA balancing off, which would otherwise move pages
 * at times of its own; run it as root.  Page
 * contents are checked after every call that may move pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>
#include "../kselftest.h"

#define ARENA		((char *)0x100000000000UL)
#define ARENA_PAGES	64
#define HOLE_FIRST	40	/* pages 40..47 of the arena are unmapped */
#define HOLE_LAST	47
/* Masks as wide as the kernel accepts: a page of bits. */
#define MASK_BYTES	4096
#define MASK_LONGS	(MASK_BYTES / sizeof(unsigned long))
/* Node ids drawn: past the 8 nodes of the largest topology, and a few far. */
#define NODE_RANGE	10

static uint64_t rng_state;
static long page_size;
static unsigned char expect[ARENA_PAGES];	/* each page's fill byte, 0 if never written */
static unsigned long in_mask[MASK_LONGS], out_mask[MASK_LONGS];

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned long below(unsigned long n)
{
	return rnd() % n;
}

static int chance(int percent)
{
	return below(100) < (unsigned long)percent;
}

static int mapped(long page)
{
	return page >= 0 && page < ARENA_PAGES && (page < HOLE_FIRST || page > HOLE_LAST);
}

/* A random mode with random mode flags, sometimes invalid. */
static int random_mode(void)
{
	static const int flags[] = {
		0, 0, 0, MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES,
		MPOL_F_NUMA_BALANCING, MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES,
		1 << 12,
	};
	int mode = chance(5) ? (int)below(16) : (int)below(MPOL_MAX);

	return mode | flags[below(ARRAY_SIZE(flags))];
}

/* A random node mask in in_mask, and a maxnode to pass with it. */
static unsigned long random_mask(void)
{
	static const unsigned long maxnodes[] = {
		0, 1, 2, 3, 5, 9, 17, 64, 65, 66, 129, 1025, 8 * MASK_BYTES + 1,
		8 * MASK_BYTES + 2,
	};
	int i, n = below(4);

	memset(in_mask, 0, sizeof(in_mask));
	for (i = 0; i < n; i++) {
		unsigned long node = below(NODE_RANGE);

		in_mask[node / 64] |= 1UL << (node % 64);
	}
	if (chance(5)) {
		unsigned long far = below(8 * MASK_BYTES);

		in_mask[far / 64] |= 1UL << (far % 64);
	}
	if (chance(50))
		return 1025;
	return maxnodes[below(ARRAY_SIZE(maxnodes))];
}

static void print_in_mask(void)
{
	int i, any = 0;

	printf(" mask=");
	for (i = 0; i < (int)MASK_LONGS; i++)
		if (in_mask[i]) {
			printf("%s%d:%lx", any ? "," : "", i, in_mask[i]);
			any = 1;
		}
	if (!any)
		printf("0");
}

/* The nodes written to out_mask, and a hash of all of it. */
static void print_out_mask(void)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned char *p = (unsigned char *)out_mask;
	int i;

	for (i = 0; i < MASK_BYTES; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	printf(" out=%lx,%lx h=%016llx", out_mask[0], out_mask[1], (unsigned long long)h);
}

static void print_result(long ret)
{
	if (ret < 0)
		printf(" -> %ld errno=%d", ret, errno);
	else
		printf(" -> %ld", ret);
}

/* A random range in pages around the arena, sometimes unaligned. */
static void random_range(unsigned long *start, unsigned long *len, long *first, long *count)
{
	*first = (long)below(ARENA_PAGES + 4) - 2;
	*count = below(24);
	*start = (unsigned long)ARENA + *first * page_size;
	*len = *count * page_size;
	if (chance(5))
		*start += 1 + below(page_size - 1);
	if (chance(10))
		*len -= below(page_size);
	if (chance(2))
		*len = -*len;
}

/* Every written page of the arena still holds what was written to it. */
static void check_contents(void)
{
	long page, bad = 0;

	for (page = 0; page < ARENA_PAGES; page++) {
		unsigned char *p = (unsigned char *)ARENA + page * page_size;

		if (!mapped(page) || !expect[page])
			continue;
		if (p[0] != expect[page] || p[page_size - 1] != expect[page])
			bad++;
	}
	if (bad)
		printf(" LOST=%ld", bad);
}

static void op_set_mempolicy(void)
{
	int mode = random_mode();
	unsigned long maxnode = random_mask();
	long ret;

	errno = 0;
	ret = syscall(__NR_set_mempolicy, mode, chance(5) ? NULL : in_mask, maxnode);
	printf("set_mempolicy mode=%#x maxnode=%lu", mode, maxnode);
	print_in_mask();
	print_result(ret);
}

static void op_get_mempolicy(void)
{
	static const unsigned long flagset[] = {
		0, 0, MPOL_F_ADDR, MPOL_F_NODE | MPOL_F_ADDR, MPOL_F_NODE,
		MPOL_F_MEMS_ALLOWED, MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR, 1 << 5,
	};
	unsigned long flags = flagset[below(ARRAY_SIZE(flagset))];
	unsigned long maxnode = random_mask();
	long page = (long)below(ARENA_PAGES + 2) - 1;
	unsigned long addr = 0;
	int mode = -12345;
	long ret;

	if ((flags & MPOL_F_ADDR) || chance(3))
		addr = (unsigned long)ARENA + page * page_size + (chance(10) ? 8 : 0);
	memset(out_mask, 0xa5, sizeof(out_mask));
	errno = 0;
	ret = syscall(__NR_get_mempolicy, chance(3) ? NULL : &mode,
		      chance(10) ? NULL : out_mask, maxnode, addr, flags);
	printf("get_mempolicy flags=%#lx maxnode=%lu page=%ld", flags, maxnode,
	       addr ? page : -99);
	print_result(ret);
	/*
	 * MPOL_F_NODE alone gives the node of the task's next interleaved
	 * allocation outside a VMA.  Which node that is depends on what the
	 * kernel allocated for the task meanwhile (slab and pipe pages), which
	 * varies from run to run, so only the return value counts.
	 */
	if (flags == MPOL_F_NODE && ret == 0)
		printf(" mode=next-node");
	else
		printf(" mode=%d", mode);
	print_out_mask();
}

static void op_mbind(void)
{
	static const unsigned int flagset[] = {
		0, 0, 0, MPOL_MF_STRICT, MPOL_MF_MOVE, MPOL_MF_MOVE | MPOL_MF_STRICT,
		MPOL_MF_MOVE_ALL, 1 << 6,
	};
	unsigned int flags = flagset[below(ARRAY_SIZE(flagset))];
	int mode = random_mode();
	unsigned long maxnode = random_mask(), start, len;
	long first, count, ret;

	random_range(&start, &len, &first, &count);
	errno = 0;
	ret = syscall(__NR_mbind, start, len, mode, chance(5) ? NULL : in_mask, maxnode, flags);
	printf("mbind start=%ld+%lu len=%ld mode=%#x flags=%#x maxnode=%lu", first,
	       start % page_size, (long)len, mode, flags, maxnode);
	print_in_mask();
	print_result(ret);
	check_contents();
}

static void op_home_node(void)
{
	unsigned long start, len, node = chance(5) ? below(1 << 12) : below(NODE_RANGE);
	unsigned long flags = chance(5);
	long first, count, ret;

	random_range(&start, &len, &first, &count);
	errno = 0;
	ret = syscall(__NR_set_mempolicy_home_node, start, len, node, flags);
	printf("set_mempolicy_home_node start=%ld+%lu len=%ld node=%lu flags=%lu", first,
	       start % page_size, (long)len, node, flags);
	print_result(ret);
}

static void op_migrate_pages(void)
{
	static unsigned long old_mask[MASK_LONGS];
	unsigned long maxnode = random_mask();
	long ret;

	memcpy(old_mask, in_mask, sizeof(old_mask));
	printf("migrate_pages maxnode=%lu old", maxnode);
	print_in_mask();
	random_mask();
	printf(" new");
	print_in_mask();
	errno = 0;
	ret = syscall(__NR_migrate_pages, 0, maxnode, old_mask, in_mask);
	print_result(ret);
	check_contents();
}

static void op_move_pages(void)
{
	void *pages[8];
	int nodes[8], status[8], i, n = 1 + below(8), query = chance(50);
	long ret;

	printf("move_pages");
	for (i = 0; i < n; i++) {
		long page = (long)below(ARENA_PAGES);

		pages[i] = ARENA + page * page_size;
		nodes[i] = below(NODE_RANGE);
		status[i] = -12345;
		printf(" %ld>%d", page, query ? -1 : nodes[i]);
	}
	errno = 0;
	ret = syscall(__NR_move_pages, 0, n, pages, query ? NULL : nodes, status,
		      chance(10) ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE);
	print_result(ret);
	printf(" status");
	for (i = 0; i < n; i++)
		printf(" %d", status[i]);
	check_contents();
}

/* Write a fresh byte to some pages of the arena: new pages get placed. */
static void op_write(unsigned int seq)
{
	long first = below(ARENA_PAGES), count = 1 + below(8), page;
	unsigned char byte = 1 + seq % 255;

	printf("write first=%ld count=%ld", first, count);
	for (page = first; page < first + count && page < ARENA_PAGES; page++) {
		if (!mapped(page))
			continue;
		memset(ARENA + page * page_size, byte, page_size);
		expect[page] = byte;
	}
}

/* Where the arena's pages are, as get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) says. */
static void op_where(void)
{
	long page;

	printf("where");
	for (page = 0; page < ARENA_PAGES; page++) {
		int node = -1;

		if (!mapped(page) || !expect[page])
			continue;
		if (syscall(__NR_get_mempolicy, &node, NULL, 0,
			    ARENA + page * page_size, MPOL_F_NODE | MPOL_F_ADDR))
			node = -errno;
		printf(" %d", node);
	}
	check_contents();
}

static int numa_balancing_off(void)
{
	FILE *f = fopen("/proc/sys/kernel/numa_balancing", "r+");
	int on = 1;

	if (!f)
		return errno == ENOENT;
	if (fputs("0\n", f) >= 0 && !fflush(f) && !fseek(f, 0, SEEK_SET) &&
	    fscanf(f, "%d", &on) != 1)
		on = 1;
	fclose(f);
	return !on;
}

int main(int argc, char **argv)
{
	unsigned long calls, i;
	cpu_set_t cpu0;
	char *arena;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SEED CALLS\n", argv[0]);
		return 2;
	}
	/* The same addresses in every run: run again without randomisation. */
	if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE)) {
		personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 1;
	}
	if (!numa_balancing_off()) {
		fprintf(stderr, "cannot turn NUMA balancing off\n");
		return 1;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		perror("sched_setaffinity");
		return 1;
	}
	rng_state = strtoull(argv[1], NULL, 0) * 2654435761ULL + 1;
	calls = strtoul(argv[2], NULL, 0);
	page_size = sysconf(_SC_PAGESIZE);
	arena = mmap(ARENA, ARENA_PAGES * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (arena != ARENA || madvise(arena, ARENA_PAGES * page_size, MADV_NOHUGEPAGE) ||
	    munmap(arena + HOLE_FIRST * page_size, (HOLE_LAST - HOLE_FIRST + 1) * page_size)) {
		perror("arena");
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	for (i = 0; i < calls; i++) {
		unsigned long pick = below(100);

		printf("%lu ", i);
		if (pick < 15)
			op_set_mempolicy();
		else if (pick < 32)
			op_get_mempolicy();
		else if (pick < 50)
			op_mbind();
		else if (pick < 55)
			op_home_node();
		else if (pick < 61)
			op_migrate_pages();
		else if (pick < 69)
			op_move_pages();
		else if (pick < 90)
			op_write(i);
		else
			op_where();
		printf("\n");
	}
	return 0;
}
