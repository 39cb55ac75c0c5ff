// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: moving pages to where a policy wants them.
 *
 * A page table walk over a range collects the folios that sit on the wrong
 * nodes, isolating them from the LRU onto a list; migrate_pages() then moves
 * that list.  mbind() uses this with the new policy as the destination,
 * migrate_pages(2) and cpusets move memory from node to node with
 * do_migrate_pages(), and NUMA balancing marks ranges inaccessible with
 * change_prot_numa() so that the hinting faults tell where pages are used.
 */

#include <linux/mempolicy.h>
#include <linux/pagewalk.h>
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/memcontrol.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/vmstat.h>
#include <asm/tlb.h>

#include "policy.h"
#include "migrate.h"
#include "../internal.h"

/* What a walk over a range needs to know, and what it found. */
struct misplaced_scan {
	struct list_head *folios;	/* isolated folios go here */
	nodemask_t *nodes;		/* the nodes of interest */
	unsigned long flags;		/* MPOL_MF_* */
	unsigned long start;		/* the range, to see holes in it */
	unsigned long end;
	struct vm_area_struct *first_vma;	/* NULL until a VMA is seen */
	/*
	 * Several PTEs can map one large folio; it can be taken off the LRU
	 * only once, so later PTEs of the same folio must not count as
	 * failures.  Remembering the last one is cheap and catches the
	 * common layout, where a folio's PTEs are next to each other.
	 */
	struct folio *last_large;
	long unqueued;			/* misplaced, but not on the list */
};

/* The destination of an mbind() move, for the migration allocator. */
struct mbind_dest {
	struct mempolicy *pol;
	pgoff_t ilx_base;	/* interleave index of file/anon index 0 */
};

/*
 * MPOL_MF_STRICT alone only checks: the first misplaced folio settles the
 * answer (-EIO), so the walk can stop there.
 */
static bool scan_checks_only(unsigned long flags)
{
	return (flags & (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) ==
		MPOL_MF_STRICT;
}

static long scan_result(struct misplaced_scan *scan)
{
	if (scan->unqueued && scan_checks_only(scan->flags))
		return -EIO;
	return 0;
}

/*
 * mbind() looks for folios outside the policy's nodes (MPOL_MF_INVERT),
 * a node-to-node move for folios on its source node.
 */
static bool folio_is_wanted(struct folio *folio, struct misplaced_scan *scan)
{
	bool on_nodes = node_isset(folio_nid(folio), *scan->nodes);

	return (scan->flags & MPOL_MF_INVERT) ? !on_nodes : on_nodes;
}

static bool scan_may_move(struct misplaced_scan *scan,
			  struct vm_area_struct *vma)
{
	return (scan->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) &&
		vma_migratable(vma);
}

/*
 * Take a folio off the LRU onto @list.  A folio that other processes map
 * too is left alone unless MPOL_MF_MOVE_ALL; leaving it is a choice, not a
 * failure, so that counts as success.  Returns false only when the folio
 * should have gone on the list but could not be isolated (not on the LRU
 * at the moment, or not movable at all), and always without page
 * migration built in.
 */
static bool isolate_misplaced(struct folio *folio, struct list_head *list,
			      unsigned long flags)
{
	if (!IS_ENABLED(CONFIG_MIGRATION))
		return false;

	if (!(flags & MPOL_MF_MOVE_ALL) && folio_likely_mapped_shared(folio))
		return true;

	if (!folio_isolate_lru(folio))
		return false;

	list_add_tail(&folio->lru, list);
	node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio),
			    folio_nr_pages(folio));
	return true;
}

