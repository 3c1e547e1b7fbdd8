// SPDX-License-Identifier: GPL-2.0
// The A64 ISA model: the meaning of the instruction forms the arm64 table
// emits, written over a domain D and decoding the emitted 32-bit words
// themselves (Arm ARM DDI 0487, C4 for the encodings, C6 for each
// instruction), so that an encoding bug changes the meaning.
//
// With D = Concrete it runs emitted code in tests, where it is compared with
// qemu-aarch64 (selftests/arm64/model_test.cc); with D = Symbolic it gives
// emitted code its meaning in the refinement proofs. Opcode fields (sf, opc,
// size, cond, ...) must be constant, as the encoders make them; register
// fields and immediates may be terms.
//
// Modelled: the forms of encode.h, X and W registers (W writes
// zero-extend), register 31 as XZR or SP as each form says, NZCV, the
// exclusive monitor of LDXR/STXR (below), hints as no-ops (BTI c, j, jc reported
// as a landing pad; PACIASP/AUTIASP as a pair that leaves x30 as it was,
// an assumption of the proofs). Anything else stops the run as UNDECODED;
// a misaligned sp as a base stops it as TRAP.
//
// LDXR/STXR: LDXR arms the monitor (address and the value read). STXR is
// one atomic step that reads the location and succeeds only while the
// monitor holds, which the model states as "armed, same address, and the
// location still holds the value LDXR read", and otherwise may fail at any
// time (a fresh undefined choice). It writes what it read back when it
// fails, so the checker sees every STXR as a read-modify-write of the
// location. This admits more successes than the CPU (a location written
// and restored by another CPU), never fewer failures: a sound
// over-approximation of the monitor.
//
// Hosted (tests and verifier), not part of the freestanding codegen.
#ifndef VJIT_ARCH_ARM64_MODEL_H
#define VJIT_ARCH_ARM64_MODEL_H

#include "core/bv.h"

namespace vjit {
namespace arm64 {
namespace model {

enum class Access : uint8_t {
	DATA,       // a load or store
	ATOMIC,     // LSE atomics, CAS, LDXR/STXR
	STACK,      // STP/LDP of the frame (sp as base)
};

enum class Status : uint8_t { RUNNING, EXITED, RETURNED, TRAP, UNDECODED, CUT };

inline const char *status_name(Status s) {
	switch (s) {
	case Status::RUNNING: return "running";
	case Status::EXITED: return "exited";
	case Status::RETURNED: return "returned";
	case Status::TRAP: return "trap";
	case Status::UNDECODED: return "undecoded";
	case Status::CUT: return "cut";
	}
	return "?";
}

template <typename D>
struct State {
	VJIT_DOMAIN_TYPES(D);
	u64 x[31];  // x0-x30
	u64 sp;
	Bool n{false}, z{false}, c{false}, v{false};
	// The exclusive monitor: armed by LDXR on [excl_addr], which read
	// excl_val.
	Bool excl{false};
	u64 excl_addr, excl_val;
	// The last UDIV/SDIV while its destination and operand registers are
	// unchanged: x[quot] = quot_a / quot_b, with quot_a in x[quot_n] and
	// quot_b in x[quot_m] (-1: none). MSUB of that quotient states the
	// remainder directly (Machine::msub_of_quotient).
	int quot = -1, quot_n = -1, quot_m = -1;
	bool quot_signed = false, quot_sf = false;
	void forget_quotient(int k) {
		if (k < 0 || k == quot || k == quot_n || k == quot_m)
			quot = -1;
	}

