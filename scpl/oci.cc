// SPDX-License-Identifier: GPL-2.0
#include "scpl/oci.h"

#include <seccomp.h>
#include <sys/utsname.h>

#include <cerrno>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scpl/tables.h"

namespace scpl {

using nlohmann::json;

std::vector<std::string> docker_default_caps() {
	return {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
		"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
		"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
		"CAP_KILL", "CAP_AUDIT_WRITE"};
}

namespace {

[[noreturn]] void fail(const std::string &where, const std::string &msg) {
	throw Error(where + ": error: " + msg);
}

// "4.8" < "5.10": numeric, part by part.
std::vector<unsigned> version_parts(const std::string &v) {
	std::vector<unsigned> parts;
	std::stringstream ss(v);
	std::string part;
	while (std::getline(ss, part, '.') && !part.empty() && isdigit((unsigned char)part[0]))
		parts.push_back((unsigned)std::stoul(part));
	return parts;
}

std::string running_kernel() {
	struct utsname u;
	return uname(&u) == 0 ? u.release : "0";
}

uint32_t action_of(const json &entry, const std::string &key, const json &errno_ret,
		   const std::string &where) {
	const std::string a = entry.at(key).get<std::string>();
	const uint64_t value = errno_ret.is_number() ? errno_ret.get<uint64_t>() : 0;
	if (a == "SCMP_ACT_ERRNO" && value > MAX_ERRNO)
		fail(where, "errnoRet " + std::to_string(value) + " is above " +
				    std::to_string(MAX_ERRNO) + ", the largest the kernel returns");
	if (value > ret::DATA)
		fail(where, "errnoRet " + std::to_string(value) + " does not fit in 16 bits");
	const uint32_t data = (uint32_t)value;
	if (a == "SCMP_ACT_ALLOW") return ret::ALLOW;
	if (a == "SCMP_ACT_LOG") return ret::LOG;
	if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return ret::KILL_THREAD;
	if (a == "SCMP_ACT_KILL_PROCESS") return ret::KILL_PROCESS;
	if (a == "SCMP_ACT_TRAP") return ret::TRAP;
	if (a == "SCMP_ACT_NOTIFY") return ret::USER_NOTIF;
	// runc's defaults: EPERM for errno, 0 for trace, when no value is given
	if (a == "SCMP_ACT_ERRNO") return ret::ERRNO | (errno_ret.is_number() ? data : EPERM);
	if (a == "SCMP_ACT_TRACE") return ret::TRACE | data;
	fail(where, "unknown action '" + a + "'");
}

CondP arg_cond(const json &arg, const std::string &where) {
	const unsigned index = arg.at("index").get<unsigned>();
	if (index > 5)
		fail(where, "argument index " + std::to_string(index) + " is not 0..5");
	const uint64_t value = arg.value("value", (uint64_t)0);
	const uint64_t two = arg.value("valueTwo", (uint64_t)0);
	const std::string op = arg.at("op").get<std::string>();
	if (op == "SCMP_CMP_EQ") return Cond::cmp(index, CmpOp::EQ, value);
	if (op == "SCMP_CMP_NE") return Cond::cmp(index, CmpOp::NE, value);
	if (op == "SCMP_CMP_LT") return Cond::cmp(index, CmpOp::LT, value);
	if (op == "SCMP_CMP_LE") return Cond::cmp(index, CmpOp::LE, value);
	if (op == "SCMP_CMP_GT") return Cond::cmp(index, CmpOp::GT, value);
	if (op == "SCMP_CMP_GE") return Cond::cmp(index, CmpOp::GE, value);
	// libseccomp: (arg & value) == valueTwo
	if (op == "SCMP_CMP_MASKED_EQ") return Cond::cmp(index, CmpOp::EQ, two & value, value);
	fail(where, "unknown comparison '" + op + "'");
}

bool contains(const json &list, const std::string &s) {
	for (const json &x : list)
		if (x.is_string() && x.get<std::string>() == s)
			return true;
	return false;
}

// Whether the entry applies on arch with the granted caps and kernel.
bool selected(const json &entry, const ArchInfo &arch, const std::set<std::string> &caps,
	      const std::string &kernel) {
	const auto arch_in = [&](const json &filter) {
		return filter.contains("arches") && (contains(filter["arches"], arch.oci_name) ||
						     contains(filter["arches"], arch.name));
	};
	if (entry.contains("includes")) {
		const json &inc = entry["includes"];
		if (inc.contains("arches") && !inc["arches"].empty() && !arch_in(inc))
			return false;
		if (inc.contains("caps"))
			for (const json &c : inc["caps"])
				if (!caps.count(c.get<std::string>()))
					return false;
		if (inc.contains("minKernel") && version_parts(kernel) < version_parts(inc["minKernel"]))
			return false;
	}
	if (entry.contains("excludes")) {
		const json &exc = entry["excludes"];
		if (arch_in(exc))
			return false;
		if (exc.contains("caps"))
			for (const json &c : exc["caps"])
				if (caps.count(c.get<std::string>()))
					return false;
	}
	return true;
}

} // namespace

Policy import_oci_text(const std::string &text, const std::string &name, const OciOptions &opt) {
	json doc;
	try {
		doc = json::parse(text);
	} catch (const json::exception &e) {
		fail(name, std::string("not valid JSON: ") + e.what());
	}
	// runc's config.json holds the profile under linux.seccomp
	if (doc.contains("linux") && doc["linux"].contains("seccomp"))
		doc = doc["linux"]["seccomp"];
	Policy p;
	p.source = name;
	const std::set<std::string> caps(opt.caps.begin(), opt.caps.end());
	const std::string kernel = opt.kernel.empty() ? running_kernel() : opt.kernel;
	try {
		const json errno_ret = doc.value("defaultErrnoRet", json());
		p.default_action = action_of(doc, "defaultAction", errno_ret, name);
		// libseccomp's default for a foreign arch and for x32 numbers
		p.badarch_action = p.x32_action = ret::KILL_THREAD;
		for (const std::string &a : opt.arches) {
			const ArchInfo *arch = arch_by_name(a);
			if (!arch)
				fail(name, "unknown arch '" + a + "'");
			p.arches.push_back(ArchPolicy{arch, {}, {}});
		}
		std::set<std::string> unknown;
		const json &entries = doc.value("syscalls", json::array());
		for (size_t i = 0; i < entries.size(); i++) {
			const json &e = entries[i];
			const std::string where = name + ": syscalls[" + std::to_string(i) + "]";
			const uint32_t action = action_of(e, "action", e.value("errnoRet", json()), where);
			CondP cond;
			for (const json &arg : e.value("args", json::array())) {
				CondP c = arg_cond(arg, where);
				cond = cond ? Cond::both(cond, c) : c;
			}
			std::vector<std::string> names;
			if (e.contains("names"))
				names = e["names"].get<std::vector<std::string>>();
			if (e.contains("name"))
				names.push_back(e["name"].get<std::string>());
			for (ArchPolicy &ap : p.arches) {
				if (!selected(e, *ap.arch, caps, kernel))
					continue;
				for (const std::string &sc : names) {
					uint32_t nr;
					Lookup l = syscall_number(*ap.arch, sc, &nr);
					if (l == Lookup::UNKNOWN)
						unknown.insert(sc);
					if (l != Lookup::FOUND)
						continue;
					Rule r{action, cond, SrcLoc{where, 0, 0}};
					add_rule(p, ap, nr, sc, r, false);
				}
			}
		}
		for (const std::string &sc : unknown)
			p.warn(name, "syscall '" + sc + "' is unknown to this libseccomp (" +
			       std::to_string(SCMP_VER_MAJOR) + "." +
			       std::to_string(SCMP_VER_MINOR) + "." +
			       std::to_string(SCMP_VER_MICRO) + "): it gets the default action " +
			       action_name(p.default_action));
	} catch (const json::exception &e) {
		fail(name, std::string("malformed profile: ") + e.what());
	}
	return p;
}

Policy import_oci(const std::string &path, const OciOptions &opt) {
	std::ifstream in(path);
	if (!in)
		throw Error(path + ": error: cannot read the profile");
	std::stringstream ss;
	ss << in.rdbuf();
	return import_oci_text(ss.str(), path, opt);
}

} // namespace scpl
