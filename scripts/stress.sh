#!/bin/bash
# The long stress run: in each topology, the selftest stress for MINUTES
# beside Debian's stress-ng, whose NUMA and memory stressors are load that
# we did not write, and one verdict per topology.
#
#   scripts/stress.sh KERNEL MINUTES TOPO...
#
# A run fails on a kernel report (guest.sh's status 125), on anything that
# stress finds (a corrupted byte, a policy or node mask that is wrong at
# rest) and on a stress-ng failure.  Each run prints stress's figures and
# stress-ng's metrics, prefixed with the kernel and topology, then the
# kernel reports counted on the console and its verdict; the last line
# counts the runs that passed.  SEED fixes stress's seed; STRESS_ARGS adds
# options of stress, such as -F.  A stress program
# in EXTRA_FILES (guest.sh) replaces the initramfs's, to try a new build
# without a new initramfs.  Files are in build/runs/stress-KERNEL-TOPO/.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

kernel=${1:?usage: stress.sh KERNEL MINUTES TOPO...}
minutes=${2:?usage: stress.sh KERNEL MINUTES TOPO...}
shift 2
[ $# -gt 0 ] || die "no topologies to stress"
secs=$((minutes * 60))
# stress checks every task at rest after its time, slowly on a debug kernel.
export TIMEOUT=${TIMEOUT:-$((secs + $([ "$DEBUG" = 1 ] && echo 2400 || echo 900)))}

# stress-ng gets as long, and sizes that leave room in the smallest guest
# (512 MiB); its status is printed for the verdict, after its metrics.
cmd="prog=/selftests/mempolicy/stress; [ -x ./stress ] && prog=\$PWD/stress; cd /tmp
stress-ng --numa 2 --vm 1 --vm-bytes 32M --mmap 1 --mmap-bytes 16M --mremap 1 \
	--mremap-bytes 16M --madvise 1 --fork 1 --verify --metrics-brief \
	--timeout ${secs}s > /tmp/stress-ng.log 2>&1 &
\$prog -t $secs ${SEED:+-s $SEED} ${STRESS_ARGS:-}; rc=\$?
wait \$!; ng=\$?
sed 's/^/# stress-ng: /' /tmp/stress-ng.log; echo \"stress-ng-status: \$ng\"
exit \$rc"

passed=0
for topo in "$@"; do
	run=$BUILD/runs/stress-$kernel-$topo
	RUN_NAME=stress-$kernel-$topo scripts/guest.sh "$kernel" "$topo" "$cmd" |
		sed -u "s/^/[$kernel $topo] /"
	rc=${PIPESTATUS[0]}
	reports=$(grep -Ec "$KERNEL_REPORT" "$run/console.judged" 2> /dev/null)
	ng=$(sed -n 's/^stress-ng-status: //p' "$run/output.log" 2> /dev/null)
	what="stress $kernel $topo, $minutes min: $reports kernel report lines"
	# Status 4 is kselftest's skip (a topology with one node of memory).
	if [ "$rc" = 4 ] && [ "$ng" = 0 ] && [ "$reports" = 0 ]; then
		echo "ok - $what # SKIP $(sed -n 's/^.*# SKIP //p' "$run/output.log" | head -n 1)"
		passed=$((passed + 1))
	elif [ "$rc" = 0 ] && [ "$ng" = 0 ] && [ "$reports" = 0 ]; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what, stress status $rc, stress-ng status ${ng:-none}"
	fi
done
echo "$passed of $# stress runs passed"
[ "$passed" = $# ]
