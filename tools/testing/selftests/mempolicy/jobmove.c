// SPDX-License-Identifier: GPL-2.0
/*
 * numajob (tools/numajob) moving a live job between nodes, as a batch
 * scheduler does.  The job is a process with two threads: one keeps a
 * region whose every byte it can check, the other keeps mapping, filling
 * and checking new memory while the move runs.  After `numajob move`, the
 * job's cpuset must be the new nodes, every page of the job must be on
 * them, and every byte must be intact.  With cgroup v2, and with a v1
 * cpuset with memory_migrate.
 *
 * On a kernel without page_migrate(2) numajob moves with migrate_pages(2)
 * and says so: these tests pass on both kernels.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <asm/unistd.h>
#include "../kselftest_harness.h"
#include "numa_util.h"

#define V2		"/sys/fs/cgroup"
#define V1		"/tmp/mempolicy-jobmove-v1"
#define JOB_MB		16	/* the region the job checks */
#define GROW_MB		8	/* what its second thread adds during the move */
#define NUMAJOB		"numajob"
/* Seconds a test may take: a move runs several times slower on DEBUG=1 kernels. */
#define JOB_TIMEOUT	300

/* A byte of the job's memory, from its address, so misplaced data shows. */
static char pattern(const char *p)
{
	unsigned long a = (unsigned long)p;

	return (char)(a ^ (a >> 12) ^ (a >> 20));
}

static void fill(char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(p + i);
}

static bool intact(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != pattern(p + i))
			return false;
	return true;
}

/* --- the job ------------------------------------------------------------ */

/*
 * Where the job's own memory is, shared with the test, which asks the
 * kernel where its pages are.  (What the job inherited from the test by
 * fork() is the test's too, and stays where the test's is.)
 */
struct job_memory {
	char *region;
	char *chunks[GROW_MB];
	int nr_chunks;
};

static struct job_memory *job_memory;
/* Set by one thread, read by another: atomics, so each sees the other's. */
static atomic_int grow_stop, job_bad;

