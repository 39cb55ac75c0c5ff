/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mempolicy selftests: raw NUMA system calls, node
 * masks as the syscalls take them, and the guest's topology description.
 *
 * The tests call the system calls directly rather than through libnuma so
 * that they see exactly what the kernel returns.
 */
#ifndef MEMPOLICY_NUMA_UTIL_H
#define MEMPOLICY_NUMA_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>

/* Node masks in the tests are this wide, far wider than the kernel's. */
#define MASK_BITS	1024
#define BITS_PER_UL	(8 * sizeof(unsigned long))
#define MASK_LONGS	(MASK_BITS / BITS_PER_UL)

struct nodemask {
	unsigned long bits[MASK_LONGS];
};

static inline void mask_clear(struct nodemask *m)
{
	memset(m, 0, sizeof(*m));
}

static inline void mask_set(struct nodemask *m, int node)
{
	m->bits[node / BITS_PER_UL] |= 1UL << (node % BITS_PER_UL);
}

static inline int mask_test(const struct nodemask *m, int node)
{
	return !!(m->bits[node / BITS_PER_UL] & (1UL << (node % BITS_PER_UL)));
}

static inline int mask_weight(const struct nodemask *m)
{
	int node, w = 0;

	for (node = 0; node < MASK_BITS; node++)
		w += mask_test(m, node);
	return w;
}

static inline int mask_equal(const struct nodemask *a, const struct nodemask *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* A mask of @node alone. */
static inline struct nodemask mask_of(int node)
{
	struct nodemask m;

	mask_clear(&m);
	mask_set(&m, node);
	return m;
}

/* The nth set node of @m (n from 0), or -1. */
static inline int mask_nth(const struct nodemask *m, int n)
{
	int node;

	for (node = 0; node < MASK_BITS; node++)
		if (mask_test(m, node) && n-- == 0)
			return node;
	return -1;
}

/* The last set node of @m, or -1. */
static inline int mask_last(const struct nodemask *m)
{
	return mask_nth(m, mask_weight(m) - 1);
}

/* The first node of @m after @node (-1 to start), or MASK_BITS if none. */
static inline int mask_next(const struct nodemask *m, int node)
{
	while (++node < MASK_BITS && !mask_test(m, node))
		;
	return node;
}

/* Print @m as a node list, "0-2,5", for failure messages. */
static inline const char *mask_str(const struct nodemask *m, char *buf, size_t len)
{
	int node, start = -1;
	size_t off = 0;

	buf[0] = '\0';
	for (node = 0; node <= MASK_BITS; node++) {
		int set = node < MASK_BITS && mask_test(m, node);

		if (set && start < 0)
			start = node;
		if (!set && start >= 0) {
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", start);
			if (node - 1 > start)
				off += snprintf(buf + off, len - off, "-%d", node - 1);
			start = -1;
		}
		if (off >= len)
			break;
	}
	return buf;
}

/* Parse a node list such as "0-2,5" (sysfs and numa_maps format). */
static inline int mask_parse(const char *s, struct nodemask *m)
{
	char *end;

	mask_clear(m);
	while (*s && *s != '\n') {
		long a = strtol(s, &end, 10), b = a;

		if (end == s || a < 0 || a >= MASK_BITS)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a || b >= MASK_BITS)
				return -1;
			s = end;
		}
		while (a <= b)
			mask_set(m, a++);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return 0;
}

/* Write @s to the file at @path, as echo does; 0, or the errno. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * Mount the cpuset controller's cgroup v1 hierarchy at @dir, taking the
 * controller from cgroup v2 first.  v2 lets go of it asynchronously: the
 * mount is EBUSY for a while, seconds on a debug kernel.  0, or the errno.
 */
static inline int cpuset_v1_mount(const char *dir)
{
	int tries = 300;

	write_str("/sys/fs/cgroup/cgroup.subtree_control", "-cpuset");
	mkdir(dir, 0755);
	while (mount("cpuset", dir, "cgroup", 0, "cpuset")) {
		if (errno != EBUSY || !--tries)
			return errno;
		usleep(100000);
	}
	return 0;
}

/*
 * Enable the cpuset controller of cgroup v2.  A cgroup v1 hierarchy that
 * an earlier test (job, jobmove) unmounted may stay alive for a while and
 * keep the controller; mounted again and unmounted empty, it goes, and
 * the controller comes back to cgroup v2.  0, or the errno.
 */
