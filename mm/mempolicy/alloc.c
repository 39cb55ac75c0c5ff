// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: where an allocation goes.  policy_nodemask() turns a
 * policy into a preferred node and, for the modes that restrict or favour a
 * set of nodes, a node mask; the page allocator entry points of gfp.h and
 * mempolicy.h apply that decision, and mpol_misplaced() compares the node
 * of a folio with the node its policy asks for, for NUMA balancing.
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
#include <linux/sched.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/task.h>
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

	WARN_ON_ONCE(lowest == ZONE_MOVABLE);

	/*
	 * policy->nodes only holds nodes with memory; if none of them has
	 * memory below ZONE_MOVABLE, only movable allocations can be
	 * confined to them.
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
	int best = node, best_dist = INT_MAX;
	int n, d;

	if (state >= NR_NODE_STATES)
		return -EINVAL;
	if (node == NUMA_NO_NODE || node_state(node, state))
		return node;

	for_each_node_state(n, state) {
		d = node_distance(node, n);
		if (d < best_dist) {
			best_dist = d;
			best = n;
		}
	}
	return best;
}
EXPORT_SYMBOL_GPL(numa_nearest_node);

/*
 * One copy of pol->nodes, so that counting the nodes and walking to the
 * n-th see the same mask even if a rebind changes it meanwhile.  No
 * seqcount: these paths run under the page table lock and hugetlb_lock,
 * and a VMA or shared policy is not rebound under current's sequence
 * anyway.  A stale node can only cost the allocator a fallback.
 * Returns the number of nodes copied.
 */
static unsigned int policy_nodes_copy(struct mempolicy *pol, nodemask_t *copy)
{
	/* Make the compiler take the copy now, not re-read it later. */
	barrier();
	*copy = pol->nodes;
	barrier();
	return nodes_weight(*copy);
}

/*
 * The same for the current task's own policy in task context: retried
 * until no cpuset rebind of the task tore it.
 */
static unsigned int stable_policy_nodes(struct mempolicy *pol,
					nodemask_t *copy)
{
	unsigned int seq, count;

	do {
		seq = read_mems_allowed_begin();
		count = policy_nodes_copy(pol, copy);
	} while (read_mems_allowed_retry(seq));

	return count;
}

/*
 * MPOL_INTERLEAVE for one task: the node after the one it used last.  A
 * policy with no node left (possible only in the middle of a rebind) falls
 * back to the local node and leaves the task's position alone.
 */
static int task_interleave_node(struct mempolicy *pol)
{
	unsigned int seq;
	int nid;

	do {
		seq = read_mems_allowed_begin();
		nid = next_node_in(current->il_prev, pol->nodes);
	} while (read_mems_allowed_retry(seq));

	if (nid >= MAX_NUMNODES)
		return numa_node_id();
	current->il_prev = nid;
	return nid;
}

/*
 * MPOL_WEIGHTED_INTERLEAVE for one task: il_prev is the node in use and
 * il_weight how many more allocations it gets before the next node's turn,
 * which starts with that node's weight as set at the time.
 */
static int task_weighted_interleave_node(struct mempolicy *pol)
{
	struct task_struct *me = current;
	unsigned int seq;
	int nid;

	do {
		seq = read_mems_allowed_begin();
		nid = me->il_prev;
		if (me->il_weight && node_isset(nid, pol->nodes))
			goto same_node;
		nid = next_node_in(nid, pol->nodes);
	} while (read_mems_allowed_retry(seq));

	if (nid >= MAX_NUMNODES)
		return numa_node_id();
	me->il_prev = nid;
	me->il_weight = get_il_weight(nid);
same_node:
	me->il_weight--;
	return nid;
}

/*
 * MPOL_INTERLEAVE by index: the (ilx mod n)th of the policy's n nodes, the
 * same in every task that maps the same object.
 */
