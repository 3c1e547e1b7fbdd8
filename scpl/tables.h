// SPDX-License-Identifier: GPL-2.0
// Names a policy may use: syscalls (libseccomp's maintained table), errno
// names (glibc's), symbolic constants (the system headers'), arches.
#ifndef VJIT_SCPL_TABLES_H
#define VJIT_SCPL_TABLES_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scpl/policy.h"

namespace scpl {

// The syscall's number on arch; UNKNOWN when no arch knows the name,
// NOT_ON_ARCH when the name exists elsewhere only.
enum class Lookup { FOUND, NOT_ON_ARCH, UNKNOWN };
Lookup syscall_number(const ArchInfo &arch, const std::string &name, uint32_t *nr);
// The name of number nr on arch, or "" (numeric syscalls, listings).
std::string syscall_name(const ArchInfo &arch, uint32_t nr);
// The highest syscall number the table knows on arch.
uint32_t max_syscall(const ArchInfo &arch);

// The closest known name (edit distance), or "" when nothing is close.
std::string suggest(const std::string &word, const std::vector<std::string> &candidates);
std::vector<std::string> all_syscall_names();

std::optional<int> errno_by_name(const std::string &name);
std::string errno_name(int e);

// AF_INET, CLONE_NEWUSER, ...; also listed for suggestions.
std::optional<uint64_t> constant_by_name(const std::string &name);
std::vector<std::string> all_constant_names();

const std::vector<ArchInfo> &all_arches();

} // namespace scpl

#endif
