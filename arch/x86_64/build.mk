# x86-64 backend: how to build and test it (the generic per-arch rules are
# arch/arch.mk's), and its encoder/lowering tests.

ARCH_x86_64_CXX := $(CXX)
ARCH_x86_64_FREESTANDING := -mno-red-zone -mgeneral-regs-only
ARCH_x86_64_CAPSTONE := CS_ARCH_X86 CS_MODE_64
ARCH_x86_64_RUNNER :=

# check-x86-64: encoders against capstone, rules against the reference
# semantics on the CPU, the ISA model against the CPU and capstone.
X86_64_TEST := $(BUILD)/tests/x86_64_test
X86_64_TEST_SRCS := $(wildcard selftests/x86_64/*.cc)

$(OBJ)/selftests/x86_64/model_run.o: selftests/x86_64/model_run.S
	@mkdir -p $(dir $@)
	$(CXX) -c $< -o $@

$(X86_64_TEST): $(patsubst %.cc,$(OBJ)/%.o,$(X86_64_TEST_SRCS)) $(OBJ)/selftests/x86_64/model_run.o \
		$(BUILD)/lib/libvjit_x86_64.a $(BUILD)/lib/libvjit_core.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lcapstone -lgtest -lgtest_main -pthread

.PHONY: check-x86-64
check-x86-64: $(X86_64_TEST)
	$(X86_64_TEST)

CHECKS += check-x86-64
