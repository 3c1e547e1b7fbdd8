// SPDX-License-Identifier: GPL-2.0
// Encoders against an independent decoder (capstone): every encoder over
// every register and a spread of immediates/displacements must decode as
// exactly one instruction, of exactly the emitted length, whose text is the
// expected one. Plus golden (form, bytes, asm) triples.
#include <capstone/capstone.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "arch/x86_64/encode.h"
#include "arch/x86_64/lower.h"

using namespace vjit;
using namespace vjit::x86_64;
using C = Concrete;

namespace {

const char *const kReg64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
const char *const kReg32[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
				"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
const char *const kReg16[16] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
				"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
const char *const kReg8[16] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
			       "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
const char *const kCond[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
			       "s", "ns", "p", "np", "l", "ge", "le", "g"};

std::string reg(Sz sz, unsigned r) {
	switch (sz) {
	case Sz::B8: return kReg8[r];
	case Sz::W16: return kReg16[r];
	case Sz::D32: return kReg32[r];
	case Sz::Q64: return kReg64[r];
	}
	return "?";
}
const char *ptr(Sz sz) {
	return sz == Sz::B8 ? "byte ptr " : sz == Sz::W16 ? "word ptr " : sz == Sz::D32 ? "dword ptr " : "qword ptr ";
}
unsigned bits(Sz sz) { return sz == Sz::B8 ? 8 : sz == Sz::W16 ? 16 : sz == Sz::D32 ? 32 : 64; }

// Capstone's number style: decimal up to 9, else 0x-hex.
std::string num(uint64_t v) {
	char b[32];
	snprintf(b, sizeof(b), v > 9 ? "0x%llx" : "%llu", (unsigned long long)v);
	return b;
}
std::string snum(int64_t v) { return v < 0 ? "-" + num(0 - (uint64_t)v) : num((uint64_t)v); }
// An immediate operand of a `bits`-wide instruction: capstone prints
// 64-bit operands signed (but those of the logical ops and/or/xor
// unsigned), narrower ones as unsigned of their width.
std::string imm(uint64_t v, unsigned width, bool logical = false) {
	if (width == 64)
		return logical ? num(v) : snum((int64_t)v);
	return num(v & ((1ull << width) - 1));
}
std::string mem(Sz sz, unsigned base, int32_t disp, bool sized = true) {
	std::string s = sized ? ptr(sz) : "";
	s += "[" + std::string(kReg64[base]);
	if (disp)
		s += (disp < 0 ? " - " : " + ") + num(disp < 0 ? 0 - (uint64_t)(int64_t)disp : (uint64_t)disp);
	return s + "]";
}

struct Out {
	uint8_t buf[32];
	JitCtx<C> c;
	Out() {
		c.buf = buf;
		c.cap = sizeof(buf);
	}
};

// Decodes bytes as exactly one instruction; returns its text or a reason.
std::string decode_one(const uint8_t *p, size_t n) {
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return "<capstone>";
	cs_insn *insn = nullptr;
	size_t count = cs_disasm(h, p, n, 0, 0, &insn);
	std::string s;
	if (count != 1 || insn[0].size != n) {
		s = "<" + std::to_string(count) + " instructions>";
	} else {
		s = insn[0].mnemonic;
		if (insn[0].op_str[0])
			s += std::string(" ") + insn[0].op_str;
	}
	cs_free(insn, count);
	cs_close(&h);
	return s;
}

std::string hex(const uint8_t *p, size_t n) {
	std::string s;
	char b[4];
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "%s%02x", i ? " " : "", p[i]);
		s += b;
	}
	return s;
}

unsigned g_checked = 0;
#define EXPECT_ASM(out, expected)                                                         \
	do {                                                                              \
		g_checked++;                                                              \
		EXPECT_EQ(decode_one((out).buf, (out).c.len), (expected))                 \
			<< "bytes: " << hex((out).buf, (out).c.len);                      \
	} while (0)

