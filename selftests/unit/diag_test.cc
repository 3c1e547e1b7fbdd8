// SPDX-License-Identifier: GPL-2.0
// INET-DIAG: the semantics (core/diag_semantics.h) on filters whose answer
// is known from the kernel's code; the audit refusing what
// inet_diag_bc_audit refuses; and on random audited bytecodes and random
// sockets, the translated eBPF, interpreted and JIT-compiled, agreeing
// with the semantics.
#include <gtest/gtest.h>

#include <random>

#include "core/diag_translate.h"
#include "selftests/unit/diag_bc.h"
#include "user/vjit_runtime.h"

using namespace vjit;
using namespace vjit::test;
using namespace vjit::diag;

namespace {

int run_semantics(const std::vector<uint8_t> &bc, const vjit_diag_entry &e) {
	EXPECT_EQ(diag_audit(bc.data(), (uint32_t)bc.size(), true), VJIT_DIAG_OK);
	return diag_run(bc.data(), (uint32_t)bc.size(), &e);
}

uint64_t run_interp(const std::vector<Insn> &prog, const vjit_diag_entry &e) {
	std::vector<MemRegion> regions = {{(uint64_t)(uintptr_t)&e, sizeof(e), false}};
	InterpResult r = user::interpret(prog, (uint64_t)(uintptr_t)&e, regions);
	EXPECT_EQ(r.error, InterpError::NONE) << interp_error_name(r.error) << " at " << r.pc;
	return r.r0;
}

// One op then accept; its no rejects.
std::vector<uint8_t> single(uint8_t code, std::vector<uint8_t> operands) {
	return assemble({DiagOp{code, std::move(operands), 1, 2}});
}

TEST(DiagSemantics, PortComparisons) {
	const vjit_diag_entry e = entry4("10.0.0.1", 22, "10.0.0.2", 1024);
	EXPECT_EQ(run_semantics(single(S_GE, port_operand(22)), e), 1);
	EXPECT_EQ(run_semantics(single(S_GE, port_operand(23)), e), 0);
	EXPECT_EQ(run_semantics(single(S_LE, port_operand(22)), e), 1);
	EXPECT_EQ(run_semantics(single(S_LE, port_operand(21)), e), 0);
	EXPECT_EQ(run_semantics(single(D_GE, port_operand(1024)), e), 1);
	EXPECT_EQ(run_semantics(single(D_LE, port_operand(1023)), e), 0);
	EXPECT_EQ(run_semantics(single(S_EQ, port_operand(22)), e), 1);
	EXPECT_EQ(run_semantics(single(D_EQ, port_operand(22)), e), 0);
}

TEST(DiagSemantics, HostcondV4AndMapped) {
	uint8_t net[4];
	inet_pton(AF_INET, "10.1.0.0", net);
	const auto bc = single(D_COND, hostcond(AF_INET_, 16, -1, net));
	EXPECT_EQ(run_semantics(bc, entry4("1.1.1.1", 1, "10.1.200.3", 2)), 1);
	EXPECT_EQ(run_semantics(bc, entry4("1.1.1.1", 1, "10.2.0.3", 2)), 0);
	// An IPv4 condition matches a v4-mapped IPv6 address, not a plain one.
	EXPECT_EQ(run_semantics(bc, entry6("::1", 1, "::ffff:10.1.9.9", 2)), 1);
	EXPECT_EQ(run_semantics(bc, entry6("::1", 1, "::ffff:10.3.9.9", 2)), 0);
	EXPECT_EQ(run_semantics(bc, entry6("::1", 1, "::10.1.9.9", 2)), 0);
	// With a port: the port must match too.
	const auto with_port = single(D_COND, hostcond(AF_INET_, 16, 443, net));
	EXPECT_EQ(run_semantics(with_port, entry4("1.1.1.1", 1, "10.1.0.1", 443)), 1);
	EXPECT_EQ(run_semantics(with_port, entry4("1.1.1.1", 1, "10.1.0.1", 444)), 0);
	// A port outside 0..65535 (other than -1) never matches.
	EXPECT_EQ(run_semantics(single(D_COND, hostcond(AF_INET_, 0, 65536 + 443, net)),
				entry4("1.1.1.1", 1, "10.1.0.1", 443)), 0);
}

TEST(DiagSemantics, HostcondV6Prefixes) {
	uint8_t net[16];
	inet_pton(AF_INET6, "fe80::", net);
	const auto bc = single(S_COND, hostcond(AF_INET6_, 10, -1, net));
	EXPECT_EQ(run_semantics(bc, entry6("febf::1", 1, "::1", 2)), 1);
	EXPECT_EQ(run_semantics(bc, entry6("fec0::1", 1, "::1", 2)), 0);
	// An IPv6 condition never matches an IPv4 socket.
	EXPECT_EQ(run_semantics(single(S_COND, hostcond(AF_INET6_, 0, -1, net)),
				entry4("1.2.3.4", 1, "1.2.3.4", 2)), 0);
	inet_pton(AF_INET6, "2001:db8:0:1::", net);
	const auto p65 = single(S_COND, hostcond(AF_INET6_, 65, -1, net));
	EXPECT_EQ(run_semantics(p65, entry6("2001:db8:0:1:7fff::1", 1, "::1", 2)), 1);
	EXPECT_EQ(run_semantics(p65, entry6("2001:db8:0:1:8000::1", 1, "::1", 2)), 0);
	// AF_UNSPEC: any family, any address.
	EXPECT_EQ(run_semantics(single(S_COND, hostcond(AF_UNSPEC_, 0, -1, net)),
				entry4("1.2.3.4", 1, "1.2.3.4", 2)), 1);
}

TEST(DiagSemantics, OtherConditions) {
	vjit_diag_entry e = entry4("1.1.1.1", 1, "2.2.2.2", 2);
	e.userlocks = 4;  // SOCK_BINDADDR_LOCK only
	e.ifindex = 3;
	e.mark = 0x1234;
	e.cgroup_id = 0x100000007ull;
	EXPECT_EQ(run_semantics(single(AUTO, {}), e), 1);
	e.userlocks = 8;  // SOCK_BINDPORT_LOCK: bound by the user
	EXPECT_EQ(run_semantics(single(AUTO, {}), e), 0);
	EXPECT_EQ(run_semantics(single(DEV_COND, u32_operand(3)), e), 1);
	EXPECT_EQ(run_semantics(single(DEV_COND, u32_operand(2)), e), 0);
	EXPECT_EQ(run_semantics(single(MARK_COND, mark_operand(0x34, 0xff)), e), 1);
	EXPECT_EQ(run_semantics(single(MARK_COND, mark_operand(0x35, 0xff)), e), 0);
	EXPECT_EQ(run_semantics(single(CGROUP_COND, u64_operand(0x100000007ull)), e), 1);
	EXPECT_EQ(run_semantics(single(CGROUP_COND, u64_operand(0x7ull)), e), 0);
	EXPECT_EQ(run_semantics(single(NOP, {}), e), 1);
	EXPECT_EQ(run_semantics(single(JMP, {}), e), 0);
}

// ss's `or`: a JMP after the first condition jumps over the second to the
// end; the first condition's no goes to the second.
std::vector<uint8_t> sport_or_dport(uint16_t port) {
	return assemble({DiagOp{S_EQ, port_operand(port), 1, 2}, DiagOp{JMP, {}, 2, 3},
			 DiagOp{D_EQ, port_operand(port), 3, 4}});
}

TEST(DiagSemantics, OrChains) {
	EXPECT_EQ(run_semantics(sport_or_dport(22), entry4("1.1.1.1", 22, "2.2.2.2", 80)), 1);
	EXPECT_EQ(run_semantics(sport_or_dport(22), entry4("1.1.1.1", 80, "2.2.2.2", 22)), 1);
	EXPECT_EQ(run_semantics(sport_or_dport(23), entry4("1.1.1.1", 22, "2.2.2.2", 80)), 0);
}

// ---- the audit ----

struct AuditCase {
	const char *what;
	std::vector<uint8_t> bc;
	bool net_admin;
	int expect;
};

std::vector<AuditCase> audit_cases() {
	uint8_t a4[4] = {10, 0, 0, 0};
	std::vector<AuditCase> v;
	v.push_back({"one op, to the end", {NOP, 4, 0, 0}, false, VJIT_DIAG_OK});
	v.push_back({"shorter than an op", {NOP, 4}, false, VJIT_DIAG_EINVAL});
	v.push_back({"unknown code", {NR_CODES, 4, 8, 0}, true, VJIT_DIAG_EINVAL});
	v.push_back({"yes not a multiple of 4", {JMP, 6, 8, 0, 0, 0, 0, 0}, true, VJIT_DIAG_EINVAL});
	v.push_back({"yes 0", {NOP, 0, 0, 0}, true, VJIT_DIAG_EINVAL});
	v.push_back({"yes past the end", {NOP, 8, 0, 0}, true, VJIT_DIAG_EINVAL});
	v.push_back({"no past end + 4", {JMP, 4, 12, 0}, true, VJIT_DIAG_EINVAL});
	v.push_back({"no to end + 4 (reject)", {JMP, 4, 8, 0}, true, VJIT_DIAG_OK});
	v.push_back({"NOP's no is not checked", {NOP, 4, 0xff, 0xff}, true, VJIT_DIAG_OK});
	v.push_back({"no 0", {JMP, 4, 0, 0}, true, VJIT_DIAG_EINVAL});
	auto port_op = assemble({DiagOp{S_GE, port_operand(80), 1, 2}});
	v.push_back({"port comparison", port_op, true, VJIT_DIAG_OK});
	port_op.resize(4);
	port_op[1] = 4;
	v.push_back({"port comparison without its port", port_op, true, VJIT_DIAG_EINVAL});
	auto into_operand = assemble({DiagOp{JMP, {}, 1, 2}, DiagOp{S_GE, port_operand(80), 2, 3}});
	into_operand[2] = 8;  // no -> the port operand of the next op
	v.push_back({"no into an operand", into_operand, true, VJIT_DIAG_EINVAL});
	v.push_back({"hostcond", single(S_COND, hostcond(AF_INET_, 8, -1, a4)), false, VJIT_DIAG_OK});
	v.push_back({"hostcond prefix > 32 for AF_INET", single(S_COND, hostcond(AF_INET_, 33, -1, a4)),
		     true, VJIT_DIAG_EINVAL});
	v.push_back({"hostcond AF_UNSPEC with a prefix", single(S_COND, hostcond(AF_UNSPEC_, 1, -1, a4)),
		     true, VJIT_DIAG_EINVAL});
	auto bad_family = single(D_COND, hostcond(AF_INET_, 8, -1, a4));
	bad_family[4] = 7;
	v.push_back({"hostcond unknown family", bad_family, true, VJIT_DIAG_EINVAL});
	auto short_addr = single(D_COND, hostcond(AF_INET_, 8, -1, a4));
	short_addr.resize(short_addr.size() - 4);
	short_addr[1] = (uint8_t)short_addr.size();
	short_addr[2] = (uint8_t)(short_addr.size() + 4);
	v.push_back({"hostcond without its address", short_addr, true, VJIT_DIAG_EINVAL});
	v.push_back({"mark without CAP_NET_ADMIN", single(MARK_COND, mark_operand(1, 1)), false,
		     VJIT_DIAG_EPERM});
	v.push_back({"mark with CAP_NET_ADMIN", single(MARK_COND, mark_operand(1, 1)), true,
		     VJIT_DIAG_OK});
	v.push_back({"cgroup", single(CGROUP_COND, u64_operand(5)), false, VJIT_DIAG_OK});
	v.push_back({"dev", single(DEV_COND, u32_operand(5)), false, VJIT_DIAG_OK});
	std::vector<uint8_t> trailing = {NOP, 4, 0, 0, NOP, 4};
	v.push_back({"a trailing op cut short", trailing, true, VJIT_DIAG_EINVAL});
	std::vector<uint8_t> skip = {NOP, 8, 0, 0, 0xff, 0xff, 0xff, 0xff};
	v.push_back({"yes over bytes that are no op", skip, true, VJIT_DIAG_OK});
	return v;
}

TEST(DiagAudit, RefusesWhatTheKernelRefuses) {
	for (const AuditCase &c : audit_cases()) {
		EXPECT_EQ(diag_audit(c.bc.data(), (uint32_t)c.bc.size(), c.net_admin), c.expect) << c.what;
		int err = 0;
		std::vector<Insn> prog = diag_translated(c.bc, &err);
		// The translator audits as with CAP_NET_ADMIN.
		const int as_admin = diag_audit(c.bc.data(), (uint32_t)c.bc.size(), true);
		EXPECT_EQ(err, as_admin) << c.what;
		EXPECT_EQ(prog.empty(), as_admin != VJIT_DIAG_OK) << c.what;
	}
}

// ---- random bytecodes: semantics vs the translation ----

struct Pools {
	std::mt19937_64 rng;
	explicit Pools(uint64_t seed) : rng(seed) {}

