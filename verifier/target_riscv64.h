// SPDX-License-Identifier: GPL-2.0
// The riscv64 target of the refinement checker (verifier/refine.h): how a
// BPF state lives in the native one (arch/riscv64/target.h's register map),
// how emitted words run (arch/riscv64/model.h), the psABI facts the frame
// proof uses (return through ra, the link register; sp 16-byte aligned),
// and the option values the frame is proved under.
#ifndef VJIT_VERIFIER_TARGET_RISCV64_H
#define VJIT_VERIFIER_TARGET_RISCV64_H

#include <string>
#include <vector>

#include "arch/riscv64/lower.h"
#include "arch/riscv64/model.h"
#include "arch/riscv64/target.h"
#include "verifier/refine.h"

namespace vjit {
namespace verify {

struct TargetRiscv64 {
	static constexpr const char *name = "riscv64";
	using Arch = riscv64::Riscv64;
	using State = riscv64::model::State<Symbolic>;

	// No rule uses the stack below sp (calls leave the return address in ra).
	static constexpr unsigned insn_stack_slack = 0;
	// Fixed part of the stack bound: ra and s1-s5 (48), the BPF stack's
	// rounding to 8 (at most 7) and the frame's to 16 (at most 8).
	static constexpr unsigned stack_fixed = 48 + 7 + 8;
	// The psABI (and the kernel) keep sp 16-byte aligned at calls.
	static std::vector<CallAbi> call_abis() { return {{"RISC-V psABI", 16}}; }
	// jal/jalr leave the return address in ra; nothing is pushed.
	static constexpr unsigned return_address_bytes = 0;
	static u64 return_address(const State &s, const SymMem &, const u64 &) { return s.x[riscv64::RA]; }
	// Padding is 4-byte NOPs (addi zero, zero, 0).
	static constexpr unsigned pad_granule = 4;
	// Instructions are 4 bytes (no compressed forms) and 4-aligned; the
	// kernel's functions (helpers, callers) may be compressed code:
	// 2-aligned (IALIGN=16).
	static constexpr unsigned code_align = 4, function_align = 2;

	// The default, but a multiplication or division by an immediate goes
	// to the SMT core: the immediate is rebuilt from lui/addiw parts, and
	// relating the two products by congruence is cheaper than bit-blasting
	// two multipliers.
	static SplitPolicy split_policy(uint8_t code, int32_t imm) {
		using namespace bpf;
		if (is_alu(code) && srcbit(code) == K && (op(code) == MUL || op(code) == DIV || op(code) == MOD))
			return {true, false, false};
		// An AMO's operand register split too: one amo instruction per
		// path instead of selects over the register file on both sides;
		// cmpxchg's loop has too many paths for that.
		if (cls(code) == STX && mode(code) == ATOMIC && imm != CMPXCHG)
			return {true, true, false};
		return default_split_policy(code);
	}

	// Where Linux 6.1's riscv64 JIT's tail calls enter a program: past its
	// first instruction (the 4-byte tail-call count init).
	static constexpr uint32_t tail_call_entry = 4;
	// One prologue/epilogue proof per stack depth (riscv64 has no return
	// thunk, BHI barrier or IBT); the tail-call layout entered by a call
	// and by the kernel's tail calls.
	static std::vector<FrameVariant> frame_variants() {
		std::vector<FrameVariant> r;
		for (uint32_t d : {512u, 0u, 1u, 100u}) {
			JitOptions o;
			o.stack_depth = d;
			r.push_back({"PROLOGUE/EPILOGUE depth " + std::to_string(d), o});
		}
		JitOptions t;
		t.stack_depth = 64;
		t.tail_call_entry = tail_call_entry;
		r.push_back({"PROLOGUE/EPILOGUE tail-call layout depth 64", t});
		r.push_back({"PROLOGUE/EPILOGUE tail-call entry 4 depth 64", t, true});
		return r;
	}

