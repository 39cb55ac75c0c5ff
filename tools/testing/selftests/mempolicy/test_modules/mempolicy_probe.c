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
 * Writing "arm_migrate TGID" holds a page_migrate(2) call instead, for the
 * page_migrate selftest: at MPOL_RACE_MIGRATE_CHECKED, in a thread of
 * TGID that calls it, after the call has checked its new nodes against
 * the target's cpuset and before it moves the target's policies.  The
 * state becomes "migrate_held", and the call waits until "release" is
 * written, while the test changes the cpuset; then "released".
 *
 * Writing "arm_migrate_locked TGID" holds the call later, at
 * MPOL_RACE_MIGRATE_LOCKED: under the target's mmap write lock, with the
 * VMA policies moved and the threads' own policies not yet.  The state
 * becomes "locked_held".  A cpuset change that the test makes meanwhile,
 * from another thread of TGID, rebinds the target's thread policies and
 * then comes to MPOL_RACE_REBIND_MM, where it waits for the mmap lock:
 * the state becomes "locked_rebinding" and that thread goes on (to wait
 * for the lock).  "release" lets the call go on; then "released".
 *
 * A wait that lasts RACE_TIMEOUT_MS ends the race: the state becomes
 * "timed_out" and every task goes on.  "disarm" ends it too, wakes any
 * task that waits and unregisters the hook; so does unloading.  A read
 * gives the state: "unsupported" when the kernel has no race points (the
 * stock kernel: the module finds the symbols at run time, so that it
 * loads there too), else "idle", "armed", "rebind_started", "copied",
 * "migrate_armed", "migrate_held", "locked_armed", "locked_held",
 * "locked_rebinding", "released" or "timed_out".
 *
 * /sys/kernel/debug/mempolicy_probe/migrate_fail makes page_migrate(2)
 * find chosen nodes full, for the tests of its fallback order and of
 * -ENOMEM, through the race point MPOL_RACE_MIGRATE_ALLOC.  Writing a node
 * list ("1,3") makes every allocation attempt on those nodes fail from
 * then on and sets the count of failed attempts to zero; writing an empty
 * list ("" or "\n") ends it.  A read gives "nodes LIST failed N": the
 * nodes and the attempts failed since the list was written, so that a
 * test can tell that the injection really ran ("unsupported" on a kernel
 * without race points).
 *
 * /sys/kernel/debug/mempolicy_probe/policy shows a policy that
 * get_mempolicy(2) cannot show, since that call only looks at the caller:
 * write "PID" for the task policy of thread PID, or "PID ADDR" (ADDR in
 * hex) for the policy of its VMA at ADDR; a read of the same open file
 * then gives one line of key=value pairs: mode, flags (static, relative,
 * balancing), the user's node mask (user=, for the flags that keep it) or
 * the cpuset nodes that the policy was last bound to (cpuset_mems=), the
 * nodes in force (nodes=) and the home node (home=, -1 for none).  A task
 * or VMA without a policy of its own reads "mode=none"; a VMA's shared
 * policy (shmem) is not looked at.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
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
	RACE_MIGRATE_ARMED,
	RACE_MIGRATE_HELD,
	RACE_LOCKED_ARMED,
	RACE_LOCKED_HELD,
	RACE_LOCKED_REBINDING,
	RACE_RELEASED,
	RACE_TIMED_OUT,
};

static const char * const race_state_names[] = {
	[RACE_IDLE] = "idle",
	[RACE_ARMED] = "armed",
	[RACE_REBIND_STARTED] = "rebind_started",
	[RACE_COPIED] = "copied",
	[RACE_MIGRATE_ARMED] = "migrate_armed",
	[RACE_MIGRATE_HELD] = "migrate_held",
	[RACE_LOCKED_ARMED] = "locked_armed",
	[RACE_LOCKED_HELD] = "locked_held",
	[RACE_LOCKED_REBINDING] = "locked_rebinding",
	[RACE_RELEASED] = "released",
	[RACE_TIMED_OUT] = "timed_out",
};

