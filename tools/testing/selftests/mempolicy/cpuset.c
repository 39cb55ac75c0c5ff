// SPDX-License-Identifier: GPL-2.0
/*
 * cpuset rebinding: when the memory nodes of a task's cpuset change, or the
 * task moves to a cpuset with other nodes, its task policy and the VMA
 * policies of its mm are rebound to the new nodes, as Linux 6.12 does it:
 *
 *  - bind and (weighted) interleave without flags keep their nodes'
 *    positions within the allowed nodes (nodes_remap), from the nodes
 *    allowed when the policy was last bound;
 *  - with MPOL_F_STATIC_NODES they take the user's nodes that are allowed;
 *  - with MPOL_F_RELATIVE_NODES the user's nodes name positions in the
 *    allowed nodes, folded modulo their number;
 *  - when that leaves no node, all the allowed nodes;
 *  - preferred and preferred-many keep their nodes; with a flag, what
 *    get_mempolicy() reports as the user's nodes becomes the new allowed
 *    nodes, because Linux keeps the two in one place.
 *
 * The test computes what each policy must become with a model of those
 * rules and compares get_mempolicy(2) and /proc/self/numa_maps with it,
 * for the task policy and a VMA policy, over sequences of node sets that
 * shrink to one node and grow back, move to disjoint nodes and overlap.
 * It uses the cgroup v2 cpuset controller at /sys/fs/cgroup.
 *
 * A task forked while its cpuset is being rebound must not keep the old
 * nodes: fork_race tries that by chance, on every kernel; fork_held makes
 * it happen every time, with the race points of the patched kernel and the
 * mempolicy_probe module.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define CGROOT	"/sys/fs/cgroup"
#define CG_A	CGROOT "/mempolicy-a"
#define CG_B	CGROOT "/mempolicy-b"
#define MAX_STEPS	4

/* --- the model ------------------------------------------------------- */

/* @m with bit n moved to the nth node of @to for each nth node n of @from. */
static struct nodemask model_remap(const struct nodemask *m, const struct nodemask *from,
				   const struct nodemask *to)
{
	int node, w = mask_weight(to);
	struct nodemask r;

	mask_clear(&r);
	node = -1;
	while ((node = mask_next(m, node)) < MASK_BITS) {
		int pos = 0, n = -1;

		if (!mask_test(from, node) || !w) {
			mask_set(&r, node);
			continue;
		}
		while ((n = mask_next(from, n)) < node)
			pos++;
		mask_set(&r, mask_nth(to, pos % w));
	}
	return r;
}

/* The user's relative nodes, folded modulo the allowed count, onto them. */
static struct nodemask model_relative(const struct nodemask *user, const struct nodemask *allowed)
{
	int node, w = mask_weight(allowed);
	struct nodemask r;

	mask_clear(&r);
	node = -1;
	while (w && (node = mask_next(user, node)) < MASK_BITS)
		mask_set(&r, mask_nth(allowed, node % w));
	return r;
}

static struct nodemask model_and(const struct nodemask *a, const struct nodemask *b)
{
	struct nodemask r;
	unsigned int i;

	for (i = 0; i < MASK_LONGS; i++)
		r.bits[i] = a->bits[i] & b->bits[i];
	return r;
}

struct model {
	int mode, flags;
	struct nodemask user;		/* as the user gave them */
	struct nodemask nodes;		/* in force */
	struct nodemask bound_to;	/* the allowed nodes when last rebound */
};

static void model_create(struct model *m, int mode, int flags, const struct nodemask *user,
			 const struct nodemask *allowed)
{
	m->mode = mode;
	m->flags = flags;
	m->user = *user;
	m->bound_to = *allowed;
	if (flags & MPOL_F_RELATIVE_NODES)
		m->nodes = model_relative(user, allowed);
	else
		m->nodes = model_and(user, allowed);
	if (mode == MPOL_PREFERRED) {
		int first = mask_nth(&m->nodes, 0);

		m->nodes = mask_of(first);
	}
}

