// SPDX-License-Identifier: GPL-2.0
/*
 * numajob: move a running job's memory to other NUMA nodes, and show where
 * it is.  man/numajob.8 is the manual; numajob --help the summary.
 *
 * A job is a cgroup (v2 with the cpuset controller, or a v1 cpuset) or a
 * list of processes.  Moving a cgroup job goes:
 *
 *  1. widen the cpuset's mems to the old and the new nodes, so that the
 *     job never runs in a cpuset that forbids where its memory is;
 *  2. give it the new CPUs, if asked, so what it allocates locally from
 *     then on lands near them;
 *  3. move each process's memory with page_migrate(2), a chunk at a time,
 *     so that progress can be shown and a rate limit kept, then one call
 *     over the whole address space, which moves the task policies and
 *     what was faulted in meanwhile; processes that join meanwhile get
 *     their turn;
 *  4. narrow the mems to the new nodes.
 *
 * Each old node goes to the new node that the kernel would send its pages
 * to when the cpuset is narrowed in step 4 (the node at the same position
 * in the new nodes as it has in old and new together; nodes in both stay),
 * so that step 4 finds nothing left to move and no page moves twice.
 *
 * Without page_migrate(2) (ENOSYS), migrate_pages(2) moves each process
 * whole, and the job may stall meanwhile.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdnoreturn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <asm/unistd.h>
#include <numa.h>

#define MB		(1024.0 * 1024.0)
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CHUNK_DEFAULT	(64UL << 20)	/* bytes of pages per call */

/* Exit statuses, as the manual gives them. */
enum { EXIT_ALL_MOVED, EXIT_NOT_ALL_MOVED, EXIT_USAGE };

static const char usage_text[] =
"usage: numajob move JOB --mems NODES [--cpus CPUS] [--rate MB/s]\n"
"                        [--chunk MB] [--dry-run] [--json]\n"
"       numajob status JOB [--json]\n"
"       numajob --help\n"
"\n"
"JOB is a cgroup (a path, absolute or under " CGROUP_ROOT ", of cgroup v2\n"
"with the cpuset controller, or of a v1 cpuset) or --pid PID[,PID...].\n"
"NODES and CPUS are lists in numactl's syntax, such as 2-3 or 0,4.\n"
"\n"
"move      move the job's memory to NODES: widen its cpuset, move every\n"
"          task's pages with page_migrate(2) in chunks, then narrow the\n"
"          cpuset to NODES (and its CPUs to CPUS, with --cpus)\n"
"status    show where the job's memory is, per task and per node\n"
"\n"
"  --pid PIDS     the job is these processes, not a cgroup\n"
"  --mems NODES   the nodes to move to\n"
"  --cpus CPUS    the CPUs the job runs on afterwards\n"
"  --rate MB/s    move at most this fast, on average\n"
"  --chunk MB     pages per page_migrate(2) call (default 64)\n"
"  --dry-run      say what would be done, do nothing\n"
"  --json         one JSON object per line on stdout, for programs\n"
"  -h, --help     this text\n"
"\n"
"Exit status: 0 all moved, 1 some pages not moved, 2 bad usage or error.\n";

static struct {
	bool json;
	bool dry_run;
	double rate;		/* bytes per second, 0: no limit */
	unsigned long chunk;	/* bytes */
	bool tty;		/* progress bar on stderr */
} opt = { .chunk = CHUNK_DEFAULT };

