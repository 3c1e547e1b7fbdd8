// SPDX-License-Identifier: GPL-2.0
// The meaning of INET-DIAG bytecode (the filters `ss` sends), written once
// over a domain D, as Linux 6.1 runs it (inet_diag_bc_run and
// inet_diag_bc_audit, net/ipv4/inet_diag.c).
//
// A bytecode is a sequence of ops {u8 code; u8 yes; u16 no} with their
// operands behind them. Running one op on a socket's entry decides "yes"
// or "no"; control moves forward by that many bytes. Reaching the end
// exactly accepts the socket; jumping to end + 4 rejects it. The audit
// (run by the kernel when the dump starts) guarantees the rest: offsets are
// multiples of 4, at least the op's size, land on an op of the yes chain,
// the end, or end + 4; operands are in range.
//
// Concretely this is the reference interpreter (tests, the differential
// checks); symbolically, diag_op_yes is what vjit-verify proves every
// op's translation against, and diag_operands_valid what the proof assumes
// the audit established.
//
// Words of addresses are the socket's bytes read as little-endian 32-bit
// values (every vjit target is little endian): a network-order prefix mask
// is the byte swap of a host-order one.
#ifndef VJIT_CORE_DIAG_SEMANTICS_H
#define VJIT_CORE_DIAG_SEMANTICS_H

#include "core/semantics.h"
#include "core/vjit_diag.h"

