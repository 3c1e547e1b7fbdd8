# kmod/build.mk: the kernel module, vjitctl, the VM suites.
#
#   build/kmod/<kver>/vjit.ko  built with Kbuild against each installed
#                   Debian kernel's headers (not the host's running kernel,
#                   which is another one and cannot load modules here)
#   kmod/vjit.ko    the one for VJIT_KVER
#   build/bin/vjitctl
#   build/kmod/<arm64 kver>/vjit.ko  cross-built for Debian's arm64 kernel
#                   (make kmod-arm64; scripts/fetch-arm64.sh fetches it)
#   build/kmod/<riscv64 kver>/vjit.ko  cross-built for linux-source-6.1
#                   built for riscv64 (make kmod-riscv64;
#                   scripts/build-riscv64-kernel.sh builds it)
#   make vm-check   boots those kernels in qemu and runs the kernel tests
#   make bench-vm   the seccomp cost and compile time benchmarks (in BENCHES)
#   make bench-diag a filtered INET-DIAG dump of 10,000 sockets, vjit vs the
#                   kernel's interpreter (in BENCHES)

# The kernels vjit is built for: every installed Debian amd64 kernel that
# has headers (Debian 12: the 6.1 line of linux-image-amd64 and the 6.12
# line). Each gets its own Kbuild tree, build/kmod/<kver>/, with the
# module's sources linked in, so one checkout builds for all of them.
# The ISA level and the kernel interface follow each kernel's headers.
VJIT_KVERS ?= $(shell for d in /lib/modules/*-amd64; do [ -d $$d/build ] && basename $$d; done 2>/dev/null | sort -V)
# kmod/vjit.ko is the build for VJIT_KVER: by default the kernel of
# linux-image-amd64 (Debian 12's default kernel), else the oldest one.
VJIT_KVER ?= $(or $(shell dpkg-query -W -f='$${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'),$(firstword $(VJIT_KVERS)))
vjit_ko = $(BUILD)/kmod/$(1)/vjit.ko
VJIT_KMODS := $(foreach k,$(sort $(VJIT_KVERS) $(VJIT_KVER)),$(call vjit_ko,$(k)))

BINS += kmod/vjit.ko $(VJIT_KMODS) $(BIN)/vjitctl
CHECKS += vm-check
BENCHES += bench-vm bench-diag

# Kbuild decides what is out of date (it also tracks the C++ sources listed
# in arch/<arch>/sources.list and their headers).
.PHONY: vjit-kmod-force
$(VJIT_KMODS): $(BUILD)/kmod/%/vjit.ko: vjit-kmod-force
	@test -d /lib/modules/$*/build || { echo "kmod: no /lib/modules/$*/build (install linux-headers-$*)"; exit 1; }
	@mkdir -p $(@D)
	@for f in Kbuild $(notdir $(wildcard kmod/*.c kmod/*.h)); do ln -sfn $(CURDIR)/kmod/$$f $(@D)/$$f; done
	$(MAKE) --no-print-directory -C /lib/modules/$*/build M=$(CURDIR)/$(@D) VJIT_ROOT=$(CURDIR) CC=gcc-12 modules

# arm64: Debian 12's arm64 kernel headers, fetched and unpacked by
# scripts/fetch-arm64.sh (build/arm64/kver names the kernel), cross-built
# into build/kmod/<arm64 kver>/ like the amd64 ones.
.PHONY: kmod-arm64
kmod-arm64:
	@scripts/fetch-arm64.sh
	@k=$$(cat $(BUILD)/arm64/kver); d=$(BUILD)/kmod/$$k; mkdir -p $$d; \
	for f in Kbuild $(notdir $(wildcard kmod/*.c kmod/*.h)); do ln -sfn $(CURDIR)/kmod/$$f $$d/$$f; done; \
	$(MAKE) --no-print-directory -C $(BUILD)/arm64/$$k/root/usr/src/linux-headers-$$k \
		ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- M=$(CURDIR)/$$d VJIT_ROOT=$(CURDIR) modules

# riscv64: Debian 12's linux-source-6.1 built for riscv64 by
# scripts/build-riscv64-kernel.sh (Debian 12 has no riscv64 port;
# build/riscv64/kver names it), the module cross-built against its tree.
.PHONY: kmod-riscv64
kmod-riscv64:
	@scripts/build-riscv64-kernel.sh
	@k=$$(cat $(BUILD)/riscv64/kver); d=$(BUILD)/kmod/$$k; mkdir -p $$d; \
	for f in Kbuild $(notdir $(wildcard kmod/*.c kmod/*.h)); do ln -sfn $(CURDIR)/kmod/$$f $$d/$$f; done; \
	$(MAKE) --no-print-directory -C $(BUILD)/riscv64/$$(dpkg-query -W -f='$${Version}' linux-source-6.1)/tree \
		ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- M=$(CURDIR)/$$d VJIT_ROOT=$(CURDIR) modules

kmod/vjit.ko: $(call vjit_ko,$(VJIT_KVER))
	@test -n "$(VJIT_KVER)" || { echo "kmod: no /lib/modules/*-amd64/build (install linux-headers-amd64)"; exit 1; }
	cp $< $@

$(BIN)/vjitctl: user/vjitctl.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -static -o $@ $<

.PHONY: vm-check vm-check-arm64 vm-check-riscv64 bench-vm bench-diag
# The x86-64 6.1 plans and the 6.12 one, each loading the DKMS build of the
# module for its kernel (dkms-check makes them); then the arm64 and
# riscv64 plans.
vm-check: $(VJIT_KMODS) $(BIN)/vjitctl $(filter $(BIN)/vjit-run,$(BINS))
	@$(MAKE) --no-print-directory dkms-check
	VJIT_VM_KO_DIR=$(CURDIR)/$(DKMS_KO) selftests/vm/run.sh check rethunk bhi diag k612
	@$(MAKE) --no-print-directory vm-check-arm64
	@$(MAKE) --no-print-directory vm-check-riscv64

# Debian's arm64 kernel on two CPUs (without and with LSE atomics), loading
# the cross-built module.
vm-check-arm64: $(BIN)/vjitctl kmod-arm64
	selftests/vm/run.sh arm64 arm64_lse

# linux-source-6.1 built for riscv64 on two CPUs, loading the cross-built
# module.
vm-check-riscv64: $(BIN)/vjitctl kmod-riscv64
	selftests/vm/run.sh riscv64

bench-vm: kmod/vjit.ko $(BIN)/vjitctl
	bench/vm/run.sh

# INET-DIAG: a filtered dump of 10,000 sockets, vjit vs the interpreter.
bench-diag: kmod/vjit.ko $(BIN)/vjitctl
	selftests/vm/run.sh diagbench
