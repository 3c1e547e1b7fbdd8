// SPDX-License-Identifier: GPL-2.0
// The x86-64 ISA model: the meaning of the instruction forms a BPF JIT emits,
// written over a domain D and decoding the bytes themselves (Intel SDM
// Vol. 2, chapter 2 for the encoding, chapters 3-4 for each instruction).
//
// With D = Concrete it runs emitted code in tests, where it is compared with
// the real CPU (selftests/x86_64/model_test.cc); with D = Symbolic it
// gives emitted code its meaning in the refinement proofs. Decoding
// decisions that depend on symbolic bytes (a REX bit, a ModRM field that
// names a register chosen through the register map) go through D::when, so
// the verifier's explorer splits on them like on the lowering's own guards.
//
// Modelled: 8/16/32/64-bit operand sizes (66 prefix, REX.W), REX.R/X/B,
// ModRM/SIB with disp8/disp32 (no RIP-relative), the LOCK prefix (recorded on
// the memory accesses), CF/ZF/SF/OF (PF/AF are not; flags an instruction
// leaves undefined become Env::undef values, so code that relies on them
// cannot be proved). Divide errors (#DE) and int3/ud2 stop the run as TRAP.
// Anything else stops it as UNDECODED.
//
// Hosted (tests and verifier), not part of the freestanding codegen.
#ifndef VJIT_ARCH_X86_64_MODEL_H
#define VJIT_ARCH_X86_64_MODEL_H

#include "core/bv.h"

namespace vjit {
namespace x86_64 {
namespace model {

// Kinds of memory access, as the Env sees them.
enum class Access : uint8_t {
	DATA,    // an explicit memory operand
	ATOMIC,  // an explicit memory operand under LOCK (or xchg's implicit lock)
	STACK,   // push, pop, call, ret
};

enum class Status : uint8_t {
	RUNNING,    // still inside the code
	EXITED,     // left the code: fell off its end or jumped/called out
	RETURNED,   // executed ret
	TRAP,       // #DE, int3, ud2
	UNDECODED,  // a form the model does not know, or bytes ran out
	CUT,        // Env::at asked to stop before an instruction
};

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
	u64 gpr[16];          // numbered as in ModRM: rax rcx rdx rbx rsp rbp rsi rdi r8..r15
	Bool cf{false}, zf{false}, sf{false}, of{false};  // the flags BPF lowering can rely on

	u64 get(u4 n) const {
		uint64_t k;
		if (const_of<4>(n, &k))
			return gpr[k];
		u64 v = gpr[0];
		for (unsigned i = 1; i < 16; i++)
			v = select(n == u4(i), gpr[i], v);
		return v;
	}
	void set(u4 n, u64 v) {
		uint64_t k;
		if (const_of<4>(n, &k)) {
			gpr[k] = v;
			return;
		}
		for (unsigned i = 0; i < 16; i++)
			gpr[i] = select(n == u4(i), v, gpr[i]);
	}

	// The plain number of a value when it has one (always, concretely).
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

// Where a run stopped.
template <typename D>
struct Stop {
	Status status = Status::RUNNING;
	typename D::template BV<64> pc;  // absolute: where control went (EXITED, RETURNED)
	uint32_t at = 0;                 // offset of the last instruction executed
	const char *why = "";
	unsigned steps = 0;
};

// Barriers: no effect on registers, flags or memory (they only constrain
// speculation), so the model only reports that one ran.
enum class Fence { LFENCE, IBHF };

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
//   void call(u64 target, State<D> &s)     a call out of the code (helper):
//                                          the callee's effect on the state;
//                                          the return address is already pushed
//                                          and is popped by the model after
//   void fence(Fence f)                    a barrier with no architectural
//                                          effect (lfence, ibhf), recorded
//                                          so proofs can require one
//   void landing(uint32_t off)             an ENDBR64 ran at offset off: a
//                                          valid indirect-branch target under
//                                          IBT, no architectural effect
//   Bool undef_bool(const char *what)      an undefined flag
//   u64  undef64(const char *what)         an undefined value
// and optionally
//   bool at(uint32_t off, State<D> &s)     called before each instruction; it
//                                          may change the state (the verifier's
//                                          loop invariants, another CPU's
//                                          stores); false stops the run (CUT)

// Does Env have at(off, state)?
template <typename Env, typename S, typename = void>
struct has_at_hook {
	static constexpr bool value = false;
};
template <typename T>
T &declared_ref();  // unevaluated contexts only
template <typename Env, typename S>
struct has_at_hook<Env, S, decltype((void)static_cast<bool>(declared_ref<Env>().at(0u, declared_ref<S>())))> {
	static constexpr bool value = true;
};

template <typename D, typename Env>
class Machine {
	VJIT_DOMAIN_TYPES(D);

public:
	State<D> &s;
	Env &env;
	const Code<D> &code;

	Machine(State<D> &st, Env &e, const Code<D> &c) : s(st), env(e), code(c) {}

	// Runs from offset `start` until control leaves the code, a ret, a trap,
	// or max_steps instructions.
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

