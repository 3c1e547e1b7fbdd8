// SPDX-License-Identifier: GPL-2.0
// The multi-pass JIT driver, for any backend. Freestanding, no allocation:
// every buffer comes in through struct vjit_jit (core/vjit_jit.h).
//
// An Arch type provides
//   template <typename D> static Table<D> table();
//   template <typename D> static void prologue(JitCtx<D> &);
//   template <typename D> static void epilogue(JitCtx<D> &);
//   template <typename D> static void pad(JitCtx<D> &, uint32_t n);
//                                  n bytes that only fall through (NOPs)
//   static constexpr uint32_t initial_insn_bytes;  first-pass guess per insn
// and optionally
//   template <typename D> static BV<32> body_regs(const InsnFields<D> &);
//                                  native registers an instruction's code may
//                                  write; their union over the program goes
//                                  to the frame (JitOptions::body_regs)
//
// Layout: addrs[i] is the native offset where BPF instruction i starts,
// addrs[len] the epilogue's. Every pass rewrites addrs[] in place while it
// goes; a backward jump sees this pass's offsets, a forward jump its
// target's distance in the previous pass (JitCtx::insn_addr). Passes
// repeat until one changes nothing (then every jump was encoded against
// the final offsets). The emitting pass must then reproduce exactly the
// same offsets, or the image is refused.
//
// The first layout is the shortest: every offset 0, so every forward jump
// starts short, and the passes only lengthen what does not reach (a
// jump's length grows with its distance, and distances, sums of lengths,
// grow with the lengths: the offsets climb to the least layout that holds,
// usually in a few passes). If that has not settled after GROW_PASSES,
// the driver starts again from a pessimistic layout (initial_insn_bytes
// per instruction), which only shrinks: from FREEZE_PASS on, each
// instruction keeps the length it had in the previous pass, padded with
// NOPs (Arch::pad) when its code came out shorter. Lengths cannot grow
// there: a jump's distance, measured on a layout that only shrank, only
// shrinks too; so one frozen pass fixes the layout. The emitting pass
// always runs frozen, which is a no-op once the offsets have settled
// without padding.
//
// LD_IMM64 takes two slots: the second slot's offset is the end of the pair
// (a jump there is invalid anyway).
#ifndef VJIT_CORE_DRIVER_H
#define VJIT_CORE_DRIVER_H

#include "core/jit.h"
#include "core/semantics.h"
#include "core/vjit_jit.h"

namespace vjit {

constexpr unsigned DRIVER_GROW_PASSES = 8;
constexpr unsigned DRIVER_MAX_PASSES = 32;
constexpr unsigned DRIVER_FREEZE_PASS = 10;
// Largest stack_depth accepted (the kernel's own limit per program is 512;
// vjit takes more for converted classic programs, but bounds it).
constexpr uint32_t DRIVER_MAX_STACK = 1u << 16;
// Largest image the driver lays out (offsets stay far from 2^32).
constexpr uint32_t DRIVER_MAX_IMAGE = 1u << 30;

inline int driver_fail(struct vjit_jit *j, int err, uint32_t insn) {
	j->error = err;
	j->error_insn = insn;
	const Insn *insns = static_cast<const Insn *>(j->insns);
	j->error_opcode = insns && insn < j->len ? insns[insn].code : 0;
	return err;
}

inline int lower_error_code(LowerError e) {
	// An operand no form can express (a helper beyond rel32) or a variant
	// the rule refuses: either way the kernel's JIT gets the program.
	if (e == LowerError::MITIGATION)
		return VJIT_E_MITIGATION;  // the kernel's JIT applies it instead
	return e == LowerError::NONE ? VJIT_OK : VJIT_E_UNSUPPORTED_OPCODE;
}

// The rule for each opcode, found once per compile instead of scanning the
// table for every instruction of every pass. Rules sharing an opcode (off
// or imm selects the operation) are scanned from the first of them.
template <typename D>
struct RuleIndex {
	Table<D> table;
	uint16_t first[256];  // 1 + index of the first rule for the opcode; 0: none

