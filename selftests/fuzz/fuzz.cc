// SPDX-License-Identifier: GPL-2.0
// vjit-fuzz: differential fuzzing of the host arch's JIT against the reference
// interpreter (core/interp.h).
//
// Each program is random but valid as the kernel's verifier would see it:
// every register is written before it is read, R1-R5 are rewritten after a
// helper call, memory accesses stay inside the initialised stack or the ctx,
// jumps go forward to block boundaries, loops are counted, pointers never
// escape into values. It runs natively and in the interpreter on the same
// ctx; R0 and the final ctx bytes (into which the program's epilogue copies
// its stack) must agree. A mismatch is reduced (instructions dropped while
// it persists), printed as a listing with hex, and written as PROGRAM.bin +
// PROGRAM.ctx that `vjit-run --ctx PROGRAM.ctx PROGRAM.bin` replays.
//
// Last line: "RESULT: 1 passed, 0 failed", or the count of failing programs
// (scripts/check.sh counts it).
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/interp.h"
#include "core/isa.h"
#include "core/vjit_jit.h"
#include "selftests/unit/bpf_asm.h"
#include "user/bpf_print.h"
#include "user/vjit_runtime.h"

using namespace vjit;
using namespace vjit::asm_;

namespace {

constexpr uint32_t CTX_INPUT = 256;     // bytes the program reads and writes
constexpr uint32_t CTX_DUMP = 512;      // where the epilogue copies the stack
constexpr uint32_t CTX_SIZE = CTX_INPUT + CTX_DUMP;

struct Program {
	std::vector<Insn> insns;
	std::vector<bool> removable;  // the reducer may drop it
	uint32_t stack_depth = 0;
};

// One block: a straight-line piece; jumps target block starts.
struct Block {
	std::vector<Insn> insns;
	std::vector<bool> removable;
	int jump_at = -1;     // index in insns of a forward jump to fix up
	size_t target = 0;    // block index it goes to (n blocks = epilogue)
};

// A jump's offset: in imm for gotol (JMP32 | JA), else in off.
bool is_gotol(const Insn &in) { return in.code == (JMP32 | JA); }
int64_t jump_offset(const Insn &in) { return is_gotol(in) ? in.imm : in.off; }
void set_jump_offset(Insn &in, int64_t v) {
	if (is_gotol(in))
		in.imm = (int32_t)v;
	else
		in.off = (int16_t)v;
}

// Registers the body writes (R6 holds ctx, R10 the frame: never written).
const uint8_t WRITABLE[] = {R0, R1, R2, R3, R4, R5, R7, R8, R9};

struct Generator {
	std::mt19937_64 rng;
	bool bpf_calls = false;  // the table has no rule for them (probed)

	explicit Generator(uint64_t seed) : rng(seed) {}

	uint64_t pick(uint64_t n) { return rng() % n; }
	bool chance(unsigned pct) { return pick(100) < pct; }
	uint8_t wreg() { return WRITABLE[pick(sizeof(WRITABLE))]; }

	uint64_t value() {
		static const uint64_t edges[] = {
			0, 1, 2, 3, 7, 31, 32, 63, 64, ~0ull, ~1ull, 0x7fffffff, 0x80000000,
			0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
			0xffffffff00000000ull, 0xffffffff80000000ull, 0x00000000ffff0000ull};
		switch (pick(4)) {
		case 0: return edges[pick(sizeof(edges) / 8)];
		case 1: return pick(256);
		case 2: return (uint64_t)(int64_t)(int32_t)rng();
		default: return rng();
		}
	}
	int32_t imm() { return (int32_t)value(); }

	void put(Block &b, Insn in, bool removable = true) {
		b.insns.push_back(in);
		b.removable.push_back(removable);
	}
	void put_imm64(Block &b, uint8_t dst, uint64_t v, bool removable = true) {
		std::vector<Insn> two;
		ld_imm64(two, dst, v);
		put(b, two[0], removable);
		put(b, two[1], false);  // goes with its first half
	}
	void set_reg(Block &b, uint8_t r, bool removable) {
		if (chance(50))
			put(b, mov64_imm(r, imm()), removable);
		else
			put_imm64(b, r, value(), removable);
	}

