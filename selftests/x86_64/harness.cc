// SPDX-License-Identifier: GPL-2.0
#include "selftests/x86_64/harness.h"

#include <capstone/capstone.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/time.h>

#include <cstdio>
#include <cstdlib>

// Calls fn(ctx) with rsp = stack_top (16-byte aligned): inside, after the
// call and the prologue's push rbp, R10 = rbp = stack_top - 16.
asm(".text\n"
    ".globl vjit_test_call_on_stack\n"
    ".type vjit_test_call_on_stack,@function\n"
    "vjit_test_call_on_stack:\n"
    "	push %rbp\n"
    "	mov %rsp, %rbp\n"
    "	mov %rdx, %rsp\n"
    "	call *%rsi\n"
    "	mov %rbp, %rsp\n"
    "	pop %rbp\n"
    "	ret\n");
extern "C" uint64_t vjit_test_call_on_stack(uint64_t ctx, void *fn, void *stack_top);

namespace vjit_test {

uint64_t helper_base(uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a; }
uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return a * 3 + (b ^ 0x5555) - (c << 2) + (d >> 1) + e * 7;
}
uint64_t helper_ret7(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 7; }

int32_t helper_imm(vjit::HelperFn f) {
	return (int32_t)((uint64_t)(uintptr_t)f - (uint64_t)(uintptr_t)&helper_base);
}

static bool near_text(uint8_t *p) {
	int64_t d = (int64_t)((uintptr_t)p - (uintptr_t)&helper_base);
	return d > -(1ll << 30) && d < (1ll << 30);
}