static inline int cpuset_v2_enable(void)
{
	const char *v1 = "/tmp/mempolicy-cpuset-v1-release";
	int i, err = 0;

	for (i = 0; i < 300; i++) {
		err = write_str("/sys/fs/cgroup/cgroup.subtree_control", "+cpuset");
		if (!err)
			return 0;
		mkdir(v1, 0755);
		if (!mount("cpuset", v1, "cgroup", 0, "cpuset"))
			umount(v1);
		rmdir(v1);
		usleep(100000);
	}
	return err;
}

/* The number at the start of the file at @path, or -1. */
static inline long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long val = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

#define WI_DIR	"/sys/kernel/mm/mempolicy/weighted_interleave"

/* Write @s to the node's weighted interleave weight file; the errno, or 0. */
static inline int write_weight(int node, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), WI_DIR "/node%d", node);
	return write_str(path, s);
}

/* Run on @cpu alone; 0 once there. */
static inline int run_on(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	sched_yield();
	return sched_getcpu() == cpu ? 0 : -1;
}

/* The counter @name of /proc/vmstat, such as "oom_kill", or -1. */
static inline long vmstat_read(const char *name)
{
	char key[64];
	long val, ret = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			ret = val;
	fclose(f);
	return ret;
}

/* The first CPU of @node, from its cpulist, or -1 if it has none. */
static inline int node_first_cpu(int node)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	return read_long(path);
}

/* A node state mask from /sys/devices/system/node/ ("online", "has_memory"...). */
static inline int read_node_state(const char *state, struct nodemask *m)
{
	char path[128], buf[4096];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/sys/devices/system/node/%s", state);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		ret = mask_parse(buf, m);
	else if (feof(f))
		ret = mask_parse("", m);
	fclose(f);
	return ret;
}

static inline long sys_set_mempolicy(int mode, const struct nodemask *m, unsigned long maxnode)
{
	return syscall(__NR_set_mempolicy, mode, m ? m->bits : NULL, maxnode);
}

static inline long sys_get_mempolicy(int *mode, struct nodemask *m, unsigned long maxnode,
				     void *addr, unsigned long flags)
{
	return syscall(__NR_get_mempolicy, mode, m ? m->bits : NULL, maxnode, addr, flags);
}

static inline long sys_mbind(void *addr, unsigned long len, int mode,
			     const struct nodemask *m, unsigned long maxnode, unsigned int flags)
{
	return syscall(__NR_mbind, addr, len, mode, m ? m->bits : NULL, maxnode, flags);
}

static inline long sys_move_pages(int pid, unsigned long count, void **pages,
				  const int *nodes, int *status, int flags)
{
	return syscall(__NR_move_pages, pid, count, pages, nodes, status, flags);
}

/*
 * The nodes of the @n base pages at @p in process @pid (0: the caller), by
 * move_pages() without target nodes, into @nodes; 0 on success.
 */
static inline int page_nodes(pid_t pid, const void *p, long n, long ps, int *nodes)
{
	void **pages = calloc(n, sizeof(*pages));
	long i;
	int ret;

	if (!pages)
		return -1;
	for (i = 0; i < n; i++)
		pages[i] = (char *)p + i * ps;
	ret = sys_move_pages(pid, n, pages, NULL, nodes, 0);
	free(pages);
	return ret ? -1 : 0;
}

/* A per-node counter of the 2 MiB huge pages, such as "free_hugepages", or -1. */
#define HUGETLB_NODE_DIR	"/sys/devices/system/node/node%d/hugepages/hugepages-2048kB"

static inline long hugetlb_node_count(int node, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), HUGETLB_NODE_DIR "/%s", node, name);
	return read_long(path);
}

/* Set the node's pool of 2 MiB huge pages to @count; 0, or the errno. */
static inline int hugetlb_node_set(int node, long count)
{
	char path[160], val[32];

	snprintf(path, sizeof(path), HUGETLB_NODE_DIR "/nr_hugepages", node);
	snprintf(val, sizeof(val), "%ld", count);
	return write_str(path, val);
}

/*
 * The kernel reads maxnode - 1 bits of a mask it is given (the historical
 * off-by-one that libnuma also follows), so pass one more than the width.
 */
#define SET_MAXNODE	(MASK_BITS + 1)

/* The guest's topology, as scripts/topologies/ describes it. */
#define TOPO_MAX_NODES	64

struct topology {
	int nr_nodes;			/* nodes described, online or not */
	struct nodemask described;
	struct nodemask offline;	/* described but not online at boot */
	long mem_mb[TOPO_MAX_NODES];
	long dimm_mb[TOPO_MAX_NODES];	/* a DIMM beside it, offline at boot */
	int cpus[TOPO_MAX_NODES];
	int distance[TOPO_MAX_NODES][TOPO_MAX_NODES];
};

