// SPDX-License-Identifier: GPL-2.0
/*
 * Memory going away: the memory blocks of a node that a policy names go
 * offline and come back while a task allocates under that policy.
 *
 * The guest has a DIMM whose blocks are offline at boot (dimm=MiB in the
 * topology; scripts/guest.sh).  Each test onlines them movable, so that
 * they can go offline again, and starts a worker, pinned to a CPU of the
 * DIMM's node where it has one, that sets a policy on the DIMM's node
 * (task policy, or VMA policy with mbind()), with another node with
 * memory for all but preferred.  The worker goes round a ring of pages
 * written with a pattern of their page and generation: it checks each
 * chunk, drops it (MADV_DONTNEED) and writes it again, so that it
 * allocates all the time; beside the ring, still pages under the same
 * policy are written once and checked every round.  Meanwhile the test
 * offlines the DIMM, which migrates what is on it, lets the worker go
 * round, and onlines the DIMM again.  No byte may change, and after each
 * step a full round of the worker, every ring page allocated after the
 * step, shows where Linux 6.12 puts the pages and what get_mempolicy(2)
 * reports:
 *
 *  - Offlining moves each page on the DIMM to the nearest other node
 *    with memory, whatever its policy (do_migrate_range()).
 *  - A node that keeps boot memory stays in N_MEMORY: nothing is
 *    rebound, and new pages stay on the policy's nodes, off the DIMM
 *    while it is offline and on it again (the movable zone comes first
 *    in a node's zonelist) once it is back.
 *  - A node whose only memory is the DIMM leaves N_MEMORY, and the
 *    cpuset code rebinds every task of the top cpuset, its task policy
 *    and the VMA policies of its mm, from the nodes with memory before
 *    to those after by position (nodes_remap()), as for a cpuset.mems
 *    change: bind or interleave on 1-2 of 0-2 becomes 0,2 and, once the
 *    node is back, 0-1, not 1-2.  Preferred keeps its node, and its pages
 *    go to the nearest node with memory meanwhile.
 *
 * The test puts the DIMM's blocks back offline at the end, as at boot.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <linux/types.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define RING_BYTES	(16UL << 20)
#define STILL_BYTES	(4UL << 20)
#define CHUNK_PAGES	64
#define OFFLINE_TRIES	10

/* What the worker finds in one full round, at the test's request. */
struct census {
	long on_node[TOPO_MAX_NODES];
	long elsewhere;		/* not on a node that move_pages() names */
	long in_dimm;		/* in the DIMM's blocks, by pagemap PFN */
	/* The still pages: in the DIMM, and moved off it since the last. */
	long still_in_dimm;
	long moved_to[TOPO_MAX_NODES];
	int mode;		/* get_mempolicy() of the policy set */
	struct nodemask nodes;
};

/* The node of CPU @cpu, or -1. */
static int node_of_cpu(int cpu)
{
	char path[96];
	int node;

	for (node = 0; node < TOPO_MAX_NODES; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%d", cpu, node);
		if (!access(path, F_OK))
			return node;
	}
	return -1;
}

/* Shared between the test and its worker. */
struct ring_ctl {
	int stop;
	int ready;		/* 1 once the policy is set, -errno if not */
	int request;		/* the test's census request number */
	int done;		/* the request whose census is in @census */
	long rounds;
	long bad_bytes;		/* bytes that were not what was written */
	int dimm[MAX_BLOCKS];	/* the DIMM's block ids, for in_dimm */
	int nr_dimm;
	struct census census;
};

FIXTURE(hotplug) {
	int node;		/* the DIMM's node */
	int other;		/* another node with boot memory, or -1 */
	int blocks[MAX_BLOCKS];	/* the DIMM's blocks, offline at boot */
	int nr_blocks;
	struct nodemask boot_memory;	/* N_MEMORY with the DIMM offline */
	struct nodemask memory;		/* and with it online */
	int cpu;		/* the worker's */
	int cpu_node;		/* and its node */
	long weight[2];		/* the weights of node and other, to restore */
	struct ring_ctl *ctl;
	pid_t worker;
};