Machine::Machine() {
	image_cap = 1 << 20;
	// RWX memory within +-1 GB of the helpers: try hints below the text.
	uintptr_t text = (uintptr_t)&helper_base & ~(uintptr_t)0xfffff;
	for (uintptr_t delta = 64ull << 20; delta < (1ull << 30) && !image; delta += 64ull << 20) {
		void *p = mmap((void *)(text - delta), image_cap, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if (near_text((uint8_t *)p))
			image = (uint8_t *)p;
		else
			munmap(p, image_cap);
	}
	if (!image) {
		fprintf(stderr, "harness: no executable memory near the text\n");
		abort();
	}
	stack = (uint8_t *)mmap(nullptr, STACK_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		abort();
	r10 = (uint64_t)(uintptr_t)(stack + STACK_BYTES - 8192) - 16;
}

Machine::~Machine() {
	munmap(image, image_cap);
	munmap(stack, STACK_BYTES);
}

static void fill_pattern(Machine &m) {
	uint8_t *s = (uint8_t *)(uintptr_t)(m.r10 - bpf::MAX_BPF_STACK);
	for (unsigned i = 0; i < bpf::MAX_BPF_STACK; i++)
		s[i] = (uint8_t)(i * 37 + 11);
	for (unsigned i = 0; i < DATA_BYTES; i++)
		m.data[i] = (uint8_t)(i * 151 + 7);
}

// A wrong lowering can fault or loop on the real CPU: the run is then a
// failed outcome, not the end of the test binary.
namespace {
sigjmp_buf fault_jmp;
volatile sig_atomic_t fault_sig;
void *volatile fault_addr;
const int fault_sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGALRM};
constexpr int HANG_SECONDS = 5;

void on_fault(int sig, siginfo_t *si, void *) {
	fault_sig = sig;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

std::string fault_text(int sig, void *addr) {
	char b[96];
	if (sig == SIGALRM)
		snprintf(b, sizeof b, "no return within %d s (a loop?)", HANG_SECONDS);
	else
		snprintf(b, sizeof b, "%s at address %p", strsignal(sig), addr);
	return b;
}
} // namespace

static uint64_t call_guarded(uint64_t ctx, void *fn, void *stack_top, std::string *fault) {
	static uint8_t alt[1 << 16];
	stack_t ss{}, old_ss{};
	ss.ss_sp = alt;
	ss.ss_size = sizeof alt;
	sigaltstack(&ss, &old_ss);
	struct sigaction sa {}, old[sizeof fault_sigs / sizeof fault_sigs[0]];
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	for (size_t i = 0; i < sizeof fault_sigs / sizeof fault_sigs[0]; i++)
		sigaction(fault_sigs[i], &sa, &old[i]);
	itimerval t{}, off{};
	t.it_value.tv_sec = HANG_SECONDS;
	setitimer(ITIMER_REAL, &t, nullptr);
	uint64_t r0 = 0;
	if (sigsetjmp(fault_jmp, 1) == 0)
		r0 = vjit_test_call_on_stack(ctx, fn, stack_top);
	else
		*fault = fault_text(fault_sig, fault_addr);
	setitimer(ITIMER_REAL, &off, nullptr);
	for (size_t i = 0; i < sizeof fault_sigs / sizeof fault_sigs[0]; i++)
		sigaction(fault_sigs[i], &old[i], nullptr);
	sigaltstack(&old_ss, nullptr);
	return r0;
}

static std::vector<uint8_t> snapshot(const uint8_t *p, size_t n) {
	return std::vector<uint8_t>(p, p + n);
}

int jit_only(Machine &m, const std::vector<Insn> &prog, std::vector<uint8_t> *bytes,
	     unsigned flags, uint64_t return_thunk, unsigned max_image_len) {
	std::vector<unsigned> addrs(prog.size() + 1);
	struct vjit_jit j;
	memset(&j, 0, sizeof(j));
	j.insns = prog.data();
	j.len = (unsigned)prog.size();
	j.stack_depth = bpf::MAX_BPF_STACK;
	j.call_base = (uint64_t)(uintptr_t)&helper_base;
	j.return_thunk = return_thunk;
	j.flags = flags;
	j.isa = VJIT_ISA_V4;
	j.max_image_len = max_image_len;
	j.addrs = addrs.data();
	int err = VJIT_BACKEND(x86_64).size(&j);
	if (err)
		return err;
	if (j.image_len > m.image_cap)
		return VJIT_E_TOO_LARGE;
	err = VJIT_BACKEND(x86_64).emit(&j, m.image, (uint64_t)(uintptr_t)m.image);
	if (err)
		return err;
	if (bytes)
		bytes->assign(m.image, m.image + j.image_len);
	__builtin___clear_cache((char *)m.image, (char *)m.image + j.image_len);
	return 0;
}

Outcome run_both(Machine &m, const std::vector<Insn> &prog, unsigned flags) {
	Outcome o;
	const uint64_t ctx = (uint64_t)(uintptr_t)m.data;
	uint8_t *bpf_stack = (uint8_t *)(uintptr_t)(m.r10 - bpf::MAX_BPF_STACK);

	fill_pattern(m);
	std::vector<uint8_t> bytes;
	o.jit_error = jit_only(m, prog, &bytes, flags);
	o.image_len = (uint32_t)bytes.size();
	if (o.jit_error == 0) {
		o.jit_r0 = call_guarded(ctx, m.image, (void *)(uintptr_t)(m.r10 + 16), &o.jit_fault);
		o.jit_stack = snapshot(bpf_stack, bpf::MAX_BPF_STACK);
		o.jit_data = snapshot(m.data, DATA_BYTES);
	}

	fill_pattern(m);
	const vjit::MemRegion regions[] = {{ctx, DATA_BYTES, true}};
	const vjit::HelperEntry helpers[] = {
		{helper_imm(helper_base), helper_base},
		{helper_imm(helper_mix), helper_mix},
		{helper_imm(helper_ret7), helper_ret7},
	};
	vjit::InterpConfig cfg;
	cfg.regions = regions;
	cfg.n_regions = 1;
	cfg.helpers = helpers;
	cfg.n_helpers = 3;
	cfg.stack = bpf_stack;
	vjit::InterpResult r = vjit::interp_run(prog.data(), (uint32_t)prog.size(), ctx, cfg);
	o.interp_error = r.error;
	o.interp_r0 = r.r0;
	o.interp_stack = snapshot(bpf_stack, bpf::MAX_BPF_STACK);
	o.interp_data = snapshot(m.data, DATA_BYTES);
	return o;
}

std::string disasm(const uint8_t *p, size_t n) {
	csh h;
	std::string out;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return "<capstone unavailable>";
	cs_insn *insn = nullptr;
	size_t count = cs_disasm(h, p, n, 0, 0, &insn);
	size_t used = 0;
	for (size_t i = 0; i < count; i++) {
		char line[256];
		snprintf(line, sizeof(line), "%4llx: %s %s\n", (unsigned long long)insn[i].address,
			 insn[i].mnemonic, insn[i].op_str);
		out += line;
		used += insn[i].size;
	}
	if (used != n)
		out += "<undecodable bytes>\n";
	cs_free(insn, count);
	cs_close(&h);
	return out;
}

} // namespace vjit_test
