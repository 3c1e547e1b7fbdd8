// SPDX-License-Identifier: GPL-2.0
// The Symbolic domain: the same interface as Concrete (core/bv.h), with
// values that are Z3 bit-vector terms. Hosted only (verifier, scplc).
//
// Control decisions (D::when) are delegated to the current Explorer (see
// verifier/explore.h): it answers each decision from a replay script and
// records which ones are still open, so that a lowering template is re-run
// along every feasible path.
#ifndef VJIT_VERIFIER_SYMBOLIC_H
#define VJIT_VERIFIER_SYMBOLIC_H

#include <z3++.h>

#include <cstdint>
#include <string>

#include "core/bv.h"

namespace vjit {

// One Z3 context per thread: every SBV built on the thread lives in it.
z3::context &sym_ctx();

// Terms are folded as they are built when every operand is a numeral (and
// select/and/or with a constant side are cut short): the same generic code
// that indexes a register file by a symbolic field then yields plain r5
// once the field is concrete, and every later simplification, decision and
// query works on small terms.
inline z3::expr sym_fold(const z3::expr &r, const z3::expr &a) {
	return a.is_numeral() || a.is_true() || a.is_false() ? r.simplify() : r;
}
inline z3::expr sym_fold(const z3::expr &r, const z3::expr &a, const z3::expr &b) {
	auto k = [](const z3::expr &x) { return x.is_numeral() || x.is_true() || x.is_false(); };
	return k(a) && k(b) ? r.simplify() : r;
}
inline z3::expr sym_ite(const z3::expr &c, const z3::expr &a, const z3::expr &b) {
	if (c.is_true())
		return a;
	if (c.is_false())
		return b;
	if (z3::eq(a, b))
		return a;
	return z3::ite(c, a, b);
}

struct SBool {
	z3::expr e;
	SBool(bool b) : e(sym_ctx().bool_val(b)) {} // NOLINT: literals mix freely
	explicit SBool(z3::expr x) : e(x) {}

	friend SBool operator&&(const SBool &a, const SBool &b) {
		if (a.e.is_false() || b.e.is_true())
			return a;
		if (b.e.is_false() || a.e.is_true())
			return b;
		return SBool(a.e && b.e);
	}
	friend SBool operator||(const SBool &a, const SBool &b) {
		if (a.e.is_true() || b.e.is_false())
			return a;
		if (b.e.is_true() || a.e.is_false())
			return b;
		return SBool(a.e || b.e);
	}
	friend SBool operator!(const SBool &a) { return SBool(sym_fold(!a.e, a.e)); }
	friend SBool operator==(const SBool &a, const SBool &b) { return SBool(sym_fold(a.e == b.e, a.e, b.e)); }
	friend SBool operator!=(const SBool &a, const SBool &b) { return SBool(sym_fold(a.e != b.e, a.e, b.e)); }
	friend SBool implies(const SBool &a, const SBool &b) { return SBool(sym_fold(z3::implies(a.e, b.e), a.e, b.e)); }
	friend SBool select(const SBool &c, const SBool &a, const SBool &b) { return SBool(sym_ite(c.e, a.e, b.e)); }
};

template <unsigned W>
struct SBV {
	z3::expr e;

	SBV() : e(sym_ctx().bv_val(0, W)) {}
	SBV(uint64_t x) : e(sym_ctx().bv_val(x, W)) {} // NOLINT: literals mix freely
	SBV(CBV<W> x) : e(sym_ctx().bv_val(x.v, W)) {}  // NOLINT
	explicit SBV(z3::expr x) : e(x) {}

	static SBV var(const std::string &name) {
		return SBV(sym_ctx().bv_const(name.c_str(), W));
	}

	// The value when the term simplifies to a numeral.
	bool is_const(uint64_t *out) const {
		z3::expr s = e.simplify();
		if (!s.is_numeral())
			return false;
		if (out)
			*out = s.get_numeral_uint64();
		return true;
	}

