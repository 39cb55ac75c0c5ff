// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the migration engine.
 *
 * migrate.h says what a run of the engine is.  Here: the page-table walk
 * that finds candidates and isolates them into a batch (struct
 * mpol_batch), the loop that alternates walking under the mmap lock with
 * moving without it, the read-only check that mbind()'s MPOL_MF_STRICT
 * needs, and the two users of the engine that are not mbind():
 * do_migrate_pages() for migrate_pages(2) and cpusets, and
 * change_prot_numa() for NUMA balancing.
 */

#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <linux/memcontrol.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/pagewalk.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <asm/tlb.h>

#include "policy.h"
#include "migrate.h"
#include "../internal.h"

/* What a walk does with a candidate. */
enum mpol_walk_kind {
	MPOL_WALK_ISOLATE,	/* take it into the batch */
	MPOL_WALK_CHECK,	/* only note it; the first one ends the walk */
	MPOL_WALK_HOLES,	/* look at VMAs only, for holes */
};

/* Positive walk results: the walk stopped on purpose. */
#define MPOL_WALK_STOP	1

/**
 * struct mpol_batch - the state of one walk
 * @move: the run that the walk is part of
 * @kind: what the walk does with candidates
 * @folios: isolated candidates, ready for migrate_pages()
 * @nr_pages: base pages in @folios
 * @nr_left: base pages of candidates that the walk left where they are
 * @vma: the VMA that the folios of @folios come from
 * @resume: where the next walk of the run starts
 * @last_large: the large folio that the PTE walk saw last, so that a
 *	folio mapped by many PTEs is looked at once
 * @seen_vma: the walk has met a VMA
 * @vma_moves: the VMA being walked can migrate its pages
 *
 * Lives on the stack of mpol_move_range() or mpol_check_range(); only the
 * walk callbacks touch it, under the mmap lock.
 */
struct mpol_batch {
	struct mpol_move *move;
	enum mpol_walk_kind kind;
	struct list_head folios;
	unsigned long nr_pages;
	unsigned long nr_left;
	struct vm_area_struct *vma;
	unsigned long resume;
	struct folio *last_large;
	bool seen_vma;
	bool vma_moves;
};

static bool mpol_is_candidate(const struct mpol_batch *b, struct folio *folio)
{
	return node_isset(folio_nid(folio), *b->move->nodes) ==
	       !b->move->off_nodes;
}

/*
 * Take @folio off the LRU (or out of the hugetlb active list) into the
 * batch.  migrate_pages() and putback_movable_pages() expect the
 * NR_ISOLATED counters to have been raised for LRU folios.
 */
static bool mpol_isolate(struct mpol_batch *b, struct folio *folio)
{
	if (folio_test_hugetlb(folio))
		return isolate_hugetlb(folio, &b->folios);
	if (!folio_isolate_lru(folio))
		return false;
	list_add_tail(&folio->lru, &b->folios);
	node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio),
			    folio_nr_pages(folio));
	return true;
}

/* A candidate of @nr_pages base pages stays where it is. */
static void mpol_count_failed(struct mpol_move *move, unsigned long nr_pages)
{
	move->nr_failed++;
	move->nr_pages_failed += nr_pages;
}

/*
 * Add @folio's pages to one of @b's counts, @nr.  A batch ends when it
 * has MPOL_MOVE_BATCH pages to move, or as many looked at and left where
 * they are: either way the mmap lock is not held for longer.
 */
static int mpol_batch_add(struct mpol_batch *b, unsigned long addr,
			  struct folio *folio, unsigned long *nr)
{
	*nr += folio_nr_pages(folio);
	if (b->nr_pages + b->nr_left < MPOL_MOVE_BATCH)
		return 0;
	b->resume = addr + folio_size(folio);
	return MPOL_WALK_STOP;
}

/*
 * Deal with one candidate-or-not folio that the walk found at @addr.
 * @shared says whether other address spaces map it as well, as far as
 * the walk can tell.  Returns MPOL_WALK_STOP when the walk must stop
 * after this folio: the check has its answer, or the batch is full.
 */
