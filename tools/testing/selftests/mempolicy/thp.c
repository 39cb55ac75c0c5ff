// SPDX-License-Identifier: GPL-2.0
/*
 * Policies on transparent huge pages: a 2 MiB aligned anonymous range
 * that asks for huge pages with MADV_HUGEPAGE gets whole huge pages,
 * placed by the range's policy, one node per huge page; interleaving
 * picks the node per huge page.  mbind(MPOL_MF_MOVE) and migrate_pages(2)
 * move a huge page whole.  An mbind() range that covers part of a huge
 * page splits the VMA and the page's PMD mapping, and Linux 6.12 queues
 * and moves the whole huge page for MPOL_MF_MOVE, the part outside the
 * range too; the page stays huge, mapped by PTEs.
 *
 * A huge page is told apart from 512 small ones by /proc/self/pagemap and
 * /proc/kpageflags (one compound page, naturally aligned, flagged THP),
 * and its PMD mapping by AnonHugePages in /proc/self/smaps.  Contents are
 * checked after every move.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sched.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define THP_ENABLED	THP_DIR "/enabled"
#define COMPACT		"/proc/sys/vm/compact_memory"

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h). */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22

#define PM_PRESENT	0x8000000000000000ULL
#define PM_PFN_MASK	0x007fffffffffffffULL

/*
 * The modes that put a huge page on one node, and which: the node that
 * the policy names, or the node of the CPU that faults the page in.
 */
static const struct {
	int mode;
	int cpu_node;
	const char *name;
} one_node_modes[] = {
	{ MPOL_BIND, 0, "bind" },
	{ MPOL_PREFERRED, 0, "preferred" },
	{ MPOL_PREFERRED_MANY, 0, "preferred-many" },
	{ MPOL_LOCAL, 1, "local" },
	{ MPOL_DEFAULT, 1, "default" },
};

FIXTURE(thp) {
	struct nodemask memory;
	int nmem;
	int a, b;		/* the first and the last node with memory */
	long ps;
	unsigned long hpage;	/* the PMD huge page size */
	long sub;		/* base pages per huge page */
	char old_enabled[32];	/* THP mode before, restored after */
	char *map;		/* what was mmap()ed, to unmap */
	size_t map_len;
	int weights_set;
};

/* The selected mode of @path ("always [madvise] never") into @buf; 0 if found. */
static int read_thp_mode(const char *path, char *buf, size_t len)
{
	char line[256], *open, *close;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return -1;
	snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

FIXTURE_SETUP(thp)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nmem = mask_weight(&self->memory);
	self->a = mask_nth(&self->memory, 0);
	self->b = mask_last(&self->memory);
	self->ps = sysconf(_SC_PAGESIZE);
	if (read_thp_mode(THP_ENABLED, self->old_enabled, sizeof(self->old_enabled)))
		SKIP(return, "no transparent huge pages (" THP_ENABLED ")");
	self->hpage = read_long(THP_DIR "/hpage_pmd_size");
	ASSERT_LT(0, (long)self->hpage);
	self->sub = self->hpage / self->ps;
	ASSERT_GE(4096, self->sub);
	/* Huge pages for the ranges that ask for them, and free ones to take. */
	ASSERT_EQ(0, write_str(THP_ENABLED, "madvise"));
	write_str(COMPACT, "1");
}

