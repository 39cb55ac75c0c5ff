// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the node weights of MPOL_WEIGHTED_INTERLEAVE, and
 * /sys/kernel/mm/mempolicy/weighted_interleave/nodeN through which the
 * administrator sets them.
 */

#define pr_fmt(fmt) "mempolicy: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "policy.h"
#include "weighted.h"

/*
 * One byte per node id (nr_node_ids of them), written only from sysfs.  A
 * missing table or a zero byte means the node has the default weight.
 * Readers may run in any context, so the table is replaced, never changed
 * in place, and the old copy freed after a grace period.
 */
static u8 __rcu *wi_weights;

/* Serialises writers, so that no update is lost between copy and publish. */
static DEFINE_MUTEX(wi_weights_mutex);

#define WI_DEFAULT_WEIGHT	1

static inline u8 wi_weight_of(const u8 *table, int node)
{
	u8 w = table ? table[node] : 0;

	return w ? w : WI_DEFAULT_WEIGHT;
}

/**
 * get_il_weight - the weighted interleave weight of a node
 * @node: node id, below nr_node_ids
 *
 * Context: any; takes only the RCU read lock.
 * Return: the weight set through sysfs, or the default weight (1) when the
 * node has none.
 */
u8 get_il_weight(int node)
{
	u8 w;

	rcu_read_lock();
	w = wi_weight_of(rcu_dereference(wi_weights), node);
	rcu_read_unlock();
	return w;
}

/**
 * il_weights_fill - read the weights of a set of nodes consistently
 * @nodes: the nodes whose weights are wanted
 * @weights: array indexed by node id, at least nr_node_ids long; only the
 *	entries of @nodes are written
 *
 * Context: any; takes only the RCU read lock.
 * Return: the sum of the weights stored, 0 if @nodes is empty.
 */
unsigned int il_weights_fill(const nodemask_t *nodes, u8 *weights)
{
	unsigned int sum = 0;
	const u8 *table;
	int nid;

	rcu_read_lock();
	table = rcu_dereference(wi_weights);
	for_each_node_mask(nid, *nodes) {
		weights[nid] = wi_weight_of(table, nid);
		sum += weights[nid];
	}
	rcu_read_unlock();
	return sum;
}

/**
 * il_weighted_pick - the node at a position of a weighted interleave cycle
 * @nodes: the interleave nodes, not empty
 * @pos: position, taken modulo the cycle length (the sum of the weights)
 *
 * A cycle visits the nodes of @nodes in ascending order, each as many
 * times in a row as its weight, so every task maps the same position to
 * the same node as long as the weights stay the same.
 *
 * Context: any; takes only the RCU read lock.
 * Return: the node id.
 */
int il_weighted_pick(const nodemask_t *nodes, unsigned long pos)
{
	unsigned int cycle = 0;
	int nid, found = first_node(*nodes);
	const u8 *table;
	u8 w;

	rcu_read_lock();
	table = rcu_dereference(wi_weights);
	for_each_node_mask(nid, *nodes)
		cycle += wi_weight_of(table, nid);
	if (cycle) {
		pos %= cycle;
		for_each_node_mask(nid, *nodes) {
			w = wi_weight_of(table, nid);
			if (pos < w) {
				found = nid;
				break;
			}
			pos -= w;
		}
	}
	rcu_read_unlock();
	return found;
}

#ifdef CONFIG_SYSFS
/* The file of one possible node in weighted_interleave/. */
struct wi_node_file {
	struct kobj_attribute kattr;
	int nid;
	char name[16];		/* "node" and the id */
};

static ssize_t wi_node_show(struct kobject *kobj,
			    struct kobj_attribute *kattr, char *buf)
{
	struct wi_node_file *f = container_of(kattr, struct wi_node_file,
					      kattr);

	return sysfs_emit(buf, "%d\n", get_il_weight(f->nid));
}

/*
 * 1..255 set the weight; 0 or an empty write gives the node back its
 * default weight.  Anything kstrtou8() refuses, out of range values
 * included, is -EINVAL.
 */
static ssize_t wi_node_store(struct kobject *kobj,
			     struct kobj_attribute *kattr,
			     const char *buf, size_t count)
{
	struct wi_node_file *f = container_of(kattr, struct wi_node_file,
					      kattr);
	u8 *fresh, *stale;
	u8 w = 0;

	if (count && !sysfs_streq(buf, "") && kstrtou8(buf, 0, &w))
		return -EINVAL;

	fresh = kzalloc(nr_node_ids, GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;

	mutex_lock(&wi_weights_mutex);
	stale = rcu_dereference_protected(wi_weights,
					  lockdep_is_held(&wi_weights_mutex));
	if (stale)
		memcpy(fresh, stale, nr_node_ids);
	fresh[f->nid] = w;
	rcu_assign_pointer(wi_weights, fresh);
	mutex_unlock(&wi_weights_mutex);

	/* Readers of the old table are in RCU read sections: wait them out. */
	synchronize_rcu();
	kfree(stale);
	return count;
}

/*
 * The files live as long as the kernel: one array holds them all, indexed
 * by node id, and a NULL-terminated list of the possible nodes' entries
 * makes them one attribute group, created and (on failure) removed as one.
 */
static struct wi_node_file *wi_files;
static struct attribute **wi_file_list;
static struct attribute_group wi_group;

static int __init wi_prepare_files(void)
{
	int nid, n = 0;

	wi_files = kcalloc(nr_node_ids, sizeof(*wi_files), GFP_KERNEL);
	wi_file_list = kcalloc(num_possible_nodes() + 1,
			       sizeof(*wi_file_list), GFP_KERNEL);
	if (!wi_files || !wi_file_list)
		return -ENOMEM;

	for_each_node_state(nid, N_POSSIBLE) {
		struct wi_node_file *f = &wi_files[nid];

		snprintf(f->name, sizeof(f->name), "node%d", nid);
		sysfs_attr_init(&f->kattr.attr);
		f->kattr.attr.name = f->name;
		f->kattr.attr.mode = 0644;
		f->kattr.show = wi_node_show;
		f->kattr.store = wi_node_store;
		f->nid = nid;
		wi_file_list[n++] = &f->kattr.attr;
	}
	wi_group.attrs = wi_file_list;
	return 0;
}

/* Builds /sys/kernel/mm/mempolicy/weighted_interleave/node<N>. */
static int __init wi_sysfs_init(void)
{
	struct kobject *mempolicy_kobj, *wi_kobj;
	int err;

	err = wi_prepare_files();
	if (err)
		goto free_files;

	mempolicy_kobj = kobject_create_and_add("mempolicy", mm_kobj);
	if (!mempolicy_kobj) {
		err = -ENOMEM;
		goto free_files;
	}

	wi_kobj = kobject_create_and_add("weighted_interleave", mempolicy_kobj);
	if (!wi_kobj) {
		err = -ENOMEM;
		goto put_mempolicy;
	}

	err = sysfs_create_group(wi_kobj, &wi_group);
	if (err)
		goto put_wi;
	return 0;

put_wi:
	kobject_put(wi_kobj);
put_mempolicy:
	kobject_put(mempolicy_kobj);
free_files:
	/* No file of the group exists any more: nothing can reach these. */
	kfree(wi_file_list);
	kfree(wi_files);
	wi_file_list = NULL;
	wi_files = NULL;
	pr_err("failed to create the weighted_interleave sysfs files: %d\n",
	       err);
	return err;
}
late_initcall(wi_sysfs_init);
#endif /* CONFIG_SYSFS */
