// SPDX-License-Identifier: GPL-2.0
#include "scpl/parser.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scpl/tables.h"

namespace scpl {
namespace {

// Limits that keep every input bounded: real policies stay far below them.
constexpr unsigned MAX_NESTING = 100;        // parentheses in a condition or constant
constexpr unsigned MAX_INCLUDE_DEPTH = 32;   // files including files
constexpr off_t MAX_POLICY_BYTES = 64 << 20; // one policy file

struct Token {
	enum Kind { IDENT, NUMBER, STRING, SETREF, PUNCT, END } kind;
	std::string text;
	uint64_t number = 0;
	SrcLoc loc;
};

[[noreturn]] void fail(const SrcLoc &loc, const std::string &msg) {
	throw Error(loc.str() + ": error: " + msg);
}

std::string did_you_mean(const std::string &word, const std::vector<std::string> &cands) {
	std::string s = suggest(word, cands);
	return s.empty() ? "" : "; did you mean '" + s + "'?";
}

// The text of a policy file; only regular files are policies (a directory
// or a FIFO would read as empty or never end).
std::string read_policy(const std::string &path, const std::string &where) {
	const std::string what = where == path ? "" : "'" + path + "' ";
	auto refuse = [&](const std::string &why) { throw Error(where + ": error: " + why); };
	struct stat st;
	if (stat(path.c_str(), &st) != 0)
		refuse("cannot read " + (what.empty() ? "the policy " : what) + "(" + strerror(errno) + ")");
	if (S_ISDIR(st.st_mode))
		refuse(what + "is a directory; a policy is a regular file");
	if (!S_ISREG(st.st_mode))
		refuse(what + "is not a regular file; a policy is one");
	if (st.st_size > MAX_POLICY_BYTES)
		refuse(what + "is larger than " + std::to_string(MAX_POLICY_BYTES >> 20) + " MiB");
	std::ifstream in(path);
	if (!in)
		refuse("cannot read " + (what.empty() ? "the policy" : what));
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::vector<Token> lex(const std::string &text, const std::string &file) {
	std::vector<Token> out;
	unsigned line = 1, col = 1;
	size_t i = 0;
	auto advance = [&](size_t n) {
		for (; n; n--, i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
	};
	auto is_ident = [](char c) { return isalnum((unsigned char)c) || c == '_'; };
	while (i < text.size()) {
		char c = text[i];
		if (isspace((unsigned char)c) || c == ';') {
			advance(1);
			continue;
		}
		if (c == '#') {
			while (i < text.size() && text[i] != '\n')
				advance(1);
			continue;
		}
		Token t;
		t.loc = {file, line, col};
		size_t start = i;
		if (isdigit((unsigned char)c)) {
			size_t j = i;
			while (j < text.size() && is_ident(text[j]))
				j++;
			t.kind = Token::NUMBER;
			t.text = text.substr(i, j - i);
			errno = 0;
			char *end = nullptr;
			t.number = strtoull(t.text.c_str(), &end, 0);
			if (*end || errno)
				fail(t.loc, "bad number '" + t.text + "'");
			advance(j - start);
		} else if (isalpha((unsigned char)c) || c == '_' || c == '@') {
			size_t j = i + (c == '@');
			// '-' joins words (kill-process) but never ends a name
			while (j < text.size() && (is_ident(text[j]) ||
						   (text[j] == '-' && j + 1 < text.size() &&
						    isalpha((unsigned char)text[j + 1]))))
				j++;
			t.kind = c == '@' ? Token::SETREF : Token::IDENT;
			t.text = text.substr(i + (c == '@'), j - i - (c == '@'));
			if (t.text.empty())
				fail(t.loc, "'@' must be followed by a set name");
			advance(j - start);
		} else if (c == '"') {
			size_t j = text.find('"', i + 1);
			if (j == std::string::npos || text.find('\n', i) < j)
				fail(t.loc, "unterminated string");
			t.kind = Token::STRING;
			t.text = text.substr(i + 1, j - i - 1);
			advance(j + 1 - start);
		} else {
			static const char *two[] = {"==", "!=", "<=", ">=", "&&", "||", "<<", ">>", ".."};
			t.kind = Token::PUNCT;
			t.text = std::string(1, c);
			for (const char *p : two)
				if (text.compare(i, 2, p) == 0)
					t.text = p;
			if (std::string("=!<>&|(){},-~.").find(c) == std::string::npos)
				fail(t.loc, std::string("unexpected character '") + c + "'");
			advance(t.text.size());
		}
		out.push_back(t);
	}
	out.push_back(Token{Token::END, "", 0, {file, line, col}});
	return out;
}

const std::map<std::string, uint32_t> &plain_actions() {
	static const std::map<std::string, uint32_t> m = {
		{"allow", ret::ALLOW}, {"log", ret::LOG}, {"kill", ret::KILL_PROCESS},
		{"kill-process", ret::KILL_PROCESS}, {"kill-thread", ret::KILL_THREAD},
		{"user-notif", ret::USER_NOTIF},
	};
	return m;
}

struct Item {
	enum Kind { NAME, SET, NUMBER, RANGE } kind;
	std::string name;
	uint32_t nr = 0;
	uint32_t hi = 0; // RANGE: nr..hi
	SrcLoc loc;
};

struct PendingRule {
	uint32_t action;
	std::vector<Item> items;
	CondP cond;
	SrcLoc loc;
};

class Parser {
public:
	Policy policy;
	bool x32_set = false;
	std::vector<std::string> arch_names;
	SrcLoc arch_loc;
	std::map<std::string, std::vector<Item>> sets;
	std::map<std::string, uint64_t> consts;
	std::vector<PendingRule> rules;
	std::set<std::string> open_files; // include cycle detection
	unsigned statements = 0;
	bool allow_shadowed = false;

	void parse(const std::string &text, const std::string &file) {
		toks = lex(text, file);
		pos = 0;
		while (peek().kind != Token::END) {
			statement(file);
			statements++;
		}
	}

	Policy finish();

private:
	std::vector<Token> toks;
	size_t pos = 0;
	unsigned nesting = 0; // open parentheses around the current token

	// Entering a parenthesis: recursion stays within MAX_NESTING.
	struct Nested {
		Parser &p;
		Nested(Parser &parser, const SrcLoc &at) : p(parser) {
			if (++p.nesting > MAX_NESTING)
				fail(at, "parentheses nest deeper than " + std::to_string(MAX_NESTING) +
						 " levels");
		}
		~Nested() { p.nesting--; }
	};

	const Token &peek(size_t ahead = 0) const {
		return toks[std::min(pos + ahead, toks.size() - 1)];
	}
	const Token &next() { return toks[std::min(pos++, toks.size() - 1)]; }
	bool accept(const std::string &punct) {
		if (peek().kind == Token::PUNCT && peek().text == punct) {
			pos++;
			return true;
		}
		return false;
	}
	void expect(const std::string &punct) {
		if (!accept(punct))
			fail(peek().loc, "expected '" + punct + "'" + found());
	}
	std::string found() const {
		const Token &t = peek();
		return t.kind == Token::END ? " at end of file" : ", found '" + t.text + "'";
	}
	bool is_word(const char *w) const { return peek().kind == Token::IDENT && peek().text == w; }

	void statement(const std::string &file);
	uint32_t action();
	std::optional<uint32_t> try_action();
	uint32_t syscall_nr();
	std::vector<Item> items();
	CondP cond_or();
	CondP cond_and();
	CondP cond_unary();
	CondP comparison(bool parenthesised_mask);
	bool masked_comparison_ahead();
	uint64_t value();
	uint64_t shifted();
	uint64_t unary();
	uint64_t atom();
	void include(const Token &path, const std::string &from);
};

std::optional<uint32_t> Parser::try_action() {
	const Token &t = peek();
	if (t.kind != Token::IDENT)
		return std::nullopt;
	auto it = plain_actions().find(t.text);
	if (it != plain_actions().end()) {
		pos++;
		return it->second;
	}
	if (t.text != "errno" && t.text != "trace" && t.text != "trap")
		return std::nullopt;
	pos++;
	// trap's data is optional: SECCOMP_RET_TRAP | 0
	if (t.text == "trap" && !(peek().kind == Token::PUNCT && peek().text == "("))
		return ret::TRAP;
	expect("(");
	const Token &arg = next();
	uint64_t data;
	if (arg.kind == Token::NUMBER) {
		data = arg.number;
	} else if (arg.kind == Token::IDENT && t.text == "errno") {
		auto e = errno_by_name(arg.text);
		if (!e) {
			std::vector<std::string> names;
			for (int i = 1; i < 134; i++)
				names.push_back(errno_name(i));
			fail(arg.loc, "unknown errno name '" + arg.text + "'" + did_you_mean(arg.text, names));
		}
		data = (uint64_t)*e;
	} else {
		fail(arg.loc, "expected a number in " + t.text + "(...)");
	}
	if (t.text == "errno" && data > MAX_ERRNO)
		fail(arg.loc, "errno value " + std::to_string(data) + " is above " +
				      std::to_string(MAX_ERRNO) + ", the largest the kernel returns");
	if (data > ret::DATA)
		fail(arg.loc, t.text + " value " + std::to_string(data) + " does not fit in 16 bits");
	expect(")");
	const uint32_t base = t.text == "errno" ? ret::ERRNO : t.text == "trace" ? ret::TRACE : ret::TRAP;
	return base | (uint32_t)data;
}

uint32_t Parser::action() {
	if (auto a = try_action())
		return *a;
	std::vector<std::string> names = {"errno", "trace", "trap"};
	for (const auto &kv : plain_actions())
		names.push_back(kv.first);
	fail(peek().loc, "expected an action" + found() + did_you_mean(peek().text, names));
}

void Parser::statement(const std::string &file) {
	const Token &t = peek();
	if (t.kind != Token::IDENT)
		fail(t.loc, "expected a statement" + found());
	if (t.text == "arch") {
		pos++;
		arch_loc = t.loc;
		do {
			const Token &a = next();
			if (a.kind != Token::IDENT || !arch_by_name(a.text)) {
				if (a.text == "x32")
					fail(a.loc, "the x32 ABI is not supported: use 'x32 ACTION' to say "
						    "what x32 syscalls get on x86_64");
				std::vector<std::string> names;
				for (const ArchInfo &ai : all_arches())
					names.push_back(ai.name);
				fail(a.loc, "unknown arch '" + a.text + "'" + did_you_mean(a.text, names));
			}
			arch_names.push_back(arch_by_name(a.text)->name);
		} while (accept(","));
	} else if (t.text == "default" || t.text == "badarch" || t.text == "x32") {
		pos++;
		uint32_t a = action();
		if (t.text == "default")
			policy.default_action = a;
		else if (t.text == "badarch")
			policy.badarch_action = a;
		else
			policy.x32_action = a, x32_set = true;
	} else if (t.text == "set") {
		pos++;
		const Token &name = next();
		if (name.kind != Token::SETREF)
			fail(name.loc, "expected a set name such as @io");
		if (sets.count(name.text))
			fail(name.loc, "set @" + name.text + " is already defined");
		expect("=");
		expect("{");
		std::vector<Item> list = peek().kind == Token::PUNCT && peek().text == "}"
						 ? std::vector<Item>{} : items();
		expect("}");
		sets[name.text] = list;
	} else if (t.text == "const") {
		pos++;
		const Token &name = next();
		if (name.kind != Token::IDENT)
			fail(name.loc, "expected a constant name");
		expect("=");
		consts[name.text] = value();
	} else if (t.text == "include") {
		pos++;
		const Token &path = next();
		if (path.kind != Token::STRING)
			fail(path.loc, "expected a file name in quotes");
		include(path, file);
	} else if (auto a = try_action()) {
		PendingRule r{*a, items(), nullptr, t.loc};
		if (is_word("if")) {
			pos++;
			r.cond = cond_or();
		}
		rules.push_back(r);
	} else {
		std::vector<std::string> names = {"arch", "default", "badarch", "x32", "set",
						  "const", "include", "errno", "trace", "trap"};
		for (const auto &kv : plain_actions())
			names.push_back(kv.first);
		fail(t.loc, "unknown statement '" + t.text + "'" + did_you_mean(t.text, names));
	}
}

void Parser::include(const Token &path, const std::string &from) {
	std::string full = path.text;
	size_t slash = from.rfind('/');
	if (!full.empty() && full[0] != '/' && slash != std::string::npos)
		full = from.substr(0, slash + 1) + full;
	if (open_files.count(full))
		fail(path.loc, "'" + path.text + "' includes itself");
	if (open_files.size() > MAX_INCLUDE_DEPTH)
		fail(path.loc, "includes nest deeper than " + std::to_string(MAX_INCLUDE_DEPTH) + " files");
	const std::string text = read_policy(full, path.loc.str());
	auto saved_toks = std::move(toks);
	size_t saved_pos = pos;
	open_files.insert(full);
	parse(text, full);
	open_files.erase(full);
	toks = std::move(saved_toks);
	pos = saved_pos;
}

// A syscall number, -N for 2^32 - N (-1: a tracer's skipped syscall).
uint32_t Parser::syscall_nr() {
	const bool minus = accept("-");
	const Token &t = next();
	if (t.kind != Token::NUMBER)
		fail(t.loc, minus ? "expected a number after '-'" : "expected a syscall number after '..'");
	if (t.number > (minus ? 0x80000000ull : 0xffffffffull))
		fail(t.loc, "syscall number " + std::string(minus ? "-" : "") + t.text +
				    " does not fit in 32 bits");
	return minus ? (uint32_t)(0 - t.number) : (uint32_t)t.number;
}

std::vector<Item> Parser::items() {
	std::vector<Item> list;
	do {
		if (peek().kind == Token::PUNCT && peek().text == "}")
			break; // trailing comma
		const Token &t = peek();
		Item it{Item::NAME, t.text, 0, 0, t.loc};
		if ((t.kind == Token::PUNCT && t.text == "-") || t.kind == Token::NUMBER) {
			it.kind = Item::NUMBER;
			it.nr = syscall_nr();
			if (accept("..")) {
				it.kind = Item::RANGE;
				it.hi = syscall_nr();
				if (it.hi < it.nr)
					fail(it.loc, "range " + std::to_string(it.nr) + ".." + std::to_string(it.hi) +
							     " is empty: its end is below its start");
			}
			list.push_back(it);
			continue;
		}
		next();
		if (t.kind == Token::SETREF) {
			if (!sets.count(t.text)) {
				std::vector<std::string> names;
				for (const auto &kv : sets)
					names.push_back(kv.first);
				fail(t.loc, "unknown set @" + t.text + did_you_mean(t.text, names));
			}
			it.kind = Item::SET;
		} else if (t.kind == Token::IDENT) {
			uint32_t nr;
			if (syscall_number(host_arch(), t.text, &nr) == Lookup::UNKNOWN)
				fail(t.loc, "unknown syscall '" + t.text + "'" +
						    did_you_mean(t.text, all_syscall_names()));
		} else {
			fail(t.loc, "expected a syscall name, number or @set" +
					    std::string(t.kind == Token::END ? " at end of file" : ", found '" + t.text + "'"));
		}
		list.push_back(it);
	} while (accept(","));
	return list;
}

CondP Parser::cond_or() {
	std::vector<CondP> terms = {cond_and()};
	while (accept("||"))
		terms.push_back(cond_and());
	return Cond::any(std::move(terms));
}

CondP Parser::cond_and() {
	std::vector<CondP> terms = {cond_unary()};
	while (accept("&&"))
		terms.push_back(cond_unary());
	return Cond::all(std::move(terms));
}

CondP Parser::cond_unary() {
	// a run of '!' is read in a loop: only its parity matters
	bool negated = false;
	while (accept("!"))
		negated = !negated;
	CondP c;
	if (peek().kind == Token::PUNCT && peek().text == "(") {
		Nested in(*this, peek().loc);
		if (masked_comparison_ahead()) {
			pos++;
			c = comparison(true);
		} else {
			pos++;
			c = cond_or();
			expect(")");
		}
	} else {
		c = comparison(false);
	}
	return negated ? Cond::negate(c) : c;
}

// "(argN & MASK) op V" is a masked comparison; "(argN & MASK op V ...)" is
// a group: look past the mask to tell them apart.
bool Parser::masked_comparison_ahead() {
	if (peek(1).kind != Token::IDENT || peek(2).kind != Token::PUNCT || peek(2).text != "&")
		return false;
	const size_t start = pos;
	pos += 3;
	value();
	const bool closed = peek().kind == Token::PUNCT && peek().text == ")";
	pos = start;
	return closed;
}

CondP Parser::comparison(bool parenthesised_mask) {
	const Token &a = next();
	unsigned arg = 6;
	if (a.kind == Token::IDENT && a.text.size() == 4 && a.text.compare(0, 3, "arg") == 0 &&
	    a.text[3] >= '0' && a.text[3] <= '5')
		arg = (unsigned)(a.text[3] - '0');
	if (arg > 5)
		fail(a.loc, "expected an argument arg0..arg5, found '" + a.text + "'");
	uint64_t mask = ~0ull;
	if (accept("&"))
		mask = value();
	if (parenthesised_mask)
		expect(")");
	auto located = [&](CondP c) {
		const_cast<Cond &>(*c).loc = a.loc;
		return c;
	};
	bool negated = false;
	if (is_word("not")) {
		pos++;
		negated = true;
		if (!is_word("in"))
			fail(peek().loc, "expected 'in' after 'not'");
	}
	if (is_word("in")) {
		pos++;
		expect("{");
		std::vector<CondP> eqs;
		do {
			eqs.push_back(located(Cond::cmp(arg, CmpOp::EQ, value() & mask, mask)));
		} while (accept(","));
		expect("}");
		CondP set = Cond::any(std::move(eqs));
		return negated ? Cond::negate(set) : set;
	}
	static const std::pair<const char *, CmpOp> ops[] = {
		{"==", CmpOp::EQ}, {"!=", CmpOp::NE}, {"<", CmpOp::LT},
		{"<=", CmpOp::LE}, {">", CmpOp::GT}, {">=", CmpOp::GE},
	};
	for (const auto &op : ops)
		if (accept(op.first)) {
			uint64_t v = value();
			if ((op.second == CmpOp::EQ || op.second == CmpOp::NE) && (v & ~mask))
				fail(a.loc, "the comparison can never hold: the value has bits outside the mask");
			return located(Cond::cmp(arg, op.second, v, mask));
		}
	fail(peek().loc, "expected a comparison (==, !=, <, <=, >, >=, in)" + found());
}

// Constant expressions, unsigned 64-bit: V | V, V << N, V >> N, ~V, -V.
uint64_t Parser::value() {
	uint64_t v = shifted();
	while (accept("|"))
		v |= shifted();
	return v;
}

uint64_t Parser::shifted() {
	uint64_t v = unary();
	for (;;) {
		const bool left = peek().kind == Token::PUNCT && peek().text == "<<";
		if (!left && !(peek().kind == Token::PUNCT && peek().text == ">>"))
			return v;
		pos++;
		const SrcLoc at = peek().loc;
		const uint64_t n = unary();
		if (n > 63)
			fail(at, "shift by " + std::to_string(n) + " is out of range (0..63)");
		v = left ? v << n : v >> n;
	}
}

// Prefix operators are read in a loop (a long run of them is no recursion)
// and applied innermost first.
uint64_t Parser::unary() {
	std::vector<char> ops;
	while (peek().kind == Token::PUNCT && (peek().text == "~" || peek().text == "-"))
		ops.push_back(next().text[0]);
	uint64_t v = atom();
	for (size_t i = ops.size(); i-- > 0;)
		v = ops[i] == '~' ? ~v : 0 - v; // two's complement, as the 64-bit register holds it
	return v;
}

uint64_t Parser::atom() {
	if (peek().kind == Token::PUNCT && peek().text == "(") {
		Nested in(*this, peek().loc);
		pos++;
		uint64_t v = value();
		expect(")");
		return v;
	}
	const Token &t = next();
	if (t.kind == Token::NUMBER)
		return t.number;
	if (t.kind == Token::IDENT) {
		if (consts.count(t.text))
			return consts[t.text];
		if (auto c = constant_by_name(t.text))
			return *c;
		std::vector<std::string> names = all_constant_names();
		for (const auto &kv : consts)
			names.push_back(kv.first);
		fail(t.loc, "unknown constant '" + t.text + "'" + did_you_mean(t.text, names));
	}
	fail(t.loc, "expected a number or constant" +
			    std::string(t.kind == Token::END ? " at end of file" : ", found '" + t.text + "'"));
}

Policy Parser::finish() {
	if (!x32_set)
		policy.x32_action = policy.badarch_action;
	if (arch_names.empty())
		arch_names.push_back("x86_64");
	for (const std::string &name : arch_names) {
		const ArchInfo *arch = arch_by_name(name);
		for (const ArchPolicy &ap : policy.arches)
			if (ap.arch == arch)
				fail(arch_loc, "arch " + name + " listed twice");
		policy.arches.push_back(ArchPolicy{arch, {}, {}});
	}
	for (ArchPolicy &ap : policy.arches) {
		for (const PendingRule &pr : rules) {
			Rule r{pr.action, pr.cond, pr.loc};
			// Expand sets depth first; a set may name other sets. A set
			// seen before in this rule adds nothing new (and sets of sets
			// would otherwise grow exponentially).
			std::vector<Item> work(pr.items.rbegin(), pr.items.rend());
			std::set<std::string> expanded;
			while (!work.empty()) {
				Item it = work.back();
				work.pop_back();
				if (it.kind == Item::SET) {
					if (!expanded.insert(it.name).second)
						continue;
					const auto &list = sets.at(it.name);
					work.insert(work.end(), list.rbegin(), list.rend());
					continue;
				}
				if (it.kind == Item::RANGE) {
					add_span_rule(policy, ap, it.nr, it.hi, r, !allow_shadowed);
					continue;
				}
				uint32_t nr = it.nr;
				std::string shown = it.name;
				if (it.kind == Item::NAME) {
					if (syscall_number(*ap.arch, it.name, &nr) != Lookup::FOUND) {
						policy.warn(it.loc.str(), "'" + it.name + "' does not exist on " +
										   ap.arch->name + ", no rule there");
						continue;
					}
				} else {
					shown = std::to_string(nr);
				}
				add_rule(policy, ap, nr, shown, r, !allow_shadowed);
			}
		}
	}
	return policy;
}

} // namespace

Policy parse_string(const std::string &text, const std::string &name, const ParseOptions &opt) {
	Parser p;
	p.allow_shadowed = opt.allow_shadowed;
	p.policy.source = name;
	p.open_files.insert(name);
	p.parse(text, name);
	// An empty file is more likely a mistake than a wish to kill everything.
	if (p.statements == 0)
		throw Error(name + ": error: the policy is empty; write at least 'default ACTION'");
	return p.finish();
}

Policy parse_file(const std::string &path, const ParseOptions &opt) {
	return parse_string(read_policy(path, path), path, opt);
}

} // namespace scpl
