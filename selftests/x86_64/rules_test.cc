// SPDX-License-Identifier: GPL-2.0
// Every rule of the x86-64 table against the reference interpreter, with
// edge values, every register as dst and src (R10 as a source and as a
// base), on the real CPU. One test per table entry.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "arch/x86_64/lower.h"
#include "core/semantics.h"
#include "selftests/x86_64/harness.h"

using namespace vjit_test;
using vjit::Concrete;
using vjit::Rule;
using vjit::Isa;
namespace bpf = vjit::bpf;

namespace {

const vjit::Table<Concrete> kTable = vjit::x86_64::x86_64_table<Concrete>();

const uint64_t kVals[] = {
	0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 31, 32, 63, 64,
	0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
	0xfffffffffffffffeull, 0x8000000080000000ull, 0x0123456789abcdefull,
	0xfedcba9876543210ull, 0xffffffff80000000ull,
};
const int32_t kImms[] = {
	0, 1, -1, 2, 7, 16, 31, 32, 63, 64, 0x7f, 0x80, -128, -129, 0x7fff,
	-0x8000, 0x12345678, INT32_MAX, INT32_MIN, (int32_t)0x80000001,
};
// Register pairs (dst, src) used with the full value grid.
const uint8_t kPairs[][2] = {
	{0, 3}, {3, 0}, {4, 4}, {2, 4}, {4, 2}, {3, 4}, {0, 0}, {6, 9}, {5, 10}, {1, 2},
};
// Value pairs used with every (dst, src) register pair.
const uint64_t kFewVals[][2] = {
	{0x0123456789abcdefull, 0x13}, {0xffffffffffffffffull, 0},
	{0x8000000000000000ull, 0xffffffffffffffffull}, {0xfedcba9876543210ull, 33},
	{0x80000000ull, 0xffffffff00000005ull},
};

// Distinct starting values for R0-R9.
uint64_t init_val(unsigned r) { return 0x1111111111111111ull * (r + 1) ^ 0x0f0f00f0f0f00ff0ull; }

void init_regs(std::vector<Insn> &p) {
	for (uint8_t r = 0; r <= 9; r++)
		ld_imm64(p, r, init_val(r));
}
// Spill R0-R9 to the stack (compared afterwards), then exit with R0.
void dump_and_exit(std::vector<Insn> &p, bool skip_args = false) {
	for (uint8_t r = 0; r <= 9; r++) {
		if (skip_args && r >= 1 && r <= 5)
			continue;
		p.push_back(I(bpf::STX | bpf::MEM | bpf::DW, 10, r, (int16_t)(-8 * (r + 1)), 0));
	}
	p.push_back(exit_insn());
}

struct Checker {
	Machine &m;
	const Rule<Concrete> &rule;
	unsigned runs = 0, failures = 0;
	unsigned flags = 0;  // vjit_jit flags the programs are compiled with

