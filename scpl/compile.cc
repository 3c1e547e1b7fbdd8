// SPDX-License-Identifier: GPL-2.0
#include "scpl/compile.h"

#include <algorithm>
#include <climits>
#include <map>

#include "core/cbpf_semantics.h"
#include "scpl/meaning.h"
#include "scpl/tables.h"

namespace scpl {

using vjit::ClassicInsn;
namespace bpf = vjit::bpf;
namespace cbpf = vjit::cbpf;

const Mutation ALL_MUTATIONS[5] = {
	Mutation::OFF_BY_ONE_BOUND, Mutation::WRONG_ARG_HALF, Mutation::SIGN_EXTEND_CONST,
	Mutation::OFF_BY_ONE_ARG_CMP, Mutation::NO_X32_CHECK,
};

const char *mutation_name(Mutation m) {
	switch (m) {
	case Mutation::NONE: return "none";
	case Mutation::OFF_BY_ONE_BOUND: return "off-by-one-bound";
	case Mutation::WRONG_ARG_HALF: return "wrong-arg-half";
	case Mutation::SIGN_EXTEND_CONST: return "sign-extend-const";
	case Mutation::OFF_BY_ONE_ARG_CMP: return "off-by-one-arg-cmp";
	case Mutation::NO_X32_CHECK: return "no-x32-check";
	}
	return "?";
}

namespace {

constexpr uint16_t LD_ABS = bpf::LD | bpf::W | bpf::ABS;
constexpr uint16_t RET_K = cbpf::RET | cbpf::RVAL_K;
constexpr uint16_t JEQ = bpf::JMP | bpf::JEQ | bpf::K;
constexpr uint16_t JGT = bpf::JMP | bpf::JGT | bpf::K;
constexpr uint16_t JGE = bpf::JMP | bpf::JGE | bpf::K;
constexpr uint16_t AND_K = bpf::ALU | bpf::AND | bpf::K;
constexpr uint32_t OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

// Classic BPF with labels. Conditional jumps reach 255 instructions; a
// farther target gets a JA right after the jump (added until none is too
// far: insertions only grow distances, so this ends).
class Assembler {
public:
	static constexpr int NEXT = -1;

	// where: the policy's file, to prefix the "too big" error with
	explicit Assembler(std::string where) : where_(std::move(where)) {}

	int label() {
		label_item_.push_back(-1);
		return (int)label_item_.size() - 1;
	}
	void bind(int l) { label_item_[l] = (int)items_.size(); }
	void stmt(uint16_t code, uint32_t k) { add({{code, 0, 0, k}, NEXT, NEXT, false}); }
	void jump(uint16_t code, uint32_t k, int t, int f) { add({{code, 0, 0, k}, t, f, false}); }
	void ja(int l) { add({{bpf::JMP | bpf::JA, 0, 0, 0}, l, l, true}); }
	void ret(uint32_t action) { stmt(RET_K, action); }

