// SPDX-License-Identifier: GPL-2.0
// The proof: every project policy compiles to a filter proven equal to it;
// every compiler mutant is refuted with a counterexample; libseccomp's
// filters for the same policies are proven equal too (scplc check); the
// filters agree with the policy on random inputs; the hot path is short.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "helpers.h"
#include "scpl/libseccomp_ref.h"
#include "scpl/tables.h"

using namespace scpl;
using scpl_test::data;

namespace {

std::vector<std::pair<std::string, Policy>> all_policies() {
	std::vector<std::pair<std::string, Policy>> ps = {{"docker", scpl_test::docker_policy()}};
	for (const std::string &f : scpl_test::SCPL_POLICIES)
		ps.push_back({f, parse_file(f)});
	ps.push_back({"multi-arch", parse_string(R"(
		arch x86_64, i386, aarch64
		default errno(EPERM)
		x32 errno(ENOSYS)
		allow read, write, getpid, exit_group
		allow openat if arg2 < 0x80000000 && arg3 != 0 && arg4 <= 100
		trap kill if arg1 >= 0xfffffffffffffff0 || (arg0 & 0xffff00000000) == 0x1200000000
	)")});
	return ps;
}

TEST(ScplProof, EveryPolicyCompilesToAProvenFilter) {
	for (const auto &[name, p] : all_policies()) {
		Filter f = compile(p);
		ProofResult r = prove(p, f);
		EXPECT_TRUE(r.proved) << name << ": " << (r.cex ? r.cex->str(p) : r.rejected);
		EXPECT_LE(f.size(), 4096u);
	}
}

// Each mutant on the policy that exercises it: the proof must refute it, and
// the counterexample must show the difference when run concretely.
TEST(ScplProof, EveryCompilerMutantIsCaught) {
	const Policy docker = scpl_test::docker_policy();
	const Policy multi = all_policies().back().second;
	for (Mutation m : ALL_MUTATIONS) {
		for (const Policy *p : {&docker, &multi}) {
			CompileOptions o;
			o.mutation = m;
			Filter f = compile(*p, o);
			ProofResult r = prove(*p, f);
			ASSERT_FALSE(r.proved) << mutation_name(m) << " escaped the proof";
			ASSERT_TRUE(r.cex.has_value()) << mutation_name(m) << ": " << r.rejected;
			EXPECT_NE(run_filter(f, r.cex->data), policy_action(*p, r.cex->data));
			EXPECT_EQ(run_filter(compile(*p), r.cex->data), policy_action(*p, r.cex->data));
			EXPECT_NE(r.cex->str(*p).find("counterexample: seccomp_data"), std::string::npos);
		}
	}
}

// Whether libseccomp can say p: the same x32 handling, and one action per
// syscall (no first-match between actions).
bool libseccomp_can_say(const Policy &p) {
	if (p.x32_action != p.badarch_action)
		return false;
	for (const ArchPolicy &ap : p.arches)
		if (!ap.spans.empty())
			return false;
	for (const ArchPolicy &ap : p.arches)
		for (const auto &kv : ap.rules)
			for (const Rule &r : kv.second)
				if (r.action != kv.second[0].action)
					return false;
	return true;
}

TEST(ScplProof, LibseccompFiltersAreProvenEqual) {
	int compared = 0;
	for (const auto &[name, p] : all_policies()) {
		if (!libseccomp_can_say(p)) {
			EXPECT_THROW(libseccomp_filter(p), Error) << name;
			continue;
		}
		compared++;
		for (int optimize : {1, 2}) {
			Filter f = libseccomp_filter(p, optimize);
			ProofResult r = prove(p, f);
			EXPECT_TRUE(r.proved) << name << " optimize " << optimize << ": "
					      << (r.cex ? r.cex->str(p) : r.rejected);
		}
	}
	EXPECT_GE(compared, 4); // docker, systemd-service, web-worker, base
}

// A rule-by-rule port of a first-match policy to libseccomp is wrong, and
// the proof says where: server.scpl allows openat(AT_FDCWD, …, O_RDONLY)
// before refusing other openat calls with EACCES; libseccomp's filter
// refuses them all.
TEST(ScplProof, NaiveLibseccompPortOfFirstMatchIsRefuted) {
	Policy p = parse_file("policies/server.scpl");
	ProofResult r = prove(p, libseccomp_filter(p, 1, true));
	ASSERT_TRUE(r.cex.has_value());
	EXPECT_NE(r.cex->filter_action, r.cex->policy_action);
	const uint32_t nr = r.cex->data.nr.value();
	EXPECT_TRUE(nr == 257 || nr == 9 || nr == 10 || nr == 41) << r.cex->str(p);
}

TEST(ScplProof, CheckRefutesAFilterOfAnotherPolicy) {
	Policy p = parse_file("policies/server.scpl");
	Policy q = parse_string(std::string("include \"base.scpl\"\n") + "default kill\nallow @basic-io\n",
				"policies/other.scpl");
	ProofResult r = prove(p, libseccomp_filter(q));
	ASSERT_TRUE(r.cex.has_value());
	EXPECT_NE(r.cex->filter_action, r.cex->policy_action);
	// a filter seccomp would refuse is reported, not proved
	Filter bad = compile(p);
	bad.back().code = vjit::bpf::LD | vjit::bpf::W | vjit::bpf::ABS;
	EXPECT_FALSE(prove(p, bad).proved);
	EXPECT_NE(prove(p, bad).rejected, "");
}

// Random seccomp_data, concentrated where filters can go wrong: rule
// syscall numbers and range bounds, argument values near the policy's
// constants in both halves.
TEST(ScplProof, RandomInputsAgreeWithThePolicy) {
	std::mt19937_64 rng(42);
	for (const auto &[name, p] : all_policies()) {
		Filter f = compile(p);
		std::vector<uint64_t> interesting = {0, 1, 0xffffffff, 0x100000000, ~0ull, 0x80000000};
		std::vector<uint32_t> nrs = {0x3fffffff, 0x40000000, 0xfffffffe, 0xffffffff};
		std::vector<uint32_t> arches;
		for (const ArchPolicy &ap : p.arches) {
			arches.push_back(ap.arch->audit_arch);
			for (const auto &[lo, span] : ap.spans)
				nrs.insert(nrs.end(), {lo - 1, lo, span.hi, span.hi + 1});
			for (const auto &kv : ap.rules) {
				nrs.insert(nrs.end(), {kv.first - 1, kv.first, kv.first + 1});
				for (const Rule &r : kv.second)
					if (r.cond && r.cond->kind == Cond::CMP)
						for (int64_t d : {-1, 0, 1})
							interesting.push_back(r.cond->value + d);
			}
		}
		arches.push_back(0x40000003);
		for (int i = 0; i < 20000; i++) {
			auto pick = [&](auto &v) { return v[rng() % v.size()]; };
			scpl_test::Data d = data(rng() % 3 ? pick(nrs) : (uint32_t)rng());
			d.arch = rng() % 8 ? pick(arches) : (uint32_t)rng();
			for (auto &a : d.args)
				a = rng() % 4 ? pick(interesting) ^ (rng() % 3 ? 0 : (uint64_t)1 << (rng() % 64))
					      : rng();
			ASSERT_EQ(run_filter(f, d), policy_action(p, d)) << name << " nr " << d.nr.value();
		}
	}
}

double average_executed(const Filter &f) { return scpl::average_executed(f, AUDIT_ARCH_X86_64); }

uint32_t executed(const Filter &f, const char *name) {
	uint32_t nr;
	EXPECT_EQ(syscall_number(host_arch(), name, &nr), Lookup::FOUND);
	return executed_for(f, AUDIT_ARCH_X86_64, nr);
}

// The Done-when bounds, on Docker's profile: Kafel averages 10.6 and runs
// read/write in 6, getpid/futex/epoll_wait in 6, 11, 11.
TEST(ScplTree, HotPathIsShortOnDockersProfile) {
	Filter f = compile(scpl_test::docker_policy());
	EXPECT_LE(executed(f, "read"), 6u);
	EXPECT_LE(executed(f, "write"), 6u);
	EXPECT_LE(executed(f, "getpid"), 7u);
	EXPECT_LE(executed(f, "futex"), 7u);
	EXPECT_LE(executed(f, "epoll_wait"), 7u);
	EXPECT_LT(average_executed(f), 10.6);
}

TEST(ScplTree, EveryPolicyBeatsKafelsAverageAndLibseccomp) {
	for (const auto &[name, p] : all_policies()) {
		if (p.arches.size() != 1)
			continue;
		Filter f = compile(p);
		double avg = average_executed(f);
		EXPECT_LT(avg, 10.6) << name;
		if (libseccomp_can_say(p)) {
			EXPECT_LE(avg, average_executed(libseccomp_filter(p, 2))) << name;
		}
	}
}

// The Done-when bound on length: never longer than libseccomp's default.
TEST(ScplTree, EveryPolicyIsNoLongerThanLibseccomps) {
	for (const auto &[name, p] : all_policies()) {
		if (libseccomp_can_say(p)) {
			EXPECT_LE(compile(p).size(), libseccomp_filter(p, 1).size()) << name;
		}
	}
}

size_t count_loads(const Filter &f, uint32_t offset) {
	size_t n = 0;
	for (const auto &in : f)
		n += in.code == (vjit::bpf::LD | vjit::bpf::W | vjit::bpf::ABS) && in.k == offset;
	return n;
}

TEST(ScplTree, OneRetPerActionPerArch) {
	for (const auto &[name, p] : all_policies()) {
		std::map<uint32_t, size_t> rets;
		for (const auto &in : compile(p))
			if (in.code == (vjit::cbpf::RET | vjit::cbpf::RVAL_K))
				rets[in.k]++;
		for (const auto &[action, n] : rets)
			EXPECT_LE(n, p.arches.size()) << name << ": " << action_name(action);
	}
}

// Equal rule lists, written apart, are one copy of code; a repeated
// condition is dropped (under first match it never decides).
TEST(ScplTree, IdenticalRulesShareOneCopy) {
	Policy p = parse_string("default errno(EPERM)\n"
				"allow read if arg0 == 7\n"
				"allow write if arg0 == 7\n"
				"allow getpid if arg0 == 7\n");
	Filter f = compile(p);
	EXPECT_EQ(count_loads(f, 16), 1u); // arg0.lo
	EXPECT_TRUE(prove(p, f).proved);
	std::string repeated = "default errno(EPERM)\n";
	for (int i = 0; i < 1000; i++)
		repeated += "allow read if arg0 == 7\nkill-process read if arg0 == 7\n";
	Policy q = parse_string(repeated);
	Filter g = compile(q);
	EXPECT_EQ(count_loads(g, 16), 1u);
	EXPECT_TRUE(prove(q, g).proved);
}

TEST(ScplTree, LongFiltersGetJumpTrampolines) {
	// Every other syscall number allowed: hundreds of ranges, jumps > 255.
	std::string text = "default errno(EPERM)\nallow";
	for (int nr = 0; nr < 900; nr += 2)
		text += (nr ? ", " : " ") + std::to_string(nr);
	Policy p = parse_string(text);
	Filter f = compile(p);
	EXPECT_GT(f.size(), 256u);
	bool has_ja = false;
	for (const auto &in : f)
		has_ja |= in.code == (vjit::bpf::JMP | vjit::bpf::JA);
	EXPECT_TRUE(has_ja);
	EXPECT_TRUE(prove(p, f).proved);
}

} // namespace
