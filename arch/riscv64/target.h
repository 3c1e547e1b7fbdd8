// SPDX-License-Identifier: GPL-2.0
// riscv64 target facts: register map, scratch registers, callee-saved set
// and frame layout. Everything a proof of the riscv64 table needs to relate
// a BPF state to a native one lives here, and the lowering (lower.h) reads
// it from here only.
//
// Freestanding; templates over the domain D where a value may be symbolic.
#ifndef VJIT_ARCH_RISCV64_TARGET_H
#define VJIT_ARCH_RISCV64_TARGET_H

#include "core/bpf.h"

namespace vjit {
namespace riscv64 {

// Integer registers x0-x31 by their ABI names (RISC-V psABI, "Integer
// Register Convention"); the number is what goes into rd/rs1/rs2.
enum Reg : uint8_t {
	ZERO = 0, RA = 1, SP = 2, GP = 3, TP = 4, T0 = 5, T1 = 6, T2 = 7,
	S0 = 8, S1 = 9, A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15,
	A6 = 16, A7 = 17, S2 = 18, S3 = 19, S4 = 20, S5 = 21, S6 = 22, S7 = 23,
	S8 = 24, S9 = 25, S10 = 26, S11 = 27, T3 = 28, T4 = 29, T5 = 30, T6 = 31,
};
constexpr unsigned NGPRS = 32;

// BPF register -> native register: Linux's riscv64 JIT map, so that helper
// calls need no argument moves (the psABI passes a0-a4) and only R0 needs
// one (a5 <- a0) after a call; R6-R10 are callee saved, so they survive
// helpers.
constexpr uint8_t bpf_to_native[bpf::NREGS] = {
	[bpf::R0] = A5,   // return value (moved from a0 after calls and at exit)
	[bpf::R1] = A0,   // arg 1; ctx on entry
	[bpf::R2] = A1,   // arg 2
	[bpf::R3] = A2,   // arg 3
	[bpf::R4] = A3,   // arg 4
	[bpf::R5] = A4,   // arg 5
	[bpf::R6] = S1,   // callee saved
	[bpf::R7] = S2,   // callee saved
	[bpf::R8] = S3,   // callee saved
	[bpf::R9] = S4,   // callee saved
	[bpf::R10] = S5,  // read-only frame pointer: top of the BPF stack
	[bpf::AX] = T0,   // constant blinding's hidden register
};

// Registers no BPF register maps to; lowering sequences use them freely
// inside one instruction.
constexpr uint8_t SCRATCH1 = T1;  // immediates, branch operands, far-jump base
constexpr uint8_t SCRATCH2 = T2;  // addresses, second operand
constexpr uint8_t SCRATCH3 = T3;  // divide masks, cmpxchg's expected value
constexpr uint8_t SCRATCH4 = T4;  // sc's status

// Native registers a helper call may clobber (psABI caller-saved): ra,
// t0-t6, a0-a7. R0 (a5) gets the result from a0.
constexpr uint32_t call_clobbered_mask =
	(1u << RA) | (1u << T0) | (1u << T1) | (1u << T2) | (0xffu << A0) |
	(1u << T3) | (1u << T4) | (1u << T5) | (1u << T6);

// What the prologue saves, from the lowest slot up: ra (helper calls
// overwrite it) and the callee-saved homes of R6-R10.
constexpr uint8_t saved_regs[] = { RA, S1, S2, S3, S4, S5 };
constexpr unsigned n_saved_regs = sizeof(saved_regs) / sizeof(saved_regs[0]);

// Frame layout (addresses grow upwards; S = sp on entry, 16-aligned):
//
//   [S - round_up(stack_depth, 8), S)   BPF stack           R10 = s5 = S
//   [sp, sp + 8 * n_saved_regs)         ra s1 s2 s3 s4 s5 (ra lowest)
//
// frame_bytes: the BPF stack rounded up to 8 plus the saved registers,
// rounded up to 16 (the psABI's sp alignment, kept in the body for calls).
constexpr uint32_t round_up(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
constexpr uint32_t frame_bytes(uint32_t stack_depth) {
	return round_up(round_up(stack_depth, 8) + 8 * n_saved_regs, 16);
}

// Native register of BPF register r (a BV<4>, symbolic in the verifier),
// as a 5-bit register number. Numbers above AX are not registers the
// kernel's verifier accepts; they map to a5, as BpfRegs<D>::get's
// symbolic form maps them to R0.
template <typename D>
typename D::template BV<5> native_reg(typename D::template BV<4> r) {
	using u4 = typename D::template BV<4>;
	using u5 = typename D::template BV<5>;
	if constexpr (!D::symbolic) {
		uint64_t i = D::concrete(r);
		return u5(i < bpf::NREGS ? bpf_to_native[i] : (uint8_t)A5);
	} else {
		u5 n = u5(bpf_to_native[0]);
		for (unsigned i = 1; i < bpf::NREGS; i++)
			n = select(r == u4(i), u5(bpf_to_native[i]), n);
		return n;
	}
}

} // namespace riscv64
} // namespace vjit

#endif
