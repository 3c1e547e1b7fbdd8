// SPDX-License-Identifier: GPL-2.0
// INET-DIAG in the VM: creates a few hundred TCP and UDP sockets (IPv4,
// IPv6, v4-mapped; listening, connected, accepted; several ports, marks,
// two devices, two cgroups), then dumps them through a raw sock_diag
// client with a table of bytecodes covering every op, and compares what
// the kernel returned with the set the bytecode's semantics
// (core/diag_semantics.h) selects from what the test created.
//
//   diagtest PHASE...    each phase runs the whole table:
//     plain    vjit not loaded (the kernel's interpreter)
//     load     insmod /vjit.ko diag=1 (no dumps)
//     vjit     diag=1: every dump must go through vjit's code
//     interp   diag=0 with vjit loaded: through the hook, interpreted
//     ss EXPR  `ss -tuanH EXPR` with diag 0 and 1 print the same
//     refuse   bytecodes the kernel's audit refuses stay refused
// Prints PASS:/FAIL: lines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "selftests/unit/diag_bc.h"

using namespace vjit;
using namespace vjit::test;
using namespace vjit::diag;

namespace {

int fails = 0;

void verdict(bool ok, const std::string &what) {
	printf("%s: diag %s\n", ok ? "PASS" : "FAIL", what.c_str());
	fails += !ok;
	fflush(stdout);
}

// ---- the sockets ----

struct Sock {
	int proto;  // IPPROTO_TCP / IPPROTO_UDP
	vjit_diag_entry e;
};
std::vector<Sock> socks;
uint64_t cgroup_ids[2];

std::string key(int proto, int family, const void *src, uint16_t sport, const void *dst, uint16_t dport) {
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], out[160];
	inet_ntop(family, src, s, sizeof(s));
	inet_ntop(family, dst, d, sizeof(d));
	snprintf(out, sizeof(out), "%s %s [%s]:%u [%s]:%u", proto == IPPROTO_TCP ? "tcp" : "udp",
		 family == AF_INET ? "v4" : "v6", s, sport, d, dport);
	return out;
}

std::string key_of(const Sock &s) {
	return key(s.proto, s.e.family == AF_INET_ ? AF_INET : AF_INET6, s.e.saddr, s.e.sport, s.e.daddr,
		   s.e.dport);
}

void die(const char *what) {
	perror(what);
	exit(1);
}

// What the kernel's entry holds for fd, from the socket itself.
void record(int fd, int proto, int cg, uint16_t userlocks) {
	Sock s{proto, {}};
	sockaddr_storage a{};
	socklen_t n = sizeof(a);
	if (getsockname(fd, (sockaddr *)&a, &n))
		die("getsockname");
	s.e.family = a.ss_family == AF_INET ? AF_INET_ : AF_INET6_;
	auto put = [&](const sockaddr_storage &x, uint32_t *addr, uint16_t *port) {
		if (x.ss_family == AF_INET) {
			const sockaddr_in &v = (const sockaddr_in &)x;
			addr[0] = v.sin_addr.s_addr;
			*port = ntohs(v.sin_port);
		} else if (x.ss_family == AF_INET6) {
			const sockaddr_in6 &v = (const sockaddr_in6 &)x;
			memcpy(addr, &v.sin6_addr, 16);
			*port = ntohs(v.sin6_port);
		}
	};
	put(a, s.e.saddr, &s.e.sport);
	n = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (getpeername(fd, (sockaddr *)&a, &n) == 0)
		put(a, s.e.daddr, &s.e.dport);
	n = sizeof(s.e.mark);
	getsockopt(fd, SOL_SOCKET, SO_MARK, &s.e.mark, &n);
	int ifindex = 0;
	n = sizeof(ifindex);
	getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, &n);
	s.e.ifindex = (uint32_t)ifindex;
	s.e.userlocks = userlocks;
	s.e.cgroup_id = cgroup_ids[cg];
	socks.push_back(s);
}

