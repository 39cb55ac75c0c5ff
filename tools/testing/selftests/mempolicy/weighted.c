// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted interleave: /sys/kernel/mm/mempolicy/weighted_interleave/nodeN
 * holds each possible node's weight (1 unless set; 0 restores that), takes
 * 1 to 255, and MPOL_WEIGHTED_INTERLEAVE spreads each run of consecutive
 * pages as long as the weights add up to exactly by them.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

static int read_weight(int node)
{
	char path[128], buf[16] = "";
	int fd, w = -1;

	snprintf(path, sizeof(path), WI_DIR "/node%d", node);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		w = atoi(buf);
	close(fd);
	return w;
}

FIXTURE(weighted) {
	struct nodemask possible;
	struct nodemask memory;
};

FIXTURE_SETUP(weighted)
{
	ASSERT_EQ(0, read_node_state("possible", &self->possible));
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
}

FIXTURE_TEARDOWN(weighted)
{
	int node = -1;

	while ((node = mask_next(&self->possible, node)) < MASK_BITS)
		write_weight(node, "0");
}

TEST_F(weighted, a_file_per_possible_node)
{
	int node = -1;

	while ((node = mask_next(&self->possible, node)) < MASK_BITS)
		EXPECT_EQ(1, read_weight(node)) TH_LOG("node %d", node);
	EXPECT_EQ(-1, read_weight(MASK_BITS - 1));
}

TEST_F(weighted, weights_in_range)
{
	int node = mask_nth(&self->memory, 0);

	ASSERT_EQ(0, write_weight(node, "3"));
	EXPECT_EQ(3, read_weight(node));
	ASSERT_EQ(0, write_weight(node, "255\n"));
	EXPECT_EQ(255, read_weight(node));
	EXPECT_EQ(EINVAL, write_weight(node, "256"));
	EXPECT_EQ(EINVAL, write_weight(node, "-1"));
	EXPECT_EQ(EINVAL, write_weight(node, "two"));
	EXPECT_EQ(255, read_weight(node));
	/* 0 goes back to the default weight. */
	ASSERT_EQ(0, write_weight(node, "0"));
	EXPECT_EQ(1, read_weight(node));
}

/* Weights 1, 2, 3... by node: each node gets its weight of every period. */
TEST_F(weighted, placement_follows_weights)
{
	int weight[MASK_BITS] = { 0 }, count[MASK_BITS] = { 0 };
	int total = 0, pages, node = -1, i, n = 0;
	long ps = sysconf(_SC_PAGESIZE);
	char *buf, w[16];

	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		weight[node] = ++n;
		total += n;
		snprintf(w, sizeof(w), "%d", n);
		ASSERT_EQ(0, write_weight(node, w));
	}
	pages = 4 * total;
	buf = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, madvise(buf, pages * ps, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, sys_mbind(buf, pages * ps, MPOL_WEIGHTED_INTERLEAVE, &self->memory,
			       SET_MAXNODE, 0));
	for (i = 0; i < pages; i++) {
		buf[i * ps] = 1;
		ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, buf + i * ps,
					       MPOL_F_NODE | MPOL_F_ADDR));
		ASSERT_TRUE(node >= 0 && mask_test(&self->memory, node));
		count[node]++;
	}
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		EXPECT_EQ(4 * weight[node], count[node]) TH_LOG("node %d", node);
	munmap(buf, pages * ps);
}

TEST_HARNESS_MAIN
