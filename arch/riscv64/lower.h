// SPDX-License-Identifier: GPL-2.0
// The riscv64 codegen table: one Rule per BPF opcode (and per imm for END
// and atomics), each lowering one instruction with the encoders of
// encode.h. The rule names and lowering names are the x86-64 table's.
//
// Conventions every rule follows (the state relation of the proofs):
//   - BPF register r lives in native_reg(r) (target.h) before and after;
//   - t1-t4 are scratch inside a rule;
//   - sp and s5 = R10 are never changed by a rule;
//   - ALU32 results are zero-extended: RV64's W instructions sign-extend
//     their 32-bit result, so every ALU32 rule ends with zext32;
//   - control leaves a rule at its end (fall-through) or at
//     insn_addr(target) / epilogue_addr().
//
// Immediates are materialised in closed form (li32: at most lui + addiw;
// li64: at most six instructions), never by a recursive split, so the
// verifier meets a fixed, small number of guards per rule.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_RISCV64_LOWER_H
#define VJIT_ARCH_RISCV64_LOWER_H

#include "arch/riscv64/encode.h"
#include "arch/riscv64/target.h"

namespace vjit {
namespace riscv64 {

template <typename D>
using Reg5 = typename D::template BV<5>;

// ---- guards (beyond those of encode.h) ----------------------------------

// v (64 bits) is the sign extension of its low 32 bits.
template <typename D>
typename D::Bool fits_simm32(typename D::template BV<64> v) {
	return sext<64>(trunc<32>(v)) == v;
}

// ---- small sequences ------------------------------------------------------

// rd = (u32)rs: slli rd, rs, 32; srli rd, rd, 32
template <typename D>
void zext32(JitCtx<D> &c, Reg5<D> rd, Reg5<D> rs) {
	using u6 = typename D::template BV<6>;
	rv_shifti<D>(c, ShOp::SLL, rd, rs, u6(32));
	rv_shifti<D>(c, ShOp::SRL, rd, rd, u6(32));
}
// rd = rs: addi rd, rs, 0
template <typename D>
void mv(JitCtx<D> &c, Reg5<D> rd, Reg5<D> rs) {
	rv_addi<D>(c, rd, rs, typename D::template BV<12>(0));
}
// rd = (s64)(s32)rs: addiw rd, rs, 0
template <typename D>
void sext32(JitCtx<D> &c, Reg5<D> rd, Reg5<D> rs) {
	rv_addiw<D>(c, rd, rs, typename D::template BV<12>(0));
}

// rd = (s64)(s32)imm. addi from zero when imm fits 12 bits, else
//   lui rd, (imm + 0x800) >> 12; addiw rd, rd, imm[11:0]
// addi/addiw sign-extend their 12-bit immediate, so when imm's bit 11 is
// set the low part is negative and the upper part carries one more
// (the + 0x800); addiw keeps the sum a sign-extended 32-bit value.
template <typename D>
void li32(JitCtx<D> &c, Reg5<D> rd, typename D::template BV<32> imm) {
	VJIT_DOMAIN_TYPES(D);
	if (D::when(fits_simm12<D, 32>(imm), "fits_simm12")) {
		rv_addi<D>(c, rd, Reg5<D>(ZERO), trunc<12>(imm));   /* rd = imm */
		return;
	}
	rv_lui<D>(c, rd, extract<31, 12>(imm + u32(0x800)));   /* rd = upper part (with carry) */
	rv_addiw<D>(c, rd, rd, trunc<12>(imm));                /* rd += sext(low 12 bits) */
}

// rd = v (64 bits), using tmp (!= rd). A sign-extended 32-bit value is
// li32; anything else is v = (hi << 32) + (s64)(s32)lo with lo = v[31:0]
// and hi = v[63:32] + lo[31] (the borrow of the sign-extended low half):
//   li32 rd, hi; slli rd, rd, 32; li32 tmp, lo; add rd, rd, tmp
template <typename D>
void li64(JitCtx<D> &c, Reg5<D> rd, typename D::template BV<64> v, Reg5<D> tmp) {
	VJIT_DOMAIN_TYPES(D);
	using u6 = typename D::template BV<6>;
	const u32 lo = trunc<32>(v);
	if (D::when(fits_simm32<D>(v), "fits_simm32")) {
		li32<D>(c, rd, lo);                              /* rd = (s64)(s32)v */
		return;
	}
	const u32 hi = extract<63, 32>(v) + zext<32>(extract<31, 31>(v));
	li32<D>(c, rd, hi);                                      /* rd = hi */
	rv_shifti<D>(c, ShOp::SLL, rd, rd, u6(32));              /* rd <<= 32 */
	li32<D>(c, tmp, lo);                                     /* tmp = (s64)(s32)lo */
	rv_op<D>(c, ROp::ADD, rd, rd, tmp);                      /* rd += tmp */
}

// The register holding the second operand of an ALU or jump: src, or the
// immediate sign-extended into `into`.
template <typename D>
Reg5<D> operand(JitCtx<D> &c, const InsnFields<D> &in, uint8_t into) {
	if (bpf::srcbit(in.code) == bpf::X)
		return native_reg<D>(in.src);
	li32<D>(c, Reg5<D>(into), in.imm);
	return Reg5<D>(into);
}

constexpr bool is_alu32(uint8_t code) { return bpf::cls(code) == bpf::ALU; }
constexpr bool is_32(uint8_t code) { return bpf::cls(code) == bpf::ALU || bpf::cls(code) == bpf::JMP32; }

// rd = rs1 OP rs2, on 64 bits or (ALU32) on the W form when RV64 has one.
template <typename D>
void op_rr(JitCtx<D> &c, bool w, ROp op, Reg5<D> rd, Reg5<D> rs1, Reg5<D> rs2) {
	if (w)
		rv_opw<D>(c, op, rd, rs1, rs2);
	else
		rv_op<D>(c, op, rd, rs1, rs2);
}

// ---- ALU ----------------------------------------------------------------

// The R-type operation of an ALU opcode with a 64-bit and a W form or
// where the upper half does not matter for ALU32 (zero-extended after).
constexpr ROp alu_rop(uint8_t code) {
	using namespace bpf;
	switch (op(code)) {
	case ADD: return ROp::ADD;
	case SUB: return ROp::SUB;
	case OR: return ROp::OR;
	case AND: return ROp::AND;
	case XOR: return ROp::XOR;
	case MUL: return ROp::MUL;
	case LSH: return ROp::SLL;
	case RSH: return ROp::SRL;
	case ARSH: return ROp::SRA;
	}
	return ROp::ADD;
}
// The W form exists for ADD SUB MUL and the shifts (not for the logic ops).
constexpr bool has_w_form(uint8_t code) {
	using namespace bpf;
	return op(code) == ADD || op(code) == SUB || op(code) == MUL || op(code) == LSH || op(code) == RSH ||
	       op(code) == ARSH;
}

// dst OP= imm where OP-IMM has the form and imm fits 12 bits; false when
// the caller must put imm in a register.
template <typename D>
bool alu_imm12(JitCtx<D> &c, const InsnFields<D> &in, Reg5<D> dst) {
	VJIT_DOMAIN_TYPES(D);
	using u12 = typename D::template BV<12>;
	using namespace bpf;
	const bool w = is_alu32(in.code);
	const uint8_t o = op(in.code);
	if (o == SUB) {
		const u32 neg = u32(0) - in.imm;
		if (!D::when(fits_simm12<D, 32>(neg), "fits_simm12"))
			return false;
		if (w)
			rv_addiw<D>(c, dst, dst, trunc<12>(neg));    /* dst -= imm */
		else
			rv_addi<D>(c, dst, dst, trunc<12>(neg));
		return true;
	}
	if (o != ADD && o != OR && o != AND && o != XOR)
		return false;
	if (!D::when(fits_simm12<D, 32>(in.imm), "fits_simm12"))
		return false;
	const u12 imm = trunc<12>(in.imm);
	if (o == ADD && w)
		rv_addiw<D>(c, dst, dst, imm);                     /* dst += imm */
	else
		rv_opi<D>(c, o == ADD ? IOp::ADDI : o == OR ? IOp::ORI : o == AND ? IOp::ANDI : IOp::XORI,
			  dst, dst, imm);                          /* dst OP= imm */
	return true;
}

// dst OP= imm for a shift: the count is imm masked to 6 (64) or 5 (32)
// bits, as the semantics masks it.
template <typename D>
void shift_imm(JitCtx<D> &c, const InsnFields<D> &in, Reg5<D> dst) {
	using namespace bpf;
	const ShOp sop = op(in.code) == LSH ? ShOp::SLL : op(in.code) == RSH ? ShOp::SRL : ShOp::SRA;
	if (is_alu32(in.code))
		rv_shiftiw<D>(c, sop, dst, dst, trunc<5>(in.imm));
	else
		rv_shifti<D>(c, sop, dst, dst, trunc<6>(in.imm));
}

// ADD SUB OR AND XOR MUL MOV NEG and the shifts by an immediate; ALU32
// results zero-extended.
template <typename D>
void lower_alu(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const bool w = is_alu32(in.code);
	const Reg5<D> dst = native_reg<D>(in.dst);
	const uint8_t o = op(in.code);
	if (o == MOV) {
		if (srcbit(in.code) == X) {
			if (w)
				zext32<D>(c, dst, native_reg<D>(in.src));  /* dst = (u32)src */
			else
				mv<D>(c, dst, native_reg<D>(in.src));      /* dst = src */
			return;
		}
		li32<D>(c, dst, in.imm);                           /* dst = (s64)imm */
		if (w && !D::when(sge(in.imm, u32(0)), "imm_nonneg"))
			zext32<D>(c, dst, dst);                     /* dst = (u32)imm */
		return;
	}
	if (o == NEG) {
		op_rr<D>(c, w, ROp::SUB, dst, Reg5<D>(ZERO), dst);  /* dst = -dst */
	} else if (srcbit(in.code) == K && (o == LSH || o == RSH || o == ARSH)) {
		shift_imm<D>(c, in, dst);                           /* dst OP= imm */
	} else if (srcbit(in.code) == X || !alu_imm12<D>(c, in, dst)) {
		const Reg5<D> rs2 = operand<D>(c, in, SCRATCH1);
		op_rr<D>(c, w && has_w_form(in.code), alu_rop(in.code), dst, dst, rs2);  /* dst OP= src */
	}
	if (w)
		zext32<D>(c, dst, dst);                             /* dst = (u32)dst */
}

// Shifts by a register: RV64 masks the count to 6 bits (W forms: 5), as
// eBPF does.
template <typename D>
void lower_shift_x(JitCtx<D> &c, const InsnFields<D> &in) {
	const Reg5<D> dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const bool w = is_alu32(in.code);
	op_rr<D>(c, w, alu_rop(in.code), dst, dst, src);           /* dst OP= src */
	if (w)
		zext32<D>(c, dst, dst);
}

// t2 = (divisor == 0 ? 0 : ~0), the divisor's low 32 bits only for ALU32:
//   [slli t2, d, 32]; sltiu t2, t2, 1; addi t2, t2, -1
template <typename D>
void zero_divisor_mask(JitCtx<D> &c, bool w, Reg5<D> d) {
	using u12 = typename D::template BV<12>;
	using u6 = typename D::template BV<6>;
	const Reg5<D> t2 = Reg5<D>(SCRATCH2);
	Reg5<D> test = d;
	if (w) {
		rv_shifti<D>(c, ShOp::SLL, t2, d, u6(32));
		test = t2;
	}
	rv_opi<D>(c, IOp::SLTIU, t2, test, u12(1));        /* t2 = divisor == 0 */
	rv_addi<D>(c, t2, t2, u12(0xfff));                 /* t2 = t2 - 1 */
}

// DIV/MOD, unsigned and (off = 1) signed; K or X. RISC-V division never
// traps: x / 0 is all ones, x % 0 is x, and the signed overflow
// INT_MIN / -1 is INT_MIN with remainder 0, which is what eBPF defines
// for all but the quotient by zero, which must be 0:
//   DIV: t1 = dst / d; t2 = d == 0 ? 0 : ~0; dst = t1 & t2
//   MOD: dst = dst % d
// d is src, or t3 = (s64)imm. ALU32: the W forms, zero-extended.
template <typename D>
void divmod(JitCtx<D> &c, const InsnFields<D> &in, bool is_signed) {
	using namespace bpf;
	const bool w = is_alu32(in.code);
	const Reg5<D> dst = native_reg<D>(in.dst), t1 = Reg5<D>(SCRATCH1), t2 = Reg5<D>(SCRATCH2);
	const Reg5<D> d = operand<D>(c, in, SCRATCH3);
	if (op(in.code) == MOD) {
		op_rr<D>(c, w, is_signed ? ROp::REM : ROp::REMU, dst, dst, d);   /* dst %= d */
	} else {
		op_rr<D>(c, w, is_signed ? ROp::DIV : ROp::DIVU, t1, dst, d);    /* t1 = dst / d */
		zero_divisor_mask<D>(c, w, d);
		rv_op<D>(c, ROp::AND, dst, t1, t2);                              /* dst = d ? t1 : 0 */
	}
	if (w)
		zext32<D>(c, dst, dst);
}
template <typename D>
void lower_divmod(JitCtx<D> &c, const InsnFields<D> &in) { divmod<D>(c, in, false); }
template <typename D>
void lower_sdivmod(JitCtx<D> &c, const InsnFields<D> &in) { divmod<D>(c, in, true); }

// MOVSX (MOV X with off = 8, 16, 32): the source's low off bits,
// sign-extended to 64 bits (ALU64) or to 32 and then zero-extended (ALU).
//   slli dst, src, 64 - off; srai dst, dst, 64 - off   (32: addiw dst, src, 0)
template <typename D>
void lower_movsx(JitCtx<D> &c, const InsnFields<D> &in) {
	using u6 = typename D::template BV<6>;
	const Reg5<D> dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const uint64_t bits = D::concrete(in.off);
	if (bits == 32) {
		sext32<D>(c, dst, src);                            /* dst = (s32)src */
	} else if (bits == 8 || bits == 16) {
		rv_shifti<D>(c, ShOp::SLL, dst, src, u6(64 - bits));
		rv_shifti<D>(c, ShOp::SRA, dst, dst, u6(64 - bits)); /* dst = (s8/s16)src */
	} else {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	if (is_alu32(in.code))
		zext32<D>(c, dst, dst);
}

// dst = the low `bytes` bytes of dst in reverse order (RV64IMA has no
// rev8), one byte at a time into t2:
//   t2 = dst & 0xff
//   repeat bytes - 1 times: t2 <<= 8; dst >>= 8; t1 = dst & 0xff; t2 |= t1
//   dst = t2
template <typename D>
void bswap(JitCtx<D> &c, Reg5<D> dst, unsigned bytes) {
	using u12 = typename D::template BV<12>;
	using u6 = typename D::template BV<6>;
	const Reg5<D> t1 = Reg5<D>(SCRATCH1), t2 = Reg5<D>(SCRATCH2);
	rv_opi<D>(c, IOp::ANDI, t2, dst, u12(0xff));
	for (unsigned i = 1; i < bytes; i++) {
		rv_shifti<D>(c, ShOp::SLL, t2, t2, u6(8));
		rv_shifti<D>(c, ShOp::SRL, dst, dst, u6(8));
		rv_opi<D>(c, IOp::ANDI, t1, dst, u12(0xff));
		rv_op<D>(c, ROp::OR, t2, t2, t1);
	}
	mv<D>(c, dst, t2);
}

// END: byte swaps (riscv64 is little-endian: TO_LE only truncates). imm
// (16/32/64) selects the rule; ALU64 | END (cpu-v4 bswap) always swaps.
template <typename D>
void lower_end(JitCtx<D> &c, const InsnFields<D> &in) {
	using namespace bpf;
	using u6 = typename D::template BV<6>;
	const Reg5<D> dst = native_reg<D>(in.dst);
	const uint64_t width = D::concrete(in.imm);
	if (srcbit(in.code) == TO_LE && cls(in.code) == ALU) {
		if (width == 16) {
			rv_shifti<D>(c, ShOp::SLL, dst, dst, u6(48));
			rv_shifti<D>(c, ShOp::SRL, dst, dst, u6(48));  /* dst = (u16)dst */
		} else if (width == 32) {
			zext32<D>(c, dst, dst);                        /* dst = (u32)dst */
		}
		return;
	}
	bswap<D>(c, dst, (unsigned)width / 8);                     /* dst = bswapN(dst) */
}

// ---- jumps ------------------------------------------------------------------

// Native offset of the jump target pc + 1 + off.
template <typename D>
typename D::template BV<32> jump_target(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	return c.insn_addr(c.idx() + u32(1) + sext<32>(in.off));
}

// pc = target, any distance: auipc t1, hi; jalr zero, lo(t1), where
// rel = hi << 12 + sext(lo) is relative to the auipc (the + 0x800 carries
// into hi when lo is negative, as in li32).
template <typename D>
void far_jump(JitCtx<D> &c, typename D::template BV<32> target) {
	VJIT_DOMAIN_TYPES(D);
	const u32 rel = target - c.here();
	rv_auipc<D>(c, Reg5<D>(SCRATCH1), extract<31, 12>(rel + u32(0x800)));
	rv_jalr<D>(c, Reg5<D>(ZERO), Reg5<D>(SCRATCH1), trunc<12>(rel));
}

// goto target: jal within +-1 MiB, else far_jump. Offsets are relative to
// the jump instruction itself (spec 2.5: "added to the address of the
// jump instruction"); every form drops bit 0, so an odd distance is
// unencodable.
template <typename D>
void jump_to(JitCtx<D> &c, typename D::template BV<32> target) {
	VJIT_DOMAIN_TYPES(D);
	const u32 rel = target - c.here();
	if (!D::when(is_even<D>(rel), "target_even")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (D::when(fits_jal<D>(rel), "fits_jal"))
		rv_jal<D>(c, Reg5<D>(ZERO), trunc<21>(rel));        /* jal zero, target */
	else
		far_jump<D>(c, target);
}

// if (rs1 COND rs2) goto target, in three reaches:
//   b<cond> rs1, rs2, target                      within +-4 KiB
//   b<!cond> rs1, rs2, +8; jal zero, target       within +-1 MiB of the jal
//   b<!cond> rs1, rs2, +12; auipc + jalr          anywhere
// Each reach is measured from the instruction that jumps.
template <typename D>
void branch_to(JitCtx<D> &c, BrCond cond, Reg5<D> rs1, Reg5<D> rs2, typename D::template BV<32> target) {
	VJIT_DOMAIN_TYPES(D);
	using u13 = typename D::template BV<13>;
	const u32 rel = target - c.here();
	if (!D::when(is_even<D>(rel), "target_even")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (D::when(fits_branch<D>(rel), "fits_branch")) {
		rv_branch<D>(c, cond, rs1, rs2, trunc<13>(rel));
		return;
	}
	const u32 rel_jal = target - (c.here() + u32(4));
	if (D::when(fits_jal<D>(rel_jal), "fits_jal")) {
		rv_branch<D>(c, invert(cond), rs1, rs2, u13(8));
		rv_jal<D>(c, Reg5<D>(ZERO), trunc<21>(rel_jal));
		return;
	}
	rv_branch<D>(c, invert(cond), rs1, rs2, u13(12));
	far_jump<D>(c, target);
}

// The branch of a BPF condition: its funct3 and whether the operands swap
// (a > b is b < a).
struct CondOps {
	BrCond cond;
	bool swap;
};
constexpr CondOps jmp_cond(uint8_t code) {
	using namespace bpf;
	switch (op(code)) {
	case JEQ: return {BrCond::EQ, false};
	case JNE: return {BrCond::NE, false};
	case JGT: return {BrCond::LTU, true};
	case JGE: return {BrCond::GEU, false};
	case JLT: return {BrCond::LTU, false};
	case JLE: return {BrCond::GEU, true};
	case JSGT: return {BrCond::LT, true};
	case JSGE: return {BrCond::GE, false};
	case JSLT: return {BrCond::LT, false};
	case JSLE: return {BrCond::GE, true};
	case JSET: return {BrCond::NE, false};
	}
	return {BrCond::EQ, false};
}

// if (dst CMP src/imm) goto pc + 1 + off; JSET tests dst & src. The
// immediate goes to t1 sign-extended. JMP32 compares the low halves
// sign-extended (t2, t1): sign extension keeps both the signed and the
// unsigned order of 32-bit values.
template <typename D>
void lower_jmp_cond(JitCtx<D> &c, const InsnFields<D> &in) {
	using namespace bpf;
	const Reg5<D> t1 = Reg5<D>(SCRATCH1), t2 = Reg5<D>(SCRATCH2), zero = Reg5<D>(ZERO);
	const bool w = is_32(in.code);
	Reg5<D> a = native_reg<D>(in.dst);
	Reg5<D> b = operand<D>(c, in, SCRATCH1);
	if (op(in.code) == JSET) {
		rv_op<D>(c, ROp::AND, t1, a, b);                   /* t1 = dst & src */
		if (w)
			sext32<D>(c, t1, t1);
		a = t1;
		b = zero;
	} else if (w) {
		sext32<D>(c, t2, a);                               /* t2 = (s32)dst */
		if (srcbit(in.code) == X)
			sext32<D>(c, t1, b);                       /* t1 = (s32)src */
		a = t2;
		b = t1;
	}
	const CondOps k = jmp_cond(in.code);
	branch_to<D>(c, k.cond, k.swap ? b : a, k.swap ? a : b, jump_target<D>(c, in));
}

// goto pc + 1 + off
template <typename D>
void lower_ja(JitCtx<D> &c, const InsnFields<D> &in) {
	jump_to<D>(c, jump_target<D>(c, in));
}

// gotol: goto pc + 1 + imm (JMP32 | JA, the 32-bit offset in imm).
template <typename D>
void lower_gotol(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	jump_to<D>(c, c.insn_addr(c.idx() + u32(1) + in.imm));
}

// return R0: jump to the epilogue.
template <typename D>
void lower_exit(JitCtx<D> &c, const InsnFields<D> &) {
	jump_to<D>(c, c.epilogue_addr());
}

// R0 = helper(R1, ..., R5), through a register (any address):
//   li64 t1, helper; jalr ra, 0(t1); mv a5, a0
// R1-R5 are a0-a4, the psABI's argument registers; the helper may
// clobber ra, t0-t6 and a0-a7 (R0-R5, AX, scratch) and preserves s1-s5
// (R6-R10). ra was saved by the prologue.
template <typename D>
void lower_call(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using u12 = typename D::template BV<12>;
	if (D::when(in.src != u4(0), "not_helper_call")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	li64<D>(c, Reg5<D>(SCRATCH1), c.helper_addr(in.imm), Reg5<D>(SCRATCH2));
	rv_jalr<D>(c, Reg5<D>(RA), Reg5<D>(SCRATCH1), u12(0));    /* call helper */
	mv<D>(c, Reg5<D>(A5), Reg5<D>(A0));                        /* R0 = a0 */
}

// ---- memory -----------------------------------------------------------------

// A memory operand rs1 + sext(imm12).
template <typename D>
struct Addr {
	Reg5<D> base;
	typename D::template BV<12> disp;
};

// [base + sext(off)]: the offset in the instruction when it fits 12 bits,
// else t2 = base + off.
template <typename D>
Addr<D> mem_at(JitCtx<D> &c, Reg5<D> base, typename D::template BV<16> off) {
	VJIT_DOMAIN_TYPES(D);
	using u12 = typename D::template BV<12>;
	if (D::when(fits_simm12<D, 16>(off), "fits_simm12"))
		return Addr<D>{base, trunc<12>(off)};
	const Reg5<D> t2 = Reg5<D>(SCRATCH2);
	li32<D>(c, t2, sext<32>(off));
	rv_op<D>(c, ROp::ADD, t2, t2, base);
	return Addr<D>{t2, u12(0)};
}

constexpr Width mem_width(uint8_t code) {
	return bpf::size(code) == bpf::B ? Width::B : bpf::size(code) == bpf::H ? Width::H
	     : bpf::size(code) == bpf::W ? Width::W : Width::D;
}

// dst = *(size *)(src + off), zero-extended (lbu lhu lwu ld).
template <typename D>
void lower_ldx(JitCtx<D> &c, const InsnFields<D> &in) {
	const Addr<D> m = mem_at<D>(c, native_reg<D>(in.src), in.off);
	const Width wd = mem_width(in.code);
	rv_load<D>(c, wd, wd != Width::D, native_reg<D>(in.dst), m.base, m.disp);
}

// LDSX: dst = *(s8/s16/s32 *)(src + off), sign-extended (lb lh lw).
template <typename D>
void lower_ldsx(JitCtx<D> &c, const InsnFields<D> &in) {
	const Addr<D> m = mem_at<D>(c, native_reg<D>(in.src), in.off);
	rv_load<D>(c, mem_width(in.code), false, native_reg<D>(in.dst), m.base, m.disp);
}

// *(size *)(dst + off) = imm: t1 = (s64)imm, then the store.
template <typename D>
void lower_st(JitCtx<D> &c, const InsnFields<D> &in) {
	li32<D>(c, Reg5<D>(SCRATCH1), in.imm);
	const Addr<D> m = mem_at<D>(c, native_reg<D>(in.dst), in.off);
	rv_store<D>(c, mem_width(in.code), Reg5<D>(SCRATCH1), m.base, m.disp);
}

// *(size *)(dst + off) = src
template <typename D>
void lower_stx(JitCtx<D> &c, const InsnFields<D> &in) {
	const Addr<D> m = mem_at<D>(c, native_reg<D>(in.dst), in.off);
	rv_store<D>(c, mem_width(in.code), native_reg<D>(in.src), m.base, m.disp);
}

// BPF_NOSPEC: RISC-V defines no speculation barrier (Linux's riscv JIT
// emits nothing); vjit emits the strongest ordering it has, fence rw, rw,
// so that the barrier is at least visible in the code.
template <typename D>
void lower_nospec(JitCtx<D> &c, const InsnFields<D> &) {
	rv_fence<D>(c, 0x3, 0x3);
}

// Atomics on *(u32/u64 *)(dst + off); imm (the operation) selects the
// rule. AMOs take no offset: t2 = dst + off first. The fetch forms, xchg
// and cmpxchg are fully ordered in eBPF: .aqrl (as Linux 6.1.93's riscv
// JIT, "make some atomic operations fully ordered"); the others relaxed.
// A 32-bit AMO sign-extends what it loads: fetched values are
// zero-extended after.
template <typename D>
Reg5<D> atomic_addr(JitCtx<D> &c, const InsnFields<D> &in) {
	const Reg5<D> t2 = Reg5<D>(SCRATCH2), dst = native_reg<D>(in.dst);
	if (D::when(fits_simm12<D, 16>(in.off), "fits_simm12")) {
		rv_addi<D>(c, t2, dst, trunc<12>(in.off));          /* t2 = dst + off */
	} else {
		li32<D>(c, t2, sext<32>(in.off));
		rv_op<D>(c, ROp::ADD, t2, t2, dst);
	}
	return t2;
}

// cmpxchg as an LR/SC loop (t3 = the expected value, R0 sign-extended
// for W as lr.w loads):
//   L: lr.aqrl t1, (t2); bne t1, t3, +12; sc.aqrl t4, src, (t2); bnez t4, L
//   R0 = t1 (zero-extended for W)
template <typename D>
void cmpxchg(JitCtx<D> &c, Width wd, Reg5<D> addr, Reg5<D> src) {
	VJIT_DOMAIN_TYPES(D);
	using u13 = typename D::template BV<13>;
	const Reg5<D> t1 = Reg5<D>(SCRATCH1), t3 = Reg5<D>(SCRATCH3), t4 = Reg5<D>(SCRATCH4);
	const Reg5<D> r0 = Reg5<D>(A5), zero = Reg5<D>(ZERO);
	if (wd == Width::W)
		sext32<D>(c, t3, r0);
	else
		mv<D>(c, t3, r0);
	rv_amo<D>(c, AmoOp::LR, Order::AQRL, wd, t1, addr, zero);    /* L: t1 = *addr, reserved */
	rv_branch<D>(c, BrCond::NE, t1, t3, u13(12));                /* differs: done */
	rv_amo<D>(c, AmoOp::SC, Order::AQRL, wd, t4, addr, src);     /* *addr = src if still reserved */
	rv_branch<D>(c, BrCond::NE, t4, zero, u13((uint64_t)-12 & 0x1fff)); /* lost it: retry */
	if (wd == Width::W)
		zext32<D>(c, r0, t1);                                   /* R0 = (u32)old */
	else
		mv<D>(c, r0, t1);                                        /* R0 = old */
}

template <typename D>
void lower_atomic(JitCtx<D> &c, const InsnFields<D> &in) {
	using namespace bpf;
	const Width wd = size(in.code) == DW ? Width::D : Width::W;
	const Reg5<D> src = native_reg<D>(in.src), zero = Reg5<D>(ZERO);
	const int32_t aop = (int32_t)D::concrete(in.imm);
	AmoOp amo;
	switch (aop & ~FETCH) {
	case ADD: amo = AmoOp::ADD; break;
	case AND: amo = AmoOp::AND; break;
	case OR: amo = AmoOp::OR; break;
	case XOR: amo = AmoOp::XOR; break;
	case XCHG & ~FETCH: amo = AmoOp::SWAP; break;
	case CMPXCHG & ~FETCH: {
		const Reg5<D> addr = atomic_addr<D>(c, in);
		cmpxchg<D>(c, wd, addr, src);                            /* R0 = cmpxchg(addr, R0, src) */
		return;
	}
	default:
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	const Reg5<D> addr = atomic_addr<D>(c, in);
	if (!(aop & FETCH)) {
		rv_amo<D>(c, amo, Order::RELAXED, wd, zero, addr, src);  /* *addr OP= src */
		return;
	}
	rv_amo<D>(c, amo, Order::AQRL, wd, src, addr, src);              /* src = *addr, *addr OP= src */
	if (wd == Width::W)
		zext32<D>(c, src, src);
}

// dst = imm64 (two BPF slots), li64 through t1. src == PSEUDO_FUNC
// (address of a subprogram) needs bpf-to-bpf support: unsupported.
template <typename D>
void lower_ld_imm64(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	if (D::when(in.src == u4(bpf::PSEUDO_FUNC), "pseudo_func")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	li64<D>(c, native_reg<D>(in.dst), concat(in.imm_hi, in.imm), Reg5<D>(SCRATCH1));  /* dst = imm64 */
}

// ---- prologue / epilogue ----------------------------------------------------

// n bytes (a multiple of 4) of NOPs.
template <typename D>
void riscv64_nops(JitCtx<D> &c, uint32_t n) {
	for (uint32_t i = 0; i + 4 <= n; i += 4)
		rv_nop<D>(c);
	if (n % 4)
		c.fail(LowerError::UNENCODABLE);
}

// bpf_func(ctx = a0 = R1):
//   nop                              opts.tail_call_entry bytes of them: the
//                                    kernel's tail calls jump past the stock
//                                    JIT's first (4-byte) instruction
//   addi sp, sp, -frame_bytes
//   sd ra, 0(sp); sd s1, 8(sp); ...; sd s5, 40(sp)
//   addi s5, sp, frame_bytes          R10 = the entry sp
template <typename D>
void riscv64_prologue(JitCtx<D> &c) {
	using u12 = typename D::template BV<12>;
	const uint32_t f = frame_bytes(c.opts.stack_depth);
	if (f > 2047) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	const Reg5<D> sp = Reg5<D>(SP);
	riscv64_nops<D>(c, c.opts.tail_call_entry);
	rv_addi<D>(c, sp, sp, u12((uint64_t)(-(int32_t)f) & 0xfff));
	for (unsigned i = 0; i < n_saved_regs; i++)
		rv_store<D>(c, Width::D, Reg5<D>(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, Reg5<D>(bpf_to_native[bpf::R10]), sp, u12(f));
}

// a0 = R0; restore ra and s1-s5; pop the frame; return through ra:
//   mv a0, a5; ld ra, 0(sp); ...; ld s5, 40(sp); addi sp, sp, frame_bytes; jalr zero, 0(ra)
template <typename D>
void riscv64_epilogue(JitCtx<D> &c) {
	using u12 = typename D::template BV<12>;
	const uint32_t f = frame_bytes(c.opts.stack_depth);
	if (f > 2047) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	const Reg5<D> sp = Reg5<D>(SP);
	mv<D>(c, Reg5<D>(A0), Reg5<D>(A5));
	for (unsigned i = 0; i < n_saved_regs; i++)
		rv_load<D>(c, Width::D, false, Reg5<D>(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, sp, sp, u12(f));
	rv_jalr<D>(c, Reg5<D>(ZERO), Reg5<D>(RA), u12(0));
}

// ---- the table --------------------------------------------------------------

template <typename D>
inline constexpr Rule<D> riscv64_rules[] = {
	// {opcode, off key, imm key, name, lowering}
	{bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, "ALU64 ADD K", lower_alu<D>},
	{bpf::ALU64 | bpf::ADD | bpf::X, 0, 0, "ALU64 ADD X", lower_alu<D>},
	{bpf::ALU64 | bpf::SUB | bpf::K, 0, 0, "ALU64 SUB K", lower_alu<D>},
	{bpf::ALU64 | bpf::SUB | bpf::X, 0, 0, "ALU64 SUB X", lower_alu<D>},
	{bpf::ALU64 | bpf::MUL | bpf::K, 0, 0, "ALU64 MUL K", lower_alu<D>},
	{bpf::ALU64 | bpf::MUL | bpf::X, 0, 0, "ALU64 MUL X", lower_alu<D>},
	{bpf::ALU64 | bpf::DIV | bpf::K, 0, 0, "ALU64 DIV K", lower_divmod<D>},
	{bpf::ALU64 | bpf::DIV | bpf::X, 0, 0, "ALU64 DIV X", lower_divmod<D>},
	{bpf::ALU64 | bpf::OR | bpf::K, 0, 0, "ALU64 OR K", lower_alu<D>},
	{bpf::ALU64 | bpf::OR | bpf::X, 0, 0, "ALU64 OR X", lower_alu<D>},
	{bpf::ALU64 | bpf::AND | bpf::K, 0, 0, "ALU64 AND K", lower_alu<D>},
	{bpf::ALU64 | bpf::AND | bpf::X, 0, 0, "ALU64 AND X", lower_alu<D>},
	{bpf::ALU64 | bpf::LSH | bpf::K, 0, 0, "ALU64 LSH K", lower_alu<D>},
	{bpf::ALU64 | bpf::LSH | bpf::X, 0, 0, "ALU64 LSH X", lower_shift_x<D>},
	{bpf::ALU64 | bpf::RSH | bpf::K, 0, 0, "ALU64 RSH K", lower_alu<D>},
	{bpf::ALU64 | bpf::RSH | bpf::X, 0, 0, "ALU64 RSH X", lower_shift_x<D>},
	{bpf::ALU64 | bpf::NEG | bpf::K, 0, 0, "ALU64 NEG", lower_alu<D>},
	{bpf::ALU64 | bpf::MOD | bpf::K, 0, 0, "ALU64 MOD K", lower_divmod<D>},
	{bpf::ALU64 | bpf::MOD | bpf::X, 0, 0, "ALU64 MOD X", lower_divmod<D>},
	{bpf::ALU64 | bpf::XOR | bpf::K, 0, 0, "ALU64 XOR K", lower_alu<D>},
	{bpf::ALU64 | bpf::XOR | bpf::X, 0, 0, "ALU64 XOR X", lower_alu<D>},
	{bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, "ALU64 MOV K", lower_alu<D>},
	{bpf::ALU64 | bpf::MOV | bpf::X, 0, 0, "ALU64 MOV X", lower_alu<D>},
	{bpf::ALU64 | bpf::ARSH | bpf::K, 0, 0, "ALU64 ARSH K", lower_alu<D>},
	{bpf::ALU64 | bpf::ARSH | bpf::X, 0, 0, "ALU64 ARSH X", lower_shift_x<D>},
	{bpf::ALU | bpf::ADD | bpf::K, 0, 0, "ALU ADD K", lower_alu<D>},
	{bpf::ALU | bpf::ADD | bpf::X, 0, 0, "ALU ADD X", lower_alu<D>},
	{bpf::ALU | bpf::SUB | bpf::K, 0, 0, "ALU SUB K", lower_alu<D>},
	{bpf::ALU | bpf::SUB | bpf::X, 0, 0, "ALU SUB X", lower_alu<D>},
	{bpf::ALU | bpf::MUL | bpf::K, 0, 0, "ALU MUL K", lower_alu<D>},
	{bpf::ALU | bpf::MUL | bpf::X, 0, 0, "ALU MUL X", lower_alu<D>},
	{bpf::ALU | bpf::DIV | bpf::K, 0, 0, "ALU DIV K", lower_divmod<D>},
	{bpf::ALU | bpf::DIV | bpf::X, 0, 0, "ALU DIV X", lower_divmod<D>},
	{bpf::ALU | bpf::OR | bpf::K, 0, 0, "ALU OR K", lower_alu<D>},
	{bpf::ALU | bpf::OR | bpf::X, 0, 0, "ALU OR X", lower_alu<D>},
	{bpf::ALU | bpf::AND | bpf::K, 0, 0, "ALU AND K", lower_alu<D>},
	{bpf::ALU | bpf::AND | bpf::X, 0, 0, "ALU AND X", lower_alu<D>},
	{bpf::ALU | bpf::LSH | bpf::K, 0, 0, "ALU LSH K", lower_alu<D>},
	{bpf::ALU | bpf::LSH | bpf::X, 0, 0, "ALU LSH X", lower_shift_x<D>},
	{bpf::ALU | bpf::RSH | bpf::K, 0, 0, "ALU RSH K", lower_alu<D>},
	{bpf::ALU | bpf::RSH | bpf::X, 0, 0, "ALU RSH X", lower_shift_x<D>},
	{bpf::ALU | bpf::NEG | bpf::K, 0, 0, "ALU NEG", lower_alu<D>},
	{bpf::ALU | bpf::MOD | bpf::K, 0, 0, "ALU MOD K", lower_divmod<D>},
	{bpf::ALU | bpf::MOD | bpf::X, 0, 0, "ALU MOD X", lower_divmod<D>},
	{bpf::ALU | bpf::XOR | bpf::K, 0, 0, "ALU XOR K", lower_alu<D>},
	{bpf::ALU | bpf::XOR | bpf::X, 0, 0, "ALU XOR X", lower_alu<D>},
	{bpf::ALU | bpf::MOV | bpf::K, 0, 0, "ALU MOV K", lower_alu<D>},
	{bpf::ALU | bpf::MOV | bpf::X, 0, 0, "ALU MOV X", lower_alu<D>},
	{bpf::ALU | bpf::ARSH | bpf::K, 0, 0, "ALU ARSH K", lower_alu<D>},
	{bpf::ALU | bpf::ARSH | bpf::X, 0, 0, "ALU ARSH X", lower_shift_x<D>},
	{bpf::ALU | bpf::END | bpf::TO_LE, 0, 16, "ALU END TO_LE 16", lower_end<D>},
	{bpf::ALU | bpf::END | bpf::TO_LE, 0, 32, "ALU END TO_LE 32", lower_end<D>},
	{bpf::ALU | bpf::END | bpf::TO_LE, 0, 64, "ALU END TO_LE 64", lower_end<D>},
	{bpf::ALU | bpf::END | bpf::TO_BE, 0, 16, "ALU END TO_BE 16", lower_end<D>},
	{bpf::ALU | bpf::END | bpf::TO_BE, 0, 32, "ALU END TO_BE 32", lower_end<D>},
	{bpf::ALU | bpf::END | bpf::TO_BE, 0, 64, "ALU END TO_BE 64", lower_end<D>},
	{bpf::JMP | bpf::JA, 0, 0, "JMP JA", lower_ja<D>},
	{bpf::JMP | bpf::CALL, 0, 0, "JMP CALL", lower_call<D>},
	{bpf::JMP32 | bpf::JA, 0, 0, "JMP32 JA", lower_gotol<D>},
	{bpf::JMP | bpf::EXIT, 0, 0, "JMP EXIT", lower_exit<D>},
	{bpf::JMP | bpf::JEQ | bpf::K, 0, 0, "JMP JEQ K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JEQ | bpf::X, 0, 0, "JMP JEQ X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JGT | bpf::K, 0, 0, "JMP JGT K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JGT | bpf::X, 0, 0, "JMP JGT X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JGE | bpf::K, 0, 0, "JMP JGE K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JGE | bpf::X, 0, 0, "JMP JGE X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSET | bpf::K, 0, 0, "JMP JSET K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSET | bpf::X, 0, 0, "JMP JSET X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JNE | bpf::K, 0, 0, "JMP JNE K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JNE | bpf::X, 0, 0, "JMP JNE X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSGT | bpf::K, 0, 0, "JMP JSGT K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSGT | bpf::X, 0, 0, "JMP JSGT X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSGE | bpf::K, 0, 0, "JMP JSGE K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSGE | bpf::X, 0, 0, "JMP JSGE X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JLT | bpf::K, 0, 0, "JMP JLT K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JLT | bpf::X, 0, 0, "JMP JLT X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JLE | bpf::K, 0, 0, "JMP JLE K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JLE | bpf::X, 0, 0, "JMP JLE X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSLT | bpf::K, 0, 0, "JMP JSLT K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSLT | bpf::X, 0, 0, "JMP JSLT X", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSLE | bpf::K, 0, 0, "JMP JSLE K", lower_jmp_cond<D>},
	{bpf::JMP | bpf::JSLE | bpf::X, 0, 0, "JMP JSLE X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JEQ | bpf::K, 0, 0, "JMP32 JEQ K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JEQ | bpf::X, 0, 0, "JMP32 JEQ X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JGT | bpf::K, 0, 0, "JMP32 JGT K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JGT | bpf::X, 0, 0, "JMP32 JGT X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JGE | bpf::K, 0, 0, "JMP32 JGE K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JGE | bpf::X, 0, 0, "JMP32 JGE X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSET | bpf::K, 0, 0, "JMP32 JSET K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSET | bpf::X, 0, 0, "JMP32 JSET X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JNE | bpf::K, 0, 0, "JMP32 JNE K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JNE | bpf::X, 0, 0, "JMP32 JNE X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSGT | bpf::K, 0, 0, "JMP32 JSGT K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSGT | bpf::X, 0, 0, "JMP32 JSGT X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSGE | bpf::K, 0, 0, "JMP32 JSGE K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSGE | bpf::X, 0, 0, "JMP32 JSGE X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JLT | bpf::K, 0, 0, "JMP32 JLT K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JLT | bpf::X, 0, 0, "JMP32 JLT X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JLE | bpf::K, 0, 0, "JMP32 JLE K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JLE | bpf::X, 0, 0, "JMP32 JLE X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSLT | bpf::K, 0, 0, "JMP32 JSLT K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSLT | bpf::X, 0, 0, "JMP32 JSLT X", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSLE | bpf::K, 0, 0, "JMP32 JSLE K", lower_jmp_cond<D>},
	{bpf::JMP32 | bpf::JSLE | bpf::X, 0, 0, "JMP32 JSLE X", lower_jmp_cond<D>},
	{bpf::LDX | bpf::MEM | bpf::B, 0, 0, "LDX MEM B", lower_ldx<D>},
	{bpf::LDX | bpf::MEM | bpf::H, 0, 0, "LDX MEM H", lower_ldx<D>},
	{bpf::LDX | bpf::MEM | bpf::W, 0, 0, "LDX MEM W", lower_ldx<D>},
	{bpf::LDX | bpf::MEM | bpf::DW, 0, 0, "LDX MEM DW", lower_ldx<D>},
	{bpf::ST | bpf::MEM | bpf::B, 0, 0, "ST MEM B", lower_st<D>},
	{bpf::ST | bpf::MEM | bpf::H, 0, 0, "ST MEM H", lower_st<D>},
	{bpf::ST | bpf::MEM | bpf::W, 0, 0, "ST MEM W", lower_st<D>},
	{bpf::ST | bpf::MEM | bpf::DW, 0, 0, "ST MEM DW", lower_st<D>},
	{bpf::ST | bpf::NOSPEC, 0, 0, "ST NOSPEC", lower_nospec<D>},
	{bpf::STX | bpf::MEM | bpf::B, 0, 0, "STX MEM B", lower_stx<D>},
	{bpf::STX | bpf::MEM | bpf::H, 0, 0, "STX MEM H", lower_stx<D>},
	{bpf::STX | bpf::MEM | bpf::W, 0, 0, "STX MEM W", lower_stx<D>},
	{bpf::STX | bpf::MEM | bpf::DW, 0, 0, "STX MEM DW", lower_stx<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::ADD, "STX ATOMIC W ADD", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::AND, "STX ATOMIC W AND", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::OR, "STX ATOMIC W OR", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::XOR, "STX ATOMIC W XOR", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::ADD | bpf::FETCH, "STX ATOMIC W ADD FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::AND | bpf::FETCH, "STX ATOMIC W AND FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::OR | bpf::FETCH, "STX ATOMIC W OR FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::XOR | bpf::FETCH, "STX ATOMIC W XOR FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::XCHG, "STX ATOMIC W XCHG", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::W, 0, bpf::CMPXCHG, "STX ATOMIC W CMPXCHG", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::ADD, "STX ATOMIC DW ADD", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::AND, "STX ATOMIC DW AND", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::OR, "STX ATOMIC DW OR", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::XOR, "STX ATOMIC DW XOR", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::ADD | bpf::FETCH, "STX ATOMIC DW ADD FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::AND | bpf::FETCH, "STX ATOMIC DW AND FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::OR | bpf::FETCH, "STX ATOMIC DW OR FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::XOR | bpf::FETCH, "STX ATOMIC DW XOR FETCH", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::XCHG, "STX ATOMIC DW XCHG", lower_atomic<D>},
	{bpf::STX | bpf::ATOMIC | bpf::DW, 0, bpf::CMPXCHG, "STX ATOMIC DW CMPXCHG", lower_atomic<D>},
	{bpf::LD | bpf::IMM | bpf::DW, 0, 0, "LD IMM64", lower_ld_imm64<D>},
	// cpu-v4 (Linux 6.6+): selected by off, by the class (bswap) or the
	// mode (ldsx).
	{bpf::ALU64 | bpf::DIV | bpf::K, 1, 0, "ALU64 SDIV K", lower_sdivmod<D>},
	{bpf::ALU64 | bpf::DIV | bpf::X, 1, 0, "ALU64 SDIV X", lower_sdivmod<D>},
	{bpf::ALU64 | bpf::MOD | bpf::K, 1, 0, "ALU64 SMOD K", lower_sdivmod<D>},
	{bpf::ALU64 | bpf::MOD | bpf::X, 1, 0, "ALU64 SMOD X", lower_sdivmod<D>},
	{bpf::ALU | bpf::DIV | bpf::K, 1, 0, "ALU SDIV K", lower_sdivmod<D>},
	{bpf::ALU | bpf::DIV | bpf::X, 1, 0, "ALU SDIV X", lower_sdivmod<D>},
	{bpf::ALU | bpf::MOD | bpf::K, 1, 0, "ALU SMOD K", lower_sdivmod<D>},
	{bpf::ALU | bpf::MOD | bpf::X, 1, 0, "ALU SMOD X", lower_sdivmod<D>},
	{bpf::ALU64 | bpf::MOV | bpf::X, 8, 0, "ALU64 MOVSX 8", lower_movsx<D>},
	{bpf::ALU64 | bpf::MOV | bpf::X, 16, 0, "ALU64 MOVSX 16", lower_movsx<D>},
	{bpf::ALU64 | bpf::MOV | bpf::X, 32, 0, "ALU64 MOVSX 32", lower_movsx<D>},
	{bpf::ALU | bpf::MOV | bpf::X, 8, 0, "ALU MOVSX 8", lower_movsx<D>},
	{bpf::ALU | bpf::MOV | bpf::X, 16, 0, "ALU MOVSX 16", lower_movsx<D>},
	{bpf::LDX | bpf::MEMSX | bpf::B, 0, 0, "LDX MEMSX B", lower_ldsx<D>},
	{bpf::LDX | bpf::MEMSX | bpf::H, 0, 0, "LDX MEMSX H", lower_ldsx<D>},
	{bpf::LDX | bpf::MEMSX | bpf::W, 0, 0, "LDX MEMSX W", lower_ldsx<D>},
	{bpf::ALU64 | bpf::END | bpf::TO_LE, 0, 16, "ALU64 BSWAP 16", lower_end<D>},
	{bpf::ALU64 | bpf::END | bpf::TO_LE, 0, 32, "ALU64 BSWAP 32", lower_end<D>},
	{bpf::ALU64 | bpf::END | bpf::TO_LE, 0, 64, "ALU64 BSWAP 64", lower_end<D>},
};

template <typename D>
Table<D> riscv64_table() {
	return Table<D>{riscv64_rules<D>, sizeof(riscv64_rules<D>) / sizeof(riscv64_rules<D>[0])};
}

// The Arch type core/driver.h is instantiated with.
struct Riscv64 {
	static constexpr const char *name = "riscv64";
	// Bytes per BPF instruction assumed by the first pass (more than any
	// rule emits: bswap64 is 30 instructions).
	static constexpr uint32_t initial_insn_bytes = 128;
	template <typename D>
	static Table<D> table() { return riscv64_table<D>(); }
	template <typename D>
	static void prologue(JitCtx<D> &c) { riscv64_prologue<D>(c); }
	template <typename D>
	static void epilogue(JitCtx<D> &c) { riscv64_epilogue<D>(c); }
	// n bytes that do nothing but fall through (the driver's padding).
	template <typename D>
	static void pad(JitCtx<D> &c, uint32_t n) { riscv64_nops<D>(c, n); }
};

} // namespace riscv64
} // namespace vjit

#endif
