// SPDX-License-Identifier: GPL-2.0
// The arches vjit-verify knows (one per backend) and the mutants: wrong
// lowerings kept re-injectable, each with the counterexample it must get.
#ifndef VJIT_VERIFIER_ARCHES_H
#define VJIT_VERIFIER_ARCHES_H

#include <functional>
#include <string>
#include <vector>

#include "verifier/refine.h"

namespace vjit {
namespace verify {

struct Mutant {
	const char *id;
	const char *arch;
	const char *rule;    // the table entry it replaces ("" for frame mutants)
	const char *bug;     // the bug class, as Linux JITs have shipped it
	const char *expect;  // a substring of the expected first difference
	LowerFn<Symbolic> lower;
	bool frame;
	FrameFn prologue, epilogue;  // frame mutants: nullptr = the real one
	PadFn pad = nullptr;         // padding mutants (frame too): the PADDING entry
	bool bhb = false;            // checked with the BHI barrier's options on
	bool ibt = false;            // checked entered by a tail call (under IBT if any)
};

struct ArchInfo {
	const char *name;
	size_t (*n_rules)();
	Rule<Symbolic> (*rule)(size_t);
	Result (*check_rule)(const Rule<Symbolic> &, const Config &);
	std::vector<std::string> frame_names;
	// Frame task k (prologue/epilogue proofs, stack bound), optionally
	// with a frame mutant's prologue/epilogue.
	std::function<Result(size_t, const Mutant *, const Config &)> check_frame;
	std::string note;      // printed with the summary (e.g. stack-bound groups)
	size_t pad_index = 0;  // the frame task that proves the padding
	size_t bhb_index = 0;  // the frame task with every BHI barrier option on
	size_t ibt_index = 0;  // the frame task entered by a tail call (under IBT if any)
	// The frame task a frame mutant is checked with.
	size_t mutant_frame(const Mutant &m) const {
		return m.pad ? pad_index : m.bhb ? bhb_index : m.ibt ? ibt_index : 0;
	}
};

const std::vector<ArchInfo> &all_arches_info();
const std::vector<Mutant> &all_mutants();

} // namespace verify
} // namespace vjit

#endif