static void *grow(void *arg)
{
	size_t mb = 1 << 20;
	char *chunk;

	while (!grow_stop) {
		if (job_memory->nr_chunks < GROW_MB) {
			chunk = mmap(NULL, mb, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (chunk == MAP_FAILED) {
				job_bad = 1;
				break;
			}
			fill(chunk, mb);
			job_memory->chunks[job_memory->nr_chunks++] = chunk;
		}
		for (int i = 0; i < job_memory->nr_chunks; i++)
			if (!intact(job_memory->chunks[i], mb))
				job_bad = 1;
		usleep(20000);
	}
	return NULL;
}

/*
 * The job's main: fill the region, start the growing thread, say "ready",
 * then obey the test: 's' stops the growing, 'c' checks every byte and
 * exits with 0 if intact.
 */
static int job_main(int cmd, int reply)
{
	size_t len = (size_t)JOB_MB << 20;
	pthread_t grower;
	char *region, c;

	region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	fill(region, len);
	job_memory->region = region;
	if (pthread_create(&grower, NULL, grow, NULL))
		return 1;
	if (write(reply, "r", 1) != 1)
		return 1;
	while (read(cmd, &c, 1) == 1) {
		if (c == 's') {
			grow_stop = 1;
			pthread_join(grower, NULL);
			if (write(reply, "s", 1) != 1)
				return 1;
		} else if (c == 'c') {
			return job_bad || !intact(region, len);
		}
	}
	return 1;
}

struct job {
	pid_t pid;
	int cmd, reply;
	struct job_memory *memory;
};

/*
 * Start the job in the cgroup whose procs file is @procs, as @uid, bound
 * to @bind if that is not NULL.
 */
static int job_start(struct job *job, const char *procs, uid_t uid,
		     const struct nodemask *bind)
{
	int cmd[2], reply[2];
	char c;

	job->memory = mmap(NULL, sizeof(*job->memory), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (job->memory == MAP_FAILED || pipe(cmd) || pipe(reply))
		return -1;
	job_memory = job->memory;
	job->pid = fork();
	if (job->pid < 0)
		return -1;
	if (job->pid == 0) {
		close(cmd[1]);
		close(reply[0]);
		if (procs && write_str(procs, "0"))
			_exit(2);
		/*
		 * A process that changed its user is not dumpable, and then
		 * even its own user may not move its memory: a user's job
		 * started by exec() is, so this one must be too.
		 */
		if (uid && (setuid(uid) || prctl(PR_SET_DUMPABLE, 1)))
			_exit(2);
		if (bind && sys_set_mempolicy(MPOL_BIND, bind, SET_MAXNODE))
			_exit(2);
		_exit(job_main(cmd[0], reply[1]));
	}
	close(cmd[0]);
	close(reply[1]);
	job->cmd = cmd[1];
	job->reply = reply[0];
	return read(job->reply, &c, 1) == 1 ? 0 : -1;
}

static int job_say(struct job *job, char c)
{
	return write(job->cmd, &c, 1) == 1 ? 0 : -1;
}

/* Stop its growing and wait until it has. */
static int job_pause(struct job *job)
{
	char c;

	if (job_say(job, 's'))
		return -1;
	return read(job->reply, &c, 1) == 1 ? 0 : -1;
}

/* Have it check its memory and end; true if every byte was intact. */
static bool job_finish(struct job *job)
{
	int status;

	if (job->pid <= 0)
		return false;
	job_say(job, 'c');
	close(job->cmd);
	close(job->reply);
	waitpid(job->pid, &status, 0);
	job->pid = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void job_kill(struct job *job)
{
	if (job->pid <= 0)
		return;
	kill(job->pid, SIGKILL);
	close(job->cmd);
	close(job->reply);
	waitpid(job->pid, NULL, 0);
	job->pid = 0;
}

/*
 * How many pages of the job's region and of its first @nr_chunks chunks
 * are not on @nodes, as move_pages(2) sees them; -1 on error.
 */
static long pages_off(struct job *job, const struct nodemask *nodes, int nr_chunks)
{
	long ps = sysconf(_SC_PAGESIZE), per_mb = (1 << 20) / ps, off = 0;
	long count = (JOB_MB + nr_chunks) * per_mb, i = 0;
	void **pages = calloc(count, sizeof(*pages));
	int *status = calloc(count, sizeof(*status));

	if (!pages || !status)
		return -1;
	for (long p = 0; p < JOB_MB * per_mb; p++)
		pages[i++] = job->memory->region + p * ps;
	for (int c = 0; c < nr_chunks; c++)
		for (long p = 0; p < per_mb; p++)
			pages[i++] = job->memory->chunks[c] + p * ps;
	if (sys_move_pages(job->pid, count, pages, NULL, status, 0))
		off = -1;
	for (i = 0; off >= 0 && i < count; i++)
		off += status[i] < 0 || !mask_test(nodes, status[i]);
	free(pages);
	free(status);
	return off;
}

/* The same for all of the job's own memory; the job is paused. */
static long job_pages_off(struct job *job, const struct nodemask *nodes)
{
	return pages_off(job, nodes, job->memory->nr_chunks);
}

/* Kilobytes of @pid's memory per node, from numa_maps; -1 on error. */
static int job_node_kb(pid_t pid, long *kb, int nr_nodes)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(kb, 0, nr_nodes * sizeof(*kb));
	while (fgets(line, sizeof(line), f)) {
		long pages[TOPO_MAX_NODES] = { 0 }, page_kb = 4, n;
		char *tok, *save;
		int node;

		for (tok = strtok_r(line, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save)) {
			if (sscanf(tok, "N%d=%ld", &node, &n) == 2 && node < nr_nodes)
				pages[node] = n;
			else
				sscanf(tok, "kernelpagesize_kB=%ld", &page_kb);
		}
		for (node = 0; node < nr_nodes; node++)
			kb[node] += pages[node] * page_kb;
	}
	fclose(f);
	return 0;
}

/* --- running numajob ---------------------------------------------------- */

struct run {
	int status;		/* numajob's exit status, or -1 */
	char out[16384];	/* stdout */
	char err[8192];		/* stderr */
	double seconds;
	/* If set, called @midway_ms after numajob starts, with its pid. */
	void (*midway)(pid_t numajob, void *arg);
	void *midway_arg;
	int midway_ms;
};

static void read_all(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	while (used < len - 1 && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += n;
	buf[used] = '\0';
}

/* Run numajob with @args (a shell-free argument list), as @uid. */
static void numajob(struct run *r, uid_t uid, const char *const *args)
{
	int out[2], err[2], status;
	struct timespec t0, t1;
	pid_t pid;

	r->status = -1;
	r->out[0] = '\0';
	r->err[0] = '\0';
	if (pipe(out) || pipe(err))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (uid && setuid(uid))
			_exit(126);
		execvp(NUMAJOB, (char *const *)args);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (r->midway && pid > 0) {
		usleep(r->midway_ms * 1000);
		r->midway(pid, r->midway_arg);
	}
	/* The outputs are small: stdout first, then stderr, cannot block. */
	read_all(out[0], r->out, sizeof(r->out));
	read_all(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
}

static bool have_page_migrate(void)
{
#ifdef __NR_page_migrate
	return syscall(__NR_page_migrate, 0, 0, 0, 0, NULL, NULL) < 0 && errno != ENOSYS;
#else
	return false;
#endif
}

/* --- the fixture ---------------------------------------------------------- */

FIXTURE(jobmove) {
	struct nodemask from, to;	/* the job's nodes before and after */
	char from_list[64], to_list[64];
	const char *root;
	char cg[128], procs[160];
	struct job job;
	int nr_nodes;
};

FIXTURE_VARIANT(jobmove) {
	int v1;
};

FIXTURE_VARIANT_ADD(jobmove, v2) { .v1 = 0 };
FIXTURE_VARIANT_ADD(jobmove, v1_memory_migrate) { .v1 = 1 };

static int cg_write(const char *dir, const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_str(path, s);
}

/*
 * Remove the cgroup @dir if an earlier test left it behind, with the
 * processes in it: a test that timed out leaves its job running.
 */
static void cg_empty(const char *dir)
{
	char path[256], *line, *save, buf[4096];
	int fd, tries = 100;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	while (rmdir(dir) && errno == EBUSY && tries--) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			kill(atoi(line), SIGKILL);
		usleep(100000);
	}
}

FIXTURE_SETUP(jobmove)
{
	struct nodemask memory;
	int n, half;

	self->job.pid = 0;
	ASSERT_EQ(0, read_node_state("has_memory", &memory));
	if (mask_weight(&memory) < 2)
		SKIP(return, "needs two nodes with memory");
	/* The first half of the memory nodes, then the second half. */
	mask_clear(&self->from);
	mask_clear(&self->to);
	half = mask_weight(&memory) / 2;
	for (n = 0; n < mask_weight(&memory); n++)
		mask_set(n < half ? &self->from : &self->to, mask_nth(&memory, n));
	mask_str(&self->from, self->from_list, sizeof(self->from_list));
	mask_str(&self->to, self->to_list, sizeof(self->to_list));
	self->nr_nodes = mask_last(&memory) + 1;

	if (variant->v1) {
		ASSERT_EQ(0, cpuset_v1_mount(V1));
		self->root = V1;
	} else {
		ASSERT_EQ(0, cpuset_v2_enable());
		self->root = V2;
	}
	snprintf(self->cg, sizeof(self->cg), "%s/mempolicy-jobmove", self->root);
	snprintf(self->procs, sizeof(self->procs), "%s/cgroup.procs", self->cg);
	cg_empty(self->cg);
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	if (variant->v1) {
		ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
		ASSERT_EQ(0, cg_write(self->cg, "cpuset.memory_migrate", "1"));
	}
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.mems", self->from_list));
	ASSERT_EQ(0, job_start(&self->job, self->procs, 0, NULL));
}

FIXTURE_TEARDOWN(jobmove)
{
	job_kill(&self->job);
	cg_empty(self->cg);
	if (variant->v1) {
		umount(V1);
		rmdir(V1);
	}
}

/* The job's cgroup allows exactly the nodes of @want. */
static void expect_mems(struct __test_metadata *_metadata, FIXTURE_DATA(jobmove) * self,
			const struct nodemask *want)
{
	char mems[64] = "";
	struct nodemask now;
	char path[192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpuset.mems", self->cg);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(mems, sizeof(mems), f));
	fclose(f);
	ASSERT_EQ(0, mask_parse(mems, &now));
	EXPECT_TRUE(mask_equal(&now, want)) TH_LOG("cpuset.mems %s", mems);
}

static void expect_moved(struct __test_metadata *_metadata, FIXTURE_DATA(jobmove) * self)
{
	expect_mems(_metadata, self, &self->to);
	ASSERT_EQ(0, job_pause(&self->job));
	EXPECT_EQ(0, job_pages_off(&self->job, &self->to));
	EXPECT_TRUE(job_finish(&self->job)) TH_LOG("the job's memory is not intact");
}

/* The job moves while it runs and allocates; its data stays intact. */
TEST_F_TIMEOUT(jobmove, moves_live_job, JOB_TIMEOUT)
{
	const char * const args[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list, NULL };
	struct run r = { 0 };

	numajob(&r, 0, args);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	/* The stock kernel's fallback says so, once; ours has no need to. */
	EXPECT_EQ(!have_page_migrate(), !!strstr(r.err, "no page_migrate")) TH_LOG("%s", r.err);
	expect_moved(_metadata, self);
}

/* --json: one object per line, progress events, then a summary. */
TEST_F_TIMEOUT(jobmove, json_lines, JOB_TIMEOUT)
{
	const char * const args[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
			       "--json", NULL };
	char *line, *save, *last = NULL;
	int progress = 0;
	struct run r = { 0 };

	numajob(&r, 0, args);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);

		EXPECT_TRUE(len >= 2 && line[0] == '{' && line[len - 1] == '}') TH_LOG("%s", line);
		EXPECT_EQ(0, strncmp(line, "{\"event\":\"", 10)) TH_LOG("%s", line);
		progress += !strncmp(line, "{\"event\":\"progress\"", 19);
		last = line;
	}
	EXPECT_LT(0, progress);
	ASSERT_NE(NULL, last);
	EXPECT_EQ(0, strncmp(last, "{\"event\":\"summary\"", 18)) TH_LOG("%s", last);
	EXPECT_NE(NULL, strstr(last, "\"not_moved_mb\":0.0,")) TH_LOG("%s", last);
	EXPECT_NE(NULL, strstr(last, "\"interrupted\":false")) TH_LOG("%s", last);
	expect_moved(_metadata, self);
}

/* --rate holds over the whole move: it takes at least size / rate. */
TEST_F_TIMEOUT(jobmove, rate_limit, JOB_TIMEOUT)
{
	const char * const args[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
			       "--rate", "8", NULL };
	struct run r = { 0 };

	numajob(&r, 0, args);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	/* The job has JOB_MB and more: at 8 MB/s at least JOB_MB / 8 s. */
	EXPECT_LE(JOB_MB / 8.0 * 0.9, r.seconds);
	TH_LOG("moved in %.2f s at --rate 8", r.seconds);
	expect_moved(_metadata, self);
}

/* status: the per-node figures are numa_maps' own, in MB. */
TEST_F_TIMEOUT(jobmove, status_matches_numa_maps, JOB_TIMEOUT)
{
	const char * const args[] = { NUMAJOB, "status", self->cg, "--json", NULL };
	long kb[TOPO_MAX_NODES];
	char key[32], *p;
	struct run r = { 0 };

	ASSERT_EQ(0, job_pause(&self->job));
	numajob(&r, 0, args);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	ASSERT_EQ(0, job_node_kb(self->job.pid, kb, self->nr_nodes));
	p = strstr(r.out, "\"nodes_mb\":{");
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	for (int n = 0; n < self->nr_nodes; n++) {
		double mb;

		snprintf(key, sizeof(key), "\"%d\":", n);
		if (!strstr(p, key)) {
			EXPECT_EQ(0, kb[n]) TH_LOG("node %d missing", n);
			continue;
		}
		mb = strtod(strstr(p, key) + strlen(key), NULL) - kb[n] / 1024.0;
		EXPECT_GE(0.06, mb < 0 ? -mb : mb)
			TH_LOG("node %d: %.2f MB off numa_maps' %ld kB", n, mb, kb[n]);
	}
	/* The job's region is on its first nodes, where it started. */
	EXPECT_EQ(0, job_pages_off(&self->job, &self->from));
	EXPECT_TRUE(job_finish(&self->job));
}

/* --cpus: afterwards the job runs on those CPUs, and its memory moved. */
TEST_F_TIMEOUT(jobmove, cpus_follow, JOB_TIMEOUT)
{
	char cpu[16], cpus[64] = "", path[192];
	const char * const move[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				      "--cpus", cpu, NULL };
	struct run r = { 0 };
	cpu_set_t set;
	FILE *f;
	int first;

	first = node_first_cpu(mask_nth(&self->to, 0));
	if (first < 0)
		SKIP(return, "the new nodes have no CPU");
	snprintf(cpu, sizeof(cpu), "%d", first);
	numajob(&r, 0, move);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	snprintf(path, sizeof(path), "%s/cpuset.cpus", self->cg);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(cpus, sizeof(cpus), f));
	fclose(f);
	cpus[strcspn(cpus, "\n")] = '\0';
	EXPECT_STREQ(cpu, cpus);
	ASSERT_EQ(0, sched_getaffinity(self->job.pid, sizeof(set), &set));
	EXPECT_EQ(1, CPU_COUNT(&set));
	EXPECT_TRUE(CPU_ISSET(first, &set));
	expect_moved(_metadata, self);
}

/* --dry-run says what it would do and changes nothing. */
TEST_F_TIMEOUT(jobmove, dry_run, JOB_TIMEOUT)
{
	const char * const move[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				      "--dry-run", NULL };
	struct run r = { 0 };

	numajob(&r, 0, move);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "would move")) TH_LOG("%s", r.out);
	expect_mems(_metadata, self, &self->from);
	ASSERT_EQ(0, job_pause(&self->job));
	EXPECT_EQ(0, job_pages_off(&self->job, &self->from));
	EXPECT_TRUE(job_finish(&self->job));
}