FIXTURE_TEARDOWN(thp)
{
	int node = -1;

	if (self->map)
		munmap(self->map, self->map_len);
	write_str(THP_ENABLED, self->old_enabled);
	if (self->weights_set)
		while ((node = mask_next(&self->memory, node)) < MASK_BITS)
			write_weight(node, "0");
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

/* @n huge pages' worth of anonymous memory, aligned to a huge page, asking for them. */
static char *map_hpages(struct _test_data_thp *self, int n)
{
	size_t len = n * self->hpage;
	uintptr_t p;

	if (self->map)
		munmap(self->map, self->map_len);
	self->map_len = len + self->hpage;
	self->map = mmap(NULL, self->map_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return MAP_FAILED;
	}
	p = ((uintptr_t)self->map + self->hpage - 1) & ~(self->hpage - 1);
	if (madvise((char *)p, len, MADV_HUGEPAGE))
		return MAP_FAILED;
	return (char *)p;
}

/* What each base page holds: its number in the range and a seed, in every word. */
static unsigned long long word_of(long page, int seed)
{
	return ((unsigned long long)page << 16) | (seed << 8) | 0xa5;
}

/* Fill @n base pages at @p, the first write to each huge page faulting it in whole. */
static void fill(char *p, long n, long ps, int seed)
{
	long i, j;

	for (i = 0; i < n; i++) {
		unsigned long long *w = (unsigned long long *)(p + i * ps);

		for (j = 0; j < ps / 8; j++)
			w[j] = word_of(i, seed);
	}
}

/* The first base page of @n at @p whose contents are not what fill() wrote, or -1. */
static long first_bad(const char *p, long n, long ps, int seed)
{
	long i, j;

	for (i = 0; i < n; i++) {
		const unsigned long long *w = (const unsigned long long *)(p + i * ps);

		for (j = 0; j < ps / 8; j++)
			if (w[j] != word_of(i, seed))
				return i;
	}
	return -1;
}

/* The pagemap entries of the @n base pages at @p of process @pid (0: self). */
static int read_pagemap(pid_t pid, const char *p, long n, long ps, unsigned long long *ent)
{
	char path[64];
	ssize_t len = n * sizeof(*ent);
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, ent, len, (uintptr_t)p / ps * sizeof(*ent)) != len) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Whether the huge page's worth of base pages at @p (in process @pid) is
 * one transparent huge page: all present, on consecutive page frames from
 * a naturally aligned one, the first a compound head and the others tails,
 * all flagged THP.
 */
static int is_thp(struct _test_data_thp *self, pid_t pid, const char *p)
{
	unsigned long long ent[4096], flags[4096], pfn0;
	ssize_t len = self->sub * sizeof(flags[0]);
	int fd, ok = 1;
	long i;

	if (read_pagemap(pid, p, self->sub, self->ps, ent))
		return 0;
	pfn0 = ent[0] & PM_PFN_MASK;
	if (!pfn0 || pfn0 % self->sub)
		return 0;
	for (i = 0; i < self->sub; i++)
		if (!(ent[i] & PM_PRESENT) || (ent[i] & PM_PFN_MASK) != pfn0 + i)
			return 0;
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, flags, len, pfn0 * sizeof(flags[0])) != len)
		ok = 0;
	close(fd);
	for (i = 0; ok && i < self->sub; i++)
		ok = (flags[i] & (1ULL << KPF_THP)) &&
		     (flags[i] & (1ULL << (i ? KPF_COMPOUND_TAIL : KPF_COMPOUND_HEAD)));
	return ok;
}

/* The node of every base page of the huge page at @p, -2 if they differ, -1 on error. */
static int hpage_node(struct _test_data_thp *self, pid_t pid, char *p)
{
	int nodes[4096];
	long i;

	if (page_nodes(pid, p, self->sub, self->ps, nodes))
		return -1;
	for (i = 1; i < self->sub; i++)
		if (nodes[i] != nodes[0])
			return -2;
	return nodes[0];
}

/* The kB that the @field line ("AnonHugePages:") of smaps gives the VMA at @addr, or -1. */
static long smaps_kb(const char *addr, const char *field)
{
	unsigned long start, end;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (unsigned long)addr;
			continue;
		}
		if (in && !strncmp(line, field, strlen(field))) {
			kb = atol(line + strlen(field));
			break;
		}
	}
	fclose(f);
	return kb;
}

/* A CPU that is not on @node, preferably of a node with memory, or -1. */
static int cpu_off_node(const struct nodemask *memory, int node)
{
	int n, cpu;

	for (n = 0; n < TOPO_MAX_NODES; n++) {
		if (n == node || !mask_test(memory, n))
			continue;
		cpu = node_first_cpu(n);
		if (cpu >= 0)
			return cpu;
	}
	return -1;
}

