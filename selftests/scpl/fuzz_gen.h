// SPDX-License-Identifier: GPL-2.0
// A seeded generator of SCPL policies over the grammar (mostly valid, some
// mutated into invalid text), and the check each one must pass: parsing and
// compiling end in a filter proven equal to the policy or in a policy error
// naming the file; nothing else (no other exception, no crash, no hang).
// Run by the SCPL suite (a bounded count) and by `make fuzz` (a longer run).
#ifndef VJIT_SELFTESTS_SCPL_FUZZ_GEN_H
#define VJIT_SELFTESTS_SCPL_FUZZ_GEN_H

#include <cstdint>
#include <random>
#include <string>

namespace scpl_fuzz {

// The name every generated policy is parsed under (errors must start with it).
inline const char *FILE_NAME = "fuzz.scpl";

std::string generate(std::mt19937_64 &rng);

enum class Outcome { PROVED, POLICY_ERROR, FAILED };
struct Result {
	Outcome outcome;
	std::string detail; // the error, or why the run failed
};
Result check(const std::string &text);

struct Totals {
	uint64_t proved = 0, policy_errors = 0, failed = 0;
};
// Runs `iterations` policies from `seed`; each failing one is written to
// out_dir (when not empty) and printed. Before each run the input is saved
// as out_dir/current.scpl, so a crash leaves it behind.
Totals run(uint64_t seed, uint64_t iterations, const std::string &out_dir);

} // namespace scpl_fuzz

#endif
