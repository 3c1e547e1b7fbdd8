// SPDX-License-Identifier: GPL-2.0
/*
 * vjitctl: the state of the loaded vjit.ko.
 *
 *   vjitctl status [--json]   counters from /sys/kernel/vjit
 *   vjitctl mode [MODE]       show or set what vjit compiles
 *                             (none, seccomp, classic, all)
 *
 * VJIT_SYSFS overrides /sys/kernel/vjit and VJIT_PARAMS overrides
 * /sys/module/vjit/parameters (for tests).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sysfs_dir(void)
{
	const char *d = getenv("VJIT_SYSFS");

	return d ? d : "/sys/kernel/vjit";
}

static const char *params_dir(void)
{
	const char *d = getenv("VJIT_PARAMS");

	return d ? d : "/sys/module/vjit/parameters";
}

/* Reads one line of @dir/@name into @buf; 0 or -errno. */
static int read_line(const char *dir, const char *name, char *buf, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static long long read_counter(const char *dir, const char *name)
{
	char buf[64];

	if (read_line(dir, name, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

struct reason {
	char name[256];
	long long count;
};

static int cmp_reason(const void *a, const void *b)
{
	return strcmp(((const struct reason *)a)->name,
		      ((const struct reason *)b)->name);
}

static int load_reasons(struct reason *r, int max)
{
	char dir[512];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/fallback", sysfs_dir());
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(r[n].name, sizeof(r[n].name), "%s", e->d_name);
		r[n].count = read_counter(dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(r, n, sizeof(*r), cmp_reason);
	return n;
}

static const char *const counters[] = {
	"compiled", "native_bytes", "compile_ns",
	"stock", "stock_jited", "stock_ns", "blinded", "return_thunk",
	"bhb_loop", "bhb_ibhf", "nospec", "stock_bhb_loop", "stock_bhb_ibhf",
	"ibt", "isa_v4", "stock_ibt",
};
#define NCOUNTERS (int)(sizeof(counters) / sizeof(counters[0]))

static double per(long long total, long long n)
{
	return n > 0 ? (double)total / (double)n : 0.0;
}

/* INET-DIAG filters (/sys/kernel/vjit/diag/), when the module has them. */
static const char *const diag_counters[] = {
	"compiled", "shared", "freed", "live", "native_bytes", "compile_ns", "runs",
	"interpreted", "fallback_audit", "fallback_too_large", "fallback_alloc", "fallback_jit",
};
#define NDIAG (int)(sizeof(diag_counters) / sizeof(diag_counters[0]))

static int load_diag(long long *v)
{
	char dir[512];
	int i;

	snprintf(dir, sizeof(dir), "%s/diag", sysfs_dir());
	for (i = 0; i < NDIAG; i++) {
		v[i] = read_counter(dir, diag_counters[i]);
		if (v[i] < 0)
			return -1;
	}
	return 0;
}

static void print_diag(int json)
{
	long long d[NDIAG];
	int i;

	if (load_diag(d))
		return;
	if (json) {
		printf(", \"diag\": {");
		for (i = 0; i < NDIAG; i++)
			printf("%s\"%s\": %lld", i ? ", " : "", diag_counters[i], d[i]);
		printf("}");
		return;
	}
	printf("  INET-DIAG filters:  %lld compiled (%lld shared by concurrent dumps, "
	       "%lld freed, %lld live), %lld bytes native, %.1f us/filter\n",
	       d[0], d[1], d[2], d[3], d[4], per(d[5], d[0]) / 1000.0);
	printf("  ... sockets:        %lld filtered by vjit, %lld by the kernel's "
	       "interpreter\n", d[6], d[7]);
	printf("  ... interpreted because: audit=%lld too_large=%lld alloc=%lld jit=%lld\n",
	       d[8], d[9], d[10], d[11]);
}

static int status(int json)
{
	long long v[NCOUNTERS];
	struct reason r[64];
	char mode[32] = "?";
	int i, n;

	for (i = 0; i < NCOUNTERS; i++) {
		v[i] = read_counter(sysfs_dir(), counters[i]);
		if (v[i] < 0) {
			fprintf(stderr, "vjitctl: vjit is not loaded (%s/%s: "
				"cannot read)\n", sysfs_dir(), counters[i]);
			return 2;
		}
	}
	read_line(params_dir(), "mode", mode, sizeof(mode));
	n = load_reasons(r, 64);
	if (n < 0)
		n = 0;
	if (json) {
		printf("{\"mode\": \"%s\"", mode);
		for (i = 0; i < NCOUNTERS; i++)
			printf(", \"%s\": %lld", counters[i], v[i]);
		printf(", \"fallback\": {");
		for (i = 0; i < n; i++)
			printf("%s\"%s\": %lld", i ? ", " : "", r[i].name,
			       r[i].count);
		printf("}");
		print_diag(1);
		printf("}\n");
		return 0;
	}
	printf("vjit: mode %s\n", mode);
	printf("  compiled by vjit:   %lld programs, %lld bytes native "
	       "(%.0f B/program), %.1f us/program\n", v[0], v[1],
	       per(v[1], v[0]), per(v[2], v[0]) / 1000.0);
	if (v[6])
		printf("  constant-blinded:   %lld of them (bpf_jit_harden)\n", v[6]);
	if (v[7])
		printf("  return thunk:       %lld of them return through it\n", v[7]);
	if (v[8] || v[9])
		printf("  Spectre-BHI:        %lld call clear_bhb_loop, %lld have ibhf\n", v[8], v[9]);
	if (v[10])
		printf("  NOSPEC barriers:    %lld lowered (lfence)\n", v[10]);
	if (v[13])
		printf("  IBT:                %lld have ENDBR64 at their entries\n", v[13]);
	if (v[14])
		printf("  cpu-v4:             %lld use cpu-v4 instructions\n", v[14]);
	printf("  kernel's JIT:       %lld programs handed over, %lld JITted, "
	       "%.1f us/program\n", v[3], v[4], per(v[5], v[3]) / 1000.0);
	if (v[11] || v[12])
		printf("  ... Spectre-BHI:    %lld call clear_bhb_loop, %lld have ibhf\n", v[11], v[12]);
	if (v[15])
		printf("  ... IBT:            %lld open with ENDBR64\n", v[15]);
	printf("  fallbacks by reason:");
	for (i = 0; i < n; i++)
		if (r[i].count)
			printf(" %s=%lld", r[i].name, r[i].count);
	printf("\n");
	print_diag(0);
	return 0;
}

static int mode(const char *set)
{
	char path[512], cur[32];
	FILE *f;

	if (!set) {
		if (read_line(params_dir(), "mode", cur, sizeof(cur))) {
			fprintf(stderr, "vjitctl: vjit is not loaded\n");
			return 2;
		}
		printf("%s\n", cur);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/mode", params_dir());
	f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", set) < 0 || fclose(f)) {
		fprintf(stderr, "vjitctl: cannot set mode %s: %s\n", set,
			strerror(errno));
		return 1;
	}
	return 0;
}

static void usage(FILE *o)
{
	fprintf(o, "usage: vjitctl status [--json]\n"
		   "       vjitctl mode [none|seccomp|classic|all]\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "status")) {
		if (argc == 2)
			return status(0);
		if (argc == 3 && !strcmp(argv[2], "--json"))
			return status(1);
	} else if (argc >= 2 && !strcmp(argv[1], "mode") && argc <= 3) {
		return mode(argc == 3 ? argv[2] : NULL);
	} else if (argc == 2 && (!strcmp(argv[1], "-h") ||
				 !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 1;
}
