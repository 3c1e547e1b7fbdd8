// SPDX-License-Identifier: GPL-2.0
#include "verifier/explore.h"


namespace vjit {

namespace {
thread_local Explorer *current = nullptr;

bool decide_cb(void *arg, const z3::expr &cond, const char *why) {
	return static_cast<Explorer *>(arg)->decide(cond, why);
}
} // namespace

Explorer *current_explorer() { return current; }

Explorer::Explorer() : solver_(sym_ctx()), model_(sym_ctx()) { set_time_limit(); }

void Explorer::set_time_limit() {
	z3::params p(sym_ctx());
	p.set("timeout", INCREMENTAL_MS);
	solver_.set(p);
}

Explorer::~Explorer() {
	if (current == this) {
		current = nullptr;
		set_sym_decider(nullptr, nullptr);
	}
}

// Every query first goes to the incremental solver (it keeps what it learnt
// along the path and is fast on division), with a short time limit; when it
// gives up, to a fresh bit-blasting solver (Ackermann's reduction for the
// uninterpreted functions: the offsets table, memory, helpers), far faster
// on comparisons and wide select chains.
z3::check_result Explorer::check(const z3::expr *extra, z3::model *m) {
	checks_++;
	z3::expr_vector as(sym_ctx());
	if (extra)
		as.push_back(*extra);
	z3::check_result r = solver_.check(as);
	if (r == z3::sat && m)
		*m = solver_.get_model();
	if (r != z3::unknown)
		return r;
	return check_fresh(extra, m);
}

z3::check_result Explorer::check_fresh(const z3::expr *extra, z3::model *m) {
	z3::context &c = sym_ctx();
	z3::solver once = (z3::tactic(c, "simplify") & z3::tactic(c, "solve-eqs") & z3::tactic(c, "ackermannize_bv") &
			   z3::tactic(c, "simplify") & z3::tactic(c, "bit-blast") & z3::tactic(c, "sat"))
				  .mk_solver();
	for (const z3::expr &a : solver_.assertions())
		once.add(a);
	if (extra)
		once.add(*extra);
	z3::check_result r = once.check();
	if (r == z3::sat && m)
		*m = once.get_model();
	return r;
}

bool Explorer::decide(const z3::expr &c, const char *why) {
	bool take;
	if (pos_ < script_.size()) {
		take = script_[pos_];
	} else {
		// Feasibility of each side under the path condition; a known
		// model settles one of them without a solver call.
		bool known_true = false, known_false = false;
		if (have_model_) {
			z3::expr v = model_.eval(c, true);
			known_true = v.is_true();
			known_false = v.is_false();
		}
		bool sat_t, sat_f;
		z3::model m_t(sym_ctx()), m_f(sym_ctx());
		if (known_true) {
			sat_t = true;
			m_t = model_;
		} else {
			z3::check_result r = check(&c, &m_t);
			sat_t = r != z3::unsat;
		}
		if (known_false) {
			sat_f = true;
			m_f = model_;
		} else if (!sat_t) {
			sat_f = true;  // the path is feasible, so the other side is
		} else {
			z3::expr nc = !c;
			z3::check_result r = check(&nc, &m_f);
			sat_f = r != z3::unsat;
		}
		if (!sat_t && !sat_f)
			throw InfeasiblePath{};
		take = sat_t;
		if (sat_t && sat_f) {
			std::vector<bool> alt(script_.begin(), script_.begin() + pos_);
			alt.push_back(false);
			pending_.push_back(std::move(alt));
		}
		script_.push_back(take);
		have_model_ = true;
		model_ = take ? m_t : m_f;
		// A side found feasible through "unknown" has no model.
		if (model_.num_consts() == 0 && model_.num_funcs() == 0)
			have_model_ = known_true || known_false;
	}
	pos_++;
	trail_.push_back(Decision{why, take});
	solver_.add(take ? c : !c);
	return take;
}

void Explorer::assume(const SBool &c, bool check) {
	solver_.add(c.e);
	if (have_model_) {
		z3::expr v = model_.eval(c.e, true);
		if (!v.is_true())
			have_model_ = false;
	}
	if (check && !feasible())
		throw InfeasiblePath{};
}

bool Explorer::feasible() {
	z3::model m(sym_ctx());
	z3::check_result r = check(nullptr, &m);
	if (r == z3::sat) {
		model_ = m;
		have_model_ = true;
	}
	return r != z3::unsat;
}

Explorer::Proof Explorer::prove(const SBool &goal, z3::model *cex) {
	z3::expr neg = !goal.e;
	z3::check_result r = check(&neg, cex);
	if (r == z3::unsat)
		return Proof::PROVED;
	return r == z3::sat ? Proof::FAILED : Proof::UNKNOWN;
}

bool Explorer::explore(const std::function<void()> &body, size_t max_paths) {
	Explorer *saved = current;
	current = this;
	set_sym_decider(decide_cb, this);
	pending_.clear();
	pending_.push_back({});
	bool complete = true;
	stop_ = false;
	while (!pending_.empty() && !stop_) {
		if (paths_ >= max_paths) {
			complete = false;
			break;
		}
		script_ = std::move(pending_.back());
		pending_.pop_back();
		pos_ = 0;
		trail_.clear();
		solver_.reset();
		set_time_limit();
		have_model_ = false;
		paths_++;
		try {
			body();
		} catch (const InfeasiblePath &) {
		}
	}
	current = saved;
	if (saved)
		set_sym_decider(decide_cb, saved);
	else
		set_sym_decider(nullptr, nullptr);
	return complete;
}

} // namespace vjit
