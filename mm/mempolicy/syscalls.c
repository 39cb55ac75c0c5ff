// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the user ABI.
 *
 * Each system call here does three things, in this order: it copies its
 * arguments in (node masks in the native or the compat layout), it checks
 * them, and it hands the work to a part of mm/mempolicy/ that never sees a
 * user pointer: policy.c for policy objects, range.c for mbind(), migrate.c
 * for migrate_pages().  get_mempolicy() runs the other way and copies a
 * report out.
 *
 * The man pages (mbind(2), set_mempolicy(2), get_mempolicy(2),
 * migrate_pages(2)) leave some details open that programs depend on: how
 * maxnode counts, which error wins when several apply, how many bytes of
 * a node mask the kernel writes.  Where this file settles such a detail,
 * its comment names the selftest or the conformance transcript
 * (tools/testing/selftests/mempolicy/) that pins it.
 */
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cpuset.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
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

/* ---- Node masks from and to user space ----------------------------------- */

/*
 * The widest node mask accepted: a page of bits.  set_mempolicy(2) lists
 * "maxnode specifies more than a page worth of bits" under EINVAL;
 * errors.c (set_mempolicy_wide_masks) passes 8 * PAGE_SIZE + 2.
 */
#define USER_MASK_MAX_BITS	(PAGE_SIZE * BITS_PER_BYTE)

/* How many bits of the mask beyond the kernel's are checked per copy. */
#define EXCESS_CHUNK_LONGS	8

/*
 * The number of bits that a user's maxnode covers.  maxnode is one more
 * than that, "the maximum node number in the bit mask plus one"
 * (migrate_pages(2)): errors.c (set_mempolicy_empty_masks) shows that
 * maxnode 1 passes no node at all.  A maxnode of 0 wraps round to a mask
 * far too wide, which is EINVAL with a non-NULL mask: the man pages say
 * that the mask is then ignored, but Linux 6.12 refuses
 * set_mempolicy(MPOL_DEFAULT, mask, 0) (conformance transcript, seed 1,
 * call 710 on 4node).
 */
static unsigned long user_mask_bits(unsigned long maxnode)
{
	return maxnode - 1;
}

/*
 * Read @nbits bits of the user bitmap @src, starting at bit @first (a
 * multiple of BITS_PER_LONG), into @dst.  A 32-bit task lays its mask out
 * as 32-bit words, and whole words are read either way: bits past @nbits
 * in the last word arrive too, for the caller to ignore.
 */
static int read_user_bits(unsigned long *dst, const unsigned long __user *src,
			  unsigned long first, unsigned long nbits)
{
	if (in_compat_syscall()) {
		const compat_ulong_t __user *csrc;

		csrc = (const compat_ulong_t __user *)src;
		csrc += first / BITS_PER_COMPAT_LONG;
		return compat_get_bitmap(dst, csrc, nbits);
	}
	if (copy_from_user(dst, src + first / BITS_PER_LONG,
			   BITS_TO_LONGS(nbits) * sizeof(unsigned long)))
		return -EFAULT;
	return 0;
}

/*
 * Bits of a user mask at and past MAX_NUMNODES name nodes that this kernel
 * cannot have.  They may be there, but must be clear: mbind(2) gives
 * EINVAL when "nodemask specifies one or more node IDs that are greater
 * than the maximum supported node ID" (errors.c, set_mempolicy_wide_masks).
 * Every bit of every word read counts, even past maxnode - 1 in the last
 * word, whatever migrate_pages(2) says of those bits: on Linux 6.12 a
 * maxnode of 70 with bit 69 set is EINVAL, with bit 70 set too, while bit
 * 64 with a maxnode of 65 is not read at all.
 */
static bool words_have_bits(const unsigned long *bits, unsigned long from,
			    unsigned long nbits)
{
	unsigned long end = round_up(nbits, BITS_PER_LONG);

	return find_next_bit(bits, end, from) < end;
}

