// SPDX-License-Identifier: GPL-2.0
// x86-64 instruction encoders: one small encoder per instruction form, named
// after the form, with the Intel SDM's field names (Vol. 2A, chapter 2:
// REX.W/R/X/B, ModRM.mod/reg/rm, SIB.scale/index/base). Each encoder appends
// the bytes of exactly one instruction to a JitCtx<D> and does nothing else.
//
// Operands are domain values: registers are BV<4> native register numbers
// (symbolic in the verifier), immediates and displacements BV<8/16/32/64>.
// Where the encoding depends on an operand (an optional REX prefix, a SIB
// byte, disp8 vs disp32) the choice is a named guard passed to D::when, so
// the verifier explores both forms and reports them by name.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_X86_64_ENCODE_H
#define VJIT_ARCH_X86_64_ENCODE_H

#include "core/jit.h"

namespace vjit {
namespace x86_64 {

// Operand size of a form: selects the 66h prefix, REX.W, or the byte
// opcode variant.
enum class Sz : uint8_t { B8, W16, D32, Q64 };

// The /digit of the group-1 ALU opcodes (80/81/83 /digit); also selects the
// opcode of the "op r/m, r" form (digit * 8 + 1).
enum class AluOp : uint8_t { ADD = 0, OR = 1, AND = 4, SUB = 5, XOR = 6, CMP = 7 };
// The /digit of the group-2 shift opcodes (C1/D3 /digit).
enum class ShiftOp : uint8_t { ROL = 0, SHL = 4, SHR = 5, SAR = 7 };
// Condition codes (the tttn field of Jcc/CMOVcc/SETcc, SDM Vol. 2 B.1.4.7).
enum class Cond : uint8_t {
	O = 0x0, NO = 0x1, B = 0x2, AE = 0x3, E = 0x4, NE = 0x5, BE = 0x6, A = 0x7,
	S = 0x8, NS = 0x9, P = 0xa, NP = 0xb, L = 0xc, GE = 0xd, LE = 0xe, G = 0xf,
};

// A memory operand [base + disp32]. A zero displacement is left out
// (ModRM.mod = 00) except for an rbp/r13 base, where mod 00 means
// RIP-relative; else disp8 or disp32 (mod 01/10). rsp/r12 as base need a
// SIB byte (guard needs_sib).
template <typename D>
struct Mem {
	typename D::template BV<4> base;
	typename D::template BV<32> disp;
};

// ---- guards -------------------------------------------------------------

// imm (32 bits) is the sign extension of its low byte.
template <typename D>
typename D::Bool fits_imm8(typename D::template BV<32> imm) {
	return sext<32>(trunc<8>(imm)) == imm;
}
// A register number that needs REX (r8-r15).
template <typename D>
typename D::Bool is_ext_reg(typename D::template BV<4> r) {
	return extract<3, 3>(r) == typename D::template BV<1>(1);
}
// A byte register that needs a REX prefix to mean spl/bpl/sil/dil rather
// than ah/ch/dh/bh (SDM Vol. 2A, 2.1.5 note to Table 2-2 / 3.1.1.1).
template <typename D>
typename D::Bool is_rex_byte_reg(typename D::template BV<4> r) {
	using u4 = typename D::template BV<4>;
	return (r & u4(0xc)) == u4(4);
}
// ModRM.rm = 100 with mod != 11 means "a SIB byte follows": rsp and r12
// as a base need an explicit SIB (base = rm, index = none).
template <typename D>
typename D::Bool base_needs_sib(typename D::template BV<4> base) {
	using u4 = typename D::template BV<4>;
	return (base & u4(7)) == u4(4);
}

// ---- fields ---------------------------------------------------------------

// REX = 0100WRXB (SDM Vol. 2A, 2.2.1.2).
template <typename D>
typename D::template BV<8> rex_byte(bool w, typename D::template BV<4> r,
				    typename D::template BV<4> x,
				    typename D::template BV<4> b) {
	using u8 = typename D::template BV<8>;
	return u8(0x40 | (w ? 8 : 0)) | ((zext<8>(r) >> u8(3)) << u8(2)) |
	       ((zext<8>(x) >> u8(3)) << u8(1)) | (zext<8>(b) >> u8(3));
}
// ModRM = mod(2) reg(3) rm(3) (SDM Vol. 2A, 2.1.5).
template <typename D>
typename D::template BV<8> modrm_byte(uint8_t mod, typename D::template BV<4> reg,
				      typename D::template BV<4> rm) {
	using u8 = typename D::template BV<8>;
	return u8(mod << 6) | ((zext<8>(reg) & u8(7)) << u8(3)) | (zext<8>(rm) & u8(7));
}
// SIB = scale(2) index(3) base(3); index = 100 (none), scale = 00.
template <typename D>
typename D::template BV<8> sib_byte_noindex(typename D::template BV<4> base) {
	using u8 = typename D::template BV<8>;
	return u8(0x20) | (zext<8>(base) & u8(7));
}

// ---- emission helpers shared by the encoders --------------------------------

template <typename D>
void put_imm8(JitCtx<D> &c, typename D::template BV<8> v) { c.emit8(v); }
template <typename D>
void put_imm16(JitCtx<D> &c, typename D::template BV<16> v) {
	c.emit8(extract<7, 0>(v));
	c.emit8(extract<15, 8>(v));
}
template <typename D>
void put_imm32(JitCtx<D> &c, typename D::template BV<32> v) {
	c.emit8(extract<7, 0>(v));
	c.emit8(extract<15, 8>(v));
	c.emit8(extract<23, 16>(v));
	c.emit8(extract<31, 24>(v));
}
template <typename D>
void put_imm64(JitCtx<D> &c, typename D::template BV<64> v) {
	put_imm32<D>(c, extract<31, 0>(v));
	put_imm32<D>(c, extract<63, 32>(v));
}

// Legacy prefix 66h for 16-bit forms, then REX where needed: always for
// REX.W, else when a field names r8-r15, or when a byte form's ModRM.reg
// names spl/bpl/sil/dil (only byte stores use byte registers here, always
// with a memory rm).
template <typename D>
void put_prefixes(JitCtx<D> &c, Sz sz, typename D::template BV<4> reg,
		  typename D::template BV<4> index, typename D::template BV<4> rm) {
	if (sz == Sz::W16)
		c.emit8(0x66);
	if (sz == Sz::Q64) {
		c.emit8(rex_byte<D>(true, reg, index, rm));
		return;
	}
	typename D::Bool need = is_ext_reg<D>(reg) || is_ext_reg<D>(index) || is_ext_reg<D>(rm);
	if (sz == Sz::B8)
		need = need || is_rex_byte_reg<D>(reg);
	if (D::when(need, "needs_rex"))
		c.emit8(rex_byte<D>(false, reg, index, rm));
}

// rbp or r13: ModRM.rm = 101, which mod 00 makes RIP-relative.
template <typename D>
typename D::Bool base_needs_disp(typename D::template BV<4> base) {
	using u4 = typename D::template BV<4>;
	return (base & u4(7)) == u4(5);
}

// ModRM (+SIB) (+disp8/disp32) of a memory operand.
template <typename D>
void put_modrm_mem(JitCtx<D> &c, typename D::template BV<4> reg, const Mem<D> &m) {
	using u32 = typename D::template BV<32>;
	const bool no_disp = D::when(m.disp == u32(0) && !base_needs_disp<D>(m.base), "no_disp");
	const bool disp8 = !no_disp && D::when(fits_imm8<D>(m.disp), "fits_disp8");
	c.emit8(modrm_byte<D>(no_disp ? 0 : disp8 ? 1 : 2, reg, m.base));
	if (D::when(base_needs_sib<D>(m.base), "needs_sib"))
		c.emit8(sib_byte_noindex<D>(m.base));
	if (no_disp)
		return;
	if (disp8)
		put_imm8<D>(c, trunc<8>(m.disp));
	else
		put_imm32<D>(c, m.disp);
}

// ---- register-register and register-immediate forms -------------------------

// ADD/OR/AND/SUB/XOR/CMP r/m, r (MR): 01/09/21/29/31/39 /r.  dst OP= src
template <typename D>
void alu_rr(JitCtx<D> &c, Sz sz, AluOp op, typename D::template BV<4> dst,
	    typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, src, 0, dst);
	c.emit8((uint8_t)((uint8_t)op * 8 + 1));
	c.emit8(modrm_byte<D>(3, src, dst));
}
// ADD/OR/AND/SUB/XOR/CMP r/m, imm8 (MI): 83 /digit ib, imm8 sign-extended.
template <typename D>
void alu_ri8(JitCtx<D> &c, Sz sz, AluOp op, typename D::template BV<4> dst,
	     typename D::template BV<8> imm) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0x83);
	c.emit8(modrm_byte<D>(3, (uint8_t)op, dst));
	put_imm8<D>(c, imm);
}
// ADD/OR/AND/SUB/XOR/CMP r/m, imm32 (MI): 81 /digit id (sign-extended
// to 64 bits under REX.W).
template <typename D>
void alu_ri32(JitCtx<D> &c, Sz sz, AluOp op, typename D::template BV<4> dst,
	      typename D::template BV<32> imm) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0x81);
	c.emit8(modrm_byte<D>(3, (uint8_t)op, dst));
	put_imm32<D>(c, imm);
}
// ADD/OR/AND/SUB/XOR/CMP eax/rax, imm32 (I): [REX.W] 05/0D/25/2D/35/3D id
// (sign-extended to 64 bits under REX.W): one byte shorter than 81 /digit.
template <typename D>
void alu_rax_i32(JitCtx<D> &c, Sz sz, AluOp op, typename D::template BV<32> imm) {
	if (sz == Sz::Q64)
		c.emit8(0x48);
	c.emit8((uint8_t)((uint8_t)op * 8 + 5));
	put_imm32<D>(c, imm);
}
// MOV r/m, r (MR): 89 /r.  dst = src (32-bit form zero-extends)
template <typename D>
void mov_rr(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
	    typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, src, 0, dst);
	c.emit8(0x89);
	c.emit8(modrm_byte<D>(3, src, dst));
}
// XCHG r/m, r (MR): 87 /r.  swap dst and src (no lock: register operands)
template <typename D>
void xchg_rr(JitCtx<D> &c, typename D::template BV<4> dst, typename D::template BV<4> src) {
	put_prefixes<D>(c, Sz::Q64, src, 0, dst);
	c.emit8(0x87);
	c.emit8(modrm_byte<D>(3, src, dst));
}
// TEST r/m, r (MR): 85 /r.  flags of dst & src
template <typename D>
void test_rr(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
	     typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, src, 0, dst);
	c.emit8(0x85);
	c.emit8(modrm_byte<D>(3, src, dst));
}
// TEST r/m, imm32 (MI): F7 /0 id.  flags of dst & imm
template <typename D>
void test_ri32(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
	       typename D::template BV<32> imm) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0xf7);
	c.emit8(modrm_byte<D>(3, 0, dst));
	put_imm32<D>(c, imm);
}
// MOV r32, imm32 (OI): B8+rd id.  dst = zext(imm)
template <typename D>
void mov_ri32(JitCtx<D> &c, typename D::template BV<4> dst,
	      typename D::template BV<32> imm) {
	using u8 = typename D::template BV<8>;
	put_prefixes<D>(c, Sz::D32, 0, 0, dst);
	c.emit8(u8(0xb8) | (zext<8>(dst) & u8(7)));
	put_imm32<D>(c, imm);
}
// MOV r/m64, imm32 (MI): REX.W C7 /0 id.  dst = sext(imm)
template <typename D>
void mov_ri32_sx(JitCtx<D> &c, typename D::template BV<4> dst,
		 typename D::template BV<32> imm) {
	put_prefixes<D>(c, Sz::Q64, 0, 0, dst);
	c.emit8(0xc7);
	c.emit8(modrm_byte<D>(3, 0, dst));
	put_imm32<D>(c, imm);
}
// MOV r64, imm64 (OI, "movabs"): REX.W B8+rd io.  dst = imm
template <typename D>
void mov_ri64(JitCtx<D> &c, typename D::template BV<4> dst,
	      typename D::template BV<64> imm) {
	using u8 = typename D::template BV<8>;
	put_prefixes<D>(c, Sz::Q64, 0, 0, dst);
	c.emit8(u8(0xb8) | (zext<8>(dst) & u8(7)));
	put_imm64<D>(c, imm);
}
// ROL/SHL/SHR/SAR r/m, imm8 (MI): C1 /digit ib (count masked to 5 or 6 bits).
template <typename D>
void shift_ri(JitCtx<D> &c, Sz sz, ShiftOp op, typename D::template BV<4> dst,
	      typename D::template BV<8> imm) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0xc1);
	c.emit8(modrm_byte<D>(3, (uint8_t)op, dst));
	put_imm8<D>(c, imm);
}
// ROL/SHL/SHR/SAR r/m, CL (MC): D3 /digit (count masked to 5 or 6 bits).
template <typename D>
void shift_rcl(JitCtx<D> &c, Sz sz, ShiftOp op, typename D::template BV<4> dst) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0xd3);
	c.emit8(modrm_byte<D>(3, (uint8_t)op, dst));
}
// NEG r/m (M): F7 /3.  dst = -dst
template <typename D>
void neg_r(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst) {
	put_prefixes<D>(c, sz, 0, 0, dst);
	c.emit8(0xf7);
	c.emit8(modrm_byte<D>(3, 3, dst));
}
// DIV r/m (M): F7 /6.  rax = rdx:rax / src, rdx = rdx:rax % src (unsigned;
// #DE if src == 0 or the quotient overflows).
template <typename D>
void div_r(JitCtx<D> &c, Sz sz, typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, 0, 0, src);
	c.emit8(0xf7);
	c.emit8(modrm_byte<D>(3, 6, src));
}
// IDIV r/m (M): F7 /7.  rax = rdx:rax / src, rdx = rdx:rax % src (signed,
// truncating; #DE if src == 0 or the quotient overflows: INT_MIN / -1).
template <typename D>
void idiv_r(JitCtx<D> &c, Sz sz, typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, 0, 0, src);
	c.emit8(0xf7);
	c.emit8(modrm_byte<D>(3, 7, src));
}
// CDQ / CQO (ZO): [REX.W] 99.  edx:eax / rdx:rax = sign extension of eax / rax
template <typename D>
void cqo(JitCtx<D> &c, Sz sz) {
	if (sz == Sz::Q64)
		c.emit8(0x48);
	c.emit8(0x99);
}
// MOVSX r32/r64, r/m8 (RM): [REX] 0F BE /r.  A byte operand numbered 4-7
// is spl..dil only with a REX prefix (ah..bh without).
template <typename D>
void movsx_rr8(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
	       typename D::template BV<4> src) {
	if (sz == Sz::Q64) {
		c.emit8(rex_byte<D>(true, dst, 0, src));
	} else {
		typename D::Bool need = is_ext_reg<D>(dst) || is_ext_reg<D>(src) || is_rex_byte_reg<D>(src);
		if (D::when(need, "needs_rex"))
			c.emit8(rex_byte<D>(false, dst, 0, src));
	}
	c.emit8(0x0f);
	c.emit8(0xbe);
	c.emit8(modrm_byte<D>(3, dst, src));
}
// MOVSX r32/r64, r/m16 (RM): [REX] 0F BF /r.
template <typename D>
void movsx_rr16(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
		typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, dst, 0, src);
	c.emit8(0x0f);
	c.emit8(0xbf);
	c.emit8(modrm_byte<D>(3, dst, src));
}
// MOVSXD r64, r/m32 (RM): REX.W 63 /r.
template <typename D>
void movsxd_rr(JitCtx<D> &c, typename D::template BV<4> dst, typename D::template BV<4> src) {
	put_prefixes<D>(c, Sz::Q64, dst, 0, src);
	c.emit8(0x63);
	c.emit8(modrm_byte<D>(3, dst, src));
}
// MOVSX r64, m8 / m16 (RM): REX.W 0F BE / BF /r; MOVSXD r64, m32: REX.W 63 /r.
template <typename D>
void movsx_rm(JitCtx<D> &c, Sz from, typename D::template BV<4> dst, const Mem<D> &m) {
	put_prefixes<D>(c, Sz::Q64, dst, 0, m.base);
	if (from == Sz::D32) {
		c.emit8(0x63);
	} else {
		c.emit8(0x0f);
		c.emit8(from == Sz::B8 ? 0xbe : 0xbf);
	}
	put_modrm_mem<D>(c, dst, m);
}
// IMUL r, r/m (RM): 0F AF /r.  dst = low half of dst * src
template <typename D>
void imul_rr(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
	     typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, dst, 0, src);
	c.emit8(0x0f);
	c.emit8(0xaf);
	c.emit8(modrm_byte<D>(3, dst, src));
}
// IMUL r, r/m, imm32 (RMI): 69 /r id.  dst = low half of src * sext(imm)
template <typename D>
void imul_rri32(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst,
		typename D::template BV<4> src, typename D::template BV<32> imm) {
	put_prefixes<D>(c, sz, dst, 0, src);
	c.emit8(0x69);
	c.emit8(modrm_byte<D>(3, dst, src));
	put_imm32<D>(c, imm);
}
// MOVZX r32, r/m16 (RM): 0F B7 /r.  dst = zext(src[15:0])
template <typename D>
void movzx_rr16(JitCtx<D> &c, typename D::template BV<4> dst,
		typename D::template BV<4> src) {
	put_prefixes<D>(c, Sz::D32, dst, 0, src);
	c.emit8(0x0f);
	c.emit8(0xb7);
	c.emit8(modrm_byte<D>(3, dst, src));
}
// BSWAP r32/r64 (O): 0F C8+rd.
template <typename D>
void bswap_r(JitCtx<D> &c, Sz sz, typename D::template BV<4> r) {
	using u8 = typename D::template BV<8>;
	put_prefixes<D>(c, sz, 0, 0, r);
	c.emit8(0x0f);
	c.emit8(u8(0xc8) | (zext<8>(r) & u8(7)));
}
// CMOVcc r, r/m (RM): 0F 40+cc /r.  if cc: dst = src (32-bit form always
// zero-extends dst)
template <typename D>
void cmov_rr(JitCtx<D> &c, Sz sz, Cond cc, typename D::template BV<4> dst,
	     typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, dst, 0, src);
	c.emit8(0x0f);
	c.emit8((uint8_t)(0x40 + (uint8_t)cc));
	c.emit8(modrm_byte<D>(3, dst, src));
}

