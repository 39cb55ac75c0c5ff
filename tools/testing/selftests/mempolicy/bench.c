// SPDX-License-Identifier: GPL-2.0
/*
 * bench [quick]
 *
 * Measure the NUMA placement paths that users feel: memory bandwidth, page
 * faults under every policy mode, the NUMA system calls, policy-heavy
 * address spaces, and moving a running job's memory between nodes.  It is a
 * benchmark, not a test: scripts/bench.sh runs it on the stock and on the
 * patched kernel in turns and compares the two.
 *
 * Every figure is printed as one line
 *
 *	row NAME VALUE UNIT DESCRIPTION
 *
 * with VALUE "n/a" where the kernel lacks the call, and the wait that the
 * target of a move sees, for the plot, as
 *
 *	wait METHOD MS_SINCE_START LONGEST_WAIT_MS
 *
 * "error ..." lines report a check that failed (page contents after a move);
 * the exit status is then 1.  "quick" selects small sizes for CI.
 *
 * The same waits while nothing moves, for a second, give the floor that
 * the guest itself sets.  Moves go from the first to the last node with
 * memory.  The caller runs on the first node's CPU and the target's busy
 * thread on the last node's, so that they contend for the target's mmap
 * lock and not for a CPU.  Run it as root: it writes cgroup files and turns
 * NUMA balancing off, which would otherwise move pages behind its back.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "../kselftest.h"
#include "numa_util.h"

#define CGROUP		"/sys/fs/cgroup"
#define JOB_CGROUP	CGROUP "/bench-job"
/* The share of a move's window, before and after it, shown in the plot. */
#define MARGIN_NS	(100 * 1000000ULL)
#define PLOT_BUCKETS	200
#define MAX_SAMPLES	(1024 * 1024)
#define JOB_TASKS	4

struct sizes {
	long move_mib;		/* memory moved by each method */
	long fault_mib;		/* faulted in under each mode */
	long vmas;		/* VMAs of the policy-heavy address spaces */
	long calls;		/* calls timed per latency row */
	long reps;		/* repetitions of the whole-address-space rows */
};

static const struct sizes full = { 256, 128, 10000, 20000, 10 };
static const struct sizes quick = { 32, 16, 1000, 2000, 3 };
static const struct sizes *sz = &full;

/*
 * The target of a move: a process with sz->move_mib of memory on the first
 * node and a thread that maps, touches and unmaps a page in a loop and
 * records when each step began, so that the caller can see how long the
 * target waited in mmap(), in the page fault and in munmap() during the
 * move.  The record is in memory shared with the caller, on the last node,
 * where no move takes it from.
 */
struct sample {
	uint64_t start, mapped, touched, unmapped;
};

struct target {
	int go, stop, ready, intact;
	unsigned long addr;
	long nr_samples;
	struct sample samples[MAX_SAMPLES];
};

static struct target *tg;

static long page_size;
static int node_from, node_to;
static struct nodemask mask_from, mask_to, mask_both;
static int failed;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One figure; NAN for one that the kernel cannot give ("n/a"). */
static void print_row(const char *name, double value, const char *unit, const char *desc)
{
	if (isnan(value))
		printf("row %s n/a %s %s\n", name, unit, desc);
	else
		printf("row %s %.6g %s %s\n", name, value, unit, desc);
	fflush(stdout);
}

/* Report a failed step or check; the run then exits with 1. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("error ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	failed = 1;
}

/* @mib of anonymous memory in base pages, placed by @mode on @nodes, touched. */
static char *map_on(long mib, int mode, const struct nodemask *nodes)
{
	size_t len = mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Huge pages would make every count here 512 times smaller. */
	madvise(p, len, MADV_NOHUGEPAGE);
	if (sys_mbind(p, len, mode, nodes, SET_MAXNODE, 0)) {
		munmap(p, len);
		return NULL;
	}
	memset(p, 1, len);
	return p;
}

/* The guest's memory bandwidth between the two nodes: the limit of a move. */
static double bench_memcpy(void)
{
	long mib = sz->move_mib < 64 ? sz->move_mib : 64;
	char *src = map_on(mib, MPOL_BIND, &mask_from);
	char *dst = map_on(mib, MPOL_BIND, &mask_to);
	uint64_t t;
	int i;

	if (!src || !dst) {
		fail("memcpy: cannot map the buffers");
		return 0;
	}
	memcpy(dst, src, mib << 20);	/* warm caches and TLB */
	t = now_ns();
	for (i = 0; i < 4; i++)
		memcpy(dst, src, mib << 20);
	t = now_ns() - t;
	munmap(src, mib << 20);
	munmap(dst, mib << 20);
	return 4.0 * mib / (t / 1e9);
}

