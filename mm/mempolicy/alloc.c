// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: where an allocation goes.
 *
 * One decision, decide_placement(), turns a policy, the GFP flags and
 * order of an allocation, its interleave index and the node the caller
 * would use into a placement: the node to try first, the nodes the
 * allocation is confined to (MPOL_BIND) or prefers (MPOL_PREFERRED_MANY),
 * and how to try them.  Every entry point below finds the policy, asks for
 * a placement and carries it out; mpol_nodemask(), huge_node(),
 * mempolicy_slab_node() and mpol_misplaced() ask the same question for
 * callers that allocate, or move, by themselves.
 *
 * Both interleave modes are one weighted round robin over the policy's
 * nodes in ascending order, each node taking as many allocations in a row
 * as its weight: plain MPOL_INTERLEAVE weighs every node 1.  An allocation
 * with an interleave index (a VMA or a shared object) takes the node at
 * that position of the round, the same in every task; one without
 * (NO_INTERLEAVE_INDEX) takes the next turn of the current task, whose
 * position is current->il_prev, the node of its current turn, and
 * current->il_weight, the allocations that turn has left.  A bulk
 * allocation spreads its whole array over the round at once.
 */

#include <linux/cpuset.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/interrupt.h>
#include <linux/mempolicy.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/numa_balancing.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/vmstat.h>

#include "../internal.h"
#include "policy.h"
#include "weighted.h"

/*
 * The highest zone that a policy's node mask restricts: allocations that
 * must come from a lower zone are not confined by MPOL_BIND.  It starts at
 * zone 0 and check_highest_zone() raises it while the zonelists are built.
 */
enum zone_type policy_zone;

/**
 * apply_policy_zone - whether a policy's node mask applies to a zone
 * @policy: the policy (MPOL_BIND in practice)
 * @zone: the highest zone the allocation may use
 *
 * Return: true if an allocation limited to @zone must honour the node mask
 * of @policy.
 */
bool apply_policy_zone(struct mempolicy *policy, enum zone_type zone)
{
	enum zone_type lowest = policy_zone;

	/*
	 * Nodes outside N_HIGH_MEMORY have memory only in ZONE_MOVABLE
	 * (kernelcore=, movablecore=, memory onlined movable).  A mask of
	 * such nodes alone can be honoured only by allocations that may use
	 * ZONE_MOVABLE; any other would fail on them, so it goes unconfined.
	 */
	if (!nodes_intersects(policy->nodes, node_states[N_HIGH_MEMORY]))
		lowest = ZONE_MOVABLE;
	return zone >= lowest;
}

/**
 * numa_nearest_node - the closest node in a given state
 * @node: the node to start from
 * @state: the node state wanted, e.g. N_MEMORY
 *
 * Return: @node itself if it is NUMA_NO_NODE or in @state, else the node
 * in @state at the smallest distance from @node (@node if there is none),
 * or -EINVAL if @state is not a node state.
 */
int numa_nearest_node(int node, unsigned int state)
{
	int best = node, best_distance = INT_MAX, n;

	if (state >= NR_NODE_STATES)
		return -EINVAL;
	if (node == NUMA_NO_NODE || node_state(node, state))
		return node;

	/* Ascending ids and a strict comparison: ties go to the lowest id. */
	for_each_node_state(n, state) {
		int d = node_distance(node, n);

		if (d < best_distance) {
			best_distance = d;
			best = n;
		}
	}
	return best;
}
EXPORT_SYMBOL_GPL(numa_nearest_node);

/*
 * The nodes of @pol as one copy, so that counting them and walking them
 * see the same mask.  A cpuset rebind of the current task rewrites its
 * policy's nodes under current->mems_allowed_seq, so a torn copy is taken
 * again; other policies change only under locks that our callers hold
 * (the mmap lock or the VMA lock), or never (shared policies), and the
 * sequence has no writer for them.
 */
static void policy_nodes_snapshot(const struct mempolicy *pol,
				  nodemask_t *nodes)
{
	unsigned int seq;

	do {
		seq = read_mems_allowed_begin();
		*nodes = pol->nodes;
	} while (read_mems_allowed_retry(seq));
}

