// SPDX-License-Identifier: GPL-2.0
/*
 * page_migrate(2): moving a range of a process's pages along a map of old
 * to new nodes, as man/page_migrate.2 specifies it and as a batch
 * scheduler relies on it:
 *
 *  - every errno of the man page, in its order, and after each bad call
 *    nothing has changed: the pages' nodes and the policies are the same;
 *  - the pairs of the map apply at once (a swap of two nodes, several
 *    nodes into one, pairs onto themselves), over partial ranges that cut
 *    VMAs, ranges across VMAs and holes, and the whole address space;
 *  - the policies move first: VMA policies of every mode with their home
 *    node, the task policy of every thread for the whole address space
 *    only, the user's nodes of MPOL_F_STATIC_NODES but not those of
 *    MPOL_F_RELATIVE_NODES; a target that keeps faulting pages in during
 *    the call gets them on the new nodes;
 *  - a new node that is full sends pages to the other new nodes nearest
 *    first by the distance table, and -ENOMEM comes only when no new node
 *    takes any page (full nodes are made by the mempolicy_probe module);
 *  - files with user.migrate "none" or "lib", on tmpfs and on ext4, and
 *    file mappings of both, private and shared;
 *  - the permission rules, as the unprivileged user 'tester';
 *  - transparent huge pages and hugetlb pages;
 *  - the target's mmap() and munmap() never wait for a whole large move.
 *
 * Each moved page is filled with a pattern derived from its address (or
 * file offset) and checked byte for byte afterwards.  Nodes are read with
 * move_pages(2) without target nodes, policies with get_mempolicy(2) from
 * within the target and with the probe module's policy file from outside.
 *
 * On a kernel without the call (ENOSYS), or built from headers without
 * __NR_page_migrate, every test skips.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <asm/unistd.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	32
#define PROBE_DIR	"/sys/kernel/debug/mempolicy_probe"
#define FAIL_FILE	PROBE_DIR "/migrate_fail"
#define POLICY_FILE	PROBE_DIR "/policy"
#define CGROOT		"/sys/fs/cgroup"
#define CG_PM		CGROOT "/page-migrate"
#define EXT4_DIR	"/mnt/ext4"
#define HPAGE		(2UL << 20)
#define NODE_DIR	"/sys/devices/system/node/node%d"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif

/*
 * Headers without the call (a kernel built without the staged series):
 * a number that no kernel has, so that every test skips.
 */
#ifndef __NR_page_migrate
#define __NR_page_migrate	-1
#endif

static long sys_page_migrate(pid_t pid, unsigned long start, unsigned long end,
			     unsigned long count, const int *old_nodes, const int *new_nodes)
{
	return syscall(__NR_page_migrate, pid, start, end, count, old_nodes, new_nodes);
}

/* The errno of a call that failed, or 0. */
static int err_of(long ret)
{
	return ret == -1 ? errno : 0;
}

/*
 * Whether the kernel has the call (ENOSYS where it is missing): moving
 * the first page of the address space, where nothing is mapped, from a
 * node to itself moves nothing and returns 0.  An empty range alone
 * would not tell, as another call with the same number may reject it too.
 */
static int have_page_migrate(void)
{
	struct nodemask memory;
	int node;

	if (read_node_state("has_memory", &memory))
		return 0;
	node = mask_nth(&memory, 0);
	return sys_page_migrate(0, 0, sysconf(_SC_PAGESIZE), 1, &node, &node) == 0;
}

/* Move [@p, @p + @len) of @pid with one pair. */
static long pm_one(pid_t pid, const void *p, size_t len, int from, int to)
{
	return sys_page_migrate(pid, (uintptr_t)p, (uintptr_t)p + len, 1, &from, &to);
}

/* --- contents --------------------------------------------------------- */

/* What the word at @where holds: its address (or offset) and a seed. */
static unsigned long long word_at(uintptr_t where, int seed)
{
	return (where * 0x9e3779b97f4a7c15ULL) ^ ((unsigned long long)seed << 56) ^ 0x5aa5;
}

/* Fill @len bytes at @p, whose words are named from @base on. */
static void fill_as(char *p, size_t len, uintptr_t base, int seed)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		*(unsigned long long *)(p + i) = word_at(base + i, seed);
}

/* The offset of the first word at @p that fill_as() did not write, or -1. */
static long bad_as(const char *p, size_t len, uintptr_t base, int seed)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		if (*(const unsigned long long *)(p + i) != word_at(base + i, seed))
			return i;
	return -1;
}

static void fill(char *p, size_t len, int seed)
{
	fill_as(p, len, (uintptr_t)p, seed);
}

static long bad(const char *p, size_t len, int seed)
{
	return bad_as(p, len, (uintptr_t)p, seed);
}

/* The same check of another process's memory, read through /proc/PID/mem. */
static long bad_in(pid_t pid, uintptr_t addr, size_t len, int seed)
{
	char path[64], *buf = malloc(len);
	long ret = -2;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (buf && fd >= 0 && pread(fd, buf, len, addr) == (ssize_t)len)
		ret = bad_as(buf, len, addr, seed);
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* --- where pages are -------------------------------------------------- */

/* How many of the @n pages at @p of @pid are not on @node; -1 on error. */
static long off_node(pid_t pid, const void *p, long n, long ps, int node)
{
	int *nodes = calloc(n, sizeof(*nodes));
	long i, off = 0;

	if (!nodes || page_nodes(pid, p, n, ps, nodes)) {
		free(nodes);
		return -1;
	}
	for (i = 0; i < n; i++)
		off += nodes[i] != node;
	free(nodes);
	return off;
}

/* The distance between two nodes, from sysfs, or -1. */
static int node_dist(int from, int to)
{
	char path[96];
	FILE *f;
	int i, d = -1, val;

	snprintf(path, sizeof(path), NODE_DIR "/distance", from);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* One number per online node, in node order. */
	for (i = 0; fscanf(f, "%d", &val) == 1; i++) {
		struct nodemask online;
		int node;

		if (read_node_state("online", &online))
			break;
		node = mask_nth(&online, i);
		if (node == to) {
			d = val;
			break;
		}
	}
	fclose(f);
	return d;
}

/* A node's free memory in kB, from its meminfo, or -1. */
static long node_free_kb(int node)
{
	char path[96], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), NODE_DIR "/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "MemFree:");

		if (p)
			kb = atol(p + 8);
	}
	fclose(f);
	return kb;
}

/* --- policies ---------------------------------------------------------- */

struct pol {
	int mode;
	struct nodemask nodes;
};

static int vma_pol(const void *p, struct pol *pol)
{
	return sys_get_mempolicy(&pol->mode, &pol->nodes, MASK_BITS, (void *)p, MPOL_F_ADDR);
}

static int task_pol(struct pol *pol)
{
	return sys_get_mempolicy(&pol->mode, &pol->nodes, MASK_BITS, NULL, 0);
}

/*
 * The line of the probe module's policy file for thread @tid, or for its
 * VMA at @addr when @addr is not 0; 0 on success.
 */
static int probe_policy(pid_t tid, uintptr_t addr, char *buf, size_t len)
{
	char req[64];
	ssize_t n;
	int fd = open(POLICY_FILE, O_RDWR);

	if (fd < 0)
		return errno;
	if (addr)
		snprintf(req, sizeof(req), "%d %lx", tid, (unsigned long)addr);
	else
		snprintf(req, sizeof(req), "%d", tid);
	n = -1;
	if (write(fd, req, strlen(req)) == (ssize_t)strlen(req) && !lseek(fd, 0, SEEK_SET))
		n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return errno ? errno : EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The value of "@key=" in a probe line, into @val. */
static const char *probe_field(const char *line, const char *key, char *val, size_t len)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof(want), "%s=", key);
	p = strstr(line, want);
	if (!p || (p != line && p[-1] != ' '))
		return "(missing)";
	p += strlen(want);
	snprintf(val, len, "%.*s", (int)strcspn(p, " "), p);
	return val;
}

/* --- fault injection ---------------------------------------------------- */

static int fail_on(const char *list)
{
	/* An empty write may never reach the module: a newline clears too. */
	return write_str(FAIL_FILE, *list ? list : "\n");
}

/* The attempts that the module failed since the list was written, or -1. */
static long fail_count(void)
{
	char buf[512], *p;
	int fd = open(FAIL_FILE, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "failed ");
	return p ? atol(p + 7) : -1;
}

/* Load the module; 1 when it injects failures here, 0 if it cannot. */
static int have_fail_injection(void)
{
	char buf[64];
	int fd;
	ssize_t n;

	if (load_probe(FAIL_FILE))
		return 0;
	fd = open(FAIL_FILE, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && strncmp(buf, "unsupported", 11);
}

/* --- the fixture ------------------------------------------------------- */

FIXTURE(pm) {
	struct nodemask memory;
	int nmem;
	int a, b, c;		/* the first three nodes with memory, -1 if fewer */
	long ps;
	char *map;		/* what the test mapped, unmapped at the end */
	size_t map_len;
	int injecting;
};

FIXTURE_SETUP(pm)
{
	if (!have_page_migrate())
		SKIP(return, "no page_migrate(2) in this kernel");
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nmem = mask_weight(&self->memory);
	self->a = mask_nth(&self->memory, 0);
	self->b = mask_nth(&self->memory, 1);
	self->c = mask_nth(&self->memory, 2);
	self->ps = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(pm)
{
	if (self->injecting)
		fail_on("");
	if (self->map)
		munmap(self->map, self->map_len);
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

/*
 * @n pages of anonymous memory without huge pages, bound to @node (no
 * policy if @node is -1) and filled from @seed.
 */
static char *map_on(struct _test_data_pm *self, long n, int node, int seed)
{
	size_t len = n * self->ps;
	struct nodemask m;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	madvise(p, len, MADV_NOHUGEPAGE);
	if (node >= 0) {
		m = mask_of(node);
		if (sys_mbind(p, len, MPOL_BIND, &m, SET_MAXNODE, 0)) {
			munmap(p, len);
			return MAP_FAILED;
		}
	}
	fill(p, len, seed);
	return p;
}

/* The test's own region, unmapped by the teardown. */
static char *map_own(struct _test_data_pm *self, long n, int node, int seed)
{
	self->map = map_on(self, n, node, seed);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return MAP_FAILED;
	}
	self->map_len = n * self->ps;
	return self->map;
}

/* --- errors: each errno, and nothing changed ---------------------------- */

/* Where the pages of a region are and which policies govern them. */
struct state {
	int nodes[NR_PAGES];
	struct pol vma, task;
};

static void take_state(struct __test_metadata *_metadata, struct _test_data_pm *self,
		       struct state *s)
{
	/* Compared with memcmp(), padding included. */
	memset(s, 0, sizeof(*s));
	ASSERT_EQ(0, page_nodes(0, self->map, NR_PAGES, self->ps, s->nodes));
	ASSERT_EQ(0, vma_pol(self->map, &s->vma));
	ASSERT_EQ(0, task_pol(&s->task));
}

/* After a call that failed with @err, nothing has changed. */
#define EXPECT_FAILS_UNCHANGED(err, call) do {				\
	long __ret = (call);						\
	int __err = errno;						\
	EXPECT_EQ(-1, __ret) TH_LOG("%s", #call);			\
	EXPECT_EQ(err, __err) TH_LOG("%s: %s", #call, strerror(__err));	\
	expect_unchanged(_metadata, self, &before, #call);		\
} while (0)

static void expect_unchanged(struct __test_metadata *_metadata, struct _test_data_pm *self,
			     const struct state *before, const char *what)
{
	struct state after;

	take_state(_metadata, self, &after);
	EXPECT_EQ(0, memcmp(&after, before, sizeof(after)))
		TH_LOG("%s changed pages or policies", what);
	EXPECT_EQ(-1, bad(self->map, NR_PAGES * self->ps, 1));
}

/*
 * A region on the first node with a VMA policy, and a task policy, that a
 * successful call from that node to the second would all change.
 */
static void setup_errors(struct __test_metadata *_metadata, struct _test_data_pm *self,
			 struct state *before)
{
	struct nodemask m = mask_of(self->a);

	ASSERT_NE(MAP_FAILED, map_own(self, NR_PAGES, self->a, 1));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_PREFERRED, &m, SET_MAXNODE));
	take_state(_metadata, self, before);
	ASSERT_EQ(0, off_node(0, self->map, NR_PAGES, self->ps, self->a));
}

TEST_F(pm, einval_arguments)
{
	unsigned long s, e, ps = self->ps;
	int old[2], new[2];
	struct state before;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	s = (uintptr_t)self->map;
	e = s + NR_PAGES * ps;
	old[0] = self->a;
	new[0] = self->b;
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s + 1, e, 1, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e - 1, 1, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, ULONG_MAX - 1, 1, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, e, s, 1, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, s, 1, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, 0, old, new));
	/* More pairs than there can be nodes (CONFIG_NODES_SHIFT=6: 64). */
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, 65, old, new));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, ULONG_MAX, old, new));
	/* Range and count come first: bad arrays are not even looked at. */
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, 0, NULL, NULL));
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s + 1, e, 1, NULL, NULL));
	/* ...and before the target: a missing process is not ESRCH yet. */
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(INT_MAX, s + 1, e, 1, old, new));
}

