// SPDX-License-Identifier: GPL-2.0
/*
 * A program linked against libnuma sees the machine and the policies as
 * the kernel describes them: libnuma's view of the nodes, its allocators,
 * and its policy calls, which go through the NUMA system calls.
 */
#include <numa.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

FIXTURE(libnuma) {
	struct nodemask memory;
	struct nodemask possible;
	int first, last;	/* nodes with memory */
	long ps;
};

FIXTURE_SETUP(libnuma)
{
	ASSERT_NE(-1, numa_available());
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	ASSERT_EQ(0, read_node_state("possible", &self->possible));
	self->first = mask_nth(&self->memory, 0);
	self->last = mask_last(&self->memory);
	self->ps = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(libnuma)
{
	numa_set_localalloc();
}

/* libnuma counts the nodes that the kernel shows, and may use those with memory. */
TEST_F(libnuma, nodes)
{
	struct bitmask *allowed = numa_get_mems_allowed();
	struct nodemask online;
	int node;

	ASSERT_EQ(0, read_node_state("online", &online));
	EXPECT_EQ(mask_last(&online), numa_max_node());
	EXPECT_EQ(mask_weight(&self->memory), numa_num_configured_nodes());
	for (node = 0; node <= numa_max_node(); node++)
		EXPECT_EQ(mask_test(&self->memory, node), numa_bitmask_isbitset(allowed, node))
			TH_LOG("node %d", node);
	numa_bitmask_free(allowed);
}

/* numa_alloc_onnode() and numa_alloc_interleaved() place their pages. */
TEST_F(libnuma, allocators)
{
	int pages = 8 * mask_weight(&self->memory), i, node, count[MASK_BITS] = { 0 };
	char *p = numa_alloc_onnode(4 * self->ps, self->last);
	char *q;

	ASSERT_NE(NULL, p);
	memset(p, 1, 4 * self->ps);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, p + i * self->ps,
					       MPOL_F_NODE | MPOL_F_ADDR));
		EXPECT_EQ(self->last, node);
	}
	numa_free(p, 4 * self->ps);

	q = numa_alloc_interleaved(pages * self->ps);
	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, madvise(q, pages * self->ps, MADV_NOHUGEPAGE));
	memset(q, 2, pages * self->ps);
	for (i = 0; i < pages; i++) {
		ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, q + i * self->ps,
					       MPOL_F_NODE | MPOL_F_ADDR));
		ASSERT_TRUE(node >= 0 && node < MASK_BITS);
		count[node]++;
	}
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		EXPECT_EQ(8, count[node]) TH_LOG("node %d", node);
	numa_free(q, pages * self->ps);
}

/* numa_set_membind() and numa_set_preferred() set the task policy. */
TEST_F(libnuma, task_policy)
{
	struct bitmask *bind = numa_allocate_nodemask(), *got;
	struct nodemask nodes;
	int mode;

	numa_bitmask_setbit(bind, self->last);
	numa_set_membind(bind);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &nodes, MASK_BITS, NULL, 0));
	EXPECT_EQ(MPOL_BIND, mode);
	EXPECT_TRUE(mask_test(&nodes, self->last) && mask_weight(&nodes) == 1);
	got = numa_get_membind();
	EXPECT_TRUE(numa_bitmask_equal(bind, got));
	numa_bitmask_free(got);
	numa_bitmask_free(bind);

	numa_set_preferred(self->first);
	EXPECT_EQ(self->first, numa_preferred());
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	EXPECT_EQ(MPOL_PREFERRED, mode);
}

/* numa_move_pages() moves pages and reports where they are. */
TEST_F(libnuma, move_pages)
{
	char *p = mmap(NULL, 4 * self->ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int nodes[4], status[4], i;
	void *pages[4];

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		pages[i] = p + i * self->ps;
		memset(pages[i], i + 1, self->ps);
		nodes[i] = self->last;
	}
	ASSERT_EQ(0, numa_move_pages(0, 4, pages, nodes, status, MPOL_MF_MOVE));
	ASSERT_EQ(0, numa_move_pages(0, 4, pages, NULL, status, 0));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(self->last, status[i]);
		EXPECT_EQ(i + 1, p[i * self->ps]);
	}
	munmap(p, 4 * self->ps);
}

TEST_HARNESS_MAIN
