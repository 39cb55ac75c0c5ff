# Shared settings and helpers of the build scripts; sourced, not run.
# DEBUG=1: kernels with KASAN, KFENCE, UBSAN and the other checkers of
# scripts/debug.config, built apart in build/debug.
DEBUG=${DEBUG:-0}
if [ "$DEBUG" = 1 ]; then BUILD=${BUILD:-build/debug}; else BUILD=${BUILD:-build}; fi
BASE_TARBALL=${BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-$(nproc)}

# What a kernel prints when it reports a problem: any of these on the
# console fails a run (scripts/guest.sh), whatever the command said.
KERNEL_REPORT='\[ cut here \]|Kernel panic|Oops|BUG:|WARNING:|KASAN:|UBSAN:|general protection fault|Call Trace:|INFO: task .* blocked|INFO: rcu_.* stall|suspicious RCU usage|possible (circular|recursive) locking|inconsistent lock state'

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian package version of the base tree, e.g. 6.12.117-1~deb12u1.
base_version() { dpkg-query -W -f='${Version}\n' linux-source-6.12; }

# The linux-source-6.12 package that the series is built and tested on.
BASE_VERSION=${BASE_VERSION:-6.12.117-1~deb12u1}

# Our files that are laid over the base tree, as paths from the top,
# tracked or not (but not ignored).
overlay_files() {
	git ls-files -co --exclude-standard -- mm kernel include \
		tools/testing/selftests/mempolicy tools/numajob Documentation
}

# patches/series without the blocks marked 'staged: yes', unless STAGED=1:
# work that lands on main before it is ready to replace the base tree's.
STAGED=${STAGED:-0}
active_series() {
	awk -v staged="$STAGED" '
		/^%% / { flush(); keep = 1 }
		/^staged: *yes/ && staged != 1 { keep = 0 }
		{ block = block $0 "\n" }
		function flush() { if (keep) printf "%s", block; block = "" }
		BEGIN { keep = 1 }
		END { flush() }' patches/series
}

# The hunks of patches/ in the order that patches/series gives, and the
# base-tree files that the series removes.
series_patches() { active_series | sed -n 's/^patch: *//p'; }
series_removals() { active_series | sed -n 's/^remove: *//p' | tr ' ' '\n' | grep . || true; }

# The kernel config fragments, merged onto allnoconfig in this order.
config_fragments() {
	echo scripts/base.config tools/testing/selftests/mempolicy/config
	[ "$DEBUG" != 1 ] || echo scripts/debug.config
}
