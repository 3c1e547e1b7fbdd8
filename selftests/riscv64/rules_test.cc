// SPDX-License-Identifier: GPL-2.0
// Every rule of the riscv64 table against the reference interpreter: the
// JITted code runs under qemu-riscv64-static (one batch per rule), with
// edge values, every register as dst and src (R10 as a source and as a
// base), offsets inside and beyond 12 bits. One test per table entry.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/riscv64/lower.h"
#include "selftests/riscv64/harness.h"

using namespace vjit_test;
using vjit::Concrete;
using vjit::Rule;
namespace bpf = vjit::bpf;
using rv_runner::DATA_BYTES;

namespace {

const vjit::Table<Concrete> kTable = vjit::riscv64::riscv64_table<Concrete>();

const uint64_t kVals[] = {
	0, 1, 7, 0x7f, 0x80, 0xff, 0x8000, 31, 32, 63, 64, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
	0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
	0x8000000080000000ull, 0x0123456789abcdefull, 0xffffffff80000000ull, 0x800, 0xfff,
};
const int32_t kImms[] = {
	0, 1, -1, 7, 31, 32, 63, 0x7ff, 0x800, -0x800, -0x801, 0xfff, 0x7fff, -0x8000, 0x12345678,
	0x12345800, INT32_MAX, INT32_MIN, (int32_t)0x80000001, (int32_t)0xfffff800,
};
const uint8_t kPairs[][2] = {{0, 3}, {3, 0}, {4, 4}, {6, 9}, {5, 10}, {1, 2}};

uint64_t init_val(unsigned r) { return 0x1111111111111111ull * (r + 1) ^ 0x0f0f00f0f0f00ff0ull; }

void init_regs(std::vector<Insn> &p) {
	for (uint8_t r = 0; r <= 9; r++)
		ld_imm64(p, r, init_val(r));
}
// Spill R0-R9 to the stack (compared afterwards), then exit with R0.
void dump_and_exit(std::vector<Insn> &p, bool skip_args = false) {
	for (uint8_t r = 0; r <= 9; r++)
		if (!(skip_args && r >= 1 && r <= 5))
			p.push_back(I(bpf::STX | bpf::MEM | bpf::DW, 10, r, (int16_t)(-8 * (r + 1)), 0));
	p.push_back(exit_insn());
}

// The BPF stack's part of a stack dump (below it: the saved registers).
std::vector<uint8_t> bpf_stack(const std::vector<uint8_t> &dump) {
	return std::vector<uint8_t>(dump.end() - bpf::MAX_BPF_STACK, dump.end());
}

// Collects a rule's programs, runs them all under qemu and in the
// interpreter, and reports the first differences.
struct Checker {
	const Rule<Concrete> &rule;
	std::vector<std::vector<Insn>> progs;
	std::vector<std::string> what;

