#!/bin/bash
# Write the patch series that patches/series describes into build/series/,
# as git format-patch files with a cover letter, then prove it: git am
# applies it to a pristine base tree, checkpatch --strict is clean on every
# patch, and the tree builds after each patch.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

top=$PWD
# git commit and git am want an identity; a fresh machine may have none.
git config user.email > /dev/null || export GIT_AUTHOR_NAME="NUMA placement build" \
	GIT_AUTHOR_EMAIL=build@localhost GIT_COMMITTER_NAME="NUMA placement build" \
	GIT_COMMITTER_EMAIL=build@localhost
work=$BUILD/series
out=$work/patches
rm -rf "$work"
mkdir -p "$out"

# A pristine base tree as a git repository: the series' parent commit.
base_tree() {
	mkdir -p "$1"
	tar -xJf "$BASE_TARBALL" -C "$1" --strip-components=1
	git -C "$1" init -q
	git -C "$1" add -A -f
	git -C "$1" -c core.autocrlf=false commit -q -m "Linux $(base_version | cut -d- -f1) (Debian linux-source-6.12 $(base_version))"
}
step "extracting the base tree"
base_tree "$work/linux"

# Every file that we lay over the base tree must be in some commit.
listed=$(sed -n 's/^files: *//p' patches/series | tr ' ' '\n' | grep .)
missing=$(overlay_files |
	while read -r f; do
		for l in $listed; do case "$f" in "$l"|"$l"/*) continue 2 ;; esac; done
		echo "$f"
	done)
[ -z "$missing" ] || die "files in no commit of patches/series: $missing"

# One commit per block of patches/series.
commit_block() {
	local subject=$1 files=$2 hunks=$3 removals=$4 body=$5
	for f in $files; do
		[ -e "$f" ] || die "patches/series: no file $f"
		overlay_files | while read -r g; do
			case "$g" in "$f"|"$f"/*) echo "$g" ;; esac
		done | rsync -a --files-from=- "$top/" "$work/linux/"
	done
	for p in $hunks; do
		git -C "$work/linux" apply --whitespace=error "$top/patches/$p"
	done
	for f in $removals; do
		git -C "$work/linux" rm -q "$f"
	done
	git -C "$work/linux" add -A -f
	printf '%s\n\n%s\n' "$subject" "$body" |
		git -C "$work/linux" commit -q -s -F -
}
subject= files= hunks= removals= body= inbody=0
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in
	'#'*) [ -z "$subject" ] && continue ;;
	'%% '*)
		[ -z "$subject" ] || commit_block "$subject" "$files" "$hunks" "$removals" "$body"
		subject=${line#%% } files= hunks= removals= body= inbody=0
		continue ;;
	esac
	[ -n "$subject" ] || continue
	if [ $inbody = 0 ]; then
		case "$line" in
		files:*) files="$files ${line#files:}" ;;
		patch:*) hunks="$hunks ${line#patch:}" ;;
		remove:*) removals="$removals ${line#remove:}" ;;
		staged:*) ;;
		'') inbody=1 ;;
		*) die "patches/series: unexpected '$line' in '$subject'" ;;
		esac
	else
		body="$body$line"$'\n'
	fi
done < <(active_series)
[ -z "$subject" ] || commit_block "$subject" "$files" "$hunks" "$removals" "$body"

base=$(git -C "$work/linux" rev-list --max-parents=0 HEAD)
step "formatting $(git -C "$work/linux" rev-list --count "$base"..HEAD) patches into $out"
git -C "$work/linux" format-patch -q --cover-letter -o "$(realpath "$out")" "$base"
# The cover letter's subject is the first line of patches/cover-letter and
# its blurb the rest, after the blank line.
cover=$(ls "$out"/0000-*.patch)
awk -v subject="$(head -n 1 patches/cover-letter)" '
	FNR == NR { if (FNR > 2) blurb = blurb $0 "\n"; next }
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/\*\*\* BLURB HERE \*\*\*/ { printf "%s", blurb; next }
	{ print }' patches/cover-letter "$cover" > "$cover.tmp"
mv "$cover.tmp" "$cover"
# The patches without the cover letter, as one mbox for git am.
for p in "$out"/0*.patch; do [ "$p" = "$cover" ] || cat "$p"; done > "$work/series.mbox"

# checkpatch runs with the tree, for its SPDX and kernel-doc checks.  Three
# of its checks are ignored: FILE_PATH_CHANGES asks for MAINTAINERS updates
# on every new file; UNDOCUMENTED_SETUP looks for documentation of a
# __setup() parameter only in the same patch, so it flags numa_balancing=,
# which moves to mm/mempolicy/ and is documented in kernel-parameters.txt;
# and ENOSYS flags every mention of ENOSYS, which the tools and tests use
# for what it means, a system call that the kernel lacks (page_migrate(2)
# on a kernel without it).
step "checkpatch --strict"
bad=0
for p in "$out"/0*.patch; do
	[ "$p" = "$cover" ] && continue
	# Debian's python3, which has ply for spdxcheck.py, not a pyenv's.
	if ! PATH=/usr/bin:$PATH perl "$work/linux/scripts/checkpatch.pl" --strict --quiet --root="$work/linux" --show-types \
		--ignore FILE_PATH_CHANGES,UNDOCUMENTED_SETUP,ENOSYS "$p" > "$p.checkpatch" 2>&1; then
		echo "$(basename "$p"):" >&2
		cat "$p.checkpatch" >&2
		bad=1
	fi
	rm -f "$p.checkpatch"
done
[ $bad = 0 ] || die "checkpatch --strict is not clean"

step "applying the series with git am to a pristine tree and building each step"
base_tree "$work/verify"
mkdir -p "$work/obj"
scripts/tree.sh patched
cp "$BUILD/obj/patched/.config" "$work/obj/.config"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache} CCACHE_BASEDIR=$(realpath "$BUILD")
for p in "$out"/0*.patch; do
	[ "$p" = "$cover" ] && continue
	git -C "$work/verify" am -q "$(realpath "$p")" || die "git am failed on $(basename "$p")"
	step "building after $(basename "$p")"
	make -C "$work/verify" O="$(realpath "$work/obj")" -j"$JOBS" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP=2025-01-01 olddefconfig bzImage > "$work/build.log" 2>&1 ||
		{ tail -n 30 "$work/build.log" >&2; die "the tree does not build after $(basename "$p")"; }
done
step "series ready: $out"
