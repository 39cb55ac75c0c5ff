#!/bin/bash
# Boot a kernel in a QEMU (TCG) guest with a NUMA topology and run a command.
#
#   scripts/guest.sh KERNEL TOPO [CMD]
#
# KERNEL is stock or patched, TOPO a file name under scripts/topologies/,
# CMD a shell command line (also taken from the environment).  Without CMD
# and with a terminal on stdin, the guest shows its NUMA hardware and gives
# a shell; without a terminal, CMD is 'numactl --hardware'.  Files named in
# EXTRA_FILES are copied into the guest's /root, where CMD starts.  The run
# keeps its files in build/runs/KERNEL-TOPO, or build/runs/$RUN_NAME.
#
# A node of the topology file may also have dimm=MiB: a hot-pluggable DIMM
# (QEMU's pc-dimm, in a slot of its own) beside its boot memory, a whole
# number of memory blocks (128 MiB on x86_64).  The kernel finds it in the
# ACPI tables at boot and, as the default online policy is offline, adds
# its memory blocks offline: /sys/devices/system/memory/memoryN/state says
# offline and /sys/devices/system/node/nodeX/memoryN links them to their
# node, whose memory does not count them until a test onlines them.
#
# The guest gets a small ext4 disk as /dev/vda, mounted at /mnt/ext4: a
# fresh copy of build/ext4.img in every run.
#
# The command's output (the guest's second serial port) goes to stdout and
# build/runs/KERNEL-TOPO/output.log; the kernel console (the first serial
# port) goes to console.log beside it.
# The exit status is the command's, or 125 when the kernel reported a
# panic, oops, BUG, WARNING, KASAN or lockdep splat, or the guest timed out
# or died, whatever the command said.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

kernel=${1:?usage: guest.sh KERNEL TOPO [CMD]}
topo=${2:?usage: guest.sh KERNEL TOPO [CMD]}
cmd=${3-${CMD:-}}
interactive=0
if [ -z "$cmd" ]; then
	if [ -t 0 ]; then interactive=1; else cmd='numactl --hardware'; fi
fi
# A debug kernel (KASAN, page poisoning) runs several times slower.
timeout=${TIMEOUT:-$([ "$DEBUG" = 1 ] && echo 3600 || echo 900)}
topofile=scripts/topologies/$topo
image=$BUILD/obj/$kernel/arch/x86/boot/bzImage
[ -f "$topofile" ] || die "no topology '$topo'; have: $(ls scripts/topologies | tr '\n' ' ')"
[ -f "$image" ] || die "no $kernel kernel at $image; run make first"
[ -f "$BUILD/initramfs.cpio" ] || die "no initramfs; run make first"

# --- topology file -> QEMU arguments -------------------------------------
declare -A mem cpus offline dimm dist
nodes=()
while read -r kw a b c; do
	case "$kw" in
	''|'#'*) ;;
	node)
		nodes+=("$a"); mem[$a]=0; cpus[$a]=0; offline[$a]=0; dimm[$a]=0
		for kv in $b $c; do
			case "$kv" in
			mem=*) mem[$a]=${kv#mem=} ;;
			cpus=*) cpus[$a]=${kv#cpus=} ;;
			offline) offline[$a]=1 ;;
			dimm=*) dimm[$a]=${kv#dimm=} ;;
			*) die "$topofile: unknown node attribute '$kv'" ;;
			esac
		done ;;
	distance) dist[$a,$b]=$c; dist[$b,$a]=$c ;;
	*) die "$topofile: unknown line '$kw $a $b $c'" ;;
	esac
done < <(sed 's/#.*//' "$topofile")

# A debug kernel keeps about a fifth of all memory for itself, all of it
# on node 0 (KASAN's shadow alone is an eighth), which leaves a node 0 of
# 128 or 256 MiB too little to bind a test to: there, node 0 gets a
# quarter of the topology's memory more, and the guest's topology says so.
if [ "$DEBUG" = 1 ] && [ "${mem[0]:-0}" -gt 0 ]; then
	extra=0
	for n in "${nodes[@]}"; do extra=$((extra + mem[$n])); done
	mem[0]=$((mem[0] + extra / 4))
fi

# Every CPU is a socket of its own, so no package spans two nodes.  Only
# CPU 0 comes from -smp; the others are plugged as devices, which lets an
# offline node own a CPU slot that is never present: the firmware tables
# then name its node, Linux keeps the node id, and the node stays offline.
args=() slots=0 present=0 total_mem=0
for n in "${nodes[@]}"; do
	if [ "${mem[$n]}" -gt 0 ]; then
		args+=(-object "memory-backend-ram,id=m$n,size=${mem[$n]}M"
		       -numa "node,nodeid=$n,memdev=m$n")
		total_mem=$((total_mem + mem[$n]))
	else
		args+=(-numa "node,nodeid=$n")
	fi
	for ((i = 0; i < cpus[$n]; i++)); do
		args+=(-numa "cpu,node-id=$n,socket-id=$slots")
		if [ "${offline[$n]}" = 0 ]; then
			[ $slots = 0 ] || args+=(-device "qemu64-x86_64-cpu,socket-id=$slots,core-id=0,thread-id=0")
			present=$((present + 1))
		elif [ $slots = 0 ]; then
			die "$topofile: the first CPU must belong to an online node"
		fi
		slots=$((slots + 1))
	done
