// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy objects: creation, references, the translation of the
 * node mask that a user gave into the nodes in force, and the rebinding of
 * policies when a cpuset's memory nodes change.
 *
 * A policy keeps two masks.  nodes is what allocations use.  The union w
 * holds either the mask as the user gave it (with any mode flag) or the
 * cpuset's mems_allowed that nodes was last computed against (without), so
 * that a rebind can keep the nodes' positions relative to the cpuset.
 */
#define pr_fmt(fmt) "mempolicy: " fmt

#include <linux/cpuset.h>
#include <linux/init.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "policy.h"
#include "race.h"

struct kmem_cache *policy_cache;

/* What a task without a policy of its own gets: allocate locally. */
struct mempolicy default_policy = {
	.refcnt = ATOMIC_INIT(1),
	.mode = MPOL_LOCAL,
};

/*
 * With NUMA balancing, a task without a policy prefers the node it runs on
 * and lets balancing migrate its pages there on fault (MOF, MORON).  One
 * static policy per node; they are filled in at boot.
 */
static struct mempolicy preferred_node_policy[MAX_NUMNODES];

/**
 * get_task_policy - the policy that governs a task's allocations
 * @p: the task
 *
 * Return: @p's own policy, or the system default for the node that the
 * caller runs on.  No reference is taken: the result is valid while @p's
 * policy cannot change under the caller (it is current, or its task lock
 * is held).
 */
struct mempolicy *get_task_policy(struct task_struct *p)
{
	struct mempolicy *pol = p->mempolicy;
	int nid;

	if (pol)
		return pol;

	nid = numa_node_id();
	if (nid != NUMA_NO_NODE) {
		pol = &preferred_node_policy[nid];
		/* Early in boot, before numa_policy_init(), mode is still 0. */
		if (pol->mode)
			return pol;
	}
	return &default_policy;
}

/**
 * mpol_is_system_default - is this the policy of a task without one?
 * @pol: a policy, or NULL
 *
 * Return: true for NULL, the system default and the per-node preferred
 * policies that get_task_policy() hands out; numa_maps and /proc/mounts
 * call all of them "default".
 */
bool mpol_is_system_default(const struct mempolicy *pol)
{
	return !pol || pol == &default_policy ||
	       (pol >= preferred_node_policy &&
		pol < preferred_node_policy + ARRAY_SIZE(preferred_node_policy));
}

/**
 * mpol_store_user_nodemask - does the policy keep the user's node mask?
 * @pol: the policy
 *
 * Linux keeps the user's mask for every mode flag, MPOL_F_NUMA_BALANCING
 * included; get_mempolicy() then reports it, and a rebind treats it as
 * the mask to remap from.  We keep those semantics for ABI compatibility.
 *
 * Return: true if @pol->w holds the user's mask.
 */
bool mpol_store_user_nodemask(const struct mempolicy *pol)
{
	return pol->flags & MPOL_MODE_FLAGS;
}

/*
 * MPOL_F_RELATIVE_NODES: node n of the user's mask means the n-th node of
 * @allowed, wrapping around when the user's mask is wider than @allowed.
 */
static void relative_to(nodemask_t *out, const nodemask_t *user,
			const nodemask_t *allowed)
{
	nodemask_t folded;

	nodes_fold(folded, *user, nodes_weight(*allowed));
	nodes_onto(*out, folded, *allowed);
}

/**
 * mpol_new - create a policy, checking the mode against its flags and nodes
 * @mode: MPOL_* mode
 * @flags: MPOL_F_* mode flags
 * @nodes: the user's node mask, possibly empty
 *
 * MPOL_PREFERRED without nodes means local allocation and becomes
 * MPOL_LOCAL.  The nodes in force are set later, by mpol_set_nodemask(),
 * under the lock that keeps the cpuset stable.
 *
 * Return: the new policy with one reference, NULL for MPOL_DEFAULT, or an
 * ERR_PTR: -EINVAL when @nodes do not fit @mode and @flags, -ENOMEM.
 */
