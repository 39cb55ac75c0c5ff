// SPDX-License-Identifier: GPL-2.0
/*
 * Allocations that the kernel makes on a task's behalf follow the task's
 * policy: single pages (alloc_page()) and vmalloc(), which takes its pages
 * in bulk.  The mempolicy_probe module makes the allocations and reports
 * the node of every page.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define PROBE_MODULE	"mempolicy_probe.ko"
#define PROBE_FILE	"/sys/kernel/debug/mempolicy_probe/alloc"

/* Load the module unless it is loaded; 0 or an errno. */
static int load_probe(void)
{
	int fd, err = 0;

	if (access(PROBE_FILE, F_OK) == 0)
		return 0;
	/* The guests mount debugfs; a plain system may not have. */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	fd = open(PROBE_MODULE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
		err = errno;
	close(fd);
	return err;
}

/*
 * Have the module make @n allocations of kind @op ("pages", "vmalloc")
 * and store how many pages each node got in @count.  0 or an errno.
 */
static int probe(const char *op, int n, long count[TOPO_MAX_NODES])
{
	char buf[4096], *p = buf;
	int fd, len, node, err = 0;
	long c;

	memset(count, 0, TOPO_MAX_NODES * sizeof(count[0]));
	fd = open(PROBE_FILE, O_RDWR);
	if (fd < 0)
		return errno;
	len = snprintf(buf, sizeof(buf), "%s %d", op, n);
	if (write(fd, buf, len) != len) {
		err = errno;
		goto out;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0) {
		err = len ? errno : EIO;
		goto out;
	}
	buf[len] = '\0';
	while (sscanf(p, "%d:%ld%n", &node, &c, &len) == 2) {
		if (node >= 0 && node < TOPO_MAX_NODES)
			count[node] = c;
		p += len;
	}
out:
	close(fd);
	return err;
}

static int set_weight(int node, int weight)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", weight);
	return write_weight(node, val);
}

FIXTURE(kernel_alloc) {
	struct nodemask memory;
	int nmem;
};

FIXTURE_SETUP(kernel_alloc)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nmem = mask_weight(&self->memory);
	ASSERT_EQ(0, load_probe()) TH_LOG("cannot load " PROBE_MODULE);
}

FIXTURE_TEARDOWN(kernel_alloc)
{
	int node = -1;

	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		set_weight(node, 0);
}

/* Every page of both kinds on @node, under each one-node policy. */
static void expect_all_on(struct __test_metadata *_metadata, int mode,
			  int node)
{
	static const char * const ops[] = { "pages", "vmalloc" };
	struct nodemask m = mask_of(node);
	long count[TOPO_MAX_NODES];
	unsigned int i;

	ASSERT_EQ(0, sys_set_mempolicy(mode, &m, SET_MAXNODE));
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ASSERT_EQ(0, probe(ops[i], 32, count));
		EXPECT_EQ(32, count[node])
			TH_LOG("%s under mode %d on node %d", ops[i], mode, node);
	}
}

TEST_F(kernel_alloc, bind_each_node)
{
	int node = -1;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		expect_all_on(_metadata, MPOL_BIND, node);
}

TEST_F(kernel_alloc, preferred_each_node)
{
	int node = -1;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		expect_all_on(_metadata, MPOL_PREFERRED, node);
}

/* Without a policy, a CPU's allocations come from its own node. */
TEST_F(kernel_alloc, default_is_local)
{
	long count[TOPO_MAX_NODES];
	int node = -1, cpu, tried = 0;
	cpu_set_t set;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		cpu = node_first_cpu(node);
		if (cpu < 0)
			continue;
		ASSERT_EQ(0, run_on(cpu)) TH_LOG("cannot run on CPU %d", cpu);
		ASSERT_EQ(0, probe("pages", 32, count));
		EXPECT_EQ(32, count[node]) TH_LOG("CPU %d of node %d", cpu, node);
		ASSERT_EQ(0, probe("vmalloc", 32, count));
		EXPECT_EQ(32, count[node]) TH_LOG("CPU %d of node %d", cpu, node);
		tried++;
	}
	CPU_ZERO(&set);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ASSERT_LT(0, tried);
}

/* Single pages take the interleave nodes in turn: exactly N/k each. */
TEST_F(kernel_alloc, interleave_pages)
{
	long count[TOPO_MAX_NODES];
	int node = -1, per_node = 8;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_INTERLEAVE, &self->memory,
				       SET_MAXNODE));
	ASSERT_EQ(0, probe("pages", per_node * self->nmem, count));
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		EXPECT_EQ(per_node, count[node]) TH_LOG("node %d", node);
}

/*
 * vmalloc() allocates its pages in bulk, which spreads them in one go:
 * within one page per node, every page on an interleave node.
 */
TEST_F(kernel_alloc, interleave_vmalloc_bulk)
{
	long count[TOPO_MAX_NODES], least = -1, most = 0, sum = 0;
	int node = -1, n = 8 * self->nmem + 3;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_INTERLEAVE, &self->memory,
				       SET_MAXNODE));
	ASSERT_EQ(0, probe("vmalloc", n, count));
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		if (least < 0 || count[node] < least)
			least = count[node];
		if (count[node] > most)
			most = count[node];
		sum += count[node];
	}
	EXPECT_EQ(n, sum);
	EXPECT_GE(1, most - least) TH_LOG("least %ld, most %ld", least, most);
}

/*
 * Weighted interleave, one page at a time and in bulk: whole rounds of
 * the weights give each node exactly its weight's share.
 */
TEST_F(kernel_alloc, weighted_interleave_shares)
{
	static const char * const ops[] = { "pages", "vmalloc" };
	int node, first = mask_next(&self->memory, -1), total = 0, rounds = 4;
	long count[TOPO_MAX_NODES];
	unsigned int i;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		ASSERT_EQ(0, set_weight(node, node == first ? 3 : 1));
		total += node == first ? 3 : 1;
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		/* Anew each time, so each run starts a round. */
		ASSERT_EQ(0, sys_set_mempolicy(MPOL_WEIGHTED_INTERLEAVE,
					       &self->memory, SET_MAXNODE));
		ASSERT_EQ(0, probe(ops[i], rounds * total, count));
		node = -1;
		while ((node = mask_next(&self->memory, node)) < MASK_BITS)
			EXPECT_EQ(rounds * (node == first ? 3 : 1), count[node])
				TH_LOG("%s, node %d", ops[i], node);
	}
}

TEST_HARNESS_MAIN
