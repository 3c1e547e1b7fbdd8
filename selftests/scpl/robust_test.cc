// SPDX-License-Identifier: GPL-2.0
// Bad and huge inputs: each ends in its exact message and exit code, never in
// a crash or a hang; and the grammar fuzzer's bounded run.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "fuzz_gen.h"
#include "helpers.h"

using namespace scpl;
using scpl_test::temp_dir;

namespace {

struct ToolRun {
	int status; // exit code, or 128 + signal
	std::string output; // stderr and stdout
};

ToolRun run(const std::string &cmd) {
	ToolRun r{0, ""};
	FILE *p = popen((cmd + " 2>&1").c_str(), "r");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		r.output.append(buf, n);
	const int st = pclose(p);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

std::string write_policy(const std::string &name, const std::string &text) {
	const std::string path = temp_dir() + "/" + name;
	std::ofstream(path) << text;
	return path;
}

ToolRun scplc(const std::string &policy) {
	return run("build/bin/scplc " + policy + " -o " + temp_dir() + "/out.bpf");
}

std::string repeated(const std::string &s, size_t n) {
	std::string out;
	out.reserve(s.size() * n);
	while (n--)
		out += s;
	return out;
}

void expect_error(const std::string &name, const std::string &text, const std::string &msg) {
	const std::string path = write_policy(name, text);
	ToolRun r = scplc(path);
	EXPECT_EQ(r.status, 2) << name;
	EXPECT_EQ(r.output, path + msg + "\n") << name;
}

TEST(ScplRobust, HugeConditionsEndInTheSizeError) {
	std::string set = "allow read if arg0 in { 0";
	for (int i = 1; i < 100000; i++)
		set += ", " + std::to_string(i);
	expect_error("set.scpl", set + " }\n",
		     ": error: the filter would exceed the kernel's 4096 instructions");
	std::string chain = "allow read if arg0 == 0";
	for (int i = 1; i < 200000; i++)
		chain += " || arg0 == " + std::to_string(i);
	expect_error("or.scpl", chain + "\n",
		     ": error: the filter would exceed the kernel's 4096 instructions");
	std::string many;
	for (int i = 0; i < 1000; i++)
		many += "allow read if arg0 == " + std::to_string(i) + "\n";
	expect_error("many-rules.scpl", many,
		     ": error: the filter needs 4944 instructions, more than the kernel's 4096");
	std::string numbers = "allow 0";
	for (int i = 1; i < 100000; i++)
		numbers += ", " + std::to_string(2 * i);
	expect_error("numbers.scpl", numbers + "\n",
		     ": error: the filter would exceed the kernel's 4096 instructions");
}

TEST(ScplRobust, DeepNestingIsAnErrorAtItsColumn) {
	expect_error("parens.scpl",
		     "allow read if " + repeated("(", 20000) + "arg0 == 1" + repeated(")", 20000) + "\n",
		     ":1:115: error: parentheses nest deeper than 100 levels");
	expect_error("const-parens.scpl", "const X = " + repeated("(", 20000) + "1\n",
		     ":1:111: error: parentheses nest deeper than 100 levels");
	// nesting within the limit compiles
	ToolRun ok = scplc(write_policy("ok.scpl", "allow read if " + repeated("(", 100) + "arg0 == 1" +
						   repeated(")", 100) + "\n"));
	EXPECT_EQ(ok.status, 0) << ok.output;
}

TEST(ScplRobust, RunsOfNotKeepTheirParity) {
	Policy odd = parse_string("allow read if " + repeated("!", 200001) + "arg0 == 1\n", "t.scpl");
	EXPECT_EQ(odd.arches[0].rules.at(0)[0].cond->str(), "!(arg0 == 1)");
	const std::string path = write_policy("not.scpl", "allow read if " + repeated("!", 200000) +
								  "arg0 == 1\n");
	ToolRun r = scplc(path);
	EXPECT_EQ(r.status, 0) << r.output;
}

TEST(ScplRobust, EmptyAndNonRegularPoliciesAreErrors) {
	expect_error("empty.scpl", "", ": error: the policy is empty; write at least 'default ACTION'");
	expect_error("comments.scpl", "# only a comment\n\n",
		     ": error: the policy is empty; write at least 'default ACTION'");
	ToolRun dir = scplc(temp_dir());
	EXPECT_EQ(dir.status, 2);
	EXPECT_EQ(dir.output, temp_dir() + ": error: is a directory; a policy is a regular file\n");
	ToolRun dev = scplc("/dev/zero");
	EXPECT_EQ(dev.status, 2);
	EXPECT_EQ(dev.output, "/dev/zero: error: is not a regular file; a policy is one\n");
	ToolRun missing = scplc(temp_dir() + "/missing.scpl");
	EXPECT_EQ(missing.status, 2);
	EXPECT_EQ(missing.output, temp_dir() + "/missing.scpl: error: cannot read the policy "
					       "(No such file or directory)\n");
	expect_error("incdir.scpl", "include \"/tmp\"\n",
		     ":1:9: error: '/tmp' is a directory; a policy is a regular file");
	// scpl-exec refuses them the same way, before running anything
	ToolRun exec = run("build/bin/scpl-exec --policy " + temp_dir() + " -- true");
	EXPECT_EQ(exec.status, 2);
	EXPECT_EQ(exec.output, temp_dir() + ": error: is a directory; a policy is a regular file\n");
	ToolRun exec_empty = run("build/bin/scpl-exec --policy " + temp_dir() + "/empty.scpl -- true");
	EXPECT_EQ(exec_empty.status, 2);
	EXPECT_EQ(exec_empty.output,
		  temp_dir() + "/empty.scpl: error: the policy is empty; write at least 'default ACTION'\n");
}

TEST(ScplRobust, OutOfRangeValuesAreErrors) {
	expect_error("errno4096.scpl", "default errno(4096)\n",
		     ":1:15: error: errno value 4096 is above 4095, the largest the kernel returns");
	expect_error("errno65535.scpl", "allow read\nerrno(65535) write\n",
		     ":2:7: error: errno value 65535 is above 4095, the largest the kernel returns");
	expect_error("trace.scpl", "trace(65536) read\n",
		     ":1:7: error: trace value 65536 does not fit in 16 bits");
	expect_error("nr.scpl", "allow 4294967296\n",
		     ":1:7: error: syscall number 4294967296 does not fit in 32 bits");
	expect_error("arg.scpl", "allow read if arg0 == 18446744073709551616\n",
		     ":1:23: error: bad number '18446744073709551616'");
	EXPECT_EQ(run("build/bin/scplc " + write_policy("ok.scpl", "default errno(4095)\n") + " -o " +
		      temp_dir() + "/out.bpf").status, 0);
	const std::string json = write_policy(
		"errno.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096})");
	ToolRun oci = scplc(json);
	EXPECT_EQ(oci.status, 2);
	EXPECT_EQ(oci.output, json + ": error: errnoRet 4096 is above 4095, the largest the kernel returns\n");
}

TEST(ScplRobust, IncludesNestAtMost32Deep) {
	for (int i = 0; i < 40; i++)
		write_policy("inc" + std::to_string(i) + ".scpl",
			     "include \"inc" + std::to_string(i + 1) + ".scpl\"\n");
	write_policy("inc40.scpl", "allow read\n");
	ToolRun r = scplc(temp_dir() + "/inc0.scpl");
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.output, temp_dir() + "/inc32.scpl:1:9: error: includes nest deeper than 32 files\n");
}

TEST(ScplRobust, RepeatedWarningsAreCounted) {
	const std::string path = write_policy("repeat.scpl", repeated("allow read\n", 100000));
	ToolRun r = scplc(path);
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.output, path + ":2:1: warning: 'read' already has this rule at " + path +
				    ":1:1 (and 99998 more like it)\nscplc: " + temp_dir() +
				    "/out.bpf: 6 instructions, proved equal to the policy\n");
}

