// SPDX-License-Identifier: GPL-2.0
// vjit-run: JIT-compile a BPF program with vjit and run it in userspace, or
// run it with the reference interpreter.
//
//   vjit-run [--interp] [--dump] [--arch ARCH] [--ctx FILE]
//            [--format ebpf|cbpf|elf] [--seccomp|--socket] [--section NAME] [--isa 3|4] [--timeout S] PROGRAM
//
// The last line of output is the program's return value (R0) as 0x...
// Exit status: 0 ran, 1 the program could not be compiled or run,
// 2 bad usage or malformed input.
#include <csignal>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <CLI/CLI.hpp>
#include <bpf/libbpf.h>

#include "core/cbpf_convert.h"
#include "core/interp.h"
#include "user/bpf_print.h"
#include "user/foreign_run.h"
#include "user/vjit_runtime.h"

using namespace vjit;
using vjit::user::SocketCtx;

namespace {

enum Exit { EXIT_RAN = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct Options {
	bool interp = false;
	bool dump = false;
	std::string arch = user::host_arch().name;
	std::string ctx_file;
	std::string format;
	bool seccomp = false;
	bool socket = false;
	std::string section;
	std::string program;
	unsigned isa = 3;  // the ISA level accepted (core/isa.h)
};

int usage_error(const std::string &msg) {
	fprintf(stderr, "vjit-run: %s\n", msg.c_str());
	return EXIT_USAGE;
}

std::string guess_format(const std::string &path) {
	auto ends = [&](const char *suffix) {
		size_t n = strlen(suffix);
		return path.size() >= n && path.compare(path.size() - n, n, suffix) == 0;
	};
	if (ends(".o"))
		return "elf";
	if (ends(".cbpf"))
		return "cbpf";
	return "ebpf";
}

bool load_elf(const std::string &path, const std::string &section, std::vector<Insn> *prog,
	      std::string *err) {
	libbpf_set_print(nullptr);
	struct bpf_object *obj = bpf_object__open_file(path.c_str(), nullptr);
	if (!obj || libbpf_get_error(obj)) {
		*err = path + ": not a BPF ELF object libbpf can open";
		return false;
	}
	struct bpf_program *p = nullptr, *chosen = nullptr;
	std::string names;
	while ((p = bpf_object__next_program(obj, p))) {
		names += std::string(" ") + bpf_program__name(p);
		if (!chosen && (section.empty() || section == bpf_program__section_name(p) ||
				section == bpf_program__name(p)))
			chosen = p;
	}
	if (!chosen) {
		*err = path + ": no program" +
		       (section.empty() ? std::string() : " named " + section) +
		       (names.empty() ? std::string() : " (programs:" + names + ")");
		bpf_object__close(obj);
		return false;
	}
	const struct bpf_insn *insns = bpf_program__insns(chosen);
	size_t n = bpf_program__insn_cnt(chosen);
	prog->assign((const Insn *)insns, (const Insn *)insns + n);
	bpf_object__close(obj);
	return true;
}

// Native code with the BPF instruction each range comes from.
void dump_native(const user::Arch &arch, const std::vector<Insn> &prog, const user::Jitted &j) {
	const uint8_t *code = j.image.data();
	const uint64_t base = (uint64_t)(uintptr_t)code;
	const size_t n = prog.size();
	auto range = [&](const char *title, uint32_t from, uint32_t to) {
		if (title)
			printf("%s\n", title);
		size_t undecoded = 0;
		for (const user::DisasmLine &l : user::disassemble(arch, code + from, to - from, from, &undecoded))
			printf("    %4llx: %-24s %s\n", (unsigned long long)l.addr, l.hex.c_str(), l.text.c_str());
		if (undecoded)
			printf("    %4zx: (%zu bytes the disassembler cannot decode)\n", to - undecoded, undecoded);
	};
	printf("; %s image at 0x%llx, %u bytes, %u passes\n", arch.name, (unsigned long long)base,
	       j.image_len, j.passes);
	range("; prologue", 0, j.addrs[0]);
	for (size_t i = 0; i < n; i++) {
		uint32_t from = j.addrs[i], to = j.addrs[i + 1];
		std::string title = "; " + std::to_string(i) + ": " + user::format_insn(&prog[i], n - i);
		if (bpf::is_ld_imm64(prog[i].code) && i + 1 < n) {
			to = j.addrs[i + 2];
			i++;
		}
		range(title.c_str(), from, to);
	}
	range("; epilogue", j.addrs[n], j.image_len);
}

std::string hex2(unsigned v) {
	char h[8];
	snprintf(h, sizeof(h), "%02x", v & 0xff);
	return h;
}

// What is wrong with an instruction core/isa.h refuses, in the user's terms.
std::string describe_fault(InsnFault f, const Insn &in, size_t slots) {
	const std::string fields = "(code 0x" + hex2(in.code) + ", dst r" + std::to_string(in.dst) +
				   ", src r" + std::to_string(in.src) + ", off " + std::to_string(in.off) +
				   ", imm " + std::to_string(in.imm) + ")";
	switch (f) {
	case InsnFault::OPCODE:
		return "invalid opcode 0x" + hex2(in.code) + " " + fields;
	case InsnFault::RESERVED:
		return "reserved field not zero " + fields;
	case InsnFault::REGISTER:
		return "register above r10 " + fields;
	case InsnFault::IMM64_HALF:
		return slots < 2 ? "LD_IMM64 without its second half"
				 : "LD_IMM64's second slot has fields other than imm set";
	case InsnFault::NONE:
		break;
	}
	return "ok";
}

// A native run that does not return in time: there is no way back into
// the code, so report it and leave (async-signal-safe: write and _exit).
unsigned g_timeout_s = 10;
void on_native_timeout(int) {
	static const char msg[] = "vjit-run: native code did not return within the time limit (--timeout)\n";
	ssize_t w = write(2, msg, sizeof(msg) - 1);
	(void)w;
	_exit(EXIT_FAILED);
}

// Code of an arch this host does not run: through the arch's runner under
// its qemu-user emulator (user/foreign_run.h), with the ctx regions and a
// stack mapped there at this process's addresses. Helpers live in this
// process, so a program that calls one does not run there.
int run_foreign(const user::Arch &arch, const std::vector<Insn> &prog, const user::Jitted &j,
		const void *ctx, const std::vector<MemRegion> &regions) {
	for (const Insn &in : prog)
		if (in.code == (bpf::JMP | bpf::CALL)) {
			fprintf(stderr, "vjit-run: %s code calls a helper; helpers run only on this host (%s)\n",
				arch.name, user::host_arch().name);
			return EXIT_FAILED;
		}
	constexpr size_t stack_len = 1 << 16;
	void *stack = mmap(nullptr, stack_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED) {
		fprintf(stderr, "vjit-run: no memory for the %s stack\n", arch.name);
		return EXIT_FAILED;
	}
	user::ForeignJob job;
	job.image_addr = (uint64_t)(uintptr_t)j.image.data();
	job.image.assign(j.image.data(), j.image.data() + j.image_len);
	job.ctx = (uint64_t)(uintptr_t)ctx;
	job.sp = (uint64_t)(uintptr_t)stack + stack_len;
	for (const MemRegion &r : regions)
		job.regions.push_back({r.base, std::vector<uint8_t>((const uint8_t *)(uintptr_t)r.base,
								   (const uint8_t *)(uintptr_t)r.base + r.len)});
	job.regions.push_back({(uint64_t)(uintptr_t)stack, std::vector<uint8_t>(stack_len)});
	std::vector<user::ForeignResult> res;
	std::string err;
	const bool ran = user::foreign_run(arch.runner, user::runner_path(arch.name), {job}, &res, &err);
	munmap(stack, stack_len);
	if (!ran) {
		fprintf(stderr, "vjit-run: %s\n", err.c_str());
		return EXIT_FAILED;
	}
	if (res[0].status != user::ForeignResult::OK) {
		fprintf(stderr, "vjit-run: %s code under %s: %s %u\n", arch.name, arch.runner,
			user::foreign_status_name(res[0].status), res[0].sig);
		return EXIT_FAILED;
	}
	printf("0x%llx\n", (unsigned long long)res[0].r0);
	return EXIT_RAN;
}

} // namespace

int main(int argc, char **argv) {
	Options o;
	CLI::App app{"JIT-compile a BPF program with vjit and run it in userspace"};
	app.add_flag("--interp", o.interp, "run the reference interpreter instead of the JIT");
	app.add_flag("--dump", o.dump, "print the native code (capstone), by BPF instruction");
	app.add_option("--arch", o.arch, "target architecture")->check(CLI::IsMember(user::arch_names()));
	app.add_option("--ctx", o.ctx_file,
		       "context bytes: a 64-byte struct seccomp_data (--seccomp), packet "
		       "bytes (--socket), or the memory R1 points to (eBPF)");
	app.add_option("--format", o.format, "input format (default: from the extension)")
		->check(CLI::IsMember({"ebpf", "cbpf", "elf"}));
	auto *sec = app.add_flag("--seccomp", o.seccomp, "classic program is a seccomp filter (default)");
	auto *sock = app.add_flag("--socket", o.socket, "classic program is a socket filter");
	sec->excludes(sock);
	app.add_option("--section", o.section, "ELF: program name or section to run");
	app.add_option("--isa", o.isa, "ISA level: 3 (Linux 6.1, the default) or 4 (cpu-v4: sdiv, "
		       "smod, movsx, ldsx, bswap)")->check(CLI::Range(3u, 4u));
	app.add_option("--timeout", g_timeout_s, "seconds the native code may run (default 10)")
		->check(CLI::Range(1u, 3600u));
	app.add_option("PROGRAM", o.program, "raw eBPF (.bin), classic (.cbpf) or ELF (.o)")->required();
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? EXIT_RAN : EXIT_USAGE;
	}
	if (o.format.empty())
		o.format = guess_format(o.program);
	if ((o.seccomp || o.socket) && o.format != "cbpf")
		return usage_error("--seccomp/--socket apply to classic (cbpf) programs only");

