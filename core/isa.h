// SPDX-License-Identifier: GPL-2.0
// The instruction model: for each eBPF opcode and ISA level, what every
// field of the instruction is (Documentation/bpf/standardization/
// instruction-set.rst; the reserved-field checks of the kernel's verifier).
//
// A field is one of
//   ZERO    reserved: must be 0, or the encoding is not an instruction;
//   OPERAND a register, offset or immediate the instruction operates on;
//   SELECT  part of the operation's key (off for sdiv/smod/movsx, imm for
//           END and the atomics), so a codegen table entry is keyed by it.
// The driver refuses anything else, and the verifier builds the fields of
// an entry from the same roles: ZERO and SELECT fields concrete, OPERAND
// fields quantified over. No proof quantifies over an ignored field, and no
// encoding outside the table's keys is ever lowered.
//
// Validity of an encoding is decided here once; whether a backend has a
// rule for it is its table's business (driver: UNSUPPORTED_OPCODE).
#ifndef VJIT_CORE_ISA_H
#define VJIT_CORE_ISA_H

#include "core/bpf.h"

namespace vjit {

// The ISA a program may use: what the kernel the code is built for
// accepts. V3 is Linux 6.1's (v3 plus gotol, which Debian backported); V4
// adds sdiv/smod, movsx, ldsx and bswap (Linux 6.6 and later).
enum class Isa : uint8_t { V3 = 3, V4 = 4 };

// Who wrote the program: a user (registers R0-R10), or the kernel's own
// rewrites (constant blinding uses AX; the verifier inserts NOSPEC).
enum class Origin : uint8_t { USER, KERNEL };

enum class Role : uint8_t { ZERO, OPERAND, SELECT };

// The roles of one encoding's fields; valid is false when the opcode (with
// its selecting fields) is not an instruction at this ISA level.
struct Shape {
	bool valid;
	Role dst, src, off, imm;
};

namespace isa_detail {

constexpr Shape invalid() { return Shape{false, Role::ZERO, Role::ZERO, Role::ZERO, Role::ZERO}; }
constexpr Shape shape(Role dst, Role src, Role off, Role imm) { return Shape{true, dst, src, off, imm}; }
constexpr Role opnd = Role::OPERAND, zero = Role::ZERO, sel = Role::SELECT;

constexpr bool end_width(int32_t imm) { return imm == 16 || imm == 32 || imm == 64; }

constexpr Shape alu_shape(uint8_t code, int16_t off, int32_t imm, Isa isa) {
	using namespace bpf;
	const bool v4 = isa >= Isa::V4, is64 = cls(code) == ALU64, x = srcbit(code) == X;
	switch (op(code)) {
	case END:
		// ALU: to_le/to_be in the X bit. ALU64 | TO_LE: bswap (v4).
		if (!end_width(imm) || (is64 && (x || !v4)))
			return invalid();
		return shape(opnd, zero, zero, sel);
	case NEG:
		return x ? invalid() : shape(opnd, zero, zero, zero);
	case DIV:
	case MOD:
		// off = 1: signed (v4).
		if (off != 0 && !(v4 && off == 1))
			return invalid();
		return shape(opnd, x ? opnd : zero, sel, x ? zero : opnd);
	case MOV:
		// MOV X with off = 8, 16 (and 32 in ALU64): movsx (v4).
		if (!x)
			return shape(opnd, zero, zero, opnd);
		if (off != 0 && !(v4 && (off == 8 || off == 16 || (is64 && off == 32))))
			return invalid();
		return shape(opnd, opnd, sel, zero);
	}
	if (op(code) > ARSH)
		return invalid();
	return shape(opnd, x ? opnd : zero, zero, x ? zero : opnd);
}

constexpr Shape jmp_shape(uint8_t code, uint8_t src) {
	using namespace bpf;
	const bool j32 = cls(code) == JMP32, x = srcbit(code) == X;
	switch (op(code)) {
	case JA:
		// JMP32 | JA is gotol: the offset in imm.
		if (x)
			return invalid();
		return j32 ? shape(zero, zero, zero, opnd) : shape(zero, zero, opnd, zero);
	case CALL:
		if (j32 || x)
			return invalid();
		// A kfunc call's off names the BTF of its module.
		return shape(zero, opnd, src == PSEUDO_KFUNC_CALL ? opnd : zero, opnd);
	case EXIT:
		return j32 || x ? invalid() : shape(zero, zero, zero, zero);
	case TAIL_CALL:
		// The kernel's rewrite of bpf_tail_call(): no fields.
		return j32 || x ? invalid() : shape(zero, zero, zero, zero);
	}
	if (op(code) > JSLE)
		return invalid();
	return shape(opnd, x ? opnd : zero, opnd, x ? zero : opnd);
}

constexpr bool atomic_op(int32_t imm) {
	using namespace bpf;
	switch (imm) {
	case ADD: case AND: case OR: case XOR:
	case ADD | FETCH: case AND | FETCH: case OR | FETCH: case XOR | FETCH:
	case XCHG: case CMPXCHG:
		return true;
	}
	return false;
}

constexpr Shape mem_shape(uint8_t code, int32_t imm, Isa isa) {
	using namespace bpf;
	switch (cls(code)) {
	case LDX:
		if (mode(code) == MEM)
			return shape(opnd, opnd, opnd, zero);
		if (mode(code) == MEMSX && size(code) != DW && isa >= Isa::V4)
			return shape(opnd, opnd, opnd, zero);
		return invalid();
	case ST:
		if (mode(code) == MEM)
			return shape(opnd, zero, opnd, opnd);
		if (code == (ST | NOSPEC))
			return shape(zero, zero, zero, zero);
		return invalid();
	case STX:
		if (mode(code) == MEM)
			return shape(opnd, opnd, opnd, zero);
		if (mode(code) == ATOMIC && (size(code) == W || size(code) == DW) && atomic_op(imm))
			return shape(opnd, opnd, opnd, sel);
		return invalid();
	case LD:
		if (code == (LD | IMM | DW))
			return shape(opnd, opnd, zero, opnd);  // src: the pseudo kind
		// Packet loads of programs converted from classic BPF.
		if ((mode(code) == ABS || mode(code) == IND) && size(code) != DW)
			return shape(zero, mode(code) == IND ? opnd : zero, zero, opnd);
		return invalid();
	}
	return invalid();
}

} // namespace isa_detail

// The roles of the fields of `code` with the given off and imm (which may
// select the operation) at ISA level isa.
constexpr Shape insn_shape(uint8_t code, uint8_t src, int16_t off, int32_t imm, Isa isa) {
	using namespace bpf;
	if (is_alu(code))
		return isa_detail::alu_shape(code, off, imm, isa);
	if (is_jmp(code))
		return isa_detail::jmp_shape(code, src);
	return isa_detail::mem_shape(code, imm, isa);
}

// Does off, or imm, select the operation of `code`? (A table entry is keyed
// by these; see core/jit.h.)
constexpr bool off_selects(uint8_t code) {
	using namespace bpf;
	return is_alu(code) && (op(code) == DIV || op(code) == MOD ||
				(op(code) == MOV && srcbit(code) == X));
}
constexpr bool imm_selects(uint8_t code) {
	using namespace bpf;
	return (is_alu(code) && op(code) == END) || (cls(code) == STX && mode(code) == ATOMIC);
}

// Why an encoding is not an instruction.
enum class InsnFault : uint8_t {
	NONE,
	OPCODE,     // no such opcode (with these selecting fields) at this level
	RESERVED,   // a reserved field is not zero
	REGISTER,   // a register number the program's origin may not use
	IMM64_HALF, // LD_IMM64 without a second slot, or with fields set in it
};

inline const char *insn_fault_name(InsnFault f) {
	switch (f) {
	case InsnFault::NONE: return "ok";
	case InsnFault::OPCODE: return "invalid opcode";
	case InsnFault::RESERVED: return "reserved field not zero";
	case InsnFault::REGISTER: return "invalid register";
	case InsnFault::IMM64_HALF: return "bad LD_IMM64 second slot";
	}
	return "?";
}

constexpr bool field_ok(Role r, int64_t v) { return r != Role::ZERO || v == 0; }

// The kernel's own rewrites leave imm set in register-source ALU and JMP
// instructions, which its interpreter and JITs ignore: the classic-BPF
// converter copies the classic k there, and the verifier's zero-extension
// marker is `mov32 dst, dst` with imm 1. From Origin::KERNEL that imm is
// accepted and cleared before lowering (kernel_fields), so the table only
// sees the encodings its proofs cover.
constexpr bool kernel_ignores_imm(uint8_t code) {
	using namespace bpf;
	return (is_alu(code) && op(code) != END && (srcbit(code) == X || op(code) == NEG)) ||
	       (is_jmp(code) && srcbit(code) == X);
}
// Likewise the converter puts X's register in src of immediate-source ALU
// instructions (and NEG), which read no register there.
constexpr bool kernel_ignores_src(uint8_t code) {
	using namespace bpf;
	return is_alu(code) && op(code) != END && srcbit(code) == K;
}

// Is insns[0] (with insns[1] for LD_IMM64; n slots are available) an
// instruction of the given level and origin? Jump ranges are the driver's.
constexpr InsnFault insn_check(const Insn *insns, uint32_t n, Isa isa, Origin origin) {
	using namespace bpf;
	const Insn &in = insns[0];
	const Shape s = insn_shape(in.code, in.src, in.off, in.imm, isa);
	if (!s.valid)
		return InsnFault::OPCODE;
	const bool imm_ignored = origin == Origin::KERNEL && kernel_ignores_imm(in.code);
	const bool src_ignored = origin == Origin::KERNEL && kernel_ignores_src(in.code);
	if (!field_ok(s.dst, in.dst) || (!src_ignored && !field_ok(s.src, in.src)) ||
	    !field_ok(s.off, in.off) || (!imm_ignored && !field_ok(s.imm, in.imm)))
		return InsnFault::RESERVED;
	const unsigned max_reg = origin == Origin::KERNEL ? AX : R10;
	if (in.dst > max_reg || in.src > max_reg)
		return InsnFault::REGISTER;
	if (in.code == (ST | NOSPEC) && origin != Origin::KERNEL)
		return InsnFault::OPCODE;  // only the kernel's verifier inserts it
	if (in.code == (JMP | CALL) && in.src > PSEUDO_KFUNC_CALL)
		return InsnFault::RESERVED;
	if (is_ld_imm64(in.code)) {
		if (in.src > PSEUDO_MAP_IDX_VALUE)
			return InsnFault::RESERVED;
		if (n < 2)
			return InsnFault::IMM64_HALF;
		const Insn &hi = insns[1];
		if (hi.code != 0 || hi.dst != 0 || hi.src != 0 || hi.off != 0)
			return InsnFault::IMM64_HALF;
	}
	return InsnFault::NONE;
}

// Is `code` (with its selecting off and imm) an instruction the BPF
// semantics (core/semantics.h) defines at level isa? Everything valid
// except the kernel-internal forms it leaves to the kernel's JIT: packet
// loads of converted classic programs and tail calls. The one opcode list
// every table is checked against.
constexpr bool semantics_defines(uint8_t code, int16_t off, int32_t imm, Isa isa) {
	using namespace bpf;
	if (!insn_shape(code, 0, off, imm, isa).valid)
		return false;
	if (cls(code) == LD && !is_ld_imm64(code))
		return false;
	return code != (JMP | TAIL_CALL);
}

// Every instruction the semantics defines at level isa, once per table key
// (opcode, and off / imm where they select the operation; 0 elsewhere):
// f(code, off, imm). The one list every arch's table is measured against.
template <typename F>
constexpr void for_each_insn_key(Isa isa, F &&f) {
	constexpr int16_t offs[] = {0, 1, 8, 16, 32};
	constexpr int32_t widths[] = {16, 32, 64};
	constexpr int32_t atomic_ops[] = {bpf::ADD, bpf::AND, bpf::OR, bpf::XOR,
					  bpf::ADD | bpf::FETCH, bpf::AND | bpf::FETCH, bpf::OR | bpf::FETCH,
					  bpf::XOR | bpf::FETCH, bpf::XCHG, bpf::CMPXCHG};
	constexpr int32_t none[] = {0};
	for (unsigned c = 0; c < 256; c++) {
		const uint8_t code = (uint8_t)c;
		const bool end = bpf::is_alu(code) && bpf::op(code) == bpf::END;
		const int32_t *imms = !imm_selects(code) ? none : end ? widths : atomic_ops;
		const unsigned n_imms = !imm_selects(code) ? 1 : end ? 3 : 10;
		for (int16_t off : offs) {
			if (off != 0 && !off_selects(code))
				break;
			for (unsigned k = 0; k < n_imms; k++)
				if (semantics_defines(code, off, imms[k], isa))
					f(code, off, imms[k]);
		}
	}
}

} // namespace vjit

#endif
