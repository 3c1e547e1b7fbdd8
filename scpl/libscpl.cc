// SPDX-License-Identifier: GPL-2.0
#include "scpl/libscpl.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "scpl/compile.h"
#include "scpl/oci.h"
#include "scpl/parser.h"
#include "scpl/prove.h"

struct scpl_filter {
	scpl::Filter insns;
};

static_assert(sizeof(struct sock_filter) == sizeof(vjit::ClassicInsn), "sock_filter layout");

namespace {

scpl_filter *finish(const scpl::Policy &p, unsigned flags) {
	auto f = new scpl_filter{scpl::compile(p)};
	if (!(flags & SCPL_NO_VERIFY)) {
		scpl::ProofResult r = scpl::prove(p, f->insns);
		if (!r.proved) {
			delete f;
			throw scpl::Error("the compiled filter differs from the policy: " +
					  (r.cex ? r.cex->str(p) : r.rejected));
		}
	}
	return f;
}

template <typename Fn>
scpl_filter *guarded(char *err, size_t errlen, Fn fn) {
	try {
		return fn();
	} catch (const std::exception &e) {
		if (err && errlen) {
			strncpy(err, e.what(), errlen - 1);
			err[errlen - 1] = 0;
		}
		return nullptr;
	}
}

} // namespace

extern "C" {

scpl_filter *scpl_compile_file(const char *path, unsigned flags, char *err, size_t errlen) {
	return guarded(err, errlen, [&] {
		scpl::OciOptions o;
		o.caps = scpl::docker_default_caps();
		o.arches = {scpl::host_arch().name};
		scpl::Policy p = (flags & SCPL_OCI) ? scpl::import_oci(path, o) : scpl::parse_file(path);
		return finish(p, flags);
	});
}

scpl_filter *scpl_compile_string(const char *text, unsigned flags, char *err, size_t errlen) {
	return guarded(err, errlen, [&] {
		return finish(scpl::parse_string(text, "<string>"), flags);
	});
}

size_t scpl_filter_len(const scpl_filter *f) { return f->insns.size(); }

const struct sock_filter *scpl_filter_insns(const scpl_filter *f) {
	return reinterpret_cast<const struct sock_filter *>(f->insns.data());
}

int scpl_install(const scpl_filter *f, unsigned flags) {
	struct sock_fprog prog = {(unsigned short)f->insns.size(),
				  const_cast<struct sock_filter *>(scpl_filter_insns(f))};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			 (flags & SCPL_TSYNC) ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog);
	if (r < 0)
		return -errno;
	return r > 0 ? -ESRCH : 0; // TSYNC: the id of a thread that failed
}

void scpl_filter_free(scpl_filter *f) { delete f; }

} // extern "C"
