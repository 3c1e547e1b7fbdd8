// SPDX-License-Identifier: GPL-2.0
// Classic BPF to eBPF; see cbpf_convert.h for the conventions.
#include "core/cbpf_convert.h"

#include "core/cbpf_semantics.h"

namespace vjit {
namespace {

using namespace bpf;

// Register roles (as Linux's bpf_convert_filter).
enum : uint8_t {
	REG_A = R0,
	REG_X = R7,
	REG_CTX = R6,
	REG_DATA = R8,  // packet data, socket filters
	REG_HLEN = R9,  // linear head length, socket filters
	REG_TMP = R2,
	REG_FP = R10,
};

constexpr uint32_t SKF_AD_OFF = 0xfffff000u;  // (u32)-0x1000
constexpr uint32_t SKF_AD_MAX = 64;
constexpr uint32_t SKF_AD_ALU_XOR_X = 40;

// Classic opcodes, spelled as struct sock_filter codes.
enum : uint16_t {
	C_RET_K = cbpf::RET | cbpf::RVAL_K,
	C_RET_A = cbpf::RET | cbpf::RVAL_A,
	C_TAX = cbpf::MISC | cbpf::TAX,
	C_TXA = cbpf::MISC | cbpf::TXA,
	C_LD_IMM = LD | W | IMM,
	C_LDX_IMM = LDX | W | IMM,
	C_LD_MEM = LD | W | MEM,
	C_LDX_MEM = LDX | W | MEM,
	C_LD_LEN = LD | W | cbpf::LEN,
	C_LDX_LEN = LDX | W | cbpf::LEN,
	C_LDX_MSH = LDX | B | cbpf::MSH,
	C_ST = ST,
	C_STX = STX,
	C_JA = JMP | JA,
};

bool is_cond_jump(uint16_t c) {
	return cls((uint8_t)c) == JMP && c < 0x100 && op((uint8_t)c) != JA &&
	       (op((uint8_t)c) == JEQ || op((uint8_t)c) == JGT || op((uint8_t)c) == JGE ||
		op((uint8_t)c) == JSET);
}

bool is_packet_load(uint16_t c) {
	return c == (LD | W | ABS) || c == (LD | H | ABS) || c == (LD | B | ABS) ||
	       c == (LD | W | IND) || c == (LD | H | IND) || c == (LD | B | IND);
}

// The classic opcodes bpf_check_classic takes (chk_code_allowed).
bool classic_code_known(uint16_t c) {
	if (c >= 0x100)
		return false;
	const uint8_t code = (uint8_t)c;
	switch (cls(code)) {
	case ALU:
		switch (op(code)) {
		case ADD: case SUB: case MUL: case DIV: case MOD: case AND:
		case OR: case XOR: case LSH: case RSH:
			return true;
		case NEG:
			return srcbit(code) == K;
		}
		return false;
	case JMP:
		if (code == C_JA)
			return true;
		return is_cond_jump(c);
	}
	switch (c) {
	case C_RET_K: case C_RET_A: case C_TAX: case C_TXA:
	case C_LD_IMM: case C_LDX_IMM: case C_LD_MEM: case C_LDX_MEM:
	case C_LD_LEN: case C_LDX_LEN: case C_LDX_MSH: case C_ST: case C_STX:
		return true;
	}
	return is_packet_load(c);
}

// What seccomp_check_filter lets through (besides LD W ABS and the LENs,
// which it rewrites): no other packet loads, no MOD.
bool seccomp_code_allowed(uint16_t c) {
	if (is_packet_load(c) && c != (LD | W | ABS))
		return false;
	if (c == C_LDX_MSH)
		return false;
	if (cls((uint8_t)c) == ALU && op((uint8_t)c) == MOD)
		return false;
	return true;
}

bool is_extension(const ClassicInsn &in) {
	return cls((uint8_t)in.code) == LD && mode((uint8_t)in.code) == ABS && in.k >= SKF_AD_OFF;
}

bool extension_known(uint32_t k) {
	uint32_t e = k - SKF_AD_OFF;
	return e < SKF_AD_MAX && e % 4 == 0;
}

CbpfConvertResult fail(CbpfError e, uint32_t at) {
	return CbpfConvertResult{e, at, 0, 0};
}

// check_load_and_stores: every M[k] read must follow a write on every path.
// masks[pc] holds the slots written on every path reaching pc by a jump.
CbpfConvertResult check_scratch(const ClassicInsn *prog, uint32_t n, uint32_t *masks) {
	for (uint32_t i = 0; i < n; i++)
		masks[i] = 0xffff;
	uint32_t valid = 0;
	for (uint32_t pc = 0; pc < n; pc++) {
		valid &= masks[pc];
		const ClassicInsn &in = prog[pc];
		switch (in.code) {
		case C_ST:
		case C_STX:
			valid |= 1u << in.k;
			break;
		case C_LD_MEM:
		case C_LDX_MEM:
			if (!(valid & (1u << in.k)))
				return fail(CbpfError::SCRATCH_READ_BEFORE_WRITE, pc);
			break;
		case C_JA:
			masks[pc + 1 + in.k] &= valid;
			valid = 0xffff;  // the next instruction is reached only by jumps
			break;
		default:
			if (is_cond_jump(in.code)) {
				masks[pc + 1 + in.jt] &= valid;
				masks[pc + 1 + in.jf] &= valid;
				valid = 0xffff;
			}
		}
	}
	return CbpfConvertResult{CbpfError::NONE, 0, 0, 0};
}

constexpr Insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
	return Insn{code, dst, src, off, imm};
}
constexpr Insn mov64_reg(uint8_t dst, uint8_t src) { return mk(ALU64 | MOV | X, dst, src, 0, 0); }
constexpr Insn mov64_imm(uint8_t dst, int32_t imm) { return mk(ALU64 | MOV | K, dst, 0, 0, imm); }
constexpr Insn mov32_reg(uint8_t dst, uint8_t src) { return mk(ALU | MOV | X, dst, src, 0, 0); }
constexpr Insn mov32_imm(uint8_t dst, int32_t imm) { return mk(ALU | MOV | K, dst, 0, 0, imm); }
constexpr Insn alu32_reg(uint8_t o, uint8_t dst, uint8_t src) { return mk(ALU | o | X, dst, src, 0, 0); }
constexpr Insn alu32_imm(uint8_t o, uint8_t dst, int32_t imm) { return mk(ALU | o | K, dst, 0, 0, imm); }
constexpr Insn alu64_imm(uint8_t o, uint8_t dst, int32_t imm) { return mk(ALU64 | o | K, dst, 0, 0, imm); }
constexpr Insn ldx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return mk(LDX | MEM | sz, dst, src, off, 0); }
constexpr Insn stx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return mk(STX | MEM | sz, dst, src, off, 0); }
constexpr Insn jmp_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off) { return mk(JMP | o | K, dst, 0, off, imm); }
constexpr Insn ja(int16_t off) { return mk(JMP | JA, 0, 0, off, 0); }
constexpr Insn call(int32_t imm) { return mk(JMP | CALL, 0, 0, 0, imm); }
constexpr Insn exit_insn() { return mk(JMP | EXIT, 0, 0, 0, 0); }

