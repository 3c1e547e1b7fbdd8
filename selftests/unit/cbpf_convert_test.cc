// SPDX-License-Identifier: GPL-2.0
// The classic->eBPF converter: real filters (libseccomp's, a tcpdump-style
// socket filter) run through the reference interpreter give the expected
// results; invalid programs are refused as the kernel's checker refuses
// them; on random classic programs the converted code, interpreted and
// JIT-compiled, agrees with the classic semantics (core/cbpf_semantics.h).
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>
#include <vector>

#include "core/cbpf_convert.h"
#include "core/cbpf_semantics.h"
#include "selftests/unit/bpf_asm.h"
#include "selftests/unit/filters.h"
#include "user/bpf_print.h"
#include "user/vjit_runtime.h"

using namespace vjit;
using namespace vjit::asm_;

namespace {

struct Converted {
	CbpfConvertResult r;
	std::vector<Insn> prog;
};

Converted convert(const std::vector<ClassicInsn> &c, CbpfMode mode) {
	CbpfConvertOptions opts;
	opts.mode = mode;
	opts.socket = user::socket_abi();
	std::vector<uint32_t> work(c.size() + 1);
	Converted out;
	out.r = cbpf_convert(c.data(), (uint32_t)c.size(), opts, nullptr, 0, work.data());
	if (out.r.error != CbpfError::NONE)
		return out;
	out.prog.resize(out.r.len);
	out.r = cbpf_convert(c.data(), (uint32_t)c.size(), opts, out.prog.data(),
			     (uint32_t)out.prog.size(), work.data());
	return out;
}

// Runs a converted seccomp filter on a seccomp_data through the interpreter.
uint64_t run_seccomp(const std::vector<Insn> &prog, const test::SeccompData &sd) {
	std::vector<MemRegion> regions = {{(uint64_t)(uintptr_t)&sd, sizeof(sd), false}};
	InterpResult r = user::interpret(prog, (uint64_t)(uintptr_t)&sd, regions);
	EXPECT_EQ(r.error, InterpError::NONE) << interp_error_name(r.error) << " at " << r.pc;
	return r.r0;
}

uint64_t run_socket(const std::vector<Insn> &prog, const std::vector<uint8_t> &pkt) {
	std::vector<uint8_t> copy = pkt;
	copy.reserve(copy.size() + 1);
	user::SocketCtx skb{(uint64_t)(uintptr_t)copy.data(), (uint32_t)copy.size(), 0};
	std::vector<MemRegion> regions = {{(uint64_t)(uintptr_t)&skb, sizeof(skb), false},
					  {skb.data, copy.size(), false}};
	InterpResult r = user::interpret(prog, (uint64_t)(uintptr_t)&skb, regions);
	EXPECT_EQ(r.error, InterpError::NONE) << interp_error_name(r.error) << " at " << r.pc;
	return r.r0;
}

constexpr uint32_t ALLOW = 0x7fff0000, KILL = 0x00000000;
constexpr uint32_t errno_action(int e) { return 0x00050000 | (uint32_t)e; }

TEST(CbpfConvert, LibseccompFilter) {
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(1));
	ASSERT_NE(f, nullptr);
	ASSERT_EQ(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(read), 0), 0);
	ASSERT_EQ(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 1)), 0);
	ASSERT_EQ(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)), 0);
	ASSERT_EQ(seccomp_rule_add(f, SCMP_ACT_KILL, SCMP_SYS(ptrace), 0), 0);
	ASSERT_EQ(seccomp_rule_add(f, SCMP_ACT_ERRNO(22), SCMP_SYS(openat), 1,
				   SCMP_A2(SCMP_CMP_GT, 0x1000)), 0);
	std::vector<ClassicInsn> c = test::export_filter(f);
	seccomp_release(f);
	ASSERT_FALSE(c.empty());

	Converted cv = convert(c, CbpfMode::SECCOMP);
	ASSERT_EQ(cv.r.error, CbpfError::NONE) << cbpf_error_name(cv.r.error);
	// The kernel's prologue: A = 0, X = 0, r6 = r1, then the arch load.
	ASSERT_GE(cv.prog.size(), 4u);
	EXPECT_EQ(cv.prog[0].code, ALU | XOR | X);
	EXPECT_EQ(cv.prog[1].code, ALU | XOR | X);
	EXPECT_EQ(cv.prog[1].dst, R7);
	EXPECT_EQ(cv.prog[2].code, ALU64 | MOV | X);
	EXPECT_EQ(cv.prog[2].dst, R6);
	EXPECT_EQ(cv.prog[3].code, LDX | MEM | W);
	EXPECT_EQ(cv.prog[3].off, 4);  // seccomp_data.arch

	using test::sd;
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(read))), ALLOW);
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(write), {1})), ALLOW);
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(write), {2})), errno_action(1));
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(write), {0x100000001ull})), errno_action(1));
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(mmap), {0, 4096, PROT_READ})), ALLOW);
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(mmap), {0, 4096, PROT_READ | PROT_EXEC})),
		  errno_action(1));
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(ptrace))), KILL);
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(openat), {0, 0, 0x1001})), errno_action(22));
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(openat), {0, 0, 0x1000})), errno_action(1));
	EXPECT_EQ(run_seccomp(cv.prog, sd(SCMP_SYS(getpid))), errno_action(1));
	// Another architecture: libseccomp's default for a bad arch is KILL.
	test::SeccompData other = sd(SCMP_SYS(read));
	other.arch = 0x40000003;  // i386
	EXPECT_EQ(run_seccomp(cv.prog, other), KILL);
}