const Sz kSizes[] = {Sz::D32, Sz::Q64};
const AluOp kAluOps[] = {AluOp::ADD, AluOp::OR, AluOp::AND, AluOp::SUB, AluOp::XOR, AluOp::CMP};
const char *alu_name(AluOp op) {
	switch (op) {
	case AluOp::ADD: return "add";
	case AluOp::OR: return "or";
	case AluOp::AND: return "and";
	case AluOp::SUB: return "sub";
	case AluOp::XOR: return "xor";
	case AluOp::CMP: return "cmp";
	}
	return "?";
}
bool is_logical(AluOp op) { return op == AluOp::AND || op == AluOp::OR || op == AluOp::XOR; }
const ShiftOp kShiftOps[] = {ShiftOp::ROL, ShiftOp::SHL, ShiftOp::SHR, ShiftOp::SAR};
const char *shift_name(ShiftOp op) {
	return op == ShiftOp::ROL ? "rol" : op == ShiftOp::SHL ? "shl" : op == ShiftOp::SHR ? "shr" : "sar";
}
const uint32_t kImm32[] = {0, 1, 9, 10, 0x7f, 0x80, 0xff, 0x1234, 0x7fffffff, 0x80000000, 0xffffff80, 0xffffffff};
const int32_t kDisp[] = {0, 1, -1, 8, -8, 127, -128, 128, -129, 0x1000, -0x8000, 0x7fffffff, INT32_MIN};

TEST(Encode, AluRegReg) {
	for (Sz sz : kSizes)
		for (AluOp op : kAluOps)
			for (unsigned d = 0; d < 16; d++)
				for (unsigned s = 0; s < 16; s++) {
					Out o;
					alu_rr<C>(o.c, sz, op, d, s);
					EXPECT_ASM(o, std::string(alu_name(op)) + " " + reg(sz, d) + ", " + reg(sz, s));
				}
}

TEST(Encode, AluRegImm) {
	for (Sz sz : kSizes)
		for (AluOp op : kAluOps)
			for (unsigned d = 0; d < 16; d++)
				for (uint32_t i : kImm32) {
					Out o8, o32;
					const uint64_t sx = (uint64_t)(int64_t)(int32_t)i;
					alu_ri32<C>(o32.c, sz, op, d, i);
					EXPECT_ASM(o32, std::string(alu_name(op)) + " " + reg(sz, d) + ", " + imm(sx, bits(sz), is_logical(op)));
					if (d == RAX && (sz == Sz::D32 || sz == Sz::Q64)) {
						Out ox;
						alu_rax_i32<C>(ox.c, sz, op, i);
						EXPECT_ASM(ox, std::string(alu_name(op)) + " " + reg(sz, d) + ", " + imm(sx, bits(sz), is_logical(op)));
					}
					alu_ri8<C>(o8.c, sz, op, d, (uint8_t)i);
					const uint64_t sx8 = (uint64_t)(int64_t)(int8_t)(uint8_t)i;
					// capstone prints the sign-extended imm8 of the
					// arithmetic ops signed whatever the operand size.
					EXPECT_ASM(o8, std::string(alu_name(op)) + " " + reg(sz, d) + ", " +
							       (is_logical(op) ? imm(sx8, bits(sz), true) : snum((int8_t)(uint8_t)i)));
				}
}

TEST(Encode, MovTestImulRegReg) {
	for (Sz sz : kSizes)
		for (unsigned d = 0; d < 16; d++)
			for (unsigned s = 0; s < 16; s++) {
				Out a, b, c2, e;
				mov_rr<C>(a.c, sz, d, s);
				EXPECT_ASM(a, "mov " + reg(sz, d) + ", " + reg(sz, s));
				test_rr<C>(b.c, sz, d, s);
				EXPECT_ASM(b, "test " + reg(sz, d) + ", " + reg(sz, s));
				if (sz == Sz::Q64) {
					Out x;
					xchg_rr<C>(x.c, d, s);
					EXPECT_ASM(x, "xchg " + reg(sz, d) + ", " + reg(sz, s));
				}
				imul_rr<C>(c2.c, sz, d, s);
				EXPECT_ASM(c2, "imul " + reg(sz, d) + ", " + reg(sz, s));
				for (uint32_t i : {1u, 0x80u, 0xfffffffeu}) {
					Out f;
					imul_rri32<C>(f.c, sz, d, s, i);
					EXPECT_ASM(f, "imul " + reg(sz, d) + ", " + reg(sz, s) + ", " +
							     imm((uint64_t)(int64_t)(int32_t)i, bits(sz)));
				}
				for (unsigned cc = 0; cc < 16; cc++) {
					Out g;
					cmov_rr<C>(g.c, sz, (Cond)cc, d, s);
					EXPECT_ASM(g, std::string("cmov") + kCond[cc] + " " + reg(sz, d) + ", " + reg(sz, s));
				}
				(void)e;
			}
	for (unsigned d = 0; d < 16; d++)
		for (unsigned s = 0; s < 16; s++) {
			Out o;
			movzx_rr16<C>(o.c, d, s);
			EXPECT_ASM(o, "movzx " + reg(Sz::D32, d) + ", " + reg(Sz::W16, s));
		}
}