FIXTURE_VARIANT(hotplug) {
	int mode;
	int vma;		/* a VMA policy of the ring, not the task's */
};

FIXTURE_VARIANT_ADD(hotplug, bind_task) { .mode = MPOL_BIND };
FIXTURE_VARIANT_ADD(hotplug, bind_vma) { .mode = MPOL_BIND, .vma = 1 };
FIXTURE_VARIANT_ADD(hotplug, preferred_task) { .mode = MPOL_PREFERRED };
FIXTURE_VARIANT_ADD(hotplug, preferred_vma) { .mode = MPOL_PREFERRED, .vma = 1 };
FIXTURE_VARIANT_ADD(hotplug, interleave_task) { .mode = MPOL_INTERLEAVE };
FIXTURE_VARIANT_ADD(hotplug, interleave_vma) { .mode = MPOL_INTERLEAVE, .vma = 1 };
FIXTURE_VARIANT_ADD(hotplug, weighted_interleave_task) { .mode = MPOL_WEIGHTED_INTERLEAVE };
FIXTURE_VARIANT_ADD(hotplug, weighted_interleave_vma) {
	.mode = MPOL_WEIGHTED_INTERLEAVE, .vma = 1 };

/*
 * The policies but preferred name a second node.  Bind needs one: while
 * the blocks go offline, their free pages are isolated, and a bind to a
 * node whose only memory they are has nothing to allocate from; Linux
 * 6.12 then OOM-kills the worker (CONSTRAINT_MEMORY_POLICY) before the
 * node leaves N_MEMORY and the policy is rebound.
 */
static int two_nodes(int mode)
{
	return mode != MPOL_PREFERRED;
}

/* --- memory blocks ----------------------------------------------------- */

static int block_write(int id, const char *what)
{
	char path[96];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%d/state", id);
	return write_str(path, what);
}

static int block_is(int id, const char *state)
{
	char st[32];

	return !block_state(id, st, sizeof(st)) && !strcmp(st, state);
}

/* Online the blocks that are offline, movable; 0 or the first errno. */
static int blocks_online(const int *ids, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		if (!block_is(ids[i], "offline"))
			continue;
		err = block_write(ids[i], "online_movable");
		if (err)
			return err;
	}
	return 0;
}

/*
 * Offline the blocks that are online.  Offlining migrates what is on a
 * block; when a page cannot be isolated for the moment the write is
 * EBUSY, so it is tried again a few times.  0 or the last errno.
 */
static int blocks_offline(const int *ids, int n)
{
	int i, try, err = 0;

	for (i = 0; i < n; i++) {
		if (!block_is(ids[i], "online"))
			continue;
		for (try = 0; try < OFFLINE_TRIES; try++) {
			err = block_write(ids[i], "offline");
			if (err != EBUSY && err != EAGAIN)
				break;
			usleep(500000);
		}
		if (err)
			return err;
	}
	return 0;
}

/* --- the worker ---------------------------------------------------------- */