/* The number of allocations in one round of the weighted round robin. */
static unsigned int il_round_length(const nodemask_t *nodes,
				    const u8 *weights)
{
	unsigned int length = 0;
	int nid;

	for_each_node_mask(nid, *nodes)
		length += mpol_il_weight(weights, nid);
	return length;
}

/*
 * The node at position @ilx of the round (taken modulo its length), for
 * interleaving by index: numa_memory_policy.rst has the page offset in the
 * object pick the node, modulo the number of nodes for plain interleave,
 * so that every task mapping the object places it alike.  @nodes is not
 * empty.
 */
static int il_node_at(const nodemask_t *nodes, const u8 *weights,
		      pgoff_t ilx)
{
	unsigned int pos;
	int nid;

	/* Weight 1 everywhere: the round is as long as there are nodes. */
	pos = ilx % (weights ? il_round_length(nodes, weights) : nodes_weight(*nodes));
	for_each_node_mask(nid, *nodes) {
		unsigned int weight = mpol_il_weight(weights, nid);

		if (pos < weight)
			break;
		pos -= weight;
	}
	return nid;
}

/*
 * The current task's next turn: the node of its current turn while that
 * has allocations left and is still one of @nodes (a rebind may have
 * taken it away), else a new turn on the node after it, as long as that
 * node's weight says now.  get_mempolicy(MPOL_F_NODE) without an address
 * reports the node of the next turn from the same two fields.  @nodes is
 * not empty.
 */
static int il_task_turn(const nodemask_t *nodes, const u8 *weights)
{
	struct task_struct *me = current;

	if (!me->il_weight || !node_isset(me->il_prev, *nodes)) {
		me->il_prev = next_node_in(me->il_prev, *nodes);
		me->il_weight = mpol_il_weight(weights, me->il_prev);
	}
	me->il_weight--;
	return me->il_prev;
}

/* The node of an interleaved allocation; @local if there is no node. */
static int interleave_node(const struct mempolicy *pol, pgoff_t ilx,
			   int local)
{
	const u8 *weights;
	nodemask_t nodes;
	int nid;

	policy_nodes_snapshot(pol, &nodes);
	/* Only a policy in the middle of a rebind can have no node. */
	if (nodes_empty(nodes))
		return local;

	/* Plain interleave is weight 1 everywhere, with no table to read. */
	if (pol->mode != MPOL_WEIGHTED_INTERLEAVE)
		return ilx == NO_INTERLEAVE_INDEX ? il_task_turn(&nodes, NULL) :
						    il_node_at(&nodes, NULL, ilx);
	rcu_read_lock();
	weights = mpol_il_weights();
	if (ilx == NO_INTERLEAVE_INDEX)
		nid = il_task_turn(&nodes, weights);
	else
		nid = il_node_at(&nodes, weights, ilx);
	rcu_read_unlock();
	return nid;
}

/* How an allocation tries its nodes once its policy has decided. */
enum placement_try {
	/* Once: from ->nid on, within ->nodes if there are nodes. */
	TRY_POLICY,
	/* ->nodes without reclaim or complaint, then every node. */
	TRY_NODES_THEN_ANY,
	/* ->nid alone, compacting but not reclaiming, then TRY_POLICY. */
	TRY_NID_THEN_POLICY,
};

/**
 * struct placement - what a policy decides for one allocation
 * @nid: the node to try first
 * @nodes: the nodes the allocation is confined to, or under
 *	%TRY_NODES_THEN_ANY the nodes to try first; NULL for any node
 * @how: how to try them
 * @interleaved: @nid is an interleave turn, which counts as an
 *	interleave hit in /proc/vmstat (numa_interleave) when it is met
 */
struct placement {
	int nid;
	nodemask_t *nodes;
	enum placement_try how;
	bool interleaved;
};

