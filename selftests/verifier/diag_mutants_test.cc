// SPDX-License-Identifier: GPL-2.0
// Every INET-DIAG mutant (verifier/mutants_diag.cc) must be refuted by the
// translation proof, with the expected first difference: a proof that
// passes a wrong translation fails this test.
#include <gtest/gtest.h>

#include "verifier/diag_proof.h"

namespace vjit {
namespace verify {
namespace {

class DiagMutantTest : public ::testing::TestWithParam<size_t> {};

TEST_P(DiagMutantTest, Caught) {
	const DiagMutant &m = diag_mutants()[GetParam()];
	Config limits;
	limits.entry_ms = 60000;
	const Result r = check_diag_op(m.code, m.lowering(m.code), limits);
	EXPECT_EQ(r.outcome, Outcome::FAILED) << m.id << " (" << m.bug << ") was not caught";
	EXPECT_NE(r.first_diff.find(m.expect), std::string::npos)
		<< m.id << ": expected '" << m.expect << "', got '" << r.first_diff << "'\n" << r.detail;
	printf("mutant %-28s caught in %6.2fs: %s\n", m.id, r.seconds, r.first_diff.c_str());
}

INSTANTIATE_TEST_SUITE_P(InetDiag, DiagMutantTest, ::testing::Range<size_t>(0, diag_mutants().size()),
			 [](const ::testing::TestParamInfo<size_t> &i) {
				 std::string out;
				 for (char ch : std::string(diag_mutants()[i.param].id))
					 out += isalnum((unsigned char)ch) ? ch : '_';
				 return out;
			 });

// The shipped translation of the op each mutant replaces is proved.
TEST(DiagProof, ShippedLoweringsOfTheMutatedOps) {
	for (const DiagMutant &m : diag_mutants()) {
		const Result r = check_diag_op(m.code, diag_lowering<Symbolic>(m.code), Config());
		EXPECT_EQ(r.outcome, Outcome::PROVED) << diag_op_name(m.code) << ": " << r.first_diff << "\n"
						      << r.detail;
	}
}

} // namespace
} // namespace verify
} // namespace vjit
