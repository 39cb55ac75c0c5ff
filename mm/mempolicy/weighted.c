// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy: the node weights of MPOL_WEIGHTED_INTERLEAVE, and
 * /sys/kernel/mm/mempolicy/weighted_interleave/nodeN through which the
 * administrator sets them.
 *
 * The weights form one table of nr_node_ids bytes, indexed by node id.
 * Allocations read it in any context, without a lock, and one decision
 * may weigh several nodes: so a write never changes the table in place.
 * It builds a new table and publishes it with RCU; a reader that holds
 * rcu_read_lock() sees one table throughout, old or new, never a mix.
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
 * NULL until the first write; a zero byte is a node without a weight of
 * its own.  Replaced as a whole under wi_table_mutex.
 */
static u8 __rcu *wi_table;

/**
 * mpol_il_weights - the current weights, as one snapshot
 *
 * Context: the caller holds rcu_read_lock() for as long as it uses the
 * result.
 * Return: the table of weights indexed by node id, for mpol_il_weight(),
 * or NULL while no weight was ever written.
 */
const u8 *mpol_il_weights(void)
{
	return rcu_dereference(wi_table);
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
	unsigned int weight;

	rcu_read_lock();
	weight = mpol_il_weight(mpol_il_weights(), node);
	rcu_read_unlock();
	return weight;
}

#ifdef CONFIG_SYSFS
/* The file of one possible node in weighted_interleave/. */
struct wi_node_file {
	struct kobj_attribute kattr;
	int nid;
	char name[16];		/* "node" and the id */
};

/* Orders writers, so that each copies the table the previous published. */
static DEFINE_MUTEX(wi_table_mutex);

/*
 * Publish a table in which @nid weighs @weight (0: the default) and every
 * other node what it weighed before.  The copy is made under the mutex,
 * so that two writers to different nodes cannot lose one of the changes.
 */
static int wi_table_set(int nid, u8 weight)
{
	u8 *old, *table;

	mutex_lock(&wi_table_mutex);
	old = rcu_dereference_protected(wi_table,
					lockdep_is_held(&wi_table_mutex));
	table = old ? kmemdup(old, nr_node_ids, GFP_KERNEL) :
		      kzalloc(nr_node_ids, GFP_KERNEL);
	if (!table) {
		mutex_unlock(&wi_table_mutex);
		return -ENOMEM;
	}
	table[nid] = weight;
	rcu_assign_pointer(wi_table, table);
	mutex_unlock(&wi_table_mutex);

	/*
	 * Readers of @old hold only the RCU read lock: free it after them.
	 * NULL (the first write) frees nothing.
	 */
	kfree_rcu_mightsleep(old);
	return 0;
}

static ssize_t wi_node_show(struct kobject *kobj,
			    struct kobj_attribute *kattr, char *buf)
{
	struct wi_node_file *f = container_of(kattr, struct wi_node_file, kattr);

	return sysfs_emit(buf, "%u\n", get_il_weight(f->nid));
}

/*
 * The ABI file says: 1 to 255 set the weight, and an empty string or 0
 * gives the node back the default weight.  Everything else is -EINVAL,
 * values above 255 included, as the weighted selftest (weights_in_range)
 * checks; a trailing newline, as echo writes, is fine.
 */
static ssize_t wi_node_store(struct kobject *kobj,
			     struct kobj_attribute *kattr,
			     const char *buf, size_t count)
{
	struct wi_node_file *f = container_of(kattr, struct wi_node_file, kattr);
	u8 weight = 0;
	int err;

	if (!sysfs_streq(buf, "") && kstrtou8(buf, 0, &weight))
		return -EINVAL;

	err = wi_table_set(f->nid, weight);
	return err ? err : count;
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