	template <unsigned W>
	static bool const_of(const typename D::template BV<W> &v, uint64_t *out) {
		if constexpr (D::symbolic)
			return v.is_const(out);
		else {
			*out = v.value();
			return true;
		}
	}
	// Register n (5 bits); 31 reads as zero, or as sp when sp31.
	u64 get(typename D::template BV<5> r, bool sp31 = false) const {
		uint64_t k;
		if (const_of<5>(r, &k))
			return k == 31 ? (sp31 ? sp : u64(0)) : x[k];
		u64 v = sp31 ? sp : u64(0);
		for (unsigned i = 0; i < 31; i++)
			v = select(r == typename D::template BV<5>(i), x[i], v);
		return v;
	}
	void set(typename D::template BV<5> r, u64 val, bool sp31 = false) {
		uint64_t k;
		const bool known = const_of<5>(r, &k);
		forget_quotient(known ? (int)k : -1);
		if (known) {
			if (k < 31)
				x[k] = val;
			else if (sp31)
				sp = val;
			return;
		}
		for (unsigned i = 0; i < 31; i++)
			x[i] = select(r == typename D::template BV<5>(i), val, x[i]);
		if (sp31)
			sp = select(r == typename D::template BV<5>(31), val, sp);
	}
};

// Ra - (Ra / Rm) * Rm for A64's UDIV/SDIV quotient (by 0: 0), in the shape
// of a remainder's spec: by 0 Ra; signed by -1 0 (the quotient -Ra, INT_MIN
// staying INT_MIN); else the truncating remainder. See
// Machine::msub_of_quotient.
template <typename D, unsigned W>
typename D::template BV<W> msub_remainder(bool sgn, const typename D::template BV<W> &a,
					  const typename D::template BV<W> &b) {
	using V = typename D::template BV<W>;
	return select(b == V(0), a, sgn ? select(b == ~V(0), V(0), srem(a, b)) : urem(a, b));
}

template <typename D>
struct Stop {
	Status status = Status::RUNNING;
	typename D::template BV<64> pc;
	uint32_t at = 0;
	const char *why = "";
	unsigned steps = 0;
};

template <typename D>
struct Code {
	const typename D::template BV<8> *bytes;
	uint32_t len;
	typename D::template BV<64> base;
};

// Env, provided by the user of the model:
//   u64  load(unsigned bytes, u64 addr, Access k)
//   void store(unsigned bytes, u64 addr, u64 v, Access k)
//   void call(u64 target, State<D> &s)   BLR: the callee's effect (x30 is
//                                        already the return address)
//   void fence(const char *name)         a barrier ran (DMB ISH, DSB NSH)
//   void landing(uint32_t off, unsigned op)  BTI ran at offset off (op: its
//                                        HINT number, 34 c, 36 j, 38 jc)
//   Bool undef_bool(const char *what)    an undefined choice (STXR failing)
// and optionally
//   bool at(uint32_t off, State<D> &s)   before each instruction (loop
//                                        invariants, another CPU); false: CUT
template <typename Env, typename S, typename = void>
struct has_at_hook {
	static constexpr bool value = false;
};
template <typename T>
T &declared_ref();
template <typename Env, typename S>
struct has_at_hook<Env, S, decltype((void)static_cast<bool>(declared_ref<Env>().at(0u, declared_ref<S>())))> {
	static constexpr bool value = true;
};

template <typename D, typename Env>
class Machine {
	VJIT_DOMAIN_TYPES(D);
	using u5 = typename D::template BV<5>;

public:
	State<D> &s;
	Env &env;
	const Code<D> &code;

	Machine(State<D> &st, Env &e, const Code<D> &c) : s(st), env(e), code(c) {}

	Stop<D> run(uint32_t start = 0, unsigned max_steps = 256) {
		Stop<D> st;
		uint32_t off = start;
		while (st.steps < max_steps) {
			if (off == code.len) {
				st.status = Status::EXITED;
				st.pc = code.base + u64(off);
				return st;
			}
			st.at = off;
			if constexpr (has_at_hook<Env, State<D>>::value) {
				if (!env.at(off, s)) {
					st.status = Status::CUT;
					st.pc = code.base + u64(off);
					st.why = "cut before the instruction";
					return st;
				}
			}
			st.steps++;
			Next n = step(off);
			if (n.status != Status::RUNNING) {
				st.status = n.status;
				st.pc = n.pc;
				st.why = n.why;
				return st;
			}
			off = n.off;
		}
		st.status = Status::UNDECODED;
		st.why = "too many steps (a loop in the emitted code?)";
		return st;
	}

private:
	struct Next {
		Status status;
		uint32_t off;
		u64 pc;
		const char *why;
	};
	static Next go(uint32_t off) { return Next{Status::RUNNING, off, u64(0), ""}; }
	static Next stop(Status st, const char *why) { return Next{st, 0, u64(0), why}; }

