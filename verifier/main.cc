// SPDX-License-Identifier: GPL-2.0
// vjit-verify: proves, entry by entry, that the codegen tables refine the
// BPF semantics (verifier/refine.h), for every arch with a backend.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "verifier/arches.h"
#include "verifier/diag_proof.h"

using namespace vjit;
using namespace vjit::verify;

namespace {

struct Task {
	const ArchInfo *arch;
	size_t index;  // rule index, or frame task index (n_rules + k)
	std::string name;
	std::string cls;
};

// Every instruction the semantics defines (core/isa.h, cpu-v4), against an
// arch's table: proved, failed, or not supported (no entry), so that a gap
// is visible and "verified" means "supported".
void print_coverage(const ArchInfo &a, const std::vector<Task> &tasks, const std::vector<Result> &results,
		    bool every) {
	size_t n[3] = {0, 0, 0};
	std::string gaps;
	for_each_insn_key(Isa::V4, [&](uint8_t code, int16_t off, int32_t imm) {
		const char *name = nullptr;
		Outcome o = Outcome::UNSUPPORTED;
		for (size_t i = 0; i < tasks.size(); i++) {
			if (tasks[i].arch != &a || tasks[i].index >= a.n_rules())
				continue;
			const Rule<Symbolic> r = a.rule(tasks[i].index);
			if (r.code == code && r.off == off && r.imm == imm) {
				name = r.name;
				o = results[i].outcome;
			}
		}
		n[(int)o]++;
		char key[48];
		snprintf(key, sizeof key, "code 0x%02x off %d imm %d", code, off, imm);
		if (every)
			printf("%-8s %-34s %-28s %s\n", a.name, name ? name : "-", key,
			       o == Outcome::PROVED ? "proved" : o == Outcome::FAILED ? "failed" : "not supported");
		else if (o != Outcome::PROVED)
			gaps += std::string("\n  ") + (o == Outcome::FAILED ? "failed: " : "not supported: ") +
				(name ? name : key);
	});
	printf("%s: %zu instructions of the semantics: %zu proved, %zu failed, %zu not supported%s\n", a.name,
	       n[0] + n[1] + n[2], n[0], n[1], n[2], gaps.c_str());
}

} // namespace

