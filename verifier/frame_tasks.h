// SPDX-License-Identifier: GPL-2.0
// What every arch's proof consists of, built from its target
// (verifier/target_<arch>.h): its table's entries, then the frame tasks: the
// prologue/epilogue under each of the target's frame variants, the padding,
// and the stack bound in groups of depths. make_arch<T>() registers an arch.
#ifndef VJIT_VERIFIER_FRAME_TASKS_H
#define VJIT_VERIFIER_FRAME_TASKS_H

#include "verifier/arches.h"

namespace vjit {
namespace verify {
namespace frame_tasks {

template <typename T>
size_t n_rules() {
	return T::Arch::template table<Symbolic>().n;
}
template <typename T>
Rule<Symbolic> rule_at(size_t i) {
	return T::Arch::template table<Symbolic>().rules[i];
}

// Padding proved for every length up to this (the driver pads an
// instruction to its previous pass's length).
constexpr uint32_t MAX_PAD = 64;

// The stack bound: the prologue's bytes depend on the depth only through a
// few choices (rounding, imm8 vs imm32). The concrete lowering (cheap) at
// every depth groups the depths whose prologues are byte for byte the same
// (the same native code, so the same behaviour); each group is one task,
// proved once (check_frame with a FrameGroup).
struct StackGroup {
	uint32_t lo, hi;  // smallest and largest depth
	size_t count;
	std::vector<uint8_t> bytes;
};

template <typename T>
const std::vector<StackGroup> &stack_groups() {
	static const std::vector<StackGroup> groups = [] {
		std::vector<StackGroup> g;
		for (uint32_t d = 0; d <= bpf::MAX_BPF_STACK; d++) {
			uint8_t buf[256];
			JitCtx<Concrete> c;
			c.buf = buf;
			c.cap = sizeof buf;
			c.opts.stack_depth = d;
			T::Arch::template prologue<Concrete>(c);
			if (c.overflow || c.error != LowerError::NONE)
				abort();
			std::vector<uint8_t> b(buf, buf + c.len);
			bool found = false;
			for (StackGroup &x : g)
				if (x.bytes == b) {
					x.hi = d;  // depths ascend
					x.count++;
					found = true;
				}
			if (!found)
				g.push_back(StackGroup{d, d, 1, b});
		}
		return g;
	}();
	return groups;
}

inline std::string group_name(const StackGroup &g) {
	std::string n = "STACK BOUND depth " + std::to_string(g.lo);
	if (g.hi != g.lo)
		n += ".." + std::to_string(g.hi);
	if (g.count != g.hi - g.lo + 1u)
		n += " (" + std::to_string(g.count) + " depths)";
	return n;
}

template <typename T>
Result frame_task(size_t k, const Mutant *m, const Config &limits) {
	FrameFn pro = [](JitCtx<Symbolic> &c) { T::Arch::template prologue<Symbolic>(c); };
	FrameFn epi = [](JitCtx<Symbolic> &c) { T::Arch::template epilogue<Symbolic>(c); };
	PadFn pad = [](JitCtx<Symbolic> &c, uint32_t n) { T::Arch::template pad<Symbolic>(c, n); };
	if (m && m->prologue)
		pro = m->prologue;
	if (m && m->epilogue)
		epi = m->epilogue;
	if (m && m->pad)
		pad = m->pad;
	Config cfg = limits;
	static const std::vector<FrameVariant> fv = T::frame_variants();
	if (k < fv.size()) {
		cfg.opts = fv[k].opts;
		return check_frame<T>(pro, epi, cfg, fv[k].name.c_str(), true, nullptr, fv[k].tail_call);
	}
	if (k == fv.size())
		return check_pad<T>(pad, MAX_PAD, ("PADDING 0.." + std::to_string(MAX_PAD)).c_str(), cfg);
	// The stack bound for one group of depths: the prologue's proof
	// obligations (the frame layout at the group's largest depth, the
	// bound at its smallest); the epilogue does not depend on the depth
	// (it restores sp from the frame pointer) and is proved in full at the depths
	// above.
	const StackGroup &g = stack_groups<T>().at(k - fv.size() - 1);
	cfg.opts.stack_depth = g.lo;
	FrameGroup fg{g.hi, g.lo, &g.bytes};
	std::string n = group_name(g) + " <= depth + " + std::to_string(T::stack_fixed);
	return check_frame<T>(pro, epi, cfg, n.c_str(), false, &fg);
}

// An arch's registration (its verifier/mutants_<arch>.cc calls it).
template <typename T>
ArchInfo make_arch() {
	static_assert(target_contract<T>(), "the target contract");
	ArchInfo a;
	a.name = T::name;
	a.n_rules = n_rules<T>;
	a.rule = rule_at<T>;
	a.check_rule = check_rule<T>;
	for (const FrameVariant &v : T::frame_variants()) {
		if (v.opts.bhb_loop && v.opts.bhb_ibhf)
			a.bhb_index = a.frame_names.size();
		// the tail-call task under IBT, else the arch's (last) tail-call task
		if (v.tail_call && (v.opts.ibt || a.ibt_index == 0))
			a.ibt_index = a.frame_names.size();
		a.frame_names.push_back(v.name);
	}
	a.pad_index = a.frame_names.size();
	a.frame_names.push_back("PADDING 0.." + std::to_string(MAX_PAD));
	for (const StackGroup &g : stack_groups<T>())
		a.frame_names.push_back(group_name(g));
	a.check_frame = frame_task<T>;
	a.note = std::string(T::name) + ": stack bound in " + std::to_string(stack_groups<T>().size()) +
		 " groups of depths with identical prologue bytes (depths 0.." +
		 std::to_string(bpf::MAX_BPF_STACK) + ")";
	return a;
}

} // namespace frame_tasks

using frame_tasks::make_arch;

} // namespace verify
} // namespace vjit

#endif