	void add(std::vector<Insn> p, const std::string &w) {
		progs.push_back(std::move(p));
		what.push_back(w);
	}
	void run() {
		ASSERT_FALSE(progs.empty()) << rule.name << ": no programs";
		std::vector<Job> jobs(progs.size());
		for (size_t i = 0; i < progs.size(); i++) {
			ASSERT_EQ(jit_riscv64(progs[i], &jobs[i].image), 0) << rule.name << " (" << what[i] << "): JIT failed";
			jobs[i].data = data_pattern();
			jobs[i].stack = stack_pattern();
		}
		std::string err;
		ASSERT_TRUE(run_jobs(jobs, &err)) << err;
		unsigned failures = 0;
		for (size_t i = 0; i < jobs.size(); i++) {
			const InterpOut o = interpret(progs[i]);
			const Job &j = jobs[i];
			const bool ok = o.error == vjit::InterpError::NONE && j.status == 0 && j.a0 == o.r0 &&
					j.data_out == o.data && bpf_stack(j.stack_out) == bpf_stack(o.stack);
			if (!ok && failures++ < 3)
				ADD_FAILURE() << rule.name << " (" << what[i] << "): signal " << j.status << " interp "
					      << vjit::interp_error_name(o.error) << std::hex << " native r0=0x" << j.a0
					      << " interp r0=0x" << o.r0 << " stack "
					      << (bpf_stack(j.stack_out) == bpf_stack(o.stack) ? "same" : "DIFFERS") << " data "
					      << (j.data_out == o.data ? "same" : "DIFFERS") << "\n"
					      << disasm(j.image);
		}
		EXPECT_EQ(failures, 0u) << "of " << jobs.size();
	}
};

void test_alu(Checker &c, uint8_t code) {
	const bool x = bpf::srcbit(code) == bpf::X && bpf::op(code) != bpf::END;
	auto prog = [&](uint8_t dst, uint8_t src, uint64_t a, uint64_t b, int32_t imm) {
		std::vector<Insn> p;
		init_regs(p);
		if (src <= 9)
			ld_imm64(p, src, b);
		ld_imm64(p, dst, a);
		p.push_back(I(code, dst, x ? src : 0, c.rule.off, bpf::op(code) == bpf::END ? c.rule.imm : imm));
		dump_and_exit(p);
		return p;
	};
	if (x) {
		for (uint8_t d = 0; d <= 9; d++)
			for (uint8_t s = 0; s <= 10; s++)
				c.add(prog(d, s, 0x0123456789abcdefull, 0x80000005ull + s, 0), "register grid");
		for (auto &rp : kPairs)
			for (uint64_t a : kVals)
				for (uint64_t b : kVals)
					c.add(prog(rp[0], rp[1], a, b, 0), "value grid");
		return;
	}
	const bool no_imm = bpf::op(code) == bpf::NEG || bpf::op(code) == bpf::END;
	for (uint8_t d = 0; d <= 9; d++)
		for (int32_t imm : kImms)
			for (uint64_t a : {0x0123456789abcdefull, 0xffffffffffffffffull, 0x80000000ull, 0x7ull})
				if (!no_imm || imm == 0)
					c.add(prog(d, 0, a, 0, imm), "imm grid");
	for (uint64_t a : kVals)
		for (int32_t imm : kImms)
			if (!no_imm || imm == 0)
				c.add(prog(3, 0, a, 0, imm), "value grid");
}

// if (dst CMP src/imm) R0 = 1 else R0 = 2; near and (with 1100 filler
// instructions, > 4 KiB of code) beyond a branch's reach.
void test_jmp(Checker &c, uint8_t code) {
	const bool x = bpf::srcbit(code) == bpf::X;
	auto prog = [&](uint8_t dst, uint8_t src, uint64_t a, uint64_t b, int32_t imm, int filler) {
		std::vector<Insn> p;
		init_regs(p);
		if (x && src <= 9)
			ld_imm64(p, src, b);
		ld_imm64(p, dst, a);
		p.push_back(I(code, dst, x ? src : 0, (int16_t)(2 + filler), imm));
		p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 2));
		for (int k = 0; k < filler; k++)
			p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1));
		p.push_back(I(bpf::JMP | bpf::JA, 0, 0, 1, 0));
		p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 1));
		dump_and_exit(p);
		return p;
	};
	if (x) {
		for (uint8_t d = 0; d <= 9; d++)
			for (uint8_t s = 0; s <= 10; s++)
				c.add(prog(d, s, 5, 5 + (s & 1), 0, 0), "register grid");
		for (uint64_t a : kVals)
			for (uint64_t b : kVals)
				c.add(prog(1, 2, a, b, 0, 0), "value grid");
		for (uint64_t a : {0ull, 0x80000000ull, 0xffffffffffffffffull})
			c.add(prog(1, 2, a, 0x80000000ull, 0, 1100), "beyond a branch's reach");
		return;
	}
	for (uint64_t a : kVals)
		for (int32_t imm : kImms)
			c.add(prog(3, 0, a, 0, imm, 0), "value grid");
	for (uint8_t d = 0; d <= 9; d++)
		c.add(prog(d, 0, (uint64_t)(int64_t)-1, 0, -1, 0), "register grid");
	c.add(prog(1, 0, 0x80000000ull, 0, INT32_MIN, 1100), "beyond a branch's reach");
}

