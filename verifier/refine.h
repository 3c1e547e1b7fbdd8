// SPDX-License-Identifier: GPL-2.0
// The refinement checker: one theorem per codegen table entry, for every
// arch, parameterised by an arch target T (verifier/target_<arch>.h). It
// never names an ISA; everything it needs from one comes from T:
//
//   T::name                         arch name
//   T::Arch                         the backend (table, prologue, epilogue)
//   T::State                        native machine state (symbolic)
//   T::initial(bpf, sp, tag)        native state related to BPF registers
//   T::fresh(tag)                   unrelated native state
//   T::reg(st, r)                   native home of BPF register r
//   T::set_reg(st, r, v)
//   T::sp(st)  T::set_sp(st, v)     native stack pointer
//   T::run(st, env, bytes, base)    run the model on the emitted bytes
//   T::abi_*                        return value / argument / callee-saved
//   T::insn_stack_slack             bytes an instruction may use below sp
//   T::call_abis()                  the stack alignment each ABI requires at a call
//   T::return_address_bytes         what a call pushes (0 with a link register)
//   T::parts(st)                    every part of the state, named (loop invariants)
//   T::stack_fixed                  the stated fixed part of the stack bound
//   T::disasm(bytes, addr)          an independent disassembly (capstone)
//
// The theorem for an entry (printed by `vjit-verify --assumptions` with the
// assumptions it rests on, see assumptions_text()):
//   for all register choices, offsets, immediates, initial register and
//   memory values, and every consistent offsets table, the native code
//   emitted for the instruction, started at the instruction's address, ends
//   at the native address of the BPF successor (or jump target, or the
//   epilogue for EXIT) with the native homes of the live BPF registers
//   equal to the BPF state after the instruction, the stack pointer
//   unchanged, the same stores (address, size, value, atomicity) in the
//   same order, loads only where the BPF instruction loads, native stack
//   use within insn_stack_slack, helpers called with the stack aligned as
//   every call ABI of the target requires, and no trap. A native loop is
//   proved with an invariant (LoopHead), never unrolled; every solver query
//   and every entry has a time budget (Config), past which the entry fails.
#ifndef VJIT_VERIFIER_REFINE_H
#define VJIT_VERIFIER_REFINE_H

#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/semantics.h"
#include "verifier/explore.h"
#include "verifier/symjit.h"

namespace vjit {
namespace verify {

using u4 = SBV<4>;
using u8 = SBV<8>;
using u16 = SBV<16>;
using u32 = SBV<32>;
using u64 = SBV<64>;

// Numbers the assumptions use; printed with them.
constexpr uint64_t MAX_INSNS = 1u << 20;        // BPF_COMPLEXITY_LIMIT_INSNS
constexpr uint64_t MAX_IMAGE = 1ull << 30;      // native image size bound
constexpr uint64_t MIN_SP = 1ull << 16;         // the native stack is not at address 0

inline const char *assumptions_text() {
	return
		"Assumptions (every proof rests on these, and only these):\n"
		"  A1 the kernel's BPF verifier accepted the program: register fields name\n"
		"     R0-R10 (or AX, which constant blinding introduces); R10 is never written;\n"
		"     jump targets are instructions of the program (pc+1+off < len);\n"
		"     the program has at most 2^20 instructions; fall-through stays inside it\n"
		"  A2 the offsets table is consistent: insn_addr(idx) is where the code of\n"
		"     instruction idx starts and insn_addr(idx+1) = insn_addr(idx) + its length\n"
		"     + its padding (LD_IMM64: idx+2), as the driver checks after its last\n"
		"     pass; the driver may follow an instruction's code with NOP padding\n"
		"     (Arch::pad), proved by the PADDING entry to only advance pc (registers,\n"
		"     flags, stack unchanged, no memory access); every offset\n"
		"     is below 2^30 and the image does not wrap around the address space\n"
		"  A3 BPF memory accesses (the verifier confines them to the BPF stack and\n"
		"     valid objects) lie at or above the native stack pointer and do not wrap;\n"
		"     the native stack pointer is above 2^16 and, between instructions,\n"
		"     aligned as each of the target's call ABIs requires at a call (the frame\n"
		"     proof proves it from the ABI's alignment on entry)\n"
		"  A4 a helper's return value is a function of its address and R1-R5 (the\n"
		"     same on both sides); after a call R1-R5 and AX are dead (the verifier\n"
		"     marks them unreadable); helpers preserve the ABI's callee-saved\n"
		"     registers and return with the stack balanced; their memory effects\n"
		"     are not modelled\n"
		"  A5 the ISA model matches the CPU (checked by `make check-verifier`: random\n"
		"     instances of every modelled form, run natively and in the model, and\n"
		"     decoded by capstone)\n"
		"  A6 atomics are proved single-threaded (as the BPF semantics is); their\n"
		"     atomicity is required as a property of the native store (LOCK)\n"
		"  A7 the kernel's BHB-clearing routine (clear_bhb_loop, called when the\n"
		"     options ask for the Spectre-BHI barrier) changes only what the target\n"
		"     says (x86-64: rax, rcx, flags) and returns with the stack balanced;\n"
		"     speculation barriers (lfence, ibhf) have no architectural effect\n"
		"Not assumed: division/modulo by zero, shift amounts, ALU32 zero extension,\n"
		"immediate sizes, REX/ModRM encodings, jump displacement sizes: all proved.\n";
}

// An ABI's stack alignment at a call: the stack pointer at the call
// instruction is a multiple of align, so the callee is entered with
// sp + T::return_address_bytes a multiple of it.
struct CallAbi {
	const char *name;
	unsigned align;
};

// The weakest alignment of T's call ABIs (what every ABI at least gives).
template <typename T>
unsigned min_call_align() {
	unsigned a = ~0u;
	for (const CallAbi &abi : T::call_abis())
		a = abi.align < a ? abi.align : a;
	return a;
}

struct Config {
	JitOptions opts;
	size_t max_paths = 20000;
	bool stop_at_first_failure = true;
	// Every solver query's budget, and each entry's time limit (ms; 0:
	// none): past either the entry fails, it never hangs.
	unsigned query_ms = 60000;
	unsigned entry_ms = 600000;
};

// The failure an exploration that ran out of time reports.
inline std::string time_limit_text(const Config &cfg) {
	return "time limit of " + std::to_string(cfg.entry_ms / 1000) + " s reached";
}

enum class Outcome { PROVED, FAILED, UNSUPPORTED };

inline const char *outcome_name(Outcome o) {
	return o == Outcome::PROVED ? "VERIFY" : o == Outcome::FAILED ? "FAIL" : "SKIP";
}

struct Result {
	std::string arch, name, cls;
	Outcome outcome = Outcome::UNSUPPORTED;
	size_t paths = 0, proved = 0, rejected = 0, vacuous = 0, checks = 0;
	double seconds = 0, prove_seconds = 0;
	std::string detail;          // counterexample, or why unsupported
	std::string first_diff;      // the first part of the state that differs
	int stack_below_sp = 0;      // max native stack use below sp (instructions)
};

// One memory access as a side saw it.
struct Access {
	bool store;
	bool atomic;
	bool stack;  // native push/pop/call/ret
	unsigned bytes;
	u64 addr;
	u64 value;
	unsigned step;  // the native instruction (counted from 1) that made it; 0 on the BPF side
};

// Byte-addressed memory: an uninterpreted initial content (a function from
// 64-bit addresses to bytes) under a log of byte writes, with a log of the
// accesses made through it. A read is resolved against the writes here, not
// by the solver's array theory: address equalities that simplify to a
// constant (sp+8 vs sp+16) are settled at once, so the queries stay in
// QF_UFBV, which the bit-blasting prover (Explorer::prove) handles.
struct SymMem {
	z3::func_decl base;
	std::vector<std::pair<z3::expr, z3::expr>> writes;  // (address, byte), oldest first
	std::vector<Access> log;
	// When set, the content before the writes (instead of base): a
	// memory another run left, havocked in places.
	std::function<u8(const u64 &)> under;
	unsigned step = 0;  // tags the accesses (NativeEnv::at counts instructions)