TEST(Encode, SingleRegisterForms) {
	for (unsigned r = 0; r < 16; r++) {
		for (Sz sz : kSizes) {
			Out n, dv, bs, cl, ti;
			neg_r<C>(n.c, sz, r);
			EXPECT_ASM(n, "neg " + reg(sz, r));
			div_r<C>(dv.c, sz, r);
			EXPECT_ASM(dv, "div " + reg(sz, r));
			bswap_r<C>(bs.c, sz, r);
			EXPECT_ASM(bs, "bswap " + reg(sz, r));
			for (ShiftOp op : kShiftOps) {
				Out a, b;
				shift_rcl<C>(a.c, sz, op, r);
				EXPECT_ASM(a, std::string(shift_name(op)) + " " + reg(sz, r) + ", cl");
				for (uint8_t k : {2, 8, 31, 32, 63}) {
					Out s;
					shift_ri<C>(s.c, sz, op, r, k);
					EXPECT_ASM(s, std::string(shift_name(op)) + " " + reg(sz, r) + ", " + num(k));
				}
			}
			for (uint32_t i : kImm32) {
				Out t;
				test_ri32<C>(t.c, sz, r, i);
				EXPECT_ASM(t, "test " + reg(sz, r) + ", " + imm((uint64_t)(int64_t)(int32_t)i, bits(sz)));
			}
		}
		Out rl;
		shift_ri<C>(rl.c, Sz::W16, ShiftOp::ROL, r, 8);
		EXPECT_ASM(rl, "rol " + reg(Sz::W16, r) + ", 8");
		Out pu, po;
		push_r<C>(pu.c, r);
		EXPECT_ASM(pu, "push " + reg(Sz::Q64, r));
		pop_r<C>(po.c, r);
		EXPECT_ASM(po, "pop " + reg(Sz::Q64, r));
		for (uint32_t i : kImm32) {
			Out a, b;
			mov_ri32<C>(a.c, r, i);
			EXPECT_ASM(a, "mov " + reg(Sz::D32, r) + ", " + imm(i, 32));
			mov_ri32_sx<C>(b.c, r, i);
			EXPECT_ASM(b, "mov " + reg(Sz::Q64, r) + ", " + imm((uint64_t)(int64_t)(int32_t)i, 64));
		}
		for (uint64_t v : {0x100000000ull, 0x8000000000000000ull, 0x0123456789abcdefull}) {
			Out a;
			mov_ri64<C>(a.c, r, v);
			EXPECT_ASM(a, "movabs " + reg(Sz::Q64, r) + ", " + num(v));
		}
	}
}

