// SPDX-License-Identifier: GPL-2.0
// The classic BPF semantics (core/cbpf_semantics.h): concrete corner cases,
// and the symbolic instance agreeing with the concrete one.
#include <gtest/gtest.h>

#include "helpers.h"
#include "verifier/symbolic.h"

using namespace vjit;
using scpl_test::Data;
using scpl_test::data;

namespace {

ClassicInsn S(uint16_t code, uint32_t k) { return {code, 0, 0, k}; }
ClassicInsn J(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return {code, jt, jf, k}; }
constexpr uint16_t LDW = bpf::LD | bpf::W | bpf::ABS, RETK = cbpf::RET, RETA = cbpf::RET | cbpf::RVAL_A;

uint32_t run(const std::vector<ClassicInsn> &p, const Data &d, uint32_t *n = nullptr) {
	return scpl::run_filter(p, d, n);
}

TEST(CbpfSemantics, AluOnLoadedWords) {
	// A = (nr + 3) * 5 ^ 0xff, returned
	std::vector<ClassicInsn> p = {S(LDW, 0), S(bpf::ALU | bpf::ADD, 3), S(bpf::ALU | bpf::MUL, 5),
				      S(bpf::ALU | bpf::XOR, 0xff), S(RETA, 0)};
	uint32_t n;
	EXPECT_EQ(run(p, data(7), &n), ((7u + 3) * 5) ^ 0xff);
	EXPECT_EQ(n, 5u);
}

TEST(CbpfSemantics, DivisionByZeroXReturnsZero) {
	// X = arg0.lo; A = 100 / X; return A + 1
	std::vector<ClassicInsn> p = {S(LDW, 16), S(cbpf::MISC | cbpf::TAX, 0),
				      S(bpf::LD | bpf::IMM, 100), S(bpf::ALU | bpf::DIV | bpf::X, 0),
				      S(bpf::ALU | bpf::ADD, 1), S(RETA, 0)};
	EXPECT_EQ(run(p, data(0, 7)), 100u / 7 + 1);
	EXPECT_EQ(run(p, data(0, 0)), 0u);
}

TEST(CbpfSemantics, ScratchMemoryAndShifts) {
	// M[3] = nr << 4; A = arch; A = M[3] >> 2
	std::vector<ClassicInsn> p = {S(LDW, 0), S(bpf::ALU | bpf::LSH, 4), S(bpf::ST, 3), S(LDW, 4),
				      S(bpf::LD | bpf::W | bpf::MEM, 3), S(bpf::ALU | bpf::RSH, 2), S(RETA, 0)};
	EXPECT_EQ(run(p, data(0x11)), (0x11u << 4) >> 2);
}

TEST(CbpfSemantics, JumpsTakeTheRightBranch) {
	// jset 0x4 on arg0.lo -> 1 else (jgt 10 -> 2 else 3)
	std::vector<ClassicInsn> p = {S(LDW, 16), J(bpf::JMP | bpf::JSET, 4, 0, 1), S(RETK, 1),
				      J(bpf::JMP | bpf::JGT, 10, 0, 1), S(RETK, 2), S(RETK, 3)};
	EXPECT_EQ(run(p, data(0, 4)), 1u);
	EXPECT_EQ(run(p, data(0, 11)), 2u);
	EXPECT_EQ(run(p, data(0, 10)), 3u);
}

TEST(CbpfSemantics, SeccompRefusesShortAndUnalignedLoads) {
	EXPECT_EQ(run({S(bpf::LD | bpf::H | bpf::ABS, 0), S(RETK, 9)}, data(1)), 0u);
	EXPECT_EQ(run({S(LDW, 2), S(RETK, 9)}, data(1)), 0u);
	EXPECT_EQ(run({S(LDW, 64), S(RETK, 9)}, data(1)), 0u);
	EXPECT_EQ(run({S(bpf::LD | bpf::W | cbpf::LEN, 0), S(RETA, 0)}, data(1)), 64u);
	EXPECT_NE(scpl::seccomp_check({S(LDW, 2), S(RETK, 9)}), "");
	EXPECT_NE(scpl::seccomp_check({S(LDW, 0)}), ""); // no final return
	EXPECT_EQ(scpl::seccomp_check({S(LDW, 0), S(RETK, 9)}), "");
}

TEST(CbpfSemantics, InvalidProgramsAreRefused) {
	Data d = data(1);
	scpl::SeccompEnv<Concrete> env{d};
	uint32_t r;
	std::vector<ClassicInsn> divk0 = {S(bpf::ALU | bpf::DIV, 0), S(RETK, 1)};
	EXPECT_FALSE(cbpf_run(divk0.data(), 2, env, &r, nullptr));
	std::vector<ClassicInsn> far = {J(bpf::JMP | bpf::JEQ, 0, 5, 0), S(RETK, 1)};
	EXPECT_FALSE(cbpf_run(far.data(), 2, env, &r, nullptr));
	std::vector<CbpfPending<Concrete>> work(2);
	CBV<32> out;
	EXPECT_FALSE(cbpf_meaning<Concrete>(far.data(), 2, env, work.data(), &out));
}

// The symbolic meaning of a branching program equals, for every input, a
// formula written directly; and its model agrees with the interpreter.
TEST(CbpfSemantics, SymbolicMeaningMatchesDirectFormula) {
	std::vector<ClassicInsn> p = {S(LDW, 0), J(bpf::JMP | bpf::JGE, 100, 0, 2),
				      S(bpf::ALU | bpf::AND, 0xf), S(RETA, 0), S(LDW, 20), S(RETA, 0)};
	scpl::SeccompData<Symbolic> d;
	d.nr = SBV<32>::var("nr");
	d.arch = SBV<32>::var("arch");
	d.ip = SBV<64>::var("ip");
	for (int i = 0; i < 6; i++)
		d.args[i] = SBV<64>::var("a" + std::to_string(i));
	scpl::SeccompEnv<Symbolic> env{d};
	std::vector<CbpfPending<Symbolic>> work(p.size());
	SBV<32> out;
	ASSERT_TRUE(cbpf_meaning<Symbolic>(p.data(), (uint32_t)p.size(), env, work.data(), &out));
	z3::expr expect = z3::ite(z3::uge(d.nr.e, sym_ctx().bv_val(100, 32)), d.nr.e & sym_ctx().bv_val(0xf, 32),
				  d.args[0].e.extract(63, 32));
	z3::solver s(sym_ctx());
	s.add(out.e != expect);
	EXPECT_EQ(s.check(), z3::unsat);
	// and a wrong formula is refuted
	z3::solver s2(sym_ctx());
	s2.add(out.e != (d.nr.e & sym_ctx().bv_val(0xf, 32)));
	ASSERT_EQ(s2.check(), z3::sat);
	uint64_t nr = s2.get_model().eval(d.nr.e, true).get_numeral_uint64();
	uint64_t a0 = s2.get_model().eval(d.args[0].e, true).get_numeral_uint64();
	EXPECT_EQ(run(p, data((uint32_t)nr, a0)), nr >= 100 ? (nr & 0xf) : (uint32_t)(a0 >> 32));
	EXPECT_NE(run(p, data((uint32_t)nr, a0)), nr & 0xf);
}

} // namespace