/* A PMD mapping a huge folio; the caller holds its lock. */
static void scan_huge_pmd(pmd_t *pmd, struct mm_walk *walk)
{
	struct misplaced_scan *scan = walk->private;
	struct folio *folio;

	/* Being moved by someone else: we cannot move it now. */
	if (unlikely(is_pmd_migration_entry(*pmd))) {
		scan->unqueued++;
		return;
	}

	folio = pmd_folio(*pmd);
	if (is_huge_zero_folio(folio)) {
		/* Nothing to move, and no page table below it. */
		walk->action = ACTION_CONTINUE;
		return;
	}
	if (!folio_is_wanted(folio, scan))
		return;
	if (!scan_may_move(scan, walk->vma) ||
	    !isolate_misplaced(folio, scan->folios, scan->flags))
		scan->unqueued++;
}

static int scan_pmd_range(pmd_t *pmd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	struct misplaced_scan *scan = walk->private;
	struct vm_area_struct *vma = walk->vma;
	pte_t *first_pte, *pte;
	struct folio *folio;
	spinlock_t *ptl;		/* the page table's lock */
	pte_t ptent;

	ptl = pmd_trans_huge_lock(pmd, vma);
	if (ptl) {
		scan_huge_pmd(pmd, walk);
		spin_unlock(ptl);
		return scan_result(scan);
	}

	first_pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!first_pte) {
		/* The page table went away under us (e.g. collapsed): retry. */
		walk->action = ACTION_AGAIN;
		return 0;
	}

	for (pte = first_pte; addr != end; pte++, addr += PAGE_SIZE) {
		ptent = ptep_get(pte);
		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			/* Mid-migration pages cannot be moved by us. */
			if (is_migration_entry(pte_to_swp_entry(ptent)))
				scan->unqueued++;
			continue;
		}

		/* Zero pages and special mappings have no folio to move. */
		folio = vm_normal_folio(vma, addr, ptent);
		if (!folio || folio_is_zone_device(folio))
			continue;
		/* Reserved pages (a VDSO, say) never move either. */
		if (folio_test_reserved(folio))
			continue;
		if (!folio_is_wanted(folio, scan))
			continue;

		/*
		 * One large folio is one entry of the list and one failure
		 * of migrate_pages() however many PTEs map it; count it once
		 * here too, so that both counts agree.
		 */
		if (folio_test_large(folio)) {
			if (folio == scan->last_large)
				continue;
			scan->last_large = folio;
		}

		if (scan_may_move(scan, vma) &&
		    isolate_misplaced(folio, scan->folios, scan->flags))
			continue;

		scan->unqueued++;
		if (scan_checks_only(scan->flags))
			break;
	}
	pte_unmap_unlock(first_pte, ptl);
	cond_resched();

	return scan_result(scan);
}

#ifdef CONFIG_HUGETLB_PAGE
static int scan_hugetlb_entry(pte_t *ptep, unsigned long hmask,
			      unsigned long addr, unsigned long end,
			      struct mm_walk *walk)
{
	struct misplaced_scan *scan = walk->private;
	struct folio *folio;
	spinlock_t *ptl;		/* the page table's lock */
	pte_t entry;

	ptl = huge_pte_lock(hstate_vma(walk->vma), walk->mm, ptep);
	entry = huge_ptep_get(walk->mm, addr, ptep);

	if (!pte_present(entry)) {
		if (unlikely(is_hugetlb_entry_migration(entry)))
			scan->unqueued++;
		goto out;
	}

	folio = pfn_folio(pte_pfn(entry));
	if (!folio_is_wanted(folio, scan))
		goto out;

	if (!scan_may_move(scan, walk->vma)) {
		scan->unqueued++;
		goto out;
	}

	/*
	 * As for other folios, shared ones stay unless MPOL_MF_MOVE_ALL; a
	 * page table shared between processes makes the folio shared even
	 * when its map count does not show it.
	 */
	if (!(scan->flags & MPOL_MF_MOVE_ALL) &&
	    (folio_likely_mapped_shared(folio) || hugetlb_pmd_shared(ptep)))
		goto out;

	if (!isolate_hugetlb(folio, scan->folios))
		scan->unqueued++;
out:
	spin_unlock(ptl);
	return scan_result(scan);
}
#else
#define scan_hugetlb_entry NULL
#endif