void join_cgroup(int cg) {
	char path[64];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/vjit%d/cgroup.procs", cg);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		die(path);
}

sockaddr_storage addr_of(int family, const char *ip, uint16_t port, socklen_t *len) {
	sockaddr_storage a{};
	if (family == AF_INET) {
		sockaddr_in &v = (sockaddr_in &)a;
		v.sin_family = AF_INET;
		v.sin_port = htons(port);
		inet_pton(AF_INET, ip, &v.sin_addr);
		*len = sizeof(v);
	} else {
		sockaddr_in6 &v = (sockaddr_in6 &)a;
		v.sin6_family = AF_INET6;
		v.sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &v.sin6_addr);
		*len = sizeof(v);
	}
	return a;
}

struct Opts {
	uint32_t mark;
	const char *dev;
};

int new_socket(int family, int type, const Opts &o) {
	int fd = socket(family, type, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o.mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &o.mark, sizeof(o.mark)))
		die("SO_MARK");
	if (o.dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.dev, (socklen_t)strlen(o.dev) + 1))
		die("SO_BINDTODEVICE");
	return fd;
}

// userlocks after bind(): the port (and address) given explicitly.
uint16_t bound_locks(const char *ip, uint16_t port) {
	const bool any = !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::");
	return (uint16_t)((port ? 8 : 0) | (any ? 0 : 4));
}

// A listener at ip:port with `clients` connections from client_ip
// (client_family), all accepted.
void tcp_group(int cg, int family, const char *ip, uint16_t port, int client_family,
	       const char *client_ip, int clients, const Opts &o) {
	socklen_t len;
	sockaddr_storage a = addr_of(family, ip, port, &len);
	int l = new_socket(family, SOCK_STREAM, o);
	if (bind(l, (sockaddr *)&a, len) || listen(l, 64))
		die("tcp listen");
	const uint16_t locks = bound_locks(ip, port);
	record(l, IPPROTO_TCP, cg, locks);
	for (int i = 0; i < clients; i++) {
		int c = new_socket(client_family, SOCK_STREAM, Opts{o.mark ^ (uint32_t)i, nullptr});
		socklen_t clen;
		sockaddr_storage to = addr_of(client_family, client_ip, port, &clen);
		if (connect(c, (sockaddr *)&to, clen))
			die("connect");
		record(c, IPPROTO_TCP, cg, 0);
		int s = accept(l, nullptr, nullptr);
		if (s < 0)
			die("accept");
		record(s, IPPROTO_TCP, cg, 0);  // a child's userlocks start clear
	}
}

void udp_group(int cg, int family, const char *ip, uint16_t port, const char *peer, uint16_t peer_port,
	       const Opts &o) {
	socklen_t len;
	sockaddr_storage a = addr_of(family, ip, port, &len);
	int u = new_socket(family, SOCK_DGRAM, o);
	if (bind(u, (sockaddr *)&a, len))
		die("udp bind");
	if (peer) {
		sockaddr_storage to = addr_of(family, peer, peer_port, &len);
		if (connect(u, (sockaddr *)&to, len))
			die("udp connect");
	}
	record(u, IPPROTO_UDP, cg, bound_locks(ip, port));
}

