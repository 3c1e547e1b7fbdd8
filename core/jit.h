// SPDX-License-Identifier: GPL-2.0
// What a lowering template writes to, and the shape of a codegen table.
//
// A backend (arch/<name>/) lowers each BPF instruction with a template
//     template <typename D> void lower_xxx(JitCtx<D> &ctx, const InsnFields<D> &insn);
// listed in its table as a Rule. The driver (core/driver.h) runs the rules
// with D = Concrete to produce an image; the verifier runs the very same
// rules with D = Symbolic, on a JitCtx whose bytes and addresses are terms.
#ifndef VJIT_CORE_JIT_H
#define VJIT_CORE_JIT_H

#include "core/bpf.h"
#include "core/isa.h"

namespace vjit {

// Code generation options. The verifier proves every table entry under each
// combination it is given, so these are parameters, never #ifdefs.
struct JitOptions {
	bool rethunk = false;          // x86: return through return_thunk
	uint64_t return_thunk = 0;
	// Spectre-BHI barrier before the return, as the kernel's JIT decides
	// it (classic programs loaded without CAP_SYS_ADMIN): a call to the
	// kernel's clear_bhb_loop at bhb_loop_addr, and/or the IBHF fence.
	bool bhb_loop = false;
	uint64_t bhb_loop_addr = 0;
	bool bhb_ibhf = false;
	// Indirect-branch landing pads at every entry the kernel reaches by an
	// indirect branch (image entry, tail-call entry): x86 IBT
	// (CONFIG_X86_KERNEL_IBT) ENDBR64, arm64 BTI (CONFIG_ARM64_BTI_KERNEL)
	// BTI JC at the image entry, BTI J at the tail-call entry.
	bool ibt = false;
	// Where the kernel's tail calls enter a program (the stock JIT's
	// X86_TAIL_CALL_OFFSET; arm64: PROLOGUE_OFFSET * 4), so the prologue
	// is laid out as the stock JIT's; 0: not a tail-call target (classic
	// programs, userspace).
	uint32_t tail_call_entry = 0;
	// arm64: the CPU has the LSE atomics (FEAT_LSE); else LDXR/STXR loops.
	bool lse = false;
	uint32_t stack_depth = bpf::MAX_BPF_STACK;  // bytes below R10
	// Native registers (bit n: the arch's register n) the program's code
	// may write, for an arch whose frame saves only the callee-saved
	// registers among them (Arch::body_regs); all by default.
	uint32_t body_regs = ~0u;
};

// Whether the backend A names, per instruction, the native registers its
// code may write (A::body_regs<D>(fields), a BV<32> mask; the proofs check
// it for every table entry and the frame proof relies on it).
// (Freestanding: no <type_traits>.)
template <typename...>
using void_if_valid = void;
template <typename A, typename = void>
struct has_body_regs {
	static constexpr bool value = false;
};
template <typename A>
struct has_body_regs<A, void_if_valid<decltype(A::template body_regs<Concrete>(
				*static_cast<const InsnFields<Concrete> *>(nullptr)))>> {
	static constexpr bool value = true;
};

// Why lowering gave up on an instruction (the driver turns it into a
// vjit_jit_error and the program goes to the kernel's JIT).
enum class LowerError : uint8_t {
	NONE,
	UNENCODABLE,   // an operand no instruction form can express (e.g. a
	               // call target beyond rel32)
	UNSUPPORTED,   // a variant of a supported opcode the rule does not take
	MITIGATION,    // a mitigation the options ask for cannot be emitted
};

// The emission context. Every specialization provides:
//   void emit8(u8 b)           append one byte (x86-64)
//   void emit32(u32 w)         append one 32-bit instruction word, little
//                              endian (arm64, riscv64)
//   u32  here()                native offset of the next byte
//   u32  insn_addr(u32 idx)    native offset of BPF instruction idx's first
//                              byte; idx == program length is the epilogue
//   u32  epilogue_addr()       native offset of the epilogue, i.e.
//                              insn_addr(program length) (EXIT jumps there)
//   u32  idx()                 index of the instruction being lowered
//   u32  epilogue_idx()        the program length (the epilogue's index)
//   u64  image_addr(u32 off)   absolute address of native offset off in the
//                              final (executable) image
//   u64  helper_addr(u32 imm)  absolute address of helper imm
//   const JitOptions &opts
//   void fail(LowerError)      give up on this instruction
//   void epilogue_copy()       what follows is a copy of the epilogue (an
//                              EXIT that returns in place; the proof checks
//                              the copy against the epilogue it proved)
template <typename D>
struct JitCtx;

template <>
struct JitCtx<Concrete> {
	// Output: nullptr during sizing passes, where only lengths count.
	uint8_t *buf = nullptr;
	uint32_t cap = 0;
	uint32_t len = 0;
	bool overflow = false;
	// Offsets: addrs[i] is where instruction i starts, addrs[n] the
	// epilogue. While instruction cur is lowered, the entries up to cur
	// are this pass's, the later ones the previous pass's (prev_start:
	// where cur started then). A forward target is placed at its previous
	// distance from cur, so that a pass measures every forward jump on one
	// layout (core/driver.h); once the offsets settle this is addrs[t].
	const uint32_t *addrs = nullptr;
	uint32_t n_insns = 0;
	uint32_t cur = 0;
	uint32_t prev_start = 0;
	uint64_t image_base = 0;  // final address of offset 0
	uint64_t call_base = 0;   // helper imm is relative to it
	JitOptions opts;
	LowerError error = LowerError::NONE;

