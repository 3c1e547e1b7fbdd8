// SPDX-License-Identifier: GPL-2.0
// The INET-DIAG translation proof (see diag_proof.h for the theorem).
#include "verifier/diag_proof.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace vjit {
namespace verify {
namespace {

using D = Symbolic;

// Where R1 points: the entry (a plain number, so that every load's
// address folds to entry + offset).
constexpr uint64_t ENTRY_ADDR = 0x10000;
// A fragment runs at most this many instructions (it only jumps forward).
constexpr unsigned MAX_STEPS = VJIT_DIAG_MAX_FRAGMENT + 1;

// The entry's bytes as the eBPF program reads them: loads only.
struct EntryEnv {
	const u8 *bytes;
	std::string fault;

	u64 load(unsigned n, const u64 &addr) {
		uint64_t a = 0;
		if (!addr.is_const(&a)) {
			fault = "a load from a symbolic address";
			return u64(0);
		}
		if (a < ENTRY_ADDR || a - ENTRY_ADDR + n > VJIT_DIAG_ENTRY_SIZE) {
			fault = "a load outside the entry, at offset " + std::to_string((int64_t)(a - ENTRY_ADDR));
			return u64(0);
		}
		z3::expr v = bytes[a - ENTRY_ADDR].e;
		for (unsigned i = 1; i < n; i++)
			v = z3::concat(bytes[a - ENTRY_ADDR + i].e, v);
		return n == 8 ? u64(v) : u64(z3::zext(v, 64 - 8 * n));
	}
	void store(unsigned, const u64 &, const u64 &) { fault = "a store"; }
	u64 call_helper(const u32 &, BpfRegs<D> &) {
		fault = "a helper call";
		return u64(0);
	}
};

// How the fragment left: by a jump to `to`, or `fault` says what went wrong.
struct Run {
	u32 to;
	std::string fault;
};

Run run_fragment(const InsnFields<D> *code, uint32_t len, const u8 *entry) {
	BpfRegs<D> regs;
	for (unsigned r = 0; r < bpf::NREGS; r++)
		regs.r[r] = u64::var("r" + std::to_string(r));
	regs.r[DIAG_ENTRY] = u64(ENTRY_ADDR);
	EntryEnv env{entry, ""};
	uint32_t pc = 0;
	for (unsigned n = 0; n < MAX_STEPS && pc < len; n++) {
		Step<D> s = step<D>(code[pc], u32(pc), regs, env);
		if (!env.fault.empty())
			return Run{u32(0), env.fault + " at index " + std::to_string(pc)};
		if (s.flow != Flow::NEXT)
			return Run{u32(0), "left other than by a jump at index " + std::to_string(pc)};
		if (!D::when(ult(s.next_pc, u32(len)), "frag.inside"))
			return Run{s.next_pc, ""};
		uint64_t next = 0;
		if (!s.next_pc.is_const(&next) || next <= pc)
			return Run{u32(0), "a jump backward or to a symbolic index at index " + std::to_string(pc)};
		pc = (uint32_t)next;
	}
	return Run{u32(0), "more steps than a forward-only fragment can take"};
}

std::string describe(const z3::model &m, uint8_t code, const u8 *ob, const u8 *eb,
		     const InsnFields<D> *frag, uint32_t len, const u32 &yes, const u32 &no,
		     const Run &run, const Explorer &ex) {
	std::ostringstream os;
	const DiagOperands<D> o = diag_decode_operands<D>(ob);
	const DiagEntry<D> e = diag_decode_entry<D>(eb);
	auto v = [&](const z3::expr &x) { return hex(eval_u64(m, x)); };
	os << "  op " << diag_op_name(code) << ": operand bytes";
	for (unsigned i = 0; i < diag::OPERAND_BYTES; i++)
		os << " " << eval_u64(m, ob[i].e);
	os << "\n    port " << v(o.port.e) << " family " << v(o.family.e) << " prefix_len "
	   << eval_u64(m, o.prefix_len.e) << " cond port " << v(o.cport.e) << "\n";
	os << "  entry: family " << v(e.family.e) << " sport " << eval_u64(m, e.sport.e) << " dport "
	   << eval_u64(m, e.dport.e) << " userlocks " << v(e.userlocks.e) << " ifindex "
	   << eval_u64(m, e.ifindex.e) << " mark " << v(e.mark.e) << " cgroup " << v(e.cgroup_id.e) << "\n    saddr";
	for (unsigned i = 0; i < 4; i++)
		os << " " << v(e.saddr[i].e);
	os << "  daddr";
	for (unsigned i = 0; i < 4; i++)
		os << " " << v(e.daddr[i].e);
	os << "\n  targets: yes " << eval_u64(m, yes.e) << ", no " << eval_u64(m, no.e);
	if (run.fault.empty())
		os << "; left for " << eval_u64(m, run.to.e);
	os << "\n  fragment (" << len << " instructions), path:";
	for (const Decision &d : ex.decisions())
		if (d.why)
			os << " " << (d.taken ? "" : "!") << d.why;
	os << "\n";
	for (uint32_t i = 0; i < len; i++)
		os << "    " << i << ": code " << hex(frag[i].code) << " dst " << eval_u64(m, frag[i].dst.e)
		   << " src " << eval_u64(m, frag[i].src.e) << " off " << (int16_t)eval_u64(m, frag[i].off.e)
		   << " imm " << v(frag[i].imm.e) << "\n";
	return os.str();
}

} // namespace

const char *diag_assumptions_text() {
	return
		"INET-DIAG assumptions:\n"
		"  G1 the kernel's audit (inet_diag_bc_audit) accepted the bytecode before any socket\n"
		"     is filtered; vjit's own audit (core/diag_semantics.h) refuses at least what it\n"
		"     refuses (unit tests) and the translator runs it first\n"
		"  G2 the layout: each fragment starts at the program index its targets name\n"
		"     (the translator checks every fragment's length against its sizing pass), and a\n"
		"     fragment's code depends on its targets only through target - start (jump offsets)\n"
		"  G3 the entry holds what inet_diag_bc_sk reads from the socket (the module fills it;\n"
		"     checked in the VM against the kernel's own interpreter)\n"
		"  G4 the eBPF semantics (core/semantics.h) is the meaning vjit's JIT is proved against\n";
}

Result check_diag_op(uint8_t code, DiagLowerFn<Symbolic> lower, const Config &cfg) {
	Result res;
	res.arch = "inet-diag";
	res.name = diag_op_name(code);
	res.cls = "DIAG";
	const auto t0 = std::chrono::steady_clock::now();
	Explorer ex;
	ex.set_limits(cfg.query_ms, cfg.entry_ms);
	bool failed = false;
	auto body = [&]() {
		u8 ob[diag::OPERAND_BYTES], eb[VJIT_DIAG_ENTRY_SIZE];
		for (unsigned i = 0; i < diag::OPERAND_BYTES; i++)
			ob[i] = u8::var("operand" + std::to_string(i));
		for (unsigned i = 0; i < VJIT_DIAG_ENTRY_SIZE; i++)
			eb[i] = u8::var("entry" + std::to_string(i));
		const DiagOperands<D> o = diag_decode_operands<D>(ob);
		const DiagEntry<D> e = diag_decode_entry<D>(eb);
		const u32 yes = u32::var("yes"), no = u32::var("no");
		ex.assume(diag_operands_valid<D>(code, o));
		for (const u32 *t : {&yes, &no})
			ex.assume(uge(*t, u32(VJIT_DIAG_MAX_FRAGMENT)) && ule(*t, u32(DIAG_MAX_PROGRAM)));
		ex.assume(yes != no);

		InsnFields<D> frag[VJIT_DIAG_MAX_FRAGMENT];
		DiagCtx<D> c;
		c.buf = frag;
		c.cap = VJIT_DIAG_MAX_FRAGMENT;
		c.yes = yes;
		c.no = no;
		lower(c, code, o);
		if (c.failed) {
			res.rejected++;  // the module then runs the kernel's interpreter
			return;
		}
		const Run run = run_fragment(frag, c.len, eb);
		const SBool says_yes = diag_op_yes<D>(code, o, e);
		z3::model m(sym_ctx());
		Explorer::Proof p;
		if (!run.fault.empty()) {
			p = ex.feasible() ? Explorer::Proof::FAILED : Explorer::Proof::PROVED;
			if (p == Explorer::Proof::FAILED)
				m = ex.model();
		} else {
			const auto tp = std::chrono::steady_clock::now();
			p = ex.prove(run.to == select(says_yes, yes, no), &m);
			res.prove_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - tp).count();
		}
		if (p == Explorer::Proof::PROVED) {
			res.proved++;
			return;
		}
		failed = true;
		if (p == Explorer::Proof::UNKNOWN) {
			res.first_diff = "solver gave up (query budget)";
		} else if (!run.fault.empty()) {
			res.first_diff = run.fault;
		} else {
			const bool yes_wanted = m.eval(says_yes.e, true).is_true();
			const uint64_t to = eval_u64(m, run.to.e);
			const char *got = to == eval_u64(m, yes.e) ? "yes" : to == eval_u64(m, no.e) ? "no" : "elsewhere";
			res.first_diff = std::string("reaches ") + got + ", the bytecode says " + (yes_wanted ? "yes" : "no");
		}
		if (p != Explorer::Proof::UNKNOWN)
			res.detail = describe(m, code, ob, eb, frag, c.len, yes, no, run, ex) +
				     "  first difference: " + res.first_diff + "\n";
		ex.stop();
	};
	const bool complete = ex.explore(body, cfg.max_paths);
	res.paths = ex.paths();
	res.checks = ex.checks();
	if (failed) {
		res.outcome = Outcome::FAILED;
	} else if (!complete) {
		res.outcome = Outcome::FAILED;
		res.first_diff = ex.timed_out() ? time_limit_text(cfg) : "path limit reached";
	} else if (res.proved == 0) {
		res.outcome = Outcome::FAILED;
		res.first_diff = "vacuous: no path reached the theorem";
	} else {
		res.outcome = Outcome::PROVED;
	}
	res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	return res;
}