/*
 * Check the words of the user mask from bit @first (past the kernel's
 * nodemask_t) up to @nbits, a few at a time: all of them must be clear.
 */
static int check_tail_clear(const unsigned long __user *src,
			    unsigned long first, unsigned long nbits)
{
	unsigned long chunk[EXCESS_CHUNK_LONGS];

	while (first < nbits) {
		unsigned long count = min_t(unsigned long, nbits - first,
					    EXCESS_CHUNK_LONGS * BITS_PER_LONG);
		int err = read_user_bits(chunk, src, first, count);

		if (err)
			return err;
		if (words_have_bits(chunk, 0, count))
			return -EINVAL;
		first += count;
	}
	return 0;
}

/**
 * nodes_from_user - copy a node mask argument in
 * @nodes: where to store the nodes
 * @src: the user's bitmap, or NULL
 * @maxnode: the user's maxnode argument
 *
 * A NULL mask is the empty set whatever maxnode says (Linux 6.12 takes
 * MPOL_DEFAULT with a NULL mask and a maxnode of ULONG_MAX), and so is a
 * maxnode of 1.  Of the kernel's nodes only the first maxnode - 1 bits
 * count.
 *
 * Return: 0, -EINVAL for a mask wider than a page of bits or naming a
 * node past MAX_NUMNODES, -EFAULT if it cannot be read.
 */
static int nodes_from_user(nodemask_t *nodes, const unsigned long __user *src,
			   unsigned long maxnode)
{
	/* The kernel's own bits: nodemask_t holds whole longs. */
	const unsigned long kbits = BITS_TO_LONGS(MAX_NUMNODES) * BITS_PER_LONG;
	unsigned long nbits = user_mask_bits(maxnode), head;
	int err;

	nodes_clear(*nodes);
	if (!src || !nbits)
		return 0;
	if (nbits > USER_MASK_MAX_BITS)
		return -EINVAL;	/* maxnode 0 too */

	head = min(nbits, kbits);
	err = read_user_bits(nodes_addr(*nodes), src, 0, head);
	if (err)
		return err;
	if (words_have_bits(nodes_addr(*nodes), MAX_NUMNODES, head))
		return -EINVAL;
	/* What is left past maxnode - 1 is below MAX_NUMNODES: ignored. */
	if (head < kbits)
		bitmap_clear(nodes_addr(*nodes), head, kbits - head);
	return check_tail_clear(src, head, nbits);
}

/*
 * Write @nbits bits of @bits to the user bitmap @dst, in whole words of
 * the caller's layout.
 */
static int write_user_bits(unsigned long __user *dst, const unsigned long *bits,
			   unsigned long nbits)
{
	if (in_compat_syscall())
		return compat_put_bitmap((compat_ulong_t __user *)dst,
					 (unsigned long *)bits, nbits);
	if (copy_to_user(dst, bits,
			 BITS_TO_LONGS(nbits) * sizeof(unsigned long)))
		return -EFAULT;
	return 0;
}

/**
 * nodes_to_user - copy a node mask result out
 * @dst: the user's bitmap
 * @maxnode: the user's maxnode argument
 * @nodes: the nodes to report
 *
 * The user's buffer holds maxnode - 1 bits rounded up to whole words
 * ("always rounded to a multiple of sizeof(unsigned long)*8",
 * get_mempolicy(2)).  All of it is written, the part past the kernel's
 * node ids with zeroes, but no more than a page: a larger buffer is
 * EINVAL, after *policy has been stored.  A maxnode so large that the
 * rounding wraps leaves a buffer of no bytes, which Linux 6.12 accepts.
 * The conformance transcripts pin which bytes change.
 *
 * Return: 0, -EINVAL or -EFAULT.
 */