	// Decoder state of one instruction.
	struct Insn {
		uint32_t pos;       // next byte to fetch
		bool bad;           // ran past the code
		bool opsize16;      // 66
		bool lock;          // F0
		bool rep;           // F3
		bool lock_reg;      // F0 with a register operand (#UD)
		bool riprel;        // a RIP-relative ModRM (mod 00, r/m 101)
		bool rex;           // a REX prefix is present
		bool rex_w;
		u1 rex_r, rex_x, rex_b;
	};

	struct ModRM {
		bool is_reg;
		u4 reg;   // REX.R:ModRM.reg
		u4 rm;    // REX.B:ModRM.rm, when is_reg
		u8 reg3;  // ModRM.reg alone (the /digit of group opcodes)
		u64 addr; // when !is_reg
	};

	static Next go(uint32_t off) { return Next{Status::RUNNING, off, u64(0), ""}; }
	static Next stop(Status st, const char *why) { return Next{st, 0, u64(0), why}; }

	u8 fetch(Insn &in) {
		if (in.pos >= code.len) {
			in.bad = true;
			return u8(0);
		}
		return code.bytes[in.pos++];
	}
	// Little-endian, assembled by concatenation: the bytes a generator
	// emitted as extracts of one value then fold back into that value.
	u64 fetch_imm(Insn &in, unsigned bytes) {
		u8 b0 = fetch(in);
		if (bytes == 1)
			return zext<64>(b0);
		u16 h = concat(fetch(in), b0);
		if (bytes == 2)
			return zext<64>(h);
		typename D::template BV<24> t = concat(fetch(in), h);
		u32 w = concat(fetch(in), t);
		if (bytes == 4)
			return zext<64>(w);
		u64 v = zext<64>(w);
		for (unsigned i = 4; i < bytes; i++)
			v = v | (zext<64>(fetch(in)) << u64(8 * i));
		return v;
	}
	u64 fetch_simm(Insn &in, unsigned bytes) {
		u64 v = fetch_imm(in, bytes);
		if (bytes == 1)
			return sext<64>(trunc<8>(v));
		if (bytes == 2)
			return sext<64>(trunc<16>(v));
		if (bytes == 4)
			return sext<64>(trunc<32>(v));
		return v;
	}

	static u4 reg4(u1 hi, u8 lo3) { return concat(hi, trunc<3>(lo3)); }

	// ModRM (+SIB, displacement), SDM 2.1.5 and 2.2.1.
	bool modrm(Insn &in, ModRM &m) {
		if (!modrm_fields(in, m))
			return false;
		if (!lock_ok(in, m)) {
			in.lock_reg = true;
			return false;
		}
		return true;
	}
	bool modrm_fields(Insn &in, ModRM &m) {
		u8 b = fetch(in);
		u8 mod = b >> u8(6), reg = (b >> u8(3)) & u8(7), rm = b & u8(7);
		m.reg3 = reg;
		m.reg = reg4(in.rex_r, reg);
		if (D::when(mod == u8(3), "modrm.mod=reg")) {
			m.is_reg = true;
			m.rm = reg4(in.rex_b, rm);
			m.addr = u64(0);
			return !in.bad;
		}
		m.is_reg = false;
		m.rm = u4(0);
		u64 addr(0);
		bool no_base = false;
		if (D::when(rm == u8(4), "modrm.rm=sib")) {
			u8 sib = fetch(in);
			u8 scale = sib >> u8(6), index = (sib >> u8(3)) & u8(7), base = sib & u8(7);
			u4 idx = reg4(in.rex_x, index);
			if (!D::when(idx == u4(4), "sib.no_index"))
				addr = addr + (s.get(idx) << zext<64>(scale));
			if (D::when(mod == u8(0), "modrm.mod=0") && D::when(base == u8(5), "sib.no_base"))
				no_base = true;
			else
				addr = addr + s.get(reg4(in.rex_b, base));
		} else {
			if (D::when(mod == u8(0), "modrm.mod=0") && D::when(rm == u8(5), "modrm.riprel"))
				return !(in.riprel = true);  // RIP-relative: not emitted by the JIT
			addr = s.get(reg4(in.rex_b, rm));
		}
		if (no_base)
			addr = addr + fetch_simm(in, 4);
		else if (D::when(mod == u8(1), "modrm.disp8"))
			addr = addr + fetch_simm(in, 1);
		else if (D::when(mod == u8(2), "modrm.disp32"))
			addr = addr + fetch_simm(in, 4);
		m.addr = addr;
		return !in.bad;
	}

	static u64 mask(unsigned bits) { return u64(width_mask64(bits)); }
	static constexpr uint64_t width_mask64(unsigned bits) {
		return bits == 64 ? ~0ull : ((1ull << bits) - 1);
	}
	static Bool bsel(const Bool &c, const Bool &a, const Bool &b) {
		if constexpr (D::symbolic)
			return select(c, a, b);
		else
			return c ? a : b;
	}
	static Bool msb(u64 v, unsigned bits) { return ((v >> u64(bits - 1)) & u64(1)) == u64(1); }
	// v's low `bits` bits, sign-extended to 64.
	static u64 sext_from(const u64 &v, unsigned bits) {
		switch (bits) {
		case 8: return sext<64>(trunc<8>(v));
		case 16: return sext<64>(trunc<16>(v));
		case 32: return sext<64>(trunc<32>(v));
		}
		return v;
	}

