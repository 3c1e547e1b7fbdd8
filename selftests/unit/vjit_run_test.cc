// SPDX-License-Identifier: GPL-2.0
// vjit-run as a user sees it: results on real filters, JIT and --interp
// agreeing, --dump, and clear errors (exit 2) on malformed input.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "selftests/unit/bpf_asm.h"
#include "selftests/unit/filters.h"

using namespace vjit;
using namespace vjit::asm_;

namespace {

struct Out {
	int status;
	std::string stdout_, stderr_;
	std::string last_line() const {
		std::string s = stdout_;
		while (!s.empty() && s.back() == '\n')
			s.pop_back();
		size_t nl = s.rfind('\n');
		return nl == std::string::npos ? s : s.substr(nl + 1);
	}
};

class VjitRun : public ::testing::Test {
protected:
	std::string dir;
	std::string tool;

	void SetUp() override {
		const char *t = getenv("VJIT_RUN");
		tool = t ? t : "build/bin/vjit-run";
		char tmpl[] = "/tmp/vjit-run-test.XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir = tmpl;
	}
	void TearDown() override { (void)!system(("rm -rf " + dir).c_str()); }

	std::string file(const std::string &name, const void *data, size_t size) {
		std::string path = dir + "/" + name;
		std::ofstream(path, std::ios::binary).write((const char *)data, (std::streamsize)size);
		return path;
	}
	template <typename T>
	std::string file(const std::string &name, const std::vector<T> &v) {
		return file(name, v.data(), v.size() * sizeof(T));
	}
	Out run(const std::string &args) {
		std::string so = dir + "/stdout", se = dir + "/stderr";
		int rc = system((tool + " " + args + " >" + so + " 2>" + se).c_str());
		Out o;
		o.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
		std::stringstream a, b;
		a << std::ifstream(so).rdbuf();
		b << std::ifstream(se).rdbuf();
		o.stdout_ = a.str();
		o.stderr_ = b.str();
		return o;
	}
	std::string seccomp_filter() {
		scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(1));
		seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
		seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2));
		seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, SCMP_SYS(execve), 0);
		std::vector<ClassicInsn> c = test::export_filter(f);
		seccomp_release(f);
		return file("filter.cbpf", c);
	}
};

TEST_F(VjitRun, SeccompFilterInterpreted) {
	std::string prog = seccomp_filter();
	test::SeccompData w2 = test::sd(SCMP_SYS(write), {2}), w1 = test::sd(SCMP_SYS(write), {1});
	test::SeccompData ex = test::sd(SCMP_SYS(execve));
	Out o = run("--interp --ctx " + file("w2", &w2, 64) + " " + prog);
	EXPECT_EQ(o.status, 0) << o.stderr_;
	EXPECT_EQ(o.last_line(), "0x7fff0000");
	EXPECT_EQ(run("--interp --ctx " + file("w1", &w1, 64) + " " + prog).last_line(), "0x50001");
	EXPECT_EQ(run("--interp --ctx " + file("ex", &ex, 64) + " " + prog).last_line(), "0x80000000");
}

TEST_F(VjitRun, JitAgreesWithInterpreterOnSeccompData) {
	std::string prog = seccomp_filter();
	const test::SeccompData inputs[] = {
		test::sd(SCMP_SYS(read)), test::sd(SCMP_SYS(write), {2}),
		test::sd(SCMP_SYS(write), {0x200000002ull}), test::sd(SCMP_SYS(execve)),
		test::sd(SCMP_SYS(getpid)), test::sd(-1)};
	int i = 0;
	for (const test::SeccompData &d : inputs) {
		std::string ctx = file("ctx" + std::to_string(i++), &d, 64);
		Out jit = run("--ctx " + ctx + " " + prog);
		Out interp = run("--interp --ctx " + ctx + " " + prog);
		ASSERT_EQ(jit.status, 0) << jit.stderr_;
		ASSERT_EQ(interp.status, 0) << interp.stderr_;
		EXPECT_EQ(jit.last_line(), interp.last_line()) << "nr " << d.nr;
	}
}

TEST_F(VjitRun, DumpShowsNativeCodeByBpfInstruction) {
	Out o = run("--dump " + seccomp_filter());
	ASSERT_EQ(o.status, 0) << o.stderr_;
	EXPECT_NE(o.stdout_.find("; prologue"), std::string::npos);
	EXPECT_NE(o.stdout_.find("; 3: r0 = *(u32 *)(r6 +4)"), std::string::npos);  // arch
	EXPECT_NE(o.stdout_.find("mov"), std::string::npos);
	EXPECT_NE(o.stdout_.find("ret"), std::string::npos);
	EXPECT_EQ(o.last_line(), "0x0");  // no --ctx: zeros, arch 0 is not x86-64: KILL
}