/**
 * struct probe_race - a fork held in the middle of a cpuset rebind, or a
 *	page_migrate() call held before it moves the policies
 * @register_hook: mpol_race_hook_register(), or NULL without race points
 * @unregister_hook: mpol_race_hook_unregister(), or NULL likewise
 * @mutex: serialises arming and disarming
 * @registered: whether the race holds a use of the hook (probe_hook_get());
 *	under @mutex
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
	struct mutex mutex;	/* arming and disarming */
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

/*
 * The kernel takes one hook for all race points, and both the race and
 * the fault injection need it: it stays registered while either is in
 * use.  Each takes a use with probe_hook_get() and gives it back with
 * probe_hook_put(); hook_mutex is taken inside race.mutex.
 */
enum probe_hook_user {
	HOOK_RACE = 1 << 0,
	HOOK_FAIL = 1 << 1,
};

static DEFINE_MUTEX(hook_mutex);
static unsigned int hook_users;	/* enum probe_hook_user bits; hook_mutex */

static void probe_hook(enum mpol_race_point point, const void *arg);

static int probe_hook_get(enum probe_hook_user user)
{
	int ret = 0;

	mutex_lock(&hook_mutex);
	if (!hook_users)
		ret = race.register_hook(probe_hook);
	if (!ret)
		hook_users |= user;
	mutex_unlock(&hook_mutex);
	return ret;
}

/* Unregistering waits until no task is in the hook any more. */
static void probe_hook_put(enum probe_hook_user user)
{
	mutex_lock(&hook_mutex);
	if (hook_users & user) {
		hook_users &= ~user;
		if (!hook_users)
			race.unregister_hook();
	}
	mutex_unlock(&hook_mutex);
}

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
		/* The held call has the mmap lock: only say we are here. */
		race_step(RACE_LOCKED_HELD, RACE_LOCKED_REBINDING);
		break;
	case MPOL_RACE_DUP_REBINDING:
		if (!race_step(RACE_REBIND_STARTED, RACE_COPIED))
			break;
		complete_all(&race.copied);
		race_wait(&race.released);
		race_step(RACE_COPIED, RACE_RELEASED);
		break;
	case MPOL_RACE_MIGRATE_CHECKED:
		if (!race_step(RACE_MIGRATE_ARMED, RACE_MIGRATE_HELD))
			break;
		race_wait(&race.released);
		race_step(RACE_MIGRATE_HELD, RACE_RELEASED);
		break;
	case MPOL_RACE_MIGRATE_LOCKED:
		if (!race_step(RACE_LOCKED_ARMED, RACE_LOCKED_HELD))
			break;
		race_wait(&race.released);
		if (!race_step(RACE_LOCKED_REBINDING, RACE_RELEASED))
			race_step(RACE_LOCKED_HELD, RACE_RELEASED);
		break;
	default:
		break;
	}
}

/* --- fault injection for page_migrate(2) ---------------------------- */

/**
 * struct probe_fail - nodes on which page_migrate()'s allocations fail
 * @mutex: serialises writers, and so taking and giving back the hook
 * @lock: protects @nodes; the hook takes it, so no sleeping
 * @nodes: the nodes that look full
 * @failed: the attempts failed since @nodes was written
 */
struct probe_fail {
	struct mutex mutex;	/* writers */
	spinlock_t lock;	/* @nodes */
	nodemask_t nodes;
	atomic_long_t failed;
};

static struct probe_fail fail = {
	.mutex = __MUTEX_INITIALIZER(fail.mutex),
	.lock = __SPIN_LOCK_UNLOCKED(fail.lock),
	.failed = ATOMIC_LONG_INIT(0),
};

/*
 * The race point passes a const argument, but its @fail is the hook's to
 * set: that is how the point asks whether the attempt may go on.
 */
static void fail_hook(const void *arg)
{
	struct mpol_race_alloc *attempt = (struct mpol_race_alloc *)arg;
	bool full;

	spin_lock(&fail.lock);
	full = attempt->nid >= 0 && attempt->nid < MAX_NUMNODES &&
	       node_isset(attempt->nid, fail.nodes);
	spin_unlock(&fail.lock);
	if (full) {
		attempt->fail = true;
		atomic_long_inc(&fail.failed);
	}
}

