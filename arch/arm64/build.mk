# arm64 backend: how to build and test it (the generic per-arch rules are
# arch/arch.mk's), and its encoder/lowering/model tests, which run arm64
# code under qemu-user on this host.

ARCH_arm64_CXX := aarch64-linux-gnu-g++
ARCH_arm64_FREESTANDING := -mgeneral-regs-only
ARCH_arm64_KERNEL_SYMS := memset memcpy memmove
ARCH_arm64_CAPSTONE := CS_ARCH_ARM64 CS_MODE_ARM
ARCH_arm64_RUNNER := qemu-aarch64-static

# The static arm64 program that runs an image under qemu-user for the tests
# and vjit-run (user/foreign_run.h).
ARM64_RUNNER := $(BIN)/vjit-runner-arm64
$(ARM64_RUNNER): selftests/arm64/runner.c
	@mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc -O2 -static -Wall -Wextra -Werror -o $@ $<
BINS += $(ARM64_RUNNER)

# check-arm64: encoders against capstone, rules against the reference
# interpreter under qemu-aarch64, the ISA model against qemu and capstone.
ARM64_TEST := $(BUILD)/tests/arm64_test
ARM64_TEST_SRCS := $(wildcard selftests/arm64/*.cc)

$(ARM64_TEST): $(patsubst %.cc,$(OBJ)/%.o,$(ARM64_TEST_SRCS)) $(OBJ)/user/foreign_run.o \
		$(BUILD)/lib/libvjit_arm64.a $(BUILD)/lib/libvjit_core.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lcapstone -lgtest -lgtest_main -pthread

.PHONY: check-arm64
check-arm64: $(ARM64_TEST) $(ARM64_RUNNER)
	VJIT_ARM64_RUNNER=$(ARM64_RUNNER) $(ARM64_TEST)

CHECKS += check-arm64