	std::string err;
	std::vector<uint8_t> bytes;
	std::vector<Insn> prog;
	uint32_t stack_depth = bpf::MAX_BPF_STACK;
	const bool classic = o.format == "cbpf";
	const CbpfMode mode = o.socket ? CbpfMode::SOCKET : CbpfMode::SECCOMP;

	if (o.format == "elf") {
		if (!load_elf(o.program, o.section, &prog, &err))
			return usage_error(err);
	} else {
		if (!user::read_file(o.program, &bytes, &err))
			return usage_error(err);
		if (bytes.empty() || bytes.size() % 8)
			return usage_error(o.program + ": size " + std::to_string(bytes.size()) +
					   " is not a non-zero multiple of 8 bytes");
	}
	if (classic) {
		std::vector<ClassicInsn> cprog(bytes.size() / 8);
		memcpy(cprog.data(), bytes.data(), bytes.size());
		CbpfConvertOptions opts;
		opts.mode = mode;
		opts.socket = user::socket_abi();
		std::vector<uint32_t> work(cprog.size() + 1);
		CbpfConvertResult r = cbpf_convert(cprog.data(), (uint32_t)cprog.size(), opts,
						   nullptr, 0, work.data());
		if (r.error == CbpfError::NONE) {
			prog.resize(r.len);
			r = cbpf_convert(cprog.data(), (uint32_t)cprog.size(), opts, prog.data(),
					 r.len, work.data());
		}
		if (r.error != CbpfError::NONE) {
			std::string where = r.bad_insn < cprog.size()
				? " at insn " + std::to_string(r.bad_insn) + " (" +
					  user::format_classic(cprog[r.bad_insn]) + ")"
				: "";
			return usage_error(o.program + ": invalid classic program: " +
					   cbpf_error_name(r.error) + where);
		}
		stack_depth = r.stack_depth;
	} else if (o.format == "ebpf") {
		prog.assign((const Insn *)bytes.data(), (const Insn *)bytes.data() + bytes.size() / 8);
	}
	for (size_t i = 0; i < prog.size(); i++) {
		const Insn &in = prog[i];
		const InsnFault fault = insn_check(&in, (uint32_t)(prog.size() - i), o.isa >= 4 ? Isa::V4 : Isa::V3, Origin::USER);
		if (fault != InsnFault::NONE)
			return usage_error(o.program + ": insn " + std::to_string(i) + ": " +
					   describe_fault(fault, in, prog.size() - i));
		if (!semantics_defines(in.code, in.off, in.imm, Isa::V4))
			return usage_error(o.program + ": insn " + std::to_string(i) + ": opcode 0x" +
					   hex2(in.code) + " is not defined in userspace (a kernel-internal form)");
		if (bpf::is_ld_imm64(in.code)) {
			i++;
			continue;
		}
		if (bpf::is_jmp(in.code) && bpf::op(in.code) != bpf::CALL &&
		    bpf::op(in.code) != bpf::EXIT) {
			const bool gotol = bpf::cls(in.code) == bpf::JMP32 && bpf::op(in.code) == bpf::JA;
			int64_t t = (int64_t)i + 1 + (gotol ? in.imm : in.off);
			if (t < 0 || t >= (int64_t)prog.size())
				return usage_error(o.program + ": insn " + std::to_string(i) +
						   ": jump to " + std::to_string(t) + " is outside the program");
		}
	}
	if (!classic && !user::fixup_helper_calls(prog, &err))
		return usage_error(o.program + ": " + err);

