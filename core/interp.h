// SPDX-License-Identifier: GPL-2.0
// The reference interpreter: core/semantics.h's step() with D = Concrete, in
// a run loop with bpf-to-bpf call frames, a helper table, bounds-checked
// memory and an instruction budget.
//
// It runs a program as Linux 6.1's interpreter (kernel/bpf/core.c) runs it
// after the verifier's rewrites: each bpf-to-bpf call gets a fresh 512-byte
// stack and its own register file, so the caller's R1-R9 are intact when the
// callee exits (the kernel's interpreter recurses); helpers see R1-R5 and
// leave them as they were. Programs the verifier accepts never read R1-R5
// after a call, so a JIT that clobbers them agrees on every such program.
//
// Addresses are host addresses: the caller lists the regions a program may
// touch (ctx, packet, maps) and the interpreter adds the stack. An access
// outside them, a store to a read-only region, an unknown helper, a call
// chain deeper than MAX_CALL_FRAMES or a spent budget stop the run with an
// error naming the instruction; nothing is dereferenced unchecked.
//
// Freestanding: no heap, no exceptions; the caller provides the stack.
#ifndef VJIT_CORE_INTERP_H
#define VJIT_CORE_INTERP_H

#include "core/semantics.h"

namespace vjit {

constexpr unsigned MAX_CALL_FRAMES = 8;  // as the kernel's MAX_CALL_FRAMES
constexpr size_t INTERP_STACK_BYTES = MAX_CALL_FRAMES * bpf::MAX_BPF_STACK;

struct MemRegion {
	uint64_t base;
	uint64_t len;
	bool writable;
};

// A helper as the JIT calls it: five 64-bit arguments, one result.
using HelperFn = uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

struct HelperEntry {
	int32_t imm;  // CALL's imm (relative to the JIT's call_base)
	HelperFn fn;
};

enum class InterpError : uint8_t {
	NONE,
	OUT_OF_BOUNDS,   // a load or store outside every region
	READ_ONLY,       // a store into a read-only region
	UNKNOWN_HELPER,  // CALL imm not in the helper table
	BAD_OPCODE,      // not an instruction Linux 6.1 accepts
	BAD_PC,          // control left the program
	CALL_DEPTH,      // more than MAX_CALL_FRAMES frames
	TAIL_CALL,       // not modelled
	BUDGET,          // max_steps instructions executed
};

inline const char *interp_error_name(InterpError e) {
	switch (e) {
	case InterpError::NONE: return "none";
	case InterpError::OUT_OF_BOUNDS: return "out-of-bounds memory access";
	case InterpError::READ_ONLY: return "store to read-only memory";
	case InterpError::UNKNOWN_HELPER: return "call to unknown helper";
	case InterpError::BAD_OPCODE: return "invalid instruction";
	case InterpError::BAD_PC: return "jump out of the program";
	case InterpError::CALL_DEPTH: return "too many nested calls";
	case InterpError::TAIL_CALL: return "tail calls are not supported";
	case InterpError::BUDGET: return "instruction budget exhausted";
	}
	return "?";
}

struct InterpConfig {
	const MemRegion *regions = nullptr;
	size_t n_regions = 0;
	const HelperEntry *helpers = nullptr;
	size_t n_helpers = 0;
	// INTERP_STACK_BYTES bytes; frame i's R10 is stack + (i + 1) * 512.
	uint8_t *stack = nullptr;
	uint64_t max_steps = 1u << 24;
};

struct InterpResult {
	InterpError error;
	uint64_t r0;          // R0 at the outermost EXIT
	uint32_t pc;          // instruction at fault (error != NONE)
	uint64_t fault_addr;  // address of a refused access
	uint64_t steps;       // instructions executed
};

namespace interp_detail {

// Memory and helpers for step(); errors are latched and checked after each
// instruction (step() itself cannot stop half-way).
struct Env {
	const InterpConfig *cfg;
	uint64_t stack_lo, stack_hi;  // the live frames' stacks
	InterpError error = InterpError::NONE;
	uint64_t fault_addr = 0;

	// The region holding [addr, addr + n), or nullptr.
	bool find(uint64_t addr, unsigned n, bool *writable) const {
		if (addr >= stack_lo && addr <= stack_hi - n && addr + n > addr) {
			*writable = true;
			return true;
		}
		for (size_t i = 0; i < cfg->n_regions; i++) {
			const MemRegion &r = cfg->regions[i];
			if (addr >= r.base && r.len >= n && addr - r.base <= r.len - n) {
				*writable = r.writable;
				return true;
			}
		}
		return false;
	}
	void fault(InterpError e, uint64_t addr) {
		if (error == InterpError::NONE) {
			error = e;
			fault_addr = addr;
		}
	}