/*
 * A transparent huge page for a mapping (which always has an interleave
 * index; alloc_pages() of the same order has none).  Remote memory costs
 * more than a huge page gains, so it is tried on its node alone first,
 * with compaction but no reclaim; only a caller that may reclaim directly
 * (defrag "always", or "madvise" in an madvised area; transhuge.rst) goes
 * on to the policy's other nodes.
 */
static bool is_thp_for_mapping(unsigned int order, pgoff_t ilx)
{
	return IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) &&
	       order == HPAGE_PMD_ORDER && ilx != NO_INTERLEAVE_INDEX;
}

/*
 * The allocation decision.  @pol is the policy in force, @gfp and @order
 * those of the allocation, @ilx its interleave index or
 * NO_INTERLEAVE_INDEX to take the current task's next interleave turn,
 * and @nid the node the caller would allocate on.  The modes as
 * set_mempolicy(2) and numa_memory_policy.rst describe them.
 */
static void decide_placement(struct mempolicy *pol, gfp_t gfp,
			     unsigned int order, pgoff_t ilx, int nid,
			     struct placement *pl)
{
	pl->nid = nid;
	pl->nodes = NULL;
	pl->how = TRY_POLICY;
	pl->interleaved = false;

	switch (pol->mode) {
	case MPOL_PREFERRED:
		pl->nid = first_node(pol->nodes);
		break;
	case MPOL_BIND:
		/*
		 * Allocations from zones below policy_zone are not confined,
		 * nor is one in a cpuset that no longer holds any of the
		 * policy's nodes (a rebind will fix the policy).
		 */
		if (apply_policy_zone(pol, gfp_zone(gfp)) &&
		    cpuset_nodemask_valid_mems_allowed(&pol->nodes))
			pl->nodes = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			pl->nid = pol->home_node;
		/* One node only and a mask of nodes only: both can't hold. */
		WARN_ON_ONCE(gfp & __GFP_THISNODE);
		break;
	case MPOL_PREFERRED_MANY:
		pl->nodes = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			pl->nid = pol->home_node;
		pl->how = TRY_NODES_THEN_ANY;
		return;
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		/* Spreading is the point: no huge page goes local first. */
		pl->nid = interleave_node(pol, ilx, nid);
		pl->interleaved = true;
		return;
	case MPOL_LOCAL:
	default:
		break;
	}

	if (is_thp_for_mapping(order, ilx) &&
	    (!pl->nodes || node_isset(pl->nid, *pl->nodes)))
		pl->how = TRY_NID_THEN_POLICY;
}

/**
 * mpol_nodemask - the allocation decision of a memory policy
 * @gfp: the flags of the allocation
 * @pol: the policy in force, never NULL
 * @ilx: interleave index of the allocation, or NO_INTERLEAVE_INDEX to
 *	interleave by the current task's own position
 * @nid: in: the node the caller would allocate on; out: the node to prefer
 *
 * Return: the node mask the allocation must (MPOL_BIND) or should first
 * (MPOL_PREFERRED_MANY) be satisfied from, or NULL for no restriction.
 */
nodemask_t *mpol_nodemask(gfp_t gfp, struct mempolicy *pol, pgoff_t ilx,
			  int *nid)
{
	struct placement pl;

	decide_placement(pol, gfp, 0, ilx, *nid, &pl);
	*nid = pl.nid;
	return pl.nodes;
}

/*
 * The first node of @nodes in @nid's fallback order, for zones up to that
 * of @gfp: the node nearest to @nid that @nodes allows, or NUMA_NO_NODE.
 */
static int nearest_node_in(int nid, gfp_t gfp, nodemask_t *nodes)
{
	struct zoneref *z;

	z = first_zones_zonelist(node_zonelist(nid, gfp), gfp_zone(gfp), nodes);
	return z->zone ? zone_to_nid(z->zone) : NUMA_NO_NODE;
}

/**
 * mempolicy_slab_node - the node for the current task's next slab
 * allocation
 *
 * Interleaving policies advance the task's interleave position, as a page
 * allocation would.
 *
 * Return: a node id.
 */
