// SPDX-License-Identifier: GPL-2.0
/*
 * Every error of the NUMA system calls that their man pages promise, and
 * the edge cases of their arguments: bad modes and flag combinations, node
 * masks that are empty, too wide, offline or memoryless, unaligned and
 * unmapped ranges, and the permission checks, which run as the
 * unprivileged user (uid 1000).  A rejected call changes nothing.
 */
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

static long sys_home_node(void *start, unsigned long len, unsigned long node,
			  unsigned long flags)
{
	return syscall(__NR_set_mempolicy_home_node, start, len, node, flags);
}

static long sys_migrate_pages(int pid, unsigned long maxnode,
			      const struct nodemask *from, const struct nodemask *to)
{
	return syscall(__NR_migrate_pages, pid, maxnode, from->bits, to->bits);
}

/* The errno of a call that must fail, or 0 if it succeeded. */
#define ERRNO_OF(call)	((call) == -1 ? errno : 0)

FIXTURE(errors) {
	struct nodemask memory;	/* nodes with memory */
	struct nodemask online;
	struct nodemask first;	/* the first node with memory */
	int memoryless;		/* an online node without memory, or -1 */
	int offline;		/* a possible node that is offline, or -1 */
	long page_size;
	char *buf;		/* four pages, the middle two unmapped */
};

FIXTURE_SETUP(errors)
{
	struct nodemask possible;
	int node;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	ASSERT_EQ(0, read_node_state("online", &self->online));
	ASSERT_EQ(0, read_node_state("possible", &possible));
	self->first = mask_of(mask_nth(&self->memory, 0));
	self->memoryless = -1;
	self->offline = -1;
	for (node = 0; node < MASK_BITS; node++) {
		if (mask_test(&self->online, node) && !mask_test(&self->memory, node))
			self->memoryless = node;
		if (mask_test(&possible, node) && !mask_test(&self->online, node) &&
		    self->offline < 0)
			self->offline = node;
	}
	self->page_size = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, 4 * self->page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, munmap(self->buf + self->page_size, 2 * self->page_size));
}

FIXTURE_TEARDOWN(errors)
{
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	munmap(self->buf, self->page_size);
	munmap(self->buf + 3 * self->page_size, self->page_size);
}

/* After a rejected call the task policy is still the default. */
static void expect_default_policy(struct __test_metadata *_metadata)
{
	struct nodemask got;
	int mode = -1;

	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_EQ(MPOL_DEFAULT, mode);
	EXPECT_EQ(0, mask_weight(&got));
}

