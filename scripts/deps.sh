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
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
