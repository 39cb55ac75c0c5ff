// SPDX-License-Identifier: GPL-2.0
/*
 * set_mempolicy(2) then get_mempolicy(2) returns the mode, flags and nodes
 * that were set, for every mode, in every topology.
 */
#include "../kselftest_harness.h"
#include "numa_util.h"

/* Which nodes a variant passes: none, one node with memory, or all of them. */
enum nodes { NO_NODES, FIRST_NODE, LAST_NODE, ALL_NODES };

FIXTURE(policy) {
	struct nodemask memory;	/* nodes with memory */
	struct nodemask set;	/* what the variant passes */
};

FIXTURE_VARIANT(policy) {
	int mode;
	int flags;
	enum nodes nodes;
};

FIXTURE_VARIANT_ADD(policy, default) { .mode = MPOL_DEFAULT, .nodes = NO_NODES };
FIXTURE_VARIANT_ADD(policy, local) { .mode = MPOL_LOCAL, .nodes = NO_NODES };
FIXTURE_VARIANT_ADD(policy, preferred_first) { .mode = MPOL_PREFERRED, .nodes = FIRST_NODE };
FIXTURE_VARIANT_ADD(policy, preferred_last) { .mode = MPOL_PREFERRED, .nodes = LAST_NODE };
FIXTURE_VARIANT_ADD(policy, bind_one) { .mode = MPOL_BIND, .nodes = LAST_NODE };
FIXTURE_VARIANT_ADD(policy, bind_all) { .mode = MPOL_BIND, .nodes = ALL_NODES };
FIXTURE_VARIANT_ADD(policy, interleave) { .mode = MPOL_INTERLEAVE, .nodes = ALL_NODES };
FIXTURE_VARIANT_ADD(policy, preferred_many) {
	.mode = MPOL_PREFERRED_MANY, .nodes = ALL_NODES };
FIXTURE_VARIANT_ADD(policy, weighted_interleave) {
	.mode = MPOL_WEIGHTED_INTERLEAVE, .nodes = ALL_NODES };
FIXTURE_VARIANT_ADD(policy, bind_static) {
	.mode = MPOL_BIND, .flags = MPOL_F_STATIC_NODES, .nodes = ALL_NODES };
FIXTURE_VARIANT_ADD(policy, interleave_relative) {
	.mode = MPOL_INTERLEAVE, .flags = MPOL_F_RELATIVE_NODES, .nodes = FIRST_NODE };
FIXTURE_VARIANT_ADD(policy, preferred_static) {
	.mode = MPOL_PREFERRED, .flags = MPOL_F_STATIC_NODES, .nodes = LAST_NODE };

FIXTURE_SETUP(policy)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	ASSERT_LT(0, mask_weight(&self->memory));
	mask_clear(&self->set);
	switch (variant->nodes) {
	case NO_NODES:
		break;
	case FIRST_NODE:
		mask_set(&self->set, mask_nth(&self->memory, 0));
		break;
	case LAST_NODE:
		mask_set(&self->set, mask_last(&self->memory));
		break;
	case ALL_NODES:
		self->set = self->memory;
		break;
	}
}

FIXTURE_TEARDOWN(policy)
{
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

TEST_F(policy, round_trip)
{
	int mode = -1, want = variant->mode | variant->flags;
	struct nodemask got, *set = variant->nodes == NO_NODES ? NULL : &self->set;
	char a[256], b[256];

	ASSERT_EQ(0, sys_set_mempolicy(want, set, set ? SET_MAXNODE : 0))
		TH_LOG("set_mempolicy(%d, %s): %s", want,
		       mask_str(&self->set, a, sizeof(a)), strerror(errno));

	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_EQ(want, mode);
	EXPECT_TRUE(mask_equal(&self->set, &got))
		TH_LOG("nodes %s, set %s", mask_str(&got, a, sizeof(a)),
		       mask_str(&self->set, b, sizeof(b)));

	/* Back to the default policy, nothing of the old one shows. */
	ASSERT_EQ(0, sys_set_mempolicy(MPOL_DEFAULT, NULL, 0));
	ASSERT_EQ(0, sys_get_mempolicy(&mode, &got, MASK_BITS, NULL, 0));
	EXPECT_EQ(MPOL_DEFAULT, mode);
	EXPECT_EQ(0, mask_weight(&got));
}

TEST_HARNESS_MAIN
