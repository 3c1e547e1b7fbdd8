#!/usr/bin/env bash
# Fetches Debian 12's arm64 kernel (linux-image-arm64, its headers, its
# modules: test_bpf.ko), busybox-static:arm64 and libcap-dev:arm64 (for the
# static seccomp_bpf), and unpacks them without installing a foreign kernel:
#
#   build/arm64/<kver>/root/   dpkg -x of every package (usr/src/linux-headers-
#                              <kver> is a Kbuild tree; its host tools come
#                              from linux-kbuild-6.1 amd64 of the same version)
#   build/arm64/kver           <kver>, for the makefiles and the VM plan
#
# Idempotent: a tree is unpacked once per package version (stamp .done).
# Needs `dpkg --add-architecture arm64` (done here when missing; as root).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/arm64
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
log() { echo "fetch-arm64: $*" >&2; }

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding the arm64 architecture to dpkg"
	$SUDO dpkg --add-architecture arm64
	$SUDO apt-get update -qq
fi
# linux-image-arm64 -> linux-image-<kver>; the headers follow the same kver.
dep_of() { apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \([^ <>]*\).*/\1/p' | head -1; }
img=$(dep_of linux-image-arm64:arm64)
if [ -z "$img" ]; then
	$SUDO apt-get update -qq
	img=$(dep_of linux-image-arm64:arm64)
fi
[ -n "$img" ] || { echo "fetch-arm64: apt knows no linux-image-arm64:arm64" >&2; exit 1; }
img=${img%:arm64}
kver=${img#linux-image-}
ver=$(apt-cache show "$img:arm64" | sed -n 's/^Version: //p' | head -1)
common=linux-headers-${kver%-arm64}-common
D=$B/$kver
if [ -f "$D/.done" ] && [ "$(cat "$D/.done")" = "$ver" ]; then
	echo "$kver" > "$B/kver"
	exit 0
fi

log "fetching $img $ver, its headers, busybox, libcap"
mkdir -p "$B/debs"
# linux-kbuild-6.1 is Multi-Arch: foreign; the amd64 build of the same
# version runs the headers' host tools (fixdep, modpost) on this machine.
line=$(echo "$ver" | cut -d. -f1,2)
pkgs=("$img:arm64=$ver" "linux-headers-$kver:arm64=$ver" "$common=$ver"
      "linux-kbuild-$line:amd64=$ver")
pkgs+=(busybox-static:arm64 libcap-dev:arm64 libcap2:arm64)
(cd "$B/debs" && apt-get download -q "${pkgs[@]}" >/dev/null)

rm -rf "$D" && mkdir -p "$D/root"
for p in "$img" "linux-headers-$kver" "$common" "linux-kbuild-$line" busybox-static libcap-dev libcap2; do
	for deb in "$B/debs/${p}"*_arm64.deb "$B/debs/${p}"*_amd64.deb "$B/debs/${p}"*_all.deb; do
		[ -f "$deb" ] || continue
		case "$deb" in *"_${ver}_"* | *busybox* | *libcap*) ;; *) continue ;; esac # older downloads
		dpkg -x "$deb" "$D/root"
	done
done
# The headers' Makefile names the common tree by its installed path.
sed -i "s|^include /usr/src/|include $D/root/usr/src/|" "$D/root/usr/src/linux-headers-$kver/Makefile"
for f in "boot/vmlinuz-$kver" "usr/src/linux-headers-$kver/Makefile" \
	"usr/lib/linux-kbuild-$line/scripts/basic/fixdep" bin/busybox \
	usr/lib/aarch64-linux-gnu/libcap.a; do
	f2=$(ls -d "$D/root/"$f 2>/dev/null | head -1)
	[ -n "$f2" ] || { echo "fetch-arm64: $f missing after unpacking" >&2; exit 1; }
done
find "$D/root/lib/modules/$kver" -name 'test_bpf.ko*' | grep -q . ||
	{ echo "fetch-arm64: test_bpf.ko not in $img" >&2; exit 1; }
echo "$ver" > "$D/.done"
echo "$kver" > "$B/kver"
log "unpacked into $D/root"