TEST_F(pm, efault_arrays)
{
	unsigned long s, e;
	struct state before;
	int *edge, good[1];
	char *pages;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	s = (uintptr_t)self->map;
	e = s + NR_PAGES * self->ps;
	good[0] = self->a;
	/* An array whose second entry lies in an inaccessible page. */
	pages = mmap(NULL, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(pages + self->ps, self->ps, PROT_NONE));
	edge = (int *)(pages + self->ps) - 1;
	*edge = self->b;

	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(0, s, e, 1, NULL, good));
	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(0, s, e, 1, good, NULL));
	edge = (int *)(pages + self->ps);
	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(0, s, e, 1, good, edge));
	edge = (int *)(pages + self->ps) - 1;
	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(0, s, e, 2, good, edge));
	/* Readable arrays come before the nodes in them and the target. */
	good[0] = -1;
	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(0, s, e, 1, good, NULL));
	EXPECT_FAILS_UNCHANGED(EFAULT, sys_page_migrate(INT_MAX, s, e, 1, NULL, good));
	munmap(pages, 2 * self->ps);
}

TEST_F(pm, einval_nodes)
{
	struct nodemask possible, online;
	unsigned long s, e;
	struct state before;
	int old[3], new[3], node;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	ASSERT_EQ(0, read_node_state("possible", &possible));
	ASSERT_EQ(0, read_node_state("online", &online));
	s = (uintptr_t)self->map;
	e = s + NR_PAGES * self->ps;

#define ONE(o, n) (old[0] = (o), new[0] = (n), sys_page_migrate(0, s, e, 1, old, new))
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(-1, self->b));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(INT_MIN, self->b));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(64, self->b));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(MASK_BITS, self->b));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(self->a, -1));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(self->a, 64));
	EXPECT_FAILS_UNCHANGED(EINVAL, ONE(self->a, INT_MAX));
	/* A node id that the machine cannot have. */
	node = mask_last(&possible) + 1;
	if (node < 64)
		EXPECT_FAILS_UNCHANGED(EINVAL, ONE(node, self->b));
	/* A new node without memory: offline (sparse) or memoryless. */
	for (node = 0; node <= mask_last(&possible); node++) {
		if (!mask_test(&possible, node) || mask_test(&self->memory, node))
			continue;
		EXPECT_FAILS_UNCHANGED(EINVAL, ONE(self->a, node));
		/* As an old node it is fine: it has nothing to move. */
		EXPECT_EQ(0, ONE(node, self->b)) TH_LOG("node %d", node);
	}
#undef ONE
	/* An old node twice, even with the same new node. */
	old[0] = self->a;
	old[1] = self->a;
	new[0] = self->b;
	new[1] = self->b;
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, 2, old, new));
	old[1] = self->b;
	old[2] = self->a;
	new[2] = self->a;
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(0, s, e, 3, old, new));
	/* A bad node comes before the target. */
	old[0] = -1;
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(INT_MAX, s, e, 1, old, new));
}

TEST_F(pm, esrch)
{
	struct state before;
	int old, new, status;
	pid_t gone;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	old = self->a;
	new = self->b;
	EXPECT_FAILS_UNCHANGED(ESRCH, sys_page_migrate(INT_MAX, 0, ULONG_MAX, 1, &old, &new));
	/* A process that has been reaped. */
	gone = fork();
	ASSERT_LE(0, gone);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, &status, 0));
	EXPECT_FAILS_UNCHANGED(ESRCH, sys_page_migrate(gone, 0, ULONG_MAX, 1, &old, &new));
}

struct other_user {
	pid_t victim;
	int from, to;
};

static int move_other_user(void *arg)
{
	struct other_user *o = arg;

	return err_of(sys_page_migrate(o->victim, 0, ULONG_MAX, 1, &o->from, &o->to));
}

TEST_F(pm, eperm_other_user)
{
	struct other_user o;
	struct state before;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	o.from = self->a;
	o.to = self->b;
	/* This test, run by root, and init. */
	o.victim = getpid();
	EXPECT_EQ(EPERM, as_tester(move_other_user, &o));
	o.victim = 1;
	EXPECT_EQ(EPERM, as_tester(move_other_user, &o));
	/* ESRCH comes before EPERM. */
	o.victim = INT_MAX;
	EXPECT_EQ(ESRCH, as_tester(move_other_user, &o));
	expect_unchanged(_metadata, self, &before, "another user");
}

/* A child that waits until its pipe closes, after joining @cg if given. */
static pid_t start_sleeper(const char *cg, int *fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*fd = p[1];
	if (pid > 0 && cg) {
		char path[128], val[16];

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(val, sizeof(val), "%d", pid);
		if (write_str(path, val)) {
			close(p[1]);
			waitpid(pid, NULL, 0);
			return -1;
		}
	}
	return pid;
}

static void stop_sleeper(pid_t pid, int fd)
{
	close(fd);
	waitpid(pid, NULL, 0);
}

/*
 * A target whose cpuset allows only the first node: moving its pages to
 * the second is EINVAL, and changes neither its pages nor its policies;
 * once the cpuset allows both, the same call works.
 */
TEST_F(pm, einval_outside_cpuset)
{
	char line[512], val[256], list[64];
	struct nodemask both;
	int old, new, fd, i;
	pid_t pid;
	long off;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, cpuset_v2_enable()) TH_LOG("no cgroup v2 cpuset controller");
	rmdir(CG_PM);
	ASSERT_EQ(0, mkdir(CG_PM, 0755));
	snprintf(list, sizeof(list), "%d", self->a);
	ASSERT_EQ(0, write_str(CG_PM "/cpuset.mems", list));
	/* The child's pages: its stack and what it inherited, on the first node. */
	ASSERT_NE(MAP_FAILED, map_own(self, NR_PAGES, self->a, 2));
	pid = start_sleeper(CG_PM, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, load_probe(POLICY_FILE));
	ASSERT_EQ(0, probe_policy(pid, (uintptr_t)self->map, line, sizeof(line)));
	old = self->a;
	new = self->b;
	for (i = 0; i < 2; i++) {
		long ret = i ? pm_one(pid, self->map, NR_PAGES * self->ps, old, new) :
			       sys_page_migrate(pid, 0, ULONG_MAX, 1, &old, &new);
		char after[512];

		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, off_node(pid, self->map, NR_PAGES, self->ps, self->a));
		ASSERT_EQ(0, probe_policy(pid, (uintptr_t)self->map, after, sizeof(after)));
		EXPECT_STREQ(line, after);
	}
	/* A pair onto itself counts as a new node too. */
	{
		int o[2] = { self->a, self->b }, n[2] = { self->a, self->b };

		EXPECT_EQ(EINVAL, err_of(sys_page_migrate(pid, 0, ULONG_MAX, 2, o, n)));
	}
	both = mask_of(self->a);
	mask_set(&both, self->b);
	ASSERT_EQ(0, write_str(CG_PM "/cpuset.mems", mask_str(&both, list, sizeof(list))));
	off = pm_one(pid, self->map, NR_PAGES * self->ps, old, new);
	EXPECT_EQ(0, off);
	EXPECT_EQ(0, off_node(pid, self->map, NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad_in(pid, (uintptr_t)self->map, NR_PAGES * self->ps, 2));
	ASSERT_EQ(0, probe_policy(pid, (uintptr_t)self->map, line, sizeof(line)));
	snprintf(list, sizeof(list), "%d", self->b);
	EXPECT_STREQ(list, probe_field(line, "nodes", val, sizeof(val)));
	stop_sleeper(pid, fd);
	rmdir(CG_PM);
}

/* A page_migrate() call from another thread, for the test below. */
struct held_call {
	pid_t pid;
	int old, new;
	long ret;
	int err;
};

static void *held_call(void *arg)
{
	struct held_call *c = arg;

	c->ret = sys_page_migrate(c->pid, 0, ULONG_MAX, 1, &c->old, &c->new);
	c->err = errno;
	return NULL;
}

/*
 * The target of the held-call tests: a sleeper in the cpuset CG_PM of a
 * and b, which inherits a VMA policy and a task policy, both bound to a,
 * over NR_PAGES pages filled with @fill at self->map.  Returns its pid,
 * or 0 on a kernel without race points (the test skips).
 */
static pid_t held_target(struct __test_metadata *_metadata,
			 struct _test_data_pm *self, int fill, int *fd)
{
	struct nodemask both = mask_of(self->a), first = mask_of(self->a);
	char list[64];
	pid_t pid;