unsigned int mempolicy_slab_node(void)
{
	int local = numa_mem_id(), nid;
	struct mempolicy *pol;
	struct placement pl;

	/* Interrupts run on nobody's behalf: no task policy applies. */
	if (!in_task())
		return local;
	pol = current->mempolicy;
	if (!pol)
		return local;

	decide_placement(pol, GFP_KERNEL, 0, NO_INTERLEAVE_INDEX, local, &pl);
	if (!pl.nodes)
		return pl.nid;
	/* Slab takes one node: of a mask, the one nearest to us. */
	nid = nearest_node_in(pl.nid, GFP_KERNEL, pl.nodes);
	return nid == NUMA_NO_NODE ? local : nid;
}

#ifdef CONFIG_HUGETLBFS
/**
 * huge_node - the node and node mask for a hugetlb page of a VMA
 * @vma: the hugetlb VMA
 * @addr: the faulting address in @vma, for shared policies and interleave
 * @gfp_flags: the flags of the allocation
 * @mpol: out: the policy used; the caller drops it with mpol_cond_put()
 * @nodemask: out: the node mask of an MPOL_BIND or MPOL_PREFERRED_MANY
 *	policy, else NULL
 *
 * Return: the node to allocate from first.
 */
int huge_node(struct vm_area_struct *vma, unsigned long addr, gfp_t gfp_flags,
	      struct mempolicy **mpol, nodemask_t **nodemask)
{
	struct placement pl;
	pgoff_t ilx;

	*mpol = get_vma_policy(vma, addr, hstate_vma(vma)->order, &ilx);
	/*
	 * hugetlb tries the nodes itself (and the mask first, for
	 * MPOL_PREFERRED_MANY): only the node and the mask matter here.
	 */
	decide_placement(*mpol, gfp_flags, 0, ilx, numa_node_id(), &pl);
	*nodemask = pl.nodes;
	return pl.nid;
}

/**
 * init_nodemask_of_mempolicy - the nodes of the current task's policy
 * @mask: out: the policy's nodes, or the local node for MPOL_LOCAL; the
 *	caller owns it
 *
 * Used to spread huge page pool changes over the nodes the task allows.
 *
 * Return: false if @mask is NULL or the task has the default policy (and
 * @mask is untouched), true otherwise.
 */
bool init_nodemask_of_mempolicy(nodemask_t *mask)
{
	struct mempolicy *pol;

	if (!mask || !current->mempolicy)
		return false;

	/* A cpuset rebind rewrites the nodes under task_lock(). */
	task_lock(current);
	pol = current->mempolicy;
	if (pol->mode == MPOL_LOCAL)
		init_nodemask_of_node(mask, numa_node_id());
	else
		*mask = pol->nodes;
	task_unlock(current);
	return true;
}
#endif /* CONFIG_HUGETLBFS */

/**
 * mempolicy_in_oom_domain - whether a task may hold memory on some nodes
 * @tsk: the task
 * @mask: the nodes short of memory, or NULL for all of them
 *
 * Only MPOL_BIND keeps a task's memory off nodes; every other policy may
 * have put pages anywhere.
 *
 * Return: false only if @tsk is bound to nodes none of which is in @mask.
 */
bool mempolicy_in_oom_domain(struct task_struct *tsk, const nodemask_t *mask)
{
	struct mempolicy *pol;
	bool in_domain;

	if (!mask)
		return true;

	/* task_lock() keeps @tsk's policy, and its nodes, from changing. */
	task_lock(tsk);
	pol = tsk->mempolicy;
	/* Only a bind policy confines the task; any other may use any node. */
	in_domain = !pol || pol->mode != MPOL_BIND ||
		    nodes_intersects(pol->nodes, *mask);
	task_unlock(tsk);
	return in_domain;
}

/* Counts an interleave hit (numastat.rst) for a page where it was sent. */
static void count_interleave_hit(struct page *page, int nid)
{
	if (!static_branch_likely(&vm_numa_stat_key) || page_to_nid(page) != nid)
		return;
	/* A per-CPU counter, bumped without atomics. */
	preempt_disable();
	__count_numa_event(page_zone(page), NUMA_INTERLEAVE_HIT);
	preempt_enable();
}