static int nodes_to_user(unsigned long __user *dst, unsigned long maxnode,
			 const nodemask_t *nodes)
{
	unsigned int word = in_compat_syscall() ? BITS_PER_COMPAT_LONG :
						  BITS_PER_LONG;
	unsigned long ubits = ALIGN(user_mask_bits(maxnode), word);
	unsigned long kbits = min_t(unsigned long, ubits,
				    ALIGN(nr_node_ids, word));

	if (ubits > USER_MASK_MAX_BITS)
		return -EINVAL;
	if (ubits > kbits &&
	    clear_user((char __user *)dst + kbits / BITS_PER_BYTE,
		       (ubits - kbits) / BITS_PER_BYTE))
		return -EFAULT;
	return write_user_bits(dst, nodes_addr(*nodes), kbits);
}

/* ---- The mode argument --------------------------------------------------- */

/* A mode argument and its node mask, as mbind() and set_mempolicy() take them. */
struct mode_arg {
	unsigned short mode;
	unsigned short flags;	/* with the internal flags that they imply */
	nodemask_t nodes;
};

/*
 * The checks that the mode flags need on their own.  Static and relative
 * nodes exclude each other.  MPOL_F_NUMA_BALANCING goes with MPOL_BIND
 * and MPOL_PREFERRED_MANY (errors.c, set_mempolicy_bad_flags and
 * set_mempolicy_numa_balancing; set_mempolicy(2) names MPOL_BIND only),
 * and turns into MPOL_F_MOF | MPOL_F_MORON, which NUMA balancing looks
 * for (mpol_misplaced()).
 */
static int mode_flags_from_arg(unsigned int mode, unsigned int flags,
			       unsigned short *out)
{
	if ((flags & MPOL_F_STATIC_NODES) && (flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (flags & MPOL_F_NUMA_BALANCING) {
		if (mode != MPOL_BIND && mode != MPOL_PREFERRED_MANY)
			return -EINVAL;
		flags |= MPOL_F_MOF | MPOL_F_MORON;
	}
	*out = flags;
	return 0;
}

/**
 * mode_arg_from_user - take in the mode and node mask of mbind() or
 * set_mempolicy()
 * @arg: where to store them
 * @mode: the mode argument, or'ed with MPOL_F_* mode flags
 * @nmask: the user's node mask, or NULL
 * @maxnode: the user's maxnode
 *
 * Whether the mode and its flags fit the nodes is left to mpol_new().  The
 * order of the checks is what Linux 6.12 answers when several fail, found
 * by running both kernels: bad mode flags first (EINVAL even with an
 * unreadable mask), then the mask (EFAULT even for MPOL_MAX), then a mode
 * out of range.
 *
 * Return: 0 or -EINVAL, -EFAULT.
 */
static int mode_arg_from_user(struct mode_arg *arg, unsigned int mode,
			      const unsigned long __user *nmask,
			      unsigned long maxnode)
{
	unsigned int m = mode & ~MPOL_MODE_FLAGS;
	int err;

	err = mode_flags_from_arg(m, mode & MPOL_MODE_FLAGS, &arg->flags);
	if (err)
		return err;
	err = nodes_from_user(&arg->nodes, nmask, maxnode);
	if (err)
		return err;
	if (m >= MPOL_MAX)
		return -EINVAL;
	arg->mode = m;
	return 0;
}

/* ---- set_mempolicy() and mbind() ----------------------------------------- */

/*
 * Make @pol current's policy; the caller holds task_lock(current).  A new
 * policy starts its round robin afresh: the next interleaved allocation
 * goes to its first node, which get_mempolicy(MPOL_F_NODE) reports
 * (errors.c, get_mempolicy_next_interleave_node).
 */
static struct mempolicy *swap_task_policy(struct mempolicy *pol)
{
	struct mempolicy *old = current->mempolicy;

	current->mempolicy = pol;
	current->il_prev = MAX_NUMNODES - 1;
	current->il_weight = 0;
	return old;
}

/**
 * mpol_set_task_policy - replace the calling task's own memory policy
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
long mpol_set_task_policy(unsigned short mode, unsigned short flags,
			  nodemask_t *nodes)
{
	NODEMASK_SCRATCH(scratch);
	static const nodemask_t no_nodes = NODE_MASK_NONE;
	const nodemask_t *want = nodes ? nodes : &no_nodes;
	struct mempolicy *pol;
	long err;

	pol = mpol_new(mode, flags, want);
	err = PTR_ERR_OR_ZERO(pol);
	if (!err && !scratch)
		err = -ENOMEM;
	if (!err) {
		task_lock(current);
		err = mpol_set_nodemask(pol, want, scratch);
		/* Whichever policy loses is put: the old, or the new that failed. */
		if (!err)
			pol = swap_task_policy(pol);
		task_unlock(current);
	}
	if (!IS_ERR(pol))
		mpol_put(pol);
	NODEMASK_SCRATCH_FREE(scratch);
	return err;
}

