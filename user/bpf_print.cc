// SPDX-License-Identifier: GPL-2.0
#include "user/bpf_print.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/cbpf_semantics.h"

namespace vjit {
namespace user {
namespace {

using namespace bpf;

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...) {
	char buf[256];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

const char *alu_sym(uint8_t o) {
	switch (o) {
	case ADD: return "+=";
	case SUB: return "-=";
	case MUL: return "*=";
	case DIV: return "/=";
	case OR: return "|=";
	case AND: return "&=";
	case LSH: return "<<=";
	case RSH: return ">>=";
	case MOD: return "%=";
	case XOR: return "^=";
	case MOV: return "=";
	case ARSH: return "s>>=";
	}
	return "?=";
}

const char *jmp_sym(uint8_t o) {
	switch (o) {
	case JEQ: return "==";
	case JNE: return "!=";
	case JGT: return ">";
	case JGE: return ">=";
	case JLT: return "<";
	case JLE: return "<=";
	case JSGT: return "s>";
	case JSGE: return "s>=";
	case JSLT: return "s<";
	case JSLE: return "s<=";
	case JSET: return "&";
	}
	return "?";
}

const char *size_name(uint8_t code) {
	switch (size(code)) {
	case B: return "u8";
	case H: return "u16";
	case W: return "u32";
	default: return "u64";
	}
}

} // namespace

std::string format_insn(const Insn *in, size_t remaining) {
	const uint8_t code = in->code;
	const char r = cls(code) == ALU || cls(code) == JMP32 ? 'w' : 'r';
	switch (cls(code)) {
	case ALU:
	case ALU64:
		if (op(code) == END)
			return fmt("r%u = %s%d r%u", in->dst, srcbit(code) == TO_BE ? "be" : "le",
				   in->imm, in->dst);
		if (op(code) == NEG)
			return fmt("%c%u = -%c%u", r, in->dst, r, in->dst);
		if (srcbit(code) == X)
			return fmt("%c%u %s %c%u", r, in->dst, alu_sym(op(code)), r, in->src);
		return fmt("%c%u %s %d", r, in->dst, alu_sym(op(code)), in->imm);
	case JMP:
	case JMP32:
		switch (op(code)) {
		case JA:
			return fmt("goto %+d", in->off);
		case EXIT:
			return "exit";
		case CALL:
			if (in->src == PSEUDO_CALL)
				return fmt("call pc%+d", in->imm);
			return fmt("call helper imm=%d", in->imm);
		}
		if (srcbit(code) == X)
			return fmt("if %c%u %s %c%u goto %+d", r, in->dst, jmp_sym(op(code)), r,
				   in->src, in->off);
		return fmt("if %c%u %s %d goto %+d", r, in->dst, jmp_sym(op(code)), in->imm, in->off);
	case LDX:
		return fmt("r%u = *(%s *)(r%u %+d)", in->dst, size_name(code), in->src, in->off);
	case ST:
		return fmt("*(%s *)(r%u %+d) = %d", size_name(code), in->dst, in->off, in->imm);
	case STX:
		if (mode(code) == ATOMIC) {
			const char *w = size(code) == DW ? "u64" : "u32";
			switch (in->imm) {
			case XCHG:
				return fmt("r%u = xchg(*(%s *)(r%u %+d), r%u)", in->src, w, in->dst,
					   in->off, in->src);
			case CMPXCHG:
				return fmt("r0 = cmpxchg(*(%s *)(r%u %+d), r0, r%u)", w, in->dst,
					   in->off, in->src);
			}
			return fmt("lock *(%s *)(r%u %+d) %s r%u%s", w, in->dst, in->off,
				   alu_sym((uint8_t)(in->imm & ~FETCH)), in->src,
				   (in->imm & FETCH) ? " (fetch)" : "");
		}
		return fmt("*(%s *)(r%u %+d) = r%u", size_name(code), in->dst, in->off, in->src);
	case LD:
		if (is_ld_imm64(code) && remaining >= 2)
			return fmt("r%u = 0x%llx ll", in->dst,
				   (unsigned long long)((uint64_t)(uint32_t)in[1].imm << 32 |
							(uint32_t)in->imm));
		break;
	}
	return fmt("(invalid opcode 0x%02x)", code);
}

std::string format_classic(const ClassicInsn &in) {
	const uint16_t c = in.code;
	const uint8_t code = (uint8_t)c;
	if (c >= 0x100)
		return fmt("(invalid opcode 0x%04x)", c);
	switch (cls(code)) {
	case LD:
	case LDX: {
		const char *reg = cls(code) == LD ? "A" : "X";
		switch (mode(code)) {
		case IMM: return fmt("%s = %#x", reg, in.k);
		case MEM: return fmt("%s = M[%u]", reg, in.k);
		case cbpf::LEN: return fmt("%s = len", reg);
		case cbpf::MSH: return fmt("X = 4 * (P[%u] & 0xf)", in.k);
		case ABS: return fmt("A = P[%u:%u]", in.k, size(code) == B ? 1 : size(code) == H ? 2 : 4);
		case IND: return fmt("A = P[X + %u:%u]", in.k, size(code) == B ? 1 : size(code) == H ? 2 : 4);
		}
		break;
	}
	case ST: return fmt("M[%u] = A", in.k);
	case STX: return fmt("M[%u] = X", in.k);
	case ALU:
		if (op(code) == NEG)
			return "A = -A";
		if (srcbit(code) == X)
			return fmt("A %s X", alu_sym(op(code)));
		return fmt("A %s %#x", alu_sym(op(code)), in.k);
	case JMP:
		if (op(code) == JA)
			return fmt("goto +%u", in.k);
		return fmt("if A %s %s goto +%u else +%u", jmp_sym(op(code)),
			   srcbit(code) == X ? "X" : fmt("%#x", in.k).c_str(), in.jt, in.jf);
	case cbpf::RET:
		return srcbit(code) == cbpf::RVAL_A ? "ret A" : fmt("ret %#x", in.k);
	case cbpf::MISC:
		return op(code) == cbpf::TXA ? "A = X" : "X = A";
	}
	return fmt("(invalid opcode 0x%04x)", c);
}

std::string format_program(const std::vector<Insn> &prog) {
	std::string s;
	for (size_t i = 0; i < prog.size(); i++) {
		const uint8_t *b = (const uint8_t *)&prog[i];
		s += fmt("%5zu: %02x %02x %02x %02x %02x %02x %02x %02x  ", i, b[0], b[1], b[2],
			 b[3], b[4], b[5], b[6], b[7]);
		s += format_insn(&prog[i], prog.size() - i);
		s += "\n";
		if (is_ld_imm64(prog[i].code) && i + 1 < prog.size()) {
			i++;
			b = (const uint8_t *)&prog[i];
			s += fmt("%5zu: %02x %02x %02x %02x %02x %02x %02x %02x\n", i, b[0], b[1],
				 b[2], b[3], b[4], b[5], b[6], b[7]);
		}
	}
	return s;
}

} // namespace user
} // namespace vjit