#define TOPOLOGY_FILE	"/etc/guest/topology"

/* Load @path; 0 on success, -1 when the file is missing or malformed. */
static inline int topology_load(const char *path, struct topology *t)
{
	char line[256], kw[32];
	FILE *f = fopen(path, "r");
	int a, b, c;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -1;
	for (a = 0; a < TOPO_MAX_NODES; a++)
		for (b = 0; b < TOPO_MAX_NODES; b++)
			t->distance[a][b] = a == b ? 10 : 20;
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		if (sscanf(line, "%31s", kw) != 1)
			continue;
		if (!strcmp(kw, "node")) {
			char *p;

			if (sscanf(line, "node %d", &a) != 1 || a < 0 || a >= TOPO_MAX_NODES)
				goto bad;
			mask_set(&t->described, a);
			if (a + 1 > t->nr_nodes)
				t->nr_nodes = a + 1;
			p = strstr(line, "mem=");
			t->mem_mb[a] = p ? atol(p + 4) : 0;
			p = strstr(line, "dimm=");
			t->dimm_mb[a] = p ? atol(p + 5) : 0;
			p = strstr(line, "cpus=");
			t->cpus[a] = p ? atoi(p + 5) : 0;
			if (strstr(line, "offline"))
				mask_set(&t->offline, a);
		} else if (!strcmp(kw, "distance")) {
			if (sscanf(line, "distance %d %d %d", &a, &b, &c) != 3 ||
			    a < 0 || b < 0 || a >= TOPO_MAX_NODES || b >= TOPO_MAX_NODES)
				goto bad;
			t->distance[a][b] = c;
			t->distance[b][a] = c;
		} else {
			goto bad;
		}
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	return -1;
}

/* Memory blocks, as /sys/devices/system/memory has them. */
#define MEMORY_DIR	"/sys/devices/system/memory"
#define MAX_BLOCKS	64

/* The size of a memory block in bytes, or -1. */
static inline long memory_block_bytes(void)
{
	FILE *f = fopen(MEMORY_DIR "/block_size_bytes", "r");
	long val = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lx", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/*
 * The state of memory block @id ("online", "offline", "going-offline")
 * into @buf; 0, or -1 when there is no such block.
 */
static inline int block_state(int id, char *buf, size_t len)
{
	char path[96];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%d/state", id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

/*
 * The memory blocks that sysfs links under @node whose state is @state
 * (any state if NULL), in increasing order, into @ids; how many, or -1.
 */
static inline int node_blocks(int node, const char *state, int *ids, int max)
{
	char path[96], st[32];
	struct dirent *de;
	int n = 0, id, i;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", node);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "memory%d", &id) != 1)
			continue;
		if (state && (block_state(id, st, sizeof(st)) || strcmp(st, state)))
			continue;
		if (n == max)
			break;
		for (i = n++; i > 0 && ids[i - 1] > id; i--)
			ids[i] = ids[i - 1];
		ids[i] = id;
	}
	closedir(d);
	return n;
}

/*
 * The line of /proc/@pid/numa_maps for the VMA at @addr, after the address,
 * into @buf.  1 if the VMA was found.
 */
static inline int numa_maps_line(pid_t pid, unsigned long addr, char *buf, size_t len)
{
	char path[64], line[1024], want[32];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx ", addr);
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + strlen(want));
		found = 1;
	}
	fclose(f);
	return found;
}

/*
 * The policy that /proc/@pid/numa_maps shows for the VMA at @addr, such as
 * "bind:0-1" or "prefer (many):2", into @buf.  1 if the VMA was found.
 */
static inline int numa_maps_policy(pid_t pid, unsigned long addr, char *buf, size_t len)
{
	char line[1024];
	size_t n;

	if (!numa_maps_line(pid, addr, line, sizeof(line)))
		return 0;
	/* Two mode names have a space in them. */
	n = strcspn(line, " ");
	if (!strncmp(line, "prefer (many)", 13) || !strncmp(line, "weighted interleave", 19))
		n += 1 + strcspn(line + n + 1, " ");
	snprintf(buf, len, "%.*s", (int)n, line);
	return 1;
}

/*
 * A running touch_pages helper: a program of its own whose pages the tests
 * look at from outside, through /proc/PID and the system calls that take
 * a pid, as a user of numactl or migratepages would.
 */
/* What touch_pages writes to each of its pages. */
#define HELPER_FILL	0x5a

