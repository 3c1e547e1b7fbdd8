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
// return thunk, and the stack bound at every depth 0..MAX_BPF_STACK.
const uint32_t frame_depths[] = {512, 0, 1, 100};
constexpr uint64_t RETURN_THUNK = 0xffffffff82000000ull;

template <typename T>
Result frame_task(size_t k, const Mutant *m) {
	FrameFn pro = [](JitCtx<Symbolic> &c) { T::Arch::template prologue<Symbolic>(c); };
	FrameFn epi = [](JitCtx<Symbolic> &c) { T::Arch::template epilogue<Symbolic>(c); };
	if (m && m->prologue)
		pro = m->prologue;
	if (m && m->epilogue)
		epi = m->epilogue;
	Config cfg;
	const size_t nd = sizeof(frame_depths) / sizeof(frame_depths[0]);
	if (k < nd) {
		cfg.opts.stack_depth = frame_depths[k];
		std::string n = "PROLOGUE/EPILOGUE depth " + std::to_string(frame_depths[k]);
		return check_frame<T>(pro, epi, cfg, n.c_str());
	}
	if (k == nd) {
		cfg.opts.stack_depth = 64;
		cfg.opts.rethunk = true;
		cfg.opts.return_thunk = RETURN_THUNK;
		return check_frame<T>(pro, epi, cfg, "PROLOGUE/EPILOGUE rethunk depth 64");
	}
	// The stack bound at every depth: the prologue's proof obligations
	// (the frame layout and the bound) at each one; the epilogue does not
	// depend on the depth (leave restores rsp from rbp) and is proved in
	// full at the depths above.
	Result all;
	all.arch = T::name;
	all.name = "STACK BOUND depth 0.." + std::to_string(bpf::MAX_BPF_STACK) + " <= depth + " +
		   std::to_string(T::stack_fixed);
	all.cls = "FRAME";
	all.outcome = Outcome::PROVED;
	for (uint32_t d = 0; d <= bpf::MAX_BPF_STACK; d++) {
		cfg.opts.stack_depth = d;
		Result r = check_frame<T>(pro, epi, cfg, "stack bound", false);
		all.paths += r.paths;
		all.proved += r.proved;
		all.checks += r.checks;
		all.seconds += r.seconds;
		if (r.outcome != Outcome::PROVED) {
			all.outcome = Outcome::FAILED;
			all.first_diff = r.first_diff;
			all.detail = r.detail;
			break;
		}
	}
	return all;
}

template <typename T>
ArchInfo make_arch() {
	ArchInfo a;
	a.name = T::name;
	a.n_rules = n_rules<T>;
	a.rule = rule_at<T>;
	a.check_rule = check_rule<T>;
	for (uint32_t d : frame_depths)
		a.frame_names.push_back("PROLOGUE/EPILOGUE depth " + std::to_string(d));
	a.frame_names.push_back("PROLOGUE/EPILOGUE rethunk depth 64");
	a.frame_names.push_back("STACK BOUND depth 0.." + std::to_string(bpf::MAX_BPF_STACK));
	a.check_frame = frame_task<T>;
	return a;
}

} // namespace

const std::vector<ArchInfo> &all_arches_info() {
	static const std::vector<ArchInfo> arches = {make_arch<TargetX86_64>()};
	return arches;
}

} // namespace verify
} // namespace vjit
