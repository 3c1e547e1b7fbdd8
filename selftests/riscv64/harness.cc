// SPDX-License-Identifier: GPL-2.0
#include "selftests/riscv64/harness.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/vjit_jit.h"
#include "selftests/riscv64/binutils.h"

extern "C" {
VJIT_DECLARE_BACKEND(riscv64)
}

namespace vjit_test {

using namespace rv_runner;

namespace {

std::string self_dir() {
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return ".";
	buf[n] = 0;
	std::string s = buf;
	return s.substr(0, s.rfind('/'));
}

std::string runner_path() { return self_dir() + "/riscv64_runner"; }

struct Helpers {
	uint64_t mix = 0, ret7 = 0;
	Helpers() {
		FILE *p = popen(("qemu-riscv64-static " + runner_path() + " --info").c_str(), "r");
		unsigned long a = 0, b = 0;
		if (p && fscanf(p, "%lx %lx", &a, &b) == 2) {
			mix = a;
			ret7 = b;
		}
		if (p)
			pclose(p);
	}
};
const Helpers &helpers() {
	static const Helpers h;
	return h;
}

// The host side of the runner's data and stack, at the same addresses.
uint8_t *host_map(uint64_t addr, size_t len) {
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	return p == (void *)addr ? (uint8_t *)p : nullptr;
}

} // namespace

std::vector<uint8_t> data_pattern() {
	std::vector<uint8_t> d(DATA_BYTES);
	for (unsigned i = 0; i < DATA_BYTES; i++)
		d[i] = (uint8_t)(i * 151 + 7);
	return d;
}
std::vector<uint8_t> stack_pattern() {
	std::vector<uint8_t> s(STACK_DUMP);
	for (unsigned i = 0; i < STACK_DUMP; i++)
		s[i] = (uint8_t)(i * 37 + 11);
	return s;
}

int32_t helper_mix_imm() { return 0; }
int32_t helper_ret7_imm() { return (int32_t)(helpers().ret7 - helpers().mix); }

bool run_jobs(std::vector<Job> &jobs, std::string *err) {
	char dir[] = "/tmp/vjit-rv64-run-XXXXXX";
	if (!mkdtemp(dir)) {
		*err = "mkdtemp failed";
		return false;
	}
	const std::string in = std::string(dir) + "/in", out = std::string(dir) + "/out";
	{
		std::ofstream f(in, std::ios::binary);
		for (const Job &j : jobs) {
			uint32_t n = (uint32_t)j.image.size();
			f.write((const char *)&n, 4);
			f.write((const char *)j.image.data(), n);
			f.write((const char *)j.data.data(), DATA_BYTES);
			f.write((const char *)j.stack.data(), STACK_DUMP);
		}
	}
	const std::string cmd = "qemu-riscv64-static " + runner_path() + " " + in + " " + out;
	int rc = system(cmd.c_str());
	bool ok = rc == 0;
	if (!ok)
		*err = "runner failed: " + cmd;
	std::ifstream f(out, std::ios::binary);
	for (size_t i = 0; ok && i < jobs.size(); i++) {
		Job &j = jobs[i];
		j.data_out.resize(DATA_BYTES);
		j.stack_out.resize(STACK_DUMP);
		ok = f.read((char *)&j.a0, 8) && f.read((char *)&j.status, 4) &&
		     f.read((char *)j.data_out.data(), DATA_BYTES) && f.read((char *)j.stack_out.data(), STACK_DUMP);
		if (!ok)
			*err = "runner output truncated at job " + std::to_string(i);
	}
	system(("rm -rf " + std::string(dir)).c_str());
	return ok;
}

int jit_riscv64(const std::vector<Insn> &prog, std::vector<uint8_t> *image) {
	std::vector<unsigned> addrs(prog.size() + 1);
	struct vjit_jit j;
	memset(&j, 0, sizeof(j));
	j.insns = prog.data();
	j.len = (unsigned)prog.size();
	j.stack_depth = bpf::MAX_BPF_STACK;
	j.call_base = helpers().mix;
	j.isa = VJIT_ISA_V4;
	j.addrs = addrs.data();
	int e = VJIT_BACKEND(riscv64).size(&j);
	if (e)
		return e;
	if (j.image_len > IMAGE_CAP)
		return VJIT_E_TOO_LARGE;
	image->assign(j.image_len, 0);
	return VJIT_BACKEND(riscv64).emit(&j, image->data(), IMAGE_ADDR);
}

InterpOut interpret(const std::vector<Insn> &prog) {
	static uint8_t *data = host_map(DATA_ADDR, DATA_BYTES);
	static uint8_t *stack = host_map(STACK_ADDR, STACK_BYTES);
	InterpOut o{vjit::InterpError::NONE, 0, {}, {}};
	if (!data || !stack) {
		o.error = vjit::InterpError::OUT_OF_BOUNDS;
		return o;
	}
	// R10 = the entry sp (the riscv64 frame puts the BPF stack right below it).
	uint8_t *bpf_stack = (uint8_t *)(ENTRY_SP - bpf::MAX_BPF_STACK);
	uint8_t *dump = (uint8_t *)(ENTRY_SP - STACK_DUMP);
	const std::vector<uint8_t> dp = data_pattern(), sp = stack_pattern();
	memcpy(data, dp.data(), DATA_BYTES);
	memcpy(dump, sp.data(), STACK_DUMP);
	const vjit::MemRegion regions[] = {{DATA_ADDR, DATA_BYTES, true}};
	const vjit::HelperEntry hs[] = {
		{helper_mix_imm(), helper_mix},
		{helper_ret7_imm(), helper_ret7},
	};
	vjit::InterpConfig cfg;
	cfg.regions = regions;
	cfg.n_regions = 1;
	cfg.helpers = hs;
	cfg.n_helpers = 2;
	cfg.stack = bpf_stack;
	vjit::InterpResult r = vjit::interp_run(prog.data(), (uint32_t)prog.size(), DATA_ADDR, cfg);
	o.error = r.error;
	o.r0 = r.r0;
	o.data.assign(data, data + DATA_BYTES);
	o.stack.assign(dump, dump + STACK_DUMP);
	return o;
}

std::string disasm(const std::vector<uint8_t> &image) {
	std::vector<uint32_t> words;
	for (size_t i = 0; i + 4 <= image.size(); i += 4)
		words.push_back((uint32_t)image[i] | (uint32_t)image[i + 1] << 8 | (uint32_t)image[i + 2] << 16 |
				(uint32_t)image[i + 3] << 24);
	std::string out;
	std::vector<std::string> t = rv_disassemble(words);
	for (size_t i = 0; i < t.size(); i++) {
		char line[300];
		snprintf(line, sizeof line, "%4zx: %08x %s\n", i * 4, words[i], t[i].c_str());
		out += line;
	}
	return out;
}

} // namespace vjit_test
