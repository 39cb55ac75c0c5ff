// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the policies of VMAs, and mbind(), which gives a
 * range of an address space a policy, splitting and merging VMAs so that
 * each has one policy, and optionally checks or moves the pages already
 * in the range.
 */

#include <linux/mempolicy.h>
#include <linux/capability.h>
#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/ksm.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/swap.h>

#include "policy.h"
#include "migrate.h"
#include "../internal.h"

/**
 * vma_migratable - can the pages of a VMA move between nodes
 * @vma: the VMA
 *
 * Return: false for I/O and PFN mappings, DAX, huge pages of a size that
 * cannot migrate, and files whose pages must come from a zone below the
 * one that policies apply to (a move would have to allocate there, and
 * node to node it cannot); true otherwise.
 */
bool vma_migratable(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return false;

	/* DAX users count on steady latency: no hinting faults, no moves. */
	if (vma_is_dax(vma))
		return false;

	if (is_vm_hugetlb_page(vma) &&
	    !hugepage_migration_supported(hstate_vma(vma)))
		return false;

	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		if (gfp_zone(mapping_gfp_mask(mapping)) < policy_zone)
			return false;
	}
	return true;
}

/**
 * __get_vma_policy - the policy a VMA itself sets at an address
 * @vma: the VMA
 * @addr: the address, for mappings whose policy varies over the object
 * @ilx: set to the interleave index that the mapping contributes (0
 *       unless its get_policy operation says otherwise)
 *
 * Shared mappings (shmem, hugetlbfs, SysV shm) answer through their
 * get_policy operation, which takes a reference on an %MPOL_F_SHARED
 * result that the caller drops with mpol_cond_put().
 *
 * Return: the policy, or NULL when the VMA has none.
 */
struct mempolicy *__get_vma_policy(struct vm_area_struct *vma,
				   unsigned long addr, pgoff_t *ilx)
{
	*ilx = 0;
	if (vma->vm_ops && vma->vm_ops->get_policy)
		return vma->vm_ops->get_policy(vma, addr, ilx);
	return vma->vm_policy;
}

/**
 * get_vma_policy - the policy in force at an address of a VMA
 * @vma: the VMA
 * @addr: the address
 * @order: the order of the allocation to interleave (0, or a huge page's)
 * @ilx: set to the interleave index of @addr, meaningful only for the
 *       interleave modes
 *
 * Without a VMA policy the task's own policy applies, and without that the
 * system default.  The interleave index counts allocations of @order from
 * the start of the mapped object rather than of the VMA, so that every
 * process mapping a shared object interleaves it the same way.
 *
 * Return: the policy; mpol_cond_put() it when done.
 */
struct mempolicy *get_vma_policy(struct vm_area_struct *vma,
				 unsigned long addr, int order, pgoff_t *ilx)
{
	struct mempolicy *pol = __get_vma_policy(vma, addr, ilx);

	if (!pol)
		pol = get_task_policy(current);

	if (pol->mode == MPOL_INTERLEAVE ||
	    pol->mode == MPOL_WEIGHTED_INTERLEAVE) {
		/* Offset of the VMA in the object, then of @addr in the VMA. */
		*ilx += vma->vm_pgoff >> order;
		*ilx += (addr - vma->vm_start) >> (PAGE_SHIFT + order);
	}
	return pol;
}

/**
 * vma_policy_mof - does NUMA balancing migrate on fault in this VMA
 * @vma: the VMA
 *
 * Return: whether the policy in force at the start of @vma (the VMA's or
 * else the task's) has %MPOL_F_MOF set.
 */
bool vma_policy_mof(struct vm_area_struct *vma)
{
	struct mempolicy *pol;
	pgoff_t unused_ilx;
	bool mof;

	pol = __get_vma_policy(vma, vma->vm_start, &unused_ilx);
	if (!pol)
		pol = get_task_policy(current);
	mof = pol->flags & MPOL_F_MOF;
	mpol_cond_put(pol);

	return mof;
}

/**
 * vma_dup_policy - give a new VMA a copy of another's policy
 * @src: the VMA copied from (the parent's, at fork; the original, at a
 *       split)
 * @dst: the new VMA
 *
 * Return: 0, or -ENOMEM if the copy could not be allocated.
 */
