// SPDX-License-Identifier: GPL-2.0
// scpl-exec: run a command under a syscall policy.
//
//   scpl-exec [--oci] [--tsync] [--no-verify] --policy FILE -- CMD [ARGS...]
//
// The policy is compiled and proven (libscpl), installed with no_new_privs,
// then CMD is executed; the filter stays on it and its children.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "scpl/libscpl.h"

static int usage() {
	fprintf(stderr, "usage: scpl-exec [--oci] [--tsync] [--no-verify] --policy FILE -- CMD [ARGS...]\n");
	return 2;
}

int main(int argc, char **argv) {
	unsigned flags = 0;
	const char *policy = nullptr;
	int i = 1;
	for (; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--") {
			i++;
			break;
		}
		if (a == "--oci")
			flags |= SCPL_OCI;
		else if (a == "--tsync")
			flags |= SCPL_TSYNC;
		else if (a == "--no-verify")
			flags |= SCPL_NO_VERIFY;
		else if (a == "--policy" && i + 1 < argc)
			policy = argv[++i];
		else
			return usage();
	}
	if (!policy || i >= argc)
		return usage();
	char err[2048];
	scpl_filter *f = scpl_compile_file(policy, flags, err, sizeof err);
	if (!f) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	int r = scpl_install(f, flags);
	scpl_filter_free(f);
	if (r < 0) {
		fprintf(stderr, "scpl-exec: installing the filter: %s\n", strerror(-r));
		return 2;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "scpl-exec: %s: %s\n", argv[i], strerror(errno));
	return 127;
}
