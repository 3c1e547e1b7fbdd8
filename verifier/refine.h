// SPDX-License-Identifier: GPL-2.0
// The refinement checker: one theorem per codegen table entry, for every
// arch, parameterised by an arch target T (verifier/target_<arch>.h). It
// never names an ISA; everything it needs from one comes from T:
//
//   T::name                         arch name (as the Makefile's ARCHES says it)
//   T::Arch                         the backend (table, prologue, epilogue, pad)
//   T::State                        native machine state (symbolic)
//   T::initial(bpf, sp, tag)        native state related to BPF registers
//   T::fresh(tag)                   unrelated native state
//   T::reg(st, r)                   native home of BPF register r
//   T::set_reg(st, r, v)
//   T::sp(st)  T::set_sp(st, v)     native stack pointer
//   T::native(st, n)  T::native_name(n)   native register n
//   T::havoc_scratch(st, tag)       scratch registers take any values
//   T::run(st, env, bytes, base, start)   run the model on the emitted bytes
//   T::abi_arg0 / abi_ret / abi_callee_saved   the call ABI
//   T::insn_stack_slack             bytes an instruction may use below sp
//   T::call_abis()                  the stack alignment each ABI requires at a call
//   T::return_address_bytes         what a call pushes (0 with a link register)
//   T::return_address(st, mem, sp)  where a caller's return address is, on entry
//   T::tail_call_state(st, env)     the state the kernel's tail calls enter in
//   T::parts(st)  T::same_state     every part of the state, named
//   T::stack_fixed                  the stated fixed part of the stack bound
//   T::pad_granule                  padding comes in multiples of it (bytes)
//   T::split_policy(code, imm)      which register fields to split into cases
//   T::frame_variants()             the option values the frame is proved under
// target_contract<T>() checks it at compile time (make_arch calls it).
//
// The theorem for an entry (printed by `vjit-verify --assumptions` with the
// assumptions it rests on, see assumptions_text()):
//   for all register choices, offsets, immediates, initial register and
//   memory values, and every consistent offsets table, the native code
//   emitted for the instruction, started at the instruction's address, ends
//   at the native address of the BPF successor (or jump target, or the
//   epilogue for EXIT, or for EXIT is a copy of the epilogue, proved by the
//   frame proof at every address) with the native homes of the live BPF registers
//   equal to the BPF state after the instruction, the stack pointer
//   unchanged, the same stores (address, size, value, atomicity) in the
//   same order, loads only where the BPF instruction loads, native stack
//   use within insn_stack_slack, helpers called with the stack aligned as
//   every call ABI of the target requires, and no trap. A native loop is
//   proved with an invariant (LoopHead), never unrolled; every solver query
//   and every entry has a time budget (Config), past which the entry fails.
#ifndef VJIT_VERIFIER_REFINE_H
#define VJIT_VERIFIER_REFINE_H

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
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
		"     is below 2^30 and the image does not wrap around the address space;\n"
		"     where a target's instructions are aligned, the image and every offset\n"
		"     are multiples of its instruction alignment and function addresses\n"
		"     (helpers, return addresses) of its function alignment\n"
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
		"  A6 other CPUs change memory only at the location an atomic instruction\n"
		"     accesses, between native instructions (an atomic native instruction\n"
		"     is one step); the BPF stack and other memory an instruction touches are its\n"
		"     own while it runs\n"
		"  A7 the kernel's BHB-clearing routine (clear_bhb_loop, called when the\n"
		"     options ask for the Spectre-BHI barrier) changes only the registers\n"
		"     the target's call model lists and returns with the stack balanced;\n"
		"     speculation barriers have no architectural effect\n"
		"Not assumed: division/modulo by zero, shift amounts, ALU32 zero extension,\n"
		"immediate sizes, instruction encodings, jump displacement sizes, and that\n"
		"atomics run alone: all proved. An atomic is proved while other CPUs write\n"
		"its location: the BPF result is the operation on the value the one\n"
		"successful native attempt read, memory ends with what it wrote, and every\n"
		"other native store there writes back what it read (no update is lost);\n"
		"retry loops are proved with an invariant for every number of retries.\n";
}

// Instruction alignment (A2): T::code_align, the alignment of the image
// and of every native offset, and T::function_align, of every function
// address (helpers, return addresses); 1 when the target does not say
// (x86-64: any byte).
template <typename T, typename = void>
struct code_align_of {
	static constexpr unsigned code = 1, function = 1;
};
template <typename T>
struct code_align_of<T, decltype((void)T::code_align, (void)T::function_align)> {
	static constexpr unsigned code = T::code_align, function = T::function_align;
};

