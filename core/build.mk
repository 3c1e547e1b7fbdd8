# core/: the hosted library of what core/ compiles to .cc files (the classic
# converter, the INET-DIAG translator), and freestanding builds that keep core/ kernel-ready.
CORE_LIB := $(BUILD)/lib/libvjit_core.a
CORE_SRCS := core/cbpf_convert.cc core/diag_translate.cc core/jit_error.cc
CORE_OBJS := $(CORE_SRCS:%.cc=$(OBJ)/%.o)

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Freestanding: the converter as the module will compile it, and the
# header-only interpreter.
CORE_FREESTANDING := $(CORE_SRCS:%.cc=$(OBJ)/freestanding/%.o) \
	$(OBJ)/freestanding/core/interp.h.ok

$(OBJ)/freestanding/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(FREESTANDING_CXXFLAGS) $(ARCH_$(HOST_ARCH)_FREESTANDING) -MMD -MP -c $< -o $@

$(OBJ)/freestanding/core/interp.h.ok: core/interp.h core/semantics.h core/bpf.h core/bv.h
	@mkdir -p $(dir $@)
	$(CXX) $(FREESTANDING_CXXFLAGS) $(ARCH_$(HOST_ARCH)_FREESTANDING) -fsyntax-only -x c++ core/interp.h && touch $@

BINS += $(CORE_LIB) $(CORE_FREESTANDING)
