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
 *
 * /sys/kernel/debug/mempolicy_probe/race holds a fork in the middle of a
 * cpuset rebind, for the cpuset selftest, through the race points of
 * mm/mempolicy/race.h.  Writing "arm TGID" makes the module wait for
 * process TGID to come to two race points, in this order:
 *
 *   MPOL_RACE_REBIND_MM, in a thread of TGID that writes cpuset.mems: the
 *   first task's mm of the rebind walk.  The state becomes "rebind_started"
 *   and the walk waits there until TGID has made the copy below.
 *
 *   MPOL_RACE_DUP_REBINDING, in a thread of TGID that forks meanwhile: the
 *   child's policy has been copied (and rebound: the defence that the test
 *   checks).  The state becomes "copied", which lets the walk go on, and
 *   the fork waits until "release" is written.  Then the state becomes
 *   "released".
 *
 * A wait that lasts RACE_TIMEOUT_MS ends the race: the state becomes
 * "timed_out" and every task goes on.  "disarm" ends it too, wakes any
 * task that waits and unregisters the hook; so does unloading.  A read
 * gives the state: "unsupported" when the kernel has no race points (the
 * stock kernel: the module finds the symbols at run time, so that it
 * loads there too), else "idle", "armed", "rebind_started", "copied",
 * "released" or "timed_out".
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/*
 * For the race points' types only: the functions are looked up at run
 * time.  This file sits in the selftests of the tree that has them.
 */
#include "../../../../../mm/mempolicy/race.h"

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

/*
 * Long enough for a slow (emulated) guest to finish a cpuset rebind, short
 * enough that a test that goes wrong fails instead of hanging.
 */
#define RACE_TIMEOUT_MS	10000

enum race_state {
	RACE_IDLE,
	RACE_ARMED,
	RACE_REBIND_STARTED,
	RACE_COPIED,
	RACE_RELEASED,
	RACE_TIMED_OUT,
};

static const char * const race_state_names[] = {
	[RACE_IDLE] = "idle",
	[RACE_ARMED] = "armed",
	[RACE_REBIND_STARTED] = "rebind_started",
	[RACE_COPIED] = "copied",
	[RACE_RELEASED] = "released",
	[RACE_TIMED_OUT] = "timed_out",
};

/**
 * struct probe_race - a fork held in the middle of a cpuset rebind
 * @register_hook: mpol_race_hook_register(), or NULL without race points
 * @unregister_hook: mpol_race_hook_unregister(), or NULL likewise
 * @mutex: serialises arming, disarming and registering the hook
 * @registered: whether our hook is registered; under @mutex
 * @lock: protects @state and @tgid; the hook takes it, so no sleeping
 * @state: where the race stands
 * @tgid: the armed process, with a reference; NULL while idle
 * @copied: completed when the armed process has copied its policy
 * @released: completed when user space writes "release"
 */
struct probe_race {
	int (*register_hook)(void (*hook)(enum mpol_race_point point,
					  const void *arg));
	void (*unregister_hook)(void);
	struct mutex mutex;	/* arming and registering */
	bool registered;
	spinlock_t lock;	/* @state and @tgid */
	enum race_state state;
	struct pid *tgid;
	struct completion copied;
	struct completion released;
};

static struct probe_race race = {
	.mutex = __MUTEX_INITIALIZER(race.mutex),
	.lock = __SPIN_LOCK_UNLOCKED(race.lock),
	.copied = COMPLETION_INITIALIZER(race.copied),
	.released = COMPLETION_INITIALIZER(race.released),
};

static enum race_state race_get_state(void)
{
	enum race_state state;

	spin_lock(&race.lock);
	state = race.state;
	spin_unlock(&race.lock);
	return state;
}

/* Move from @from to @to if the race is at @from, for current's process. */
static bool race_step(enum race_state from, enum race_state to)
{
	bool ok = false;

	spin_lock(&race.lock);
	if (race.state == from && race.tgid == task_tgid(current)) {
		race.state = to;
		ok = true;
	}
	spin_unlock(&race.lock);
	return ok;
}

static void race_wait(struct completion *done)
{
	if (wait_for_completion_timeout(done,
					msecs_to_jiffies(RACE_TIMEOUT_MS)))
		return;
	spin_lock(&race.lock);
	race.state = RACE_TIMED_OUT;
	spin_unlock(&race.lock);
	/* Whoever waits for the other side need not wait any longer. */
	complete_all(&race.copied);
	complete_all(&race.released);
}

/*
 * Called by the kernel at every race point, from every task: only the
 * armed process, at the step of the race that it has reached, waits.
 */
