#!/bin/bash
# Build the mempolicy selftests and their test module from the patched tree
# into build/selftests, and numajob into build/tools, against the patched
# tree's UAPI headers, and list the selftests in run order.
#
#   scripts/selftests.sh [stock|patched]
#
# The module is built against the kernel named (built already); it loads
# into the other one too: same version, same config, and it uses no symbol
# that we add.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

kernel=${1:-patched}

scripts/tree.sh patched
src=$BUILD/src/patched
obj=$(realpath "$BUILD/obj/patched")
out=$(realpath -m "$BUILD/selftests/mempolicy")
mkdir -p "$out"
make -s -C "$src" O="$obj" headers > /dev/null
make -s -C "$src/tools/testing/selftests/mempolicy" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $obj/usr/include" KDIR="$(realpath "$BUILD/obj/$kernel")" all
cp "$src"/tools/testing/selftests/mempolicy/test_modules/*.ko "$out/"
# numajob, for the guests' /usr/bin and the job selftests.
mkdir -p "$BUILD/tools"
make -s -C tools/numajob OUTPUT="$(realpath "$BUILD/tools")/" \
	KHDR_INCLUDES="-isystem $obj/usr/include"
# The tests in the order of the Makefile's TEST_GEN_PROGS, as make sees it.
echo 'print-tests: ; @echo $(notdir $(TEST_GEN_PROGS))' |
	make -s --no-print-directory -C "$src/tools/testing/selftests/mempolicy" \
		OUTPUT="$out" -f Makefile -f - print-tests | tr ' ' '\n' | grep . > "$out/tests.list"
install -m 755 scripts/guest-selftests "$BUILD/selftests/run"
install -m 755 scripts/guest-fuzz "$BUILD/selftests/fuzz"
