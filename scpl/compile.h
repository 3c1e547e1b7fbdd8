// SPDX-License-Identifier: GPL-2.0
// The SCPL compiler: a policy to a seccomp classic BPF filter.
//
//   ld arch; jeq AUDIT_ARCH_… per arch (else: badarch action)
//   ld nr; a search tree over ranges of syscall numbers with equal rules,
//   the x32 range included (so the x32 check costs nothing on the hot
//   path); each leaf returns its action or checks arguments, 64-bit
//   comparisons done on both 32-bit halves.
//
// The tree minimises the instructions executed, each range weighted by how
// many syscall numbers of the arch's table it covers plus a bonus for hot
// syscalls (optimal binary search tree by dynamic programming).
#ifndef VJIT_SCPL_COMPILE_H
#define VJIT_SCPL_COMPILE_H

#include <string>
#include <vector>

#include "core/bpf.h"
#include "scpl/policy.h"

namespace scpl {

using Filter = std::vector<vjit::ClassicInsn>;

// Bugs the tests inject to show the proof catches them.
enum class Mutation {
	NONE,
	OFF_BY_ONE_BOUND,   // tree splits at "nr > lo" instead of "nr >= lo"
	WRONG_ARG_HALF,     // high half of an argument loaded from the low word
	SIGN_EXTEND_CONST,  // constant's high half sign-extended from its low half
	OFF_BY_ONE_ARG_CMP, // "<=" / ">" on the low half compiled as "<" / ">="
	NO_X32_CHECK,       // x32 syscall numbers left to the default action
};
const char *mutation_name(Mutation m);
extern const Mutation ALL_MUTATIONS[5];

struct CompileOptions {
	Mutation mutation = Mutation::NONE;
	// Hot syscalls get this extra weight (in syscall numbers' worth).
	std::vector<std::string> hot = {"read", "write", "futex", "epoll_wait", "epoll_pwait",
					"getpid", "close", "recvfrom", "sendto", "poll", "ppoll",
					"mmap", "munmap", "clock_gettime", "openat", "fstat"};
	unsigned hot_weight = 24;
};

// Throws Error when the filter would exceed the kernel's 4096 instructions.
Filter compile(const Policy &p, const CompileOptions &opt = {});

// Output formats.
std::string listing(const Filter &f, const Policy *p = nullptr); // readable
std::string c_array(const Filter &f, const std::string &name);

} // namespace scpl

#endif
