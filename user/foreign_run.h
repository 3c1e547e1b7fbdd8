// SPDX-License-Identifier: GPL-2.0
// Running JITted code of an arch this host does not run, through the arch's
// runner (a small static program of that arch, selftests/<arch>/runner.c)
// under the qemu-user emulator the Makefile names (ARCH_<a>_RUNNER). Jobs
// go in one request file, results come back in one response file, so a
// test runs thousands of programs in one emulator start.
//
// A job's regions and image are mapped in the runner at the addresses the
// job names: the host gives the same numbers to its reference interpreter,
// so results that depend on addresses (R10, ctx) compare too.
#ifndef VJIT_USER_FOREIGN_RUN_H
#define VJIT_USER_FOREIGN_RUN_H

#include <cstdint>
#include <string>
#include <vector>

namespace vjit {
namespace user {

struct ForeignRegion {
	uint64_t addr;
	std::vector<uint8_t> bytes;
};

struct ForeignJob {
	uint64_t image_addr = 0;
	std::vector<uint8_t> image;
	uint64_t ctx = 0;       // first argument of the image
	uint64_t sp = 0;        // stack pointer at entry (inside a region)
	std::vector<ForeignRegion> regions;
};

struct ForeignResult {
	enum Status : uint32_t { OK = 0, SIGNAL = 1, TIMEOUT = 2, BAD_REQUEST = 3 } status = BAD_REQUEST;
	uint32_t sig = 0;
	uint64_t r0 = 0;
	std::vector<std::vector<uint8_t>> regions;  // each region after the run
};

const char *foreign_status_name(ForeignResult::Status s);

// The runner of arch `name`: $VJIT_RUNNER_DIR/vjit-runner-<name>, else
// vjit-runner-<name> beside this executable, else in build/bin/.
std::string runner_path(const std::string &name);

// emulator: the qemu-user binary; runner: the runner program.
bool foreign_run(const std::string &emulator, const std::string &runner, const std::vector<ForeignJob> &jobs,
		 std::vector<ForeignResult> *results, std::string *err);

// The runner's test helpers (helper_base, helper_mix, helper_ret7).
bool foreign_helpers(const std::string &emulator, const std::string &runner, std::vector<uint64_t> *addrs,
		     std::string *err);

} // namespace user
} // namespace vjit

#endif