static void interrupt(pid_t numajob, void *arg)
{
	kill(numajob, SIGINT);
}

/*
 * Ctrl-C stops the move between two chunks: exit status 1, a message
 * that says so, the cpuset left at the old and the new nodes together,
 * and nothing lost; the same move run again finishes it.
 */
TEST_F_TIMEOUT(jobmove, interrupted_then_finished, JOB_TIMEOUT)
{
	const char * const slow[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				      "--rate", "4", "--chunk", "1", NULL };
	const char * const again[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				       NULL };
	struct nodemask wide = self->from;
	struct run r = { .midway = interrupt, .midway_ms = 1000 };

	numajob(&r, 0, slow);
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.err, "interrupted")) TH_LOG("%s", r.err);
	/*
	 * Stopped between two chunks, at 4 MB/s after a second: with
	 * page_migrate(2) most of the region is still on the old nodes.  The
	 * time it took says nothing, as a debug kernel may take seconds over
	 * one chunk, and migrate_pages(2) moves the whole job in one call.
	 */
	if (have_page_migrate())
		EXPECT_LT((JOB_MB << 20) / 4 / getpagesize(),
			  pages_off(&self->job, &self->to, 0));
	for (int n = 0; n < self->nr_nodes; n++)
		if (mask_test(&self->to, n))
			mask_set(&wide, n);
	expect_mems(_metadata, self, &wide);

	memset(&r, 0, sizeof(r));
	numajob(&r, 0, again);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	expect_moved(_metadata, self);
}