	explicit SymMem(z3::func_decl b) : base(b) {}

	u8 byte(const u64 &a) const {
		z3::expr b = under ? under(a).e : base(a.e);
		for (const auto &w : writes) {
			z3::expr eq = (a.e == w.first).simplify();
			if (eq.is_true())
				b = w.second;
			else if (!eq.is_false())
				b = z3::ite(eq, w.second, b);
		}
		return u8(b);
	}
	u64 read(unsigned n, const u64 &a) const {
		z3::expr v = byte(a).e;
		for (unsigned i = 1; i < n; i++)
			v = z3::concat(byte(a + u64(i)).e, v);
		return n == 8 ? u64(v) : u64(z3::zext(v, 64 - 8 * n));
	}
	void write(unsigned n, const u64 &a, const u64 &v) {
		for (unsigned i = 0; i < n; i++)
			writes.emplace_back((a + u64(i)).e.simplify(), v.e.extract(8 * i + 7, 8 * i));
	}
	u64 load(unsigned n, const u64 &a, bool atomic, bool stack) {
		u64 v = read(n, a);
		log.push_back(Access{false, atomic, stack, n, a, v, step});
		return v;
	}
	void store(unsigned n, const u64 &a, const u64 &v, bool atomic, bool stack) {
		u64 m = n == 8 ? v : v & u64((1ull << (8 * n)) - 1);
		write(n, a, m);
		log.push_back(Access{true, atomic, stack, n, a, m, step});
	}
};

inline z3::func_decl fresh_memory(const char *name) {
	z3::context &c = sym_ctx();
	return z3::function(name, c.bv_sort(64), c.bv_sort(8));
}

// Helpers: the same uninterpreted function of (address, R1..R5) on both sides.
inline u64 helper_result(const u64 &target, const u64 *args) {
	z3::context &c = sym_ctx();
	z3::sort_vector dom(c);
	for (int i = 0; i < 6; i++)
		dom.push_back(c.bv_sort(64));
	z3::func_decl f = z3::function("helper", dom, c.bv_sort(64));
	z3::expr_vector as(c);
	as.push_back(target.e);
	for (int i = 0; i < 5; i++)
		as.push_back(args[i].e);
	return u64(f(as));
}

// The BPF side's environment for core/semantics.h's step().
struct BpfEnv {
	SymMem mem;
	bool atomic = false;
	JitCtx<Symbolic> *ctx;
	BpfEnv(z3::func_decl m, JitCtx<Symbolic> *c) : mem(m), ctx(c) {}
	u64 load(unsigned n, const u64 &a) { return mem.load(n, a, atomic, false); }
	void store(unsigned n, const u64 &a, const u64 &v) { mem.store(n, a, v, atomic, false); }
	u64 call_helper(const u32 &imm, BpfRegs<Symbolic> &regs) {
		u64 args[5] = {regs.r[1], regs.r[2], regs.r[3], regs.r[4], regs.r[5]};
		return helper_result(ctx->helper_addr(imm), args);
	}
};

// A part of a native state (a register, a flag) as T::parts lists it.
struct StatePart {
	const char *name;
	z3::expr *e;
};

// The load of the same native instruction as the store st (a locked
// read-modify-write reads then writes), or nullptr.
inline const Access *paired_load(const std::vector<Access> &log, const Access &st) {
	for (const Access &a : log)
		if (!a.store && a.step == st.step && a.bytes == st.bytes && z3::eq(a.addr.e, st.addr.e))
			return &a;
	return nullptr;
}

// Native loops, proved by induction instead of unrolled. A run that comes
// back to an offset it has executed has found a loop head. There, the parts
// of the state that changed around the loop (compared as terms) become
// fresh values and memory is set back to what it was at the first arrival:
// "the head's state with the changed parts arbitrary" is the invariant. It
// holds on entry by construction; the run goes on from it, so each exit of
// the loop is checked from every state the loop can be in; the next return
// to the head is where the invariant is checked to be preserved (the parts
// it keeps are unchanged, and every store of the iteration is an atomic
// write-back of the value it read, so memory is unchanged), and the run is
// cut there (T::run reports RunStatus::CUT).
struct LoopHead {
	uint32_t off;
	std::vector<z3::expr> first;      // the parts at the first arrival
	SymMem mem;                       // memory at the first arrival
	size_t log_size;                  // the access log's length then
	int arrivals = 1;
	std::vector<bool> changed;        // parts the loop changes (havocked)
	std::vector<z3::expr> invariant;  // the parts of the invariant state
	size_t iteration_log = 0;         // where the checked iteration's accesses start
	LoopHead(uint32_t o, std::vector<z3::expr> f, const SymMem &m)
		: off(o), first(std::move(f)), mem(m), log_size(m.log.size()) {}
};

// A call out of the native code (a helper), as the native side made it.
struct CallSite {
	u64 target;
	u64 entry_sp;  // the stack pointer the callee starts with
};

// The native side's environment, handed to T::run (which adapts it to its
// model's interface).
struct NativeEnv {
	SymMem mem;
	std::vector<CallSite> calls;
	unsigned fresh = 0;
	unsigned steps = 0;
	std::vector<LoopHead> heads;  // offsets executed, in order of first arrival
	int closed = -1;              // the head whose invariant the run came back to
	// Barriers that ran (named by the target), for the proofs that
	// require mitigations.
	std::vector<std::string> fences;
	// The kernel's BHB-clearing routine, when the options call it: a call
	// there clobbers only what the target says (assumption A7).
	bool bhb_loop = false;
	uint64_t bhb_loop_addr = 0;
	// Offsets of the indirect-branch landing pads that ran (x86 ENDBR64).
	std::vector<uint32_t> landings;
	explicit NativeEnv(z3::func_decl m) : mem(m) {}