	// Registers by size. Without REX, 8-bit register numbers 4-7 are
	// ah, ch, dh, bh (SDM 3.4.1.1, table 3-2).
	u64 read_reg(u4 n, unsigned bits, bool rex) {
		if (bits == 64)
			return s.get(n);
		if (bits != 8)
			return s.get(n) & mask(bits);
		if (rex || D::when(ult(n, u4(4)), "reg8.low"))
			return s.get(n) & u64(0xff);
		return (s.get(n - u4(4)) >> u64(8)) & u64(0xff);
	}
	// 32-bit writes zero-extend; 8- and 16-bit writes merge.
	void write_reg(u4 n, unsigned bits, u64 v, bool rex) {
		if (bits == 64) {
			s.set(n, v);
			return;
		}
		if (bits == 32) {
			s.set(n, v & mask(32));
			return;
		}
		if (bits == 16) {
			s.set(n, (s.get(n) & ~u64(0xffff)) | (v & u64(0xffff)));
			return;
		}
		if (rex || D::when(ult(n, u4(4)), "reg8.low")) {
			s.set(n, (s.get(n) & ~u64(0xff)) | (v & u64(0xff)));
			return;
		}
		u4 m = n - u4(4);
		s.set(m, (s.get(m) & ~u64(0xff00)) | ((v & u64(0xff)) << u64(8)));
	}
	Access data_access(const Insn &in) const { return in.lock ? Access::ATOMIC : Access::DATA; }
	// LOCK with a register operand is #UD.
	static bool lock_ok(const Insn &in, const ModRM &m) { return !(in.lock && m.is_reg); }
	u64 read_rm(const Insn &in, const ModRM &m, unsigned bits) {
		if (m.is_reg)
			return read_reg(m.rm, bits, in.rex);
		return env.load(bits / 8, m.addr, data_access(in));
	}
	void write_rm(const Insn &in, const ModRM &m, unsigned bits, u64 v) {
		if (m.is_reg)
			write_reg(m.rm, bits, v, in.rex);
		else
			env.store(bits / 8, m.addr, v & mask(bits), data_access(in));
	}

	void set_szf(u64 r, unsigned bits) {
		s.zf = (r & mask(bits)) == u64(0);
		s.sf = msb(r, bits);
	}
	void undef_flags() {
		s.cf = env.undef_bool("cf");
		s.zf = env.undef_bool("zf");
		s.sf = env.undef_bool("sf");
		s.of = env.undef_bool("of");
	}

	// The eight classic ALU operations (opcode bits 5:3): add or adc sbb and
	// sub xor cmp. Returns false for adc/sbb (not modelled).
	bool alu(unsigned op, unsigned bits, u64 a, u64 b, u64 *res) {
		u64 m = mask(bits);
		a = a & m;
		b = b & m;
		u64 r(0);
		switch (op) {
		case 0:  // add
			r = (a + b) & m;
			s.cf = ult(r, a);
			s.of = msb((a ^ r) & (b ^ r), bits);
			break;
		case 5:  // sub
		case 7:  // cmp
			// The flags are stated through comparisons of the operands:
			// equal to the SDM's bit formulas (ZF: r = 0; OF: the sign
			// of (a ^ b) & (a ^ r)), which the verifier's tests prove
			// for every width, and the form the BPF semantics uses for
			// its conditions, so that a proof relates like to like.
			r = (a - b) & m;
			s.cf = ult(a, b);
			s.zf = a == b;
			s.sf = msb(r, bits);
			s.of = s.sf != slt(sext_from(a, bits), sext_from(b, bits));
			*res = r;
			return true;
		case 1: r = a | b; s.cf = Bool(false); s.of = Bool(false); break;
		case 4: r = a & b; s.cf = Bool(false); s.of = Bool(false); break;
		case 6: r = a ^ b; s.cf = Bool(false); s.of = Bool(false); break;
		default:
			return false;
		}
		set_szf(r, bits);
		*res = r;
		return true;
	}

	// Group 2 shifts and rotates (C0/C1/D0/D1/D2/D3), SDM "SAL/SAR/SHL/SHR",
	// "RCL/RCR/ROL/ROR". Count masked to 5 bits (6 with REX.W).
	bool shift(unsigned op, unsigned bits, u64 a, u64 count, u64 *res) {
		u64 m = mask(bits);
		u64 c = count & u64(bits == 64 ? 63 : 31);
		a = a & m;
		u64 r(0);
		switch (op) {
		case 0: {  // rol
			u64 k = urem(c, u64(bits));
			r = ((a << k) | (a >> (u64(bits) - k))) & m;
			r = select(k == u64(0), a, r);
			break;
		}
		case 1: {  // ror
			u64 k = urem(c, u64(bits));
			r = ((a >> k) | (a << (u64(bits) - k))) & m;
			r = select(k == u64(0), a, r);
			break;
		}
		case 4: case 6: r = (a << c) & m; break;  // shl/sal
		case 5: r = a >> c; break;                // shr
		case 7: {                                 // sar
			r = ashr(sext_from(a, bits), c) & m;
			break;
		}
		default:
			return false;
		}
		// A zero count leaves the flags alone; otherwise CF and OF are
		// left undefined here (JIT code never reads them after a shift).
		Bool zero = c == u64(0);
		Bool ucf = env.undef_bool("cf"), uof = env.undef_bool("of");
		s.cf = bsel(zero, s.cf, ucf);
		s.of = bsel(zero, s.of, uof);
		if (op >= 4) {
			s.zf = bsel(zero, s.zf, (r & m) == u64(0));
			s.sf = bsel(zero, s.sf, msb(r, bits));
		}
		*res = r;
		return true;
	}