/* The word @w of page @page in generation @gen: no two alike. */
static inline __u64 pattern(long page, long gen, long w)
{
	__u64 x = ((__u64)page << 40) ^ ((__u64)gen << 16) ^ w;

	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

static void fill(__u64 *p, long page, long gen, long words)
{
	long w;

	for (w = 0; w < words; w++)
		p[w] = pattern(page, gen, w);
}

/* How many bytes of the page are not what generation @gen wrote. */
static long check(const __u64 *p, long page, long gen, long words)
{
	long w, bad = 0;
	int b;

	for (w = 0; w < words; w++) {
		__u64 diff = p[w] ^ pattern(page, gen, w);

		for (b = 0; diff && b < 8; b++, diff >>= 8)
			bad += !!(diff & 0xff);
	}
	return bad;
}

/* Whether the PFN behind @addr is in one of the DIMM's blocks. */
static int in_dimm(int pagemap, const struct ring_ctl *ctl, const void *addr, long ps,
		   long block)
{
	__u64 ent;
	long id;
	int i;

	if (pread(pagemap, &ent, sizeof(ent), (uintptr_t)addr / ps * sizeof(ent)) != sizeof(ent) ||
	    !(ent & (1ULL << 63)))
		return 0;
	id = (long)((ent & ((1ULL << 55) - 1)) * ps / block);
	for (i = 0; i < ctl->nr_dimm; i++)
		if (ctl->dimm[i] == id)
			return 1;
	return 0;
}

/* The ring and the still pages, as the worker has them. */
struct worker_mem {
	char *ring, *still;
	long pages, still_pages;
	long *gen;		/* each ring page's generation */
	char *was_in_dimm;	/* each still page's at the last census */
};

static void take_census(struct ring_ctl *ctl, struct worker_mem *wm, long ps, int vma)
{
	struct census *c = &ctl->census;
	long i, block = memory_block_bytes();
	int *nodes = calloc(wm->pages, sizeof(int));
	int pagemap = open("/proc/self/pagemap", O_RDONLY);

	memset(c, 0, sizeof(*c));
	if (!nodes || pagemap < 0 || block <= 0 || page_nodes(0, wm->ring, wm->pages, ps, nodes)) {
		c->elsewhere = wm->pages;
		goto out;
	}
	for (i = 0; i < wm->pages; i++) {
		if (nodes[i] >= 0 && nodes[i] < TOPO_MAX_NODES)
			c->on_node[nodes[i]]++;
		else
			c->elsewhere++;
		c->in_dimm += in_dimm(pagemap, ctl, wm->ring + i * ps, ps, block);
	}
	if (page_nodes(0, wm->still, wm->still_pages, ps, nodes)) {
		c->elsewhere += wm->still_pages;
		goto out;
	}
	for (i = 0; i < wm->still_pages; i++) {
		int in = in_dimm(pagemap, ctl, wm->still + i * ps, ps, block);

		if (wm->was_in_dimm[i] && !in && nodes[i] >= 0 && nodes[i] < TOPO_MAX_NODES)
			c->moved_to[nodes[i]]++;
		wm->was_in_dimm[i] = in;
		c->still_in_dimm += in;
	}
out:
	if (sys_get_mempolicy(&c->mode, &c->nodes, MASK_BITS, vma ? wm->ring : NULL,
			      vma ? MPOL_F_ADDR : 0))
		c->mode = -errno;
	if (pagemap >= 0)
		close(pagemap);
	free(nodes);
}

/*
 * Set the policy and go round the ring until told to stop.  A census
 * that the test asks for is taken after the first full round that starts
 * after the request, so that every ring page it counts was allocated
 * then.  The still pages, under the same policy, are written once and
 * checked every round: they are on the DIMM when it goes, and must be
 * migrated, not dropped.
 */
static int worker(struct ring_ctl *ctl, int cpu, int mode, const struct nodemask *m, int vma)
{
	long ps = sysconf(_SC_PAGESIZE), words = ps / 8, i, c;
	struct worker_mem wm = {
		.pages = RING_BYTES / ps,
		.still_pages = STILL_BYTES / ps,
	};
	int pending = 0, err;

	wm.gen = calloc(wm.pages, sizeof(long));
	wm.was_in_dimm = calloc(wm.still_pages, 1);
	wm.ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	wm.still = mmap(NULL, STILL_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (!wm.gen || !wm.was_in_dimm || wm.ring == MAP_FAILED || wm.still == MAP_FAILED ||
	    run_on(cpu)) {
		ctl->ready = -ENOMEM;
		return 1;
	}
	/* Base pages, each placed by the policy on its own. */
	madvise(wm.ring, RING_BYTES, MADV_NOHUGEPAGE);
	madvise(wm.still, STILL_BYTES, MADV_NOHUGEPAGE);
	if (vma)
		err = sys_mbind(wm.ring, RING_BYTES, mode, m, SET_MAXNODE, 0) ||
		      sys_mbind(wm.still, STILL_BYTES, mode, m, SET_MAXNODE, 0);
	else
		err = sys_set_mempolicy(mode, m, SET_MAXNODE);
	if (err) {
		ctl->ready = -errno;
		return 1;
	}
	for (i = 0; i < wm.pages; i++)
		fill((__u64 *)(wm.ring + i * ps), i, 0, words);
	/* Generation -1 is the still pages'. */
	for (i = 0; i < wm.still_pages; i++)
		fill((__u64 *)(wm.still + i * ps), i, -1, words);
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);

	while (!__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE)) {
		int req = __atomic_load_n(&ctl->request, __ATOMIC_ACQUIRE);

		if (!pending && req != ctl->done)
			pending = req;
		for (c = 0; c < wm.pages; c += CHUNK_PAGES) {
			for (i = c; i < c + CHUNK_PAGES; i++)
				ctl->bad_bytes += check((__u64 *)(wm.ring + i * ps), i, wm.gen[i],
							words);
			/* Give the chunk back and fault it in again: new pages. */
			madvise(wm.ring + c * ps, CHUNK_PAGES * ps, MADV_DONTNEED);
			for (i = c; i < c + CHUNK_PAGES; i++)
				fill((__u64 *)(wm.ring + i * ps), i, ++wm.gen[i], words);
		}
		for (i = 0; i < wm.still_pages; i++)
			ctl->bad_bytes += check((__u64 *)(wm.still + i * ps), i, -1, words);
		ctl->rounds++;
		if (pending) {
			take_census(ctl, &wm, ps, vma);
			__atomic_store_n(&ctl->done, pending, __ATOMIC_RELEASE);
			pending = 0;
		}
	}
	return 0;
}

