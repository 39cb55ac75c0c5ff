// SPDX-License-Identifier: GPL-2.0
/*
 * stress: the NUMA API used hard while cpusets change under it, with every
 * byte of the tasks' memory checked, and every policy checked at the end.
 *
 *   stress [-t SECONDS] [-s SEED] [-w WORKERS] [-F]
 *
 * Workers, two per node with memory and at least four, are processes of
 * two threads each:
 *
 *  - the memory thread keeps regions whose every word it can compute from
 *    the page's generation, and checks them continuously against that and
 *    against a checksum per region; it rewrites pages, mbind()s ranges of
 *    whole chunks with every mode and flag, moving the pages
 *    (MPOL_MF_MOVE), resets ranges to no policy, unmaps regions and maps
 *    them again, and sets its own task policy now and then;
 *  - the policy thread sets task policies of every mode, with and without
 *    MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES, moves its process's
 *    pages with migrate_pages(2) and, where the kernel has it,
 *    page_migrate(2), and forks children that check their copy of the
 *    regions, write to it, live for up to 300 ms and exit.
 *
 * Meanwhile the main process, the controller, rewrites cpuset.mems of three
 * cgroup v2 cpusets and moves workers between them, with a pause of 1 to
 * 6 ms between changes (on TCG guests the changes themselves take longer,
 * and the run prints how long).
 *
 * When the time is up the controller stops; then every thread and every
 * child still alive checks itself at rest:
 *
 *  - its Mems_allowed (/proc/thread-self/status) is its cpuset's
 *    cpuset.mems.effective;
 *  - its task policy, and every chunk's VMA policy, as numa_maps prints
 *    them (the nodes in force), is what Linux 6.12 makes of the policy in
 *    that cpuset: MPOL_F_STATIC_NODES gives the user's nodes that are
 *    allowed, MPOL_F_RELATIVE_NODES the user's nodes folded onto the
 *    allowed ones, either one all the allowed nodes when that is empty;
 *    plain bind and interleave keep positions through every rebind, which
 *    depends on the history of the cpuset, so those are checked to be a
 *    non-empty subset of the allowed nodes; preferred policies keep the
 *    nodes they were given, which must be nodes with memory and the
 *    user's (unless relative);
 *  - its memory holds what it wrote.
 *
 * page_migrate(2) moves policies along its map, so a policy that a
 * page_migrate may have moved since it was set is checked only as loosely
 * as a plain one.
 *
 * Each cpuset change is over when the controller's write returns, so the
 * same checks hold between two changes too, but for the memory, which
 * the threads change themselves: children check themselves right after
 * the fork and now and then, threads every 16 steps, and a check that a
 * change overlapped (the controller's change_seq tells) is dropped.  A
 * fork during a change that leaves a child with the old nodes shows then,
 * before a later change mends it.  A child's messages name the changes
 * that its fork overlapped.
 *
 * Linux 6.12 itself leaves a child bound to the old nodes when its fork
 * overlaps a change of its cpuset: fork() copies the task and VMA
 * policies before the child joins its cgroup, and neither a move of the
 * parent (cpuset_attach() rebinds the tasks it moves) nor a rebind walk
 * that is over by then sees the child; __mpol_dup() mends only the copies
 * made during a walk.  Such a child's wrong policies and nodes are
 * printed as KNOWN and counted, and fail the run only with -F.
 *
 * Stock Linux's migrate_pages(2) allocates with __GFP_THISNODE on nodes of
 * the caller's cpuset, and when the cpuset changes meanwhile, the allocator
 * warns of a "page allocation failure", with a stack dump, which the
 * guests count as a kernel report.  That is no bug of the policy code, so
 * migrate_pages(2) calls and the controller's cpuset changes exclude each
 * other through a rwlock shared by all processes.  page_migrate(2) is not
 * serialized: it checks its nodes against the cpuset, and must cope.
 *
 * The run prints its figures as TAP comments: calls of each kind, seconds,
 * bytes verified, corrupted bytes, policies checked.  A failure prints the
 * seed; the same seed makes the same choices, though not the same timing.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <asm/unistd.h>
#include "../kselftest.h"
#include "numa_util.h"

#define CGROOT		"/sys/fs/cgroup"
#define CG_FMT		CGROOT "/mempolicy-stress-%d"
#define NR_CGROUPS	3
#define MAX_WORKERS	32
#define NR_REGIONS	4
#define REGION_PAGES	64
#define NR_CHUNKS	4	/* mbind() takes whole chunks of a region */
#define CHUNK_PAGES	(REGION_PAGES / NR_CHUNKS)
#define MAX_CHILDREN	3	/* alive at once, per worker */
#define CHILD_MAX_MS	300
#define MAX_MESSAGES	40	/* failure messages printed; all are counted */
#define SETTLE_TIMEOUT	600	/* seconds for the workers to check themselves */

#ifndef __NR_page_migrate
#define __NR_page_migrate	-1	/* headers without it: ENOSYS */
#endif

enum op {
	OP_SET_MEMPOLICY, OP_MBIND, OP_MBIND_DEFAULT, OP_MIGRATE_PAGES,
	OP_PAGE_MIGRATE, OP_FORK, OP_REMAP, OP_WRITE, OP_MEMS_WRITE,
	OP_TASK_MOVE, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	[OP_SET_MEMPOLICY] = "set_mempolicy",
	[OP_MBIND] = "mbind (MPOL_MF_MOVE mostly)",
	[OP_MBIND_DEFAULT] = "mbind MPOL_DEFAULT",
	[OP_MIGRATE_PAGES] = "migrate_pages",
	[OP_PAGE_MIGRATE] = "page_migrate",
	[OP_FORK] = "fork",
	[OP_REMAP] = "munmap+mmap",
	[OP_WRITE] = "page rewrites",
	[OP_MEMS_WRITE] = "cpuset.mems writes",
	[OP_TASK_MOVE] = "task moves",
};

enum phase { PHASE_START, PHASE_RUN, PHASE_SETTLE };

/* The controller's last changes, to say which ones a fork overlapped. */
#define NR_CHANGES	64

struct change {
	enum op op;
	int cg, worker;
	struct nodemask mems;
};

