// SPDX-License-Identifier: GPL-2.0
// The driver and the C API: errors, layout of addrs[], the prologue and
// epilogue conventions (entry nop, callee-saved registers, stack alignment
// at helper calls, return thunk).
#include <gtest/gtest.h>

#include <vector>

#include "arch/x86_64/lower.h"
#include "core/driver.h"
#include "selftests/x86_64/harness.h"

using namespace vjit_test;

// A return thunk (what x86_return_thunk does, minus the mitigation).
asm(".text\n.globl vjit_test_return_thunk\nvjit_test_return_thunk:\n\tret\n\tint3\n");
// A helper returning rsp mod 16 at its entry (8 if the caller's rsp was
// 16-byte aligned at the call, as the System V ABI requires).
asm(".text\n.globl vjit_test_rsp_mod16\nvjit_test_rsp_mod16:\n"
    "\tmov %rsp, %rax\n\tand $15, %rax\n\tret\n");
// Calls fn(ctx) with rbx, rbp, r12-r15 set to known values; returns how many
// of them differ afterwards (0: the callee preserved them), and fn's result
// in *r0.
asm(".text\n.globl vjit_test_call_saved\nvjit_test_call_saved:\n"
    "\tpush %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n"
    "\tpush %rdx\n"
    "\tmovabs $0x1111111111111111, %rbx\n\tmovabs $0x2222222222222222, %rbp\n"
    "\tmovabs $0x3333333333333333, %r12\n\tmovabs $0x4444444444444444, %r13\n"
    "\tmovabs $0x5555555555555555, %r14\n\tmovabs $0x6666666666666666, %r15\n"
    "\tcall *%rsi\n"
    "\tpop %rdx\n\tmov %rax, (%rdx)\n\txor %eax, %eax\n"
    "\tmovabs $0x1111111111111111, %rcx\n\tcmp %rcx, %rbx\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tmovabs $0x2222222222222222, %rcx\n\tcmp %rcx, %rbp\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tmovabs $0x3333333333333333, %rcx\n\tcmp %rcx, %r12\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tmovabs $0x4444444444444444, %rcx\n\tcmp %rcx, %r13\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tmovabs $0x5555555555555555, %rcx\n\tcmp %rcx, %r14\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tmovabs $0x6666666666666666, %rcx\n\tcmp %rcx, %r15\n\tsetne %cl\n\tmovzbl %cl, %ecx\n\tadd %ecx, %eax\n"
    "\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\tret\n");
