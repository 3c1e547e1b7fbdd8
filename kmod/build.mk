# kmod/build.mk: the kernel module, vjitctl, the VM suites.
#
#   kmod/vjit.ko    built with Kbuild against the installed Debian kernel's
#                   headers (not the host's running kernel, which is another
#                   one and cannot load modules here)
#   build/bin/vjitctl
#   make vm-check   boots that kernel in qemu and runs the kernel tests
#   make bench-vm   the seccomp cost and compile time benchmarks (in BENCHES)
#   make bench-diag a filtered INET-DIAG dump of 10,000 sockets, vjit vs the
#                   kernel's interpreter (in BENCHES)

# The installed linux-image-amd64's version: the newest /lib/modules/*-amd64
# that has a build directory (headers).
VJIT_KVER ?= $(shell for d in /lib/modules/*-amd64; do [ -d $$d/build ] && basename $$d; done 2>/dev/null | sort -V | tail -1)
VJIT_KDIR := /lib/modules/$(VJIT_KVER)/build

BINS += kmod/vjit.ko $(BIN)/vjitctl
CHECKS += vm-check
BENCHES += bench-vm bench-diag

# Kbuild decides what is out of date (it also tracks the C++ sources listed
# in arch/x86_64/sources.list and their headers).
.PHONY: kmod/vjit.ko
kmod/vjit.ko:
	@test -n "$(VJIT_KVER)" || { echo "kmod: no /lib/modules/*-amd64/build (install linux-headers-amd64)"; exit 1; }
	$(MAKE) --no-print-directory -C $(VJIT_KDIR) M=$(CURDIR)/kmod CC=gcc-12 modules

$(BIN)/vjitctl: user/vjitctl.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -static -o $@ $<

.PHONY: vm-check bench-vm bench-diag
vm-check: kmod/vjit.ko $(BIN)/vjitctl $(filter $(BIN)/vjit-run,$(BINS))
	selftests/vm/run.sh check rethunk bhi diag

bench-vm: kmod/vjit.ko $(BIN)/vjitctl
	bench/vm/run.sh

# INET-DIAG: a filtered dump of 10,000 sockets, vjit vs the interpreter.
bench-diag: kmod/vjit.ko $(BIN)/vjitctl
	selftests/vm/run.sh diagbench
