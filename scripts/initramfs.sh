#!/bin/bash
# Build the guest's base initramfs, build/initramfs.cpio: busybox, Debian's
# numactl tools with the shared libraries they load, trinity and stress-ng
# for the fuzzing and stress runs, numajob, the selftests
# from build/selftests, /init, and an unprivileged user 'tester' (uid 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

root=$BUILD/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,selftests}
chmod 1777 "$root/tmp"

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# A dynamically linked program and every library it loads, at the paths
# where the loader looks for them.
add_program() {
	install -D -m 755 "$1" "$root$1"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 755 "$(realpath "$lib")" "$root$lib"
	done
}
for p in numactl migratepages memhog numastat migspeed trinity stress-ng; do
	add_program "/usr/bin/$p"
done

cp -a "$BUILD/selftests/." "$root/selftests/"
install -m 755 "$BUILD/tools/numajob" "$root/usr/bin/numajob"
install -m 755 scripts/guest-init "$root/init"
cat > "$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:unprivileged test user:/tmp:/bin/sh
PW
cat > "$root/etc/group" <<'GR'
root:x:0:
tester:x:1000:
GR

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$BUILD/initramfs.cpio.tmp"
mv "$BUILD/initramfs.cpio.tmp" "$BUILD/initramfs.cpio"