	// A constant field of the word (opcode bits); a term there makes the
	// whole word undecodable (step checks term_field_).
	bool term_field_ = false;
	template <unsigned HI, unsigned LO>
	bool field(const u32 &w, uint64_t *out) {
		if (State<D>::template const_of<HI - LO + 1>(extract<HI, LO>(w), out))
			return true;
		*out = 0;
		term_field_ = true;
		return false;
	}
	static bool is(const u32 &w, uint32_t mask, uint32_t value) {
		uint64_t k;
		return State<D>::template const_of<32>(w & u32(mask), &k) && k == value;
	}
	static u5 reg(const u32 &w, unsigned lsb) {
		switch (lsb) {
		case 0: return extract<4, 0>(w);
		case 5: return extract<9, 5>(w);
		case 10: return extract<14, 10>(w);
		default: return extract<20, 16>(w);
		}
	}
	static u64 wmask(bool sf) { return u64(sf ? ~0ull : 0xffffffffull); }
	static Bool msb(const u64 &v, bool sf) { return ((v >> u64(sf ? 63 : 31)) & u64(1)) == u64(1); }
	static u64 sx(const u64 &v, bool sf) { return sf ? v : sext<64>(trunc<32>(v)); }

	// W values as zero extensions (terms the solver folds with the
	// semantics' own zext/trunc).
	static u64 w32(const u64 &v, bool sf) { return sf ? v : zext<64>(trunc<32>(v)); }
	u64 rd(const u32 &w, unsigned lsb, bool sf, bool sp31 = false) { return w32(s.get(reg(w, lsb), sp31), sf); }
	void wr(const u32 &w, unsigned lsb, bool sf, const u64 &v, bool sp31 = false) {
		s.set(reg(w, lsb), w32(v, sf), sp31);
	}
	// old with its 16-bit chunk hw replaced by imm16 (MOVZ/MOVN/MOVK), as
	// a concatenation: a MOVZ/MOVK sequence of a value's own chunks folds
	// back into the value.
	static u64 insert16(const u64 &old, const u16 &imm16, uint64_t hw) {
		switch (hw) {
		case 0: return concat(extract<63, 16>(old), imm16);
		case 1: return concat(concat(extract<63, 32>(old), imm16), extract<15, 0>(old));
		case 2: return concat(concat(extract<63, 48>(old), imm16), extract<31, 0>(old));
		}
		return concat(imm16, extract<47, 0>(old));
	}

	// AddWithCarry for a + b (sub: a + ~b + 1), NZCV stated through
	// comparisons of the operands (the BPF semantics' own terms).
	u64 add_sub(bool sf, bool sub, bool S, const u64 &a0, const u64 &b0) {
		const u64 a = a0 & wmask(sf), b = b0 & wmask(sf);
		const u64 r = (sub ? a - b : a + b) & wmask(sf);
		if (S) {
			s.n = msb(r, sf);
			if (sub) {
				s.z = a == b;
				s.c = uge(a, b);
				s.v = s.n != slt(sx(a, sf), sx(b, sf));
			} else {
				s.z = r == u64(0);
				s.c = ult(r, a);
				s.v = msb((a ^ r) & (b ^ r), sf);
			}
		}
		return r;
	}

	Bool cond_holds(uint64_t cond) {
		Bool r(true);
		switch (cond >> 1) {
		case 0: r = s.z; break;
		case 1: r = s.c; break;
		case 2: r = s.n; break;
		case 3: r = s.v; break;
		case 4: r = s.c && !s.z; break;
		case 5: r = s.n == s.v; break;
		case 6: r = s.n == s.v && !s.z; break;
		default: return Bool(true);  // AL, NV
		}
		return (cond & 1) ? !r : r;
	}