	Insn alu_insn() {
		static const uint8_t ops[] = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH};
		const bool is64 = chance(50);
		const uint8_t o = ops[pick(sizeof(ops))];
		const uint8_t cls_ = is64 ? ALU64 : ALU;
		const uint8_t dst = wreg();
		if (o == NEG)
			return raw(cls_ | NEG | K, dst, 0, 0, 0);
		// cpu-v4: signed DIV/MOD (off 1), sign-extending MOV X (off 8, 16, 32).
		const bool v4_form = chance(25) && (o == DIV || o == MOD || o == MOV);
		if (chance(50) || (v4_form && o == MOV)) {
			// Never R6/R10: addresses differ between runs and processes.
			const int16_t off = !v4_form ? 0 : o != MOV ? 1 : (int16_t[]){8, 16, 32}[pick(is64 ? 3 : 2)];
			return raw(cls_ | o | X, dst, wreg(), off, 0);
		}
		if (v4_form)
			return raw(cls_ | o | K, dst, 0, 1, imm());
		int32_t k = imm();
		if (o == LSH || o == RSH || o == ARSH)
			k = (int32_t)pick(is64 ? 64 : 32);
		return raw(cls_ | o | K, dst, 0, 0, k);
	}

	// A memory operand: base register and offset for `size` bytes, inside
	// the stack ([R10 - depth, R10)) or the ctx input area.
	void mem_operand(uint32_t depth, unsigned size, bool aligned, bool *stack, int32_t *off) {
		*stack = depth >= 8 && chance(60);
		const uint32_t span = *stack ? depth : CTX_INPUT;
		uint32_t at = (uint32_t)pick(span - size + 1);
		if (aligned)
			at = at / size * size;
		*off = *stack ? -(int32_t)span + (int32_t)at : (int32_t)at;
	}

	// Access through R10/R6 directly, or through a copy in another register
	// (exercising other base registers), reset afterwards so that the
	// address never becomes a value.
	void mem_access(Block &b, uint32_t depth, unsigned size, bool aligned,
			Insn (*make)(Generator &, uint8_t base, int16_t off, unsigned size)) {
		bool stack;
		int32_t off;
		mem_operand(depth, size, aligned, &stack, &off);
		const uint8_t base = stack ? R10 : R6;
		if (chance(60)) {
			put(b, make(*this, base, (int16_t)off, size));
			return;
		}
		const uint8_t p = wreg();
		const int32_t delta = (int32_t)pick(64) - 32;
		put(b, mov64_reg(p, base), false);
		put(b, alu64_imm(ADD, p, delta), false);
		Insn in = make(*this, p, (int16_t)(off - delta), size);
		// The access must not overwrite its own base before the reset.
		put(b, in, true);
		set_reg(b, p, false);
	}

	static uint8_t size_code(unsigned size) {
		return size == 1 ? B : size == 2 ? H : size == 4 ? W : DW;
	}