/*
 * The range of mbind() and set_mempolicy_home_node(): @start must be page
 * aligned (mbind(2), EINVAL), and @len counts up to whole pages.  A range
 * that would run past the top of the address space is EINVAL; one that is
 * empty, also after rounding, asks for nothing and so succeeds (errors.c,
 * mbind_bad_ranges and home_node).
 *
 * Return: 1 with *@end set past the last page, 0 for an empty range, or
 * -EINVAL.
 */
static int user_page_range(unsigned long start, unsigned long len,
			   unsigned long *end)
{
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	if (check_add_overflow(start, PAGE_ALIGN(len), end))
		return -EINVAL;
	return *end > start;
}

/*
 * mbind(2) ERRORS: flags other than MPOL_MF_STRICT, MPOL_MF_MOVE and
 * MPOL_MF_MOVE_ALL are EINVAL, and MPOL_MF_MOVE_ALL needs CAP_SYS_NICE
 * (EPERM).  Linux 6.12 looks at them after the mode and the mask, and
 * before the range: an unprivileged MPOL_MF_MOVE_ALL over an unaligned
 * start is EPERM, and an empty range too (security.c,
 * move_all_needs_cap_sys_nice).
 */
static int mbind_flags_check(unsigned int flags)
{
	if (flags & ~MPOL_MF_VALID)
		return -EINVAL;
	if (!(flags & MPOL_MF_MOVE_ALL) || capable(CAP_SYS_NICE))
		return 0;
	return -EPERM;
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
 * The mode and the mask are taken in before @flags and the range are
 * looked at: an unreadable mask is EFAULT even with an unaligned range.
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE6(mbind, unsigned long, start, unsigned long, len,
		unsigned long, mode, const unsigned long __user *, nmask,
		unsigned long, maxnode, unsigned int, flags)
{
	unsigned long end;
	struct mode_arg arg;
	int err;

	/*
	 * The mode is an int (mbind(2)): Linux 6.12 takes MPOL_BIND with bit
	 * 32 set as MPOL_BIND.
	 */
	err = mode_arg_from_user(&arg, (unsigned int)mode, nmask, maxnode);
	if (!err)
		err = mbind_flags_check(flags);
	start = untagged_addr(start);
	if (!err)
		err = user_page_range(start, len, &end);
	if (err <= 0)
		return err;
	return mpol_mbind(start, end, arg.mode, arg.flags, &arg.nodes, flags);
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
	struct mode_arg arg;
	int err;

	err = mode_arg_from_user(&arg, mode, nmask, maxnode);
	if (err)
		return err;
	return mpol_set_task_policy(arg.mode, arg.flags, &arg.nodes);
}

/* ---- get_mempolicy() ----------------------------------------------------- */

#define GET_MEMPOLICY_FLAGS \
	(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED)

/* What get_mempolicy() hands back: the int for *policy, the nodes for nmask. */
struct mpol_report {
	int value;
	nodemask_t nodes;
};

static bool mpol_interleaves(const struct mempolicy *pol)
{
	return pol->mode == MPOL_INTERLEAVE ||
	       pol->mode == MPOL_WEIGHTED_INTERLEAVE;
}

/*
 * The node that current's next interleaved allocation outside a VMA takes:
 * the one after il_prev, unless a weighted policy still owes il_prev some
 * allocations (alloc.c keeps il_prev and il_weight that way).
 */
static int next_interleave_node(const struct mempolicy *pol)
{
	int node = current->il_prev;

	if (pol->mode == MPOL_WEIGHTED_INTERLEAVE && current->il_weight &&
	    node_isset(node, pol->nodes))
		return node;
	return next_node_in(node, pol->nodes);
}

/*
 * Describe @pol: its mode with its user-visible flags, and its nodes.  A
 * policy with a mode flag reports the nodes as the user gave them, not
 * the ones in force (MPOL_F_STATIC_NODES: nodes without memory stay in
 * it; MPOL_F_RELATIVE_NODES: positions, not node ids), so that the result
 * can be passed back to set_mempolicy() (get_mempolicy(2)).
 */
static void describe_policy(struct mpol_report *rep,
			    const struct mempolicy *pol)
{
	if (mpol_is_system_default(pol)) {
		rep->value = MPOL_DEFAULT;
		nodes_clear(rep->nodes);
		return;
	}
	rep->value = pol->mode | (pol->flags & MPOL_MODE_FLAGS);
	if (mpol_store_user_nodemask(pol))
		rep->nodes = pol->w.user_nodemask;
	else
		mpol_policy_nodemask(pol, &rep->nodes);
}

/*
 * The node of the page mapped at @addr, faulting it in as a read would
 * (get_mempolicy(2)): an anonymous page never written is the zero page.
 * The caller holds the mmap lock for reading.
 */
static int node_of_page_at(unsigned long addr)
{
	struct page *page;
	long got;
	int node;

	got = get_user_pages(addr & PAGE_MASK, 1, 0, &page);
	if (got < 0)
		return got;
	if (!got)
		return -EFAULT;
	node = page_to_nid(page);
	put_page(page);
	return node;
}

/*
 * MPOL_F_MEMS_ALLOWED: the nodes that current's cpuset allows, which mbind()
 * and set_mempolicy() without mode flags can use.
 */
static long report_mems_allowed(struct mpol_report *rep, unsigned long flags)
{
	/* get_mempolicy(2): not to be combined with the other two flags. */
	if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
		return -EINVAL;
	task_lock(current);
	rep->nodes = cpuset_current_mems_allowed;
	task_unlock(current);
	return 0;
}

/*
 * current's own policy; with MPOL_F_NODE instead its next interleave node,
 * which only an interleaving policy has (get_mempolicy(2), EINVAL; errors.c,
 * get_mempolicy_bad_arguments).  task_lock() keeps a cpuset rebind from
 * changing the nodes while they are read.
 */
static long report_task_policy(struct mpol_report *rep, unsigned long flags)
{
	struct mempolicy *pol;
	long err = 0;

	task_lock(current);
	pol = current->mempolicy;
	describe_policy(rep, pol);
	if (flags & MPOL_F_NODE) {
		if (pol && mpol_interleaves(pol))
			rep->value = next_interleave_node(pol);
		else
			err = -EINVAL;
	}
	task_unlock(current);
	return err;
}

/*
 * MPOL_F_ADDR: the policy of the mapping at @addr, or with MPOL_F_NODE the
 * node of its page.  A mapping without a policy of its own reports
 * MPOL_DEFAULT even when the task has one (vma.c, fork_copies_policies).
 */
static long report_vma_policy(struct mpol_report *rep, unsigned long addr,
			      unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct mempolicy *pol;
	pgoff_t ilx;
	long err = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma) {
		err = -EFAULT;
		goto unlock;
	}
	pol = __get_vma_policy(vma, addr, &ilx);
	describe_policy(rep, pol);
	mpol_cond_put(pol);
	if (flags & MPOL_F_NODE) {
		int node = node_of_page_at(addr);

		if (node < 0)
			err = node;
		else
			rep->value = node;
	}
unlock:
	mmap_read_unlock(mm);
	return err;
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
	struct mpol_report rep = { .value = MPOL_DEFAULT };
	long err;

	if (flags & ~GET_MEMPOLICY_FLAGS)
		return -EINVAL;
	/*
	 * get_mempolicy(2): EINVAL if "maxnode is less than the number of
	 * node IDs supported".  That is maxnode itself, not the maxnode - 1
	 * bits that are then written: with three node ids, a maxnode of 3
	 * is accepted (conformance transcript, memoryless topology).
	 */
	if (nmask && maxnode < nr_node_ids)
		return -EINVAL;
	addr = untagged_addr(addr);

	if (flags & MPOL_F_MEMS_ALLOWED)
		err = report_mems_allowed(&rep, flags);
	else if (flags & MPOL_F_ADDR)
		err = report_vma_policy(&rep, addr, flags);
	else if (addr)
		err = -EINVAL;
	else
		err = report_task_policy(&rep, flags);
	if (err)
		return err;

	if (policy && put_user(rep.value, policy))
		return -EFAULT;
	if (nmask)
		return nodes_to_user(nmask, maxnode, &rep.nodes);
	return 0;
}

