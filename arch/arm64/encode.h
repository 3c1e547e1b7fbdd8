// SPDX-License-Identifier: GPL-2.0
// A64 instruction encoders: one pure encoder per instruction form, named
// after the form, with the Arm ARM's field names (DDI 0487, C4.1: sf, opc,
// S, shift, N, immr, imms, hw, imm12, imm16, imm19, imm26, Rd, Rn, Rm, Ra,
// Rt, Rs, cond, size, A, R, o0, o3). Each encoder appends exactly one
// 32-bit word to a JitCtx<D> (emit32, little endian) and does nothing else.
//
// What a form cannot encode is a named predicate (fits_*); the lowering
// guards on it with D::when, so the verifier explores both sides and
// reports them by name. No encoder takes a value it would have to truncate
// silently: its fields have the field's width.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_ARM64_ENCODE_H
#define VJIT_ARCH_ARM64_ENCODE_H

#include "core/jit.h"

namespace vjit {
namespace arm64 {

// Register number 31: XZR/WZR in data-processing fields, SP as a
// load/store base and in ADD/SUB (immediate).
constexpr uint8_t ZR = 31;

// Condition codes (Arm ARM C1.2.4), the cond field of B.cond.
enum class Cond : uint8_t {
	EQ = 0x0, NE = 0x1, HS = 0x2, LO = 0x3, MI = 0x4, PL = 0x5, VS = 0x6, VC = 0x7,
	HI = 0x8, LS = 0x9, GE = 0xa, LT = 0xb, GT = 0xc, LE = 0xd, AL = 0xe,
};
// The inverse condition (cond<0> flipped), for a B.cond over a B.
constexpr Cond invert(Cond c) { return (Cond)((uint8_t)c ^ 1); }

// Load/store access size: the size field (log2 of the bytes).
enum class Size : uint8_t { B = 0, H = 1, W = 2, X = 3 };

#define VJIT_A64_TYPES(D)                                        \
	VJIT_DOMAIN_TYPES(D);                                    \
	using u5 [[maybe_unused]] = typename D::template BV<5>;  \
	using u6 [[maybe_unused]] = typename D::template BV<6>;  \
	using u9 [[maybe_unused]] = typename D::template BV<9>;  \
	using u12 [[maybe_unused]] = typename D::template BV<12>; \
	using u19 [[maybe_unused]] = typename D::template BV<19>; \
	using u26 [[maybe_unused]] = typename D::template BV<26>

// A field of width W placed at bit lsb of an instruction word.
template <typename D, unsigned W>
typename D::template BV<32> fld(typename D::template BV<W> v, unsigned lsb) {
	using u32 = typename D::template BV<32>;
	return zext<32>(v) << u32(lsb);
}

// ---- predicates: what a form can encode -------------------------------------

// ADD/SUB (immediate): imm12, unshifted (sh = 0) ...
template <typename D>
typename D::Bool fits_imm12(typename D::template BV<64> v) {
	return ult(v, typename D::template BV<64>(1u << 12));
}
// ... or shifted left by 12 (sh = 1).
template <typename D>
typename D::Bool fits_imm12_lsl12(typename D::template BV<64> v) {
	using u64 = typename D::template BV<64>;
	return (v & u64(0xfff)) == u64(0) && ult(v, u64(1u << 24));
}
// MOVZ/MOVN/MOVK: 16-bit chunk k of v (hw = k).
template <typename D>
typename D::template BV<16> chunk16(typename D::template BV<64> v, unsigned k) {
	return trunc<16>(v >> typename D::template BV<64>(16 * k));
}
// LDR/STR (unsigned immediate): off = imm12 << size, imm12 < 4096.
template <typename D>
typename D::Bool fits_scaled_offset(typename D::template BV<16> off, Size sz) {
	using u16 = typename D::template BV<16>;
	const unsigned s = (unsigned)sz;
	return sge(off, u16(0)) && (off & u16((1u << s) - 1)) == u16(0) &&
	       ult(off >> u16(s), u16(1u << 12));
}
// LDUR/STUR: a signed 9-bit byte offset.
template <typename D>
typename D::Bool fits_simm9(typename D::template BV<16> off) {
	return sext<16>(trunc<9>(off)) == off;
}
// B.cond / CBZ / CBNZ: a byte displacement of imm19 words (+-1 MiB).
template <typename D>
typename D::Bool fits_imm19(typename D::template BV<32> disp) {
	return sext<32>(trunc<21>(disp)) == disp;
}
// B / BL: a byte displacement of imm26 words (+-128 MiB).
template <typename D>
typename D::Bool fits_imm26(typename D::template BV<32> disp) {
	return sext<32>(trunc<28>(disp)) == disp;
}

// ---- data processing: registers ---------------------------------------------

// ADD/SUB/ADDS/SUBS (shifted register, LSL #0): sf op S 01011 00 0 Rm
// imm6=0 Rn Rd.  Rd = Rn +/- Rm (31 is XZR).
template <typename D>
void addsub_reg(JitCtx<D> &c, bool sf, bool op, bool S, typename D::template BV<5> Rd,
		typename D::template BV<5> Rn, typename D::template BV<5> Rm) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | ((uint32_t)op << 30) | ((uint32_t)S << 29) | 0x0b000000u) |
		 fld<D, 5>(Rm, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// AND/ORR/EOR/ANDS (shifted register, LSL #0): sf opc 01010 00 N Rm
// imm6=0 Rn Rd. opc: 0 AND, 1 ORR, 2 EOR, 3 ANDS; N = 1 inverts Rm (BIC,
// ORN, EON, BICS).
enum class LogicOp : uint8_t { AND = 0, ORR = 1, EOR = 2, ANDS = 3 };
template <typename D>
void logic_reg(JitCtx<D> &c, bool sf, LogicOp opc, typename D::template BV<5> Rd,
	       typename D::template BV<5> Rn, typename D::template BV<5> Rm, bool N = false) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | ((uint32_t)opc << 29) | 0x0a000000u | ((uint32_t)N << 21)) |
		 fld<D, 5>(Rm, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// Data-processing (2 source): sf 0 0 11010110 Rm opcode Rn Rd.
enum class Dp2 : uint8_t { UDIV = 0x02, SDIV = 0x03, LSLV = 0x08, LSRV = 0x09, ASRV = 0x0a };
template <typename D>
void dp2(JitCtx<D> &c, bool sf, Dp2 opcode, typename D::template BV<5> Rd,
	 typename D::template BV<5> Rn, typename D::template BV<5> Rm) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | 0x1ac00000u | ((uint32_t)opcode << 10)) |
		 fld<D, 5>(Rm, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// MADD/MSUB: sf 00 11011 000 Rm o0 Ra Rn Rd.  Rd = Ra +/- Rn * Rm.
template <typename D>
void madd_msub(JitCtx<D> &c, bool sf, bool o0, typename D::template BV<5> Rd,
	       typename D::template BV<5> Rn, typename D::template BV<5> Rm,
	       typename D::template BV<5> Ra) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | 0x1b000000u | ((uint32_t)o0 << 15)) |
		 fld<D, 5>(Rm, 16) | fld<D, 5>(Ra, 10) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// Data-processing (1 source): sf 1 0 11010110 00000 opcode Rn Rd.
// REV16 = 1, REV32 (sf = 1) / REV (sf = 0) = 2, REV (sf = 1) = 3.
template <typename D>
void dp1(JitCtx<D> &c, bool sf, uint8_t opcode, typename D::template BV<5> Rd,
	 typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | 0x5ac00000u | ((uint32_t)opcode << 10)) |
		 fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}

