// SPDX-License-Identifier: GPL-2.0
// Every encoder of arch/arm64/encode.h on random operands, against two
// independent references: GNU as must assemble the form's text to the same
// word, and capstone must decode the word to text that GNU as assembles
// back to it. The predicates are checked at their edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "arch/arm64/encode.h"
#include "arch/arm64/lower.h"
#include "arch/arm64/target.h"
#include "selftests/arm64/binutils.h"

using namespace vjit;
using namespace vjit::arm64;
using vjit_test::assemble_a64;
using vjit_test::disasm_a64;
using C = Concrete;

namespace {

// One case: the word an encoder emits and the text of the same instruction.
struct Case {
	uint32_t word;
	std::string text;
	// Branches: the target (from address 0 of the case list), which
	// capstone prints as an absolute address.
	int64_t target = -1;
	// FEAT_LSE forms, which capstone 4 (Debian 12) does not decode: GNU as
	// is their only reference.
	bool lse = false;
};

uint32_t one_word(const std::function<void(JitCtx<C> &)> &emit) {
	uint8_t buf[16];
	JitCtx<C> c;
	c.buf = buf;
	c.cap = sizeof buf;
	emit(c);
	EXPECT_EQ(c.len, 4u) << "an encoder emits exactly one word";
	return buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
}

std::string xr(unsigned r, bool sf, bool sp = false) {
	if (r == 31)
		return sp ? (sf ? "sp" : "wsp") : (sf ? "xzr" : "wzr");
	return (sf ? "x" : "w") + std::to_string(r);
}
std::string hex(uint64_t v) {
	char b[32];
	snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
	return b;
}
std::string rel(int64_t d) { return d >= 0 ? ".+" + std::to_string(d) : ".-" + std::to_string(-d); }

// Checks every case against GNU as, then capstone's decoding of each word
// against GNU as again (branches: capstone prints absolute targets, which
// assemble identically at address 0).
void check(const std::vector<Case> &cases) {
	std::vector<std::string> texts;
	for (const Case &k : cases)
		texts.push_back(k.text);
	std::string err;
	std::vector<uint32_t> want = assemble_a64(texts, &err);
	ASSERT_EQ(want.size(), cases.size()) << err;
	std::vector<std::string> decoded;
	std::vector<uint32_t> words;
	for (size_t i = 0; i < cases.size(); i++) {
		EXPECT_EQ(cases[i].word, want[i]) << cases[i].text << ": emitted " << hex(cases[i].word)
						  << ", as gives " << hex(want[i]);
		std::string d = disasm_a64(cases[i].word, 4 * i);
		if (d.empty() && cases[i].lse)
			continue;
		ASSERT_FALSE(d.empty()) << "capstone does not decode " << hex(cases[i].word) << " (" << cases[i].text << ")";
		if (cases[i].target >= 0) {
			const std::string t = "#" + hex((uint64_t)cases[i].target);
			EXPECT_EQ(d.substr(d.size() - std::min(d.size(), t.size())), t)
				<< "capstone: " << d << " for " << cases[i].text;
			continue;
		}
		decoded.push_back(d);
		words.push_back(cases[i].word);
	}
	std::vector<uint32_t> again = assemble_a64(decoded, &err);
	ASSERT_EQ(again.size(), decoded.size()) << err;
	for (size_t i = 0; i < decoded.size(); i++)
		EXPECT_EQ(again[i], words[i]) << "capstone: " << decoded[i] << " as gives " << hex(again[i]);
}

struct Rng {
	std::mt19937_64 g{0xa64};
	uint64_t u(uint64_t n) { return g() % n; }
	unsigned reg() { return (unsigned)u(31); }  // x0-x30
	bool b() { return u(2); }
};

constexpr int N = 60;

TEST(Arm64Encode, AddSubRegister) {
	Rng r;
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		bool sf = r.b(), op = r.b(), S = r.b();
		unsigned d = r.reg(), n = r.reg(), m = r.reg();
		std::string name = std::string(op ? "sub" : "add") + (S ? "s" : "");
		cs.push_back({one_word([&](JitCtx<C> &c) { addsub_reg<C>(c, sf, op, S, d, n, m); }),
			      name + " " + xr(d, sf) + ", " + xr(n, sf) + ", " + xr(m, sf)});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { cmp_rr<C>(c, true, 3, 4); }), "cmp x3, x4"});
	cs.push_back({one_word([](JitCtx<C> &c) { addsub_reg<C>(c, false, true, false, 5, ZR, 5); }), "neg w5, w5"});
	check(cs);
}

