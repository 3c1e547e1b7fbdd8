#!/usr/bin/env bash
# make bench-vm: in one boot of Debian's kernel (qemu TCG), the cost per
# syscall through a ~300-rule seccomp filter (docker's default allowlist,
# one compare per syscall, the measured syscall denied so the filter runs in
# full) under the kernel's interpreter, the kernel's JIT and vjit, as ratios
# against the kernel's JIT; and the compile time per program, vjit vs the
# kernel's JIT (both measured inside the kernel by vjit's counters).
# TCG emulates the CPU: ratios are meaningful, absolute ns are not.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec selftests/vm/run.sh bench
