// SPDX-License-Identifier: GPL-2.0
// Shared by the SCPL tests: the project's policies and seccomp_data values.
#ifndef VJIT_SELFTESTS_SCPL_HELPERS_H
#define VJIT_SELFTESTS_SCPL_HELPERS_H

#include <linux/audit.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "scpl/oci.h"
#include "scpl/parser.h"
#include "scpl/prove.h"

namespace scpl_test {

using Data = scpl::SeccompData<vjit::Concrete>;

// Tests run from the project root (make check-scpl).
inline const char *DOCKER = "policies/docker-default.json";
inline const std::vector<std::string> SCPL_POLICIES = {
	"policies/systemd-service.scpl", "policies/server.scpl", "policies/web-worker.scpl",
	"policies/base.scpl", "policies/renderer.scpl"};

// One directory for a test run's files, removed (with them) at exit.
inline const std::string &temp_dir() {
	struct Dir {
		std::string path;
		Dir() {
			char tmpl[] = "/tmp/scpl-test-XXXXXX";
			path = mkdtemp(tmpl);
		}
		~Dir() { std::filesystem::remove_all(path); }
	};
	static const Dir dir;
	return dir.path;
}

inline scpl::Policy docker_policy() {
	scpl::OciOptions o;
	o.caps = scpl::docker_default_caps();
	o.kernel = "6.1";
	return scpl::import_oci(DOCKER, o);
}

inline Data data(uint32_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
		 uint32_t arch = AUDIT_ARCH_X86_64) {
	Data d;
	d.nr = nr;
	d.arch = arch;
	d.ip = 0;
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	for (int i = 3; i < 6; i++)
		d.args[i] = 0;
	return d;
}

} // namespace scpl_test

#endif