	Block block(uint32_t depth, size_t self, size_t n_blocks) {
		Block b;
		switch (pick(20)) {
		case 0: case 1: case 2: case 3: case 4: case 5:
			put(b, alu_insn());
			break;
		case 6:
			if (chance(25))  // cpu-v4 bswap: ALU64 | END | TO_LE
				put(b, raw(ALU64 | END | TO_LE, wreg(), 0, 0, (int32_t[]){16, 32, 64}[pick(3)]));
			else
				put(b, endian(chance(50) ? TO_BE : TO_LE, wreg(), (int32_t[]){16, 32, 64}[pick(3)]));
			break;
		case 7:
			put_imm64(b, wreg(), value());
			break;
		case 8: case 9: {  // load
			const unsigned size = 1u << pick(4);
			mem_access(b, depth, size, false, [](Generator &g, uint8_t base, int16_t off, unsigned sz) {
				Insn in = ldx(size_code(sz), g.wreg(), base, off);
				if (sz < 8 && g.chance(30))  // cpu-v4 sign-extending load
					in.code = (uint8_t)(LDX | MEMSX | size_code(sz));
				return in;
			});
			break;
		}
		case 10: {  // store immediate
			const unsigned size = 1u << pick(4);
			mem_access(b, depth, size, false, [](Generator &g, uint8_t base, int16_t off, unsigned sz) {
				return st(size_code(sz), base, off, g.imm());
			});
			break;
		}
		case 11: {  // store register
			const unsigned size = 1u << pick(4);
			mem_access(b, depth, size, false, [](Generator &g, uint8_t base, int16_t off, unsigned sz) {
				uint8_t src = g.wreg();
				while (src == base)  // the address must not become a value
					src = g.wreg();
				return stx(size_code(sz), base, src, off);
			});
			break;
		}
		case 12: {  // atomic, aligned as the verifier requires
			const unsigned size = chance(50) ? 4 : 8;
			mem_access(b, depth, size, true, [](Generator &g, uint8_t base, int16_t off, unsigned sz) {
				static const int32_t aops[] = {ADD, AND, OR, XOR, ADD | FETCH, AND | FETCH,
							       OR | FETCH, XOR | FETCH, XCHG, CMPXCHG};
				uint8_t src = g.wreg();
				while (src == base)
					src = g.wreg();
				return atomic(size_code(sz), aops[g.pick(10)], base, src, off);
			});
			break;
		}
		case 13: case 14: case 15: {  // conditional jump forward
			static const uint8_t conds[] = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
			const uint8_t cls_ = chance(50) ? JMP : JMP32;
			const uint8_t o = conds[pick(sizeof(conds))];
			Insn j = chance(50) ? raw(cls_ | o | X, wreg(), wreg(), 0, 0)
					    : raw(cls_ | o | K, wreg(), 0, 0, imm());
			b.jump_at = 0;
			b.target = self + 1 + pick(std::min<size_t>(n_blocks - self, 8));
			put(b, j);
			break;
		}
		case 16:
			b.jump_at = 0;
			b.target = self + 1 + pick(std::min<size_t>(n_blocks - self, 4));
			put(b, chance(30) ? raw(JMP32 | JA, 0, 0, 0, 0) : ja(0));  // gotol: the offset in imm
			break;
		case 17: {  // helper call; R1-R5 are unreadable after it
			put(b, call_helper(user::VJIT_HELPER_TEST_MIX));
			for (uint8_t r = R1; r <= R5; r++)
				set_reg(b, r, false);
			break;
		}
		case 18: {  // counted loop (a backward jump)
			const uint8_t ctr = wreg();
			put(b, mov64_imm(ctr, 1 + (int32_t)pick(5)), false);
			const size_t body = 1 + pick(3);
			for (size_t i = 0; i < body; i++) {
				Insn in = alu_insn();
				while (in.dst == ctr)
					in = alu_insn();
				put(b, in);
			}
			put(b, alu64_imm(SUB, ctr, 1), false);
			put(b, jmp_imm(JNE, ctr, 0, (int16_t)-(int16_t)(body + 2)), false);
			break;
		}
		default:
			if (chance(10))
				put(b, exit_());  // an early return
			else
				put(b, alu_insn());
		}
		return b;
	}

	Program program() {
		Program p;
		p.stack_depth = 8 * (uint32_t)pick(65);  // 0..512
		Block pro, epi;
		put(pro, mov64_reg(R6, R1), false);
		for (uint8_t r : WRITABLE)
			set_reg(pro, r, false);
		for (uint32_t s = 8; s <= p.stack_depth; s += 8) {
			if (chance(50))
				put(pro, st(DW, R10, -(int16_t)s, imm()), false);
			else
				put(pro, stx(DW, R10, WRITABLE[pick(sizeof(WRITABLE))], -(int16_t)s), false);
		}
		// Epilogue: copy the stack into the ctx, so that both runs expose it.
		for (uint32_t s = 8; s <= p.stack_depth; s += 8) {
			put(epi, ldx(DW, R1, R10, -(int16_t)s), false);
			put(epi, stx(DW, R6, R1, (int16_t)(CTX_INPUT + CTX_DUMP - s)), false);
		}
		put(epi, exit_(), false);

		const size_t n = 1 + pick(48);
		std::vector<Block> blocks;
		for (size_t i = 0; i < n; i++)
			blocks.push_back(block(p.stack_depth, i, n));
		// Layout: prologue, blocks, epilogue (block index n).
		std::vector<size_t> start(n + 1);
		size_t at = pro.insns.size();
		for (size_t i = 0; i < n; i++) {
			start[i] = at;
			at += blocks[i].insns.size();
		}
		start[n] = at;
		auto append = [&](const Block &b) {
			p.insns.insert(p.insns.end(), b.insns.begin(), b.insns.end());
			p.removable.insert(p.removable.end(), b.removable.begin(), b.removable.end());
		};
		append(pro);
		for (size_t i = 0; i < n; i++) {
			Block &b = blocks[i];
			if (b.jump_at >= 0) {
				size_t from = start[i] + (size_t)b.jump_at;
				set_jump_offset(b.insns[(size_t)b.jump_at], (int64_t)start[b.target] - (int64_t)from - 1);
			}
			append(b);
		}
		append(epi);
		return p;
	}
};

struct Outcome {
	bool ok;             // both ran
	std::string why;     // when not
	uint64_t r0_jit = 0, r0_interp = 0;
	std::vector<uint8_t> ctx_jit, ctx_interp;
	int jit_error = 0;
	uint8_t jit_error_opcode = 0;
	bool differs() const { return ok && (r0_jit != r0_interp || ctx_jit != ctx_interp); }
};

