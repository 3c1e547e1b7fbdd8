// SPDX-License-Identifier: GPL-2.0
// The reference interpreter, opcode by opcode, at edge values. Every
// expected value is written from Linux 6.1's interpreter (kernel/bpf/core.c)
// after the verifier's rewrites (do_misc_fixups for division by zero), not
// computed by the code under test.
#include <gtest/gtest.h>

#include <vector>

#include "core/interp.h"
#include "selftests/unit/bpf_asm.h"

using namespace vjit;
using namespace vjit::asm_;

namespace {

constexpr uint64_t I64_MIN = 0x8000000000000000ull;

struct Interp {
	std::vector<uint8_t> stack = std::vector<uint8_t>(INTERP_STACK_BYTES);
	std::vector<MemRegion> regions;
	std::vector<HelperEntry> helpers;
	uint64_t ctx = 0;
	uint64_t max_steps = 1u << 20;

	InterpResult operator()(std::vector<Insn> p) {
		InterpConfig cfg;
		cfg.regions = regions.data();
		cfg.n_regions = regions.size();
		cfg.helpers = helpers.data();
		cfg.n_helpers = helpers.size();
		cfg.stack = stack.data();
		cfg.max_steps = max_steps;
		return interp_run(p.data(), (uint32_t)p.size(), ctx, cfg);
	}
};

// R0 after: r0 = a (64-bit), then `in` with r1 = b, then exit.
uint64_t alu(Insn in, uint64_t a, uint64_t b) {
	std::vector<Insn> p;
	ld_imm64(p, R0, a);
	ld_imm64(p, R1, b);
	p.push_back(in);
	p.push_back(exit_());
	InterpResult r = Interp()(p);
	EXPECT_EQ(r.error, InterpError::NONE) << interp_error_name(r.error);
	return r.r0;
}

// 1 when the jump is taken.
uint64_t taken(Insn j, uint64_t a, uint64_t b) {
	std::vector<Insn> p;
	ld_imm64(p, R2, a);
	ld_imm64(p, R3, b);
	p.push_back(mov64_imm(R0, 0));
	j.off = 1;
	p.push_back(j);
	p.push_back(exit_());
	p.push_back(mov64_imm(R0, 1));
	p.push_back(exit_());
	InterpResult r = Interp()(p);
	EXPECT_EQ(r.error, InterpError::NONE);
	return r.r0;
}

TEST(InterpAlu, DivisionIsUnsigned) {
	// INT64_MIN / -1 as u64: 2^63 / (2^64 - 1) = 0 (6.1 has no signed div).
	EXPECT_EQ(alu(alu64_reg(DIV, R0, R1), I64_MIN, ~0ull), 0u);
	EXPECT_EQ(alu(alu64_imm(DIV, R0, -1), I64_MIN, 0), 0u);
	EXPECT_EQ(alu(alu64_reg(MOD, R0, R1), I64_MIN, ~0ull), I64_MIN);
	EXPECT_EQ(alu(alu64_imm(DIV, R0, -2), ~0ull, 0), 1u);  // imm sign-extended
	// INT_MIN / -1 on 32 bits: 0x80000000 / 0xffffffff = 0.
	EXPECT_EQ(alu(alu32_reg(DIV, R0, R1), 0x80000000, 0xffffffff), 0u);
	EXPECT_EQ(alu(alu32_reg(MOD, R0, R1), 0x80000000, 0xffffffff), 0x80000000u);
	EXPECT_EQ(alu(alu32_imm(DIV, R0, -1), 0xffffffff, 0), 1u);
	// ALU32 uses only the low halves of both operands.
	EXPECT_EQ(alu(alu32_reg(DIV, R0, R1), 0x500000064ull, 0x700000005ull), 20u);
	EXPECT_EQ(alu(alu32_reg(MOD, R0, R1), 0x500000064ull, 0x700000007ull), 2u);
}

TEST(InterpAlu, DivisionByZero) {
	// do_misc_fixups: x / 0 = 0; x % 0 = x (ALU32: low half, zero-extended).
	EXPECT_EQ(alu(alu64_reg(DIV, R0, R1), 1234, 0), 0u);
	EXPECT_EQ(alu(alu32_reg(DIV, R0, R1), 1234, 0), 0u);
	EXPECT_EQ(alu(alu64_reg(MOD, R0, R1), 0xdeadbeef12345678ull, 0), 0xdeadbeef12345678ull);
	EXPECT_EQ(alu(alu32_reg(MOD, R0, R1), 0xdeadbeef12345678ull, 0), 0x12345678u);
	// A 32-bit divisor of zero with high bits set is zero for ALU32.
	EXPECT_EQ(alu(alu32_reg(DIV, R0, R1), 77, 0x100000000ull), 0u);
	EXPECT_EQ(alu(alu32_reg(MOD, R0, R1), 0xffffffff00000077ull, 0x100000000ull), 0x77u);
	// ... but not for ALU64.
	EXPECT_EQ(alu(alu64_reg(DIV, R0, R1), 0x300000000ull, 0x100000000ull), 3u);
}

TEST(InterpAlu, Shifts) {
	EXPECT_EQ(alu(alu64_imm(LSH, R0, 63), 1, 0), I64_MIN);
	EXPECT_EQ(alu(alu64_imm(RSH, R0, 63), I64_MIN, 0), 1u);
	EXPECT_EQ(alu(alu64_imm(ARSH, R0, 63), I64_MIN, 0), ~0ull);
	EXPECT_EQ(alu(alu32_imm(LSH, R0, 31), 1, 0), 0x80000000u);
	EXPECT_EQ(alu(alu32_imm(ARSH, R0, 31), 0x80000000, 0), 0xffffffffu);  // zext
	EXPECT_EQ(alu(alu32_imm(RSH, R0, 31), 0xffffffff80000000ull, 0), 1u);
	// Register shift amounts are masked: & 63 (ALU64), & 31 (ALU32).
	EXPECT_EQ(alu(alu64_reg(LSH, R0, R1), 5, 64), 5u);
	EXPECT_EQ(alu(alu64_reg(LSH, R0, R1), 5, 65), 10u);
	EXPECT_EQ(alu(alu32_reg(LSH, R0, R1), 0xffffffff00000005ull, 32), 5u);
	EXPECT_EQ(alu(alu32_reg(RSH, R0, R1), 0x80000000, 63), 1u);
	EXPECT_EQ(alu(alu32_reg(ARSH, R0, R1), 0x80000000, 32 + 4), 0xf8000000u);
	EXPECT_EQ(alu(alu64_reg(ARSH, R0, R1), I64_MIN, 64 + 60), 0xfffffffffffffff8ull);
}

TEST(InterpAlu, ImmediatesAndZeroExtension) {
	EXPECT_EQ(alu(mov64_imm(R0, -1), 0, 0), ~0ull);
	EXPECT_EQ(alu(mov32_imm(R0, -1), 0, 0), 0xffffffffu);
	EXPECT_EQ(alu(alu64_imm(ADD, R0, -1), 0, 0), ~0ull);
	EXPECT_EQ(alu(alu32_imm(ADD, R0, 1), 0xffffffff00000001ull, 0), 2u);
	EXPECT_EQ(alu(alu32_imm(ADD, R0, 1), 0xffffffff, 0), 0u);  // wraps, no carry out
	EXPECT_EQ(alu(alu64_imm(AND, R0, -2), ~0ull, 0), ~1ull);
	EXPECT_EQ(alu(alu64_imm(OR, R0, (int32_t)0x80000000), 0, 0), 0xffffffff80000000ull);
	EXPECT_EQ(alu(alu32_imm(OR, R0, (int32_t)0x80000000), 0, 0), 0x80000000u);
	EXPECT_EQ(alu(alu64_imm(XOR, R0, -1), 0x1234, 0), ~0x1234ull);
	EXPECT_EQ(alu(alu64_reg(SUB, R0, R1), 0, 1), ~0ull);
	EXPECT_EQ(alu(alu32_reg(SUB, R0, R1), 0, 1), 0xffffffffu);
	EXPECT_EQ(alu(alu64_reg(MUL, R0, R1), 0x100000001ull, 0x100000001ull), 0x200000001ull);
	EXPECT_EQ(alu(alu32_reg(MUL, R0, R1), 0x10000, 0x10000), 0u);
	EXPECT_EQ(alu(alu32_reg(MOV, R0, R1), 0, 0xaaaaaaaabbbbbbbbull), 0xbbbbbbbbu);
	EXPECT_EQ(alu(alu64_reg(MOV, R0, R1), 0, 0xaaaaaaaabbbbbbbbull), 0xaaaaaaaabbbbbbbbull);
	EXPECT_EQ(alu(alu32_imm(NEG, R0, 0), 0x100000000ull, 0), 0u);
	EXPECT_EQ(alu(alu32_imm(NEG, R0, 0), 1, 0), 0xffffffffu);
	EXPECT_EQ(alu(alu64_imm(NEG, R0, 0), 1, 0), ~0ull);
	EXPECT_EQ(alu(alu64_imm(NEG, R0, 0), I64_MIN, 0), I64_MIN);
}

TEST(InterpAlu, Endianness) {
	const uint64_t v = 0x1122334455667788ull;
	EXPECT_EQ(alu(endian(TO_BE, R0, 16), v, 0), 0x8877u);
	EXPECT_EQ(alu(endian(TO_BE, R0, 32), v, 0), 0x88776655u);
	EXPECT_EQ(alu(endian(TO_BE, R0, 64), v, 0), 0x8877665544332211ull);
	EXPECT_EQ(alu(endian(TO_LE, R0, 16), v, 0), 0x7788u);
	EXPECT_EQ(alu(endian(TO_LE, R0, 32), v, 0), 0x55667788u);
	EXPECT_EQ(alu(endian(TO_LE, R0, 64), v, 0), v);
}

TEST(InterpJmp, SignednessAndWidth) {
	const uint64_t m1_32 = 0xffffffffull;  // -1 as s32, 4294967295 as s64
	EXPECT_EQ(taken(jmp_imm(JSGT, R2, 0, 0), m1_32, 0), 1u);
	EXPECT_EQ(taken(jmp32_imm(JSGT, R2, 0, 0), m1_32, 0), 0u);
	// imm is sign-extended to 64 bits for JMP, used as 32 bits for JMP32.
	EXPECT_EQ(taken(jmp_imm(JEQ, R2, -1, 0), m1_32, 0), 0u);
	EXPECT_EQ(taken(jmp_imm(JEQ, R2, -1, 0), ~0ull, 0), 1u);
	EXPECT_EQ(taken(jmp32_imm(JEQ, R2, -1, 0), m1_32, 0), 1u);
	EXPECT_EQ(taken(jmp_imm(JGT, R2, -1, 0), 5, 0), 0u);   // 5 > 2^64-1? no
	EXPECT_EQ(taken(jmp_imm(JSGT, R2, -1, 0), 5, 0), 1u);
	EXPECT_EQ(taken(jmp32_imm(JGT, R2, 0, 0), 0x100000000ull, 0), 0u);  // low half 0
	EXPECT_EQ(taken(jmp_imm(JGT, R2, 0, 0), 0x100000000ull, 0), 1u);
	EXPECT_EQ(taken(jmp_reg(JSLT, R2, R3, 0), I64_MIN, 0), 1u);
	EXPECT_EQ(taken(jmp_reg(JLT, R2, R3, 0), I64_MIN, 0), 0u);
	EXPECT_EQ(taken(jmp32_reg(JSLT, R2, R3, 0), 0x80000000ull, 0), 1u);
	EXPECT_EQ(taken(jmp_reg(JSLT, R2, R3, 0), 0x80000000ull, 0), 0u);
	EXPECT_EQ(taken(jmp_reg(JSGE, R2, R3, 0), 7, 7), 1u);
	EXPECT_EQ(taken(jmp_reg(JSLE, R2, R3, 0), ~0ull, 0), 1u);
	EXPECT_EQ(taken(jmp32_reg(JSLE, R2, R3, 0), 0x7fffffffull, 0x80000000ull), 0u);
	EXPECT_EQ(taken(jmp_reg(JGE, R2, R3, 0), 3, 4), 0u);
	EXPECT_EQ(taken(jmp_reg(JLE, R2, R3, 0), 3, 4), 1u);
	EXPECT_EQ(taken(jmp_reg(JNE, R2, R3, 0), 3, 4), 1u);
	EXPECT_EQ(taken(jmp_reg(JSET, R2, R3, 0), 0x100000000ull, 0x100000000ull), 1u);
	EXPECT_EQ(taken(jmp32_reg(JSET, R2, R3, 0), 0x100000000ull, 0x100000000ull), 0u);
	EXPECT_EQ(taken(jmp32_imm(JSET, R2, (int32_t)0x80000000, 0), 0x80000000ull, 0), 1u);
}

TEST(InterpMem, SizesAndImmediates) {
	std::vector<Insn> p;
	ld_imm64(p, R1, 0x8877665544332211ull);
	p.push_back(stx(DW, R10, R1, -8));
	p.push_back(ldx(B, R0, R10, -1));      // 0x88, zero-extended
	p.push_back(ldx(H, R2, R10, -2));      // 0x8877
	p.push_back(alu64_imm(LSH, R2, 8));
	p.push_back(alu64_reg(OR, R0, R2));    // 0x887788
	p.push_back(st(DW, R10, -16, -2));     // imm sign-extended to 64 bits
	p.push_back(ldx(DW, R3, R10, -16));
	p.push_back(st(W, R10, -24, -1));
	p.push_back(ldx(W, R4, R10, -24));
	p.push_back(exit_());
	Interp run;
	InterpResult r = run(p);
	ASSERT_EQ(r.error, InterpError::NONE);
	EXPECT_EQ(r.r0, 0x887788u);
	// R3 and R4 checked through a second program that returns them.
	p.back() = mov64_reg(R0, R3);
	p.push_back(exit_());
	EXPECT_EQ(Interp()(p).r0, 0xfffffffffffffffeull);
	p[p.size() - 2] = mov64_reg(R0, R4);
	EXPECT_EQ(Interp()(p).r0, 0xffffffffu);
}

TEST(InterpMem, Atomics) {
	auto run = [](int32_t aop, uint8_t sz, uint64_t mem, uint64_t src, uint64_t r0,
		      uint64_t *mem_after, uint64_t *src_after) {
		std::vector<Insn> p;
		ld_imm64(p, R1, mem);
		p.push_back(stx(DW, R10, R1, -8));
		ld_imm64(p, R2, src);
		ld_imm64(p, R0, r0);
		p.push_back(atomic(sz, aop, R10, R2, -8));
		p.push_back(ldx(DW, R3, R10, -8));
		p.push_back(stx(DW, R10, R2, -16));
		p.push_back(ldx(DW, R4, R10, -16));
		// Return r0; the memory and src through the stack are read below.
		p.push_back(exit_());
		Interp rn;
		InterpResult r = rn(p);
		EXPECT_EQ(r.error, InterpError::NONE);
		uint64_t m = 0, s = 0;
		for (int i = 0; i < 8; i++) {
			m |= (uint64_t)rn.stack[512 - 8 + i] << (8 * i);
			s |= (uint64_t)rn.stack[512 - 16 + i] << (8 * i);
		}
		*mem_after = m;
		*src_after = s;
		return r.r0;
	};
	uint64_t m, s;
	run(ADD, DW, 0x10, 3, 0, &m, &s);
	EXPECT_EQ(m, 0x13u);
	EXPECT_EQ(s, 3u);
	// W: 32-bit operation on the low word; the high word is untouched.
	run(ADD, W, 0xaaaaaaaaffffffffull, 1, 0, &m, &s);
	EXPECT_EQ(m, 0xaaaaaaaa00000000ull);
	run(ADD | FETCH, W, 0xaaaaaaaaffffffffull, 0xffffffff00000001ull, 0, &m, &s);
	EXPECT_EQ(m, 0xaaaaaaaa00000000ull);
	EXPECT_EQ(s, 0xffffffffu);  // old value, zero-extended
	run(AND | FETCH, DW, 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0, &m, &s);
	EXPECT_EQ(m, 0x0f000f000f000f00ull);
	EXPECT_EQ(s, 0xff00ff00ff00ff00ull);
	run(OR, W, 0x100000000ull, 0x2, 0, &m, &s);
	EXPECT_EQ(m, 0x100000002ull);
	run(XOR | FETCH, DW, 0xf0, 0xff, 0, &m, &s);
	EXPECT_EQ(m, 0x0fu);
	EXPECT_EQ(s, 0xf0u);
	run(XCHG, DW, 0x1111, 0x2222, 0, &m, &s);
	EXPECT_EQ(m, 0x2222u);
	EXPECT_EQ(s, 0x1111u);
	run(XCHG, W, 0x3333333344444444ull, 0x5555555566666666ull, 0, &m, &s);
	EXPECT_EQ(m, 0x3333333366666666ull);
	EXPECT_EQ(s, 0x44444444u);
	// CMPXCHG: compares R0 (its low word for W) with memory; R0 := old.
	uint64_t r0 = run(CMPXCHG, W, 0x10, 0x99, 0xdead00000010ull, &m, &s);
	EXPECT_EQ(m, 0x99u);
	EXPECT_EQ(r0, 0x10u);
	r0 = run(CMPXCHG, DW, 0x10, 0x99, 0xdead00000010ull, &m, &s);
	EXPECT_EQ(m, 0x10u);
	EXPECT_EQ(r0, 0x10u);
	EXPECT_EQ(s, 0x99u);  // src untouched
}

TEST(InterpLdImm64, FullValue) {
	std::vector<Insn> p;
	ld_imm64(p, R0, 0xfedcba9876543210ull);
	p.push_back(exit_());
	EXPECT_EQ(Interp()(p).r0, 0xfedcba9876543210ull);
}

uint64_t helper_sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

TEST(InterpCalls, HelperGetsR1ToR5) {
	std::vector<Insn> p;
	for (uint8_t r = R1; r <= R5; r++)
		p.push_back(mov64_imm(r, r));
	p.push_back(call_helper(42));
	p.push_back(exit_());
	Interp run;
	run.helpers.push_back({42, helper_sum});
	InterpResult r = run(p);
	ASSERT_EQ(r.error, InterpError::NONE);
	EXPECT_EQ(r.r0, 1u + 4 + 9 + 16 + 25);
	p[5] = call_helper(43);
	EXPECT_EQ(run(p).error, InterpError::UNKNOWN_HELPER);
}

TEST(InterpCalls, BpfToBpfFramesPreserveCalleeSaved) {
	std::vector<Insn> p = {
		mov64_imm(R6, 6), mov64_imm(R9, 9), st(DW, R10, -8, 100),
		mov64_imm(R1, 5),
		call_func(4),                    // -> 9
		ldx(DW, R2, R10, -8),            // caller's stack untouched: 100
		alu64_reg(ADD, R0, R2), alu64_reg(ADD, R0, R6), alu64_reg(ADD, R0, R9),
		exit_(),
		// 10: callee: fresh stack, clobbers R6/R9 and its stack slot.
		mov64_imm(R6, 1000), mov64_imm(R9, 1000), st(DW, R10, -8, 1000),
		mov64_reg(R0, R1), alu64_imm(MUL, R0, 10), exit_(),
	};
	p[4] = call_func(10 - 5);
	InterpResult r = Interp()(p);
	ASSERT_EQ(r.error, InterpError::NONE) << interp_error_name(r.error);
	EXPECT_EQ(r.r0, 50u + 100 + 6 + 9);
}

TEST(InterpCalls, DepthLimit) {
	// Unbounded recursion: the 9th frame is refused.
	std::vector<Insn> p = {call_func(-1), exit_()};
	InterpResult r = Interp()(p);
	EXPECT_EQ(r.error, InterpError::CALL_DEPTH);
	EXPECT_EQ(r.steps, MAX_CALL_FRAMES);  // 8 calls reached, the 8th fails
}

TEST(InterpErrors, OutOfBoundsIsReportedNotExecuted) {
	std::vector<Insn> p = {ldx(DW, R0, R10, 0), exit_()};  // just above the stack
	InterpResult r = Interp()(p);
	EXPECT_EQ(r.error, InterpError::OUT_OF_BOUNDS);
	EXPECT_EQ(r.pc, 0u);
	p = {ldx(DW, R0, R10, -513), exit_()};
	EXPECT_EQ(Interp()(p).error, InterpError::OUT_OF_BOUNDS);
	p = {ldx(B, R0, R1, 0), exit_()};  // ctx = NULL, no region
	EXPECT_EQ(Interp()(p).error, InterpError::OUT_OF_BOUNDS);
	// A read-only region.
	uint8_t ctx[16] = {7};
	Interp run;
	run.ctx = (uint64_t)(uintptr_t)ctx;
	run.regions.push_back({run.ctx, sizeof(ctx), false});
	p = {ldx(B, R0, R1, 0), exit_()};
	EXPECT_EQ(run(p).r0, 7u);
	p = {ldx(DW, R0, R1, 9), exit_()};  // straddles the end
	EXPECT_EQ(run(p).error, InterpError::OUT_OF_BOUNDS);
	p = {st(B, R1, 0, 1), exit_()};
	EXPECT_EQ(run(p).error, InterpError::READ_ONLY);
	EXPECT_EQ(ctx[0], 7);
}

TEST(InterpErrors, BudgetStopsLoops) {
	std::vector<Insn> p = {mov64_imm(R0, 0), ja(-1), exit_()};
	Interp run;
	run.max_steps = 1000;
	InterpResult r = run(p);
	EXPECT_EQ(r.error, InterpError::BUDGET);
	EXPECT_EQ(r.steps, 1000u);
}

TEST(InterpErrors, InvalidInstructions) {
	EXPECT_EQ(Interp()({raw(0xff, 0, 0, 0, 0), exit_()}).error, InterpError::BAD_OPCODE);
	EXPECT_EQ(Interp()({raw(ALU64 | END | TO_BE, 0, 0, 0, 16), exit_()}).error,
		  InterpError::BAD_OPCODE);  // no BSWAP before 6.6
	EXPECT_EQ(Interp()({endian(TO_BE, R0, 24), exit_()}).error, InterpError::BAD_OPCODE);
	EXPECT_EQ(Interp()({ja(5), exit_()}).error, InterpError::BAD_PC);
	EXPECT_EQ(Interp()({mov64_imm(R0, 1)}).error, InterpError::BAD_PC);  // falls off
	EXPECT_EQ(Interp()({raw(LD | IMM | DW, 0, 0, 0, 0)}).error, InterpError::BAD_PC);
}

} // namespace
