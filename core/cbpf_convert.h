// SPDX-License-Identifier: GPL-2.0
// Classic BPF (struct sock_filter) to eBPF, as Linux 6.1 converts it
// (bpf_convert_filter in net/core/filter.c), for the JIT to compile.
//
// Register conventions, as the kernel's:
//   A = R0, X = R7          classic accumulator and index, 32-bit values
//   R6 = ctx                R1 on entry, kept in a callee-saved register
//   R8 = packet data        socket filters only (skb->data)
//   R9 = head length        socket filters only (len - data_len)
//   R2 = scratch            clobbered by helper calls, never live across one
//   M[k] = *(u32 *)(R10 - 4 * k - 4)
//
// Two modes:
//   SECCOMP  ctx is a struct seccomp_data; LD W ABS k is a 32-bit load from
//            ctx + k (k aligned, < 64), LD/LDX W LEN is 64, as
//            seccomp_check_filter rewrites them; other packet loads and MOD
//            are invalid, as seccomp refuses them.
//   SOCKET   ctx is an sk_buff-like struct whose layout CbpfSocketAbi gives;
//            packet loads first try the linear head directly, then call a
//            load helper (skb, data, headlen, offset) that returns the
//            big-endian value or a negative number; a failed load (out of
//            bounds) returns 0 from the filter. Division by a zero X returns
//            0 from the filter in both modes.
//
// The program is validated first, as bpf_check_classic (and, for seccomp,
// seccomp_check_filter) would: known opcodes only, division by constant 0,
// shifts by >= 32, scratch index >= 16, jumps out of range, no RET at the
// end, a scratch read before a write on some path.
//
// Freestanding (the kernel module will convert INET-DIAG and socket filters
// with it): no heap; the caller gives the output and a work array.
#ifndef VJIT_CORE_CBPF_CONVERT_H
#define VJIT_CORE_CBPF_CONVERT_H

#include "core/bpf.h"

namespace vjit {

enum class CbpfMode : uint8_t { SECCOMP, SOCKET };

// Where a socket filter's ctx keeps what packet loads need.
struct CbpfSocketAbi {
	int16_t data_off;      // u64: address of the packet's first byte
	int16_t len_off;       // u32: packet length (LD W LEN)
	int16_t data_len_off;  // u32: bytes beyond the linear head
	int32_t load_helper[3];  // CALL imm of the 1-, 2- and 4-byte load helpers
	bool direct_head_loads;  // LD ABS tries the head before the helper
};

struct CbpfConvertOptions {
	CbpfMode mode = CbpfMode::SECCOMP;
	CbpfSocketAbi socket = {};
};

enum class CbpfError : uint8_t {
	NONE,
	EMPTY,                  // no instructions
	TOO_LONG,               // more than 4096 instructions
	BAD_OPCODE,             // not a classic opcode Linux accepts
	DIV_BY_ZERO,            // DIV/MOD by constant 0
	BAD_SHIFT,              // LSH/RSH by constant >= 32
	BAD_SCRATCH_INDEX,      // M[k] with k >= 16
	JUMP_OUT_OF_RANGE,      // a jump past the last instruction
	NO_RET_AT_END,          // the last instruction is not RET
	SCRATCH_READ_BEFORE_WRITE,
	UNKNOWN_EXTENSION,      // LD ABS k >= SKF_AD_OFF that is no extension
	UNSUPPORTED_EXTENSION,  // an extension that needs a real sk_buff
	SECCOMP_BAD_LOAD,       // LD W ABS k unaligned or beyond seccomp_data
	SECCOMP_BAD_OPCODE,     // valid classic, refused by seccomp
	JUMP_TOO_FAR,           // converted jump offset beyond 16 bits
	OUTPUT_TOO_SMALL,
};

const char *cbpf_error_name(CbpfError e);

struct CbpfConvertResult {
	CbpfError error;
	uint32_t bad_insn;     // classic index of the offending instruction
	uint32_t len;          // eBPF instructions written (or needed)
	uint32_t stack_depth;  // bytes below R10 the program uses
};

constexpr uint32_t SECCOMP_DATA_SIZE = 64;  // sizeof(struct seccomp_data)
constexpr uint32_t CBPF_MAX_EXPANSION = 24; // eBPF insns per classic insn, at most

// Validates prog[0..n) for `mode`. work: n entries.
CbpfConvertResult cbpf_check(const ClassicInsn *prog, uint32_t n, CbpfMode mode,
			     uint32_t *work);

// Validates and converts. out may be nullptr to learn the length; otherwise
// out_cap entries. work: n + 1 entries (classic index -> eBPF index).
CbpfConvertResult cbpf_convert(const ClassicInsn *prog, uint32_t n,
			       const CbpfConvertOptions &opts, Insn *out,
			       uint32_t out_cap, uint32_t *work);

} // namespace vjit

#endif