extern "C" void vjit_test_return_thunk();
extern "C" uint64_t vjit_test_rsp_mod16(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
extern "C" int vjit_test_call_saved(uint64_t ctx, void *fn, uint64_t *r0);

namespace {

Machine &machine() {
	static Machine m;
	return m;
}

struct Jit {
	std::vector<Insn> prog;
	std::vector<unsigned> addrs;
	struct vjit_jit j;
	explicit Jit(const std::vector<Insn> &p) : prog(p), addrs(p.size() + 1, 0) {
		memset(&j, 0, sizeof(j));
		j.insns = prog.data();
		j.len = (unsigned)p.size();
		j.stack_depth = 64;
		j.call_base = (uint64_t)(uintptr_t)&helper_base;
		j.addrs = addrs.data();
	}
};

std::vector<Insn> ret42() {
	return {I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 42), exit_insn()};
}

TEST(Driver, RejectsBadPrograms) {
	struct Case {
		const char *what;
		std::vector<Insn> prog;
		int err;
		unsigned insn;
	};
	const Case cases[] = {
		{"empty", {}, VJIT_E_BAD_PROGRAM, 0},
		{"invalid opcode", {I(0xff, 0, 0, 0, 0), exit_insn()}, VJIT_E_BAD_PROGRAM, 0},
		{"register 12", {I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 0), I(bpf::ALU64 | bpf::MOV | bpf::X, 12, 0, 0, 0), exit_insn()}, VJIT_E_BAD_PROGRAM, 1},
		{"ld_imm64 cut", {exit_insn(), I(bpf::LD | bpf::IMM | bpf::DW, 0, 0, 0, 1)}, VJIT_E_BAD_PROGRAM, 1},
		{"jump past the end", {I(bpf::JMP | bpf::JA, 0, 0, 5, 0), exit_insn()}, VJIT_E_BAD_PROGRAM, 0},
		{"jump before the start", {exit_insn(), I(bpf::JMP | bpf::JEQ | bpf::K, 1, 0, -3, 0), exit_insn()}, VJIT_E_BAD_PROGRAM, 1},
		{"END imm 8", {I(bpf::ALU | bpf::END, 0, 0, 0, 8), exit_insn()}, VJIT_E_BAD_PROGRAM, 0},
		{"bpf-to-bpf call", {I(bpf::JMP | bpf::CALL, 0, bpf::PSEUDO_CALL, 0, 1), exit_insn(), exit_insn()}, VJIT_E_UNSUPPORTED_OPCODE, 0},
		{"kfunc call", {I(bpf::JMP | bpf::CALL, 0, bpf::PSEUDO_KFUNC_CALL, 0, 1), exit_insn()}, VJIT_E_UNSUPPORTED_OPCODE, 0},
		{"ld_imm64 pseudo func", {I(bpf::LD | bpf::IMM | bpf::DW, 0, bpf::PSEUDO_FUNC, 0, 1), I(0, 0, 0, 0, 0), exit_insn()}, VJIT_E_UNSUPPORTED_OPCODE, 0},
	};
	for (const Case &c : cases) {
		Jit jit(c.prog);
		std::vector<Insn> dummy(1);
		if (c.prog.empty())
			jit.j.insns = dummy.data();  // len 0 with a valid pointer
		EXPECT_EQ(VJIT_BACKEND(x86_64).size(&jit.j), c.err) << c.what;
		EXPECT_EQ(jit.j.error, c.err) << c.what;
		EXPECT_EQ(jit.j.error_insn, c.insn) << c.what;
		EXPECT_STRNE(vjit_jit_error_name(c.err), "unknown error");
	}
}

TEST(Driver, LayoutAndEntry) {
	std::vector<Insn> p;
	ld_imm64(p, 0, 0x0123456789abcdefull);
	p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1));
	p.push_back(exit_insn());
	Jit jit(p);
	ASSERT_EQ(VJIT_BACKEND(x86_64).size(&jit.j), 0);
	EXPECT_GE(jit.j.passes, 2u);
	EXPECT_LE(jit.j.passes, 32u);
	// addrs: increasing; the second LD_IMM64 slot is the end of the pair.
	EXPECT_LT(jit.addrs[0], jit.addrs[1]);
	EXPECT_EQ(jit.addrs[1], jit.addrs[2]);
	EXPECT_LT(jit.addrs[2], jit.addrs[3]);
	// The last EXIT emits nothing: it falls through into the epilogue.
	EXPECT_EQ(jit.addrs[3], jit.addrs[4]);
	EXPECT_LT(jit.addrs[4], jit.j.image_len);
	Machine &m = machine();
	ASSERT_EQ(VJIT_BACKEND(x86_64).emit(&jit.j, m.image, (uint64_t)(uintptr_t)m.image), 0);
	const uint8_t nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
	EXPECT_EQ(memcmp(m.image, nop5, 5), 0) << "entry must be the 5-byte nop the kernel patches";
	EXPECT_EQ(m.image[jit.j.image_len - 2], 0xc3) << disasm(m.image, jit.j.image_len);
	EXPECT_EQ(m.image[jit.j.image_len - 1], 0xcc);
	// A second emit with offsets that moved is refused.
	jit.addrs[3]++;
	EXPECT_EQ(VJIT_BACKEND(x86_64).emit(&jit.j, m.image, (uint64_t)(uintptr_t)m.image), VJIT_E_NO_CONVERGENCE);
}

TEST(Driver, ImageLimits) {
	Jit jit(ret42());
	jit.j.max_image_len = 16;
	EXPECT_EQ(VJIT_BACKEND(x86_64).size(&jit.j), VJIT_E_TOO_LARGE);
	Jit ok(ret42());
	ASSERT_EQ(VJIT_BACKEND(x86_64).size(&ok.j), 0);
	EXPECT_NE(VJIT_BACKEND(x86_64).emit(&ok.j, nullptr, 0), 0);
}

