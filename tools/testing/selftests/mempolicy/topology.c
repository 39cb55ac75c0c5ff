// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's NUMA topology is the one that QEMU was asked for: which nodes
 * are online, how much memory and how many CPUs each has, the DIMMs that
 * are there offline, and the distance table.  Every other test relies on
 * this, so it runs first.
 */
#include "../kselftest_harness.h"
#include "numa_util.h"

FIXTURE(topology) {
	struct topology want;
	struct nodemask online;
};

FIXTURE_SETUP(topology)
{
	if (topology_load(TOPOLOGY_FILE, &self->want))
		SKIP(return, "no topology description in " TOPOLOGY_FILE);
	ASSERT_EQ(0, read_node_state("online", &self->online));
}

FIXTURE_TEARDOWN(topology)
{
}

/* Nodes described and not marked offline are exactly the online ones. */
TEST_F(topology, online_nodes)
{
	struct nodemask want = self->want.described;
	char a[256], b[256];
	int node;

	node = -1;
	while ((node = mask_next(&self->want.offline, node)) < MASK_BITS)
		want.bits[node / BITS_PER_UL] &= ~(1UL << (node % BITS_PER_UL));
	EXPECT_TRUE(mask_equal(&want, &self->online))
		TH_LOG("online nodes %s, want %s", mask_str(&self->online, a, sizeof(a)),
		       mask_str(&want, b, sizeof(b)));
}

/* A node that firmware describes but that has nothing stays possible. */
TEST_F(topology, offline_nodes_possible)
{
	struct nodemask possible;
	int node;

	ASSERT_EQ(0, read_node_state("possible", &possible));
	node = -1;
	while ((node = mask_next(&self->want.described, node)) < MASK_BITS)
		EXPECT_TRUE(mask_test(&possible, node)) TH_LOG("node %d not possible", node);
	node = -1;
	while ((node = mask_next(&self->want.offline, node)) < MASK_BITS)
		EXPECT_FALSE(mask_test(&self->online, node)) TH_LOG("node %d online", node);
}

/* Open /sys/devices/system/node/node@node/@name. */
static FILE *open_node_file(int node, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/%s", node, name);
	return fopen(path, "r");
}

static long node_memtotal_kb(int node)
{
	FILE *f = open_node_file(node, "meminfo");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %*d MemTotal: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * The memory of @node that the kernel found present, in kB: the sum of the
 * "present" pages of its zones in /proc/zoneinfo.  Unlike MemTotal, it
 * counts what the kernel then keeps for itself, which on a KASAN kernel
 * (its shadow, an eighth of all memory, comes from node 0) is much.
 */
static long node_present_kb(int node)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	long pages = 0, n;
	int zone_node = -1;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone", &zone_node) == 1)
			continue;
		if (zone_node == node && sscanf(line, " present %ld", &n) == 1)
			pages += n;
	}
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * has_memory holds the nodes given memory; each node has what it was
 * given present, less what firmware keeps (the first MiB, tables: under a
 * sixteenth), and its MemTotal is that less what the kernel keeps.
 */
TEST_F(topology, node_memory)
{
	struct nodemask has_memory;
	int node;

	ASSERT_EQ(0, read_node_state("has_memory", &has_memory));
	node = -1;
	while ((node = mask_next(&self->online, node)) < MASK_BITS) {
		long want_kb = self->want.mem_mb[node] * 1024;
		long kb = node_memtotal_kb(node);
		long present_kb = node_present_kb(node);

		EXPECT_EQ(want_kb > 0, mask_test(&has_memory, node))
			TH_LOG("node %d: has_memory disagrees with %ld MiB", node,
			       self->want.mem_mb[node]);
		if (!want_kb) {
			EXPECT_EQ(0, kb) TH_LOG("memoryless node %d has %ld kB", node, kb);
			continue;
		}
		EXPECT_LE(present_kb, want_kb)
			TH_LOG("node %d: %ld kB present > %ld kB", node, present_kb, want_kb);
		EXPECT_GT(present_kb, want_kb - want_kb / 16)
			TH_LOG("node %d: %ld kB present of %ld kB", node, present_kb, want_kb);
		EXPECT_LE(kb, present_kb) TH_LOG("node %d: MemTotal %ld kB", node, kb);
		EXPECT_GT(kb, 0) TH_LOG("node %d: MemTotal %ld kB", node, kb);
	}
}

/*
 * A node's DIMM (dimm=MiB) is there at boot, as memory blocks linked
 * under the node and all offline, since the kernel's default online
 * policy is offline; no other node has an offline block.  MemTotal
 * leaves them out (node_memory).
 */
TEST_F(topology, dimm_blocks_offline)
{
	long block = memory_block_bytes();
	int ids[MAX_BLOCKS], node, n;

	node = -1;
	while ((node = mask_next(&self->online, node)) < MASK_BITS) {
		n = node_blocks(node, "offline", ids, MAX_BLOCKS);
		if (!self->want.dimm_mb[node]) {
			EXPECT_GE(0, n) TH_LOG("node %d: %d offline memory blocks", node, n);
			continue;
		}
		ASSERT_LT(0, block) TH_LOG("no memory blocks in sysfs");
		EXPECT_EQ(self->want.dimm_mb[node] << 20, n * block)
			TH_LOG("node %d: %d offline blocks of %ld MiB, want a %ld MiB DIMM",
			       node, n, block >> 20, self->want.dimm_mb[node]);
	}
}

static int node_cpu_count(int node)
{
	FILE *f = open_node_file(node, "cpulist");
	struct nodemask cpus;
	char buf[1024];
	int n = -1;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (!mask_parse(buf, &cpus))
		n = mask_weight(&cpus);
	fclose(f);
	return n;
}

/* CPUs per node, and has_cpu holds the nodes that have any. */
TEST_F(topology, node_cpus)
{
	struct nodemask has_cpu;
	int node;

	ASSERT_EQ(0, read_node_state("has_cpu", &has_cpu));
	node = -1;
	while ((node = mask_next(&self->online, node)) < MASK_BITS) {
		EXPECT_EQ(self->want.cpus[node], node_cpu_count(node))
			TH_LOG("node %d CPUs", node);
		EXPECT_EQ(self->want.cpus[node] > 0, mask_test(&has_cpu, node))
			TH_LOG("node %d in has_cpu", node);
	}
}

/* Each online node's distance row lists the online nodes in order. */
TEST_F(topology, distances)
{
	int from, to;

	from = -1;
	while ((from = mask_next(&self->online, from)) < MASK_BITS) {
		FILE *f = open_node_file(from, "distance");
		char buf[1024], *p = buf, *end;

		ASSERT_NE(NULL, f);
		ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
		fclose(f);
		to = -1;
		while ((to = mask_next(&self->online, to)) < MASK_BITS) {
			long d = strtol(p, &end, 10);

			ASSERT_NE(p, end) TH_LOG("node %d: short distance row '%s'", from, buf);
			EXPECT_EQ(self->want.distance[from][to], d)
				TH_LOG("distance %d -> %d", from, to);
			p = end;
		}
	}
}

TEST_HARNESS_MAIN
