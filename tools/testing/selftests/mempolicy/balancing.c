// SPDX-License-Identifier: GPL-2.0
/*
 * MPOL_F_NUMA_BALANCING: the flag round-trips through the policy calls
 * with the two modes that take it, bind and preferred-many, and every
 * other mode refuses it.  With automatic NUMA balancing on, the pages of
 * such a policy follow the CPU that touches them to another node of the
 * policy; under plain MPOL_BIND they stay where they are, because Linux
 * 6.12 does not scan ranges whose policy is not "migrate on fault".
 *
 * errors.c already checks that set_mempolicy() takes the flag with bind
 * and preferred-many and refuses it with interleave and preferred, and
 * vma.c how numa_maps prints it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	256
/* How long pages may take to follow the CPU, on a slow emulated machine. */
#define FOLLOW_SECONDS	30

#define SYSCTL		"/proc/sys/kernel/numa_balancing"
#define DEBUGFS		"/sys/kernel/debug"
#define KNOBS		DEBUGFS "/sched/numa_balancing/"

/* The debugfs knobs of the scanner, and the values that speed it up. */
static const struct {
	const char *name;
	long fast;
} knobs[] = {
	{ "scan_delay_ms", 10 },
	{ "scan_period_min_ms", 100 },
	{ "scan_period_max_ms", 400 },
};

#define NR_KNOBS	ARRAY_SIZE(knobs)

FIXTURE(flag) {
	struct nodemask memory;
	long ps;
	char *buf;
	long old_sysctl;	/* automatic NUMA balancing, restored after */
};

FIXTURE_SETUP(flag)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->ps = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, 4 * self->ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->old_sysctl = read_long(SYSCTL);
}

FIXTURE_TEARDOWN(flag)
{
	char val[32];

	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	munmap(self->buf, 4 * self->ps);
	if (self->old_sysctl >= 0) {
		snprintf(val, sizeof(val), "%ld", self->old_sysctl);
		write_str(SYSCTL, val);
	}
}

/* The modes that take the flag, with the other node flags too. */
static const int balancing_modes[] = {
	MPOL_BIND | MPOL_F_NUMA_BALANCING,
	MPOL_BIND | MPOL_F_NUMA_BALANCING | MPOL_F_STATIC_NODES,
	MPOL_BIND | MPOL_F_NUMA_BALANCING | MPOL_F_RELATIVE_NODES,
	MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING,
	MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING | MPOL_F_STATIC_NODES,
};

/* The modes that refuse it, with the nodes that they would take. */
static const int refusing_modes[] = {
	MPOL_DEFAULT, MPOL_LOCAL, MPOL_PREFERRED, MPOL_INTERLEAVE,
	MPOL_WEIGHTED_INTERLEAVE,
};

static int takes_nodes(int mode)
{
	return mode != MPOL_DEFAULT && mode != MPOL_LOCAL;
}

/* The user's nodes for @mode: with relative nodes, 0..N-1 name the N nodes. */
static struct nodemask user_nodes(const struct nodemask *memory, int mode)
{
	struct nodemask m = *memory;
	int i;

	if (mode & MPOL_F_RELATIVE_NODES) {
		mask_clear(&m);
		for (i = 0; i < mask_weight(memory); i++)
			mask_set(&m, i);
	}
	return m;
}

/* The task policy is the mode, flags and nodes that were set, in a child too. */
TEST_F(flag, set_mempolicy_round_trip)
{
	struct nodemask want, got;
	unsigned int i;
	int mode, status;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(balancing_modes); i++) {
		want = user_nodes(&self->memory, balancing_modes[i]);
		ASSERT_EQ(0, sys_set_mempolicy(balancing_modes[i], &want, SET_MAXNODE))
			TH_LOG("mode %#x: %s", balancing_modes[i], strerror(errno));
		mode = -1;
		ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
		EXPECT_EQ(balancing_modes[i], mode);
		EXPECT_TRUE(mask_equal(&want, &got)) TH_LOG("mode %#x", balancing_modes[i]);

		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			mode = -1;
			_exit(sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0) ||
			      mode != balancing_modes[i] || !mask_equal(&want, &got));
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("child, mode %#x", balancing_modes[i]);
	}
}

