// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: VMA policies and mbind().
 *
 * A VMA's policy is vma->vm_policy, or for shared memory whatever the
 * mapping's get_policy operation finds for the address.  This file looks
 * policies up for faults, copies them when VMAs are copied, and applies a
 * policy to a range: mbind() checks the range, sets the policy of every
 * VMA in it (splitting and merging VMAs through vma_modify_policy()), and
 * then lets the migration engine move the pages that the new policy
 * wants elsewhere.
 */

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/task.h>
#include <linux/swap.h>

#include "policy.h"
#include "migrate.h"
#include "../internal.h"

/**
 * vma_migratable - can the pages of a VMA move between nodes?
 * @vma: the VMA
 *
 * Return: false for I/O and PFN mappings, DAX, hugetlb sizes that cannot
 * migrate, and files whose pages must come from zones below policy_zone
 * (migration allocates from the highest zone, so they would have nowhere
 * to go); true otherwise.
 */
bool vma_migratable(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	/* Nothing that has struct pages to move, or DAX with its latency. */
	bool no_pages = (vma->vm_flags & (VM_IO | VM_PFNMAP)) || vma_is_dax(vma);
	bool stuck_huge = is_vm_hugetlb_page(vma) &&
			  !hugepage_migration_supported(hstate_vma(vma));
	bool low_zone = file &&
			gfp_zone(mapping_gfp_mask(file->f_mapping)) < policy_zone;

	return !no_pages && !stuck_huge && !low_zone;
}

/**
 * __get_vma_policy - the policy that a VMA itself gives an address
 * @vma: the VMA
 * @addr: an address in @vma
 * @ilx: out: the interleave bias of the object that @vma maps (shmem
 *	biases by inode), 0 for others
 *
 * Return: the policy of the mapping's get_policy operation, with a
 * reference for shared policies, or @vma->vm_policy, or NULL when the VMA
 * has none.
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
 * get_vma_policy - the policy in force at an address, for an allocation
 * @vma: the VMA
 * @addr: the address
 * @order: the order of the allocation
 * @ilx: out: the interleave index of the allocation
 *
 * The VMA's policy if it has one, else the task's.  For the interleave
 * modes @ilx numbers the allocation's pages of this order within the
 * mapped object, so that every process that maps the object spreads it
 * alike (the hugetlb and shared selftests place pages by file offset).
 *
 * Return: the policy; drop it with mpol_cond_put().
 */
