// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: policy objects.
 *
 * A policy is a mode, mode flags and two node masks (struct mempolicy in
 * include/linux/mempolicy.h): the nodes in force, which allocations use,
 * and in the union w either the user's own mask or the cpuset nodes that
 * the nodes in force were computed against.  This file creates policies,
 * counts their references, copies and compares them, turns the user's
 * nodes into the nodes in force, and keeps those in step with the cpuset
 * (rebinding).  What differs from mode to mode is described once, in
 * mpol_modes[], rather than in a switch per operation.
 */

#include <linux/cpuset.h>
#include <linux/init.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include "policy.h"
#include "race.h"

/**
 * enum mpol_nodes_rule - what a mode asks of the user's node mask
 * @MPOL_NODES_EMPTY: must be empty (MPOL_DEFAULT, MPOL_LOCAL)
 * @MPOL_NODES_OR_LOCAL: empty means local allocation (MPOL_PREFERRED)
 * @MPOL_NODES_NEEDED: must name at least one node
 *
 * set_mempolicy(2) and mbind(2) give EINVAL for a mask that breaks the
 * rule.
 */
enum mpol_nodes_rule {
	MPOL_NODES_EMPTY,
	MPOL_NODES_OR_LOCAL,
	MPOL_NODES_NEEDED,
};

/**
 * struct mpol_mode - how one mode is created and rebound
 * @nodes: what the mode asks of the user's node mask
 * @first_only: the mode uses one node, the first of the translated ones
 * @follows_cpuset: a cpuset rebind moves the nodes in force; without it
 *	only the remembered cpuset nodes are updated
 * @takes_nodes: the mode has nodes in force at all
 */
struct mpol_mode {
	enum mpol_nodes_rule nodes;
	bool first_only;
	bool follows_cpuset;
	bool takes_nodes;
};

/*
 * Linux 6.12 does not move the nodes of MPOL_PREFERRED and
 * MPOL_PREFERRED_MANY on a rebind, whatever numa_memory_policy.rst says;
 * the preferred and preferred_many variants of the cpuset selftest pin
 * this, so follows_cpuset is false for both.
 */
static const struct mpol_mode mpol_modes[MPOL_MAX] = {
	[MPOL_DEFAULT] = { .nodes = MPOL_NODES_EMPTY },
	[MPOL_LOCAL] = { .nodes = MPOL_NODES_EMPTY },
	[MPOL_PREFERRED] = { .nodes = MPOL_NODES_OR_LOCAL, .first_only = true,
			     .takes_nodes = true },
	[MPOL_PREFERRED_MANY] = { .nodes = MPOL_NODES_NEEDED,
				  .takes_nodes = true },
	[MPOL_BIND] = { .nodes = MPOL_NODES_NEEDED, .follows_cpuset = true,
			.takes_nodes = true },
	[MPOL_INTERLEAVE] = { .nodes = MPOL_NODES_NEEDED,
			      .follows_cpuset = true, .takes_nodes = true },
	[MPOL_WEIGHTED_INTERLEAVE] = { .nodes = MPOL_NODES_NEEDED,
				       .follows_cpuset = true,
				       .takes_nodes = true },
};

struct kmem_cache *mpol_cache;

/*
 * The policy of tasks that set none: allocate on the local node.  Its
 * reference count never drops to zero.
 */
struct mempolicy mpol_default_policy = {
	.refcnt = ATOMIC_INIT(1),
	.mode = MPOL_LOCAL,
	.home_node = NUMA_NO_NODE,
};

/*
 * Tasks without a policy of their own get the one of the node they run
 * on: local allocation as MPOL_PREFERRED of that node, with
 * MPOL_F_MOF | MPOL_F_MORON so that NUMA balancing moves their pages
 * towards where they run.  Filled in by numa_policy_init().
 */
static struct mempolicy mpol_node_default[MAX_NUMNODES];

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
	int nid = numa_node_id();

	if (p->mempolicy)
		return p->mempolicy;
	/* Before numa_policy_init() the per-node entries are still empty. */
	if (nid != NUMA_NO_NODE && mpol_node_default[nid].mode != MPOL_DEFAULT)
		return &mpol_node_default[nid];
	return &mpol_default_policy;
}

