// SPDX-License-Identifier: GPL-2.0
#include "verifier/arches.h"

#include "verifier/target_x86_64.h"

namespace vjit {
namespace verify {

namespace {

template <typename T>
size_t n_rules() {
	return T::Arch::template table<Symbolic>().n;
}
template <typename T>
Rule<Symbolic> rule_at(size_t i) {
	return T::Arch::template table<Symbolic>().rules[i];
}

// Frame proofs: the prologue/epilogue at a few stack depths and with the
// return thunk, the padding, and the stack bound at every depth
// 0..MAX_BPF_STACK.
const uint32_t frame_depths[] = {512, 0, 1, 100};
constexpr uint64_t RETURN_THUNK = 0xffffffff82000000ull;
constexpr uint64_t BHB_LOOP = 0xffffffff81e00000ull;  // clear_bhb_loop, somewhere in kernel text
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

// The prologue/epilogue proofs: one per code-generation option value the
// frame depends on (stack depth, return thunk, the BHI barrier's forms).
struct FrameVariant {
	std::string name;
	JitOptions opts;
	bool tail_call = false;  // entered at opts.tail_call_entry by a tail call
};

// The kernel's tail-call entry offsets (X86_TAIL_CALL_OFFSET): Linux 6.1
// without IBT, and 6.12 with it.
constexpr uint32_t TAIL_CALL_ENTRY_61 = 11, TAIL_CALL_ENTRY_612_IBT = 16;

inline JitOptions ibt_opts(uint32_t depth, uint32_t tail_call_entry, bool ibt) {
	JitOptions o;
	o.stack_depth = depth;
	o.ibt = ibt;
	o.tail_call_entry = tail_call_entry;
	return o;
}

inline JitOptions frame_opts(uint32_t depth, bool rethunk, bool bhb_loop, bool bhb_ibhf) {
	JitOptions o;
	o.stack_depth = depth;
	o.rethunk = rethunk;
	o.return_thunk = rethunk ? RETURN_THUNK : 0;
	o.bhb_loop = bhb_loop;
	o.bhb_loop_addr = bhb_loop ? BHB_LOOP : 0;
	o.bhb_ibhf = bhb_ibhf;
	return o;
}

inline const std::vector<FrameVariant> &frame_variants() {
	static const std::vector<FrameVariant> v = [] {
		std::vector<FrameVariant> r;
		for (uint32_t d : frame_depths)
			r.push_back({"PROLOGUE/EPILOGUE depth " + std::to_string(d), frame_opts(d, false, false, false)});
		r.push_back({"PROLOGUE/EPILOGUE rethunk depth 64", frame_opts(64, true, false, false)});
		r.push_back({"PROLOGUE/EPILOGUE bhb-loop depth 64", frame_opts(64, false, true, false)});
		r.push_back({"PROLOGUE/EPILOGUE bhb-ibhf depth 64", frame_opts(64, false, false, true)});
		r.push_back({"PROLOGUE/EPILOGUE bhb-loop bhb-ibhf rethunk depth 64", frame_opts(64, true, true, true)});
		// Classic programs on an IBT kernel; eBPF programs (laid out for
		// the kernel's tail calls) on 6.1 and on 6.12 with IBT, entered by
		// a call and by a tail call.
		r.push_back({"PROLOGUE/EPILOGUE ibt depth 64", ibt_opts(64, 0, true)});
		r.push_back({"PROLOGUE/EPILOGUE tail-call layout 11 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_61, false)});
		r.push_back({"PROLOGUE/EPILOGUE tail-call entry 11 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_61, false), true});
		r.push_back({"PROLOGUE/EPILOGUE ibt tail-call layout 16 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_612_IBT, true)});
		r.push_back({"PROLOGUE/EPILOGUE ibt tail-call entry 16 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_612_IBT, true), true});
		return r;
	}();
	return v;
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
	const std::vector<FrameVariant> &fv = frame_variants();
	if (k < fv.size()) {
		cfg.opts = fv[k].opts;
		return check_frame<T>(pro, epi, cfg, fv[k].name.c_str(), true, nullptr, fv[k].tail_call);
	}
	if (k == fv.size())
		return check_pad<T>(pad, MAX_PAD, ("PADDING 0.." + std::to_string(MAX_PAD)).c_str(), cfg);
	// The stack bound for one group of depths: the prologue's proof
	// obligations (the frame layout at the group's largest depth, the
	// bound at its smallest); the epilogue does not depend on the depth
	// (leave restores rsp from rbp) and is proved in full at the depths
	// above.
	const StackGroup &g = stack_groups<T>().at(k - fv.size() - 1);
	cfg.opts.stack_depth = g.lo;
	FrameGroup fg{g.hi, g.lo, &g.bytes};
	std::string n = group_name(g) + " <= depth + " + std::to_string(T::stack_fixed);
	return check_frame<T>(pro, epi, cfg, n.c_str(), false, &fg);
}

template <typename T>
ArchInfo make_arch() {
	ArchInfo a;
	a.name = T::name;
	a.n_rules = n_rules<T>;
	a.rule = rule_at<T>;
	a.check_rule = check_rule<T>;
	for (const FrameVariant &v : frame_variants()) {
		if (v.opts.bhb_loop && v.opts.bhb_ibhf)
			a.bhb_index = a.frame_names.size();
		if (v.opts.ibt && v.tail_call)
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

} // namespace

const std::vector<ArchInfo> &all_arches_info() {
	static const std::vector<ArchInfo> arches = {make_arch<TargetX86_64>()};
	return arches;
}

} // namespace verify
} // namespace vjit