TEST_F(errors, set_mempolicy_bad_mode)
{
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_MAX, &self->first,
						     SET_MAXNODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(-1, &self->first, SET_MAXNODE)));
	/* Mode flags that are not MPOL_F_* are part of a bad mode. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND | (1 << 12), &self->first,
						     SET_MAXNODE)));
	expect_default_policy(_metadata);
}

TEST_F(errors, set_mempolicy_bad_flags)
{
	/* Static and relative exclude each other. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND | MPOL_F_STATIC_NODES |
						     MPOL_F_RELATIVE_NODES,
						     &self->first, SET_MAXNODE)));
	/* NUMA balancing goes with bind and preferred-many only. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_INTERLEAVE | MPOL_F_NUMA_BALANCING,
						     &self->first, SET_MAXNODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_PREFERRED | MPOL_F_NUMA_BALANCING,
						     &self->first, SET_MAXNODE)));
	/* Local allocation takes neither nodes nor node flags. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_LOCAL, &self->first, SET_MAXNODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_LOCAL | MPOL_F_STATIC_NODES,
						     NULL, 0)));
	/* Nor does preferred with no nodes, which means local. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_PREFERRED | MPOL_F_RELATIVE_NODES,
						     NULL, 0)));
	expect_default_policy(_metadata);
}

TEST_F(errors, set_mempolicy_numa_balancing)
{
	int mode = -1;

	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND | MPOL_F_NUMA_BALANCING, &self->memory,
				       SET_MAXNODE));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	EXPECT_EQ(MPOL_BIND | MPOL_F_NUMA_BALANCING, mode);
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING,
				       &self->memory, SET_MAXNODE));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	EXPECT_EQ(MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING, mode);
}

TEST_F(errors, set_mempolicy_empty_masks)
{
	struct nodemask none;
	int mode = -1;

	mask_clear(&none);
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND, &none, SET_MAXNODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_INTERLEAVE, NULL, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_PREFERRED_MANY, &none, SET_MAXNODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_WEIGHTED_INTERLEAVE, &none,
						     SET_MAXNODE)));
	/* maxnode 1 passes no bits at all: an empty mask too. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND, &self->first, 1)));
	expect_default_policy(_metadata);

	/* Default takes no nodes; preferred with none is local allocation. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_DEFAULT, &self->first, SET_MAXNODE)));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_PREFERRED, &none, SET_MAXNODE));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	EXPECT_EQ(MPOL_LOCAL, mode);
}

TEST_F(errors, set_mempolicy_wide_masks)
{
	struct nodemask m = self->first;

	/* Bits past the kernel's nodes are fine while they are clear... */
	EXPECT_EQ(0, sys_set_mempolicy(MPOL_BIND, &m, SET_MAXNODE));
	/* ...and make the mask invalid when set. */
	mask_set(&m, MASK_BITS - 1);
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_INTERLEAVE, &m, SET_MAXNODE)));
	/* A mask wider than a page of bits is refused whatever it holds. */
	EXPECT_EQ(EINVAL, ERRNO_OF(syscall(__NR_set_mempolicy, MPOL_BIND, self->first.bits,
					   8 * self->page_size + 2)));
	/* A mask the kernel cannot read. */
	EXPECT_EQ(EFAULT, ERRNO_OF(syscall(__NR_set_mempolicy, MPOL_BIND,
					   self->buf + self->page_size, SET_MAXNODE)));
}

TEST_F(errors, set_mempolicy_nodes_without_memory)
{
	struct nodemask m;

	if (self->memoryless < 0 && self->offline < 0)
		SKIP(return, "every possible node is online with memory");
	if (self->memoryless >= 0) {
		m = mask_of(self->memoryless);
		EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND, &m, SET_MAXNODE)));
		EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_INTERLEAVE, &m, SET_MAXNODE)));
	}
	if (self->offline >= 0) {
		m = mask_of(self->offline);
		EXPECT_EQ(EINVAL, ERRNO_OF(sys_set_mempolicy(MPOL_BIND, &m, SET_MAXNODE)));
	}
	expect_default_policy(_metadata);
}

TEST_F(errors, get_mempolicy_bad_arguments)
{
	struct nodemask got;
	int mode;

	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, NULL, 0, NULL, 1 << 5)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, &got, MASK_BITS, NULL,
						     MPOL_F_MEMS_ALLOWED | MPOL_F_NODE)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, &got, MASK_BITS, self->buf,
						     MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR)));
	/* An address without MPOL_F_ADDR. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, NULL, 0, self->buf, 0)));
	/* A mask narrower than the kernel's node ids. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, &got, 0, NULL, 0)));
	/* An unmapped address. */
	EXPECT_EQ(EFAULT, ERRNO_OF(sys_get_mempolicy(&mode, NULL, 0, self->buf + self->page_size,
						     MPOL_F_ADDR)));
	/* Nowhere to write. */
	EXPECT_EQ(EFAULT, ERRNO_OF(syscall(__NR_get_mempolicy, self->buf + self->page_size,
					   NULL, 0, NULL, 0)));
	/* MPOL_F_NODE alone asks for the next interleave node. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_get_mempolicy(&mode, NULL, 0, NULL, MPOL_F_NODE)));
}

TEST_F(errors, get_mempolicy_mems_allowed)
{
	struct nodemask got;
	int mode = -1;

	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, MPOL_F_MEMS_ALLOWED));
	EXPECT_TRUE(mask_equal(&self->memory, &got));
}

/*
 * MPOL_F_NODE alone gives the node that the task's next interleaved
 * allocation outside a VMA goes to: right after set_mempolicy(), the first
 * node of the mask.  Faults in a VMA interleave by offset and leave it be.
 */