TEST(Arm64Encode, LogicalRegister) {
	Rng r;
	const char *names[2][4] = {{"and", "orr", "eor", "ands"}, {"bic", "orn", "eon", "bics"}};
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		bool sf = r.b(), inv = r.b();
		unsigned opc = (unsigned)r.u(4), d = r.reg(), n = r.reg(), m = r.reg();
		cs.push_back({one_word([&](JitCtx<C> &c) { logic_reg<C>(c, sf, (LogicOp)opc, d, n, m, inv); }),
			      std::string(names[inv][opc]) + " " + xr(d, sf) + ", " + xr(n, sf) + ", " + xr(m, sf)});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { mov_rr<C>(c, true, 7, 0); }), "mov x7, x0"});
	cs.push_back({one_word([](JitCtx<C> &c) { mov_rr<C>(c, false, 9, 9); }), "mov w9, w9"});
	cs.push_back({one_word([](JitCtx<C> &c) { tst_rr<C>(c, false, 1, 2); }), "tst w1, w2"});
	check(cs);
}

TEST(Arm64Encode, DataProcessing) {
	Rng r;
	const std::pair<Dp2, const char *> ops2[] = {{Dp2::UDIV, "udiv"}, {Dp2::SDIV, "sdiv"},
						     {Dp2::LSLV, "lslv"}, {Dp2::LSRV, "lsrv"}, {Dp2::ASRV, "asrv"}};
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		bool sf = r.b(), o0 = r.b();
		unsigned d = r.reg(), n = r.reg(), m = r.reg(), a = (unsigned)r.u(32);
		auto op = ops2[r.u(5)];
		cs.push_back({one_word([&](JitCtx<C> &c) { dp2<C>(c, sf, op.first, d, n, m); }),
			      std::string(op.second) + " " + xr(d, sf) + ", " + xr(n, sf) + ", " + xr(m, sf)});
		cs.push_back({one_word([&](JitCtx<C> &c) { madd_msub<C>(c, sf, o0, d, n, m, a); }),
			      std::string(o0 ? "msub " : "madd ") + xr(d, sf) + ", " + xr(n, sf) + ", " +
				      xr(m, sf) + ", " + xr(a, sf)});
	}
	const char *rev[2][4] = {{"", "rev16", "rev", ""}, {"", "rev16", "rev32", "rev"}};
	for (int i = 0; i < N; i++) {
		bool sf = r.b();
		unsigned opc = 1 + (unsigned)r.u(sf ? 3 : 2), d = r.reg(), n = r.reg();
		cs.push_back({one_word([&](JitCtx<C> &c) { dp1<C>(c, sf, (uint8_t)opc, d, n); }),
			      std::string(rev[sf][opc]) + " " + xr(d, sf) + ", " + xr(n, sf)});
	}
	check(cs);
}

TEST(Arm64Encode, Immediates) {
	Rng r;
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		bool sf = r.b(), op = r.b(), S = r.b(), sh = r.b();
		unsigned d = r.reg(), n = r.reg(), imm = (unsigned)r.u(4096);
		std::string name = std::string(op ? "sub" : "add") + (S ? "s" : "");
		cs.push_back({one_word([&](JitCtx<C> &c) { addsub_imm<C>(c, sf, op, S, sh, d, n, imm); }),
			      name + " " + xr(d, sf) + ", " + xr(n, sf) + ", #" + std::to_string(imm) +
				      (sh ? ", lsl #12" : "")});
		bool u = r.b();
		unsigned W = sf ? 64 : 32, immr = (unsigned)r.u(W), imms = (unsigned)r.u(W);
		cs.push_back({one_word([&](JitCtx<C> &c) { bitfield<C>(c, sf, u, immr, imms, d, n); }),
			      std::string(u ? "ubfm " : "sbfm ") + xr(d, sf) + ", " + xr(n, sf) + ", #" +
				      std::to_string(immr) + ", #" + std::to_string(imms)});
		unsigned opc = (unsigned)r.u(3), hw = (unsigned)r.u(sf ? 4 : 2), imm16 = (unsigned)r.u(65536);
		const MoveWide mw[] = {MoveWide::MOVN, MoveWide::MOVZ, MoveWide::MOVK};
		const char *mwn[] = {"movn", "movz", "movk"};
		cs.push_back({one_word([&](JitCtx<C> &c) { move_wide<C>(c, sf, mw[opc], hw, imm16, d); }),
			      std::string(mwn[opc]) + " " + xr(d, sf) + ", #" + hex(imm16) + ", lsl #" +
				      std::to_string(16 * hw)});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { mov_sp<C>(c, FP, SP); }), "mov x29, sp"});
	cs.push_back({one_word([](JitCtx<C> &c) { addsub_imm<C>(c, true, true, false, false, SP, SP, 512); }),
		      "sub sp, sp, #512"});
	check(cs);
}