void create_sockets() {
	for (int cg = 0; cg < 2; cg++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/vjit%d", cg);
		mkdir(path, 0755);
		if (stat(path, &st))
			die(path);
		cgroup_ids[cg] = st.st_ino;  // a cgroup2 directory's inode is its id
	}
	static const uint16_t ports[] = {22, 80, 443, 1024, 5000, 8080};
	for (int cg = 0; cg < 2; cg++) {
		join_cgroup(cg);
		for (int i = 0; i < 6; i++) {
			const uint16_t p = (uint16_t)(ports[i] + cg);
			const Opts plain{0, nullptr}, marked{(uint32_t)(0x10 * (i + 1)), nullptr};
			const Opts on_dummy{0, "dummy0"}, on_lo{0x100, "lo"};
			tcp_group(cg, AF_INET, "127.0.0.1", p, AF_INET, "127.0.0.1", 3, i % 2 ? marked : plain);
			tcp_group(cg, AF_INET, "10.9.0.1", (uint16_t)(p + 100), AF_INET, "10.9.0.1", 2, on_dummy);
			tcp_group(cg, AF_INET6, "::1", (uint16_t)(p + 200), AF_INET6, "::1", 3, marked);
			tcp_group(cg, AF_INET6, "fd00::1", (uint16_t)(p + 300), AF_INET6, "fd00::1", 2, plain);
			// dual stack: IPv4 clients arrive v4-mapped
			tcp_group(cg, AF_INET6, "::", (uint16_t)(p + 400), AF_INET, "127.0.0.1", 2, on_lo);
			// an IPv6 client of an IPv4 address
			tcp_group(cg, AF_INET6, "::", (uint16_t)(p + 500), AF_INET6, "::ffff:127.0.0.1", 2, marked);
			udp_group(cg, AF_INET, "127.0.0.1", p, nullptr, 0, plain);
			udp_group(cg, AF_INET, "0.0.0.0", (uint16_t)(p + 600), "127.0.0.1", 9, marked);
			udp_group(cg, AF_INET6, "::1", p, "::1", 53, on_lo);
			udp_group(cg, AF_INET6, "::", (uint16_t)(p + 700), "::ffff:10.9.0.1", 53, plain);
			udp_group(cg, AF_INET, "10.9.0.1", (uint16_t)(p + 800), nullptr, 0, on_dummy);
			udp_group(cg, AF_INET, "127.0.0.1", 0, nullptr, 0, plain);  // autobound
		}
	}
	printf("diag: %zu sockets created\n", socks.size());
}

// ---- the raw sock_diag client ----

// Dumps family x protocol with bytecode bc; returns the sockets' keys,
// or sets *err to the kernel's error.
std::set<std::string> dump(const std::vector<uint8_t> &bc, int *err, bool tcp_listeners_only = false) {
	std::set<std::string> out;
	*err = 0;
	for (int proto : {IPPROTO_TCP, IPPROTO_UDP}) {
		if (tcp_listeners_only && proto != IPPROTO_TCP)
			continue;
		for (int family : {AF_INET, AF_INET6}) {
			int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
			if (fd < 0)
				die("netlink");
			struct {
				nlmsghdr nlh;
				inet_diag_req_v2 req;
				nlattr attr;
				uint8_t bc[4096];
			} msg{};
			msg.req.sdiag_family = (uint8_t)family;
			msg.req.sdiag_protocol = (uint8_t)proto;
			msg.req.idiag_states = tcp_listeners_only ? 1u << 10 : ~0u;  // TCP_LISTEN
			msg.attr.nla_type = INET_DIAG_REQ_BYTECODE;
			msg.attr.nla_len = (uint16_t)(NLA_HDRLEN + bc.size());
			memcpy(msg.bc, bc.data(), bc.size());
			const size_t attr_len = bc.empty() ? 0 : NLA_ALIGN(msg.attr.nla_len);
			msg.nlh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(msg.req)) + attr_len);
			msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
			msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
			if (send(fd, &msg, msg.nlh.nlmsg_len, 0) < 0)
				die("send");
			static char buf[1 << 16];
			for (bool done = false; !done;) {
				ssize_t n = recv(fd, buf, sizeof(buf), 0);
				if (n <= 0)
					die("recv");
				for (nlmsghdr *h = (nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
					if (h->nlmsg_type == NLMSG_DONE) {
						done = true;
						break;
					}
					if (h->nlmsg_type == NLMSG_ERROR) {
						*err = -((nlmsgerr *)NLMSG_DATA(h))->error;
						done = true;
						break;
					}
					const inet_diag_msg *m = (const inet_diag_msg *)NLMSG_DATA(h);
					out.insert(key(proto, m->idiag_family, m->id.idiag_src, ntohs(m->id.idiag_sport),
						       m->id.idiag_dst, ntohs(m->id.idiag_dport)));
				}
			}
			close(fd);
		}
	}
	return out;
}