	static const char *reg_name(unsigned n) {
		static const char *names[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
						"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
						"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
		return names[n & 31];
	}
	static std::string native_name(unsigned n) { return reg_name(n); }

	static State fresh(const std::string &tag) {
		State s;
		s.x[0] = u64(0);
		for (unsigned i = 1; i < 32; i++)
			s.x[i] = u64::var(tag + "_" + reg_name(i));
		s.res_valid = SBool(sym_ctx().bool_const((tag + "_reserved").c_str()));
		s.res_addr = u64::var(tag + "_res_addr");
		s.res_val = u64::var(tag + "_res_val");
		return s;
	}
	static State initial(const BpfRegs<Symbolic> &b, const u64 &sp, const std::string &tag) {
		State s = fresh(tag);
		for (unsigned r = 0; r < bpf::NREGS; r++)
			s.x[riscv64::bpf_to_native[r]] = b.r[r];
		s.x[riscv64::SP] = sp;
		return s;
	}
	static u64 reg(const State &s, unsigned r) { return s.x[riscv64::bpf_to_native[r]]; }
	static void set_reg(State &s, unsigned r, const u64 &v) { s.x[riscv64::bpf_to_native[r]] = v; }
	static u64 native(const State &s, unsigned n) { return s.x[n]; }
	static u64 sp(const State &s) { return s.x[riscv64::SP]; }
	static void set_sp(State &s, const u64 &v) { s.x[riscv64::SP] = v; }
	// The rules' scratch registers, and what the body's helper calls may
	// clobber besides the BPF registers (ra among them).
	static void havoc_scratch(State &s, const std::string &tag) {
		using namespace riscv64;
		for (uint8_t n : {RA, T1, T2, T3, T4, T5, T6, A6, A7})
			s.x[n] = u64::var(tag + "_" + reg_name(n));
	}
	template <typename F>
	static void same_state(const State &a, const State &b, F &&ob) {
		for (unsigned i = 1; i < 32; i++)
			ob(reg_name(i), a.x[i].e, b.x[i].e);
		ob("reservation", a.res_valid.e, b.res_valid.e);
		ob("reservation address", a.res_addr.e, b.res_addr.e);
		ob("reservation value", a.res_val.e, b.res_val.e);
	}
	static std::vector<StatePart> parts(State &s) {
		std::vector<StatePart> p;
		for (unsigned i = 1; i < 32; i++)
			p.push_back(StatePart{reg_name(i), &s.x[i].e});
		p.push_back(StatePart{"reservation", &s.res_valid.e});
		p.push_back(StatePart{"reservation address", &s.res_addr.e});
		p.push_back(StatePart{"reservation value", &s.res_val.e});
		return p;
	}
	// psABI: first argument and result a0; callee-saved s0-s11 (and gp,
	// tp, which the kernel uses and no code may change).
	static u64 abi_arg0(const State &s) { return s.x[riscv64::A0]; }
	static u64 abi_ret(const State &s) { return s.x[riscv64::A0]; }
	static std::vector<unsigned> abi_callee_saved() {
		using namespace riscv64;
		return {S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, GP, TP};
	}

	// The model's environment over the checker's NativeEnv.
	struct Env {
		NativeEnv &n;
		u64 load(unsigned bytes, const u64 &a, riscv64::model::Access k) {
			using riscv64::model::Access;
			return n.mem.load(bytes, a, k != Access::DATA, false, k == Access::ATOMIC);
		}
		void store(unsigned bytes, const u64 &a, const u64 &v, riscv64::model::Access k) {
			using riscv64::model::Access;
			n.mem.store(bytes, a, v, k != Access::DATA, false, k == Access::ATOMIC);
		}
		// A helper call (A4): a0 = helper(target, a0..a4); the psABI's
		// caller-saved registers (ra, t0-t6, a1-a7) take any values.
		void call(const u64 &target, State &s) {
			using namespace riscv64;
			u64 args[5] = {s.x[A0], s.x[A1], s.x[A2], s.x[A3], s.x[A4]};
			const u64 r = helper_result(target, args);
			n.calls.push_back(CallSite{target, s.x[SP]});
			for (unsigned i = 1; i < 32; i++)
				if (call_clobbered_mask & (1u << i))
					s.x[i] = i == A0 ? r : n.undef64(reg_name(i));
			s.res_valid = SBool(false);
		}
		void fence() { n.fences.push_back("fence"); }
		SBool undef_bool(const char *w) { return n.undef_bool(w); }
		bool at(uint32_t off, State &s) { return n.at(off, parts(s)); }
	};

	// The state the kernel's tail calls enter a program in (at
	// tail_call_entry, by jalr), from the state of a call to the tail
	// caller: its stock epilogue restored ra, sp and s0-s11 to their entry
	// values, R1 (a0) is the context it passes on, a6 the count it carries;
	// its body and helper calls wrote the other caller-saved registers.
	static void tail_call_state(State &s, NativeEnv &) {
		using namespace riscv64;
		for (uint8_t n : {T0, T1, T2, T3, T4, T5, T6, A1, A2, A3, A4, A5, A7})
			s.x[n] = u64::var(std::string("tail_caller_") + reg_name(n));
		s.x[A6] = u64::var("tail_call_count");
	}

	static RunOut run(State &s, NativeEnv &n, const std::vector<u8> &bytes, const u64 &base,
			  uint32_t start = 0) {
		using namespace riscv64::model;
		Env env{n};
		Code<Symbolic> code{bytes.data(), (uint32_t)bytes.size(), base};
		Machine<Symbolic, Env> m(s, env, code);
		Stop<Symbolic> st = m.run(start);
		RunOut o{RunStatus::EXITED, st.pc, st.why};
		switch (st.status) {
		case Status::EXITED: o.status = RunStatus::EXITED; break;
		case Status::RETURNED: o.status = RunStatus::RETURNED; break;
		case Status::TRAP: o.status = RunStatus::TRAP; break;
		case Status::CUT: o.status = RunStatus::CUT; break;
		default: o.status = RunStatus::UNDECODED; break;
		}
		o.why += " (at +" + std::to_string(st.at) + ")";
		o.at = st.at;
		return o;
	}
};

} // namespace verify
} // namespace vjit

#endif