done
# The DIMMs, each in a slot of its own above the boot memory.  QEMU wants
# maxmem to cover the boot memory and every DIMM; the kernel adds memory in
# whole blocks, so a DIMM that is not a multiple of 128 MiB would not come.
dimm_slots=0 dimm_mem=0
for n in "${nodes[@]}"; do
	[ "${dimm[$n]}" -gt 0 ] || continue
	[ $((dimm[$n] % 128)) = 0 ] ||
		die "$topofile: node $n: dimm=${dimm[$n]} is not a multiple of 128 MiB"
	[ "${offline[$n]}" = 0 ] || die "$topofile: node $n: an offline node has no DIMM"
	args+=(-object "memory-backend-ram,id=d$n,size=${dimm[$n]}M"
	       -device "pc-dimm,id=dimm$n,memdev=d$n,node=$n")
	dimm_slots=$((dimm_slots + 1))
	dimm_mem=$((dimm_mem + dimm[$n]))
done
# Memory above 4 GiB, where QEMU puts the DIMMs, makes Linux set aside a
# 64 MiB bounce buffer from the last node for devices that cannot reach
# it; the guest's virtio devices can, and the node keeps its memory.
mem_arg=${total_mem}M dimm_append=
[ $dimm_slots = 0 ] || {
	mem_arg="${total_mem}M,slots=$dimm_slots,maxmem=$((total_mem + dimm_mem))M"
	dimm_append=swiotlb=noforce
}
if [ ${#nodes[@]} -gt 1 ]; then
	for a in "${nodes[@]}"; do
		for b in "${nodes[@]}"; do
			[ "$a" -lt "$b" ] || continue
			args+=(-numa "dist,src=$a,dst=$b,val=${dist[$a,$b]:-20}")
		done
	done
fi

# --- the run's own initramfs: base image plus command and topology ------
run=$BUILD/runs/${RUN_NAME:-$kernel-$topo}
rm -rf "$run"
mkdir -p "$run/extra/etc/guest"
awk -v mem0="${mem[0]:-0}" '$1 == "node" && $2 == 0 { sub(/ mem=[0-9]+/, " mem=" mem0) } 1' \
	"$topofile" > "$run/extra/etc/guest/topology"
printf '%s\n' "$cmd" > "$run/extra/etc/guest/cmd"
if [ -n "${EXTRA_FILES:-}" ]; then
	mkdir -p "$run/extra/root"
	cp $EXTRA_FILES "$run/extra/root/"
fi
(cd "$run/extra" && find . | cpio -o -H newc --quiet) > "$run/extra.cpio"
cat "$BUILD/initramfs.cpio" "$run/extra.cpio" > "$run/initramfs.cpio"

# --- a small ext4 disk, for tests of file mappings on a disk file system --
# Made once; every run gets it with snapshot=on, so that its writes go to
# a temporary overlay and no run sees what an earlier one left there.
disk=$BUILD/ext4.img
if [ ! -f "$disk" ]; then
	rm -f "$disk.tmp"
	truncate -s 64M "$disk.tmp"
	mkfs.ext4 -q -F -L guest-ext4 "$disk.tmp"
	mv "$disk.tmp" "$disk"
fi

qemu=(qemu-system-x86_64 -accel tcg -nodefaults -display none -no-reboot
      -m "$mem_arg" -smp "1,sockets=$slots,cores=1,threads=1,maxcpus=$slots"
      "${args[@]}" -kernel "$image" -initrd "$run/initramfs.cpio"
      -drive "file=$disk,if=virtio,format=raw,snapshot=on")
# A debug kernel interprets the firmware's AML slowly: on a busy host its
# evaluation of the PCI routing method (_PRT, a loop on QEMU's i440fx)
# can pass ACPI's 30 s loop timeout, and then the disk gets no interrupt
# and the guest hangs at boot.  The BIOS's PCI IRQ table routes the same.
debug_append=
[ "$DEBUG" != 1 ] || debug_append=pci=noacpi
append="possible_cpus=$present panic=-1 loglevel=7 $dimm_append $debug_append ${APPEND:-}"

if [ $interactive = 1 ]; then
	step "booting $kernel kernel, topology $topo (Ctrl-A X quits)"
	exec "${qemu[@]}" -serial mon:stdio -append "console=ttyS0 $append"
fi

step "booting $kernel kernel, topology $topo"
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -monitor none \
	-serial "file:$run/console.log" -serial stdio \
	-append "console=ttyS0 $append" < /dev/null |
	tr -d '\r' | tee "$run/output.log" | grep -v '^guest-exit-status:'
qemu_rc=${PIPESTATUS[0]}
set -e

# --- verdict ---------------------------------------------------------------
# Kernel reports (common.sh) fail a run whatever the command printed.
splat=$KERNEL_REPORT
rc=$(sed -n 's/^guest-exit-status: \([0-9][0-9]*\)$/\1/p' "$run/output.log" | tail -n 1)
# The OOM killer's report carries a stack dump but is no kernel bug, and
# the oom selftest provokes it: judge the console without the reports, from
# "invoked oom-killer:" to the "Out of memory" line that ends each (so that
# a panic for want of a victim still counts).
awk '/invoked oom-killer:/ { oom = 1 } !oom { print } oom && /[Oo]ut of memory/ { oom = 0 }' \
	"$run/console.log" > "$run/console.judged"
if grep -Eq "$splat" "$run/console.judged"; then
	echo "guest: the $kernel kernel reported a problem in topology $topo:" >&2
	{ grep -E -m 5 -A 25 "$splat" "$run/console.judged" || true; } | head -n 60 >&2 || true
	rc=125
elif [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	echo "guest: timed out after ${timeout}s in topology $topo; console: $run/console.log" >&2
	tail -n 20 "$run/console.log" >&2
	rc=125
elif [ -z "$rc" ]; then
	echo "guest: died before the command finished (qemu exit $qemu_rc); console: $run/console.log" >&2
	tail -n 20 "$run/console.log" >&2
	rc=125
fi
exit "$rc"
