// SPDX-License-Identifier: GPL-2.0
// The arm64 target of the refinement checker (verifier/refine.h): how a BPF
// state lives in the native one (arch/arm64/target.h's register map), how
// emitted words run (arch/arm64/model.h), the AAPCS64 facts the frame proof
// uses, and the option values the frame is proved under.
#ifndef VJIT_VERIFIER_TARGET_ARM64_H
#define VJIT_VERIFIER_TARGET_ARM64_H

#include <string>
#include <vector>

#include "arch/arm64/lower.h"
#include "arch/arm64/model.h"
#include "arch/arm64/target.h"
#include "verifier/refine.h"

namespace vjit {
namespace verify {

struct TargetArm64 {
	static constexpr const char *name = "arm64";
	using Arch = arm64::Arm64;
	using State = arm64::model::State<Symbolic>;

	// No rule puts anything below sp (blr does not push).
	static constexpr unsigned insn_stack_slack = 0;
	// Fixed part of the stack bound: the frame record and three callee-
	// saved pairs (64), the BPF stack rounded up to 16 (at most 15).
	static constexpr unsigned stack_fixed = arm64::frame_bytes + 15;
	// AAPCS64: sp is 16-byte aligned at every public interface, the
	// kernel's and userspace's alike.
	static std::vector<CallAbi> call_abis() { return {{"AAPCS64", 16}}; }
	// The return address is in x30 (the link register), not on the stack.
	static constexpr unsigned return_address_bytes = 0;
	static u64 return_address(const State &s, const SymMem &, const u64 &) { return s.x[arm64::LR]; }
	// NOPs are one word each.
	static constexpr unsigned pad_granule = 4;
	// A64 instructions are words; functions (helpers, return addresses) too.
	static constexpr unsigned code_align = 4, function_align = 4;

	// Registers are split into cases where the model indexes the register
	// file by them (ALU, memory), as the default does.
	static SplitPolicy split_policy(uint8_t code, int32_t) { return default_split_policy(code); }

	// The frame: one proof per stack depth, and with BTI's landing pad
	// (opts.ibt) as a kernel with BTI asks for it.
	static std::vector<FrameVariant> frame_variants() {
		std::vector<FrameVariant> r;
		for (uint32_t d : {512u, 0u, 1u, 100u}) {
			JitOptions o;
			o.stack_depth = d;
			r.push_back({"PROLOGUE/EPILOGUE depth " + std::to_string(d), o});
		}
		JitOptions bti;
		bti.stack_depth = 64;
		bti.ibt = true;
		r.push_back({"PROLOGUE/EPILOGUE bti depth 64", bti});
		return r;
	}

	static const char *reg_name(unsigned n) {
		static const char *names[33] = {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
						"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
						"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
						"sp", "?"};
		return names[n < 32 ? n : 32];
	}
	static std::string native_name(unsigned n) { return reg_name(n); }

	static State fresh(const std::string &tag) {
		State s;
		for (unsigned i = 0; i < 31; i++)
			s.x[i] = u64::var(tag + "_" + reg_name(i));
		s.sp = u64::var(tag + "_sp");
		z3::context &c = sym_ctx();
		s.n = SBool(c.bool_const((tag + "_n").c_str()));
		s.z = SBool(c.bool_const((tag + "_z").c_str()));
		s.c = SBool(c.bool_const((tag + "_c").c_str()));
		s.v = SBool(c.bool_const((tag + "_v").c_str()));
		s.excl = SBool(c.bool_const((tag + "_excl").c_str()));
		s.excl_addr = u64::var(tag + "_excl_addr");
		s.excl_val = u64::var(tag + "_excl_val");
		return s;
	}
	static State initial(const BpfRegs<Symbolic> &b, const u64 &sp, const std::string &tag) {
		State s = fresh(tag);
		for (unsigned r = 0; r < bpf::NREGS; r++)
			s.x[arm64::bpf_to_native[r]] = b.r[r];
		s.sp = sp;
		return s;
	}
	static u64 reg(const State &s, unsigned r) { return s.x[arm64::bpf_to_native[r]]; }
	static void set_reg(State &s, unsigned r, const u64 &v) { s.x[arm64::bpf_to_native[r]] = v; }
	static u64 native(const State &s, unsigned n) { return n == 31 ? s.sp : s.x[n]; }
	static u64 sp(const State &s) { return s.sp; }
	static void set_sp(State &s, const u64 &v) { s.sp = v; }
	static void havoc_scratch(State &s, const std::string &tag) {
		for (uint8_t n : {arm64::SCRATCH1, arm64::SCRATCH2, arm64::SCRATCH3, arm64::SCRATCH4})
			s.x[n] = u64::var(tag + "_" + reg_name(n));
	}
	template <typename F>
	static void same_state(const State &a, const State &b, F &&ob) {
		for (unsigned i = 0; i < 31; i++)
			ob(reg_name(i), a.x[i].e, b.x[i].e);
		ob("sp", a.sp.e, b.sp.e);
		ob("n", a.n.e, b.n.e);
		ob("z", a.z.e, b.z.e);
		ob("c", a.c.e, b.c.e);
		ob("v", a.v.e, b.v.e);
	}
	static std::vector<StatePart> parts(State &s) {
		std::vector<StatePart> p;
		for (unsigned i = 0; i < 31; i++)
			p.push_back(StatePart{reg_name(i), &s.x[i].e});
		p.push_back(StatePart{"sp", &s.sp.e});
		p.push_back(StatePart{"n", &s.n.e});
		p.push_back(StatePart{"z", &s.z.e});
		p.push_back(StatePart{"c", &s.c.e});
		p.push_back(StatePart{"v", &s.v.e});
		p.push_back(StatePart{"excl", &s.excl.e});
		p.push_back(StatePart{"excl_addr", &s.excl_addr.e});
		p.push_back(StatePart{"excl_val", &s.excl_val.e});
		return p;
	}
	// AAPCS64: first argument and result x0; callee saved x19-x29 and sp
	// (x30 is the return address, checked as such).
	static u64 abi_arg0(const State &s) { return s.x[arm64::X0]; }
	static u64 abi_ret(const State &s) { return s.x[arm64::X0]; }
	static std::vector<unsigned> abi_callee_saved() {
		return {arm64::X19, arm64::X20, arm64::X21, arm64::X22, arm64::X23, arm64::X24,
			arm64::X25, arm64::X26, arm64::X27, arm64::X28, arm64::FP};
	}

