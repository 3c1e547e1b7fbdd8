// SPDX-License-Identifier: GPL-2.0
#include "user/arches.h"

#include <capstone/capstone.h>

#include "vjit_arches.h"

#define VJIT_DECLARE_ARCH(a, cs_arch, cs_mode, runner) VJIT_DECLARE_BACKEND(a)
extern "C" {
VJIT_FOR_EACH_ARCH(VJIT_DECLARE_ARCH)
}

namespace vjit {
namespace user {

const std::vector<Arch> &arches() {
#define VJIT_ARCH_ENTRY(a, cs_arch, cs_mode, runner) \
	Arch{#a, &VJIT_BACKEND(a), (int)(cs_arch), (int)(cs_mode), runner},
	static const std::vector<Arch> all = {VJIT_FOR_EACH_ARCH(VJIT_ARCH_ENTRY)};
#undef VJIT_ARCH_ENTRY
	return all;
}

const Arch *find_arch(const std::string &name) {
	for (const Arch &a : arches())
		if (name == a.name)
			return &a;
	return nullptr;
}

const Arch &host_arch() {
	const Arch *a = find_arch(VJIT_HOST_ARCH);
	return a ? *a : arches().front();
}

std::vector<std::string> arch_names() {
	std::vector<std::string> names;
	for (const Arch &a : arches())
		names.push_back(a.name);
	return names;
}

std::vector<DisasmLine> disassemble(const Arch &a, const uint8_t *code, size_t len, uint64_t addr,
				    size_t *undecoded) {
	std::vector<DisasmLine> out;
	*undecoded = len;
	csh cs;
	if (a.cs_arch < 0 || cs_open((cs_arch)a.cs_arch, (cs_mode)a.cs_mode, &cs) != CS_ERR_OK)
		return out;
	cs_insn *insn = nullptr;
	size_t n = cs_disasm(cs, code, len, addr, 0, &insn);
	for (size_t i = 0; i < n; i++) {
		DisasmLine l{insn[i].address, "", std::string(insn[i].mnemonic)};
		if (insn[i].op_str[0])
			l.text += std::string(" ") + insn[i].op_str;
		for (unsigned k = 0; k < insn[i].size; k++) {
			char h[4];
			snprintf(h, sizeof h, "%02x", insn[i].bytes[k]);
			l.hex += h;
		}
		*undecoded -= insn[i].size;
		out.push_back(l);
	}
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
	return out;
}

} // namespace user
} // namespace vjit