TEST_F(VjitRun, SocketFilterOnPacket) {
	std::string prog = file("tcp22.cbpf", test::tcp_port22_host_filter());
	std::string hit = file("hit.pkt", test::tcp_packet(0x0a000001, 0xc0a80001, 40000, 22));
	std::string miss = file("miss.pkt", test::tcp_packet(0x0a000001, 0xc0a80001, 40000, 80));
	EXPECT_EQ(run("--socket --interp --ctx " + hit + " " + prog).last_line(), "0x40000");
	EXPECT_EQ(run("--socket --interp --ctx " + miss + " " + prog).last_line(), "0x0");
	Out jit = run("--socket --ctx " + hit + " " + prog);
	EXPECT_EQ(jit.status, 0) << jit.stderr_;
	EXPECT_EQ(jit.last_line(), "0x40000");
	EXPECT_EQ(run("--socket --ctx " + miss + " " + prog).last_line(), "0x0");
}

TEST_F(VjitRun, RawEbpfWithCtx) {
	std::vector<Insn> p = {ldx(DW, R0, R1, 8), alu64_imm(ADD, R0, 1), stx(DW, R1, R0, 0), exit_()};
	uint64_t ctx[2] = {0, 41};
	std::string prog = file("p.bin", p), c = file("ctx", ctx, sizeof(ctx));
	EXPECT_EQ(run("--interp --ctx " + c + " " + prog).last_line(), "0x2a");
	Out o = run("--ctx " + c + " " + prog);
	EXPECT_EQ(o.status, 0) << o.stderr_;
	EXPECT_EQ(o.last_line(), "0x2a");
}

TEST_F(VjitRun, HelperCallAgreesBetweenJitAndInterpreter) {
	// vjit_test_mix (65536) sees all five arguments: what the fuzzer's
	// reproducers call.
	std::vector<Insn> p;
	for (uint8_t r = R1; r <= R5; r++)
		p.push_back(mov64_imm(r, r * 1000 + 7));
	p.push_back(call_helper(65536));
	p.push_back(exit_());
	std::string prog = file("mix.bin", p);
	Out jit = run(prog), interp = run("--interp " + prog);
	ASSERT_EQ(jit.status, 0) << jit.stderr_;
	ASSERT_EQ(interp.status, 0) << interp.stderr_;
	EXPECT_EQ(jit.last_line(), interp.last_line());
	EXPECT_NE(jit.last_line(), "0x0");
}

// Encodings outside the instruction model: exit 2, naming the problem,
// never compiled as a v3 namesake (sdiv as div, movsx as mov).
TEST_F(VjitRun, ReservedFieldsAndRegistersAreRefused) {
	struct Case {
		const char *name;
		std::vector<Insn> prog;
		const char *expect;
	} cases[] = {
		{"sdiv", {mov64_imm(R0, -6), mov64_imm(R1, 3), raw(ALU64 | DIV | X, R0, R1, 1, 0), exit_()}, "invalid opcode 0x3f"},
		{"smod", {mov64_imm(R0, 7), raw(ALU64 | MOD | K, R0, 0, 1, 3), exit_()}, "invalid opcode 0x97"},
		{"movsx", {mov64_imm(R1, 0x80), raw(ALU64 | MOV | X, R0, R1, 8, 0), exit_()}, "invalid opcode 0xbf"},
		{"r11", {mov64_reg(R0, AX), exit_()}, "register above r10"},
		{"r12", {mov64_imm(R0, 0), raw(ALU64 | ADD | X, R0, 12, 0, 0), exit_()}, "register above r10"},
		{"add k with src", {mov64_imm(R0, 0), raw(ALU64 | ADD | K, R0, R1, 0, 1), exit_()}, "reserved field not zero"},
		{"exit with imm", {mov64_imm(R0, 0), raw(JMP | EXIT, 0, 0, 0, 1)}, "reserved field not zero"},
		{"imm64 slot", {raw(LD | IMM | DW, R0, 0, 0, 1), raw(0, R1, 0, 0, 0), exit_()}, "second slot"},
		{"nospec from a user", {raw(ST | NOSPEC, 0, 0, 0, 0), mov64_imm(R0, 0), exit_()}, "invalid opcode 0xc2"},
	};
	for (const Case &c : cases) {
		Out o = run(file("reserved.bin", c.prog));
		EXPECT_EQ(o.status, 2) << c.name << ": " << o.stdout_ << o.stderr_;
		EXPECT_NE(o.stderr_.find(c.expect), std::string::npos) << c.name << ": " << o.stderr_;
		o = run("--interp " + file("reserved.bin", c.prog));
		EXPECT_EQ(o.status, 2) << c.name << " (--interp): " << o.stderr_;
	}
}

