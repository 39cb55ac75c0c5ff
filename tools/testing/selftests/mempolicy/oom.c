// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM killer's policy domain.  When an allocation under MPOL_BIND
 * {X} finds node X full, the kill is constrained by the policy
 * (CONSTRAINT_MEMORY_POLICY, with the allocation's node mask): the OOM
 * killer chooses only among the tasks that may have memory on X.  In
 * Linux 6.12 (mempolicy_in_oom_domain()) that leaves out a task whose
 * task policy binds it to nodes that do not include X, and no other:
 * tasks bound to nodes that include X, and tasks with any other task
 * policy, such as preferred, may be chosen.
 *
 * Each test forks a task bound to another node Y that holds much of Y and
 * whose oom_score_adj of 1000 makes it the OOM killer's first choice
 * where it may choose it, and then a task bound to X that writes pages
 * until node X runs out.  The bystander bound to Y must survive; the
 * writer, or a task favoured by its oom_score_adj that may have memory on
 * X, is killed.  The kernel's log names the victims and the constraint.
 * The test itself has an oom_score_adj of -1000, so that it is never
 * chosen.
 */
#include <signal.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define MAX_TASKS	3
/* How long node X may take to run out, in tenths of a second. */
#define WAIT_TENTHS	900

FIXTURE(oom) {
	struct nodemask memory;
	int x, y;		/* the node that runs out, another with memory */
	long free_y;		/* MiB free on y */
	pid_t pids[MAX_TASKS];
	int kmsg;		/* /dev/kmsg, read from the test's start */
	long kills;		/* the oom_kill event count at the start */
};

/* A field of /sys/devices/system/node/node@node/meminfo in MiB, or -1. */
static long node_mb(int node, const char *field)
{
	char path[96], line[256], name[64];
	long kb = -1, val;
	int n;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %d %63[^:]: %ld", &n, name, &val) == 3 &&
		    !strcmp(name, field))
			kb = val;
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/* How many swap devices and files are on, or -1. */
static int swap_devices(void)
{
	char line[512];
	int n = -1;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return -1;
	/* A line of headings, then one for each. */
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static int set_oom_score_adj(int adj)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", adj);
	return write_str("/proc/self/oom_score_adj", val);
}

FIXTURE_SETUP(oom)
{
	long free, most = -1, least = -1;
	int node = -1;

	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	if (mask_weight(&self->memory) < 2)
		SKIP(return, "needs two nodes with memory");
	/* Either would make the outcome something other than the domain's. */
	ASSERT_EQ(0, read_long("/proc/sys/vm/panic_on_oom"));
	ASSERT_EQ(0, read_long("/proc/sys/vm/oom_kill_allocating_task"));
	/* With swap, node X would not run out in good time. */
	ASSERT_EQ(0, swap_devices()) TH_LOG("swap is on");

	/* X: the node with the least free memory, Y the one with the most. */
	self->x = -1;
	self->y = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		free = node_mb(node, "MemFree");
		ASSERT_LE(0, free);
		if (self->x < 0 || free < least) {
			self->x = node;
			least = free;
		}
	}
	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		free = node_mb(node, "MemFree");
		if (node != self->x && free > most) {
			self->y = node;
			most = free;
		}
	}
	self->free_y = most;
	ASSERT_LE(0, self->y);

	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	ASSERT_LE(0, lseek(self->kmsg, 0, SEEK_END));
	self->kills = vmstat_read("oom_kill");
	ASSERT_LE(0, self->kills);
	ASSERT_EQ(0, set_oom_score_adj(-1000));
}

/* In the parent, so that no task is left behind whatever the test did. */
FIXTURE_TEARDOWN_PARENT(oom)
{
	int i;

	for (i = 0; i < MAX_TASKS; i++) {
		if (self->pids[i] <= 0)
			continue;
		kill(self->pids[i], SIGKILL);
		waitpid(self->pids[i], NULL, 0);
	}
}

/*
 * Fork a task with the task policy @mode over @nodes and oom_score_adj
 * @adj that writes @mb MiB and waits, or with @mb < 0, writes pages until
 * it is killed (and exits with 3 if it never is).  It returns once the
 * task has written its memory, or has started writing.
 */
static pid_t start_task(struct __test_metadata *_metadata,
			struct _test_data_oom *self, int slot, int mode,
			const struct nodemask *nodes, int adj, long mb)
{
	long ps = sysconf(_SC_PAGESIZE), len, i;
	int fds[2];
	char c = 0;
	char *p;
	pid_t pid;

	/* The writer has the node's size and more to write: more than it can. */
	len = (mb < 0 ? node_mb(self->x, "MemTotal") + 64 : mb) << 20;
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(fds[0]);
		if (set_oom_score_adj(adj) || sys_set_mempolicy(mode, nodes, SET_MAXNODE))
			_exit(2);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED || madvise(p, len, MADV_NOHUGEPAGE))
			_exit(2);
		if (mb < 0 && write(fds[1], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < len; i += ps)
			p[i] = 1;
		if (mb < 0)
			_exit(3);
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	self->pids[slot] = pid;
	close(fds[1]);
	ASSERT_EQ(1, read(fds[0], &c, 1)) TH_LOG("task %d did not start", slot);
	close(fds[0]);
	return pid;
}

