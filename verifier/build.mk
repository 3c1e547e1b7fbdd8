# vjit-verify: the Z3 proofs of the codegen tables, and their tests.
#
#   build/bin/vjit-verify        the verifier (make verify runs it on every arch)
#   check-verifier               GoogleTest: ISA model vs the real CPU, explorer,
#                                mutants (each must be rejected)
#   check-verify-x86_64          the full x86-64 proof (vjit-verify --arch x86_64),
#                                in CHECKS

VERIFY_LDLIBS := -lz3 -lcapstone -pthread

VERIFIER_SRCS := verifier/symbolic.cc verifier/explore.cc
VERIFIER_OBJS := $(VERIFIER_SRCS:%.cc=$(OBJ)/%.o)

$(OBJ)/selftests/verifier/x86_run.o: selftests/verifier/x86_run.S
	@mkdir -p $(dir $@)
	$(CXX) -c $< -o $@

VERIFIER_TEST_OBJS := $(OBJ)/selftests/verifier/x86_model_test.o \
	$(OBJ)/selftests/verifier/x86_run.o $(OBJ)/selftests/verifier/mutants_test.o \
	$(OBJ)/verifier/arches.o $(OBJ)/verifier/mutants_x86_64.o \
	$(OBJ)/selftests/verifier/diag_mutants_test.o $(OBJ)/verifier/diag_proof.o \
	$(OBJ)/verifier/mutants_diag.o

$(BIN)/vjit-verifier-tests: $(VERIFIER_TEST_OBJS) $(VERIFIER_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lgtest -lgtest_main $(VERIFY_LDLIBS)

.PHONY: check-verifier check-verify-x86_64 check-verify-diag verify
check-verifier: $(BIN)/vjit-verifier-tests
	$(BIN)/vjit-verifier-tests

# The full proof of the x86-64 table (prologue, epilogue, stack bound):
# about 5 minutes with 2 jobs on the 2-core CI machine.
check-verify-x86_64: $(BIN)/vjit-verify
	$(BIN)/vjit-verify --arch x86_64 --json $(BUILD)/logs/verify-x86_64.json

# The INET-DIAG translation, one theorem per op code.
check-verify-diag: $(BIN)/vjit-verify
	@mkdir -p $(BUILD)/logs
	$(BIN)/vjit-verify --inet-diag --json $(BUILD)/logs/verify-diag.json

verify: $(BIN)/vjit-verify
	$(BIN)/vjit-verify --all-arches --json $(BUILD)/logs/verify.json
	$(BIN)/vjit-verify --inet-diag --json $(BUILD)/logs/verify-diag.json

CHECKS += check-verifier check-verify-x86_64 check-verify-diag

VERIFY_SRCS := verifier/main.cc verifier/arches.cc verifier/mutants_x86_64.cc \
	verifier/diag_proof.cc verifier/mutants_diag.cc
VERIFY_OBJS := $(VERIFY_SRCS:%.cc=$(OBJ)/%.o)

$(BIN)/vjit-verify: $(VERIFY_OBJS) $(VERIFIER_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(VERIFY_LDLIBS)

BINS += $(BIN)/vjit-verify