static void run_anywhere(void)
{
	cpu_set_t set;
	int cpu;

	CPU_ZERO(&set);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Under each mode, one huge page per node that it can name: the mode's
 * node (bind, preferred and preferred-many to that node alone, run from
 * a CPU of another node where there is one), or the node of the CPU that
 * faults it in (local and the default policy).  The page must be huge,
 * mapped by its PMD, every base page of it on that node, contents intact.
 */
TEST_F_TIMEOUT(thp, lands_on_the_policy_node, 240)
{
	struct nodemask one;
	unsigned int i;
	int node, cpu, tried;
	char *p;

	for (i = 0; i < ARRAY_SIZE(one_node_modes); i++) {
		int mode = one_node_modes[i].mode;
		const char *name = one_node_modes[i].name;

		node = -1;
		tried = 0;
		while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
			if (one_node_modes[i].cpu_node) {
				cpu = node_first_cpu(node);
				if (cpu < 0)
					continue;
			} else {
				cpu = cpu_off_node(&self->memory, node);
			}
			if (cpu >= 0)
				ASSERT_EQ(0, run_on(cpu)) TH_LOG("cannot run on CPU %d", cpu);
			p = map_hpages(self, 1);
			ASSERT_NE(MAP_FAILED, p);
			one = mask_of(node);
			if (mode != MPOL_DEFAULT)
				ASSERT_EQ(0, sys_mbind(p, self->hpage, mode,
						       mode == MPOL_LOCAL ? NULL : &one,
						       mode == MPOL_LOCAL ? 0 : SET_MAXNODE, 0))
					TH_LOG("%s: %s", name, strerror(errno));
			fill(p, self->sub, self->ps, node);
			EXPECT_TRUE(is_thp(self, 0, p))
				TH_LOG("%s, node %d, CPU %d: not huge", name, node, cpu);
			EXPECT_EQ(self->hpage / 1024, smaps_kb(p, "AnonHugePages:"))
				TH_LOG("%s", name);
			EXPECT_EQ(node, hpage_node(self, 0, p)) TH_LOG("%s, CPU %d", name, cpu);
			EXPECT_EQ(-1, first_bad(p, self->sub, self->ps, node)) TH_LOG("%s", name);
			tried++;
		}
		EXPECT_LT(0, tried) TH_LOG("%s", name);
	}
	run_anywhere();
}

/* The nth node of @m, counting round it. */
static int nth_round(const struct nodemask *m, int n)
{
	return mask_nth(m, n % mask_weight(m));
}

/*
 * Interleaved over the nodes with memory, the node is chosen per huge
 * page (by its index in the range): consecutive huge pages take the
 * nodes in turn, each page whole on its node.  Which node starts depends
 * on the address, so the test does not assume it.
 */
TEST_F_TIMEOUT(thp, interleave_per_huge_page, 120)
{
	int n = 2 * self->nmem, k, node, start = -1;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_hpages(self, n);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, n * self->hpage, MPOL_INTERLEAVE, &self->memory,
			       SET_MAXNODE, 0));
	fill(p, n * self->sub, self->ps, 1);
	for (k = 0; k < n; k++) {
		char *h = p + k * self->hpage;

		EXPECT_TRUE(is_thp(self, 0, h)) TH_LOG("huge page %d", k);
		node = hpage_node(self, 0, h);
		ASSERT_LE(0, node) TH_LOG("huge page %d: base pages on several nodes", k);
		if (k == 0) {
			for (start = 0; start < self->nmem; start++)
				if (nth_round(&self->memory, start) == node)
					break;
			ASSERT_GT(self->nmem, start);
		}
		EXPECT_EQ(nth_round(&self->memory, start + k), node) TH_LOG("huge page %d", k);
	}
	EXPECT_EQ(-1, first_bad(p, n * self->sub, self->ps, 1));
}

/*
 * Weighted interleave over up to three nodes with weights 2, 1, 1: the
 * huge pages follow the weighted cycle, a node's weight of consecutive
 * huge pages each, from wherever the range's index puts the start.
 */