/* What all the processes share: one mapping, made before they fork. */
struct shared {
	atomic_int phase;
	pthread_rwlock_t migrate_lock;	/* read: migrate_pages; write: cpusets */
	struct nodemask cg_mems[NR_CGROUPS];	/* as last written, for targets */
	atomic_int worker_cg[MAX_WORKERS];
	atomic_long calls[NR_OPS], errors[NR_OPS];
	atomic_long bytes_verified, corrupted;
	atomic_long checked_tasks, checked_children, checked_vmas, checked_loose;
	atomic_long checked_between, checks_overlapped, raced_children;
	/* The time of the controller's calls, and of its waits for the lock. */
	atomic_long us[NR_OPS], max_us[NR_OPS], wait_us;
	atomic_int failures, messages;
	atomic_long change_seq;		/* odd while a change is under way */
	struct change changes[NR_CHANGES];	/* change n at n % NR_CHANGES */
};

static struct shared *sh;
static bool strict_forks;	/* -F */
/* In a child whose fork overlapped a change of its cpuset or its worker's. */
static bool fork_raced, raced_counted;
static struct nodemask memory;	/* nodes with memory */
static struct nodemask online;
static int nr_memory;
static int have_page_migrate;
static unsigned long long seed;
static long page_size;

/* --- small things --------------------------------------------------------- */

/* xorshift64*: each thread and child has its own, derived from the seed. */
static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static unsigned long long rnd_seed(unsigned long long a, unsigned long long b)
{
	unsigned long long s = (a + 1) * 0x9e3779b97f4a7c15ULL ^ (b + 1) * 0xbf58476d1ce4e5b9ULL;

	rnd(&s);
	return s ? s : 1;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long now_ms(void)
{
	return now_us() / 1000;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void count(enum op op, long ret)
{
	atomic_fetch_add(&sh->calls[op], 1);
	if (ret < 0)
		atomic_fetch_add(&sh->errors[op], 1);
}

/* The time of a call that took @us. */
static void timed(enum op op, long us)
{
	long max = atomic_load(&sh->max_us[op]);

	atomic_fetch_add(&sh->us[op], us);
	while (us > max && !atomic_compare_exchange_weak(&sh->max_us[op], &max, us))
		;
}

/*
 * A failure: counted always, printed for the first few, in one write so
 * that the lines of the processes do not mix.
 */
static void report(bool policy, const char *msg)
{
	const char *what = "FAIL";
	char buf[1100];
	int n;

	/* Such a child is counted once, and fails only with -F; see the top. */
	if (policy && fork_raced && !raced_counted) {
		atomic_fetch_add(&sh->raced_children, 1);
		raced_counted = true;
	}
	if (policy && fork_raced && !strict_forks)
		what = "KNOWN (a fork during a cpuset change, as in Linux 6.12)";
	else
		atomic_fetch_add(&sh->failures, 1);
	if (atomic_fetch_add(&sh->messages, 1) >= MAX_MESSAGES)
		return;
	n = snprintf(buf, sizeof(buf), "# %s: %s\n", what, msg);
	if (write(1, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf)) < 0)
		return;
}

/*
 * The failures of a check made during the run, held until it is known
 * that no cpuset change overlapped the check (check_between()).
 */
#define MAX_HELD	4

struct held {
	bool on;
	int n;
	bool policy[MAX_HELD];
	char msgs[MAX_HELD][1024];
};

static __thread struct held held;

static void vfail(bool policy, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!held.on) {
		report(policy, buf);
	} else if (held.n < MAX_HELD) {
		held.policy[held.n] = policy;
		memcpy(held.msgs[held.n++], buf, sizeof(buf));
	}
}

/* A failure of the memory, or of the program. */
static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(false, fmt, ap);
	va_end(ap);
}

/* A node mask or a policy that is wrong. */
static __printf(1, 2) void pfail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(true, fmt, ap);
	va_end(ap);
}