struct mempolicy *mpol_new(unsigned short mode, unsigned short flags,
			   const nodemask_t *nodes)
{
	bool empty = !nodes || nodes_empty(*nodes);
	bool positional = flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
	struct mempolicy *pol;

	switch (mode) {
	case MPOL_DEFAULT:
		if (!empty)
			return ERR_PTR(-EINVAL);
		return NULL;
	case MPOL_PREFERRED:
		if (empty) {
			/* Static or relative to nothing means nothing. */
			if (positional)
				return ERR_PTR(-EINVAL);
			mode = MPOL_LOCAL;
		}
		break;
	case MPOL_LOCAL:
		if (!empty || positional)
			return ERR_PTR(-EINVAL);
		break;
	default:
		if (empty)
			return ERR_PTR(-EINVAL);
	}

	pol = kmem_cache_alloc(policy_cache, GFP_KERNEL);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	*pol = (struct mempolicy) {
		.refcnt = ATOMIC_INIT(1),
		.mode = mode,
		.flags = flags,
		.home_node = NUMA_NO_NODE,
	};
	return pol;
}

/**
 * mpol_set_nodemask - set the nodes in force from the user's node mask
 * @pol: a policy from mpol_new(), or NULL for the default policy
 * @nodes: the user's node mask
 * @nsc: scratch masks
 *
 * The nodes in force are the user's nodes that have memory and that the
 * current task's cpuset allows: the same nodes with MPOL_F_STATIC_NODES or
 * none, the user's node positions mapped onto them with
 * MPOL_F_RELATIVE_NODES.  The caller holds task_lock(current) for a task
 * policy or the mmap write lock for a VMA policy, so that a concurrent
 * cpuset rebind sees the result.
 *
 * Return: 0, or -EINVAL when no node is left.
 */
int mpol_set_nodemask(struct mempolicy *pol, const nodemask_t *nodes,
		      struct nodemask_scratch *nsc)
{
	nodemask_t *usable = &nsc->mask1, *in_force = &nsc->mask2;

	/* Local allocation does not name nodes, so nothing to translate. */
	if (!pol || pol->mode == MPOL_LOCAL)
		return 0;

	nodes_and(*usable, cpuset_current_mems_allowed, node_states[N_MEMORY]);
	if (pol->flags & MPOL_F_RELATIVE_NODES)
		relative_to(in_force, nodes, usable);
	else
		nodes_and(*in_force, *nodes, *usable);

	if (mpol_store_user_nodemask(pol))
		pol->w.user_nodemask = *nodes;
	else
		pol->w.cpuset_mems_allowed = cpuset_current_mems_allowed;

	if (nodes_empty(*in_force))
		return -EINVAL;

	if (pol->mode == MPOL_PREFERRED) {
		/* Preferred names one node: the lowest that is usable. */
		pol->nodes = nodemask_of_node(first_node(*in_force));
	} else {
		pol->nodes = *in_force;
	}
	return 0;
}

/**
 * mpol_policy_nodemask - the nodes in force as get_mempolicy() reports them
 * @pol: the policy
 * @nodes: where to store them
 */
void mpol_policy_nodemask(const struct mempolicy *pol, nodemask_t *nodes)
{
	nodes_clear(*nodes);
	if (pol == &default_policy)
		return;

	switch (pol->mode) {
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
	case MPOL_WEIGHTED_INTERLEAVE:
		*nodes = pol->nodes;
		break;
	case MPOL_LOCAL:
		break;
	default:
		WARN_ON_ONCE(1);
	}
}

/**
 * __mpol_put - drop a reference to a policy
 * @pol: the policy
 *
 * Frees @pol with its last reference.
 */
void __mpol_put(struct mempolicy *pol)
{
	if (atomic_dec_and_test(&pol->refcnt))
		kmem_cache_free(policy_cache, pol);
}

/**
 * mpol_rebind_policy - follow a change of the cpuset's memory nodes
 * @pol: the policy, or NULL
 * @newmask: the cpuset's new mems_allowed
 *
 * A static policy keeps the user's nodes that are still allowed; a
 * relative one maps the user's node positions onto the new nodes; one
 * without flags moves each node to the same position in the new set as it
 * had in the old.  If no node would be left, the policy takes all of the
 * new nodes.
 *
 * MPOL_PREFERRED and MPOL_PREFERRED_MANY keep their nodes, as in Linux
 * 6.12: only the cpuset mask that they remember is updated.  Because that
 * shares storage with the user's mask, a flagged preferred policy then
 * reports the new allowed nodes to get_mempolicy(); applications see this
 * on Linux too, so we keep it.
 *
 * The caller holds the lock that protects @pol: the task lock for a task
 * policy, the mmap write lock for VMA policies.
 */
