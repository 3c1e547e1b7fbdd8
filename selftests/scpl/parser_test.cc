// SPDX-License-Identifier: GPL-2.0
// SCPL parsing: what rules a policy gives, and the error messages.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "helpers.h"
#include "scpl/tables.h"

using namespace scpl;
using scpl_test::data;

namespace {

std::string error_of(const std::string &text) {
	try {
		parse_string(text, "t.scpl");
	} catch (const Error &e) {
		return e.what();
	}
	return "";
}

const RuleList &rules(const Policy &p, uint32_t nr) { return p.arches.at(0).rules.at(nr); }

// lo..hi: first match as for single numbers; a number decided before keeps
// its action (the range is the rest), in the x32 area and at -1 too.
TEST(ScplParser, RangesGiveASpanOfNumbersOneAction) {
	Policy p = parse_string("default errno(EPERM)\nx32 errno(ENOSYS)\n"
				"kill-process 450\n"
				"errno(EIO) 420 if arg0 == 1\n"
				"allow 400..500\n"
				"errno(EACCES) 0x3ffffff0..0x4000000f\n"
				"trace(3) -3..-1\n");
	const std::vector<std::pair<uint32_t, uint32_t>> expect = {
		{399, ret::ERRNO | EPERM}, {400, ret::ALLOW}, {450, ret::KILL_PROCESS},
		{500, ret::ALLOW}, {501, ret::ERRNO | EPERM}, {0x3fffffef, ret::ERRNO | EPERM},
		{0x3ffffff0, ret::ERRNO | EACCES}, {0x4000000f, ret::ERRNO | EACCES},
		{0x40000010, ret::ERRNO | ENOSYS}, {0xfffffffc, ret::ERRNO | ENOSYS},
		{0xfffffffd, ret::TRACE | 3}, {0xffffffff, ret::TRACE | 3}};
	Filter f = compile(p);
	ASSERT_TRUE(prove(p, f).proved);
	for (const auto &[nr, action] : expect) {
		EXPECT_EQ(policy_action(p, data(nr)), action) << nr;
		EXPECT_EQ(run_filter(f, data(nr)), action) << nr;
	}
	EXPECT_EQ(policy_action(p, data(420, 1)), ret::ERRNO | EIO);
	EXPECT_EQ(policy_action(p, data(420, 2)), ret::ALLOW);
	// one span for 401..449, none per number
	EXPECT_LT(p.arches[0].rules.size() + p.arches[0].spans.size(), 12u);
}

TEST(ScplParser, RangeErrors) {
	EXPECT_EQ(error_of("allow 5..3\n"), "t.scpl:1:7: error: range 5..3 is empty: its end is below its start");
	EXPECT_EQ(error_of("allow 5..read\n"), "t.scpl:1:10: error: expected a syscall number after '..'");
	EXPECT_EQ(error_of("allow 1..0x100000000\n"),
		  "t.scpl:1:10: error: syscall number 0x100000000 does not fit in 32 bits");
	EXPECT_EQ(error_of("allow 1..5\nkill-process 2..3\n"),
		  "t.scpl:2:1: error: rule 'kill-process' for '2..3' is shadowed by 'allow' at t.scpl:1:1");
	EXPECT_EQ(error_of("allow 0..0x1ffff\nkill-process 0x10000..0x1ffff if arg0 == 1\n"),
		  "t.scpl:2:1: error: rule 'kill-process' for '0x10000..0x1ffff' is shadowed by 'allow' at t.scpl:1:1");
	EXPECT_EQ(error_of("allow 1..5\nkill-process 3\n"),
		  "t.scpl:2:1: error: rule 'kill-process' for '3' is shadowed by 'allow' at t.scpl:1:1");
}

TEST(ScplParser, ActionsDefaultsAndRules) {
	Policy p = parse_string(R"(
		# comment
		default errno(EPERM)
		badarch kill-thread
		allow read, write; kill-process ptrace
		trace(7) getpid
		errno(38) 400
		user-notif mount
		log kill if arg1 <= 64
	)");
	EXPECT_EQ(p.default_action, ret::ERRNO | EPERM);
	EXPECT_EQ(p.badarch_action, ret::KILL_THREAD);
	EXPECT_EQ(p.x32_action, ret::KILL_THREAD); // follows badarch unless set
	ASSERT_EQ(p.arches.size(), 1u);
	EXPECT_STREQ(p.arches[0].arch->name, "x86_64");
	EXPECT_EQ(rules(p, 0)[0].action, ret::ALLOW);
	EXPECT_EQ(rules(p, 101)[0].action, ret::KILL_PROCESS);
	EXPECT_EQ(rules(p, 39)[0].action, ret::TRACE | 7);
	EXPECT_EQ(rules(p, 400)[0].action, ret::ERRNO | 38);
	EXPECT_EQ(rules(p, 165)[0].action, ret::USER_NOTIF);
	ASSERT_TRUE(rules(p, 62)[0].cond);
	EXPECT_EQ(rules(p, 62)[0].cond->str(), "arg1 <= 0x40");
	EXPECT_EQ(p.arches[0].rules.count(1), 1u);
}

TEST(ScplParser, ConditionsSetsAndConstants) {
	Policy p = parse_string(R"(
		const MINE = 0x40 | 0x1
		set @io = { read, write }
		set @more = { @io, close }
		allow @more if !(arg0 == MINE) && (arg1 & CLONE_NEWUSER) != 0 || arg2 in { AF_INET, -1 }
	)");
	ASSERT_EQ(p.arches[0].rules.size(), 3u);
	const Rule &r = rules(p, 3)[0];
	EXPECT_EQ(r.cond, rules(p, 0)[0].cond); // one condition object shared by the set
	EXPECT_EQ(r.cond->str(), "((!(arg0 == 0x41) && (arg1 & 0x10000000) != 0) || "
				 "(arg2 == 2 || arg2 == 0xffffffffffffffff))");
	// its meaning, concretely
	EXPECT_TRUE(cond_meaning<vjit::Concrete>(*r.cond, data(0, 0, 0, ~0ull)));
	EXPECT_TRUE(cond_meaning<vjit::Concrete>(*r.cond, data(0, 1, 0x10000000)));
	EXPECT_FALSE(cond_meaning<vjit::Concrete>(*r.cond, data(0, 0x41, 0x10000000)));
}

TEST(ScplParser, FirstMatchingRuleDecides) {
	Policy p = parse_string("default kill\nallow openat if arg2 == 0\nerrno(EACCES) openat\n");
	ASSERT_EQ(rules(p, 257).size(), 2u);
	EXPECT_EQ(policy_action(p, data(257, 0, 0, 0)), ret::ALLOW);
	EXPECT_EQ(policy_action(p, data(257, 0, 0, 1)), ret::ERRNO | EACCES);
	EXPECT_EQ(policy_action(p, data(258)), ret::KILL_PROCESS);
	EXPECT_EQ(policy_action(p, data(0x40000000)), ret::KILL_PROCESS);
	EXPECT_EQ(policy_action(p, data(257, 0, 0, 0, 0x40000003)), ret::KILL_PROCESS);
}

TEST(ScplParser, SeveralArches) {
	Policy p = parse_string("arch x86_64, i386, aarch64\ndefault errno(1)\nallow getpid\n");
	ASSERT_EQ(p.arches.size(), 3u);
	EXPECT_EQ(rules(p, 39)[0].action, ret::ALLOW);                 // x86_64
	EXPECT_EQ(p.arches[1].rules.count(20), 1u);                     // i386 getpid
	EXPECT_EQ(p.arches[2].rules.count(172), 1u);                    // aarch64 getpid
	EXPECT_EQ(policy_action(p, data(172, 0, 0, 0, AUDIT_ARCH_AARCH64)), ret::ALLOW);
	EXPECT_EQ(policy_action(p, data(172, 0, 0, 0, AUDIT_ARCH_X86_64)), ret::ERRNO | 1);
}

TEST(ScplParser, TypoNamesFileLineColumnAndSuggests) {
	EXPECT_EQ(error_of("allow read,\n      wirte\n"),
		  "t.scpl:2:7: error: unknown syscall 'wirte'; did you mean 'write'?");
	EXPECT_EQ(error_of("alow read\n"),
		  "t.scpl:1:1: error: unknown statement 'alow'; did you mean 'allow'?");
	EXPECT_EQ(error_of("allow socket if arg0 == AF_INTE\n"),
		  "t.scpl:1:25: error: unknown constant 'AF_INTE'; did you mean 'AF_INET'?");
	EXPECT_EQ(error_of("default errno(EPRM)\n"),
		  "t.scpl:1:15: error: unknown errno name 'EPRM'; did you mean 'EPERM'?");
	EXPECT_EQ(error_of("set @io = { read }\nallow @oi\n"),
		  "t.scpl:2:7: error: unknown set @oi; did you mean 'io'?");
	EXPECT_EQ(error_of("allow read if arg6 == 1\n"),
		  "t.scpl:1:15: error: expected an argument arg0..arg5, found 'arg6'");
	EXPECT_EQ(error_of("allow read if arg0 ==\n"),
		  "t.scpl:2:1: error: expected a number or constant at end of file");
	EXPECT_EQ(error_of("arch x32\n"),
		  "t.scpl:1:6: error: the x32 ABI is not supported: use 'x32 ACTION' to say what "
		  "x32 syscalls get on x86_64");
	EXPECT_EQ(error_of("allow -2147483649\n"),
		  "t.scpl:1:8: error: syscall number -2147483649 does not fit in 32 bits");
	EXPECT_EQ(error_of("allow read if arg0 == 1 << 64\n"),
		  "t.scpl:1:28: error: shift by 64 is out of range (0..63)");
	EXPECT_EQ(error_of("trap(65536) read\n"),
		  "t.scpl:1:6: error: trap value 65536 does not fit in 16 bits");
	EXPECT_EQ(error_of("allow -read\n"), "t.scpl:1:8: error: expected a number after '-'");
	EXPECT_EQ(error_of("allow read if arg0 & 0xf == 0x10\n"),
		  "t.scpl:1:15: error: the comparison can never hold: the value has bits outside the mask");
}

TEST(ScplParser, ConflictsAndShadowsAreReported) {
	EXPECT_EQ(error_of("allow read\nkill read\n"),
		  "t.scpl:2:1: error: rule 'kill-process' for 'read' is shadowed by 'allow' at t.scpl:1:1");
	EXPECT_EQ(error_of("allow read\nallow write if arg0 == 1\nallow read, write if arg0 == 2\n"),
		  "t.scpl:3:1: error: rule 'allow' for 'read' is shadowed by 'allow' at t.scpl:1:1");
	Policy dup = parse_string("allow read\nallow read\n", "t.scpl");
	ASSERT_EQ(dup.warnings.size(), 1u);
	EXPECT_EQ(dup.warnings[0].str(), "t.scpl:2:1: warning: 'read' already has this rule at t.scpl:1:1");
}

TEST(ScplParser, IncludesResolveRelativeAndRejectCycles) {
	Policy p = parse_file("policies/server.scpl");
	EXPECT_GT(p.arches[0].rules.size(), 40u);
	EXPECT_EQ(policy_action(p, data(0)), ret::ALLOW);             // read, from base.scpl's set
	EXPECT_EQ(policy_action(p, data(41, 2, 1)), ret::ALLOW);       // socket(AF_INET, SOCK_STREAM)
	EXPECT_EQ(policy_action(p, data(41, 16, 1)), ret::ERRNO | EAFNOSUPPORT);
	EXPECT_EQ(policy_action(p, data(59)), ret::KILL_PROCESS);      // execve
	const std::string dir = scpl_test::temp_dir();
	FILE *f = fopen((dir + "/a.scpl").c_str(), "w");
	fputs("include \"a.scpl\"\n", f);
	fclose(f);
	try {
		parse_file(dir + "/a.scpl");
		FAIL() << "a self-including policy parsed";
	} catch (const Error &e) {
		EXPECT_EQ(std::string(e.what()), dir + "/a.scpl:1:9: error: 'a.scpl' includes itself");
	}
}

TEST(ScplOci, ImportFollowsIncludesExcludesAndWarnsOnUnknownNames) {
	Policy p = scpl_test::docker_policy();
	EXPECT_EQ(p.default_action, ret::ERRNO | 1);
	EXPECT_EQ(policy_action(p, data(0)), ret::ALLOW);                        // read
	EXPECT_EQ(policy_action(p, data(158)), ret::ALLOW);                      // arch_prctl: amd64 only
	EXPECT_EQ(policy_action(p, data(169)), ret::ERRNO | 1);                  // reboot: CAP_SYS_BOOT
	EXPECT_EQ(policy_action(p, data(161)), ret::ALLOW);                      // chroot: CAP_SYS_CHROOT
	EXPECT_EQ(policy_action(p, data(435)), ret::ERRNO | 38);                 // clone3: ENOSYS
	EXPECT_EQ(policy_action(p, data(101)), ret::ALLOW);                      // ptrace: minKernel 4.8
	EXPECT_EQ(policy_action(p, data(135, 0xffffffff)), ret::ALLOW);          // personality
	EXPECT_EQ(policy_action(p, data(135, 0xffffffffffffffff)), ret::ERRNO | 1);
	EXPECT_EQ(policy_action(p, data(56, 0x10000000)), ret::ERRNO | 1);       // clone(CLONE_NEWUSER)
	EXPECT_EQ(policy_action(p, data(56, 0x11)), ret::ALLOW);
	EXPECT_EQ(policy_action(p, data(41, 40)), ret::ERRNO | 1);               // socket(AF_VSOCK)
	int unknown = 0;
	for (const Warning &w : p.warnings)
		unknown += w.what.find("is unknown to this libseccomp") != std::string::npos;
	EXPECT_GE(unknown, 8);
	bool mseal = false;
	for (const Warning &w : p.warnings)
		mseal |= w.what.find("syscall 'mseal' is unknown") != std::string::npos;
	EXPECT_TRUE(mseal);

	OciOptions admin;
	admin.caps = docker_default_caps();
	admin.caps.push_back("CAP_SYS_ADMIN");
	admin.kernel = "6.1";
	Policy a = import_oci(scpl_test::DOCKER, admin);
	EXPECT_EQ(policy_action(a, data(435)), ret::ALLOW);                      // clone3 with SYS_ADMIN
	EXPECT_EQ(policy_action(a, data(56, 0x10000000)), ret::ALLOW);
	OciOptions old = admin;
	old.kernel = "4.4";
	EXPECT_EQ(policy_action(import_oci(scpl_test::DOCKER, old), data(101)), ret::ERRNO | 1);
}

} // namespace

