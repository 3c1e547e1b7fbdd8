// SPDX-License-Identifier: GPL-2.0
// The x86-64 ISA model (arch/x86_64/model.h) against the real CPU: random
// instructions of every form the model knows, with random registers, flags
// and memory, run natively and in the model; registers, flags (where the
// model defines them) and memory must agree, and so must faults. Each
// generated instruction is also decoded by capstone, which must agree on
// its length.
#include <capstone/capstone.h>
#include <gtest/gtest.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "arch/x86_64/model.h"

extern "C" void vjit_x86_run_native(uint64_t *st, const void *code);

namespace vjit {
namespace {

using namespace x86_64::model;
using C = Concrete;

constexpr size_t BUF = 4096;

struct ConcreteEnv {
	uint64_t base;  // address of mem[0]
	std::vector<uint8_t> mem;
	bool bad_access = false;
	unsigned undef = 0;  // flags the last run left undefined (1 cf, 2 zf, 4 sf, 8 of)
	unsigned fences = 0;
	unsigned landings = 0;  // endbr64s run

	CBV<64> load(unsigned n, CBV<64> a, Access) {
		uint64_t v = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t x = a.v + i - base;
			if (x >= mem.size()) {
				bad_access = true;
				return 0;
			}
			v |= (uint64_t)mem[x] << (8 * i);
		}
		return v;
	}
	void store(unsigned n, CBV<64> a, CBV<64> v, Access) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t x = a.v + i - base;
			if (x >= mem.size()) {
				bad_access = true;
				return;
			}
			mem[x] = (uint8_t)(v.v >> (8 * i));
		}
	}
	void call(CBV<64>, State<C> &) { bad_access = true; }
	void fence(vjit::x86_64::model::Fence) { fences++; }
	void landing(uint32_t) { landings++; }
	bool undef_bool(const char *what) {
		std::string w(what);
		undef |= w == "cf" ? 1 : w == "zf" ? 2 : w == "sf" ? 4 : w == "of" ? 8 : 16;
		return false;
	}
	CBV<64> undef64(const char *) { return 0; }
};

sigjmp_buf fault_jmp;
void on_fault(int) { siglongjmp(fault_jmp, 1); }

// Runs code natively; returns false when it faulted.
bool run_native(uint64_t *st, const std::vector<uint8_t> &code) {
	static uint8_t *page = nullptr;
	if (!page)
		page = (uint8_t *)mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(page, code.data(), code.size());
	page[code.size()] = 0xc3;
	struct sigaction sa {}, old_fpe, old_ill, old_segv;
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGFPE, &sa, &old_fpe);
	sigaction(SIGILL, &sa, &old_ill);
	sigaction(SIGSEGV, &sa, &old_segv);
	bool ok = true;
	if (sigsetjmp(fault_jmp, 1) == 0)
		vjit_x86_run_native(st, page);
	else
		ok = false;
	sigaction(SIGFPE, &old_fpe, nullptr);
	sigaction(SIGILL, &old_ill, nullptr);
	sigaction(SIGSEGV, &old_segv, nullptr);
	return ok;
}

const uint64_t FLAG_CF = 1, FLAG_PF = 4, FLAG_AF = 0x10, FLAG_ZF = 0x40, FLAG_SF = 0x80, FLAG_OF = 0x800;

// One instruction form to generate.
enum class Kind { MODRM, PLUS_R, NONE };
struct Form {
	const char *name;
	std::vector<uint8_t> opcode;
	Kind kind;
	int digit;      // /digit in ModRM.reg, -1: a register
	int imm;        // immediate bytes; -2: 2 or 4 by operand size; -3: movabs (4 or 8)
	bool reg_ok, mem_ok;
	bool byte_op;   // 8-bit register operands
	bool w_choice;  // REX.W random (else fixed by w)
	bool w;
	bool o16_ok;    // a 66 prefix may be added
	bool lock;      // LOCK prefix (memory forms only)
	bool flags;     // compare the flags (those the model defines)
	std::vector<uint8_t> tail;  // bytes after the instruction (jump targets)
	bool fixed = false;         // opcode is the whole instruction, prefixes included
	bool capstone_knows = true; // capstone 4 decodes it
	bool fence = false;         // the model must report one barrier
};