	// Branch by a byte displacement from the word at off.
	Next branch(uint32_t off, const u64 &disp) {
		uint64_t d;
		if (!State<D>::template const_of<64>(disp, &d)) {
			return Next{Status::EXITED, 0, code.base + u64(off) + disp, "branch to a computed target"};
		}
		const int64_t to = (int64_t)off + (int64_t)d;
		if (to >= 0 && to < (int64_t)code.len && (to & 3) == 0)
			return go((uint32_t)to);
		return Next{Status::EXITED, 0, code.base + u64(off) + disp, "branched out of the code"};
	}
	// A branch the state decides: both ways as a fork.
	Next branch_if(uint32_t off, const Bool &taken, const u64 &disp, const char *why) {
		if (D::when(taken, why))
			return branch(off, disp);
		return go(off + 4);
	}

	Next data_reg(const u32 &w, uint32_t off) {
		uint64_t sf, op, S, opc, N;
		field<31, 31>(w, &sf);
		if (is(w, 0x1fe0fc00, 0x0b000000)) {  // ADD/SUB (shifted register), LSL #0
			field<30, 30>(w, &op);
			field<29, 29>(w, &S);
			wr(w, 0, sf, add_sub(sf, op, S, rd(w, 5, sf), rd(w, 16, sf)));
			return go(off + 4);
		}
		if (is(w, 0x1f00fc00, 0x0a000000)) {  // logical (shifted register), LSL #0
			field<30, 29>(w, &opc);
			field<21, 21>(w, &N);
			const u64 a = rd(w, 5, sf), b = N ? ~rd(w, 16, sf) & wmask(sf) : rd(w, 16, sf);
			u64 r = opc == 0 || opc == 3 ? a & b : opc == 1 ? a | b : a ^ b;
			if (opc == 3) {
				s.n = msb(r, sf);
				s.z = r == u64(0);
				s.c = Bool(false);
				s.v = Bool(false);
			}
			wr(w, 0, sf, r);
			return go(off + 4);
		}
		if (is(w, 0x7fe00000, 0x1ac00000)) {  // data-processing (2 source)
			field<15, 10>(w, &opc);
			const u64 a = rd(w, 5, sf), b = rd(w, 16, sf);
			const u64 cnt = b & u64(sf ? 63 : 31);
			u64 r(0);
			switch (opc) {
			case 2:  // on the operation's own width: a 64-bit divider of W values is needless work
				if (sf)
					r = select(b == u64(0), u64(0), udiv(a, b));
				else
					r = zext<64>(select(trunc<32>(b) == u32(0), u32(0), udiv(trunc<32>(a), trunc<32>(b))));
				break;
			case 3:
				if (sf)
					r = select(b == u64(0), u64(0), sdiv(a, b));
				else
					r = zext<64>(select(trunc<32>(b) == u32(0), u32(0), sdiv(trunc<32>(a), trunc<32>(b))));
				break;
			case 8: r = a << cnt; break;
			case 9: r = a >> cnt; break;
			case 10: r = sf ? ashr(a, cnt) : zext<64>(ashr(trunc<32>(a), trunc<32>(cnt))); break;
			default: return stop(Status::UNDECODED, "data-processing (2 source) form");
			}
			wr(w, 0, sf, r);
			if (opc == 2 || opc == 3)
				note_quotient(w, opc == 3, sf);
			return go(off + 4);
		}
		if (is(w, 0x7ffff000, 0x5ac00000)) {  // REV16 / REV32 / REV
			field<15, 10>(w, &opc);
			const u64 a = rd(w, 5, sf);
			const unsigned bytes = sf ? 8 : 4, group = opc == 1 ? 2 : opc == 2 && sf ? 4 : bytes;
			if (opc == 0 || opc > 3 || (opc == 3 && !sf))
				return stop(Status::UNDECODED, "data-processing (1 source) form");
			u64 r(0);
			for (unsigned i = 0; i < bytes; i++) {
				const unsigned g = i / group * group, j = g + (group - 1 - (i - g));
				r = r | (((a >> u64(8 * i)) & u64(0xff)) << u64(8 * j));
			}
			wr(w, 0, sf, r);
			return go(off + 4);
		}
		if (is(w, 0x7fe00000, 0x1b000000)) {  // MADD / MSUB
			uint64_t o0;
			field<15, 15>(w, &o0);
			const u64 a = rd(w, 10, sf);
			u64 r(0);
			if (!(o0 && msub_of_quotient(w, sf, &r)))
				r = sf ? (o0 ? a - rd(w, 5, sf) * rd(w, 16, sf) : a + rd(w, 5, sf) * rd(w, 16, sf))
				       : zext<64>(o0 ? trunc<32>(a) - trunc<32>(rd(w, 5, sf)) * trunc<32>(rd(w, 16, sf))
						     : trunc<32>(a) + trunc<32>(rd(w, 5, sf)) * trunc<32>(rd(w, 16, sf)));
			wr(w, 0, sf, r);
			return go(off + 4);
		}
		return stop(Status::UNDECODED, "data-processing (register) form");
	}

