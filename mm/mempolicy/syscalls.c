// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the user ABI.  Node masks cross between user space
 * and the kernel here, the mode and flag arguments are checked here, and
 * the work itself is left to policy.c, range.c and migrate.c.  The return
 * value of each call, and which error wins when several apply, are part
 * of the ABI, so the checks below run in the order Linux 6.12 runs them.
 */

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cpuset.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/nodemask.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "policy.h"

/*
 * Read the first @nbits bits (at least one) of a user bitmap into @dst.
 * A 32-bit caller lays the bitmap out in 32-bit words, so it goes through
 * compat_get_bitmap().  Bits beyond @nbits in the last word are not part
 * of the request and are cleared.
 */
static int fetch_user_bits(unsigned long *dst, const unsigned long __user *src,
			   unsigned long nbits)
{
	unsigned long words = BITS_TO_LONGS(nbits);
	unsigned long missed;

	if (in_compat_syscall())
		missed = compat_get_bitmap(dst,
					   (const compat_ulong_t __user *)src,
					   nbits);
	else
		missed = copy_from_user(dst, src, words * sizeof(*dst));
	if (missed)
		return -EFAULT;

	dst[words - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	return 0;
}

/*
 * A user mask may be longer than MAX_NUMNODES bits provided that no node
 * we cannot have is set.  The excess is inspected one word at a time from
 * the top down, stopping at the first fault or set bit, so the errno for
 * a mask that both faults and has stray bits depends on which word comes
 * first in that order; the topmost word is examined in full even where it
 * runs past @nbits, and the word holding node MAX_NUMNODES only from that
 * node up.  All of this matches 6.12 so that callers see the same errors.
 */
static int check_excess_nodes(const unsigned long __user *nmask,
			      unsigned long nbits)
{
	unsigned long top;

	for (top = nbits; top > MAX_NUMNODES; top -= BITS_PER_LONG) {
		bool last = top < MAX_NUMNODES + BITS_PER_LONG;
		unsigned long word;
		int err;

		err = fetch_user_bits(&word, nmask + (top - 1) / BITS_PER_LONG,
				      min_t(unsigned long, top, BITS_PER_LONG));
		if (err)
			return err;
		if (last)
			word &= BITMAP_FIRST_WORD_MASK(MAX_NUMNODES);
		if (word)
			return -EINVAL;
		if (last)
			break;
	}
	return 0;
}

/*
 * Copy in the node mask argument of mbind(), set_mempolicy() and
 * migrate_pages().  By a historical quirk of the ABI @maxnode is one more
 * than the number of bits supplied: 1 (or no mask at all) means no nodes,
 * while 0 with a mask wraps around and is refused as too long.
 */
static int get_user_nodes(nodemask_t *nodes, const unsigned long __user *nmask,
			  unsigned long maxnode)
{
	unsigned long nbits = maxnode - 1;
	int err;

	nodes_clear(*nodes);
	if (!nmask || !nbits)
		return 0;
	if (nbits > PAGE_SIZE * BITS_PER_BYTE)
		return -EINVAL;

	err = check_excess_nodes(nmask, nbits);
	if (err)
		return err;

	return fetch_user_bits(nodes_addr(*nodes), nmask,
			       min_t(unsigned long, nbits, MAX_NUMNODES));
}

/*
 * Copy a node mask out to the get_mempolicy() caller, whose buffer holds
 * @maxnode - 1 bits rounded up to whole 64-bit words (the caller made sure
 * that covers nr_node_ids).  Whatever of the buffer lies beyond the nodes
 * that can exist is zeroed, but a buffer claiming more than a page is
 * refused.  The size is worked out with the same wrapping arithmetic as
 * 6.12, so absurd values of @maxnode get the same answer too.
 */
static int put_user_nodes(unsigned long __user *mask, unsigned long maxnode,
			  nodemask_t *nodes)
{
	unsigned long want = ALIGN(maxnode - 1, 64) / BITS_PER_BYTE;
	bool compat = in_compat_syscall();
	unsigned long have;

	if (compat)
		have = BITS_TO_COMPAT_LONGS(nr_node_ids) * sizeof(compat_ulong_t);
	else
		have = BITS_TO_LONGS(nr_node_ids) * sizeof(unsigned long);

	if (want > have) {
		if (want > PAGE_SIZE)
			return -EINVAL;
		if (clear_user((char __user *)mask + have, want - have))
			return -EFAULT;
		want = have;
		maxnode = nr_node_ids;
	}

	if (compat)
		return compat_put_bitmap((compat_ulong_t __user *)mask,
					 nodes_addr(*nodes), maxnode);

	return copy_to_user(mask, nodes_addr(*nodes), want) ? -EFAULT : 0;
}

/*
 * Split the mode argument of mbind() and set_mempolicy() into the mode and
 * its optional flags and check that they go together.  Asking for NUMA
 * balancing also turns on the internal flags that make faults migrate.
 */
static int parse_mode_arg(int arg, unsigned short *mode, unsigned short *flags)
{
	unsigned int m = arg & ~MPOL_MODE_FLAGS;
	unsigned short f = arg & MPOL_MODE_FLAGS;

	if (m >= MPOL_MAX)
		return -EINVAL;
	if ((f & MPOL_F_STATIC_NODES) && (f & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (f & MPOL_F_NUMA_BALANCING) {
		if (m != MPOL_BIND && m != MPOL_PREFERRED_MANY)
			return -EINVAL;
		f |= MPOL_F_MOF | MPOL_F_MORON;
	}

	*mode = m;
	*flags = f;
	return 0;
}

/**
 * do_set_mempolicy - replace the calling task's own memory policy
 * @mode: the policy mode, MPOL_DEFAULT to fall back to the system default
 * @flags: the mode flags, already checked
 * @nodes: the nodes the user asked for, or NULL when there are none
 *
 * The nodes are translated into the task's cpuset under task_lock(), the
 * lock a cpuset rebind of the task policy takes, so a concurrent rebind
 * sees either the old policy or the fully set up new one.
 *
 * Return: 0, -EINVAL if the mode and nodes do not make a valid policy or
 * no usable node is left, or -ENOMEM.
 */
long do_set_mempolicy(unsigned short mode, unsigned short flags,
		      nodemask_t *nodes)
{
	NODEMASK_SCRATCH(scratch);
	struct mempolicy *pol, *old;
	long err;

	if (!scratch)
		return -ENOMEM;

	pol = mpol_new(mode, flags, nodes);
	if (IS_ERR(pol)) {
		err = PTR_ERR(pol);
		goto out;
	}

	task_lock(current);
	err = mpol_set_nodemask(pol, nodes, scratch);
	if (err) {
		task_unlock(current);
		mpol_put(pol);
		goto out;
	}
	old = current->mempolicy;
	current->mempolicy = pol;
	/* A new interleave starts over with the first node of its set. */
	if (pol && (pol->mode == MPOL_INTERLEAVE ||
		    pol->mode == MPOL_WEIGHTED_INTERLEAVE)) {
		current->il_prev = MAX_NUMNODES - 1;
		current->il_weight = 0;
	}
	task_unlock(current);
	mpol_put(old);
out:
	NODEMASK_SCRATCH_FREE(scratch);
	return err;
}

/*
 * The node the page at @addr lives on, faulting it in if need be, or a
 * negative errno.  Called without the mmap lock, which GUP may take.
 */
static int user_page_node(unsigned long addr)
{
	struct page *page;
	int ret;

	ret = get_user_pages_fast(addr & PAGE_MASK, 1, 0, &page);
	if (ret <= 0)
		return ret;

	ret = folio_nid(page_folio(page));
	put_page(page);
	return ret;
}

/*
 * The node the next interleaved allocation of current will come from:
 * the node in use while a weighted round on it is unfinished, otherwise
 * the one after the previous.  task_lock() keeps a cpuset rebind from
 * changing the node set under us.
 */
static int next_interleave_node(const struct mempolicy *pol)
{
	int nid;

	task_lock(current);
	if (pol->mode == MPOL_WEIGHTED_INTERLEAVE && current->il_weight)
		nid = current->il_prev;
	else
		nid = next_node_in(current->il_prev, pol->nodes);
	task_unlock(current);
	return nid;
}

/*
 * get_mempolicy() less the copying out: fill in *@result (a mode with its
 * user-visible flags, or a node id for MPOL_F_NODE) and *@nodes.
 */
static long query_policy(int *result, nodemask_t *nodes, unsigned long addr,
			 unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct mempolicy *pol, *pinned = NULL;
	bool mmap_locked = false;
	long err = 0;
	int nid;

	if (flags & ~(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR |
				     MPOL_F_MEMS_ALLOWED))
		return -EINVAL;

	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		*result = 0;
		task_lock(current);
		*nodes = cpuset_current_mems_allowed;
		task_unlock(current);
		return 0;
	}

	if (flags & MPOL_F_ADDR) {
		struct vm_area_struct *vma;
		pgoff_t ilx;

		mmap_read_lock(mm);
		vma = vma_lookup(mm, addr);
		if (!vma) {
			mmap_read_unlock(mm);
			return -EFAULT;
		}
		mmap_locked = true;
		/*
		 * Only the VMA's (or the shared object's) own policy counts:
		 * without one the answer is MPOL_DEFAULT, not the task's.
		 */
		pol = __get_vma_policy(vma, addr, &ilx);
	} else {
		if (addr)
			return -EINVAL;
		pol = current->mempolicy;
	}

	if (!pol)
		pol = &default_policy;

	if (!(flags & MPOL_F_NODE)) {
		*result = pol == &default_policy ? MPOL_DEFAULT : pol->mode;
		/* Internal flags such as MPOL_F_MOF are none of user's business. */
		*result |= pol->flags & MPOL_MODE_FLAGS;
	} else if (flags & MPOL_F_ADDR) {
		/*
		 * Faulting the page in needs the mmap lock dropped, and with
		 * it goes our hold on the VMA: keep the policy alive by hand.
		 */
		mpol_get(pol);
		pinned = pol;
		mmap_read_unlock(mm);
		mmap_locked = false;
		nid = user_page_node(addr);
		if (nid < 0) {
			err = nid;
			goto out;
		}
		*result = nid;
	} else if (pol == current->mempolicy &&
		   (pol->mode == MPOL_INTERLEAVE ||
		    pol->mode == MPOL_WEIGHTED_INTERLEAVE)) {
		*result = next_interleave_node(pol);
	} else {
		err = -EINVAL;
		goto out;
	}

	if (mpol_store_user_nodemask(pol)) {
		*nodes = pol->w.user_nodemask;
	} else {
		task_lock(current);
		mpol_policy_nodemask(pol, nodes);
		task_unlock(current);
	}

out:
	mpol_cond_put(pol);
	if (mmap_locked)
		mmap_read_unlock(mm);
	if (pinned)
		mpol_put(pinned);
	return err;
}

/**
 * sys_mbind - set the memory policy of a range of the address space
 * @start: page aligned start of the range
 * @len: length of the range, rounded up to whole pages
 * @mode: policy mode, or'ed with MPOL_F_* mode flags
 * @nmask: user bitmap of nodes, may be NULL
 * @maxnode: one more than the number of bits in @nmask
 * @flags: MPOL_MF_STRICT, MPOL_MF_MOVE and MPOL_MF_MOVE_ALL
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE6(mbind, unsigned long, start, unsigned long, len,
		unsigned long, mode, const unsigned long __user *, nmask,
		unsigned long, maxnode, unsigned int, flags)
{
	unsigned short pol_mode, pol_flags;
	nodemask_t nodes;
	int err;

	start = untagged_addr(start);
	/* The mode travels as an int everywhere else: only its low half counts. */
	err = parse_mode_arg((int)mode, &pol_mode, &pol_flags);
	if (err)
		return err;

	err = get_user_nodes(&nodes, nmask, maxnode);
	if (err)
		return err;

	return do_mbind(start, len, pol_mode, pol_flags, &nodes, flags);
}

/**
 * sys_set_mempolicy - set the memory policy of the calling thread
 * @mode: policy mode, or'ed with MPOL_F_* mode flags
 * @nmask: user bitmap of nodes, may be NULL
 * @maxnode: one more than the number of bits in @nmask
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE3(set_mempolicy, int, mode, const unsigned long __user *, nmask,
		unsigned long, maxnode)
{
	unsigned short pol_mode, pol_flags;
	nodemask_t nodes;
	int err;

	err = parse_mode_arg(mode, &pol_mode, &pol_flags);
	if (err)
		return err;

	err = get_user_nodes(&nodes, nmask, maxnode);
	if (err)
		return err;

	return do_set_mempolicy(pol_mode, pol_flags, &nodes);
}

/**
 * sys_get_mempolicy - report a memory policy or where memory is
 * @policy: where to store the mode and its flags, or a node id; may be NULL
 * @nmask: where to store a node bitmap, may be NULL
 * @maxnode: one more than the number of bits @nmask has room for
 * @addr: the address to look at with MPOL_F_ADDR, else 0
 * @flags: MPOL_F_NODE, MPOL_F_ADDR or MPOL_F_MEMS_ALLOWED
 *
 * Without flags, reports the calling thread's policy; with MPOL_F_ADDR,
 * the policy of the mapping at @addr; with MPOL_F_MEMS_ALLOWED, the nodes
 * of the caller's cpuset.  MPOL_F_NODE asks instead for the node of the
 * page at @addr, or without MPOL_F_ADDR for the next node of the thread's
 * interleave policy.
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE5(get_mempolicy, int __user *, policy,
		unsigned long __user *, nmask, unsigned long, maxnode,
		unsigned long, addr, unsigned long, flags)
{
	nodemask_t nodes;
	int result;
	long err;

	if (nmask && maxnode < nr_node_ids)
		return -EINVAL;

	addr = untagged_addr(addr);
	err = query_policy(&result, &nodes, addr, flags);
	if (err)
		return err;

	if (policy && put_user(result, policy))
		return -EFAULT;

	if (nmask)
		return put_user_nodes(nmask, maxnode, &nodes);
	return 0;
}

/*
 * Give every VMA policy in [@start, @end) the home node @home_node, with
 * @vmi positioned at the start of the walk.  A VMA whose policy has no use
 * for a home node stops the walk with -EOPNOTSUPP, leaving those before it
 * updated; when no VMA in the range has a policy at all, -ENOENT.
 */
static long set_home_node_range(struct vma_iterator *vmi, unsigned long start,
				unsigned long end, int home_node)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	long err = -ENOENT;

	mmap_write_lock(mm);
	prev = vma_prev(vmi);
	for_each_vma_range(*vmi, vma, end) {
		struct mempolicy *cur = vma_policy(vma);
		struct mempolicy *pol;

		if (!cur) {
			prev = vma;
			continue;
		}
		if (cur->mode != MPOL_BIND && cur->mode != MPOL_PREFERRED_MANY) {
			err = -EOPNOTSUPP;
			break;
		}

		/* Policies are shared between VMAs: change a copy. */
		pol = mpol_dup(cur);
		if (IS_ERR(pol)) {
			err = PTR_ERR(pol);
			break;
		}
		vma_start_write(vma);
		pol->home_node = home_node;
		err = mbind_range(vmi, vma, &prev, start, end, pol);
		mpol_put(pol);
		if (err)
			break;
	}
	mmap_write_unlock(mm);
	return err;
}