TEST(CbpfConvert, SocketFilterTcpPort22Host) {
	std::vector<ClassicInsn> c = test::tcp_port22_host_filter();
	Converted cv = convert(c, CbpfMode::SOCKET);
	ASSERT_EQ(cv.r.error, CbpfError::NONE) << cbpf_error_name(cv.r.error);
	const uint32_t ip = 0x0a000001, other = 0xc0a80001;
	EXPECT_EQ(run_socket(cv.prog, test::tcp_packet(ip, other, 40000, 22)), 262144u);
	EXPECT_EQ(run_socket(cv.prog, test::tcp_packet(other, ip, 22, 40000)), 262144u);
	EXPECT_EQ(run_socket(cv.prog, test::tcp_packet(other, ip, 23, 40000)), 0u);
	EXPECT_EQ(run_socket(cv.prog, test::tcp_packet(other, other, 22, 22)), 0u);
	std::vector<uint8_t> udp = test::tcp_packet(ip, other, 40000, 22);
	udp[23] = 17;
	EXPECT_EQ(run_socket(cv.prog, udp), 0u);
	// IP options: the header length moves the ports (ldxb 4*([14]&0xf)).
	EXPECT_EQ(run_socket(cv.prog, test::tcp_packet(ip, other, 40000, 22, 8)), 262144u);
	// Truncated before the ports: the failed load returns 0 from the filter.
	std::vector<uint8_t> shortp = test::tcp_packet(ip, other, 40000, 22);
	shortp.resize(36);
	EXPECT_EQ(run_socket(cv.prog, shortp), 0u);
	EXPECT_EQ(run_socket(cv.prog, {}), 0u);
}

TEST(CbpfConvert, DivisionByZeroXReturnsZero) {
	std::vector<ClassicInsn> c = {
		stmt(LD | W | IMM, 100), stmt(LDX | W | IMM, 0),
		stmt(ALU | DIV | X, 0), stmt(cbpf::RET | cbpf::RVAL_K, 7)};
	Converted cv = convert(c, CbpfMode::SECCOMP);
	ASSERT_EQ(cv.r.error, CbpfError::NONE);
	EXPECT_EQ(run_seccomp(cv.prog, test::sd(0)), 0u);
	c[1].k = 3;
	c[3] = stmt(cbpf::RET | cbpf::RVAL_A, 0);
	cv = convert(c, CbpfMode::SECCOMP);
	EXPECT_EQ(run_seccomp(cv.prog, test::sd(0)), 33u);
}

