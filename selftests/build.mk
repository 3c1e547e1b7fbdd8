# Unit tests (GoogleTest) and the differential fuzzer. The VM harness
# (selftests/vm/) has its own fragment.
UNIT_TEST_BIN := $(BIN)/vjit-unit-tests
UNIT_TEST_SRCS := selftests/unit/interp_test.cc selftests/unit/cbpf_convert_test.cc \
	selftests/unit/isa_test.cc selftests/unit/diag_test.cc \
	selftests/unit/vjit_run_test.cc
UNIT_TEST_OBJS := $(UNIT_TEST_SRCS:%.cc=$(OBJ)/%.o)

$(UNIT_TEST_BIN): $(UNIT_TEST_OBJS) $(VJIT_RUNTIME_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread -lseccomp $(VJIT_RUNTIME_LDLIBS)

.PHONY: check-unit
check-unit: $(UNIT_TEST_BIN) $(BIN)/vjit-run
	VJIT_RUN=$(BIN)/vjit-run $(UNIT_TEST_BIN)

# Differential fuzzer: random valid programs through the JIT and the
# reference interpreter. `make fuzz FUZZ_ITERS=100000 FUZZ_SEED=7`.
FUZZ_BIN := $(BIN)/vjit-fuzz
FUZZ_ITERS ?= 1000000
FUZZ_SEED ?= $(shell date +%s)
CHECK_FUZZ_ITERS ?= 50000

$(FUZZ_BIN): $(OBJ)/selftests/fuzz/fuzz.o $(VJIT_RUNTIME_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(VJIT_RUNTIME_LDLIBS)

.PHONY: check-fuzz fuzz
check-fuzz: $(FUZZ_BIN) $(BIN)/vjit-run
	$(FUZZ_BIN) --iterations $(CHECK_FUZZ_ITERS) --seed 1 --out $(BUILD)/fuzz
fuzz: $(FUZZ_BIN) $(BIN)/vjit-run
	$(FUZZ_BIN) --iterations $(FUZZ_ITERS) --seed $(FUZZ_SEED) --out $(BUILD)/fuzz

BINS += $(UNIT_TEST_BIN) $(FUZZ_BIN)
CHECKS += check-unit check-fuzz