	Filter finish() const {
		const size_t n = items_.size();
		std::vector<uint8_t> far_t(n), far_f(n);
		std::vector<uint32_t> pos(n + 1);
		auto size = [&](size_t i) { return 1u + far_t[i] + far_f[i]; };
		auto target = [&](size_t i, int l) -> uint32_t {
			if (l == NEXT)
				return pos[i] + size(i);
			if (label_item_[l] < 0)
				throw Error("internal error: unbound label");
			return pos[label_item_[l]];
		};
		for (bool changed = true; changed;) {
			changed = false;
			for (size_t i = 0; i < n; i++)
				pos[i + 1] = pos[i] + size(i);
			for (size_t i = 0; i < n; i++) {
				const Item &it = items_[i];
				if (it.is_ja || bpf::cls(it.insn.code) != bpf::JMP)
					continue;
				if (!far_t[i] && target(i, it.t) - pos[i] - 1 > 255)
					far_t[i] = changed = true;
				if (!far_f[i] && target(i, it.f) - pos[i] - 1 > 255)
					far_f[i] = changed = true;
			}
		}
		Filter out;
		for (size_t i = 0; i < n; i++) {
			const Item &it = items_[i];
			ClassicInsn insn = it.insn;
			if (it.is_ja) {
				insn.k = target(i, it.t) - pos[i] - 1;
				out.push_back(insn);
				continue;
			}
			if (bpf::cls(insn.code) != bpf::JMP) {
				out.push_back(insn);
				continue;
			}
			insn.jt = far_t[i] ? 0 : (uint8_t)(target(i, it.t) - pos[i] - 1);
			insn.jf = far_f[i] ? far_t[i] : (uint8_t)(target(i, it.f) - pos[i] - 1);
			out.push_back(insn);
			// k counts from the instruction after the JA
			if (far_t[i])
				out.push_back({bpf::JMP | bpf::JA, 0, 0,
					       target(i, it.t) - (uint32_t)out.size() - 1});
			if (far_f[i])
				out.push_back({bpf::JMP | bpf::JA, 0, 0,
					       target(i, it.f) - (uint32_t)out.size() - 1});
		}
		if (out.size() > cbpf::MAXINSNS)
			too_big(std::to_string(out.size()));
		return out;
	}

private:
	struct Item {
		ClassicInsn insn;
		int t, f;
		bool is_ja;
	};
	std::string where_;
	std::vector<Item> items_;

	// Each item is at least one instruction: stop as soon as they cannot fit
	// (huge inputs end here, not after building a huge program).
	void add(const Item &it) {
		if (items_.size() == cbpf::MAXINSNS)
			throw Error(where_ + ": error: the filter would exceed the kernel's " +
				    std::to_string(cbpf::MAXINSNS) + " instructions");
		items_.push_back(it);
	}
	[[noreturn]] void too_big(const std::string &needed) const {
		throw Error(where_ + ": error: the filter needs " + needed +
			    " instructions, more than the kernel's " + std::to_string(cbpf::MAXINSNS));
	}
	std::vector<int> label_item_;
};

// A run of syscall numbers [lo, hi] that all do the same thing.
struct Range {
	uint32_t lo, hi;
	int decision;     // index into Compiler::decisions_
	uint64_t weight;  // how much the tree should favour it
	uint64_t leaf_cost;
	unsigned max_depth = UINT_MAX; // tree nodes above it, at most (hot syscalls)
};

// What a range does: its rules, and the action when none holds. Kept in a
// normal form (no rule repeating an earlier condition, none at the end that
// gives the fallback anyway) so that equal meanings share one leaf.
struct Decision {
	RuleList rules;
	uint32_t fallback;

	bool pure() const { return rules.empty(); }
	bool operator==(const Decision &o) const {
		if (fallback != o.fallback || rules.size() != o.rules.size())
			return false;
		for (size_t i = 0; i < rules.size(); i++)
			if (rules[i].action != o.rules[i].action ||
			    !same_cond(*rules[i].cond, *o.rules[i].cond))
				return false;
		return true;
	}
};

bool unconditional(const Rule &r) { return !r.cond || r.cond->kind == Cond::TRUE; }

Decision normal_form(const RuleList &rules, uint32_t fallback) {
	Decision d{{}, fallback};
	for (const Rule &r : rules) {
		if (unconditional(r)) {
			d.fallback = r.action;
			break;
		}
		// Under first match a repeated condition never decides.
		bool repeated = false;
		for (const Rule &e : d.rules)
			repeated = repeated || same_cond(*e.cond, *r.cond);
		if (!repeated)
			d.rules.push_back(r);
	}
	while (!d.rules.empty() && d.rules.back().action == d.fallback)
		d.rules.pop_back();
	return d;
}

// The numbers lo..hi that share rules: one number's, or a span's.
struct RulesAt {
	uint32_t lo, hi;
	const RuleList *rules;
};

std::vector<RulesAt> rules_in_order(const ArchPolicy &ap) {
	std::vector<RulesAt> out;
	for (const auto &[nr, rules] : ap.rules)
		out.push_back({nr, nr, &rules});
	for (const auto &[lo, span] : ap.spans)
		out.push_back({lo, span.hi, &span.rules});
	std::sort(out.begin(), out.end(), [](const RulesAt &a, const RulesAt &b) { return a.lo < b.lo; });
	return out;
}

class Compiler {
public:
	Compiler(const Policy &p, const CompileOptions &o)
		: p_(p), opt_(o), a_(p.source.empty() ? "scplc" : p.source) {}