// Builds the eBPF for one classic instruction into buf.
struct Expander {
	const CbpfConvertOptions &opts;
	const uint32_t *addrs;  // nullptr on the sizing pass
	uint32_t n;
	Insn buf[CBPF_MAX_EXPANSION];
	uint32_t len = 0;
	CbpfError error = CbpfError::NONE;
	uint32_t stack_depth = 0;

	void put(Insn in) {
		if (len < CBPF_MAX_EXPANSION)
			buf[len] = in;
		len++;
	}
	// A jump written now at buf[len], from classic instruction i to classic
	// instruction `target`.
	void put_jump(Insn in, uint32_t i, uint32_t target) {
		int32_t off = 0;
		if (addrs) {
			off = (int32_t)addrs[target] - (int32_t)(addrs[i] + len) - 1;
			if (off < -32768 || off > 32767)
				error = CbpfError::JUMP_TOO_FAR;
		}
		in.off = (int16_t)off;
		put(in);
	}

	// A = P[k] or P[X + k], big endian; a failed load returns 0.
	void packet_load(uint8_t size, bool indirect, uint32_t k) {
		const CbpfSocketAbi &abi = opts.socket;
		const unsigned bytes = size == B ? 1 : size == H ? 2 : 4;
		const bool swap = bytes > 1;
		const int32_t offset = (int32_t)k;
		if (!indirect && abi.direct_head_loads && offset >= 0) {
			// if ((s64)(hlen - k) < size) goto helper;
			// A = *(size *)(data + k); A = be(A); goto done;
			const bool off_fits = offset <= 32767;
			put(mov64_reg(REG_TMP, REG_HLEN));
			if (offset)
				put(alu64_imm(SUB, REG_TMP, offset));
			put(jmp_imm(JSLT, REG_TMP, (int32_t)bytes,
				    (int16_t)(2 + swap + (off_fits ? 0 : 2))));
			if (off_fits) {
				put(ldx(size, REG_A, REG_DATA, (int16_t)offset));
			} else {
				put(mov64_reg(REG_TMP, REG_DATA));
				put(alu64_imm(ADD, REG_TMP, offset));
				put(ldx(size, REG_A, REG_TMP, 0));
			}
			if (swap)
				put(mk(ALU | END | TO_BE, REG_A, 0, 0, (int32_t)(bytes * 8)));
			put(ja(8));  // over the helper call below (8 instructions)
		}
		// A = helper(ctx, data, hlen, offset); if ((s64)A < 0) return 0;
		put(mov64_reg(R1, REG_CTX));
		put(mov64_reg(R2, REG_DATA));
		put(mov64_reg(R3, REG_HLEN));
		if (!indirect) {
			put(mov64_imm(R4, offset));
		} else {
			put(mov64_reg(R4, REG_X));
			if (k)
				put(alu64_imm(ADD, R4, offset));
		}
		put(call(abi.load_helper[bytes == 1 ? 0 : bytes == 2 ? 1 : 2]));
		put(jmp_imm(JSGE, REG_A, 0, 2));
		put(alu32_reg(XOR, REG_A, REG_A));
		put(exit_insn());
	}

