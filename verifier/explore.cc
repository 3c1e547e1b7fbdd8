// SPDX-License-Identifier: GPL-2.0
#include "verifier/explore.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace vjit {

namespace {
thread_local Explorer *current = nullptr;

bool decide_cb(void *arg, const z3::expr &cond, const char *why) {
	return static_cast<Explorer *>(arg)->decide(cond, why);
}
} // namespace

Explorer *current_explorer() { return current; }

// BITS: z3's solver for QF_BV (terms reach it free of uninterpreted
// functions, see lower_uf), incremental bit-blasting into a SAT solver.
// THEORIES: the general SMT core, which reasons about equalities between
// terms before bit-blasting them.
static z3::solver make_solver(Explorer::Solver kind) {
	if (kind == Explorer::Solver::THEORIES)
		return z3::solver(sym_ctx());
	return z3::solver(sym_ctx(), "QF_BV");
}

Explorer::Explorer(Solver kind) : solver_(make_solver(kind)), model_(sym_ctx()) { set_time_limit(); }

void Explorer::set_time_limit() {
	z3::params p(sym_ctx());
	p.set("timeout", INCREMENTAL_MS);
	solver_.set(p);
}

void Explorer::set_limits(unsigned query_ms, unsigned total_ms) {
	query_ms_ = query_ms;
	has_deadline_ = total_ms != 0;
	deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(total_ms);
}

unsigned Explorer::query_allowance() {
	unsigned ms = query_ms_;
	if (has_deadline_) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
		if (left.count() <= 0)
			throw OutOfTime{};
		if (ms == 0 || (unsigned long long)left.count() < ms)
			ms = (unsigned)left.count();
	}
	return ms;
}

Explorer::~Explorer() {
	if (current == this) {
		current = nullptr;
		set_sym_decider(nullptr, nullptr);
	}
}

namespace {
// VJIT_DUMP_SLOW=DIR: every solver query slower than VJIT_DUMP_MIN seconds
// (default 0.2) is written to DIR as SMT-LIB, to study with z3 itself.
void dump_if_slow(const z3::solver &s, const z3::expr &neg, std::chrono::steady_clock::time_point t0) {
	const char *dir = getenv("VJIT_DUMP_SLOW");
	if (!dir)
		return;
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	const char *min = getenv("VJIT_DUMP_MIN");
	if (secs <= (min ? atof(min) : 0.2))
		return;
	static std::atomic<int> n;
	z3::solver d(neg.ctx());
	for (const z3::expr &a : s.assertions())
		d.add(a);
	d.add(neg);
	std::ofstream(std::string(dir) + "/q" + std::to_string(n++) + ".smt2") << "; " << secs << " s\n" << d.to_smt2();
}
} // namespace


z3::expr Explorer::lower_uf(const z3::expr &e) {
	if (!e.is_app() || e.num_args() == 0)
		return e;
	auto hit = lowered_.find(e.id());
	if (hit != lowered_.end())
		return hit->second.second;
	z3::context &c = sym_ctx();
	z3::expr_vector args(c);
	bool changed = false;
	for (unsigned i = 0; i < e.num_args(); i++) {
		z3::expr a = lower_uf(e.arg(i));
		changed = changed || !z3::eq(a, e.arg(i));
		args.push_back(a);
	}
	z3::func_decl f = e.decl();
	z3::expr out = e;
	if (f.decl_kind() == Z3_OP_UNINTERPRETED) {
		// Arguments in normal form: applications to the same value
		// written two ways (idx + 1 + off, 1 + off + idx) share one
		// constant instead of needing a constraint.
		z3::expr_vector norm(c);
		for (unsigned i = 0; i < args.size(); i++)
			norm.push_back(args[i].simplify());
		args = norm;
		for (const UfApp &p : apps_) {
			bool same = z3::eq(p.f, f);
			for (unsigned i = 0; same && i < args.size(); i++)
				same = z3::eq(p.args[i], args[i]);
			if (same) {
				lowered_.emplace(e.id(), std::make_pair(e, p.value));
				return p.value;
			}
		}
		out = c.constant((f.name().str() + "!" + std::to_string(apps_.size())).c_str(), f.range());
		for (const UfApp &p : apps_) {
			if (!z3::eq(p.f, f))
				continue;
			z3::expr same = c.bool_val(true);
			for (unsigned i = 0; i < args.size(); i++)
				same = same && args[i] == p.args[i];
			same = same.simplify();  // a+1 = a+2: never, no constraint
			if (same.is_false())
				continue;
			z3::expr k = z3::implies(same, out == p.value);
			solver_.add(k);
			if (have_model_ && !model_.eval(k, true).is_true())
				have_model_ = false;
		}
		apps_.push_back(UfApp{f, args, out});
	} else if (changed) {
		out = f(args);
	}
	lowered_.emplace(e.id(), std::make_pair(e, out));
	return out;
}

