// SPDX-License-Identifier: GPL-2.0
// What a policy means and what a filter reads, over a domain D: concretely
// the expected action for one struct seccomp_data (tests, bench), with the
// Symbolic domain the formula the proof compares a filter against.
//
// The policy's meaning is computed from the policy alone, never from the
// compiler's decision structure, so the proof checks the compiler rather
// than restating it.
#ifndef VJIT_SCPL_MEANING_H
#define VJIT_SCPL_MEANING_H

#include "core/cbpf_semantics.h"
#include "scpl/policy.h"

namespace scpl {

// struct seccomp_data (linux/seccomp.h), as domain values.
template <typename D>
struct SeccompData {
	VJIT_DOMAIN_TYPES(D);
	u32 nr, arch;
	u64 ip;
	u64 args[6];

	// The 32-bit word at byte offset 4*i, on a little-endian host (x86_64,
	// aarch64: the arches vjit runs filters on).
	u32 word(unsigned i) const {
		// found by argument-dependent lookup in the domain's namespace
		using vjit::extract;
		using vjit::trunc;
		switch (i) {
		case 0: return nr;
		case 1: return arch;
		case 2: return trunc<32>(ip);
		case 3: return extract<63, 32>(ip);
		default: {
			const u64 &a = args[(i - 4) / 2];
			return (i & 1) ? extract<63, 32>(a) : trunc<32>(a);
		}
		}
	}
};
constexpr unsigned SECCOMP_DATA_SIZE = 64;

// The environment a seccomp filter runs in: only aligned 32-bit loads inside
// seccomp_data (the kernel's checker rejects every other load at install).
template <typename D>
struct SeccompEnv {
	VJIT_DOMAIN_TYPES(D);
	const SeccompData<D> &data;

	vjit::CbpfLoad<D> load(const u32 &off, unsigned bytes) const {
		u32 v = data.word(0);
		for (unsigned i = 1; i < SECCOMP_DATA_SIZE / 4; i++)
			v = select(off == u32(4 * i), data.word(i), v);
		Bool ok = Bool(bytes == 4) && (off & u32(3)) == u32(0) &&
			  ult(off, u32(SECCOMP_DATA_SIZE));
		return {ok, v};
	}
	u32 len() const { return u32(SECCOMP_DATA_SIZE); }
};

template <typename D>
typename D::Bool cond_meaning(const Cond &c, const SeccompData<D> &d) {
	VJIT_DOMAIN_TYPES(D);
	switch (c.kind) {
	case Cond::TRUE:
		return Bool(true);
	case Cond::CMP: {
		const u64 a = d.args[c.arg] & u64(c.mask), v(c.value);
		switch (c.op) {
		case CmpOp::EQ: return a == v;
		case CmpOp::NE: return a != v;
		case CmpOp::LT: return ult(a, v);
		case CmpOp::LE: return ule(a, v);
		case CmpOp::GT: return ugt(a, v);
		case CmpOp::GE: return uge(a, v);
		}
		return Bool(false);
	}
	case Cond::AND:
	case Cond::OR: {
		Bool r = cond_meaning<D>(*c.kids[0], d);
		for (size_t i = 1; i < c.kids.size(); i++) {
			Bool k = cond_meaning<D>(*c.kids[i], d);
			r = c.kind == Cond::AND ? (r && k) : (r || k);
		}
		return r;
	}
	case Cond::NOT:
		return !cond_meaning<D>(*c.kids[0], d);
	}
	return Bool(false);
}

template <typename D>
typename D::template BV<32> rules_meaning(const RuleList &rules, uint32_t dflt,
					  const SeccompData<D> &d) {
	using u32 = typename D::template BV<32>;
	u32 r(dflt);
	for (size_t i = rules.size(); i-- > 0;)
		r = rules[i].cond ? select(cond_meaning<D>(*rules[i].cond, d), u32(rules[i].action), r)
				  : u32(rules[i].action);
	return r;
}

// What syscall nr gets when none of its rules holds: the x32 action for the
// x32 area of x86_64, the default elsewhere.
inline uint32_t fallback_action(const Policy &p, const ArchPolicy &ap, uint32_t nr) {
	const bool x32 = ap.arch->has_x32 && nr >= X32_SYSCALL_BIT && nr != NR_SKIPPED;
	return x32 ? p.x32_action : p.default_action;
}

// The action the policy gives one seccomp_data (a SECCOMP_RET_* value).
template <typename D>
typename D::template BV<32> policy_meaning(const Policy &p, const SeccompData<D> &d) {
	using u32 = typename D::template BV<32>;
	u32 r(p.badarch_action);
	for (size_t a = p.arches.size(); a-- > 0;) {
		const ArchPolicy &ap = p.arches[a];
		u32 in_arch(p.default_action);
		if (ap.arch->has_x32)
			in_arch = select(uge(d.nr, u32(X32_SYSCALL_BIT)) && d.nr != u32(NR_SKIPPED),
					 u32(p.x32_action), in_arch);
		for (const auto &[lo, span] : ap.spans)
			in_arch = select(uge(d.nr, u32(lo)) && ule(d.nr, u32(span.hi)),
					 rules_meaning<D>(span.rules, fallback_action(p, ap, lo), d), in_arch);
		for (auto it = ap.rules.rbegin(); it != ap.rules.rend(); ++it)
			in_arch = select(d.nr == u32(it->first),
					 rules_meaning<D>(it->second, fallback_action(p, ap, it->first), d),
					 in_arch);
		r = select(d.arch == u32(ap.arch->audit_arch), in_arch, r);
	}
	return r;
}

} // namespace scpl

#endif
