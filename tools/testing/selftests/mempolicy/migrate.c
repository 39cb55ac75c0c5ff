// SPDX-License-Identifier: GPL-2.0
/*
 * Moving a live program's pages between nodes: migrate_pages(2), the
 * migratepages tool that wraps it, and move_pages(2) with target nodes.
 * The program keeps running; its pages are checked where they land, and
 * their contents, read through /proc/PID/mem, must be intact.
 */
#include <sys/mman.h>
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
	self->to = mask_last(&self->memory);
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
	old = mask_of(self->from);
	new = mask_of(self->to);
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

/* mbind() with MPOL_MF_MOVE and MPOL_MF_MOVE_ALL on the caller's own pages. */
FIXTURE(mbind_move) {
	struct nodemask a, b;	/* the first and last nodes with memory */
	long ps;
	char *buf;
};

FIXTURE_SETUP(mbind_move)
{
	struct nodemask memory;
	int i;

	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	if (mask_weight(&memory) < 2)
		SKIP(return, "needs two nodes with memory");
	self->a = mask_of(mask_nth(&memory, 0));
	self->b = mask_of(mask_last(&memory));
	self->ps = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, NR_PAGES * self->ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, madvise(self->buf, NR_PAGES * self->ps, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->a,
			       SET_MAXNODE, 0));
	for (i = 0; i < NR_PAGES; i++)
		memset(self->buf + i * self->ps, i + 1, self->ps);
}

FIXTURE_TEARDOWN(mbind_move)
{
	munmap(self->buf, NR_PAGES * self->ps);
}

/* How many pages are not on @node; -1 if any page lost its contents. */
static int own_pages_off(struct _test_data_mbind_move *self, const struct nodemask *node)
{
	int i, n, off = 0;

	for (i = 0; i < NR_PAGES; i++) {
		char *page = self->buf + i * self->ps;

		if (page[0] != i + 1 || page[self->ps - 1] != i + 1)
			return -1;
		if (sys_get_mempolicy(&n, NULL, 0, page, MPOL_F_NODE | MPOL_F_ADDR))
			return -1;
		off += !mask_test(node, n);
	}
	return off;
}

TEST_F(mbind_move, move)
{
	ASSERT_EQ(0, own_pages_off(self, &self->a));
	/* Without a move flag the pages stay where they are. */
	ASSERT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
			       SET_MAXNODE, 0));
	EXPECT_EQ(0, own_pages_off(self, &self->a));
	/* ...and strict says that they are misplaced. */
	EXPECT_EQ(-1, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
				SET_MAXNODE, MPOL_MF_STRICT));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
			       SET_MAXNODE, MPOL_MF_MOVE | MPOL_MF_STRICT));
	EXPECT_EQ(0, own_pages_off(self, &self->b));
}

/* Pages that another process maps too move only with MPOL_MF_MOVE_ALL. */
TEST_F(mbind_move, shared_pages_need_move_all)
{
	int in[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Keep the copy-on-write pages mapped until the parent is done. */
		close(in[1]);
		while (read(in[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(in[0]);
	EXPECT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
			       SET_MAXNODE, MPOL_MF_MOVE));
	EXPECT_EQ(0, own_pages_off(self, &self->a));
	/* Skipping a shared page is no failure, even for strict. */
	EXPECT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
			       SET_MAXNODE, MPOL_MF_MOVE | MPOL_MF_STRICT));
	EXPECT_EQ(0, own_pages_off(self, &self->a));
	EXPECT_EQ(0, sys_mbind(self->buf, NR_PAGES * self->ps, MPOL_BIND, &self->b,
			       SET_MAXNODE, MPOL_MF_MOVE_ALL));
	EXPECT_EQ(0, own_pages_off(self, &self->b));
	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

TEST_HARNESS_MAIN
