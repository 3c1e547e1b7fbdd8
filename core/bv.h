// SPDX-License-Identifier: GPL-2.0
// Bit-vector values and the Concrete domain.
//
// Every piece of vjit that must be both executed and proved (the BPF
// semantics, the lowering tables, the encoders, the ISA models) is written as
// a template over a domain D. A domain supplies:
//
//   D::Bool            truth value (bool here; a Z3 formula in the verifier)
//   D::BV<W>           W-bit value, W in 1..64, arithmetic modulo 2^W
//   D::when(Bool, why) a control decision of the generator; concretely just
//                      the value, symbolically a fork explored by replay;
//                      `why` names the guard (fits_imm8, ...) for reports
//
// and the same set of free functions on its values (found by argument
// dependent lookup, all in namespace vjit):
//
//   + - * & | ^ ~ -x << >>(logical)      == != (give D::Bool)
//   ult ule ugt uge slt sle sgt sge       ashr udiv urem sdiv srem
//   zext<W> sext<W> trunc<W> extract<HI,LO> concat select(c, a, b)
//
// Division is total, as in SMT-LIB: udiv(x, 0) = ~0, urem(x, 0) = x; the
// BPF semantics builds its own definition of division by zero on top.
// Shifts by >= W give 0 (ashr: the sign), again as in SMT-LIB.
//
// Freestanding: no exceptions, no heap, no static constructors.
#ifndef VJIT_CORE_BV_H
#define VJIT_CORE_BV_H

#include <stdint.h>
#include <stddef.h>

namespace vjit {

template <unsigned W>
constexpr uint64_t width_mask() {
	static_assert(W >= 1 && W <= 64, "bit-vector width out of range");
	return W == 64 ? ~0ull : ((1ull << W) - 1);
}

// A concrete W-bit value, stored zero-extended in a uint64_t.
template <unsigned W>
struct CBV {
	uint64_t v;

	constexpr CBV() : v(0) {}
	constexpr CBV(uint64_t x) : v(x & width_mask<W>()) {} // NOLINT: literals mix freely

	constexpr uint64_t value() const { return v; }
	constexpr int64_t svalue() const {
		return W == 64 ? (int64_t)v
			       : (int64_t)(v << (64 - W)) >> (64 - W);
	}
	constexpr bool sign() const { return (v >> (W - 1)) & 1; }

	friend constexpr CBV operator+(CBV a, CBV b) { return CBV(a.v + b.v); }
	friend constexpr CBV operator-(CBV a, CBV b) { return CBV(a.v - b.v); }
	friend constexpr CBV operator*(CBV a, CBV b) { return CBV(a.v * b.v); }
	friend constexpr CBV operator&(CBV a, CBV b) { return CBV(a.v & b.v); }
	friend constexpr CBV operator|(CBV a, CBV b) { return CBV(a.v | b.v); }
	friend constexpr CBV operator^(CBV a, CBV b) { return CBV(a.v ^ b.v); }
	friend constexpr CBV operator~(CBV a) { return CBV(~a.v); }
	friend constexpr CBV operator-(CBV a) { return CBV(0 - a.v); }
	friend constexpr CBV operator<<(CBV a, CBV b) { return b.v >= W ? CBV(0) : CBV(a.v << b.v); }
	friend constexpr CBV operator>>(CBV a, CBV b) { return b.v >= W ? CBV(0) : CBV(a.v >> b.v); }
	friend constexpr bool operator==(CBV a, CBV b) { return a.v == b.v; }
	friend constexpr bool operator!=(CBV a, CBV b) { return a.v != b.v; }

	friend constexpr bool ult(CBV a, CBV b) { return a.v < b.v; }
	friend constexpr bool ule(CBV a, CBV b) { return a.v <= b.v; }
	friend constexpr bool ugt(CBV a, CBV b) { return a.v > b.v; }
	friend constexpr bool uge(CBV a, CBV b) { return a.v >= b.v; }
	friend constexpr bool slt(CBV a, CBV b) { return a.svalue() < b.svalue(); }
	friend constexpr bool sle(CBV a, CBV b) { return a.svalue() <= b.svalue(); }
	friend constexpr bool sgt(CBV a, CBV b) { return a.svalue() > b.svalue(); }
	friend constexpr bool sge(CBV a, CBV b) { return a.svalue() >= b.svalue(); }