int run_diag_proofs(const std::string &only, const std::string &mutant, bool quiet,
		    const std::string &json_file) {
	const DiagMutant *mut = nullptr;
	for (const DiagMutant &m : diag_mutants())
		if (mutant == m.id)
			mut = &m;
	if (!mutant.empty() && !mut) {
		fprintf(stderr, "vjit-verify: no INET-DIAG mutant '%s' (--list-mutants)\n", mutant.c_str());
		return 2;
	}
	if (!quiet)
		fputs(diag_assumptions_text(), stdout);
	const auto t0 = std::chrono::steady_clock::now();
	std::vector<Result> results;
	for (uint8_t code = 0; code < diag::NR_CODES; code++) {
		if (mut && code != mut->code)
			continue;
		if (!only.empty() && std::string(diag_op_name(code)).find(only) == std::string::npos)
			continue;
		Config cfg;
		Result r = check_diag_op(code, mut ? mut->lowering(code) : diag_lowering<D>(code), cfg);
		if (!quiet || r.outcome == Outcome::FAILED) {
			printf("%-6s %-9s %-12s paths %5zu  %7.2fs (prove %.2fs, %zu checks)\n", outcome_name(r.outcome),
			       r.arch.c_str(), r.name.c_str(), r.paths, r.seconds, r.prove_seconds, r.checks);
			if (r.outcome == Outcome::FAILED)
				printf("%s", r.detail.empty() ? ("  " + r.first_diff + "\n").c_str() : r.detail.c_str());
			fflush(stdout);
		}
		results.push_back(r);
	}
	size_t proved = 0, failed = 0, paths = 0;
	for (const Result &r : results) {
		(r.outcome == Outcome::PROVED ? proved : failed)++;
		paths += r.paths;
	}
	const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	printf("\n%zu INET-DIAG ops: %zu proved, %zu failed; %zu paths; %.1f s\n", results.size(), proved,
	       failed, paths, wall);
	if (mut)
		printf("mutant %s: %s\n", mut->id, failed ? "CAUGHT" : "NOT CAUGHT");
	printf("RESULT: %zu passed, %zu failed\n", proved, failed);
	if (!json_file.empty()) {
		nlohmann::json j = nlohmann::json::array();
		for (const Result &r : results)
			j.push_back({{"op", r.name}, {"result", outcome_name(r.outcome)}, {"paths", r.paths},
				     {"solver_checks", r.checks}, {"seconds", r.seconds},
				     {"first_difference", r.first_diff}, {"detail", r.detail}});
		std::ofstream(json_file) << j.dump(1) << "\n";
	}
	return failed ? 1 : 0;
}

} // namespace verify
} // namespace vjit