// ---- memory forms ---------------------------------------------------------

// MOVZX r32, m8 (RM): 0F B6 /r.  dst = zext(*(u8 *)m)
template <typename D>
void movzx_rm8(JitCtx<D> &c, typename D::template BV<4> dst, const Mem<D> &m) {
	put_prefixes<D>(c, Sz::D32, dst, 0, m.base);
	c.emit8(0x0f);
	c.emit8(0xb6);
	put_modrm_mem<D>(c, dst, m);
}
// MOVZX r32, m16 (RM): 0F B7 /r.  dst = zext(*(u16 *)m)
template <typename D>
void movzx_rm16(JitCtx<D> &c, typename D::template BV<4> dst, const Mem<D> &m) {
	put_prefixes<D>(c, Sz::D32, dst, 0, m.base);
	c.emit8(0x0f);
	c.emit8(0xb7);
	put_modrm_mem<D>(c, dst, m);
}
// MOV r32/r64, m (RM): 8B /r.  dst = *m (32-bit form zero-extends)
template <typename D>
void mov_rm(JitCtx<D> &c, Sz sz, typename D::template BV<4> dst, const Mem<D> &m) {
	put_prefixes<D>(c, sz, dst, 0, m.base);
	c.emit8(0x8b);
	put_modrm_mem<D>(c, dst, m);
}
// MOV m, r (MR): 88 /r (byte), [66] 89 /r.  *m = src
template <typename D>
void mov_mr(JitCtx<D> &c, Sz sz, const Mem<D> &m, typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, src, 0, m.base);
	c.emit8(sz == Sz::B8 ? 0x88 : 0x89);
	put_modrm_mem<D>(c, src, m);
}
// MOV m, imm (MI): C6 /0 ib, 66 C7 /0 iw, C7 /0 id, REX.W C7 /0 id
// (sign-extended).  *m = imm
template <typename D>
void mov_mi(JitCtx<D> &c, Sz sz, const Mem<D> &m, typename D::template BV<32> imm) {
	put_prefixes<D>(c, sz, 0, 0, m.base);
	c.emit8(sz == Sz::B8 ? 0xc6 : 0xc7);
	put_modrm_mem<D>(c, 0, m);
	if (sz == Sz::B8)
		put_imm8<D>(c, trunc<8>(imm));
	else if (sz == Sz::W16)
		put_imm16<D>(c, trunc<16>(imm));
	else
		put_imm32<D>(c, imm);
}
// LEA r64, m (RM): REX.W 8D /r.  dst = address of m
template <typename D>
void lea_rm(JitCtx<D> &c, typename D::template BV<4> dst, const Mem<D> &m) {
	put_prefixes<D>(c, Sz::Q64, dst, 0, m.base);
	c.emit8(0x8d);
	put_modrm_mem<D>(c, dst, m);
}
// LOCK ADD/OR/AND/XOR m, r (MR): F0 01/09/21/31 /r.  *m OP= src, atomically
template <typename D>
void lock_alu_mr(JitCtx<D> &c, Sz sz, AluOp op, const Mem<D> &m,
		 typename D::template BV<4> src) {
	c.emit8(0xf0);
	put_prefixes<D>(c, sz, src, 0, m.base);
	c.emit8((uint8_t)((uint8_t)op * 8 + 1));
	put_modrm_mem<D>(c, src, m);
}
// LOCK XADD m, r (MR): F0 0F C1 /r.  tmp = *m; *m += src; src = tmp
template <typename D>
void lock_xadd_mr(JitCtx<D> &c, Sz sz, const Mem<D> &m, typename D::template BV<4> src) {
	c.emit8(0xf0);
	put_prefixes<D>(c, sz, src, 0, m.base);
	c.emit8(0x0f);
	c.emit8(0xc1);
	put_modrm_mem<D>(c, src, m);
}
// XCHG m, r (MR): 87 /r (locked implicitly).  swap *m and src
template <typename D>
void xchg_mr(JitCtx<D> &c, Sz sz, const Mem<D> &m, typename D::template BV<4> src) {
	put_prefixes<D>(c, sz, src, 0, m.base);
	c.emit8(0x87);
	put_modrm_mem<D>(c, src, m);
}
// LOCK CMPXCHG m, r (MR): F0 0F B1 /r.  if *m == rax: *m = src, ZF = 1;
// else rax = *m, ZF = 0 (32-bit form: eax, and rax's upper half is only
// cleared when eax is written, i.e. on failure)
template <typename D>
void lock_cmpxchg_mr(JitCtx<D> &c, Sz sz, const Mem<D> &m, typename D::template BV<4> src) {
	c.emit8(0xf0);
	put_prefixes<D>(c, sz, src, 0, m.base);
	c.emit8(0x0f);
	c.emit8(0xb1);
	put_modrm_mem<D>(c, src, m);
}

