// SPDX-License-Identifier: GPL-2.0
#include "user/foreign_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace vjit {
namespace user {

namespace {

constexpr uint32_t MAGIC = 0x31524a56u;  // "VJR1", selftests/<arch>/runner.c

template <typename T>
void put(std::string &s, T v) {
	s.append((const char *)&v, sizeof v);
}

bool run_cmd(const std::string &cmd, std::string *err) {
	int rc = system(cmd.c_str());
	if (rc != 0) {
		*err = "runner failed (" + std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1) + "): " + cmd;
		return false;
	}
	return true;
}

std::string quoted(const std::string &s) { return "'" + s + "'"; }

} // namespace

const char *foreign_status_name(ForeignResult::Status s) {
	switch (s) {
	case ForeignResult::OK: return "ok";
	case ForeignResult::SIGNAL: return "signal";
	case ForeignResult::TIMEOUT: return "timeout";
	case ForeignResult::BAD_REQUEST: return "could not map the job";
	}
	return "?";
}

std::string runner_path(const std::string &name) {
	const std::string file = "vjit-runner-" + name;
	if (const char *d = getenv("VJIT_RUNNER_DIR"))
		return std::string(d) + "/" + file;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		std::string dir(self, (size_t)n);
		dir = dir.substr(0, dir.rfind('/'));
		if (access((dir + "/" + file).c_str(), X_OK) == 0)
			return dir + "/" + file;
	}
	return "build/bin/" + file;
}

bool foreign_run(const std::string &emulator, const std::string &runner, const std::vector<ForeignJob> &jobs,
		 std::vector<ForeignResult> *results, std::string *err) {
	char dir[] = "/tmp/vjit-foreign-XXXXXX";
	if (!mkdtemp(dir)) {
		*err = "mkdtemp failed";
		return false;
	}
	const std::string req = std::string(dir) + "/req", resp = std::string(dir) + "/resp";
	std::string s;
	put(s, MAGIC);
	put(s, (uint32_t)jobs.size());
	for (const ForeignJob &j : jobs) {
		put(s, j.image_addr);
		put(s, (uint32_t)j.image.size());
		put(s, (uint32_t)j.regions.size());
		put(s, j.ctx);
		put(s, j.sp);
		s.append(j.image.begin(), j.image.end());
		for (const ForeignRegion &r : j.regions) {
			put(s, r.addr);
			put(s, (uint32_t)r.bytes.size());
			s.append(r.bytes.begin(), r.bytes.end());
		}
	}
	std::ofstream(req, std::ios::binary) << s;
	bool ok = run_cmd(quoted(emulator) + " " + quoted(runner) + " " + req + " " + resp, err);
	std::ifstream in(resp, std::ios::binary);
	std::string r((std::istreambuf_iterator<char>(in)), {});
	(void)system(("rm -rf " + std::string(dir)).c_str());
	if (!ok)
		return false;
	size_t at = 0;
	auto take = [&](void *p, size_t n) {
		if (at + n > r.size())
			return false;
		r.copy((char *)p, n, at);
		at += n;
		return true;
	};
	results->clear();
	for (const ForeignJob &j : jobs) {
		ForeignResult res;
		uint32_t status = 0;
		if (!take(&status, 4) || !take(&res.sig, 4) || !take(&res.r0, 8)) {
			*err = "short response from the runner";
			return false;
		}
		res.status = (ForeignResult::Status)status;
		for (const ForeignRegion &reg : j.regions) {
			std::vector<uint8_t> b(reg.bytes.size());
			if (!take(b.data(), b.size())) {
				*err = "short response from the runner";
				return false;
			}
			res.regions.push_back(std::move(b));
		}
		results->push_back(std::move(res));
	}
	return true;
}

bool foreign_helpers(const std::string &emulator, const std::string &runner, std::vector<uint64_t> *addrs,
		     std::string *err) {
	const std::string cmd = quoted(emulator) + " " + quoted(runner) + " --helpers";
	FILE *p = popen(cmd.c_str(), "r");
	if (!p) {
		*err = "cannot start " + cmd;
		return false;
	}
	unsigned long long a[3];
	int n = fscanf(p, "%llx %llx %llx", &a[0], &a[1], &a[2]);
	int rc = pclose(p);
	if (n != 3 || rc != 0) {
		*err = "no helper addresses from " + cmd;
		return false;
	}
	addrs->assign(a, a + 3);
	return true;
}

} // namespace user
} // namespace vjit