TEST(Encode, MemoryForms) {
	const Sz all[] = {Sz::B8, Sz::W16, Sz::D32, Sz::Q64};
	for (unsigned base = 0; base < 16; base++)
		for (int32_t disp : kDisp)
			for (unsigned r = 0; r < 16; r++) {
				const Mem<C> m{base, (uint32_t)disp};
				for (Sz sz : all) {
					Out st;
					mov_mr<C>(st.c, sz, m, r);
					EXPECT_ASM(st, "mov " + mem(sz, base, disp) + ", " + reg(sz, r));
					if (r == 0)
						for (uint32_t i : {0u, 0x80u, 0xffffffffu, 0x12345678u}) {
							Out si;
							mov_mi<C>(si.c, sz, m, i);
							const uint64_t v = sz == Sz::Q64 ? (uint64_t)(int64_t)(int32_t)i : i;
							EXPECT_ASM(si, "mov " + mem(sz, base, disp) + ", " + imm(v, bits(sz)));
						}
				}
				Out b, h, l;
				movzx_rm8<C>(b.c, r, m);
				EXPECT_ASM(b, "movzx " + reg(Sz::D32, r) + ", " + mem(Sz::B8, base, disp));
				movzx_rm16<C>(h.c, r, m);
				EXPECT_ASM(h, "movzx " + reg(Sz::D32, r) + ", " + mem(Sz::W16, base, disp));
				lea_rm<C>(l.c, r, m);
				EXPECT_ASM(l, "lea " + reg(Sz::Q64, r) + ", " + mem(Sz::Q64, base, disp, false));
				for (Sz sz : kSizes) {
					Out ld, xa, xc, cx;
					mov_rm<C>(ld.c, sz, r, m);
					EXPECT_ASM(ld, "mov " + reg(sz, r) + ", " + mem(sz, base, disp));
					lock_xadd_mr<C>(xa.c, sz, m, r);
					EXPECT_ASM(xa, "lock xadd " + mem(sz, base, disp) + ", " + reg(sz, r));
					xchg_mr<C>(xc.c, sz, m, r);
					EXPECT_ASM(xc, "xchg " + mem(sz, base, disp) + ", " + reg(sz, r));
					lock_cmpxchg_mr<C>(cx.c, sz, m, r);
					EXPECT_ASM(cx, "lock cmpxchg " + mem(sz, base, disp) + ", " + reg(sz, r));
					for (AluOp op : {AluOp::ADD, AluOp::AND, AluOp::OR, AluOp::XOR}) {
						Out a;
						lock_alu_mr<C>(a.c, sz, op, m, r);
						EXPECT_ASM(a, std::string("lock ") + alu_name(op) + " " + mem(sz, base, disp) + ", " + reg(sz, r));
					}
				}
			}
}

TEST(Encode, ControlFlow) {
	for (unsigned cc = 0; cc < 16; cc++)
		for (int32_t rel : {0, 1, 127, -2, 0x1000, 0x7fffff00}) {
			if (rel >= -128 && rel <= 127) {
				Out a;
				jcc_rel8<C>(a.c, (Cond)cc, (uint8_t)rel);
				EXPECT_ASM(a, std::string("j") + kCond[cc] + " " + num((uint64_t)(2 + rel)));
			}
			Out b;
			jcc_rel32<C>(b.c, (Cond)cc, (uint32_t)rel);
			EXPECT_ASM(b, std::string("j") + kCond[cc] + " " + num((uint64_t)(6 + rel)));
		}
	for (int32_t rel : {0, 5, 127, 0x12345}) {
		Out a, b, c2;
		jmp_rel8<C>(a.c, (uint8_t)(rel & 0x7f));
		EXPECT_ASM(a, "jmp " + num((uint64_t)(2 + (rel & 0x7f))));
		jmp_rel32<C>(b.c, (uint32_t)rel);
		EXPECT_ASM(b, "jmp " + num((uint64_t)(5 + rel)));
		call_rel32<C>(c2.c, (uint32_t)rel);
		EXPECT_ASM(c2, "call " + num((uint64_t)(5 + rel)));
	}
	Out r, i, l, n;
	ret<C>(r.c);
	EXPECT_ASM(r, "ret");
	int3<C>(i.c);
	EXPECT_ASM(i, "int3");
	leave<C>(l.c);
	EXPECT_ASM(l, "leave");
	nop5<C>(n.c);
	EXPECT_ASM(n, "nop dword ptr [rax + rax]");
	EXPECT_EQ(n.c.len, 5u);
}

