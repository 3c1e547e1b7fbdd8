// SPDX-License-Identifier: GPL-2.0
// arm64 target facts: register map, scratch registers, callee-saved pairs
// and frame layout. Everything a proof of the arm64 table needs to relate a
// BPF state to a native one lives here, and the lowering (lower.h) reads it
// from here only.
//
// Freestanding; templates over the domain D where a value may be symbolic.
#ifndef VJIT_ARCH_ARM64_TARGET_H
#define VJIT_ARCH_ARM64_TARGET_H

#include "core/bpf.h"

namespace vjit {
namespace arm64 {

// General-purpose registers by their 5-bit number in Rd/Rn/Rm/Rt (Arm ARM
// C1.2.5). 31 is XZR/WZR in most fields and SP as the base of a load or
// store and in ADD/SUB (immediate); the encoders say which.
enum Reg : uint8_t {
	X0 = 0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15,
	X16, X17, X18, X19, X20, X21, X22, X23, X24, X25, X26, X27, X28,
	FP = 29, LR = 30, XZR = 31, SP = 31,
};

// BPF register -> native register: Linux's arm64 JIT map. AAPCS64 passes
// arguments in x0-x7 and returns in x0, so R1-R5 = x0-x4 need no moves
// around a helper call; R0 is x7 (not x0) so that R1 is intact until the
// call; R6-R9 and R10 are callee saved (x19-x22, x25) so they survive one.
constexpr uint8_t bpf_to_native[bpf::NREGS] = {
	[bpf::R0] = X7,    // return value (x0 after a call, moved here)
	[bpf::R1] = X0,    // arg 1; ctx on entry (bpf_func(ctx, insnsi))
	[bpf::R2] = X1,    // arg 2
	[bpf::R3] = X2,    // arg 3
	[bpf::R4] = X3,    // arg 4
	[bpf::R5] = X4,    // arg 5
	[bpf::R6] = X19,   // callee saved
	[bpf::R7] = X20,   // callee saved
	[bpf::R8] = X21,   // callee saved
	[bpf::R9] = X22,   // callee saved
	[bpf::R10] = X25,  // read-only frame pointer: top of the BPF stack
	[bpf::AX] = X9,    // constant blinding's hidden register
};

// Registers no BPF register maps to (caller saved): lowering sequences use
// them freely inside one instruction.
constexpr uint8_t SCRATCH1 = X10;  // immediates, addresses, call target
constexpr uint8_t SCRATCH2 = X11;  // quotient, loaded value, offsets
constexpr uint8_t SCRATCH3 = X12;  // store-exclusive status, compare
constexpr uint8_t SCRATCH4 = X13;  // the operand an LL/SC loop keeps

// Registers a helper call may clobber (AAPCS64 caller saved x0-x18 and
// the link register, which blr writes).
constexpr uint32_t call_clobbered_mask = ((1u << 19) - 1) | (1u << LR);

// Callee-saved pairs the prologue stores below the frame record (x29,
// x30), in store order; the epilogue loads them in reverse. They are the
// kernel's arm64 JIT's, in its order, because its tail calls enter an
// image after them (lower.h): x26 is the tail-call counter, x27/x28 have
// no BPF register but are in the stock frame. Pairs keep sp 16-byte
// aligned, as AAPCS64 and the SP alignment check require.
constexpr uint8_t saved_pairs[][2] = {{X19, X20}, {X21, X22}, {X25, X26}, {X27, X28}};
constexpr unsigned n_saved_pairs = sizeof(saved_pairs) / sizeof(saved_pairs[0]);

// The kernel's tail-call counter (its TCALL_CNT): zeroed at the main
// entry, carried in by a tail call (the caller counts it).
constexpr uint8_t TAIL_CALL_CNT = X26;

// Frame layout (addresses grow upwards; S = sp on entry):
//
//   [S - 16, S)                     x29, x30 (frame record)  <- x29
//   [S - 16 - 16 * n_saved_pairs, S - 16)
//                                   x19 x20 | x21 x22 | x25 x26 | x27 x28
//   [x25 - stack_bytes, x25)        BPF stack               <- R10 = x25
//                                                             = sp before sub
//   sp = x25 - stack_bytes inside the body, 16-byte aligned.
constexpr uint32_t round_up(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
constexpr uint32_t stack_bytes(uint32_t stack_depth) { return round_up(stack_depth, 16); }
constexpr uint32_t frame_bytes = 16 + 16 * n_saved_pairs;

// Native register of BPF register r (a BV<4>, symbolic in the verifier).
// Numbers above AX are not registers the kernel's verifier accepts; they
// map to R0's home, as BpfRegs<D>::get's symbolic form does.
template <typename D>
typename D::template BV<5> native_reg(typename D::template BV<4> r) {
	using u5 = typename D::template BV<5>;
	using u4 = typename D::template BV<4>;
	if constexpr (!D::symbolic) {
		uint64_t i = D::concrete(r);
		return u5(i < bpf::NREGS ? bpf_to_native[i] : (uint8_t)X7);
	} else {
		u5 n = u5(bpf_to_native[0]);
		for (unsigned i = 1; i < bpf::NREGS; i++)
			n = select(r == u4(i), u5(bpf_to_native[i]), n);
		return n;
	}
}

} // namespace arm64
} // namespace vjit

#endif