	// Each arch's block ends in its leaves and one RET per action; the
	// last arch's pool also holds the bad-arch return.
	Filter run() {
		a_.stmt(LD_ABS, OFF_ARCH);
		for (size_t a = 0; a < p_.arches.size(); a++) {
			const bool last = a + 1 == p_.arches.size();
			rets_.clear();
			const int other = last ? ret_label(p_.badarch_action) : a_.label();
			a_.jump(JEQ, p_.arches[a].arch->audit_arch, Assembler::NEXT, other);
			a_.stmt(LD_ABS, OFF_NR);
			arch_block(p_.arches[a]);
			if (!last)
				a_.bind(other);
		}
		return a_.finish();
	}

private:
	const Policy &p_;
	const CompileOptions &opt_;
	Assembler a_;
	std::vector<Decision> decisions_;
	std::vector<Range> ranges_;
	std::map<uint32_t, int> rets_;   // action -> label of its RET
	std::vector<int> leaf_labels_;   // per decision; -1: not yet needed
	std::vector<int> pending_leaves_; // conditional decisions still to emit
	static constexpr int LEAF = -1;
	// choice CHAIN_BASE - d: a chain of "jeq" over decision d (see chain_order)
	static constexpr int CHAIN_BASE = -2;
	// Longest chain tried; longer ones cost more than a tree on average.
	static constexpr size_t MAX_PEELS = 8;
	// Above this many ranges the O(n^3) optimal tree would take too long;
	// a weight-balanced tree is built instead (such filters rarely fit).
	static constexpr size_t MAX_OPTIMAL_RANGES = 400;
	std::vector<uint64_t> balance_prefix_; // the balanced tree's weights
	uint64_t insn_cost_ = 0; // one instruction of length, in cost units

	int decision_of(const Decision &d) {
		for (size_t i = 0; i < decisions_.size(); i++)
			if (decisions_[i] == d)
				return (int)i;
		decisions_.push_back(d);
		return (int)decisions_.size() - 1;
	}

	int ret_label(uint32_t action) {
		auto it = rets_.find(action);
		if (it == rets_.end())
			it = rets_.emplace(action, a_.label()).first;
		return it->second;
	}

	// Where a tree node jumps for decision d: its RET, or its rules' code.
	int leaf_target(int d) {
		if (decisions_[d].pure())
			return ret_label(decisions_[d].fallback);
		if (leaf_labels_[d] < 0) {
			leaf_labels_[d] = a_.label();
			pending_leaves_.push_back(d);
		}
		return leaf_labels_[d];
	}

	bool x32_checked(const ArchPolicy &ap) const {
		return ap.arch->has_x32 && opt_.mutation != Mutation::NO_X32_CHECK;
	}

	// Numbers lo..hi that no rule names: the default, the x32 area apart.
	void add_gap(const ArchPolicy &ap, uint64_t lo, uint64_t hi) {
		const int dflt = decision_of({{}, p_.default_action});
		if (!x32_checked(ap) || hi < X32_SYSCALL_BIT) {
			if (lo <= hi)
				add_range((uint32_t)lo, (uint32_t)hi, dflt);
			return;
		}
		const int x32 = decision_of({{}, p_.x32_action});
		if (lo < X32_SYSCALL_BIT)
			add_range((uint32_t)lo, X32_SYSCALL_BIT - 1, dflt);
		const uint64_t x32_lo = std::max<uint64_t>(lo, X32_SYSCALL_BIT);
		const uint64_t x32_hi = std::min<uint64_t>(hi, NR_SKIPPED - 1);
		if (x32_lo <= x32_hi)
			add_range((uint32_t)x32_lo, (uint32_t)x32_hi, x32);
		if (hi == NR_SKIPPED)
			add_range(NR_SKIPPED, NR_SKIPPED, dflt);
	}

