// SPDX-License-Identifier: GPL-2.0
/*
 * page_migrate(2): move a range of a running process's memory along a map
 * of old to new nodes.
 *
 * migrate_pages(2) moves a whole address space to one node mask.  A batch
 * scheduler that moves a job wants more: a range (or all of it), a map
 * that may send each node somewhere else (a swap of two nodes included),
 * the job's policies moved along so that what it allocates meanwhile
 * lands on the new nodes, a fallback when a new node is full, and files
 * that say they must not move.  The man page, page_migrate.2, is the
 * specification; this file is its implementation:
 *
 *  1. every argument is checked before anything changes;
 *  2. the policies that govern the range are moved along the map under
 *     the mmap write lock (the VMA policies of the range, and the task
 *     policy when the range is the whole address space);
 *  3. the migration engine (migrate.h) moves the pages batch by batch,
 *     holding the mmap lock only while it walks one batch, with an
 *     allocation callback that tries each page's new node and then the
 *     other new nodes by distance.
 */

#include <linux/capability.h>
#include <linux/cpuset.h>
#include <linux/cred.h>
#include <linux/hugetlb.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/xattr.h>

#include "policy.h"
#include "migrate.h"
#include "race.h"
#include "../internal.h"

/* The extended attribute by which a file opts out, and its values. */
#define PM_XATTR	XATTR_USER_PREFIX "migrate"
#define PM_XATTR_NONE	"none"	/* its pages never move */
#define PM_XATTR_LIB	"lib"	/* only writable mappings of it move */

/**
 * struct pm_run - one page_migrate() call
 * @map: where each node's pages go
 * @dests: every node of new_nodes, the fallback candidates
 * @move: the engine's run
 * @alloc_failed: an allocation for some page failed on every new node
 */
struct pm_run {
	struct mpol_node_map map;
	nodemask_t dests;
	struct mpol_move move;
	bool alloc_failed;
};

/*
 * Read the user's two node arrays into @run->map and check them: node ids
 * that the kernel can have, no old node twice (a page cannot go to two
 * places), new nodes with memory.  A pair whose nodes are equal moves
 * nothing and is left out of the map, but its new node is still a
 * fallback candidate.
 */
static int pm_read_map(struct pm_run *run, unsigned long count,
		       const int __user *old_nodes, const int __user *new_nodes)
{
	nodemask_t olds = NODE_MASK_NONE;
	int *old, *new;
	unsigned long i;
	int err = 0;

	old = memdup_array_user(old_nodes, count, sizeof(*old));
	if (IS_ERR(old))
		return PTR_ERR(old);
	new = memdup_array_user(new_nodes, count, sizeof(*new));
	if (IS_ERR(new)) {
		kfree(old);
		return PTR_ERR(new);
	}

	for (i = 0; i < count && !err; i++) {
		if (old[i] < 0 || old[i] >= MAX_NUMNODES ||
		    new[i] < 0 || new[i] >= MAX_NUMNODES ||
		    !node_possible(old[i]) || node_isset(old[i], olds) ||
		    !node_state(new[i], N_MEMORY)) {
			err = -EINVAL;
			break;
		}
		node_set(old[i], olds);
		node_set(new[i], run->dests);
		if (old[i] != new[i]) {
			node_set(old[i], run->map.moving);
			run->map.to[old[i]] = new[i];
		}
	}
	kfree(new);
	kfree(old);
	return err;
}

/*
 * migrate_pages(2)'s rules for moving another process's memory, which
 * page_migrate.2 adopts: ptrace read access to the target and, for a
 * process of another user, CAP_SYS_NICE.  "Another user" is as the
 * migrate_pages(2) man page has it: neither the real nor the effective
 * UID of the caller matches the real or saved set-user-ID of the target.
 */