static ssize_t fail_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	nodemask_t nodes;
	char *buf;
	int ret;

	if (!race.register_hook)
		return -EOPNOTSUPP;
	if (len > PAGE_SIZE)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = nodelist_parse(strim(buf), nodes);
	kfree(buf);
	if (ret)
		return ret;

	mutex_lock(&fail.mutex);
	/* The hook is in use while there is a node to fail. */
	if (!nodes_empty(nodes))
		ret = probe_hook_get(HOOK_FAIL);
	if (!ret) {
		spin_lock(&fail.lock);
		fail.nodes = nodes;
		spin_unlock(&fail.lock);
		atomic_long_set(&fail.failed, 0);
		if (nodes_empty(nodes))
			probe_hook_put(HOOK_FAIL);
	}
	mutex_unlock(&fail.mutex);
	return ret ? ret : len;
}

static ssize_t fail_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	size_t size = 16 * MAX_NUMNODES;
	nodemask_t nodes;
	ssize_t ret;
	char *buf;
	int n;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (race.register_hook) {
		spin_lock(&fail.lock);
		nodes = fail.nodes;
		spin_unlock(&fail.lock);
		n = scnprintf(buf, size, "nodes %*pbl failed %ld\n",
			      nodemask_pr_args(&nodes),
			      atomic_long_read(&fail.failed));
	} else {
		n = scnprintf(buf, size, "unsupported\n");
	}
	ret = simple_read_from_buffer(ubuf, len, ppos, buf, n);
	kfree(buf);
	return ret;
}

static const struct file_operations fail_fops = {
	.owner = THIS_MODULE,
	.read = fail_read,
	.write = fail_write,
	.llseek = default_llseek,
};

static void fail_exit(void)
{
	mutex_lock(&fail.mutex);
	nodes_clear(fail.nodes);
	probe_hook_put(HOOK_FAIL);
	mutex_unlock(&fail.mutex);
}

/* The one hook of all race points, for the race and the fault injection. */
static void probe_hook(enum mpol_race_point point, const void *arg)
{
	switch (point) {
	case MPOL_RACE_REBIND_MM:
	case MPOL_RACE_DUP_REBINDING:
	case MPOL_RACE_MIGRATE_CHECKED:
	case MPOL_RACE_MIGRATE_LOCKED:
		race_hook(point, arg);
		break;
	case MPOL_RACE_MIGRATE_ALLOC:
		fail_hook(arg);
		break;
	default:
		break;
	}
}

/* --- policies seen from outside ------------------------------------- */

#define POLICY_BUF	(64 * MAX_NUMNODES)

static const char * const policy_modes[] = {
	[MPOL_DEFAULT] = "default",
	[MPOL_PREFERRED] = "preferred",
	[MPOL_BIND] = "bind",
	[MPOL_INTERLEAVE] = "interleave",
	[MPOL_LOCAL] = "local",
	[MPOL_PREFERRED_MANY] = "preferred_many",
	[MPOL_WEIGHTED_INTERLEAVE] = "weighted_interleave",
};

/*
 * One line for @pol into @buf.  The caller holds the lock that keeps @pol
 * from changing: the task lock for a task policy, the mmap lock for a VMA
 * policy.  Which of the union's masks is valid depends on the flags, as
 * in struct mempolicy.
 */
static int policy_format(const struct mempolicy *pol, char *buf, size_t size)
{
	bool user = pol && (pol->flags & (MPOL_F_STATIC_NODES |
					  MPOL_F_RELATIVE_NODES));
	const char *mode = "unknown";
	int n;

	if (!pol)
		return scnprintf(buf, size, "mode=none\n");
	if (pol->mode < ARRAY_SIZE(policy_modes) && policy_modes[pol->mode])
		mode = policy_modes[pol->mode];
	n = scnprintf(buf, size, "mode=%s flags=%s%s%s", mode,
		      pol->flags & MPOL_F_STATIC_NODES ? "static," : "",
		      pol->flags & MPOL_F_RELATIVE_NODES ? "relative," : "",
		      pol->flags & MPOL_F_NUMA_BALANCING ? "balancing," : "");
	n += scnprintf(buf + n, size - n, " %s=%*pbl nodes=%*pbl home=%d\n",
		       user ? "user" : "cpuset_mems",
		       nodemask_pr_args(user ? &pol->w.user_nodemask :
					&pol->w.cpuset_mems_allowed),
		       nodemask_pr_args(&pol->nodes), pol->home_node);
	return n;
}

