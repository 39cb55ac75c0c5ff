#!/bin/bash
# Run NUMA tests that are not ours on both kernels: the base tree's own mm
# selftests that exercise memory policies and NUMA migration (migration,
# and ksm_tests' merging across nodes).  Whatever passes on the stock
# kernel must pass on the patched one.
#
#   scripts/upstream.sh TOPO...
#
# Both kernels must be built.  The tests come from the patched tree, whose
# tools/testing/selftests/mm is the base tree's, untouched.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

[ $# -gt 0 ] || die "usage: upstream.sh TOPO..."
src=$BUILD/src/patched
obj=$(realpath "$BUILD/obj/patched")
out=$(realpath -m "$BUILD/upstream")
mkdir -p "$out"
make -s -C "$src/tools/testing/selftests/mm" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $obj/usr/include" "$out/migration" "$out/ksm_tests" \
	> "$out/build.log" 2>&1 || { tail -n 20 "$out/build.log" >&2; die "cannot build the mm selftests"; }

# migration's threads are cancelled, which wants libgcc_s; its huge page
# tests want a few huge pages.  ksm_tests -N -m 1 is left out: its timing
# fails it now and then on either kernel under TCG.
cmd='export LD_LIBRARY_PATH=/root; echo 16 > /proc/sys/vm/nr_hugepages
./migration; ./ksm_tests -N -m 0 | sed "s/KSM NUMA merging/& (-N -m 0)/"'
files="$out/migration $out/ksm_tests $(realpath /lib/x86_64-linux-gnu/libgcc_s.so.1)"

bad=0
for topo in "$@"; do
	for kernel in stock patched; do
		RUN_NAME=upstream-$kernel-$topo EXTRA_FILES="$files" \
			scripts/guest.sh "$kernel" "$topo" "$cmd" > /dev/null
		echo "guest status $?" >> "$BUILD/runs/upstream-$kernel-$topo/output.log"
	done
	# One verdict per test: passed on stock, passed on patched.
	awk -v topo="$topo" '
		FNR == 1 { k++ }
		/^ok / && !/# SKIP/ { name = $0; sub(/^ok [0-9]+ /, "", name); ok[k, name] = 1; seen[name] = 1 }
		/^not ok / { name = $0; sub(/^not ok [0-9]+ /, "", name); seen[name] = 1 }
		/^guest status [1-9]/ { crashed[k] = 1 }
		END {
			for (name in seen) {
				if (ok[1, name] && !ok[2, name]) { print "not ok [" topo "] " name ": passes on stock, fails on patched"; bad = 1 }
				else print "ok [" topo "] " name (ok[1, name] ? "" : " # fails on stock too")
			}
			if (crashed[2] && !crashed[1]) { print "not ok [" topo "] the patched guest failed"; bad = 1 }
			exit bad
		}' "$BUILD/runs/upstream-stock-$topo/output.log" \
		   "$BUILD/runs/upstream-patched-$topo/output.log" || bad=1
done
[ $bad = 0 ]
