# Benchmarks; `make bench` runs every target in BENCHES.
BENCH_JIT_BIN := $(BIN)/vjit-bench-jit

$(BENCH_JIT_BIN): $(OBJ)/bench/jit/bench_jit.o $(VJIT_RUNTIME_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lseccomp $(VJIT_RUNTIME_LDLIBS)

.PHONY: bench-jit
bench-jit: $(BENCH_JIT_BIN)
	$(BENCH_JIT_BIN)

BENCHES += bench-jit
BINS += $(BENCH_JIT_BIN)