std::vector<Form> forms() {
	std::vector<Form> f;
	const char *alu_names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
	for (int op : {0, 1, 4, 5, 6, 7}) {
		uint8_t b = (uint8_t)(op << 3);
		std::string n = alu_names[op];
		f.push_back({strdup((n + " r/m8, r8").c_str()), {b}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
		f.push_back({strdup((n + " r/m, r").c_str()), {(uint8_t)(b + 1)}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup((n + " r8, r/m8").c_str()), {(uint8_t)(b + 2)}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
		f.push_back({strdup((n + " r, r/m").c_str()), {(uint8_t)(b + 3)}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup((n + " al, imm8").c_str()), {(uint8_t)(b + 4)}, Kind::NONE, -1, 1, false, false, true, false, false, false, false, true, {}});
		f.push_back({strdup((n + " eax, imm").c_str()), {(uint8_t)(b + 5)}, Kind::NONE, -1, -2, false, false, false, true, false, true, false, true, {}});
		f.push_back({strdup((n + " r/m8, imm8").c_str()), {0x80}, Kind::MODRM, op, 1, true, true, true, false, false, false, false, true, {}});
		f.push_back({strdup((n + " r/m, imm").c_str()), {0x81}, Kind::MODRM, op, -2, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup((n + " r/m, imm8").c_str()), {0x83}, Kind::MODRM, op, 1, true, true, false, true, false, true, false, true, {}});
		if (op != 7) {
			f.push_back({strdup(("lock " + n + " m, r").c_str()), {(uint8_t)(b + 1)}, Kind::MODRM, -1, 0, false, true, false, true, false, true, true, true, {}});
			f.push_back({strdup(("lock " + n + " m, imm8").c_str()), {0x83}, Kind::MODRM, op, 1, false, true, false, true, false, true, true, true, {}});
		}
	}
	f.push_back({"test r/m8, r8", {0x84}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
	f.push_back({"test r/m, r", {0x85}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"test r/m8, imm8", {0xf6}, Kind::MODRM, 0, 1, true, true, true, false, false, false, false, true, {}});
	f.push_back({"test r/m, imm", {0xf7}, Kind::MODRM, 0, -2, true, true, false, true, false, true, false, true, {}});
	f.push_back({"xchg r/m8, r8", {0x86}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
	f.push_back({"xchg r/m, r", {0x87}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"mov r/m8, r8", {0x88}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
	f.push_back({"mov r/m, r", {0x89}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"mov r8, r/m8", {0x8a}, Kind::MODRM, -1, 0, true, true, true, false, false, false, false, true, {}});
	f.push_back({"mov r, r/m", {0x8b}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"lea r, m", {0x8d}, Kind::MODRM, -1, 0, false, true, false, true, false, true, false, true, {}});
	f.push_back({"movsxd r64, r/m32", {0x63}, Kind::MODRM, -1, 0, true, true, false, false, true, false, false, true, {}});
	f.push_back({"imul r, r/m, imm32", {0x69}, Kind::MODRM, -1, -2, true, true, false, true, false, true, false, false, {}});
	f.push_back({"imul r, r/m, imm8", {0x6b}, Kind::MODRM, -1, 1, true, true, false, true, false, true, false, false, {}});
	f.push_back({"imul r, r/m", {0x0f, 0xaf}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, false, {}});
	f.push_back({"mov r8, imm8", {0xb0}, Kind::PLUS_R, -1, 1, true, false, true, false, false, false, false, true, {}});
	f.push_back({"mov r, imm / movabs", {0xb8}, Kind::PLUS_R, -1, -3, true, false, false, true, false, true, false, true, {}});
	f.push_back({"mov r/m8, imm8", {0xc6}, Kind::MODRM, 0, 1, true, true, true, false, false, false, false, true, {}});
	f.push_back({"mov r/m, imm", {0xc7}, Kind::MODRM, 0, -2, true, true, false, true, false, true, false, true, {}});
	for (int d : {0, 1, 4, 5, 7}) {
		f.push_back({strdup(("shift/" + std::to_string(d) + " r/m, imm8").c_str()), {0xc1}, Kind::MODRM, d, 1, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup(("shift/" + std::to_string(d) + " r/m, 1").c_str()), {0xd1}, Kind::MODRM, d, 0, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup(("shift/" + std::to_string(d) + " r/m, cl").c_str()), {0xd3}, Kind::MODRM, d, 0, true, true, false, true, false, true, false, true, {}});
	}
	for (int d : {2, 3, 4, 5, 6, 7})
		f.push_back({strdup(("group3/" + std::to_string(d)).c_str()), {0xf7}, Kind::MODRM, d, 0, true, true, false, true, false, false, false, true, {}});
	f.push_back({"cdq/cqo", {0x99}, Kind::NONE, -1, 0, false, false, false, true, false, false, false, true, {}});
	f.push_back({"movzx r, r/m8", {0x0f, 0xb6}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"movzx r, r/m16", {0x0f, 0xb7}, Kind::MODRM, -1, 0, true, true, false, true, false, false, false, true, {}});
	f.push_back({"movsx r, r/m8", {0x0f, 0xbe}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
	f.push_back({"movsx r, r/m16", {0x0f, 0xbf}, Kind::MODRM, -1, 0, true, true, false, true, false, false, false, true, {}});
	f.push_back({"bswap r", {0x0f, 0xc8}, Kind::PLUS_R, -1, 0, true, false, false, true, false, false, false, true, {}});
	f.push_back({"xadd r/m, r", {0x0f, 0xc1}, Kind::MODRM, -1, 0, true, true, false, true, false, false, false, true, {}});
	f.push_back({"lock xadd m, r", {0x0f, 0xc1}, Kind::MODRM, -1, 0, false, true, false, true, false, false, true, true, {}});
	f.push_back({"lock cmpxchg m, r", {0x0f, 0xb1}, Kind::MODRM, -1, 0, false, true, false, true, false, false, true, true, {}});
	f.push_back({"nop r/m", {0x0f, 0x1f}, Kind::MODRM, 0, 0, false, true, false, false, false, true, false, true, {}});
	f.push_back({"nop", {0x90}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, {}});
	// Barriers (BPF_NOSPEC, Spectre-BHI): no architectural effect.
	f.push_back({"lfence", {0x0f, 0xae, 0xe8}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, {}, true, true, true});
	f.push_back({"ibhf", {0xf3, 0x48, 0x0f, 0x1e, 0xf8}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, {}, true, false, true});
	for (int cc = 0; cc < 16; cc++) {
		if (cc == 0xa || cc == 0xb)
			continue;  // parity: PF is not modelled
		// mov r11d, imm32 after the jump shows whether it was taken.
		std::vector<uint8_t> tail = {0x41, 0xbb, 0x11, 0x22, 0x33, 0x44};
		f.push_back({strdup(("jcc8/" + std::to_string(cc)).c_str()), {(uint8_t)(0x70 + cc), 6}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, tail});
		f.push_back({strdup(("jcc32/" + std::to_string(cc)).c_str()), {0x0f, (uint8_t)(0x80 + cc), 6, 0, 0, 0}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, tail});
		f.push_back({strdup(("cmovcc/" + std::to_string(cc)).c_str()), {0x0f, (uint8_t)(0x40 + cc)}, Kind::MODRM, -1, 0, true, true, false, true, false, true, false, true, {}});
		f.push_back({strdup(("setcc/" + std::to_string(cc)).c_str()), {0x0f, (uint8_t)(0x90 + cc)}, Kind::MODRM, 0, 0, true, true, true, false, false, false, false, true, {}});
	}
	std::vector<uint8_t> tail = {0x41, 0xbb, 0x11, 0x22, 0x33, 0x44};
	f.push_back({"jmp rel8", {0xeb, 6}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, tail});
	f.push_back({"jmp rel32", {0xe9, 6, 0, 0, 0}, Kind::NONE, -1, 0, false, false, false, false, false, false, false, true, tail});
	// push r; pop r' (balanced, so the harness's stack survives).
	f.push_back({"push r; pop r", {0x50}, Kind::PLUS_R, -1, 0, true, false, false, false, false, false, false, true, {0x41, 0x5b}});
	f.push_back({"push imm8; pop r11", {0x6a}, Kind::NONE, -1, 1, false, false, false, false, false, false, false, true, {0x41, 0x5b}});
	return f;
}

struct Gen {
	std::mt19937_64 rng;
	explicit Gen(uint64_t seed) : rng(seed) {}
	uint64_t u(uint64_t n) { return rng() % n; }
	uint64_t value() {
		static const uint64_t special[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000,
						   0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
						   0x8000000000000000ull, ~0ull, ~0ull - 1};
		switch (u(4)) {
		case 0: return special[u(sizeof(special) / 8)];
		case 1: return u(64);
		case 2: return (uint64_t)(int64_t)(int32_t)rng();
		default: return rng();
		}
	}
	// A register number for an operand, never rsp (4 is ah without REX for bytes).
	unsigned reg(bool byte_op, bool rex) {
		for (;;) {
			unsigned r = (unsigned)u(rex ? 16 : 8);
			if (r != 4 || (byte_op && !rex))
				return r;
		}
	}
};

struct Case {
	std::vector<uint8_t> code;
	uint64_t st[17];
	bool uses_mem = false;
	unsigned single_len = 0;  // length of the instruction under test
};

// Builds one random instance of form f. The memory base register, if any,
// points into buf.
Case make_case(Gen &g, const Form &f, uint64_t buf_addr) {
	Case c;
	for (unsigned i = 0; i < 16; i++)
		c.st[i] = g.value();
	uint64_t fl = 0x2;
	for (uint64_t b : {FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF})
		if (g.u(2))
			fl |= b;
	c.st[16] = fl;
	if (f.fixed) {
		c.code = f.opcode;
		c.single_len = (unsigned)c.code.size();
		return c;
	}
	bool o16 = f.o16_ok && g.u(4) == 0;
	bool w = f.w_choice ? g.u(2) : f.w;
	bool mem = f.mem_ok && (!f.reg_ok || g.u(2));
	if (f.lock)
		c.code.push_back(0xf0);
	if (o16) {
		c.code.push_back(0x66);
		w = false;
	}
	// REX: required by W; otherwise random (a bare 0x40 matters for bytes).
	bool rex = w || g.u(2);
	unsigned reg = 0, rm = 0, base = 0, index = 4;
	uint8_t rex_b = 0x40 | (w ? 8 : 0);
	uint8_t modrm = 0, sib = 0;
	std::vector<uint8_t> disp;
	bool use_sib = false;
	if (f.kind == Kind::MODRM) {
		reg = f.digit >= 0 ? (unsigned)f.digit : g.reg(f.byte_op, rex);
		if (!mem) {
			rm = g.reg(f.byte_op, rex);
			modrm = (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7));
			if (rm & 8) rex_b |= 1;
		} else {
			unsigned mod = 1 + (unsigned)g.u(2);
			use_sib = g.u(3) == 0;
			do
				base = (unsigned)g.u(rex ? 16 : 8);
			while (base == 4 || (base & 7) == 5 || (!use_sib && (base & 7) == 4));
			if (g.u(2))
				mod = 0;
			if (use_sib) {
				index = (unsigned)g.u(rex ? 16 : 8);
				if (index == base)
					index = 4;
				unsigned scale = (unsigned)g.u(4);
				sib = (uint8_t)((scale << 6) | ((index & 7) << 3) | (base & 7));
				modrm = (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4);
				if (index & 8) rex_b |= 2;
				if (index != 4)
					c.st[index] = g.u(16);
			} else {
				modrm = (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7));
			}
			if (base & 8) rex_b |= 1;
			c.st[base] = buf_addr + 1024 + g.u(64);
			if (mod == 1)
				disp.push_back((uint8_t)(int8_t)(int)(g.u(128) - 64));
			if (mod == 2) {
				int32_t d = (int32_t)g.u(512) - 256;
				for (int i = 0; i < 4; i++)
					disp.push_back((uint8_t)(d >> (8 * i)));
			}
			c.uses_mem = true;
		}
		if (reg & 8) rex_b |= 4;
	}
	uint8_t plus = 0;
	if (f.kind == Kind::PLUS_R) {
		unsigned r = g.reg(f.byte_op, rex);
		plus = (uint8_t)(r & 7);
		if (r & 8) rex_b |= 1;
	}
	if (rex)
		c.code.push_back(rex_b);
	for (size_t i = 0; i < f.opcode.size(); i++) {
		uint8_t b = f.opcode[i];
		if (i + 1 == f.opcode.size() && f.kind == Kind::PLUS_R)
			b |= plus;
		c.code.push_back(b);
	}
	if (f.kind == Kind::MODRM) {
		c.code.push_back(modrm);
		if (use_sib)
			c.code.push_back(sib);
		c.code.insert(c.code.end(), disp.begin(), disp.end());
	}
	int imm = f.imm;
	if (imm == -2)
		imm = o16 ? 2 : 4;
	if (imm == -3)
		imm = w ? 8 : o16 ? 2 : 4;
	uint64_t iv = g.value();
	for (int i = 0; i < imm; i++)
		c.code.push_back((uint8_t)(iv >> (8 * i)));
	c.single_len = (unsigned)c.code.size();
	c.code.insert(c.code.end(), f.tail.begin(), f.tail.end());
	// Divisions: mostly a dividend the model handles (rdx 0 or rax's sign).
	bool rdx_is_address = c.uses_mem && (base == 2 || (use_sib && index == 2));
	if (f.opcode[0] == 0xf7 && (f.digit == 6 || f.digit == 7) && g.u(4) && !rdx_is_address) {
		c.st[2] = f.digit == 6 ? 0 : (uint64_t)((int64_t)c.st[0] >> 63);
		if (!w)
			c.st[2] = f.digit == 6 ? 0 : (uint64_t)((int32_t)c.st[0] >> 31) & 0xffffffff;
	}
	return c;
}

class ModelVsCpu : public ::testing::TestWithParam<size_t> {};

TEST_P(ModelVsCpu, Agrees) {
	static std::vector<Form> all = forms();
	const Form &f = all[GetParam()];
	alignas(64) static uint8_t buf[BUF];
	Gen g(0x5eed0000 + GetParam());
	csh cs;
	ASSERT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	unsigned compared = 0, skipped = 0;
	for (int iter = 0; iter < 400; iter++) {
		Case c = make_case(g, f, (uint64_t)buf);
		for (size_t i = 0; i < BUF; i += 8) {
			uint64_t r = g.rng();
			memcpy(buf + i, &r, 8);
		}
		// Capstone must see one instruction of the same length.
		cs_insn *ci = nullptr;
		size_t n = cs_disasm(cs, c.code.data(), c.single_len, 0x1000, 1, &ci);
		std::string hex;
		for (uint8_t b : c.code) {
			char t[4];
			snprintf(t, sizeof t, "%02x ", b);
			hex += t;
		}
		std::string text = f.name;
		if (f.capstone_knows) {
			ASSERT_EQ(n, 1u) << f.name << ": " << hex;
			ASSERT_EQ(ci[0].size, c.single_len) << f.name << ": " << ci[0].mnemonic << " " << ci[0].op_str;
			text = std::string(ci[0].mnemonic) + " " + ci[0].op_str;
		}
		if (n)
			cs_free(ci, n);

		// The model.
		ConcreteEnv env;
		env.base = (uint64_t)buf;
		env.mem.assign(buf, buf + BUF);
		State<C> s;
		for (unsigned i = 0; i < 16; i++)
			s.gpr[i] = c.st[i];
		s.gpr[4] = (uint64_t)buf + BUF - 64;  // a stack inside the model's memory
		s.cf = c.st[16] & FLAG_CF;
		s.zf = c.st[16] & FLAG_ZF;
		s.sf = c.st[16] & FLAG_SF;
		s.of = c.st[16] & FLAG_OF;
		std::vector<CBV<8>> bytes(c.code.begin(), c.code.end());
		static uint8_t *page_addr = nullptr;
		(void)page_addr;
		Code<C> code{bytes.data(), (uint32_t)bytes.size(), CBV<64>(0x10000)};
		Machine<C, ConcreteEnv> mach(s, env, code);
		Stop<C> stop = mach.run();
		if (stop.status == Status::UNDECODED && strstr(stop.why, "128-bit")) {
			skipped++;
			continue;
		}
		ASSERT_NE(stop.status, Status::UNDECODED) << f.name << " [" << text << "]: " << stop.why;
		ASSERT_FALSE(env.bad_access) << f.name << " [" << text << "]";
		ASSERT_EQ(env.fences, f.fence ? 1u : 0u) << f.name << ": barriers reported";

		uint64_t st[17];
		memcpy(st, c.st, sizeof st);
		bool cpu_ok = run_native(st, c.code);
		bool model_ok = stop.status == Status::EXITED;
		ASSERT_EQ(cpu_ok, model_ok) << f.name << " [" << text << "]: fault on " << (cpu_ok ? "model" : "cpu")
					    << " only (" << stop.why << ") " << hex << " rax=" << std::hex << c.st[0]
					    << " rdx=" << c.st[2];
		if (!cpu_ok) {
			skipped++;
			continue;
		}
		ASSERT_EQ(stop.pc.v, 0x10000 + bytes.size()) << f.name;
		for (unsigned i = 0; i < 16; i++) {
			if (i == 4)
				continue;
			ASSERT_EQ(s.gpr[i].v, st[i]) << f.name << " [" << text << "]: register " << i
						     << " differs (in: " << std::hex << c.st[i] << ")";
		}
		if (f.flags) {
			struct { unsigned bit; uint64_t mask; bool model; const char *n; } fl[] = {
				{1, FLAG_CF, s.cf, "cf"}, {2, FLAG_ZF, s.zf, "zf"},
				{4, FLAG_SF, s.sf, "sf"}, {8, FLAG_OF, s.of, "of"}};
			for (auto &x : fl) {
				if (!(env.undef & x.bit)) {
					ASSERT_EQ(x.model, (st[16] & x.mask) != 0)
						<< f.name << " [" << text << "]: flag " << x.n;
				}
			}
		}
		if (c.uses_mem) {
			ASSERT_EQ(0, memcmp(env.mem.data(), buf, BUF - 128)) << f.name << " [" << text << "]: memory";
		}
		compared++;
	}
	cs_close(&cs);
	EXPECT_GT(compared, 30u) << f.name << ": too few cases ran (" << skipped << " faulted)";
}

INSTANTIATE_TEST_SUITE_P(Forms, ModelVsCpu, ::testing::Range<size_t>(0, forms().size()),
			 [](const ::testing::TestParamInfo<size_t> &i) {
				 std::string n = forms()[i.param].name;
				 std::string out;
				 for (char ch : n)
					 out += isalnum((unsigned char)ch) ? ch : '_';
				 return out + "_" + std::to_string(i.param);
			 });

} // namespace
} // namespace vjit
