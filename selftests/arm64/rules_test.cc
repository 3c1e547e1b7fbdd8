// SPDX-License-Identifier: GPL-2.0
// Every rule of the arm64 table against the reference interpreter, arm64
// code run under qemu-aarch64-static: edge and random values, every
// register as dst and src (R10 as a source and as a base), offsets that
// take every addressing form, branches in and beyond B.cond's range, and
// the atomics with and without LSE. One test per table entry.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "arch/arm64/lower.h"
#include "core/vjit_jit.h"
#include "selftests/arm64/harness.h"

using namespace vjit_test;
using vjit::Concrete;
using vjit::Rule;

namespace {

const vjit::Table<Concrete> kTable = vjit::arm64::arm64_table<Concrete>();

const uint64_t kEdges[] = {
	0, 1, 2, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0xfff000, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull, 0xffff0000ffffull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
	0xffffffff80000000ull, 0x0123456789abcdefull, 0xffff1234ffff5678ull, 0x0000ffff00000000ull,
};

struct Gen {
	std::mt19937_64 g;
	explicit Gen(uint64_t seed) : g(seed) {}
	uint64_t u(uint64_t n) { return g() % n; }
	uint64_t value() { return u(3) ? kEdges[u(sizeof kEdges / sizeof kEdges[0])] : g() >> u(64); }
	int32_t imm() { return (int32_t)(uint32_t)value(); }
	uint8_t reg() { return (uint8_t)u(10); }  // R0-R9
};

uint64_t init_val(unsigned r) { return 0x1111111111111111ull * (r + 1) ^ 0x0f0f00f0f0f00ff0ull; }

// R0-R9 start distinct; afterwards all of them are stored below R10 and
// R0 is returned, so every register's final value is compared.
void init_regs(std::vector<Insn> &p) {
	for (uint8_t r = 0; r <= 9; r++)
		ld_imm64(p, r, init_val(r));
}
void dump_and_exit(std::vector<Insn> &p, bool skip_args = false) {
	for (uint8_t r = 0; r <= 9; r++)
		if (!skip_args || r < 1 || r > 5)
			p.push_back(I(bpf::STX | bpf::MEM | bpf::DW, 10, r, (int16_t)(-8 * (r + 1)), 0));
	p.push_back(exit_insn());
}

struct Checker {
	const Rule<Concrete> &rule;
	Batch batch;
	unsigned flags = 0;