int main(int argc, char **argv) {
	CLI::App app{"vjit-verify: Z3 proofs that the codegen tables refine the BPF semantics"};
	bool all_arches = false, list = false, show_assumptions = false, list_mutants = false, quiet = false, coverage = false;
	bool inet_diag = false;
	std::string arch_name, only, json_file, mutant;
	unsigned jobs = std::thread::hardware_concurrency();
	Config defaults;
	double query_s = defaults.query_ms / 1000.0, limit_s = defaults.entry_ms / 1000.0;
	app.add_flag("--all-arches", all_arches, "every arch that has a backend");
	std::vector<std::string> arch_names;
	for (const ArchInfo &a : all_arches_info())
		arch_names.push_back(a.name);
	app.add_option("--arch", arch_name, "one arch")->check(CLI::IsMember(arch_names));
	app.add_option("--only", only, "entries whose name contains this (e.g. 'ALU64 ADD X')");
	app.add_option("--jobs,-j", jobs, "parallel proofs (default: all cores)");
	app.add_option("--query-budget", query_s, "seconds a solver query may take (then: unknown, the entry fails)");
	app.add_option("--time-limit", limit_s, "seconds an entry may take (then it fails)");
	app.add_option("--json", json_file, "write one record per entry to FILE");
	app.add_option("--mutant", mutant, "re-inject a mutant (see --list-mutants) and check it");
	app.add_flag("--list", list, "list the entries and exit");
	app.add_flag("--list-mutants", list_mutants, "list the mutants and exit");
	app.add_flag("--assumptions", show_assumptions, "print the assumptions and exit");
	app.add_flag("--inet-diag", inet_diag, "the INET-DIAG translation proofs, per op (instead of the tables)");
	app.add_flag("--quiet,-q", quiet, "print failures and the summary only");
	app.add_flag("--coverage", coverage, "print every instruction of the semantics per arch: proved, failed or not supported");
	CLI11_PARSE(app, argc, argv);
	if (jobs == 0)
		jobs = 1;

	if (show_assumptions) {
		fputs(assumptions_text(), stdout);
		fputs(diag_assumptions_text(), stdout);
		return 0;
	}
	if (list_mutants) {
		for (const Mutant &m : all_mutants())
			printf("%-28s %-14s %s\n    expect: %s\n", m.id, m.arch, m.bug, m.expect);
		for (const DiagMutant &m : diag_mutants())
			printf("%-28s %-14s %s\n    expect: %s\n", m.id, "inet-diag", m.bug, m.expect);
		return 0;
	}
	if (inet_diag)
		return run_diag_proofs(only, mutant, quiet, json_file);
	std::vector<const ArchInfo *> arches;
	for (const ArchInfo &a : all_arches_info())
		if (all_arches || arch_name.empty() || arch_name == a.name)
			arches.push_back(&a);
	if (arches.empty()) {
		fprintf(stderr, "vjit-verify: no backend for arch '%s'\n", arch_name.c_str());
		return 2;
	}
	const Mutant *mut = nullptr;
	if (!mutant.empty()) {
		for (const Mutant &m : all_mutants())
			if (mutant == m.id)
				mut = &m;
		if (!mut) {
			fprintf(stderr, "vjit-verify: no mutant '%s' (--list-mutants)\n", mutant.c_str());
			return 2;
		}
	}

	std::vector<Task> tasks;
	for (const ArchInfo *a : arches) {
		if (mut && std::string(mut->arch) != a->name)
			continue;
		size_t n = a->n_rules();
		for (size_t i = 0; i < n; i++) {
			std::string nm = a->rule(i).name;
			if (mut && nm != mut->rule)
				continue;
			if (!only.empty() && nm.find(only) == std::string::npos)
				continue;
			tasks.push_back(Task{a, i, nm, class_name(a->rule(i).code)});
		}
		for (size_t k = 0; k < a->frame_names.size(); k++) {
			std::string nm = a->frame_names[k];
			if (mut && !(mut->frame && k == a->mutant_frame(*mut)))
				continue;
			if (!only.empty() && nm.find(only) == std::string::npos)
				continue;
			tasks.push_back(Task{a, n + k, nm, "FRAME"});
		}
	}
	if (list) {
		for (const Task &t : tasks)
			printf("%s\t%s\n", t.arch->name, t.name.c_str());
		return 0;
	}
	if (!quiet)
		fputs(assumptions_text(), stdout);

	std::vector<Result> results(tasks.size());
	std::atomic<size_t> next{0}, done{0};
	std::mutex out_mu;
	const bool tty = isatty(2);
	auto t0 = std::chrono::steady_clock::now();
	auto worker = [&]() {
		for (;;) {
			size_t i = next++;
			if (i >= tasks.size())
				return;
			const Task &t = tasks[i];
			Config cfg;
			cfg.query_ms = (unsigned)(query_s * 1000);
			cfg.entry_ms = (unsigned)(limit_s * 1000);
			Result r;
			size_t n = t.arch->n_rules();
			if (t.index < n) {
				Rule<Symbolic> rule = t.arch->rule(t.index);
				if (mut)
					rule.lower = mut->lower;
				r = t.arch->check_rule(rule, cfg);
			} else {
				r = t.arch->check_frame(t.index - n, mut ? mut : nullptr, cfg);
			}
			results[i] = r;
			std::lock_guard<std::mutex> g(out_mu);
			size_t d = ++done;
			if (tty)
				fprintf(stderr, "\r\033[K");
			if (!quiet || r.outcome == Outcome::FAILED) {
				printf("%-6s %-8s %-34s paths %5zu  %7.2fs (prove %.2fs, %zu checks)%s\n", outcome_name(r.outcome), r.arch.c_str(),
				       r.name.c_str(), r.paths, r.seconds, r.prove_seconds, r.checks,
				       r.rejected ? (" (" + std::to_string(r.rejected) + " rejected)").c_str() : "");
				if (r.outcome != Outcome::PROVED && !r.detail.empty())
					printf("%s", r.detail.c_str());
				fflush(stdout);
			}
			if (tty) {
				int w = 40, f = (int)(w * d / tasks.size());
				fprintf(stderr, "[%.*s%*s] %zu/%zu %s", f, "########################################",
					w - f, "", d, tasks.size(), t.name.c_str());
			}
		}
	};
	std::vector<std::thread> pool;
	for (unsigned j = 0; j < jobs && j < tasks.size(); j++)
		pool.emplace_back(worker);
	for (auto &th : pool)
		th.join();
	if (tty)
		fprintf(stderr, "\r\033[K");
	double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

	// Summary: arch x class.
	std::map<std::pair<std::string, std::string>, std::array<int, 3>> table;
	size_t proved = 0, failed = 0, skipped = 0, paths = 0;
	for (const Result &r : results) {
		auto &c = table[{r.arch, r.cls}];
		c[(int)r.outcome]++;
		paths += r.paths;
		(r.outcome == Outcome::PROVED ? proved : r.outcome == Outcome::FAILED ? failed : skipped)++;
	}
	printf("\n%-8s %-7s %7s %7s %14s\n", "arch", "class", "proved", "failed", "not supported");
	for (auto &kv : table)
		printf("%-8s %-7s %7d %7d %14d\n", kv.first.first.c_str(), kv.first.second.c_str(), kv.second[0],
		       kv.second[1], kv.second[2]);
	for (const ArchInfo *a : arches)
		if (!a->note.empty())
			printf("%s\n", a->note.c_str());
	if (only.empty() && !mut)
		for (const ArchInfo *a : arches)
			print_coverage(*a, tasks, results, coverage);
	printf("\n%zu entries: %zu proved, %zu failed, %zu not supported; %zu paths; %.1f s wall with %u jobs\n",
	       results.size(), proved, failed, skipped, paths, wall, jobs);
	if (mut) {
		bool caught = failed > 0;
		printf("mutant %s: %s\n", mut->id, caught ? "CAUGHT" : "NOT CAUGHT");
	}
	printf("RESULT: %zu passed, %zu failed\n", proved + skipped, failed);

	if (!json_file.empty()) {
		nlohmann::json j = nlohmann::json::array();
		for (const Result &r : results)
			j.push_back({{"arch", r.arch}, {"opcode", r.name}, {"class", r.cls},
				     {"result", outcome_name(r.outcome)}, {"paths", r.paths},
				     {"rejected_paths", r.rejected}, {"solver_checks", r.checks},
				     {"seconds", r.seconds}, {"first_difference", r.first_diff},
				     {"detail", r.detail}});
		std::ofstream(json_file) << j.dump(1) << "\n";
	}
	return failed ? 1 : 0;
}
