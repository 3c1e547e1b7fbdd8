#!/bin/sh
# Builds Debian 12's linux-source-6.1 for riscv64 (Debian 12 has no riscv64
# port): a small -M virt config with what the VM suites need, the Image,
# the in-tree modules (test_bpf.ko) and a tree to build external modules in.
# Output: build/riscv64/<source version>/{Image,tree/,root/lib/modules/},
# build/riscv64/kver naming it; a rerun with the output of this script's
# version in place only checks it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/riscv64
TAR=/usr/src/linux-source-6.1.tar.xz
SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
O=$B/$SRCVER
MK="make -s -C $O/tree ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j${JOBS:-2}"
# The stamp names this script's contents: a changed configuration rebuilds.
STAMP=$(sha256sum "$0" | cut -d' ' -f1)
[ "$(cat "$O/ok" 2>/dev/null)" = "$STAMP" ] && { cp "$O/kver" "$B/kver"; exit 0; }
rm -rf "$O"; mkdir -p "$O/tree"
tar -xJf "$TAR" -C "$O/tree" --strip-components=1
# tinyconfig plus: 64-bit with FPU and SMP on -M virt (PLIC, ns16550 on
# ttyS0), a userspace that runs busybox and the kselftests, BPF with the
# stock JIT and the interpreter (JIT not always on, as Debian), seccomp,
# read-only/executable kernel and module memory (as Debian),
# modules with kallsyms (vjit resolves symbols through it, found by a
# kprobe), ftrace with regs (vjit's hook), test_bpf as a module, and the
# sockets the socket filter and diag tests use.
$MK tinyconfig >/dev/null
opts="ARCH_RV64I 64BIT SOC_VIRT SMP FPU MMU RISCV_SBI SIFIVE_PLIC
 PRINTK BUG BASE_FULL FUTEX EPOLL SIGNALFD TIMERFD EVENTFD AIO
 SHMEM ADVISE_SYSCALLS MEMBARRIER MULTIUSER POSIX_TIMERS
 BINFMT_ELF BINFMT_SCRIPT PROC_FS SYSFS TMPFS DEVTMPFS DEVTMPFS_MOUNT
 BLK_DEV_INITRD RD_GZIP TTY SERIAL_8250 SERIAL_8250_CONSOLE SERIAL_OF_PLATFORM
 RUNTIME_TESTING_MENU MODULES MODULE_UNLOAD KALLSYMS KALLSYMS_ALL KPROBES
 FTRACE FUNCTION_TRACER DYNAMIC_FTRACE DYNAMIC_FTRACE_WITH_REGS
 BPF_SYSCALL BPF_JIT SECCOMP SECCOMP_FILTER STRICT_KERNEL_RWX STRICT_MODULE_RWX
 NET INET UNIX PACKET INET_DIAG INET_TCP_DIAG INET_UDP_DIAG UNIX_DIAG PACKET_DIAG
 NETLINK_DIAG"
args=""
for o in $opts; do args="$args -e $o"; done
"$O/tree/scripts/config" --file "$O/tree/.config" $args -m TEST_BPF \
	-d BPF_JIT_ALWAYS_ON -d CC_OPTIMIZE_FOR_SIZE -e CC_OPTIMIZE_FOR_PERFORMANCE \
	-d ARCH_RV32I -d MODULE_SIG -d DEBUG_INFO
$MK olddefconfig >/dev/null
for o in $opts TEST_BPF; do
	grep -q "^CONFIG_$o=[ym]" "$O/tree/.config" || { echo "riscv64 kernel: CONFIG_$o is not set" >&2; exit 1; }
done
! grep -q '^CONFIG_BPF_JIT_ALWAYS_ON=y' "$O/tree/.config"
$MK Image modules
$MK INSTALL_MOD_PATH="$O/root" modules_install >/dev/null
cp "$O/tree/arch/riscv/boot/Image" "$O/Image"
$MK -s kernelrelease > "$O/kver"
cp "$O/kver" "$B/kver"
echo "$STAMP" > "$O/ok"