TEST(CbpfConvert, JumpsWithNegativeKCompareUnsigned32) {
	// A = 0xffffffff; jeq #0xffffffff must be taken (eBPF would sign-extend).
	std::vector<ClassicInsn> c = {
		stmt(LD | W | IMM, 0xffffffff),
		jump(JMP | JEQ | K, 0xffffffff, 0, 1),
		stmt(cbpf::RET | cbpf::RVAL_K, 1), stmt(cbpf::RET | cbpf::RVAL_K, 2)};
	Converted cv = convert(c, CbpfMode::SECCOMP);
	ASSERT_EQ(cv.r.error, CbpfError::NONE);
	EXPECT_EQ(run_seccomp(cv.prog, test::sd(0)), 1u);
	c[1] = jump(JMP | JGT | K, 0x80000000, 0, 1);  // unsigned: taken
	EXPECT_EQ(run_seccomp(convert(c, CbpfMode::SECCOMP).prog, test::sd(0)), 1u);
}

TEST(CbpfConvert, ValidationLikeTheKernel) {
	auto err = [](std::vector<ClassicInsn> c, CbpfMode m = CbpfMode::SECCOMP) {
		return convert(c, m).r.error;
	};
	const ClassicInsn ret0 = stmt(cbpf::RET | cbpf::RVAL_K, 0);
	EXPECT_EQ(err({}), CbpfError::EMPTY);
	EXPECT_EQ(err(std::vector<ClassicInsn>(4097, ret0)), CbpfError::TOO_LONG);
	EXPECT_EQ(err({stmt(0xffff, 0), ret0}), CbpfError::BAD_OPCODE);
	EXPECT_EQ(err({stmt(LD | W | IMM | 0x10 /* B */, 0), ret0}), CbpfError::BAD_OPCODE);
	EXPECT_EQ(err({stmt(ALU | DIV | K, 0), ret0}), CbpfError::DIV_BY_ZERO);
	EXPECT_EQ(err({stmt(ALU | MOD | K, 0), ret0}, CbpfMode::SOCKET), CbpfError::DIV_BY_ZERO);
	EXPECT_EQ(err({stmt(ALU | LSH | K, 32), ret0}), CbpfError::BAD_SHIFT);
	EXPECT_EQ(err({stmt(ST, 16), ret0}), CbpfError::BAD_SCRATCH_INDEX);
	EXPECT_EQ(err({stmt(JMP | JA, 1), ret0}), CbpfError::JUMP_OUT_OF_RANGE);
	EXPECT_EQ(err({jump(JMP | JEQ | K, 0, 0, 1), ret0}), CbpfError::JUMP_OUT_OF_RANGE);
	EXPECT_EQ(err({stmt(LD | W | IMM, 0)}), CbpfError::NO_RET_AT_END);
	EXPECT_EQ(err({stmt(LD | W | MEM, 3), ret0}), CbpfError::SCRATCH_READ_BEFORE_WRITE);
	// Written on one path only.
	EXPECT_EQ(err({jump(JMP | JEQ | K, 0, 0, 1), stmt(ST, 3), stmt(LD | W | MEM, 3), ret0}),
		  CbpfError::SCRATCH_READ_BEFORE_WRITE);
	EXPECT_EQ(err({jump(JMP | JEQ | K, 0, 0, 1), stmt(ST, 3), stmt(ST, 3), stmt(LD | W | MEM, 3), ret0}),
		  CbpfError::NONE);
	// Seccomp: only aligned 32-bit loads inside seccomp_data, no MOD.
	EXPECT_EQ(err({stmt(LD | W | ABS, 64), ret0}), CbpfError::SECCOMP_BAD_LOAD);
	EXPECT_EQ(err({stmt(LD | W | ABS, 2), ret0}), CbpfError::SECCOMP_BAD_LOAD);
	EXPECT_EQ(err({stmt(LD | H | ABS, 0), ret0}), CbpfError::SECCOMP_BAD_OPCODE);
	EXPECT_EQ(err({stmt(LD | W | IND, 0), ret0}), CbpfError::SECCOMP_BAD_OPCODE);
	EXPECT_EQ(err({stmt(ALU | MOD | X, 0), ret0}), CbpfError::SECCOMP_BAD_OPCODE);
	EXPECT_EQ(err({stmt(ALU | MOD | X, 0), ret0}, CbpfMode::SOCKET), CbpfError::NONE);
	// Ancillary loads.
	EXPECT_EQ(err({stmt(LD | W | ABS, 0xfffff000u + 2), ret0}, CbpfMode::SOCKET),
		  CbpfError::UNKNOWN_EXTENSION);
	EXPECT_EQ(err({stmt(LD | W | ABS, 0xfffff000u + 0), ret0}, CbpfMode::SOCKET),
		  CbpfError::UNSUPPORTED_EXTENSION);
	EXPECT_EQ(err({stmt(LD | W | ABS, 0xfffff000u + 40), ret0}, CbpfMode::SOCKET),
		  CbpfError::NONE);  // SKF_AD_ALU_XOR_X
	// Output too small is reported, not overrun.
	std::vector<ClassicInsn> ok = {stmt(LD | W | IMM, 1), ret0};
	std::vector<uint32_t> work(3);
	Insn out[2];
	CbpfConvertOptions o;
	EXPECT_EQ(cbpf_convert(ok.data(), 2, o, out, 2, work.data()).error, CbpfError::OUTPUT_TOO_SMALL);
}