void mpol_rebind_policy(struct mempolicy *pol, const nodemask_t *newmask)
{
	nodemask_t moved;

	if (!pol || pol->mode == MPOL_LOCAL || pol->mode == MPOL_DEFAULT)
		return;
	/* Nothing changed for a policy that follows the cpuset. */
	if (!mpol_store_user_nodemask(pol) &&
	    nodes_equal(pol->w.cpuset_mems_allowed, *newmask))
		return;

	switch (pol->mode) {
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		pol->w.cpuset_mems_allowed = *newmask;
		return;
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		break;
	default:
		return;
	}

	if (pol->flags & MPOL_F_STATIC_NODES) {
		nodes_and(moved, pol->w.user_nodemask, *newmask);
	} else if (pol->flags & MPOL_F_RELATIVE_NODES) {
		relative_to(&moved, &pol->w.user_nodemask, newmask);
	} else {
		/*
		 * Positions within the old cpuset mask.  With only
		 * MPOL_F_NUMA_BALANCING, w holds the user's mask and serves
		 * as the old set, as it does on Linux.
		 */
		nodes_remap(moved, pol->nodes, pol->w.cpuset_mems_allowed,
			    *newmask);
		pol->w.cpuset_mems_allowed = *newmask;
	}

	pol->nodes = nodes_empty(moved) ? *newmask : moved;
}

/**
 * mpol_rebind_task - rebind a task's own policy to new cpuset nodes
 * @tsk: the task
 * @new: the cpuset's new mems_allowed
 *
 * Called by the cpuset code with @tsk's task lock held.
 */
void mpol_rebind_task(struct task_struct *tsk, const nodemask_t *new)
{
	mpol_rebind_policy(tsk->mempolicy, new);
}

/**
 * mpol_rebind_mm - rebind the policies of every VMA of an mm
 * @mm: the mm, with a reference held by the caller
 * @new: the cpuset's new mems_allowed
 *
 * Takes the mmap lock for writing, which also keeps mbind() from
 * installing a policy computed against the old nodes meanwhile.
 */
void mpol_rebind_mm(struct mm_struct *mm, nodemask_t *new)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;

	/*
	 * A cpuset rebind calls this for one task after another; a test
	 * holds the walk here to fork a task that the walk has not reached.
	 */
	mpol_race_point(MPOL_RACE_REBIND_MM, mm);
	mmap_write_lock(mm);
	for_each_vma(vmi, vma) {
		/* Page faults under the per-VMA lock read vm_policy. */
		vma_start_write(vma);
		mpol_rebind_policy(vma->vm_policy, new);
	}
	mmap_write_unlock(mm);
}

/**
 * __mpol_dup - copy a policy
 * @old: the policy to copy
 *
 * Used by fork and VMA splits.  When the cpuset of current is being
 * rebound right now, the copy is rebound too: the rebind may already have
 * passed the task or VMA that will own the copy, and a copy made from the
 * old nodes would escape it.
 *
 * Return: the copy with one reference, or ERR_PTR(-ENOMEM).
 */
struct mempolicy *__mpol_dup(struct mempolicy *old)
{
	struct mempolicy *new = kmem_cache_alloc(policy_cache, GFP_KERNEL);

	if (!new)
		return ERR_PTR(-ENOMEM);

	/* A task policy may be rebound under the task lock meanwhile. */
	if (old == current->mempolicy) {
		task_lock(current);
		*new = *old;
		task_unlock(current);
	} else {
		*new = *old;
	}

	if (current_cpuset_is_being_rebound()) {
		nodemask_t mems = cpuset_mems_allowed(current);

		mpol_rebind_policy(new, &mems);
		/* A test holds the fork here until the rebind has passed. */
		mpol_race_point(MPOL_RACE_DUP_REBINDING, new);
	}
	atomic_set(&new->refcnt, 1);
	return new;
}

