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
// The stock prologue's words up to mov x25, sp, with the callee-saved
// pairs in the order given.
void prologue_head(Ctx &c, const uint8_t (*pairs)[2], bool patch_nop = true) {
	if (c.opts.ibt)
		hint<D>(c, Hint::BTI_JC);
	mov_sp<D>(c, X9, LR);
	if (patch_nop)
		hint<D>(c, Hint::NOP);
	hint<D>(c, Hint::PACIASP);
	ldstp_x<D>(c, false, true, -2, FP, LR, SP);
	mov_sp<D>(c, FP, SP);
	for (unsigned i = 0; i < n_saved_pairs; i++)
		ldstp_x<D>(c, false, true, -2, pairs[i][0], pairs[i][1], SP);
	mov_sp<D>(c, X25, SP);
}
void zero_counter(Ctx &c) { move_wide<D>(c, true, MoveWide::MOVZ, 0, SBV<16>(0), u5(TAIL_CALL_CNT)); }
void reserve_stack(Ctx &c, uint32_t bytes) { addsub_imm<D>(c, true, true, false, false, SP, SP, SBV<12>(bytes)); }
void tail_call_pad(Ctx &c) {
	if (c.opts.ibt && c.opts.tail_call_entry)
		hint<D>(c, Hint::BTI_J);
}
// The prologue reserving 16 bytes less than the BPF stack: its bottom
// lies below sp (an interrupt or a helper's frame may overwrite it).
void prologue_short_frame(Ctx &c) {
	prologue_head(c, saved_pairs);
	zero_counter(c);
	tail_call_pad(c);
	reserve_stack(c, stack_bytes(c.opts.stack_depth) - 16);
}
// The counter zeroed again after the tail-call entry: every tail call
// restarts the count, so a chain of tail calls is never stopped at
// MAX_TAIL_CALL_CNT.
void prologue_counter_reset(Ctx &c) {
	prologue_head(c, saved_pairs);
	zero_counter(c);
	tail_call_pad(c);
	zero_counter(c);
	reserve_stack(c, stack_bytes(c.opts.stack_depth));
}
// No patch-site NOP: the kernel's tail calls enter one instruction late,
// past the BTI J (an indirect branch to a non-landing pad: a BTI fault).
void prologue_no_patch_nop(Ctx &c) {
	prologue_head(c, saved_pairs, false);
	zero_counter(c);
	tail_call_pad(c);
	reserve_stack(c, stack_bytes(c.opts.stack_depth));
}
// The main entry leaves the caller's x26 as the count (a NOP where the
// stock JIT zeroes it).
void prologue_counter_not_zeroed(Ctx &c) {
	prologue_head(c, saved_pairs);
	hint<D>(c, Hint::NOP);
	tail_call_pad(c);
	reserve_stack(c, stack_bytes(c.opts.stack_depth));
}
// x21/x22 pushed before x19/x20, and popped to match: a frame of its own
// that proves entered by a call, but not the stock frame a tail call
// enters it with.
constexpr uint8_t pairs_out_of_order[][2] = {{X21, X22}, {X19, X20}, {X25, X26}, {X27, X28}};
void prologue_pairs_out_of_order(Ctx &c) {
	prologue_head(c, pairs_out_of_order);
	zero_counter(c);
	tail_call_pad(c);
	reserve_stack(c, stack_bytes(c.opts.stack_depth));
}
void epilogue_pairs_out_of_order(Ctx &c) {
	addsub_imm<D>(c, true, false, false, false, SP, SP, SBV<12>(stack_bytes(c.opts.stack_depth)));
	for (unsigned i = n_saved_pairs; i-- > 0;)
		ldstp_x<D>(c, true, false, 2, pairs_out_of_order[i][0], pairs_out_of_order[i][1], SP);
	ldstp_x<D>(c, true, false, 2, FP, LR, SP);
	mov_rr<D>(c, true, u5(X0), u5(X7));
	hint<D>(c, Hint::AUTIASP);
	ret<D>(c);
}
// The epilogue restoring the x21/x22 pair swapped (a callee-saved pair
// clobbered).
void epilogue_pair_swapped(Ctx &c) {
	addsub_imm<D>(c, true, false, false, false, SP, SP, SBV<12>(stack_bytes(c.opts.stack_depth)));
	ldstp_x<D>(c, true, false, 2, X27, X28, SP);
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

// The frame tasks, and with each tail-call variant the prologue's layout
// up to the tail-call entry and the counter (check_tail_call_entry).
Result check_frame_arm64(const std::function<Result(size_t, const Mutant *, const Config &)> &frame, size_t k,
			 const Mutant *m, const Config &cfg) {
	Result r = frame(k, m, cfg);
	static const std::vector<FrameVariant> fv = TargetArm64::frame_variants();
	if (k >= fv.size() || !fv[k].tail_call || r.outcome != Outcome::PROVED)
		return r;
	Config c = cfg;
	c.opts = fv[k].opts;
	FrameFn pro = m && m->prologue ? m->prologue : [](Ctx &x) { Arm64::prologue<D>(x); };
	Result t = check_tail_call_entry(pro, c, fv[k].name);
	if (t.outcome != Outcome::PROVED) {
		t.seconds += r.seconds;
		return t;
	}
	r.paths += t.paths;
	r.checks += t.checks;
	r.proved += t.proved;
	r.seconds += t.seconds;
	r.prove_seconds += t.prove_seconds;
	return r;
}

} // namespace

ArchInfo arch_info_arm64() {
	ArchInfo a = make_arch<TargetArm64>();
	a.check_rule = check_rule_arm64;
	auto frame = a.check_frame;
	a.check_frame = [frame](size_t k, const Mutant *m, const Config &cfg) {
		return check_frame_arm64(frame, k, m, cfg);
	};
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
		{"a64-tail-call-counter-reset", "arm64", "", "tail-call counter zeroed after the tail-call entry too (MAX_TAIL_CALL_CNT defeated)", "counter x26 carried", nullptr, true, prologue_counter_reset, nullptr, nullptr, false, true},
		{"a64-tail-call-entry-late", "arm64", "", "tail-call entry one instruction late (no patch-site NOP: past BTI J)", "landing pad", nullptr, true, prologue_no_patch_nop, nullptr, nullptr, false, true},
		{"a64-tail-call-counter-not-zeroed", "arm64", "", "tail-call counter not zeroed at the main entry", "x26 = 0", nullptr, true, prologue_counter_not_zeroed, nullptr, nullptr, false, true},
		{"a64-pairs-pushed-out-of-order", "arm64", "", "callee-saved pairs pushed (and popped) in a non-stock order", "callee-saved", nullptr, true, prologue_pairs_out_of_order, epilogue_pairs_out_of_order, nullptr, false, true},
		{"a64-pad-mov", "arm64", "", "padding that is not a NOP (clobbers x7 = R0)", "x7", nullptr, true, nullptr, nullptr, pad_mov},
	};
}

} // namespace verify
} // namespace vjit