	void expand(const ClassicInsn &in, uint32_t i) {
		const uint16_t c = in.code;
		const uint8_t code = (uint8_t)c;
		const int32_t k = (int32_t)in.k;
		const bool seccomp = opts.mode == CbpfMode::SECCOMP;

		if (cls(code) == ALU) {
			if (op(code) == NEG) {
				put(mk(ALU | NEG | K, REG_A, 0, 0, 0));
				return;
			}
			if (srcbit(code) == X && (op(code) == DIV || op(code) == MOD)) {
				// Classic division by zero returns 0 from the filter.
				put(mov32_reg(REG_X, REG_X));
				put(jmp_imm(JNE, REG_X, 0, 2));
				put(alu32_reg(XOR, REG_A, REG_A));
				put(exit_insn());
			}
			if (srcbit(code) == X)
				put(alu32_reg(op(code), REG_A, REG_X));
			else
				put(alu32_imm(op(code), REG_A, k));
			return;
		}
		if (is_cond_jump(c)) {
			uint8_t src_form = srcbit(code);
			Insn j = mk(0, REG_A, 0, 0, 0);
			if (src_form == K && k < 0) {
				// eBPF sign-extends imm to 64 bits; A is zero-extended,
				// so compare with the 32-bit constant in a register.
				put(mov32_imm(REG_TMP, k));
				j.src = REG_TMP;
				src_form = X;
			} else if (src_form == X) {
				j.src = REG_X;
			} else {
				j.imm = k;
			}
			uint8_t o = op(code);
			if (in.jf == 0) {
				j.code = JMP | o | src_form;
				put_jump(j, i, i + 1 + in.jt);
				return;
			}
			if (in.jt == 0 && o != JSET) {
				// Fall through on true: jump on the negation.
				j.code = JMP | (o == JEQ ? JNE : o == JGT ? JLE : JLT) | src_form;
				put_jump(j, i, i + 1 + in.jf);
				return;
			}
			j.code = JMP | o | src_form;
			put_jump(j, i, i + 1 + in.jt);
			put_jump(ja(0), i, i + 1 + in.jf);
			return;
		}
		switch (c) {
		case C_JA:
			put_jump(ja(0), i, i + 1 + in.k);
			return;
		case C_RET_K:
			put(mov32_imm(R0, k));
			put(exit_insn());
			return;
		case C_RET_A:
			put(exit_insn());  // A is R0
			return;
		case C_ST:
		case C_STX: {
			const int32_t stack_off = (int32_t)in.k * 4 + 4;
			put(stx(W, REG_FP, c == C_ST ? REG_A : REG_X, (int16_t)-stack_off));
			if ((uint32_t)stack_off > stack_depth)
				stack_depth = (uint32_t)stack_off;
			return;
		}
		case C_LD_MEM:
		case C_LDX_MEM:
			put(ldx(W, c == C_LD_MEM ? REG_A : REG_X, REG_FP, (int16_t)-((int32_t)in.k * 4 + 4)));
			return;
		case C_LD_IMM:
		case C_LDX_IMM:
			put(mov32_imm(c == C_LD_IMM ? REG_A : REG_X, k));
			return;
		case C_TAX:
			put(mov64_reg(REG_X, REG_A));
			return;
		case C_TXA:
			put(mov64_reg(REG_A, REG_X));
			return;
		case C_LD_LEN:
		case C_LDX_LEN: {
			const uint8_t dst = c == C_LD_LEN ? REG_A : REG_X;
			if (seccomp)
				put(mov32_imm(dst, (int32_t)SECCOMP_DATA_SIZE));
			else
				put(ldx(W, dst, REG_CTX, opts.socket.len_off));
			return;
		}
		case C_LDX_MSH:
			// X = 4 * (P[k] & 0xf); A is kept in X across the load.
			put(mov64_reg(REG_X, REG_A));
			packet_load(B, false, in.k);
			put(alu32_imm(AND, REG_A, 0xf));
			put(alu32_imm(LSH, REG_A, 2));
			put(mov64_reg(REG_TMP, REG_X));
			put(mov64_reg(REG_X, REG_A));
			put(mov64_reg(REG_A, REG_TMP));
			return;
		}
		if (is_packet_load(c)) {
			if (seccomp) {
				// seccomp_data field, checked aligned and in range.
				put(ldx(W, REG_A, REG_CTX, (int16_t)in.k));
				return;
			}
			if (is_extension(in)) {
				// Only the extension that needs no sk_buff (checked).
				put(alu32_reg(XOR, REG_A, REG_X));
				return;
			}
			packet_load(size(code), mode(code) == IND, in.k);
			return;
		}
		error = CbpfError::BAD_OPCODE;  // unreachable after cbpf_check
	}
};

