// SPDX-License-Identifier: GPL-2.0
/*
 * Swap-in follows the policy: pages that the kernel reads back from swap
 * are allocated by the policy in force where they are faulted, not where
 * they were before they went out.  A zram device serves as swap.
 *
 * What Linux 6.12 does, and these tests assert:
 *
 * - Private anonymous memory whose swap entries nobody else holds is read
 *   from a synchronous device such as zram without the swap cache
 *   (do_swap_page()), each page allocated like a new one: by the VMA's
 *   policy at its address, with its interleave index (the VMA's page
 *   offset plus the page's index in the VMA; an anonymous VMA's page
 *   offset is its start address in pages).
 * - When the entries are shared (here with a forked child), swap-in goes
 *   through the swap cache and its readahead.  VMA-based readahead (the
 *   default) takes the policy at the faulting address and gives every
 *   page of its window the interleave index of the page's own address.
 *   Cluster readahead (vma_ra_enabled off) allocates the pages of a swap
 *   cluster with the faulting page's policy and interleave index.
 * - tmpfs and shared anonymous memory swap in by the shared policy at the
 *   page's file index (shmem_swapin_folio()), with the interleave index
 *   of the inode number plus that index, and cluster readahead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	64
/* The swap device's size. */
#define SWAP_MB		32
#define ZRAM_CONTROL	"/sys/class/zram-control"
#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"
#define VMA_RA		"/sys/kernel/mm/swap/vma_ra_enabled"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

/* The bits of a /proc/PID/pagemap entry. */
#define PM_SWAP		0x4000000000000000ULL
#define PM_PRESENT	0x8000000000000000ULL

FIXTURE(swap) {
	struct nodemask memory;
	int nr;			/* nodes with memory */
	long ps;
	int zram;		/* the zram device's number */
	char dev[64];
	long old_cluster;
	char old_ra[16];
	char *buf;
	size_t len;
	pid_t holder;		/* a child holding the swap entries, or 0 */
	int holder_fd;
};

static int zram_attr(int id, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/block/zram%d/%s", id, attr);
	return write_str(path, val);
}

static void zram_remove(int id)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", id);
	zram_attr(id, "reset", "1");
	write_str(ZRAM_CONTROL "/hot_remove", val);
}

/* Write a version 1 swap header, as mkswap does, over @pages pages. */
static int write_swap_header(const char *dev, long ps, long pages)
{
	char *page = calloc(1, ps);
	uint32_t *info;
	int fd, err = 0;

	if (!page)
		return -1;
	/* After 1024 bytes of boot block: version, last page, bad pages. */
	info = (uint32_t *)(page + 1024);
	info[0] = 1;
	info[1] = pages - 1;
	info[2] = 0;
	memcpy(page + ps - 10, "SWAPSPACE2", 10);
	fd = open(dev, O_WRONLY);
	if (fd < 0 || pwrite(fd, page, ps, 0) != ps || fsync(fd))
		err = -1;
	if (fd >= 0)
		close(fd);
	free(page);
	return err;
}

/*
 * Add a zram device and swap on it; an error message, or NULL.  It undoes
 * what it did when it fails.
 */
static const char *swap_on(struct _test_data_swap *self)
{
	char size[32];
	long id = read_long(ZRAM_CONTROL "/hot_add");

	if (id < 0)
		return "cannot add a zram device";
	self->zram = id;
	snprintf(size, sizeof(size), "%dM", SWAP_MB);
	snprintf(self->dev, sizeof(self->dev), "/dev/zram%d", self->zram);
	if (zram_attr(self->zram, "disksize", size)) {
		zram_remove(self->zram);
		return "cannot size the zram device";
	}
	if (write_swap_header(self->dev, self->ps, (SWAP_MB << 20) / self->ps)) {
		zram_remove(self->zram);
		return "cannot write a swap header";
	}
	if (swapon(self->dev, SWAP_FLAG_PREFER | (32767 & SWAP_FLAG_PRIO_MASK))) {
		zram_remove(self->zram);
		return "swapon failed";
	}
	return NULL;
}