namespace {

TEST(ScplConstructs, TrapWithDataAndConstantExpressions) {
	Policy p = parse_string(R"(
		trap ptrace
		trap(7) mount
		allow mmap if arg2 & ~(PROT_READ | PROT_WRITE) == 0
		allow madvise if arg2 == MADV_DONTNEED || arg2 == 1 << 3 | 0x1 >> 1
		allow futex if arg1 & ~FUTEX_PRIVATE_FLAG == FUTEX_WAIT_BITSET
		allow setsockopt if arg2 in { IP_TOS, IPV6_TCLASS }
		errno(EPERM) mmap
	)", "t.scpl");
	EXPECT_EQ(rules(p, 101)[0].action, ret::TRAP);
	EXPECT_EQ(rules(p, 165)[0].action, ret::TRAP | 7);
	EXPECT_EQ(action_name(ret::TRAP | 7), "trap(7)");
	EXPECT_EQ(rules(p, 9)[0].cond->str(), "(arg2 & 0xfffffffffffffffc) == 0");
	EXPECT_EQ(rules(p, 28)[0].cond->str(), "(arg2 == 4 || arg2 == 8)");
	EXPECT_EQ(rules(p, 202)[0].cond->str(), "(arg1 & 0xffffffffffffff7f) == 9");
	EXPECT_EQ(rules(p, 54)[0].cond->str(), "(arg2 == 1 || arg2 == 0x43)");
	EXPECT_EQ(policy_action(p, data(9, 0, 0, PROT_READ)), ret::ALLOW);
	EXPECT_EQ(policy_action(p, data(9, 0, 0, PROT_EXEC)), ret::ERRNO | EPERM);
	// a long run of prefix operators is read without recursion
	std::string tildes(100001, '~');
	Policy q = parse_string("allow read if arg0 == " + tildes + "0\n", "t.scpl");
	EXPECT_EQ(rules(q, 0)[0].cond->str(), "arg0 == 0xffffffffffffffff");
}

TEST(ScplConstructs, ConstantsComeFromTheUapiHeaders) {
	EXPECT_EQ(constant_by_name("MAP_FIXED_NOREPLACE"), std::optional<uint64_t>(MAP_FIXED_NOREPLACE));
	EXPECT_EQ(constant_by_name("MADV_DONTNEED"), std::optional<uint64_t>(MADV_DONTNEED));
	EXPECT_EQ(constant_by_name("FUTEX_WAKE_PRIVATE"), std::optional<uint64_t>(FUTEX_WAKE_PRIVATE));
	EXPECT_EQ(constant_by_name("IPV6_TCLASS"), std::optional<uint64_t>(IPV6_TCLASS));
	EXPECT_EQ(constant_by_name("IP_TOS"), std::optional<uint64_t>(IP_TOS));
	EXPECT_EQ(constant_by_name("O_CLOEXEC"), std::optional<uint64_t>(O_CLOEXEC));
	EXPECT_EQ(constant_by_name("SOCK_CLOEXEC"), std::optional<uint64_t>(SOCK_CLOEXEC));
	EXPECT_EQ(constant_by_name("AF_NETLINK"), std::optional<uint64_t>(AF_NETLINK));
	EXPECT_FALSE(constant_by_name("MAP_FAILED")); // a pointer, not an argument value
	size_t uapi = 0;
	for (const std::string &n : all_constant_names())
		uapi += n.rfind("MADV_", 0) == 0 || n.rfind("FUTEX_", 0) == 0 || n.rfind("IPV6_", 0) == 0;
	EXPECT_GT(uapi, 60u);
}

TEST(ScplConstructs, X32AreaAndNegativeNumbersGetTheirOwnRules) {
	Policy p = parse_string(R"(
		default errno(EPERM)
		x32 kill-process
		allow read
		errno(ENOSYS) 0x40000000
		errno(ENOSYS) 0x40000200 if arg0 == 1
		allow -1
		log -2
	)", "t.scpl");
	EXPECT_EQ(policy_action(p, data(0x40000000)), ret::ERRNO | ENOSYS);
	EXPECT_EQ(policy_action(p, data(0x40000200, 1)), ret::ERRNO | ENOSYS);
	// no rule holds in the x32 area: the x32 action, not the default
	EXPECT_EQ(policy_action(p, data(0x40000200, 2)), ret::KILL_PROCESS);
	EXPECT_EQ(policy_action(p, data(0x40000001)), ret::KILL_PROCESS);
	EXPECT_EQ(policy_action(p, data(0xffffffff)), ret::ALLOW);
	EXPECT_EQ(policy_action(p, data(0xfffffffe)), ret::LOG);
	EXPECT_EQ(policy_action(p, data(1)), ret::ERRNO | EPERM);
	Filter f = compile(p);
	EXPECT_TRUE(prove(p, f).proved);
}

TEST(ScplConstructs, AllowShadowedMakesDeadRulesWarnings) {
	const char *text = "allow read\nkill read if arg0 == 1\nerrno(EPERM) read\n";
	EXPECT_EQ(error_of(text),
		  "t.scpl:2:1: error: rule 'kill-process' for 'read' is shadowed by 'allow' at t.scpl:1:1");
	ParseOptions o;
	o.allow_shadowed = true;
	Policy p = parse_string(text, "t.scpl", o);
	ASSERT_EQ(p.warnings.size(), 2u);
	EXPECT_EQ(p.warnings[0].str(), "t.scpl:2:1: warning: rule 'kill-process' for 'read' is shadowed "
				       "by 'allow' at t.scpl:1:1");
	EXPECT_EQ(rules(p, 0).size(), 1u);
	EXPECT_EQ(policy_action(p, data(0, 1)), ret::ALLOW);
	EXPECT_TRUE(prove(p, compile(p)).proved);
}

} // namespace