TEST(Driver, HelperOutOfReach) {
	std::vector<Insn> p = {I(bpf::JMP | bpf::CALL, 0, 0, 0, 0), exit_insn()};
	Jit jit(p);
	ASSERT_EQ(VJIT_BACKEND(x86_64).size(&jit.j), 0);
	Machine &m = machine();
	// The image 8 GB away from call_base: rel32 cannot reach.
	EXPECT_EQ(VJIT_BACKEND(x86_64).emit(&jit.j, m.image, jit.j.call_base + (8ull << 30)), VJIT_E_UNSUPPORTED_OPCODE);
	EXPECT_EQ(jit.j.error_insn, 0u);
}

TEST(Driver, PreservesCalleeSavedAndAlignsCalls) {
	Machine &m = machine();
	std::vector<Insn> p;
	// Clobber every BPF register, call a helper that reports rsp alignment.
	for (uint8_t r = 0; r <= 9; r++)
		ld_imm64(p, r, 0xdead0000beef0000ull + r);
	p.push_back(I(bpf::JMP | bpf::CALL, 0, 0, 0, helper_imm(vjit_test_rsp_mod16)));
	p.push_back(I(bpf::ALU64 | bpf::DIV | bpf::X, 6, 7, 0, 0));  // uses r9/r11/r12 scratch
	p.push_back(I(bpf::ALU64 | bpf::LSH | bpf::X, 8, 9, 0, 0));
	p.push_back(I(bpf::STX | bpf::ATOMIC | bpf::DW, 10, 6, -8, bpf::OR | bpf::FETCH));
	p.push_back(exit_insn());
	ASSERT_EQ(jit_only(m, p), 0);
	uint64_t r0 = ~0ull;
	EXPECT_EQ(vjit_test_call_saved((uint64_t)(uintptr_t)m.data, m.image, &r0), 0)
		<< "rbx, rbp, r12-r15 must survive the program";
	EXPECT_EQ(r0, 8u) << "rsp must be 16-byte aligned at helper calls";
}

TEST(Driver, ReturnThunk) {
	Machine &m = machine();
	std::vector<uint8_t> bytes;
	const uint64_t thunk = (uint64_t)(uintptr_t)&vjit_test_return_thunk;
	ASSERT_EQ(jit_only(m, ret42(), &bytes, VJIT_F_RETHUNK, thunk), 0);
	// The epilogue ends with jmp rel32 to the thunk, and there is no ret.
	ASSERT_GE(bytes.size(), 5u);
	EXPECT_EQ(bytes[bytes.size() - 5], 0xe9);
	std::string text = disasm(bytes.data(), bytes.size());
	EXPECT_EQ(text.find("ret"), std::string::npos) << text;
	EXPECT_NE(text.find("jmp"), std::string::npos) << text;
	uint64_t r0 = 0;
	EXPECT_EQ(vjit_test_call_saved(0, m.image, &r0), 0);
	EXPECT_EQ(r0, 42u);
	// A thunk out of rel32 reach is refused when emitting.
	std::vector<Insn> p = ret42();
	Jit far(p);
	far.j.flags = VJIT_F_RETHUNK;
	far.j.return_thunk = thunk + (16ull << 30);
	far.j.call_base = far.j.return_thunk;
	ASSERT_EQ(VJIT_BACKEND(x86_64).size(&far.j), 0);
	EXPECT_NE(VJIT_BACKEND(x86_64).emit(&far.j, m.image, (uint64_t)(uintptr_t)m.image), 0);
}

// Sizes p (which must succeed), runs it on the JIT and the interpreter,
// both of which must return r0; the number of sizing passes it took.
static unsigned settles_and_returns(const std::vector<Insn> &p, uint64_t r0) {
	Jit jit(p);
	EXPECT_EQ(VJIT_BACKEND(x86_64).size(&jit.j), 0) << vjit_jit_error_name(jit.j.error);
	Outcome o = run_both(machine(), p);
	EXPECT_EQ(o.jit_error, 0);
	EXPECT_EQ(o.jit_r0, r0);
	EXPECT_EQ(o.interp_r0, r0);
	return jit.j.passes;
}