// Random valid classic programs: converted code (interpreted) gives what the
// classic semantics gives, on random inputs.
struct RandomClassic {
	std::mt19937_64 &rng;
	CbpfMode mode;

	uint32_t pick(uint32_t n) { return (uint32_t)(rng() % n); }
	uint32_t value() {
		switch (pick(5)) {
		case 0: return pick(8);
		case 1: return 0xffffffffu - pick(4);
		case 2: return 0x80000000u + pick(3) - 1;
		case 3: return pick(70);
		default: return (uint32_t)rng();
		}
	}
	ClassicInsn insn(uint32_t pc, uint32_t n) {
		static const uint8_t alu_ops[] = {ADD, SUB, MUL, DIV, MOD, AND, OR, XOR, LSH, RSH};
		const uint32_t left = n - pc - 1;  // instructions after this one
		for (;;) {
			switch (pick(12)) {
			case 0:
			case 1: {
				uint8_t o = alu_ops[pick(10)];
				if (mode == CbpfMode::SECCOMP && o == MOD)
					continue;
				if (pick(2))
					return stmt(ALU | o | X, 0);
				uint32_t k = value();
				if ((o == DIV || o == MOD) && k == 0)
					k = 1;
				if (o == LSH || o == RSH)
					k %= 32;
				return stmt(ALU | o | K, k);
			}
			case 2:
				return stmt(ALU | NEG, 0);
			case 3: {
				if (left < 2)
					continue;
				static const uint8_t jops[] = {JEQ, JGT, JGE, JSET};
				uint8_t o = jops[pick(4)];
				uint32_t span = left - 1 < 6 ? left - 1 : 6;
				return jump(JMP | o | (pick(2) ? X : K), value(), (uint8_t)pick(span + 1),
					    (uint8_t)pick(span + 1));
			}
			case 4:
				if (left < 2)
					continue;
				return stmt(JMP | JA, pick(left - 1 < 4 ? left - 1 : 4));
			case 5:
				return stmt((pick(2) ? ST : STX), pick(16));
			case 6:
				return stmt((pick(2) ? LD : LDX) | W | MEM, pick(16));
			case 7:
				return stmt((pick(2) ? LD : LDX) | W | IMM, value());
			case 8:
				return stmt(pick(2) ? (cbpf::MISC | cbpf::TAX) : (cbpf::MISC | cbpf::TXA), 0);
			case 9:
				return stmt((pick(2) ? LD : LDX) | W | cbpf::LEN, 0);
			case 10:
				if (mode == CbpfMode::SECCOMP)
					return stmt(LD | W | ABS, 4 * pick(16));
				switch (pick(4)) {
				case 0: return stmt(LDX | B | cbpf::MSH, pick(40));
				case 1: return stmt(LD | (uint8_t[]){W, H, B}[pick(3)] | IND, pick(40));
				default: return stmt(LD | (uint8_t[]){W, H, B}[pick(3)] | ABS, pick(40));
				}
			case 11:
				if (left > 0 && pick(4))
					continue;
				return stmt(pick(2) ? (cbpf::RET | cbpf::RVAL_A) : (cbpf::RET | cbpf::RVAL_K), value());
			}
		}
	}
	std::vector<ClassicInsn> program() {
		for (;;) {
			uint32_t n = 2 + pick(30);
			std::vector<ClassicInsn> p;
			for (uint32_t pc = 0; pc < n; pc++)
				p.push_back(insn(pc, n));
			p.back() = stmt(cbpf::RET | cbpf::RVAL_A, 0);
			std::vector<uint32_t> work(n + 1);
			if (cbpf_check(p.data(), n, mode, work.data()).error == CbpfError::NONE)
				return p;
		}
	}
};