	ASSERT_EQ(0, load_probe(RACE_FILE));
	ASSERT_EQ(0, race_state(list, sizeof(list)));
	if (!strcmp(list, "unsupported"))
		return 0;
	ASSERT_EQ(0, cpuset_v2_enable()) TH_LOG("no cgroup v2 cpuset controller");
	rmdir(CG_PM);
	ASSERT_EQ(0, mkdir(CG_PM, 0755));
	mask_set(&both, self->b);
	ASSERT_EQ(0, write_str(CG_PM "/cpuset.mems", mask_str(&both, list, sizeof(list))));
	ASSERT_NE(MAP_FAILED, map_own(self, NR_PAGES, self->a, fill));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND, &first, SET_MAXNODE));
	pid = start_sleeper(CG_PM, fd);
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_DEFAULT, NULL, 0));
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, load_probe(POLICY_FILE));
	return pid;
}

/* The target's task policy and VMA policy are both bound to @nodes. */
static void held_target_on(struct __test_metadata *_metadata,
			   struct _test_data_pm *self, pid_t pid,
			   const char *nodes)
{
	char line[512], val[256];

	ASSERT_EQ(0, probe_policy(pid, 0, line, sizeof(line)));
	EXPECT_STREQ(nodes, probe_field(line, "nodes", val, sizeof(val)))
		TH_LOG("task policy: %s", line);
	ASSERT_EQ(0, probe_policy(pid, (uintptr_t)self->map, line, sizeof(line)));
	EXPECT_STREQ(nodes, probe_field(line, "nodes", val, sizeof(val)))
		TH_LOG("VMA policy: %s", line);
}

/*
 * The cpuset narrows while the call runs: the mempolicy_probe module
 * holds the call after its cpuset check, before it moves the policies,
 * and the test narrows the target's cpuset from both nodes to the old
 * one meanwhile.  The cpuset rebinds the target's policies, which stay
 * on the old node; the call must then fail with EINVAL and leave them
 * and the pages there (page_migrate.2, Cpusets).  Moved along its map
 * anyway, the call would bind the target to a node that its cpuset no
 * longer has.  Needs the race points of the patched kernel.
 */
TEST_F(pm, cpuset_narrowed_while_held)
{
	struct held_call c = { .old = self->a, .new = self->b };
	char state[32], list[64], want[16];
	pthread_t caller;
	int fd;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	c.pid = held_target(_metadata, self, 5, &fd);
	if (c.pid == 0)
		SKIP(return, "no race points in this kernel");

	snprintf(list, sizeof(list), "arm_migrate %d", getpid());
	ASSERT_EQ(0, write_str(RACE_FILE, list));
	ASSERT_EQ(0, pthread_create(&caller, NULL, held_call, &c));
	EXPECT_EQ(0, race_wait_for("migrate_held", state, sizeof(state)))
		TH_LOG("the race is %s, not migrate_held", state);
	snprintf(want, sizeof(want), "%d", self->a);
	EXPECT_EQ(0, write_str(CG_PM "/cpuset.mems", want));
	EXPECT_EQ(0, write_str(RACE_FILE, "release"));
	ASSERT_EQ(0, pthread_join(caller, NULL));
	ASSERT_EQ(0, race_state(state, sizeof(state)));
	EXPECT_STREQ("released", state) TH_LOG("the call was not held");
	write_str(RACE_FILE, "disarm");

	EXPECT_EQ(-1, c.ret) TH_LOG("the call moved %ld pages", c.ret);
	EXPECT_EQ(EINVAL, c.err);
	held_target_on(_metadata, self, c.pid, want);
	EXPECT_EQ(0, off_node(c.pid, self->map, NR_PAGES, self->ps, self->a));
	EXPECT_EQ(-1, bad_in(c.pid, (uintptr_t)self->map, NR_PAGES * self->ps, 5));
	stop_sleeper(c.pid, fd);
	rmdir(CG_PM);
}

/* A write of cpuset.mems from another thread, for the test below. */
struct mems_write {
	const char *mems;
	int ret;
};

static void *mems_write(void *arg)
{
	struct mems_write *w = arg;

	w->ret = write_str(CG_PM "/cpuset.mems", w->mems);
	return NULL;
}

/*
 * The cpuset narrows later in the call: past its second cpuset check,
 * under the target's mmap write lock, with the VMA policy moved from a to
 * b and the thread's own policy not yet.  A cpuset change takes no mmap
 * lock to rebind thread policies, so it rebinds the target's, bound to a,
 * within the new cpuset {a}, and then waits for the lock to rebind the
 * VMAs.  Moving the thread's policy along the map now would bind it to b,
 * which the cpuset no longer has; mpol_remap_task() must see the new
 * nodes under the task lock and leave it on a.  The VMA policy, moved to
 * b, goes back to a when the cpuset rebinds it after the call.  Needs the
 * race points of the patched kernel.
 */
TEST_F(pm, cpuset_narrowed_under_the_lock)
{
	struct held_call c = { .old = self->a, .new = self->b };
	char state[32], list[64], want[16];
	struct mems_write w = { .mems = want };
	pthread_t caller, writer;
	int fd;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	c.pid = held_target(_metadata, self, 6, &fd);
	if (c.pid == 0)
		SKIP(return, "no race points in this kernel");
	snprintf(want, sizeof(want), "%d", self->a);

	snprintf(list, sizeof(list), "arm_migrate_locked %d", getpid());
	ASSERT_EQ(0, write_str(RACE_FILE, list));
	ASSERT_EQ(0, pthread_create(&caller, NULL, held_call, &c));
	EXPECT_EQ(0, race_wait_for("locked_held", state, sizeof(state)))
		TH_LOG("the race is %s, not locked_held", state);
	ASSERT_EQ(0, pthread_create(&writer, NULL, mems_write, &w));
	EXPECT_EQ(0, race_wait_for("locked_rebinding", state, sizeof(state)))
		TH_LOG("the race is %s, not locked_rebinding", state);
	EXPECT_EQ(0, write_str(RACE_FILE, "release"));
	ASSERT_EQ(0, pthread_join(caller, NULL));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	ASSERT_EQ(0, race_state(state, sizeof(state)));
	EXPECT_STREQ("released", state) TH_LOG("the call was not held");
	write_str(RACE_FILE, "disarm");

	/* Both checks passed before the cpuset changed: the call stands. */
	EXPECT_LE(0, c.ret) TH_LOG("errno %d", c.err);
	EXPECT_EQ(0, w.ret);
	held_target_on(_metadata, self, c.pid, want);
	EXPECT_EQ(-1, bad_in(c.pid, (uintptr_t)self->map, NR_PAGES * self->ps, 6));
	stop_sleeper(c.pid, fd);
	rmdir(CG_PM);
}

TEST_F(pm, einval_kernel_thread)
{
	struct state before;
	int old, new;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	setup_errors(_metadata, self, &before);
	old = self->a;
	new = self->b;
	/* kthreadd has no address space. */
	EXPECT_FAILS_UNCHANGED(EINVAL, sys_page_migrate(2, 0, ULONG_MAX, 1, &old, &new));
}

/* --- moves ---------------------------------------------------------------- */

TEST_F(pm, move_own_pages)
{
	size_t len = NR_PAGES * self->ps;
	struct pol pol;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_own(self, NR_PAGES, self->a, 3);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a));
	EXPECT_EQ(0, pm_one(0, p, len, self->a, self->b));
	EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad(p, len, 3));
	/* The range's policy went along. */
	ASSERT_EQ(0, vma_pol(p, &pol));
	EXPECT_EQ(MPOL_BIND, pol.mode);
	EXPECT_TRUE(mask_test(&pol.nodes, self->b) && mask_weight(&pol.nodes) == 1);
	/* Nothing is left on the old node: a second call moves nothing. */
	EXPECT_EQ(0, pm_one(0, p, len, self->a, self->b));
	/* And back. */
	EXPECT_EQ(0, pm_one(0, p, len, self->b, self->a));
	EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a));
	EXPECT_EQ(-1, bad(p, len, 3));
}

/*
 * @n parts of NR_PAGES pages, part i bound to @nodes[i], filled from
 * @seed, each checked to be on its node; NULL on failure.
 */
static char *map_parts(struct __test_metadata *_metadata, struct _test_data_pm *self,
		       int n, const int *nodes, int seed)
{
	size_t len = NR_PAGES * self->ps;
	char *p = map_own(self, n * NR_PAGES, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < n; i++) {
		struct nodemask m = mask_of(nodes[i]);

		if (sys_mbind(p + i * len, len, MPOL_BIND, &m, SET_MAXNODE, MPOL_MF_MOVE))
			return NULL;
	}
	fill(p, n * len, seed);
	for (i = 0; i < n; i++)
		if (off_node(0, p + i * len, NR_PAGES, self->ps, nodes[i]))
			return NULL;
	return p;
}

/* Part @i of map_parts() is on @node, and its policy binds it there. */
static void expect_part(struct __test_metadata *_metadata, struct _test_data_pm *self,
			char *p, int i, int node)
{
	char *part = p + i * NR_PAGES * self->ps;
	struct pol pol;

	EXPECT_EQ(0, off_node(0, part, NR_PAGES, self->ps, node)) TH_LOG("part %d", i);
	ASSERT_EQ(0, vma_pol(part, &pol));
	EXPECT_TRUE(pol.mode == MPOL_BIND && mask_test(&pol.nodes, node) &&
		    mask_weight(&pol.nodes) == 1)
		TH_LOG("part %d: policy not bound to node %d", i, node);
}

/*
 * 0->1 and 1->0 at once: the pages change places, none moves twice, and
 * so do the policies, rather than both ending on one node.
 */
TEST_F(pm, swap_two_nodes)
{
	size_t len = NR_PAGES * self->ps;
	int old[2], new[2];
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	old[0] = self->a;
	old[1] = self->b;
	new[0] = self->b;
	new[1] = self->a;
	p = map_parts(_metadata, self, 2, old, 4);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + 2 * len, 2, old, new));
	expect_part(_metadata, self, p, 0, self->b);
	expect_part(_metadata, self, p, 1, self->a);
	EXPECT_EQ(-1, bad(p, 2 * len, 4));
}

/*
 * Every node with memory sends its pages to the next one, round the
 * ring: a cycle as long as the machine has nodes, applied as one map,
 * each part's policy moving one step whatever its neighbours did.  Then
 * all nodes are emptied into the first.
 */
TEST_F(pm, many_to_many)
{
	size_t len = NR_PAGES * self->ps;
	int old[TOPO_MAX_NODES], new[TOPO_MAX_NODES], i, n = self->nmem;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_GE(TOPO_MAX_NODES, n);
	for (i = 0; i < n; i++) {
		old[i] = mask_nth(&self->memory, i);
		new[i] = mask_nth(&self->memory, (i + 1) % n);
	}
	p = map_parts(_metadata, self, n, old, 5);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + n * len, n, old, new));
	for (i = 0; i < n; i++)
		expect_part(_metadata, self, p, i, new[i]);
	EXPECT_EQ(-1, bad(p, n * len, 5));

	for (i = 0; i < n; i++)
		new[i] = self->a;
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + n * len, n, old, new));
	EXPECT_EQ(0, off_node(0, p, n * NR_PAGES, self->ps, self->a));
	EXPECT_EQ(-1, bad(p, n * len, 5));
}