	static int const_reg(const u5 &r) {
		uint64_t k;
		return State<D>::template const_of<5>(r, &k) && k < 31 ? (int)k : -1;
	}
	void note_quotient(const u32 &w, bool sgn, bool sf) {
		const int d = const_reg(reg(w, 0)), n = const_reg(reg(w, 5)), m = const_reg(reg(w, 16));
		if (d < 0 || n < 0 || m < 0 || d == n || d == m)
			return;
		s.quot = d;
		s.quot_n = n;
		s.quot_m = m;
		s.quot_signed = sgn;
		s.quot_sf = sf;
	}
	// MSUB Rd, Rq, Rm, Ra where Rq = Ra / Rm (the quotient just computed,
	// all three unchanged since): Ra - (Ra / Rm) * Rm is the remainder,
	// stated as such, with the cases of A64's division spelt out: by 0 the
	// quotient is 0, so the result is Ra; signed by -1 the quotient is -Ra
	// (INT_MIN stays INT_MIN), so it is 0; else the truncating remainder
	// (srem's sign follows the dividend). Stated in that shape, the term is
	// the one a spec of the remainder writes, and no divider is
	// bit-blasted to relate them (selftests/verifier/mutants_test.cc checks
	// the identity). The concrete model takes the same route, so model_test
	// compares it with qemu.
	bool msub_of_quotient(const u32 &w, bool sf, u64 *r) {
		if (s.quot < 0 || const_reg(reg(w, 5)) != s.quot || const_reg(reg(w, 16)) != s.quot_m ||
		    const_reg(reg(w, 10)) != s.quot_n || s.quot_sf != sf)
			return false;
		const u64 a = rd(w, 10, sf), b = rd(w, 16, sf);
		if (sf)
			*r = msub_remainder<D, 64>(s.quot_signed, a, b);
		else
			*r = zext<64>(msub_remainder<D, 32>(s.quot_signed, trunc<32>(a), trunc<32>(b)));
		return true;
	}
	Next data_imm(const u32 &w, uint32_t off) {
		uint64_t sf, op, S, sh, opc, N, hw;
		field<31, 31>(w, &sf);
		if (is(w, 0x1f800000, 0x11000000)) {  // ADD/SUB (immediate)
			field<30, 30>(w, &op);
			field<29, 29>(w, &S);
			field<22, 22>(w, &sh);
			const u64 imm = zext<64>(extract<21, 10>(w)) << u64(sh ? 12 : 0);
			wr(w, 0, sf, add_sub(sf, op, S, rd(w, 5, sf, true), imm), !S);
			return go(off + 4);
		}
		if (is(w, 0x1f800000, 0x13000000)) {  // SBFM / UBFM
			field<30, 29>(w, &opc);
			field<22, 22>(w, &N);
			if (N != sf || (opc != 0 && opc != 2))
				return stop(Status::UNDECODED, "bitfield form");
			const unsigned W = sf ? 64 : 32;
			const u64 immr = zext<64>(extract<21, 16>(w)), imms = zext<64>(extract<15, 10>(w));
			const u64 src = rd(w, 5, sf);
			uint64_t r0, s0;
			if (State<D>::template const_of<6>(extract<21, 16>(w), &r0) &&
		    State<D>::template const_of<6>(extract<15, 10>(w), &s0) && r0 == 0 && (s0 == 7 || s0 == 15 || s0 == 31)) {
				// SXTB/SXTH/SXTW, UXTB/UXTH/(32-bit move): an extension.
				const u64 lo = s0 == 7 ? zext<64>(trunc<8>(src)) : s0 == 15 ? zext<64>(trunc<16>(src)) : zext<64>(trunc<32>(src));
				const u64 sx = s0 == 7 ? sext<64>(trunc<8>(src)) : s0 == 15 ? sext<64>(trunc<16>(src)) : sext<64>(trunc<32>(src));
				wr(w, 0, sf, opc == 0 ? sx : lo);
				return go(off + 4);
			}
			if (!sf && !D::when(ult(immr, u64(32)) && ult(imms, u64(32)), "bitfield.w_fields"))
				return stop(Status::UNDECODED, "bitfield with 32-bit fields >= 32");
			// imms >= immr: bits imms..immr of src to the bottom; else bits
			// imms..0 to position W - immr. Then sign- or zero-extended
			// from the top bit of the field.
			const u64 Wv(W);
			const Bool low = uge(imms, immr);
			const u64 width = select(low, imms - immr + u64(1), imms + u64(1));
			const u64 field_v = select(low, src >> immr, src);
			const u64 pos = select(low, u64(0), Wv - immr);
			const u64 fmask = select(width == u64(64), u64(~0ull), (u64(1) << width) - u64(1));
			u64 r = (field_v & fmask) << pos;
			if (opc == 0) {
				const u64 top = width + pos;  // bits above the field take its sign
				const Bool neg = ((r >> (top - u64(1))) & u64(1)) == u64(1);
				const u64 above = select(top == u64(64), u64(0), ~u64(0) << top);
				r = select(neg, r | above, r);
			}
			wr(w, 0, sf, r);
			return go(off + 4);
		}
		if (is(w, 0x1f800000, 0x12800000)) {  // MOVN / MOVZ / MOVK
			field<30, 29>(w, &opc);
			field<22, 21>(w, &hw);
			if (opc == 1 || (!sf && hw > 1))
				return stop(Status::UNDECODED, "move wide form");
			const u16 imm16 = extract<20, 5>(w);
			u64 r = insert16(opc == 3 ? s.get(reg(w, 0)) : u64(0), imm16, hw);
			if (opc == 0)
				r = ~r;
			wr(w, 0, sf, r);
			return go(off + 4);
		}
		return stop(Status::UNDECODED, "data-processing (immediate) form");
	}

