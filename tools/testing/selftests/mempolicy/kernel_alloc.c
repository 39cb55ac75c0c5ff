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

#define PROBE_FILE	"/sys/kernel/debug/mempolicy_probe/alloc"

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
	ASSERT_EQ(0, load_probe(PROBE_FILE)) TH_LOG("cannot load " PROBE_MODULE);
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

/*
 * Many bulk allocations in a row, with single pages and weight changes
 * between them: the per-node counts of every allocation, and the node
 * that get_mempolicy(MPOL_F_NODE) without an address names as the next
 * one, must be what this model of Linux 6.12 gives.
 *
 * The task keeps one interleave position for all its task-policy
 * allocations, bulk or single (task_struct's il_prev and il_weight): the
 * node whose turn it is, or was last, and how many more pages that turn
 * gives it.  set_mempolicy() puts it before the first node.
 *
 * - MPOL_WEIGHTED_INTERLEAVE is a weighted round robin page by page: a
 *   turn gives the node its weight's pages, as the weight was when the
 *   turn began, and bulk allocations and single pages carry the position
 *   on from each other.  The exception (seen on the stock kernel, and
 *   what alloc_pages_bulk_array_weighted_interleave() does): a bulk
 *   allocation that ends exactly at the end of a round, after what was
 *   left of the turn that it started in, already begins the next node's
 *   turn, with that node's weight as it is then; a weight written before
 *   the next allocation does not change that turn.  So "next" is that
 *   node too.
 * - MPOL_INTERLEAVE in bulk gives every node an equal share and the
 *   first n % k nodes after the position one page more, and takes a turn
 *   of every node for it, so the position comes back where it was (the
 *   next allocation starts at the same node); single pages take one
 *   node each in turn.
 * - vmalloc() asks the bulk allocator for at most VMALLOC_BULK pages at a
 *   time (vm_area_alloc_pages()), so a bigger vmalloc() is several bulk
 *   allocations; that matters for MPOL_INTERLEAVE.
 *
 * Nothing but the module's allocations may take a turn between the
 * steps: the test opens every file first, makes the same calls once under
 * the default policy (so that page tables and slabs are there), and the
 * module frees each vmalloc() area's addresses at once for reuse.
 */
#define VMALLOC_BULK	100

struct il_pos {
	int node;		/* -1: before the first */
	int left;
};

static int in_set(const struct nodemask *m, int node)
{
	return node >= 0 && mask_test(m, node);
}

/* The node of @m after @node, round the mask. */
static int next_in(const struct nodemask *m, int node)
{
	int next = mask_next(m, node);

	return next < MASK_BITS ? next : mask_next(m, -1);
}

static int weighted_page(struct il_pos *pos, const struct nodemask *m, const int *weight)
{
	if (!pos->left || !in_set(m, pos->node)) {
		pos->node = next_in(m, pos->node);
		pos->left = weight[pos->node];
	}
	pos->left--;
	return pos->node;
}

static void weighted_bulk(struct il_pos *pos, const struct nodemask *m, const int *weight,
			  long n, long *count)
{
	long rest = n, total = 0, i;
	int node = -1;

	if (pos->left && in_set(m, pos->node))
		rest -= pos->left < n ? pos->left : n;
	for (i = 0; i < n; i++)
		count[weighted_page(pos, m, weight)]++;
	while ((node = mask_next(m, node)) < MASK_BITS)
		total += weight[node];
	if (rest > 0 && rest % total == 0) {
		pos->node = next_in(m, pos->node);
		pos->left = weight[pos->node];
	}
}

static int interleave_page(struct il_pos *pos, const struct nodemask *m)
{
	pos->node = next_in(m, pos->node);
	return pos->node;
}

static void interleave_bulk(struct il_pos *pos, const struct nodemask *m, long n, long *count)
{
	int k = mask_weight(m), i;

	for (i = 0; i < k; i++)
		count[interleave_page(pos, m)] += n / k + (i < n % k);
}

/* The node that get_mempolicy(MPOL_F_NODE) names next. */
static int model_next(const struct il_pos *pos, const struct nodemask *m, int weighted)
{
	return weighted && pos->left ? pos->node : next_in(m, pos->node);
}