static int pm_may_move(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	bool same_user;

	if (!ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS))
		return -EPERM;
	rcu_read_lock();
	tcred = __task_cred(task);
	same_user = uid_eq(cred->euid, tcred->suid) ||
		    uid_eq(cred->euid, tcred->uid) ||
		    uid_eq(cred->uid, tcred->suid) ||
		    uid_eq(cred->uid, tcred->uid);
	rcu_read_unlock();
	if (!same_user && !capable(CAP_SYS_NICE))
		return -EPERM;
	return security_task_movememory(task);
}

/* Does the policy use a node that the map moves? */
static bool pm_policy_moves(const struct mempolicy *pol,
			    const struct mpol_node_map *map)
{
	if (!pol)
		return false;
	if (pol->home_node != NUMA_NO_NODE &&
	    node_isset(pol->home_node, map->moving))
		return true;
	return nodes_intersects(pol->nodes, map->moving);
}

/*
 * Move the VMA policies of [@start, @end) along the map, splitting VMAs
 * that the range cuts so that only their part inside it changes.  The
 * new policy goes in the way mbind() puts one in, so that shared memory
 * whose VMA has a policy updates its object's policy for the range too.
 *
 * The VMA at each address is looked up afresh after each change: a VMA
 * given its new policy merges with the next one when that one's old
 * policy is equal to it (0->1 next to 1->0, in a swap), and an iterator
 * would then step over the next VMA, which kept its old policy.  Looked
 * up again, the merged VMA's policy from there on is the next VMA's old
 * one, which is moved in turn.
 */
static int pm_remap_vma_policies(struct mm_struct *mm, unsigned long start,
				 unsigned long end,
				 const struct mpol_node_map *map)
{
	struct vm_area_struct *vma, *prev;
	unsigned long addr = start, done;
	struct mempolicy *new;
	int err;

	while (addr < end) {
		VMA_ITERATOR(vmi, mm, addr);

		prev = vma_prev(&vmi);
		vma = vma_find(&vmi, end);
		if (!vma)
			break;
		done = min(end, vma->vm_end);
		if (pm_policy_moves(vma->vm_policy, map)) {
			new = mpol_dup(vma->vm_policy);
			if (IS_ERR(new))
				return PTR_ERR(new);
			mpol_remap_policy(new, map);
			err = mpol_mbind_range(&vmi, vma, &prev, addr, end, new);
			mpol_put(new);
			if (err)
				return err;
		}
		addr = done;
	}
	return 0;
}

/*
 * Is @vma a mapping of a file that opted out?  The attribute is read with
 * __vfs_getxattr(), without the caller's permission to read it: it is the
 * file owner's word on where its pages may go, not the caller's data.
 */
static bool pm_skip_vma(struct mpol_move *move, struct vm_area_struct *vma)
{
	char value[sizeof(PM_XATTR_NONE)];
	struct file *file = vma->vm_file;
	ssize_t len;

	if (!file)
		return false;
	len = __vfs_getxattr(file_dentry(file), file_inode(file), PM_XATTR,
			     value, sizeof(value));
	if (len == strlen(PM_XATTR_NONE) &&
	    !memcmp(value, PM_XATTR_NONE, len))
		return true;
	if (len == strlen(PM_XATTR_LIB) && !memcmp(value, PM_XATTR_LIB, len))
		return !(vma->vm_flags & VM_WRITE);
	return false;
}

/* One attempt to allocate @src's new home on @nid, and only there. */
static struct folio *pm_alloc_on(struct folio *src, int nid)
{
	struct mpol_race_alloc attempt = { .nid = nid };
	nodemask_t only = nodemask_of_node(nid);
	struct migration_target_control target = {
		.nid = nid,
		.nmask = &only,
		.gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE |
			    __GFP_NOWARN,
		.reason = MR_SYSCALL,
	};

	/* Tests make chosen nodes look full here. */
	mpol_race_point(MPOL_RACE_MIGRATE_ALLOC, &attempt);
	if (attempt.fail)
		return NULL;
	return alloc_migration_target(src, (unsigned long)&target);
}

