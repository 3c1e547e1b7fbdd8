// SPDX-License-Identifier: GPL-2.0
// The emission context of the verifier: JitCtx<Symbolic> (core/jit.h).
//
// Bytes are terms; the offsets table is an uninterpreted function of the BPF
// index (insn_addr), so a proof holds for every offsets table consistent
// with the assumptions the checker states (verifier/refine.h); the image
// and helper base addresses are free 64-bit values.
#ifndef VJIT_VERIFIER_SYMJIT_H
#define VJIT_VERIFIER_SYMJIT_H

#include <string>
#include <vector>

#include "core/jit.h"
#include "verifier/symbolic.h"

namespace vjit {

template <>
struct JitCtx<Symbolic> {
	std::vector<SBV<8>> bytes;
	SBV<32> start;       // native offset of the first byte emitted
	SBV<32> cur;         // BPF index being lowered
	SBV<32> n_insns;     // program length (insn_addr(n_insns): the epilogue)
	SBV<64> image_base;  // final address of native offset 0
	SBV<64> call_base;   // helper imm is relative to it
	JitOptions opts;
	LowerError error = LowerError::NONE;
	std::vector<SBV<32>> addr_queries;  // every insn_addr() term handed out
	long epilogue_copy_at = -1;         // byte where an epilogue copy starts
	z3::func_decl addr_fn;

	JitCtx()
		: start(SBV<32>::var("start")), cur(SBV<32>::var("idx")), n_insns(SBV<32>::var("n_insns")),
		  image_base(SBV<64>::var("image_base")), call_base(SBV<64>::var("call_base")),
		  addr_fn(z3::function("insn_addr", sym_ctx().bv_sort(32), sym_ctx().bv_sort(32))) {}

	void emit8(const SBV<8> &b) { bytes.push_back(b); }
	void emit32(const SBV<32> &w) {
		emit8(extract<7, 0>(w));
		emit8(extract<15, 8>(w));
		emit8(extract<23, 16>(w));
		emit8(extract<31, 24>(w));
	}
	SBV<32> here() const { return start + SBV<32>((uint64_t)bytes.size()); }
	SBV<32> insn_addr(const SBV<32> &i) {
		SBV<32> a(addr_fn(i.e));
		addr_queries.push_back(a);
		return a;
	}
	SBV<32> epilogue_addr() { return insn_addr(n_insns); }
	SBV<32> idx() const { return cur; }
	SBV<32> epilogue_idx() const { return n_insns; }
	SBV<64> image_addr(const SBV<32> &off) const { return image_base + zext<64>(off); }
	SBV<64> helper_addr(const SBV<32> &imm) const { return call_base + sext<64>(imm); }
	void fail(LowerError e) {
		if (error == LowerError::NONE)
			error = e;
	}
	void epilogue_copy() { epilogue_copy_at = (long)bytes.size(); }
};

} // namespace vjit

#endif
