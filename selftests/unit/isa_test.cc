// SPDX-License-Identifier: GPL-2.0
// The instruction model (core/isa.h): one test per reserved field, the
// selecting fields, registers, LD_IMM64's second slot, and what the driver
// makes of each (BAD_PROGRAM for a non-instruction, UNSUPPORTED_OPCODE for
// an instruction the table lacks: the kernel's JIT gets either).
#include <gtest/gtest.h>

#include <vector>

#include "core/isa.h"
#include "core/vjit_jit.h"
#include "selftests/unit/bpf_asm.h"
#include "user/arches.h"

using namespace vjit;
using namespace vjit::asm_;

namespace {

InsnFault check1(Insn in, Isa isa = Isa::V3, Origin o = Origin::USER) {
	Insn two[2] = {in, raw(0, 0, 0, 0, 0)};
	return insn_check(two, 2, isa, o);
}

struct Reserved {
	const char *what;
	Insn insn;
};

// Each encoding is a valid instruction with exactly one reserved field set.
const Reserved kReserved[] = {
	{"ALU64 ADD K src", raw(ALU64 | ADD | K, R1, R2, 0, 1)},
	{"ALU64 ADD K off", raw(ALU64 | ADD | K, R1, 0, 3, 1)},
	{"ALU64 ADD X imm", raw(ALU64 | ADD | X, R1, R2, 0, 1)},
	{"ALU64 ADD X off", raw(ALU64 | ADD | X, R1, R2, 3, 0)},
	{"ALU SUB X imm", raw(ALU | SUB | X, R1, R2, 0, 9)},
	{"ALU64 MOV K src", raw(ALU64 | MOV | K, R1, R3, 0, 1)},
	{"ALU64 MOV K off", raw(ALU64 | MOV | K, R1, 0, 8, 1)},
	{"ALU64 MOV X imm", raw(ALU64 | MOV | X, R1, R2, 0, 1)},
	{"ALU64 DIV K src", raw(ALU64 | DIV | K, R1, R2, 0, 3)},
	{"ALU64 DIV X imm", raw(ALU64 | DIV | X, R1, R2, 0, 3)},
	{"ALU64 NEG src", raw(ALU64 | NEG | K, R1, R2, 0, 0)},
	{"ALU64 NEG off", raw(ALU64 | NEG | K, R1, 0, 1, 0)},
	{"ALU64 NEG imm", raw(ALU64 | NEG | K, R1, 0, 0, 1)},
	{"ALU END src", raw(ALU | END | TO_BE, R1, R2, 0, 32)},
	{"ALU END off", raw(ALU | END | TO_BE, R1, 0, 1, 32)},
	{"JMP JA dst", raw(JMP | JA, R1, 0, 0, 0)},
	{"JMP JA src", raw(JMP | JA, 0, R1, 0, 0)},
	{"JMP JA imm", raw(JMP | JA, 0, 0, 0, 1)},
	{"JMP32 JA off", raw(JMP32 | JA, 0, 0, 1, 0)},
	{"JMP32 JA dst", raw(JMP32 | JA, R2, 0, 0, 0)},
	{"JMP EXIT dst", raw(JMP | EXIT, R1, 0, 0, 0)},
	{"JMP EXIT src", raw(JMP | EXIT, 0, R1, 0, 0)},
	{"JMP EXIT off", raw(JMP | EXIT, 0, 0, 1, 0)},
	{"JMP EXIT imm", raw(JMP | EXIT, 0, 0, 0, 1)},
	{"JMP CALL dst", raw(JMP | CALL, R1, 0, 0, 5)},
	{"JMP CALL off", raw(JMP | CALL, 0, 0, 1, 5)},
	{"JMP CALL src 3", raw(JMP | CALL, 0, 3, 0, 5)},
	{"JMP JEQ K src", raw(JMP | JEQ | K, R1, R2, 0, 1)},
	{"JMP JEQ X imm", raw(JMP | JEQ | X, R1, R2, 0, 1)},
	{"JMP32 JGT X imm", raw(JMP32 | JGT | X, R1, R2, 0, 1)},
	{"LDX MEM W imm", raw(LDX | MEM | W, R0, R1, 0, 1)},
	{"ST MEM W src", raw(ST | MEM | W, R10, R1, -8, 1)},
	{"STX MEM DW imm", raw(STX | MEM | DW, R10, R1, -8, 1)},
	{"LD IMM64 off", raw(LD | IMM | DW, R1, 0, 1, 1)},
	{"LD IMM64 src 7", raw(LD | IMM | DW, R1, 7, 0, 1)},
	{"LD ABS dst", raw(LD | ABS | W, R1, 0, 0, 4)},
	{"LD ABS src", raw(LD | ABS | W, 0, R1, 0, 4)},
	{"LD IND off", raw(LD | IND | W, 0, R1, 2, 4)},
};

TEST(Isa, EveryReservedFieldIsRefused) {
	for (const Reserved &r : kReserved)
		EXPECT_EQ(check1(r.insn), InsnFault::RESERVED) << r.what;
}

TEST(Isa, TheSameEncodingsWithTheFieldClearAreInstructions) {
	EXPECT_EQ(check1(raw(ALU64 | ADD | K, R1, 0, 0, 1)), InsnFault::NONE);
	EXPECT_EQ(check1(raw(ALU64 | ADD | X, R1, R2, 0, 0)), InsnFault::NONE);
	EXPECT_EQ(check1(raw(ALU | END | TO_BE, R1, 0, 0, 32)), InsnFault::NONE);
	EXPECT_EQ(check1(raw(JMP32 | JA, 0, 0, 0, -1)), InsnFault::NONE);  // gotol
	EXPECT_EQ(check1(raw(JMP | CALL, 0, PSEUDO_KFUNC_CALL, 1, 5)), InsnFault::NONE);
	EXPECT_EQ(check1(raw(LD | IND | W, 0, R1, 0, 4)), InsnFault::NONE);
	EXPECT_EQ(check1(raw(STX | ATOMIC | DW, R1, R2, 7, CMPXCHG)), InsnFault::NONE);
}

// cpu-v4's forms are selected by off (or by the class, for bswap and
// ldsx): not instructions at Linux 6.1's level, instructions at v4's.
TEST(Isa, CpuV4FormsDependOnTheLevel) {
	const Insn v4_only[] = {
		raw(ALU64 | DIV | X, R1, R2, 1, 0),   // sdiv
		raw(ALU | MOD | K, R1, 0, 1, 3),      // smod
		raw(ALU64 | MOV | X, R1, R2, 8, 0),   // movsx 8
		raw(ALU64 | MOV | X, R1, R2, 32, 0),  // movsx 32
		raw(ALU | MOV | X, R1, R2, 16, 0),    // movsx 16 to 32
		raw(ALU64 | END | TO_LE, R1, 0, 0, 64),  // bswap
		raw(LDX | MEMSX | H, R1, R2, 0, 0),   // ldsx
	};
	for (const Insn &in : v4_only) {
		EXPECT_EQ(check1(in, Isa::V3), InsnFault::OPCODE) << std::hex << (int)in.code << " off " << in.off;
		EXPECT_EQ(check1(in, Isa::V4), InsnFault::NONE) << std::hex << (int)in.code << " off " << in.off;
	}
	// Not instructions at any level.
	EXPECT_EQ(check1(raw(ALU64 | DIV | X, R1, R2, 2, 0), Isa::V4), InsnFault::OPCODE);
	EXPECT_EQ(check1(raw(ALU | MOV | X, R1, R2, 32, 0), Isa::V4), InsnFault::OPCODE);
	EXPECT_EQ(check1(raw(ALU64 | END | TO_BE, R1, 0, 0, 64), Isa::V4), InsnFault::OPCODE);
	EXPECT_EQ(check1(raw(LDX | MEMSX | DW, R1, R2, 0, 0), Isa::V4), InsnFault::OPCODE);
}

TEST(Isa, RegistersAboveR10AreTheKernelsOnly) {
	EXPECT_EQ(check1(mov64_reg(R0, AX)), InsnFault::REGISTER);
	EXPECT_EQ(check1(mov64_reg(AX, R1)), InsnFault::REGISTER);
	EXPECT_EQ(check1(mov64_reg(R0, AX), Isa::V3, Origin::KERNEL), InsnFault::NONE);
	EXPECT_EQ(check1(mov64_reg(R0, 12), Isa::V3, Origin::KERNEL), InsnFault::REGISTER);
	EXPECT_EQ(check1(mov64_reg(15, R0), Isa::V3, Origin::KERNEL), InsnFault::REGISTER);
}

// The kernel's classic converter leaves k in imm of X-form instructions,
// and its zero-extension marker is mov32 dst, dst with imm 1: accepted
// from the kernel, refused from a user.
TEST(Isa, KernelRewritesMayLeaveImmInRegisterForms) {
	const Insn forms[] = {
		raw(ALU | MOV | X, R3, R3, 0, 1),    // zext marker
		raw(ALU | ADD | X, R0, R7, 0, 42),   // classic "add x" with k = 42
		raw(JMP | JGT | X, R0, R7, 2, -5),   // classic "jgt #k" via a temporary
	};
	for (const Insn &in : forms) {
		EXPECT_EQ(check1(in), InsnFault::RESERVED);
		EXPECT_EQ(check1(in, Isa::V3, Origin::KERNEL), InsnFault::NONE);
	}
	// The converter also leaves X's register in src of K-form ALU and NEG.
	EXPECT_EQ(check1(raw(ALU | ADD | K, R0, R7, 0, 42), Isa::V3, Origin::KERNEL), InsnFault::NONE);
	EXPECT_EQ(check1(raw(ALU | NEG | K, R0, R7, 0, 0), Isa::V3, Origin::KERNEL), InsnFault::NONE);
	EXPECT_EQ(check1(raw(ALU | ADD | K, R0, R7, 0, 42)), InsnFault::RESERVED);
	EXPECT_EQ(check1(raw(JMP | JEQ | K, R0, R7, 0, 42), Isa::V3, Origin::KERNEL), InsnFault::RESERVED);
}

TEST(Isa, NospecIsInsertedByTheKernelOnly) {
	EXPECT_EQ(check1(raw(ST | NOSPEC, 0, 0, 0, 0), Isa::V3, Origin::KERNEL), InsnFault::NONE);
	EXPECT_EQ(check1(raw(ST | NOSPEC, 0, 0, 0, 0)), InsnFault::OPCODE);
	EXPECT_EQ(check1(raw(ST | NOSPEC, R1, 0, 0, 0), Isa::V3, Origin::KERNEL), InsnFault::RESERVED);
}

TEST(Isa, LdImm64SecondSlot) {
	std::vector<Insn> p;
	ld_imm64(p, R0, 0x1122334455667788ull);
	EXPECT_EQ(insn_check(p.data(), 2, Isa::V3, Origin::USER), InsnFault::NONE);
	EXPECT_EQ(insn_check(p.data(), 1, Isa::V3, Origin::USER), InsnFault::IMM64_HALF);
	for (Insn hi : {raw(0x18, 0, 0, 0, 1), raw(0, 1, 0, 0, 1), raw(0, 0, 1, 0, 1), raw(0, 0, 0, 1, 1)}) {
		p[1] = hi;
		EXPECT_EQ(insn_check(p.data(), 2, Isa::V3, Origin::USER), InsnFault::IMM64_HALF);
	}
}

// The driver: a non-instruction is a bad program, an instruction the table
// lacks is an unsupported opcode, and nothing of either is lowered.
int size_of(std::vector<Insn> p, unsigned flags = 0, unsigned isa = VJIT_ISA_V3) {
	std::vector<unsigned> addrs(p.size() + 1);
	vjit_jit j{};
	j.insns = p.data();
	j.len = (unsigned)p.size();
	j.stack_depth = 8;
	j.addrs = addrs.data();
	j.flags = flags;
	j.isa = isa;
	return vjit::user::host_arch().jit->size(&j);
}

std::vector<uint8_t> image_of(std::vector<Insn> p, unsigned flags) {
	std::vector<unsigned> addrs(p.size() + 1);
	vjit_jit j{};
	j.insns = p.data();
	j.len = (unsigned)p.size();
	j.stack_depth = 8;
	j.addrs = addrs.data();
	j.flags = flags;
	if (vjit::user::host_arch().jit->size(&j))
		return {};
	std::vector<uint8_t> img(j.image_len);
	if (vjit::user::host_arch().jit->emit(&j, img.data(), 0x1000))
		return {};
	return img;
}

// The ignored imm is cleared: the image is the one of the proved encoding.
TEST(Isa, KernelIgnoredImmDoesNotReachTheTable) {
	std::vector<uint8_t> with = image_of({raw(ALU | ADD | X, R0, R1, 0, 42), raw(JMP | JGT | X, R0, R1, 0, 9), exit_()}, VJIT_F_KERNEL);
	std::vector<uint8_t> without = image_of({raw(ALU | ADD | X, R0, R1, 0, 0), raw(JMP | JGT | X, R0, R1, 0, 0), exit_()}, VJIT_F_KERNEL);
	ASSERT_FALSE(with.empty());
	EXPECT_EQ(with, without);
	EXPECT_TRUE(image_of({raw(ALU | ADD | X, R0, R1, 0, 42), exit_()}, 0).empty());  // a user's: refused
}

TEST(Isa, DriverReasons) {
	EXPECT_EQ(size_of({raw(ALU64 | DIV | X, R0, R1, 1, 0), exit_()}), VJIT_E_BAD_PROGRAM);
	EXPECT_EQ(size_of({raw(ALU64 | MOV | X, R0, R1, 8, 0), exit_()}), VJIT_E_BAD_PROGRAM);
	EXPECT_EQ(size_of({raw(ALU64 | MOD | X, R0, R1, 1, 0), exit_()}), VJIT_E_BAD_PROGRAM);
	// At v4 they are instructions, with rules of their own.
	EXPECT_EQ(size_of({raw(ALU64 | DIV | X, R0, R1, 1, 0), exit_()}, 0, VJIT_ISA_V4), VJIT_OK);
	EXPECT_EQ(size_of({raw(ALU64 | MOV | X, R0, R1, 8, 0), exit_()}, 0, VJIT_ISA_V4), VJIT_OK);
	EXPECT_EQ(size_of({raw(LDX | MEMSX | W, R0, R10, -8, 0), exit_()}, 0, VJIT_ISA_V4), VJIT_OK);
	// Kernel-internal forms the table lacks: unsupported, never "bad".
	EXPECT_EQ(size_of({raw(LD | ABS | B, 0, 0, 0, 12), exit_()}, VJIT_F_KERNEL), VJIT_E_UNSUPPORTED_OPCODE);
	EXPECT_EQ(size_of({raw(JMP | TAIL_CALL, 0, 0, 0, 0), exit_()}, VJIT_F_KERNEL), VJIT_E_UNSUPPORTED_OPCODE);
	// Registers: AX only from the kernel.
	EXPECT_EQ(size_of({mov64_reg(R0, AX), exit_()}), VJIT_E_BAD_PROGRAM);
	EXPECT_EQ(size_of({mov64_reg(R0, AX), exit_()}, VJIT_F_KERNEL), VJIT_OK);
	// NOSPEC and gotol are lowered.
	EXPECT_EQ(size_of({raw(ST | NOSPEC, 0, 0, 0, 0), mov64_imm(R0, 1), exit_()}, VJIT_F_KERNEL), VJIT_OK);
	EXPECT_EQ(size_of({raw(JMP32 | JA, 0, 0, 0, 1), mov64_imm(R0, 1), exit_()}), VJIT_OK);
	EXPECT_EQ(size_of({raw(JMP32 | JA, 0, 0, 0, 5), exit_()}), VJIT_E_BAD_PROGRAM);  // out of range
	// A reserved field set: refused.
	for (const Reserved &r : kReserved) {
		std::vector<Insn> p = {r.insn};
		if (is_ld_imm64(r.insn.code))
			p.push_back(raw(0, 0, 0, 0, 0));
		p.push_back(exit_());
		EXPECT_EQ(size_of(p), VJIT_E_BAD_PROGRAM) << r.what;
	}
}

} // namespace