	void check(const std::vector<Insn> &prog, const char *what) {
		runs++;
		Outcome o = run_both(m, prog, flags);
		bool ok = o.jit_error == 0 && o.jit_fault.empty() && o.interp_error == vjit::InterpError::NONE &&
			  o.jit_r0 == o.interp_r0 && o.jit_stack == o.interp_stack &&
			  o.jit_data == o.interp_data;
		if (ok)
			return;
		if (failures++ < 3) {
			std::string text = o.jit_error ? "" : disasm(m.image, o.image_len);
			ADD_FAILURE() << rule.name << " (" << what << "): jit_error=" << o.jit_error
				      << (o.jit_fault.empty() ? "" : " jit_fault=" + o.jit_fault)
				      << " interp_error=" << vjit::interp_error_name(o.interp_error)
				      << std::hex << " jit_r0=0x" << o.jit_r0 << " interp_r0=0x" << o.interp_r0
				      << " stack " << (o.jit_stack == o.interp_stack ? "same" : "DIFFERS")
				      << " data " << (o.jit_data == o.interp_data ? "same" : "DIFFERS")
				      << "\n" << text;
		}
	}
};

// dst OP src / dst OP imm.
void test_alu(Checker &c, uint8_t code) {
	const bool x = bpf::srcbit(code) == bpf::X;
	const int16_t key_off = c.rule.off;  // sdiv/smod, movsx: off selects
	auto prog = [&](uint8_t dst, uint8_t src, uint64_t a, uint64_t b, int32_t imm) {
		std::vector<Insn> p;
		init_regs(p);
		if (src <= 9)
			ld_imm64(p, src, b);
		ld_imm64(p, dst, a);  // when dst == src, the value is a
		p.push_back(I(code, dst, src, key_off, imm));
		dump_and_exit(p);
		return p;
	};
	if (x) {
		for (uint8_t d = 0; d <= 9; d++)
			for (uint8_t s = 0; s <= 10; s++)
				for (auto &v : kFewVals)
					c.check(prog(d, s, v[0], v[1], 0), "register grid");
		for (auto &rp : kPairs)
			for (uint64_t a : kVals)
				for (uint64_t b : kVals)
					c.check(prog(rp[0], rp[1], a, b, 0), "value grid");
	} else {
		const bool neg = bpf::op(code) == bpf::NEG;  // no operand: imm is reserved
		for (uint8_t d = 0; d <= 9; d++)
			for (int32_t imm : kImms)
				for (uint64_t a : kVals)
					if (!neg || imm == 0)
					if (d == 0 || d == 3 || d == 4 || d == 7 || a == 0x0123456789abcdefull ||
					    a == 0x8000000000000000ull || a == 0xffffffffull)
						c.check(prog(d, 0, a, 0, imm), "imm grid");
	}
}

void test_end(Checker &c, uint8_t code, int32_t width) {
	for (uint8_t d = 0; d <= 9; d++)
		for (uint64_t a : kVals) {
			std::vector<Insn> p;
			init_regs(p);
			ld_imm64(p, d, a);
			p.push_back(I(code, d, 0, 0, width));
			dump_and_exit(p);
			c.check(p, "bswap");
		}
}

void test_ld_imm64(Checker &c) {
	for (uint8_t d = 0; d <= 9; d++)
		for (uint64_t a : kVals)
			for (uint8_t src : {0, 1}) {  // 1: PSEUDO_MAP_FD, already resolved
				std::vector<Insn> p;
				init_regs(p);
				p.push_back(I(bpf::LD | bpf::IMM | bpf::DW, d, src, 0, (int32_t)(uint32_t)a));
				p.push_back(I(0, 0, 0, 0, (int32_t)(uint32_t)(a >> 32)));
				dump_and_exit(p);
				c.check(p, "ld_imm64");
			}
}

// Conditional jumps: forward short, forward long (rel32), backward long.
void test_jmp_cond(Checker &c, uint8_t code) {
	const bool x = bpf::srcbit(code) == bpf::X;
	auto mark = [](int32_t v) { return I(bpf::ST | bpf::MEM | bpf::DW, 10, 0, -96, v); };
	const Insn filler = I(bpf::ALU64 | bpf::MOV | bpf::X, 9, 9, 0, 0);
	auto prog = [&](int shape, uint8_t dst, uint8_t src, uint64_t a, uint64_t b, int32_t imm) {
		std::vector<Insn> p;
		init_regs(p);
		if (src <= 9)
			ld_imm64(p, src, b);
		ld_imm64(p, dst, a);
		const int16_t fill = shape == 0 ? 0 : 60;
		if (shape == 2) {
			// ja test; back: mark 2; ja end; filler; test: jcc back; mark 1; end:
			p.push_back(I(bpf::JMP | bpf::JA, 0, 0, (int16_t)(2 + fill), 0));
			p.push_back(mark(2));
			p.push_back(I(bpf::JMP | bpf::JA, 0, 0, (int16_t)(fill + 2), 0));
			for (int i = 0; i < fill; i++)
				p.push_back(filler);
			p.push_back(I(code, dst, src, (int16_t)-(fill + 3), imm));
			p.push_back(mark(1));
		} else {
			// jcc taken; mark 1; filler; ja end; taken: mark 2; end:
			p.push_back(I(code, dst, src, (int16_t)(fill + 2), imm));
			p.push_back(mark(1));
			for (int i = 0; i < fill; i++)
				p.push_back(filler);
			p.push_back(I(bpf::JMP | bpf::JA, 0, 0, 1, 0));
			p.push_back(mark(2));
		}
		dump_and_exit(p);
		return p;
	};
	for (int shape = 0; shape < 3; shape++) {
		const char *what = shape == 0 ? "short forward" : shape == 1 ? "long forward" : "long backward";
		if (x) {
			for (uint8_t d = 0; d <= 9; d++)
				for (uint8_t s = 0; s <= 10; s++)
					for (auto &v : kFewVals)
						if (shape == 0 || (d + s) % 4 == 0)
							c.check(prog(shape, d, s, v[0], v[1], 0), what);
			for (uint64_t a : kVals)
				for (uint64_t b : kVals)
					if (shape == 0 || (a ^ b) % 3 == 0)
						c.check(prog(shape, 2, 7, a, b, 0), what);
		} else {
			for (uint8_t d = 0; d <= 9; d++)
				for (int32_t imm : kImms)
					for (uint64_t a : kVals)
						if (shape == 0 ? (d == 0 || d == 8 || (a + imm) % 5 == 0) : (a + imm + d) % 7 == 0)
							c.check(prog(shape, d, 0, a, 0, imm), what);
		}
	}
}

void test_ja_exit(Checker &c, uint8_t code) {
	for (int16_t off : {0, 1, 3, 50, 200}) {
		std::vector<Insn> p;
		init_regs(p);
		if (code == (bpf::JMP32 | bpf::JA))
			p.push_back(I(code, 0, 0, 0, off));  // gotol: the offset is imm
		else
			p.push_back(code == (bpf::JMP | bpf::JA) ? I(code, 0, 0, off, 0)
								 : I(bpf::JMP | bpf::JA, 0, 0, off, 0));
		for (int i = 0; i < off; i++)
			p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, (uint8_t)(i % 10), 0, 0, i + 1));
		if (code == (bpf::JMP | bpf::EXIT)) {
			// An EXIT in the middle: the rest is skipped.
			p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, off));
			p.push_back(exit_insn());
			for (int i = 0; i < off; i++)
				p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1000));
		}
		dump_and_exit(p);
		c.check(p, "jump/exit");
	}
}