static int mpol_take(struct mpol_batch *b, struct folio *folio,
		     unsigned long addr, bool shared)
{
	struct mpol_move *move = b->move;

	if (!mpol_is_candidate(b, folio))
		return 0;

	if (b->kind == MPOL_WALK_CHECK)
		return MPOL_WALK_STOP;
	if (!b->vma_moves) {
		/* Walked for MPOL_MF_STRICT only: it stays, and says so. */
		mpol_count_failed(move, folio_nr_pages(folio));
		return mpol_batch_add(b, addr, folio, &b->nr_left);
	}
	/*
	 * mbind(2): MPOL_MF_MOVE moves only the pages that this process
	 * uses alone; the others stay, and that is not a failure (an
	 * mbind() with MPOL_MF_MOVE | MPOL_MF_STRICT that skips them
	 * returns 0, as the migrate selftest shows).  page_migrate()
	 * counts them as not moved.
	 */
	if (shared && !(move->flags & MPOL_MF_MOVE_ALL)) {
		if (move->count_shared)
			move->nr_pages_failed += folio_nr_pages(folio);
		return mpol_batch_add(b, addr, folio, &b->nr_left);
	}
	if (!mpol_isolate(b, folio)) {
		mpol_count_failed(move, folio_nr_pages(folio));
		return mpol_batch_add(b, addr, folio, &b->nr_left);
	}
	return mpol_batch_add(b, addr, folio, &b->nr_pages);
}

/* A PMD-mapped THP. */
static int mpol_walk_huge_pmd(pmd_t *pmd, unsigned long addr,
			      struct mm_walk *walk)
{
	struct mpol_batch *b = walk->private;
	pmd_t val = pmdp_get(pmd);
	struct folio *folio;

	if (!pmd_present(val)) {
		/* Being migrated right now: where it ends up is unknown. */
		if (is_pmd_migration_entry(val))
			mpol_count_failed(b->move, HPAGE_PMD_NR);
		return 0;
	}
	folio = pmd_folio(val);
	if (is_huge_zero_folio(folio))
		return 0;
	return mpol_take(b, folio, addr, folio_likely_mapped_shared(folio));
}

static int mpol_walk_pmd(pmd_t *pmd, unsigned long addr, unsigned long end,
			 struct mm_walk *walk)
{
	struct mpol_batch *b = walk->private;
	struct vm_area_struct *vma = walk->vma;
	pte_t *first, *pte;
	spinlock_t *ptl;	/* the page table's lock */
	int ret = 0;

	ptl = pmd_trans_huge_lock(pmd, vma);
	if (ptl) {
		ret = mpol_walk_huge_pmd(pmd, addr, walk);
		spin_unlock(ptl);
		if (ret == MPOL_WALK_STOP && b->resume > end)
			b->resume = end;
		return ret;
	}

	first = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!first) {
		/* The PMD changed under us; let the walker look again. */
		walk->action = ACTION_AGAIN;
		return 0;
	}
	for (pte = first; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		struct folio *folio;

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			if (is_migration_entry(pte_to_swp_entry(ptent)))
				mpol_count_failed(b->move, 1);
			continue;
		}
		folio = vm_normal_folio(vma, addr, ptent);
		/* No zero page, device memory, or reserved page (a VDSO). */
		if (!folio || folio_is_zone_device(folio) ||
		    folio_test_reserved(folio))
			continue;
		if (folio_test_large(folio)) {
			if (folio == b->last_large)
				continue;
			b->last_large = folio;
		}
		ret = mpol_take(b, folio, addr, folio_likely_mapped_shared(folio));
		if (ret) {
			b->resume = addr + PAGE_SIZE;
			break;
		}
	}
	pte_unmap_unlock(first, ptl);
	return ret;
}

#ifdef CONFIG_HUGETLB_PAGE
static int mpol_walk_hugetlb(pte_t *ptep, unsigned long hmask,
			     unsigned long addr, unsigned long end,
			     struct mm_walk *walk)
{
	struct mpol_batch *b = walk->private;
	bool shared;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t entry;
	int ret = 0;

	ptl = huge_pte_lock(hstate_vma(walk->vma), walk->mm, ptep);
	entry = huge_ptep_get(walk->mm, addr, ptep);
	if (pte_present(entry)) {
		struct folio *folio = pfn_folio(pte_pfn(entry));

		/* A shared page table means other processes map it too. */
		shared = folio_likely_mapped_shared(folio) ||
			 hugetlb_pmd_shared(ptep);
		ret = mpol_take(b, folio, addr, shared);
		if (ret)
			b->resume = end;
	} else if (is_hugetlb_entry_migration(entry)) {
		mpol_count_failed(b->move,
				  pages_per_huge_page(hstate_vma(walk->vma)));
	}
	spin_unlock(ptl);
	return ret;
}
#else
#define mpol_walk_hugetlb NULL
#endif

/* Is there a gap between @vma and what follows it, before @end? */
static bool mpol_gap_after(struct vm_area_struct *vma, unsigned long end)
{
	struct vm_area_struct *next;

	if (vma->vm_end >= end)
		return false;
	next = find_vma(vma->vm_mm, vma->vm_end);
	return !next || next->vm_start != vma->vm_end;
}