/*
 * A pair onto itself moves nothing, and pages on a node that the map does
 * not name stay where they are: the first node stays (a->a), the second
 * goes to the first, the third is not named.
 */
TEST_F(pm, unnamed_nodes_stay)
{
	size_t len = NR_PAGES * self->ps;
	int old[2], new[2], nodes[3];
	char *p;

	if (self->nmem < 3)
		SKIP(return, "needs three nodes with memory");
	nodes[0] = self->a;
	nodes[1] = self->b;
	nodes[2] = self->c;
	p = map_parts(_metadata, self, 3, nodes, 6);
	ASSERT_NE(NULL, p);
	old[0] = self->a;
	new[0] = self->a;
	old[1] = self->b;
	new[1] = self->a;
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + 3 * len, 2, old, new));
	expect_part(_metadata, self, p, 0, self->a);
	expect_part(_metadata, self, p, 1, self->a);
	expect_part(_metadata, self, p, 2, self->c);
	EXPECT_EQ(-1, bad(p, 3 * len, 6));
}

/*
 * A range that starts and ends inside a VMA moves only the pages inside
 * it, and splits the VMA so that only its part inside the range gets the
 * new policy.
 */
TEST_F(pm, partial_range)
{
	long ps = self->ps, i;
	struct pol pol;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	p = map_own(self, NR_PAGES, self->a, 7);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, pm_one(0, p + 8 * ps, 16 * ps, self->a, self->b));
	EXPECT_EQ(0, off_node(0, p, 8, ps, self->a));
	EXPECT_EQ(0, off_node(0, p + 8 * ps, 16, ps, self->b));
	EXPECT_EQ(0, off_node(0, p + 24 * ps, NR_PAGES - 24, ps, self->a));
	EXPECT_EQ(-1, bad(p, NR_PAGES * ps, 7));
	for (i = 0; i < NR_PAGES; i++) {
		int want = i >= 8 && i < 24 ? self->b : self->a;

		ASSERT_EQ(0, vma_pol(p + i * ps, &pol));
		EXPECT_EQ(MPOL_BIND, pol.mode);
		EXPECT_TRUE(mask_test(&pol.nodes, want) && mask_weight(&pol.nodes) == 1)
			TH_LOG("page %ld: policy not bound to node %d", i, want);
	}
	/* New pages of each part land where its policy now says. */
	ASSERT_EQ(0, madvise(p, NR_PAGES * ps, MADV_DONTNEED));
	fill(p, NR_PAGES * ps, 8);
	EXPECT_EQ(0, off_node(0, p, 8, ps, self->a));
	EXPECT_EQ(0, off_node(0, p + 8 * ps, 16, ps, self->b));
	EXPECT_EQ(0, off_node(0, p + 24 * ps, NR_PAGES - 24, ps, self->a));
}

/*
 * Three mappings with holes between them, and a range from inside the
 * first to inside the last: holes are no error, and exactly the pages of
 * the range move.
 */
TEST_F(pm, range_across_vmas_and_holes)
{
	long ps = self->ps, i, n = 5 * NR_PAGES;
	size_t len = NR_PAGES * ps;
	int *nodes = calloc(n, sizeof(int));
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_NE(NULL, nodes);
	p = map_own(self, n, self->a, 9);
	ASSERT_NE(MAP_FAILED, p);
	/* VMAs at [0, 1), [2, 3) and [4, 5) lengths; holes between. */
	ASSERT_EQ(0, munmap(p + len, len));
	ASSERT_EQ(0, munmap(p + 3 * len, len));
	EXPECT_EQ(0, pm_one(0, p + len / 2, 4 * len, self->a, self->b));
	for (i = 0; i < n; i += NR_PAGES) {
		long j;

		if (i / NR_PAGES % 2)
			continue;
		ASSERT_EQ(0, page_nodes(0, p + i * ps, NR_PAGES, ps, nodes + i));
		for (j = i; j < i + NR_PAGES; j++) {
			int in = j >= NR_PAGES / 2 && j < 4 * NR_PAGES + NR_PAGES / 2;

			EXPECT_EQ(in ? self->b : self->a, nodes[j]) TH_LOG("page %ld", j);
		}
		EXPECT_EQ(-1, bad(p + i * ps, len, 9));
	}
	/* A range that is all hole moves nothing and is no error. */
	EXPECT_EQ(0, pm_one(0, p + len, len, self->a, self->b));
	free(nodes);
	/* Unmapped at the end by the teardown, with its holes. */
}

/*
 * 0 to ULONG_MAX: all of it, the task policy included; and a range that
 * ends at ULONG_MAX but starts elsewhere, without the task policy.
 */
TEST_F(pm, whole_space)
{
	size_t len = NR_PAGES * self->ps;
	struct nodemask ma, mb;
	struct pol pol;
	char *p, *q, *t;
	long ret;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ma = mask_of(self->a);
	mb = mask_of(self->b);
	p = map_own(self, 3 * NR_PAGES, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = p + len;
	t = q + len;
	ASSERT_EQ(0, sys_mbind(p, 2 * len, MPOL_BIND, &ma, SET_MAXNODE, MPOL_MF_MOVE));
	/* The third part has no VMA policy: the task policy places it. */
	ASSERT_EQ(0, madvise(t, len, MADV_DONTNEED));
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_BIND, &ma, SET_MAXNODE));
	fill(p, 3 * len, 10);
	ASSERT_EQ(0, off_node(0, p, 3 * NR_PAGES, self->ps, self->a));

	ret = sys_page_migrate(0, (uintptr_t)q, ULONG_MAX, 1, &self->a, &self->b);
	EXPECT_LE(0, ret);
	EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a));
	EXPECT_EQ(0, off_node(0, q, 2 * NR_PAGES, self->ps, self->b));
	ASSERT_EQ(0, task_pol(&pol));
	EXPECT_TRUE(mask_equal(&pol.nodes, &ma)) TH_LOG("task policy moved");

	ret = sys_page_migrate(0, 0, ULONG_MAX, 1, &self->a, &self->b);
	EXPECT_LE(0, ret);
	EXPECT_EQ(0, off_node(0, p, 3 * NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad(p, 3 * len, 10));
	ASSERT_EQ(0, task_pol(&pol));
	EXPECT_EQ(MPOL_BIND, pol.mode);
	EXPECT_TRUE(mask_equal(&pol.nodes, &mb)) TH_LOG("task policy not moved");
	/* What the task policy places from now on lands on the new node. */
	ASSERT_EQ(0, madvise(t, len, MADV_DONTNEED));
	fill(t, len, 11);
	EXPECT_EQ(0, off_node(0, t, NR_PAGES, self->ps, self->b));
}

/* --- policies, seen from within the target and from the probe ----------- */

/*
 * A target process: it runs @setup, tells the parent, waits until the
 * parent has moved it, runs @check and exits with its result.  What the
 * two tell the parent goes through @rep, shared memory.
 */
#define MAX_THREADS	3

struct report {
	uintptr_t addr, addr2;		/* regions of the target */
	pid_t tids[MAX_THREADS];	/* its threads */
	struct pol task[MAX_THREADS];	/* their policies after the move */
	struct pol vma, vma2;
	long touched;			/* live_target: pages faulted in */
	int stop;			/* how far the target is */
	int a, b, c, mode, flags, home, nthreads;
	int err;
};

/* The target and the test read each other's progress from shared memory. */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

struct target {
	pid_t pid;
	int go, ready;
	struct report *rep;
};

static int target_start(struct target *t, int (*setup)(struct report *),
			int (*check)(struct report *))
{
	int go[2], ready[2];
	char c = 0;

	if (pipe(go) || pipe(ready))
		return -1;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		int ret;

		close(go[1]);
		close(ready[0]);
		ret = setup(t->rep);
		c = ret ? 'e' : 'r';
		if (write(ready[1], &c, 1) != 1 || ret)
			_exit(100 + ret);
		if (read(go[0], &c, 1) != 1)
			_exit(99);
		_exit(check(t->rep));
	}
	close(go[0]);
	close(ready[1]);
	t->go = go[1];
	t->ready = ready[0];
	if (read(t->ready, &c, 1) != 1 || c != 'r')
		return -1;
	return 0;
}

/* Let the target check itself; its exit status. */
static int target_finish(struct target *t)
{
	int status;
	char c = 'g';

	if (t->pid <= 0)
		return -1;
	if (write(t->go, &c, 1) != 1)
		return -1;
	close(t->go);
	close(t->ready);
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFEXITED(status))
		return -1;
	t->pid = 0;
	return WEXITSTATUS(status);
}

static struct report *report_new(struct _test_data_pm *self)
{
	struct report *rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (rep == MAP_FAILED)
		return NULL;
	memset(rep, 0, sizeof(*rep));
	rep->a = self->a;
	rep->b = self->b;
	rep->c = self->c;
	return rep;
}

/* The nodes that a policy over @a (and @c, when there is one) names. */
static struct nodemask nodes_ac(int a, int c, int one)
{
	struct nodemask m = mask_of(a);

	if (c >= 0 && !one)
		mask_set(&m, c);
	return m;
}

/*
 * What the fixtures of targets and files need: the call, two nodes with
 * memory (the first three into @a, @b and @c, -1 if fewer) and, with
 * @probe, the probe module's policy file, which must load.  0, or -1 when
 * the test skips.
 */
static int pm_nodes_init(struct __test_metadata *_metadata, int probe, struct nodemask *memory,
			 int *a, int *b, int *c, long *ps)
{
	if (!have_page_migrate())
		SKIP(return -1, "no page_migrate(2) in this kernel");
	if (read_node_state("has_memory", memory) || mask_weight(memory) < 2)
		SKIP(return -1, "needs two nodes with memory");
	if (probe)
		ASSERT_EQ(0, load_probe(POLICY_FILE)) TH_LOG("cannot load " PROBE_MODULE);
	*a = mask_nth(memory, 0);
	*b = mask_nth(memory, 1);
	*c = mask_nth(memory, 2);
	*ps = sysconf(_SC_PAGESIZE);
	return 0;
}

/* The VMA policy variants: each mode over the first (and third) node. */
FIXTURE(remap) {
	struct nodemask memory;
	int a, b, c;
	long ps;
};

FIXTURE_VARIANT(remap) {
	int mode;
	int one;	/* takes one node */
	int home;	/* with a home node on the first node */
	int flags;
};

