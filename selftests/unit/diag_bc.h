// SPDX-License-Identifier: GPL-2.0
// Building INET-DIAG bytecode in tests and benchmarks: ops as ss lays them
// out (struct inet_diag_bc_op, then the operands), and socket entries.
#ifndef VJIT_SELFTESTS_UNIT_DIAG_BC_H
#define VJIT_SELFTESTS_UNIT_DIAG_BC_H

#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/diag_semantics.h"

namespace vjit {
namespace test {

// One op before its offsets are known: yes/no name other ops by index
// (ops.size() is the end: accept; ops.size() + 1 is reject).
struct DiagOp {
	uint8_t code;
	std::vector<uint8_t> operands;
	size_t yes, no;
	size_t junk = 0;  // bytes after the operands that yes jumps over
};

inline void put16(std::vector<uint8_t> &b, uint16_t v) {
	b.push_back((uint8_t)v);
	b.push_back((uint8_t)(v >> 8));
}
inline void put32(std::vector<uint8_t> &b, uint32_t v) {
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

// Operands of a hostcond: family, prefix, int port (-1: any), address.
inline std::vector<uint8_t> hostcond(uint8_t family, uint8_t prefix, int32_t port, const void *addr) {
	std::vector<uint8_t> b = {family, prefix, 0, 0};
	put32(b, (uint32_t)port);
	const size_t n = family == diag::AF_INET_ ? 4 : family == diag::AF_INET6_ ? 16 : 0;
	const uint8_t *a = static_cast<const uint8_t *>(addr);
	b.insert(b.end(), a, a + n);
	return b;
}
// Port comparisons: the port in the next op's `no`.
inline std::vector<uint8_t> port_operand(uint16_t port) {
	std::vector<uint8_t> b = {0, 0};
	put16(b, port);
	return b;
}
inline std::vector<uint8_t> u32_operand(uint32_t v) {
	std::vector<uint8_t> b;
	put32(b, v);
	return b;
}
inline std::vector<uint8_t> mark_operand(uint32_t mark, uint32_t mask) {
	std::vector<uint8_t> b;
	put32(b, mark);
	put32(b, mask);
	return b;
}
inline std::vector<uint8_t> u64_operand(uint64_t v) {
	std::vector<uint8_t> b;
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
	return b;
}

// Lays the ops out and resolves their targets.
inline std::vector<uint8_t> assemble(const std::vector<DiagOp> &ops) {
	std::vector<size_t> at(ops.size() + 2);
	size_t off = 0;
	for (size_t i = 0; i < ops.size(); i++) {
		at[i] = off;
		off += diag::OP_SIZE + ops[i].operands.size() + ops[i].junk;
	}
	at[ops.size()] = off;
	at[ops.size() + 1] = off + 4;
	std::vector<uint8_t> b;
	for (size_t i = 0; i < ops.size(); i++) {
		b.push_back(ops[i].code);
		b.push_back((uint8_t)(at[ops[i].yes] - at[i]));
		put16(b, (uint16_t)(at[ops[i].no] - at[i]));
		b.insert(b.end(), ops[i].operands.begin(), ops[i].operands.end());
		b.insert(b.end(), ops[i].junk, (uint8_t)0xa5);
	}
	return b;
}

inline vjit_diag_entry entry_of(int af, const char *src, uint16_t sport, const char *dst, uint16_t dport) {
	vjit_diag_entry e;
	memset(&e, 0, sizeof(e));
	e.family = (uint16_t)(af == AF_INET ? diag::AF_INET_ : diag::AF_INET6_);
	inet_pton(af, src, e.saddr);
	inet_pton(af, dst, e.daddr);
	e.sport = sport;
	e.dport = dport;
	return e;
}
inline vjit_diag_entry entry4(const char *src, uint16_t sport, const char *dst, uint16_t dport) {
	return entry_of(AF_INET, src, sport, dst, dport);
}
inline vjit_diag_entry entry6(const char *src, uint16_t sport, const char *dst, uint16_t dport) {
	return entry_of(AF_INET6, src, sport, dst, dport);
}

// Translates bc (audited as with CAP_NET_ADMIN); empty on failure, *err set.
inline std::vector<Insn> diag_translated(const std::vector<uint8_t> &bc, int *err) {
	std::vector<unsigned> work(bc.size() / 4 + 2);
	unsigned n = 0;
	*err = vjit_diag_translate(bc.data(), (unsigned)bc.size(), nullptr, 0, &n, work.data());
	if (*err)
		return {};
	std::vector<Insn> prog(n);
	*err = vjit_diag_translate(bc.data(), (unsigned)bc.size(), prog.data(), n, &n, work.data());
	if (*err)
		return {};
	return prog;
}

} // namespace test
} // namespace vjit

#endif
