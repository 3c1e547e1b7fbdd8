# What every arch of ARCHES gets (the Makefile lists them; arch/<a>/build.mk
# sets its ARCH_<a>_* variables):
#   $(BUILD)/lib/libvjit_<a>.a   its backend (arch/<a>/sources.list), hosted:
#                                the tools generate <a> code on this host
#   check-freestanding-<a>       its sources and core/'s compile freestanding
#                                with its compiler and flags, as vjit.ko
#                                will, referencing nothing outside
#   check-verify-<a>             the full proof of its table and frame
# and $(VJIT_ARCHES_H), through which shared code reaches them all.

comma := ,
ARCH_LIBS :=

define arch_rules
ARCH_$(1)_SRCS := $$(shell sed -e 's/#.*//' arch/$(1)/sources.list)
ARCH_$(1)_LIB := $(BUILD)/lib/libvjit_$(1).a
$$(ARCH_$(1)_LIB): $$(patsubst %.cc,$(OBJ)/%.o,$$(ARCH_$(1)_SRCS))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
ARCH_LIBS += $$(ARCH_$(1)_LIB)

.PHONY: check-freestanding-$(1) check-verify-$(1)
check-freestanding-$(1):
	@KERNEL_SYMS="$$(ARCH_$(1)_KERNEL_SYMS)" scripts/check-freestanding.sh "$$(ARCH_$(1)_CXX)" \
		"$(FREESTANDING_CXXFLAGS) $$(ARCH_$(1)_FREESTANDING)" \
		$(BUILD)/freestanding/$(1) $(1) $(CORE_SRCS) $$(ARCH_$(1)_SRCS) \
		$(CORE_FREESTANDING_HEADERS)

# The arch's whole proof (its time: README, make verify).
check-verify-$(1): $(BIN)/vjit-verify
	@mkdir -p $(BUILD)/logs
	$(BIN)/vjit-verify --arch $(1) --json $(BUILD)/logs/verify-$(1).json
endef
$(foreach a,$(ARCHES),$(eval $(call arch_rules,$(a))))

BINS += $(ARCH_LIBS)
CHECKS += $(ARCHES:%=check-freestanding-%)

# One X(name, capstone arch, capstone mode, runner) per arch; capstone arch
# -1: capstone has no disassembler for it.
VJIT_ARCHES_H := $(BUILD)/gen/vjit_arches.h
arch_capstone = $(if $(ARCH_$(1)_CAPSTONE),$(word 1,$(ARCH_$(1)_CAPSTONE))$(comma) $(word 2,$(ARCH_$(1)_CAPSTONE)),-1$(comma) 0)
arch_entry = X($(1)$(comma) $(call arch_capstone,$(1))$(comma) "$(ARCH_$(1)_RUNNER)")
VJIT_ARCHES_TEXT := /* Generated from ARCHES in the Makefile. */\n\#define VJIT_HOST_ARCH "$(HOST_ARCH)"\n\#define VJIT_FOR_EACH_ARCH(X) $(foreach a,$(ARCHES),$(call arch_entry,$(a)))\n

# Rewritten only when the text changes, so that objects are not rebuilt.
$(VJIT_ARCHES_H): FORCE
	@mkdir -p $(dir $@)
	@printf '$(VJIT_ARCHES_TEXT)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:
