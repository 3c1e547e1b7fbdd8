#!/usr/bin/env bash
# Boots Debian's kernel (the installed linux-image-amd64) in qemu (TCG) with
# a small initramfs, loads vjit.ko and runs one plan of tests.sh:
#
#   run.sh check    test_bpf, seccomp_bpf, vjit's checks, rmmod, stress;
#                   each compared with the same run without vjit
#   run.sh rethunk  on -cpu EPYC (return thunks on): seccomp_bpf and
#                   vjit's checks through vjit's return-thunk code path
#   run.sh bhi      on a BHI-affected CPU model: the Spectre-BHI barrier in
#                   vjit's images exactly where the stock JIT puts it;
#                   seccomp_bpf through the barrier
#   run.sh bench    seccomp cost per syscall and compile time
#   run.sh demo     the demo of scripts/demo.sh
#   run.sh diag     INET-DIAG: a bytecode table through a raw sock_diag
#                   client and ss filters, without vjit, with vjit and
#                   interpreted through its hook (selftests/vm/diag.sh)
#   run.sh k612     on the 6.12 kernel (IBT): test_bpf (cpu-v4 included) and
#                   seccomp_bpf from linux-source-6.12, stock JIT vs vjit,
#                   vjit's checks, ENDBR64 in every image
#   run.sh arm64    Debian's arm64 6.1 kernel (scripts/fetch-arm64.sh) in
#                   qemu-system-aarch64 -M virt on cortex-a57 (no LSE):
#                   test_bpf and seccomp_bpf (cross-built), stock JIT vs
#                   vjit, vjit's checks with and without vjit
#   run.sh arm64_lse the same on -cpu max (LSE atomics, BTI, pointer auth)
#   run.sh riscv64  Debian 12's linux-source-6.1 built for riscv64
#                   (scripts/build-riscv64-kernel.sh) in qemu-system-riscv64
#                   -M virt, the guest's busybox and libcap from trixie
#                   (scripts/fetch-riscv64.sh): as plan arm64
# The arch is the plan's (arm64* are arm64, riscv64 riscv64, the others
# x86-64): it picks
# the emulator, the kernel, the cross compiler of the guest programs.
# The 6.1 plans boot VJIT_KVER (linux-image-amd64's kernel), k612 the newest
# installed 6.12 kernel; each loads the module built for its kernel
# (build/kmod/<kver>/vjit.ko, or VJIT_VM_KO_DIR/<kver>/vjit.ko: the DKMS
# build).
# Several plans boot one after the other: run.sh check rethunk.
#
# Prints the tests' PASS/FAIL lines and "RESULT: N passed, M failed"; on a
# failure, a timeout or a kernel warning it prints the guest's whole log
# (also kept in build/vm/<plan>.log) and exits non-zero.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: run.sh check|rethunk|bench|demo..."; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/selftests/vm
B=$ROOT/build/vm
kvers() { for d in /lib/modules/*-amd64; do [ -d "$d/build" ] && basename "$d"; done | sort -V; }
KVER61=${VJIT_KVER:-$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')}
KVER61=${KVER61:-$(kvers | grep '^6\.1\.' | tail -1)}
KVER612=$(kvers | grep '^6\.12\.' | tail -1)
TIMEOUT=${VJIT_VM_TIMEOUT:-1800}
mkdir -p "$B"
rm -f "$B"/initramfs-*.ok
log() { echo "vm: $*" >&2; }

# ---- per arch: emulator, kernel, guest compiler, where guest files go ----
set_arch() { # arch
	ARCH=$1
	case $ARCH in
	x86_64)
		CC=${CC_VM:-gcc-12} GB=$B MODROOT= CONSOLE=ttyS0
		QEMU=(qemu-system-x86_64) BUSYBOX=/bin/busybox CAPFLAGS= ;;
	arm64)
		CC=aarch64-linux-gnu-gcc-12 GB=$B/arm64 CONSOLE=ttyAMA0
		"$ROOT/scripts/fetch-arm64.sh"
		KVER=$(cat "$ROOT/build/arm64/kver") line=6.1
		MODROOT=$ROOT/build/arm64/$KVER/root
		QEMU=(qemu-system-aarch64 -M virt) BUSYBOX=$MODROOT/bin/busybox
		CAPFLAGS="-I$MODROOT/usr/include -L$MODROOT/usr/lib/aarch64-linux-gnu"
		KERNEL=$MODROOT/boot/vmlinuz-$KVER ;;
	riscv64)
		CC=riscv64-linux-gnu-gcc-12 GB=$B/riscv64 CONSOLE=ttyS0
		"$ROOT/scripts/build-riscv64-kernel.sh"
		"$ROOT/scripts/fetch-riscv64.sh"
		KVER=$(cat "$ROOT/build/riscv64/kver") line=6.1
		local k=$ROOT/build/riscv64/$(dpkg-query -W -f='${Version}' linux-source-6.1) g=$ROOT/build/riscv64/guest
		MODROOT=$k/root KERNEL=$k/Image
		QEMU=(qemu-system-riscv64 -M virt -bios default) BUSYBOX=$g/usr/bin/busybox
		CAPFLAGS="-I$g/usr/include -L$g/usr/lib/riscv64-linux-gnu" ;;
	esac
	[ $ARCH = riscv64 ] || KERNEL=$MODROOT/boot/vmlinuz-$KVER
	mkdir -p "$GB"
}

# ---- guest programs (static), once per arch ----
built=
build_guest() {
	case " $built " in *" $ARCH "*) return ;; esac
	built="$built $ARCH"
	if [ $ARCH = x86_64 ]; then
		cp /usr/include/x86_64-linux-gnu/asm/unistd_64.h "$GB/syscall-nrs.h"
	else
		echo '#include <asm/unistd.h>' | $CC -E -dM - > "$GB/syscall-nrs.h"
	fi
	python3 "$HERE/gen-allowlist.py" "$ROOT/policies/docker-default.json" \
		"$GB/syscall-nrs.h" "$GB/allowlist.h" >/dev/null
	$CC -static -O2 -Wall -Wextra -Werror -Wno-unused-parameter -I"$GB" \
		-o "$GB/vmtest" "$HERE/guest/vmtest.c" -lpthread
	[ $ARCH = x86_64 ] || $CC -O2 -g -Wall -Wextra -Werror -static -o "$GB/vjitctl" "$ROOT/user/vjitctl.c"
	[ $ARCH = x86_64 ] && build_tracetest
	return 0
}

# kselftest's seccomp_bpf from Debian's linux-source-<line>, with its harness.
build_seccomp_bpf() { # line
	local out=$GB/seccomp_bpf-$1 src
	[ -x "$out" ] && return
	src=$(ls /usr/src/linux-source-$1.tar.xz | head -1)
	log "extracting seccomp selftests from $src"
	rm -rf "$B/ksrc-$1" && mkdir -p "$B/ksrc-$1"
	tar -xJf "$src" -C "$B/ksrc-$1" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/seccomp/*' \
		'*/tools/testing/selftests/clone3/*' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	$CC -static -O2 -Wall $CAPFLAGS -o "$out" \
		"$B/ksrc-$1/tools/testing/selftests/seccomp/seccomp_bpf.c" -lpthread -lcap
}

# fentry/fexit through libbpf on a JITed program (x86-64): the two BPF
# objects and their loader.
build_tracetest() {
	local p
	for p in trace_target trace_count; do
		clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -Wall -Werror \
			-c "$HERE/guest/$p.bpf.c" -o "$GB/$p.bpf.o"
	done
	$CC -static -O2 -Wall -Wextra -Werror -o "$GB/tracetest" "$HERE/guest/tracetest.c" -lbpf -lelf -lz
}

# INET-DIAG's guest test (plans diag, diagbench; x86-64).
build_diagtest() {
	g++-12 -static -O2 -std=gnu++17 -Wall -Wextra -Werror -I"$ROOT" -o "$B/diagtest" "$HERE/guest/diagtest.cc"
}

# A kernel module of kver, uncompressed, into the initramfs R.
copy_module() { # kver name R
	local f
	f=$(find "$MODROOT/lib/modules/$1" -name "$2.ko*" | head -1)
	case "$f" in
	*.xz) xz -dc "$f" > "$3/$2.ko" ;;
	*) cp "$f" "$3/$2.ko" ;;
	esac
}

# INET-DIAG: its test, ss and ip with their libraries, the modules.
copy_diag() { # kver R
	local bin lib m
	cp "$HERE/diag.sh" "$B/diagtest" "$2/"
	for bin in /usr/bin/ss /usr/bin/ip; do
		cp "$bin" "$2/"
		for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
			mkdir -p "$2$(dirname "$lib")" && cp -L "$lib" "$2$lib"
		done
	done
	for m in inet_diag tcp_diag udp_diag dummy; do
		copy_module "$1" "$m" "$2"
	done
}

# ---- initramfs for one kernel ----
build_initramfs() { # kver line
	local R=$B/root-$1 ko=${VJIT_VM_KO_DIR:-$ROOT/build/kmod}/$1/vjit.ko
	[ -f "$ko" ] || { echo "vm: $ko not built (make $ko)"; return 1; }
	build_seccomp_bpf "$2"
	rm -rf "$R" && mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,etc}
	cp "$BUSYBOX" "$R/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"
	done
	cp "$HERE/init.sh" "$R/init" && chmod +x "$R/init"
	cp "$HERE/tests.sh" "$R/tests.sh"
	cp "$ko" "$GB/vmtest" "$R/"
	cp "$([ $ARCH = x86_64 ] && echo "$ROOT/build/bin" || echo "$GB")/vjitctl" "$R/"
	cp "$GB/seccomp_bpf-$2" "$R/seccomp_bpf"
	copy_module "$1" test_bpf "$R"
	if [ $ARCH = x86_64 ]; then
		copy_diag "$1" "$R"
		cp "$GB/tracetest" "$GB/trace_target.bpf.o" "$GB/trace_count.bpf.o" "$R/"
		# every project policy as a seccomp filter (the byte counts of plan bench)
		mkdir -p "$R/policies"
		for p in "$ROOT"/policies/*.scpl; do
			"$ROOT/build/bin/scplc" --no-verify -o "$R/policies/$(basename "$p" .scpl).cbpf" "$p" 2>/dev/null
		done
		"$ROOT/build/bin/scplc" --no-verify --from-oci "$ROOT/policies/docker-default.json" -o "$R/policies/docker-default.cbpf" 2>/dev/null
	fi
	(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$B/initramfs-$1.cpio.gz"
	log "initramfs for $1: $ko"
}

total_p=0 total_f=0 failed_logs=()
for plan in "$@"; do
KVER=$KVER61 line=6.1
[ "$plan" = k612 ] && KVER=$KVER612 line=6.12
case $plan in arm64*) set_arch arm64 ;; riscv64) set_arch riscv64 ;; *) set_arch x86_64 ;; esac
build_guest
[ $ARCH = x86_64 ] && [ -z "${diag_built:-}" ] && build_diagtest && diag_built=1
[ -n "$KVER" ] && [ -r "$KERNEL" ] || { echo "FAIL: plan $plan: no kernel (${KVER:-none}) installed"; total_f=$((total_f + 1)); continue; }
[ -f "$B/initramfs-$KVER.cpio.gz.ok" ] || { build_initramfs "$KVER" "$line" && touch "$B/initramfs-$KVER.cpio.gz.ok"; }
cpu=max extra=
[ "$plan" = rethunk ] && cpu=EPYC
# An Intel model the kernel finds BHI-affected; retpoline,lfence (unlike
# the default retpoline) leaves BHI to the software BHB-clearing loop.
[ "$plan" = bhi ] && cpu=Skylake-Server extra="spectre_v2=retpoline,lfence"
# arm64: cortex-a57 has no LSE atomics; max (with the cheap pointer-auth
# algorithm, the default one is slow under TCG) has LSE, BTI and PAC.
# A log buffer for test_bpf's lines and vjit's verbose ones (the default
# 128 KiB drops the first tests' when every program falls back).
[ "$plan" = arm64 ] && cpu=cortex-a57 extra=log_buf_len=1M
[ "$plan" = arm64_lse ] && cpu=max,pauth-impdef=on extra=log_buf_len=1M
[ "$plan" = riscv64 ] && cpu=rv64 extra=log_buf_len=1M
[ "$plan" = bench ] && extra=log_buf_len=1M  # a size line per test_bpf program
# ---- boot ----
out=$B/$plan.log
log "booting $KERNEL (plan $plan, -cpu $cpu, timeout ${TIMEOUT}s); log: $out"
t0=$(date +%s)
set +e
timeout "$TIMEOUT" "${QEMU[@]}" -accel tcg -cpu $cpu -smp 2 -m 1024 \
	-nographic -no-reboot -kernel "$KERNEL" -initrd "$B/initramfs-$KVER.cpio.gz" \
	-append "console=$CONSOLE panic=-1 quiet loglevel=5 vjitplan=$plan $extra" \
	< /dev/null > "$out" 2>&1
qrc=$?
set -e
tr -d '\r' < "$out" > "$out.tmp" && mv "$out.tmp" "$out"
log "guest ran $(( $(date +%s) - t0 ))s"

# ---- verdict ----
bad=0
if ! grep -q '^VJIT-VM-DONE' "$out"; then
	echo "FAIL: the VM did not finish (qemu exit $qrc; timeout ${TIMEOUT}s?)"
	bad=1
fi
if sed -n '/^VJIT-VM-DMESG-BEGIN/,/^VJIT-VM-DMESG-END/p' "$out" |
	grep -E 'WARNING: CPU|BUG:|Oops|general protection fault|Call Trace|Kernel panic'; then
	echo "FAIL: kernel warnings in the guest's log"
	bad=1
fi
grep -q 'Kernel panic' "$out" && { echo "FAIL: kernel panic"; bad=1; }
# what the tests printed (no kernel log)
sed -n '/VJIT-VM-START/,/^VJIT-VM-DMESG-BEGIN/p' "$out" | sed 's/.*VJIT-VM-START/VJIT-VM-START/' | grep -v '^VJIT-VM-DMESG-BEGIN' |
	grep -v -E '^(VJIT-VM-START|ebpf-(prog|ret) )' |
	grep -v -E '^\[ *[0-9.]+\] (jited:[01] )?[0-9 ]+PASS$' || true # test_bpf's line ends split off by vjit's verbose lines
p=$(grep -c '^PASS:' "$out" || true)
f=$(grep -c '^FAIL:' "$out" || true)
f=$((f + bad))
if [ "$plan" = check ]; then
	# test 5, on the host: vjit's reference interpreter vs the guest's results
	if [ -x "$ROOT/build/bin/vjit-run" ]; then
		python3 "$HERE/compare-ebpf.py" "$out" "$ROOT/build/bin/vjit-run" "$B/ebpf" > "$B/ebpf.out" || true
		cat "$B/ebpf.out"
		p=$((p + $(grep -c '^PASS:' "$B/ebpf.out" || true)))
		f=$((f + $(grep -c '^FAIL:' "$B/ebpf.out" || true)))
	else
		echo "PENDING: vjit's interpreter vs Linux's (build/bin/vjit-run not built)"
	fi
fi
if [ "$plan" = bench ]; then
	awk '
	/^bench: /    { ns[$2] = $3 }
	/^compile: /  { us[$2] = $3 }
	/^bytes: /    { printf "bench: native bytes, %s: vjit %.3fx of the stock JIT (%d vs %d)\n", $2, $6 / $4, $6, $4; if ($2 != "test_bpf") { st += $4; vj += $6 } }
	END {
		if (ns["stock"] > 0 && ns["vjit"] > 0) {
			base = ns["nofilter"]
			printf "bench: per syscall through the %s filter: interpreter %.2fx, vjit %.2fx of the stock JIT\n", "~300-rule", ns["interpreter"] / ns["stock"], ns["vjit"] / ns["stock"]
			if (ns["stock"] > base)
				printf "bench: filter cost only (minus %.0f ns without a filter): interpreter %.2fx, vjit %.2fx of the stock JIT\n", base, (ns["interpreter"] - base) / (ns["stock"] - base), (ns["vjit"] - base) / (ns["stock"] - base)
		}
		if (us["stock"] > 0 && us["vjit"] > 0)
			printf "bench: compile time per program: vjit %.2fx of the stock JIT\n", us["vjit"] / us["stock"]
		if (st > 0)
			printf "bench: native bytes, seccomp filters (every set but test_bpf): vjit %.3fx of the stock JIT\n", vj / st
	}' "$out"
	python3 "$HERE/program-sizes.py" "$out" || { echo "FAIL: per-program sizes missing"; f=$((f + 1)); }
	[ "$(grep -c '^bench: ' "$out")" -ge 4 ] || { echo "FAIL: benchmark output missing"; f=$((f + 1)); }
fi
if [ "$plan" = bench ] || [ "$plan" = demo ]; then [ "$f" = 0 ] && p=$((p + 1)); fi
total_p=$((total_p + p)) total_f=$((total_f + f))
[ "$f" -ne 0 ] && failed_logs+=("$out")
done
echo "RESULT: $total_p passed, $total_f failed"
if [ "$total_f" -ne 0 ]; then
	for l in "${failed_logs[@]}"; do
		echo "---- guest log ($l) ----"
		cat "$l"
	done
	exit 1
fi
