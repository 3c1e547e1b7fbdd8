# SCPL: the policy language, its compiler (scplc), the proof, libscpl and
# scpl-exec. Included by the top-level Makefile.

SCPL_LIB_SRCS := scpl/policy.cc scpl/tables.cc scpl/parser.cc scpl/oci.cc \
	scpl/compile.cc scpl/output.cc scpl/prove.cc
SCPL_LIB_OBJS := $(SCPL_LIB_SRCS:%.cc=$(OBJ)/%.o) $(OBJ)/verifier/symbolic.o
SCPL_LIBS := -lseccomp -lz3

BINS += $(BIN)/scplc
CHECKS += check-scpl
BENCHES += bench-scpl

$(BIN)/scplc: $(OBJ)/user/scplc.o $(SCPL_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(SCPL_LIBS)

.PHONY: check-scpl bench-scpl