/* The same on a range, whose pages then land inside the nodes. */
TEST_F(flag, mbind_round_trip)
{
	struct nodemask want, got;
	unsigned int i;
	int mode, node;

	for (i = 0; i < ARRAY_SIZE(balancing_modes); i++) {
		want = user_nodes(&self->memory, balancing_modes[i]);
		ASSERT_EQ(0, madvise(self->buf, 4 * self->ps, MADV_DONTNEED));
		ASSERT_EQ(0, sys_mbind(self->buf, 4 * self->ps, balancing_modes[i], &want,
				       SET_MAXNODE, 0))
			TH_LOG("mode %#x: %s", balancing_modes[i], strerror(errno));
		mode = -1;
		ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, self->buf + self->ps,
					       MPOL_F_ADDR));
		EXPECT_EQ(balancing_modes[i], mode);
		EXPECT_TRUE(mask_equal(&want, &got)) TH_LOG("mode %#x", balancing_modes[i]);
		self->buf[self->ps] = 1;
		ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, self->buf + self->ps,
					       MPOL_F_NODE | MPOL_F_ADDR));
		EXPECT_TRUE(node >= 0 && mask_test(&self->memory, node)) TH_LOG("node %d", node);
	}
}

/* Every other mode refuses the flag with EINVAL and changes nothing. */
TEST_F(flag, other_modes_refuse_it)
{
	struct nodemask first = mask_of(mask_nth(&self->memory, 0)), got;
	unsigned int i;
	int mode, with_nodes;

	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND | MPOL_F_NUMA_BALANCING, &self->memory,
				       SET_MAXNODE));
	ASSERT_EQ(0, sys_mbind(self->buf, 4 * self->ps,
			       MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING, &first,
			       SET_MAXNODE, 0));
	for (i = 0; i < ARRAY_SIZE(refusing_modes); i++) {
		mode = refusing_modes[i] | MPOL_F_NUMA_BALANCING;
		with_nodes = takes_nodes(refusing_modes[i]);
		errno = 0;
		EXPECT_EQ(-1, sys_set_mempolicy(mode, with_nodes ? &first : NULL,
						with_nodes ? SET_MAXNODE : 0));
		EXPECT_EQ(EINVAL, errno) TH_LOG("set_mempolicy mode %#x", mode);
		errno = 0;
		EXPECT_EQ(-1, sys_mbind(self->buf, 4 * self->ps, mode,
					with_nodes ? &first : NULL,
					with_nodes ? SET_MAXNODE : 0, 0));
		EXPECT_EQ(EINVAL, errno) TH_LOG("mbind mode %#x", mode);
	}
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_EQ(MPOL_BIND | MPOL_F_NUMA_BALANCING, mode);
	EXPECT_TRUE(mask_equal(&self->memory, &got));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, self->buf, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING, mode);
	EXPECT_TRUE(mask_equal(&first, &got));
}

/* The flag does not depend on automatic NUMA balancing being on. */
TEST_F(flag, accepted_with_balancing_off)
{
	int mode = -1;

	if (self->old_sysctl < 0)
		SKIP(return, "no " SYSCTL);
	ASSERT_EQ(0, write_str(SYSCTL, "0"));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND | MPOL_F_NUMA_BALANCING, &self->memory,
				       SET_MAXNODE));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	EXPECT_EQ(MPOL_BIND | MPOL_F_NUMA_BALANCING, mode);
	ASSERT_EQ(0, sys_mbind(self->buf, 4 * self->ps, MPOL_BIND | MPOL_F_NUMA_BALANCING,
			       &self->memory, SET_MAXNODE, 0));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, self->buf, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND | MPOL_F_NUMA_BALANCING, mode);
}

/*
 * With automatic NUMA balancing on and its scanner sped up: node A and
 * node B, two nodes that have both CPUs and memory, and a CPU of each.
 */
FIXTURE(follow) {
	int a, b, cpu_a, cpu_b;
	struct nodemask ab;
	long ps;
	long old_sysctl;
	long old_knobs[NR_KNOBS];
	int mounted_debugfs;
};

FIXTURE_SETUP(follow)
{
	struct nodemask memory, cpus;
	char path[128], val[32];
	unsigned int i;
	int node;

	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	ASSERT_EQ(0, read_node_state("has_cpu", &cpus));
	mask_clear(&self->ab);
	for (node = 0; node < MASK_BITS; node++)
		if (mask_test(&memory, node) && mask_test(&cpus, node))
			mask_set(&self->ab, node);
	if (mask_weight(&self->ab) < 2)
		SKIP(return, "needs two nodes with both CPUs and memory");
	self->a = mask_nth(&self->ab, 0);
	self->b = mask_last(&self->ab);
	mask_clear(&self->ab);
	mask_set(&self->ab, self->a);
	mask_set(&self->ab, self->b);
	self->cpu_a = node_first_cpu(self->a);
	self->cpu_b = node_first_cpu(self->b);
	ASSERT_LE(0, self->cpu_a);
	ASSERT_LE(0, self->cpu_b);
	self->ps = sysconf(_SC_PAGESIZE);

	self->old_sysctl = read_long(SYSCTL);
	if (self->old_sysctl < 0)
		SKIP(return, "no " SYSCTL);
	if (access(KNOBS, F_OK)) {
		self->mounted_debugfs = !mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
		ASSERT_TRUE(self->mounted_debugfs) TH_LOG("mount debugfs: %s", strerror(errno));
	}
	for (i = 0; i < NR_KNOBS; i++) {
		snprintf(path, sizeof(path), KNOBS "%s", knobs[i].name);
		self->old_knobs[i] = read_long(path);
	}
	/*
	 * Nothing may fail from here on: the teardown only runs after a
	 * setup that completed.  Without the knobs (no CONFIG_SCHED_DEBUG)
	 * the scanner keeps its slower defaults.
	 */
	for (i = 0; i < NR_KNOBS; i++) {
		snprintf(path, sizeof(path), KNOBS "%s", knobs[i].name);
		snprintf(val, sizeof(val), "%ld", knobs[i].fast);
		write_str(path, val);
	}
	write_str(SYSCTL, "1");
}