static int indexed_interleave_node(struct mempolicy *pol, pgoff_t ilx)
{
	nodemask_t nodes;
	unsigned int count, skip;
	int nid;

	count = policy_nodes_copy(pol, &nodes);
	if (!count)
		return numa_node_id();

	skip = ilx % count;
	for_each_node_mask(nid, nodes) {
		if (!skip--)
			break;
	}
	return nid;
}

/* MPOL_WEIGHTED_INTERLEAVE by index, weighted cycles instead of nodes. */
static int indexed_weighted_interleave_node(struct mempolicy *pol,
					    pgoff_t ilx)
{
	nodemask_t nodes;

	if (!policy_nodes_copy(pol, &nodes))
		return numa_node_id();
	return il_weighted_pick(&nodes, ilx);
}

/**
 * policy_nodemask - the allocation decision of a memory policy
 * @gfp: the flags of the allocation
 * @pol: the policy in force, never NULL
 * @ilx: interleave index of the allocation, or NO_INTERLEAVE_INDEX to
 *	interleave by the current task's own position
 * @nid: in: the node the caller would allocate on; out: the node to prefer
 *
 * Return: the node mask the allocation must (MPOL_BIND) or should first
 * (MPOL_PREFERRED_MANY) be satisfied from, or NULL for no restriction.
 */
nodemask_t *policy_nodemask(gfp_t gfp, struct mempolicy *pol, pgoff_t ilx,
			    int *nid)
{
	nodemask_t *mask = NULL;

	switch (pol->mode) {
	case MPOL_PREFERRED:
		*nid = first_node(pol->nodes);
		break;
	case MPOL_PREFERRED_MANY:
		mask = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			*nid = pol->home_node;
		break;
	case MPOL_BIND:
		/*
		 * Lower zones than policy_zone are not bound, nor is a mask
		 * that the cpuset no longer allows any node of.
		 */
		if (apply_policy_zone(pol, gfp_zone(current_gfp_context(gfp))) &&
		    cpuset_nodemask_valid_mems_allowed(&pol->nodes))
			mask = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			*nid = pol->home_node;
		/* A single node demand could contradict the bound nodes. */
		WARN_ON_ONCE(gfp & __GFP_THISNODE);
		break;
	case MPOL_INTERLEAVE:
		*nid = ilx == NO_INTERLEAVE_INDEX ? task_interleave_node(pol) :
			indexed_interleave_node(pol, ilx);
		break;
	case MPOL_WEIGHTED_INTERLEAVE:
		*nid = ilx == NO_INTERLEAVE_INDEX ?
			task_weighted_interleave_node(pol) :
			indexed_weighted_interleave_node(pol, ilx);
		break;
	default:
		/* MPOL_LOCAL: the caller's node, anywhere after it. */
		break;
	}
	return mask;
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
	/* Memoryless CPU nodes hand out their nearest node with memory. */
	int local = numa_mem_id();
	struct mempolicy *pol;
	struct zonelist *zl;
	struct zoneref *z;

	if (!in_task())
		return local;
	/* Only the task itself changes its policy: no reference needed. */
	pol = current->mempolicy;
	if (!pol)
		return local;

	switch (pol->mode) {
	case MPOL_PREFERRED:
		return first_node(pol->nodes);
	case MPOL_INTERLEAVE:
		return task_interleave_node(pol);
	case MPOL_WEIGHTED_INTERLEAVE:
		return task_weighted_interleave_node(pol);
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		/* The policy node the page allocator would try first. */
		zl = &NODE_DATA(local)->node_zonelists[ZONELIST_FALLBACK];
		z = first_zones_zonelist(zl, gfp_zone(GFP_KERNEL), &pol->nodes);
		return zonelist_zone(z) ? zonelist_node_idx(z) : local;
	case MPOL_LOCAL:
		return local;
	default:
		WARN_ON_ONCE(1);
		return local;
	}
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
	int nid = numa_node_id();
	pgoff_t ilx;

	*mpol = get_vma_policy(vma, addr, hstate_vma(vma)->order, &ilx);
	*nodemask = policy_nodemask(gfp_flags, *mpol, ilx, &nid);
	return nid;
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

	/* Keeps a cpuset rebind from changing the nodes under the copy. */
	task_lock(current);
	pol = current->mempolicy;
	switch (pol->mode) {
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		*mask = pol->nodes;
		break;
	default:
		WARN_ON_ONCE(pol->mode != MPOL_LOCAL);
		init_nodemask_of_node(mask, numa_node_id());
		break;
	}
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
	bool hit = true;

	if (!mask)
		return true;

	/* task_lock() keeps the policy from being freed under us. */
	task_lock(tsk);
	pol = tsk->mempolicy;
	if (pol && pol->mode == MPOL_BIND)
		hit = nodes_intersects(pol->nodes, *mask);
	task_unlock(tsk);
	return hit;
}

