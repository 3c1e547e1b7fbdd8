# vjit-run and the userspace runtime it shares with the tests, the fuzzer and
# the benchmarks (scplc and vjitctl have their own fragments).
X86_LIB ?= $(BUILD)/lib/libvjit_x86_64.a
USER_LIB := $(BUILD)/lib/libvjit_user.a
USER_LIB_OBJS := $(OBJ)/user/vjit_runtime.o $(OBJ)/user/bpf_print.o

$(USER_LIB): $(USER_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Link order: user runtime, JIT backend, core.
VJIT_RUNTIME_LIBS := $(USER_LIB) $(X86_LIB) $(CORE_LIB)

$(BIN)/vjit-run: $(OBJ)/user/vjit-run.o $(VJIT_RUNTIME_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lbpf -lcapstone

BINS += $(BIN)/vjit-run
