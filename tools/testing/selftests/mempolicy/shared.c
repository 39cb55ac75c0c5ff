// SPDX-License-Identifier: GPL-2.0
/*
 * Shared policies: a policy set on shmem, a tmpfs file or a SysV shared
 * memory segment through one mapping is seen by every process that maps
 * the object, governs where its pages go, and stays with the object while
 * nobody maps it.  The tmpfs mpol= mount option gives new files a policy.
 */
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	16
#define MNT		"/tmp/mempolicy-tmpfs"

FIXTURE(shared) {
	struct nodemask memory;
	struct nodemask last;	/* the last node with memory */
	int last_node;
	long ps;
	size_t len;
	char path[64];
};

FIXTURE_SETUP(shared)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->last_node = mask_last(&self->memory);
	self->last = mask_of(self->last_node);
	self->ps = sysconf(_SC_PAGESIZE);
	self->len = NR_PAGES * self->ps;
	snprintf(self->path, sizeof(self->path), "/dev/shm/mempolicy-%d", getpid());
}

FIXTURE_TEARDOWN(shared)
{
	unlink(self->path);
}

static char *map_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	char *p;

	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, len)) {
		close(fd);
		return MAP_FAILED;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/*
 * In a child that maps @path anew: the policy at every page is @mode over
 * @nodes, and pages that the child writes land on @node.  0 if so.
 */
static int child_sees(const char *path, size_t len, long ps, int mode,
		      const struct nodemask *nodes, int node)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *p = map_file(path, len);
		struct nodemask got;
		size_t off;
		int m, n;

		if (p == MAP_FAILED)
			_exit(10);
		for (off = 0; off < len; off += ps) {
			if (sys_get_mempolicy(&m, &got, MASK_BITS, p + off, MPOL_F_ADDR) ||
			    m != mode || !mask_equal(&got, nodes))
				_exit(11);
			p[off] = 1;
			if (sys_get_mempolicy(&n, NULL, 0, p + off, MPOL_F_NODE | MPOL_F_ADDR) ||
			    n != node)
				_exit(12);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(shared, tmpfs_file_policy_seen_by_others)
{
	char *p = map_file(self->path, self->len);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_mbind(p, self->len, MPOL_BIND, &self->last, SET_MAXNODE, 0));
	EXPECT_EQ(0, child_sees(self->path, self->len, self->ps, MPOL_BIND, &self->last,
				self->last_node));
	/* Unmapped by all, the object keeps its policy. */
	ASSERT_EQ(0, munmap(p, self->len));
	EXPECT_EQ(0, child_sees(self->path, self->len, self->ps, MPOL_BIND, &self->last,
				self->last_node));
}

TEST_F(shared, tmpfs_policy_on_part_of_a_file)
{
	char *p = map_file(self->path, self->len);
	struct nodemask got;
	int mode, fd;

	ASSERT_NE(MAP_FAILED, p);
	/* The policy is by file offset: pages 4-7 only. */
	ASSERT_EQ(0, sys_mbind(p + 4 * self->ps, 4 * self->ps, MPOL_PREFERRED, &self->last,
			       SET_MAXNODE, 0));
	ASSERT_EQ(0, munmap(p, self->len));
	/* Map from offset 4 pages: its first page has the policy, page 4 not. */
	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 8 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * self->ps);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, p, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_PREFERRED, mode);
	EXPECT_TRUE(mask_equal(&self->last, &got));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, p + 4 * self->ps, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_DEFAULT, mode);
	munmap(p, 8 * self->ps);
}

/* Shared anonymous memory is shmem: the policy is shared across fork(). */
TEST_F(shared, shared_anonymous_across_fork)
{
	char *p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	int status, mode = -1;
	struct nodemask got;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child sets the policy after the fork... */
		_exit(sys_mbind(p, self->len, MPOL_INTERLEAVE, &self->memory, SET_MAXNODE, 0));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* ...and the parent's mapping of the same object has it. */
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, p + self->ps, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_INTERLEAVE, mode);
	EXPECT_TRUE(mask_equal(&self->memory, &got));
	munmap(p, self->len);
}

