// SPDX-License-Identifier: GPL-2.0
// INET-DIAG bytecode to eBPF, one op at a time, written over a domain D:
// the kernel module translates with D = Concrete (core/diag_translate.cc),
// vjit-verify runs the very same lowerings with symbolic operands, entry
// and targets, and proves each op's code reaches the op's yes target
// exactly when diag_op_yes says so (core/diag_semantics.h), its no target
// otherwise.
//
// The translated program, for the ops of the yes chain in order:
//   fragment(op_0) fragment(op_1) ... ACCEPT: w0 = 1; exit  REJECT: w0 = 0; exit
// R1 holds the struct vjit_diag_entry throughout; R2 is the scratch
// register. A fragment only loads from the entry, compares, and jumps
// forward: to a later fragment, ACCEPT or REJECT. Every fragment ends
// with an unconditional jump, so fragments can be laid out in any order.
//
// The pieces where a translation goes wrong in the ways the mutants
// re-inject (verifier/mutants_diag.cc) are named members of a parts
// policy P (DiagParts here).
#ifndef VJIT_CORE_DIAG_TRANSLATE_H
#define VJIT_CORE_DIAG_TRANSLATE_H

#include "core/diag_semantics.h"

namespace vjit {

// Registers of a translated filter.
enum : uint8_t { DIAG_RET = bpf::R0, DIAG_ENTRY = bpf::R1, DIAG_TMP = bpf::R2 };

// Jumps are forward and 16-bit: a program longer than this is refused.
constexpr uint32_t DIAG_MAX_PROGRAM = 0x7fff;

// Where one op's fragment is written.
template <typename D>
struct DiagCtx {
	VJIT_DOMAIN_TYPES(D);
	InsnFields<D> *buf = nullptr;  // nullptr: count only
	uint32_t cap = 0;
	uint32_t len = 0;   // instructions of the fragment so far
	uint32_t base = 0;  // program index of the fragment's first instruction
	u32 yes, no;        // program indices of the op's targets
	bool failed = false;

	void put(uint8_t code, uint8_t dst, uint8_t src, u16 off, u32 imm) {
		if (buf && len < cap)
			buf[len] = InsnFields<D>{code, u4(dst), u4(src), off, imm, u32(0)};
		if (len >= cap)
			failed = true;
		len++;
	}
	// tmp = *(size *)(entry + off)
	void load(uint8_t size, uint16_t off) {
		put(bpf::LDX | bpf::MEM | size, DIAG_TMP, DIAG_ENTRY, u16(off), u32(0));
	}
	// w_tmp &= imm
	void and32(u32 imm) { put(bpf::ALU | bpf::AND | bpf::K, DIAG_TMP, 0, u16(0), imm); }
	// if (tmp OP imm) goto target  (code: JMP/JMP32 | OP | K)
	void jump_if(uint8_t code, u32 imm, u32 target) {
		const u32 off = target - u32(base + len + 1);
		if (!D::when(ult(off, u32(0x8000)), "diag.jump_fits"))
			failed = true;
		put(code, DIAG_TMP, 0, trunc<16>(off), imm);
	}
	void jump(u32 target) {
		const u32 off = target - u32(base + len + 1);
		if (!D::when(ult(off, u32(0x8000)), "diag.jump_fits"))
			failed = true;
		put(bpf::JMP | bpf::JA, 0, 0, trunc<16>(off), u32(0));
	}
	// if (tmp OP imm) skip the next n instructions
	void skip_if(uint8_t code, u32 imm, uint32_t n) {
		put(code, DIAG_TMP, 0, u16(n), imm);
	}
};

// Instructions that emit(ctx) would add to c's fragment.
template <typename D, typename F>
uint32_t diag_measure(const DiagCtx<D> &c, F emit) {
	DiagCtx<D> m = c;
	m.buf = nullptr;
	emit(m);
	return m.len - c.len;
}

// The translation's parts, as vjit ships them.
struct DiagParts {
	// The first `bits` (1..31) bits of a network-order word, on a
	// little-endian host: the byte swap of ~(~0 >> bits).
	template <typename D>
	static typename D::template BV<32> prefix_mask(typename D::template BV<32> bits) {
		using u32 = typename D::template BV<32>;
		return diag_bswap32<D>(~(u32(~0u) >> bits));
	}
	// A port operand as the entry holds ports: host order.
	template <typename D>
	static typename D::template BV<32> port_imm(typename D::template BV<16> port) {
		return zext<32>(port);
	}
	static constexpr uint8_t ge = bpf::JGE;
	static constexpr uint8_t le = bpf::JLE;
	// An IPv4 condition also tries an IPv6 socket's v4-mapped address.
	static constexpr bool v4_mapped = true;
};

// NOP: always yes. JMP: always no.
template <typename D, typename P>
void diag_lower_nop(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &) { c.jump(c.yes); }
template <typename D, typename P>
void diag_lower_jmp(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &) { c.jump(c.no); }

// S_GE ... D_EQ: if (port OP operand) goto yes; goto no
template <typename D, typename P>
void diag_lower_port(DiagCtx<D> &c, uint8_t code, const DiagOperands<D> &o) {
	using namespace diag;
	uint8_t cmp = bpf::JEQ;
	if (code == S_GE || code == D_GE)
		cmp = P::ge;
	else if (code == S_LE || code == D_LE)
		cmp = P::le;
	c.load(bpf::H, is_source(code) ? VJIT_DIAG_SPORT : VJIT_DIAG_DPORT);
	c.jump_if(bpf::JMP | cmp | bpf::K, P::template port_imm<D>(o.port), c.yes);
	c.jump(c.no);
}

// AUTO: yes unless the port was bound explicitly.
template <typename D, typename P>
void diag_lower_auto(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &) {
	c.load(bpf::H, VJIT_DIAG_USERLOCKS);
	c.jump_if(bpf::JMP | bpf::JSET | bpf::K, diag::SOCK_BINDPORT_LOCK_, c.no);
	c.jump(c.yes);
}

template <typename D, typename P>
void diag_lower_dev(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &o) {
	c.load(bpf::W, VJIT_DIAG_IFINDEX);
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, o.ifindex, c.no);
	c.jump(c.yes);
}

