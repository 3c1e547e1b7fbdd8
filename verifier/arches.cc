// SPDX-License-Identifier: GPL-2.0
// The registry: every arch of the Makefile's ARCHES (build/gen/vjit_arches.h)
// registers itself in its verifier/mutants_<arch>.cc.
#include "verifier/arches.h"

#include "user/arches.h"
#include "vjit_arches.h"

namespace vjit {
namespace verify {

#define VJIT_DECLARE_ARCH(a, cs_arch, cs_mode, runner) \
	ArchInfo arch_info_##a();                      \
	std::vector<Mutant> mutants_##a();
VJIT_FOR_EACH_ARCH(VJIT_DECLARE_ARCH)
#undef VJIT_DECLARE_ARCH

const std::vector<ArchInfo> &all_arches_info() {
#define VJIT_ARCH_INFO(a, cs_arch, cs_mode, runner) arch_info_##a(),
	static const std::vector<ArchInfo> arches = {VJIT_FOR_EACH_ARCH(VJIT_ARCH_INFO)};
#undef VJIT_ARCH_INFO
	return arches;
}

const std::vector<Mutant> &all_mutants() {
	static const std::vector<Mutant> all = [] {
		std::vector<Mutant> m;
#define VJIT_ARCH_MUTANTS(a, cs_arch, cs_mode, runner)    \
		for (const Mutant &x : mutants_##a()) \
			m.push_back(x);
		VJIT_FOR_EACH_ARCH(VJIT_ARCH_MUTANTS)
#undef VJIT_ARCH_MUTANTS
		return m;
	}();
	return all;
}

std::string disasm_listing(const char *arch, const std::vector<uint8_t> &b, uint64_t addr) {
	const user::Arch *a = user::find_arch(arch);
	if (!a)
		return "    (no disassembler for " + std::string(arch) + ")\n";
	size_t undecoded = 0;
	std::string out;
	for (const user::DisasmLine &l : user::disassemble(*a, b.data(), b.size(), addr, &undecoded)) {
		char line[400];
		snprintf(line, sizeof line, "    %llx: %-22s %s\n", (unsigned long long)l.addr, l.hex.c_str(),
			 l.text.c_str());
		out += line;
	}
	if (undecoded) {
		out += "    (undecodable:";
		for (size_t k = b.size() - undecoded; k < b.size(); k++) {
			char t[4];
			snprintf(t, sizeof t, " %02x", b[k]);
			out += t;
		}
		out += ")\n";
	}
	return out;
}

} // namespace verify
} // namespace vjit