TEST_F(shared, sysv_shm)
{
	int id = shmget(IPC_PRIVATE, self->len, IPC_CREAT | 0600), mode = -1, node;
	struct nodemask got;
	char *p, *q;

	ASSERT_LE(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, sys_mbind(p, self->len, MPOL_BIND, &self->last, SET_MAXNODE, 0));
	ASSERT_EQ(0, shmdt(p));
	/* A new attachment, with nobody attached in between. */
	q = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, q);
	shmctl(id, IPC_RMID, NULL);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, q, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode);
	EXPECT_TRUE(mask_equal(&self->last, &got));
	memset(q, 3, self->len);
	ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, q + self->len - 1,
				       MPOL_F_NODE | MPOL_F_ADDR));
	EXPECT_EQ(self->last_node, node);
	shmdt(q);
}

FIXTURE(tmpfs_mount) {
	struct nodemask memory;
	char list[256];
	int last_node;
};

FIXTURE_SETUP(tmpfs_mount)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	mask_str(&self->memory, self->list, sizeof(self->list));
	self->last_node = mask_last(&self->memory);
	mkdir(MNT, 0755);
}

FIXTURE_TEARDOWN(tmpfs_mount)
{
	umount(MNT);
	rmdir(MNT);
}

/* The mpol= option of @MNT, as /proc/mounts shows it, or "" without one. */
static void mount_mpol(char *buf, size_t len)
{
	char line[512], *opt;
	FILE *f = fopen("/proc/mounts", "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t n = 0;

		opt = strstr(line, "mpol=");
		if (!opt || !strstr(line, " " MNT " "))
			continue;
		/* A comma ends the option unless a node of its list follows. */
		while (opt[n] && opt[n] != ' ' &&
		       !(opt[n] == ',' && (opt[n + 1] < '0' || opt[n + 1] > '9')))
			n++;
		snprintf(buf, len, "%.*s", (int)n, opt);
	}
	fclose(f);
}

/* New files get the mount's policy; pages follow it. */
TEST_F(tmpfs_mount, mpol_option)
{
	char opt[300], shown[300], *p;
	struct nodemask got, want;
	int mode, node, fd;

	snprintf(opt, sizeof(opt), "mpol=bind:%d", self->last_node);
	ASSERT_EQ(0, mount("none", MNT, "tmpfs", 0, opt)) TH_LOG("%s: %s", opt, strerror(errno));
	mount_mpol(shown, sizeof(shown));
	EXPECT_STREQ(opt, shown);

	fd = open(MNT "/file", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4 * sysconf(_SC_PAGESIZE)));
	p = mmap(NULL, 4 * sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, p, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode);
	want = mask_of(self->last_node);
	EXPECT_TRUE(mask_equal(&want, &got));
	p[0] = 1;
	ASSERT_EQ(0, sys_get_mempolicy(&node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR));
	EXPECT_EQ(self->last_node, node);
	munmap(p, 4 * sysconf(_SC_PAGESIZE));

	/* Remounting changes the option for files to come. */
	snprintf(opt, sizeof(opt), "mpol=interleave:%s", self->list);
	ASSERT_EQ(0, mount("none", MNT, "tmpfs", MS_REMOUNT, opt));
	mount_mpol(shown, sizeof(shown));
	EXPECT_STREQ(opt, shown);
}

TEST_F(tmpfs_mount, mpol_option_forms)
{
	static const char * const forms[] = {
		"prefer:%d", "local", "default", "bind=static:%d", "interleave=relative:0",
	};
	char form[64], opt[300], shown[300];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		snprintf(form, sizeof(form), forms[i], self->last_node);
		snprintf(opt, sizeof(opt), "mpol=%s", form);
		ASSERT_EQ(0, mount("none", MNT, "tmpfs", 0, opt)) TH_LOG("%s", opt);
		mount_mpol(shown, sizeof(shown));
		/* The default policy is no option at all. */
		EXPECT_STREQ(strcmp(form, "default") ? opt : "", shown);
		ASSERT_EQ(0, umount(MNT));
	}
}

