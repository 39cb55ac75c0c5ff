// SPDX-License-Identifier: GPL-2.0
/*
 * A module that makes the kernel report a problem on purpose, so that the
 * harness check can prove that a guest whose kernel WARNs fails its run.
 * It never stays loaded.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/string.h>

static char *splat = "warn";
module_param(splat, charp, 0);
MODULE_PARM_DESC(splat, "what to report: warn or bug");

static int __init splat_init(void)
{
	if (!strcmp(splat, "warn"))
		WARN(1, "harness check: a deliberate warning\n");
	else if (!strcmp(splat, "bug"))
		BUG();
	return -EAGAIN;
}
module_init(splat_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate kernel splats for the harness check");