static void model_rebind(struct model *m, const struct nodemask *allowed)
{
	struct nodemask r;

	if (m->mode == MPOL_PREFERRED || m->mode == MPOL_PREFERRED_MANY) {
		/* The user's nodes and the allowed ones share storage. */
		if (m->flags)
			m->user = *allowed;
		m->bound_to = *allowed;
		return;
	}
	if (m->flags & MPOL_F_STATIC_NODES) {
		r = model_and(&m->user, allowed);
	} else if (m->flags & MPOL_F_RELATIVE_NODES) {
		r = model_relative(&m->user, allowed);
	} else {
		r = model_remap(&m->nodes, &m->bound_to, allowed);
		m->bound_to = *allowed;
	}
	m->nodes = mask_weight(&r) ? r : *allowed;
}

/* What numa_maps prints for the policy. */
static void model_str(const struct model *m, char *buf, size_t len)
{
	static const char * const names[] = {
		[MPOL_BIND] = "bind", [MPOL_INTERLEAVE] = "interleave",
		[MPOL_PREFERRED] = "prefer", [MPOL_PREFERRED_MANY] = "prefer (many)",
		[MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
	};
	char list[256];

	snprintf(buf, len, "%s%s:%s", names[m->mode],
		 m->flags & MPOL_F_STATIC_NODES ? "=static" :
		 m->flags & MPOL_F_RELATIVE_NODES ? "=relative" : "",
		 mask_str(&m->nodes, list, sizeof(list)));
}

/* --- the system ------------------------------------------------------- */

static int set_mems(const char *cg, const struct nodemask *mems)
{
	char path[128], list[256];

	snprintf(path, sizeof(path), "%s/cpuset.mems", cg);
	return write_str(path, mask_str(mems, list, sizeof(list)));
}

static int move_self(const char *cg)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	return write_str(path, "0");
}

FIXTURE(cpuset) {
	struct nodemask memory;
	int nr;			/* nodes with memory */
	long ps;
	char *task_vma;		/* no VMA policy: numa_maps shows the task's */
	char *vma;		/* with a VMA policy */
};

FIXTURE_VARIANT(cpuset) {
	int mode;
	int flags;
};

