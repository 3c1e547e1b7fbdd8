# SCPL: the policy language, its compiler (scplc), the proof, libscpl and
# scpl-exec. Included by the top-level Makefile.

SCPL_LIB_SRCS := scpl/policy.cc scpl/tables.cc scpl/parser.cc scpl/oci.cc \
	scpl/compile.cc scpl/output.cc scpl/prove.cc scpl/libscpl.cc
SCPL_LIB_OBJS := $(SCPL_LIB_SRCS:%.cc=$(OBJ)/%.o) $(OBJ)/verifier/symbolic.o
SCPL_LIBS := -lseccomp -lz3
LIBSCPL := $(BUILD)/lib/libscpl.a

BINS += $(BIN)/scplc $(BIN)/scpl-exec $(LIBSCPL)
CHECKS += check-scpl
BENCHES += bench-scpl

# Argument constants from the installed UAPI headers (see the script).
SCPL_UAPI_INC := $(BUILD)/gen/scpl/uapi_constants.inc
$(SCPL_UAPI_INC): scpl/gen-uapi-constants.sh
	@mkdir -p $(dir $@)
	scpl/gen-uapi-constants.sh $(CXX) $@
$(OBJ)/scpl/tables.o: $(SCPL_UAPI_INC)

$(LIBSCPL): $(SCPL_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/scplc $(BIN)/scpl-exec: $(BIN)/%: $(OBJ)/user/%.o $(LIBSCPL)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(SCPL_LIBS)

# Tests and bench also build each policy through libseccomp.
SCPL_REF_OBJ := $(OBJ)/scpl/libseccomp_ref.o
SCPL_TEST_SRCS := $(wildcard selftests/scpl/*.cc)
SCPL_FUZZ_OBJS := $(OBJ)/selftests/scpl/fuzz/scpl_fuzz.o $(OBJ)/selftests/scpl/fuzz_gen.o

$(BIN)/scpl-tests: $(SCPL_TEST_SRCS:%.cc=$(OBJ)/%.o) $(SCPL_REF_OBJ) $(LIBSCPL)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(SCPL_LIBS) -lgtest -lgtest_main -pthread

$(BIN)/scpl-fuzz: $(SCPL_FUZZ_OBJS) $(LIBSCPL)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(SCPL_LIBS)

$(BIN)/scpl-bench: $(OBJ)/bench/scpl/scpl_bench.o $(SCPL_REF_OBJ) $(LIBSCPL)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(SCPL_LIBS)

# The grammar fuzzer: a bounded run is one of the SCPL tests; `make fuzz`
# adds a longer one (SCPL_FUZZ_ITERS, FUZZ_SEED as for the JIT fuzzer).
SCPL_FUZZ_ITERS ?= 20000
BINS += $(BIN)/scpl-fuzz
fuzz: fuzz-scpl

.PHONY: check-scpl bench-scpl fuzz-scpl
fuzz-scpl: $(BIN)/scpl-fuzz
	$(BIN)/scpl-fuzz --iterations $(SCPL_FUZZ_ITERS) --seed $(or $(FUZZ_SEED),1) --out $(BUILD)/scpl-fuzz

check-scpl: $(BIN)/scpl-tests $(BIN)/scplc $(BIN)/scpl-exec
	$(BIN)/scpl-tests

bench-scpl: $(BIN)/scpl-bench
	$(BIN)/scpl-bench
