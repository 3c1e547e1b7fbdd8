// SPDX-License-Identifier: GPL-2.0
// The eBPF instruction model: encodings as in the kernel's uapi
// (Documentation/bpf/instruction-set.rst), without the BPF_ prefix so that
// these names coexist with <linux/bpf.h>'s macros.
#ifndef VJIT_CORE_BPF_H
#define VJIT_CORE_BPF_H

#include "core/bv.h"

namespace vjit {
namespace bpf {

// Instruction classes (low 3 bits of the opcode).
enum : uint8_t {
	LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03,
	ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07,
};
// Source operand (bit 3): immediate or register.
enum : uint8_t { K = 0x00, X = 0x08 };
// ALU operations (high 4 bits).
enum : uint8_t {
	ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
	LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0,
	ARSH = 0xc0, END = 0xd0,
};
// END: byte order of the source, in the X bit.
enum : uint8_t { TO_LE = 0x00, TO_BE = 0x08 };
// JMP operations (high 4 bits).
enum : uint8_t {
	JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50,
	JSGT = 0x60, JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0,
	JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0,
	TAIL_CALL = 0xf0,  // the kernel's rewrite of bpf_tail_call()
};
// Memory access sizes (bits 3-4) and modes (bits 5-7).
enum : uint8_t { W = 0x00, H = 0x08, B = 0x10, DW = 0x18 };
enum : uint8_t { IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0 };
// ST | NOSPEC: the speculation barrier the kernel's verifier inserts.
enum : uint8_t { NOSPEC = 0xc0 };
// Atomic operations (in imm).
enum : int32_t {
	FETCH = 0x01,
	XCHG = 0xe0 | FETCH,
	CMPXCHG = 0xf0 | FETCH,
};
// LD_IMM64's src_reg: what the 64-bit immediate means.
enum : uint8_t { PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3,
		 PSEUDO_FUNC = 4, PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6 };
// CALL's src_reg: a helper (0), a bpf-to-bpf call, or a kfunc.
enum : uint8_t { PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2 };

// Registers: R0 return value, R1-R5 arguments, R6-R9 callee saved,
// R10 read-only frame pointer. AX is the hidden register constant
// blinding uses.
enum : uint8_t { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, AX, NREGS };
constexpr unsigned MAX_BPF_STACK = 512;

constexpr uint8_t cls(uint8_t code) { return code & 0x07; }
constexpr uint8_t op(uint8_t code) { return code & 0xf0; }
constexpr uint8_t srcbit(uint8_t code) { return code & 0x08; }
constexpr uint8_t size(uint8_t code) { return code & 0x18; }
constexpr uint8_t mode(uint8_t code) { return code & 0xe0; }
constexpr unsigned size_bytes(uint8_t code) {
	return size(code) == B ? 1 : size(code) == H ? 2 : size(code) == W ? 4 : 8;
}
constexpr bool is_alu(uint8_t code) { return cls(code) == ALU || cls(code) == ALU64; }
constexpr bool is_jmp(uint8_t code) { return cls(code) == JMP || cls(code) == JMP32; }
constexpr bool is_ld_imm64(uint8_t code) { return code == (LD | IMM | DW); }

} // namespace bpf

// One raw instruction, laid out exactly as the kernel's struct bpf_insn.
struct Insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};
static_assert(sizeof(Insn) == 8, "struct bpf_insn is 8 bytes");

// One classic BPF instruction, as struct sock_filter.
struct ClassicInsn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};
static_assert(sizeof(ClassicInsn) == 8, "struct sock_filter is 8 bytes");

// An instruction's fields as domain values. The opcode is always concrete
// (one codegen table entry per opcode); registers, offset and immediates are
// symbolic in the verifier. imm_hi is the second half of LD_IMM64.
template <typename D>
struct InsnFields {
	uint8_t code;
	typename D::template BV<4> dst;
	typename D::template BV<4> src;
	typename D::template BV<16> off;
	typename D::template BV<32> imm;
	typename D::template BV<32> imm_hi;
};

inline InsnFields<Concrete> fields_of(const Insn *insn) {
	InsnFields<Concrete> f;
	f.code = insn->code;
	f.dst = insn->dst;
	f.src = insn->src;
	f.off = (uint16_t)insn->off;
	f.imm = (uint32_t)insn->imm;
	f.imm_hi = bpf::is_ld_imm64(insn->code) ? (uint32_t)insn[1].imm : 0;
	return f;
}

} // namespace vjit

#endif
