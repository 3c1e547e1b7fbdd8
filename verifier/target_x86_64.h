// SPDX-License-Identifier: GPL-2.0
// The x86-64 target of the refinement checker (verifier/refine.h): how a BPF
// state lives in the native one (arch/x86_64/target.h's register map), how
// emitted bytes run (arch/x86_64/model.h), the System V ABI facts the frame
// proof uses, and the option values the frame is proved under.
#ifndef VJIT_VERIFIER_TARGET_X86_64_H
#define VJIT_VERIFIER_TARGET_X86_64_H

#include <string>
#include <vector>

#include "arch/x86_64/lower.h"
#include "arch/x86_64/model.h"
#include "arch/x86_64/target.h"
#include "verifier/refine.h"

namespace vjit {
namespace verify {

struct TargetX86_64 {
	static constexpr const char *name = "x86_64";
	using Arch = x86_64::X86_64;
	using State = x86_64::model::State<Symbolic>;

	// A call or push inside one instruction: the return address of a
	// helper call is the only thing the table puts below rsp.
	static constexpr unsigned insn_stack_slack = 8;
	// Fixed part of the stack bound: return address 8, saved rbp 8, five
	// callee-saved registers 40, rounding of the BPF stack to 8 and then
	// to keep rsp 16-byte aligned (at most 7 + 8), and insn_stack_slack 8.
	static constexpr unsigned stack_fixed = 8 + 8 + 40 + 7 + 8 + insn_stack_slack;
	// The stack alignment at a call (rsp before `call` pushes the return
	// address): the kernel builds with an 8-byte stack boundary; System V,
	// for userspace (vjit-run), requires 16 (helpers may spill SSE
	// registers with aligned moves). The same image serves both, so the
	// frame proof proves each from its ABI's entry alignment, and the call
	// proof that helpers are called with it.
	static std::vector<CallAbi> call_abis() { return {{"kernel", 8}, {"System V userspace", 16}}; }
	// `call` pushes the return address; `ret` pops it.
	static constexpr unsigned return_address_bytes = 8;
	static u64 return_address(const State &, const SymMem &mem, const u64 &sp) { return mem.read(8, sp); }
	// NOPs come in every length (x86_64_nops).
	static constexpr unsigned pad_granule = 1;

	// The default, but the fetch forms of AND/OR/XOR are a cmpxchg loop
	// through rax: fully split and bit-blasted is faster there.
	static SplitPolicy split_policy(uint8_t code, int32_t imm) {
		using namespace bpf;
		if (is_atomic(code) && (imm == (AND | FETCH) || imm == (OR | FETCH) || imm == (XOR | FETCH)))
			return {true, true, true};
		return default_split_policy(code);
	}

	// The prologue/epilogue proofs: one per code-generation option value
	// the frame depends on (stack depth, return thunk, the BHI barrier's
	// forms, IBT, the kernel's tail-call entry).
	static std::vector<FrameVariant> frame_variants();

	static const char *reg_name(unsigned n) {
		static const char *names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
						"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
		return names[n & 15];
	}
	static std::string native_name(unsigned n) { return reg_name(n); }