// MARK_COND: (mark & mask) == operand mark
template <typename D, typename P>
void diag_lower_mark(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &o) {
	c.load(bpf::W, VJIT_DIAG_MARK);
	c.and32(o.mask);
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, o.mark, c.no);
	c.jump(c.yes);
}

// CGROUP_COND: the 64-bit id, compared one half at a time.
template <typename D, typename P>
void diag_lower_cgroup(DiagCtx<D> &c, uint8_t, const DiagOperands<D> &o) {
	c.load(bpf::W, VJIT_DIAG_CGROUP);
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, trunc<32>(o.cgroup), c.no);
	c.load(bpf::W, VJIT_DIAG_CGROUP + 4);
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, extract<63, 32>(o.cgroup), c.no);
	c.jump(c.yes);
}

// Goes to no unless the first `bits` bits of the address words at
// entry + off equal those of words[]; `max_words` of them can matter.
template <typename D, typename P>
void diag_prefix(DiagCtx<D> &c, uint16_t off, const typename D::template BV<32> *words,
		 typename D::template BV<32> bits, unsigned max_words) {
	VJIT_DOMAIN_TYPES(D);
	for (unsigned i = 0; i < max_words; i++) {
		const uint16_t at = (uint16_t)(off + 4 * i);
		if (D::when(uge(bits, u32(32 * (i + 1))), "diag.full_word")) {
			c.load(bpf::W, at);
			c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, words[i], c.no);
			continue;
		}
		if (D::when(ugt(bits, u32(32 * i)), "diag.partial_word")) {
			const u32 mask = P::template prefix_mask<D>(bits - u32(32 * i));
			c.load(bpf::W, at);
			c.and32(mask);
			c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, words[i] & mask, c.no);
		}
		return;
	}
}

// An IPv4 condition on an IPv6 socket: ::ffff:a.b.c.d matches as a.b.c.d.
template <typename D, typename P>
void diag_v4_mapped(DiagCtx<D> &c, uint16_t off, const DiagOperands<D> &o) {
	VJIT_DOMAIN_TYPES(D);
	c.load(bpf::W, off);
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, u32(0), c.no);
	c.load(bpf::W, (uint16_t)(off + 4));
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, u32(0), c.no);
	c.load(bpf::W, (uint16_t)(off + 8));
	c.jump_if(bpf::JMP32 | bpf::JNE | bpf::K, diag_bswap32<D>(u32(0xffff)), c.no);
	diag_prefix<D, P>(c, (uint16_t)(off + 12), o.addr, zext<32>(o.prefix_len), 1);
	c.jump(c.yes);
}

