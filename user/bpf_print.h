// SPDX-License-Identifier: GPL-2.0
// Readable listings of eBPF and classic BPF instructions (hosted), in the
// style of the kernel's verifier log: "r0 += r1", "if w2 > 0x5 goto +3".
#ifndef VJIT_USER_BPF_PRINT_H
#define VJIT_USER_BPF_PRINT_H

#include <string>
#include <vector>

#include "core/bpf.h"

namespace vjit {
namespace user {

// One instruction (with its successor for LD_IMM64).
std::string format_insn(const Insn *insn, size_t remaining);
// One classic instruction.
std::string format_classic(const ClassicInsn &insn);
// "  12: 07 01 00 00 08 00 00 00  r1 += 8" lines for a whole program.
std::string format_program(const std::vector<Insn> &prog);

} // namespace user
} // namespace vjit

#endif
