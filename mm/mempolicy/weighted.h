/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Weighted interleave helpers that alloc.c needs from weighted.c beyond
 * get_il_weight(): both read every weight from one snapshot of the table,
 * so that a concurrent sysfs write cannot mix old and new weights.
 */
#ifndef _MM_MEMPOLICY_WEIGHTED_H
#define _MM_MEMPOLICY_WEIGHTED_H

#include <linux/nodemask.h>
#include <linux/types.h>

unsigned int il_weights_fill(const nodemask_t *nodes, u8 *weights);
int il_weighted_pick(const nodemask_t *nodes, unsigned long pos);

#endif /* _MM_MEMPOLICY_WEIGHTED_H */