FIXTURE_SETUP(swap)
{
	const char *err;
	cpu_set_t cpus;
	FILE *f;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nr = mask_weight(&self->memory);
	self->ps = sysconf(_SC_PAGESIZE);
	self->len = NR_PAGES * self->ps;
	self->old_cluster = read_long(PAGE_CLUSTER);
	ASSERT_GE(self->old_cluster, 0);
	f = fopen(VMA_RA, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->old_ra, sizeof(self->old_ra), f));
	fclose(f);
	/*
	 * Stay on one CPU: pages that wait in another CPU's batch for the
	 * LRU cannot be reclaimed, and MADV_PAGEOUT drains only its own.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	err = swap_on(self);
	ASSERT_EQ(NULL, err) TH_LOG("%s: %s", err, strerror(errno));
}

/* In the parent, so that swap is off again whatever became of the test. */
FIXTURE_TEARDOWN_PARENT(swap)
{
	char val[32];

	snprintf(val, sizeof(val), "%ld", self->old_cluster);
	write_str(PAGE_CLUSTER, val);
	write_str(VMA_RA, self->old_ra);
	if (swapoff(self->dev))
		TH_LOG("swapoff %s: %s", self->dev, strerror(errno));
	zram_remove(self->zram);
}

/* What page @i holds: words that differ in every page and place. */
static uint64_t word(long i, long j)
{
	return (i << 32 | j) * 0x9e3779b97f4a7c15ULL;
}

static void fill(struct _test_data_swap *self)
{
	long i, j, words = self->ps / sizeof(uint64_t);

	for (i = 0; i < NR_PAGES; i++)
		for (j = 0; j < words; j++)
			((uint64_t *)(self->buf + i * self->ps))[j] = word(i, j);
}

/* Whether page @i holds what fill() wrote; reading it swaps it in. */
static int intact(struct _test_data_swap *self, long i)
{
	long j, words = self->ps / sizeof(uint64_t);

	for (j = 0; j < words; j++)
		if (((uint64_t *)(self->buf + i * self->ps))[j] != word(i, j))
			return 0;
	return 1;
}

/* How many pages of the range are swapped out, by /proc/self/pagemap. */
static int pages_swapped(struct _test_data_swap *self)
{
	uint64_t entry[NR_PAGES];
	off_t off = (uintptr_t)self->buf / self->ps * sizeof(uint64_t);
	int fd = open("/proc/self/pagemap", O_RDONLY), i, n = 0;

	if (fd < 0)
		return -1;
	if (pread(fd, entry, sizeof(entry), off) != sizeof(entry))
		n = -1;
	close(fd);
	for (i = 0; n >= 0 && i < NR_PAGES; i++)
		n += (entry[i] & (PM_SWAP | PM_PRESENT)) == PM_SWAP;
	return n;
}

/* The kB of swap that smaps shows for the VMA at @addr, or -1. */
static long smaps_swap_kb(unsigned long addr)
{
	unsigned long start, end;
	char line[512];
	int in = 0;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A VMA's first line, "start-end perms ...", or one of its fields. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == addr;
		else if (in && sscanf(line, "Swap: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * How many pages of the range are swapped out: by pagemap for anonymous
 * memory, by the swap that smaps counts for tmpfs, whose page table has
 * no entries for pages that are out.
 */
static int swapped(struct _test_data_swap *self, int shmem)
{
	long kb;

	if (!shmem)
		return pages_swapped(self);
	kb = smaps_swap_kb((unsigned long)self->buf);
	return kb < 0 ? -1 : kb * 1024 / self->ps;
}

/* How many pages of the range mincore() finds in memory (the swap cache). */
static int pages_resident(struct _test_data_swap *self)
{
	unsigned char vec[NR_PAGES];
	int i, n = 0;

	if (mincore(self->buf, self->len, vec))
		return -1;
	for (i = 0; i < NR_PAGES; i++)
		n += vec[i] & 1;
	return n;
}

/* The node of the page at @p, asked both ways, which must agree; or -1. */
static int page_node(char *p)
{
	void *page = p;
	int status = -1, node = -1;

	if (sys_move_pages(0, 1, &page, NULL, &status, 0) || status < 0)
		return -1;
	if (sys_get_mempolicy(&node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node == status ? node : -1;
}

/* Private anonymous memory, or a memfd (tmpfs) mapped shared; small pages. */
static void map_range(struct __test_metadata *_metadata,
		      struct _test_data_swap *self, int shmem)
{
	int fd = -1;

	if (shmem) {
		fd = memfd_create("swap", 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, self->len));
	}
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 shmem ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
	if (fd >= 0)
		close(fd);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_NOHUGEPAGE));
}

/* The inode number of the memfd mapped at @p. */
static unsigned long mapped_ino(struct __test_metadata *_metadata, char *p)
{
	char line[512], want[32];
	unsigned long ino = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line, "%*s %*s %*s %*s %lu", &ino) == 1)
			break;
	fclose(f);
	ASSERT_NE(0, ino);
	return ino;
}

