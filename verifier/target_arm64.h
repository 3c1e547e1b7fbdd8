// SPDX-License-Identifier: GPL-2.0
// The arm64 target of the refinement checker (verifier/refine.h): how a BPF
// state lives in the native one (arch/arm64/target.h's register map), how
// emitted words run (arch/arm64/model.h), the AAPCS64 facts the frame proof
// uses, and the option values the frame is proved under.
#ifndef VJIT_VERIFIER_TARGET_ARM64_H
#define VJIT_VERIFIER_TARGET_ARM64_H

#include <chrono>
#include <memory>
#include <sstream>
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

	// The frame (frame_variants below): eBPF programs laid out for the
	// kernel's tail calls, entered by a call at each depth and by a tail
	// call; classic programs (no tail-call entry); each with and without
	// BTI's landing pads (opts.ibt).
	static std::vector<FrameVariant> frame_variants();

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
		// A BTI admits the branch its entry is reached by: the kernel's
		// BLR at the image entry (BTI c, jc), the tail calls' BR (from
		// x10, not x16/x17) elsewhere (BTI j, jc).
		void landing(uint32_t off, unsigned op) {
			if (off == 0 ? (op == 34 || op == 38) : (op == 36 || op == 38))
				n.landings.push_back(off);
		}
		SBool undef_bool(const char *w) { return n.undef_bool(w); }
		// Before each instruction: another CPU may write the location an
		// atomic accesses (A6); STXR then sees the changed value.
		bool at(uint32_t off, State &s) { return n.at(off, parts(s)); }
	};

	// The state the kernel's tail calls enter a program in (at
	// opts.tail_call_entry, by BR), from the state of a call to the tail
	// caller: its stock prologue ran up to that entry (the frame record,
	// the four pairs, x29 and x25 set; x26 the count it carries), its body
	// wrote R0-R9, the scratch and x27, its helper calls x30, and it freed
	// its BPF stack (sp = x25). R1 is the context it passes on.
	static void tail_call_state(State &s, NativeEnv &n) {
		using namespace arm64;
		auto push = [&](unsigned a, unsigned b) {
			s.sp = s.sp - u64(16);
			n.mem.store(8, s.sp, s.x[a], false, true);
			n.mem.store(8, s.sp + u64(8), s.x[b], false, true);
		};
		push(FP, LR);
		s.x[FP] = s.sp;
		for (unsigned i = 0; i < n_saved_pairs; i++)
			push(saved_pairs[i][0], saved_pairs[i][1]);
		s.x[X25] = s.sp;
		s.x[TAIL_CALL_CNT] = u64::var("tail_call_count");
		for (unsigned r = X1; r <= X22; r++)
			s.x[r] = u64::var(std::string("tail_caller_") + reg_name(r));
		s.x[X27] = u64::var("tail_caller_x27");
		s.x[LR] = u64::var("tail_caller_x30");
	}

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

namespace arm64_frame {

// The kernel's tail-call entry (PROLOGUE_OFFSET of Linux 6.1's arm64 JIT,
// pointer authentication on, as Debian builds it): BTI JC (with BTI),
// mov x9, lr, nop, PACIASP, the frame (8 instructions), mov x26, #0.
constexpr uint32_t tail_call_entry(bool bti) { return (bti ? 12 : 11) * 4; }

inline JitOptions opts(uint32_t depth, bool bti, bool ebpf) {
	JitOptions o;
	o.stack_depth = depth;
	o.ibt = bti;
	o.tail_call_entry = ebpf ? tail_call_entry(bti) : 0;
	return o;
}

} // namespace arm64_frame

inline std::vector<FrameVariant> TargetArm64::frame_variants() {
	using arm64_frame::opts;
	std::vector<FrameVariant> r;
	for (uint32_t d : {512u, 0u, 1u, 100u})
		r.push_back({"PROLOGUE/EPILOGUE depth " + std::to_string(d), opts(d, false, true)});
	r.push_back({"PROLOGUE/EPILOGUE bti depth 64", opts(64, true, true)});
	r.push_back({"PROLOGUE/EPILOGUE classic depth 64", opts(64, false, false)});
	r.push_back({"PROLOGUE/EPILOGUE bti classic depth 64", opts(64, true, false)});
	// Entered by the kernel's tail calls; these tasks also prove the
	// layout up to the entry and the counter (check_tail_call_entry,
	// added to the arch's frame tasks in mutants_arm64.cc).
	r.push_back({"PROLOGUE/EPILOGUE tail-call entry 44 depth 64", opts(64, false, true), true});
	r.push_back({"PROLOGUE/EPILOGUE bti tail-call entry 48 depth 64", opts(64, true, true), true});
	return r;
}

// The model's Env, remembering the state and memory before the
// instruction at one offset.
struct SnapshotEnv : TargetArm64::Env {
	uint32_t off;
	bool seen = false;
	TargetArm64::State state;
	std::shared_ptr<SymMem> mem;
	SnapshotEnv(NativeEnv &e, uint32_t o) : TargetArm64::Env{e}, off(o) {}
	bool at(uint32_t o, TargetArm64::State &s) {
		if (o == off && !seen) {
			seen = true;
			state = s;
			mem = std::make_shared<SymMem>(n.mem);
		}
		return TargetArm64::Env::at(o, s);
	}
};