int vma_dup_policy(struct vm_area_struct *src, struct vm_area_struct *dst)
{
	struct mempolicy *copy = mpol_dup(src->vm_policy);

	if (IS_ERR(copy))
		return PTR_ERR(copy);
	dst->vm_policy = copy;
	return 0;
}

/*
 * Install @pol in @vma, which covers exactly the range that gets it.  The
 * VMA keeps its own copy; a shared mapping also records it in the object,
 * where every process mapping it will find it.
 */
static int vma_set_policy(struct vm_area_struct *vma, struct mempolicy *pol)
{
	struct mempolicy *copy, *old;
	int err;

	/* Page faults under the VMA lock read vm_policy without mmap_lock. */
	vma_start_write(vma);

	copy = mpol_dup(pol);
	if (IS_ERR(copy))
		return PTR_ERR(copy);

	if (vma->vm_ops && vma->vm_ops->set_policy) {
		err = vma->vm_ops->set_policy(vma, copy);
		if (err) {
			mpol_put(copy);
			return err;
		}
	}

	old = vma->vm_policy;
	vma->vm_policy = copy;
	mpol_put(old);
	return 0;
}

/**
 * mbind_range - give the part of a VMA inside a range a new policy
 * @vmi: iterator positioned at @vma, kept valid across splits and merges
 * @vma: a VMA that overlaps [@start, @end)
 * @prev: the VMA before @vma (or NULL); updated to the VMA that now covers
 *        the part of the range just done, ready for the next call
 * @start: start of the whole range
 * @end: end of the whole range (exclusive)
 * @new_pol: the policy to apply (NULL for the default)
 *
 * The VMA is split where the range cuts it, or merged with neighbours that
 * end up with the same policy and are otherwise compatible.  Nothing
 * changes when @vma has that policy already.  The caller holds the mmap
 * lock for writing.
 *
 * Return: 0, or -errno (-ENOMEM, or an error from the mapping's
 * set_policy operation).
 */
int mbind_range(struct vma_iterator *vmi, struct vm_area_struct *vma,
		struct vm_area_struct **prev, unsigned long start,
		unsigned long end, struct mempolicy *new_pol)
{
	unsigned long from = max(start, vma->vm_start);
	unsigned long to = min(end, vma->vm_end);

	/*
	 * When the range starts inside @vma, what precedes the new piece
	 * after a split is the head of @vma itself.
	 */
	if (start > vma->vm_start)
		*prev = vma;

	if (mpol_equal(vma->vm_policy, new_pol)) {
		*prev = vma;
		return 0;
	}

	vma = vma_modify_policy(vmi, *prev, vma, from, to, new_pol);
	if (IS_ERR(vma))
		return PTR_ERR(vma);

	*prev = vma;
	return vma_set_policy(vma, new_pol);
}

/*
 * Translate the user's nodes for @pol and take the mmap lock for writing,
 * under which a cpuset rebind of VMA policies cannot overtake us.  On
 * success the lock is held.
 */
static int mbind_lock_and_set_nodes(struct mm_struct *mm,
				    struct mempolicy *pol, nodemask_t *nmask)
{
	NODEMASK_SCRATCH(scratch);
	int err;

	if (!scratch)
		return -ENOMEM;

	mmap_write_lock(mm);
	err = mpol_set_nodemask(pol, nmask, scratch);
	if (err)
		mmap_write_unlock(mm);

	NODEMASK_SCRATCH_FREE(scratch);
	return err;
}

/*
 * The interleave index from which migrated folios count their own index,
 * so that they land where faults under @pol would have put them.  It is
 * worked out once, from the first queued folio that is found mapped in
 * the range (a KSM folio's index says nothing of its place in the range);
 * later VMAs of the range may then interleave a little differently.  Called
 * after the policy is applied, with the mmap lock still held.
 */
static pgoff_t mbind_ilx_base(struct mm_struct *mm, unsigned long start,
			      unsigned long end, struct mempolicy *pol,
			      struct list_head *folios)
{
	struct folio *folio = NULL, *pos;
	struct vm_area_struct *vma;
	unsigned long addr;
	struct vma_iterator vmi;
	unsigned int order;
	pgoff_t ilx;

	if (pol->mode != MPOL_INTERLEAVE &&
	    pol->mode != MPOL_WEIGHTED_INTERLEAVE)
		return 0;

	list_for_each_entry(pos, folios, lru) {
		if (!folio_test_ksm(pos)) {
			folio = pos;
			break;
		}
	}
	if (!folio)
		return 0;

