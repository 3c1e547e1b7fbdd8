// SPDX-License-Identifier: GPL-2.0
// Every mutant (verifier/mutants_x86_64.cc) must be rejected with a
// counterexample whose first difference is the expected one: a verifier
// that passes a mutant fails this test. Plus explorer unit tests.
#include <gtest/gtest.h>

#include <time.h>

#include <chrono>
#include <utility>
#include <vector>

#include "verifier/arches.h"
#include "arch/arm64/model.h"
#include "verifier/target_x86_64.h"

namespace vjit {
namespace verify {
namespace {

const ArchInfo &arch(const char *name) {
	for (const ArchInfo &a : all_arches_info())
		if (std::string(a.name) == name)
			return a;
	abort();
}

// The fail-fast bound is on the solver's work, not on the wall clock: a
// loaded machine (CI runs VMs beside the tests) must not fail a mutant.
double thread_cpu_seconds() {
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

class MutantTest : public ::testing::TestWithParam<size_t> {};

TEST_P(MutantTest, Caught) {
	const Mutant &m = all_mutants()[GetParam()];
	const ArchInfo &a = arch(m.arch);
	Config limits;
	limits.entry_ms = 60000;  // a hang is a failure too
	Result r;
	const double cpu0 = thread_cpu_seconds();
	if (m.frame) {
		r = a.check_frame(a.mutant_frame(m), &m, limits);
	} else {
		bool found = false;
		for (size_t i = 0; i < a.n_rules(); i++) {
			Rule<Symbolic> rule = a.rule(i);
			if (std::string(rule.name) != m.rule)
				continue;
			rule.lower = m.lower;
			r = a.check_rule(rule, limits);
			found = true;
		}
		ASSERT_TRUE(found) << "no table entry " << m.rule;
	}
	const double cpu = thread_cpu_seconds() - cpu0;
	EXPECT_EQ(r.outcome, Outcome::FAILED) << m.id << " (" << m.bug << ") was not caught";
	EXPECT_LT(cpu, 10.0) << m.id << ": a wrong lowering must be rejected fast";
	// "R": a BPF register's home, whichever register the counterexample picked.
	const std::string expect = m.expect == std::string("R") && r.first_diff.rfind("AX:", 0) == 0 ? "AX" : m.expect;
	EXPECT_NE(r.first_diff.find(expect), std::string::npos)
		<< m.id << ": expected a difference in '" << m.expect << "', got '" << r.first_diff << "'\n"
		<< r.detail;
	printf("mutant %-28s caught in %6.2fs (cpu %.2fs): %s\n", m.id, r.seconds, cpu, r.first_diff.c_str());
}

INSTANTIATE_TEST_SUITE_P(Registered, MutantTest, ::testing::Range<size_t>(0, all_mutants().size()),
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

// The explorer's Ackermann reduction: memory read through an uninterpreted
// function at two addresses that are equal only by arithmetic must give
// equal values, and a counterexample's model must interpret the function.
TEST(Explorer, UninterpretedFunctionsStayFunctions) {
	Explorer ex;
	int proved = 0, refuted = 0;
	ex.explore([&]() {
		z3::func_decl mem = fresh_memory("mem");
		SBV<64> a = SBV<64>::var("a");
		SBV<8> x(mem((a + SBV<64>(8)).e)), y(mem((SBV<64>(4) + a + SBV<64>(4)).e));
		if (ex.prove(x == y, nullptr) == Explorer::Proof::PROVED)
			proved++;
		SBV<8> z(mem((a + SBV<64>(1)).e));
		z3::model m(sym_ctx());
		if (ex.prove(x == z, &m) == Explorer::Proof::FAILED) {
			refuted++;
			EXPECT_NE(eval_u64(m, x.e), eval_u64(m, z.e));
		}
	});
	EXPECT_EQ(proved, 1);
	EXPECT_EQ(refuted, 1);
}

// Budgets: a query past its budget is "unknown", never a hang (here: that
// a product of two 31-bit primes has no factors, far beyond the budget
// for bit-blasting).
TEST(Explorer, QueryBudgetGivesUnknown) {
	Explorer ex;
	ex.set_limits(200, 0);
	Explorer::Proof p = Explorer::Proof::PROVED;
	auto t0 = std::chrono::steady_clock::now();
	ex.explore([&]() {
		SBV<64> x = SBV<64>::var("x"), y = SBV<64>::var("y");
		const SBV<64> n(2147483647ull * 2147483629ull);
		SBool factors = x * y == n && ugt(x, SBV<64>(1)) && ugt(y, SBV<64>(1)) &&
				ult(x, SBV<64>(1ull << 32)) && ult(y, SBV<64>(1ull << 32)) &&
				x != SBV<64>(2147483647ull) && y != SBV<64>(2147483647ull);
		z3::model m(sym_ctx());
		p = ex.prove(!factors, &m);
	});
	EXPECT_EQ(p, Explorer::Proof::UNKNOWN);
	EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

// An exploration past its time limit stops and says so.
TEST(Explorer, TimeLimitStopsExploration) {
	Explorer ex;
	ex.set_limits(0, 300);
	auto t0 = std::chrono::steady_clock::now();
	bool complete = ex.explore([&]() {
		for (int i = 0; i < 40; i++)  // 2^40 paths
			Symbolic::when(SBV<8>::var("b" + std::to_string(i)) == SBV<8>(0), "bit");
	});
	EXPECT_FALSE(complete);
	EXPECT_TRUE(ex.timed_out());
	EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

// The arm64 model states MSUB of a just-computed quotient as the remainder
// (arm64::model::msub_remainder). That must be what the instructions
// compute, Ra - q * Rm with A64's quotient (0 by 0), for every value: the
// solver proves it for all 8-bit values (a divider's miter is beyond
// bit-blasting at 32 or 64 bits) and Z3 evaluates it at 32 and 64 bits on
// the edges (by 0, INT_MIN by -1, by 1 and -1) and on random values; MADD
// for MSUB is refuted both ways.
template <unsigned W>
void check_msub_remainder(bool all_values) {
	using V = SBV<W>;
	z3::context &c = sym_ctx();
	const V a = V::var("rem_a" + std::to_string(W)), b = V::var("rem_b" + std::to_string(W));
	auto quotient = [&](bool sgn) { return select(b == V(0), V(0), sgn ? sdiv(a, b) : udiv(a, b)); };
	const z3::expr msub_u = (a - quotient(false) * b).e, msub_s = (a - quotient(true) * b).e,
		       madd_u = (a + quotient(false) * b).e;
	const z3::expr stated_u = arm64::model::msub_remainder<Symbolic, W>(false, a, b).e,
		       stated_s = arm64::model::msub_remainder<Symbolic, W>(true, a, b).e;
	if (all_values) {
		z3::solver s(c);
		s.add(msub_u != stated_u || msub_s != stated_s);
		EXPECT_EQ(s.check(), z3::unsat) << W << " bits";
		z3::solver w(c);
		w.add(madd_u != stated_u);
		EXPECT_EQ(w.check(), z3::sat) << W << " bits: MADD";
	}
	const uint64_t top = 1ull << (W - 1), ones = W == 64 ? ~0ull : (1ull << W) - 1;
	std::vector<std::pair<uint64_t, uint64_t>> cases = {
		{0, 0}, {7, 0}, {top, 0}, {top, ones}, {top, 1}, {ones, ones}, {5, ones}, {ones - 6, 2}, {6, top}};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		cases.push_back({x & ones, (x >> (i % 48)) & ones});
	}
	auto at = [&](const z3::expr &e, uint64_t va, uint64_t vb) {
		z3::expr_vector from(c), to(c);
		from.push_back(a.e), from.push_back(b.e);
		to.push_back(c.bv_val(va, W)), to.push_back(c.bv_val(vb, W));
		return z3::expr(e).substitute(from, to).simplify().get_numeral_uint64();
	};
	bool madd_refuted = false;
	for (auto [va, vb] : cases) {
		EXPECT_EQ(at(msub_u, va, vb), at(stated_u, va, vb)) << W << " bits: " << va << " % " << vb;
		EXPECT_EQ(at(msub_s, va, vb), at(stated_s, va, vb)) << W << " bits: " << va << " srem " << vb;
		madd_refuted = madd_refuted || at(madd_u, va, vb) != at(stated_u, va, vb);
	}
	EXPECT_TRUE(madd_refuted) << W << " bits";
}

TEST(ModelRemainder, Arm64MsubOfQuotientIsTheRemainder) {
	check_msub_remainder<8>(true);
	check_msub_remainder<32>(false);
	check_msub_remainder<64>(false);
}

// The model states the flags of SUB and CMP through comparisons of the
// operands (arch/x86_64/model.h); here they are proved equal to the SDM's
// bit formulas for every operand size: CF the borrow out of the top bit,
// ZF r = 0, SF the sign of r, OF the sign of (a ^ b) & (a ^ r).
TEST(ModelFlags, SubAndCmpMatchTheSdm) {
	struct Form {
		const char *name;
		unsigned bits;
		std::vector<uint8_t> code;  // a -= b (or compared) with a = rax, b = rcx
	};
	const Form forms[] = {
		{"cmp rax, rcx", 64, {0x48, 0x39, 0xc8}}, {"sub rax, rcx", 64, {0x48, 0x29, 0xc8}},
		{"cmp eax, ecx", 32, {0x39, 0xc8}},       {"sub eax, ecx", 32, {0x29, 0xc8}},
		{"cmp ax, cx", 16, {0x66, 0x39, 0xc8}},   {"cmp al, cl", 8, {0x38, 0xc8}},
	};
	for (const Form &f : forms) {
		Explorer ex;
		int proved = 0;
		ex.explore([&]() {
			using T = TargetX86_64;
			T::State s = T::fresh("f");
			const T::State s0 = s;
			NativeEnv env(fresh_memory("mem"));
			std::vector<SBV<8>> bytes;
			for (uint8_t b : f.code)
				bytes.push_back(SBV<8>(b));
			RunOut out = T::run(s, env, bytes, SBV<64>::var("pc"));
			ASSERT_EQ(out.status, RunStatus::EXITED) << f.name;
			const unsigned n = f.bits;
			z3::expr a = s0.gpr[0].e.extract(n - 1, 0), b = s0.gpr[1].e.extract(n - 1, 0);
			z3::expr r = a - b;
			z3::expr wide = z3::zext(a, 1) - z3::zext(b, 1);
			z3::context &c = sym_ctx();
			SBool sdm((wide.extract(n, n) == c.bv_val(1, 1)) == s.cf.e &&
				  (r == c.bv_val(0, n)) == s.zf.e &&
				  (r.extract(n - 1, n - 1) == c.bv_val(1, 1)) == s.sf.e &&
				  (((a ^ b) & (a ^ r)).extract(n - 1, n - 1) == c.bv_val(1, 1)) == s.of.e);
			z3::model m(c);
			Explorer::Proof p = ex.prove(sdm, &m);
			EXPECT_EQ(p, Explorer::Proof::PROVED) << f.name << "\n" << m;
			proved += p == Explorer::Proof::PROVED;
		});
		EXPECT_EQ(proved, 1) << f.name;
	}
}

} // namespace
} // namespace verify
} // namespace vjit