	// The context.
	std::vector<uint8_t> ctx_bytes;
	if (!o.ctx_file.empty() && !user::read_file(o.ctx_file, &ctx_bytes, &err))
		return usage_error(err);
	SocketCtx skb{};
	std::vector<MemRegion> regions;
	const void *ctx = nullptr;
	if (classic && mode == CbpfMode::SECCOMP) {
		if (o.ctx_file.empty())
			ctx_bytes.assign(SECCOMP_DATA_SIZE, 0);
		if (ctx_bytes.size() != SECCOMP_DATA_SIZE)
			return usage_error(o.ctx_file + ": a struct seccomp_data is 64 bytes, not " +
					   std::to_string(ctx_bytes.size()));
		ctx = ctx_bytes.data();
		regions.push_back({(uint64_t)(uintptr_t)ctx, ctx_bytes.size(), false});
	} else if (classic) {
		ctx_bytes.reserve(ctx_bytes.size() + 1);  // a valid pointer even when empty
		skb.data = (uint64_t)(uintptr_t)ctx_bytes.data();
		skb.len = (uint32_t)ctx_bytes.size();
		ctx = &skb;
		regions.push_back({(uint64_t)(uintptr_t)&skb, sizeof(skb), false});
		regions.push_back({skb.data, ctx_bytes.size(), false});
	} else {
		ctx_bytes.reserve(ctx_bytes.size() + 1);
		ctx = ctx_bytes.data();
		regions.push_back({(uint64_t)(uintptr_t)ctx, ctx_bytes.size(), true});
	}