	uint64_t pick(std::initializer_list<uint64_t> v) { return *(v.begin() + rng() % v.size()); }
	uint16_t port() { return (uint16_t)(rng() % 4 ? pick({0, 22, 80, 443, 1024, 8080, 65535}) : rng()); }
	void addr(uint16_t family, uint32_t *w) {
		static const char *v4[] = {"127.0.0.1", "10.0.0.1", "10.0.0.2", "10.1.2.3", "192.168.1.7", "0.0.0.0"};
		static const char *v6[] = {"::1", "::", "fe80::1", "2001:db8::5", "2001:db8:0:1::9",
					   "::ffff:10.0.0.1", "::ffff:10.1.2.3", "::ffff:192.168.1.7", "::10.0.0.1"};
		memset(w, 0, 16);
		if (rng() % 8 == 0) {
			for (int i = 0; i < 4; i++)
				w[i] = family == AF_INET_ && i ? 0 : (uint32_t)rng();
			return;
		}
		if (family == AF_INET_)
			inet_pton(AF_INET, v4[rng() % 6], w);
		else
			inet_pton(AF_INET6, v6[rng() % 9], w);
	}
	vjit_diag_entry entry() {
		vjit_diag_entry e;
		memset(&e, 0, sizeof(e));
		e.family = (uint16_t)pick({AF_INET_, AF_INET6_, AF_INET6_});
		addr(e.family, e.saddr);
		addr(e.family, e.daddr);
		e.sport = port();
		e.dport = port();
		e.userlocks = (uint16_t)pick({0, 4, 8, 12});
		e.ifindex = (uint32_t)pick({0, 1, 2, 3});
		e.mark = (uint32_t)pick({0, 1, 0x10, 0x11, 0xff00});
		e.cgroup_id = pick({1, 2, 0x100000001u}) | (rng() % 4 == 0 ? (uint64_t)1 << 40 : 0);
		return e;
	}
	std::vector<uint8_t> operands(uint8_t code) {
		if (is_port_compare(code))
			return port_operand(port());
		switch (code) {
		case S_COND:
		case D_COND: {
			const uint8_t fam = (uint8_t)pick({AF_UNSPEC_, AF_INET_, AF_INET_, AF_INET6_});
			uint32_t w[4];
			addr(fam == AF_INET6_ ? AF_INET6_ : AF_INET_, w);
			if (fam == AF_INET_ && rng() % 2)
				w[0] = w[3] ? w[3] : w[0];
			const uint8_t max = fam == AF_INET_ ? 32 : fam == AF_INET6_ ? 128 : 0;
			uint8_t prefix = (uint8_t)(max ? rng() % (max + 1) : 0);
			if (max && rng() % 3 == 0)
				prefix = max;
			const int32_t p = rng() % 2 ? -1 : rng() % 16 == 0 ? 70000 : port();
			return hostcond(fam, prefix, p, w);
		}
		case DEV_COND: return u32_operand((uint32_t)pick({0, 1, 2, 3}));
		case MARK_COND:
			return mark_operand((uint32_t)pick({0, 1, 0x10, 0xff00}), (uint32_t)pick({0, 1, 0xff, ~0u, 0xff00}));
		case CGROUP_COND: return u64_operand(pick({1, 2, 0x100000001u}));
		}
		return {};
	}
	std::vector<uint8_t> bytecode() {
		const size_t n = 1 + rng() % 8;
		std::vector<DiagOp> ops(n);
		for (size_t i = 0; i < n; i++) {
			DiagOp &op = ops[i];
			op.code = (uint8_t)(rng() % NR_CODES);
			op.operands = operands(op.code);
			op.yes = i + 1;
			op.no = i + 1 + rng() % (n + 1 - i);  // a later op, the end, or reject
			op.junk = rng() % 10 == 0 ? 4 : 0;
		}
		return assemble(ops);
	}
};

TEST(DiagTranslate, AgreesWithTheSemanticsOnRandomBytecode) {
	Pools pools(13);
	size_t runs = 0, accepted = 0;
	for (int b = 0; b < 1500; b++) {
		const std::vector<uint8_t> bc = pools.bytecode();
		ASSERT_EQ(diag_audit(bc.data(), (uint32_t)bc.size(), true), VJIT_DIAG_OK);
		int err = 0;
		const std::vector<Insn> prog = diag_translated(bc, &err);
		ASSERT_EQ(err, VJIT_DIAG_OK) << vjit_diag_error_name(err);
		user::Jitted jit;
		std::string why;
		ASSERT_TRUE(user::jit_compile(prog, 0, &jit, &why)) << why;
		for (int k = 0; k < 40; k++) {
			const vjit_diag_entry e = pools.entry();
			const int want = diag_run(bc.data(), (uint32_t)bc.size(), &e);
			ASSERT_EQ(run_interp(prog, e), (uint64_t)want) << "bytecode " << b << " entry " << k;
			ASSERT_EQ((uint32_t)jit.image.run(&e), (uint32_t)want) << "bytecode " << b << " entry " << k;
			runs++;
			accepted += want;
		}
	}
	// Both outcomes are exercised, not one of them mostly.
	EXPECT_GT(accepted, runs / 10);
	EXPECT_LT(accepted, runs - runs / 10);
}

// A fragment never exceeds its bound, on the largest operands.
TEST(DiagTranslate, FragmentBound) {
	uint8_t a6[16];
	inet_pton(AF_INET6, "2001:db8::1", a6);
	for (uint8_t prefix : {1, 31, 32, 33, 96, 127, 128}) {
		int err = 0;
		auto prog = diag_translated(single(S_COND, hostcond(AF_INET6_, prefix, 80, a6)), &err);
		ASSERT_EQ(err, VJIT_DIAG_OK);
		EXPECT_LE(prog.size(), VJIT_DIAG_MAX_FRAGMENT + 4u);
	}
}

} // namespace