/* --- the test's side ----------------------------------------------------- */

FIXTURE_SETUP(hotplug)
{
	struct nodemask online;
	int node = -1, n;

	self->node = -1;
	self->worker = 0;
	if (geteuid())
		SKIP(return, "memory hotplug needs root");
	if (memory_block_bytes() <= 0)
		SKIP(return, "no memory hotplug");
	ASSERT_EQ(0, read_node_state("online", &online));
	ASSERT_EQ(0, read_node_state("has_memory", &self->boot_memory));
	while ((node = mask_next(&online, node)) < MASK_BITS) {
		n = node_blocks(node, "offline", self->blocks, MAX_BLOCKS);
		if (n > 0) {
			self->node = node;
			self->nr_blocks = n;
			break;
		}
	}
	if (self->node < 0)
		SKIP(return, "no offline memory blocks (no dimm= in the topology)");

	/* The last other node with memory: the near one in the topologies. */
	self->other = -1;
	node = -1;
	while ((node = mask_next(&self->boot_memory, node)) < MASK_BITS)
		if (node != self->node)
			self->other = node;
	if (two_nodes(variant->mode) && self->other < 0)
		SKIP(return, "needs a second node with memory");
	/* On the DIMM's node if it has a CPU: a local allocation goes there. */
	self->cpu = node_first_cpu(self->node);
	self->cpu_node = self->node;
	if (self->cpu < 0) {
		self->cpu = 0;
		self->cpu_node = node_of_cpu(0);
	}

	self->weight[0] = -1;
	self->weight[1] = -1;
	if (variant->mode == MPOL_WEIGHTED_INTERLEAVE) {
		char path[128];

		snprintf(path, sizeof(path), WI_DIR "/node%d", self->node);
		self->weight[0] = read_long(path);
		snprintf(path, sizeof(path), WI_DIR "/node%d", self->other);
		self->weight[1] = read_long(path);
		/* Uneven, so that the weights are in play. */
		ASSERT_EQ(0, write_weight(self->node, "3"));
		ASSERT_EQ(0, write_weight(self->other, "1"));
	}

	self->ctl = mmap(NULL, sizeof(*self->ctl), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ctl);
	memcpy(self->ctl->dimm, self->blocks, sizeof(self->blocks));
	self->ctl->nr_dimm = self->nr_blocks;
}

