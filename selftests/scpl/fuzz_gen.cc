// SPDX-License-Identifier: GPL-2.0
#include "fuzz_gen.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "scpl/compile.h"
#include "scpl/parser.h"
#include "scpl/prove.h"

namespace scpl_fuzz {
namespace {

class Gen {
public:
	explicit Gen(std::mt19937_64 &rng) : rng_(rng) {}

	std::string policy() {
		std::string s;
		if (chance(3))
			s += "arch " + arches() + "\n";
		for (const char *kw : {"default", "badarch", "x32"})
			if (chance(2))
				s += std::string(kw) + " " + action() + "\n";
		const unsigned consts = below(3), sets = below(3), rules = 1 + below(8);
		for (unsigned i = 0; i < consts; i++)
			s += "const C" + std::to_string(i) + " = " + value(2) + "\n";
		consts_ = consts;
		for (unsigned i = 0; i < sets; i++) {
			s += "set @s" + std::to_string(i) + " = { " + items() + " }\n";
			sets_ = i + 1;
		}
		for (unsigned i = 0; i < rules; i++) {
			s += action() + " " + items();
			if (!chance(6))
				s += " if " + cond(3);
			s += "\n";
		}
		return s;
	}

	// Breaks valid text the ways a typing user would: cut, repeat, stray tokens.
	std::string mutate(std::string s) {
		static const char *junk[] = {"(", ")", "{", "}", ",", "!", "&&", "||", "&", "|",
					     "==", "<", "-", "if", "in", "not", "arg9", "@", "\"",
					     "0x", "99999999999999999999", "errno(", "#", "\n", "~"};
		for (unsigned n = 1 + below(3); n-- > 0 && !s.empty();) {
			const size_t at = below((unsigned)s.size());
			switch (below(4)) {
			case 0: s.erase(at, 1 + below(8)); break;
			case 1: s.insert(at, junk[below(sizeof junk / sizeof *junk)]); break;
			case 2: s.insert(at, s.substr(at, 1 + below(16))); break;
			default: s.resize(at); break;
			}
		}
		return s;
	}

	bool chance(unsigned one_in) { return below(one_in) == 0; }

private:
	std::mt19937_64 &rng_;
	unsigned consts_ = 0, sets_ = 0;

	unsigned below(unsigned n) { return (unsigned)(rng_() % n); }
	template <size_t N>
	const char *pick(const char *const (&list)[N]) { return list[below(N)]; }

	std::string arches() {
		static const char *const names[] = {"x86_64", "i386", "aarch64"};
		std::string s = pick(names);
		if (chance(2))
			s += std::string(", ") + (s == "i386" ? "aarch64" : "i386");
		return s;
	}

	std::string action() {
		static const char *const plain[] = {"allow", "log", "kill", "kill-process", "kill-thread",
						    "trap", "trap(5)", "user-notif"};
		static const char *const errnos[] = {"EPERM", "EACCES", "ENOSYS", "1", "38", "4095"};
		switch (below(4)) {
		case 0: return std::string("errno(") + (chance(20) ? "4096" : pick(errnos)) + ")";
		case 1: return "trace(" + std::to_string(below(70000)) + ")";
		default: return pick(plain);
		}
	}

	std::string item() {
		static const char *const names[] = {"read", "write", "openat", "close", "mmap", "futex",
						    "getpid", "socket", "clone", "ioctl", "execve",
						    "arch_prctl", "socketcall"};
		if (chance(200))
			return "nosuchcall";
		if (sets_ && chance(5))
			return "@s" + std::to_string(below(sets_));
		if (chance(10)) {
			// a range, sometimes crossing into the x32 area or up to -1
			const uint32_t lo = chance(3) ? 0x3ffffff0u + below(32) : below(500);
			return std::to_string(lo) + ".." +
			       (chance(5) ? "-" + std::to_string(1 + below(3)) : std::to_string(lo + below(40)));
		}
		if (chance(6))
			return chance(4) ? std::to_string(rng_() % 0x100000000ull)
			       : chance(4) ? "-" + std::to_string(1 + below(3)) : std::to_string(below(500));
		return pick(names);
	}

	std::string items() {
		std::string s = item();
		for (unsigned n = below(4); n-- > 0;)
			s += ", " + item();
		return s;
	}

	std::string number() {
		switch (below(5)) {
		case 0: return std::to_string(below(10));
		case 1: {
			char b[24];
			snprintf(b, sizeof b, "0x%llx", (unsigned long long)rng_());
			return b;
		}
		case 2: return std::to_string(rng_() % 0x100000000ull);
		case 3: return "-" + std::to_string(below(5));
		default: return "0x" + std::to_string(1 + below(9)) + "00000000";
		}
	}