struct mempolicy *get_vma_policy(struct vm_area_struct *vma,
				 unsigned long addr, int order, pgoff_t *ilx)
{
	struct mempolicy *pol = __get_vma_policy(vma, addr, ilx);

	if (!pol)
		pol = get_task_policy(current);
	if (pol->mode == MPOL_INTERLEAVE ||
	    pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		*ilx += (vma->vm_pgoff >> order) +
			((addr - vma->vm_start) >> (PAGE_SHIFT + order));
	return pol;
}

/**
 * vma_policy_mof - does the policy at a VMA want migrate-on-fault?
 * @vma: the VMA
 *
 * NUMA balancing asks this before it scans a VMA.  For shared memory the
 * object's policy at the start of the VMA answers.
 *
 * Return: true if the policy in force carries MPOL_F_MOF.
 */
bool vma_policy_mof(struct vm_area_struct *vma)
{
	struct mempolicy *pol;
	bool mof;

	if (vma->vm_ops && vma->vm_ops->get_policy) {
		pgoff_t ilx;

		pol = vma->vm_ops->get_policy(vma, vma->vm_start, &ilx);
		mof = pol && (pol->flags & MPOL_F_MOF);
		mpol_cond_put(pol);
		return mof;
	}
	pol = vma->vm_policy ?: get_task_policy(current);
	return pol->flags & MPOL_F_MOF;
}

/**
 * vma_dup_policy - give a new VMA a copy of another's policy
 * @src: the VMA copied from
 * @dst: the new VMA
 *
 * Return: 0, or -ENOMEM.
 */
int vma_dup_policy(struct vm_area_struct *src, struct vm_area_struct *dst)
{
	struct mempolicy *copy = mpol_dup(src->vm_policy);

	/* The default policy (NULL) copies as NULL. */
	if (!IS_ERR(copy))
		dst->vm_policy = copy;
	return PTR_ERR_OR_ZERO(copy);
}

/*
 * Give @vma its own copy of @pol.  Shared memory keeps the policy with
 * the object too, through the mapping's set_policy operation; if that
 * fails, the VMA keeps its old policy.
 */
static int mpol_set_vma(struct vm_area_struct *vma, struct mempolicy *pol)
{
	int (*set_shared)(struct vm_area_struct *vma, struct mempolicy *pol);
	struct mempolicy *copy;
	int err;

	/*
	 * Faults under the VMA lock read vm_policy; a strict check that
	 * stopped early has not write-locked every VMA of the range.
	 */
	vma_start_write(vma);
	copy = mpol_dup(pol);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	set_shared = vma->vm_ops ? vma->vm_ops->set_policy : NULL;
	err = set_shared ? set_shared(vma, copy) : 0;
	if (!err)
		swap(vma->vm_policy, copy);
	/* The policy that the VMA had, or the copy that the object refused. */
	mpol_put(copy);
	return err;
}

/**
 * mpol_mbind_range - give the part of a VMA inside a range a new policy
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
int mpol_mbind_range(struct vma_iterator *vmi, struct vm_area_struct *vma,
		     struct vm_area_struct **prev, unsigned long start,
		     unsigned long end, struct mempolicy *new_pol)
{
	unsigned long from = max(start, vma->vm_start);
	unsigned long to = min(end, vma->vm_end);
	bool unchanged = mpol_equal(vma->vm_policy, new_pol);
	struct vm_area_struct *done;

	/*
	 * vma_modify_policy() wants @prev to be @vma itself when the range
	 * begins inside it, and the VMA before it otherwise (see the
	 * checks in vma_merge_existing_range()).  A VMA that keeps its
	 * policy is the next call's @prev all the same.
	 */
	if (unchanged || from > vma->vm_start)
		*prev = vma;
	if (unchanged)
		return 0;
	done = vma_modify_policy(vmi, *prev, vma, from, to, new_pol);
	if (IS_ERR(done))
		return PTR_ERR(done);
	*prev = done;
	return mpol_set_vma(done, new_pol);
}

/* Where mbind() sends a misplaced folio: the policy, and its index base. */
struct mpol_mbind_dest {
	struct mempolicy *pol;
	pgoff_t ilx_base;
};

/*
 * The folios of one batch come from one VMA.  Their interleave index is
 * the object's bias plus their page index, which is what a fault at
 * their address computes too, so a moved page lands where a new one
 * would.
 */
static void mpol_mbind_prepare(struct mpol_move *move,
			       struct vm_area_struct *vma)
{
	struct mpol_mbind_dest *dest = (void *)move->alloc_private;

	mpol_cond_put(__get_vma_policy(vma, vma->vm_start, &dest->ilx_base));
}

static struct folio *mpol_mbind_alloc(struct folio *src, unsigned long private)
{
	struct mpol_mbind_dest *dest = (void *)private;
	unsigned int order = folio_order(src);
	pgoff_t ilx = dest->ilx_base + (src->index >> order);
	int nid = numa_node_id();
	gfp_t gfp;

	if (folio_test_hugetlb(src)) {
		struct hstate *h = folio_hstate(src);
		nodemask_t *mask;

		gfp = htlb_alloc_mask(h);
		mask = mpol_nodemask(gfp, dest->pol, ilx, &nid);
		return alloc_hugetlb_folio_nodemask(h, nid, mask, gfp,
				htlb_allow_alloc_fallback(MR_MEMPOLICY_MBIND));
	}
	if (order)
		gfp = GFP_TRANSHUGE;
	else
		gfp = GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL;
	return folio_alloc_mpol(gfp, order, dest->pol, ilx, nid);
}

