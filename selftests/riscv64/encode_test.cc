// SPDX-License-Identifier: GPL-2.0
// Every riscv64 encoder against binutils: each case is an instruction in
// assembler syntax and the word vjit's encoder emits for it; the whole
// list goes through riscv64-linux-gnu-as (RV64IMA, no compressed) and the
// words must be the same, in order. Operands: every register in each
// field, immediates at the edges of their ranges and random ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "arch/riscv64/lower.h"
#include "selftests/riscv64/binutils.h"

using namespace vjit;
using namespace vjit::riscv64;

namespace {

using C = Concrete;
using R = CBV<5>;

struct Case {
	std::string text;
	uint32_t word;
};

const char *const kRegNames[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
				   "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
				   "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

template <typename F>
uint32_t word_of(F emit) {
	uint8_t buf[4] = {};
	JitCtx<C> c;
	c.buf = buf;
	c.cap = 4;
	emit(c);
	EXPECT_EQ(c.len, 4u);
	return (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
}

std::string rn(unsigned r) { return kRegNames[r & 31]; }

struct Cases {
	std::vector<Case> v;
	std::mt19937 rng{12};
	unsigned reg() { return rng() % 32; }
	int32_t simm(unsigned bits) { return (int32_t)(rng() % (1u << bits)) - (1 << (bits - 1)); }
	template <typename F>
	void add(const std::string &t, F emit) { v.push_back(Case{t, word_of(emit)}); }
};

void r_forms(Cases &cs) {
	struct { ROp op; const char *name; } ops[] = {
		{ROp::ADD, "add"}, {ROp::SUB, "sub"}, {ROp::SLL, "sll"}, {ROp::SLT, "slt"}, {ROp::SLTU, "sltu"},
		{ROp::XOR, "xor"}, {ROp::SRL, "srl"}, {ROp::SRA, "sra"}, {ROp::OR, "or"}, {ROp::AND, "and"},
		{ROp::MUL, "mul"}, {ROp::DIV, "div"}, {ROp::DIVU, "divu"}, {ROp::REM, "rem"}, {ROp::REMU, "remu"},
	};
	for (auto &o : ops)
		for (unsigned i = 0; i < 32; i++) {
			unsigned d = i, a = (i * 7 + 3) % 32, b = (i * 13 + 5) % 32;
			cs.add(std::string(o.name) + " " + rn(d) + "," + rn(a) + "," + rn(b),
			       [&](JitCtx<C> &c) { rv_op<C>(c, o.op, R(d), R(a), R(b)); });
			const bool has_w = o.op != ROp::SLT && o.op != ROp::SLTU && o.op != ROp::XOR && o.op != ROp::OR &&
					   o.op != ROp::AND;
			if (has_w)
				cs.add(std::string(o.name) + "w " + rn(b) + "," + rn(d) + "," + rn(a),
				       [&](JitCtx<C> &c) { rv_opw<C>(c, o.op, R(b), R(d), R(a)); });
		}
}

void i_forms(Cases &cs) {
	struct { IOp op; const char *name; } ops[] = {
		{IOp::ADDI, "addi"}, {IOp::SLTI, "slti"}, {IOp::SLTIU, "sltiu"},
		{IOp::XORI, "xori"}, {IOp::ORI, "ori"}, {IOp::ANDI, "andi"},
	};
	const int32_t edges[] = {0, 1, -1, 2047, -2048, 0x7ff, 0x800 - 1, -0x7ff};
	for (auto &o : ops) {
		for (int32_t imm : edges) {
			unsigned d = cs.reg(), a = cs.reg();
			cs.add(std::string(o.name) + " " + rn(d) + "," + rn(a) + "," + std::to_string(imm),
			       [&](JitCtx<C> &c) { rv_opi<C>(c, o.op, R(d), R(a), CBV<12>((uint32_t)imm)); });
		}
		for (int k = 0; k < 32; k++) {
			unsigned d = k, a = cs.reg();
			int32_t imm = cs.simm(12);
			cs.add(std::string(o.name) + " " + rn(d) + "," + rn(a) + "," + std::to_string(imm),
			       [&](JitCtx<C> &c) { rv_opi<C>(c, o.op, R(d), R(a), CBV<12>((uint32_t)imm)); });
		}
	}
	for (int k = 0; k < 32; k++) {
		unsigned d = cs.reg(), a = k;
		int32_t imm = k == 0 ? -2048 : k == 1 ? 2047 : cs.simm(12);
		cs.add("addiw " + rn(d) + "," + rn(a) + "," + std::to_string(imm),
		       [&](JitCtx<C> &c) { rv_addiw<C>(c, R(d), R(a), CBV<12>((uint32_t)imm)); });
	}
	struct { ShOp op; const char *name; } sh[] = {{ShOp::SLL, "sll"}, {ShOp::SRL, "srl"}, {ShOp::SRA, "sra"}};
	for (auto &o : sh)
		for (unsigned n = 0; n < 64; n++) {
			unsigned d = cs.reg(), a = cs.reg();
			cs.add(std::string(o.name) + "i " + rn(d) + "," + rn(a) + "," + std::to_string(n),
			       [&](JitCtx<C> &c) { rv_shifti<C>(c, o.op, R(d), R(a), CBV<6>(n)); });
			if (n < 32)
				cs.add(std::string(o.name) + "iw " + rn(a) + "," + rn(d) + "," + std::to_string(n),
				       [&](JitCtx<C> &c) { rv_shiftiw<C>(c, o.op, R(a), R(d), CBV<5>(n)); });
		}
}

void u_j_b_forms(Cases &cs) {
	const uint32_t u_edges[] = {0, 1, 0x7ffff, 0x80000, 0xfffff, 0x12345};
	for (uint32_t imm : u_edges)
		for (unsigned d : {0u, 1u, 6u, 15u, 31u}) {
			char hex[16];
			snprintf(hex, sizeof hex, "0x%x", imm);
			cs.add("lui " + rn(d) + "," + hex, [&](JitCtx<C> &c) { rv_lui<C>(c, R(d), CBV<20>(imm)); });
			cs.add("auipc " + rn(d) + "," + hex, [&](JitCtx<C> &c) { rv_auipc<C>(c, R(d), CBV<20>(imm)); });
		}
	// Offsets relative to the instruction itself: `.+off` in gas.
	const int32_t j_edges[] = {0, 2, -2, 4, -4, 0xffffe, -0x100000, 2048, -2048, 0x7fe, 0x800};
	for (int32_t off : j_edges)
		for (unsigned d : {0u, 1u, 5u, 31u})
			cs.add("jal " + rn(d) + ",.+" + std::to_string(off),
			       [&](JitCtx<C> &c) { rv_jal<C>(c, R(d), CBV<21>((uint32_t)off)); });
	for (int k = 0; k < 40; k++) {
		int32_t off = cs.simm(21) & ~1;
		unsigned d = cs.reg();
		cs.add("jal " + rn(d) + ",.+" + std::to_string(off),
		       [&](JitCtx<C> &c) { rv_jal<C>(c, R(d), CBV<21>((uint32_t)off)); });
	}
	for (int k = 0; k < 32; k++) {
		unsigned d = cs.reg(), a = k;
		int32_t imm = k == 0 ? -2048 : k == 1 ? 2047 : cs.simm(12);
		cs.add("jalr " + rn(d) + "," + std::to_string(imm) + "(" + rn(a) + ")",
		       [&](JitCtx<C> &c) { rv_jalr<C>(c, R(d), R(a), CBV<12>((uint32_t)imm)); });
	}
	struct { BrCond cc; const char *name; } br[] = {
		{BrCond::EQ, "beq"}, {BrCond::NE, "bne"}, {BrCond::LT, "blt"},
		{BrCond::GE, "bge"}, {BrCond::LTU, "bltu"}, {BrCond::GEU, "bgeu"},
	};
	const int32_t b_edges[] = {0, 2, -2, 8, 12, -12, 4094, -4096, 2048, -2048, 0x7fe};
	for (auto &b : br) {
		for (int32_t off : b_edges) {
			unsigned a = cs.reg(), s = cs.reg();
			cs.add(std::string(b.name) + " " + rn(a) + "," + rn(s) + ",.+" + std::to_string(off),
			       [&](JitCtx<C> &c) { rv_branch<C>(c, b.cc, R(a), R(s), CBV<13>((uint32_t)off)); });
		}
		for (int k = 0; k < 16; k++) {
			unsigned a = cs.reg(), s = cs.reg();
			int32_t off = cs.simm(13) & ~1;
			cs.add(std::string(b.name) + " " + rn(a) + "," + rn(s) + ",.+" + std::to_string(off),
			       [&](JitCtx<C> &c) { rv_branch<C>(c, b.cc, R(a), R(s), CBV<13>((uint32_t)off)); });
		}
	}
}

void mem_forms(Cases &cs) {
	struct { Width w; bool u; const char *name; } lds[] = {
		{Width::B, false, "lb"}, {Width::H, false, "lh"}, {Width::W, false, "lw"}, {Width::D, false, "ld"},
		{Width::B, true, "lbu"}, {Width::H, true, "lhu"}, {Width::W, true, "lwu"},
	};
	for (auto &l : lds)
		for (int k = 0; k < 12; k++) {
			unsigned d = cs.reg(), a = cs.reg();
			int32_t imm = k == 0 ? -2048 : k == 1 ? 2047 : cs.simm(12);
			cs.add(std::string(l.name) + " " + rn(d) + "," + std::to_string(imm) + "(" + rn(a) + ")",
			       [&](JitCtx<C> &c) { rv_load<C>(c, l.w, l.u, R(d), R(a), CBV<12>((uint32_t)imm)); });
		}
	struct { Width w; const char *name; } sts[] = {{Width::B, "sb"}, {Width::H, "sh"}, {Width::W, "sw"}, {Width::D, "sd"}};
	for (auto &s : sts)
		for (int k = 0; k < 12; k++) {
			unsigned v = cs.reg(), a = cs.reg();
			int32_t imm = k == 0 ? -2048 : k == 1 ? 2047 : cs.simm(12);
			cs.add(std::string(s.name) + " " + rn(v) + "," + std::to_string(imm) + "(" + rn(a) + ")",
			       [&](JitCtx<C> &c) { rv_store<C>(c, s.w, R(v), R(a), CBV<12>((uint32_t)imm)); });
		}
	struct { AmoOp op; const char *name; } amos[] = {
		{AmoOp::ADD, "amoadd"}, {AmoOp::SWAP, "amoswap"}, {AmoOp::XOR, "amoxor"},
		{AmoOp::OR, "amoor"}, {AmoOp::AND, "amoand"},
	};
	const char *ord[] = {"", ".rl", ".aq", ".aqrl"};
	for (auto &a : amos)
		for (Width w : {Width::W, Width::D})
			for (unsigned o = 0; o < 4; o++) {
				unsigned d = cs.reg(), b = cs.reg(), s = cs.reg();
				cs.add(std::string(a.name) + (w == Width::W ? ".w" : ".d") + ord[o] + " " + rn(d) + "," +
					       rn(s) + ",(" + rn(b) + ")",
				       [&](JitCtx<C> &c) { rv_amo<C>(c, a.op, (Order)o, w, R(d), R(b), R(s)); });
			}
	for (Width w : {Width::W, Width::D})
		for (unsigned o = 0; o < 4; o++) {
			unsigned d = cs.reg(), b = cs.reg(), s = cs.reg();
			const std::string wn = w == Width::W ? ".w" : ".d";
			cs.add("lr" + wn + ord[o] + " " + rn(d) + ",(" + rn(b) + ")",
			       [&](JitCtx<C> &c) { rv_amo<C>(c, AmoOp::LR, (Order)o, w, R(d), R(b), R(0)); });
			cs.add("sc" + wn + ord[o] + " " + rn(d) + "," + rn(s) + ",(" + rn(b) + ")",
			       [&](JitCtx<C> &c) { rv_amo<C>(c, AmoOp::SC, (Order)o, w, R(d), R(b), R(s)); });
		}
	cs.add("fence rw,rw", [&](JitCtx<C> &c) { rv_fence<C>(c, 3, 3); });
	cs.add("fence r,rw", [&](JitCtx<C> &c) { rv_fence<C>(c, 2, 3); });
	cs.add("addi zero,zero,0", [&](JitCtx<C> &c) { rv_nop<C>(c); });
}

TEST(Riscv64Encode, EveryFormMatchesBinutils) {
	Cases cs;
	r_forms(cs);
	i_forms(cs);
	u_j_b_forms(cs);
	mem_forms(cs);
	std::vector<std::string> lines;
	for (const Case &c : cs.v)
		lines.push_back(c.text);
	std::vector<uint32_t> words;
	std::string err;
	ASSERT_TRUE(vjit_test::rv_assemble(lines, &words, &err)) << err;
	ASSERT_EQ(words.size(), cs.v.size());
	unsigned bad = 0;
	for (size_t i = 0; i < cs.v.size(); i++)
		if (words[i] != cs.v[i].word && bad++ < 20)
			ADD_FAILURE() << cs.v[i].text << ": vjit " << std::hex << cs.v[i].word << ", binutils " << words[i];
	EXPECT_EQ(bad, 0u) << "of " << cs.v.size() << " cases";
}

// An encoder field off by one is caught: the same comparison on a word
// with one bit flipped fails.
TEST(Riscv64Encode, ComparisonDetectsAFlippedBit) {
	std::vector<uint32_t> words;
	std::string err;
	ASSERT_TRUE(vjit_test::rv_assemble({"add a0,a1,a2"}, &words, &err)) << err;
	uint32_t ours = word_of([](JitCtx<C> &c) { rv_op<C>(c, ROp::ADD, R(A0), R(A1), R(A2)); });
	EXPECT_EQ(words.at(0), ours);
	EXPECT_NE(words.at(0), ours ^ (1u << 15));
}

} // namespace
