// SPDX-License-Identifier: GPL-2.0
// The meaning of one eBPF instruction, written once over a domain D.
//
// Concretely (D = Concrete) this is the reference interpreter's step, checked
// against Linux's interpreter (kernel/bpf/core.c, 6.1); symbolically it is
// the specification every codegen table entry is proved against.
//
// Where Linux's interpreter relies on the verifier to rule a case out, the
// meaning here is the one the verifier's rewrites give it, so that JITted
// code can be required to match it without that rewrite:
//   - division by zero gives 0; modulo by zero leaves the dividend
//     (ALU32: its low half, zero-extended), as do_misc_fixups patches it;
//   - shift amounts are masked to the operand width (the interpreter masks
//     register shifts; immediate shifts out of range are rejected by the
//     verifier, and masking is what every target's shifter does);
//   - ALU32 results are zero-extended to 64 bits.
#ifndef VJIT_CORE_SEMANTICS_H
#define VJIT_CORE_SEMANTICS_H

#include "core/bpf.h"
#include "core/isa.h"

namespace vjit {

template <typename D>
struct BpfRegs {
	VJIT_DOMAIN_TYPES(D);
	u64 r[bpf::NREGS];

	// Register by (possibly symbolic) number.
	u64 get(u4 idx) const {
		if constexpr (!D::symbolic) {
			return r[D::concrete(idx) % bpf::NREGS];
		} else {
			u64 v = r[0];
			for (unsigned i = 1; i < bpf::NREGS; i++)
				v = select(idx == u4(i), r[i], v);
			return v;
		}
	}
	void set(u4 idx, u64 v) {
		if constexpr (!D::symbolic) {
			r[D::concrete(idx) % bpf::NREGS] = v;
		} else {
			for (unsigned i = 0; i < bpf::NREGS; i++)
				r[i] = select(idx == u4(i), v, r[i]);
		}
	}
};

// Where control goes after one instruction.
enum class Flow {
	NEXT,       // to next_pc (fall-through or jump, see Step::next_pc)
	EXIT,       // return R0 (from the current frame)
	CALL_FUNC,  // bpf-to-bpf call to next_pc; returns to ret_pc
	TAIL_CALL,  // not modelled: rejected by the tables for now
	INVALID,    // not an instruction Linux 6.1 accepts
};

template <typename D>
struct Step {
	Flow flow;
	typename D::template BV<32> next_pc;  // BPF index
	typename D::template BV<32> ret_pc;   // for CALL_FUNC
};

// The environment: memory and helpers. Env must provide
//   u64  load(unsigned bytes, u64 addr)            zero-extended
//   void store(unsigned bytes, u64 addr, u64 v)    low `bytes` bytes of v
//   u64  call_helper(u32 imm, BpfRegs<D> &regs)    returns R0's new value;
//                                                  may clobber R1-R5 in regs
// Atomics are one load and one store, indivisible: the verifier relates the
// load to the native attempt that took effect while other CPUs write the
// location (verifier/refine.h, atomic_store_obligations).

// Immediate as the 64-bit operand of ALU64 and JMP: sign-extended.
template <typename D>
typename D::template BV<64> imm64(const InsnFields<D> &in) {
	return sext<64>(in.imm);
}

// dst OP src on W bits (shift counts masked to W - 1).
template <typename D, unsigned W>
typename D::template BV<W> alu_op(uint8_t op, typename D::template BV<W> dst,
				  typename D::template BV<W> src) {
	using bv = typename D::template BV<W>;
	using namespace bpf;
	switch (op) {
	case ADD: return dst + src;
	case SUB: return dst - src;
	case MUL: return dst * src;
	case DIV: return select(src == bv(0), bv(0), udiv(dst, src));
	case MOD: return select(src == bv(0), dst, urem(dst, src));
	case OR: return dst | src;
	case AND: return dst & src;
	case XOR: return dst ^ src;
	case LSH: return dst << (src & bv(W - 1));
	case RSH: return dst >> (src & bv(W - 1));
	case ARSH: return ashr(dst, src & bv(W - 1));
	case NEG: return -dst;
	case MOV: return src;
	}
	return dst;
}

// dst OP src on 64 or 32 bits (ALU32: operands and result truncated, result
// zero-extended).
template <typename D>
typename D::template BV<64> alu_result(uint8_t op, bool is64,
				       typename D::template BV<64> dst,
				       typename D::template BV<64> src) {
	if (is64)
		return alu_op<D, 64>(op, dst, src);
	return zext<64>(alu_op<D, 32>(op, trunc<32>(dst), trunc<32>(src)));
}

// cpu-v4 SDIV/SMOD on W bits, as the kernel's verifier and JITs define
// them: by 0, quotient 0 and remainder dst; by -1, quotient -dst (INT_MIN
// stays INT_MIN) and remainder 0; else truncating, the remainder's sign
// the dividend's.
template <typename D, unsigned W>
typename D::template BV<W> sdivmod_op(bool is_div, typename D::template BV<W> d,
				      typename D::template BV<W> s) {
	using bv = typename D::template BV<W>;
	if (is_div)
		return select(s == bv(0), bv(0), select(s == ~bv(0), -d, sdiv(d, s)));
	return select(s == bv(0), d, select(s == ~bv(0), bv(0), srem(d, s)));
}

template <typename D>
typename D::template BV<64> sdivmod_result(bool is_div, bool is64, typename D::template BV<64> dst,
					   typename D::template BV<64> src) {
	if (is64)
		return sdivmod_op<D, 64>(is_div, dst, src);
	return zext<64>(sdivmod_op<D, 32>(is_div, trunc<32>(dst), trunc<32>(src)));
}

// The low `bytes` bytes of v, sign-extended to 64 bits.
template <typename D>
typename D::template BV<64> sext_bytes(unsigned bytes, typename D::template BV<64> v) {
	switch (bytes) {
	case 1: return sext<64>(trunc<8>(v));
	case 2: return sext<64>(trunc<16>(v));
	case 4: return sext<64>(trunc<32>(v));
	}
	return v;
}

// cpu-v4 MOVSX: the low `bits` of src sign-extended to 64 bits (ALU64) or
// to 32 bits and then zero-extended (ALU).
template <typename D>
typename D::template BV<64> movsx_result(bool is64, uint64_t bits, typename D::template BV<64> src) {
	typename D::template BV<64> v = sext_bytes<D>((unsigned)(bits / 8), src);
	return is64 ? v : zext<64>(trunc<32>(v));
}

// BPF_END: to little endian truncates (the host is little endian on every
// target vjit has); to big endian swaps the low 16, 32 or 64 bits.
template <typename D>
typename D::template BV<64> endian_result(bool to_be, uint64_t width,
					  typename D::template BV<64> v) {
	VJIT_DOMAIN_TYPES(D);
	if (width == 16) {
		u16 x = trunc<16>(v);
		if (to_be)
			x = concat(extract<7, 0>(x), extract<15, 8>(x));
		return zext<64>(x);
	}
	if (width == 32) {
		u32 x = trunc<32>(v);
		if (to_be)
			x = concat(concat(extract<7, 0>(x), extract<15, 8>(x)),
				   concat(extract<23, 16>(x), extract<31, 24>(x)));
		return zext<64>(x);
	}
	if (!to_be)
		return v;
	u32 lo = trunc<32>(v), hi = extract<63, 32>(v);
	u32 lo_sw = concat(concat(extract<7, 0>(lo), extract<15, 8>(lo)),
			   concat(extract<23, 16>(lo), extract<31, 24>(lo)));
	u32 hi_sw = concat(concat(extract<7, 0>(hi), extract<15, 8>(hi)),
			   concat(extract<23, 16>(hi), extract<31, 24>(hi)));
	return concat(lo_sw, hi_sw);
}

// The condition of a conditional jump on W bits.
template <typename D, unsigned W>
typename D::Bool cond_holds(uint8_t op, typename D::template BV<W> d,
			    typename D::template BV<W> s) {
	using namespace bpf;
	switch (op) {
	case JEQ: return d == s;
	case JNE: return d != s;
	case JGT: return ugt(d, s);
	case JGE: return uge(d, s);
	case JLT: return ult(d, s);
	case JLE: return ule(d, s);
	case JSGT: return sgt(d, s);
	case JSGE: return sge(d, s);
	case JSLT: return slt(d, s);
	case JSLE: return sle(d, s);
	case JSET: return (d & s) != typename D::template BV<W>(0);
	}
	return typename D::Bool(false);
}

// The condition of a conditional jump, on 64 (JMP) or 32 (JMP32) bits.
template <typename D>
typename D::Bool jmp_taken(uint8_t op, bool is64, typename D::template BV<64> dst,
			   typename D::template BV<64> src) {
	if (is64)
		return cond_holds<D, 64>(op, dst, src);
	return cond_holds<D, 32>(op, trunc<32>(dst), trunc<32>(src));
}

// Is `code` (with imm where it selects the operation) an instruction of
// Linux 6.1's ISA that this semantics defines? (core/isa.h has the model.)
constexpr bool opcode_valid(uint8_t code, int32_t imm) {
	return semantics_defines(code, 0, imm, Isa::V3);
}

// One instruction at pc. Returns where control goes; updates regs and,
// through env, memory.
template <typename D, typename Env>
Step<D> step(const InsnFields<D> &in, typename D::template BV<32> pc,
	     BpfRegs<D> &regs, Env &env) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	const uint8_t code = in.code;
	Step<D> s{Flow::NEXT, pc + u32(1), pc + u32(1)};
	u64 dst = regs.get(in.dst);
	u64 off = sext<64>(in.off);