	// Condition codes (SDM appendix B.1), the low 4 bits of Jcc/SETcc/CMOVcc.
	Bool cond(unsigned cc) {
		Bool c(false);
		switch (cc >> 1) {
		case 0: c = s.of; break;                        // o
		case 1: c = s.cf; break;                        // b / c / nae
		case 2: c = s.zf; break;                        // e / z
		case 3: c = s.cf || s.zf; break;                // be / na
		case 4: c = s.sf; break;                        // s
		case 5: return env.undef_bool("pf");            // p: PF not modelled
		case 6: c = s.sf != s.of; break;                // l / nge
		case 7: c = s.zf || (s.sf != s.of); break;      // le / ng
		}
		return (cc & 1) ? !c : c;
	}

	Next jump_rel(uint32_t next, u64 rel) {
		// A target known as a number stays inside the code when it lands
		// in it; any other target leaves it (checked by the caller).
		uint64_t k;
		if (State<D>::template const_of<64>(rel, &k)) {
			uint64_t t = (uint64_t)next + k;
			if (t < code.len || t == next)
				return go((uint32_t)t);
			if (t == code.len)
				return go(code.len);
		}
		return Next{Status::EXITED, 0, code.base + u64(next) + rel, "jump out"};
	}

	static uint64_t cval(const u8 &b, bool *ok) {
		uint64_t k = 0;
		*ok = State<D>::template const_of<8>(b, &k);
		return k;
	}

	Next undecoded(const char *why) { return stop(Status::UNDECODED, why); }

	Next step(uint32_t off) {
		Insn in{};
		Next n = decode_exec(in, off);
		if (in.lock_reg)
			return stop(Status::TRAP, "#UD: lock with a register operand");
		if (in.riprel && n.status == Status::UNDECODED)
			return stop(Status::UNDECODED,
				    "a RIP-relative operand (ModRM mod 00, r/m 101), which the JIT never emits: "
				    "a base of rbp or r13 needs mod 01 and a zero disp8");
		return n;
	}

