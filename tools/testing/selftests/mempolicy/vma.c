// SPDX-License-Identifier: GPL-2.0
/*
 * VMA policies over ranges: mbind() over part of a VMA splits it and
 * adjacent VMAs with equal policies merge again; fork() copies the
 * policies; mremap() and munmap() keep them with the pages they govern;
 * and /proc/PID/numa_maps prints each policy as Linux 6.12 does.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	8

FIXTURE(vma) {
	struct nodemask memory;
	struct nodemask first;	/* the first node with memory */
	struct nodemask last;	/* the last node with memory */
	long ps;
	char *buf;
};

FIXTURE_SETUP(vma)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->first = mask_of(mask_nth(&self->memory, 0));
	self->last = mask_of(mask_last(&self->memory));
	self->ps = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, NR_PAGES * self->ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(vma)
{
	munmap(self->buf, NR_PAGES * self->ps);
}

/* How many VMAs of /proc/self/maps overlap [start, end). */
static int count_vmas(void *start, void *end)
{
	unsigned long s, e;
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 &&
		    s < (unsigned long)end && e > (unsigned long)start)
			n++;
	fclose(f);
	return n;
}

/* The policy of the page at @addr, as get_mempolicy(MPOL_F_ADDR) says. */
static int addr_policy(void *addr, struct nodemask *nodes)
{
	int mode = -1;

	if (sys_get_mempolicy(&mode, nodes, MASK_BITS, addr, MPOL_F_ADDR))
		return -errno;
	return mode;
}

TEST_F(vma, split_and_merge)
{
	char *p = self->buf, *end = p + NR_PAGES * self->ps;
	struct nodemask got;
	int i;

	ASSERT_EQ(1, count_vmas(p, end));
	/* Bind pages 2-3: the VMA splits in three. */
	ASSERT_EQ(0, sys_mbind(p + 2 * self->ps, 2 * self->ps, MPOL_BIND, &self->last,
			       SET_MAXNODE, 0));
	EXPECT_EQ(3, count_vmas(p, end));
	for (i = 0; i < NR_PAGES; i++) {
		int bound = i == 2 || i == 3;

		EXPECT_EQ(bound ? MPOL_BIND : MPOL_DEFAULT, addr_policy(p + i * self->ps, &got))
			TH_LOG("page %d", i);
		if (bound)
			EXPECT_TRUE(mask_equal(&self->last, &got));
	}
	/* Bind pages 4-5 the same way: they merge with 2-3. */
	ASSERT_EQ(0, sys_mbind(p + 4 * self->ps, 2 * self->ps, MPOL_BIND, &self->last,
			       SET_MAXNODE, 0));
	EXPECT_EQ(3, count_vmas(p, end));
	/* A different policy on page 6 splits again. */
	ASSERT_EQ(0, sys_mbind(p + 6 * self->ps, self->ps, MPOL_PREFERRED, &self->first,
			       SET_MAXNODE, 0));
	EXPECT_EQ(4, count_vmas(p, end));
	EXPECT_EQ(MPOL_PREFERRED, addr_policy(p + 6 * self->ps, &got));
	EXPECT_EQ(MPOL_DEFAULT, addr_policy(p + 7 * self->ps, &got));
	/* Back to the default everywhere: one VMA. */
	ASSERT_EQ(0, sys_mbind(p, NR_PAGES * self->ps, MPOL_DEFAULT, NULL, 0, 0));
	EXPECT_EQ(1, count_vmas(p, end));
	for (i = 0; i < NR_PAGES; i++)
		EXPECT_EQ(MPOL_DEFAULT, addr_policy(p + i * self->ps, &got));
}

TEST_F(vma, fork_copies_policies)
{
	struct nodemask got;
	int status, mode = -1;
	pid_t pid;

	ASSERT_EQ(0, sys_mbind(self->buf, self->ps, MPOL_INTERLEAVE, &self->memory,
			       SET_MAXNODE, 0));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_PREFERRED, &self->last, SET_MAXNODE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ok = addr_policy(self->buf, &got) == MPOL_INTERLEAVE &&
			 mask_equal(&got, &self->memory) &&
			 addr_policy(self->buf + self->ps, &got) == MPOL_DEFAULT &&
			 !sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0) &&
			 mode == MPOL_PREFERRED && mask_equal(&got, &self->last);

		_exit(ok ? 0 : 1);
	}
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child saw other policies");
}

