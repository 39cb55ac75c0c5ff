// SPDX-License-Identifier: GPL-2.0
/*
 * Policies on hugetlb memory, 2 MiB pages reserved on every node with
 * memory: an interleaved hugetlbfs file places its huge pages by file
 * offset, anonymous MAP_HUGETLB memory goes where bind and preferred say,
 * mbind(MPOL_MF_MOVE) migrates huge pages, nr_hugepages_mempolicy obeys
 * the task policy, and numa_maps shows the policy and "huge".
 *
 * Linux 6.12 gives hugetlbfs no shared policy (hugetlb_vm_ops has no
 * set_policy or get_policy): a policy lives in the mapping that mbind()
 * set it on, and its children's copies, while the pages stay in the file
 * wherever they were placed.  A range that would split a hugetlb VMA
 * inside a huge page is refused with EINVAL.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define HPAGE		(2UL << 20)
#define MNT		"/tmp/mempolicy-hugetlbfs"
/* Huge pages that each node needs free for the tests. */
#define PER_NODE	4

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif

FIXTURE(hugetlb) {
	struct nodemask memory;
	int nr;			/* nodes with memory */
	long old[TOPO_MAX_NODES];	/* their nr_hugepages before */
	long ps;
	char file[64];
};

/* Give every node with memory @extra huge pages more than it had. */
static void set_counts(struct _test_data_hugetlb *self, int extra)
{
	int node = -1;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		hugetlb_node_set(node, self->old[node] + extra);
}

static void unmount_hugetlbfs(struct _test_data_hugetlb *self)
{
	unlink(self->file);
	umount(MNT);
	rmdir(MNT);
}

FIXTURE_SETUP(hugetlb)
{
	int node = -1;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nr = mask_weight(&self->memory);
	if (self->nr < 2)
		SKIP(return, "needs two nodes with memory");
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		ASSERT_LT(node, TOPO_MAX_NODES);
		self->old[node] = hugetlb_node_count(node, "nr_hugepages");
		if (self->old[node] < 0)
			SKIP(return, "no 2 MiB huge pages on node %d", node);
	}
	self->ps = sysconf(_SC_PAGESIZE);
	snprintf(self->file, sizeof(self->file), MNT "/file");
	mkdir(MNT, 0755);
	if (mount("none", MNT, "hugetlbfs", 0, "pagesize=2M")) {
		rmdir(MNT);
		ASSERT_TRUE(0) TH_LOG("mount hugetlbfs: %s", strerror(errno));
	}

	/*
	 * PER_NODE free huge pages on every node.  The teardown only runs
	 * after a setup that completed, so undo everything before skipping
	 * on a machine whose memory is too fragmented for them.
	 */
	write_str("/proc/sys/vm/compact_memory", "1");
	set_counts(self, PER_NODE);
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		long nfree = hugetlb_node_count(node, "free_hugepages");

		if (nfree < PER_NODE) {
			set_counts(self, 0);
			unmount_hugetlbfs(self);
			SKIP(return, "node %d: %ld free huge pages, not %d",
			     node, nfree, PER_NODE);
		}
	}
}

FIXTURE_TEARDOWN(hugetlb)
{
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	unmount_hugetlbfs(self);
	set_counts(self, 0);
}

static char *map_hugetlb_file(const char *path, long pages, long off, long len)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	char *p;

	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, pages * HPAGE)) {
		close(fd);
		return MAP_FAILED;
	}
	p = mmap(NULL, len * HPAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off * HPAGE);
	close(fd);
	return p;
}

