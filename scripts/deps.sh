#!/bin/bash
# Install what the build and the guests need, with apt-get, when missing.
# The base tree's package version is pinned in BASE_VERSION; when the
# archive no longer serves it, the newest 6.12 source is used and the build
# says so.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

packages="build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
	rsync kmod ccache git qemu-system-x86 busybox-static numactl libnuma-dev
	python3-ply python3-git e2fsprogs gnuplot-nox trinity stress-ng"

# dpkg-query fails for packages that dpkg has never heard of: those are
# missing too, and the awk below finds them.
missing=$({ dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null || true; } |
	awk '$NF == "installed" { ok[$1] = 1 } END { for (p in ok) print p }' |
	sort | comm -13 - <(printf '%s\n' $packages | sort))
have_base=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)

[ -z "$missing" ] && [ "$have_base" = "$BASE_VERSION" ] && exit 0
[ "$(id -u)" = 0 ] || die "missing packages ($missing linux-source-6.12); run as root to install them"

step "installing packages:" $missing "linux-source-6.12=$BASE_VERSION"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
if [ "$have_base" != "$BASE_VERSION" ]; then
	if ! apt-get install -y -qq --no-install-recommends --allow-downgrades \
		"linux-source-6.12=$BASE_VERSION" >/dev/null; then
		echo "warning: linux-source-6.12 $BASE_VERSION is no longer served; using the newest" >&2
		apt-get install -y -qq --no-install-recommends linux-source-6.12 >/dev/null
	fi
fi
step "base tree: linux-source-6.12 $(base_version)"