FIXTURE_VARIANT_ADD(remap, bind) { .mode = MPOL_BIND };
FIXTURE_VARIANT_ADD(remap, bind_home) { .mode = MPOL_BIND, .home = 1 };
FIXTURE_VARIANT_ADD(remap, bind_static) { .mode = MPOL_BIND, .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(remap, interleave) { .mode = MPOL_INTERLEAVE };
FIXTURE_VARIANT_ADD(remap, interleave_static) {
	.mode = MPOL_INTERLEAVE, .flags = MPOL_F_STATIC_NODES };
FIXTURE_VARIANT_ADD(remap, weighted_interleave) { .mode = MPOL_WEIGHTED_INTERLEAVE };
FIXTURE_VARIANT_ADD(remap, preferred) { .mode = MPOL_PREFERRED, .one = 1 };
FIXTURE_VARIANT_ADD(remap, preferred_many) { .mode = MPOL_PREFERRED_MANY };
FIXTURE_VARIANT_ADD(remap, preferred_many_home) { .mode = MPOL_PREFERRED_MANY, .home = 1 };

FIXTURE_SETUP(remap)
{
	if (pm_nodes_init(_metadata, 1, &self->memory, &self->a, &self->b, &self->c,
			  &self->ps))
		return;
}

FIXTURE_TEARDOWN(remap)
{
}

#ifndef __NR_set_mempolicy_home_node
#define __NR_set_mempolicy_home_node 450
#endif

/* Two pages with the variant's policy, and one page bound to the second node. */
static int vma_target_setup(struct report *rep)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct nodemask m = nodes_ac(rep->a, rep->c, rep->mode == MPOL_PREFERRED);
	struct nodemask mb = mask_of(rep->b);
	char *p = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	if (sys_mbind(p, 2 * ps, rep->mode | rep->flags, &m, SET_MAXNODE, 0))
		return 2;
	if (rep->home && syscall(__NR_set_mempolicy_home_node, p, 2 * ps, rep->a, 0))
		return 3;
	if (sys_mbind(p + 2 * ps, ps, MPOL_BIND, &mb, SET_MAXNODE, 0))
		return 4;
	fill(p, 3 * ps, 11);
	rep->addr = (uintptr_t)p;
	rep->addr2 = (uintptr_t)p + 2 * ps;
	return 0;
}

static int vma_target_check(struct report *rep)
{
	if (vma_pol((void *)rep->addr, &rep->vma) || vma_pol((void *)rep->addr2, &rep->vma2))
		return 1;
	return bad((void *)rep->addr, 3 * sysconf(_SC_PAGESIZE), 11) == -1 ? 0 : 2;
}

/*
 * Each VMA policy mode over the first node (and the third): the first
 * node becomes the second wherever it appears, the home node too, and a
 * policy that does not name the first node stays as it was.
 */
TEST_F(remap, vma_policy)
{
	struct nodemask want = nodes_ac(self->b, self->c, variant->one);
	char line[512], val[256], list[256];
	struct target t = { 0 };
	struct report *rep;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	rep->a = self->a;
	rep->b = self->b;
	rep->c = self->c;
	rep->mode = variant->mode;
	rep->flags = variant->flags;
	rep->home = variant->home;
	t.rep = rep;
	ASSERT_EQ(0, target_start(&t, vma_target_setup, vma_target_check));

	/* Not the whole space, so the task policy is not looked at. */
	EXPECT_EQ(0, pm_one(t.pid, (void *)rep->addr, 3 * self->ps, self->a, self->b));
	ASSERT_EQ(0, probe_policy(t.pid, rep->addr, line, sizeof(line)));
	TH_LOG("after: %s", line);
	mask_str(&want, list, sizeof(list));
	EXPECT_STREQ(list, probe_field(line, "nodes", val, sizeof(val)));
	/* The user's nodes of a static policy are nodes, and move too. */
	if (variant->flags & MPOL_F_STATIC_NODES)
		EXPECT_STREQ(list, probe_field(line, "user", val, sizeof(val)));
	snprintf(list, sizeof(list), "%d", variant->home ? self->b : -1);
	EXPECT_STREQ(list, probe_field(line, "home", val, sizeof(val)));
	ASSERT_EQ(0, target_finish(&t));
	EXPECT_EQ(variant->mode | variant->flags, rep->vma.mode);
	EXPECT_TRUE(mask_equal(&want, &rep->vma.nodes))
		TH_LOG("get_mempolicy() in the target: %s",
		       mask_str(&rep->vma.nodes, list, sizeof(list)));
	EXPECT_EQ(MPOL_BIND, rep->vma2.mode);
	EXPECT_TRUE(mask_test(&rep->vma2.nodes, self->b) && mask_weight(&rep->vma2.nodes) == 1);
	munmap(rep, sizeof(*rep));
}

/* --- task policies of every thread ---------------------------------------- */

static int thread_go[2];

struct thread_arg {
	struct report *rep;
	int i;
	pthread_barrier_t *ready;
};

/* Thread @i binds itself to the first node (interleaves for i = 2), waits, reports. */
static void *policy_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct report *rep = ta->rep;
	struct nodemask m = nodes_ac(rep->a, rep->c, ta->i != 2);
	char c;

	rep->tids[ta->i] = gettid();
	if (sys_set_mempolicy((ta->i == 2 ? MPOL_INTERLEAVE : MPOL_BIND) | rep->flags, &m,
			      SET_MAXNODE))
		rep->err = 1;
	pthread_barrier_wait(ta->ready);
	if (read(thread_go[0], &c, 1) != 1)
		rep->err = 2;
	if (task_pol(&rep->task[ta->i]))
		rep->err = 3;
	return NULL;
}

static pthread_t threads[MAX_THREADS];
static struct thread_arg thread_args[MAX_THREADS];

