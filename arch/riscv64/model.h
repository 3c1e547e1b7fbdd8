// SPDX-License-Identifier: GPL-2.0
// The riscv64 ISA model: the meaning of the RV64IMA instructions the
// riscv64 JIT emits, written over a domain D and decoding the emitted
// 32-bit words themselves (the unprivileged spec, chapters 2 (RV32I), 5
// (RV64I), 7 (M) and 8 (A)).
//
// With D = Concrete it runs emitted code in tests, where it is compared with
// qemu-riscv64 (selftests/riscv64/model_test.cc); with D = Symbolic it gives
// emitted code its meaning in the refinement proofs. Register fields may be
// symbolic (the register map applied to a symbolic BPF register): reads and
// writes then select over the register file. The opcode, funct3 and funct7
// fields must be numbers (every encoder emits them as such); a word whose
// fields are not, or that is not one of the modelled forms, stops the run
// as UNDECODED.
//
// LR/SC: lr records a reservation (address and the value read). sc is one
// atomic step that reads the location and succeeds only while the
// reservation holds, which the model states as "reserved, same address,
// and the location still holds the value lr read", and otherwise may fail
// at any time (a fresh undefined choice); it writes what it read back when
// it fails, so the checker sees every sc as a read-modify-write of the
// location. The aq/rl bits are reported with the accesses.
//
// Hosted (tests and verifier), not part of the freestanding codegen.
#ifndef VJIT_ARCH_RISCV64_MODEL_H
#define VJIT_ARCH_RISCV64_MODEL_H

#include "core/bv.h"

namespace vjit {
namespace riscv64 {
namespace model {

// Kinds of memory access, as the Env sees them.
enum class Access : uint8_t {
	DATA,            // a load or store
	ATOMIC,          // an AMO, lr or sc without both aq and rl
	ATOMIC_ORDERED,  // an AMO, lr or sc with aq and rl (fully ordered)
};

enum class Status : uint8_t {
	RUNNING,    // still inside the code
	EXITED,     // left the code: fell off its end or jumped out
	RETURNED,   // jalr zero, 0(ra)
	TRAP,       // an illegal instruction
	UNDECODED,  // a form the model does not know, or words ran out
	CUT,        // Env::at asked to stop before an instruction
};

template <typename D>
struct State {
	VJIT_DOMAIN_TYPES(D);
	u64 x[32];  // x[0] is never read (x0 reads as zero)
	// The LR reservation.
	Bool res_valid{false};
	u64 res_addr, res_val;

	u64 get(typename D::template BV<5> n) const {
		uint64_t k;
		if (const_of<5>(n, &k))
			return k ? x[k] : u64(0);
		u64 v = u64(0);
		for (unsigned i = 1; i < 32; i++)
			v = select(n == typename D::template BV<5>(i), x[i], v);
		return v;
	}
	void set(typename D::template BV<5> n, u64 v) {
		uint64_t k;
		if (const_of<5>(n, &k)) {
			if (k)
				x[k] = v;
			return;
		}
		for (unsigned i = 1; i < 32; i++)
			x[i] = select(n == typename D::template BV<5>(i), v, x[i]);
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
};

template <typename D>
struct Stop {
	Status status = Status::RUNNING;
	typename D::template BV<64> pc;  // absolute: where control went (EXITED, RETURNED)
	uint32_t at = 0;                 // offset of the last instruction executed
	const char *why = "";
	unsigned steps = 0;
};

// The code being run: bytes (domain values) at an absolute base address.
template <typename D>
struct Code {
	const typename D::template BV<8> *bytes;
	uint32_t len;
	typename D::template BV<64> base;
};

// Env, provided by the user of the model:
//   u64  load(unsigned bytes, u64 addr, Access k)
//   void store(unsigned bytes, u64 addr, u64 v, Access k)
//   void call(u64 target, State<D> &s)   jalr ra to outside the code (a
//                                        helper): the callee's effect; the
//                                        run goes on at the return address
//   void fence()                         a fence ran
//   Bool undef_bool(const char *what)    an undefined choice (sc failing)
//   bool at(uint32_t off, State<D> &s)   before each instruction; it may
//                                        change the state (loop invariants,
//                                        other CPUs' stores); false stops the
//                                        run (CUT)
template <typename D, typename Env>
class Machine {
	VJIT_DOMAIN_TYPES(D);
	using u5 = typename D::template BV<5>;

public:
	State<D> &s;
	Env &env;
	const Code<D> &code;