	void add_range(uint32_t lo, uint32_t hi, int d) {
		if (!ranges_.empty() && ranges_.back().decision == d && ranges_.back().hi + 1 == lo)
			ranges_.back().hi = hi;
		else
			ranges_.push_back({lo, hi, d, 0, 0});
	}

	void build_ranges(const ArchPolicy &ap) {
		decisions_.clear();
		ranges_.clear();
		uint64_t next = 0; // first number not yet covered
		for (const RulesAt &at : rules_in_order(ap)) {
			if (at.lo > next)
				add_gap(ap, next, at.lo - 1);
			const uint32_t fallback =
				x32_checked(ap) ? fallback_action(p_, ap, at.lo) : p_.default_action;
			add_range(at.lo, at.hi, decision_of(normal_form(*at.rules, fallback)));
			next = (uint64_t)at.hi + 1;
		}
		if (next <= 0xffffffffull)
			add_gap(ap, next, 0xffffffffull);
		leaf_labels_.assign(decisions_.size(), -1);
		set_weights(ap);
	}

	// Weights: numbers the arch's table knows, plus hot syscalls' bounds.
	void set_weights(const ArchPolicy &ap) {
		const uint64_t window = max_syscall(*ap.arch);
		uint64_t total = 0;
		for (Range &r : ranges_) {
			if (r.lo <= window)
				r.weight = std::min<uint64_t>(r.hi, window) - r.lo + 1;
			total += r.weight;
			const Decision &d = decisions_[r.decision];
			r.leaf_cost = d.pure() ? 1 : 2 + 4 * d.rules.size();
		}
		insn_cost_ = (uint64_t)(opt_.length_weight * (double)total + 0.5);
		// Instructions before the tree: ld arch, jeq arch, ld nr. Earlier
		// arches' checks add one jeq each.
		const unsigned before = 3 + (unsigned)(&ap - p_.arches.data());
		for (const auto &[name, max_executed] : opt_.hot) {
			uint32_t nr;
			if (syscall_number(*ap.arch, name, &nr) != Lookup::FOUND)
				continue;
			for (Range &r : ranges_)
				if (r.lo <= nr && nr <= r.hi && max_executed >= before + r.leaf_cost)
					r.max_depth = std::min(r.max_depth, max_executed - before - (unsigned)r.leaf_cost);
		}
	}

	// Optimal search tree over ranges_: cost = sum of weight × instructions
	// executed (one per tree node passed, plus the leaf), plus insn_cost_
	// per node. Level t < levels holds the best subtrees rooted at depth t
	// that keep the hot ranges within their max_depth; level `levels` is
	// unconstrained (deeper than every bound).
	struct Level {
		std::vector<std::vector<uint64_t>> cost;
		std::vector<std::vector<int>> choice; // split point; LEAF; CHAIN_BASE - d
	};
	std::vector<Level> levels_;
	static constexpr uint64_t INF = UINT64_MAX / 4;

	// Bounds no tree can meet are loosened one level at a time (a bound of
	// n - 1 always holds), rather than failing the compile.
	void plan() {
		while (!plan_within_bounds())
			for (Range &r : ranges_)
				if (r.max_depth != UINT_MAX)
					r.max_depth++;
	}