	static State fresh(const std::string &tag) {
		State s;
		for (unsigned i = 0; i < 16; i++)
			s.gpr[i] = u64::var(tag + "_" + reg_name(i));
		z3::context &c = sym_ctx();
		s.cf = SBool(c.bool_const((tag + "_cf").c_str()));
		s.zf = SBool(c.bool_const((tag + "_zf").c_str()));
		s.sf = SBool(c.bool_const((tag + "_sf").c_str()));
		s.of = SBool(c.bool_const((tag + "_of").c_str()));
		return s;
	}
	static State initial(const BpfRegs<Symbolic> &b, const u64 &sp, const std::string &tag) {
		State s = fresh(tag);
		for (unsigned r = 0; r < bpf::NREGS; r++)
			s.gpr[x86_64::bpf_to_native[r]] = b.r[r];
		s.gpr[x86_64::RSP] = sp;
		return s;
	}
	static u64 reg(const State &s, unsigned r) { return s.gpr[x86_64::bpf_to_native[r]]; }
	static void set_reg(State &s, unsigned r, const u64 &v) { s.gpr[x86_64::bpf_to_native[r]] = v; }
	static u64 native(const State &s, unsigned n) { return s.gpr[n]; }
	static u64 sp(const State &s) { return s.gpr[x86_64::RSP]; }
	static void set_sp(State &s, const u64 &v) { s.gpr[x86_64::RSP] = v; }
	static void havoc_scratch(State &s, const std::string &tag) {
		for (uint8_t n : {x86_64::SCRATCH1, x86_64::SCRATCH2, x86_64::SCRATCH3})
			s.gpr[n] = u64::var(tag + "_" + reg_name(n));
	}
	// ob(name, after, before) for every part of the state (padding proof).
	template <typename F>
	static void same_state(const State &a, const State &b, F &&ob) {
		for (unsigned i = 0; i < 16; i++)
			ob(reg_name(i), a.gpr[i].e, b.gpr[i].e);
		ob("cf", a.cf.e, b.cf.e);
		ob("zf", a.zf.e, b.zf.e);
		ob("sf", a.sf.e, b.sf.e);
		ob("of", a.of.e, b.of.e);
	}
	// Every part of the state, named (the loop invariants of refine.h).
	static std::vector<StatePart> parts(State &s) {
		std::vector<StatePart> p;
		for (unsigned i = 0; i < 16; i++)
			p.push_back(StatePart{reg_name(i), &s.gpr[i].e});
		p.push_back(StatePart{"cf", &s.cf.e});
		p.push_back(StatePart{"zf", &s.zf.e});
		p.push_back(StatePart{"sf", &s.sf.e});
		p.push_back(StatePart{"of", &s.of.e});
		return p;
	}
	// System V: first argument rdi, result rax, callee-saved rbx rbp r12-r15.
	static u64 abi_arg0(const State &s) { return s.gpr[x86_64::RDI]; }
	static u64 abi_ret(const State &s) { return s.gpr[x86_64::RAX]; }
	static std::vector<unsigned> abi_callee_saved() {
		return {x86_64::RBX, x86_64::RBP, x86_64::R12, x86_64::R13, x86_64::R14, x86_64::R15};
	}

	// The model's environment over the checker's NativeEnv.
	struct Env {
		NativeEnv &n;
		u64 load(unsigned bytes, const u64 &a, x86_64::model::Access k) {
			return n.mem.load(bytes, a, k == x86_64::model::Access::ATOMIC,
					  k == x86_64::model::Access::STACK);
		}
		void store(unsigned bytes, const u64 &a, const u64 &v, x86_64::model::Access k) {
			n.mem.store(bytes, a, v, k == x86_64::model::Access::ATOMIC,
				    k == x86_64::model::Access::STACK);
		}
		// A helper call (A4): rax = helper(target, rdi, rsi, rdx, rcx, r8);
		// the caller-saved registers and the flags take any values. A call
		// to the kernel's clear_bhb_loop (when the options use it, A7)
		// clobbers only rax, rcx and the flags.
		void call(const u64 &target, State &s) {
			using namespace x86_64;
			u64 args[5] = {s.gpr[RDI], s.gpr[RSI], s.gpr[RDX], s.gpr[RCX], s.gpr[R8]};
			u64 r = helper_result(target, args);
			n.calls.push_back(CallSite{target, s.gpr[RSP]});
			const SBool to_bhb = n.bhb_loop ? SBool(target == u64(n.bhb_loop_addr)) : SBool(false);
			for (unsigned i = 0; i < 16; i++) {
				const bool helper_clobbers = call_clobbered_mask & (1u << i);
				const bool bhb_clobbers = i == RAX || i == RCX;
				const u64 helper_v = i == RAX ? r : helper_clobbers ? n.undef64(reg_name(i)) : s.gpr[i];
				const u64 bhb_v = bhb_clobbers ? n.undef64(reg_name(i)) : s.gpr[i];
				s.gpr[i] = n.bhb_loop ? select(to_bhb, bhb_v, helper_v) : helper_v;
			}
			s.cf = n.undef_bool("cf");
			s.zf = n.undef_bool("zf");
			s.sf = n.undef_bool("sf");
			s.of = n.undef_bool("of");
		}
		void fence(x86_64::model::Fence f) {
			n.fences.push_back(f == x86_64::model::Fence::IBHF ? "ibhf" : "lfence");
		}
		void landing(uint32_t off) { n.landings.push_back(off); }
		bool at(uint32_t off, State &s) { return n.at(off, parts(s)); }
		SBool undef_bool(const char *w) { return n.undef_bool(w); }
		u64 undef64(const char *w) { return n.undef64(w); }
	};

	// The state the kernel's tail calls enter a program in, from the state
	// of a call to it (sp at the return address): the tail caller's frame
	// is popped down to [return address][caller's rbp] with rbp = rsp (as
	// push rbp; mov rbp, rsp leaves it); rax holds the tail-call count.
	static void tail_call_state(State &s, NativeEnv &n) {
		using namespace x86_64;
		s.gpr[RSP] = s.gpr[RSP] - u64(8);
		n.mem.store(8, s.gpr[RSP], s.gpr[RBP], false, true);
		s.gpr[RBP] = s.gpr[RSP];
		s.gpr[RAX] = u64::var("tail_call_count");
	}