// ---- data processing: immediates --------------------------------------------

// ADD/SUB/ADDS/SUBS (immediate): sf op S 100010 sh imm12 Rn Rd. Rn and
// (unless S) Rd may be SP (31).
template <typename D>
void addsub_imm(JitCtx<D> &c, bool sf, bool op, bool S, bool sh, typename D::template BV<5> Rd,
		typename D::template BV<5> Rn, typename D::template BV<12> imm12) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | ((uint32_t)op << 30) | ((uint32_t)S << 29) | 0x11000000u |
		     ((uint32_t)sh << 22)) |
		 fld<D, 12>(imm12, 10) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// SBFM/UBFM (bitfield move): sf opc 100110 N immr imms Rn Rd, N = sf.
// opc: 0 SBFM, 2 UBFM.  Shifts by an immediate and sign/zero extensions.
template <typename D>
void bitfield(JitCtx<D> &c, bool sf, bool unsigned_, typename D::template BV<6> immr,
	      typename D::template BV<6> imms, typename D::template BV<5> Rd,
	      typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | ((unsigned_ ? 2u : 0u) << 29) | 0x13000000u | ((uint32_t)sf << 22)) |
		 fld<D, 6>(immr, 16) | fld<D, 6>(imms, 10) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rd, 0));
}
// MOVN/MOVZ/MOVK (move wide immediate): sf opc 100101 hw imm16 Rd.
enum class MoveWide : uint8_t { MOVN = 0, MOVZ = 2, MOVK = 3 };
template <typename D>
void move_wide(JitCtx<D> &c, bool sf, MoveWide opc, unsigned hw, typename D::template BV<16> imm16,
	       typename D::template BV<5> Rd) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | ((uint32_t)opc << 29) | 0x12800000u | (hw << 21)) |
		 fld<D, 16>(imm16, 5) | fld<D, 5>(Rd, 0));
}