/* Set by SIGINT and SIGTERM; the move stops between two chunks. */
static atomic_int stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (opt.json) {
		char msg[512];

		vsnprintf(msg, sizeof(msg), fmt, ap);
		printf("{\"event\":\"error\",\"message\":\"%s\"}\n", msg);
	} else {
		fputs("numajob: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	exit(EXIT_USAGE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- node sets ------------------------------------------------------------ */

/* Node sets are bitmasks of libnuma, which parses numactl's syntax too. */
static struct bitmask *nodes_new(void)
{
	return numa_bitmask_alloc(numa_max_possible_node() + 1);
}

static int nodes_count(const struct bitmask *b)
{
	return numa_bitmask_weight(b);
}

static bool node_in(const struct bitmask *b, int n)
{
	return n >= 0 && (unsigned int)n < b->size && numa_bitmask_isbitset(b, n);
}

static void nodes_or(struct bitmask *dst, const struct bitmask *src)
{
	for (unsigned int n = 0; n < src->size; n++)
		if (numa_bitmask_isbitset(src, n))
			numa_bitmask_setbit(dst, n);
}

/* The list form that cpuset files take, e.g. "0-1,4". */
static char *nodes_list(const struct bitmask *b, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int n = 0;

	buf[0] = '\0';
	while (n < b->size) {
		unsigned int first;

		if (!numa_bitmask_isbitset(b, n)) {
			n++;
			continue;
		}
		first = n;
		while (n + 1 < b->size && numa_bitmask_isbitset(b, n + 1))
			n++;
		used += snprintf(buf + used, len - used, "%s%u", used ? "," : "", first);
		if (n > first)
			used += snprintf(buf + used, len - used, "-%u", n);
		n++;
		if (used >= len)
			break;
	}
	return buf;
}

/*
 * libnuma's own messages on a bad node string say less than ours, which
 * name the option or the file: these replace its weak defaults.
 */
void numa_warn(int num, char *fmt, ...)
{
}

void numa_error(char *where)
{
}

/* A node list from the user or from a cpuset file (which ends in '\n'). */
static struct bitmask *nodes_parse(const char *what, const char *s)
{
	char buf[1024], all[256];
	struct bitmask *b;
	size_t len;

	snprintf(buf, sizeof(buf), "%s", s);
	for (len = strlen(buf); len && isspace((unsigned char)buf[len - 1]); len--)
		buf[len - 1] = '\0';
	/* An empty cpuset file: no nodes. */
	if (!len)
		return nodes_new();
	b = numa_parse_nodestring_all(buf);
	if (!b)
		fail("%s: '%s' is not a list of this machine's nodes (%s)", what,
		     buf, nodes_list(numa_all_nodes_ptr, all, sizeof(all)));
	return b;
}

/* The @i-th node of @b, counting from 0. */
static int nodes_nth(const struct bitmask *b, int i)
{
	for (unsigned int n = 0; n < b->size; n++)
		if (numa_bitmask_isbitset(b, n) && i-- == 0)
			return n;
	return -1;
}

static int nodes_pos(const struct bitmask *b, int node)
{
	int pos = 0;

	for (int n = 0; n < node; n++)
		pos += node_in(b, n);
	return pos;
}

/* --- files ---------------------------------------------------------------- */

static char *read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "r");
	size_t got;

	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap *= 2);

			if (!bigger)
				break;
			buf = bigger;
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(value, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* --- the job ------------------------------------------------------------- */

struct job {
	char path[PATH_MAX];	/* the cgroup, or "" for --pid */
	bool v1;
	const char *prefix;	/* of the cpuset files: "cpuset." */
	pid_t *pids;
	int nr_pids;
};

static void cg_file(const struct job *job, const char *dir, const char *name,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s", dir ? dir : job->path, job->prefix, name);
}

static char *cg_read(const struct job *job, const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	cg_file(job, dir, name, path, sizeof(path));
	return read_file(path);
}

static struct bitmask *cg_mems(const struct job *job, const char *dir,
			       const char *name)
{
	char *s = cg_read(job, dir, name);
	struct bitmask *b;

	if (!s)
		fail("cannot read %s%s of %s: %s", job->prefix, name,
		     dir ? dir : job->path, strerror(errno));
	b = nodes_parse(name, s);
	free(s);
	return b;
}

static void cg_write(const struct job *job, const char *name, const char *value)
{
	char path[PATH_MAX + 64];
	int err;

	cg_file(job, NULL, name, path, sizeof(path));
	err = write_file(path, value);
	if (err)
		fail("cannot write '%s' to %s: %s", value, path, strerror(-err));
}

static void job_add_pid(struct job *job, pid_t pid)
{
	for (int i = 0; i < job->nr_pids; i++)
		if (job->pids[i] == pid)
			return;
	job->pids = realloc(job->pids, (job->nr_pids + 1) * sizeof(pid_t));
	if (!job->pids)
		fail("out of memory");
	job->pids[job->nr_pids++] = pid;
}

/* The job's processes now; those that were known already stay. */
static void job_scan(struct job *job)
{
	char path[PATH_MAX + 64], *procs, *line, *save;

	if (!job->path[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", job->path);
	procs = read_file(path);
	if (!procs)
		fail("cannot read %s: %s", path, strerror(errno));
	for (line = strtok_r(procs, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		job_add_pid(job, atoi(line));
	free(procs);
}

static void job_open_cgroup(struct job *job, const char *arg)
{
	char path[PATH_MAX + 64];
	struct statfs fs;

	if (arg[0] == '/')
		snprintf(job->path, sizeof(job->path), "%s", arg);
	else
		snprintf(job->path, sizeof(job->path), CGROUP_ROOT "/%s", arg);
	if (statfs(job->path, &fs))
		fail("no such cgroup: %s (%s)", arg, strerror(errno));
	if (fs.f_type != CGROUP2_SUPER_MAGIC && fs.f_type != CGROUP_SUPER_MAGIC)
		fail("%s is not a cgroup", job->path);
	job->v1 = fs.f_type == CGROUP_SUPER_MAGIC;
	job->prefix = "cpuset.";
	cg_file(job, NULL, "mems", path, sizeof(path));
	if (access(path, F_OK)) {
		if (job->v1)
			fail("%s is not a cpuset", job->path);
		fail("%s has no cpuset controller: enable it with 'echo +cpuset > %s'",
		     job->path, "its parent's cgroup.subtree_control");
	}
	job_scan(job);
}

static void job_parse_pids(struct job *job, const char *arg)
{
	const char *p = arg;
	char proc[32];

	while (*p) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p || pid <= 0 || pid > INT_MAX || (*end && *end != ','))
			fail("--pid: '%s' is not a list of process IDs such as 12,34", arg);
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (access(proc, F_OK))
			fail("no such process %ld", pid);
		job_add_pid(job, pid);
		p = *end ? end + 1 : end;
	}
}

/* --- where memory is ------------------------------------------------------ */

/* One mapping of a process, with its resident pages on each node. */
struct vma {
	unsigned long start, end;
	unsigned long page_size;
	unsigned long max_mapped;	/* mapmax=: processes mapping a page */
	char file[PATH_MAX];
	unsigned long *pages;		/* per node, in page_size units */
};

struct proc_mem {
	pid_t pid;
	char comm[32];
	struct vma *vmas;
	int nr_vmas;
};

static int nr_node_ids(void)
{
	return numa_max_possible_node() + 1;
}

static void proc_mem_free(struct proc_mem *pm)
{
	for (int i = 0; i < pm->nr_vmas; i++)
		free(pm->vmas[i].pages);
	free(pm->vmas);
	pm->vmas = NULL;
	pm->nr_vmas = 0;
}

/*
 * Read /proc/PID/maps for the ends of the mappings and numa_maps for the
 * pages on each node: the kernel's own accounting.  Returns false when the
 * process has gone.
 */
static bool proc_mem_read(struct proc_mem *pm, pid_t pid)
{
	char path[64], *maps, *nmaps, *line, *save;
	int i = 0;

	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	line = read_file(path);
	if (!line)
		return false;
	snprintf(pm->comm, sizeof(pm->comm), "%s", strtok_r(line, "\n", &save) ?: "?");
	free(line);

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = read_file(path);
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	nmaps = read_file(path);
	if (!maps || !nmaps) {
		/* Gone, unless we may not look: then we may not move it either. */
		if (errno == EACCES || errno == EPERM)
			fail("no permission to see the memory of process %d", pid);
		free(maps);
		free(nmaps);
		return false;
	}
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct vma *v;
		int name_at = 0;

		pm->vmas = realloc(pm->vmas, (pm->nr_vmas + 1) * sizeof(*v));
		if (!pm->vmas)
			fail("out of memory");
		v = &pm->vmas[pm->nr_vmas++];
		memset(v, 0, sizeof(*v));
		v->pages = calloc(nr_node_ids(), sizeof(*v->pages));
		if (!v->pages)
			fail("out of memory");
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &v->start, &v->end,
			   &name_at) >= 2 && name_at && line[name_at] == '/')
			snprintf(v->file, sizeof(v->file), "%s", line + name_at);
	}
	free(maps);

	/* numa_maps has the same mappings in the same order. */
	for (line = strtok_r(nmaps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long start = strtoul(line, NULL, 16);
		char *tok, *tsave;

		while (i < pm->nr_vmas && pm->vmas[i].start < start)
			i++;
		if (i == pm->nr_vmas || pm->vmas[i].start != start)
			continue;
		pm->vmas[i].page_size = 4096;
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			int node;
			unsigned long n;

			if (sscanf(tok, "N%d=%lu", &node, &n) == 2 &&
			    node >= 0 && node < nr_node_ids())
				pm->vmas[i].pages[node] = n;
			else if (sscanf(tok, "kernelpagesize_kB=%lu", &n) == 1)
				pm->vmas[i].page_size = n << 10;
			else if (sscanf(tok, "mapmax=%lu", &n) == 1)
				pm->vmas[i].max_mapped = n;
		}
	}
	free(nmaps);
	return true;
}

