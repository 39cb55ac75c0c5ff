// SPDX-License-Identifier: GPL-2.0
/*
 * Shows user space where the kernel's own allocations land under the
 * calling task's memory policy, for the kernel_alloc selftest.
 *
 * Write "pages N" or "vmalloc N" to /sys/kernel/debug/mempolicy_probe/alloc:
 * the module makes N single-page allocations (alloc_page()) or one
 * vmalloc() of N pages (which takes its pages in bulk), notes the node of
 * each page and frees them all.  A read of the same open file then
 * gives the count per node, as "node:count" pairs for the nodes with
 * memory.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define PROBE_MAX_ALLOCS	65536

struct probe_result {
	unsigned long count[MAX_NUMNODES];
};

static struct dentry *probe_dir;

static int probe_pages(struct probe_result *res, unsigned long n)
{
	struct page **pages;
	unsigned long i;
	int ret = 0;

	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	/* All allocated before any is freed, so none is reused. */
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			ret = -ENOMEM;
			break;
		}
		res->count[page_to_nid(pages[i])]++;
	}
	while (i--)
		__free_page(pages[i]);
	kvfree(pages);
	return ret;
}

static int probe_vmalloc(struct probe_result *res, unsigned long n)
{
	unsigned long i;
	char *area;

	area = vmalloc(n * PAGE_SIZE);
	if (!area)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		res->count[page_to_nid(vmalloc_to_page(area + i * PAGE_SIZE))]++;
	vfree(area);
	/*
	 * Free the area's address range now rather than lazily, so that the
	 * next vmalloc() reuses it and needs no new page table pages: those
	 * would be allocated under the task's policy too, and take an
	 * interleave turn that the tests do not count.
	 */
	vm_unmap_aliases();
	return 0;
}

static ssize_t probe_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct probe_result *res = file->private_data;
	char buf[32], what[16];
	unsigned long n;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%15s %lu", what, &n) != 2 || !n ||
	    n > PROBE_MAX_ALLOCS)
		return -EINVAL;

	memset(res, 0, sizeof(*res));
	if (!strcmp(what, "pages"))
		ret = probe_pages(res, n);
	else if (!strcmp(what, "vmalloc"))
		ret = probe_vmalloc(res, n);
	else
		ret = -EINVAL;
	return ret ? ret : len;
}

static ssize_t probe_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	struct probe_result *res = file->private_data;
	size_t size = 16 * MAX_NUMNODES;
	ssize_t ret;
	char *buf;
	int nid, off = 0;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for_each_node_state(nid, N_MEMORY)
		off += scnprintf(buf + off, size - off, "%d:%lu ", nid,
				 res->count[nid]);
	off += scnprintf(buf + off, size - off, "\n");
	ret = simple_read_from_buffer(ubuf, len, ppos, buf, off);
	kfree(buf);
	return ret;
}

static int probe_open(struct inode *inode, struct file *file)
{
	struct probe_result *res = kzalloc(sizeof(*res), GFP_KERNEL);

	if (!res)
		return -ENOMEM;
	file->private_data = res;
	return 0;
}

static int probe_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations probe_fops = {
	.owner = THIS_MODULE,
	.open = probe_open,
	.release = probe_release,
	.read = probe_read,
	.write = probe_write,
	.llseek = default_llseek,
};

static int __init probe_init(void)
{
	probe_dir = debugfs_create_dir("mempolicy_probe", NULL);
	debugfs_create_file("alloc", 0600, probe_dir, NULL, &probe_fops);
	return 0;
}

static void __exit probe_exit(void)
{
	debugfs_remove_recursive(probe_dir);
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_DESCRIPTION("Where the kernel's allocations land under a memory policy");
MODULE_LICENSE("GPL");