static bool mask_subset(const struct nodemask *a, const struct nodemask *b)
{
	unsigned int i;

	for (i = 0; i < MASK_LONGS; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

static struct nodemask mask_and(const struct nodemask *a, const struct nodemask *b)
{
	struct nodemask r;
	unsigned int i;

	for (i = 0; i < MASK_LONGS; i++)
		r.bits[i] = a->bits[i] & b->bits[i];
	return r;
}

/* The user's relative nodes folded modulo the allowed count onto them. */
static struct nodemask mask_relative(const struct nodemask *user, const struct nodemask *allowed)
{
	int node = -1, w = mask_weight(allowed);
	struct nodemask r;

	mask_clear(&r);
	while (w && (node = mask_next(user, node)) < MASK_BITS)
		mask_set(&r, mask_nth(allowed, node % w));
	return r;
}

/* A random non-empty subset of @from. */
static struct nodemask random_subset(unsigned long long *s, const struct nodemask *from)
{
	int w = mask_weight(from), i;
	struct nodemask r;

	do {
		unsigned long long bits = rnd(s);

		mask_clear(&r);
		for (i = 0; i < w; i++)
			if (bits & (1ULL << (i % 64)))
				mask_set(&r, mask_nth(from, i));
	} while (!mask_weight(&r));
	return r;
}

/* A file's contents, NUL-terminated, without stdio (children use it too). */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (got < (ssize_t)len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* --- policies: what was set, what numa_maps shows, what Linux makes of it -- */

struct pmodel {
	int mode;		/* -1: no policy of its own (a VMA) */
	int flags;
	struct nodemask user;
	unsigned int epoch;	/* the worker's page_migrate epoch when set */
	bool loose;		/* page_migrate may have moved it */
};

static const char * const mode_names[] = {
	[MPOL_DEFAULT] = "default", [MPOL_PREFERRED] = "prefer", [MPOL_BIND] = "bind",
	[MPOL_INTERLEAVE] = "interleave", [MPOL_LOCAL] = "local",
	[MPOL_PREFERRED_MANY] = "prefer (many)",
	[MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
};

static const char *model_str(const struct pmodel *m, char *buf, size_t len)
{
	char list[256];

	snprintf(buf, len, "%s%s, user nodes %s", mode_names[m->mode],
		 m->flags & MPOL_F_STATIC_NODES ? "=static" :
		 m->flags & MPOL_F_RELATIVE_NODES ? "=relative" : "",
		 mask_str(&m->user, list, sizeof(list)));
	return buf;
}

/* "bind=static:0-1" into its parts; 0 on success. */
static int parse_policy(const char *s, int *mode, int *flags, struct nodemask *nodes)
{
	const char *colon = strchr(s, ':'), *eq = strchr(s, '=');
	size_t n = strcspn(s, "=:");
	unsigned int i;

	*mode = -1;
	*flags = 0;
	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (mode_names[i] && strlen(mode_names[i]) == n && !strncmp(s, mode_names[i], n))
			*mode = i;
	if (*mode < 0)
		return -1;
	if (eq && (!colon || eq < colon)) {
		if (!strncmp(eq + 1, "static", 6))
			*flags = MPOL_F_STATIC_NODES;
		else if (!strncmp(eq + 1, "relative", 8))
			*flags = MPOL_F_RELATIVE_NODES;
		else
			return -1;
	}
	if (!colon)
		return mask_parse("", nodes);
	return mask_parse(colon + 1, nodes);
}

/*
 * Whether @got, a policy as numa_maps prints it, is what Linux makes of
 * the policy @m at rest in a cpuset of @allowed; if not, why, in @why.
 */
static bool policy_ok(const struct pmodel *m, const char *got, const struct nodemask *allowed,
		      char *why, size_t len)
{
	struct nodemask nodes, want;
	char a[256];
	int mode, flags;

	if (parse_policy(got, &mode, &flags, &nodes)) {
		snprintf(why, len, "unreadable");
		return false;
	}
	if (mode != m->mode || flags != m->flags) {
		snprintf(why, len, "not the mode and flags set");
		return false;
	}
	if (mode == MPOL_DEFAULT || mode == MPOL_LOCAL)
		return true;
	if (!mask_weight(&nodes)) {
		snprintf(why, len, "no nodes");
		return false;
	}
	if (mode == MPOL_PREFERRED || mode == MPOL_PREFERRED_MANY) {
		/* Never rebound: the nodes it was created with. */
		if (mode == MPOL_PREFERRED && mask_weight(&nodes) != 1)
			snprintf(why, len, "more than one preferred node");
		else if (!mask_subset(&nodes, &memory))
			snprintf(why, len, "nodes without memory");
		else if (!m->loose && !(flags & MPOL_F_RELATIVE_NODES) &&
			 !mask_subset(&nodes, &m->user))
			snprintf(why, len, "nodes the user did not give");
		else
			return true;
		return false;
	}
	if (!mask_subset(&nodes, allowed)) {
		snprintf(why, len, "nodes outside the cpuset");
		return false;
	}
	if (!flags || m->loose)
		return true;
	if (flags & MPOL_F_STATIC_NODES)
		want = mask_and(&m->user, allowed);
	else
		want = mask_relative(&m->user, allowed);
	if (!mask_weight(&want))
		want = *allowed;
	if (mask_equal(&nodes, &want))
		return true;
	snprintf(why, len, "want %s", mask_str(&want, a, sizeof(a)));
	return false;
}

/* A random policy: mode, flags and user nodes, valid or not. */
static void random_policy(unsigned long long *s, struct pmodel *m)
{
	static const int modes[] = {
		MPOL_DEFAULT, MPOL_LOCAL, MPOL_PREFERRED, MPOL_BIND, MPOL_BIND,
		MPOL_INTERLEAVE, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE,
	};
	unsigned long long r = rnd(s);
	int i;

	m->mode = modes[r % ARRAY_SIZE(modes)];
	m->flags = 0;
	mask_clear(&m->user);
	if (m->mode == MPOL_DEFAULT || m->mode == MPOL_LOCAL)
		return;
	switch ((r >> 8) % 3) {
	case 1:
		m->flags = MPOL_F_STATIC_NODES;
		break;
	case 2:
		m->flags = MPOL_F_RELATIVE_NODES;
		break;
	}
	if (m->flags & MPOL_F_RELATIVE_NODES) {
		/* Positions, some beyond the number of nodes, to fold. */
		for (i = 0; i < 2 * nr_memory; i++)
			if (rnd(s) & 1)
				mask_set(&m->user, i);
		if (!mask_weight(&m->user))
			mask_set(&m->user, rnd(s) % (2 * nr_memory));
	} else {
		/* Nodes with memory, and now and then one without (memoryless). */
		m->user = random_subset(s, (r >> 16) % 4 ? &memory : &online);
	}
}

/* --- a worker's memory ------------------------------------------------------ */

struct region {
	char *p;			/* REGION_PAGES pages, or NULL */
	unsigned int gen[REGION_PAGES];	/* what each page was last filled with */
	unsigned long long psum[REGION_PAGES];	/* the words of each page, added */
	unsigned long long sum;		/* the checksum: all its words, added */
	struct pmodel chunk[NR_CHUNKS];	/* each chunk's VMA policy */
};

struct thread_state {
	unsigned long long rng;
	struct pmodel task;	/* its task policy */
	const char *name;
};

struct worker {
	int id;
	struct region regions[NR_REGIONS];
	/* Held to change the regions (layout, contents, policies) and to fork. */
	pthread_mutex_t lock;
	/* Whole-space page_migrate(2) calls: odd while one runs. */
	atomic_uint epoch;
	pthread_barrier_t settled;
	struct thread_state mem, pol;
	pid_t children[MAX_CHILDREN];
	long fork_seq;		/* the controller's change_seq before a fork */
	int fork_cg;		/* and the worker's cpuset */
	char *probe;		/* a page without a VMA policy: the task's shows */
	int failed;		/* a child's, or its own */
};

static unsigned long long word(const struct worker *w, int region, int page,
			       unsigned int gen, size_t i)
{
	unsigned long long x = ((unsigned long long)w->id << 48) ^
			       ((unsigned long long)region << 40) ^
			       ((unsigned long long)page << 32) ^ gen;

	x = (x + i + 1) * 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 31);
}

static void fill_page(struct worker *w, int region, int page, unsigned int gen)
{
	struct region *r = &w->regions[region];
	unsigned long long *p = (unsigned long long *)(r->p + page * page_size), sum = 0;
	size_t i;

	for (i = 0; i < page_size / 8; i++) {
		p[i] = word(w, region, page, gen, i);
		sum += p[i];
	}
	r->gen[page] = gen;
	r->sum += sum - r->psum[page];
	r->psum[page] = sum;
}

/*
 * Check a region against its checksum and, word by word, against what
 * was written; report and count the bytes that differ.  Returns the pages
 * that differ, one bit each, for the caller to write anew, so that each
 * corrupted byte is counted once.
 */
static unsigned long long check_region(struct worker *w, int region, const char *who)
{
	struct region *r = &w->regions[region];
	unsigned long long sum = 0, bad = 0, pages = 0;
	long first = -1, page;
	size_t i, b;

	if (!r->p)
		return 0;
	for (page = 0; page < REGION_PAGES; page++) {
		const unsigned long long *p = (void *)(r->p + page * page_size);

		for (i = 0; i < page_size / 8; i++) {
			unsigned long long want = word(w, region, page, r->gen[page], i);
			unsigned long long got = p[i];

			sum += got;
			if (got == want)
				continue;
			for (b = 0; b < 8; b++) {
				if (!(((got ^ want) >> (8 * b)) & 0xff))
					continue;
				if (first < 0)
					first = page * page_size + i * 8 + b;
				bad++;
			}
			pages |= 1ULL << page;
		}
	}
	atomic_fetch_add(&sh->bytes_verified, REGION_PAGES * page_size);
	if (bad) {
		atomic_fetch_add(&sh->corrupted, bad);
		fail("%s of worker %d: %llu corrupted bytes in region %d, the first at byte %ld",
		     who, w->id, bad, region, first);
	} else if (sum != r->sum) {
		fail("%s of worker %d: region %d does not add up to its checksum",
		     who, w->id, region);
	}
	return pages;
}

/* Check a region and write its corrupted pages anew; @locked if it must lock. */
static void verify_region(struct worker *w, int region, const char *who, bool locked)
{
	unsigned long long pages = check_region(w, region, who);
	int page;

	if (!pages)
		return;
	if (locked)
		pthread_mutex_lock(&w->lock);
	for (page = 0; page < REGION_PAGES; page++)
		if (pages & (1ULL << page))
			fill_page(w, region, page, w->regions[region].gen[page] + 1);
	if (locked)
		pthread_mutex_unlock(&w->lock);
}

static int map_region(struct worker *w, int region)
{
	struct region *r = &w->regions[region];
	int page, c;

	r->p = mmap(NULL, REGION_PAGES * page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->p == MAP_FAILED) {
		r->p = NULL;
		return -1;
	}
	r->sum = 0;
	memset(r->psum, 0, sizeof(r->psum));
	for (page = 0; page < REGION_PAGES; page++)
		fill_page(w, region, page, rnd(&w->mem.rng) & 0xffff);
	for (c = 0; c < NR_CHUNKS; c++)
		w->regions[region].chunk[c].mode = -1;
	return 0;
}

/* --- checks at rest ---------------------------------------------------------- */

/* The nodes of this thread's cpuset, and its path for messages. */
static int own_cpuset(struct nodemask *mems, char *cg, size_t len)
{
	char buf[512], path[600];
	char *p;

	if (read_file("/proc/thread-self/cgroup", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "0::");
	if (!p)
		return -1;
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	snprintf(cg, len, "%s", p);
	snprintf(path, sizeof(path), CGROOT "%s/cpuset.mems.effective", strcmp(p, "/") ? p : "");
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return mask_parse(buf, mems);
}

static int own_mems_allowed(struct nodemask *mems)
{
	char buf[4096], *p;

	if (read_file("/proc/thread-self/status", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "Mems_allowed_list:");
	if (!p)
		return -1;
	p += strlen("Mems_allowed_list:");
	while (*p == '\t' || *p == ' ')
		p++;
	return mask_parse(p, mems);
}

/*
 * The policy that this thread's numa_maps shows for the VMA holding
 * @addr: of the last VMA that starts at or below it.
 */
static int policy_at(char *maps, unsigned long addr, char *buf, size_t len)
{
	unsigned long best = 0, start;
	char *line = maps, *found = NULL;

	while (line && *line) {
		start = strtoul(line, NULL, 16);
		if (start <= addr && start >= best) {
			best = start;
			found = line;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!found)
		return -1;
	found = strchr(found, ' ');
	if (!found)
		return -1;
	found++;
	/* Two mode names have a space in them. */
	len = len < 64 ? len : 64;
	if (!strncmp(found, "prefer (many)", 13) || !strncmp(found, "weighted interleave", 19)) {
		size_t n = strcspn(found, " ");

		n += 1 + strcspn(found + n + 1, "\n ");
		snprintf(buf, len, "%.*s", (int)n, found);
	} else {
		snprintf(buf, len, "%.*s", (int)strcspn(found, "\n "), found);
	}
	return 0;
}

/* Whether a model may have been moved by a page_migrate since it was set. */
static void settle_model(struct pmodel *m, unsigned int epoch)
{
	if (m->epoch != epoch || (m->epoch & 1))
		m->loose = true;
}

/* The VMA policy of chunk @c of region @i, in a cpuset @cg of @cs. */
static void check_chunk(struct worker *w, struct thread_state *t, int i, int c, char *maps,
			const struct nodemask *cs, const char *cg, bool at_rest)
{
	struct pmodel *m = &w->regions[i].chunk[c];
	unsigned long addr = (unsigned long)w->regions[i].p + c * CHUNK_PAGES * page_size;
	char got[128], why[300], a[256], want[300];

	if (m->mode < 0)
		return;
	settle_model(m, atomic_load(&w->epoch));
	if (at_rest) {
		atomic_fetch_add(&sh->checked_vmas, 1);
		atomic_fetch_add(&sh->checked_loose, m->loose);
	}
	if (policy_at(maps, addr, got, sizeof(got)))
		fail("%s of worker %d: region %d not in numa_maps", t->name, w->id, i);
	else if (!policy_ok(m, got, cs, why, sizeof(why)))
		pfail("%s of worker %d: chunk %d.%d: VMA policy %s (set: %s%s): %s, in %s of %s",
		      t->name, w->id, i, c, got, model_str(m, want, sizeof(want)),
		      m->loose ? ", moved since" : "", why, cg, mask_str(cs, a, sizeof(a)));
}

/*
 * The checks at rest, by a thread (or a child) of itself: its nodes, its
 * task policy and, with @vmas, the VMA policies and contents of its regions.
 */
static void check_self(struct worker *w, struct thread_state *t, bool vmas, bool child,
		       bool at_rest)
{
	static __thread char maps[64 * 1024];
	char cg[256], got[128], why[300], a[256], b[256], want[300];
	struct nodemask cs, allowed;
	unsigned int epoch = atomic_load(&w->epoch);
	int i, c;

	if (own_cpuset(&cs, cg, sizeof(cg)) || own_mems_allowed(&allowed) ||
	    read_file("/proc/thread-self/numa_maps", maps, sizeof(maps)) <= 0) {
		fail("%s of worker %d: cannot read its cpuset, status or numa_maps",
		     t->name, w->id);
		return;
	}
	if (at_rest)
		atomic_fetch_add(child ? &sh->checked_children : &sh->checked_tasks, 1);
	if (!mask_equal(&cs, &allowed))
		pfail("%s of worker %d: mems_allowed %s, its cpuset %s has %s", t->name, w->id,
		      mask_str(&allowed, a, sizeof(a)), cg, mask_str(&cs, b, sizeof(b)));

	settle_model(&t->task, epoch);
	if (policy_at(maps, (unsigned long)w->probe, got, sizeof(got)))
		fail("%s of worker %d: no probe VMA in numa_maps", t->name, w->id);
	else if (!policy_ok(&t->task, got, &cs, why, sizeof(why)))
		pfail("%s of worker %d: task policy %s (set: %s%s): %s, in %s of %s",
		      t->name, w->id, got, model_str(&t->task, want, sizeof(want)),
		      t->task.loose ? ", moved since" : "", why, cg, mask_str(&cs, a, sizeof(a)));
	if (at_rest)
		atomic_fetch_add(&sh->checked_loose, t->task.loose);

	for (i = 0; vmas && i < NR_REGIONS; i++)
		for (c = 0; w->regions[i].p && c < NR_CHUNKS; c++)
			check_chunk(w, t, i, c, maps, &cs, cg, at_rest);
	/*
	 * The memory thread checks the memory, not the policy thread too;
	 * and not during the run, whose failures may be dropped.
	 */
	for (i = 0; at_rest && vmas && i < NR_REGIONS; i++)
		verify_region(w, i, t->name, !child);
}

/*
 * Between two cpuset changes the tasks are at rest as far as the cpusets
 * go: each change is over when its write returns.  So a check that no
 * change overlapped (the controller's change_seq even and the same before
 * and after) holds as at the end, and finds what a fork or a move in the
 * middle of a change left wrong before a later change mends it.  A
 * whole-space page_migrate(2) by the policy thread during the check
 * would move the memory thread's policy under it: that drops it too.
 */
static int check_between(struct worker *w, struct thread_state *t, bool vmas, bool child)
{
	long seq = atomic_load(&sh->change_seq);
	unsigned int epoch = atomic_load(&w->epoch);
	int i;

	if ((seq & 1) || (epoch & 1))
		return 0;
	held.on = true;
	held.n = 0;
	check_self(w, t, vmas, child, false);
	held.on = false;
	if (atomic_load(&sh->change_seq) != seq || atomic_load(&w->epoch) != epoch) {
		atomic_fetch_add(&sh->checks_overlapped, 1);
		return 0;
	}
	atomic_fetch_add(&sh->checked_between, 1);
	for (i = 0; i < held.n; i++) {
		char msg[1100];

		snprintf(msg, sizeof(msg), "between changes: %s", held.msgs[i]);
		report(held.policy[i], msg);
	}
	return held.n;
}

/*
 * Set a random task policy for thread @t of @w, and remember it when the
 * kernel took it: the model that the checks compare with.
 */
static void set_random_task_policy(struct worker *w, struct thread_state *t)
{
	struct pmodel m;
	int ret;

	random_policy(&t->rng, &m);
	m.epoch = atomic_load(&w->epoch);
	m.loose = false;
	ret = sys_set_mempolicy(m.mode | m.flags, &m.user, SET_MAXNODE);
	count(OP_SET_MEMPOLICY, ret);
	if (!ret)
		t->task = m;
}

/* --- the memory thread -------------------------------------------------------- */

static long do_mbind(struct worker *w, int region, int first, int nr, const struct pmodel *m,
		     unsigned int flags)
{
	struct region *r = &w->regions[region];

	return sys_mbind(r->p + first * CHUNK_PAGES * page_size, nr * CHUNK_PAGES * page_size,
			 m->mode | m->flags, m->mode == MPOL_DEFAULT ? NULL : &m->user,
			 SET_MAXNODE, flags);
}

static void memory_step(struct worker *w)
{
	unsigned long long *s = &w->mem.rng;
	unsigned int roll = rnd(s) % 100;
	int region = rnd(s) % NR_REGIONS, first = rnd(s) % NR_CHUNKS;
	int nr = 1 + rnd(s) % (NR_CHUNKS - first), c, i;
	struct region *r = &w->regions[region];
	struct pmodel m;
	long ret;

	pthread_mutex_lock(&w->lock);
	if (!r->p) {
		count(OP_REMAP, map_region(w, region));
	} else if (roll < 35) {
		for (i = 0; i < 1 + (int)(rnd(s) % 4); i++) {
			int page = rnd(s) % REGION_PAGES;

			fill_page(w, region, page, r->gen[page] + 1);
			count(OP_WRITE, 0);
		}
	} else if (roll < 70) {
		static const unsigned int mflags[] = {
			MPOL_MF_MOVE, MPOL_MF_MOVE, MPOL_MF_MOVE, MPOL_MF_MOVE, MPOL_MF_MOVE,
			MPOL_MF_MOVE, MPOL_MF_MOVE | MPOL_MF_STRICT, 0,
		};
		unsigned int flags = mflags[rnd(s) % 8];

		do {
			random_policy(s, &m);
		} while (m.mode == MPOL_DEFAULT);
		m.epoch = atomic_load(&w->epoch);
		m.loose = false;
		ret = do_mbind(w, region, first, nr, &m, flags);
		count(OP_MBIND, ret);
		/* EIO: the policy was applied, some pages did not move. */
		if (!ret || errno == EIO)
			for (c = first; c < first + nr; c++)
				r->chunk[c] = m;
	} else if (roll < 78) {
		m.mode = MPOL_DEFAULT;
		m.flags = 0;
		ret = do_mbind(w, region, first, nr, &m, 0);
		count(OP_MBIND_DEFAULT, ret);
		for (c = first; !ret && c < first + nr; c++)
			r->chunk[c].mode = -1;
	} else if (roll < 86) {
		set_random_task_policy(w, &w->mem);
	} else if (roll < 92) {
		munmap(r->p, REGION_PAGES * page_size);
		count(OP_REMAP, map_region(w, region));
	}
	pthread_mutex_unlock(&w->lock);
}

static void memory_thread(struct worker *w)
{
	int next = 0, step;

	/*
	 * Checking is most of the work: behind the policy thread, which
	 * holds the controller up while it migrates, and behind the controller.
	 */
	setpriority(PRIO_PROCESS, syscall(SYS_gettid), 5);
	for (step = 0; atomic_load(&sh->phase) == PHASE_RUN; step++) {
		memory_step(w);
		if (step % 16 == 15) {
			/* The lock keeps the policy thread's page_migrate off the regions. */
			pthread_mutex_lock(&w->lock);
			check_between(w, &w->mem, true, false);
			pthread_mutex_unlock(&w->lock);
		}
		/* Not under the lock: only this thread changes the regions. */
		verify_region(w, next, w->mem.name, true);
		next = (next + 1) % NR_REGIONS;
	}
	pthread_barrier_wait(&w->settled);
	check_self(w, &w->mem, true, false, true);
}

/* --- the policy thread and its children --------------------------------------- */

/*
 * The child's name for its messages, with the changes of cpusets that
 * its fork overlapped, from the controller's sequence before the fork to
 * the one that the child saw first.
 */
static void describe_fork(struct worker *w, char *buf, size_t len, long before, long after)
{
	size_t n = snprintf(buf, len, "child %d", getpid());
	char list[256];
	long i;

	if (before == after && !(before & 1))
		return;
	n += snprintf(buf + n, len - n, " (forked during");
	for (i = before / 2; i <= (after - 1) / 2 && n < len; i++) {
		const struct change *c = &sh->changes[i % NR_CHANGES];

		if (c->op == OP_TASK_MOVE ? c->worker == w->id : c->cg == w->fork_cg)
			fork_raced = true;
		if (c->op == OP_MEMS_WRITE)
			n += snprintf(buf + n, len - n, " change %ld: cpuset %d's mems to %s;",
				      i, c->cg, mask_str(&c->mems, list, sizeof(list)));
		else
			n += snprintf(buf + n, len - n, " change %ld: worker %d to cpuset %d;",
				      i, c->worker, c->cg);
	}
	if (n < len)
		snprintf(buf + n - 1, len - n + 1, ")");
}

/*
 * A child: check the copy of the regions, write to it, keep checking it
 * for up to CHILD_MAX_MS; if the run ends meanwhile, check itself at rest.
 */
static void child_main(struct worker *w)
{
	long end = now_ms() + 1 + rnd(&w->pol.rng) % CHILD_MAX_MS;
	int i, region = rnd(&w->pol.rng) % NR_REGIONS, page = rnd(&w->pol.rng) % REGION_PAGES;
	int failures = atomic_load(&sh->failures), wrong;
	static char name[512];

	describe_fork(w, name, sizeof(name), w->fork_seq, atomic_load(&sh->change_seq));
	w->pol.name = name;
	/* Its only thread: the lock, held at the fork, stays held. */
	for (i = 0; i < NR_REGIONS; i++)
		verify_region(w, i, name, false);
	if (w->regions[region].p) {
		fill_page(w, region, page, w->regions[region].gen[page] + 7);
		verify_region(w, region, name, false);
	}
	/* Once it has said what is wrong, a child need not say it again. */
	wrong = check_between(w, &w->pol, true, true);
	for (i = 0; now_ms() < end; i++) {
		if (i % 16 == 15 && !wrong)
			wrong = check_between(w, &w->pol, true, true);
		if (atomic_load(&sh->phase) != PHASE_RUN) {
			check_self(w, &w->pol, true, true, true);
			break;
		}
		verify_region(w, i % NR_REGIONS, name, false);
		sleep_us(1000);
	}
	_exit(atomic_load(&sh->failures) != failures);
}

static void reap(struct worker *w, bool wait)
{
	int i, status;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (w->children[i] <= 0 ||
		    waitpid(w->children[i], &status, wait ? 0 : WNOHANG) <= 0)
			continue;
		if (WIFSIGNALED(status))
			fail("a child of worker %d died of signal %d", w->id, WTERMSIG(status));
		w->children[i] = 0;
	}
}

static void fork_child(struct worker *w)
{
	int i;
	pid_t pid;

	for (i = 0; i < MAX_CHILDREN && w->children[i] > 0; i++)
		;
	if (i == MAX_CHILDREN)
		return;
	/* The regions must not change under the fork: the child checks them. */
	pthread_mutex_lock(&w->lock);
	w->fork_seq = atomic_load(&sh->change_seq);
	w->fork_cg = atomic_load(&sh->worker_cg[w->id]);
	pid = fork();
	if (pid == 0) {
		w->pol.rng = rnd_seed(w->pol.rng, getpid());
		child_main(w);
	}
	pthread_mutex_unlock(&w->lock);
	count(OP_FORK, pid);
	w->children[i] = pid;
}

/* Move the pages on the nodes with memory to some of the cpuset's. */
static void migrate_self(struct worker *w)
{
	struct nodemask to;
	long ret, t;

	pthread_rwlock_rdlock(&sh->migrate_lock);
	to = random_subset(&w->pol.rng, &sh->cg_mems[atomic_load(&sh->worker_cg[w->id])]);
	t = now_us();
	ret = syscall(__NR_migrate_pages, 0, SET_MAXNODE, memory.bits, to.bits);
	timed(OP_MIGRATE_PAGES, now_us() - t);
	pthread_rwlock_unlock(&sh->migrate_lock);
	count(OP_MIGRATE_PAGES, ret);
}

/*
 * page_migrate(2) of one node to one of the cpuset's, for a region (under
 * the lock, so that its policies are known to have moved) or, one time in
 * eight, for the whole address space, which moves the task policies of
 * both threads too: those the epoch tells.
 */
static void page_migrate_self(struct worker *w)
{
	unsigned long long *s = &w->pol.rng;
	int from = mask_nth(&memory, rnd(s) % nr_memory), to, region = rnd(s) % NR_REGIONS;
	struct nodemask mems = sh->cg_mems[atomic_load(&sh->worker_cg[w->id])];
	struct region *r = &w->regions[region];
	long ret, t = now_us();
	int c;

	/* Read without the lock, it may be torn: then any node with memory. */
	if (!mask_weight(&mems) || !mask_subset(&mems, &memory))
		mems = memory;
	to = mask_nth(&mems, rnd(s) % mask_weight(&mems));
	if (rnd(s) % 8 == 0) {
		atomic_fetch_add(&w->epoch, 1);
		ret = syscall(__NR_page_migrate, 0, 0UL, ~0UL, 1UL, &from, &to);
		atomic_fetch_add(&w->epoch, 1);
	} else {
		pthread_mutex_lock(&w->lock);
		ret = 0;
		if (r->p)
			ret = syscall(__NR_page_migrate, 0, (unsigned long)r->p,
				      (unsigned long)r->p + REGION_PAGES * page_size,
				      1UL, &from, &to);
		for (c = 0; c < NR_CHUNKS; c++)
			r->chunk[c].loose = true;
		pthread_mutex_unlock(&w->lock);
	}
	timed(OP_PAGE_MIGRATE, now_us() - t);
	count(OP_PAGE_MIGRATE, ret);
}

static void *policy_thread(void *arg)
{
	struct worker *w = arg;
	unsigned long long *s = &w->pol.rng;
	unsigned int roll;
	int step;

	for (step = 0; atomic_load(&sh->phase) == PHASE_RUN; step++) {
		reap(w, false);
		if (step % 16 == 15)
			check_between(w, &w->pol, false, false);
		roll = rnd(s) % 100;
		if (roll < 35) {
			set_random_task_policy(w, &w->pol);
		} else if (roll < 43) {
			/* Rarely: the controller waits for it. */
			migrate_self(w);
		} else if (roll < 63) {
			if (have_page_migrate)
				page_migrate_self(w);
		} else {
			fork_child(w);
		}
	}
	/* The children check themselves at rest too. */
	reap(w, true);
	pthread_barrier_wait(&w->settled);
	check_self(w, &w->pol, false, false, true);
	return NULL;
}

static int worker_main(int id)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_t policy;
	int i;

	if (!w)
		return 1;
	w->id = id;
	w->mem.rng = rnd_seed(seed, 2 * id);
	w->pol.rng = rnd_seed(seed, 2 * id + 1);
	w->mem.name = "memory thread";
	w->pol.name = "policy thread";
	w->mem.task.mode = MPOL_DEFAULT;
	w->pol.task.mode = MPOL_DEFAULT;
	w->probe = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->probe == MAP_FAILED)
		return 1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_barrier_init(&w->settled, NULL, 2);
	for (i = 0; i < NR_REGIONS; i++)
		if (map_region(w, i))
			return 1;
	while (atomic_load(&sh->phase) == PHASE_START)
		sleep_us(1000);
	if (pthread_create(&policy, NULL, policy_thread, w))
		return 1;
	memory_thread(w);
	pthread_join(policy, NULL);
	return 0;
}

/* --- the controller ------------------------------------------------------------ */

static int cg_write(int cg, const char *file, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), CG_FMT "/%s", cg, file);
	return write_str(path, s);
}

static void cleanup(pid_t *workers, int nr)
{
	char path[128];
	int i, tries;

	for (i = 0; i < nr; i++)
		if (workers[i] > 0) {
			kill(workers[i], SIGKILL);
			waitpid(workers[i], NULL, 0);
		}
	for (i = 0; i < NR_CGROUPS; i++) {
		snprintf(path, sizeof(path), CG_FMT, i);
		/* Exiting children may keep a cgroup populated for a moment. */
		for (tries = 0; tries < 100 && rmdir(path) && errno == EBUSY; tries++)
			sleep_us(100000);
	}
}

/*
 * Every 1 to 6 ms, rewrite a cpuset's nodes or move a worker to another
 * cpuset, for @seconds.  Neither excludes migrate_pages(2) (see the top).
 */
static void controller(const pid_t *workers, int nr_workers, long seconds)
{
	unsigned long long s = rnd_seed(seed, ~0ULL);
	long end = now_ms() + seconds * 1000;
	char list[256], pid[32];
	struct nodemask mems;
	int cg, id, err;
	enum op op;
	long t;

	/* Ahead of the workers, so that it keeps to its 1 to 6 ms. */
	setpriority(PRIO_PROCESS, 0, -10);
	while (now_ms() < end) {
		sleep_us(1000 + rnd(&s) % 5000);
		cg = rnd(&s) % NR_CGROUPS;
		id = rnd(&s) % nr_workers;
		op = rnd(&s) & 1 ? OP_MEMS_WRITE : OP_TASK_MOVE;
		t = now_us();
		pthread_rwlock_wrlock(&sh->migrate_lock);
		atomic_fetch_add(&sh->wait_us, now_us() - t);
		mems = random_subset(&s, &memory);
		sh->changes[(atomic_load(&sh->change_seq) / 2) % NR_CHANGES] =
			(struct change){ .op = op, .cg = cg, .worker = id, .mems = mems };
		atomic_fetch_add(&sh->change_seq, 1);
		t = now_us();
		if (op == OP_MEMS_WRITE) {
			err = cg_write(cg, "cpuset.mems", mask_str(&mems, list, sizeof(list)));
			if (!err)
				sh->cg_mems[cg] = mems;
			count(OP_MEMS_WRITE, err ? -1 : 0);
		} else {
			snprintf(pid, sizeof(pid), "%d", workers[id]);
			err = cg_write(cg, "cgroup.procs", pid);
			if (!err)
				atomic_store(&sh->worker_cg[id], cg);
			count(OP_TASK_MOVE, err ? -1 : 0);
		}
		atomic_fetch_add(&sh->change_seq, 1);
		pthread_rwlock_unlock(&sh->migrate_lock);
		timed(op, now_us() - t);
	}
}

static int setup_shared(void)
{
	pthread_rwlockattr_t attr;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	/* Writers first: the controller must not starve behind the workers. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	return pthread_rwlock_init(&sh->migrate_lock, &attr);
}

/* Wait up to SETTLE_TIMEOUT for the workers; 0 if all ended well. */
static int wait_workers(pid_t *workers, int nr)
{
	long end = now_ms() + SETTLE_TIMEOUT * 1000L;
	int i, left = nr, status, bad = 0;

	while (left && now_ms() < end) {
		for (i = 0; i < nr; i++) {
			if (workers[i] <= 0 || waitpid(workers[i], &status, WNOHANG) <= 0)
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				fail("worker %d ended with status 0x%x", i, status);
				bad = 1;
			}
			workers[i] = 0;
			left--;
		}
		sleep_us(10000);
	}
	if (left)
		fail("%d workers did not finish their checks in %d s", left, SETTLE_TIMEOUT);
	return bad || left;
}

static void print_figures(long ms, int nr_workers)
{
	char list[256];
	int i;

	ksft_print_msg("seed %llu, %d workers, %ld.%03ld s (%.1f min)\n",
		       seed, nr_workers, ms / 1000, ms % 1000, ms / 60000.0);
	ksft_print_msg("cpusets over nodes %s, page_migrate %s\n",
		       mask_str(&memory, list, sizeof(list)), have_page_migrate ? "yes" : "no");
	for (i = 0; i < NR_OPS; i++)
		ksft_print_msg("%-28s %10ld calls, %ld failed\n", op_names[i],
			       atomic_load(&sh->calls[i]), atomic_load(&sh->errors[i]));
	for (i = OP_MIGRATE_PAGES; i <= OP_TASK_MOVE; i++)
		if (atomic_load(&sh->us[i]))
			ksft_print_msg("%s took %ld us on average, %ld us at most\n",
				       op_names[i],
				       atomic_load(&sh->us[i]) / (atomic_load(&sh->calls[i]) ?: 1),
				       atomic_load(&sh->max_us[i]));
	ksft_print_msg("the controller waited %ld ms in all for migrate_pages calls\n",
		       atomic_load(&sh->wait_us) / 1000);
	ksft_print_msg("bytes verified %ld, corrupted bytes %ld\n",
		       atomic_load(&sh->bytes_verified), atomic_load(&sh->corrupted));
	ksft_print_msg("checked at rest: %ld threads, %ld children, %ld VMA policies\n",
		       atomic_load(&sh->checked_tasks), atomic_load(&sh->checked_children),
		       atomic_load(&sh->checked_vmas));
	ksft_print_msg("of those policies, %ld loosely: page_migrate may have moved them\n",
		       atomic_load(&sh->checked_loose));
	ksft_print_msg("checked between cpuset changes: %ld times (%ld overlapped one)\n",
		       atomic_load(&sh->checked_between), atomic_load(&sh->checks_overlapped));
	ksft_print_msg("children left with old nodes by a fork during a change: %ld%s\n",
		       atomic_load(&sh->raced_children), strict_forks ? " (failures, -F)" : "");
	ksft_print_msg("problems found %d\n", atomic_load(&sh->failures));
}

/* The test's one result, a skip, and the status that says so. */
static __noreturn void skip(const char *why)
{
	ksft_test_result_skip("stress: %s\n", why);
	ksft_print_cnts();
	exit(KSFT_SKIP);
}

static void usage(const char *prog)
{
	fprintf(stderr, "%s [-t SECONDS] [-s SEED] [-w WORKERS] [-F]\n", prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	pid_t workers[MAX_WORKERS] = { 0 };
	long seconds = 20, start;
	char list[256];
	int nr_workers = 0, opt, i, err;
	bool ok;

	seed = time(NULL) ^ getpid();
	while ((opt = getopt(argc, argv, "t:s:w:F")) != -1) {
		switch (opt) {
		case 'F':
			strict_forks = true;
			break;
		case 't':
			seconds = atol(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			nr_workers = atoi(optarg);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (seconds < 1 || nr_workers < 0 || nr_workers > MAX_WORKERS)
		usage(argv[0]);
	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();
	ksft_set_plan(1);
	if (read_node_state("has_memory", &memory) || read_node_state("online", &online))
		ksft_exit_fail_msg("cannot read the node states\n");
	nr_memory = mask_weight(&memory);
	if (nr_memory < 2)
		skip("needs two nodes with memory");
	if (cpuset_v2_enable())
		skip("no cgroup v2 cpuset controller");
	if (!nr_workers)
		nr_workers = 2 * nr_memory < 4 ? 4 : 2 * nr_memory;
	if (nr_workers > MAX_WORKERS)
		nr_workers = MAX_WORKERS;
	{
		int node = mask_nth(&memory, 0);

		have_page_migrate = syscall(__NR_page_migrate, 0, 0UL, (unsigned long)page_size,
					    1UL, &node, &node) == 0;
	}
	fflush(stdout);
	if (setup_shared())
		ksft_exit_fail_msg("cannot set up the shared state\n");
	ksft_print_msg("seed %llu (rerun: %s -t %ld -s %llu)\n", seed, argv[0], seconds, seed);

	for (i = 0; i < NR_CGROUPS; i++) {
		char path[128];

		snprintf(path, sizeof(path), CG_FMT, i);
		rmdir(path);
		if (mkdir(path, 0755) ||
		    cg_write(i, "cpuset.mems", mask_str(&memory, list, sizeof(list))))
			ksft_exit_fail_msg("cannot make cpuset %s: %s\n", path, strerror(errno));
		sh->cg_mems[i] = memory;
	}
	fflush(stdout);
	for (i = 0; i < nr_workers; i++) {
		char pid[32];

		workers[i] = fork();
		if (workers[i] < 0) {
			cleanup(workers, i);
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		}
		if (workers[i] == 0)
			_exit(worker_main(i));
		snprintf(pid, sizeof(pid), "%d", workers[i]);
		atomic_store(&sh->worker_cg[i], i % NR_CGROUPS);
		err = cg_write(i % NR_CGROUPS, "cgroup.procs", pid);
		if (err) {
			cleanup(workers, i + 1);
			ksft_exit_fail_msg("cannot move a worker: %s\n", strerror(err));
		}
	}

	start = now_ms();
	atomic_store(&sh->phase, PHASE_RUN);
	controller(workers, nr_workers, seconds);
	/* Every cpuset write has returned, and with it the memory it moved. */
	atomic_store(&sh->phase, PHASE_SETTLE);
	wait_workers(workers, nr_workers);
	cleanup(workers, nr_workers);

	print_figures(now_ms() - start, nr_workers);
	ok = !atomic_load(&sh->failures) && !atomic_load(&sh->corrupted);
	if (!ok)
		ksft_print_msg("rerun: %s -t %ld -s %llu\n", argv[0], seconds, seed);
	ksft_test_result(ok, "stress\n");
	ksft_finished();
}