bool needs_packet_regs(const ClassicInsn *prog, uint32_t n, CbpfMode mode) {
	if (mode != CbpfMode::SOCKET)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (prog[i].code == C_LDX_MSH || (is_packet_load(prog[i].code) && !is_extension(prog[i])))
			return true;
	return false;
}

} // namespace

const char *cbpf_error_name(CbpfError e) {
	switch (e) {
	case CbpfError::NONE: return "ok";
	case CbpfError::EMPTY: return "empty program";
	case CbpfError::TOO_LONG: return "more than 4096 instructions";
	case CbpfError::BAD_OPCODE: return "unknown classic opcode";
	case CbpfError::DIV_BY_ZERO: return "division or modulo by constant 0";
	case CbpfError::BAD_SHIFT: return "shift by constant >= 32";
	case CbpfError::BAD_SCRATCH_INDEX: return "scratch memory index >= 16";
	case CbpfError::JUMP_OUT_OF_RANGE: return "jump out of the program";
	case CbpfError::NO_RET_AT_END: return "last instruction is not RET";
	case CbpfError::SCRATCH_READ_BEFORE_WRITE: return "scratch memory read before written";
	case CbpfError::UNKNOWN_EXTENSION: return "unknown ancillary load (k >= SKF_AD_OFF)";
	case CbpfError::UNSUPPORTED_EXTENSION: return "ancillary load needs a kernel sk_buff";
	case CbpfError::SECCOMP_BAD_LOAD: return "seccomp load not 4-byte aligned inside seccomp_data";
	case CbpfError::SECCOMP_BAD_OPCODE: return "opcode not allowed in seccomp filters";
	case CbpfError::JUMP_TOO_FAR: return "converted jump beyond 16-bit offset";
	case CbpfError::OUTPUT_TOO_SMALL: return "output buffer too small";
	}
	return "?";
}