static void race_hook(enum mpol_race_point point, const void *arg)
{
	switch (point) {
	case MPOL_RACE_REBIND_MM:
		if (race_step(RACE_ARMED, RACE_REBIND_STARTED))
			race_wait(&race.copied);
		break;
	case MPOL_RACE_DUP_REBINDING:
		if (!race_step(RACE_REBIND_STARTED, RACE_COPIED))
			break;
		complete_all(&race.copied);
		race_wait(&race.released);
		race_step(RACE_COPIED, RACE_RELEASED);
		break;
	default:
		break;
	}
}

/*
 * Back to idle: wake whoever waits in the hook and unregister it, which
 * waits until they have left it.  So no task is in the hook afterwards.
 */
static void race_reset(void)
{
	struct pid *tgid;

	lockdep_assert_held(&race.mutex);
	spin_lock(&race.lock);
	race.state = RACE_IDLE;
	tgid = race.tgid;
	race.tgid = NULL;
	spin_unlock(&race.lock);
	complete_all(&race.copied);
	complete_all(&race.released);
	if (race.registered) {
		race.unregister_hook();
		race.registered = false;
	}
	put_pid(tgid);
}

static void race_disarm(void)
{
	mutex_lock(&race.mutex);
	race_reset();
	mutex_unlock(&race.mutex);
}

static int race_arm(pid_t nr)
{
	struct pid *tgid = find_get_pid(nr);
	enum race_state state;
	int ret;

	if (!tgid || !pid_has_task(tgid, PIDTYPE_TGID)) {
		put_pid(tgid);
		return -ESRCH;
	}
	mutex_lock(&race.mutex);
	/* Tasks wait in the hook while a race is under way. */
	state = race_get_state();
	if (state == RACE_REBIND_STARTED || state == RACE_COPIED) {
		ret = -EBUSY;
		goto out;
	}
	/* With nobody in the hook, the completions can start afresh. */
	race_reset();
	ret = race.register_hook(race_hook);
	if (ret)
		goto out;
	race.registered = true;
	reinit_completion(&race.copied);
	reinit_completion(&race.released);
	spin_lock(&race.lock);
	swap(race.tgid, tgid);
	race.state = RACE_ARMED;
	spin_unlock(&race.lock);
out:
	mutex_unlock(&race.mutex);
	put_pid(tgid);
	return ret;
}

static ssize_t race_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	char buf[32];
	int ret, nr;

	if (!race.register_hook)
		return -EOPNOTSUPP;
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);

	if (sscanf(buf, "arm %d", &nr) == 1 && nr > 0) {
		ret = race_arm(nr);
	} else if (!strcmp(buf, "release")) {
		complete_all(&race.released);
		ret = 0;
	} else if (!strcmp(buf, "disarm")) {
		race_disarm();
		ret = 0;
	} else {
		ret = -EINVAL;
	}
	return ret ? ret : len;
}

static ssize_t race_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	const char *name = "unsupported";
	char buf[32];
	int n;

	if (race.register_hook)
		name = race_state_names[race_get_state()];
	n = scnprintf(buf, sizeof(buf), "%s\n", name);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations race_fops = {
	.owner = THIS_MODULE,
	.read = race_read,
	.write = race_write,
	.llseek = default_llseek,
};

/* The race points are ours; the stock kernel has none. */
static void race_init(void)
{
	race.register_hook = symbol_get(mpol_race_hook_register);
	race.unregister_hook = symbol_get(mpol_race_hook_unregister);
	if (race.register_hook && race.unregister_hook)
		return;
	if (race.register_hook)
		symbol_put(mpol_race_hook_register);
	if (race.unregister_hook)
		symbol_put(mpol_race_hook_unregister);
	race.register_hook = NULL;
	race.unregister_hook = NULL;
}

static void race_exit(void)
{
	if (!race.register_hook)
		return;
	race_disarm();
	symbol_put(mpol_race_hook_register);
	symbol_put(mpol_race_hook_unregister);
}

static int __init probe_init(void)
{
	race_init();
	probe_dir = debugfs_create_dir("mempolicy_probe", NULL);
	debugfs_create_file("alloc", 0600, probe_dir, NULL, &probe_fops);
	debugfs_create_file("race", 0600, probe_dir, NULL, &race_fops);
	return 0;
}

static void __exit probe_exit(void)
{
	/* No new command comes once the files are gone. */
	debugfs_remove_recursive(probe_dir);
	race_exit();
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_DESCRIPTION("Where the kernel's allocations land under a memory policy, and races held in place");
MODULE_LICENSE("GPL");