FIXTURE_TEARDOWN(hotplug)
{
	char buf[32];

	if (self->worker > 0) {
		kill(self->worker, SIGKILL);
		waitpid(self->worker, NULL, 0);
	}
	/* The boot state, for the tests that come after. */
	if (self->node >= 0)
		EXPECT_EQ(0, blocks_offline(self->blocks, self->nr_blocks))
			TH_LOG("the DIMM's blocks did not go offline again");
	if (self->weight[0] >= 0) {
		snprintf(buf, sizeof(buf), "%ld", self->weight[0]);
		write_weight(self->node, buf);
	}
	if (self->weight[1] >= 0) {
		snprintf(buf, sizeof(buf), "%ld", self->weight[1]);
		write_weight(self->other, buf);
	}
	if (self->ctl && self->ctl != MAP_FAILED)
		munmap(self->ctl, sizeof(*self->ctl));
}

/*
 * nodes_remap() as the cpuset rebind does it: the nth node of @from in @m
 * becomes the (n mod weight)th node of @to; nodes not in @from stay.
 */
static struct nodemask remapped(const struct nodemask *m, const struct nodemask *from,
				const struct nodemask *to)
{
	int node = -1, w = mask_weight(to);
	struct nodemask r;

	mask_clear(&r);
	while ((node = mask_next(m, node)) < MASK_BITS) {
		int pos = 0, n = -1;

		if (!w || !mask_test(from, node)) {
			mask_set(&r, node);
			continue;
		}
		while ((n = mask_next(from, n)) < node)
			pos++;
		mask_set(&r, mask_nth(to, pos % w));
	}
	return mask_weight(&r) ? r : *to;
}

static int node_distance(int from, int to)
{
	char path[96], buf[1024], *p = buf, *end;
	struct nodemask online;
	int node = -1, d = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/distance", from);
	f = fopen(path, "r");
	if (!f || read_node_state("online", &online))
		goto out;
	if (!fgets(buf, sizeof(buf), f))
		goto out;
	while ((node = mask_next(&online, node)) < MASK_BITS) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		p = end;
		if (node == to) {
			d = v;
			break;
		}
	}
out:
	if (f)
		fclose(f);
	return d;
}

/*
 * The first nodes of @in that @node's zonelist has: @node itself if it
 * is in @in, else the nearest of @in.  An allocation for @node that has
 * room there goes there.
 */
static struct nodemask nearest(int node, const struct nodemask *in)
{
	int n = -1, best = INT_MAX;
	struct nodemask r;

	if (mask_test(in, node))
		return mask_of(node);
	mask_clear(&r);
	while ((n = mask_next(in, n)) < MASK_BITS) {
		int d = node_distance(node, n);

		if (d < 0)
			continue;
		if (d < best)
			mask_clear(&r);
		if (d <= best) {
			mask_set(&r, n);
			best = d;
		}
	}
	return r;
}

/* Wait for the worker to have set its policy and written its ring. */
static int worker_ready(struct _test_data_hotplug *self)
{
	int i;

	for (i = 0; i < 6000; i++) {
		int ready = __atomic_load_n(&self->ctl->ready, __ATOMIC_ACQUIRE);

		if (ready)
			return ready;
		if (waitpid(self->worker, NULL, WNOHANG) == self->worker) {
			self->worker = 0;
			return -1;
		}
		usleep(20000);
	}
	return 0;
}