namespace vjit {
namespace diag {

// Op codes (enum in include/uapi/linux/inet_diag.h).
enum : uint8_t {
	NOP, JMP, S_GE, S_LE, D_GE, D_LE, AUTO, S_COND, D_COND, DEV_COND,
	MARK_COND, S_EQ, D_EQ, CGROUP_COND, NR_CODES,
};

enum : uint16_t { AF_UNSPEC_ = 0, AF_INET_ = 2, AF_INET6_ = 10 };
constexpr uint32_t SOCK_BINDPORT_LOCK_ = 8;
constexpr uint32_t OP_SIZE = 4;        // struct inet_diag_bc_op
constexpr uint32_t OPERAND_BYTES = 24; // the largest operand: a hostcond with an IPv6 address
constexpr uint32_t HOSTCOND_SIZE = 8;  // struct inet_diag_hostcond, without the address

inline bool is_port_compare(uint8_t c) {
	return c == S_GE || c == S_LE || c == D_GE || c == D_LE || c == S_EQ || c == D_EQ;
}
inline bool is_source(uint8_t c) { return c == S_GE || c == S_LE || c == S_EQ || c == S_COND; }

} // namespace diag

// An op's operands, decoded from the bytes after its header (b[0] is the
// op's byte 4). Which fields mean something depends on the code.
template <typename D>
struct DiagOperands {
	VJIT_DOMAIN_TYPES(D);
	u16 port;      // port comparisons: the next op's `no`
	u8 family;     // hostcond
	u8 prefix_len;
	u32 cport;     // hostcond: int port, -1 for any
	u32 addr[4];   // hostcond: network-order words
	u32 ifindex;   // DEV_COND
	u32 mark, mask;
	u64 cgroup;
};

// The socket as the filter sees it (struct vjit_diag_entry).
template <typename D>
struct DiagEntry {
	VJIT_DOMAIN_TYPES(D);
	u32 saddr[4], daddr[4];
	u16 sport, dport, family, userlocks;
	u32 ifindex, mark;
	u64 cgroup_id;
};

template <typename D>
typename D::template BV<16> diag_le16(const typename D::template BV<8> *b) {
	return concat(b[1], b[0]);
}
template <typename D>
typename D::template BV<32> diag_le32(const typename D::template BV<8> *b) {
	return concat(diag_le16<D>(b + 2), diag_le16<D>(b));
}
template <typename D>
typename D::template BV<64> diag_le64(const typename D::template BV<8> *b) {
	return concat(diag_le32<D>(b + 4), diag_le32<D>(b));
}

template <typename D>
DiagOperands<D> diag_decode_operands(const typename D::template BV<8> *b) {
	DiagOperands<D> o;
	o.port = diag_le16<D>(b + 2);
	o.family = b[0];
	o.prefix_len = b[1];
	o.cport = diag_le32<D>(b + 4);
	for (unsigned i = 0; i < 4; i++)
		o.addr[i] = diag_le32<D>(b + 8 + 4 * i);
	o.ifindex = diag_le32<D>(b);
	o.mark = diag_le32<D>(b);
	o.mask = diag_le32<D>(b + 4);
	o.cgroup = diag_le64<D>(b);
	return o;
}

// b: VJIT_DIAG_ENTRY_SIZE bytes laid out as struct vjit_diag_entry.
template <typename D>
DiagEntry<D> diag_decode_entry(const typename D::template BV<8> *b) {
	DiagEntry<D> e;
	for (unsigned i = 0; i < 4; i++) {
		e.saddr[i] = diag_le32<D>(b + VJIT_DIAG_SADDR + 4 * i);
		e.daddr[i] = diag_le32<D>(b + VJIT_DIAG_DADDR + 4 * i);
	}
	e.sport = diag_le16<D>(b + VJIT_DIAG_SPORT);
	e.dport = diag_le16<D>(b + VJIT_DIAG_DPORT);
	e.family = diag_le16<D>(b + VJIT_DIAG_FAMILY);
	e.userlocks = diag_le16<D>(b + VJIT_DIAG_USERLOCKS);
	e.ifindex = diag_le32<D>(b + VJIT_DIAG_IFINDEX);
	e.mark = diag_le32<D>(b + VJIT_DIAG_MARK);
	e.cgroup_id = diag_le64<D>(b + VJIT_DIAG_CGROUP);
	return e;
}

template <typename D>
typename D::template BV<32> diag_bswap32(typename D::template BV<32> v) {
	return trunc<32>(endian_result<D>(true, 32, zext<64>(v)));
}

// The first `bits` (1..31) bits of a network-order word: htonl(~0 << (32 - bits)).
template <typename D>
typename D::template BV<32> diag_prefix_mask(typename D::template BV<32> bits) {
	using u32 = typename D::template BV<32>;
	return diag_bswap32<D>(u32(~0u) << (u32(32) - bits));
}

// c ? a : b on truth values (bool has no select).
template <typename D>
typename D::Bool diag_if(typename D::Bool c, typename D::Bool a, typename D::Bool b) {
	return (c && a) || (!c && b);
}

// bitstring_match(a, c, bits): the first `bits` bits of the words agree.
template <typename D>
typename D::Bool diag_prefix_match(const typename D::template BV<32> *a,
				   const typename D::template BV<32> *c,
				   typename D::template BV<32> bits) {
	VJIT_DOMAIN_TYPES(D);
	Bool ok = Bool(true);
	for (unsigned i = 0; i < 4; i++) {
		const u32 lo(32 * i), hi(32 * (i + 1));
		const Bool full = uge(bits, hi), part = ugt(bits, lo) && ult(bits, hi);
		const u32 diff = a[i] ^ c[i];
		const Bool word_ok = diag_if<D>(full, diff == u32(0),
						diag_if<D>(part, (diff & diag_prefix_mask<D>(bits - lo)) == u32(0),
							   Bool(true)));
		ok = ok && word_ok;
	}
	return ok;
}

// S_COND / D_COND: port (or -1), family, prefix of the address. An IPv4
// condition also matches an IPv6 socket's v4-mapped address.
template <typename D>
typename D::Bool diag_hostcond_yes(bool src, const DiagOperands<D> &o, const DiagEntry<D> &e) {
	VJIT_DOMAIN_TYPES(D);
	const u32 port = zext<32>(src ? e.sport : e.dport);
	const Bool port_ok = o.cport == u32(~0u) || o.cport == port;
	const u32 *addr = src ? e.saddr : e.daddr;
	const u32 bits = zext<32>(o.prefix_len);
	const u16 fam = zext<16>(o.family);
	const Bool same_family = fam == u16(diag::AF_UNSPEC_) || fam == e.family;
	const Bool direct = bits == u32(0) || diag_prefix_match<D>(addr, o.addr, bits);
	const u32 mapped_word[4] = {addr[3], u32(0), u32(0), u32(0)};
	const Bool mapped = e.family == u16(diag::AF_INET6_) && fam == u16(diag::AF_INET_) &&
			    addr[0] == u32(0) && addr[1] == u32(0) &&
			    addr[2] == diag_bswap32<D>(u32(0xffff)) &&
			    diag_prefix_match<D>(mapped_word, o.addr, bits);
	return port_ok && diag_if<D>(same_family, direct, mapped);
}

// Does op `code` take its yes branch on entry e?
template <typename D>
typename D::Bool diag_op_yes(uint8_t code, const DiagOperands<D> &o, const DiagEntry<D> &e) {
	VJIT_DOMAIN_TYPES(D);
	using namespace diag;
	switch (code) {
	case NOP: return Bool(true);
	case JMP: return Bool(false);
	case S_GE: return uge(e.sport, o.port);
	case S_LE: return ule(e.sport, o.port);
	case S_EQ: return e.sport == o.port;
	case D_GE: return uge(e.dport, o.port);
	case D_LE: return ule(e.dport, o.port);
	case D_EQ: return e.dport == o.port;
	case AUTO: return (zext<32>(e.userlocks) & u32(SOCK_BINDPORT_LOCK_)) == u32(0);
	case S_COND:
	case D_COND: return diag_hostcond_yes<D>(code == S_COND, o, e);
	case DEV_COND: return o.ifindex == e.ifindex;
	case MARK_COND: return (e.mark & o.mask) == o.mark;
	case CGROUP_COND: return o.cgroup == e.cgroup_id;
	}
	return Bool(false);
}

// What the audit checks of an op's operands (valid_hostcond: a known family
// and a prefix no longer than its address). Sizes are checked on bytes.
template <typename D>
typename D::Bool diag_operands_valid(uint8_t code, const DiagOperands<D> &o) {
	VJIT_DOMAIN_TYPES(D);
	using namespace diag;
	if (code != S_COND && code != D_COND)
		return Bool(true);
	return (o.family == u8(AF_UNSPEC_) && o.prefix_len == u8(0)) ||
	       (o.family == u8(AF_INET_) && ule(o.prefix_len, u8(32))) ||
	       (o.family == u8(AF_INET6_) && ule(o.prefix_len, u8(128)));
}

// Bytes an op needs before its next op (the audit's min_len); 0 for a
// code the kernel does not know.
inline uint32_t diag_op_min_len(uint8_t code, uint8_t family) {
	using namespace diag;
	switch (code) {
	case NOP: case JMP: case AUTO: return OP_SIZE;
	case S_COND: case D_COND:
		return OP_SIZE + HOSTCOND_SIZE +
		       (family == AF_INET_ ? 4 : family == AF_INET6_ ? 16 : 0);
	case DEV_COND: return OP_SIZE + 4;
	case MARK_COND: case CGROUP_COND: return OP_SIZE + 8;
	}
	return is_port_compare(code) ? 2 * OP_SIZE : 0;
}

// ---- concrete: the bytecode as bytes ----

struct DiagOpHeader {
	uint8_t code, yes;
	uint16_t no;
};

inline DiagOpHeader diag_header(const uint8_t *bc, uint32_t off) {
	return DiagOpHeader{bc[off], bc[off + 1], (uint16_t)(bc[off + 2] | bc[off + 3] << 8)};
}

// The operands of the op at off; bytes past len read as zero.
inline DiagOperands<Concrete> diag_operands_at(const uint8_t *bc, uint32_t len, uint32_t off) {
	CBV<8> b[diag::OPERAND_BYTES];
	for (uint32_t i = 0; i < diag::OPERAND_BYTES; i++) {
		const uint32_t at = off + diag::OP_SIZE + i;
		b[i] = at < len ? bc[at] : 0;
	}
	return diag_decode_operands<Concrete>(b);
}

inline DiagEntry<Concrete> diag_entry_of(const struct vjit_diag_entry *entry) {
	CBV<8> b[VJIT_DIAG_ENTRY_SIZE];
	const uint8_t *p = reinterpret_cast<const uint8_t *>(entry);
	for (uint32_t i = 0; i < VJIT_DIAG_ENTRY_SIZE; i++)
		b[i] = p[i];
	return diag_decode_entry<Concrete>(b);
}

// valid_cc: is `cc` bytes before the end an op of the yes chain (or the end)?
inline bool diag_valid_cc(const uint8_t *bc, int32_t len, int32_t cc) {
	uint32_t off = 0;
	while (len >= 0) {
		if (cc > len)
			return false;
		if (cc == len)
			return true;
		const uint8_t yes = bc[off + 1];
		if (yes < diag::OP_SIZE || (yes & 3))
			return false;
		len -= yes;
		off += yes;
	}
	return false;
}

// inet_diag_bc_audit: an enum vjit_diag_error (OK, EINVAL, EPERM), decided
// in the kernel's order. A trailing op cut short is rejected as the
// kernel's walk rejects it (len never returns to 0).
inline int diag_audit(const uint8_t *bc, uint32_t bytecode_len, bool net_admin) {
	using namespace diag;
	if (bytecode_len < OP_SIZE)
		return VJIT_DIAG_EINVAL;
	int32_t len = (int32_t)bytecode_len;
	uint32_t off = 0;
	while (len > 0) {
		const uint8_t code = bc[off];
		if (code == MARK_COND && !net_admin)
			return VJIT_DIAG_EPERM;
		if (len < (int32_t)OP_SIZE)
			return VJIT_DIAG_EINVAL;
		const DiagOpHeader h = diag_header(bc, off);
		const uint8_t family = len > (int32_t)OP_SIZE ? bc[off + OP_SIZE] : 0;
		const int32_t min_len = (int32_t)diag_op_min_len(code, family);
		if (min_len == 0 || len < min_len)
			return VJIT_DIAG_EINVAL;  // unknown code, unknown family, short operands
		if ((code == S_COND || code == D_COND) &&
		    !diag_operands_valid<Concrete>(code, diag_operands_at(bc, bytecode_len, off)))
			return VJIT_DIAG_EINVAL;
		if (code != NOP) {
			if (h.no < min_len || h.no > len + 4 || (h.no & 3))
				return VJIT_DIAG_EINVAL;
			if (h.no < len && !diag_valid_cc(bc, (int32_t)bytecode_len, len - h.no))
				return VJIT_DIAG_EINVAL;
		}
		if (h.yes < min_len || h.yes > len + 4 || (h.yes & 3))
			return VJIT_DIAG_EINVAL;
		off += h.yes;
		len -= h.yes;
	}
	return len == 0 ? VJIT_DIAG_OK : VJIT_DIAG_EINVAL;
}

// inet_diag_bc_run on an audited bytecode: 1 accept, 0 reject. *steps
// counts the ops run (for benchmarks).
inline int diag_run(const uint8_t *bc, uint32_t bytecode_len, const struct vjit_diag_entry *entry,
		    uint32_t *steps = nullptr) {
	const DiagEntry<Concrete> e = diag_entry_of(entry);
	int32_t len = (int32_t)bytecode_len;
	uint32_t off = 0, n = 0;
	while (len > 0) {
		const DiagOpHeader h = diag_header(bc, off);
		const bool yes = diag_op_yes<Concrete>(h.code, diag_operands_at(bc, bytecode_len, off), e);
		const uint32_t by = yes ? h.yes : h.no;
		if (by == 0)
			return 0;  // not audited: the kernel would spin here
		len -= (int32_t)by;
		off += by;
		n++;
	}
	if (steps)
		*steps = n;
	return len == 0;
}

} // namespace vjit

#endif
