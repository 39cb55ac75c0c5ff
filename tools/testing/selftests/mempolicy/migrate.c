// SPDX-License-Identifier: GPL-2.0
/*
 * Moving a live program's pages between nodes: migrate_pages(2), the
 * migratepages tool that wraps it, and move_pages(2) with target nodes.
 * The program keeps running; its pages are checked where they land, and
 * their contents, read through /proc/PID/mem, must be intact.
 */
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	64

FIXTURE(migrate) {
	struct nodemask memory;
	int from, to;		/* the first and last nodes with memory */
	struct helper helper;
	long ps;
};

FIXTURE_SETUP(migrate)
{
	char opt[32];

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	if (mask_weight(&self->memory) < 2)
		SKIP(return, "needs two nodes with memory");
	self->from = mask_nth(&self->memory, 0);
	self->to = mask_nth(&self->memory, mask_weight(&self->memory) - 1);
	self->ps = sysconf(_SC_PAGESIZE);
	snprintf(opt, sizeof(opt), "--membind=%d", self->from);
	ASSERT_EQ(0, helper_start(&self->helper, opt, NR_PAGES));
}

FIXTURE_TEARDOWN(migrate)
{
	helper_stop(&self->helper);
}

/* Each of the helper's pages is on @node, with its contents intact. */
static void expect_pages_on(struct __test_metadata *_metadata,
			    struct _test_data_migrate *self, int node)
{
	EXPECT_EQ(0, helper_pages_off(&self->helper, NR_PAGES, node)) TH_LOG("node %d", node);
	EXPECT_TRUE(helper_intact(&self->helper, NR_PAGES));
}

TEST_F(migrate, migrate_pages)
{
	struct nodemask old, new;

	expect_pages_on(_metadata, self, self->from);
	mask_clear(&old);
	mask_set(&old, self->from);
	mask_clear(&new);
	mask_set(&new, self->to);
	/* It returns the number of pages it could not move. */
	ASSERT_EQ(0, syscall(__NR_migrate_pages, self->helper.pid, SET_MAXNODE, old.bits,
			     new.bits));
	expect_pages_on(_metadata, self, self->to);
	/* And back. */
	ASSERT_EQ(0, syscall(__NR_migrate_pages, self->helper.pid, SET_MAXNODE, new.bits,
			     old.bits));
	expect_pages_on(_metadata, self, self->from);
}

TEST_F(migrate, migratepages_tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "migratepages %d %d %d", self->helper.pid, self->from,
		 self->to);
	ASSERT_EQ(0, system(cmd));
	expect_pages_on(_metadata, self, self->to);
}

TEST_F(migrate, move_pages_to_nodes)
{
	void *pages[NR_PAGES];
	int nodes[NR_PAGES], status[NR_PAGES], i;

	for (i = 0; i < NR_PAGES; i++) {
		pages[i] = (void *)(self->helper.addr + i * self->ps);
		nodes[i] = self->to;
		status[i] = -1;
	}
	ASSERT_EQ(0, sys_move_pages(self->helper.pid, NR_PAGES, pages, nodes, status,
				    MPOL_MF_MOVE));
	for (i = 0; i < NR_PAGES; i++)
		EXPECT_EQ(self->to, status[i]) TH_LOG("page %d", i);
	expect_pages_on(_metadata, self, self->to);
}

TEST_HARNESS_MAIN