	friend SBV operator+(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e + b.e, a.e, b.e)); }
	friend SBV operator-(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e - b.e, a.e, b.e)); }
	friend SBV operator*(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e * b.e, a.e, b.e)); }
	friend SBV operator&(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e & b.e, a.e, b.e)); }
	friend SBV operator|(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e | b.e, a.e, b.e)); }
	friend SBV operator^(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e ^ b.e, a.e, b.e)); }
	friend SBV operator~(const SBV &a) { return SBV(sym_fold(~a.e, a.e)); }
	friend SBV operator-(const SBV &a) { return SBV(sym_fold(-a.e, a.e)); }
	friend SBV operator<<(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::shl(a.e, b.e), a.e, b.e)); }
	friend SBV operator>>(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::lshr(a.e, b.e), a.e, b.e)); }
	friend SBool operator==(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e == b.e, a.e, b.e)); }
	friend SBool operator!=(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e != b.e, a.e, b.e)); }

	friend SBool ult(const SBV &a, const SBV &b) { return SBool(sym_fold(z3::ult(a.e, b.e), a.e, b.e)); }
	friend SBool ule(const SBV &a, const SBV &b) { return SBool(sym_fold(z3::ule(a.e, b.e), a.e, b.e)); }
	friend SBool ugt(const SBV &a, const SBV &b) { return SBool(sym_fold(z3::ugt(a.e, b.e), a.e, b.e)); }
	friend SBool uge(const SBV &a, const SBV &b) { return SBool(sym_fold(z3::uge(a.e, b.e), a.e, b.e)); }
	friend SBool slt(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e < b.e, a.e, b.e)); }
	friend SBool sle(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e <= b.e, a.e, b.e)); }
	friend SBool sgt(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e > b.e, a.e, b.e)); }
	friend SBool sge(const SBV &a, const SBV &b) { return SBool(sym_fold(a.e >= b.e, a.e, b.e)); }

	friend SBV ashr(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::ashr(a.e, b.e), a.e, b.e)); }
	friend SBV udiv(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::udiv(a.e, b.e), a.e, b.e)); }
	friend SBV urem(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::urem(a.e, b.e), a.e, b.e)); }
	friend SBV sdiv(const SBV &a, const SBV &b) { return SBV(sym_fold(a.e / b.e, a.e, b.e)); }
	friend SBV srem(const SBV &a, const SBV &b) { return SBV(sym_fold(z3::srem(a.e, b.e), a.e, b.e)); }
	friend SBV select(const SBool &c, const SBV &a, const SBV &b) { return SBV(sym_ite(c.e, a.e, b.e)); }
};

template <unsigned N, unsigned W>
SBV<N> zext(const SBV<W> &a) {
	static_assert(N >= W, "zext narrows");
	return N == W ? SBV<N>(a.e) : SBV<N>(sym_fold(z3::zext(a.e, N - W), a.e));
}
template <unsigned N, unsigned W>
SBV<N> sext(const SBV<W> &a) {
	static_assert(N >= W, "sext narrows");
	return N == W ? SBV<N>(a.e) : SBV<N>(sym_fold(z3::sext(a.e, N - W), a.e));
}
template <unsigned N, unsigned W>
SBV<N> trunc(const SBV<W> &a) {
	static_assert(N <= W, "trunc widens");
	return N == W ? SBV<N>(a.e) : SBV<N>(sym_fold(a.e.extract(N - 1, 0), a.e));
}
template <unsigned HI, unsigned LO, unsigned W>
SBV<HI - LO + 1> extract(const SBV<W> &a) {
	static_assert(HI < W && LO <= HI, "extract out of range");
	return SBV<HI - LO + 1>(sym_fold(a.e.extract(HI, LO), a.e));
}
template <unsigned A, unsigned B>
SBV<A + B> concat(const SBV<A> &hi, const SBV<B> &lo) {
	return SBV<A + B>(sym_fold(z3::concat(hi.e, lo.e), hi.e, lo.e));
}

// Answers D::when for the thread's current exploration (verifier/explore.h):
// decisions that simplify to a constant are taken directly; any other goes
// to the decider installed on this thread.
bool sym_decide(const SBool &c, const char *why);
using SymDecider = bool (*)(void *arg, const z3::expr &cond, const char *why);
void set_sym_decider(SymDecider fn, void *arg);
// Reports a generator that needs a plain number where it has a term.
[[noreturn]] void sym_not_constant(const z3::expr &e);

struct Symbolic {
	using Bool = SBool;
	template <unsigned W>
	using BV = SBV<W>;
	static constexpr bool symbolic = true;

	static bool when(const SBool &c, const char *why = nullptr) { return sym_decide(c, why); }
	// A value the generator needs as a plain number: must be constant on
	// the current path (else the explorer reports the template as
	// unverifiable, naming the value).
	template <unsigned W>
	static uint64_t concrete(const SBV<W> &a) {
		uint64_t v = 0;
		if (!a.is_const(&v))
			sym_not_constant(a.e);
		return v;
	}
};

} // namespace vjit

#endif