struct joiner {
	struct job job;
	const char *procs;
	int started;
};

static void join(pid_t numajob, void *arg)
{
	struct joiner *j = arg;

	j->started = !job_start(&j->job, j->procs, 0, NULL);
}

/* A process that joins the job during the move moves too. */
TEST_F_TIMEOUT(jobmove, process_joins_during_move, JOB_TIMEOUT)
{
	const char * const slow[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				      "--rate", "8", NULL };
	struct joiner j = { .procs = self->procs };
	struct run r = { .midway = join, .midway_arg = &j, .midway_ms = 500 };

	numajob(&r, 0, slow);
	ASSERT_TRUE(j.started);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	ASSERT_EQ(0, job_pause(&j.job));
	EXPECT_EQ(0, job_pages_off(&j.job, &self->to));
	EXPECT_TRUE(job_finish(&j.job));
	expect_moved(_metadata, self);
}

/* Anonymous kilobytes of @pid on nodes outside @nodes, from numa_maps. */
static long anon_kb_outside(pid_t pid, const struct nodemask *nodes)
{
	char path[64], line[4096];
	long kb = 0, n;
	FILE *f;
	int node;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;

		/* A file's pages may be shared with others, and stay. */
		if (strstr(line, " file=") || !strstr(line, " anon="))
			continue;
		for (tok = strtok_r(line, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save))
			if (sscanf(tok, "N%d=%ld", &node, &n) == 2 && !mask_test(nodes, node))
				kb += n * 4;
	}
	fclose(f);
	return kb;
}

