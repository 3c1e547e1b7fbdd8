#!/usr/bin/env bash
# Installs the Debian packages vjit needs; does nothing when all are present.
set -euo pipefail
pkgs=(
	build-essential g++-12 gcc-12 make pkg-config
	libz3-dev z3
	libbpf-dev bpftool libelf-dev zlib1g-dev clang llvm
	libcapstone-dev binutils-dev
	nlohmann-json3-dev libcli11-dev
	libgtest-dev
	libseccomp-dev seccomp libcap-dev
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12 dkms
	qemu-system-x86 busybox-static cpio kmod iproute2 python3
	# foreign arches: cross compilers, user-mode and system emulators
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
	gcc-riscv64-linux-gnu g++-riscv64-linux-gnu binutils-riscv64-linux-gnu
	qemu-user-static qemu-system-arm qemu-system-misc
)
# Debian's arm64 kernel, headers and busybox for the arm64 VM plan are
# fetched (not installed) by scripts/fetch-arm64.sh: apt must know arm64.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" -ne 0 ]; then sudo dpkg --add-architecture arm64; else dpkg --add-architecture arm64; fi
	need_update=1
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	[ -z "${need_update:-}" ] || apt-get update -qq || sudo apt-get update -qq || true
	exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