/*
 * The cheap and the expensive attempts of a preference for a set of
 * nodes: flags for a first try on those nodes only, which must neither
 * reclaim nor insist nor complain before the second try anywhere.
 */
static gfp_t preferred_try_gfp(gfp_t gfp)
{
	return (gfp | __GFP_NOWARN) & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL);
}

static struct page *alloc_pages_preferring(gfp_t gfp, unsigned int order,
					   int nid, nodemask_t *nodes)
{
	struct page *page;

	page = __alloc_pages_noprof(preferred_try_gfp(gfp), order, nid, nodes);
	if (page)
		return page;
	return __alloc_pages_noprof(gfp, order, nid, NULL);
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
	nodemask_t *nodes = policy_nodemask(gfp, pol, ilx, &nid);
	struct page *page;

	if (pol->mode == MPOL_PREFERRED_MANY)
		return alloc_pages_preferring(gfp, order, nid, nodes);

	/*
	 * A PMD-sized page for a mapping (alloc_pages() callers excepted),
	 * under a policy that does not spread pages and allows the node
	 * chosen: remote memory would likely cost more than the huge page
	 * saves, so first try that node alone, compacting but not
	 * reclaiming.  Only a caller ready to reclaim goes on to the usual
	 * allocation when that fails.
	 */
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) &&
	    order == HPAGE_PMD_ORDER && ilx != NO_INTERLEAVE_INDEX &&
	    pol->mode != MPOL_INTERLEAVE &&
	    pol->mode != MPOL_WEIGHTED_INTERLEAVE &&
	    (!nodes || node_isset(nid, *nodes))) {
		gfp_t local_gfp = gfp | __GFP_THISNODE | __GFP_NORETRY;

		page = __alloc_pages_node_noprof(nid, local_gfp, order);
		if (page || !(gfp & __GFP_DIRECT_RECLAIM))
			return page;
	}

	page = __alloc_pages_noprof(gfp, order, nid, nodes);

	/* Count interleaved pages that landed where interleave wanted them. */
	if (unlikely(pol->mode == MPOL_INTERLEAVE) && page &&
	    static_branch_likely(&vm_numa_stat_key) &&
	    page_to_nid(page) == nid) {
		preempt_disable();
		__count_numa_event(page_zone(page), NUMA_INTERLEAVE_HIT);
		preempt_enable();
	}
	return page;
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
	struct page *page;

	page = alloc_pages_mpol_noprof(gfp | __GFP_COMP, order, pol, ilx, nid);
	return page_rmappable_folio(page);
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
	struct mempolicy *pol;
	struct folio *folio;
	pgoff_t ilx;

	/* Droppable mappings can live without the memory: stay quiet. */
	if (vma->vm_flags & VM_DROPPABLE)
		gfp |= __GFP_NOWARN;

	pol = get_vma_policy(vma, addr, order, &ilx);
	folio = folio_alloc_mpol_noprof(gfp, order, pol, ilx, numa_node_id());
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
		return &default_policy;
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
	return page_rmappable_folio(alloc_pages_noprof(gfp | __GFP_COMP, order));
}
EXPORT_SYMBOL(folio_alloc_noprof);