/*
 * The node of @dests after @prev in the order of distance from @first
 * (ties by node id), or NUMA_NO_NODE after the last; @prev is
 * NUMA_NO_NODE to start.  A selection on each call rather than a sorted
 * table: it runs only when an allocation fails, and new_nodes is short.
 */
static int pm_next_fallback(const nodemask_t *dests, int first, int prev)
{
	int prev_dist = prev == NUMA_NO_NODE ? -1 : node_distance(first, prev);
	int best = NUMA_NO_NODE, best_dist = INT_MAX;
	int nid, dist;

	for_each_node_mask(nid, *dests) {
		if (nid == first)
			continue;
		dist = node_distance(first, nid);
		/* Strictly after @prev in (distance, id) order... */
		if (dist < prev_dist || (dist == prev_dist && nid <= prev))
			continue;
		/* ...and the first such; for_each_node_mask goes by id. */
		if (dist < best_dist) {
			best = nid;
			best_dist = dist;
		}
	}
	return best;
}

/*
 * The engine's allocation callback: @src's new node first, then the other
 * new nodes, nearest first.  A transparent huge page goes whole only to
 * its own new node; when that node has no room, returning NULL makes
 * migrate_pages() split it, and its base pages take the fallback order
 * one by one.  A hugetlb page cannot be split, so it tries every node.
 */
static struct folio *pm_alloc(struct folio *src, unsigned long private)
{
	struct pm_run *run = (struct pm_run *)private;
	int first = run->map.to[folio_nid(src)];
	struct folio *dst;
	int nid;

	dst = pm_alloc_on(src, first);
	if (dst)
		return dst;
	if (folio_test_large(src) && !folio_test_hugetlb(src))
		return NULL;
	for (nid = pm_next_fallback(&run->dests, first, NUMA_NO_NODE);
	     nid != NUMA_NO_NODE;
	     nid = pm_next_fallback(&run->dests, first, nid)) {
		dst = pm_alloc_on(src, nid);
		if (dst)
			return dst;
	}
	run->alloc_failed = true;
	return NULL;
}

/*
 * Each thread has a policy of its own, and any of them may fault pages of
 * the range in: in the whole-space case all of them move.
 */
static void pm_remap_threads(struct pm_run *run, struct task_struct *task)
{
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(task, t)
		mpol_remap_task(t, &run->map, &run->dests);
	rcu_read_unlock();
}

/* page_migrate.2: EINVAL when a new node is outside the target's cpuset. */
static int pm_check_cpuset(struct pm_run *run, struct task_struct *task)
{
	nodemask_t allowed = cpuset_mems_allowed(task);

	return nodes_subset(run->dests, allowed) ? 0 : -EINVAL;
}

/*
 * Steps 2 and 3 for the target's @mm: policies first, under the mmap
 * write lock, then the pages.  Returns the number of pages not moved or
 * -errno.
 *
 * The cpuset was checked before, but the scheduler may move the job or
 * change its cpuset's nodes since; the cpuset then rebinds the job's
 * policies to its new nodes, and moving them along the map afterwards
 * would take them out again.  A cpuset change sets the cpuset's nodes
 * first and rebinds VMA policies under the mmap write lock after, so
 * with the lock held a second check stays true until they have moved:
 * if it fails, the call fails as the first would have.  Thread policies
 * are rebound under each thread's task lock, where mpol_remap_task()
 * checks again.
 */