/*
 * The flags of a first, cheap attempt on preferred nodes: it must not
 * reclaim, insist or warn, since a second attempt anywhere follows.
 */
static gfp_t cheap_attempt_gfp(gfp_t gfp)
{
	return (gfp | __GFP_NOWARN) & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL);
}

/* Carries out a placement for one allocation of 1 << @order pages. */
static struct page *place_pages(gfp_t gfp, unsigned int order,
				const struct placement *pl)
{
	struct page *page;

	switch (pl->how) {
	case TRY_NODES_THEN_ANY:
		page = __alloc_pages_noprof(cheap_attempt_gfp(gfp), order,
					    pl->nid, pl->nodes);
		if (!page)
			page = __alloc_pages_noprof(gfp, order, pl->nid, NULL);
		return page;
	case TRY_NID_THEN_POLICY:
		page = __alloc_pages_node_noprof(pl->nid, gfp | __GFP_THISNODE |
						 __GFP_NORETRY, order);
		if (page || !(gfp & __GFP_DIRECT_RECLAIM))
			return page;
		break;
	case TRY_POLICY:
		break;
	}

	page = __alloc_pages_noprof(gfp, order, pl->nid, pl->nodes);
	if (page && pl->interleaved)
		count_interleave_hit(page, pl->nid);
	return page;
}

/**
 * alloc_pages_mpol - allocate pages as a memory policy says
 * @gfp: GFP flags
 * @order: order of the allocation
 * @pol: the policy, never NULL
 * @ilx: interleave index, or NO_INTERLEAVE_INDEX when called for
 *	alloc_pages() (interleave by the task's own position)
 * @nid: the node to prefer unless @pol says otherwise, usually
 *	numa_node_id()
 *
 * Return: the first page of the allocation, or NULL.
 */
struct page *alloc_pages_mpol_noprof(gfp_t gfp, unsigned int order,
				     struct mempolicy *pol, pgoff_t ilx,
				     int nid)
{
	struct placement pl;

	decide_placement(pol, gfp, order, ilx, nid, &pl);
	return place_pages(gfp, order, &pl);
}

/**
 * folio_alloc_mpol - allocate a folio as a memory policy says
 * @gfp: GFP flags
 * @order: order of the folio
 * @pol: the policy, never NULL
 * @ilx: interleave index, or NO_INTERLEAVE_INDEX
 * @nid: the node to prefer unless @pol says otherwise
 *
 * Return: the folio, made rmappable for large orders, or NULL.
 */
struct folio *folio_alloc_mpol_noprof(gfp_t gfp, unsigned int order,
				      struct mempolicy *pol, pgoff_t ilx,
				      int nid)
{
	return page_rmappable_folio(alloc_pages_mpol_noprof(gfp | __GFP_COMP,
							    order, pol, ilx,
							    nid));
}

/**
 * vma_alloc_folio - allocate a folio for a user mapping
 * @gfp: GFP flags
 * @order: order of the folio
 * @vma: the VMA the folio is for
 * @addr: the address in @vma it will be mapped at
 * @hugepage: unused
 *
 * The policy of @vma at @addr (or the task's) decides the node.  The
 * caller holds the mmap lock or the VMA lock, so @vma stays valid.  Not
 * for hugetlbfs.
 *
 * Return: the folio, or NULL.
 */
struct folio *vma_alloc_folio_noprof(gfp_t gfp, int order,
				     struct vm_area_struct *vma,
				     unsigned long addr, bool hugepage)
{
	/*
	 * A droppable mapping's fault takes a failed allocation for no OOM
	 * (handle_mm_fault()): nothing to warn about either.
	 */
	gfp_t warn = vma->vm_flags & VM_DROPPABLE ? __GFP_NOWARN : 0;
	struct mempolicy *pol;
	struct folio *folio;
	pgoff_t ilx;

	pol = get_vma_policy(vma, addr, order, &ilx);
	folio = folio_alloc_mpol_noprof(gfp | warn, order, pol, ilx, numa_node_id());
	mpol_cond_put(pol);
	return folio;
}
EXPORT_SYMBOL(vma_alloc_folio_noprof);