	vma_iter_init(&vmi, mm, start);
	for_each_vma_range(vmi, vma, end) {
		addr = page_address_in_vma(folio_page(folio, 0), vma);
		if (addr == -EFAULT)
			continue;

		order = folio_order(folio);
		mpol_cond_put(get_vma_policy(vma, addr, order, &ilx));
		return ilx - (folio->index >> order);
	}
	return 0;
}

/**
 * do_mbind - apply a memory policy to a range of the current address space
 * @start: start of the range, page aligned
 * @len: length of the range, rounded up to whole pages
 * @mode: the policy mode (%MPOL_DEFAULT, %MPOL_BIND, ...)
 * @mode_flags: the mode flags (%MPOL_F_STATIC_NODES, ...)
 * @nmask: the nodes the user gave
 * @flags: %MPOL_MF_STRICT, %MPOL_MF_MOVE, %MPOL_MF_MOVE_ALL
 *
 * Sets the policy of every VMA in the range.  With %MPOL_MF_MOVE the pages
 * already present that are not where the policy wants them move (only
 * those mapped by this process alone, unless %MPOL_MF_MOVE_ALL, which
 * needs CAP_SYS_NICE).  %MPOL_MF_STRICT makes it an error for a page to
 * stay misplaced.
 *
 * Return: 0 on success; -EINVAL for bad flags, an unaligned or wrapping
 * range, or a mode and nodes that do not make a policy; -EPERM for
 * %MPOL_MF_MOVE_ALL without CAP_SYS_NICE; -EFAULT if the range is not
 * fully mapped (for the default policy: if no VMA meets it); -EIO when
 * %MPOL_MF_STRICT and some page is misplaced and was not moved; -ENOMEM.
 */
long do_mbind(unsigned long start, unsigned long len, unsigned short mode,
	      unsigned short mode_flags, nodemask_t *nmask,
	      unsigned long flags)
{
	bool moving = flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	struct vma_iterator vmi;
	struct mempolicy *new;
	LIST_HEAD(folios);
	pgoff_t ilx_base = 0;
	unsigned long end;
	long unqueued;
	long err = 0;

	if (flags & ~(unsigned long)MPOL_MF_VALID)
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !capable(CAP_SYS_NICE))
		return -EPERM;
	if (start & ~PAGE_MASK)
		return -EINVAL;

	/* The default policy has no nodes for a page to be outside of. */
	if (mode == MPOL_DEFAULT)
		flags &= ~MPOL_MF_STRICT;

	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	new = mpol_new(mode, mode_flags, nmask);
	if (IS_ERR(new))
		return PTR_ERR(new);

	/* Resetting to the default may span holes: nothing is left there. */
	if (!new)
		flags |= MPOL_MF_DISCONTIG_OK;

	/* Pages still in per-CPU LRU batches could not be isolated. */
	if (moving)
		lru_cache_disable();

	err = mbind_lock_and_set_nodes(mm, new, nmask);
	if (err)
		goto out;

	/*
	 * Write-lock each VMA while collecting its pages, so that a fault
	 * under the VMA lock cannot add a page that this scan misses and
	 * that the new policy does not place.
	 */
	unqueued = mpol_queue_misplaced(mm, start, end, nmask,
					flags | MPOL_MF_INVERT | MPOL_MF_WRLOCK,
					&folios);
	if (unqueued < 0) {
		err = unqueued;
		unqueued = 0;
	} else {
		vma_iter_init(&vmi, mm, start);
		prev = vma_prev(&vmi);
		for_each_vma_range(vmi, vma, end) {
			err = mbind_range(&vmi, vma, &prev, start, end, new);
			if (err)
				break;
		}
	}

	if (!err && !list_empty(&folios)) {
		/* Moves under the default policy go where the task's go. */
		if (!new) {
			new = get_task_policy(current);
			mpol_get(new);
		}
		ilx_base = mbind_ilx_base(mm, start, end, new, &folios);
	}

	mmap_write_unlock(mm);

	if (!err && !list_empty(&folios) &&
	    mpol_migrate_queued(&folios, new, ilx_base))
		unqueued = 1;

	if (unqueued && (flags & MPOL_MF_STRICT))
		err = -EIO;
	if (!list_empty(&folios))
		putback_movable_pages(&folios);
out:
	mpol_put(new);
	if (moving)
		lru_cache_enable();
	return err;
}
