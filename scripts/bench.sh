#!/bin/bash
# make bench: the benchmark on the stock and the patched kernel, side by side.
#
#   scripts/bench.sh          ROUNDS rounds (5), full sizes
#   QUICK=1 scripts/bench.sh  one round, small sizes (CI)
#
# Each round boots both kernels in the bench topology, one after the other,
# and runs tools/testing/selftests/mempolicy/bench in the guest; the order
# of the two kernels alternates from round to round so that drift on a
# shared machine hits both alike.  The program prints "row NAME VALUE UNIT
# DESCRIPTION" lines; scripts/bench-report.py takes the medians and ratios
# of those and prints the table, writes build/bench/results.json and the
# data of the plots, which scripts/bench.gp draws.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

rounds=${ROUNDS:-5} arg=
if [ "${QUICK:-0}" = 1 ]; then
	rounds=1 arg=quick
fi
out=$BUILD/bench
rm -rf "$out"
mkdir -p "$out"

status=0
for ((round = 1; round <= rounds; round++)); do
	kernels="stock patched"
	[ $((round % 2)) = 1 ] || kernels="patched stock"
	for kernel in $kernels; do
		step "round $round of $rounds: $kernel kernel"
		# The guest's output is kept whatever happens: a failed check
		# (page contents after a move) shows as an error line in it.
		if ! RUN_NAME=bench-$kernel scripts/guest.sh "$kernel" bench \
			"/selftests/mempolicy/bench $arg" > "$out/$kernel-$round.txt"; then
			echo "bench: the $kernel kernel's run $round failed;" \
				"see $BUILD/runs/bench-$kernel/" >&2
			status=1
		fi
	done
done

python3 scripts/bench-report.py "$out" "$rounds" | tee "$out/table.txt"
gnuplot -e "dir='$out'" scripts/bench.gp || status=1
step "results: $out/results.json, plots: $out/wait.png $out/faults.png"
exit $status
