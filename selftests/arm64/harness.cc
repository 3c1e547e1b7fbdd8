// SPDX-License-Identifier: GPL-2.0
#include "selftests/arm64/harness.h"

#include <capstone/capstone.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/arm64/model.h"
#include "arch/arm64/target.h"
#include "core/vjit_jit.h"
#include "user/foreign_run.h"

extern "C" {
VJIT_DECLARE_BACKEND(arm64)
}

namespace vjit_test {

using vjit::Concrete;

namespace {

std::string emulator() {
	const char *e = getenv("VJIT_ARM64_EMULATOR");
	return e ? e : "qemu-aarch64-static";
}
std::string runner() {
	const char *r = getenv("VJIT_ARM64_RUNNER");
	return r ? r : vjit::user::runner_path("arm64");
}

// The runner's helper addresses, asked once.
const std::vector<uint64_t> &helpers() {
	static const std::vector<uint64_t> addrs = [] {
		std::vector<uint64_t> a;
		std::string err;
		if (!vjit::user::foreign_helpers(emulator(), runner(), &a, &err)) {
			fprintf(stderr, "harness: %s\n", err.c_str());
			abort();
		}
		return a;
	}();
	return addrs;
}

// The same functions as the runner's (selftests/arm64/runner.c), for the
// interpreter.
uint64_t host_base(uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a; }
uint64_t host_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return a * 3 + (b ^ 0x5555) - (c << 2) + (d >> 1) + e * 7;
}
uint64_t host_ret7(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 7; }

uint8_t *map_fixed(uint64_t addr, size_t len) {
	void *p = mmap((void *)(uintptr_t)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)(uintptr_t)addr) {
		fprintf(stderr, "harness: cannot map 0x%llx\n", (unsigned long long)addr);
		abort();
	}
	return (uint8_t *)p;
}

// This process's copies of the data region and the stack.
struct Memory {
	uint8_t *data = map_fixed(DATA_ADDR, DATA_BYTES);
	uint8_t *stack = map_fixed(STACK_ADDR, STACK_BYTES);
	void fill() {
		for (size_t i = 0; i < DATA_BYTES; i++)
			data[i] = (uint8_t)(i * 7 + 3);
		for (size_t i = 0; i < STACK_BYTES; i++)
			stack[i] = (uint8_t)(i * 13 + 5);
	}
};
Memory &memory() {
	static Memory m;
	return m;
}

constexpr uint64_t BPF_STACK_ADDR = R10_ADDR - bpf::MAX_BPF_STACK;

std::vector<uint8_t> slice(const uint8_t *p, size_t n) { return std::vector<uint8_t>(p, p + n); }

// The model's environment: the job's regions as memory, the runner's
// helpers by address.
struct ModelEnv {
	std::vector<vjit::user::ForeignRegion> &mem;
	std::string fault;
	uint8_t *find(unsigned n, uint64_t a) {
		for (auto &r : mem)
			if (a >= r.addr && a + n <= r.addr + r.bytes.size())
				return r.bytes.data() + (a - r.addr);
		return nullptr;
	}
	using State = vjit::arm64::model::State<Concrete>;
	using Access = vjit::arm64::model::Access;
	vjit::CBV<64> load(unsigned n, vjit::CBV<64> a, Access) {
		uint64_t v = 0;
		if (uint8_t *p = find(n, a.v))
			memcpy(&v, p, n);
		else if (fault.empty())
			fault = "load outside memory";
		return v;
	}
	void store(unsigned n, vjit::CBV<64> a, vjit::CBV<64> v, Access) {
		if (uint8_t *p = find(n, a.v))
			memcpy(p, &v.v, n);
		else if (fault.empty())
			fault = "store outside memory";
	}
	void call(vjit::CBV<64> target, State &s) {
		vjit::HelperFn f = target.v == helpers()[HELPER_MIX] ? host_mix
				 : target.v == helpers()[HELPER_RET7] ? host_ret7 : host_base;
		if (target.v != helpers()[HELPER_BASE] && f == host_base && fault.empty())
			fault = "call to an unknown address";
		s.x[0] = f(s.x[0].v, s.x[1].v, s.x[2].v, s.x[3].v, s.x[4].v);
	}
	void fence(const char *) {}
	void landing(uint32_t, unsigned) {}
	bool undef_bool(const char *) { return true; }  // STXR succeeds when it may, as alone on qemu
};

constexpr uint64_t MODEL_RETURN = 0xdead0000;

void run_model(const vjit::user::ForeignJob &j, Outcome &o) {
	std::vector<vjit::user::ForeignRegion> mem = j.regions;
	ModelEnv env{mem, ""};
	ModelEnv::State st;
	for (auto &x : st.x)
		x = 0;
	st.x[0] = j.ctx;
	st.x[30] = MODEL_RETURN;
	st.sp = j.sp;
	std::vector<vjit::CBV<8>> bytes(j.image.begin(), j.image.end());
	vjit::arm64::model::Code<Concrete> code{bytes.data(), (uint32_t)bytes.size(), j.image_addr};
	vjit::arm64::model::Machine<Concrete, ModelEnv> m(st, env, code);
	vjit::arm64::model::Stop<Concrete> stop = m.run(0, 50u << 20);
	if (stop.status != vjit::arm64::model::Status::RETURNED || stop.pc.v != MODEL_RETURN)
		o.model_fault = std::string(vjit::arm64::model::status_name(stop.status)) + " at +" +
				std::to_string(stop.at) + ": " + stop.why;
	else if (!env.fault.empty())
		o.model_fault = env.fault;
	o.model_r0 = st.x[0].v;
	o.model_data = mem[0].bytes;
	o.model_stack = slice(mem[1].bytes.data() + (BPF_STACK_ADDR - STACK_ADDR), bpf::MAX_BPF_STACK);
}

} // namespace

