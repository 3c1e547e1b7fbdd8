// SPDX-License-Identifier: GPL-2.0
// The independent references for arm64 words on this x86 host: GNU as
// (aarch64-linux-gnu-as) assembles text the tests write, capstone's arm64
// mode disassembles words the encoders emit.
#ifndef VJIT_SELFTESTS_ARM64_BINUTILS_H
#define VJIT_SELFTESTS_ARM64_BINUTILS_H

#include <cstdint>
#include <string>
#include <vector>

namespace vjit_test {

// Assembles lines (one instruction each, at consecutive words from address
// 0) and returns one word per line; empty with *err on failure.
std::vector<uint32_t> assemble_a64(const std::vector<std::string> &lines, std::string *err);

// capstone's text of one word ("" when it does not decode it).
std::string disasm_a64(uint32_t word, uint64_t addr = 0);

} // namespace vjit_test

#endif