// ---- the table ----

struct Filter {
	std::string name;
	std::vector<uint8_t> bc;
};

std::vector<uint8_t> in4(const char *s) {
	std::vector<uint8_t> a(4);
	inet_pton(AF_INET, s, a.data());
	return a;
}
std::vector<uint8_t> in6(const char *s) {
	std::vector<uint8_t> a(16);
	inet_pton(AF_INET6, s, a.data());
	return a;
}

// op, then accept; no rejects. `not`, as ss lays it out: yes goes to a
// JMP that rejects, no jumps over it to the end.
std::vector<uint8_t> one(uint8_t code, std::vector<uint8_t> operands, bool negate = false) {
	if (negate)
		return assemble({DiagOp{code, std::move(operands), 1, 2}, DiagOp{JMP, {}, 2, 3}});
	return assemble({DiagOp{code, std::move(operands), 1, 2}});
}

std::vector<Filter> table() {
	std::vector<Filter> t;
	t.push_back({"NOP", one(NOP, {})});
	t.push_back({"NOP then NOP", assemble({DiagOp{NOP, {}, 1, 1}, DiagOp{NOP, {}, 2, 2}})});
	t.push_back({"JMP (reject all)", one(JMP, {})});
	t.push_back({"S_GE 1024", one(S_GE, port_operand(1024))});
	t.push_back({"S_LE 443", one(S_LE, port_operand(443))});
	t.push_back({"D_GE 5000", one(D_GE, port_operand(5000))});
	t.push_back({"D_LE 80", one(D_LE, port_operand(80))});
	t.push_back({"S_EQ 8080", one(S_EQ, port_operand(8080))});
	t.push_back({"D_EQ 22", one(D_EQ, port_operand(22))});
	t.push_back({"AUTO", one(AUTO, {})});
	t.push_back({"not AUTO", one(AUTO, {}, true)});
	auto v4 = in4("127.0.0.0"), v4h = in4("10.9.0.1"), v6 = in6("::1"), v6n = in6("fd00::");
	t.push_back({"S_COND 127.0.0.0/8", one(S_COND, hostcond(AF_INET_, 8, -1, v4.data()))});
	t.push_back({"D_COND 127.0.0.0/8 (v4-mapped too)", one(D_COND, hostcond(AF_INET_, 8, -1, v4.data()))});
	t.push_back({"S_COND 10.9.0.1/32 port 5101", one(S_COND, hostcond(AF_INET_, 32, 5101, v4h.data()))});
	t.push_back({"S_COND 10.9.0.0/23", one(S_COND, hostcond(AF_INET_, 23, -1, v4h.data()))});
	t.push_back({"D_COND ::1/128", one(D_COND, hostcond(AF_INET6_, 128, -1, v6.data()))});
	t.push_back({"S_COND fd00::/61", one(S_COND, hostcond(AF_INET6_, 61, -1, v6n.data()))});
	t.push_back({"S_COND any, port 443", one(S_COND, hostcond(AF_UNSPEC_, 0, 443, nullptr))});
	t.push_back({"D_COND any, port 70000", one(D_COND, hostcond(AF_UNSPEC_, 0, 70000, nullptr))});
	t.push_back({"not D_COND ::/0", one(D_COND, hostcond(AF_INET6_, 0, -1, v6.data()), true)});
	t.push_back({"DEV_COND lo", one(DEV_COND, u32_operand(if_nametoindex("lo")))});
	t.push_back({"DEV_COND dummy0", one(DEV_COND, u32_operand(if_nametoindex("dummy0")))});
	t.push_back({"MARK_COND 0x10/0x30", one(MARK_COND, mark_operand(0x10, 0x30))});
	t.push_back({"MARK_COND 0x100/~0", one(MARK_COND, mark_operand(0x100, ~0u))});
	t.push_back({"CGROUP_COND vjit0", one(CGROUP_COND, u64_operand(cgroup_ids[0]))});
	t.push_back({"CGROUP_COND vjit1", one(CGROUP_COND, u64_operand(cgroup_ids[1]))});
	// ( dport = :22 or sport = :22 ) and not src 127.0.0.1, as ss lays it out
	t.push_back({"(D_EQ 22 or S_EQ 22) and not S_COND 127.0.0.1",
		     assemble({DiagOp{D_EQ, port_operand(22), 1, 2}, DiagOp{JMP, {}, 2, 3},
			       DiagOp{S_EQ, port_operand(22), 3, 6},
			       DiagOp{S_COND, hostcond(AF_INET_, 32, -1, in4("127.0.0.1").data()), 4, 5},
			       DiagOp{JMP, {}, 5, 6}})});
	t.push_back({"S_GE 1000 and S_LE 6000 and not CGROUP_COND vjit0 and MARK_COND 0/0x10",
		     assemble({DiagOp{S_GE, port_operand(1000), 1, 6}, DiagOp{S_LE, port_operand(6000), 2, 6},
			       DiagOp{CGROUP_COND, u64_operand(cgroup_ids[0]), 3, 4}, DiagOp{JMP, {}, 4, 6},
			       DiagOp{MARK_COND, mark_operand(0, 0x10), 5, 6, 4}})});
	return t;
}

