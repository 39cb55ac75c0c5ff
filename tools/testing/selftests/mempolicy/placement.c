// SPDX-License-Identifier: GPL-2.0
/*
 * Pages of an mbind(2) range land where the policy says, checked page by
 * page twice: get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) and move_pages(2)
 * with no target nodes (which only reports where each page is).
 */
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	64

FIXTURE(placement) {
	struct nodemask memory;
	long page_size;
	char *buf;
	size_t len;
};

FIXTURE_SETUP(placement)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->page_size = sysconf(_SC_PAGESIZE);
	self->len = NR_PAGES * self->page_size;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	/* Small pages, so that each page is placed on its own. */
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_NOHUGEPAGE));
}

FIXTURE_TEARDOWN(placement)
{
	munmap(self->buf, self->len);
}

/*
 * Bind @buf to @nodes, fill it, and record each page's node in @where,
 * asserting that both ways of asking agree and that the data is intact.
 */
static void place_and_locate(struct __test_metadata *_metadata,
			     struct _test_data_placement *self, int mode,
			     const struct nodemask *nodes, int *where)
{
	void *pages[NR_PAGES];
	int status[NR_PAGES];
	struct nodemask got;
	int i, got_mode;

	/* Fresh pages each time: the old ones would keep their nodes. */
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_DONTNEED));
	ASSERT_EQ(0, sys_mbind(self->buf, self->len, mode, nodes, SET_MAXNODE, 0))
		TH_LOG("mbind: %s", strerror(errno));
	ASSERT_EQ(0, sys_get_mempolicy(&got_mode, &got, MASK_BITS, self->buf, MPOL_F_ADDR));
	EXPECT_EQ(mode, got_mode);
	EXPECT_TRUE(mask_equal(nodes, &got));

	for (i = 0; i < NR_PAGES; i++)
		memset(self->buf + i * self->page_size, i + 1, self->page_size);

	for (i = 0; i < NR_PAGES; i++) {
		char *page = self->buf + i * self->page_size;

		pages[i] = page;
		ASSERT_EQ(0, sys_get_mempolicy(&where[i], NULL, 0, page,
					       MPOL_F_NODE | MPOL_F_ADDR));
		ASSERT_EQ(i + 1, page[0]);
		ASSERT_EQ(i + 1, page[self->page_size - 1]);
	}
	ASSERT_EQ(0, sys_move_pages(0, NR_PAGES, pages, NULL, status, 0));
	for (i = 0; i < NR_PAGES; i++)
		EXPECT_EQ(where[i], status[i]) TH_LOG("page %d", i);
}

/* Bound or preferred to one node at a time: every page on that node. */
static void each_node(struct __test_metadata *_metadata,
		      struct _test_data_placement *self, int mode)
{
	int where[NR_PAGES], node, i;
	struct nodemask one;

	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		one = mask_of(node);
		place_and_locate(_metadata, self, mode, &one, where);
		for (i = 0; i < NR_PAGES; i++)
			ASSERT_EQ(node, where[i]) TH_LOG("page %d", i);
	}
}

TEST_F(placement, bind_each_node)
{
	each_node(_metadata, self, MPOL_BIND);
}

TEST_F(placement, preferred_each_node)
{
	each_node(_metadata, self, MPOL_PREFERRED);
}

/* Bound to all nodes with memory, each page is on one of them. */
TEST_F(placement, bind_all_nodes)
{
	int where[NR_PAGES], i;

	place_and_locate(_metadata, self, MPOL_BIND, &self->memory, where);
	for (i = 0; i < NR_PAGES; i++) {
		int node = where[i];

		ASSERT_TRUE(node >= 0 && mask_test(&self->memory, node))
			TH_LOG("page %d on node %d", i, node);
	}
}

/* Interleaved over all nodes with memory: even, within one page per node. */
TEST_F(placement, interleave_all_nodes)
{
	int where[NR_PAGES], count[MASK_BITS] = { 0 };
	int nodes = mask_weight(&self->memory), node, i;

	place_and_locate(_metadata, self, MPOL_INTERLEAVE, &self->memory, where);
	for (i = 0; i < NR_PAGES; i++) {
		node = where[i];
		ASSERT_TRUE(node >= 0 && mask_test(&self->memory, node))
			TH_LOG("page %d on node %d", i, node);
		count[node]++;
	}
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		EXPECT_GE(count[node], NR_PAGES / nodes) TH_LOG("node %d", node);
		EXPECT_LE(count[node], NR_PAGES / nodes + 1) TH_LOG("node %d", node);
	}
}

TEST_HARNESS_MAIN
