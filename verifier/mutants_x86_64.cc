// SPDX-License-Identifier: GPL-2.0
// The x86-64 arch's registration, and the mutants of its table:
// deliberately wrong lowerings, one per bug class Linux's JITs have
// shipped, each replacing one table entry (or the
// prologue/epilogue) in a test-only variant of the table. vjit-verify
// --mutant ID re-injects one; check-verifier requires every one of them to
// be rejected with the expected counterexample. Written with the backend's
// own encoders where the bug is in the lowering, with raw fields where the
// bug is in an encoding.
#include "arch/x86_64/lower.h"
#include "verifier/frame_tasks.h"
#include "verifier/target_x86_64.h"

namespace vjit {
namespace verify {
namespace {

using D = Symbolic;
using namespace x86_64;
using In = InsnFields<D>;
using Ctx = JitCtx<D>;

u4 nat(const u4 &r) { return native_reg<D>(r); }

// ALU32 ADD X done on 64 bits: no zero extension of the result.
void alu32_add_no_zext(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::ADD, nat(in.dst), nat(in.src));
}
// ALU32 MOV K with the sign-extending mov r/m64, imm32.
void alu32_mov_k_sext(Ctx &c, const In &in) { mov_ri32_sx<D>(c, nat(in.dst), in.imm); }
// ALU64 MOV K with the zero-extending mov r32, imm32: negative imms lose their sign.
void alu64_mov_k_zext(Ctx &c, const In &in) { mov_ri32<D>(c, nat(in.dst), in.imm); }
// ALU64 ADD K: the imm8 form chosen when imm fits in 8 bits unsigned
// (x86 sign-extends imm8).
void alu64_add_k_imm8_unsigned(Ctx &c, const In &in) {
	if (D::when(ult(in.imm, u32(256)), "fits_uimm8"))
		alu_ri8<D>(c, Sz::Q64, AluOp::ADD, nat(in.dst), trunc<8>(in.imm));
	else
		alu_ri32<D>(c, Sz::Q64, AluOp::ADD, nat(in.dst), in.imm);
}
// JA to pc + off instead of pc + 1 + off.
void ja_off_by_one(Ctx &c, const In &in) {
	jump_to<D>(c, true, Cond::O, c.insn_addr(c.idx() + sext<32>(in.off)));
}
// JEQ X with the rel32 displacement taken from the start of the jcc.
void jeq_rel_from_start(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::CMP, nat(in.dst), nat(in.src));
	u32 target = c.insn_addr(c.idx() + u32(1) + sext<32>(in.off));
	jcc_rel32<D>(c, Cond::E, target - c.here());
}
// JGT (unsigned) with the signed condition G.
void jgt_signed(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::CMP, nat(in.dst), nat(in.src));
	jump_to<D>(c, false, Cond::G, c.insn_addr(c.idx() + u32(1) + sext<32>(in.off)));
}
// JSLE (signed) with the unsigned condition BE.
void jsle_unsigned(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::CMP, nat(in.dst), nat(in.src));
	jump_to<D>(c, false, Cond::BE, c.insn_addr(c.idx() + u32(1) + sext<32>(in.off)));
}
// JMP32 JEQ X comparing all 64 bits.
void jmp32_jeq_64bit(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::CMP, nat(in.dst), nat(in.src));
	jump_to<D>(c, false, Cond::E, c.insn_addr(c.idx() + u32(1) + sext<32>(in.off)));
}
// ALU64 ADD X with REX.B dropped: r8-r15 destinations become rax-rdi.
void add_rex_b_dropped(Ctx &c, const In &in) {
	u4 dst = nat(in.dst), src = nat(in.src);
	c.emit8(rex_byte<D>(true, src, u4(0), dst & u4(7)));
	c.emit8(0x01);
	c.emit8(modrm_byte<D>(3, src, dst));
}
// ALU64 SUB X with ModRM.reg and ModRM.rm swapped (src -= dst).
void sub_modrm_swapped(Ctx &c, const In &in) {
	alu_rr<D>(c, Sz::Q64, AluOp::SUB, nat(in.src), nat(in.dst));
}
// STX MEM B without the REX that makes sil/dil (R2/R1) byte registers:
// the store takes dh/bh instead.
void stxb_missing_rex(Ctx &c, const In &in) {
	u4 dst = nat(in.dst), src = nat(in.src);
	Mem<D> m = mem_at<D>(dst, in.off);
	if (D::when(is_ext_reg<D>(src) || is_ext_reg<D>(dst), "needs_rex"))
		c.emit8(rex_byte<D>(false, src, u4(0), dst));
	c.emit8(0x88);
	put_modrm_mem<D>(c, src, m);
}
// ALU64 LSH K with the count masked to 5 bits (the 32-bit mask).
void lsh64_mask31(Ctx &c, const In &in) {
	shift_ri<D>(c, Sz::Q64, ShiftOp::SHL, nat(in.dst), trunc<8>(in.imm) & u8(31));
}

