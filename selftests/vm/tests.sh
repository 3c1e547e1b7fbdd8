# The tests run inside the VM (sourced by /init, busybox sh). Each prints
# PASS:/FAIL: lines; raw outputs the host shows on failure go to /tmp.

pass() { echo "PASS: $*"; }
section() { echo "== $* (guest uptime $(cut -d' ' -f1 /proc/uptime)s)"; }
fail() { echo "FAIL: $*"; }
cnt() { cat /sys/kernel/vjit/$1 2>/dev/null || echo -1; }

# Fallback counters, "reason=N" for the non-zero ones.
fallbacks() {
	for f in /sys/kernel/vjit/fallback/*; do
		v=$(cat "$f"); [ "$v" != 0 ] && printf '%s=%s ' "${f##*/}" "$v"
	done
	echo
}

# Sum of the fallback counters except the reasons given.
fallbacks_except() {
	s=0
	for f in /sys/kernel/vjit/fallback/*; do
		keep=1
		for r in "$@"; do [ "${f##*/}" = "$r" ] && keep=0; done
		[ $keep = 1 ] && s=$((s + $(cat "$f")))
	done
	echo $s
}

# PASS/FAIL on kernel warnings in the log ($1 labels the line).
check_kernel_log() {
	if dmesg | grep -E 'WARNING: CPU|BUG:|Oops|general protection|kmemleak|Call Trace|traps:.*control protection' > /tmp/bad; then
		fail "$1: kernel log has warnings:"; cat /tmp/bad
	else
		pass "$1: no WARNING/BUG/Oops in the kernel log"
	fi
}

load_vjit() {
	insmod /vjit.ko mode="$1" || { fail "insmod vjit.ko mode=$1"; return 1; }
}

# test_bpf.ko; $1 = label. Leaves the module's log in /tmp/tb-$1.
run_test_bpf() {
	dmesg -c > /dev/null
	insmod /test_bpf.ko 2>/dev/null
	dmesg -c > /tmp/tb-$1-all
	grep 'test_bpf:' /tmp/tb-$1-all > /tmp/tb-$1
	rmmod test_bpf 2>/dev/null
	grep 'Summary:' /tmp/tb-$1 | sed 's/.*test_bpf: //' > /tmp/tb-$1.sum
	# "#N J" (jited) of every test, in order; a test's line may be split by
	# vjit's own messages, so "jited:" belongs to the last "#N" seen
	awk '/test_bpf: #[0-9]+ / { match($0, /#[0-9]+/); id = substr($0, RSTART, RLENGTH) }
	     /jited:[01]/ { match($0, /jited:[01]/); print id, substr($0, RSTART + 6, 1) }' \
		/tmp/tb-$1-all > /tmp/tb-$1.jit
	while read -r l; do echo "test_bpf $1: $l"; done < /tmp/tb-$1.sum
}

run_seccomp_bpf() {
	/seccomp_bpf > /tmp/sb-$1 2>&1
	tot=$(grep '^# Totals:' /tmp/sb-$1 | tail -1)
	echo "seccomp_bpf $1: $(grep '^# PASSED:\|^# FAILED:' /tmp/sb-$1 | tail -1) $tot"
	echo "$tot" > /tmp/sb-$1.tot
}