/* Bytes of @v on the nodes of @nodes (NULL: all). */
static unsigned long vma_bytes(const struct vma *v, const struct bitmask *nodes)
{
	unsigned long sum = 0;

	for (int n = 0; n < nr_node_ids(); n++)
		if (!nodes || node_in(nodes, n))
			sum += v->pages[n];
	return sum * v->page_size;
}

static unsigned long proc_bytes(const struct proc_mem *pm, const struct bitmask *nodes)
{
	unsigned long sum = 0;

	for (int i = 0; i < pm->nr_vmas; i++)
		sum += vma_bytes(&pm->vmas[i], nodes);
	return sum;
}

/* The nodes on which @pm has memory are added to @nodes. */
static void proc_nodes(const struct proc_mem *pm, struct bitmask *nodes)
{
	for (int i = 0; i < pm->nr_vmas; i++)
		for (int n = 0; n < nr_node_ids(); n++)
			if (pm->vmas[i].pages[n])
				numa_bitmask_setbit(nodes, n);
}

/* --- the move ------------------------------------------------------------ */

/* The map from old to new nodes, as page_migrate(2) takes it. */
struct node_map {
	int old[1024], new[1024];
	int count;
	struct bitmask *from;	/* the nodes of old[] */
};

static void map_make(struct node_map *map, const struct bitmask *wide,
		     const struct bitmask *to)
{
	int nr_to = nodes_count(to);

	map->count = 0;
	map->from = nodes_new();
	for (unsigned int n = 0; n < wide->size && map->count < 1024; n++) {
		if (!numa_bitmask_isbitset(wide, n) || node_in(to, n))
			continue;
		map->old[map->count] = n;
		map->new[map->count] = nodes_nth(to, nodes_pos(wide, n) % nr_to);
		numa_bitmask_setbit(map->from, n);
		map->count++;
	}
}