TEST(Driver, ManyJumpsConverge) {
	// A long chain of forward and backward jumps across blocks larger than
	// rel8: the passes settle and the program still computes the right sum.
	std::vector<Insn> p;
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 0));
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 1, 0, 0, 200));  // loop counter
	const size_t loop = p.size();
	for (int i = 0; i < 100; i++)
		p.push_back(I(bpf::ALU64 | bpf::ADD | bpf::K, 0, 0, 0, 1));
	p.push_back(I(bpf::ALU64 | bpf::SUB | bpf::K, 1, 0, 0, 1));
	p.push_back(I(bpf::JMP | bpf::JNE | bpf::K, 1, 0, (int16_t)(loop - p.size() - 1), 0));
	p.push_back(exit_insn());
	Outcome o = run_both(machine(), p);
	ASSERT_EQ(o.jit_error, 0);
	EXPECT_EQ(o.jit_r0, 20000u);
	EXPECT_EQ(o.interp_r0, 20000u);
}

TEST(Driver, SeccompAllowlistSettlesFromTheShortestLayout) {
	// The shape of a syscall allowlist: `if A != nr goto +2; R0 = ALLOW;
	// exit` per syscall, every exit a jump to the far epilogue. From the
	// shortest layout, one pass finds the jumps that do not reach and the
	// next confirms.
	std::vector<Insn> p;
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 7));
	for (int nr = 0; nr < 300; nr++) {
		p.push_back(I(bpf::JMP | bpf::JNE | bpf::K, 0, 0, 2, nr * 3 + 1));
		p.push_back(I(bpf::ALU | bpf::MOV | bpf::K, 0, 0, 0, 0x7fff0000));
		p.push_back(exit_insn());
	}
	p.push_back(I(bpf::ALU | bpf::MOV | bpf::K, 0, 0, 0, 0x50001));
	p.push_back(exit_insn());
	EXPECT_LE(settles_and_returns(p, 0x7fff0000u), 3u);
}

TEST(Driver, GrowthCascadeFallsBackToShrinking) {
	// Jumps J1..J12 (JA: 2 or 5 bytes) whose reach each depends on the
	// one after it: J1 spans 128 bytes of filler (rel32), Jm spans J(m-1)..J1
	// and 125 - 5(m-2) filler bytes, which reaches while J(m-1) is short and
	// not once it is long. From the shortest layout each pass lengthens one
	// more, beyond the growing passes: the driver must start again from the
	// pessimistic layout and settle there. Filler: w0 += 1 (3 bytes) and
	// w1 = 1 (5 bytes).
	const int k = 12;
	std::vector<Insn> p;
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 0));
	const int first_filler = 1 + k, exit_idx = first_filler + 25 + 10 + 1;
	for (int m = k; m >= 1; m--) {
		const int idx = (int)p.size(), target = m == 1 ? exit_idx : exit_idx + 1 - m;
		p.push_back(I(bpf::JMP | bpf::JA, 0, 0, (int16_t)(target - idx - 1), 0));
	}
	for (int i = 0; i < 25; i++)
		p.push_back(I(bpf::ALU | bpf::ADD | bpf::K, 0, 0, 0, 1));
	for (int i = 0; i < 10; i++)
		p.push_back(I(bpf::ALU | bpf::MOV | bpf::K, 1, 0, 0, 1));
	p.push_back(I(bpf::ALU | bpf::ADD | bpf::K, 0, 0, 0, 1));
	ASSERT_EQ((int)p.size(), exit_idx);
	p.push_back(exit_insn());
	EXPECT_GT(settles_and_returns(p, 1u), vjit::DRIVER_GROW_PASSES)
		<< "no cascade: the filler's or the jumps' sizes are not the ones this test assumes";
}

TEST(Driver, LargeProgramWithManyExitsSettles) {
	// The shape of test_bpf's "all magnitudes" programs: thousands of blocks
	// that each may EXIT, i.e. jump to the epilogue at the far end. Without
	// the frozen passes these shrink a few jumps per pass and never settle
	// within the pass limit.
	std::vector<Insn> p;
	const int blocks = 20000;
	for (int k = 0; k < blocks; k++) {
		p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 0));
		ld_imm64(p, 1, (uint64_t)k * 0x9e3779b97f4a7c15ull);
		p.push_back(I(bpf::JMP | bpf::JEQ | bpf::X, 1, 1, 1, 0));
		p.push_back(exit_insn());
	}
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 1));
	p.push_back(exit_insn());
	EXPECT_LE(settles_and_returns(p, 1u), 32u);
}

