// SPDX-License-Identifier: GPL-2.0
// bench-jit: for a few real programs, vjit's compile time per BPF
// instruction, native bytes per BPF instruction, and run time of the JITted
// code against the reference interpreter, measured in this process
// (median of several runs of many iterations each).
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/cbpf_convert.h"
#include "core/interp.h"
#include "core/vjit_jit.h"
#include "selftests/unit/bpf_asm.h"
#include "selftests/unit/filters.h"
#include "user/vjit_runtime.h"

using namespace vjit;
using namespace vjit::asm_;
using Clock = std::chrono::steady_clock;

namespace {

struct Bench {
	std::string name;
	std::vector<Insn> prog;
	uint32_t stack_depth;
	unsigned classic_len;           // 0 for native eBPF
	std::vector<uint8_t> ctx_bytes; // seccomp_data, packet, or scratch
	bool socket = false;
};

std::vector<Insn> convert(const std::vector<ClassicInsn> &c, CbpfMode mode, uint32_t *stack) {
	CbpfConvertOptions o;
	o.mode = mode;
	o.socket = user::socket_abi();
	std::vector<uint32_t> work(c.size() + 1);
	CbpfConvertResult r = cbpf_convert(c.data(), (uint32_t)c.size(), o, nullptr, 0, work.data());
	std::vector<Insn> out(r.len);
	r = cbpf_convert(c.data(), (uint32_t)c.size(), o, out.data(), r.len, work.data());
	if (r.error != CbpfError::NONE) {
		fprintf(stderr, "bench-jit: convert: %s\n", cbpf_error_name(r.error));
		exit(1);
	}
	*stack = r.stack_depth;
	return out;
}

// r0 = hash of 1000 rounds of multiply/xor/shift/add over three registers.
std::vector<Insn> alu_loop() {
	std::vector<Insn> p = {
		mov64_imm(R0, 1), mov64_imm(R2, 0x1234567), mov64_imm(R3, 7), mov64_imm(R4, 1000),
		// loop:
		alu64_imm(MUL, R0, 0x5bd1e995), alu64_reg(XOR, R0, R2), alu64_imm(RSH, R2, 3),
		alu64_reg(ADD, R2, R0), alu32_imm(LSH, R3, 5), alu32_reg(XOR, R3, R0),
		alu64_reg(ADD, R0, R3), alu64_imm(ARSH, R0, 1), alu64_imm(SUB, R4, 1),
		jmp_imm(JNE, R4, 0, -10),
		exit_(),
	};
	return p;
}

template <typename F>
double median_ns_per_iter(F f, unsigned iters, unsigned runs = 7) {
	std::vector<double> per;
	for (unsigned r = 0; r < runs; r++) {
		auto t0 = Clock::now();
		for (unsigned i = 0; i < iters; i++)
			f();
		per.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / iters);
	}
	std::sort(per.begin(), per.end());
	return per[per.size() / 2];
}

volatile uint64_t sink;

} // namespace