struct helper {
	pid_t pid;
	int to, from;		/* its stdin, which ends it when closed, and stdout */
	unsigned long addr;	/* where its pages are */
};

/*
 * Start "numactl @option touch_pages @pages" (without numactl if @option
 * is NULL) and wait until its pages are written.  0 on success.
 */
static inline int helper_start(struct helper *h, const char *option, int pages)
{
	char exe[PATH_MAX], prog[PATH_MAX + 16], npages[16], line[64];
	int in[2], out[2];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 || pipe(in) || pipe(out))
		return -1;
	exe[n] = '\0';
	snprintf(prog, sizeof(prog), "%s/touch_pages", dirname(exe));
	snprintf(npages, sizeof(npages), "%d", pages);
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		if (option)
			execlp("numactl", "numactl", option, prog, npages, NULL);
		else
			execl(prog, prog, npages, NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->to = in[1];
	h->from = out[0];
	n = read(h->from, line, sizeof(line) - 1);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	h->addr = strtoul(line, NULL, 16);
	return h->addr ? 0 : -1;
}

/* End the helper and reap it; nothing if it is not running. */
static inline void helper_stop(struct helper *h)
{
	if (h->pid <= 0)
		return;
	close(h->to);
	close(h->from);
	waitpid(h->pid, NULL, 0);
	h->pid = 0;
}

/* How many of the helper's first @pages pages are not on @node; -1 on error. */
static inline int helper_pages_off(struct helper *h, int pages, int node)
{
	long ps = sysconf(_SC_PAGESIZE);
	int i, off = 0, *status = calloc(pages, sizeof(int));
	void **addrs = calloc(pages, sizeof(void *));

	if (!status || !addrs)
		off = -1;
	for (i = 0; off == 0 && i < pages; i++)
		addrs[i] = (void *)(h->addr + i * ps);
	if (!off && sys_move_pages(h->pid, pages, addrs, NULL, status, 0))
		off = -1;
	for (i = 0; off >= 0 && i < pages; i++)
		off += status[i] != node;
	free(status);
	free(addrs);
	return off;
}

/* Whether the helper's pages, read through /proc/PID/mem, hold what it wrote. */
static inline int helper_intact(struct helper *h, int pages)
{
	long i, len = pages * sysconf(_SC_PAGESIZE);
	char path[64], *buf = malloc(len);
	int fd, ok = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", h->pid);
	fd = open(path, O_RDONLY);
	if (buf && fd >= 0 && pread(fd, buf, len, h->addr) == len) {
		for (i = 0; i < len && buf[i] == HELPER_FILL; i++)
			;
		ok = i == len;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

/* The unprivileged user of the guests (scripts/initramfs.sh). */
#define TESTER_UID	1000

/*
 * Run @fn as the unprivileged user in a child; its return value, or -1.
 * The change of user makes a process undumpable, which would keep even
 * its own children out of its ptrace reach: it is made dumpable again,
 * as a program that the user started would be.
 */
static inline int as_tester(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(TESTER_UID) || setuid(TESTER_UID))
			_exit(255);
		prctl(PR_SET_DUMPABLE, 1);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The test module, built beside the tests (test_modules/). */
#define PROBE_MODULE	"mempolicy_probe.ko"

/*
 * Load the test module unless @file, one of its debugfs files, shows it
 * loaded already; 0 or an errno.
 */
static inline int load_probe(const char *file)
{
	int fd, err = 0;

	if (access(file, F_OK) == 0)
		return 0;
	/* The guests mount debugfs; a plain system may not have. */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	fd = open(PROBE_MODULE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
		err = errno;
	close(fd);
	return err;
}

/*
 * The module's race file (test_modules/mempolicy_probe.c), which holds a
 * task at a race point of the patched kernel.
 */
#define RACE_FILE	"/sys/kernel/debug/mempolicy_probe/race"
/* Longer than the module's own timeout, which ends a race gone wrong. */
#define RACE_WAIT_MS	20000

/* Where the race stands, as the module says ("armed", "copied"...). */
static inline int race_state(char *buf, size_t len)
{
	int fd = open(RACE_FILE, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return n ? errno : EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Poll until the race is at @want; 0 once there, -1 if it ended or never came. */
static inline int race_wait_for(const char *want, char *state, size_t len)
{
	int i;

	for (i = 0; i < RACE_WAIT_MS / 10; i++) {
		if (race_state(state, len) || !strcmp(state, "timed_out"))
			return -1;
		if (!strcmp(state, want))
			return 0;
		usleep(10000);
	}
	return -1;
}

#endif /* MEMPOLICY_NUMA_UTIL_H */