	// A load or store of Rt at addr: size, opc (0 STR, 1 LDR, 2 LDRS to 64).
	Next ldst_at(const u32 &w, uint32_t off, uint64_t size, uint64_t opc, const u64 &addr) {
		const unsigned bytes = 1u << size;
		if (opc == 0) {
			env.store(bytes, addr, s.get(reg(w, 0)) & u64(bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1),
				  Access::DATA);
			return go(off + 4);
		}
		if (opc == 2 && size == 3)
			return stop(Status::UNDECODED, "prefetch");
		u64 v = env.load(bytes, addr, Access::DATA);
		if (opc == 2)
			v = bytes == 1 ? sext<64>(trunc<8>(v)) : bytes == 2 ? sext<64>(trunc<16>(v)) : sext<64>(trunc<32>(v));
		else if (opc == 3)
			return stop(Status::UNDECODED, "LDRS to a W register");
		s.set(reg(w, 0), v);
		return go(off + 4);
	}
	// sp as a base must be 16-byte aligned (the SP alignment check).
	bool base(const u32 &w, u64 *addr) {
		const u5 n = reg(w, 5);
		*addr = s.get(n, true);
		uint64_t k;
		if (State<D>::template const_of<5>(n, &k) && k == 31)
			return D::when((s.sp & u64(15)) == u64(0), "sp_aligned");
		return true;
	}