static void bench_faults(void)
{
	static const struct {
		const char *name;
		int mode;
		const struct nodemask *nodes;
	} modes[] = {
		{ "default", MPOL_DEFAULT, NULL },
		{ "bind", MPOL_BIND, &mask_from },
		{ "interleave", MPOL_INTERLEAVE, &mask_both },
		{ "weighted_interleave", MPOL_WEIGHTED_INTERLEAVE, &mask_both },
		{ "preferred", MPOL_PREFERRED, &mask_from },
		{ "preferred_many", MPOL_PREFERRED_MANY, &mask_both },
	};
	size_t len = sz->fault_mib << 20, off;
	char name[64], desc[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		uint64_t t;
		char *p;

		snprintf(name, sizeof(name), "fault.%s", modes[i].name);
		snprintf(desc, sizeof(desc), "page faults, %s", modes[i].name);
		if (sys_set_mempolicy(modes[i].mode, modes[i].nodes, SET_MAXNODE)) {
			fail("%s: set_mempolicy failed", name);
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fail("%s: mmap failed", name);
			continue;
		}
		madvise(p, len, MADV_NOHUGEPAGE);
		t = now_ns();
		for (off = 0; off < len; off += page_size)
			p[off] = 1;
		t = now_ns() - t;
		munmap(p, len);
		sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
		print_row(name, (len / page_size) / (t / 1e9), "faults/s", desc);
	}
}

static char *one_page, *split_vmas;

/* Two policies in turn, so that no call finds its policy already set. */
static long call_set_mempolicy(long i)
{
	return sys_set_mempolicy(i & 1 ? MPOL_BIND : MPOL_INTERLEAVE,
				 i & 1 ? &mask_from : &mask_both, SET_MAXNODE);
}

static long call_get_mempolicy(long i)
{
	struct nodemask out;
	int mode;

	return sys_get_mempolicy(&mode, &out, SET_MAXNODE, NULL, 0);
}

static long call_get_mempolicy_addr(long i)
{
	struct nodemask out;
	int mode;

	return sys_get_mempolicy(&mode, &out, SET_MAXNODE, one_page, MPOL_F_ADDR);
}

static long call_mbind_page(long i)
{
	return sys_mbind(one_page, page_size, MPOL_BIND, i & 1 ? &mask_from : &mask_to,
			 SET_MAXNODE, 0);
}

/* The middle page of the ith mapping of three pages. */
static long call_mbind_split(long i)
{
	return sys_mbind(split_vmas + (i * 4 + 1) * page_size, page_size, MPOL_BIND,
			 &mask_from, SET_MAXNODE, 0);
}

/*
 * The mean time of one call, from a timed run of sz->calls of them: a
 * clock read per call would cost as much as the call in a TCG guest.
 */
static void time_calls(const char *name, const char *desc, long (*call)(long i))
{
	uint64_t t = now_ns();
	long i;

	for (i = 0; i < sz->calls; i++)
		if (call(i)) {
			fail("%s: the call failed: %s", name, strerror(errno));
			return;
		}
	t = now_ns() - t;
	print_row(name, (double)t / sz->calls, "ns", desc);
}

static void bench_calls(void)
{
	long i;

	time_calls("set_mempolicy", "set_mempolicy", call_set_mempolicy);
	time_calls("get_mempolicy", "get_mempolicy", call_get_mempolicy);
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);

	one_page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (one_page == MAP_FAILED ||
	    sys_mbind(one_page, page_size, MPOL_BIND, &mask_from, SET_MAXNODE, 0)) {
		fail("mbind: cannot map a page with a policy");
		return;
	}
	time_calls("get_mempolicy_addr", "get_mempolicy MPOL_F_ADDR", call_get_mempolicy_addr);
	time_calls("mbind_page", "mbind of one page", call_mbind_page);
	munmap(one_page, page_size);

	/*
	 * Mappings of three pages with a hole after each, so that they stay
	 * apart; binding the middle page splits each into three VMAs.
	 */
	split_vmas = mmap(NULL, sz->calls * 4 * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (split_vmas == MAP_FAILED) {
		fail("mbind_split: cannot map the VMAs");
		return;
	}
	for (i = 0; i < sz->calls; i++)
		munmap(split_vmas + (i * 4 + 3) * page_size, page_size);
	time_calls("mbind_split", "mbind that splits a VMA", call_mbind_split);
	munmap(split_vmas, sz->calls * 4 * page_size);
}