TEST_F(errors, get_mempolicy_next_interleave_node)
{
	int nodes = mask_weight(&self->memory), node = -1, want;
	struct nodemask m;

	/* The second and last nodes with memory, so that node 0 is no answer. */
	want = mask_nth(&self->memory, nodes > 1 ? 1 : 0);
	m = mask_of(want);
	mask_set(&m, mask_nth(&self->memory, nodes - 1));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_INTERLEAVE, &m, SET_MAXNODE));
	ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, NULL, MPOL_F_NODE));
	EXPECT_EQ(want, node);
	/*
	 * Allocations that the kernel makes for the task without a VMA, such
	 * as a page table for the page written here, take turns too, so
	 * which node comes next then depends on the layout; it stays one of
	 * the policy's nodes.
	 */
	memset(self->buf, 1, self->page_size);
	ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, NULL, MPOL_F_NODE));
	EXPECT_TRUE(mask_test(&m, node)) TH_LOG("node %d", node);
}

TEST_F(errors, mbind_bad_ranges)
{
	char *p = self->buf;
	long ps = self->page_size;
	int mode = -1;

	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p + 1, ps, MPOL_BIND, &self->first,
					     SET_MAXNODE, 0)));
	/* A range that wraps around the address space. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p, -2 * ps, MPOL_BIND, &self->first,
					     SET_MAXNODE, 0)));
	/* A hole in the range. */
	EXPECT_EQ(EFAULT, ERRNO_OF(sys_mbind(p, 4 * ps, MPOL_BIND, &self->first,
					     SET_MAXNODE, 0)));
	/* An empty range does nothing, successfully. */
	EXPECT_EQ(0, sys_mbind(p, 0, MPOL_BIND, &self->first, SET_MAXNODE, 0));
	/* Nothing changed: the first page still has no policy. */
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_DEFAULT, mode);
}

TEST_F(errors, mbind_bad_modes_and_flags)
{
	char *p = self->buf;
	long ps = self->page_size;

	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p, ps, MPOL_MAX, &self->first,
					     SET_MAXNODE, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p, ps, MPOL_BIND, &self->first, SET_MAXNODE,
					     1 << 7)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p, ps, MPOL_BIND | MPOL_F_STATIC_NODES |
					     MPOL_F_RELATIVE_NODES, &self->first,
					     SET_MAXNODE, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_mbind(p, ps, MPOL_INTERLEAVE, NULL, 0, 0)));
}

/* MPOL_MF_STRICT refuses a range with pages already off the new nodes. */
TEST_F(errors, mbind_strict)
{
	struct nodemask a, b;
	char *p = self->buf;
	long ps = self->page_size;

	if (mask_weight(&self->memory) < 2)
		SKIP(return, "needs two nodes with memory");
	a = mask_of(mask_nth(&self->memory, 0));
	b = mask_of(mask_nth(&self->memory, 1));
	ASSERT_EQ(0, sys_mbind(p, ps, MPOL_BIND, &a, SET_MAXNODE, 0));
	memset(p, 1, ps);
	EXPECT_EQ(EIO, ERRNO_OF(sys_mbind(p, ps, MPOL_BIND, &b, SET_MAXNODE,
					  MPOL_MF_STRICT)));
	/* Strict with the pages already in place is fine. */
	EXPECT_EQ(0, sys_mbind(p, ps, MPOL_BIND, &a, SET_MAXNODE, MPOL_MF_STRICT));
}

static int mbind_move_all(void *arg)
{
	FIXTURE_DATA(errors) * self = arg;

	return ERRNO_OF(sys_mbind(self->buf, self->page_size, MPOL_BIND, &self->first,
				  SET_MAXNODE, MPOL_MF_MOVE | MPOL_MF_MOVE_ALL));
}

TEST_F(errors, mbind_move_all_needs_cap_sys_nice)
{
	EXPECT_EQ(EPERM, as_tester(mbind_move_all, self));
	EXPECT_EQ(0, mbind_move_all(self));
}