void test_call(Checker &c) {
	for (vjit::HelperFn f : {helper_base, helper_mix, helper_ret7})
		for (auto &v : kFewVals) {
			std::vector<Insn> p;
			init_regs(p);
			ld_imm64(p, 1, v[0]);
			ld_imm64(p, 2, v[1]);
			p.push_back(I(bpf::JMP | bpf::CALL, 0, 0, 0, helper_imm(f)));
			p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::X, 0, 6, 0, 0));  // R0 and R6-R9 live
			dump_and_exit(p, true);
			c.check(p, "helper call");
		}
}

// A base register pointing into the data region (or R10) and offsets that
// stay inside it.
struct Base {
	uint8_t reg;
	bool r10;
};
std::vector<int16_t> offsets(bool r10, unsigned n, bool aligned) {
	if (r10)
		return aligned ? std::vector<int16_t>{-512, -200, -16, -8}
			       : std::vector<int16_t>{-512, -201, -8, (int16_t)-n, -129};
	return aligned ? std::vector<int16_t>{-64, 0, 8, 64, 128, 184}
		       : std::vector<int16_t>{-64, -1, 0, 3, 64, 127, 128, 183};
}
void set_base(Machine &m, std::vector<Insn> &p, uint8_t reg) {
	if (reg != 10)
		ld_imm64(p, reg, (uint64_t)(uintptr_t)m.data + 64);
}

