// SPDX-License-Identifier: GPL-2.0
// INET-DIAG bytecode to eBPF, concretely: the layout of the fragments
// (core/diag_translate.h) and the C entry points (core/vjit_diag.h).
#include "core/diag_translate.h"

namespace vjit {
namespace {

using namespace bpf;

constexpr uint32_t NO_FRAGMENT = ~0u;
// ACCEPT and REJECT: two instructions each.
constexpr uint32_t TAIL_LEN = 2;

Insn insn_of(const InsnFields<Concrete> &f) {
	return Insn{f.code, (uint8_t)f.dst.v, (uint8_t)f.src.v, (int16_t)f.off.v, (int32_t)f.imm.v};
}

struct Layout {
	const uint8_t *bc;
	uint32_t len;
	uint32_t *start;  // start[off / 4]: the fragment of the op at off;
	                  // [len / 4] ACCEPT, [len / 4 + 1] REJECT
	uint32_t accept() const { return start[len / 4]; }

	// Program index of the op `by` bytes after off (the audit put it on
	// the yes chain, at the end, or at end + 4).
	uint32_t target(uint32_t off, uint32_t by) const {
		const uint32_t to = off + by;
		return to <= len + 4 ? start[to / 4] : NO_FRAGMENT;
	}
};

// The fragment of the op at off, at program index base: into out when
// given, else only its length. Returns the length, 0 on failure.
uint32_t fragment(const Layout &l, uint32_t off, uint32_t base, bool sizing, InsnFields<Concrete> *buf) {
	const DiagOpHeader h = diag_header(l.bc, off);
	DiagLowerFn<Concrete> lower = diag_lowering<Concrete>(h.code);
	if (!lower)
		return 0;
	DiagCtx<Concrete> c;
	c.buf = buf;
	c.cap = VJIT_DIAG_MAX_FRAGMENT;
	c.base = base;
	// Sizing: any target in reach (lengths never depend on targets).
	c.yes = sizing ? base + VJIT_DIAG_MAX_FRAGMENT : l.target(off, h.yes);
	c.no = sizing || h.code == diag::NOP ? c.yes : l.target(off, h.no);
	if (c.yes.v == NO_FRAGMENT || c.no.v == NO_FRAGMENT)
		return 0;
	lower(c, h.code, diag_operands_at(l.bc, l.len, off));
	return c.failed ? 0 : c.len;
}

void put_tail(Insn *out, uint32_t at, int32_t ret) {
	out[at] = Insn{ALU | MOV | K, DIAG_RET, 0, 0, ret};
	out[at + 1] = Insn{JMP | EXIT, 0, 0, 0, 0};
}

} // namespace
} // namespace vjit

using namespace vjit;

extern "C" int vjit_diag_audit(const void *bc, unsigned int len, int net_admin) {
	return diag_audit(static_cast<const uint8_t *>(bc), len, net_admin != 0);
}

extern "C" int vjit_diag_translate(const void *bytecode, unsigned int len, void *out,
				   unsigned int out_cap, unsigned int *out_len,
				   unsigned int *work) {
	const uint8_t *bc = static_cast<const uint8_t *>(bytecode);
	int err = diag_audit(bc, len, true);
	if (err)
		return err;
	Layout l{bc, len, work};
	for (uint32_t i = 0; i < len / 4 + 2; i++)
		work[i] = NO_FRAGMENT;
	// Sizing: where each op of the yes chain starts.
	uint32_t total = 0;
	for (uint32_t off = 0; off < len; off += diag_header(bc, off).yes) {
		const uint32_t n = fragment(l, off, total, true, nullptr);
		if (n == 0)
			return VJIT_DIAG_EINVAL;
		work[off / 4] = total;
		total += n;
	}
	work[len / 4] = total;
	work[len / 4 + 1] = total + TAIL_LEN;
	total += 2 * TAIL_LEN;
	*out_len = total;
	if (total > DIAG_MAX_PROGRAM)
		return VJIT_DIAG_TOO_LARGE;
	if (!out)
		return VJIT_DIAG_OK;
	if (total > out_cap)
		return VJIT_DIAG_NO_SPACE;
	Insn *prog = static_cast<Insn *>(out);
	for (uint32_t off = 0; off < len; off += diag_header(bc, off).yes) {
		InsnFields<Concrete> buf[VJIT_DIAG_MAX_FRAGMENT];
		const uint32_t base = work[off / 4];
		const uint32_t n = fragment(l, off, base, false, buf);
		const uint32_t next = off + diag_header(bc, off).yes;
		if (n == 0 || base + n != (next < len ? work[next / 4] : l.accept()))
			return VJIT_DIAG_EINVAL;  // lengths changed between passes: a bug here
		for (uint32_t i = 0; i < n; i++)
			prog[base + i] = insn_of(buf[i]);
	}
	put_tail(prog, l.accept(), 1);
	put_tail(prog, l.accept() + TAIL_LEN, 0);
	return VJIT_DIAG_OK;
}

extern "C" const char *vjit_diag_error_name(int error) {
	switch (error) {
	case VJIT_DIAG_OK: return "ok";
	case VJIT_DIAG_EINVAL: return "audit: invalid bytecode";
	case VJIT_DIAG_EPERM: return "audit: MARK_COND needs CAP_NET_ADMIN";
	case VJIT_DIAG_TOO_LARGE: return "translation beyond 16-bit jumps";
	case VJIT_DIAG_NO_SPACE: return "output buffer too small";
	}
	return "unknown";
}
