/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What alloc.c needs of weighted.c beyond get_il_weight(): the weight
 * table as one snapshot, so that the nodes of one decision are weighed
 * by the same table even while sysfs replaces it.
 */
#ifndef _MM_MEMPOLICY_WEIGHTED_H
#define _MM_MEMPOLICY_WEIGHTED_H

#include <linux/build_bug.h>
#include <linux/types.h>

/*
 * The weight of a node with no weight of its own.  The ABI file
 * (Documentation/ABI/testing/sysfs-kernel-mm-mempolicy-weighted-interleave)
 * lets the kernel choose it; Linux 6.12 gives every node 1, and the
 * weighted selftest (a_file_per_possible_node) reads 1 back.
 */
#define MPOL_IL_DEFAULT_WEIGHT	1

const u8 *mpol_il_weights(void);

/*
 * alloc.c interleaves plain MPOL_INTERLEAVE as weighted interleave over
 * no table at all, which takes every node at the default weight: that
 * must be 1, as plain interleave gives each node one page per round.
 */
static_assert(MPOL_IL_DEFAULT_WEIGHT == 1);

/**
 * mpol_il_weight - the weight of a node in a snapshot of the weights
 * @weights: a snapshot from mpol_il_weights(), or NULL: no node has a
 *	weight of its own
 * @nid: the node, below nr_node_ids
 *
 * Return: the node's weight, 1 to 255.
 */
static inline unsigned int mpol_il_weight(const u8 *weights, int nid)
{
	u8 w = weights ? weights[nid] : 0;

	return w ? w : MPOL_IL_DEFAULT_WEIGHT;
}

#endif /* _MM_MEMPOLICY_WEIGHTED_H */