bool Outcome::model_agrees() const {
	return model_fault.empty() && model_r0 == jit_r0 && model_stack == jit_stack && model_data == jit_data;
}

int32_t helper_imm(Helper h) { return (int32_t)(helpers()[h] - helpers()[HELPER_BASE]); }

bool Outcome::agree() const {
	return jit_error == 0 && native_fault.empty() && interp_error == vjit::InterpError::NONE &&
	       jit_r0 == interp_r0 && jit_stack == interp_stack && jit_data == interp_data;
}

int jit_arm64(const std::vector<Insn> &prog, unsigned flags, std::vector<uint8_t> *bytes) {
	std::vector<unsigned> addrs(prog.size() + 1);
	struct vjit_jit j;
	memset(&j, 0, sizeof(j));
	j.insns = prog.data();
	j.len = (unsigned)prog.size();
	j.stack_depth = bpf::MAX_BPF_STACK;
	j.call_base = helpers()[HELPER_BASE];
	j.flags = flags;
	j.isa = VJIT_ISA_V4;
	j.addrs = addrs.data();
	int err = VJIT_BACKEND(arm64).size(&j);
	if (err)
		return err;
	bytes->assign(j.image_len, 0);
	return VJIT_BACKEND(arm64).emit(&j, bytes->data(), IMAGE_ADDR);
}

void Batch::add(const std::vector<Insn> &prog, unsigned flags, const std::string &what) {
	progs_.push_back(prog);
	flags_.push_back(flags);
	whats_.push_back(what);
}

bool Batch::run(std::string *err) {
	Memory &m = memory();
	const vjit::HelperEntry table[] = {
		{helper_imm(HELPER_BASE), host_base},
		{helper_imm(HELPER_MIX), host_mix},
		{helper_imm(HELPER_RET7), host_ret7},
	};
	const vjit::MemRegion regions[] = {{DATA_ADDR, DATA_BYTES, true}};
	std::vector<vjit::user::ForeignJob> jobs;
	std::vector<size_t> job_of(progs_.size(), SIZE_MAX);
	outcomes_.assign(progs_.size(), Outcome());
	for (size_t i = 0; i < progs_.size(); i++) {
		Outcome &o = outcomes_[i];
		m.fill();
		vjit::InterpConfig cfg;
		cfg.regions = regions;
		cfg.n_regions = 1;
		cfg.helpers = table;
		cfg.n_helpers = 3;
		cfg.stack = (uint8_t *)(uintptr_t)BPF_STACK_ADDR;
		vjit::InterpResult r = vjit::interp_run(progs_[i].data(), (uint32_t)progs_[i].size(), DATA_ADDR, cfg);
		o.interp_error = r.error;
		o.interp_r0 = r.r0;
		o.interp_stack = slice(cfg.stack, bpf::MAX_BPF_STACK);
		o.interp_data = slice(m.data, DATA_BYTES);
		o.jit_error = jit_arm64(progs_[i], flags_[i], &o.image);
		if (o.jit_error)
			continue;
		m.fill();
		vjit::user::ForeignJob j;
		j.image_addr = IMAGE_ADDR;
		j.image = o.image;
		j.ctx = DATA_ADDR;
		j.sp = R10_ADDR + vjit::arm64::frame_bytes;
		j.regions = {{DATA_ADDR, slice(m.data, DATA_BYTES)}, {STACK_ADDR, slice(m.stack, STACK_BYTES)}};
		run_model(j, o);
		job_of[i] = jobs.size();
		jobs.push_back(std::move(j));
	}
	std::vector<vjit::user::ForeignResult> results;
	if (!vjit::user::foreign_run(emulator(), runner(), jobs, &results, err))
		return false;
	for (size_t i = 0; i < progs_.size(); i++) {
		if (job_of[i] == SIZE_MAX)
			continue;
		const vjit::user::ForeignResult &r = results[job_of[i]];
		Outcome &o = outcomes_[i];
		if (r.status != vjit::user::ForeignResult::OK)
			o.native_fault = std::string(vjit::user::foreign_status_name(r.status)) + " " + std::to_string(r.sig);
		o.jit_r0 = r.r0;
		o.jit_data = r.regions[0];
		o.jit_stack = slice(r.regions[1].data() + (BPF_STACK_ADDR - STACK_ADDR), bpf::MAX_BPF_STACK);
	}
	return true;
}

std::string disasm(const std::vector<uint8_t> &image) {
	csh h;
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK)
		return "<capstone unavailable>\n";
	std::string out;
	for (size_t off = 0; off + 4 <= image.size(); off += 4) {
		cs_insn *insn = nullptr;
		char line[256];
		if (cs_disasm(h, image.data() + off, 4, off, 1, &insn) == 1) {
			snprintf(line, sizeof line, "%4zx: %s %s\n", off, insn[0].mnemonic, insn[0].op_str);
			cs_free(insn, 1);
		} else {
			uint32_t w;
			memcpy(&w, image.data() + off, 4);
			snprintf(line, sizeof line, "%4zx: .word 0x%08x\n", off, w);
		}
		out += line;
	}
	cs_close(&h);
	return out;
}

} // namespace vjit_test