/*
 * Fill the range under bind to @first, push it out to swap and check that
 * it is all out; with @share, a forked child then holds the swap entries
 * too.  The policy is then changed to @mode over @nodes without moving
 * anything, and the pages are still out.
 */
static void swap_out_and_rebind(struct __test_metadata *_metadata,
				struct _test_data_swap *self, int shmem, int first,
				int share, int mode, const struct nodemask *nodes)
{
	struct nodemask one = mask_of(first);
	int tries, fds[2], got_mode;
	struct nodemask got;

	ASSERT_EQ(0, sys_mbind(self->buf, self->len, MPOL_BIND, &one, SET_MAXNODE, 0));
	fill(self);
	ASSERT_EQ(first, page_node(self->buf));
	ASSERT_EQ(first, page_node(self->buf + self->len - self->ps));

	/* Reclaim can miss a page now and then: try a few times. */
	for (tries = 0; tries < 10; tries++) {
		ASSERT_EQ(0, madvise(self->buf, self->len, MADV_PAGEOUT));
		if (swapped(self, shmem) == NR_PAGES)
			break;
		usleep(100000);
	}
	ASSERT_EQ(NR_PAGES, swapped(self, shmem));
	/* Out of memory altogether, not left in the swap cache. */
	ASSERT_EQ(0, pages_resident(self));

	if (share) {
		ASSERT_EQ(0, pipe(fds));
		self->holder = fork();
		ASSERT_LE(0, self->holder);
		if (self->holder == 0) {
			char c;

			/* Hold the entries until the parent closes the pipe. */
			close(fds[1]);
			_exit(read(fds[0], &c, 1) < 0);
		}
		close(fds[0]);
		self->holder_fd = fds[1];
	}

	ASSERT_EQ(0, sys_mbind(self->buf, self->len, mode, nodes, SET_MAXNODE, 0))
		TH_LOG("mbind: %s", strerror(errno));
	ASSERT_EQ(0, sys_get_mempolicy(&got_mode, &got, MASK_BITS, self->buf, MPOL_F_ADDR));
	ASSERT_EQ(mode, got_mode);
	ASSERT_TRUE(mask_equal(nodes, &got));
	ASSERT_EQ(NR_PAGES, swapped(self, shmem));
	ASSERT_EQ(0, pages_resident(self));
}

/* Touch the pages in order, checking contents, and record their nodes. */
static void swap_in(struct __test_metadata *_metadata,
		    struct _test_data_swap *self, int *where)
{
	long i;

	for (i = 0; i < NR_PAGES; i++)
		ASSERT_TRUE(intact(self, i)) TH_LOG("page %ld", i);
	for (i = 0; i < NR_PAGES; i++)
		where[i] = page_node(self->buf + i * self->ps);
	if (!self->holder)
		return;
	close(self->holder_fd);
	waitpid(self->holder, NULL, 0);
	self->holder = 0;
}

/* A node with memory other than @node, if there is one. */
static int other_node(struct _test_data_swap *self, int node)
{
	int other = mask_next(&self->memory, node);

	if (other >= MASK_BITS)
		other = mask_nth(&self->memory, 0);
	return other;
}

/*
 * Bound to each node with memory in turn, pages that went out from
 * another node come back on it.
 */
static void bind_each_node(struct __test_metadata *_metadata,
			   struct _test_data_swap *self, int shmem, int share)
{
	int where[NR_PAGES], node = -1, i;
	long ra;

	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		struct nodemask one = mask_of(node);