Outcome run_both(const Program &prog, const std::vector<uint8_t> &ctx_init) {
	Outcome o;
	std::vector<Insn> insns = prog.insns;
	std::string err;
	if (!user::fixup_helper_calls(insns, &err)) {
		o.ok = false;
		o.why = err;
		return o;
	}
	// One ctx buffer for both runs, so that ctx addresses agree.
	std::vector<uint8_t> ctx = ctx_init;
	std::vector<MemRegion> regions = {{(uint64_t)(uintptr_t)ctx.data(), ctx.size(), true}};
	InterpResult r = user::interpret(insns, (uint64_t)(uintptr_t)ctx.data(), regions);
	if (r.error != InterpError::NONE) {
		o.ok = false;
		o.why = std::string("interpreter: ") + interp_error_name(r.error) + " at " + std::to_string(r.pc);
		return o;
	}
	o.r0_interp = r.r0;
	o.ctx_interp = ctx;
	ctx = ctx_init;
	user::Jitted j;
	if (!user::jit_compile(insns, prog.stack_depth, &j, &err, &o.jit_error)) {
		o.ok = false;
		o.why = err;
		return o;
	}
	o.r0_jit = j.image.run(ctx.data());
	o.ctx_jit = ctx;
	o.ok = true;
	return o;
}

// Drops instruction i, keeping every jump pointed at the same instruction
// (or, if that was i, at the one after it).
Program without(const Program &p, size_t i) {
	const size_t width = is_ld_imm64(p.insns[i].code) ? 2 : 1;
	Program q;
	q.stack_depth = p.stack_depth;
	for (size_t j = 0; j < p.insns.size(); j++) {
		if (j >= i && j < i + width)
			continue;
		Insn in = p.insns[j];
		const bool jumps = is_jmp(in.code) && op(in.code) != CALL && op(in.code) != EXIT;
		if (jumps && !(j > 0 && is_ld_imm64(p.insns[j - 1].code))) {
			const int64_t t = (int64_t)j + 1 + jump_offset(in);
			if (j < i && t > (int64_t)i)
				set_jump_offset(in, jump_offset(in) - (int64_t)width);
			else if (j > i && t <= (int64_t)i)
				set_jump_offset(in, jump_offset(in) + (int64_t)width);
		}
		q.insns.push_back(in);
		q.removable.push_back(p.removable[j]);
	}
	return q;
}

Program reduce(Program p, const std::vector<uint8_t> &ctx) {
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = p.insns.size(); i-- > 0;) {
			if (i >= p.insns.size() || !p.removable[i])
				continue;
			if (i > 0 && is_ld_imm64(p.insns[i - 1].code) && !p.removable[i])
				continue;  // second half
			Program q = without(p, i);
			if (run_both(q, ctx).differs()) {
				p = q;
				changed = true;
			}
		}
	}
	return p;
}

std::string hex(const std::vector<uint8_t> &v, size_t from, size_t to) {
	std::string s;
	char b[4];
	for (size_t i = from; i < to && i < v.size(); i++) {
		snprintf(b, sizeof(b), "%02x", v[i]);
		s += b;
	}
	return s;
}

void report(const Program &p, const std::vector<uint8_t> &ctx, const Outcome &o,
	    const std::string &out_dir, const std::string &name) {
	printf("FAIL %s: JIT and interpreter disagree (reduced to %zu instructions)\n", name.c_str(),
	       p.insns.size());
	printf("%s", user::format_program(p.insns).c_str());
	printf("  R0: jit 0x%llx, interpreter 0x%llx\n", (unsigned long long)o.r0_jit,
	       (unsigned long long)o.r0_interp);
	for (size_t i = 0; i < o.ctx_jit.size(); i += 8)
		if (memcmp(&o.ctx_jit[i], &o.ctx_interp[i], 8) != 0)
			printf("  ctx[%zu..%zu): jit %s, interpreter %s%s\n", i, i + 8,
			       hex(o.ctx_jit, i, i + 8).c_str(), hex(o.ctx_interp, i, i + 8).c_str(),
			       i >= CTX_INPUT ? " (stack dump)" : "");
	mkdir(out_dir.c_str(), 0755);
	std::string base = out_dir + "/" + name;
	std::ofstream(base + ".bin", std::ios::binary)
		.write((const char *)p.insns.data(), (std::streamsize)(p.insns.size() * sizeof(Insn)));
	std::ofstream(base + ".ctx", std::ios::binary)
		.write((const char *)ctx.data(), (std::streamsize)ctx.size());
	printf("  replay: vjit-run --ctx %s.ctx %s.bin   (and with --interp)\n", base.c_str(), base.c_str());
}

} // namespace