/*
 * Decide for each VMA whether to walk its page tables.  Holes in the
 * range are found here too, for mbind(): a hole before the first VMA or
 * after any VMA of the range is EFAULT (mbind(2): "there was an unmapped
 * hole in the specified memory range").  The hole after a VMA is looked
 * for before that VMA's pages, so a check that stops at a misplaced page
 * still reports the hole right behind it: the conformance transcripts
 * pin that order between EFAULT and EIO.
 */
static int mpol_walk_vma(unsigned long start, unsigned long end,
			 struct mm_walk *walk)
{
	struct mpol_batch *b = walk->private;
	struct mpol_move *move = b->move;
	struct vm_area_struct *vma = walk->vma;
	bool movable;

	if (!(move->flags & MPOL_MF_DISCONTIG_OK)) {
		if (!b->seen_vma && move->start < vma->vm_start)
			return -EFAULT;
		if (mpol_gap_after(vma, move->end))
			return -EFAULT;
	}
	b->seen_vma = true;

	if (b->kind == MPOL_WALK_HOLES)
		return 1;
	/* One VMA per batch: stop here and come back with a new batch. */
	if (b->vma && b->vma != vma && b->nr_pages) {
		b->resume = vma->vm_start;
		return -EAGAIN;
	}
	if (vma->vm_flags & VM_PFNMAP)
		return 1;

	movable = vma_migratable(vma) &&
		  !(move->skip_vma && move->skip_vma(move, vma));
	b->vma_moves = b->kind == MPOL_WALK_ISOLATE && movable &&
		       (move->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL));
	/* A VMA that cannot migrate is walked only to fail it strictly. */
	if (!movable && !(move->flags & MPOL_MF_STRICT))
		return 1;
	b->vma = vma;
	b->last_large = NULL;
	return 0;
}

/* One set of callbacks; the walks differ only in how they lock. */
#define MPOL_WALK_OPS(lock) {				\
	.pmd_entry = mpol_walk_pmd,			\
	.hugetlb_entry = mpol_walk_hugetlb,		\
	.test_walk = mpol_walk_vma,			\
	.walk_lock = (lock),				\
}

static const struct mm_walk_ops mpol_walk_read_ops =
	MPOL_WALK_OPS(PGWALK_RDLOCK);

/* For walks under the mmap write lock: faults wait while we look. */
static const struct mm_walk_ops mpol_walk_write_ops =
	MPOL_WALK_OPS(PGWALK_WRLOCK);

/**
 * mpol_check_range - look for holes and, for a strict check, misplacement
 * @move: the run, with its range, nodes and flags
 *
 * Called with the mmap lock held for writing, before mbind() changes
 * anything.  Holes are EFAULT unless %MPOL_MF_DISCONTIG_OK, and a range
 * that meets no VMA at all is EFAULT always.  With %MPOL_MF_STRICT and no
 * %MPOL_MF_MOVE* the pages are looked at as well, up to the first
 * candidate: then mbind() fails with EIO and changes nothing, as the
 * conformance transcripts show Linux 6.12 doing.
 *
 * Return: 0, -EFAULT, or -EIO.
 */
