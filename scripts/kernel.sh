#!/bin/bash
# Build the stock or patched kernel image, incrementally, with ccache.
# Prints a progress line now and then; the full log is in build/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

flavour=${1:?usage: kernel.sh stock|patched}
scripts/tree.sh "$flavour"
mkdir -p "$BUILD/logs"
log=$BUILD/logs/kernel-$flavour.log
step "building the $flavour kernel (log: $log)"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Paths relative to build/, so that the stock, patched and series trees share hits.
export CCACHE_BASEDIR=$(realpath "$BUILD")
# A fixed timestamp keeps the objects identical between rebuilds, which is
# what lets ccache hit.
set +e
make -C "$BUILD/src/$flavour" O="$(realpath "$BUILD/obj/$flavour")" -j"$JOBS" \
	CC="ccache gcc" KBUILD_BUILD_TIMESTAMP=2025-01-01 \
	KBUILD_BUILD_USER=numa KBUILD_BUILD_HOST=guest bzImage modules > "$log" 2>&1 &
make_pid=$!
# Progress: a count of compiled files every 20 seconds while make runs.
ticks=0
while kill -0 $make_pid 2>/dev/null; do
	sleep 1
	ticks=$((ticks + 1))
	[ $((ticks % 20)) = 0 ] && kill -0 $make_pid 2>/dev/null &&
		printf '    %s files compiled, last %s\n' "$(grep -c '^  CC ' "$log")" \
			"$(grep '^  CC ' "$log" | tail -n 1 | awk '{print $2}')" >&2
done
wait $make_pid
rc=$?
set -e
if [ $rc != 0 ]; then
	grep -E -B2 -A5 'error:|Error [0-9]' "$log" | head -n 40 >&2
	die "the $flavour kernel did not build; see $log"
fi