// lower_divmod with knobs for its bugs (K: the real lowering).
struct DivBugs {
	bool no_zero_check = false;        // no jz over the division
	bool mod_zero_gives_zero = false;  // MOD by 0 as DIV by 0
	bool divisor_in_place = false;     // src divides even when the swap moved it
};
void divmod(Ctx &c, const In &in, const DivBugs &b) {
	const Sz sz = alu_size(in.code);
	const bool is_div = bpf::op(in.code) == bpf::DIV;
	const bool zero_as_div = is_div || b.mod_zero_gives_zero;
	const uint8_t dst = (uint8_t)D::concrete(nat(in.dst)), src = (uint8_t)D::concrete(nat(in.src));
	const bool copy = !b.divisor_in_place && (src == RAX || src == RDX || src == dst);
	const uint8_t v = copy ? (uint8_t)SCRATCH1 : src;
	auto divide = [&](JitCtx<Concrete> &p) {
		if (copy)
			mov_rr<Concrete>(p, sz, CBV<4>(SCRATCH1), CBV<4>(src));
		divide_by_reg<Concrete>(p, sz, is_div, dst, v);
	};
	if (!b.no_zero_check) {
		const uint8_t len = emitted_len(divide) + (zero_as_div ? 2 : 0);
		test_rr<D>(c, sz, u4(src), u4(src));
		jcc_rel8<D>(c, Cond::E, u8(len));
	}
	if (copy)
		mov_rr<D>(c, sz, u4(SCRATCH1), u4(src));
	divide_by_reg<D>(c, sz, is_div, dst, v);
	if (zero_as_div) {
		jmp_rel8<D>(c, u8(emitted_len([&](JitCtx<Concrete> &p) { divmod_by_zero<Concrete>(p, sz, true, dst); })));
		divmod_by_zero<D>(c, sz, true, dst);
	} else {
		divmod_by_zero<D>(c, sz, false, dst);
	}
}
void div_no_zero_check(Ctx &c, const In &in) { divmod(c, in, DivBugs{true, false, false}); }
void mod_zero_gives_zero(Ctx &c, const In &in) { divmod(c, in, DivBugs{false, true, false}); }
void div_divisor_in_place(Ctx &c, const In &in) { divmod(c, in, DivBugs{false, false, true}); }
// ALU DIV X with rdx saved in rbx (R6's home) around the division.
void div_saves_rdx_in_rbx(Ctx &c, const In &in) {
	mov_rr<D>(c, Sz::Q64, u4(RBX), u4(RDX));
	lower_divmod<D>(c, in);
	mov_rr<D>(c, Sz::Q64, u4(RDX), u4(RBX));
}
// DIV/MOD K by 0 emitting nothing: DIV keeps the dividend, ALU MOD
// leaves it without its zero extension.
void divmod_k_zero_emits_nothing(Ctx &c, const In &in) {
	if (D::when(in.imm == u32(0), "divisor_zero"))
		return;
	lower_divmod<D>(c, in);
}

// ALU64 LSH X shifting dst in place when dst is rcx: restoring rcx (R4)
// after the shift loses the result.
void lsh_x_rcx_in_place(Ctx &c, const In &in) {
	const uint8_t dst = (uint8_t)D::concrete(nat(in.dst));
	if (dst != RCX) {
		lower_shift_x<D>(c, in);
		return;
	}
	mov_rr<D>(c, Sz::Q64, u4(SCRATCH2), u4(RCX));
	mov_rr<D>(c, Sz::Q64, u4(RCX), nat(in.src));
	shift_rcl<D>(c, Sz::Q64, ShiftOp::SHL, u4(RCX));
	mov_rr<D>(c, Sz::Q64, u4(RCX), u4(SCRATCH2));
}

