// SPDX-License-Identifier: GPL-2.0
/*
 * Policies as text: the form that /proc/PID/numa_maps and /proc/mounts
 * print, "<mode>[=<flags>][:<nodelist>]", and the tmpfs mpol= mount
 * option, which is written the same way.  Both are user ABI that tools
 * parse, so the words and their order are fixed.
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/string.h>

#include "policy.h"

/*
 * How each mode reads and writes itself.  The names are ABI: numa_maps
 * and /proc/mounts show them (vma.c, numa_maps; cpuset.c, model_str;
 * shared.c, tmpfs_mount).  @nodes says what mpol= needs after the mode.
 */
enum mpol_str_nodes {
	MPOL_STR_NO_NODES,	/* no node list may follow */
	MPOL_STR_ONE_NODE,	/* one node, or none for local allocation */
	MPOL_STR_NODES,		/* a node list must follow */
	MPOL_STR_ALL_NODES,	/* a node list, by default every node */
};

static const struct {
	const char *name;
	enum mpol_str_nodes nodes;
} mpol_str_modes[MPOL_MAX] = {
	[MPOL_DEFAULT]		= { "default", MPOL_STR_NO_NODES },
	[MPOL_PREFERRED]	= { "prefer", MPOL_STR_ONE_NODE },
	[MPOL_BIND]		= { "bind", MPOL_STR_NODES },
	[MPOL_INTERLEAVE]	= { "interleave", MPOL_STR_ALL_NODES },
	[MPOL_LOCAL]		= { "local", MPOL_STR_NO_NODES },
	[MPOL_PREFERRED_MANY]	= { "prefer (many)", MPOL_STR_NODES },
	[MPOL_WEIGHTED_INTERLEAVE] = { "weighted interleave", MPOL_STR_ALL_NODES },
};

/* The words of the mode flags; numa_maps joins them with '|'. */
#define MPOL_STR_STATIC		"static"
#define MPOL_STR_RELATIVE	"relative"
#define MPOL_STR_BALANCING	"balancing"

/* The node set flag of @flags as a word, or NULL. */
static const char *nodes_flag_word(unsigned short flags)
{
	if (flags & MPOL_F_STATIC_NODES)
		return MPOL_STR_STATIC;
	if (flags & MPOL_F_RELATIVE_NODES)
		return MPOL_STR_RELATIVE;
	return NULL;
}

/**
 * mpol_to_str - write a policy the way numa_maps and /proc/mounts show it
 * @buffer: where to write the string
 * @maxlen: size of @buffer; the string is truncated to fit
 * @pol: the policy; NULL and the system defaults read as "default"
 *
 * The form is "<mode>[=<flags>][:<nodelist>]", e.g. "bind=static:0-3" or
 * "interleave=relative|balancing:1,3".  The longest mode and flags,
 * "weighted interleave=relative|balancing", take 38 characters, so a
 * @maxlen of 51 or more leaves room for some nodes.
 */
void mpol_to_str(char *buffer, int maxlen, struct mempolicy *pol)
{
	unsigned short mode = MPOL_DEFAULT, flags = 0;
	const char *word;
	int len;

	if (!mpol_is_system_default(pol)) {
		mode = pol->mode;
		flags = pol->flags;
	}
	if (WARN_ON_ONCE(mode >= MPOL_MAX)) {
		strscpy(buffer, "unknown", maxlen);
		return;
	}

	len = scnprintf(buffer, maxlen, "%s", mpol_str_modes[mode].name);
	if (mpol_str_modes[mode].nodes == MPOL_STR_NO_NODES)
		return;

	/*
	 * "=static" or "=relative", then "balancing" after '|', or after '='
	 * alone (vma.c: "bind=balancing", "bind=static|balancing").
	 */
	word = nodes_flag_word(flags);
	if (word)
		len += scnprintf(buffer + len, maxlen - len, "=%s", word);
	if (flags & MPOL_F_NUMA_BALANCING)
		len += scnprintf(buffer + len, maxlen - len, "%c%s",
				 word ? '|' : '=', MPOL_STR_BALANCING);

	scnprintf(buffer + len, maxlen - len, ":%*pbl",
		  nodemask_pr_args(&pol->nodes));
}

#ifdef CONFIG_TMPFS
/* The mode whose name is @name, or -EINVAL. */
static int mode_from_name(const char *name)
{
	int mode;

	for (mode = 0; mode < MPOL_MAX; mode++)
		if (!strcmp(name, mpol_str_modes[mode].name))
			return mode;
	return -EINVAL;
}

