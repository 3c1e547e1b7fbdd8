// SPDX-License-Identifier: GPL-2.0
#include "selftests/arm64/binutils.h"

#include <capstone/capstone.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace vjit_test {

std::vector<uint32_t> assemble_a64(const std::vector<std::string> &lines, std::string *err) {
	char dir[] = "/tmp/vjit-a64-XXXXXX";
	if (!mkdtemp(dir)) {
		*err = "mkdtemp failed";
		return {};
	}
	const std::string d = dir, src = d + "/t.s", obj = d + "/t.o", bin = d + "/t.bin";
	{
		std::ofstream f(src);
		f << "\t.arch armv8.5-a\n\t.text\n";
		for (const std::string &l : lines)
			f << "\t" << l << "\n";
	}
	const std::string cmd = "aarch64-linux-gnu-as -o " + obj + " " + src + " 2>" + d + "/err && " +
				"aarch64-linux-gnu-objcopy -O binary -j .text " + obj + " " + bin;
	std::vector<uint32_t> words;
	if (system(cmd.c_str()) != 0) {
		std::ifstream e(d + "/err");
		*err = "as failed: " + std::string(std::istreambuf_iterator<char>(e), {});
	} else {
		std::ifstream b(bin, std::ios::binary);
		std::vector<char> bytes((std::istreambuf_iterator<char>(b)), {});
		for (size_t i = 0; i + 4 <= bytes.size(); i += 4)
			words.push_back((uint8_t)bytes[i] | (uint8_t)bytes[i + 1] << 8 |
					(uint8_t)bytes[i + 2] << 16 | (uint32_t)(uint8_t)bytes[i + 3] << 24);
		if (words.size() != lines.size()) {
			*err = "as gave " + std::to_string(words.size()) + " words for " +
			       std::to_string(lines.size()) + " lines";
			words.clear();
		}
	}
	(void)system(("rm -rf " + d).c_str());
	return words;
}

std::string disasm_a64(uint32_t word, uint64_t addr) {
	csh cs;
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
		return "";
	uint8_t b[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16), (uint8_t)(word >> 24)};
	cs_insn *insn = nullptr;
	std::string text;
	if (cs_disasm(cs, b, 4, addr, 1, &insn) == 1) {
		text = insn[0].mnemonic;
		if (insn[0].op_str[0])
			text += std::string(" ") + insn[0].op_str;
		cs_free(insn, 1);
	}
	cs_close(&cs);
	return text;
}

} // namespace vjit_test