// cpu-v4 with --isa 4: INT_MIN / -1 does not trap (natively: idiv would),
// and JIT and interpreter agree on sdiv, smod, movsx and bswap.
TEST_F(VjitRun, CpuV4WithIsa4) {
	std::vector<Insn> p;
	ld_imm64(p, R0, 0x8000000000000000ull);
	p.push_back(mov64_imm(R1, -1));
	p.push_back(raw(ALU64 | DIV | X, R0, R1, 1, 0));           // sdiv: INT_MIN
	p.push_back(mov64_imm(R2, -7));
	p.push_back(raw(ALU64 | MOD | K, R2, 0, 1, 3));             // smod: -1
	p.push_back(alu64_reg(ADD, R0, R2));
	p.push_back(mov64_imm(R3, 0xff));
	p.push_back(raw(ALU64 | MOV | X, R3, R3, 8, 0));            // movsx 8: -1
	p.push_back(alu64_reg(ADD, R0, R3));
	p.push_back(raw(ALU64 | END | TO_LE, R0, 0, 0, 64));        // bswap 64
	p.push_back(exit_());
	const std::string f = file("v4.bin", p);
	EXPECT_EQ(run(f).status, 2);  // not at Linux 6.1's level
	Out jit = run("--isa 4 " + f), interp = run("--isa 4 --interp " + f);
	ASSERT_EQ(jit.status, 0) << jit.stderr_;
	ASSERT_EQ(interp.status, 0) << interp.stderr_;
	EXPECT_EQ(jit.last_line(), interp.last_line());
	EXPECT_EQ(jit.last_line(), "0xfeffffffffffff7f");  // bswap(INT_MIN - 2)
}

// gotol (JMP32 | JA, offset in imm): the same result natively and in the
// interpreter.
TEST_F(VjitRun, GotolJumpsByImm) {
	std::vector<Insn> p = {mov64_imm(R0, 1), raw(JMP32 | JA, 0, 0, 0, 1), mov64_imm(R0, 2), exit_()};
	Out jit = run(file("gotol.bin", p)), interp = run("--interp " + file("gotol.bin", p));
	ASSERT_EQ(jit.status, 0) << jit.stderr_;
	ASSERT_EQ(interp.status, 0) << interp.stderr_;
	EXPECT_EQ(jit.last_line(), "0x1");
	EXPECT_EQ(interp.last_line(), "0x1");
}

// A program that never returns: the native run is stopped and reported
// (exit 1), not left hanging.
TEST_F(VjitRun, NativeRunHasATimeLimit) {
	Out o = run("--timeout 1 " + file("loop.bin", std::vector<Insn>{mov64_imm(R0, 0), ja(-1), exit_()}));
	EXPECT_EQ(o.status, 1) << o.stdout_ << o.stderr_;
	EXPECT_NE(o.stderr_.find("did not return within the time limit"), std::string::npos) << o.stderr_;
}

TEST_F(VjitRun, MalformedInputsGiveClearErrors) {
	Out o = run(dir + "/missing.bin");
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("No such file"), std::string::npos) << o.stderr_;

	o = run(file("odd.bin", "1234567", 7));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("multiple of 8"), std::string::npos) << o.stderr_;

	o = run(file("empty.bin", "", 0));
	EXPECT_EQ(o.status, 2);

	o = run(file("badop.bin", std::vector<Insn>{raw(0xff, 0, 0, 0, 0), exit_()}));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("invalid opcode 0xff"), std::string::npos) << o.stderr_;

	o = run(file("badjump.bin", std::vector<Insn>{ja(5), exit_()}));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("outside the program"), std::string::npos) << o.stderr_;

	std::vector<Insn> half;
	ld_imm64(half, R0, 1);
	half.pop_back();
	o = run(file("half.bin", half));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("LD_IMM64"), std::string::npos) << o.stderr_;

	o = run(file("bad.cbpf", std::vector<ClassicInsn>{stmt(LD | W | IMM, 0)}));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("last instruction is not RET"), std::string::npos) << o.stderr_;

	o = run(file("h.cbpf", std::vector<ClassicInsn>{stmt(LD | H | ABS, 0), stmt(cbpf::RET, 0)}));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("not allowed in seccomp"), std::string::npos) << o.stderr_;

	std::string prog = seccomp_filter();
	o = run("--ctx " + file("short", "abc", 3) + " " + prog);
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("64 bytes"), std::string::npos) << o.stderr_;

	o = run("--format nonsense " + prog);
	EXPECT_EQ(o.status, 2);
	o = run("--arch mips " + prog);  // not a registered arch
	EXPECT_EQ(o.status, 2);
	o = run("--format elf " + prog);
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("ELF"), std::string::npos) << o.stderr_;

	// A helper vjit-run does not have.
	o = run(file("helper.bin", std::vector<Insn>{call_helper(1), exit_()}));
	EXPECT_EQ(o.status, 2);
	EXPECT_NE(o.stderr_.find("not available in userspace"), std::string::npos) << o.stderr_;
}

TEST_F(VjitRun, FaultingProgramIsRefusedNotCrashed) {
	std::string prog = file("oob.bin", std::vector<Insn>{ldx(DW, R0, R1, 4096), exit_()});
	Out o = run("--interp " + prog);
	EXPECT_EQ(o.status, 1);
	EXPECT_NE(o.stderr_.find("out-of-bounds"), std::string::npos) << o.stderr_;
	o = run(prog);  // JIT: refused before native code runs
	EXPECT_EQ(o.status, 1);
	EXPECT_NE(o.stderr_.find("out-of-bounds"), std::string::npos) << o.stderr_;
}

} // namespace
