// SPDX-License-Identifier: GPL-2.0
// binutils for riscv64 as an independent reference: assemble lines of
// assembler text into 32-bit words, and disassemble words into text.
#ifndef VJIT_SELFTESTS_RISCV64_BINUTILS_H
#define VJIT_SELFTESTS_RISCV64_BINUTILS_H

#include <cstdint>
#include <string>
#include <vector>

namespace vjit_test {

// riscv64-linux-gnu-as -march=rv64ima (no compressed forms) on the lines,
// in order; false with err when a tool fails.
bool rv_assemble(const std::vector<std::string> &lines, std::vector<uint32_t> *words, std::string *err);

// riscv64-linux-gnu-objdump -M no-aliases: one text per word ("" when it
// does not decode).
std::vector<std::string> rv_disassemble(const std::vector<uint32_t> &words);

} // namespace vjit_test

#endif