// Loads, stores and atomics on the BPF stack (R10) and on the ctx (R1),
// offsets inside and beyond 12 bits (the ctx is 4 KiB).
void test_mem(Checker &c, uint8_t code, int32_t key_imm) {
	const bool st = bpf::cls(code) == bpf::ST, ldx = bpf::cls(code) == bpf::LDX;
	const bool atomic = bpf::mode(code) == bpf::ATOMIC;
	struct Base { uint8_t reg; int16_t off; };
	const Base bases[] = {{10, -8}, {10, -512}, {10, -64}, {1, 0}, {1, 2040}, {1, 2048}, {1, 4000}, {1, 16}};
	const int n = bpf::size(code) == bpf::B ? 1 : bpf::size(code) == bpf::H ? 2 : bpf::size(code) == bpf::W ? 4 : 8;
	for (const Base &b : bases) {
		for (uint8_t r = 0; r <= 9; r++) {
			for (uint64_t v : {0x8091a2b3c4d5e6f7ull, 0x0123456789abcdefull, 0ull}) {
				if ((r == 1 && b.reg == 1) || (atomic && r == 0 && key_imm == bpf::CMPXCHG && v == 0))
					continue;
				std::vector<Insn> p;
				init_regs(p);
				ld_imm64(p, 1, rv_runner::DATA_ADDR);  // R1: the ctx again
				ld_imm64(p, r, v);
				int16_t off = b.off;
				if (b.reg == 10 && n > 1)
					off = (int16_t)(off & ~(n - 1));
				// cmpxchg: R0 = what memory holds (the exchange happens), or
				// that plus one (it does not).
				if (atomic && key_imm == bpf::CMPXCHG) {
					p.push_back(I(bpf::LDX | bpf::MEM | (uint8_t)bpf::size(code), 0, b.reg, off, 0));
					if (v == 0)
						p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1));
				}
				if (ldx)
					p.push_back(I(code, r, b.reg, off, 0));
				else if (st)
					p.push_back(I(code, b.reg, 0, off, (int32_t)v));
				else
					p.push_back(I(code, b.reg, r, off, key_imm));
				dump_and_exit(p);
				c.add(p, "base R" + std::to_string(b.reg) + " off " + std::to_string(off) + " reg R" + std::to_string(r));
			}
		}
	}
}

void test_ld_imm64(Checker &c) {
	for (uint8_t d = 0; d <= 9; d++)
		for (uint64_t v : kVals) {
			std::vector<Insn> p;
			init_regs(p);
			ld_imm64(p, d, v);
			ld_imm64(p, d, v ^ 0xfffff800fffff800ull);
			dump_and_exit(p);
			c.add(p, "value");
		}
}

void test_call(Checker &c) {
	for (int32_t imm : {helper_mix_imm(), helper_ret7_imm()}) {
		std::vector<Insn> p;
		init_regs(p);
		p.push_back(I(bpf::JMP | bpf::CALL, 0, 0, 0, imm));
		dump_and_exit(p, true);
		c.add(p, "helper");
	}
}

void test_flow(Checker &c, uint8_t code) {
	std::vector<Insn> p;
	init_regs(p);
	if (code == (bpf::JMP | bpf::EXIT)) {
		p.push_back(exit_insn());
	} else {
		const bool gotol = code == (bpf::JMP32 | bpf::JA);
		p.push_back(I(code, 0, 0, gotol ? 0 : 1, gotol ? 1 : 0));
		p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 99));
	}
	dump_and_exit(p);
	c.add(p, "flow");
	if (code == (bpf::JMP | bpf::JA) || code == (bpf::JMP32 | bpf::JA)) {
		std::vector<Insn> q;
		init_regs(q);
		const bool gotol = code == (bpf::JMP32 | bpf::JA);
		q.push_back(I(code, 0, 0, gotol ? 0 : 1200, gotol ? 1200 : 0));
		for (int k = 0; k < 1200; k++)
			q.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1));
		dump_and_exit(q);
		c.add(q, "beyond a jal's 12-bit neighbourhood");
	}
}

class Riscv64Rule : public ::testing::TestWithParam<size_t> {};

TEST_P(Riscv64Rule, MatchesInterpreterUnderQemu) {
	const Rule<Concrete> &r = kTable.rules[GetParam()];
	Checker c{r, {}, {}};
	const uint8_t code = r.code;
	if (code == (bpf::LD | bpf::IMM | bpf::DW))
		test_ld_imm64(c);
	else if (code == (bpf::JMP | bpf::CALL))
		test_call(c);
	else if (code == (bpf::JMP | bpf::EXIT) || code == (bpf::JMP | bpf::JA) || code == (bpf::JMP32 | bpf::JA))
		test_flow(c, code);
	else if (code == (bpf::ST | bpf::NOSPEC))
		test_flow(c, bpf::JMP | bpf::EXIT);
	else if (bpf::is_alu(code))
		test_alu(c, code);
	else if (bpf::is_jmp(code))
		test_jmp(c, code);
	else
		test_mem(c, code, r.imm);
	c.run();
}

std::string rule_name(const ::testing::TestParamInfo<size_t> &i) {
	std::string n = kTable.rules[i.param].name;
	for (char &ch : n)
		if (!isalnum((unsigned char)ch))
			ch = '_';
	return n;
}

INSTANTIATE_TEST_SUITE_P(Table, Riscv64Rule, ::testing::Range<size_t>(0, kTable.n), rule_name);

} // namespace
