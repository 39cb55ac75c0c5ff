// SPDX-License-Identifier: GPL-2.0
/*
 * Memory follows the job: when a cpuset's nodes change, or a task moves to
 * a cpuset with other nodes, the task's pages move to the new nodes, always
 * with cgroup v2, and with cgroup v1 only when cpuset.memory_migrate is
 * set.  The job is a running helper; its pages are checked where they are
 * and that their contents are intact.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	64
#define V2		"/sys/fs/cgroup"
#define V1		"/tmp/mempolicy-cpuset-v1"

static int write_file(const char *dir, const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_str(path, s);
}

static int write_node(const char *dir, const char *file, int node)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", node);
	return write_file(dir, file, s);
}

FIXTURE(job) {
	struct helper helper;
	int from, to;		/* the first and last nodes with memory */
	const char *root;	/* of the cpuset hierarchy */
	char a[128], b[128];	/* two cpusets */
	const char *procs;	/* the file that takes a pid */
};

FIXTURE_VARIANT(job) {
	int v1;
	int memory_migrate;	/* v1 only; v2 always migrates */
};

FIXTURE_VARIANT_ADD(job, v2) { .v1 = 0 };
FIXTURE_VARIANT_ADD(job, v1_memory_migrate) { .v1 = 1, .memory_migrate = 1 };
FIXTURE_VARIANT_ADD(job, v1_no_memory_migrate) { .v1 = 1, .memory_migrate = 0 };

FIXTURE_SETUP(job)
{
	struct nodemask memory;
	char *dir;

	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	if (mask_weight(&memory) < 2)
		SKIP(return, "needs two nodes with memory");
	self->from = mask_nth(&memory, 0);
	self->to = mask_last(&memory);
	self->helper.pid = 0;
	if (variant->v1) {
		/* The controller can serve v1 only while v2 does not use it. */
		ASSERT_EQ(0, cpuset_v1_mount(V1));
		self->root = V1;
		self->procs = "tasks";
	} else {
		ASSERT_EQ(0, cpuset_v2_enable());
		self->root = V2;
		self->procs = "cgroup.procs";
	}
	snprintf(self->a, sizeof(self->a), "%s/mempolicy-job-a", self->root);
	snprintf(self->b, sizeof(self->b), "%s/mempolicy-job-b", self->root);
	for (dir = self->a; dir; dir = dir == self->a ? self->b : NULL) {
		ASSERT_EQ(0, mkdir(dir, 0755));
		if (variant->v1) {
			ASSERT_EQ(0, write_file(dir, "cpuset.cpus", "0"));
			ASSERT_EQ(0, write_file(dir, "cpuset.memory_migrate",
						variant->memory_migrate ? "1" : "0"));
		}
	}
	ASSERT_EQ(0, write_node(self->a, "cpuset.mems", self->from));
	ASSERT_EQ(0, write_node(self->b, "cpuset.mems", self->to));

	/* Start the job in cpuset a, so that its pages are on the first node. */
	ASSERT_EQ(0, write_file(self->a, self->procs, "0"));
	ASSERT_EQ(0, helper_start(&self->helper, NULL, NR_PAGES));
	ASSERT_EQ(0, write_file(self->root, self->procs, "0"));
	ASSERT_EQ(0, helper_pages_off(&self->helper, NR_PAGES, self->from));
}

FIXTURE_TEARDOWN(job)
{
	helper_stop(&self->helper);
	rmdir(self->a);
	rmdir(self->b);
	if (variant->v1) {
		umount(V1);
		rmdir(V1);
	}
}

/* Where the job's pages must be now that its nodes changed. */
static void expect_followed(struct __test_metadata *_metadata, FIXTURE_DATA(job) * self,
			    const FIXTURE_VARIANT(job) * variant)
{
	int node = variant->v1 && !variant->memory_migrate ? self->from : self->to;

	EXPECT_EQ(0, helper_pages_off(&self->helper, NR_PAGES, node)) TH_LOG("node %d", node);
	EXPECT_TRUE(helper_intact(&self->helper, NR_PAGES));
}

TEST_F(job, mems_changed)
{
	ASSERT_EQ(0, write_node(self->a, "cpuset.mems", self->to));
	expect_followed(_metadata, self, variant);
}

TEST_F(job, job_moved)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", self->helper.pid);
	ASSERT_EQ(0, write_file(self->b, self->procs, pid));
	expect_followed(_metadata, self, variant);
}

TEST_HARNESS_MAIN
