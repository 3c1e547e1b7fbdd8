// SPDX-License-Identifier: GPL-2.0
#include "scpl/policy.h"

#include "scpl/tables.h"

namespace scpl {

std::string SrcLoc::str() const {
	return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string action_name(uint32_t a) {
	const uint32_t data = a & ret::DATA;
	switch (a & ~ret::DATA) {
	case ret::KILL_PROCESS: return "kill-process";
	case ret::KILL_THREAD: return "kill-thread";
	case ret::TRAP: return data ? "trap(" + std::to_string(data) + ")" : "trap";
	case ret::ERRNO: return "errno(" + errno_name((int)data) + ")";
	case ret::USER_NOTIF: return "user-notif";
	case ret::TRACE: return "trace(" + std::to_string(data) + ")";
	case ret::LOG: return "log";
	case ret::ALLOW: return "allow";
	}
	char buf[32];
	snprintf(buf, sizeof buf, "ret(0x%08x)", a);
	return buf;
}

CondP Cond::cmp(unsigned arg, CmpOp op, uint64_t value, uint64_t mask) {
	auto c = std::make_shared<Cond>();
	c->kind = CMP;
	c->arg = arg;
	c->op = op;
	c->value = value;
	c->mask = mask;
	return c;
}

static CondP join(Cond::Kind kind, std::vector<CondP> kids) {
	if (kids.size() == 1)
		return kids[0];
	auto c = std::make_shared<Cond>();
	c->kind = kind;
	c->loc = kids.at(0)->loc;
	c->kids = std::move(kids);
	return c;
}
CondP Cond::both(CondP a, CondP b) { return join(AND, {a, b}); }
CondP Cond::either(CondP a, CondP b) { return join(OR, {a, b}); }
CondP Cond::all(std::vector<CondP> kids) { return join(AND, std::move(kids)); }
CondP Cond::any(std::vector<CondP> kids) { return join(OR, std::move(kids)); }
CondP Cond::negate(CondP a) {
	auto c = std::make_shared<Cond>();
	c->kind = NOT;
	c->loc = a->loc;
	c->kids = {a};
	return c;
}

bool same_cond(const Cond &a, const Cond &b) {
	if (&a == &b)
		return true;
	if (a.kind != b.kind || a.kids.size() != b.kids.size())
		return false;
	if (a.kind == Cond::CMP && (a.arg != b.arg || a.op != b.op || a.mask != b.mask || a.value != b.value))
		return false;
	for (size_t i = 0; i < a.kids.size(); i++)
		if (!same_cond(*a.kids[i], *b.kids[i]))
			return false;
	return true;
}

static std::string hex(uint64_t v) {
	char buf[24];
	snprintf(buf, sizeof buf, v < 10 ? "%llu" : "0x%llx", (unsigned long long)v);
	return buf;
}

std::string Cond::str() const {
	static const char *ops[] = {"==", "!=", "<", "<=", ">", ">="};
	switch (kind) {
	case TRUE: return "true";
	case CMP: {
		std::string a = "arg" + std::to_string(arg);
		if (mask != ~0ull)
			a = "(" + a + " & " + hex(mask) + ")";
		return a + " " + ops[(int)op] + " " + hex(value);
	}
	case NOT: return "!(" + kids[0]->str() + ")";
	case AND:
	case OR: {
		std::string s = "(";
		for (size_t i = 0; i < kids.size(); i++)
			s += (i ? (kind == AND ? " && " : " || ") : "") + kids[i]->str();
		return s + ")";
	}
	}
	return "?";
}

} // namespace scpl

namespace scpl {

std::string Warning::str() const {
	std::string s = where + ": warning: " + what;
	if (count > 1)
		s += " (and " + std::to_string(count - 1) + " more like it)";
	return s;
}

void Policy::warn(const std::string &where, const std::string &what) {
	auto it = warning_index_.find(what);
	if (it != warning_index_.end()) {
		warnings[it->second].count++;
		return;
	}
	warning_index_[what] = warnings.size();
	warnings.push_back(Warning{where, what, 1});
}

namespace {

// The unconditional rule that always decides list, if any.
const Rule *deciding_rule(const RuleList &list) {
	for (const Rule &u : list)
		if (!u.cond)
			return &u;
	return nullptr;
}

// r can never apply after u: an error when strict, a warning otherwise.
void shadowed(Policy &p, const std::string &name, const Rule &r, const Rule &u, bool strict) {
	if (!r.cond && r.action == u.action) {
		p.warn(r.loc.str(), "'" + name + "' already has this rule at " + u.loc.str());
		return;
	}
	std::string msg = "rule '" + action_name(r.action) + "' for '" + name +
			  "' is shadowed by '" + action_name(u.action) + "' at " + u.loc.str();
	if (strict)
		throw Error(r.loc.str() + ": error: " + msg);
	p.warn(r.loc.str(), msg);
}

// Appends r to list unless an unconditional rule before it always decides.
void append_rule(Policy &p, RuleList &list, const std::string &name, const Rule &r, bool strict) {
	if (const Rule *u = deciding_rule(list))
		return shadowed(p, name, r, *u, strict);
	list.push_back(r);
}

// Splits the span holding x (if any) so that one starts at x.
void split_span_at(ArchPolicy &ap, uint64_t x) {
	auto it = ap.spans.upper_bound((uint32_t)x);
	if (x > 0xffffffffull || it == ap.spans.begin())
		return;
	--it;
	if (it->first == x || it->second.hi < x)
		return;
	ap.spans[(uint32_t)x] = Span{it->second.hi, it->second.rules};
	it->second.hi = (uint32_t)x - 1;
}

// A new span with just r, from at up to the next number or span with
// rules, or hi; returns its last number.
uint64_t add_gap_span(ArchPolicy &ap, uint64_t at, uint64_t hi, const Rule &r) {
	uint64_t end = hi;
	auto next_rule = ap.rules.upper_bound((uint32_t)at);
	if (next_rule != ap.rules.end())
		end = std::min<uint64_t>(end, (uint64_t)next_rule->first - 1);
	auto next_span = ap.spans.upper_bound((uint32_t)at);
	if (next_span != ap.spans.end())
		end = std::min<uint64_t>(end, (uint64_t)next_span->first - 1);
	ap.spans[(uint32_t)at] = Span{(uint32_t)end, {r}};
	return end;
}

// As SCPL would write it: large numbers in hex.
std::string span_name(uint64_t lo, uint64_t hi) {
	auto num = [](uint64_t v) {
		char buf[24];
		snprintf(buf, sizeof buf, v > 0xffff ? "0x%llx" : "%llu", (unsigned long long)v);
		return std::string(buf);
	};
	return num(lo) + ".." + num(hi);
}

} // namespace

void add_rule(Policy &p, ArchPolicy &ap, uint32_t nr, const std::string &name, const Rule &r,
	      bool strict) {
	// A number inside a span leaves it with the span's rules so far.
	if (!ap.rules.count(nr)) {
		split_span_at(ap, nr);
		split_span_at(ap, (uint64_t)nr + 1);
		auto it = ap.spans.find(nr);
		if (it != ap.spans.end()) {
			ap.rules[nr] = it->second.rules;
			ap.spans.erase(it);
		}
	}
	append_rule(p, ap.rules[nr], name, r, strict);
}

namespace {

// How a range's rule went: applied somewhere, or else decided by what.
struct SpanResult {
	bool applied = false;
	const Rule *decided_by = nullptr;
};

// Numbers already decided keep their action: a range is "the rest".
void apply_to(RuleList &list, const Rule &r, SpanResult &res) {
	if (const Rule *u = deciding_rule(list)) {
		res.decided_by = u;
		return;
	}
	list.push_back(r);
	res.applied = true;
}

// lo..hi within one fallback zone.
void span_part(ArchPolicy &ap, uint32_t lo, uint32_t hi, const Rule &r, SpanResult &res) {
	split_span_at(ap, lo);
	split_span_at(ap, (uint64_t)hi + 1);
	for (uint64_t at = lo; at <= hi;) {
		if (ap.rules.count((uint32_t)at)) {
			apply_to(ap.rules[(uint32_t)at], r, res);
			at++;
			continue;
		}
		auto span = ap.spans.find((uint32_t)at);
		if (span != ap.spans.end()) {
			apply_to(span->second.rules, r, res);
			at = (uint64_t)span->second.hi + 1;
			continue;
		}
		at = add_gap_span(ap, at, hi, r) + 1;
		res.applied = true;
	}
}

} // namespace

void add_span_rule(Policy &p, ArchPolicy &ap, uint32_t lo, uint32_t hi, const Rule &r, bool strict) {
	if (lo == hi)
		return add_rule(p, ap, lo, std::to_string(lo), r, strict);
	const std::string name = span_name(lo, hi);
	SpanResult res;
	if (hi == NR_SKIPPED) {
		apply_to(ap.rules[NR_SKIPPED], r, res);
		hi--;
	}
	if (lo < X32_SYSCALL_BIT && hi >= X32_SYSCALL_BIT) {
		span_part(ap, lo, X32_SYSCALL_BIT - 1, r, res);
		lo = X32_SYSCALL_BIT;
	}
	span_part(ap, lo, hi, r, res);
	// Only a range where every number is decided already is shadowed.
	if (!res.applied)
		shadowed(p, name, r, *res.decided_by, strict);
}

} // namespace scpl