TEST(Arm64Encode, LoadsStores) {
	Rng r;
	const char *names[3][4] = {{"strb", "strh", "str", "str"},
				   {"ldrb", "ldrh", "ldr", "ldr"},
				   {"ldrsb", "ldrsh", "ldrsw", ""}};
	const char *unames[3][4] = {{"sturb", "sturh", "stur", "stur"},
				    {"ldurb", "ldurh", "ldur", "ldur"},
				    {"ldursb", "ldursh", "ldursw", ""}};
	std::vector<Case> cs;
	for (int i = 0; i < 3 * N; i++) {
		unsigned opc = (unsigned)r.u(3), size = (unsigned)r.u(opc == 2 ? 3 : 4);
		unsigned t = r.reg(), n = (unsigned)r.u(32), m = r.reg();
		bool xt = size == 3 || opc == 2;
		unsigned imm12 = (unsigned)r.u(4096);
		int imm9 = (int)r.u(512) - 256;
		std::string base = "[" + xr(n, true, true);
		cs.push_back({one_word([&](JitCtx<C> &c) { ldst_uimm<C>(c, (Size)size, (LdSt)opc, t, n, imm12); }),
			      std::string(names[opc][size]) + " " + xr(t, xt) + ", " + base + ", #" +
				      std::to_string(imm12 << size) + "]"});
		cs.push_back({one_word([&](JitCtx<C> &c) {
				      ldst_simm9<C>(c, (Size)size, (LdSt)opc, t, n, (uint64_t)(int64_t)imm9);
			      }),
			      std::string(unames[opc][size]) + " " + xr(t, xt) + ", " + base + ", #" +
				      std::to_string(imm9) + "]"});
		cs.push_back({one_word([&](JitCtx<C> &c) { ldst_reg<C>(c, (Size)size, (LdSt)opc, t, n, m); }),
			      std::string(names[opc][size]) + " " + xr(t, xt) + ", " + base + ", " + xr(m, true) + "]"});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { ldstp_x<C>(c, false, true, -2, FP, LR, SP); }),
		      "stp x29, x30, [sp, #-16]!"});
	cs.push_back({one_word([](JitCtx<C> &c) { ldstp_x<C>(c, true, false, 2, X25, X26, SP); }),
		      "ldp x25, x26, [sp], #16"});
	check(cs);
}