// The operations abstract_arith makes uninterpreted: those a SAT solver
// pays most for (a divider or a multiplier per application).
static bool is_abstracted(Z3_decl_kind k) {
	switch (k) {
	case Z3_OP_BMUL:
	case Z3_OP_BSDIV: case Z3_OP_BUDIV: case Z3_OP_BSREM: case Z3_OP_BUREM: case Z3_OP_BSMOD:
	case Z3_OP_BSDIV_I: case Z3_OP_BUDIV_I: case Z3_OP_BSREM_I: case Z3_OP_BUREM_I: case Z3_OP_BSMOD_I:
		return true;
	default:
		return false;
	}
}

z3::expr Explorer::abstract_arith(const z3::expr &e, bool *found) {
	if (!e.is_app() || e.num_args() == 0)
		return e;
	auto hit = abstracted_.find(e.id());
	if (hit != abstracted_.end()) {
		*found = *found || !z3::eq(hit->second.second, e);
		return hit->second.second;
	}
	z3::context &c = sym_ctx();
	z3::expr_vector args(c);
	bool changed = false;
	for (unsigned i = 0; i < e.num_args(); i++) {
		bool sub = false;
		args.push_back(abstract_arith(e.arg(i), &sub));
		changed = changed || sub;
	}
	const z3::func_decl f = e.decl();
	z3::expr out = e;
	if (is_abstracted(f.decl_kind()) && args.size() == 2) {
		const std::string name = "abstract_" + f.name().str() + std::to_string(e.get_sort().bv_size());
		out = z3::function(name.c_str(), args[0].get_sort(), args[1].get_sort(), e.get_sort())(args[0], args[1]);
		changed = true;
	} else if (changed) {
		out = f(args);
	}
	abstracted_.emplace(e.id(), std::make_pair(e, out));
	*found = *found || changed;
	return out;
}

// Gives m the uninterpreted functions back: each one maps the arguments
// of its applications (as m evaluates them) to their values.
void Explorer::complete(z3::model &m) {
	z3::context &c = sym_ctx();
	std::unordered_map<unsigned, z3::func_interp> done;
	for (const UfApp &p : apps_) {
		auto it = done.find(p.f.id());
		if (it == done.end()) {
			z3::func_decl f = p.f;
			z3::expr dflt = m.eval(p.value, true);
			it = done.emplace(p.f.id(), m.add_func_interp(f, dflt)).first;
		}
		z3::expr_vector vals(c);
		for (unsigned i = 0; i < p.args.size(); i++)
			vals.push_back(m.eval(p.args[i], true));
		z3::expr v = m.eval(p.value, true);
		it->second.add_entry(vals, v);
	}
}

void Explorer::reset_path() {
	solver_.reset();
	set_time_limit();
	lowered_.clear();
	apps_.clear();
	abstracted_.clear();
}

// Every query first goes to the incremental solver (it keeps what it learnt
// along the path), with a short time limit; when it gives up, to a fresh
// bit-blasting solver, which simplifies the whole query first.
z3::check_result Explorer::check(const z3::expr *extra, z3::model *m) {
	const unsigned ms = query_allowance();  // past the deadline: OutOfTime
	if (ms && ms < INCREMENTAL_MS) {
		z3::params p(sym_ctx());
		p.set("timeout", ms);
		solver_.set(p);
	}
	checks_++;
	auto t0 = std::chrono::steady_clock::now();
	z3::expr_vector as(sym_ctx());
	if (extra)
		as.push_back(*extra);
	z3::check_result r = solver_.check(as);
	if (r == z3::sat && m)
		*m = solver_.get_model();
	if (r == z3::unknown)
		r = check_fresh(extra, m);
	dump_if_slow(solver_, extra ? *extra : sym_ctx().bool_val(true), t0);
	return r;
}