static int threads_setup(struct report *rep)
{
	static pthread_barrier_t ready;
	int i;

	if (pipe(thread_go) || pthread_barrier_init(&ready, NULL, MAX_THREADS))
		return 1;
	/* Thread 0 is the main thread. */
	for (i = 1; i < MAX_THREADS; i++) {
		thread_args[i] = (struct thread_arg){ .rep = rep, .i = i, .ready = &ready };
		if (pthread_create(&threads[i], NULL, policy_thread, &thread_args[i]))
			return 2;
	}
	{
		struct nodemask m = mask_of(rep->a);

		rep->tids[0] = gettid();
		if (sys_set_mempolicy(MPOL_BIND | rep->flags, &m, SET_MAXNODE))
			return 3;
	}
	pthread_barrier_wait(&ready);
	rep->addr = (uintptr_t)mmap(NULL, NR_PAGES * sysconf(_SC_PAGESIZE),
				    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill((char *)rep->addr, NR_PAGES * sysconf(_SC_PAGESIZE), 12);
	return rep->err;
}

static int threads_check(struct report *rep)
{
	char c[MAX_THREADS] = { 0 };
	int i;

	if (write(thread_go[1], c, MAX_THREADS - 1) != MAX_THREADS - 1)
		return 1;
	for (i = 1; i < MAX_THREADS; i++)
		pthread_join(threads[i], NULL);
	if (task_pol(&rep->task[0]))
		return 2;
	/* Memory that the task policy places, faulted in after the move. */
	rep->addr2 = (uintptr_t)mmap(NULL, NR_PAGES * sysconf(_SC_PAGESIZE),
				     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill((char *)rep->addr2, NR_PAGES * sysconf(_SC_PAGESIZE), 13);
	return rep->err;
}

/* Keep the target around, stopped after its check, for the parent to look at. */
static int threads_check_and_stay(struct report *rep)
{
	int ret = threads_check(rep);

	STORE(rep->stop, 1);
	while (LOAD(rep->stop) == 1)
		usleep(1000);
	return ret;
}

FIXTURE(task_policy) {
	struct nodemask memory;
	int a, b, c;
	long ps;
	struct target t;
	struct report *rep;
};

FIXTURE_VARIANT(task_policy) {
	int flags;
};

FIXTURE_VARIANT_ADD(task_policy, plain) { .flags = 0 };
FIXTURE_VARIANT_ADD(task_policy, static_nodes) { .flags = MPOL_F_STATIC_NODES };

FIXTURE_SETUP(task_policy)
{
	if (pm_nodes_init(_metadata, 1, &self->memory, &self->a, &self->b, &self->c,
			  &self->ps))
		return;
	self->rep = mmap(NULL, sizeof(*self->rep), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rep);
	memset(self->rep, 0, sizeof(*self->rep));
	self->rep->a = self->a;
	self->rep->b = self->b;
	self->rep->c = self->c;
	self->rep->flags = variant->flags;
	self->t.rep = self->rep;
	ASSERT_EQ(0, target_start(&self->t, threads_setup, threads_check_and_stay));
}

FIXTURE_TEARDOWN(task_policy)
{
	if (self->t.pid > 0) {
		STORE(self->rep->stop, 2);
		kill(self->t.pid, SIGKILL);
		waitpid(self->t.pid, NULL, 0);
	}
}

/* What a thread's policy must be after the first node went to the second. */
static struct nodemask moved_thread_nodes(struct _test_data_task_policy *self, int i)
{
	return nodes_ac(self->b, self->c, i != 2);
}

/* Wait for the target to have checked itself; then it waits to be killed. */
static void wait_checked(struct _test_data_task_policy *self)
{
	char c = 'g';

	if (write(self->t.go, &c, 1) != 1)
		return;
	while (LOAD(self->rep->stop) != 1)
		usleep(1000);
}

/*
 * The whole address space: every thread's task policy goes from the first
 * node to the second, with the static flag the user's nodes too (which
 * get_mempolicy() reports); and what the target allocates afterwards
 * under its task policy lands on the second node.
 */
TEST_F(task_policy, whole_space_moves_every_thread)
{
	char line[512], val[256], want[256];
	long ps = self->ps;
	int i;

	EXPECT_LE(0, sys_page_migrate(self->t.pid, 0, ULONG_MAX, 1, &self->a, &self->b));
	EXPECT_EQ(0, off_node(self->t.pid, (void *)self->rep->addr, NR_PAGES, ps, self->b));
	EXPECT_EQ(-1, bad_in(self->t.pid, self->rep->addr, NR_PAGES * ps, 12));
	for (i = 0; i < MAX_THREADS; i++) {
		struct nodemask m = moved_thread_nodes(self, i);

		ASSERT_EQ(0, probe_policy(self->rep->tids[i], 0, line, sizeof(line)));
		TH_LOG("thread %d: %s", i, line);
		mask_str(&m, want, sizeof(want));
		EXPECT_STREQ(want, probe_field(line, "nodes", val, sizeof(val)));
		if (variant->flags & MPOL_F_STATIC_NODES)
			EXPECT_STREQ(want, probe_field(line, "user", val, sizeof(val)));
	}
	wait_checked(self);
	EXPECT_EQ(0, self->rep->err);
	for (i = 0; i < MAX_THREADS; i++) {
		struct nodemask m = moved_thread_nodes(self, i);

		EXPECT_EQ((i == 2 ? MPOL_INTERLEAVE : MPOL_BIND) | variant->flags,
			  self->rep->task[i].mode);
		EXPECT_TRUE(mask_equal(&m, &self->rep->task[i].nodes))
			TH_LOG("thread %d: get_mempolicy() %s", i,
			       mask_str(&self->rep->task[i].nodes, want, sizeof(want)));
	}
	EXPECT_EQ(0, off_node(self->t.pid, (void *)self->rep->addr2, NR_PAGES, ps, self->b));
}

/* A range that is not the whole address space leaves task policies alone. */
TEST_F(task_policy, partial_range_keeps_them)
{
	char line[512], val[256], want[256];
	long ps = self->ps;
	int i;

	EXPECT_EQ(0, pm_one(self->t.pid, (void *)self->rep->addr, NR_PAGES * ps, self->a,
			    self->b));
	EXPECT_EQ(0, off_node(self->t.pid, (void *)self->rep->addr, NR_PAGES, ps, self->b));
	/* Not even a range that ends at ULONG_MAX but starts above 0. */
	EXPECT_LE(0, sys_page_migrate(self->t.pid, ps, ULONG_MAX, 1, &self->a, &self->b));
	for (i = 0; i < MAX_THREADS; i++) {
		struct nodemask m = nodes_ac(self->a, self->c, i != 2);

		ASSERT_EQ(0, probe_policy(self->rep->tids[i], 0, line, sizeof(line)));
		mask_str(&m, want, sizeof(want));
		EXPECT_STREQ(want, probe_field(line, "nodes", val, sizeof(val)))
			TH_LOG("thread %d: %s", i, line);
	}
	wait_checked(self);
	EXPECT_EQ(0, self->rep->err);
	EXPECT_EQ(0, off_node(self->t.pid, (void *)self->rep->addr2, NR_PAGES, ps, self->a));
}

/*
 * MPOL_F_RELATIVE_NODES: the user's nodes name positions in the cpuset,
 * which a move does not change, so get_mempolicy() goes on reporting
 * them, while the nodes in force move.
 */
static int relative_setup(struct report *rep)
{
	struct nodemask pos0 = mask_of(0);
	long ps = sysconf(_SC_PAGESIZE);
	char *p;

	/* Position 0 of the allowed nodes: the first node with memory. */
	if (sys_set_mempolicy(MPOL_BIND | MPOL_F_RELATIVE_NODES, &pos0, SET_MAXNODE))
		return 1;
	p = mmap(NULL, NR_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED ||
	    sys_mbind(p, NR_PAGES * ps, MPOL_BIND | MPOL_F_RELATIVE_NODES, &pos0,
		      SET_MAXNODE, 0))
		return 2;
	fill(p, NR_PAGES * ps, 14);
	rep->addr = (uintptr_t)p;
	rep->tids[0] = gettid();
	return 0;
}

static int relative_check(struct report *rep)
{
	if (task_pol(&rep->task[0]) || vma_pol((void *)rep->addr, &rep->vma))
		return 1;
	return 0;
}

TEST_F(pm, relative_nodes_kept)
{
	char line[512], val[256], want[16];
	struct target t = { 0 };
	struct report *rep;
	int i;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	ASSERT_EQ(0, load_probe(POLICY_FILE));
	rep = report_new(self);
	ASSERT_NE(NULL, rep);
	t.rep = rep;
	ASSERT_EQ(0, target_start(&t, relative_setup, relative_check));
	EXPECT_LE(0, sys_page_migrate(t.pid, 0, ULONG_MAX, 1, &self->a, &self->b));
	EXPECT_EQ(0, off_node(t.pid, (void *)rep->addr, NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad_in(t.pid, rep->addr, NR_PAGES * self->ps, 14));
	snprintf(want, sizeof(want), "%d", self->b);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, probe_policy(t.pid, i ? rep->addr : 0, line, sizeof(line)));
		TH_LOG("%s: %s", i ? "VMA" : "task", line);
		EXPECT_STREQ("0", probe_field(line, "user", val, sizeof(val)));
		EXPECT_STREQ(want, probe_field(line, "nodes", val, sizeof(val)));
	}
	ASSERT_EQ(0, target_finish(&t));
	EXPECT_EQ(MPOL_BIND | MPOL_F_RELATIVE_NODES, rep->task[0].mode);
	EXPECT_EQ(MPOL_BIND | MPOL_F_RELATIVE_NODES, rep->vma.mode);
	EXPECT_TRUE(mask_equal(&rep->task[0].nodes, &(struct nodemask){ .bits = { 1 } }));
	EXPECT_TRUE(mask_equal(&rep->vma.nodes, &(struct nodemask){ .bits = { 1 } }));
	munmap(rep, sizeof(*rep));
}

/* --- a live target ---------------------------------------------------------- */

#define LIVE_PAGES	8192

static int live_setup(struct report *rep)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct nodemask m = mask_of(rep->a);
	char *p;

	if (sys_set_mempolicy(MPOL_BIND, &m, SET_MAXNODE))
		return 1;
	p = mmap(NULL, LIVE_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 2;
	madvise(p, LIVE_PAGES * ps, MADV_NOHUGEPAGE);
	rep->addr = (uintptr_t)p;
	return 0;
}

/* Fault pages in, one after the other, until told to stop. */
static int live_check(struct report *rep)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = (char *)rep->addr;

	/* Slowly enough that the move of the first pages overtakes it. */
	while (!LOAD(rep->stop) && LOAD(rep->touched) < LIVE_PAGES) {
		fill(p + LOAD(rep->touched) * ps, ps, 15);
		STORE(rep->touched, LOAD(rep->touched) + 1);
		usleep(50);
	}
	STORE(rep->stop, 2);
	while (LOAD(rep->stop) != 3)
		usleep(1000);
	return 0;
}

/*
 * The target faults pages in under its task policy while its memory
 * moves: the pages from before the call are moved, and those from during
 * and after it land on the new node, since the policy moved first.
 */
TEST_F_TIMEOUT(pm, live_target_allocates, 120)
{
	long before, during, after, ps = self->ps;
	struct target t = { 0 };
	struct report *rep;
	char c = 'g';

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	rep = report_new(self);
	ASSERT_NE(NULL, rep);
	t.rep = rep;
	ASSERT_EQ(0, target_start(&t, live_setup, live_check));
	ASSERT_EQ(1, write(t.go, &c, 1));
	while (LOAD(rep->touched) < 1024)
		usleep(1000);
	before = LOAD(rep->touched);
	EXPECT_LE(0, sys_page_migrate(t.pid, 0, ULONG_MAX, 1, &self->a, &self->b));
	during = LOAD(rep->touched);
	/* Some more after the call. */
	while (LOAD(rep->touched) < during + 64 && LOAD(rep->stop) != 2)
		usleep(1000);
	STORE(rep->stop, 1);
	while (LOAD(rep->stop) != 2)
		usleep(1000);
	after = LOAD(rep->touched);
	ksft_print_msg("pages faulted in: %ld before the call, %ld during, %ld after\n",
		       before, during - before, after - during);
	EXPECT_LT(during, LIVE_PAGES) TH_LOG("the target was done before the call was");
	EXPECT_LT(before, after);
	EXPECT_EQ(0, off_node(t.pid, (void *)rep->addr, after, ps, self->b));
	EXPECT_EQ(-1, bad_in(t.pid, rep->addr, after * ps, 15));
	STORE(rep->stop, 3);
	close(t.go);
	close(t.ready);
	waitpid(t.pid, NULL, 0);
	munmap(rep, sizeof(*rep));
}

/* --- fallback by distance ------------------------------------------------- */

/*
 * The fallback order of the man page: the new nodes other than @first,
 * by distance from @first, equal distances by node number.
 */
static int fallback_order(const int *dests, int n, int first, int *order)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++)
		if (dests[i] != first)
			order[k++] = dests[i];
	for (i = 1; i < k; i++)
		for (j = i; j > 0; j--) {
			int dj = node_dist(first, order[j]), dp = node_dist(first, order[j - 1]);

			if (dj < 0 || dp < 0)
				return -1;
			if (dj > dp || (dj == dp && order[j] > order[j - 1]))
				break;
			order[j] ^= order[j - 1];
			order[j - 1] ^= order[j];
			order[j] ^= order[j - 1];
		}
	return k;
}

/*
 * Pages of the first node go to the last; every other node with memory
 * is a new node too, mapped onto itself.  While the last node and then
 * more and more of the others are made full, the pages must land on the
 * nearest new node that is not full, by the distance table; with all of
 * them full, -ENOMEM, the pages stay, and the policy has moved anyway.
 */
TEST_F_TIMEOUT(pm, fallback_by_distance, 120)
{
	int old[TOPO_MAX_NODES], new[TOPO_MAX_NODES], order[TOPO_MAX_NODES];
	int n = 0, k, i, node = -1, first;
	char list[256];
	size_t len = NR_PAGES * self->ps;
	struct pol pol;

	if (self->nmem < 3)
		SKIP(return, "needs three nodes with memory");
	if (!have_fail_injection())
		SKIP(return, "no fault injection (" FAIL_FILE ")");
	self->injecting = 1;
	first = mask_last(&self->memory);
	old[n] = self->a;
	new[n++] = first;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS)
		if (node != self->a && node != first) {
			old[n] = node;
			new[n++] = node;
		}
	k = fallback_order(new, n, first, order);
	ASSERT_EQ(n - 1, k);
	for (i = 0; i < k; i++)
		ksft_print_msg("fallback %d from node %d: node %d at distance %d\n", i, first,
			       order[i], node_dist(first, order[i]));

	for (i = 0; i <= k; i++) {
		struct nodemask full = mask_of(first);
		char *p = map_on(self, NR_PAGES, self->a, 16 + i);
		long ret;
		int j;

		ASSERT_NE(MAP_FAILED, p);
		for (j = 0; j < i; j++)
			mask_set(&full, order[j]);
		ASSERT_EQ(0, fail_on(mask_str(&full, list, sizeof(list))));
		ret = sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + len, n, old, new);
		EXPECT_LT(0, fail_count()) TH_LOG("the module failed no allocation");
		if (i < k) {
			EXPECT_EQ(0, ret) TH_LOG("full: %s", list);
			EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, order[i]))
				TH_LOG("full: %s: not on node %d", list, order[i]);
		} else {
			/* Every new node is full. */
			EXPECT_EQ(-1, ret);
			EXPECT_EQ(ENOMEM, errno);
			EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a));
		}
		EXPECT_EQ(-1, bad(p, len, 16 + i));
		/* The policy moved first, whatever came after. */
		ASSERT_EQ(0, vma_pol(p, &pol));
		EXPECT_TRUE(mask_test(&pol.nodes, first) && mask_weight(&pol.nodes) == 1);
		munmap(p, len);
	}
}

/*
 * The second node is full: the first node's pages, bound for it, fall
 * back to the third, while the third's own pages stay (a pair onto
 * itself).  Then all pages are bound for the second node alone, which is
 * still full: nothing can be placed, ENOMEM, and the pages stay, intact.
 * Once it has room they all go there.
 */
