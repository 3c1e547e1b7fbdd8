// SPDX-License-Identifier: GPL-2.0
// Translation validation: Z3 proves that a filter returns, for every
// struct seccomp_data (arch, nr, ip, six 64-bit arguments), exactly the
// action its policy gives, or finds a seccomp_data where they differ.
#ifndef VJIT_SCPL_PROVE_H
#define VJIT_SCPL_PROVE_H

#include <optional>
#include <string>

#include "scpl/compile.h"
#include "scpl/meaning.h"

namespace scpl {

struct Counterexample {
	SeccompData<vjit::Concrete> data;
	uint32_t filter_action, policy_action; // both from the concrete semantics
	std::string str(const Policy &p) const;
};

struct ProofResult {
	bool proved = false;
	std::string rejected; // why the kernel would refuse the filter, if it would
	std::optional<Counterexample> cex;
};

// "" when seccomp(2) would accept the filter (the checks of Linux's
// bpf_check_classic and seccomp_check_filter that matter here).
std::string seccomp_check(const Filter &f);

ProofResult prove(const Policy &p, const Filter &f);

// Concrete runs: the filter's action and instructions executed.
uint32_t run_filter(const Filter &f, const SeccompData<vjit::Concrete> &d, uint32_t *executed = nullptr);
uint32_t policy_action(const Policy &p, const SeccompData<vjit::Concrete> &d);

// The cost measures of bench/ and the tests: instructions executed for
// syscall nr on arch (arguments zero), and the average over 0..last.
uint32_t executed_for(const Filter &f, uint32_t audit_arch, uint32_t nr);
double average_executed(const Filter &f, uint32_t audit_arch, uint32_t last = 450);

} // namespace scpl

#endif
