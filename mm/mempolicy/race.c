// SPDX-License-Identifier: GPL-2.0
/*
 * Race points for test modules.
 *
 * Some of the guarantees of NUMA policy concern two tasks racing: a fork
 * made while the cpuset's nodes are being rebound must not leave the child
 * with the old nodes.  A selftest can only hit such a window by luck, and a
 * test that passes by luck passes too when the defence is gone.  So the
 * code names the places where the window opens (enum mpol_race_point) and
 * calls mpol_race_point() there; a test module registers one hook, which
 * may sleep at those places until the other task has come where the race
 * needs it.
 *
 * The hook is called under SRCU rather than RCU because it sleeps, and
 * unregistering waits for every call to return, so that the module that
 * owns the hook can go away right after.  While no hook is registered, a
 * race point costs the static branch of mpol_race_enabled.
 */
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/srcu.h>

#include "race.h"

DEFINE_STATIC_KEY_FALSE(mpol_race_enabled);
DEFINE_STATIC_SRCU(mpol_race_srcu);

/* Serialises registering and unregistering. */
static DEFINE_MUTEX(mpol_race_mutex);

/* The registered hook, or NULL; callers read it under mpol_race_srcu. */
static void (__rcu *mpol_race_hook)(enum mpol_race_point point,
				    const void *arg);

/**
 * __mpol_race_point - call the registered race hook, if any
 * @point: the race point reached
 * @arg: what the point passes to the hook
 *
 * Called by mpol_race_point() once the static branch says that a hook may
 * be registered; the hook may have gone meanwhile, hence the check.
 */
void __mpol_race_point(enum mpol_race_point point, const void *arg)
{
	void (*hook)(enum mpol_race_point point, const void *arg);
	int idx;

	idx = srcu_read_lock(&mpol_race_srcu);
	hook = srcu_dereference(mpol_race_hook, &mpol_race_srcu);
	if (hook)
		hook(point, arg);
	srcu_read_unlock(&mpol_race_srcu, idx);
}

/**
 * mpol_race_hook_register - have a function called at every race point
 * @hook: the function; it gets the race point and the point's argument
 *	(see enum mpol_race_point), in process context with no spinlock
 *	held, and may sleep
 *
 * For test modules that force a race, such as the mempolicy selftests'
 * mempolicy_probe.  Only one hook can be registered at a time.  The hook
 * is called from every task that reaches a race point, so it must pick out
 * the tasks it is interested in itself and return at once for the others;
 * and it must not sleep without a timeout, or a lost wake-up hangs the
 * kernel's rebinds and forks.
 *
 * Context: process context; takes a mutex.
 * Return: 0, or -EBUSY if a hook is registered already.
 */
int mpol_race_hook_register(void (*hook)(enum mpol_race_point point,
					 const void *arg))
{
	int ret = 0;

	mutex_lock(&mpol_race_mutex);
	if (rcu_access_pointer(mpol_race_hook)) {
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(mpol_race_hook, hook);
		static_branch_enable(&mpol_race_enabled);
	}
	mutex_unlock(&mpol_race_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(mpol_race_hook_register);

/**
 * mpol_race_hook_unregister - stop calling the race hook
 *
 * Removes the registered hook, if any, and waits until every call of it
 * has returned; the hook's module may be unloaded afterwards.  A hook that
 * is sleeping should be woken first, or this waits as long as it sleeps.
 *
 * Context: process context; sleeps.
 */
void mpol_race_hook_unregister(void)
{
	mutex_lock(&mpol_race_mutex);
	static_branch_disable(&mpol_race_enabled);
	RCU_INIT_POINTER(mpol_race_hook, NULL);
	mutex_unlock(&mpol_race_mutex);
	synchronize_srcu(&mpol_race_srcu);
}
EXPORT_SYMBOL_GPL(mpol_race_hook_unregister);