/* A real program as the job: numactl's memhog, which links libnuma. */
TEST_F_TIMEOUT(jobmove, memhog, JOB_TIMEOUT)
{
	const char * const move[] = { NUMAJOB, "move", self->cg, "--mems", self->to_list,
				      NULL };
	struct run r = { 0 };
	pid_t hog;
	int i;

	hog = fork();
	ASSERT_LE(0, hog);
	if (hog == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (write_str(self->procs, "0"))
			_exit(2);
		execlp("memhog", "memhog", "-r1000000", "24M", NULL);
		_exit(127);
	}
	/* Let it map and touch its 24 MiB: a second, a debug kernel's ten. */
	for (i = 0; i < 600 && anon_kb_outside(hog, &self->to) < 20 << 10; i++)
		usleep(100 * 1000);
	EXPECT_LE(20 << 10, anon_kb_outside(hog, &self->to));
	numajob(&r, 0, move);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_EQ(0, anon_kb_outside(hog, &self->to));
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
}

/* Bad input: exit status 2, a message that says what is wrong, nothing moved. */
TEST_F_TIMEOUT(jobmove, errors, JOB_TIMEOUT)
{
	char parent[160], child[200], nodes[16];
	const char * const move_child[] = { NUMAJOB, "move", child, "--mems", nodes, NULL };
	const struct {
		const char *args[8];
		const char *message;
	} cases[] = {
		{ { NUMAJOB, "move", "mempolicy-no-such-job", "--mems", "0", NULL },
		  "no such cgroup" },
		{ { NUMAJOB, "move", self->cg, "--mems", "x", NULL }, "is not a list" },
		{ { NUMAJOB, "move", self->cg, "--mems", "63", NULL }, "is not a list" },
		{ { NUMAJOB, "move", self->cg, NULL }, "needs --mems" },
		{ { NUMAJOB, "move", "--mems", "0", NULL }, "needs a job" },
		{ { NUMAJOB, "frobnicate", self->cg, NULL }, "unknown command" },
		{ { NUMAJOB, "move", self->cg, "--mems", "0", "--rate", "-1", NULL },
		  "--rate" },
		{ { NUMAJOB, "move", "--pid", "x", "--mems", "0", NULL }, "--pid" },
		{ { NUMAJOB, "move", "--pid", "999999", "--mems", "0", NULL },
		  "process 999999" },
	};
	struct run r = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		numajob(&r, 0, cases[i].args);
		EXPECT_EQ(2, r.status) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE(NULL, strstr(r.err, cases[i].message))
			TH_LOG("case %zu: '%s' not in '%s'", i, cases[i].message, r.err);
	}

	/* New nodes outside the parent's cpuset. */
	snprintf(parent, sizeof(parent), "%s/mempolicy-jobmove-parent", self->root);
	snprintf(child, sizeof(child), "%s/job", parent);
	rmdir(child);
	rmdir(parent);
	ASSERT_EQ(0, mkdir(parent, 0755));
	ASSERT_EQ(0, variant->v1 ? cg_write(parent, "cpuset.cpus", "0") :
		  cg_write(parent, "cgroup.subtree_control", "+cpuset"));
	ASSERT_EQ(0, cg_write(parent, "cpuset.mems", self->from_list));
	ASSERT_EQ(0, mkdir(child, 0755));
	snprintf(nodes, sizeof(nodes), "%d", mask_nth(&self->to, 0));
	numajob(&r, 0, move_child);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "not all in the parent's cpuset")) TH_LOG("%s", r.err);
	rmdir(child);
	rmdir(parent);

	/* Nothing of the job moved meanwhile. */
	ASSERT_EQ(0, job_pause(&self->job));
	EXPECT_EQ(0, job_pages_off(&self->job, &self->from));
	EXPECT_TRUE(job_finish(&self->job));
}