	friend constexpr CBV ashr(CBV a, CBV b) {
		uint64_t n = b.v >= W ? W - 1 : b.v;
		return CBV((uint64_t)(a.svalue() >> n));
	}
	friend constexpr CBV udiv(CBV a, CBV b) { return b.v == 0 ? CBV(~0ull) : CBV(a.v / b.v); }
	friend constexpr CBV urem(CBV a, CBV b) { return b.v == 0 ? a : CBV(a.v % b.v); }
	// SMT-LIB bvsdiv/bvsrem: truncating, sign of the remainder follows the dividend.
	friend constexpr CBV sdiv(CBV a, CBV b) {
		uint64_t ua = a.sign() ? (0 - a.v) & width_mask<W>() : a.v;
		uint64_t ub = b.sign() ? (0 - b.v) & width_mask<W>() : b.v;
		CBV q = udiv(CBV(ua), CBV(ub));
		return a.sign() != b.sign() ? -q : q;
	}
	friend constexpr CBV srem(CBV a, CBV b) {
		uint64_t ua = a.sign() ? (0 - a.v) & width_mask<W>() : a.v;
		uint64_t ub = b.sign() ? (0 - b.v) & width_mask<W>() : b.v;
		CBV r = urem(CBV(ua), CBV(ub));
		return a.sign() ? -r : r;
	}
	friend constexpr CBV select(bool c, CBV a, CBV b) { return c ? a : b; }
};

template <unsigned N, unsigned W>
constexpr CBV<N> zext(CBV<W> a) {
	static_assert(N >= W, "zext narrows");
	return CBV<N>(a.v);
}
template <unsigned N, unsigned W>
constexpr CBV<N> sext(CBV<W> a) {
	static_assert(N >= W, "sext narrows");
	return CBV<N>((uint64_t)a.svalue());
}
template <unsigned N, unsigned W>
constexpr CBV<N> trunc(CBV<W> a) {
	static_assert(N <= W, "trunc widens");
	return CBV<N>(a.v);
}
template <unsigned HI, unsigned LO, unsigned W>
constexpr CBV<HI - LO + 1> extract(CBV<W> a) {
	static_assert(HI < W && LO <= HI, "extract out of range");
	return CBV<HI - LO + 1>(a.v >> LO);
}
template <unsigned A, unsigned B>
constexpr CBV<A + B> concat(CBV<A> hi, CBV<B> lo) {
	static_assert(A + B <= 64, "concat wider than 64 bits");
	return CBV<A + B>((hi.v << B) | lo.v);
}

// The concrete domain: the kernel module, the userspace JIT, the reference
// interpreter and the ISA models under test all run with it.
struct Concrete {
	using Bool = bool;
	template <unsigned W>
	using BV = CBV<W>;
	static constexpr bool symbolic = false;

	static constexpr bool when(bool c, const char * = nullptr) { return c; }
	// A value the generator needs as a plain number (a table index, a loop
	// bound). Symbolic domains refuse where the value is not a constant.
	template <unsigned W>
	static constexpr uint64_t concrete(CBV<W> a) { return a.v; }
};

// Short names for use inside templates: VJIT_DOMAIN_TYPES(D) brings
// Bool, u1, u4, u8, u16, u32, u64 into scope.
#define VJIT_DOMAIN_TYPES(D)                                    \
	using Bool [[maybe_unused]] = typename D::Bool; \
	using u1 [[maybe_unused]] = typename D::template BV<1>; \
	using u4 [[maybe_unused]] = typename D::template BV<4>; \
	using u8 [[maybe_unused]] = typename D::template BV<8>; \
	using u16 [[maybe_unused]] = typename D::template BV<16>; \
	using u32 [[maybe_unused]] = typename D::template BV<32>; \
	using u64 [[maybe_unused]] = typename D::template BV<64>

} // namespace vjit

#endif