TEST_F(errors, home_node)
{
	char *p = self->buf;
	long ps = self->page_size;
	int node = mask_nth(&self->memory, 0);

	EXPECT_EQ(EINVAL, ERRNO_OF(sys_home_node(p + 1, ps, node, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_home_node(p, ps, node, 1)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_home_node(p, ps, MASK_BITS, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_home_node(p, ps, -1UL, 0)));
	if (self->offline >= 0)
		EXPECT_EQ(EINVAL, ERRNO_OF(sys_home_node(p, ps, self->offline, 0)));
	/* Only a range with a policy can have a home node... */
	EXPECT_EQ(ENOENT, ERRNO_OF(sys_home_node(p, ps, node, 0)));
	EXPECT_EQ(ENOENT, ERRNO_OF(sys_home_node(p + ps, ps, node, 0)));
	EXPECT_EQ(0, sys_home_node(p, 0, node, 0));
	/* ...and only a bind or preferred-many one. */
	ASSERT_EQ(0, sys_mbind(p, ps, MPOL_INTERLEAVE, &self->memory, SET_MAXNODE, 0));
	EXPECT_EQ(EOPNOTSUPP, ERRNO_OF(sys_home_node(p, ps, node, 0)));
	ASSERT_EQ(0, sys_mbind(p, ps, MPOL_BIND, &self->memory, SET_MAXNODE, 0));
	EXPECT_EQ(0, sys_home_node(p, ps, node, 0));
	ASSERT_EQ(0, sys_mbind(p, ps, MPOL_PREFERRED_MANY, &self->memory, SET_MAXNODE, 0));
	EXPECT_EQ(0, sys_home_node(p, ps, node, 0));
	/* A memoryless node can be the home node: it is online. */
	if (self->memoryless >= 0)
		EXPECT_EQ(0, sys_home_node(p, ps, self->memoryless, 0));
}

TEST_F(errors, migrate_pages_bad_arguments)
{
	struct nodemask none;

	mask_clear(&none);
	EXPECT_EQ(ESRCH, ERRNO_OF(sys_migrate_pages(INT_MAX, SET_MAXNODE, &self->memory,
						    &self->first)));
	EXPECT_EQ(EINVAL, ERRNO_OF(syscall(__NR_migrate_pages, 0, 8 * self->page_size + 2,
					   self->memory.bits, self->first.bits)));
	EXPECT_EQ(EFAULT, ERRNO_OF(syscall(__NR_migrate_pages, 0, SET_MAXNODE,
					   self->buf + self->page_size, self->first.bits)));
	/* Moving to no node at all is refused. */
	EXPECT_EQ(EINVAL, ERRNO_OF(sys_migrate_pages(0, SET_MAXNODE, &self->memory, &none)));
	/* Moving from no node moves nothing. */
	EXPECT_EQ(0, sys_migrate_pages(0, SET_MAXNODE, &none, &self->first));
	if (self->memoryless >= 0) {
		struct nodemask m;

		m = mask_of(self->memoryless);
		EXPECT_EQ(EINVAL, ERRNO_OF(sys_migrate_pages(0, SET_MAXNODE, &self->memory, &m)));
	}
}

static int migrate_init(void *arg)
{
	FIXTURE_DATA(errors) * self = arg;

	return ERRNO_OF(sys_migrate_pages(1, SET_MAXNODE, &self->memory, &self->first));
}

static int migrate_self_to_memoryless(void *arg)
{
	FIXTURE_DATA(errors) * self = arg;
	struct nodemask m;

	m = mask_of(self->memoryless);
	return ERRNO_OF(sys_migrate_pages(0, SET_MAXNODE, &self->memory, &m));
}

/* Another user's process, and nodes outside one's own cpuset, need privilege. */
TEST_F(errors, migrate_pages_permissions)
{
	EXPECT_EQ(EPERM, as_tester(migrate_init, self));
	if (self->memoryless >= 0)
		EXPECT_EQ(EPERM, as_tester(migrate_self_to_memoryless, self));
}

TEST_HARNESS_MAIN