	Machine(State<D> &st, Env &e, const Code<D> &c) : s(st), env(e), code(c) {}

	// Runs from offset `start` until control leaves the code, a return, a
	// trap, or max_steps instructions.
	Stop<D> run(uint32_t start = 0, unsigned max_steps = 512) {
		Stop<D> st;
		uint32_t off = start;
		while (st.steps < max_steps) {
			if (off == code.len) {
				st.status = Status::EXITED;
				st.pc = code.base + u64(off);
				return st;
			}
			st.at = off;
			if (!env.at(off, s)) {
				st.status = Status::CUT;
				st.pc = code.base + u64(off);
				st.why = "cut before the instruction";
				return st;
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

	u64 pc_of(uint32_t off) const { return code.base + u64(off); }

	// A target known as a number stays inside the code when it lands in
	// it (or at its end); any other leaves it, with its address.
	Next jump_rel(uint32_t off, u64 rel) {
		uint64_t k;
		if (State<D>::template const_of<64>(rel, &k)) {
			const uint64_t t = (uint64_t)off + k;
			if (t <= code.len && t % 4 == 0)
				return go((uint32_t)t);
		}
		return Next{Status::EXITED, 0, pc_of(off) + rel, "jump out"};
	}

	static u64 sx32(u32 v) { return sext<64>(v); }

	// ---- immediates (spec 2.3, "Immediate Encoding Variants") ----
	static u64 imm_i(u32 w) { return sext<64>(extract<31, 20>(w)); }
	static u64 imm_s(u32 w) { return sext<64>(concat(extract<31, 25>(w), extract<11, 7>(w))); }
	static u64 imm_b(u32 w) {
		return sext<64>(concat(concat(extract<31, 31>(w), extract<7, 7>(w)),
				       concat(concat(extract<30, 25>(w), extract<11, 8>(w)), typename D::template BV<1>(0))));
	}
	static u64 imm_u(u32 w) { return sext<64>(concat(extract<31, 12>(w), typename D::template BV<12>(0))); }
	static u64 imm_j(u32 w) {
		return sext<64>(concat(concat(extract<31, 31>(w), extract<19, 12>(w)),
				       concat(concat(extract<20, 20>(w), extract<30, 21>(w)), typename D::template BV<1>(0))));
	}

	u64 load_ext(unsigned bytes, bool is_unsigned, const u64 &addr, Access k) {
		const u64 v = env.load(bytes, addr, k);
		if (is_unsigned || bytes == 8)
			return v;
		if (bytes == 1)
			return sext<64>(trunc<8>(v));
		if (bytes == 2)
			return sext<64>(trunc<16>(v));
		return sext<64>(trunc<32>(v));
	}

	Next step(uint32_t off) {
		if (off + 4 > code.len || off % 4)
			return stop(Status::UNDECODED, "word past the end of the code");
		const u32 w = concat(concat(code.bytes[off + 3], code.bytes[off + 2]),
				     concat(code.bytes[off + 1], code.bytes[off]));
		uint64_t opcode, f3 = 0, f7 = 0;
		if (!State<D>::template const_of<7>(extract<6, 0>(w), &opcode))
			return stop(Status::UNDECODED, "opcode not a number");
		// funct3 where the format has one (U and J: immediate bits).
		const bool has_f3 = opcode != 0x37 && opcode != 0x17 && opcode != 0x6f;
		if (has_f3 && !State<D>::template const_of<3>(extract<14, 12>(w), &f3))
			return stop(Status::UNDECODED, "funct3 not a number");
		// funct7 (R-type, AMO) where it is one; immediate bits elsewhere.
		const bool f7_known = State<D>::template const_of<7>(extract<31, 25>(w), &f7);
		if (!f7_known && (opcode == 0x33 || opcode == 0x3b || opcode == 0x2f))
			return stop(Status::UNDECODED, "funct7 not a number");
		const u5 rd = extract<11, 7>(w), rs1 = extract<19, 15>(w), rs2 = extract<24, 20>(w);
		const u64 a = s.get(rs1), b = s.get(rs2);
		switch (opcode) {
		case 0x37: s.set(rd, imm_u(w)); return go(off + 4);                 // lui
		case 0x17: s.set(rd, pc_of(off) + imm_u(w)); return go(off + 4);    // auipc
		case 0x6f:                                                            // jal
			s.set(rd, pc_of(off + 4));
			return jump_rel(off, imm_j(w));
		case 0x67: return jalr(off, w, f3, rd, rs1, a);
		case 0x63: return branch(off, w, f3, a, b);
		case 0x03: {                                                          // loads
			if (f3 == 7)
				return stop(Status::TRAP, "illegal load width");
			s.set(rd, load_ext(1u << (f3 & 3), f3 & 4, a + imm_i(w), Access::DATA));
			return go(off + 4);
		}
		case 0x23:                                                            // stores
			if (f3 > 3)
				return stop(Status::TRAP, "illegal store width");
			env.store(1u << f3, a + imm_s(w), b, Access::DATA);
			return go(off + 4);
		case 0x13: return op_imm(off, w, f3, rd, a);
		case 0x1b: return op_imm32(off, w, f3, rd, a);
		case 0x33: return op(off, f3, f7, rd, a, b, false);
		case 0x3b: return op(off, f3, f7, rd, a, b, true);
		case 0x2f: return amo(off, w, f3, f7, rd, rs2, a, b);
		case 0x0f:
			if (f3 != 0)
				return stop(Status::UNDECODED, "fence.i / cbo");
			env.fence();
			return go(off + 4);
		}
		return stop(Status::UNDECODED, "opcode");
	}

	// jalr's target: the sum with bit 0 cleared. Written as a case on bit
	// 0 so that a path where it is 0 (every jump the lowering emits) has
	// the plain sum: bit 0 of a sum needs no carries, the sum with its bit
	// 0 cleared needs all of them.
	u64 jalr_target(const u64 &sum) {
		if (D::when(extract<0, 0>(sum) == typename D::template BV<1>(0), "jalr.target_even"))
			return sum;
		return sum & ~u64(1);
	}

	// jalr zero, 0(ra): return; jalr ra: a call out of the code, back at
	// off + 4; jalr zero: a jump (out, unless its target is a number in the
	// code).
	Next jalr(uint32_t off, const u32 &w, uint64_t f3, const u5 &rd, const u5 &rs1, const u64 &a) {
		if (f3 != 0)
			return stop(Status::TRAP, "jalr funct3");
		const u64 target = jalr_target(a + imm_i(w));
		uint64_t d, r1;
		if (!State<D>::template const_of<5>(rd, &d))
			return stop(Status::UNDECODED, "jalr rd not a number");
		if (d == 1) {
			s.set(rd, pc_of(off + 4));
			env.call(target, s);
			return go(off + 4);
		}
		if (d != 0)
			return stop(Status::UNDECODED, "jalr rd other than zero or ra");
		if (State<D>::template const_of<5>(rs1, &r1) && r1 == 1 && State<D>::template const_of<12>(extract<31, 20>(w), &d) &&
		    d == 0)
			return Next{Status::RETURNED, 0, target, "ret"};
		return Next{Status::EXITED, 0, target, "jump out"};
	}

	Next branch(uint32_t off, const u32 &w, uint64_t f3, const u64 &a, const u64 &b) {
		Bool c = Bool(false);
		switch (f3) {
		case 0: c = a == b; break;
		case 1: c = a != b; break;
		case 4: c = slt(a, b); break;
		case 5: c = sge(a, b); break;
		case 6: c = ult(a, b); break;
		case 7: c = uge(a, b); break;
		default: return stop(Status::TRAP, "branch funct3");
		}
		if (D::when(c, "branch.taken"))
			return jump_rel(off, imm_b(w));
		return go(off + 4);
	}

	// The shift-immediate funct6 (RV64: imm[11:6]) or funct7 (W: imm[11:5]).
	Next op_imm(uint32_t off, const u32 &w, uint64_t f3, const u5 &rd, const u64 &a) {
		const u64 imm = imm_i(w);
		uint64_t f6 = 0;
		if ((f3 == 1 || f3 == 5) && !State<D>::template const_of<6>(extract<31, 26>(w), &f6))
			return stop(Status::UNDECODED, "shift funct6 not a number");
		const u64 sh = zext<64>(extract<25, 20>(w));
		switch (f3) {
		case 0: s.set(rd, a + imm); break;                                    // addi
		case 2: s.set(rd, select(slt(a, imm), u64(1), u64(0))); break;       // slti
		case 3: s.set(rd, select(ult(a, imm), u64(1), u64(0))); break;       // sltiu
		case 4: s.set(rd, a ^ imm); break;                                    // xori
		case 6: s.set(rd, a | imm); break;                                    // ori
		case 7: s.set(rd, a & imm); break;                                    // andi
		case 1:
			if (f6 != 0)
				return stop(Status::TRAP, "slli funct6");
			s.set(rd, a << sh);
			break;
		case 5:
			if (f6 == 0)
				s.set(rd, a >> sh);                                   // srli
			else if (f6 == 0x10)
				s.set(rd, ashr(a, sh));                               // srai
			else
				return stop(Status::TRAP, "srli/srai funct6");
			break;
		}
		return go(off + 4);
	}

	Next op_imm32(uint32_t off, const u32 &w, uint64_t f3, const u5 &rd, const u64 &a) {
		uint64_t f7 = 0;
		if (f3 != 0 && !State<D>::template const_of<7>(extract<31, 25>(w), &f7))
			return stop(Status::UNDECODED, "shift funct7 not a number");
		const u32 a32 = trunc<32>(a), sh = zext<32>(extract<24, 20>(w));
		switch (f3) {
		case 0: s.set(rd, sx32(trunc<32>(a + imm_i(w)))); return go(off + 4);   // addiw
		case 1:
			if (f7 != 0)
				return stop(Status::TRAP, "slliw funct7");
			s.set(rd, sx32(a32 << sh));
			return go(off + 4);
		case 5:
			if (f7 == 0)
				s.set(rd, sx32(a32 >> sh));                                   // srliw
			else if (f7 == 0x20)
				s.set(rd, sx32(ashr(a32, sh)));                               // sraiw
			else
				return stop(Status::TRAP, "srliw/sraiw funct7");
			return go(off + 4);
		}
		return stop(Status::TRAP, "OP-IMM-32 funct3");
	}

	// RISC-V division (spec 7.2, table "Semantics for division by zero
	// and division overflow"), its special cases stated as the table
	// states them: x / 0 = all ones, x % 0 = x; the signed x / -1 = -x
	// (INT_MIN / -1 = INT_MIN) and x % -1 = 0.
	template <unsigned W>
	static typename D::template BV<W> mdiv(uint64_t f3, const typename D::template BV<W> &x,
					       const typename D::template BV<W> &y, bool *ok) {
		using V = typename D::template BV<W>;
		*ok = true;
		switch (f3) {
		case 0: return x * y;
		case 4: return select(y == V(0), ~V(0), select(y == ~V(0), -x, sdiv(x, y)));
		case 5: return select(y == V(0), ~V(0), udiv(x, y));
		case 6: return select(y == V(0), x, select(y == ~V(0), V(0), srem(x, y)));
		case 7: return select(y == V(0), x, urem(x, y));
		}
		*ok = false;
		return V(0);
	}

	Next op(uint32_t off, uint64_t f3, uint64_t f7, const u5 &rd, const u64 &a, const u64 &b, bool w32) {
		bool ok = true;
		if (f7 == 1) {
			if (w32)
				s.set(rd, sx32(mdiv<32>(f3, trunc<32>(a), trunc<32>(b), &ok)));
			else
				s.set(rd, mdiv<64>(f3, a, b, &ok));
			return ok ? go(off + 4) : stop(Status::UNDECODED, "mulh*");
		}
		if (w32) {
			const u32 x = trunc<32>(a), y = trunc<32>(b), sh = y & u32(31);
			if (f7 == 0 && f3 == 0) s.set(rd, sx32(x + y));                 // addw
			else if (f7 == 0x20 && f3 == 0) s.set(rd, sx32(x - y));         // subw
			else if (f7 == 0 && f3 == 1) s.set(rd, sx32(x << sh));          // sllw
			else if (f7 == 0 && f3 == 5) s.set(rd, sx32(x >> sh));          // srlw
			else if (f7 == 0x20 && f3 == 5) s.set(rd, sx32(ashr(x, sh)));   // sraw
			else return stop(Status::TRAP, "OP-32 funct");
			return go(off + 4);
		}
		const u64 sh = b & u64(63);
		if (f7 == 0x20) {
			if (f3 == 0) s.set(rd, a - b);                                   // sub
			else if (f3 == 5) s.set(rd, ashr(a, sh));                        // sra
			else return stop(Status::TRAP, "OP funct7");
			return go(off + 4);
		}
		if (f7 != 0)
			return stop(Status::TRAP, "OP funct7");
		switch (f3) {
		case 0: s.set(rd, a + b); break;
		case 1: s.set(rd, a << sh); break;
		case 2: s.set(rd, select(slt(a, b), u64(1), u64(0))); break;
		case 3: s.set(rd, select(ult(a, b), u64(1), u64(0))); break;
		case 4: s.set(rd, a ^ b); break;
		case 5: s.set(rd, a >> sh); break;
		case 6: s.set(rd, a | b); break;
		case 7: s.set(rd, a & b); break;
		}
		return go(off + 4);
	}

	// The A extension: rd = *(rs1); *(rs1) = *(rs1) OP rs2, one step.
	Next amo(uint32_t off, const u32 &w, uint64_t f3, uint64_t f7, const u5 &rd, const u5 &rs2, const u64 &addr,
		 const u64 &b) {
		if (f3 != 2 && f3 != 3)
			return stop(Status::TRAP, "AMO width");
		const unsigned bytes = f3 == 2 ? 4 : 8;
		const Access k = (f7 & 3) == 3 ? Access::ATOMIC_ORDERED : Access::ATOMIC;
		auto widen = [&](const u64 &v) { return bytes == 4 ? sx32(trunc<32>(v)) : v; };
		auto narrow = [&](const u64 &v) { return bytes == 4 ? zext<64>(trunc<32>(v)) : v; };
		const uint64_t funct5 = f7 >> 2;
		(void)w;
		if (funct5 == 0x02) {                                                 // lr
			uint64_t r2;
			if (!State<D>::template const_of<5>(rs2, &r2) || r2 != 0)
				return stop(Status::TRAP, "lr with rs2 != 0");
			const u64 v = env.load(bytes, addr, k);
			s.res_valid = Bool(true);
			s.res_addr = addr;
			s.res_val = v;
			s.set(rd, widen(v));
			return go(off + 4);
		}
		const u64 cur = env.load(bytes, addr, k);
		if (funct5 == 0x03) {                                                 // sc
			const Bool held = s.res_valid && s.res_addr == addr && s.res_val == cur;
			const Bool ok = held && env.undef_bool("sc_succeeds");
			env.store(bytes, addr, select(ok, narrow(b), cur), k);
			s.res_valid = Bool(false);
			s.set(rd, select(ok, u64(0), u64(1)));
			return go(off + 4);
		}
		u64 nv;
		switch (funct5) {
		case 0x00: nv = cur + b; break;    // amoadd
		case 0x01: nv = b; break;          // amoswap
		case 0x04: nv = cur ^ b; break;    // amoxor
		case 0x08: nv = cur | b; break;    // amoor
		case 0x0c: nv = cur & b; break;    // amoand
		default: return stop(Status::UNDECODED, "AMO funct5");
		}
		env.store(bytes, addr, narrow(nv), k);
		s.set(rd, widen(cur));
		return go(off + 4);
	}
};

} // namespace model
} // namespace riscv64
} // namespace vjit

#endif
