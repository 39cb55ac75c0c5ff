#!/bin/bash
# Check the harness itself: a kernel that WARNs or BUGs, a guest that
# hangs, a failing test and a failing command must each fail the run that
# saw them, and a passing one must pass.  Prints TAP and a summary line.
#
#   scripts/harness-check/run.sh [KERNEL]
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/common.sh

kernel=${1:-patched}
obj=$(realpath "$BUILD/obj/$kernel")
make -s -C "$BUILD/src/$kernel" O="$obj" M="$PWD/scripts/harness-check" modules > /dev/null ||
	die "cannot build the splat module"
module=$(realpath scripts/harness-check/splat.ko)

n=0 failed=0
# expect WHAT STATUS MESSAGE COMMAND...: the command exits with STATUS and
# its output (stdout or stderr) has a line matching MESSAGE.
expect() {
	local what=$1 want=$2 msg=$3 rc
	shift 3
	n=$((n + 1))
	"$@" > "$BUILD/harness-check.out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$msg" "$BUILD/harness-check.out"; then
		echo "ok $n harness: $what"
	else
		echo "not ok $n harness: $what (status $rc, want $want and '$msg')"
		sed 's/^/#   /' "$BUILD/harness-check.out" | tail -n 15
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..8"
expect "a command's exit status comes through" 3 "hello" \
	scripts/guest.sh "$kernel" 2node 'echo hello; exit 3'
expect "a WARNING fails the run" 125 "harness check: a deliberate warning" \
	env EXTRA_FILES="$module" scripts/guest.sh "$kernel" 2node 'insmod splat.ko splat=warn; true'
expect "a BUG fails the run" 125 "kernel BUG at" \
	env EXTRA_FILES="$module" scripts/guest.sh "$kernel" 2node 'insmod splat.ko splat=bug; true'
expect "a panic fails the run" 125 "Kernel panic" \
	scripts/guest.sh "$kernel" 2node 'echo c > /proc/sysrq-trigger; true'
expect "a hung guest times out" 125 "timed out" \
	env TIMEOUT=20 scripts/guest.sh "$kernel" 2node 'sleep 600'
expect "a failing test fails make check" 1 "^1 passed, 1 failed, 0 skipped$" \
	env GUEST_CMD='echo "ok 1 a"; echo "not ok 2 b"' scripts/check.sh "$kernel" 2node
expect "make check names its failures again in its last lines" 1 "^\[$kernel 2node\] not ok 2 b$" \
	env GUEST_CMD='echo "ok 1 a"; echo "not ok 2 b"; echo "ok 3 c"' \
	bash -o pipefail -c "scripts/check.sh $kernel 2node | tail -n 2"
expect "a WARNING fails make check whatever the tests say" 1 "^1 passed, 1 failed, 0 skipped$" \
	env EXTRA_FILES="$module" GUEST_CMD='insmod splat.ko; echo "ok 1 a"' scripts/check.sh "$kernel" 2node
echo "$((n - failed)) passed, $failed failed"
[ $failed = 0 ]
