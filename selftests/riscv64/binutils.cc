// SPDX-License-Identifier: GPL-2.0
#include "selftests/riscv64/binutils.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vjit_test {

namespace {

std::string temp_dir() {
	char tmpl[] = "/tmp/vjit-rv64-XXXXXX";
	const char *d = mkdtemp(tmpl);
	return d ? d : "";
}

bool run(const std::string &cmd, std::string *err) {
	if (system(cmd.c_str()) == 0)
		return true;
	*err = "failed: " + cmd;
	return false;
}

bool read_words(const std::string &path, std::vector<uint32_t> *words) {
	std::ifstream f(path, std::ios::binary);
	unsigned char b[4];
	while (f.read((char *)b, 4))
		words->push_back((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	return true;
}

} // namespace

bool rv_assemble(const std::vector<std::string> &lines, std::vector<uint32_t> *words, std::string *err) {
	const std::string d = temp_dir();
	if (d.empty()) {
		*err = "mkdtemp failed";
		return false;
	}
	{
		std::ofstream s(d + "/in.s");
		s << ".option norvc\n.option norelax\n";
		for (const std::string &l : lines)
			s << l << "\n";
	}
	const bool ok = run("riscv64-linux-gnu-as -march=rv64ima -o " + d + "/in.o " + d + "/in.s", err) &&
			run("riscv64-linux-gnu-objcopy -O binary -j .text " + d + "/in.o " + d + "/in.bin", err) &&
			read_words(d + "/in.bin", words);
	system(("rm -rf " + d).c_str());
	return ok;
}

std::vector<std::string> rv_disassemble(const std::vector<uint32_t> &words) {
	std::vector<std::string> out(words.size());
	const std::string d = temp_dir();
	if (d.empty())
		return out;
	{
		std::ofstream b(d + "/code.bin", std::ios::binary);
		for (uint32_t w : words)
			for (int i = 0; i < 4; i++)
				b.put((char)(w >> (8 * i)));
	}
	FILE *p = popen(("riscv64-linux-gnu-objdump -D -b binary -m riscv:rv64 -M no-aliases " + d + "/code.bin").c_str(), "r");
	char line[512];
	while (p && fgets(line, sizeof line, p)) {
		unsigned long addr;
		char hex[32], rest[400] = "";
		if (sscanf(line, " %lx: %31s %399[^\n]", &addr, hex, rest) >= 2 && addr % 4 == 0 && addr / 4 < out.size()) {
			std::string t = rest;
			for (char &ch : t)
				if (ch == '\t')
					ch = ' ';
			const size_t hash = t.find(" #");
			out[addr / 4] = hash == std::string::npos ? t : t.substr(0, hash);
		}
	}
	if (p)
		pclose(p);
	system(("rm -rf " + d).c_str());
	return out;
}

} // namespace vjit_test