// LDX MEM W with an 8-byte load.
void ldxw_loads_8(Ctx &c, const In &in) {
	mov_rm<D>(c, Sz::Q64, nat(in.dst), mem_at<D>(nat(in.src), in.off));
}
// LDX MEM DW dropping the displacement when it is 0 (ModRM mod 00): with
// rbp or r13 as the base that encoding is RIP-relative, not [base].
void ldxdw_riprel(Ctx &c, const In &in) {
	const Mem<D> m = mem_at<D>(nat(in.src), in.off);
	if (!D::when(m.disp == u32(0), "disp0")) {
		mov_rm<D>(c, Sz::Q64, nat(in.dst), m);
		return;
	}
	put_prefixes<D>(c, Sz::Q64, nat(in.dst), 0, m.base);
	c.emit8(0x8b);
	c.emit8(modrm_byte<D>(0, nat(in.dst), m.base));
	if (D::when(base_needs_sib<D>(m.base), "needs_sib"))
		c.emit8(sib_byte_noindex<D>(m.base));
}
// ST MEM H storing 4 bytes.
void sth_stores_4(Ctx &c, const In &in) { mov_mi<D>(c, Sz::D32, mem_at<D>(nat(in.dst), in.off), in.imm); }
// 32-bit CMPXCHG without zero-extending R0 afterwards (success keeps rax's upper half).
void cmpxchg32_no_zext(Ctx &c, const In &in) {
	lock_cmpxchg_mr<D>(c, Sz::D32, mem_at<D>(nat(in.dst), in.off), nat(in.src));
}
// ATOMIC DW ADD without LOCK.
void atomic_add_no_lock(Ctx &c, const In &in) {
	u4 dst = nat(in.dst), src = nat(in.src);
	Mem<D> m = mem_at<D>(dst, in.off);
	put_prefixes<D>(c, Sz::Q64, src, u4(0), dst);
	c.emit8(0x01);
	put_modrm_mem<D>(c, src, m);
}
// CALL with the displacement taken from the start of the call.
void call_rel_from_start(Ctx &c, const In &in) {
	if (D::when(in.src != u4(0), "not_helper_call")) {
		c.fail(LowerError::UNSUPPORTED);
		return;
	}
	u64 rel = c.helper_addr(in.imm) - c.image_addr(c.here());
	if (!D::when(fits_simm32<D>(rel), "fits_rel32")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	call_rel32<D>(c, trunc<32>(rel));
}
// EXIT jumping to the next instruction instead of the epilogue.
void exit_to_next(Ctx &c, const In &) { jump_to<D>(c, true, Cond::O, c.insn_addr(c.idx() + u32(1))); }
// LD_IMM64: a value that fits in 32 bits unsigned loaded sign-extended.
void ld_imm64_uimm_as_simm(Ctx &c, const In &in) {
	const u64 v = concat(in.imm_hi, in.imm);
	if (D::when(fits_uimm32<D>(v), "fits_uimm32"))
		mov_ri32_sx<D>(c, nat(in.dst), in.imm);
	else
		mov_ri64<D>(c, nat(in.dst), v);
}
// END TO_BE 16 without clearing the upper bits.
void be16_no_zext(Ctx &c, const In &in) { shift_ri<D>(c, Sz::W16, ShiftOp::ROL, nat(in.dst), u8(8)); }

// lower_atomic_fetch_logic (XOR) with knobs for the bugs of cmpxchg loops.
struct FetchLoopBugs {
	// The loop recomputes the address from dst's home each time round; when
	// dst is R0 that is rax, which holds the loaded value by then, so
	// cmpxchg addresses memory through a value the loop itself reloads.
	bool address_reloaded = false;
	// The retry label after the new value is computed: a retry stores the
	// value computed from the first, stale read.
	bool stale_new_value = false;
	// With src R0, the old value left in rax as the loop ends, without the
	// zero extension a 32-bit cmpxchg that succeeds does not do.
	bool r0_not_zero_extended = false;
};
void fetch_xor_loop(Ctx &c, const In &in, const FetchLoopBugs &b) {
	const Sz sz = bpf::size(in.code) == bpf::DW ? Sz::Q64 : Sz::D32;
	const u4 dst = nat(in.dst), src = nat(in.src);
	const u4 r11 = u4(SCRATCH1), r9 = u4(SCRATCH2), r12 = u4(SCRATCH3);
	const u4 operand = select(src == u4(RAX), r9, src);
	const Mem<D> at_r11{r11, u32(0)};
	if (!b.address_reloaded)
		lea_rm<D>(c, r11, mem_at<D>(dst, in.off));       /* r11 = dst + off */
	mov_rr<D>(c, Sz::Q64, r9, u4(RAX));                 /* r9 = rax */
	mov_rm<D>(c, sz, u4(RAX), mem_at<D>(dst, in.off));   /* rax = *(dst + off) */
	u32 loop = c.here();
	if (b.address_reloaded)
		lea_rm<D>(c, r11, mem_at<D>(dst, in.off));       /* L: r11 = dst + off (rax when dst is R0) */
	mov_rr<D>(c, sz, r12, u4(RAX));                     /* r12 = rax */
	alu_rr<D>(c, sz, AluOp::XOR, r12, operand);         /* r12 ^= operand */
	if (b.stale_new_value)
		loop = c.here();                                /* L: after the new value */
	lock_cmpxchg_mr<D>(c, sz, at_r11, r12);
	jcc_rel8<D>(c, Cond::NE, trunc<8>(loop - (c.here() + u32(2))));
	if (b.r0_not_zero_extended && D::when(src == u4(RAX), "src_is_r0"))
		return;
	mov_rr<D>(c, sz, r11, u4(RAX));
	mov_rr<D>(c, Sz::Q64, u4(RAX), r9);
	mov_rr<D>(c, sz, src, r11);
}
void fetch_xor_address_reloaded(Ctx &c, const In &in) { fetch_xor_loop(c, in, FetchLoopBugs{true, false, false}); }
void fetch_xor_stale_retry(Ctx &c, const In &in) { fetch_xor_loop(c, in, FetchLoopBugs{false, true, false}); }
void fetch_xor_r0_no_zext(Ctx &c, const In &in) { fetch_xor_loop(c, in, FetchLoopBugs{false, false, true}); }
// Fetch-add returning a value read by a plain load before the locked add:
// another CPU's write between the two is returned as if it were the old value.
void fetch_add_plain_read(Ctx &c, const In &in) {
	const Sz sz = bpf::size(in.code) == bpf::DW ? Sz::Q64 : Sz::D32;
	const Mem<D> m = mem_at<D>(nat(in.dst), in.off);
	mov_rm<D>(c, sz, u4(SCRATCH1), m);
	lock_xadd_mr<D>(c, sz, m, nat(in.src));
	mov_rr<D>(c, sz, nat(in.src), u4(SCRATCH1));
}

// Frame: the prologue reserves 16 bytes too few (saved registers overlap
// the BPF stack).
void prologue_short_frame(Ctx &c) {
	nop5<D>(c);
	push_r<D>(c, u4(RBP));
	mov_rr<D>(c, Sz::Q64, u4(RBP), u4(RSP));
	alu_ri<D>(c, Sz::Q64, AluOp::SUB, u4(RSP), u32(stack_bytes(c.opts.stack_depth) - 16));
	for (unsigned i = 0; i < n_saved_regs; i++)
		push_r<D>(c, u4(saved_regs[i]));
}
// Frame: the BPF stack rounded to 8 only, not so that rsp stays 16-byte
// aligned in the body: enough for the kernel, not for System V helpers.
void prologue_no_16_rounding(Ctx &c) {
	nop5<D>(c);
	push_r<D>(c, u4(RBP));
	mov_rr<D>(c, Sz::Q64, u4(RBP), u4(RSP));
	alu_ri<D>(c, Sz::Q64, AluOp::SUB, u4(RSP), u32(round_up(c.opts.stack_depth, 8)));
	for (unsigned i = 0; i < n_saved_regs; i++)
		push_r<D>(c, u4(saved_regs[i]));
}
// Frame: the epilogue forgets to pop r12 (callee-saved, and the pops after
// it read the wrong slots).
void epilogue_skips_r12(Ctx &c) {
	for (unsigned i = n_saved_regs; i-- > 0;)
		if (saved_regs[i] != R12)
			pop_r<D>(c, u4(saved_regs[i]));
	leave<D>(c);
	ret<D>(c);
	int3<D>(c);
}

// SMOD lowered as the unsigned MOD (div for idiv): the proof's abstraction
// of division cannot relate the two, so the real operations decide.
void smod_as_mod(Ctx &c, const In &in) { lower_divmod<D>(c, in); }
// SDIV without the divisor -1 guard: idiv traps on INT_MIN / -1.
void sdiv_no_minus1_guard(Ctx &c, const In &in) {
	const u4 r11 = u4(SCRATCH1), r9 = u4(SCRATCH2), r12 = u4(SCRATCH3);
	mov_rr<D>(c, Sz::Q64, r11, nat(in.src));
	mov_rr<D>(c, Sz::Q64, r9, u4(RAX));
	mov_rr<D>(c, Sz::Q64, r12, u4(RDX));
	mov_rr<D>(c, Sz::Q64, u4(RAX), nat(in.dst));
	test_rr<D>(c, Sz::Q64, r11, r11);
	jcc_rel8<D>(c, Cond::E, u8(7));            /* divisor 0: skip cqo, idiv, jmp */
	cqo<D>(c, Sz::Q64);
	idiv_r<D>(c, Sz::Q64, r11);
	jmp_rel8<D>(c, u8(2));
	alu_rr<D>(c, Sz::D32, AluOp::XOR, u4(RAX), u4(RAX)); /* quotient 0 */
	mov_rr<D>(c, Sz::Q64, r11, u4(RAX));
	mov_rr<D>(c, Sz::Q64, u4(RAX), r9);
	mov_rr<D>(c, Sz::Q64, u4(RDX), r12);
	mov_rr<D>(c, Sz::Q64, nat(in.dst), r11);
}
// MOVSX 8 done as MOVZX: the sign is lost.
void movsx8_zero_extends(Ctx &c, const In &in) {
	c.emit8(rex_byte<D>(true, nat(in.dst), u4(0), nat(in.src)));
	c.emit8(0x0f);
	c.emit8(0xb6);
	c.emit8(modrm_byte<D>(3, nat(in.dst), nat(in.src)));
}
// LDSX W as a plain (zero-extending) 32-bit load.
void ldsx_as_ldx(Ctx &c, const In &in) {
	mov_rm<D>(c, Sz::D32, nat(in.dst), Mem<D>{nat(in.src), sext<32>(in.off)});
}
// gotol jumping by off (JA's field) instead of imm.
void gotol_takes_off(Ctx &c, const In &in) {
	jump_to<D>(c, true, Cond::O, c.insn_addr(c.idx() + u32(1) + sext<32>(in.off)));
}

// ALU64 ADD K with rax's short imm32 form but without REX.W: a 32-bit add.
void alu64_add_k_rax_form_no_rexw(Ctx &c, const In &in) {
	if (D::when(fits_imm8<D>(in.imm), "fits_imm8"))
		alu_ri8<D>(c, Sz::Q64, AluOp::ADD, nat(in.dst), trunc<8>(in.imm));
	else if (D::when(nat(in.dst) == u4(RAX), "dst_is_rax"))
		alu_rax_i32<D>(c, Sz::D32, AluOp::ADD, in.imm);
	else
		alu_ri32<D>(c, Sz::Q64, AluOp::ADD, nat(in.dst), in.imm);
}
// LDX MEM DW leaving out a zero displacement for every base but rbp: with
// r13 (R7) as base, mod 00 rm 101 is RIP-relative (raw fields).
void ldxdw_disp0_r13(Ctx &c, const In &in) {
	const u4 dst = nat(in.dst), base = nat(in.src);
	if (D::when(in.off == u16(0) && base != u4(RBP), "disp_zero")) {
		c.emit8(rex_byte<D>(true, dst, u4(0), base));
		c.emit8(0x8b);
		c.emit8(modrm_byte<D>(0, dst, base));
		if (D::when(base_needs_sib<D>(base), "needs_sib"))
			c.emit8(sib_byte_noindex<D>(base));
		return;
	}
	mov_rm<D>(c, Sz::Q64, dst, Mem<D>{base, sext<32>(in.off)});
}
// EXIT left out one instruction too early (the second-to-last falls
// through into the last instead of the epilogue).
void exit_elided_early(Ctx &c, const In &) {
	if (D::when(c.idx() + u32(2) == c.epilogue_idx(), "jump_to_next"))
		return;
	jump_to_insn<D>(c, true, Cond::O, c.epilogue_idx());
}
// EXIT returning in place with the epilogue of a kernel without return
// thunks (`ret` where the options ask for `jmp return_thunk`).
void exit_copy_ret_under_rethunk(Ctx &c, const In &in) {
	JitOptions plain = c.opts;
	plain.rethunk = false;
	if (D::when(c.epilogue_idx() == c.idx() + u32(1), "jump_to_next") || x86_64_epilogue_len(plain) > 5) {
		lower_exit<D>(c, in);
		return;
	}
	const JitOptions asked = c.opts;
	c.opts = plain;
	c.epilogue_copy();
	x86_64_epilogue<D>(c);
	c.opts = asked;
}
// EXIT returning in place after restoring rbx itself (code before the copy).
void exit_pop_before_copy(Ctx &c, const In &in) {
	if (D::when(c.epilogue_idx() == c.idx() + u32(1), "jump_to_next") || x86_64_epilogue_len(c.opts) > 4) {
		lower_exit<D>(c, in);
		return;
	}
	pop_r<D>(c, u4(RBX));
	c.epilogue_copy();
	x86_64_epilogue<D>(c);
}
// JMP JEQ K against 0 tested on 32 bits: the upper half ignored.
void jeq_k_zero_test32(Ctx &c, const In &in) {
	const u32 target = c.idx() + u32(1) + sext<32>(in.off);
	if (D::when(in.imm == u32(0), "imm_zero"))
		test_rr<D>(c, Sz::D32, nat(in.dst), nat(in.dst));
	else
		alu_ri<D>(c, Sz::Q64, AluOp::CMP, nat(in.dst), in.imm);
	jump_to_insn<D>(c, false, Cond::E, target);
}
// ALU MOV K zeroing with xor when only the low byte of imm is zero.
void alu32_mov_k_zero_low_byte(Ctx &c, const In &in) {
	if (D::when(trunc<8>(in.imm) == u8(0), "imm_zero"))
		alu_rr<D>(c, Sz::D32, AluOp::XOR, nat(in.dst), nat(in.dst));
	else
		mov_ri32<D>(c, nat(in.dst), in.imm);
}

// ALU64 MOV X through r12, which body_regs does not name for a mov: a frame
// that saves only the registers the code writes would not restore it.
void alu64_mov_x_via_r12(Ctx &c, const In &in) {
	mov_rr<D>(c, Sz::Q64, u4(SCRATCH3), nat(in.src));
	mov_rr<D>(c, Sz::Q64, nat(in.dst), u4(SCRATCH3));
}

// NOSPEC lowered to nothing: architecturally a no-op, but the Spectre v4
// barrier is gone.
void nospec_no_lfence(Ctx &, const In &) {}

// Frame: the epilogue as it was before the BHI barrier (ignores the
// options), so unprivileged classic programs return without it.
void epilogue_without_bhb(Ctx &c) {
	for (unsigned i = n_saved_regs; i-- > 0;)
		pop_r<D>(c, u4(saved_regs[i]));
	leave<D>(c);
	if (!c.opts.rethunk) {
		ret<D>(c);
		int3<D>(c);
		return;
	}
	u64 rel = u64(c.opts.return_thunk) - c.image_addr(c.here() + u32(5));
	if (!D::when(fits_simm32<D>(rel), "fits_rel32")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	jmp_rel32<D>(c, trunc<32>(rel));
}
// Frame: the BHI barrier's call without saving rax (clear_bhb_loop
// clobbers it, and rax holds R0).
void epilogue_bhb_clobbers_rax(Ctx &c) {
	push_r<D>(c, u4(RCX));
	u64 rel = u64(c.opts.bhb_loop_addr) - c.image_addr(c.here() + u32(5));
	if (!D::when(fits_simm32<D>(rel), "fits_rel32")) {
		c.fail(LowerError::UNENCODABLE);
		return;
	}
	call_rel32<D>(c, trunc<32>(rel));
	pop_r<D>(c, u4(RCX));
	ibhf<D>(c);
	epilogue_without_bhb(c);
}

// Frame: the prologue laid out for the kernel's tail calls but without the
// ENDBR64s IBT asks for (the kernel refused such images before IBT).
void prologue_without_endbr(Ctx &c) {
	JitOptions o = c.opts;
	c.opts.ibt = false;
	nop_n<D>(c, 4);  /* where the entry's endbr64 was */
	X86_64::prologue<D>(c);
	c.opts = o;
}
// Frame: the tail-call slot sized for 6.1's layout on 6.12 (2 bytes where
// the kernel's JIT has 3): tail calls land one byte past the entry.
void prologue_tail_call_slot_short(Ctx &c) {
	JitOptions o = c.opts;
	c.opts.tail_call_entry = o.tail_call_entry - 1;
	X86_64::prologue<D>(c);
	c.opts = o;
}

// Padding: 2-byte gaps filled with `mov eax, ecx` (89 c8) instead of NOPs
// (no flags written, so rax is the only part of the state that can differ).
void pad_mov_eax(Ctx &c, uint32_t n) {
	while (n >= 2) {
		c.emit8(0x89);
		c.emit8(0xc8);
		n -= 2;
	}
	X86_64::pad<D>(c, n);
}

} // namespace

ArchInfo arch_info_x86_64() { return make_arch<TargetX86_64>(); }

std::vector<Mutant> mutants_x86_64() {
	return {
		{"alu32-add-no-zext", "x86_64", "ALU ADD X", "missing zero extension after a 32-bit op", "R", alu32_add_no_zext, false, nullptr, nullptr},
		{"alu32-mov-k-sext", "x86_64", "ALU MOV K", "missing zero extension (32-bit mov sign-extended)", "R", alu32_mov_k_sext, false, nullptr, nullptr},
		{"alu64-mov-k-zext", "x86_64", "ALU64 MOV K", "wrong sign extension of an immediate", "R", alu64_mov_k_zext, false, nullptr, nullptr},
		{"alu64-add-k-imm8-unsigned", "x86_64", "ALU64 ADD K", "wrong sign extension of an immediate (imm8 range)", "R", alu64_add_k_imm8_unsigned, false, nullptr, nullptr},
		{"ja-off-by-one", "x86_64", "JMP JA", "off-by-one jump offset", "pc", ja_off_by_one, false, nullptr, nullptr},
		{"jeq-rel-from-start", "x86_64", "JMP JEQ X", "jump displacement relative to the wrong address", "pc", jeq_rel_from_start, false, nullptr, nullptr},
		{"jgt-signed", "x86_64", "JMP JGT X", "wrong condition code (signed for unsigned)", "pc", jgt_signed, false, nullptr, nullptr},
		{"jsle-unsigned", "x86_64", "JMP JSLE X", "wrong condition code (unsigned for signed)", "pc", jsle_unsigned, false, nullptr, nullptr},
		{"jmp32-jeq-64bit", "x86_64", "JMP32 JEQ X", "32-bit vs 64-bit compare", "pc", jmp32_jeq_64bit, false, nullptr, nullptr},
		{"add-rex-b-dropped", "x86_64", "ALU64 ADD X", "wrong REX encoding (REX.B lost)", "R", add_rex_b_dropped, false, nullptr, nullptr},
		{"sub-modrm-swapped", "x86_64", "ALU64 SUB X", "wrong ModRM encoding (reg/rm swapped)", "R", sub_modrm_swapped, false, nullptr, nullptr},
		{"stxb-missing-rex", "x86_64", "STX MEM B", "wrong REX encoding (sil/dil byte store without REX)", "store #1 value", stxb_missing_rex, false, nullptr, nullptr},
		{"lsh64-mask31", "x86_64", "ALU64 LSH K", "shift count masked wrongly", "R", lsh64_mask31, false, nullptr, nullptr},
		{"div-no-zero-check", "x86_64", "ALU64 DIV X", "division by zero traps", "trapped", div_no_zero_check, false, nullptr, nullptr},
		{"mod-zero-gives-zero", "x86_64", "ALU64 MOD X", "wrong division-by-zero result", "R", mod_zero_gives_zero, false, nullptr, nullptr},
		{"div-saves-rdx-in-rbx", "x86_64", "ALU DIV X", "clobbered callee-saved register (R6's rbx)", "R", div_saves_rdx_in_rbx, false, nullptr, nullptr},
		{"div-divisor-in-place", "x86_64", "ALU64 DIV X", "divisor read from a register the division sequence moved", "trapped", div_divisor_in_place, false, nullptr, nullptr},
		{"div-k-zero-keeps-dividend", "x86_64", "ALU64 DIV K", "division by an immediate 0 keeps the dividend", "R", divmod_k_zero_emits_nothing, false, nullptr, nullptr},
		{"mod32-k-zero-no-zext", "x86_64", "ALU MOD K", "modulo by an immediate 0 without zero extension", "R", divmod_k_zero_emits_nothing, false, nullptr, nullptr},
		{"lsh-x-rcx-in-place", "x86_64", "ALU64 LSH X", "shift by register in place in rcx, then rcx restored over the result", "R", lsh_x_rcx_in_place, false, nullptr, nullptr},
		{"ldxw-loads-8", "x86_64", "LDX MEM W", "wrong memory size (load)", "load #1", ldxw_loads_8, false, nullptr, nullptr},
		{"ldxdw-riprel", "x86_64", "LDX MEM DW", "ModRM without displacement for an rbp base (RIP-relative)", "RIP-relative", ldxdw_riprel, false, nullptr, nullptr},
		{"sth-stores-4", "x86_64", "ST MEM H", "wrong memory size (store)", "stores 4 bytes, BPF 2", sth_stores_4, false, nullptr, nullptr},
		{"cmpxchg32-no-zext", "x86_64", "STX ATOMIC W CMPXCHG", "missing zero extension of R0 after cmpxchg", "R0", cmpxchg32_no_zext, false, nullptr, nullptr},
		{"atomic-add-no-lock", "x86_64", "STX ATOMIC DW ADD", "atomic without LOCK", "not atomic", atomic_add_no_lock, false, nullptr, nullptr},
		{"call-rel-from-start", "x86_64", "JMP CALL", "call displacement relative to the wrong address", "R0", call_rel_from_start, false, nullptr, nullptr},
		{"exit-to-next", "x86_64", "JMP EXIT", "exit does not reach the epilogue", "pc", exit_to_next, false, nullptr, nullptr},
		{"ld-imm64-uimm-as-simm", "x86_64", "LD IMM64", "wrong sign extension of a 64-bit immediate", "R", ld_imm64_uimm_as_simm, false, nullptr, nullptr},
		{"be16-no-zext", "x86_64", "ALU END TO_BE 16", "missing zero extension after a 16-bit swap", "R", be16_no_zext, false, nullptr, nullptr},
		{"atomic-loop-address-reloaded", "x86_64", "STX ATOMIC W XOR FETCH", "cmpxchg loop addressing memory through a register the loop reloads", "load inside the loop", fetch_xor_address_reloaded, false, nullptr, nullptr},
		{"atomic-loop-stale-retry", "x86_64", "STX ATOMIC W XOR FETCH", "cmpxchg loop retrying with the new value computed from a stale read (a lost update)", "store #1 value", fetch_xor_stale_retry, false, nullptr, nullptr},
		{"fetch-xor-r0-no-zext", "x86_64", "STX ATOMIC W XOR FETCH", "32-bit fetch into R0 left as a successful cmpxchg leaves rax (no zero extension)", "R0", fetch_xor_r0_no_zext, false, nullptr, nullptr},
		{"fetch-add-plain-read", "x86_64", "STX ATOMIC DW ADD FETCH", "fetch-add returning a plain read made before the locked add", "R", fetch_add_plain_read, false, nullptr, nullptr},
		{"alu64-add-k-rax-form-no-rexw", "x86_64", "ALU64 ADD K", "short rax form without REX.W (32-bit result)", "R", alu64_add_k_rax_form_no_rexw, false, nullptr, nullptr},
		{"ldxdw-disp0-r13", "x86_64", "LDX MEM DW", "zero displacement left out for an r13 base (RIP-relative)", "RIP-relative", ldxdw_disp0_r13, false, nullptr, nullptr},
		{"exit-copy-ret-under-rethunk", "x86_64", "JMP EXIT", "EXIT returning in place with `ret` where the options ask for the return thunk", "copy of the epilogue", exit_copy_ret_under_rethunk, false, nullptr, nullptr},
		{"exit-pop-before-copy", "x86_64", "JMP EXIT", "EXIT running code of its own before its copy of the epilogue", "before the copy", exit_pop_before_copy, false, nullptr, nullptr},
		{"exit-elided-early", "x86_64", "JMP EXIT", "exit falls through before the last instruction", "pc", exit_elided_early, false, nullptr, nullptr},
		{"jeq-k-zero-test32", "x86_64", "JMP JEQ K", "compare with 0 as a 32-bit test (upper half ignored)", "pc", jeq_k_zero_test32, false, nullptr, nullptr},
		{"alu32-mov-k-zero-low-byte", "x86_64", "ALU MOV K", "xor zeroing chosen by the low byte of imm", "R", alu32_mov_k_zero_low_byte, false, nullptr, nullptr},
		{"alu64-mov-x-via-r12", "x86_64", "ALU64 MOV X", "callee-saved scratch written outside the registers the frame saves", "callee-saved r12 kept", alu64_mov_x_via_r12, false, nullptr, nullptr},
		{"prologue-short-frame", "x86_64", "", "stack frame too small (saved registers overlap the BPF stack)", "clear of the BPF stack", nullptr, true, prologue_short_frame, nullptr},
		{"prologue-no-16-rounding", "x86_64", "", "stack misaligned for System V calls (no 16-byte rounding)", "body sp aligned to 16", nullptr, true, prologue_no_16_rounding, nullptr},
		{"epilogue-skips-r12", "x86_64", "", "clobbered callee-saved register (epilogue)", "callee-saved", nullptr, true, nullptr, epilogue_skips_r12},
		{"sdiv-no-minus1-guard", "x86_64", "ALU64 SDIV X", "signed division traps on INT_MIN / -1 (no guard)", "trapped", sdiv_no_minus1_guard, false, nullptr, nullptr},
		{"smod-as-mod", "x86_64", "ALU SMOD X", "signed remainder lowered as the unsigned one", "R", smod_as_mod, false, nullptr, nullptr},
		{"movsx8-zero-extends", "x86_64", "ALU64 MOVSX 8", "movsx lowered as a zero extension", "R", movsx8_zero_extends, false, nullptr, nullptr},
		{"ldsx-as-ldx", "x86_64", "LDX MEMSX W", "sign-extending load lowered as a plain load", "R", ldsx_as_ldx, false, nullptr, nullptr},
		{"gotol-takes-off", "x86_64", "JMP32 JA", "gotol's offset taken from off instead of imm", "pc", gotol_takes_off, false, nullptr, nullptr},
		{"nospec-no-lfence", "x86_64", "ST NOSPEC", "speculation barrier dropped (BPF_NOSPEC)", "speculation barrier missing", nospec_no_lfence, false, nullptr, nullptr},
		{"epilogue-without-bhb", "x86_64", "", "Spectre-BHI barrier dropped for an unprivileged classic program", "BHI barrier missing", nullptr, true, nullptr, epilogue_without_bhb, nullptr, true},
		{"epilogue-bhb-clobbers-rax", "x86_64", "", "BHI barrier call without saving rax (R0)", "return value = R0", nullptr, true, nullptr, epilogue_bhb_clobbers_rax, nullptr, true},
		{"prologue-without-endbr", "x86_64", "", "IBT: no ENDBR64 at the tail-call entry (indirect jmp target)", "landing pad", nullptr, true, prologue_without_endbr, nullptr, nullptr, false, true},
		{"prologue-tail-call-slot-short", "x86_64", "", "tail-call entry off by one (6.1's 2-byte slot on 6.12)", "prologue", nullptr, true, prologue_tail_call_slot_short, nullptr, nullptr, false, true},
		{"pad-mov-eax", "x86_64", "", "padding that is not a NOP (clobbers rax)", "rax", nullptr, true, nullptr, nullptr, pad_mov_eax},
	};
}

} // namespace verify
} // namespace vjit
