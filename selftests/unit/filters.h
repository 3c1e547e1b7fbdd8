// SPDX-License-Identifier: GPL-2.0
// Real-world classic filters and their inputs, for tests and benchmarks:
// libseccomp's exported filters, a tcpdump-style socket filter, packets.
#ifndef VJIT_SELFTESTS_FILTERS_H
#define VJIT_SELFTESTS_FILTERS_H

#include <linux/audit.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <initializer_list>
#include <vector>

#include "core/bpf.h"
#include "core/cbpf_semantics.h"

namespace vjit {
namespace test {

// struct seccomp_data, as the kernel lays it out.
struct SeccompData {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};
static_assert(sizeof(SeccompData) == 64, "struct seccomp_data is 64 bytes");


inline SeccompData sd(int nr, std::initializer_list<uint64_t> args = {}) {
	SeccompData d;
	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = AUDIT_ARCH_X86_64;
	d.instruction_pointer = 0x401000;
	unsigned i = 0;
	for (uint64_t a : args)
		d.args[i++] = a;
	return d;
}

// libseccomp's BPF for f (seccomp_export_bpf writes to a file descriptor).
inline std::vector<ClassicInsn> export_filter(scmp_filter_ctx f) {
	std::vector<ClassicInsn> out;
	int fd = memfd_create("vjit-filter", 0);
	if (fd < 0)
		return out;
	if (seccomp_export_bpf(f, fd) == 0) {
		off_t size = lseek(fd, 0, SEEK_END);
		if (size > 0 && size % 8 == 0) {
			out.resize((size_t)size / 8);
			if (pread(fd, out.data(), (size_t)size, 0) != size)
				out.clear();
		}
	}
	close(fd);
	return out;
}

// An allowlist of `count` syscall numbers (0, 1, 3, 4, 6, ...: i * 3 / 2), the
// rest ERRNO(EPERM): the shape of a container runtime's default profile.
inline std::vector<ClassicInsn> allowlist_filter(unsigned count) {
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(1));
	if (!f)
		return {};
	for (unsigned i = 0; i < count; i++)
		seccomp_rule_add(f, SCMP_ACT_ALLOW, (int)(i * 3 / 2), 0);
	std::vector<ClassicInsn> out = export_filter(f);
	seccomp_release(f);
	return out;
}

// What `tcpdump -d 'tcp port 22 and host 10.0.0.1'` computes, for IPv4
// over Ethernet (IPv6 and other link types return 0), written by hand.
inline std::vector<ClassicInsn> tcp_port22_host_filter() {
	using namespace bpf;
	auto s = [](uint16_t code, uint32_t k) { return ClassicInsn{code, 0, 0, k}; };
	auto j = [](uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return ClassicInsn{code, jt, jf, k}; };
	const uint16_t RET_K = cbpf::RET | cbpf::RVAL_K;
	return {
		s(LD | H | ABS, 12),                  // 0: ethertype
		j(JMP | JEQ | K, 0x800, 0, 14),       // 1: IPv4?
		s(LD | B | ABS, 23),                  // 2: protocol
		j(JMP | JEQ | K, 6, 0, 12),           // 3: TCP?
		s(LD | H | ABS, 20),                  // 4: flags, fragment offset
		j(JMP | JSET | K, 0x1fff, 10, 0),     // 5: a later fragment: no ports
		s(LDX | B | cbpf::MSH, 14),           // 6: X = IP header length
		s(LD | H | IND, 14),                  // 7: source port
		j(JMP | JEQ | K, 22, 2, 0),           // 8
		s(LD | H | IND, 16),                  // 9: destination port
		j(JMP | JEQ | K, 22, 0, 5),           // 10
		s(LD | W | ABS, 26),                  // 11: source address
		j(JMP | JEQ | K, 0x0a000001, 2, 0),   // 12
		s(LD | W | ABS, 30),                  // 13: destination address
		j(JMP | JEQ | K, 0x0a000001, 0, 1),   // 14
		s(RET_K, 262144),                     // 15: accept, snap length
		s(RET_K, 0),                          // 16: drop
	};
}

// Ethernet + IPv4 (+ ip_opt_bytes of options) + TCP, addresses host order.
inline std::vector<uint8_t> tcp_packet(uint32_t saddr, uint32_t daddr, uint16_t sport,
				       uint16_t dport, unsigned ip_opt_bytes = 0) {
	std::vector<uint8_t> p(14 + 20 + ip_opt_bytes + 20, 0);
	auto be16 = [&](size_t at, uint16_t v) { p[at] = (uint8_t)(v >> 8); p[at + 1] = (uint8_t)v; };
	auto be32 = [&](size_t at, uint32_t v) { be16(at, (uint16_t)(v >> 16)); be16(at + 2, (uint16_t)v); };
	for (int i = 0; i < 12; i++)
		p[i] = (uint8_t)(0x10 + i);
	be16(12, 0x0800);
	p[14] = (uint8_t)(0x40 | ((20 + ip_opt_bytes) / 4));
	be16(16, (uint16_t)(p.size() - 14));
	be16(20, 0x4000);  // DF
	p[22] = 64;
	p[23] = 6;
	be32(26, saddr);
	be32(30, daddr);
	const size_t tcp = 14 + 20 + ip_opt_bytes;
	be16(tcp, sport);
	be16(tcp + 2, dport);
	p[tcp + 12] = 0x50;
	return p;
}

} // namespace test
} // namespace vjit

#endif