static char *map_hugetlb_anon(long pages)
{
	return mmap(NULL, pages * HPAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
}

/*
 * The node of the huge page at @p, asked both ways, which must agree:
 * get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) and move_pages() with no
 * target nodes.  -1 if they disagree or fail; -2 - errno if move_pages()
 * reports an error for the page (-ENOENT: not mapped here).
 */
static int page_node(char *p)
{
	void *page = p;
	int status = -1, node = -1;

	if (sys_move_pages(0, 1, &page, NULL, &status, 0))
		return -1;
	if (status < 0)
		return -2 + status;
	if (sys_get_mempolicy(&node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node == status ? node : -1;
}

/* The policy at @p is @mode over @nodes (no nodes: an empty mask). */
static int policy_is(char *p, int mode, const struct nodemask *nodes)
{
	struct nodemask got, none;
	int got_mode = -1;

	mask_clear(&none);
	if (sys_get_mempolicy(&got_mode, &got, MASK_BITS, p, MPOL_F_ADDR))
		return 0;
	return got_mode == mode && mask_equal(&got, nodes ? nodes : &none);
}

/*
 * A hugetlbfs file interleaved over the nodes with memory: huge page i of
 * the file lies on the (i mod N)th node, whatever address it is mapped at.
 * The mapping starts one huge page into the file, so that offsets and
 * addresses name different nodes.
 */
TEST_F(hugetlb, interleave_by_file_offset)
{
	long i, pages = 2 * self->nr;
	char list[256], want[512], got[512], *p;
	int count[MASK_BITS] = { 0 }, node;

	p = map_hugetlb_file(self->file, pages + 1, 1, pages);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, sys_mbind(p, pages * HPAGE, MPOL_INTERLEAVE, &self->memory,
			       SET_MAXNODE, 0)) TH_LOG("mbind: %s", strerror(errno));
	ASSERT_TRUE(policy_is(p + HPAGE, MPOL_INTERLEAVE, &self->memory));
	for (i = 0; i < pages; i++)
		memset(p + i * HPAGE, i + 1, HPAGE);
	for (i = 0; i < pages; i++) {
		node = page_node(p + i * HPAGE);
		EXPECT_EQ(mask_nth(&self->memory, (i + 1) % self->nr), node)
			TH_LOG("huge page %ld of the file", i + 1);
		EXPECT_EQ(i + 1, p[i * HPAGE + HPAGE - 1]);
		if (node >= 0 && node < MASK_BITS)
			count[node]++;
	}

	/* numa_maps: the policy, the file, "huge", and huge pages per node. */
	mask_str(&self->memory, list, sizeof(list));
	snprintf(want, sizeof(want), "interleave:%s file=%s huge dirty=%ld", list,
		 self->file, pages);
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " N%d=%d",
			 node, count[node]);
	strcat(want, " kernelpagesize_kB=2048");
	ASSERT_TRUE(numa_maps_line(getpid(), (unsigned long)p, got, sizeof(got)));
	EXPECT_STREQ(want, got);
	munmap(p, pages * HPAGE);
}

/*
 * In a child of a process that interleaved a hugetlbfs mapping and
 * faulted the first half of its pages: the inherited mapping has the
 * policy and places the second half; a new mapping of the same file has
 * no policy (no shared policy on hugetlbfs) but sees every page where it
 * was placed.  0 if so, or the number of the check that failed.
 */
static int child_of_interleaved(char *p, const char *file, const struct nodemask *memory,
				long pages)
{
	int nr = mask_weight(memory);
	char want[300], got[300], *q;
	long i;

	if (!policy_is(p, MPOL_INTERLEAVE, memory) ||
	    !policy_is(p + (pages - 1) * HPAGE, MPOL_INTERLEAVE, memory))
		return 1;
	mask_str(memory, got, sizeof(got));
	snprintf(want, sizeof(want), "interleave:%s", got);
	if (!numa_maps_policy(getpid(), (unsigned long)p, got, sizeof(got)) ||
	    strcmp(want, got))
		return 2;
	for (i = pages / 2; i < pages; i++) {
		p[i * HPAGE] = 1;
		if (page_node(p + i * HPAGE) != mask_nth(memory, i % nr))
			return 3;
	}
	q = map_hugetlb_file(file, pages, 0, pages);
	if (q == MAP_FAILED)
		return 4;
	if (!policy_is(q, MPOL_DEFAULT, NULL) ||
	    !numa_maps_policy(getpid(), (unsigned long)q, got, sizeof(got)) ||
	    strcmp("default", got))
		return 5;
	for (i = 0; i < pages; i++) {
		if (q[i * HPAGE] != (i < pages / 2 ? 2 : 1))
			return 6;
		if (page_node(q + i * HPAGE) != mask_nth(memory, i % nr))
			return 7;
	}
	return 0;
}

TEST_F(hugetlb, policy_belongs_to_the_mapping)
{
	long i, pages = 2 * self->nr;
	int status;
	char *p;
	pid_t pid;

	p = map_hugetlb_file(self->file, pages, 0, pages);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, sys_mbind(p, pages * HPAGE, MPOL_INTERLEAVE, &self->memory,
			       SET_MAXNODE, 0));
	for (i = 0; i < pages / 2; i++) {
		p[i * HPAGE] = 2;
		ASSERT_EQ(mask_nth(&self->memory, i % self->nr), page_node(p + i * HPAGE));
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_of_interleaved(p, self->file, &self->memory, pages));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* The pages that the child placed are the parent's too. */
	for (i = pages / 2; i < pages; i++) {
		ASSERT_EQ(1, p[i * HPAGE]);
		EXPECT_EQ(mask_nth(&self->memory, i % self->nr), page_node(p + i * HPAGE))
			TH_LOG("huge page %ld", i);
	}

	/* Unmapped by all, the file keeps its pages but not the policy. */
	ASSERT_EQ(0, munmap(p, pages * HPAGE));
	p = map_hugetlb_file(self->file, pages, 0, pages);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(policy_is(p, MPOL_DEFAULT, NULL));
	for (i = 0; i < pages; i++) {
		ASSERT_EQ(i < pages / 2 ? 2 : 1, p[i * HPAGE]);
		EXPECT_EQ(mask_nth(&self->memory, i % self->nr), page_node(p + i * HPAGE))
			TH_LOG("huge page %ld", i);
	}
	munmap(p, pages * HPAGE);
}

