// SPDX-License-Identifier: GPL-2.0
// Import of Docker/OCI seccomp profiles (the JSON of Docker's default
// profile and of runc's config.json "linux.seccomp"), as the profile format
// documents them:
//   - defaultAction / defaultErrnoRet; each entry's action, errnoRet;
//   - an entry's "args" all hold together (libseccomp ANDs a rule's
//     comparisons); several entries for one syscall are tried in order;
//   - includes/excludes select entries by arch (Go names: amd64, x86, arm64)
//     by granted capability and by minimum kernel version.
// Names the syscall table does not know are reported one by one.
#ifndef VJIT_SCPL_OCI_H
#define VJIT_SCPL_OCI_H

#include <string>
#include <vector>

#include "scpl/policy.h"

namespace scpl {

struct OciOptions {
	std::vector<std::string> arches = {"x86_64"};
	std::vector<std::string> caps;  // granted capabilities (CAP_...)
	std::string kernel;             // "6.1": for minKernel; "" = this machine's
};

// The capabilities a Docker container has by default.
std::vector<std::string> docker_default_caps();

Policy import_oci(const std::string &path, const OciOptions &opt);
Policy import_oci_text(const std::string &json, const std::string &name, const OciOptions &opt);

} // namespace scpl

#endif
