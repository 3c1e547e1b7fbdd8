// SPDX-License-Identifier: GPL-2.0
// A syscall policy after parsing: what SCPL source and OCI profiles both
// become, what the compiler translates and what the proof takes as the
// specification (scpl/meaning.h gives it its meaning).
#ifndef VJIT_SCPL_POLICY_H
#define VJIT_SCPL_POLICY_H

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace scpl {

// Where something was written: for error messages and rule reports.
struct SrcLoc {
	std::string file;
	unsigned line = 0, col = 0;
	std::string str() const;
};

// A policy mistake: the message names file:line:col.
struct Error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// Seccomp return values (linux/seccomp.h): action in the high bits, data
// (errno, trace message) in the low 16.
namespace ret {
constexpr uint32_t KILL_PROCESS = 0x80000000u;
constexpr uint32_t KILL_THREAD = 0x00000000u;
constexpr uint32_t TRAP = 0x00030000u;
constexpr uint32_t ERRNO = 0x00050000u;
constexpr uint32_t USER_NOTIF = 0x7fc00000u;
constexpr uint32_t TRACE = 0x7ff00000u;
constexpr uint32_t LOG = 0x7ffc0000u;
constexpr uint32_t ALLOW = 0x7fff0000u;
constexpr uint32_t DATA = 0x0000ffffu;
} // namespace ret
// The kernel caps SECCOMP_RET_ERRNO data at MAX_ERRNO: larger is a mistake.
constexpr uint64_t MAX_ERRNO = 4095;

// The action as SCPL writes it: "allow", "errno(EPERM)", "trace(7)"...
std::string action_name(uint32_t action);

// A condition on the six 64-bit syscall arguments.
enum class CmpOp { EQ, NE, LT, LE, GT, GE };
struct Cond;
using CondP = std::shared_ptr<const Cond>;
struct Cond {
	enum Kind { TRUE, CMP, AND, OR, NOT } kind = TRUE;
	// CMP: (args[arg] & mask) op value, unsigned 64-bit
	unsigned arg = 0;
	CmpOp op = CmpOp::EQ;
	uint64_t mask = ~0ull;
	uint64_t value = 0;
	std::vector<CondP> kids; // AND, OR: two or more; NOT: one
	SrcLoc loc;

	static CondP cmp(unsigned arg, CmpOp op, uint64_t value, uint64_t mask = ~0ull);
	static CondP both(CondP a, CondP b);
	static CondP either(CondP a, CondP b);
	// n-ary: long chains and `in` sets stay one level deep (no recursion
	// over their length anywhere downstream)
	static CondP all(std::vector<CondP> kids);
	static CondP any(std::vector<CondP> kids);
	static CondP negate(CondP a);
	std::string str() const;
};
// The same condition written twice: equal kinds, operands and kids (where
// it was written aside).
bool same_cond(const Cond &a, const Cond &b);

// One rule for one syscall: when cond holds (null: always), return action.
struct Rule {
	uint32_t action;
	CondP cond;
	SrcLoc loc;
	bool operator==(const Rule &o) const { return action == o.action && cond == o.cond; }
};

// What a syscall number does on one arch: its rules in order, the first that
// holds decides; none holding gives the policy's default.
using RuleList = std::vector<Rule>;

struct ArchInfo {
	const char *name;       // as SCPL writes it
	const char *oci_name;   // as OCI profiles' includes/excludes write it
	const char *scmp_name;  // SCMP_ARCH_... in OCI archMap
	uint32_t audit_arch;    // seccomp_data.arch (AUDIT_ARCH_*)
	bool has_x32;           // x86_64: bit 30 selects the x32 ABI
};
const ArchInfo *arch_by_name(const std::string &name); // SCPL or SCMP name
const ArchInfo &host_arch();

// __X32_SYSCALL_BIT: on AUDIT_ARCH_X86_64, numbers from here up are x32
// syscalls, which a policy for x86_64 does not describe.
constexpr uint32_t X32_SYSCALL_BIT = 0x40000000u;
// -1 is how a tracer skips a syscall; it is never an x32 syscall and goes
// through the rules (and meets the default), as libseccomp treats it.
constexpr uint32_t NR_SKIPPED = 0xffffffffu;

// Rules that every number from a first one up to hi shares (`lo..hi`).
struct Span {
	uint32_t hi;
	RuleList rules;
};

struct ArchPolicy {
	const ArchInfo *arch;
	std::map<uint32_t, RuleList> rules; // by syscall number
	// By first number. Disjoint from each other and from `rules`, never
	// across X32_SYSCALL_BIT nor holding NR_SKIPPED: one fallback each.
	std::map<uint32_t, Span> spans;
};

// A warning that may repeat: shown once, with how often it happened.
struct Warning {
	std::string where; // "file:line:col" of its first occurrence, or "file"
	std::string what;  // the text after "warning: "
	unsigned count = 1;
	std::string str() const;
};

struct Policy {
	std::string source; // the file it came from, for errors without a line
	uint32_t default_action = ret::KILL_PROCESS;
	uint32_t badarch_action = ret::KILL_PROCESS; // arch not in the policy
	uint32_t x32_action = ret::KILL_PROCESS;     // x32 syscalls on x86_64
	std::vector<ArchPolicy> arches;
	std::vector<Warning> warnings;
	// Adds a warning, or counts one more of an identical `what`.
	void warn(const std::string &where, const std::string &what);

private:
	std::map<std::string, size_t> warning_index_;
};

// Appends r to the rules of nr; a rule after an unconditional one can never
// apply: an error when strict (SCPL source), a warning otherwise (imports).
void add_rule(Policy &p, ArchPolicy &ap, uint32_t nr, const std::string &name, const Rule &r,
	      bool strict);
// The same for every number lo..hi: numbers with rules of their own get r
// one by one, the others share spans (split where lo..hi cuts them).
void add_span_rule(Policy &p, ArchPolicy &ap, uint32_t lo, uint32_t hi, const Rule &r, bool strict);

} // namespace scpl

#endif
