// SPDX-License-Identifier: GPL-2.0
// The arm64 codegen table: one Rule per BPF opcode (and per imm for END and
// atomics), with the x86-64 table's names, each lowering one instruction
// with the encoders of encode.h.
//
// Conventions every rule follows (the state relation of the proofs):
//   - BPF register r lives in native_reg(r) (target.h) before and after;
//   - x10-x13 are scratch inside a rule; NZCV is dead between rules;
//   - x25 = R10 and sp are never changed by a rule;
//   - ALU32 results are zero-extended (writing a W register does it);
//   - control leaves a rule at its end (fall-through) or at
//     insn_addr(target) / epilogue_addr().
//
// Guards are named (D::when(..., "fits_imm12")) so the verifier splits on
// them; the names it reports are the ones in this file and in encode.h.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_ARM64_LOWER_H
#define VJIT_ARCH_ARM64_LOWER_H

#include "arch/arm64/encode.h"
#include "arch/arm64/target.h"

namespace vjit {
namespace arm64 {

constexpr bool is64(uint8_t code) {
	return bpf::cls(code) == bpf::ALU64 || bpf::cls(code) == bpf::JMP;
}
// The K operand as the operation sees it: sign-extended to 64 bits, or the
// 32 bits zero-extended for ALU32/JMP32 (only the low half is read there).
template <typename D>
typename D::template BV<64> imm_value(uint8_t code, typename D::template BV<32> imm) {
	return is64(code) ? sext<64>(imm) : zext<64>(imm);
}
constexpr Size mem_size(uint8_t code) {
	return bpf::size(code) == bpf::B ? Size::B : bpf::size(code) == bpf::H ? Size::H
	     : bpf::size(code) == bpf::W ? Size::W : Size::X;
}

// ---- immediates ---------------------------------------------------------------

constexpr const char *background_guard[4] = {"chunk0_background", "chunk1_background",
					     "chunk2_background", "chunk3_background"};

// Rd = v (64 bits, or the low 32 when !sf) in the fewest MOVZ/MOVN/MOVK:
// the background (0 for MOVZ, 0xffff for MOVN, whichever more chunks
// equal) costs nothing; every other chunk is one instruction.
template <typename D>
void mov_imm(JitCtx<D> &c, bool sf, typename D::template BV<5> Rd, typename D::template BV<64> v) {
	VJIT_A64_TYPES(D);
	const unsigned n = sf ? 4 : 2;
	u8 zeros(0), ones(0);
	for (unsigned k = 0; k < n; k++) {
		zeros = zeros + select(chunk16<D>(v, k) == u16(0), u8(1), u8(0));
		ones = ones + select(chunk16<D>(v, k) == u16(0xffff), u8(1), u8(0));
	}
	const bool inverted = D::when(ugt(ones, zeros), "movn_shorter");
	const u16 background(inverted ? 0xffff : 0);
	bool first = true;
	for (unsigned k = 0; k < n; k++) {
		const u16 ch = chunk16<D>(v, k);
		if (D::when(ch == background, background_guard[k]))
			continue;
		if (first)
			move_wide<D>(c, sf, inverted ? MoveWide::MOVN : MoveWide::MOVZ, k, inverted ? ~ch : ch, Rd);
		else
			move_wide<D>(c, sf, MoveWide::MOVK, k, ch, Rd);
		first = false;
	}
	if (first)  /* every chunk is background: 0 or all ones */
		move_wide<D>(c, sf, inverted ? MoveWide::MOVN : MoveWide::MOVZ, 0, u16(0), Rd);
}

// Rd = v in exactly four instructions (MOVZ, MOVK x3): call targets, whose
// length must not depend on where the image lands.
template <typename D>
void mov_imm64_fixed(JitCtx<D> &c, typename D::template BV<5> Rd, typename D::template BV<64> v) {
	move_wide<D>(c, true, MoveWide::MOVZ, 0, chunk16<D>(v, 0), Rd);
	for (unsigned k = 1; k < 4; k++)
		move_wide<D>(c, true, MoveWide::MOVK, k, chunk16<D>(v, k), Rd);
}

// Rd = imm (sf: sign-extended to 64 bits) in a fixed sequence:
// MOVZ w, lo; MOVK w, hi, lsl #16 (; SXTW). For the operand of a multiply
// or a division, whose proof is cheapest when the register is the
// immediate's own bits.
template <typename D>
void mov_imm32_fixed(JitCtx<D> &c, bool sf, typename D::template BV<5> Rd, typename D::template BV<32> imm) {
	using u6 = typename D::template BV<6>;
	move_wide<D>(c, false, MoveWide::MOVZ, 0, chunk16<D>(zext<64>(imm), 0), Rd);
	move_wide<D>(c, false, MoveWide::MOVK, 1, chunk16<D>(zext<64>(imm), 1), Rd);
	if (sf)
		bitfield<D>(c, true, false, u6(0), u6(31), Rd, Rd);  /* SXTW */
}

// Rd = (s64)off, a 16-bit signed offset: one MOVZ or MOVN.
template <typename D>
void mov_off(JitCtx<D> &c, typename D::template BV<5> Rd, typename D::template BV<16> off) {
	using u16 = typename D::template BV<16>;
	if (D::when(sge(off, u16(0)), "off_nonneg"))
		move_wide<D>(c, true, MoveWide::MOVZ, 0, off, Rd);
	else
		move_wide<D>(c, true, MoveWide::MOVN, 0, ~off, Rd);
}

// Rd = Rn +/- v: ADD/SUB (immediate) when v (or -v) is an imm12, or an
// imm12 shifted by 12; else through SCRATCH1. With S: flags only (CMP).
template <typename D>
void addsub_k(JitCtx<D> &c, bool sf, bool sub, bool S, typename D::template BV<5> Rd,
	      typename D::template BV<5> Rn, typename D::template BV<64> v) {
	VJIT_A64_TYPES(D);
	const u64 w = sf ? v : zext<64>(trunc<32>(v));
	if (D::when(fits_imm12<D>(w), "fits_imm12")) {
		addsub_imm<D>(c, sf, sub, S, false, Rd, Rn, trunc<12>(w));
	} else if (D::when(fits_imm12_lsl12<D>(w), "fits_imm12_lsl12")) {
		addsub_imm<D>(c, sf, sub, S, true, Rd, Rn, trunc<12>(w >> u64(12)));
	} else {
		mov_imm<D>(c, sf, u5(SCRATCH1), w);
		addsub_reg<D>(c, sf, sub, S, Rd, Rn, u5(SCRATCH1));
	}
}

// ---- ALU ----------------------------------------------------------------------

// ADD SUB OR AND XOR MUL MOV NEG, and shifts by an immediate (the count
// masked to the width, as the semantics masks it).
template <typename D>
void lower_alu(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const bool sf = is64(in.code);
	const u5 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src), t = u5(SCRATCH1);
	if (srcbit(in.code) == X) {
		switch (op(in.code)) {
		case ADD: addsub_reg<D>(c, sf, false, false, dst, dst, src); return;  /* dst += src */
		case SUB: addsub_reg<D>(c, sf, true, false, dst, dst, src); return;   /* dst -= src */
		case OR:  logic_reg<D>(c, sf, LogicOp::ORR, dst, dst, src); return;  /* dst |= src */
		case AND: logic_reg<D>(c, sf, LogicOp::AND, dst, dst, src); return;  /* dst &= src */
		case XOR: logic_reg<D>(c, sf, LogicOp::EOR, dst, dst, src); return;  /* dst ^= src */
		case MUL: madd_msub<D>(c, sf, false, dst, dst, src, u5(ZR)); return; /* dst *= src */
		case MOV: mov_rr<D>(c, sf, dst, src); return;                        /* dst = src */
		}
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	const u64 v = imm_value<D>(in.code, in.imm);
	const unsigned W = sf ? 64 : 32;
	const u6 s = trunc<6>(in.imm) & u6(W - 1);
	switch (op(in.code)) {
	case ADD: addsub_k<D>(c, sf, false, false, dst, dst, v); return;  /* dst += imm */
	case SUB: addsub_k<D>(c, sf, true, false, dst, dst, v); return;   /* dst -= imm */
	case OR:  mov_imm<D>(c, sf, t, v); logic_reg<D>(c, sf, LogicOp::ORR, dst, dst, t); return; /* dst |= imm */
	case AND: mov_imm<D>(c, sf, t, v); logic_reg<D>(c, sf, LogicOp::AND, dst, dst, t); return; /* dst &= imm */
	case XOR: mov_imm<D>(c, sf, t, v); logic_reg<D>(c, sf, LogicOp::EOR, dst, dst, t); return; /* dst ^= imm */
	case MUL: mov_imm32_fixed<D>(c, sf, t, in.imm); madd_msub<D>(c, sf, false, dst, dst, t, u5(ZR)); return; /* dst *= imm */
	case NEG: addsub_reg<D>(c, sf, true, false, dst, u5(ZR), dst); return; /* dst = -dst */
	case LSH: /* dst <<= imm: UBFM dst, dst, #(-s mod W), #(W - 1 - s) */
		bitfield<D>(c, sf, true, (u6(0) - s) & u6(W - 1), u6(W - 1) - s, dst, dst);
		return;
	case RSH: bitfield<D>(c, sf, true, s, u6(W - 1), dst, dst); return;  /* dst >>= imm (UBFM) */
	case ARSH: bitfield<D>(c, sf, false, s, u6(W - 1), dst, dst); return; /* dst s>>= imm (SBFM) */
	case MOV: mov_imm<D>(c, sf, dst, v); return;                         /* dst = imm */
	}
	c.fail(LowerError::UNSUPPORTED);
}

// Shifts by a register: LSLV/LSRV/ASRV take the count modulo the width,
// which is the semantics' masking.
template <typename D>
void lower_shift_x(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const u5 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const Dp2 opcode = op(in.code) == LSH ? Dp2::LSLV : op(in.code) == RSH ? Dp2::LSRV : Dp2::ASRV;
	dp2<D>(c, is64(in.code), opcode, dst, dst, src);  /* dst OP= src */
}

// The divisor: src, or the immediate in SCRATCH1.
template <typename D>
typename D::template BV<5> divisor(JitCtx<D> &c, const InsnFields<D> &in) {
	using u5 = typename D::template BV<5>;
	if (bpf::srcbit(in.code) == bpf::X)
		return native_reg<D>(in.src);
	mov_imm32_fixed<D>(c, is64(in.code), u5(SCRATCH1), in.imm);
	return u5(SCRATCH1);
}

// DIV/MOD, unsigned (off = 0) and signed (off = 1), K or X. A64 division
// does not trap: UDIV/SDIV by 0 give 0, and SDIV of INT_MIN by -1 gives
// INT_MIN, all as eBPF defines them. The remainder is dst - q * divisor
// (MSUB): by 0 that is dst, by -1 it is 0, again as eBPF says.
//   DIV: dst = dst / d          MOD: x11 = dst / d; dst = dst - x11 * d
template <typename D>
void lower_divmod(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	const bool sf = is64(in.code);
	const u5 dst = native_reg<D>(in.dst), q = u5(SCRATCH2);
	const Dp2 opcode = D::concrete(in.off) == 1 ? Dp2::SDIV : Dp2::UDIV;
	const u5 d = divisor<D>(c, in);
	if (bpf::op(in.code) == bpf::DIV) {
		dp2<D>(c, sf, opcode, dst, dst, d);          /* dst = dst / d */
		return;
	}
	dp2<D>(c, sf, opcode, q, dst, d);                /* x11 = dst / d */
	madd_msub<D>(c, sf, true, dst, q, d, dst);       /* dst = dst - x11 * d */
}

template <typename D>
void lower_sdivmod(JitCtx<D> &c, const InsnFields<D> &in) {
	lower_divmod<D>(c, in);
}

// MOVSX (MOV X with off = 8, 16, 32): SXTB/SXTH/SXTW = SBFM #0, #(off-1).
// A W destination zero-extends the 32-bit sign extension (ALU).
template <typename D>
void lower_movsx(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	const u5 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const uint64_t off = D::concrete(in.off);
	if (off != 8 && off != 16 && off != 32) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	bitfield<D>(c, is64(in.code), false, u6(0), u6(off - 1), dst, src);  /* dst = (s<off>)src */
}

// END: byte swaps; imm (16/32/64) selects the rule.
template <typename D>
void lower_end(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const u5 dst = native_reg<D>(in.dst);
	const uint64_t width = D::concrete(in.imm);
	// ALU64 | END (cpu-v4 bswap) swaps whatever the X bit says.
	if (srcbit(in.code) == TO_LE && bpf::cls(in.code) == ALU) {
		if (width == 16)
			bitfield<D>(c, false, true, u6(0), u6(15), dst, dst); /* dst = (u16)dst (UXTH) */
		else if (width == 32)
			mov_rr<D>(c, false, dst, dst);                     /* dst = (u32)dst */
		/* width 64: dst = dst, nothing to emit */
		return;
	}
	if (width == 16) {
		dp1<D>(c, false, 1, dst, dst);                             /* REV16: swap bytes in halves */
		bitfield<D>(c, false, true, u6(0), u6(15), dst, dst);      /* dst = (u16)dst */
	} else if (width == 32) {
		dp1<D>(c, false, 2, dst, dst);                             /* dst = bswap32(dst) (REV w) */
	} else {
		dp1<D>(c, true, 3, dst, dst);                              /* dst = bswap64(dst) (REV x) */
	}
}

// ---- jumps ------------------------------------------------------------------------

constexpr Cond jmp_cond(uint8_t code) {
	using namespace bpf;
	switch (op(code)) {
	case JEQ: return Cond::EQ;
	case JNE: return Cond::NE;
	case JGT: return Cond::HI;
	case JGE: return Cond::HS;
	case JLT: return Cond::LO;
	case JLE: return Cond::LS;
	case JSGT: return Cond::GT;
	case JSGE: return Cond::GE;
	case JSLT: return Cond::LT;
	case JSLE: return Cond::LE;
	case JSET: return Cond::NE;
	}
	return Cond::AL;
}

// B to native offset target, or fail when beyond B's +-128 MiB.
template <typename D>
void b_to(JitCtx<D> &c, typename D::template BV<32> target) {
	using u32 = typename D::template BV<32>;
	const u32 disp = target - c.here();
	if (!D::when(fits_imm26<D>(disp), "fits_imm26")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	b_imm<D>(c, false, extract<27, 2>(disp));
}

// B.cond to native offset target; beyond B.cond's +-1 MiB, the inverted
// B.cond over a B (the B.cond skips 2 words: itself and the B).
template <typename D>
void b_cond_to(JitCtx<D> &c, Cond cond, typename D::template BV<32> target) {
	using u32 = typename D::template BV<32>;
	using u19 = typename D::template BV<19>;
	const u32 disp = target - c.here();
	if (D::when(fits_imm19<D>(disp), "fits_imm19")) {
		b_cond<D>(c, cond, extract<20, 2>(disp));
		return;
	}
	b_cond<D>(c, invert(cond), u19(2));
	b_to<D>(c, target);
}

// Native offset of the jump target pc + 1 + off.
template <typename D>
typename D::template BV<32> jump_target(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	return c.insn_addr(c.idx() + u32(1) + sext<32>(in.off));
}

// if (dst CMP src/imm) goto pc + 1 + off; JSET tests dst & src.
template <typename D>
void lower_jmp_cond(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const bool sf = is64(in.code);
	const u5 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src), t = u5(SCRATCH1);
	const bool jset = op(in.code) == JSET;
	if (srcbit(in.code) == X) {
		if (jset)
			tst_rr<D>(c, sf, dst, src);           /* flags = dst & src */
		else
			cmp_rr<D>(c, sf, dst, src);           /* flags = dst - src */
	} else if (jset) {
		mov_imm<D>(c, sf, t, imm_value<D>(in.code, in.imm));
		tst_rr<D>(c, sf, dst, t);                     /* flags = dst & imm */
	} else {
		addsub_k<D>(c, sf, true, true, u5(ZR), dst, imm_value<D>(in.code, in.imm)); /* flags = dst - imm */
	}
	b_cond_to<D>(c, jmp_cond(in.code), jump_target<D>(c, in));
}

// goto pc + 1 + off
template <typename D>
void lower_ja(JitCtx<D> &c, const InsnFields<D> &in) {
	b_to<D>(c, jump_target<D>(c, in));
}

// gotol: goto pc + 1 + imm (JMP32 | JA, the 32-bit offset in imm).
template <typename D>
void lower_gotol(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	b_to<D>(c, c.insn_addr(c.idx() + u32(1) + in.imm));
}

// return R0: branch to the epilogue.
template <typename D>
void lower_exit(JitCtx<D> &c, const InsnFields<D> &) {
	b_to<D>(c, c.epilogue_addr());
}

// R0 = helper(R1, ..., R5), through a register (a helper is anywhere in
// the address space, BL reaches +-128 MiB): x10 = address; blr x10; x7 = x0.
// R1-R5 are x0-x4, AAPCS64's argument registers; the callee may clobber
// x0-x18 and x30 (R0-R5, AX, scratch, the link register the prologue
// saved) and preserves x19-x28 (R6-R10). bpf-to-bpf calls and kfuncs: not
// supported (yet).
template <typename D>
void lower_call(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	if (D::when(in.src != u4(0), "not_helper_call")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	mov_imm64_fixed<D>(c, u5(SCRATCH1), c.helper_addr(in.imm));  /* x10 = helper */
	blr<D>(c, SCRATCH1);                                         /* call it */
	mov_rr<D>(c, true, u5(X7), u5(X0));                          /* R0 = result */
}

// ---- memory -------------------------------------------------------------------------

// One load or store of Rt at [base + sext(off)]: the scaled unsigned
// offset, the unscaled signed one, or the offset in SCRATCH2.
template <typename D>
void ldst(JitCtx<D> &c, Size sz, LdSt opc, typename D::template BV<5> Rt,
	  typename D::template BV<5> base, typename D::template BV<16> off) {
	using u5 = typename D::template BV<5>;
	using u16 = typename D::template BV<16>;
	if (D::when(fits_scaled_offset<D>(off, sz), "fits_scaled_offset")) {
		ldst_uimm<D>(c, sz, opc, Rt, base, trunc<12>(off >> u16((unsigned)sz)));
	} else if (D::when(fits_simm9<D>(off), "fits_simm9")) {
		ldst_simm9<D>(c, sz, opc, Rt, base, trunc<9>(off));
	} else {
		mov_off<D>(c, u5(SCRATCH2), off);
		ldst_reg<D>(c, sz, opc, Rt, base, u5(SCRATCH2));
	}
}

// dst = *(size *)(src + off), zero-extended (LDRB/LDRH/LDR w/LDR x).
template <typename D>
void lower_ldx(JitCtx<D> &c, const InsnFields<D> &in) {
	ldst<D>(c, mem_size(in.code), LdSt::LDR, native_reg<D>(in.dst), native_reg<D>(in.src), in.off);
}

// LDSX: dst = *(s8/s16/s32 *)(src + off), sign-extended to 64 bits
// (LDRSB/LDRSH/LDRSW to an X register).
template <typename D>
void lower_ldsx(JitCtx<D> &c, const InsnFields<D> &in) {
	ldst<D>(c, mem_size(in.code), LdSt::LDRS, native_reg<D>(in.dst), native_reg<D>(in.src), in.off);
}

// *(size *)(dst + off) = imm: x10 = imm (DW: sign-extended); store x10.
template <typename D>
void lower_st(JitCtx<D> &c, const InsnFields<D> &in) {
	using u5 = typename D::template BV<5>;
	const Size sz = mem_size(in.code);
	mov_imm<D>(c, sz == Size::X, u5(SCRATCH1), sext<64>(in.imm));
	ldst<D>(c, sz, LdSt::STR, u5(SCRATCH1), native_reg<D>(in.dst), in.off);
}

// BPF_NOSPEC: DSB NSH; ISB, the kernel's speculation barrier on cores
// without FEAT_SB (spec_bar()). Linux 6.1's arm64 JIT emits nothing and
// relies on the firmware's speculative-store-bypass mitigation; vjit's
// theorem asks every arch for a barrier here.
template <typename D>
void lower_nospec(JitCtx<D> &c, const InsnFields<D> &) {
	dsb_nsh<D>(c);
	isb<D>(c);
}

// *(size *)(dst + off) = src
template <typename D>
void lower_stx(JitCtx<D> &c, const InsnFields<D> &in) {
	ldst<D>(c, mem_size(in.code), LdSt::STR, native_reg<D>(in.src), native_reg<D>(in.dst), in.off);
}

// ---- atomics ------------------------------------------------------------------------

// The address dst + off in a register: dst itself when off is 0, else
// x10 = off; x10 += dst.
template <typename D>
typename D::template BV<5> atomic_addr(JitCtx<D> &c, const InsnFields<D> &in) {
	using u5 = typename D::template BV<5>;
	using u16 = typename D::template BV<16>;
	const u5 dst = native_reg<D>(in.dst);
	if (D::when(in.off == u16(0), "off_zero"))
		return dst;
	mov_off<D>(c, u5(SCRATCH1), in.off);
	addsub_reg<D>(c, true, false, false, u5(SCRATCH1), u5(SCRATCH1), dst);
	return u5(SCRATCH1);
}

// With FEAT_LSE (opts.lse), as Linux's emit_lse_atomic: the non-fetch
// forms are ST<op> (relaxed: LD<op> with Rt = ZR), the fetch forms, XCHG
// and CMPXCHG fully ordered (LD<op>AL, SWPAL, CASAL). AND clears ~src.
template <typename D>
void atomic_lse(JitCtx<D> &c, const InsnFields<D> &in, bool sf, typename D::template BV<5> addr) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const u5 src = native_reg<D>(in.src), t = u5(SCRATCH2);
	const int32_t imm = (int32_t)D::concrete(in.imm);
	const bool fetch = (imm & FETCH) != 0;
	const u5 rt = fetch ? src : u5(ZR);
	switch (imm & ~FETCH) {
	case ADD: lse_atomic<D>(c, sf, AtomicOp::ADD, fetch, fetch, src, rt, addr); return; /* *a += src */
	case AND:
		logic_reg<D>(c, sf, LogicOp::ORR, t, u5(ZR), src, true);  /* x11 = ~src (MVN) */
		lse_atomic<D>(c, sf, AtomicOp::CLR, fetch, fetch, t, rt, addr); /* *a &= ~x11 */
		return;
	case OR: lse_atomic<D>(c, sf, AtomicOp::SET, fetch, fetch, src, rt, addr); return; /* *a |= src */
	case XOR: lse_atomic<D>(c, sf, AtomicOp::EOR, fetch, fetch, src, rt, addr); return; /* *a ^= src */
	}
	if (imm == XCHG) {
		lse_atomic<D>(c, sf, AtomicOp::SWP, true, true, src, src, addr); /* src = *a, *a = src */
		return;
	}
	/* CMPXCHG: if (*a == R0) *a = src; R0 = old (zero-extended when W) */
	cas<D>(c, sf, true, true, u5(X7), src, addr);
}

// Without LSE, as Linux's emit_ll_sc_atomic, an exclusive-monitor loop:
//   L: x11 = ldxr [a]; x12 = x11 OP src; w13 = st(l)xr x12, [a]; cbnz w13, L
// fetch forms, XCHG and CMPXCHG store-release and end with dmb ish (fully
// ordered), then hand the old value (x11) to src or R0. CMPXCHG leaves the
// loop without a store when *a != R0.
template <typename D>
void atomic_llsc(JitCtx<D> &c, const InsnFields<D> &in, bool sf, typename D::template BV<5> addr) {
	VJIT_A64_TYPES(D);
	using namespace bpf;
	const u5 src = native_reg<D>(in.src), old = u5(SCRATCH2), nv = u5(SCRATCH3), st = u5(SCRATCH4);
	const int32_t imm = (int32_t)D::concrete(in.imm);
	const bool ordered = (imm & FETCH) != 0;
	const u32 loop = c.here();
	ldxr<D>(c, sf, old, addr);                                         /* L: x11 = *a */
	u5 stored = nv;
	switch (imm & ~FETCH) {
	case ADD: addsub_reg<D>(c, sf, false, false, nv, old, src); break; /* x12 = x11 + src */
	case AND: logic_reg<D>(c, sf, LogicOp::AND, nv, old, src); break;  /* x12 = x11 & src */
	case OR: logic_reg<D>(c, sf, LogicOp::ORR, nv, old, src); break;   /* x12 = x11 | src */
	case XOR: logic_reg<D>(c, sf, LogicOp::EOR, nv, old, src); break;  /* x12 = x11 ^ src */
	default: stored = src; break;                                      /* XCHG, CMPXCHG: store src */
	}
	if (imm == CMPXCHG) {
		addsub_reg<D>(c, sf, true, false, nv, old, u5(X7));         /* x12 = x11 - R0 */
		cb<D>(c, sf, true, u19(4), nv);                              /* differ: to the dmb, no store */
	}
	stxr<D>(c, sf, ordered, st, stored, addr);                        /* w13 = store failed */
	cb<D>(c, false, true, extract<20, 2>(loop - c.here()), st);        /* retry if it failed */
	if (!ordered)
		return;
	dmb_ish<D>(c);
	mov_rr<D>(c, sf, imm == CMPXCHG ? u5(X7) : src, old);             /* src (R0) = old */
}

// Atomics on *(u32/u64 *)(dst + off); imm (the operation) selects the rule,
// opts.lse the instructions.
template <typename D>
void lower_atomic(JitCtx<D> &c, const InsnFields<D> &in) {
	const bool sf = bpf::size(in.code) == bpf::DW;
	const typename D::template BV<5> addr = atomic_addr<D>(c, in);
	if (c.opts.lse)
		atomic_lse<D>(c, in, sf, addr);
	else
		atomic_llsc<D>(c, in, sf, addr);
}

// dst = imm64 (two BPF slots), in the fewest MOVZ/MOVN/MOVK. src ==
// PSEUDO_FUNC (address of a subprogram) needs bpf-to-bpf support:
// unsupported.
template <typename D>
void lower_ld_imm64(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_A64_TYPES(D);
	if (D::when(in.src == u4(bpf::PSEUDO_FUNC), "pseudo_func")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	mov_imm<D>(c, true, native_reg<D>(in.dst), concat(in.imm_hi, in.imm));  /* dst = imm64 */
}

// ---- prologue / epilogue ------------------------------------------------------------

// n bytes (a multiple of 4) of NOPs.
template <typename D>
void arm64_nops(JitCtx<D> &c, uint32_t n) {
	for (uint32_t k = 0; k < n / 4; k++)
		hint<D>(c, Hint::NOP);
}

// bpf_func(ctx = x0 = R1, insnsi = x1), laid out as the kernel's arm64
// JIT (Linux 6.1 build_prologue) lays out its own, so that its tail calls
// and trampolines find what they expect:
//   bti jc                      opts.ibt: landing pad of the kernel's BLR
//                               (and of a trampoline's BR)
//   mov x9, lr; nop             the trampolines' patch site (POKE_OFFSET)
//   paciasp                     sign x30 with sp (pointer authentication)
//   stp x29, x30, [sp, #-16]!; mov x29, sp
//   stp x19, x20, [sp, #-16]!; x21, x22; x25, x26; x27, x28 likewise
//   mov x25, sp                 R10 = top of the BPF stack
//   mov x26, #0                 tail-call counter (opts.tail_call_entry)
// opts.tail_call_entry (PROLOGUE_OFFSET): the kernel's tail calls BR here
// with their own frame up to this point built and their BPF stack freed:
//   bti j                       opts.ibt, with a tail-call entry
//   sub sp, sp, #stack_bytes    BPF stack [x25 - stack_bytes, x25)
// Classic programs are no tail-call target (entry 0): no counter, no bti j.
// bti and paciasp are hints: NOPs on a CPU without the feature. The stock
// JIT also sets x27 to its own stack base after the entry; no rule uses
// x27, so vjit leaves it as saved.
template <typename D>
void arm64_prologue(JitCtx<D> &c) {
	const uint32_t bytes = stack_bytes(c.opts.stack_depth);
	const uint32_t entry = c.opts.tail_call_entry;
	if (bytes >= (1u << 12)) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (c.opts.ibt)
		hint<D>(c, Hint::BTI_JC);
	mov_sp<D>(c, X9, LR);                       /* mov x9, lr */
	hint<D>(c, Hint::NOP);                      /* patched by trampolines */
	hint<D>(c, Hint::PACIASP);
	ldstp_x<D>(c, false, true, -2, FP, LR, SP);
	mov_sp<D>(c, FP, SP);
	for (unsigned i = 0; i < n_saved_pairs; i++)
		ldstp_x<D>(c, false, true, -2, saved_pairs[i][0], saved_pairs[i][1], SP);
	mov_sp<D>(c, X25, SP);
	if (entry) {
		using u16 = typename D::template BV<16>;
		move_wide<D>(c, true, MoveWide::MOVZ, 0, u16(0), typename D::template BV<5>(TAIL_CALL_CNT));
		if (D::concrete(c.here()) != entry) {  /* where the kernel's tail calls land */
			c.fail(LowerError::UNENCODABLE);
			return;
		}
		if (c.opts.ibt)
			hint<D>(c, Hint::BTI_J);
	}
	addsub_imm<D>(c, true, true, false, false, SP, SP, typename D::template BV<12>(bytes));
}

// Release the BPF stack, restore the callee-saved pairs and the frame
// record, return R0 in x0 through x30.
template <typename D>
void arm64_epilogue(JitCtx<D> &c) {
	const uint32_t bytes = stack_bytes(c.opts.stack_depth);
	addsub_imm<D>(c, true, false, false, false, SP, SP, typename D::template BV<12>(bytes & 0xfff));
	for (unsigned i = n_saved_pairs; i-- > 0;)
		ldstp_x<D>(c, true, false, 2, saved_pairs[i][0], saved_pairs[i][1], SP);
	ldstp_x<D>(c, true, false, 2, FP, LR, SP);
	mov_rr<D>(c, true, typename D::template BV<5>(X0), typename D::template BV<5>(X7));
	hint<D>(c, Hint::AUTIASP);
	ret<D>(c);
}

// ---- the table ----------------------------------------------------------------------

template <typename D>
inline constexpr Rule<D> arm64_rules[] = {
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
Table<D> arm64_table() {
	return Table<D>{arm64_rules<D>, sizeof(arm64_rules<D>) / sizeof(arm64_rules<D>[0])};
}

// The Arch type core/driver.h is instantiated with.
struct Arm64 {
	static constexpr const char *name = "arm64";
	// Bytes per BPF instruction assumed by the first pass (more than any
	// rule emits, so that sizes only shrink from there).
	static constexpr uint32_t initial_insn_bytes = 64;
	template <typename D>
	static Table<D> table() { return arm64_table<D>(); }
	template <typename D>
	static void prologue(JitCtx<D> &c) { arm64_prologue<D>(c); }
	template <typename D>
	static void epilogue(JitCtx<D> &c) { arm64_epilogue<D>(c); }
	// n bytes (whole instructions) that do nothing but fall through.
	template <typename D>
	static void pad(JitCtx<D> &c, uint32_t n) { arm64_nops<D>(c, n); }
};

} // namespace arm64
} // namespace vjit

#endif