	void add(const std::vector<Insn> &p, const std::string &what) { batch.add(p, flags, what); }
	void run() {
		std::string err;
		ASSERT_TRUE(batch.run(&err)) << err;
		unsigned failures = 0;
		for (size_t i = 0; i < batch.size(); i++) {
			const Outcome &o = batch.outcome(i);
			if (o.agree() && o.model_agrees())
				continue;
			if (failures++ >= 3)
				continue;
			ADD_FAILURE() << rule.name << " (" << batch.what(i) << "): jit_error=" << o.jit_error
				      << " native=" << (o.native_fault.empty() ? "ok" : o.native_fault)
				      << " interp=" << vjit::interp_error_name(o.interp_error) << std::hex
				      << " jit_r0=0x" << o.jit_r0 << " interp_r0=0x" << o.interp_r0 << " stack "
				      << (o.jit_stack == o.interp_stack ? "same" : "DIFFERS") << " data "
				      << (o.jit_data == o.interp_data ? "same" : "DIFFERS")
				      << " model=" << (o.model_fault.empty() ? "ok" : o.model_fault) << " model_r0=0x"
				      << o.model_r0 << " model stack " << (o.model_stack == o.jit_stack ? "same" : "DIFFERS")
				      << " model data " << (o.model_data == o.jit_data ? "same" : "DIFFERS") << "\n"
				      << disasm(o.image);
		}
		EXPECT_GT(batch.size(), 0u);
	}
};

// dst OP src / dst OP imm (ALU, ALU64, division, shifts, movsx, END).
void test_alu(Checker &c, Gen &g) {
	const uint8_t code = c.rule.code;
	const bool x = bpf::srcbit(code) == bpf::X && bpf::op(code) != bpf::END;
	const bool no_imm = bpf::op(code) == bpf::NEG || x;
	for (int k = 0; k < 160; k++) {
		const uint8_t dst = g.reg(), src = k % 16 == 0 ? 10 : g.reg();
		std::vector<Insn> p;
		init_regs(p);
		if (x && src <= 9)
			ld_imm64(p, src, k % 5 == 0 ? g.u(70) : g.value());
		ld_imm64(p, dst, g.value());
		int32_t imm = no_imm ? 0 : bpf::op(code) == bpf::END ? c.rule.imm : k % 4 == 0 ? (int32_t)g.u(70) - 3 : g.imm();
		p.push_back(I(code, dst, x ? src : 0, c.rule.off, imm));
		dump_and_exit(p);
		c.add(p, x ? "register" : "immediate");
	}
}

void test_ld_imm64(Checker &c, Gen &g) {
	for (int k = 0; k < 120; k++) {
		std::vector<Insn> p;
		init_regs(p);
		uint64_t v = k < 31 ? kEdges[k] : g.value();
		if (k % 7 == 3)  // chunks of 0 and 0xffff mixed: every MOVZ/MOVN choice
			v = (g.u(2) ? 0xffffull : 0) | (g.u(2) ? 0xffffull << 16 : 0) | (g.u(2) ? 0xffffull << 32 : 0) |
			    (g.u(2) ? 0xffffull << 48 : 0) | ((g.g() & 0xffff) << (16 * g.u(4)));
		p.push_back(I(bpf::LD | bpf::IMM | bpf::DW, g.reg(), (uint8_t)g.u(2), 0, (int32_t)(uint32_t)v));
		p.push_back(I(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
		dump_and_exit(p);
		c.add(p, "ld_imm64");
	}
}

// if (dst OP src/imm): forward or backward, near or (for some) beyond
// B.cond's +-1 MiB (the inverted B.cond over a B).
void test_jmp_cond(Checker &c, Gen &g, bool far) {
	const uint8_t code = c.rule.code;
	const bool x = bpf::srcbit(code) == bpf::X;
	auto mark = [](int32_t v) { return I(bpf::ST | bpf::MEM | bpf::DW, 10, 0, -96, v); };
	// Beyond +-1 MiB within off's 16 bits: 32000 fillers of 36 bytes (an
	// LL/SC CMPXCHG at an offset: 9 words).
	const Insn filler = far ? I(bpf::STX | bpf::ATOMIC | bpf::DW, 10, 9, -16, bpf::CMPXCHG)
				: I(bpf::ALU64 | bpf::MOV | bpf::X, 9, 9, 0, 0);
	const int n = far ? 4 : 120;
	for (int k = 0; k < n; k++) {
		const uint8_t dst = g.reg(), src = k % 16 == 0 ? 10 : g.reg();
		const bool back = k % 2;
		const int fill = far ? 32000 : k % 3 ? 0 : 20;
		std::vector<Insn> p;
		init_regs(p);
		uint64_t a = g.value();
		if (x && src <= 9)
			ld_imm64(p, src, k % 4 == 0 ? a : g.value());
		ld_imm64(p, dst, a);
		const int32_t imm = x ? 0 : k % 4 == 0 ? (int32_t)(uint32_t)a : g.imm();
		if (back) {
			// gotol test; back: mark 2; gotol end; filler; test: jcc back; mark 1; end:
			p.push_back(I(bpf::JMP32 | bpf::JA, 0, 0, 0, 2 + fill));
			p.push_back(mark(2));
			p.push_back(I(bpf::JMP32 | bpf::JA, 0, 0, 0, fill + 2));
			p.insert(p.end(), fill, filler);
			p.push_back(I(code, dst, x ? src : 0, (int16_t)-(fill + 3), imm));
			p.push_back(mark(1));
		} else {
			// jcc taken; mark 1; filler; ja end; taken: mark 2; end:
			p.push_back(I(code, dst, x ? src : 0, (int16_t)(fill + 2), imm));
			p.push_back(mark(1));
			p.insert(p.end(), fill, filler);
			p.push_back(I(bpf::JMP | bpf::JA, 0, 0, 1, 0));
			p.push_back(mark(2));
		}
		dump_and_exit(p);
		c.add(p, far ? "beyond B.cond" : back ? "backward" : "forward");
	}
}

void test_ja_exit(Checker &c) {
	const uint8_t code = c.rule.code;
	for (int32_t off : {0, 1, 3, 50, 200}) {
		std::vector<Insn> p;
		init_regs(p);
		if (code == (bpf::JMP32 | bpf::JA))
			p.push_back(I(code, 0, 0, 0, off));
		else
			p.push_back(I(bpf::JMP | bpf::JA, 0, 0, (int16_t)off, 0));
		for (int i = 0; i < off; i++)
			p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, (uint8_t)(i % 10), 0, 0, i + 1));
		if (code == (bpf::JMP | bpf::EXIT)) {
			p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, off));
			p.push_back(exit_insn());
			for (int i = 0; i < off; i++)
				p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1000));
		}
		dump_and_exit(p);
		c.add(p, "jump/exit");
	}
	// A loop: R0 counts down from 50 (a backward JA).
	std::vector<Insn> p;
	init_regs(p);
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 50));
	p.push_back(I(bpf::JMP | bpf::JEQ | bpf::K, 0, 0, 2, 0));
	p.push_back(I(bpf::ALU64 | bpf::SUB | bpf::K, 0, 0, 0, 1));
	p.push_back(code == (bpf::JMP32 | bpf::JA) ? I(code, 0, 0, 0, -3) : I(bpf::JMP | bpf::JA, 0, 0, -3, 0));
	dump_and_exit(p);
	c.add(p, "loop");
}

