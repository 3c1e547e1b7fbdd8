// SPDX-License-Identifier: GPL-2.0
#include "verifier/symbolic.h"

#include <cstdio>
#include <cstdlib>

namespace vjit {

z3::context &sym_ctx() {
	static thread_local z3::context ctx;
	return ctx;
}

namespace {
thread_local SymDecider current_decider = nullptr;
thread_local void *current_decider_arg = nullptr;
} // namespace

void set_sym_decider(SymDecider fn, void *arg) {
	current_decider = fn;
	current_decider_arg = arg;
}

bool sym_decide(const SBool &c, const char *why) {
	z3::expr s = c.e.simplify();
	if (s.is_true())
		return true;
	if (s.is_false())
		return false;
	if (!current_decider) {
		// A decision on a symbolic value with nobody exploring: a bug in
		// the caller (it must run under an explorer), never a guess.
		std::fprintf(stderr, "vjit: symbolic decision%s%s outside an explorer: %s\n",
			     why ? " " : "", why ? why : "", s.to_string().c_str());
		std::abort();
	}
	return current_decider(current_decider_arg, s, why);
}

void sym_not_constant(const z3::expr &e) {
	std::fprintf(stderr, "vjit: a plain number was needed, the value is symbolic: %s\n",
		     e.to_string().c_str());
	std::abort();
}

} // namespace vjit
