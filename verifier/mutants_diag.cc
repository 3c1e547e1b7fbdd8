// SPDX-License-Identifier: GPL-2.0
// Mutants of the INET-DIAG translation: the shipped lowerings
// (core/diag_translate.h) built with one wrong part each, of the kinds a
// hand-written translation gets wrong. vjit-verify --inet-diag --mutant ID
// re-injects one; check-verifier requires every one to be refuted.
#include "verifier/diag_proof.h"

namespace vjit {
namespace verify {
namespace {

// An IPv4 condition that never looks at v4-mapped IPv6 addresses.
struct NoV4Mapped : DiagParts {
	static constexpr bool v4_mapped = false;
};

// The prefix mask one bit too long.
struct MaskOffByOne : DiagParts {
	template <typename D>
	static typename D::template BV<32> prefix_mask(typename D::template BV<32> bits) {
		return DiagParts::prefix_mask<D>(bits + typename D::template BV<32>(1));
	}
};

// S_GE / D_GE compared with >.
struct GeAsGt : DiagParts {
	static constexpr uint8_t ge = bpf::JGT;
};

// The operand port byte-swapped, as if the entry held network order.
struct PortByteOrder : DiagParts {
	template <typename D>
	static typename D::template BV<32> port_imm(typename D::template BV<16> port) {
		return zext<32>(concat(extract<7, 0>(port), extract<15, 8>(port)));
	}
};

} // namespace

const std::vector<DiagMutant> &diag_mutants() {
	static const std::vector<DiagMutant> m = {
		{"diag-v4-mapped-miss", diag::D_COND, "IPv4 condition misses v4-mapped IPv6 addresses",
		 "reaches no, the bytecode says yes", diag_lowering<Symbolic, NoV4Mapped>},
		{"diag-mask-off-by-one", diag::S_COND, "prefix mask one bit too long",
		 "reaches no, the bytecode says yes", diag_lowering<Symbolic, MaskOffByOne>},
		{"diag-ge-as-gt", diag::S_GE, ">= lowered as >", "reaches no, the bytecode says yes",
		 diag_lowering<Symbolic, GeAsGt>},
		{"diag-port-byte-order", diag::D_LE, "port compared in network order",
		 "the bytecode says", diag_lowering<Symbolic, PortByteOrder>},
	};
	return m;
}

} // namespace verify
} // namespace vjit
