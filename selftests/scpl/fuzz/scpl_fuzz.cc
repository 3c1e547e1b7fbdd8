// SPDX-License-Identifier: GPL-2.0
// scpl-fuzz: the SCPL grammar fuzzer, for long runs (`make fuzz`).
//
//   scpl-fuzz --iterations N --seed S [--out DIR]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../fuzz_gen.h"

int main(int argc, char **argv) {
	uint64_t iterations = 1000, seed = 1;
	std::string out;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--iterations"))
			iterations = strtoull(argv[i + 1], nullptr, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], nullptr, 0);
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else {
			fprintf(stderr, "usage: scpl-fuzz --iterations N --seed S [--out DIR]\n");
			return 2;
		}
	}
	scpl_fuzz::Totals t = scpl_fuzz::run(seed, iterations, out);
	printf("scpl-fuzz: seed %llu, %llu policies: %llu proved, %llu policy errors, %llu failed\n",
	       (unsigned long long)seed, (unsigned long long)iterations, (unsigned long long)t.proved,
	       (unsigned long long)t.policy_errors, (unsigned long long)t.failed);
	return t.failed ? 1 : 0;
}