	// Before the instruction at off (T::run calls it): counts steps, and
	// finds and abstracts loops (LoopHead). False: cut the run here.
	bool at(uint32_t off, const std::vector<StatePart> &parts) {
		mem.step = ++steps;
		size_t i = 0;
		while (i < heads.size() && heads[i].off != off)
			i++;
		if (i == heads.size()) {
			std::vector<z3::expr> now;
			for (const StatePart &p : parts)
				now.push_back(*p.e);
			heads.push_back(LoopHead(off, now, mem));
			return true;
		}
		LoopHead &h = heads[i];
		if (h.arrivals == 1) {
			enter_invariant(h, parts);
			heads.erase(heads.begin() + i + 1, heads.end());  // the loop's body: met afresh from the invariant
			return true;
		}
		closed = (int)i;
		return false;
	}

	void enter_invariant(LoopHead &h, const std::vector<StatePart> &parts) {
		h.arrivals = 2;
		for (size_t k = 0; k < parts.size(); k++) {
			const bool ch = !z3::eq(parts[k].e->simplify(), h.first[k].simplify());
			h.changed.push_back(ch);
			if (ch)
				*parts[k].e = sym_ctx().constant(
					("loop" + std::to_string(h.off) + "_" + parts[k].name + "_" + std::to_string(fresh++)).c_str(),
					parts[k].e->get_sort());
			h.invariant.push_back(*parts[k].e);
		}
		std::vector<Access> log(mem.log.begin(), mem.log.begin() + h.log_size);
		const unsigned step = mem.step;
		mem = h.mem;
		mem.log = log;
		mem.step = step;
		h.iteration_log = mem.log.size();
	}