/*
 * The policy for an allocation that is not for a mapping: the current
 * task's, except in interrupts (which are nobody's) and for a caller that
 * insists on one node.  Neither needs a reference: the task policy can
 * only be replaced by the task itself, and the default policy is static.
 */
static struct mempolicy *task_alloc_policy(gfp_t gfp)
{
	if (in_interrupt() || (gfp & __GFP_THISNODE))
		return &mpol_default_policy;
	return get_task_policy(current);
}

/**
 * alloc_pages - allocate pages
 * @gfp: GFP flags
 * @order: the allocation is of 1 << @order contiguous pages, naturally
 *	aligned
 *
 * In process context the current task's memory policy chooses the node.
 *
 * Context: any, with suitable @gfp.
 * Return: the first page, or NULL.
 */
struct page *alloc_pages_noprof(gfp_t gfp, unsigned int order)
{
	return alloc_pages_mpol_noprof(gfp, order, task_alloc_policy(gfp),
				       NO_INTERLEAVE_INDEX, numa_node_id());
}
EXPORT_SYMBOL(alloc_pages_noprof);

/**
 * folio_alloc - allocate a folio
 * @gfp: GFP flags
 * @order: order of the folio
 *
 * Like alloc_pages(), for a compound folio.
 *
 * Context: any, with suitable @gfp.
 * Return: the folio, or NULL.
 */
struct folio *folio_alloc_noprof(gfp_t gfp, unsigned int order)
{
	return page_rmappable_folio(alloc_pages_noprof(gfp | __GFP_COMP,
						       order));
}
EXPORT_SYMBOL(folio_alloc_noprof);

/* A position of the weighted round robin: see il_task_turn(). */
struct il_position {
	int node;		/* the node of the current turn */
	unsigned int left;	/* allocations that turn has left */
};

/*
 * Spreads @nr allocations over the round robin of @nodes (not empty) and
 * @weights from @pos on, as that many turns one by one would: adds each
 * node's share to @counts (indexed by node id) and moves @pos past them.
 * The current turn goes first, then whole rounds and a partial one that
 * starts with the node after the current turn's.  Only where the
 * allocations end with a round does the result differ from one page at a
 * time: the next node's turn is then already begun, with its weight in
 * @weights, instead of taken when the next allocation comes; with
 * different weights by then, so does the next node's share.  Stock Linux
 * 6.12 does the same, found with mempolicy_probe: weights 2,1 on two
 * nodes, vmalloc() of 3 pages, weight 1,1, then 4 single pages: 3 and 1,
 * where one by one would have given 2 and 2.
 */
static void il_spread(const nodemask_t *nodes, const u8 *weights,
		      struct il_position *pos, unsigned long nr,
		      unsigned long *counts)
{
	unsigned long whole, rest, share;
	unsigned int weight;
	int nid;

	if (pos->left && node_isset(pos->node, *nodes)) {
		share = min_t(unsigned long, nr, pos->left);
		counts[pos->node] += share;
		pos->left -= share;
		nr -= share;
		if (!nr)
			return;
	}

	whole = nr / il_round_length(nodes, weights);
	rest = nr % il_round_length(nodes, weights);
	for_each_node_mask(nid, *nodes)
		counts[nid] += whole * mpol_il_weight(weights, nid);

	nid = next_node_in(pos->node, *nodes);
	pos->node = nid;
	pos->left = mpol_il_weight(weights, nid);
	while (rest) {
		weight = mpol_il_weight(weights, nid);
		share = min_t(unsigned long, rest, weight);
		counts[nid] += share;
		rest -= share;
		pos->node = nid;
		pos->left = weight - share;
		nid = next_node_in(nid, *nodes);
	}
}

