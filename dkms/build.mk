# dkms/build.mk: vjit as a DKMS package.
#
#   make dkms-install   the sources into /usr/src/vjit-<version>/, then
#                       dkms add, build and install for every installed
#                       kernel with headers; /etc/modprobe.d/vjit.conf (the
#                       mode); VJIT_LOAD_AT_BOOT=1 adds modules-load.d
#   make dkms-uninstall dkms remove, and the files above
#   make dkms-check     (in CHECKS) dkms builds the module for every kernel
#                       in VJIT_KVERS, in a private tree under build/dkms/
#                       (nothing installed); the VM suites load these builds

VJIT_VERSION := 0.9
DKMS_SRC := $(BUILD)/dkms/src/vjit-$(VJIT_VERSION)
DKMS_TREE := $(BUILD)/dkms/tree
DKMS_KO := $(BUILD)/dkms/ko
CHECKS += dkms-check

.PHONY: dkms-src dkms-install dkms-uninstall dkms-check
# What the module's build needs: Kbuild glue, core/, the backends.
dkms-src:
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	git ls-files -z kmod core arch | xargs -0 cp --parents -t $(DKMS_SRC)
	sed 's/@VERSION@/$(VJIT_VERSION)/' dkms/dkms.conf > $(DKMS_SRC)/dkms.conf

dkms-install: dkms-src
	rm -rf /usr/src/vjit-$(VJIT_VERSION) && cp -r $(DKMS_SRC) /usr/src/
	dkms status -m vjit -v $(VJIT_VERSION) | grep -q . || dkms add -m vjit -v $(VJIT_VERSION)
	set -e; for k in $(VJIT_KVERS); do dkms install -m vjit -v $(VJIT_VERSION) -k $$k; done
	install -D -m 644 dkms/vjit-modprobe.conf /etc/modprobe.d/vjit.conf
	if [ "$(VJIT_LOAD_AT_BOOT)" = 1 ]; then install -D -m 644 dkms/vjit-modules-load.conf /etc/modules-load.d/vjit.conf; fi

dkms-uninstall:
	-dkms remove -m vjit -v $(VJIT_VERSION) --all
	rm -rf /usr/src/vjit-$(VJIT_VERSION) /etc/modprobe.d/vjit.conf /etc/modules-load.d/vjit.conf

# dkms build per kernel, in a private tree; one PASS/FAIL line each.
dkms-check: dkms-src
	@rm -rf $(DKMS_TREE) $(DKMS_KO); mkdir -p $(DKMS_TREE); p=0; f=0; \
	for k in $(VJIT_KVERS); do \
		if dkms build -m vjit -v $(VJIT_VERSION) -k $$k --dkmstree $(CURDIR)/$(DKMS_TREE) \
			--sourcetree $(CURDIR)/$(BUILD)/dkms/src > $(BUILD)/dkms/build-$$k.log 2>&1 && \
		   ko=$$(find $(DKMS_TREE)/vjit/$(VJIT_VERSION)/$$k -name 'vjit.ko*' | head -1) && [ -n "$$ko" ]; then \
			mkdir -p $(DKMS_KO)/$$k && cp $$ko $(DKMS_KO)/$$k/vjit.ko; \
			echo "PASS: dkms build for $$k ($$(modinfo -F vermagic $(DKMS_KO)/$$k/vjit.ko))"; p=$$((p + 1)); \
		else \
			echo "FAIL: dkms build for $$k (log: $(BUILD)/dkms/build-$$k.log)"; tail -20 $(BUILD)/dkms/build-$$k.log; f=$$((f + 1)); \
		fi; \
	done; echo "RESULT: $$p passed, $$f failed"; [ $$f = 0 ]