/*
 * @n adjacent one-page VMAs that cannot merge: every other page is
 * read-only.  Unfaulted, so that the rows below time the VMA and policy
 * work and not page copies.
 */
static char *map_vmas(long n)
{
	char *p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 1; i < n; i += 2)
		if (mprotect(p + i * page_size, page_size, PROT_READ))
			return NULL;
	return p;
}

static double ms_since(uint64_t t)
{
	return (now_ns() - t) / 1e6;
}

static void bench_vmas(void)
{
	char *p = map_vmas(sz->vmas);
	char desc[96];
	double total;
	long i;

	if (!p) {
		fail("mbind_vmas: cannot map the VMAs");
		return;
	}
	total = 0;
	for (i = 0; i < sz->reps; i++) {
		uint64_t t = now_ns();

		if (sys_mbind(p, sz->vmas * page_size, MPOL_BIND,
			      i & 1 ? &mask_from : &mask_to, SET_MAXNODE, 0))
			fail("mbind_vmas: mbind failed: %s", strerror(errno));
		total += ms_since(t);
	}
	snprintf(desc, sizeof(desc), "mbind over %ld VMAs", sz->vmas);
	print_row("mbind_vmas", total / sz->reps, "ms", desc);

	total = 0;
	for (i = 0; i < sz->reps; i++) {
		uint64_t t = now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		total += ms_since(t);
		if (pid < 0)
			fail("fork_vmas: fork failed");
		else
			waitpid(pid, NULL, 0);
	}
	snprintf(desc, sizeof(desc), "fork with %ld VMA policies", sz->vmas);
	print_row("fork_vmas", total / sz->reps, "ms", desc);
	munmap(p, sz->vmas * page_size);
}

static int write_node(const char *file, int node)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", node);
	return write_str(file, s);
}

static int join_job(pid_t pid)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", pid);
	return write_str(JOB_CGROUP "/cgroup.procs", s);
}

/* A job cgroup on the first node: 0, or -1 when cpusets are not there. */
static int job_create(void)
{
	if (write_str(CGROUP "/cgroup.subtree_control", "+cpuset"))
		return -1;
	mkdir(JOB_CGROUP, 0755);
	return write_node(JOB_CGROUP "/cpuset.mems", node_from);
}

static void job_remove(void)
{
	int tries = 100;

	/* The cgroup goes once its last task has been reaped, not before. */
	while (rmdir(JOB_CGROUP) && errno == EBUSY && --tries)
		usleep(10000);
}

/*
 * A job of JOB_TASKS processes with sz->vmas VMA policies between them: one
 * cpuset.mems write has to rebind every one of them.
 */