/* ---- set_mempolicy_home_node() ------------------------------------------- */

/* Only these modes choose among nodes by distance, so only they have one. */
static bool mpol_takes_home_node(const struct mempolicy *pol)
{
	return pol->mode == MPOL_BIND || pol->mode == MPOL_PREFERRED_MANY;
}

/* Give @vma's part of [@start, @end) a copy of its policy with home @node. */
static int set_vma_home_node(struct vma_iterator *vmi, struct vm_area_struct *vma,
			     struct vm_area_struct **prev, unsigned long start,
			     unsigned long end, int node)
{
	struct mempolicy *homed = mpol_dup(vma_policy(vma));
	int err;

	if (IS_ERR(homed))
		return PTR_ERR(homed);
	homed->home_node = node;
	err = mpol_mbind_range(vmi, vma, prev, start, end, homed);
	mpol_put(homed);
	return err;
}

/*
 * Give every VMA policy in [@start, @end) the home node @node.  Ranges
 * without a policy are left alone (numa_memory_policy.rst: "updates the
 * home node only for the existing mempolicy range"); a range with a
 * policy of another mode stops the walk with -EOPNOTSUPP.  Return 0 if
 * some policy took the node, -ENOENT if there was none (errors.c,
 * home_node).
 */
static long set_home_node_range(unsigned long start, unsigned long end,
				int node)
{
	VMA_ITERATOR(vmi, current->mm, start);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	bool found = false;
	long err = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	vma = vma_find(&vmi, end);
	if (!vma)
		goto unlock;
	/* Starting inside a VMA, mpol_mbind_range() wants that VMA as prev. */
	prev = vma_prev(&vmi);
	if (start > vma->vm_start)
		prev = vma;

	for_each_vma_range(vmi, vma, end) {
		struct mempolicy *old = vma_policy(vma);

		if (!old) {
			prev = vma;
			continue;
		}
		/* set_mempolicy_home_node(2): EOPNOTSUPP for the other modes. */
		err = mpol_takes_home_node(old) ?
			set_vma_home_node(&vmi, vma, &prev, start, end, node) : -EOPNOTSUPP;
		if (err)
			break;
		found = true;
	}
unlock:
	mmap_write_unlock(mm);
	if (!err && !found)
		err = -ENOENT;
	return err;
}