/**
 * mpol_is_system_default - is this the policy of a task without one?
 * @pol: a policy, or NULL
 *
 * Return: true for NULL, the system default and the per-node policies that
 * get_task_policy() hands out; numa_maps and /proc/mounts call all of them
 * "default".
 */
bool mpol_is_system_default(const struct mempolicy *pol)
{
	if (!pol || pol == &mpol_default_policy)
		return true;
	return pol >= mpol_node_default &&
	       pol < mpol_node_default + ARRAY_SIZE(mpol_node_default);
}

/**
 * mpol_store_user_nodemask - does the policy keep the user's node mask?
 * @pol: the policy
 *
 * Any mode flag, MPOL_F_NUMA_BALANCING included, makes a policy keep the
 * user's mask in @pol->w: get_mempolicy(2) then reports that mask (the
 * policy selftest round-trips every flag), and a rebind starts from it.
 *
 * Return: true if @pol->w holds the user's mask.
 */
bool mpol_store_user_nodemask(const struct mempolicy *pol)
{
	return pol->flags & MPOL_MODE_FLAGS;
}

/**
 * mpol_new - create a policy, checking the mode against its flags and nodes
 * @mode: MPOL_* mode
 * @flags: MPOL_F_* mode flags
 * @nodes: the user's node mask, possibly empty, or NULL for MPOL_DEFAULT
 *
 * MPOL_PREFERRED without nodes means local allocation and becomes
 * MPOL_LOCAL (set_mempolicy(2): "an empty nodemask ... specifies local
 * allocation").  The nodes in force are set later, by mpol_set_nodemask(),
 * under the lock that keeps the cpuset stable.
 *
 * Return: the new policy with one reference, NULL for MPOL_DEFAULT, or an
 * ERR_PTR: -EINVAL when @nodes do not fit @mode and @flags, -ENOMEM.
 */
