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

TEST_HARNESS_MAIN
