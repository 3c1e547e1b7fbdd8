// SPDX-License-Identifier: GPL-2.0
// The SCPL compiler: a policy to a seccomp classic BPF filter.
//
//   ld arch; jeq AUDIT_ARCH_… per arch (else: badarch action)
//   ld nr; a search tree over ranges of syscall numbers with equal rules,
//   the x32 range included (so the x32 check costs nothing on the hot
//   path); each leaf returns its action or checks arguments, 64-bit
//   comparisons done on both 32-bit halves.
//
// The tree minimises the instructions executed on average over the arch's
// syscall numbers (each range weighted by how many it covers: an optimal
// binary search tree by dynamic programming) plus a price per instruction of
// length, with a bound on the path of each hot syscall. A subtree may be a
// chain of "jeq" picking single numbers out of one decision. Leaves are
// shared: one RET per action and one copy of each distinct rule list per
// arch, jumped to from every node that needs it.
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
	// Hot syscalls and the most instructions each may execute (arch
	// check and number load included); the tree minimises the average over
	// the arch's syscall numbers within these bounds.
	std::vector<std::pair<std::string, unsigned>> hot = {
		{"read", 6}, {"write", 6}, {"getpid", 7}, {"futex", 7}, {"epoll_wait", 7}};
	// What one instruction of filter length is worth, in instructions
	// executed on average: the tree trades one for the other at this rate.
	double length_weight = 0.25;
};

// Throws Error when the filter would exceed the kernel's 4096 instructions.
Filter compile(const Policy &p, const CompileOptions &opt = {});

// Output formats.
std::string listing(const Filter &f, const Policy *p = nullptr); // readable
std::string c_array(const Filter &f, const std::string &name);

} // namespace scpl

#endif