struct mempolicy *mpol_new(unsigned short mode, unsigned short flags,
			   const nodemask_t *nodes)
{
	bool empty = !nodes || nodes_empty(*nodes);
	struct mempolicy *pol;

	if (mode >= MPOL_MAX)
		return ERR_PTR(-EINVAL);

	switch (mpol_modes[mode].nodes) {
	case MPOL_NODES_EMPTY:
		if (!empty)
			return ERR_PTR(-EINVAL);
		break;
	case MPOL_NODES_OR_LOCAL:
		if (empty)
			mode = MPOL_LOCAL;
		break;
	case MPOL_NODES_NEEDED:
		if (empty)
			return ERR_PTR(-EINVAL);
		break;
	}
	if (mode == MPOL_DEFAULT)
		return NULL;
	/*
	 * Static and relative nodes are about a mask, and local allocation
	 * has none: the man page of set_mempolicy(2) makes both EINVAL.
	 */
	if (mode == MPOL_LOCAL &&
	    (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
		return ERR_PTR(-EINVAL);

	pol = kmem_cache_alloc(mpol_cache, GFP_KERNEL);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	/* The caller's reference; no nodes until mpol_set_nodemask(). */
	*pol = (struct mempolicy) {
		.refcnt = ATOMIC_INIT(1),
		.mode = mode,
		.flags = flags,
		.home_node = NUMA_NO_NODE,
	};
	return pol;
}

/*
 * The one node translation that creation and rebinding share: each node
 * of @src is taken at its position among @ref and put at the same
 * position among @allowed (nodes_remap, which wraps positions past the
 * end of @allowed), and only nodes of @allowed are kept.  What @src and
 * @ref are depends on the flags; mpol_reference() chooses them.
 */
static void mpol_translate(nodemask_t *out, const nodemask_t *src,
			   const nodemask_t *ref, const nodemask_t *allowed)
{
	nodes_remap(*out, *src, *ref, *allowed);
	nodes_and(*out, *out, *allowed);
}

/*
 * Node ids as positions: remapping from this mask sends node n to the
 * (n mod weight)th allowed node, which is what MPOL_F_RELATIVE_NODES
 * means (numa_memory_policy.rst: "node numbers ... relative to the set of
 * allowed nodes", wrapping around).
 */
static const nodemask_t mpol_all_positions = NODE_MASK_ALL;

/* What the user's nodes are taken relative to, for a fresh translation. */
static const nodemask_t *mpol_reference(unsigned short flags,
					const nodemask_t *allowed)
{
	if (flags & MPOL_F_RELATIVE_NODES)
		return &mpol_all_positions;
	/* Static or no flag: a node stands for itself. */
	return allowed;
}

/* Set the nodes in force of @pol from @nodes translated into @allowed. */
static int mpol_bind_nodes(struct mempolicy *pol, const nodemask_t *nodes,
			   const nodemask_t *allowed)
{
	nodemask_t in_force;

	mpol_translate(&in_force, nodes, mpol_reference(pol->flags, allowed),
		       allowed);
	if (nodes_empty(in_force))
		return -EINVAL;
	if (mpol_modes[pol->mode].first_only)
		in_force = nodemask_of_node(first_node(in_force));
	pol->nodes = in_force;
	return 0;
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
	int err;

	if (!pol || !mpol_modes[pol->mode].takes_nodes)
		return 0;

	nodes_and(nsc->mask1, cpuset_current_mems_allowed,
		  node_states[N_MEMORY]);
	err = mpol_bind_nodes(pol, nodes, &nsc->mask1);
	if (err)
		return err;
	/*
	 * Without flags, a later rebind maps positions within the cpuset's
	 * nodes as they are now: memoryless ones included, since the
	 * rebind's old mask is the cpuset's mems_allowed as a whole.
	 */
	if (mpol_store_user_nodemask(pol))
		pol->w.user_nodemask = *nodes;
	else
		pol->w.cpuset_mems_allowed = cpuset_current_mems_allowed;
	return 0;
}

/**
 * mpol_policy_nodemask - the nodes in force as get_mempolicy() reports them
 * @pol: the policy
 * @nodes: where to store them
 *
 * Local allocation has no nodes, so its mask is empty.
 */
void mpol_policy_nodemask(const struct mempolicy *pol, nodemask_t *nodes)
{
	if (mpol_modes[pol->mode].takes_nodes)
		*nodes = pol->nodes;
	else
		nodes_clear(*nodes);
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
		kmem_cache_free(mpol_cache, pol);
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
 * new nodes (the cpuset selftest's model).
 *
 * MPOL_PREFERRED and MPOL_PREFERRED_MANY keep their nodes: only the cpuset
 * mask that they remember is updated.  Because that shares storage with
 * the user's mask, a flagged preferred policy then reports the new
 * allowed nodes to get_mempolicy(); the preferred_static variant of the
 * cpuset selftest shows Linux 6.12 doing the same.
 *
 * The caller holds the lock that protects @pol: the task lock for a task
 * policy, the mmap write lock for VMA policies.
 */
void mpol_rebind_policy(struct mempolicy *pol, const nodemask_t *newmask)
{
	nodemask_t in_force;

	if (!pol || !mpol_modes[pol->mode].takes_nodes)
		return;

	if (!mpol_modes[pol->mode].follows_cpuset) {
		pol->w.cpuset_mems_allowed = *newmask;
		return;
	}

	if (pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) {
		/* From the user's mask each time, so nothing drifts. */
		mpol_translate(&in_force, &pol->w.user_nodemask,
			       mpol_reference(pol->flags, newmask), newmask);
	} else {
		/*
		 * From the nodes in force and the cpuset nodes they were
		 * bound in.  With MPOL_F_NUMA_BALANCING alone, w holds the
		 * user's mask rather than those cpuset nodes, and Linux 6.12
		 * remaps from it all the same (and then overwrites it): the
		 * balancing variants of the conformance run pin that.
		 */
		mpol_translate(&in_force, &pol->nodes,
			       &pol->w.cpuset_mems_allowed, newmask);
		pol->w.cpuset_mems_allowed = *newmask;
	}
	pol->nodes = nodes_empty(in_force) ? *newmask : in_force;
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
 * installing a policy computed against the old nodes meanwhile.  Shared
 * policies live with their objects and are not rebound.
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
		vma_start_write(vma);
		mpol_rebind_policy(vma->vm_policy, new);
	}
	mmap_write_unlock(mm);
}

/* @nodes with each node of @map->moving replaced by where it goes. */
static void mpol_remap_nodes(nodemask_t *nodes, const struct mpol_node_map *map)
{
	nodemask_t out = NODE_MASK_NONE;
	int nid;

	for_each_node_mask(nid, *nodes)
		node_set(node_isset(nid, map->moving) ? map->to[nid] : nid, out);
	*nodes = out;
}

/**
 * mpol_remap_policy - move a policy's nodes along a node map
 * @pol: the policy, or NULL
 * @map: where each node goes
 *
 * page_migrate() moves a job's memory and, before that, the policies that
 * place it.  Each node of the nodes in force, and the home node, that
 * @map moves is replaced by its destination, so the mode keeps its shape:
 * a bind to {0, 1} with 0 going to 2 becomes a bind to {1, 2}.  With
 * MPOL_F_STATIC_NODES the user's mask names absolute nodes, so it moves
 * too, and a later cpuset rebind finds the new nodes in it.  With
 * MPOL_F_RELATIVE_NODES it names positions within the cpuset, which a
 * map of nodes does not change: it stays, and get_mempolicy() goes on
 * reporting it.  The remembered cpuset nodes stay as well, since the
 * cpuset has not changed.  Local and default policies have no nodes.
 *
 * The caller holds the lock that protects @pol, as for
 * mpol_rebind_policy().
 */
void mpol_remap_policy(struct mempolicy *pol, const struct mpol_node_map *map)
{
	if (!pol || !mpol_modes[pol->mode].takes_nodes)
		return;
	mpol_remap_nodes(&pol->nodes, map);
	if (pol->flags & MPOL_F_STATIC_NODES)
		mpol_remap_nodes(&pol->w.user_nodemask, map);
	if (pol->home_node != NUMA_NO_NODE &&
	    node_isset(pol->home_node, map->moving))
		pol->home_node = map->to[pol->home_node];
}

/**
 * mpol_remap_task - move another task's own policy along a node map
 * @task: the task
 * @map: where each node goes
 * @dests: the nodes that @map sends pages to, which the caller found
 *	within @task's cpuset
 *
 * @task reads its policy without a lock, so the policy is changed in
 * place, the way a cpuset rebind changes it: under the task lock and
 * inside the write side of @task's mems_allowed sequence, which the
 * allocation paths retry on.
 *
 * A cpuset change that came after the caller's check has given @task new
 * mems_allowed and rebound its policy to them, under the same task lock.
 * If @dests are no longer all within them, the policy is left as that
 * rebind made it: moved along @map it would leave the cpuset.
 */
void mpol_remap_task(struct task_struct *task, const struct mpol_node_map *map,
		     const nodemask_t *dests)
{
	task_lock(task);
#ifdef CONFIG_CPUSETS
	if (task->mempolicy && nodes_subset(*dests, task->mems_allowed)) {
		local_irq_disable();
		write_seqcount_begin(&task->mems_allowed_seq);
		mpol_remap_policy(task->mempolicy, map);
		write_seqcount_end(&task->mems_allowed_seq);
		local_irq_enable();
	}
#else
	/* Without cpusets nothing rebinds the policy meanwhile. */
	mpol_remap_policy(task->mempolicy, map);
#endif
	task_unlock(task);
}

/*
 * The contents of @pol, read whole: a cpuset rebind rewrites current's own
 * policy under current's task lock, so that copy is taken under it too.
 * Other policies change only under locks that the caller of mpol_dup()
 * holds already.
 */
static struct mempolicy mpol_snapshot(const struct mempolicy *pol)
{
	struct mempolicy snap;

	if (pol != current->mempolicy)
		return *pol;
	task_lock(current);
	snap = *pol;
	task_unlock(current);
	return snap;
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
	struct mempolicy *copy = kmem_cache_alloc(mpol_cache, GFP_KERNEL);

	if (!copy)
		return ERR_PTR(-ENOMEM);

	*copy = mpol_snapshot(old);
	atomic_set(&copy->refcnt, 1);

	if (current_cpuset_is_being_rebound()) {
		nodemask_t mems = cpuset_mems_allowed(current);

		mpol_rebind_policy(copy, &mems);
		/* A test holds the fork here until the rebind has passed. */
		mpol_race_point(MPOL_RACE_DUP_REBINDING, copy);
	}
	return copy;
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
	/* Equal today but rebound apart tomorrow is not equal. */
	if (mpol_store_user_nodemask(a) &&
	    !nodes_equal(a->w.user_nodemask, b->w.user_nodemask))
		return false;
	return !mpol_modes[a->mode].takes_nodes ||
	       nodes_equal(a->nodes, b->nodes);
}

/**
 * mpol_put_task_policy - drop a task's policy when the task exits
 * @task: the task
 *
 * The pointer is cleared before the reference is dropped, so that nothing
 * that looks at the task under its task lock finds a freed policy.
 */
void mpol_put_task_policy(struct task_struct *task)
{
	struct mempolicy *dying;

	scoped_guard(task_lock, task) {
		dying = task->mempolicy;
		task->mempolicy = NULL;
	}
	mpol_put(dying);
}

#ifdef CONFIG_NUMA_BALANCING
/* numa_balancing= on the command line: 0 none, 1 enable, -1 disable. */
static int mpol_balancing_cmdline __initdata;

static int __init mpol_setup_balancing(char *str)
{
	if (!str)
		return 0;
	if (!strcmp(str, "enable"))
		mpol_balancing_cmdline = 1;
	else if (!strcmp(str, "disable"))
		mpol_balancing_cmdline = -1;
	else
		pr_warn("Unable to parse numa_balancing=\n");
	return 1;
}
__setup("numa_balancing=", mpol_setup_balancing);

/*
 * The command line wins; otherwise balancing is on by the config default,
 * and only worth announcing on a machine with more than one node.
 */
static void __init mpol_balancing_init(void)
{
	bool on = IS_ENABLED(CONFIG_NUMA_BALANCING_DEFAULT_ENABLED);

	if (mpol_balancing_cmdline) {
		set_numabalancing_state(mpol_balancing_cmdline > 0);
		return;
	}
	if (num_online_nodes() > 1) {
		pr_info("%s automatic NUMA balancing. Configure with numa_balancing= or the kernel.numa_balancing sysctl\n",
			on ? "Enabling" : "Disabling");
		set_numabalancing_state(on);
	}
}
#else
static inline void __init mpol_balancing_init(void)
{
}
#endif

/*
 * Boot allocations are spread over every node with at least 16 MiB of
 * memory (numa_memory_policy.rst: the system default "during system
 * boot up" is interleave); if no node is that large, the largest takes
 * them all.
 */
static void __init mpol_boot_interleave(void)
{
	unsigned long most = 0;
	nodemask_t nodes = NODE_MASK_NONE;
	int nid, largest = first_node(node_states[N_MEMORY]);

	for_each_node_state(nid, N_MEMORY) {
		unsigned long pages = node_present_pages(nid);

		if (pages > most) {
			most = pages;
			largest = nid;
		}
		if (pages >= (SZ_16M >> PAGE_SHIFT))
			node_set(nid, nodes);
	}
	if (nodes_empty(nodes))
		node_set(largest, nodes);
	if (mpol_set_task_policy(MPOL_INTERLEAVE, 0, &nodes))
		pr_err("%s: interleaving failed\n", __func__);
}

/**
 * numa_policy_init - set up NUMA memory policy at boot
 *
 * Creates the caches for policies and shared policy ranges, fills in the
 * per-node default policies and makes boot-time allocations interleave.
 */
void __init numa_policy_init(void)
{
	int nid;

	mpol_cache = kmem_cache_create("numa_policy", sizeof(struct mempolicy),
				       0, SLAB_PANIC, NULL);
	mpol_shared_init();

	/* get_task_policy() passes over an entry whose mode is still 0. */
	for_each_node(nid) {
		struct mempolicy *local = &mpol_node_default[nid];

		atomic_set(&local->refcnt, 1);
		local->flags = MPOL_F_MOF | MPOL_F_MORON;
		local->home_node = NUMA_NO_NODE;
		node_set(nid, local->nodes);
		local->mode = MPOL_PREFERRED;
	}

	mpol_boot_interleave();
	mpol_balancing_init();
}

/**
 * numa_default_policy - give the calling task the default policy
 *
 * init calls this when boot is over, to end boot-time interleaving.
 */
void numa_default_policy(void)
{
	mpol_set_task_policy(MPOL_DEFAULT, 0, NULL);
}