TEST_F(vma, mremap_keeps_policy)
{
	struct nodemask got;
	char *moved, *target;

	/* Somewhere free to move to. */
	target = mmap(NULL, 2 * self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	ASSERT_EQ(0, sys_mbind(self->buf, 2 * self->ps, MPOL_BIND, &self->last,
			       SET_MAXNODE, 0));
	memset(self->buf, 7, 2 * self->ps);
	moved = mremap(self->buf, 2 * self->ps, 2 * self->ps, MREMAP_MAYMOVE | MREMAP_FIXED,
		       target);
	ASSERT_EQ(target, moved);
	EXPECT_EQ(MPOL_BIND, addr_policy(moved + self->ps, &got));
	EXPECT_TRUE(mask_equal(&self->last, &got));
	EXPECT_EQ(7, moved[self->ps]);
	/* What stayed behind kept its own (default) policy. */
	EXPECT_EQ(MPOL_DEFAULT, addr_policy(self->buf + 2 * self->ps, &got));
	munmap(moved, 2 * self->ps);
}

TEST_F(vma, munmap_keeps_the_rest)
{
	struct nodemask got;
	char *p = self->buf;

	ASSERT_EQ(0, sys_mbind(p, NR_PAGES * self->ps, MPOL_BIND, &self->last, SET_MAXNODE, 0));
	ASSERT_EQ(0, munmap(p + 3 * self->ps, 2 * self->ps));
	EXPECT_EQ(MPOL_BIND, addr_policy(p + 2 * self->ps, &got));
	EXPECT_EQ(MPOL_BIND, addr_policy(p + 5 * self->ps, &got));
	EXPECT_TRUE(mask_equal(&self->last, &got));
	EXPECT_EQ(-EFAULT, addr_policy(p + 3 * self->ps, &got));
}

FIXTURE(numa_maps) {
	struct nodemask memory;
	char list[256];		/* the nodes with memory, as a list */
	long ps;
	char *buf;
};

FIXTURE_VARIANT(numa_maps) {
	int mode;
	const char *want;	/* with %s for the node list */
};

FIXTURE_VARIANT_ADD(numa_maps, default) { .mode = MPOL_DEFAULT, .want = "default" };
FIXTURE_VARIANT_ADD(numa_maps, local) { .mode = MPOL_LOCAL, .want = "local" };
FIXTURE_VARIANT_ADD(numa_maps, bind) { .mode = MPOL_BIND, .want = "bind:%s" };
FIXTURE_VARIANT_ADD(numa_maps, interleave) {
	.mode = MPOL_INTERLEAVE, .want = "interleave:%s" };
FIXTURE_VARIANT_ADD(numa_maps, weighted) {
	.mode = MPOL_WEIGHTED_INTERLEAVE, .want = "weighted interleave:%s" };
FIXTURE_VARIANT_ADD(numa_maps, preferred_many) {
	.mode = MPOL_PREFERRED_MANY, .want = "prefer (many):%s" };
FIXTURE_VARIANT_ADD(numa_maps, bind_static) {
	.mode = MPOL_BIND | MPOL_F_STATIC_NODES, .want = "bind=static:%s" };
FIXTURE_VARIANT_ADD(numa_maps, interleave_relative) {
	.mode = MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, .want = "interleave=relative:%s" };
FIXTURE_VARIANT_ADD(numa_maps, bind_balancing) {
	.mode = MPOL_BIND | MPOL_F_NUMA_BALANCING, .want = "bind=balancing:%s" };
FIXTURE_VARIANT_ADD(numa_maps, bind_static_balancing) {
	.mode = MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_NUMA_BALANCING,
	.want = "bind=static|balancing:%s" };

FIXTURE_SETUP(numa_maps)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	mask_str(&self->memory, self->list, sizeof(self->list));
	self->ps = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, self->ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(numa_maps)
{
	munmap(self->buf, self->ps);
}

/*
 * A VMA policy over all nodes with memory, as numa_maps prints it.  With
 * MPOL_F_RELATIVE_NODES, nodes 0..N-1 name the N nodes with memory.
 */
TEST_F(numa_maps, policy_string)
{
	char want[300], got[300];
	int mode = variant->mode & ~MPOL_MODE_FLAGS;
	int takes_nodes = mode != MPOL_DEFAULT && mode != MPOL_LOCAL;
	struct nodemask nodes = self->memory;
	int i;

	if (variant->mode & MPOL_F_RELATIVE_NODES) {
		mask_clear(&nodes);
		for (i = 0; i < mask_weight(&self->memory); i++)
			mask_set(&nodes, i);
	}
	ASSERT_EQ(0, sys_mbind(self->buf, self->ps, variant->mode,
			       takes_nodes ? &nodes : NULL,
			       takes_nodes ? SET_MAXNODE : 0, 0))
		TH_LOG("mbind: %s", strerror(errno));
	self->buf[0] = 1;
	snprintf(want, sizeof(want), variant->want, self->list);
	ASSERT_TRUE(numa_maps_policy(getpid(), (unsigned long)self->buf, got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

TEST_HARNESS_MAIN