long mpol_check_range(struct mpol_move *move)
{
	struct mpol_batch b = { .move = move, .kind = MPOL_WALK_HOLES };
	int err;

	INIT_LIST_HEAD(&b.folios);
	if ((move->flags & MPOL_MF_STRICT) &&
	    !(move->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
		b.kind = MPOL_WALK_CHECK;

	err = walk_page_range(move->mm, move->start, move->end,
			      &mpol_walk_write_ops, &b);
	if (err < 0)
		return err;
	if (err == MPOL_WALK_STOP)
		return -EIO;
	return b.seen_vma ? 0 : -EFAULT;
}

/*
 * Walk from @b->resume under the mmap read lock until the batch is full
 * or the range is done, leaving @b->resume where the next walk starts.
 */
static int mpol_fill_batch(struct mpol_batch *b)
{
	struct mpol_move *move = b->move;
	unsigned long from = b->resume;
	int err;

	err = mmap_read_lock_killable(move->mm);
	if (err)
		return err;
	b->resume = move->end;
	err = walk_page_range(move->mm, from, move->end, &mpol_walk_read_ops, b);
	if (err == -EAGAIN || err == MPOL_WALK_STOP)
		err = 0;
	if (!err && b->nr_pages && move->prepare)
		move->prepare(move, b->vma);
	mmap_read_unlock(move->mm);
	return err;
}

/*
 * After migrate_pages(), @b->folios holds exactly what it did not move:
 * folios that failed, and the pieces of split ones that failed.
 */
static void mpol_count_batch(struct mpol_move *move, struct mpol_batch *b)
{
	unsigned long left = 0;
	struct folio *folio;

	list_for_each_entry(folio, &b->folios, lru)
		left += folio_nr_pages(folio);
	move->nr_pages_moved += b->nr_pages - left;
	move->nr_pages_failed += left;
}

/**
 * mpol_move_range - move the candidates of a range, batch by batch
 * @move: the run
 *
 * Takes the mmap lock of @move->mm for reading only while it walks one
 * batch, and moves each batch without it.  Between batches it reschedules
 * and stops at a fatal signal.  What could not be moved (not isolated, or
 * refused by migrate_pages()) is put back where it was and counted in
 * @move->nr_failed.  The caller keeps the per-CPU LRU caches disabled
 * (lru_cache_disable()) meanwhile, or folios still in them could not be
 * isolated.
 *
 * Return: 0; -EINTR on a fatal signal; or the error of migrate_pages()
 * (-ENOMEM when no new folio could be had, unless @move->keep_going),
 * which ends the run.
 */
int mpol_move_range(struct mpol_move *move)
{
	struct mpol_batch b = { .move = move, .kind = MPOL_WALK_ISOLATE };
	int err = 0;

	INIT_LIST_HEAD(&b.folios);
	b.resume = move->start;

	while (b.resume < move->end) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		b.nr_pages = 0;
		b.nr_left = 0;
		b.vma = NULL;
		b.last_large = NULL;
		err = mpol_fill_batch(&b);
		if (!err && !list_empty(&b.folios)) {
			err = migrate_pages(&b.folios, move->alloc, NULL,
					    move->alloc_private, MIGRATE_SYNC,
					    move->reason, NULL);
			if (err > 0) {
				move->nr_failed += err;
				err = 0;
			}
			mpol_count_batch(move, &b);
			if (err == -ENOMEM && move->keep_going)
				err = 0;
		}
		if (!list_empty(&b.folios))
			putback_movable_pages(&b.folios);
		if (err)
			break;
		cond_resched();
	}
	return err;
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

/* Move every page of @mm on node @src to node @dst, exactly there. */
static int mpol_move_node(struct mm_struct *mm, int src, int dst, int flags,
			  unsigned long *not_moved)
{
	nodemask_t from = nodemask_of_node(src);
	struct migration_target_control target = {
		.nid = dst,
		.gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_SYSCALL,
	};
	struct mpol_move move = {
		.mm = mm,
		.start = 0,
		.end = mm->task_size,
		.nodes = &from,
		.flags = flags | MPOL_MF_DISCONTIG_OK,
		.alloc = alloc_migration_target,
		.alloc_private = (unsigned long)&target,
		.reason = MR_SYSCALL,
	};
	int err;

	err = mpol_move_range(&move);
	*not_moved += move.nr_failed;
	return err;
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
 * source nodes that are also destinations keep their pages.  The engine
 * holds the mmap lock of @mm one batch at a time, so the owner of @mm
 * keeps running while its memory moves.
 *
 * Return: the number of pages that could not be moved (capped at INT_MAX),
 * or -errno (the error of migrate_pages() when it is not built in).
 */
int do_migrate_pages(struct mm_struct *mm, const nodemask_t *from,
		     const nodemask_t *to, int flags)
{
	nodemask_t pending = *from;
	unsigned long not_moved = 0;
	LIST_HEAD(empty);
	int src, dst;
	int err = 0;

	/*
	 * Without page migration built in, fail the way its stub of
	 * migrate_pages() does, before touching anything.
	 */
	if (!IS_ENABLED(CONFIG_MIGRATION))
		return migrate_pages(&empty, alloc_migration_target, NULL, 0,
				     MIGRATE_SYNC, MR_SYSCALL, NULL);

	lru_cache_disable();
	while (pick_node_pair(&pending, from, to, &src, &dst)) {
		node_clear(src, pending);
		err = mpol_move_node(mm, src, dst, flags, &not_moved);
		if (err)
			break;
	}
	lru_cache_enable();
	if (err)
		return err;
	return min_t(unsigned long, not_moved, INT_MAX);
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
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_gather tlb;
	long changed;

	/* One TLB flush for the whole range, when the gather ends. */
	tlb_gather_mmu(&tlb, mm);
	changed = change_protection(&tlb, vma, addr, end, MM_CP_PROT_NUMA);
	tlb_finish_mmu(&tlb);

	/*
	 * Below zero is an error (page tables that could not be allocated),
	 * with nothing counted.  numa_pte_updates in /proc/vmstat and in the
	 * memcg's memory.stat both count the rest.
	 */
	changed = max(changed, 0L);
	if (changed) {
		count_vm_numa_events(NUMA_PTE_UPDATES, changed);
		count_memcg_events_mm(mm, NUMA_PTE_UPDATES, changed);
	}
	return changed;
}
#endif /* CONFIG_NUMA_BALANCING */
