// SPDX-License-Identifier: GPL-2.0
// riscv64 instruction encoders (RV64IMA, no compressed instructions): one
// pure encoder per base format of the unprivileged spec (chapter 2.2-2.3,
// "Base Instruction Formats" and "Immediate Encoding Variants": R, I, S, B,
// U, J) with the spec's field names, and one small named encoder per
// instruction on top (rv_add(rd, rs1, rs2), ...), each appending exactly
// one 32-bit word to a JitCtx<D>.
//
// Registers are BV<5> (symbolic in the verifier: the register map applied
// to a symbolic BPF register). An immediate is passed at the width its
// format takes; what does not fit is a named predicate (fits_simm12,
// fits_branch, fits_jal) the lowering guards on, never a sentinel.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_RISCV64_ENCODE_H
#define VJIT_ARCH_RISCV64_ENCODE_H

#include "core/jit.h"

namespace vjit {
namespace riscv64 {

// Major opcodes (inst[6:0]; spec table "RISC-V base opcode map").
enum Opcode : uint8_t {
	OP_LOAD = 0x03, OP_MISC_MEM = 0x0f, OP_IMM = 0x13, OP_AUIPC = 0x17, OP_IMM_32 = 0x1b,
	OP_STORE = 0x23, OP_AMO = 0x2f, OP_OP = 0x33, OP_LUI = 0x37, OP_OP_32 = 0x3b,
	OP_BRANCH = 0x63, OP_JALR = 0x67, OP_JAL = 0x6f,
};

// funct3 of the branches (B-type).
enum class BrCond : uint8_t { EQ = 0, NE = 1, LT = 4, GE = 5, LTU = 6, GEU = 7 };
// The branch taken exactly when c's is not (swap the low bit).
constexpr BrCond invert(BrCond c) { return (BrCond)((uint8_t)c ^ 1); }

// funct5 of the AMO instructions (inst[31:27]).
enum class AmoOp : uint8_t { ADD = 0x00, SWAP = 0x01, LR = 0x02, SC = 0x03, XOR = 0x04, OR = 0x08, AND = 0x0c };
// Memory-ordering bits of an AMO (inst[26] aq, inst[25] rl).
enum class Order : uint8_t { RELAXED = 0, RL = 1, AQ = 2, AQRL = 3 };

// Access widths: funct3 of loads/stores (bit 2 = unsigned load).
enum class Width : uint8_t { B = 0, H = 1, W = 2, D = 3 };

// ---- guards ---------------------------------------------------------------

// v is the sign extension of its low 12 bits (I/S immediates).
template <typename D, unsigned W>
typename D::Bool fits_simm12(typename D::template BV<W> v) {
	return sext<W>(trunc<12>(v)) == v;
}
// A conditional branch reaches rel: even and within 13 signed bits.
template <typename D>
typename D::Bool fits_branch(typename D::template BV<32> rel) {
	using u32 = typename D::template BV<32>;
	return sext<32>(trunc<13>(rel)) == rel && (rel & u32(1)) == u32(0);
}
// jal reaches rel: even and within 21 signed bits.
template <typename D>
typename D::Bool fits_jal(typename D::template BV<32> rel) {
	using u32 = typename D::template BV<32>;
	return sext<32>(trunc<21>(rel)) == rel && (rel & u32(1)) == u32(0);
}
// A control transfer target is a multiple of 2 (every form drops bit 0).
template <typename D>
typename D::Bool is_even(typename D::template BV<32> rel) {
	using u32 = typename D::template BV<32>;
	return (rel & u32(1)) == u32(0);
}

// ---- the base formats -------------------------------------------------------

template <typename D>
typename D::template BV<32> r_type(uint8_t funct7, typename D::template BV<5> rs2, typename D::template BV<5> rs1,
				   uint8_t funct3, typename D::template BV<5> rd, uint8_t opcode) {
	VJIT_DOMAIN_TYPES(D);
	using u3 = typename D::template BV<3>;
	using u7 = typename D::template BV<7>;
	return concat(u7(funct7), concat(rs2, concat(rs1, concat(u3(funct3), concat(rd, u7(opcode))))));
}
template <typename D>
typename D::template BV<32> i_type(typename D::template BV<12> imm, typename D::template BV<5> rs1,
				   uint8_t funct3, typename D::template BV<5> rd, uint8_t opcode) {
	using u3 = typename D::template BV<3>;
	using u7 = typename D::template BV<7>;
	return concat(imm, concat(rs1, concat(u3(funct3), concat(rd, u7(opcode)))));
}
template <typename D>
typename D::template BV<32> s_type(typename D::template BV<12> imm, typename D::template BV<5> rs2,
				   typename D::template BV<5> rs1, uint8_t funct3, uint8_t opcode) {
	using u3 = typename D::template BV<3>;
	using u7 = typename D::template BV<7>;
	return concat(extract<11, 5>(imm),
		      concat(rs2, concat(rs1, concat(u3(funct3), concat(extract<4, 0>(imm), u7(opcode))))));
}
// imm is the byte offset; bit 0 is not encoded (fits_branch).
template <typename D>
typename D::template BV<32> b_type(typename D::template BV<13> imm, typename D::template BV<5> rs2,
				   typename D::template BV<5> rs1, uint8_t funct3, uint8_t opcode) {
	using u3 = typename D::template BV<3>;
	using u7 = typename D::template BV<7>;
	auto hi = concat(extract<12, 12>(imm), extract<10, 5>(imm));   // inst[31:25]
	auto lo = concat(extract<4, 1>(imm), extract<11, 11>(imm));    // inst[11:7]
	return concat(hi, concat(rs2, concat(rs1, concat(u3(funct3), concat(lo, u7(opcode))))));
}
// imm20 is inst[31:12], the value's bits 31:12.
template <typename D>
typename D::template BV<32> u_type(typename D::template BV<20> imm20, typename D::template BV<5> rd, uint8_t opcode) {
	using u7 = typename D::template BV<7>;
	return concat(imm20, concat(rd, u7(opcode)));
}
// imm is the byte offset; bit 0 is not encoded (fits_jal).
template <typename D>
typename D::template BV<32> j_type(typename D::template BV<21> imm, typename D::template BV<5> rd, uint8_t opcode) {
	using u7 = typename D::template BV<7>;
	auto f = concat(extract<20, 20>(imm), concat(extract<10, 1>(imm), concat(extract<11, 11>(imm), extract<19, 12>(imm))));
	return concat(f, concat(rd, u7(opcode)));
}

// ---- instructions -------------------------------------------------------------

#define VJIT_RV_REGS typename D::template BV<5>

// R-type ALU (OP / OP-32; funct7 0x20 selects sub/sra, 0x01 the M extension).
enum class ROp : uint16_t {  // funct7 << 3 | funct3
	ADD = 0x000, SUB = 0x100, SLL = 0x001, SLT = 0x002, SLTU = 0x003, XOR = 0x004,
	SRL = 0x005, SRA = 0x105, OR = 0x006, AND = 0x007,
	MUL = 0x008, DIV = 0x00c, DIVU = 0x00d, REM = 0x00e, REMU = 0x00f,
};
// rd = rs1 OP rs2 (64-bit)
template <typename D>
void rv_op(JitCtx<D> &c, ROp op, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, VJIT_RV_REGS rs2) {
	c.emit32(r_type<D>((uint16_t)op >> 3, rs2, rs1, (uint16_t)op & 7, rd, OP_OP));
}
// rd = sext32(rs1[31:0] OP rs2[31:0]) (the W forms: ADDW SUBW SLLW SRLW SRAW MULW DIVW DIVUW REMW REMUW)
template <typename D>
void rv_opw(JitCtx<D> &c, ROp op, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, VJIT_RV_REGS rs2) {
	c.emit32(r_type<D>((uint16_t)op >> 3, rs2, rs1, (uint16_t)op & 7, rd, OP_OP_32));
}

// I-type ALU (OP-IMM): funct3 as ROp's.
enum class IOp : uint8_t { ADDI = 0, SLTI = 2, SLTIU = 3, XORI = 4, ORI = 6, ANDI = 7 };
// rd = rs1 OP sext(imm12)
template <typename D>
void rv_opi(JitCtx<D> &c, IOp op, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<12> imm) {
	c.emit32(i_type<D>(imm, rs1, (uint8_t)op, rd, OP_IMM));
}
template <typename D>
void rv_addi(JitCtx<D> &c, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<12> imm) {
	rv_opi<D>(c, IOp::ADDI, rd, rs1, imm);
}
// rd = sext32(rs1 + sext(imm12))
template <typename D>
void rv_addiw(JitCtx<D> &c, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<12> imm) {
	c.emit32(i_type<D>(imm, rs1, 0, rd, OP_IMM_32));
}

// Shifts by an immediate (OP-IMM / OP-IMM-32): imm[11:6] = 000000
// (slli, srli) or 010000 (srai) above a 6-bit shamt (RV64); the W forms
// have imm[11:5] = 0000000 / 0100000 above a 5-bit shamt.
enum class ShOp : uint8_t { SLL = 1, SRL = 5, SRA = 0x85 };  // funct3; bit 7: the arithmetic form
template <typename D>
void rv_shifti(JitCtx<D> &c, ShOp op, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<6> shamt) {
	using u6 = typename D::template BV<6>;
	const u6 funct6 = u6(((uint8_t)op & 0x80) ? 0x10 : 0);
	c.emit32(i_type<D>(concat(funct6, shamt), rs1, (uint8_t)op & 7, rd, OP_IMM));
}
template <typename D>
void rv_shiftiw(JitCtx<D> &c, ShOp op, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<5> shamt) {
	using u7 = typename D::template BV<7>;
	const u7 funct7 = u7(((uint8_t)op & 0x80) ? 0x20 : 0);
	c.emit32(i_type<D>(concat(funct7, shamt), rs1, (uint8_t)op & 7, rd, OP_IMM_32));
}

// rd = sext(imm20 << 12)
template <typename D>
void rv_lui(JitCtx<D> &c, VJIT_RV_REGS rd, typename D::template BV<20> imm20) {
	c.emit32(u_type<D>(imm20, rd, OP_LUI));
}
// rd = pc + sext(imm20 << 12)
template <typename D>
void rv_auipc(JitCtx<D> &c, VJIT_RV_REGS rd, typename D::template BV<20> imm20) {
	c.emit32(u_type<D>(imm20, rd, OP_AUIPC));
}
// rd = pc + 4; pc += sext(imm)
template <typename D>
void rv_jal(JitCtx<D> &c, VJIT_RV_REGS rd, typename D::template BV<21> imm) {
	c.emit32(j_type<D>(imm, rd, OP_JAL));
}
// rd = pc + 4; pc = (rs1 + sext(imm12)) & ~1
template <typename D>
void rv_jalr(JitCtx<D> &c, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, typename D::template BV<12> imm) {
	c.emit32(i_type<D>(imm, rs1, 0, rd, OP_JALR));
}
// if (rs1 COND rs2) pc += sext(imm)
template <typename D>
void rv_branch(JitCtx<D> &c, BrCond cond, VJIT_RV_REGS rs1, VJIT_RV_REGS rs2, typename D::template BV<13> imm) {
	c.emit32(b_type<D>(imm, rs2, rs1, (uint8_t)cond, OP_BRANCH));
}

// rd = *(width *)(rs1 + sext(imm12)), sign-extended, or zero-extended when is_unsigned
template <typename D>
void rv_load(JitCtx<D> &c, Width w, bool is_unsigned, VJIT_RV_REGS rd, VJIT_RV_REGS rs1,
	     typename D::template BV<12> imm) {
	c.emit32(i_type<D>(imm, rs1, (uint8_t)w | (is_unsigned ? 4 : 0), rd, OP_LOAD));
}
// *(width *)(rs1 + sext(imm12)) = rs2
template <typename D>
void rv_store(JitCtx<D> &c, Width w, VJIT_RV_REGS rs2, VJIT_RV_REGS rs1, typename D::template BV<12> imm) {
	c.emit32(s_type<D>(imm, rs2, rs1, (uint8_t)w, OP_STORE));
}

// AMO / LR / SC (the A extension): rd = *(rs1); *(rs1) = rd OP rs2 (W or D).
template <typename D>
void rv_amo(JitCtx<D> &c, AmoOp op, Order ord, Width w, VJIT_RV_REGS rd, VJIT_RV_REGS rs1, VJIT_RV_REGS rs2) {
	c.emit32(r_type<D>((uint8_t)((uint8_t)op << 2 | (uint8_t)ord), rs2, rs1, (uint8_t)w, rd, OP_AMO));
}

// fence pred, succ (FM 0): pred/succ are the IORW bit sets; 0x3 = rw.
template <typename D>
void rv_fence(JitCtx<D> &c, uint8_t pred, uint8_t succ) {
	using u12 = typename D::template BV<12>;
	using u5 = typename D::template BV<5>;
	c.emit32(i_type<D>(u12((uint16_t)(pred << 4 | succ)), u5(0), 0, u5(0), OP_MISC_MEM));
}

// addi x0, x0, 0: the canonical NOP (spec 2.4, "NOP Instruction").
template <typename D>
void rv_nop(JitCtx<D> &c) {
	using u5 = typename D::template BV<5>;
	rv_addi<D>(c, u5(0), u5(0), typename D::template BV<12>(0));
}

#undef VJIT_RV_REGS

} // namespace riscv64
} // namespace vjit

#endif
