# vjit-verify: the Z3 proofs of the codegen tables, and their tests.
#
#   build/bin/vjit-verify        the verifier (make verify runs it on every arch)
#   check-verifier               GoogleTest: explorer, mutants (each must be
#                                rejected); each arch's model is tested with
#                                the arch (selftests/<arch>/model_test.cc)
#   check-verify-<arch>          the full proof of one arch's table and frame
#                                (arch/arch.mk), in CHECKS

# Counterexamples are disassembled by user/arches.h's disassembler.
VERIFY_LIBS := $(USER_LIB) $(ARCH_LIBS) $(CORE_LIB)
VERIFY_LDLIBS := -lz3 -lcapstone -pthread
# Each arch registers itself in its mutants_<arch>.cc.
VERIFY_ARCH_SRCS := $(ARCHES:%=verifier/mutants_%.cc)

VERIFIER_SRCS := verifier/symbolic.cc verifier/explore.cc
VERIFIER_OBJS := $(VERIFIER_SRCS:%.cc=$(OBJ)/%.o)

VERIFIER_TEST_OBJS := $(OBJ)/selftests/verifier/mutants_test.o \
	$(OBJ)/verifier/arches.o $(VERIFY_ARCH_SRCS:%.cc=$(OBJ)/%.o) \
	$(OBJ)/selftests/verifier/diag_mutants_test.o $(OBJ)/verifier/diag_proof.o \
	$(OBJ)/verifier/mutants_diag.o

$(BIN)/vjit-verifier-tests: $(VERIFIER_TEST_OBJS) $(VERIFIER_OBJS) $(VERIFY_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ -lgtest -lgtest_main $(VERIFY_LDLIBS)

.PHONY: check-verifier check-verify-diag verify
check-verifier: $(BIN)/vjit-verifier-tests
	$(BIN)/vjit-verifier-tests

# The INET-DIAG translation, one theorem per op code.
check-verify-diag: $(BIN)/vjit-verify
	@mkdir -p $(BUILD)/logs
	$(BIN)/vjit-verify --inet-diag --json $(BUILD)/logs/verify-diag.json

verify: $(BIN)/vjit-verify
	$(BIN)/vjit-verify --all-arches --json $(BUILD)/logs/verify.json
	$(BIN)/vjit-verify --inet-diag --json $(BUILD)/logs/verify-diag.json

CHECKS += check-verifier $(PROVED_ARCHES:%=check-verify-%) check-verify-diag

VERIFY_SRCS := verifier/main.cc verifier/arches.cc $(VERIFY_ARCH_SRCS) \
	verifier/diag_proof.cc verifier/mutants_diag.cc
VERIFY_OBJS := $(VERIFY_SRCS:%.cc=$(OBJ)/%.o)

$(BIN)/vjit-verify: $(VERIFY_OBJS) $(VERIFIER_OBJS) $(VERIFY_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(VERIFY_LDLIBS)

BINS += $(BIN)/vjit-verify
