// SPDX-License-Identifier: GPL-2.0
// The meaning of classic BPF (struct sock_filter programs), written once over
// a domain D (core/bv.h).
//
// Concretely it is the reference interpreter (tests, instruction counts in
// bench/); symbolically it is what the SCPL proof and the classic→eBPF
// converter tests take a filter to mean.
//
// The input a filter reads (a packet, a struct seccomp_data) is not
// hard-wired: an environment supplies it,
//
//   env.load(u32 off, unsigned size) -> CbpfLoad<D>   LD/LDX ABS, IND, MSH
//   env.len() -> u32                                  LD/LDX W LEN
//
// where a load the environment refuses (out of range, a size seccomp does not
// take) ends the filter with 0, as Linux's classic interpreter does for a
// short packet.
//
// Meaning of the corner cases, as Linux 6.1 runs classic BPF (converted to
// eBPF by bpf_convert_filter):
//   - division or modulo by a zero X returns 0 from the filter; by a zero K
//     is rejected at load time (bpf_check_classic), so it is INVALID here;
//   - shifts by X use its low 5 bits (32-bit eBPF shifts, as JITs mask);
//     shifts by K >= 32 are rejected at load time;
//   - scratch memory M[16] starts as zeros; Linux's checker
//     (check_load_and_stores) rejects a read of a slot not written on every
//     path, so accepted programs never see the initial value.
//
// Freestanding: no heap (the DAG evaluator takes a caller's buffer).
#ifndef VJIT_CORE_CBPF_SEMANTICS_H
#define VJIT_CORE_CBPF_SEMANTICS_H

#include "core/bpf.h"