// ---- loads and stores ---------------------------------------------------------

// Load/store kinds: the opc field of the register forms (size 111 V=0 ...).
// STR = 0, LDR (zero-extending) = 1, LDRS to 64 bits = 2.
enum class LdSt : uint8_t { STR = 0, LDR = 1, LDRS = 2 };
// LDR/STR (unsigned immediate): size 111 0 01 opc imm12 Rn Rt; the byte
// offset is imm12 << size. Rn may be SP.
template <typename D>
void ldst_uimm(JitCtx<D> &c, Size size, LdSt opc, typename D::template BV<5> Rt,
	       typename D::template BV<5> Rn, typename D::template BV<12> imm12) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)size << 30) | 0x39000000u | ((uint32_t)opc << 22)) |
		 fld<D, 12>(imm12, 10) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// LDUR/STUR (unscaled immediate): size 111 0 00 opc 0 imm9 00 Rn Rt.
template <typename D>
void ldst_simm9(JitCtx<D> &c, Size size, LdSt opc, typename D::template BV<5> Rt,
		typename D::template BV<5> Rn, typename D::template BV<9> imm9) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)size << 30) | 0x38000000u | ((uint32_t)opc << 22)) |
		 fld<D, 9>(imm9, 12) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// LDR/STR (register, option = LSL/UXTX 011, S = 0): size 111 0 00 opc 1
// Rm 011 0 10 Rn Rt.  address = Rn + Rm.
template <typename D>
void ldst_reg(JitCtx<D> &c, Size size, LdSt opc, typename D::template BV<5> Rt,
	      typename D::template BV<5> Rn, typename D::template BV<5> Rm) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)size << 30) | 0x38206800u | ((uint32_t)opc << 22)) |
		 fld<D, 5>(Rm, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// STP/LDP (64-bit, pre-index for STP, post-index for LDP), imm7 in units of
// 8: opc=10 101 0 0 idx L imm7 Rt2 Rn Rt; idx 011 pre, 001 post.
template <typename D>
void ldstp_x(JitCtx<D> &c, bool L, bool pre, int imm7, uint8_t Rt, uint8_t Rt2, uint8_t Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(0xa8000000u | ((pre ? 3u : 1u) << 23) | ((uint32_t)L << 22) |
		     (((uint32_t)imm7 & 0x7f) << 15) | ((uint32_t)Rt2 << 10) | ((uint32_t)Rn << 5) | Rt));
}

// ---- atomics --------------------------------------------------------------------