static void bench_cpuset_rebind(void)
{
	int ready[2], done[2], i, started = 0;
	pid_t pids[JOB_TASKS];
	double total = 0;
	char desc[96], c;

	if (job_create() || pipe(ready) || pipe(done)) {
		fail("cpuset_rebind: no cpuset cgroup");
		return;
	}
	for (i = 0; i < JOB_TASKS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			long n = sz->vmas / JOB_TASKS;
			char *p;

			/* The record stays on its node: no task of a job maps it. */
			munmap(tg, sizeof(*tg));
			close(done[1]);
			p = map_vmas(n);
			if (!p || sys_mbind(p, n * page_size, MPOL_BIND, &mask_from,
					    SET_MAXNODE, 0))
				_exit(1);
			write(ready[1], "", 1);
			/* Until the end of the job. */
			while (read(done[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (pids[i] < 0 || join_job(pids[i]))
			fail("cpuset_rebind: cannot start the job");
	}
	close(ready[1]);
	while (started < JOB_TASKS && read(ready[0], &c, 1) == 1)
		started++;
	if (started < JOB_TASKS)
		fail("cpuset_rebind: %d of %d tasks set up", started, JOB_TASKS);
	for (i = 0; i < sz->reps; i++) {
		uint64_t t = now_ns();

		if (write_node(JOB_CGROUP "/cpuset.mems", i & 1 ? node_from : node_to))
			fail("cpuset_rebind: cpuset.mems write failed");
		total += ms_since(t);
	}
	close(done[1]);
	close(done[0]);
	close(ready[0]);
	for (i = 0; i < JOB_TASKS; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	job_remove();
	snprintf(desc, sizeof(desc), "cpuset.mems change, %d tasks, %ld VMAs",
		 JOB_TASKS, sz->vmas);
	print_row("cpuset_rebind", total / sz->reps, "ms", desc);
}

static unsigned char fill_of(long page)
{
	return page * 7 + 1;
}

static void *busy_thread(void *arg)
{
	int cpu = node_first_cpu(node_to);

	if (cpu >= 0)
		run_on(cpu);
	while (!__atomic_load_n(&tg->go, __ATOMIC_ACQUIRE))
		usleep(100);
	while (!__atomic_load_n(&tg->stop, __ATOMIC_ACQUIRE) && tg->nr_samples < MAX_SAMPLES) {
		struct sample *s = &tg->samples[tg->nr_samples];
		char *p;

		s->start = now_ns();
		p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		s->mapped = now_ns();
		if (p == MAP_FAILED)
			break;
		*p = 1;
		s->touched = now_ns();
		munmap(p, page_size);
		s->unmapped = now_ns();
		tg->nr_samples++;
	}
	return arg;
}

static void target_main(int in_job)
{
	long pages = (sz->move_mib << 20) / page_size, i, bad = 0;
	char *buf, *expect = malloc(page_size);
	pthread_t thread;

	if (!expect || (in_job && join_job(getpid())))
		_exit(1);
	buf = map_on(sz->move_mib, MPOL_BIND, &mask_from);
	if (!buf)
		_exit(1);
	/* Unbound again: a cpuset move must be free to place it elsewhere. */
	sys_mbind(buf, sz->move_mib << 20, MPOL_DEFAULT, NULL, 0, 0);
	for (i = 0; i < pages; i++)
		memset(buf + i * page_size, fill_of(i), page_size);
	tg->addr = (unsigned long)buf;
	if (pthread_create(&thread, NULL, busy_thread, NULL))
		_exit(1);
	__atomic_store_n(&tg->ready, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	for (i = 0; i < pages; i++) {
		memset(expect, fill_of(i), page_size);
		bad += !!memcmp(buf + i * page_size, expect, page_size);
	}
	tg->intact = !bad;
	_exit(0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The longest and the 99th-percentile wait, in ms, of @n waits in ns. */
static void wait_stats(uint64_t *w, long n, double *max, double *p99)
{
	qsort(w, n, sizeof(*w), cmp_u64);
	*max = n ? w[n - 1] / 1e6 : 0;
	*p99 = n ? w[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6 : 0;
}

/* The rows of a move, in the order of enum move_row. */
enum move_row { THROUGHPUT, SHARE, MMAP_MAX, MMAP_P99, FAULT_MAX, FAULT_P99, NR_MOVE_ROWS };

static const char * const move_rows[][3] = {
	{ "throughput", "MiB/s", "move %ld MiB" },
	{ "share", "%", "share of memcpy" },
	{ "mmap_max", "ms", "longest wait in mmap/munmap" },
	{ "mmap_p99", "ms", "p99 wait in mmap/munmap" },
	{ "fault_max", "ms", "longest wait in a page fault" },
	{ "fault_p99", "ms", "p99 wait in a page fault" },
};

static void print_move_row(const char *method, enum move_row r, double value)
{
	char name[64], desc[128];
	int n;

	snprintf(name, sizeof(name), "move.%s.%s", method, move_rows[r][0]);
	n = snprintf(desc, sizeof(desc), "%s: ", method);
	snprintf(desc + n, sizeof(desc) - n, move_rows[r][2], sz->move_mib);
	print_row(name, value, move_rows[r][1], desc);
}

/* The target's waits while [@t0, @t1) lasted: rows, and the plot's series. */
static void report_waits(const char *method, uint64_t t0, uint64_t t1)
{
	uint64_t *sys = calloc(2 * tg->nr_samples + 1, sizeof(*sys));
	uint64_t *flt = calloc(tg->nr_samples + 1, sizeof(*flt));
	double bucket_ms[PLOT_BUCKETS], max, p99;
	uint64_t from = t0 - MARGIN_NS, span = t1 - t0 + 2 * MARGIN_NS;
	long i, nsys = 0, nflt = 0, b;

	for (b = 0; b < PLOT_BUCKETS; b++)
		bucket_ms[b] = -1;
	for (i = 0; i < tg->nr_samples; i++) {
		struct sample *s = &tg->samples[i];
		uint64_t wait = s->unmapped - s->start;

		if (s->start >= from && s->start < from + span) {
			b = (s->start - from) * PLOT_BUCKETS / span;
			if (wait / 1e6 > bucket_ms[b])
				bucket_ms[b] = wait / 1e6;
		}
		/* A call counts if it overlapped the move. */
		if (s->unmapped < t0 || s->start >= t1)
			continue;
		sys[nsys++] = s->mapped - s->start;
		sys[nsys++] = s->unmapped - s->touched;
		flt[nflt++] = s->touched - s->mapped;
	}
	for (b = 0; b < PLOT_BUCKETS; b++)
		if (bucket_ms[b] >= 0)
			printf("wait %s %.3f %.3f\n", method,
			       ((double)from + (b + 0.5) * span / PLOT_BUCKETS - t0) / 1e6,
			       bucket_ms[b]);

	wait_stats(sys, nsys, &max, &p99);
	print_move_row(method, MMAP_MAX, max);
	print_move_row(method, MMAP_P99, p99);
	wait_stats(flt, nflt, &max, &p99);
	print_move_row(method, FAULT_MAX, max);
	print_move_row(method, FAULT_P99, p99);
	free(sys);
	free(flt);
}

/* page_migrate(2), with one pair of nodes; headers without it give EINVAL. */
static long sys_page_migrate(pid_t pid, unsigned long start, unsigned long end,
			     const int *from, const int *to)
{
#ifdef __NR_page_migrate
	return syscall(__NR_page_migrate, pid, start, end, 1UL, from, to);
#else
	errno = EINVAL;
	return -1;
#endif
}

/*
 * Whether the kernel has page_migrate: moving the first page of the
 * address space, where nothing is mapped, from a node to itself moves
 * nothing and returns 0; stock has no call with its number.
 */
static int have_page_migrate(void)
{
	return sys_page_migrate(0, 0, page_size, &node_from, &node_from) == 0;
}

/*
 * BY_NOTHING moves nothing for IDLE_US: the waits that the target sees
 * without a move, the floor that the guest itself sets for the others.
 */
enum method { BY_NOTHING, BY_MIGRATE_PAGES, BY_MOVE_PAGES, BY_CPUSET, BY_PAGE_MIGRATE };

static const char * const method_names[] = {
	"no_move", "migrate_pages", "move_pages", "cpuset", "page_migrate",
};

#define IDLE_US		1000000

/* move_pages' arrays for the target's buffer, filled before the clock runs. */
static void **move_addrs;
static int *move_nodes, *move_status;

/* Move the target's memory by @m; the call's result, -1 with errno. */
static long move(enum method m, pid_t pid)
{
	long pages = (sz->move_mib << 20) / page_size;

	switch (m) {
	case BY_NOTHING:
		return usleep(IDLE_US);
	case BY_MIGRATE_PAGES:
		return syscall(__NR_migrate_pages, pid, SET_MAXNODE, mask_from.bits,
			       mask_to.bits);
	case BY_MOVE_PAGES:
		return sys_move_pages(pid, pages, move_addrs, move_nodes, move_status,
				      MPOL_MF_MOVE);
	case BY_CPUSET:
		return write_node(JOB_CGROUP "/cpuset.mems", node_to) ? -1 : 0;
	case BY_PAGE_MIGRATE:
		return sys_page_migrate(pid, 0, ULONG_MAX, &node_from, &node_to);
	}
	return -1;
}

static void bench_move(enum method m, double memcpy_mibs)
{
	const char *method = method_names[m];
	long pages = (sz->move_mib << 20) / page_size, left = 0, i, ret;
	uint64_t t0, t1;
	double mibs;
	pid_t pid;
	int err;

	if (m == BY_PAGE_MIGRATE && !have_page_migrate()) {
		for (i = 0; i < NR_MOVE_ROWS; i++)
			print_move_row(method, i, NAN);
		return;
	}
	memset(tg, 0, sizeof(*tg));
	if (m == BY_CPUSET && job_create()) {
		fail("%s: no cpuset cgroup", method);
		return;
	}
	pid = fork();
	if (pid == 0)
		target_main(m == BY_CPUSET);
	while (pid > 0 && !__atomic_load_n(&tg->ready, __ATOMIC_ACQUIRE) &&
	       waitpid(pid, NULL, WNOHANG) == 0)
		usleep(1000);
	if (pid < 0 || !tg->ready) {
		fail("%s: the target did not start", method);
		return;
	}
	for (i = 0; i < pages; i++) {
		move_addrs[i] = (void *)(tg->addr + i * page_size);
		move_nodes[i] = node_to;
	}
	__atomic_store_n(&tg->go, 1, __ATOMIC_RELEASE);
	usleep(MARGIN_NS / 1000);
	t0 = now_ns();
	ret = move(m, pid);
	t1 = now_ns();
	err = errno;
	usleep(MARGIN_NS / 1000);
	__atomic_store_n(&tg->stop, 1, __ATOMIC_RELEASE);

	/* Where the pages are now, before the target goes. */
	if (sys_move_pages(pid, pages, move_addrs, NULL, move_status, 0))
		left = -1;
	for (i = 0; left >= 0 && i < pages; i++)
		left += move_status[i] != node_to;
	waitpid(pid, NULL, 0);
	if (m == BY_CPUSET)
		job_remove();

	if (ret < 0)
		fail("%s: the move failed: %s", method, strerror(err));
	if (!tg->intact)
		fail("%s: page contents changed in the move", method);
	if (tg->nr_samples == MAX_SAMPLES)
		printf("note %s: the target's record filled up before the move ended\n", method);
	if (left && m != BY_NOTHING)
		printf("note %s: %ld of %ld pages not on node %d afterwards (returned %ld)\n",
		       method, left, pages, node_to, ret);
	if (ret < 0 || !tg->intact)
		return;
	mibs = sz->move_mib / ((t1 - t0) / 1e9);
	if (m != BY_NOTHING) {
		print_move_row(method, THROUGHPUT, mibs);
		print_move_row(method, SHARE, 100 * mibs / memcpy_mibs);
	}
	report_waits(method, t0, t1);
}

int main(int argc, char **argv)
{
	struct nodemask memory;
	struct utsname u;
	double memcpy_mibs;
	long pages;
	int m;

	if (argc > 1 && !strcmp(argv[1], "quick"))
		sz = &quick;
	page_size = sysconf(_SC_PAGESIZE);
	if (read_node_state("has_memory", &memory) || mask_weight(&memory) < 2) {
		fprintf(stderr, "bench: needs two nodes with memory\n");
		return 1;
	}
	node_from = mask_nth(&memory, 0);
	node_to = mask_last(&memory);
	mask_from = mask_of(node_from);
	mask_to = mask_of(node_to);
	mask_both = mask_from;
	mask_set(&mask_both, node_to);
	write_str("/proc/sys/kernel/numa_balancing", "0");
	if (run_on(node_first_cpu(node_from)))
		fprintf(stderr, "bench: cannot run on node %d's CPU\n", node_from);
	tg = mmap(NULL, sizeof(*tg), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tg == MAP_FAILED ||
	    sys_mbind(tg, sizeof(*tg), MPOL_BIND, &mask_to, SET_MAXNODE, 0)) {
		perror("bench: shared record");
		return 1;
	}
	memset(tg, 0, sizeof(*tg));
	pages = (sz->move_mib << 20) / page_size;
	move_addrs = calloc(pages, sizeof(*move_addrs));
	move_nodes = calloc(pages, sizeof(*move_nodes));
	move_status = calloc(pages, sizeof(*move_status));
	if (!move_addrs || !move_nodes || !move_status) {
		perror("bench: move_pages arrays");
		return 1;
	}
	uname(&u);
	printf("info kernel %s %s\n", u.release, u.version);
	printf("info nodes %d->%d move_mib %ld vmas %ld\n", node_from, node_to,
	       sz->move_mib, sz->vmas);

	memcpy_mibs = bench_memcpy();
	print_row("memcpy", memcpy_mibs, "MiB/s", "memcpy bandwidth");
	bench_faults();
	bench_calls();
	bench_vmas();
	bench_cpuset_rebind();
	for (m = BY_NOTHING; m <= BY_PAGE_MIGRATE; m++)
		bench_move(m, memcpy_mibs);
	return failed;
}
