# vjit: the one entry point. Each area owns a fragment (<area>/build.mk) that
# adds its binaries to BINS and its test suites to CHECKS (see below).
#
#   make            build the tools (build/bin/) and the module (kmod/vjit.ko)
#   make check      install what is missing, build, run every suite; ends with
#                   one line "N passed, N failed"
#   make demo       the main job, end to end
#   make verify     the full Z3 proofs of every codegen table
#   make vm-check   the kernel tests in a qemu VM
#   make bench      benchmarks (ratios against a reference in the same run)
#   make fuzz       a longer differential fuzz run

SHELL := /bin/bash
CXX := g++-12
CC := gcc-12
BUILD := build
BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

# Hosted C++ (tools, tests, verifier).
CXXFLAGS := -std=gnu++17 -O2 -g -Wall -Wextra -Werror -I. -I$(BUILD)/gen
LDLIBS :=

# Freestanding C++: what core/ and arch/*/ must compile under (the kernel
# module adds the kernel's own flags on top of these, see kmod/); each arch
# adds its own (ARCH_<a>_FREESTANDING).
FREESTANDING_CXXFLAGS := -std=gnu++17 -O2 -Wall -Wextra -Werror -I. \
	-ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-use-cxa-atexit -fno-asynchronous-unwind-tables -nostdinc++ \
	-fno-builtin

NPROC := $(shell nproc 2>/dev/null || echo 2)

BINS :=
CHECKS :=
BENCHES :=
.DEFAULT_GOAL := all

# The arches with a backend, one line each. arch/<a>/build.mk says how to
# build and test it:
#   ARCH_<a>_CXX            compiler for its freestanding check (a cross
#                           compiler when <a> is not this host)
#   ARCH_<a>_FREESTANDING   its freestanding flags
#   ARCH_<a>_CAPSTONE       capstone's arch and mode for it (empty: none)
#   ARCH_<a>_RUNNER         how this host runs its code (qemu-user), or
#                           empty for the host's own arch
# and the generic part (arch.mk) gives every arch a hosted library of its
# backend, check-freestanding-<a> and check-verify-<a>; shared code reaches
# the arches through the generated $(VJIT_ARCHES_H).
ARCHES := x86_64 arm64 riscv64
# The arches whose whole table and frame vjit-verify proves in make check;
# the others are built and tested (under qemu-user) while their proofs are
# completed (make check-verify-<a> shows where they stand).
PROVED_ARCHES := x86_64
HOST_ARCH := $(shell uname -m)

-include $(ARCHES:%=arch/%/build.mk)
-include core/build.mk
-include arch/arch.mk
-include user/build.mk
-include verifier/build.mk
-include scpl/build.mk
-include selftests/build.mk
-include kmod/build.mk
-include dkms/build.mk
-include bench/build.mk

.PHONY: all deps check demo verify vm-check bench fuzz clean
all: $(BINS)

deps:
	@scripts/deps.sh

# Each area adds: BINS (what `make` builds), CHECKS (suites for `make check`),
# BENCHES (targets `make bench` runs).
# Suites are make targets named in CHECKS; scripts/check.sh runs each one,
# counts its tests and prints the summary line.
check: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@scripts/check.sh $(CHECKS)

demo: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@scripts/demo.sh

# Each benchmark prints its own table of ratios.
bench: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@set -e; for b in $(BENCHES); do $(MAKE) --no-print-directory $$b; done

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C kmod clean 2>/dev/null

$(OBJ)/%.o: %.cc | $(VJIT_ARCHES_H)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