/**
 * __mpol_equal - do two policies place memory the same way?
 * @a: a policy
 * @b: another policy
 *
 * Adjacent VMAs merge only when this holds.
 *
 * Return: true if @a and @b are equal in mode, flags, home node and nodes.
 */
bool __mpol_equal(struct mempolicy *a, struct mempolicy *b)
{
	if (!a || !b)
		return false;
	if (a->mode != b->mode || a->flags != b->flags ||
	    a->home_node != b->home_node)
		return false;
	/* The user's mask decides where a rebind takes them. */
	if (mpol_store_user_nodemask(a) &&
	    !nodes_equal(a->w.user_nodemask, b->w.user_nodemask))
		return false;
	if (a->mode == MPOL_LOCAL)
		return true;
	return nodes_equal(a->nodes, b->nodes);
}

/**
 * mpol_put_task_policy - drop a task's policy when the task exits
 * @task: the task
 *
 * The pointer is cleared before the reference is dropped, so that nothing
 * that the free itself allocates uses the dying policy.
 */
void mpol_put_task_policy(struct task_struct *task)
{
	struct mempolicy *pol;

	task_lock(task);
	pol = task->mempolicy;
	task->mempolicy = NULL;
	task_unlock(task);
	mpol_put(pol);
}

#ifdef CONFIG_NUMA_BALANCING
/* numa_balancing= on the command line: 1 enable, -1 disable, 0 unset. */
static int numabalancing_override __initdata;

static int __init setup_numabalancing(char *str)
{
	if (str && !strcmp(str, "enable")) {
		numabalancing_override = 1;
		return 1;
	}
	if (str && !strcmp(str, "disable")) {
		numabalancing_override = -1;
		return 1;
	}
	pr_warn("Unable to parse numa_balancing=\n");
	return 0;
}
__setup("numa_balancing=", setup_numabalancing);

static void __init numabalancing_init(void)
{
	bool enable = IS_ENABLED(CONFIG_NUMA_BALANCING_DEFAULT_ENABLED);

	if (numabalancing_override) {
		set_numabalancing_state(numabalancing_override == 1);
		return;
	}
	/* Balancing has nothing to do on one node; say so only on more. */
	if (num_online_nodes() > 1) {
		pr_info("%s automatic NUMA balancing. Configure with numa_balancing= or the kernel.numa_balancing sysctl\n",
			enable ? "Enabling" : "Disabling");
		set_numabalancing_state(enable);
	}
}
#else
static inline void __init numabalancing_init(void)
{
}
#endif

/*
 * The boot task interleaves over the nodes with at least 16 MiB, so that
 * the big system hash tables allocated during boot spread over the machine;
 * if no node is that large, it uses the largest.  numa_default_policy()
 * ends this when init starts.
 */
static void __init boot_interleave(void)
{
	unsigned long pages, most = 0;
	nodemask_t nodes = NODE_MASK_NONE;
	int nid, largest = 0;

	for_each_node_state(nid, N_MEMORY) {
		pages = node_present_pages(nid);
		if (pages > most) {
			most = pages;
			largest = nid;
		}
		if ((pages << PAGE_SHIFT) >= SZ_16M)
			node_set(nid, nodes);
	}
	if (nodes_empty(nodes))
		node_set(largest, nodes);

	if (do_set_mempolicy(MPOL_INTERLEAVE, 0, &nodes))
		pr_err("numa_policy_init: interleaving failed\n");
}

/**
 * numa_policy_init - set up NUMA memory policy at boot
 */
void __init numa_policy_init(void)
{
	int nid;

	policy_cache = kmem_cache_create("numa_policy", sizeof(struct mempolicy),
					 0, SLAB_PANIC, NULL);
	shared_policy_cache_init();

	for_each_node(nid) {
		preferred_node_policy[nid] = (struct mempolicy) {
			.refcnt = ATOMIC_INIT(1),
			.mode = MPOL_PREFERRED,
			.flags = MPOL_F_MOF | MPOL_F_MORON,
			.nodes = nodemask_of_node(nid),
		};
	}

	boot_interleave();
	numabalancing_init();
}

/**
 * numa_default_policy - give current the default policy
 *
 * init calls this to end the boot-time interleaving.
 */
void numa_default_policy(void)
{
	do_set_mempolicy(MPOL_DEFAULT, 0, NULL);
}