TEST_F(tmpfs_mount, bad_mpol_options)
{
	static const char * const bad[] = {
		"mpol=bind", "mpol=bind:", "mpol=nosuch:0", "mpol=bind:99999",
		"mpol=interleave=static=relative:0", "mpol=local:0", "mpol=default:0",
		"mpol=prefer:0-1x",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = mount("none", MNT, "tmpfs", 0, bad[i]);

		EXPECT_EQ(EINVAL, ret ? errno : 0) TH_LOG("%s", bad[i]);
		if (!ret)
			umount(MNT);
	}
}

/*
 * Overlapping and nested ranges of one object: mbind() calls on ranges of
 * a memfd that start and end inside earlier ones, nest in them, and cover
 * several exactly.  The policy of every page, read with
 * get_mempolicy(MPOL_F_ADDR) through two mappings of the object, through
 * a child's copy of one and through a mapping that the child makes, and
 * the node where each page lands when the child writes it, must be what
 * this model of Linux 6.12 says.
 *
 * The shared policy is kept per page of the object, but mbind() sets it
 * VMA by VMA (mbind_range()): the policy is the VMA's as well, and
 *
 * - a VMA that has the policy already is left alone, shared policy and
 *   all (mpol_equal() returns early);
 * - otherwise the part of the VMA in the range becomes a VMA of its own,
 *   which merges with a neighbour that has the same policy, and the
 *   whole resulting VMA, neighbour included, sets the shared policy
 *   (vma_replace_policy() calls ->set_policy() for it); MPOL_DEFAULT
 *   removes it, so the page falls back to the task policy.
 *
 * Through one mapping only, VMA and shared policies agree and this is
 * simply "a later mbind() replaces the policy of exactly its pages",
 * which the first test checks too.  Through two, a mapping's VMAs keep
 * policies that the other has replaced, and then an mbind() can change
 * nothing, or change pages outside its range: the second test.
 */
#define OBJ_PAGES	64
#define OFF		8	/* the second mapping starts at this page */

enum node_set { NONE, A, B, AB, ALL };

struct range_step {
	int first, end;		/* pages [first, end) of the object */
	int mode;
	enum node_set set;
	int via;		/* 0: the whole mapping, 1: the one from page OFF */
};

/* Through the first mapping only. */
static const struct range_step one_mapping_steps[] = {
	{  0, 32, MPOL_BIND, A, 0 },			/* a range */
	{  8, 16, MPOL_INTERLEAVE, ALL, 0 },		/* nested in it */
	{ 12, 40, MPOL_PREFERRED, B, 0 },		/* from inside one to past it */
	{ 20, 24, MPOL_DEFAULT, NONE, 0 },		/* a hole inside one */
	{ 44, 60, MPOL_LOCAL, NONE, 0 },		/* on its own */
	{ 36, 48, MPOL_PREFERRED_MANY, AB, 0 },		/* over the end of one, into another */
	{  8, 36, MPOL_INTERLEAVE, AB, 0 },		/* exactly over four and the hole */
	{  4,  6, MPOL_DEFAULT, NONE, 0 },		/* a hole in the first */
	{ 60, 64, MPOL_BIND, B, 0 },			/* the end of the object */
	{ 30, 50, MPOL_BIND, A, 0 },			/* over parts of three */
	{ 33, 34, MPOL_PREFERRED, A, 0 },		/* one page inside that */
	{ 50, 54, MPOL_BIND, A, 0 },			/* the same as the one before it */
	{ 34, 36, MPOL_PREFERRED, A, 0 },		/* after the page, the same */
	{ 40, 64, MPOL_DEFAULT, NONE, 0 },		/* the rest, away */
	{  0, 64, MPOL_PREFERRED, A, 0 },		/* everything at once... */
	{  0, 64, MPOL_DEFAULT, NONE, 0 },		/* ...and nothing */
	{ 10, 30, MPOL_INTERLEAVE, ALL, 0 },		/* and anew */
	{  2, 12, MPOL_BIND, B, 0 },
	{ 28, 40, MPOL_PREFERRED_MANY, AB, 0 },
};

