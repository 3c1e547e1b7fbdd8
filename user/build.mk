# vjit-run and the userspace runtime it shares with the tests, the fuzzer and
# the benchmarks (scplc and vjitctl have their own fragments).
USER_LIB := $(BUILD)/lib/libvjit_user.a
USER_LIB_OBJS := $(OBJ)/user/vjit_runtime.o $(OBJ)/user/bpf_print.o $(OBJ)/user/arches.o \
	$(OBJ)/user/foreign_run.o

$(USER_LIB): $(USER_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Link order: user runtime, every arch's backend, core.
VJIT_RUNTIME_LIBS := $(USER_LIB) $(ARCH_LIBS) $(CORE_LIB)
VJIT_RUNTIME_LDLIBS := -lcapstone

$(BIN)/vjit-run: $(OBJ)/user/vjit-run.o $(VJIT_RUNTIME_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lbpf $(VJIT_RUNTIME_LDLIBS)

BINS += $(BIN)/vjit-run
