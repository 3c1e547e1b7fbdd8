// SPDX-License-Identifier: GPL-2.0
// Test harness for arm64 code on this host: programs are JITted here with
// the arm64 backend, run in batches by vjit-runner-arm64 under
// qemu-aarch64-static (user/foreign_run.h), and run here by the reference
// interpreter (core/interp.h) on memory at the same addresses, so results
// that depend on R10 or ctx compare too.
#ifndef VJIT_SELFTESTS_ARM64_HARNESS_H
#define VJIT_SELFTESTS_ARM64_HARNESS_H

#include <cstdint>
#include <string>
#include <vector>

#include "core/bpf.h"
#include "core/interp.h"

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

// Fixed addresses, mapped in this process (for the interpreter) and in the
// runner (for the native code).
constexpr uint64_t IMAGE_ADDR = 0x40000000;
constexpr uint64_t DATA_ADDR = 0x50000000;   // R1 = ctx points here
constexpr uint64_t STACK_ADDR = 0x50100000;
constexpr size_t DATA_BYTES = 8192;
constexpr size_t STACK_BYTES = 1 << 16;
// R10 in both executions; the native entry sp is R10 + the frame.
constexpr uint64_t R10_ADDR = STACK_ADDR + STACK_BYTES - 4096;

// The runner's helpers, as CALL imms (relative to helper_base).
enum Helper { HELPER_BASE, HELPER_MIX, HELPER_RET7 };
int32_t helper_imm(Helper h);

struct Outcome {
	int jit_error = 0;
	vjit::InterpError interp_error = vjit::InterpError::NONE;
	std::string native_fault;  // the native run faulted or hung: how
	uint64_t jit_r0 = 0, interp_r0 = 0;
	std::vector<uint8_t> jit_stack, interp_stack;  // [R10 - 512, R10)
	std::vector<uint8_t> jit_data, interp_data;
	std::vector<uint8_t> image;
	// The ISA model (arch/arm64/model.h) run on the same image and memory.
	std::string model_fault;
	uint64_t model_r0 = 0;
	std::vector<uint8_t> model_stack, model_data;
	bool agree() const;        // native == interpreter
	bool model_agrees() const; // model == native
};

// Programs collected, then run at once: natively under qemu, in the
// interpreter, and in the ISA model.
class Batch {
public:
	void add(const std::vector<Insn> &prog, unsigned flags, const std::string &what);
	// Runs everything added; false with *err when the runner could not run.
	bool run(std::string *err);
	size_t size() const { return progs_.size(); }
	const Outcome &outcome(size_t i) const { return outcomes_[i]; }
	const std::string &what(size_t i) const { return whats_[i]; }

private:
	std::vector<std::vector<Insn>> progs_;
	std::vector<unsigned> flags_;
	std::vector<std::string> whats_;
	std::vector<Outcome> outcomes_;
};

// JIT only: the vjit_jit error, and the image in *bytes.
int jit_arm64(const std::vector<Insn> &prog, unsigned flags, std::vector<uint8_t> *bytes);

// capstone's arm64 listing of an image.
std::string disasm(const std::vector<uint8_t> &image);

} // namespace vjit_test

#endif
