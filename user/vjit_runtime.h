// SPDX-License-Identifier: GPL-2.0
// Running BPF in userspace (hosted): executable images near the binary's
// text, the userspace helpers and their call_base, the socket-filter ctx,
// and one-call wrappers around the JIT and the reference
// interpreter. Used by vjit-run, the tests, the fuzzer and the benchmarks.
#ifndef VJIT_USER_VJIT_RUNTIME_H
#define VJIT_USER_VJIT_RUNTIME_H

#include <stdint.h>

#include <string>
#include <vector>

#include "core/cbpf_convert.h"
#include "core/interp.h"
#include "user/arches.h"

namespace vjit {
namespace user {

// The ctx a converted socket filter gets: the packet, all of it linear.
struct SocketCtx {
	uint64_t data;      // address of the packet's first byte
	uint32_t len;       // packet length
	uint32_t data_len;  // bytes beyond the linear head: always 0 here
};

// Helpers callable from JITted code and from the interpreter alike. CALL imm
// is relative to call_base() (as the kernel's __bpf_call_base).
uint64_t call_base();
int32_t helper_imm(HelperFn fn);

// The converter's socket ABI for SocketCtx and the load helpers below.
CbpfSocketAbi socket_abi();

// Helpers by Linux helper id (BPF_FUNC_*) that make sense without a kernel:
// only those vjit-run implements, plus vjit's test helper (the fuzzer's).
// Returns nullptr for any other id.
constexpr int32_t VJIT_HELPER_TEST_MIX = 0x10000;
HelperFn linux_helper(int32_t id, const char **name);

// The interpreter's helper table for everything above (skb loads and the
// Linux ids), with the imms the JIT will use.
const std::vector<HelperEntry> &helper_table();

// Rewrites CALL imm=<BPF_FUNC id> (src 0) into imm = fn - call_base, as the
// kernel's verifier does. Fails on an id with no userspace helper.
bool fixup_helper_calls(std::vector<Insn> &prog, std::string *err);

// Executable memory within +-2 GB of the helpers, so rel32 calls reach them.
class ExecImage {
public:
	ExecImage() = default;
	ExecImage(const ExecImage &) = delete;
	ExecImage &operator=(const ExecImage &) = delete;
	~ExecImage();
	bool alloc(size_t size, std::string *err);  // RW
	bool seal(std::string *err);                // RX
	uint8_t *data() const { return mem_; }
	size_t size() const { return size_; }
	uint64_t run(const void *ctx) const;

private:
	uint8_t *mem_ = nullptr;
	size_t size_ = 0;
	size_t map_len_ = 0;
};

struct Jitted {
	ExecImage image;
	std::vector<uint32_t> addrs;  // BPF index -> native offset; [len] epilogue
	uint32_t image_len = 0;
	uint32_t passes = 0;
};

// JIT-compiles prog with the backend of arch (default: this host's). On
// failure err names the reason and, where there is one, the instruction.
// The image runs here only when arch is native.
bool jit_compile(const std::vector<Insn> &prog, uint32_t stack_depth, Jitted *out,
		 std::string *err, int *jit_error = nullptr, const Arch &arch = host_arch());

// Runs the reference interpreter with the given extra regions and the
// helper table. stack: INTERP_STACK_BYTES (allocated when empty).
InterpResult interpret(const std::vector<Insn> &prog, uint64_t ctx,
		       const std::vector<MemRegion> &regions, std::vector<uint8_t> *stack = nullptr);

// Reads a whole file; false with err on failure.
bool read_file(const std::string &path, std::vector<uint8_t> *bytes, std::string *err);

} // namespace user
} // namespace vjit

#endif