// Golden (form, bytes, asm) triples, written from the SDM by hand.
struct Golden {
	const char *form;
	void (*emit)(JitCtx<C> &);
	const char *bytes;
	const char *text;
};
const Golden kGolden[] = {
	{"mov_rr Q64 rax, rdi", [](JitCtx<C> &c) { mov_rr<C>(c, Sz::Q64, RAX, RDI); }, "48 89 f8", "mov rax, rdi"},
	{"mov_rr D32 r13d, eax", [](JitCtx<C> &c) { mov_rr<C>(c, Sz::D32, R13, RAX); }, "41 89 c5", "mov r13d, eax"},
	{"alu_ri8 Q64 sub rsp, 8", [](JitCtx<C> &c) { alu_ri8<C>(c, Sz::Q64, AluOp::SUB, RSP, 8); }, "48 83 ec 08", "sub rsp, 8"},
	{"alu_ri32 D32 cmp ebx", [](JitCtx<C> &c) { alu_ri32<C>(c, Sz::D32, AluOp::CMP, RBX, 0x12345678); }, "81 fb 78 56 34 12", "cmp ebx, 0x12345678"},
	{"mov_ri32_sx rcx, -1", [](JitCtx<C> &c) { mov_ri32_sx<C>(c, RCX, 0xffffffff); }, "48 c7 c1 ff ff ff ff", "mov rcx, -1"},
	{"mov_ri64 r15", [](JitCtx<C> &c) { mov_ri64<C>(c, R15, 0x0123456789abcdefull); }, "49 bf ef cd ab 89 67 45 23 01", "movabs r15, 0x123456789abcdef"},
	{"mov_mr B8 [rbp-8], sil", [](JitCtx<C> &c) { mov_mr<C>(c, Sz::B8, Mem<C>{RBP, (uint32_t)-8}, RSI); }, "40 88 75 f8", "mov byte ptr [rbp - 8], sil"},
	{"mov_mr B8 [rbx+1], dl", [](JitCtx<C> &c) { mov_mr<C>(c, Sz::B8, Mem<C>{RBX, 1}, RDX); }, "88 53 01", "mov byte ptr [rbx + 1], dl"},
	{"mov_rm Q64 [r12+0x200]", [](JitCtx<C> &c) { mov_rm<C>(c, Sz::Q64, RAX, Mem<C>{R12, 0x200}); }, "49 8b 84 24 00 02 00 00", "mov rax, qword ptr [r12 + 0x200]"},
	{"mov_mi W16 [r13+0]", [](JitCtx<C> &c) { mov_mi<C>(c, Sz::W16, Mem<C>{R13, 0}, 0xbeef); }, "66 41 c7 45 00 ef be", "mov word ptr [r13], 0xbeef"},
	{"shift_rcl Q64 shl r11", [](JitCtx<C> &c) { shift_rcl<C>(c, Sz::Q64, ShiftOp::SHL, R11); }, "49 d3 e3", "shl r11, cl"},
	{"div_r D32 r11d", [](JitCtx<C> &c) { div_r<C>(c, Sz::D32, R11); }, "41 f7 f3", "div r11d"},
	{"lock_cmpxchg_mr D32 [r11], r12d", [](JitCtx<C> &c) { lock_cmpxchg_mr<C>(c, Sz::D32, Mem<C>{R11, 0}, R12); }, "f0 45 0f b1 23", "lock cmpxchg dword ptr [r11], r12d"},
	{"mov_rm Q64 rax, [r13 + 0] (rm 101 keeps a disp8)", [](JitCtx<C> &c) { mov_rm<C>(c, Sz::Q64, RAX, Mem<C>{R13, 0}); }, "49 8b 45 00", "mov rax, qword ptr [r13]"},
	{"mov_rm D32 eax, [rbx + 0] (no displacement)", [](JitCtx<C> &c) { mov_rm<C>(c, Sz::D32, RAX, Mem<C>{RBX, 0}); }, "8b 03", "mov eax, dword ptr [rbx]"},
	{"mov_rm D32 eax, [r12 + 0] (SIB, no displacement)", [](JitCtx<C> &c) { mov_rm<C>(c, Sz::D32, RAX, Mem<C>{R12, 0}); }, "41 8b 04 24", "mov eax, dword ptr [r12]"},
	{"alu_rax_i32 Q64 CMP rax, 0x1000", [](JitCtx<C> &c) { alu_rax_i32<C>(c, Sz::Q64, AluOp::CMP, 0x1000); }, "48 3d 00 10 00 00", "cmp rax, 0x1000"},
	{"alu_rax_i32 D32 SUB eax, 0x1000", [](JitCtx<C> &c) { alu_rax_i32<C>(c, Sz::D32, AluOp::SUB, 0x1000); }, "2d 00 10 00 00", "sub eax, 0x1000"},
	{"bswap_r Q64 r14", [](JitCtx<C> &c) { bswap_r<C>(c, Sz::Q64, R14); }, "49 0f ce", "bswap r14"},
	{"jcc_rel32 jg", [](JitCtx<C> &c) { jcc_rel32<C>(c, Cond::G, 0x100); }, "0f 8f 00 01 00 00", "jg 0x106"},
	{"push_r r12", [](JitCtx<C> &c) { push_r<C>(c, R12); }, "41 54", "push r12"},
	{"nop5", [](JitCtx<C> &c) { nop5<C>(c); }, "0f 1f 44 00 00", "nop dword ptr [rax + rax]"},
	{"nop_n 1", [](JitCtx<C> &c) { nop_n<C>(c, 1); }, "90", "nop"},
	{"nop_n 3", [](JitCtx<C> &c) { nop_n<C>(c, 3); }, "0f 1f 00", "nop dword ptr [rax]"},
	{"nop_n 4", [](JitCtx<C> &c) { nop_n<C>(c, 4); }, "0f 1f 40 00", "nop dword ptr [rax]"},
	{"nop_n 7", [](JitCtx<C> &c) { nop_n<C>(c, 7); }, "0f 1f 80 00 00 00 00", "nop dword ptr [rax]"},
	{"nop_n 8", [](JitCtx<C> &c) { nop_n<C>(c, 8); }, "0f 1f 84 00 00 00 00 00", "nop dword ptr [rax + rax]"},
};