	void emit8(CBV<8> b) {
		if (buf) {
			if (len < cap)
				buf[len] = (uint8_t)b.v;
			else
				overflow = true;
		}
		len++;
	}
	void emit32(CBV<32> w) {
		for (unsigned i = 0; i < 4; i++)
			emit8(CBV<8>(w.v >> (8 * i)));
	}
	CBV<32> here() const { return len; }
	CBV<32> insn_addr(CBV<32> i) const {
		if (!addrs || i.v > n_insns)
			return 0;
		return i.v > cur ? addrs[i.v] - prev_start + addrs[cur] : addrs[i.v];
	}
	CBV<32> epilogue_addr() const { return insn_addr(n_insns); }
	CBV<32> idx() const { return cur; }
	CBV<32> epilogue_idx() const { return n_insns; }
	CBV<64> image_addr(CBV<32> off) const { return image_base + off.v; }
	CBV<64> helper_addr(CBV<32> imm) const { return call_base + (uint64_t)(int64_t)(int32_t)imm.v; }
	void fail(LowerError e) {
		if (error == LowerError::NONE)
			error = e;
	}
	void epilogue_copy() {}
};

template <typename D>
using LowerFn = void (*)(JitCtx<D> &ctx, const InsnFields<D> &insn);

// One codegen table entry: its key (the opcode, and the fields that select
// the operation: off for sdiv/smod/movsx, imm for END and the atomics; see
// core/isa.h), a name for reports and filters, and the lowering template.
// A key field the opcode does not select by is 0.
template <typename D>
struct Rule {
	uint8_t code;
	int16_t off;
	int32_t imm;
	const char *name;
	LowerFn<D> lower;

	bool matches(uint8_t c, int16_t o, int32_t i) const {
		return code == c && (!off_selects(c) || off == o) && (!imm_selects(c) || imm == i);
	}
};

template <typename D>
struct Table {
	const Rule<D> *rules;
	size_t n;

	const Rule<D> *find(uint8_t code, int16_t off, int32_t imm) const {
		for (size_t i = 0; i < n; i++)
			if (rules[i].matches(code, off, imm))
				return &rules[i];
		return nullptr;
	}
};

} // namespace vjit

#endif
