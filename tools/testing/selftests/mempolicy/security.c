// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user cannot do with the NUMA API, and the errno
 * that each attempt gets from Linux 6.12:
 *
 *  - read where another user's pages are (move_pages() without nodes,
 *    /proc/PID/numa_maps), or move them (move_pages(), migrate_pages(),
 *    page_migrate()), nor those of a process of its own uid that is not
 *    dumpable; with CAP_SYS_PTRACE alone, page_migrate() still needs
 *    CAP_SYS_NICE for another user's process, migrate_pages() not;
 *  - use MPOL_MF_MOVE_ALL without CAP_SYS_NICE, or move with MPOL_MF_MOVE
 *    pages that a process of another user maps too;
 *  - set a policy on nodes outside its cpuset, or move its own pages
 *    there;
 *  - change the weights of weighted interleave;
 *  - make the kernel allocate outside its cpuset: whatever the policy
 *    names (static nodes, a home node, the local node of the CPU that it
 *    runs on, policies set before the cpuset shrank, the shared policy
 *    of a memfd, a SysV segment or a tmpfs mpol= mount that root bound
 *    elsewhere), every page that it faults in lands in the cpuset.
 *
 * Each attempt runs as the user 'tester' (uid 1000) in a child of the
 * test, against a victim of root or of uid 1001, and after each refusal
 * the test checks as root that nothing changed: the victim's pages are
 * on their node with their contents (move_pages() status query and
 * /proc/PID/mem), its policy is the same (/proc/PID/numa_maps), the
 * weights are the same.  The errnos are the man pages' (mbind(2),
 * set_mempolicy(2), move_pages(2), migrate_pages(2), proc(5),
 * page_migrate(2) of this series); where the kernel does what a man page
 * does not say, the comment says so and the test asserts the kernel.
 *
 * Simpler permission errors are in errors.c (mbind MPOL_MF_MOVE_ALL,
 * migrate_pages() of init) and page_migrate.c (page_migrate() of a root
 * process, of init, and of pages that the caller's own child shares);
 * they are not repeated here.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <asm/unistd.h>
#include <linux/capability.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	16
#define OTHER_UID	1001
#define CG_SEC		"/sys/fs/cgroup/mempolicy-security"
#define TMPFS_DIR	"/tmp/mempolicy-security"
#define MAX_CASES	64

#ifndef __NR_page_migrate
#define __NR_page_migrate	-1
#endif

/* The errno of a call that must fail, or 0 if it succeeded. */
#define ERRNO_OF(call)	((call) == -1 ? errno : 0)

static long sys_migrate_pages(int pid, const struct nodemask *from, const struct nodemask *to)
{
	return syscall(__NR_migrate_pages, pid, SET_MAXNODE, from->bits, to->bits);
}

static long sys_home_node(void *start, unsigned long len, unsigned long node)
{
	return syscall(__NR_set_mempolicy_home_node, start, len, node, 0);
}

static long sys_page_migrate(pid_t pid, unsigned long start, unsigned long end,
			     unsigned long count, const int *old_nodes, const int *new_nodes)
{
	return syscall(__NR_page_migrate, pid, start, end, count, old_nodes, new_nodes);
}

/* Whether the kernel has page_migrate(2): a move of nothing returns 0. */
static int have_page_migrate(int node)
{
	return sys_page_migrate(0, 0, sysconf(_SC_PAGESIZE), 1, &node, &node) == 0;
}

/*
 * What the children report, in memory shared with the test: one errno or
 * return value per case, so that the test states each case with its name.
 */
struct results {
	long val[MAX_CASES];
	long off[MAX_CASES];	/* pages of the case off the expected node */
};

FIXTURE(sec) {
	struct nodemask memory;
	int nmem;
	int a, b;		/* the first and the last node with memory */
	int page_migrate;	/* the kernel has page_migrate(2) */
	long ps;
	struct results *res;
};

FIXTURE_SETUP(sec)
{
	struct topology t;
	int node;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->nmem = mask_weight(&self->memory);
	/* The guest's description, where there is one, must agree. */
	if (!topology_load(TOPOLOGY_FILE, &t)) {
		int described = 0;

		for (node = 0; node < t.nr_nodes; node++)
			described += mask_test(&t.described, node) &&
				     !mask_test(&t.offline, node) && t.mem_mb[node] > 0;
		if (described < self->nmem)
			self->nmem = described;
	}
	if (self->nmem < 2)
		SKIP(return, "needs two nodes with memory");
	self->a = mask_nth(&self->memory, 0);
	self->b = mask_last(&self->memory);
	self->page_migrate = have_page_migrate(self->a);
	self->ps = sysconf(_SC_PAGESIZE);
	self->res = mmap(NULL, sizeof(*self->res), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
}

FIXTURE_TEARDOWN(sec)
{
	struct nodemask possible;
	int node = -1;

	if (self->res && self->res != MAP_FAILED)
		munmap(self->res, sizeof(*self->res));
	rmdir(CG_SEC);
	if (!read_node_state("possible", &possible))
		while ((node = mask_next(&possible, node)) < MASK_BITS)
			write_weight(node, "0");
}

/* One value that a child reported, named for the failure message. */
static void expect_val(struct __test_metadata *_metadata, long want, long got, const char *kind,
		       const char *what)
{
	EXPECT_EQ(want, got) TH_LOG("%s%s%s", kind, *kind ? ": " : "", what);
}

/* --- running as another user ------------------------------------------ */

/* Who runs a child: its uid, its only capabilities, its cgroup. */
struct who {
	uid_t uid;
	unsigned int caps;	/* a mask of CAP_* below 32, kept over setuid */
	const char *cg;		/* joined before the uid changes, or NULL */
};

static const struct who tester = { .uid = TESTER_UID };

/* The same in the test's cpuset (cg_make()). */
static const struct who tester_in_cg = { .uid = TESTER_UID, .cg = CG_SEC };

/* Put @pid into the cgroup @cg; 0 or an errno. */
static int cg_enter(const char *cg, pid_t pid)
{
	char path[128], val[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(val, sizeof(val), "%d", pid);
	return write_str(path, val);
}

/* Become @w: the cgroup is joined by the parent, the rest here. */
static int become(const struct who *w)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (w->uid == 0)
		return 0;
	if (w->caps && prctl(PR_SET_KEEPCAPS, 1))
		return -1;
	if (setgroups(0, NULL) || setresgid(w->uid, w->uid, w->uid) ||
	    setresuid(w->uid, w->uid, w->uid))
		return -1;
	if (w->caps) {
		data[0].effective = w->caps;
		data[0].permitted = w->caps;
		if (syscall(SYS_capset, &hdr, data))
			return -1;
	}
	/* As a program that the user started would be (see as_tester()). */
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

/*
 * The child of run_as() stops here until the parent has done what the
 * test does between two steps (run_as()'s @between).
 */
static int step_fd[2] = { -1, -1 };

static int step(void)
{
	char c = 0;

	return write(step_fd[1], &c, 1) == 1 && read(step_fd[0], &c, 1) == 1 ? 0 : -1;
}

/*
 * Run @fn(@arg) as @w in a child and return its exit status (its return
 * value), or -1.  Each time the child calls step(), the parent calls
 * @between(@arg) and lets it go on.
 */
static int run_as(const struct who *w, int (*fn)(void *), void (*between)(void *),
		  void *arg)
{
	int go[2], to_child[2], to_parent[2], status;
	pid_t pid;
	char c;

	if (pipe(go) || pipe(to_child) || pipe(to_parent))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(to_child[1]);
		close(to_parent[0]);
		step_fd[0] = to_child[0];
		step_fd[1] = to_parent[1];
		if (read(go[0], &c, 1) != 1 || become(w))
			_exit(255);
		_exit(fn(arg));
	}
	close(go[0]);
	close(to_child[0]);
	close(to_parent[1]);
	if (pid > 0 && (!w->cg || !cg_enter(w->cg, pid)))
		if (write(go[1], &c, 1) != 1)
			kill(pid, SIGKILL);
	close(go[1]);
	while (pid > 0 && read(to_parent[0], &c, 1) == 1) {
		if (between)
			between(arg);
		if (write(to_child[1], &c, 1) != 1)
			break;
	}
	close(to_child[1]);
	close(to_parent[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A cpuset of its own for the children, with the nodes of @mems. */
static int cg_make(const struct nodemask *mems)
{
	char list[256];
	int err = cpuset_v2_enable();

	if (err)
		return err;
	rmdir(CG_SEC);
	if (mkdir(CG_SEC, 0755))
		return errno;
	return write_str(CG_SEC "/cpuset.mems", mask_str(mems, list, sizeof(list)));
}

/* --- pages -------------------------------------------------------------- */

/* @n pages of anonymous memory bound to @node, written with @fill. */
static char *map_bound(long n, long ps, int node, int fill)
{
	struct nodemask m = mask_of(node);
	char *p;

	p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * ps, MADV_NOHUGEPAGE);
	if (sys_mbind(p, n * ps, MPOL_BIND, &m, SET_MAXNODE, 0)) {
		munmap(p, n * ps);
		return NULL;
	}
	memset(p, fill, n * ps);
	return p;
}

/* How many of the @n pages at @p of @pid are not on @node; -1 on error. */
static long off_node(pid_t pid, const void *p, long n, long ps, int node)
{
	int nodes[MAX_CASES * NR_PAGES];
	long i, off = 0;

	if (n > (long)ARRAY_SIZE(nodes) || page_nodes(pid, p, n, ps, nodes))
		return -1;
	for (i = 0; i < n; i++)
		off += nodes[i] != node;
	return off;
}

/* Whether @pid's @len bytes at @addr, read through /proc/PID/mem, are all @fill. */
static int intact(pid_t pid, const void *addr, long len, int fill)
{
	char path[64], *buf = malloc(len);
	int fd, ok = 0;
	long i;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (buf && fd >= 0 && pread(fd, buf, len, (uintptr_t)addr) == len) {
		for (i = 0; i < len && buf[i] == fill; i++)
			;
		ok = i == len;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

/* --- the victim: a process of root or of another user ------------------- */

#define VICTIM_FILL	0x3c

struct victim {
	pid_t pid;
	int fd;			/* its pipe, which ends it when closed */
	char *addr;		/* NR_PAGES pages bound to its node */
	int node;
	char policy[64];	/* as /proc/PID/numa_maps shows it */
};

/*
 * Start a process of @uid with NR_PAGES pages bound to @node; dumpable,
 * as a program that its user started, unless @dumpable is 0.
 */
static int victim_start(struct victim *v, uid_t uid, int dumpable, int node, long ps)
{
	const struct who w = { .uid = uid };
	int in[2], out[2];
	char c;

	if (pipe(in) || pipe(out))
		return -1;
	v->node = node;
	v->pid = fork();
	if (v->pid < 0)
		return -1;
	if (v->pid == 0) {
		char *p;

		close(in[1]);
		close(out[0]);
		if (become(&w) || prctl(PR_SET_DUMPABLE, dumpable))
			_exit(1);
		p = map_bound(NR_PAGES, ps, node, VICTIM_FILL);
		if (!p || write(out[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		while (read(in[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(in[0]);
	close(out[1]);
	v->fd = in[1];
	if (read(out[0], &v->addr, sizeof(v->addr)) != sizeof(v->addr))
		v->addr = NULL;
	close(out[0]);
	if (!v->addr || !numa_maps_policy(v->pid, (uintptr_t)v->addr, v->policy,
					  sizeof(v->policy)))
		return -1;
	return 0;
}

static void victim_stop(struct victim *v)
{
	if (v->pid <= 0)
		return;
	close(v->fd);
	waitpid(v->pid, NULL, 0);
	v->pid = 0;
}

/* The victim's pages are where they were, as they were, with their policy. */
static void expect_victim_unchanged(struct __test_metadata *_metadata, struct _test_data_sec *self,
				    const struct victim *v, const char *what)
{
	char policy[64] = "";

	EXPECT_EQ(0, off_node(v->pid, v->addr, NR_PAGES, self->ps, v->node))
		TH_LOG("%s moved pages of pid %d", what, v->pid);
	EXPECT_TRUE(intact(v->pid, v->addr, NR_PAGES * self->ps, VICTIM_FILL))
		TH_LOG("%s changed the contents of pid %d", what, v->pid);
	EXPECT_TRUE(numa_maps_policy(v->pid, (uintptr_t)v->addr, policy, sizeof(policy)));
	EXPECT_STREQ(v->policy, policy) TH_LOG("%s", what);
}

/* What a child that attacks a victim needs to know. */
struct attack {
	struct _test_data_sec *self;
	struct victim *v;
	int from, to;
	void *extra;		/* for the test that needs more */
};

/* --- reading another user's placement ------------------------------------ */

#define STATUS_UNSET	-4242

/*
 * A status query of the victim's pages.  Returns the errno; the status
 * array must stay as it was, so that nothing leaks on failure.
 */
static int query_other(void *arg)
{
	struct attack *at = arg;
	void *pages[NR_PAGES];
	int status[NR_PAGES], i, err;

	for (i = 0; i < NR_PAGES; i++) {
		pages[i] = at->v->addr + i * at->self->ps;
		status[i] = STATUS_UNSET;
	}
	err = ERRNO_OF(sys_move_pages(at->v->pid, NR_PAGES, pages, NULL, status, 0));
	for (i = 0; i < NR_PAGES; i++)
		if (status[i] != STATUS_UNSET)
			return 200;
	return err;
}

/*
 * Start a victim of root and then one of another user, each with its pages
 * bound to the first node, and run @attack against it as tester: @attack
 * returns the errno that it got, which must be @want.  The victim's pages
 * must then be where and what they were, with their policy, as root reads
 * them (through move_pages(), /proc/PID/mem and numa_maps).
 */
static void attack_each_victim(struct __test_metadata *_metadata, struct _test_data_sec *self,
			       int (*attack)(void *), int want, const char *what)
{
	uid_t uids[] = { 0, OTHER_UID };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(uids); i++) {
		struct victim v;
		struct attack at = { .self = self, .v = &v, .from = self->a, .to = self->b };

		ASSERT_EQ(0, victim_start(&v, uids[i], 1, self->a, self->ps));
		EXPECT_EQ(want, run_as(&tester, attack, NULL, &at))
			TH_LOG("%s of uid %d", what, uids[i]);
		expect_victim_unchanged(_metadata, self, &v, what);
		victim_stop(&v);
	}
}

/*
 * move_pages(2): EPERM, "the caller attempted to move pages of a process
 * belonging to another user"; Linux takes a mere status query (nodes
 * NULL) for such an attempt too, and writes no status.
 */
TEST_F(sec, placement_query_of_other_user)
{
	/* Root may ask (expect_victim_unchanged() does). */
	attack_each_victim(_metadata, self, query_other, EPERM, "a status query");
}

/* Open and read the victim's numa_maps (or our own, with pid 0); the errno. */
static int read_numa_maps(void *arg)
{
	struct attack *at = arg;
	char path[64], buf[4096];
	int fd, err = 0;

	if (at->v)
		snprintf(path, sizeof(path), "/proc/%d/numa_maps", at->v->pid);
	else
		snprintf(path, sizeof(path), "/proc/self/numa_maps");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	if (read(fd, buf, sizeof(buf)) <= 0)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * proc(5): /proc/PID/numa_maps, like maps, needs ptrace read access
 * (PTRACE_MODE_READ_FSCREDS); the file is mode 0400, owned by the
 * process's user, so open() fails with EACCES.
 */
TEST_F(sec, numa_maps_of_other_user)
{
	struct attack own = { .self = self };

	/* Its own are readable; root reads the victims' (expect_victim_unchanged()). */
	EXPECT_EQ(0, run_as(&tester, read_numa_maps, NULL, &own));
	attack_each_victim(_metadata, self, read_numa_maps, EACCES, "numa_maps");
}

/* --- moving another user's pages ------------------------------------------ */

/* move_pages() of the victim's pages to the other node, then with MOVE_ALL. */
static int move_other(void *arg)
{
	struct attack *at = arg;
	struct results *res = at->self->res;
	int status[NR_PAGES], nodes[NR_PAGES], i;
	void *pages[NR_PAGES];

	for (i = 0; i < NR_PAGES; i++) {
		pages[i] = at->v->addr + i * at->self->ps;
		nodes[i] = at->to;
	}
	res->val[0] = ERRNO_OF(sys_move_pages(at->v->pid, NR_PAGES, pages, nodes, status,
					      MPOL_MF_MOVE));
	res->val[1] = ERRNO_OF(sys_move_pages(at->v->pid, NR_PAGES, pages, nodes, status,
					      MPOL_MF_MOVE_ALL));
	/* One errno for both, or 200 when they differ (res says which). */
	return res->val[0] == res->val[1] ? res->val[0] : 200;
}

/* migrate_pages() of the victim from every node to the other node. */
static int migrate_other(void *arg)
{
	struct attack *at = arg;
	struct nodemask to = mask_of(at->to);

	return ERRNO_OF(sys_migrate_pages(at->v->pid, &at->self->memory, &to));
}

/* page_migrate() of the victim's range, then of its whole address space. */
static int page_migrate_other(void *arg)
{
	struct attack *at = arg;
	struct results *res = at->self->res;
	unsigned long s = (uintptr_t)at->v->addr;

	res->val[0] = ERRNO_OF(sys_page_migrate(at->v->pid, s, s + NR_PAGES * at->self->ps, 1,
						&at->from, &at->to));
	res->val[1] = ERRNO_OF(sys_page_migrate(at->v->pid, 0, ULONG_MAX, 1, &at->from,
						&at->to));
	return 0;
}

/* move_pages(2): EPERM for another user's process, with or without MOVE_ALL. */
TEST_F(sec, move_pages_of_other_user)
{
	attack_each_victim(_metadata, self, move_other, EPERM, "move_pages()");
}

/*
 * migrate_pages(2): EPERM, "insufficient privilege to move pages of the
 * process specified by pid" (errors.c tries init; here root's and another
 * user's process, and nothing may move).
 */
TEST_F(sec, migrate_pages_of_other_user)
{
	attack_each_victim(_metadata, self, migrate_other, EPERM, "migrate_pages()");
}

/*
 * page_migrate(2), Permissions: EPERM for a process of another
 * unprivileged user, for a range and for the whole address space
 * (page_migrate.c tries root's process and init).
 */
TEST_F(sec, page_migrate_of_other_user)
{
	struct victim v;
	struct attack at = { .self = self, .v = &v, .from = self->a, .to = self->b };

	if (!self->page_migrate)
		SKIP(return, "no page_migrate(2) in this kernel");
	ASSERT_EQ(0, victim_start(&v, OTHER_UID, 1, self->a, self->ps));
	memset(self->res, 0xff, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester, page_migrate_other, NULL, &at));
	EXPECT_EQ(EPERM, self->res->val[0]);
	EXPECT_EQ(EPERM, self->res->val[1]);
	expect_victim_unchanged(_metadata, self, &v, "page_migrate()");
	victim_stop(&v);
}

/*
 * A caller of another uid with CAP_SYS_PTRACE and not CAP_SYS_NICE:
 * page_migrate(2) wants CAP_SYS_NICE for another user's process and
 * refuses (EPERM).  migrate_pages() in Linux 6.12 checks ptrace access
 * alone, which CAP_SYS_PTRACE grants, whatever migrate_pages(2) says of
 * CAP_SYS_NICE: the pages move.  Both are asserted, the second so that
 * our migrate_pages() stays what Linux's is.
 */
TEST_F(sec, ptrace_capability_alone)
{
	const struct who ptracer = { .uid = TESTER_UID, .caps = 1U << CAP_SYS_PTRACE };
	struct victim v;
	struct attack at = { .self = self, .v = &v, .from = self->a, .to = self->b };

	ASSERT_EQ(0, victim_start(&v, OTHER_UID, 1, self->a, self->ps));
	if (self->page_migrate) {
		memset(self->res, 0xff, sizeof(*self->res));
		ASSERT_EQ(0, run_as(&ptracer, page_migrate_other, NULL, &at));
		EXPECT_EQ(EPERM, self->res->val[0]);
		EXPECT_EQ(EPERM, self->res->val[1]);
		expect_victim_unchanged(_metadata, self, &v, "page_migrate()");
	}
	EXPECT_EQ(0, run_as(&ptracer, migrate_other, NULL, &at));
	EXPECT_EQ(0, off_node(v.pid, v.addr, NR_PAGES, self->ps, self->b));
	EXPECT_TRUE(intact(v.pid, v.addr, NR_PAGES * self->ps, VICTIM_FILL));
	victim_stop(&v);
}

/*
 * Every way to look at or move the victim's pages, as what_ways[] lists
 * them; val[i] the errnos, -1 for page_migrate() where the kernel lacks it.
 */
static const char * const what_ways[] = {
	"move_pages status query", "move_pages", "move_pages MOVE_ALL", "migrate_pages",
	"numa_maps", "page_migrate range", "page_migrate whole",
};

static int every_way(void *arg)
{
	struct attack *at = arg;
	struct results *res = at->self->res;
	long err[ARRAY_SIZE(what_ways)];
	unsigned int i;

	err[0] = query_other(arg);
	move_other(arg);
	err[1] = res->val[0];
	err[2] = res->val[1];
	err[3] = migrate_other(arg);
	err[4] = read_numa_maps(arg);
	err[5] = -1;
	err[6] = -1;
	if (at->self->page_migrate) {
		page_migrate_other(arg);
		err[5] = res->val[0];
		err[6] = res->val[1];
	}
	for (i = 0; i < ARRAY_SIZE(err); i++)
		res->val[i] = err[i];
	return 0;
}

/*
 * A process of the tester's own uid that made itself not dumpable
 * (PR_SET_DUMPABLE 0, as a program holding secrets does): the uids match,
 * but ptrace read access is refused, and with it every call (EPERM) and
 * numa_maps, which is root's then (EACCES).  page_migrate(2) takes the
 * ptrace rule of migrate_pages(2) as well.
 */
TEST_F(sec, not_dumpable_process_of_same_user)
{
	int pm = self->page_migrate ? EPERM : -1;
	const int want[] = { EPERM, EPERM, EPERM, EPERM, EACCES, pm, pm };
	struct victim v;
	struct attack at = { .self = self, .v = &v, .from = self->a, .to = self->b };
	unsigned int i;

	ASSERT_EQ(0, victim_start(&v, TESTER_UID, 0, self->a, self->ps));
	memset(self->res, 0xff, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester, every_way, NULL, &at));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		expect_val(_metadata, want[i], self->res->val[i], "", what_ways[i]);
	expect_victim_unchanged(_metadata, self, &v, "an attempt");
	victim_stop(&v);
}

/* --- MPOL_MF_MOVE_ALL, and pages that another process maps --------------- */

/* Its own pages, bound to the first node: MOVE_ALL is refused every way. */
static int move_all(void *arg)
{
	struct attack *at = arg;
	struct results *res = at->self->res;
	long ps = at->self->ps;
	struct nodemask to = mask_of(at->to), got;
	int status[NR_PAGES], nodes[NR_PAGES], i, mode;
	void *pages[NR_PAGES];
	char *p = map_bound(NR_PAGES, ps, at->from, 1);

	if (!p)
		return 100;
	for (i = 0; i < NR_PAGES; i++) {
		pages[i] = p + i * ps;
		nodes[i] = at->to;
	}
	res->val[0] = ERRNO_OF(sys_mbind(p, NR_PAGES * ps, MPOL_BIND, &to, SET_MAXNODE,
					 MPOL_MF_MOVE | MPOL_MF_MOVE_ALL));
	res->val[1] = ERRNO_OF(sys_mbind(p, NR_PAGES * ps, MPOL_BIND, &to, SET_MAXNODE,
					 MPOL_MF_MOVE_ALL));
	/* The privilege comes before the range's alignment and length... */
	res->val[2] = ERRNO_OF(sys_mbind(p + 1, ps, MPOL_BIND, &to, SET_MAXNODE,
					 MPOL_MF_MOVE_ALL));
	res->val[3] = ERRNO_OF(sys_mbind(p, 0, MPOL_BIND, &to, SET_MAXNODE, MPOL_MF_MOVE_ALL));
	/* ...and after unknown flags. */
	res->val[4] = ERRNO_OF(sys_mbind(p, ps, MPOL_BIND, &to, SET_MAXNODE,
					 MPOL_MF_MOVE_ALL | (1 << 7)));
	res->val[5] = ERRNO_OF(sys_move_pages(0, NR_PAGES, pages, nodes, status,
					      MPOL_MF_MOVE_ALL));
	/* Before the target is looked up, too. */
	res->val[6] = ERRNO_OF(sys_move_pages(INT_MAX, NR_PAGES, pages, nodes, status,
					      MPOL_MF_MOVE_ALL));
	/* Nothing changed: still bound to the first node, and there. */
	to = mask_of(at->from);
	res->val[7] = !sys_get_mempolicy(&mode, &got, MASK_BITS, p, MPOL_F_ADDR) &&
		      mode == MPOL_BIND && mask_equal(&got, &to);
	res->off[0] = off_node(0, p, NR_PAGES, ps, at->from);
	return 0;
}

/* mbind(2), move_pages(2): EPERM, MPOL_MF_MOVE_ALL without CAP_SYS_NICE. */
TEST_F(sec, move_all_needs_cap_sys_nice)
{
	static const struct {
		const char *what;
		int err;
	} want[] = {
		{ "mbind MOVE|MOVE_ALL", EPERM },
		{ "mbind MOVE_ALL", EPERM },
		{ "mbind MOVE_ALL, unaligned", EPERM },
		{ "mbind MOVE_ALL, empty", EPERM },
		{ "mbind MOVE_ALL, unknown flag", EINVAL },
		{ "move_pages MOVE_ALL", EPERM },
		{ "move_pages MOVE_ALL, no such process", EPERM },
	};
	struct attack at = { .self = self, .from = self->a, .to = self->b };
	unsigned int i;

	ASSERT_EQ(0, run_as(&tester, move_all, NULL, &at));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		expect_val(_metadata, want[i].err, self->res->val[i], "", want[i].what);
	EXPECT_EQ(1, self->res->val[7]) TH_LOG("the policy changed");
	EXPECT_EQ(0, self->res->off[0]) TH_LOG("pages moved");
}

/*
 * Pages that the tester maps and a root process maps too: what the
 * tester's MPOL_MF_MOVE calls leave, the migration calls report.
 */
struct shared_case {
	char *p;		/* the root process's mapping, and the child's */
	int anon;		/* copy-on-write anonymous, or a memfd */
};

/*
 * The child: map the pages (a read fault for the memfd, copy-on-write
 * for anonymous memory needs nothing) and try to move them every way.
 */
static int move_shared(void *arg)
{
	struct attack *at = arg;
	struct shared_case *sc = at->extra;
	struct results *res = at->self->res;
	long ps = at->self->ps, i;
	struct nodemask from = mask_of(at->from), to = mask_of(at->to);
	int status[NR_PAGES], nodes[NR_PAGES];
	void *pages[NR_PAGES];
	char *own;

	for (i = 0; i < NR_PAGES; i++) {
		(void)__atomic_load_n(sc->p + i * ps, __ATOMIC_RELAXED);
		pages[i] = sc->p + i * ps;
		nodes[i] = at->to;
		status[i] = STATUS_UNSET;
	}
	res->val[0] = sys_mbind(sc->p, NR_PAGES * ps, MPOL_BIND, &to, SET_MAXNODE,
				MPOL_MF_MOVE);
	res->val[1] = sys_mbind(sc->p, NR_PAGES * ps, MPOL_BIND, &to, SET_MAXNODE,
				MPOL_MF_MOVE | MPOL_MF_STRICT);
	res->val[2] = sys_move_pages(0, NR_PAGES, pages, nodes, status, MPOL_MF_MOVE);
	res->off[2] = 0;
	for (i = 0; i < NR_PAGES; i++)
		res->off[2] += status[i] != -EACCES;
	res->val[3] = sys_migrate_pages(0, &from, &to);
	res->val[4] = -1;
	if (at->self->page_migrate)
		res->val[4] = sys_page_migrate(0, (uintptr_t)sc->p,
					       (uintptr_t)sc->p + NR_PAGES * ps, 1,
					       &at->from, &at->to);
	res->off[0] = off_node(0, sc->p, NR_PAGES, ps, at->from);
	/* Its own pages move: the calls did not fail for another reason. */
	own = map_bound(NR_PAGES, ps, at->from, 2);
	if (!own)
		return 100;
	res->val[5] = sys_mbind(own, NR_PAGES * ps, MPOL_BIND, &to, SET_MAXNODE,
				MPOL_MF_MOVE);
	res->off[5] = off_node(0, own, NR_PAGES, ps, at->to);
	return 0;
}

/*
 * mbind(2), migrate_pages(2): without CAP_SYS_NICE, pages that another
 * process maps are not moved, and Linux does not count them as failures
 * (mbind() returns 0 even with MPOL_MF_STRICT, migrate_pages() 0);
 * move_pages(2) gives each the status -EACCES ("mapped by multiple
 * processes"); page_migrate(2) counts them as not moved.  The other
 * process is root's, here the test itself.
 */
TEST_F(sec, shared_pages_stay)
{
	static const struct {
		const char *what;
	} calls[] = {
		{ "mbind MOVE" }, { "mbind MOVE|STRICT" }, { "move_pages" }, { "migrate_pages" },
	};
	struct attack at = { .self = self, .from = self->a, .to = self->b };
	long len = NR_PAGES * self->ps;
	struct shared_case sc;
	unsigned int i, k;

	at.extra = &sc;
	for (k = 0; k < 2; k++) {
		const char *kind = k ? "anonymous" : "memfd";
		struct nodemask m = mask_of(self->a);
		int fd = -1;

		sc.anon = k;
		if (sc.anon) {
			sc.p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
		} else {
			fd = memfd_create("mempolicy-security", 0);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, ftruncate(fd, len));
			sc.p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		}
		ASSERT_NE(MAP_FAILED, sc.p);
		madvise(sc.p, len, MADV_NOHUGEPAGE);
		ASSERT_EQ(0, sys_mbind(sc.p, len, MPOL_BIND, &m, SET_MAXNODE, 0));
		memset(sc.p, VICTIM_FILL, len);
		ASSERT_EQ(0, off_node(0, sc.p, NR_PAGES, self->ps, self->a));

		memset(self->res, 0, sizeof(*self->res));
		ASSERT_EQ(0, run_as(&tester, move_shared, NULL, &at)) TH_LOG("%s", kind);
		for (i = 0; i < ARRAY_SIZE(calls); i++)
			expect_val(_metadata, 0, self->res->val[i], kind, calls[i].what);
		EXPECT_EQ(0, self->res->off[2]) TH_LOG("%s: move_pages status not -EACCES", kind);
		EXPECT_EQ(self->page_migrate ? NR_PAGES : -1, self->res->val[4])
			TH_LOG("%s: page_migrate", kind);
		EXPECT_EQ(0, self->res->off[0]) TH_LOG("%s: pages moved for the tester", kind);
		EXPECT_EQ(0, self->res->val[5]) TH_LOG("%s: its own pages", kind);
		EXPECT_EQ(0, self->res->off[5]) TH_LOG("%s: its own pages did not move", kind);
		/* In the root process: on their node, as they were. */
		EXPECT_EQ(0, off_node(0, sc.p, NR_PAGES, self->ps, self->a)) TH_LOG("%s", kind);
		EXPECT_TRUE(intact(getpid(), sc.p, len, VICTIM_FILL)) TH_LOG("%s", kind);
		munmap(sc.p, len);
		if (fd >= 0)
			close(fd);
	}
}

/* --- policies outside the cpuset -------------------------------------- */

/* The modes that take nodes. */
static const struct {
	const char *name;
	int mode;
} node_modes[] = {
	{ "bind", MPOL_BIND },
	{ "preferred", MPOL_PREFERRED },
	{ "interleave", MPOL_INTERLEAVE },
	{ "preferred many", MPOL_PREFERRED_MANY },
	{ "weighted interleave", MPOL_WEIGHTED_INTERLEAVE },
};

/* The nodes with memory that a cpuset of @in alone leaves out. */
static struct nodemask outside(struct _test_data_sec *self, int in)
{
	struct nodemask m = self->memory;

	m.bits[in / BITS_PER_UL] &= ~(1UL << (in % BITS_PER_UL));
	return m;
}

/*
 * In a cpuset of the last node: each mode, plain and with static nodes,
 * on the nodes outside (val[2i], val[2i + 1] for set_mempolicy() and
 * mbind()), then on all nodes (off[2i], off[2i + 1] are 0 when
 * get_mempolicy() reports what Linux does: the user's nodes with static
 * nodes, the cpuset's node without); then a home node outside (val[40]).
 */
static int policy_outside(void *arg)
{
	struct attack *at = arg;
	struct _test_data_sec *self = at->self;
	struct results *res = self->res;
	struct nodemask out = outside(self, self->b), got, in = mask_of(self->b);
	unsigned int i, f;
	long ps = self->ps;
	int mode, c;
	char *p;

	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 100;
	for (i = 0; i < ARRAY_SIZE(node_modes); i++) {
		for (f = 0; f < 2; f++) {
			int m = node_modes[i].mode | (f ? MPOL_F_STATIC_NODES : 0);
			const struct nodemask *want = f ? &self->memory : &in;

			c = 4 * i + 2 * f;
			res->val[c] = ERRNO_OF(sys_set_mempolicy(m, &out, SET_MAXNODE));
			res->val[c + 1] = ERRNO_OF(sys_mbind(p, ps, m, &out, SET_MAXNODE, 0));
			/* Nothing changed. */
			if (sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0) ||
			    mode != MPOL_DEFAULT)
				res->off[c] = 1;
			if (sys_get_mempolicy(&mode, &got, MASK_BITS, p, MPOL_F_ADDR) ||
			    mode != MPOL_DEFAULT)
				res->off[c + 1] = 1;
			/* All nodes: accepted, and narrowed to the cpuset unless static. */
			if (sys_set_mempolicy(m, &self->memory, SET_MAXNODE) ||
			    sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0) ||
			    mode != m || !mask_equal(&got, want))
				res->off[c] |= 2;
			if (sys_mbind(p, ps, m, &self->memory, SET_MAXNODE, 0) ||
			    sys_get_mempolicy(&mode, &got, MASK_BITS, p, MPOL_F_ADDR) ||
			    mode != m || !mask_equal(&got, want))
				res->off[c + 1] |= 2;
			sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
			sys_mbind(p, ps, MPOL_DEFAULT, NULL, 0, 0);
		}
	}
	/* set_mempolicy_home_node(2) takes any online node: no cpuset check. */
	if (sys_mbind(p, ps, MPOL_BIND, &in, SET_MAXNODE, 0))
		return 101;
	res->val[40] = ERRNO_OF(sys_home_node(p, ps, self->a));
	return 0;
}

/*
 * set_mempolicy(2), mbind(2): EINVAL when "none of the node IDs specified
 * by nodemask are on-line and allowed by the process's current cpuset
 * context", with MPOL_F_STATIC_NODES too (Linux takes the user's nodes
 * within the cpuset and finds none); a mask that has a node of the
 * cpuset is accepted and works on that node.  A home node outside is
 * accepted (set_mempolicy_home_node(2) asks for an online node only);
 * faults_stay_in_cpuset shows where the pages go then.
 */
TEST_F_TIMEOUT(sec, policy_outside_cpuset, 90)
{
	struct attack at = { .self = self };
	struct nodemask in = mask_of(self->b);
	unsigned int i, f;

	ASSERT_EQ(0, cg_make(&in));

	memset(self->res, 0, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester_in_cg, policy_outside, NULL, &at));
	for (i = 0; i < ARRAY_SIZE(node_modes); i++) {
		for (f = 0; f < 2; f++) {
			int c = 4 * i + 2 * f;
			const char *flag = f ? " static" : "";

			EXPECT_EQ(EINVAL, self->res->val[c])
				TH_LOG("set_mempolicy %s%s", node_modes[i].name, flag);
			EXPECT_EQ(EINVAL, self->res->val[c + 1])
				TH_LOG("mbind %s%s", node_modes[i].name, flag);
			EXPECT_EQ(0, self->res->off[c])
				TH_LOG("task policy %s%s: %s", node_modes[i].name, flag,
				       self->res->off[c] & 1 ? "changed by a refused call" :
				       "wrong with all nodes");
			EXPECT_EQ(0, self->res->off[c + 1])
				TH_LOG("VMA policy %s%s: %s", node_modes[i].name, flag,
				       self->res->off[c + 1] & 1 ? "changed by a refused call" :
				       "wrong with all nodes");
		}
	}
	EXPECT_EQ(0, self->res->val[40]) TH_LOG("home node outside");
}

/* The nodes of its own pages, moved outside its cpuset every way. */
static int own_outside(void *arg)
{
	struct attack *at = arg;
	struct _test_data_sec *self = at->self;
	struct results *res = self->res;
	struct nodemask in = mask_of(self->b), out = mask_of(self->a);
	int status[NR_PAGES], nodes[NR_PAGES], i, mode;
	long ps = self->ps;
	void *pages[NR_PAGES];
	char *p;

	p = mmap(NULL, NR_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 100;
	madvise(p, NR_PAGES * ps, MADV_NOHUGEPAGE);
	memset(p, 1, NR_PAGES * ps);
	for (i = 0; i < NR_PAGES; i++) {
		pages[i] = p + i * ps;
		nodes[i] = self->a;
	}
	res->val[0] = ERRNO_OF(sys_move_pages(0, NR_PAGES, pages, nodes, status,
					      MPOL_MF_MOVE));
	res->val[1] = ERRNO_OF(sys_migrate_pages(0, &in, &out));
	res->val[2] = ERRNO_OF(sys_mbind(p, NR_PAGES * ps, MPOL_BIND, &out, SET_MAXNODE,
					 MPOL_MF_MOVE));
	res->val[3] = 0;
	if (self->page_migrate)
		res->val[3] = ERRNO_OF(sys_page_migrate(0, (uintptr_t)p,
							(uintptr_t)p + NR_PAGES * ps, 1,
							&self->b, &self->a));
	res->val[4] = sys_get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR) ? -1 : mode;
	res->off[0] = off_node(0, p, NR_PAGES, ps, self->b);
	return 0;
}

/*
 * Its own pages to a node outside its cpuset: move_pages(2) EACCES ("one
 * of the target nodes is not allowed by the current cpuset"),
 * migrate_pages(2) EPERM ("insufficient privilege (CAP_SYS_NICE) to
 * access the specified target nodes"; errors.c tries a memoryless node
 * only), mbind(2) EINVAL, page_migrate(2) EINVAL ("not allowed in the
 * target's cpuset"); the pages stay and the range keeps no policy.
 */
TEST_F_TIMEOUT(sec, own_pages_outside_cpuset, 90)
{
	const struct {
		const char *what;
		int err;
	} want[] = {
		{ "move_pages", EACCES },
		{ "migrate_pages", EPERM },
		{ "mbind MOVE", EINVAL },
		{ "page_migrate", self->page_migrate ? EINVAL : 0 },
	};
	struct attack at = { .self = self };
	struct nodemask in = mask_of(self->b);
	unsigned int i;

	ASSERT_EQ(0, cg_make(&in));

	memset(self->res, 0, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester_in_cg, own_outside, NULL, &at));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		expect_val(_metadata, want[i].err, self->res->val[i], "", want[i].what);
	EXPECT_EQ(MPOL_DEFAULT, self->res->val[4]);
	EXPECT_EQ(0, self->res->off[0]) TH_LOG("pages left the cpuset");
}

/* --- weighted interleave weights ---------------------------------------- */

static int read_weight(int node)
{
	char path[128];

	snprintf(path, sizeof(path), WI_DIR "/node%d", node);
	return read_long(path);
}

/* Each possible node's weight written as the tester: val[node] the errno. */
static int write_weights(void *arg)
{
	struct attack *at = arg;
	struct nodemask possible;
	int node = -1, err;

	if (read_node_state("possible", &possible))
		return 100;
	while ((node = mask_next(&possible, node)) < MASK_BITS && node < MAX_CASES) {
		err = write_weight(node, "255");
		if (!err)
			err = write_weight(node, "1");
		at->self->res->val[node] = err;
		at->self->res->off[node] = read_weight(node);
	}
	return 0;
}

/*
 * The weights are root's: the files are mode 0644, so the tester reads
 * them and cannot open them for writing (EACCES), and they keep their
 * values.
 */
TEST_F(sec, weights_are_root_only)
{
	struct attack at = { .self = self };
	struct nodemask possible;
	int node = -1, err = 0;

	if (access(WI_DIR, F_OK))
		SKIP(return, "no weighted interleave weights");
	ASSERT_EQ(0, read_node_state("possible", &possible));
	while ((node = mask_next(&possible, node)) < MASK_BITS)
		err |= write_weight(node, "7");
	ASSERT_EQ(0, err);
	memset(self->res, 0, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester, write_weights, NULL, &at));
	node = -1;
	while ((node = mask_next(&possible, node)) < MASK_BITS && node < MAX_CASES) {
		EXPECT_EQ(EACCES, self->res->val[node]) TH_LOG("node%d", node);
		EXPECT_EQ(7, self->res->off[node]) TH_LOG("node%d as the tester read it", node);
		EXPECT_EQ(7, read_weight(node)) TH_LOG("node%d", node);
	}
}

/* --- the kernel allocates inside the cpuset ---------------------------- */

/* A policy that names nodes outside the cpuset, or the local node. */
struct fault_case {
	const char *name;
	int mode;
	int nodes;		/* 0: none, 1: all with memory, 2: positions 0..n-1 */
	int home;		/* a home node outside (VMA policies only) */
};

static const struct fault_case fault_cases[] = {
	{ "default", MPOL_DEFAULT },
	{ "local", MPOL_LOCAL },
	{ "bind", MPOL_BIND, 1 },
	{ "bind static", MPOL_BIND | MPOL_F_STATIC_NODES, 1 },
	{ "bind relative", MPOL_BIND | MPOL_F_RELATIVE_NODES, 2 },
	{ "bind home", MPOL_BIND, 1, 1 },
	{ "preferred", MPOL_PREFERRED, 1 },
	{ "preferred static", MPOL_PREFERRED | MPOL_F_STATIC_NODES, 1 },
	{ "interleave", MPOL_INTERLEAVE, 1 },
	{ "interleave static", MPOL_INTERLEAVE | MPOL_F_STATIC_NODES, 1 },
	{ "interleave relative", MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 2 },
	{ "preferred many", MPOL_PREFERRED_MANY, 1 },
	{ "preferred many static", MPOL_PREFERRED_MANY | MPOL_F_STATIC_NODES, 1 },
	{ "preferred many home", MPOL_PREFERRED_MANY, 1, 1 },
	{ "weighted interleave", MPOL_WEIGHTED_INTERLEAVE, 1 },
	{ "weighted interleave static", MPOL_WEIGHTED_INTERLEAVE | MPOL_F_STATIC_NODES, 1 },
};

static struct nodemask case_nodes(struct _test_data_sec *self, const struct fault_case *fc)
{
	struct nodemask m;
	int i;

	mask_clear(&m);
	if (fc->nodes == 1)
		m = self->memory;
	for (i = 0; fc->nodes == 2 && i < self->nmem; i++)
		mask_set(&m, i);
	return m;
}

/* An online node other than @in with a CPU, or -1. */
static int cpu_outside(int in)
{
	struct nodemask online;
	int node = -1;

	if (read_node_state("online", &online))
		return -1;
	while ((node = mask_next(&online, node)) < MASK_BITS)
		if (node != in && node_first_cpu(node) >= 0)
			return node;
	return -1;
}

/*
 * Each case as a VMA policy (val/off[2i]) and as the task policy
 * (val/off[2i + 1]), in a new mapping each: val is the errno of setting
 * it, off the pages faulted in outside the cpuset's node.  With @step,
 * the policies are set first, the cpuset is narrowed by the test, and
 * then the pages are faulted in.
 */
static int fault_all(void *arg)
{
	struct attack *at = arg;
	struct _test_data_sec *self = at->self;
	struct results *res = self->res;
	long len = NR_PAGES * self->ps;
	char *vma[ARRAY_SIZE(fault_cases)], *task[ARRAY_SIZE(fault_cases)];
	int before = !!at->extra, cpu_node = cpu_outside(self->b);
	unsigned int i;

	/* Where a local allocation would leave the cpuset. */
	if (cpu_node >= 0 && run_on(node_first_cpu(cpu_node)))
		return 100;
	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		const struct fault_case *fc = &fault_cases[i];
		struct nodemask m = case_nodes(self, fc);
		const struct nodemask *mp = fc->nodes ? &m : NULL;

		vma[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		task[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (vma[i] == MAP_FAILED || task[i] == MAP_FAILED)
			return 101;
		madvise(vma[i], len, MADV_NOHUGEPAGE);
		madvise(task[i], len, MADV_NOHUGEPAGE);
		res->val[2 * i] = ERRNO_OF(sys_mbind(vma[i], len, fc->mode, mp,
						     fc->nodes ? SET_MAXNODE : 0, 0));
		if (!res->val[2 * i] && fc->home)
			res->val[2 * i] = ERRNO_OF(sys_home_node(vma[i], len, self->a));
		if (before)
			continue;
		memset(vma[i], 1, len);
		if (fc->home)
			continue;
		res->val[2 * i + 1] = ERRNO_OF(sys_set_mempolicy(fc->mode, mp,
								 fc->nodes ? SET_MAXNODE : 0));
		memset(task[i], 1, len);
		sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	}
	if (before && step())
		return 102;
	for (i = 0; before && i < ARRAY_SIZE(fault_cases); i++)
		memset(vma[i], 1, len);
	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		res->off[2 * i] = off_node(0, vma[i], NR_PAGES, self->ps, self->b);
		res->off[2 * i + 1] = 0;
		if (!before && !fault_cases[i].home)
			res->off[2 * i + 1] = off_node(0, task[i], NR_PAGES, self->ps, self->b);
	}
	return 0;
}

static void expect_faults_inside(struct __test_metadata *_metadata, struct _test_data_sec *self,
				 int task_too)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		EXPECT_EQ(0, self->res->val[2 * i]) TH_LOG("mbind %s", fault_cases[i].name);
		EXPECT_EQ(0, self->res->off[2 * i])
			TH_LOG("VMA policy %s: pages outside the cpuset", fault_cases[i].name);
		if (!task_too || fault_cases[i].home)
			continue;
		EXPECT_EQ(0, self->res->val[2 * i + 1])
			TH_LOG("set_mempolicy %s", fault_cases[i].name);
		EXPECT_EQ(0, self->res->off[2 * i + 1])
			TH_LOG("task policy %s: pages outside the cpuset", fault_cases[i].name);
	}
}

/* Weights that would draw weighted interleave outside, if anything could. */
static void weigh_outside(struct _test_data_sec *self, int in)
{
	struct nodemask out = outside(self, in);
	int node = -1;

	while ((node = mask_next(&out, node)) < MASK_BITS)
		write_weight(node, "20");
}

/*
 * In a cpuset of the last node, running on a CPU of another node where
 * there is one: under each policy that names nodes outside, or the local
 * node, with weights that favour the nodes outside, every page faulted
 * in is on the cpuset's node.  Every policy is accepted (see
 * policy_outside_cpuset): the masks hold the cpuset's node, and relative
 * nodes always name nodes of the cpuset.
 */
TEST_F_TIMEOUT(sec, faults_stay_in_cpuset, 90)
{
	struct attack at = { .self = self };
	struct nodemask in = mask_of(self->b);

	ASSERT_EQ(0, cg_make(&in));

	weigh_outside(self, self->b);
	memset(self->res, 0, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester_in_cg, fault_all, NULL, &at));
	expect_faults_inside(_metadata, self, 1);
}

static void narrow_cpuset(void *arg)
{
	struct attack *at = arg;
	struct nodemask in = mask_of(at->self->b);
	char list[64];

	at->to = write_str(CG_SEC "/cpuset.mems", mask_str(&in, list, sizeof(list)));
}

/*
 * VMA policies set while the cpuset had every node, then the cpuset
 * narrowed to the last node: the pages faulted in afterwards are on it.
 */
TEST_F_TIMEOUT(sec, faults_after_cpuset_narrowed, 90)
{
	struct attack at = { .self = self, .extra = self };

	ASSERT_EQ(0, cg_make(&self->memory));

	weigh_outside(self, self->b);
	memset(self->res, 0, sizeof(*self->res));
	ASSERT_EQ(0, run_as(&tester_in_cg, fault_all, narrow_cpuset, &at));
	ASSERT_EQ(0, at.to) TH_LOG("cpuset.mems not narrowed");
	expect_faults_inside(_metadata, self, 0);
}

/* A shared memory object that root made and bound outside the cpuset. */
enum shared_kind { SHARED_MEMFD, SHARED_SYSV, SHARED_TMPFS };

struct shared_obj {
	enum shared_kind kind;
	int fd;			/* memfd or tmpfs file */
	char *p;		/* root's mapping (memfd, SysV), the child's too */
};

/* The child writes each page: by fault, or by write(2) for the tmpfs file. */
static int write_shared(void *arg)
{
	struct attack *at = arg;
	struct shared_obj *so = at->extra;
	long len = NR_PAGES * at->self->ps;
	char *buf;
	int fd;

	if (so->kind != SHARED_TMPFS) {
		memset(so->p, VICTIM_FILL, len);
		return 0;
	}
	fd = open(TMPFS_DIR "/file", O_WRONLY);
	buf = malloc(len);
	if (fd < 0 || !buf)
		return 100;
	memset(buf, VICTIM_FILL, len);
	if (write(fd, buf, len) != len)
		return 101;
	close(fd);
	free(buf);
	return 0;
}

/*
 * mbind(2): a shared policy of shared memory (memfd, SysV shm) applies to
 * every process that maps it, and the tmpfs mpol= option to the files of
 * the mount; bound by root to the first node, their pages, allocated by
 * the tester in a cpuset of the last node, are on the last node, and the
 * policy stays as root set it.
 */
TEST_F_TIMEOUT(sec, shared_policy_outside_cpuset, 90)
{
	static const char * const kinds[] = { "memfd", "SysV shm", "tmpfs mpol=" };
	struct nodemask in = mask_of(self->b), out = mask_of(self->a);
	long len = NR_PAGES * self->ps;
	struct attack at = { .self = self };
	struct shared_obj so;
	char opts[64], policy[64], want[64];
	int k, shmid = -1;

	ASSERT_EQ(0, cg_make(&in));

	at.extra = &so;
	snprintf(want, sizeof(want), "bind:%d", self->a);
	for (k = SHARED_MEMFD; k <= SHARED_TMPFS; k++) {
		so.kind = k;
		so.fd = -1;
		so.p = NULL;
		if (k == SHARED_MEMFD) {
			so.fd = memfd_create("mempolicy-security", 0);
			ASSERT_LE(0, so.fd);
			ASSERT_EQ(0, ftruncate(so.fd, len));
			so.p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, so.fd, 0);
		} else if (k == SHARED_SYSV) {
			shmid = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
			ASSERT_LE(0, shmid);
			so.p = shmat(shmid, NULL, 0);
		} else {
			mkdir(TMPFS_DIR, 0755);
			snprintf(opts, sizeof(opts), "mpol=bind:%d", self->a);
			ASSERT_EQ(0, mount("tmpfs", TMPFS_DIR, "tmpfs", 0, opts));
			so.fd = open(TMPFS_DIR "/file", O_RDWR | O_CREAT, 0666);
			ASSERT_LE(0, so.fd);
			ASSERT_EQ(0, fchmod(so.fd, 0666));
		}
		if (k != SHARED_TMPFS) {
			ASSERT_NE(MAP_FAILED, so.p);
			ASSERT_NE((void *)-1, so.p);
			ASSERT_EQ(0, sys_mbind(so.p, len, MPOL_BIND, &out, SET_MAXNODE, 0));
		}

		ASSERT_EQ(0, run_as(&tester_in_cg, write_shared, NULL, &at)) TH_LOG("%s", kinds[k]);

		if (k == SHARED_TMPFS) {
			so.p = mmap(NULL, len, PROT_READ, MAP_SHARED, so.fd, 0);
			ASSERT_NE(MAP_FAILED, so.p);
		}
		/* Map the pages here, without allocating any: they are all there. */
		EXPECT_TRUE(intact(getpid(), so.p, len, VICTIM_FILL)) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(0, off_node(0, so.p, NR_PAGES, self->ps, self->b))
			TH_LOG("%s: pages outside the tester's cpuset", kinds[k]);
		ASSERT_TRUE(numa_maps_policy(getpid(), (uintptr_t)so.p, policy, sizeof(policy)));
		EXPECT_STREQ(want, policy) TH_LOG("%s", kinds[k]);

		if (k == SHARED_SYSV) {
			shmdt(so.p);
			shmctl(shmid, IPC_RMID, NULL);
		} else {
			munmap(so.p, len);
			close(so.fd);
		}
		if (k == SHARED_TMPFS) {
			unlink(TMPFS_DIR "/file");
			umount(TMPFS_DIR);
			rmdir(TMPFS_DIR);
		}
	}
}

TEST_HARNESS_MAIN
