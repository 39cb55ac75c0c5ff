// SPDX-License-Identifier: GPL-2.0
/*
 * Shared policies: the policies of shmem, tmpfs and SysV shm objects,
 * which belong to the object rather than to any one mapping, so that every
 * process mapping it allocates by the same rules.  hugetlbfs keeps none, as
 * in Linux 6.12 (its vm_ops have no set_policy): its mappings take VMA
 * policies, and the hugetlb selftest checks that.
 *
 * A shared policy is a red-black tree of disjoint ranges [start, end) of
 * page offsets in the object, ordered by start, each range holding its own
 * reference to a policy marked MPOL_F_SHARED.  Offsets that no range
 * covers follow the default policy.  Lookups take sp->lock for reading,
 * changes take it for writing; nothing under the lock sleeps, so memory
 * that a change may need is allocated before the lock is taken.
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "policy.h"

static struct kmem_cache *sp_range_cache;

/**
 * mpol_shared_init - create the slab cache for shared policy ranges
 *
 * Called once at boot from numa_policy_init(); shared memory cannot work
 * without the cache, so failing to create it panics.
 */
void __init mpol_shared_init(void)
{
	sp_range_cache = kmem_cache_create("shared_policy_node",
					   sizeof(struct sp_node), 0,
					   SLAB_PANIC, NULL);
}

static inline struct sp_node *to_range(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct sp_node, nd) : NULL;
}

/*
 * The lowest range that intersects [start, end), or NULL.  The ranges are
 * disjoint and sorted, so their ends grow with their starts: the first
 * range ending after @start is the only candidate for being the lowest
 * one to overlap, and it overlaps if it begins before @end.
 */