struct progress {
	unsigned long total, moved, not_moved;
	double started, last_shown;
	bool interrupted;
	bool fallback;		/* migrate_pages(2), no page_migrate(2) */
};

static void show_progress(struct progress *p, pid_t pid, bool last)
{
	double t = now(), elapsed = t - p->started;
	double rate = elapsed > 0 ? p->moved / elapsed : 0;
	double left = rate > 0 && p->total > p->moved ? (p->total - p->moved) / rate : 0;

	if (!last && t - p->last_shown < (opt.tty ? 0.2 : 1.0))
		return;
	p->last_shown = t;
	if (opt.json) {
		printf("{\"event\":\"progress\",\"pid\":%d,", pid);
		printf("\"moved_mb\":%.1f,\"total_mb\":%.1f,", p->moved / MB, p->total / MB);
		printf("\"rate_mbs\":%.1f,\"eta_s\":%.1f}\n", rate / MB, left);
		fflush(stdout);
	} else if (opt.tty) {
		int width = 30, done = width;

		if (p->total)
			done = width * (double)p->moved / p->total;

		if (done > width)
			done = width;
		fprintf(stderr, "\r[%.*s%*s] %7.1f/%.1f MB %6.1f MB/s %4.0f s left ",
			done, "##############################", width - done, "",
			p->moved / MB, p->total / MB, rate / MB, left);
		if (last)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "moved %.1f of %.1f MB, %.1f MB/s, %.0f s left\n",
			p->moved / MB, p->total / MB, rate / MB, left);
	}
}