	SBool undef_bool(const char *what) {
		return SBool(sym_ctx().bool_const(("undef_" + std::string(what) + "_" + std::to_string(fresh++)).c_str()));
	}
	u64 undef64(const char *what) {
		return u64::var("undef_" + std::string(what) + "_" + std::to_string(fresh++));
	}
};

// What must hold where a run came back to a loop head (NativeEnv::closed):
// the invariant is preserved. Obligations go to ob(name, now, invariant) for
// the parts and ob_b(name, cond) for the stores; a store that cannot be a
// write-back sets structural. Returns the iteration's accesses.
template <typename ObFn, typename ObBFn>
std::vector<Access> loop_obligations(const NativeEnv &n, const std::vector<StatePart> &parts, ObFn &&ob,
				     ObBFn &&ob_b, std::string &structural) {
	const LoopHead &h = n.heads[n.closed];
	const std::string at = "unbounded loop at native offset " + std::to_string(h.off);
	bool any_changed = false;
	for (size_t k = 0; k < parts.size(); k++) {
		any_changed = any_changed || h.changed[k];
		if (!h.changed[k])
			ob(at + ": " + parts[k].name + " not kept by the loop", *parts[k].e, h.invariant[k]);
	}
	if (!any_changed && structural.empty())
		structural = at + ": its head's state repeats";
	std::vector<Access> iter(n.mem.log.begin() + h.iteration_log, n.mem.log.end());
	for (const Access &a : iter) {
		if (!a.store || a.stack)
			continue;
		const Access *ld = paired_load(iter, a);
		if ((!a.atomic || !ld) && structural.empty())
			structural = at + ": a store inside the loop that is not an atomic read-modify-write";
		if (ld)
			ob_b(at + ": a store inside the loop changes memory (not a failed attempt)",
			     SBool(a.value.e == ld->value.e));
	}
	return iter;
}

// How a native run ended (T::run fills it in).
enum class RunStatus { EXITED, RETURNED, TRAP, UNDECODED, CUT };
struct RunOut {
	RunStatus status;
	u64 pc;
	std::string why;
};

inline const char *run_status_name(RunStatus s) {
	switch (s) {
	case RunStatus::EXITED: return "left the code";
	case RunStatus::RETURNED: return "returned";
	case RunStatus::TRAP: return "trapped";
	case RunStatus::UNDECODED: return "ran into bytes the model does not decode";
	case RunStatus::CUT: return "came back to a loop head";
	}
	return "?";
}

// A named conjunct of a theorem: the first false one in a counterexample is
// "the first part of the state that differs".
struct Obligation {
	std::string name;
	z3::expr holds;
	z3::expr lhs, rhs;  // native, BPF (or bound); may be the same as holds
	bool has_values;
};

inline uint64_t eval_u64(const z3::model &m, const z3::expr &e) {
	z3::expr v = m.eval(e, true);
	uint64_t out = 0;
	if (v.is_numeral())
		v.is_numeral_u64(out);
	return out;
}

inline std::string hex(uint64_t v) {
	char b[32];
	snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
	return b;
}

// What an instruction entry needs about its opcode.
inline bool writes_dst(uint8_t code) {
	using namespace bpf;
	return is_alu(code) || cls(code) == LDX || cls(code) == LD;
}
inline bool writes_src(uint8_t code, int32_t imm) {
	using namespace bpf;
	return cls(code) == STX && mode(code) == ATOMIC && (imm & FETCH) && imm != CMPXCHG;
}
inline bool uses_src_reg(uint8_t code) {
	using namespace bpf;
	if (is_alu(code))  // END's X bit is the byte order, not a register
		return srcbit(code) == X && op(code) != END && op(code) != NEG;
	if (is_jmp(code))
		return srcbit(code) == X && op(code) != CALL && op(code) != EXIT && op(code) != JA;
	return cls(code) == LDX || cls(code) == STX;
}
inline bool is_cond_jump(uint8_t code) {
	using namespace bpf;
	return is_jmp(code) && op(code) != CALL && op(code) != EXIT;
}
inline const char *class_name(uint8_t code) {
	using namespace bpf;
	switch (cls(code)) {
	case ALU: return "ALU";
	case ALU64: return "ALU64";
	case JMP: return "JMP";
	case JMP32: return "JMP32";
	case LDX: return "LDX";
	case ST: return "ST";
	case STX: return mode(code) == ATOMIC ? "ATOMIC" : "STX";
	case LD: return "LD";
	}
	return "?";
}

template <typename T>
std::string render_bytes(const z3::model &m, const std::vector<u8> &bytes, uint64_t addr) {
	std::vector<uint8_t> b;
	for (const u8 &x : bytes)
		b.push_back((uint8_t)eval_u64(m, x.e));
	return T::disasm(b, addr);
}

// Proves every obligation on the explorer's current path, unless a
// structural difference (wrong size, a fault, ...) already decides it.
// Counts the path as proved, or vacuous when it is infeasible, and returns
// true; else leaves in m a model of the failure and in res.first_diff the
// first part of the state that differs, its sides named lhs_name/rhs_name.
inline bool discharge(Explorer &ex, const std::vector<Obligation> &obs, const std::string &structural,
		      Result &res, z3::model &m, const char *lhs_name, const char *rhs_name) {
	z3::expr goal = sym_ctx().bool_val(true);
	for (const Obligation &o : obs)
		goal = goal && o.holds;
	Explorer::Proof p;
	if (!structural.empty()) {
		p = ex.feasible() ? Explorer::Proof::FAILED : Explorer::Proof::PROVED;
	} else {
		auto tp = std::chrono::steady_clock::now();
		p = ex.prove(SBool(goal), &m);
		res.prove_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - tp).count();
	}
	if (p == Explorer::Proof::PROVED) {
		if (structural.empty() && ex.feasible())
			res.proved++;
		else
			res.vacuous++;
		return true;
	}
	if (!structural.empty()) {
		m = ex.model();
		res.first_diff = structural;
		return false;
	}
	if (p == Explorer::Proof::UNKNOWN) {
		res.first_diff = "solver returned unknown (query budget " + std::to_string(ex.query_ms() / 1000.0).substr(0, 5) +
				 " s; VJIT_DUMP_SLOW=DIR saves the query)";
		return false;
	}
	for (const Obligation &o : obs) {
		if (m.eval(o.holds, true).is_true())
			continue;
		res.first_diff = o.name;
		if (o.has_values)
			res.first_diff += std::string(": ") + lhs_name + " " + hex(eval_u64(m, o.lhs)) + ", " +
					  rhs_name + " " + hex(eval_u64(m, o.rhs));
		break;
	}
	return false;
}

// Which register fields check_rule splits into one case per register, and
// whether its incremental solver bit-blasts (see the measurements there).
struct SplitPolicy {
	bool dst, src, bits;
};
inline SplitPolicy split_policy(uint8_t code, int32_t imm) {
	using namespace bpf;
	if (is_jmp(code))  // the SMT core relates two symbolic registers
		return {false, false, !uses_src_reg(code)};
	if (cls(code) == LDX)
		return {false, true, false};
	if (cls(code) == STX && mode(code) == ATOMIC &&
	    (imm == (AND | FETCH) || imm == (OR | FETCH) || imm == (XOR | FETCH)))
		return {true, true, true};  // a cmpxchg loop through rax
	if (cls(code) == ST || cls(code) == STX)
		return {true, false, false};
	return {true, uses_src_reg(code), true};  // ALU
}

// Proves one table entry. The rule's lowering runs with D = Symbolic.
template <typename T>
Result check_rule(const Rule<Symbolic> &rule, const Config &cfg) {
	using namespace bpf;
	Result res;
	res.arch = T::name;
	res.name = rule.name;
	res.cls = class_name(rule.code);
	auto t0 = std::chrono::steady_clock::now();
	const uint8_t code = rule.code;
	Explorer ex(split_policy(code, rule.imm).bits ? Explorer::Solver::BITS : Explorer::Solver::THEORIES);
	ex.set_limits(cfg.query_ms, cfg.entry_ms);
	const unsigned width = is_ld_imm64(code) ? 2 : 1;
	const bool is_call = code == (JMP | CALL);
	bool failed = false;
	int max_stack = 0;

	// Register choices. A register field is either split, one case per
	// value A1 allows, enumerated here rather than by the explorer (a
	// split the explorer makes costs solver calls), or kept symbolic, one
	// case for all its values; and the incremental solver either
	// bit-blasts or is the SMT core. Which is faster depends on the
	// instruction (split_policy; measured on this table, seconds per
	// entry on one core of this machine):
	//  - ALU instructions, and atomics that loop on cmpxchg through rax:
	//    every field split and bit-blasted (ALU64 LSH X 2.0 s, 6.7 s
	//    with src symbolic; STX ATOMIC DW AND FETCH 19 s, 33 s);
	//  - other memory instructions: the register the address is based on
	//    split (concrete, it keeps the memory terms small), the other one
	//    symbolic and related across the two sides by the SMT core
	//    (LDX MEM DW 1.6 s, 24 s split on dst instead; STX ATOMIC DW
	//    CMPXCHG 2.0 s, 25 s fully split);
	//  - jumps: both fields symbolic, as their cost is the target
	//    arithmetic, the same for every register pair (JMP JEQ X 1.2 s;
	//    190 s fully split); the SMT core when two registers are
	//    compared (JMP JEQ X 20 s bit-blasted).
	struct RegCase {
		int dst, src;  // -1: symbolic
	};
	// The fields, as the instruction model (core/isa.h) defines them for
	// this entry's key: reserved (ZERO) and selecting fields concrete,
	// operands quantified over.
	const Shape shape = insn_shape(code, 0, rule.off, rule.imm, Isa::V4);
	if (!shape.valid || (!off_selects(code) && rule.off != 0) || (!imm_selects(code) && rule.imm != 0)) {
		res.outcome = Outcome::FAILED;
		res.detail = "the entry's key is not an instruction of the model (core/isa.h)";
		return res;
	}
	SplitPolicy pol = split_policy(code, rule.imm);
	pol.dst = pol.dst && shape.dst != Role::ZERO;
	pol.src = pol.src && shape.src != Role::ZERO;
	std::vector<RegCase> cases;
	for (int d = pol.dst ? 0 : -1; d < (pol.dst ? NREGS : 0); d++) {
		if (d == R10 && writes_dst(code))
			continue;
		for (int s = pol.src ? 0 : -1; s < (pol.src ? NREGS : 0); s++)
			if (!(s == R10 && writes_src(code, rule.imm)))
				cases.push_back({d, s});
	}
	RegCase rc{};

	auto body = [&]() {
		InsnFields<Symbolic> in;
		in.code = code;
		auto reg_field = [](Role r, int split, const char *name) {
			return r == Role::ZERO ? u4(0) : split < 0 ? u4::var(name) : u4((uint64_t)split);
		};
		in.dst = reg_field(shape.dst, rc.dst, "dst");
		in.src = reg_field(shape.src, rc.src, "src");
		in.off = shape.off == Role::OPERAND ? u16::var("off") : u16((uint64_t)(uint16_t)rule.off);
		in.imm = shape.imm == Role::OPERAND ? u32::var("imm") : u32((uint64_t)(uint32_t)rule.imm);
		in.imm_hi = is_ld_imm64(code) ? u32::var("imm_hi") : u32(0);
		// A1: register fields, R10 read-only (already so in concrete
		// register cases).
		ex.assume(ule(in.dst, u4(AX)));
		ex.assume(ule(in.src, u4(AX)));
		if (writes_dst(code))
			ex.assume(in.dst != u4(R10));
		if (writes_src(code, rule.imm))
			ex.assume(in.src != u4(R10));

		JitCtx<Symbolic> ctx;
		ctx.opts = cfg.opts;
		rule.lower(ctx, in);
		if (ctx.error != LowerError::NONE) {
			res.rejected++;
			return;
		}
		const u32 len((uint64_t)ctx.bytes.size());
		// A1, A2: program shape and the offsets table.
		ex.assume(ule(ctx.n_insns, u32(MAX_INSNS)));
		ex.assume(ule(ctx.cur + u32(width), ctx.n_insns));
		ex.assume(ult(ctx.cur, ctx.n_insns));
		u32 succ = ctx.cur + u32(width);
		u32 target = ctx.cur + u32(1) + sext<32>(in.off);
		if (is_cond_jump(code))
			ex.assume(ult(target, ctx.n_insns));
		ex.assume(u32(ctx.addr_fn(ctx.cur.e)) == ctx.start);
		ex.assume(u32(ctx.addr_fn(succ.e)) == ctx.start + len);
		ex.assume(ule(ctx.start + len, u32(MAX_IMAGE)));
		ex.assume(ule(ctx.start, ctx.start + len));
		for (const u32 &q : ctx.addr_queries)
			ex.assume(ule(q, u32(MAX_IMAGE)));
		u32 epi(ctx.addr_fn(ctx.n_insns.e));
		ex.assume(ule(epi, u32(MAX_IMAGE)));
		ex.assume(ule(ctx.image_base, u64(~0ull - 2 * MAX_IMAGE)));

		// The BPF side.
		BpfRegs<Symbolic> regs;
		for (unsigned i = 0; i < NREGS; i++)
			regs.r[i] = u64::var("r" + std::to_string(i));
		const BpfRegs<Symbolic> regs0 = regs;
		z3::func_decl mem0 = fresh_memory("mem");
		BpfEnv benv(mem0, &ctx);
		benv.atomic = cls(code) == STX && mode(code) == ATOMIC;
		Step<Symbolic> st = step<Symbolic>(in, ctx.cur, regs, benv);
		if (st.flow != Flow::NEXT && st.flow != Flow::EXIT) {
			// The semantics says this is not a plain instruction here (a
			// bpf-to-bpf call, ...) but the lowering emitted code for it.
			if (ex.feasible()) {
				failed = true;
				res.detail = "the lowering accepts an instruction variant the proof does not model (bpf-to-bpf call?)";
				ex.stop();
			}
			return;
		}
		u32 next = st.flow == Flow::EXIT ? ctx.n_insns : st.next_pc;

		// The native side.
		u64 sp0 = u64::var("sp");
		ex.assume(uge(sp0, u64(MIN_SP)));
		ex.assume(ule(sp0, u64(~0ull - MIN_SP)));
		ex.assume((sp0 & u64(min_call_align<T>() - 1)) == u64(0));
		// A3
		for (const Access &a : benv.mem.log) {
			ex.assume(uge(a.addr, sp0));
			ex.assume(ule(a.addr, u64(~0ull - 8)));
		}
		typename T::State ns = T::initial(regs0, sp0, "n");
		NativeEnv nenv(mem0);
		u64 base = ctx.image_addr(ctx.start);
		RunOut out = T::run(ns, nenv, ctx.bytes, base);

		std::vector<Obligation> obs;
		auto ob = [&](const std::string &name, const u64 &native, const u64 &spec) {
			obs.push_back(Obligation{name, (native == spec).e, native.e, spec.e, true});
		};
		auto ob_b = [&](const std::string &name, const SBool &b) {
			obs.push_back(Obligation{name, b.e, b.e, b.e, false});
		};
		std::string structural;
		if (out.status != RunStatus::EXITED && out.status != RunStatus::CUT)
			structural = std::string("native code ") + run_status_name(out.status) + ": " + out.why;
		// A speculation barrier is all NOSPEC means: the native code must
		// run one (the target names it).
		if (structural.empty() && code == (ST | NOSPEC) && nenv.fences.empty())
			structural = "speculation barrier missing: NOSPEC lowered without a fence";
		std::vector<const Access *> bs_ld;
		for (const Access &a : benv.mem.log)
			if (!a.store)
				bs_ld.push_back(&a);
		auto ob_load = [&](const Access &n, const std::string &what) {
			z3::expr any = sym_ctx().bool_val(false);
			for (const Access *b : bs_ld)
				if (b->bytes == n.bytes)
					any = any || (n.addr == b->addr).e;
			obs.push_back(Obligation{what + " (" + std::to_string(n.bytes) + " bytes) at an address BPF loads from",
						 any, n.addr.e, n.addr.e, false});
		};
		if (out.status == RunStatus::CUT) {
			// Back at a loop head: only the invariant is claimed here.
			const std::vector<StatePart> parts = T::parts(ns);
			auto ob_e = [&](const std::string &n, const z3::expr &a, const z3::expr &b) {
				obs.push_back(Obligation{n, a == b, a, b, a.is_bv()});
			};
			const std::string where = "load inside the loop at native offset " +
						  std::to_string(nenv.heads[nenv.closed].off);
			for (const Access &a : loop_obligations(nenv, parts, ob_e, ob_b, structural))
				if (!a.store && !a.stack)
					ob_load(a, where);
		} else {
			// Stores: same order, address, size, value, atomicity.
			std::vector<const Access *> ns_st, bs_st, ns_ld;
			for (const Access &a : nenv.mem.log)
				if (!a.stack)
					(a.store ? ns_st : ns_ld).push_back(&a);
			for (const Access &a : benv.mem.log)
				if (a.store)
					bs_st.push_back(&a);
			if (structural.empty() && ns_st.size() != bs_st.size())
				structural = "native code makes " + std::to_string(ns_st.size()) + " stores, BPF " +
					     std::to_string(bs_st.size());
			for (size_t i = 0; structural.empty() && i < ns_st.size(); i++) {
				const Access &n = *ns_st[i], &b = *bs_st[i];
				std::string k = "store #" + std::to_string(i + 1);
				if (n.bytes != b.bytes)
					structural = k + ": native stores " + std::to_string(n.bytes) + " bytes, BPF " +
						     std::to_string(b.bytes);
				else if (b.atomic && !n.atomic)
					structural = k + ": the native store is not atomic (no LOCK)";
				ob(k + " address", n.addr, b.addr);
				ob(k + " value", n.value, b.value);
			}
			// Loads: only where (and with the size) the BPF instruction loads.
			for (size_t i = 0; structural.empty() && i < ns_ld.size(); i++)
				ob_load(*ns_ld[i], "load #" + std::to_string(i + 1));
			// Helpers entered with the stack aligned as each ABI requires.
			for (const CallSite &c : nenv.calls)
				for (const CallAbi &abi : T::call_abis()) {
					const u64 mask(abi.align - 1);
					ob_b("helper called with sp aligned to " + std::to_string(abi.align) + " (" + abi.name +
						     " ABI)",
					     implies((sp0 & mask) == u64(0),
						     ((c.entry_sp + u64(T::return_address_bytes)) & mask) == u64(0)));
				}
			// Native stack use below sp.
			for (const Access &a : nenv.mem.log) {
				if (!a.stack)
					continue;
				ob_b("stack access within " + std::to_string(T::insn_stack_slack) + " bytes below sp",
				     uge(a.addr, sp0 - u64(T::insn_stack_slack)) && ule(a.addr + u64(8), sp0));
				uint64_t d;
				if ((sp0 - a.addr).is_const(&d) && (int)d > max_stack)
					max_stack = (int)d;
			}
			if (structural.empty()) {
				// Relative to the image base (x + b = y + b iff x = y modulo
				// 2^64): the same statement, with the base cancelled.
				ob("pc", out.pc - ctx.image_base, zext<64>(u32(ctx.addr_fn(next.e))));
				for (unsigned r = 0; r < NREGS; r++) {
					if (is_call && ((r >= R1 && r <= R5) || r == AX))
						continue;  // A4: dead after a call
					std::string nm = r == AX ? "AX" : "R" + std::to_string(r);
					ob(nm, T::reg(ns, r), regs.r[r]);
				}
				ob("sp", T::sp(ns), sp0);
			}
		}
		z3::model m(sym_ctx());
		if (discharge(ex, obs, structural, res, m, "native", "BPF"))
			return;
		failed = true;
		// The counterexample.
		std::ostringstream os;
		os << "  instruction: " << rule.name << " (code " << hex(code) << ") dst=R"
		   << eval_u64(m, in.dst.e) << " src=R" << eval_u64(m, in.src.e)
		   << " off=" << (int16_t)eval_u64(m, in.off.e) << " imm=" << (int32_t)eval_u64(m, in.imm.e);
		if (width == 2)
			os << " imm_hi=" << hex(eval_u64(m, in.imm_hi.e));
		os << " at index " << eval_u64(m, ctx.cur.e) << " of " << eval_u64(m, ctx.n_insns.e) << "\n";
		os << "  registers:";
		for (unsigned r = 0; r < NREGS; r++)
			os << (r % 4 == 0 ? "\n    " : "  ") << (r == AX ? std::string("AX") : "R" + std::to_string(r))
			   << "=" << hex(eval_u64(m, regs0.r[r].e));
		os << "\n    native sp=" << hex(eval_u64(m, sp0.e)) << "\n";
		for (const Access &a : benv.mem.log)
			os << "  BPF " << (a.store ? "store " : "load ") << a.bytes << " bytes at "
			   << hex(eval_u64(m, a.addr.e)) << " value " << hex(eval_u64(m, a.value.e)) << "\n";
		uint64_t at = eval_u64(m, base.e);
		os << "  emitted code (" << ctx.bytes.size() << " bytes at " << hex(at) << "), path:";
		for (const Decision &d : ex.decisions())
			if (d.why)
				os << " " << (d.taken ? "" : "!") << d.why;
		os << "\n" << render_bytes<T>(m, ctx.bytes, at);
		if (out.status == RunStatus::CUT)
			os << "  one iteration from the invariant of the loop at native offset "
			   << nenv.heads[nenv.closed].off << ", back at its head\n";
		if (out.status == RunStatus::EXITED)
			os << "  native code left at " << hex(eval_u64(m, out.pc.e)) << "; BPF next: index "
			   << eval_u64(m, next.e) << " at native "
			   << hex(eval_u64(m, ctx.image_addr(u32(ctx.addr_fn(next.e))).e)) << "\n";
		os << "  first difference: " << res.first_diff << "\n";
		res.detail = os.str();
		if (cfg.stop_at_first_failure)
			ex.stop();
	};
	bool complete = true;
	for (const RegCase &c : cases) {
		rc = c;
		complete = ex.explore(body, cfg.max_paths) && complete;
		if (!complete || (failed && cfg.stop_at_first_failure))
			break;
	}
	res.paths = ex.paths();
	res.checks = ex.checks();
	res.stack_below_sp = max_stack;
	if (failed)
		res.outcome = Outcome::FAILED;
	else if (!complete) {
		res.outcome = Outcome::FAILED;
		res.first_diff = ex.timed_out() ? time_limit_text(cfg) : "path limit reached";
		res.detail = "  " + res.first_diff + " after " + std::to_string(ex.paths()) + " paths\n";
	} else if (res.proved == 0 && res.rejected > 0 && res.vacuous == 0) {
		res.outcome = Outcome::UNSUPPORTED;
		res.detail = "the lowering rejects every instance";
	} else if (res.proved == 0) {
		res.outcome = Outcome::FAILED;
		res.detail = "vacuous: no feasible path reached the theorem";
	} else {
		res.outcome = Outcome::PROVED;
	}
	res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	return res;
}

using FrameFn = void (*)(JitCtx<Symbolic> &);

// Prologue and epilogue, with the body between them abstracted by what the
// per-instruction theorems guarantee: BPF registers other than R10 take any
// values, the stack pointer is back where the prologue left it, memory
// outside the frame's saved slots takes any values. Proved: the prologue
// passes R1 = the context argument, sets R10 so that the BPF stack
// [R10 - stack_depth, R10) lies above the stack pointer and clear of every
// slot the prologue saved; the epilogue returns R0 in the ABI return
// register to the caller's return address with every callee-saved register
// restored and the stack balanced. And the stack bound: native stack use
// (return address included, plus instructions' own use below sp) is at
// most stack_depth + T::stack_fixed bytes.
//
// A stack-bound group (verifier/arches.cc): depths whose prologues emit the
// same bytes run the same native code, so one run covers them all. Then
// layout_depth (the group's largest depth) is used for the layout
// obligations (BPF stack above sp, saved slots clear of it: both only get
// weaker for smaller depths) and bound_depth (its smallest) for the stack
// bound (use <= bound_depth + fixed <= depth + fixed for every depth in the
// group), and expect (the bytes the group shares, from the concrete
// lowering) must be exactly the bytes the symbolic run emitted.
struct FrameGroup {
	uint32_t layout_depth, bound_depth;
	const std::vector<uint8_t> *expect;
};

// The mitigations the options ask of an epilogue, against what its run
// did: exactly one call, to the BHB-clearing routine, when bhb_loop (and no
// call otherwise); an IBHF fence exactly when bhb_ibhf. "" when they agree.
inline std::string barrier_mismatch(const JitOptions &o, const NativeEnv &e) {
	size_t ibhf = 0;
	for (const std::string &f : e.fences)
		ibhf += f == "ibhf";
	if (o.bhb_loop && e.calls.empty())
		return "BHI barrier missing: the epilogue does not call clear_bhb_loop";
	if (e.calls.size() > (o.bhb_loop ? 1u : 0u))
		return "the epilogue makes a call the options do not ask for";
	if (o.bhb_ibhf && ibhf == 0)
		return "BHI barrier missing: the epilogue has no ibhf";
	if (!o.bhb_ibhf && ibhf != 0)
		return "the epilogue has an ibhf the options do not ask for";
	return "";
}

// Landing pads against the options: under IBT the instruction the image is
// entered at (offset `entry`: 0, or the tail-call entry) must be one; with
// IBT off the prologue has none. "" when they agree.
inline std::string landing_mismatch(const JitOptions &o, const NativeEnv &e, uint32_t entry) {
	bool at_entry = false;
	for (uint32_t off : e.landings)
		at_entry |= off == entry;
	if (o.ibt && !at_entry)
		return entry ? "IBT: the tail-call entry is not an indirect-branch landing pad (endbr64)"
			     : "IBT: the image entry is not an indirect-branch landing pad (endbr64)";
	if (!o.ibt && !e.landings.empty())
		return "the prologue has a landing pad the options do not ask for";
	return "";
}

// tail_call: enter the prologue at opts.tail_call_entry, in the state the
// kernel's tail calls leave (T::tail_call_state), instead of at 0 by a call.
template <typename T>
Result check_frame(FrameFn prologue, FrameFn epilogue, const Config &cfg, const char *name,
		   bool with_epilogue = true, const FrameGroup *group = nullptr, bool tail_call = false) {
	Result res;
	res.arch = T::name;
	res.name = name;
	res.cls = "FRAME";
	auto t0 = std::chrono::steady_clock::now();
	Explorer ex;
	ex.set_limits(cfg.query_ms, cfg.entry_ms);
	bool failed = false;
	const uint32_t depth = group ? group->layout_depth : cfg.opts.stack_depth;
	const uint32_t bound_depth = group ? group->bound_depth : cfg.opts.stack_depth;
	auto body = [&]() {
		JitCtx<Symbolic> pro;
		pro.opts = cfg.opts;
		pro.start = u32(0);
		prologue(pro);
		JitCtx<Symbolic> epi;
		epi.opts = cfg.opts;
		epilogue(epi);
		if (pro.error != LowerError::NONE || epi.error != LowerError::NONE) {
			res.rejected++;
			return;
		}
		ex.assume(ule(pro.image_base, u64(~0ull - 2 * MAX_IMAGE)));
		ex.assume(ule(epi.start, u32(MAX_IMAGE)));
		ex.assume(epi.image_base == pro.image_base);
		u64 S = u64::var("entry_sp");
		ex.assume(uge(S, u64(MIN_SP)));
		ex.assume(ule(S, u64(~0ull - MIN_SP)));
		// Entered by a call under the ABI with the weakest alignment; each
		// ABI's own entry alignment is a premise of its obligation below.
		const u64 S_call = S + u64(T::return_address_bytes);
		ex.assume((S_call & u64(min_call_align<T>() - 1)) == u64(0));
		z3::func_decl mem0 = fresh_memory("mem");
		typename T::State entry = T::fresh("entry");
		T::set_sp(entry, S);
		typename T::State ns = entry;
		NativeEnv nenv(mem0);
		const uint32_t start = tail_call ? cfg.opts.tail_call_entry : 0;
		if (tail_call)
			T::tail_call_state(ns, nenv);
		RunOut out = T::run(ns, nenv, pro.bytes, pro.image_addr(u32(0)), start);
		std::vector<Obligation> obs;
		auto ob = [&](const std::string &n, const u64 &a, const u64 &b) {
			obs.push_back(Obligation{n, (a == b).e, a.e, b.e, true});
		};
		auto ob_b = [&](const std::string &n, const SBool &b) {
			obs.push_back(Obligation{n, b.e, b.e, b.e, false});
		};
		std::string structural;
		if (out.status != RunStatus::EXITED)
			structural = std::string("prologue ") + run_status_name(out.status) + ": " + out.why;
		if (structural.empty())
			structural = landing_mismatch(cfg.opts, nenv, start);
		if (group && structural.empty()) {
			bool same = group->expect->size() == pro.bytes.size();
			for (size_t i = 0; same && i < pro.bytes.size(); i++) {
				uint64_t b;
				same = pro.bytes[i].e.simplify().is_numeral_u64(b) && b == (*group->expect)[i];
			}
			if (!same)
				structural = "prologue bytes differ from the group's (concrete lowering)";
		}
		const u32 plen((uint64_t)pro.bytes.size());
		ob("prologue ends at instruction 0", out.pc, pro.image_addr(plen));
		ob("R1 = context argument", T::reg(ns, bpf::R1), T::abi_arg0(entry));
		u64 r10 = T::reg(ns, bpf::R10), sp_body = T::sp(ns);
		ob_b("BPF stack above sp", ule(sp_body, r10 - u64(depth)) && ule(r10, S));
		for (const CallAbi &abi : T::call_abis()) {
			const u64 mask(abi.align - 1);
			ob_b("body sp aligned to " + std::to_string(abi.align) + " for calls (" + abi.name + " ABI)",
			     implies((S_call & mask) == u64(0), (sp_body & mask) == u64(0)));
		}
		std::vector<Access> saved;
		for (const Access &a : nenv.mem.log) {
			if (!a.store)
				continue;
			saved.push_back(a);
			ob_b("saved slot clear of the BPF stack",
			     ule(a.addr + u64(a.bytes), r10 - u64(depth)) || uge(a.addr, r10));
			ob_b("saved slot below the entry sp", ule(a.addr + u64(a.bytes), S));
		}
		// Stack bound: entry return address + frame + instructions' slack.
		u64 use = (S + u64(8)) - (sp_body - u64(T::insn_stack_slack));
		ob_b("native stack use <= stack_depth + " + std::to_string(T::stack_fixed),
		     ule(use, u64(bound_depth + T::stack_fixed)));
		uint64_t used = 0;
		if (use.is_const(&used))
			res.stack_below_sp = (int)used;

		// The epilogue, after the body (skipped when only the stack bound
		// is asked for: it is all in the prologue).
		if (with_epilogue) {
			// The body, abstracted.
			typename T::State nb = ns;
			for (unsigned r = 0; r < bpf::NREGS; r++)
				if (r != bpf::R10)
					T::set_reg(nb, r, u64::var("body_r" + std::to_string(r)));
			T::havoc_scratch(nb, "body");
			// Memory after the body: the prologue's where it saved something
			// (and the return address), anything elsewhere.
			NativeEnv eenv(mem0);
			eenv.bhb_loop = cfg.opts.bhb_loop;
			eenv.bhb_loop_addr = cfg.opts.bhb_loop_addr;
			const z3::func_decl body_mem = fresh_memory("body_mem");
			const SymMem after_prologue = nenv.mem;
			const std::vector<Access> keep = saved;
			const u64 Scopy = S;
			eenv.mem.under = [after_prologue, keep, Scopy, body_mem](const u64 &a) {
				// a in [lo, lo + n). Frame addresses are the entry sp plus
				// small constants, and the entry sp is 2^16 away from either
				// end of the address space: a constant difference below 2^15
				// cannot wrap, so it settles the range without the solver.
				auto in = [&a](const u64 &lo, unsigned n) {
					uint64_t d;
					if ((a - lo).is_const(&d) && (d + (1u << 15)) < (1u << 16))
						return SBool((int64_t)d >= 0 && d < n);
					return uge(a, lo) && ult(a, lo + u64(n));
				};
				SBool k = in(Scopy, 8);  // the return address
				for (const Access &s : keep)
					k = k || in(s.addr, s.bytes);
				z3::expr ks = k.e.simplify();
				if (ks.is_true())
					return after_prologue.byte(a);
				if (ks.is_false())
					return u8(body_mem(a.e));
				return u8(z3::ite(ks, after_prologue.byte(a).e, body_mem(a.e)));
			};
			const u64 body_r0 = T::reg(nb, bpf::R0);
			RunOut eo = T::run(nb, eenv, epi.bytes, epi.image_addr(epi.start));
			if (structural.empty() && !cfg.opts.rethunk && eo.status != RunStatus::RETURNED)
				structural = std::string("epilogue ") + run_status_name(eo.status) + ": " + eo.why;
			if (structural.empty() && cfg.opts.rethunk && eo.status != RunStatus::EXITED)
				structural = std::string("epilogue ") + run_status_name(eo.status) + ": " + eo.why;
			u64 ret_addr = nenv.mem.read(8, S);  // as it was on entry
			if (!cfg.opts.rethunk) {
				ob("epilogue returns to the caller", eo.pc, ret_addr);
				ob("stack balanced (sp = entry sp + 8)", T::sp(nb), S + u64(8));
			} else {
				ob("epilogue jumps to the return thunk", eo.pc, u64(cfg.opts.return_thunk));
				ob("stack balanced (sp = entry sp)", T::sp(nb), S);
				ob("return address in place", eenv.mem.read(8, S), ret_addr);
			}
			ob("return value = R0", T::abi_ret(nb), body_r0);
			for (unsigned n : T::abi_callee_saved())
				ob("callee-saved " + T::native_name(n) + " restored", T::native(nb, n), T::native(entry, n));
			for (const Access &a : eenv.mem.log)
				if (a.store)
					ob_b("epilogue writes only below the entry sp", ule(a.addr + u64(a.bytes), S));
			if (structural.empty())
				structural = barrier_mismatch(cfg.opts, eenv);
			if (cfg.opts.bhb_loop && !eenv.calls.empty())
				ob("BHI barrier: the call is to clear_bhb_loop", eenv.calls[0].target, u64(cfg.opts.bhb_loop_addr));

		}
		z3::model m(sym_ctx());
		if (discharge(ex, obs, structural, res, m, "native", "expected"))
			return;
		failed = true;
		std::ostringstream os;
		os << "  stack_depth " << depth << ", entry sp " << hex(eval_u64(m, S.e)) << "\n";
		os << "  prologue:\n" << render_bytes<T>(m, pro.bytes, eval_u64(m, pro.image_addr(u32(0)).e));
		os << "  epilogue:\n" << render_bytes<T>(m, epi.bytes, eval_u64(m, epi.image_addr(epi.start).e));
		os << "  first difference: " << res.first_diff << "\n";
		res.detail = os.str();
		ex.stop();
	};
	bool complete = ex.explore(body, cfg.max_paths);
	res.paths = ex.paths();
	res.checks = ex.checks();
	if (!failed && ex.timed_out()) {
		res.first_diff = time_limit_text(cfg);
		res.detail = "  " + res.first_diff + "\n";
	}
	if (failed || !complete)
		res.outcome = Outcome::FAILED;
	else if (res.proved == 0)
		res.outcome = res.rejected ? Outcome::UNSUPPORTED : Outcome::FAILED;
	else
		res.outcome = Outcome::PROVED;
	res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	return res;
}

using PadFn = void (*)(JitCtx<Symbolic> &, uint32_t);

// The driver's padding (assumption A2): for every n in 0..max_n, the n bytes
// pad(ctx, n) emits, run from their start, leave at start + n with every
// register, flag and the stack pointer unchanged and no memory access.
template <typename T>
Result check_pad(PadFn pad, uint32_t max_n, const char *name, const Config &cfg = Config{}) {
	Result res;
	res.arch = T::name;
	res.name = name;
	res.cls = "FRAME";
	auto t0 = std::chrono::steady_clock::now();
	bool failed = false;
	for (uint32_t n = 0; n <= max_n && !failed; n++) {
		Explorer ex;
		ex.set_limits(cfg.query_ms, cfg.entry_ms);
		auto body = [&]() {
			JitCtx<Symbolic> c;
			pad(c, n);
			ex.assume(ule(c.start, u32(MAX_IMAGE)));
			ex.assume(ule(c.image_base, u64(~0ull - 2 * MAX_IMAGE)));
			z3::func_decl mem0 = fresh_memory("mem");
			const typename T::State s0 = T::fresh("pad");
			typename T::State s = s0;
			NativeEnv env(mem0);
			const u64 base = c.image_addr(c.start);
			RunOut out = T::run(s, env, c.bytes, base);
			std::string structural;
			if (c.error != LowerError::NONE)
				structural = "pad failed";
			else if (c.bytes.size() != n)
				structural = "pad emitted " + std::to_string(c.bytes.size()) + " bytes";
			else if (out.status != RunStatus::EXITED)
				structural = std::string("padding ") + run_status_name(out.status) + ": " + out.why;
			else if (!env.mem.log.empty())
				structural = "padding accesses memory";
			std::vector<Obligation> obs;
			auto ob = [&](const std::string &nm, const z3::expr &a, const z3::expr &b) {
				obs.push_back(Obligation{nm, a == b, a, b, a.is_bv()});
			};
			ob("pc", out.pc.e, (base + u64(n)).e);
			T::same_state(s, s0, ob);
			z3::model m(sym_ctx());
			if (discharge(ex, obs, structural, res, m, "after", "before"))
				return;
			failed = true;
			std::ostringstream os;
			os << "  padding of " << n << " bytes:\n"
			   << render_bytes<T>(m, c.bytes, eval_u64(m, base.e));
			os << "  first difference: " << res.first_diff << "\n";
			res.detail = os.str();
			ex.stop();
		};
		bool complete = ex.explore(body, 1000);
		res.paths += ex.paths();
		res.checks += ex.checks();
		if (!complete && !failed) {
			res.first_diff = ex.timed_out() ? time_limit_text(cfg) : "path limit reached";
			res.detail = "  " + res.first_diff + "\n";
		}
		if (!complete)
			failed = true;
	}
	res.outcome = failed ? Outcome::FAILED : Outcome::PROVED;
	res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	return res;
}

} // namespace verify
} // namespace vjit

#endif