namespace vjit {
namespace cbpf {

// Classic-only encodings (the shared ones are in namespace bpf).
enum : uint8_t { RET = 0x06, MISC = 0x07 };
enum : uint8_t { LEN = 0x80, MSH = 0xa0 };     // LD modes beyond bpf::ABS...
enum : uint8_t { RVAL_K = 0x00, RVAL_A = 0x10 }; // RET operand
enum : uint8_t { TAX = 0x00, TXA = 0x80 };     // MISC operations
constexpr unsigned MEMWORDS = 16;
constexpr unsigned MAXINSNS = 4096;

} // namespace cbpf

template <typename D>
struct CbpfState {
	VJIT_DOMAIN_TYPES(D);
	u32 A, X;
	u32 M[cbpf::MEMWORDS];
};

template <typename D>
struct CbpfLoad {
	typename D::Bool ok;
	typename D::template BV<32> value;
};

enum class CbpfFlow {
	NEXT,    // to jt (pc + 1, or JA's target)
	BRANCH,  // to jt when taken, else jf
	RET,     // always halts
	INVALID, // not an instruction Linux's checker accepts
};

// One instruction's effect. `halt` says when it ends the filter (always for
// RET; on a refused load or division by zero otherwise), returning `ret`.
template <typename D>
struct CbpfStep {
	CbpfFlow flow;
	typename D::Bool halt;
	typename D::template BV<32> ret;
	typename D::Bool taken;
	uint32_t jt, jf;
};

// s := the state after insn (at index pc); returns where control goes.
template <typename D, typename Env>
CbpfStep<D> cbpf_step(CbpfState<D> &s, const ClassicInsn &insn, uint32_t pc, Env &env) {
	VJIT_DOMAIN_TYPES(D);
	using namespace bpf;
	CbpfStep<D> st{CbpfFlow::NEXT, Bool(false), u32(0), Bool(false), pc + 1, pc + 1};
	const uint16_t code = insn.code;
	const uint32_t k = insn.k;
	const u32 K(k);
	auto invalid = [&] { st.flow = CbpfFlow::INVALID; return st; };
	auto load = [&](u32 off, unsigned bytes) {
		CbpfLoad<D> l = env.load(off, bytes);
		st.halt = !l.ok;
		return l.value;
	};
	auto sizebytes = [&]() -> unsigned {
		switch (size(code)) {
		case W: return 4;
		case H: return 2;
		case B: return 1;
		default: return 0;
		}
	};

	switch (cls(code)) {
	case LD:
	case LDX: {
		u32 v;
		const unsigned mode_ = mode(code);
		if (mode_ == IMM && size(code) == W) {
			v = K;
		} else if (mode_ == MEM && size(code) == W) {
			if (k >= cbpf::MEMWORDS)
				return invalid();
			v = s.M[k];
		} else if (mode_ == cbpf::LEN && size(code) == W) {
			v = env.len();
		} else if (cls(code) == LD && mode_ == ABS && sizebytes()) {
			v = load(K, sizebytes());
		} else if (cls(code) == LD && mode_ == IND && sizebytes()) {
			v = load(s.X + K, sizebytes());
		} else if (cls(code) == LDX && mode_ == cbpf::MSH && size(code) == B) {
			// X = 4 * (P[k] & 0xf): the IPv4 header length idiom
			v = (load(K, 1) & u32(0xf)) << u32(2);
		} else {
			return invalid();
		}
		if (cls(code) == LD)
			s.A = v;
		else
			s.X = v;
		return st;
	}
	case ST:
	case STX:
		if (code != ST && code != STX)
			return invalid();
		if (k >= cbpf::MEMWORDS)
			return invalid();
		s.M[k] = cls(code) == ST ? s.A : s.X;
		return st;
	case ALU: {
		const bool by_x = srcbit(code) == bpf::X;
		const u32 src = by_x ? s.X : K;
		switch (op(code)) {
		case ADD: s.A = s.A + src; return st;
		case SUB: s.A = s.A - src; return st;
		case MUL: s.A = s.A * src; return st;
		case OR: s.A = s.A | src; return st;
		case AND: s.A = s.A & src; return st;
		case XOR: s.A = s.A ^ src; return st;
		case NEG:
			if (by_x)
				return invalid();
			s.A = -s.A;
			return st;
		case LSH:
		case RSH: {
			if (!by_x && k >= 32)
				return invalid();
			const u32 n = src & u32(31);
			s.A = op(code) == LSH ? s.A << n : s.A >> n;
			return st;
		}
		case DIV:
		case MOD:
			if (!by_x && k == 0)
				return invalid();
			// A / 0 ends the filter with 0 (classic semantics).
			st.halt = src == u32(0);
			s.A = op(code) == DIV ? udiv(s.A, src) : urem(s.A, src);
			return st;
		default:
			return invalid();
		}
	}
	case JMP: {
		if (op(code) == JA) {
			if (srcbit(code))
				return invalid();
			st.jt = st.jf = pc + 1 + k;
			return st;
		}
		const u32 src = srcbit(code) == bpf::X ? s.X : K;
		st.flow = CbpfFlow::BRANCH;
		st.jt = pc + 1 + insn.jt;
		st.jf = pc + 1 + insn.jf;
		switch (op(code)) {
		case JEQ: st.taken = s.A == src; return st;
		case JGT: st.taken = ugt(s.A, src); return st;
		case JGE: st.taken = uge(s.A, src); return st;
		case JSET: st.taken = (s.A & src) != u32(0); return st;
		default: return invalid();
		}
	}
	case cbpf::RET:
		st.flow = CbpfFlow::RET;
		st.halt = Bool(true);
		if (code == (cbpf::RET | cbpf::RVAL_K))
			st.ret = K;
		else if (code == (cbpf::RET | cbpf::RVAL_A))
			st.ret = s.A;
		else
			return invalid();
		return st;
	case cbpf::MISC:
		if (code == (cbpf::MISC | cbpf::TAX))
			s.X = s.A;
		else if (code == (cbpf::MISC | cbpf::TXA))
			s.A = s.X;
		else
			return invalid();
		return st;
	}
	return invalid();
}

template <typename D>
CbpfState<D> cbpf_initial_state() {
	CbpfState<D> s;
	s.A = s.X = 0;
	for (auto &m : s.M)
		m = 0;
	return s;
}

// The concrete interpreter: follows the one path, counts the instructions
// executed. Returns false on an invalid program (bad opcode, jump out of
// range, falling off the end).
template <typename Env>
bool cbpf_run(const ClassicInsn *prog, uint32_t n, Env &env, uint32_t *ret, uint32_t *executed) {
	CbpfState<Concrete> s = cbpf_initial_state<Concrete>();
	uint32_t count = 0;
	for (uint32_t pc = 0; pc < n;) {
		CbpfStep<Concrete> st = cbpf_step(s, prog[pc], pc, env);
		count++;
		if (st.flow == CbpfFlow::INVALID)
			return false;
		if (st.halt) {
			*ret = st.ret.value();
			if (executed)
				*executed = count;
			return true;
		}
		pc = (st.flow == CbpfFlow::BRANCH && !st.taken) ? st.jf : st.jt;
	}
	return false;
}

// Where the DAG evaluator keeps the merged state reaching one instruction.
template <typename D>
struct CbpfPending {
	typename D::Bool reach = typename D::Bool(false);
	bool visited = false;
	CbpfState<D> s;
};

// The value a program returns, as a term in D: classic BPF jumps only
// forward, so one pass in instruction order merges, at each instruction, the
// states of every path reaching it (under the condition of reaching it).
// `work` holds n entries. Returns false on an invalid program.
template <typename D, typename Env>
bool cbpf_meaning(const ClassicInsn *prog, uint32_t n, Env &env, CbpfPending<D> *work,
		  typename D::template BV<32> *ret) {
	VJIT_DOMAIN_TYPES(D);
	if (n == 0 || n > cbpf::MAXINSNS)
		return false;
	for (uint32_t i = 0; i < n; i++)
		work[i] = CbpfPending<D>();
	work[0].reach = Bool(true);
	work[0].visited = true;
	work[0].s = cbpf_initial_state<D>();
	u32 result(0);
	auto arrive = [&](uint32_t to, const Bool &c, const CbpfState<D> &s) {
		CbpfPending<D> &p = work[to];
		if (!p.visited) {
			p.visited = true;
			p.reach = c;
			p.s = s;
			return;
		}
		p.reach = p.reach || c;
		p.s.A = select(c, s.A, p.s.A);
		p.s.X = select(c, s.X, p.s.X);
		for (unsigned m = 0; m < cbpf::MEMWORDS; m++)
			p.s.M[m] = select(c, s.M[m], p.s.M[m]);
	};
	for (uint32_t pc = 0; pc < n; pc++) {
		if (!work[pc].visited)
			continue;
		CbpfState<D> s = work[pc].s;
		const Bool reach = work[pc].reach;
		CbpfStep<D> st = cbpf_step(s, prog[pc], pc, env);
		if (st.flow == CbpfFlow::INVALID)
			return false;
		result = select(reach && st.halt, st.ret, result);
		if (st.flow == CbpfFlow::RET)
			continue;
		const Bool go = reach && !st.halt;
		if (st.jt >= n || st.jf >= n)
			return false;
		if (st.flow == CbpfFlow::BRANCH) {
			arrive(st.jt, go && st.taken, s);
			arrive(st.jf, go && !st.taken, s);
		} else {
			arrive(st.jt, go, s);
		}
	}
	*ret = result;
	return true;
}

} // namespace vjit

#endif
