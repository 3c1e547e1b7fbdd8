// SPDX-License-Identifier: GPL-2.0
#include "scpl/libseccomp_ref.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace scpl {
namespace {

using Conj = std::vector<scmp_arg_cmp>;

scmp_arg_cmp to_scmp(const Cond &c, bool negated) {
	CmpOp op = c.op;
	if (negated) {
		static const CmpOp neg[] = {CmpOp::NE, CmpOp::EQ, CmpOp::GE, CmpOp::GT, CmpOp::LE, CmpOp::LT};
		op = neg[(int)op];
	}
	if (c.mask != ~0ull) {
		if (op != CmpOp::EQ)
			throw Error("libseccomp has only masked equality");
		return SCMP_CMP64(c.arg, SCMP_CMP_MASKED_EQ, c.mask, c.value);
	}
	static const scmp_compare ops[] = {SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT,
					   SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE};
	return SCMP_CMP64(c.arg, ops[(int)op], c.value);
}

// The condition in disjunctive normal form: libseccomp ORs rules and ANDs
// the comparisons of one rule.
std::vector<Conj> dnf(const Cond &c, bool negated) {
	switch (c.kind) {
	case Cond::TRUE:
		if (negated)
			throw Error("libseccomp cannot say 'never'");
		return {Conj{}};
	case Cond::CMP:
		return {Conj{to_scmp(c, negated)}};
	case Cond::NOT:
		return dnf(*c.kids[0], !negated);
	case Cond::AND:
	case Cond::OR: {
		const bool conj = (c.kind == Cond::AND) != negated;
		std::vector<Conj> acc = dnf(*c.kids[0], negated);
		for (size_t i = 1; i < c.kids.size(); i++) {
			std::vector<Conj> k = dnf(*c.kids[i], negated);
			if (!conj) {
				acc.insert(acc.end(), k.begin(), k.end());
				continue;
			}
			std::vector<Conj> prod;
			for (const Conj &a : acc)
				for (const Conj &b : k) {
					Conj ab = a;
					ab.insert(ab.end(), b.begin(), b.end());
					prod.push_back(ab);
				}
			acc = prod;
		}
		return acc;
	}
	}
	return {};
}

void check(int rc, const std::string &what) {
	if (rc < 0)
		throw Error("libseccomp: " + what + ": " + strerror(-rc));
}

using Ctx = std::unique_ptr<void, void (*)(scmp_filter_ctx)>;

// One arch's rules: syscall numbers are the arch's own, so each arch gets
// its own context and the contexts are merged.
Ctx arch_ctx(const Policy &p, const ArchPolicy &ap, int optimize, bool naive) {
	Ctx ctx(seccomp_init(p.default_action), seccomp_release);
	if (!ctx)
		throw Error("libseccomp: seccomp_init failed");
	check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, p.badarch_action), "badarch");
	check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, optimize), "optimize");
	if (ap.arch->audit_arch != seccomp_arch_native()) {
		check(seccomp_arch_add(ctx.get(), ap.arch->audit_arch), "arch");
		check(seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE), "arch");
	}
	if (!ap.spans.empty())
		throw Error("libseccomp has no ranges of syscall numbers");
	for (const auto &kv : ap.rules) {
		for (size_t i = 1; i < kv.second.size() && !naive; i++)
			if (kv.second[i].action != kv.second[0].action)
				throw Error("syscall " + std::to_string(kv.first) + ": libseccomp has no "
					    "first-match order between rules of different actions");
		for (const Rule &r : kv.second) {
			if (r.action == p.default_action)
				continue; // libseccomp refuses rules that restate the default
			for (const Conj &c : r.cond ? dnf(*r.cond, false) : std::vector<Conj>{Conj{}})
				check(seccomp_rule_add_exact_array(ctx.get(), r.action, (int)kv.first,
								   (unsigned)c.size(), c.data()),
				      "rule for syscall " + std::to_string(kv.first));
		}
	}
	return ctx;
}

} // namespace

Filter libseccomp_filter(const Policy &p, int optimize, bool naive) {
	if (p.x32_action != p.badarch_action)
		throw Error("libseccomp gives x32 syscalls the badarch action");
	if (p.arches.empty())
		throw Error("the policy names no arch");
	Ctx ctx = arch_ctx(p, p.arches[0], optimize, naive);
	for (size_t i = 1; i < p.arches.size(); i++)
		check(seccomp_merge(ctx.get(), arch_ctx(p, p.arches[i], optimize, naive).release()), "merge");
	int fd = memfd_create("scpl-libseccomp", 0);
	if (fd < 0)
		throw Error("memfd_create failed");
	check(seccomp_export_bpf(ctx.get(), fd), "export");
	off_t size = lseek(fd, 0, SEEK_END);
	Filter f(size / sizeof(vjit::ClassicInsn));
	if (pread(fd, f.data(), size, 0) != size) {
		close(fd);
		throw Error("reading libseccomp's export failed");
	}
	close(fd);
	return f;
}

} // namespace scpl