	Next decode_exec(Insn &in, uint32_t off) {
		in.pos = off;
		in.rex_r = in.rex_x = in.rex_b = u1(0);
		u8 b = fetch(in);
		// Legacy prefixes, then at most one REX immediately before the opcode.
		for (;;) {
			bool ok;
			uint64_t k = cval(b, &ok);
			if (ok && k == 0x66) { in.opsize16 = true; b = fetch(in); continue; }
			if (ok && k == 0xf0) { in.lock = true; b = fetch(in); continue; }
			if (ok && k == 0xf3) { in.rep = true; b = fetch(in); continue; }
			break;
		}
		if (D::when((b & u8(0xf0)) == u8(0x40), "rex")) {
			in.rex = true;
			in.rex_w = D::when((b & u8(8)) == u8(8), "rex.w");
			in.rex_r = trunc<1>(b >> u8(2));
			in.rex_x = trunc<1>(b >> u8(1));
			in.rex_b = trunc<1>(b);
			b = fetch(in);
		}
		if (in.bad)
			return undecoded("instruction runs past the code");
		const unsigned osz = in.rex_w ? 64 : in.opsize16 ? 16 : 32;
		u4 rlow = reg4(in.rex_b, b & u8(7));  // the register of +r forms
		bool ok;
		uint64_t op = cval(b, &ok);
		if (!ok) {
			// A register in the low 3 bits of the opcode (+r forms).
			static const uint8_t plus_r[] = { 0x50, 0x58, 0xb0, 0xb8 };
			for (uint8_t base : plus_r)
				if (D::when((b & u8(0xf8)) == u8(base), "opcode+r")) {
					op = base;
					ok = true;
					break;
				}
			if (!ok)
				return undecoded("opcode byte is not a number");
		} else if ((op & 0xf8) == 0x50 || (op & 0xf8) == 0x58 || (op & 0xf0) == 0xb0) {
			op &= 0xf8;
		}
		if (in.rep && op != 0x0f)
			return undecoded("F3 prefix: only ibhf (F3 REX.W 0F 1E F8) is modelled");
		if (in.lock && !(op == 0x0f || op == 0x01 || op == 0x09 || op == 0x21 || op == 0x31 ||
				 op == 0x29 || op == 0x87 || op == 0x86 || op == 0x80 || op == 0x81 ||
				 op == 0x83 || op == 0xf6 || op == 0xf7))
			return stop(Status::TRAP, "#UD: lock on a non-lockable instruction");
		ModRM m{};
		u64 r(0);

		// ALU ops: 00-3F except the x6/x7/xE/xF (segment, BCD, 0F) columns.
		if (op < 0x40 && (op & 7) < 6 && op != 0x0f) {
			unsigned aop = (unsigned)(op >> 3), form = (unsigned)(op & 7);
			unsigned bits = (form & 1) ? osz : 8;
			if (form <= 3) {
				if (!modrm(in, m))
					return undecoded("modrm");
				u64 a = read_rm(in, m, bits), c = read_reg(m.reg, bits, in.rex);
				bool to_reg = form & 2;
				if (to_reg) {
					u64 t = a; a = c; c = t;
				}
				if (!alu(aop, bits, a, c, &r))
					return undecoded("adc/sbb");
				if (aop != 7) {
					if (to_reg)
						write_reg(m.reg, bits, r, in.rex);
					else
						write_rm(in, m, bits, r);
				}
			} else {
				u64 imm = fetch_simm(in, form == 4 ? 1 : (bits == 16 ? 2 : 4));
				u4 rax(0);
				if (!alu(aop, bits, read_reg(rax, bits, in.rex), imm, &r))
					return undecoded("adc/sbb");
				if (aop != 7)
					write_reg(rax, bits, r, in.rex);
			}
			if (in.bad)
				return undecoded("instruction runs past the code");
			return go(in.pos);
		}

		switch (op) {
		case 0x0f:
			return step_0f(in, off);
		case 0x50: {  // push r64
			u64 v = s.get(rlow);
			u64 sp = s.gpr[4] - u64(8);
			env.store(8, sp, v, Access::STACK);
			s.gpr[4] = sp;
			return go(in.pos);
		}
		case 0x58: {  // pop r64
			u64 v = env.load(8, s.gpr[4], Access::STACK);
			s.gpr[4] = s.gpr[4] + u64(8);
			s.set(rlow, v);
			return go(in.pos);
		}
		case 0x63:  // movsxd r64, r/m32
			if (!modrm(in, m))
				return undecoded("modrm");
			r = sext<64>(trunc<32>(read_rm(in, m, 32)));
			write_reg(m.reg, osz, r, in.rex);
			return go(in.pos);
		case 0x68:  // push imm32
		case 0x6a: {
			u64 v = fetch_simm(in, op == 0x68 ? 4 : 1);
			u64 sp = s.gpr[4] - u64(8);
			env.store(8, sp, v, Access::STACK);
			s.gpr[4] = sp;
			return in.bad ? undecoded("imm") : go(in.pos);
		}
		case 0x69:  // imul r, r/m, imm32
		case 0x6b: {  // imul r, r/m, imm8
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 a = read_rm(in, m, osz);
			u64 imm = fetch_simm(in, op == 0x6b ? 1 : (osz == 16 ? 2 : 4));
			undef_flags();
			write_reg(m.reg, osz, (a * imm) & mask(osz), in.rex);
			return in.bad ? undecoded("imm") : go(in.pos);
		}
		case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
		case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
			u64 rel = fetch_simm(in, 1);
			if (in.bad)
				return undecoded("rel8");
			if (D::when(cond((unsigned)op & 15), "jcc.taken"))
				return jump_rel(in.pos, rel);
			return go(in.pos);
		}
		case 0x80: case 0x81: case 0x83: {  // group 1: ALU r/m, imm
			unsigned bits = op == 0x80 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 imm = fetch_simm(in, op == 0x81 ? (bits == 16 ? 2 : 4) : 1);
			if (in.bad)
				return undecoded("imm");
			bool okd;
			unsigned aop = (unsigned)cval(m.reg3, &okd);
			if (!okd)
				return undecoded("group 1 /digit");
			u64 a = read_rm(in, m, bits);
			if (!alu(aop, bits, a, imm, &r))
				return undecoded("adc/sbb");
			if (aop != 7)
				write_rm(in, m, bits, r);
			return go(in.pos);
		}
		case 0x84: case 0x85: {  // test r/m, r
			unsigned bits = op == 0x84 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			alu(4, bits, read_rm(in, m, bits), read_reg(m.reg, bits, in.rex), &r);
			return go(in.pos);
		}
		case 0x86: case 0x87: {  // xchg r/m, r (locked with memory)
			unsigned bits = op == 0x86 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			if (!m.is_reg)
				in.lock = true;
			u64 a = read_rm(in, m, bits), c = read_reg(m.reg, bits, in.rex);
			write_rm(in, m, bits, c);
			write_reg(m.reg, bits, a, in.rex);
			return go(in.pos);
		}
		case 0x88: case 0x89: {  // mov r/m, r
			unsigned bits = op == 0x88 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			write_rm(in, m, bits, read_reg(m.reg, bits, in.rex));
			return go(in.pos);
		}
		case 0x8a: case 0x8b: {  // mov r, r/m
			unsigned bits = op == 0x8a ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			write_reg(m.reg, bits, read_rm(in, m, bits), in.rex);
			return go(in.pos);
		}
		case 0x8d:  // lea
			if (!modrm(in, m) || m.is_reg)
				return undecoded("lea");
			write_reg(m.reg, osz, m.addr & mask(osz), in.rex);
			return go(in.pos);
		case 0x90:  // nop (xchg eax, eax)
			if (D::when(in.rex_b == u1(1), "xchg r8"))
				return undecoded("xchg rax, r8");
			return go(in.pos);
		case 0x99:  // cwd/cdq/cqo
			if (osz == 64)
				s.gpr[2] = ashr(s.gpr[0], u64(63));
			else if (osz == 32)
				s.gpr[2] = zext<64>(ashr(trunc<32>(s.gpr[0]), u32(31)));
			else
				return undecoded("cwd");
			return go(in.pos);
		case 0xb0: {  // mov r8, imm8
			u64 v = fetch_imm(in, 1);
			write_reg(rlow, 8, v, in.rex);
			return in.bad ? undecoded("imm") : go(in.pos);
		}
		case 0xb8: {  // mov r32, imm32 / movabs r64, imm64
			u64 v = fetch_imm(in, osz == 64 ? 8 : osz == 16 ? 2 : 4);
			write_reg(rlow, osz, v, in.rex);
			return in.bad ? undecoded("imm") : go(in.pos);
		}
		case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {  // group 2
			unsigned bits = (op & 1) ? osz : 8;
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 count = op <= 0xc1 ? fetch_imm(in, 1) : op <= 0xd1 ? u64(1) : s.gpr[1] & u64(0xff);
			if (in.bad)
				return undecoded("imm");
			bool okd;
			unsigned sop = (unsigned)cval(m.reg3, &okd);
			if (!okd)
				return undecoded("group 2 /digit");
			if (!shift(sop, bits, read_rm(in, m, bits), count, &r))
				return undecoded("rcl/rcr");
			write_rm(in, m, bits, r);
			return go(in.pos);
		}
		case 0xc3: {  // ret
			u64 to = env.load(8, s.gpr[4], Access::STACK);
			s.gpr[4] = s.gpr[4] + u64(8);
			return Next{Status::RETURNED, 0, to, "ret"};
		}
		case 0xc6: case 0xc7: {  // mov r/m, imm
			unsigned bits = op == 0xc6 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			if (!D::when(m.reg3 == u8(0), "c7 /0"))
				return undecoded("c6/c7 /digit");
			u64 imm = fetch_simm(in, bits == 8 ? 1 : bits == 16 ? 2 : 4);
			if (in.bad)
				return undecoded("imm");
			write_rm(in, m, bits, imm & mask(bits));
			return go(in.pos);
		}
		case 0xc9: {  // leave: rsp = rbp; pop rbp
			s.gpr[4] = s.gpr[5];
			u64 v = env.load(8, s.gpr[4], Access::STACK);
			s.gpr[4] = s.gpr[4] + u64(8);
			s.gpr[5] = v;
			return go(in.pos);
		}
		case 0xcc:
			return stop(Status::TRAP, "int3");
		case 0xe8: {  // call rel32: a call out of the code (helpers)
			u64 rel = fetch_simm(in, 4);
			if (in.bad)
				return undecoded("rel32");
			u64 ret = code.base + u64(in.pos);
			u64 sp = s.gpr[4] - u64(8);
			env.store(8, sp, ret, Access::STACK);
			s.gpr[4] = sp;
			env.call(ret + rel, s);
			s.gpr[4] = s.gpr[4] + u64(8);
			return go(in.pos);
		}
		case 0xe9: case 0xeb: {  // jmp rel32 / rel8
			u64 rel = fetch_simm(in, op == 0xe9 ? 4 : 1);
			if (in.bad)
				return undecoded("rel");
			return jump_rel(in.pos, rel);
		}
		case 0xf6: case 0xf7: {  // group 3
			unsigned bits = op == 0xf6 ? 8 : osz;
			if (!modrm(in, m))
				return undecoded("modrm");
			bool okd;
			unsigned g = (unsigned)cval(m.reg3, &okd);
			if (!okd)
				return undecoded("group 3 /digit");
			return group3(in, m, g, bits);
		}
		}
		return undecoded("opcode not modelled");
	}

