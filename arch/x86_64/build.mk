# x86-64 backend: host library, freestanding check, encoder/lowering tests.

X86_64_SRCS := $(shell cat arch/x86_64/sources.list)
X86_64_LIB := $(BUILD)/lib/libvjit_x86_64.a

$(X86_64_LIB): $(patsubst %.cc,$(OBJ)/%.o,$(X86_64_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(X86_64_LIB)

# check-freestanding: every source of sources.list, and every core/ and
# arch/x86_64/ header it reaches, compiles with FREESTANDING_CXXFLAGS; the
# objects reference no symbol from outside (nm -u is empty).
.PHONY: check-freestanding
check-freestanding:
	@arch/x86_64/check-freestanding.sh "$(CXX)" "$(FREESTANDING_CXXFLAGS)" $(BUILD)/freestanding $(X86_64_SRCS)

# check-x86-64: encoders against capstone, rules against the reference
# semantics on the CPU.
X86_64_TEST := $(BUILD)/tests/x86_64_test
X86_64_TEST_SRCS := $(wildcard selftests/x86_64/*.cc)

$(X86_64_TEST): $(patsubst %.cc,$(OBJ)/%.o,$(X86_64_TEST_SRCS)) $(X86_64_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lcapstone -lgtest -lgtest_main -pthread

.PHONY: check-x86-64
check-x86-64: $(X86_64_TEST)
	$(X86_64_TEST)

CHECKS += check-freestanding check-x86-64
