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

void add_rule(Policy &p, ArchPolicy &ap, uint32_t nr, const std::string &name, const Rule &r,
	      bool strict) {
	RuleList &list = ap.rules[nr];
	for (const Rule &u : list) {
		if (u.cond)
			continue;
		if (!r.cond && r.action == u.action) {
			p.warn(r.loc.str(), "'" + name + "' already has this rule at " + u.loc.str());
			return;
		}
		std::string msg = "rule '" + action_name(r.action) + "' for '" + name +
				  "' is shadowed by '" + action_name(u.action) + "' at " + u.loc.str();
		if (strict)
			throw Error(r.loc.str() + ": error: " + msg);
		p.warn(r.loc.str(), msg);
		return;
	}
	list.push_back(r);
}

} // namespace scpl