plan_check() {
	section "stock kernel (no vjit)"
	run_test_bpf stock
	run_seccomp_bpf stock
	grep -q ' 0 FAILED' /tmp/tb-stock.sum && pass "test_bpf on the stock JIT" \
		|| fail "test_bpf on the stock JIT"
	/vmtest checks | sed 's/^\(PASS\|FAIL\): /\1: stock: /'
	/vmtest ebpf 300    # test 5: compared on the host with vjit-run --interp
	/tracetest stock

	section "vjit, mode all: test_bpf"
	load_vjit all || return
	echo 1 > /sys/module/vjit/parameters/verbose
	c0=$(cnt compiled)
	run_test_bpf vjit
	echo 0 > /sys/module/vjit/parameters/verbose
	# which programs fell back, by reason and size (test_bpf's log is gone:
	# run_test_bpf kept only its lines, the module's are in /tmp/tb-vjit-all)
	awk '/test_bpf: #/ { t = $0; sub(/.*test_bpf: /, "", t); sub(/ jited:.*/, "", t) }
	     /vjit: to the kernel/ { r = $0; sub(/.*vjit: to the kernel.s JIT /, "", r); print "fallback: " t " " r }' /tmp/tb-vjit-all
	echo "vjit counters after test_bpf: compiled=$(($(cnt compiled) - c0)) stock=$(cnt stock) stock_jited=$(cnt stock_jited) fallbacks: $(fallbacks)"
	if ! cmp -s /tmp/tb-stock.sum /tmp/tb-vjit.sum; then
		fail "test_bpf with vjit: summary differs from the stock JIT's"
		cat /tmp/tb-stock.sum /tmp/tb-vjit.sum
	else
		pass "test_bpf with vjit: same summary as the stock JIT"
	fi
	lost=$(paste -d' ' /tmp/tb-stock.jit /tmp/tb-vjit.jit | awk '$2 == 1 && $4 != 1 { printf "%s ", $1 } END { print "" }')
	n=$(wc -l < /tmp/tb-stock.jit)
	if [ "$n" -gt 1000 ] && [ -z "${lost% }" ] && cmp -s /tmp/tb-stock.jit /tmp/tb-vjit.jit; then
		pass "test_bpf with vjit: every test the stock JIT JITs is JITted ($n tests)"
	else
		fail "test_bpf with vjit: tests not JITted: ${lost:-?} (of $n)"
	fi
	other=$(fallbacks_except tail_call)
	if [ "$(cnt compiled)" -gt 1000 ] && [ "$other" = 0 ]; then
		pass "test_bpf with vjit: vjit compiled every program but tail calls ($(cnt compiled) compiled, $(cat /sys/kernel/vjit/fallback/tail_call) tail-call fallbacks)"
	else
		fail "test_bpf with vjit: programs went to the kernel's JIT for reasons other than tail calls: $(fallbacks)"
	fi

	section "vjit, mode all: fentry/fexit on a program vjit compiled"
	c0=$(cnt compiled); f0=$(fallbacks_except)
	/tracetest vjit
	c1=$(cnt compiled); f1=$(fallbacks_except)
	# the target and the two tracers, each compiled by vjit
	[ $((c1 - c0)) -ge 3 ] && [ "$f1" = "$f0" ] && pass "fentry/fexit: vjit compiled the traced program and the tracers ($((c1 - c0)))" \
		|| fail "fentry/fexit: vjit compiled $((c1 - c0)), fallbacks $((f1 - f0)): $(fallbacks)"

	section "vjit, mode seccomp: seccomp_bpf and vjit's checks"
	echo seccomp > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); f0=$(fallbacks_except mode)
	run_seccomp_bpf vjit
	c1=$(cnt compiled); f1=$(fallbacks_except mode)
	echo "vjit counters during seccomp_bpf: compiled=$((c1 - c0)) fallbacks other than mode=$((f1 - f0))"
	if grep -q 'fail:0' /tmp/sb-stock.tot && cmp -s /tmp/sb-stock.tot /tmp/sb-vjit.tot; then
		pass "seccomp_bpf with vjit: same results as stock"
	else
		fail "seccomp_bpf with vjit: results differ from stock (stock: $(cat /tmp/sb-stock.tot); vjit: $(cat /tmp/sb-vjit.tot))"
		grep -E '^(not ok|# FAIL|#  RUN)' /tmp/sb-vjit | grep -B1 -E '^(not ok|# FAIL)' | head -40
	fi
	if [ $((c1 - c0)) -gt 50 ] && [ $((f1 - f0)) = 0 ]; then
		pass "seccomp_bpf with vjit: the filters went through vjit"
	else
		fail "seccomp_bpf with vjit: compiled $((c1 - c0)), other fallbacks $((f1 - f0)): $(fallbacks)"
	fi
	/vmtest checks --vjit
	# constant blinding, as the kernel's JITs do it (bpf_jit_harden=2)
	echo 2 > /proc/sys/net/core/bpf_jit_harden
	b0=$(cnt blinded)
	/vmtest checks --vjit | sed 's/^\(PASS\|FAIL\): /\1: bpf_jit_harden=2: /'
	b1=$(cnt blinded)
	echo 0 > /proc/sys/net/core/bpf_jit_harden
	[ $((b1 - b0)) -gt 100 ] && pass "bpf_jit_harden=2: vjit blinded $((b1 - b0)) programs" \
		|| fail "bpf_jit_harden=2: vjit blinded $((b1 - b0)) programs"
	/vjitctl status

	section "mode selection"
	fb() { cat /sys/kernel/vjit/fallback/$1; }
	echo none > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); m0=$(fb mode)
	/vmtest demo > /dev/null
	c1=$(cnt compiled); m1=$(fb mode)
	[ "$c1" = "$c0" ] && [ "$m1" -gt "$m0" ] && pass "mode none: a seccomp filter goes to the kernel's JIT" \
		|| fail "mode none: compiled $((c1 - c0)), mode fallbacks $((m1 - m0))"
	echo seccomp > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); m0=$(fb mode)
	/vmtest ebpf 20 --jit > /dev/null
	c1=$(cnt compiled); m1=$(fb mode)
	[ "$c1" = "$c0" ] && [ $((m1 - m0)) -ge 10 ] && pass "mode seccomp: eBPF programs go to the kernel's JIT ($((m1 - m0)))" \
		|| fail "mode seccomp: eBPF compiled by vjit $((c1 - c0)), mode fallbacks $((m1 - m0))"
	echo all > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled)
	/vmtest ebpf 20 --jit > /dev/null
	c1=$(cnt compiled)
	[ $((c1 - c0)) -ge 10 ] && pass "mode all: vjit compiles eBPF socket filters ($((c1 - c0)))" \
		|| fail "mode all: vjit compiled $((c1 - c0)) eBPF programs"
	echo seccomp > /sys/module/vjit/parameters/mode

	section "rmmod with live filters"
	mkdir -p /tmp/hold
	/vmtest hold /tmp/hold &
	hp=$!
	i=0
	while [ ! -e /tmp/hold/ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	rmmod vjit || fail "rmmod vjit with live filters"
	touch /tmp/hold/go
	wait $hp

	section "load/unload under a concurrent filter-installing workload"
	load_vjit seccomp || return
	/vmtest stress 24 3 &
	sp=$!
	ok=1
	for i in 1 2 3 4 5 6; do
		sleep 1
		rmmod vjit || ok=0
		sleep 1
		insmod /vjit.ko mode=seccomp || ok=0
	done
	wait $sp
	[ $ok = 1 ] && pass "6 x rmmod/insmod while filters are installed" \
		|| fail "rmmod/insmod under load"
	rmmod vjit || fail "final rmmod"
	section "done"
	check_kernel_log check
}