static int policy_of_task(struct task_struct *task, char *buf)
{
	int n;

	task_lock(task);
	n = policy_format(task->mempolicy, buf, POLICY_BUF);
	task_unlock(task);
	return n;
}

static int policy_of_vma(struct task_struct *task, unsigned long addr,
			 char *buf)
{
	struct mm_struct *mm = get_task_mm(task);
	struct vm_area_struct *vma;
	int n = -ENOENT;

	if (!mm)
		return -EINVAL;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	vma = vma_lookup(mm, addr);
	if (vma)
		n = policy_format(vma->vm_policy, buf, POLICY_BUF);
	mmap_read_unlock(mm);
	mmput(mm);
	return n;
}

/* A write takes the snapshot that reads of the same open file return. */
static ssize_t policy_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char *buf = file->private_data, req[48];
	struct task_struct *task;
	unsigned long addr;
	int n, nr, fields;

	if (len >= sizeof(req))
		return -EINVAL;
	if (copy_from_user(req, ubuf, len))
		return -EFAULT;
	req[len] = '\0';
	fields = sscanf(req, "%d %lx", &nr, &addr);
	if (fields < 1 || nr <= 0)
		return -EINVAL;
	rcu_read_lock();
	task = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	if (fields == 2)
		n = policy_of_vma(task, addr, buf);
	else
		n = policy_of_task(task, buf);
	put_task_struct(task);
	if (n < 0) {
		buf[0] = '\0';
		return n;
	}
	return len;
}

static ssize_t policy_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char *buf = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static int policy_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(POLICY_BUF, GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static const struct file_operations policy_fops = {
	.owner = THIS_MODULE,
	.open = policy_open,
	.release = probe_release,
	.read = policy_read,
	.write = policy_write,
	.llseek = default_llseek,
};

/* --- the race --------------------------------------------------------- */

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
		probe_hook_put(HOOK_RACE);
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

/* Arm the race for process @nr, to start at @first. */
static int race_arm(pid_t nr, enum race_state first)
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
	if (state == RACE_REBIND_STARTED || state == RACE_COPIED ||
	    state == RACE_MIGRATE_HELD || state == RACE_LOCKED_HELD ||
	    state == RACE_LOCKED_REBINDING) {
		ret = -EBUSY;
		goto out;
	}
	/* With nobody in the hook, the completions can start afresh. */
	race_reset();
	ret = probe_hook_get(HOOK_RACE);
	if (ret)
		goto out;
	race.registered = true;
	reinit_completion(&race.copied);
	reinit_completion(&race.released);
	spin_lock(&race.lock);
	swap(race.tgid, tgid);
	race.state = first;
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
		ret = race_arm(nr, RACE_ARMED);
	} else if (sscanf(buf, "arm_migrate %d", &nr) == 1 && nr > 0) {
		ret = race_arm(nr, RACE_MIGRATE_ARMED);
	} else if (sscanf(buf, "arm_migrate_locked %d", &nr) == 1 && nr > 0) {
		ret = race_arm(nr, RACE_LOCKED_ARMED);
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
	fail_exit();
	symbol_put(mpol_race_hook_register);
	symbol_put(mpol_race_hook_unregister);
}

static int __init probe_init(void)
{
	race_init();
	probe_dir = debugfs_create_dir("mempolicy_probe", NULL);
	debugfs_create_file("alloc", 0600, probe_dir, NULL, &probe_fops);
	debugfs_create_file("race", 0600, probe_dir, NULL, &race_fops);
	debugfs_create_file("migrate_fail", 0600, probe_dir, NULL, &fail_fops);
	debugfs_create_file("policy", 0600, probe_dir, NULL, &policy_fops);
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
MODULE_DESCRIPTION("Where the kernel's allocations land under a memory policy, races held in place, failures injected and policies shown");
MODULE_LICENSE("GPL");