/* Sleep as long as the rate limit asks, over the whole move so far. */
static void keep_rate(const struct progress *p)
{
	double due, ahead;

	if (!opt.rate)
		return;
	due = p->started + p->moved / opt.rate;
	ahead = due - now();
	if (ahead > 0) {
		struct timespec ts = { (time_t)ahead, (long)((ahead - (time_t)ahead) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

static long sys_page_migrate(pid_t pid, unsigned long start, unsigned long end,
			     const struct node_map *map)
{
#ifdef __NR_page_migrate
	return syscall(__NR_page_migrate, pid, start, end,
		       (unsigned long)map->count, map->old, map->new);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Does the kernel have page_migrate(2)?  A call with a count of 0 is
 * EINVAL where it does, before the call looks at anything else.
 */
static bool have_page_migrate(void)
{
	struct node_map none = { .count = 0 };

	return sys_page_migrate(0, 0, 0, &none) < 0 && errno != ENOSYS;
}

/* An error of a move call that ends the move, with the reason. */
static noreturn void move_failed(pid_t pid, const char *call)
{
	switch (errno) {
	case EPERM:
		fail("no permission to move the memory of process %d (%s)", pid,
		     "another user's process needs CAP_SYS_NICE");
	case EINVAL:
		fail("%s of process %d: the new nodes are not all allowed in its cpuset",
		     call, pid);
	default:
		fail("%s of process %d: %s", call, pid, strerror(errno));
	}
}

/* migrate_pages(2) for kernels without page_migrate(2): the whole process. */
static void move_fallback(struct progress *p, pid_t pid, const struct node_map *map,
			  unsigned long bytes)
{
	unsigned long words = (nr_node_ids() + 63) / 64;
	unsigned long from[words], to[words];
	long left;

	/* One pair at a time: the old nodes are not new ones, so no page moves twice. */
	for (int i = 0; i < map->count; i++) {
		memset(from, 0, sizeof(from));
		memset(to, 0, sizeof(to));
		from[map->old[i] / 64] |= 1UL << (map->old[i] % 64);
		to[map->new[i] / 64] |= 1UL << (map->new[i] % 64);
		left = syscall(__NR_migrate_pages, pid, words * 64, from, to);
		if (left < 0 && errno == ESRCH)
			return;
		if (left < 0)
			move_failed(pid, "migrate_pages");
	}
	p->moved += bytes;
	show_progress(p, pid, false);
	keep_rate(p);
}

/*
 * Move the memory of @pid on the map's old nodes, a chunk of about
 * opt.chunk bytes of its pages at a time, then the whole address space
 * once, which moves the task policies and what came meanwhile.
 */
static void move_process(struct progress *p, pid_t pid, const struct node_map *map)
{
	struct proc_mem pm;
	long left;

	if (!proc_mem_read(&pm, pid))
		return;		/* gone: nothing to move */
	if (p->fallback) {
		move_fallback(p, pid, map, proc_bytes(&pm, map->from));
		proc_mem_free(&pm);
		return;
	}
	for (int i = 0; i < pm.nr_vmas && !stop_requested; i++) {
		struct vma *v = &pm.vmas[i];
		unsigned long bytes = vma_bytes(v, map->from);
		unsigned long pieces = (bytes + opt.chunk - 1) / opt.chunk;
		unsigned long len = v->end - v->start, step, start;

		if (!bytes)
			continue;
		/* Cut the mapping into pieces of about the same pages each. */
		step = (len / pieces + v->page_size - 1) & ~(v->page_size - 1);
		for (start = v->start; start < v->end && !stop_requested; start += step) {
			unsigned long end = start + step < v->end ? start + step : v->end;

			left = sys_page_migrate(pid, start, end, map);
			if (left < 0 && errno == ESRCH)
				goto out;
			/* ENOMEM: nothing fitted; the summary says what stayed. */
			if (left < 0 && errno != ENOMEM)
				move_failed(pid, "page_migrate");
			p->moved += bytes / pieces;
			show_progress(p, pid, false);
			keep_rate(p);
		}
	}
	if (!stop_requested) {
		left = sys_page_migrate(pid, 0, ULONG_MAX, map);
		if (left < 0 && errno != ESRCH && errno != ENOMEM)
			move_failed(pid, "page_migrate");
	}
out:
	proc_mem_free(&pm);
}

/* Why pages of @v may have stayed: a best guess from what the kernel shows. */
static const char *stay_reason(const struct vma *v, const struct bitmask *to)
{
	char value[16];
	ssize_t len;
	unsigned long free_bytes = 0;

	if (v->file[0]) {
		len = getxattr(v->file, "user.migrate", value, sizeof(value) - 1);
		if (len > 0)
			return "the file opts out (user.migrate)";
	}
	if (v->max_mapped > 1 && geteuid() != 0)
		return "shared with other processes (needs CAP_SYS_NICE)";
	for (int n = 0; n < nr_node_ids(); n++) {
		long long node_free;

		if (node_in(to, n) && numa_node_size64(n, &node_free) > 0)
			free_bytes += node_free;
	}
	if (free_bytes < vma_bytes(v, NULL) + (16UL << 20))
		return "no room on the new nodes";
	return "pinned or in use";
}

static void json_not_moved(const struct proc_mem *pm, const struct vma *v,
			   unsigned long bytes, const char *reason)
{
	printf("{\"event\":\"not_moved\",\"pid\":%d,", pm->pid);
	printf("\"start\":\"%#lx\",\"end\":\"%#lx\",", v->start, v->end);
	printf("\"file\":\"%s\",\"kb\":%lu,\"reason\":\"%s\"}\n",
	       v->file, bytes >> 10, reason);
}

/* What stayed on the old nodes, per mapping, with the likely reasons. */
static unsigned long report_left(const struct job *job, const struct node_map *map,
				 const struct bitmask *to)
{
	unsigned long total = 0;

	for (int i = 0; i < job->nr_pids; i++) {
		struct proc_mem pm;

		if (!proc_mem_read(&pm, job->pids[i]))
			continue;
		for (int j = 0; j < pm.nr_vmas; j++) {
			struct vma *v = &pm.vmas[j];
			unsigned long bytes = vma_bytes(v, map->from);

			if (!bytes)
				continue;
			total += bytes;
			if (opt.json)
				json_not_moved(&pm, v, bytes, stay_reason(v, to));
			if (!opt.json) {
				fprintf(stderr, "  not moved: %lu kB of process %d at %#lx-%#lx",
					bytes >> 10, pm.pid, v->start, v->end);
				fprintf(stderr, "%s%s: %s\n", v->file[0] ? " " : "", v->file,
					stay_reason(v, to));
			}
		}
		proc_mem_free(&pm);
	}
	return total;
}

static int cmd_move(struct job *job, const char *mems, const char *cpus)
{
	struct bitmask *to, *cur = NULL, *wide, *parent;
	char list[1024], list2[1024];
	struct progress p = { 0 };
	struct node_map map;
	unsigned long left;
	int done;

	if (!mems)
		fail("move needs --mems NODES");
	to = nodes_parse("--mems", mems);
	if (!nodes_count(to))
		fail("--mems: no nodes given");
	for (unsigned int n = 0; n < to->size; n++)
		if (numa_bitmask_isbitset(to, n) && numa_node_size64(n, NULL) <= 0)
			fail("--mems: node %u has no memory", n);

	wide = nodes_new();
	if (job->path[0]) {
		char parent_dir[PATH_MAX + 8];

		snprintf(parent_dir, sizeof(parent_dir), "%s/..", job->path);
		parent = cg_mems(job, parent_dir, job->v1 ? "mems" : "mems.effective");
		for (unsigned int n = 0; n < to->size; n++)
			if (numa_bitmask_isbitset(to, n) && !node_in(parent, n))
				fail("nodes %s are not all in the parent's cpuset (it allows %s)",
				     nodes_list(to, list, sizeof(list)),
				     nodes_list(parent, list2, sizeof(list2)));
		cur = cg_mems(job, NULL, job->v1 ? "mems" : "mems.effective");
		nodes_or(wide, cur);
	}
	nodes_or(wide, to);
	/* Memory may sit outside the cpuset too (a process that joined with it). */
	for (int i = 0; i < job->nr_pids; i++) {
		struct proc_mem pm;

		if (!proc_mem_read(&pm, job->pids[i]))
			continue;
		proc_nodes(&pm, wide);
		proc_mem_free(&pm);
	}
	map_make(&map, wide, to);
	for (int i = 0; i < job->nr_pids; i++) {
		struct proc_mem pm;

		if (proc_mem_read(&pm, job->pids[i])) {
			p.total += proc_bytes(&pm, map.from);
			proc_mem_free(&pm);
		}
	}

	if (opt.dry_run || !opt.json) {
		FILE *out = opt.dry_run ? stdout : stderr;

		fprintf(out, "%s%s: %d processes, %.1f MB to move:",
			opt.dry_run ? "would move " : "",
			job->path[0] ? job->path : "processes", job->nr_pids, p.total / MB);
		for (int i = 0; i < map.count; i++)
			fprintf(out, " %d->%d", map.old[i], map.new[i]);
		fputc('\n', out);
		if (job->path[0])
			fprintf(out, "  cpuset.mems %s, then %s, then %s\n",
				nodes_list(cur, list, sizeof(list)),
				nodes_list(wide, list2, sizeof(list2)), mems);
	}
	if (opt.dry_run)
		return EXIT_ALL_MOVED;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (job->path[0]) {
		struct bitmask *cpuset_wide = nodes_new();

		nodes_or(cpuset_wide, cur);
		nodes_or(cpuset_wide, to);
		cg_write(job, "mems", nodes_list(cpuset_wide, list, sizeof(list)));
		if (cpus)
			cg_write(job, "cpus", cpus);
	}

	p.fallback = !have_page_migrate();
	if (p.fallback)
		fputs("numajob: this kernel has no page_migrate(2): moving with migrate_pages(2),\n"
		      "numajob: which may stall the job while it runs\n", stderr);
	p.started = now();
	/* Processes that join the job meanwhile get their turn too. */
	for (done = 0; !stop_requested; ) {
		job_scan(job);
		if (done == job->nr_pids)
			break;
		for (; done < job->nr_pids && !stop_requested; done++)
			move_process(&p, job->pids[done], &map);
	}
	p.interrupted = stop_requested;
	if (!p.interrupted && job->path[0])
		cg_write(job, "mems", mems);
	show_progress(&p, 0, true);

	left = report_left(job, &map, to);
	if (opt.json) {
		printf("{\"event\":\"summary\",\"processes\":%d,", job->nr_pids);
		printf("\"moved_mb\":%.1f,\"not_moved_mb\":%.1f,",
		       (p.total > left ? p.total - left : 0) / MB, left / MB);
		printf("\"seconds\":%.2f,\"interrupted\":%s,\"fallback\":%s}\n",
		       now() - p.started, p.interrupted ? "true" : "false",
		       p.fallback ? "true" : "false");
	} else {
		fprintf(stderr, "%s: %.1f MB moved, %.1f MB not moved, in %.1f s\n",
			p.interrupted ? "interrupted" : "done",
			(p.total > left ? p.total - left : 0) / MB, left / MB,
			now() - p.started);
		if (p.interrupted && job->path[0])
			fprintf(stderr, "the cpuset's mems are left at %s; %s\n",
				nodes_list(wide, list, sizeof(list)),
				"run the move again to finish it");
	}
	return left || p.interrupted ? EXIT_NOT_ALL_MOVED : EXIT_ALL_MOVED;
}

/* --- status -------------------------------------------------------------- */

static void print_numa_stat(const struct job *job)
{
	char path[PATH_MAX + 64], *stat, *line, *save;
	bool first = true;

	if (!job->path[0] || job->v1)
		return;
	snprintf(path, sizeof(path), "%s/memory.numa_stat", job->path);
	stat = read_file(path);
	if (!stat)
		return;
	if (opt.json)
		printf(",\"numa_stat_mb\":{");
	else
		printf("\nmemory.numa_stat (MB):\n");
	for (line = strtok_r(stat, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *tsave, *name = strtok_r(line, " ", &tsave);
		bool first_node = true;

		if (!name || (strcmp(name, "anon") && strcmp(name, "file") &&
			      strcmp(name, "shmem")))
			continue;
		if (opt.json)
			printf("%s\"%s\":{", first ? "" : ",", name);
		else
			printf("  %-6s", name);
		first = false;
		while ((tok = strtok_r(NULL, " ", &tsave))) {
			int node;
			unsigned long long bytes;

			if (sscanf(tok, "N%d=%llu", &node, &bytes) != 2)
				continue;
			if (opt.json)
				printf("%s\"%d\":%.1f", first_node ? "" : ",", node, bytes / MB);
			else
				printf(" N%d=%.1f", node, bytes / MB);
			first_node = false;
		}
		printf(opt.json ? "}" : "\n");
	}
	if (opt.json)
		printf("}");
	free(stat);
}

static int cmd_status(struct job *job)
{
	int nodes = nr_node_ids();
	unsigned long total[nodes];
	bool shown[nodes];

	memset(total, 0, sizeof(total));
	/* Columns for the nodes with memory. */
	for (int n = 0; n < nodes; n++)
		shown[n] = numa_node_size64(n, NULL) > 0;

	if (opt.json) {
		printf("{\"job\":\"%s\",\"tasks\":[", job->path[0] ? job->path : "");
	} else {
		printf("%8s %-16s", "PID", "COMMAND");
		for (int n = 0; n < nodes; n++)
			if (shown[n])
				printf("  node %-2d", n);
		printf(" %9s\n", "total MB");
	}
	for (int i = 0, listed = 0; i < job->nr_pids; i++) {
		struct proc_mem pm;
		unsigned long sum = 0;

		if (!proc_mem_read(&pm, job->pids[i]))
			continue;
		if (opt.json)
			printf("%s{\"pid\":%d,\"comm\":\"%s\",\"mb\":{", listed++ ? "," : "",
			       pm.pid, pm.comm);
		else
			printf("%8d %-16s", pm.pid, pm.comm);
		for (int n = 0, first = 1; n < nodes; n++) {
			unsigned long bytes = 0;

			for (int j = 0; j < pm.nr_vmas; j++)
				bytes += pm.vmas[j].pages[n] * pm.vmas[j].page_size;
			total[n] += bytes;
			sum += bytes;
			if (!shown[n] && !bytes)
				continue;
			if (opt.json)
				printf("%s\"%d\":%.1f", first ? "" : ",", n, bytes / MB);
			else
				printf(" %8.1f", bytes / MB);
			first = 0;
		}
		if (opt.json)
			printf("},\"total_mb\":%.1f}", sum / MB);
		else
			printf(" %9.1f\n", sum / MB);
		proc_mem_free(&pm);
	}
	if (opt.json) {
		printf("],\"nodes_mb\":{");
		for (int n = 0, first = 1; n < nodes; n++) {
			if (!shown[n] && !total[n])
				continue;
			printf("%s\"%d\":%.1f", first ? "" : ",", n, total[n] / MB);
			first = 0;
		}
		printf("}");
		print_numa_stat(job);
		printf("}\n");
	} else {
		unsigned long sum = 0;

		printf("%8s %-16s", "", "total");
		for (int n = 0; n < nodes; n++) {
			sum += total[n];
			if (shown[n])
				printf(" %8.1f", total[n] / MB);
		}
		printf(" %9.1f\n", sum / MB);
		print_numa_stat(job);
	}
	return EXIT_ALL_MOVED;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "mems", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "chunk", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *mems = NULL, *cpus = NULL, *pids = NULL, *cmd;
	struct job job = { .prefix = "cpuset." };
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pids = optarg;
			break;
		case 'm':
			mems = optarg;
			break;
		case 'c':
			cpus = optarg;
			break;
		case 'r':
			opt.rate = strtod(optarg, &end) * MB;
			if (*end || opt.rate <= 0)
				fail("--rate: '%s' is not a positive number of MB/s", optarg);
			break;
		case 'k':
			opt.chunk = strtoul(optarg, &end, 10) << 20;
			if (*end || !opt.chunk)
				fail("--chunk: '%s' is not a positive number of MB", optarg);
			break;
		case 'n':
			opt.dry_run = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_ALL_MOVED;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (strcmp(cmd, "move") && strcmp(cmd, "status"))
		fail("unknown command '%s'; try numajob --help", cmd);
	if (numa_available() < 0)
		fail("this kernel has no NUMA support");
	opt.tty = !opt.json && isatty(STDERR_FILENO);
	/* A steady pace: a chunk takes a quarter of a second at the rate. */
	if (opt.rate && opt.chunk > opt.rate / 4)
		opt.chunk = ((unsigned long)(opt.rate / 4) + 4095) & ~4095UL;

	if (pids && optind < argc)
		fail("give either a cgroup or --pid, not both");
	if (pids)
		job_parse_pids(&job, pids);
	else if (optind < argc)
		job_open_cgroup(&job, argv[optind++]);
	else
		fail("%s needs a job: a cgroup, or --pid PIDS", cmd);
	if (optind < argc)
		fail("unexpected argument '%s'", argv[optind]);

	if (!strcmp(cmd, "status"))
		return cmd_status(&job);
	return cmd_move(&job, mems, cpus);
}