void test_mem(Checker &c, uint8_t code, int32_t aimm) {
	const unsigned n = bpf::size_bytes(code);
	const uint8_t cls = bpf::cls(code);
	const bool atomic = bpf::mode(code) == bpf::ATOMIC;
	for (uint8_t base = 0; base <= 10; base++)
		for (uint8_t other = 0; other <= 9; other++) {
			if (other == base && cls == bpf::LDX)
				continue;  // fine, but the loaded value replaces the base: covered below
			for (int16_t off : offsets(base == 10, n, atomic))
				for (auto &v : kFewVals) {
					if ((base + other + off) % 3 != 0 && v[0] != 0x0123456789abcdefull)
						continue;
					std::vector<Insn> p;
					init_regs(p);
					if (other != base)
						ld_imm64(p, other, v[0]);
					if (atomic && other != 0 && base != 0)
						ld_imm64(p, 0, v[1]);  // CMPXCHG's comparand
					set_base(c.m, p, base);
					// Make CMPXCHG's comparand match the memory for some
					// values; a DW load, so that for W R0's upper half is
					// not zero (it must be cleared: R0 = zext(old)).
					if (atomic && v[1] == 0 && base != 0)
						p.push_back(I(bpf::LDX | bpf::MEM | bpf::DW, 0, base, off, 0));
					switch (cls) {
					case bpf::LDX: p.push_back(I(code, other, base, off, 0)); break;
					case bpf::ST: p.push_back(I(code, base, 0, off, (int32_t)v[1])); break;
					default: p.push_back(I(code, base, other, off, aimm)); break;
					}
					dump_and_exit(p);
					c.check(p, "memory");
				}
		}
	if (cls == bpf::LDX)  // dst == src: the base is replaced by the value
		for (uint8_t r = 0; r <= 9; r++) {
			std::vector<Insn> p;
			init_regs(p);
			set_base(c.m, p, r);
			p.push_back(I(code, r, r, 8, 0));
			dump_and_exit(p);
			c.check(p, "dst == src");
		}
}

// NOSPEC (only the kernel's verifier inserts it) between a store and a
// load of the same slot: no architectural effect.
void test_nospec(Checker &c, uint8_t code) {
	c.flags = VJIT_F_KERNEL;
	for (uint8_t r = 0; r <= 9; r++) {
		std::vector<Insn> p;
		init_regs(p);
		p.push_back(I(bpf::STX | bpf::MEM | bpf::DW, 10, r, -8, 0));
		p.push_back(I(code, 0, 0, 0, 0));
		p.push_back(I(bpf::LDX | bpf::MEM | bpf::DW, (uint8_t)((r + 1) % 10), 10, -8, 0));
		dump_and_exit(p);
		c.check(p, "nospec");
	}
}

class RuleTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RuleTest, AgreesWithInterpreter) {
	static Machine m;
	const Rule<Concrete> &rule = kTable.rules[GetParam()];
	Checker c{m, rule};
	const uint8_t code = rule.code;
	switch (bpf::cls(code)) {
	case bpf::ALU:
	case bpf::ALU64:
		if (bpf::op(code) == bpf::END)
			test_end(c, code, rule.imm);
		else
			test_alu(c, code);
		break;
	case bpf::JMP:
	case bpf::JMP32:
		if (bpf::op(code) == bpf::CALL)
			test_call(c);
		else if (bpf::op(code) == bpf::JA || bpf::op(code) == bpf::EXIT)
			test_ja_exit(c, code);
		else
			test_jmp_cond(c, code);
		break;
	case bpf::LD:
		test_ld_imm64(c);
		break;
	case bpf::ST:
		if (bpf::mode(code) == bpf::NOSPEC)
			test_nospec(c, code);
		else
			test_mem(c, code, rule.imm);
		break;
	default:
		test_mem(c, code, rule.imm);
		break;
	}
	EXPECT_GT(c.runs, 0u);
	EXPECT_EQ(c.failures, 0u) << rule.name << ": " << c.failures << " of " << c.runs << " programs differ";
	RecordProperty("programs", (int)c.runs);
}