static long pm_move(struct pm_run *run, struct task_struct *task,
		    struct mm_struct *mm, unsigned long start,
		    unsigned long end, bool whole)
{
	struct mpol_move *move = &run->move;
	long err;

	mpol_race_point(MPOL_RACE_MIGRATE_CHECKED, task);
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	err = pm_check_cpuset(run, task);
	if (!err)
		err = pm_remap_vma_policies(mm, start, end, &run->map);
	if (!err && whole) {
		mpol_race_point(MPOL_RACE_MIGRATE_LOCKED, task);
		pm_remap_threads(run, task);
	}
	mmap_write_unlock(mm);
	if (err)
		return err;

	*move = (struct mpol_move) {
		.mm = mm,
		.start = start,
		.end = end,
		.nodes = &run->map.moving,
		/*
		 * Pages that other processes map too need CAP_SYS_NICE, as
		 * for migrate_pages(2); without it they stay and are
		 * counted.  MPOL_MF_STRICT makes the engine count the pages
		 * of VMAs that cannot migrate as well.
		 */
		.flags = (capable(CAP_SYS_NICE) ? MPOL_MF_MOVE_ALL :
						  MPOL_MF_MOVE) |
			 MPOL_MF_STRICT | MPOL_MF_DISCONTIG_OK,
		.alloc = pm_alloc,
		.alloc_private = (unsigned long)run,
		.skip_vma = pm_skip_vma,
		.reason = MR_SYSCALL,
		.count_shared = true,
		.keep_going = true,
	};
	lru_cache_disable();
	err = mpol_move_range(move);
	lru_cache_enable();
	if (err)
		return err;
	/* page_migrate.2: ENOMEM only when not one page found a home. */
	if (run->alloc_failed && !move->nr_pages_moved)
		return -ENOMEM;
	return min_t(unsigned long, move->nr_pages_failed, LONG_MAX);
}

/*
 * Find and check the target (ESRCH, EPERM; EINVAL for new nodes outside
 * its cpuset or a target without memory of its own), then move.
 */
static long pm_migrate_task(struct pm_run *run, pid_t pid,
			    unsigned long start, unsigned long end, bool whole)
{
	struct task_struct *task;
	struct mm_struct *mm;
	long err;

	task = mpol_get_task(pid);
	if (IS_ERR(task))
		return PTR_ERR(task);
	err = pm_may_move(task);
	if (!err)
		err = pm_check_cpuset(run, task);
	mm = mpol_task_mm(task, err);
	if (IS_ERR(mm)) {
		err = PTR_ERR(mm);
	} else {
		/*
		 * An address space smaller than the range ends sooner; a map
		 * of nodes onto themselves moves nothing.
		 */
		end = min(end, mm->task_size);
		if (start < end && !nodes_empty(run->map.moving))
			err = pm_move(run, task, mm, start, end, whole);
		mmput(mm);
	}
	put_task_struct(task);
	return err;
}

/**
 * sys_page_migrate - move a range of a process's pages along a node map
 * @pid: the process, 0 for the caller
 * @va_start: start of the range, page aligned
 * @va_end: end of the range (exclusive), page aligned, or ULONG_MAX for
 *	the end of the address space
 * @count: the number of entries of @old_nodes and @new_nodes
 * @old_nodes: user array of nodes to move pages from
 * @new_nodes: user array of the nodes that their pages go to
 *
 * The pages in the range that sit on @old_nodes[i] go to @new_nodes[i],
 * all pairs at once; page_migrate.2 has the rest.
 *
 * Return: the number of pages that could not be moved, or -EINVAL,
 * -EFAULT, -ESRCH, -EPERM, -ENOMEM or -EINTR.
 */
SYSCALL_DEFINE6(page_migrate, pid_t, pid, unsigned long, va_start,
		unsigned long, va_end, unsigned long, count,
		const int __user *, old_nodes, const int __user *, new_nodes)
{
	bool whole = va_start == 0 && va_end == ULONG_MAX;
	struct pm_run *run;
	long err;

	if (!PAGE_ALIGNED(va_start) || va_start >= va_end ||
	    (!PAGE_ALIGNED(va_end) && va_end != ULONG_MAX))
		return -EINVAL;
	if (!count || count > MAX_NUMNODES)
		return -EINVAL;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	err = pm_read_map(run, count, old_nodes, new_nodes);
	if (!err)
		err = pm_migrate_task(run, pid, va_start, va_end, whole);
	kfree(run);
	return err;
}