// The classic semantics' view of the input.
struct ClassicEnv {
	CbpfMode mode;
	const uint8_t *data;
	uint32_t size;
	CbpfLoad<Concrete> load(CBV<32> off, unsigned bytes) {
		const uint64_t o = off.v;
		if (o + bytes > size)
			return {false, 0};
		uint32_t v = 0;
		if (mode == CbpfMode::SECCOMP) {  // a seccomp_data field, host order
			for (unsigned i = 0; i < bytes; i++)
				v |= (uint32_t)data[o + i] << (8 * i);
		} else {  // network order
			for (unsigned i = 0; i < bytes; i++)
				v = v << 8 | data[o + i];
		}
		return {true, v};
	}
	CBV<32> len() const { return mode == CbpfMode::SECCOMP ? SECCOMP_DATA_SIZE : size; }
};

void differential(CbpfMode mode, unsigned programs) {
	std::mt19937_64 rng(mode == CbpfMode::SECCOMP ? 1 : 2);
	RandomClassic gen{rng, mode};
	unsigned ran = 0;
	for (unsigned i = 0; i < programs; i++) {
		std::vector<ClassicInsn> c = gen.program();
		Converted cv = convert(c, mode);
		ASSERT_EQ(cv.r.error, CbpfError::NONE) << cbpf_error_name(cv.r.error);
		// The converted program uses only opcodes the x86-64 table has.
		user::Jitted jit;
		std::string err;
		ASSERT_TRUE(user::jit_compile(cv.prog, cv.r.stack_depth, &jit, &err))
			<< err << "\n" << user::format_program(cv.prog);
		for (int input = 0; input < 4; input++) {
			std::vector<uint8_t> bytes(mode == CbpfMode::SECCOMP ? 64 : rng() % 64);
			for (auto &b : bytes)
				b = (uint8_t)rng();
			ClassicEnv env{mode, bytes.data(), (uint32_t)bytes.size()};
			uint32_t expect = 0;
			ASSERT_TRUE(cbpf_run(c.data(), (uint32_t)c.size(), env, &expect, nullptr));
			uint64_t got, got_jit;
			if (mode == CbpfMode::SECCOMP) {
				test::SeccompData sd;
				memcpy(&sd, bytes.data(), 64);
				got = run_seccomp(cv.prog, sd);
				got_jit = jit.image.run(&sd);
			} else {
				got = run_socket(cv.prog, bytes);
				std::vector<uint8_t> copy = bytes;
				copy.reserve(copy.size() + 1);
				user::SocketCtx skb{(uint64_t)(uintptr_t)copy.data(), (uint32_t)copy.size(), 0};
				got_jit = jit.image.run(&skb);
			}
			std::string listing;
			for (auto &ci : c)
				listing += user::format_classic(ci) + "\n";
			ASSERT_EQ(got, expect) << "program " << i << ":\n" << listing
					       << "converted:\n" << user::format_program(cv.prog);
			ASSERT_EQ(got_jit, expect) << "JIT, program " << i << ":\n" << listing
						   << "converted:\n" << user::format_program(cv.prog);
			ran++;
		}
	}
	EXPECT_EQ(ran, programs * 4);
}

TEST(CbpfConvert, DifferentialSeccompInterpAndJitAgainstClassicSemantics) {
	differential(CbpfMode::SECCOMP, 2000);
}

TEST(CbpfConvert, DifferentialSocketInterpAndJitAgainstClassicSemantics) {
	differential(CbpfMode::SOCKET, 2000);
}

} // namespace