TEST(Arm64Encode, Atomics) {
	Rng r;
	const char *ops[] = {"ldadd", "ldclr", "ldeor", "ldset"};
	const char *ord[] = {"", "l", "a", "al"};
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		bool sf = r.b(), A = r.b(), R = r.b(), o0 = r.b(), L = r.b();
		unsigned k = (unsigned)r.u(5), s = r.reg(), t = (unsigned)r.u(32), n = r.reg();
		AtomicOp op = k == 4 ? AtomicOp::SWP : (AtomicOp)k;
		std::string name = std::string(k == 4 ? "swp" : ops[k]) + ord[A * 2 + R];
		cs.push_back({one_word([&](JitCtx<C> &c) { lse_atomic<C>(c, sf, op, A, R, s, t, n); }),
			      name + " " + xr(s, sf) + ", " + xr(t, sf) + ", [" + xr(n, true, true) + "]", -1, true});
		cs.push_back({one_word([&](JitCtx<C> &c) { cas<C>(c, sf, L, o0, s, t, n); }),
			      std::string("cas") + ord[L * 2 + o0] + " " + xr(s, sf) + ", " + xr(t, sf) + ", [" +
				      xr(n, true, true) + "]", -1, true});
		cs.push_back({one_word([&](JitCtx<C> &c) { ldxr<C>(c, sf, t, n); }),
			      "ldxr " + xr(t, sf) + ", [" + xr(n, true, true) + "]"});
		unsigned st = (s + 1 + (unsigned)r.u(29)) % 31;  // status differs from data and base
		if (st == t || st == n)
			continue;
		cs.push_back({one_word([&](JitCtx<C> &c) { stxr<C>(c, sf, o0, st, t, n); }),
			      std::string(o0 ? "stlxr " : "stxr ") + xr(st, false) + ", " + xr(t, sf) + ", [" +
				      xr(n, true, true) + "]"});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { dmb_ish<C>(c); }), "dmb ish"});
	cs.push_back({one_word([](JitCtx<C> &c) { dsb_nsh<C>(c); }), "dsb nsh"});
	cs.push_back({one_word([](JitCtx<C> &c) { isb<C>(c); }), "isb"});
	check(cs);
}

TEST(Arm64Encode, BranchesAndHints) {
	Rng r;
	const char *conds[] = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
			       "hi", "ls", "ge", "lt", "gt", "le"};
	std::vector<Case> cs;
	for (int i = 0; i < N; i++) {
		unsigned cond = (unsigned)r.u(14);
		int64_t d19 = ((int64_t)r.u(1 << 19) - (1 << 18)) * 4;
		int64_t d26 = ((int64_t)r.u(1 << 26) - (1 << 25)) * 4;
		int64_t at = 4 * (int64_t)cs.size();
		if (at + d19 < 0 || at + d26 < 0)
			continue;  // GNU as needs a target at or after address 0
		const int64_t at1 = at + 4, at2 = at + 8;
		cs.push_back({one_word([&](JitCtx<C> &c) { b_cond<C>(c, (Cond)cond, (uint64_t)(d19 / 4)); }),
			      std::string("b.") + conds[cond] + " " + rel(d19), at + d19});
		bool link = r.b(), sf = r.b(), nz = r.b();
		unsigned t = r.reg();
		cs.push_back({one_word([&](JitCtx<C> &c) { b_imm<C>(c, link, (uint64_t)(d26 / 4)); }),
			      std::string(link ? "bl " : "b ") + rel(d26), at1 + d26});
		cs.push_back({one_word([&](JitCtx<C> &c) { cb<C>(c, sf, nz, (uint64_t)(d19 / 4), t); }),
			      std::string(nz ? "cbnz " : "cbz ") + xr(t, sf) + ", " + rel(d19), at2 + d19});
	}
	cs.push_back({one_word([](JitCtx<C> &c) { blr<C>(c, X10); }), "blr x10"});
	cs.push_back({one_word([](JitCtx<C> &c) { ret<C>(c); }), "ret"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::NOP); }), "nop"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::PACIASP); }), "paciasp"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::AUTIASP); }), "autiasp"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::BTI_C); }), "bti c"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::BTI_J); }), "bti j"});
	cs.push_back({one_word([](JitCtx<C> &c) { hint<C>(c, Hint::BTI_JC); }), "bti jc"});
	check(cs);
}

// The prologue's words for the options, and the lowering's error.
std::vector<uint32_t> prologue_words(uint32_t depth, bool bti, uint32_t tail_call_entry, LowerError *err) {
	uint8_t buf[256];
	JitCtx<C> c;
	c.buf = buf;
	c.cap = sizeof buf;
	c.opts.stack_depth = depth;
	c.opts.ibt = bti;
	c.opts.tail_call_entry = tail_call_entry;
	arm64_prologue<C>(c);
	*err = c.error;
	std::vector<uint32_t> w;
	for (uint32_t i = 0; i + 4 <= c.len; i += 4)
		w.push_back(buf[i] | buf[i + 1] << 8 | buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24);
	return w;
}

