// SPDX-License-Identifier: GPL-2.0
// x86-64 target facts: register map, scratch registers, callee-saved set and
// frame layout. Everything a proof of the x86-64 table needs to relate a BPF
// state to a native one lives here, and the lowering (lower.h) reads it from
// here only.
//
// Freestanding; templates over the domain D where a value may be symbolic.
#ifndef VJIT_ARCH_X86_64_TARGET_H
#define VJIT_ARCH_X86_64_TARGET_H

#include "core/bpf.h"

namespace vjit {
namespace x86_64 {

// Native general-purpose registers, numbered as in ModRM/REX (Intel SDM
// Vol. 2A, 2.1.5 / 2.2.1): bit 3 goes into REX.R/X/B, bits 0-2 into ModRM.
enum Reg : uint8_t {
	RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
	R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
};

// BPF register -> native register. Follows Linux's x86-64 JIT so that the
// kernel's calling convention for helpers (System V: args in rdi, rsi, rdx,
// rcx, r8; result in rax) needs no moves around calls.
constexpr uint8_t bpf_to_native[bpf::NREGS] = {
	[bpf::R0] = RAX,   // return value, helper result
	[bpf::R1] = RDI,   // arg 1; ctx on entry (bpf_func(ctx, insnsi))
	[bpf::R2] = RSI,   // arg 2
	[bpf::R3] = RDX,   // arg 3; clobbered by div, saved around it
	[bpf::R4] = RCX,   // arg 4; clobbered by shifts (cl), saved around them
	[bpf::R5] = R8,    // arg 5
	[bpf::R6] = RBX,   // callee saved
	[bpf::R7] = R13,   // callee saved
	[bpf::R8] = R14,   // callee saved
	[bpf::R9] = R15,   // callee saved
	[bpf::R10] = RBP,  // read-only frame pointer: top of the BPF stack
	[bpf::AX] = R10,   // constant blinding's hidden register
};

// Registers no BPF register maps to; lowering sequences use them freely
// inside one instruction (their values do not carry between instructions).
constexpr uint8_t SCRATCH1 = R11;  // divisor, shifted value, atomic address
constexpr uint8_t SCRATCH2 = R9;   // saved rax / rcx / rdx
constexpr uint8_t SCRATCH3 = R12;  // saved rdx (signed division), atomic new value (callee saved:
                                   // pushed by the prologue)

// Native registers a helper call may clobber (System V caller-saved):
// BPF R1-R5, AX and the scratch registers r9, r11. R0 (rax) gets the result.
constexpr uint16_t call_clobbered_mask =
	(1u << RAX) | (1u << RCX) | (1u << RDX) | (1u << RSI) | (1u << RDI) |
	(1u << R8) | (1u << R9) | (1u << R10) | (1u << R11);

// System V callee-saved registers the image may use, in push order (the
// prologue pushes those the program's code writes after setting up rbp;
// the epilogue pops them in reverse). rbp is saved separately by `push rbp`.
constexpr uint8_t saved_regs[] = { RBX, R12, R13, R14, R15 };
constexpr unsigned n_saved_regs = sizeof(saved_regs) / sizeof(saved_regs[0]);

// Whether the frame saves saved_regs[i]: the code may write it
// (body_regs: JitOptions::body_regs, bit n = native register n).
constexpr bool frame_saves(uint32_t body_regs, unsigned i) { return (body_regs >> saved_regs[i]) & 1; }
constexpr unsigned n_frame_saved(uint32_t body_regs) {
	unsigned n = 0;
	for (unsigned i = 0; i < n_saved_regs; i++)
		n += frame_saves(body_regs, i);
	return n;
}

// Frame layout (addresses grow upwards):
//
//   [rbp + 8]                       return address
//   [rbp]                           caller's rbp           <- R10 = rbp
//   [rbp - stack_bytes, rbp)        BPF stack (stack_depth bytes used)
//   [rsp, rsp + 8 * saved)          those of rbx r12 r13 r14 r15 the
//                                   frame saves (the last pushed lowest)
//
// stack_bytes is stack_depth rounded up to 8, plus padding so that rsp is
// 16-byte aligned inside the body (helpers may use SSE spills in
// userspace): on entry rsp = 8 mod 16; push rbp makes it 0.
constexpr uint32_t round_up(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
constexpr uint32_t stack_bytes(uint32_t stack_depth, uint32_t body_regs = ~0u) {
	const uint32_t pushed = 8 * n_frame_saved(body_regs);
	return round_up(round_up(stack_depth, 8) + pushed, 16) - pushed;
}

// Native register of BPF register r (r is a BV<4>, symbolic in the
// verifier). Numbers above AX are not registers the kernel's verifier
// accepts; they map to rax, as BpfRegs<D>::get's symbolic form does.
template <typename D>
typename D::template BV<4> native_reg(typename D::template BV<4> r) {
	using u4 = typename D::template BV<4>;
	if constexpr (!D::symbolic) {
		uint64_t i = D::concrete(r);
		return u4(i < bpf::NREGS ? bpf_to_native[i] : (uint8_t)RAX);
	} else {
		u4 n = u4(bpf_to_native[0]);
		for (unsigned i = 1; i < bpf::NREGS; i++)
			n = select(r == u4(i), u4(bpf_to_native[i]), n);
		return n;
	}
}

} // namespace x86_64
} // namespace vjit

#endif
