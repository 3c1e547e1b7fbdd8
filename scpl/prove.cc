// SPDX-License-Identifier: GPL-2.0
#include "scpl/prove.h"

#include <cstdio>

#include "scpl/tables.h"
#include "verifier/symbolic.h"

namespace scpl {

using vjit::Concrete;
using vjit::Symbolic;
namespace bpf = vjit::bpf;
namespace cbpf = vjit::cbpf;

std::string seccomp_check(const Filter &f) {
	if (f.empty() || f.size() > cbpf::MAXINSNS)
		return "a filter has 1 to 4096 instructions, this one " + std::to_string(f.size());
	const uint16_t last = f.back().code;
	if (last != (cbpf::RET | cbpf::RVAL_K) && last != (cbpf::RET | cbpf::RVAL_A))
		return "the last instruction is not a return";
	for (size_t pc = 0; pc < f.size(); pc++) {
		const auto &in = f[pc];
		const uint8_t cls = bpf::cls(in.code), mode = bpf::mode(in.code);
		if (cls != bpf::LD && cls != bpf::LDX)
			continue;
		const std::string at = "instruction " + std::to_string(pc) + ": ";
		// seccomp reads struct seccomp_data only with aligned 32-bit loads
		if (mode == bpf::ABS && (cls != bpf::LD || bpf::size(in.code) != bpf::W ||
					 in.k % 4 || in.k >= SECCOMP_DATA_SIZE))
			return at + "seccomp allows only aligned 32-bit loads inside seccomp_data";
		if (mode == bpf::IND || mode == cbpf::MSH)
			return at + "seccomp does not allow indirect loads";
	}
	return "";
}

static SeccompEnv<Concrete> env_of(const SeccompData<Concrete> &d) { return {d}; }

uint32_t run_filter(const Filter &f, const SeccompData<Concrete> &d, uint32_t *executed) {
	auto env = env_of(d);
	uint32_t r = 0;
	if (!vjit::cbpf_run(f.data(), (uint32_t)f.size(), env, &r, executed))
		throw Error("internal error: running an invalid filter");
	return r;
}

uint32_t policy_action(const Policy &p, const SeccompData<Concrete> &d) {
	return policy_meaning<Concrete>(p, d).value();
}

uint32_t executed_for(const Filter &f, uint32_t audit_arch, uint32_t nr) {
	SeccompData<Concrete> d;
	d.nr = nr;
	d.arch = audit_arch;
	d.ip = 0;
	for (auto &a : d.args)
		a = 0;
	uint32_t n = 0;
	run_filter(f, d, &n);
	return n;
}

double average_executed(const Filter &f, uint32_t audit_arch, uint32_t last) {
	uint64_t total = 0;
	for (uint32_t nr = 0; nr <= last; nr++)
		total += executed_for(f, audit_arch, nr);
	return (double)total / (last + 1);
}

std::string Counterexample::str(const Policy &p) const {
	std::string arch_name = "?";
	const ArchInfo *arch = nullptr;
	for (const ArchInfo &a : all_arches())
		if (a.audit_arch == data.arch.value())
			arch = &a, arch_name = a.name;
	char buf[512];
	std::string nr_name = arch ? syscall_name(*arch, data.nr.value()) : "";
	snprintf(buf, sizeof buf,
		 "counterexample: seccomp_data { arch = 0x%08x (%s), nr = %u%s%s%s, ip = 0x%llx,\n"
		 "  args = { 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx } }\n"
		 "  filter returns 0x%08x (%s)\n  policy says   0x%08x (%s)\n",
		 (unsigned)data.arch.value(), arch_name.c_str(), (unsigned)data.nr.value(), nr_name.empty() ? "" : " (",
		 nr_name.c_str(), nr_name.empty() ? "" : ")", (unsigned long long)data.ip.value(),
		 (unsigned long long)data.args[0].value(), (unsigned long long)data.args[1].value(),
		 (unsigned long long)data.args[2].value(), (unsigned long long)data.args[3].value(),
		 (unsigned long long)data.args[4].value(), (unsigned long long)data.args[5].value(),
		 filter_action, action_name(filter_action).c_str(), policy_action,
		 action_name(policy_action).c_str());
	(void)p;
	return buf;
}

ProofResult prove(const Policy &p, const Filter &f) {
	ProofResult res;
	res.rejected = seccomp_check(f);
	if (!res.rejected.empty())
		return res;

	SeccompData<Symbolic> d;
	d.nr = vjit::SBV<32>::var("nr");
	d.arch = vjit::SBV<32>::var("arch");
	d.ip = vjit::SBV<64>::var("ip");
	for (unsigned i = 0; i < 6; i++)
		d.args[i] = vjit::SBV<64>::var("arg" + std::to_string(i));

	SeccompEnv<Symbolic> env{d};
	std::vector<vjit::CbpfPending<Symbolic>> work(f.size());
	vjit::SBV<32> filter_ret;
	if (!vjit::cbpf_meaning<Symbolic>(f.data(), (uint32_t)f.size(), env, work.data(), &filter_ret)) {
		res.rejected = "invalid instruction or jump out of the filter";
		return res;
	}
	vjit::SBV<32> policy_ret = policy_meaning<Symbolic>(p, d);

	z3::solver s(vjit::sym_ctx());
	s.add(filter_ret.e != policy_ret.e);
	z3::check_result r = s.check();
	if (r == z3::unsat) {
		res.proved = true;
		return res;
	}
	if (r != z3::sat)
		throw Error("Z3 could not decide the proof: " + s.reason_unknown());

	// Read the seccomp_data back, then confirm the difference concretely:
	// what is printed comes from the interpreter, not from the model.
	z3::model m = s.get_model();
	auto val = [&](const z3::expr &e) { return m.eval(e, true).get_numeral_uint64(); };
	Counterexample cex;
	cex.data.nr = val(d.nr.e);
	cex.data.arch = val(d.arch.e);
	cex.data.ip = val(d.ip.e);
	for (unsigned i = 0; i < 6; i++)
		cex.data.args[i] = val(d.args[i].e);
	cex.filter_action = run_filter(f, cex.data);
	cex.policy_action = policy_action(p, cex.data);
	if (cex.filter_action == cex.policy_action)
		throw Error("internal error: Z3's counterexample does not reproduce concretely");
	res.cex = cex;
	return res;
}

} // namespace scpl
