// SPDX-License-Identifier: GPL-2.0
#include "user/vjit_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "core/vjit_jit.h"

namespace vjit {
namespace user {
namespace {

// A packet load as bpf_skb_load_helper_{8,16,32}: big-endian value, or a
// negative errno when [offset, offset + size) is not inside the packet.
// Negative offsets (SKF_NET_OFF, SKF_LL_OFF) need a kernel sk_buff: refused.
template <unsigned N>
uint64_t skb_load(uint64_t skb_addr, uint64_t, uint64_t, uint64_t offset, uint64_t) {
	const SocketCtx *skb = (const SocketCtx *)(uintptr_t)skb_addr;
	const int32_t off = (int32_t)offset;
	if (off < 0 || (uint64_t)off + N > skb->len)
		return (uint64_t)(int64_t)-EFAULT;
	const uint8_t *p = (const uint8_t *)(uintptr_t)skb->data + off;
	uint64_t v = 0;
	for (unsigned i = 0; i < N; i++)
		v = v << 8 | p[i];
	return v;
}

// BPF_FUNC_ktime_get_ns (5): CLOCK_MONOTONIC, as the kernel's.
uint64_t helper_ktime_get_ns(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// BPF_FUNC_get_smp_processor_id (8): a userspace run is on "CPU 0".
uint64_t helper_smp_processor_id(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
	return 0;
}

// vjit's own test helper (id VJIT_HELPER_TEST_MIX, outside Linux's ids):
// a pure function of all five arguments, so that argument passing and the
// result are checked when JIT and interpreter are compared.
uint64_t helper_test_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	uint64_t h = a * 0x9e3779b97f4a7c15ull;
	h ^= (b + 0x632be59bd9b4e019ull) * 3;
	h = (h << 13 | h >> 51) + c * 5;
	h ^= d * 7 + (e << 1);
	return h;
}

struct LinuxHelper {
	int32_t id;
	const char *name;
	HelperFn fn;
};
const LinuxHelper linux_helpers[] = {
	{5, "bpf_ktime_get_ns", helper_ktime_get_ns},
	{8, "bpf_get_smp_processor_id", helper_smp_processor_id},
	{VJIT_HELPER_TEST_MIX, "vjit_test_mix", helper_test_mix},
};

} // namespace

uint64_t call_base() {
	// Any function of this binary: every helper is within rel32 of it.
	return (uint64_t)(uintptr_t)&helper_smp_processor_id;
}

int32_t helper_imm(HelperFn fn) {
	return (int32_t)((int64_t)(uintptr_t)fn - (int64_t)call_base());
}

CbpfSocketAbi socket_abi() {
	CbpfSocketAbi abi{};
	abi.data_off = offsetof(SocketCtx, data);
	abi.len_off = offsetof(SocketCtx, len);
	abi.data_len_off = offsetof(SocketCtx, data_len);
	abi.load_helper[0] = helper_imm(skb_load<1>);
	abi.load_helper[1] = helper_imm(skb_load<2>);
	abi.load_helper[2] = helper_imm(skb_load<4>);
	abi.direct_head_loads = true;
	return abi;
}

HelperFn linux_helper(int32_t id, const char **name) {
	for (const LinuxHelper &h : linux_helpers)
		if (h.id == id) {
			if (name)
				*name = h.name;
			return h.fn;
		}
	return nullptr;
}

const std::vector<HelperEntry> &helper_table() {
	static const std::vector<HelperEntry> table = [] {
		std::vector<HelperEntry> t;
		for (HelperFn fn : {skb_load<1>, skb_load<2>, skb_load<4>})
			t.push_back({helper_imm(fn), fn});
		for (const LinuxHelper &h : linux_helpers)
			t.push_back({helper_imm(h.fn), h.fn});
		return t;
	}();
	return table;
}

bool fixup_helper_calls(std::vector<Insn> &prog, std::string *err) {
	for (size_t i = 0; i < prog.size(); i++) {
		Insn &in = prog[i];
		if (bpf::is_ld_imm64(in.code)) {
			i++;
			continue;
		}
		if (in.code != (bpf::JMP | bpf::CALL) || in.src != 0)
			continue;
		HelperFn fn = linux_helper(in.imm, nullptr);
		if (!fn) {
			*err = "insn " + std::to_string(i) + ": helper " + std::to_string(in.imm) +
			       " is not available in userspace (vjit-run has: 5 ktime_get_ns, "
			       "8 get_smp_processor_id, 65536 vjit_test_mix)";
			return false;
		}
		in.imm = helper_imm(fn);
	}
	return true;
}

ExecImage::~ExecImage() {
	if (mem_)
		munmap(mem_, map_len_);
}

bool ExecImage::alloc(size_t size, std::string *err) {
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	map_len_ = (size + page - 1) / page * page;
	if (map_len_ == 0)
		map_len_ = page;
	// rel32 calls to helpers: map near them. Try a few hints on both sides.
	const int64_t base = (int64_t)(call_base() & ~(uint64_t)(page - 1));
	const int64_t step = 128ll << 20;
	for (int i = 1; i <= 12; i++) {
		int64_t hint = base + ((i & 1) ? -1 : 1) * step * ((i + 1) / 2);
		if (hint <= 0)
			continue;
		void *p = mmap((void *)hint, map_len_, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		int64_t dist = (int64_t)(uintptr_t)p - base;
		if (dist > (1ll << 31) - (1ll << 28) || dist < -(1ll << 31) + (1ll << 28)) {
			munmap(p, map_len_);
			continue;
		}
		mem_ = (uint8_t *)p;
		size_ = size;
		return true;
	}
	*err = "cannot map executable memory within 2 GB of the helpers";
	return false;
}

bool ExecImage::seal(std::string *err) {
	if (mprotect(mem_, map_len_, PROT_READ | PROT_EXEC) != 0) {
		*err = std::string("mprotect: ") + strerror(errno);
		return false;
	}
	return true;
}

uint64_t ExecImage::run(const void *ctx) const {
	// As the kernel calls bpf_func(ctx, insnsi); the image uses only ctx.
	auto fn = (uint64_t(*)(const void *, const void *))(void *)mem_;
	return fn(ctx, nullptr);
}

bool jit_compile(const std::vector<Insn> &prog, uint32_t stack_depth, Jitted *out,
		 std::string *err, int *jit_error, const Arch &arch) {
	out->addrs.assign(prog.size() + 1, 0);
	struct vjit_jit j;
	memset(&j, 0, sizeof(j));
	j.insns = prog.data();
	j.len = (unsigned)prog.size();
	j.stack_depth = stack_depth;
	j.call_base = call_base();
	j.addrs = out->addrs.data();
	j.isa = VJIT_ISA_V4;  // the callers check the program's level
	auto failed = [&](int rc) {
		if (jit_error)
			*jit_error = rc;
		char buf[160];
		snprintf(buf, sizeof(buf), "JIT: %s at insn %u (opcode 0x%02x)",
			 vjit_jit_error_name(rc), j.error_insn, j.error_opcode);
		*err = buf;
		return false;
	};
	int rc = arch.jit->size(&j);
	if (rc)
		return failed(rc);
	if (!out->image.alloc(j.image_len, err))
		return false;
	rc = arch.jit->emit(&j, out->image.data(), (uint64_t)(uintptr_t)out->image.data());
	if (rc)
		return failed(rc);
	out->image_len = j.image_len;
	out->passes = j.passes;
	if (jit_error)
		*jit_error = 0;
	return out->image.seal(err);
}

InterpResult interpret(const std::vector<Insn> &prog, uint64_t ctx,
		       const std::vector<MemRegion> &regions, std::vector<uint8_t> *stack) {
	std::vector<uint8_t> local;
	if (!stack)
		stack = &local;
	if (stack->size() < INTERP_STACK_BYTES)
		stack->assign(INTERP_STACK_BYTES, 0);
	InterpConfig cfg;
	cfg.regions = regions.data();
	cfg.n_regions = regions.size();
	cfg.helpers = helper_table().data();
	cfg.n_helpers = helper_table().size();
	cfg.stack = stack->data();
	return interp_run(prog.data(), (uint32_t)prog.size(), ctx, cfg);
}

bool read_file(const std::string &path, std::vector<uint8_t> *bytes, std::string *err) {
	std::ifstream f(path, std::ios::binary);
	if (!f) {
		*err = path + ": " + strerror(errno);
		return false;
	}
	bytes->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
	if (f.bad()) {
		*err = path + ": read error";
		return false;
	}
	return true;
}

} // namespace user
} // namespace vjit