	Next loads_stores(const u32 &w, uint32_t off) {
		uint64_t size, opc, L, idx;
		field<31, 30>(w, &size);
		field<23, 22>(w, &opc);
		u64 addr(0);
		if (is(w, 0x3b000000, 0x39000000)) {  // unsigned immediate, scaled
			if (!base(w, &addr))
				return stop(Status::TRAP, "sp misaligned");
			return ldst_at(w, off, size, opc, addr + (zext<64>(extract<21, 10>(w)) << u64(size)));
		}
		if (is(w, 0x3b200c00, 0x38000000)) {  // unscaled signed immediate
			if (!base(w, &addr))
				return stop(Status::TRAP, "sp misaligned");
			return ldst_at(w, off, size, opc, addr + sext<64>(extract<20, 12>(w)));
		}
		if (is(w, 0x3b20fc00, 0x38206800)) {  // register offset, LSL #0
			if (!base(w, &addr))
				return stop(Status::TRAP, "sp misaligned");
			return ldst_at(w, off, size, opc, addr + s.get(reg(w, 16)));
		}
		if (is(w, 0xfe000000, 0xa8000000)) {  // STP/LDP (64-bit), pre/post index
			field<24, 23>(w, &idx);
			field<22, 22>(w, &L);
			if (idx != 1 && idx != 3)
				return stop(Status::UNDECODED, "pair form");
			if (!base(w, &addr))
				return stop(Status::TRAP, "sp misaligned");
			const u64 delta = sext<64>(extract<21, 15>(w)) << u64(3);
			const u64 at = idx == 3 ? addr + delta : addr;
			const u5 t1 = reg(w, 0), t2 = reg(w, 10), n = reg(w, 5);
			const Access k = Access::STACK;
			if (L) {
				const u64 v1 = env.load(8, at, k), v2 = env.load(8, at + u64(8), k);
				s.set(t1, v1);
				s.set(t2, v2);
			} else {
				env.store(8, at, s.get(t1), k);
				env.store(8, at + u64(8), s.get(t2), k);
			}
			s.set(n, addr + delta, true);  // writeback
			return go(off + 4);
		}
		return atomics(w, off);
	}

	Next atomics(const u32 &w, uint32_t off) {
		uint64_t size, o3, opc;
		field<31, 30>(w, &size);
		const bool sf = size == 3;
		const unsigned bytes = sf ? 8 : 4;
		if (size < 2)
			return stop(Status::UNDECODED, "byte/halfword exclusive or atomic");
		const u64 a = s.get(reg(w, 5), true);
		if (is(w, 0x3f200c00, 0x38200000)) {  // LDADD/LDCLR/LDEOR/LDSET/SWP
			field<15, 15>(w, &o3);
			field<14, 12>(w, &opc);
			if ((o3 && opc != 0) || (!o3 && opc > 3))
				return stop(Status::UNDECODED, "atomic memory operation");
			const u64 old = env.load(bytes, a, Access::ATOMIC), op = rd(w, 16, sf);
			u64 nv = o3 ? op : opc == 0 ? old + op : opc == 1 ? old & ~op : opc == 2 ? old ^ op : old | op;
			env.store(bytes, a, nv & wmask(sf), Access::ATOMIC);
			wr(w, 0, sf, old);
			return go(off + 4);
		}
		if (is(w, 0x3fa07c00, 0x08a07c00)) {  // CAS
			const u64 old = env.load(bytes, a, Access::ATOMIC), cmp = rd(w, 16, sf);
			if (D::when(old == cmp, "cas_equal"))
				env.store(bytes, a, rd(w, 0, sf), Access::ATOMIC);
			wr(w, 16, sf, old);
			return go(off + 4);
		}
		if (is(w, 0x3ffffc00, 0x085f7c00)) {  // LDXR
			const u64 v = env.load(bytes, a, Access::ATOMIC);
			s.excl = Bool(true);
			s.excl_addr = a;
			s.excl_val = v;
			wr(w, 0, sf, v);
			return go(off + 4);
		}
		if (is(w, 0x3fe07c00, 0x08007c00)) {  // STXR/STLXR
			const u64 cur = env.load(bytes, a, Access::ATOMIC);
			const Bool held = s.excl && s.excl_addr == a && s.excl_val == cur;
			const Bool ok = held && env.undef_bool("stxr_succeeds");
			env.store(bytes, a, select(ok, rd(w, 0, sf), cur), Access::ATOMIC);
			s.excl = Bool(false);
			s.set(reg(w, 16), select(ok, u64(0), u64(1)));  // the status: 0 stored
			return go(off + 4);
		}
		return stop(Status::UNDECODED, "load/store form");
	}

