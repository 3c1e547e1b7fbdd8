// SPDX-License-Identifier: GPL-2.0
// Every mutant (verifier/mutants_x86_64.cc) must be rejected with a
// counterexample whose first difference is the expected one: a verifier
// that passes a mutant fails this test. Plus explorer unit tests.
#include <gtest/gtest.h>

#include <chrono>

#include "verifier/arches.h"

namespace vjit {
namespace verify {
namespace {

const ArchInfo &arch(const char *name) {
	for (const ArchInfo &a : all_arches_info())
		if (std::string(a.name) == name)
			return a;
	abort();
}

class MutantTest : public ::testing::TestWithParam<size_t> {};

TEST_P(MutantTest, Caught) {
	const Mutant &m = all_mutants()[GetParam()];
	const ArchInfo &a = arch(m.arch);
	Result r;
	if (m.frame) {
		r = a.check_frame(a.mutant_frame(m), &m);
	} else {
		bool found = false;
		for (size_t i = 0; i < a.n_rules(); i++) {
			Rule<Symbolic> rule = a.rule(i);
			if (std::string(rule.name) != m.rule)
				continue;
			rule.lower = m.lower;
			r = a.check_rule(rule, Config{});
			found = true;
		}
		ASSERT_TRUE(found) << "no table entry " << m.rule;
	}
	EXPECT_EQ(r.outcome, Outcome::FAILED) << m.id << " (" << m.bug << ") was not caught";
	EXPECT_NE(r.first_diff.find(m.expect), std::string::npos)
		<< m.id << ": expected a difference in '" << m.expect << "', got '" << r.first_diff << "'\n"
		<< r.detail;
	printf("mutant %-28s caught in %6.2fs: %s\n", m.id, r.seconds, r.first_diff.c_str());
}

INSTANTIATE_TEST_SUITE_P(X86_64, MutantTest, ::testing::Range<size_t>(0, all_mutants().size()),
			 [](const ::testing::TestParamInfo<size_t> &i) {
				 std::string out;
				 for (char ch : std::string(all_mutants()[i.param].id))
					 out += isalnum((unsigned char)ch) ? ch : '_';
				 return out;
			 });

TEST(Mutants, AtLeastFifteen) { EXPECT_GE(all_mutants().size(), 15u); }

// The explorer: independent decisions multiply, infeasible ones prune,
// constant ones never fork.
TEST(Explorer, EnumeratesFeasiblePaths) {
	Explorer ex;
	std::vector<std::string> seen;
	ex.explore([&]() {
		SBV<8> x = SBV<8>::var("x");
		std::string p;
		p += Symbolic::when(ult(x, SBV<8>(10)), "lt10") ? "a" : "b";
		p += Symbolic::when(ult(x, SBV<8>(5)), "lt5") ? "c" : "d";     // x<5 needs x<10
		p += Symbolic::when(SBV<8>(3) == SBV<8>(3), "const") ? "e" : "f";
		seen.push_back(p);
	});
	std::sort(seen.begin(), seen.end());
	EXPECT_EQ(seen, (std::vector<std::string>{"ace", "ade", "bde"}));
	EXPECT_EQ(ex.paths(), 3u);
}

TEST(Explorer, ProvesAndRefutes) {
	Explorer ex;
	int proved = 0, refuted = 0;
	ex.explore([&]() {
		SBV<32> x = SBV<32>::var("x");
		ex.assume(ult(x, SBV<32>(100)));
		if (ex.prove(ult(x + SBV<32>(1), SBV<32>(101)), nullptr) == Explorer::Proof::PROVED)
			proved++;
		z3::model m(sym_ctx());
		if (ex.prove(ult(x, SBV<32>(50)), &m) == Explorer::Proof::FAILED)
			refuted++;
	});
	EXPECT_EQ(proved, 1);
	EXPECT_EQ(refuted, 1);
}

} // namespace
} // namespace verify
} // namespace vjit