namespace arm64_frame {

using T = TargetArm64;

// The main entry at the tail-call entry (env's snapshot) against the stock
// tail caller there (b, its memory nb), entered with sp = S.
inline void same_frame_as_stock(PathGoal &g, const SnapshotEnv &env, const T::State &b, const NativeEnv &nb,
				const u64 &S) {
	if (!env.seen) {
		g.fail("the main entry does not pass the tail-call entry at +" + std::to_string(env.off));
		return;
	}
	const T::State &e = env.state;
	g.eq("main entry: tail-call counter x26 = 0 at the tail-call entry", e.x[arm64::X26], u64(0));
	g.eq("tail-call entry: sp as the stock prologue leaves it", e.sp, b.sp);
	g.eq("tail-call entry: x25 as the stock prologue leaves it", e.x[arm64::X25], b.x[arm64::X25]);
	g.eq("tail-call entry: x29 as the stock prologue leaves it", e.x[arm64::FP], b.x[arm64::FP]);
	for (uint32_t k = 8; k <= arm64::frame_bytes; k += 8)
		g.eq("tail-call entry: the slot at entry sp - " + std::to_string(k) + " as the stock prologue stores it",
		     env.mem->read(8, S - u64(k)), nb.mem.read(8, S - u64(k)));
}

// One path of check_tail_call_entry: the obligations into g.
inline void tail_call_entry_goal(PathGoal &g, Explorer &ex, const JitCtx<Symbolic> &pro, uint32_t entry) {
	const u64 base = pro.image_addr(u32(0));
	ex.assume(ule(pro.image_base, u64(~0ull - 2 * MAX_IMAGE)));
	ex.assume(aligned_to(pro.image_base, T::code_align));
	const u64 S = u64::var("entry_sp");
	ex.assume(uge(S, u64(MIN_SP)) && ule(S, u64(~0ull - MIN_SP)) && (S & u64(15)) == u64(0));
	const z3::func_decl mem0 = fresh_memory("mem");
	T::State s0 = T::fresh("entry");
	s0.sp = S;
	const uint32_t len = (uint32_t)pro.bytes.size();
	// Entered by a call, remembering the state at the tail-call entry.
	T::State a = s0;
	NativeEnv na(mem0);
	SnapshotEnv env(na, entry);
	arm64::model::Code<Symbolic> code{pro.bytes.data(), len, base};
	arm64::model::Machine<Symbolic, SnapshotEnv> m(a, env, code);
	const arm64::model::Stop<Symbolic> st = m.run(0);
	if (st.status != arm64::model::Status::EXITED)
		g.fail(std::string("prologue ") + st.why);
	g.eq("prologue ends at instruction 0", st.pc, base + u64(len));
	// The stock tail caller, from the same call.
	T::State b = s0;
	NativeEnv nb(mem0);
	T::tail_call_state(b, nb);
	same_frame_as_stock(g, env, b, nb, S);
	g.eq("main entry: tail-call counter x26 = 0 in the body", a.x[arm64::X26], u64(0));
	// Entered by that tail call.
	T::State c = s0;
	NativeEnv nc(mem0);
	T::tail_call_state(c, nc);
	const RunOut out = T::run(c, nc, pro.bytes, base, entry);
	if (out.status != RunStatus::EXITED)
		g.fail(std::string("prologue from the tail-call entry ") + run_status_name(out.status) + ": " + out.why);
	g.eq("tail-call entry: counter x26 carried into the body", c.x[arm64::X26], b.x[arm64::X26]);
}

} // namespace arm64_frame

// The prologue against the kernel's tail calls (opts.tail_call_entry
// set): entered at 0 by a call, it passes the tail-call entry with the
// frame the stock prologue builds there (tail_call_state: sp, x25, x29
// and every saved slot the same) and the counter x26 = 0, and reaches the
// body with x26 = 0; entered at the entry in the tail-call state, it
// reaches the body with the counter carried in. With check_frame's
// tail-call variants (the frame from there on), this is the "same frame
// except the counter" the kernel's tail calls rely on.
inline Result check_tail_call_entry(FrameFn prologue, const Config &cfg, const std::string &name) {
	Result res;
	res.arch = TargetArm64::name;
	res.name = name;
	res.cls = "FRAME";
	const auto t0 = std::chrono::steady_clock::now();
	Explorer ex;
	ex.set_limits(cfg.query_ms, cfg.entry_ms);
	bool failed = false;
	const bool complete = ex.explore([&]() {
		JitCtx<Symbolic> pro;
		pro.opts = cfg.opts;
		pro.start = u32(0);
		prologue(pro);
		if (pro.error != LowerError::NONE) {
			res.rejected++;
			return;
		}
		PathGoal g;
		arm64_frame::tail_call_entry_goal(g, ex, pro, cfg.opts.tail_call_entry);
		z3::model model(sym_ctx());
		if (discharge(ex, g.obs, g.structural, res, model, "vjit", "stock"))
			return;
		failed = true;
		res.detail = "  prologue:\n" +
			     render_bytes<TargetArm64>(model, pro.bytes, eval_u64(model, pro.image_addr(u32(0)).e)) +
			     "  first difference: " + res.first_diff + "\n";
		ex.stop();
	}, cfg.max_paths);
	res.paths = ex.paths();
	res.checks = ex.checks();
	if (!failed && ex.timed_out())
		res.detail = "  " + (res.first_diff = time_limit_text(cfg)) + "\n";
	res.outcome = failed || !complete || res.proved == 0 ? Outcome::FAILED : Outcome::PROVED;
	res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	return res;
}

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