z3::check_result Explorer::check_fresh(const z3::expr *extra, z3::model *m) {
	z3::context &c = sym_ctx();
	z3::tactic pipeline = z3::tactic(c, "simplify") & z3::tactic(c, "solve-eqs") & z3::tactic(c, "ackermannize_bv") &
			      z3::tactic(c, "simplify") & z3::tactic(c, "bit-blast") & z3::tactic(c, "sat");
	// The budget: past it the answer is "unknown" (never an endless query).
	const unsigned ms = query_allowance();
	z3::solver once = (ms ? z3::try_for(pipeline, ms) : pipeline).mk_solver();
	for (const z3::expr &a : solver_.assertions())
		once.add(a);
	if (extra)
		once.add(*extra);
	z3::check_result r = once.check();
	if (r == z3::sat && m)
		*m = once.get_model();
	return r;
}

bool Explorer::decide(const z3::expr &orig, const char *why) {
	bool take;
	const z3::expr c = lower_uf(orig);
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

void Explorer::assume(const SBool &orig, bool check) {
	const z3::expr c = lower_uf(orig.e);
	solver_.add(c);
	if (have_model_) {
		z3::expr v = model_.eval(c, true);
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
		complete(m);
		model_ = m;
		have_model_ = true;
	}
	return r != z3::unsat;
}

// A goal with a product, division or remainder is tried first with those
// abstracted (abstract_arith): unsat there is unsat for the real
// operations. Else, or when that is not enough, the real query decides.
Explorer::Proof Explorer::prove(const SBool &goal, z3::model *cex) {
	bool has_abstracted = false;
	const z3::expr abstract = abstract_arith(goal.e, &has_abstracted);
	if (has_abstracted) {
		const z3::expr neg_abstract = lower_uf(!abstract);
		if (check(&neg_abstract, nullptr) == z3::unsat)
			return Proof::PROVED;
	}
	z3::expr neg = lower_uf(!goal.e);
	z3::model m(sym_ctx());
	z3::check_result r = check(&neg, &m);
	// A counterexample is checked against the query before it is believed;
	// a model that does not satisfy it (a solver's answer after a time
	// limit) is asked again of the fresh solver, and else is no answer.
	if (r == z3::sat && !satisfies(m, neg)) {
		r = check_fresh(&neg, &m);
		if (r == z3::sat && !satisfies(m, neg))
			r = z3::unknown;
	}
	if (r == z3::sat && cex) {
		*cex = m;
		complete(*cex);
	}
	if (r == z3::unsat)
		return Proof::PROVED;
	return r == z3::sat ? Proof::FAILED : Proof::UNKNOWN;
}

bool Explorer::satisfies(const z3::model &m, const z3::expr &extra) {
	if (!m.eval(extra, true).is_true())
		return false;
	for (const z3::expr &a : solver_.assertions())
		if (!m.eval(a, true).is_true())
			return false;
	return true;
}

bool Explorer::explore(const std::function<void()> &body, size_t max_paths) {
	Explorer *saved = current;
	current = this;
	set_sym_decider(decide_cb, this);
	pending_.clear();
	pending_.push_back({});
	bool complete = !timed_out_;
	stop_ = timed_out_;
	while (!pending_.empty() && !stop_) {
		if (paths_ >= max_paths) {
			complete = false;
			break;
		}
		script_ = std::move(pending_.back());
		pending_.pop_back();
		pos_ = 0;
		trail_.clear();
		reset_path();
		have_model_ = false;
		paths_++;
		try {
			body();
		} catch (const InfeasiblePath &) {
		} catch (const OutOfTime &) {
			timed_out_ = true;
			complete = false;
			break;
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
