#!/bin/bash
# Fuzz the NUMA system calls with trinity in the guests of both kernels,
# stock first, so that a report that stock shows too is known to be
# Linux's and not ours.
#
#   scripts/fuzz.sh OPS SEED TOPO...
#
# Each guest runs scripts/guest-fuzz (/selftests/fuzz in the guest): OPS
# system calls as root and OPS as the unprivileged user.  Prints one TAP
# line per kernel and topology with its figures, then a total; exits
# non-zero if a guest's kernel reported a problem (guest.sh's splat
# check, which KASAN and the other debug checkers of DEBUG=1 feed), a
# fuzzer failed, or the guest stopped answering.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ops=${1:?usage: fuzz.sh OPS SEED TOPO...}
seed=${2:?usage: fuzz.sh OPS SEED TOPO...}
shift 2
failed=0 calls=0 start=$SECONDS
for topo in "$@"; do
	for kernel in stock patched; do
		run=$BUILD/runs/fuzz-$kernel-$topo
		RUN_NAME=fuzz-$kernel-$topo scripts/guest.sh "$kernel" "$topo" \
			"/selftests/fuzz $ops $seed" > /dev/null 2> "$BUILD/fuzz-$kernel-$topo.err"
		rc=$?
		ran=$(awk '/^fuzz: .*syscalls/ { n += $3 } END { print n + 0 }' "$run/output.log")
		calls=$((calls + ran))
		what="fuzz $kernel $topo: $ran syscalls, seed $seed"
		if [ $rc = 0 ]; then
			echo "ok - $what, no reports"
		else
			echo "not ok - $what (status $rc; console: $run/console.log)"
			cat "$run/output.log" "$BUILD/fuzz-$kernel-$topo.err" | tail -n 30 | sed 's/^/# /'
			failed=$((failed + 1))
		fi
	done
done
echo "fuzz: $calls syscalls in $((SECONDS - start)) s, $failed failed runs"
[ $failed = 0 ]
