// SPDX-License-Identifier: GPL-2.0
// Test harness for riscv64 code on this (x86) host: JIT programs with the
// riscv64 backend for the runner's fixed image address, run them in one
// batch under qemu-riscv64-static (runner.cc), and run the same programs
// through the reference interpreter (core/interp.h) with the ctx and the
// stack at the same addresses, mapped here, so that results that depend
// on addresses compare too.
#ifndef VJIT_SELFTESTS_RISCV64_HARNESS_H
#define VJIT_SELFTESTS_RISCV64_HARNESS_H

#include <cstdint>
#include <string>
#include <vector>

#include "core/bpf.h"
#include "core/interp.h"
#include "selftests/riscv64/runner_abi.h"

namespace vjit_test {

using vjit::Insn;
namespace bpf = vjit::bpf;

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

// One run of native code under qemu: the image, the data and stack it
// starts with, and what it left.
struct Job {
	std::vector<uint8_t> image;
	std::vector<uint8_t> data, stack;  // DATA_BYTES, STACK_DUMP
	uint64_t a0 = 0;
	uint32_t status = 0;               // 0: returned; else the signal
	std::vector<uint8_t> data_out, stack_out;
};
// Runs every job in one runner process; false with err if the runner failed.
bool run_jobs(std::vector<Job> &jobs, std::string *err);

// The initial data and stack of every job (a fixed pattern).
std::vector<uint8_t> data_pattern();
std::vector<uint8_t> stack_pattern();

// CALL imm of the test helpers (relative to the runner's call_base).
int32_t helper_mix_imm();
int32_t helper_ret7_imm();

// JIT prog for the runner; returns the vjit_jit error (0: ok).
int jit_riscv64(const std::vector<Insn> &prog, std::vector<uint8_t> *image);

// The interpreter on the same program, memory at the runner's addresses.
struct InterpOut {
	vjit::InterpError error;
	uint64_t r0;
	std::vector<uint8_t> data, stack;
};
InterpOut interpret(const std::vector<Insn> &prog);

// objdump's text of an image, one instruction per line.
std::string disasm(const std::vector<uint8_t> &image);

} // namespace vjit_test

#endif