/* The node that ends a round of @nodes that @first begins. */
static int il_round_end(const nodemask_t *nodes, int first)
{
	int nid, last = first;

	for (nid = next_node_in(first, *nodes); nid != first;
	     nid = next_node_in(nid, *nodes))
		last = nid;
	return last;
}

/* Without memory for the spread: one page at a time, each a turn. */
static unsigned long bulk_one_by_one(gfp_t gfp, struct mempolicy *pol,
				     unsigned long nr_pages,
				     struct page **page_array)
{
	unsigned long done;
	struct page *page;

	for (done = 0; done < nr_pages; done++) {
		if (page_array[done])
			continue;
		page = alloc_pages_mpol_noprof(gfp, 0, pol, NO_INTERLEAVE_INDEX,
					       numa_node_id());
		if (!page)
			break;
		page_array[done] = page;
	}
	return done;
}

/*
 * Bulk allocation under an interleave mode: spread the array over the
 * round robin, then take each node's share in one bulk call, in the
 * order of the round from the current turn on.
 */
static unsigned long bulk_interleave(gfp_t gfp, struct mempolicy *pol,
				     unsigned long nr_pages,
				     struct page **page_array)
{
	struct task_struct *me = current;
	struct il_position pos = { me->il_prev, me->il_weight };
	unsigned long *counts, done = 0;
	unsigned int i, nr_nodes;
	const u8 *weights;
	nodemask_t nodes;
	int nid;

	policy_nodes_snapshot(pol, &nodes);
	nr_nodes = nodes_weight(nodes);
	if (!nr_nodes)
		return 0;

	/*
	 * From the node we run on: an allocation under our own policy
	 * would take an interleave turn, should the slab need a page.
	 */
	counts = kcalloc_node(nr_node_ids, sizeof(*counts),
			      (gfp & GFP_RECLAIM_MASK) | __GFP_NOWARN,
			      numa_mem_id());
	if (!counts)
		return bulk_one_by_one(gfp, pol, nr_pages, page_array);

	rcu_read_lock();
	weights = NULL;
	if (pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		weights = mpol_il_weights();
	il_spread(&nodes, weights, &pos, nr_pages, counts);
	rcu_read_unlock();

	/* The round from the current turn on, or from the next. */
	nid = me->il_prev;
	if (!me->il_weight || !node_isset(nid, nodes))
		nid = next_node_in(nid, nodes);

	if (pol->mode == MPOL_INTERLEAVE) {
		/*
		 * Plain interleave leaves the task one whole round on, at the
		 * end of the round the bulk began, whatever @nr_pages: the
		 * next node is the first of the array's.  This is stock
		 * Linux 6.12's result, found with mempolicy_probe on 4node:
		 * interleave over nodes 0-3 and vmalloc() of 3 pages (one on
		 * each of nodes 0-2) leave get_mempolicy(MPOL_F_NODE) at
		 * node 0, where 3 single pages leave it at node 3.
		 */
		pos.node = il_round_end(&nodes, nid);
		pos.left = 0;
	}
	me->il_prev = pos.node;
	me->il_weight = pos.left;

	for (i = 0; i < nr_nodes && done < nr_pages; i++) {
		if (counts[nid])
			done += alloc_pages_bulk_noprof(gfp, nid, NULL,
							counts[nid], NULL,
							page_array + done);
		nid = next_node_in(nid, nodes);
	}
	kfree(counts);
	return done;
}

/**
 * alloc_pages_bulk_array_mempolicy - allocate order-0 pages in bulk under
 * the current task's memory policy
 * @gfp: GFP flags
 * @nr_pages: how many pages
 * @page_array: where to put them; entries already set are kept
 *
 * Interleaving policies spread the pages over their nodes in a few bulk
 * calls, much faster than one allocation per page (vmalloc uses this).
 *
 * Return: the number of pages in @page_array.
 */
unsigned long alloc_pages_bulk_array_mempolicy_noprof(gfp_t gfp,
						      unsigned long nr_pages,
						      struct page **page_array)
{
	struct mempolicy *pol = task_alloc_policy(gfp);
	unsigned long done;
	struct placement pl;

