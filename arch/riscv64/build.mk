# riscv64 backend: how to build and test it (the generic per-arch rules are
# arch/arch.mk's), and its encoder/lowering/model tests.

ARCH_riscv64_CXX := riscv64-linux-gnu-g++
ARCH_riscv64_FREESTANDING := -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-save-restore
# GCC calls memset to zero structures on riscv64 (x86-64 inlines it); the
# kernel exports it.
ARCH_riscv64_KERNEL_SYMS := memset
# capstone 4 (Debian 12) has no RISC-V: encodings are checked against
# binutils (riscv64-linux-gnu-as/objdump) instead.
ARCH_riscv64_CAPSTONE :=
ARCH_riscv64_RUNNER := qemu-riscv64-static

# check-riscv64: encoders against binutils' assembler, rules against the
# reference interpreter under qemu-user, the ISA model against qemu-user.
RISCV64_TEST := $(BUILD)/tests/riscv64_test
RISCV64_TEST_SRCS := $(wildcard selftests/riscv64/*.cc)

# The runner the tests start under qemu-riscv64-static: static, riscv64.
RISCV64_RUNNER := $(BUILD)/tests/riscv64_runner
$(RISCV64_RUNNER): selftests/riscv64/runner.cc selftests/riscv64/runner_abi.h
	@mkdir -p $(dir $@)
	$(ARCH_riscv64_CXX) -std=gnu++17 -O2 -Wall -Wextra -Werror -static -I. -o $@ $<

RISCV64_TEST_SRCS := $(filter-out selftests/riscv64/runner.cc,$(RISCV64_TEST_SRCS))
$(RISCV64_TEST): $(patsubst %.cc,$(OBJ)/%.o,$(RISCV64_TEST_SRCS)) \
		$(BUILD)/lib/libvjit_riscv64.a $(BUILD)/lib/libvjit_core.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread

.PHONY: check-riscv64
check-riscv64: $(RISCV64_TEST) $(RISCV64_RUNNER)
	$(RISCV64_TEST)

CHECKS += check-riscv64