/* Wait up to WAIT_TENTHS for @pid to end; its wait status, or -1. */
static int wait_end(pid_t pid)
{
	int status, i;

	for (i = 0; i < WAIT_TENTHS; i++) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got < 0)
			return -1;
		usleep(100000);
	}
	return -1;
}

/* Whether @pid runs yet: not ended, not killed. */
static int alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0 && kill(pid, 0) == 0;
}

/*
 * Read the kernel's log since the test started: the pids of the tasks
 * that the OOM killer killed, in order, into @killed (at most @max), and
 * the number of OOM reports whose constraint and node mask were not the
 * policy's {X} into @wrong.  It returns how many were killed.
 */
static int read_kills(struct _test_data_oom *self, pid_t *killed, int max,
		      int *wrong, int *reports)
{
	char rec[8192], want[64], *msg;
	int n = 0, pid;
	ssize_t len;

	*wrong = 0;
	*reports = 0;
	snprintf(want, sizeof(want), "constraint=CONSTRAINT_MEMORY_POLICY,nodemask=%d,",
		 self->x);
	for (;;) {
		len = read(self->kmsg, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (len <= 0)
			break;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		if (sscanf(msg, "Out of memory: Killed process %d", &pid) == 1 && n < max)
			killed[n++] = pid;
		if (!strncmp(msg, "oom-kill:", 9)) {
			(*reports)++;
			*wrong += !strstr(msg, want);
		}
	}
	return n;
}

/*
 * Start the bystander bound to Y, then @extra (if @extra_mode) with
 * oom_score_adj 1000 and 8 MiB, then the writer bound to X; wait for the
 * writer's end and check that the OOM killer killed @extra (if any) and
 * then the writer, nothing else, and spared the bystander.
 */
static void run(struct __test_metadata *_metadata, struct _test_data_oom *self,
		int extra_mode, const struct nodemask *extra_nodes)
{
	struct nodemask x = mask_of(self->x), y = mask_of(self->y);
	pid_t bystander, extra = 0, writer, killed[8];
	int status, n, wrong, reports, want = 1;
	char buf[64];

	/* Much of Y, but room for the kernel and the extra task there. */
	ASSERT_LT(40, self->free_y);
	bystander = start_task(_metadata, self, 0, MPOL_BIND, &y, 1000,
			       (self->free_y - 32) * 3 / 4);
	if (extra_mode) {
		extra = start_task(_metadata, self, 1, extra_mode, extra_nodes, 1000, 8);
		want++;
	}
	writer = start_task(_metadata, self, 2, MPOL_BIND, &x, 0, -1);
	TH_LOG("node %d runs out; bystander bound to %d holds %ld MiB",
	       self->x, self->y, (self->free_y - 32) * 3 / 4);

	status = wait_end(writer);
	ASSERT_NE(-1, status) TH_LOG("the writer bound to node %d was not killed", self->x);
	self->pids[2] = 0;
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("the writer ended with status %#x, not by SIGKILL", status);
	if (extra) {
		status = wait_end(extra);
		self->pids[1] = 0;
		ASSERT_TRUE(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("the task that may have memory on node %d was not killed",
			       self->x);
	}
	ASSERT_TRUE(alive(bystander))
		TH_LOG("the task bound to node %d was killed for node %d", self->y, self->x);

	n = read_kills(self, killed, 8, &wrong, &reports);
	ASSERT_EQ(want, n) TH_LOG("the log names %d OOM kills", n);
	if (extra)
		EXPECT_EQ(extra, killed[0]);
	EXPECT_EQ(writer, killed[want - 1]);
	EXPECT_EQ(want, vmstat_read("oom_kill") - self->kills);
	/* Reports are rate limited, but these few are all printed. */
	EXPECT_EQ(want, reports);
	EXPECT_EQ(0, wrong) TH_LOG("an OOM report had another constraint than %s",
				   mask_str(&x, buf, sizeof(buf)));
}

/*
 * A bigger task bound to another node, with oom_score_adj 1000, is left
 * alone: the writer bound to X, the one task that may have memory there,
 * is killed.
 */
TEST_F_TIMEOUT(oom, bound_elsewhere_spared, 180)
{
	run(_metadata, self, 0, NULL);
}

/* A task bound to X and Y may have memory on X: it is killed first. */
TEST_F_TIMEOUT(oom, bound_overlapping_killed, 180)
{
	struct nodemask xy = mask_of(self->x);

	mask_set(&xy, self->y);
	run(_metadata, self, MPOL_BIND, &xy);
}

/* So may a task that prefers Y, which falls back to other nodes. */
TEST_F_TIMEOUT(oom, preferred_elsewhere_killed, 180)
{
	struct nodemask y = mask_of(self->y);

	run(_metadata, self, MPOL_PREFERRED, &y);
}

TEST_HARNESS_MAIN