/*
 * Decide whether to walk @vma, and catch holes: unless the caller accepts
 * them (MPOL_MF_DISCONTIG_OK), a gap before the first VMA or between two
 * VMAs of the range fails the whole operation with -EFAULT.  Returns 0 to
 * walk the VMA, 1 to skip it, or an error to stop.
 */
static int scan_test_vma(unsigned long start, unsigned long end,
			 struct mm_walk *walk)
{
	struct misplaced_scan *scan = walk->private;
	struct vm_area_struct *vma = walk->vma;
	bool holes_ok = scan->flags & MPOL_MF_DISCONTIG_OK;
	struct vm_area_struct *next;

	VM_WARN_ON_ONCE(!range_in_vma(vma, start, end));

	if (!scan->first_vma) {
		scan->first_vma = vma;
		if (!holes_ok && scan->start < vma->vm_start)
			return -EFAULT;
	}

	if (!holes_ok && vma->vm_end < scan->end) {
		next = find_vma(vma->vm_mm, vma->vm_end);
		if (!next || next->vm_start > vma->vm_end)
			return -EFAULT;
	}

	/*
	 * Folios of a VMA we cannot migrate are still looked at under
	 * MPOL_MF_STRICT, which must report them as misplaced.
	 */
	if (!vma_migratable(vma) && !(scan->flags & MPOL_MF_STRICT))
		return 1;