	Next group3(Insn &in, const ModRM &m, unsigned g, unsigned bits) {
		u64 r(0);
		switch (g) {
		case 0: {  // test r/m, imm
			u64 imm = fetch_simm(in, bits == 8 ? 1 : bits == 16 ? 2 : 4);
			if (in.bad)
				return undecoded("imm");
			alu(4, bits, read_rm(in, m, bits), imm, &r);
			return go(in.pos);
		}
		case 2:  // not
			write_rm(in, m, bits, ~read_rm(in, m, bits) & mask(bits));
			return go(in.pos);
		case 3: {  // neg
			u64 a = read_rm(in, m, bits) & mask(bits);
			r = (u64(0) - a) & mask(bits);
			s.cf = a != u64(0);
			s.of = (a != u64(0)) && (a == r);
			set_szf(r, bits);
			write_rm(in, m, bits, r);
			return go(in.pos);
		}
		case 4:  // mul: rdx:rax = rax * r/m
		case 5: {  // imul (one operand)
			if (bits == 8 || bits == 16)
				return undecoded("mul r/m8, r/m16");
			u64 b = read_rm(in, m, bits);
			if (bits == 32) {
				u64 a = s.gpr[0] & mask(32);
				u64 p = g == 4 ? a * (b & mask(32))
					       : sext<64>(trunc<32>(a)) * sext<64>(trunc<32>(b));
				s.gpr[0] = p & mask(32);
				s.gpr[2] = p >> u64(32);
			} else {
				u64 a = s.gpr[0];
				u64 hi = mulhu(a, b);
				if (g == 5)  // signed: subtract each operand where the other is negative
					hi = hi - select(slt(a, u64(0)), b, u64(0)) - select(slt(b, u64(0)), a, u64(0));
				s.gpr[0] = a * b;
				s.gpr[2] = hi;
			}
			undef_flags();
			return go(in.pos);
		}
		case 6:  // div
		case 7: {  // idiv
			if (bits == 8 || bits == 16)
				return undecoded("div r/m8, r/m16");
			u64 d = read_rm(in, m, bits);
			undef_flags();
			if (D::when(d == u64(0), "div.by_zero"))
				return stop(Status::TRAP, "#DE: division by zero");
			if (bits == 32) {
				u32 lo = trunc<32>(s.gpr[0]), hi = trunc<32>(s.gpr[2]), d32 = trunc<32>(d);
				// The dividends a JIT sets up (edx zero, or eax's sign for
				// idiv) in 32 bits; the general 64/32 form below.
				if (g == 6 && D::when(hi == u32(0), "div.edx_zero")) {
					s.gpr[0] = zext<64>(udiv(lo, d32));
					s.gpr[2] = zext<64>(urem(lo, d32));
					return go(in.pos);
				}
				if (g == 7 && D::when(hi == ashr(lo, u32(31)), "idiv.edx_sign")) {
					if (D::when(lo == u32(0x80000000u) && d32 == u32(0xffffffffu), "idiv.overflow"))
						return stop(Status::TRAP, "#DE: quotient overflow");
					s.gpr[0] = zext<64>(sdiv(lo, d32));
					s.gpr[2] = zext<64>(srem(lo, d32));
					return go(in.pos);
				}
				u64 n = (s.gpr[2] << u64(32)) | (s.gpr[0] & mask(32));
				if (g == 6) {
					u64 q = udiv(n, d), rem = urem(n, d);
					if (D::when(ugt(q, u64(0xffffffffull)), "div.overflow"))
						return stop(Status::TRAP, "#DE: quotient overflow");
					s.gpr[0] = q;
					s.gpr[2] = rem;
				} else {
					u64 sd = sext<64>(trunc<32>(d));
					u64 q = sdiv(n, sd), rem = srem(n, sd);
					if (D::when(q != sext<64>(trunc<32>(q)), "idiv.overflow"))
						return stop(Status::TRAP, "#DE: quotient overflow");
					s.gpr[0] = q & mask(32);
					s.gpr[2] = rem & mask(32);
				}
				return go(in.pos);
			}
			// 64-bit: the dividend is rdx:rax; the model handles the
			// dividends a JIT sets up (rdx zero, or rax's sign for idiv).
			if (g == 6) {
				if (!D::when(s.gpr[2] == u64(0), "div.rdx_zero"))
					return undecoded("div with rdx != 0 (128-bit dividend not modelled)");
				u64 a = s.gpr[0];
				s.gpr[0] = udiv(a, d);
				s.gpr[2] = urem(a, d);
			} else {
				u64 a = s.gpr[0];
				if (!D::when(s.gpr[2] == ashr(a, u64(63)), "idiv.rdx_sign"))
					return undecoded("idiv with rdx not rax's sign (128-bit dividend not modelled)");
				if (D::when(a == u64(1ull << 63) && d == ~u64(0), "idiv.overflow"))
					return stop(Status::TRAP, "#DE: quotient overflow");
				s.gpr[0] = sdiv(a, d);
				s.gpr[2] = srem(a, d);
			}
			return go(in.pos);
		}
		}
		return undecoded("group 3 /1");
	}

