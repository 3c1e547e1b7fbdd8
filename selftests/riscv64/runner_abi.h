// SPDX-License-Identifier: GPL-2.0
// What the host tests and the riscv64 runner (runner.cc, run under
// qemu-riscv64-static) agree on: fixed guest addresses for the image, the
// data region (ctx) and the stack, the batch file format, and the test
// helpers, whose code both sides compile (so the interpreter on the host
// and the JITted code under qemu call the same functions).
#ifndef VJIT_SELFTESTS_RISCV64_RUNNER_ABI_H
#define VJIT_SELFTESTS_RISCV64_RUNNER_ABI_H

#include <stdint.h>

namespace rv_runner {

constexpr uint64_t IMAGE_ADDR = 0x40000000ull;
constexpr uint32_t IMAGE_CAP = 1u << 20;
constexpr uint64_t DATA_ADDR = 0x50000000ull;
constexpr uint32_t DATA_BYTES = 4096;
constexpr uint64_t STACK_ADDR = 0x60000000ull;
constexpr uint32_t STACK_BYTES = 1u << 16;
// sp on entry to the image (16-aligned); the dumped stack is the
// STACK_DUMP bytes below it.
constexpr uint64_t ENTRY_SP = STACK_ADDR + STACK_BYTES - 64;
constexpr uint32_t STACK_DUMP = 1024;

// Batch file, little endian, jobs back to back:
//   in:  u32 image_len; image; data[DATA_BYTES]; stack[STACK_DUMP]
//   out: u64 a0 after the call; u32 status (0 returned, else the signal);
//        data[DATA_BYTES]; stack[STACK_DUMP]
// The image is called as uint64_t image(void *ctx = DATA_ADDR) with sp =
// ENTRY_SP.

// Test helpers (CALL imm = helper - call_base; call_base is the first).
inline uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return (a * 0x9e3779b97f4a7c15ull) ^ (b << 1) ^ (c + 3) ^ (d * 5) ^ (e >> 3);
}
inline uint64_t helper_ret7(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 7; }

} // namespace rv_runner

#endif
