// SPDX-License-Identifier: GPL-2.0
// Path enumeration with replay.
//
// A lowering template (and the semantics and ISA model run after it) makes
// control decisions D::when(c, why). Explorer::explore runs a body once per
// feasible sequence of decisions: the body is run with a script (a list of
// booleans); at the first decision past the script, both outcomes are checked
// against the path condition (incremental Z3, check with assumptions) and,
// when both are feasible, the second is recorded as a pending prefix and the
// body is re-run for it later. Decisions whose condition simplifies to a
// constant never fork (sym_decide answers them before they reach us).
#ifndef VJIT_VERIFIER_EXPLORE_H
#define VJIT_VERIFIER_EXPLORE_H

#include <z3++.h>

#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "verifier/symbolic.h"

namespace vjit {

// Thrown (hosted code only) to abandon a path whose condition has become
// unsatisfiable, e.g. after an assumption.
struct InfeasiblePath {};
// Thrown when the exploration's time limit has passed (explore() catches it).
struct OutOfTime {};

struct Decision {
	const char *why;
	bool taken;
};

class Explorer {
public:
	// The incremental solver's kind (explore.cc says which is which).
	enum class Solver { BITS, THEORIES };
	explicit Explorer(Solver kind = Solver::BITS);
	~Explorer();
	Explorer(const Explorer &) = delete;
	Explorer &operator=(const Explorer &) = delete;

	// Runs body once per feasible path; stops after max_paths (returns
	// false then). The body sees a fresh path condition each time.
	bool explore(const std::function<void()> &body, size_t max_paths = 100000);

	// Adds c to the path condition. Throws InfeasiblePath when that makes
	// the path infeasible and check is set.
	void assume(const SBool &c, bool check = false);
	// Is the path condition satisfiable (the path not vacuous)?
	bool feasible();
	// Proves goal under the path condition. On failure, *cex gets a model
	// of the path condition and the goal's negation.
	enum class Proof { PROVED, FAILED, UNKNOWN };
	Proof prove(const SBool &goal, z3::model *cex);

	// Time budgets: every solver query ends within query_ms (then its
	// answer is "unknown"), and the whole exploration within total_ms of
	// this call (then explore() returns false and timed_out() says so).
	// 0: no limit.
	void set_limits(unsigned query_ms, unsigned total_ms);
	bool timed_out() const { return timed_out_; }
	unsigned query_ms() const { return query_ms_; }

	const std::vector<Decision> &decisions() const { return trail_; }
	size_t paths() const { return paths_; }
	size_t checks() const { return checks_; }
	// The model the last successful feasible() found.
	const z3::model &model() const { return model_; }

	bool decide(const z3::expr &c, const char *why);
	// Ends the exploration after the current path (a counterexample found).
	void stop() { stop_ = true; }

private:
	z3::solver solver_;
	std::vector<bool> script_;
	size_t pos_ = 0;
	std::vector<std::vector<bool>> pending_;
	std::vector<Decision> trail_;
	size_t paths_ = 0, checks_ = 0;
	bool stop_ = false;
	bool timed_out_ = false;
	unsigned query_ms_ = 0;
	bool has_deadline_ = false;
	std::chrono::steady_clock::time_point deadline_;
	// What a query may still take (ms): the query budget, cut to the
	// deadline; throws OutOfTime past the deadline.
	unsigned query_allowance();
	// A model of the current path condition, when one is known: a
	// decision whose condition it satisfies needs one check, not two.
	bool have_model_ = false;
	z3::model model_;

	// Ackermann's reduction, done as terms reach the solver: every
	// application of an uninterpreted function (memory contents, the
	// offsets table, helpers) becomes a fresh constant, with the
	// functional-consistency constraints (equal arguments, equal results)
	// against the earlier applications of the same function. The
	// incremental solver then works in plain bit-vectors, where it is fast
	// (with the functions themselves it times out on address equalities),
	// and a model gets the functions' interpretations back (complete()).
	struct UfApp {
		z3::func_decl f;
		z3::expr_vector args;
		z3::expr value;
	};
	// term id -> (the term, kept alive so that its id is not reused by
	// another term while the entry exists; its UF-free form)
	std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> lowered_;
	std::vector<UfApp> apps_;
	z3::expr lower_uf(const z3::expr &e);
	// Products, divisions and remainders as uninterpreted functions of
	// their operands (one per operation and width): a goal that holds so
	// holds for the real operations, and the solver need not bit-blast a
	// multiplier or divider when both sides apply it to operands it can
	// show equal (an immediate rebuilt from instruction fields, say).
	// *found: e has such an operation.
	std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> abstracted_;
	z3::expr abstract_arith(const z3::expr &e, bool *found);
	void complete(z3::model &m);
	void reset_path();

	// How long the incremental solver may take before a query goes to the
	// fresh one.
	static constexpr unsigned INCREMENTAL_MS = 200;
	void set_time_limit();
	z3::check_result check(const z3::expr *extra, z3::model *m);
	z3::check_result check_fresh(const z3::expr *extra, z3::model *m);
	bool satisfies(const z3::model &m, const z3::expr &extra);
};

// The explorer running on this thread (set by explore()).
Explorer *current_explorer();

} // namespace vjit

#endif
