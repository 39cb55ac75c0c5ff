/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA memory policy: the interfaces between the parts of mm/mempolicy/.
 *
 *   policy.c    policy objects and their references, translation of the
 *               user's node mask into the nodes in force, cpuset rebinding
 *   syscalls.c  the user ABI: node masks from and to user space, argument
 *               checks, and the system calls
 *   range.c     VMA policies, and mbind() applying a policy to a range
 *   migrate.c   the migration engine (migrate.h): moving the candidates
 *               of a range in bounded batches, for mbind(), and
 *               do_migrate_pages() for migrate_pages(2) and cpusets;
 *               change_prot_numa() for NUMA balancing
 *   page_migrate.c  page_migrate(2): a range of another process's
 *               memory moved along a map of old to new nodes
 *   alloc.c     the allocation decision (which node, which node mask) and
 *               the page allocator entry points; mpol_misplaced()
 *   weighted.c  weighted interleave weights and their sysfs files
 *   shared.c    shared policies of shmem, tmpfs and SysV shm objects
 *   string.c    policies as numa_maps and the tmpfs mpol= option write them
 *   race.c      race points, where a test module may hold a task (race.h)
 *
 * Locking, in short: a task's own policy (task->mempolicy) changes under
 * task_lock() and is read without it only by the task itself; a VMA's
 * policy changes under the mmap lock held for writing and vma_start_write();
 * a shared policy's tree under its rwlock.  Translation against the
 * cpuset's mems_allowed happens under the lock that a cpuset rebind takes
 * too (task_lock() for the task policy, the mmap write lock for VMA
 * policies), so no rebind is lost.
 */
#ifndef _MM_MEMPOLICY_POLICY_H
#define _MM_MEMPOLICY_POLICY_H

#include <linux/mempolicy.h>
#include <linux/nodemask.h>

struct vma_iterator;

/* mbind() flags for internal use, above the user's MPOL_MF_VALID. */
#define MPOL_MF_DISCONTIG_OK	(MPOL_MF_INTERNAL << 0)	/* holes are fine */

/* policy.c */
extern struct kmem_cache *mpol_cache;
extern struct mempolicy mpol_default_policy;

struct mempolicy *mpol_new(unsigned short mode, unsigned short flags,
			   const nodemask_t *nodes);
int mpol_set_nodemask(struct mempolicy *pol, const nodemask_t *nodes,
		      struct nodemask_scratch *nsc);
bool mpol_is_system_default(const struct mempolicy *pol);
bool mpol_store_user_nodemask(const struct mempolicy *pol);
void mpol_policy_nodemask(const struct mempolicy *pol, nodemask_t *nodes);
void mpol_rebind_policy(struct mempolicy *pol, const nodemask_t *newmask);

/**
 * struct mpol_node_map - where page_migrate() sends each node
 * @moving: the nodes whose pages, and roles in policies, go elsewhere
 * @to: for each node of @moving, the node it goes to
 */
struct mpol_node_map {
	nodemask_t moving;
	int to[MAX_NUMNODES];
};

void mpol_remap_policy(struct mempolicy *pol, const struct mpol_node_map *map);
void mpol_remap_task(struct task_struct *task, const struct mpol_node_map *map,
		     const nodemask_t *dests);

/* syscalls.c */
long mpol_set_task_policy(unsigned short mode, unsigned short flags,
			  nodemask_t *nodes);
struct task_struct *mpol_get_task(pid_t pid);
struct mm_struct *mpol_task_mm(struct task_struct *task, int err);

/* range.c */
int mpol_mbind_range(struct vma_iterator *vmi, struct vm_area_struct *vma,
		     struct vm_area_struct **prev, unsigned long start,
		     unsigned long end, struct mempolicy *new_pol);
long mpol_mbind(unsigned long start, unsigned long end, unsigned short mode,
		unsigned short mode_flags, nodemask_t *nmask,
		unsigned long flags);

/* alloc.c */
nodemask_t *mpol_nodemask(gfp_t gfp, struct mempolicy *pol, pgoff_t ilx,
			  int *nid);

/* weighted.c */
u8 get_il_weight(int node);

/* shared.c */
void __init mpol_shared_init(void);

#endif /* _MM_MEMPOLICY_POLICY_H */