/**
 * sys_set_mempolicy_home_node - set the home node of the policies of a range
 * @start: page aligned start of the range
 * @len: length of the range, rounded up to whole pages
 * @home_node: the node to prefer, which must be online
 * @flags: must be 0
 *
 * Only MPOL_BIND and MPOL_PREFERRED_MANY policies have a home node.  A
 * memoryless node is online and will do (errors.c, home_node).
 *
 * Return: 0 or a negative errno.
 */
SYSCALL_DEFINE4(set_mempolicy_home_node, unsigned long, start,
		unsigned long, len, unsigned long, home_node,
		unsigned long, flags)
{
	unsigned long end;
	int err;

	/* Every bad argument is EINVAL, so their order does not show. */
	if (flags || home_node >= MAX_NUMNODES || !node_online(home_node))
		return -EINVAL;
	start = untagged_addr(start);
	err = user_page_range(start, len, &end);
	if (err <= 0)
		return err;
	return set_home_node_range(start, end, home_node);
}

/* ---- migrate_pages() ----------------------------------------------------- */

/* The node masks of one migrate_pages() call. */
struct migrate_masks {
	nodemask_t from;
	nodemask_t to;
};

/**
 * mpol_get_task - the task that a migration call names
 * @pid: the process ID, in the caller's PID namespace; 0 for the caller
 *
 * Return: the task with a reference taken, or ERR_PTR(-ESRCH).
 */