/* Ask the worker for a census and wait for it; 0 when it came. */
static int census(struct _test_data_hotplug *self, int seconds)
{
	int req = self->ctl->request + 1;
	struct timespec t0, t;

	__atomic_store_n(&self->ctl->request, req, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (__atomic_load_n(&self->ctl->done, __ATOMIC_ACQUIRE) == req)
			return 0;
		if (waitpid(self->worker, NULL, WNOHANG) == self->worker) {
			self->worker = 0;
			return -1;
		}
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	return -1;
}

/*
 * The census says that the policy in force is @mode on @nodes, and that
 * the ring is where Linux puts it while its nodes have room: for bind on
 * the first of @nodes with memory in the zonelist of the worker's node,
 * for preferred on the preferred node or the nearest node with memory,
 * for interleave on each node so, every one of them.  With @dimm_on, the
 * pages on the DIMM's node are in its blocks (the movable zone is first
 * in the node's zonelist); without, none is.
 */
static void expect_census(struct __test_metadata *_metadata, struct _test_data_hotplug *self,
			  int mode, const struct nodemask *nodes, int dimm_on, const char *step)
{
	const struct census *c = &self->ctl->census;
	struct nodemask memory, where, want;
	char a[256], b[256], counts[256] = "";
	size_t off = 0;
	int node;

	for (node = 0; node < TOPO_MAX_NODES; node++)
		if (c->on_node[node] && off < sizeof(counts))
			off += snprintf(counts + off, sizeof(counts) - off, " node%d:%ld", node,
					c->on_node[node]);
	/* What the kernel did, for the record. */
	ksft_print_msg("%s: pages%s, %ld in the DIMM\n", step, counts, c->in_dimm);

	node = -1;
	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	EXPECT_EQ(mode, c->mode) TH_LOG("%s: mode", step);
	EXPECT_TRUE(mask_equal(nodes, &c->nodes))
		TH_LOG("%s: policy nodes %s, want %s", step, mask_str(&c->nodes, a, sizeof(a)),
		       mask_str(nodes, b, sizeof(b)));

	if (mode == MPOL_BIND) {
		struct nodemask usable = *nodes;
		unsigned int i;

		for (i = 0; i < MASK_LONGS; i++)
			usable.bits[i] &= memory.bits[i];
		want = nearest(self->cpu_node, &usable);
	} else {
		mask_clear(&want);
		while ((node = mask_next(nodes, node)) < MASK_BITS) {
			struct nodemask f = nearest(node, &memory);
			unsigned int i;

			for (i = 0; i < MASK_LONGS; i++)
				want.bits[i] |= f.bits[i];
			if (mode == MPOL_PREFERRED)
				break;
		}
	}
	mask_clear(&where);
	for (node = 0; node < TOPO_MAX_NODES; node++)
		if (c->on_node[node])
			mask_set(&where, node);
	EXPECT_EQ(0, c->elsewhere) TH_LOG("%s: pages without a node", step);
	EXPECT_TRUE(mask_equal(&want, &where))
		TH_LOG("%s: pages on %s, want on %s", step, mask_str(&where, a, sizeof(a)),
		       mask_str(&want, b, sizeof(b)));
	if (dimm_on) {
		EXPECT_EQ(c->on_node[self->node], c->in_dimm)
			TH_LOG("%s: %ld pages on node %d, %ld of them in the DIMM", step,
			       c->on_node[self->node], self->node, c->in_dimm);
	} else {
		EXPECT_EQ(0, c->in_dimm) TH_LOG("%s: pages in the offline DIMM", step);
	}
}

/* The @still pages that were on the DIMM went to its nearest node. */
static void expect_moved(struct __test_metadata *_metadata, struct _test_data_hotplug *self,
			 long still)
{
	const struct census *c = &self->ctl->census;
	struct nodemask others = self->memory, to, want;
	char a[256], b[256];
	long moved = 0;
	int node;

	others.bits[self->node / BITS_PER_UL] &= ~(1UL << (self->node % BITS_PER_UL));
	want = nearest(self->node, &others);
	mask_clear(&to);
	for (node = 0; node < TOPO_MAX_NODES; node++) {
		moved += c->moved_to[node];
		if (c->moved_to[node])
			mask_set(&to, node);
	}
	ksft_print_msg("DIMM offline: %ld still pages moved to %s\n", moved,
		       mask_str(&to, a, sizeof(a)));
	EXPECT_EQ(still, moved) TH_LOG("of %ld still pages in the DIMM", still);
	EXPECT_TRUE(mask_equal(&want, &to))
		TH_LOG("still pages moved to %s, want %s", mask_str(&to, a, sizeof(a)),
		       mask_str(&want, b, sizeof(b)));
}

TEST_F_TIMEOUT(hotplug, memory_goes_away, 300)
{
	struct nodemask set, after_offline, after_online, now;
	char a[256], b[256], c[256];
	int lost, status;
	long migrated, still;

	/* The DIMM in: the node gains its memory, movable. */
	ASSERT_EQ(0, blocks_online(self->blocks, self->nr_blocks));
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	ASSERT_TRUE(mask_test(&self->memory, self->node));
	/* It leaves N_MEMORY again only if it had nothing else. */
	lost = !mask_test(&self->boot_memory, self->node);

	set = mask_of(self->node);
	if (two_nodes(variant->mode))
		mask_set(&set, self->other);

	self->worker = fork();
	ASSERT_LE(0, self->worker);
	if (self->worker == 0)
		_exit(worker(self->ctl, self->cpu, variant->mode, &set, variant->vma));
	ASSERT_EQ(1, worker_ready(self)) TH_LOG("the worker could not set its policy: %d",
						self->ctl->ready);

	ASSERT_EQ(0, census(self, 120)) TH_LOG("no census with the DIMM online");
	expect_census(_metadata, self, variant->mode, &set, 1, "DIMM online");

	/* Take the memory away under the worker's feet. */
	still = self->ctl->census.still_in_dimm;
	ASSERT_LT(0, still) TH_LOG("no still page on the DIMM");
	migrated = vmstat_read("pgmigrate_success");
	ASSERT_EQ(0, blocks_offline(self->blocks, self->nr_blocks));
	migrated = vmstat_read("pgmigrate_success") - migrated;
	EXPECT_LE(still, migrated) TH_LOG("%ld pages migrated off the DIMM", migrated);
	ASSERT_EQ(0, read_node_state("has_memory", &now));
	EXPECT_TRUE(mask_equal(&self->boot_memory, &now))
		TH_LOG("nodes with memory %s, want %s as at boot", mask_str(&now, a, sizeof(a)),
		       mask_str(&self->boot_memory, b, sizeof(b)));
	/* Preferred keeps its node; the others are rebound by position. */
	after_offline = set;
	if (lost && variant->mode != MPOL_PREFERRED)
		after_offline = remapped(&set, &self->memory, &self->boot_memory);
	ASSERT_EQ(0, census(self, 120)) TH_LOG("the worker did not survive the offlining");
	expect_census(_metadata, self, variant->mode, &after_offline, 0, "DIMM offline");
	/*
	 * Offlining moves a page to the nearest other node with memory,
	 * whatever its policy says (do_migrate_range()).
	 */
	expect_moved(_metadata, self, still);

	/* And back. */
	ASSERT_EQ(0, blocks_online(self->blocks, self->nr_blocks));
	after_online = after_offline;
	if (lost && variant->mode != MPOL_PREFERRED)
		after_online = remapped(&after_offline, &self->boot_memory, &self->memory);
	ASSERT_EQ(0, census(self, 120)) TH_LOG("the worker did not survive the onlining");
	expect_census(_metadata, self, variant->mode, &after_online, 1, "DIMM online again");

	__atomic_store_n(&self->ctl->stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(self->worker, waitpid(self->worker, &status, 0));
	self->worker = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("worker status %#x", status);
	EXPECT_EQ(0, self->ctl->bad_bytes) TH_LOG("bytes lost in %ld rounds", self->ctl->rounds);
	ksft_print_msg("%ld rounds of %lu MiB; policy nodes %s, then %s, then %s\n",
		       self->ctl->rounds, RING_BYTES >> 20, mask_str(&set, a, sizeof(a)),
		       mask_str(&after_offline, b, sizeof(b)),
		       mask_str(&after_online, c, sizeof(c)));
}

TEST_HARNESS_MAIN