/**
 * sys_set_mempolicy_home_node - set the home node of the policies of a range
 * @start: page aligned start of the range
 * @len: length of the range, rounded up to whole pages
 * @home_node: the node to prefer, which must be online
 * @flags: must be 0
 *
 * Only MPOL_BIND and MPOL_PREFERRED_MANY policies have a home node.
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE4(set_mempolicy_home_node, unsigned long, start,
		unsigned long, len, unsigned long, home_node,
		unsigned long, flags)
{
	/*
	 * 6.12 positions the walk at @start as passed, before the tag is
	 * stripped; doing the same keeps tagged addresses answering alike.
	 */
	VMA_ITERATOR(vmi, current->mm, start);
	unsigned long end;

	start = untagged_addr(start);
	if (offset_in_page(start))
		return -EINVAL;
	if (flags)
		return -EINVAL;
	/* An offline node may not even have its NODE_DATA set up. */
	if (home_node >= MAX_NUMNODES || !node_online(home_node))
		return -EINVAL;

	end = start + PAGE_ALIGN(len);
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	return set_home_node_range(&vmi, start, end, home_node);
}

/*
 * Look up the target of migrate_pages() (0 is the caller) and check that
 * the caller may look into it.  Returns it with a reference held.
 */
static struct task_struct *get_migrate_target(pid_t pid)
{
	struct task_struct *task;
	bool allowed;