/* Through both. */
static const struct range_step two_mapping_steps[] = {
	{  0, 32, MPOL_BIND, A, 0 },
	{  8, 16, MPOL_INTERLEAVE, ALL, 0 },
	{ 12, 40, MPOL_PREFERRED, B, 0 },
	{ 20, 24, MPOL_DEFAULT, NONE, 0 },
	{ 44, 60, MPOL_LOCAL, NONE, 0 },
	{ 36, 48, MPOL_PREFERRED_MANY, AB, 0 },
	{  8, 36, MPOL_INTERLEAVE, AB, 1 },		/* through the other, by file offset */
	{ 12, 20, MPOL_PREFERRED, B, 0 },		/* that VMA has it: nothing changes */
	{ 20, 24, MPOL_PREFERRED, B, 0 },		/* merges: 12-36 are preferred again */
	{  4,  6, MPOL_DEFAULT, NONE, 0 },
	{ 60, 64, MPOL_BIND, B, 1 },
	{ 30, 50, MPOL_BIND, A, 1 },
	{ 33, 34, MPOL_PREFERRED, A, 0 },
	{ 52, 56, MPOL_DEFAULT, NONE, 1 },		/* never had a policy there: nothing */
	{ 54, 58, MPOL_DEFAULT, NONE, 0 },		/* through the other it goes */
	{  0, 64, MPOL_PREFERRED, A, 0 },
	{ 10, 30, MPOL_INTERLEAVE, ALL, 1 },
	{ 40, 64, MPOL_DEFAULT, NONE, 1 },
	{  2, 12, MPOL_BIND, B, 0 },
	{ 28, 40, MPOL_PREFERRED_MANY, AB, 0 },
};

struct page_policy {
	int mode;		/* MPOL_DEFAULT: no policy */
	struct nodemask nodes;
};

FIXTURE(ranges) {
	struct nodemask memory;
	struct nodemask sets[ALL + 1];
	int local;		/* the node of the CPU that the test runs on */
	long ps;
	int fd;
	unsigned long ino;
	char *map[2];
	/* The model: the object's policy, and each mapping's VMAs. */
	struct page_policy shared[OBJ_PAGES];
	struct page_policy vma[2][OBJ_PAGES];
	int vma_id[2][OBJ_PAGES];
	int last_id;
};

FIXTURE_SETUP(ranges)
{
	struct nodemask cpus;
	struct stat st;
	int node;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	ASSERT_EQ(0, read_node_state("has_cpu", &cpus));
	self->ps = sysconf(_SC_PAGESIZE);
	mask_clear(&self->sets[NONE]);
	self->sets[A] = mask_of(mask_nth(&self->memory, 0));
	self->sets[B] = mask_of(mask_last(&self->memory));
	self->sets[AB] = self->sets[A];
	mask_set(&self->sets[AB], mask_last(&self->memory));
	self->sets[ALL] = self->memory;
	/* Run on a node with memory, where the default policy puts pages. */
	for (node = 0; node < MASK_BITS; node++)
		if (mask_test(&self->memory, node) && mask_test(&cpus, node))
			break;
	ASSERT_GT(MASK_BITS, node);
	ASSERT_EQ(0, run_on(node_first_cpu(node)));
	self->local = node;

	self->fd = memfd_create("mempolicy-ranges", 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, OBJ_PAGES * self->ps));
	ASSERT_EQ(0, fstat(self->fd, &st));
	self->ino = st.st_ino;
	self->map[0] = mmap(NULL, OBJ_PAGES * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED,
			    self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map[0]);
	self->map[1] = mmap(NULL, (OBJ_PAGES - OFF) * self->ps, PROT_READ | PROT_WRITE,
			    MAP_SHARED, self->fd, OFF * self->ps);
	ASSERT_NE(MAP_FAILED, self->map[1]);
	/* No policies; each mapping one VMA. */
	memset(self->shared, 0, sizeof(self->shared));
	memset(self->vma, 0, sizeof(self->vma));
	memset(self->vma_id, 0, sizeof(self->vma_id));
	self->last_id = 0;
}

