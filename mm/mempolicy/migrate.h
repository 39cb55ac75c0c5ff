/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA memory policy: the migration engine (migrate.c).
 *
 * One engine serves every caller that moves a range's pages: mbind() with
 * MPOL_MF_MOVE, migrate_pages(2) and the cpuset code through
 * do_migrate_pages(), and page_migrate(2).  A caller describes a
 * run in struct mpol_move: which folios are candidates (those on a set of
 * nodes, or those off it) and how to allocate their new homes.  The
 * engine then works in batches of at most MPOL_MOVE_BATCH base pages: it
 * takes the mmap lock for reading, walks the page tables from where the
 * last batch stopped and isolates candidates until the batch is full,
 * drops the lock, and moves the batch with the base tree's
 * migrate_pages().  So the target's threads never wait for the mmap lock
 * for longer than one batch's walk, however large the range.
 */
#ifndef _MM_MEMPOLICY_MIGRATE_H
#define _MM_MEMPOLICY_MIGRATE_H

#include <linux/migrate.h>
#include <linux/nodemask.h>
#include <linux/types.h>

struct mm_struct;
struct vm_area_struct;

/* Base pages per batch: 4 MiB of 4 KiB pages, two PMD-sized THPs. */
#define MPOL_MOVE_BATCH	1024

/**
 * struct mpol_move - one run of the migration engine
 * @mm: the address space; the caller holds a reference on it
 * @start: first address of the range, page aligned
 * @end: end of the range (exclusive), page aligned
 * @nodes: the nodes that decide which folios are candidates
 * @off_nodes: a folio is a candidate when it is not on @nodes (mbind());
 *	when false, when it is on them (moving a node's pages away)
 * @flags: %MPOL_MF_MOVE moves folios that only this mm maps,
 *	%MPOL_MF_MOVE_ALL shared ones too; %MPOL_MF_STRICT walks VMAs
 *	that cannot migrate as well, to count their candidates as failed;
 *	%MPOL_MF_DISCONTIG_OK lets the range have holes
 * @alloc: allocates the new folio for a candidate, as migrate_pages()
 *	calls it
 * @alloc_private: passed to @alloc
 * @prepare: if set, called before each batch moves, with the mmap lock
 *	still held and the VMA that all of the batch's folios come from,
 *	so that @alloc_private can depend on the VMA
 * @skip_vma: if set, called for each VMA before its pages are walked, with
 *	the mmap lock held; a VMA for which it returns true keeps its pages,
 *	as one that cannot migrate does (page_migrate()'s user.migrate files)
 * @reason: why the pages move, for migrate_pages() and its tracepoints
 * @count_shared: count the candidates that stay because other processes
 *	map them too and %MPOL_MF_MOVE_ALL is not set in @nr_pages_failed
 * @keep_going: when no new folio can be had for a batch (-ENOMEM), count
 *	what is left of it as failed and go on with the next batch, rather
 *	than end the run
 * @nr_failed: out: candidates that were not moved, in folios
 * @nr_pages_moved: out: base pages moved
 * @nr_pages_failed: out: base pages of the candidates not moved
 *
 * The engine never takes more than one VMA's folios into a batch, which
 * is what makes @prepare possible.
 */
struct mpol_move {
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
	const nodemask_t *nodes;
	bool off_nodes;
	unsigned long flags;
	new_folio_t *alloc;
	unsigned long alloc_private;
	void (*prepare)(struct mpol_move *move, struct vm_area_struct *vma);
	bool (*skip_vma)(struct mpol_move *move, struct vm_area_struct *vma);
	enum migrate_reason reason;
	bool count_shared;
	bool keep_going;
	unsigned long nr_failed;
	unsigned long nr_pages_moved;
	unsigned long nr_pages_failed;
};

int mpol_move_range(struct mpol_move *move);
long mpol_check_range(struct mpol_move *move);

#endif /* _MM_MEMPOLICY_MIGRATE_H */