FIXTURE_TEARDOWN(follow)
{
	char path[128], val[32];
	unsigned int i;

	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	snprintf(val, sizeof(val), "%ld", self->old_sysctl);
	write_str(SYSCTL, val);
	for (i = 0; i < NR_KNOBS; i++) {
		if (self->old_knobs[i] < 0)
			continue;
		snprintf(path, sizeof(path), KNOBS "%s", knobs[i].name);
		snprintf(val, sizeof(val), "%ld", self->old_knobs[i]);
		write_str(path, val);
	}
	if (self->mounted_debugfs)
		umount(DEBUGFS);
}

/* How many of the @n pages at @p are on @node, asked with move_pages(); -1 on error. */
static int pages_on(char *p, int n, long ps, int node)
{
	void *pages[NR_PAGES];
	int status[NR_PAGES], i, count = 0;

	for (i = 0; i < n; i++)
		pages[i] = p + i * ps;
	if (sys_move_pages(0, n, pages, NULL, status, 0))
		return -1;
	for (i = 0; i < n; i++)
		count += status[i] == node;
	return count;
}

/* Fresh pages for NUMA balancing: small pages, each filled with its number. */
static char *map_pages(long ps)
{
	char *p = mmap(NULL, NR_PAGES * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED && madvise(p, NR_PAGES * ps, MADV_NOHUGEPAGE)) {
		munmap(p, NR_PAGES * ps);
		p = MAP_FAILED;
	}
	return p;
}

static void fill(char *p, long ps)
{
	int i;

	for (i = 0; i < NR_PAGES; i++)
		memset(p + i * ps, i + 1, ps);
}

/* Read and write back a word of every page, as a running program would. */
static void touch(char *p, long ps)
{
	int i;

	for (i = 0; i < NR_PAGES; i++) {
		char *c = p + i * ps + 64;

		__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	}
}