/*
 * An unprivileged user moves the memory of its own processes (by PID), and
 * not another user's: there numajob says it has no permission.
 */
TEST_F_TIMEOUT(jobmove, unprivileged, JOB_TIMEOUT)
{
	char pid[16], nodes[16];
	const char * const move_pid[] = { NUMAJOB, "move", "--pid", pid, "--mems", nodes, NULL };
	struct job own = { 0 };
	struct nodemask first;
	struct run r = { 0 };

	if (variant->v1)
		SKIP(return, "the cgroup plays no part");
	/*
	 * The user's job, in the root cgroup, which allows every node, with
	 * its memory bound to the first nodes.
	 */
	ASSERT_EQ(0, job_start(&own, NULL, TESTER_UID, &self->from));
	/*
	 * Without a cpuset to narrow, nothing steers what the job allocates
	 * after the move: pause it first.
	 */
	ASSERT_EQ(0, job_pause(&own));
	ASSERT_EQ(0, job_pages_off(&own, &self->from));
	snprintf(pid, sizeof(pid), "%d", own.pid);
	first = mask_of(mask_nth(&self->to, 0));
	mask_str(&first, nodes, sizeof(nodes));
	numajob(&r, TESTER_UID, move_pid);
	/*
	 * 1: pages it shares with other processes (libc's, and the test's
	 * own that it inherited) stay without CAP_SYS_NICE, and numajob says so.
	 */
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.err, "shared with other processes")) TH_LOG("%s", r.err);
	EXPECT_EQ(0, job_pages_off(&own, &first));
	EXPECT_TRUE(job_finish(&own));

	/* Root's job: refused, and nothing moved. */
	snprintf(pid, sizeof(pid), "%d", self->job.pid);
	numajob(&r, TESTER_UID, move_pid);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "no permission")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, job_pause(&self->job));
	EXPECT_EQ(0, job_pages_off(&self->job, &self->from));
	EXPECT_TRUE(job_finish(&self->job));
}

TEST_HARNESS_MAIN