	static RunOut run(State &s, NativeEnv &n, const std::vector<u8> &bytes, const u64 &base,
			  uint32_t start = 0) {
		using namespace x86_64::model;
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

namespace x86_64_frame {

constexpr uint32_t depths[] = {512, 0, 1, 100};
constexpr uint64_t RETURN_THUNK = 0xffffffff82000000ull;
constexpr uint64_t BHB_LOOP = 0xffffffff81e00000ull;  // clear_bhb_loop, somewhere in kernel text
// The kernel's tail-call entry offsets (X86_TAIL_CALL_OFFSET): Linux 6.1
// without IBT, and 6.12 with it.
constexpr uint32_t TAIL_CALL_ENTRY_61 = 11, TAIL_CALL_ENTRY_612_IBT = 16;

inline JitOptions ibt_opts(uint32_t depth, uint32_t tail_call_entry, bool ibt) {
	JitOptions o;
	o.stack_depth = depth;
	o.ibt = ibt;
	o.tail_call_entry = tail_call_entry;
	return o;
}

inline JitOptions mitigation_opts(uint32_t depth, bool rethunk, bool bhb_loop, bool bhb_ibhf) {
	JitOptions o;
	o.stack_depth = depth;
	o.rethunk = rethunk;
	o.return_thunk = rethunk ? RETURN_THUNK : 0;
	o.bhb_loop = bhb_loop;
	o.bhb_loop_addr = bhb_loop ? BHB_LOOP : 0;
	o.bhb_ibhf = bhb_ibhf;
	return o;
}

} // namespace x86_64_frame

inline std::vector<FrameVariant> TargetX86_64::frame_variants() {
	using namespace x86_64_frame;
	std::vector<FrameVariant> r;
	for (uint32_t d : depths)
		r.push_back({"PROLOGUE/EPILOGUE depth " + std::to_string(d), mitigation_opts(d, false, false, false)});
	r.push_back({"PROLOGUE/EPILOGUE rethunk depth 64", mitigation_opts(64, true, false, false)});
	JitOptions rethunk_no_saves = mitigation_opts(0, true, false, false);
	rethunk_no_saves.body_regs = x86_64::call_clobbered_mask;
	r.push_back({"PROLOGUE/EPILOGUE rethunk saves {} depth 0", rethunk_no_saves});
	r.push_back({"PROLOGUE/EPILOGUE bhb-loop depth 64", mitigation_opts(64, false, true, false)});
	r.push_back({"PROLOGUE/EPILOGUE bhb-ibhf depth 64", mitigation_opts(64, false, false, true)});
	r.push_back({"PROLOGUE/EPILOGUE bhb-loop bhb-ibhf rethunk depth 64", mitigation_opts(64, true, true, true)});
	// Classic programs on an IBT kernel; eBPF programs (laid out for the
	// kernel's tail calls) on 6.1 and on 6.12 with IBT, entered by a call
	// and by a tail call.
	r.push_back({"PROLOGUE/EPILOGUE ibt depth 64", ibt_opts(64, 0, true)});
	r.push_back({"PROLOGUE/EPILOGUE tail-call layout 11 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_61, false)});
	r.push_back({"PROLOGUE/EPILOGUE tail-call entry 11 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_61, false), true});
	r.push_back({"PROLOGUE/EPILOGUE ibt tail-call layout 16 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_612_IBT, true)});
	r.push_back({"PROLOGUE/EPILOGUE ibt tail-call entry 16 depth 64", ibt_opts(64, TAIL_CALL_ENTRY_612_IBT, true), true});
	// Every proper subset of the callee-saved registers the frame may
	// save (the variants above save them all), at an odd depth.
	for (unsigned set = 0; set + 1 < (1u << x86_64::n_saved_regs); set++) {
		JitOptions o = mitigation_opts(100, false, false, false);
		o.body_regs = x86_64::call_clobbered_mask;
		std::string names;
		for (unsigned i = 0; i < x86_64::n_saved_regs; i++)
			if (set & (1u << i)) {
				o.body_regs |= 1u << x86_64::saved_regs[i];
				names += std::string(names.empty() ? "" : " ") + reg_name(x86_64::saved_regs[i]);
			}
		r.push_back({"PROLOGUE/EPILOGUE saves {" + names + "} depth 100", o});
	}
	return r;
}

} // namespace verify
} // namespace vjit

#endif
