// SPDX-License-Identifier: GPL-2.0
// The x86-64 codegen table: one Rule per BPF opcode (and per imm for END and
// atomics), each lowering one instruction with the encoders of encode.h.
//
// Conventions every rule follows (the state relation of the proofs):
//   - BPF register r lives in native_reg(r) (target.h) before and after;
//   - r9, r11, r12 are scratch inside a rule; flags are dead between rules;
//   - rbp = R10 and rsp are never changed by a rule (sequences are
//     balanced: no push/pop inside rules);
//   - ALU32 results are zero-extended (32-bit forms do it natively);
//   - control leaves a rule at its end (fall-through) or at
//     insn_addr(target) / epilogue_addr().
//
// Guards are named (D::when(..., "fits_imm8")) so the verifier splits on
// them; the names it reports are the ones in this file and in encode.h.
//
// Freestanding: no exceptions, no heap, no statics.
#ifndef VJIT_ARCH_X86_64_LOWER_H
#define VJIT_ARCH_X86_64_LOWER_H

#include "arch/x86_64/encode.h"
#include "arch/x86_64/target.h"

namespace vjit {
namespace x86_64 {

// ---- guards (beyond those of encode.h) ----------------------------------

// v (64 bits) is the sign extension of its low 32 bits.
template <typename D>
typename D::Bool fits_simm32(typename D::template BV<64> v) {
	return sext<64>(trunc<32>(v)) == v;
}
// v (64 bits) is the zero extension of its low 32 bits.
template <typename D>
typename D::Bool fits_uimm32(typename D::template BV<64> v) {
	return zext<64>(trunc<32>(v)) == v;
}

// ---- small multi-form helpers (choose a form, emit it) ------------------

// dst OP= imm: the imm8 form when the immediate fits, else imm32 (the
// short form when dst is rax).
template <typename D>
void alu_ri(JitCtx<D> &c, Sz sz, AluOp op, typename D::template BV<4> dst,
	    typename D::template BV<32> imm) {
	using u4 = typename D::template BV<4>;
	if (D::when(fits_imm8<D>(imm), "fits_imm8"))
		alu_ri8<D>(c, sz, op, dst, trunc<8>(imm));
	else if (D::when(dst == u4(RAX), "dst_is_rax"))
		alu_rax_i32<D>(c, sz, op, imm);
	else
		alu_ri32<D>(c, sz, op, dst, imm);
}

// dst = zext(imm): xor r32, r32 for 0 (flags are dead between rules),
// else mov r32, imm32.
template <typename D>
void mov_ri32_or_zero(JitCtx<D> &c, typename D::template BV<4> dst, typename D::template BV<32> imm) {
	using u32 = typename D::template BV<32>;
	if (D::when(imm == u32(0), "imm_zero"))
		alu_rr<D>(c, Sz::D32, AluOp::XOR, dst, dst);
	else
		mov_ri32<D>(c, dst, imm);
}

// Jump (cc, or always when `always`) to native offset `target`: rel8 when
// the displacement from the end of the 2-byte form fits, else rel32
// (jmp: 5 bytes, jcc: 6). Displacements are relative to the end of the
// jump instruction (SDM Vol. 2A, Jcc: "relative to the next instruction").
template <typename D>
void jump_to(JitCtx<D> &c, bool always, Cond cc, typename D::template BV<32> target) {
	using u32 = typename D::template BV<32>;
	u32 rel8 = target - (c.here() + u32(2));
	if (D::when(fits_imm8<D>(rel8), "fits_rel8")) {
		if (always)
			jmp_rel8<D>(c, trunc<8>(rel8));
		else
			jcc_rel8<D>(c, cc, trunc<8>(rel8));
		return;
	}
	u32 rel32 = target - (c.here() + u32(always ? 5 : 6));
	if (always)
		jmp_rel32<D>(c, rel32);
	else
		jcc_rel32<D>(c, cc, rel32);
}

// Jump to BPF instruction `target` (the epilogue at epilogue_idx()):
// nothing when it is the next one (the code falls through to it).
template <typename D>
void jump_to_insn(JitCtx<D> &c, bool always, Cond cc, typename D::template BV<32> target) {
	using u32 = typename D::template BV<32>;
	if (D::when(target == c.idx() + u32(1), "jump_to_next"))
		return;
	jump_to<D>(c, always, cc, c.insn_addr(target));
}

// [base + sext(off)]
template <typename D>
Mem<D> mem_at(typename D::template BV<4> base, typename D::template BV<16> off) {
	return Mem<D>{base, sext<32>(off)};
}

constexpr Sz alu_size(uint8_t code) {
	return bpf::cls(code) == bpf::ALU64 || bpf::cls(code) == bpf::JMP ? Sz::Q64 : Sz::D32;
}
constexpr Sz mem_size(uint8_t code) {
	return bpf::size(code) == bpf::B ? Sz::B8 : bpf::size(code) == bpf::H ? Sz::W16
	     : bpf::size(code) == bpf::W ? Sz::D32 : Sz::Q64;
}

// ---- ALU ----------------------------------------------------------------

// ADD SUB OR AND XOR MUL MOV NEG, and shifts by an immediate (x86 masks an
// imm8 count to 6 bits (64) or 5 bits (32), as the semantics masks imm).
template <typename D>
void lower_alu(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const Sz sz = alu_size(in.code);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	if (srcbit(in.code) == X) {
		switch (op(in.code)) {
		case ADD: alu_rr<D>(c, sz, AluOp::ADD, dst, src); return;  /* dst += src */
		case SUB: alu_rr<D>(c, sz, AluOp::SUB, dst, src); return;  /* dst -= src */
		case OR:  alu_rr<D>(c, sz, AluOp::OR, dst, src); return;   /* dst |= src */
		case AND: alu_rr<D>(c, sz, AluOp::AND, dst, src); return;  /* dst &= src */
		case XOR: alu_rr<D>(c, sz, AluOp::XOR, dst, src); return;  /* dst ^= src */
		case MUL: imul_rr<D>(c, sz, dst, src); return;              /* dst *= src */
		case MOV: mov_rr<D>(c, sz, dst, src); return;               /* dst = src */
		}
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	switch (op(in.code)) {
	case ADD: alu_ri<D>(c, sz, AluOp::ADD, dst, in.imm); return;  /* dst += imm */
	case SUB: alu_ri<D>(c, sz, AluOp::SUB, dst, in.imm); return;  /* dst -= imm */
	case OR:  alu_ri<D>(c, sz, AluOp::OR, dst, in.imm); return;   /* dst |= imm */
	case AND: alu_ri<D>(c, sz, AluOp::AND, dst, in.imm); return;  /* dst &= imm */
	case XOR: alu_ri<D>(c, sz, AluOp::XOR, dst, in.imm); return;  /* dst ^= imm */
	case MUL: imul_rri32<D>(c, sz, dst, dst, in.imm); return;      /* dst *= imm */
	case NEG: neg_r<D>(c, sz, dst); return;                        /* dst = -dst */
	case LSH: shift_ri<D>(c, sz, ShiftOp::SHL, dst, trunc<8>(in.imm)); return; /* dst <<= imm */
	case RSH: shift_ri<D>(c, sz, ShiftOp::SHR, dst, trunc<8>(in.imm)); return; /* dst >>= imm */
	case ARSH: shift_ri<D>(c, sz, ShiftOp::SAR, dst, trunc<8>(in.imm)); return; /* dst s>>= imm */
	case MOV:
		if (sz == Sz::D32 || D::when(sge(in.imm, u32(0)), "imm_nonneg"))
			mov_ri32_or_zero<D>(c, dst, in.imm); /* dst = (u32)imm */
		else
			mov_ri32_sx<D>(c, dst, in.imm);   /* dst = (s64)imm */
		return;
	}
	c.fail(LowerError::UNSUPPORTED);
}

// Shifts by a register. The count must be in cl (masked by the CPU as
// the semantics masks it), and rcx is BPF R4, so:
//   src = rcx:   dst OP= cl
//   dst != rcx:  r9 = rcx; rcx = src; dst OP= cl; rcx = r9
//   dst = rcx:   r11 = dst; r9 = rcx; rcx = src; r11 OP= cl; rcx = r9; dst = r11
// (registers are plain numbers: the verifier splits ALU register fields).
template <typename D>
void lower_shift_x(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const Sz sz = alu_size(in.code);
	const uint8_t dst = (uint8_t)D::concrete(native_reg<D>(in.dst));
	const uint8_t src = (uint8_t)D::concrete(native_reg<D>(in.src));
	const ShiftOp sop = op(in.code) == LSH ? ShiftOp::SHL
			  : op(in.code) == RSH ? ShiftOp::SHR : ShiftOp::SAR;
	const u4 rcx = u4(RCX), r9 = u4(SCRATCH2);
	if (dst != RCX && src == RCX) {
		shift_rcl<D>(c, sz, sop, u4(dst));      /* dst OP= cl */
		return;
	}
	const u4 shifted = dst == RCX ? u4(SCRATCH1) : u4(dst);
	if (dst == RCX)
		mov_rr<D>(c, sz, shifted, u4(dst));     /* r11 = dst */
	mov_rr<D>(c, Sz::Q64, r9, rcx);             /* r9 = rcx */
	mov_rr<D>(c, Sz::Q64, rcx, u4(src));        /* rcx = src */
	shift_rcl<D>(c, sz, sop, shifted);          /* dst (or r11) OP= cl */
	mov_rr<D>(c, Sz::Q64, rcx, r9);             /* rcx = r9 */
	if (dst == RCX)
		mov_rr<D>(c, sz, u4(dst), shifted);     /* dst = r11 */
}

// Length of code emitted with concrete operands only (for jumps over it).
template <typename F>
uint8_t emitted_len(F emit) {
	JitCtx<Concrete> probe;
	emit(probe);
	return (uint8_t)probe.len;
}

// rax:rdx division by the divisor in register v (v is none of rax, rdx
// and dst, which the sequence moves), its result into dst, rax and rdx as
// they were otherwise:
//   dst in rax, rax's value in dst (dst = rax: nothing; dst = rdx: in r9)
//   r9 = rdx; edx = 0; div v
//   dst = rax (DIV) or rdx (MOD); rax, rdx restored
// Registers are plain numbers here: the verifier splits the register
// fields of ALU rules into cases, so each path has one sequence.
template <typename D>
void divide_by_reg(JitCtx<D> &c, Sz sz, bool is_div, uint8_t dst, uint8_t v) {
	using u4 = typename D::template BV<4>;
	const u4 d = u4(dst), rax = u4(RAX), rdx = u4(RDX), r9 = u4(SCRATCH2);
	if (dst == RAX) {
		mov_rr<D>(c, Sz::Q64, r9, rdx);         /* r9 = rdx */
	} else if (dst == RDX) {
		mov_rr<D>(c, Sz::Q64, r9, rax);         /* r9 = rax */
		mov_rr<D>(c, Sz::Q64, rax, rdx);        /* rax = dst */
	} else {
		xchg_rr<D>(c, rax, d);                  /* rax = dst, dst = rax */
		mov_rr<D>(c, Sz::Q64, r9, rdx);         /* r9 = rdx */
	}
	alu_rr<D>(c, Sz::D32, AluOp::XOR, rdx, rdx); /* rdx = 0 */
	div_r<D>(c, sz, u4(v));                     /* rax = rdx:rax / v; rdx = rdx:rax % v (ALU: zero-extended) */
	if (dst == RAX) {
		if (!is_div)
			mov_rr<D>(c, Sz::Q64, rax, rdx);    /* dst = remainder */
		mov_rr<D>(c, Sz::Q64, rdx, r9);         /* rdx = r9 */
	} else if (dst == RDX) {
		if (is_div)
			mov_rr<D>(c, Sz::Q64, rdx, rax);    /* dst = quotient */
		mov_rr<D>(c, Sz::Q64, rax, r9);         /* rax = r9 */
	} else {
		if (is_div) {
			xchg_rr<D>(c, rax, d);              /* dst = quotient, rax = its value */
		} else {
			mov_rr<D>(c, Sz::Q64, rax, d);      /* rax = its value */
			mov_rr<D>(c, Sz::Q64, d, rdx);      /* dst = remainder */
		}
		mov_rr<D>(c, Sz::Q64, rdx, r9);         /* rdx = r9 */
	}
}

// What eBPF defines for a zero divisor: quotient 0, remainder the
// dividend (ALU: zero-extended).
template <typename D>
void divmod_by_zero(JitCtx<D> &c, Sz sz, bool is_div, uint8_t dst) {
	using u4 = typename D::template BV<4>;
	if (is_div)
		alu_rr<D>(c, Sz::D32, AluOp::XOR, u4(dst), u4(dst)); /* dst = 0 */
	else if (sz == Sz::D32)
		mov_rr<D>(c, Sz::D32, u4(dst), u4(dst)); /* dst = (u32)dst */
}

// DIV/MOD (unsigned). x86 `div` traps on a zero divisor, which eBPF
// defines (divmod_by_zero):
//   K, imm 0:  divmod_by_zero
//   K:         r11 = imm; divide_by_reg(r11)
//   X:         if (src == 0) goto zero
//              divide_by_reg(src, or r11 = src when src is rax, rdx or dst)
//              DIV: goto end; zero: dst = 0; end:
//              MOD: zero: dst = (u32)dst (ALU only; also on the other path)
template <typename D>
void lower_divmod(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const Sz sz = alu_size(in.code);
	const bool is_div = op(in.code) == DIV;
	const uint8_t dst = (uint8_t)D::concrete(native_reg<D>(in.dst));
	const u4 r11 = u4(SCRATCH1);
	if (srcbit(in.code) == K) {
		if (D::when(in.imm == u32(0), "divisor_zero")) {
			divmod_by_zero<D>(c, sz, is_div, dst);
			return;
		}
		if (sz == Sz::Q64)
			mov_ri32_sx<D>(c, r11, in.imm);     /* r11 = (s64)imm */
		else
			mov_ri32<D>(c, r11, in.imm);        /* r11 = (u32)imm */
		divide_by_reg<D>(c, sz, is_div, dst, SCRATCH1);
		return;
	}
	const uint8_t src = (uint8_t)D::concrete(native_reg<D>(in.src));
	const bool copy = src == RAX || src == RDX || src == dst;
	const uint8_t v = copy ? (uint8_t)SCRATCH1 : src;
	const uint8_t zero_len = emitted_len([&](JitCtx<Concrete> &p) { divmod_by_zero<Concrete>(p, sz, is_div, dst); });
	const uint8_t divide_len = emitted_len([&](JitCtx<Concrete> &p) {
		if (copy)
			mov_rr<Concrete>(p, sz, CBV<4>(SCRATCH1), CBV<4>(src));
		divide_by_reg<Concrete>(p, sz, is_div, dst, v);
		if (is_div)
			jmp_rel8<Concrete>(p, CBV<8>(zero_len));
	});
	test_rr<D>(c, sz, u4(src), u4(src));
	jcc_rel8<D>(c, Cond::E, u8(divide_len));    /* divisor 0: skip the division */
	if (copy)
		mov_rr<D>(c, sz, r11, u4(src));         /* r11 = src */
	divide_by_reg<D>(c, sz, is_div, dst, v);
	if (is_div)
		jmp_rel8<D>(c, u8(zero_len));
	divmod_by_zero<D>(c, sz, is_div, dst);
}

// The start of a signed division: r11 = the divisor (src, or imm
// extended as the width needs); r9 = rax; r12 = rdx (both restored at
// the end); rax = dst, the dividend.
template <typename D>
void sdivmod_setup(JitCtx<D> &c, const InsnFields<D> &in, Sz sz) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const u4 r11 = u4(SCRATCH1), r9 = u4(SCRATCH2), r12 = u4(SCRATCH3);
	if (srcbit(in.code) == X)
		mov_rr<D>(c, sz, r11, src);             /* r11 = src */
	else if (sz == Sz::Q64)
		mov_ri32_sx<D>(c, r11, in.imm);         /* r11 = (s64)imm */
	else
		mov_ri32<D>(c, r11, in.imm);            /* r11 = (u32)imm */
	mov_rr<D>(c, Sz::Q64, r9, u4(RAX));         /* r9 = rax */
	mov_rr<D>(c, Sz::Q64, r12, u4(RDX));        /* r12 = rdx */
	mov_rr<D>(c, sz, u4(RAX), dst);             /* rax = dst */
}

// The cases idiv cannot take, divisor r11 in {0, -1}: quotient 0 or -dst
// (no #DE on INT_MIN / -1: -INT_MIN wraps to INT_MIN, as eBPF defines it),
// remainder dst or 0. Dividend in rax; the result in rax (SDIV) or rdx
// (SMOD), zero-extended for ALU32 (32-bit forms).
template <typename D>
void sdivmod_special(JitCtx<D> &c, Sz sz, bool is_div) {
	using u4 = typename D::template BV<4>;
	const u4 r11 = u4(SCRATCH1);
	if (is_div) {
		neg_r<D>(c, sz, u4(RAX));                      /* rax = -dst */
		test_rr<D>(c, sz, r11, r11);
		cmov_rr<D>(c, sz, Cond::E, u4(RAX), r11);      /* divisor 0: quotient 0 */
	} else {
		test_rr<D>(c, sz, r11, r11);
		mov_ri32<D>(c, u4(RDX), typename D::template BV<32>(0)); /* rdx = 0 (flags kept) */
		cmov_rr<D>(c, sz, Cond::E, u4(RDX), u4(RAX));  /* divisor 0: remainder = dst */
	}
}

// SDIV/SMOD (off = 1; K or X), as the kernel's JITs guard them:
//   r11 = src (or imm); r9 = rax; r12 = rdx; rax = dst
//   if (r11 == 0 || r11 == -1) special (above)
//   else { rdx:rax = sign extension of rax; idiv r11 }
//   r11 = rax (SDIV) or rdx (SMOD); rax = r9; rdx = r12; dst = r11
template <typename D>
void lower_sdivmod(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const Sz sz = alu_size(in.code);
	const u4 dst = native_reg<D>(in.dst);
	const u4 r11 = u4(SCRATCH1), r9 = u4(SCRATCH2), r12 = u4(SCRATCH3);
	const bool is_div = op(in.code) == DIV;
	sdivmod_setup<D>(c, in, sz);
	const uint8_t special_len = emitted_len([&](JitCtx<Concrete> &p) { sdivmod_special<Concrete>(p, sz, is_div); });
	const uint8_t divide_len = emitted_len([&](JitCtx<Concrete> &p) {
		cqo<Concrete>(p, sz);
		idiv_r<Concrete>(p, sz, CBV<4>(SCRATCH1));
		jmp_rel8<Concrete>(p, CBV<8>(special_len));
	});
	const uint8_t cmp_jz_len = emitted_len([&](JitCtx<Concrete> &p) {
		alu_ri8<Concrete>(p, sz, AluOp::CMP, CBV<4>(SCRATCH1), CBV<8>(0xff));
		jcc_rel8<Concrete>(p, Cond::E, CBV<8>(0));
	});
	test_rr<D>(c, sz, r11, r11);
	jcc_rel8<D>(c, Cond::E, u8(cmp_jz_len + divide_len));  /* divisor 0: special */
	alu_ri8<D>(c, sz, AluOp::CMP, r11, u8(0xff));
	jcc_rel8<D>(c, Cond::E, u8(divide_len));                /* divisor -1: special */
	cqo<D>(c, sz);                              /* rdx:rax = sext(rax) */
	idiv_r<D>(c, sz, r11);                      /* rax = quotient, rdx = remainder */
	jmp_rel8<D>(c, u8(special_len));
	sdivmod_special<D>(c, sz, is_div);
	mov_rr<D>(c, Sz::Q64, r11, u4(is_div ? RAX : RDX)); /* r11 = result */
	mov_rr<D>(c, Sz::Q64, u4(RAX), r9);         /* rax = r9 */
	mov_rr<D>(c, Sz::Q64, u4(RDX), r12);        /* rdx = r12 */
	mov_rr<D>(c, Sz::Q64, dst, r11);            /* dst = result */
}

// MOVSX (MOV X with off = 8, 16, 32: the source's low off bits,
// sign-extended to 64 bits (ALU64) or to 32 and then zero-extended (ALU:
// a 32-bit destination zero-extends).
template <typename D>
void lower_movsx(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	const Sz sz = alu_size(in.code);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	switch (D::concrete(in.off)) {
	case 8: movsx_rr8<D>(c, sz, dst, src); return;    /* dst = (s8)src */
	case 16: movsx_rr16<D>(c, sz, dst, src); return;  /* dst = (s16)src */
	case 32: movsxd_rr<D>(c, dst, src); return;       /* dst = (s32)src */
	}
	c.fail(LowerError::UNSUPPORTED);
}

// END: byte swaps. imm (16/32/64) selects the rule.
template <typename D>
void lower_end(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const u4 dst = native_reg<D>(in.dst);
	const uint64_t width = D::concrete(in.imm);
	// ALU64 | END (cpu-v4 bswap) swaps whatever the X bit says.
	if (srcbit(in.code) == TO_LE && bpf::cls(in.code) == ALU) {
		if (width == 16)
			movzx_rr16<D>(c, dst, dst);             /* dst = (u16)dst */
		else if (width == 32)
			mov_rr<D>(c, Sz::D32, dst, dst);        /* dst = (u32)dst */
		/* width 64: dst = dst, nothing to emit */
		return;
	}
	if (width == 16) {
		shift_ri<D>(c, Sz::W16, ShiftOp::ROL, dst, u8(8)); /* swap the low two bytes */
		movzx_rr16<D>(c, dst, dst);                 /* dst = (u16)dst */
	} else if (width == 32) {
		bswap_r<D>(c, Sz::D32, dst);                /* dst = bswap32(dst) */
	} else {
		bswap_r<D>(c, Sz::Q64, dst);                /* dst = bswap64(dst) */
	}
}

// ---- jumps ------------------------------------------------------------------

constexpr Cond jmp_cond(uint8_t code) {
	using namespace bpf;
	switch (op(code)) {
	case JEQ: return Cond::E;
	case JNE: return Cond::NE;
	case JGT: return Cond::A;
	case JGE: return Cond::AE;
	case JLT: return Cond::B;
	case JLE: return Cond::BE;
	case JSGT: return Cond::G;
	case JSGE: return Cond::GE;
	case JSLT: return Cond::L;
	case JSLE: return Cond::LE;
	case JSET: return Cond::NE;
	}
	return Cond::O;
}

// Index of the jump target pc + 1 + off.
template <typename D>
typename D::template BV<32> jump_target(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	return c.idx() + u32(1) + sext<32>(in.off);
}

// if (dst CMP src/imm) goto pc + 1 + off; JSET tests dst & src. Nothing
// when the target is the next instruction (flags are dead between rules).
template <typename D>
void lower_jmp_cond(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const u32 target = jump_target<D>(c, in);
	if (D::when(target == c.idx() + u32(1), "jump_to_next"))
		return;
	const Sz sz = alu_size(in.code);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const bool jset = op(in.code) == JSET;
	if (srcbit(in.code) == X) {
		if (jset)
			test_rr<D>(c, sz, dst, src);             /* flags = dst & src */
		else
			alu_rr<D>(c, sz, AluOp::CMP, dst, src);  /* flags = dst - src */
	} else {
		if (jset)
			test_ri32<D>(c, sz, dst, in.imm);        /* flags = dst & imm */
		else if (D::when(in.imm == u32(0), "imm_zero"))
			test_rr<D>(c, sz, dst, dst);             /* flags of dst - 0: CF = OF = 0 */
		else
			alu_ri<D>(c, sz, AluOp::CMP, dst, in.imm); /* flags = dst - imm */
	}
	jump_to<D>(c, false, jmp_cond(in.code), c.insn_addr(target));
}

// goto pc + 1 + off
template <typename D>
void lower_ja(JitCtx<D> &c, const InsnFields<D> &in) {
	jump_to_insn<D>(c, true, Cond::O, jump_target<D>(c, in));
}

// gotol: goto pc + 1 + imm (JMP32 | JA, the 32-bit offset in imm).
template <typename D>
void lower_gotol(JitCtx<D> &c, const InsnFields<D> &in) {
	using u32 = typename D::template BV<32>;
	jump_to_insn<D>(c, true, Cond::O, c.idx() + u32(1) + in.imm);
}

template <typename D>
void x86_64_epilogue(JitCtx<D> &c);

// Bytes of the epilogue under the options (the same at every address).
inline uint32_t x86_64_epilogue_len(const JitOptions &opts) {
	JitCtx<Concrete> probe;
	probe.opts = opts;
	x86_64_epilogue<Concrete>(probe);
	return probe.len;
}

// return R0: the last instruction falls into the epilogue; others jump to
// it, or return in place with a copy of it where the copy is no longer
// than the rel32 jump (an epilogue without BHB barrier and with few pops).
template <typename D>
void lower_exit(JitCtx<D> &c, const InsnFields<D> &) {
	using u32 = typename D::template BV<32>;
	constexpr uint32_t jmp_rel32_len = 5;
	if (D::when(c.epilogue_idx() == c.idx() + u32(1), "jump_to_next"))
		return;
	const u32 rel8 = c.epilogue_addr() - (c.here() + u32(2));
	if (x86_64_epilogue_len(c.opts) <= jmp_rel32_len && !D::when(fits_imm8<D>(rel8), "fits_rel8")) {
		c.epilogue_copy();
		x86_64_epilogue<D>(c);                 /* return R0 here */
		return;
	}
	jump_to<D>(c, true, Cond::O, c.epilogue_addr());
}

// R0 = helper(R1, ..., R5): `call rel32` to helper_addr(imm). The System V
// argument registers are R1-R5's homes, rax is R0's; the helper may clobber
// rax rcx rdx rsi rdi r8-r11 (R0-R5, AX, scratch) and preserves rbx rbp
// r12-r15 (R6-R10). bpf-to-bpf calls and kfuncs: not supported (yet).
template <typename D>
void lower_call(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	if (D::when(in.src != u4(0), "not_helper_call")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	u64 rel = c.helper_addr(in.imm) - c.image_addr(c.here() + u32(5));
	if (!D::when(fits_simm32<D>(rel), "fits_rel32")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	call_rel32<D>(c, trunc<32>(rel));                   /* call helper */
}

// ---- memory -----------------------------------------------------------------

// dst = *(size *)(src + off), zero-extended.
template <typename D>
void lower_ldx(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const Mem<D> m = mem_at<D>(src, in.off);
	switch (mem_size(in.code)) {
	case Sz::B8: movzx_rm8<D>(c, dst, m); return;        /* dst = *(u8 *)(src + off) */
	case Sz::W16: movzx_rm16<D>(c, dst, m); return;      /* dst = *(u16 *)(src + off) */
	case Sz::D32: mov_rm<D>(c, Sz::D32, dst, m); return; /* dst = *(u32 *)(src + off) */
	case Sz::Q64: mov_rm<D>(c, Sz::Q64, dst, m); return; /* dst = *(u64 *)(src + off) */
	}
}

// LDSX: dst = *(s8/s16/s32 *)(src + off), sign-extended to 64 bits.
template <typename D>
void lower_ldsx(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	movsx_rm<D>(c, mem_size(in.code), dst, mem_at<D>(src, in.off)); /* dst = *(s.. *)(src + off) */
}

// *(size *)(dst + off) = imm  (DW: the imm sign-extended)
template <typename D>
void lower_st(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	const u4 dst = native_reg<D>(in.dst);
	mov_mi<D>(c, mem_size(in.code), mem_at<D>(dst, in.off), in.imm);
}

// BPF_NOSPEC: no later load may execute speculatively before the earlier
// stores are known (Spectre v4): lfence, as the kernel's JIT.
template <typename D>
void lower_nospec(JitCtx<D> &c, const InsnFields<D> &) {
	lfence<D>(c);
}

// *(size *)(dst + off) = src
template <typename D>
void lower_stx(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	mov_mr<D>(c, mem_size(in.code), mem_at<D>(dst, in.off), src);
}

// Atomics on *(u32/u64 *)(dst + off); imm (the operation) selects the rule.
//
// AND/OR/XOR with FETCH have no single x86 instruction: a cmpxchg loop.
// For the verifier: the loop is
//     r9 = rax; rax = *m
//   L: t = rax; t OP= operand; lock cmpxchg *m, t; jnz L
//     src = rax (the old value); rax = r9    (src = R0: R0 = rax, zero-extended)
// with m = [dst + off] and t = r11; when dst is R0, rax changes under the
// loop, so m = [r11] (r11 = dst + off, computed first) and t = r12.
// Single-threaded (as the semantics is), the first cmpxchg always succeeds
// (rax was just loaded from the same address), so one iteration suffices;
// the jnz back edge is only taken under contention. operand is src, or r9
// when src is R0 (rax holds the loaded value by then; r9 has R0's value).
// Registers are plain numbers: the verifier splits these rules' fields.
template <typename D>
void lower_atomic_fetch_logic(JitCtx<D> &c, const InsnFields<D> &in, Sz sz, AluOp aop) {
	VJIT_DOMAIN_TYPES(D);
	const uint8_t dst = (uint8_t)D::concrete(native_reg<D>(in.dst));
	const uint8_t src = (uint8_t)D::concrete(native_reg<D>(in.src));
	const u4 rax = u4(RAX), r11 = u4(SCRATCH1), r9 = u4(SCRATCH2);
	const u4 operand = src == RAX ? r9 : u4(src);
	const bool through_r11 = dst == RAX;
	const Mem<D> m = through_r11 ? Mem<D>{r11, u32(0)} : mem_at<D>(u4(dst), in.off);
	const u4 t = through_r11 ? u4(SCRATCH3) : r11;
	if (through_r11)
		lea_rm<D>(c, r11, mem_at<D>(u4(dst), in.off)); /* r11 = dst + off */
	mov_rr<D>(c, Sz::Q64, r9, rax);               /* r9 = rax */
	mov_rm<D>(c, sz, rax, m);                     /* rax = *m */
	const u32 loop = c.here();
	mov_rr<D>(c, sz, t, rax);                     /* L: t = rax */
	alu_rr<D>(c, sz, aop, t, operand);            /* t OP= operand */
	lock_cmpxchg_mr<D>(c, sz, m, t);              /* if (*m == rax) *m = t; else rax = *m */
	jcc_rel8<D>(c, Cond::NE, trunc<8>(loop - (c.here() + u32(2)))); /* retry if it changed */
	if (src == RAX) {
		if (sz == Sz::D32)
			mov_rr<D>(c, Sz::D32, rax, rax);      /* R0 = (u32)old: a successful cmpxchg leaves rax's upper half */
		return;
	}
	mov_rr<D>(c, sz, u4(src), rax);               /* src = old */
	mov_rr<D>(c, Sz::Q64, rax, r9);               /* rax = r9 */
}

template <typename D>
void lower_atomic(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const Sz sz = bpf::size(in.code) == DW ? Sz::Q64 : Sz::D32;
	const u4 dst = native_reg<D>(in.dst), src = native_reg<D>(in.src);
	const Mem<D> m = mem_at<D>(dst, in.off);
	switch ((int32_t)D::concrete(in.imm)) {
	case ADD: lock_alu_mr<D>(c, sz, AluOp::ADD, m, src); return;   /* *m += src */
	case AND: lock_alu_mr<D>(c, sz, AluOp::AND, m, src); return;   /* *m &= src */
	case OR:  lock_alu_mr<D>(c, sz, AluOp::OR, m, src); return;    /* *m |= src */
	case XOR: lock_alu_mr<D>(c, sz, AluOp::XOR, m, src); return;   /* *m ^= src */
	case ADD | FETCH: lock_xadd_mr<D>(c, sz, m, src); return;      /* src = *m, *m += src */
	case AND | FETCH: lower_atomic_fetch_logic<D>(c, in, sz, AluOp::AND); return; /* src = *m, *m &= src */
	case OR | FETCH:  lower_atomic_fetch_logic<D>(c, in, sz, AluOp::OR); return;  /* src = *m, *m |= src */
	case XOR | FETCH: lower_atomic_fetch_logic<D>(c, in, sz, AluOp::XOR); return; /* src = *m, *m ^= src */
	case XCHG: xchg_mr<D>(c, sz, m, src); return;                  /* src = *m, *m = src */
	case CMPXCHG:
		lock_cmpxchg_mr<D>(c, sz, m, src);  /* if (*m == R0) *m = src; R0 = old */
		if (sz == Sz::D32)
			mov_rr<D>(c, Sz::D32, u4(RAX), u4(RAX)); /* R0 = (u32)R0: success leaves rax's upper half */
		return;
	}
	c.fail(LowerError::UNSUPPORTED);
}

// dst = imm64 (two BPF slots). The shortest of mov r32, imm32 (upper half
// zero), mov r/m64, simm32, movabs. src == PSEUDO_FUNC (address of a
// subprogram) needs bpf-to-bpf support: unsupported.
template <typename D>
void lower_ld_imm64(JitCtx<D> &c, const InsnFields<D> &in) {
	VJIT_DOMAIN_TYPES(D);
	if (D::when(in.src == u4(bpf::PSEUDO_FUNC), "pseudo_func")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	const u4 dst = native_reg<D>(in.dst);
	const u64 v = concat(in.imm_hi, in.imm);
	if (D::when(fits_uimm32<D>(v), "fits_uimm32"))
		mov_ri32_or_zero<D>(c, dst, in.imm);  /* dst = (u32)imm */
	else if (D::when(fits_simm32<D>(v), "fits_simm32"))
		mov_ri32_sx<D>(c, dst, in.imm);       /* dst = (s64)(s32)imm */
	else
		mov_ri64<D>(c, dst, v);               /* dst = imm64 */
}

// ---- prologue / epilogue ----------------------------------------------------

// n bytes of NOPs, the longest forms first.
template <typename D>
void x86_64_nops(JitCtx<D> &c, uint32_t n) {
	while (n > 0) {
		unsigned k = n >= 8 ? 8 : n;
		while (!nop_len_ok(k))
			k--;
		nop_n<D>(c, k);
		n -= k;
	}
}

// bpf_func(ctx = rdi = R1, insnsi = rsi), laid out as the kernel's JIT
// lays out its own, so that its trampolines and tail calls find what they
// expect:
//   endbr64                    opts.ibt: bpf_func is called indirectly
//   nop5                       patch site for the kernel's trampolines
//   nops                       opts.tail_call_entry: up to entry - 4
//   push rbp; mov rbp, rsp     R10 = rbp
//   endbr64                    opts.ibt, at opts.tail_call_entry
//   sub rsp, stack_bytes       BPF stack [rbp - stack_bytes, rbp) (none if 0)
//   push rbx; push r12; push r13; push r14; push r15
//                              those the code writes (opts.body_regs)
// A tail call jumps (indirectly) to opts.tail_call_entry with its own
// frame popped down to [return address][caller's rbp], rbp = rsp: the
// state push rbp; mov rbp, rsp would have made.
template <typename D>
void x86_64_prologue(JitCtx<D> &c) {
	VJIT_DOMAIN_TYPES(D);
	constexpr uint32_t frame_bytes = 1 + 3;  // push rbp; mov rbp, rsp
	const uint32_t entry = c.opts.tail_call_entry;
	if (c.opts.ibt)
		endbr64<D>(c);
	nop5<D>(c);
	if (entry) {
		const uint64_t at = D::concrete(c.here());
		if (entry < at + frame_bytes) {
			c.fail(LowerError::UNENCODABLE);
			return;
		}
		x86_64_nops<D>(c, entry - frame_bytes - (uint32_t)at);
	}
	push_r<D>(c, u4(RBP));
	mov_rr<D>(c, Sz::Q64, u4(RBP), u4(RSP));
	if (entry && c.opts.ibt)
		endbr64<D>(c);                /* tail calls land here */
	const uint32_t frame = stack_bytes(c.opts.stack_depth, c.opts.body_regs);
	if (frame)
		alu_ri<D>(c, Sz::Q64, AluOp::SUB, u4(RSP), u32(frame));
	for (unsigned i = 0; i < n_saved_regs; i++)
		if (frame_saves(c.opts.body_regs, i))
			push_r<D>(c, u4(saved_regs[i]));
}

// The Spectre-BHI barrier, where the kernel's JIT puts it (before the
// callee-saved registers are restored), when the options ask for it:
//   push rax; push rcx; call clear_bhb_loop; pop rcx; pop rax
// (the loop clobbers rax, rcx and the flags; rax holds R0), then IBHF.
template <typename D>
void x86_64_bhb_barrier(JitCtx<D> &c) {
	VJIT_DOMAIN_TYPES(D);
	if (c.opts.bhb_loop) {
		push_r<D>(c, u4(RAX));
		push_r<D>(c, u4(RCX));
		// A failed context is discarded: the call is emitted all the same,
		// so that the epilogue's length does not depend on its address.
		u64 rel = u64(c.opts.bhb_loop_addr) - c.image_addr(c.here() + u32(5));
		if (!D::when(fits_simm32<D>(rel), "fits_rel32"))
			c.fail(LowerError::MITIGATION);
		call_rel32<D>(c, trunc<32>(rel));               /* call clear_bhb_loop */
		pop_r<D>(c, u4(RCX));
		pop_r<D>(c, u4(RAX));
	}
	if (c.opts.bhb_ibhf)
		ibhf<D>(c);
}

// Restore the callee-saved registers, the caller's frame, and return R0
// (already in rax): `ret; int3`, or `jmp return_thunk` when opts.rethunk.
template <typename D>
void x86_64_epilogue(JitCtx<D> &c) {
	VJIT_DOMAIN_TYPES(D);
	x86_64_bhb_barrier<D>(c);
	for (unsigned i = n_saved_regs; i-- > 0;)
		if (frame_saves(c.opts.body_regs, i))
			pop_r<D>(c, u4(saved_regs[i]));
	leave<D>(c);
	if (!c.opts.rethunk) {
		ret<D>(c);
		int3<D>(c);
		return;
	}
	u64 rel = u64(c.opts.return_thunk) - c.image_addr(c.here() + u32(5));
	if (!D::when(fits_simm32<D>(rel), "fits_rel32"))
		c.fail(LowerError::UNENCODABLE);            /* emitted all the same, as the BHB call */
	jmp_rel32<D>(c, trunc<32>(rel));                    /* jmp return_thunk */
}

// Native registers the code of instruction `in` may write: the homes of
// its register fields, r12 for the rules that use it as scratch (signed
// division, the cmpxchg loops on R0's address), and the registers a call
// clobbers. The frame saves the callee-saved ones among the program's
// union; the proof of every table entry checks that the other
// callee-saved registers keep their values.
template <typename D>
typename D::template BV<32> x86_64_body_regs(const InsnFields<D> &in) {
	using namespace bpf;
	using u4 = typename D::template BV<4>;
	using u16 = typename D::template BV<16>;
	using u32 = typename D::template BV<32>;
	u32 m = (u32(1) << zext<32>(native_reg<D>(in.dst))) | (u32(1) << zext<32>(native_reg<D>(in.src)));
	const u32 r12 = u32(1u << SCRATCH3);
	const bool alu = cls(in.code) == ALU || cls(in.code) == ALU64;
	const bool atomic = cls(in.code) == STX && mode(in.code) == ATOMIC;
	if (alu && (op(in.code) == DIV || op(in.code) == MOD))
		m = select(in.off != u16(0), m | r12, m);  /* SDIV/SMOD: saved rdx */
	if (atomic)
		m = select((in.imm == u32(AND | FETCH) || in.imm == u32(OR | FETCH) || in.imm == u32(XOR | FETCH)) &&
			   native_reg<D>(in.dst) == u4(RAX), m | r12, m);  /* the cmpxchg loop's new value */
	return m | u32(call_clobbered_mask);
}

// ---- the table --------------------------------------------------------------

template <typename D>
inline constexpr Rule<D> x86_64_rules[] = {
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
Table<D> x86_64_table() {
	return Table<D>{x86_64_rules<D>, sizeof(x86_64_rules<D>) / sizeof(x86_64_rules<D>[0])};
}

// The Arch type core/driver.h is instantiated with.
struct X86_64 {
	static constexpr const char *name = "x86_64";
	// Bytes per BPF instruction assumed by the first pass (more than any
	// rule emits, so that sizes only shrink from there).
	static constexpr uint32_t initial_insn_bytes = 64;
	template <typename D>
	static Table<D> table() { return x86_64_table<D>(); }
	template <typename D>
	static void prologue(JitCtx<D> &c) { x86_64_prologue<D>(c); }
	template <typename D>
	static void epilogue(JitCtx<D> &c) { x86_64_epilogue<D>(c); }
	template <typename D>
	static typename D::template BV<32> body_regs(const InsnFields<D> &in) { return x86_64_body_regs<D>(in); }
	// n bytes that do nothing but fall through (the driver's padding).
	template <typename D>
	static void pad(JitCtx<D> &c, uint32_t n) { x86_64_nops<D>(c, n); }
};

} // namespace x86_64
} // namespace vjit

#endif