	switch (cls(code)) {
	case ALU:
	case ALU64: {
		const bool is64 = cls(code) == ALU64;
		const uint64_t sel = off_selects(code) ? D::concrete(in.off) : 0;
		if (op(code) == END && is64) {  // cpu-v4 bswap: always swaps
			regs.set(in.dst, endian_result<D>(true, D::concrete(in.imm), dst));
			return s;
		}
		if (op(code) == MOV && sel != 0) {  // cpu-v4 movsx
			regs.set(in.dst, movsx_result<D>(is64, sel, regs.get(in.src)));
			return s;
		}
		if (sel == 1) {  // cpu-v4 sdiv / smod
			u64 src = srcbit(code) == X ? regs.get(in.src) : imm64(in);
			regs.set(in.dst, sdivmod_result<D>(op(code) == DIV, is64, dst, src));
			return s;
		}
		if (sel != 0)
			break;
		if (op(code) == END) {
			uint64_t width = D::concrete(in.imm);
			regs.set(in.dst, endian_result<D>(srcbit(code) == TO_BE, width, dst));
			return s;
		}
		u64 src = srcbit(code) == X ? regs.get(in.src) : imm64(in);
		regs.set(in.dst, alu_result<D>(op(code), is64, dst, src));
		return s;
	}
	case JMP:
	case JMP32: {
		const bool is64 = cls(code) == JMP;
		u32 target = pc + u32(1) + sext<32>(in.off);
		switch (op(code)) {
		case JA:
			// JMP32 | JA (gotol): the offset is imm, 32 bits wide.
			s.next_pc = is64 ? target : pc + u32(1) + in.imm;
			return s;
		case EXIT:
			s.flow = Flow::EXIT;
			return s;
		case CALL:
			if (D::when(in.src == u4(PSEUDO_CALL), "pseudo_call")) {
				s.flow = Flow::CALL_FUNC;
				s.next_pc = pc + u32(1) + in.imm;
				return s;
			}
			regs.r[R0] = env.call_helper(in.imm, regs);
			return s;
		}
		u64 src = srcbit(code) == X ? regs.get(in.src) : imm64(in);
		if (D::when(jmp_taken<D>(op(code), is64, dst, src), "bpf.taken"))
			s.next_pc = target;
		return s;
	}
	case LDX: {
		u64 addr = regs.get(in.src) + off;
		u64 v = env.load(size_bytes(code), addr);
		if (mode(code) == MEMSX)  // cpu-v4: sign-extending load
			v = sext_bytes<D>(size_bytes(code), v);
		else if (mode(code) != MEM)
			break;
		regs.set(in.dst, v);
		return s;
	}
	case ST:
		if (mode(code) == NOSPEC)
			return s;  // a speculation barrier: no architectural effect
		env.store(size_bytes(code), dst + off, imm64(in));
		return s;
	case STX: {
		u64 addr = dst + off;
		u64 src = regs.get(in.src);
		const unsigned n = size_bytes(code);
		if (mode(code) == MEM) {
			env.store(n, addr, src);
			return s;
		}
		// Atomics: W operates on 32 bits; fetched values are zero-extended.
		u64 old = env.load(n, addr);
		const int32_t aop = (int32_t)D::concrete(in.imm);
		auto trunc_n = [&](u64 v) { return n == 4 ? zext<64>(trunc<32>(v)) : v; };
		switch (aop) {
		case XCHG:
			env.store(n, addr, src);
			regs.set(in.src, old);
			return s;
		case CMPXCHG: {
			u64 r0 = regs.r[R0];
			Bool eq = trunc_n(r0) == old;
			env.store(n, addr, select(eq, src, old));
			regs.r[R0] = old;
			return s;
		}
		}
		env.store(n, addr, alu_result<D>((uint8_t)(aop & ~FETCH), true, old, src));
		if (aop & FETCH)
			regs.set(in.src, trunc_n(old));
		return s;
	}
	case LD:
		if (code == (LD | IMM | DW)) {
			regs.set(in.dst, concat(in.imm_hi, in.imm));
			s.next_pc = pc + u32(2);
			return s;
		}
		break;
	}
	s.flow = Flow::INVALID;
	return s;
}

} // namespace vjit

#endif