CbpfConvertResult cbpf_check(const ClassicInsn *prog, uint32_t n, CbpfMode mode,
			     uint32_t *work) {
	if (n == 0)
		return fail(CbpfError::EMPTY, 0);
	if (n > cbpf::MAXINSNS)
		return fail(CbpfError::TOO_LONG, 0);
	for (uint32_t pc = 0; pc < n; pc++) {
		const ClassicInsn &in = prog[pc];
		const uint16_t c = in.code;
		if (!classic_code_known(c))
			return fail(CbpfError::BAD_OPCODE, pc);
		const uint8_t code = (uint8_t)c;
		if (cls(code) == ALU && srcbit(code) == K) {
			if ((op(code) == DIV || op(code) == MOD) && in.k == 0)
				return fail(CbpfError::DIV_BY_ZERO, pc);
			if ((op(code) == LSH || op(code) == RSH) && in.k >= 32)
				return fail(CbpfError::BAD_SHIFT, pc);
		}
		if ((c == C_LD_MEM || c == C_LDX_MEM || c == C_ST || c == C_STX) &&
		    in.k >= cbpf::MEMWORDS)
			return fail(CbpfError::BAD_SCRATCH_INDEX, pc);
		if (c == C_JA && in.k >= n - pc - 1)
			return fail(CbpfError::JUMP_OUT_OF_RANGE, pc);
		if (is_cond_jump(c) && (pc + in.jt + 1 >= n || pc + in.jf + 1 >= n))
			return fail(CbpfError::JUMP_OUT_OF_RANGE, pc);
		if (is_extension(in) && !extension_known(in.k))
			return fail(CbpfError::UNKNOWN_EXTENSION, pc);
		if (mode == CbpfMode::SECCOMP) {
			if (!seccomp_code_allowed(c))
				return fail(CbpfError::SECCOMP_BAD_OPCODE, pc);
			if (c == (LD | W | ABS) && (in.k >= SECCOMP_DATA_SIZE || (in.k & 3)))
				return fail(CbpfError::SECCOMP_BAD_LOAD, pc);
		} else if (is_extension(in) && in.k != SKF_AD_OFF + SKF_AD_ALU_XOR_X) {
			return fail(CbpfError::UNSUPPORTED_EXTENSION, pc);
		}
	}
	if (prog[n - 1].code != C_RET_K && prog[n - 1].code != C_RET_A)
		return fail(CbpfError::NO_RET_AT_END, n - 1);
	return check_scratch(prog, n, work);
}

CbpfConvertResult cbpf_convert(const ClassicInsn *prog, uint32_t n,
			       const CbpfConvertOptions &opts, Insn *out,
			       uint32_t out_cap, uint32_t *work) {
	CbpfConvertResult r = cbpf_check(prog, n, opts.mode, work);
	if (r.error != CbpfError::NONE)
		return r;

	const bool packet_regs = needs_packet_regs(prog, n, opts.mode);
	const CbpfSocketAbi &abi = opts.socket;
	// Pass 0 sizes each instruction (lengths never depend on offsets) and
	// fills work[] with eBPF indices; pass 1 writes with the offsets known.
	for (int pass = 0; pass < 2; pass++) {
		const bool writing = pass == 1;
		uint32_t len = 0;
		uint32_t stack_depth = 0;
		auto emit = [&](const Insn &in) {
			if (writing && len < out_cap)
				out[len] = in;
			len++;
		};
		// Classic BPF starts with A = X = 0; ctx lives in R6.
		emit(alu32_reg(XOR, REG_A, REG_A));
		emit(alu32_reg(XOR, REG_X, REG_X));
		emit(mov64_reg(REG_CTX, R1));
		if (packet_regs) {
			// data = skb->data; hlen = skb->len - skb->data_len
			emit(ldx(DW, REG_DATA, REG_CTX, abi.data_off));
			emit(ldx(W, REG_HLEN, REG_CTX, abi.len_off));
			emit(ldx(W, REG_TMP, REG_CTX, abi.data_len_off));
			emit(alu32_reg(SUB, REG_HLEN, REG_TMP));
		}
		for (uint32_t i = 0; i < n; i++) {
			if (!writing)
				work[i] = len;
			Expander x{opts, writing ? work : nullptr, n, {}, 0, CbpfError::NONE, 0};
			x.expand(prog[i], i);
			if (x.error != CbpfError::NONE)
				return fail(x.error, i);
			if (x.len > CBPF_MAX_EXPANSION)
				return fail(CbpfError::BAD_OPCODE, i);  // a bug here, not in prog
			for (uint32_t j = 0; j < x.len; j++)
				emit(x.buf[j]);
			if (x.stack_depth > stack_depth)
				stack_depth = x.stack_depth;
		}
		if (!writing)
			work[n] = len;
		if (writing || !out) {
			r.len = len;
			r.stack_depth = stack_depth;
			if (!out)
				return r;
		}
		if (!writing && len > out_cap)
			return CbpfConvertResult{CbpfError::OUTPUT_TOO_SMALL, 0, len, stack_depth};
	}
	return r;
}

} // namespace vjit