	if (pol->mode == MPOL_INTERLEAVE ||
	    pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		return bulk_interleave(gfp, pol, nr_pages, page_array);

	decide_placement(pol, gfp, 0, NO_INTERLEAVE_INDEX, numa_node_id(), &pl);
	if (pl.how != TRY_NODES_THEN_ANY)
		return alloc_pages_bulk_noprof(gfp, pl.nid, pl.nodes, nr_pages,
					       NULL, page_array);

	done = alloc_pages_bulk_noprof(cheap_attempt_gfp(gfp), pl.nid,
				       pl.nodes, nr_pages, NULL, page_array);
	if (done < nr_pages)
		done += alloc_pages_bulk_noprof(gfp, pl.nid, NULL,
						nr_pages - done, NULL,
						page_array + done);
	return done;
}

/*
 * Where the policy wants a folio that sits on @curnid and that the CPU of
 * node @thisnid touched, or NUMA_NO_NODE if it may stay.  With
 * MPOL_F_MORON the policy leaves the choice to NUMA balancing, which
 * wants the folio near the CPU.
 */
static int misplaced_target(struct mempolicy *pol, pgoff_t ilx, int curnid,
			    int thisnid)
{
	bool near_cpu = pol->flags & MPOL_F_MORON;
	struct placement pl;

	switch (pol->mode) {
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		/*
		 * Never off the policy's nodes, not even for
		 * MPOL_PREFERRED_MANY, which may allocate elsewhere: memory
		 * tiering demotes pages by leaving the slow nodes out of
		 * the mask, and must not see them promoted back.
		 */
		if (near_cpu)
			return node_isset(thisnid, pol->nodes) ? thisnid :
								 NUMA_NO_NODE;
		if (node_isset(curnid, pol->nodes))
			return NUMA_NO_NODE;
		return nearest_node_in(thisnid, GFP_HIGHUSER, &pol->nodes);
	case MPOL_PREFERRED:
		/* On the preferred node is where it belongs. */
		if (node_isset(curnid, pol->nodes))
			return NUMA_NO_NODE;
		break;
	}
	if (near_cpu)
		return thisnid;

	/* Where an allocation at the same place would go. */
	decide_placement(pol, GFP_HIGHUSER, 0, ilx, thisnid, &pl);
	return pl.nid;
}

/**
 * mpol_misplaced - where NUMA balancing should move a folio, if anywhere
 * @folio: the folio that took a NUMA hinting fault
 * @vmf: the fault; its page table lock is held
 * @addr: the faulting address, for shared policies and interleave
 *
 * The node is the one an allocation at @addr would get from the policy of
 * the VMA (or task), or with MPOL_F_MORON the faulting CPU's node, when
 * NUMA balancing agrees.  Only policies with MPOL_F_MOF move folios.
 *
 * Return: the node to migrate @folio to, or NUMA_NO_NODE if it is fine
 * where it is.
 */
int mpol_misplaced(struct folio *folio, struct vm_fault *vmf,
		   unsigned long addr)
{
	int curnid = folio_nid(folio), target = NUMA_NO_NODE;
	struct mempolicy *pol;
	pgoff_t ilx;

	/* The page table lock keeps us on this CPU, and so on this node. */
	lockdep_assert_held(vmf->ptl);

	pol = get_vma_policy(vmf->vma, addr, folio_order(folio), &ilx);
	if (pol->flags & MPOL_F_MOF)
		target = misplaced_target(pol, ilx, curnid, numa_node_id());

	/*
	 * Asked even for a folio already on the CPU's node: the question
	 * records who touched the folio, for the next fault's answer.
	 */
	if (target != NUMA_NO_NODE && (pol->flags & MPOL_F_MORON) &&
	    !should_numa_migrate_memory(current, folio, curnid,
					raw_smp_processor_id()))
		target = NUMA_NO_NODE;

	mpol_cond_put(pol);
	return target == curnid ? NUMA_NO_NODE : target;
}