	// High 64 bits of the unsigned 128-bit product, from 32-bit halves.
	static u64 mulhu(u64 a, u64 b) {
		u64 m32 = u64(0xffffffffull);
		u64 al = a & m32, ah = a >> u64(32), bl = b & m32, bh = b >> u64(32);
		u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
		u64 mid = (ll >> u64(32)) + (lh & m32) + (hl & m32);
		return hh + (lh >> u64(32)) + (hl >> u64(32)) + (mid >> u64(32));
	}

	// 0F AE E8: lfence. F3 REX.W 0F 1E F8: ibhf (without F3 and REX.W
	// the bytes are another instruction, which the model does not take).
	// F3 0F 1E FA: endbr64.
	Next step_fence(Insn &in, uint64_t op, uint32_t off) {
		bool ok;
		const uint64_t b = cval(fetch(in), &ok);
		if (in.bad || !ok)
			return undecoded("0f ae / 0f 1e: ModRM byte missing or not a number");
		if (op == 0xae && b == 0xe8 && !in.rep && !in.opsize16 && !in.lock) {  // REX ignored
			env.fence(Fence::LFENCE);
			return go(in.pos);
		}
		if (op == 0x1e && b == 0xf8 && in.rep && in.rex_w && !in.opsize16 && !in.lock) {
			env.fence(Fence::IBHF);
			return go(in.pos);
		}
		if (op == 0x1e && b == 0xfa && in.rep && !in.rex && !in.opsize16 && !in.lock) {
			env.landing(off);
			return go(in.pos);
		}
		return undecoded("0f ae / 0f 1e: only lfence (0f ae e8), ibhf (f3 48 0f 1e f8) and endbr64 (f3 0f 1e fa) are modelled");
	}

