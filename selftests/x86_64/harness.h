// SPDX-License-Identifier: GPL-2.0
// Test harness: JIT a program with the x86-64 backend into executable
// memory near the test binary's text (so helper calls reach), run it on a
// stack of our own (so R10 has a known address), and run the same program
// through the reference interpreter (core/interp.h) with R10 at the same
// address, so that results that depend on R10 compare too.
#ifndef VJIT_SELFTESTS_X86_64_HARNESS_H
#define VJIT_SELFTESTS_X86_64_HARNESS_H

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/bpf.h"
#include "core/interp.h"
#include "core/vjit_jit.h"

extern "C" {
VJIT_DECLARE_BACKEND(x86_64)
}

namespace vjit_test {

using vjit::Insn;
namespace bpf = vjit::bpf;

// Instruction builders.
inline Insn I(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
	Insn i;
	i.code = code;
	i.dst = dst;
	i.src = src;
	i.off = off;
	i.imm = imm;
	return i;
}
inline void ld_imm64(std::vector<Insn> &p, uint8_t dst, uint64_t v) {
	p.push_back(I(bpf::LD | bpf::IMM | bpf::DW, dst, 0, 0, (int32_t)(uint32_t)v));
	p.push_back(I(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}
inline Insn exit_insn() { return I(bpf::JMP | bpf::EXIT, 0, 0, 0, 0); }

// Test helpers callable from BPF (CALL imm = helper - call_base).
uint64_t helper_base(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
uint64_t helper_mix(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
uint64_t helper_ret7(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
int32_t helper_imm(vjit::HelperFn f);

constexpr size_t DATA_BYTES = 256;
constexpr size_t STACK_BYTES = 1 << 16;

// One environment both executions share, reset before each.
struct Machine {
	uint8_t *image = nullptr;   // RWX, near the text
	size_t image_cap = 0;
	uint8_t *stack = nullptr;   // our own call stack for the JITted code
	uint64_t r10 = 0;           // R10 in both executions
	uint8_t data[DATA_BYTES];   // ctx / memory region (R1 points here)

	Machine();
	~Machine();
};

struct Outcome {
	int jit_error = 0;          // vjit_jit_error
	vjit::InterpError interp_error = vjit::InterpError::NONE;
	uint64_t jit_r0 = 0, interp_r0 = 0;
	std::vector<uint8_t> jit_stack, interp_stack;  // [R10 - 512, R10)
	std::vector<uint8_t> jit_data, interp_data;
	uint32_t image_len = 0;
	std::string jit_fault;      // the JITted code faulted or hung: what happened
};

// JIT + run, interpret, and collect both results. The initial contents of
// the BPF stack and the data region are a fixed pattern.
Outcome run_both(Machine &m, const std::vector<Insn> &prog, unsigned flags = 0);

// JIT only (no run); returns the vjit_jit error.
int jit_only(Machine &m, const std::vector<Insn> &prog, std::vector<uint8_t> *bytes = nullptr,
	     unsigned flags = 0, uint64_t return_thunk = 0, unsigned max_image_len = 0);

// Text of a disassembly (capstone) of bytes, one instruction per line.
std::string disasm(const uint8_t *p, size_t n);

} // namespace vjit_test

#endif
