// SPDX-License-Identifier: GPL-2.0
// scplc against libseccomp on real policies (x86_64, arch check included):
// filter length and instructions executed (counted by the reference
// interpreter, core/cbpf_semantics.h) for hot syscalls, a denied one, and on
// average over syscall numbers 0..450 with zero arguments.
#include <cstdio>
#include <string>
#include <vector>

#include "scpl/libseccomp_ref.h"
#include "scpl/oci.h"
#include "scpl/parser.h"
#include "scpl/prove.h"
#include "scpl/tables.h"

using namespace scpl;

namespace {

const uint32_t X86_64 = all_arches()[0].audit_arch;

uint32_t executed(const Filter &f, const char *name) {
	uint32_t nr;
	return syscall_number(all_arches()[0], name, &nr) == Lookup::FOUND ? executed_for(f, X86_64, nr) : 0;
}

const char *HOT[] = {"read", "write", "getpid", "futex", "epoll_wait"};

void row(const char *policy, const char *compiler, const Filter &f, bool proved) {
	printf("| %-22s | %-22s | %5zu |", policy, compiler, f.size());
	for (const char *h : HOT)
		printf(" %2u |", executed(f, h));
	printf(" %6u | %6.2f | %-6s |\n", executed(f, "reboot"), average_executed(f, X86_64), proved ? "yes" : "NO");
}

} // namespace

int main() {
	OciOptions o;
	o.caps = docker_default_caps();
	o.kernel = "6.1";
	std::vector<std::pair<std::string, Policy>> policies = {
		{"docker-default.json", import_oci("policies/docker-default.json", o)},
		{"systemd-service.scpl", parse_file("policies/systemd-service.scpl")},
		{"web-worker.scpl", parse_file("policies/web-worker.scpl")},
		{"server.scpl", parse_file("policies/server.scpl")},
		{"renderer.scpl", parse_file("policies/renderer.scpl")},
	};
	printf("| policy                 | compiler               | insns | read | write | getpid | futex | epoll_wait | reboot (denied) | avg 0..450 | proved |\n");
	printf("| ---------------------- | ---------------------- | ----- |");
	for (size_t i = 0; i < 5; i++)
		printf(" -- |");
	printf(" ------ | ------ | ------ |\n");
	int failures = 0;
	for (const auto &[name, p] : policies) {
		Filter f = compile(p);
		bool ok = prove(p, f).proved;
		failures += !ok;
		row(name.c_str(), "scplc", f, ok);
		for (int optimize : {1, 2}) {
			const char *label = optimize == 1 ? "libseccomp 2.5.4" : "libseccomp 2.5.4 opt=2";
			try {
				Filter l = libseccomp_filter(p, optimize);
				row(name.c_str(), label, l, prove(p, l).proved);
			} catch (const Error &e) {
				printf("| %-22s | %-22s | n/a: %s\n", name.c_str(), label, e.what());
			}
		}
	}
	printf("(Kafel on docker-default, from the issue: 106 insns, avg 10.6, read/write/getpid 6, "
	       "futex/epoll_wait 11, no x32 check)\n");
	return failures ? 1 : 0;
}
