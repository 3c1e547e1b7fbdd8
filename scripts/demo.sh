#!/usr/bin/env bash
# make demo: after the build, the real thing in a VM: Debian's kernel boots
# under qemu, vjit.ko is loaded, a process installs a seccomp policy, and
# vjitctl shows vjit compiled it; then what the policy decided.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== vjit demo: Debian's $(ls /boot/vmlinuz-*-amd64 | sort -V | tail -1 | sed 's|/boot/vmlinuz-||') kernel in qemu, vjit.ko loaded"
selftests/vm/run.sh demo