int main(int argc, char **argv) {
	uint64_t iterations = 5000, seed = 1;
	std::string out_dir = "build/fuzz";
	bool allow_skips = false;
	CLI::App app{"differential fuzzing: vjit's JIT (this host's arch) against the reference interpreter"};
	app.add_option("--iterations", iterations, "programs to generate");
	app.add_option("--seed", seed, "random seed");
	app.add_option("--out", out_dir, "where reproducers go");
	app.add_flag("--allow-skips", allow_skips, "programs the JIT rejects as unsupported are not failures");
	CLI11_PARSE(app, argc, argv);

	Generator gen(seed);
	std::vector<uint8_t> ctx(CTX_SIZE);
	uint64_t passed = 0, failed = 0, skipped = 0, invalid = 0, insns_total = 0;
	std::map<std::string, uint64_t> skipped_why;
	// An instruction's table key (core/isa.h): opcode and selecting fields.
	using Key = std::tuple<uint8_t, int16_t, int32_t>;
	std::set<Key> covered;
	const auto t0 = std::chrono::steady_clock::now();

	for (uint64_t it = 0; it < iterations; it++) {
		Program p = gen.program();
		for (size_t i = 0; i < CTX_INPUT; i++)
			ctx[i] = (uint8_t)gen.rng();
		std::fill(ctx.begin() + CTX_INPUT, ctx.end(), 0);
		insns_total += p.insns.size();
		for (size_t i = 0; i < p.insns.size(); i++) {
			const Insn &in = p.insns[i];
			if (i > 0 && is_ld_imm64(p.insns[i - 1].code))
				continue;
			covered.insert(Key{in.code, off_selects(in.code) ? in.off : (int16_t)0,
					   imm_selects(in.code) ? in.imm : 0});
		}
		Outcome o = run_both(p, ctx);
		if (!o.ok) {
			if (o.jit_error == VJIT_E_UNSUPPORTED_OPCODE) {
				skipped++;
				skipped_why[o.why]++;
				continue;
			}
			// A generator bug: the program is not valid.
			invalid++;
			if (invalid <= 5) {
				printf("FAIL invalid program %llu: %s\n%s", (unsigned long long)it, o.why.c_str(),
				       user::format_program(p.insns).c_str());
			}
			continue;
		}
		if (!o.differs()) {
			passed++;
			continue;
		}
		failed++;
		if (failed <= 3) {
			Program small = reduce(p, ctx);
			Outcome so = run_both(small, ctx);
			report(small, ctx, so, out_dir,
			       "mismatch-seed" + std::to_string(seed) + "-" + std::to_string(it));
		}
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

	// Which instructions of cpu-v4 (keyed by their selecting fields) the
	// run exercised. NOSPEC is the kernel's own, never a program's.
	unsigned valid = 0, hit = 0;
	std::string missing;
	for_each_insn_key(Isa::V4, [&](uint8_t code, int16_t off, int32_t imm) {
		if (code == (ST | NOSPEC))
			return;
		valid++;
		if (covered.count(Key{code, off, imm})) {
			hit++;
			return;
		}
		char b[40];
		snprintf(b, sizeof(b), " 0x%02x/%d/%d", code, off, imm);
		missing += b;
	});
	printf("fuzz: seed %llu, %llu programs (%llu instructions) in %.1f s\n",
	       (unsigned long long)seed, (unsigned long long)iterations,
	       (unsigned long long)insns_total, secs);
	printf("fuzz: opcodes exercised: %u of %u valid%s%s\n", hit, valid,
	       missing.empty() ? "" : "; not generated:", missing.c_str());
	printf("fuzz: not generated by design: bpf-to-bpf calls (no rule in the table), "
	       "tail calls, kfuncs\n");
	printf("fuzz: agreed %llu, mismatched %llu, skipped (unsupported by the JIT) %llu, "
	       "invalid (generator bugs) %llu\n",
	       (unsigned long long)passed, (unsigned long long)failed, (unsigned long long)skipped,
	       (unsigned long long)invalid);
	for (const auto &w : skipped_why)
		printf("fuzz: skipped %llu programs: %s\n", (unsigned long long)w.second, w.first.c_str());
	const uint64_t bad = failed + invalid + (allow_skips ? 0 : skipped);
	// One test (the campaign), failed once per mismatching or invalid
	// program: thousands of agreeing programs are not thousands of tests.
	printf("RESULT: %d passed, %llu failed\n", bad ? 0 : 1, (unsigned long long)bad);
	return bad ? 1 : 0;
}