/* The counts by node of a vmalloc() of @n pages, or of @n single pages. */
static void model_alloc(struct il_pos *pos, const struct nodemask *m, const int *weight,
			int weighted, char op, long n, long *count)
{
	long chunk;

	memset(count, 0, TOPO_MAX_NODES * sizeof(count[0]));
	if (op == 'p') {
		while (n--)
			count[weighted ? weighted_page(pos, m, weight) : interleave_page(pos, m)]++;
		return;
	}
	for (; n > 0; n -= chunk) {
		chunk = n < VMALLOC_BULK ? n : VMALLOC_BULK;
		if (weighted)
			weighted_bulk(pos, m, weight, chunk, count);
		else
			interleave_bulk(pos, m, chunk, count);
	}
}

/*
 * A step: 'v' a vmalloc() of n pages, 'p' n single pages, 'w' weight set
 * n, 'r' a vmalloc() of what is left of the current turn and one round.
 */
struct alloc_step {
	char op;
	int n;
};

#define MAX_IL_NODES	4

static const int weight_sets[][MAX_IL_NODES] = {
	{ 3, 1, 2, 5 },
	{ 1, 4, 3, 2 },
	{ 2, 2, 1, 7 },
};

static const struct alloc_step weighted_steps[] = {
	{ 'v', 1 }, { 'v', 3 }, { 'v', 7 }, { 'p', 1 }, { 'v', 64 }, { 'p', 2 },
	/* A new weight in the middle of a turn: the turn keeps its old one. */
	{ 'w', 1 }, { 'v', 100 }, { 'v', 7 }, { 'p', 5 }, { 'v', 250 },
	{ 'w', 2 }, { 'v', 1 }, { 'v', 512 }, { 'p', 3 },
	/* Ending on a round, then new weights: the started turn has the old. */
	{ 'r', 0 }, { 'w', 0 }, { 'v', 64 }, { 'p', 4 }, { 'v', 33 },
	{ 'r', 0 }, { 'p', 1 }, { 'w', 1 }, { 'v', 7 }, { 'v', 300 },
};

static const struct alloc_step interleave_steps[] = {
	{ 'v', 1 }, { 'v', 3 }, { 'v', 7 }, { 'p', 1 }, { 'v', 64 }, { 'p', 2 },
	{ 'v', 100 }, { 'v', 250 }, { 'p', 3 }, { 'v', 512 }, { 'v', 7 }, { 'p', 1 },
	{ 'v', 101 }, { 'p', 5 }, { 'v', 99 },
};

struct il_run {
	int fd;				/* the probe's file */
	int wfd[MAX_IL_NODES];		/* the nodes' weight files */
	struct nodemask nodes;
	int weighted;
	int weight[TOPO_MAX_NODES];
};

/* Like probe(), on a file kept open. */
static int probe_fd(int fd, char op, int n, long count[TOPO_MAX_NODES])
{
	char buf[4096], *p = buf;
	int len, node;
	long c;

	memset(count, 0, TOPO_MAX_NODES * sizeof(count[0]));
	len = snprintf(buf, sizeof(buf), "%s %d", op == 'p' ? "pages" : "vmalloc", n);
	if (write(fd, buf, len) != len)
		return errno;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return len ? errno : EIO;
	buf[len] = '\0';
	while (sscanf(p, "%d:%ld%n", &node, &c, &len) == 2) {
		if (node >= 0 && node < TOPO_MAX_NODES)
			count[node] = c;
		p += len;
	}
	return 0;
}

static int set_weights(struct il_run *r, int set)
{
	char val[16];
	int i, node = -1, len;

	for (i = 0; (node = mask_next(&r->nodes, node)) < MASK_BITS; i++) {
		r->weight[node] = weight_sets[set][i];
		len = snprintf(val, sizeof(val), "%d", r->weight[node]);
		if (pwrite(r->wfd[i], val, len, 0) != len)
			return -1;
	}
	return 0;
}

/*
 * Whether the kernel is a KASAN one (the DEBUG=1 kernels): there, the
 * shadow of vmalloc() memory and the stack depot's records of slab
 * allocations take pages from the page allocator under the task's policy
 * too, now and then, and each takes an interleave turn that no model
 * knows of.
 */
static int kasan_kernel(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !!strstr(line, " kasan_populate_vmalloc\n");
	if (f)
		fclose(f);
	return found;
}