# Return thunks: on -cpu EPYC the kernel returns through a thunk
# (X86_FEATURE_RETHUNK) and so must vjit's code (VJIT_F_RETHUNK).
plan_rethunk() {
	section "return thunks"
	# RETHUNK is not in /proc/cpuinfo; the mitigations that set it say so
	grep . /sys/devices/system/cpu/vulnerabilities/retbleed \
		/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow 2>/dev/null
	if grep -qiE 'return thunk|safe ret' /sys/devices/system/cpu/vulnerabilities/retbleed \
		/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow 2>/dev/null; then
		pass "the kernel returns through a thunk (retbleed/SRSO mitigation)"
	else
		fail "no return-thunk mitigation: the thunk path is not exercised"
	fi
	run_seccomp_bpf stock
	load_vjit seccomp || return
	c0=$(cnt compiled); t0=$(cnt return_thunk)
	run_seccomp_bpf vjit
	c1=$(cnt compiled); t1=$(cnt return_thunk)
	[ $((t1 - t0)) = $((c1 - c0)) ] && pass "return thunks: every image vjit made returns through x86_return_thunk ($((t1 - t0)))" \
		|| fail "return thunks: $((t1 - t0)) of $((c1 - c0)) images return through x86_return_thunk"
	if grep -q 'fail:0' /tmp/sb-stock.tot && cmp -s /tmp/sb-stock.tot /tmp/sb-vjit.tot && [ $((c1 - c0)) -gt 50 ]; then
		pass "return thunks: seccomp_bpf with vjit ($((c1 - c0)) filters) as stock"
	else
		fail "return thunks: seccomp_bpf stock $(cat /tmp/sb-stock.tot), vjit $(cat /tmp/sb-vjit.tot), compiled $((c1 - c0))"
	fi
	/vmtest checks --vjit | sed 's/^\(PASS\|FAIL\): /\1: return thunks: /'
	rmmod vjit || fail "rmmod"
	check_kernel_log "return thunks"
}

