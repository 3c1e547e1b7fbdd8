// SPDX-License-Identifier: GPL-2.0
// The INET-DIAG translation proof: one theorem per op code, over the very
// lowerings the kernel module runs (core/diag_translate.h), against the
// bytecode's semantics (core/diag_semantics.h).
//
// For an op code, for all operand bytes the audit accepts, all entries
// (every byte of struct vjit_diag_entry) and all yes/no targets past the
// fragment within 16-bit reach: the fragment, run from its first
// instruction by the eBPF semantics (core/semantics.h), only loads from
// the entry, only jumps forward, and leaves by a jump to the yes target
// exactly when diag_op_yes holds, to the no target otherwise.
//
// With the layout (every fragment at the program index its targets name,
// ACCEPT = `w0 = 1; exit` at the end's index, REJECT = `w0 = 0; exit` at
// end + 4's) this gives, by induction over the yes chain, that the
// program returns 1 exactly when inet_diag_bc_run accepts.
#ifndef VJIT_VERIFIER_DIAG_PROOF_H
#define VJIT_VERIFIER_DIAG_PROOF_H

#include <string>
#include <vector>

#include "core/diag_translate.h"
#include "verifier/refine.h"

namespace vjit {
namespace verify {

// A wrong translation kept re-injectable: a lowering table built with
// other parts (verifier/mutants_diag.cc), and the op whose proof catches it.
struct DiagMutant {
	const char *id;
	uint8_t code;
	const char *bug;
	const char *expect;  // a substring of the expected first difference
	DiagLowerFn<Symbolic> (*lowering)(uint8_t code);
};

const std::vector<DiagMutant> &diag_mutants();

const char *diag_assumptions_text();

// The theorem for op `code`, with `lower` as its translation.
Result check_diag_op(uint8_t code, DiagLowerFn<Symbolic> lower, const Config &cfg);

// vjit-verify --inet-diag: every op (or those whose name contains only, or
// the one a mutant replaces); prints one line per op and the summary.
// Returns the process's exit status.
int run_diag_proofs(const std::string &only, const std::string &mutant, bool quiet,
		    const std::string &json_file);

} // namespace verify
} // namespace vjit

#endif