static struct sp_node *first_overlap(struct shared_policy *sp, pgoff_t start,
				     pgoff_t end)
{
	struct rb_node *rb = sp->root.rb_node;
	struct sp_node *best = NULL;

	while (rb) {
		struct sp_node *r = to_range(rb);

		if (r->end > start) {
			best = r;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	if (best && best->start < end)
		return best;
	return NULL;
}

/* Link @r into the tree; the caller has made room for it. */
static void link_range(struct shared_policy *sp, struct sp_node *r)
{
	struct rb_node **link = &sp->root.rb_node;
	struct rb_node *parent = NULL;

	while (*link) {
		struct sp_node *other = to_range(*link);

		parent = *link;
		/* Lookups rely on the ranges being disjoint. */
		WARN_ON_ONCE(r->start < other->end && other->start < r->end);
		if (r->start < other->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&r->nd, parent, link);
	rb_insert_color(&r->nd, &sp->root);
}

static void free_range(struct sp_node *r)
{
	mpol_put(r->policy);
	kmem_cache_free(sp_range_cache, r);
}

static void drop_range(struct shared_policy *sp, struct sp_node *r)
{
	rb_erase(&r->nd, &sp->root);
	free_range(r);
}

/*
 * A range [start, end) that takes over the caller's reference to @pol, a
 * policy that nobody else uses yet (fresh from mpol_dup() or mpol_new()).
 * In the tree it carries MPOL_F_SHARED, which tells its users to take
 * references on it.  Without memory, @pol is put and NULL returned.
 */
static struct sp_node *new_range(pgoff_t start, pgoff_t end,
				 struct mempolicy *pol)
{
	struct sp_node *r = kmem_cache_alloc(sp_range_cache, GFP_KERNEL);

	if (!r) {
		mpol_put(pol);
		return NULL;
	}
	pol->flags |= MPOL_F_SHARED;
	*r = (struct sp_node) { .start = start, .end = end, .policy = pol };
	return r;
}

/*
 * Clear [start, end) of every range, with sp->lock held for writing.
 * Ranges inside the hole go, ranges sticking out of one side are trimmed,
 * and a range sticking out of both sides is cut in two, its upper part
 * taking *@spare and a copy of its policy in *@spare_pol (both are used
 * up then).  Without spares for that cut, return false having changed
 * nothing: only the lowest overlapping range can begin below @start, and
 * it is the first one visited.
 */
static bool clear_hole(struct shared_policy *sp, pgoff_t start, pgoff_t end,
		       struct sp_node **spare, struct mempolicy **spare_pol)
{
	struct sp_node *r = first_overlap(sp, start, end);

	while (r && r->start < end) {
		struct sp_node *next = to_range(rb_next(&r->nd));

		if (r->start >= start && r->end <= end) {
			drop_range(sp, r);
		} else if (r->start >= start) {
			/* Sticks out above: nothing further overlaps. */
			r->start = end;
			break;
		} else if (r->end <= end) {
			r->end = start;
		} else {
			struct sp_node *upper = *spare;
			struct mempolicy *pol = *spare_pol;

			if (!upper)
				return false;
			*pol = *r->policy;
			atomic_set(&pol->refcnt, 1);
			upper->start = end;
			upper->end = r->end;
			upper->policy = pol;
			r->end = start;
			link_range(sp, upper);
			*spare = NULL;
			*spare_pol = NULL;
			break;
		}
		r = next;
	}
	return true;
}

/*
 * Put @range (or nothing, if NULL) over [start, end).  A cut needs memory
 * that cannot be allocated under the lock: drop it, allocate, and start
 * again, since the tree may have changed meanwhile.
 */
static int replace_ranges(struct shared_policy *sp, pgoff_t start,
			  pgoff_t end, struct sp_node *range)
{
	struct sp_node *spare = NULL;
	struct mempolicy *spare_pol = NULL;
	int ret = 0;

	for (;;) {
		write_lock(&sp->lock);
		if (clear_hole(sp, start, end, &spare, &spare_pol))
			break;
		write_unlock(&sp->lock);

		spare = kmem_cache_alloc(sp_range_cache, GFP_KERNEL);
		spare_pol = kmem_cache_alloc(mpol_cache, GFP_KERNEL);
		if (!spare || !spare_pol) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (range)
		link_range(sp, range);
	write_unlock(&sp->lock);
out:
	/* Unused when a retry found no range left to cut. */
	if (spare_pol)
		kmem_cache_free(mpol_cache, spare_pol);
	if (spare)
		kmem_cache_free(sp_range_cache, spare);
	return ret;
}

/**
 * mpol_shared_policy_lookup - find the shared policy of a page offset
 * @sp: the shared policy of the object
 * @idx: page offset in the object
 *
 * Return: the policy covering @idx with a reference taken for the caller,
 * who drops it with mpol_cond_put(); or NULL if @idx has no policy of its
 * own.
 */
struct mempolicy *mpol_shared_policy_lookup(struct shared_policy *sp,
					    pgoff_t idx)
{
	struct mempolicy *pol = NULL;
	struct sp_node *r;

	/* Most objects never get a policy: spare them the lock. */
	if (RB_EMPTY_ROOT(&sp->root))
		return NULL;

	read_lock(&sp->lock);
	r = first_overlap(sp, idx, idx + 1);
	if (r) {
		pol = r->policy;
		mpol_get(pol);
	}
	read_unlock(&sp->lock);
	return pol;
}

/**
 * mpol_set_shared_policy - set the policy of the part of an object mapped
 * by a VMA
 * @sp: the shared policy of the object
 * @vma: the mapping, whose page offsets give the range
 * @pol: the policy, or NULL (or MPOL_DEFAULT) to remove any policy there
 *
 * The range gets a copy of @pol; the caller keeps its reference to @pol.
 *
 * Return: 0, or -ENOMEM.
 */
int mpol_set_shared_policy(struct shared_policy *sp,
			   struct vm_area_struct *vma, struct mempolicy *pol)
{
	pgoff_t start = vma->vm_pgoff;
	pgoff_t end = start + vma_pages(vma);
	struct sp_node *range = NULL;
	int ret;

	if (pol && pol->mode != MPOL_DEFAULT) {
		struct mempolicy *copy = mpol_dup(pol);

		if (IS_ERR(copy))
			return PTR_ERR(copy);
		range = new_range(start, end, copy);
		if (!range)
			return -ENOMEM;
	}

	ret = replace_ranges(sp, start, end, range);
	if (ret && range)
		free_range(range);
	return ret;
}

/*
 * Give a new inode the policy of its tmpfs mount: a policy of its own,
 * made from the nodes that the mpol= option named, translated within the
 * cpuset of the task creating the inode, over the whole file.  If that
 * leaves no node, or memory runs out, the file follows the default policy.
 */
static void inherit_mount_policy(struct shared_policy *sp,
				 struct mempolicy *mount_pol)
{
	NODEMASK_SCRATCH(scratch);
	struct mempolicy *pol;
	struct sp_node *range;
	int err;

	if (!scratch)
		return;

	pol = mpol_new(mount_pol->mode, mount_pol->flags,
		       &mount_pol->w.user_nodemask);
	if (IS_ERR_OR_NULL(pol))
		goto free_scratch;

	/* Under task_lock(), as a cpuset rebind of current would take it. */
	task_lock(current);
	err = mpol_set_nodemask(pol, &mount_pol->w.user_nodemask, scratch);
	task_unlock(current);

	if (err) {
		mpol_put(pol);
		goto free_scratch;
	}
	/* The range takes @pol over: no other task has seen it yet. */
	range = new_range(0, MAX_LFS_FILESIZE >> PAGE_SHIFT, pol);
	if (range) {
		write_lock(&sp->lock);
		link_range(sp, range);
		write_unlock(&sp->lock);
	}
free_scratch:
	NODEMASK_SCRATCH_FREE(scratch);
}

/**
 * mpol_shared_policy_init - set up the shared policy of a new inode
 * @sp: the inode's shared policy
 * @mpol: the policy of the mount (tmpfs mpol= option), or NULL
 *
 * Start with no ranges; with a mount policy, apply a copy of it, made for
 * the creating task's cpuset, to the whole file.  The caller passes a
 * reference to @mpol, which is dropped here.  Called where GFP_KERNEL
 * allocations are allowed.
 */
void mpol_shared_policy_init(struct shared_policy *sp, struct mempolicy *mpol)
{
	sp->root = RB_ROOT;
	rwlock_init(&sp->lock);

	if (mpol) {
		inherit_mount_policy(sp, mpol);
		mpol_put(mpol);
	}
}

/**
 * mpol_free_shared_policy - release every range of a shared policy
 * @sp: the shared policy of an object that is going away
 *
 * Drops the ranges' references to their policies.
 */
void mpol_free_shared_policy(struct shared_policy *sp)
{
	struct sp_node *r, *tmp;

	if (RB_EMPTY_ROOT(&sp->root))
		return;

	write_lock(&sp->lock);
	rbtree_postorder_for_each_entry_safe(r, tmp, &sp->root, nd)
		free_range(r);
	sp->root = RB_ROOT;
	write_unlock(&sp->lock);
}