struct task_struct *mpol_get_task(pid_t pid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid ? find_task_by_vpid(pid) : current;
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task ? task : ERR_PTR(-ESRCH);
}

/**
 * mpol_task_mm - the address space of a task that passed the caller's checks
 * @task: the task, referenced by the caller
 * @err: the result of those checks: 0, or the errno to pass on
 *
 * Return: @task's mm with a reference taken, ERR_PTR(@err) when a check
 * failed, or ERR_PTR(-EINVAL) when @task has no mm (a kernel thread, or
 * a task exiting): migrate_pages(2) gives EINVAL then too.
 */
struct mm_struct *mpol_task_mm(struct task_struct *task, int err)
{
	struct mm_struct *mm;

	if (err)
		return ERR_PTR(err);
	mm = get_task_mm(task);
	return mm ? mm : ERR_PTR(-EINVAL);
}

/*
 * May current move @task's memory to @to?  migrate_pages(2): another
 * process's memory needs the rights of ptrace read access; nodes outside
 * @task's cpuset need CAP_SYS_NICE (EPERM, checked before the nodes' memory:
 * errors.c, migrate_pages_permissions).  @to is then narrowed to the
 * nodes with memory that current's cpuset allows, and must keep one
 * (EINVAL; errors.c, migrate_pages_bad_arguments).
 */
static int may_migrate_task(struct task_struct *task, nodemask_t *to)
{
	nodemask_t allowed;

	if (!ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS))
		return -EPERM;
	allowed = cpuset_mems_allowed(task);
	if (!nodes_subset(*to, allowed) && !capable(CAP_SYS_NICE))
		return -EPERM;

	allowed = cpuset_mems_allowed(current);
	nodes_and(*to, *to, allowed);
	nodes_and(*to, *to, node_states[N_MEMORY]);
	if (nodes_empty(*to))
		return -EINVAL;
	return security_task_movememory(task);
}

/* The checks on the target task, then the move itself (migrate.c). */
static long migrate_task_memory(pid_t pid, struct migrate_masks *masks)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int err;

	task = mpol_get_task(pid);
	if (IS_ERR(task))
		return PTR_ERR(task);
	mm = mpol_task_mm(task, may_migrate_task(task, &masks->to));
	put_task_struct(task);
	if (IS_ERR(mm))
		return PTR_ERR(mm);

	/* Pages that other processes map too move only with CAP_SYS_NICE. */
	err = do_migrate_pages(mm, &masks->from, &masks->to,
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
	NODEMASK_ALLOC(struct migrate_masks, masks, GFP_KERNEL);
	long err;

	if (!masks)
		return -ENOMEM;
	err = nodes_from_user(&masks->from, old_nodes, maxnode);
	if (!err)
		err = nodes_from_user(&masks->to, new_nodes, maxnode);
	if (!err)
		err = migrate_task_memory(pid, masks);
	NODEMASK_FREE(masks);
	return err;
}
