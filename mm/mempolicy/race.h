/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Race points: places in mm/mempolicy/ where a test module can hold a task,
 * so that a selftest forces an interleaving of two tasks that would
 * otherwise be a matter of luck.  The kernel calls mpol_race_point() at each
 * of them; it costs a static branch until a test module registers a hook.
 */
#ifndef _MM_MEMPOLICY_RACE_H
#define _MM_MEMPOLICY_RACE_H

#include <linux/jump_label.h>
#include <linux/kernel.h>

/**
 * enum mpol_race_point - where a race hook is called
 * @MPOL_RACE_REBIND_MM: at the entry of mpol_rebind_mm(), before the mmap
 *	lock is taken; @arg is the mm.  A cpuset rebind calls it once per
 *	task of the cpuset, so a hook that sleeps here holds the rebind walk
 *	between two tasks.
 * @MPOL_RACE_DUP_REBINDING: in __mpol_dup() when the current task's cpuset
 *	is being rebound, after the copy has been rebound to the cpuset's new
 *	nodes; @arg is the copy.  A fork of a task in the cpuset comes here
 *	before the child is linked into the cpuset.
 * @MPOL_RACE_MIGRATE_ALLOC: before page_migrate() tries to allocate a
 *	page's new home on a node; @arg is a struct mpol_race_alloc, whose
 *	@fail the hook may set to make that attempt fail as if the node were
 *	full.  Tests of the nearest-node fallback and of -ENOMEM use it.
 * @MPOL_RACE_MIGRATE_CHECKED: in page_migrate(), after the new nodes have
 *	been checked against the target's cpuset and before its mmap lock is
 *	taken to move its policies; @arg is the target task.  A hook that
 *	sleeps here lets a test change the cpuset in between.
 * @MPOL_RACE_MIGRATE_LOCKED: in page_migrate(), under the target's mmap
 *	write lock, after the second cpuset check and the VMA policies'
 *	move, before the threads' own policies move; @arg is the target
 *	task.  A hook that sleeps here lets a cpuset change rebind the
 *	threads first, as it may between those two steps.
 * @MPOL_RACE_NR_POINTS: the number of race points; new points go before it.
 *
 * The hook runs in process context with no spinlock held, and may sleep.
 */
enum mpol_race_point {
	MPOL_RACE_REBIND_MM,
	MPOL_RACE_DUP_REBINDING,
	MPOL_RACE_MIGRATE_ALLOC,
	MPOL_RACE_MIGRATE_CHECKED,
	MPOL_RACE_MIGRATE_LOCKED,
	MPOL_RACE_NR_POINTS,
};

/**
 * struct mpol_race_alloc - an allocation attempt at %MPOL_RACE_MIGRATE_ALLOC
 * @nid: the node that the attempt is for
 * @fail: set by the hook to fail the attempt; false on entry
 *
 * The point passes a pointer to this as its const void * @arg; a hook
 * that fails attempts casts the const away.
 */
struct mpol_race_alloc {
	int nid;
	bool fail;
};

int mpol_race_hook_register(void (*hook)(enum mpol_race_point point,
					 const void *arg));
void mpol_race_hook_unregister(void);

DECLARE_STATIC_KEY_FALSE(mpol_race_enabled);
void __mpol_race_point(enum mpol_race_point point, const void *arg);

/**
 * mpol_race_point - let a registered race hook run here
 * @point: which race point this is
 * @arg: what the point passes to the hook, see enum mpol_race_point
 *
 * The caller must be able to sleep: the hook may wait for another task.
 * might_sleep() says so even while no hook is registered.
 */
static inline void mpol_race_point(enum mpol_race_point point,
				   const void *arg)
{
	might_sleep();
	if (static_branch_unlikely(&mpol_race_enabled))
		__mpol_race_point(point, arg);
}

#endif /* _MM_MEMPOLICY_RACE_H */
