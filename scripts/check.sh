#!/bin/bash
# Run the selftests in every topology on one kernel and give one verdict.
#
#   scripts/check.sh KERNEL TOPO...
#
# Each guest's TAP is printed as it comes, prefixed with its topology.  At
# the end the failures are listed again, each test's "not ok" line with the
# assertions it printed, so that the tail of a long log (all that CI keeps)
# says what failed.  The last line is "N passed, N failed, N skipped"; the
# exit status is non-zero when anything failed, including a guest whose
# kernel reported a problem.
# GUEST_CMD replaces the guest's test runner, /selftests/run.
#
# On the patched kernel, each topology also gets a short differential
# conformance run against the stock kernel (scripts/conformance.sh):
# CONFORMANCE_CALLS calls (0: none) from CONFORMANCE_SEED.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

kernel=${1:?usage: check.sh KERNEL TOPO...}
shift
[ $# -gt 0 ] || die "no topologies to check"
passed=0 failed=0 skipped=0
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT
for topo in "$@"; do
	scripts/guest.sh "$kernel" "$topo" "${GUEST_CMD:-/selftests/run}" | sed -u "s/^/[$kernel $topo] /"
	rc=${PIPESTATUS[0]}
	out=$BUILD/runs/$kernel-$topo/output.log
	read -r p f s < <(awk '
		/^not ok /		{ f++; next }
		/^ok .*# SKIP/		{ s++; next }
		/^ok /			{ p++ }
		END			{ print p + 0, f + 0, s + 0 }' "$out" 2>/dev/null || echo 0 0 0)
	# A guest that failed on its own (a kernel splat, a crash, a timeout)
	# or whose tests reported nothing is one more failure.
	if [ "$rc" != 0 ] && [ "$f" = 0 ] || [ $((p + f + s)) = 0 ]; then
		echo "not ok [$kernel $topo] guest run failed (status $rc)" |
			tee -a "$failures"
		f=$((f + 1))
	fi
	# A failed test's own lines: what it printed after its "#  RUN" line
	# (the first 20), then its "not ok".
	awk -v t="[$kernel $topo] " '
		/^# +RUN /	{ held = ""; n = 0 }
		/^# /		{ if (n++ < 20) held = held t $0 "\n"; next }
		/^ok /		{ held = ""; next }
		/^not ok /	{ printf "%s%s%s\n", held, t, $0; held = "" }' \
		"$out" 2>/dev/null >>"$failures"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))

	if [ "$kernel" = patched ] && [ "${CONFORMANCE_CALLS:-20000}" != 0 ] && [ -z "${GUEST_CMD:-}" ]; then
		if scripts/conformance.sh "${CONFORMANCE_SEED:-1}" "${CONFORMANCE_CALLS:-20000}" "$topo"; then
			passed=$((passed + 1))
		else
			echo "not ok [$kernel $topo] conformance" >>"$failures"
			failed=$((failed + 1))
		fi
	fi
done
if [ -s "$failures" ]; then
	echo "The failures again:"
	cat "$failures"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