/*
 * The flag word of mpol=; only the node set flags can be mounted
 * (tmpfs.rst).  "interleave=static=relative" is refused whole (shared.c,
 * bad_mpol_options).
 */
static int flags_from_word(const char *word, unsigned short *flags)
{
	if (!strcmp(word, MPOL_STR_STATIC))
		*flags = MPOL_F_STATIC_NODES;
	else if (!strcmp(word, MPOL_STR_RELATIVE))
		*flags = MPOL_F_RELATIVE_NODES;
	else
		return -EINVAL;
	return 0;
}

/*
 * Turn the node list of mpol= (or its absence, @list NULL) into the nodes
 * @mode gets.  Every node must have memory (tmpfs.rst: a mount "will fail
 * if its nodelist specifies a node which is not online").
 */
static int nodes_from_list(int mode, const char *list, nodemask_t *nodes)
{
	enum mpol_str_nodes want = mpol_str_modes[mode].nodes;

	nodes_clear(*nodes);
	if (!list) {
		if (want == MPOL_STR_NODES)
			return -EINVAL;
		if (want == MPOL_STR_ALL_NODES)
			*nodes = node_states[N_MEMORY];
		return 0;
	}
	if (want == MPOL_STR_NO_NODES)
		return -EINVAL;
	if (nodelist_parse(list, *nodes) || nodes_empty(*nodes))
		return -EINVAL;
	if (!nodes_subset(*nodes, node_states[N_MEMORY]))
		return -EINVAL;
	/* tmpfs.rst: "mpol=prefer:Node", a single node. */
	if (want == MPOL_STR_ONE_NODE && nodes_weight(*nodes) != 1)
		return -EINVAL;
	return 0;
}

/*
 * Parse @str, cut into @mode_name, @flag_word (or NULL) and @list (or
 * NULL), into a policy.
 */
static int policy_from_parts(const char *mode_name, const char *flag_word,
			     const char *list, struct mempolicy **mpol)
{
	unsigned short flags = 0;
	struct mempolicy *pol;
	nodemask_t nodes;
	int mode;

	mode = mode_from_name(mode_name);
	if (mode < 0)
		return mode;
	if (flag_word && flags_from_word(flag_word, &flags))
		return -EINVAL;
	if (nodes_from_list(mode, list, &nodes))
		return -EINVAL;
	/*
	 * "default", with or without a flag, is no policy at all, and
	 * /proc/mounts shows no option (shared.c, mpol_option_forms; Linux
	 * 6.12 also takes "default=static").
	 */
	if (mode == MPOL_DEFAULT) {
		*mpol = NULL;
		return 0;
	}

	pol = mpol_new(mode, flags, &nodes);
	if (IS_ERR(pol))
		return PTR_ERR(pol);
	if (pol) {
		/*
		 * No cpuset applies at mount time: keep the nodes as given,
		 * for /proc/mounts to show and for each new file to be placed
		 * from (mpol_shared_policy_init()).
		 */
		pol->nodes = nodes;
		pol->w.user_nodemask = nodes;
	}
	*mpol = pol;
	return 0;
}

/**
 * mpol_parse_str - parse the tmpfs mpol= mount option
 * @str: the option's value, "<mode>[=<flags>][:<nodelist>]"
 * @mpol: where to store the policy on success
 *
 * The nodes must all have memory.  "default" (without nodes) yields a NULL
 * policy.  The flags are "static" or "relative".  @str is split in place
 * while parsing and put back as it was before returning, so that the
 * caller can quote it in an error message.
 *
 * The nodes as the user gave them are kept twice: in the policy's nodes,
 * for mpol_to_str() to show the option in /proc/mounts, and in its
 * w.user_nodemask, from which mpol_shared_policy_init() makes each new
 * inode's policy within the cpuset of the task that creates it.
 *
 * Return: 0 on success (@mpol set), 1 if the option is not valid.
 */
int mpol_parse_str(char *str, struct mempolicy **mpol)
{
	char *colon = strchr(str, ':');
	char *equals;
	int err;

	if (colon)
		*colon = '\0';
	equals = strchr(str, '=');
	if (equals)
		*equals = '\0';

	err = policy_from_parts(str, equals ? equals + 1 : NULL,
				colon ? colon + 1 : NULL, mpol);

	if (equals)
		*equals = '=';
	if (colon)
		*colon = ':';
	return err ? 1 : 0;
}
#endif /* CONFIG_TMPFS */