TEST_F(pm, fallback_then_enomem)
{
	size_t len = NR_PAGES * self->ps;
	int old[2], new[2], keep_c[2];
	char list[64], *p;

	if (self->nmem < 3)
		SKIP(return, "needs three nodes with memory");
	if (!have_fail_injection())
		SKIP(return, "no fault injection (" FAIL_FILE ")");
	self->injecting = 1;
	old[0] = self->a;
	old[1] = self->c;
	p = map_parts(_metadata, self, 2, old, 17);
	ASSERT_NE(NULL, p);
	snprintf(list, sizeof(list), "%d", self->b);
	ASSERT_EQ(0, fail_on(list));
	/* a's pages fall back from b to c; c's stay, as c->c. */
	keep_c[0] = self->b;
	keep_c[1] = self->c;
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + 2 * len, 2, old, keep_c));
	EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->c));
	EXPECT_EQ(0, off_node(0, p + len, NR_PAGES, self->ps, self->c));
	new[0] = self->b;
	new[1] = self->b;
	/* All on c now; to b only, which is full: nothing can move. */
	EXPECT_EQ(ENOMEM, err_of(sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + 2 * len, 2,
						  old, new)));
	EXPECT_LT(0, fail_count());
	EXPECT_EQ(0, off_node(0, p, 2 * NR_PAGES, self->ps, self->c));
	EXPECT_EQ(-1, bad(p, 2 * len, 17));
	/* With b taking pages again, they all go there. */
	ASSERT_EQ(0, fail_on(""));
	EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + 2 * len, 2, old, new));
	EXPECT_EQ(0, off_node(0, p, 2 * NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad(p, 2 * len, 17));
}

/* --- files: user.migrate, and file mappings on tmpfs and ext4 ------------- */

FIXTURE(files) {
	struct nodemask memory;
	int a, b, c;
	long ps;
	char dir[64];
	char path[8][128];
	int nfiles;
};

FIXTURE_VARIANT(files) {
	const char *dir;
};

FIXTURE_VARIANT_ADD(files, tmpfs) { .dir = "/dev/shm" };
FIXTURE_VARIANT_ADD(files, ext4) { .dir = EXT4_DIR };

FIXTURE_SETUP(files)
{
	struct stat st;

	if (pm_nodes_init(_metadata, 0, &self->memory, &self->a, &self->b, &self->c,
			  &self->ps))
		return;
	if (stat(variant->dir, &st) || !S_ISDIR(st.st_mode))
		SKIP(return, "no %s", variant->dir);
	snprintf(self->dir, sizeof(self->dir), "%s/page-migrate.%d", variant->dir, getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
}

FIXTURE_TEARDOWN(files)
{
	int i;

	for (i = 0; i < self->nfiles; i++)
		unlink(self->path[i]);
	rmdir(self->dir);
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

/*
 * A file of NR_PAGES pages written while bound to the first node, so that
 * its page cache sits there; with @xattr, user.migrate set to it.  Its fd.
 */
static int make_file(struct __test_metadata *_metadata, struct _test_data_files *self,
		     const char *name, const char *xattr, int seed)
{
	size_t len = NR_PAGES * self->ps;
	struct nodemask ma = mask_of(self->a);
	char *buf = malloc(len);
	char *path = self->path[self->nfiles];
	int fd;

	snprintf(path, 128, "%s/%s", self->dir, name);
	self->nfiles++;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		return -1;
	if (xattr && fsetxattr(fd, "user.migrate", xattr, strlen(xattr), 0)) {
		TH_LOG("setxattr on %s: %s", path, strerror(errno));
		return -1;
	}
	fill_as(buf, len, 0, seed);
	if (sys_set_mempolicy(MPOL_BIND, &ma, SET_MAXNODE) ||
	    pwrite(fd, buf, len, 0) != (ssize_t)len || fsync(fd))
		fd = -1;
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	free(buf);
	return fd;
}

/* Map the file and fault every page in, reading (and writing, if @prot has it). */
static char *map_file(int fd, size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags, fd, 0);
	size_t i;

	if (p == MAP_FAILED)
		return p;
	for (i = 0; i < len; i += sysconf(_SC_PAGESIZE))
		(void)__atomic_load_n(p + i, __ATOMIC_RELAXED);
	return p;
}

/*
 * user.migrate: "none" keeps every mapping of the file, "lib" its
 * read-only mappings only; another value means nothing.  Pages kept count
 * in the return value, page for page.
 */
TEST_F(files, xattr)
{
	static const struct {
		const char *name, *xattr;
		int prot, stays;
	} cases[] = {
		{ "none-rw", "none", PROT_READ | PROT_WRITE, 1 },
		{ "none-ro", "none", PROT_READ, 1 },
		{ "lib-ro", "lib", PROT_READ, 1 },
		{ "lib-rw", "lib", PROT_READ | PROT_WRITE, 0 },
		{ "other", "nonesuch", PROT_READ, 0 },
	};
	size_t len = NR_PAGES * self->ps;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int fd = make_file(_metadata, self, cases[i].name, cases[i].xattr, 20 + i);
		long ret, kept;
		int want;
		char *p;

		ASSERT_LE(0, fd) TH_LOG("%s", cases[i].name);
		p = map_file(fd, len, cases[i].prot, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a))
			TH_LOG("%s", cases[i].name);
		ret = pm_one(0, p, len, self->a, self->b);
		kept = 0;
		want = self->b;
		if (cases[i].stays) {
			kept = NR_PAGES;
			want = self->a;
		}
		EXPECT_EQ(kept, ret) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, want)) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(-1, bad_as(p, len, 0, 20 + i)) TH_LOG("%s", cases[i].name);
		munmap(p, len);
		close(fd);
	}
}

/*
 * A shared and a private mapping of files: the page cache pages that they
 * map move, and so do the private copies that writes made; the files'
 * contents are intact through the mappings and through read().
 */
TEST_F(files, file_mappings_move)
{
	size_t len = NR_PAGES * self->ps, half = len / 2;
	struct nodemask ma = mask_of(self->a);
	int fs = make_file(_metadata, self, "shared", NULL, 30);
	int fp = make_file(_metadata, self, "private", NULL, 31);
	char *s, *p, *buf = malloc(len);

	ASSERT_LE(0, fs);
	ASSERT_LE(0, fp);
	ASSERT_NE(NULL, buf);
	s = map_file(fs, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	p = map_file(fp, len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, s);
	ASSERT_NE(MAP_FAILED, p);
	/* The private mapping's second half: copies, bound to the first node. */
	ASSERT_EQ(0, sys_mbind(p + half, half, MPOL_BIND, &ma, SET_MAXNODE, 0));
	fill(p + half, half, 32);
	ASSERT_EQ(0, off_node(0, s, NR_PAGES, self->ps, self->a));
	ASSERT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->a));

	EXPECT_EQ(0, pm_one(0, s, len, self->a, self->b));
	EXPECT_EQ(0, pm_one(0, p, len, self->a, self->b));
	EXPECT_EQ(0, off_node(0, s, NR_PAGES, self->ps, self->b));
	EXPECT_EQ(0, off_node(0, p, NR_PAGES, self->ps, self->b));
	EXPECT_EQ(-1, bad_as(s, len, 0, 30));
	EXPECT_EQ(-1, bad_as(p, half, 0, 31));
	EXPECT_EQ(-1, bad(p + half, half, 32));
	/* Written through the shared mapping after the move, read back by read(). */
	fill_as(s, half, 0, 33);
	ASSERT_EQ(0, msync(s, len, MS_SYNC));
	ASSERT_EQ((ssize_t)len, pread(fs, buf, len, 0));
	EXPECT_EQ(-1, bad_as(buf, half, 0, 33));
	EXPECT_EQ(-1, bad_as(buf + half, half, half, 30));
	ASSERT_EQ((ssize_t)len, pread(fp, buf, len, 0));
	EXPECT_EQ(-1, bad_as(buf, len, 0, 31));
	munmap(s, len);
	munmap(p, len);
	close(fs);
	close(fp);
	free(buf);
}

/* --- permissions ------------------------------------------------------------- */

struct unpriv {
	int a, b;
	long ps;
};

/*
 * As the unprivileged user: its own pages move, and so do those of
 * another process of its own (a child); another user's process is EPERM.
 */
static int unpriv_own(void *arg)
{
	struct unpriv *u = arg;
	size_t len = NR_PAGES * u->ps;
	struct nodemask ma = mask_of(u->a);
	int p2c[2], c2p[2], ret = 0;
	char *p, c;
	pid_t child;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || sys_mbind(p, len, MPOL_BIND, &ma, SET_MAXNODE, 0))
		return 10;
	fill(p, len, 40);
	if (pm_one(0, p, len, u->a, u->b) || off_node(0, p, NR_PAGES, u->ps, u->b) ||
	    bad(p, len, 40) != -1)
		return 11;
	if (pipe(p2c) || pipe(c2p))
		return 12;
	child = fork();
	if (child == 0) {
		/* Pages of its own, written after the fork, on the first node. */
		char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (q == MAP_FAILED || sys_mbind(q, len, MPOL_BIND, &ma, SET_MAXNODE, 0))
			_exit(1);
		fill(q, len, 41);
		if (write(c2p[1], &q, sizeof(q)) != sizeof(q))
			_exit(1);
		if (read(p2c[0], &c, 1) != 1)
			_exit(1);
		_exit(bad(q, len, 41) == -1 ? 0 : 2);
	}
	{
		char *q;

		if (read(c2p[0], &q, sizeof(q)) != sizeof(q))
			ret = 13;
		else if (pm_one(child, q, len, u->a, u->b))
			ret = 14;
		else if (off_node(child, q, NR_PAGES, u->ps, u->b))
			ret = 15;
	}
	c = 0;
	if (write(p2c[1], &c, 1) != 1)
		ret = 16;
	{
		int status;

		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = ret ? ret : 17;
	}
	return ret;
}

TEST_F(pm, unprivileged_own_processes)
{
	struct unpriv u = { .a = self->a, .b = self->b, .ps = self->ps };
	struct other_user o = { .victim = getpid(), .from = self->a, .to = self->b };

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	EXPECT_EQ(0, as_tester(unpriv_own, &u));
	EXPECT_EQ(EPERM, as_tester(move_other_user, &o));
}

/*
 * Pages that a forked child shares copy-on-write: without CAP_SYS_NICE
 * they stay and count as not moved; with it (root) they move.
 */
