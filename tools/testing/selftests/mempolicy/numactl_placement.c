// SPDX-License-Identifier: GPL-2.0
/*
 * numactl --membind, --interleave and --preferred place a real program's
 * memory where asked, as /proc/PID/numa_maps of the running program shows.
 */
#include "../kselftest_harness.h"
#include "numa_util.h"

#define NR_PAGES	64

FIXTURE(numactl) {
	struct nodemask memory;
	struct helper helper;
	char line[1024];		/* the helper's numa_maps line */
	char policy[64];		/* its policy */
	int pages[MASK_BITS];		/* its pages per node */
};

FIXTURE_SETUP(numactl)
{
	ASSERT_EQ(0, read_node_state("has_memory", &self->memory));
	self->helper.pid = 0;
}

FIXTURE_TEARDOWN(numactl)
{
	helper_stop(&self->helper);
}

/*
 * Run "numactl @option touch_pages NR_PAGES" and read the numa_maps line of
 * the helper's pages while it waits.
 */
static void run_numactl(struct __test_metadata *_metadata,
			struct _test_data_numactl *self, const char *option)
{
	char line[1024], addr[32], path[64], *tok;
	int node, count;
	FILE *f;

	ASSERT_EQ(0, helper_start(&self->helper, option, NR_PAGES))
		TH_LOG("numactl %s failed", option);
	snprintf(addr, sizeof(addr), "%lx", self->helper.addr);
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", self->helper.pid);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	line[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, addr, strlen(addr)) && line[strlen(addr)] == ' ')
			break;
	fclose(f);
	ASSERT_EQ(0, strncmp(line, addr, strlen(addr))) TH_LOG("no numa_maps line at %s", addr);
	line[strcspn(line, "\n")] = '\0';
	snprintf(self->line, sizeof(self->line), "numactl %s: %s", option, line);

	memset(self->pages, 0, sizeof(self->pages));
	strtok(line, " ");
	tok = strtok(NULL, " ");
	snprintf(self->policy, sizeof(self->policy), "%s", tok ? tok : "");
	while ((tok = strtok(NULL, " ")))
		if (sscanf(tok, "N%d=%d", &node, &count) == 2 && node >= 0 && node < MASK_BITS)
			self->pages[node] = count;
}

/*
 * For each node with memory, "numactl --@option=NODE" puts all the pages on
 * NODE, and numa_maps shows the policy as "@policy:NODE".
 */
static void each_node(struct __test_metadata *_metadata,
		      struct _test_data_numactl *self,
		      const char *option, const char *policy)
{
	char opt[64], want[64];
	int node, n;

	node = -1;
	while ((node = mask_next(&self->memory, node)) < MASK_BITS) {
		snprintf(opt, sizeof(opt), "--%s=%d", option, node);
		run_numactl(_metadata, self, opt);
		snprintf(want, sizeof(want), "%s:%d", policy, node);
		EXPECT_STREQ(want, self->policy) TH_LOG("%s", self->line);
		for (n = 0; n < MASK_BITS; n++)
			EXPECT_EQ(n == node ? NR_PAGES : 0, self->pages[n])
				TH_LOG("pages on node %d; %s", n, self->line);
		helper_stop(&self->helper);
	}
}

TEST_F(numactl, membind)
{
	each_node(_metadata, self, "membind", "bind");
}

TEST_F(numactl, preferred)
{
	each_node(_metadata, self, "preferred", "prefer");
}

TEST_F(numactl, interleave)
{
	int nodes = mask_weight(&self->memory), node;
	char list[256], opt[300], want[300];

	mask_str(&self->memory, list, sizeof(list));
	snprintf(opt, sizeof(opt), "--interleave=%s", list);
	run_numactl(_metadata, self, opt);
	snprintf(want, sizeof(want), "interleave:%s", list);
	EXPECT_STREQ(want, self->policy) TH_LOG("%s", self->line);
	for (node = 0; node < MASK_BITS; node++) {
		if (!mask_test(&self->memory, node)) {
			EXPECT_EQ(0, self->pages[node]) TH_LOG("node %d; %s", node, self->line);
			continue;
		}
		EXPECT_GE(self->pages[node], NR_PAGES / nodes)
			TH_LOG("node %d; %s", node, self->line);
		EXPECT_LE(self->pages[node], NR_PAGES / nodes + 1)
			TH_LOG("node %d; %s", node, self->line);
	}
}

TEST_HARNESS_MAIN