	/* Neither checking nor moving: only the holes mattered. */
	if (!(scan->flags & (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
		return 1;

	return 0;
}

static const struct mm_walk_ops scan_ops_mmap_locked = {
	.pmd_entry	= scan_pmd_range,
	.hugetlb_entry	= scan_hugetlb_entry,
	.test_walk	= scan_test_vma,
	.walk_lock	= PGWALK_RDLOCK,
};

/* mbind() write-locks each VMA so that no fault adds a page it misses. */
static const struct mm_walk_ops scan_ops_vma_locked = {
	.pmd_entry	= scan_pmd_range,
	.hugetlb_entry	= scan_hugetlb_entry,
	.test_walk	= scan_test_vma,
	.walk_lock	= PGWALK_WRLOCK,
};

/**
 * mpol_queue_misplaced - collect the misplaced folios of a range
 * @mm: the address space, its mmap lock held (for writing with
 *      %MPOL_MF_WRLOCK, which also write-locks each VMA walked)
 * @start: start of the range
 * @end: end of the range (exclusive)
 * @nodes: the nodes that decide what is misplaced: folios on them, or with
 *         %MPOL_MF_INVERT folios off them
 * @flags: %MPOL_MF_* flags: STRICT, MOVE, MOVE_ALL, and the internal
 *         DISCONTIG_OK, INVERT and WRLOCK
 * @folios: list to which the folios taken off the LRU are added
 *
 * With %MPOL_MF_MOVE or %MPOL_MF_MOVE_ALL the misplaced folios of migratable
 * VMAs are isolated onto @folios; folios mapped by other processes too
 * only with %MPOL_MF_MOVE_ALL.  A huge page counts as one folio.  Without
 * a move flag and without %MPOL_MF_STRICT only the range is checked.
 *
 * Return: the number of misplaced folios that could not be queued (0 if
 * none); -EIO when %MPOL_MF_STRICT without a move flag meets a misplaced
 * folio; -EFAULT if no VMA meets the range, or, without
 * %MPOL_MF_DISCONTIG_OK, the range has a hole.  Folios already queued stay
 * on @folios in every case.
 */
long mpol_queue_misplaced(struct mm_struct *mm, unsigned long start,
			  unsigned long end, nodemask_t *nodes,
			  unsigned long flags, struct list_head *folios)
{
	struct misplaced_scan scan = {
		.folios = folios,
		.nodes = nodes,
		.flags = flags,
		.start = start,
		.end = end,
	};
	const struct mm_walk_ops *ops;
	int err;

	ops = (flags & MPOL_MF_WRLOCK) ? &scan_ops_vma_locked :
					 &scan_ops_mmap_locked;
	err = walk_page_range(mm, start, end, ops, &scan);

	/* Entirely unmapped: no VMA was ever offered to the walk. */
	if (!scan.first_vma)
		return -EFAULT;
	if (err)
		return err;
	return scan.unqueued;
}

/* Allocate the new home of @src for an mbind() move. */
static struct folio *mbind_alloc_dest(struct folio *src, unsigned long private)
{
	struct mbind_dest *dest = (struct mbind_dest *)private;
	unsigned int order = folio_order(src);
	int nid = numa_node_id();
	pgoff_t ilx;
	gfp_t gfp;

	/*
	 * Place the folio by its index in the object, as a fault at its
	 * address under the new policy would.
	 */
	ilx = dest->ilx_base + (src->index >> order);

	if (folio_test_hugetlb(src)) {
		struct hstate *h = folio_hstate(src);
		nodemask_t *allowed;

		gfp = htlb_alloc_mask(h);
		allowed = policy_nodemask(gfp, dest->pol, ilx, &nid);
		return alloc_hugetlb_folio_nodemask(h, nid, allowed, gfp,
				htlb_allow_alloc_fallback(MR_MEMPOLICY_MBIND));
	}

	if (folio_test_large(src))
		gfp = GFP_TRANSHUGE;
	else
		gfp = GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL | __GFP_COMP;

	return folio_alloc_mpol(gfp, order, dest->pol, ilx, nid);
}

/**
 * mpol_migrate_queued - move queued folios to the nodes of a policy
 * @folios: folios isolated by mpol_queue_misplaced()
 * @pol: the policy that places the new folios
 * @ilx_base: interleave index that a folio of index 0 would have; each
 *            folio adds its own index (in units of its size) to it
 *
 * Must be called without the mmap lock.  Folios that could not be moved
 * stay on @folios for the caller to put back.
 *
 * Return: 0 if all folios moved, else the number that did not, or -errno.
 */
int mpol_migrate_queued(struct list_head *folios, struct mempolicy *pol,
			pgoff_t ilx_base)
{
	struct mbind_dest dest = {
		.pol = pol,
		.ilx_base = ilx_base,
	};

	return migrate_pages(folios, mbind_alloc_dest, NULL,
			     (unsigned long)&dest, MIGRATE_SYNC,
			     MR_MEMPOLICY_MBIND, NULL);
}

/*
 * Move every page of @mm on node @src that may be moved to node @dst.
 * Returns the number of folios left behind, or -errno.
 */
static long move_node_pages(struct mm_struct *mm, int src, int dst,
			    int flags)
{
	struct migration_target_control mtc = {
		.nid = dst,
		.gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_SYSCALL,
	};
	struct vm_area_struct *vma;
	nodemask_t src_mask;
	LIST_HEAD(folios);
	long left;
	long ret;

	VM_WARN_ON_ONCE(!(flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)));

	src_mask = nodemask_of_node(src);

	mmap_read_lock(mm);
	vma = find_vma(mm, 0);
	if (unlikely(!vma)) {
		mmap_read_unlock(mm);
		return 0;
	}
	/*
	 * The whole address space with holes allowed, and a move flag, so
	 * this only isolates: it cannot fail, only leave folios behind.
	 */
	left = mpol_queue_misplaced(mm, vma->vm_start, mm->task_size,
				    &src_mask, flags | MPOL_MF_DISCONTIG_OK,
				    &folios);
	mmap_read_unlock(mm);

	if (list_empty(&folios))
		return left;

	ret = migrate_pages(&folios, alloc_migration_target, NULL,
			    (unsigned long)&mtc, MIGRATE_SYNC, MR_SYSCALL,
			    NULL);
	if (ret)
		putback_movable_pages(&folios);
	if (ret < 0)
		return ret;
	return ret + left;
}

/*
 * Choose the next node to empty, among those of @pending, and the node
 * its pages go to (the one at the same position in @to as it has in
 * @from).  Nodes that map onto themselves have nothing to move.  When the
 * two masks differ in size the relative layout cannot be kept anyway, and
 * nodes already in @to keep their pages.
 *
 * The preferred source is one whose destination is not itself still
 * waiting to be emptied: moving out of a node before moving into it keeps
 * it from holding both its old and its new pages at once, and avoids
 * moving the same pages twice when the masks overlap.  Failing that, any
 * node that moves will do (the last one found).  Returns false when no
 * node of @pending has anything to move.
 */
static bool pick_node_pair(const nodemask_t *pending, const nodemask_t *from,
			   const nodemask_t *to, int *src, int *dst)
{
	bool same_size = nodes_weight(*from) == nodes_weight(*to);
	bool found = false;
	int s, d;

	for_each_node_mask(s, *pending) {
		if (!same_size && node_isset(s, *to))
			continue;
		d = node_remap(s, *from, *to);
		if (d == s)
			continue;
		*src = s;
		*dst = d;
		found = true;
		if (!node_isset(d, *pending))
			break;
	}
	return found;
}

/**
 * do_migrate_pages - move a process's memory from one set of nodes to another
 * @mm: the address space whose pages move
 * @from: the nodes to move pages off
 * @to: the nodes to move them to
 * @flags: %MPOL_MF_MOVE, or %MPOL_MF_MOVE_ALL to move pages that other
 *         processes map too
 *
 * Node number i of @from (counting set bits) sends its pages to node
 * number i of @to, wrapping round @to when it is smaller, so that memory
 * keeps its relative placement.  When @from and @to have different sizes,
 * source nodes that are also destinations keep their pages.
 *
 * Return: the number of pages that could not be moved (capped at INT_MAX),
 * or -errno (the error of migrate_pages() when it is not built in).
 */
int do_migrate_pages(struct mm_struct *mm, const nodemask_t *from,
		     const nodemask_t *to, int flags)
{
	nodemask_t pending = *from;
	LIST_HEAD(empty);
	long not_moved = 0;
	long ret = 0;
	int src, dst;

	/*
	 * Without page migration built in, fail the way its stub of
	 * migrate_pages() does, before touching anything.
	 */
	if (!IS_ENABLED(CONFIG_MIGRATION))
		return migrate_pages(&empty, alloc_migration_target, NULL, 0,
				     MIGRATE_SYNC, MR_SYSCALL, NULL);

	/* Pages sitting in per-CPU LRU batches could not be isolated. */
	lru_cache_disable();

	while (pick_node_pair(&pending, from, to, &src, &dst)) {
		node_clear(src, pending);
		ret = move_node_pages(mm, src, dst, flags);
		if (ret < 0)
			break;
		not_moved += ret;
	}

	lru_cache_enable();

	if (ret < 0)
		return ret;
	return min_t(long, not_moved, INT_MAX);
}

#ifdef CONFIG_NUMA_BALANCING
/**
 * change_prot_numa - make a range fault on access, for NUMA balancing
 * @vma: the VMA containing the range
 * @addr: start of the range
 * @end: end of the range (exclusive)
 *
 * The PTEs of the range become PROT_NONE hinting entries; the faults that
 * accesses then take tell the scheduler which node uses the memory, and
 * may migrate it there.  The caller holds the mmap lock.
 *
 * Return: the number of base pages whose protection changed (a PMD-mapped
 * THP counts as HPAGE_PMD_NR of them).
 */
unsigned long change_prot_numa(struct vm_area_struct *vma,
			       unsigned long addr, unsigned long end)
{
	struct mmu_gather tlb;
	long changed;

	tlb_gather_mmu(&tlb, vma->vm_mm);
	changed = change_protection(&tlb, vma, addr, end, MM_CP_PROT_NUMA);
	if (changed > 0) {
		count_vm_numa_events(NUMA_PTE_UPDATES, changed);
		count_memcg_events_mm(vma->vm_mm, NUMA_PTE_UPDATES, changed);
	}
	tlb_finish_mmu(&tlb);

	return changed;
}
#endif /* CONFIG_NUMA_BALANCING */
