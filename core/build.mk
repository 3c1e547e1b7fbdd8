# core/: the hosted library of what core/ compiles to .cc files (the classic
# converter, the INET-DIAG translator, the error names).
CORE_LIB := $(BUILD)/lib/libvjit_core.a
CORE_SRCS := core/cbpf_convert.cc core/diag_translate.cc core/jit_error.cc
CORE_OBJS := $(CORE_SRCS:%.cc=$(OBJ)/%.o)

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Freestanding: check-freestanding-<arch> (arch/arch.mk) compiles CORE_SRCS and
# CORE_FREESTANDING_HEADERS with each arch's compiler, as vjit.ko will.
CORE_FREESTANDING_HEADERS := core/interp.h

BINS += $(CORE_LIB)