TEST_F_TIMEOUT(thp, weighted_interleave_per_huge_page, 120)
{
	int cycle[8], got[16], len = 0, n, k, node, start, i, w;
	struct nodemask nodes;
	char *p, val[8];

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	mask_clear(&nodes);
	self->weights_set = 1;
	for (i = 0; i < 3 && i < self->nmem; i++) {
		node = mask_nth(&self->memory, i);
		mask_set(&nodes, node);
		w = i ? 1 : 2;
		snprintf(val, sizeof(val), "%d", w);
		ASSERT_EQ(0, write_weight(node, val));
		while (w--)
			cycle[len++] = node;
	}
	n = 2 * len;
	p = map_hpages(self, n);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, n * self->hpage, MPOL_WEIGHTED_INTERLEAVE, &nodes,
			       SET_MAXNODE, 0));
	fill(p, n * self->sub, self->ps, 2);
	for (k = 0; k < n; k++) {
		EXPECT_TRUE(is_thp(self, 0, p + k * self->hpage)) TH_LOG("huge page %d", k);
		got[k] = hpage_node(self, 0, p + k * self->hpage);
		ASSERT_LE(0, got[k]) TH_LOG("huge page %d: base pages on several nodes", k);
	}
	/* Some starting point in the cycle gives every huge page its node. */
	for (start = 0; start < len; start++) {
		for (k = 0; k < n && got[k] == cycle[(start + k) % len]; k++)
			;
		if (k == n)
			break;
	}
	EXPECT_GT(len, start) TH_LOG("nodes %d %d %d %d %d %d", got[0], got[1], got[2], got[3],
				     got[4], got[5]);
	EXPECT_EQ(-1, first_bad(p, n * self->sub, self->ps, 2));
}

/*
 * mbind(MPOL_MF_MOVE) of a range of huge pages to another node moves
 * each huge page whole: every base page on the new node, still one huge
 * page mapped by its PMD, contents intact.  And back.
 */
TEST_F_TIMEOUT(thp, mbind_move_whole_huge_pages, 120)
{
	struct nodemask from = mask_of(self->a), to = mask_of(self->b);
	int n = 2, k;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_hpages(self, n);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, n * self->hpage, MPOL_BIND, &from, SET_MAXNODE, 0));
	fill(p, n * self->sub, self->ps, 3);
	for (k = 0; k < n; k++) {
		ASSERT_TRUE(is_thp(self, 0, p + k * self->hpage));
		ASSERT_EQ(self->a, hpage_node(self, 0, p + k * self->hpage));
	}
	ASSERT_EQ(0, sys_mbind(p, n * self->hpage, MPOL_BIND, &to, SET_MAXNODE,
			       MPOL_MF_MOVE | MPOL_MF_STRICT))
		TH_LOG("mbind: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		EXPECT_TRUE(is_thp(self, 0, p + k * self->hpage)) TH_LOG("huge page %d", k);
		EXPECT_EQ(self->b, hpage_node(self, 0, p + k * self->hpage)) TH_LOG("page %d", k);
	}
	EXPECT_EQ(n * self->hpage / 1024, smaps_kb(p, "AnonHugePages:"));
	EXPECT_EQ(-1, first_bad(p, n * self->sub, self->ps, 3));

	ASSERT_EQ(0, sys_mbind(p, n * self->hpage, MPOL_BIND, &from, SET_MAXNODE, MPOL_MF_MOVE));
	for (k = 0; k < n; k++) {
		EXPECT_TRUE(is_thp(self, 0, p + k * self->hpage)) TH_LOG("huge page %d", k);
		EXPECT_EQ(self->a, hpage_node(self, 0, p + k * self->hpage)) TH_LOG("page %d", k);
	}
	EXPECT_EQ(-1, first_bad(p, n * self->sub, self->ps, 3));
}

/*
 * migrate_pages(2) of another process whose memory is in huge pages on
 * node A moves them to node B whole, and the process finds its data.
 */