/*
 * Anonymous huge pages bound or preferred to each node in turn land there,
 * and numa_maps shows the policy, the hugetlb file behind the mapping,
 * "huge", and the huge pages (not base pages) per node.
 */
static void anon_each_node(struct __test_metadata *_metadata,
			   struct _test_data_hugetlb *self, int mode, const char *name)
{
	char want[256], got[256], *p;
	struct nodemask one;
	int node = -1, i;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		one = mask_of(node);
		p = map_hugetlb_anon(2);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
		ASSERT_EQ(0, sys_mbind(p, 2 * HPAGE, mode, &one, SET_MAXNODE, 0));
		ASSERT_TRUE(policy_is(p + HPAGE, mode, &one));
		memset(p, 7, 2 * HPAGE);
		for (i = 0; i < 2; i++)
			EXPECT_EQ(node, page_node(p + i * HPAGE)) TH_LOG("node %d", node);
		snprintf(want, sizeof(want),
			 "%s:%d file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N%d=2 kernelpagesize_kB=2048",
			 name, node, node);
		ASSERT_TRUE(numa_maps_line(getpid(), (unsigned long)p, got, sizeof(got)));
		EXPECT_STREQ(want, got);
		ASSERT_EQ(0, munmap(p, 2 * HPAGE));
	}
}

TEST_F(hugetlb, anonymous_bind_each_node)
{
	anon_each_node(_metadata, self, MPOL_BIND, "bind");
}

TEST_F(hugetlb, anonymous_preferred_each_node)
{
	anon_each_node(_metadata, self, MPOL_PREFERRED, "prefer");
}

/*
 * mbind() on a hugetlb range must not split a huge page: a range that
 * starts or, once rounded up to base pages, ends inside one is EINVAL and
 * changes nothing, unless the range already has that policy (nothing is
 * split then).  A length that rounds up to the end of the mapping is fine.
 */
TEST_F(hugetlb, mbind_unaligned_length)
{
	int first = mask_nth(&self->memory, 0), last = mask_last(&self->memory);
	struct nodemask a = mask_of(first), b = mask_of(last);
	char *p;

	p = map_hugetlb_anon(2);
	ASSERT_NE(MAP_FAILED, p);

	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p, HPAGE + self->ps, MPOL_BIND, &a, SET_MAXNODE, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p, HPAGE - self->ps, MPOL_BIND, &a, SET_MAXNODE, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p, 1, MPOL_BIND, &a, SET_MAXNODE, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p + self->ps, HPAGE, MPOL_BIND, &a, SET_MAXNODE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(policy_is(p, MPOL_DEFAULT, NULL));
	EXPECT_TRUE(policy_is(p + HPAGE, MPOL_DEFAULT, NULL));

	/* Rounded up to base pages, this length reaches the end of the mapping. */
	ASSERT_EQ(0, sys_mbind(p, 2 * HPAGE - self->ps + 1, MPOL_BIND, &a, SET_MAXNODE, 0))
		TH_LOG("mbind: %s", strerror(errno));
	EXPECT_TRUE(policy_is(p, MPOL_BIND, &a));
	EXPECT_TRUE(policy_is(p + HPAGE, MPOL_BIND, &a));

	/* The same policy again needs no split; another one does. */
	EXPECT_EQ(0, sys_mbind(p, HPAGE + 1, MPOL_BIND, &a, SET_MAXNODE, 0));
	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p, HPAGE + 1, MPOL_BIND, &b, SET_MAXNODE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(policy_is(p, MPOL_BIND, &a));
	EXPECT_TRUE(policy_is(p + HPAGE, MPOL_BIND, &a));

	/* On a huge page boundary the mapping splits. */
	ASSERT_EQ(0, sys_mbind(p, HPAGE, MPOL_BIND, &b, SET_MAXNODE, 0));
	EXPECT_TRUE(policy_is(p, MPOL_BIND, &b));
	EXPECT_TRUE(policy_is(p + HPAGE, MPOL_BIND, &a));
	memset(p, 1, 2 * HPAGE);
	EXPECT_EQ(last, page_node(p));
	EXPECT_EQ(first, page_node(p + HPAGE));
	munmap(p, 2 * HPAGE);
}