// LSE atomic memory operations (FEAT_LSE): size 111 0 00 A R 1 Rs o3 opc
// 00 Rn Rt. o3 = 0: LDADD (opc 0), LDCLR (1), LDEOR (2), LDSET (3); o3 = 1,
// opc = 0: SWP. Rt = old value, Rs = operand; A/R: acquire/release.
enum class AtomicOp : uint8_t { ADD = 0, CLR = 1, EOR = 2, SET = 3, SWP = 8 };
template <typename D>
void lse_atomic(JitCtx<D> &c, bool sf, AtomicOp op, bool A, bool R, typename D::template BV<5> Rs,
		typename D::template BV<5> Rt, typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	const uint32_t o3_opc = (uint32_t)op;
	c.emit32(u32(((sf ? 3u : 2u) << 30) | 0x38200000u | ((uint32_t)A << 23) | ((uint32_t)R << 22) |
		     (o3_opc << 12)) |
		 fld<D, 5>(Rs, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// CAS/CASA/CASL/CASAL: size 001000 1 L 1 Rs o0 11111 Rn Rt. Compares
// [Rn] with Rs, stores Rt if equal; Rs gets the old value. L: acquire, o0:
// release.
template <typename D>
void cas(JitCtx<D> &c, bool sf, bool L, bool o0, typename D::template BV<5> Rs,
	 typename D::template BV<5> Rt, typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((sf ? 3u : 2u) << 30) | 0x08a07c00u | ((uint32_t)L << 22) | ((uint32_t)o0 << 15)) |
		 fld<D, 5>(Rs, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// LDXR: size 001000 0 1 0 11111 0 11111 Rn Rt.
template <typename D>
void ldxr(JitCtx<D> &c, bool sf, typename D::template BV<5> Rt, typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((sf ? 3u : 2u) << 30) | 0x085f7c00u) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// STXR/STLXR: size 001000 0 0 0 Rs o0 11111 Rn Rt; Ws = 0 on success.
template <typename D>
void stxr(JitCtx<D> &c, bool sf, bool o0, typename D::template BV<5> Rs,
	  typename D::template BV<5> Rt, typename D::template BV<5> Rn) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((sf ? 3u : 2u) << 30) | 0x08007c00u | ((uint32_t)o0 << 15)) |
		 fld<D, 5>(Rs, 16) | fld<D, 5>(Rn, 5) | fld<D, 5>(Rt, 0));
}
// DMB ISH: a full barrier in the inner shareable domain.
template <typename D>
void dmb_ish(JitCtx<D> &c) { c.emit32(typename D::template BV<32>(0xd5033bbfu)); }
// DSB NSH; ISB: the speculation barrier of cores without FEAT_SB (no
// later instruction executes, even speculatively, before it completes).
template <typename D>
void dsb_nsh(JitCtx<D> &c) { c.emit32(typename D::template BV<32>(0xd503379fu)); }
template <typename D>
void isb(JitCtx<D> &c) { c.emit32(typename D::template BV<32>(0xd5033fdfu)); }

// ---- branches -------------------------------------------------------------------

// B.cond: 0101010 0 imm19 0 cond; the target is here + imm19 * 4.
template <typename D>
void b_cond(JitCtx<D> &c, Cond cond, typename D::template BV<19> imm19) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(0x54000000u | (uint32_t)cond) | fld<D, 19>(imm19, 5));
}
// B / BL: op 00101 imm26.
template <typename D>
void b_imm(JitCtx<D> &c, bool link, typename D::template BV<26> imm26) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(link ? 0x94000000u : 0x14000000u) | fld<D, 26>(imm26, 0));
}
// CBZ/CBNZ: sf 011010 op imm19 Rt.
template <typename D>
void cb(JitCtx<D> &c, bool sf, bool nonzero, typename D::template BV<19> imm19,
	typename D::template BV<5> Rt) {
	using u32 = typename D::template BV<32>;
	c.emit32(u32(((uint32_t)sf << 31) | 0x34000000u | ((uint32_t)nonzero << 24)) |
		 fld<D, 19>(imm19, 5) | fld<D, 5>(Rt, 0));
}
// BLR / RET (unconditional branch, register): 1101011 0 0 op 11111 0000 0 0 Rn 00000.
template <typename D>
void blr(JitCtx<D> &c, uint8_t Rn) { c.emit32(typename D::template BV<32>(0xd63f0000u | ((uint32_t)Rn << 5))); }
template <typename D>
void ret(JitCtx<D> &c) { c.emit32(typename D::template BV<32>(0xd65f03c0u)); }

// ---- hints (architectural NOPs where the feature is absent) ----------------------

// HINT #op2:CRm: NOP (0), PACIASP (25), AUTIASP (29), BTI c (34), BTI j
// (36), BTI jc (38).
enum class Hint : uint8_t { NOP = 0, PACIASP = 25, AUTIASP = 29, BTI_C = 34, BTI_J = 36, BTI_JC = 38 };
template <typename D>
void hint(JitCtx<D> &c, Hint h) {
	c.emit32(typename D::template BV<32>(0xd503201fu | ((uint32_t)h << 5)));
}

// ---- aliases the lowering and the Linux JIT speak in ------------------------------

// MOV Rd, Rm = ORR Rd, ZR, Rm (sf = 0 zero-extends).
template <typename D>
void mov_rr(JitCtx<D> &c, bool sf, typename D::template BV<5> Rd, typename D::template BV<5> Rm) {
	logic_reg<D>(c, sf, LogicOp::ORR, Rd, typename D::template BV<5>(ZR), Rm);
}
// MOV Rd, SP / MOV SP, Rn = ADD (immediate) #0.
template <typename D>
void mov_sp(JitCtx<D> &c, uint8_t Rd, uint8_t Rn) {
	addsub_imm<D>(c, true, false, false, false, Rd, Rn, 0);
}
// CMP Rn, Rm = SUBS ZR, Rn, Rm;  TST Rn, Rm = ANDS ZR, Rn, Rm.
template <typename D>
void cmp_rr(JitCtx<D> &c, bool sf, typename D::template BV<5> Rn, typename D::template BV<5> Rm) {
	addsub_reg<D>(c, sf, true, true, typename D::template BV<5>(ZR), Rn, Rm);
}
template <typename D>
void tst_rr(JitCtx<D> &c, bool sf, typename D::template BV<5> Rn, typename D::template BV<5> Rm) {
	logic_reg<D>(c, sf, LogicOp::ANDS, typename D::template BV<5>(ZR), Rn, Rm);
}

} // namespace arm64
} // namespace vjit

#endif