	std::string value(unsigned depth) {
		static const char *const named[] = {"AF_INET", "O_RDONLY", "O_ACCMODE", "CLONE_NEWUSER",
						    "PROT_EXEC", "MAP_FIXED", "FUTEX_WAIT"};
		static const char *const shifts[] = {" << ", " >> "};
		if (depth && chance(4))
			return "(" + value(depth - 1) + " | " + value(depth - 1) + ")";
		if (depth && chance(6)) // mostly in range, sometimes not
			return "(" + value(depth - 1) + pick(shifts) + std::to_string(below(66)) + ")";
		if (depth && chance(6))
			return "~" + value(depth - 1);
		if (consts_ && chance(5))
			return "C" + std::to_string(below(consts_));
		if (chance(4))
			return pick(named);
		return number();
	}

	std::string arg() { return "arg" + std::to_string(below(6)); }

	std::string comparison() {
		static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
		std::string a = arg(), mask;
		if (chance(4)) {
			mask = value(1);
			a = chance(2) ? "(" + a + " & " + mask + ")" : a + " & " + mask;
		}
		if (!mask.empty() && !chance(4)) // mostly the idiom that can hold
			return a + (chance(2) ? " == " : " != ") + (chance(2) ? mask : "0");
		if (chance(4)) {
			std::string s = a + (chance(3) ? " not in { " : " in { ") + value(1);
			for (unsigned n = below(4); n-- > 0;)
				s += ", " + value(1);
			return s + " }";
		}
		return a + " " + pick(ops) + " " + value(1);
	}

	std::string cond(unsigned depth) {
		if (!depth)
			return comparison();
		switch (below(5)) {
		case 0: return "!" + cond(depth - 1);
		case 1: return "(" + cond(depth - 1) + ")";
		case 2: return cond(depth - 1) + " && " + cond(depth - 1);
		case 3: return cond(depth - 1) + " || " + cond(depth - 1);
		default: return comparison();
		}
	}
};

// A policy error must name the generated file, as every SCPL error does.
bool names_the_file(const std::string &msg) {
	return msg.compare(0, strlen(FILE_NAME), FILE_NAME) == 0 &&
	       msg.find(": error: ") != std::string::npos;
}

// The proof's verdict, also checked concretely on a few inputs.
Result proved_and_agrees(const scpl::Policy &p, const scpl::Filter &f) {
	scpl::ProofResult r = scpl::prove(p, f);
	if (!r.proved)
		return {Outcome::FAILED, r.cex ? r.cex->str(p) : "rejected: " + r.rejected};
	std::mt19937_64 rng(f.size());
	for (int i = 0; i < 16; i++) {
		scpl::SeccompData<vjit::Concrete> d;
		d.nr = (uint32_t)(i < 8 ? rng() % 500 : rng());
		d.arch = p.arches[rng() % p.arches.size()].arch->audit_arch;
		d.ip = rng();
		for (auto &a : d.args)
			a = rng() % 3 ? rng() % 8 : rng();
		if (scpl::run_filter(f, d) != scpl::policy_action(p, d))
			return {Outcome::FAILED, "the filter and the policy disagree on a concrete input"};
	}
	return {Outcome::PROVED, ""};
}

} // namespace

std::string generate(std::mt19937_64 &rng) {
	Gen g(rng);
	std::string s = g.policy();
	return g.chance(4) ? g.mutate(s) : s;
}

Result check(const std::string &text) {
	try {
		scpl::Policy p = scpl::parse_string(text, FILE_NAME);
		return proved_and_agrees(p, scpl::compile(p));
	} catch (const scpl::Error &e) {
		if (!names_the_file(e.what()))
			return {Outcome::FAILED, std::string("error without the file name: ") + e.what()};
		return {Outcome::POLICY_ERROR, e.what()};
	} catch (const std::exception &e) {
		return {Outcome::FAILED, std::string("unexpected exception: ") + e.what()};
	}
}

Totals run(uint64_t seed, uint64_t iterations, const std::string &out_dir) {
	std::mt19937_64 rng(seed);
	Totals t;
	if (!out_dir.empty())
		mkdir(out_dir.c_str(), 0755);
	for (uint64_t i = 0; i < iterations; i++) {
		const std::string text = generate(rng);
		if (!out_dir.empty())
			std::ofstream(out_dir + "/current.scpl") << text;
		Result r = check(text);
		if (r.outcome == Outcome::PROVED)
			t.proved++;
		else if (r.outcome == Outcome::POLICY_ERROR)
			t.policy_errors++;
		if (r.outcome != Outcome::FAILED)
			continue;
		t.failed++;
		printf("FAIL seed %llu, policy %llu: %s\n%s\n", (unsigned long long)seed,
		       (unsigned long long)i, r.detail.c_str(), text.c_str());
		if (!out_dir.empty())
			std::ofstream(out_dir + "/fail-" + std::to_string(i) + ".scpl") << text;
	}
	return t;
}

} // namespace scpl_fuzz