	// Ranges i..j as decision bg with the others picked out one "jeq" each
	// (libseccomp's shape, one node per syscall): the picked ranges in test
	// order, heaviest first unless that breaks a bound; empty when a picked
	// range is not a single number or no order keeps the bounds.
	std::vector<size_t> chain_order(size_t i, size_t j, int bg, unsigned t) const {
		std::vector<size_t> picked;
		unsigned bg_bound = UINT_MAX;
		for (size_t k = i; k <= j; k++) {
			if (ranges_[k].decision == bg) {
				bg_bound = std::min(bg_bound, ranges_[k].max_depth);
				continue;
			}
			if (ranges_[k].lo != ranges_[k].hi || picked.size() == MAX_PEELS)
				return {};
			picked.push_back(k);
		}
		if (picked.empty() || bg_bound < t + picked.size())
			return {};
		auto fits = [&] {
			for (size_t p = 0; p < picked.size(); p++)
				if (ranges_[picked[p]].max_depth < t + p + 1)
					return false;
			return true;
		};
		std::stable_sort(picked.begin(), picked.end(),
				 [&](size_t a, size_t b) { return ranges_[a].weight > ranges_[b].weight; });
		if (fits())
			return picked;
		std::stable_sort(picked.begin(), picked.end(),
				 [&](size_t a, size_t b) { return ranges_[a].max_depth < ranges_[b].max_depth; });
		return fits() ? picked : std::vector<size_t>{};
	}

	uint64_t chain_cost(size_t i, size_t j, int bg, const std::vector<size_t> &order) const {
		uint64_t c = insn_cost_ * order.size();
		for (size_t p = 0; p < order.size(); p++)
			c += ranges_[order[p]].weight * (p + 1 + ranges_[order[p]].leaf_cost);
		for (size_t k = i; k <= j; k++)
			if (ranges_[k].decision == bg)
				c += ranges_[k].weight * (order.size() + ranges_[k].leaf_cost);
		return c;
	}

	// The cheapest chain for ranges i..j at depth t, into cost and choice.
	void best_chain(size_t i, size_t j, unsigned t, uint64_t &cost, int &choice) const {
		if (j - i > 2 * MAX_PEELS)
			return;
		std::vector<int> tried;
		for (size_t k = i; k <= j; k++) {
			const int bg = ranges_[k].decision;
			if (std::find(tried.begin(), tried.end(), bg) != tried.end())
				continue;
			tried.push_back(bg);
			const std::vector<size_t> order = chain_order(i, j, bg, t);
			if (order.empty())
				continue;
			const uint64_t c = chain_cost(i, j, bg, order);
			if (c < cost) {
				cost = c;
				choice = CHAIN_BASE - bg;
			}
		}
	}

	bool plan_within_bounds() {
		const size_t n = ranges_.size();
		unsigned constrained = 0;
		for (const Range &r : ranges_)
			if (r.max_depth != UINT_MAX)
				constrained = std::max(constrained, r.max_depth + 1);
		std::vector<uint64_t> prefix(n + 1);
		for (size_t i = 0; i < n; i++)
			prefix[i + 1] = prefix[i] + ranges_[i].weight;
		levels_.assign(constrained + 1, Level{std::vector<std::vector<uint64_t>>(n, std::vector<uint64_t>(n, INF)),
						       std::vector<std::vector<int>>(n, std::vector<int>(n, LEAF))});
		for (unsigned t = constrained + 1; t-- > 0;) {
			const bool free = t == constrained;
			Level &L = levels_[t];
			// the free level stands for every depth >= constrained
			const Level &below = levels_[free ? t : t + 1];
			for (size_t i = 0; i < n; i++)
				if (ranges_[i].max_depth >= t)
					L.cost[i][i] = ranges_[i].weight * ranges_[i].leaf_cost;
			for (size_t len = 2; len <= n; len++) {
				for (size_t i = 0; i + len <= n; i++) {
					const size_t j = i + len - 1;
					const uint64_t node = prefix[j + 1] - prefix[i] + insn_cost_;
					uint64_t best = INF;
					for (size_t k = i + 1; k <= j; k++) {
						uint64_t c = node + below.cost[i][k - 1] + below.cost[k][j];
						if (c < best) {
							best = c;
							L.choice[i][j] = (int)k;
						}
					}
					best_chain(i, j, t, best, L.choice[i][j]);
					L.cost[i][j] = std::min(best, INF);
				}
			}
		}
		return levels_[0].cost[0][n - 1] < INF;
	}