void write_param(const char *v) {
	FILE *f = fopen("/sys/module/vjit/parameters/diag", "w");
	if (!f || fputs(v, f) < 0 || fclose(f))
		die("diag parameter");
}

long long counter(const char *name) {
	char path[128];
	snprintf(path, sizeof(path), "/sys/kernel/vjit/diag/%s", name);
	FILE *f = fopen(path, "r");
	long long v = -1;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

// Runs the table; each dump must equal the semantics' selection.
void run_table(const char *phase) {
	size_t total = 0;
	for (const Filter &f : table()) {
		std::set<std::string> want;
		for (const Sock &s : socks)
			if (diag_run(f.bc.data(), (uint32_t)f.bc.size(), &s.e))
				want.insert(key_of(s));
		int err = 0;
		const long long runs0 = counter("runs"), interp0 = counter("interpreted");
		const std::set<std::string> got = dump(f.bc, &err);
		const long long runs = counter("runs") - runs0, interp = counter("interpreted") - interp0;
		bool ok = err == 0 && got == want;
		std::string how;
		if (!strcmp(phase, "vjit")) {
			ok = ok && runs >= (long long)socks.size() && interp == 0;
			how = ", " + std::to_string(runs) + " sockets through vjit";
		} else if (!strcmp(phase, "interp")) {
			ok = ok && runs == 0 && interp >= (long long)socks.size();
			how = ", " + std::to_string(interp) + " interpreted";
		}
		verdict(ok, std::string(phase) + ": " + f.name + ": kernel " + std::to_string(got.size()) +
				    " sockets, expected " + std::to_string(want.size()) + how);
		int shown = 0;
		if (got != want)
			for (const Sock &s : socks) {
				const std::string k = key_of(s);
				if (want.count(k) != got.count(k) && shown++ < 8)
					printf("  %s %s (mark %#x dev %u cgroup %llu locks %u)\n",
					       want.count(k) ? "missing" : "extra", k.c_str(), s.e.mark, s.e.ifindex,
					       (unsigned long long)s.e.cgroup_id, s.e.userlocks);
			}
		total += want.size();
	}
	printf("diag: %s: %zu sockets selected over the table\n", phase, total);
}

std::string run_ss(const char *expr) {
	std::string cmd = std::string("/ss -tuanH '") + expr + "' 2>&1 | sort", out;
	FILE *p = popen(cmd.c_str(), "r");
	char line[512];
	while (p && fgets(line, sizeof(line), p))
		out += line;
	if (p)
		pclose(p);
	return out;
}

// ss re-filters what the kernel sends (its own idea of `autobound`
// prints fewer); what the kernel sent is counted by the module (sockets
// the filter accepted, by vjit's code or by the kernel's interpreter
// through the hook) and must be the same both ways.
void ss_compare(const char *expr) {
	write_param("0");
	const long long i0 = counter("interpreted_accepted");
	const std::string interp = run_ss(expr);
	const long long sent_interp = counter("interpreted_accepted") - i0;
	write_param("1");
	const long long c0 = counter("compiled"), r0 = counter("runs"), a0 = counter("accepted");
	const std::string vjit = run_ss(expr);
	const long long compiled = counter("compiled") - c0, runs = counter("runs") - r0;
	const long long sent_vjit = counter("accepted") - a0;
	long long lines = 0;
	for (char c : vjit)
		lines += c == '\n';
	verdict(interp == vjit && compiled > 0 && runs > 0 && sent_vjit == sent_interp && lines <= sent_vjit,
		std::string("ss '") + expr + "': the kernel sent " + std::to_string(sent_vjit) + " sockets with vjit, " +
			std::to_string(sent_interp) + " without; ss printed " + std::to_string(lines) +
			" lines, the same both ways; " + std::to_string(compiled) + " compiled, " +
			std::to_string(runs) + " sockets through vjit");
	if (interp != vjit)
		printf("---- interpreter\n%s---- vjit\n%s----\n", interp.c_str(), vjit.c_str());
}

void refuse() {
	write_param("1");
	const std::vector<std::vector<uint8_t>> bad = {
		{NOP, 8, 0, 0},                    // yes past the end
		{JMP, 4, 6, 0},                    // no not a multiple of 4
		{NR_CODES, 4, 8, 0},               // unknown op
		one(S_COND, hostcond(AF_INET_, 40, -1, in4("1.2.3.4").data())),  // prefix > 32
	};
	for (size_t i = 0; i < bad.size(); i++) {
		int err = 0;
		dump(bad[i], &err);
		verdict(err == EINVAL, "refused bytecode " + std::to_string(i) + ": error " + std::to_string(err));
	}
}

// ---- the benchmark ----

double now_ns() {
	timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

// One dump of the TCP listeners, both families (no walk of the
// established table: the dump's cost is per socket); its time in ns.
double time_dump(const std::vector<uint8_t> &bc, size_t *matched) {
	int err = 0;
	const double t0 = now_ns();
	*matched = dump(bc, &err, true).size();
	if (err)
		die("bench dump");
	return now_ns() - t0;
}

double median(std::vector<double> v) {
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

// n TCP listeners on distinct ports (IPv4 and IPv6, some marked); a filtered
// dump of all of them, interpreted and through vjit, in the same boot.
void bench(int n) {
	rlimit r{(rlim_t)n + 256, (rlim_t)n + 256};
	if (setrlimit(RLIMIT_NOFILE, &r))
		die("setrlimit");
	for (int i = 0; i < n; i++) {
		const bool v6 = i % 2;
		socklen_t len;
		sockaddr_storage a = addr_of(v6 ? AF_INET6 : AF_INET, v6 ? "::1" : "127.0.0.1", (uint16_t)(20000 + i), &len);
		int fd = new_socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, Opts{(uint32_t)(i % 7), nullptr});
		if (bind(fd, (sockaddr *)&a, len) || listen(fd, 1))
			die("bench listen");
	}
	// sport >= :20000 and sport <= :40000 and not src 127.0.0.2 and not src ::2
	// and fwmark = 0x100/0xff00: every socket runs six ops, none matches.
	const std::vector<uint8_t> bc = assemble({
		DiagOp{S_GE, port_operand(20000), 1, 9}, DiagOp{S_LE, port_operand(40000), 2, 9},
		DiagOp{S_COND, hostcond(AF_INET_, 32, -1, in4("127.0.0.2").data()), 3, 4}, DiagOp{JMP, {}, 4, 9},
		DiagOp{S_COND, hostcond(AF_INET6_, 128, -1, in6("::2").data()), 5, 6}, DiagOp{JMP, {}, 6, 9},
		DiagOp{MARK_COND, mark_operand(0x100, 0xff00), 7, 9}, DiagOp{NOP, {}, 8, 8}});
	const int reps = 15;
	size_t m0 = 0, m1 = 0, m2 = 0;
	// The cheapest filter (one JMP: reject), to take the walk and the
	// entry out of the filter's cost.
	const std::vector<uint8_t> reject = assemble({DiagOp{JMP, {}, 1, 2}});
	std::vector<double> tb, ti, tv, ti0, tv0;
	size_t unused = 0;
	long long runs = 0;
	for (int i = 0; i <= reps; i++) {  // round 0 warms up
		const double b0 = time_dump({}, &m0);
		write_param("0");
		const double i0 = time_dump(bc, &m1), ij = time_dump(reject, &unused);
		write_param("1");
		const long long r0 = counter("runs");
		const double v0 = time_dump(bc, &m2);
		runs += counter("runs") - r0;
		const double vj = time_dump(reject, &unused);
		if (i) {
			tb.push_back(b0);
			ti.push_back(i0);
			tv.push_back(v0);
			ti0.push_back(ij);
			tv0.push_back(vj);
		}
	}
	const double base = median(tb), interp = median(ti), vjit = median(tv);
	const double interp_ops = interp - median(ti0), vjit_ops = vjit - median(tv0);
	runs = runs * reps / (reps + 1);
	printf("diag-bench: %d sockets, median of %d rounds: unfiltered %.0f us, interpreter %.0f us, "
	       "vjit %.0f us (compile included: %.0f us/filter)\n", n, reps, base / 1e3, interp / 1e3, vjit / 1e3,
	       (double)counter("compile_ns") / 1e3 / (double)std::max(1LL, counter("compiled")));
	printf("diag-bench: filtered dump, interpreter / vjit: %.2fx\n", interp / vjit);
	printf("diag-bench: the filter's ops only (minus a one-op filter's dump): interpreter %.0f ns/socket, "
	       "vjit %.0f ns/socket, ratio %.2fx\n", interp_ops / n, vjit_ops / n, interp_ops / vjit_ops);
	verdict(m0 == (size_t)n && m1 == 0 && m2 == 0 && runs >= (long long)n * reps,
		"bench: " + std::to_string(runs) + " sockets through vjit; unfiltered " + std::to_string(m0) +
			", filtered " + std::to_string(m1) + " and " + std::to_string(m2));
}

} // namespace

int main(int argc, char **argv) {
	setvbuf(stdout, nullptr, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "bench")) {
		bench(atoi(argv[2]));
		return fails ? 1 : 0;
	}
	create_sockets();
	for (int i = 1; i < argc; i++) {
		const std::string phase = argv[i];
		if (phase == "load") {
			verdict(system("insmod /vjit.ko diag=1") == 0 && counter("runs") == 0, "insmod vjit.ko diag=1");
		} else if (phase == "vjit") {
			write_param("1");
			run_table("vjit");
			for (int t = 0; t < 100 && counter("live") != 0; t++)
				usleep(20000);  // freed after an RCU grace period
			verdict(counter("live") == 0 && counter("freed") == counter("compiled"),
				"every compiled filter freed at its dump's end (" + std::to_string(counter("compiled")) +
					" compiled)");
		} else if (phase == "interp") {
			write_param("0");
			run_table("interp");
		} else if (phase == "ss" && i + 1 < argc) {
			ss_compare(argv[++i]);
		} else if (phase == "refuse") {
			refuse();
		} else {
			run_table(phase.c_str());
		}
	}
	printf("diag: %d failures\n", fails);
	return fails ? 1 : 0;
}
