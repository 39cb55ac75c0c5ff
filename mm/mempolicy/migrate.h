/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA memory policy: the part of the migration engine (migrate.c) that
 * mbind() in range.c drives.  mbind() first collects the misplaced folios
 * of its range while it holds the mmap lock, and moves them only after it
 * has dropped the lock, so the two steps are separate calls.
 */
#ifndef _MM_MEMPOLICY_MIGRATE_H
#define _MM_MEMPOLICY_MIGRATE_H

#include <linux/types.h>
#include <linux/nodemask.h>

struct list_head;
struct mm_struct;
struct mempolicy;

long mpol_queue_misplaced(struct mm_struct *mm, unsigned long start,
			  unsigned long end, nodemask_t *nodes,
			  unsigned long flags, struct list_head *folios);
int mpol_migrate_queued(struct list_head *folios, struct mempolicy *pol,
			pgoff_t ilx_base);

#endif /* _MM_MEMPOLICY_MIGRATE_H */
