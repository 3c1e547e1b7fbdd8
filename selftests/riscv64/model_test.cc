// SPDX-License-Identifier: GPL-2.0
// The riscv64 ISA model (arch/riscv64/model.h) against qemu-riscv64:
// random instances of every modelled form, in sequences, run under qemu
// (selftests/riscv64/runner.cc) inside a wrapper that loads and stores the
// whole register file, and in the model from the same registers and
// memory; the registers and the memory must agree. And every emitted word
// of the table's rules decodes in the model.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "arch/riscv64/lower.h"
#include "arch/riscv64/model.h"
#include "selftests/riscv64/binutils.h"
#include "selftests/riscv64/harness.h"

using namespace vjit;
using namespace vjit::riscv64;
using vjit_test::Job;
using namespace rv_runner;

namespace {

using C = Concrete;
using R = CBV<5>;

// The data region: the register file at 0, the wrapper's saved registers
// at 256, memory the instances use at [MEM_LO, MEM_HI), x31 (never
// written by an instance) pointing into its middle.
constexpr uint32_t REGS = 0, SAVED = 256, MEM_LO = 1024, MEM_HI = 2048;
constexpr uint64_t BASE = DATA_ADDR + 1536;
constexpr unsigned BASE_REG = 31;

struct TestEnv {
	uint8_t *data;  // the data region
	bool ok = true;
	uint8_t *at_addr(uint64_t a, unsigned n) {
		if (a < DATA_ADDR + MEM_LO || a + n > DATA_ADDR + MEM_HI) {
			ok = false;
			return nullptr;
		}
		return data + (a - DATA_ADDR);
	}
	CBV<64> load(unsigned n, CBV<64> a, model::Access) {
		uint8_t *p = at_addr(a.v, n);
		uint64_t v = 0;
		for (unsigned i = 0; p && i < n; i++)
			v |= (uint64_t)p[i] << (8 * i);
		return v;
	}
	void store(unsigned n, CBV<64> a, CBV<64> v, model::Access) {
		uint8_t *p = at_addr(a.v, n);
		for (unsigned i = 0; p && i < n; i++)
			p[i] = (uint8_t)(v.v >> (8 * i));
	}
	void call(CBV<64>, model::State<C> &) { ok = false; }
	void fence() {}
	bool undef_bool(const char *) { return true; }
	bool at(uint32_t, model::State<C> &) { return true; }
};

template <typename F>
void emit(std::vector<uint8_t> &out, F f) {
	JitCtx<C> c;
	uint8_t buf[64];
	c.buf = buf;
	c.cap = sizeof buf;
	f(c);
	out.insert(out.end(), buf, buf + c.len);
}

// ld/sd x5..x30 (and a0 is among them) through tp; ra, gp, tp, s0-s11 saved.
const unsigned kSavedRegs[] = {1, 3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};

std::vector<uint8_t> wrapper_prologue() {
	std::vector<uint8_t> w;
	for (unsigned i = 0; i < 15; i++)
		emit(w, [&](JitCtx<C> &c) { rv_store<C>(c, Width::D, R(kSavedRegs[i]), R(A0), CBV<12>(SAVED + 8 * i)); });
	emit(w, [&](JitCtx<C> &c) { rv_addi<C>(c, R(TP), R(A0), CBV<12>(0)); });
	for (unsigned r = 5; r < 32; r++)
		emit(w, [&](JitCtx<C> &c) { rv_load<C>(c, Width::D, false, R(r), R(TP), CBV<12>(REGS + 8 * r)); });
	return w;
}
std::vector<uint8_t> wrapper_epilogue() {
	std::vector<uint8_t> w;
	for (unsigned r = 5; r < 32; r++)
		emit(w, [&](JitCtx<C> &c) { rv_store<C>(c, Width::D, R(r), R(TP), CBV<12>(REGS + 8 * r)); });
	for (unsigned i = 15; i-- > 0;)  // tp (the base) last
		if (kSavedRegs[i] != TP)
			emit(w, [&](JitCtx<C> &c) { rv_load<C>(c, Width::D, false, R(kSavedRegs[i]), R(TP), CBV<12>(SAVED + 8 * i)); });
	emit(w, [&](JitCtx<C> &c) { rv_load<C>(c, Width::D, false, R(TP), R(TP), CBV<12>(SAVED + 8 * 2)); });
	emit(w, [&](JitCtx<C> &c) { rv_jalr<C>(c, R(ZERO), R(RA), CBV<12>(0)); });
	return w;
}

struct Gen {
	std::mt19937_64 rng;
	explicit Gen(uint64_t seed) : rng(seed) {}
	unsigned dst() { unsigned r = 5 + rng() % 26; return rng() % 16 == 0 ? 0 : r; }  // x5..x30, sometimes x0
	unsigned src() { return rng() % 8 == 0 ? 0 : 5 + rng() % 27; }
	uint64_t val() {
		static const uint64_t edges[] = {0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
						 0x80000000ull, 0xffffffffull, 0x7fffffffull, 0xffffffff80000000ull, 32, 63};
		return rng() % 3 == 0 ? edges[rng() % 11] : rng();
	}
	// One random instance of a random form; `n` names the form.
	void instance(std::vector<uint8_t> &out, std::string &n) {
		const unsigned d = dst(), a = src(), b = src();
		const CBV<12> i12((uint32_t)rng());
		switch (rng() % 12) {
		case 0: {
			static const ROp ops[] = {ROp::ADD, ROp::SUB, ROp::SLL, ROp::SLT, ROp::SLTU, ROp::XOR, ROp::SRL,
						  ROp::SRA, ROp::OR, ROp::AND, ROp::MUL, ROp::DIV, ROp::DIVU, ROp::REM, ROp::REMU};
			const ROp op = ops[rng() % 15];
			n += " op" + std::to_string((int)op);
			emit(out, [&](JitCtx<C> &c) { rv_op<C>(c, op, R(d), R(a), R(b)); });
			return;
		}
		case 1: {
			static const ROp ops[] = {ROp::ADD, ROp::SUB, ROp::SLL, ROp::SRL, ROp::SRA, ROp::MUL,
						  ROp::DIV, ROp::DIVU, ROp::REM, ROp::REMU};
			const ROp op = ops[rng() % 10];
			n += " opw" + std::to_string((int)op);
			emit(out, [&](JitCtx<C> &c) { rv_opw<C>(c, op, R(d), R(a), R(b)); });
			return;
		}
		case 2: {
			static const IOp ops[] = {IOp::ADDI, IOp::SLTI, IOp::SLTIU, IOp::XORI, IOp::ORI, IOp::ANDI};
			const IOp op = ops[rng() % 6];
			n += " opi" + std::to_string((int)op);
			emit(out, [&](JitCtx<C> &c) { rv_opi<C>(c, op, R(d), R(a), i12); });
			return;
		}
		case 3:
			n += " addiw";
			emit(out, [&](JitCtx<C> &c) { rv_addiw<C>(c, R(d), R(a), i12); });
			return;
		case 4: {
			static const ShOp ops[] = {ShOp::SLL, ShOp::SRL, ShOp::SRA};
			const ShOp op = ops[rng() % 3];
			const bool w = rng() & 1;
			n += w ? " shiftiw" : " shifti";
			emit(out, [&](JitCtx<C> &c) {
				if (w)
					rv_shiftiw<C>(c, op, R(d), R(a), CBV<5>((uint32_t)rng()));
				else
					rv_shifti<C>(c, op, R(d), R(a), CBV<6>((uint32_t)rng()));
			});
			return;
		}
		case 5:
			n += (rng() & 1) ? " lui" : " auipc";
			emit(out, [&](JitCtx<C> &c) {
				if (n.back() == 'i')
					rv_lui<C>(c, R(d), CBV<20>((uint32_t)rng()));
				else
					rv_auipc<C>(c, R(d), CBV<20>((uint32_t)rng()));
			});
			return;
		case 6: {  // a branch over the next instruction
			static const BrCond cs[] = {BrCond::EQ, BrCond::NE, BrCond::LT, BrCond::GE, BrCond::LTU, BrCond::GEU};
			const BrCond cc = cs[rng() % 6];
			n += " branch" + std::to_string((int)cc);
			emit(out, [&](JitCtx<C> &c) { rv_branch<C>(c, cc, R(a), R(b), CBV<13>(8)); });
			emit(out, [&](JitCtx<C> &c) { rv_addi<C>(c, R(d), R(d), CBV<12>(1)); });
			return;
		}
		case 7:  // jal over the next instruction
			n += " jal";
			emit(out, [&](JitCtx<C> &c) { rv_jal<C>(c, R(d), CBV<21>(8)); });
			emit(out, [&](JitCtx<C> &c) { rv_addi<C>(c, R(a == 0 ? 5 : a), R(ZERO), CBV<12>(7)); });
			return;
		case 8: {
			const unsigned lg = rng() % 4;
			const bool u = lg < 3 && (rng() & 1);
			const int32_t off = ((int32_t)(rng() % 1000) - 500) & ~((1 << lg) - 1);
			n += " load" + std::to_string(lg) + (u ? "u" : "");
			emit(out, [&](JitCtx<C> &c) { rv_load<C>(c, (Width)lg, u, R(d), R(BASE_REG), CBV<12>((uint32_t)off)); });
			return;
		}
		case 9: {
			const unsigned lg = rng() % 4;
			const int32_t off = ((int32_t)(rng() % 1000) - 500) & ~((1 << lg) - 1);
			n += " store" + std::to_string(lg);
			emit(out, [&](JitCtx<C> &c) { rv_store<C>(c, (Width)lg, R(a), R(BASE_REG), CBV<12>((uint32_t)off)); });
			return;
		}
		case 10: {  // an AMO at x31
			static const AmoOp ops[] = {AmoOp::ADD, AmoOp::SWAP, AmoOp::XOR, AmoOp::OR, AmoOp::AND};
			const AmoOp op = ops[rng() % 5];
			const Width w = (rng() & 1) ? Width::W : Width::D;
			const Order o = (Order)(rng() % 4);
			n += " amo" + std::to_string((int)op) + (w == Width::W ? "w" : "d");
			emit(out, [&](JitCtx<C> &c) { rv_amo<C>(c, op, o, w, R(d), R(BASE_REG), R(b)); });
			return;
		}
		default: {  // lr; sc at x31, and a fence
			const Width w = (rng() & 1) ? Width::W : Width::D;
			n += w == Width::W ? " lr/sc.w" : " lr/sc.d";
			const unsigned d2 = d == 0 ? 6 : d;
			emit(out, [&](JitCtx<C> &c) { rv_amo<C>(c, AmoOp::LR, Order::AQRL, w, R(d2), R(BASE_REG), R(0)); });
			emit(out, [&](JitCtx<C> &c) { rv_amo<C>(c, AmoOp::SC, Order::RL, w, R(dst()), R(BASE_REG), R(b)); });
			emit(out, [&](JitCtx<C> &c) { rv_fence<C>(c, 3, 3); });
			return;
		}
		}
	}
};

TEST(Riscv64Model, AgreesWithQemuOnRandomInstances) {
	Gen g(20261203);
	const std::vector<uint8_t> pro = wrapper_prologue(), epi = wrapper_epilogue();
	std::vector<Job> jobs;
	std::vector<std::vector<uint8_t>> snippets;
	std::vector<std::string> names;
	std::vector<std::vector<uint8_t>> datas;
	for (int k = 0; k < 1500; k++) {
		std::vector<uint8_t> snip;
		std::string n;
		for (int i = 0; i < 6; i++)
			g.instance(snip, n);
		std::vector<uint8_t> data = vjit_test::data_pattern();
		for (unsigned r = 5; r < 32; r++) {
			const uint64_t v = r == BASE_REG ? BASE : g.val();
			memcpy(&data[REGS + 8 * r], &v, 8);
		}
		Job j;
		j.image = pro;
		j.image.insert(j.image.end(), snip.begin(), snip.end());
		j.image.insert(j.image.end(), epi.begin(), epi.end());
		j.data = data;
		j.stack = vjit_test::stack_pattern();
		jobs.push_back(j);
		snippets.push_back(snip);
		names.push_back(n);
		datas.push_back(data);
	}
	std::string err;
	ASSERT_TRUE(vjit_test::run_jobs(jobs, &err)) << err;
	unsigned bad = 0;
	for (size_t k = 0; k < jobs.size(); k++) {
		std::vector<uint8_t> mem = datas[k];
		model::State<C> s;
		for (unsigned r = 0; r < 32; r++)
			s.x[r] = 0;
		for (unsigned r = 5; r < 32; r++) {
			uint64_t v;
			memcpy(&v, &mem[REGS + 8 * r], 8);
			s.x[r] = v;
		}
		TestEnv env{mem.data()};
		std::vector<CBV<8>> bytes(snippets[k].begin(), snippets[k].end());
		model::Code<C> code{bytes.data(), (uint32_t)bytes.size(), IMAGE_ADDR + pro.size()};
		model::Machine<C, TestEnv> m(s, env, code);
		model::Stop<C> st = m.run();
		bool ok = env.ok && st.status == model::Status::EXITED && jobs[k].status == 0;
		for (unsigned r = 5; ok && r < 32; r++) {
			uint64_t q;
			memcpy(&q, &jobs[k].data_out[REGS + 8 * r], 8);
			if (q != s.x[r].v) {
				ok = false;
				if (bad < 10)
					ADD_FAILURE() << names[k] << ": x" << r << " qemu " << std::hex << q << " model " << s.x[r].v;
			}
		}
		if (ok && memcmp(&mem[MEM_LO], &jobs[k].data_out[MEM_LO], MEM_HI - MEM_LO) != 0) {
			ok = false;
			if (bad < 10)
				ADD_FAILURE() << names[k] << ": memory differs";
		}
		if (!ok && bad++ < 10 && (st.status != model::Status::EXITED || !env.ok || jobs[k].status))
			ADD_FAILURE() << names[k] << ": model " << (int)st.status << " " << st.why << " env " << env.ok
				      << " qemu signal " << jobs[k].status;
	}
	EXPECT_EQ(bad, 0u) << "of " << jobs.size();
}

// Every word the table emits for a few instances of each rule is an
// instruction for binutils' disassembler too.
TEST(Riscv64Model, BinutilsDecodesEveryRulesWords) {
	const Table<C> t = riscv64_table<C>();
	for (size_t i = 0; i < t.n; i++) {
		const Rule<C> &r = t.rules[i];
		for (int32_t imm : {0, 5, -3000, 0x12345678}) {
			InsnFields<C> in;
			in.code = r.code;
			in.dst = 1;
			in.src = 2;
			in.off = r.off ? r.off : (int16_t)8;
			in.imm = imm_selects(r.code) ? r.imm : imm;
			in.imm_hi = 0x12345;
			uint8_t buf[256];
			JitCtx<C> c;
			c.buf = buf;
			c.cap = sizeof buf;
			r.lower(c, in);
			if (c.error != LowerError::NONE)
				continue;
			std::vector<uint32_t> words;
			for (uint32_t k = 0; k + 4 <= c.len; k += 4)
				words.push_back((uint32_t)buf[k] | (uint32_t)buf[k + 1] << 8 | (uint32_t)buf[k + 2] << 16 |
						(uint32_t)buf[k + 3] << 24);
			const std::vector<std::string> text = vjit_test::rv_disassemble(words);
			for (size_t k = 0; k < text.size(); k++)
				EXPECT_TRUE(!text[k].empty() && text[k].find("unknown") == std::string::npos &&
					    text[k].find(".word") == std::string::npos && text[k].find(".insn") == std::string::npos && text[k].find("byte") == std::string::npos)
					<< r.name << ": word " << k << " " << text[k];
		}
	}
}

} // namespace