	explicit RuleIndex(const Table<D> &t) : table(t) {
		for (unsigned c = 0; c < 256; c++)
			first[c] = 0;
		for (size_t i = t.n; i-- > 0;)
			first[t.rules[i].code] = (uint16_t)(i + 1);
	}
	const Rule<D> *find(uint8_t code, int16_t off, int32_t imm) const {
		for (size_t i = first[code]; i != 0 && i <= table.n; i++) {
			const Rule<D> &r = table.rules[i - 1];
			if (r.matches(code, off, imm))
				return &r;
		}
		return nullptr;
	}
	const Rule<D> *find(const Insn &in) const { return find(in.code, in.off, in.imm); }
};

inline Isa driver_isa(const struct vjit_jit *j) {
	return j->isa >= VJIT_ISA_V4 ? Isa::V4 : Isa::V3;
}

// Structural checks every pass relies on: every instruction an encoding of
// the program's ISA level with its reserved fields zero (core/isa.h) and a
// rule in the table, LD_IMM64 pairs, jump targets in range.
template <typename Arch>
int driver_check(struct vjit_jit *j, const RuleIndex<Concrete> &rules) {
	using namespace bpf;
	j->error = VJIT_OK;
	j->error_insn = 0;
	j->error_opcode = 0;
	j->error_fault = 0;
	j->v4_insns = 0;
	j->body_regs = has_body_regs<Arch>::value ? 0 : ~0u;
	if (!j->insns || j->len == 0 || !j->addrs || j->stack_depth > DRIVER_MAX_STACK)
		return driver_fail(j, VJIT_E_BAD_PROGRAM, 0);
	const Insn *insns = static_cast<const Insn *>(j->insns);
	const Origin origin = (j->flags & VJIT_F_KERNEL) ? Origin::KERNEL : Origin::USER;
	for (uint32_t i = 0; i < j->len; i++) {
		const Insn &in = insns[i];
		const InsnFault fault = insn_check(&in, j->len - i, driver_isa(j), origin);
		if (fault != InsnFault::NONE) {
			j->error_fault = (unsigned char)fault;
			return driver_fail(j, VJIT_E_BAD_PROGRAM, i);
		}
		if (driver_isa(j) == Isa::V4 &&
		    insn_check(&in, j->len - i, Isa::V3, origin) != InsnFault::NONE)
			j->v4_insns++;
		if (!rules.find(in))
			return driver_fail(j, VJIT_E_UNSUPPORTED_OPCODE, i);
		if constexpr (has_body_regs<Arch>::value)
			j->body_regs |= (uint32_t)Arch::template body_regs<Concrete>(fields_of(&in)).v;
		if (is_ld_imm64(in.code)) {
			i++;
			continue;
		}
		if (is_jmp(in.code) && op(in.code) != CALL && op(in.code) != EXIT) {
			const int64_t off = cls(in.code) == JMP32 && op(in.code) == JA ? in.imm : in.off;
			const int64_t t = (int64_t)i + 1 + off;
			if (t < 0 || t >= (int64_t)j->len)
				return driver_fail(j, VJIT_E_BAD_PROGRAM, i);
		}
	}
	return VJIT_OK;
}

inline JitCtx<Concrete> driver_ctx(const struct vjit_jit *j) {
	JitCtx<Concrete> c;
	c.addrs = j->addrs;
	c.n_insns = j->len;
	c.call_base = j->call_base;
	c.opts.rethunk = (j->flags & VJIT_F_RETHUNK) != 0;
	c.opts.return_thunk = j->return_thunk;
	c.opts.bhb_loop = (j->flags & VJIT_F_BHB_LOOP) != 0;
	c.opts.bhb_loop_addr = j->bhb_loop;
	c.opts.bhb_ibhf = (j->flags & VJIT_F_BHB_IBHF) != 0;
	c.opts.ibt = (j->flags & VJIT_F_IBT) != 0;
	c.opts.lse = (j->flags & VJIT_F_LSE) != 0;
	c.opts.tail_call_entry = j->tail_call_entry;
	c.opts.stack_depth = j->stack_depth;
	c.opts.body_regs = j->body_regs;
	return c;
}

// One pass over the program. update: rewrite addrs[] (sizing), else check
// that every offset is reproduced (emitting). freeze: every instruction
// takes exactly its previous length (see the top of this file). *changed
// tells whether any offset moved.
template <typename Arch>
int driver_pass(struct vjit_jit *j, JitCtx<Concrete> &c, const RuleIndex<Concrete> &rules,
		bool update, bool freeze, bool *changed) {
	const Insn *insns = static_cast<const Insn *>(j->insns);
	*changed = false;
	auto settle = [&](uint32_t i) {
		if (j->addrs[i] != c.len) {
			*changed = true;
			if (update)
				j->addrs[i] = c.len;
		}
	};
	Arch::template prologue<Concrete>(c);
	if (c.error != LowerError::NONE)
		return driver_fail(j, lower_error_code(c.error), 0);
	for (uint32_t i = 0; i < j->len; i++) {
		const uint32_t slots = bpf::is_ld_imm64(insns[i].code) ? 2 : 1;
		// Both still hold the previous pass's offsets here.
		const uint32_t prev_len = j->addrs[i + slots] - j->addrs[i];
		const uint32_t start = c.len;
		c.prev_start = j->addrs[i];
		settle(i);
		const Rule<Concrete> *rule = rules.find(insns[i]);
		if (!rule)
			return driver_fail(j, VJIT_E_UNSUPPORTED_OPCODE, i);
		c.cur = i;
		InsnFields<Concrete> fields = fields_of(&insns[i]);
		if ((j->flags & VJIT_F_KERNEL) && kernel_ignores_imm(insns[i].code))
			fields.imm = 0;  // ignored by the kernel (core/isa.h)
		if ((j->flags & VJIT_F_KERNEL) && kernel_ignores_src(insns[i].code))
			fields.src = 0;
		rule->lower(c, fields);
		if (c.error != LowerError::NONE)
			return driver_fail(j, lower_error_code(c.error), i);
		if (freeze) {
			const uint32_t used = c.len - start;
			if (used > prev_len)
				return driver_fail(j, VJIT_E_NO_CONVERGENCE, i);
			Arch::template pad<Concrete>(c, prev_len - used);
		}
		if (c.len > DRIVER_MAX_IMAGE)
			return driver_fail(j, VJIT_E_TOO_LARGE, i);
		if (slots == 2)
			settle(++i);
	}
	settle(j->len);
	c.cur = j->len;
	Arch::template epilogue<Concrete>(c);
	if (c.error != LowerError::NONE)
		return driver_fail(j, lower_error_code(c.error), j->len);
	return VJIT_OK;
}

// Passes from the layout in addrs[] until one changes nothing, at most
// max_passes; 1 when settled (image_len set), 0 when not yet, or an error.
template <typename Arch>
int driver_settle(struct vjit_jit *j, const RuleIndex<Concrete> &rules, unsigned max_passes, bool may_freeze) {
	for (unsigned pass = 0; pass < max_passes; pass++) {
		JitCtx<Concrete> c = driver_ctx(j);
		c.image_base = j->call_base;
		bool changed = false;
		const int err = driver_pass<Arch>(j, c, rules, true, may_freeze && pass >= DRIVER_FREEZE_PASS, &changed);
		j->passes++;
		if (err)
			return -err;
		if (!changed) {
			if (j->max_image_len && c.len > j->max_image_len)
				return -driver_fail(j, VJIT_E_TOO_LARGE, j->len);
			j->image_len = c.len;
			return 1;
		}
	}
	return 0;
}

// Sizing: passes without output until the offsets settle (above); sets
// image_len. The final image address is not known yet: calls and the
// return thunk are sized as if the image sat at call_base (their length
// does not depend on the address; whether they reach is checked again
// when emitting).
template <typename Arch>
int driver_size(struct vjit_jit *j) {
	const RuleIndex<Concrete> rules(Arch::template table<Concrete>());
	int err = driver_check<Arch>(j, rules);
	if (err)
		return err;
	j->image_len = 0;
	j->passes = 0;
	for (uint32_t i = 0; i <= j->len; i++)
		j->addrs[i] = 0;
	int settled = driver_settle<Arch>(j, rules, DRIVER_GROW_PASSES, false);
	if (settled == 0) {
		for (uint32_t i = 0; i <= j->len; i++)
			j->addrs[i] = (i + 1) * Arch::initial_insn_bytes;
		settled = driver_settle<Arch>(j, rules, DRIVER_MAX_PASSES, true);
	}
	if (settled < 0)
		return -settled;
	return settled ? VJIT_OK : driver_fail(j, VJIT_E_NO_CONVERGENCE, j->len);
}

// Emitting: one pass into rw (image_len bytes) for the image that will run
// at ro_addr, after driver_size accepted the same j (its program checked,
// as the kernel's JITs trust their verifier). Must reproduce addrs[].
template <typename Arch>
int driver_emit(struct vjit_jit *j, uint8_t *rw, uint64_t ro_addr) {
	const RuleIndex<Concrete> rules(Arch::template table<Concrete>());
	j->error = VJIT_OK;
	j->error_insn = 0;
	j->error_opcode = 0;
	j->error_fault = 0;
	if (!rw || !j->insns || !j->addrs || j->image_len == 0)
		return driver_fail(j, VJIT_E_BAD_PROGRAM, 0);
	JitCtx<Concrete> c = driver_ctx(j);
	c.buf = rw;
	c.cap = j->image_len;
	c.image_base = ro_addr;
	bool changed = false;
	const int err = driver_pass<Arch>(j, c, rules, false, true, &changed);
	if (err)
		return err;
	if (changed || c.overflow || c.len != j->image_len)
		return driver_fail(j, VJIT_E_NO_CONVERGENCE, j->len);
	return VJIT_OK;
}

inline const char *driver_error_name(int error) {
	switch (error) {
	case VJIT_OK: return "ok";
	case VJIT_E_UNSUPPORTED_OPCODE: return "unsupported opcode";
	case VJIT_E_BAD_PROGRAM: return "bad program";
	case VJIT_E_TOO_LARGE: return "image too large";
	case VJIT_E_NO_CONVERGENCE: return "offsets did not converge";
	case VJIT_E_NO_MEMORY: return "no memory";
	case VJIT_E_MITIGATION: return "mitigation";
	}
	return "unknown error";
}

} // namespace vjit

#endif
