// SPDX-License-Identifier: GPL-2.0
// Instruction builders for tests and the fuzzer (the kernel's BPF_* macros,
// as functions).
#ifndef VJIT_SELFTESTS_BPF_ASM_H
#define VJIT_SELFTESTS_BPF_ASM_H

#include <vector>

#include "core/bpf.h"
#include "core/cbpf_semantics.h"

namespace vjit {
namespace asm_ {

using namespace bpf;

inline Insn raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
	return Insn{code, dst, src, off, imm};
}
inline Insn alu64_reg(uint8_t o, uint8_t dst, uint8_t src) { return raw(ALU64 | o | X, dst, src, 0, 0); }
inline Insn alu32_reg(uint8_t o, uint8_t dst, uint8_t src) { return raw(ALU | o | X, dst, src, 0, 0); }
inline Insn alu64_imm(uint8_t o, uint8_t dst, int32_t imm) { return raw(ALU64 | o | K, dst, 0, 0, imm); }
inline Insn alu32_imm(uint8_t o, uint8_t dst, int32_t imm) { return raw(ALU | o | K, dst, 0, 0, imm); }
inline Insn mov64_imm(uint8_t dst, int32_t imm) { return alu64_imm(MOV, dst, imm); }
inline Insn mov32_imm(uint8_t dst, int32_t imm) { return alu32_imm(MOV, dst, imm); }
inline Insn mov64_reg(uint8_t dst, uint8_t src) { return alu64_reg(MOV, dst, src); }
inline Insn endian(uint8_t to, uint8_t dst, int32_t width) { return raw(ALU | END | to, dst, 0, 0, width); }
inline Insn ldx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return raw(LDX | MEM | sz, dst, src, off, 0); }
inline Insn stx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return raw(STX | MEM | sz, dst, src, off, 0); }
inline Insn st(uint8_t sz, uint8_t dst, int16_t off, int32_t imm) { return raw(ST | MEM | sz, dst, 0, off, imm); }
inline Insn atomic(uint8_t sz, int32_t aop, uint8_t dst, uint8_t src, int16_t off) {
	return raw(STX | ATOMIC | sz, dst, src, off, aop);
}
inline Insn jmp_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off) { return raw(JMP | o | K, dst, 0, off, imm); }
inline Insn jmp_reg(uint8_t o, uint8_t dst, uint8_t src, int16_t off) { return raw(JMP | o | X, dst, src, off, 0); }
inline Insn jmp32_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off) { return raw(JMP32 | o | K, dst, 0, off, imm); }
inline Insn jmp32_reg(uint8_t o, uint8_t dst, uint8_t src, int16_t off) { return raw(JMP32 | o | X, dst, src, off, 0); }
inline Insn ja(int16_t off) { return raw(JMP | JA, 0, 0, off, 0); }
inline Insn call_helper(int32_t imm) { return raw(JMP | CALL, 0, 0, 0, imm); }
inline Insn call_func(int32_t rel) { return raw(JMP | CALL, 0, PSEUDO_CALL, 0, rel); }
inline Insn exit_() { return raw(JMP | EXIT, 0, 0, 0, 0); }
// LD_IMM64 takes two slots.
inline void ld_imm64(std::vector<Insn> &p, uint8_t dst, uint64_t v) {
	p.push_back(raw(LD | IMM | DW, dst, 0, 0, (int32_t)(uint32_t)v));
	p.push_back(raw(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

// Classic.
inline ClassicInsn stmt(uint16_t code, uint32_t k) { return ClassicInsn{code, 0, 0, k}; }
inline ClassicInsn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
	return ClassicInsn{code, jt, jf, k};
}

} // namespace asm_
} // namespace vjit

#endif