FIXTURE_TEARDOWN(ranges)
{
	munmap(self->map[0], OBJ_PAGES * self->ps);
	munmap(self->map[1], (OBJ_PAGES - OFF) * self->ps);
	close(self->fd);
}

/* The address of page @i of the object in mapping @via. */
static char *page_at(struct _test_data_ranges *self, char *base, int via, int i)
{
	return base + (i - (via ? OFF : 0)) * self->ps;
}

static int same_policy(const struct page_policy *a, const struct page_policy *b)
{
	return a->mode == b->mode && mask_equal(&a->nodes, &b->nodes);
}

/* The VMA of mapping @via that holds page @i, in the model: pages [*start, *end). */
static void model_vma(struct _test_data_ranges *self, int via, int i, int *start, int *end)
{
	const int *id = self->vma_id[via];

	for (*start = i; *start > (via ? OFF : 0) && id[*start - 1] == id[i]; (*start)--)
		;
	for (*end = i; *end < OBJ_PAGES && id[*end] == id[i]; (*end)++)
		;
}

/* The model: what the mbind() of @s does to the VMAs and to the object. */
static void model_mbind(struct _test_data_ranges *self, const struct range_step *s)
{
	struct page_policy new = { s->mode, self->sets[s->set] };
	struct page_policy *vma = self->vma[s->via];
	int i = s->first, start, end, piece_end, dummy, id, j;

	while (i < s->end) {
		model_vma(self, s->via, i, &start, &end);
		if (same_policy(&vma[i], &new)) {
			i = end;
			continue;
		}
		/* The part in the range, merged with neighbours of the policy. */
		piece_end = end < s->end ? end : s->end;
		start = i;
		end = piece_end;
		if (i > (s->via ? OFF : 0) && same_policy(&vma[i - 1], &new))
			model_vma(self, s->via, i - 1, &start, &dummy);
		if (piece_end < OBJ_PAGES && same_policy(&vma[piece_end], &new))
			model_vma(self, s->via, piece_end, &dummy, &end);
		id = ++self->last_id;
		for (j = start; j < end; j++) {
			self->vma_id[s->via][j] = id;
			vma[j] = new;
			self->shared[j] = new;
		}
		i = end;
	}
}

/*
 * The first page of the object from which mapping @base (from page OFF if
 * @via) shows a policy other than @want, or -1.
 */
static int first_wrong_policy(struct _test_data_ranges *self, char *base, int via,
			      const struct page_policy *want, int *mode, struct nodemask *nodes)
{
	int i;

	for (i = via ? OFF : 0; i < OBJ_PAGES; i++) {
		if (sys_get_mempolicy(mode, nodes, MASK_BITS, page_at(self, base, via, i),
				      MPOL_F_ADDR))
			return i;
		if (*mode != want[i].mode || !mask_equal(nodes, &want[i].nodes))
			return i;
	}
	return -1;
}

/* Where page @i lands when written, by the model, or -1 for anywhere in its nodes. */
static int model_node(struct _test_data_ranges *self, int i, const struct page_policy *p)
{
	switch (p->mode) {
	case MPOL_DEFAULT:
	case MPOL_LOCAL:
		return self->local;
	case MPOL_INTERLEAVE:
		/* By the object's interleave index: inode number plus page. */
		return mask_nth(&p->nodes, (self->ino + i) % mask_weight(&p->nodes));
	case MPOL_BIND:
	case MPOL_PREFERRED:
		if (mask_weight(&p->nodes) == 1)
			return mask_nth(&p->nodes, 0);
		return -1;
	}
	return -1;
}