	// The shape of ranges i..j at depth t: the first range of the right
	// subtree, LEAF or a chain.
	int split_of(size_t i, size_t j, unsigned t) const {
		if (balance_prefix_.empty()) {
			const unsigned level = std::min<unsigned>(t, (unsigned)levels_.size() - 1);
			return levels_[level].choice[i][j];
		}
		if (i == j)
			return LEAF;
		const auto &w = balance_prefix_;
		const uint64_t half = w[i] + (w[j + 1] - w[i]) / 2;
		size_t k = std::upper_bound(w.begin() + i + 1, w.begin() + j + 1, half) - w.begin();
		return (int)std::clamp<size_t>(k, i + 1, j);
	}

	// Every range weighs its count of numbers the arch knows, plus one.
	void plan_balanced() {
		balance_prefix_.assign(ranges_.size() + 1, 0);
		for (size_t i = 0; i < ranges_.size(); i++)
			balance_prefix_[i + 1] = balance_prefix_[i] + ranges_[i].weight + 1;
	}

	// A subtree still to emit, and the label its first node gets.
	struct Subtree {
		size_t i, j;
		unsigned t;
		int label;
	};

	// Where a node jumps for ranges i..j: a leaf, or a subtree queued in todo.
	int child(size_t i, size_t j, unsigned t, std::vector<Subtree> &todo) {
		if (split_of(i, j, t) == LEAF)
			return leaf_target(ranges_[i].decision);
		todo.push_back({i, j, t, a_.label()});
		return todo.back().label;
	}

	// Preorder, left subtree first: each node's false branch is the next one.
	void emit_subtree(const Subtree &s) {
		a_.bind(s.label);
		const int c = split_of(s.i, s.j, s.t);
		if (c <= CHAIN_BASE)
			return emit_chain(s.i, s.j, s.t, CHAIN_BASE - c);
		std::vector<Subtree> todo;
		const int left = child(s.i, c - 1, s.t + 1, todo);
		const int right = child(c, s.j, s.t + 1, todo);
		const uint32_t bound = ranges_[c].lo;
		if (opt_.mutation == Mutation::OFF_BY_ONE_BOUND)
			a_.jump(JGT, bound, right, left);
		else
			a_.jump(JGE, bound, right, left);
		for (const Subtree &sub : todo)
			emit_subtree(sub);
	}

	void emit_chain(size_t i, size_t j, unsigned t, int bg) {
		const unsigned level = std::min<unsigned>(t, (unsigned)levels_.size() - 1);
		const std::vector<size_t> order = chain_order(i, j, bg, level);
		for (size_t p = 0; p < order.size(); p++) {
			const int no = p + 1 < order.size() ? Assembler::NEXT : leaf_target(bg);
			a_.jump(JEQ, ranges_[order[p]].lo, leaf_target(ranges_[order[p]].decision), no);
		}
	}

	void arch_block(const ArchPolicy &ap) {
		build_ranges(ap);
		balance_prefix_.clear();
		if (ranges_.size() > MAX_OPTIMAL_RANGES)
			plan_balanced();
		else
			plan();
		if (split_of(0, ranges_.size() - 1, 0) == LEAF)
			a_.ja(leaf_target(ranges_[0].decision)); // one decision for every number
		else
			emit_subtree({0, ranges_.size() - 1, 0, a_.label()});
		for (size_t k = 0; k < pending_leaves_.size(); k++) {
			a_.bind(leaf_labels_[pending_leaves_[k]]);
			emit_rules(decisions_[pending_leaves_[k]]);
		}
		pending_leaves_.clear();
		for (const auto &[action, label] : rets_) {
			a_.bind(label);
			a_.ret(action);
		}
	}

	// The rules of one syscall: conditions in order, each exit a shared RET.
	void emit_rules(const Decision &d) {
		for (size_t k = 0; k < d.rules.size(); k++) {
			const bool last = k + 1 == d.rules.size();
			const int no = last ? ret_label(d.fallback) : a_.label();
			emit_cond(*d.rules[k].cond, ret_label(d.rules[k].action), no);
			if (!last)
				a_.bind(no);
		}
	}

