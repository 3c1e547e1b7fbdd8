#!/usr/bin/env bash
# Fetches riscv64 busybox-static, libcap-dev and libcap2 (for the static
# seccomp_bpf) from Debian trixie (Debian 12 has no riscv64 port), with an
# apt configuration of its own under build/riscv64/apt (the system's apt
# sources and state are not touched), and unpacks them:
#
#   build/riscv64/guest/   dpkg -x of the three packages
#
# Idempotent: unpacked once (stamp .done names the package versions).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/riscv64
A=$B/apt
D=$B/guest
log() { echo "fetch-riscv64: $*" >&2; }
[ -f "$D/.done" ] && exit 0

mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" "$A/debs"
echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$A/sources.list"
: > "$A/status"
APT=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o Dir::State="$A/state" -o Dir::State::status="$A/status" -o Dir::Cache="$A/cache"
     -o APT::Architecture=riscv64 -o APT::Architectures::=riscv64 -o APT::Sandbox::User=root -q)
log "updating trixie's riscv64 package lists (build/riscv64/apt)"
apt-get "${APT[@]}" update >/dev/null
pkgs=(busybox-static libcap-dev libcap2)
(cd "$A/debs" && rm -f ./*.deb && apt-get "${APT[@]}" download "${pkgs[@]/%/:riscv64}" >/dev/null)
rm -rf "$D" && mkdir -p "$D"
for deb in "$A/debs"/*.deb; do dpkg -x "$deb" "$D"; done
for f in usr/bin/busybox usr/lib/riscv64-linux-gnu/libcap.a usr/include/sys/capability.h; do
	[ -e "$D/$f" ] || { echo "fetch-riscv64: $f missing after unpacking" >&2; exit 1; }
done
(cd "$A/debs" && ls ./*.deb) > "$D/.done"
log "unpacked $(tr '\n' ' ' < "$D/.done")into $D"
