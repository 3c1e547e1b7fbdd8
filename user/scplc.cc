// SPDX-License-Identifier: GPL-2.0
// scplc: compile a syscall policy (SCPL, or a Docker/OCI profile) to a
// seccomp filter, proving the filter equal to the policy before writing it.
//
//   scplc POLICY -o OUT [--format raw|c|listing]
//   scplc --from-oci PROFILE.json [--arch x86_64] [--cap CAP_…] -o OUT
//   scplc check POLICY FILTER.bpf     exit 0: proved equal, 1: counterexample
//   --allow-shadowed                  dead rules warn instead of failing
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "scpl/compile.h"
#include "scpl/oci.h"
#include "scpl/parser.h"
#include "scpl/prove.h"

using namespace scpl;

namespace {

struct Source {
	std::string policy;
	bool oci = false;
	std::vector<std::string> arches;
	std::vector<std::string> caps;
	std::string kernel;
	bool allow_shadowed = false;

	Policy load() const {
		Policy p;
		const bool json = oci || (policy.size() > 5 && policy.substr(policy.size() - 5) == ".json");
		if (json) {
			OciOptions o;
			if (!arches.empty())
				o.arches = arches;
			o.caps = caps.empty() ? docker_default_caps() : caps;
			o.kernel = kernel;
			p = import_oci(policy, o);
		} else {
			if (!arches.empty())
				throw Error("--arch is for OCI profiles; SCPL names its arches with 'arch'");
			ParseOptions po;
			po.allow_shadowed = allow_shadowed;
			p = parse_file(policy, po);
		}
		for (const Warning &w : p.warnings)
			std::cerr << w.str() << "\n";
		return p;
	}
};

Filter read_filter(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw Error(path + ": error: cannot read the filter");
	std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	if (bytes.size() % sizeof(vjit::ClassicInsn))
		throw Error(path + ": error: not a whole number of 8-byte instructions");
	Filter f(bytes.size() / sizeof(vjit::ClassicInsn));
	memcpy(f.data(), bytes.data(), bytes.size());
	return f;
}

int report(const Policy &p, const ProofResult &r, const std::string &what) {
	if (r.proved)
		return 0;
	if (!r.rejected.empty())
		std::cerr << what << ": seccomp would reject it: " << r.rejected << "\n";
	else
		std::cerr << what << " differs from the policy\n" << r.cex->str(p);
	return 1;
}

} // namespace

int main(int argc, char **argv) {
	CLI::App app{"scplc: syscall policies to seccomp filters, each proven equal to its policy"};
	Source src;
	std::string out, format = "raw";
	bool no_verify = false;
	auto add_source_opts = [&](CLI::App *a) {
		a->add_option("--arch", src.arches, "arches for an OCI profile (default x86_64)");
		a->add_option("--cap", src.caps, "granted capabilities for an OCI profile "
						 "(default: Docker's default set)");
		a->add_option("--kernel", src.kernel, "kernel version for minKernel (default: running)");
		a->add_flag("--allow-shadowed", src.allow_shadowed,
			    "a rule that can never apply is a warning, not an error (translations)");
	};
	app.add_option("policy", src.policy, "SCPL policy file");
	app.add_option("--from-oci", src.policy, "compile a Docker/OCI seccomp profile (JSON)")
		->each([&](const std::string &) { src.oci = true; });
	app.add_option("-o,--output", out, "where to write the filter (- for standard output)");
	app.add_option("--format", format, "raw (struct sock_filter array), c, or listing")
		->check(CLI::IsMember({"raw", "c", "listing"}));
	app.add_flag("--no-verify", no_verify, "skip the proof (not recommended)");
	add_source_opts(&app);

	CLI::App *check = app.add_subcommand("check", "prove that FILTER implements POLICY");
	std::string filter_path;
	check->add_option("policy", src.policy, "SCPL policy or OCI profile (.json)")->required();
	check->add_option("filter", filter_path, "raw filter (struct sock_filter array)")->required();
	check->add_flag("--oci", src.oci, "POLICY is an OCI profile");
	add_source_opts(check);

	CLI11_PARSE(app, argc, argv);
	try {
		if (check->parsed()) {
			Policy p = src.load();
			Filter f = read_filter(filter_path);
			int rc = report(p, prove(p, f), filter_path);
			if (rc == 0)
				std::cout << filter_path << ": proved equal to " << src.policy << " ("
					  << f.size() << " instructions)\n";
			return rc;
		}
		if (src.policy.empty() || out.empty()) {
			std::cerr << app.help();
			return 2;
		}
		Policy p = src.load();
		Filter f = compile(p);
		if (!no_verify) {
			int rc = report(p, prove(p, f), "the compiled filter");
			if (rc)
				return rc;
		}
		std::string bytes;
		if (format == "raw")
			bytes.assign((const char *)f.data(), f.size() * sizeof(f[0]));
		else if (format == "c")
			bytes = c_array(f, "scpl_filter");
		else
			bytes = listing(f, &p);
		if (out == "-") {
			std::cout << bytes;
			if (!std::cout.flush())
				throw Error("standard output: error: cannot write");
		} else {
			std::ofstream o(out, std::ios::binary);
			o << bytes;
			if (!o.flush())
				throw Error(out + ": error: cannot write");
		}
		std::cerr << "scplc: " << out << ": " << f.size() << " instructions"
			  << (no_verify ? " (not verified)" : ", proved equal to the policy") << "\n";
	} catch (const Error &e) {
		std::cerr << e.what() << "\n";
		return 2;
	}
	return 0;
}