// The prologue of Linux 6.1's arm64 JIT (build_prologue, as its comment
// lists it; MOV as the kernel emits it, ADD #0), assembled by GNU as: the
// kernel's tail calls enter at PROLOGUE_OFFSET in the frame these words
// build, so vjit's must be the same words up to there.
std::vector<uint32_t> stock_prologue(uint32_t depth, bool bti, bool ebpf) {
	std::vector<std::string> t;
	if (bti)
		t.push_back("bti jc");
	for (const char *l : {"add x9, x30, #0", "nop", "paciasp", "stp x29, x30, [sp, #-16]!", "add x29, sp, #0",
			      "stp x19, x20, [sp, #-16]!", "stp x21, x22, [sp, #-16]!", "stp x25, x26, [sp, #-16]!",
			      "stp x27, x28, [sp, #-16]!", "add x25, sp, #0"})
		t.push_back(l);
	if (ebpf)
		t.push_back("movz x26, #0");
	if (ebpf && bti)
		t.push_back("bti j");
	t.push_back("sub sp, sp, #" + std::to_string((depth + 15) / 16 * 16));
	std::string err;
	std::vector<uint32_t> w = assemble_a64(t, &err);
	EXPECT_EQ(w.size(), t.size()) << err;
	return w;
}

TEST(Arm64Frame, PrologueIsTheStockOneUpToTheTailCallEntry) {
	for (bool bti : {false, true})
		for (uint32_t depth : {0u, 1u, 64u, 512u}) {
			const uint32_t entry = (bti ? 12 : 11) * 4;  // PROLOGUE_OFFSET * 4, with PAC
			LowerError err;
			EXPECT_EQ(prologue_words(depth, bti, entry, &err), stock_prologue(depth, bti, true))
				<< "eBPF, bti " << bti << ", depth " << depth;
			EXPECT_EQ(err, LowerError::NONE);
			// The kernel's tail calls enter at the counter's next word.
			EXPECT_EQ(prologue_words(depth, bti, entry, &err)[entry / 4 - 1], 0xd280001au) << "mov x26, #0";
			EXPECT_EQ(prologue_words(depth, bti, 0, &err), stock_prologue(depth, bti, false))
				<< "classic, bti " << bti << ", depth " << depth;
		}
}

TEST(Arm64Frame, TailCallEntryElsewhereIsRefused) {
	for (uint32_t entry : {40u, 48u, 52u}) {
		LowerError err;
		prologue_words(64, false, entry, &err);
		EXPECT_EQ(err, LowerError::UNENCODABLE) << "entry " << entry;
	}
}

TEST(Arm64Encode, Predicates) {
	EXPECT_TRUE(fits_imm12<C>(4095));
	EXPECT_FALSE(fits_imm12<C>(4096));
	EXPECT_TRUE(fits_imm12_lsl12<C>(0xfff000));
	EXPECT_FALSE(fits_imm12_lsl12<C>(0x1000000));
	EXPECT_FALSE(fits_imm12_lsl12<C>(0x1001));
	EXPECT_TRUE(fits_simm9<C>((uint16_t)-256));
	EXPECT_FALSE(fits_simm9<C>((uint16_t)-257));
	EXPECT_TRUE(fits_simm9<C>(255));
	EXPECT_FALSE(fits_simm9<C>(256));
	EXPECT_TRUE(fits_scaled_offset<C>(4095, Size::B));
	EXPECT_FALSE(fits_scaled_offset<C>(4096, Size::B));
	EXPECT_TRUE(fits_scaled_offset<C>(8 * 4095, Size::X));
	EXPECT_FALSE(fits_scaled_offset<C>(8 * 4095 + 4, Size::X));
	EXPECT_FALSE(fits_scaled_offset<C>((uint16_t)-8, Size::X));
	EXPECT_TRUE(fits_imm19<C>((1u << 20) - 4));
	EXPECT_FALSE(fits_imm19<C>(1u << 20));
	EXPECT_TRUE(fits_imm19<C>((uint32_t)-(1 << 20)));
	EXPECT_FALSE(fits_imm19<C>((uint32_t)-(1 << 20) - 4));
	EXPECT_TRUE(fits_imm26<C>((1u << 27) - 4));
	EXPECT_FALSE(fits_imm26<C>(1u << 27));
	EXPECT_EQ(chunk16<C>(0x123456789abcdef0ull, 3).v, 0x1234u);
}

} // namespace