/*
 * Make the mbind() calls of @steps, and after each compare both mappings
 * with the model (and, with @exact_ranges, the model with the plain rule);
 * then have a child read the policies through its copy of the first
 * mapping and through a mapping of its own, and write every page; the
 * pages must be where their policies say, with what the child wrote.
 */
static void run_ranges(struct __test_metadata *_metadata, struct _test_data_ranges *self,
		       const struct range_step *steps, unsigned int nr, int exact_ranges)
{
	struct page_policy plain[OBJ_PAGES];
	int via, i, mode, status, nodes[OBJ_PAGES];
	void *pages[OBJ_PAGES];
	char buf[256], list[256];
	struct nodemask got;
	unsigned int k;
	pid_t pid;

	memset(plain, 0, sizeof(plain));
	for (k = 0; k < nr; k++) {
		const struct range_step *s = &steps[k];
		const struct nodemask *m = &self->sets[s->set];

		ASSERT_EQ(0, sys_mbind(page_at(self, self->map[s->via], s->via, s->first),
				       (s->end - s->first) * self->ps, s->mode,
				       s->set == NONE ? NULL : m, s->set == NONE ? 0 : SET_MAXNODE,
				       0))
			TH_LOG("step %u: %s", k, strerror(errno));
		model_mbind(self, s);
		for (i = s->first; i < s->end; i++)
			plain[i] = (struct page_policy){ s->mode, *m };
		for (i = 0; exact_ranges && i < OBJ_PAGES; i++) {
			ASSERT_TRUE(same_policy(&plain[i], &self->shared[i]))
				TH_LOG("the model breaks the plain rule: step %u, page %d", k, i);
		}
		for (via = 0; via < 2; via++) {
			i = first_wrong_policy(self, self->map[via], via, self->shared,
					       &mode, &got);
			EXPECT_EQ(-1, i)
				TH_LOG("step %u, page %d, mapping %d: mode %d nodes %s, not %d %s",
				       k, i, via, mode, mask_str(&got, buf, sizeof(buf)),
				       self->shared[i].mode,
				       mask_str(&self->shared[i].nodes, list, sizeof(list)));
		}
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *fresh = mmap(NULL, OBJ_PAGES * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED,
				   self->fd, 0);

		if (fresh == MAP_FAILED)
			_exit(10);
		if (first_wrong_policy(self, self->map[0], 0, self->shared, &mode, &got) != -1)
			_exit(11);
		if (first_wrong_policy(self, fresh, 0, self->shared, &mode, &got) != -1)
			_exit(12);
		for (i = 0; i < OBJ_PAGES; i++)
			memset(fresh + i * self->ps, i + 1, self->ps);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* The child's pages, mapped here by reading them. */
	for (i = 0; i < OBJ_PAGES; i++) {
		pages[i] = self->map[0] + i * self->ps;
		EXPECT_EQ(i + 1, self->map[0][i * self->ps]);
	}
	ASSERT_EQ(0, sys_move_pages(0, OBJ_PAGES, pages, NULL, nodes, 0));
	for (i = 0; i < OBJ_PAGES; i++) {
		const struct page_policy *p = &self->shared[i];
		int want = model_node(self, i, p);

		if (want >= 0) {
			EXPECT_EQ(want, nodes[i]) TH_LOG("page %d, mode %d", i, p->mode);
		} else {
			EXPECT_TRUE(nodes[i] >= 0 && mask_test(&p->nodes, nodes[i]))
				TH_LOG("page %d on node %d, mode %d", i, nodes[i], p->mode);
		}
		if (i >= OFF)
			EXPECT_EQ(i + 1, page_at(self, self->map[1], 1, i)[self->ps - 1]);
	}
}

TEST_F(ranges, overlapping_and_nested)
{
	run_ranges(_metadata, self, one_mapping_steps, ARRAY_SIZE(one_mapping_steps), 1);
}

TEST_F(ranges, through_two_mappings)
{
	run_ranges(_metadata, self, two_mapping_steps, ARRAY_SIZE(two_mapping_steps), 0);
}

TEST_HARNESS_MAIN
