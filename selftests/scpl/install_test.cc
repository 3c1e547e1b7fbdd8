// SPDX-License-Identifier: GPL-2.0
// Filters installed for real: a forked child installs a policy with libscpl
// and makes syscalls; scplc and scpl-exec run as a user runs them.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "helpers.h"
#include "scpl/libscpl.h"

namespace {

const char *POLICY = R"(
	default allow
	errno(EPERM) getppid
	errno(EACCES) getuid if arg0 == 5
	errno(ENOTSUP) getgid if arg1 > 0x100000000
	kill-process gettid if arg0 == 0x12345678
)";

// Runs body in a child under POLICY; returns the child's wait status.
template <typename Body>
int in_child(unsigned flags, Body body) {
	pid_t pid = fork();
	if (pid == 0) {
		char err[1024];
		scpl_filter *f = scpl_compile_string(POLICY, 0, err, sizeof err);
		if (!f || scpl_install(f, flags) < 0)
			_exit(100);
		_exit(body());
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

// errno of a syscall that must fail, 0 if it succeeded
long err_of(long r) { return r < 0 ? errno : 0; }

TEST(ScplInstall, AllowedAndDeniedSyscallsWithErrnoValues) {
	int st = in_child(0, [] {
		if (err_of(syscall(SYS_getppid)) != EPERM) return 1;
		if (err_of(syscall(SYS_getuid, 5)) != EACCES) return 2;
		if (err_of(syscall(SYS_getuid, 0x500000005ull)) != 0) return 3; // high half differs
		if (err_of(syscall(SYS_getuid, 4)) != 0) return 4;
		if (err_of(syscall(SYS_getgid, 0, 0x100000001ull)) != ENOTSUP) return 5;
		if (err_of(syscall(SYS_getgid, 0, 0x100000000ull)) != 0) return 6; // boundary
		if (err_of(syscall(SYS_getpid)) != 0) return 7;
		return 0;
	});
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0) << "check number " << WEXITSTATUS(st) << " failed";
}

TEST(ScplInstall, KillProcessKillsWithSigsys) {
	int st = in_child(0, [] {
		syscall(SYS_gettid, 0x12345678);
		return 42;
	});
	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGSYS);
	st = in_child(0, [] { return syscall(SYS_gettid, 0x1234567) > 0 ? 0 : 1; });
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

void *other_thread(void *) {
	sleep(1); // the main thread installs meanwhile
	return (void *)(long)(syscall(SYS_getppid) < 0 && errno == EPERM);
}

TEST(ScplInstall, TsyncFiltersEveryThread) {
	int st = in_child(SCPL_TSYNC, [] { return 0; });
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, nullptr, other_thread, nullptr);
		char err[1024];
		scpl_filter *f = scpl_compile_string(POLICY, 0, err, sizeof err);
		if (!f || scpl_install(f, SCPL_TSYNC) < 0)
			_exit(100);
		void *filtered;
		pthread_join(t, &filtered);
		_exit(filtered ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0) << "the other thread was not filtered";
}

std::string run(const std::string &cmd, int *rc) {
	FILE *p = popen((cmd + " 2>&1").c_str(), "r");
	std::string out;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		out.append(buf, n);
	int st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

std::string tmpfile_with(const std::string &name, const std::string &text) {
	std::string path = scpl_test::temp_dir() + "/" + name;
	std::ofstream(path) << text;
	return path;
}

TEST(ScplCli, CompileThenCheckDockersProfile) {
	const std::string bpf = scpl_test::temp_dir() + "/docker.bpf";
	int rc;
	std::string out = run("build/bin/scplc --from-oci policies/docker-default.json --arch x86_64 "
			      "-o " + bpf, &rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("proved equal to the policy"), std::string::npos);
	EXPECT_NE(out.find("warning: syscall 'mseal' is unknown"), std::string::npos);
	std::ifstream f(bpf, std::ios::binary | std::ios::ate);
	EXPECT_EQ((long)f.tellg() % 8, 0);
	out = run("build/bin/scplc check policies/docker-default.json " + bpf, &rc);
	EXPECT_EQ(rc, 0) << out;
	out = run("build/bin/scplc check policies/server.scpl " + bpf, &rc);
	EXPECT_EQ(rc, 1) << out;
	EXPECT_NE(out.find("counterexample: seccomp_data"), std::string::npos) << out;
	EXPECT_NE(out.find("filter returns"), std::string::npos) << out;
}

TEST(ScplCli, TypoGivesFileLineColumnAndSuggestion) {
	std::string path = tmpfile_with("typo.scpl", "default errno(EPERM)\nallow read, writ\n");
	int rc;
	std::string out = run("build/bin/scplc " + path + " -o /dev/null", &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_NE(out.find(path + ":2:13: error: unknown syscall 'writ'; did you mean 'write'?"),
		  std::string::npos) << out;
}

TEST(ScplCli, OutputFormats) {
	int rc;
	std::string out = run("build/bin/scplc policies/server.scpl --format listing -o /dev/stdout", &rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("ld [4]  ; arch"), std::string::npos);
	EXPECT_NE(out.find("ret #0x7fff0000  ; allow"), std::string::npos);
	out = run("build/bin/scplc policies/server.scpl --format c -o /dev/stdout", &rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("static struct sock_filter scpl_filter[] = {"), std::string::npos);
	// "-" is standard output, not a file of that name.
	const std::string dir = scpl_test::temp_dir() + "/dash";
	ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
	std::string top = get_current_dir_name();
	out = run(std::string("cd ") + dir + " && " + top + "/build/bin/scplc " + top +
		  "/policies/server.scpl --format listing -o -", &rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("ld [4]  ; arch"), std::string::npos) << out;
	EXPECT_NE(access((dir + "/-").c_str(), F_OK), 0);
}

// Only syscalls the policy names label comparisons: 4 (stat) is where the
// range of read..close ends, not a syscall the policy is about.
TEST(ScplCli, ListingNamesOnlyThePolicysSyscalls) {
	scpl::Policy p = scpl::parse_string("default allow\nerrno(EPERM) read, write, open, close\n");
	const std::string out = scpl::listing(scpl::compile(p), &p);
	EXPECT_NE(out.find("jge #0x4, "), std::string::npos) << out;
	EXPECT_EQ(out.find("stat"), std::string::npos) << out;
	scpl::Policy q = scpl::parse_string("default allow\nerrno(EPERM) getppid\n");
	EXPECT_NE(scpl::listing(scpl::compile(q), &q).find("; getppid"), std::string::npos);
}

TEST(ScplExec, RunsACommandUnderAPolicy) {
	int rc;
	std::string out = run("build/bin/scpl-exec --oci --policy policies/docker-default.json -- "
			      "/bin/sh -c 'exit 3'", &rc);
	EXPECT_EQ(rc, 3) << out;
	std::string p = tmpfile_with("nomkdir.scpl", "default allow\nerrno(EROFS) mkdir, mkdirat\n");
	std::string dir = scpl_test::temp_dir() + "/made";
	out = run("build/bin/scpl-exec --policy " + p + " -- mkdir " + dir, &rc);
	EXPECT_NE(rc, 0);
	EXPECT_NE(out.find("Read-only file system"), std::string::npos) << out;
	EXPECT_NE(access(dir.c_str(), F_OK), 0);
}

} // namespace