TEST(Encode, PaddingIsExactlyNopsOfTheLengthAsked) {
	// The driver pads frozen instructions with X86_64::pad; capstone must
	// see only NOPs, covering exactly n bytes.
	csh h;
	ASSERT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	for (uint32_t n = 0; n <= 24; n++) {
		Out o;
		x86_64::X86_64::pad<C>(o.c, n);
		ASSERT_EQ(o.c.len, n);
		cs_insn *insn = nullptr;
		size_t count = n ? cs_disasm(h, o.buf, n, 0, 0, &insn) : 0;
		size_t covered = 0;
		for (size_t i = 0; i < count; i++) {
			EXPECT_STREQ(insn[i].mnemonic, "nop") << "pad " << n << ": " << hex(o.buf, n);
			covered += insn[i].size;
		}
		EXPECT_EQ(covered, n) << hex(o.buf, n);
		cs_free(insn, count);
		g_checked++;
	}
	cs_close(&h);
}

TEST(Encode, GoldenTriples) {
	for (const Golden &g : kGolden) {
		Out o;
		g.emit(o.c);
		EXPECT_EQ(hex(o.buf, o.c.len), g.bytes) << g.form;
		EXPECT_EQ(decode_one(o.buf, o.c.len), g.text) << g.form;
	}
}

// Rebuilding the REX/ModRM fields from the emitted bytes gives the operands.
TEST(Encode, FieldsRoundTrip) {
	for (unsigned r = 0; r < 16; r++)
		for (unsigned b = 0; b < 16; b++) {
			CBV<8> rex = rex_byte<C>(true, r, 0, b);
			EXPECT_EQ(rex.v, 0x48u | ((r >> 3) << 2) | (b >> 3));
			CBV<8> m = modrm_byte<C>(3, r, b);
			EXPECT_EQ(m.v, 0xc0u | ((r & 7) << 3) | (b & 7));
		}
	EXPECT_TRUE(fits_imm8<C>(0xffffff80));
	EXPECT_FALSE(fits_imm8<C>(0xffffff7f));
	EXPECT_TRUE(fits_imm8<C>(0x7f));
	EXPECT_FALSE(fits_imm8<C>(0x80));
	EXPECT_TRUE(base_needs_sib<C>(RSP));
	EXPECT_TRUE(base_needs_sib<C>(R12));
	EXPECT_FALSE(base_needs_sib<C>(RBP));
}

TEST(Encode, CheckedSomething) {
	// Runs last in this file: the exhaustive loops above did check.
	EXPECT_GT(g_checked, 1000u);
}

} // namespace