int main() {
	std::vector<Bench> benches;
	{
		std::vector<ClassicInsn> c = test::allowlist_filter(300);
		if (c.empty()) {
			fprintf(stderr, "bench-jit: libseccomp export failed\n");
			return 1;
		}
		uint32_t stack;
		std::vector<Insn> p = convert(c, CbpfMode::SECCOMP, &stack);
		test::SeccompData d = test::sd(448 + 2);  // denied: past every allowed number
		std::vector<uint8_t> bytes((uint8_t *)&d, (uint8_t *)&d + sizeof(d));
		benches.push_back({"seccomp allowlist, 300 syscalls (libseccomp)", p, stack,
				   (unsigned)c.size(), bytes, false});
	}
	{
		std::vector<ClassicInsn> c = test::tcp_port22_host_filter();
		uint32_t stack;
		std::vector<Insn> p = convert(c, CbpfMode::SOCKET, &stack);
		benches.push_back({"socket filter 'tcp port 22 and host 10.0.0.1'", p, stack,
				   (unsigned)c.size(), test::tcp_packet(0xc0a80001, 0x0a000001, 40000, 22), true});
	}
	benches.push_back({"ALU loop, 1000 rounds (eBPF)", alu_loop(), 0, 0, {}, false});

	printf("%-48s %6s %6s %10s %10s %10s %10s %8s\n", "program", "cBPF", "eBPF", "compile",
	       "native", "JIT", "interp", "interp/");
	printf("%-48s %6s %6s %10s %10s %10s %10s %8s\n", "", "insns", "insns", "ns/insn",
	       "bytes/insn", "ns/run", "ns/run", "JIT");
	const struct vjit_backend &backend = *user::host_arch().jit;
	printf("arch %s\n", backend.name);
	int status = 0;
	for (Bench &b : benches) {
		// Compile time: sizing passes and the final emission, no mmap.
		std::vector<uint32_t> addrs(b.prog.size() + 1);
		std::vector<uint8_t> buf(1 << 20);
		uint32_t image_len = 0;
		auto compile = [&] {
			struct vjit_jit j;
			memset(&j, 0, sizeof(j));
			j.insns = b.prog.data();
			j.len = (unsigned)b.prog.size();
			j.stack_depth = b.stack_depth;
			j.call_base = user::call_base();
			j.addrs = addrs.data();
			if (backend.size(&j) || backend.emit(&j, buf.data(), (uint64_t)(uintptr_t)buf.data())) {
				fprintf(stderr, "bench-jit: %s: JIT failed\n", b.name.c_str());
				exit(1);
			}
			image_len = j.image_len;
		};
		compile();
		const double compile_ns = median_ns_per_iter(compile, 200);

		user::Jitted jitted;
		std::string err;
		if (!user::jit_compile(b.prog, b.stack_depth, &jitted, &err)) {
			fprintf(stderr, "bench-jit: %s: %s\n", b.name.c_str(), err.c_str());
			return 1;
		}
		// The context and the interpreter's view of memory.
		std::vector<uint8_t> ctx_bytes = b.ctx_bytes;
		ctx_bytes.reserve(ctx_bytes.size() + 1);
		user::SocketCtx skb{(uint64_t)(uintptr_t)ctx_bytes.data(), (uint32_t)ctx_bytes.size(), 0};
		const void *ctx = b.socket ? (const void *)&skb : (const void *)ctx_bytes.data();
		std::vector<MemRegion> regions = {{(uint64_t)(uintptr_t)ctx_bytes.data(), ctx_bytes.size(), false}};
		if (b.socket)
			regions.push_back({(uint64_t)(uintptr_t)&skb, sizeof(skb), false});
		std::vector<uint8_t> stack(INTERP_STACK_BYTES);
		InterpConfig cfg;
		cfg.regions = regions.data();
		cfg.n_regions = regions.size();
		cfg.helpers = user::helper_table().data();
		cfg.n_helpers = user::helper_table().size();
		cfg.stack = stack.data();

		InterpResult ir = interp_run(b.prog.data(), (uint32_t)b.prog.size(), (uint64_t)(uintptr_t)ctx, cfg);
		const uint64_t jr = jitted.image.run(ctx);
		if (ir.error != InterpError::NONE || ir.r0 != jr) {
			fprintf(stderr, "bench-jit: %s: JIT 0x%llx and interpreter 0x%llx (%s) disagree\n",
				b.name.c_str(), (unsigned long long)jr, (unsigned long long)ir.r0,
				interp_error_name(ir.error));
			status = 1;
		}
		const unsigned iters = ir.steps > 10000 ? 2000 : 200000;
		const double jit_ns = median_ns_per_iter([&] { sink = jitted.image.run(ctx); }, iters);
		const double interp_ns = median_ns_per_iter([&] {
			sink = interp_run(b.prog.data(), (uint32_t)b.prog.size(), (uint64_t)(uintptr_t)ctx, cfg).r0;
		}, iters / 10 + 1);

		const double n = (double)b.prog.size();
		char cbpf[16];
		snprintf(cbpf, sizeof(cbpf), "%u", b.classic_len);
		printf("%-48s %6s %6zu %10.1f %10.2f %10.1f %10.1f %7.1fx\n", b.name.c_str(),
		       b.classic_len ? cbpf : "-", b.prog.size(), compile_ns / n, image_len / n, jit_ns,
		       interp_ns, interp_ns / jit_ns);
		printf("%-48s   (result 0x%llx, %llu BPF instructions executed per run)\n", "",
		       (unsigned long long)jr, (unsigned long long)ir.steps);
	}
	printf("interp/JIT: how many times faster the JITted code runs than vjit's reference\n"
	       "interpreter (a bounds-checked model, not Linux's interpreter) in this process.\n");
	return status;
}