	rcu_read_lock();
	task = pid ? find_task_by_vpid(pid) : current;
	if (!task) {
		rcu_read_unlock();
		return ERR_PTR(-ESRCH);
	}
	get_task_struct(task);
	allowed = ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS);
	rcu_read_unlock();

	if (!allowed) {
		put_task_struct(task);
		return ERR_PTR(-EPERM);
	}
	return task;
}

/*
 * Whether the caller may move @task's memory to @to, which is narrowed
 * down to the nodes of the caller's own cpuset.
 */
static int may_migrate_to(struct task_struct *task, nodemask_t *to)
{
	nodemask_t allowed;

	/* Nodes outside the target's cpuset take CAP_SYS_NICE. */
	allowed = cpuset_mems_allowed(task);
	if (!nodes_subset(*to, allowed) && !capable(CAP_SYS_NICE))
		return -EPERM;

	allowed = cpuset_mems_allowed(current);
	nodes_and(*to, *to, allowed);
	if (nodes_empty(*to))
		return -EINVAL;

	return security_task_movememory(task);
}

/*
 * migrate_pages() with the two masks' storage provided by the caller.
 * Returns what do_migrate_pages() returns: the number of pages that could
 * not be moved, or a negative errno.
 */
static long move_task_pages(pid_t pid, unsigned long maxnode,
			    const unsigned long __user *old_nodes,
			    const unsigned long __user *new_nodes,
			    nodemask_t *from, nodemask_t *to)
{
	struct task_struct *task;
	struct mm_struct *mm;
	long err;

	err = get_user_nodes(from, old_nodes, maxnode);
	if (err)
		return err;
	err = get_user_nodes(to, new_nodes, maxnode);
	if (err)
		return err;

	task = get_migrate_target(pid);
	if (IS_ERR(task))
		return PTR_ERR(task);

	err = may_migrate_to(task, to);
	if (err) {
		put_task_struct(task);
		return err;
	}

	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -EINVAL;

	err = do_migrate_pages(mm, from, to,
			       capable(CAP_SYS_NICE) ? MPOL_MF_MOVE_ALL :
						       MPOL_MF_MOVE);
	mmput(mm);
	return err;
}

/**
 * sys_migrate_pages - move a process's pages from some nodes to others
 * @pid: the process, 0 for the caller
 * @maxnode: one more than the number of bits in each node mask
 * @old_nodes: user bitmap of the nodes to move pages from
 * @new_nodes: user bitmap of the nodes to move them to
 *
 * Return: the number of pages that could not be moved, or a negative
 * errno.
 */
SYSCALL_DEFINE4(migrate_pages, pid_t, pid, unsigned long, maxnode,
		const unsigned long __user *, old_nodes,
		const unsigned long __user *, new_nodes)
{
	NODEMASK_SCRATCH(scratch);
	long ret;

	if (!scratch)
		return -ENOMEM;

	ret = move_task_pages(pid, maxnode, old_nodes, new_nodes,
			      &scratch->mask1, &scratch->mask2);
	NODEMASK_SCRATCH_FREE(scratch);
	return ret;
}