/* Apply @pol to every VMA of [@start, @end); the mmap lock is held. */
static int mpol_apply_range(struct mm_struct *mm, unsigned long start,
			    unsigned long end, struct mempolicy *pol)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma, *prev;
	int err = 0;

	prev = vma_prev(&vmi);
	for_each_vma_range(vmi, vma, end) {
		err = mpol_mbind_range(&vmi, vma, &prev, start, end, pol);
		if (err)
			break;
	}
	return err;
}

/*
 * Move what the new policy wants elsewhere.  The policy is in place
 * already, so a page faulted in meanwhile lands right, and the engine
 * needs the mmap lock only batch by batch.  For MPOL_DEFAULT the pages go
 * where the task's policy sends them.
 */
static void mpol_mbind_move(struct mpol_move *move, struct mempolicy *pol)
{
	struct mpol_mbind_dest dest = { .pol = pol ?: get_task_policy(current) };
	int err;

	mpol_get(dest.pol);
	move->alloc = mpol_mbind_alloc;
	move->alloc_private = (unsigned long)&dest;
	move->prepare = mpol_mbind_prepare;
	move->reason = MR_MEMPOLICY_MBIND;
	lru_cache_disable();
	err = mpol_move_range(move);
	lru_cache_enable();
	mpol_put(dest.pol);
	/* An error leaves pages behind, which MPOL_MF_STRICT reports. */
	if (err)
		move->nr_failed++;
}

/**
 * mpol_mbind - apply a memory policy to a range of the current address space
 * @start: start of the range, page aligned
 * @end: end of the range, page aligned and above @start
 * @mode: the policy mode (%MPOL_DEFAULT, %MPOL_BIND, ...)
 * @mode_flags: the mode flags (%MPOL_F_STATIC_NODES, ...)
 * @nmask: the nodes the user gave
 * @flags: %MPOL_MF_STRICT, %MPOL_MF_MOVE, %MPOL_MF_MOVE_ALL, already
 *	checked against the caller's rights
 *
 * Sets the policy of every VMA in the range.  With %MPOL_MF_MOVE the pages
 * already present that are not where the policy wants them move (only
 * those mapped by this process alone, unless %MPOL_MF_MOVE_ALL).
 * %MPOL_MF_STRICT makes it an error for a page to stay misplaced.
 *
 * Return: 0 on success; -EINVAL for a mode and nodes that do not make a
 * policy; -EFAULT if the range is not fully mapped (for the default
 * policy: if no VMA meets it); -EIO when %MPOL_MF_STRICT and some page is
 * misplaced and was not moved; -ENOMEM.
 */
long mpol_mbind(unsigned long start, unsigned long end, unsigned short mode,
		unsigned short mode_flags, nodemask_t *nmask,
		unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct mpol_move move = {
		.mm = mm,
		.nodes = nmask,
		.off_nodes = true,
	};
	struct mempolicy *new;
	long err;

	new = mpol_new(mode, mode_flags, nmask);
	if (IS_ERR(new))
		return PTR_ERR(new);
	/*
	 * The default policy has nothing to be strict about, and may be
	 * applied over holes: only a range with no VMA at all is EFAULT.
	 */
	if (!new) {
		flags &= ~MPOL_MF_STRICT;
		flags |= MPOL_MF_DISCONTIG_OK;
	}
	move.start = start;
	move.end = end;
	move.flags = flags;

	{
		NODEMASK_SCRATCH(scratch);

		err = -ENOMEM;
		if (scratch) {
			/* Under the lock that a cpuset rebind of the mm takes. */
			mmap_write_lock(mm);
			err = mpol_set_nodemask(new, nmask, scratch);
			if (err)
				mmap_write_unlock(mm);
		}
		NODEMASK_SCRATCH_FREE(scratch);
	}
	if (err)
		goto out;

	err = mpol_check_range(&move);
	if (!err)
		err = mpol_apply_range(mm, start, end, new);
	mmap_write_unlock(mm);

	if (!err && (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
		mpol_mbind_move(&move, new);
	if (!err && move.nr_failed && (flags & MPOL_MF_STRICT))
		err = -EIO;
out:
	mpol_put(new);
	return err;
}
