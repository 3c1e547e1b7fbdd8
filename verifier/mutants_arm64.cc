// SPDX-License-Identifier: GPL-2.0
// The arm64 arch's registration, and the mutants of its table: wrong
// lowerings of the bug classes arm64 JITs have shipped or could, each
// replacing one table entry (or the prologue/epilogue) in a test-only
// variant of the table. vjit-verify --mutant ID re-injects one;
// check-verifier requires every one of them to be rejected with the
// expected counterexample. Written with the backend's own encoders where
// the bug is in the lowering, with raw words where it is in an encoding.
#include "arch/arm64/lower.h"
#include "verifier/frame_tasks.h"
#include "verifier/target_arm64.h"

namespace vjit {
namespace verify {
namespace {

using D = Symbolic;
using namespace arm64;
using In = InsnFields<D>;
using Ctx = JitCtx<D>;
using u5 = SBV<5>;

u5 nat(const u4 &r) { return native_reg<D>(r); }
u32 target_of(Ctx &c, const In &in) { return c.insn_addr(c.idx() + u32(1) + sext<32>(in.off)); }

// ALU32 ADD X on X registers: no zero extension of the result.
void alu32_add_no_zext(Ctx &c, const In &in) {
	addsub_reg<D>(c, true, false, false, nat(in.dst), nat(in.dst), nat(in.src));
}
// ALU64 MOV K through a W register: negative imms lose their sign.
void alu64_mov_k_zext(Ctx &c, const In &in) { mov_imm<D>(c, false, nat(in.dst), zext<64>(in.imm)); }
// ALU64 AND K with the immediate materialised on 32 bits (the class of
// Linux 579d1b3faa37: a logical immediate encoded for the wrong width).
void alu64_and_k_w_imm(Ctx &c, const In &in) {
	mov_imm<D>(c, false, u5(SCRATCH1), zext<64>(in.imm));
	logic_reg<D>(c, true, LogicOp::AND, nat(in.dst), nat(in.dst), u5(SCRATCH1));
}
// ALU64 ADD K with an off-by-one imm12 range check: 4096 encodes as 0.
void alu64_add_k_imm12_off_by_one(Ctx &c, const In &in) {
	const u64 v = sext<64>(in.imm);
	if (D::when(ule(v, u64(4096)), "fits_imm12"))
		addsub_imm<D>(c, true, false, false, false, nat(in.dst), nat(in.dst), trunc<12>(v));
	else {
		mov_imm<D>(c, true, u5(SCRATCH1), v);
		addsub_reg<D>(c, true, false, false, nat(in.dst), nat(in.dst), u5(SCRATCH1));
	}
}
// JGT (unsigned) with the signed condition GT.
void jgt_signed(Ctx &c, const In &in) {
	cmp_rr<D>(c, true, nat(in.dst), nat(in.src));
	b_cond_to<D>(c, Cond::GT, target_of(c, in));
}
// JSLE (signed) with the unsigned condition LS.
void jsle_unsigned(Ctx &c, const In &in) {
	cmp_rr<D>(c, true, nat(in.dst), nat(in.src));
	b_cond_to<D>(c, Cond::LS, target_of(c, in));
}
// JEQ X with B.cond whatever the distance: beyond +-1 MiB the imm19
// wraps.
void jeq_bcond_unchecked(Ctx &c, const In &in) {
	cmp_rr<D>(c, true, nat(in.dst), nat(in.src));
	b_cond<D>(c, Cond::EQ, extract<20, 2>(target_of(c, in) - c.here()));
}
// JMP32 JEQ X compared on 64 bits.
void jmp32_jeq_64bit(Ctx &c, const In &in) {
	cmp_rr<D>(c, true, nat(in.dst), nat(in.src));
	b_cond_to<D>(c, Cond::EQ, target_of(c, in));
}
// MOD X with MADD for MSUB: dst + q * src.
void mod_madd(Ctx &c, const In &in) {
	dp2<D>(c, true, Dp2::UDIV, u5(SCRATCH2), nat(in.dst), nat(in.src));
	madd_msub<D>(c, true, false, nat(in.dst), u5(SCRATCH2), nat(in.src), nat(in.dst));
}
// MOD X as the quotient (no MSUB at all).
void mod_no_msub(Ctx &c, const In &in) {
	dp2<D>(c, true, Dp2::UDIV, nat(in.dst), nat(in.dst), nat(in.src));
}
// SDIV X with UDIV.
void sdiv_as_udiv(Ctx &c, const In &in) {
	dp2<D>(c, true, Dp2::UDIV, nat(in.dst), nat(in.dst), nat(in.src));
}
// LDX MEM W loading 8 bytes.
void ldxw_loads_8(Ctx &c, const In &in) { ldst<D>(c, Size::X, LdSt::LDR, nat(in.dst), nat(in.src), in.off); }
// STX MEM H storing 4 bytes.
void stxh_stores_4(Ctx &c, const In &in) { ldst<D>(c, Size::W, LdSt::STR, nat(in.src), nat(in.dst), in.off); }
// LDSX W lowered as the zero-extending load.
void ldsx_as_ldx(Ctx &c, const In &in) { ldst<D>(c, Size::W, LdSt::LDR, nat(in.dst), nat(in.src), in.off); }
// ALU64 SUB X with the Rn field one bit too high (an encoding field off
// by one).
void sub_rn_field_off_by_one(Ctx &c, const In &in) {
	c.emit32(u32(0xcb000000u) | fld<D, 5>(nat(in.src), 16) | fld<D, 5>(nat(in.dst), 6) |
		 fld<D, 5>(nat(in.dst), 0));
}
// LL/SC atomic add whose STXR status is not checked: a failed attempt
// (another CPU wrote the location) is not retried, the update is lost.
void llsc_add_no_retry(Ctx &c, const In &in) {
	const u5 a = atomic_addr<D>(c, in), old = u5(SCRATCH2), nv = u5(SCRATCH3), st = u5(SCRATCH4);
	ldxr<D>(c, true, old, a);
	addsub_reg<D>(c, true, false, false, nv, old, nat(in.src));
	stxr<D>(c, true, false, st, nv, a);
}
// EXIT falling through instead of branching to the epilogue.
void exit_to_next(Ctx &c, const In &) { b_imm<D>(c, false, SBV<26>(1)); }
// The prologue reserving 16 bytes less than the BPF stack: its bottom
// lies below sp (an interrupt or a helper's frame may overwrite it).
void prologue_short_frame(Ctx &c) {
	if (c.opts.ibt)
		hint<D>(c, Hint::BTI_C);
	hint<D>(c, Hint::PACIASP);
	ldstp_x<D>(c, false, true, -2, FP, LR, SP);
	mov_sp<D>(c, FP, SP);
	for (unsigned i = 0; i < n_saved_pairs; i++)
		ldstp_x<D>(c, false, true, -2, saved_pairs[i][0], saved_pairs[i][1], SP);
	mov_sp<D>(c, X25, SP);
	addsub_imm<D>(c, true, true, false, false, SP, SP, SBV<12>(stack_bytes(c.opts.stack_depth) - 16));
}
// The epilogue restoring the x21/x22 pair swapped (a callee-saved pair
// clobbered).
void epilogue_pair_swapped(Ctx &c) {
	addsub_imm<D>(c, true, false, false, false, SP, SP, SBV<12>(stack_bytes(c.opts.stack_depth)));
	ldstp_x<D>(c, true, false, 2, X25, X26, SP);
	ldstp_x<D>(c, true, false, 2, X22, X21, SP);
	ldstp_x<D>(c, true, false, 2, X19, X20, SP);
	ldstp_x<D>(c, true, false, 2, FP, LR, SP);
	mov_rr<D>(c, true, u5(X0), u5(X7));
	hint<D>(c, Hint::AUTIASP);
	ret<D>(c);
}
// Padding with MOV x0, x0... that is ORR x7, xzr, x0: not a NOP.
void pad_mov(Ctx &c, uint32_t n) {
	for (uint32_t k = 0; k < n / 4; k++)
		mov_rr<D>(c, true, u5(X7), u5(X0));
}

} // namespace

ArchInfo arch_info_arm64() {
	ArchInfo a = make_arch<TargetArm64>();
	a.check_rule = check_rule_arm64;
	return a;
}

std::vector<Mutant> mutants_arm64() {
	return {
		{"a64-alu32-add-no-zext", "arm64", "ALU ADD X", "missing zero extension after a 32-bit op", "R", alu32_add_no_zext, false, nullptr, nullptr},
		{"a64-alu64-mov-k-zext", "arm64", "ALU64 MOV K", "wrong sign extension of an immediate", "R", alu64_mov_k_zext, false, nullptr, nullptr},
		{"a64-and-k-w-imm", "arm64", "ALU64 AND K", "logical immediate for the wrong width (Linux 579d1b3faa37's class)", "R", alu64_and_k_w_imm, false, nullptr, nullptr},
		{"a64-add-k-imm12-off-by-one", "arm64", "ALU64 ADD K", "off-by-one immediate range check (imm12)", "R", alu64_add_k_imm12_off_by_one, false, nullptr, nullptr},
		{"a64-jgt-signed", "arm64", "JMP JGT X", "wrong condition code (signed for unsigned)", "pc", jgt_signed, false, nullptr, nullptr},
		{"a64-jsle-unsigned", "arm64", "JMP JSLE X", "wrong condition code (unsigned for signed)", "pc", jsle_unsigned, false, nullptr, nullptr},
		{"a64-bcond-out-of-range", "arm64", "JMP JEQ X", "B.cond beyond +-1 MiB (no inverted B.cond over B)", "pc", jeq_bcond_unchecked, false, nullptr, nullptr},
		{"a64-jmp32-jeq-64bit", "arm64", "JMP32 JEQ X", "32-bit vs 64-bit compare", "pc", jmp32_jeq_64bit, false, nullptr, nullptr},
		{"a64-mod-madd", "arm64", "ALU64 MOD X", "MOD with MADD for MSUB", "R", mod_madd, false, nullptr, nullptr},
		{"a64-mod-no-msub", "arm64", "ALU64 MOD X", "MOD without MSUB (the quotient)", "R", mod_no_msub, false, nullptr, nullptr},
		{"a64-sdiv-as-udiv", "arm64", "ALU64 SDIV X", "signed division lowered as the unsigned one", "R", sdiv_as_udiv, false, nullptr, nullptr},
		{"a64-ldxw-loads-8", "arm64", "LDX MEM W", "wrong memory size (load)", "load #1", ldxw_loads_8, false, nullptr, nullptr},
		{"a64-stxh-stores-4", "arm64", "STX MEM H", "wrong memory size (store)", "stores 4 bytes, BPF 2", stxh_stores_4, false, nullptr, nullptr},
		{"a64-ldsx-as-ldx", "arm64", "LDX MEMSX W", "sign-extending load lowered as a plain load", "R", ldsx_as_ldx, false, nullptr, nullptr},
		{"a64-sub-rn-off-by-one", "arm64", "ALU64 SUB X", "an encoding field off by one (Rn at bit 6)", "R", sub_rn_field_off_by_one, false, nullptr, nullptr},
		{"a64-llsc-no-retry", "arm64", "STX ATOMIC DW ADD", "LDXR/STXR without the retry (status not checked)", "store #1", llsc_add_no_retry, false, nullptr, nullptr},
		{"a64-exit-to-next", "arm64", "JMP EXIT", "exit does not reach the epilogue", "pc", exit_to_next, false, nullptr, nullptr},
		{"a64-prologue-short-frame", "arm64", "", "stack frame too small (the BPF stack reaches below sp)", "BPF stack above sp", nullptr, true, prologue_short_frame, nullptr},
		{"a64-epilogue-pair-swapped", "arm64", "", "callee-saved pair clobbered (x21/x22 swapped)", "callee-saved", nullptr, true, nullptr, epilogue_pair_swapped},
		{"a64-pad-mov", "arm64", "", "padding that is not a NOP (clobbers x7 = R0)", "x7", nullptr, true, nullptr, nullptr, pad_mov},
	};
}

} // namespace verify
} // namespace vjit
