// SPDX-License-Identifier: GPL-2.0
// The arches the tools know: every backend the Makefile's ARCHES registers
// (build/gen/vjit_arches.h), with what a hosted tool needs of each: its
// JIT, an independent disassembler (capstone) and how this host runs its
// code.
#ifndef VJIT_USER_ARCHES_H
#define VJIT_USER_ARCHES_H

#include <cstdint>
#include <string>
#include <vector>

#include "core/vjit_jit.h"

namespace vjit {
namespace user {

struct Arch {
	const char *name;
	const struct vjit_backend *jit;
	int cs_arch, cs_mode;  // capstone's; cs_arch < 0: capstone has none
	const char *runner;    // how this host runs its code (qemu-user); "": natively
	bool native() const { return runner[0] == '\0'; }
};

const std::vector<Arch> &arches();
// nullptr when no backend has that name.
const Arch *find_arch(const std::string &name);
// The arch this host runs (the default of every tool).
const Arch &host_arch();
// Every arch's name, for option checks.
std::vector<std::string> arch_names();

// One disassembled instruction.
struct DisasmLine {
	uint64_t addr;
	std::string hex, text;  // text: mnemonic and operands
};
// code[0, len) at address addr, in order; *undecoded is the number of
// trailing bytes the disassembler could not decode (all of them when the
// arch has no disassembler here).
std::vector<DisasmLine> disassemble(const Arch &a, const uint8_t *code, size_t len, uint64_t addr,
				    size_t *undecoded);

} // namespace user
} // namespace vjit

#endif
