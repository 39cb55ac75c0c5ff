// SPDX-License-Identifier: GPL-2.0
/*
 * Policies as text: the form that /proc/PID/numa_maps and /proc/mounts
 * print, "<mode>[=<flags>][:<nodelist>]", and the tmpfs mpol= mount
 * option, which is written the same way.  Both are user ABI that tools
 * parse, so the words and their order are fixed.
 */

#include <linux/bug.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "policy.h"

/* The name of each mode, indexed by mode, as users read and write it. */
static const char * const mpol_mode_names[MPOL_MAX] = {
	[MPOL_DEFAULT]			= "default",
	[MPOL_PREFERRED]		= "prefer",
	[MPOL_BIND]			= "bind",
	[MPOL_INTERLEAVE]		= "interleave",
	[MPOL_WEIGHTED_INTERLEAVE]	= "weighted interleave",
	[MPOL_LOCAL]			= "local",
	[MPOL_PREFERRED_MANY]		= "prefer (many)",
};

/*
 * Print the mode flags that users can set, after an "=", "static" or
 * "relative" first, then "balancing" joined to them by "|".
 */
static int mpol_flags_to_str(char *buf, int size, unsigned short flags)
{
	const char *nodes_flag = "";
	const char *balancing = "";

	if (flags & MPOL_F_STATIC_NODES)
		nodes_flag = "static";
	else if (flags & MPOL_F_RELATIVE_NODES)
		nodes_flag = "relative";

	if (flags & MPOL_F_NUMA_BALANCING)
		balancing = *nodes_flag ? "|balancing" : "balancing";

	return scnprintf(buf, size, "=%s%s", nodes_flag, balancing);
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
	unsigned short mode = MPOL_DEFAULT;
	unsigned short flags = 0;
	nodemask_t nodes;
	int len;

	if (maxlen <= 0)
		return;

	if (!mpol_is_system_default(pol)) {
		mode = pol->mode;
		flags = pol->flags;
	}

	nodes_clear(nodes);
	switch (mode) {
	case MPOL_DEFAULT:
	case MPOL_LOCAL:
		break;
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		nodes = pol->nodes;
		break;
	default:
		WARN_ON_ONCE(1);
		scnprintf(buffer, maxlen, "unknown");
		return;
	}

	len = scnprintf(buffer, maxlen, "%s", mpol_mode_names[mode]);

	if (flags & MPOL_MODE_FLAGS)
		len += mpol_flags_to_str(buffer + len, maxlen - len, flags);

	if (!nodes_empty(nodes))
		scnprintf(buffer + len, maxlen - len, ":%*pbl",
			  nodemask_pr_args(&nodes));
}

#ifdef CONFIG_TMPFS
/*
 * Check the node list against the mode, before any policy is made.
 * Returns 1 if the string is wrong for the mode; otherwise 0, having
 * filled in the default nodes of a mode that has them.
 */
static int mpol_check_nodelist(int mode, const char *nodelist,
			       nodemask_t *nodes)
{
	const char *p;

	switch (mode) {
	case MPOL_PREFERRED:
		/* One node only: a plain number, no ranges or lists. */
		if (!nodelist)
			return 0;
		for (p = nodelist; isdigit(*p); p++)
			;
		if (*p || nodes_empty(*nodes))
			return 1;
		return 0;
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		/* Without a list, spread over every node with memory. */
		if (!nodelist)
			*nodes = node_states[N_MEMORY];
		return 0;
	case MPOL_LOCAL:
		/* The flags are left to mpol_new() to refuse. */
		return nodelist ? 1 : 0;
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		return nodelist ? 0 : 1;
	default:
		return 1;
	}
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
	char *flags_str = strchr(str, '=');
	char *nodelist = strchr(str, ':');
	struct mempolicy *pol = NULL;
	unsigned short mode_flags = 0;
	nodemask_t nodes;
	int mode;
	int ret = 1;

	/* Cut the string into its parts; undone at the end. */
	if (flags_str)
		*flags_str++ = '\0';
	if (nodelist)
		*nodelist++ = '\0';

	nodes_clear(nodes);
	if (nodelist) {
		if (nodelist_parse(nodelist, nodes))
			goto restore;
		if (!nodes_subset(nodes, node_states[N_MEMORY]))
			goto restore;
	}

	mode = match_string(mpol_mode_names, ARRAY_SIZE(mpol_mode_names), str);
	if (mode < 0)
		goto restore;

	if (mode == MPOL_DEFAULT) {
		/* No policy at all; whatever flags were given do not matter. */
		if (!nodelist) {
			*mpol = NULL;
			ret = 0;
		}
		goto restore;
	}

	if (mpol_check_nodelist(mode, nodelist, &nodes))
		goto restore;

	if (flags_str) {
		if (!strcmp(flags_str, "static"))
			mode_flags = MPOL_F_STATIC_NODES;
		else if (!strcmp(flags_str, "relative"))
			mode_flags = MPOL_F_RELATIVE_NODES;
		else
			goto restore;
	}

	pol = mpol_new(mode, mode_flags, &nodes);
	if (IS_ERR(pol))
		goto restore;

	if (mode != MPOL_PREFERRED) {
		pol->nodes = nodes;
	} else if (nodelist) {
		/* Only a single number got here, so this is that node. */
		nodes_clear(pol->nodes);
		node_set(first_node(nodes), pol->nodes);
	} else {
		/* "prefer" without a node means the local node. */
		pol->mode = MPOL_LOCAL;
	}
	pol->w.user_nodemask = nodes;

	*mpol = pol;
	ret = 0;

restore:
	if (nodelist)
		nodelist[-1] = ':';
	if (flags_str)
		flags_str[-1] = '=';
	return ret;
}
#endif /* CONFIG_TMPFS */