	struct Env {
		NativeEnv &n;
		using Access = arm64::model::Access;
		u64 load(unsigned bytes, const u64 &a, Access k) {
			return n.mem.load(bytes, a, k == Access::ATOMIC, k == Access::STACK);
		}
		void store(unsigned bytes, const u64 &a, const u64 &v, Access k) {
			n.mem.store(bytes, a, v, k == Access::ATOMIC, k == Access::STACK);
		}
		// A helper call (A4): x0 = helper(target, x0-x4); x1-x18, x30 and
		// NZCV take any values; the exclusive monitor is lost.
		void call(const u64 &target, State &s) {
			u64 args[5] = {s.x[0], s.x[1], s.x[2], s.x[3], s.x[4]};
			u64 r = helper_result(target, args);
			n.calls.push_back(CallSite{target, s.sp});
			for (unsigned i = 0; i < 31; i++)
				if (arm64::call_clobbered_mask & (1u << i))
					s.x[i] = i == 0 ? r : n.undef64(reg_name(i));
			s.n = n.undef_bool("n");
			s.z = n.undef_bool("z");
			s.c = n.undef_bool("c");
			s.v = n.undef_bool("v");
			s.excl = SBool(false);
		}
		void fence(const char *name) { n.fences.push_back(name); }
		void landing(uint32_t off) { n.landings.push_back(off); }
		SBool undef_bool(const char *w) { return n.undef_bool(w); }
		// Before each instruction: another CPU may write the location an
		// atomic accesses (A6); STXR then sees the changed value.
		bool at(uint32_t off, State &s) { return n.at(off, parts(s)); }
	};

	// Tail calls are not supported on arm64 (no frame variant enters
	// through one).
	static void tail_call_state(State &, NativeEnv &) {}

	static RunOut run(State &s, NativeEnv &n, const std::vector<u8> &bytes, const u64 &base,
			  uint32_t start = 0) {
		using namespace arm64::model;
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

// Every entry under both values of the atomics option (JitOptions::lse);
// the others do not read it.
inline Result check_rule_arm64(const Rule<Symbolic> &rule, const Config &cfg) {
	if (!is_atomic(rule.code))
		return check_rule<TargetArm64>(rule, cfg);
	Config llsc = cfg, lse = cfg;
	llsc.opts.lse = false;
	lse.opts.lse = true;
	Result a = check_rule<TargetArm64>(rule, llsc);
	if (a.outcome != Outcome::PROVED) {
		a.detail = "LDXR/STXR: " + a.detail;
		return a;
	}
	Result b = check_rule<TargetArm64>(rule, lse);
	if (b.outcome != Outcome::PROVED)
		b.detail = "LSE: " + b.detail;
	b.paths += a.paths;
	b.proved += a.proved;
	b.rejected += a.rejected;
	b.vacuous += a.vacuous;
	b.checks += a.checks;
	b.seconds += a.seconds;
	b.prove_seconds += a.prove_seconds;
	b.stack_below_sp = std::max(a.stack_below_sp, b.stack_below_sp);
	return b;
}

} // namespace verify
} // namespace vjit

#endif