	CBV<64> load(unsigned n, CBV<64> addr) {
		bool w;
		if (!find(addr.v, n, &w)) {
			fault(InterpError::OUT_OF_BOUNDS, addr.v);
			return 0;
		}
		const uint8_t *p = (const uint8_t *)(uintptr_t)addr.v;
		uint64_t v = 0;
		for (unsigned i = 0; i < n; i++)  // little endian, any alignment
			v |= (uint64_t)p[i] << (8 * i);
		return v;
	}
	void store(unsigned n, CBV<64> addr, CBV<64> v) {
		bool w;
		if (!find(addr.v, n, &w)) {
			fault(InterpError::OUT_OF_BOUNDS, addr.v);
			return;
		}
		if (!w) {
			fault(InterpError::READ_ONLY, addr.v);
			return;
		}
		uint8_t *p = (uint8_t *)(uintptr_t)addr.v;
		for (unsigned i = 0; i < n; i++)
			p[i] = (uint8_t)(v.v >> (8 * i));
	}
	CBV<64> call_helper(CBV<32> imm, BpfRegs<Concrete> &regs) {
		for (size_t i = 0; i < cfg->n_helpers; i++)
			if (cfg->helpers[i].imm == (int32_t)imm.v)
				return cfg->helpers[i].fn(regs.r[bpf::R1].v, regs.r[bpf::R2].v,
							  regs.r[bpf::R3].v, regs.r[bpf::R4].v,
							  regs.r[bpf::R5].v);
		fault(InterpError::UNKNOWN_HELPER, 0);
		return 0;
	}
};

// What a bpf-to-bpf call saves: the caller's registers and where to return.
struct Frame {
	CBV<64> saved[bpf::NREGS];
	uint32_t ret_pc;
};

} // namespace interp_detail

// Runs prog[0..len) with R1 = ctx. Returns R0 at the outermost EXIT, or the
// first error.
inline InterpResult interp_run(const Insn *prog, uint32_t len, uint64_t ctx,
			       const InterpConfig &cfg) {
	using namespace bpf;
	InterpResult res{InterpError::NONE, 0, 0, 0, 0};
	interp_detail::Env env;
	env.cfg = &cfg;
	interp_detail::Frame frames[MAX_CALL_FRAMES];
	unsigned depth = 0;  // frames[0..depth) are the callers of the current one
	const uint64_t stack_base = (uint64_t)(uintptr_t)cfg.stack;

	BpfRegs<Concrete> regs;
	for (auto &r : regs.r)
		r = 0;
	regs.r[R1] = ctx;
	regs.r[R10] = stack_base + MAX_BPF_STACK;
	env.stack_lo = stack_base;
	env.stack_hi = regs.r[R10].v;

	uint32_t pc = 0;
	auto stop = [&](InterpError e) {
		res.error = e;
		res.pc = pc;
		return res;
	};
	if (!cfg.stack)
		return stop(InterpError::OUT_OF_BOUNDS);

	for (;;) {
		if (pc >= len)
			return stop(InterpError::BAD_PC);
		if (res.steps >= cfg.max_steps)
			return stop(InterpError::BUDGET);
		res.steps++;
		const Insn &insn = prog[pc];
		if (is_ld_imm64(insn.code) && pc + 1 >= len)
			return stop(InterpError::BAD_PC);
		// The most the kernel hands a JIT (AX, NOSPEC, cpu-v4): callers
		// that take user programs check origin and level first.
		if (insn_check(&insn, len - pc, Isa::V4, Origin::KERNEL) != InsnFault::NONE ||
		    !semantics_defines(insn.code, insn.off, insn.imm, Isa::V4))
			return stop(InterpError::BAD_OPCODE);
		if (insn.code == (JMP | CALL) && insn.src != PSEUDO_CALL && insn.src != 0)
			return stop(InterpError::BAD_OPCODE);  // kfuncs: no table here

		Step<Concrete> s = step<Concrete>(fields_of(&insn), CBV<32>(pc), regs, env);
		if (env.error != InterpError::NONE) {
			res.fault_addr = env.fault_addr;
			return stop(env.error);
		}
		switch (s.flow) {
		case Flow::NEXT:
			pc = (uint32_t)s.next_pc.v;
			break;
		case Flow::CALL_FUNC: {
			if (depth + 1 >= MAX_CALL_FRAMES)
				return stop(InterpError::CALL_DEPTH);
			interp_detail::Frame &f = frames[depth++];
			for (unsigned i = 0; i < NREGS; i++)
				f.saved[i] = regs.r[i];
			f.ret_pc = (uint32_t)s.ret_pc.v;
			// The callee: R1-R5 passed, a fresh 512-byte stack of its own
			// (the caller's stays addressable); its other registers are
			// unreadable to it (verifier), zero here.
			for (unsigned i = 0; i < NREGS; i++)
				if (i < R1 || i > R5)
					regs.r[i] = 0;
			regs.r[R10] = stack_base + (uint64_t)(depth + 1) * MAX_BPF_STACK;
			env.stack_hi = regs.r[R10].v;
			pc = (uint32_t)s.next_pc.v;
			break;
		}
		case Flow::EXIT: {
			if (depth == 0) {
				res.r0 = regs.r[R0].v;
				return res;
			}
			interp_detail::Frame &f = frames[--depth];
			CBV<64> r0 = regs.r[R0];
			for (unsigned i = 0; i < NREGS; i++)
				regs.r[i] = f.saved[i];
			regs.r[R0] = r0;
			env.stack_hi = stack_base + (uint64_t)(depth + 1) * MAX_BPF_STACK;
			pc = f.ret_pc;
			break;
		}
		case Flow::TAIL_CALL:
			return stop(InterpError::TAIL_CALL);
		case Flow::INVALID:
			return stop(InterpError::BAD_OPCODE);
		}
	}
}

} // namespace vjit

#endif