TEST(ScplRobust, AllowShadowedTurnsTheErrorIntoAWarning) {
	const std::string path = write_policy("dead.scpl", "allow read\nkill read\n");
	ToolRun strict = scplc(path);
	EXPECT_EQ(strict.status, 2);
	EXPECT_EQ(strict.output, path + ":2:1: error: rule 'kill-process' for 'read' is shadowed by "
					"'allow' at " + path + ":1:1\n");
	ToolRun lax = run("build/bin/scplc --allow-shadowed " + path + " -o " + temp_dir() + "/out.bpf");
	EXPECT_EQ(lax.status, 0);
	EXPECT_EQ(lax.output, path + ":2:1: warning: rule 'kill-process' for 'read' is shadowed by "
				     "'allow' at " + path + ":1:1\nscplc: " + temp_dir() +
				     "/out.bpf: 6 instructions, proved equal to the policy\n");
}

TEST(ScplRobust, SetsOfSetsDoNotGrowExponentially) {
	std::string s = "set @s0 = { read, write }\n";
	for (int i = 1; i < 60; i++)
		s += "set @s" + std::to_string(i) + " = { @s" + std::to_string(i - 1) + ", @s" +
		     std::to_string(i - 1) + " }\n";
	Policy p = parse_string(s + "allow @s59\n", "t.scpl");
	EXPECT_EQ(p.arches[0].rules.size(), 2u);
}

TEST(ScplRobust, DeepJsonIsAnErrorNotACrash) {
	const std::string path = write_policy("deep.json", repeated("[", 200000) + repeated("]", 200000));
	ToolRun r = scplc(path);
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.output.rfind(path + ": error: ", 0), 0u) << r.output.substr(0, 200);
}

TEST(ScplFuzz, GrammarFuzzerFindsNoCrashAndProvesEveryFilter) {
	scpl_fuzz::Totals t = scpl_fuzz::run(1, 500, "build/scpl-fuzz");
	EXPECT_EQ(t.failed, 0u);
	// the generator reaches both ends: filters and errors
	EXPECT_GT(t.proved, 150u);
	EXPECT_GT(t.policy_errors, 50u);
}

} // namespace