void test_call(Checker &c, Gen &g) {
	for (Helper h : {HELPER_BASE, HELPER_MIX, HELPER_RET7})
		for (int k = 0; k < 10; k++) {
			std::vector<Insn> p;
			init_regs(p);
			for (uint8_t r = 1; r <= 5; r++)
				ld_imm64(p, r, g.value());
			p.push_back(I(bpf::JMP | bpf::CALL, 0, 0, 0, helper_imm(h)));
			p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::X, 0, 6, 0, 0));  // R0 and R6-R9 live
			dump_and_exit(p, true);
			c.add(p, "helper call");
		}
}

// Offsets that take each addressing form: scaled (aligned, >= 0), unscaled
// (-256..255), and the register form (anything else), from a base inside
// the data region (or R10) so that every access stays inside.
int16_t mem_offset(Gen &g, bool r10, unsigned size, bool aligned) {
	const int16_t lo = r10 ? -512 : -4096, hi = r10 ? -(int16_t)size : 4096 - (int16_t)size;
	int16_t off;
	switch (g.u(4)) {
	case 0: off = (int16_t)((int)g.u(512) - 256); break;
	case 1: off = (int16_t)(g.u(4096) & ~(size - 1)); break;
	default: off = (int16_t)((int)g.u(hi - lo + 1) + lo); break;
	}
	if (off < lo)
		off = lo;
	if (off > hi)
		off = hi;
	if (aligned)
		off = (int16_t)(off & ~(int16_t)(size - 1));
	return off;
}