		map_range(_metadata, self, shmem);
		swap_out_and_rebind(_metadata, self, shmem, other_node(self, node),
				    share, MPOL_BIND, &one);
		ra = vmstat_read("swap_ra");
		swap_in(_metadata, self, where);
		for (i = 0; i < NR_PAGES; i++)
			ASSERT_EQ(node, where[i]) TH_LOG("page %d", i);
		/* Readahead took part where it can. */
		if (share || shmem)
			ASSERT_LT(ra, vmstat_read("swap_ra"));
		munmap(self->buf, self->len);
	}
}

/*
 * Interleaved over the nodes with memory, page i comes back on the node
 * of its interleave index: its anonymous VMA's offset in pages (the start
 * address) plus i, or for tmpfs the inode number plus i.
 */
static void interleave(struct __test_metadata *_metadata,
		       struct _test_data_swap *self, int shmem, int share)
{
	int where[NR_PAGES], i;
	unsigned long base;
	long ra;

	map_range(_metadata, self, shmem);
	base = shmem ? mapped_ino(_metadata, self->buf) : (uintptr_t)self->buf / self->ps;
	swap_out_and_rebind(_metadata, self, shmem, mask_nth(&self->memory, 0),
			    share, MPOL_INTERLEAVE, &self->memory);
	ra = vmstat_read("swap_ra");
	swap_in(_metadata, self, where);
	for (i = 0; i < NR_PAGES; i++)
		EXPECT_EQ(mask_nth(&self->memory, (base + i) % self->nr), where[i])
			TH_LOG("page %d", i);
	if (share)
		ASSERT_LT(ra, vmstat_read("swap_ra"));
	munmap(self->buf, self->len);
}

/* Private anonymous memory, read back without the swap cache. */
TEST_F(swap, anon_bind_each_node)
{
	bind_each_node(_metadata, self, 0, 0);
}

TEST_F(swap, anon_interleave)
{
	interleave(_metadata, self, 0, 0);
}

/* Entries that a child holds too: the swap cache and VMA readahead. */
TEST_F(swap, readahead_bind_each_node)
{
	ASSERT_EQ(0, write_str(VMA_RA, "true"));
	bind_each_node(_metadata, self, 0, 1);
}

TEST_F(swap, readahead_interleave)
{
	ASSERT_EQ(0, write_str(VMA_RA, "true"));
	interleave(_metadata, self, 0, 1);
}

/* Cluster readahead: the pages of the cluster all take the faulting page's policy. */
TEST_F(swap, cluster_readahead_bind_each_node)
{
	ASSERT_EQ(0, write_str(VMA_RA, "false"));
	bind_each_node(_metadata, self, 0, 1);
}

/*
 * Cluster readahead under interleave puts the pages that it reads ahead
 * on the faulting page's node, so which node each page gets depends on
 * where it lies in swap; every page is on one of the policy's nodes.
 */
TEST_F(swap, cluster_readahead_interleave)
{
	int where[NR_PAGES], i;
	long ra;

	ASSERT_EQ(0, write_str(VMA_RA, "false"));
	map_range(_metadata, self, 0);
	swap_out_and_rebind(_metadata, self, 0, mask_nth(&self->memory, 0), 1,
			    MPOL_INTERLEAVE, &self->memory);
	ra = vmstat_read("swap_ra");
	swap_in(_metadata, self, where);
	for (i = 0; i < NR_PAGES; i++) {
		int node = where[i];

		ASSERT_TRUE(node >= 0 && mask_test(&self->memory, node))
			TH_LOG("page %d on node %d", i, node);
	}
	ASSERT_LT(ra, vmstat_read("swap_ra"));
	munmap(self->buf, self->len);
}

/* tmpfs (a memfd mapped shared): the shared policy, with cluster readahead. */
TEST_F(swap, shmem_bind_each_node)
{
	bind_each_node(_metadata, self, 1, 0);
}

/*
 * Without readahead (page-cluster 0), each tmpfs page comes back by its
 * own interleave index.
 */
TEST_F(swap, shmem_interleave)
{
	ASSERT_EQ(0, write_str(PAGE_CLUSTER, "0"));
	interleave(_metadata, self, 1, 0);
}

TEST_HARNESS_MAIN
