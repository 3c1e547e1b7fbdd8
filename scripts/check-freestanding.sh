#!/usr/bin/env bash
# Compiles one arch's JIT sources freestanding, as vjit.ko will, and fails on
# any undefined symbol (but the kernel's memset/memcpy/memmove) or on a
# reachable core/ or arch/ARCH/ header that does not compile on its own. A
# header among the SRCs is checked on its own.
#   check-freestanding.sh CXX FLAGS OUTDIR ARCH SRC...
set -uo pipefail
cxx=$1 flags=$2 out=$3 arch=$4
shift 4
mkdir -p "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
headers=()
for src in "$@"; do
	case $src in *.h) headers+=("$src"); continue ;; esac
	obj=$out/$(echo "${src%.cc}" | tr / _).o
	# shellcheck disable=SC2086
	if ! $cxx $flags -c "$src" -o "$obj"; then ko "compile $src"; continue; fi
	ok "compile $src"
	# Symbols the kernel provides on every arch that the compiler may call
	# for struct initialisation (KERNEL_SYMS, per arch: arch/<a>/build.mk).
	undef=$(nm -u "$obj" | awk '{print $2}' | grep -vxF -f <(printf '%s\n' ${KERNEL_SYMS:-} ''))
	if [ -n "$undef" ]; then ko "no undefined symbols in $src: $(echo $undef | tr '\n' ' ')"; else ok "no undefined symbols in $src"; fi
	if objdump -h "$obj" | grep -qE '\.(init_array|ctors)'; then ko "no static constructors in $src"; else ok "no static constructors in $src"; fi
	# shellcheck disable=SC2086
	while read -r h; do headers+=("$h"); done < <($cxx $flags -MM "$src" | tr ' \\' '\n\n' | grep -E "^(core|arch/$arch)/.*\\.h\$")
done
for h in $(printf '%s\n' "${headers[@]}" | sort -u); do
	# shellcheck disable=SC2086
	if $cxx $flags -x c++ -fsyntax-only "$h"; then ok "header $h"; else ko "header $h"; fi
done
echo "RESULT: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