	Next branches(const u32 &w, uint32_t off) {
		uint64_t cond, link, sf, nz;
		if (is(w, 0xff000010, 0x54000000)) {  // B.cond
			field<3, 0>(w, &cond);
			return branch_if(off, cond_holds(cond), sext<64>(extract<23, 5>(w)) << u64(2), "b.cond taken");
		}
		if (is(w, 0x7c000000, 0x14000000)) {  // B / BL
			field<31, 31>(w, &link);
			const u64 disp = sext<64>(extract<25, 0>(w)) << u64(2);
			if (!link)
				return branch(off, disp);
			return stop(Status::UNDECODED, "BL");
		}
		if (is(w, 0x7e000000, 0x34000000)) {  // CBZ / CBNZ
			field<31, 31>(w, &sf);
			field<24, 24>(w, &nz);
			const Bool zero = rd(w, 0, sf) == u64(0);
			return branch_if(off, nz ? !zero : zero, sext<64>(extract<23, 5>(w)) << u64(2), "cb taken");
		}
		if (is(w, 0xfffffc1f, 0xd63f0000)) {  // BLR
			const u64 target = s.get(reg(w, 5));
			s.x[30] = code.base + u64(off + 4);
			s.forget_quotient(-1);
			env.call(target, s);
			return go(off + 4);
		}
		if (is(w, 0xfffffc1f, 0xd65f0000))  // RET Xn
			return Next{Status::RETURNED, 0, s.get(reg(w, 5)), "ret"};
		if (is(w, 0xffffffff, 0xd5033bbf) || is(w, 0xffffffff, 0xd503379f)) {  // DMB ISH, DSB NSH
			env.fence(is(w, 0xffffffff, 0xd5033bbf) ? "dmb ish" : "dsb nsh");
			return go(off + 4);
		}
		if (is(w, 0xffffffff, 0xd5033fdf))  // ISB: no architectural effect on the state
			return go(off + 4);
		if (is(w, 0xfffff01f, 0xd503201f)) {  // HINT
			uint64_t h;
			field<11, 5>(w, &h);
			if (h == 34 || h == 36 || h == 38)  /* BTI c, j, jc */
				env.landing(off, (unsigned)h);
			if (h == 0 || h == 25 || h == 29 || h == 34 || h == 36 || h == 38)
				return go(off + 4);
		}
		return stop(Status::UNDECODED, "branch/system form");
	}

	Next step(uint32_t off) {
		if (off + 4 > code.len || (off & 3))
			return stop(Status::UNDECODED, "ran past the code");
		const u32 w = concat(concat(code.bytes[off + 3], code.bytes[off + 2]),
				     concat(code.bytes[off + 1], code.bytes[off]));
		uint64_t op0, hi3;
		term_field_ = false;
		// Bits 28:26 first: in the branch group bit 25 belongs to imm26.
		if (!field<28, 26>(w, &hi3))
			return stop(Status::UNDECODED, "a term where the encoding group is");
		if (hi3 == 5)
			op0 = 0xa;
		else if (!field<28, 25>(w, &op0))
			return stop(Status::UNDECODED, "a term where the encoding group is");
		Next n = stop(Status::UNDECODED, "encoding group");
		switch (op0) {
		case 0x8: case 0x9: n = data_imm(w, off); break;
		case 0xa: case 0xb: n = branches(w, off); break;
		case 0x4: case 0x6: case 0xc: case 0xe: n = loads_stores(w, off); break;
		case 0x5: case 0xd: n = data_reg(w, off); break;
		}
		if (term_field_)
			return stop(Status::UNDECODED, "a term where an opcode field is");
		return n;
	}
};

} // namespace model
} // namespace arm64
} // namespace vjit

#endif