/*
 * mbind(MPOL_MF_MOVE) migrates huge pages that break the new policy, with
 * their contents; MPOL_MF_STRICT alone reports them with EIO.
 */
TEST_F(hugetlb, mbind_moves_huge_pages)
{
	int first = mask_nth(&self->memory, 0), last = mask_last(&self->memory);
	struct nodemask a = mask_of(first), b = mask_of(last);
	long i;
	char *p;

	p = map_hugetlb_anon(2);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, 2 * HPAGE, MPOL_BIND, &a, SET_MAXNODE, 0));
	for (i = 0; i < 2 * (long)HPAGE; i += self->ps)
		p[i] = i / self->ps;
	ASSERT_EQ(first, page_node(p));

	errno = 0;
	EXPECT_EQ(-1, sys_mbind(p, 2 * HPAGE, MPOL_BIND, &b, SET_MAXNODE, MPOL_MF_STRICT));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(first, page_node(p));
	ASSERT_EQ(0, sys_mbind(p, 2 * HPAGE, MPOL_BIND, &b, SET_MAXNODE,
			       MPOL_MF_MOVE | MPOL_MF_STRICT))
		TH_LOG("mbind: %s", strerror(errno));
	EXPECT_EQ(last, page_node(p));
	EXPECT_EQ(last, page_node(p + HPAGE));
	for (i = 0; i < 2 * (long)HPAGE; i += self->ps)
		ASSERT_EQ((char)(i / self->ps), p[i]) TH_LOG("offset %ld", i);
	munmap(p, 2 * HPAGE);
}

/*
 * /proc/sys/vm/nr_hugepages_mempolicy allocates new huge pages on the
 * nodes of the task policy: the bound node, or each interleaved node.
 */
TEST_F(hugetlb, nr_hugepages_mempolicy)
{
	int first = mask_nth(&self->memory, 0), last = mask_last(&self->memory);
	long before[MASK_BITS], total = 0;
	struct nodemask one = mask_of(last), two = mask_of(first);
	char val[32];
	int node = -1;

	mask_set(&two, last);
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		before[node] = hugetlb_node_count(node, "nr_hugepages");
		total += before[node];
	}
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND, &one, SET_MAXNODE));
	snprintf(val, sizeof(val), "%ld", total + 2);
	ASSERT_EQ(0, write_str("/proc/sys/vm/nr_hugepages_mempolicy", val));
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		EXPECT_EQ(before[node] + (node == last ? 2 : 0),
			  hugetlb_node_count(node, "nr_hugepages"))
			TH_LOG("bound to node %d: node %d", last, node);

	ASSERT_EQ(0, sys_set_mempolicy(MPOL_INTERLEAVE, &two, SET_MAXNODE));
	snprintf(val, sizeof(val), "%ld", total + 4);
	ASSERT_EQ(0, write_str("/proc/sys/vm/nr_hugepages_mempolicy", val));
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		EXPECT_EQ(before[node] + (node == last ? 3 : node == first ? 1 : 0),
			  hugetlb_node_count(node, "nr_hugepages"))
			TH_LOG("interleaved over %d,%d: node %d", first, last, node);
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_DEFAULT, NULL, 0));
}

TEST_HARNESS_MAIN