	if (o.interp) {
		if (o.dump)
			printf("%s", user::format_program(prog).c_str());
		InterpResult r = user::interpret(prog, (uint64_t)(uintptr_t)ctx, regions);
		if (r.error != InterpError::NONE) {
			fprintf(stderr, "vjit-run: interpreter: %s at insn %u (%s)", interp_error_name(r.error),
				r.pc, r.pc < prog.size() ? user::format_insn(&prog[r.pc], prog.size() - r.pc).c_str() : "?");
			if (r.error == InterpError::OUT_OF_BOUNDS || r.error == InterpError::READ_ONLY)
				fprintf(stderr, ", address 0x%llx", (unsigned long long)r.fault_addr);
			fprintf(stderr, "\n");
			return EXIT_FAILED;
		}
		printf("0x%llx\n", (unsigned long long)r.r0);
		return EXIT_RAN;
	}

	// Native code has no bounds checks: run the interpreter first (on a
	// copy of the ctx) so that a program that would fault is refused rather
	// than crash vjit-run.
	{
		std::vector<uint8_t> saved = ctx_bytes;
		InterpResult r = user::interpret(prog, (uint64_t)(uintptr_t)ctx, regions);
		std::copy(saved.begin(), saved.end(), ctx_bytes.begin());
		if (r.error != InterpError::NONE && r.error != InterpError::BUDGET) {
			fprintf(stderr, "vjit-run: not running native code: the program faults in the "
				"interpreter: %s at insn %u\n", interp_error_name(r.error), r.pc);
			return EXIT_FAILED;
		}
	}
	const user::Arch &arch = *user::find_arch(o.arch);
	user::Jitted j;
	if (!user::jit_compile(prog, stack_depth, &j, &err, nullptr, arch)) {
		fprintf(stderr, "vjit-run: %s\n", err.c_str());
		return EXIT_FAILED;
	}
	if (o.dump)
		dump_native(arch, prog, j);
	if (!arch.native())
		return run_foreign(arch, prog, j, ctx, regions);
	signal(SIGALRM, on_native_timeout);
	alarm(g_timeout_s);
	uint64_t r0 = j.image.run(ctx);
	alarm(0);
	printf("0x%llx\n", (unsigned long long)r0);
	return EXIT_RAN;
}