/*
 * Bulk MPOL_INTERLEAVE: an equal share per node, the first nr % n nodes in
 * the task's interleave order taking one page more.  Every node gets its
 * turn, even with a share of zero, so the task's position goes round the
 * whole cycle.
 */
static unsigned long bulk_interleave(gfp_t gfp, struct mempolicy *pol,
				     unsigned long nr_pages,
				     struct page **pages)
{
	unsigned long share, extra, got, done = 0;
	unsigned int seq, count, i;

	do {
		seq = read_mems_allowed_begin();
		count = nodes_weight(pol->nodes);
	} while (read_mems_allowed_retry(seq));
	if (!count)
		return 0;

	share = nr_pages / count;
	extra = nr_pages % count;
	for (i = 0; i < count; i++) {
		got = alloc_pages_bulk_noprof(gfp, task_interleave_node(pol),
					      NULL, share + (i < extra),
					      NULL, pages);
		pages += got;
		done += got;
	}
	return done;
}

/*
 * Bulk MPOL_WEIGHTED_INTERLEAVE: first whatever is left of the current
 * node's turn, then whole cycles and a partial one, one bulk call per node
 * with all its pages of them.  When every page comes, the task's
 * il_prev/il_weight end up as good as where a page by page allocation of
 * the same count would have left them.
 */
static unsigned long bulk_weighted_interleave(gfp_t gfp, struct mempolicy *pol,
					      unsigned long nr_pages,
					      struct page **pages)
{
	struct task_struct *me = current;
	unsigned long left = nr_pages, done = 0;
	unsigned long cycles, rest, want, got;
	unsigned int count, cycle_len, i;
	int nid, prev, resume_nid;
	u8 resume_weight, w;
	nodemask_t nodes;
	u8 *weights;

	if (!nr_pages)
		return 0;

	count = stable_policy_nodes(pol, &nodes);
	if (!count)
		return 0;

	prev = me->il_prev;
	w = me->il_weight;
	if (w && node_isset(prev, nodes)) {
		want = min_t(unsigned long, left, w);
		got = alloc_pages_bulk_noprof(gfp, prev, NULL, want, NULL,
					      pages);
		pages += got;
		done += got;
		if (left <= w) {
			me->il_weight -= left;
			return done;
		}
		/* The turn is over whether or not all its pages came. */
		left -= w;
	}
	/* Should anything below fail, the next allocation starts a turn. */
	me->il_weight = 0;

	weights = kmalloc(nr_node_ids, gfp & GFP_RECLAIM_MASK);
	if (!weights)
		return done;
	cycle_len = il_weights_fill(&nodes, weights);

	cycles = left / cycle_len;
	rest = left % cycle_len;
	/* Whole cycles only: the next turn is the next node's, in full. */
	resume_nid = next_node_in(prev, nodes);
	resume_weight = weights[resume_nid];

	for (i = 0; i < count; i++) {
		nid = next_node_in(prev, nodes);
		w = weights[nid];
		want = cycles * w;
		if (rest > w) {
			want += w;
			rest -= w;
		} else if (rest) {
			/* The partial cycle ends here, maybe mid turn. */
			want += rest;
			resume_nid = nid;
			resume_weight = w - rest;
			rest = 0;
		}
		/* No cycle and the partial one done: nothing for the rest. */
		if (!want)
			break;
		got = alloc_pages_bulk_noprof(gfp, nid, NULL, want, NULL,
					      pages);
		pages += got;
		done += got;
		if (done == nr_pages)
			break;
		prev = nid;
	}
	me->il_prev = resume_nid;
	me->il_weight = resume_weight;
	kfree(weights);
	return done;
}