TEST(Harness, FaultingCodeIsAnOutcome) {
	// A load from address 16 faults on the CPU (the interpreter refuses it):
	// the harness reports the fault and the test binary lives on, as it
	// must when a wrong lowering computes a wild address.
	std::vector<Insn> p;
	p.push_back(I(bpf::ALU64 | bpf::MOV | bpf::K, 1, 0, 0, 16));
	p.push_back(I(bpf::LDX | bpf::MEM | bpf::DW, 0, 1, 0, 0));
	p.push_back(exit_insn());
	Outcome o = run_both(machine(), p);
	ASSERT_EQ(o.jit_error, 0);
	EXPECT_NE(o.jit_fault.find("Segmentation fault at address 0x10"), std::string::npos) << o.jit_fault;
	EXPECT_NE(o.interp_error, vjit::InterpError::NONE);
	// And the next run is a normal one.
	std::vector<Insn> q = {I(bpf::ALU64 | bpf::MOV | bpf::K, 0, 0, 0, 42), exit_insn()};
	Outcome o2 = run_both(machine(), q);
	EXPECT_TRUE(o2.jit_fault.empty()) << o2.jit_fault;
	EXPECT_EQ(o2.jit_r0, 42u);
}

} // namespace

// The prologue's first bytes, laid out as the kernel's JIT lays out its own
// (trampolines patch the nop5; tail calls enter at X86_TAIL_CALL_OFFSET).
static std::vector<uint8_t> prologue_head(bool ibt, uint32_t tail_call_entry, size_t n) {
	uint8_t buf[256];
	vjit::JitCtx<vjit::Concrete> c;
	c.buf = buf;
	c.cap = sizeof buf;
	c.opts.stack_depth = 64;
	c.opts.ibt = ibt;
	c.opts.tail_call_entry = tail_call_entry;
	vjit::x86_64::X86_64::prologue<vjit::Concrete>(c);
	EXPECT_EQ(c.error, vjit::LowerError::NONE);
	return std::vector<uint8_t>(buf, buf + std::min<size_t>(n, c.len));
}

TEST(Prologue, KernelLayouts) {
	const std::vector<uint8_t> endbr = {0xf3, 0x0f, 0x1e, 0xfa}, nop5 = {0x0f, 0x1f, 0x44, 0x00, 0x00},
				   frame = {0x55, 0x48, 0x89, 0xe5};
	auto cat = [](std::initializer_list<std::vector<uint8_t>> parts) {
		std::vector<uint8_t> r;
		for (const auto &p : parts)
			r.insert(r.end(), p.begin(), p.end());
		return r;
	};
	// classic, no IBT (6.1): nop5, push rbp; mov rbp, rsp
	EXPECT_EQ(prologue_head(false, 0, 9), cat({nop5, frame}));
	// eBPF on 6.1: a 2-byte slot, tail calls enter at 11
	EXPECT_EQ(prologue_head(false, 11, 11), cat({nop5, {0x90, 0x90}, frame}));
	// classic under IBT: endbr64 at the entry
	EXPECT_EQ(prologue_head(true, 0, 13), cat({endbr, nop5, frame}));
	// eBPF on 6.12 with IBT: a 3-byte slot, endbr64 at the tail-call entry 16
	EXPECT_EQ(prologue_head(true, 16, 20), cat({endbr, nop5, {0x0f, 0x1f, 0x00}, frame, endbr}));
	std::string text = disasm(prologue_head(true, 16, 20).data(), 20);
	EXPECT_NE(text.find("endbr64"), std::string::npos) << text;
}

TEST(Driver, IbtImageRuns) {
	Machine &m = machine();
	std::vector<uint8_t> bytes;
	ASSERT_EQ(jit_only(m, ret42(), &bytes, VJIT_F_IBT), 0);
	ASSERT_GE(bytes.size(), 4u);
	EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4), (std::vector<uint8_t>{0xf3, 0x0f, 0x1e, 0xfa}));
	uint64_t r0 = 0;
	EXPECT_EQ(vjit_test_call_saved(0, m.image, &r0), 0);
	EXPECT_EQ(r0, 42u);
}