std::string rule_test_name(const ::testing::TestParamInfo<size_t> &info) {
	std::string s = kTable.rules[info.param].name;
	for (char &ch : s)
		if (!isalnum((unsigned char)ch))
			ch = '_';
	return s;
}

INSTANTIATE_TEST_SUITE_P(X86_64, RuleTest, ::testing::Range<size_t>(0, kTable.n), rule_test_name);

// Every instruction the semantics defines at the cpu-v4 level (core/isa.h)
// has a rule, keyed by every field that selects it; nothing else does.
TEST(Table, CoversEveryValidOpcode) {
	const int32_t imms[] = {0, 1, 16, 32, 64, bpf::ADD, bpf::AND, bpf::OR, bpf::XOR,
				bpf::ADD | bpf::FETCH, bpf::AND | bpf::FETCH, bpf::OR | bpf::FETCH,
				bpf::XOR | bpf::FETCH, bpf::XCHG, bpf::CMPXCHG};
	const int16_t offs[] = {0, 1, 8, 16, 32};
	unsigned valid = 0;
	for (unsigned code = 0; code < 256; code++)
		for (int16_t off : offs)
			for (int32_t imm : imms) {
				if (off != 0 && !vjit::off_selects((uint8_t)code))
					continue;
				bool v = vjit::semantics_defines((uint8_t)code, off, imm, Isa::V4);
				const Rule<Concrete> *r = kTable.find((uint8_t)code, off, imm);
				valid += v;
				if (v)
					EXPECT_NE(r, nullptr) << "no rule for opcode 0x" << std::hex << code
							      << std::dec << " off " << off << " imm " << imm;
				else
					EXPECT_EQ(r, nullptr) << "rule " << (r ? r->name : "") << " for opcode 0x" << std::hex
							      << code << std::dec << " off " << off << " imm " << imm
							      << ", not an instruction of the semantics";
			}
	EXPECT_GT(valid, 0u);
}

// cpu-v4's forms have rules of their own, never their v3 namesakes': the
// key includes off.
TEST(Table, KeyIncludesSelectingOff) {
	using namespace bpf;
	EXPECT_STREQ(kTable.find(ALU64 | DIV | X, 1, 0)->name, "ALU64 SDIV X");
	EXPECT_STREQ(kTable.find(ALU64 | MOD | K, 1, 7)->name, "ALU64 SMOD K");
	EXPECT_STREQ(kTable.find(ALU64 | MOV | X, 8, 0)->name, "ALU64 MOVSX 8");
	EXPECT_STREQ(kTable.find(ALU | MOV | X, 16, 0)->name, "ALU MOVSX 16");
	EXPECT_STREQ(kTable.find(ALU64 | DIV | X, 0, 0)->name, "ALU64 DIV X");
	EXPECT_STREQ(kTable.find(ALU64 | MOV | X, 0, 0)->name, "ALU64 MOV X");
	EXPECT_EQ(kTable.find(ALU64 | DIV | X, 2, 0), nullptr);
	EXPECT_EQ(kTable.find(ALU | MOV | X, 32, 0), nullptr);
}

TEST(Table, NamesAreUnique) {
	for (size_t i = 0; i < kTable.n; i++)
		for (size_t j = i + 1; j < kTable.n; j++)
			EXPECT_STRNE(kTable.rules[i].name, kTable.rules[j].name);
	EXPECT_EQ(kTable.n, 157u);
}

} // namespace