# The Spectre-BHI barrier: the kernel's JIT adds it to classic programs
# loaded without CAP_SYS_ADMIN; vjit must decide the same, per program.
plan_bhi() {
	section "Spectre-BHI barrier"
	v=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)
	echo "spectre_v2: $v"
	case "$v" in
	*"BHI: SW loop"*) pass "bhi: the kernel clears the BHB with the software loop" ;;
	*) fail "bhi: no BHI software loop on this CPU model: the barrier is not exercised" ;;
	esac
	run_seccomp_bpf stock
	load_vjit none || return
	/vmtest bhi
	echo seccomp > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); l0=$(cnt bhb_loop)
	run_seccomp_bpf vjit
	c1=$(cnt compiled); l1=$(cnt bhb_loop)
	if grep -q 'fail:0' /tmp/sb-stock.tot && cmp -s /tmp/sb-stock.tot /tmp/sb-vjit.tot && [ $((c1 - c0)) -gt 50 ]; then
		pass "bhi: seccomp_bpf with vjit ($((c1 - c0)) filters, $((l1 - l0)) with the barrier) as stock"
	else
		fail "bhi: seccomp_bpf stock $(cat /tmp/sb-stock.tot), vjit $(cat /tmp/sb-vjit.tot), compiled $((c1 - c0))"
	fi
	/vjitctl status
	rmmod vjit || fail "rmmod"
	check_kernel_log "bhi"
}

# Cost per syscall through a ~300-rule filter, and compile time, under the
# interpreter, the kernel's JIT and vjit, in this one boot.
# Native bytes of one program set, loaded once under the kernel's JIT and
# once under vjit (mode $2; what vjit hands to the kernel's JIT counts with
# vjit's bytes): "bytes: SET stock N vjit M". The rest is the command that
# loads the set.
bench_bytes() {
	set=$1 vmode=$2; shift 2
	m=/sys/module/vjit/parameters/mode
	echo none > $m
	s0=$(cnt stock_bytes); "$@" > /dev/null 2>&1; st=$(( $(cnt stock_bytes) - s0 ))
	echo "$vmode" > $m
	s0=$(cnt stock_bytes); n0=$(cnt native_bytes); c0=$(cnt compiled)
	"$@" > /dev/null 2>&1
	vj=$(( $(cnt native_bytes) - n0 + $(cnt stock_bytes) - s0 ))
	echo "bytes: $set stock $st vjit $vj (vjit compiled $(( $(cnt compiled) - c0 )))"
}

# test_bpf, its kernel log (with vjit's log_sizes lines) kept in /tmp/bench-sizes
# across runs: program-sizes.py pairs the programs of the runs.
test_bpf_sizes() {
	run_test_bpf sizes
	cat /tmp/tb-sizes-all >> /tmp/bench-sizes
}

