#!/bin/bash
# Prepare the source tree and .config of one kernel flavour.
#
#   scripts/tree.sh stock|patched
#
# build/src/$flavour is the base tree extracted from Debian's tarball; the
# patched flavour gets our files laid over it and the hunks of patches/
# applied in the order of patches/series (blocks marked staged only with
# STAGED=1), and the base files that the series replaces removed.
# Objects go to build/obj/$flavour (O=), so a re-extracted tree only
# rebuilds the files whose contents changed.  The tree is extracted again
# only when the set of our files or the patches change; edits to our files
# are synced with their mtimes and picked up by an incremental make.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

flavour=${1:?usage: tree.sh stock|patched}
src=$BUILD/src/$flavour
obj=$BUILD/obj/$flavour
mkdir -p "$BUILD/src" "$obj"

if [ "$flavour" = patched ]; then
	stamp=$( { base_version; overlay_files | sort; active_series; cat $(series_patches | sed 's|^|patches/|'); } | sha1sum | cut -c1-40)
else
	stamp=$(base_version | sha1sum | cut -c1-40)
fi

if [ "$(cat "$src/.tree-stamp" 2>/dev/null)" != "$stamp" ]; then
	step "extracting base tree for $flavour"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp" "$src"
	tar -xJf "$BASE_TARBALL" -C "$src.tmp" --strip-components=1
	if [ "$flavour" = patched ]; then
		for p in $(series_patches); do
			step "applying patches/$p"
			patch -d "$src.tmp" -p1 --quiet --forward < "patches/$p"
		done
		for f in $(series_removals); do
			step "removing $f"
			rm "$src.tmp/$f"
		done
	fi
	# Only files whose contents changed get a new mtime, so that make
	# rebuilds them (tar would restore the tarball's older mtimes) and
	# nothing else.
	rsync -rlc --delete "$src.tmp/" "$src/"
	rm -rf "$src.tmp"
	echo "$stamp" > "$src/.tree-stamp"
fi

base_version > "$BUILD/base-version"

if [ "$flavour" = patched ]; then
	overlay_files | rsync -a --files-from=- . "$src/"
fi

# Configure: allnoconfig + our fragments, redone only when they change.
fragments=$(config_fragments)
# The tree's stamp too: a patch or a new base may change what Kconfig takes.
cfgstamp=$( { echo "$stamp"; cat $fragments; } | sha1sum | cut -c1-40)
if [ "$(cat "$obj/.config-stamp" 2>/dev/null)" != "$cfgstamp" ] || [ ! -e "$obj/.config" ]; then
	step "configuring $flavour"
	make -s -C "$src" O="$(realpath "$obj")" allnoconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" $fragments >/dev/null
	make -s -C "$src" O="$(realpath "$obj")" olddefconfig >/dev/null
	# merge_config only warns; an option that did not stick is an error.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) ! grep -q "^${line%=n}=[ym]" "$obj/.config" || { echo "config: $line did not stick" >&2; bad=1; } ;;
		CONFIG_*) grep -qx "$line" "$obj/.config" || { echo "config: $line did not stick: $(grep "${line%%=*}[= ]" "$obj/.config" || echo unset)" >&2; bad=1; } ;;
		esac
	done < <(cat $fragments | grep -v '^#')
	[ $bad = 0 ] || die "kernel config fragments do not apply"
	echo "$cfgstamp" > "$obj/.config-stamp"
fi