// S_COND / D_COND:
//   if (cport != -1 && port != cport) goto no
//   AF_UNSPEC:  goto yes (the audit allows no prefix)
//   AF_INET6:   family == AF_INET6 && prefix matches, else no
//   AF_INET:    family == AF_INET && prefix matches word 0, or
//               family == AF_INET6 && words 0-2 are ::ffff && prefix matches word 3
template <typename D, typename P>
void diag_lower_hostcond(DiagCtx<D> &c, uint8_t code, const DiagOperands<D> &o) {
	VJIT_DOMAIN_TYPES(D);
	using namespace diag;
	const bool src = code == S_COND;
	const uint16_t addr = src ? VJIT_DIAG_SADDR : VJIT_DIAG_DADDR;
	const u32 bits = zext<32>(o.prefix_len);
	if (D::when(o.cport != u32(~0u), "diag.port_given")) {
		if (!D::when(ult(o.cport, u32(0x10000)), "diag.port_in_range")) {
			c.jump(c.no);  // an int port no u16 equals
			return;
		}
		c.load(bpf::H, src ? VJIT_DIAG_SPORT : VJIT_DIAG_DPORT);
		c.jump_if(bpf::JMP | bpf::JNE | bpf::K, P::template port_imm<D>(trunc<16>(o.cport)), c.no);
	}
	if (D::when(o.family == u8(AF_UNSPEC_), "diag.family_unspec")) {
		c.jump(c.yes);
		return;
	}
	c.load(bpf::H, VJIT_DIAG_FAMILY);
	if (D::when(o.family == u8(AF_INET6_), "diag.family_inet6")) {
		c.jump_if(bpf::JMP | bpf::JNE | bpf::K, u32(AF_INET6_), c.no);
		diag_prefix<D, P>(c, addr, o.addr, bits, 4);
		c.jump(c.yes);
		return;
	}
	auto direct = [&](DiagCtx<D> &x) {
		x.jump_if(bpf::JMP | bpf::JNE | bpf::K, u32(AF_INET_), x.no);
		diag_prefix<D, P>(x, addr, o.addr, bits, 1);
		x.jump(x.yes);
	};
	if (P::v4_mapped)
		c.skip_if(bpf::JMP | bpf::JEQ | bpf::K, u32(AF_INET6_), diag_measure<D>(c, direct));
	direct(c);
	if (P::v4_mapped)
		diag_v4_mapped<D, P>(c, addr, o);
}

template <typename D>
using DiagLowerFn = void (*)(DiagCtx<D> &c, uint8_t code, const DiagOperands<D> &o);

// The lowering of each op code, or nullptr for a code the kernel rejects.
template <typename D, typename P = DiagParts>
DiagLowerFn<D> diag_lowering(uint8_t code) {
	using namespace diag;
	switch (code) {
	case NOP: return diag_lower_nop<D, P>;
	case JMP: return diag_lower_jmp<D, P>;
	case S_GE: case S_LE: case D_GE: case D_LE: case S_EQ: case D_EQ:
		return diag_lower_port<D, P>;
	case AUTO: return diag_lower_auto<D, P>;
	case S_COND: case D_COND: return diag_lower_hostcond<D, P>;
	case DEV_COND: return diag_lower_dev<D, P>;
	case MARK_COND: return diag_lower_mark<D, P>;
	case CGROUP_COND: return diag_lower_cgroup<D, P>;
	}
	return nullptr;
}

inline const char *diag_op_name(uint8_t code) {
	static constexpr const char *names[diag::NR_CODES] = {
		"NOP", "JMP", "S_GE", "S_LE", "D_GE", "D_LE", "AUTO", "S_COND",
		"D_COND", "DEV_COND", "MARK_COND", "S_EQ", "D_EQ", "CGROUP_COND",
	};
	return code < diag::NR_CODES ? names[code] : "?";
}

} // namespace vjit

#endif