	uint32_t hi_of(uint64_t v) const {
		if (opt_.mutation == Mutation::SIGN_EXTEND_CONST)
			return (uint32_t)((uint64_t)(int64_t)(int32_t)(uint32_t)v >> 32);
		return (uint32_t)(v >> 32);
	}

	// A = the half of an argument, masked. Returns false when the mask
	// clears it, i.e. the half is statically 0.
	bool load_half(unsigned arg, bool high, uint32_t mask) {
		if (mask == 0)
			return false;
		const bool hi_word = high && opt_.mutation != Mutation::WRONG_ARG_HALF;
		a_.stmt(LD_ABS, OFF_ARGS + 8 * arg + (hi_word ? 4 : 0));
		if (mask != 0xffffffffu)
			a_.stmt(AND_K, mask);
		return true;
	}

	// (args[arg] & mask) OP value, for EQ, GT and GE; the rest negate these.
	void emit_cmp(unsigned arg, CmpOp op, uint64_t mask, uint64_t value, int t, int f) {
		const uint32_t vh = hi_of(value), vl = (uint32_t)value;
		const uint32_t mh = (uint32_t)(mask >> 32), ml = (uint32_t)mask;
		// High halves: greater decides, equal goes on to the low halves.
		if (load_half(arg, true, mh)) {
			if (op != CmpOp::EQ && vh != 0xffffffffu)
				a_.jump(JGT, vh, t, Assembler::NEXT);
			a_.jump(JEQ, vh, Assembler::NEXT, f);
		} else if (vh != 0) {
			return a_.ja(f); // 0 is neither equal to nor above vh
		}
		uint16_t jlo = op == CmpOp::EQ ? JEQ : op == CmpOp::GE ? JGE : JGT;
		if (op == CmpOp::GT && opt_.mutation == Mutation::OFF_BY_ONE_ARG_CMP)
			jlo = JGE;
		if (load_half(arg, false, ml))
			return a_.jump(jlo, vl, t, f);
		const bool holds = op == CmpOp::EQ ? vl == 0 : op == CmpOp::GE ? vl == 0 : false;
		a_.ja(holds ? t : f);
	}

	void emit_cond(const Cond &c, int t, int f) {
		switch (c.kind) {
		case Cond::TRUE:
			return a_.ja(t);
		case Cond::CMP:
			switch (c.op) {
			case CmpOp::EQ: return emit_cmp(c.arg, CmpOp::EQ, c.mask, c.value, t, f);
			case CmpOp::NE: return emit_cmp(c.arg, CmpOp::EQ, c.mask, c.value, f, t);
			case CmpOp::GT: return emit_cmp(c.arg, CmpOp::GT, c.mask, c.value, t, f);
			case CmpOp::GE: return emit_cmp(c.arg, CmpOp::GE, c.mask, c.value, t, f);
			case CmpOp::LT: return emit_cmp(c.arg, CmpOp::GE, c.mask, c.value, f, t);
			case CmpOp::LE: return emit_cmp(c.arg, CmpOp::GT, c.mask, c.value, f, t);
			}
			return;
		case Cond::NOT:
			return emit_cond(*c.kids[0], f, t);
		case Cond::AND:
		case Cond::OR:
			for (size_t i = 0; i + 1 < c.kids.size(); i++) {
				const int more = a_.label();
				if (c.kind == Cond::AND)
					emit_cond(*c.kids[i], more, f);
				else
					emit_cond(*c.kids[i], t, more);
				a_.bind(more);
			}
			return emit_cond(*c.kids.back(), t, f);
		}
	}
};

} // namespace

Filter compile(const Policy &p, const CompileOptions &opt) {
	if (p.arches.empty())
		throw Error((p.source.empty() ? "scplc" : p.source) + ": error: the policy names no arch");
	return Compiler(p, opt).run();
}

} // namespace scpl