// v is a multiple of a (a power of two).
template <unsigned W>
SBool aligned_to(const SBV<W> &v, unsigned a) {
	return (v & SBV<W>((uint64_t)(a - 1))) == SBV<W>(0);
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

inline z3::func_decl fresh_memory(const char *name) {
	z3::context &c = sym_ctx();
	return z3::function(name, c.bv_sort(64), c.bv_sort(8));
}

// One memory access as a side saw it.
struct Access {
	bool store;
	bool atomic;
	bool stack;  // native push/pop/call/ret
	unsigned bytes;
	u64 addr;
	u64 value;
	unsigned step;  // the native instruction (counted from 1) that made it; 0 on the BPF side
	// An atomic access without a full barrier (a weakly ordered ISA's
	// relaxed form); false: fully ordered, as x86's locked instructions.
	bool relaxed = false;
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
	// Another CPU's step: the bytes [lo, lo + n) take new values (fresh,
	// named by tag); every other byte keeps its content.
	void havoc(const u64 &lo, unsigned n, const std::string &tag) {
		SymMem prev = *this;
		prev.log.clear();
		auto before = std::make_shared<const SymMem>(std::move(prev));
		const z3::func_decl other = fresh_memory(tag.c_str());
		under = [before, other, lo, n](const u64 &a) {
			const z3::expr inside = ult(a - lo, u64(n)).e.simplify();
			if (inside.is_true())
				return u8(other(a.e));
			if (inside.is_false())
				return before->byte(a);
			return u8(z3::ite(inside, other(a.e), before->byte(a).e));
		};
		writes.clear();
	}
	u64 load(unsigned n, const u64 &a, bool atomic, bool stack, bool relaxed = false) {
		u64 v = read(n, a);
		log.push_back(Access{false, atomic, stack, n, a, v, step, relaxed});
		return v;
	}
	void store(unsigned n, const u64 &a, const u64 &v, bool atomic, bool stack, bool relaxed = false) {
		u64 m = n == 8 ? v : v & u64((1ull << (8 * n)) - 1);
		write(n, a, m);
		log.push_back(Access{true, atomic, stack, n, a, m, step, relaxed});
	}
};

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
	// The location an atomic instruction accesses, which other CPUs may
	// change between any two native instructions (a locked instruction is
	// one step); bytes 0: none.
	u64 shared_addr{0};
	unsigned shared_bytes = 0;
	// Offsets of the indirect-branch landing pads that ran (as the model reports them).
	std::vector<uint32_t> landings;
	explicit NativeEnv(z3::func_decl m) : mem(m) {}

	// Before the instruction at off (T::run calls it): counts steps, and
	// finds and abstracts loops (LoopHead). False: cut the run here.
	// Other CPUs' writes to the shared location happen here, before the
	// instruction, after the loop head has taken its snapshot.
	bool at(uint32_t off, const std::vector<StatePart> &parts) {
		mem.step = ++steps;
		if (!find_loop(off, parts))
			return false;
		if (shared_bytes)
			mem.havoc(shared_addr, shared_bytes, "other_cpu_" + std::to_string(fresh++));
		return true;
	}
	bool find_loop(uint32_t off, const std::vector<StatePart> &parts) {
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
	uint32_t at = 0;  // offset of the instruction it stopped at
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
inline bool is_atomic(uint8_t code) { return bpf::cls(code) == bpf::STX && bpf::mode(code) == bpf::ATOMIC; }
inline bool writes_src(uint8_t code, int32_t imm) {
	using namespace bpf;
	return is_atomic(code) && (imm & FETCH) && imm != CMPXCHG;
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

// The bytes of the instruction at off (at most 15), as the model has them.
inline std::string bytes_at(const z3::model &m, const std::vector<u8> &bytes, uint32_t off) {
	std::string out;
	for (uint32_t i = off; i < bytes.size() && i < off + 15; i++) {
		char t[4];
		snprintf(t, sizeof t, " %02x", (unsigned)eval_u64(m, bytes[i].e));
		out += t;
	}
	return out;
}

// The emitted bytes under a counterexample, disassembled independently of
// the model (user/arches.h).
std::string disasm_listing(const char *arch, const std::vector<uint8_t> &b, uint64_t addr);

template <typename T>
std::string render_bytes(const z3::model &m, const std::vector<u8> &bytes, uint64_t addr) {
	std::vector<uint8_t> b;
	for (const u8 &x : bytes)
		b.push_back((uint8_t)eval_u64(m, x.e));
	return disasm_listing(T::name, b, addr);
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

// Which register fields check_rule splits into one case per register
// (enumerated here: a split the explorer makes costs solver calls), or
// keeps symbolic (one case for all values), and whether its incremental
// solver bit-blasts or is the SMT core. Each target chooses
// (T::split_policy), starting from this default, which is the faster one
// per class on the first arch's table (`vjit-verify --json` records each
// entry's time):
//  - ALU: every field split, bit-blasted;
//  - memory instructions: the register the address is based on split (the
//    memory terms stay small), the other symbolic, related across the two
//    sides by the SMT core;
//  - jumps: both symbolic (their cost is the target arithmetic, the same
//    for every register pair); the SMT core when two registers are compared.
struct SplitPolicy {
	bool dst, src, bits;
};
inline SplitPolicy default_split_policy(uint8_t code) {
	using namespace bpf;
	if (is_jmp(code))  // the SMT core relates two symbolic registers
		return {false, false, !uses_src_reg(code)};
	if (cls(code) == LDX)
		return {false, true, false};
	if (cls(code) == ST || cls(code) == STX)
		return {true, false, false};
	return {true, uses_src_reg(code), true};  // ALU
}

// The obligations of one path, and the structural failure (a wrong size, a
// fault, ...) that decides it before any solver call.
struct PathGoal {
	std::vector<Obligation> obs;
	std::string structural;
	void eq(const std::string &name, const u64 &native, const u64 &spec) {
		obs.push_back(Obligation{name, (native == spec).e, native.e, spec.e, true});
	}
	void holds(const std::string &name, const SBool &b) { obs.push_back(Obligation{name, b.e, b.e, b.e, false}); }
	void fail(const std::string &why) {
		if (structural.empty())
			structural = why;
	}
};

// A register field of an entry: one case per register (split) or symbolic
// (-1), as split_policy chooses.
struct RegCase {
	int dst, src;
};

// The fields of an entry's instruction, as the instruction model
// (core/isa.h) defines them for its key: reserved (ZERO) and selecting
// fields concrete, operands quantified over.
inline InsnFields<Symbolic> entry_fields(const Rule<Symbolic> &rule, const Shape &shape, const RegCase &rc) {
	InsnFields<Symbolic> in;
	in.code = rule.code;
	auto reg_field = [](Role r, int split, const char *name) {
		return r == Role::ZERO ? u4(0) : split < 0 ? u4::var(name) : u4((uint64_t)split);
	};
	in.dst = reg_field(shape.dst, rc.dst, "dst");
	in.src = reg_field(shape.src, rc.src, "src");
	in.off = shape.off == Role::OPERAND ? u16::var("off") : u16((uint64_t)(uint16_t)rule.off);
	in.imm = shape.imm == Role::OPERAND ? u32::var("imm") : u32((uint64_t)(uint32_t)rule.imm);
	in.imm_hi = bpf::is_ld_imm64(rule.code) ? u32::var("imm_hi") : u32(0);
	return in;
}

// The register cases of an entry (A1: R10 is never written).
template <typename T>
std::vector<RegCase> register_cases(const Rule<Symbolic> &rule, const Shape &shape) {
	using namespace bpf;
	SplitPolicy pol = T::split_policy(rule.code, rule.imm);
	pol.dst = pol.dst && shape.dst != Role::ZERO;
	pol.src = pol.src && shape.src != Role::ZERO;
	std::vector<RegCase> cases;
	for (int d = pol.dst ? 0 : -1; d < (pol.dst ? NREGS : 0); d++) {
		if (d == R10 && writes_dst(rule.code))
			continue;
		for (int s = pol.src ? 0 : -1; s < (pol.src ? NREGS : 0); s++)
			if (!(s == R10 && writes_src(rule.code, rule.imm)))
				cases.push_back({d, s});
	}
	return cases;
}

// A1: register fields name R0-R10 or AX; R10 is read-only.
inline void assume_register_fields(Explorer &ex, const InsnFields<Symbolic> &in, int32_t imm) {
	using namespace bpf;
	ex.assume(ule(in.dst, u4(AX)));
	ex.assume(ule(in.src, u4(AX)));
	if (writes_dst(in.code))
		ex.assume(in.dst != u4(R10));
	if (writes_src(in.code, imm))
		ex.assume(in.src != u4(R10));
}

// A1, A2: the program's shape and the offsets table, for the instruction
// the lowering just emitted (width: its BPF slots).
inline void assume_program_shape(Explorer &ex, JitCtx<Symbolic> &ctx, const InsnFields<Symbolic> &in,
				 unsigned width) {
	const u32 len((uint64_t)ctx.bytes.size());
	ex.assume(ule(ctx.n_insns, u32(MAX_INSNS)));
	ex.assume(ule(ctx.cur + u32(width), ctx.n_insns));
	ex.assume(ult(ctx.cur, ctx.n_insns));
	const u32 succ = ctx.cur + u32(width);
	const u32 target = ctx.cur + u32(1) + sext<32>(in.off);
	if (is_cond_jump(in.code))
		ex.assume(ult(target, ctx.n_insns));
	ex.assume(u32(ctx.addr_fn(ctx.cur.e)) == ctx.start);
	ex.assume(u32(ctx.addr_fn(succ.e)) == ctx.start + len);
	ex.assume(ule(ctx.start + len, u32(MAX_IMAGE)));
	ex.assume(ule(ctx.start, ctx.start + len));
	for (const u32 &q : ctx.addr_queries)
		ex.assume(ule(q, u32(MAX_IMAGE)));
	const u32 epi(ctx.addr_fn(ctx.n_insns.e));
	ex.assume(ule(epi, u32(MAX_IMAGE)));
	ex.assume(ule(ctx.image_base, u64(~0ull - 2 * MAX_IMAGE)));
}

// A2 for a target with aligned instructions: the image base and every
// native offset the instruction's code was given are multiples of
// T::code_align; a helper's address is a function address.
template <typename T>
void assume_code_alignment(Explorer &ex, JitCtx<Symbolic> &ctx, const InsnFields<Symbolic> &in) {
	const unsigned ca = code_align_of<T>::code, fa = code_align_of<T>::function;
	if (ca > 1) {
		ex.assume(aligned_to(ctx.image_base, ca));
		ex.assume(aligned_to(ctx.start, ca));
		for (const u32 &q : ctx.addr_queries)
			ex.assume(aligned_to(q, ca));
		ex.assume(aligned_to(u32(ctx.addr_fn((ctx.cur + u32(bpf::is_ld_imm64(in.code) ? 2 : 1)).e)), ca));
		ex.assume(aligned_to(u32(ctx.addr_fn(ctx.n_insns.e)), ca));  // the epilogue
	}
	if (fa > 1 && in.code == (bpf::JMP | bpf::CALL))
		ex.assume(aligned_to(ctx.helper_addr(in.imm), fa));
}

// The accesses of a log, split.
struct Accesses {
	std::vector<const Access *> loads, stores, stack;
	explicit Accesses(const std::vector<Access> &log) {
		for (const Access &a : log)
			(a.stack ? stack : a.store ? stores : loads).push_back(&a);
	}
};

// A native load must be at an address, and of a size, BPF loads.
inline void load_obligation(PathGoal &g, const Accesses &bpf_side, const Access &n, const std::string &what) {
	z3::expr any = sym_ctx().bool_val(false);
	for (const Access *b : bpf_side.loads)
		if (b->bytes == n.bytes)
			any = any || (n.addr == b->addr).e;
	g.obs.push_back(Obligation{what + " (" + std::to_string(n.bytes) + " bytes) at an address BPF loads from", any,
				   n.addr.e, n.addr.e, false});
}

// A native store of another size than BPF's: what differs, or "".
inline std::string store_size_difference(const std::string &k, const Access &n, const Access &b) {
	if (n.bytes == b.bytes)
		return "";
	return k + ": native stores " + std::to_string(n.bytes) + " bytes, BPF " + std::to_string(b.bytes);
}

// Plain stores: the same order, address, size and value on both sides.
inline void plain_store_obligations(PathGoal &g, const Accesses &nat, const Accesses &bpf_side) {
	if (nat.stores.size() != bpf_side.stores.size())
		g.fail("native code makes " + std::to_string(nat.stores.size()) + " stores, BPF " +
		       std::to_string(bpf_side.stores.size()));
	for (size_t i = 0; g.structural.empty() && i < nat.stores.size(); i++) {
		const Access &n = *nat.stores[i], &b = *bpf_side.stores[i];
		const std::string k = "store #" + std::to_string(i + 1);
		g.fail(store_size_difference(k, n, b));
		g.eq(k + " address", n.addr, b.addr);
		g.eq(k + " value", n.value, b.value);
	}
}

// The stores of an atomic instruction, run while other CPUs write its
// location (NativeEnv::shared_*). Each native store must be a locked
// read-modify-write of that location. Every one but the last is an attempt
// that did not take effect: it writes back what it read, so no concurrent
// update is lost. The last is the one that took effect: BPF's read is
// defined as the value it read (BPF's memory there is otherwise
// unconstrained), and it must store what BPF stores from that value.
//
// A native sequence that makes no store (an LR/SC compare-and-exchange
// whose comparison failed) is allowed when BPF's store writes back what it
// read: BPF's read is then defined as the last atomic read of the location.
//
// fully_ordered (BPF's fetch forms, xchg and cmpxchg): the accesses that
// take effect must not be relaxed.
inline void atomic_store_obligations(PathGoal &g, Explorer &ex, const std::vector<Access> &nlog,
				     const Accesses &nat, const Accesses &bpf_side, bool fully_ordered) {
	const Access &b_load = *bpf_side.loads.at(0), &b_store = *bpf_side.stores.at(0);
	if (nat.stores.empty()) {
		const Access *read = nullptr;
		for (const Access *a : nat.loads)
			if (a->atomic)
				read = a;
		if (!read) {
			g.fail("native code makes no store, BPF 1 (atomic)");
			return;
		}
		if (fully_ordered && read->relaxed)
			g.fail("load #1: relaxed, but the BPF atomic is fully ordered (no aq/rl)");
		if (!g.structural.empty())
			return;
		g.eq("atomic read address", read->addr, b_load.addr);
		ex.assume(read->value == b_load.value);
		g.eq("no native store: BPF writes back what it read", b_store.value, b_load.value);
		return;
	}
	for (size_t i = 0; g.structural.empty() && i < nat.stores.size(); i++) {
		const Access &n = *nat.stores[i];
		const Access *read = paired_load(nlog, n);
		const std::string k = "store #" + std::to_string(i + 1);
		const std::string size = store_size_difference(k, n, b_store);
		if (!size.empty())
			g.fail(size);
		else if (!n.atomic)
			g.fail(k + ": the native store is not atomic (no LOCK)");
		else if (!read)
			g.fail(k + ": not a read-modify-write of one location");
		if (!g.structural.empty())
			return;
		g.eq(k + " address", n.addr, b_store.addr);
		if (i + 1 < nat.stores.size()) {
			g.eq(k + ": an attempt before the last changes memory (a lost update)", n.value, read->value);
			continue;
		}
		if (fully_ordered && n.relaxed) {
			g.fail(k + ": relaxed, but the BPF atomic is fully ordered (no aq/rl)");
			return;
		}
		ex.assume(read->value == b_load.value);
		g.eq(k + " value (from the value the successful attempt read)", n.value, b_store.value);
	}
}

// An arch whose frame saves only the callee-saved registers the code
// writes (has_body_regs, core/jit.h): the native code of the entry leaves
// every callee-saved register outside Arch::body_regs(in) as it was.
template <typename T>
void callee_saved_obligations(PathGoal &g, const InsnFields<Symbolic> &in, const typename T::State &before,
			      const typename T::State &after) {
	if constexpr (has_body_regs<typename T::Arch>::value) {
		const u32 m = T::Arch::template body_regs<Symbolic>(in);
		for (unsigned n : T::abi_callee_saved())
			if (!z3::eq(T::native(after, n).e, T::native(before, n).e))  // else kept trivially
				g.holds("callee-saved " + T::native_name(n) + " kept (not in body_regs)",
					implies(((m >> u32(n)) & u32(1)) == u32(0),
						T::native(after, n) == T::native(before, n)));
	}
}

// Helpers entered with the stack aligned as each of T's call ABIs requires.
template <typename T>
void call_obligations(PathGoal &g, const NativeEnv &n, const u64 &sp0) {
	for (const CallSite &c : n.calls)
		for (const CallAbi &abi : T::call_abis()) {
			const u64 mask(abi.align - 1);
			g.holds("helper called with sp aligned to " + std::to_string(abi.align) + " (" + abi.name + " ABI)",
				implies((sp0 & mask) == u64(0),
					((c.entry_sp + u64(T::return_address_bytes)) & mask) == u64(0)));
		}
}

// Native stack use below sp stays within T::insn_stack_slack; returns the
// deepest use when it is a constant.
template <typename T>
int stack_use_obligations(PathGoal &g, const Accesses &nat, const u64 &sp0) {
	int deepest = 0;
	for (const Access *a : nat.stack) {
		g.holds("stack access within " + std::to_string(T::insn_stack_slack) + " bytes below sp",
			uge(a->addr, sp0 - u64(T::insn_stack_slack)) && ule(a->addr + u64(8), sp0));
		uint64_t d;
		if ((sp0 - a->addr).is_const(&d) && (int)d > deepest)
			deepest = (int)d;
	}
	return deepest;
}

// Back at a loop head: only the invariant is claimed (loop_obligations),
// and loads inside the loop are where BPF loads.
template <typename T>
void loop_path_obligations(PathGoal &g, NativeEnv &n, typename T::State &ns, const Accesses &bpf_side) {
	const std::vector<StatePart> parts = T::parts(ns);
	auto ob_e = [&](const std::string &name, const z3::expr &a, const z3::expr &b) {
		g.obs.push_back(Obligation{name, a == b, a, b, a.is_bv()});
	};
	auto ob_b = [&](const std::string &name, const SBool &b) { g.holds(name, b); };
	const std::string where = "load inside the loop at native offset " + std::to_string(n.heads[n.closed].off);
	for (const Access &a : loop_obligations(n, parts, ob_e, ob_b, g.structural))
		if (!a.store && !a.stack)
			load_obligation(g, bpf_side, a, where);
}

// Where the native code left: the BPF successor's native address, the live
// BPF registers' homes equal to the BPF state, sp unchanged.
template <typename T>
void exit_state_obligations(PathGoal &g, uint8_t code, const JitCtx<Symbolic> &ctx, const RunOut &out,
			    const u32 &next, const typename T::State &ns, const BpfRegs<Symbolic> &regs,
			    const u64 &sp0) {
	using namespace bpf;
	const bool is_call = code == (JMP | CALL);
	// Relative to the image base (x + b = y + b iff x = y modulo 2^64):
	// the same statement, with the base cancelled.
	g.eq("pc", out.pc - ctx.image_base, zext<64>(u32(ctx.addr_fn(next.e))));
	for (unsigned r = 0; r < NREGS; r++) {
		if (is_call && ((r >= R1 && r <= R5) || r == AX))
			continue;  // A4: dead after a call
		g.eq(r == AX ? "AX" : "R" + std::to_string(r), T::reg(ns, r), regs.r[r]);
	}
	g.eq("sp", T::sp(ns), sp0);
}

// What a counterexample prints: the instruction, the registers, both sides'
// memory accesses and calls, the emitted code and the path.
struct EntryCex {
	const Rule<Symbolic> &rule;
	const InsnFields<Symbolic> &in;
	const JitCtx<Symbolic> &ctx;
	const BpfRegs<Symbolic> &regs0;
	const u64 &sp0;
	const BpfEnv &benv;
	const NativeEnv &nenv;
	const RunOut &out;
	const u32 &next;
};

inline void print_accesses(std::ostream &os, const z3::model &m, const char *side, const std::vector<Access> &log) {
	for (const Access &a : log)
		os << "  " << side << " " << (a.store ? "store " : "load ") << a.bytes << " bytes at "
		   << hex(eval_u64(m, a.addr.e)) << " value " << hex(eval_u64(m, a.value.e))
		   << (a.stack ? " (stack)" : a.atomic ? " (atomic)" : "")
		   << (a.step ? " by native instruction " + std::to_string(a.step) : std::string()) << "\n";
}

template <typename T>
std::string entry_counterexample(const EntryCex &c, const z3::model &m, const Explorer &ex, const Result &res) {
	using namespace bpf;
	std::ostringstream os;
	os << "  instruction: " << c.rule.name << " (code " << hex(c.rule.code) << ") dst=R"
	   << eval_u64(m, c.in.dst.e) << " src=R" << eval_u64(m, c.in.src.e)
	   << " off=" << (int16_t)eval_u64(m, c.in.off.e) << " imm=" << (int32_t)eval_u64(m, c.in.imm.e);
	if (is_ld_imm64(c.rule.code))
		os << " imm_hi=" << hex(eval_u64(m, c.in.imm_hi.e));
	os << " at index " << eval_u64(m, c.ctx.cur.e) << " of " << eval_u64(m, c.ctx.n_insns.e) << "\n";
	os << "  registers:";
	for (unsigned r = 0; r < NREGS; r++)
		os << (r % 4 == 0 ? "\n    " : "  ") << (r == AX ? std::string("AX") : "R" + std::to_string(r)) << "="
		   << hex(eval_u64(m, c.regs0.r[r].e));
	os << "\n    native sp=" << hex(eval_u64(m, c.sp0.e)) << "\n";
	print_accesses(os, m, "BPF", c.benv.mem.log);
	print_accesses(os, m, "native", c.nenv.mem.log);
	if (c.rule.code == (JMP | CALL))
		os << "  BPF calls helper " << (int32_t)eval_u64(m, c.in.imm.e) << " at "
		   << hex(eval_u64(m, c.ctx.helper_addr(c.in.imm).e)) << "\n";
	for (const CallSite &k : c.nenv.calls)
		os << "  native call to " << hex(eval_u64(m, k.target.e)) << " with sp " << hex(eval_u64(m, k.entry_sp.e))
		   << "\n";
	const uint64_t at = eval_u64(m, c.ctx.image_addr(c.ctx.start).e);
	os << "  emitted code (" << c.ctx.bytes.size() << " bytes at " << hex(at) << "), path:";
	for (const Decision &d : ex.decisions())
		if (d.why)
			os << " " << (d.taken ? "" : "!") << d.why;
	os << "\n" << render_bytes<T>(m, c.ctx.bytes, at);
	if (c.out.status == RunStatus::UNDECODED)
		os << "  the model stopped at +" << c.out.at << " on bytes" << bytes_at(m, c.ctx.bytes, c.out.at) << "\n";
	if (c.out.status == RunStatus::CUT)
		os << "  one iteration from the invariant of the loop at native offset "
		   << c.nenv.heads[c.nenv.closed].off << ", back at its head\n";
	if (c.out.status == RunStatus::EXITED)
		os << "  native code left at " << hex(eval_u64(m, c.out.pc.e)) << "; BPF next: index "
		   << eval_u64(m, c.next.e) << " at native "
		   << hex(eval_u64(m, c.ctx.image_addr(u32(c.ctx.addr_fn(c.next.e))).e)) << "\n";
	os << "  first difference: " << res.first_diff << "\n";
	return os.str();
}

// One prologue/epilogue proof: the code-generation options it is proved
// under (the target lists them, T::frame_variants()), entered by a call or,
// with tail_call, at opts.tail_call_entry as the kernel's tail calls enter.
struct FrameVariant {
	std::string name;
	JitOptions opts;
	bool tail_call = false;
};

// The option values an entry is proved under: the configured ones, and
// for EXIT, which may return in place with a copy of the epilogue, every
// value the frame (and so the epilogue) is proved under, one per distinct
// epilogue (the options reach EXIT's code through the epilogue only; two
// values with the same epilogue bytes at one address have the same at
// every address, the addresses they name being the same).
template <typename T>
std::vector<JitOptions> entry_option_sets(uint8_t code, const JitOptions &configured) {
	std::vector<JitOptions> sets{configured};
	if (code != (bpf::JMP | bpf::EXIT))
		return sets;
	std::vector<std::vector<uint8_t>> seen;
	for (const FrameVariant &v : T::frame_variants()) {
		std::vector<uint8_t> buf(256);
		JitCtx<Concrete> probe;
		probe.opts = v.opts;
		probe.buf = buf.data();
		probe.cap = (uint32_t)buf.size();
		T::Arch::template epilogue<Concrete>(probe);
		buf.resize(std::min<size_t>(probe.len, buf.size()));
		buf.push_back((uint8_t)probe.error);
		if (std::find(seen.begin(), seen.end(), buf) != seen.end())
			continue;
		seen.push_back(buf);
		sets.push_back(v.opts);
	}
	return sets;
}

// An EXIT that returns in place: its code is the epilogue, byte for byte
// as the target emits it at that address under the same options (the
// frame proof proves that epilogue at every address), and nothing runs
// before it, so the state it starts in is the one a jump to the shared
// epilogue would bring there.
template <typename T>
void epilogue_copy_obligations(PathGoal &g, const JitCtx<Symbolic> &ctx, bool is_exit) {
	if (!is_exit)
		return g.fail("a copy of the epilogue in an instruction other than EXIT");
	if (ctx.epilogue_copy_at != 0)
		return g.fail("code before the copy of the epilogue");
	JitCtx<Symbolic> ref;
	ref.opts = ctx.opts;
	ref.start = ctx.start;
	ref.cur = ctx.cur;
	ref.n_insns = ctx.n_insns;
	ref.image_base = ctx.image_base;
	ref.call_base = ctx.call_base;
	T::Arch::template epilogue<Symbolic>(ref);
	if (ref.error != LowerError::NONE)
		return g.fail("a copy of an epilogue the options cannot emit here");
	if (ref.bytes.size() != ctx.bytes.size())
		return g.fail("the copy of the epilogue is " + std::to_string(ctx.bytes.size()) + " bytes, the epilogue " +
			      std::to_string(ref.bytes.size()));
	for (size_t i = 0; i < ref.bytes.size(); i++)
		g.eq("epilogue copy byte " + std::to_string(i), zext<64>(ctx.bytes[i]), zext<64>(ref.bytes[i]));
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
	Explorer ex(T::split_policy(code, rule.imm).bits ? Explorer::Solver::BITS : Explorer::Solver::THEORIES);
	ex.set_limits(cfg.query_ms, cfg.entry_ms);
	bool failed = false;
	int max_stack = 0;

	const Shape shape = insn_shape(code, 0, rule.off, rule.imm, Isa::V4);
	if (!shape.valid || (!off_selects(code) && rule.off != 0) || (!imm_selects(code) && rule.imm != 0)) {
		res.outcome = Outcome::FAILED;
		res.detail = "the entry's key is not an instruction of the model (core/isa.h)";
		return res;
	}
	RegCase rc{};
	JitOptions opts = cfg.opts;

	// One path: lower, run both sides, prove the theorem.
	auto body = [&]() {
		const InsnFields<Symbolic> in = entry_fields(rule, shape, rc);
		assume_register_fields(ex, in, rule.imm);
		JitCtx<Symbolic> ctx;
		ctx.opts = opts;
		rule.lower(ctx, in);
		if (ctx.error != LowerError::NONE) {
			res.rejected++;
			return;
		}
		assume_program_shape(ex, ctx, in, is_ld_imm64(code) ? 2 : 1);
		assume_code_alignment<T>(ex, ctx, in);

		// The BPF side. An atomic instruction's read is defined by the
		// native side's successful attempt (atomic_store_obligations).
		BpfRegs<Symbolic> regs;
		for (unsigned i = 0; i < NREGS; i++)
			regs.r[i] = u64::var("r" + std::to_string(i));
		const BpfRegs<Symbolic> regs0 = regs;
		const z3::func_decl mem0 = fresh_memory("mem");
		BpfEnv benv(is_atomic(code) ? fresh_memory("mem_seen") : mem0, &ctx);
		benv.atomic = is_atomic(code);
		const Step<Symbolic> st = step<Symbolic>(in, ctx.cur, regs, benv);
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
		const u32 next = st.flow == Flow::EXIT ? ctx.n_insns : st.next_pc;
		if (ctx.epilogue_copy_at >= 0) {
			PathGoal g;
			epilogue_copy_obligations<T>(g, ctx, st.flow == Flow::EXIT);
			z3::model m(sym_ctx());
			if (discharge(ex, g.obs, g.structural, res, m, "copy", "epilogue"))
				return;
			failed = true;
			res.detail = "  instruction: " + std::string(rule.name) + "\n  first difference: " + res.first_diff + "\n";
			if (cfg.stop_at_first_failure)
				ex.stop();
			return;
		}
		const Accesses bpf_side(benv.mem.log);

		// The native side (A3 for the addresses BPF accesses).
		const u64 sp0 = u64::var("sp");
		ex.assume(uge(sp0, u64(MIN_SP)));
		ex.assume(ule(sp0, u64(~0ull - MIN_SP)));
		ex.assume((sp0 & u64(min_call_align<T>() - 1)) == u64(0));
		for (const Access &a : benv.mem.log) {
			ex.assume(uge(a.addr, sp0));
			ex.assume(ule(a.addr, u64(~0ull - 8)));
		}
		typename T::State ns = T::initial(regs0, sp0, "n");
		const typename T::State ns0 = ns;
		NativeEnv nenv(mem0);
		if (is_atomic(code)) {
			nenv.shared_addr = bpf_side.stores.at(0)->addr;
			nenv.shared_bytes = bpf_side.stores.at(0)->bytes;
		}
		const RunOut out = T::run(ns, nenv, ctx.bytes, ctx.image_addr(ctx.start));

		PathGoal g;
		if (out.status != RunStatus::EXITED && out.status != RunStatus::CUT)
			g.fail(std::string("native code ") + run_status_name(out.status) + ": " + out.why);
		// A speculation barrier is all NOSPEC means: the native code must
		// run one (the target names it).
		if (code == (ST | NOSPEC) && nenv.fences.empty())
			g.fail("speculation barrier missing: NOSPEC lowered without a fence");
		const Accesses nat(nenv.mem.log);
		if (out.status == RunStatus::CUT) {
			loop_path_obligations<T>(g, nenv, ns, bpf_side);
		} else {
			if (is_atomic(code))
				atomic_store_obligations(g, ex, nenv.mem.log, nat, bpf_side, writes_src(code, rule.imm) || rule.imm == CMPXCHG);
			else
				plain_store_obligations(g, nat, bpf_side);
			// Loads: only where (and with the size) the BPF instruction loads.
			for (size_t i = 0; g.structural.empty() && i < nat.loads.size(); i++)
				load_obligation(g, bpf_side, *nat.loads[i], "load #" + std::to_string(i + 1));
			call_obligations<T>(g, nenv, sp0);
			max_stack = std::max(max_stack, stack_use_obligations<T>(g, nat, sp0));
			if (g.structural.empty())
				exit_state_obligations<T>(g, code, ctx, out, next, ns, regs, sp0);
			callee_saved_obligations<T>(g, in, ns0, ns);
		}
		z3::model m(sym_ctx());
		if (discharge(ex, g.obs, g.structural, res, m, "native", "BPF"))
			return;
		failed = true;
		res.detail = entry_counterexample<T>(EntryCex{rule, in, ctx, regs0, sp0, benv, nenv, out, next}, m, ex, res);
		if (cfg.stop_at_first_failure)
			ex.stop();
	};
	bool complete = true;
	for (const JitOptions &o : entry_option_sets<T>(code, cfg.opts)) {
		opts = o;
		for (const RegCase &c : register_cases<T>(rule, shape)) {
			rc = c;
			complete = ex.explore(body, cfg.max_paths) && complete;
			if (!complete || (failed && cfg.stop_at_first_failure))
				break;
		}
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
		return entry ? "IBT: the tail-call entry is not an indirect-branch landing pad"
			     : "IBT: the image entry is not an indirect-branch landing pad";
	if (!o.ibt && !e.landings.empty())
		return "the prologue has a landing pad the options do not ask for";
	return "";
}

// The entry of a frame proof: the stack pointer S the image is entered
// with, and the one a call had before it pushed a return address (S_call).
struct FrameEntry {
	u64 S, S_call;
};

template <typename T>
FrameEntry assume_frame_entry(Explorer &ex, const JitCtx<Symbolic> &pro, const JitCtx<Symbolic> &epi) {
	ex.assume(ule(pro.image_base, u64(~0ull - 2 * MAX_IMAGE)));
	ex.assume(ule(epi.start, u32(MAX_IMAGE)));
	ex.assume(epi.image_base == pro.image_base);
	const u64 S = u64::var("entry_sp");
	ex.assume(uge(S, u64(MIN_SP)));
	ex.assume(ule(S, u64(~0ull - MIN_SP)));
	// Entered by a call under the ABI with the weakest alignment; each
	// ABI's own entry alignment is a premise of its obligation.
	const u64 S_call = S + u64(T::return_address_bytes);
	ex.assume((S_call & u64(min_call_align<T>() - 1)) == u64(0));
	return FrameEntry{S, S_call};
}

// The prologue ran from `start` to the state ns: it reaches instruction 0
// with R1 = the context, the BPF stack above sp and clear of every slot it
// saved (returned in *saved), the body's sp aligned for each call ABI, and
// the stack bound.
template <typename T>
void prologue_obligations(PathGoal &g, Result &res, const FrameEntry &fe, const JitCtx<Symbolic> &pro,
			  const RunOut &out, const typename T::State &entry, const typename T::State &ns,
			  const NativeEnv &nenv, uint32_t depth, uint32_t bound_depth, std::vector<Access> *saved) {
	const u64 &S = fe.S;
	const u32 plen((uint64_t)pro.bytes.size());
	g.eq("prologue ends at instruction 0", out.pc, pro.image_addr(plen));
	g.eq("R1 = context argument", T::reg(ns, bpf::R1), T::abi_arg0(entry));
	const u64 r10 = T::reg(ns, bpf::R10), sp_body = T::sp(ns);
	g.holds("BPF stack above sp", ule(sp_body, r10 - u64(depth)) && ule(r10, S));
	for (const CallAbi &abi : T::call_abis()) {
		const u64 mask(abi.align - 1);
		g.holds("body sp aligned to " + std::to_string(abi.align) + " for calls (" + abi.name + " ABI)",
			implies((fe.S_call & mask) == u64(0), (sp_body & mask) == u64(0)));
	}
	for (const Access &a : nenv.mem.log) {
		if (!a.store)
			continue;
		saved->push_back(a);
		uint64_t below = 0;
		const std::string slot =
			(S - a.addr).is_const(&below) ? "saved slot at entry sp - " + std::to_string(below) : "saved slot";
		// Printed with its address and the BPF stack's bottom, R10 - depth.
		g.obs.push_back(Obligation{slot + " clear of the BPF stack (slot address, BPF stack bottom)",
					   (ule(a.addr + u64(a.bytes), r10 - u64(depth)) || uge(a.addr, r10)).e,
					   a.addr.e, (r10 - u64(depth)).e, true});
		g.holds("saved slot below the entry sp", ule(a.addr + u64(a.bytes), S));
	}
	// Stack bound: entry return address + frame + instructions' slack.
	const u64 use = (S + u64(T::return_address_bytes)) - (sp_body - u64(T::insn_stack_slack));
	g.holds("native stack use <= stack_depth + " + std::to_string(T::stack_fixed),
		ule(use, u64(bound_depth + T::stack_fixed)));
	uint64_t used = 0;
	if (use.is_const(&used))
		res.stack_below_sp = (int)used;
}

// The body between prologue and epilogue, abstracted by what the
// per-instruction theorems guarantee: the BPF registers other than R10,
// and the scratch registers, take any values, except the callee-saved
// registers outside opts.body_regs (no instruction's code writes them,
// proved with every entry: callee_saved_obligations); the rest of the
// state is as the prologue left it.
template <typename T>
typename T::State state_after_body(const typename T::State &ns, const JitOptions &o) {
	typename T::State nb = ns;
	for (unsigned r = 0; r < bpf::NREGS; r++)
		if (r != bpf::R10)
			T::set_reg(nb, r, u64::var("body_r" + std::to_string(r)));
	T::havoc_scratch(nb, "body");
	typename T::State before = ns;
	std::vector<StatePart> after = T::parts(nb), kept = T::parts(before);
	for (unsigned n : T::abi_callee_saved())
		if (n >= 32 || !((o.body_regs >> n) & 1))
			for (size_t i = 0; i < after.size(); i++)
				if (after[i].name == T::native_name(n))
					*after[i].e = *kept[i].e;
	return nb;
}


// Memory after the body: the prologue's where it saved something (and the
// return address, on the stack when the target pushes it), anything
// elsewhere.
template <typename T>
std::function<u8(const u64 &)> memory_after_body(const SymMem &after_prologue, const std::vector<Access> &saved,
						 const u64 &S) {
	const z3::func_decl body_mem = fresh_memory("body_mem");
	return [after_prologue, saved, S, body_mem](const u64 &a) {
		// a in [lo, lo + n). Frame addresses are the entry sp plus small
		// constants, and the entry sp is 2^16 away from either end of the
		// address space: a constant difference below 2^15 cannot wrap, so
		// it settles the range without the solver.
		auto in = [&a](const u64 &lo, unsigned n) {
			uint64_t d;
			if ((a - lo).is_const(&d) && (d + (1u << 15)) < (1u << 16))
				return SBool((int64_t)d >= 0 && d < n);
			return uge(a, lo) && ult(a, lo + u64(n));
		};
		SBool k = in(S, T::return_address_bytes);
		for (const Access &s : saved)
			k = k || in(s.addr, s.bytes);
		const z3::expr ks = k.e.simplify();
		if (ks.is_true())
			return after_prologue.byte(a);
		if (ks.is_false())
			return u8(body_mem(a.e));
		return u8(z3::ite(ks, after_prologue.byte(a).e, body_mem(a.e)));
	};
}

// The epilogue ran from the body's end to nb: it returns R0 in the ABI
// return register to the caller's return address (or jumps to the return
// thunk with the return address in place) with the stack balanced, every
// callee-saved register restored, no store at or above the entry sp, and
// exactly the mitigations the options ask for.
template <typename T>
void epilogue_obligations(PathGoal &g, const JitOptions &o, const FrameEntry &fe, const RunOut &eo,
			  const typename T::State &entry, const typename T::State &nb, const NativeEnv &nenv,
			  const NativeEnv &eenv, const u64 &body_r0) {
	const u64 &S = fe.S;
	// Through the return thunk the epilogue leaves the image by a jump.
	if (eo.status != (o.rethunk ? RunStatus::EXITED : RunStatus::RETURNED))
		g.fail(std::string("epilogue ") + run_status_name(eo.status) + ": " + eo.why);
	const u64 ret_addr = T::return_address(entry, nenv.mem, S);  // as it was on entry
	if (!o.rethunk) {
		const unsigned pop = T::return_address_bytes;
		g.eq("epilogue returns to the caller", eo.pc, ret_addr);
		g.eq("stack balanced (sp = entry sp + " + std::to_string(pop) + ")", T::sp(nb), S + u64(pop));
	} else {
		g.eq("epilogue jumps to the return thunk", eo.pc, u64(o.return_thunk));
		g.eq("stack balanced (sp = entry sp)", T::sp(nb), S);
		g.eq("return address in place", T::return_address(nb, eenv.mem, S), ret_addr);
	}
	g.eq("return value = R0", T::abi_ret(nb), body_r0);
	for (unsigned n : T::abi_callee_saved())
		g.eq("callee-saved " + T::native_name(n) + " restored", T::native(nb, n), T::native(entry, n));
	for (const Access &a : eenv.mem.log)
		if (a.store)
			g.holds("epilogue writes only below the entry sp", ule(a.addr + u64(a.bytes), S));
	g.fail(barrier_mismatch(o, eenv));
	if (o.bhb_loop && !eenv.calls.empty())
		g.eq("BHI barrier: the call is to clear_bhb_loop", eenv.calls[0].target, u64(o.bhb_loop_addr));
}

// The prologue's bytes against the group's (a stack-bound group): "" when
// they are the same.
inline std::string group_mismatch(const FrameGroup &group, const JitCtx<Symbolic> &pro) {
	bool same = group.expect->size() == pro.bytes.size();
	for (size_t i = 0; same && i < pro.bytes.size(); i++) {
		uint64_t b;
		same = pro.bytes[i].e.simplify().is_numeral_u64(b) && b == (*group.expect)[i];
	}
	return same ? "" : "prologue bytes differ from the group's (concrete lowering)";
}

template <typename T>
std::string frame_counterexample(const z3::model &m, const FrameEntry &fe, uint32_t depth,
				 const JitCtx<Symbolic> &pro, const JitCtx<Symbolic> &epi, const std::string &first_diff) {
	std::ostringstream os;
	os << "  stack_depth " << depth << ", entry sp " << hex(eval_u64(m, fe.S.e)) << "\n";
	os << "  prologue:\n" << render_bytes<T>(m, pro.bytes, eval_u64(m, pro.image_addr(u32(0)).e));
	os << "  epilogue:\n" << render_bytes<T>(m, epi.bytes, eval_u64(m, epi.image_addr(epi.start).e));
	os << "  first difference: " << first_diff << "\n";
	return os.str();
}

// The frame theorem above, for one option value (cfg.opts). tail_call:
// enter the prologue at opts.tail_call_entry, in the state the kernel's
// tail calls leave (T::tail_call_state), instead of at 0 by a call.
// with_epilogue false: the stack bound only (it is all in the prologue).
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
		const FrameEntry fe = assume_frame_entry<T>(ex, pro, epi);
		const z3::func_decl mem0 = fresh_memory("mem");
		typename T::State entry = T::fresh("entry");
		T::set_sp(entry, fe.S);
		typename T::State ns = entry;
		NativeEnv nenv(mem0);
		const uint32_t start = tail_call ? cfg.opts.tail_call_entry : 0;
		if (tail_call)
			T::tail_call_state(ns, nenv);
		if (code_align_of<T>::code > 1) {
			ex.assume(aligned_to(pro.image_base, code_align_of<T>::code));
			ex.assume(aligned_to(epi.start, code_align_of<T>::code));
		}
		if (code_align_of<T>::function > 1)
			ex.assume(aligned_to(T::return_address(entry, nenv.mem, fe.S), code_align_of<T>::function));
		const RunOut out = T::run(ns, nenv, pro.bytes, pro.image_addr(u32(0)), start);
		PathGoal g;
		if (out.status != RunStatus::EXITED)
			g.fail(std::string("prologue ") + run_status_name(out.status) + ": " + out.why);
		g.fail(landing_mismatch(cfg.opts, nenv, start));
		if (group)
			g.fail(group_mismatch(*group, pro));
		std::vector<Access> saved;
		prologue_obligations<T>(g, res, fe, pro, out, entry, ns, nenv, depth, bound_depth, &saved);
		if (with_epilogue) {
			typename T::State nb = state_after_body<T>(ns, cfg.opts);
			NativeEnv eenv(mem0);
			eenv.bhb_loop = cfg.opts.bhb_loop;
			eenv.bhb_loop_addr = cfg.opts.bhb_loop_addr;
			eenv.mem.under = memory_after_body<T>(nenv.mem, saved, fe.S);
			const u64 body_r0 = T::reg(nb, bpf::R0);
			const RunOut eo = T::run(nb, eenv, epi.bytes, epi.image_addr(epi.start));
			epilogue_obligations<T>(g, cfg.opts, fe, eo, entry, nb, nenv, eenv, body_r0);
		}
		z3::model m(sym_ctx());
		if (discharge(ex, g.obs, g.structural, res, m, "native", "expected"))
			return;
		failed = true;
		res.detail = frame_counterexample<T>(m, fe, depth, pro, epi, res.first_diff);
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

// The driver's padding (assumption A2): for every n in 0..max_n that is a
// multiple of T::pad_granule, the n bytes
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
	for (uint32_t n = 0; n <= max_n && !failed; n += T::pad_granule) {
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

// The target contract (the list at the top of this file), checked at
// compile time so that a new arch's mistakes show as one named error.
template <typename T>
constexpr bool target_contract() {
	using S = typename T::State;
	using std::declval;
	using std::is_same;
	static_assert(is_same<decltype(T::initial(declval<const BpfRegs<Symbolic> &>(), declval<const u64 &>(),
						   declval<const std::string &>())), S>::value,
		      "T::initial(bpf regs, sp, tag) -> State");
	static_assert(is_same<decltype(T::fresh(declval<const std::string &>())), S>::value, "T::fresh(tag) -> State");
	static_assert(is_same<decltype(T::reg(declval<const S &>(), 0u)), u64>::value, "T::reg(state, r) -> u64");
	static_assert(is_same<decltype(T::sp(declval<const S &>())), u64>::value, "T::sp(state) -> u64");
	static_assert(is_same<decltype(T::native(declval<const S &>(), 0u)), u64>::value, "T::native(state, n) -> u64");
	static_assert(is_same<decltype(T::return_address(declval<const S &>(), declval<const SymMem &>(),
							  declval<const u64 &>())), u64>::value,
		      "T::return_address(state, memory, sp) -> u64");
	static_assert(is_same<decltype(T::run(declval<S &>(), declval<NativeEnv &>(),
					      declval<const std::vector<u8> &>(), declval<const u64 &>(), 0u)),
			      RunOut>::value,
		      "T::run(state, env, bytes, base, start) -> RunOut");
	static_assert(is_same<decltype(T::split_policy(uint8_t(0), int32_t(0))), SplitPolicy>::value,
		      "T::split_policy(code, imm) -> SplitPolicy");
	static_assert(is_same<decltype(T::frame_variants()), std::vector<FrameVariant>>::value,
		      "T::frame_variants() -> std::vector<FrameVariant>");
	static_assert(is_same<decltype(T::call_abis()), std::vector<CallAbi>>::value,
		      "T::call_abis() -> std::vector<CallAbi>");
	static_assert(is_same<decltype(T::parts(declval<S &>())), std::vector<StatePart>>::value,
		      "T::parts(state) -> std::vector<StatePart>");
	static_assert(T::pad_granule > 0 && T::stack_fixed > 0, "T::pad_granule, T::stack_fixed");
	static_assert(T::return_address_bytes == 0 || T::return_address_bytes == 8,
		      "T::return_address_bytes: 8 (pushed) or 0 (link register)");
	return true;
}

} // namespace verify
} // namespace vjit

#endif
