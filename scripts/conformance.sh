#!/bin/bash
# Differential conformance: run the same seeded random sequence of NUMA
# system calls on the stock and the patched kernel and compare the two
# transcripts line by line.
#
#   scripts/conformance.sh SEED CALLS TOPO...
#
# Prints one TAP line per topology and exits non-zero if any transcript
# differs or a guest failed.  Transcripts are kept in build/conformance/.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

seed=${1:?usage: conformance.sh SEED CALLS TOPO...}
calls=${2:?usage: conformance.sh SEED CALLS TOPO...}
shift 2
dir=$BUILD/conformance
mkdir -p "$dir"
failed=0

# The transcript travels compressed: it is large, and the serial port slow.
transcript() {
	RUN_NAME=$1-$2-conformance \
	scripts/guest.sh "$1" "$2" "/selftests/mempolicy/conformance $seed $calls | gzip -c | base64" \
		2> "$dir/$1-$2.err" | base64 -d | gunzip > "$dir/$1-$2.txt" && [ "${PIPESTATUS[0]}" = 0 ]
}

for topo in "$@"; do
	what="conformance $topo: seed $seed, $calls calls"
	if ! transcript stock "$topo" || ! transcript patched "$topo"; then
		echo "not ok - $what: a guest failed"
		tail -n 20 "$dir"/*-"$topo".err | sed 's/^/# /'
		failed=$((failed + 1))
		continue
	fi
	got=$(wc -l < "$dir/patched-$topo.txt")
	if [ "$got" != "$calls" ] || [ "$(wc -l < "$dir/stock-$topo.txt")" != "$calls" ]; then
		echo "not ok - $what: short transcript"
		failed=$((failed + 1))
	elif ! cmp -s "$dir/stock-$topo.txt" "$dir/patched-$topo.txt"; then
		echo "not ok - $what: transcripts differ (stock <, patched >)"
		diff "$dir/stock-$topo.txt" "$dir/patched-$topo.txt" | head -n 10 | sed 's/^/# /'
		failed=$((failed + 1))
	else
		echo "ok - $what: transcripts identical"
	fi
done
[ $failed = 0 ]
