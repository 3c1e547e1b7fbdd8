// SPDX-License-Identifier: GPL-2.0
// The riscv64 arch's registration, and the mutants of its table:
// deliberately wrong lowerings of the bug classes RISC-V BPF JITs have
// shipped (or could), each replacing one table entry (or the
// prologue/epilogue/padding) in a test-only variant of the table.
// vjit-verify --mutant ID re-injects one; check-verifier requires every
// one of them to be rejected with the expected counterexample. Written
// with the backend's own encoders where the bug is in the lowering, with
// raw fields where it is in an encoding.
#include "arch/riscv64/lower.h"
#include "verifier/arches.h"
#include "verifier/frame_tasks.h"
#include "verifier/target_riscv64.h"

namespace vjit {
namespace verify {
namespace {

using D = Symbolic;
using namespace riscv64;
using In = InsnFields<D>;
using Ctx = JitCtx<D>;
using u5 = SBV<5>;
using u12 = SBV<12>;
using u13 = SBV<13>;
using u6 = SBV<6>;

u5 nat(const u4 &r) { return native_reg<D>(r); }
u5 reg(uint8_t r) { return u5(r); }

// ALU32 ADD X as addw alone: RV64's W forms sign-extend, eBPF zero-extends
// (Linux 1e692f09e091: the high 32 bits not cleared after ALU32 ops).
void alu32_add_no_zext(Ctx &c, const In &in) { rv_opw<D>(c, ROp::ADD, nat(in.dst), nat(in.dst), nat(in.src)); }
// ALU32 RSH K as srliw alone: the result is sign-extended from bit 31.
void alu32_rsh_k_no_zext(Ctx &c, const In &in) {
	rv_shiftiw<D>(c, ShOp::SRL, nat(in.dst), nat(in.dst), trunc<5>(in.imm));
}
// ALU32 NEG as subw alone (the same commit's neg case).
void alu32_neg_no_zext(Ctx &c, const In &in) { rv_opw<D>(c, ROp::SUB, nat(in.dst), reg(ZERO), nat(in.dst)); }
// ALU64 MOV K with lui/addiw and no carry into the upper part when the low
// 12 bits are negative (bit 11 set).
void mov_k_no_carry(Ctx &c, const In &in) {
	if (D::when(fits_simm12<D, 32>(in.imm), "fits_simm12")) {
		rv_addi<D>(c, nat(in.dst), reg(ZERO), trunc<12>(in.imm));
		return;
	}
	rv_lui<D>(c, nat(in.dst), extract<31, 12>(in.imm));
	rv_addiw<D>(c, nat(in.dst), nat(in.dst), trunc<12>(in.imm));
}
// ALU64 ADD K: the 12-bit form chosen for any imm below 4096 unsigned
// (addi sign-extends its immediate).
void add_k_uimm12(Ctx &c, const In &in) {
	if (D::when(ult(in.imm, u32(4096)), "fits_uimm12")) {
		rv_addi<D>(c, nat(in.dst), nat(in.dst), trunc<12>(in.imm));
		return;
	}
	li32<D>(c, reg(SCRATCH1), in.imm);
	rv_op<D>(c, ROp::ADD, nat(in.dst), nat(in.dst), reg(SCRATCH1));
}
// ALU64 MUL K with the immediate built by lui/addiw without the carry: a
// product of operands that differ (the verifier abstracts products first;
// that must not hide a wrong operand).
void mul_k_no_carry(Ctx &c, const In &in) {
	rv_lui<D>(c, reg(SCRATCH1), extract<31, 12>(in.imm));
	rv_addiw<D>(c, reg(SCRATCH1), reg(SCRATCH1), trunc<12>(in.imm));
	rv_op<D>(c, ROp::MUL, nat(in.dst), nat(in.dst), reg(SCRATCH1));
}
// ALU64 DIV X as divu alone: a zero divisor leaves all ones, eBPF wants 0.
void div_zero_all_ones(Ctx &c, const In &in) { rv_op<D>(c, ROp::DIVU, nat(in.dst), nat(in.dst), nat(in.src)); }
// ALU64 SDIV X as div alone: a zero divisor gives -1, eBPF wants 0.
void sdiv_zero_minus_one(Ctx &c, const In &in) { rv_op<D>(c, ROp::DIV, nat(in.dst), nat(in.dst), nat(in.src)); }
// ALU MOD X as remuw alone: the 32-bit remainder sign-extended.
void mod32_no_zext(Ctx &c, const In &in) { rv_opw<D>(c, ROp::REMU, nat(in.dst), nat(in.dst), nat(in.src)); }
// ALU DIV X with the zero test on all 64 bits of the divisor: a divisor
// whose low half is 0 divides by zero unmasked.
void div32_mask_64bit(Ctx &c, const In &in) {
	const u5 dst = nat(in.dst), src = nat(in.src), t1 = reg(SCRATCH1), t2 = reg(SCRATCH2);
	rv_opw<D>(c, ROp::DIVU, t1, dst, src);
	rv_opi<D>(c, IOp::SLTIU, t2, src, u12(1));
	rv_addi<D>(c, t2, t2, u12(0xfff));
	rv_op<D>(c, ROp::AND, dst, t1, t2);
	zext32<D>(c, dst, dst);
}
// ALU64 LSH K with a 5-bit shift count.
void lsh64_shamt5(Ctx &c, const In &in) {
	rv_shifti<D>(c, ShOp::SLL, nat(in.dst), nat(in.dst), zext<6>(trunc<5>(in.imm)));
}
// JGT (unsigned) with blt (signed).
void jgt_signed(Ctx &c, const In &in) {
	branch_to<D>(c, BrCond::LT, nat(in.src), nat(in.dst), jump_target<D>(c, in));
}
// JMP32 JEQ X comparing all 64 bits.
void jmp32_jeq_64bit(Ctx &c, const In &in) {
	branch_to<D>(c, BrCond::EQ, nat(in.dst), nat(in.src), jump_target<D>(c, in));
}
// JEQ X: the short branch taken when the offset fits 14 bits (one too
// many: a branch reaches +-4 KiB).
void jeq_branch_reach_off_by_one(Ctx &c, const In &in) {
	const u32 target = jump_target<D>(c, in), rel = target - c.here();
	if (!D::when(is_even<D>(rel), "target_even")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (D::when(sext<32>(trunc<14>(rel)) == rel, "fits_branch14")) {
		rv_branch<D>(c, BrCond::EQ, nat(in.dst), nat(in.src), trunc<13>(rel));
		return;
	}
	branch_to<D>(c, BrCond::EQ, nat(in.dst), nat(in.src), target);
}
// JNE X: the jal's reach measured from the branch instead of from the jal
// (the class of Linux 489553dd13a8: a range check against the wrong
// instruction's offset).
void jne_jal_reach_from_branch(Ctx &c, const In &in) {
	const u32 target = jump_target<D>(c, in), rel = target - c.here();
	if (!D::when(is_even<D>(rel), "target_even")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (D::when(fits_branch<D>(rel), "fits_branch")) {
		rv_branch<D>(c, BrCond::NE, nat(in.dst), nat(in.src), trunc<13>(rel));
		return;
	}
	if (D::when(fits_jal<D>(rel), "fits_jal")) {
		rv_branch<D>(c, BrCond::EQ, nat(in.dst), nat(in.src), u13(8));
		rv_jal<D>(c, reg(ZERO), trunc<21>(target - c.here()));
		return;
	}
	rv_branch<D>(c, BrCond::EQ, nat(in.dst), nat(in.src), u13(12));
	far_jump<D>(c, target);
}
// JA to pc + off instead of pc + 1 + off.
void ja_off_by_one(Ctx &c, const In &in) { jump_to<D>(c, c.insn_addr(c.idx() + sext<32>(in.off))); }
// A far jump whose auipc takes the upper bits without the carry.
void ja_far_no_carry(Ctx &c, const In &in) {
	const u32 target = jump_target<D>(c, in), rel = target - c.here();
	if (!D::when(is_even<D>(rel), "target_even")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	if (D::when(fits_jal<D>(rel), "fits_jal")) {
		rv_jal<D>(c, reg(ZERO), trunc<21>(rel));
		return;
	}
	rv_auipc<D>(c, reg(SCRATCH1), extract<31, 12>(rel));
	rv_jalr<D>(c, reg(ZERO), reg(SCRATCH1), trunc<12>(rel));
}
// LDX MEM W with lw: the loaded word sign-extended.
void ldxw_sign_extends(Ctx &c, const In &in) {
	const Addr<D> m = mem_at<D>(c, nat(in.src), in.off);
	rv_load<D>(c, Width::W, false, nat(in.dst), m.base, m.disp);
}
// STX MEM H with sw.
void stxh_stores_4(Ctx &c, const In &in) {
	const Addr<D> m = mem_at<D>(c, nat(in.dst), in.off);
	rv_store<D>(c, Width::W, nat(in.src), m.base, m.disp);
}
// LDX MEM DW with the offset's S-type split in an I-type load: the
// immediate's low 5 bits land in rd's field (an encoding field mix-up).
void ldxdw_wrong_field(Ctx &c, const In &in) {
	const Addr<D> m = mem_at<D>(c, nat(in.src), in.off);
	c.emit32(s_type<D>(m.disp, u5(0), m.base, 3, OP_LOAD) | i_type<D>(u12(0), u5(0), 0, nat(in.dst), 0));
}
// STX ATOMIC DW ADD FETCH relaxed: eBPF's fetch forms are fully ordered
// (Linux 6.1.93, "riscv, bpf: make some atomic operations fully ordered").
void fetch_add_relaxed(Ctx &c, const In &in) {
	const u5 addr = atomic_addr<D>(c, in), src = nat(in.src);
	rv_amo<D>(c, AmoOp::ADD, Order::RELAXED, Width::D, src, addr, src);
}
// STX ATOMIC W XCHG without zero-extending the fetched word.
void xchg32_no_zext(Ctx &c, const In &in) {
	const u5 addr = atomic_addr<D>(c, in), src = nat(in.src);
	rv_amo<D>(c, AmoOp::SWAP, Order::AQRL, Width::W, src, addr, src);
}
// STX ATOMIC W CMPXCHG comparing against R0 not sign-extended: lr.w's
// sign-extended word never equals an R0 with a clear upper half.
void cmpxchg32_no_sext_r0(Ctx &c, const In &in) {
	const u5 addr = atomic_addr<D>(c, in), src = nat(in.src);
	const u5 t1 = reg(SCRATCH1), t4 = reg(SCRATCH4), r0 = reg(A5), zero = reg(ZERO);
	rv_amo<D>(c, AmoOp::LR, Order::AQRL, Width::W, t1, addr, zero);
	rv_branch<D>(c, BrCond::NE, t1, r0, u13(12));
	rv_amo<D>(c, AmoOp::SC, Order::AQRL, Width::W, t4, addr, src);
	rv_branch<D>(c, BrCond::NE, t4, zero, u13((uint64_t)-12 & 0x1fff));
	zext32<D>(c, r0, t1);
}
// CALL without moving the result from a0 to R0's a5.
void call_result_in_a0(Ctx &c, const In &in) {
	if (D::when(in.src != u4(0), "not_helper_call")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	li64<D>(c, reg(SCRATCH1), c.helper_addr(in.imm), reg(SCRATCH2));
	rv_jalr<D>(c, reg(RA), reg(SCRATCH1), u12(0));
}
// LD IMM64 without the borrow of the sign-extended low half.
void ld_imm64_no_borrow(Ctx &c, const In &in) {
	const u64 v = concat(in.imm_hi, in.imm);
	const u5 dst = nat(in.dst), t1 = reg(SCRATCH1);
	if (D::when(fits_simm32<D>(v), "fits_simm32")) {
		li32<D>(c, dst, in.imm);
		return;
	}
	li32<D>(c, dst, in.imm_hi);
	rv_shifti<D>(c, ShOp::SLL, dst, dst, u6(32));
	li32<D>(c, t1, in.imm);
	rv_op<D>(c, ROp::ADD, dst, dst, t1);
}
// NOSPEC lowered to nothing.
void nospec_nothing(Ctx &, const In &) {}

// Frame: the epilogue restores s1-s5 but not s3 (R8's home).
void epilogue_skips_s3(Ctx &c) {
	const uint32_t f = frame_bytes(c.opts.stack_depth);
	const u5 sp = reg(SP);
	mv<D>(c, reg(A0), reg(A5));
	for (unsigned i = 0; i < n_saved_regs; i++)
		if (saved_regs[i] != S3)
			rv_load<D>(c, Width::D, false, reg(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, sp, sp, u12(f));
	rv_jalr<D>(c, reg(ZERO), reg(RA), u12(0));
}
// Frame: the epilogue returns without reloading ra (a helper call in the
// body has overwritten it).
void epilogue_keeps_ra(Ctx &c) {
	const uint32_t f = frame_bytes(c.opts.stack_depth);
	const u5 sp = reg(SP);
	mv<D>(c, reg(A0), reg(A5));
	for (unsigned i = 1; i < n_saved_regs; i++)
		rv_load<D>(c, Width::D, false, reg(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, sp, sp, u12(f));
	rv_jalr<D>(c, reg(ZERO), reg(RA), u12(0));
}
// Frame: the frame padded by 8 instead of rounded to 16 (sp misaligned
// for calls whenever the sum already was a multiple of 16).
void prologue_no_16_rounding(Ctx &c) {
	const uint32_t f = round_up(c.opts.stack_depth, 8) + 8 * n_saved_regs + 8;
	const u5 sp = reg(SP);
	rv_addi<D>(c, sp, sp, u12((uint64_t)(-(int32_t)f) & 0xfff));
	for (unsigned i = 0; i < n_saved_regs; i++)
		rv_store<D>(c, Width::D, reg(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, reg(S5), sp, u12(f));
}
// Frame: no NOP before the frame: the kernel's tail calls, jumping past
// the first instruction, skip the frame's allocation.
void prologue_no_tail_call_nop(Ctx &c) {
	const uint32_t f = frame_bytes(c.opts.stack_depth);
	const u5 sp = reg(SP);
	rv_addi<D>(c, sp, sp, u12((uint64_t)(-(int32_t)f) & 0xfff));
	for (unsigned i = 0; i < n_saved_regs; i++)
		rv_store<D>(c, Width::D, reg(saved_regs[i]), sp, u12(8 * i));
	rv_addi<D>(c, reg(S5), sp, u12(f));
}
// Padding with `addi t0, zero, 0` instead of NOPs: it clears AX's home.
void pad_clears_t0(Ctx &c, uint32_t n) {
	for (uint32_t i = 0; i + 4 <= n; i += 4)
		rv_addi<D>(c, reg(T0), reg(ZERO), u12(0));
}

} // namespace

ArchInfo arch_info_riscv64() { return make_arch<TargetRiscv64>(); }

std::vector<Mutant> mutants_riscv64() {
	const char *a = "riscv64";
	return {
		{"rv-alu32-add-no-zext", a, "ALU ADD X", "ALU32 result sign-extended by a W instruction (Linux 1e692f09e091)", "R", alu32_add_no_zext, false, nullptr, nullptr},
		{"rv-alu32-rsh-k-no-zext", a, "ALU RSH K", "srliw's sign-extended result left in place (Linux 1e692f09e091)", "R", alu32_rsh_k_no_zext, false, nullptr, nullptr},
		{"rv-alu32-neg-no-zext", a, "ALU NEG", "negw's sign-extended result left in place (Linux 1e692f09e091)", "R", alu32_neg_no_zext, false, nullptr, nullptr},
		{"rv-mov-k-no-carry", a, "ALU64 MOV K", "lui/addiw split without the carry when bit 11 is set", "R", mov_k_no_carry, false, nullptr, nullptr},
		{"rv-add-k-uimm12", a, "ALU64 ADD K", "12-bit immediate range checked unsigned (addi sign-extends)", "R", add_k_uimm12, false, nullptr, nullptr},
		{"rv-mul-k-no-carry", a, "ALU64 MUL K", "multiplier immediate split without the carry when bit 11 is set", "R", mul_k_no_carry, false, nullptr, nullptr},
		{"rv-div-zero-all-ones", a, "ALU64 DIV X", "divu by zero left as all ones", "R", div_zero_all_ones, false, nullptr, nullptr},
		{"rv-sdiv-zero-minus-one", a, "ALU64 SDIV X", "div by zero left as -1", "R", sdiv_zero_minus_one, false, nullptr, nullptr},
		{"rv-mod32-no-zext", a, "ALU MOD X", "remuw's sign-extended result left in place", "R", mod32_no_zext, false, nullptr, nullptr},
		{"rv-div32-mask-64bit", a, "ALU DIV X", "ALU32 zero-divisor test on all 64 bits", "R", div32_mask_64bit, false, nullptr, nullptr},
		{"rv-lsh64-shamt5", a, "ALU64 LSH K", "shift count masked to 5 bits for a 64-bit shift", "R", lsh64_shamt5, false, nullptr, nullptr},
		{"rv-jgt-signed", a, "JMP JGT X", "signed branch for an unsigned condition", "pc", jgt_signed, false, nullptr, nullptr},
		{"rv-jmp32-jeq-64bit", a, "JMP32 JEQ X", "JMP32 comparing 64 bits", "pc", jmp32_jeq_64bit, false, nullptr, nullptr},
		{"rv-branch-reach-off-by-one", a, "JMP JEQ X", "branch reach off by one bit (14 instead of 13)", "pc", jeq_branch_reach_off_by_one, false, nullptr, nullptr},
		{"rv-jal-reach-from-branch", a, "JMP JNE X", "jal reach checked from the branch, not the jal (Linux 489553dd13a8's class)", "pc", jne_jal_reach_from_branch, false, nullptr, nullptr},
		{"rv-ja-off-by-one", a, "JMP JA", "off-by-one jump offset", "pc", ja_off_by_one, false, nullptr, nullptr},
		{"rv-ja-far-no-carry", a, "JMP JA", "auipc/jalr split without the carry", "pc", ja_far_no_carry, false, nullptr, nullptr},
		{"rv-ldxw-sign-extends", a, "LDX MEM W", "lw for a zero-extending load", "R", ldxw_sign_extends, false, nullptr, nullptr},
		{"rv-stxh-stores-4", a, "STX MEM H", "wrong memory size (store)", "stores 4 bytes, BPF 2", stxh_stores_4, false, nullptr, nullptr},
		{"rv-ldxdw-wrong-field", a, "LDX MEM DW", "immediate in the S-type fields of an I-type load", "load #1", ldxdw_wrong_field, false, nullptr, nullptr},
		{"rv-fetch-add-relaxed", a, "STX ATOMIC DW ADD FETCH", "amo without aq/rl for a fully ordered BPF atomic (Linux 6.1.93)", "relaxed", fetch_add_relaxed, false, nullptr, nullptr},
		{"rv-xchg32-no-zext", a, "STX ATOMIC W XCHG", "fetched word left sign-extended", "R", xchg32_no_zext, false, nullptr, nullptr},
		{"rv-cmpxchg32-no-sext-r0", a, "STX ATOMIC W CMPXCHG", "lr.w's sign-extended word compared with R0 not sign-extended", "writes back", cmpxchg32_no_sext_r0, false, nullptr, nullptr},
		{"rv-call-result-in-a0", a, "JMP CALL", "helper result not moved to R0", "R0", call_result_in_a0, false, nullptr, nullptr},
		{"rv-ld-imm64-no-borrow", a, "LD IMM64", "64-bit immediate split without the low half's borrow", "R", ld_imm64_no_borrow, false, nullptr, nullptr},
		{"rv-nospec-nothing", a, "ST NOSPEC", "speculation barrier dropped (BPF_NOSPEC)", "speculation barrier missing", nospec_nothing, false, nullptr, nullptr},
		{"rv-epilogue-skips-s3", a, "", "clobbered callee-saved register (s3, R8's home)", "callee-saved s3", nullptr, true, nullptr, epilogue_skips_s3},
		{"rv-epilogue-keeps-ra", a, "", "return through ra without reloading it", "returns to the caller", nullptr, true, nullptr, epilogue_keeps_ra},
		{"rv-prologue-no-16-rounding", a, "", "sp misaligned for calls (frame rounded to 8)", "aligned to 16", nullptr, true, prologue_no_16_rounding, nullptr},
		{"rv-prologue-no-tail-call-nop", a, "", "tail-call entry past the frame's allocation (no NOP for the kernel's tail calls to skip)", "BPF stack above sp", nullptr, true, prologue_no_tail_call_nop, nullptr, nullptr, false, true},
		{"rv-pad-clears-t0", a, "", "padding that is not a NOP (clears t0, AX's home)", "t0", nullptr, true, nullptr, nullptr, pad_clears_t0},
	};
}

} // namespace verify
} // namespace vjit