void test_mem(Checker &c, Gen &g, bool lse) {
	const uint8_t code = c.rule.code, cls = bpf::cls(code);
	const unsigned size = bpf::size_bytes(code);
	const bool atomic = bpf::mode(code) == bpf::ATOMIC;
	c.flags = lse ? VJIT_F_LSE : 0;
	for (int k = 0; k < (atomic ? 80 : 160); k++) {
		const uint8_t base = k % 5 == 0 ? 10 : g.reg();
		uint8_t other = g.reg();
		if (cls == bpf::LDX && other == base && k % 11)
			other = (uint8_t)((base + 1) % 10);
		const int16_t off = mem_offset(g, base == 10, size, atomic || k % 3 == 0);
		std::vector<Insn> p;
		init_regs(p);
		if (other != base)
			ld_imm64(p, other, g.value());
		if (base != 10)
			ld_imm64(p, base, DATA_ADDR + 4096);
		// CMPXCHG: make the comparand (R0) match the memory half the time.
		if (atomic && k % 2 && base != 0 && other != 0)
			p.push_back(I(bpf::LDX | bpf::MEM | bpf::size(code), 0, base, off, 0));
		switch (cls) {
		case bpf::LDX: p.push_back(I(code, other, base, off, 0)); break;
		case bpf::ST: p.push_back(I(code, base, 0, off, g.imm())); break;
		default: p.push_back(I(code, base, other, off, c.rule.imm)); break;
		}
		dump_and_exit(p);
		c.add(p, lse ? "memory, LSE" : "memory");
	}
}

void test_nospec(Checker &c) {
	c.flags = VJIT_F_KERNEL;
	for (uint8_t r = 0; r <= 9; r++) {
		std::vector<Insn> p;
		init_regs(p);
		p.push_back(I(bpf::STX | bpf::MEM | bpf::DW, 10, r, -8, 0));
		p.push_back(I(c.rule.code, 0, 0, 0, 0));
		p.push_back(I(bpf::LDX | bpf::MEM | bpf::DW, (uint8_t)((r + 1) % 10), 10, -8, 0));
		dump_and_exit(p);
		c.add(p, "nospec");
	}
}

class RuleTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RuleTest, AgreesWithInterpreter) {
	const Rule<Concrete> &rule = kTable.rules[GetParam()];
	const uint8_t code = rule.code;
	Gen g(0x5eed + GetParam());
	Checker c{rule, {}};
	if (bpf::is_ld_imm64(code)) {
		test_ld_imm64(c, g);
	} else if (code == (bpf::ST | bpf::NOSPEC)) {
		test_nospec(c);
	} else if (bpf::is_alu(code)) {
		test_alu(c, g);
	} else if (code == (bpf::JMP | bpf::CALL)) {
		test_call(c, g);
	} else if (bpf::is_jmp(code) && (bpf::op(code) == bpf::JA || bpf::op(code) == bpf::EXIT)) {
		test_ja_exit(c);
	} else if (bpf::is_jmp(code)) {
		test_jmp_cond(c, g, false);
		// Beyond B.cond's range: a few rules (each program is 32k
		// instructions).
		if (code == (bpf::JMP | bpf::JEQ | bpf::X) || code == (bpf::JMP32 | bpf::JSLT | bpf::K) ||
		    code == (bpf::JMP | bpf::JSET | bpf::K))
			test_jmp_cond(c, g, true);
	} else {
		test_mem(c, g, false);
		if (bpf::mode(code) == bpf::ATOMIC) {
			c.run();
			Checker lse{rule, {}};
			test_mem(lse, g, true);
			lse.run();
			return;
		}
	}
	c.run();
}

std::string rule_test_name(const ::testing::TestParamInfo<size_t> &info) {
	std::string n;
	for (const char *p = kTable.rules[info.param].name; *p; p++)
		n += isalnum((unsigned char)*p) ? *p : '_';
	return n;
}

INSTANTIATE_TEST_SUITE_P(Arm64, RuleTest, ::testing::Range<size_t>(0, kTable.n), rule_test_name);

// The table has an entry for every instruction the semantics defines.
TEST(Table, CoversEveryValidOpcode) {
	unsigned missing = 0;
	vjit::for_each_insn_key(vjit::Isa::V4, [&](uint8_t code, int16_t off, int32_t imm) {
		if (!kTable.find(code, off, imm)) {
			missing++;
			ADD_FAILURE() << "no rule for opcode 0x" << std::hex << (int)code << " off " << off << " imm " << imm;
		}
	});
	EXPECT_EQ(missing, 0u);
}

} // namespace