static int intact(char *p, long ps)
{
	long i;

	for (i = 0; i < NR_PAGES * ps; i++)
		if (p[i] != (char)(i / ps + 1))
			return 0;
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Keep touching @follow (and @stay, if any) from node B until most pages
 * of @follow are on B, or FOLLOW_SECONDS pass.  The pages of @follow on B.
 */
static int touch_until_moved(struct __test_metadata *_metadata,
			     struct _test_data_follow *self, char *follow, char *stay)
{
	double start = now(), check = start;
	int on_b = 0;

	while (now() - start < FOLLOW_SECONDS) {
		touch(follow, self->ps);
		if (stay)
			touch(stay, self->ps);
		if (now() - check < 0.25)
			continue;
		check = now();
		on_b = pages_on(follow, NR_PAGES, self->ps, self->b);
		if (on_b < 0 || on_b >= NR_PAGES * 3 / 4)
			break;
	}
	TH_LOG("%d of %d pages on node %d after %.1f s", on_b, NR_PAGES, self->b,
	       now() - start);
	return on_b;
}

/* The scanner's settings took: balancing is on and the knobs there are fast. */
static void check_settings(struct __test_metadata *_metadata, struct _test_data_follow *self)
{
	char path[128];
	unsigned int i;

	ASSERT_EQ(1, read_long(SYSCTL));
	for (i = 0; i < NR_KNOBS; i++) {
		snprintf(path, sizeof(path), KNOBS "%s", knobs[i].name);
		if (self->old_knobs[i] >= 0)
			ASSERT_EQ(knobs[i].fast, read_long(path)) TH_LOG("%s", path);
	}
}

/*
 * A range bound to {A, B} with MPOL_F_NUMA_BALANCING, written from node
 * A, lies on A; touched from node B, most of it moves to B, contents
 * intact.  A range bound to {A, B} without the flag, written and touched
 * alongside, is never scanned and stays on A.
 */
TEST_F_TIMEOUT(follow, bind_follows_the_cpu, 120)
{
	char *follow, *stay;

	check_settings(_metadata, self);
	follow = map_pages(self->ps);
	stay = map_pages(self->ps);
	ASSERT_NE(MAP_FAILED, follow);
	ASSERT_NE(MAP_FAILED, stay);
	ASSERT_EQ(0, sys_mbind(follow, NR_PAGES * self->ps, MPOL_BIND | MPOL_F_NUMA_BALANCING,
			       &self->ab, SET_MAXNODE, 0));
	ASSERT_EQ(0, sys_mbind(stay, NR_PAGES * self->ps, MPOL_BIND, &self->ab,
			       SET_MAXNODE, 0));

	ASSERT_EQ(0, run_on(self->cpu_a));
	fill(follow, self->ps);
	fill(stay, self->ps);
	ASSERT_EQ(NR_PAGES, pages_on(follow, NR_PAGES, self->ps, self->a));
	ASSERT_EQ(NR_PAGES, pages_on(stay, NR_PAGES, self->ps, self->a));

	ASSERT_EQ(0, run_on(self->cpu_b));
	EXPECT_LE(NR_PAGES * 3 / 4, touch_until_moved(_metadata, self, follow, stay));
	EXPECT_EQ(NR_PAGES, pages_on(stay, NR_PAGES, self->ps, self->a));
	EXPECT_TRUE(intact(follow, self->ps));
	EXPECT_TRUE(intact(stay, self->ps));
	munmap(follow, NR_PAGES * self->ps);
	munmap(stay, NR_PAGES * self->ps);
}

/* The same with a task policy of preferred-many {A, B} and the flag. */
TEST_F_TIMEOUT(follow, preferred_many_follows_the_cpu, 120)
{
	char *follow;

	check_settings(_metadata, self);
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING,
				       &self->ab, SET_MAXNODE));
	follow = map_pages(self->ps);
	ASSERT_NE(MAP_FAILED, follow);

	ASSERT_EQ(0, run_on(self->cpu_a));
	fill(follow, self->ps);
	ASSERT_EQ(NR_PAGES, pages_on(follow, NR_PAGES, self->ps, self->a));

	ASSERT_EQ(0, run_on(self->cpu_b));
	EXPECT_LE(NR_PAGES * 3 / 4, touch_until_moved(_metadata, self, follow, NULL));
	EXPECT_TRUE(intact(follow, self->ps));
	munmap(follow, NR_PAGES * self->ps);
}

/* How long pages are touched with balancing off, to see that they stay. */
#define STAY_SECONDS	10

/*
 * A task that never set a policy: MPOL_DEFAULT is "migrate on fault" for
 * NUMA balancing, so its pages, written from node A and so on A, move
 * to node B once the task runs on B and keeps touching them: most of
 * them within FOLLOW_SECONDS, contents intact.
 */
TEST_F_TIMEOUT(follow, default_policy_follows_the_cpu, 120)
{
	char *p;
	int mode = -1;

	check_settings(_metadata, self);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, NULL, 0));
	ASSERT_EQ(MPOL_DEFAULT, mode);
	p = map_pages(self->ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR));
	ASSERT_EQ(MPOL_DEFAULT, mode);

	ASSERT_EQ(0, run_on(self->cpu_a));
	fill(p, self->ps);
	ASSERT_EQ(NR_PAGES, pages_on(p, NR_PAGES, self->ps, self->a));

	ASSERT_EQ(0, run_on(self->cpu_b));
	EXPECT_LE(NR_PAGES * 3 / 4, touch_until_moved(_metadata, self, p, NULL));
	EXPECT_TRUE(intact(p, self->ps));
	munmap(p, NR_PAGES * self->ps);
}

/*
 * The same with /proc/sys/kernel/numa_balancing at 0: STAY_SECONDS of
 * touching from node B leave every page on A.  Then, turned on again,
 * balancing moves them, which shows that the touching would have done.
 */
TEST_F_TIMEOUT(follow, default_policy_stays_with_balancing_off, 120)
{
	double start;
	char *p;

	check_settings(_metadata, self);
	ASSERT_EQ(0, write_str(SYSCTL, "0"));
	p = map_pages(self->ps);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, run_on(self->cpu_a));
	fill(p, self->ps);
	ASSERT_EQ(NR_PAGES, pages_on(p, NR_PAGES, self->ps, self->a));

	ASSERT_EQ(0, run_on(self->cpu_b));
	start = now();
	while (now() - start < STAY_SECONDS)
		touch(p, self->ps);
	EXPECT_EQ(NR_PAGES, pages_on(p, NR_PAGES, self->ps, self->a));
	EXPECT_TRUE(intact(p, self->ps));

	ASSERT_EQ(0, write_str(SYSCTL, "1"));
	EXPECT_LE(NR_PAGES * 3 / 4, touch_until_moved(_metadata, self, p, NULL));
	EXPECT_TRUE(intact(p, self->ps));
	munmap(p, NR_PAGES * self->ps);
}

TEST_HARNESS_MAIN
