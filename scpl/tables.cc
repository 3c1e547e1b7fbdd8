// SPDX-License-Identifier: GPL-2.0
#include "scpl/tables.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "scpl/uapi_constants.inc"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

namespace scpl {

const std::vector<ArchInfo> &all_arches() {
	static const std::vector<ArchInfo> arches = {
		{"x86_64", "amd64", "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64, true},
		{"i386", "x86", "SCMP_ARCH_X86", AUDIT_ARCH_I386, false},
		{"aarch64", "arm64", "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64, false},
	};
	return arches;
}

const ArchInfo *arch_by_name(const std::string &name) {
	for (const ArchInfo &a : all_arches())
		if (name == a.name || name == a.scmp_name || name == a.oci_name)
			return &a;
	return nullptr;
}

const ArchInfo &host_arch() {
#if defined(__x86_64__)
	return all_arches()[0];
#elif defined(__i386__)
	return all_arches()[1];
#else
	return all_arches()[2];
#endif
}

Lookup syscall_number(const ArchInfo &arch, const std::string &name, uint32_t *nr) {
	int n = seccomp_syscall_resolve_name_arch(arch.audit_arch, name.c_str());
	if (n >= 0) {
		*nr = (uint32_t)n;
		return Lookup::FOUND;
	}
	// Negative pseudo numbers: a name libseccomp knows, absent on this arch.
	if (n != __NR_SCMP_ERROR || seccomp_syscall_resolve_name(name.c_str()) != __NR_SCMP_ERROR)
		return Lookup::NOT_ON_ARCH;
	for (const ArchInfo &a : all_arches())
		if (seccomp_syscall_resolve_name_arch(a.audit_arch, name.c_str()) != __NR_SCMP_ERROR)
			return Lookup::NOT_ON_ARCH;
	return Lookup::UNKNOWN;
}

std::string syscall_name(const ArchInfo &arch, uint32_t nr) {
	if (nr > 0xffff)
		return "";
	char *s = seccomp_syscall_resolve_num_arch(arch.audit_arch, (int)nr);
	std::string r = s ? s : "";
	free(s);
	return r;
}

uint32_t max_syscall(const ArchInfo &arch) {
	static std::map<uint32_t, uint32_t> cache;
	auto it = cache.find(arch.audit_arch);
	if (it != cache.end())
		return it->second;
	uint32_t max = 0;
	for (uint32_t nr = 0; nr < 1024; nr++)
		if (!syscall_name(arch, nr).empty())
			max = nr;
	return cache[arch.audit_arch] = max;
}

std::vector<std::string> all_syscall_names() {
	std::vector<std::string> names;
	for (const ArchInfo &a : all_arches())
		for (uint32_t nr = 0; nr <= max_syscall(a); nr++) {
			std::string s = syscall_name(a, nr);
			if (!s.empty())
				names.push_back(s);
		}
	std::sort(names.begin(), names.end());
	names.erase(std::unique(names.begin(), names.end()), names.end());
	return names;
}

static size_t edit_distance(const std::string &a, const std::string &b) {
	std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
	for (size_t j = 0; j <= b.size(); j++)
		prev[j] = j;
	for (size_t i = 1; i <= a.size(); i++) {
		cur[0] = i;
		for (size_t j = 1; j <= b.size(); j++)
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
					   prev[j - 1] + (a[i - 1] != b[j - 1])});
		std::swap(prev, cur);
	}
	return prev[b.size()];
}

std::string suggest(const std::string &word, const std::vector<std::string> &candidates) {
	std::string best;
	size_t best_d = word.size() / 2 + 2; // farther than this is no suggestion
	for (const std::string &c : candidates) {
		size_t d = edit_distance(word, c);
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	return best;
}

std::optional<int> errno_by_name(const std::string &name) {
	// names glibc lists under another name of the same value
	static const std::map<std::string, int> aliases = {
		{"ENOTSUP", ENOTSUP}, {"EWOULDBLOCK", EWOULDBLOCK}, {"EDEADLOCK", EDEADLOCK}};
	if (aliases.count(name))
		return aliases.at(name);
	for (int e = 1; e < 4096; e++) {
		const char *s = strerrorname_np(e);
		if (s && name == s)
			return e;
	}
	return std::nullopt;
}

std::string errno_name(int e) {
	const char *s = strerrorname_np(e);
	return s ? s : std::to_string(e);
}

#define C(name) {#name, (uint64_t)(name)},
// Names with no UAPI prefix the generator takes (clone, prctl, mount, ...).
static const std::map<std::string, uint64_t> &other_constants() {
	static const std::map<std::string, uint64_t> table = {
		// clone(2), unshare(2), setns(2)
		C(CLONE_VM) C(CLONE_FS) C(CLONE_FILES) C(CLONE_SIGHAND) C(CLONE_PIDFD)
		C(CLONE_PTRACE) C(CLONE_VFORK) C(CLONE_PARENT) C(CLONE_THREAD)
		C(CLONE_NEWNS) C(CLONE_SYSVSEM) C(CLONE_SETTLS) C(CLONE_PARENT_SETTID)
		C(CLONE_CHILD_CLEARTID) C(CLONE_UNTRACED) C(CLONE_CHILD_SETTID)
		C(CLONE_NEWCGROUP) C(CLONE_NEWUTS) C(CLONE_NEWIPC) C(CLONE_NEWUSER)
		C(CLONE_NEWPID) C(CLONE_NEWNET) C(CLONE_IO) C(CLONE_NEWTIME)
		// *at(2), fcntl(2), stat(2)
		C(AT_FDCWD) C(AT_SYMLINK_NOFOLLOW) C(AT_REMOVEDIR) C(AT_EMPTY_PATH)
		C(F_GETFD) C(F_SETFD) C(F_GETFL) C(F_SETFL) C(F_DUPFD) C(F_DUPFD_CLOEXEC)
		C(S_ISUID) C(S_ISGID) C(S_IFMT)
		// personality(2), prctl(2), mount(2), ioctl(2)
		C(PER_LINUX) C(PER_LINUX32) C(UNAME26) C(ADDR_NO_RANDOMIZE)
		C(PR_SET_NO_NEW_PRIVS) C(PR_SET_NAME) C(PR_GET_NAME) C(PR_SET_SECCOMP)
		C(PR_SET_DUMPABLE) C(PR_CAPBSET_DROP) C(PR_SET_PDEATHSIG)
		C(MS_RDONLY) C(MS_NOSUID) C(MS_NODEV) C(MS_NOEXEC) C(MS_REMOUNT)
		C(MS_BIND) C(MS_MOVE) C(MS_REC)
		C(TIOCSTI) C(TIOCLINUX) C(TIOCGWINSZ) C(FIONREAD)
	};
	return table;
}

// MADV_*, FUTEX_*, MAP_*, PROT_*, O_*, SOCK_*, MSG_*, AF_*, IP_*, IPV6_*, IPPROTO_*:
// generated at build time from the installed headers.
static const std::map<std::string, uint64_t> &uapi_constants() {
	static const std::map<std::string, uint64_t> table = {SCPL_UAPI_CONSTANTS};
	return table;
}
#undef C

std::optional<uint64_t> constant_by_name(const std::string &name) {
	for (const auto *table : {&uapi_constants(), &other_constants()}) {
		auto it = table->find(name);
		if (it != table->end())
			return it->second;
	}
	return std::nullopt;
}

std::vector<std::string> all_constant_names() {
	std::vector<std::string> names;
	for (const auto *table : {&uapi_constants(), &other_constants()})
		for (const auto &kv : *table)
			names.push_back(kv.first);
	return names;
}

} // namespace scpl