/*
 * Bulk MPOL_PREFERRED_MANY: the preferred nodes first, without reclaim;
 * what they cannot give comes from anywhere, starting at the local node.
 */
static unsigned long bulk_preferred_many(gfp_t gfp, struct mempolicy *pol,
					 unsigned long nr_pages,
					 struct page **pages)
{
	int nid = numa_node_id();
	unsigned long done;

	done = alloc_pages_bulk_noprof(preferred_try_gfp(gfp), nid,
				       &pol->nodes, nr_pages, NULL, pages);
	if (done < nr_pages)
		done += alloc_pages_bulk_noprof(gfp, nid, NULL,
						nr_pages - done, NULL,
						pages + done);
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
	nodemask_t *nodes;
	int nid;

	switch (pol->mode) {
	case MPOL_INTERLEAVE:
		return bulk_interleave(gfp, pol, nr_pages, page_array);
	case MPOL_WEIGHTED_INTERLEAVE:
		return bulk_weighted_interleave(gfp, pol, nr_pages,
						page_array);
	case MPOL_PREFERRED_MANY:
		return bulk_preferred_many(gfp, pol, nr_pages, page_array);
	default:
		nid = numa_node_id();
		nodes = policy_nodemask(gfp, pol, NO_INTERLEAVE_INDEX, &nid);
		return alloc_pages_bulk_noprof(gfp, nid, nodes, nr_pages, NULL,
					       page_array);
	}
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
	int cur_nid = folio_nid(folio);
	int target = NUMA_NO_NODE;
	struct mempolicy *pol;
	struct zoneref *z;
	int this_cpu, this_nid;
	pgoff_t ilx;

	/* The held PTL keeps us on this CPU: the ids below stay true. */
	lockdep_assert_held(vmf->ptl);
	this_cpu = raw_smp_processor_id();
	this_nid = numa_node_id();

	pol = get_vma_policy(vmf->vma, addr, folio_order(folio), &ilx);
	if (!(pol->flags & MPOL_F_MOF))
		goto out;

	switch (pol->mode) {
	case MPOL_INTERLEAVE:
		target = indexed_interleave_node(pol, ilx);
		break;
	case MPOL_WEIGHTED_INTERLEAVE:
		target = indexed_weighted_interleave_node(pol, ilx);
		break;
	case MPOL_PREFERRED:
		if (node_isset(cur_nid, pol->nodes))
			goto out;
		target = first_node(pol->nodes);
		break;
	case MPOL_LOCAL:
		target = this_nid;
		break;
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		/*
		 * Never move outside the policy's nodes, not even for
		 * MPOL_PREFERRED_MANY: a mask that leaves out a fast node
		 * may be what keeps demoted pages from coming back to it.
		 */
		if (pol->flags & MPOL_F_MORON) {
			/* Follow the CPU, if it is on one of the nodes. */
			if (!node_isset(this_nid, pol->nodes))
				goto out;
			break;
		}
		if (node_isset(cur_nid, pol->nodes))
			goto out;
		/* The policy node nearest to this CPU, if any has memory. */
		z = first_zones_zonelist(node_zonelist(this_nid, GFP_HIGHUSER),
					 gfp_zone(GFP_HIGHUSER), &pol->nodes);
		if (!zonelist_zone(z))
			goto out;
		target = zonelist_node_idx(z);
		break;
	default:
		WARN_ON_ONCE(1);
		goto out;
	}

	/* MPOL_F_MORON: the folio goes where the CPU using it is. */
	if (pol->flags & MPOL_F_MORON) {
		target = this_nid;
		if (!should_numa_migrate_memory(current, folio, cur_nid,
						this_cpu)) {
			target = NUMA_NO_NODE;
			goto out;
		}
	}

	if (target == cur_nid)
		target = NUMA_NO_NODE;
out:
	mpol_cond_put(pol);
	return target;
}