FIXTURE_VARIANT_ADD(cpuset, bind) { .mode = MPOL_BIND };
FIXTURE_VARIANT_ADD(cpuset, bind_static) { .mode = MPOL_BIND, .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(cpuset, bind_relative) {
	.mode = MPOL_BIND, .flags = MPOL_F_RELATIVE_NODES };
FIXTURE_VARIANT_ADD(cpuset, interleave) { .mode = MPOL_INTERLEAVE };
FIXTURE_VARIANT_ADD(cpuset, interleave_static) {
	.mode = MPOL_INTERLEAVE, .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(cpuset, interleave_relative) {
	.mode = MPOL_INTERLEAVE, .flags = MPOL_F_RELATIVE_NODES };
FIXTURE_VARIANT_ADD(cpuset, weighted_interleave) { .mode = MPOL_WEIGHTED_INTERLEAVE };
FIXTURE_VARIANT_ADD(cpuset, weighted_interleave_relative) {
	.mode = MPOL_WEIGHTED_INTERLEAVE, .flags = MPOL_F_RELATIVE_NODES };
FIXTURE_VARIANT_ADD(cpuset, preferred) { .mode = MPOL_PREFERRED };
FIXTURE_VARIANT_ADD(cpuset, preferred_static) {
	.mode = MPOL_PREFERRED, .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(cpuset, preferred_relative) {
	.mode = MPOL_PREFERRED, .flags = MPOL_F_RELATIVE_NODES };
FIXTURE_VARIANT_ADD(cpuset, preferred_many) { .mode = MPOL_PREFERRED_MANY };
FIXTURE_VARIANT_ADD(cpuset, preferred_many_static) {
	.mode = MPOL_PREFERRED_MANY, .flags = MPOL_F_STATIC_NODES };

FIXTURE_SETUP(cpuset)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nr = mask_weight(&self->memory);
	if (self->nr < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, write_str(CGROOT "/cgroup.subtree_control", "+cpuset"));
	ASSERT_EQ(0, mkdir(CG_A, 0755));
	ASSERT_EQ(0, mkdir(CG_B, 0755));
	self->ps = sysconf(_SC_PAGESIZE);
	self->task_vma = mmap(NULL, self->ps, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->vma = mmap(NULL, self->ps, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->task_vma);
	ASSERT_NE(MAP_FAILED, self->vma);
}

FIXTURE_TEARDOWN(cpuset)
{
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	move_self(CGROOT);
	rmdir(CG_A);
	rmdir(CG_B);
}

/* @count nodes with memory, from the @first one on. */
static struct nodemask memory_at(FIXTURE_DATA(cpuset) * self, int first, int count)
{
	struct nodemask m;
	int i;

	mask_clear(&m);
	for (i = first; i < first + count && i < self->nr; i++)
		mask_set(&m, mask_nth(&self->memory, i));
	return m;
}

/* Each policy, as the kernel reports it, is what the model says. */
static void expect_policies(struct __test_metadata *_metadata, FIXTURE_DATA(cpuset) * self,
			    const struct model *m, const char *step)
{
	char want[300], got[300], a[256], b[256];
	struct nodemask nodes;
	/* get_mempolicy() gives the user's nodes when flags keep them. */
	const struct nodemask *reported = m->flags ? &m->user : &m->nodes;
	int mode;

	model_str(m, want, sizeof(want));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &nodes, MASK_BITS, NULL, 0));
	EXPECT_EQ(m->mode | m->flags, mode) TH_LOG("%s: task mode", step);
	EXPECT_TRUE(mask_equal(reported, &nodes))
		TH_LOG("%s: task nodes %s, want %s", step, mask_str(&nodes, a, sizeof(a)),
		       mask_str(reported, b, sizeof(b)));
	ASSERT_TRUE(numa_maps_policy(getpid(), (unsigned long)self->task_vma, got, sizeof(got)));
	EXPECT_STREQ(want, got) TH_LOG("%s: task policy in numa_maps", step);

	ASSERT_EQ(0, sys_get_mempolicy(&mode, &nodes, MASK_BITS, self->vma, MPOL_F_ADDR));
	EXPECT_EQ(m->mode | m->flags, mode) TH_LOG("%s: VMA mode", step);
	EXPECT_TRUE(mask_equal(reported, &nodes))
		TH_LOG("%s: VMA nodes %s, want %s", step, mask_str(&nodes, a, sizeof(a)),
		       mask_str(reported, b, sizeof(b)));
	ASSERT_TRUE(numa_maps_policy(getpid(), (unsigned long)self->vma, got, sizeof(got)));
	EXPECT_STREQ(want, got) TH_LOG("%s: VMA policy in numa_maps", step);
}

/*
 * Set the policies with the cpuset at @steps[0], then take it through the
 * other steps, by writing cpuset.mems or, with @move, by moving the task
 * between two cpusets; after each, the policies must match the model.
 */
static void run_steps(struct __test_metadata *_metadata, FIXTURE_DATA(cpuset) * self,
		      const FIXTURE_VARIANT(cpuset) * variant, const struct nodemask *user,
		      const struct nodemask *steps, int nr_steps, int move)
{
	struct model m;
	char step[64];
	int i;

	ASSERT_EQ(0, set_mems(CG_A, &steps[0]));
	ASSERT_EQ(0, move_self(CG_A));
	model_create(&m, variant->mode, variant->flags, user, &steps[0]);
	ASSERT_EQ(0, sys_set_mempolicy(variant->mode | variant->flags, user, SET_MAXNODE));
	ASSERT_EQ(0, sys_mbind(self->vma, self->ps, variant->mode | variant->flags, user,
			       SET_MAXNODE, 0));
	expect_policies(_metadata, self, &m, "created");

	for (i = 1; i < nr_steps; i++) {
		const char *cg = move && i % 2 ? CG_B : CG_A;

		snprintf(step, sizeof(step), "step %d", i);
		ASSERT_EQ(0, set_mems(cg, &steps[i]));
		if (move)
			ASSERT_EQ(0, move_self(cg));
		model_rebind(&m, &steps[i]);
		expect_policies(_metadata, self, &m, step);
	}
	ASSERT_EQ(0, move_self(CGROOT));
}

/* The user's nodes: all the first cpuset's nodes, or only its first. */
static void run_both_masks(struct __test_metadata *_metadata, FIXTURE_DATA(cpuset) * self,
			   const FIXTURE_VARIANT(cpuset) * variant,
			   const struct nodemask *steps, int nr_steps, int move)
{
	struct nodemask user;
	int i;

	if (variant->flags & MPOL_F_RELATIVE_NODES) {
		/* Relative nodes: positions 0..n-1 of the cpuset, then just 1. */
		mask_clear(&user);
		for (i = 0; i < mask_weight(&steps[0]); i++)
			mask_set(&user, i);
	} else {
		user = steps[0];
	}
	run_steps(_metadata, self, variant, &user, steps, nr_steps, move);
	user = mask_of(variant->flags & MPOL_F_RELATIVE_NODES ? 1 : mask_nth(&steps[0], 0));
	run_steps(_metadata, self, variant, &user, steps, nr_steps, move);
}

/* All nodes, down to one, and back to all. */
TEST_F(cpuset, shrink_and_grow)
{
	struct nodemask steps[] = {
		memory_at(self, 0, self->nr),
		memory_at(self, self->nr - 1, 1),
		memory_at(self, 0, self->nr),
	};

	run_both_masks(_metadata, self, variant, steps, 3, 0);
}

/* The first half of the nodes, then the second half, then back. */
TEST_F(cpuset, mems_changed_disjoint)
{
	int half = (self->nr + 1) / 2;
	struct nodemask steps[] = {
		memory_at(self, 0, half),
		memory_at(self, half, self->nr - half),
		memory_at(self, 0, half),
	};

	run_both_masks(_metadata, self, variant, steps, 3, 0);
}

/* All but the last node, then all but the first. */
TEST_F(cpuset, mems_changed_overlapping)
{
	struct nodemask steps[] = {
		memory_at(self, 0, self->nr - 1),
		memory_at(self, 1, self->nr - 1),
	};

	run_both_masks(_metadata, self, variant, steps, 2, 0);
}

/* The task moves between two cpusets with different nodes. */
TEST_F(cpuset, task_moved)
{
	int half = (self->nr + 1) / 2;
	struct nodemask steps[] = {
		memory_at(self, 0, self->nr),
		memory_at(self, half, self->nr - half),
		memory_at(self, 0, 1),
		memory_at(self, 0, self->nr),
	};

	run_both_masks(_metadata, self, variant, steps, 4, 1);
}

/*
 * A task forked while its cpuset's nodes are being changed must not keep
 * a policy bound to the old nodes.  Children are forked while another
 * process switches the cpuset between two sets of nodes; once the nodes
 * stay put, every child's policy must be bound to them.  With
 * MPOL_F_STATIC_NODES over all nodes, or MPOL_F_RELATIVE_NODES over as
 * many positions as the sets have nodes, that is the final set whatever
 * way the policy came there.
 */
#define RACE_SWITCHES	40
#define RACE_CHILDREN	40

FIXTURE(fork_race) {
	struct nodemask memory;
	struct nodemask sets[2];
};

FIXTURE_VARIANT(fork_race) {
	int flags;
};

FIXTURE_VARIANT_ADD(fork_race, static_nodes) { .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(fork_race, relative_nodes) { .flags = MPOL_F_RELATIVE_NODES };

FIXTURE_SETUP(fork_race)
{
	int nr, half, i;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	nr = mask_weight(&self->memory);
	if (nr < 2)
		SKIP(return, "needs two nodes with memory");
	/* The first and the last half of the nodes, as many in each. */
	half = nr / 2;
	mask_clear(&self->sets[0]);
	mask_clear(&self->sets[1]);
	for (i = 0; i < half; i++) {
		mask_set(&self->sets[0], mask_nth(&self->memory, i));
		mask_set(&self->sets[1], mask_nth(&self->memory, nr - half + i));
	}
	ASSERT_EQ(0, write_str(CGROOT "/cgroup.subtree_control", "+cpuset"));
	ASSERT_EQ(0, mkdir(CG_A, 0755));
}

FIXTURE_TEARDOWN(fork_race)
{
	move_self(CGROOT);
	rmdir(CG_A);
}

/* A debug kernel forks and rebinds several times slower. */
TEST_F_TIMEOUT(fork_race, children_follow, 180)
{
	const struct nodemask *final = &self->sets[RACE_SWITCHES % 2];
	int i, done[2], status, stale = 0;
	pid_t writer, children[RACE_CHILDREN];
	char want[300], list[256];
	struct nodemask user;
	/* A VMA without a policy of its own: numa_maps shows the task's there. */
	char *probe = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, probe);
	ASSERT_EQ(0, set_mems(CG_A, &self->sets[0]));
	ASSERT_EQ(0, move_self(CG_A));
	if (variant->flags & MPOL_F_STATIC_NODES) {
		user = self->memory;
	} else {
		mask_clear(&user);
		for (i = 0; i < mask_weight(&self->sets[0]); i++)
			mask_set(&user, i);
	}
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND | variant->flags, &user, SET_MAXNODE));
	snprintf(want, sizeof(want), "bind=%s:%s",
		 variant->flags & MPOL_F_STATIC_NODES ? "static" : "relative",
		 mask_str(final, list, sizeof(list)));
	ASSERT_EQ(0, pipe(done));

	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		for (i = 1; i <= RACE_SWITCHES; i++)
			if (set_mems(CG_A, &self->sets[i % 2]))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < RACE_CHILDREN; i++) {
		children[i] = fork();
		ASSERT_LE(0, children[i]);
		if (children[i] == 0) {
			char got[300], c;

			close(done[1]);
			while (read(done[0], &c, 1) > 0)
				;
			if (!numa_maps_policy(getpid(), (unsigned long)probe, got, sizeof(got)))
				_exit(2);
			_exit(strcmp(got, want) ? 1 : 0);
		}
	}
	ASSERT_EQ(writer, waitpid(writer, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(done[1]);
	for (i = 0; i < RACE_CHILDREN; i++) {
		ASSERT_EQ(children[i], waitpid(children[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 2);
		stale += WEXITSTATUS(status);
	}
	EXPECT_EQ(0, stale) TH_LOG("%d of %d children are not bound to %s", stale,
				   RACE_CHILDREN, want);
	close(done[0]);
	munmap(probe, sysconf(_SC_PAGESIZE));
}

/*
 * The same race, held in place so that it happens every time.  The
 * mempolicy_probe module stops the cpuset's rebind walk at its first task,
 * a bystander, and lets this task fork meanwhile; it holds the fork right
 * after the child's policy is copied until the walk has passed this task
 * and ended.  The child joins the cpuset after the walk, so only the
 * rebind of the copy in __mpol_dup() can give it the new nodes.  Without
 * that defence the child keeps the old node, and the test fails.
 *
 * The policy is a bind to the cpuset's first node, without flags, so the
 * rebind moves it by position: to the first of the new nodes.
 */
#define CG_RACE		CGROOT "/mempolicy-race"

struct rebind_writer {
	const struct nodemask *mems;
	int err;		/* of writing cpuset.mems */
	int release_err;	/* of writing "release" */
};

/*
 * Write the cpuset's new nodes, which blocks in the module until this
 * task has forked, then release the fork: once the write returns, the
 * walk has passed every task of the cpuset.  A thread of the task that
 * forks, because the module holds only the armed process.
 */
static void *rebind_writer(void *arg)
{
	struct rebind_writer *w = arg;

	w->err = set_mems(CG_RACE, w->mems);
	w->release_err = write_str(RACE_FILE, "release");
	return NULL;
}

FIXTURE(fork_held) {
	struct nodemask from, to;	/* the cpuset's nodes before and after */
	pid_t bystander;
	int bystander_fd;		/* closing it ends the bystander */
};

FIXTURE_SETUP(fork_held)
{
	struct nodemask memory;
	char state[32];
	int nr, half, i;

	self->bystander_fd = -1;
	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	nr = mask_weight(&memory);
	if (nr < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, load_probe(RACE_FILE)) TH_LOG("cannot load " PROBE_MODULE);
	ASSERT_EQ(0, race_state(state, sizeof(state)));
	if (!strcmp(state, "unsupported"))
		SKIP(return, "no race points in this kernel");
	/* Disjoint halves, so the child's node tells old from new. */
	half = nr / 2;
	mask_clear(&self->from);
	mask_clear(&self->to);
	for (i = 0; i < half; i++) {
		mask_set(&self->from, mask_nth(&memory, i));
		mask_set(&self->to, mask_nth(&memory, nr - half + i));
	}
}

FIXTURE_TEARDOWN(fork_held)
{
	/* Wakes whatever the module still holds, if a check failed. */
	write_str(RACE_FILE, "disarm");
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	move_self(CGROOT);
	if (self->bystander > 0) {
		close(self->bystander_fd);
		waitpid(self->bystander, NULL, 0);
	}
	rmdir(CG_RACE);
}

TEST_F(fork_held, child_rebound)
{
	struct nodemask first = mask_of(mask_nth(&self->from, 0));
	struct nodemask want = model_remap(&first, &self->from, &self->to);
	struct rebind_writer w = { .mems = &self->to };
	struct nodemask got, child_got;
	char state[32], buf[32], a[256], b[256];
	int mode, report[2], hold[2], status;
	pthread_t writer;
	pid_t child;

	ASSERT_EQ(0, write_str(CGROOT "/cgroup.subtree_control", "+cpuset"));
	ASSERT_EQ(0, mkdir(CG_RACE, 0755));
	ASSERT_EQ(0, set_mems(CG_RACE, &self->from));
	/*
	 * The bystander joins first: the walk takes the cpuset's tasks in
	 * the order they joined, so it comes to the bystander's mm first.
	 */
	ASSERT_EQ(0, pipe(hold));
	self->bystander = fork();
	ASSERT_LE(0, self->bystander);
	if (self->bystander == 0) {
		close(hold[1]);
		while (read(hold[0], buf, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	self->bystander_fd = hold[1];
	snprintf(buf, sizeof(buf), "%d", self->bystander);
	ASSERT_EQ(0, write_str(CG_RACE "/cgroup.procs", buf));
	ASSERT_EQ(0, move_self(CG_RACE));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND, &first, SET_MAXNODE));

	ASSERT_EQ(0, pipe(report));
	snprintf(buf, sizeof(buf), "arm %d", getpid());
	ASSERT_EQ(0, write_str(RACE_FILE, buf));
	ASSERT_EQ(0, pthread_create(&writer, NULL, rebind_writer, &w));
	ASSERT_EQ(0, race_wait_for("rebind_started", state, sizeof(state)))
		TH_LOG("the race is %s, not rebind_started", state);
	/* The walk waits at the bystander and has not rebound this task. */
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_TRUE(mask_equal(&first, &got))
		TH_LOG("rebound to %s before the fork", mask_str(&got, a, sizeof(a)));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(report[0]);
		if (sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0) || mode != MPOL_BIND)
			_exit(1);
		_exit(write(report[1], &got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	close(report[1]);
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(0, w.err) TH_LOG("writing cpuset.mems: %s", strerror(w.err));
	EXPECT_EQ(0, w.release_err) TH_LOG("writing release: %s", strerror(w.release_err));
	ASSERT_EQ(0, race_state(state, sizeof(state)));
	EXPECT_STREQ("released", state) TH_LOG("the fork was not held in the rebind");

	ASSERT_EQ(sizeof(child_got), read(report[0], &child_got, sizeof(child_got)));
	close(report[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* This task, which the walk rebound, and its child alike. */
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_TRUE(mask_equal(&want, &got))
		TH_LOG("task bound to %s, want %s", mask_str(&got, a, sizeof(a)),
		       mask_str(&want, b, sizeof(b)));
	EXPECT_TRUE(mask_equal(&want, &child_got))
		TH_LOG("child bound to %s, want %s", mask_str(&child_got, a, sizeof(a)),
		       mask_str(&want, b, sizeof(b)));
}

TEST_HARNESS_MAIN