TEST_F_TIMEOUT(thp, migrate_pages_moves_huge_pages, 120)
{
	struct nodemask from = mask_of(self->a), to = mask_of(self->b);
	int n = 2, k, go[2], ready[2], status;
	char *p, c = 0;
	pid_t pid;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_hpages(self, n);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Its own huge pages, faulted in after the fork, bound to A. */
		if (sys_mbind(p, n * self->hpage, MPOL_BIND, &from, SET_MAXNODE, 0))
			_exit(10);
		fill(p, n * self->sub, self->ps, 4);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(11);
		_exit(first_bad(p, n * self->sub, self->ps, 4) == -1 ? 0 : 12);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	for (k = 0; k < n; k++) {
		EXPECT_TRUE(is_thp(self, pid, p + k * self->hpage)) TH_LOG("huge page %d", k);
		EXPECT_EQ(self->a, hpage_node(self, pid, p + k * self->hpage));
	}
	EXPECT_EQ(0, syscall(__NR_migrate_pages, pid, SET_MAXNODE, from.bits, to.bits))
		TH_LOG("migrate_pages: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		EXPECT_TRUE(is_thp(self, pid, p + k * self->hpage)) TH_LOG("huge page %d", k);
		EXPECT_EQ(self->b, hpage_node(self, pid, p + k * self->hpage)) TH_LOG("page %d", k);
	}
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child: status %#x", status);
}

/*
 * mbind(MPOL_MF_MOVE) of the second half of a huge page bound to A, to
 * B: the VMA splits at the middle, with a policy each, as numa_maps
 * shows; the PMD mapping splits (AnonHugePages drops to 0) but the page
 * stays one huge page, and since Linux 6.12 queues a huge page for
 * migration whole even when the range covers only part of it, all of it
 * moves to B, the half outside the range too.  Contents intact.
 */
TEST_F_TIMEOUT(thp, mbind_move_part_of_a_huge_page, 120)
{
	struct nodemask from = mask_of(self->a), to = mask_of(self->b);
	char *p, *half, pol[64], want[64];
	int nodes[4096];
	long i, on_b = 0;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_hpages(self, 1);
	ASSERT_NE(MAP_FAILED, p);
	half = p + self->hpage / 2;
	ASSERT_EQ(0, sys_mbind(p, self->hpage, MPOL_BIND, &from, SET_MAXNODE, 0));
	fill(p, self->sub, self->ps, 5);
	ASSERT_TRUE(is_thp(self, 0, p));
	ASSERT_EQ(self->a, hpage_node(self, 0, p));
	ASSERT_EQ(self->hpage / 1024, smaps_kb(p, "AnonHugePages:"));

	ASSERT_EQ(0, sys_mbind(half, self->hpage / 2, MPOL_BIND, &to, SET_MAXNODE, MPOL_MF_MOVE))
		TH_LOG("mbind: %s", strerror(errno));
	ASSERT_EQ(0, page_nodes(0, p, self->sub, self->ps, nodes));
	for (i = 0; i < self->sub; i++)
		on_b += nodes[i] == self->b;
	TH_LOG("%ld of %ld base pages on node %d; huge: %d; AnonHugePages %ld+%ld kB",
	       on_b, self->sub, self->b, is_thp(self, 0, p), smaps_kb(p, "AnonHugePages:"),
	       smaps_kb(half, "AnonHugePages:"));
	EXPECT_EQ(self->sub, on_b);
	EXPECT_TRUE(is_thp(self, 0, p));
	EXPECT_EQ(0, smaps_kb(p, "AnonHugePages:"));
	EXPECT_EQ(0, smaps_kb(half, "AnonHugePages:"));
	EXPECT_EQ(-1, first_bad(p, self->sub, self->ps, 5));

	/* Two VMAs, each with its own policy. */
	ASSERT_TRUE(numa_maps_policy(getpid(), (unsigned long)p, pol, sizeof(pol)));
	snprintf(want, sizeof(want), "bind:%d", self->a);
	EXPECT_STREQ(want, pol);
	ASSERT_TRUE(numa_maps_policy(getpid(), (unsigned long)half, pol, sizeof(pol)));
	snprintf(want, sizeof(want), "bind:%d", self->b);
	EXPECT_STREQ(want, pol);
}

TEST_HARNESS_MAIN