static int shared_pages(void *arg)
{
	struct unpriv *u = arg;
	size_t len = NR_PAGES * u->ps;
	struct nodemask ma = mask_of(u->a);
	int hold[2], ret;
	pid_t child;
	char *p, c;
	long left;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || sys_mbind(p, len, MPOL_BIND, &ma, SET_MAXNODE, 0) || pipe(hold))
		return 10;
	madvise(p, len, MADV_NOHUGEPAGE);
	fill(p, len, 42);
	child = fork();
	if (child == 0) {
		close(hold[1]);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	left = pm_one(0, p, len, u->a, u->b);
	if (getuid() == 0)
		ret = left == 0 && off_node(0, p, NR_PAGES, u->ps, u->b) == 0 ? 0 : 20;
	else
		ret = left == NR_PAGES && off_node(0, p, NR_PAGES, u->ps, u->a) == 0 ? 0 : 21;
	if (bad(p, len, 42) != -1)
		ret = 22;
	close(hold[1]);
	waitpid(child, NULL, 0);
	return ret;
}

TEST_F(pm, shared_pages_need_cap_sys_nice)
{
	struct unpriv u = { .a = self->a, .b = self->b, .ps = self->ps };

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	EXPECT_EQ(0, as_tester(shared_pages, &u));
	EXPECT_EQ(0, shared_pages(&u));
}

/* --- huge pages ---------------------------------------------------------------- */

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define KPF_THP		22
#define PM_PFN_MASK	0x007fffffffffffffULL

/* Whether the 2 MiB at @p are one THP: contiguous frames, all flagged THP. */
static int is_thp(const char *p, long ps)
{
	long n = HPAGE / ps, i;
	unsigned long long *ent = calloc(n, 8), *flags = calloc(n, 8);
	int fd, ok = 0;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && ent && flags &&
	    pread(fd, ent, n * 8, (uintptr_t)p / ps * 8) == n * 8) {
		unsigned long long pfn0 = ent[0] & PM_PFN_MASK;

		ok = pfn0 && pfn0 % n == 0;
		for (i = 0; ok && i < n; i++)
			ok = (ent[i] & PM_PFN_MASK) == pfn0 + i;
		close(fd);
		fd = open("/proc/kpageflags", O_RDONLY);
		if (ok && (fd < 0 || pread(fd, flags, n * 8, pfn0 * 8) != n * 8))
			ok = 0;
		for (i = 0; ok && i < n; i++)
			ok = !!(flags[i] & (1ULL << KPF_THP));
	}
	if (fd >= 0)
		close(fd);
	free(ent);
	free(flags);
	return ok;
}

static void set_thp(char *old, size_t len)
{
	char line[128], *o, *c;
	FILE *f = fopen(THP_ENABLED, "r");

	old[0] = '\0';
	if (f && fgets(line, sizeof(line), f)) {
		o = strchr(line, '[');
		c = o ? strchr(o, ']') : NULL;
		if (c)
			snprintf(old, len, "%.*s", (int)(c - o - 1), o + 1);
	}
	if (f)
		fclose(f);
	write_str(THP_ENABLED, "madvise");
	write_str("/proc/sys/vm/compact_memory", "1");
}

/*
 * A THP moves whole to its new node when that has room; when its new node
 * is full, it is split and its base pages take the fallback order.
 */
TEST_F_TIMEOUT(pm, thp, 120)
{
	struct nodemask ma = mask_of(self->a);
	char old_thp[32], list[16], *p;
	int n = 2, old[2], new[2];
	size_t len = 2 * HPAGE;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	if (access(THP_ENABLED, F_OK))
		SKIP(return, "no transparent huge pages");
	set_thp(old_thp, sizeof(old_thp));
	self->map = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->map_len = len + HPAGE;
	p = (char *)(((uintptr_t)self->map + HPAGE - 1) & ~(HPAGE - 1));
	ASSERT_EQ(0, madvise(p, len, MADV_HUGEPAGE));
	ASSERT_EQ(0, sys_mbind(p, len, MPOL_BIND, &ma, SET_MAXNODE, 0));
	fill(p, len, 50);
	if (!is_thp(p, self->ps) || !is_thp(p + HPAGE, self->ps)) {
		write_str(THP_ENABLED, old_thp);
		SKIP(return, "no huge page could be had on node %d", self->a);
	}
	ASSERT_EQ(0, off_node(0, p, len / self->ps, self->ps, self->a));
	EXPECT_EQ(0, pm_one(0, p, HPAGE, self->a, self->b));
	EXPECT_EQ(0, off_node(0, p, HPAGE / self->ps, self->ps, self->b));
	EXPECT_TRUE(is_thp(p, self->ps)) TH_LOG("not moved whole");
	EXPECT_EQ(-1, bad(p, len, 50));

	if (self->nmem >= 3 && have_fail_injection()) {
		/* The second huge page: its new node is full, the third is not. */
		self->injecting = 1;
		old[0] = self->a;
		new[0] = self->b;
		old[1] = self->c;
		new[1] = self->c;
		snprintf(list, sizeof(list), "%d", self->b);
		ASSERT_EQ(0, fail_on(list));
		EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p + HPAGE, (uintptr_t)p + len, n,
					      old, new));
		EXPECT_LT(0, fail_count());
		EXPECT_EQ(0, off_node(0, p + HPAGE, HPAGE / self->ps, self->ps, self->c));
		EXPECT_FALSE(is_thp(p + HPAGE, self->ps)) TH_LOG("not split");
		EXPECT_EQ(-1, bad(p, len, 50));
	}
	write_str(THP_ENABLED, old_thp);
}

/*
 * A hugetlb page moves whole; when its new node is full it tries every
 * other new node whole; and when every new node is full, nothing moves:
 * -ENOMEM.
 */
TEST_F_TIMEOUT(pm, hugetlb, 120)
{
	long saved[TOPO_MAX_NODES], per = 2;
	struct nodemask ma = mask_of(self->a);
	int nodes[3] = { self->a, self->b, self->c }, i, nn = self->nmem >= 3 ? 3 : 2;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	for (i = 0; i < nn; i++) {
		saved[i] = hugetlb_node_count(nodes[i], "nr_hugepages");
		if (saved[i] < 0)
			SKIP(return, "no 2 MiB huge pages");
	}
	write_str("/proc/sys/vm/compact_memory", "1");
	for (i = 0; i < nn; i++)
		hugetlb_node_set(nodes[i], saved[i] + per);
	for (i = 0; i < nn; i++)
		if (hugetlb_node_count(nodes[i], "free_hugepages") < per) {
			for (i = 0; i < nn; i++)
				hugetlb_node_set(nodes[i], saved[i]);
			SKIP(return, "too few free huge pages");
		}
	p = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, HPAGE, MPOL_BIND, &ma, SET_MAXNODE, 0));
	fill(p, HPAGE, 51);
	ASSERT_EQ(0, off_node(0, p, 1, self->ps, self->a));

	EXPECT_EQ(0, pm_one(0, p, HPAGE, self->a, self->b));
	EXPECT_EQ(0, off_node(0, p, HPAGE / self->ps, self->ps, self->b));
	EXPECT_EQ(-1, bad(p, HPAGE, 51));

	if (nn == 3 && have_fail_injection()) {
		int old[2] = { self->b, self->c }, new[2] = { self->a, self->c };
		char list[16];

		self->injecting = 1;
		snprintf(list, sizeof(list), "%d", self->a);
		ASSERT_EQ(0, fail_on(list));
		EXPECT_EQ(0, sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + HPAGE, 2, old, new));
		EXPECT_LT(0, fail_count());
		EXPECT_EQ(0, off_node(0, p, HPAGE / self->ps, self->ps, self->c));
		EXPECT_EQ(-1, bad(p, HPAGE, 51));

		/*
		 * Every new node full: the page stays.  (An empty pool is
		 * not full: migration takes a fresh huge page from the
		 * buddy allocator then.)
		 */
		old[0] = self->c;
		new[0] = self->a;
		new[1] = self->b;
		old[1] = self->b;
		snprintf(list, sizeof(list), "%d,%d", self->a, self->b);
		ASSERT_EQ(0, fail_on(list));
		EXPECT_EQ(ENOMEM, err_of(sys_page_migrate(0, (uintptr_t)p, (uintptr_t)p + HPAGE,
							  2, old, new)));
		EXPECT_EQ(0, off_node(0, p, HPAGE / self->ps, self->ps, self->c));
		EXPECT_EQ(-1, bad(p, HPAGE, 51));
		ASSERT_EQ(0, fail_on(""));
	}
	munmap(p, HPAGE);
	for (i = 0; i < nn; i++)
		hugetlb_node_set(nodes[i], saved[i]);
}

/* --- bounded stalls ------------------------------------------------------------ */

struct staller {
	int run;			/* the thread goes on while set */
	long calls;
	double worst;		/* seconds, the longest mmap() or munmap() */
	int cpu;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Map and unmap, timing each call: both take the mmap lock for writing. */
static void *stall_thread(void *arg)
{
	struct staller *s = arg;

	if (s->cpu >= 0)
		run_on(s->cpu);
	while (LOAD(s->run)) {
		double t0 = now(), t1, t2;
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		t1 = now();
		if (p != MAP_FAILED)
			munmap(p, 4096);
		t2 = now();
		if (t1 - t0 > s->worst)
			s->worst = t1 - t0;
		if (t2 - t1 > s->worst)
			s->worst = t2 - t1;
		s->calls++;
	}
	return NULL;
}

/*
 * A large move, as large as the nodes allow: a thread of the target that
 * maps and unmaps meanwhile waits at most for a batch, never for the
 * whole move.
 */
TEST_F_TIMEOUT(pm, stall_bounded, 300)
{
	struct staller s = { .run = 1, .cpu = -1 };
	long free_a, free_b, mb, n;
	double t0, took;
	pthread_t th;
	char *p;

	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	free_a = node_free_kb(self->a);
	free_b = node_free_kb(self->b);
	mb = (free_a < free_b ? free_a : free_b) / 1024 / 2;
	if (mb > 128)
		mb = 128;
	if (mb < 16)
		SKIP(return, "too little free memory on nodes %d and %d", self->a, self->b);
	n = mb * (1 << 20) / self->ps;
	p = map_own(self, n, self->a, 60);
	ASSERT_NE(MAP_FAILED, p);
	/* The mover and the thread on CPUs of their own, where there are two. */
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		run_on(0);
		s.cpu = 1;
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, stall_thread, &s));
	usleep(100000);
	s.worst = 0;
	t0 = now();
	EXPECT_EQ(0, pm_one(0, p, n * self->ps, self->a, self->b));
	took = now() - t0;
	STORE(s.run, 0);
	pthread_join(th, NULL);
	ksft_print_msg("moved %ld MiB in %.3f s; longest mmap/munmap %.3f s of %ld calls\n",
		       mb, took, s.worst, s.calls);
	EXPECT_EQ(0, off_node(0, p, n, self->ps, self->b));
	EXPECT_EQ(-1, bad(p, n * self->ps, 60));
	EXPECT_LT(0, s.calls);
	EXPECT_LT(s.worst, took / 4)
		TH_LOG("a map or unmap waited %.3f s of a %.3f s move", s.worst, took);
}

TEST_HARNESS_MAIN