	Next step_0f(Insn &in, uint32_t off) {
		const unsigned osz = in.rex_w ? 64 : in.opsize16 ? 16 : 32;
		u8 b = fetch(in);
		if (in.bad)
			return undecoded("instruction runs past the code");
		bool ok;
		uint64_t op = cval(b, &ok);
		if (!ok) {
			if (!D::when((b & u8(0xf8)) == u8(0xc8), "opcode+r"))
				return undecoded("0f opcode byte is not a number");
			op = 0xc8;
		} else if ((op & 0xf8) == 0xc8) {
			op = 0xc8;
		}
		if (in.lock && !(op == 0xc1 || op == 0xb1 || op == 0xc0 || op == 0xb0))
			return stop(Status::TRAP, "#UD: lock on a non-lockable instruction");
		if (in.rep && op != 0x1e)
			return undecoded("F3 prefix: only ibhf (F3 REX.W 0F 1E F8) and endbr64 (F3 0F 1E FA) are modelled");
		ModRM m{};
		u64 r(0);
		if (op == 0xae || op == 0x1e)
			return step_fence(in, op, off);
		if (op >= 0x80 && op <= 0x8f) {  // jcc rel32
			u64 rel = fetch_simm(in, 4);
			if (in.bad)
				return undecoded("rel32");
			if (D::when(cond((unsigned)op & 15), "jcc.taken"))
				return jump_rel(in.pos, rel);
			return go(in.pos);
		}
		if (op >= 0x40 && op <= 0x4f) {  // cmovcc: a 32-bit cmov always zero-extends
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 src = read_rm(in, m, osz), old = read_reg(m.reg, osz, in.rex);
			write_reg(m.reg, osz, select(cond((unsigned)op & 15), src, old), in.rex);
			return go(in.pos);
		}
		if (op >= 0x90 && op <= 0x9f) {  // setcc r/m8
			if (!modrm(in, m))
				return undecoded("modrm");
			write_rm(in, m, 8, select(cond((unsigned)op & 15), u64(1), u64(0)));
			return go(in.pos);
		}
		switch (op) {
		case 0x0b:
			return stop(Status::TRAP, "ud2");
		case 0x1f:  // nop r/m (multi-byte nop): decodes its operand, no access
			if (!modrm(in, m))
				return undecoded("modrm");
			return go(in.pos);
		case 0xaf:  // imul r, r/m
			if (!modrm(in, m))
				return undecoded("modrm");
			r = (read_reg(m.reg, osz, in.rex) * read_rm(in, m, osz)) & mask(osz);
			undef_flags();
			write_reg(m.reg, osz, r, in.rex);
			return go(in.pos);
		case 0xb1: {  // cmpxchg r/m, r
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 old = read_rm(in, m, osz), acc = read_reg(u4(0), osz, in.rex);
			alu(7, osz, acc, old, &r);
			Bool eq = s.zf;
			// The destination is always written (SDM: "the destination
			// operand is written back if the comparison fails").
			write_rm(in, m, osz, select(eq, read_reg(m.reg, osz, in.rex), old));
			if (m.is_reg) {
				// Not emitted by JITs; keep it simple and exact only for memory.
				return undecoded("cmpxchg with a register destination");
			}
			// rax is written only on failure (a 32-bit write zero-extends).
			u64 new_rax = osz == 64 ? old : old & mask(32);
			s.gpr[0] = select(eq, s.gpr[0], new_rax);
			return go(in.pos);
		}
		case 0xb6: case 0xb7: case 0xbe: case 0xbf: {  // movzx / movsx
			if (!modrm(in, m))
				return undecoded("modrm");
			unsigned from = (op & 1) ? 16 : 8;
			u64 v = read_rm(in, m, from);
			if (op >= 0xbe)
				v = from == 8 ? sext<64>(trunc<8>(v)) : sext<64>(trunc<16>(v));
			write_reg(m.reg, osz, v & mask(osz), in.rex);
			return go(in.pos);
		}
		case 0xc1: {  // xadd r/m, r
			if (!modrm(in, m))
				return undecoded("modrm");
			u64 a = read_rm(in, m, osz), c = read_reg(m.reg, osz, in.rex);
			alu(0, osz, a, c, &r);
			write_reg(m.reg, osz, a, in.rex);
			write_rm(in, m, osz, r);
			return go(in.pos);
		}
		case 0xc8: {  // bswap r32/r64
			u4 n = reg4(in.rex_b, b & u8(7));
			u64 v = s.get(n);
			if (osz == 64) {
				u64 x(0);
				for (unsigned i = 0; i < 8; i++)
					x = x | (((v >> u64(8 * i)) & u64(0xff)) << u64(8 * (7 - i)));
				s.set(n, x);
			} else if (osz == 32) {
				u64 x(0);
				for (unsigned i = 0; i < 4; i++)
					x = x | (((v >> u64(8 * i)) & u64(0xff)) << u64(8 * (3 - i)));
				s.set(n, x);
			} else {
				return undecoded("bswap r16 (undefined)");
			}
			return go(in.pos);
		}
		}
		return undecoded("0f opcode not modelled");
	}
};

} // namespace model
} // namespace x86_64
} // namespace vjit

#endif