// ---- control flow ---------------------------------------------------------

// Jcc rel8 (D): 70+cc cb.  rel is from the end of the instruction.
template <typename D>
void jcc_rel8(JitCtx<D> &c, Cond cc, typename D::template BV<8> rel) {
	c.emit8((uint8_t)(0x70 + (uint8_t)cc));
	put_imm8<D>(c, rel);
}
// Jcc rel32 (D): 0F 80+cc cd.
template <typename D>
void jcc_rel32(JitCtx<D> &c, Cond cc, typename D::template BV<32> rel) {
	c.emit8(0x0f);
	c.emit8((uint8_t)(0x80 + (uint8_t)cc));
	put_imm32<D>(c, rel);
}
// JMP rel8 (D): EB cb.
template <typename D>
void jmp_rel8(JitCtx<D> &c, typename D::template BV<8> rel) {
	c.emit8(0xeb);
	put_imm8<D>(c, rel);
}
// JMP rel32 (D): E9 cd.
template <typename D>
void jmp_rel32(JitCtx<D> &c, typename D::template BV<32> rel) {
	c.emit8(0xe9);
	put_imm32<D>(c, rel);
}
// CALL rel32 (D): E8 cd.
template <typename D>
void call_rel32(JitCtx<D> &c, typename D::template BV<32> rel) {
	c.emit8(0xe8);
	put_imm32<D>(c, rel);
}
// RET (ZO): C3.
template <typename D>
void ret(JitCtx<D> &c) { c.emit8(0xc3); }
// INT3 (ZO): CC.  (after ret: stops straight-line speculation)
template <typename D>
void int3(JitCtx<D> &c) { c.emit8(0xcc); }
// LFENCE (ZO): 0F AE E8.  (BPF_NOSPEC: no load runs ahead of it)
template <typename D>
void lfence(JitCtx<D> &c) {
	c.emit8(0x0f);
	c.emit8(0xae);
	c.emit8(0xe8);
}
// IBHF (ZO): F3 REX.W 0F 1E F8.  Indirect branch history fence (Spectre
// BHI); the REP and REX.W prefixes are part of its encoding, and it is a
// NOP on CPUs without it.
template <typename D>
void ibhf(JitCtx<D> &c) {
	c.emit8(0xf3);
	c.emit8(0x48);
	c.emit8(0x0f);
	c.emit8(0x1e);
	c.emit8(0xf8);
}
// ENDBR64 (ZO): F3 0F 1E FA.  CET IBT: the only instruction an indirect
// call or jump may land on; a NOP on CPUs without IBT.
template <typename D>
void endbr64(JitCtx<D> &c) {
	c.emit8(0xf3);
	c.emit8(0x0f);
	c.emit8(0x1e);
	c.emit8(0xfa);
}
// LEAVE (ZO): C9.  rsp = rbp; pop rbp
template <typename D>
void leave(JitCtx<D> &c) { c.emit8(0xc9); }
// PUSH r64 (O): [REX.B] 50+rd.
template <typename D>
void push_r(JitCtx<D> &c, typename D::template BV<4> r) {
	using u8 = typename D::template BV<8>;
	put_prefixes<D>(c, Sz::D32, 0, 0, r);
	c.emit8(u8(0x50) | (zext<8>(r) & u8(7)));
}
// POP r64 (O): [REX.B] 58+rd.
template <typename D>
void pop_r(JitCtx<D> &c, typename D::template BV<4> r) {
	using u8 = typename D::template BV<8>;
	put_prefixes<D>(c, Sz::D32, 0, 0, r);
	c.emit8(u8(0x58) | (zext<8>(r) & u8(7)));
}
// Multi-byte NOP of exactly n bytes, n in {1, 3, 4, 5, 7, 8}: 90, or
// NOP r/m32 (0F 1F /0) with [rax], [rax + disp8], [rax + rax*1 + disp8],
// [rax + disp32], [rax + rax*1 + disp32] (SDM Vol. 2B, NOP, Table 4-12).
constexpr bool nop_len_ok(unsigned n) {
	return n == 1 || n == 3 || n == 4 || n == 5 || n == 7 || n == 8;
}
template <typename D>
void nop_n(JitCtx<D> &c, unsigned n) {
	if (n == 1) {
		c.emit8(0x90);
		return;
	}
	c.emit8(0x0f);
	c.emit8(0x1f);
	const bool sib = n == 5 || n == 8;
	const bool disp32 = n >= 7;
	const unsigned mod = n == 3 ? 0 : disp32 ? 2 : 1;
	c.emit8((uint8_t)(mod << 6 | (sib ? 4 : 0)));  // reg = /0, rm = rax or SIB
	if (sib)
		c.emit8(0x00);  // scale 1, index rax, base rax
	for (unsigned i = 0; mod != 0 && i < (disp32 ? 4u : 1u); i++)
		c.emit8(0x00);
}
// NOP DWORD [rax + rax*1 + 0]: the 5-byte NOP the kernel patches at entry.
template <typename D>
void nop5(JitCtx<D> &c) { nop_n<D>(c, 5); }

} // namespace x86_64
} // namespace vjit

#endif