/* As many pages as the model has, all of them on nodes of @nodes. */
static void expect_within(struct __test_metadata *_metadata, const struct nodemask *nodes,
			  const long *want, const long *got, int step)
{
	long want_all = 0, got_all = 0;
	int node;

	for (node = 0; node < TOPO_MAX_NODES; node++) {
		want_all += want[node];
		got_all += got[node];
		if (!mask_test(nodes, node))
			EXPECT_EQ(0, got[node]) TH_LOG("step %d: node %d", step, node);
	}
	EXPECT_EQ(want_all, got_all) TH_LOG("step %d", step);
}

/*
 * Make the steps' allocations under the policy; with @check, compare each
 * with the model.  On a KASAN kernel only what no extra turn changes is
 * compared: every page on a node of the policy, and all of them counted.
 */
static void run_steps(struct __test_metadata *_metadata, struct il_run *r,
		      const struct alloc_step *steps, int nr, int check)
{
	long got[TOPO_MAX_NODES], want[TOPO_MAX_NODES];
	struct il_pos pos = { -1, 0 };
	int i, node, next, n, loose = kasan_kernel();

	if (r->weighted)
		ASSERT_EQ(0, set_weights(r, 0));
	ASSERT_EQ(0, sys_set_mempolicy(check ? (r->weighted ? MPOL_WEIGHTED_INTERLEAVE :
						MPOL_INTERLEAVE) : MPOL_DEFAULT,
				       check ? &r->nodes : NULL, check ? SET_MAXNODE : 0));
	for (i = 0; i < nr; i++) {
		n = steps[i].n;
		if (steps[i].op == 'w') {
			ASSERT_EQ(0, set_weights(r, n));
			continue;
		}
		if (steps[i].op == 'r') {
			node = -1;
			n = in_set(&r->nodes, pos.node) ? pos.left : 0;
			while ((node = mask_next(&r->nodes, node)) < MASK_BITS)
				n += r->weight[node];
		}
		model_alloc(&pos, &r->nodes, r->weight, r->weighted, steps[i].op, n, want);
		ASSERT_EQ(0, probe_fd(r->fd, steps[i].op, n, got));
		if (sys_get_mempolicy(&next, NULL, 0, NULL, MPOL_F_NODE))
			next = -errno;
		if (!check)
			continue;
		if (loose) {
			expect_within(_metadata, &r->nodes, want, got, i);
			continue;
		}
		for (node = 0; node < TOPO_MAX_NODES; node++) {
			EXPECT_EQ(want[node], got[node])
				TH_LOG("step %d (%c %d): node %d", i, steps[i].op, n, node);
		}
		EXPECT_EQ(model_next(&pos, &r->nodes, r->weighted), next)
			TH_LOG("step %d (%c %d): the next node", i, steps[i].op, n);
	}
}

static void il_run_init(struct __test_metadata *_metadata, struct _test_data_kernel_alloc *self,
			struct il_run *r, int weighted)
{
	char path[128];
	int i, node = -1;

	memset(r, 0, sizeof(*r));
	r->weighted = weighted;
	for (i = 0; i < MAX_IL_NODES && (node = mask_next(&self->memory, node)) < MASK_BITS; i++)
		mask_set(&r->nodes, node);
	if (!weighted)
		r->nodes = self->memory;
	r->fd = open(PROBE_FILE, O_RDWR);
	ASSERT_LE(0, r->fd);
	node = -1;
	for (i = 0; weighted && (node = mask_next(&r->nodes, node)) < MASK_BITS; i++) {
		snprintf(path, sizeof(path), WI_DIR "/node%d", node);
		r->wfd[i] = open(path, O_WRONLY);
		ASSERT_LE(0, r->wfd[i]);
	}
	/* The default weight of 1, for plain interleave's model. */
	for (node = 0; node < TOPO_MAX_NODES; node++)
		r->weight[node] = 1;
}

TEST_F(kernel_alloc, weighted_interleave_bulk_in_a_row)
{
	struct il_run r;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	il_run_init(_metadata, self, &r, 1);
	run_steps(_metadata, &r, weighted_steps, ARRAY_SIZE(weighted_steps), 0);
	run_steps(_metadata, &r, weighted_steps, ARRAY_SIZE(weighted_steps), 1);
}

TEST_F(kernel_alloc, interleave_bulk_in_a_row)
{
	struct il_run r;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	il_run_init(_metadata, self, &r, 0);
	run_steps(_metadata, &r, interleave_steps, ARRAY_SIZE(interleave_steps), 0);
	run_steps(_metadata, &r, interleave_steps, ARRAY_SIZE(interleave_steps), 1);
}

TEST_HARNESS_MAIN