plan_bench() {
	load_vjit none || return
	/vmtest bench-all 30
	echo none > /sys/module/vjit/parameters/mode
	/vmtest compile stock 8
	echo seccomp > /sys/module/vjit/parameters/mode
	/vmtest compile vjit 8
	bench_bytes docker-allowlist seccomp /vmtest compile x 1
	bench_bytes policies seccomp /vmtest install /policies/*.cbpf
	bench_bytes vjit-checks seccomp /vmtest checks
	echo 1 > /sys/module/vjit/parameters/log_sizes
	: > /tmp/bench-sizes
	bench_bytes test_bpf all test_bpf_sizes
	echo 0 > /sys/module/vjit/parameters/log_sizes
	echo "bench-sizes: begin"
	grep -E 'test_bpf: #|vjit: size: ' /tmp/bench-sizes
	echo "bench-sizes: end"
	/vjitctl status
	rmmod vjit
}

plan_demo() {
	echo "\$ insmod vjit.ko"
	load_vjit seccomp || return
	echo "\$ vjitctl status"
	/vjitctl status
	echo "\$ vmtest demo   # installs a seccomp policy in a process"
	/vmtest demo
	echo "\$ vjitctl status"
	/vjitctl status
	echo "\$ vjitctl status --json"
	/vjitctl status --json
	rmmod vjit
}

# test_bpf with vjit loaded (mode all) against this boot's stock run
# (run_test_bpf stock): the same summary, the same tests JITted. The
# counters' changes are left in tb_compiled, tb_ibt, tb_stock_ibt.
vjit_test_bpf() {
	echo 1 > /sys/module/vjit/parameters/verbose
	c0=$(cnt compiled); i0=$(cnt ibt); s0=$(cnt stock_ibt)
	run_test_bpf vjit
	echo 0 > /sys/module/vjit/parameters/verbose
	tb_compiled=$(($(cnt compiled) - c0)) tb_ibt=$(($(cnt ibt) - i0)) tb_stock_ibt=$(($(cnt stock_ibt) - s0))
	echo "vjit counters after test_bpf: compiled=$tb_compiled isa_v4=$(cnt isa_v4) ibt=$tb_ibt stock=$(cnt stock) stock_ibt=$tb_stock_ibt fallbacks: $(fallbacks)"
	cmp -s /tmp/tb-stock.sum /tmp/tb-vjit.sum && pass "$1: test_bpf with vjit: same summary as the stock JIT ($(cat /tmp/tb-vjit.sum))" \
		|| fail "$1: test_bpf with vjit: summary differs (stock: $(cat /tmp/tb-stock.sum); vjit: $(cat /tmp/tb-vjit.sum))"
	n=$(wc -l < /tmp/tb-stock.jit)
	[ "$n" -gt 1000 ] && cmp -s /tmp/tb-stock.jit /tmp/tb-vjit.jit && pass "$1: test_bpf with vjit: the same $n tests JITted" \
		|| { fail "$1: test_bpf with vjit: JITted tests differ from stock (of $n)"; diff /tmp/tb-stock.jit /tmp/tb-vjit.jit | head -20; }
}

# After vjit_test_bpf: only programs with tail calls went to the kernel's JIT.
all_but_tail_calls() {
	other=$(fallbacks_except tail_call)
	[ "$tb_compiled" -gt 1000 ] && [ "$other" = 0 ] && pass "$1: vjit compiled every test_bpf program but tail calls ($tb_compiled)" \
		|| fail "$1: programs went to the kernel's JIT for reasons other than tail calls: $(fallbacks)"
}

# Linux 6.12 (Debian's, IBT): the essential set once. test_bpf (with its
# cpu-v4 cases) and kselftest's seccomp_bpf of 6.12, stock JIT vs vjit in
# this boot; vjit's checks; ENDBR64 at every entry of every vjit image, as
# in the stock JIT's.
plan_k612() {
	section "stock kernel (no vjit)"
	run_test_bpf stock
	run_seccomp_bpf stock
	grep -q ' 0 FAILED' /tmp/tb-stock.sum && pass "6.12: test_bpf on the stock JIT" \
		|| fail "6.12: test_bpf on the stock JIT"

	section "vjit, mode all: test_bpf"
	load_vjit all || return
	vjit_test_bpf 6.12
	all_but_tail_calls 6.12
	[ "$(cnt isa_v4)" -gt 0 ] && pass "6.12: vjit compiled $(cnt isa_v4) test_bpf programs with cpu-v4 instructions" \
		|| fail "6.12: no cpu-v4 program compiled by vjit"
	[ "$tb_ibt" = "$tb_compiled" ] && pass "6.12 IBT: every vjit image has ENDBR64 at its entries ($tb_ibt)" \
		|| fail "6.12 IBT: $tb_ibt of $tb_compiled vjit images have ENDBR64 at their entries"
	[ "$tb_stock_ibt" -gt 0 ] && pass "6.12 IBT: the stock JIT's images open with ENDBR64 too ($tb_stock_ibt)" \
		|| fail "6.12 IBT: the stock JIT's images have no ENDBR64: is this kernel built with IBT?"

	section "vjit, mode seccomp: seccomp_bpf and vjit's checks"
	echo seccomp > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); f0=$(fallbacks_except mode)
	run_seccomp_bpf vjit
	c1=$(cnt compiled); f1=$(fallbacks_except mode)
	if grep -q 'fail:0' /tmp/sb-stock.tot && cmp -s /tmp/sb-stock.tot /tmp/sb-vjit.tot && [ $((c1 - c0)) -gt 50 ] && [ $((f1 - f0)) = 0 ]; then
		pass "6.12: seccomp_bpf with vjit ($((c1 - c0)) filters) as stock: $(cat /tmp/sb-vjit.tot)"
	else
		fail "6.12: seccomp_bpf stock $(cat /tmp/sb-stock.tot), vjit $(cat /tmp/sb-vjit.tot), compiled $((c1 - c0)), other fallbacks $((f1 - f0))"
		grep -E '^(not ok|# FAIL)' /tmp/sb-vjit | head -20
	fi
	/vmtest checks --vjit | sed 's/^\(PASS\|FAIL\): /\1: 6.12: /'
	/vjitctl status
	rmmod vjit || fail "6.12: rmmod"
	check_kernel_log 6.12
}
[ -f /diag.sh ] && . /diag.sh

# The foreign arches' plans (qemu -M virt): test_bpf and kselftest's
# seccomp_bpf, stock JIT vs vjit in this boot, vjit's own seccomp checks
# with and without vjit. What differs per arch is in its <arch>_ hooks:
# the CPU, what vjit's images carry, the fallbacks the seccomp filters
# are expected to take, whether seccomp_bpf passes in full on the stock JIT.
plan_foreign() { # arch
	a=$1
	"${a}_cpu"
	section "stock kernel (no vjit)"
	run_test_bpf stock
	run_seccomp_bpf stock
	grep -q ' 0 FAILED' /tmp/tb-stock.sum && pass "$a: test_bpf on the stock JIT" \
		|| fail "$a: test_bpf on the stock JIT"
	/vmtest checks > /tmp/ck-stock
	sed 's/^\(PASS\|FAIL\): /\1: stock: /' /tmp/ck-stock

	section "vjit, mode all: test_bpf"
	load_vjit all || return
	linked=no; dmesg | grep -q 'vjit: loaded.*code generator linked' && linked=yes
	echo "$a: vjit's code generator: $linked"
	vjit_test_bpf $a
	if [ $linked = yes ]; then
		all_but_tail_calls $a
		"${a}_images"
	else
		other=$(fallbacks_except tail_call no_backend)
		[ "$other" = 0 ] && [ "$tb_compiled" = 0 ] && pass "$a: without a code generator every program went to the kernel's JIT (no_backend, tail_call)" \
			|| fail "$a: without a code generator: compiled $tb_compiled, fallbacks $(fallbacks)"
		echo "PENDING: $a: vjit compiles every test_bpf program but tail calls (no arch/$a code generator in this build)"
	fi

	section "vjit, mode seccomp: seccomp_bpf and vjit's checks"
	echo seccomp > /sys/module/vjit/parameters/mode
	c0=$(cnt compiled); f0=$(fallbacks_except mode no_backend $stock_reasons)
	"${a}_seccomp_begin"
	run_seccomp_bpf vjit
	c1=$(cnt compiled); f1=$(fallbacks_except mode no_backend $stock_reasons)
	echo "vjit counters during seccomp_bpf: compiled=$((c1 - c0)) other fallbacks but mode/no_backend${stock_reasons:+/$stock_reasons}=$((f1 - f0))"
	[ $linked = yes ] && "${a}_seccomp_end"
	/vmtest checks > /tmp/ck-vjit
	if { [ "$sb_stock_fails" = yes ] || grep -q 'fail:0' /tmp/sb-stock.tot; } &&
		cmp -s /tmp/sb-stock.tot /tmp/sb-vjit.tot && [ $((f1 - f0)) = 0 ]; then
		pass "$a: seccomp_bpf with vjit as stock: $(cat /tmp/sb-vjit.tot)"
	else
		fail "$a: seccomp_bpf stock $(cat /tmp/sb-stock.tot), vjit $(cat /tmp/sb-vjit.tot), other fallbacks $((f1 - f0))"
		grep -E '^(not ok|# FAIL)' /tmp/sb-vjit | head -20
	fi
	[ "$sb_stock_fails" = yes ] && grep -E '^not ok' /tmp/sb-stock | sed 's/^/stock: /'
	grep -q '^PASS' /tmp/ck-stock && ! grep -q '^FAIL' /tmp/ck-stock && cmp -s /tmp/ck-stock /tmp/ck-vjit \
		&& pass "$a: vjit's seccomp checks give the same results with vjit as without ($(grep -c '^PASS' /tmp/ck-vjit) checks)" \
		|| { fail "$a: vjit's seccomp checks differ with vjit:"; diff /tmp/ck-stock /tmp/ck-vjit; }
	if [ $linked = yes ]; then
		[ $((c1 - c0)) -gt 50 ] && pass "$a: the seccomp filters went through vjit ($((c1 - c0)))" \
			|| fail "$a: vjit compiled $((c1 - c0)) seccomp filters"
		/vmtest checks --vjit | sed "s/^\(PASS\|FAIL\): /\1: $a: /"
	fi
	/vjitctl status
	rmmod vjit || fail "$a: rmmod"
	check_kernel_log $a
}

# arm64 (Debian's arm64 6.1 kernel): plan arm64 on cortex-a57 (no LSE: the
# LDXR/STXR atomics), plan arm64_lse on -cpu max (LSE atomics, BTI,
# pointer authentication). Unprivileged classic filters stay with the
# stock JIT's Spectre-BHB mitigation (fallback mitigation,
# kmod/arch_arm64.c); seccomp_bpf passes in full on the stock JIT.
arm64_cpu() {
	section "CPU"
	want=no; [ "$vjitplan" = arm64_lse ] && want=yes
	have=no; grep -q '^Features.* atomics' /proc/cpuinfo && have=yes
	[ $have = $want ] && pass "arm64: LSE atomics on this CPU: $have, as the plan asks" \
		|| fail "arm64: LSE atomics on this CPU: $have, the plan asks for $want"
}
# the kernel's configuration (CONFIG_ARM64_BTI_KERNEL) decides, as for the
# stock JIT: all images with the landing pad, or none
arm64_images() {
	if [ "$tb_stock_ibt" -gt 0 ]; then
		[ "$tb_ibt" = "$tb_compiled" ] && pass "arm64 BTI: every vjit image opens with a BTI landing pad ($tb_ibt), as the stock JIT's ($tb_stock_ibt)" \
			|| fail "arm64 BTI: $tb_ibt of $tb_compiled vjit images open with a BTI landing pad, as $tb_stock_ibt stock ones"
	else
		[ "$tb_ibt" = 0 ] && pass "arm64 BTI: the kernel does not use BTI (no stock image opens with BTI JC), nor does vjit ask for it" \
			|| fail "arm64 BTI: no stock image opens with BTI JC, yet $tb_ibt vjit images were asked for it"
	fi
}
arm64_seccomp_begin() { m0=$(cat /sys/kernel/vjit/fallback/mitigation); }
arm64_seccomp_end() {
	m1=$(cat /sys/kernel/vjit/fallback/mitigation)
	[ $((m1 - m0)) -gt 0 ] && pass "arm64: unprivileged seccomp filters stay with the stock JIT's BHB mitigation ($((m1 - m0)))" \
		|| fail "arm64: no unprivileged seccomp filter went to the stock JIT (mitigation fallbacks $((m1 - m0)))"
}
plan_arm64() { stock_reasons=mitigation sb_stock_fails=no plan_foreign arm64; }
plan_arm64_lse() { plan_arm64; }

# riscv64 (Debian 12's linux-source-6.1 built by
# scripts/build-riscv64-kernel.sh): its stock JIT has no mitigation and no
# trampolines, so no filter stays stock; two of seccomp_bpf's ptrace tests
# fail on this kernel with the stock JIT too: vjit must give the same.
riscv64_cpu() { :; }
riscv64_images() { :; }
riscv64_seccomp_begin() { :; }
riscv64_seccomp_end() { :; }
plan_riscv64() { stock_reasons= sb_stock_fails=yes plan_foreign riscv64; }

